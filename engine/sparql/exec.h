/*
 * exec.h -- evaluating SPARQL algebra over the indexes.
 *
 * Operators exchange tables of rows; a row is one id per variable of the
 * request (0 = unbound). Basic graph patterns and paths extend the rows
 * they are given (index nested-loop joins, patterns ordered by the
 * statistics, filters applied as soon as their variables are bound); other
 * operators join materialized tables by hashing on their shared variables.
 * Memory for tables is counted against a limit; cancellation and timeouts
 * are checked as rows are produced.
 */
#ifndef TRINE_EXEC_H
#define TRINE_EXEC_H

#include "expr.h"

#include <signal.h>
#include <time.h>

typedef struct {
  TrineId *rows; /* n rows of width ids */
  size_t n, cap, width;
  size_t bytes;  /* the size rows was allocated with (the pool files it so) */
} Table;

/// One line of the executed plan: an operator or a join-group step.
typedef struct {
  const void *site;  ///< the algebra node or triple pattern it stands for
  int depth;
  char *label;       ///< e.g. "probe GPOS ?x <p> <o>"
  double est;        ///< rows the statistics expected (-1: no estimate)
  uint64_t rows;     ///< rows it produced, over all its calls
  uint64_t calls;
  double ms;         ///< time spent in it, children included
} ProfEntry;

typedef struct {
  TrineTxn *txn;
  struct Pool *pool; /* the store's row buffers (outlives txn: tables may) */
  QDict *dict;
  ExprCtx ex;
  const SparqlRequest *req;
  size_t width;
  /* dataset: the default graph is the merge of dflt (usually {0}) */
  TrineId *dflt, *named;
  size_t ndflt, nnamed;
  bool named_all;           /* no FROM NAMED: every named graph */
  /* limits */
  volatile sig_atomic_t *cancel;
  struct timespec deadline; /* tv_sec 0: none */
  unsigned timeout_ms;      /* what the deadline is after the start (messages) */
  size_t mem_limit, mem_used;
  uint64_t ticks;
  /* what an update changed: quads added to and removed from the store */
  uint64_t inserted, deleted;
  /* the caller's progress callback (NULL: none), what it is told and when
   * it was last told (exec_check_limits()) */
  TrineQueryProgressFn progress;
  void *progress_ctx;
  unsigned progress_ms;
  TrineQueryProgress said;
  struct timespec started, told;
  /* the graph patterns are being matched in (for EXISTS in filters) */
  bool in_graph;
  TrineId graph;
  void *memo;   /* closures computed so far (exec.c) */
  void *exists; /* EXISTS patterns evaluated on their own so far (exec.c) */
  void *scans;  /* cursors kept by exec_scan() (exec.c) */
  bool scans_busy;
  struct IndexProbe *probes[3]; /* kept by exec_probe(), per G-first index */
  bool probes_busy;
  size_t want;      /* rows a LIMIT above the next join group needs (0: all) */
  size_t top;       /* rows a LIMIT above the next ORDER BY or DISTINCT needs (0: all) */
  /* the consumer (GROUP, DISTINCT, ORDER BY) the next join group hands
   * its last step's rows to as it makes them (NULL: none; exec_int.h) */
  struct Sink *sink;
  struct Sink *draining; /* the one whose table is being made now */
  /* an EXISTS row substituted into its pattern: every join group inside
   * starts from it instead of from the empty row (NULL: none) */
  const TrineId *subst;
  /* statistics, counts and constants' ids the planner read so far
   * (exec_int.h; made on first use, NULL: none yet) */
  struct PlanCache *plan;
  uint64_t next_seq; /* terms in the store (dict_next_seq()), 0 until read */
  size_t emit_cap;  /* rows the step being run may make (0: no cap) */
  /* what SERVICE may call (service.h; NULL: nothing) */
  const struct ServiceConfig *service;
  /* the executed plan, when profile is set */
  bool profile;
  ProfEntry *prof;
  size_t nprof, capprof;
  int depth;
} Exec;

/// Set up an executor for req over txn (dataset from FROM / FROM NAMED).
TrineStatus exec_init(Exec *x, TrineTxn *txn, QDict *dict, const SparqlRequest *req);
void exec_free(Exec *x);
/// Print the access paths of x's request (`.explain`): per triple pattern,
/// the index a scan reads and the rows the planner expects before any
/// variable is bound.
TrineStatus exec_print_access(Exec *x, FILE *out);

/// Evaluate op in the default graph (or the dataset's) into out.
TrineStatus exec_eval(Exec *x, const SparqlOp *op, Table *out);

/// Override the dataset (updates' USING / WITH): graphs as store ids.
void exec_set_dataset(Exec *x, TrineId *dflt, size_t ndflt, TrineId *named, size_t nnamed,
                      bool named_all);

/// Free a table's rows (big ones go back to the store's pool).
void exec_table_free(Exec *x, Table *t);

/// Write the executed plan (x->profile was set): one line per operator and
/// join step, with estimated and actual rows.
void exec_profile_print(const Exec *x, FILE *out);

/**
 * A resumable evaluation: the rows of an operator made a batch at a time as
 * they are asked for, not all at once. Join groups of triple patterns (and
 * paths after the first pattern), with their filters, stream: the
 * pattern they start with is scanned a chunk at a time and each chunk is
 * joined with the rest; so do GRAPH over such a group, projections, BINDs,
 * FILTER, UNION, OPTIONAL of a group (a bind join per batch), DISTINCT
 * (rows kept as first seen) and OFFSET/LIMIT (which stop early). Its cursors stay open between batches: x's
 * transaction must not change until exec_stream_free().
 */
typedef struct Stream Stream;

/// A stream of op's rows (*out NULL: op has an operator that cannot
/// stream, evaluate it with exec_eval()). x->profile must be off.
TrineStatus exec_stream_open(Exec *x, const SparqlOp *op, Stream **out);

/// The next batch of rows (at least one) in *rows, valid until the next
/// call or exec_stream_free(); TRINE_DONE when there are no more.
TrineStatus exec_stream_next(Exec *x, Stream *s, const Table **rows);

/// Close s and its cursors (NULL: nothing).
void exec_stream_free(Exec *x, Stream *s);

/// Forget remembered path closures (after the store changed, in updates).
void exec_memo_free(Exec *x);

#endif
