/*
 * test_exec_limits.c -- the executor's limits and early stops, through the
 * public query API (engine/sparql/exec_table.c and where the steps check
 * them): LIMIT over a cross product and over a path, the memory limit
 * (and ORDER BY under a LIMIT, aggregates and DISTINCT within it over a
 * big join), cancellation and timeouts. Each must end the query cleanly
 * with its status. Also queries from several threads at once (they share
 * the store's row buffers), and the labels of blank nodes handed out,
 * whose table grows with the rows.
 */
#include "exec_util.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* 6000 x 6000 rows would need far more than the memory limit; LIMIT 3
 * stops the group after three. */
static void test_exec_limit_stops_cross_product(void **state) {
  TuStore *t = *state;
  size_t rows;
  TrineQueryOptions o = {.memory_limit = 64u << 20};
  assert_int_equal(run(t->store, "SELECT ?a ?c { ?a ?p ?b . ?c ?q ?d } LIMIT 3", &o, &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 3);
  assert_int_equal(run(t->store, "SELECT ?a ?c { ?a ?p ?b . ?c ?q ?d } OFFSET 5 LIMIT 4", &o,
                       &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 4);
}

/* A path stopped by LIMIT while it hands out its pairs frees what its
 * walk found (ASan checks). */
static void test_exec_limit_stops_path(void **state) {
  TuStore *t = *state;
  size_t rows;
  assert_int_equal(run(t->store, "SELECT ?y { <http://ex/s1> <http://ex/p>* ?y } LIMIT 1", NULL,
                       &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 1);
  assert_int_equal(run(t->store, "SELECT ?x ?y { ?x (<http://ex/p>/<http://ex/q>)+ ?y } LIMIT 2",
                       NULL, &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 2);
}

/* Blank nodes keep their label across rows and every one has its own: the
 * same node is handed out twice (UNION), 3000 of them, enough to grow the
 * query's label table several times. */
static void test_exec_blank_labels_stable(void **state) {
  TuStore *t = *state;
  enum { N = 3000 };
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < N; ++i) fprintf(d.f, "_:n%zu <http://ex/b> \"%zu\" .\n", i, i);
  text_load(t->store, "blanks", &d);
  const char *query = "SELECT ?o ?b { { ?b <http://ex/b> ?o } UNION { ?b <http://ex/b> ?o } }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, query, strlen(query), NULL, &q), TRINE_OK);
  char **label = calloc(N, sizeof *label);
  assert_non_null(label);
  size_t rows = 0;
  TrineStatus st;
  while ((st = trine_query_step(q)) == TRINE_ROW) {
    const TrineTerm *o = trine_query_term(q, 0), *b = trine_query_term(q, 1);
    assert_non_null(o);
    assert_non_null(b);
    assert_int_equal(b->kind, TRINE_TERM_BLANK);
    char num[16];
    assert_true(o->value_len < sizeof num);
    memcpy(num, o->value, o->value_len);
    num[o->value_len] = 0;
    size_t i = (size_t)strtoul(num, NULL, 10);
    assert_true(i < N);
    char *lt = tu_term_text(b);
    if (label[i]) {
      assert_string_equal(label[i], lt);
      free(lt);
    } else {
      label[i] = lt;
    }
    ++rows;
  }
  assert_int_equal(st, TRINE_DONE);
  assert_int_equal(rows, 2 * N);
  trine_query_free(q);
  /* Distinct nodes, distinct labels. */
  for (size_t i = 0; i < N; ++i) assert_non_null(label[i]);
  qsort(label, N, sizeof *label, cmp_str);
  for (size_t i = 1; i < N; ++i) assert_string_not_equal(label[i - 1], label[i]);
  for (size_t i = 0; i < N; ++i) free(label[i]);
  free(label);
}

/* Without a LIMIT the same cross product hits the memory limit: a clear
 * error, and the store answers the next query. */
static void test_exec_memory_limit_is_an_error(void **state) {
  TuStore *t = *state;
  size_t rows;
  TrineQueryOptions o = {.memory_limit = 8u << 20};
  assert_int_equal(run(t->store, "SELECT * { ?a ?p ?b . ?c ?q ?d }", &o, &rows), TRINE_ERR_FULL);
  assert_non_null(strstr(trine_store_errmsg(t->store), "memory"));
  assert_int_equal(run(t->store, "SELECT * { ?a <http://ex/q> ?d }", NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 3000);
}

/* ORDER BY under a LIMIT, COUNT(*), GROUP BY and DISTINCT over a join
 * of 50,000 rows (1.2 MB of them) fit in 1 MiB: the join's rows are not
 * kept, only the ten first, the groups, the distinct rows. Each failed
 * when the join was made into a table first; the full sort still does. */
static void test_exec_streamed_within_memory_limit(void **state) {
  TuStore *t = *state;
  exec_load_members(t->store, 1000, 20);
  TrineQueryOptions o = {.memory_limit = 1u << 20};
  static const char *const queries[] = {
      "SELECT ?x ?y { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } ORDER BY ?y LIMIT 10",
      ("SELECT ?x ?y { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } ORDER BY DESC(?x) ?y "
       "OFFSET 100 LIMIT 10"),
      "SELECT (COUNT(*) AS ?n) { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c }",
      "SELECT ?c (COUNT(*) AS ?n) { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } GROUP BY ?c",
      "SELECT DISTINCT ?c { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c }",
  };
  static const size_t expect[] = {10, 10, 1, 20, 20};
  size_t rows;
  for (size_t i = 0; i < sizeof queries / sizeof *queries; ++i) {
    TrineStatus st = run(t->store, queries[i], &o, &rows);
    if (st != TRINE_DONE) fail_msg("%s: %s", queries[i], trine_store_errmsg(t->store));
    if (rows != expect[i]) fail_msg("%s: %zu rows, expected %zu", queries[i], rows, expect[i]);
  }
  assert_int_equal(run(t->store, "SELECT ?x ?y { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } "
                                 "ORDER BY ?y", &o, &rows),
                   TRINE_ERR_FULL);
}

static void test_exec_cancel_before_step(void **state) {
  TuStore *t = *state;
  const char *text = "SELECT * { ?a ?p ?b . ?c ?q ?d }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), NULL, &q), TRINE_OK);
  trine_query_cancel(q);
  assert_int_equal(trine_query_step(q), TRINE_ERR_CANCELLED);
  /* reset clears the request to stop */
  assert_int_equal(trine_query_reset(q), TRINE_OK);
  trine_query_free(q);
}

/* An update asked to stop before its first step stops: its transaction is
 * aborted and the store holds exactly what it held. Each of these
 * operations writes without evaluating a WHERE clause (which checked the
 * request to stop before), so each ran to its end and committed. */
static void test_exec_update_cancelled(void **state) {
  TuStore *t = *state;
  char path[4096];
  snprintf(path, sizeof path, "%s/more.nt", t->dir);
  const char *nt = "<http://ex/a> <http://ex/b> <http://ex/c> .\n";
  tu_write_file(path, nt, strlen(nt));
  char load[4200];
  snprintf(load, sizeof load, "LOAD <file://%s>", path);
  const char *requests[] = {
      "INSERT DATA { <http://ex/n1> <http://ex/p> <http://ex/n2> }",
      "CLEAR DEFAULT", "DROP ALL", "COPY DEFAULT TO <http://ex/g>",
      "ADD DEFAULT TO <http://ex/g>", load,
  };
  for (size_t i = 0; i < sizeof requests / sizeof *requests; ++i) {
    TrineQuery *q;
    TrineQueryOptions writes = {.allow = TRINE_ALLOW_UPDATE | TRINE_ALLOW_LOAD_FILES};
    assert_int_equal(trine_query_prepare(t->store, requests[i], strlen(requests[i]), &writes, &q),
                     TRINE_OK);
    trine_query_cancel(q);
    TrineStatus st = trine_query_step(q);
    if (st != TRINE_ERR_CANCELLED) fail_msg("%s: status %s", requests[i], trine_strerror(st));
    trine_query_free(q);
    TrineStats stats;
    assert_int_equal(trine_store_stats(t->store, NULL, &stats), TRINE_OK);
    assert_int_equal(stats.quads, 6000);
    assert_int_equal(stats.graphs, 0);
  }
}

static void test_exec_timeout(void **state) {
  TuStore *t = *state;
  size_t rows;
  /* path closures from every node, times 3000 rows: far more than 1 ms
   * (and than the memory the timeout allows it to reach) */
  TrineQueryOptions o = {.timeout_ms = 1, .memory_limit = (size_t)256 << 20};
  TrineStatus st = run(t->store, "SELECT * { ?a (<http://ex/p>|<http://ex/q>|^<http://ex/p>)* ?b . ?c ?q ?d }",
                       &o, &rows);
  assert_int_equal(st, TRINE_ERR_CANCELLED);
  assert_non_null(strstr(trine_store_errmsg(t->store), "timed out"));
  /* A step whose filter keeps nothing makes no rows, where the limits were
   * checked: it checks them as it reads its input. A zero-or-one path from
   * every node of a graph of two quads, for each of 30000 rows (found by
   * fuzz_query, which ran such a query for seconds past its timeout). */
  const char *small = "<http://ex/a> <http://ex/q> <http://ex/b> <http://ex/small> .\n"
                      "<http://ex/b> <http://ex/q> <http://ex/c> <http://ex/small> .\n";
  assert_int_equal(trine_store_load_buffer(t->store, "small.nq", small, strlen(small), NULL, NULL),
                   TRINE_OK);
  Text q;
  text_begin(&q);
  fprintf(q.f, "SELECT * { GRAPH <http://ex/small> { VALUES ?v {");
  for (int i = 0; i < 30000; ++i) fprintf(q.f, " %d", i);
  fprintf(q.f, " } ?x <http://ex/q>? ?y FILTER(?y = <http://ex/nope>) } }");
  char *text = text_end(&q);
  TrineQueryOptions o2 = {.timeout_ms = 5};
  st = run(t->store, text, &o2, &rows);
  free(text);
  assert_int_equal(st, TRINE_ERR_CANCELLED);
}

/* Several threads query one store at once, each many times: the tables
 * (3000 rows, over the pool's 64 KiB threshold) come from and go back to
 * the store's pool, and every row's terms must still belong together. */
typedef struct {
  TrineStore *store;
  int bad;
} QueryThread;

static void *query_thread(void *arg) {
  QueryThread *c = arg;
  const char *text = "SELECT ?s ?n { ?s <http://ex/p> ?o . ?o <http://ex/q> ?n }";
  for (int it = 0; it < 20 && !c->bad; ++it) {
    TrineQuery *q;
    if (trine_query_prepare(c->store, text, strlen(text), NULL, &q)) { c->bad = 1; break; }
    size_t rows = 0;
    TrineStatus st;
    while ((st = trine_query_step(q)) == TRINE_ROW) {
      const TrineTerm *sub = trine_query_term(q, 0), *n = trine_query_term(q, 1);
      char want[32];
      int len = snprintf(want, sizeof want, "http://ex/s%.*s", (int)n->value_len, n->value);
      if (!sub || (size_t)len != sub->value_len || memcmp(want, sub->value, sub->value_len))
        c->bad = 2;
      ++rows;
    }
    if (st != TRINE_DONE || rows != 3000) c->bad = 3;
    trine_query_free(q);
  }
  return NULL;
}

static void test_exec_concurrent_queries(void **state) {
  TuStore *t = *state;
  QueryThread c[4];
  pthread_t th[4];
  for (int i = 0; i < 4; ++i) {
    c[i] = (QueryThread){t->store, 0};
    assert_int_equal(pthread_create(&th[i], NULL, query_thread, &c[i]), 0);
  }
  for (int i = 0; i < 4; ++i) {
    assert_int_equal(pthread_join(th[i], NULL), 0);
    assert_int_equal(c[i].bad, 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_exec_limit_stops_cross_product, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_limit_stops_path, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_streamed_within_memory_limit, exec_setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_memory_limit_is_an_error, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_cancel_before_step, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_update_cancelled, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_timeout, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_concurrent_queries, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_blank_labels_stable, exec_setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
