/*
 * test_index_runs.c -- a load's sorted runs (engine/store/index_runs.c):
 * records kept and merged back equal a sort and dedup of all of them,
 * whatever the ids (every kind, the largest sequence numbers, so that a
 * record takes its longest coding), however many runs and however long
 * (records cross the merge's read buffers), and in another layout than
 * the runs' (a run of one graph read in its G-first layout).
 */
#include "index_runs.h"

#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static uint64_t next(uint64_t *x) {
  *x = *x * 6364136223846793005ull + 1442695040888963407ull;
  return *x >> 11;
}

/* An id of any kind (1 IRI, 2 blank node, 3 literal), its sequence small
 * or as large as the format allows, or no id at all (a default graph). */
static TrineId random_id(uint64_t *x, bool zero_ok) {
  uint64_t r = next(x);
  if (zero_ok && r % 7 == 0) return 0;
  uint64_t kind = 1 + r % 3, seq;
  switch ((r >> 2) % 3) {
  case 0: seq = (r >> 4) % 50; break;                            /* repeats */
  case 1: seq = (r >> 4) % 100000; break;
  default: seq = ((uint64_t)1 << 60) - 1 - (r >> 4) % 1000; break; /* longest */
  }
  return kind << 60 | seq;
}

static int cmp_quad(const void *a, const void *b) {
  const Quad *p = a, *q = b;
  for (int i = 0; i < 4; ++i)
    if (p->v[i] != q->v[i]) return p->v[i] < q->v[i] ? -1 : 1;
  return 0;
}

static size_t sort_dedup(Quad *a, size_t n) {
  qsort(a, n, sizeof *a, cmp_quad);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i)
    if (k == 0 || cmp_quad(&a[i], &a[k - 1]) != 0) a[k++] = a[i];
  return k;
}

/* A record in idx's layout: r.v[i] = q.v[index_order[idx][i]]. */
static Quad layout(const Quad *q, IndexId idx) {
  const int *o = index_order[idx];
  return (Quad){{q->v[o[0]], q->v[o[1]], q->v[o[2]], q->v[o[3]]}};
}

typedef struct {
  TuStore st;
  RunFile *f;
} Fixture;

static int setup(void **state) {
  Fixture *f = calloc(1, sizeof *f);
  if (!f || tu_store_open(&f->st, "runs", NULL)) return -1;
  if (runs_open(f->st.store, &f->f)) return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fixture *f = *state;
  runs_free(f->f);
  tu_store_close(&f->st);
  free(f);
  return 0;
}

/* Merge runs ids[0..k) into layout `to`, a few records at a time, and
 * compare with want[0..n). */
static void assert_merge(RunFile *rf, const size_t *ids, size_t k, IndexId to, const Quad *want,
                         size_t n, size_t step) {
  RunMerge *m;
  assert_int_equal(runs_merge_open(rf, ids, k, to, &m), TRINE_OK);
  Quad *got = malloc((n + step) * sizeof *got);
  assert_non_null(got);
  size_t total = 0, got_n;
  do {
    assert_int_equal(runs_merge_next(m, got + total, step, &got_n), TRINE_OK);
    total += got_n;
    assert_true(total <= n);
  } while (got_n);
  runs_merge_free(m);
  assert_int_equal(total, n);
  assert_memory_equal(got, want, n * sizeof *want);
  free(got);
}

/* Many runs of random records, overlapping: the merge is their sorted
 * union without duplicates, taken in steps of one record, of a few and
 * of all at once. */
static void test_index_runs_merge_equals_sort(void **state) {
  Fixture *f = *state;
  uint64_t x = 42;
  enum { RUNS = 9 };
  size_t ids[RUNS], total = 0;
  Quad *all = malloc(RUNS * 30000 * sizeof *all);
  assert_non_null(all);
  for (size_t r = 0; r < RUNS; ++r) {
    size_t n = r == 0 ? 0 : r == 1 ? 1 : next(&x) % 30000; /* empty, one, many */
    Quad *run = malloc((n + 1) * sizeof *run);
    assert_non_null(run);
    for (size_t i = 0; i < n; ++i) {
      /* some records of a run are in an earlier one, half share their
       * first component with one */
      Quad q = {{random_id(&x, false), random_id(&x, false), random_id(&x, false),
                 random_id(&x, true)}};
      if (i % 2 && total) q.v[0] = all[next(&x) % total].v[0];
      if (i % 5 == 0 && total) q = all[next(&x) % total];
      run[i] = q;
    }
    n = sort_dedup(run, n);
    assert_int_equal(runs_add(f->f, IDX_SPOG, run, n, &ids[r]), TRINE_OK);
    memcpy(all + total, run, n * sizeof *run);
    total += n;
    free(run);
  }
  assert_int_equal(runs_records(f->f), total);
  size_t n = sort_dedup(all, total);
  assert_true(n < total); /* the runs overlapped */
  assert_merge(f->f, ids, RUNS, IDX_SPOG, all, n, 1);
  assert_merge(f->f, ids, RUNS, IDX_SPOG, all, n, 7);
  assert_merge(f->f, ids, RUNS, IDX_SPOG, all, n, n + 1);
  assert_merge(f->f, ids, 0, IDX_SPOG, NULL, 0, 5); /* no runs: nothing */
  free(all);
}

/* Runs of one graph each, read in their G-first layout: the same order
 * in another layout, so the merge of runs of different graphs is the
 * G-first index of all of them. */
static void test_index_runs_read_in_another_layout(void **state) {
  Fixture *f = *state;
  uint64_t x = 7;
  static const IndexId sfirst[3] = {IDX_SPOG, IDX_POSG, IDX_OSPG};
  for (int t = 0; t < 3; ++t) {
    IndexId from = sfirst[t], to = (IndexId)(from - IDX_SPOG);
    enum { RUNS = 4, N = 5000 };
    size_t ids[RUNS];
    Quad *want = malloc(RUNS * N * sizeof *want);
    assert_non_null(want);
    for (size_t r = 0; r < RUNS; ++r) {
      Quad *run = malloc(N * sizeof *run);
      assert_non_null(run);
      TrineId g = r == 0 ? 0 : random_id(&x, false);
      for (size_t i = 0; i < N; ++i) {
        Quad q = {{random_id(&x, false), random_id(&x, false), random_id(&x, false), g}};
        run[i] = layout(&q, from);
        want[r * N + i] = layout(&q, to);
      }
      size_t n = sort_dedup(run, N);
      assert_int_equal(runs_add(f->f, from, run, n, &ids[r]), TRINE_OK);
      free(run);
    }
    size_t n = sort_dedup(want, RUNS * N);
    assert_merge(f->f, ids, RUNS, to, want, n, 1000);
    free(want);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_index_runs_merge_equals_sort, setup, teardown),
      cmocka_unit_test_setup_teardown(test_index_runs_read_in_another_layout, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
