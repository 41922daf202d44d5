/*
 * exec_group.c -- GROUP BY: rows hashed on their key values as the input
 * makes them (a sink, exec_op_sink()), aggregates stepped per group. The
 * memory is the groups', not the input's: COUNT(*) over a join of
 * millions of rows keeps one group.
 */
#include "exec_int.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  TrineId *key;
  AggState **aggs;
} Group;

typedef struct {
  Sink sink;
  const SparqlOp *op;
  Group *groups;
  size_t ng, cap;
  size_t *slots, nb; /* open addressing: a group's index; SIZE_MAX empty */
  TrineId *key;      /* the key values of the row being grouped */
  size_t bytes;      /* counted against the memory limit */
} Grouper;

/* Count bytes more against the memory limit. */
static TrineStatus grouper_take_mem(Exec *x, Grouper *g, size_t bytes) {
  TrineStatus st = exec_mem_take(x, bytes);
  if (!st) g->bytes += bytes;
  return st;
}

/* The slot of key: its group's, or the empty one it would go in. */
static size_t *group_slot(const Grouper *g, const TrineId *key) {
  size_t nk = g->op->nbinds;
  size_t s = (size_t)exec_hash_ids(key, nk) & (g->nb - 1);
  for (; g->slots[s] != SIZE_MAX; s = (s + 1) & (g->nb - 1))
    if (memcmp(g->groups[g->slots[s]].key, key, nk * sizeof *key) == 0) break;
  return &g->slots[s];
}

/* Twice the slots (64 at first), the groups placed again. */
static TrineStatus group_grow_slots(Exec *x, Grouper *g) {
  size_t nb = g->nb ? g->nb * 2 : 64;
  TrineStatus st = grouper_take_mem(x, g, nb * sizeof *g->slots);
  if (st) return st;
  size_t *slots = malloc(nb * sizeof *slots);
  if (!slots) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  free(g->slots);
  g->slots = slots;
  g->nb = nb;
  for (size_t i = 0; i < nb; ++i) slots[i] = SIZE_MAX;
  for (size_t i = 0; i < g->ng; ++i) *group_slot(g, g->groups[i].key) = i;
  return TRINE_OK;
}

/* A new group of key g->key, in *slot. */
static TrineStatus group_new(Exec *x, Grouper *g, size_t *slot) {
  size_t nk = g->op->nbinds, na = g->op->naggs;
  TrineStatus st = TRINE_OK;
  if (g->ng == g->cap) {
    size_t cap = g->cap ? g->cap * 2 : 16;
    if ((st = grouper_take_mem(x, g, (cap - g->cap) * sizeof(Group)))) return st;
    Group *v = realloc(g->groups, cap * sizeof *v);
    if (!v) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    g->groups = v;
    g->cap = cap;
  }
  if ((st = grouper_take_mem(x, g, (nk + 1) * sizeof(TrineId) + (na + 1) * sizeof(AggState *))))
    return st;
  Group *n = &g->groups[g->ng];
  *n = (Group){malloc((nk + 1) * sizeof *n->key), calloc(na + 1, sizeof *n->aggs)};
  if (!n->key || !n->aggs) {
    free(n->key);
    free(n->aggs);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  memcpy(n->key, g->key, nk * sizeof *n->key);
  for (size_t a = 0; a < na; ++a) n->aggs[a] = agg_new(&x->ex, g->op->aggs[a].expr);
  *slot = g->ng++;
  return TRINE_OK;
}

/* Each row to its group (made on first sight), its aggregates stepped. */
static TrineStatus group_take(Exec *x, Sink *sink, Table *t) {
  Grouper *g = (Grouper *)sink;
  const SparqlOp *op = g->op;
  TrineStatus st = TRINE_OK;
  for (size_t i = 0; i < t->n && !st; ++i) {
    const TrineId *r = exec_row(t, i);
    for (size_t k = 0; k < op->nbinds && !st; ++k)
      st = expr_eval(&x->ex, op->binds[k].expr, r, &g->key[k]);
    if (!st && (g->ng + 1) * 2 > g->nb) st = group_grow_slots(x, g);
    if (st) break;
    size_t zero = 0, *slot = op->nbinds || !g->ng ? group_slot(g, g->key) : &zero; /* one group */
    if (*slot == SIZE_MAX && (st = group_new(x, g, slot))) break;
    AggState **aggs = g->groups[*slot].aggs;
    for (size_t a = 0; a < op->naggs && !st; ++a)
      st = aggs[a] ? agg_step(aggs[a], r) : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  return st;
}

/* A row per group: its key variables and aggregates. */
static TrineStatus group_rows(Exec *x, const Grouper *g, Table *out) {
  const SparqlOp *op = g->op;
  TrineId *row = calloc(x->width + 1, sizeof *row);
  if (!row) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  TrineStatus st = TRINE_OK;
  for (size_t gi = 0; gi < g->ng && !st; ++gi) {
    memset(row, 0, x->width * sizeof *row);
    for (size_t k = 0; k < op->nbinds; ++k)
      if (op->binds[k].var != SPARQL_NO_VAR) row[op->binds[k].var] = g->groups[gi].key[k];
    for (size_t a = 0; a < op->naggs && !st; ++a)
      if (g->groups[gi].aggs[a]) st = agg_result(g->groups[gi].aggs[a], &row[op->aggs[a].var]);
    if (!st) st = exec_table_push(x, out, row);
  }
  free(row);
  return st;
}

static void grouper_free(Exec *x, Grouper *g) {
  for (size_t gi = 0; gi < g->ng; ++gi) {
    for (size_t a = 0; a < g->op->naggs; ++a) agg_free(g->groups[gi].aggs[a]);
    free(g->groups[gi].aggs);
    free(g->groups[gi].key);
  }
  free(g->groups);
  free(g->slots);
  free(g->key);
  exec_mem_give(x, g->bytes);
}

TrineStatus exec_group(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Grouper g = {.sink = {.take = group_take}, .op = op};
  exec_table_init(out, x->width);
  g.key = calloc(op->nbinds + 1, sizeof *g.key);
  TrineStatus st = g.key ? group_grow_slots(x, &g) : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  if (!st) st = exec_op_sink(x, op->a, gc, &g.sink);
  /* No rows and no keys: one empty group (COUNT(*) = 0). */
  if (!st && g.ng == 0 && op->nbinds == 0) st = group_new(x, &g, group_slot(&g, g.key));
  if (!st) st = group_rows(x, &g, out);
  if (st) exec_table_release(x, out);
  grouper_free(x, &g);
  return st;
}
