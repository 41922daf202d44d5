/* testutil.c -- helpers shared by the unit tests (see testutil.h). */
#include "testutil.h"
#include "term.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

char *tu_tmpdir(const char *tag) {
  char tmpl[256];
  snprintf(tmpl, sizeof tmpl, "/tmp/trine-test-%s-XXXXXX", tag);
  char *d = strdup(tmpl);
  if (d && !mkdtemp(d)) {
    free(d);
    d = NULL;
  }
  return d;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

void tu_rmtree(char *dir) {
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  free(dir);
}

TrineStatus tu_open_in(const char *dir, const char *sub, TrineStore **out) {
  if (!sub)
    return trine_store_open(dir, NULL, out);
  char path[512];
  snprintf(path, sizeof path, "%s/%s", dir, sub);
  return trine_store_open(path, NULL, out);
}

int tu_store_open(TuStore *t, const char *tag, const char *sub) {
  *t = (TuStore){0};
  t->dir = tu_tmpdir(tag);
  if (!t->dir || tu_open_in(t->dir, sub, &t->store) != TRINE_OK) return -1;
  return 0;
}

void tu_store_close(TuStore *t) {
  trine_store_close(t->store);
  if (t->dir) tu_rmtree(t->dir);
  *t = (TuStore){0};
}

int tu_setup(void **state, const char *tag, const char *sub) {
  TuStore *t = calloc(1, sizeof *t);
  if (!t || tu_store_open(t, tag, sub)) return -1;
  *state = t;
  return 0;
}

int tu_teardown(void **state) {
  TuStore *t = *state;
  tu_store_close(t);
  free(t);
  return 0;
}

void tu_write_file(const char *path, const char *text, size_t len) {
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  assert_int_equal(fwrite(text, 1, len, fp), len);
  assert_int_equal(fclose(fp), 0);
}

char *tu_dump(TrineStore *s, TrineFormat fmt, const TrineTerm *g, size_t *len) {
  char *buf = NULL;
  size_t n = 0;
  FILE *m = open_memstream(&buf, &n);
  assert_non_null(m);
  assert_int_equal(trine_store_dump(s, m, fmt, g), TRINE_OK);
  assert_int_equal(fclose(m), 0);
  if (len) *len = n;
  return buf;
}

char *tu_term_text(const TrineTerm *t) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  assert_int_equal(term_write_buf(t, &buf, &len, &cap), 0);
  char *s = malloc(len + 1);
  assert_non_null(s);
  if (len) memcpy(s, buf, len);
  s[len] = '\0';
  free(buf);
  return s;
}

TrineStatus tu_update(TrineStore *s, const char *text) {
  TrineQuery *q;
  TrineQueryOptions o = {.allow = TRINE_ALLOW_UPDATE};
  TrineStatus st = trine_query_prepare(s, text, strlen(text), &o, &q);
  if (st) return st;
  st = trine_query_step(q);
  trine_query_free(q);
  return st;
}
