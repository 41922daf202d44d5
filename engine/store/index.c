/*
 * index.c -- reads of the quad index permutations: scans, probes, counts.
 *
 * Six DUPSORT|DUPFIXED databases (store.h): GSPO, GPOS, GOSP hold every
 * quad; SPOG, POSG, OSPG hold named-graph quads only. A pattern with a bound
 * graph is one prefix scan of a G-first index; a pattern over named graphs
 * (SPARQL's GRAPH ?g) one prefix scan of an S/P/O-first index; "any graph"
 * is the default-graph scan followed by the named-graph scan.
 */
#include "index_int.h"

#include "peek.h"

#include <stdlib.h>
#include <string.h>

#define LINEAR_STEPS 32 /* records a seek in a page steps through before galloping */

/* ---- scans ---- */

IndexId index_choose(unsigned bound, bool graph_first, int *prefix) {
  unsigned spo = bound & ((1u << Q_S) | (1u << Q_P) | (1u << Q_O));
  bool s = spo & (1u << Q_S), p = spo & (1u << Q_P), o = spo & (1u << Q_O);
  IndexId idx;
  int n = s + p + o;
  if (s && !o) idx = IDX_SPOG;        /* s, sp */
  else if (p && !s) idx = IDX_POSG;   /* p, po */
  else if (o && !p) idx = IDX_OSPG;   /* o, os */
  else if (n == 3) idx = IDX_SPOG;
  else idx = IDX_SPOG;                /* nothing bound: full scan */
  if (graph_first) {
    idx = (IndexId)(idx - IDX_SPOG);  /* SPOG->GSPO, POSG->GPOS, OSPG->GOSP */
    n += 1;
  }
  *prefix = n;
  return idx;
}

typedef struct {
  MDB_cursor *cur;
  IndexId idx;
  int prefix;          /* leading components bound, key included */
  Quad pre;            /* the bound components in layout order */
  const unsigned char *page; /* the cursor's page of values (in the map) */
  size_t count, pos;   /* values in page, next one to read */
  uint64_t key;        /* the page's key */
  const uint64_t *txn_gen; /* the txn's index_gen */
  uint64_t gen;        /* *txn_gen when page was read */
  TrineTxn *txn;
  bool started, done;
  bool peeked;         /* page was read by peek_seek(): the cursor is elsewhere */
  PeekAt at;           /* where, for peek_next_leaf() */
} Scan;

struct IndexIter {
  TrineTxn *txn;
  Scan scan[2];
  int nscan, cur;
};

/* Set a scan up for pattern q, keeping its cursor and page when the index
 * is the same (re-seeking is cheaper than opening a cursor per probe, and
 * the next seek may land on the page). The cursor opens when first
 * needed (need_cursor()): seeks in a read txn read the pages (peek.h). */
static TrineStatus scan_init(TrineTxn *t, Scan *sc, const Quad *q, unsigned bound,
                             bool graph_first) {
  int prefix;
  IndexId idx = index_choose(bound, graph_first, &prefix);
  bool same = sc->txn == t && sc->idx == idx;
  if (sc->cur && !same) mdb_cursor_close(sc->cur);
  *sc = (Scan){.idx = idx, .prefix = prefix, .cur = same ? sc->cur : NULL, .gen = sc->gen,
               .page = same ? sc->page : NULL, .count = same ? sc->count : 0,
               .pos = same ? sc->pos : 0, .key = same ? sc->key : 0,
               .peeked = same && sc->peeked, .at = same ? sc->at : (PeekAt){0},
               .txn_gen = &t->index_gen, .txn = t};
  permute(&sc->pre, q, 1, sc->idx);
  return TRINE_OK;
}

/* The scan's LMDB cursor, opened the first time it is needed. */
static int need_cursor(Scan *sc) {
  return sc->cur ? 0 : mdb_cursor_open(sc->txn->txn, sc->txn->store->idx[sc->idx], &sc->cur);
}

/* A page peek_seek() found: LMDB's cursor goes to its last value, from
 * which MDB_NEXT_MULTIPLE reads the next page. */
static int cursor_to_page(Scan *sc) {
  unsigned char kb[8];
  be_put(kb, sc->key);
  MDB_val k = {8, kb}, v = {VAL_SIZE, (void *)(sc->page + (sc->count - 1) * VAL_SIZE)};
  sc->peeked = false;
  int rc = need_cursor(sc);
  return rc ? rc : mdb_cursor_get(sc->cur, &k, &v, MDB_GET_BOTH);
}

/* After a page peek_seek() found, the next leaf under the same parent,
 * from the pages too: true when there is one. */
static bool peek_on(Scan *sc) {
  PeekPage pp = {.at = sc->at};
  if (peek_next_leaf(sc->txn, &pp) != PEEK_FOUND) return false;
  sc->page = pp.vals;
  sc->count = pp.count;
  sc->pos = 0;
  sc->at = pp.at;
  return true;
}

/* Load the current key's page of values (a single value has no page). */
static int load_page(Scan *sc, MDB_val *k, int op) {
  MDB_val v = {0, NULL};
  int rc;
  if (sc->peeked && op == MDB_NEXT_MULTIPLE) { /* on from a page peek_seek() found */
    if (peek_on(sc)) return 0;
    if ((rc = cursor_to_page(sc))) return rc;
  }
  rc = mdb_cursor_get(sc->cur, k, &v, op);
  if (rc == 0 && v.mv_data == NULL && op == MDB_GET_MULTIPLE)
    rc = mdb_cursor_get(sc->cur, k, &v, MDB_GET_CURRENT);
  if (rc) return rc;
  if (k->mv_data && k->mv_size == 8) sc->key = be_get(k->mv_data);
  sc->gen = *sc->txn_gen;
  sc->page = v.mv_data;
  sc->count = v.mv_size / VAL_SIZE;
  sc->pos = 0;
  return 0;
}

/* A value against the prefix: its first n ids (after the key) against
 * pre's v[1..n]. Big-endian bytes compare as the ids do; ids in values
 * are never 0, so "not below the prefix" is "not below the prefix padded
 * with zeros", the seek's target. */
static inline __attribute__((always_inline)) int val_cmp(const unsigned char *a,
                                                        const Quad *pre, int n) {
  uint64_t x = be_get(a);
  if (x != pre->v[1]) return x < pre->v[1] ? -1 : 1;
  if (n < 2) return 0;
  x = be_get(a + 8);
  if (x != pre->v[2]) return x < pre->v[2] ? -1 : 1;
  if (n < 3) return 0;
  x = be_get(a + 16);
  return x == pre->v[3] ? 0 : x < pre->v[3] ? -1 : 1;
}

/* The first value of page[0, n) not below the prefix, searching from hint
 * first: probes in ascending order land just after the previous one. */
static inline __attribute__((always_inline)) size_t
lower_bound(const unsigned char *page, size_t n, size_t hint, const Quad *pre, int m) {
  size_t lo = 0, hi = n;
  if (hint < n && val_cmp(page + hint * VAL_SIZE, pre, m) < 0) {
    /* The next probe is usually a few records on: step there (branches
     * a CPU predicts), then gallop if it is further. */
    size_t stop = hint + LINEAR_STEPS < n ? hint + LINEAR_STEPS : n;
    for (lo = hint + 1; lo < stop; ++lo)
      if (val_cmp(page + lo * VAL_SIZE, pre, m) >= 0) return lo;
    if (lo == n) return n;
    size_t step = 1;
    while (lo + step < n && val_cmp(page + (lo + step) * VAL_SIZE, pre, m) < 0) {
      lo += step + 1;
      step *= 2;
    }
    if (lo + step < n) hi = lo + step + 1;
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (val_cmp(page + mid * VAL_SIZE, pre, m) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Seek to the scan's prefix without descending the tree when it lies on
 * the cursor's page or the next one: the probes of an index nested-loop
 * join come in ascending order and mostly stay on one page. The cursor
 * sits on the last value of its page (MDB_GET_MULTIPLE and
 * MDB_NEXT_MULTIPLE leave it there), so reading on stays correct. A page
 * whose first value already has the prefix may have matches before it:
 * that seeks normally (false). */
static inline __attribute__((always_inline)) bool seek_near(Scan *sc) {
  int m = sc->prefix - 1;
  if (!sc->page || !sc->count || sc->gen != *sc->txn_gen || sc->key != sc->pre.v[0] ||
      val_cmp(sc->page, &sc->pre, m) >= 0)
    return false;
  size_t hint = sc->pos;
  if (val_cmp(sc->page + (sc->count - 1) * VAL_SIZE, &sc->pre, m) < 0) {
    /* The next page. After a page peek_seek() found, whose cursor is
     * elsewhere, the next leaf from the pages, else a seek (which costs no
     * more than placing the cursor). */
    MDB_val k = {0, NULL};
    if (sc->peeked ? !peek_on(sc) : load_page(sc, &k, MDB_NEXT_MULTIPLE) != 0) return false;
    if (val_cmp(sc->page + (sc->count - 1) * VAL_SIZE, &sc->pre, m) < 0) return false;
    hint = 0;
  }
  sc->pos = lower_bound(sc->page, sc->count, hint, &sc->pre, m);
  return true;
}

/* Seek to the scan's prefix from the top of the tree. A failed seek
 * forgets the page: the cursor no longer stands on it. */
static int seek_far(Scan *sc) {
  int rc;
  unsigned char kb[8], vb[VAL_SIZE] = {0};
  MDB_val k = {8, kb}, v = {VAL_SIZE, vb};
  sc->peeked = false;
  if (sc->prefix > 0) { /* from the pages themselves, where peek can */
    uint64_t target[3] = {0, 0, 0}; /* the prefix padded with zeros */
    for (int i = 1; i < sc->prefix; ++i) target[i - 1] = sc->pre.v[i];
    PeekPage pp;
    rc = peek_seek(sc->txn, sc->idx, sc->pre.v[0], sc->prefix > 1 ? target : NULL, &pp);
    if (rc == PEEK_FOUND) {
      sc->key = sc->pre.v[0];
      sc->gen = *sc->txn_gen;
      sc->page = pp.vals;
      sc->count = pp.count;
      sc->pos = pp.pos;
      sc->at = pp.at;
      sc->peeked = true;
      return 0;
    }
    if (rc == PEEK_NOTFOUND) {
      sc->page = NULL;
      return MDB_NOTFOUND;
    }
  }
  if ((rc = need_cursor(sc))) {
    sc->page = NULL;
    return rc;
  }
  if (sc->prefix == 0) {
    rc = mdb_cursor_get(sc->cur, &k, &v, MDB_FIRST);
  } else {
    be_put(kb, sc->pre.v[0]);
    for (int i = 1; i < sc->prefix; ++i) be_put(vb + 8 * (i - 1), sc->pre.v[i]);
    rc = mdb_cursor_get(sc->cur, &k, &v, sc->prefix > 1 ? MDB_GET_BOTH_RANGE : MDB_SET_KEY);
  }
  const unsigned char *found = sc->prefix > 1 && !rc ? v.mv_data : NULL;
  if (!rc) {
    sc->key = be_get(k.mv_data);
    rc = load_page(sc, &k, MDB_GET_MULTIPLE);
  }
  if (rc) {
    sc->page = NULL;
    return rc;
  }
  /* The page starts at its first value. LMDB found the seek position and
   * hands out values in place: that value's offset on the page is the
   * position, without a second search (a sixth of a probe's own work). */
  uintptr_t off = (uintptr_t)found - (uintptr_t)sc->page;
  if (found && off < sc->count * VAL_SIZE && off % VAL_SIZE == 0)
    sc->pos = off / VAL_SIZE;
  else
    sc->pos = sc->prefix > 1 ? lower_bound(sc->page, sc->count, 0, &sc->pre, sc->prefix - 1) : 0;
  return 0;
}

static int scan_start(Scan *sc) {
  sc->started = true;
  if (sc->prefix > 1 && seek_near(sc)) return 0;
  return seek_far(sc);
}

/* The value bytes of the scan's next record (its key is sc->key), in
 * place on the page; NULL at the end (*rc MDB_NOTFOUND) or on an error. */
static const unsigned char *scan_next_raw(Scan *sc, int *rc) {
  *rc = MDB_NOTFOUND;
  if (sc->done) return NULL;
  if (!sc->started && (*rc = scan_start(sc))) return NULL;
  while (sc->pos >= sc->count) {
    MDB_val k = {0, NULL}, v = {0, NULL};
    *rc = load_page(sc, &k, MDB_NEXT_MULTIPLE);
    if (*rc == MDB_NOTFOUND && sc->prefix == 0) {
      *rc = mdb_cursor_get(sc->cur, &k, &v, MDB_NEXT_NODUP);
      if (*rc == 0) {
        sc->key = be_get(k.mv_data);
        *rc = load_page(sc, &k, MDB_GET_MULTIPLE);
      }
    }
    if (*rc) return NULL;
  }
  const unsigned char *vb = sc->page + sc->pos++ * VAL_SIZE;
  if (sc->prefix > 1 && val_cmp(vb, &sc->pre, sc->prefix - 1) != 0) {
    sc->done = true;
    *rc = MDB_NOTFOUND;
    return NULL;
  }
  *rc = 0;
  return vb;
}

/* Next record of the scan in layout order; MDB_NOTFOUND at the end. */
static int scan_next(Scan *sc, Quad *r) {
  int rc;
  const unsigned char *vb = scan_next_raw(sc, &rc);
  *r = vb ? (Quad){{sc->key, be_get(vb), be_get(vb + 8), be_get(vb + 16)}} : (Quad){{0}};
  return rc;
}

TrineStatus index_iter_seek(IndexIter *it, const Quad *q, unsigned bound) {
  TrineTxn *t = it->txn;
  TrineStatus st;
  it->cur = 0;
  if (bound & (1u << Q_G)) {
    if (it->nscan == 2 && it->scan[1].cur) {
      mdb_cursor_close(it->scan[1].cur);
      it->scan[1].cur = NULL;
    }
    it->nscan = 1;
    st = scan_init(t, &it->scan[0], q, bound, true);
  } else {
    Quad dq = *q;
    dq.v[Q_G] = 0; /* the default graph first, then the named graphs */
    it->nscan = 2;
    st = scan_init(t, &it->scan[0], &dq, bound | (1u << Q_G), true);
    if (!st) st = scan_init(t, &it->scan[1], q, bound, false);
  }
  return st;
}

/* Reseek scan 0 of a single-scan iterator to q when the index stays the
 * same: only the prefix changes, the cursor and its page stay. */
static bool reseek_fast(IndexIter *it, const Quad *q, unsigned bound) {
  Scan *sc = &it->scan[0];
  if (!(bound & (1u << Q_G)) || it->nscan != 1 || !sc->txn) return false;
  int prefix;
  if (index_choose(bound, true, &prefix) != sc->idx) return false;
  permute(&sc->pre, q, 1, sc->idx);
  sc->prefix = prefix;
  sc->started = sc->done = false;
  it->cur = 0;
  return true;
}

TrineStatus index_iter_each(IndexIter *it, const Quad *q, unsigned bound, IndexFn fn,
                            void *ctx) {
  TrineStatus st = reseek_fast(it, q, bound) ? TRINE_OK : index_iter_seek(it, q, bound);
  for (; !st && it->cur < it->nscan; it->cur++) {
    Scan *sc = &it->scan[it->cur];
    const int *o = index_order[sc->idx];
    Quad r, m;
    int rc;
    while (!st && (rc = scan_next(sc, &r)) == 0) {
      for (int i = 0; i < 4; ++i) m.v[o[i]] = r.v[i];
      st = fn(ctx, &m);
    }
    if (st) return st;
    sc->done = true;
    if (rc != MDB_NOTFOUND) return fail(it->txn, rc, "cannot read index");
  }
  return st;
}

TrineStatus index_iter_open(TrineTxn *t, const Quad *q, unsigned bound, IndexIter **out) {
  IndexIter *it = calloc(1, sizeof *it);
  if (!it) return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  it->txn = t;
  TrineStatus st = index_iter_seek(it, q, bound);
  if (st) {
    index_iter_free(it);
    return st;
  }
  *out = it;
  return TRINE_OK;
}

TrineStatus index_iter_open_index(TrineTxn *t, IndexId idx, const Quad *pre, int prefix,
                                  IndexIter **out) {
  IndexIter *it = calloc(1, sizeof *it);
  if (!it) return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  it->txn = t;
  it->nscan = 1;
  Scan *sc = &it->scan[0];
  sc->idx = idx;
  sc->prefix = prefix;
  sc->pre = *pre;
  sc->txn_gen = &t->index_gen;
  sc->txn = t;
  *out = it;
  return TRINE_OK;
}

TrineStatus index_iter_next(IndexIter *it, Quad *q) {
  while (it->cur < it->nscan) {
    Scan *sc = &it->scan[it->cur];
    Quad r;
    int rc = scan_next(sc, &r);
    if (rc == MDB_NOTFOUND) {
      sc->done = true;
      it->cur++;
      continue;
    }
    if (rc) return fail(it->txn, rc, "cannot read index");
    const int *o = index_order[sc->idx];
    for (int i = 0; i < 4; ++i) q->v[o[i]] = r.v[i];
    return TRINE_ROW;
  }
  return TRINE_DONE;
}

TrineStatus index_iter_next_run(IndexIter *it, size_t max, TrineId *key,
                                const unsigned char **recs, size_t *n) {
  *n = 0;
  while (it->cur < it->nscan) {
    Scan *sc = &it->scan[it->cur];
    int rc;
    const unsigned char *vb = scan_next_raw(sc, &rc);
    if (rc == MDB_NOTFOUND) {
      sc->done = true;
      it->cur++;
      continue;
    }
    if (rc) return fail(it->txn, rc, "cannot read index");
    /* The rest of the page, while it matches the prefix: all of it when
     * its last value does (the values are sorted). */
    size_t end = sc->count - sc->pos < max - 1 ? sc->count : sc->pos + max - 1;
    int m = sc->prefix - 1;
    if (m > 0 && end > sc->pos && val_cmp(sc->page + (end - 1) * VAL_SIZE, &sc->pre, m)) {
      size_t lo = sc->pos, hi = end - 1; /* the first value past the prefix */
      while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (val_cmp(sc->page + mid * VAL_SIZE, &sc->pre, m) > 0) hi = mid;
        else lo = mid + 1;
      }
      end = lo;
      sc->done = true;
    }
    *key = sc->key;
    *recs = vb;
    *n = 1 + end - sc->pos;
    sc->pos = end;
    return TRINE_ROW;
  }
  return TRINE_DONE;
}

void index_iter_free(IndexIter *it) {
  if (!it) return;
  for (int i = 0; i < 2; ++i)
    if (it->scan[i].cur) mdb_cursor_close(it->scan[i].cur);
  free(it);
}

/* Count from the scan's position (seek_far()/seek_near() done): rc is
 * theirs. */
static int count_from(Scan *sc, int rc, uint64_t limit, uint64_t *count) {
  int m = sc->prefix - 1;
  while (!rc && *count <= limit) {
    const unsigned char *page = sc->page;
    if (val_cmp(page + (sc->count - 1) * VAL_SIZE, &sc->pre, m) == 0) { /* all of it */
      *count += sc->count - sc->pos;
      MDB_val k = {0, NULL};
      rc = load_page(sc, &k, MDB_NEXT_MULTIPLE);
      continue;
    }
    size_t lo = sc->pos, hi = sc->count; /* the first record past the prefix */
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (val_cmp(page + mid * VAL_SIZE, &sc->pre, m) <= 0) lo = mid + 1;
      else hi = mid;
    }
    *count += lo - sc->pos;
    break;
  }
  return rc;
}

TrineStatus index_count_range(TrineTxn *t, IndexId idx, const Quad *pre, int prefix,
                              uint64_t limit, uint64_t *count) {
  *count = 0;
  if (prefix < 2) return store_error(t->store, TRINE_ERR_ARG, "index_count_range: prefix < 2");
  Scan sc = {.idx = idx, .prefix = prefix, .pre = *pre, .txn_gen = &t->index_gen, .txn = t};
  int rc = count_from(&sc, seek_far(&sc), limit, count);
  if (sc.cur) mdb_cursor_close(sc.cur);
  return rc && rc != MDB_NOTFOUND ? fail(t, rc, "cannot read index") : TRINE_OK;
}

/* ---- probes read in place ---- */

struct IndexProbe {
  TrineTxn *txn;
  Scan sc;
};

TrineStatus index_probe_open(TrineTxn *t, IndexId idx, IndexProbe **out) {
  IndexProbe *p = calloc(1, sizeof *p);
  if (!p) return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  p->txn = t;
  p->sc.idx = idx;
  p->sc.txn_gen = &t->index_gen;
  p->sc.txn = t;
  *out = p;
  return TRINE_OK;
}

/* The loop of index_probe_batch() for prefixes of 1 + m ids (m constant
 * once inlined): seek each, hand over the records that match, read on
 * to the next page when matches run over. */
static inline __attribute__((always_inline)) TrineStatus
probe_batch(IndexProbe *p, const TrineId *keys, size_t n, int m, IndexMatchFn fn, void *ctx) {
  Scan *sc = &p->sc;
  sc->prefix = m + 1;
  sc->started = true;
  for (size_t i = 0; i < n; ++i) {
    const TrineId *k = keys + i * (size_t)(m + 1);
    for (int j = 0; j <= m; ++j) sc->pre.v[j] = k[j];
    int rc = seek_near(sc) ? 0 : seek_far(sc);
    while (!rc) {
      const unsigned char *r = sc->page + sc->pos * VAL_SIZE;
      const unsigned char *end = sc->page + sc->count * VAL_SIZE;
      for (; r < end && val_cmp(r, &sc->pre, m) == 0; r += VAL_SIZE) {
        TrineStatus st = fn(ctx, i, r);
        if (st) {
          sc->pos = (size_t)(r - sc->page) / VAL_SIZE + 1;
          return st;
        }
      }
      sc->pos = (size_t)(r - sc->page) / VAL_SIZE;
      if (r < end) break; /* a record past the prefix */
      MDB_val kv = {0, NULL};
      if ((rc = load_page(sc, &kv, MDB_NEXT_MULTIPLE))) sc->page = NULL;
    }
    if (rc && rc != MDB_NOTFOUND) return fail(p->txn, rc, "cannot read index");
  }
  return TRINE_OK;
}

TrineStatus index_probe_batch(IndexProbe *p, const TrineId *keys, size_t n, int prefix,
                              IndexMatchFn fn, void *ctx) {
  switch (prefix) {
  case 2: return probe_batch(p, keys, n, 1, fn, ctx);
  case 3: return probe_batch(p, keys, n, 2, fn, ctx);
  case 4: return probe_batch(p, keys, n, 3, fn, ctx);
  default: return store_error(p->txn->store, TRINE_ERR_ARG, "index_probe_batch: bad prefix");
  }
}

/* Append v to *vals (of *cap entries), which holds *n. */
static bool vals_push(TrineId **vals, size_t *n, size_t *cap, TrineId v) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 1024;
    TrineId *a = realloc(*vals, c * sizeof *a);
    if (!a) return false;
    *vals = a;
    *cap = c;
  }
  (*vals)[(*n)++] = v;
  return true;
}

TrineStatus index_probe_runs(IndexProbe *p, const TrineId *keys, size_t n, const TrineId *sel,
                             size_t nsel, uint32_t *cnt, TrineId **vals, size_t *nvals,
                             size_t *cap) {
  Scan *sc = &p->sc;
  sc->prefix = 3;
  sc->started = true;
  memset(cnt, 0, n * nsel * sizeof *cnt);
  *nvals = 0;
  for (size_t i = 0; i < n; ++i) {
    TrineId c1 = keys[2 * i + 1];
    sc->pre.v[0] = keys[2 * i];
    sc->pre.v[1] = c1;
    sc->pre.v[2] = sel[0];
    int rc = seek_near(sc) ? 0 : seek_far(sc);
    size_t t = 0;
    while (!rc) { /* from the first record at or after (c1, sel[0]) */
      const unsigned char *r = sc->page + sc->pos * VAL_SIZE;
      const unsigned char *end = sc->page + sc->count * VAL_SIZE;
      for (; r < end; r += VAL_SIZE) {
        if (be_get(r) != c1) break;
        TrineId c2 = be_get(r + 8);
        while (t < nsel && sel[t] < c2) ++t;
        if (t == nsel) break;
        if (sel[t] != c2) continue;
        if (!vals_push(vals, nvals, cap, be_get(r + 16)))
          return store_error(p->txn->store, TRINE_ERR_NOMEM, "out of memory");
        cnt[i * nsel + t]++;
      }
      sc->pos = (size_t)(r - sc->page) / VAL_SIZE;
      if (r < end) break; /* the run ended on this page */
      MDB_val kv = {0, NULL};
      if ((rc = load_page(sc, &kv, MDB_NEXT_MULTIPLE))) sc->page = NULL;
    }
    if (rc && rc != MDB_NOTFOUND) return fail(p->txn, rc, "cannot read index");
  }
  return TRINE_OK;
}

TrineStatus index_probe_count(IndexProbe *p, const TrineId *pre, int prefix, uint64_t limit,
                              uint64_t *count) {
  *count = 0;
  if (prefix < 2) return store_error(p->txn->store, TRINE_ERR_ARG, "index_probe_count: prefix < 2");
  Scan *sc = &p->sc;
  sc->prefix = prefix;
  sc->started = true;
  for (int j = 0; j < prefix; ++j) sc->pre.v[j] = pre[j];
  int rc = count_from(sc, seek_near(sc) ? 0 : seek_far(sc), limit, count);
  return rc && rc != MDB_NOTFOUND ? fail(p->txn, rc, "cannot read index") : TRINE_OK;
}

void index_probe_free(IndexProbe *p) {
  if (!p) return;
  if (p->sc.cur) mdb_cursor_close(p->sc.cur);
  free(p);
}
