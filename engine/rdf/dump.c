/*
 * dump.c -- write the store (or one graph) from one read snapshot, graph by
 * graph and subject by subject (GSPO order): N-Quads and N-Triples with
 * canonical escaping, or Turtle and TriG through the writer of ttlwrite.c.
 *
 * Turtle and TriG nest a blank node B in place ([ ... ] or a list's
 * ( ... )) when that cannot lose or change a statement. B must be "local":
 * used exactly once as an object (anywhere in the store), no graph name,
 * and its own statements all in the graph of that use. Then it is written
 * where it is used, and the GSPO scan skips its statements. A chain of
 * local nodes going up must reach a node that is written at the top (not a
 * local blank node) within 32 nesting levels, else a cycle of local nodes
 * would be written nowhere: nodes past that, and cycles, keep their _:label.
 * The rdf:rest links of a list (node to node, each with exactly rdf:first
 * and rdf:rest) do not count as levels: lists are written in a loop. The
 * walk up is cached so that the nodes of a long list cost O(1) each.
 */
#include "dict.h"
#include "index.h"
#include "prefix.h"
#include "term.h"
#include "ttlwrite.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT (64u << 10)
#define MAX_NEST 32           /* [ ] and ( ) levels at most */
#define MAX_STEPS (1u << 22)  /* links walked up at most (list nodes) */
#define MEMO_BITS 16

/* Sinks ---------------------------------------------------------------------- */

typedef struct {
  TrineWriteFn fn;
  void *ctx;
} Sink;

static int file_write(void *ctx, const void *data, size_t len) {
  return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

static TrineStatus write_failed(TrineStore *s, const Sink *k) {
  if (k->fn == file_write)
    return store_error(s, TRINE_ERR_IO, "cannot write: %s", strerror(errno));
  return store_error(s, TRINE_ERR_IO, "cannot write: the write callback failed");
}

/* N-Quads and N-Triples ------------------------------------------------------ */

typedef struct {
  char *buf;
  size_t len, cap;
  Sink sink;
} Out;

static int out_flush(Out *o) {
  if (o->len && o->sink.fn(o->sink.ctx, o->buf, o->len)) return -1;
  o->len = 0;
  return 0;
}

static TrineStatus dump_lines(TrineTxn *t, IndexIter *it, bool nquads, Out *o) {
  TrineStore *s = t->store;
  TrineStatus st;
  Quad q;
  while ((st = index_iter_next(it, &q)) == TRINE_ROW) {
    TrineTerm term[4];
    char scratch[4][24];
    for (int i = 0; i < 4; ++i)
      if ((st = dict_term(t, q.v[i], &term[i], scratch[i]))) return st;
    if (term_write_quad_buf(&term[0], &term[1], &term[2], nquads ? &term[3] : NULL,
                            &o->buf, &o->len, &o->cap))
      return store_error(s, TRINE_ERR_NOMEM, "out of memory");
    if (o->len >= FLUSH_AT && out_flush(o)) return write_failed(s, &o->sink);
  }
  return st == TRINE_DONE ? TRINE_OK : st;
}

/* Which blank nodes nest ------------------------------------------------------ */

/* What the store says about one blank node. */
typedef struct {
  bool local;      ///< used once as object, no graph name, statements in that graph
  bool listnode;   ///< local, and its statements are one rdf:first and one rdf:rest
  TrineId parent;  ///< the subject, predicate and graph of its use
  TrineId pred, graph;
  TrineId first, rest; ///< listnode: the objects
} Node;

/* The walk up from a local node, cached: M_DIST, the levels (cost) and
 * links (steps) to the first node above written at the top; M_FAR, no
 * such node within the bounds, or a cycle. Nodes that are not local are
 * written at the top and not cached: node_info() says so. */
enum { M_EMPTY, M_DIST, M_FAR };

typedef struct {
  TrineId id;
  uint32_t cost, steps;
  unsigned char kind;
  bool listnode; ///< its Node's, so that a walk through it needs no lookup
} Memo;

/* A node of a walk up and the cost of the link above it. */
typedef struct {
  TrineId id;
  uint32_t cost;
  bool listnode;
} Step;

typedef struct {
  TrineTxn *t;
  TtlWriter *w;
  TrineId first, rest, nil; ///< rdf:first, rdf:rest, rdf:nil (0: not in the store)
  IndexIter *probe;         ///< reused for the lookups of node_info()
  Memo *memo;               ///< 1 << MEMO_BITS entries
  Step *path;               ///< the nodes of a walk up
  size_t npath, pathcap;
} Dump;

static bool is_blank(TrineId id) { return id_kind(id) == IDK_BLANK; }

/* The first quad matching q (bound positions), and whether there is a
 * second: *n is 0, 1 or 2. */
static TrineStatus first_match(Dump *d, const Quad *q, unsigned bound, Quad *out, int *n) {
  *n = 0;
  TrineStatus st = d->probe ? index_iter_seek(d->probe, q, bound)
                            : index_iter_open(d->t, q, bound, &d->probe);
  Quad x;
  while (!st && *n < 2 && (st = index_iter_next(d->probe, &x)) == TRINE_ROW) {
    if (!*n) *out = x;
    ++*n;
    st = TRINE_OK;
  }
  return st == TRINE_DONE ? TRINE_OK : st;
}

/* Whether b's statements all lie in graph g, and whether they are exactly
 * one rdf:first and one rdf:rest (their objects then in n). */
static TrineStatus subject_shape(Dump *d, TrineId b, TrineId g, bool *in_g, Node *n) {
  Quad q = {{b, 0, 0, 0}}, x;
  TrineStatus st = index_iter_seek(d->probe, &q, 1u << Q_S);
  int firsts = 0, rests = 0, others = 0;
  *in_g = true;
  while (!st && *in_g && (st = index_iter_next(d->probe, &x)) == TRINE_ROW) {
    st = TRINE_OK;
    *in_g = x.v[Q_G] == g;
    if (d->first && x.v[Q_P] == d->first) firsts++, n->first = x.v[Q_O];
    else if (d->rest && x.v[Q_P] == d->rest) rests++, n->rest = x.v[Q_O];
    else others++;
  }
  n->listnode = firsts == 1 && rests == 1 && !others;
  return st == TRINE_DONE ? TRINE_OK : st;
}

static TrineStatus node_info(Dump *d, TrineId b, Node *n) {
  *n = (Node){0};
  Quad q = {{0, 0, b, 0}}, use = {{0}};
  int uses, graphs;
  TrineStatus st = first_match(d, &q, 1u << Q_O, &use, &uses);
  if (st || uses != 1) return st;
  Quad gq = {{0, 0, 0, b}}, any;
  if ((st = first_match(d, &gq, 1u << Q_G, &any, &graphs)) || graphs) return st;
  n->parent = use.v[Q_S];
  n->pred = use.v[Q_P];
  n->graph = use.v[Q_G];
  bool in_g;
  if ((st = subject_shape(d, b, n->graph, &in_g, n))) return st;
  n->local = in_g;
  n->listnode = n->listnode && in_g;
  return TRINE_OK;
}

static Memo *memo_slot(Dump *d, TrineId id) {
  uint64_t h = id * UINT64_C(0x9E3779B97F4A7C15);
  return &d->memo[h >> (64 - MEMO_BITS)];
}

static TrineStatus path_push(Dump *d, TrineId id, uint32_t cost, bool listnode) {
  if (d->npath == d->pathcap) {
    size_t cap = d->pathcap ? d->pathcap * 2 : 64;
    Step *p = realloc(d->path, cap * sizeof *p);
    if (!p) return store_error(d->t->store, TRINE_ERR_NOMEM, "out of memory");
    d->path = p;
    d->pathcap = cap;
  }
  d->path[d->npath++] = (Step){id, cost, listnode};
  return TRINE_OK;
}

/* The cost of the link from parent to child: 0 for a list's rdf:rest. */
static uint32_t link_cost(Dump *d, const Node *child, const Node *parent) {
  return child->listnode && parent->listnode && d->rest && child->pred == d->rest ? 0 : 1;
}

/* Remember the walk's result for every node on its path (path[0] is where
 * it started): each gets the result at the end plus the links between. */
static void memo_path(Dump *d, unsigned char kind, uint32_t cost, uint32_t steps) {
  for (size_t i = d->npath; i-- > 0;) {
    if (kind == M_DIST) {
      cost += d->path[i].cost;
      steps += 1;
    }
    Memo *m = memo_slot(d, d->path[i].id);
    bool far = kind == M_FAR || cost > MAX_NEST || steps > MAX_STEPS;
    *m = (Memo){d->path[i].id, cost, steps, far ? M_FAR : M_DIST, d->path[i].listnode};
  }
}

/* Walk up from local node b (info n) until a node written at the top
 * (*kind M_DIST, *cost and *steps 0), a node whose walk is cached (its
 * result), a cycle or too many steps (M_FAR). The path goes to d->path,
 * each node with the cost of the link above it. */
static TrineStatus walk_up(Dump *d, TrineId b, const Node *n, unsigned char *kind,
                           uint32_t *cost, uint32_t *steps) {
  *kind = M_FAR;
  *cost = *steps = 0;
  d->npath = 0;
  Node cur = *n, up;
  TrineId id = b, tortoise = b; /* Brent's cycle detection */
  size_t power = 1, lam = 0;
  for (TrineStatus st;;) {
    TrineId pid = cur.parent;
    /* A cached parent is local: no lookup (a parent of a million children
     * with a million statements of its own is read once, not per child). */
    Memo *pm = is_blank(pid) ? memo_slot(d, pid) : NULL;
    bool cached = pm && pm->kind != M_EMPTY && pm->id == pid;
    up = (Node){.local = cached, .listnode = cached && pm->listnode};
    if (is_blank(pid) && !cached && (st = node_info(d, pid, &up))) return st;
    bool top = !is_blank(pid) || !up.local; /* the parent is written at the top */
    if ((st = path_push(d, id, top ? 1 : link_cost(d, &cur, &up), cur.listnode))) return st;
    if (top) {
      *kind = M_DIST;
      return TRINE_OK;
    }
    if (cached) {
      *kind = pm->kind;
      *cost = pm->cost;
      *steps = pm->steps;
      return TRINE_OK;
    }
    if (pid == tortoise) return TRINE_OK; /* a cycle: none on it is written at the top */
    if (d->npath > MAX_STEPS) {           /* too far for b; those above may be nearer */
      d->npath = 1;
      return TRINE_OK;
    }
    if (++lam == power) tortoise = pid, power *= 2, lam = 0;
    id = pid;
    cur = up;
  }
}

/* The levels of nesting local node b (info n) is written at (0: at the
 * top, with its label). */
static TrineStatus nest_level(Dump *d, TrineId b, const Node *n, unsigned *level) {
  *level = 0;
  Memo *m = memo_slot(d, b);
  if (m->kind == M_EMPTY || m->id != b) {
    unsigned char kind;
    uint32_t cost, steps;
    TrineStatus st = walk_up(d, b, n, &kind, &cost, &steps);
    if (st) return st;
    memo_path(d, kind, cost, steps);
  }
  if (m->id == b && m->kind == M_DIST) *level = m->cost;
  return TRINE_OK;
}

/* Whether blank node b is written nested (*n then its info). */
static TrineStatus nests(Dump *d, TrineId b, Node *n, bool *yes) {
  *yes = false;
  if (!is_blank(b)) return TRINE_OK;
  Memo *m = memo_slot(d, b);
  if (m->kind != M_EMPTY && m->id == b && m->kind != M_DIST) return TRINE_OK;
  TrineStatus st = node_info(d, b, n);
  if (st || !n->local) return st;
  unsigned level;
  if ((st = nest_level(d, b, n, &level))) return st;
  *yes = level > 0;
  return TRINE_OK;
}

/* Writing Turtle and TriG ------------------------------------------------------ */

static TrineStatus wr(Dump *d, TrineStatus st) {
  if (st == TRINE_ERR_NOMEM) return store_error(d->t->store, st, "out of memory");
  return st;
}

static TrineStatus put_term(Dump *d, TrineId id, TrineStatus (*fn)(TtlWriter *, const TrineTerm *)) {
  TrineTerm term;
  char scratch[24];
  TrineStatus st = dict_term(d->t, id, &term, scratch);
  return st ? st : wr(d, fn(d->w, &term));
}

static TrineStatus write_object(Dump *d, TrineId o, unsigned level);

/* Whether the list from node b (info n) runs through nested list nodes to
 * rdf:nil. */
static TrineStatus well_formed(Dump *d, const Node *n, bool *yes) {
  *yes = false;
  Node cur = *n, next;
  for (;;) {
    if (d->nil && cur.rest == d->nil) {
      *yes = true;
      return TRINE_OK;
    }
    bool nested;
    TrineStatus st = nests(d, cur.rest, &next, &nested);
    if (st || !nested || !next.listnode) return st;
    cur = next;
  }
}

static TrineStatus write_list(Dump *d, const Node *n, unsigned level) {
  TrineStatus st = wr(d, ttlw_list_begin(d->w));
  Node cur = *n;
  while (!st) {
    if ((st = write_object(d, cur.first, level + 1))) break;
    if (cur.rest == d->nil) break;
    bool nested;
    if ((st = nests(d, cur.rest, &cur, &nested))) break;
  }
  return st ? st : wr(d, ttlw_list_end(d->w));
}

/* The statements of nested node b in graph g, between "[" and "]". */
static TrineStatus write_nested_body(Dump *d, TrineId b, TrineId g, unsigned level) {
  Quad pre = {{g, b, 0, 0}}, q;
  IndexIter *it;
  TrineStatus st = index_iter_open_index(d->t, IDX_GSPO, &pre, 2, &it);
  TrineId pred = 0;
  while (!st && (st = index_iter_next(it, &q)) == TRINE_ROW) {
    st = TRINE_OK;
    if (q.v[Q_P] != pred && (st = put_term(d, q.v[Q_P], ttlw_predicate))) break;
    pred = q.v[Q_P];
    st = write_object(d, q.v[Q_O], level + 1);
  }
  index_iter_free(it);
  return st == TRINE_DONE ? TRINE_OK : st;
}

/* A list node whose list is not well formed: its rdf:rest chain of nested
 * list nodes is written in a loop, the brackets closed at the end. */
static TrineStatus write_chain(Dump *d, const Node *n, unsigned level) {
  TrineStatus st = TRINE_OK;
  uint64_t open = 0;
  Node cur = *n;
  for (;;) {
    if ((st = wr(d, ttlw_anon_begin(d->w)))) break;
    open++;
    if ((st = put_term(d, d->first, ttlw_predicate)) ||
        (st = write_object(d, cur.first, level + 1)) ||
        (st = put_term(d, d->rest, ttlw_predicate)))
      break;
    Node next;
    bool nested;
    if ((st = nests(d, cur.rest, &next, &nested))) break;
    if (!nested || !next.listnode) {
      st = write_object(d, cur.rest, level + 1);
      break;
    }
    cur = next;
  }
  while (!st && open--) st = wr(d, ttlw_anon_end(d->w));
  return st;
}

static TrineStatus write_nested(Dump *d, TrineId b, const Node *n, unsigned level) {
  bool list = false;
  TrineStatus st = n->listnode ? well_formed(d, n, &list) : TRINE_OK;
  if (st) return st;
  if (list) return write_list(d, n, level);
  if (n->listnode) return write_chain(d, n, level);
  if ((st = wr(d, ttlw_anon_begin(d->w))) || (st = write_nested_body(d, b, n->graph, level)))
    return st;
  return wr(d, ttlw_anon_end(d->w));
}

static TrineStatus write_object(Dump *d, TrineId o, unsigned level) {
  Node n;
  bool nested = false;
  TrineStatus st = nests(d, o, &n, &nested);
  if (st) return st;
  return nested ? write_nested(d, o, &n, level) : put_term(d, o, ttlw_object);
}

/* The statements of the scan, subject by subject, nested nodes skipped. */
static TrineStatus write_statements(Dump *d, IndexIter *it, bool trig) {
  TrineStatus st;
  Quad q;
  bool started = false, skip = false;
  TrineId g = 0, s = 0, p = 0;
  while ((st = index_iter_next(it, &q)) == TRINE_ROW) {
    st = TRINE_OK;
    if (trig && (!started || q.v[Q_G] != g)) {
      TrineTerm dg = trine_default_graph();
      st = q.v[Q_G] ? put_term(d, q.v[Q_G], ttlw_graph) : wr(d, ttlw_graph(d->w, &dg));
      s = 0;
    }
    started = true;
    g = q.v[Q_G];
    if (!st && q.v[Q_S] != s) {
      Node n;
      s = q.v[Q_S];
      p = 0;
      if (!(st = nests(d, s, &n, &skip)) && !skip) st = put_term(d, s, ttlw_subject);
    }
    if (!st && !skip && q.v[Q_P] != p) st = put_term(d, q.v[Q_P], ttlw_predicate);
    p = q.v[Q_P];
    if (!st && !skip) st = write_object(d, q.v[Q_O], 1);
    if (st) return st;
  }
  return st == TRINE_DONE ? TRINE_OK : st;
}

/* The id of rdf:NAME, or 0 when the store lacks it. */
static TrineStatus rdf_id(TrineTxn *t, const char *name, TrineId *id) {
  char iri[64];
  snprintf(iri, sizeof iri, RDF_NS "%s", name);
  TrineTerm term = trine_iri(iri);
  TrineStatus st = dict_lookup(t, &term, id);
  if (st == TRINE_NOT_FOUND) *id = 0;
  return st == TRINE_NOT_FOUND ? TRINE_OK : st;
}

/* The store's saved prefixes as name, IRI pairs. */
typedef struct {
  char **v;
  size_t n, cap;
} Pairs;

static int add_pair(void *ctx, const char *name, const char *iri) {
  Pairs *p = ctx;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    char **v = realloc(p->v, 2 * cap * sizeof *v);
    if (!v) return 1;
    p->v = v;
    p->cap = cap;
  }
  p->v[2 * p->n] = strdup(name);
  p->v[2 * p->n + 1] = strdup(iri);
  p->n++;
  return !p->v[2 * p->n - 2] || !p->v[2 * p->n - 1];
}

static void pairs_free(Pairs *p) {
  for (size_t i = 0; i < 2 * p->n; ++i) free(p->v[i]);
  free(p->v);
}

static TrineStatus dump_ttl(TrineTxn *t, IndexIter *it, const TrineDumpOptions *o, Sink k) {
  TrineStore *s = t->store;
  Pairs saved = {0};
  TrineStatus st = TRINE_OK;
  if (!o->prefixes && (st = prefix_each(t, add_pair, &saved))) {
    pairs_free(&saved);
    return st;
  }
  Dump d = {.t = t};
  bool trig = o->format == TRINE_FORMAT_TRIG;
  if (!(d.memo = calloc((size_t)1 << MEMO_BITS, sizeof *d.memo))) st = TRINE_ERR_NOMEM;
  if (!st)
    st = ttlw_new(k.fn, k.ctx, trig, o->prefixes ? o->prefixes : (const char *const *)saved.v,
                  o->prefixes ? o->nprefixes : saved.n, &d.w);
  if (st) st = store_error(s, st, "out of memory");
  if (!st && !(st = rdf_id(t, "first", &d.first)) && !(st = rdf_id(t, "rest", &d.rest)))
    st = rdf_id(t, "nil", &d.nil);
  if (!st && it) st = write_statements(&d, it, trig);
  if (!st) st = ttlw_finish(d.w);
  if (st == TRINE_ERR_IO) st = write_failed(s, &k);
  else if (st == TRINE_ERR_NOMEM) st = store_error(s, st, "out of memory");
  ttlw_free(d.w);
  index_iter_free(d.probe);
  free(d.memo);
  free(d.path);
  pairs_free(&saved);
  return st;
}

/* The dump as seen by transaction t. */
static TrineStatus dump_in(TrineTxn *t, Sink k, const TrineDumpOptions *o) {
  TrineStore *s = t->store;
  TrineStatus st = TRINE_OK;
  Quad pre = {{0, 0, 0, 0}};
  int prefix = 0; /* every graph: the whole GSPO index, graph by graph */
  const TrineTerm *graph = o->graph;
  TrineTerm dg = trine_default_graph();
  if (!graph && o->format == TRINE_FORMAT_TURTLE) graph = &dg;
  if (graph) {
    prefix = 1;
    if (graph->kind != TRINE_TERM_DEFAULT_GRAPH) st = dict_lookup(t, graph, &pre.v[0]);
  }
  IndexIter *it = NULL;
  if (st == TRINE_NOT_FOUND) st = TRINE_OK; /* unknown graph: no quads, no scan */
  else if (!st) st = index_iter_open_index(t, IDX_GSPO, &pre, prefix, &it);
  if (st) return st;
  if (o->format == TRINE_FORMAT_TURTLE || o->format == TRINE_FORMAT_TRIG) {
    st = dump_ttl(t, it, o, k);
  } else {
    Out out = {.sink = k};
    if (it) st = dump_lines(t, it, o->format != TRINE_FORMAT_NTRIPLES, &out);
    if (!st && out_flush(&out)) st = write_failed(s, &k);
    free(out.buf);
  }
  index_iter_free(it);
  return st;
}

static TrineStatus dump_to(TrineStore *s, TrineTxn *t, Sink k, const TrineDumpOptions *o) {
  if (o->format < TRINE_FORMAT_GUESS || o->format > TRINE_FORMAT_TRIG)
    return api_misuse(s, "trine_store_dump_to", "unknown format");
  if (t) return dump_in(t, k, o);
  TrineStatus st = trine_txn_begin(s, false, &t);
  if (st) return st;
  st = dump_in(t, k, o);
  trine_txn_abort(t);
  return st;
}

TrineStatus trine_store_dump_to(TrineStore *s, TrineWriteFn write, void *ctx,
                                const TrineDumpOptions *opts) {
  static const TrineDumpOptions defaults = {0};
  if (!s || !write)
    return api_misuse(s, "trine_store_dump_to", s ? "write is NULL" : "store is NULL");
  const TrineDumpOptions *o = opts ? opts : &defaults;
  if (o->txn && o->txn->store != s)
    return api_misuse(s, "trine_store_dump_to", "opts->txn is a transaction of another store");
  return dump_to(s, o->txn, (Sink){write, ctx}, o);
}

TrineStatus trine_store_dump(TrineStore *s, FILE *out, TrineFormat format,
                             const TrineTerm *graph) {
  if (!s || !out)
    return api_misuse(s, "trine_store_dump", s ? "out is NULL" : "store is NULL");
  TrineDumpOptions o = {.format = format, .graph = graph};
  TrineStatus st = dump_to(s, NULL, (Sink){file_write, out}, &o);
  if (!st && fflush(out))
    st = store_error(s, TRINE_ERR_IO, "cannot write: %s", strerror(errno));
  return st;
}

TrineStatus trine_txn_dump(TrineTxn *t, FILE *out, TrineFormat format, const TrineTerm *graph) {
  if (!t || !out)
    return api_misuse(t ? t->store : NULL, "trine_txn_dump", t ? "out is NULL" : "txn is NULL");
  TrineDumpOptions o = {.format = format, .graph = graph};
  TrineStatus st = dump_to(t->store, t, (Sink){file_write, out}, &o);
  if (!st && fflush(out))
    st = store_error(t->store, TRINE_ERR_IO, "cannot write: %s", strerror(errno));
  return st;
}
