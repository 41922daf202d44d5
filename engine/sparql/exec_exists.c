/*
 * exec_exists.c -- EXISTS and NOT EXISTS on a row (by substituting the row
 * into the pattern, or against the pattern evaluated once and kept), and
 * MINUS.
 */
#include "exec_int.h"

#include <stdlib.h>

/* Whether an expression or pattern gives the same answer every time it
 * is evaluated: no RAND, UUID, STRUUID or BNODE() in it. */
static bool expr_fixed(const SparqlExpr *e);

static bool op_fixed(const SparqlOp *op) {
  if (!op) return true;
  for (size_t i = 0; i < op->nexprs; ++i)
    if (!expr_fixed(op->exprs[i])) return false;
  for (size_t i = 0; i < op->nbinds; ++i)
    if (!expr_fixed(op->binds[i].expr)) return false;
  for (size_t i = 0; i < op->naggs; ++i)
    if (!expr_fixed(op->aggs[i].expr)) return false;
  for (size_t i = 0; i < op->nkeys; ++i)
    if (!expr_fixed(op->keys[i].expr)) return false;
  return op_fixed(op->a) && op_fixed(op->b);
}

static bool expr_fixed(const SparqlExpr *e) {
  if (!e) return true;
  if (e->kind == SPARQL_EX_CALL &&
      (e->fn == SPARQL_FN_RAND || e->fn == SPARQL_FN_UUID || e->fn == SPARQL_FN_STRUUID ||
       e->fn == SPARQL_FN_BNODE))
    return false;
  for (size_t i = 0; i < e->nargs; ++i)
    if (!expr_fixed(e->args[i])) return false;
  return op_fixed(e->pattern);
}

/* An EXISTS pattern evaluated on its own, kept for the evaluation: the
 * rows asking are matched against it by hashing on the variables it binds
 * in every row that they bind too. */
typedef struct {
  const SparqlOp *op;
  GCtx gc;
  Table t;
  uint64_t certain; /* variables bound in every row of t */
  RowHash h;
  uint64_t hkeys;   /* h's key variables (0: none built) */
} ExistsTable;

typedef struct {
  ExistsTable v[8];
  size_t n;
} ExistsTables;

void exec_exists_free(Exec *x) {
  ExistsTables *e = x->exists;
  for (size_t i = 0; e && i < e->n; ++i) {
    rowhash_free(x, &e->v[i].h);
    exec_table_release(x, &e->v[i].t);
  }
  free(e);
  x->exists = NULL;
}

/* The kept evaluation of pattern in gc, made on first use; NULL when eight
 * are kept already (*st is set on an error). */
static ExistsTable *exists_table(Exec *x, const SparqlOp *pattern, GCtx gc, TrineStatus *st) {
  ExistsTables *e = x->exists;
  for (size_t i = 0; e && i < e->n; ++i)
    if (e->v[i].op == pattern && e->v[i].gc.one == gc.one && e->v[i].gc.g == gc.g)
      return &e->v[i];
  if (!e && !(e = x->exists = calloc(1, sizeof *e))) {
    *st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    return NULL;
  }
  if (e->n == 8) return NULL;
  ExistsTable *t = &e->v[e->n++]; /* taken first: exec_op() may keep others */
  *t = (ExistsTable){.op = pattern, .gc = gc};
  exec_table_init(&t->t, x->width);
  if ((*st = exec_op(x, pattern, gc, &t->t))) return NULL; /* the query fails */
  t->certain = exec_certain_vars(&t->t);
  return t;
}

/* Whether some row of t is compatible with row. */
static TrineStatus exists_match(Exec *x, ExistsTable *t, const TrineId *row, bool *found) {
  uint64_t bound = 0;
  for (size_t v = 0; v < x->width && v < 64; ++v)
    if (row[v]) bound |= UINT64_C(1) << v;
  uint64_t keys = t->t.n > 8 ? t->certain & bound : 0;
  if (keys && keys != t->hkeys) {
    rowhash_free(x, &t->h);
    t->hkeys = 0;
    TrineStatus st = rowhash_init(x, &t->h, &t->t, keys);
    if (st) return st;
    t->hkeys = keys;
  }
  if (keys) {
    TrineId vals[8];
    for (size_t k = 0; k < t->h.nkey; ++k) vals[k] = row[t->h.key[k]];
    for (size_t j = rowhash_find(&t->h, vals); j != SIZE_MAX && !*found;
         j = rowhash_next(&t->h, j, vals))
      *found = exec_compatible(exec_row(&t->t, j), row, x->width);
    return TRINE_OK;
  }
  for (size_t i = 0; i < t->t.n && !*found; ++i)
    *found = exec_compatible(exec_row(&t->t, i), row, x->width);
  return TRINE_OK;
}

static void op_expr_vars(const SparqlOp *op, uint64_t *set, bool *wide);

static void var_add(uint32_t v, uint64_t *set, bool *wide) {
  if (v == SPARQL_NO_VAR) return;
  if (v < 64) *set |= UINT64_C(1) << v;
  else *wide = true;
}

/* Variables op's own pattern mentions: triples, path ends, GRAPH. */
static void own_vars(const SparqlOp *op, uint64_t *set, bool *wide) {
  if (op->kind == SPARQL_OP_BGP)
    for (size_t i = 0; i < op->ntriples; ++i) {
      var_add(op->triples[i].s.var, set, wide);
      var_add(op->triples[i].p.var, set, wide);
      var_add(op->triples[i].o.var, set, wide);
    }
  if (op->kind == SPARQL_OP_PATH) {
    var_add(op->path_s.var, set, wide);
    var_add(op->path_o.var, set, wide);
  }
  if (op->kind == SPARQL_OP_GRAPH) var_add(op->target.var, set, wide);
}

/* Variables the patterns of op and below mention. */
static void op_pattern_vars(const SparqlOp *op, uint64_t *set, bool *wide) {
  if (!op) return;
  own_vars(op, set, wide);
  op_pattern_vars(op->a, set, wide);
  op_pattern_vars(op->b, set, wide);
}

/* Variables mentioned where joining the pattern's own solutions with the
 * row is not substituting the row: the right side of an OPTIONAL or a
 * MINUS, and sub-queries (scoped: inside one of them). */
static void op_scoped_vars(const SparqlOp *op, bool scoped, uint64_t *set, bool *wide) {
  if (!op) return;
  scoped = scoped || op->kind == SPARQL_OP_TOMULTISET;
  if (scoped) own_vars(op, set, wide);
  op_scoped_vars(op->a, scoped, set, wide);
  op_scoped_vars(op->b, scoped || op->kind == SPARQL_OP_LEFTJOIN || op->kind == SPARQL_OP_MINUS,
                 set, wide);
}

/* Variables an expression reads, through nested EXISTS patterns too
 * (*wide: one past the first 64). A nested EXISTS reads every variable
 * its pattern mentions: the row is substituted into it (18.6), so a
 * pattern holding one cannot be evaluated on its own. */
static void expr_reads(const SparqlExpr *e, uint64_t *set, bool *wide) {
  if (!e) return;
  if (e->kind == SPARQL_EX_VAR) var_add(e->var, set, wide);
  for (size_t i = 0; i < e->nargs; ++i) expr_reads(e->args[i], set, wide);
  if (e->pattern) {
    op_expr_vars(e->pattern, set, wide);
    op_pattern_vars(e->pattern, set, wide);
  }
}

/* Variables the expressions inside op read (filters, binds, aggregates,
 * order keys), in every operator below it. */
static void op_expr_vars(const SparqlOp *op, uint64_t *set, bool *wide) {
  if (!op) return;
  for (size_t i = 0; i < op->nexprs; ++i) expr_reads(op->exprs[i], set, wide);
  for (size_t i = 0; i < op->nbinds; ++i) expr_reads(op->binds[i].expr, set, wide);
  for (size_t i = 0; i < op->naggs; ++i) expr_reads(op->aggs[i].expr, set, wide);
  for (size_t i = 0; i < op->nkeys; ++i) expr_reads(op->keys[i].expr, set, wide);
  op_expr_vars(op->a, set, wide);
  op_expr_vars(op->b, set, wide);
}

/* Whether an expression inside pattern reads a variable row binds, or
 * an OPTIONAL's or MINUS's right side or a sub-query mentions one: then
 * joining the pattern's own solutions with the row is not substituting. */
static bool reads_row(const SparqlOp *pattern, const TrineId *row, size_t width) {
  uint64_t set = 0;
  bool wide = false;
  op_expr_vars(pattern, &set, &wide);
  op_scoped_vars(pattern, false, &set, &wide);
  for (uint32_t v = 0; v < 64 && v < width && set >> v; ++v)
    if ((set >> v & 1) && row[v]) return true;
  return wide;
}

/* EXISTS { P } on a row: evaluate P with the row's bindings. */
TrineStatus exec_exists(void *ctx, const SparqlOp *pattern, const TrineId *row, bool *found) {
  Exec *x = ctx;
  Table t;
  TrineStatus st = TRINE_OK;
  *found = false;
  GCtx gc = {x->in_graph, x->graph};
  /* The step whose filter asks may have a row cap: not this pattern's. */
  size_t cap = x->emit_cap, want = x->want;
  x->emit_cap = x->want = 0;
  const SparqlOp *filter = pattern->kind == SPARQL_OP_FILTER ? pattern : NULL;
  const SparqlOp *body = filter ? filter->a : pattern;
  /* A join group probes from the row: that substitutes it into the
   * group's own patterns, not into a filter of a group nested in it. */
  if (exec_pure(body) && !reads_row(body, row, x->width)) {
    Table one = {.rows = (TrineId *)row, .n = 1, .cap = 1, .width = x->width};
    st = exec_join_group(x, body, gc, &one, filter ? filter->exprs : NULL, filter ? filter->nexprs : 0,
                &t);
    *found = !st && t.n > 0;
  } else if (reads_row(pattern, row, x->width)) {
    /* Its expressions read the row's variables: the row is substituted
     * (SPARQL 1.1, 18.6), every group inside starting from it. */
    const TrineId *saved = x->subst;
    x->subst = row;
    st = exec_op(x, pattern, gc, &t);
    x->subst = saved;
    for (size_t i = 0; i < t.n && !st && !*found; ++i)
      *found = exec_compatible(exec_row(&t, i), row, x->width);
  } else {
    /* Evaluated on its own once (unless it draws random or fresh terms,
     * or runs inside a substituted pattern) and matched against each row. */
    ExistsTable *kept = op_fixed(pattern) && !x->subst ? exists_table(x, pattern, gc, &st)
                                                       : NULL;
    exec_table_init(&t, x->width);
    if (kept) st = exists_match(x, kept, row, found);
    else if (!st) st = exec_op(x, pattern, gc, &t);
    for (size_t i = 0; i < t.n && !st && !*found; ++i)
      *found = exec_compatible(exec_row(&t, i), row, x->width);
  }
  exec_table_release(x, &t);
  x->emit_cap = cap;
  x->want = want;
  return st;
}

TrineStatus exec_minus(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table ta, tb;
  TrineStatus st = exec_op(x, op->a, gc, &ta);
  if (st) return st;
  if ((st = exec_op(x, op->b, gc, &tb))) {
    exec_table_release(x, &ta);
    return st;
  }
  exec_table_init(out, x->width);
  /* Inside a substituted EXISTS pattern the row's variables are constants
   * on both sides, not variables they share. */
  const TrineId *fixed = x->subst;
  uint64_t fixed_set = 0;
  for (size_t v = 0; fixed && v < x->width && v < 64; ++v)
    if (fixed[v]) fixed_set |= UINT64_C(1) << v;
  /* A row of b that removes a row of a shares a variable with it and agrees
   * there: when both sides bind some variables in every row, only the
   * rows of b equal to it on those can (found by hashing b). */
  uint64_t keys = ta.n && tb.n > 8 ? exec_certain_vars(&ta) & exec_certain_vars(&tb) & ~fixed_set : 0;
  RowHash h = {0};
  if (keys) st = rowhash_init(x, &h, &tb, keys);
  for (size_t i = 0; i < ta.n && !st; ++i) {
    if ((st = exec_check_limits(x))) break;
    const TrineId *ra = exec_row(&ta, i);
    bool removed = false;
    if (keys) {
      TrineId vals[8];
      for (size_t k = 0; k < h.nkey; ++k) vals[k] = ra[h.key[k]];
      for (size_t j = rowhash_find(&h, vals); j != SIZE_MAX && !removed;
           j = rowhash_next(&h, j, vals))
        removed = exec_compatible(ra, exec_row(&tb, j), x->width);
    }
    for (size_t j = 0; j < tb.n && !removed && !keys; ++j) {
      const TrineId *rb = exec_row(&tb, j);
      bool shared = false;
      for (size_t v = 0; v < x->width && !shared; ++v)
        shared = ra[v] && rb[v] && !(fixed && fixed[v]);
      removed = shared && exec_compatible(ra, rb, x->width);
    }
    if (!removed) st = exec_table_push(x, out, ra);
  }
  rowhash_free(x, &h);
  exec_table_release(x, &ta);
  exec_table_release(x, &tb);
  return st;
}
