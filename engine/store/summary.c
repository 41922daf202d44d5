/*
 * summary.c -- what a store holds, for the public API: its totals, its
 * predicates and its graphs, with their counters (trine_store_stats(),
 * trine_store_predicates(), trine_store_graphs()).
 */
#include "dict.h"
#include "stats.h"
#include "txn.h"

static int count_one(TrineTxn *t, TrineId id, const uint64_t c[3], void *ctx) {
  (void)t, (void)id, (void)c;
  ++*(uint64_t *)ctx;
  return 0;
}

/* The store of a summary call: the transaction's when one is given (it
 * must belong to the store, if one is given too). */
static TrineStatus check(TrineStore **s, TrineTxn *txn_in, const void *out, const char *call) {
  if (!*s && txn_in) *s = txn_in->store;
  if (!*s) return api_misuse(NULL, call, "store is NULL");
  if (txn_in && txn_in->store != *s)
    return api_misuse(*s, call, "the transaction belongs to another store");
  return out ? TRINE_OK : api_misuse(*s, call, "out is NULL");
}

TrineStatus trine_store_stats(TrineStore *s, TrineTxn *txn_in, TrineStats *out) {
  TrineStatus cs = check(&s, txn_in, out, "trine_store_stats");
  if (cs) return cs;
  TrineTxn *t;
  bool owned;
  TrineStatus st = store_read_txn(s, txn_in, &t, &owned);
  if (st) return st;
  *out = (TrineStats){0};
  out->terms = store_meta_get(t->txn, s->meta, "terms") + t->new_terms;
  if (!(st = stats_total(t, &out->quads)) &&
      !(st = stats_each_graph(t, count_one, &out->graphs)))
    st = stats_graph(t, 0, &out->default_quads);
  if (owned) trine_txn_abort(t);
  return st;
}

typedef struct {
  TrinePredicateFn pfn;
  TrineGraphFn gfn;
  void *ctx;
  TrineStatus st;
} VisitCtx;

static int visit_pred(TrineTxn *t, TrineId id, const uint64_t *v, void *ctx) {
  VisitCtx *c = ctx;
  TrinePredicateStats ps = {.quads = v[0], .subjects = v[1], .objects = v[2]};
  char scratch[24];
  if ((c->st = dict_term(t, id, &ps.predicate, scratch))) return 1;
  return c->pfn(c->ctx, &ps);
}

static int visit_graph(TrineTxn *t, TrineId id, const uint64_t *v, void *ctx) {
  VisitCtx *c = ctx;
  TrineTerm g;
  char scratch[24];
  if ((c->st = dict_term(t, id, &g, scratch))) return 1;
  return c->gfn(c->ctx, &g, v[0]);
}

TrineStatus trine_store_predicates(TrineStore *s, TrineTxn *txn_in,
                                   TrinePredicateFn fn, void *ctx) {
  TrineStatus cs = check(&s, txn_in, (const void *)fn, "trine_store_predicates");
  if (cs) return cs;
  TrineTxn *t;
  bool owned;
  TrineStatus st = store_read_txn(s, txn_in, &t, &owned);
  if (st) return st;
  VisitCtx c = {.pfn = fn, .ctx = ctx};
  st = stats_each_predicate(t, visit_pred, &c);
  if (owned) trine_txn_abort(t);
  return st ? st : c.st;
}

TrineStatus trine_store_graphs(TrineStore *s, TrineTxn *txn_in, TrineGraphFn fn,
                               void *ctx) {
  TrineStatus cs = check(&s, txn_in, (const void *)fn, "trine_store_graphs");
  if (cs) return cs;
  TrineTxn *t;
  bool owned;
  TrineStatus st = store_read_txn(s, txn_in, &t, &owned);
  if (st) return st;
  VisitCtx c = {.gfn = fn, .ctx = ctx};
  st = stats_each_graph(t, visit_graph, &c);
  if (owned) trine_txn_abort(t);
  return st ? st : c.st;
}
