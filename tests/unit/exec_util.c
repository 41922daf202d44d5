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

bool plan_has(TrineStore *s, const char *text, const char *what) {
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
