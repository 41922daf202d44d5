/*
 * exec_explain.c -- the access paths `.explain` prints: for each triple
 * pattern, the index a scan of it reads and the rows the planner expects
 * when no variable is bound yet. The rows come from the planner's own
 * estimate (exec_estimate_counted(): constants counted in the index, not
 * averaged), so what `.explain` shows is what the plan was chosen on.
 */
#include "exec_int.h"

#include <ctype.h>
#include <stdlib.h>

/* Graphs of a GRAPH ?g estimated one by one at most; past it, the first
 * ones stand for the rest (explaining must stay cheap). */
#define EXPLAIN_GRAPHS 64

typedef struct {
  Exec *x;
  FILE *out;
  const uint64_t *none; /* no variable bound */
  TrineStatus st;
} Walk;

/* An index's name as the access paths print it: GSPO (index_name: gspo). */
static void print_index(FILE *out, IndexId i) {
  for (const char *c = index_name[i]; *c; ++c) fputc(toupper((unsigned char)*c), out);
}

static void print_slot(Walk *w, const SparqlSlot *s) {
  fputc(' ', w->out);
  if (s->var != SPARQL_NO_VAR) fprintf(w->out, "?%s", w->x->req->vars[s->var].name);
  else trine_term_write(&s->term, w->out);
}

/* The expected rows of p in graphs gs (ng of them), or in the default
 * graph when not named. */
static double rows_in(Walk *w, const Pat *p, bool named, const TrineId *gs, size_t ng) {
  if (!named) return exec_estimate_counted(w->x, p, w->none, (GCtx){false, 0});
  size_t n = ng < EXPLAIN_GRAPHS ? ng : EXPLAIN_GRAPHS;
  double sum = 0;
  for (size_t i = 0; i < n; ++i)
    sum += exec_estimate_counted(w->x, p, w->none, (GCtx){true, gs[i]});
  return n ? sum * (double)ng / (double)n : 0;
}

static void print_pattern(Walk *w, const SparqlTriple *t, bool named, const TrineId *gs,
                          size_t ng, bool graph_var, int indent) {
  Pat p;
  if ((w->st = exec_pat_make(w->x, t, &p))) return;
  unsigned mask = graph_var ? 0 : 1u << Q_G;
  static const int pos[3] = {Q_S, Q_P, Q_O};
  for (int i = 0; i < 3; ++i)
    if (p.var[i] == SPARQL_NO_VAR) mask |= 1u << pos[i];
  int prefix;
  IndexId idx = index_choose(mask, !graph_var, &prefix);
  double est = p.missing ? 0 : rows_in(w, &p, named, gs, ng);
  if (est > 0 && est < 1) est = 1;
  fprintf(w->out, "%*s(scan ", indent, "");
  print_index(w->out, idx);
  fprintf(w->out, " prefix %d rows ~%.0f%s", prefix, est, p.missing ? " (a term is not in the store)" : "");
  print_slot(w, &t->s);
  print_slot(w, &t->p);
  print_slot(w, &t->o);
  fputs(")\n", w->out);
}

/* named: op is matched in the graphs gs (ng of them, from a GRAPH), not in
 * the default graph. */
static void walk(Walk *w, const SparqlOp *op, bool named, const TrineId *gs, size_t ng,
                 bool graph_var, int indent) {
  if (!op || w->st) return;
  if (op->kind == SPARQL_OP_BGP) {
    for (size_t i = 0; i < op->ntriples && !w->st; ++i)
      print_pattern(w, &op->triples[i], named, gs, ng, graph_var, indent);
    return;
  }
  if (op->kind == SPARQL_OP_GRAPH) {
    TrineId *inner;
    size_t n;
    if ((w->st = exec_graphs(w->x, op, &inner, &n))) return;
    walk(w, op->a, true, inner, n, op->target.var != SPARQL_NO_VAR, indent);
    free(inner);
    return;
  }
  walk(w, op->a, named, gs, ng, graph_var, indent);
  walk(w, op->b, named, gs, ng, graph_var, indent);
}

TrineStatus exec_print_access(Exec *x, FILE *out) {
  uint64_t *none = calloc((x->width + 63) / 64 + 1, sizeof *none);
  if (!none) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  Walk w = {x, out, none, TRINE_OK};
  fputs("(access paths\n", out);
  walk(&w, x->req->pattern, false, NULL, 0, false, 2);
  fputs(")\n", out);
  free(none);
  return w.st;
}
