/*
 * index.c -- quad index permutations: writes, bulk writes, scans.
 *
 * Six DUPSORT|DUPFIXED databases (store.h): GSPO, GPOS, GOSP hold every
 * quad; SPOG, POSG, OSPG hold named-graph quads only. A pattern with a bound
 * graph is one prefix scan of a G-first index; a pattern over named graphs
 * (SPARQL's GRAPH ?g) one prefix scan of an S/P/O-first index; "any graph"
 * is the default-graph scan followed by the named-graph scan.
 */
#include "index.h"

#include "dict.h"
#include "peek.h"
#include "stats.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define VAL_SIZE 24
#define LINEAR_STEPS 32 /* records a seek in a page steps through before galloping */

static TrineStatus fail(TrineTxn *t, int rc, const char *what) {
  return store_mdb_error(t->store, rc, what);
}

/* A record in an index's layout: r.v[i] = quad.v[index_order[idx][i]]. */
static void permute(Quad *dst, const Quad *src, size_t n, IndexId idx) {
  const int *o = index_order[idx];
  for (size_t i = 0; i < n; ++i)
    dst[i] = (Quad){{src[i].v[o[0]], src[i].v[o[1]], src[i].v[o[2]], src[i].v[o[3]]}};
}

/* Change records in place from one index layout to another. */
static void relayout(Quad *a, size_t n, IndexId from, IndexId to) {
  const int *f = index_order[from], *o = index_order[to];
  for (size_t i = 0; i < n; ++i) {
    TrineId c[4];
    for (int j = 0; j < 4; ++j) c[f[j]] = a[i].v[j];
    for (int j = 0; j < 4; ++j) a[i].v[j] = c[o[j]];
  }
}

static void pack_value(unsigned char val[VAL_SIZE], const Quad *r) {
  be_put(val, r->v[1]);
  be_put(val + 8, r->v[2]);
  be_put(val + 16, r->v[3]);
}

/* ---- sorting records lexicographically ---- */

static inline int lex_cmp(const Quad *a, const Quad *b) {
  for (int i = 0; i < 4; ++i)
    if (a->v[i] != b->v[i]) return a->v[i] < b->v[i] ? -1 : 1;
  return 0;
}

static void insertion_sort(Quad *a, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    Quad x = a[i];
    size_t j = i;
    for (; j > 0 && lex_cmp(&x, &a[j - 1]) < 0; --j) a[j] = a[j - 1];
    a[j] = x;
  }
}

static void swap(Quad *a, Quad *b) {
  Quad t = *a;
  *a = *b;
  *b = t;
}

/* Quicksort (median of three, recursing on the smaller side; heapsort-free:
 * depth stays O(log n) because the larger side is handled by the loop). */
static void lex_sort(Quad *a, size_t n) {
  while (n > 24) {
    size_t m = n / 2;
    if (lex_cmp(&a[m], &a[0]) < 0) swap(&a[m], &a[0]);
    if (lex_cmp(&a[n - 1], &a[0]) < 0) swap(&a[n - 1], &a[0]);
    if (lex_cmp(&a[n - 1], &a[m]) < 0) swap(&a[n - 1], &a[m]);
    Quad pivot = a[m];
    size_t i = 0, j = n - 1;
    for (;;) {
      while (lex_cmp(&a[i], &pivot) < 0) ++i;
      while (lex_cmp(&pivot, &a[j]) < 0) --j;
      if (i >= j) break;
      swap(&a[i++], &a[j--]);
    }
    size_t left = j + 1;
    if (left < n - left) {
      lex_sort(a, left);
      a += left;
      n -= left;
    } else {
      lex_sort(a + left, n - left);
      n = left;
    }
  }
  insertion_sort(a, n);
}

static size_t dedup(Quad *a, size_t n) {
  if (n == 0) return 0;
  size_t k = 1;
  for (size_t i = 1; i < n; ++i)
    if (lex_cmp(&a[i], &a[k - 1]) != 0) a[k++] = a[i];
  return k;
}

/* ---- existence of a pair, for distinct-count statistics ---- */

/* Is there a value under key in idx starting with the ids pre[0..n)? */
static int prefix_exists(MDB_cursor *cur, uint64_t key, const uint64_t *pre, int n,
                         bool *found) {
  unsigned char kb[8], vb[VAL_SIZE] = {0};
  be_put(kb, key);
  for (int i = 0; i < n; ++i) be_put(vb + 8 * i, pre[i]);
  MDB_val k = {8, kb}, v = {VAL_SIZE, vb};
  int rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH_RANGE);
  *found = rc == 0 && memcmp(v.mv_data, vb, (size_t)n * 8) == 0;
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Does any quad, in any graph, have s and p (which = Q_S) or p and o
 * (which = Q_O)? Default graph: GSPO/GPOS under key 0; named: SPOG/POSG. */
static TrineStatus pair_exists(TrineTxn *t, MDB_cursor *cg, MDB_cursor *cn,
                               TrineId a, TrineId b, bool *found) {
  uint64_t pre[2] = {a, b};
  int rc = prefix_exists(cg, 0, pre, 2, found);
  if (!rc && !*found) rc = prefix_exists(cn, a, pre + 1, 1, found);
  return rc ? fail(t, rc, "cannot read index") : TRINE_OK;
}

typedef struct {
  MDB_cursor *cg, *cn;
} PairCursors;

static TrineStatus pair_cursors(TrineTxn *t, int which, PairCursors *pc) {
  TrineStore *s = t->store;
  IndexId g = which == Q_S ? IDX_GSPO : IDX_GPOS;
  IndexId n = which == Q_S ? IDX_SPOG : IDX_POSG;
  int rc = mdb_cursor_open(t->txn, s->idx[g], &pc->cg);
  if (rc) return fail(t, rc, "cannot read index");
  if ((rc = mdb_cursor_open(t->txn, s->idx[n], &pc->cn))) {
    mdb_cursor_close(pc->cg);
    return fail(t, rc, "cannot read index");
  }
  return TRINE_OK;
}

static void pair_cursors_close(PairCursors *pc) {
  mdb_cursor_close(pc->cg);
  mdb_cursor_close(pc->cn);
}

/*
 * Count pairs new to the store in records sorted so that (v[0], v[1]) is
 * (s, p) [which = Q_S, SPOG layout] or (p, o) [which = Q_O, POSG layout].
 * Terms created in this batch (seq >= seq0) cannot be in a stored pair.
 */
static TrineStatus count_new_pairs(TrineTxn *t, const Quad *r, size_t n, int which,
                                   uint64_t seq0) {
  PairCursors pc;
  TrineStatus st = pair_cursors(t, which, &pc);
  if (st) return st;
  for (size_t i = 0; i < n && !st; ++i) {
    if (i > 0 && r[i].v[0] == r[i - 1].v[0] && r[i].v[1] == r[i - 1].v[1]) continue;
    TrineId a = r[i].v[0], b = r[i].v[1]; /* (s, p) or (p, o) */
    bool found = false;
    if (id_seq(a) < seq0 && id_seq(b) < seq0)
      st = pair_exists(t, pc.cg, pc.cn, a, b, &found);
    if (!st && !found) {
      TrineId p = which == Q_S ? b : a;
      if (stats_distinct(t->delta, p, which == Q_S, which == Q_O))
        st = store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
    }
  }
  pair_cursors_close(&pc);
  return st;
}

/* ---- writing sorted records ---- */

typedef struct {
  MDB_cursor *cur;
  bool have_last;
  Quad last; /* in layout order */
} Appender;

static TrineStatus appender_open(TrineTxn *t, IndexId idx, Appender *a) {
  t->index_gen++;
  int rc = mdb_cursor_open(t->txn, t->store->idx[idx], &a->cur);
  if (rc) return fail(t, rc, "cannot write index");
  MDB_val k, v;
  rc = mdb_cursor_get(a->cur, &k, &v, MDB_LAST);
  a->have_last = rc == 0;
  if (rc == 0) {
    const unsigned char *vb = v.mv_data;
    a->last = (Quad){{be_get(k.mv_data), be_get(vb), be_get(vb + 8), be_get(vb + 16)}};
  } else if (rc != MDB_NOTFOUND) {
    mdb_cursor_close(a->cur);
    return fail(t, rc, "cannot write index");
  }
  return TRINE_OK;
}

/* Put one record; sorted records past the end are appended, which keeps
 * pages full. Returns 0, MDB_KEYEXIST (already stored) or an LMDB error. */
static int appender_put(Appender *a, const Quad *r) {
  unsigned char kb[8], vb[VAL_SIZE];
  be_put(kb, r->v[0]);
  pack_value(vb, r);
  MDB_val k = {8, kb}, v = {VAL_SIZE, vb};
  unsigned flags = MDB_NODUPDATA;
  if (!a->have_last || r->v[0] > a->last.v[0]) flags = MDB_APPEND;
  else if (r->v[0] == a->last.v[0] && lex_cmp(r, &a->last) > 0) flags = MDB_APPENDDUP;
  int rc = mdb_cursor_put(a->cur, &k, &v, flags);
  if (rc == 0 && flags != MDB_NODUPDATA) {
    a->last = *r;
    a->have_last = true;
  }
  return rc;
}

/* Append a run of sorted records sharing one key, all past the end of the
 * index, with MDB_MULTIPLE: one call stores a page of values at a time. */
static int append_run(Appender *a, const Quad *r, size_t n, unsigned char *vbuf,
                      size_t vcap) {
  unsigned char kb[8];
  be_put(kb, r[0].v[0]);
  MDB_val k = {8, kb};
  if (!a->have_last || r[0].v[0] > a->last.v[0]) {
    unsigned char vb[VAL_SIZE];
    pack_value(vb, &r[0]);
    MDB_val v = {VAL_SIZE, vb};
    int rc = mdb_cursor_put(a->cur, &k, &v, MDB_APPEND);
    if (rc) return rc;
    ++r;
    --n;
  }
  while (n) {
    size_t m = n < vcap ? n : vcap;
    for (size_t i = 0; i < m; ++i) pack_value(vbuf + i * VAL_SIZE, &r[i]);
    MDB_val d[2] = {{VAL_SIZE, vbuf}, {m, NULL}};
    int rc = mdb_cursor_put(a->cur, &k, d, MDB_MULTIPLE | MDB_APPENDDUP);
    if (rc) return rc;
    r += m;
    n -= m;
  }
  a->last = r[-1];
  a->have_last = true;
  return 0;
}

#define RUN_MIN 8          /* shorter runs go one put at a time */
#define RUN_CHUNK 4096     /* values packed per MDB_MULTIPLE call */

/* Where a batch write is, for its IndexTick. */
typedef struct {
  const IndexTick *tick;
  uint64_t done, todo, next;
} Ticker;

#define TICK_RECORDS ((uint64_t)64 << 10)

/* n more records written: tell the tick when a step is complete. */
static TrineStatus ticked(TrineTxn *t, Ticker *tk, size_t n) {
  tk->done += n;
  if (!tk->tick || tk->done < tk->next) return TRINE_OK;
  tk->next = tk->done + TICK_RECORDS;
  if (tk->tick->fn(tk->tick->ctx, tk->done, tk->todo))
    return store_error(t->store, TRINE_ERR_CANCELLED, "load cancelled");
  return TRINE_OK;
}

/* Write sorted records of idx (layout order). Named-only indexes skip the
 * default graph. With count, new quads are added to the statistics. */
static TrineStatus write_sorted(TrineTxn *t, IndexId idx, const Quad *r, size_t n,
                                bool count, uint64_t *added, Ticker *tk) {
  Appender a;
  TrineStatus st = appender_open(t, idx, &a);
  if (st) return st;
  const int *o = index_order[idx];
  int gpos = 0, ppos = 0;
  for (int i = 0; i < 4; ++i) {
    if (o[i] == Q_G) gpos = i;
    if (o[i] == Q_P) ppos = i;
  }
  bool named_only = idx >= IDX_SPOG;
  unsigned char *vbuf = malloc(RUN_CHUNK * VAL_SIZE);
  if (!vbuf) st = store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n && !st;) {
    size_t j = i + 1;
    /* A run of one key, cut in pieces so that progress is heard (the
     * default graph's G-first indexes are one run). */
    while (j < n && r[j].v[0] == r[i].v[0] && j - i < TICK_RECORDS) ++j;
    size_t stored = 0; /* records of [i, j) that were new */
    bool past_end = !a.have_last || lex_cmp(&r[i], &a.last) > 0;
    if (!named_only && past_end && j - i >= RUN_MIN) {
      int rc = append_run(&a, &r[i], j - i, vbuf, RUN_CHUNK);
      if (rc) st = fail(t, rc, "cannot write index");
      stored = j - i;
      if (count)
        for (size_t x = i; x < j && !st; ++x)
          if (stats_quads(t->delta, r[x].v[gpos], r[x].v[ppos], 1))
            st = store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
    } else {
      for (size_t x = i; x < j && !st; ++x) {
        if (named_only && r[x].v[gpos] == 0) continue;
        int rc = appender_put(&a, &r[x]);
        if (rc == MDB_KEYEXIST) continue;
        if (rc) st = fail(t, rc, "cannot write index");
        else if (count && stats_quads(t->delta, r[x].v[gpos], r[x].v[ppos], 1))
          st = store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
        stored++;
      }
    }
    if (count) *added += stored;
    if (!st) st = ticked(t, tk, j - i);
    i = j;
  }
  free(vbuf);
  mdb_cursor_close(a.cur);
  return st;
}

static bool uniform_graph(const Quad *q, size_t n) {
  for (size_t i = 1; i < n; ++i)
    if (q[i].v[Q_G] != q[0].v[Q_G]) return false;
  return true;
}

/* A sort (and dedup) on another core, while this one does other work. */
typedef struct {
  pthread_t thread;
  Quad *a;
  size_t n;
  bool started;
} SortJob;

static void *sort_main(void *arg) {
  SortJob *j = arg;
  lex_sort(j->a, j->n);
  j->n = dedup(j->a, j->n);
  return NULL;
}

static void sort_start(SortJob *j, Quad *a, size_t n) {
  *j = (SortJob){.a = a, .n = n};
  j->started = pthread_create(&j->thread, NULL, sort_main, j) == 0;
  if (!j->started) sort_main(j);
}

static size_t sort_wait(SortJob *j) {
  if (j->started) pthread_join(j->thread, NULL);
  j->started = false;
  return j->n;
}

/* One graph in the batch: each G-first order equals its S/P/O-first order,
 * so one sort serves two indexes after a change of layout. */
static TrineStatus add_uniform(TrineTxn *t, Quad *q, Quad *scr, Quad *scr2, size_t n,
                               uint64_t seq0, Ticker *tk, uint64_t *added) {
  bool named = q[0].v[Q_G] != 0;
  uint64_t dummy = 0;
  SortJob job;
  permute(scr, q, n, IDX_POSG);
  sort_start(&job, scr, n);
  lex_sort(q, n);
  n = dedup(q, n);
  permute(scr2, q, n, IDX_OSPG);
  sort_wait(&job);
  TrineStatus st = count_new_pairs(t, q, n, Q_S, seq0);
  if (!st) st = count_new_pairs(t, scr, n, Q_O, seq0);
  if (st) return st;
  /* All statistics lookups are done: the indexes may change now. */
  tk->todo = (uint64_t)n * (named ? 6 : 3); /* without the duplicates */
  sort_start(&job, scr2, n);
  if (named) st = write_sorted(t, IDX_POSG, scr, n, false, &dummy, tk);
  relayout(scr, n, IDX_POSG, IDX_GPOS);
  if (!st) st = write_sorted(t, IDX_GPOS, scr, n, false, &dummy, tk);
  permute(scr, q, n, IDX_GSPO);
  if (!st) st = write_sorted(t, IDX_GSPO, scr, n, true, added, tk);
  if (!st && named) st = write_sorted(t, IDX_SPOG, q, n, false, &dummy, tk);
  sort_wait(&job);
  if (!st && named) st = write_sorted(t, IDX_OSPG, scr2, n, false, &dummy, tk);
  relayout(scr2, n, IDX_OSPG, IDX_GOSP);
  if (!st) st = write_sorted(t, IDX_GOSP, scr2, n, false, &dummy, tk);
  return st;
}

TrineStatus index_add_batch(TrineTxn *t, Quad *q, Quad *scr, Quad *scr2, size_t n,
                            uint64_t seq0, const IndexTick *tick, uint64_t *added) {
  *added = 0;
  if (n == 0) return TRINE_OK;
  Ticker tk = {.tick = tick};
  if (uniform_graph(q, n)) return add_uniform(t, q, scr, scr2, n, seq0, &tk, added);
  /* SPOG layout is the canonical one: sort and dedup in place. */
  lex_sort(q, n);
  n = dedup(q, n);
  TrineStatus st = count_new_pairs(t, q, n, Q_S, seq0);
  if (st) return st;
  permute(scr, q, n, IDX_POSG);
  lex_sort(scr, n);
  if ((st = count_new_pairs(t, scr, n, Q_O, seq0))) return st;
  tk.todo = (uint64_t)n * 6;
  static const IndexId order[] = {IDX_POSG, IDX_GSPO, IDX_GPOS, IDX_GOSP, IDX_SPOG, IDX_OSPG};
  for (size_t i = 0; i < sizeof order / sizeof order[0] && !st; ++i) {
    uint64_t dummy = 0;
    IndexId idx = order[i];
    if (idx == IDX_SPOG) {
      st = write_sorted(t, idx, q, n, false, &dummy, &tk);
      continue;
    }
    if (idx != IDX_POSG) {
      permute(scr, q, n, idx);
      lex_sort(scr, n);
    }
    st = write_sorted(t, idx, scr, n, idx == IDX_GSPO, idx == IDX_GSPO ? added : &dummy, &tk);
  }
  return st;
}

/* ---- single quads ---- */

/* The key and value of q in index idx's layout. */
static void pack(const Quad *q, IndexId idx, unsigned char kb[8], unsigned char vb[VAL_SIZE]) {
  Quad r;
  permute(&r, q, 1, idx);
  be_put(kb, r.v[0]);
  pack_value(vb, &r);
}

static int put_one(TrineTxn *t, IndexId idx, const Quad *q) {
  unsigned char kb[8], vb[VAL_SIZE];
  t->index_gen++;
  pack(q, idx, kb, vb);
  MDB_val k = {8, kb}, v = {VAL_SIZE, vb};
  return mdb_put(t->txn, t->store->idx[idx], &k, &v, MDB_NODUPDATA);
}

static int del_one(TrineTxn *t, IndexId idx, const Quad *q) {
  unsigned char kb[8], vb[VAL_SIZE];
  t->index_gen++;
  pack(q, idx, kb, vb);
  MDB_val k = {8, kb}, v = {VAL_SIZE, vb};
  return mdb_del(t->txn, t->store->idx[idx], &k, &v);
}

/* Whether (s, p) and (p, o) of q occur in any stored quad. */
static TrineStatus pairs_of(TrineTxn *t, const Quad *q, bool *sp, bool *po) {
  PairCursors pc;
  TrineStatus st = pair_cursors(t, Q_S, &pc);
  if (st) return st;
  st = pair_exists(t, pc.cg, pc.cn, q->v[Q_S], q->v[Q_P], sp);
  pair_cursors_close(&pc);
  if (st || (st = pair_cursors(t, Q_O, &pc))) return st;
  st = pair_exists(t, pc.cg, pc.cn, q->v[Q_P], q->v[Q_O], po);
  pair_cursors_close(&pc);
  return st;
}

static int index_count(const Quad *q) { return q->v[Q_G] ? IDX_COUNT : IDX_SPOG; }

TrineStatus index_add(TrineTxn *t, const Quad *q) {
  bool sp, po;
  TrineStatus st = pairs_of(t, q, &sp, &po);
  if (st) return st;
  int rc = put_one(t, IDX_GSPO, q);
  if (rc == MDB_KEYEXIST) return TRINE_NOT_FOUND;
  for (int i = IDX_GSPO + 1; !rc && i < index_count(q); ++i)
    rc = put_one(t, (IndexId)i, q);
  if (rc) return fail(t, rc, "cannot add quad");
  if (stats_quads(t->delta, q->v[Q_G], q->v[Q_P], 1) ||
      stats_distinct(t->delta, q->v[Q_P], !sp, !po))
    return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  return TRINE_OK;
}

TrineStatus index_remove(TrineTxn *t, const Quad *q) {
  int rc = del_one(t, IDX_GSPO, q);
  if (rc == MDB_NOTFOUND) return TRINE_NOT_FOUND;
  for (int i = IDX_GSPO + 1; !rc && i < index_count(q); ++i)
    rc = del_one(t, (IndexId)i, q);
  if (rc) return fail(t, rc, "cannot remove quad");
  bool sp, po;
  TrineStatus st = pairs_of(t, q, &sp, &po);
  if (st) return st;
  if (stats_quads(t->delta, q->v[Q_G], q->v[Q_P], -1) ||
      stats_distinct(t->delta, q->v[Q_P], -(int64_t)!sp, -(int64_t)!po))
    return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  return TRINE_OK;
}

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
