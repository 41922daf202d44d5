/*
 * exec_stream.c -- results made a batch at a time as they are asked for
 * (exec.h): a tree of streams mirrors the operators that can stream, and
 * each hands its parent the rows it made from its child's last batch.
 *
 * A join group streams by its first pattern, the one its plan starts with
 * (exec_group_first()): that pattern is scanned a chunk at a time from a
 * cursor kept open between batches, and each chunk is joined with the rest
 * of the group by exec_join_group(), which plans the rest for the chunk as
 * it would for any rows (probes, merges, stars, paths, filters as soon as
 * their variables are bound). The first chunk is small, so the first row
 * comes after little work; the next ones are CHUNK_MAX rows, so they are
 * planned much as the whole group was (chunks that grew by doubling made
 * LUBM's q2 1.9 times slower: each size near a scan's break-even point
 * scanned a pattern again) and memory stays bounded by a chunk and what
 * it joins to. A group whose first pattern is expected to match few rows
 * and which does not multiply them (CHUNK_WHOLE) runs whole. The pattern's cursor is the
 * only state kept between batches, besides what DISTINCT keeps (the rows
 * seen) and OFFSET/LIMIT's counts. Above the groups, each batch passes
 * through projections, BINDs, FILTERs, UNIONs, OPTIONALs of a group (a
 * bind join per batch), DISTINCT and OFFSET/LIMIT.
 */
#include "exec_int.h"

#include <stdlib.h>
#include <string.h>

/* A group whose first pattern is expected to match no more than
 * CHUNK_WHOLE rows, and the group no more than 4 times as many, runs
 * whole: its chunks of CHUNK_FIRST, each planned on its own, would scan
 * again what a plan for all its rows scans once (WatDiv S4 took 1.42
 * times the instructions), and joining that many rows is little work
 * before the first row. A group that multiplies them (a cross product)
 * streams: DISTINCT ... LIMIT keeps a chunk's rows, not all. */
enum { CHUNK_FIRST = 64, CHUNK_WHOLE = 1024, CHUNK_MAX = 1 << 17 };

typedef enum {
  S_GROUP, S_FILTER, S_PROJECT, S_EXTEND, S_DISTINCT, S_SLICE, S_UNION, S_OPTIONAL
} StreamKind;

struct Stream {
  StreamKind kind;
  const SparqlOp *op;
  Stream *a, *b;
  Table batch;       /* the rows exec_stream_next() handed out last (the root's) */
  bool a_done;       /* S_UNION: a has ended */
  /* S_GROUP: a join group, in turn in each graph of graphs */
  const SparqlOp *group;
  SparqlExpr *const *filters;
  size_t nfilters;
  TrineId *graphs;   /* GRAPH: the graphs (NULL: the dataset's default graph) */
  size_t ngraphs, gi;
  uint32_t gvar;     /* GRAPH ?g: the variable bound to the graph */
  bool opened;       /* the group is set up in graph gi */
  bool whole;        /* it has no pattern to start from: its rows at once */
  bool scanned;      /* its rows in this graph are all made */
  GCtx gc;
  Pat first;         /* the pattern scanned a chunk at a time */
  const SparqlOp *rest; /* the group without it (a BGP of no triple: nothing) */
  void **made;       /* the nodes of rest made here */
  size_t nmade;
  IndexIter *it;     /* the scan of first */
  int lay[3];        /* where first's s, p, o sit in its index's records */
  TrineId *base;     /* the row chunks start from: Exec.subst or unbound
                        (a group's; in the Stream's block, after it) */
  size_t chunk;      /* rows in the last chunk */
  double est;        /* rows first is expected to match */
  uint64_t cap, given; /* rows a LIMIT above needs (0: all); rows made so far */
  Stream *keep;      /* a DISTINCT above: its rows are kept as the join makes them */
  /* S_DISTINCT: the rows handed on so far, found by their hash */
  Table seen;
  size_t *slots;     /* row of seen + 1; 0: empty */
  size_t nslots;
  Stream *fused;     /* the group below, which keeps its rows (keep) */
  const SparqlOp *chain[4]; /* the PROJECT and EXTENDs between, outermost first */
  size_t nchain;
  /* S_SLICE */
  uint64_t skip, left; /* rows still to skip and to hand on */
};

/* A join group of triple patterns and paths only. */
static bool group_op(const SparqlOp *op) {
  if (op->kind == SPARQL_OP_JOIN) return group_op(op->a) && group_op(op->b);
  return op->kind == SPARQL_OP_BGP || op->kind == SPARQL_OP_PATH;
}

static bool can_stream(const SparqlOp *op) {
  switch (op->kind) {
  case SPARQL_OP_BGP: case SPARQL_OP_PATH: case SPARQL_OP_JOIN: return group_op(op);
  case SPARQL_OP_FILTER: return group_op(op->a) || can_stream(op->a);
  case SPARQL_OP_GRAPH:
    return group_op(op->a) || (op->a->kind == SPARQL_OP_FILTER && group_op(op->a->a));
  case SPARQL_OP_PROJECT: case SPARQL_OP_EXTEND: case SPARQL_OP_TOMULTISET:
  case SPARQL_OP_DISTINCT: case SPARQL_OP_REDUCED: case SPARQL_OP_SLICE:
    return can_stream(op->a);
  case SPARQL_OP_UNION: return can_stream(op->a) && can_stream(op->b);
  case SPARQL_OP_LEFTJOIN: return exec_pure(op->b) && can_stream(op->a); /* a bind join */
  default: return false;
  }
}

/* ---- join groups ---- */

static TrineStatus remember(Exec *x, Stream *s, void *p) {
  void **m = p ? realloc(s->made, (s->nmade + 1) * sizeof *m) : NULL;
  if (!m) {
    free(p);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  s->made = m;
  m[s->nmade++] = p;
  return TRINE_OK;
}

static bool has_triple(const SparqlOp *op, const SparqlTriple *t) {
  if (op->kind == SPARQL_OP_JOIN) return has_triple(op->a, t) || has_triple(op->b, t);
  for (size_t i = 0; op->kind == SPARQL_OP_BGP && i < op->ntriples; ++i)
    if (&op->triples[i] == t) return true;
  return false;
}

/* A copy of group op without triple t: the nodes on the way to t are new
 * (remembered in s), the rest are op's own. */
static TrineStatus without(Exec *x, Stream *s, const SparqlOp *op, const SparqlTriple *t,
                           const SparqlOp **out) {
  *out = op;
  if (!has_triple(op, t)) return TRINE_OK;
  SparqlOp *n = malloc(sizeof *n);
  TrineStatus st = remember(x, s, n);
  if (st) return st;
  *n = *op;
  *out = n;
  if (op->kind == SPARQL_OP_JOIN) {
    const SparqlOp *a, *b;
    if ((st = without(x, s, op->a, t, &a)) || (st = without(x, s, op->b, t, &b))) return st;
    n->a = (SparqlOp *)a;
    n->b = (SparqlOp *)b;
    return TRINE_OK;
  }
  SparqlTriple *v = malloc(op->ntriples * sizeof *v);
  if ((st = remember(x, s, v))) return st;
  n->triples = v;
  n->ntriples = 0;
  for (size_t i = 0; i < op->ntriples; ++i)
    if (&op->triples[i] != t) v[n->ntriples++] = op->triples[i];
  return TRINE_OK;
}

static void group_close(Stream *s) {
  index_iter_free(s->it);
  s->it = NULL;
  for (size_t i = 0; i < s->nmade; ++i) free(s->made[i]);
  s->nmade = 0;
  s->rest = NULL;
  s->opened = s->whole = s->scanned = false;
  s->chunk = 0;
}

/* Set the group up in graph gi: its first pattern's scan, and the rest. */
static TrineStatus group_open(Exec *x, Stream *s) {
  s->gc = s->graphs ? (GCtx){true, s->graphs[s->gi]} : (GCtx){false, 0};
  s->opened = true;
  s->whole = !s->gc.one && x->ndflt != 1; /* the RDF merge of several graphs */
  uint64_t bound = 0;
  for (uint32_t v = 0; v < x->width && v < 64; ++v)
    if (s->base[v]) bound |= UINT64_C(1) << v;
  TrineStatus st = TRINE_OK;
  double est = 0;
  const SparqlTriple *t = s->whole ? NULL
                                   : exec_group_first(x, s->group, s->gc, bound, &est, &st);
  if (!st && t && est > CHUNK_FIRST && est <= CHUNK_WHOLE &&
      exec_group_rows(x, s->group, s->gc, bound, t, est, &st) <= 4 * CHUNK_WHOLE)
    t = NULL;
  if (st || (s->whole = !t || est <= CHUNK_FIRST)) return st;
  s->est = est;
  if ((st = exec_pat_make(x, t, &s->first)) || (st = without(x, s, s->group, t, &s->rest)))
    return st;
  if (s->first.missing) { /* a constant the store lacks: no match */
    s->scanned = true;
    return TRINE_OK;
  }
  static const int pos[3] = {Q_S, Q_P, Q_O};
  Quad q = {{0}};
  q.v[Q_G] = s->gc.one ? s->gc.g : x->dflt[0];
  unsigned mask = 1u << Q_G;
  for (int i = 0; i < 3; ++i) {
    uint32_t v = s->first.var[i];
    TrineId id = v == SPARQL_NO_VAR ? s->first.id[i] : s->base[v];
    if (!id) continue;
    q.v[pos[i]] = id;
    mask |= 1u << pos[i];
  }
  /* The index a probe from one row would read: rows in its order. */
  int lay[4] = {0};
  st = exec_scan_open_raw(x, &q, mask, &s->it, lay);
  for (int i = 0; i < 3; ++i) s->lay[i] = lay[pos[i]];
  return st;
}

/* Rows from the n records at recs (key: their first component): each
 * binds first's variables, unless it repeats one with another value (?x
 * ?p ?x) or one bound from the start. */
static TrineStatus chunk_rows(Exec *x, Stream *s, Table *chunk, TrineId key,
                              const unsigned char *recs, size_t n) {
  TrineStatus st = exec_table_reserve(x, chunk, n);
  for (size_t r = 0; r < n && !st; ++r) {
    const unsigned char *rec = recs + INDEX_REC_BYTES * r;
    TrineId *dst = exec_row(chunk, chunk->n);
    for (size_t v = 0; v < x->width; ++v) dst[v] = s->base[v];
    bool ok = true;
    for (int i = 0; i < 3 && ok; ++i) {
      uint32_t v = s->first.var[i];
      if (v == SPARQL_NO_VAR) continue;
      TrineId id = s->lay[i] ? be_get(rec + 8 * (s->lay[i] - 1)) : key;
      ok = !dst[v] || dst[v] == id;
      dst[v] = id;
    }
    if (ok) st = exec_table_added(x, chunk);
  }
  return st;
}

/* The next chunk of the first pattern's matches, as rows from s->base. */
static TrineStatus scan_chunk(Exec *x, Stream *s, Table *chunk) {
  /* A chunk takes at most an eighth of the memory limit. */
  size_t most = x->mem_limit / 8 / (x->width * sizeof(TrineId) + 1);
  s->chunk = !s->chunk || most < CHUNK_FIRST ? CHUNK_FIRST : most < CHUNK_MAX ? most : CHUNK_MAX;
  exec_table_init(chunk, x->width);
  /* Room for the rows expected: the table is not grown row by row. */
  double room = s->est - (double)s->given;
  TrineStatus st = exec_table_reserve(x, chunk, room > (double)s->chunk ? s->chunk
                                               : room > CHUNK_FIRST ? (size_t)room : CHUNK_FIRST);
  while (chunk->n < s->chunk && !st) {
    TrineId key;
    const unsigned char *recs;
    size_t n;
    if ((st = index_iter_next_run(s->it, s->chunk - chunk->n, &key, &recs, &n)) != TRINE_ROW) {
      if (st == TRINE_DONE) s->scanned = true, st = TRINE_OK;
      break;
    }
    st = chunk_rows(x, s, chunk, key, recs, n);
  }
  if (st) exec_table_release(x, chunk);
  return st;
}

/* GRAPH ?g: rows bind ?g to the graph, and those binding it otherwise go. */
static void bind_graph(Table *t, uint32_t gv, TrineId g) {
  size_t k = 0;
  for (size_t i = 0; i < t->n; ++i) {
    TrineId *r = exec_row(t, i);
    if (r[gv] && r[gv] != g) continue;
    r[gv] = g;
    if (k != i) memcpy(exec_row(t, k), r, t->width * sizeof *r);
    k++;
  }
  t->n = k;
}

static TrineStatus keep_rows(Exec *x, Stream *d, Table *t);

/* A DISTINCT's rows taken as a join's last step makes them (exec_int.h):
 * only those it keeps stay, in out. */
typedef struct {
  Sink sink;
  Stream *d;
  Table *out;
} KeepSink;

static TrineStatus keep_take(Exec *x, Sink *sink, Table *t) {
  KeepSink *k = (KeepSink *)sink;
  TrineStatus st = keep_rows(x, k->d, t);
  for (size_t i = 0; i < t->n && !st; ++i) st = exec_table_push(x, k->out, exec_row(t, i));
  return st;
}

/* The group's join from rows in (NULL: the unit row) into out, through
 * the DISTINCT above when there is one. */
static TrineStatus group_join(Exec *x, Stream *s, const SparqlOp *op, const Table *in,
                              Table *out) {
  if (!s->keep) return exec_join_group(x, op, s->gc, in, s->filters, s->nfilters, out);
  KeepSink k = {.sink = {.take = keep_take}, .d = s->keep, .out = out};
  Table rest;
  x->sink = &k.sink; /* taken by the group */
  TrineStatus st = exec_join_group(x, op, s->gc, in, s->filters, s->nfilters, &rest);
  x->sink = NULL;
  if (st) return st;
  st = exec_sink_drain(x, &k.sink, &rest);
  exec_table_release(x, &rest);
  return st;
}

static bool rest_empty(const SparqlOp *rest) {
  return rest->kind == SPARQL_OP_BGP && rest->ntriples == 0;
}

static TrineStatus group_next(Exec *x, Stream *s, Table *out) {
  for (;;) {
    if (s->gi >= s->ngraphs || (s->cap && s->given >= s->cap)) return TRINE_DONE;
    TrineStatus st = s->opened ? TRINE_OK : group_open(x, s);
    if (st) return st;
    if (s->scanned) { /* this graph is done */
      group_close(s);
      s->gi++;
      continue;
    }
    /* The join's last step stops once a LIMIT above has its rows. */
    x->want = s->cap && s->gvar == SPARQL_NO_VAR ? (size_t)(s->cap - s->given) : 0;
    if (s->whole) {
      st = group_join(x, s, s->group, NULL, out);
      s->scanned = true;
    } else {
      Table chunk;
      if ((st = scan_chunk(x, s, &chunk))) return st;
      if (!rest_empty(s->rest) || s->nfilters) {
        st = group_join(x, s, s->rest, &chunk, out);
        exec_table_release(x, &chunk);
      } else {
        *out = chunk;
        if (s->keep) st = keep_rows(x, s->keep, out);
      }
    }
    x->want = 0;
    if (st) return st;
    if (s->gvar != SPARQL_NO_VAR) bind_graph(out, s->gvar, s->gc.g);
    s->given += out->n;
    if (out->n) return TRINE_OK;
    exec_table_release(x, out);
  }
}

/* ---- the operators above groups ---- */

static bool same_row(const TrineId *a, const TrineId *b, size_t w) {
  return memcmp(a, b, w * sizeof *a) == 0;
}

static TrineStatus distinct_grow(Exec *x, Stream *s) {
  size_t nb = s->nslots ? 2 * s->nslots : 1024;
  TrineStatus st = exec_mem_take(x, nb * sizeof *s->slots);
  if (st) return st;
  size_t *slots = calloc(nb, sizeof *slots);
  if (!slots) {
    exec_mem_give(x, nb * sizeof *slots);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < s->seen.n; ++i) {
    size_t h = (size_t)exec_hash_ids(exec_row(&s->seen, i), s->seen.width) & (nb - 1);
    while (slots[h]) h = (h + 1) & (nb - 1);
    slots[h] = i + 1;
  }
  free(s->slots);
  exec_mem_give(x, s->nslots * sizeof *s->slots);
  s->slots = slots;
  s->nslots = nb;
  return TRINE_OK;
}

/* DISTINCT and REDUCED: t keeps the rows not seen before, in order. */
static TrineStatus distinct_keep(Exec *x, Stream *s, Table *t) {
  size_t k = 0;
  TrineStatus st = TRINE_OK;
  for (size_t i = 0; i < t->n && !st; ++i) {
    if ((s->seen.n + 1) * 2 > s->nslots && (st = distinct_grow(x, s))) break;
    TrineId *r = exec_row(t, i);
    size_t h = (size_t)exec_hash_ids(r, t->width) & (s->nslots - 1);
    bool dup = false;
    for (; s->slots[h] && !dup; h = dup ? h : (h + 1) & (s->nslots - 1))
      dup = same_row(exec_row(&s->seen, s->slots[h] - 1), r, t->width);
    if (dup || (st = exec_table_push(x, &s->seen, r))) continue;
    s->slots[h] = s->seen.n;
    if (k != i) memcpy(exec_row(t, k), r, t->width * sizeof *r);
    k++;
  }
  t->n = k;
  return st;
}

/* What a DISTINCT does to rows of the group it is fused with: the
 * operators between, innermost first, then the rows seen go. */
static TrineStatus keep_rows(Exec *x, Stream *d, Table *t) {
  TrineStatus st = TRINE_OK;
  for (size_t i = d->nchain; i-- > 0 && !st;)
    st = d->chain[i]->kind == SPARQL_OP_PROJECT ? exec_project_rows(x, d->chain[i], t)
                                                : exec_extend_rows(x, d->chain[i], t);
  return st ? st : distinct_keep(x, d, t);
}

/* OFFSET and LIMIT on a batch. */
static void slice_rows(Stream *s, Table *t) {
  size_t drop = s->skip < t->n ? (size_t)s->skip : t->n;
  s->skip -= drop;
  size_t n = t->n - drop;
  if (s->left < n) n = (size_t)s->left;
  if (drop && n) memmove(t->rows, exec_row(t, drop), n * t->width * sizeof *t->rows);
  t->n = n;
  s->left -= n;
}

static TrineStatus filter_rows(Exec *x, const SparqlOp *op, Table *t) {
  size_t k = 0;
  x->in_graph = false;
  x->graph = 0;
  for (size_t i = 0; i < t->n; ++i) {
    bool pass;
    TrineId *r = exec_row(t, i);
    TrineStatus st = expr_filter(&x->ex, op->exprs, op->nexprs, r, &pass);
    if (st) return st;
    if (!pass) continue;
    if (k != i) memcpy(exec_row(t, k), r, t->width * sizeof *r);
    k++;
  }
  t->n = k;
  return TRINE_OK;
}

/* The next batch of s's rows into out (the caller releases it). */
static TrineStatus next(Exec *x, Stream *s, Table *out) {
  exec_table_init(out, x->width);
  TrineStatus st = exec_check_limits(x);
  if (st) return st;
  if (s->kind == S_GROUP) return group_next(x, s, out);
  if (s->fused) return group_next(x, s->fused, out);
  if (s->kind == S_SLICE && s->left == 0) return TRINE_DONE;
  if (s->kind == S_UNION && !s->a_done) {
    if ((st = next(x, s->a, out)) != TRINE_DONE) return st;
    s->a_done = true;
  }
  for (;;) {
    if ((st = next(x, s->kind == S_UNION ? s->b : s->a, out))) return st;
    switch (s->kind) {
    case S_FILTER: st = filter_rows(x, s->op, out); break;
    case S_PROJECT: st = exec_project_rows(x, s->op, out); break;
    case S_EXTEND: st = exec_extend_rows(x, s->op, out); break;
    case S_DISTINCT: st = distinct_keep(x, s, out); break;
    case S_SLICE: slice_rows(s, out); break;
    case S_OPTIONAL: {
      Table in = *out;
      st = exec_leftjoin_rows(x, s->op, (GCtx){false, 0}, &in, out);
      exec_table_release(x, &in);
      break;
    }
    default: break;
    }
    if (st || out->n || (s->kind == S_SLICE && s->left == 0)) break;
    exec_table_release(x, out);
  }
  if (!st && !out->n) st = TRINE_DONE;
  if (st) exec_table_release(x, out);
  return st;
}

/* ---- the tree of streams ---- */

/* A DISTINCT over a group (through projections and BINDs) keeps the
 * group's rows as its join makes them: the rows it drops are never all
 * held at once (as exec_distinct() does with a sink), which bounds the
 * memory of a chunk by what DISTINCT keeps. */
static void fuse(Stream *d) {
  Stream *g = d->a;
  size_t n = 0;
  for (; (g->kind == S_PROJECT || g->kind == S_EXTEND) && n < 4; g = g->a) d->chain[n++] = g->op;
  if (g->kind != S_GROUP || g->gvar != SPARQL_NO_VAR) return;
  d->nchain = n;
  d->fused = g;
  g->keep = d;
}

static TrineStatus build(Exec *x, const SparqlOp *op, Stream **out) {
  while (op->kind == SPARQL_OP_TOMULTISET) op = op->a;
  /* a group's base row lives after the Stream: one calloc, not two */
  Stream *s = calloc(1, sizeof *s + (x->width + 1) * sizeof *s->base);
  *out = s;
  if (!s) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  s->op = op;
  s->gvar = SPARQL_NO_VAR;
  s->ngraphs = 1;
  exec_table_init(&s->seen, x->width);
  const SparqlOp *g = op->kind == SPARQL_OP_GRAPH ? op->a : op;
  if (group_op(g) || (g->kind == SPARQL_OP_FILTER && group_op(g->a))) {
    s->kind = S_GROUP;
    s->group = g->kind == SPARQL_OP_FILTER ? g->a : g;
    if (g->kind == SPARQL_OP_FILTER) {
      s->filters = g->exprs;
      s->nfilters = g->nexprs;
    }
    s->base = (TrineId *)(s + 1);
    if (x->subst) memcpy(s->base, x->subst, x->width * sizeof *s->base);
    if (op->kind != SPARQL_OP_GRAPH) return TRINE_OK;
    s->gvar = op->target.var;
    TrineStatus st = exec_graphs(x, op, &s->graphs, &s->ngraphs);
    if (!st && !s->graphs) s->ngraphs = 0; /* no graph: no rows */
    return st;
  }
  switch (op->kind) {
  case SPARQL_OP_FILTER: s->kind = S_FILTER; break;
  case SPARQL_OP_PROJECT: s->kind = S_PROJECT; break;
  case SPARQL_OP_EXTEND: s->kind = S_EXTEND; break;
  case SPARQL_OP_DISTINCT: case SPARQL_OP_REDUCED: s->kind = S_DISTINCT; break;
  case SPARQL_OP_LEFTJOIN: s->kind = S_OPTIONAL; break;
  case SPARQL_OP_SLICE:
    s->kind = S_SLICE;
    s->skip = op->offset > 0 ? (uint64_t)op->offset : 0;
    s->left = op->limit >= 0 ? (uint64_t)op->limit : UINT64_MAX;
    break;
  default: s->kind = S_UNION; break;
  }
  const SparqlOp *a = op->a;
  while (s->kind == S_EXTEND && a->kind == SPARQL_OP_EXTEND) a = a->a; /* a chain binds at once */
  TrineStatus st = build(x, a, &s->a);
  if (!st && s->kind == S_DISTINCT) fuse(s);
  if (!st && s->kind == S_SLICE && op->limit >= 0) { /* every row of a group reaches it */
    Stream *g = s->a;
    while (g->kind == S_PROJECT || g->kind == S_EXTEND) g = g->a;
    if (g->kind == S_GROUP) g->cap = s->skip + s->left;
  }
  return st || s->kind != S_UNION ? st : build(x, op->b, &s->b);
}

TrineStatus exec_stream_open(Exec *x, const SparqlOp *op, Stream **out) {
  *out = NULL;
  if (x->profile || !can_stream(op)) return TRINE_OK;
  x->ex.exists = exec_exists;
  x->ex.exists_ctx = x;
  TrineStatus st = build(x, op, out);
  if (st) {
    exec_stream_free(x, *out);
    *out = NULL;
  }
  return st;
}

TrineStatus exec_stream_next(Exec *x, Stream *s, const Table **rows) {
  exec_table_release(x, &s->batch);
  TrineStatus st = next(x, s, &s->batch);
  *rows = &s->batch;
  return st;
}

void exec_stream_free(Exec *x, Stream *s) {
  if (!s) return;
  exec_stream_free(x, s->a);
  exec_stream_free(x, s->b);
  group_close(s);
  free(s->made);
  free(s->graphs);
  exec_table_release(x, &s->batch);
  exec_table_release(x, &s->seen);
  free(s->slots);
  exec_mem_give(x, s->nslots * sizeof *s->slots);
  free(s);
}
