/*
 * test_store.c -- opening and closing stores, open flags and errors,
 * status strings and error formatting.
 */
#include "testutil.h"
#include "trine.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char *make_tmpdir(void) {
  char *d = tu_tmpdir("store");
  assert_non_null(d);
  return d;
}

typedef struct {
  int n;
  TrineStatus last;
  char text[512];
} Sink;

static void sink(void *ctx, const TrineError *e) {
  Sink *s = ctx;
  s->n++;
  s->last = e->status;
  trine_error_format(e, s->text, sizeof s->text);
}

/* A missing directory is created; the store persists across opens. */
static void test_store_create_and_reopen(void **state) {
  (void)state;
  char *dir = make_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/new", dir);
  TrineStore *s = NULL;
  assert_int_equal(trine_store_open(path, NULL, &s), TRINE_OK);
  assert_non_null(s);
  assert_false(trine_store_readonly(s));
  assert_string_equal(trine_store_errmsg(s), "");
  struct stat sb;
  assert_int_equal(stat(path, &sb), 0);
  assert_true(S_ISDIR(sb.st_mode));
  TrineStats st;
  assert_int_equal(trine_store_stats(s, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 0);
  assert_int_equal(st.terms, 0);
  TrineTxn *t;
  TrineTerm a = trine_iri("http://ex.org/a");
  assert_int_equal(trine_txn_begin(s, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &a, &a, &a, &a), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  trine_store_close(s);
  /* NOCREATE on an existing store opens it. */
  TrineOptions o = {.flags = TRINE_OPEN_NOCREATE};
  assert_int_equal(trine_store_open(path, &o, &s), TRINE_OK);
  assert_int_equal(trine_store_stats(s, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 1);
  assert_int_equal(st.graphs, 1);
  assert_int_equal(st.terms, 1);
  trine_store_close(s);
  trine_store_close(NULL);
  tu_rmtree(dir);
}

/* Open failures: missing with NOCREATE or READONLY, a regular file, a
 * directory holding something that is not a store. */
static void test_store_open_errors(void **state) {
  (void)state;
  char *dir = make_tmpdir();
  char path[512];
  TrineStore *s = (TrineStore *)1;
  snprintf(path, sizeof path, "%s/missing", dir);
  TrineOptions o = {.flags = TRINE_OPEN_NOCREATE};
  assert_int_equal(trine_store_open(path, &o, &s), TRINE_NOT_FOUND);
  assert_null(s);
  assert_non_null(strstr(trine_open_errmsg(), "missing"));
  o.flags = TRINE_OPEN_READONLY;
  assert_int_equal(trine_store_open(path, &o, &s), TRINE_NOT_FOUND);
  struct stat sb;
  assert_int_not_equal(stat(path, &sb), 0); /* nothing created */
  /* A regular file. */
  snprintf(path, sizeof path, "%s/file", dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs("not a store\n", fp);
  fclose(fp);
  s = (TrineStore *)1;
  TrineStatus st = trine_store_open(path, NULL, &s);
  assert_true(st >= TRINE_ERR_SYNTAX);
  assert_null(s);
  assert_non_null(strstr(trine_open_errmsg(), path));
  /* A directory whose data.mdb is garbage. */
  snprintf(path, sizeof path, "%s/junk", dir);
  assert_int_equal(mkdir(path, 0777), 0);
  char data[600];
  snprintf(data, sizeof data, "%s/data.mdb", path);
  fp = fopen(data, "w");
  assert_non_null(fp);
  for (int i = 0; i < 5000; ++i) fputs("garbage ", fp);
  fclose(fp);
  s = (TrineStore *)1;
  st = trine_store_open(path, NULL, &s);
  assert_true(st >= TRINE_ERR_SYNTAX);
  assert_null(s);
  assert_true(strlen(trine_open_errmsg()) > 0);
  /* A parent that does not exist. */
  snprintf(path, sizeof path, "%s/no/such/parent", dir);
  assert_true(trine_store_open(path, NULL, &s) >= TRINE_ERR_SYNTAX);
  assert_null(s);
  tu_rmtree(dir);
}

/* Deleting every quad in one update after a few loads frees pages the
 * update had copied: LMDB commits them as free pages past the end of
 * data.mdb, never written (its loose pages), so the file is shorter than
 * its last page number says and the store is sound. Open refused such a
 * store as cut short (found by tests/crash). */
static void test_store_free_pages_past_end(void **state) {
  (void)state;
  char *dir = make_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/s", dir);
  TrineStore *s;
  assert_int_equal(trine_store_open(path, NULL, &s), TRINE_OK);
  size_t cap = 1500 * 120, len;
  char *text = malloc(cap);
  assert_non_null(text);
  unsigned x = 1;
  for (int load = 0; load < 3; ++load) {
    len = 0;
    for (int i = 0; i < 1500; ++i) {
      x = x * 1103515245u + 12345u;
      char g[32] = "";
      if (x >> 25 & 3) snprintf(g, sizeof g, " <http://ex.org/g%u>", x >> 25 & 3);
      len += (size_t)snprintf(text + len, cap - len,
                              "<http://ex.org/s%u> <http://ex.org/p%u> \"v%u\"%s .\n",
                              x >> 8 & 63, x >> 14 & 7, x >> 17 & 255, g);
    }
    assert_int_equal(trine_store_load_buffer(s, "data", text, len, NULL, NULL), TRINE_OK);
  }
  free(text);
  assert_int_equal(tu_update(s, "DELETE WHERE { ?s ?p ?o } ; DELETE WHERE { GRAPH ?g { ?s ?p ?o } }"),
                   TRINE_DONE);
  assert_int_equal(trine_store_close(s), TRINE_OK);
  assert_int_equal(trine_store_open(path, NULL, &s), TRINE_OK);
  assert_int_equal(trine_store_check(s, NULL, NULL, NULL), TRINE_OK);
  trine_store_close(s);
  tu_rmtree(dir);
}

/* A process killed while creating a store, after LMDB made its lock file
 * and before its data file, leaves a directory holding lock.mdb alone: it
 * is still empty of data, and the next open creates the store there. */
static void test_store_creation_interrupted(void **state) {
  (void)state;
  char *dir = make_tmpdir();
  char path[512];
  snprintf(path, sizeof path, "%s/lock.mdb", dir);
  tu_write_file(path, "", 0);
  TrineStore *s;
  TrineOptions o = {.flags = TRINE_OPEN_NOCREATE};
  assert_int_equal(trine_store_open(dir, &o, &s), TRINE_NOT_FOUND);
  assert_int_equal(trine_store_open(dir, NULL, &s), TRINE_OK);
  assert_true(trine_store_created(s));
  assert_int_equal(tu_update(s, "INSERT DATA { <http://ex.org/a> <http://ex.org/b> 1 }"), TRINE_DONE);
  trine_store_close(s);
  assert_int_equal(trine_store_open(dir, &o, &s), TRINE_OK);
  assert_false(trine_store_created(s));
  trine_store_close(s);
  tu_rmtree(dir);
}

/* Errors go to the store's sink and to trine_store_errmsg(). */
static void test_store_errors_reach_sink(void **state) {
  (void)state;
  char *dir = make_tmpdir();
  Sink k = {0};
  TrineOptions o = {.sink = sink, .sink_ctx = &k};
  TrineStore *s;
  assert_int_equal(trine_store_open(dir, &o, &s), TRINE_OK);
  assert_int_equal(k.n, 0);
  TrineTxn *t;
  TrineTerm lit = trine_literal("x", NULL, NULL), a = trine_iri("http://ex.org/a");
  assert_int_equal(trine_txn_begin(s, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &lit, &a, &a, NULL), TRINE_ERR_ARG);
  assert_int_equal(k.n, 1);
  assert_int_equal(k.last, TRINE_ERR_ARG);
  assert_true(strlen(trine_store_errmsg(s)) > 0);
  assert_non_null(strstr(k.text, trine_store_errmsg(s)));
  trine_txn_abort(t);
  const char *bad = "<http://ex.org/a> <http://ex.org/a> .\n";
  assert_int_equal(trine_store_load_buffer(s, "b.nt", bad, strlen(bad), NULL, NULL),
                   TRINE_ERR_SYNTAX);
  assert_true(k.n >= 2);
  assert_memory_equal(k.text, "b.nt:1:", 7);
  trine_store_close(s);
  tu_rmtree(dir);
}

/* Every status has a description; errors format as documented. */
static void test_store_status_strings_and_format(void **state) {
  (void)state;
  for (int st = TRINE_OK; st <= TRINE_ERR_INTERNAL; ++st) {
    const char *m = trine_strerror((TrineStatus)st);
    assert_non_null(m);
    assert_true(strlen(m) > 0);
  }
  assert_non_null(trine_strerror((TrineStatus)999));
  assert_string_not_equal(trine_strerror(TRINE_ERR_SYNTAX), trine_strerror(TRINE_ERR_IO));
  char buf[128];
  TrineError e = {TRINE_ERR_SYNTAX, "f.nt", 3, 7, "bad thing"};
  assert_int_equal(trine_error_format(&e, buf, sizeof buf), strlen("f.nt:3:7: error: bad thing"));
  assert_string_equal(buf, "f.nt:3:7: error: bad thing");
  e.col = 0;
  trine_error_format(&e, buf, sizeof buf);
  assert_string_equal(buf, "f.nt:3: error: bad thing");
  e.line = 0;
  trine_error_format(&e, buf, sizeof buf);
  assert_string_equal(buf, "f.nt: error: bad thing");
  e.source = NULL;
  trine_error_format(&e, buf, sizeof buf);
  assert_string_equal(buf, "error: bad thing");
  e.message = NULL;
  trine_error_format(&e, buf, sizeof buf);
  assert_non_null(strstr(buf, trine_strerror(TRINE_ERR_SYNTAX)));
  /* Truncation: always NUL-terminated, full length returned. */
  e = (TrineError){TRINE_ERR_SYNTAX, "f.nt", 3, 7, "bad thing"};
  char small[8];
  assert_int_equal(trine_error_format(&e, small, sizeof small),
                   strlen("f.nt:3:7: error: bad thing"));
  assert_string_equal(small, "f.nt:3:");
  /* The version. */
  const char *v = trine_version();
  int maj, min, pat;
  assert_int_equal(sscanf(v, "%d.%d.%d", &maj, &min, &pat), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_store_create_and_reopen),
      cmocka_unit_test(test_store_open_errors),
      cmocka_unit_test(test_store_free_pages_past_end),
      cmocka_unit_test(test_store_creation_interrupted),
      cmocka_unit_test(test_store_errors_reach_sink),
      cmocka_unit_test(test_store_status_strings_and_format),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
