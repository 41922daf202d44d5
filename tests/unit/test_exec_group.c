/*
 * test_exec_group.c -- GROUP BY and aggregates, through the public query
 * API (engine/sparql/exec_group.c): the groups are made as the join
 * streams past them, through the BINDs, projections and sub-selects on
 * its way, and must count what a table of the join's rows would.
 */
#include "exec_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* 1000 members in 20 classes of 50 (see exec_load_members()). */
static int members_setup(void **state) {
  if (exec_setup(state)) return -1;
  exec_load_members(((TuStore *)*state)->store, 1000, 20);
  return 0;
}

/* The one value of a one-row, one-column query, as N-Triples. */
static char *value(TrineStore *s, const char *text) {
  char *rows = rows_text(s, text);
  char *nl = strchr(rows, '\n');
  assert_non_null(nl);
  assert_int_equal(nl[1], '\0');
  nl[-1] = '\0'; /* the space after the term */
  return rows;
}

static void check_value(TrineStore *s, const char *text, const char *want) {
  char *got = value(s, text);
  if (strcmp(got, want) != 0) fail_msg("%s: %s, expected %s", text, got, want);
  free(got);
}

#define INT(n) "\"" #n "\"^^<http://www.w3.org/2001/XMLSchema#integer>"

/* Aggregates without GROUP BY over a join of 50,000 rows, streamed: one
 * group. No rows: COUNT 0. */
static void test_exec_group_aggregates_over_join(void **state) {
  TrineStore *s = ((TuStore *)*state)->store;
  const char *join = "{ ?x <http://ex/k> ?c . ?y <http://ex/k> ?c . ?y <http://ex/w> ?w }";
  char q[256];
  snprintf(q, sizeof q, "SELECT (COUNT(*) AS ?n) %s", join);
  check_value(s, q, INT(50000));
  snprintf(q, sizeof q, "SELECT (SUM(?w) AS ?n) %s", join);
  check_value(s, q, INT(100000)); /* each ?y's w (i % 5) 50 times: 50 * 2 * 1000 */
  snprintf(q, sizeof q, "SELECT (COUNT(DISTINCT ?y) AS ?n) %s", join);
  check_value(s, q, INT(1000));
  snprintf(q, sizeof q, "SELECT (MAX(?w) AS ?n) %s", join);
  check_value(s, q, INT(4));
  check_value(s, "SELECT (COUNT(*) AS ?n) { ?x <http://ex/nope> ?y }", INT(0));
  size_t rows;
  assert_int_equal(run(s, "SELECT ?x (COUNT(*) AS ?n) { ?x <http://ex/nope> ?y } GROUP BY ?x",
                       NULL, &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 0);
}

/* GROUP BY with few groups and with many (1000, past the first table of
 * slots): every group counts its rows, in the order groups first came. */
static void test_exec_group_by_streamed(void **state) {
  TrineStore *s = ((TuStore *)*state)->store;
  char *got = rows_text(s, "SELECT ?c (COUNT(*) AS ?n) { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } "
                           "GROUP BY ?c");
  char *order = rows_text(s, "SELECT DISTINCT ?c { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c }");
  Text want;
  text_begin(&want);
  for (char *p = order, *e; *p; p = e + 1) {
    e = strchr(p, '\n');
    fprintf(want.f, "%.*s%s \n", (int)(e - p), p, INT(2500));
  }
  char *expect = text_end(&want);
  assert_string_equal(got, expect);
  free(expect);
  free(order);
  free(got);
  size_t rows;
  const char *many = "SELECT ?x (COUNT(*) AS ?n) { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } "
                     "GROUP BY ?x HAVING (COUNT(*) = 50)";
  assert_int_equal(run(s, many, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1000);
}

/* BINDs, projections and sub-selects between the group and the join
 * apply to each row on its way: a sub-select's unprojected variable is
 * unbound above it. */
static void test_exec_group_through_bind_and_subselect(void **state) {
  TrineStore *s = ((TuStore *)*state)->store;
  check_value(s, "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?x <http://ex/k> ?c BIND(STR(?c) AS ?s) }",
              INT(20));
  check_value(s, "SELECT (COUNT(DISTINCT ?c) AS ?n) { { SELECT ?x { ?x <http://ex/k> ?c } } }",
              INT(0));
  check_value(s, "SELECT (COUNT(*) AS ?n) { { SELECT ?x { ?x <http://ex/k> ?c } } }", INT(1000));
  check_value(s, "SELECT (COUNT(*) AS ?n) { ?x <http://ex/k> ?c FILTER(?c = <http://ex/c3>) }",
              INT(50));
  assert_true(plan_has(s, "SELECT (COUNT(*) AS ?n) { { SELECT ?x { ?x <http://ex/k> ?c } } }",
                       "(join group rows 1000"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_exec_group_aggregates_over_join, members_setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_group_by_streamed, members_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_group_through_bind_and_subselect, members_setup,
                                      tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
