/* translate.c -- syntax tree to SPARQL algebra (SPARQL 1.1 section 18.2),
 * with the static checks the spec asks for: blank node label scope, BIND
 * and SELECT expression scope, grouping rules, where aggregates may appear,
 * and the restrictions of update data and templates.
 *
 * Errors longjmp to p->fail: everything lives in the arena, so nothing
 * needs unwinding. Recursion follows the nesting of the text, which the
 * scanner bounds (SPARQL_MAX_DEPTH); left-deep chains are bounded by
 * SPARQL_MAX_TREE. */
#include "internal.h"

#include <stdarg.h>
#include <string.h>

#define FAIL(p, off, ...)                                                    \
  do {                                                                       \
    sparql_fail((p), (off), __VA_ARGS__);                                    \
    longjmp(*(p)->fail, 1);                                                  \
  } while (0)

static SparqlOp *group_op(Parser *p, Group *g);
static SparqlOp *select_op(Parser *p, Select *q);

/* ---- variable sets ---- */

typedef struct {
  uint64_t *w;
  size_t n; ///< variables covered
} Bits;

static Bits bits_new(Parser *p) {
  Bits b;
  b.n = p->vars.n;
  b.w = sparql_arena_alloc(p->arena, ((b.n + 63) / 64 + 1) * sizeof *b.w);
  return b;
}

static void bits_set(Bits b, uint32_t v) {
  if (v < b.n) b.w[v / 64] |= 1ull << (v % 64);
}

static bool bits_has(Bits b, uint32_t v) {
  return v < b.n && (b.w[v / 64] >> (v % 64)) & 1;
}

static void slot_scope(SparqlSlot s, Bits b) {
  if (s.term.kind == TRINE_TERM_NONE && s.var != SPARQL_NO_VAR) bits_set(b, s.var);
}

/* In-scope variables of an algebra expression (section 18.2.1). */
static void scope(const SparqlOp *op, Bits b) {
  switch (op->kind) {
  case SPARQL_OP_BGP:
    for (size_t i = 0; i < op->ntriples; i++) {
      slot_scope(op->triples[i].s, b);
      slot_scope(op->triples[i].p, b);
      slot_scope(op->triples[i].o, b);
    }
    break;
  case SPARQL_OP_PATH:
    slot_scope(op->path_s, b);
    slot_scope(op->path_o, b);
    break;
  case SPARQL_OP_JOIN: case SPARQL_OP_LEFTJOIN: case SPARQL_OP_UNION:
    scope(op->a, b);
    scope(op->b, b);
    break;
  case SPARQL_OP_GRAPH: case SPARQL_OP_SERVICE:
    slot_scope(op->target, b);
    scope(op->a, b);
    break;
  case SPARQL_OP_EXTEND:
    scope(op->a, b);
    bits_set(b, op->binds[0].var);
    break;
  case SPARQL_OP_GROUP:
    for (size_t i = 0; i < op->nbinds; i++) bits_set(b, op->binds[i].var);
    for (size_t i = 0; i < op->naggs; i++) bits_set(b, op->aggs[i].var);
    break;
  case SPARQL_OP_TABLE: case SPARQL_OP_PROJECT:
    for (size_t i = 0; i < op->nvars; i++) bits_set(b, op->vars[i]);
    break;
  default: /* MINUS, FILTER, TOMULTISET, ORDERBY, DISTINCT, REDUCED, SLICE */
    scope(op->a, b);
    break;
  }
}

/* ---- node construction ---- */

static SparqlOp *op_new(Parser *p, SparqlOpKind k, SparqlOp *a, SparqlOp *b,
                        size_t off) {
  SparqlOp *op = sparql_arena_alloc(p->arena, sizeof *op);
  op->kind = k;
  op->a = a;
  op->b = b;
  op->limit = -1;
  op->target.var = SPARQL_NO_VAR;
  op->depth = 1;
  if (a && a->depth + 1 > op->depth) op->depth = a->depth + 1;
  if (b && b->depth + 1 > op->depth) op->depth = b->depth + 1;
  if (op->depth > SPARQL_MAX_TREE) FAIL(p, off, "query too deeply nested: more than %d levels", SPARQL_MAX_TREE);
  return op;
}

static bool is_unit(const SparqlOp *op) {
  return op->kind == SPARQL_OP_BGP && op->ntriples == 0;
}

/* Join(Z, A) = A and Join(A, Z) = A (section 18.2.2.8). */
static SparqlOp *join(Parser *p, SparqlOp *g, SparqlOp *x, size_t off) {
  if (!g || is_unit(g)) return x;
  if (is_unit(x)) return g;
  return op_new(p, SPARQL_OP_JOIN, g, x, off);
}

static SparqlOp *unit(Parser *p) {
  return op_new(p, SPARQL_OP_BGP, NULL, NULL, 0);
}

/* ---- slots ---- */

static bool is_var(SparqlSlot s) { return s.term.kind == TRINE_TERM_NONE; }

static bool is_anon_label(const TrineTerm *t) { return t->value[0] == '.'; }

/* A blank node of a pattern becomes a variable; a label may only be used
 * in one basic graph pattern. */
static SparqlSlot pattern_slot(Parser *p, SparqlSlot s, size_t off) {
  if (s.term.kind != TRINE_TERM_BLANK) return s;
  bool fresh;
  MapEntry *e = sparql_map_put(&p->labels, p->arena, s.term.value, s.term.value_len, &fresh);
  if (fresh) {
    e->val = sparql_var_new(p, SPARQL_VAR_BNODE);
    e->aux = p->block;
  } else if (e->aux != p->block) {
    FAIL(p, off, "blank node label _:%s used in two basic graph patterns",
         s.term.value);
  }
  SparqlSlot v;
  memset(&v, 0, sizeof v);
  v.var = e->val;
  return v;
}

/* Template blank nodes are renamed b0, b1... in order of appearance. */
static SparqlSlot template_slot(Parser *p, Map *labels, unsigned *count,
                                SparqlSlot s) {
  if (s.term.kind != TRINE_TERM_BLANK) return s;
  bool fresh;
  MapEntry *e = sparql_map_put(labels, p->arena, s.term.value, s.term.value_len, &fresh);
  if (fresh) e->val = (*count)++;
  char buf[24];
  int n = snprintf(buf, sizeof buf, "b%u", e->val);
  s.term.value = sparql_arena_strndup(p->arena, buf, (size_t)n);
  s.term.value_len = (size_t)n;
  return s;
}

/* ---- expressions ---- */

typedef enum {
  AGG_NO,      ///< aggregates are an error here
  AGG_COLLECT  ///< aggregates become variables of the enclosing GROUP
} AggMode;

typedef struct {
  AggMode mode;
  VEC(SparqlAggregate) aggs;
} AggCtx;

static void fix_expr(Parser *p, SparqlExpr *e, AggCtx *ctx) {
  if (e->kind == SPARQL_EX_EXISTS || e->kind == SPARQL_EX_NOT_EXISTS) {
    /* the parser left the Group here; the pattern is translated in place */
    e->pattern = group_op(p, (Group *)(void *)e->pattern);
    return;
  }
  if (e->kind == SPARQL_EX_AGGREGATE) {
    if (!ctx || ctx->mode != AGG_COLLECT)
      FAIL(p, e->offset, "aggregate not allowed here");
    for (size_t i = 0; i < e->nargs; i++) fix_expr(p, e->args[i], NULL);
    SparqlExpr *agg = sparql_arena_alloc(p->arena, sizeof *agg);
    *agg = *e;
    SparqlAggregate a = {sparql_var_new(p, SPARQL_VAR_AGG), agg};
    VEC_PUSH(p->arena, ctx->aggs, a);
    memset(e, 0, sizeof *e);
    e->kind = SPARQL_EX_VAR;
    e->var = a.var;
    e->offset = agg->offset;
    e->depth = 1;
    return;
  }
  for (size_t i = 0; i < e->nargs; i++) fix_expr(p, e->args[i], ctx);
}

/* The first variable of e not in allowed (for grouping errors). */
static const SparqlExpr *free_var(const SparqlExpr *e, Bits allowed) {
  if (e->kind == SPARQL_EX_VAR) return bits_has(allowed, e->var) ? NULL : e;
  for (size_t i = 0; i < e->nargs; i++) {
    const SparqlExpr *f = free_var(e->args[i], allowed);
    if (f) return f;
  }
  return NULL;
}

static const char *vname(Parser *p, uint32_t v) { return p->vars.v[v].name; }

/* ---- triples and paths ---- */

typedef struct {
  SparqlOp *g;              ///< joined so far
  VEC(SparqlTriple) bgp;    ///< pending triples
  size_t off;
} Block;

static void flush_bgp(Parser *p, Block *b) {
  if (!b->bgp.n) return;
  SparqlOp *op = op_new(p, SPARQL_OP_BGP, NULL, NULL, b->off);
  op->triples = b->bgp.v;
  op->ntriples = b->bgp.n;
  b->g = join(p, b->g, op, b->off);
  memset(&b->bgp, 0, sizeof b->bgp);
}

/* One more triple pattern or path: within SPARQL_MAX_PATTERNS. */
static void count_patterns(Parser *p, size_t n, size_t off) {
  p->npatterns += n;
  if (p->npatterns > SPARQL_MAX_PATTERNS)
    FAIL(p, off, "too many triple patterns: more than %d in one request", SPARQL_MAX_PATTERNS);
}

static void add_triple(Parser *p, Block *b, SparqlSlot s, SparqlSlot pr,
                       SparqlSlot o) {
  count_patterns(p, 1, b->off);
  SparqlTriple t = {s, pr, o};
  VEC_PUSH(p->arena, b->bgp, t);
}

/* Section 18.2.2.4: links and inverse links become triples, sequences
 * introduce variables, everything else stays a path. */
static void path_triples(Parser *p, Block *b, SparqlSlot s, SparqlPath *path,
                         SparqlSlot o) {
  SparqlSlot pr;
  memset(&pr, 0, sizeof pr);
  pr.var = SPARQL_NO_VAR;
  switch (path->kind) {
  case SPARQL_PATH_LINK:
    pr.term = path->iri;
    add_triple(p, b, s, pr, o);
    return;
  case SPARQL_PATH_INV:
    if (path->a->kind == SPARQL_PATH_LINK) {
      pr.term = path->a->iri;
      add_triple(p, b, o, pr, s);
      return;
    }
    break;
  case SPARQL_PATH_SEQ: {
    SparqlSlot v;
    memset(&v, 0, sizeof v);
    v.var = sparql_var_new(p, SPARQL_VAR_PATH);
    path_triples(p, b, s, path->a, v);
    path_triples(p, b, v, path->b, o);
    return;
  }
  default:
    break;
  }
  flush_bgp(p, b);
  count_patterns(p, 1, b->off);
  SparqlOp *op = op_new(p, SPARQL_OP_PATH, NULL, NULL, b->off);
  op->path_s = s;
  op->path = path;
  op->path_o = o;
  b->g = join(p, b->g, op, b->off);
}

/* One basic graph pattern (triples blocks separated only by filters). */
static SparqlOp *triples_op(Parser *p, TripleList *lists, size_t nlists,
                            size_t off) {
  Block b;
  memset(&b, 0, sizeof b);
  b.off = off;
  p->block++;
  /* size the BGP once: large queries are mostly one BGP */
  size_t count = 0;
  for (size_t k = 0; k < nlists; k++)
    for (ATriple *t = lists[k].first; t; t = t->next) count++;
  b.bgp.v = sparql_arena_alloc(p->arena, count * sizeof *b.bgp.v);
  b.bgp.cap = count;
  for (size_t k = 0; k < nlists; k++)
    for (ATriple *t = lists[k].first; t; t = t->next) {
      SparqlSlot s = pattern_slot(p, t->s, t->offset);
      SparqlSlot o = pattern_slot(p, t->o, t->offset);
      if (t->path) path_triples(p, &b, s, t->path, o);
      else add_triple(p, &b, s, t->p, o);
    }
  flush_bgp(p, &b);
  return b.g ? b.g : unit(p);
}

/* ---- VALUES ---- */

static SparqlOp *values_op(Parser *p, Values *v, size_t off) {
  SparqlOp *op = op_new(p, SPARQL_OP_TABLE, NULL, NULL, off);
  op->vars = v->vars.v;
  op->nvars = v->vars.n;
  op->rows = v->cells.v;
  op->nrows = v->nrows;
  for (size_t i = 0; i < v->cells.n; i++)
    if (v->cells.v[i].term.kind == TRINE_TERM_NONE) op->rows[i].var = SPARQL_NO_VAR;
  return op;
}

/* ---- group graph patterns (section 18.2.2.6) ---- */

/* Whether a group holds a FILTER of its own (not only in nested groups). */
static bool has_own_filter(const Group *grp) {
  for (const Elem *e = grp->first; e; e = e->next)
    if (e->kind == E_FILTER) return true;
  return false;
}

static SparqlOp *group_op(Parser *p, Group *grp) {
  SparqlOp *g = NULL;
  VEC(SparqlExpr *) filters = {0};
  VEC(TripleList) pending = {0};
  size_t pending_off = 0;

  for (Elem *e = grp->first; e; e = e->next) {
    if (e->kind == E_TRIPLES) {
      if (!pending.n) pending_off = e->offset;
      VEC_PUSH(p->arena, pending, e->triples);
      continue;
    }
    if (e->kind == E_FILTER) {
      fix_expr(p, e->expr, NULL);
      VEC_PUSH(p->arena, filters, e->expr);
      continue;
    }
    if (pending.n) {
      g = join(p, g, triples_op(p, pending.v, pending.n, pending_off), pending_off);
      pending.n = 0;
    }
    switch (e->kind) {
    case E_OPTIONAL: {
      /* The left join's condition is the optional group's own filters: a
       * filter of a group nested in it (OPTIONAL { { P FILTER(F) } }) stays
       * inside, Filter(F, P), where the outer variables are not in scope.
       * 18.2.2.6 tests for Filter before 18.2.2.8 simplifies the group. */
      SparqlOp *a = group_op(p, e->group);
      bool cond = a->kind == SPARQL_OP_FILTER && has_own_filter(e->group);
      SparqlOp *lj = op_new(p, SPARQL_OP_LEFTJOIN, g ? g : unit(p), cond ? a->a : a, e->offset);
      if (cond) {
        lj->exprs = a->exprs;
        lj->nexprs = a->nexprs;
      }
      g = lj;
      break;
    }
    case E_MINUS:
      g = op_new(p, SPARQL_OP_MINUS, g ? g : unit(p), group_op(p, e->group), e->offset);
      break;
    case E_BIND: {
      fix_expr(p, e->expr, NULL);
      if (g) {
        Bits in = bits_new(p);
        scope(g, in);
        if (bits_has(in, e->var))
          FAIL(p, e->var_offset, "BIND to ?%s: variable already in scope",
               vname(p, e->var));
      }
      SparqlOp *x = op_new(p, SPARQL_OP_EXTEND, g ? g : unit(p), NULL, e->offset);
      x->binds = sparql_arena_alloc(p->arena, sizeof *x->binds);
      x->binds[0].var = e->var;
      x->binds[0].expr = e->expr;
      x->nbinds = 1;
      g = x;
      break;
    }
    case E_UNION: {
      SparqlOp *u = NULL;
      for (GroupList *l = e->alts; l; l = l->next) {
        SparqlOp *a = group_op(p, l->g);
        u = u ? op_new(p, SPARQL_OP_UNION, u, a, e->offset) : a;
      }
      g = join(p, g, u, e->offset);
      break;
    }
    case E_GROUP:
      g = join(p, g, group_op(p, e->group), e->offset);
      break;
    case E_GRAPH: case E_SERVICE: {
      SparqlOp *x = op_new(p, e->kind == E_GRAPH ? SPARQL_OP_GRAPH : SPARQL_OP_SERVICE,
                           group_op(p, e->group), NULL, e->offset);
      x->target = e->target;
      x->silent = e->silent;
      x->text = e->text;
      g = join(p, g, x, e->offset);
      break;
    }
    case E_VALUES:
      g = join(p, g, values_op(p, e->values, e->offset), e->offset);
      break;
    case E_SUBSELECT:
      g = join(p, g, op_new(p, SPARQL_OP_TOMULTISET, select_op(p, e->sub), NULL,
                            e->offset), e->offset);
      break;
    default:
      break;
    }
  }
  if (pending.n)
    g = join(p, g, triples_op(p, pending.v, pending.n, pending_off), pending_off);
  if (!g) g = unit(p);
  if (filters.n) {
    SparqlOp *f = op_new(p, SPARQL_OP_FILTER, g, NULL, 0);
    f->exprs = filters.v;
    f->nexprs = filters.n;
    g = f;
  }
  return g;
}

/* ---- queries (section 18.2.4) ---- */

static SparqlOp *select_op(Parser *p, Select *q) {
  SparqlOp *P = group_op(p, q->where);

  /* aggregates in SELECT, HAVING and ORDER BY become GROUP variables */
  AggCtx ctx;
  memset(&ctx, 0, sizeof ctx);
  ctx.mode = AGG_COLLECT;
  for (ProjItem *it = q->proj; it; it = it->next)
    if (it->expr) fix_expr(p, it->expr, &ctx);
  for (ExprItem *it = q->having; it; it = it->next) fix_expr(p, it->expr, &ctx);
  for (ExprItem *it = q->order; it; it = it->next) fix_expr(p, it->expr, &ctx);

  bool grouped = q->group_by || ctx.aggs.n || q->having;
  Bits allowed = {0};
  if (grouped) {
    if (q->star && q->form == SPARQL_SELECT)
      FAIL(p, q->star_offset, "SELECT * not allowed with GROUP BY");
    SparqlOp *g = op_new(p, SPARQL_OP_GROUP, P, NULL, q->group_offset);
    VEC(SparqlBind) keys = {0};
    for (ExprItem *it = q->group_by; it; it = it->next) {
      fix_expr(p, it->expr, NULL);
      SparqlBind k = {it->var, it->expr};
      VEC_PUSH(p->arena, keys, k);
    }
    g->binds = keys.v;
    g->nbinds = keys.n;
    g->aggs = ctx.aggs.v;
    g->naggs = ctx.aggs.n;
    P = g;
    if (q->having) {
      VEC(SparqlExpr *) hv = {0};
      for (ExprItem *it = q->having; it; it = it->next) VEC_PUSH(p->arena, hv, it->expr);
      SparqlOp *f = op_new(p, SPARQL_OP_FILTER, P, NULL, 0);
      f->exprs = hv.v;
      f->nexprs = hv.n;
      P = f;
    }
  }
  if (q->values) P = join(p, P, values_op(p, q->values, 0), 0);

  /* SELECT expressions, checked against what is in scope so far */
  VEC(uint32_t) proj = {0};
  Bits seen = bits_new(p);
  for (ProjItem *it = q->proj; it; it = it->next) {
    if (bits_has(seen, it->var))
      FAIL(p, it->offset, "variable ?%s projected twice", vname(p, it->var));
    if (grouped) {
      allowed = bits_new(p);
      scope(P, allowed);
      if (!it->expr && !bits_has(allowed, it->var))
        FAIL(p, it->offset, "variable ?%s not in GROUP BY", vname(p, it->var));
      const SparqlExpr *f = it->expr ? free_var(it->expr, allowed) : NULL;
      if (f) FAIL(p, f->offset, "variable ?%s not in GROUP BY", vname(p, f->var));
    }
    if (it->expr) {
      Bits in = bits_new(p);
      scope(P, in);
      if (bits_has(in, it->var))
        FAIL(p, it->offset, "variable ?%s already in scope", vname(p, it->var));
      SparqlOp *x = op_new(p, SPARQL_OP_EXTEND, P, NULL, it->offset);
      x->binds = sparql_arena_alloc(p->arena, sizeof *x->binds);
      x->binds[0].var = it->var;
      x->binds[0].expr = it->expr;
      x->nbinds = 1;
      P = x;
    }
    bits_set(seen, it->var);
    VEC_PUSH(p->arena, proj, it->var);
  }

  if (q->order) {
    SparqlOp *o = op_new(p, SPARQL_OP_ORDERBY, P, NULL, 0);
    VEC(SparqlOrderKey) keys = {0};
    for (ExprItem *it = q->order; it; it = it->next) {
      SparqlOrderKey k = {it->expr, it->desc};
      VEC_PUSH(p->arena, keys, k);
    }
    o->keys = keys.v;
    o->nkeys = keys.n;
    P = o;
  }

  if (q->form == SPARQL_SELECT) {
    if (q->star) {
      Bits in = bits_new(p);
      scope(P, in);
      for (uint32_t v = 0; v < in.n; v++)
        if (bits_has(in, v) && p->vars.v[v].kind == SPARQL_VAR_USER)
          VEC_PUSH(p->arena, proj, v);
    }
    SparqlOp *pr = op_new(p, SPARQL_OP_PROJECT, P, NULL, 0);
    pr->vars = proj.v;
    pr->nvars = proj.n;
    P = pr;
    if (q == p->query) {
      p->req->projection = proj.v;
      p->req->nprojection = proj.n;
    }
  }
  if (q->distinct) P = op_new(p, SPARQL_OP_DISTINCT, P, NULL, 0);
  if (q->reduced) P = op_new(p, SPARQL_OP_REDUCED, P, NULL, 0);
  if (q->limit >= 0 || q->offset > 0) {
    SparqlOp *s = op_new(p, SPARQL_OP_SLICE, P, NULL, 0);
    s->offset = q->offset;
    s->limit = q->limit;
    P = s;
  }
  return P;
}

/* ---- templates and update data ---- */

static SparqlTriple *template_triples(Parser *p, TripleList l, size_t *n) {
  Map *labels = &p->tlabels;
  unsigned count = 0;
  VEC(SparqlTriple) v = {0};
  sparql_map_clear(labels);
  for (ATriple *t = l.first; t; t = t->next) {
    if (t->path) FAIL(p, t->offset, "property path not allowed in a template");
    SparqlTriple x = {template_slot(p, labels, &count, t->s), t->p,
                      template_slot(p, labels, &count, t->o)};
    VEC_PUSH(p->arena, v, x);
  }
  *n = v.n;
  return v.v;
}

typedef enum {
  Q_TEMPLATE, Q_INSERT_DATA, Q_DELETE_DATA, Q_DELETE, Q_DELETE_WHERE
} QuadMode;

static const char *mode_name(QuadMode m) {
  switch (m) {
  case Q_INSERT_DATA: return "INSERT DATA";
  case Q_DELETE_DATA: return "DELETE DATA";
  case Q_DELETE: return "a DELETE template";
  case Q_DELETE_WHERE: return "DELETE WHERE";
  default: return "a template";
  }
}

static void check_data_slot(Parser *p, SparqlSlot s, QuadMode m, size_t off) {
  if ((m == Q_INSERT_DATA || m == Q_DELETE_DATA) && is_var(s))
    FAIL(p, off, "variable ?%s not allowed in %s", vname(p, s.var), mode_name(m));
  if ((m == Q_DELETE_DATA || m == Q_DELETE || m == Q_DELETE_WHERE) &&
      s.term.kind == TRINE_TERM_BLANK)
    FAIL(p, off, "blank node not allowed in %s", mode_name(m));
}

static SparqlQuad *quads(Parser *p, QuadList l, QuadMode m, size_t *n,
                         unsigned opno) {
  Map *labels = &p->tlabels;
  unsigned count = 0;
  VEC(SparqlQuad) v = {0};
  sparql_map_clear(labels);
  for (AQuad *q = l.first; q; q = q->next) {
    ATriple *t = q->t;
    if (t->path)
      FAIL(p, t->offset, "property path not allowed in %s", mode_name(m));
    SparqlSlot s[4] = {t->s, t->p, t->o, q->g};
    for (int i = 0; i < 4; i++) {
      check_data_slot(p, s[i], m, i == 3 ? q->graph_offset : t->offset);
      if (m == Q_INSERT_DATA && s[i].term.kind == TRINE_TERM_BLANK &&
          !is_anon_label(&s[i].term)) {
        /* labels of INSERT DATA are scoped to the whole request */
        bool fresh;
        MapEntry *e = sparql_map_put(&p->data_labels, p->arena, s[i].term.value,
                              s[i].term.value_len, &fresh);
        if (fresh) e->val = opno;
        else if (e->val != opno)
          FAIL(p, t->offset, "blank node label _:%s used in two operations",
               s[i].term.value);
      }
      s[i] = template_slot(p, labels, &count, s[i]);
    }
    SparqlQuad x = {s[0], s[1], s[2], s[3]};
    VEC_PUSH(p->arena, v, x);
  }
  *n = v.n;
  return v.v;
}

/* DELETE WHERE: the quads are also the pattern. */
static SparqlOp *quad_pattern(Parser *p, SparqlQuad *q, size_t n, size_t off) {
  count_patterns(p, n, off);
  SparqlOp *g = NULL;
  p->block++;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    VEC(SparqlTriple) t = {0};
    while (j < n && !memcmp(&q[j].g, &q[i].g, sizeof q[i].g)) {
      SparqlTriple x = {q[j].s, q[j].p, q[j].o};
      VEC_PUSH(p->arena, t, x);
      j++;
    }
    SparqlOp *bgp = op_new(p, SPARQL_OP_BGP, NULL, NULL, off);
    bgp->triples = t.v;
    bgp->ntriples = t.n;
    if (q[i].g.term.kind != TRINE_TERM_DEFAULT_GRAPH) {
      SparqlOp *gr = op_new(p, SPARQL_OP_GRAPH, bgp, NULL, off);
      gr->target = q[i].g;
      bgp = gr;
    }
    g = join(p, g, bgp, off);
    i = j;
  }
  return g ? g : unit(p);
}

static void update_ops(Parser *p) {
  VEC(SparqlUpdate) ups = {0};
  unsigned opno = 0;
  for (AUpdate *a = p->updates; a; a = a->next, opno++) {
    SparqlUpdate u = a->u;
    sparql_map_clear(&p->labels); /* each operation's pattern is its own scope */
    switch (u.kind) {
    case SPARQL_UP_INSERT_DATA:
      u.ins = quads(p, a->ins, Q_INSERT_DATA, &u.nins, opno);
      break;
    case SPARQL_UP_DELETE_DATA:
      u.del = quads(p, a->del, Q_DELETE_DATA, &u.ndel, opno);
      break;
    case SPARQL_UP_DELETE_WHERE:
      u.del = quads(p, a->del, Q_DELETE_WHERE, &u.ndel, opno);
      u.where = quad_pattern(p, u.del, u.ndel, a->offset);
      break;
    case SPARQL_UP_MODIFY:
      u.del = quads(p, a->del, Q_DELETE, &u.ndel, opno);
      u.ins = quads(p, a->ins, Q_TEMPLATE, &u.nins, opno);
      u.where = group_op(p, a->where);
      break;
    default:
      break;
    }
    VEC_PUSH(p->arena, ups, u);
  }
  p->req->updates = ups.v;
  p->req->nupdates = ups.n;
}

bool sparql_translate(Parser *p) {
  jmp_buf fail;
  if (setjmp(fail)) return false;
  p->fail = &fail;
  SparqlRequest *r = p->req;
  if (!p->query) {
    r->form = SPARQL_UPDATE;
    update_ops(p);
    return !p->failed;
  }
  Select *q = p->query;
  r->form = q->form;
  r->pattern = select_op(p, q);
  r->from = p->from.v;
  r->nfrom = p->from.n;
  r->from_named = p->from_named.v;
  r->nfrom_named = p->from_named.n;
  if (q->form == SPARQL_CONSTRUCT)
    r->construct = template_triples(p, q->construct, &r->nconstruct);
  if (q->form == SPARQL_DESCRIBE) {
    r->describe = q->describe.v;
    r->ndescribe = q->describe.n;
    r->describe_star = q->describe_star;
  }
  return !p->failed;
}
