/*
 * exec.c -- SPARQL algebra evaluation over the indexes (see exec.h): setting
 * up an evaluation and its dataset, the executed plan, the dispatch over
 * operators (exec_int.h lists the files of each family), and the operators
 * that only pass rows along: UNION, GRAPH, EXTEND (BIND) and TABLE (VALUES).
 */
#include "exec_int.h"
#include "exec_service.h"

#include "stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t exec_prof_site(Exec *x, const void *site, double est, const char *fmt, ...) {
  if (!x->profile) return SIZE_MAX;
  for (size_t i = 0; i < x->nprof; ++i)
    if (x->prof[i].site == site && x->prof[i].depth == x->depth) return i;
  if (x->nprof == x->capprof) {
    size_t cap = x->capprof ? x->capprof * 2 : 32;
    ProfEntry *p = realloc(x->prof, cap * sizeof *p);
    if (!p) return SIZE_MAX;
    x->prof = p;
    x->capprof = cap;
  }
  char *label = NULL;
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(&label, fmt, ap) < 0) label = NULL;
  va_end(ap);
  x->prof[x->nprof] = (ProfEntry){site, x->depth, label, est, 0, 0, 0};
  return x->nprof++;
}

/* Now in ms when profiling (0 otherwise): a step's time is measured from it. */
double exec_prof_clock(const Exec *x) {
  if (!x->profile) return 0;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void exec_prof_count(Exec *x, size_t i, uint64_t rows, double t0) {
  if (i == SIZE_MAX) return;
  x->prof[i].rows += rows;
  x->prof[i].calls++;
  x->prof[i].ms += exec_prof_clock(x) - t0;
}

void exec_profile_print(const Exec *x, FILE *out) {
  fputs("(plan\n", out);
  for (size_t i = 0; i < x->nprof; ++i) {
    const ProfEntry *e = &x->prof[i];
    fprintf(out, "%*s(%s", 2 * e->depth + 2, "", e->label ? e->label : "?");
    if (e->est >= 0) fprintf(out, " est %.0f", e->est);
    fprintf(out, " rows %llu", (unsigned long long)e->rows);
    if (e->calls > 1) fprintf(out, " calls %llu", (unsigned long long)e->calls);
    fprintf(out, " ms %.3f", e->ms);
    fputs(")\n", out);
  }
  fputs(")\n", out);
}

/* "?name" or the term of a pattern position, for plan labels. */
void exec_slot_text(Exec *x, FILE *f, uint32_t var, TrineId id) {
  if (var != SPARQL_NO_VAR) {
    fprintf(f, " ?%s", x->req->vars[var].name);
    return;
  }
  TrineTerm t;
  fputc(' ', f);
  if (!id || qdict_term(x->dict, id, &t)) fputs("<?>", f);
  else trine_term_write(&t, f);
}

static TrineStatus graph_ids(Exec *x, const TrineTerm *terms, size_t n, TrineId **out,
                             size_t *nout) {
  *out = calloc(n + 1, sizeof **out);
  *nout = 0;
  if (!*out) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n; ++i) {
    TrineId id;
    TrineStatus st = qdict_lookup(x->dict, &terms[i], &id);
    if (st == TRINE_NOT_FOUND) continue; /* a graph the store lacks is empty */
    if (st) return st;
    (*out)[(*nout)++] = id;
  }
  return TRINE_OK;
}

/* The expression context's view of the memory limit (GROUP_CONCAT). */
static TrineStatus ex_mem_take(void *x, size_t bytes) { return exec_mem_take(x, bytes); }
static void ex_mem_give(void *x, size_t bytes) { exec_mem_give(x, bytes); }

TrineStatus exec_init(Exec *x, TrineTxn *txn, QDict *dict, const SparqlRequest *req) {
  *x = (Exec){.txn = txn, .dict = dict, .req = req, .width = req->nvars,
              .pool = txn->store->pool};
  x->mem_limit = (size_t)1 << 30;
  x->named_all = true;
  TrineStatus st = expr_ctx_init(&x->ex, dict, req, req->base);
  if (st) return st;
  x->ex.mem_take = ex_mem_take;
  x->ex.mem_give = ex_mem_give;
  x->ex.mem_ctx = x;
  if (req->nfrom || req->nfrom_named) {
    x->named_all = false;
    if ((st = graph_ids(x, req->from, req->nfrom, &x->dflt, &x->ndflt)) ||
        (st = graph_ids(x, req->from_named, req->nfrom_named, &x->named, &x->nnamed)))
      return st;
    if (req->nfrom == 0) { /* FROM NAMED alone: the default graph is empty */
      x->ndflt = 0;
    }
  } else {
    if (!(x->dflt = calloc(1, sizeof *x->dflt))) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    x->ndflt = 1; /* the store's default graph, id 0 */
  }
  return TRINE_OK;
}

void exec_set_dataset(Exec *x, TrineId *dflt, size_t ndflt, TrineId *named, size_t nnamed,
                      bool named_all) {
  free(x->dflt);
  free(x->named);
  x->dflt = dflt;
  x->ndflt = ndflt;
  x->named = named;
  x->nnamed = nnamed;
  x->named_all = named_all;
}

void exec_free(Exec *x) {
  exec_scans_close(x);
  free(x->scans);
  exec_exists_free(x);
  for (size_t i = 0; i < x->nprof; ++i) free(x->prof[i].label);
  free(x->prof);
  exec_memo_free(x);
  free(x->plan);
  x->plan = NULL;
  expr_ctx_free(&x->ex);
  free(x->dflt);
  free(x->named);
}

static TrineStatus eval_union(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table tb;
  TrineStatus st = exec_op(x, op->a, gc, out);
  if (st) return st;
  if ((st = exec_op(x, op->b, gc, &tb))) return st;
  for (size_t j = 0; j < tb.n && !st; ++j) st = exec_table_push(x, out, exec_row(&tb, j));
  exec_table_release(x, &tb);
  return st;
}

/* The named graphs of the store, gathered by stats_each_graph(). */
typedef struct {
  TrineId *v;
  size_t n, cap;
  bool failed; /* out of memory */
} GraphList;

static int on_graph(TrineTxn *txn, TrineId id, const uint64_t c[3], void *ctx) {
  (void)txn, (void)c;
  GraphList *l = ctx;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 16;
    TrineId *v = realloc(l->v, cap * sizeof *v);
    if (!v) return l->failed = true;
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = id;
  return 0;
}

TrineStatus exec_graphs(Exec *x, const SparqlOp *op, TrineId **out, size_t *n) {
  *out = NULL;
  *n = 0;
  if (op->target.var == SPARQL_NO_VAR) {
    TrineId g;
    TrineStatus st = qdict_lookup(x->dict, &op->target.term, &g);
    if (st == TRINE_NOT_FOUND) return TRINE_OK;
    if (st) return st;
    bool allowed = x->named_all;
    for (size_t i = 0; i < x->nnamed && !allowed; ++i) allowed = x->named[i] == g;
    if (!allowed || g == 0) return TRINE_OK;
    if (!(*out = malloc(sizeof **out))) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    (*out)[(*n)++] = g;
    return TRINE_OK;
  }
  if (!x->named_all) { /* the dataset's named graphs */
    if (!(*out = malloc((x->nnamed + 1) * sizeof **out)))
      return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    if (x->nnamed) memcpy(*out, x->named, x->nnamed * sizeof **out);
    *n = x->nnamed;
    return TRINE_OK;
  }
  GraphList all = {0}; /* the graphs the statistics count (ids from 1) */
  TrineStatus st = stats_each_graph(x->txn, on_graph, &all);
  if (!st && all.failed) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  if (st) {
    free(all.v);
    return st;
  }
  *out = all.v;
  *n = all.n;
  return TRINE_OK;
}

/* GRAPH g { P } and GRAPH ?g { P }: P in each graph, ?g bound to it. */
static TrineStatus eval_graph(Exec *x, const SparqlOp *op, Table *out) {
  TrineId *gs;
  size_t ng;
  exec_table_init(out, x->width);
  TrineStatus st = exec_graphs(x, op, &gs, &ng);
  uint32_t gv = op->target.var;
  for (size_t i = 0; i < ng && !st; ++i) {
    Table t;
    if (gv == SPARQL_NO_VAR) {
      st = exec_op(x, op->a, (GCtx){true, gs[i]}, out);
      break;
    }
    if ((st = exec_op(x, op->a, (GCtx){true, gs[i]}, &t))) break;
    for (size_t j = 0; j < t.n && !st; ++j) {
      TrineId *r = exec_row(&t, j);
      if (r[gv] && r[gv] != gs[i]) continue;
      r[gv] = gs[i];
      st = exec_table_push(x, out, r);
    }
    exec_table_release(x, &t);
  }
  free(gs);
  return st;
}

/* The binds of a chain of EXTENDs on row r, innermost first. */
static TrineStatus extend_row(Exec *x, const SparqlOp *op, TrineId *r) {
  if (op->kind != SPARQL_OP_EXTEND) return TRINE_OK;
  TrineStatus st = extend_row(x, op->a, r);
  const SparqlBind *b = &op->binds[0];
  TrineId v;
  if (!st) st = expr_eval(&x->ex, b->expr, r, &v);
  if (!st && !r[b->var]) r[b->var] = v;
  return st;
}

/* A chain of EXTENDs (the BINDs of a group, the SELECT expressions) binds
 * one row at a time: its expressions are one solution's, where BNODE(str)
 * gives one node per string (17.4.2.9). */
TrineStatus exec_extend_rows(Exec *x, const SparqlOp *op, Table *t) {
  TrineStatus st = TRINE_OK;
  for (size_t i = 0; i < t->n && !st; ++i) {
    uint64_t outer = expr_solution_begin(&x->ex);
    st = extend_row(x, op, exec_row(t, i));
    expr_solution_end(&x->ex, outer);
  }
  return st;
}

static TrineStatus eval_extend(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  const SparqlOp *base = op->a;
  while (base->kind == SPARQL_OP_EXTEND) base = base->a;
  TrineStatus st = exec_op(x, base, gc, out);
  return st ? st : exec_extend_rows(x, op, out);
}

static TrineStatus eval_table(Exec *x, const SparqlOp *op, Table *out) {
  exec_table_init(out, x->width);
  TrineId *tmp = calloc(x->width + 1, sizeof *tmp);
  if (!tmp) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  TrineStatus st = TRINE_OK;
  for (size_t r = 0; r < op->nrows && !st; ++r) {
    memset(tmp, 0, x->width * sizeof *tmp);
    for (size_t c = 0; c < op->nvars && !st; ++c) {
      const SparqlSlot *cell = &op->rows[r * op->nvars + c];
      if (cell->term.kind == TRINE_TERM_NONE) continue;
      st = qdict_intern(x->dict, &cell->term, &tmp[op->vars[c]]);
    }
    if (!st) st = exec_table_push(x, out, tmp);
  }
  free(tmp);
  return st;
}

/* A SERVICE on its own: from the unit table (or the EXISTS row). */
static TrineStatus eval_service(Exec *x, const SparqlOp *op, Table *out) {
  Table unit;
  TrineStatus st = exec_unit_table(x, &unit);
  if (!st) st = service_join(x, op, &unit, NULL, 0, NULL, out);
  exec_table_release(x, &unit);
  return st;
}

static const char *op_name(const SparqlOp *op) {
  static const char *const names[] = {
      [SPARQL_OP_BGP] = "join group", [SPARQL_OP_PATH] = "join group",
      [SPARQL_OP_JOIN] = "join group", [SPARQL_OP_LEFTJOIN] = "leftjoin",
      [SPARQL_OP_FILTER] = "filter", [SPARQL_OP_UNION] = "union",
      [SPARQL_OP_MINUS] = "minus", [SPARQL_OP_GRAPH] = "graph",
      [SPARQL_OP_SERVICE] = "service", [SPARQL_OP_EXTEND] = "extend",
      [SPARQL_OP_GROUP] = "group", [SPARQL_OP_TABLE] = "table",
      [SPARQL_OP_TOMULTISET] = "subquery", [SPARQL_OP_ORDERBY] = "order",
      [SPARQL_OP_PROJECT] = "project", [SPARQL_OP_DISTINCT] = "distinct",
      [SPARQL_OP_REDUCED] = "reduced", [SPARQL_OP_SLICE] = "slice"};
  return op->kind < sizeof names / sizeof *names && names[op->kind] ? names[op->kind] : "?";
}

static TrineStatus eval_op(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  TrineStatus st = exec_check_limits(x);
  if (st) return st;
  x->in_graph = gc.one;
  x->graph = gc.g;
  switch (op->kind) {
  case SPARQL_OP_BGP: case SPARQL_OP_PATH: case SPARQL_OP_JOIN:
    return exec_join_group(x, op, gc, NULL, NULL, 0, out);
  case SPARQL_OP_LEFTJOIN: return exec_leftjoin(x, op, gc, out);
  case SPARQL_OP_FILTER: return exec_filter(x, op, gc, out);
  case SPARQL_OP_UNION: return eval_union(x, op, gc, out);
  case SPARQL_OP_MINUS: return exec_minus(x, op, gc, out);
  case SPARQL_OP_GRAPH: return eval_graph(x, op, out);
  case SPARQL_OP_EXTEND: return eval_extend(x, op, gc, out);
  case SPARQL_OP_GROUP: return exec_group(x, op, gc, out);
  case SPARQL_OP_TABLE: return eval_table(x, op, out);
  case SPARQL_OP_TOMULTISET: return exec_op(x, op->a, gc, out);
  case SPARQL_OP_ORDERBY: return exec_orderby(x, op, gc, out);
  case SPARQL_OP_PROJECT: return exec_project(x, op, gc, out);
  case SPARQL_OP_DISTINCT: case SPARQL_OP_REDUCED: return exec_distinct(x, op, gc, out);
  case SPARQL_OP_SLICE: return exec_slice(x, op, gc, out);
  case SPARQL_OP_SERVICE: return eval_service(x, op, out);
  }
  return exec_fail(x, TRINE_ERR_INTERNAL, "unknown algebra operator");
}

TrineStatus exec_op(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  size_t slot = exec_prof_site(x, op, -1, "%s", op_name(op));
  double t0 = exec_prof_clock(x);
  /* The caller's graph context comes back with its rows: the filters it
   * runs on them (EXISTS) look at its active graph, not the one a GRAPH
   * below it left behind. */
  bool in_graph = x->in_graph;
  TrineId graph = x->graph;
  x->depth++;
  TrineStatus st = eval_op(x, op, gc, out);
  x->depth--;
  x->in_graph = in_graph;
  x->graph = graph;
  exec_prof_count(x, slot, st ? 0 : out->n, t0);
  return st;
}

TrineStatus exec_sink_drain(Exec *x, Sink *s, Table *t) {
  size_t n = t->n;
  TrineStatus st = n ? s->take(x, s, t) : TRINE_OK;
  s->rows += n;
  t->n = 0;
  return st;
}

/* Whether op's rows can go to a sink as a join group makes them: the
 * operators on the way change one row at a time. */
static bool streams(const SparqlOp *op) {
  while (op->kind == SPARQL_OP_PROJECT || op->kind == SPARQL_OP_EXTEND ||
         op->kind == SPARQL_OP_TOMULTISET)
    op = op->a;
  return exec_pure(op) || (op->kind == SPARQL_OP_FILTER && exec_pure(op->a));
}

/* A PROJECT, a chain of EXTENDs or a sub-select between a sink and the
 * join group that feeds it: applied to the rows on their way. */
typedef struct {
  Sink sink;
  const SparqlOp *op;
  Sink *to;
} Pass;

static TrineStatus pass_take(Exec *x, Sink *s, Table *t) {
  Pass *p = (Pass *)s;
  TrineStatus st = TRINE_OK;
  if (p->op->kind == SPARQL_OP_PROJECT) st = exec_project_rows(x, p->op, t);
  if (p->op->kind == SPARQL_OP_EXTEND) st = exec_extend_rows(x, p->op, t);
  if (!st) st = exec_sink_drain(x, p->to, t);
  s->rest = p->to->rest;
  return st;
}

/* A join group under s: its last step's rows go to s as it makes them,
 * the rest when it ends. */
static TrineStatus group_to_sink(Exec *x, const SparqlOp *op, GCtx gc, Sink *s) {
  Table t;
  x->sink = s; /* taken by the group (eval_op() goes straight to it) */
  TrineStatus st = eval_op(x, op, gc, &t);
  x->sink = NULL;
  if (st) return st;
  st = exec_sink_drain(x, s, &t);
  exec_table_release(x, &t);
  return st;
}

TrineStatus exec_op_sink(Exec *x, const SparqlOp *op, GCtx gc, Sink *s) {
  TrineStatus st;
  if (!streams(op)) { /* a table, handed over whole */
    Table t;
    if ((st = exec_op(x, op, gc, &t))) return st;
    st = exec_sink_drain(x, s, &t);
    exec_table_release(x, &t);
    return st == TRINE_DONE ? TRINE_OK : st;
  }
  /* As exec_op() would, with the rows counted as the sink takes them. */
  size_t slot = exec_prof_site(x, op, -1, "%s", op_name(op));
  double t0 = exec_prof_clock(x);
  uint64_t rows = s->rows;
  bool in_graph = x->in_graph;
  TrineId graph = x->graph;
  x->depth++;
  if (exec_pure(op) || op->kind == SPARQL_OP_FILTER) {
    st = group_to_sink(x, op, gc, s);
  } else {
    const SparqlOp *base = op->a;
    while (op->kind == SPARQL_OP_EXTEND && base->kind == SPARQL_OP_EXTEND) base = base->a;
    Pass p = {.sink = {.take = pass_take}, .op = op, .to = s};
    st = exec_op_sink(x, base, gc, &p.sink);
  }
  x->depth--;
  x->in_graph = in_graph;
  x->graph = graph;
  if (st == TRINE_DONE) st = TRINE_OK;
  exec_prof_count(x, slot, st ? 0 : s->rows - rows, t0);
  return st;
}

TrineStatus exec_eval(Exec *x, const SparqlOp *op, Table *out) {
  x->ex.exists = exec_exists;
  x->ex.exists_ctx = x;
  TrineStatus st = exec_op(x, op, (GCtx){false, 0}, out);
  /* Cursors end with the evaluation: a write txn's die when it commits. */
  exec_scans_close(x);
  exec_exists_free(x);
  return st;
}
