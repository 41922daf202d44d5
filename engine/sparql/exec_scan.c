/*
 * exec_scan.c -- how the executor reads the indexes: scans of a pattern in
 * the dataset's graphs (the RDF merge of several default graphs), probes
 * read in place, both keeping their cursors for the evaluation; the store
 * ids of the request's constants and the statistics read so far.
 */
#include "exec_int.h"

#include "stats.h"
#include "snapmemo.h"

#include <stdlib.h>

void exec_scan_cache_free(ScanCache *c) {
  for (size_t i = 0; i < c->n; ++i) index_iter_free(c->it[i]);
  free(c->it);
  *c = (ScanCache){0};
}

static void probes_free(Exec *x) {
  for (int i = 0; i < 3; ++i) {
    index_probe_free(x->probes[i]);
    x->probes[i] = NULL;
  }
}

void exec_scans_close(Exec *x) {
  if (x->scans) exec_scan_cache_free(x->scans);
  probes_free(x);
}

PlanCache *exec_plan_cache(Exec *x) {
  if (!x->plan && (x->plan = malloc(sizeof *x->plan))) exec_plan_cache_clear(x);
  return x->plan;
}

void exec_plan_cache_clear(Exec *x) {
  if (!x->plan) return;
  x->plan->nstat = x->plan->ncounted = 0;
  x->plan->const_set = 0;
}

/* The store id of a constant of the request, remembered by its address:
 * join groups are planned again for each row an OPTIONAL or EXISTS probes. */
TrineStatus exec_const_id(Exec *x, const TrineTerm *term, TrineId *id) {
  PlanCache *pc = exec_plan_cache(x);
  size_t slot = ((uintptr_t)term >> 4) % (sizeof pc->consts / sizeof pc->consts[0]);
  if (pc && (pc->const_set >> slot & 1) && pc->consts[slot].term == term) {
    *id = pc->consts[slot].id;
    return *id ? TRINE_OK : TRINE_NOT_FOUND;
  }
  TrineStatus st = term->kind == TRINE_TERM_BLANK ? TRINE_NOT_FOUND
                                                   : qdict_lookup(x->dict, term, id);
  if (st && st != TRINE_NOT_FOUND) return st;
  if (st) *id = 0;
  if (pc) {
    pc->consts[slot].term = term;
    pc->consts[slot].id = *id;
    pc->const_set |= (uint64_t)1 << slot;
  }
  return st;
}

/* Counters of a predicate (c[0..2]) or a graph (c[0]), remembered. */
void exec_stat(Exec *x, TrineId id, bool graph, uint64_t c[3]) {
  PlanCache *pc = exec_plan_cache(x);
  for (size_t i = 0; pc && i < pc->nstat; ++i)
    if (pc->stat[i].id == id && pc->stat[i].graph == graph) {
      memcpy(c, pc->stat[i].c, sizeof pc->stat[i].c);
      return;
    }
  c[0] = c[1] = c[2] = 0;
  if (graph) stats_graph(x->txn, id, &c[0]);
  else stats_predicate(x->txn, id, c);
  if (pc && pc->nstat < sizeof pc->stat / sizeof pc->stat[0]) {
    pc->stat[pc->nstat].id = id;
    pc->stat[pc->nstat].graph = graph;
    memcpy(pc->stat[pc->nstat++].c, c, sizeof pc->stat[0].c);
  }
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
bool exec_scan_seen(Exec *x, const Quad *q, size_t gi) {
  for (size_t gj = 0; gj < gi; ++gj) {
    Quad probe = *q;
    probe.v[Q_G] = x->dflt[gj];
    IndexIter *it2;
    bool dup = false;
    if (index_iter_open(x->txn, &probe, 0xF, &it2) == TRINE_OK) {
      Quad tmp;
      dup = index_iter_next(it2, &tmp) == TRINE_ROW;
      index_iter_free(it2);
    }
    if (dup) return true;
  }
  return false;
}

static TrineStatus on_scanned(void *arg, const Quad *q) {
  ScanCtx *c = arg;
  return exec_scan_seen(c->x, q, c->gi) ? TRINE_OK : c->fn(c->x, q, c->ctx);
}

/* Every quad matching q (bound positions in mask) in the graphs of gc. A
 * callback's non-OK status (an error, or a request to stop) ends the scan
 * and is returned. */
TrineStatus exec_scan_cached(Exec *x, Quad q, unsigned mask, GCtx gc, QuadFn fn, void *ctx,
                             ScanCache *cache) {
  size_t ng = gc.one ? 1 : x->ndflt;
  if (cache && cache->it && cache->n != ng) exec_scan_cache_free(cache); /* dataset changed */
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

/* One graph's matches of q (its bound positions in mask, Q_G among them)
 * read in place: the G-first index whose prefix they are, and for each
 * quad position where it sits in that index's records (0: the key). */
TrineStatus exec_scan_open_raw(Exec *x, const Quad *q, unsigned mask, IndexIter **it,
                               int lay[4]) {
  int prefix;
  IndexId idx = index_choose(mask, true, &prefix);
  if (prefix != __builtin_popcount(mask)) return exec_fail(x, TRINE_ERR_INTERNAL, "no index");
  Quad pre = {{0}};
  for (int l = 0; l < 4; ++l) {
    if (l < prefix) pre.v[l] = q->v[index_order[idx][l]];
    lay[index_order[idx][l]] = l;
  }
  return index_iter_open_index(x->txn, idx, &pre, prefix, it);
}

/* Scans through here keep their cursors in x->scans (a path's walk makes
 * one small scan per node); callbacks never scan again, but if one does,
 * that inner scan opens its own cursors. */
TrineStatus exec_scan(Exec *x, Quad q, unsigned mask, GCtx gc, QuadFn fn, void *ctx) {
  if (x->scans_busy) return exec_scan_cached(x, q, mask, gc, fn, ctx, NULL);
  if (!x->scans && !(x->scans = calloc(1, sizeof(ScanCache))))
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  x->scans_busy = true;
  TrineStatus st = exec_scan_cached(x, q, mask, gc, fn, ctx, x->scans);
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

TrineStatus exec_count(Exec *x, IndexId idx, const TrineId *pre, int prefix, uint64_t limit,
                       uint64_t *count) {
  /* Counted before in this committed state (an earlier query): kept. */
  uint64_t key[SNAPMEMO_KEY] = {'C' | (uint64_t)idx << 8 | (uint64_t)prefix << 16, limit};
  for (int i = 0; i < prefix && i < 4; ++i) key[2 + i] = pre[i];
  uint64_t val[SNAPMEMO_VAL] = {0, 0, 0};
  if (snapmemo_get(x->txn, key, val)) return *count = val[0], TRINE_OK;
  /* The kept probe's cursor: no cursor to open, and often no descent. */
  IndexProbe *probe = x->probes_busy ? NULL : x->probes[idx];
  TrineStatus st = TRINE_OK;
  if (!probe && (st = index_probe_open(x->txn, idx, &probe))) return st;
  if (!x->probes_busy) x->probes[idx] = probe;
  st = index_probe_count(probe, pre, prefix, limit, count);
  if (x->probes_busy) index_probe_free(probe);
  if (!st) snapmemo_put(x->txn, key, (uint64_t[SNAPMEMO_VAL]){*count});
  return st;
}

TrineStatus exec_probe_take(Exec *x, IndexId idx, IndexProbe **probe) {
  if (x->probes_busy) return index_probe_open(x->txn, idx, probe);
  TrineStatus st = x->probes[idx] ? TRINE_OK : index_probe_open(x->txn, idx, &x->probes[idx]);
  if (st) return st;
  x->probes_busy = true;
  *probe = x->probes[idx];
  return TRINE_OK;
}

void exec_probe_give(Exec *x, IndexProbe *probe) {
  bool kept = false;
  for (int i = 0; i < 3; ++i) kept |= probe == x->probes[i];
  if (kept) x->probes_busy = false;
  else index_probe_free(probe);
}

TrineStatus exec_probe(Exec *x, const Quad *q, unsigned mask, PairFn fn, void *ctx) {
  int prefix;
  IndexId idx = index_choose(mask | 1u << Q_G, true, &prefix);
  IndexProbe *probe;
  TrineStatus st = exec_probe_take(x, idx, &probe);
  if (st) return st;
  const int *o = index_order[idx];
  TrineId pre[4];
  PairProbe c = {x, q, fn, ctx, prefix, 0, 0};
  for (int i = 0; i < 4; ++i) {
    if (i < prefix) pre[i] = q->v[o[i]];
    if (o[i] == Q_S) c.ls = i;
    if (o[i] == Q_O) c.lo = i;
  }
  st = index_probe_batch(probe, pre, 1, prefix, on_pair_match, &c);
  exec_probe_give(x, probe);
  return st;
}
