/*
 * exec_modifiers.c -- the solution modifiers: ORDER BY, projection,
 * DISTINCT and REDUCED, OFFSET and LIMIT (which tell the join group or
 * the DISTINCT below how many rows they need). DISTINCT takes its rows
 * from a sink (exec_op_sink()).
 */
#include "exec_int.h"

#include "pool.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  Exec *x;
  const SparqlOp *op;
  TrineId *keys; /* n rows * nkeys */
  const Table *t;
} SortCtx;

/* qsort_r (glibc, _GNU_SOURCE): no global state, so queries in several
 * threads can sort at once. */
static int cmp_rows(const void *pa, const void *pb, void *arg) {
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  SortCtx *c = arg;
  size_t nk = c->op->nkeys;
  for (size_t k = 0; k < nk; ++k) {
    int r = expr_order(&c->x->ex, c->keys[a * nk + k], c->keys[b * nk + k]);
    if (r) return c->op->keys[k].descending ? -r : r;
  }
  return a < b ? -1 : a > b; /* stable */
}

TrineStatus exec_orderby(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table in;
  TrineStatus st = exec_op(x, op->a, gc, &in);
  if (st) return st;
  size_t nk = op->nkeys;
  TrineId *keys = malloc((in.n * nk + 1) * sizeof *keys);
  size_t *idx = malloc((in.n + 1) * sizeof *idx);
  if (!keys || !idx) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < in.n && !st; ++i) {
    idx[i] = i;
    for (size_t k = 0; k < nk && !st; ++k)
      st = expr_eval(&x->ex, op->keys[k].expr, exec_row(&in, i), &keys[i * nk + k]);
  }
  if (!st) {
    SortCtx c = {x, op, keys, &in};
    qsort_r(idx, in.n, sizeof *idx, cmp_rows, &c);
    exec_table_init(out, x->width);
    for (size_t i = 0; i < in.n && !st; ++i) st = exec_table_push(x, out, exec_row(&in, idx[i]));
  }
  free(keys);
  free(idx);
  exec_table_release(x, &in);
  return st;
}

/* Unbind, in every row of t, the variables op leaves out. */
TrineStatus exec_project_rows(Exec *x, const SparqlOp *op, Table *t) {
  bool *keep = calloc(x->width + 1, sizeof *keep);
  uint32_t *drop = malloc((x->width + 1) * sizeof *drop);
  if (!keep || !drop) {
    free(keep);
    free(drop);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < op->nvars; ++i) keep[op->vars[i]] = true;
  size_t nd = 0;
  for (size_t v = 0; v < x->width; ++v)
    if (!keep[v]) drop[nd++] = (uint32_t)v;
  for (size_t i = 0; i < t->n && nd; ++i) {
    TrineId *r = exec_row(t, i);
    for (size_t d = 0; d < nd; ++d) r[drop[d]] = 0;
  }
  free(keep);
  free(drop);
  return TRINE_OK;
}

TrineStatus exec_project(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  TrineStatus st = exec_op(x, op->a, gc, out);
  return st ? st : exec_project_rows(x, op, out);
}

static bool same_row(const TrineId *a, const TrineId *b, size_t w) {
  for (size_t i = 0; i < w; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/* DISTINCT and REDUCED keep the first of equal rows as they come. A slot
 * holds a kept row's index and 32 bits of its hash: most slots that are
 * not the row are told apart without reading it. */
typedef struct {
  Sink sink;
  size_t cap;      /* rows needed (0: all): a LIMIT above stops it there */
  Table *out;      /* the rows kept */
  uint64_t *slots; /* tag << 32 | row + 1; 0: empty */
  size_t nb, got;  /* slots (counted against the memory limit); their bytes */
} Dedup;

static uint64_t *dedup_slot(const Dedup *d, const TrineId *r, uint64_t *tag, bool *dup) {
  uint64_t h = exec_hash_ids(r, d->out->width);
  size_t s = (size_t)h & (d->nb - 1);
  *tag = h >> 32 << 32;
  *dup = false;
  for (; d->slots[s]; s = (s + 1) & (d->nb - 1))
    if ((d->slots[s] & ~UINT64_C(0xffffffff)) == *tag &&
        same_row(exec_row(d->out, (d->slots[s] & 0xffffffff) - 1), r, d->out->width)) {
      *dup = true;
      break;
    }
  return &d->slots[s];
}

/* Twice the slots, the rows kept placed again. From the pool, as tables:
 * a big set reuses pages already faulted in. */
static TrineStatus dedup_grow(Exec *x, Dedup *d) {
  size_t nb = d->nb ? d->nb * 2 : 64, got;
  TrineStatus st = exec_mem_take(x, nb * sizeof *d->slots);
  if (st) return st;
  uint64_t *slots = pool_get(x->pool, nb * sizeof *slots, &got);
  if (!slots) {
    exec_mem_give(x, nb * sizeof *slots);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  memset(slots, 0, nb * sizeof *slots);
  pool_put(x->pool, d->slots, d->got);
  exec_mem_give(x, d->nb * sizeof *d->slots);
  d->slots = slots;
  d->nb = nb;
  d->got = got;
  for (size_t j = 0; j < d->out->n; ++j) {
    uint64_t tag = 0;
    bool dup;
    uint64_t *slot = dedup_slot(d, exec_row(d->out, j), &tag, &dup);
    *slot = tag | (j + 1);
  }
  return TRINE_OK;
}

static TrineStatus dedup_take(Exec *x, Sink *sink, Table *t) {
  Dedup *d = (Dedup *)sink;
  TrineStatus st = TRINE_OK;
  for (size_t i = 0; i < t->n && !st; ++i) {
    if (d->cap && d->out->n >= d->cap) return TRINE_DONE;
    if (d->out->n >= UINT32_MAX - 1) return exec_fail(x, TRINE_ERR_FULL, "too many rows for DISTINCT");
    if ((d->out->n + 1) * 2 > d->nb && (st = dedup_grow(x, d))) break;
    const TrineId *r = exec_row(t, i);
    if (i && same_row(r, exec_row(t, i - 1), t->width)) continue; /* joins repeat rows in runs */
    uint64_t tag = 0;
    bool dup;
    uint64_t *slot = dedup_slot(d, r, &tag, &dup);
    if (dup) continue;
    *slot = tag | (d->out->n + 1);
    st = exec_table_push(x, d->out, r);
  }
  return !st && d->cap && d->out->n >= d->cap ? TRINE_DONE : st;
}

TrineStatus exec_distinct(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Dedup d = {.sink = {dedup_take, NULL, 0}, .cap = x->top, .out = out};
  x->top = 0;
  exec_table_init(out, x->width);
  TrineStatus st = exec_op_sink(x, op->a, gc, &d.sink);
  pool_put(x->pool, d.slots, d.got);
  exec_mem_give(x, d.nb * sizeof *d.slots);
  if (st) exec_table_release(x, out);
  return st;
}

/* Under a SLICE, does every row of this chain reach the output? Then its
 * join group may stop after offset + limit rows. */
static bool limit_safe(const SparqlOp *op) {
  while (op->kind == SPARQL_OP_PROJECT || op->kind == SPARQL_OP_EXTEND) op = op->a;
  return op->kind == SPARQL_OP_BGP || op->kind == SPARQL_OP_JOIN ||
         op->kind == SPARQL_OP_PATH || op->kind == SPARQL_OP_FILTER;
}

/* ... or is it a DISTINCT, which then stops after offset + limit rows? */
static bool top_safe(const SparqlOp *op) {
  while (op->kind == SPARQL_OP_PROJECT || op->kind == SPARQL_OP_EXTEND) op = op->a;
  return op->kind == SPARQL_OP_DISTINCT || op->kind == SPARQL_OP_REDUCED;
}

TrineStatus exec_slice(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  size_t need = (size_t)op->limit + (op->offset > 0 ? (size_t)op->offset : 0);
  if (op->limit >= 0 && limit_safe(op->a)) x->want = need;
  else if (op->limit >= 0 && top_safe(op->a)) x->top = need;
  TrineStatus st = exec_op(x, op->a, gc, out);
  x->want = x->top = 0;
  if (st) return st;
  size_t off = op->offset > 0 ? (size_t)op->offset : 0;
  if (off > out->n) off = out->n;
  size_t n = out->n - off;
  if (op->limit >= 0 && (size_t)op->limit < n) n = (size_t)op->limit;
  if (off) memmove(out->rows, exec_row(out, off), n * out->width * sizeof(TrineId));
  out->n = n;
  return TRINE_OK;
}
