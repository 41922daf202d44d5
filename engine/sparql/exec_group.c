/*
 * exec_group.c -- GROUP BY: rows hashed on their key values, aggregates
 * stepped per group.
 */
#include "exec_int.h"

#include <stdlib.h>
#include <string.h>

/* GROUP: rows grouped on the key values; aggregates per group. */
typedef struct {
  TrineId *key;
  AggState **aggs;
  TrineId *first; /* a row of the group (for key variables) */
} Group;

TrineStatus exec_group(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table in;
  TrineStatus st = exec_op(x, op->a, gc, &in);
  if (st) return st;
  size_t nk = op->nbinds, na = op->naggs;
  size_t cap = 16, ng = 0;
  Group *groups = calloc(cap, sizeof *groups);
  size_t nb = 64;
  while (nb < in.n * 2) nb <<= 1;
  size_t *slots = malloc(nb * sizeof *slots);
  TrineId *key = calloc(nk + 1, sizeof *key);
  if (!groups || !slots || !key) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < nb && !st; ++i) slots[i] = SIZE_MAX;
  for (size_t i = 0; i < in.n && !st; ++i) {
    const TrineId *r = exec_row(&in, i);
    for (size_t k = 0; k < nk && !st; ++k) st = expr_eval(&x->ex, op->binds[k].expr, r, &key[k]);
    if (st) break;
    size_t s = (size_t)exec_hash_ids(key, nk) & (nb - 1);
    for (; slots[s] != SIZE_MAX; s = (s + 1) & (nb - 1))
      if (memcmp(groups[slots[s]].key, key, nk * sizeof *key) == 0) break;
    if (slots[s] == SIZE_MAX) {
      if (ng == cap) {
        cap *= 2;
        Group *g = realloc(groups, cap * sizeof *g);
        if (!g) { st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory"); break; }
        groups = g;
      }
      Group *g = &groups[ng];
      *g = (Group){0};
      g->key = malloc((nk + 1) * sizeof *g->key);
      g->aggs = calloc(na + 1, sizeof *g->aggs);
      if (!g->key || !g->aggs) { st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory"); free(g->key); free(g->aggs); break; }
      memcpy(g->key, key, nk * sizeof *key);
      for (size_t a = 0; a < na; ++a) g->aggs[a] = agg_new(&x->ex, op->aggs[a].expr);
      slots[s] = ng++;
    }
    Group *g = &groups[slots[s]];
    for (size_t a = 0; a < na && !st; ++a) st = g->aggs[a] ? agg_step(g->aggs[a], r) : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  /* No rows and no keys: one empty group (COUNT(*) = 0). */
  if (!st && ng == 0 && nk == 0) {
    groups[0] = (Group){.key = calloc(1, sizeof(TrineId)), .aggs = calloc(na + 1, sizeof(AggState *))};
    if (groups[0].aggs)
      for (size_t a = 0; a < na; ++a) groups[0].aggs[a] = agg_new(&x->ex, op->aggs[a].expr);
    ng = 1;
  }
  exec_table_init(out, x->width);
  TrineId *row = calloc(x->width + 1, sizeof *row);
  if (!row && !st) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t gi = 0; gi < ng && !st; ++gi) {
    memset(row, 0, x->width * sizeof *row);
    for (size_t k = 0; k < nk; ++k)
      if (op->binds[k].var != SPARQL_NO_VAR) row[op->binds[k].var] = groups[gi].key[k];
    for (size_t a = 0; a < na && !st; ++a)
      if (groups[gi].aggs && groups[gi].aggs[a]) st = agg_result(groups[gi].aggs[a], &row[op->aggs[a].var]);
    if (!st) st = exec_table_push(x, out, row);
  }
  for (size_t gi = 0; gi < ng; ++gi) {
    for (size_t a = 0; groups[gi].aggs && a < na; ++a) agg_free(groups[gi].aggs[a]);
    free(groups[gi].aggs);
    free(groups[gi].key);
  }
  free(row);
  free(groups);
  free(slots);
  free(key);
  exec_table_release(x, &in);
  return st;
}
