/*
 * test_exec_stream.c -- results made as they are asked for
 * (engine/sparql/exec_stream.c), through the public query API: a streamed
 * query gives the rows the materialising path gives (a profiled run is
 * materialised: the plan it prints is exact), within a memory limit the
 * whole result would pass, from the snapshot of its first step while the
 * store changes, and it lets that snapshot go when it gives TRINE_DONE;
 * cancellation stops it between rows; it runs in a caller's read
 * transaction, and in a caller's write transaction it sees its writes.
 */
#include "env.h"
#include "exec_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* exec_setup()'s 3000 pairs, a triple on itself, two named graphs. */
static int stream_setup(void **state) {
  if (exec_setup(state)) return -1;
  TuStore *t = *state;
  Text d;
  text_begin(&d);
  fprintf(d.f, "<http://ex/loop> <http://ex/p> <http://ex/loop> .\n");
  for (size_t i = 0; i < 300; ++i)
    fprintf(d.f, "<http://ex/s%zu> <http://ex/r> <http://ex/o%zu> <http://ex/g%zu> .\n", i, i + 1,
            i % 2);
  fprintf(d.f, "<http://ex/g0> <http://ex/r> <http://ex/g0> <http://ex/g0> .\n");
  text_load(t->store, "more.nq", &d);
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every row of text as a line, the lines sorted (rows of an unordered
 * query come in any order); *n: the rows. */
static char *sorted_rows(TrineStore *s, const char *text, bool profile, size_t *n) {
  TrineQuery *q;
  TrineQueryOptions o = {.profile = profile};
  assert_int_equal(trine_query_prepare(s, text, strlen(text), &o, &q), TRINE_OK);
  char **lines = NULL;
  size_t cap = 0, len = 0;
  *n = 0;
  TrineStatus st;
  while ((st = trine_query_step(q)) == TRINE_ROW) {
    char *line = NULL;
    size_t ll = 0;
    FILE *f = open_memstream(&line, &ll);
    assert_non_null(f);
    for (size_t i = 0; i < trine_query_columns(q); ++i) {
      const TrineTerm *term = trine_query_term(q, i);
      char *one = term ? tu_term_text(term) : NULL;
      fprintf(f, "%s ", one ? one : "-");
      free(one);
    }
    fclose(f);
    if (*n == cap) {
      cap = cap ? 2 * cap : 64;
      assert_non_null(lines = realloc(lines, cap * sizeof *lines));
    }
    lines[(*n)++] = line;
  }
  assert_int_equal(st, TRINE_DONE);
  trine_query_free(q);
  if (*n) qsort(lines, *n, sizeof *lines, cmp_str);
  char *all = NULL;
  FILE *f = open_memstream(&all, &len);
  assert_non_null(f);
  for (size_t i = 0; i < *n; ++i) {
    fprintf(f, "%s\n", lines[i]);
    free(lines[i]);
  }
  fclose(f);
  free(lines);
  return all;
}

/* Streamed (no profile) and materialised (profile) runs agree, row for
 * row, on each kind of operator that streams and on the edges of a scan:
 * a variable twice in the pattern, a constant the store lacks, graphs,
 * OPTIONAL (a bind join of each batch). */
static void test_exec_stream_same_rows(void **state) {
  TuStore *t = *state;
  static const struct {
    const char *text;
    size_t rows;
  } cases[] = {
      {"SELECT * { ?s ?p ?o }", 6001},
      {"SELECT ?s ?v { ?s <http://ex/p> ?o . ?o <http://ex/q> ?v }", 3000},
      {"SELECT ?s { ?s <http://ex/p> ?o . ?o <http://ex/q> ?v FILTER(STRLEN(?v) = 2) }", 90},
      {"SELECT ?s { ?s ?p ?o FILTER(?p = <http://ex/q> && STRSTARTS(?o, \"12\")) }", 111},
      {"SELECT DISTINCT ?p { ?s ?p ?o }", 2},
      {"SELECT REDUCED ?o { ?s ?p ?o . ?o ?q ?v }", 3001},
      {"SELECT ?x { ?x ?p ?x }", 1},
      {"SELECT * { ?s <http://ex/absent> ?o }", 0},
      {"SELECT * { ?s <http://ex/p> ?o . ?o <http://ex/absent> ?v }", 0},
      {"SELECT ?g ?s { GRAPH ?g { ?s ?p ?o } }", 301},
      {"SELECT ?g { GRAPH ?g { ?g ?p ?o } }", 1},
      {"SELECT * { GRAPH <http://ex/g1> { ?s ?p ?o } }", 150},
      {"SELECT * { GRAPH <http://ex/g1> { ?s ?p ?o FILTER(?s != <http://ex/s1>) } }", 149},
      {"SELECT * { GRAPH <http://ex/none> { ?s ?p ?o } }", 0},
      {"SELECT ?s ?o ?v { { ?s <http://ex/p> ?o } UNION { ?o <http://ex/q> ?v } }", 6001},
      {"SELECT ?s (CONCAT(STR(?v), \"!\") AS ?w) { ?s <http://ex/q> ?v }", 3000},
      {"SELECT ?s { ?s <http://ex/p> ?o FILTER EXISTS { ?o <http://ex/q> \"7\" } }", 1},
      {"SELECT ?s ?y { ?s <http://ex/p> ?o . ?o <http://ex/q> ?v . ?s <http://ex/p>/<http://ex/q> ?y }",
       3000},
      {"SELECT * { SELECT ?s { ?s <http://ex/p> ?o } }", 3001},
      {"SELECT ?s ?v { ?s <http://ex/p> ?o OPTIONAL { ?o <http://ex/q> ?v FILTER(?v != \"5\") } }",
       3001},
      {"SELECT ?s ?v ?w { ?s <http://ex/p> ?o OPTIONAL { ?o <http://ex/q> ?v } "
       "OPTIONAL { ?s <http://ex/p> ?w } FILTER(!BOUND(?w) || ?s != <http://ex/s3>) }",
       3000},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
    size_t ns, nm;
    char *streamed = sorted_rows(t->store, cases[i].text, false, &ns);
    char *made = sorted_rows(t->store, cases[i].text, true, &nm);
    if (strcmp(streamed, made) != 0 || ns != cases[i].rows)
      fail_msg("%s: %zu rows streamed, %zu made whole, %zu expected", cases[i].text, ns, nm,
               cases[i].rows);
    free(streamed);
    free(made);
  }
}

/* OFFSET and LIMIT stop a stream: the counts, whatever rows they are. */
static void test_exec_stream_slices(void **state) {
  TuStore *t = *state;
  static const struct {
    const char *text;
    size_t rows;
  } cases[] = {
      {"SELECT * { ?s ?p ?o } LIMIT 5", 5},
      {"SELECT * { ?s ?p ?o } OFFSET 5990 LIMIT 100", 11},
      {"SELECT * { ?s ?p ?o } OFFSET 7000", 0},
      {"SELECT * { ?s ?p ?o } LIMIT 0", 0},
      {"SELECT DISTINCT ?p { ?s ?p ?o } LIMIT 1", 1},
      {"SELECT ?g { GRAPH ?g { ?s ?p ?o } } OFFSET 100 LIMIT 150", 150},
      {"SELECT ?s ?v { ?s <http://ex/p> ?o . ?o <http://ex/q> ?v } OFFSET 2990 LIMIT 20", 10},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
    size_t rows;
    assert_int_equal(run(t->store, cases[i].text, NULL, &rows), TRINE_DONE);
    if (rows != cases[i].rows)
      fail_msg("%s: %zu rows, %zu expected", cases[i].text, rows, cases[i].rows);
  }
}

/* Every triple within a memory limit the whole result exceeds (ORDER BY
 * must keep it all, and fails): the rows go out a batch at a time. */
static void test_exec_stream_memory_stays_flat(void **state) {
  TuStore *t = *state;
  TrineQueryOptions o = {.memory_limit = 160u << 10};
  size_t rows;
  assert_int_equal(run(t->store, "SELECT * { ?s ?p ?o }", &o, &rows), TRINE_DONE);
  assert_int_equal(rows, 6001);
  assert_int_equal(run(t->store, "SELECT * { ?s ?p ?o } ORDER BY ?o", &o, &rows), TRINE_ERR_FULL);
}

/* A stream that fails after some rows (DISTINCT keeps every row it saw,
 * past the memory limit) returns the error at that step, lets its
 * snapshot go, and gives TRINE_DONE until reset. */
static void test_exec_stream_fails_midway(void **state) {
  TuStore *t = *state;
  const char *text = "SELECT DISTINCT ?s ?o { ?s ?p ?o }";
  TrineQueryOptions o = {.memory_limit = 64u << 10};
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), &o, &q), TRINE_OK);
  size_t rows = 0;
  TrineStatus st;
  while ((st = trine_query_step(q)) == TRINE_ROW) ++rows;
  assert_int_equal(st, TRINE_ERR_FULL);
  assert_true(rows > 0 && rows < 6001);
  assert_int_equal(atomic_load(&t->store->live_txns), 0);
  assert_int_equal(trine_query_step(q), TRINE_DONE);
  trine_query_free(q);
}

/* The snapshot is the first step's: a write committed while the rows go
 * out is not among them; it is let go at TRINE_DONE (no transaction left
 * open before free), and a reset runs again on a new one. */
static void test_exec_stream_snapshot(void **state) {
  TuStore *t = *state;
  const char *text = "SELECT ?s { ?s <http://ex/p> ?o }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), NULL, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ROW);
  assert_int_equal(atomic_load(&t->store->live_txns), 1);
  tu_update(t->store, "INSERT DATA { <http://ex/new> <http://ex/p> <http://ex/o1> }");
  size_t rows = 1;
  TrineStatus st;
  while ((st = trine_query_step(q)) == TRINE_ROW) ++rows;
  assert_int_equal(st, TRINE_DONE);
  assert_int_equal(rows, 3001);
  assert_int_equal(atomic_load(&t->store->live_txns), 0);
  assert_null(trine_query_term(q, 0));
  assert_int_equal(trine_query_step(q), TRINE_DONE);
  assert_int_equal(trine_query_reset(q), TRINE_OK);
  for (rows = 0; (st = trine_query_step(q)) == TRINE_ROW;) ++rows;
  assert_int_equal(st, TRINE_DONE);
  assert_int_equal(rows, 3002);
  /* Freed between two rows: its cursors and snapshot go with it. */
  assert_int_equal(trine_query_reset(q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ROW);
  trine_query_free(q);
  assert_int_equal(atomic_load(&t->store->live_txns), 0);
}

/* A cancel between two rows of a stream ends it at the next step, and
 * lets its snapshot go. */
static void test_exec_stream_cancel(void **state) {
  TuStore *t = *state;
  const char *text = "SELECT * { ?s ?p ?o }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), NULL, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ROW);
  trine_query_cancel(q);
  assert_int_equal(trine_query_step(q), TRINE_ERR_CANCELLED);
  assert_non_null(strstr(trine_store_errmsg(t->store), "cancelled"));
  assert_int_equal(atomic_load(&t->store->live_txns), 0);
  assert_int_equal(trine_query_step(q), TRINE_DONE);
  trine_query_free(q);
}

/* In a read transaction the program holds, a stream reads it and leaves
 * it open at TRINE_DONE. */
static void test_exec_stream_in_read_txn(void **state) {
  TuStore *t = *state;
  TrineTxn *txn;
  assert_int_equal(trine_txn_begin(t->store, false, &txn), TRINE_OK);
  TrineQueryOptions o = {.txn = txn};
  size_t rows;
  assert_int_equal(run(t->store, "SELECT * { ?s <http://ex/q> ?o }", &o, &rows), TRINE_DONE);
  assert_int_equal(rows, 3000);
  assert_int_equal(atomic_load(&t->store->live_txns), 1);
  trine_txn_abort(txn);
}

static TrineTerm iri(const char *v) {
  return (TrineTerm){.kind = TRINE_TERM_IRI, .value = v, .value_len = strlen(v)};
}

/* In a write transaction the program holds, a query sees its writes
 * (made whole at the first step: a write between steps does not change
 * the rows it gives). */
static void test_exec_stream_in_write_txn(void **state) {
  TuStore *t = *state;
  TrineTxn *txn;
  assert_int_equal(trine_txn_begin(t->store, true, &txn), TRINE_OK);
  TrineTerm s = iri("http://ex/mine"), p = iri("http://ex/q"), o = iri("http://ex/o1");
  assert_int_equal(trine_txn_add(txn, &s, &p, &o, NULL), TRINE_OK);
  TrineQueryOptions opts = {.txn = txn};
  const char *text = "SELECT ?s { ?s <http://ex/q> ?o }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), &opts, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ROW);
  TrineTerm s2 = iri("http://ex/mine2");
  assert_int_equal(trine_txn_add(txn, &s2, &p, &o, NULL), TRINE_OK);
  size_t rows = 1;
  bool mine = false;
  TrineStatus st;
  do {
    const TrineTerm *term = trine_query_term(q, 0);
    mine |= term && term->value_len == s.value_len && memcmp(term->value, s.value, s.value_len) == 0;
  } while ((st = trine_query_step(q)) == TRINE_ROW && ++rows);
  assert_int_equal(st, TRINE_DONE);
  assert_int_equal(rows, 3001);
  assert_true(mine);
  trine_query_free(q);
  assert_int_equal(trine_txn_commit(txn), TRINE_OK);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_exec_stream_same_rows, stream_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_stream_slices, stream_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_stream_memory_stays_flat, stream_setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_stream_fails_midway, stream_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_stream_snapshot, stream_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_stream_cancel, stream_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_stream_in_read_txn, stream_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_stream_in_write_txn, stream_setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
