/*
 * test_exec.c -- the executor's limits and early stops, through the public
 * query API: LIMIT over a cross product, the memory limit, cancellation
 * and timeouts. Each must end the query cleanly with its status. Also
 * VALUES on bound variables, blank labels, and queries from several
 * threads at once (they share the store's row buffers).
 */
#include "testutil.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Text made by fprintf on a memory stream: no buffer size to guess, and
 * nothing written past one. */
typedef struct {
  FILE *f;
  char *text;
  size_t len;
} Text;

static void text_begin(Text *t) {
  *t = (Text){0};
  t->f = open_memstream(&t->text, &t->len);
  assert_non_null(t->f);
}

/* The text made: malloc'd and NUL-ended, its length in t->len. */
static char *text_end(Text *t) {
  assert_int_equal(fclose(t->f), 0);
  return t->text;
}

/* Load the text made into s, as the file name. */
static void text_load(TrineStore *s, const char *name, Text *t) {
  char *text = text_end(t);
  assert_int_equal(trine_store_load_buffer(s, name, text, t->len, NULL, NULL), TRINE_OK);
  free(text);
}

/* A store with n triples <s_i> <p> <o_i> and n triples <o_i> <q> "i". */
static int setup(void **state) {
  if (tu_setup(state, "exec", "store")) return -1;
  TuStore *t = *state;
  Text d;
  text_begin(&d);
  for (size_t i = 0; i < 3000; ++i)
    fprintf(d.f, "<http://ex/s%zu> <http://ex/p> <http://ex/o%zu> .\n"
                 "<http://ex/o%zu> <http://ex/q> \"%zu\" .\n", i, i, i, i);
  text_load(t->store, "gen", &d);
  return 0;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run text to its end: the final status and the number of rows. */
static TrineStatus run(TrineStore *s, const char *text, const TrineQueryOptions *o,
                       size_t *rows) {
  TrineQuery *q;
  TrineStatus st = trine_query_prepare(s, text, strlen(text), o, &q);
  if (st) return st;
  *rows = 0;
  while ((st = trine_query_step(q)) == TRINE_ROW) ++*rows;
  trine_query_free(q);
  return st;
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

/* The terms of column col of text's rows, each followed by a space. */
static char *column_text(TrineStore *s, const char *text, size_t col) {
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(s, text, strlen(text), NULL, &q), TRINE_OK);
  char *all = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&all, &len);
  assert_non_null(f);
  while (trine_query_step(q) == TRINE_ROW) {
    char *one = tu_term_text(trine_query_term(q, col));
    fprintf(f, "%s ", one);
    free(one);
  }
  fclose(f);
  trine_query_free(q);
  return all;
}

/* Whether the executed plan of text mentions what. */
static bool plan_has(TrineStore *s, const char *text, const char *what) {
  TrineQueryOptions o = {.profile = true};
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(s, text, strlen(text), &o, &q), TRINE_OK);
  while (trine_query_step(q) == TRINE_ROW) {}
  char *plan = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&plan, &len);
  assert_non_null(f);
  assert_int_equal(trine_query_explain(q, f), TRINE_OK);
  fclose(f);
  bool has = strstr(plan, what) != NULL;
  free(plan);
  trine_query_free(q);
  return has;
}

/* A VALUES table whose variables the patterns bind keeps the matching
 * rows, once per equal table row (duplicates count, as in a join); one
 * with UNDEF still joins. */
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

/* The statistics take a predicate's objects to be alike: 3301 quads of
 * <a> over 301 classes estimate 11 members per class. The step counts the
 * class it would scan instead: 3000 members make probing 500 rows
 * cheaper, 1 member a scan. */
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
      plan_has(t->store, big, "(probe gspo ?x <http://ex/a> <http://ex/Big> est 2 rows 500"));
  const char *small = "SELECT * { { SELECT ?x { ?x <http://ex/b> ?v } LIMIT 500 } "
                      "?x <http://ex/a> <http://ex/Small5> }";
  assert_int_equal(run(t->store, small, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1);
  assert_true(
      plan_has(t->store, small, "(scan+merge join gpos ?x <http://ex/a> <http://ex/Small5>"));
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
      cmocka_unit_test_setup_teardown(test_exec_values_on_bound_variables, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_probe_order_decides_plan, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_exists_evaluated_once, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_minus, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_star, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_scan_hash_join_partial, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_closing_pattern_probes_in_order, setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_skewed_class_counted, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_merge_join_two_keys, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_path_scan_and_memo, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_exists_filter_substitutes, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_path_probe_nested, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_limit_stops_cross_product, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_limit_stops_path, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_memory_limit_is_an_error, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_cancel_before_step, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_timeout, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_concurrent_queries, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_exec_blank_labels_stable, setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
