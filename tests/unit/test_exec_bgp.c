/*
 * test_exec_bgp.c -- basic graph patterns and their joins, through the
 * public query API (engine/sparql/exec_bgp.c and exec_pattern.c): the plan
 * chosen (probes or scans by the order of the rows, merge and hash joins,
 * a closing pattern probing the index its rows ascend in, a skewed class
 * counted, subject stars; the plans of a chain, a star and a triangle
 * pinned) and the rows each makes, and VALUES tables on
 * variables the patterns bind.
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

/* A VALUES table whose variables the patterns bind keeps the matching
 * rows, once per equal table row (duplicates count, as in a join); one
 * with UNDEF still joins. */
/* A group's filters apply to the whole group (SPARQL 1.1, 18.2.2.6): a
 * VALUES variable that is UNDEF in some row is not bound by the table,
 * so a filter reading it waits for the pattern that binds it. Each form
 * returned no rows when the table was counted as binding ?x. */
static void test_exec_values_undef_filter_waits(void **state) {
  TuStore *t = *state;
  size_t rows;
  static const char *const queries[] = {
      "SELECT * { ?x <http://ex/p> ?y . FILTER(isIRI(?x)) VALUES ?x { UNDEF } }",
      "SELECT * { ?x <http://ex/p> ?y . FILTER(isIRI(?x)) VALUES (?x ?z) { (UNDEF <http://ex/s3>) } }",
      "SELECT * { ?x <http://ex/p> ?y . FILTER(isIRI(?x)) { VALUES ?x { UNDEF } } }",
      "SELECT * { ?x <http://ex/p>/<http://ex/q> ?y . FILTER(isIRI(?x)) VALUES ?x { UNDEF } }",
      "SELECT * { ?x <http://ex/p> ?y . FILTER(isIRI(?x)) VALUES ?x { UNDEF <http://ex/s3> } }",
  };
  static const size_t expect[] = {3000, 3000, 3000, 3000, 3001};
  for (size_t i = 0; i < sizeof queries / sizeof *queries; ++i) {
    assert_int_equal(run(t->store, queries[i], NULL, &rows), TRINE_DONE);
    if (rows != expect[i]) fail_msg("%s: %zu rows, expected %zu", queries[i], rows, expect[i]);
  }
}

static void test_exec_values_on_bound_variables(void **state) {
  TuStore *t = *state;
  size_t rows;
  const char *q1 = "SELECT * { ?s <http://ex/p> ?o . ?o <http://ex/q> ?n "
                   "VALUES ?n { \"7\" \"9\" \"7\" \"nope\" } }";
  assert_int_equal(run(t->store, q1, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 3);
  const char *q4 = "SELECT * { <http://ex/s7> <http://ex/p> ?o "
                   "VALUES ?o { <http://ex/o7> <http://ex/o8> <http://ex/o7> } }";
  assert_int_equal(run(t->store, q4, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
  assert_true(plan_has(t->store, q4, "(match values (3 rows)"));
  const char *q2 = "SELECT * { ?s <http://ex/p> ?o . ?o <http://ex/q> ?n "
                   "VALUES (?n ?s) { (\"7\" <http://ex/s7>) (\"8\" <http://ex/s7>) "
                   "(\"9\" UNDEF) } }";
  assert_int_equal(run(t->store, q2, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 2);
  assert_true(plan_has(t->store, q2, "(join values (3 rows)"));
  const char *q3 = "SELECT * { ?s <http://ex/p> ?o . ?o <http://ex/q> ?n "
                   "FILTER(?n != \"9\") VALUES ?n { \"7\" \"9\" } }";
  assert_int_equal(run(t->store, q3, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1);
  /* Distinct table rows keep the matching rows in place: 8 of 12, every
   * third one dropped, with the group's last filter and under LIMIT. The
   * 3000 nodes of each kind make the table cost more than the patterns. */
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 3000; ++i)
    fprintf(d.f, "<http://ex/o%zu> <http://ex/kind> <http://ex/k%zu> .\n", i, i % 3);
  for (size_t i = 0; i < 12; ++i)
    fprintf(d.f, "<http://ex/hub> <http://ex/link> <http://ex/o%zu> .\n", i);
  text_load(t->store, "kinds", &d);
  const char *q5 = "SELECT * { <http://ex/hub> <http://ex/link> ?n . ?n <http://ex/kind> ?k "
                   "VALUES ?k { <http://ex/k0> <http://ex/k2> } }";
  assert_int_equal(run(t->store, q5, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 8);
  char *kept = column_text(t->store, q5, 0);
  assert_string_equal(kept, "<http://ex/o0> <http://ex/o2> <http://ex/o3> <http://ex/o5> "
                            "<http://ex/o6> <http://ex/o8> <http://ex/o9> <http://ex/o11> ");
  free(kept);
  assert_true(plan_has(t->store, q5, "(match values (2 rows) est 12 rows 8 ms"));
  const char *q6 = "SELECT * { <http://ex/hub> <http://ex/link> ?n . ?n <http://ex/kind> ?k "
                   "FILTER(BOUND(?n) && ?n != <http://ex/o2>) "
                   "VALUES ?k { <http://ex/k0> <http://ex/k2> } }";
  assert_int_equal(run(t->store, q6, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 7);
  const char *q7 = "SELECT * { <http://ex/hub> <http://ex/link> ?n . ?n <http://ex/kind> ?k "
                   "VALUES ?k { <http://ex/k0> <http://ex/k2> } } LIMIT 5";
  assert_int_equal(run(t->store, q7, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 5);
  /* A table of more than 8 rows is hashed; its duplicate still counts. */
  const char *q8 = "SELECT * { <http://ex/hub> <http://ex/link> ?n . ?n <http://ex/kind> ?k "
                   "VALUES ?k { <http://ex/k0> <http://ex/k2> <http://ex/x1> <http://ex/x2> "
                   "<http://ex/x3> <http://ex/x4> <http://ex/x5> <http://ex/x6> <http://ex/x7> "
                   "<http://ex/x8> <http://ex/k0> } }";
  assert_int_equal(run(t->store, q8, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 12);
  assert_true(plan_has(t->store, q8, "(match values (11 rows)"));
}

/* A triangle's third edge joins on two variables: a merge join on one
 * that checks the other first. Half of the 3000 edges close it. */
static void test_exec_merge_join_two_keys(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 3000; ++i)
    fprintf(d.f, "<http://ex/s%zu> <http://ex/r> \"%zu\" .\n", i, i % 2 ? (i + 1) % 3000 : i);
  text_load(t->store, "r", &d);
  const char *q = "SELECT * { ?s <http://ex/p> ?o . ?o <http://ex/q> ?n . ?s <http://ex/r> ?n }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1500);
  assert_true(plan_has(t->store, q, "(scan+merge join gpos ?s <http://ex/r> ?n est 2 rows 1500"));
}

/* A pattern bound in all three positions by rows ascending on ?u probes
 * the index led by its constants (GPOS: likes, P0, ?u), so its probes
 * stay in the run of the 5000 users who like P0 however far apart the
 * 400 users' ids lie, not GSPO, where each lands among a user's own
 * records (WatDiv L2-1 at SF100: 2.5 times fewer instructions). */
static void test_exec_probe_stays_in_constants_run(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 20000; ++i) {
    fprintf(d.f, "<http://ex/u%zu> <http://ex/nat> <http://ex/C%zu> .\n", i, i % 50);
    if (i % 4 == 0) fprintf(d.f, "<http://ex/u%zu> <http://ex/likes> <http://ex/P0> .\n", i);
  }
  text_load(t->store, "users", &d);
  const char *q = "SELECT * { ?u <http://ex/nat> <http://ex/C10> . ?u <http://ex/likes> <http://ex/P0> }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 200); /* i = 10 mod 50 and 0 mod 4: every 100th from 10 */
  assert_true(plan_has(t->store, q, "(probe gpos ?u <http://ex/likes> <http://ex/P0> est"));
}

/* The statistics take a predicate's objects to be alike: 3301 quads of
 * <a> over 301 classes estimate 11 members per class. The class's own
 * members are counted instead: the estimate of the probe from 500 rows is
 * 500 x 3000 / 3301 (it was 2, for 500 rows made), and 3000 members make
 * probing 500 rows cheaper, 1 member a scan. */
static void test_exec_skewed_class_counted(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 3000; ++i)
    fprintf(d.f, "<http://ex/x%zu> <http://ex/a> <http://ex/Big> .\n"
                 "<http://ex/x%zu> <http://ex/b> \"%zu\" .\n", i, i, i);
  for (size_t j = 0; j < 300; ++j)
    fprintf(d.f, "<http://ex/y%zu> <http://ex/a> <http://ex/Small%zu> .\n", j, j);
  fprintf(d.f, "<http://ex/x7> <http://ex/a> <http://ex/Small5> .\n");
  text_load(t->store, "classes", &d);
  const char *big = "SELECT * { { SELECT ?x { ?x <http://ex/b> ?v } LIMIT 500 } "
                    "?x <http://ex/a> <http://ex/Big> }";
  assert_int_equal(run(t->store, big, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 500);
  assert_true(
      plan_has(t->store, big, "(probe gpos ?x <http://ex/a> <http://ex/Big> est 455 rows 500"));
  const char *small = "SELECT * { { SELECT ?x { ?x <http://ex/b> ?v } LIMIT 500 } "
                      "?x <http://ex/a> <http://ex/Small5> }";
  assert_int_equal(run(t->store, small, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1);
  assert_true(
      plan_has(t->store, small, "(scan+merge join gpos ?x <http://ex/a> <http://ex/Small5>"));
  /* .explain's access paths show the planner's counts, not the predicate's
   * average (3301 quads over 302 objects: 11 for either class). */
  const char *both = "SELECT * { ?x <http://ex/a> <http://ex/Big> . ?x <http://ex/a> <http://ex/Small5> }";
  char *paths = explain_text(t->store, both, false);
  assert_non_null(strstr(paths, "(scan GPOS prefix 3 rows ~3000 ?x <http://ex/a> <http://ex/Big>)"));
  assert_non_null(strstr(paths, "(scan GPOS prefix 3 rows ~2 ?x <http://ex/a> <http://ex/Small5>)"));
  free(paths);
}

/* A pattern bound in all three positions may probe any index: rows that
 * ascend on ?n (and jump on ?t) probe the one led by ?n. 3000 rows, 9000
 * quads to read otherwise. */
static void test_exec_closing_pattern_probes_in_order(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 3000; ++i)
    fprintf(d.f, "<http://ex/t%zu> <http://ex/r2> \"%zu\" .\n"
                 "<http://ex/t%zu> <http://ex/r3> \"%zu\" .\n"
                 "<http://ex/t%zu> <http://ex/r3> \"x%zu\" .\n"
                 "<http://ex/t%zu> <http://ex/r3> \"y%zu\" .\n",
            i, 7 * i % 3000, i, 7 * i % 3000, i, i, i, i);
  text_load(t->store, "cycle", &d);
  const char *q = "SELECT * { ?t <http://ex/r2> ?n . ?t <http://ex/r3> ?n }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 3000);
  assert_true(plan_has(t->store, q, "(probe gpos ?t <http://ex/r3> ?n est 1 rows 3000"));
}

/* Scans joined by hashing the rows on the variables every row binds: a
 * row that also binds the other end only joins a match equal there. 600
 * rows in a jumping order, per ?o: ?s unbound (1 match), the right ?s
 * (1), a wrong ?s (0). */
static void test_exec_scan_hash_join_partial(void **state) {
  TuStore *t = *state;
  size_t rows;
  size_t perm[200];
  for (size_t k = 0; k < 200; ++k) perm[k] = k;
  uint32_t seed = 12345; /* a fixed shuffle */
  for (size_t k = 199; k > 0; --k) {
    seed = seed * 1103515245u + 12345u;
    size_t j = (seed >> 8) % (k + 1), tmp = perm[k];
    perm[k] = perm[j];
    perm[j] = tmp;
  }
  const char *forms[2] = {"?s (<http://ex/p>|<http://ex/nope>) ?o", "?s <http://ex/p> ?o"};
  const char *plans[2] = {"(scan+hash join path", "(scan+hash join gpos ?s <http://ex/p> ?o"};
  for (int f = 0; f < 2; ++f) {
    Text q;
    text_begin(&q);
    fprintf(q.f, "SELECT * { VALUES (?o ?s) {");
    for (size_t k = 0; k < 200; ++k) {
      size_t i = perm[k];
      fprintf(q.f, " (<http://ex/o%zu> UNDEF) (<http://ex/o%zu> <http://ex/s%zu>)"
                   " (<http://ex/o%zu> <http://ex/s%zu>)", i, i, i, i, i + 1);
    }
    fprintf(q.f, " } %s }", forms[f]);
    char *text = text_end(&q);
    assert_int_equal(run(t->store, text, NULL, &rows), TRINE_DONE);
    assert_int_equal(rows, 400);
    assert_true(plan_has(t->store, text, plans[f]));
    free(text);
  }
}

/* Patterns on one bound subject with constant predicates join in one
 * step (a star): each row probes them in a row of the subject's records
 * and is made once per combination of their matches. Of 600 <o_i>, those
 * with i % 5 == 0 lack <r1>; even ones have two <r2>. A row already
 * binding a star's object keeps only the match equal to it. */
static void test_exec_star(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 600; ++i) {
    if (i % 5) fprintf(d.f, "<http://ex/o%zu> <http://ex/r1> \"a%zu\" .\n", i, i);
    fprintf(d.f, "<http://ex/o%zu> <http://ex/r2> \"b%zu\" .\n", i, i);
    if (i % 2 == 0) fprintf(d.f, "<http://ex/o%zu> <http://ex/r2> \"c%zu\" .\n", i, i);
  }
  text_load(t->store, "star", &d);
  const char *q = "SELECT * { ?s <http://ex/p> ?o . ?o <http://ex/q> ?n . ?o <http://ex/r1> ?a . "
                  "?o <http://ex/r2> ?b }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 720);
  assert_true(plan_has(t->store, q, "(star gspo ?o <http://ex/q> ?n <http://ex/r2> ?b est 720 "
                                    "rows 720"));
  const char *filtered = "SELECT * { ?o <http://ex/r1> ?a . ?o <http://ex/q> ?n . "
                         "?o <http://ex/r2> ?b FILTER(STRSTARTS(?b, \"c\")) }";
  assert_int_equal(run(t->store, filtered, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 240);
  const char *limit = "SELECT * { ?o <http://ex/r1> ?a . ?o <http://ex/q> ?n . "
                      "?o <http://ex/r2> ?b } LIMIT 5";
  assert_int_equal(run(t->store, limit, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 5);
  const char *partial = "SELECT ?n ?b { VALUES (?o ?b) { (<http://ex/o2> \"b2\") "
                        "(<http://ex/o2> \"nope\") (<http://ex/o4> UNDEF) } "
                        "?o <http://ex/q> ?n . ?o <http://ex/r2> ?b }";
  char *got = column_text(t->store, partial, 1);
  assert_string_equal(got, "\"b2\" \"b4\" \"c4\" ");
  free(got);
  assert_true(plan_has(t->store, partial, "(star gspo ?o <http://ex/q> ?n <http://ex/r2> ?b"));
  /* No match at all in a batch (clang's UBSan once flagged NULL + 0). */
  const char *none = "SELECT * { VALUES ?o { <http://ex/s1> } ?o <http://ex/q> ?n . "
                     "?o <http://ex/r2> ?b }";
  assert_int_equal(run(t->store, none, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 0);
  assert_true(plan_has(t->store, none, "(star gspo ?o <http://ex/q> ?n <http://ex/r2> ?b"));
  /* One predicate twice: each pattern gets every match (o2 has two r2,
   * o3 one: 4 + 1 rows). */
  const char *twice = "SELECT * { VALUES ?o { <http://ex/o2> <http://ex/o3> } "
                      "?o <http://ex/q> ?n . ?o <http://ex/r2> ?b . ?o <http://ex/r2> ?c }";
  assert_int_equal(run(t->store, twice, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 5);
  assert_true(plan_has(t->store, twice, "<http://ex/r2> ?b <http://ex/r2> ?c est"));
  /* A VALUES table the star completes is matched as its rows are made. */
  const char *values = "SELECT ?b { VALUES ?o { <http://ex/o2> <http://ex/o3> <http://ex/o4> "
                       "<http://ex/o7> } ?o <http://ex/q> ?n . ?o <http://ex/r2> ?b "
                       "VALUES ?b { \"b2\" \"c4\" \"b7\" \"zz\" } }";
  got = column_text(t->store, values, 0);
  assert_string_equal(got, "\"b2\" \"c4\" \"b7\" ");
  free(got);
  assert_true(plan_has(t->store, values, "?b matching values (4 rows) est"));
}

/* A chain with a selective constant whose predicate's average hides it
 * (WatDiv's ?v likes Product0: estimated 5, 538 rows): 300 products liked
 * once each and <P0> liked 400 times average 2.3 likes per product. The
 * constant's own count is the estimate, so the chain starts from the
 * genuinely small end (the one <rare> tag) instead of crossing <P0>'s
 * likers with the tags. */
static void test_exec_chain_selective_constant(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 300; ++i)
    fprintf(d.f, "<http://ex/u%zu> <http://ex/likes> <http://ex/P%zu> .\n", i + 1000, i + 1);
  for (size_t i = 0; i < 400; ++i) {
    fprintf(d.f, "<http://ex/u%zu> <http://ex/likes> <http://ex/P0> .\n", i);
    fprintf(d.f, "<http://ex/u%zu> <http://ex/friend> <http://ex/u%zu> .\n", i, (i * 7) % 400);
  }
  fprintf(d.f, "<http://ex/u3> <http://ex/tag> <http://ex/rare> .\n");
  for (size_t i = 0; i < 50; ++i) fprintf(d.f, "<http://ex/v%zu> <http://ex/tag> <http://ex/common> .\n", i);
  text_load(t->store, "chain", &d);
  const char *q = "SELECT * { ?a <http://ex/likes> <http://ex/P0> . ?a <http://ex/friend> ?b . "
                  "?b <http://ex/tag> <http://ex/rare> }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1);
  /* Estimated as counted: 400 likes of <P0> (the average said 2), and the
   * plan starts from the one <rare> tag. */
  char *plan = plan_text(t->store, q);
  const char *run_part = strstr(plan, "(plan");
  const char *first = run_part ? strstr(run_part, "<http://ex/rare>") : NULL;
  const char *likes = run_part ? strstr(run_part, "<http://ex/P0>") : NULL;
  if (!first || !likes || first > likes) fail_msg("plan does not start from the rare tag:\n%s", plan);
  free(plan);
  const char *alone = "SELECT * { ?a <http://ex/likes> <http://ex/P0> }";
  assert_true(plan_has(t->store, alone, "<http://ex/likes> <http://ex/P0> est 400 rows 400"));
}

/* A star with two selective constants whose predicates' averages point
 * the wrong way: <P0> is liked 400 times where likes average 2.3 per
 * product, and <Crare> has 20 members where countries average 93. The
 * counted constants start the star from <Crare> (by the averages it would
 * start from <P0> and read 400 rows), check <P0> for each of its 20
 * members (probes in order in the run of <P0>'s 400 likers, GPOS: cheaper
 * than reading them to intersect, and than descending among all the
 * subjects), and the two value arms join in one star step. */
static void test_exec_star_selective_constants(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 300; ++i)
    fprintf(d.f, "<http://ex/u%zu> <http://ex/likes> <http://ex/P%zu> .\n", i + 1000, i + 1);
  for (size_t i = 0; i < 1000; ++i)
    fprintf(d.f, "<http://ex/v%zu> <http://ex/country> <http://ex/C%zu> .\n", i, i % 10);
  for (size_t i = 0; i < 400; ++i) {
    fprintf(d.f, "<http://ex/u%zu> <http://ex/likes> <http://ex/P0> .\n"
                 "<http://ex/u%zu> <http://ex/name> \"n%03zu\" .\n"
                 "<http://ex/u%zu> <http://ex/age> \"%zu\" .\n", i, i, i, i, i % 90);
    if (i % 20 == 0) fprintf(d.f, "<http://ex/u%zu> <http://ex/country> <http://ex/Crare> .\n", i);
  }
  text_load(t->store, "star", &d);
  const char *q = "SELECT ?n { ?x <http://ex/likes> <http://ex/P0> . "
                  "?x <http://ex/country> <http://ex/Crare> . ?x <http://ex/name> ?n . "
                  "?x <http://ex/age> ?a } ORDER BY ?n";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 20);
  char *got = column_text(t->store, q, 0);
  assert_true(strncmp(got, "\"n000\" \"n020\" \"n040\" ", 21) == 0);
  assert_non_null(strstr(got, " \"n380\" "));
  free(got);
  char *plan = plan_text(t->store, q);
  static const char *const steps[] = {
      "(probe gpos ?x <http://ex/country> <http://ex/Crare> est 20 rows 20",
      "(probe gpos ?x <http://ex/likes> <http://ex/P0> est 11 rows 20",
      "(star gspo ?x <http://ex/name> ?n <http://ex/age> ?a est 20 rows 20"};
  const char *at = strstr(plan, "(plan");
  for (size_t i = 0; i < 3 && at; ++i) at = strstr(at, steps[i]);
  if (!at) fail_msg("not the star's plan:\n%s", plan);
  free(plan);
}

/* A triangle (?a r1 ?b, ?b r2 ?c, ?c blocks ?a) whose edges fan out
 * unlike: r1 gives 10 objects per subject, r2 one subject per object. The
 * plan starts from the smallest edge (30 blocks), extends through the
 * edge whose fan-out from the bound end is 1 (r2 from ?c: 30 rows, where
 * r1 from ?a would make 300) and closes the cycle with r1 bound at both
 * ends, one probe per row in r1's run (GPOS: the rows ascend on ?b, the
 * variable after its constant). Listed first, r1 would win a tie: the
 * estimates per direction decide. */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_exec_triangle(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  char *want[30];
  for (size_t a = 0; a < 300; ++a) {
    for (size_t k = 0; k < 10; ++k)
      fprintf(d.f, "<http://ex/u%zu> <http://ex/r1> <http://ex/w%zu> .\n", a, 10 * a + k);
    fprintf(d.f, "<http://ex/w%zu> <http://ex/r2> <http://ex/u%zu> .\n", 10 * a, (a + 2) % 300);
    if (a % 10) continue;
    fprintf(d.f, "<http://ex/u%zu> <http://ex/blocks> <http://ex/u%zu> .\n", (a + 2) % 300, a);
    want[a / 10] = malloc(32);
    assert_non_null(want[a / 10]);
    snprintf(want[a / 10], 32, "u%zu", a); /* IRIs order as these strings */
  }
  text_load(t->store, "triangle", &d);
  const char *q = "SELECT ?a { ?a <http://ex/r1> ?b . ?b <http://ex/r2> ?c . "
                  "?c <http://ex/blocks> ?a } ORDER BY ?a";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 30);
  qsort(want, 30, sizeof *want, cmp_str);
  char *got = column_text(t->store, q, 0);
  const char *at = got;
  for (size_t i = 0; i < 30; ++i) {
    char term[40];
    snprintf(term, sizeof term, "<http://ex/%s> ", want[i]);
    if (strncmp(at, term, strlen(term)) != 0) fail_msg("row %zu: %s", i, at);
    at += strlen(term);
    free(want[i]);
  }
  free(got);
  char *plan = plan_text(t->store, q);
  static const char *const steps[] = {"(probe gpos ?c <http://ex/blocks> ?a est 30 rows 30",
                                      "(probe gpos ?b <http://ex/r2> ?c est 30 rows 30",
                                      "(probe gpos ?a <http://ex/r1> ?b est 0 rows 30"};
  at = strstr(plan, "(plan");
  for (size_t i = 0; i < 3 && at; ++i) at = strstr(at, steps[i]);
  if (!at) fail_msg("not the triangle's plan:\n%s", plan);
  free(plan);
}

/* A cycle closed by intersecting (LUBM q2's shape): 50 departments, each
 * in one of 10 universities; 1000 people, each a member of a department
 * and holding a degree from a university. Per (department, university)
 * row, the members (the path: <member> or the inverse of <has>) and the
 * graduates are read as sorted lists and intersected: person i matches
 * when 7i and i agree mod 10 (200 people), twice when also listed by
 * <has> (every 50th: a path's alternatives are a multiset), 220 rows. */
static void test_exec_intersect_closes_cycle(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t u = 0; u < 10; ++u)
    for (size_t k = 0; k < 5; ++k)
      fprintf(d.f, "<http://ex/z%zu_%zu> <http://ex/a> <http://ex/Dept> .\n"
                   "<http://ex/z%zu_%zu> <http://ex/sub> <http://ex/y%zu> .\n", u, k, u, k, u);
  for (size_t i = 0; i < 1000; ++i) {
    fprintf(d.f, "<http://ex/x%zu> <http://ex/member> <http://ex/z%zu_%zu> .\n"
                 "<http://ex/x%zu> <http://ex/deg> <http://ex/y%zu> .\n",
            i, i % 10, i / 10 % 5, i, i * 7 % 10);
    if (i % 50 == 0)
      fprintf(d.f, "<http://ex/z%zu_%zu> <http://ex/has> <http://ex/x%zu> .\n", i % 10, i / 10 % 5, i);
  }
  text_load(t->store, "cycle", &d);
  const char *q = "SELECT * { ?z <http://ex/a> <http://ex/Dept> . ?z <http://ex/sub> ?y . "
                  "?x <http://ex/deg> ?y . ?x (<http://ex/member>|^<http://ex/has>) ?z }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 220);
  assert_true(plan_has(t->store, q, "(intersect ?x path ( ?x <http://ex/deg> ?y) est"));
  assert_true(plan_has(t->store, q, "?y) est 200 rows 220"));
  const char *distinct = "SELECT DISTINCT ?x { ?z <http://ex/a> <http://ex/Dept> . "
                         "?z <http://ex/sub> ?y . ?x <http://ex/deg> ?y . "
                         "?x (<http://ex/member>|^<http://ex/has>) ?z } ORDER BY ?x LIMIT 3";
  char *got = column_text(t->store, distinct, 0);
  assert_string_equal(got, "<http://ex/x0> <http://ex/x10> <http://ex/x100> ");
  free(got);
  const char *limit = "SELECT * { ?z <http://ex/a> <http://ex/Dept> . ?z <http://ex/sub> ?y . "
                      "?x <http://ex/deg> ?y . ?x <http://ex/member> ?z } LIMIT 7";
  assert_int_equal(run(t->store, limit, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 7);
  /* A filter on the new variable runs on the intersection's rows. */
  const char *filtered = "SELECT * { ?z <http://ex/a> <http://ex/Dept> . ?z <http://ex/sub> ?y . "
                         "?x <http://ex/deg> ?y . ?x (<http://ex/member>|^<http://ex/has>) ?z "
                         "FILTER(?x != <http://ex/x0>) }";
  assert_int_equal(run(t->store, filtered, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 218);
  assert_true(plan_has(t->store, filtered, "(intersect ?x path ( ?x <http://ex/deg> ?y)"));
  /* Plain patterns: the checks of <deg> would probe in order, 20 members
   * a row, cheaper than reading 100 graduates a row. */
  const char *plain = "SELECT * { ?z <http://ex/a> <http://ex/Dept> . ?z <http://ex/sub> ?y . "
                      "?x <http://ex/deg> ?y . ?x <http://ex/member> ?z }";
  assert_int_equal(run(t->store, plain, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 200);
  assert_false(plan_has(t->store, plain, "(intersect"));
}

/* Probes in ascending order stay on a page; in random order each descends
 * the B-tree, so 500 of them cost more than reading the 3000 records. */
static void test_exec_probe_order_decides_plan(void **state) {
  TuStore *t = *state;
  size_t rows;
  const char *in_order = "SELECT * { { SELECT ?o { ?s <http://ex/p> ?o } LIMIT 500 } "
                         "?o <http://ex/q> ?n }";
  assert_int_equal(run(t->store, in_order, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 500);
  assert_true(plan_has(t->store, in_order, "(probe gspo ?o <http://ex/q> ?n"));
  const char *jumping = "SELECT * { { SELECT ?o { ?s <http://ex/p> ?o } ORDER BY RAND() "
                        "LIMIT 500 } ?o <http://ex/q> ?n }";
  assert_int_equal(run(t->store, jumping, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 500);
  assert_true(plan_has(t->store, jumping, "(scan+hash join gpos ?o <http://ex/q> ?n"));
}

/* Few rows are costed like many: 40 rows in random order would descend
 * the B-tree 40 times, where the 300 records of <tag> read once cost
 * less; two rows probe. */
static void test_exec_few_rows_scan_small_pattern(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 3000; i += 10) fprintf(d.f, "<http://ex/o%zu> <http://ex/tag> \"t\" .\n", i);
  text_load(t->store, "tags", &d);
  const char *few = "SELECT * { { SELECT ?o { ?s <http://ex/p> ?o } ORDER BY RAND() LIMIT 40 } "
                    "?o <http://ex/tag> ?t }";
  assert_int_equal(run(t->store, few, NULL, &rows), TRINE_DONE);
  assert_true(rows <= 40);
  assert_true(plan_has(t->store, few, "(scan+hash join gpos ?o <http://ex/tag> ?t est 40"));
  const char *two = "SELECT * { { SELECT ?o { ?s <http://ex/p> ?o } ORDER BY RAND() LIMIT 2 } "
                    "?o <http://ex/tag> ?t }";
  assert_int_equal(run(t->store, two, NULL, &rows), TRINE_DONE);
  assert_true(plan_has(t->store, two, "(probe gspo ?o <http://ex/tag> ?t est 2"));
}

/* A scan joined through a hash reads each record in place and skips
 * those whose key the hash's filter lacks; over two default graphs a
 * triple in both counts once (the RDF merge), and two key variables
 * join on both. The counts are those of the data, whatever the plan. */
static void test_exec_scan_hash_join_merge_and_keys(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 400; ++i) {
    fprintf(d.f, "<http://ex/a%zu> <http://ex/r> <http://ex/o%zu> <http://ex/g1> .\n", i, i);
    if (i % 2 == 0) fprintf(d.f, "<http://ex/o%zu> <http://ex/tag> \"t\" <http://ex/g1> .\n", i);
    if (i % 4 == 0) fprintf(d.f, "<http://ex/o%zu> <http://ex/tag> \"t\" <http://ex/g2> .\n", i);
    if (i % 3 == 0) fprintf(d.f, "<http://ex/o%zu> <http://ex/tag> \"u\" <http://ex/g2> .\n", i);
    if (i % 5 == 0) /* a's own edge back: both ends agree for these */
      fprintf(d.f, "<http://ex/o%zu> <http://ex/back> <http://ex/a%zu> <http://ex/g1> .\n", i, i);
    fprintf(d.f, "<http://ex/o%zu> <http://ex/back> <http://ex/a%zu> <http://ex/g1> .\n", i,
            (i + 1) % 400);
  }
  text_load(t->store, "graphs", &d);
  /* 200 "t" (100 of them in both graphs) and 134 "u" */
  const char *merged = "SELECT * FROM <http://ex/g1> FROM <http://ex/g2> { { SELECT ?o "
                       "{ ?s <http://ex/r> ?o } ORDER BY RAND() LIMIT 400 } ?o <http://ex/tag> ?t }";
  assert_int_equal(run(t->store, merged, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 334);
  assert_true(plan_has(t->store, merged, "(scan+hash join gpos ?o <http://ex/tag> ?t"));
  /* 80 of the 800 edges back close the pair */
  const char *two = "SELECT * FROM <http://ex/g1> { { SELECT ?s ?o { ?s <http://ex/r> ?o } "
                    "ORDER BY RAND() LIMIT 400 } ?o <http://ex/back> ?s }";
  assert_int_equal(run(t->store, two, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 80);
  assert_true(plan_has(t->store, two, "(scan+hash join gpos ?o <http://ex/back> ?s"));
}

/* Rows in ascending order whose subjects lie pages apart in the index
 * (every 40th subject of 41 records each: 1,640 records, 9.6 pages, the
 * statistics say about 2.5) descend the B-tree at each probe: 75 of them
 * scan the 3,000 records of <val> and join instead. Counted as probes
 * staying near (up to 64 pages apart), they probed. */
static void test_exec_sparse_rows_scan(void **state) {
  TuStore *t = *state;
  size_t rows;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 3000; ++i) {
    for (int f = 0; f < 40; ++f) fprintf(d.f, "<http://ex/e%zu> <http://ex/f%d> \"x\" .\n", i, f);
    fprintf(d.f, "<http://ex/e%zu> <http://ex/val> \"%zu\" .\n", i, i);
    if (i % 40 == 0) fprintf(d.f, "<http://ex/e%zu> <http://ex/pick> \"y\" .\n", i);
  }
  text_load(t->store, "sparse", &d);
  const char *q = "SELECT * { ?e <http://ex/pick> ?y . ?e <http://ex/val> ?v }";
  assert_int_equal(run(t->store, q, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 75);
  assert_true(plan_has(t->store, q, "(scan+hash join gpos ?e <http://ex/val> ?v est 75"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_exec_values_on_bound_variables, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_values_undef_filter_waits, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_probe_order_decides_plan, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_scan_hash_join_merge_and_keys, exec_setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_chain_selective_constant, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_star, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_star_selective_constants, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_triangle, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_intersect_closes_cycle, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_scan_hash_join_partial, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_closing_pattern_probes_in_order, exec_setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_probe_stays_in_constants_run, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_skewed_class_counted, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_merge_join_two_keys, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_sparse_rows_scan, exec_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_few_rows_scan_small_pattern, exec_setup,
                                      tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
