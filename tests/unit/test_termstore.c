/*
 * test_termstore.c -- stored terms in blocks: many terms over many blocks
 * and transactions (with blank nodes between them and one term bigger than
 * a block), read back in any order; an aborted transaction leaves no
 * terms behind; a format 1 store is upgraded when opened read-write and
 * refused read-only.
 */
#include "dict.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#ifndef TEST_DATA
#error "TEST_DATA: the directory of tests/unit/data"
#endif

#define NTERMS 5000
#define PER_TXN 450

/* The canonical text of term i of the test set (malloc'd). */
static char *term_text(size_t i) {
  size_t pad = i == NTERMS / 2 ? 10000 : (i * 37) % 300; /* one term > a block */
  char *s = malloc(pad + 64);
  assert_non_null(s);
  int n = snprintf(s, 64, "http://ex.org/t/%zu/", i);
  memset(s + n, 'a' + (char)(i % 26), pad);
  s[n + pad] = '\0';
  return s;
}

static TrineTerm term_of(size_t i, const char *text) {
  return i % 7 == 3 ? trine_literal(text, NULL, "en") : trine_iri(text);
}

static void check_term(TrineTxn *t, TrineId id, size_t i) {
  char *want = term_text(i);
  TrineTerm got;
  char scratch[24];
  assert_int_equal(dict_term(t, id, &got, scratch), TRINE_OK);
  assert_int_equal(got.kind, i % 7 == 3 ? TRINE_TERM_LITERAL : TRINE_TERM_IRI);
  assert_int_equal(got.value_len, strlen(want));
  assert_memory_equal(got.value, want, got.value_len);
  free(want);
}

/* Intern terms [from, to) in one write txn, blank nodes among them
 * (a long run every 100 terms starts a new block). */
static void add_terms(TrineStore *s, size_t from, size_t to, TrineId *ids, bool commit) {
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(s, true, &t), TRINE_OK);
  for (size_t i = from; i < to; ++i) {
    size_t blanks = i % 100 == 0 ? 40 : i % 13 == 0 ? 1 : 0;
    for (size_t b = 0; b < blanks; ++b) {
      char label[64];
      snprintf(label, sizeof label, "x%zu_%zu", i, b);
      TrineTerm bt = trine_blank(label);
      TrineId bid;
      assert_int_equal(dict_intern(t, &bt, &bid), TRINE_OK);
    }
    char *text = term_text(i);
    TrineTerm term = term_of(i, text);
    assert_int_equal(dict_intern(t, &term, &ids[i]), TRINE_OK);
    free(text);
  }
  /* Terms of this txn read back before it commits (the open block). */
  check_term(t, ids[from], from);
  check_term(t, ids[to - 1], to - 1);
  if (commit) assert_int_equal(trine_txn_commit(t), TRINE_OK);
  else trine_txn_abort(t);
}

static void test_termstore_many_terms_across_blocks_and_txns(void **state) {
  (void)state;
  TuStore f;
  assert_int_equal(tu_store_open(&f, "termstore", NULL), 0);
  TrineId *ids = calloc(NTERMS, sizeof *ids);
  assert_non_null(ids);
  for (size_t i = 0; i < NTERMS; i += PER_TXN)
    add_terms(f.store, i, i + PER_TXN < NTERMS ? i + PER_TXN : NTERMS, ids, true);
  trine_store_close(f.store);
  assert_int_equal(trine_store_open(f.dir, NULL, &f.store), TRINE_OK);
  TrineStats st;
  assert_int_equal(trine_store_stats(f.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.terms, NTERMS);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f.store, false, &t), TRINE_OK);
  for (size_t i = 0; i < NTERMS; ++i) check_term(t, ids[i], i);            /* forward */
  for (size_t i = NTERMS; i-- > 0;) check_term(t, ids[i], i);              /* backward */
  for (size_t k = 0, i = 1; k < NTERMS; ++k, i = (i * 7919 + 13) % NTERMS) /* scattered */
    check_term(t, ids[i], i);
  for (size_t i = 0; i < NTERMS; i += 97) { /* and by hash */
    char *text = term_text(i);
    TrineTerm term = term_of(i, text);
    TrineId id;
    assert_int_equal(dict_lookup(t, &term, &id), TRINE_OK);
    assert_int_equal(id, ids[i]);
    free(text);
  }
  trine_txn_abort(t);
  free(ids);
  tu_store_close(&f);
}

static void test_termstore_aborted_terms_are_gone(void **state) {
  (void)state;
  TuStore f;
  assert_int_equal(tu_store_open(&f, "termstore", NULL), 0);
  TrineId ids[900];
  add_terms(f.store, 0, 300, ids, true);
  add_terms(f.store, 300, 600, ids, false);
  add_terms(f.store, 600, 900, ids, true);
  TrineStats st;
  assert_int_equal(trine_store_stats(f.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.terms, 600);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f.store, false, &t), TRINE_OK);
  for (size_t i = 0; i < 900; ++i) {
    if (i >= 300 && i < 600) {
      char *text = term_text(i);
      TrineTerm term = term_of(i, text);
      TrineId id;
      assert_int_equal(dict_lookup(t, &term, &id), TRINE_NOT_FOUND);
      free(text);
    } else {
      check_term(t, ids[i], i);
    }
  }
  trine_txn_abort(t);
  tu_store_close(&f);
}

/* The quads of data/format1/source.nq, as dumped (blank node b7). */
static const char format1_dump[] =
    "<http://ex.org/s> <http://ex.org/p> \"plain\" .\n"
    "<http://ex.org/s> <http://ex.org/p> \"hello\"@en-gb .\n"
    "<http://ex.org/s> <http://ex.org/n> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
    "_:b7 <http://ex.org/p> <http://ex.org/o> .\n"
    "<http://ex.org/t> <http://ex.org/p> _:b7 <http://ex.org/g> .\n"
    "<http://ex.org/t> <http://ex.org/q> \"in a graph\" <http://ex.org/g> .\n";

static void test_termstore_upgrades_format1(void **state) {
  (void)state;
  char *dir = tu_tmpdir("format1");
  assert_non_null(dir);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cp '%s/format1/data.mdb' '%s/'", TEST_DATA, dir);
  assert_int_equal(system(cmd), 0);
  TrineStore *s;
  TrineOptions ro = {.flags = TRINE_OPEN_READONLY};
  assert_int_equal(trine_store_open(dir, &ro, &s), TRINE_ERR_CORRUPT);
  assert_non_null(strstr(trine_open_errmsg(), "format 1"));
  assert_non_null(strstr(trine_open_errmsg(), "read-write"));
  assert_int_equal(trine_store_open(dir, NULL, &s), TRINE_OK);
  TrineStats st;
  assert_int_equal(trine_store_stats(s, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 6);
  assert_int_equal(st.terms, 11);
  char *dump = tu_dump(s, TRINE_FORMAT_NQUADS, NULL, NULL);
  assert_string_equal(dump, format1_dump);
  free(dump);
  /* Old terms are found by value, and new ones get new ids. */
  TrineTxn *t;
  TrineTerm sub = trine_iri("http://ex.org/s"), p = trine_iri("http://ex.org/new"),
            o = trine_literal("plain", NULL, NULL);
  assert_int_equal(trine_txn_begin(s, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &sub, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  trine_store_close(s);
  assert_int_equal(trine_store_open(dir, &ro, &s), TRINE_OK);
  assert_int_equal(trine_store_stats(s, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 7);
  assert_int_equal(st.terms, 12);
  dump = tu_dump(s, TRINE_FORMAT_NQUADS, NULL, NULL);
  assert_non_null(strstr(dump, "<http://ex.org/s> <http://ex.org/new> \"plain\" .\n"));
  free(dump);
  trine_store_close(s);
  tu_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_termstore_many_terms_across_blocks_and_txns),
      cmocka_unit_test(test_termstore_aborted_terms_are_gone),
      cmocka_unit_test(test_termstore_upgrades_format1),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
