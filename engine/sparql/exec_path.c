/*
 * exec_path.c -- SPARQL 1.1 property paths over the indexes.
 *
 * A path yields (start, end) pairs for given ends (0: free). Links and
 * inverse links are scans; sequences join through the middle node;
 * alternatives concatenate (multisets, as the spec says); *, + and ? walk
 * breadth first from the bound end, each node once, so cycles end; their
 * results are sets. Closures are remembered per query (exec_memo_free()).
 */
#include "exec_int.h"

#include <stdlib.h>
#include <string.h>

/* (start, end) pairs: collected, or with emit set, handed on one by one
 * (the outermost consumer, path_extend(), makes rows of them at once). */
typedef struct Pairs {
  TrineId *s, *o;
  size_t n, cap;
  TrineStatus (*emit)(Exec *x, void *ctx, TrineId s, TrineId o);
  void *ctx;
} Pairs;

/* Pairs, a walk's queue and set, and remembered closures count against
 * the query's memory limit: a walk around a cycle of a million nodes takes
 * some 40 MB, and all pairs of it would take terabytes. */
static TrineStatus pairs_push(Exec *x, Pairs *p, TrineId s, TrineId o) {
  if (p->emit) return p->emit(x, p->ctx, s, o);
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 64;
    TrineStatus st = exec_mem_take(x, (cap - p->cap) * 2 * sizeof(TrineId));
    if (st) return st;
    TrineId *ns = realloc(p->s, cap * sizeof *ns);
    if (ns) p->s = ns;
    TrineId *no = ns ? realloc(p->o, cap * sizeof *no) : NULL;
    if (no) p->o = no;
    if (!ns || !no) {
      exec_mem_give(x, (cap - p->cap) * 2 * sizeof(TrineId));
      return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    }
    p->cap = cap;
  }
  p->s[p->n] = s;
  p->o[p->n++] = o;
  return (p->n & 1023) == 0 ? exec_check_limits(x) : TRINE_OK;
}

static void pairs_free(Exec *x, Pairs *p) {
  exec_mem_give(x, p->cap * 2 * sizeof(TrineId));
  free(p->s);
  free(p->o);
  *p = (Pairs){0};
}

typedef struct {
  Pairs *out;
  const TrineTerm *nps;
  size_t nnps;
  Exec *x;
  bool inverse;
  TrineId *npsid;
} PairCtx;

static TrineStatus on_pair(Exec *x, const Quad *q, void *arg) {
  PairCtx *c = arg;
  if (c->npsid) {
    for (size_t i = 0; i < c->nnps; ++i)
      if (c->npsid[i] == q->v[Q_P]) return TRINE_OK;
  }
  return c->inverse ? pairs_push(x, c->out, q->v[Q_O], q->v[Q_S])
                    : pairs_push(x, c->out, q->v[Q_S], q->v[Q_P] ? q->v[Q_O] : 0);
}

static TrineStatus push_pair(Exec *x, void *out, TrineId s, TrineId o) {
  return pairs_push(x, out, s, o);
}

static TrineStatus push_swapped(Exec *x, void *out, TrineId s, TrineId o) {
  return pairs_push(x, out, o, s);
}

static TrineStatus link_pairs(Exec *x, TrineId pred, bool has_pred, GCtx gc, TrineId s,
                              TrineId o, bool inverse, const TrineId *excl, size_t nexcl,
                              Pairs *out) {
  Quad q = {{0, 0, 0, 0}};
  unsigned mask = 0;
  TrineId from = inverse ? o : s, to = inverse ? s : o;
  if (from) { q.v[Q_S] = from; mask |= 1u << Q_S; }
  if (to) { q.v[Q_O] = to; mask |= 1u << Q_O; }
  if (has_pred) { q.v[Q_P] = pred; mask |= 1u << Q_P; }
  if ((from && id_kind(from) == IDK_TEMP) || (to && id_kind(to) == IDK_TEMP)) return TRINE_OK;
  /* A link from or to a node in one graph: read in place. */
  if (has_pred && !excl && (from || to) && (gc.one || x->ndflt == 1)) {
    q.v[Q_G] = gc.one ? gc.g : x->dflt[0];
    return exec_probe(x, &q, mask, inverse ? push_swapped : push_pair, out);
  }
  PairCtx c = {out, NULL, nexcl, x, inverse, (TrineId *)excl};
  return exec_scan(x, q, mask, gc, on_pair, &c);
}

static TrineStatus path_pairs(Exec *x, const SparqlPath *p, GCtx gc, TrineId s, TrineId o,
                              Pairs *out);

/* Every node of the graph(s) in scope: subjects and objects, distinct. */
static TrineStatus all_nodes(Exec *x, GCtx gc, Pairs *nodes) {
  Pairs all = {0};
  TrineStatus st = link_pairs(x, 0, false, gc, 0, 0, false, NULL, 0, &all);
  for (size_t i = 0; i < all.n && !st; ++i) {
    st = pairs_push(x, nodes, all.s[i], all.s[i]);
    if (!st) st = pairs_push(x, nodes, all.o[i], all.o[i]);
  }
  pairs_free(x, &all);
  return st;
}

static int cmp_id(const void *a, const void *b) {
  TrineId x = *(const TrineId *)a, y = *(const TrineId *)b;
  return x < y ? -1 : x > y;
}

/* Distinct ids of a list (sorted in place; returns the new length). */
static size_t uniq(TrineId *v, size_t n) {
  if (n == 0) return 0;
  qsort(v, n, sizeof *v, cmp_id);
  size_t k = 1;
  for (size_t i = 1; i < n; ++i)
    if (v[i] != v[k - 1]) v[k++] = v[i];
  return k;
}

/* A set of ids (open addressing; 0 is never a member). */
typedef struct {
  TrineId *slot;
  size_t mask, n;
} IdSet;

static bool idset_add(IdSet *h, TrineId id, bool *added) {
  if ((h->n + 1) * 2 > h->mask) {
    size_t cap = h->mask ? (h->mask + 1) * 2 : 64;
    TrineId *ns = calloc(cap, sizeof *ns);
    if (!ns) return false;
    for (size_t i = 0; h->slot && i <= h->mask; ++i) {
      if (!h->slot[i]) continue;
      size_t j = (size_t)(h->slot[i] * 0x9e3779b97f4a7c15u >> 20) & (cap - 1);
      while (ns[j]) j = (j + 1) & (cap - 1);
      ns[j] = h->slot[i];
    }
    free(h->slot);
    h->slot = ns;
    h->mask = cap - 1;
  }
  size_t j = (size_t)(id * 0x9e3779b97f4a7c15u >> 20) & h->mask;
  for (; h->slot[j]; j = (j + 1) & h->mask)
    if (h->slot[j] == id) {
      *added = false;
      return true;
    }
  h->slot[j] = id;
  h->n++;
  *added = true;
  return true;
}

/* Closures already computed in this query, by path, start and direction
 * (LUBM-style queries ask for the same few nodes' ancestors many times),
 * found by hashing: a join may ask once per row. */
typedef struct {
  const SparqlPath *p;
  TrineId start, g;
  bool back, zero, one;
  TrineId *reach;
  size_t n;
} Memo;

typedef struct {
  Memo *v;
  size_t n, cap;
  size_t bytes; /* of the reach arrays, counted against the memory limit */
  size_t *slot; /* indexes into v + 1 (0: empty), mask + 1 of them */
  size_t mask;
} Memos;

static size_t memo_hash(const SparqlPath *p, GCtx gc, TrineId start, bool back, bool zero) {
  uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15u;
  h = (h ^ start) * 0xbf58476d1ce4e5b9u;
  h = (h ^ gc.g ^ (uint64_t)back << 1 ^ (uint64_t)zero << 2 ^ (uint64_t)gc.one << 3) *
      0x94d049bb133111ebu;
  return (size_t)(h ^ h >> 29);
}

static bool memo_is(const Memo *e, const SparqlPath *p, GCtx gc, TrineId start, bool back,
                    bool zero) {
  return e->p == p && e->start == start && e->back == back && e->zero == zero &&
         e->one == gc.one && e->g == gc.g;
}

static Memo *memo_find(Exec *x, const SparqlPath *p, GCtx gc, TrineId start, bool back,
                       bool zero) {
  Memos *m = x->memo;
  if (!m || !m->slot) return NULL;
  for (size_t j = memo_hash(p, gc, start, back, zero) & m->mask; m->slot[j];
       j = (j + 1) & m->mask)
    if (memo_is(&m->v[m->slot[j] - 1], p, gc, start, back, zero)) return &m->v[m->slot[j] - 1];
  return NULL;
}

static void memo_index(Memos *m, size_t i) {
  const Memo *e = &m->v[i];
  size_t j = memo_hash(e->p, (GCtx){e->one, e->g}, e->start, e->back, e->zero) & m->mask;
  while (m->slot[j]) j = (j + 1) & m->mask;
  m->slot[j] = i + 1;
}

/* Remember reach (taken over: true) unless enough are remembered. */
static bool memo_add(Exec *x, const SparqlPath *p, GCtx gc, TrineId start, bool back,
                     bool zero, TrineId *reach, size_t n) {
  Memos *m = x->memo;
  if (!m && !(m = x->memo = calloc(1, sizeof *m))) return false;
  /* Enough remembered: 4096 closures or a quarter of the memory limit
   * (their bytes stay counted until the query ends). */
  size_t b = n * sizeof *reach;
  if (m->n == 4096 || m->bytes + b > x->mem_limit / 4 || x->mem_used + b > x->mem_limit)
    return false;
  if (m->n == m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 16;
    Memo *v = realloc(m->v, cap * sizeof *v);
    size_t *slot = v ? calloc(cap * 2, sizeof *slot) : NULL;
    if (v) m->v = v;
    if (!slot) return false;
    free(m->slot);
    m->slot = slot;
    m->mask = cap * 2 - 1;
    m->cap = cap;
    for (size_t i = 0; i < m->n; ++i) memo_index(m, i);
  }
  exec_mem_take(x, b); /* within the limit: checked above */
  m->bytes += b;
  m->v[m->n] = (Memo){p, start, gc.g, back, zero, gc.one, reach, n};
  memo_index(m, m->n++);
  return true;
}

void exec_memo_free(Exec *x) {
  Memos *m = x->memo;
  for (size_t i = 0; m && i < m->n; ++i) free(m->v[i].reach);
  if (m) {
    exec_mem_give(x, m->bytes);
    free(m->v);
    free(m->slot);
  }
  free(m);
  x->memo = NULL;
}

/* Count what a walk holds, its queue of cap ids and its set, against the
 * memory limit (*held: bytes counted so far). */
static TrineStatus walk_hold(Exec *x, size_t *held, size_t cap, const IdSet *seen) {
  size_t now = (cap + (seen->slot ? seen->mask + 1 : 0)) * sizeof(TrineId);
  if (now <= *held) return TRINE_OK;
  TrineStatus st = exec_mem_take(x, now - *held);
  if (!st) *held = now;
  return st;
}

/* Nodes reachable from start by one or more (plus) or zero or more steps of
 * p, forward (or backward when back). Breadth first, each node once.
 * *out is remembered for the query, or, when it could not be, is *owned
 * (the caller frees *owned; NULL otherwise). */
static TrineStatus closure(Exec *x, const SparqlPath *p, GCtx gc, TrineId start, bool back,
                           bool zero, const TrineId **out, size_t *nout, TrineId **owned) {
  *owned = NULL;
  Memo *m = memo_find(x, p, gc, start, back, zero);
  if (m) {
    *out = m->reach;
    *nout = m->n;
    return TRINE_OK;
  }
  IdSet seen = {0};
  size_t cap = 64, n = 0, head = 0, held = 0;
  TrineId *reach = malloc(cap * sizeof *reach); /* also the queue */
  if (!reach) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  TrineStatus st = TRINE_OK;
  bool added;
  TrineId from = start;
  if (zero) {
    reach[n++] = start;
    if (!idset_add(&seen, start, &added)) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  /* The queue: the start, then reach[] in order (for plus the start is
   * only in reach if a cycle leads back to it). */
  for (bool first = true; !st; first = false) {
    if (!first) {
      if (head >= n) break;
      from = reach[head++];
    } else if (zero) {
      head = 1; /* reach[0] is the start itself */
    }
    Pairs step = {0};
    st = back ? path_pairs(x, p, gc, 0, from, &step) : path_pairs(x, p, gc, from, 0, &step);
    for (size_t i = 0; i < step.n && !st; ++i) {
      TrineId next = back ? step.s[i] : step.o[i];
      if (!idset_add(&seen, next, &added)) {
        st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
        break;
      }
      if (!added) continue;
      if (n == cap) {
        TrineId *r = realloc(reach, (cap *= 2) * sizeof *r);
        if (!r) { st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory"); break; }
        reach = r;
      }
      reach[n++] = next;
      if ((st = walk_hold(x, &held, cap, &seen))) break;
    }
    pairs_free(x, &step);
    if (!st) st = exec_check_limits(x);
  }
  exec_mem_give(x, held);
  free(seen.slot);
  if (st) { free(reach); return st; }
  if (!memo_add(x, p, gc, start, back, zero, reach, n)) *owned = reach;
  *out = reach;
  *nout = n;
  return TRINE_OK;
}

/* Pairs of a closure path (*, +) or ?, as a set. */
static TrineStatus closure_pairs(Exec *x, const SparqlPath *p, GCtx gc, TrineId s, TrineId o,
                                 Pairs *out) {
  bool zero = p->kind != SPARQL_PATH_PLUS;
  TrineStatus st = TRINE_OK;
  if (p->kind == SPARQL_PATH_OPT) {
    /* zero or one: the pairs of a plus the identity, distinct */
    Pairs one = {0}, nodes = {0};
    st = path_pairs(x, p->a, gc, s, o, &one);
    if (!st) {
      if (s || o) {
        if (!s || !o || s == o) st = pairs_push(x, &nodes, s ? s : o, s ? s : o);
      } else {
        st = all_nodes(x, gc, &nodes);
      }
    }
    for (size_t i = 0; i < nodes.n && !st; ++i) {
      bool dup = false;
      for (size_t j = 0; j < i && !dup; ++j) dup = nodes.s[j] == nodes.s[i];
      if (!dup) st = pairs_push(x, out, nodes.s[i], nodes.s[i]);
    }
    for (size_t i = 0; i < one.n && !st; ++i) {
      bool dup = one.s[i] == one.o[i];
      for (size_t j = 0; j < i && !dup; ++j) dup = one.s[j] == one.s[i] && one.o[j] == one.o[i];
      if (!dup) st = pairs_push(x, out, one.s[i], one.o[i]);
    }
    pairs_free(x, &one);
    pairs_free(x, &nodes);
    return st;
  }
  if (s || o) {
    const TrineId *reach = NULL;
    TrineId *owned;
    size_t n = 0;
    bool back = !s;
    st = closure(x, p->a, gc, s ? s : o, back, zero, &reach, &n, &owned);
    for (size_t i = 0; i < n && !st; ++i) {
      if (s && o && reach[i] != o) continue;
      st = back ? pairs_push(x, out, reach[i], o) : pairs_push(x, out, s, reach[i]);
    }
    free(owned); /* also when a pair stopped the walk (cancel, row cap) */
    return st;
  }
  /* Both ends free: from every node (zero) or every start of a step. */
  Pairs starts = {0};
  if (zero) st = all_nodes(x, gc, &starts);
  else st = path_pairs(x, p->a, gc, 0, 0, &starts);
  size_t n = starts.n;
  if (!st) n = uniq(starts.s, starts.n);
  for (size_t i = 0; i < n && !st; ++i) {
    const TrineId *reach = NULL;
    TrineId *owned;
    size_t m = 0;
    st = closure(x, p->a, gc, starts.s[i], false, zero, &reach, &m, &owned);
    for (size_t j = 0; j < m && !st; ++j) st = pairs_push(x, out, starts.s[i], reach[j]);
    free(owned); /* also when a pair stopped the walk (cancel, row cap) */
  }
  pairs_free(x, &starts);
  return st;
}

static int cmp_pair(const void *a, const void *b) {
  const TrineId *x = a, *y = b;
  return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

/* Hand on the distinct pairs of in (emptied). */
static TrineStatus push_distinct(Exec *x, Pairs *in, Pairs *out) {
  TrineId *v = malloc((in->n ? in->n : 1) * 2 * sizeof *v);
  TrineStatus st = v ? TRINE_OK : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < in->n && v; ++i) {
    v[2 * i] = in->s[i];
    v[2 * i + 1] = in->o[i];
  }
  if (v) qsort(v, in->n, 2 * sizeof *v, cmp_pair);
  for (size_t i = 0; i < in->n && !st; ++i)
    if (i == 0 || cmp_pair(v + 2 * i, v + 2 * (i - 1)))
      st = pairs_push(x, out, v[2 * i], v[2 * i + 1]);
  free(v);
  pairs_free(x, in);
  return st;
}

/* A negated set gives each (s, o) pair once, however many predicates
 * link them (SPARQL 1.1 18.5, eval of NPS is a set of solutions); its
 * forward and inverse parts are an alternative, concatenated. */
static TrineStatus nps_pairs(Exec *x, const SparqlPath *p, GCtx gc, TrineId s, TrineId o,
                             Pairs *out) {
  TrineId *ids = calloc(p->nnps + p->ninv + 1, sizeof *ids);
  if (!ids) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < p->nnps + p->ninv; ++i)
    if (exec_const_id(x, &p->nps[i], &ids[i])) ids[i] = 0;
  TrineStatus st = TRINE_OK;
  Pairs part = {0};
  if (p->nnps || !p->ninv) {
    st = link_pairs(x, 0, false, gc, s, o, false, ids, p->nnps, &part);
    if (!st) st = push_distinct(x, &part, out);
  }
  if (!st && p->ninv) {
    st = link_pairs(x, 0, false, gc, s, o, true, ids + p->nnps, p->ninv, &part);
    if (!st) st = push_distinct(x, &part, out);
  }
  pairs_free(x, &part);
  free(ids);
  return st;
}

/* All (s, o) pairs of path p with the given ends (0: free). */
static TrineStatus path_pairs(Exec *x, const SparqlPath *p, GCtx gc, TrineId s, TrineId o,
                              Pairs *out) {
  switch (p->kind) {
  case SPARQL_PATH_LINK: {
    TrineId pred;
    TrineStatus st = exec_const_id(x, &p->iri, &pred);
    if (st == TRINE_NOT_FOUND) return TRINE_OK;
    if (st) return st;
    return link_pairs(x, pred, true, gc, s, o, false, NULL, 0, out);
  }
  case SPARQL_PATH_INV: {
    Pairs inv = {.emit = push_swapped, .ctx = out};
    return path_pairs(x, p->a, gc, o, s, &inv);
  }
  case SPARQL_PATH_SEQ: {
    Pairs first = {0};
    bool backward = !s && o;
    TrineStatus st = backward ? path_pairs(x, p->b, gc, 0, o, &first)
                              : path_pairs(x, p->a, gc, s, 0, &first);
    for (size_t i = 0; i < first.n && !st; ++i) {
      Pairs second = {0};
      TrineId mid = backward ? first.s[i] : first.o[i];
      st = backward ? path_pairs(x, p->a, gc, s, mid, &second)
                    : path_pairs(x, p->b, gc, mid, o, &second);
      for (size_t j = 0; j < second.n && !st; ++j)
        st = backward ? pairs_push(x, out, second.s[j], first.o[i])
                      : pairs_push(x, out, first.s[i], second.o[j]);
      pairs_free(x, &second);
    }
    pairs_free(x, &first);
    return st;
  }
  case SPARQL_PATH_ALT: {
    TrineStatus st = path_pairs(x, p->a, gc, s, o, out);
    return st ? st : path_pairs(x, p->b, gc, s, o, out);
  }
  case SPARQL_PATH_STAR: case SPARQL_PATH_PLUS: case SPARQL_PATH_OPT:
    return closure_pairs(x, p, gc, s, o, out);
  case SPARQL_PATH_NPS:
    return nps_pairs(x, p, gc, s, o, out);
  }
  return exec_fail(x, TRINE_ERR_INTERNAL, "unknown path operator");
}

static TrineStatus slot_value(Exec *x, const SparqlSlot *sl, const TrineId *row, TrineId *v,
                              bool *missing) {
  *v = 0;
  if (sl->var != SPARQL_NO_VAR) {
    *v = row[sl->var];
    return TRINE_OK;
  }
  TrineStatus st = qdict_intern(x->dict, &sl->term, v);
  if (!st && id_kind(*v) == IDK_TEMP) {
    /* A constant the store lacks still matches zero-length paths. */
    *missing = false;
  }
  return st;
}

/* Can the path match with zero steps? */
static bool nullable(const SparqlPath *p) {
  switch (p->kind) {
  case SPARQL_PATH_STAR: case SPARQL_PATH_OPT: return true;
  case SPARQL_PATH_SEQ: return nullable(p->a) && nullable(p->b);
  case SPARQL_PATH_ALT: return nullable(p->a) || nullable(p->b);
  case SPARQL_PATH_INV: case SPARQL_PATH_PLUS: return nullable(p->a);
  default: return false;
  }
}

typedef struct {
  bool found;
} AnyCtx;

static TrineStatus on_any(Exec *x, const Quad *q, void *arg) {
  (void)x;
  (void)q;
  ((AnyCtx *)arg)->found = true;
  return TRINE_ERR_CANCELLED; /* stop at the first match */
}

/* Is id a subject or object in the graph(s) of gc? */
static TrineStatus is_node(Exec *x, TrineId id, GCtx gc, bool *found) {
  *found = false;
  if (id_kind(id) == IDK_TEMP) return TRINE_OK;
  for (int pos = Q_S; pos <= Q_O && !*found; pos += Q_O - Q_S) {
    Quad q = {{0, 0, 0, 0}};
    q.v[pos] = id;
    AnyCtx c = {false};
    TrineStatus st = exec_scan(x, q, 1u << pos, gc, on_any, &c);
    if (st && st != TRINE_ERR_CANCELLED) return st;
    *found = c.found;
  }
  return TRINE_OK;
}

/* The row being extended, and where its extensions go. */
typedef struct {
  const SparqlOp *op;
  const TrineId *row;
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
} RowSink;

/* A pair of the path: the row with the path's variables bound. */
static TrineStatus emit_row(Exec *x, void *ctx, TrineId s, TrineId o) {
  RowSink *k = ctx;
  TrineStatus st;
  TrineId *dst = exec_row_begin(x, k->out, k->row, &st);
  if (!dst) return st;
  uint32_t sv = k->op->path_s.var, ov = k->op->path_o.var;
  /* A row may bind an end the join did not match on (not every row did). */
  if (sv != SPARQL_NO_VAR) {
    if (dst[sv] && dst[sv] != s) return TRINE_OK;
    dst[sv] = s;
  }
  if (ov != SPARQL_NO_VAR) {
    if (dst[ov] && dst[ov] != o) return TRINE_OK;
    dst[ov] = o;
  }
  return exec_row_keep(x, k->out, k->filters, k->nfilters);
}

/* A pair streamed past the hash of the rows: the rows whose key end
 * equals the pair's, extended; looked up ROWHASH_AHEAD pairs late (the
 * ring), as a scan's hash join does, so the hash's memory is read ahead.
 * Pairs whose key the hash's filter lacks go at once. */
typedef struct {
  RowSink sink; /* its row: each row joined in turn */
  const RowHash *h;
  bool key_is_s;
  TrineId s[ROWHASH_AHEAD], o[ROWHASH_AHEAD];
  size_t slot[ROWHASH_AHEAD];
  size_t first, n; /* the oldest pair in the ring, and how many */
} PairJoin;

static TrineStatus pair_join_pop(Exec *x, PairJoin *c) {
  size_t i = c->first;
  c->first = (c->first + 1) % ROWHASH_AHEAD;
  --c->n;
  TrineId key = c->key_is_s ? c->s[i] : c->o[i];
  TrineStatus st = TRINE_OK;
  for (size_t r = rowhash_find_slot(c->h, c->slot[i], &key); r != SIZE_MAX && !st;
       r = rowhash_next(c->h, r, &key)) {
    c->sink.row = exec_row(c->h->t, r);
    st = emit_row(x, &c->sink, c->s[i], c->o[i]);
  }
  return st;
}

static TrineStatus on_pair_join(Exec *x, void *ctx, TrineId s, TrineId o) {
  PairJoin *c = ctx;
  TrineId key = c->key_is_s ? s : o;
  uint64_t hv = exec_hash_ids(&key, 1);
  if (!rowhash_may(c->h, hv)) return TRINE_OK;
  TrineStatus st = c->n == ROWHASH_AHEAD ? pair_join_pop(x, c) : TRINE_OK;
  if (st) return st;
  size_t i = (c->first + c->n++) % ROWHASH_AHEAD;
  c->s[i] = s;
  c->o[i] = o;
  c->slot[i] = (size_t)hv & c->h->mask;
  rowhash_prefetch_slot(c->h, c->slot[i]);
  if (c->n > ROWHASH_AHEAD / 2) /* its slot was fetched a while ago */
    rowhash_prefetch_row(c->h, c->slot[(i + ROWHASH_AHEAD / 2) % ROWHASH_AHEAD]);
  return TRINE_OK;
}

TrineStatus path_hash_join(Exec *x, const SparqlOp *op, GCtx gc, const Table *in, uint32_t key,
                           SparqlExpr *const *filters, size_t nfilters, Table *out) {
  exec_table_init(out, x->width);
  RowHash h;
  TrineStatus st = rowhash_init(x, &h, in, UINT64_C(1) << key);
  if (st) return st;
  PairJoin *c = calloc(1, sizeof *c);
  if (!c) {
    rowhash_free(x, &h);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  *c = (PairJoin){.sink = {op, NULL, filters, nfilters, out}, .h = &h,
                  .key_is_s = op->path_s.var == key};
  Pairs pairs = {.emit = on_pair_join, .ctx = c};
  st = path_pairs(x, op->path, gc, 0, 0, &pairs);
  while (!st && c->n) st = pair_join_pop(x, c);
  free(c);
  rowhash_free(x, &h);
  return st;
}

TrineStatus path_each(Exec *x, const SparqlOp *op, GCtx gc, TrineId s, TrineId o, PairFn fn,
                      void *ctx) {
  Pairs pairs = {.emit = fn, .ctx = ctx};
  return path_pairs(x, op->path, gc, s, o, &pairs);
}

TrineStatus path_extend(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                        SparqlExpr *const *filters, size_t nfilters, Table *out) {
  exec_table_init(out, x->width);
  TrineStatus st = TRINE_OK;
  for (size_t r = 0; r < in->n && !st; ++r) {
    if ((st = exec_check_limits(x))) break;
    const TrineId *row = exec_row(in, r);
    TrineId s, o;
    bool missing = false;
    if ((st = slot_value(x, &op->path_s, row, &s, &missing)) ||
        (st = slot_value(x, &op->path_o, row, &o, &missing)))
      break;
    /* Evaluated on its own, a path's variables range over the graph's
     * nodes: a bound value that is not one matches no zero-length path. */
    if (nullable(op->path)) {
      bool node = true;
      if (op->path_s.var != SPARQL_NO_VAR && s) st = is_node(x, s, gc, &node);
      if (!st && node && op->path_o.var != SPARQL_NO_VAR && o) st = is_node(x, o, gc, &node);
      if (st) break;
      if (!node) continue;
    }
    RowSink k = {op, row, filters, nfilters, out};
    Pairs rows = {.emit = emit_row, .ctx = &k};
    st = path_pairs(x, op->path, gc, s, o, &rows);
  }
  return st;
}

