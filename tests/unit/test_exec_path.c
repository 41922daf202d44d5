/*
 * test_exec_path.c -- property paths, through the public query API
 * (engine/sparql/exec_path.c): a path's links probed in order or read whole
 * and joined by hashing, its closures remembered per start (and freed when
 * the memo overflows), and a path probing inside an EXISTS over a path.
 */
#include "exec_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A path's links read in place through a probe kept for the query; a
 * filter run on each of its pairs may probe again (EXISTS over a path):
 * that one gets a probe of its own (ASan checks the cleanup). */
static void test_exec_path_probe_nested(void **state) {
  TuStore *t = *state;
  size_t rows;
  const char *q = "SELECT * { VALUES ?s { <http://ex/s1> <http://ex/s2> <http://ex/s3> } "
                  "?s (<http://ex/p>|<http://ex/nope>) ?o "
                  "FILTER NOT EXISTS { ?o (<http://ex/q>|<http://ex/nope>) \"2\" } }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
  const char *inv = "SELECT * { ?o ^<http://ex/p> <http://ex/s7> . ?o <http://ex/q>+ ?n }";
  assert_int_equal(run(t->store, inv, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1);
}

/* A path of links from 500 shuffled rows reads its links whole and joins
 * by hashing; from 500 ordered rows it probes. Closures are remembered per
 * start: 3000 starts fill the memo (rehashed as it grows), 6000 overflow
 * it (the rest are freed after use; ASan checks). */
static void test_exec_path_scan_and_memo(void **state) {
  TuStore *t = *state;
  size_t rows;
  const char *in_order = "SELECT * { { SELECT ?o { ?s <http://ex/p> ?o } LIMIT 500 } "
                         "?o (<http://ex/q>|^<http://ex/p>) ?n }";
  assert_int_equal(run(t->store, in_order, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1000);
  /* Estimated by the predicates' counters: one q per subject, one p per
   * object. */
  assert_true(plan_has(t->store, in_order, "(path est 1000 rows 1000"));
  const char *jumping = "SELECT * { { SELECT ?o { ?s <http://ex/p> ?o } ORDER BY RAND() "
                        "LIMIT 500 } ?o (<http://ex/q>|^<http://ex/p>) ?n }";
  assert_int_equal(run(t->store, jumping, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1000);
  assert_true(plan_has(t->store, jumping, "(scan+hash join path est"));
  assert_int_equal(run(t->store, "SELECT * { ?s <http://ex/p> ?o . ?s <http://ex/p>+ ?o }",
                       NULL, &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 3000);
  assert_int_equal(run(t->store, "SELECT * { ?x (<http://ex/p>|<http://ex/q>)+ ?y }", NULL,
                       &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 9000);
}

/* A negated property set gives a pair once however many predicates link
 * it (SPARQL 1.1 18.5: its eval is a set of solutions); its forward and
 * inverse parts stay an alternative (Union keeps both). Found by the
 * differential suite (tests/differential), where trine gave a row per
 * triple and Oxigraph one. */
static void test_exec_path_nps_distinct(void **state) {
  TuStore *t = *state;
  size_t rows;
  assert_int_equal(tu_update(t->store, "INSERT DATA { <http://ex/a> <http://ex/x> <http://ex/b> . "
                                       "<http://ex/a> <http://ex/y> <http://ex/b> . "
                                       "<http://ex/b> <http://ex/x> <http://ex/a> }"),
                   TRINE_DONE);
  const char *fwd = "SELECT * { <http://ex/a> !<http://ex/p> ?o }";
  assert_int_equal(run(t->store, fwd, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1);
  const char *both = "SELECT * { ?s !(<http://ex/p>|^<http://ex/q>) <http://ex/b> }";
  assert_int_equal(run(t->store, both, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2); /* a forward, a inverse (b x a) */
  const char *free_ends = "SELECT * { ?s !(<http://ex/p>|<http://ex/q>) ?o }";
  assert_int_equal(run(t->store, free_ends, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_exec_path_scan_and_memo, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_path_probe_nested, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_path_nps_distinct, exec_setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
