/*
 * shell.h -- the state of one trine shell session and its commands.
 * All output goes through the FILE pointers here so tests can capture it.
 */
#ifndef TRINE_SHELL_H
#define TRINE_SHELL_H

#include "trine.h"

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct {
  TrineStore *store;
  char *store_path;     ///< owned copy
  bool readonly;
  bool bail;        ///< stop at the first error
  bool interactive; ///< stdin and stderr are terminals
  bool busy_said;   ///< "waiting for another writer" was said for this wait
  FILE *out;        ///< results (stdout or .output FILE)
  FILE *err;        ///< messages
  char *out_path;   ///< the .output file, NULL for stdout
  const char *source; ///< name of the input in error messages
  const char *base;   ///< base IRI for queries (--base), or NULL
  const char *text;   ///< the query being run as typed, for error carets
  unsigned added_lines; ///< lines of saved PREFIX declarations put before it
  unsigned line0, col0; ///< where the request starts in its source: errors are
                        ///< reported there (the column only on its first line)
  TrineResultFormat format; ///< 0: table on a terminal, else TSV
  bool no_headers;  ///< .headers off
  bool timer;       ///< .timer on
  uint64_t limit;   ///< .limit N: rows shown at most (0: all)
  unsigned timeout_ms;   ///< --timeout, .timeout: per request (0: none)
  size_t memory_limit;   ///< --memory-limit, .memory: per query (0: the library's 1 GiB)
  const char **service_allow; ///< --service-allow: endpoint prefixes SERVICE may call
  size_t nservice_allow;
  char **prefixes;  ///< name, IRI pairs: saved in the store, then built in
  size_t nprefixes; ///< pairs
  const char *pending; ///< the unfinished query being typed (completion)
  int depth;        ///< .read nesting
  int errors;       ///< failed commands so far
  bool quit;
} Shell;

/// Set by SIGINT (when the shell catches it), cleared by whoever acts on it.
extern volatile sig_atomic_t shell_interrupted;

/// Run one dot-command line (starting with '.'). Returns 0, 1 (error).
int shell_dot(Shell *sh, const char *line);

/// Run one input unit: a dot-command or a query. Returns 0 or 1.
int shell_run(Shell *sh, const char *text);

/// Run the commands and queries in a file ("-": standard input). 0 or 1.
int shell_run_file(Shell *sh, const char *path);

/// Print how a query would run (algebra, access paths) without running it;
/// with analyze, run it (never an update) and print the plan as run. 0 or 1.
int shell_explain(Shell *sh, const char *text, bool analyze);

/// Where the query of a dot-command that takes one (.explain [analyze]
/// QUERY) starts in line (which starts with '.'); 0 for other commands.
/// *analyze tells whether "analyze" came first.
size_t shell_dot_query(const char *line, bool *analyze);

/// Open the store at path (closing the current one). 0 or 1.
int shell_open(Shell *sh, const char *path);

/// Reload the prefix list (saved ones, then the built-in ones).
void shell_load_prefixes(Shell *sh);

/// Parse a number of milliseconds into *out; false when s is not one.
bool shell_parse_ms(const char *s, unsigned *out);

/// Parse a size in bytes, with an optional K, M or G (1024-based; B or iB
/// may follow) into *out; false when s is not one.
bool shell_parse_size(const char *s, size_t *out);

/// The result format named s ("table", "tsv", ...), or 0.
TrineResultFormat shell_format(const char *s);

/// Print an error through the shell's error stream (and count it).
void shell_error(Shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/// Error sink printing "source:line:col: error: message".
void shell_sink(void *ctx, const TrineError *e);

/// The name of dot-command i (without '.'), or NULL past the last.
const char *shell_command_name(size_t i);

/// The text to prepare for a request: the shell's prefixes that it does not
/// declare, on one line (*added: 1, else 0), then text. Free it; NULL: no memory.
char *shell_with_prefixes(Shell *sh, const char *text, unsigned *added);

/* Where a request ends in the input (request.c; the rule is stated there). */

/// What the lines of a request so far leave open, scanned line by line.
typedef struct {
  int depth;  ///< brackets { ( [ open
  char quote; ///< the quote of a long string left open (three ' or "), else 0
  char last;  ///< last character outside comments and white space
  const char *last_at; ///< where it is (in the text last scanned)
} ReqScan;

/// Add one line (or more) of input to the scan.
void req_scan_line(ReqScan *s, const char *line);

typedef enum {
  REQ_MORE,      ///< not complete: read on
  REQ_END,       ///< ends here
  REQ_PEEK_OP,   ///< an update at ';': goes on if the next word starts an operation
  REQ_PEEK_PARSE ///< complete: goes on if the parser accepts the next word after it
} ReqState;

/// Whether the request text (scanned into s) may end after its last line
/// (blank_line: that line was blank).
ReqState req_state(Shell *sh, const ReqScan *s, const char *text, bool blank_line);

/// The next word in text past white space, comments and PREFIX/BASE
/// declarations: 1 and its place in [*start, *end); 0 when text holds none
/// yet; -1 when a dot-command line comes first.
long req_next_word(const char *text, size_t *start, size_t *end);

/// Whether the request text in state st goes on with next, whose next word
/// lies at [start, end).
bool req_goes_on(Shell *sh, ReqState st, const char *text, const char *next, size_t start,
                 size_t end);

/* A temporary store (temp.c). */

/// The store name that asks for a temporary store, as in sqlite3.
extern const char shell_temp_name[];

/// Open a new temporary store (closing the current one): its files are
/// gone when the shell exits. 0 or 1.
int shell_open_temp(Shell *sh);

/// Whether the open store is a temporary one.
bool shell_is_temp(const Shell *sh);

/* Fitting output to the screen (display.c). */

/// Columns of the terminal f is, or 0 when it is none.
unsigned shell_term_width(FILE *f);

/// Print an error's line (len bytes, no newline) and a caret under
/// character col (1-based); a line wider than width (0: 80) is cut to a
/// window around the caret, with "…" where it was cut.
void shell_caret(FILE *out, const char *line, size_t len, unsigned col, unsigned width);

/// Print iri as a prefixed name when one of the shell's prefixes applies,
/// else as <iri>.
void shell_print_iri(Shell *sh, FILE *out, const char *iri, size_t len);

/// Print text with each <IRI> in it shortened by the shell's prefixes;
/// what is inside "..." or '...' is printed as it is.
void shell_write_short(Shell *sh, FILE *out, const char *text, size_t len);

/// trine_query_explain() to the shell's output, IRIs shortened.
TrineStatus shell_explain_write(Shell *sh, TrineQuery *q);

/* Line editing (edit.c, libedit): only when interactive. */

/// Set up the editor and load the history. Returns 0, or -1 (then use getline).
int edit_init(Shell *sh);

/// Read one line with prompt; NULL at end of input. *interrupted is set
/// when Ctrl-C abandoned the line. The line is valid until the next call.
const char *edit_line(const char *prompt, bool *interrupted);

/// Add an entry to the history and save the history file.
void edit_history_add(const char *entry);

/// Tear down the editor.
void edit_end(void);

#endif
