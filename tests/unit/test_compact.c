/*
 * test_compact.c -- trine_store_compact(): a store that shrank after
 * deletes gets its space back, holds the same quads, passes the check and
 * goes on working through the same handle (and after reopening); it
 * refuses while the handle has a transaction open, on a read-only store,
 * and while another process has the store open, leaving it as it was.
 */
#include "dict.h"
#include "env.h"
#include "stats.h"
#include "testutil.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define EX "http://ex.org/"

/* 30000 quads over 195 terms: the indexes are most of the file. */
enum { NQUADS = 30000 };

static void quad_terms(int i, char s[64], char p[64], char o[64]) {
  snprintf(s, 64, EX "s%d", i % 150);
  snprintf(p, 64, EX "p%d", i / 150 % 5);
  snprintf(o, 64, EX "o%d", i / 750);
}

static int setup(void **state) {
  if (tu_setup(state, "compact", "store")) return -1;
  TrineStore *st = ((TuStore *)*state)->store;
  size_t cap = (size_t)NQUADS * 80, len = 0;
  char *text = malloc(cap), s[64], p[64], o[64];
  for (int i = 0; i < NQUADS; ++i) {
    quad_terms(i, s, p, o);
    len += (size_t)snprintf(text + len, cap - len, "<%s> <%s> <%s> .\n", s, p, o);
  }
  TrineStatus rc = trine_store_load_buffer(st, "data", text, len, NULL, NULL);
  free(text);
  return rc == TRINE_OK ? 0 : -1;
}

static TrineStore *store_of(void **state) { return ((TuStore *)*state)->store; }

static char *store_path(void **state, const char *file) {
  char *path = malloc(512);
  snprintf(path, 512, "%s/store%s%s", ((TuStore *)*state)->dir, file ? "/" : "", file ? file : "");
  return path;
}

static uint64_t file_size(void **state) {
  char *path = store_path(state, "data.mdb");
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  free(path);
  return (uint64_t)st.st_size;
}

/* Remove all but every tenth quad. */
static void delete_most(TrineStore *st) {
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(st, true, &t), TRINE_OK);
  char s[64], p[64], o[64];
  for (int i = 0; i < NQUADS; ++i) {
    if (i % 10 == 0) continue;
    quad_terms(i, s, p, o);
    TrineTerm ts = trine_iri(s), tp = trine_iri(p), to = trine_iri(o);
    assert_int_equal(trine_txn_remove(t, &ts, &tp, &to, NULL), TRINE_OK);
  }
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
}

/* Nothing is left beside the store but the store. */
static void assert_only_store(void **state) {
  DIR *d = opendir(((TuStore *)*state)->dir);
  assert_non_null(d);
  int n = 0;
  for (struct dirent *e; (e = readdir(d));)
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
      assert_string_equal(e->d_name, "store");
      n++;
    }
  closedir(d);
  assert_int_equal(n, 1);
}

static void test_compact_gives_space_back(void **state) {
  TrineStore *st = store_of(state);
  delete_most(st);
  uint64_t before = file_size(state);
  char *dump = tu_dump(st, TRINE_FORMAT_NQUADS, NULL, NULL);
  TrineCompactStats cs;
  assert_int_equal(trine_store_compact(st, &cs), TRINE_OK);
  assert_int_equal(cs.bytes_before, before);
  assert_int_equal(cs.bytes_after, file_size(state));
  assert_true(cs.bytes_after * 3 < before);
  char *after = tu_dump(st, TRINE_FORMAT_NQUADS, NULL, NULL);
  assert_string_equal(after, dump);
  free(after);
  assert_int_equal(trine_store_check(st, NULL, NULL, NULL), TRINE_OK);
  assert_only_store(state);
  /* The handle writes into the compacted store; it is there on reopening. */
  TrineTerm s = trine_iri(EX "new"), p = trine_iri(EX "p0"), o = trine_iri(EX "o0");
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(st, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  assert_int_equal(trine_store_compact(st, NULL), TRINE_OK); /* twice in a row */
  assert_int_equal(trine_store_close(st), TRINE_OK);
  char *path = store_path(state, NULL);
  assert_int_equal(trine_store_open(path, NULL, &((TuStore *)*state)->store), TRINE_OK);
  free(path);
  st = store_of(state);
  TrineStats stats;
  assert_int_equal(trine_store_stats(st, NULL, &stats), TRINE_OK);
  assert_int_equal(stats.quads, NQUADS / 10 + 1);
  assert_int_equal(trine_store_check(st, NULL, NULL, NULL), TRINE_OK);
  free(dump);
}

/* The statistics of p0 as a read txn sees them (and its snapshot's id). */
static uint64_t p0_quads(TrineStore *st, size_t *txnid) {
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(st, false, &t), TRINE_OK);
  TrineTerm p = trine_iri(EX "p0");
  TrineId id;
  uint64_t c[3], again[3];
  assert_int_equal(dict_lookup(t, &p, &id), TRINE_OK);
  assert_int_equal(stats_predicate(t, id, c), TRINE_OK);
  assert_int_equal(stats_predicate(t, id, again), TRINE_OK); /* remembered */
  assert_memory_equal(c, again, sizeof c);
  if (txnid) *txnid = mdb_txn_id(t->txn);
  trine_txn_abort(t);
  return c[0];
}

/* The id LMDB gives the store's latest committed state. */
static size_t snapshot_id(TrineStore *st) {
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(st, false, &t), TRINE_OK);
  size_t id = mdb_txn_id(t->txn);
  trine_txn_abort(t);
  return id;
}

static void add_p0(TrineStore *st, int i) {
  char s[64];
  snprintf(s, sizeof s, EX "added%d", i);
  TrineTerm ts = trine_iri(s), tp = trine_iri(EX "p0"), to = trine_iri(EX "o0");
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(st, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &ts, &tp, &to, NULL), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
}

/* Statistics are remembered per committed state (snapmemo.c): a write
 * makes a new state, an older snapshot keeps its own, and a compacted
 * copy, whose LMDB transaction ids start again, is not confused with the
 * states before it. */
static void test_compact_statistics_remembered(void **state) {
  TrineStore *st = store_of(state);
  enum { P0 = NQUADS / 5 };
  assert_int_equal(p0_quads(st, NULL), P0);
  TrineTxn *old;
  assert_int_equal(trine_txn_begin(st, false, &old), TRINE_OK);
  add_p0(st, 0);
  assert_int_equal(p0_quads(st, NULL), P0 + 1);
  TrineTerm p = trine_iri(EX "p0");
  TrineId id;
  uint64_t c[3];
  assert_int_equal(dict_lookup(old, &p, &id), TRINE_OK);
  assert_int_equal(stats_predicate(old, id, c), TRINE_OK);
  assert_int_equal(c[0], P0);
  trine_txn_abort(old);
  for (int i = 1; i <= 3; ++i) add_p0(st, i);
  size_t before_id;
  assert_int_equal(p0_quads(st, &before_id), P0 + 4);
  assert_int_equal(trine_store_compact(st, NULL), TRINE_OK);
  /* Writes, the statistics unread, until the copy's state has the id
   * remembered from before: it must not answer for the new state. */
  int n = 4;
  for (size_t id_now = snapshot_id(st); id_now < before_id && n < 100; ++n) {
    add_p0(st, n);
    id_now = snapshot_id(st);
  }
  assert_int_equal(snapshot_id(st), before_id);
  assert_int_equal(p0_quads(st, NULL), (uint64_t)P0 + (uint64_t)n);
}

static void test_compact_refuses_misuse(void **state) {
  TrineStore *st = store_of(state);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(st, false, &t), TRINE_OK);
  assert_int_equal(trine_store_compact(st, NULL), TRINE_ERR_BUSY);
  assert_non_null(strstr(trine_store_errmsg(st), "1 transaction"));
  trine_txn_abort(t);
  assert_int_equal(trine_store_compact(NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_close(st), TRINE_OK);
  char *path = store_path(state, NULL);
  TrineOptions ro = {.flags = TRINE_OPEN_READONLY};
  assert_int_equal(trine_store_open(path, &ro, &((TuStore *)*state)->store), TRINE_OK);
  free(path);
  assert_int_equal(trine_store_compact(store_of(state), NULL), TRINE_ERR_READONLY);
  assert_only_store(state);
}

/* A child process opens the store and keeps it open until told. */
static pid_t open_elsewhere(void **state, int *tell) {
  int ready[2], done[2];
  assert_int_equal(pipe(ready), 0);
  assert_int_equal(pipe(done), 0);
  char *path = store_path(state, NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(done[1]); /* else its read would wait for itself */
    TrineStore *other;
    TrineOptions ro = {.flags = TRINE_OPEN_READONLY};
    char c = trine_store_open(path, &ro, &other) == TRINE_OK ? 'y' : 'n';
    free(path); /* the child's copy: valgrind counts it too */
    if (write(ready[1], &c, 1) != 1 || read(done[0], &c, 1) < 0) _exit(1);
    trine_store_close(other);
    _exit(0);
  }
  free(path);
  char c = 0;
  assert_int_equal(read(ready[0], &c, 1), 1);
  assert_int_equal(c, 'y');
  close(ready[0]);
  close(ready[1]);
  close(done[0]);
  *tell = done[1];
  return pid;
}

static void test_compact_refuses_while_another_process_has_it(void **state) {
  TrineStore *st = store_of(state);
  delete_most(st);
  uint64_t before = file_size(state);
  int tell;
  pid_t pid = open_elsewhere(state, &tell);
  assert_int_equal(trine_store_compact(st, NULL), TRINE_ERR_BUSY);
  char want[64];
  snprintf(want, sizeof want, "process %ld has the store open", (long)pid);
  assert_non_null(strstr(trine_store_errmsg(st), want));
  assert_int_equal(file_size(state), before);
  assert_only_store(state);
  close(tell); /* the child reads end-of-file and closes the store */
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  /* The store and the handle are as they were: it works now. */
  assert_int_equal(trine_store_check(st, NULL, NULL, NULL), TRINE_OK);
  assert_int_equal(trine_store_compact(st, NULL), TRINE_OK);
  assert_true(file_size(state) * 3 < before);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_compact_gives_space_back, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_compact_statistics_remembered, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_compact_refuses_misuse, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_compact_refuses_while_another_process_has_it, setup,
                                      tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
