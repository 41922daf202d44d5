/*
 * exec.c -- SPARQL algebra evaluation over the indexes (see exec.h).
 */
#include "exec.h"
#include "exec_int.h"

#include "index.h"
#include "pool.h"
#include "stats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>



static TrineStatus eval(Exec *x, const SparqlOp *op, GCtx gc, Table *out);
static TrineStatus extend(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                          SparqlExpr *const *filters, size_t nfilters, Table *out);
static void exists_free(Exec *x);

/* ---- tables ---- */

TrineStatus exec_fail(Exec *x, TrineStatus st, const char *msg) {
  return store_error(x->txn->store, st, "%s", msg);
}



/* ---- the executed plan (profile) ---- */

/* The entry of a site, made on first use (label: printf-style). Returns
 * SIZE_MAX when not profiling or out of memory. */
static size_t prof_site(Exec *x, const void *site, double est, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static size_t prof_site(Exec *x, const void *site, double est, const char *fmt, ...) {
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
static double prof_clock(const Exec *x) {
  if (!x->profile) return 0;
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void prof_count(Exec *x, size_t i, uint64_t rows, double t0) {
  if (i == SIZE_MAX) return;
  x->prof[i].rows += rows;
  x->prof[i].calls++;
  x->prof[i].ms += prof_clock(x) - t0;
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
static void slot_text(Exec *x, FILE *f, uint32_t var, TrineId id) {
  if (var != SPARQL_NO_VAR) {
    fprintf(f, " ?%s", x->req->vars[var].name);
    return;
  }
  TrineTerm t;
  fputc(' ', f);
  if (!id || qdict_term(x->dict, id, &t)) fputs("<?>", f);
  else trine_term_write(&t, f);
}

void exec_table_free(Exec *x, Table *t) {
  pool_put(x->pool, t->rows, t->bytes);
  t->rows = NULL;
  t->n = t->cap = t->bytes = 0;
}

/* Free a table and return its memory to the query's budget. */
void exec_table_release(Exec *x, Table *t) {
  size_t bytes = t->cap * t->width * sizeof(TrineId);
  x->mem_used = bytes > x->mem_used ? 0 : x->mem_used - bytes;
  exec_table_free(x, t);
}

TrineStatus exec_check_limits(Exec *x) {
  if (x->cancel && *x->cancel) return exec_fail(x, TRINE_ERR_CANCELLED, "query cancelled");
  if (x->deadline.tv_sec && (++x->ticks & 1023) == 0) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (now.tv_sec > x->deadline.tv_sec ||
        (now.tv_sec == x->deadline.tv_sec && now.tv_nsec >= x->deadline.tv_nsec))
      return exec_fail(x, TRINE_ERR_CANCELLED, "query timed out");
  }
  return TRINE_OK;
}

TrineStatus exec_table_reserve(Exec *x, Table *t, size_t more) {
  if (t->cap - t->n < more) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    while (cap - t->n < more) cap *= 2;
    size_t add = (cap - t->cap) * t->width * sizeof(TrineId);
    if (x->mem_used + add > x->mem_limit)
      return store_error(x->txn->store, TRINE_ERR_FULL,
                         "query needs more than %zu MiB of memory for its intermediate results",
                         x->mem_limit >> 20);
    /* From the pool: big tables reuse an earlier query's pages. */
    size_t got;
    TrineId *r = pool_get(x->pool, cap * t->width * sizeof *r + sizeof *r, &got);
    if (!r) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    if (t->width) cap = (got - sizeof *r) / (t->width * sizeof *r);
    if (t->n) memcpy(r, t->rows, t->n * t->width * sizeof *r);
    pool_put(x->pool, t->rows, t->bytes);
    x->mem_used += (cap - t->cap) * t->width * sizeof *r;
    t->rows = r;
    t->cap = cap;
    t->bytes = got;
  }
  return TRINE_OK;
}

TrineStatus exec_table_push(Exec *x, Table *t, const TrineId *row) {
  TrineStatus st = exec_table_room(x, t);
  if (st) return st;
  TrineId *dst = exec_row(t, t->n);
  for (size_t i = 0; i < t->width; ++i) dst[i] = row[i];
  return exec_table_added(x, t);
}


TrineStatus exec_unit_table(Exec *x, Table *t) {
  exec_table_init(t, x->width);
  TrineId *zero = calloc(x->width + 1, sizeof *zero);
  if (!zero) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  if (x->subst) memcpy(zero, x->subst, x->width * sizeof *zero);
  TrineStatus st = exec_table_push(x, t, zero);
  free(zero);
  return st;
}

static bool compatible(const TrineId *a, const TrineId *b, size_t w) {
  for (size_t i = 0; i < w; ++i)
    if (a[i] && b[i] && a[i] != b[i]) return false;
  return true;
}

static void merge(TrineId *dst, const TrineId *a, const TrineId *b, size_t w) {
  for (size_t i = 0; i < w; ++i) dst[i] = a[i] ? a[i] : b[i];
}

/* ---- executor setup ---- */

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

/* Iterators kept across the probes of one pattern, one per graph. */
typedef struct {
  IndexIter **it;
  size_t n;
} ScanCache;

static void scan_cache_free(ScanCache *c) {
  for (size_t i = 0; i < c->n; ++i) index_iter_free(c->it[i]);
  free(c->it);
  *c = (ScanCache){0};
}

TrineStatus exec_init(Exec *x, TrineTxn *txn, QDict *dict, const SparqlRequest *req) {
  *x = (Exec){.txn = txn, .dict = dict, .req = req, .width = req->nvars,
              .pool = txn->store->pool};
  x->mem_limit = (size_t)1 << 30;
  x->named_all = true;
  TrineStatus st = expr_ctx_init(&x->ex, dict, req, req->base);
  if (st) return st;
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

static void probes_free(Exec *x) {
  for (int i = 0; i < 3; ++i) {
    index_probe_free(x->probes[i]);
    x->probes[i] = NULL;
  }
}

void exec_free(Exec *x) {
  if (x->scans) scan_cache_free(x->scans);
  free(x->scans);
  probes_free(x);
  exists_free(x);
  for (size_t i = 0; i < x->nprof; ++i) free(x->prof[i].label);
  free(x->prof);
  exec_memo_free(x);
  expr_ctx_free(&x->ex);
  free(x->dflt);
  free(x->named);
}

/* ---- triple patterns ---- */

/* A pattern position: a constant id (var NO_VAR) or a variable. */
typedef struct {
  uint32_t var[3];
  TrineId id[3];   /* constants; 0 with var NO_VAR: a constant not in the store */
  bool missing;    /* a constant is not in the store: no match */
} Pat;

/* The store id of a constant of the request, remembered by its address:
 * join groups are planned again for each row an OPTIONAL or EXISTS probes. */
TrineStatus exec_const_id(Exec *x, const TrineTerm *term, TrineId *id) {
  size_t slot = ((uintptr_t)term >> 4) % (sizeof x->consts / sizeof x->consts[0]);
  if (x->consts[slot].term == term) {
    *id = x->consts[slot].id;
    return *id ? TRINE_OK : TRINE_NOT_FOUND;
  }
  TrineStatus st = term->kind == TRINE_TERM_BLANK ? TRINE_NOT_FOUND
                                                   : qdict_lookup(x->dict, term, id);
  if (st && st != TRINE_NOT_FOUND) return st;
  if (st) *id = 0;
  x->consts[slot].term = term;
  x->consts[slot].id = *id;
  return st;
}

static TrineStatus make_pat(Exec *x, const SparqlTriple *t, Pat *p) {
  const SparqlSlot *sl[3] = {&t->s, &t->p, &t->o};
  *p = (Pat){0};
  for (int i = 0; i < 3; ++i) {
    p->var[i] = sl[i]->var;
    if (sl[i]->var != SPARQL_NO_VAR) continue;
    TrineStatus st = exec_const_id(x, &sl[i]->term, &p->id[i]);
    if (st == TRINE_NOT_FOUND) p->missing = true;
    else if (st) return st;
  }
  return TRINE_OK;
}

/* Counters of a predicate (c[0..2]) or a graph (c[0]), remembered. */
static void stat_of(Exec *x, TrineId id, bool graph, uint64_t c[3]) {
  for (size_t i = 0; i < x->nstat; ++i)
    if (x->stat[i].id == id && x->stat[i].graph == graph) {
      memcpy(c, x->stat[i].c, sizeof x->stat[i].c);
      return;
    }
  c[0] = c[1] = c[2] = 0;
  if (graph) stats_graph(x->txn, id, &c[0]);
  else stats_predicate(x->txn, id, c);
  if (x->nstat < sizeof x->stat / sizeof x->stat[0]) {
    x->stat[x->nstat].id = id;
    x->stat[x->nstat].graph = graph;
    memcpy(x->stat[x->nstat++].c, c, sizeof x->stat[0].c);
  }
}

/* Expected rows of p given the variables already bound. */
static double estimate(Exec *x, const Pat *p, const uint64_t *bound, GCtx gc) {
  if (p->missing) return 0;
  bool b[3];
  for (int i = 0; i < 3; ++i)
    b[i] = p->var[i] == SPARQL_NO_VAR || exec_bit(bound, p->var[i]);
  uint64_t scope = 0, c[3];
  for (size_t i = 0; i < (gc.one ? 1 : x->ndflt); ++i) {
    stat_of(x, gc.one ? gc.g : x->dflt[i], true, c);
    scope += c[0];
  }
  double est = (double)scope;
  if (p->var[1] == SPARQL_NO_VAR) {
    stat_of(x, p->id[1], false, c);
    est = (double)c[0];
    if (b[0] && c[1]) est /= (double)c[1];
    if (b[2] && c[2]) est /= (double)c[2];
  } else {
    if (b[1]) est /= 20;
    if (b[0]) est /= 1000;
    if (b[2]) est /= 100;
  }
  return est;
}

/* Variables bound in every row of t (first 64). */
static uint64_t certain_vars(const Table *t) {
  if (t->n == 0) return 0;
  uint64_t set = ~UINT64_C(0);
  for (size_t i = 0; i < t->n; ++i) {
    const TrineId *r = exec_row(t, i);
    uint64_t here = 0;
    for (size_t v = 0; v < t->width && v < 64; ++v)
      if (r[v]) here |= UINT64_C(1) << v;
    set &= here;
  }
  return set;
}


/* A scan's callback, and the graph being scanned (for the RDF merge). */
typedef struct {
  Exec *x;
  QuadFn fn;
  void *ctx;
  size_t gi; /* index of the default graph being scanned; 0: no merge */
} ScanCtx;

/* With several default graphs, a triple counts once (RDF merge): skip it
 * in every graph but the first that has it. */
static TrineStatus on_scanned(void *arg, const Quad *q) {
  ScanCtx *c = arg;
  Exec *x = c->x;
  for (size_t gj = 0; gj < c->gi; ++gj) {
    Quad probe = *q;
    probe.v[Q_G] = x->dflt[gj];
    IndexIter *it2;
    bool dup = false;
    if (index_iter_open(x->txn, &probe, 0xF, &it2) == TRINE_OK) {
      Quad tmp;
      dup = index_iter_next(it2, &tmp) == TRINE_ROW;
      index_iter_free(it2);
    }
    if (dup) return TRINE_OK;
  }
  return c->fn(x, q, c->ctx);
}

/* Every quad matching q (bound positions in mask) in the graphs of gc. A
 * callback's non-OK status (an error, or a request to stop) ends the scan
 * and is returned. */
static TrineStatus scan_cached(Exec *x, Quad q, unsigned mask, GCtx gc, QuadFn fn, void *ctx,
                               ScanCache *cache) {
  size_t ng = gc.one ? 1 : x->ndflt;
  if (cache && cache->it && cache->n != ng) scan_cache_free(cache); /* dataset changed */
  if (cache && !cache->it) {
    if (!(cache->it = calloc(ng + 1, sizeof *cache->it))) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    cache->n = ng;
  }
  for (size_t gi = 0; gi < ng; ++gi) {
    q.v[Q_G] = gc.one ? gc.g : x->dflt[gi];
    IndexIter *it = cache ? cache->it[gi] : NULL;
    TrineStatus st = it ? TRINE_OK : index_iter_open(x->txn, &q, mask | 1u << Q_G, &it);
    if (st) return st;
    if (cache) cache->it[gi] = it;
    ScanCtx c = {x, fn, ctx, gc.one ? 0 : gi};
    st = index_iter_each(it, &q, mask | 1u << Q_G, on_scanned, &c);
    if (!cache) index_iter_free(it);
    if (st) return st;
  }
  return TRINE_OK;
}

/* Scans through here keep their cursors in x->scans (a path's walk makes
 * one small scan per node); callbacks never scan again, but if one does,
 * that inner scan opens its own cursors. */
TrineStatus exec_scan(Exec *x, Quad q, unsigned mask, GCtx gc, QuadFn fn, void *ctx) {
  if (x->scans_busy) return scan_cached(x, q, mask, gc, fn, ctx, NULL);
  if (!x->scans && !(x->scans = calloc(1, sizeof(ScanCache))))
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  x->scans_busy = true;
  TrineStatus st = scan_cached(x, q, mask, gc, fn, ctx, x->scans);
  x->scans_busy = false;
  return st;
}

/* A path link's probe: the quad's bound ids, where s and o sit in the
 * records, and where its pairs go. */
typedef struct {
  Exec *x;
  const Quad *q;
  PairFn fn;
  void *ctx;
  int prefix, ls, lo;
} PairProbe;

static TrineStatus on_pair_match(void *ctx, size_t probe, const unsigned char *rec) {
  (void)probe;
  PairProbe *c = ctx;
  TrineId s = c->ls < c->prefix ? c->q->v[Q_S] : be_get(rec + 8 * (c->ls - 1));
  TrineId o = c->lo < c->prefix ? c->q->v[Q_O] : be_get(rec + 8 * (c->lo - 1));
  return c->fn(c->x, c->ctx, s, o);
}

TrineStatus exec_probe(Exec *x, const Quad *q, unsigned mask, PairFn fn, void *ctx) {
  int prefix;
  IndexId idx = index_choose(mask | 1u << Q_G, true, &prefix);
  TrineStatus st = TRINE_OK;
  IndexProbe *probe = x->probes_busy ? NULL : x->probes[idx];
  if (!probe && (st = index_probe_open(x->txn, idx, &probe))) return st;
  if (!x->probes_busy) x->probes[idx] = probe;
  bool own = x->probes_busy; /* a callback probing again gets its own */
  x->probes_busy = true;
  const int *o = index_order[idx];
  TrineId pre[4];
  PairProbe c = {x, q, fn, ctx, prefix, 0, 0};
  for (int i = 0; i < 4; ++i) {
    if (i < prefix) pre[i] = q->v[o[i]];
    if (o[i] == Q_S) c.ls = i;
    if (o[i] == Q_O) c.lo = i;
  }
  st = index_probe_batch(probe, pre, 1, prefix, on_pair_match, &c);
  if (own) index_probe_free(probe);
  else x->probes_busy = false;
  return st;
}

typedef struct {
  const Pat *p;
  const TrineId *row;
  Table *out;
  SparqlExpr *const *filters;
  size_t nfilters;
} PatCtx;

TrineStatus exec_emit(Exec *x, Table *out, const TrineId *row,
                                 SparqlExpr *const *filters, size_t nfilters) {
  if (x->emit_cap && out->n >= x->emit_cap) return TRINE_DONE;
  if (nfilters) {
    bool pass;
    TrineStatus st = expr_filter(&x->ex, filters, nfilters, row, &pass);
    if (st || !pass) return st;
  }
  return exec_table_push(x, out, row);
}

TrineStatus exec_quads_push(Exec *x, Quads *qs, const Quad *q) {
  if (qs->n == qs->cap) {
    size_t cap = qs->cap ? qs->cap * 2 : 64;
    Quad *n = realloc(qs->q, cap * sizeof *n);
    if (!n) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    qs->q = n;
    qs->cap = cap;
  }
  qs->q[qs->n++] = *q;
  return TRINE_OK;
}

static uint64_t hash_ids(const TrineId *v, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15u;
  for (size_t i = 0; i < n; ++i) h = (h ^ v[i]) * 0xbf58476d1ce4e5b9u;
  return h ^ h >> 31;
}

TrineStatus rowhash_init(Exec *x, RowHash *h, const Table *t, uint64_t keys) {
  *h = (RowHash){.t = t};
  for (uint32_t v = 0; v < 64 && h->nkey < 8; ++v)
    if (keys >> v & 1) h->key[h->nkey++] = v;
  size_t nb = 16;
  while (nb < t->n * 2) nb <<= 1;
  size_t bytes = (nb + t->n + 1) * sizeof(size_t);
  if (x->mem_used + bytes > x->mem_limit)
    return store_error(x->txn->store, TRINE_ERR_FULL,
                       "query needs more than %zu MiB of memory for its intermediate results",
                       x->mem_limit >> 20);
  h->head = malloc(nb * sizeof *h->head);
  h->next = malloc((t->n + 1) * sizeof *h->next);
  if (!h->head || !h->next) {
    rowhash_free(x, h);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  h->bytes = bytes;
  x->mem_used += bytes;
  h->mask = nb - 1;
  for (size_t i = 0; i < nb; ++i) h->head[i] = SIZE_MAX;
  for (size_t i = t->n; i-- > 0;) { /* chains in row order */
    TrineId vals[8];
    for (size_t k = 0; k < h->nkey; ++k) vals[k] = exec_row(t, i)[h->key[k]];
    size_t slot = (size_t)hash_ids(vals, h->nkey) & h->mask;
    h->next[i] = h->head[slot];
    h->head[slot] = i;
  }
  return TRINE_OK;
}

static bool rowhash_is(const RowHash *h, size_t row, const TrineId *vals) {
  const TrineId *r = exec_row(h->t, row);
  for (size_t k = 0; k < h->nkey; ++k)
    if (r[h->key[k]] != vals[k]) return false;
  return true;
}

size_t rowhash_next(const RowHash *h, size_t row, const TrineId *vals) {
  for (size_t j = h->next[row]; j != SIZE_MAX; j = h->next[j])
    if (rowhash_is(h, j, vals)) return j;
  return SIZE_MAX;
}

size_t rowhash_find(const RowHash *h, const TrineId *vals) {
  size_t j = h->head[(size_t)hash_ids(vals, h->nkey) & h->mask];
  return j == SIZE_MAX || rowhash_is(h, j, vals) ? j : rowhash_next(h, j, vals);
}

void rowhash_free(Exec *x, RowHash *h) {
  free(h->head);
  free(h->next);
  h->head = h->next = NULL;
  x->mem_used = h->bytes > x->mem_used ? 0 : x->mem_used - h->bytes;
  h->bytes = 0;
}

/* The row extended with a match. */
static TrineStatus on_match(Exec *x, const Quad *q, void *arg) {
  PatCtx *c = arg;
  TrineStatus st;
  TrineId *dst = exec_row_begin(x, c->out, c->row, &st);
  if (!dst) return st;
  static const int pos[3] = {Q_S, Q_P, Q_O};
  for (int i = 0; i < 3; ++i) {
    uint32_t v = c->p->var[i];
    if (v == SPARQL_NO_VAR) continue;
    TrineId val = q->v[pos[i]];
    if (dst[v] && dst[v] != val) return TRINE_OK; /* ?x ?p ?x */
    dst[v] = val;
  }
  return exec_row_keep(x, c->out, c->filters, c->nfilters);
}

/* The inner loop of an index nested-loop join in one graph: rows whose
 * bound positions are those of mask probe idx and read the matches in
 * place. The pattern's variables sit at layout positions lay[i] (1..3;
 * 0: none) of the record. */
typedef struct {
  IndexProbe *probe;
  IndexId idx;
  int prefix;
  unsigned mask;
  int lay[3];
} Prober;

/* Set pr up for rows bound as mask; a pattern bound in all three
 * positions may use any index: pref, unless it is IDX_COUNT. */
static TrineStatus prober_init(Exec *x, Prober *pr, unsigned mask, IndexId pref) {
  pr->mask = mask;
  pr->idx = index_choose(mask | 1u << Q_G, true, &pr->prefix);
  if (pr->prefix == 4 && pref < IDX_SPOG) pr->idx = pref;
  static const int pos[3] = {Q_S, Q_P, Q_O};
  for (int i = 0; i < 3; ++i)
    for (int l = 1; l < 4; ++l)
      if (index_order[pr->idx][l] == pos[i]) pr->lay[i] = l;
  return index_probe_open(x->txn, pr->idx, &pr->probe);
}

/* A batch of rows probing one pattern: for each probe, the row it
 * extends; where the matches' rows go. */
enum { PROBE_BATCH = 256 };
typedef struct {
  Exec *x;
  const Pat *p;
  const Prober *pr;
  const TrineId *row[PROBE_BATCH];
  TrineId keys[PROBE_BATCH * 4];
  size_t n;
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
} ProbeBatch;

/* A match: its probe's row extended with the record's free ids. */
static TrineStatus on_probe_match(void *ctx, size_t probe, const unsigned char *rec) {
  ProbeBatch *b = ctx;
  TrineStatus st;
  TrineId *dst = exec_row_begin(b->x, b->out, b->row[probe], &st);
  if (!dst) return st;
  for (int i = 0; i < 3; ++i) {
    uint32_t v = b->p->var[i];
    int lay = b->pr->lay[i];
    if (v == SPARQL_NO_VAR || lay < b->pr->prefix) continue; /* bound */
    TrineId val = be_get(rec + 8 * (lay - 1));
    if (dst[v] && dst[v] != val) return TRINE_OK; /* ?x ?p ?x */
    dst[v] = val;
  }
  return exec_row_keep(b->x, b->out, b->filters, b->nfilters);
}

/* Add row (its pattern positions bound as q) to the batch; probe the
 * batch when it is full. */
static TrineStatus batch_add(ProbeBatch *b, const Quad *q, const TrineId *row) {
  const int *o = index_order[b->pr->idx];
  TrineId *k = b->keys + b->n * (size_t)b->pr->prefix;
  for (int i = 0; i < b->pr->prefix; ++i) k[i] = q->v[o[i]];
  b->row[b->n++] = row;
  if (b->n < PROBE_BATCH) return TRINE_OK;
  b->n = 0;
  return index_probe_batch(b->pr->probe, b->keys, PROBE_BATCH, b->pr->prefix, on_probe_match, b);
}

static TrineStatus batch_flush(ProbeBatch *b) {
  size_t n = b->n;
  b->n = 0;
  return n ? index_probe_batch(b->pr->probe, b->keys, n, b->pr->prefix, on_probe_match, b)
           : TRINE_OK;
}

/* Extend every row of in with the matches of one pattern. */
static TrineStatus extend_pattern(Exec *x, const Pat *p, GCtx gc, const Table *in,
                                  IndexId pref, SparqlExpr *const *filters, size_t nfilters,
                                  Table *out) {
  exec_table_init(out, x->width);
  if (p->missing) return TRINE_OK;
  static const int pos[3] = {Q_S, Q_P, Q_O};
  TrineStatus st = TRINE_OK;
  ScanCache cache = {0};
  /* One graph (the usual case): probes read in place. Several default
   * graphs merge through scan_cached(). */
  bool one = gc.one || x->ndflt == 1;
  TrineId g = gc.one ? gc.g : x->ndflt ? x->dflt[0] : 0;
  Prober pr = {0};
  ProbeBatch *b = one ? malloc(sizeof *b) : NULL;
  if (one && !b) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  if (b) *b = (ProbeBatch){.x = x, .p = p, .pr = &pr, .filters = filters,
                           .nfilters = nfilters, .out = out};
  for (size_t r = 0; r < in->n && !st; ++r) {
    if ((r & 63) == 0 && (st = exec_check_limits(x))) break; /* filters may keep nothing */
    const TrineId *row = exec_row(in, r);
    Quad q = {{0, 0, 0, g}};
    unsigned mask = 0;
    bool skip = false;
    for (int i = 0; i < 3; ++i) {
      uint32_t v = p->var[i];
      TrineId val = v == SPARQL_NO_VAR ? p->id[i] : row[v];
      if (!val) continue;
      /* Temporary ids (computed terms) are in no quad. */
      if (id_kind(val) == IDK_TEMP) skip = true;
      q.v[pos[i]] = val;
      mask |= 1u << pos[i];
    }
    if (skip) continue;
    if (one && mask && (pr.probe || !(st = prober_init(x, &pr, mask, pref))) && pr.mask == mask) {
      st = batch_add(b, &q, row);
      continue;
    }
    /* Rows come out in order: the batch goes first. */
    if (st || (b && (st = batch_flush(b)))) break;
    PatCtx c = {p, row, out, filters, nfilters};
    st = scan_cached(x, q, mask, gc, on_match, &c, &cache);
  }
  if (!st && b) st = batch_flush(b);
  free(b);
  index_probe_free(pr.probe);
  scan_cache_free(&cache);
  return st;
}

/* Whether row equals a row of table v (of VALUES op) on op's variables. */
static bool values_has(const Table *v, const SparqlOp *op, const TrineId *row) {
  for (size_t j = 0; j < v->n; ++j) {
    const TrineId *vr = exec_row(v, j);
    bool eq = true;
    for (size_t c = 0; c < op->nvars && eq; ++c) eq = row[op->vars[c]] == vr[op->vars[c]];
    if (eq) return true;
  }
  return false;
}

/* ---- subject stars ----
 * Patterns ?s p1 ?o1 . ?s p2 ?o2 ... with ?s bound and constant
 * predicates read one run of records per subject in GSPO: one seek to
 * its first predicate, then a walk over its records (index_probe_runs()),
 * and each row is copied once with all its new values rather than once
 * per pattern. */

enum { STAR_MAX = 8 };

/* Whether p can be part of a star from rows binding bound: subject bound,
 * predicate constant, object a variable not bound in every row. */
static bool star_member(const Pat *p, uint64_t bound) {
  return !p->missing && p->var[0] != SPARQL_NO_VAR && exec_bit(&bound, p->var[0]) &&
         p->var[1] == SPARQL_NO_VAR && p->var[2] != SPARQL_NO_VAR && p->var[2] != p->var[0] &&
         !exec_bit(&bound, p->var[2]);
}

enum { STAR_BATCH = 128 }; /* rows per index_probe_runs() */

typedef struct {
  Exec *x;
  size_t k, nsel, nrows;    /* patterns; distinct predicates; rows in the batch */
  uint32_t var[STAR_MAX];   /* pattern t binds var[t] to a match of */
  size_t of[STAR_MAX];      /* predicate sel[of[t]] */
  TrineId sel[STAR_MAX];    /* the predicates, ascending */
  IndexProbe *probe;        /* GSPO */
  const TrineId *row[STAR_BATCH];
  TrineId keys[STAR_BATCH * 2];       /* (g, s) per row */
  uint32_t cnt[STAR_BATCH * STAR_MAX]; /* matches per row and predicate */
  TrineId *vals;            /* the matches' objects, row by row, predicate by predicate */
  size_t nvals, cap;
  const Table *keep;        /* NULL, or VALUES the rows must match (distinct rows) */
  const SparqlOp *keep_op;
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
} StarBatch;

/* Each row of the batch once per combination of its patterns' matches. */
static TrineStatus star_emit(StarBatch *b) {
  TrineStatus st = TRINE_OK;
  size_t first = 0; /* in vals: row j's first match */
  for (size_t j = 0; j < b->nrows; ++j) {
    const uint32_t *cnt = b->cnt + j * b->nsel;
    size_t off[STAR_MAX], n[STAR_MAX], at[STAR_MAX] = {0};
    for (size_t s = 0; s < b->nsel; ++s) {
      off[s] = first;
      first += cnt[s];
    }
    bool empty = false;
    for (size_t t = 0; t < b->k; ++t) {
      n[t] = cnt[b->of[t]];
      empty |= n[t] == 0;
    }
    for (; !empty;) {
      TrineId *dst = exec_row_begin(b->x, b->out, b->row[j], &st);
      if (!dst) return st;
      bool ok = true;
      for (size_t t = 0; t < b->k; ++t) {
        TrineId val = b->vals[off[b->of[t]] + at[t]];
        ok &= !dst[b->var[t]] || dst[b->var[t]] == val; /* bound in this row already */
        dst[b->var[t]] = val;
      }
      ok = ok && (!b->keep || values_has(b->keep, b->keep_op, dst));
      if (ok && (st = exec_row_keep(b->x, b->out, b->filters, b->nfilters))) return st;
      size_t t = b->k; /* the next combination */
      while (t > 0 && ++at[t - 1] == n[t - 1]) at[--t] = 0;
      if (t == 0) break;
    }
  }
  return st;
}

static TrineStatus star_flush(StarBatch *b) {
  if (!b->nrows) return TRINE_OK;
  TrineStatus st = index_probe_runs(b->probe, b->keys, b->nrows, b->sel, b->nsel, b->cnt,
                                    &b->vals, &b->nvals, &b->cap);
  if (!st) st = star_emit(b);
  b->nrows = 0;
  return st;
}

/* Extend every row of in with the matches of the k star patterns p (all
 * star_member()s of one subject), in one graph; keep (NULL: none) is a
 * VALUES table of distinct rows, of operator keep_op, that the rows made
 * bind every variable of and must match. */
static TrineStatus extend_star(Exec *x, const Pat *const *p, size_t k, GCtx gc, const Table *in,
                               const Table *keep, const SparqlOp *keep_op,
                               SparqlExpr *const *filters, size_t nfilters, Table *out) {
  exec_table_init(out, x->width);
  StarBatch *b = calloc(1, sizeof *b);
  if (!b) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  *b = (StarBatch){.x = x, .k = k, .filters = filters, .nfilters = nfilters, .keep = keep,
                   .keep_op = keep_op, .out = out};
  /* The distinct predicates in ascending order; pattern t reads sel[of[t]]. */
  for (size_t t = 0; t < k; ++t) {
    size_t s = 0;
    while (s < b->nsel && b->sel[s] < p[t]->id[1]) ++s;
    if (s == b->nsel || b->sel[s] != p[t]->id[1]) {
      memmove(b->sel + s + 1, b->sel + s, (b->nsel - s) * sizeof *b->sel);
      b->sel[s] = p[t]->id[1];
      b->nsel++;
    }
  }
  for (size_t t = 0; t < k; ++t) {
    b->var[t] = p[t]->var[2];
    while (b->sel[b->of[t]] != p[t]->id[1]) b->of[t]++;
  }
  TrineId g = gc.one ? gc.g : x->dflt[0];
  uint32_t s = p[0]->var[0];
  TrineStatus st = index_probe_open(x->txn, IDX_GSPO, &b->probe);
  /* About a row per row (star_of() takes patterns of few matches): made
   * where they stay, not copied as the table doubles. Up to a point: the
   * memory limit counts what is reserved, and a star may match few rows. */
  if (!st && !x->emit_cap) st = exec_table_reserve(x, out, in->n < 65536 ? in->n : 65536);
  for (size_t r = 0; r < in->n && !st; ++r) {
    if ((r & 63) == 0 && (st = exec_check_limits(x))) break;
    const TrineId *row = exec_row(in, r);
    if (id_kind(row[s]) == IDK_TEMP) continue; /* a computed term is in no quad */
    b->keys[2 * b->nrows] = g;
    b->keys[2 * b->nrows + 1] = row[s];
    b->row[b->nrows++] = row;
    if (b->nrows == STAR_BATCH) st = star_flush(b);
  }
  if (!st) st = star_flush(b);
  free(b->vals);
  index_probe_free(b->probe);
  free(b);
  return st;
}

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

/* ---- joins ---- */

/* Operators that can extend given rows (bind join) without changing the
 * meaning: joins of patterns; anything else inside them runs on its own. */
static bool pure(const SparqlOp *op) {
  return op->kind == SPARQL_OP_BGP || op->kind == SPARQL_OP_PATH || op->kind == SPARQL_OP_JOIN;
}

/* Join two tables: hash on the variables bound in every row of both,
 * else compare every pair. */
static TrineStatus join_tables(Exec *x, const Table *a, const Table *b, Table *out) {
  exec_table_init(out, x->width);
  uint64_t keys = certain_vars(a) & certain_vars(b);
  TrineId *tmp = malloc((x->width + 1) * sizeof *tmp);
  if (!tmp) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  TrineStatus st = TRINE_OK;
  if (keys && b->n > 8) { /* hash b's rows on the key variables */
    RowHash h;
    st = rowhash_init(x, &h, b, keys);
    for (size_t i = 0; i < a->n && !st; ++i) {
      if ((st = exec_check_limits(x))) break;
      const TrineId *ra = exec_row(a, i);
      TrineId vals[8];
      for (size_t k = 0; k < h.nkey; ++k) vals[k] = ra[h.key[k]];
      for (size_t j = rowhash_find(&h, vals); j != SIZE_MAX && !st; j = rowhash_next(&h, j, vals)) {
        const TrineId *rb = exec_row(b, j);
        if (!compatible(ra, rb, x->width)) continue; /* keys past the eighth */
        merge(tmp, ra, rb, x->width);
        st = exec_table_push(x, out, tmp);
      }
    }
    rowhash_free(x, &h);
  } else {
    for (size_t i = 0; i < a->n && !st; ++i) {
      if ((st = exec_check_limits(x))) break;
      for (size_t j = 0; j < b->n && !st; ++j) {
        const TrineId *ra = exec_row(a, i), *rb = exec_row(b, j);
        if (!compatible(ra, rb, x->width)) continue;
        merge(tmp, ra, rb, x->width);
        st = exec_table_push(x, out, tmp);
      }
    }
  }
  free(tmp);
  return st;
}

/* ---- join groups ----
 * A tree of JOINs over BGPs, paths and other operators is one group: the
 * other operators (VALUES, sub-queries, unions, ...) are evaluated on their
 * own and hash-joined first; then triple patterns and paths extend the rows
 * one at a time, cheapest next given what is bound (join is commutative
 * and associative), and each filter runs as soon as its variables are
 * bound. */

typedef struct {
  const SparqlOp *op;         /* a PATH or OTHER operator; NULL for a triple */
  Pat pat;                    /* a triple pattern */
  Table table;                /* a VALUES table, evaluated up front */
  uint64_t tvars;             /* its variables (first 64) */
  double fan[2];              /* a path's rows from its bound subject, object */
  bool is_table, done;
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
    stat_of(x, id, false, c);
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
  *leaf = (Leaf){.op = op};
  if (op && op->kind == SPARQL_OP_PATH) {
    leaf->fan[0] = path_fan(x, op->path, true);
    leaf->fan[1] = path_fan(x, op->path, false);
  }
  return t ? make_pat(x, t, &leaf->pat) : TRINE_OK;
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
  if (!l->op) return estimate(x, &l->pat, &bound, gc);
  bool sb = slot_bound(&l->op->path_s, bound), ob = slot_bound(&l->op->path_o, bound);
  return sb && ob ? 1 : sb ? l->fan[0] : ob ? l->fan[1] : 1e7;
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
    double c = leaf_cost(x, l, bound | t->tvars, gc);
    if (best < 0 || c < best) best = c;
  }
  /* Its own rows count as well: they are made before the pattern runs. */
  double rows = (double)t->table.n;
  return best < 1 ? rows : rows * best;
}

static void leaf_vars(const Leaf *l, uint64_t *set) {
  if (l->is_table) {
    *set |= l->tvars;
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

static bool sorted_on(const Table *t, uint32_t v) {
  for (size_t i = 1; i < t->n; ++i)
    if (exec_row(t, i)[v] < exec_row(t, i - 1)[v]) return false;
  return true;
}

/* The variable a scan of p (constants bound) yields in ascending order:
 * the first free position of the index it uses; NO_VAR if none. */
static uint32_t scan_order_var(Exec *x, const Pat *p, GCtx gc) {
  if (!gc.one && x->ndflt != 1) return SPARQL_NO_VAR; /* merged graphs */
  static const int pos[3] = {Q_S, Q_P, Q_O};
  unsigned mask = 1u << Q_G;
  for (int i = 0; i < 3; ++i)
    if (p->var[i] == SPARQL_NO_VAR) mask |= 1u << pos[i];
  int prefix;
  IndexId idx = index_choose(mask, true, &prefix);
  if (prefix >= 4) return SPARQL_NO_VAR;
  int q = index_order[idx][prefix];
  return q == Q_G ? SPARQL_NO_VAR : p->var[q == Q_S ? 0 : q == Q_P ? 1 : 2];
}

/* What a probe costs, in records read by a scan and join: about one when
 * the probes come in ascending order (they stay on the cursor's page, see
 * index.c), a B-tree descent when they jump about. On LUBM(10): 40 ns a
 * probe in dense order, 155 ns in sparse order, 1.2 us in random order,
 * 24 ns a record scanned and hashed. */
#define PROBE_IN_ORDER 4
#define PROBE_JUMPING 50

/* The variable whose order orders a step's probes: the first variable of
 * the probed prefix in the index's layout (NO_VAR: one probe repeated). */
static uint32_t probe_order_var(const Pat *p, uint64_t bound) {
  static const int pos[3] = {Q_S, Q_P, Q_O};
  unsigned mask = 1u << Q_G;
  for (int i = 0; i < 3; ++i)
    if (p->var[i] == SPARQL_NO_VAR || exec_bit(&bound, p->var[i])) mask |= 1u << pos[i];
  int prefix;
  IndexId idx = index_choose(mask, true, &prefix);
  for (int l = 1; l < prefix; ++l) {
    int q = index_order[idx][l];
    uint32_t v = p->var[q == Q_S ? 0 : q == Q_P ? 1 : 2];
    if (v != SPARQL_NO_VAR) return v;
  }
  return SPARQL_NO_VAR;
}

/* Whether all but one in eight rows come in ascending order of v: rows
 * made per node of an earlier step are sorted within each node. */
static bool mostly_ascending(const Table *t, uint32_t v) {
  if (v == SPARQL_NO_VAR) return true;
  size_t down = 0;
  for (size_t i = 1; i < t->n; ++i) down += exec_row(t, i)[v] < exec_row(t, i - 1)[v];
  return down <= t->n / 8;
}

/* The index for probing p from the rows of cur, and whether its probes
 * come in order. A pattern bound in all three positions (a join closing
 * a cycle) may probe any index: the one led by a variable the rows
 * ascend on keeps its probes on a page. IDX_COUNT: index_choose()'s. */
static IndexId probe_index(const Pat *p, uint64_t shared, const Table *cur, bool *in_order) {
  *in_order = mostly_ascending(cur, probe_order_var(p, shared));
  bool all = true;
  for (int i = 0; i < 3; ++i)
    all &= p->var[i] == SPARQL_NO_VAR || exec_bit(&shared, p->var[i]);
  if (*in_order || !all) return IDX_COUNT;
  static const IndexId cand[2] = {IDX_GPOS, IDX_GOSP};
  for (int c = 0; c < 2; ++c)
    for (int l = 1; l < 4; ++l) { /* the first variable of its layout */
      int q = index_order[cand[c]][l];
      uint32_t v = p->var[q == Q_S ? 0 : q == Q_P ? 1 : 2];
      if (v == SPARQL_NO_VAR) continue;
      if (mostly_ascending(cur, v)) {
        *in_order = true;
        return cand[c];
      }
      break;
    }
  return IDX_COUNT;
}

static const int slot_pos[3] = {Q_S, Q_P, Q_O};

/* The quad of p's constants (graph 0) and the positions they bind. */
static Quad pattern_consts(const Pat *p, unsigned *mask) {
  Quad q = {{0, 0, 0, 0}};
  *mask = 0;
  for (int i = 0; i < 3; ++i)
    if (p->var[i] == SPARQL_NO_VAR) {
      q.v[slot_pos[i]] = p->id[i];
      *mask |= 1u << slot_pos[i];
    }
  return q;
}

/* The records a scan of p (its constants bound) reads in one graph, up to
 * a little over limit; *full is left as it is for a whole graph, a
 * predicate alone (the statistics count those) or several graphs. */
static TrineStatus pattern_count(Exec *x, const Pat *p, GCtx gc, double limit, double *full) {
  if (!gc.one && x->ndflt != 1) return TRINE_OK;
  unsigned mask;
  Quad q = pattern_consts(p, &mask);
  q.v[Q_G] = gc.one ? gc.g : x->dflt[0];
  mask |= 1u << Q_G;
  int prefix;
  IndexId idx = index_choose(mask, true, &prefix);
  if (prefix < 2 || (prefix == 2 && idx == IDX_GPOS)) return TRINE_OK;
  Quad pre;
  for (int i = 0; i < 4; ++i) pre.v[i] = q.v[index_order[idx][i]];
  uint64_t count;
  TrineStatus st = index_count_range(x->txn, idx, &pre, prefix, (uint64_t)limit, &count);
  if (!st) *full = (double)count;
  return st;
}

/* A scan streamed past a hash of the rows: each match extends the rows
 * that agree with it on the key variables. */
typedef struct {
  const Pat *p;
  const RowHash *h;
  int keypos[8]; /* the quad position of each key variable */
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
} ScanJoin;

static TrineStatus on_scan_join(Exec *x, const Quad *q, void *arg) {
  ScanJoin *c = arg;
  TrineId vals[8];
  for (size_t k = 0; k < c->h->nkey; ++k) vals[k] = q->v[c->keypos[k]];
  TrineStatus st = TRINE_OK;
  for (size_t r = rowhash_find(c->h, vals); r != SIZE_MAX && !st; r = rowhash_next(c->h, r, vals)) {
    PatCtx m = {c->p, exec_row(c->h->t, r), c->out, c->filters, c->nfilters};
    st = on_match(x, q, &m);
  }
  return st;
}

/* Scan pattern p (its constants bound) once and join each match with the
 * rows of cur equal to it on keys (variables of p bound in every row). */
static TrineStatus scan_hash_join(Exec *x, const Pat *p, GCtx gc, const Table *cur,
                                  uint64_t keys, SparqlExpr *const *fl, size_t nf,
                                  Table *next) {
  if (p->missing) return TRINE_OK;
  RowHash h;
  TrineStatus st = rowhash_init(x, &h, cur, keys);
  if (st) return st;
  ScanJoin c = {p, &h, {0}, fl, nf, next};
  for (size_t k = 0; k < h.nkey; ++k)
    for (int i = 0; i < 3; ++i)
      if (p->var[i] == h.key[k]) c.keypos[k] = slot_pos[i];
  unsigned mask;
  Quad q = pattern_consts(p, &mask);
  st = scan_cached(x, q, mask, gc, on_scan_join, &c, NULL);
  rowhash_free(x, &h);
  return st;
}

/* A scan in ascending order of v merged with rows sorted on v. The
 * matches of one value of v are kept until the next value: then each row
 * of the run equal to it is extended with each of them, so the rows come
 * out in the order of cur (which later steps may probe in). */
typedef struct {
  const Pat *p;
  const Table *t;
  uint32_t v;
  int vpos;  /* v's quad position */
  size_t i;  /* the first row not below the matches kept */
  Quads run; /* the matches of one value of v */
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
} ScanMerge;

static TrineStatus merge_run(Exec *x, ScanMerge *c) {
  size_t n = c->run.n;
  if (!n) return TRINE_OK;
  TrineId val = c->run.q[0].v[c->vpos];
  c->run.n = 0;
  while (c->i < c->t->n && exec_row(c->t, c->i)[c->v] < val) c->i++;
  TrineStatus st = TRINE_OK;
  for (size_t r = c->i; r < c->t->n && exec_row(c->t, r)[c->v] == val && !st; ++r) {
    PatCtx m = {c->p, exec_row(c->t, r), c->out, c->filters, c->nfilters};
    for (size_t k = 0; k < n && !st; ++k) st = on_match(x, &c->run.q[k], &m);
  }
  return st;
}

static TrineStatus on_scan_merge(Exec *x, const Quad *q, void *arg) {
  ScanMerge *c = arg;
  TrineStatus st = TRINE_OK;
  if (c->run.n && q->v[c->vpos] != c->run.q[0].v[c->vpos]) {
    if ((st = merge_run(x, c))) return st;
    if (c->i == c->t->n) return TRINE_DONE; /* past the last row */
  }
  return exec_quads_push(x, &c->run, q);
}

/* Scan p (its constants bound, in one graph: ascending order of v) and
 * merge it with cur, sorted on v. */
static TrineStatus scan_merge_join(Exec *x, const Pat *p, GCtx gc, const Table *cur, uint32_t v,
                                   SparqlExpr *const *fl, size_t nf, Table *next) {
  if (p->missing) return TRINE_OK;
  ScanMerge c = {p, cur, v, 0, 0, {0}, fl, nf, next};
  for (int i = 0; i < 3; ++i)
    if (p->var[i] == v) c.vpos = slot_pos[i];
  unsigned mask;
  Quad q = pattern_consts(p, &mask);
  TrineStatus st = scan_cached(x, q, mask, gc, on_scan_merge, &c, NULL);
  if (st == TRINE_DONE) st = TRINE_OK;
  if (!st) st = merge_run(x, &c);
  free(c.run.q);
  return st;
}

/* Whether probing p from each row of cur beats scanning it (in *probe),
 * and the index to probe (*pref, probe_index()'s). Both make the same
 * rows, so those do not count. shared: the variables bound in every row
 * of cur. */
static TrineStatus probe_wins(Exec *x, const Pat *p, GCtx gc, const Table *cur,
                              uint64_t shared, bool *probe, IndexId *pref) {
  *pref = IDX_COUNT;
  *probe = true;
  /* Probes also when only the first rows are wanted (LIMIT): they stop. */
  if (x->emit_cap || cur->n < 64) return TRINE_OK;
  uint64_t none = 0;
  double full = estimate(x, p, &none, gc);
  double n = (double)cur->n;
  bool in_order;
  *pref = probe_index(p, shared, cur, &in_order);
  double cost = in_order ? PROBE_IN_ORDER : PROBE_JUMPING;
  /* The statistics assume objects are alike: a class of 75,000 members
   * estimated at 15,000 picked a scan five times slower than probing. The
   * records the scan would read are counted instead, as far as matters. */
  double limit = n * cost - 2 * n;
  TrineStatus st = limit > 0 ? pattern_count(x, p, gc, limit, &full) : TRINE_OK;
  *probe = n * cost <= full + 2 * n;
  return st;
}

/* The star led by leaf best (chosen to run next; probe: whether it probes)
 * from rows binding bound: best and the patterns on its subject that
 * yield at most two rows each, in star[0..n); 1 when there is no star. */
static size_t star_of(Exec *x, const Leaves *l, size_t best, bool probe, uint64_t bound, GCtx gc,
                      size_t star[STAR_MAX]) {
  size_t n = 1;
  star[0] = best;
  const Pat *head = &l->v[best].pat;
  if (!probe || l->v[best].op || l->v[best].is_table || !star_member(head, bound) ||
      head->var[2] >= 64 || !(gc.one || x->ndflt == 1))
    return n;
  uint64_t objs = UINT64_C(1) << head->var[2];
  for (size_t i = 0; i < l->n && n < STAR_MAX; ++i) {
    const Leaf *c = &l->v[i];
    if (i == best || c->done || c->op || c->is_table || !star_member(&c->pat, bound) ||
        c->pat.var[0] != head->var[0] || c->pat.var[2] >= 64 || (objs >> c->pat.var[2] & 1) ||
        leaf_cost(x, c, bound, gc) > 2)
      continue;
    objs |= UINT64_C(1) << c->pat.var[2];
    star[n++] = i;
  }
  return n;
}

/* Extend cur with pattern p: probe the index once per row (index nested
 * loop) when probe_wins() said so (probe, pref) or the step has a row cap,
 * else scan it once and join: a merge join when both sides are sorted on
 * a shared variable, else a hash join. shared: the variables bound in
 * every row of cur. */
static TrineStatus step_pattern(Exec *x, const Pat *p, GCtx gc, const Table *cur,
                                uint64_t shared, bool probe, IndexId pref,
                                SparqlExpr *const *fl, size_t nf, Table *next,
                                const char **method, IndexId *used) {
  *method = "probe";
  exec_table_init(next, x->width);
  *used = x->emit_cap ? IDX_COUNT : pref;
  if (probe || x->emit_cap) return extend_pattern(x, p, gc, cur, *used, fl, nf, next);
  TrineStatus st;
  uint64_t pv = 0; /* the scan binds the pattern's variables in every row */
  for (int i = 0; i < 3; ++i)
    if (p->var[i] < 64) pv |= UINT64_C(1) << p->var[i];
  uint32_t v = scan_order_var(x, p, gc);
  bool merged = v != SPARQL_NO_VAR && exec_bit(&shared, v) && sorted_on(cur, v);
  *method = merged ? "scan+merge join" : "scan+hash join";
  if (merged) return scan_merge_join(x, p, gc, cur, v, fl, nf, next);
  if (shared & pv) return scan_hash_join(x, p, gc, cur, shared & pv, fl, nf, next);
  /* Nothing shared: a cross product. */
  Table unit, all, joined;
  exec_table_init(&all, x->width);
  st = exec_unit_table(x, &unit);
  if (!st) st = extend_pattern(x, p, gc, &unit, IDX_COUNT, NULL, 0, &all);
  exec_table_release(x, &unit);
  if (st) {
    exec_table_release(x, &all);
    return st;
  }
  st = join_tables(x, cur, &all, &joined);
  exec_table_release(x, &all);
  if (st) {
    exec_table_release(x, &joined);
    return st;
  }
  if (!nf) {
    *next = joined;
    return TRINE_OK;
  }
  for (size_t r = 0; r < joined.n && !st; ++r)
    st = exec_emit(x, next, exec_row(&joined, r), fl, nf);
  exec_table_release(x, &joined);
  return st;
}

/* Quads a path of links, inverse links and alternatives reads when it is
 * scanned whole, and its number of links; false for other paths
 * (sequences and closures make more pairs than they read). */
static bool path_links(Exec *x, const SparqlPath *p, double *quads, int *links) {
  switch (p->kind) {
  case SPARQL_PATH_LINK: {
    TrineId id;
    uint64_t c[3] = {0, 0, 0};
    if (exec_const_id(x, &p->iri, &id) == TRINE_OK) stat_of(x, id, false, c);
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

/* Extend cur with a path from each row's bound end (path_extend()), or,
 * when that many probes (one per link) would cost more than reading every
 * link, stream all its pairs past a hash of the rows, as step_pattern()
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
  double probe = mostly_ascending(cur, sb ? sv : ov) ? PROBE_IN_ORDER : PROBE_JUMPING;
  if (n * probe * links <= quads + 2 * n) return path_extend(x, op, gc, cur, fl, nf, next);
  *method = "scan+hash join path";
  return path_hash_join(x, op, gc, cur, sb ? sv : ov, fl, nf, next);
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
    if (!values_has(&t->table, t->op, row)) continue;
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

static TrineStatus joinset(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                           SparqlExpr *const *filters, size_t nfilters, Table *out) {
  Leaves l = {0};
  size_t want = x->want; /* for this group only, not the ones inside it */
  x->want = 0;
  bool saved_in = x->in_graph;
  TrineId saved_g = x->graph;
  uint64_t *fvars = calloc(nfilters + 1, sizeof *fvars);
  bool *fdyn = calloc(nfilters + 1, sizeof *fdyn), *fdone = calloc(nfilters + 1, sizeof *fdone);
  SparqlExpr **fl = calloc(nfilters + 1, sizeof *fl);
  TrineStatus st = fvars && fdyn && fdone && fl ? collect_leaves(x, op, &l)
                                                : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t f = 0; f < nfilters; ++f) expr_vars(filters[f], &fvars[f], &fdyn[f]);
  Table cur = {0};
  bool own = false;
  if (!st && in) cur = *in;
  else if (!st) { st = exec_unit_table(x, &cur); own = true; }
  /* Operators that are not patterns: on their own, then joined (VALUES
   * tables join when the plan says). */
  for (size_t i = 0; i < l.n && !st; ++i) {
    if (!l.v[i].op || l.v[i].op->kind == SPARQL_OP_PATH) continue;
    Table t, joined;
    if ((st = eval(x, l.v[i].op, gc, &t))) break;
    if (l.v[i].op->kind == SPARQL_OP_TABLE) {
      l.v[i].is_table = true;
      l.v[i].table = t;
      l.v[i].tvars = 0;
      for (size_t c = 0; c < l.v[i].op->nvars; ++c)
        if (l.v[i].op->vars[c] < 64) l.v[i].tvars |= UINT64_C(1) << l.v[i].op->vars[c];
      continue;
    }
    st = join_tables(x, &cur, &t, &joined);
    exec_table_release(x, &t);
    if (own) exec_table_release(x, &cur);
    cur = joined;
    own = true;
    l.v[i].done = true;
  }
  x->in_graph = gc.one;
  x->graph = gc.g;
  /* Variables bound in every row: a pattern or path step binds its own. */
  uint64_t bound = st ? 0 : certain_vars(&cur);
  for (;;) {
    if (st) break;
    size_t best = l.n;
    double best_cost = 0;
    for (size_t i = 0; i < l.n; ++i) {
      if (l.v[i].done) continue;
      double c = l.v[i].is_table ? table_cost(x, &l, &l.v[i], bound, gc)
                                 : leaf_cost(x, &l.v[i], bound, gc);
      if (best == l.n || c < best_cost) { best = i; best_cost = c; }
    }
    /* A triple pattern probes from each row or scans; patterns on its
     * subject join a probing one in one step (a star). */
    bool probing = true;
    IndexId pref = IDX_COUNT;
    if (best < l.n && !l.v[best].op && !l.v[best].is_table &&
        (st = probe_wins(x, &l.v[best].pat, gc, &cur, bound, &probing, &pref)))
      break;
    size_t star[STAR_MAX], nstar = best < l.n ? star_of(x, &l, best, probing, bound, gc, star) : 1;
    /* Filters whose variables this step completes (the rest at the end). */
    uint64_t after = bound;
    for (size_t i = 0; i < nstar && best < l.n; ++i) {
      leaf_vars(&l.v[star[i]], &after);
      l.v[star[i]].done = i > 0;
    }
    /* A VALUES table the star completes is matched as it makes its rows. */
    size_t fold = l.n;
    for (size_t i = 0; i < l.n && nstar > 1 && fold == l.n; ++i)
      if (!l.v[i].done && l.v[i].is_table && values_bound(&l.v[i], after) &&
          values_distinct(&l.v[i]))
        fold = i;
    if (fold < l.n) l.v[fold].done = true;
    bool last = true;
    for (size_t i = 0; i < l.n; ++i) last &= l.v[i].done || i == best;
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
    double t0 = prof_clock(x);
    /* Only the first rows wanted (LIMIT over this group): the last step
     * stops making rows once it has them. */
    if (last && want) x->emit_cap = want;
    if (best == l.n) { /* no pattern left: just the filters */
      exec_table_init(&next, x->width);
      for (size_t r = 0; r < cur.n && !st; ++r)
        st = exec_emit(x, &next, exec_row(&cur, r), fl, nf);
    } else if (l.v[best].is_table && values_bound(&l.v[best], bound)) {
      size_t e = prof_site(x, (const char *)l.v[best].op + 1, best_cost * (double)cur.n,
                           "match values (%zu rows)", l.v[best].table.n);
      if (own && values_distinct(&l.v[best])) { /* the rows stay where they are */
        st = keep_values(x, &cur, &l.v[best], fl, nf);
        next = cur;
        cur = (Table){0};
      } else {
        st = match_values(x, &cur, &l.v[best], fl, nf, &next);
      }
      prof_count(x, e, failed(st) ? 0 : next.n, t0);
    } else if (l.v[best].is_table) {
      Table joined;
      /* site: next to the TABLE node, whose own entry counts its rows */
      size_t e = prof_site(x, (const char *)l.v[best].op + 1, best_cost * (double)cur.n,
                           "join values (%zu rows)",
                           l.v[best].table.n);
      st = join_tables(x, &cur, &l.v[best].table, &joined);
      prof_count(x, e, failed(st) ? 0 : joined.n, t0);
      exec_table_init(&next, x->width);
      for (size_t r = 0; r < joined.n && !st; ++r)
        st = exec_emit(x, &next, exec_row(&joined, r), fl, nf);
      exec_table_release(x, &joined);
    } else if (nstar > 1) {
      const Pat *pats[STAR_MAX];
      double est = (double)cur.n;
      for (size_t i = 0; i < nstar; ++i) {
        pats[i] = &l.v[star[i]].pat;
        est *= leaf_cost(x, &l.v[star[i]], bound, gc);
      }
      const Leaf *v = fold < l.n ? &l.v[fold] : NULL;
      st = extend_star(x, pats, nstar, gc, &cur, v ? &v->table : NULL, v ? v->op : NULL, fl, nf,
                       &next);
      if (x->profile && !failed(st)) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
          slot_text(x, f, pats[0]->var[0], 0);
          for (size_t i = 0; i < nstar; ++i) {
            slot_text(x, f, SPARQL_NO_VAR, pats[i]->id[1]);
            slot_text(x, f, pats[i]->var[2], 0);
          }
          if (fold < l.n) fprintf(f, " matching values (%zu rows)", l.v[fold].table.n);
          fclose(f);
        }
        size_t e = prof_site(x, pats[0], est, "star gspo%s", text ? text : "");
        prof_count(x, e, next.n, t0);
        free(text);
      }
    } else if (!l.v[best].op) {
      const char *method = "probe";
      IndexId used = IDX_COUNT; /* index_choose()'s */
      st = step_pattern(x, &l.v[best].pat, gc, &cur, bound, probing, pref, fl, nf, &next, &method,
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
          for (int j = 0; j < 3; ++j) slot_text(x, f, pt->var[j], pt->id[j]);
          fclose(f);
        }
        size_t e = prof_site(x, pt, best_cost * (double)cur.n, "%s %s%s", method,
                             index_name[idx], text ? text : "");
        prof_count(x, e, next.n, t0);
        free(text);
      }
    } else {
      const char *method = "path";
      st = step_path(x, l.v[best].op, gc, &cur, bound, fl, nf, &next, &method);
      prof_count(x, prof_site(x, l.v[best].op, best_cost * (double)cur.n, "%s", method),
                 failed(st) ? 0 : next.n, t0);
    }
    x->emit_cap = 0;
    if (st == TRINE_DONE) st = TRINE_OK; /* stopped at the cap */
    if (own) exec_table_release(x, &cur);
    cur = next;
    own = true;
    if (st || best == l.n || last) break; /* the last step took every filter */
    l.v[best].done = true;
    bound = l.v[best].is_table ? certain_vars(&cur) : after;
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
  free(fvars);
  free(fdyn);
  free(fdone);
  free(fl);
  x->in_graph = saved_in;
  x->graph = saved_g;
  return st;
}

static bool groupable(const SparqlOp *op) {
  return op->kind == SPARQL_OP_BGP || op->kind == SPARQL_OP_PATH || op->kind == SPARQL_OP_JOIN;
}

/* Extend the rows of in with a pure pattern (BGP or path). */
static TrineStatus extend(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                          SparqlExpr *const *filters, size_t nfilters, Table *out) {
  return joinset(x, op, gc, in, filters, nfilters, out);
}

static TrineStatus eval_leftjoin(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table ta, tb = {0};
  TrineStatus st = eval(x, op->a, gc, &ta);
  if (st) return st;
  bool bind = pure(op->b);
  if (!bind) st = eval(x, op->b, gc, &tb);
  exec_table_init(out, x->width);
  TrineId *tmp = malloc((x->width + 1) * sizeof *tmp);
  if (!tmp && !st) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  /* The right side evaluated on its own: hashed on the variables both
   * sides bind in every row, when there are such (as MINUS does). */
  uint64_t keys = !bind && !st && ta.n && tb.n > 8 ? certain_vars(&ta) & certain_vars(&tb) : 0;
  RowHash h = {0};
  if (keys) st = rowhash_init(x, &h, &tb, keys);
  for (size_t i = 0; i < ta.n && !st; ++i) {
    if ((st = exec_check_limits(x))) break;
    const TrineId *ra = exec_row(&ta, i);
    bool matched = false;
    TrineId vals[8];
    for (size_t k = 0; k < h.nkey; ++k) vals[k] = ra[h.key[k]];
    if (bind) {
      Table one = {.rows = (TrineId *)ra, .n = 1, .cap = 1, .width = x->width}, ext;
      st = extend(x, op->b, gc, &one, op->exprs, op->nexprs, &ext);
      for (size_t j = 0; j < ext.n && !st; ++j) st = exec_table_push(x, out, exec_row(&ext, j));
      matched = ext.n > 0;
      exec_table_release(x, &ext);
    } else {
      for (size_t j = keys ? rowhash_find(&h, vals) : 0; j < tb.n && !st;
           j = keys ? rowhash_next(&h, j, vals) : j + 1) {
        const TrineId *rb = exec_row(&tb, j);
        if (!compatible(ra, rb, x->width)) continue;
        merge(tmp, ra, rb, x->width);
        bool pass = true;
        if (op->nexprs) st = expr_filter(&x->ex, op->exprs, op->nexprs, tmp, &pass);
        if (st || !pass) continue;
        matched = true;
        st = exec_table_push(x, out, tmp);
      }
    }
    if (!st && !matched) st = exec_table_push(x, out, ra);
  }
  rowhash_free(x, &h);
  free(tmp);
  exec_table_release(x, &ta);
  exec_table_release(x, &tb);
  return st;
}

static TrineStatus eval_minus(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table ta, tb;
  TrineStatus st = eval(x, op->a, gc, &ta);
  if (st) return st;
  if ((st = eval(x, op->b, gc, &tb))) {
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
  uint64_t keys = ta.n && tb.n > 8 ? certain_vars(&ta) & certain_vars(&tb) & ~fixed_set : 0;
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
        removed = compatible(ra, exec_row(&tb, j), x->width);
    }
    for (size_t j = 0; j < tb.n && !removed && !keys; ++j) {
      const TrineId *rb = exec_row(&tb, j);
      bool shared = false;
      for (size_t v = 0; v < x->width && !shared; ++v)
        shared = ra[v] && rb[v] && !(fixed && fixed[v]);
      removed = shared && compatible(ra, rb, x->width);
    }
    if (!removed) st = exec_table_push(x, out, ra);
  }
  rowhash_free(x, &h);
  exec_table_release(x, &ta);
  exec_table_release(x, &tb);
  return st;
}

static TrineStatus eval_union(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table tb;
  TrineStatus st = eval(x, op->a, gc, out);
  if (st) return st;
  if ((st = eval(x, op->b, gc, &tb))) return st;
  for (size_t j = 0; j < tb.n && !st; ++j) st = exec_table_push(x, out, exec_row(&tb, j));
  exec_table_release(x, &tb);
  return st;
}

static TrineStatus eval_filter(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  if (groupable(op->a)) /* filters run inside the group, as early as possible */
    return joinset(x, op->a, gc, NULL, op->exprs, op->nexprs, out);
  Table in;
  TrineStatus st = eval(x, op->a, gc, &in);
  if (st) return st;
  exec_table_init(out, x->width);
  for (size_t i = 0; i < in.n && !st; ++i)
    st = exec_emit(x, out, exec_row(&in, i), op->exprs, op->nexprs);
  exec_table_release(x, &in);
  return st;
}

/* GRAPH g { P } and GRAPH ?g { P }. */
static TrineStatus eval_graph(Exec *x, const SparqlOp *op, Table *out) {
  if (op->target.var == SPARQL_NO_VAR) {
    TrineId g;
    TrineStatus st = qdict_lookup(x->dict, &op->target.term, &g);
    exec_table_init(out, x->width);
    if (st == TRINE_NOT_FOUND) return TRINE_OK;
    if (st) return st;
    bool allowed = x->named_all;
    for (size_t i = 0; i < x->nnamed && !allowed; ++i) allowed = x->named[i] == g;
    if (!allowed || g == 0) return TRINE_OK;
    return eval(x, op->a, (GCtx){true, g}, out);
  }
  /* The named graphs: the dataset's, or every graph of the store. */
  TrineId *gs = x->named;
  size_t ng = x->nnamed;
  TrineId *owned = NULL;
  if (x->named_all) {
    size_t cap = 16;
    owned = malloc(cap * sizeof *owned);
    ng = 0;
    if (!owned) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    /* The named graphs are the 'g' keys of the statistics (ids from 1). */
    MDB_cursor *cur;
    int rc = mdb_cursor_open(x->txn->txn, x->txn->store->stats, &cur);
    unsigned char key[9] = {'g', 0, 0, 0, 0, 0, 0, 0, 1};
    MDB_val k = {sizeof key, key}, v;
    for (rc = rc ? rc : mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
      const unsigned char *kb = k.mv_data;
      if (k.mv_size != 9 || kb[0] != 'g') break;
      if (ng == cap) {
        cap *= 2;
        TrineId *n = realloc(owned, cap * sizeof *n);
        if (!n) break;
        owned = n;
      }
      owned[ng++] = be_get(kb + 1);
    }
    mdb_cursor_close(cur);
    gs = owned;
  }
  exec_table_init(out, x->width);
  TrineStatus st = TRINE_OK;
  uint32_t gv = op->target.var;
  for (size_t i = 0; i < ng && !st; ++i) {
    Table t;
    if ((st = eval(x, op->a, (GCtx){true, gs[i]}, &t))) break;
    for (size_t j = 0; j < t.n && !st; ++j) {
      TrineId *r = exec_row(&t, j);
      if (r[gv] && r[gv] != gs[i]) continue;
      r[gv] = gs[i];
      st = exec_table_push(x, out, r);
    }
    exec_table_release(x, &t);
  }
  free(owned);
  return st;
}

static TrineStatus eval_extend(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  TrineStatus st = eval(x, op->a, gc, out);
  const SparqlBind *b = &op->binds[0];
  for (size_t i = 0; i < out->n && !st; ++i) {
    TrineId *r = exec_row(out, i), v;
    st = expr_eval(&x->ex, b->expr, r, &v);
    if (!st && !r[b->var]) r[b->var] = v;
  }
  return st;
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

/* ---- solution modifiers ---- */

typedef struct {
  Exec *x;
  const SparqlOp *op;
  TrineId *keys; /* n rows * nkeys */
  const Table *t;
} SortCtx;

/* qsort_r (glibc, _GNU_SOURCE): no global state, so queries in several
 * threads can sort at once. */
static int cmp_rows(const void *pa, const void *pb, void *arg) {
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  SortCtx *c = arg;
  size_t nk = c->op->nkeys;
  for (size_t k = 0; k < nk; ++k) {
    int r = expr_order(&c->x->ex, c->keys[a * nk + k], c->keys[b * nk + k]);
    if (r) return c->op->keys[k].descending ? -r : r;
  }
  return a < b ? -1 : a > b; /* stable */
}

static TrineStatus eval_orderby(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table in;
  TrineStatus st = eval(x, op->a, gc, &in);
  if (st) return st;
  size_t nk = op->nkeys;
  TrineId *keys = malloc((in.n * nk + 1) * sizeof *keys);
  size_t *idx = malloc((in.n + 1) * sizeof *idx);
  if (!keys || !idx) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < in.n && !st; ++i) {
    idx[i] = i;
    for (size_t k = 0; k < nk && !st; ++k)
      st = expr_eval(&x->ex, op->keys[k].expr, exec_row(&in, i), &keys[i * nk + k]);
  }
  if (!st) {
    SortCtx c = {x, op, keys, &in};
    qsort_r(idx, in.n, sizeof *idx, cmp_rows, &c);
    exec_table_init(out, x->width);
    for (size_t i = 0; i < in.n && !st; ++i) st = exec_table_push(x, out, exec_row(&in, idx[i]));
  }
  free(keys);
  free(idx);
  exec_table_release(x, &in);
  return st;
}

static TrineStatus eval_project(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  TrineStatus st = eval(x, op->a, gc, out);
  if (st) return st;
  bool *keep = calloc(x->width + 1, sizeof *keep);
  uint32_t *drop = malloc((x->width + 1) * sizeof *drop);
  if (!keep || !drop) {
    free(keep);
    free(drop);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < op->nvars; ++i) keep[op->vars[i]] = true;
  size_t nd = 0;
  for (size_t v = 0; v < x->width; ++v)
    if (!keep[v]) drop[nd++] = (uint32_t)v;
  for (size_t i = 0; i < out->n && nd; ++i) {
    TrineId *r = exec_row(out, i);
    for (size_t d = 0; d < nd; ++d) r[drop[d]] = 0;
  }
  free(keep);
  free(drop);
  return TRINE_OK;
}

static uint64_t row_hash(const TrineId *r, size_t w) {
  uint64_t h = 0x9e3779b97f4a7c15u;
  for (size_t i = 0; i < w; ++i) h = (h ^ r[i]) * 0xbf58476d1ce4e5b9u;
  return h ^ (h >> 31);
}

static bool same_row(const TrineId *a, const TrineId *b, size_t w) {
  for (size_t i = 0; i < w; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/* Keep the first of equal rows (in place). A slot holds a row's index and
 * 32 bits of its hash: most slots that are not the row are told apart
 * without reading it. */
static TrineStatus distinct_rows(Exec *x, Table *t) {
  if (t->n >= UINT32_MAX) return exec_fail(x, TRINE_ERR_FULL, "too many rows for DISTINCT");
  size_t nb = 16;
  while (nb < t->n * 2) nb <<= 1;
  size_t got; /* from the pool, as tables: a big set reuses pages already faulted in */
  uint64_t *slots = pool_get(x->pool, nb * sizeof *slots, &got); /* tag << 32 | row + 1; 0: empty */
  if (!slots) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  memset(slots, 0, nb * sizeof *slots);
  size_t k = 0, w = t->width;
  for (size_t i = 0; i < t->n; ++i) {
    TrineId *r = exec_row(t, i);
    uint64_t h = row_hash(r, w), tag = h >> 32 << 32;
    size_t s = (size_t)h & (nb - 1);
    bool dup = false;
    for (; slots[s]; s = (s + 1) & (nb - 1))
      if ((slots[s] & ~UINT64_C(0xffffffff)) == tag &&
          same_row(exec_row(t, (slots[s] & 0xffffffff) - 1), r, w)) {
        dup = true;
        break;
      }
    if (dup) continue;
    if (k != i) memcpy(exec_row(t, k), r, w * sizeof *r);
    slots[s] = tag | ++k;
  }
  t->n = k;
  pool_put(x->pool, slots, got);
  return TRINE_OK;
}

/* Under a SLICE, does every row of this chain reach the output? Then its
 * join group may stop after offset + limit rows. */
static bool limit_safe(const SparqlOp *op) {
  while (op->kind == SPARQL_OP_PROJECT || op->kind == SPARQL_OP_EXTEND) op = op->a;
  return op->kind == SPARQL_OP_BGP || op->kind == SPARQL_OP_JOIN ||
         op->kind == SPARQL_OP_PATH || op->kind == SPARQL_OP_FILTER;
}

static TrineStatus eval_slice(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  if (op->limit >= 0 && limit_safe(op->a))
    x->want = (size_t)op->limit + (op->offset > 0 ? (size_t)op->offset : 0);
  TrineStatus st = eval(x, op->a, gc, out);
  x->want = 0;
  if (st) return st;
  size_t off = op->offset > 0 ? (size_t)op->offset : 0;
  if (off > out->n) off = out->n;
  size_t n = out->n - off;
  if (op->limit >= 0 && (size_t)op->limit < n) n = (size_t)op->limit;
  if (off) memmove(out->rows, exec_row(out, off), n * out->width * sizeof(TrineId));
  out->n = n;
  return TRINE_OK;
}

/* GROUP: rows grouped on the key values; aggregates per group. */
typedef struct {
  TrineId *key;
  AggState **aggs;
  TrineId *first; /* a row of the group (for key variables) */
} Group;

static TrineStatus eval_group(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Table in;
  TrineStatus st = eval(x, op->a, gc, &in);
  if (st) return st;
  size_t nk = op->nbinds, na = op->naggs;
  size_t cap = 16, ng = 0;
  Group *groups = calloc(cap, sizeof *groups);
  size_t nb = 64;
  while (nb < in.n * 2) nb <<= 1;
  size_t *slots = malloc(nb * sizeof *slots);
  TrineId *key = calloc(nk + 1, sizeof *key);
  if (!groups || !slots || !key) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < nb && !st; ++i) slots[i] = SIZE_MAX;
  for (size_t i = 0; i < in.n && !st; ++i) {
    const TrineId *r = exec_row(&in, i);
    for (size_t k = 0; k < nk && !st; ++k) st = expr_eval(&x->ex, op->binds[k].expr, r, &key[k]);
    if (st) break;
    size_t s = (size_t)row_hash(key, nk) & (nb - 1);
    for (; slots[s] != SIZE_MAX; s = (s + 1) & (nb - 1))
      if (memcmp(groups[slots[s]].key, key, nk * sizeof *key) == 0) break;
    if (slots[s] == SIZE_MAX) {
      if (ng == cap) {
        cap *= 2;
        Group *g = realloc(groups, cap * sizeof *g);
        if (!g) { st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory"); break; }
        groups = g;
      }
      Group *g = &groups[ng];
      *g = (Group){0};
      g->key = malloc((nk + 1) * sizeof *g->key);
      g->aggs = calloc(na + 1, sizeof *g->aggs);
      if (!g->key || !g->aggs) { st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory"); free(g->key); free(g->aggs); break; }
      memcpy(g->key, key, nk * sizeof *key);
      for (size_t a = 0; a < na; ++a) g->aggs[a] = agg_new(&x->ex, op->aggs[a].expr);
      slots[s] = ng++;
    }
    Group *g = &groups[slots[s]];
    for (size_t a = 0; a < na && !st; ++a) st = g->aggs[a] ? agg_step(g->aggs[a], r) : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  /* No rows and no keys: one empty group (COUNT(*) = 0). */
  if (!st && ng == 0 && nk == 0) {
    groups[0] = (Group){.key = calloc(1, sizeof(TrineId)), .aggs = calloc(na + 1, sizeof(AggState *))};
    if (groups[0].aggs)
      for (size_t a = 0; a < na; ++a) groups[0].aggs[a] = agg_new(&x->ex, op->aggs[a].expr);
    ng = 1;
  }
  exec_table_init(out, x->width);
  TrineId *row = calloc(x->width + 1, sizeof *row);
  if (!row && !st) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t gi = 0; gi < ng && !st; ++gi) {
    memset(row, 0, x->width * sizeof *row);
    for (size_t k = 0; k < nk; ++k)
      if (op->binds[k].var != SPARQL_NO_VAR) row[op->binds[k].var] = groups[gi].key[k];
    for (size_t a = 0; a < na && !st; ++a)
      if (groups[gi].aggs && groups[gi].aggs[a]) st = agg_result(groups[gi].aggs[a], &row[op->aggs[a].var]);
    if (!st) st = exec_table_push(x, out, row);
  }
  for (size_t gi = 0; gi < ng; ++gi) {
    for (size_t a = 0; groups[gi].aggs && a < na; ++a) agg_free(groups[gi].aggs[a]);
    free(groups[gi].aggs);
    free(groups[gi].key);
  }
  free(row);
  free(groups);
  free(slots);
  free(key);
  exec_table_release(x, &in);
  return st;
}

/* ---- dispatch ---- */

static TrineStatus exists_cb(void *ctx, const SparqlOp *pattern, const TrineId *row, bool *found);

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

static TrineStatus eval_op(Exec *x, const SparqlOp *op, GCtx gc, Table *out);

static TrineStatus eval(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  size_t slot = prof_site(x, op, -1, "%s", op_name(op));
  double t0 = prof_clock(x);
  x->depth++;
  TrineStatus st = eval_op(x, op, gc, out);
  x->depth--;
  prof_count(x, slot, st ? 0 : out->n, t0);
  return st;
}

static TrineStatus eval_op(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  TrineStatus st = exec_check_limits(x);
  if (st) return st;
  x->in_graph = gc.one;
  x->graph = gc.g;
  switch (op->kind) {
  case SPARQL_OP_BGP: case SPARQL_OP_PATH: case SPARQL_OP_JOIN:
    return joinset(x, op, gc, NULL, NULL, 0, out);
  case SPARQL_OP_LEFTJOIN: return eval_leftjoin(x, op, gc, out);
  case SPARQL_OP_FILTER: return eval_filter(x, op, gc, out);
  case SPARQL_OP_UNION: return eval_union(x, op, gc, out);
  case SPARQL_OP_MINUS: return eval_minus(x, op, gc, out);
  case SPARQL_OP_GRAPH: return eval_graph(x, op, out);
  case SPARQL_OP_EXTEND: return eval_extend(x, op, gc, out);
  case SPARQL_OP_GROUP: return eval_group(x, op, gc, out);
  case SPARQL_OP_TABLE: return eval_table(x, op, out);
  case SPARQL_OP_TOMULTISET: return eval(x, op->a, gc, out);
  case SPARQL_OP_ORDERBY: return eval_orderby(x, op, gc, out);
  case SPARQL_OP_PROJECT: return eval_project(x, op, gc, out);
  case SPARQL_OP_DISTINCT: case SPARQL_OP_REDUCED:
    st = eval(x, op->a, gc, out);
    return st ? st : distinct_rows(x, out);
  case SPARQL_OP_SLICE: return eval_slice(x, op, gc, out);
  case SPARQL_OP_SERVICE:
    exec_table_init(out, x->width);
    return exec_fail(x, TRINE_ERR_UNSUPPORTED, "SERVICE (federated query) is not supported");
  }
  return exec_fail(x, TRINE_ERR_INTERNAL, "unknown algebra operator");
}

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

static void exists_free(Exec *x) {
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
  ExistsTable *t = &e->v[e->n++]; /* taken first: eval() may keep others */
  *t = (ExistsTable){.op = pattern, .gc = gc};
  exec_table_init(&t->t, x->width);
  if ((*st = eval(x, pattern, gc, &t->t))) return NULL; /* the query fails */
  t->certain = certain_vars(&t->t);
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
      *found = compatible(exec_row(&t->t, j), row, x->width);
    return TRINE_OK;
  }
  for (size_t i = 0; i < t->t.n && !*found; ++i)
    *found = compatible(exec_row(&t->t, i), row, x->width);
  return TRINE_OK;
}

static void op_expr_vars(const SparqlOp *op, uint64_t *set, bool *wide);

/* Variables an expression reads, through nested EXISTS patterns too
 * (*wide: one past the first 64). */
static void expr_reads(const SparqlExpr *e, uint64_t *set, bool *wide) {
  if (!e) return;
  if (e->kind == SPARQL_EX_VAR) {
    if (e->var < 64) *set |= UINT64_C(1) << e->var;
    else *wide = true;
  }
  for (size_t i = 0; i < e->nargs; ++i) expr_reads(e->args[i], set, wide);
  if (e->pattern) op_expr_vars(e->pattern, set, wide);
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

/* Whether an expression inside pattern reads a variable row binds: then
 * joining the pattern's own solutions with the row is not substituting. */
static bool reads_row(const SparqlOp *pattern, const TrineId *row, size_t width) {
  uint64_t set = 0;
  bool wide = false;
  op_expr_vars(pattern, &set, &wide);
  for (uint32_t v = 0; v < 64 && v < width && set >> v; ++v)
    if ((set >> v & 1) && row[v]) return true;
  return wide;
}

/* EXISTS { P } on a row: evaluate P with the row's bindings. */
static TrineStatus exists_cb(void *ctx, const SparqlOp *pattern, const TrineId *row, bool *found) {
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
  if (pure(body)) { /* substitute the row's bindings: probes from the row */
    Table one = {.rows = (TrineId *)row, .n = 1, .cap = 1, .width = x->width};
    st = extend(x, body, gc, &one, filter ? filter->exprs : NULL, filter ? filter->nexprs : 0,
                &t);
    *found = !st && t.n > 0;
  } else if (reads_row(pattern, row, x->width)) {
    /* Its expressions read the row's variables: the row is substituted
     * (SPARQL 1.1, 18.6), every group inside starting from it. */
    const TrineId *saved = x->subst;
    x->subst = row;
    st = eval(x, pattern, gc, &t);
    x->subst = saved;
    for (size_t i = 0; i < t.n && !st && !*found; ++i)
      *found = compatible(exec_row(&t, i), row, x->width);
  } else {
    /* Evaluated on its own once (unless it draws random or fresh terms,
     * or runs inside a substituted pattern) and matched against each row. */
    ExistsTable *kept = op_fixed(pattern) && !x->subst ? exists_table(x, pattern, gc, &st)
                                                       : NULL;
    exec_table_init(&t, x->width);
    if (kept) st = exists_match(x, kept, row, found);
    else if (!st) st = eval(x, pattern, gc, &t);
    for (size_t i = 0; i < t.n && !st && !*found; ++i)
      *found = compatible(exec_row(&t, i), row, x->width);
  }
  exec_table_release(x, &t);
  x->emit_cap = cap;
  x->want = want;
  return st;
}

TrineStatus exec_eval(Exec *x, const SparqlOp *op, Table *out) {
  x->ex.exists = exists_cb;
  x->ex.exists_ctx = x;
  TrineStatus st = eval(x, op, (GCtx){false, 0}, out);
  /* Cursors end with the evaluation: a write txn's die when it commits. */
  if (x->scans) scan_cache_free(x->scans);
  probes_free(x);
  exists_free(x);
  return st;
}
