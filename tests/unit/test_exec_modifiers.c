/*
 * test_exec_modifiers.c -- ORDER BY, DISTINCT and slicing, through the
 * public query API (engine/sparql/exec_modifiers.c): ORDER BY under a
 * LIMIT keeps only the first offset + limit rows (a heap) and must give
 * exactly the rows of the full sort, ties in the same order; DISTINCT
 * takes the join's rows as they come and stops at a LIMIT.
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

/* 600 members in 20 classes of 30 (see exec_load_members()). */
static int members_setup(void **state) {
  if (exec_setup(state)) return -1;
  exec_load_members(((TuStore *)*state)->store, 600, 20);
  return 0;
}

/* Lines [off, off + lim) of text (malloc'd). */
static char *lines(const char *text, size_t off, size_t lim) {
  const char *p = text;
  for (size_t i = 0; i < off && *p; ++i) p = strchr(p, '\n') + 1;
  const char *e = p;
  for (size_t i = 0; i < lim && *e; ++i) e = strchr(e, '\n') + 1;
  char *s = strndup(p, (size_t)(e - p));
  assert_non_null(s);
  return s;
}

/* body ORDER BY order, with each OFFSET and LIMIT, gives the rows of the
 * full sort at those places. */
static void check_slices(TrineStore *s, const char *body, const char *order) {
  static const size_t offs[] = {0, 7, 590};
  static const size_t lims[] = {1, 10, 300, 5000};
  char query[512];
  snprintf(query, sizeof query, "%s ORDER BY %s", body, order);
  char *full = rows_text(s, query);
  for (size_t o = 0; o < sizeof offs / sizeof *offs; ++o)
    for (size_t l = 0; l < sizeof lims / sizeof *lims; ++l) {
      snprintf(query, sizeof query, "%s ORDER BY %s OFFSET %zu LIMIT %zu", body, order, offs[o],
               lims[l]);
      char *got = rows_text(s, query), *want = lines(full, offs[o], lims[l]);
      if (strcmp(got, want) != 0) fail_msg("%s:\n%s\nexpected\n%s", query, got, want);
      free(got);
      free(want);
    }
  free(full);
}

/* Many ties (20 classes, five values of ?w, seven of ?v), several keys,
 * DESC, expressions, unbound keys (they sort first): each slice equals
 * the full sort's. The join streams into the sort; the OPTIONAL is
 * sorted from its table; both read more than one batch of rows. */
static void test_exec_topk_equals_full_sort(void **state) {
  TuStore *t = *state;
  static const char *const bodies[] = {
      "SELECT ?x ?c ?w { ?x <http://ex/k> ?c . ?x <http://ex/w> ?w }",
      "SELECT ?x ?c ?v { ?x <http://ex/k> ?c OPTIONAL { ?x <http://ex/v> ?v } }",
  };
  static const char *const orders[] = {
      "?c", "DESC(?c)", "?w", "DESC(?w) ?c", "?c DESC(?x)", "?v", "DESC(?v)",
      "?v ?c", "(?w + 1)", "STR(?x)", "?nothing",
  };
  for (size_t b = 0; b < sizeof bodies / sizeof *bodies; ++b)
    for (size_t o = 0; o < sizeof orders / sizeof *orders; ++o)
      check_slices(t->store, bodies[b], orders[o]);
}

/* A join of 18,000 rows makes runs of rows with equal keys, which the
 * heap turns away without comparing values while its root stays: the
 * slices still equal the full sort's. */
static void test_exec_topk_over_join(void **state) {
  TuStore *t = *state;
  static const char *const orders[] = {"?y", "DESC(?x) ?y", "?c DESC(?y)", "?w"};
  for (size_t o = 0; o < sizeof orders / sizeof *orders; ++o)
    check_slices(t->store,
                 "SELECT ?x ?y ?w { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c . ?y <http://ex/w> ?w }",
                 orders[o]);
}

/* Rows whose keys tie keep the order they came in: the first rows of an
 * order on an unbound variable are the group's first rows. */
static void test_exec_topk_ties_keep_input_order(void **state) {
  TuStore *t = *state;
  char *plain = rows_text(t->store, "SELECT ?x ?y { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } "
                                    "LIMIT 40");
  char *sorted = rows_text(t->store, "SELECT ?x ?y { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } "
                                     "ORDER BY ?nothing LIMIT 40");
  assert_string_equal(sorted, plain);
  free(plain);
  free(sorted);
}

/* Unbound and error keys sort before every value. */
static void test_exec_topk_unbound_first(void **state) {
  TuStore *t = *state;
  /* m0, m3, m6: no ?v (i % 3 == 0); in the members' order */
  char *got = rows_text(t->store, "SELECT ?x ?v { ?x <http://ex/k> ?c OPTIONAL { ?x <http://ex/v> ?v } } "
                                  "ORDER BY ?v ?x LIMIT 2");
  assert_string_equal(got, "<http://ex/m0> - \n<http://ex/m102> - \n");
  free(got);
  got = rows_text(t->store, "SELECT ?x { ?x <http://ex/k> ?c } ORDER BY DESC(?c) (1 / 0) ?x LIMIT 1");
  assert_string_equal(got, "<http://ex/m109> \n");
  free(got);
}

/* DISTINCT keeps the first of equal rows as the join makes them: the
 * same rows in the same order as the join's, duplicates left out, and a
 * LIMIT takes the first of those. */
static void test_exec_distinct_streams(void **state) {
  TuStore *t = *state;
  const char *all = "SELECT ?c { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c }";
  char *rows = rows_text(t->store, all);
  /* the join's rows with the repeats dropped, in their order */
  Text want;
  text_begin(&want);
  size_t n = 0;
  for (char *p = rows, *e; *p; p = e + 1) {
    e = strchr(p, '\n');
    size_t len = (size_t)(e - p + 1);
    bool seen = false;
    for (char *q = rows; q < p && !seen; q = strchr(q, '\n') + 1)
      seen = strncmp(q, p, len) == 0;
    if (!seen) {
      fwrite(p, 1, len, want.f);
      ++n;
    }
  }
  char *expect = text_end(&want);
  assert_int_equal(n, 20);
  char *got = rows_text(t->store, "SELECT DISTINCT ?c { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c }");
  assert_string_equal(got, expect);
  free(got);
  got = rows_text(t->store, "SELECT REDUCED ?c { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c }");
  assert_string_equal(got, expect);
  free(got);
  got = rows_text(t->store, "SELECT DISTINCT ?c { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } "
                            "OFFSET 3 LIMIT 5");
  char *slice = lines(expect, 3, 5);
  assert_string_equal(got, slice);
  free(slice);
  free(got);
  free(expect);
  free(rows);
}

/* 600 distinct rows, each met again far from where it was first: the
 * set grows with rows in it. The same rows in the same order as GROUP BY
 * gives (its groups in the order they first came). */
static void test_exec_distinct_many(void **state) {
  TuStore *t = *state;
  char *got = rows_text(t->store, "SELECT DISTINCT ?y { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c }");
  char *want = rows_text(t->store, "SELECT ?y { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } "
                                   "GROUP BY ?y");
  assert_string_equal(got, want);
  size_t n = 0;
  for (const char *p = got; (p = strchr(p, '\n')); ++p) ++n;
  assert_int_equal(n, 600);
  free(got);
  free(want);
}

/* 18,000 rows, nearly all distinct: the first batch has no repeats, so
 * the rest comes as one table, and its 30 repeats (made by the BIND,
 * none next to its equal) are dropped from it. */
static void test_exec_distinct_few_repeats(void **state) {
  TuStore *t = *state;
  const char *body = "{ ?x <http://ex/k> ?c . ?y <http://ex/k> ?c "
                     "BIND(IF(?y = <http://ex/m40>, <http://ex/m0>, ?y) AS ?z) }";
  char q[512];
  snprintf(q, sizeof q, "SELECT DISTINCT ?x ?z %s", body);
  char *got = rows_text(t->store, q);
  snprintf(q, sizeof q, "SELECT ?x ?z %s GROUP BY ?x ?z", body);
  char *want = rows_text(t->store, q);
  assert_string_equal(got, want);
  size_t n = 0;
  for (const char *p = got; (p = strchr(p, '\n')); ++p) ++n;
  assert_int_equal(n, 18000 - 30);
  free(got);
  free(want);
}

/* DISTINCT under a LIMIT stops the join once it has the rows: of the
 * 18,000 rows of the join, the last step makes few. */
static void test_exec_distinct_limit_stops_join(void **state) {
  TuStore *t = *state;
  const char *q = "SELECT DISTINCT ?c { ?x <http://ex/k> ?c . ?y <http://ex/k> ?c } LIMIT 2";
  size_t rows;
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
  char *plan = plan_text(t->store, q);
  const char *g = strstr(plan, "(join group rows ");
  assert_non_null(g);
  unsigned long made = strtoul(g + strlen("(join group rows "), NULL, 10);
  if (made > 1024) fail_msg("the join made %lu rows:\n%s", made, plan);
  free(plan);
}

/* A LIMIT over HAVING (a FILTER over a GROUP) must not stop the join
 * group under the GROUP: every group is counted whole, then filtered,
 * then cut. Found by the differential suite (tests/differential), where
 * the join stopped after 5 rows and HAVING kept fewer groups. */
static void test_exec_having_limit_counts_whole_groups(void **state) {
  TuStore *t = *state;
  const char *q = "SELECT ?c (COUNT(*) AS ?n) { ?x <http://ex/k> ?c } GROUP BY ?c "
                  "HAVING(COUNT(*) > 1) LIMIT 5";
  char *n = column_text(t->store, q, 1);
  const char *thirty = "\"30\"^^<http://www.w3.org/2001/XMLSchema#integer> ";
  char want[5 * 64] = "";
  for (int i = 0; i < 5; ++i) strcat(want, thirty);
  assert_string_equal(n, want);
  free(n);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_exec_topk_equals_full_sort, members_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_topk_over_join, members_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_topk_ties_keep_input_order, members_setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_topk_unbound_first, members_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_distinct_streams, members_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_distinct_many, members_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_distinct_few_repeats, members_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_distinct_limit_stops_join, members_setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_having_limit_counts_whole_groups, members_setup,
                                      tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
