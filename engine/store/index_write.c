/*
 * index_write.c -- writes to the six index permutations: single quads,
 * and batches sorted once per permutation and written in order, appended
 * where they fall past the end (full pages). The distinct-count
 * statistics are kept up to date as quads are added and removed.
 */
#include "index_int.h"

#include "dict.h"
#include "index_runs.h"
#include "stats.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- sorting records lexicographically ---- */


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
 * Terms created in this load (seq >= seq0) cannot be in a stored pair.
 * prev (or NULL): the record before r[0], whose pair was counted.
 */
static TrineStatus count_new_pairs(TrineTxn *t, const Quad *r, size_t n, int which,
                                   uint64_t seq0, const Quad *prev) {
  PairCursors pc;
  TrineStatus st = pair_cursors(t, which, &pc);
  if (st) return st;
  for (size_t i = 0; i < n && !st; ++i) {
    const Quad *before = i > 0 ? &r[i - 1] : prev;
    if (before && r[i].v[0] == before->v[0] && r[i].v[1] == before->v[1]) continue;
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
 * default graph. GSPO holds every quad once: its new records are the
 * quads added, counted in *added and the statistics. */
static TrineStatus write_sorted(TrineTxn *t, IndexId idx, const Quad *r, size_t n,
                                uint64_t *added, Ticker *tk) {
  bool count = idx == IDX_GSPO;
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

/* Sort and dedup q (SPOG layout) here and its POSG copy in scr on another
 * thread; scr2 gets q's OSPG layout, not sorted yet. Returns q's count,
 * and scr's in *np (NULL: not wanted). */
static size_t sort_s_and_p(Quad *q, Quad *scr, Quad *scr2, size_t n, size_t *np) {
  SortJob job;
  permute(scr, q, n, IDX_POSG);
  sort_start(&job, scr, n);
  lex_sort(q, n);
  n = dedup(q, n);
  permute(scr2, q, n, IDX_OSPG);
  size_t m = sort_wait(&job);
  if (np) *np = m;
  return n;
}

/* One graph in the batch: each G-first order equals its S/P/O-first order,
 * so one sort serves two indexes after a change of layout. */
static TrineStatus add_uniform(TrineTxn *t, Quad *q, Quad *scr, Quad *scr2, size_t n,
                               uint64_t seq0, Ticker *tk, uint64_t *added) {
  bool named = q[0].v[Q_G] != 0;
  n = sort_s_and_p(q, scr, scr2, n, NULL);
  SortJob job;
  TrineStatus st = count_new_pairs(t, q, n, Q_S, seq0, NULL);
  if (!st) st = count_new_pairs(t, scr, n, Q_O, seq0, NULL);
  if (st) return st;
  /* All statistics lookups are done: the indexes may change now. */
  tk->todo = (uint64_t)n * (named ? 6 : 3); /* without the duplicates */
  sort_start(&job, scr2, n);
  if (named) st = write_sorted(t, IDX_POSG, scr, n, added, tk);
  relayout(scr, n, IDX_POSG, IDX_GPOS);
  if (!st) st = write_sorted(t, IDX_GPOS, scr, n, added, tk);
  permute(scr, q, n, IDX_GSPO);
  if (!st) st = write_sorted(t, IDX_GSPO, scr, n, added, tk);
  if (!st && named) st = write_sorted(t, IDX_SPOG, q, n, added, tk);
  sort_wait(&job);
  if (!st && named) st = write_sorted(t, IDX_OSPG, scr2, n, added, tk);
  relayout(scr2, n, IDX_OSPG, IDX_GOSP);
  if (!st) st = write_sorted(t, IDX_GOSP, scr2, n, added, tk);
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
  TrineStatus st = count_new_pairs(t, q, n, Q_S, seq0, NULL);
  if (st) return st;
  permute(scr, q, n, IDX_POSG);
  lex_sort(scr, n);
  if ((st = count_new_pairs(t, scr, n, Q_O, seq0, NULL))) return st;
  tk.todo = (uint64_t)n * 6;
  static const IndexId order[] = {IDX_POSG, IDX_GSPO, IDX_GPOS, IDX_GOSP, IDX_SPOG, IDX_OSPG};
  for (size_t i = 0; i < sizeof order / sizeof order[0] && !st; ++i) {
    IndexId idx = order[i];
    if (idx == IDX_SPOG) {
      st = write_sorted(t, idx, q, n, added, &tk);
      continue;
    }
    if (idx != IDX_POSG) {
      permute(scr, q, n, idx);
      lex_sort(scr, n);
    }
    st = write_sorted(t, idx, scr, n, added, &tk);
  }
  return st;
}

/* ---- a load of many batches: sorted runs, merged at the end ---- */

/* One batch's runs: the S/P/O-first layouts hold all its quads; a batch of
 * one graph reads its G-first orders from them (same order, another
 * layout), any other has G-first runs of its own. */
typedef struct {
  size_t run[IDX_COUNT];
  bool uniform;
  TrineId graph;
} BatchRuns;

/* The batches are sorted into runs on a thread of their own, one at a
 * time, while the loader reads and encodes the next batch. */
struct IndexLoad {
  TrineTxn *txn;
  RunFile *file;
  BatchRuns *b; /* n batches in runs; slot n is the one being sorted */
  size_t n, cap;
  pthread_t thread;
  bool busy;      /* the thread runs: join it before anything else */
  Quad *q, *scr, *scr2;
  size_t qn;      /* the batch it sorts: qn quads in q; scr, scr2 work space */
  TrineStatus st; /* how its last batch went */
};

TrineStatus index_load_open(TrineTxn *t, IndexLoad **out) {
  *out = NULL;
  IndexLoad *l = calloc(1, sizeof *l);
  if (!l) return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  l->txn = t;
  TrineStatus st = runs_open(t->store, &l->file);
  if (st) {
    free(l);
    return st;
  }
  *out = l;
  return TRINE_OK;
}

/* Wait for the batch being sorted; its failure is recorded now, on the
 * store's thread. */
static TrineStatus spill_wait(IndexLoad *l) {
  if (l->busy) pthread_join(l->thread, NULL);
  l->busy = false;
  return l->st ? runs_report(l->file) : TRINE_OK;
}

void index_load_free(IndexLoad *l) {
  if (!l) return;
  if (l->busy) pthread_join(l->thread, NULL);
  runs_free(l->file);
  free(l->b);
  free(l);
}

/* Sort q (n records, SPOG layout) into the layout of idx in out; dedup. */
static size_t sorted_as(Quad *out, const Quad *q, size_t n, IndexId idx) {
  permute(out, q, n, idx);
  lex_sort(out, n);
  return dedup(out, n);
}

/* Sort the batch into runs (l->q and the rest): on the sorting thread. */
static void spill(IndexLoad *l) {
  Quad *q = l->q, *scr = l->scr, *scr2 = l->scr2;
  size_t n = l->qn;
  BatchRuns *b = &l->b[l->n];
  *b = (BatchRuns){.uniform = uniform_graph(q, n), .graph = q[0].v[Q_G]};
  size_t np;
  n = sort_s_and_p(q, scr, scr2, n, &np);
  TrineStatus st = runs_add(l->file, IDX_SPOG, q, n, &b->run[IDX_SPOG]);
  if (!st) st = runs_add(l->file, IDX_POSG, scr, np, &b->run[IDX_POSG]);
  SortJob job;
  sort_start(&job, scr2, n);
  if (!b->uniform) {
    for (IndexId g = IDX_GSPO; g < IDX_SPOG && !st; ++g) {
      size_t m = sorted_as(scr, q, n, g);
      st = runs_add(l->file, g, scr, m, &b->run[g]);
    }
  }
  size_t no = sort_wait(&job);
  if (!st) st = runs_add(l->file, IDX_OSPG, scr2, no, &b->run[IDX_OSPG]);
  if (!st) l->n++;
  l->st = st;
}

static void *spill_main(void *arg) {
  spill(arg);
  return NULL;
}

TrineStatus index_load_batch(IndexLoad *l, Quad *q, Quad *scr, Quad *scr2, size_t n) {
  TrineStatus st = spill_wait(l);
  if (st || n == 0) return st;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 8;
    BatchRuns *b = realloc(l->b, cap * sizeof *b);
    if (!b) return store_error(l->txn->store, TRINE_ERR_NOMEM, "out of memory");
    l->b = b;
    l->cap = cap;
  }
  l->q = q;
  l->scr = scr;
  l->scr2 = scr2;
  l->qn = n;
  l->busy = pthread_create(&l->thread, NULL, spill_main, l) == 0;
  if (!l->busy) spill(l); /* no thread: sort here */
  return l->busy ? TRINE_OK : spill_wait(l);
}

/* Every batch of one and the same graph: each G-first index is written
 * from the merge of its S/P/O-first runs, in the same pass. */
static bool one_graph(const IndexLoad *l) {
  for (size_t i = 0; i < l->n; ++i)
    if (!l->b[i].uniform || l->b[i].graph != l->b[0].graph) return false;
  return true;
}

/* Merge the runs of index idx (or of its S/P/O-first twin, for a batch of
 * one graph) into idx's layout and write it; a pass over an S/P/O-first
 * index counts its new pairs first and writes the G-first twin too when
 * `twin`. buf: cap records of work space. */
static TrineStatus merge_pass(IndexLoad *l, IndexId idx, bool twin, Quad *buf, size_t cap,
                              uint64_t seq0, Ticker *tk, uint64_t *added) {
  TrineTxn *t = l->txn;
  size_t *ids = malloc((l->n ? l->n : 1) * sizeof *ids);
  if (!ids) return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < l->n; ++i) {
    const BatchRuns *b = &l->b[i];
    ids[i] = idx < IDX_SPOG && b->uniform ? b->run[idx + IDX_SPOG] : b->run[idx];
  }
  RunMerge *m;
  TrineStatus st = runs_merge_open(l->file, ids, l->n, idx, &m);
  free(ids);
  if (st) return runs_report(l->file);
  int which = idx == IDX_SPOG ? Q_S : idx == IDX_POSG ? Q_O : -1;
  IndexId g = (IndexId)(idx - IDX_SPOG); /* the twin: SPOG->GSPO, ... */
  bool have_prev = false;
  Quad prev;
  for (size_t n; !st && !(st = runs_merge_next(m, buf, cap, &n) ? runs_report(l->file) : 0) && n;) {
    if (which >= 0) st = count_new_pairs(t, buf, n, which, seq0, have_prev ? &prev : NULL);
    prev = buf[n - 1];
    have_prev = true;
    if (!st) st = write_sorted(t, idx, buf, n, added, tk);
    if (twin) {
      relayout(buf, n, idx, g);
      if (!st) st = write_sorted(t, g, buf, n, added, tk);
    }
  }
  runs_merge_free(m);
  return st;
}

TrineStatus index_load_finish(IndexLoad *l, Quad *buf, size_t cap, uint64_t seq0,
                              const IndexTick *tick, uint64_t *added) {
  *added = 0;
  TrineStatus st = spill_wait(l);
  Ticker tk = {.tick = tick, .todo = 2 * runs_records(l->file)};
  bool single = one_graph(l);
  /* The S/P/O-first passes count new pairs before their indexes (and
   * pairs' other index, the G-first twin) take the pass's records. */
  for (IndexId idx = IDX_SPOG; idx < IDX_COUNT && !st; ++idx)
    st = merge_pass(l, idx, single, buf, cap, seq0, &tk, added);
  for (IndexId g = IDX_GSPO; g < IDX_SPOG && !single && !st; ++g)
    st = merge_pass(l, g, false, buf, cap, seq0, &tk, added);
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
