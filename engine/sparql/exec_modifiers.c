/*
 * exec_modifiers.c -- the solution modifiers: ORDER BY, projection,
 * DISTINCT and REDUCED, OFFSET and LIMIT (which tell the join group below
 * how many rows it needs).
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

/* Keep the first of equal rows (in place). A slot holds a row's index and
 * 32 bits of its hash: most slots that are not the row are told apart
 * without reading it. */
TrineStatus exec_distinct(Exec *x, Table *t) {
  if (t->n >= UINT32_MAX) return exec_fail(x, TRINE_ERR_FULL, "too many rows for DISTINCT");
  size_t nb = 16;
  while (nb < t->n * 2) nb <<= 1;
  size_t got; /* from the pool, as tables: a big set reuses pages already faulted in */
  uint64_t *slots = pool_get(x->pool, nb * sizeof *slots, &got); /* tag << 32 | row + 1; 0: empty */
  if (!slots) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  memset(slots, 0, nb * sizeof *slots);
  size_t k = 0, w = t->width;
  for (size_t i = 0; i < t->n; ++i) {
    TrineId *r = exec_row(t, i);
    uint64_t h = exec_hash_ids(r, w), tag = h >> 32 << 32;
    size_t s = (size_t)h & (nb - 1);
    bool dup = false;
    for (; slots[s]; s = (s + 1) & (nb - 1))
      if ((slots[s] & ~UINT64_C(0xffffffff)) == tag &&
          same_row(exec_row(t, (slots[s] & 0xffffffff) - 1), r, w)) {
        dup = true;
        break;
      }
    if (dup) continue;
    if (k != i) memcpy(exec_row(t, k), r, w * sizeof *r);
    slots[s] = tag | ++k;
  }
  t->n = k;
  pool_put(x->pool, slots, got);
  return TRINE_OK;
}

/* Under a SLICE, does every row of this chain reach the output? Then its
 * join group may stop after offset + limit rows. */
static bool limit_safe(const SparqlOp *op) {
  while (op->kind == SPARQL_OP_PROJECT || op->kind == SPARQL_OP_EXTEND) op = op->a;
  return op->kind == SPARQL_OP_BGP || op->kind == SPARQL_OP_JOIN ||
         op->kind == SPARQL_OP_PATH || op->kind == SPARQL_OP_FILTER;
}

TrineStatus exec_slice(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  if (op->limit >= 0 && limit_safe(op->a))
    x->want = (size_t)op->limit + (op->offset > 0 ? (size_t)op->offset : 0);
  TrineStatus st = exec_op(x, op->a, gc, out);
  x->want = 0;
  if (st) return st;
  size_t off = op->offset > 0 ? (size_t)op->offset : 0;
  if (off > out->n) off = out->n;
  size_t n = out->n - off;
  if (op->limit >= 0 && (size_t)op->limit < n) n = (size_t)op->limit;
  if (off) memmove(out->rows, exec_row(out, off), n * out->width * sizeof(TrineId));
  out->n = n;
  return TRINE_OK;
}
