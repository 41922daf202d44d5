/* exec_util.c -- helpers shared by the executor's unit tests (see exec_util.h). */
#include "exec_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

void text_begin(Text *t) {
  *t = (Text){0};
  t->f = open_memstream(&t->text, &t->len);
  assert_non_null(t->f);
}

char *text_end(Text *t) {
  assert_int_equal(fclose(t->f), 0);
  return t->text;
}

void text_load(TrineStore *s, const char *name, Text *t) {
  char *text = text_end(t);
  assert_int_equal(trine_store_load_buffer(s, name, text, t->len, NULL, NULL), TRINE_OK);
  free(text);
}

int exec_setup(void **state) {
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

void exec_load_members(TrineStore *s, size_t n, size_t k) {
  Text d;
  text_begin(&d);
  const char *xint = "<http://www.w3.org/2001/XMLSchema#integer>";
  for (size_t i = 0; i < n; ++i) {
    fprintf(d.f, "<http://ex/m%zu> <http://ex/k> <http://ex/c%zu> .\n", i, i % k);
    fprintf(d.f, "<http://ex/m%zu> <http://ex/w> \"%zu\"^^%s .\n", i, i % 5, xint);
    if (i % 3) fprintf(d.f, "<http://ex/m%zu> <http://ex/v> \"%zu\"^^%s .\n", i, i % 7, xint);
  }
  text_load(s, "members", &d);
}

TrineStatus run(TrineStore *s, const char *text, const TrineQueryOptions *o, size_t *rows) {
  TrineQuery *q;
  TrineStatus st = trine_query_prepare(s, text, strlen(text), o, &q);
  if (st) return st;
  *rows = 0;
  while ((st = trine_query_step(q)) == TRINE_ROW) ++*rows;
  trine_query_free(q);
  return st;
}

char *column_text(TrineStore *s, const char *text, size_t col) {
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

char *rows_text(TrineStore *s, const char *text) {
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(s, text, strlen(text), NULL, &q), TRINE_OK);
  Text t;
  text_begin(&t);
  TrineStatus st;
  while ((st = trine_query_step(q)) == TRINE_ROW) {
    for (size_t c = 0; c < trine_query_columns(q); ++c) {
      const TrineTerm *term = trine_query_term(q, c);
      char *one = term ? tu_term_text(term) : NULL;
      fprintf(t.f, "%s ", one ? one : "-");
      free(one);
    }
    fputc('\n', t.f);
  }
  assert_int_equal(st, TRINE_DONE);
  trine_query_free(q);
  return text_end(&t);
}

char *plan_text(TrineStore *s, const char *text) {
  return explain_text(s, text, true);
}

char *explain_text(TrineStore *s, const char *text, bool run) {
  TrineQueryOptions o = {.profile = run};
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(s, text, strlen(text), &o, &q), TRINE_OK);
  while (run && trine_query_step(q) == TRINE_ROW) {}
  char *plan = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&plan, &len);
  assert_non_null(f);
  assert_int_equal(trine_query_explain(q, f), TRINE_OK);
  fclose(f);
  trine_query_free(q);
  return plan;
}

bool plan_has(TrineStore *s, const char *text, const char *what) {
  char *plan = plan_text(s, text);
  bool has = strstr(plan, what) != NULL;
  free(plan);
  return has;
}
