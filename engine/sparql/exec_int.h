/*
 * exec_int.h -- what the executor's modules share: the graph a pattern is
 * matched in, quad scans, rows and tables. Private to exec.c and path.c.
 */
#ifndef TRINE_EXEC_INT_H
#define TRINE_EXEC_INT_H

#include "exec.h"
#include "index.h"

/// Where patterns are matched: the dataset's default graph, or one graph.
typedef struct {
  bool one; ///< true: graph g only
  TrineId g;
} GCtx;

/// Called for each quad a scan finds; a non-OK status stops the scan.
typedef TrineStatus (*QuadFn)(Exec *x, const Quad *q, void *ctx);

/// Record an error on the store and return st.
TrineStatus exec_fail(Exec *x, TrineStatus st, const char *msg);

/**
 * The store id of a constant of the request (TRINE_NOT_FOUND: the store
 * lacks it), remembered by the term's address for the query's life: join
 * groups and paths are evaluated again for every row of OPTIONAL, EXISTS
 * or a closure walk.
 */
TrineStatus exec_const_id(Exec *x, const TrineTerm *term, TrineId *id);

/// TRINE_ERR_CANCELLED when the query was cancelled or timed out.
TrineStatus exec_check_limits(Exec *x);

/// Every quad matching q (bound positions in mask) in the graphs of gc.
TrineStatus exec_scan(Exec *x, Quad q, unsigned mask, GCtx gc, QuadFn fn, void *ctx);

/// Called with the subject and object of each match of exec_probe().
typedef TrineStatus (*PairFn)(Exec *x, void *ctx, TrineId s, TrineId o);

/**
 * The matches of q in its one graph (g, p and one more position bound in
 * mask) read in place: fn gets each match's subject and object. The probe
 * is kept for the evaluation, so a path's walk stays on its pages.
 */
TrineStatus exec_probe(Exec *x, const Quad *q, unsigned mask, PairFn fn, void *ctx);

/// A growing list of quads.
typedef struct {
  Quad *q;
  size_t n, cap;
} Quads;

/// Append q to qs.
TrineStatus exec_quads_push(Exec *x, Quads *qs, const Quad *q);

static inline void exec_table_init(Table *t, size_t width) { *t = (Table){.width = width}; }

static inline TrineId *exec_row(const Table *t, size_t i) { return t->rows + i * t->width; }

/// Append a row (counted against the memory limit).
TrineStatus exec_table_push(Exec *x, Table *t, const TrineId *row);

/// Make room for more rows: exec_row(t, t->n + more - 1) may then be written.
TrineStatus exec_table_reserve(Exec *x, Table *t, size_t more);

/// Make room for one more row: exec_row(t, t->n) may then be written.
static inline TrineStatus exec_table_room(Exec *x, Table *t) {
  return t->n < t->cap ? TRINE_OK : exec_table_reserve(x, t, 1);
}

/// Count the row written at exec_row(t, t->n) after exec_table_room().
static inline TrineStatus exec_table_added(Exec *x, Table *t) {
  return (++t->n & 255) == 0 ? exec_check_limits(x) : TRINE_OK;
}

/**
 * Begin a row at the end of out as a copy of row, to extend in place (a
 * join's output row is made where it will stay). NULL with *st set when
 * out is full (TRINE_DONE: the step's row cap) or on an error.
 */
static inline TrineId *exec_row_begin(Exec *x, Table *out, const TrineId *row,
                                      TrineStatus *st) {
  *st = x->emit_cap && out->n >= x->emit_cap ? TRINE_DONE : exec_table_room(x, out);
  if (*st) return NULL;
  TrineId *dst = exec_row(out, out->n);
  for (size_t i = 0; i < out->width; ++i) dst[i] = row[i];
  return dst;
}

/// Keep the row begun at the end of out if it passes the filters.
static inline TrineStatus exec_row_keep(Exec *x, Table *out, SparqlExpr *const *filters,
                                        size_t nfilters) {
  if (nfilters) {
    bool pass;
    TrineStatus st = expr_filter(&x->ex, filters, nfilters, exec_row(out, out->n), &pass);
    if (st || !pass) return st;
  }
  return exec_table_added(x, out);
}

/// Free a table and give its memory back to the query's budget.
void exec_table_release(Exec *x, Table *t);

/// Append row to out if it passes every filter.
TrineStatus exec_emit(Exec *x, Table *out, const TrineId *row, SparqlExpr *const *filters,
                      size_t nfilters);

/// Whether variable v (< 64) is in the set.
static inline bool exec_bit(const uint64_t *set, uint32_t v) {
  return v < 64 && (set[0] >> v & 1);
}

/* ---- property paths (path.c) ---- */

/// Extend the rows of in with a PATH operator's matches.
/**
 * The rows of a table by the values of some of their variables (bound in
 * every row): the build side of a hash join whose other side streams past
 * it. find/next walk the rows whose key equals vals (one id per key
 * variable, in ascending variable order); SIZE_MAX ends. Its memory
 * counts against the query's limit until rowhash_free().
 */
typedef struct {
  const Table *t;
  uint32_t key[8];
  size_t nkey;
  size_t *head, *next, mask;
  size_t bytes; /* counted against the query's memory limit */
} RowHash;

TrineStatus rowhash_init(Exec *x, RowHash *h, const Table *t, uint64_t keys);
size_t rowhash_find(const RowHash *h, const TrineId *vals);
size_t rowhash_next(const RowHash *h, size_t row, const TrineId *vals);
void rowhash_free(Exec *x, RowHash *h);

/**
 * Join the rows of in with every pair of op's path, both ends free, on
 * the end whose variable key (bound in every row of in) names: the pairs
 * stream past a hash of the rows.
 */
TrineStatus path_hash_join(Exec *x, const SparqlOp *op, GCtx gc, const Table *in, uint32_t key,
                           SparqlExpr *const *filters, size_t nfilters, Table *out);

TrineStatus path_extend(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                        SparqlExpr *const *filters, size_t nfilters, Table *out);

#endif
