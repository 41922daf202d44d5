/*
 * exec_bgp.c -- join groups (basic graph patterns and the joins around
 * them), and OPTIONAL and FILTER, which use them.
 *
 * A tree of JOINs over BGPs, paths and other operators is one group: the
 * other operators (VALUES, sub-queries, unions, ...) are evaluated on their
 * own and hash-joined first; then triple patterns and paths extend the rows
 * one at a time, cheapest next given what is bound (join is commutative
 * and associative), and each filter runs as soon as its variables are
 * bound.
 */
#include "exec_int.h"
#include "exec_service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Variables of an expression (first 64); *dynamic when it uses BOUND,
 * EXISTS or anything whose result depends on unbound variables. */
static void expr_vars(const SparqlExpr *e, uint64_t *set, bool *dynamic) {
  if (!e) return;
  if (e->kind == SPARQL_EX_VAR) {
    if (e->var < 64) *set |= UINT64_C(1) << e->var;
    else *dynamic = true;
  }
  if (e->kind == SPARQL_EX_EXISTS || e->kind == SPARQL_EX_NOT_EXISTS) *dynamic = true;
  if (e->kind == SPARQL_EX_CALL &&
      (e->fn == SPARQL_FN_BOUND || e->fn == SPARQL_FN_COALESCE || e->fn == SPARQL_FN_IF))
    *dynamic = true;
  for (size_t i = 0; i < e->nargs; ++i) expr_vars(e->args[i], set, dynamic);
}

/* Whether a SERVICE is an operand of op's joins (a leaf of its group). */
static bool has_service(const SparqlOp *op) {
  if (op->kind == SPARQL_OP_JOIN) return has_service(op->a) || has_service(op->b);
  return op->kind == SPARQL_OP_SERVICE;
}

/* Operators that can extend given rows (bind join) without changing the
 * meaning: joins of patterns; anything else inside them runs on its own.
 * Not a group with a SERVICE: row by row, that would be one request per
 * row; evaluated whole, it sends its rows in batches. */
bool exec_pure(const SparqlOp *op) {
  return op->kind == SPARQL_OP_BGP || op->kind == SPARQL_OP_PATH ||
         (op->kind == SPARQL_OP_JOIN && !has_service(op));
}

typedef struct {
  const SparqlOp *op;         /* a PATH or OTHER operator; NULL for a triple */
  const SparqlTriple *t;      /* the triple of pat */
  Pat pat;                    /* a triple pattern */
  Table table;                /* a VALUES table, evaluated up front */
  uint64_t tvars;             /* its variables (first 64) */
  uint64_t tbound;            /* those bound in every row of the table (not UNDEF) */
  double fan[2];              /* a path's rows from its bound subject, object */
  double cost;                /* leaf_cost() given what is bound, when costed */
  bool is_table, done, costed;
} Leaf;

typedef struct {
  Leaf *v;
  size_t n, cap;
} Leaves;

/* Rows path p yields from one bound end (the subject's when from_s), by
 * the predicates' counters as for a triple pattern: alternatives add,
 * sequences multiply, inverses swap the ends. Closures and negated sets
 * are a guess. */
static double path_fan(Exec *x, const SparqlPath *p, bool from_s) {
  switch (p->kind) {
  case SPARQL_PATH_LINK: {
    TrineId id;
    uint64_t c[3];
    if (exec_const_id(x, &p->iri, &id)) return 0; /* not in the store (or an error, met later) */
    exec_stat(x, id, false, c);
    uint64_t ends = from_s ? c[1] : c[2];
    return ends ? (double)c[0] / (double)ends : 0;
  }
  case SPARQL_PATH_INV: return path_fan(x, p->a, !from_s);
  case SPARQL_PATH_ALT: return path_fan(x, p->a, from_s) + path_fan(x, p->b, from_s);
  case SPARQL_PATH_SEQ: return path_fan(x, p->a, from_s) * path_fan(x, p->b, from_s);
  case SPARQL_PATH_OPT: return 1 + path_fan(x, p->a, from_s);
  default: return 20;
  }
}

static TrineStatus add_leaf(Exec *x, Leaves *l, const SparqlOp *op, const SparqlTriple *t) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    Leaf *v = realloc(l->v, cap * sizeof *v);
    if (!v) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    l->v = v;
    l->cap = cap;
  }
  Leaf *leaf = &l->v[l->n++];
  *leaf = (Leaf){.op = op, .t = t};
  if (op && op->kind == SPARQL_OP_PATH) {
    leaf->fan[0] = path_fan(x, op->path, true);
    leaf->fan[1] = path_fan(x, op->path, false);
  }
  return t ? exec_pat_make(x, t, &leaf->pat) : TRINE_OK;
}

static TrineStatus collect_leaves(Exec *x, const SparqlOp *op, Leaves *l) {
  switch (op->kind) {
  case SPARQL_OP_JOIN: {
    TrineStatus st = collect_leaves(x, op->a, l);
    return st ? st : collect_leaves(x, op->b, l);
  }
  case SPARQL_OP_BGP:
    for (size_t i = 0; i < op->ntriples; ++i) {
      TrineStatus st = add_leaf(x, l, NULL, &op->triples[i]);
      if (st) return st;
    }
    return TRINE_OK;
  default:
    return add_leaf(x, l, op, NULL);
  }
}

static bool slot_bound(const SparqlSlot *s, uint64_t bound) {
  return s->var == SPARQL_NO_VAR || exec_bit(&bound, s->var);
}

/* Rows a pattern or path yields per input row given the bound variables
 * (a leaf sharing no bound variable makes a cross product: its full size
 * counts, which is what the estimate of an unbound pattern is). */
static double leaf_cost(Exec *x, const Leaf *l, uint64_t bound, GCtx gc) {
  if (!l->op) return exec_estimate(x, &l->pat, &bound, gc);
  bool sb = slot_bound(&l->op->path_s, bound), ob = slot_bound(&l->op->path_o, bound);
  return sb && ob ? 1 : sb ? l->fan[0] : ob ? l->fan[1] : 1e7;
}

/* leaf_cost(), kept until a variable of the leaf becomes bound (the
 * caller clears costed): a group of 100,000 patterns would otherwise
 * estimate every pattern at every step, 10^10 estimates. */
static double cost_of(Exec *x, Leaf *l, uint64_t bound, GCtx gc) {
  if (!l->costed) {
    l->cost = leaf_cost(x, l, bound, gc);
    l->costed = true;
  }
  return l->cost;
}

static bool leaf_uses(const Leaf *l, uint64_t vars) {
  if (l->is_table) return l->tvars & vars;
  for (int j = 0; j < 3 && !l->op; ++j)
    if (l->pat.var[j] < 64 && (vars >> l->pat.var[j] & 1)) return true;
  if (l->op && l->op->kind == SPARQL_OP_PATH) {
    uint32_t a = l->op->path_s.var, b = l->op->path_o.var;
    return (a < 64 && (vars >> a & 1)) || (b < 64 && (vars >> b & 1));
  }
  return false;
}

/* A VALUES table binds its variables: worth it first when a pattern then
 * becomes cheap (lookahead by one step); once its variables are bound it
 * only filters. */
static double table_cost(Exec *x, const Leaves *ls, const Leaf *t, uint64_t bound, GCtx gc) {
  if ((t->tvars & ~bound) == 0) return 1;
  double best = -1;
  for (size_t i = 0; i < ls->n; ++i) {
    const Leaf *l = &ls->v[i];
    if (l->done || l->is_table || (l->op && l->op->kind != SPARQL_OP_PATH)) continue;
    if (!leaf_uses(l, t->tvars)) continue;
    double c = leaf_cost(x, l, bound | t->tbound, gc);
    if (best < 0 || c < best) best = c;
  }
  /* Its own rows count as well: they are made before the pattern runs. */
  double rows = (double)t->table.n;
  return best < 1 ? rows : rows * best;
}

/* best again, when the cheapest leaf (best, at *cost per row) is
 * estimated from a large average: the triple patterns estimated within 4x
 * of it have their constants counted, since classes alike on average may
 * differ a hundredfold (LUBM q2's 189 departments and 24,019 graduate
 * students, both 14,658 by the average), and the cheapest is chosen. */
static size_t recount_best(Exec *x, const Leaves *l, size_t best, uint64_t bound, GCtx gc,
                           double *cost) {
  if (best == l->n || *cost < COUNT_BELOW) return best;
  double limit = 4 * *cost, best_cost = 0;
  size_t b = l->n;
  for (size_t i = 0; i < l->n; ++i) {
    const Leaf *lf = &l->v[i];
    if (lf->done) continue;
    double c = lf->is_table ? table_cost(x, l, lf, bound, gc) : leaf_cost(x, lf, bound, gc);
    if (!lf->is_table && !lf->op && c <= limit) c = exec_estimate_counted(x, &lf->pat, &bound, gc);
    if (b == l->n || c < best_cost) {
      b = i;
      best_cost = c;
    }
  }
  *cost = best_cost;
  return b;
}

static void leaf_vars(const Leaf *l, uint64_t *set) {
  if (l->is_table) { /* an UNDEF leaves a variable unbound: filters wait */
    *set |= l->tbound;
    return;
  }
  if (!l->op) {
    for (int j = 0; j < 3; ++j)
      if (l->pat.var[j] < 64) *set |= UINT64_C(1) << l->pat.var[j];
    return;
  }
  if (l->op->path_s.var < 64) *set |= UINT64_C(1) << l->op->path_s.var;
  if (l->op->path_o.var < 64) *set |= UINT64_C(1) << l->op->path_o.var;
}

/* The star led by leaf best (chosen to run next; probe: whether it probes)
 * from rows binding bound: best and the patterns on its subject that
 * yield at most two rows each, in star[0..n); 1 when there is no star. */
static size_t star_of(Exec *x, Leaves *l, size_t best, bool probe, uint64_t bound, GCtx gc,
                      size_t star[STAR_MAX]) {
  size_t n = 1;
  star[0] = best;
  const Pat *head = &l->v[best].pat;
  if (!probe || l->v[best].op || l->v[best].is_table || !exec_star_member(head, bound) ||
      head->var[2] >= 64 || !(gc.one || x->ndflt == 1))
    return n;
  uint64_t objs = UINT64_C(1) << head->var[2];
  for (size_t i = 0; i < l->n && n < STAR_MAX; ++i) {
    Leaf *c = &l->v[i];
    if (i == best || c->done || c->op || c->is_table || !exec_star_member(&c->pat, bound) ||
        c->pat.var[0] != head->var[0] || c->pat.var[2] >= 64 || (objs >> c->pat.var[2] & 1) ||
        cost_of(x, c, bound, gc) > 2)
      continue;
    objs |= UINT64_C(1) << c->pat.var[2];
    star[n++] = i;
  }
  return n;
}

/* Quads a path of links, inverse links and alternatives reads when it is
 * scanned whole, and its number of links; false for other paths
 * (sequences and closures make more pairs than they read). */
static bool path_links(Exec *x, const SparqlPath *p, double *quads, int *links) {
  switch (p->kind) {
  case SPARQL_PATH_LINK: {
    TrineId id;
    uint64_t c[3] = {0, 0, 0};
    if (exec_const_id(x, &p->iri, &id) == TRINE_OK) exec_stat(x, id, false, c);
    *quads += (double)c[0];
    ++*links;
    return true;
  }
  case SPARQL_PATH_INV:
    return path_links(x, p->a, quads, links);
  case SPARQL_PATH_ALT:
    return path_links(x, p->a, quads, links) && path_links(x, p->b, quads, links);
  default:
    return false;
  }
}

/* The one variable leaf l leaves unbound given bound, when it has exactly
 * one, in one position, and reads as a list of its values from the rest
 * (a triple pattern, or a path of links, inverse links and alternatives
 * from a bound end); NO_VAR otherwise. *links: the index ranges it reads. */
static uint32_t isect_var(Exec *x, const Leaf *l, uint64_t bound, int *links) {
  uint32_t v = SPARQL_NO_VAR;
  double quads = 0;
  *links = 0;
  if (l->is_table || l->done || (l->op && l->op->kind != SPARQL_OP_PATH)) return v;
  if (l->op) {
    uint32_t sv = l->op->path_s.var, ov = l->op->path_o.var;
    bool sb = slot_bound(&l->op->path_s, bound), ob = slot_bound(&l->op->path_o, bound);
    if (sb == ob || sv == ov || !path_links(x, l->op->path, &quads, links)) return v;
    return sb ? ov : sv;
  }
  for (int j = 0; j < 3; ++j) {
    uint32_t var = l->pat.var[j];
    if (var == SPARQL_NO_VAR || exec_bit(&bound, var)) continue;
    if (v != SPARQL_NO_VAR) return SPARQL_NO_VAR; /* two unbound positions */
    v = var;
  }
  *links = 1;
  return v;
}

/* Patterns to join with leaf best (chosen next, probing) in one
 * intersection step: those whose only unbound variable is best's, each
 * worth reading as a list of its values (their cost per row, plus a
 * descent per index range) rather than checking each row best makes
 * against it. A check probes per index range; a pattern's probes come in
 * order when best makes several values per row (they ascend), a path's
 * are walked one by one. legs[0] is best; returns how many (1: no
 * intersection). */
static size_t isect_of(Exec *x, const Leaves *l, size_t best, uint64_t bound, GCtx gc,
                       double best_cost, size_t legs[ISECT_MAX]) {
  int links;
  legs[0] = best;
  uint32_t v = isect_var(x, &l->v[best], bound, &links);
  if (v == SPARQL_NO_VAR || v >= 64 || best_cost < 2) return 1;
  size_t n = 1;
  for (size_t i = 0; i < l->n && n < ISECT_MAX; ++i) {
    if (i == best || isect_var(x, &l->v[i], bound, &links) != v) continue;
    double list = leaf_cost(x, &l->v[i], bound, gc) + links * PROBE_JUMPING;
    double probe = !l->v[i].op && best_cost >= 8 ? PROBE_IN_ORDER : PROBE_JUMPING;
    if (list < best_cost * links * probe) legs[n++] = i;
  }
  return n;
}

/* Extend cur with a path from each row's bound end (path_extend()), or,
 * when that many probes (one per link) would cost more than reading every
 * link, stream all its pairs past a hash of the rows, as exec_step_pattern()
 * does for a triple pattern. */
static TrineStatus step_path(Exec *x, const SparqlOp *op, GCtx gc, const Table *cur,
                             uint64_t shared,
                             SparqlExpr *const *fl, size_t nf, Table *next,
                             const char **method) {
  *method = "path";
  uint32_t sv = op->path_s.var, ov = op->path_o.var;
  bool sb = sv != SPARQL_NO_VAR && exec_bit(&shared, sv);
  bool ob = ov != SPARQL_NO_VAR && exec_bit(&shared, ov);
  double quads = 0, n = (double)cur->n;
  int links = 0;
  if (x->emit_cap || cur->n < 64 || sv == SPARQL_NO_VAR || ov == SPARQL_NO_VAR || sv == ov ||
      sb == ob || !path_links(x, op->path, &quads, &links))
    return path_extend(x, op, gc, cur, fl, nf, next);
  double probe = exec_mostly_ascending(cur, sb ? sv : ov) ? PROBE_IN_ORDER : PROBE_JUMPING;
  if (n * probe * links <= quads + 2 * n) return path_extend(x, op, gc, cur, fl, nf, next);
  *method = "scan+hash join path";
  return path_hash_join(x, op, gc, cur, sb ? sv : ov, fl, nf, next);
}

/* The cheapest leaf not done (l->n: none left), into *cost: a VALUES
 * table by table_cost(), the others by their (kept) cost_of(). */
static size_t cheapest_leaf(Exec *x, Leaves *l, uint64_t bound, GCtx gc, double *cost) {
  size_t best = l->n;
  for (size_t i = 0; i < l->n; ++i) {
    if (l->v[i].done) continue;
    double c = l->v[i].is_table ? table_cost(x, l, &l->v[i], bound, gc)
                                : cost_of(x, &l->v[i], bound, gc);
    if (best == l->n || c < *cost) {
      best = i;
      *cost = c;
    }
  }
  return best;
}

/* Variables became bound (was -> bound): the costs of the leaves left
 * that use one of them are computed again. */
static void recost_leaves(Leaves *l, uint64_t was, uint64_t bound) {
  for (size_t i = 0; i < l->n && bound != was; ++i)
    if (!l->v[i].done && leaf_uses(&l->v[i], bound ^ was)) l->v[i].costed = false;
}

const SparqlTriple *exec_group_first(Exec *x, const SparqlOp *op, GCtx gc, uint64_t bound,
                                     double *est, TrineStatus *st) {
  Leaves l = {0};
  const SparqlTriple *first = NULL;
  *st = collect_leaves(x, op, &l);
  size_t best = l.n;
  double best_cost = 0;
  for (size_t i = 0; i < l.n && !*st; ++i) {
    double c = leaf_cost(x, &l.v[i], bound, gc);
    if (best == l.n || c < best_cost) {
      best = i;
      best_cost = c;
    }
  }
  if (!*st) best = recount_best(x, &l, best, bound, gc, &best_cost);
  if (!*st && best < l.n && !l.v[best].op) first = l.v[best].t;
  *est = best_cost;
  free(l.v);
  return first;
}

double exec_group_rows(Exec *x, const SparqlOp *op, GCtx gc, uint64_t bound,
                       const SparqlTriple *first, double est, TrineStatus *st) {
  Leaves l = {0};
  *st = collect_leaves(x, op, &l);
  for (size_t i = 0; i < l.n && !*st; ++i)
    if (l.v[i].t == first) leaf_vars(&l.v[i], &bound), l.v[i].done = true;
  /* The cheapest leaf next, as the plan goes; costs kept until a variable
   * of the leaf is bound. */
  for (size_t left = l.n - 1; left > 0 && !*st; --left) {
    double cost = 0;
    size_t best = cheapest_leaf(x, &l, bound, gc, &cost);
    if (best == l.n) break;
    if (cost > 1) est *= cost;
    l.v[best].done = true;
    uint64_t was = bound;
    leaf_vars(&l.v[best], &bound);
    recost_leaves(&l, was, bound);
  }
  free(l.v);
  return est;
}

/* Whether every variable of a VALUES table is bound in every row so far
 * and in every row of the table: joining then only keeps rows (once per
 * equal table row), it binds nothing. */
static bool values_bound(const Leaf *t, uint64_t bound) {
  if (t->tvars & ~bound || t->op->nvars > 64) return false;
  for (size_t r = 0; r < t->table.n; ++r)
    for (size_t c = 0; c < t->op->nvars; ++c)
      if (!exec_row(&t->table, r)[t->op->vars[c]]) return false;
  return true;
}

/* The join of cur with a VALUES table whose variables cur binds: each row
 * of cur once per table row equal to it on those variables. */
static TrineStatus match_values(Exec *x, const Table *cur, const Leaf *t, SparqlExpr *const *fl,
                                size_t nf, Table *next) {
  exec_table_init(next, x->width);
  const Table *v = &t->table;
  TrineStatus st = TRINE_OK;
  /* A big table is hashed on its variables (its rows bind them all). */
  RowHash h = {0};
  if (v->n > 8 && t->op->nvars <= 8 && (size_t)__builtin_popcountll(t->tvars) == t->op->nvars)
    st = rowhash_init(x, &h, v, t->tvars);
  for (size_t r = 0; r < cur->n && !st; ++r) {
    if ((r & 63) == 0 && (st = exec_check_limits(x))) break;
    const TrineId *row = exec_row(cur, r);
    if (h.head) {
      TrineId vals[8];
      for (size_t k = 0; k < h.nkey; ++k) vals[k] = row[h.key[k]];
      for (size_t j = rowhash_find(&h, vals); j != SIZE_MAX && !st; j = rowhash_next(&h, j, vals))
        st = exec_emit(x, next, row, fl, nf);
      continue;
    }
    for (size_t j = 0; j < v->n && !st; ++j) {
      const TrineId *vr = exec_row(v, j);
      bool eq = true;
      for (size_t c = 0; c < t->op->nvars && eq; ++c)
        eq = row[t->op->vars[c]] == vr[t->op->vars[c]];
      if (eq) st = exec_emit(x, next, row, fl, nf);
    }
  }
  rowhash_free(x, &h);
  return st;
}

/* Whether no two rows of a VALUES table are equal on its variables (then
 * a row of cur matches at most one of them). Checked for small tables. */
static bool values_distinct(const Leaf *t) {
  const Table *v = &t->table;
  if (v->n > 64) return false;
  for (size_t i = 0; i < v->n; ++i)
    for (size_t j = 0; j < i; ++j) {
      bool eq = true;
      for (size_t c = 0; c < t->op->nvars && eq; ++c)
        eq = exec_row(v, i)[t->op->vars[c]] == exec_row(v, j)[t->op->vars[c]];
      if (eq) return false;
    }
  return true;
}

/* match_values() on a table of distinct rows, in place: cur keeps the rows
 * equal to one of them that pass the filters, in order; no copy is made. */
static TrineStatus keep_values(Exec *x, Table *cur, const Leaf *t, SparqlExpr *const *fl,
                               size_t nf) {
  size_t k = 0;
  for (size_t r = 0; r < cur->n; ++r) {
    TrineId *row = exec_row(cur, r);
    if (!exec_values_has(&t->table, t->op, row)) continue;
    if (nf) {
      bool pass;
      TrineStatus st = expr_filter(&x->ex, fl, nf, row, &pass);
      if (st) return st;
      if (!pass) continue;
    }
    if (k != r) memcpy(exec_row(cur, k), row, cur->width * sizeof *row);
    if (++k == x->emit_cap) break;
  }
  cur->n = k;
  return TRINE_OK;
}

/* A step's status is a failure, not its stop at the row cap. */
static bool failed(TrineStatus st) { return st && st != TRINE_DONE; }

/* The rows a step made: those in next, and those a sink took (only
 * from the last step). */
static uint64_t made(const Sink *sink, const Table *next) {
  return next->n + (sink ? sink->rows : 0);
}

/* The intersection of legs[0..n) (isect_of()'s) from the rows of cur. */
static TrineStatus step_intersect(Exec *x, const Leaves *l, const size_t *legs, size_t n,
                                  uint64_t bound, GCtx gc, const Table *cur,
                                  SparqlExpr *const *fl, size_t nf, Table *next) {
  IsectLeg iv[ISECT_MAX];
  for (size_t i = 0; i < n; ++i) {
    const Leaf *lf = &l->v[legs[i]];
    iv[i] = (IsectLeg){lf->op ? NULL : &lf->pat, lf->op};
  }
  int links;
  uint32_t v = isect_var(x, &l->v[legs[0]], bound, &links);
  return exec_step_intersect(x, iv, n, v, gc, cur, fl, nf, next);
}

/* The profile's line of an intersection: its variable and its patterns,
 * estimated as the first pattern's rows checked against the others. */
static void prof_intersect(Exec *x, const Leaves *l, const size_t *legs, size_t n,
                           uint64_t bound, uint64_t after, GCtx gc, double best_cost,
                           const Table *cur, uint64_t rows, double t0) {
  if (!x->profile) return;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  double est = best_cost * (double)cur->n;
  int links;
  if (f) exec_slot_text(x, f, isect_var(x, &l->v[legs[0]], bound, &links), 0);
  for (size_t i = 0; i < n; ++i) {
    const Leaf *lf = &l->v[legs[i]];
    if (i) est *= leaf_cost(x, lf, after, gc);
    if (!f) continue;
    fputs(lf->op ? " path" : " (", f);
    for (int j = 0; j < 3 && !lf->op; ++j) exec_slot_text(x, f, lf->pat.var[j], lf->pat.id[j]);
    if (!lf->op) fputc(')', f);
  }
  if (f) fclose(f);
  const Leaf *first = &l->v[legs[0]];
  const char *site = first->op ? (const char *)first->op : (const char *)&first->pat;
  exec_prof_count(x, exec_prof_site(x, site + 2, est, "intersect%s", text ? text : ""), rows,
                  t0);
  free(text);
}

static TrineStatus join_group(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                              SparqlExpr *const *filters, size_t nfilters, bool defer,
                              Table *out) {
  Leaves l = {0};
  size_t want = x->want; /* for this group only, not the ones inside it */
  x->want = 0;
  Sink *sink = x->sink, *outer = x->draining;
  x->sink = NULL;
  bool saved_in = x->in_graph;
  TrineId saved_g = x->graph;
  /* per filter: its variables, whether it has dynamic ones, whether it is
   * done, and the list to apply; one block (fvars) for the four */
  size_t nf = nfilters + 1;
  uint64_t *fvars = calloc(1, nf * (sizeof(uint64_t) + sizeof(SparqlExpr *) + 2 * sizeof(bool)));
  SparqlExpr **fl = fvars ? (SparqlExpr **)(fvars + nf) : NULL;
  bool *fdyn = fvars ? (bool *)(fl + nf) : NULL, *fdone = fvars ? fdyn + nf : NULL;
  TrineStatus st = fvars ? collect_leaves(x, op, &l)
                         : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t f = 0; fvars && f < nfilters; ++f) expr_vars(filters[f], &fvars[f], &fdyn[f]);
  Table cur = {0};
  bool own = false;
  if (!st && in) cur = *in;
  else if (!st) { st = exec_unit_table(x, &cur); own = true; }
  /* Operators that are not patterns: on their own, then joined (VALUES
   * tables join when the plan says). */
  for (size_t i = 0; i < l.n && !st; ++i) {
    if (!l.v[i].op || l.v[i].op->kind == SPARQL_OP_PATH) continue;
    if (defer && l.v[i].op->kind == SPARQL_OP_SERVICE) {
      l.v[i].done = true; /* the caller joins it with the rows made here */
      continue;
    }
    Table t, joined;
    if ((st = exec_op(x, l.v[i].op, gc, &t))) break;
    if (l.v[i].op->kind == SPARQL_OP_TABLE) {
      l.v[i].is_table = true;
      l.v[i].table = t;
      l.v[i].tvars = 0;
      for (size_t c = 0; c < l.v[i].op->nvars; ++c)
        if (l.v[i].op->vars[c] < 64) l.v[i].tvars |= UINT64_C(1) << l.v[i].op->vars[c];
      l.v[i].tbound = l.v[i].tvars & exec_certain_vars(&t);
      continue;
    }
    st = exec_join_tables(x, &cur, &t, &joined);
    exec_table_release(x, &t);
    if (own) exec_table_release(x, &cur);
    cur = joined;
    own = true;
    l.v[i].done = true;
  }
  size_t left = 0; /* leaves not done */
  for (size_t i = 0; i < l.n; ++i) left += !l.v[i].done;
  x->in_graph = gc.one;
  x->graph = gc.g;
  /* Variables bound in every row: a pattern or path step binds its own. */
  uint64_t bound = st ? 0 : exec_certain_vars(&cur);
  for (;;) {
    if (st) break;
    double best_cost = 0;
    size_t best = cheapest_leaf(x, &l, bound, gc, &best_cost);
    best = recount_best(x, &l, best, bound, gc, &best_cost);
    /* A triple pattern probes from each row or scans; patterns on its
     * subject join a probing one in one step (a star). */
    bool probing = true;
    IndexId pref = IDX_COUNT;
    if (best < l.n && !l.v[best].op && !l.v[best].is_table &&
        (st = exec_probe_wins(x, &l.v[best].pat, gc, &cur, bound, &probing, &pref)))
      break;
    size_t star[STAR_MAX], nstar = best < l.n ? star_of(x, &l, best, probing, bound, gc, star) : 1;
    /* Or patterns that bind only best's new variable: intersected. */
    size_t legs[ISECT_MAX], nisect = 1;
    if (best < l.n && nstar == 1 && probing)
      nisect = isect_of(x, &l, best, bound, gc, best_cost, legs);
    /* Filters whose variables this step completes (the rest at the end). */
    uint64_t after = bound;
    for (size_t i = 0; i < nstar && best < l.n; ++i) {
      leaf_vars(&l.v[star[i]], &after);
      l.v[star[i]].done = i > 0;
      left -= i > 0;
    }
    for (size_t i = 1; i < nisect; ++i) {
      leaf_vars(&l.v[legs[i]], &after);
      l.v[legs[i]].done = true;
      left--;
    }
    /* A VALUES table the star completes is matched as it makes its rows. */
    size_t fold = l.n;
    for (size_t i = 0; i < l.n && nstar > 1 && fold == l.n; ++i)
      if (!l.v[i].done && l.v[i].is_table && values_bound(&l.v[i], after) &&
          values_distinct(&l.v[i]))
        fold = i;
    if (fold < l.n) l.v[fold].done = true, left--;
    bool last = left == (best < l.n);
    size_t nf = 0;
    for (size_t f = 0; f < nfilters; ++f) {
      if (fdone[f]) continue;
      if (last || (!fdyn[f] && (fvars[f] & ~after) == 0)) {
        fl[nf++] = filters[f];
        fdone[f] = true;
      }
    }
    Table next;
    exec_table_init(&next, x->width);
    double t0 = exec_prof_clock(x);
    /* Only the first rows wanted (LIMIT over this group): the last step
     * stops making rows once it has them. */
    if (last && want) x->emit_cap = want;
    /* Or a consumer takes them as they come (rows stays 0 until then). */
    if (last && sink) {
      sink->buf = &next;
      x->draining = sink;
    }
    if (best == l.n) { /* no pattern left: just the filters */
      exec_table_init(&next, x->width);
      for (size_t r = 0; r < cur.n && !st; ++r)
        st = exec_emit(x, &next, exec_row(&cur, r), fl, nf);
    } else if (l.v[best].is_table && values_bound(&l.v[best], bound)) {
      size_t e = exec_prof_site(x, (const char *)l.v[best].op + 1, best_cost * (double)cur.n,
                           "match values (%zu rows)", l.v[best].table.n);
      if (own && values_distinct(&l.v[best])) { /* the rows stay where they are */
        st = keep_values(x, &cur, &l.v[best], fl, nf);
        next = cur;
        cur = (Table){0};
      } else {
        st = match_values(x, &cur, &l.v[best], fl, nf, &next);
      }
      exec_prof_count(x, e, failed(st) ? 0 : made(sink, &next), t0);
    } else if (l.v[best].is_table) {
      Table joined;
      /* site: next to the TABLE node, whose own entry counts its rows */
      size_t e = exec_prof_site(x, (const char *)l.v[best].op + 1, best_cost * (double)cur.n,
                           "join values (%zu rows)",
                           l.v[best].table.n);
      st = exec_join_tables(x, &cur, &l.v[best].table, &joined);
      exec_prof_count(x, e, failed(st) ? 0 : joined.n, t0);
      exec_table_init(&next, x->width);
      for (size_t r = 0; r < joined.n && !st; ++r)
        st = exec_emit(x, &next, exec_row(&joined, r), fl, nf);
      exec_table_release(x, &joined);
    } else if (nisect > 1) {
      st = step_intersect(x, &l, legs, nisect, bound, gc, &cur, fl, nf, &next);
      if (!failed(st)) prof_intersect(x, &l, legs, nisect, bound, after, gc, best_cost, &cur,
                                      made(sink, &next), t0);
    } else if (nstar > 1) {
      const Pat *pats[STAR_MAX];
      double est = (double)cur.n;
      for (size_t i = 0; i < nstar; ++i) {
        pats[i] = &l.v[star[i]].pat;
        est *= leaf_cost(x, &l.v[star[i]], bound, gc);
      }
      const Leaf *v = fold < l.n ? &l.v[fold] : NULL;
      st = exec_step_star(x, pats, nstar, gc, &cur, v ? &v->table : NULL, v ? v->op : NULL, fl, nf,
                       &next);
      if (x->profile && !failed(st)) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
          exec_slot_text(x, f, pats[0]->var[0], 0);
          for (size_t i = 0; i < nstar; ++i) {
            exec_slot_text(x, f, SPARQL_NO_VAR, pats[i]->id[1]);
            exec_slot_text(x, f, pats[i]->var[2], 0);
          }
          if (fold < l.n) fprintf(f, " matching values (%zu rows)", l.v[fold].table.n);
          fclose(f);
        }
        size_t e = exec_prof_site(x, pats[0], est, "star gspo%s", text ? text : "");
        exec_prof_count(x, e, made(sink, &next), t0);
        free(text);
      }
    } else if (!l.v[best].op) {
      const char *method = "probe";
      IndexId used = IDX_COUNT; /* index_choose()'s */
      st = exec_step_pattern(x, &l.v[best].pat, gc, &cur, bound, probing, pref, fl, nf, &next, &method,
                        &used);
      if (x->profile && !failed(st)) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        const Pat *pt = &l.v[best].pat;
        int prefix;
        unsigned mask = 1u << Q_G;
        bool probe = strcmp(method, "probe") == 0; /* a scan binds constants only */
        for (int j = 0; j < 3; ++j)
          if (pt->var[j] == SPARQL_NO_VAR || (probe && exec_bit(&bound, pt->var[j])))
            mask |= 1u << (j == 0 ? Q_S : j == 1 ? Q_P : Q_O);
        IndexId idx = index_choose(mask, true, &prefix);
        if (probe && used < IDX_COUNT) idx = used;
        if (f) {
          for (int j = 0; j < 3; ++j) exec_slot_text(x, f, pt->var[j], pt->id[j]);
          fclose(f);
        }
        size_t e = exec_prof_site(x, pt, best_cost * (double)cur.n, "%s %s%s", method,
                             index_name[idx], text ? text : "");
        exec_prof_count(x, e, made(sink, &next), t0);
        free(text);
      }
    } else {
      const char *method = "path";
      st = step_path(x, l.v[best].op, gc, &cur, bound, fl, nf, &next, &method);
      exec_prof_count(x, exec_prof_site(x, l.v[best].op, best_cost * (double)cur.n, "%s", method),
                 failed(st) ? 0 : made(sink, &next), t0);
    }
    x->emit_cap = 0;
    x->draining = outer;
    if (st == TRINE_DONE) st = TRINE_OK; /* stopped at the cap, or the sink's */
    if (own) exec_table_release(x, &cur);
    cur = next;
    own = true;
    if (st || best == l.n || last) break; /* the last step took every filter */
    l.v[best].done = true;
    left--;
    uint64_t was = bound;
    bound = l.v[best].is_table ? exec_certain_vars(&cur) : after;
    recost_leaves(&l, was, bound);
  }
  if (!st && !own) { /* nothing evaluated: copy the input */
    exec_table_init(out, x->width);
    for (size_t r = 0; r < cur.n && !st; ++r) st = exec_table_push(x, out, exec_row(&cur, r));
  } else if (!st) {
    *out = cur;
  } else if (own) {
    exec_table_release(x, &cur);
  }
  for (size_t i = 0; i < l.n; ++i)
    if (l.v[i].is_table) exec_table_release(x, &l.v[i].table);
  free(l.v);
  free(fvars); /* and fl, fdyn, fdone */
  x->in_graph = saved_in;
  x->graph = saved_g;
  return st;
}

/* The SERVICEs of op's group, each sent the rows of cur (replaced). */
static TrineStatus join_services(Exec *x, const SparqlOp *op, Table *cur,
                                 SparqlExpr *const *filters, size_t nfilters) {
  if (op->kind == SPARQL_OP_JOIN) {
    TrineStatus st = join_services(x, op->a, cur, NULL, 0);
    return st ? st : join_services(x, op->b, cur, filters, nfilters);
  }
  if (op->kind != SPARQL_OP_SERVICE) { /* the last operand may be a pattern */
    if (!nfilters) return TRINE_OK;
    Table next;
    exec_table_init(&next, x->width);
    TrineStatus st = TRINE_OK;
    for (size_t r = 0; r < cur->n && !st; ++r)
      st = exec_emit(x, &next, exec_row(cur, r), filters, nfilters);
    exec_table_release(x, cur);
    *cur = next;
    return st == TRINE_DONE ? TRINE_OK : st;
  }
  Table next;
  size_t e = exec_prof_site(x, op, -1, "service <%.*s> (%zu rows sent)",
                            (int)op->target.term.value_len, op->target.term.value, cur->n);
  double t0 = exec_prof_clock(x);
  TrineStatus st = service_join(x, op, cur, filters, nfilters, NULL, &next);
  exec_prof_count(x, e, st ? 0 : next.n, t0);
  exec_table_release(x, cur);
  *cur = st ? (Table){.width = x->width} : next;
  return st;
}

/* A group with SERVICEs: its patterns and other operators first, then a
 * bind join sends their rows to each endpoint (SPARQL_OP_SERVICE's VALUES),
 * then the filters, which may test what the endpoints bound. */
TrineStatus exec_join_group(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                            SparqlExpr *const *filters, size_t nfilters, Table *out) {
  if (!has_service(op)) return join_group(x, op, gc, in, filters, nfilters, false, out);
  x->sink = NULL; /* a sink is handed the whole table by its caller instead */
  x->want = 0;
  TrineStatus st = join_group(x, op, gc, in, NULL, 0, true, out);
  if (st) return st;
  st = join_services(x, op, out, filters, nfilters);
  if (st) exec_table_release(x, out);
  return st;
}

TrineStatus exec_leftjoin_rows(Exec *x, const SparqlOp *op, GCtx gc, const Table *ta, Table *out) {
  exec_table_init(out, x->width);
  TrineStatus st = TRINE_OK;
  for (size_t i = 0; i < ta->n && !st; ++i) {
    if ((st = exec_check_limits(x))) break;
    const TrineId *ra = exec_row(ta, i);
    Table one = {.rows = (TrineId *)ra, .n = 1, .cap = 1, .width = x->width}, ext;
    if ((st = exec_join_group(x, op->b, gc, &one, op->exprs, op->nexprs, &ext))) break;
    for (size_t j = 0; j < ext.n && !st; ++j) st = exec_table_push(x, out, exec_row(&ext, j));
    if (!st && ext.n == 0) st = exec_table_push(x, out, ra);
    exec_table_release(x, &ext);
  }
  if (st) exec_table_release(x, out);
  return st;
}

/* OPTIONAL { SERVICE ... }: the left rows sent to the endpoint, those
 * that matched nothing kept as they are. Takes ta. */
static TrineStatus leftjoin_service(Exec *x, const SparqlOp *op, Table *ta, Table *out) {
  bool *matched = calloc(ta->n + 1, sizeof *matched);
  TrineStatus st = matched ? service_join(x, op->b, ta, op->exprs, op->nexprs, matched, out)
                           : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < ta->n && !st; ++i)
    if (!matched[i]) st = exec_table_push(x, out, exec_row(ta, i));
  if (st) exec_table_release(x, out);
  free(matched);
  exec_table_release(x, ta);
  return st;
}

TrineStatus exec_leftjoin(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table ta, tb = {0};
  TrineStatus st = exec_op(x, op->a, gc, &ta);
  if (st) return st;
  if (op->b->kind == SPARQL_OP_SERVICE) return leftjoin_service(x, op, &ta, out);
  if (exec_pure(op->b)) { /* a bind join: the group extends each row */
    st = exec_leftjoin_rows(x, op, gc, &ta, out);
    exec_table_release(x, &ta);
    return st;
  }
  st = exec_op(x, op->b, gc, &tb);
  exec_table_init(out, x->width);
  TrineId *tmp = malloc((x->width + 1) * sizeof *tmp);
  if (!tmp && !st) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  /* The right side evaluated on its own: hashed on the variables both
   * sides bind in every row, when there are such (as MINUS does). */
  uint64_t keys = !st && ta.n && tb.n > 8 ? exec_certain_vars(&ta) & exec_certain_vars(&tb) : 0;
  RowHash h = {0};
  if (keys) st = rowhash_init(x, &h, &tb, keys);
  for (size_t i = 0; i < ta.n && !st; ++i) {
    if ((st = exec_check_limits(x))) break;
    const TrineId *ra = exec_row(&ta, i);
    bool matched = false;
    TrineId vals[8];
    for (size_t k = 0; k < h.nkey; ++k) vals[k] = ra[h.key[k]];
    for (size_t j = keys ? rowhash_find(&h, vals) : 0; j < tb.n && !st;
         j = keys ? rowhash_next(&h, j, vals) : j + 1) {
      const TrineId *rb = exec_row(&tb, j);
      if (!exec_compatible(ra, rb, x->width)) continue;
      exec_merge(tmp, ra, rb, x->width);
      bool pass = true;
      if (op->nexprs) st = expr_filter(&x->ex, op->exprs, op->nexprs, tmp, &pass);
      if (st || !pass) continue;
      matched = true;
      st = exec_table_push(x, out, tmp);
    }
    if (!st && !matched) st = exec_table_push(x, out, ra);
  }
  rowhash_free(x, &h);
  free(tmp);
  exec_table_release(x, &ta);
  exec_table_release(x, &tb);
  return st;
}

TrineStatus exec_filter(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  if (exec_pure(op->a)) /* filters run inside the group, as early as possible */
    return exec_join_group(x, op->a, gc, NULL, op->exprs, op->nexprs, out);
  Table in;
  TrineStatus st = exec_op(x, op->a, gc, &in);
  if (st) return st;
  exec_table_init(out, x->width);
  for (size_t i = 0; i < in.n && !st; ++i)
    st = exec_emit(x, out, exec_row(&in, i), op->exprs, op->nexprs);
  exec_table_release(x, &in);
  return st;
}
