/*
 * plan.c -- access paths and row estimates for triple patterns (plan.h).
 *
 * Estimates use the statistics kept by every write: quads per predicate and
 * graph, and distinct subjects and objects per predicate (a bound subject
 * selects quads/subjects rows on average, likewise objects).
 */
#include "plan.h"

#include "dict.h"
#include "stats.h"

#include <string.h>

static TrineStatus lookup(TrineTxn *t, const SparqlSlot *slot, TrineId *id, bool *bound,
                          bool *unknown) {
  *bound = slot->var == SPARQL_NO_VAR && slot->term.kind != TRINE_TERM_NONE;
  if (!*bound) return TRINE_OK;
  if (slot->term.kind == TRINE_TERM_BLANK) { /* blank constants never match */
    *unknown = true;
    return TRINE_OK;
  }
  TrineStatus st = dict_lookup(t, &slot->term, id);
  if (st == TRINE_NOT_FOUND) {
    *unknown = true;
    return TRINE_OK;
  }
  return st;
}

TrineStatus plan_access(TrineTxn *t, const SparqlTriple *tp, const TrineTerm *graph,
                        bool graph_var, AccessPath *out) {
  *out = (AccessPath){0};
  const SparqlSlot *slots[3] = {&tp->s, &tp->p, &tp->o};
  TrineId id[3] = {0, 0, 0};
  bool b[3];
  unsigned bound = 0;
  for (int i = 0; i < 3; ++i) {
    TrineStatus st = lookup(t, slots[i], &id[i], &b[i], &out->unknown);
    if (st) return st;
    if (b[i]) bound |= 1u << i;
  }
  TrineId g = 0;
  if (graph && graph->kind != TRINE_TERM_DEFAULT_GRAPH) {
    TrineStatus st = dict_lookup(t, graph, &g);
    if (st == TRINE_NOT_FOUND) out->unknown = true;
    else if (st) return st;
  }
  out->index = index_choose(bound | (graph_var ? 0 : 1u << Q_G), !graph_var, &out->prefix);
  if (out->unknown) return TRINE_OK;
  /* Quads in scope: the graph's, or all. */
  uint64_t scope = 0;
  TrineStatus st = graph_var ? TRINE_OK : stats_graph(t, g, &scope);
  if (st) return st;
  if (graph_var) {
    TrineStats all;
    if ((st = trine_store_stats(t->store, t, &all))) return st;
    scope = all.quads - all.default_quads;
  }
  double est = (double)scope;
  if (b[1]) {
    uint64_t pc[3];
    if ((st = stats_predicate(t, id[1], pc))) return st;
    est = pc[0] < scope ? (double)pc[0] : (double)scope;
    if (b[0] && pc[1]) est /= (double)pc[1];
    if (b[2] && pc[2]) est /= (double)pc[2];
  } else {
    if (b[0]) est /= 10; /* no per-subject statistics: a rough guess */
    if (b[2]) est /= 10;
  }
  out->estimate = est < 1 && est > 0 ? 1 : est;
  return TRINE_OK;
}

static const char *index_upper(IndexId i) {
  static const char *const names[IDX_COUNT] = {"GSPO", "GPOS", "GOSP", "SPOG", "POSG", "OSPG"};
  return names[i];
}

typedef struct {
  TrineTxn *txn;
  const SparqlRequest *r;
  FILE *out;
  TrineStatus st;
} Walk;

static void print_slot(Walk *w, const SparqlSlot *s) {
  fputc(' ', w->out);
  if (s->var != SPARQL_NO_VAR) fprintf(w->out, "?%s", w->r->vars[s->var].name);
  else trine_term_write(&s->term, w->out);
}

static void walk(Walk *w, const SparqlOp *op, const TrineTerm *graph, bool graph_var,
                 int indent) {
  if (!op || w->st) return;
  if (op->kind == SPARQL_OP_BGP) {
    for (size_t i = 0; i < op->ntriples && !w->st; ++i) {
      AccessPath ap;
      if ((w->st = plan_access(w->txn, &op->triples[i], graph, graph_var, &ap))) return;
      fprintf(w->out, "%*s(scan %s prefix %d rows ~%.0f%s", indent, "", index_upper(ap.index),
              ap.prefix, ap.estimate, ap.unknown ? " (a term is not in the store)" : "");
      print_slot(w, &op->triples[i].s);
      print_slot(w, &op->triples[i].p);
      print_slot(w, &op->triples[i].o);
      fputs(")\n", w->out);
    }
    return;
  }
  if (op->kind == SPARQL_OP_GRAPH) {
    bool var = op->target.var != SPARQL_NO_VAR;
    walk(w, op->a, var ? NULL : &op->target.term, var, indent);
    return;
  }
  walk(w, op->a, graph, graph_var, indent);
  walk(w, op->b, graph, graph_var, indent);
}

TrineStatus plan_print_access(TrineTxn *t, const SparqlRequest *r, FILE *out) {
  Walk w = {t, r, out, TRINE_OK};
  fputs("(access paths\n", out);
  walk(&w, r->pattern, NULL, false, 2);
  fputs(")\n", out);
  return w.st;
}
