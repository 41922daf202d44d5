/*
 * test_exec_exists.c -- EXISTS and MINUS, through the public query API
 * (engine/sparql/exec_exists.c): EXISTS substituting the row's bindings
 * into its pattern, or evaluated once and matched by hashing; MINUS, and
 * OPTIONAL over a right side evaluated on its own, hashed on the variables
 * both sides bind.
 */
#include "exec_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* EXISTS over a filtered pattern substitutes the row's bindings (SPARQL
 * 1.1 section 18.6), in the pattern and in its filter, and probes from the
 * row; the filter asking keeps its step's LIMIT (3 rows made, not 2999). */
static void test_exec_exists_filter_substitutes(void **state) {
  TuStore *t = *state;
  size_t rows;
  const char *outer = "SELECT ?s { ?s <http://ex/p> ?o "
                      "FILTER EXISTS { ?o <http://ex/q> ?n FILTER(?s = <http://ex/s5>) } }";
  char *got = column_text(t->store, outer, 0);
  assert_string_equal(got, "<http://ex/s5> ");
  free(got);
  const char *count = "SELECT ?s { ?s <http://ex/p> ?o "
                      "FILTER NOT EXISTS { ?o <http://ex/q> ?n FILTER(?n = \"7\") } }";
  assert_int_equal(run(t->store, count, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2999);
  const char *limit = "SELECT ?s { ?s <http://ex/p> ?o "
                      "FILTER EXISTS { ?o <http://ex/q> ?n FILTER(?n != \"0\") } } LIMIT 3";
  got = column_text(t->store, limit, 0);
  assert_string_equal(got, "<http://ex/s1> <http://ex/s2> <http://ex/s3> ");
  free(got);
  assert_true(plan_has(t->store, limit, "(probe gpos ?s <http://ex/p> ?o est 3000 rows 3 ms"));
  /* Patterns that are not joins (UNION, OPTIONAL, sub-queries) are
   * substituted too when an expression inside reads the row. */
  const char *forms[] = {
      "{ ?o <http://ex/q> ?n } UNION { ?o <http://ex/nope> ?n } FILTER(?s = <http://ex/s5>)",
      "?o <http://ex/q> ?n OPTIONAL { ?n <http://ex/q> ?m } FILTER(?s = <http://ex/s5>)",
      "{ SELECT ?o { ?o <http://ex/q> ?n FILTER(?s = <http://ex/s5>) } }",
      "{ ?o <http://ex/q> ?n } UNION { BIND(?s AS ?t) FILTER(?t = <http://ex/s5>) }"};
  const char *want[] = {"<http://ex/s5> ", "<http://ex/s5> ", "<http://ex/s5> ", NULL};
  for (size_t f = 0; f < sizeof forms / sizeof forms[0]; ++f) {
    char q[512];
    snprintf(q, sizeof q, "SELECT ?s { ?s <http://ex/p> ?o FILTER EXISTS { %s } }", forms[f]);
    if (want[f]) {
      got = column_text(t->store, q, 0);
      assert_string_equal(got, want[f]);
      free(got);
    } else { /* the first branch matches every row */
      assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
      assert_int_equal(rows, 3000);
    }
  }
  /* Substituted, the row's variables are constants on both sides of a
   * MINUS, not shared ones: { ?a } MINUS { ?c } removes nothing. */
  const char *minus = "SELECT ?s { VALUES ?s { <http://ex/s1> <http://ex/s2> } ?s <http://ex/p> ?o "
                      "FILTER EXISTS { { ?a <http://ex/p> <http://ex/o5> } "
                      "MINUS { ?c <http://ex/q> \"5\" FILTER(?s = ?s) } } }";
  assert_int_equal(run(t->store, minus, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
}

/* An EXISTS nested in the pattern of another, over a BIND (not a join
 * group, so not probed from the row), still sees the outer row: its
 * variables are substituted (18.6), not free. Found by the differential
 * suite (tests/differential): the pattern was evaluated on its own, ?s
 * unbound in the inner NOT EXISTS, and the rows were lost. */
static void test_exec_exists_nested_sees_row(void **state) {
  TuStore *t = *state;
  size_t rows;
  const char *q = "SELECT ?s { VALUES ?s { <http://ex/s1> <http://ex/s2> } ?s <http://ex/p> ?o "
                  "FILTER EXISTS { <http://ex/o1> <http://ex/q> ?n BIND(1 AS ?b) "
                  "FILTER NOT EXISTS { ?s <http://ex/q> ?m } } }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
  /* Substituted into an OPTIONAL's right side, ?s makes it match
   * nothing, and the left side's row stays: NOT EXISTS is false. Joined
   * with the pattern's own solutions instead (?s bound to the subject of
   * <http://ex/o1>'s p), the row looked absent. */
  const char *opt = "SELECT ?s { VALUES ?s { <http://ex/s1> <http://ex/s2> } ?s <http://ex/p> ?o "
                    "FILTER NOT EXISTS { <http://ex/o1> <http://ex/q> ?n "
                    "OPTIONAL { ?s <http://ex/p> <http://ex/o1> } } }";
  assert_int_equal(run(t->store, opt, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 0);
  /* The same in a filter of a group nested in a join group: ?s is the
   * row's, so the filter holds and NOT EXISTS is false. */
  const char *nested = "SELECT ?s { VALUES ?s { <http://ex/s1> <http://ex/s2> } ?s <http://ex/p> ?o "
                       "FILTER NOT EXISTS { ?o <http://ex/q> ?n "
                       "{ <http://ex/o1> <http://ex/q> ?m FILTER(isIRI(?s)) } } }";
  assert_int_equal(run(t->store, nested, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 0);
}

/* A filter's EXISTS looks at the filter's active graph (SPARQL 1.1, 18.6:
 * exists(P) evaluates P with the current active graph), not at the graph
 * a GRAPH pattern below the filter was last evaluated in: a default-graph
 * pattern after GRAPH <g> { ... } found nothing. */
static void test_exec_exists_active_graph(void **state) {
  TuStore *t = *state;
  tu_update(t->store, "INSERT DATA { <http://ex/a> <http://ex/r> <http://ex/b> . "
                      "GRAPH <http://ex/g> { <http://ex/x> <http://ex/t> <http://ex/b> } }");
  struct {
    const char *q;
    size_t rows;
  } cases[] = {
      {"SELECT ?x { GRAPH <http://ex/g> { ?x <http://ex/t> ?o } "
       "FILTER EXISTS { <http://ex/a> <http://ex/r> ?o } }", 1},
      {"SELECT ?x { GRAPH ?h { ?x <http://ex/t> ?o } FILTER EXISTS { ?s <http://ex/r> ?o } }", 1},
      {"SELECT ?x { GRAPH ?h { ?x <http://ex/t> ?o } FILTER NOT EXISTS { ?s <http://ex/r> ?o } }", 0},
      {"SELECT ?x { <http://ex/a> ?p ?o . GRAPH ?h { ?x <http://ex/t> ?o } "
       "FILTER EXISTS { <http://ex/a> <http://ex/r> ?o } }", 1},
      /* Inside the GRAPH, its graph is the active one. */
      {"SELECT ?x { GRAPH ?h { ?x <http://ex/t> ?o FILTER EXISTS { ?s <http://ex/r> ?o } } }", 0},
      {"SELECT ?x { GRAPH ?h { ?x <http://ex/t> ?o FILTER EXISTS { ?s <http://ex/t> ?o } } }", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    size_t rows;
    assert_int_equal(run(t->store, cases[i].q, NULL, &rows), TRINE_DONE);
    if (rows != cases[i].rows) fail_msg("%s: %zu rows, want %zu", cases[i].q, rows, cases[i].rows);
  }
}

/* MINUS, and OPTIONAL over a right side evaluated on its own, find the
 * rows that remove or extend a row by hashing on the variables both sides
 * bind in every row, or, with none, by trying each row. */
static void test_exec_minus(void **state) {
  TuStore *t = *state;
  size_t rows;
  const char *hashed = "SELECT * { ?s <http://ex/p> ?o MINUS { ?s <http://ex/p> ?o . "
                       "?o <http://ex/q> ?n FILTER(STRLEN(?n) = 1) } }";
  assert_int_equal(run(t->store, hashed, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2990);
  const char *one = "SELECT * { ?s <http://ex/p> ?o MINUS { ?o <http://ex/q> ?n "
                    "FILTER(STRLEN(?n) = 2 && ?n != \"42\") } }";
  assert_int_equal(run(t->store, one, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 3000 - 89);
  const char *partial = "SELECT * { ?s <http://ex/p> ?o MINUS { { ?o <http://ex/q> ?n "
                        "FILTER(STRLEN(?n) = 1) } UNION { ?s <http://ex/p> <http://ex/o99> } } }";
  assert_int_equal(run(t->store, partial, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2989);
  const char *disjoint = "SELECT * { ?s <http://ex/p> ?o MINUS { ?a <http://ex/q> ?b } }";
  assert_int_equal(run(t->store, disjoint, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 3000);
  /* OPTIONAL with a right side evaluated on its own (a UNION) hashes it
   * the same way: every row twice, or once unextended when the filter
   * fails. */
  const char *opt = "SELECT * { ?s <http://ex/p> ?o OPTIONAL { { ?o <http://ex/q> ?n } UNION "
                    "{ ?o <http://ex/q> ?n } } }";
  assert_int_equal(run(t->store, opt, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 6000);
  const char *optf = "SELECT * { ?s <http://ex/p> ?o OPTIONAL { { ?o <http://ex/q> ?n } UNION "
                     "{ ?o <http://ex/q> ?n } FILTER(?n = \"7\") } }";
  assert_int_equal(run(t->store, optf, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 3001);
}

/* EXISTS over a pattern that is not a join of patterns (a UNION) is
 * evaluated once and each row matched against it (by hashing on ?o here);
 * one that draws random numbers is evaluated for every row. */
static void test_exec_exists_evaluated_once(void **state) {
  TuStore *t = *state;
  size_t rows;
  const char *hashed = "SELECT * { ?s <http://ex/p> ?o FILTER NOT EXISTS { "
                       "{ ?o <http://ex/q> ?n FILTER(?n != \"5\") } UNION "
                       "{ ?o <http://ex/q> ?n FILTER(?n != \"5\") } } }";
  char *got = column_text(t->store, hashed, 0);
  assert_string_equal(got, "<http://ex/s5> ");
  free(got);
  const char *mixed = "SELECT * { ?s <http://ex/p> ?o FILTER NOT EXISTS { { ?o <http://ex/q> ?n "
                      "FILTER(STRLEN(?n) = 1) } UNION { ?s <http://ex/p> <http://ex/o99> } } }";
  assert_int_equal(run(t->store, mixed, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2989);
  const char *once = "SELECT * { VALUES ?o { <http://ex/o1> <http://ex/o2> } FILTER EXISTS { "
                     "{ ?o <http://ex/q> ?n } UNION { ?o <http://ex/q> ?n } FILTER(?n != \"\") } }";
  assert_int_equal(run(t->store, once, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
  assert_true(plan_has(t->store, once, "(filter rows 6000 ms"));
  const char *each = "SELECT * { VALUES ?o { <http://ex/o1> <http://ex/o2> } FILTER EXISTS { "
                     "{ ?o <http://ex/q> ?n } UNION { ?o <http://ex/q> ?n } "
                     "FILTER(RAND() >= 0) } }";
  assert_int_equal(run(t->store, each, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
  assert_true(plan_has(t->store, each, "(filter rows 12000 calls 2 ms"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_exec_exists_evaluated_once, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_exists_active_graph, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_minus, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_exists_nested_sees_row, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_exists_filter_substitutes, exec_setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
