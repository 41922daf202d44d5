/*
 * exec_util.h -- helpers shared by the executor's unit tests
 * (test_exec_*.c): text made on a memory stream, the store of 3000 pairs
 * most cases start from, and running a query to count its rows, list a
 * column or read its executed plan. All assert (cmocka) except
 * exec_setup(), which is a cmocka setup.
 */
#ifndef TRINE_EXEC_UTIL_H
#define TRINE_EXEC_UTIL_H

#include "testutil.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Text made by fprintf on a memory stream: no buffer size to guess, and
 * nothing written past one. */
typedef struct {
  FILE *f;
  char *text;
  size_t len;
} Text;

void text_begin(Text *t);

/* The text made: malloc'd and NUL-ended, its length in t->len. */
char *text_end(Text *t);

/* Load the text made into s, as the file name. */
void text_load(TrineStore *s, const char *name, Text *t);

/* For cmocka: *state becomes a TuStore (free it with tu_teardown) holding
 * n = 3000 triples <s_i> <p> <o_i> and n triples <o_i> <q> "i". */
int exec_setup(void **state);

/* Add to s, for i < n: <http://ex/m{i}> <http://ex/k> <http://ex/c{i % k}>
 * (k classes of equal size: joins on ?c with many ties), <http://ex/m{i}>
 * <http://ex/w> i % 5 (integers) and, when i % 3 != 0, <http://ex/m{i}>
 * <http://ex/v> i % 7 (OPTIONAL { ?x <http://ex/v> ?v } leaves a third
 * unbound). */
void exec_load_members(TrineStore *s, size_t n, size_t k);

/* Run text to its end: the final status and the number of rows. */
TrineStatus run(TrineStore *s, const char *text, const TrineQueryOptions *o, size_t *rows);

/* The terms of column col of text's rows, each followed by a space
 * (malloc'd). */
char *column_text(TrineStore *s, const char *text, size_t col);

/* Every row of text, a line each: its terms, each followed by a space
 * (malloc'd). */
char *rows_text(TrineStore *s, const char *text);

/* The executed plan of text (malloc'd). */
char *plan_text(TrineStore *s, const char *text);

/* What trine_query_explain() prints for text (malloc'd): after running it
 * profiled when run, else without running it (algebra and access paths). */
char *explain_text(TrineStore *s, const char *text, bool run);

/* Whether the executed plan of text mentions what. */
bool plan_has(TrineStore *s, const char *text, const char *what);

#endif
