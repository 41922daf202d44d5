/*
 * test_txn_failed_load.c -- loads that fail with a syntax error leave the
 * store exactly as it was (dump, statistics, terms), also after reopening
 * it, even when the error comes after more statements than one batch of
 * the loader; and the store loads again afterwards. The loader's batch is
 * made small (BATCH below, instead of 2 Mi quads) so that the loads cross
 * several batches in a fraction of a second, also under ASan.
 */
#include "txn_util.h"

#include "env.h" /* TrineStoreImpl.batch_quads */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

enum { BATCH = 10000 }; /* the loader's batch in these tests */

/* Append n copies of line to buf at *len. */
static void append_copies(char *buf, size_t *len, const char *line, size_t n) {
  size_t m = strlen(line);
  for (size_t i = 0; i < n; ++i, *len += m) memcpy(buf + *len, line, m);
}

/* A syntax error deep in a big load (after more statements than a whole
 * batch) leaves the store exactly as it was: dump, stats, terms. */
static void test_txn_failed_load_leaves_store_unchanged(void **state) {
  Fixture *f = *state;
  assert_int_equal(trine_store_load_buffer(f->store, "base.nq", base_data, strlen(base_data),
                                           NULL, NULL),
                   TRINE_OK);
  Snapshot before, after;
  snapshot(f->store, &before);
  /* 5000 new statements, 22,000 copies of one more (more than two batches
   * of the loader), 3000 new ones in a named graph, then the error. */
  f->store->batch_quads = BATCH;
  const size_t copies = 2 * BATCH + 2000;
  const char *rep = "<a:s> <a:p> <a:o> .\n";
  size_t len1, len2;
  char *head = gen_text("h", 0, 5000, NULL, &len1);
  char *tail = gen_text("t", 0, 3000, "<http://ex.org/g1>", &len2);
  const char *bad = "<http://ex.org/bad> <http://ex.org/p> \"unterminated .\n";
  size_t cap = 2 * len1 + strlen(rep) * copies + len2 + strlen(bad) + 1, len = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  memcpy(buf, head, len1);
  len = len1;
  append_copies(buf, &len, rep, copies);
  memcpy(buf + len, tail, len2);
  len += len2;
  append_copies(buf, &len, bad, 1);
  memcpy(buf + len, head, len1); /* more good statements after the error */
  len += len1;
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(f->store, "big.nq", buf, len, NULL, &ls),
                   TRINE_ERR_SYNTAX);
  assert_int_equal(ls.quads_added, 0);
  snapshot(f->store, &after);
  assert_same_snapshot(&before, &after);
  snapshot_free(&after);
  /* Also after reopening (nothing half-written on disk). */
  trine_store_close(f->store);
  assert_int_equal(trine_store_open(f->dir, NULL, &f->store), TRINE_OK);
  f->store->batch_quads = BATCH;
  snapshot(f->store, &after);
  assert_same_snapshot(&before, &after);
  snapshot_free(&after);
  /* The store still loads, and the same data without the error loads. */
  size_t good = len - len1 - strlen(bad);
  assert_int_equal(trine_store_load_buffer(f->store, "big.nq", buf, good, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_read, 5000 + copies + 3000);
  assert_int_equal(ls.quads_added, 5000 + 1 + 3000);
  assert_int_equal(quads_in(f->store, NULL), before.st.quads + 8001);
  free(buf);
  free(head);
  free(tail);
  snapshot_free(&before);
}

/* The same with a brand-new store and a load failing at its very end. */
static void test_txn_failed_load_into_empty_store(void **state) {
  Fixture *f = *state;
  f->store->batch_quads = 1000; /* the 4000 statements make four batches */
  Snapshot before, after;
  snapshot(f->store, &before);
  size_t len;
  char *text = gen_text("e", 0, 4000, "<http://ex.org/g>", &len);
  text = realloc(text, len + 64);
  assert_non_null(text);
  memcpy(text + len, "<http://ex.org/x> <http://ex.org/y> .\n", 38);
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(f->store, "e.nq", text, len + 38, NULL, &ls),
                   TRINE_ERR_SYNTAX);
  snapshot(f->store, &after);
  assert_same_snapshot(&before, &after);
  assert_int_equal(after.st.quads, 0);
  assert_int_equal(after.st.terms, 0);
  assert_int_equal(after.len, 0);
  assert_int_equal(trine_store_load_buffer(f->store, "e.nq", text, len, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 4000);
  free(text);
  snapshot_free(&before);
  snapshot_free(&after);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_txn_failed_load_leaves_store_unchanged, txn_setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_failed_load_into_empty_store, txn_setup,
                                      tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
