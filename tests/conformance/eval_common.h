/*
 * eval_common.h -- shared parts of the W3C SPARQL evaluation runners
 * (sparql_eval.c, sparql_update_eval.c): TSV files, owned terms, result
 * tables compared as the W3C does (multisets of solutions, blank nodes up to
 * a consistent renaming, order between order groups, lax cardinality), and
 * fresh stores in a temporary directory.
 */
#ifndef EVAL_COMMON_H
#define EVAL_COMMON_H

#include "trine.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Files ------------------------------------------------------------------ */

/// The whole file, NUL-terminated, or NULL; *len may be NULL.
char *ev_read_file(const char *path, size_t *len);

/// A TSV file: rows of fields (header lines starting with '#' skipped).
typedef struct {
  char ***rows;     ///< rows[i][j], NUL-terminated fields
  size_t *nfields;  ///< fields per row
  size_t nrows;
  char *text;       ///< the file, cut in place
} EvTsv;

/// Read a TSV file; false when it cannot be read.
bool ev_tsv_read(const char *path, EvTsv *t);
void ev_tsv_free(EvTsv *t);
/// Field j of row i, "" when missing.
const char *ev_tsv_get(const EvTsv *t, size_t i, size_t j);
/// In a key<TAB>value file: the value of key, or NULL.
const char *ev_tsv_value(const EvTsv *t, const char *key);

/* Terms ------------------------------------------------------------------- */

/// An owned term, normalised: datatype NULL for simple literals (xsd:string)
/// and language-tagged strings; lang lowercased.
typedef struct {
  TrineTermKind kind; ///< TRINE_TERM_NONE: unbound
  char *value;
  size_t value_len;
  char *datatype;
  char *lang;
  char *canon; ///< numeric literals: the value in a normal form, else NULL
} EvTerm;

/**
 * Copy t (NULL: unbound) into e. Numeric literals (xsd:integer and its
 * derived types, decimal, float, double) with a valid lexical form also get
 * their value in a normal form: two literals of the same datatype and value
 * are equal whatever their lexical forms ("6"^^xsd:double = "6.0E0"), as
 * the W3C's expected results write numbers in the forms of one engine.
 * With TRINE_EVAL_STRICT=1 in the environment terms compare exactly.
 */
void ev_term_set(EvTerm *e, const TrineTerm *t);
void ev_term_free(EvTerm *e);
bool ev_term_equal(const EvTerm *a, const EvTerm *b);
/// Print in N-Triples syntax ("" for unbound).
void ev_term_print(const EvTerm *e, FILE *out);

/* Result tables -------------------------------------------------------------- */

/// Solutions over named columns, or a graph (columns s, p, o).
typedef struct {
  char **vars;
  size_t nvars;
  EvTerm *cells; ///< nrows * nvars
  size_t nrows, caprows;
} EvTable;

void ev_table_init(EvTable *t, const char *const *vars, size_t nvars);
void ev_table_free(EvTable *t);
/// Index of var, adding a column (unbound in every row so far) if missing.
size_t ev_table_var(EvTable *t, const char *var);
/// Append an unbound row; return its cells.
EvTerm *ev_table_row(EvTable *t);
/// Drop duplicate rows (exact term equality).
void ev_table_distinct(EvTable *t);
/// Print rows (at most limit, 0: all) one per line, prefixed by mark.
void ev_table_print(const EvTable *t, const char *mark, size_t limit,
                    FILE *out);

/// How to compare two tables.
typedef struct {
  const size_t *groups; ///< ordered: sizes of consecutive runs (NULL: none)
  size_t ngroups;
  bool ordered;         ///< check order (between groups; each row its own
                        ///< group when groups is NULL)
  bool lax;             ///< cardinality lax: compare distinct solutions
} EvCompare;

/**
 * Whether actual equals expected under cmp: the same variables, and a
 * bijection between rows respecting groups, with blank nodes renamed
 * consistently. On a mismatch, a short diff (rows of expected with no
 * partner "- ", rows of actual with none "+ ") goes to diff.
 */
bool ev_tables_match(const EvTable *expected, const EvTable *actual,
                     const EvCompare *cmp, FILE *diff);

/* Stores ------------------------------------------------------------------- */

/// Create the temporary directory for stores; false on failure.
bool ev_tmp_init(const char *tag);
/// A fresh empty store (errors go to a quiet sink).
TrineStore *ev_fresh_store(void);
/// Close s and delete its directory.
void ev_drop_store(TrineStore *s);
/// Remove the temporary directory.
void ev_tmp_cleanup(void);

/// Load an N-Triples/N-Quads file into a table of s, p, o, g rows (g unbound
/// for the default graph) with the project's parser. false on a parse error.
bool ev_parse_quads(const char *path, bool nquads, EvTable *out, char *err,
                    size_t errsize);

/// The same on a buffer; name is used in messages.
bool ev_parse_quads_buf(const char *name, const char *text, size_t len,
                        bool nquads, EvTable *out, char *err, size_t errsize);

/// out = dir/file, cut to size.
void ev_join(char *out, size_t size, const char *dir, const char *file);

/* One test's steps ------------------------------------------------------------ */

/// A TrineErrorSink context (ev_on_error) keeping the first message.
typedef struct {
  char errmsg[512];
} EvErrors;

void ev_on_error(void *ctx, const TrineError *e);

/// Load dir/file (N-Quads) into store. NULL, or the reason written to why.
const char *ev_load(TrineStore *store, const char *dir, const char *file,
                    EvErrors *errs, char *why, size_t whysize);

/// Read dir/file into *text (the caller frees it, after *q) and prepare it
/// as the request name against base (NULL or "": none), with a 20 s
/// timeout. NULL, or the reason written to why.
const char *ev_prepare(TrineStore *store, const char *dir, const char *file,
                       const char *name, const char *base, EvErrors *errs,
                       char **text, TrineQuery **q, char *why, size_t whysize);

/// When ev_verbose: both tables in full to out, counted in units.
void ev_print_both(const EvTable *want, const EvTable *got, const char *units,
                   FILE *out);

/// Compare want with got under cmp (ev_tables_match). NULL when they match;
/// else "WHAT differ (N expected, M actual)" written to why and the diff to
/// diff (if not NULL).
const char *ev_compare(const EvTable *want, const EvTable *got,
                       const EvCompare *cmp, const char *what, FILE *diff,
                       char *why, size_t whysize);

/* Through the shell -------------------------------------------------------------- */

/// The trine program given with --shell: requests then run through
/// `trine STORE -f FILE` and are compared with the API's results. NULL:
/// through the API, compared with the W3C's.
extern const char *ev_shell;

/// What the shell printed and how it exited.
typedef struct {
  int status;   ///< exit status; -1 when it could not run or was killed
  char *out;    ///< standard output, NUL-terminated
  size_t outlen;
  char *err;    ///< standard error, NUL-terminated
} EvShellRun;

/**
 * Run `ev_shell [--base BASE] --timeout 20000 [--format FORMAT] DIR -f
 * dir/file` on the directory DIR of *store (a store of ev_fresh_store()),
 * which is closed meanwhile and opened again into *store (NULL on failure).
 */
void ev_shell_run(TrineStore **store, const char *base, const char *format,
                  const char *dir, const char *file, EvShellRun *r);
void ev_shell_free(EvShellRun *r);

/// When r failed: "trine exited with N: FIRST LINE OF STDERR" in why.
const char *ev_shell_failure(const EvShellRun *r, char *why, size_t whysize);

/* The excluded list ------------------------------------------------------------ */

/**
 * tests/conformance/sparql-excluded.tsv: suite, name, status, reason. Status
 * "skip": not vendored; "xfail": vendored and expected to fail. A runner
 * owns the lines whose suite is one of its tests.tsv's.
 */
typedef struct {
  EvTsv tsv;
  bool *mine; ///< the line's suite is one of this runner's
  bool *seen; ///< the line names a test of tests.tsv
} EvKnown;

/// Read path; the lines of tests' suites are this runner's. false when the
/// file cannot be read.
bool ev_known_read(EvKnown *k, const char *path, const EvTsv *tests);
/// The reason if suite/name is listed as xfail (and mark it seen), else NULL.
/// *skipped is set when it is listed as skip (a vendored test should not be).
const char *ev_known_reason(EvKnown *k, const char *suite, const char *name,
                            bool *skipped);
void ev_known_free(EvKnown *k);

/* The runner loop ---------------------------------------------------------- */

/// Run one test in directory dir; NULL when it passes, else a short reason
/// (details such as a diff go to diff).
typedef const char *(*EvRunFn)(const char *dir, const char *name, FILE *diff);

/// Set when a single test runs: print full results.
extern bool ev_verbose;

/**
 * The main program of a runner: [--shell TRINE] SUITE-DIR [TEST-NAME].
 * SUITE-DIR holds tests.tsv (suite, name, dir, ...); with TEST-NAME that
 * test runs in this process, its details printed. Otherwise every test
 * runs in a child process (a crash or a 120 s hang fails that test only).
 * known_file (the excluded list) is read next to the suite directory: an
 * xfail test that fails counts as known, one that passes as a failure
 * (unexpected pass), and so does a line of this runner's that names no
 * test or a vendored test as skip. With --shell it is not read: the shell
 * is compared with the API, failures and all. Returns the exit status.
 */
int ev_main(int argc, char **argv, const char *tag, const char *known_file,
            EvRunFn run);

#endif
