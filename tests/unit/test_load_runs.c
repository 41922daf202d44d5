/*
 * test_load_runs.c -- a load of many batches (sorted runs in a temporary
 * file, merged and written at the end: index_runs.h) gives the very store
 * a load of one batch gives: the same dump, statistics, distinct counts
 * per predicate, and a clean trine_store_check(). The loader's batch is
 * made small so that a few thousand statements cross many batches.
 *
 * Cases: the default graph only and one named graph only (the G-first
 * indexes written from the S/P/O-first runs), graphs mixed within batches
 * and graphs changing between batches (runs of their own), statements
 * repeated across batches, and loads into a store that holds data.
 */
#include "txn_util.h"

#include "env.h" /* TrineStoreImpl.batch_quads */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

enum { SMALL_BATCH = 97 }; /* the loader's batch in the many-batch store */

typedef struct {
  TuStore one, many; /* loaded with one batch, and with many */
} Pair;

static int pair_setup(void **state) {
  Pair *p = calloc(1, sizeof *p);
  if (!p || tu_store_open(&p->one, "runs1", NULL) || tu_store_open(&p->many, "runsN", NULL))
    return -1;
  p->many.store->batch_quads = SMALL_BATCH;
  *state = p;
  return 0;
}

static int pair_teardown(void **state) {
  Pair *p = *state;
  tu_store_close(&p->one);
  tu_store_close(&p->many);
  free(p);
  return 0;
}

/* How the statements of gen() choose their graph. */
typedef enum {
  G_DEFAULT, /* all in the default graph */
  G_ONE,     /* all in <g1> */
  G_MIXED,   /* each its own pick of default, <g1>, <g2> */
  G_BLOCKS,  /* default, <g1>, <g2> in turn, 250 statements each */
} Graphs;

/* n statements over few subjects, predicates and objects (so that pairs
 * and whole statements repeat across batches), as N-Quads, malloc'd. */
static char *gen(unsigned seed, size_t n, Graphs how, size_t *len) {
  size_t cap = n * 160 + 1;
  char *buf = malloc(cap);
  assert_non_null(buf);
  *len = 0;
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    unsigned r = (unsigned)(x >> 33);
    unsigned g = how == G_DEFAULT ? 0
                 : how == G_ONE   ? 1
                 : how == G_MIXED ? r % 3
                                  : (unsigned)(i / 250) % 3;
    char graph[32] = "";
    if (g) snprintf(graph, sizeof graph, " <http://ex.org/g%u>", g);
    const char *fmt = (r >> 8) % 4 ? "<http://ex.org/s%u> <http://ex.org/p%u> <http://ex.org/o%u>%s .\n"
                                   : "<http://ex.org/s%u> <http://ex.org/p%u> \"%u\"%s .\n";
    *len += (size_t)snprintf(buf + *len, cap - *len, fmt, (r >> 4) % 150, r % 7,
                             (r >> 12) % 200, graph);
  }
  return buf;
}

static int count_problem(void *ctx, const TrineCheckProblem *p) {
  (void)p;
  ++*(int *)ctx;
  return 0;
}

/* Load text into both stores; both must add the same and end the same. */
static void load_both(Pair *p, const char *text, size_t len) {
  TrineLoadStats a, b;
  assert_int_equal(trine_store_load_buffer(p->one.store, "t.nq", text, len, NULL, &a), TRINE_OK);
  assert_int_equal(trine_store_load_buffer(p->many.store, "t.nq", text, len, NULL, &b), TRINE_OK);
  assert_int_equal(a.quads_read, b.quads_read);
  assert_int_equal(a.quads_added, b.quads_added);
  Snapshot sa, sb;
  snapshot(p->one.store, &sa);
  snapshot(p->many.store, &sb);
  assert_same_snapshot(&sa, &sb);
  assert_true(sa.st.quads > 0);
  snapshot_free(&sa);
  snapshot_free(&sb);
  int problems = 0;
  assert_int_equal(trine_store_check(p->many.store, count_problem, &problems, NULL), TRINE_OK);
  assert_int_equal(problems, 0);
}

static void load_gen(void **state, unsigned seed, size_t n, Graphs how) {
  size_t len;
  char *text = gen(seed, n, how, &len);
  load_both(*state, text, len);
  free(text);
}

static void test_load_runs_default_graph(void **state) { load_gen(state, 1, 3000, G_DEFAULT); }

static void test_load_runs_one_named_graph(void **state) { load_gen(state, 2, 3000, G_ONE); }

static void test_load_runs_mixed_graphs(void **state) { load_gen(state, 3, 3000, G_MIXED); }

static void test_load_runs_graph_per_batch(void **state) { load_gen(state, 4, 3000, G_BLOCKS); }

/* Into stores holding data: its pairs must not count as new again. */
static void test_load_runs_into_store_with_data(void **state) {
  Pair *p = *state;
  assert_int_equal(trine_store_load_buffer(p->one.store, "b.nq", base_data, strlen(base_data),
                                           NULL, NULL), TRINE_OK);
  assert_int_equal(trine_store_load_buffer(p->many.store, "b.nq", base_data, strlen(base_data),
                                           NULL, NULL), TRINE_OK);
  load_gen(state, 5, 2000, G_MIXED);
  load_gen(state, 6, 2000, G_DEFAULT); /* old and new terms and pairs */
  load_gen(state, 5, 2000, G_MIXED);   /* all of it there already */
}

/* Exactly one batch, then nothing: the runs hold one batch. */
static void test_load_runs_one_full_batch(void **state) {
  Pair *p = *state;
  size_t len;
  char *text = gen_text("f", 0, SMALL_BATCH, NULL, &len);
  load_both(p, text, len);
  free(text);
}

typedef struct {
  TrineLoadPhase last;
  bool in_order; /* reading, then writing, then committing; never back */
  int writing;
  bool sane;     /* done <= todo */
} Phases;

static int on_progress(void *ctx, const TrineLoadProgress *lp) {
  Phases *p = ctx;
  if (lp->phase < p->last) p->in_order = false;
  if (lp->phase == TRINE_LOAD_WRITING) {
    p->writing++;
    if (lp->done > lp->todo) p->sane = false;
  }
  p->last = lp->phase;
  return 0;
}

/* Batches sorted into runs are not written while the load reads: the
 * indexes are written once, at the end, and progress says so. */
static void test_load_runs_progress(void **state) {
  Pair *p = *state;
  size_t len;
  char *text = gen(7, 3000, G_MIXED, &len);
  Phases ph = {.in_order = true, .sane = true};
  TrineLoadOptions o = {.progress = on_progress, .progress_ctx = &ph};
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(p->many.store, "t.nq", text, len, &o, &ls), TRINE_OK);
  assert_true(ls.quads_added > 0);
  assert_true(ph.in_order);
  assert_true(ph.writing >= 1);
  assert_true(ph.sane);
  assert_int_equal(ph.last, TRINE_LOAD_COMMITTING);
  free(text);
}

int main(void) {
#define CASE(f) cmocka_unit_test_setup_teardown(f, pair_setup, pair_teardown)
  const struct CMUnitTest tests[] = {
      CASE(test_load_runs_default_graph),   CASE(test_load_runs_one_named_graph),
      CASE(test_load_runs_mixed_graphs),    CASE(test_load_runs_graph_per_batch),
      CASE(test_load_runs_into_store_with_data), CASE(test_load_runs_one_full_batch),
      CASE(test_load_runs_progress),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
