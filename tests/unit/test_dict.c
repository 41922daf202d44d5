/*
 * test_dict.c -- the term dictionary: term <-> id round trips, language
 * tags, xsd:string, very long literals, id stability across reopen, forced
 * hash collisions, and blank node scoping.
 */
#include "dict.h"
#include "term.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Helpers ------------------------------------------------------------------ */

typedef TuStore Fixture;

static int setup(void **state) { return tu_setup(state, "dict", NULL); }

static void reopen(Fixture *f) {
  trine_store_close(f->store);
  f->store = NULL;
  assert_int_equal(trine_store_open(f->dir, NULL, &f->store), TRINE_OK);
}

static bool same_bytes(const char *a, size_t an, const char *b, size_t bn) {
  return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* Two terms are equal as RDF terms (xsd:string == no datatype). */
static bool term_equal(const TrineTerm *a, const TrineTerm *b) {
  char *x = tu_term_text(a), *y = tu_term_text(b);
  bool eq = strcmp(x, y) == 0;
  free(x);
  free(y);
  return eq;
}

static void add_ok(TrineStore *s, const TrineTerm *sub, const TrineTerm *p,
                   const TrineTerm *o, const TrineTerm *g) {
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(s, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, sub, p, o, g), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
}

/* Number of quads matching a pattern, in a fresh read txn. */
static size_t count_match(TrineStore *s, const TrineTerm *sub, const TrineTerm *p,
                          const TrineTerm *o, const TrineTerm *g) {
  TrineTxn *t;
  TrineIter *it;
  TrineTerm q[4];
  size_t n = 0;
  assert_int_equal(trine_txn_begin(s, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, sub, p, o, g, &it), TRINE_OK);
  TrineStatus st;
  while ((st = trine_iter_next(it, q)) == TRINE_ROW) ++n;
  assert_int_equal(st, TRINE_DONE);
  trine_iter_free(it);
  trine_txn_abort(t);
  return n;
}

static TrineStatus load_text(TrineStore *s, const char *text, TrineLoadStats *ls) {
  return trine_store_load_buffer(s, "test.nq", text, strlen(text), NULL, ls);
}

/* Sample terms of every kind. */
static TrineTerm sample_terms[10];
static size_t nsample;

static void init_samples(void) {
  nsample = 0;
  sample_terms[nsample++] = trine_iri("http://example.org/a");
  sample_terms[nsample++] = trine_iri("http://example.org/\xc3\xa9t\xc3\xa9");
  sample_terms[nsample++] = trine_literal("plain", NULL, NULL);
  sample_terms[nsample++] = trine_literal("", NULL, NULL);
  sample_terms[nsample++] = trine_literal("chat", NULL, "fr");
  sample_terms[nsample++] = trine_literal("colour", NULL, "en-gb");
  sample_terms[nsample++] = trine_literal("42", "http://www.w3.org/2001/XMLSchema#integer", NULL);
  sample_terms[nsample++] = trine_literal("line\nbreak \"q\" \\ \t\xe2\x82\xac", NULL, NULL);
  sample_terms[nsample++] = trine_literal("x", "http://example.org/dt", NULL);
}

/* Tests -------------------------------------------------------------------- */

/* dict_encode / dict_decode_bytes round trip of every storable term kind. */
static void test_dict_encode_decode_roundtrip(void **state) {
  (void)state;
  init_samples();
  Buf b = {0};
  for (size_t i = 0; i < nsample; ++i) {
    assert_int_equal(dict_encode(&sample_terms[i], &b), 0);
    TrineTerm back;
    assert_int_equal(dict_decode_bytes(b.data, b.len, &back), 0);
    assert_int_equal(back.kind, sample_terms[i].kind);
    assert_true(same_bytes(back.value, back.value_len, sample_terms[i].value,
                           sample_terms[i].value_len));
    assert_true(term_equal(&back, &sample_terms[i]));
  }
  TrineTerm none = {0};
  assert_int_not_equal(dict_encode(&none, &b), 0);
  buf_free(&b);
}

/* dict_intern / dict_term / dict_lookup of every kind, and the same terms
 * through trine_txn_add and trine_txn_match. */
static void test_dict_intern_every_kind(void **state) {
  Fixture *f = *state;
  init_samples();
  TrineTxn *t;
  TrineId ids[10];
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  for (size_t i = 0; i < nsample; ++i) {
    assert_int_equal(dict_intern(t, &sample_terms[i], &ids[i]), TRINE_OK);
    assert_int_not_equal(ids[i], 0);
    for (size_t j = 0; j < i; ++j) assert_int_not_equal(ids[i], ids[j]);
    TrineId again;
    assert_int_equal(dict_intern(t, &sample_terms[i], &again), TRINE_OK);
    assert_int_equal(again, ids[i]);
    TrineTerm back;
    char scratch[24];
    assert_int_equal(dict_term(t, ids[i], &back, scratch), TRINE_OK);
    assert_true(term_equal(&back, &sample_terms[i]));
  }
  TrineTerm bl = trine_blank("node1");
  TrineId bid, bid2;
  assert_int_equal(dict_intern(t, &bl, &bid), TRINE_OK);
  assert_int_equal(dict_intern(t, &bl, &bid2), TRINE_OK);
  assert_int_equal(bid, bid2);
  assert_int_equal(id_kind(bid), IDK_BLANK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);

  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  for (size_t i = 0; i < nsample; ++i) {
    TrineId id;
    assert_int_equal(dict_lookup(t, &sample_terms[i], &id), TRINE_OK);
    assert_int_equal(id, ids[i]);
  }
  TrineTerm unknown = trine_iri("http://example.org/never");
  TrineId id;
  assert_int_equal(dict_lookup(t, &unknown, &id), TRINE_NOT_FOUND);
  trine_txn_abort(t);

  /* Through the public API: each sample as object of its own quad. */
  TrineTerm s = trine_iri("http://example.org/s");
  for (size_t i = 0; i < nsample; ++i) {
    TrineTerm p = trine_iri(i % 2 ? "http://example.org/p1" : "http://example.org/p2");
    add_ok(f->store, &s, &p, &sample_terms[i], NULL);
    if (sample_terms[i].kind == TRINE_TERM_IRI) {
      TrineTerm g = sample_terms[i];
      add_ok(f->store, &sample_terms[i], &p, &s, &g);
    }
  }
  add_ok(f->store, &bl, &s, &s, NULL);
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  for (size_t i = 0; i < nsample; ++i) {
    TrineIter *it;
    TrineTerm q[4];
    assert_int_equal(trine_txn_match(t, NULL, NULL, &sample_terms[i], NULL, &it), TRINE_OK);
    assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
    assert_true(term_equal(&q[0], &s));
    assert_true(term_equal(&q[2], &sample_terms[i]));
    assert_int_equal(q[3].kind, TRINE_TERM_DEFAULT_GRAPH);
    assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
    trine_iter_free(it);
  }
  /* A blank node as subject comes back as a blank node. */
  TrineIter *it;
  TrineTerm q[4];
  assert_int_equal(trine_txn_match(t, NULL, &s, NULL, NULL, &it), TRINE_OK);
  assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
  assert_int_equal(q[0].kind, TRINE_TERM_BLANK);
  assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
  trine_iter_free(it);
  /* Named graphs: the IRIs used as graph names come back as graphs. */
  assert_int_equal(trine_txn_match(t, NULL, NULL, &s, &sample_terms[1], &it), TRINE_OK);
  assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
  assert_true(term_equal(&q[3], &sample_terms[1]));
  assert_true(term_equal(&q[0], &sample_terms[1]));
  assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
  trine_iter_free(it);
  trine_txn_abort(t);
}

/* Language tags are stored lowercased and compare case-insensitively. */
static void test_dict_lang_case_insensitive(void **state) {
  Fixture *f = *state;
  TrineTerm s = trine_iri("http://example.org/s"), p = trine_iri("http://example.org/p");
  TrineTerm upper = trine_literal("a", NULL, "EN"), lower = trine_literal("a", NULL, "en");
  TrineTerm mixed = trine_literal("a", NULL, "eN"), other = trine_literal("a", NULL, "de");
  TrineTerm sub = trine_literal("a", NULL, "EN-GB");
  add_ok(f->store, &s, &p, &upper, NULL);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &lower, NULL), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_add(t, &s, &p, &mixed, NULL), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_add(t, &s, &p, &other, NULL), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &sub, NULL), TRINE_OK);
  TrineId a, b;
  assert_int_equal(dict_lookup(t, &upper, &a), TRINE_OK);
  assert_int_equal(dict_lookup(t, &mixed, &b), TRINE_OK);
  assert_int_equal(a, b);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);

  assert_int_equal(count_match(f->store, NULL, NULL, &mixed, NULL), 1);
  assert_int_equal(count_match(f->store, NULL, NULL, &lower, NULL), 1);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), 3);
  TrineTerm subl = trine_literal("a", NULL, "en-gb");
  assert_int_equal(count_match(f->store, NULL, NULL, &subl, NULL), 1);

  /* The stored tag is lowercase. */
  TrineIter *it;
  TrineTerm q[4];
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, NULL, NULL, &upper, NULL, &it), TRINE_OK);
  assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
  assert_true(same_bytes(q[2].lang, q[2].lang_len, "en", 2));
  trine_iter_free(it);
  trine_txn_abort(t);

  /* The loader agrees: "a"@En is the same literal. */
  TrineLoadStats ls;
  assert_int_equal(load_text(f->store,
                             "<http://example.org/s> <http://example.org/p> \"a\"@En .\n"
                             "<http://example.org/s> <http://example.org/p> \"a\"@DE .\n",
                             &ls),
                   TRINE_OK);
  assert_int_equal(ls.quads_read, 2);
  assert_int_equal(ls.quads_added, 0);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), 3);
}

/* "x"^^xsd:string is the simple literal "x". */
static void test_dict_xsd_string_is_simple(void **state) {
  Fixture *f = *state;
  TrineTerm s = trine_iri("http://example.org/s"), p = trine_iri("http://example.org/p");
  TrineTerm typed = trine_literal("x", "http://www.w3.org/2001/XMLSchema#string", NULL);
  TrineTerm simple = trine_literal("x", NULL, NULL);
  TrineTerm empty_dt = trine_literal("x", "", NULL);
  add_ok(f->store, &s, &p, &typed, NULL);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &simple, NULL), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_add(t, &s, &p, &empty_dt, NULL), TRINE_NOT_FOUND);
  TrineId a, b;
  assert_int_equal(dict_lookup(t, &typed, &a), TRINE_OK);
  assert_int_equal(dict_lookup(t, &simple, &b), TRINE_OK);
  assert_int_equal(a, b);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  assert_int_equal(count_match(f->store, NULL, NULL, &simple, NULL), 1);
  assert_int_equal(count_match(f->store, NULL, NULL, &typed, NULL), 1);

  TrineLoadStats ls;
  assert_int_equal(
      load_text(f->store,
                "<http://example.org/s> <http://example.org/p> "
                "\"x\"^^<http://www.w3.org/2001/XMLSchema#string> .\n"
                "<http://example.org/s> <http://example.org/p> \"x\" .\n",
                &ls),
      TRINE_OK);
  assert_int_equal(ls.quads_added, 0);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), 1);

  /* It comes back as a simple literal. */
  TrineIter *it;
  TrineTerm q[4];
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, NULL, NULL, NULL, NULL, &it), TRINE_OK);
  assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
  assert_true(q[2].datatype == NULL || q[2].datatype_len == 0 ||
              term_is_xsd_string(q[2].datatype, q[2].datatype_len));
  assert_true(q[2].lang == NULL || q[2].lang_len == 0);
  char *txt = tu_term_text(&q[2]);
  assert_string_equal(txt, "\"x\"");
  free(txt);
  trine_iter_free(it);
  trine_txn_abort(t);
}

#define BIG (10u << 20)

static char *big_value(void) {
  char *v = malloc(BIG + 1);
  assert_non_null(v);
  for (size_t i = 0; i < BIG; ++i) v[i] = (char)('a' + (i * 7 + i / 26) % 26);
  v[BIG] = '\0';
  return v;
}

static void check_big(TrineStore *st, const char *v, const TrineTerm *g) {
  TrineTxn *t;
  TrineIter *it;
  TrineTerm q[4];
  TrineTerm lit = trine_literal(v, NULL, NULL);
  assert_int_equal(trine_txn_begin(st, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, NULL, NULL, &lit, g, &it), TRINE_OK);
  assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
  assert_int_equal(q[2].kind, TRINE_TERM_LITERAL);
  assert_int_equal(q[2].value_len, BIG);
  assert_memory_equal(q[2].value, v, BIG);
  assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
  trine_iter_free(it);
  /* And by scanning, not by lookup. */
  assert_int_equal(trine_txn_match(t, NULL, NULL, NULL, g, &it), TRINE_OK);
  bool seen = false;
  while (trine_iter_next(it, q) == TRINE_ROW)
    if (q[2].value_len == BIG) seen = memcmp(q[2].value, v, BIG) == 0;
  assert_true(seen);
  trine_iter_free(it);
  trine_txn_abort(t);
}

/* A 10 MB literal through trine_txn_add / trine_txn_match. */
static void test_dict_big_literal_add(void **state) {
  Fixture *f = *state;
  char *v = big_value();
  TrineTerm s = trine_iri("http://example.org/s"), p = trine_iri("http://example.org/p");
  TrineTerm lit = trine_literal(v, NULL, NULL);
  add_ok(f->store, &s, &p, &lit, NULL);
  check_big(f->store, v, NULL);
  reopen(f);
  check_big(f->store, v, NULL);
  /* A literal differing only in its last byte is another term. */
  v[BIG - 1] = v[BIG - 1] == 'a' ? 'b' : 'a';
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  lit = trine_literal(v, NULL, NULL);
  assert_int_equal(trine_txn_add(t, &s, &p, &lit, NULL), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  check_big(f->store, v, NULL);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), 2);
  free(v);
}

/* A 10 MB literal through the bulk loader (with escapes in it). */
static void test_dict_big_literal_load(void **state) {
  Fixture *f = *state;
  char *v = big_value();
  v[100] = '"';
  v[BIG / 2] = '\\';
  v[BIG - 3] = '\n';
  const char *head = "<http://example.org/s> <http://example.org/p> \"";
  const char *tail = "\" <http://example.org/g> .\n";
  size_t cap = strlen(head) + 2 * BIG + strlen(tail) + 1, n = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  n += (size_t)sprintf(text, "%s", head);
  for (size_t i = 0; i < BIG; ++i) {
    if (v[i] == '"' || v[i] == '\\') text[n++] = '\\', text[n++] = v[i];
    else if (v[i] == '\n') text[n++] = '\\', text[n++] = 'n';
    else text[n++] = v[i];
  }
  n += (size_t)sprintf(text + n, "%s", tail);
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(f->store, "big.nq", text, n, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 1);
  TrineTerm g = trine_iri("http://example.org/g");
  check_big(f->store, v, &g);
  reopen(f);
  check_big(f->store, v, &g);
  /* Loading it again finds the same term. */
  assert_int_equal(trine_store_load_buffer(f->store, "big.nq", text, n, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_read, 1);
  assert_int_equal(ls.quads_added, 0);
  free(text);
  free(v);
}

/* Ids survive closing and reopening the store. */
static void test_dict_ids_stable_across_reopen(void **state) {
  Fixture *f = *state;
  enum { N = 300 };
  TrineId ids[N];
  char name[64];
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  for (int i = 0; i < N; ++i) {
    snprintf(name, sizeof name, "http://example.org/t%d", i);
    TrineTerm x = i % 3 ? trine_iri(name) : trine_literal(name, NULL, i % 2 ? "en" : NULL);
    assert_int_equal(dict_intern(t, &x, &ids[i]), TRINE_OK);
  }
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  /* A load adds more terms after them. */
  assert_int_equal(load_text(f->store, "<http://example.org/x> <http://example.org/y> \"z\" .\n",
                             NULL),
                   TRINE_OK);
  for (int round = 0; round < 2; ++round) {
    reopen(f);
    assert_int_equal(trine_txn_begin(f->store, round == 0, &t), TRINE_OK);
    for (int i = 0; i < N; ++i) {
      snprintf(name, sizeof name, "http://example.org/t%d", i);
      TrineTerm x = i % 3 ? trine_iri(name) : trine_literal(name, NULL, i % 2 ? "en" : NULL);
      TrineId id;
      assert_int_equal(dict_lookup(t, &x, &id), TRINE_OK);
      assert_int_equal(id, ids[i]);
      TrineTerm back;
      char scratch[24];
      assert_int_equal(dict_term(t, ids[i], &back, scratch), TRINE_OK);
      assert_true(term_equal(&back, &x));
    }
    /* New terms get new ids. */
    if (round == 0) {
      TrineTerm x = trine_iri("http://example.org/new");
      TrineId id;
      assert_int_equal(dict_intern(t, &x, &id), TRINE_OK);
      for (int i = 0; i < N; ++i) assert_int_not_equal(id, ids[i]);
      assert_int_equal(trine_txn_commit(t), TRINE_OK);
    } else {
      trine_txn_abort(t);
    }
  }
}

static uint64_t const_hash(const void *data, size_t len) {
  (void)data;
  (void)len;
  return 42;
}

enum { NCOLL = 200 };

static TrineTerm coll_term(int i, char *buf, size_t n) {
  snprintf(buf, n, "http://example.org/c%d", i);
  switch (i % 4) {
  case 0: return trine_iri(buf);
  case 1: return trine_literal(buf, NULL, NULL);
  case 2: return trine_literal(buf, NULL, "en");
  default: return trine_literal(buf, "http://example.org/dt", NULL);
  }
}

static void check_collisions(TrineStore *st, const TrineId *ids) {
  TrineTxn *t;
  char buf[64];
  assert_int_equal(trine_txn_begin(st, false, &t), TRINE_OK);
  for (int i = 0; i < NCOLL; ++i) {
    TrineTerm x = coll_term(i, buf, sizeof buf);
    TrineId id;
    assert_int_equal(dict_lookup(t, &x, &id), TRINE_OK);
    assert_int_equal(id, ids[i]);
    TrineTerm back;
    char scratch[24];
    assert_int_equal(dict_term(t, id, &back, scratch), TRINE_OK);
    assert_true(term_equal(&back, &x));
  }
  trine_txn_abort(t);
}

/* Every term hashing to the same value: still one id per term, through
 * dict_intern, trine_txn_add and the bulk loader. */
static void test_dict_hash_collisions(void **state) {
  Fixture *f = *state;
  f->store->hash = const_hash;
  TrineId ids[NCOLL];
  char buf[64];
  TrineTxn *t;
  TrineTerm s = trine_iri("http://example.org/subject");
  TrineTerm p = trine_iri("http://example.org/pred");
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  for (int i = 0; i < NCOLL; ++i) {
    TrineTerm x = coll_term(i, buf, sizeof buf);
    assert_int_equal(trine_txn_add(t, &s, &p, &x, NULL), TRINE_OK);
    assert_int_equal(dict_lookup(t, &x, &ids[i]), TRINE_OK);
    for (int j = 0; j < i; ++j) assert_int_not_equal(ids[i], ids[j]);
  }
  /* Adding them again finds them. */
  for (int i = 0; i < NCOLL; ++i) {
    TrineTerm x = coll_term(i, buf, sizeof buf);
    assert_int_equal(trine_txn_add(t, &s, &p, &x, NULL), TRINE_NOT_FOUND);
  }
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  check_collisions(f->store, ids);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), NCOLL);
  for (int i = 0; i < NCOLL; i += 17) {
    TrineTerm x = coll_term(i, buf, sizeof buf);
    assert_int_equal(count_match(f->store, NULL, NULL, &x, NULL), 1);
  }

  /* The bulk loader with colliding terms: the old ones are found, new ones
   * get their own ids, within and across batches. */
  size_t cap = NCOLL * 2 * 160, n = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  for (int i = 0; i < 2 * NCOLL; ++i) {
    TrineTerm x = coll_term(i, buf, sizeof buf);
    char *o = tu_term_text(&x);
    n += (size_t)snprintf(text + n, cap - n, "<http://example.org/subject> "
                                             "<http://example.org/pred> %s .\n", o);
    free(o);
  }
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(f->store, "c.nt", text, n, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_read, 2 * NCOLL);
  assert_int_equal(ls.quads_added, NCOLL);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), 2 * NCOLL);
  TrineId ids2[2 * NCOLL];
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  for (int i = 0; i < 2 * NCOLL; ++i) {
    TrineTerm x = coll_term(i, buf, sizeof buf);
    assert_int_equal(dict_lookup(t, &x, &ids2[i]), TRINE_OK);
    if (i < NCOLL) assert_int_equal(ids2[i], ids[i]);
    for (int j = 0; j < i; ++j) assert_int_not_equal(ids2[i], ids2[j]);
    TrineTerm back;
    char scratch[24];
    assert_int_equal(dict_term(t, ids2[i], &back, scratch), TRINE_OK);
    assert_true(term_equal(&back, &x));
  }
  trine_txn_abort(t);
  /* Again: nothing new. */
  assert_int_equal(trine_store_load_buffer(f->store, "c.nt", text, n, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 0);
  free(text);

  /* After reopening, the ids still decode to their terms (scan)... */
  reopen(f);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), 2 * NCOLL);
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  for (int i = 0; i < 2 * NCOLL; ++i) {
    TrineTerm x = coll_term(i, buf, sizeof buf), back;
    char scratch[24];
    assert_int_equal(dict_term(t, ids2[i], &back, scratch), TRINE_OK);
    assert_true(term_equal(&back, &x));
  }
  trine_txn_abort(t);
  /* ...and with the constant hash set again for this open, lookups work. */
  f->store->hash = const_hash;
  check_collisions(f->store, ids2);
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  for (int i = 0; i < 2 * NCOLL; ++i) {
    TrineTerm x = coll_term(i, buf, sizeof buf);
    assert_int_equal(trine_txn_add(t, &s, &p, &x, NULL), TRINE_NOT_FOUND);
  }
  TrineTerm fresh = trine_iri("http://example.org/fresh");
  assert_int_equal(trine_txn_add(t, &s, &p, &fresh, NULL), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  assert_int_equal(count_match(f->store, NULL, NULL, &fresh, NULL), 1);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), 2 * NCOLL + 1);
}

/* Distinct subjects over the whole store. */
static size_t distinct_subjects(TrineStore *st) {
  TrineTxn *t;
  TrineIter *it;
  TrineTerm q[4];
  char **seen = NULL;
  size_t n = 0;
  assert_int_equal(trine_txn_begin(st, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, NULL, NULL, NULL, NULL, &it), TRINE_OK);
  while (trine_iter_next(it, q) == TRINE_ROW) {
    char *x = tu_term_text(&q[0]);
    bool dup = false;
    for (size_t i = 0; i < n && !dup; ++i) dup = strcmp(seen[i], x) == 0;
    if (dup) {
      free(x);
      continue;
    }
    seen = realloc(seen, (n + 1) * sizeof *seen);
    assert_non_null(seen);
    seen[n++] = x;
  }
  trine_iter_free(it);
  trine_txn_abort(t);
  for (size_t i = 0; i < n; ++i) free(seen[i]);
  free(seen);
  return n;
}

/* Two loads of the same document give different blank nodes. */
/* Lookups by value are remembered by the store across transactions
 * (termcache.c): each answer must still be its own snapshot's. */
static void test_dict_lookups_remembered(void **state) {
  Fixture *f = *state;
  TrineTerm a = trine_iri("http://example.org/a"), b = trine_iri("http://example.org/b"),
            c = trine_literal("c", NULL, NULL);
  TrineTxn *t, *old;
  TrineId ida, idb, idc, id;
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  assert_int_equal(dict_intern(t, &a, &ida), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  for (int i = 0; i < 2; ++i) { /* the second from the cache */
    assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
    assert_int_equal(dict_lookup(t, &a, &id), TRINE_OK);
    assert_int_equal(id, ida);
    assert_int_equal(dict_lookup(t, &b, &id), TRINE_NOT_FOUND);
    trine_txn_abort(t);
  }
  assert_int_equal(trine_txn_begin(f->store, false, &old), TRINE_OK); /* before b, c */
  /* b is made and rolled back; c then takes its sequence number */
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  assert_int_equal(dict_intern(t, &b, &idb), TRINE_OK);
  assert_int_equal(dict_lookup(t, &b, &id), TRINE_OK);
  assert_int_equal(id, idb);
  trine_txn_abort(t);
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  assert_int_equal(dict_lookup(t, &b, &id), TRINE_NOT_FOUND);
  assert_int_equal(dict_intern(t, &c, &idc), TRINE_OK);
  assert_int_equal(id_seq(idc), id_seq(idb));
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  for (int i = 0; i < 2; ++i) {
    assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
    assert_int_equal(dict_lookup(t, &b, &id), TRINE_NOT_FOUND);
    assert_int_equal(dict_lookup(t, &c, &id), TRINE_OK);
    assert_int_equal(id, idc);
    trine_txn_abort(t);
  }
  /* The snapshot from before c does not hold it, though the cache does. */
  assert_int_equal(dict_lookup(old, &c, &id), TRINE_NOT_FOUND);
  assert_int_equal(dict_lookup(old, &a, &id), TRINE_OK);
  assert_int_equal(id, ida);
  trine_txn_abort(old);
}

static void test_dict_blank_scoped_per_load(void **state) {
  Fixture *f = *state;
  const char *doc = "_:a <http://example.org/p> _:b .\n"
                    "_:b <http://example.org/p> _:a .\n"
                    "_:c <http://example.org/p> \"x\" <http://example.org/g> .\n"
                    "_:a <http://example.org/q> _:c .\n";
  TrineLoadStats ls;
  assert_int_equal(load_text(f->store, doc, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 4);
  assert_int_equal(distinct_subjects(f->store), 3);
  assert_int_equal(load_text(f->store, doc, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 4);
  assert_int_equal(distinct_subjects(f->store), 6);
  assert_int_equal(count_match(f->store, NULL, NULL, NULL, NULL), 8);
  /* Within one load, one label is one node: _:a's two statements share it. */
  TrineTxn *t;
  TrineIter *it;
  TrineTerm q[4];
  TrineTerm pq = trine_iri("http://example.org/q");
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, NULL, &pq, NULL, NULL, &it), TRINE_OK);
  int rows = 0;
  while (trine_iter_next(it, q) == TRINE_ROW) {
    ++rows;
    char *subj = tu_term_text(&q[0]);
    TrineTerm s = trine_blank(subj + 2);
    TrineTerm pp = trine_iri("http://example.org/p");
    TrineIter *it2;
    TrineTerm r[4];
    assert_int_equal(trine_txn_match(t, &s, &pp, NULL, NULL, &it2), TRINE_OK);
    assert_int_equal(trine_iter_next(it2, r), TRINE_ROW);
    assert_int_equal(r[2].kind, TRINE_TERM_BLANK);
    assert_int_equal(trine_iter_next(it2, r), TRINE_DONE);
    trine_iter_free(it2);
    free(subj);
  }
  assert_int_equal(rows, 2);
  trine_iter_free(it);
  trine_txn_abort(t);
  /* Also from a file. */
  char path[512];
  snprintf(path, sizeof path, "%s/doc.nq", f->dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(doc, fp);
  fclose(fp);
  assert_int_equal(trine_store_load_file(f->store, path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 4);
  assert_int_equal(distinct_subjects(f->store), 9);
  /* And trine_txn_add in separate transactions. */
  TrineTerm x = trine_blank("x"), p = trine_iri("http://example.org/p");
  TrineTerm o = trine_literal("v", NULL, NULL);
  add_ok(f->store, &x, &p, &o, NULL);
  add_ok(f->store, &x, &p, &o, NULL);
  assert_int_equal(distinct_subjects(f->store), 11);
}

/* Canonical labels returned by iteration name the same node in a match,
 * in the same store open and after reopening. */
static void test_dict_blank_canonical_label_matches(void **state) {
  Fixture *f = *state;
  assert_int_equal(load_text(f->store,
                             "_:n1 <http://example.org/p> \"1\" .\n"
                             "_:n1 <http://example.org/p> \"2\" <http://example.org/g> .\n"
                             "_:n2 <http://example.org/p> _:n1 .\n"
                             "<http://example.org/s> <http://example.org/r> _:n2 _:g .\n",
                             NULL),
                   TRINE_OK);
  for (int round = 0; round < 2; ++round) {
    TrineTxn *t;
    TrineIter *it;
    TrineTerm q[4];
    TrineTerm lit = trine_literal("1", NULL, NULL);
    assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
    assert_int_equal(trine_txn_match(t, NULL, NULL, &lit, NULL, &it), TRINE_OK);
    assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
    assert_int_equal(q[0].kind, TRINE_TERM_BLANK);
    char label[64];
    assert_true(q[0].value_len < sizeof label);
    memcpy(label, q[0].value, q[0].value_len);
    label[q[0].value_len] = '\0';
    assert_int_equal(label[0], 'b');
    trine_iter_free(it);
    TrineTerm b = trine_blank(label);
    /* As subject: both of n1's statements (default and named graph). */
    assert_int_equal(trine_txn_match(t, &b, NULL, NULL, NULL, &it), TRINE_OK);
    int n = 0;
    while (trine_iter_next(it, q) == TRINE_ROW) {
      ++n;
      assert_true(same_bytes(q[0].value, q[0].value_len, label, strlen(label)));
    }
    assert_int_equal(n, 2);
    trine_iter_free(it);
    /* As object. */
    assert_int_equal(trine_txn_match(t, NULL, NULL, &b, NULL, &it), TRINE_OK);
    assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
    assert_int_equal(q[0].kind, TRINE_TERM_BLANK);
    assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
    trine_iter_free(it);
    /* A blank graph name, found by its canonical label. */
    TrineTerm r = trine_iri("http://example.org/r");
    assert_int_equal(trine_txn_match(t, NULL, &r, NULL, NULL, &it), TRINE_OK);
    assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
    assert_int_equal(q[3].kind, TRINE_TERM_BLANK);
    memcpy(label, q[3].value, q[3].value_len);
    label[q[3].value_len] = '\0';
    trine_iter_free(it);
    TrineTerm g = trine_blank(label);
    assert_int_equal(trine_txn_match(t, NULL, NULL, NULL, &g, &it), TRINE_OK);
    assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
    assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
    trine_iter_free(it);
    /* The document label means nothing outside its load. */
    TrineTerm doc = trine_blank("n1");
    assert_int_equal(trine_txn_match(t, &doc, NULL, NULL, NULL, &it), TRINE_OK);
    assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
    trine_iter_free(it);
    trine_txn_abort(t);
    reopen(f);
  }
  /* A canonical label used to add: the same node. */
  TrineTxn *t;
  TrineIter *it;
  TrineTerm q[4];
  TrineTerm lit = trine_literal("1", NULL, NULL);
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, NULL, NULL, &lit, NULL, &it), TRINE_OK);
  assert_int_equal(trine_iter_next(it, q), TRINE_ROW);
  char label[64];
  memcpy(label, q[0].value, q[0].value_len);
  label[q[0].value_len] = '\0';
  trine_iter_free(it);
  trine_txn_abort(t);
  TrineTerm b = trine_blank(label), p = trine_iri("http://example.org/p");
  TrineTerm three = trine_literal("3", NULL, NULL);
  add_ok(f->store, &b, &p, &three, NULL);
  assert_int_equal(count_match(f->store, &b, NULL, NULL, NULL), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dict_encode_decode_roundtrip),
      cmocka_unit_test_setup_teardown(test_dict_intern_every_kind, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_lang_case_insensitive, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_xsd_string_is_simple, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_big_literal_add, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_big_literal_load, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_ids_stable_across_reopen, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_hash_collisions, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_lookups_remembered, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_blank_scoped_per_load, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_dict_blank_canonical_label_matches, setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
