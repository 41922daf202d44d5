/*
 * trine.h -- the public API of libtrine, an embedded RDF quad store.
 *
 * One store is one directory holding an LMDB environment. Terms (IRIs,
 * blank nodes, literals) are dictionary-encoded to 64-bit ids; quads live in
 * sorted index permutations. One writer and many readers at a time, across
 * threads and processes; every reader sees a snapshot.
 *
 * Conventions
 *  - Every fallible call returns a TrineStatus; objects come back through
 *    out-parameters. TRINE_OK is 0; TRINE_ROW, TRINE_DONE and
 *    TRINE_NOT_FOUND are outcomes, not errors; everything >= TRINE_ERR_SYNTAX
 *    is an error, explained by trine_store_errmsg() or an error sink.
 *  - Every *_free / *_close accepts NULL.
 *  - Pointers returned inside a TrineTerm are borrowed: they stay valid until
 *    the next call on the object that produced them, unless stated otherwise.
 */
#ifndef TRINE_H
#define TRINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The version of this header; trine_version() gives the library's. */
#define TRINE_VERSION_MAJOR 0
#define TRINE_VERSION_MINOR 1
#define TRINE_VERSION_PATCH 0
/// MAJOR * 10000 + MINOR * 100 + PATCH, for #if comparisons.
#define TRINE_VERSION_NUMBER \
  (TRINE_VERSION_MAJOR * 10000 + TRINE_VERSION_MINOR * 100 + TRINE_VERSION_PATCH)

#if defined(_WIN32)
#define TRINE_API __declspec(dllexport)
#elif defined(__GNUC__)
#define TRINE_API __attribute__((visibility("default")))
#else
#define TRINE_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup status Status codes and errors
 * @{ */

/// Result of every fallible call.
typedef enum {
  TRINE_OK = 0,          ///< Success.
  TRINE_ROW = 1,         ///< An iterator or query produced a row.
  TRINE_DONE = 2,        ///< An iterator or query has no more rows.
  TRINE_NOT_FOUND = 3,   ///< A lookup found nothing (not an error).
  TRINE_ERR_SYNTAX = 10, ///< Malformed input (RDF or SPARQL text).
  TRINE_ERR_ARG,         ///< Invalid argument or misuse of the API.
  TRINE_ERR_IO,          ///< Operating system I/O error.
  TRINE_ERR_FULL,        ///< Disk or map full.
  TRINE_ERR_CORRUPT,     ///< The store is damaged or of another format.
  TRINE_ERR_NOMEM,       ///< Out of memory.
  TRINE_ERR_BUSY,        ///< Another writer holds the store, or readers are full.
  TRINE_ERR_READONLY,    ///< Write attempted on a read-only store or txn.
  TRINE_ERR_CANCELLED,   ///< Cancelled by a callback or trine_*_cancel().
  TRINE_ERR_UNSUPPORTED, ///< Valid request this version cannot perform.
  TRINE_ERR_INTERNAL,    ///< A bug in trine: please report it.
  TRINE_ERR_DENIED       ///< The program did not allow it (TrineQueryOptions.allow).
} TrineStatus;

/// A short static description of a status code. Never NULL.
TRINE_API const char *trine_strerror(TrineStatus status);

/// A positioned error, delivered to a TrineErrorSink.
typedef struct {
  TrineStatus status;  ///< What kind of error.
  const char *source;  ///< Source name (file name, "query", ...); may be NULL.
  unsigned line;       ///< 1-based line, or 0 when unknown.
  unsigned col;        ///< 1-based column in characters, or 0 when unknown.
  const char *message; ///< Lowercase phrase, no position, no trailing newline.
} TrineError;

/**
 * Receives errors. The TrineError and its strings are borrowed for the
 * duration of the call. Without a sink, the library formats nothing and
 * prints nothing: it keeps the last message for trine_store_errmsg().
 */
typedef void (*TrineErrorSink)(void *ctx, const TrineError *error);

/**
 * Format an error as "SOURCE:LINE:COL: error: MESSAGE" into buf (always
 * NUL-terminated when size > 0). Parts that are unknown are left out.
 * @return the length the full text needs, as snprintf does.
 */
TRINE_API size_t trine_error_format(const TrineError *error, char *buf,
                                    size_t size);
/** @} */

/** @defgroup term Terms
 * @{ */

/// The kind of an RDF term.
typedef enum {
  TRINE_TERM_NONE = 0,  ///< No term: an unbound position or pattern wildcard.
  TRINE_TERM_IRI = 1,   ///< An IRI; `value` is the IRI without <>.
  TRINE_TERM_BLANK = 2, ///< A blank node; `value` is the label without _:.
  TRINE_TERM_LITERAL = 3, ///< A literal; `value` is the lexical form.
  TRINE_TERM_DEFAULT_GRAPH = 4 ///< The default graph (graph position only).
} TrineTermKind;

/**
 * An RDF term as a view on borrowed bytes (not NUL-terminated in general).
 * For literals, `datatype` is the datatype IRI (NULL or empty means
 * xsd:string, or rdf:langString when `lang` is set) and `lang` the language
 * tag (NULL when there is none). Language tags compare case-insensitively:
 * the store keeps them lowercased.
 */
typedef struct {
  TrineTermKind kind;
  const char *value;
  size_t value_len;
  const char *datatype;
  size_t datatype_len;
  const char *lang;
  size_t lang_len;
} TrineTerm;

/// A term id, stable for the life of the store. 0 means "no term".
typedef uint64_t TrineId;

/// Convenience constructors (views on NUL-terminated strings).
TRINE_API TrineTerm trine_iri(const char *iri);
TRINE_API TrineTerm trine_blank(const char *label);
TRINE_API TrineTerm trine_literal(const char *lexical, const char *datatype,
                                  const char *lang);
TRINE_API TrineTerm trine_default_graph(void);

/**
 * Write a term in N-Triples syntax with canonical escaping (no newline).
 * @return 0 on success, -1 on a write error.
 */
TRINE_API int trine_term_write(const TrineTerm *term, FILE *out);
/** @} */

/** @defgroup store Stores
 * @{ */

typedef struct TrineStoreImpl TrineStore;

/// Flags for TrineOptions.flags.
enum {
  TRINE_OPEN_READONLY = 1u << 0, ///< Open read-only; never create.
  TRINE_OPEN_NOCREATE = 1u << 1, ///< Fail with TRINE_NOT_FOUND if missing.
  /** Do not wait for the disk at each commit (LMDB's MDB_NOSYNC): much
   * faster small writes, but a crash of the machine (not of the process)
   * may lose the last commits, or leave a store that must be rebuilt. */
  TRINE_OPEN_NOSYNC = 1u << 2
};

/**
 * Called while a write transaction waits for another process's writer
 * (one store has one writer at a time), about every 50 ms, with the time
 * waited so far. Return 0 to go on waiting, non-zero to give up: the
 * write then fails with TRINE_ERR_BUSY.
 */
typedef int (*TrineBusyFn)(void *ctx, unsigned waited_ms);

/// Options for trine_store_open(); a zeroed struct gives the defaults.
typedef struct {
  unsigned flags;          ///< TRINE_OPEN_* bits.
  TrineErrorSink sink;     ///< Optional error sink, see TrineErrorSink.
  void *sink_ctx;          ///< Passed to sink.
  TrineBusyFn busy;        ///< Optional: told while a write waits (NULL: wait silently).
  void *busy_ctx;          ///< Passed to busy.
  /** Address space to reserve for the store, in bytes (0: 1 TiB). The data
   * file only grows as it is written; a store cannot grow past this
   * (TRINE_ERR_FULL): lower it where address space is scarce (32-bit,
   * ulimit -v). Another process's larger map is followed. */
  size_t map_size;
} TrineOptions;

/**
 * Open the store in directory path, creating it (unless read-only or
 * TRINE_OPEN_NOCREATE) when path does not exist or is an empty directory.
 * A directory holding other files is not a store: TRINE_ERR_ARG. Opening
 * takes no writer's lock, so it does not wait behind a load.
 * @param[in] opts may be NULL for the defaults.
 * @param[out] out the store; close it with trine_store_close().
 * @return TRINE_OK, TRINE_NOT_FOUND, TRINE_ERR_ARG, TRINE_ERR_IO,
 *         TRINE_ERR_CORRUPT, TRINE_ERR_BUSY or TRINE_ERR_NOMEM. On error
 *         *out is NULL and, when
 *         no sink is given, the message is printed nowhere; use
 *         trine_open_errmsg() to read it.
 */
TRINE_API TrineStatus trine_store_open(const char *path,
                                       const TrineOptions *opts,
                                       TrineStore **out);

/// Whether trine_store_open() created this store (the path was new or an
/// empty directory).
TRINE_API bool trine_store_created(const TrineStore *store);

/**
 * The message of the last failed call in this thread that had no store to
 * hold it: trine_store_open(), or a call given a NULL handle. Every entry
 * point checks its handles and out-parameters: a NULL one is TRINE_ERR_ARG
 * with a message (on the store when there is one, else here), a NULL
 * handle makes a getter return NULL, 0 or false, and every *_free,
 * *_abort and *_close accepts NULL.
 */
TRINE_API const char *trine_open_errmsg(void);

/**
 * Close a store (NULL: nothing to do). While transactions or queries of the
 * store are still open it refuses: TRINE_ERR_BUSY, and the store stays open
 * (end them, then close again). Iterators end with their transaction.
 * @return TRINE_OK or TRINE_ERR_BUSY.
 */
TRINE_API TrineStatus trine_store_close(TrineStore *store);

/**
 * The detailed message of the last error on this store, "" if none.
 * The string is owned by the store and valid until its next failing call.
 * Per store, not per thread: threads sharing a store should use a sink.
 */
TRINE_API const char *trine_store_errmsg(const TrineStore *store);

/// Whether the store was opened read-only.
TRINE_API bool trine_store_readonly(const TrineStore *store);
/** @} */

/** @defgroup txn Transactions
 * @{ */

typedef struct TrineTxnImpl TrineTxn;

/**
 * Begin a transaction. A write transaction waits for any other writer
 * (in this or another process), telling TrineOptions.busy while it waits;
 * readers never wait and see a snapshot.
 * @param[out] out free it with trine_txn_commit() or trine_txn_abort().
 * @return TRINE_OK, TRINE_ERR_READONLY, TRINE_ERR_BUSY (the busy callback
 *         gave up), TRINE_ERR_IO.
 */
TRINE_API TrineStatus trine_txn_begin(TrineStore *store, bool write,
                                      TrineTxn **out);

/// Commit and free txn (for a read txn: just end it). On error it is aborted.
TRINE_API TrineStatus trine_txn_commit(TrineTxn *txn);

/// Abandon all changes and free txn. Accepts NULL.
TRINE_API void trine_txn_abort(TrineTxn *txn);

/**
 * Add the quad (s, p, o, g); g NULL or TRINE_TERM_DEFAULT_GRAPH is the
 * default graph. Adding a quad twice stores it once.
 * @return TRINE_OK (added), TRINE_NOT_FOUND (was already there) or an error.
 */
TRINE_API TrineStatus trine_txn_add(TrineTxn *txn, const TrineTerm *s,
                                    const TrineTerm *p, const TrineTerm *o,
                                    const TrineTerm *g);

/**
 * Remove the quad (s, p, o, g); g as in trine_txn_add().
 * @return TRINE_OK (removed), TRINE_NOT_FOUND (was not there) or an error.
 */
TRINE_API TrineStatus trine_txn_remove(TrineTxn *txn, const TrineTerm *s,
                                       const TrineTerm *p, const TrineTerm *o,
                                       const TrineTerm *g);

typedef struct TrineIterImpl TrineIter;

/**
 * Iterate over the quads matching a pattern. NULL (or TRINE_TERM_NONE)
 * matches anything; for g, NULL matches every graph including the default
 * one, and TRINE_TERM_DEFAULT_GRAPH only the default graph. Every pattern is
 * one or two range scans of an index.
 * @param[out] out free with trine_iter_free() before the txn ends.
 */
TRINE_API TrineStatus trine_txn_match(TrineTxn *txn, const TrineTerm *s,
                                      const TrineTerm *p, const TrineTerm *o,
                                      const TrineTerm *g, TrineIter **out);

/**
 * Advance to the next quad: TRINE_ROW and quad[0..3] = s, p, o, g
 * (g of kind TRINE_TERM_DEFAULT_GRAPH for the default graph), or TRINE_DONE.
 * The terms are valid until the next call on iter.
 */
TRINE_API TrineStatus trine_iter_next(TrineIter *iter, TrineTerm quad[4]);

/// Free an iterator. Accepts NULL.
TRINE_API void trine_iter_free(TrineIter *iter);
/** @} */

/** @defgroup load Loading and dumping
 * @{ */

/// RDF syntaxes the loader and the dumper know.
typedef enum {
  TRINE_FORMAT_GUESS = 0, ///< Loading: from the file name (.nt .nq .ttl .trig,
                          ///< optionally .gz); dumping: N-Quads.
  TRINE_FORMAT_NTRIPLES,
  TRINE_FORMAT_NQUADS,
  TRINE_FORMAT_TURTLE,    ///< Turtle (RDF 1.1): one graph.
  TRINE_FORMAT_TRIG       ///< TriG (RDF 1.1): the default and named graphs.
} TrineFormat;

/// What a load is doing when it reports progress.
typedef enum {
  TRINE_LOAD_READING = 0, ///< Parsing: bytes and quads grow.
  TRINE_LOAD_WRITING,     ///< Quads going into the indexes: done of todo.
  TRINE_LOAD_COMMITTING   ///< All written; the commit syncs it to disk.
} TrineLoadPhase;

/// A load's progress, as reported to a TrineProgressFn.
typedef struct {
  TrineLoadPhase phase;
  uint64_t bytes;  ///< Input taken from the source so far (compressed
                   ///< bytes for gzip), for every kind of source.
  uint64_t total;  ///< The source's size when known (files, buffers), else 0.
  uint64_t quads;  ///< Statements parsed so far.
  uint64_t done;   ///< TRINE_LOAD_WRITING: index records written of todo:
  uint64_t todo;   ///< a load's one batch (up to 2 Mi statements), or all of them.
} TrineLoadProgress;

/**
 * Progress callback for long loads, called from the loading thread at
 * least every few hundred milliseconds of work (reading and writing
 * alike). Return non-zero to cancel the load (ignored once committing).
 */
typedef int (*TrineProgressFn)(void *ctx, const TrineLoadProgress *progress);

/**
 * Read callback for trine_store_load_reader(): copy up to cap bytes of the
 * input into buf and return how many (fewer is fine), 0 at the end of the
 * input, or -1 on an error (set errno to say which). Called from a thread
 * of the loader's, one call at a time.
 */
typedef ptrdiff_t (*TrineReadFn)(void *ctx, void *buf, size_t cap);

/// Options for loading; a zeroed struct gives the defaults.
typedef struct {
  TrineFormat format;      ///< Syntax, or TRINE_FORMAT_GUESS.
  const TrineTerm *graph;  ///< Statements without a graph (N-Triples, Turtle,
                           ///< outside TriG's graphs) go here (NULL: default).
  TrineProgressFn progress;///< Optional progress callback.
  void *progress_ctx;
  TrineErrorSink sink;     ///< Optional sink for parse errors (else the store's).
  void *sink_ctx;
  unsigned max_errors;     ///< Syntax errors reported before giving up (0: 5;
                           ///< Turtle and TriG stop at the first).
  const char *base_iri;    ///< Turtle, TriG: the absolute IRI relative IRIs
                           ///< resolve against (NULL: the file's file: IRI;
                           ///< none for a buffer).
  /** Load in this write transaction of the store (NULL: a transaction of
   * the load's own, committed when it succeeds). A load that fails there
   * leaves the transaction to be rolled back: its commit aborts it. */
  TrineTxn *txn;
} TrineLoadOptions;

/// What a load did.
typedef struct {
  uint64_t quads_read;  ///< Statements parsed.
  uint64_t quads_added; ///< Statements that were new to the store.
  uint64_t bytes;       ///< Bytes of (decompressed) input.
} TrineLoadStats;

/**
 * Load an N-Triples, N-Quads, Turtle or TriG file (plain or gzip-compressed)
 * in one write transaction: either every statement is stored or, on any
 * error, none is. The format is opts->format, else the file name's
 * (TRINE_ERR_ARG when neither says). Blank node labels are scoped to this
 * load.
 * @param[out] stats may be NULL.
 * @return TRINE_OK, TRINE_ERR_SYNTAX (see the sink or trine_store_errmsg()),
 *         TRINE_ERR_IO, TRINE_ERR_CANCELLED, TRINE_ERR_BUSY, ...
 */
TRINE_API TrineStatus trine_store_load_file(TrineStore *store,
                                            const char *path,
                                            const TrineLoadOptions *opts,
                                            TrineLoadStats *stats);

/**
 * Like trine_store_load_file() on a memory buffer (plain or gzip); name is
 * used in error messages, and TRINE_FORMAT_GUESS goes by its extension as
 * for a file, else N-Quads (a superset of N-Triples). Relative IRIs in
 * Turtle or TriG need opts->base_iri.
 */
TRINE_API TrineStatus trine_store_load_buffer(TrineStore *store,
                                              const char *name,
                                              const void *data, size_t len,
                                              const TrineLoadOptions *opts,
                                              TrineLoadStats *stats);

/**
 * Like trine_store_load_buffer() on what read(ctx, ...) hands over until it
 * returns 0 (gzip is recognised by its first bytes). The input is read
 * once: a Turtle or TriG error's column may then be serd's byte column.
 * @return as trine_store_load_file(); TRINE_ERR_IO when read fails.
 */
TRINE_API TrineStatus trine_store_load_reader(TrineStore *store, const char *name,
                                              TrineReadFn read, void *ctx,
                                              const TrineLoadOptions *opts,
                                              TrineLoadStats *stats);

/**
 * Like trine_store_load_reader() on a stdio stream, from where it stands to
 * its end (a pipe, a socket, stdin, an open file); the stream stays open.
 * Progress knows the total when in is a regular file.
 */
TRINE_API TrineStatus trine_store_load_stream(TrineStore *store, const char *name, FILE *in,
                                              const TrineLoadOptions *opts,
                                              TrineLoadStats *stats);

/**
 * Receives the text of a dump: len bytes at data, borrowed for the call
 * only. Return 0 to go on; non-zero stops the dump, which then fails with
 * TRINE_ERR_IO.
 */
typedef int (*TrineWriteFn)(void *ctx, const void *data, size_t len);

/// Options for dumping; a zeroed struct gives the defaults (every graph as
/// N-Quads, from a fresh snapshot).
typedef struct {
  TrineFormat format;     ///< Syntax (TRINE_FORMAT_GUESS: N-Quads).
  const TrineTerm *graph; ///< Only this graph (TRINE_TERM_DEFAULT_GRAPH:
                          ///< the default one); NULL: every graph, except
                          ///< that Turtle, which has no graphs, then writes
                          ///< the default graph only.
  const char *const *prefixes; ///< Turtle, TriG: name, IRI pairs to declare
                               ///< and use (borrowed for the call); NULL:
                               ///< the store's saved prefixes.
  size_t nprefixes;       ///< number of pairs
  TrineTxn *txn;          ///< Read in this transaction of the store (its
                          ///< own writes too); NULL: a fresh snapshot.
} TrineDumpOptions;

/**
 * Write a store's quads to write(ctx, ...), in chunks of up to 64 KiB, from
 * one snapshot. N-Triples and N-Quads use the canonical form of RDF 1.2
 * N-Triples, one statement a line (N-Triples drops graph names). Turtle and
 * TriG are written for people: @prefix lines for the prefixes, then one
 * statement per subject, its predicates separated by ";" and objects by
 * ","; a blank node used once as an object, in the graph holding its own
 * statements, is written in place as [ ... ] (nested at most 32 deep), and
 * a well-formed rdf:first/rdf:rest chain of such nodes ending in rdf:nil as
 * ( ... ); TriG writes the default graph's statements first, then each named
 * graph as a "G { ... }" block. Every output reads back as the same quads
 * (blank nodes up to renaming). The output is streamed: memory does not
 * grow with the store.
 * @param opts NULL: the defaults.
 * @return TRINE_OK; TRINE_ERR_ARG (store or write NULL, a format out of
 *         range, opts->txn of another store); TRINE_ERR_IO (write returned
 *         non-zero); TRINE_ERR_NOMEM; a store error.
 */
TRINE_API TrineStatus trine_store_dump_to(TrineStore *store, TrineWriteFn write, void *ctx,
                                          const TrineDumpOptions *opts);

/**
 * trine_store_dump_to() into out (flushed at the end) in format, of graph
 * (NULL: every graph; for Turtle the default graph), with the store's
 * saved prefixes.
 * @return TRINE_OK, TRINE_ERR_IO (a write failed), ...
 */
TRINE_API TrineStatus trine_store_dump(TrineStore *store, FILE *out,
                                       TrineFormat format,
                                       const TrineTerm *graph);

/**
 * The number of quads matching a pattern in txn, as trine_txn_match()
 * would hand them out (NULL or TRINE_TERM_NONE: any), without decoding
 * them. A term the store lacks matches nothing.
 * @return TRINE_OK, TRINE_ERR_ARG, or a store error.
 */
TRINE_API TrineStatus trine_txn_count(TrineTxn *txn, const TrineTerm *s, const TrineTerm *p,
                                      const TrineTerm *o, const TrineTerm *g, uint64_t *n);

/// trine_store_dump() of what transaction txn sees (its own writes too).
TRINE_API TrineStatus trine_txn_dump(TrineTxn *txn, FILE *out, TrineFormat format,
                                     const TrineTerm *graph);
/** @} */

/** @defgroup stats Statistics
 * @{ */

/// Store-wide counts, kept current by every write.
typedef struct {
  uint64_t quads;  ///< Quads in all graphs.
  uint64_t terms;  ///< Terms in the dictionary.
  uint64_t graphs; ///< Named graphs holding at least one quad.
  uint64_t default_quads; ///< Quads in the default graph.
} TrineStats;

/// Read the store-wide counts in txn (NULL: a fresh read snapshot).
TRINE_API TrineStatus trine_store_stats(TrineStore *store, TrineTxn *txn,
                                        TrineStats *out);

/// Per-predicate statistics (over all graphs).
typedef struct {
  TrineTerm predicate;  ///< Borrowed for the duration of the callback.
  uint64_t quads;       ///< Quads with this predicate.
  uint64_t subjects;    ///< Distinct subjects with this predicate.
  uint64_t objects;     ///< Distinct objects with this predicate.
} TrinePredicateStats;

/// Called once per predicate; return non-zero to stop.
typedef int (*TrinePredicateFn)(void *ctx, const TrinePredicateStats *st);

/// Visit the statistics of every predicate in txn (NULL: a fresh snapshot).
TRINE_API TrineStatus trine_store_predicates(TrineStore *store, TrineTxn *txn,
                                             TrinePredicateFn fn, void *ctx);

/// Called once per named graph with its quad count; non-zero stops.
typedef int (*TrineGraphFn)(void *ctx, const TrineTerm *graph,
                            uint64_t quads);

/// Visit every named graph holding quads, in txn (NULL: a fresh snapshot).
TRINE_API TrineStatus trine_store_graphs(TrineStore *store, TrineTxn *txn,
                                         TrineGraphFn fn, void *ctx);
/** @} */

/** @defgroup check Checking and compacting
 * @{ */

/// What a problem found by trine_store_check() is about.
typedef enum {
  TRINE_CHECK_FORMAT = 1, ///< meta: an unknown format version, a missing counter
  TRINE_CHECK_INDEX,      ///< an index lacks a quad the others hold, or holds one they lack
  TRINE_CHECK_ID,         ///< an id in a quad names no term of its kind
  TRINE_CHECK_TERM,       ///< stored term bytes: a damaged block, malformed bytes, a duplicate
  TRINE_CHECK_HASH,       ///< hash2id and the stored terms disagree
  TRINE_CHECK_COUNT,      ///< a counter (meta "terms", a statistic) differs from the recount
  TRINE_CHECK_LMDB        ///< LMDB itself found damage: the check stopped there
} TrineCheckKind;

/**
 * One problem found by trine_store_check(). The struct and its strings are
 * borrowed for the duration of the call. Fields that do not apply are 0.
 */
typedef struct {
  TrineCheckKind kind;
  const char *where;        ///< the database: "meta", "terms", "hash2id", "stats", "gspo", ...
  TrineId quad[4];          ///< INDEX, ID: the quad as ids s, p, o, g (g 0: default graph)
  TrineId id;               ///< ID, TERM, HASH, COUNT: the id (a term, graph or predicate)
  uint64_t seq;             ///< ID, TERM, HASH: the term's sequence number
  uint64_t hash;            ///< HASH: the hash in question
  const char *counter;      ///< FORMAT, COUNT: the counter, e.g. "predicate subjects"
  uint64_t expected, found; ///< FORMAT, COUNT: the recounted (or known) value, the stored one
  const char *message;      ///< all of it in words: one line, no newline
} TrineCheckProblem;

/// Called once per problem; return non-zero to stop the check.
typedef int (*TrineCheckFn)(void *ctx, const TrineCheckProblem *problem);

/// What trine_store_check() read.
typedef struct {
  uint64_t quads;    ///< quads in the G-first index GSPO (every graph)
  uint64_t records;  ///< index records read, over the six indexes
  uint64_t terms;    ///< terms stored (IRIs and literals)
  uint64_t problems; ///< problems found, reported or not
} TrineCheckStats;

/**
 * Check that the store is sound, from one read snapshot: a known format;
 * the six indexes holding the same quads (G-first every quad, S/P/O-first
 * exactly the named-graph ones); every id in a quad naming a term of its
 * kind; every stored term found under its hash in hash2id and every
 * hash2id entry naming a term with that hash; meta "terms" and the
 * statistics equal to a recount. Each problem goes to report (NULL: only
 * the verdict), saying which index, quad, id, term or counter, and what
 * was expected (a counter recounted from indexes that disagree is not
 * compared: their quads are reported). LMDB keeps no checksums: see
 * docs/testing.md for the damage no check can see. Reads every record once (a second pass over
 * two indexes that disagree): LUBM(50), 6.7 M quads, takes about 1 s of CPU.
 * @param[out] out may be NULL.
 * @return TRINE_OK (sound), TRINE_ERR_CORRUPT (problems were found and
 *         reported, or report stopped the check), TRINE_ERR_ARG,
 *         TRINE_ERR_NOMEM, TRINE_ERR_IO.
 */
TRINE_API TrineStatus trine_store_check(TrineStore *store, TrineCheckFn report, void *ctx,
                                        TrineCheckStats *out);

/// What trine_store_compact() did.
typedef struct {
  uint64_t bytes_before; ///< size of data.mdb before
  uint64_t bytes_after;  ///< size of the compacted data.mdb
} TrineCompactStats;

/**
 * Give the space of deleted quads back to the file system: copy the
 * store's live pages into a new directory beside it (LMDB's compacting
 * copy), swap that directory into the store's place in one atomic rename,
 * remove the old one, and go on with this handle on the copy. While it
 * copies, it holds the store's write lock (writers wait, readers read).
 * Another process that has the store open would keep the old copy and lose
 * what it writes afterwards: the call refuses (TRINE_ERR_BUSY) when LMDB's
 * lock file shows one, before and after the copy. Open the store once per
 * process (LMDB's rule), and compact when no other process uses it. As
 * with trine_store_close(), no other thread may use the handle meanwhile.
 * The copy needs room for the live pages beside the store.
 * @param[out] out may be NULL.
 * @return TRINE_OK; TRINE_ERR_BUSY (transactions or queries of this handle
 *         are open, or another process has the store open);
 *         TRINE_ERR_READONLY; TRINE_ERR_FULL (no room for the copy);
 *         TRINE_ERR_UNSUPPORTED (the file system cannot swap directories,
 *         or the store's directory was removed while open);
 *         TRINE_ERR_IO; TRINE_ERR_CORRUPT. On any error the store is as it
 *         was and the handle stays usable.
 */
TRINE_API TrineStatus trine_store_compact(TrineStore *store, TrineCompactStats *out);
/** @} */

/** @defgroup prefix Saved prefixes
 * Namespace prefixes kept in the store for clients such as the shell (to
 * shorten IRIs and as default PREFIX declarations). They do not change the
 * data and queries through trine_query_prepare() do not see them.
 * @{ */

/**
 * Save (or replace) the prefix name for iri, in its own write transaction;
 * iri NULL removes it. name is a SPARQL prefix name without ':' ("" is the
 * default prefix); iri must be absolute.
 * @return TRINE_OK, TRINE_NOT_FOUND (removing a prefix not saved),
 *         TRINE_ERR_ARG (bad name or IRI), TRINE_ERR_READONLY, ...
 */
TRINE_API TrineStatus trine_store_set_prefix(TrineStore *store, const char *name,
                                             const char *iri);

/// Called once per saved prefix (NUL-terminated, borrowed); non-zero stops.
typedef int (*TrinePrefixFn)(void *ctx, const char *name, const char *iri);

/// Visit the saved prefixes in name order, from a fresh snapshot.
TRINE_API TrineStatus trine_store_prefixes(TrineStore *store, TrinePrefixFn fn,
                                           void *ctx);

/**
 * The prefixed name ("name:local") of iri[0..len), as the TABLE format shows
 * it: the longest namespace of prefixes (npairs name, IRI pairs) whose rest
 * is a local name that needs no escape. Written to buf, NUL-terminated when
 * size > 0 (cut when too small, as snprintf; buf may be NULL when size is 0).
 * @return the length of the prefixed name, or 0 when no prefix applies
 *         (or iri or prefixes is NULL).
 */
TRINE_API size_t trine_iri_shorten(const char *iri, size_t len,
                                   const char *const *prefixes, size_t npairs,
                                   char *buf, size_t size);
/** @} */

/** @defgroup query Queries (SPARQL 1.1)
 * The SQLite pattern: prepare, step through rows, read terms, free.
 * @{ */

typedef struct TrineQueryImpl TrineQuery;

/// What a prepared request is.
typedef enum {
  TRINE_QUERY_SELECT = 1,
  TRINE_QUERY_ASK,
  TRINE_QUERY_CONSTRUCT, ///< rows are triples: columns s, p, o
  TRINE_QUERY_DESCRIBE,  ///< rows are triples: columns s, p, o
  TRINE_QUERY_UPDATE     ///< runs in one write transaction at the first step
} TrineQueryForm;

/**
 * What a request may do besides reading the store (TrineQueryOptions.allow).
 * A program that runs request text from elsewhere (a user, a network)
 * allows nothing, so that text cannot write, read files or call out.
 */
enum {
  TRINE_ALLOW_UPDATE = 1u << 0,     ///< SPARQL Update: write to the store.
  TRINE_ALLOW_LOAD_FILES = 1u << 1, ///< LOAD <file:...>: read local files (with UPDATE).
  TRINE_ALLOW_SERVICE = 1u << 2     ///< SERVICE: query other endpoints over the network.
};

/// What a running request is doing, for a TrineQueryProgressFn.
typedef enum {
  TRINE_QUERY_MATCHING = 0, ///< Evaluating patterns (a query, an update's WHERE).
  TRINE_QUERY_DELETING,     ///< An update removing quads: done of todo.
  TRINE_QUERY_INSERTING,    ///< An update adding quads: done of todo.
  TRINE_QUERY_LOADING       ///< LOAD reading a file: done of todo bytes (todo 0: unknown).
} TrineQueryPhase;

/// A running request's progress.
typedef struct {
  TrineQueryPhase phase;
  uint64_t done, todo; ///< In the phase's unit (0 and 0 while matching).
  uint64_t inserted;   ///< Quads an update has added so far.
  uint64_t deleted;    ///< Quads an update has removed so far.
  uint64_t elapsed_ms; ///< Since the first step.
} TrineQueryProgress;

/**
 * Progress callback of a long request, called from the thread stepping it
 * about every TrineQueryOptions.progress_ms of work (never for a request
 * that ends sooner). Return non-zero to cancel it, as trine_query_cancel()
 * does.
 */
typedef int (*TrineQueryProgressFn)(void *ctx, const TrineQueryProgress *progress);

/// Options for trine_query_prepare(); a zeroed struct gives the defaults.
typedef struct {
  const char *name;       ///< Source name in error messages (default "query").
  const char *base_iri;   ///< Base IRI for relative IRIs (default none).
  unsigned timeout_ms;    ///< Stop with TRINE_ERR_CANCELLED this long after the first
                          ///< step, time between steps included (0: never).
  size_t memory_limit;    ///< Bytes for sorting/grouping/joins (0: 1 GiB).
  bool profile;           ///< Record the executed plan for trine_query_explain().
  TrineErrorSink sink;    ///< Receives syntax and evaluation errors.
  void *sink_ctx;
  /** Run in this transaction of the store (NULL: the request's own): a
   * query sees the transaction's writes, an update (which needs a write
   * transaction) writes into it and the caller commits. An update that
   * fails there leaves the transaction to be rolled back: its commit
   * aborts it and returns the update's status. The transaction must
   * outlive the query's run (until TRINE_DONE, an error, reset or free).
   * In a write transaction a query's rows are all made at its first step
   * (the program may write between steps); in a read one they stream. */
  TrineTxn *txn;
  /** TRINE_ALLOW_* bits (0: the request may only read the store): a
   * request that writes, loads a file or calls SERVICE without its bit is
   * refused by trine_query_prepare() with TRINE_ERR_DENIED. */
  unsigned allow;
  TrineQueryProgressFn progress; ///< Optional, see TrineQueryProgressFn.
  void *progress_ctx;
  unsigned progress_ms;          ///< Time between progress calls (0: 250 ms).
  /** The endpoints SERVICE may call (with TRINE_ALLOW_SERVICE): an
   * endpoint IRI must begin with one of these prefixes, the prefix ending
   * where the IRI does or before a '/', '?' or '#' of it. None (the
   * default): no endpoint, so request text cannot make the program call
   * out. Copied by trine_query_prepare(). */
  const char *const *service_allow;
  size_t nservice_allow;
  unsigned service_timeout_ms;   ///< Each request to an endpoint (0: 30 s; connecting: 10 s at most).
  size_t service_max_bytes;      ///< Cap on an endpoint's response (0: 64 MiB).
} TrineQueryOptions;

/**
 * Parse, check and plan a SPARQL 1.1 query or update request.
 * A query reads from a snapshot taken at the first trine_query_step() and
 * let go when a step returns TRINE_DONE or an error (or at reset or free).
 * store may be NULL to only check a request and trine_query_explain() it
 * (errors then reach opts->sink only; stepping gives TRINE_ERR_ARG).
 * @param[out] out free with trine_query_free().
 * @return TRINE_OK, TRINE_ERR_SYNTAX (position via the sink or
 *         trine_store_errmsg()), TRINE_ERR_UNSUPPORTED, TRINE_ERR_NOMEM.
 */
TRINE_API TrineStatus trine_query_prepare(TrineStore *store, const char *text,
                                          size_t len,
                                          const TrineQueryOptions *opts,
                                          TrineQuery **out);

/// The form of the request.
TRINE_API TrineQueryForm trine_query_form(const TrineQuery *q);

/**
 * The prefixes the request declares (PREFIX), as name, IRI pairs for
 * TrineWriteOptions.prefixes: names without ':', IRIs resolved against
 * BASE, in the order written (a name declared twice: its last IRI).
 * @param[out] pairs borrowed until trine_query_free(q); NULL when none.
 * @return the number of pairs (0 for a NULL q).
 */
TRINE_API size_t trine_query_prefixes(const TrineQuery *q, const char *const **pairs);

/// Number of result columns (SELECT: projected variables; ASK: 1;
/// CONSTRUCT/DESCRIBE: 3; UPDATE: 0).
TRINE_API size_t trine_query_columns(const TrineQuery *q);

/// The column named name ("x", "?x" or "$x"), or -1 (also for NULL q).
TRINE_API long trine_query_column_index(const TrineQuery *q, const char *name);

/// Name of column i without '?' (ASK: "boolean"; graphs: "s", "p", "o").
TRINE_API const char *trine_query_column_name(const TrineQuery *q, size_t i);

/**
 * Compute the next row: TRINE_ROW, TRINE_DONE, or an error
 * (TRINE_ERR_CANCELLED after trine_query_cancel() or the timeout).
 * ASK gives one row whose column 0 is "true" or "false" as xsd:boolean.
 *
 * Rows are made as they are asked for where the query allows: a SELECT
 * whose pattern is a group of triple patterns (paths after the first),
 * with FILTERs, under GRAPH, projection, BIND, UNION, OPTIONAL (of a group
 * of patterns), DISTINCT (a row goes out when first seen), OFFSET and
 * LIMIT (which stop the work), gives its first row once the first 64
 * matches of the pattern its plan starts with are joined with the rest
 * (all of them when it expects at most 1,024 and the group at most 4,096
 * rows), and holds a batch of rows (at most 128 Ki of that pattern's matches and
 * what they join to), not the whole result; ORDER
 * BY, GROUP BY, MINUS, VALUES and the other forms make every row at the
 * first step (within the memory limit). Either way the rows come from the first step's snapshot.
 * When a step returns TRINE_DONE or an error the run's snapshot,
 * transaction and memory are let go; later steps return TRINE_DONE until
 * trine_query_reset().
 */
TRINE_API TrineStatus trine_query_step(TrineQuery *q);

/**
 * Term in column i of the current row, or NULL when unbound (and after
 * TRINE_DONE). Valid until the next step, reset or free of q: copy what
 * must outlive the row.
 */
TRINE_API const TrineTerm *trine_query_term(TrineQuery *q, size_t i);

/**
 * Bind variable name ("x", "?x" or "$x") of a prepared request to value,
 * or unbind it (value NULL), before the first step or after a reset: a
 * request prepared once runs many times with new values, never re-parsed,
 * and a value can never change the request's text (no injection). The
 * variable takes the value everywhere it appears, as if substituted into
 * the request (SPARQL 1.1 18.6 substitution, as for EXISTS): in patterns,
 * FILTERs, GRAPH, projections, sub-queries and the templates of updates.
 * The value is checked as trine_txn_add() checks terms and copied.
 * @return TRINE_OK, TRINE_ERR_ARG (no such variable, a bad value, a run
 *         under way), TRINE_ERR_NOMEM.
 */
TRINE_API TrineStatus trine_query_bind(TrineQuery *q, const char *name,
                                       const TrineTerm *value);

/// Unbind every variable bound with trine_query_bind() (same rules).
TRINE_API TrineStatus trine_query_clear_bindings(TrineQuery *q);

/// Start again from the first row (a new snapshot); lets the current
/// run's snapshot go if it has not ended.
TRINE_API TrineStatus trine_query_reset(TrineQuery *q);

/**
 * Write the request's SPARQL algebra as an S-expression and, when prepared
 * on a store, how each triple pattern will be read: the index, its prefix
 * and the rows the statistics expect. After a run of a query prepared with
 * TrineQueryOptions.profile, also the executed plan: each operator and join
 * step in the order run, with how it read (probe, scan + hash or merge
 * join), estimated and actual rows, and time taken in ms (an operator's
 * includes the steps under it). After a run that failed (an error, the
 * timeout, the memory limit, trine_query_cancel()), the executed plan
 * holds the steps run until then: the failing ones with 0 rows.
 * @return TRINE_OK, TRINE_ERR_IO, or a store error.
 */
TRINE_API TrineStatus trine_query_explain(TrineQuery *q, FILE *out);

/**
 * What an update request did, once it ran and committed (its first
 * trine_query_step() gave TRINE_DONE): the quads it added to the store and
 * those it removed, over all its operations. Only real changes count:
 * adding a quad already there, or removing one that is not, counts in
 * neither; a quad removed by one operation and added back by a later one
 * counts in both. The counts stay until trine_query_reset() or free. An
 * update run in the caller's transaction (TrineQueryOptions.txn) has them
 * once it ran there: what it wrote into that transaction, which the
 * caller's commit keeps and its abort drops.
 * @param[out] inserted, deleted the counts (0 when the call fails).
 * @return TRINE_OK, or TRINE_ERR_ARG when q is not an update or has not
 *         run to its commit (not yet run, failed, cancelled), or q,
 *         inserted or deleted is NULL.
 */
TRINE_API TrineStatus trine_query_changes(const TrineQuery *q, uint64_t *inserted,
                                          uint64_t *deleted);

/// Ask a running step to stop soon (any thread; async-signal-safe); a query
/// whose rows stream stops at its next step.
TRINE_API void trine_query_cancel(TrineQuery *q);

/// Result formats of trine_query_write().
typedef enum {
  TRINE_RESULTS_TABLE = 1, ///< aligned text table for terminals
  TRINE_RESULTS_TSV,       ///< SPARQL 1.1 Query Results TSV
  TRINE_RESULTS_CSV,       ///< SPARQL 1.1 Query Results CSV
  TRINE_RESULTS_JSON,      ///< SPARQL 1.1 Query Results JSON
  TRINE_RESULTS_XML,       ///< SPARQL Query Results XML
  TRINE_RESULTS_NTRIPLES,  ///< N-Triples (CONSTRUCT and DESCRIBE)
  TRINE_RESULTS_LINE,      ///< for wide rows on terminals: each row a record
                           ///< "-[ RECORD n ]-" (a blank line without headers),
                           ///< then "?var = value" per column, never cut
  TRINE_RESULTS_TURTLE     ///< Turtle (CONSTRUCT and DESCRIBE), with @prefix
                           ///< lines for the options' prefixes
} TrineResultFormat;

/// Options for trine_query_write(); a zeroed struct gives the defaults.
typedef struct {
  const char *const *prefixes; ///< TABLE/LINE/TURTLE: name, IRI pairs used to
                               ///< shorten IRIs (TURTLE declares them first)
  size_t nprefixes;            ///< number of pairs
  unsigned width;              ///< TABLE: total width to fit (0: no limit)
  uint64_t max_rows;           ///< rows written at most (0: all)
  bool headers;                ///< TABLE/CSV/TSV: the header line; LINE: record lines
} TrineWriteOptions;

/**
 * The number of terminal columns UTF-8 text takes, as the TABLE format
 * counts them: East Asian Wide and Fullwidth characters (CJK, kana, Hangul,
 * most emoji) 2, combining marks, format characters (U+200D) and controls
 * 0, others 1; a byte that is not valid UTF-8 counts 1. The table of
 * Unicode 14 is built in: the answer is the same in every locale. NULL
 * text is 0 columns.
 */
TRINE_API size_t trine_text_width(const char *text, size_t len);

/**
 * Step q to its end and write every row in format. CONSTRUCT and DESCRIBE
 * are written as Turtle in TURTLE, else as N-Triples whatever the format
 * (TABLE and LINE show them as rows of s, p, o). Turtle is streamed: a
 * triple is grouped with the one before it when they share the subject
 * (";") or subject and predicate (","); blank nodes keep their labels.
 * TURTLE and NTRIPLES refuse other forms (TRINE_ERR_ARG). TABLE and LINE show an ASK result as a table headed ASK.
 * JSON and XML write ASK in their boolean forms; the CSV/TSV note defines
 * SELECT results only, so CSV and TSV write Jena's form, which its readers
 * take back: a header _askResult (TSV: ?_askResult), then true or false.
 * @param[out] rows may be NULL: rows written.
 * @return TRINE_OK or the error of a step or of writing (TRINE_ERR_IO).
 */
TRINE_API TrineStatus trine_query_write(TrineQuery *q, TrineResultFormat format,
                                        const TrineWriteOptions *opts, FILE *out,
                                        uint64_t *rows);

/// Free a query. Accepts NULL.
TRINE_API void trine_query_free(TrineQuery *q);
/** @} */

/// The library version, "MAJOR.MINOR.PATCH".
TRINE_API const char *trine_version(void);

#ifdef __cplusplus
}
#endif
#endif /* TRINE_H */
