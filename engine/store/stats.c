/*
 * stats.c -- statistics counters (see stats.h).
 *
 * Layout in the "stats" database: "T" -> total quads; 'g' + BE id ->
 * quads in that graph; 'p' + BE id -> {quads, subjects, objects}.
 * Counters are native u64; a counter set that drops to zero is deleted,
 * so the 'g' keys also list the graphs that exist.
 */
#include "stats.h"
#include "snapmemo.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
  TrineId id;     /* 0 is a valid graph id: tag says which entry is used */
  char tag;       /* 0 empty, 'g' graph, 'p' predicate */
  int64_t v[3];
} Entry;

struct StatsDelta {
  Entry *e;
  size_t mask, used;
  int64_t total;
};

StatsDelta *stats_delta_new(void) {
  StatsDelta *d = calloc(1, sizeof *d);
  if (!d) return NULL;
  d->mask = 63;
  if (!(d->e = calloc(d->mask + 1, sizeof *d->e))) {
    free(d);
    return NULL;
  }
  return d;
}

void stats_delta_free(StatsDelta *d) {
  if (!d) return;
  free(d->e);
  free(d);
}

static size_t slot_of(TrineId id, char tag, size_t mask) {
  uint64_t h = (id ^ (uint64_t)tag) * 0x9e3779b97f4a7c15u;
  return (size_t)(h >> 32) & mask;
}

static int grow(StatsDelta *d) {
  size_t n = (d->mask + 1) * 2;
  Entry *e = calloc(n, sizeof *e);
  if (!e) return -1;
  for (size_t i = 0; i <= d->mask; ++i) {
    if (!d->e[i].tag) continue;
    size_t j = slot_of(d->e[i].id, d->e[i].tag, n - 1);
    while (e[j].tag) j = (j + 1) & (n - 1);
    e[j] = d->e[i];
  }
  free(d->e);
  d->e = e;
  d->mask = n - 1;
  return 0;
}

static Entry *entry(StatsDelta *d, char tag, TrineId id) {
  size_t i = slot_of(id, tag, d->mask);
  for (; d->e[i].tag; i = (i + 1) & d->mask)
    if (d->e[i].tag == tag && d->e[i].id == id) return &d->e[i];
  if ((d->used + 1) * 2 > d->mask) {
    if (grow(d)) return NULL;
    return entry(d, tag, id);
  }
  d->used++;
  d->e[i] = (Entry){.id = id, .tag = tag};
  return &d->e[i];
}

int stats_quads(StatsDelta *d, TrineId g, TrineId p, int64_t n) {
  Entry *eg = entry(d, 'g', g);
  if (!eg) return -1;
  eg->v[0] += n;
  Entry *ep = entry(d, 'p', p);
  if (!ep) return -1;
  ep->v[0] += n;
  d->total += n;
  return 0;
}

int stats_distinct(StatsDelta *d, TrineId p, int64_t subjects, int64_t objects) {
  Entry *ep = entry(d, 'p', p);
  if (!ep) return -1;
  ep->v[1] += subjects;
  ep->v[2] += objects;
  return 0;
}

static void make_key(unsigned char k[9], char tag, TrineId id) {
  k[0] = (unsigned char)tag;
  be_put(k + 1, id);
}

/* Add deltas to the counters stored under key; delete them at zero. */
static int apply(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                 const int64_t *delta, int n) {
  MDB_val k = {klen, (void *)key}, v;
  uint64_t cur[3] = {0, 0, 0};
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == 0 && v.mv_size == (size_t)n * 8) memcpy(cur, v.mv_data, v.mv_size);
  else if (rc != MDB_NOTFOUND && rc != 0) return rc;
  for (int i = 0; i < n; ++i) cur[i] += (uint64_t)delta[i];
  if (cur[0] == 0) {
    rc = mdb_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
  }
  v = (MDB_val){(size_t)n * 8, cur};
  return mdb_put(txn, dbi, &k, &v, 0);
}

TrineStatus stats_flush(TrineTxn *t) {
  StatsDelta *d = t->delta;
  MDB_dbi dbi = t->store->stats;
  int rc = 0;
  if (d->total) rc = apply(t->txn, dbi, "T", 1, &d->total, 1);
  for (size_t i = 0; i <= d->mask && !rc; ++i) {
    Entry *e = &d->e[i];
    if (!e->tag || (!e->v[0] && !e->v[1] && !e->v[2])) continue;
    unsigned char k[9];
    make_key(k, e->tag, e->id);
    rc = apply(t->txn, dbi, k, sizeof k, e->v, e->tag == 'p' ? 3 : 1);
  }
  if (rc) return store_mdb_error(t->store, rc, "cannot update statistics");
  memset(d->e, 0, (d->mask + 1) * sizeof *d->e);
  d->used = 0;
  d->total = 0;
  return TRINE_OK;
}

static TrineStatus read_counters(TrineTxn *t, char tag, TrineId id, uint64_t *out, int n) {
  if (t->write) {
    TrineStatus st = stats_flush(t);
    if (st) return st;
  }
  const uint64_t mk[SNAPMEMO_KEY] = {'S', (uint64_t)tag, id};
  uint64_t got[SNAPMEMO_VAL] = {0, 0, 0};
  if (snapmemo_get(t, mk, got)) return memcpy(out, got, (size_t)n * 8), TRINE_OK;
  unsigned char k[9];
  make_key(k, tag, id);
  MDB_val key = {sizeof k, k}, v;
  int rc = mdb_get(t->txn, t->store->stats, &key, &v);
  if (rc && rc != MDB_NOTFOUND) return store_mdb_error(t->store, rc, "cannot read statistics");
  if (!rc) memcpy(got, v.mv_data, v.mv_size < (size_t)n * 8 ? v.mv_size : (size_t)n * 8);
  snapmemo_put(t, mk, got);
  memcpy(out, got, (size_t)n * 8);
  return TRINE_OK;
}

TrineStatus stats_predicate(TrineTxn *t, TrineId p, uint64_t out[3]) {
  return read_counters(t, 'p', p, out, 3);
}

TrineStatus stats_graph(TrineTxn *t, TrineId g, uint64_t *out) {
  return read_counters(t, 'g', g, out, 1);
}

/* Visit the counters filed under tag, in id order. */
static TrineStatus each_counter(TrineTxn *t, char tag, TrineId from, StatsFn fn, void *ctx) {
  MDB_cursor *cur;
  int rc = mdb_cursor_open(t->txn, t->store->stats, &cur);
  if (rc) return store_mdb_error(t->store, rc, "cannot read statistics");
  unsigned char start[9];
  make_key(start, tag, from);
  MDB_val k = {sizeof start, start}, v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    const unsigned char *kb = k.mv_data;
    if (k.mv_size != 9 || kb[0] != (unsigned char)tag) break;
    uint64_t c[3] = {0, 0, 0};
    memcpy(c, v.mv_data, v.mv_size < sizeof c ? v.mv_size : sizeof c);
    if (fn(t, be_get(kb + 1), c, ctx)) break;
  }
  mdb_cursor_close(cur);
  return TRINE_OK;
}

TrineStatus stats_each_predicate(TrineTxn *t, StatsFn fn, void *ctx) {
  return each_counter(t, 'p', 0, fn, ctx);
}

TrineStatus stats_each_graph(TrineTxn *t, StatsFn fn, void *ctx) {
  return each_counter(t, 'g', 1, fn, ctx);
}

TrineStatus stats_total(TrineTxn *t, uint64_t *quads) {
  *quads = 0;
  MDB_val k = {1, "T"}, v;
  int rc = mdb_get(t->txn, t->store->stats, &k, &v);
  if (rc == 0 && v.mv_size == 8) memcpy(quads, v.mv_data, 8);
  if (rc && rc != MDB_NOTFOUND) return store_mdb_error(t->store, rc, "cannot read statistics");
  return TRINE_OK;
}
