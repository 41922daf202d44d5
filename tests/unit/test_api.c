/*
 * test_api.c -- the public API's contracts: misuse is a status, never a
 * crash (NULL handles and out-parameters give TRINE_ERR_ARG with a
 * message, getters NULL or 0); a second write on the thread that holds one
 * fails at once instead of waiting for itself; a store with open
 * transactions or queries is not closed under them; a store is opened once
 * per process.
 */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char data[] = "<http://ex/a> <http://ex/b> <http://ex/c> .\n";

static int setup(void **state) {
  if (tu_setup(state, "api", NULL)) return -1;
  TuStore *t = *state;
  return trine_store_load_buffer(t->store, "data", data, sizeof data - 1, NULL, NULL) ? -1 : 0;
}

/* The message a NULL-handle misuse leaves names the call. */
static void assert_thread_message(const char *call) {
  if (!strstr(trine_open_errmsg(), call)) fail_msg("message '%s' lacks %s", trine_open_errmsg(), call);
}

static void test_api_null_handles(void **state) {
  TuStore *t = *state;
  TrineStore *s = NULL;
  TrineTxn *txn = NULL;
  TrineQuery *q = NULL;
  TrineIter *it = NULL;
  TrineTerm quad[4];
  TrineStats stats;
  assert_int_equal(trine_store_open(t->dir, NULL, NULL), TRINE_ERR_ARG);
  assert_thread_message("trine_store_open");
  assert_int_equal(trine_store_open(NULL, NULL, &s), TRINE_ERR_ARG);
  assert_null(s);
  assert_int_equal(trine_txn_begin(NULL, false, &txn), TRINE_ERR_ARG);
  assert_thread_message("trine_txn_begin");
  assert_null(txn);
  assert_int_equal(trine_txn_begin(t->store, false, NULL), TRINE_ERR_ARG);
  assert_non_null(strstr(trine_store_errmsg(t->store), "trine_txn_begin"));
  assert_int_equal(trine_txn_commit(NULL), TRINE_ERR_ARG);
  trine_txn_abort(NULL);
  TrineTerm a = trine_iri("http://ex/a");
  assert_int_equal(trine_txn_add(NULL, &a, &a, &a, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_txn_remove(NULL, &a, &a, &a, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_txn_match(NULL, NULL, NULL, NULL, NULL, &it), TRINE_ERR_ARG);
  assert_int_equal(trine_iter_next(NULL, quad), TRINE_ERR_ARG);
  trine_iter_free(NULL);
  assert_int_equal(trine_store_load_file(NULL, "x.nt", NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_load_file(t->store, NULL, NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_load_buffer(NULL, "b", data, 3, NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_load_buffer(t->store, "b", NULL, 3, NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_dump(NULL, stdout, TRINE_FORMAT_NQUADS, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_dump(t->store, NULL, TRINE_FORMAT_NQUADS, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_stats(NULL, NULL, &stats), TRINE_ERR_ARG);
  assert_int_equal(trine_store_stats(t->store, NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_predicates(t->store, NULL, NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_graphs(NULL, NULL, NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_set_prefix(NULL, "ex", "http://ex/"), TRINE_ERR_ARG);
  assert_int_equal(trine_store_prefixes(t->store, NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_query_prepare(t->store, "ASK {}", 6, NULL, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_query_prepare(t->store, NULL, 6, NULL, &q), TRINE_ERR_ARG);
  assert_null(q);
  assert_int_equal(trine_query_step(NULL), TRINE_ERR_ARG);
  assert_thread_message("trine_query_step");
  assert_int_equal(trine_query_reset(NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_query_explain(NULL, stdout), TRINE_ERR_ARG);
  assert_int_equal(trine_query_write(NULL, TRINE_RESULTS_TSV, NULL, stdout, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_query_columns(NULL), 0);
  assert_null(trine_query_column_name(NULL, 0));
  assert_null(trine_query_term(NULL, 0));
  assert_int_equal(trine_query_form(NULL), 0);
  trine_query_cancel(NULL);
  trine_query_free(NULL);
  assert_non_null(trine_store_errmsg(NULL));
  assert_false(trine_store_readonly(NULL));
  assert_false(trine_store_created(NULL));
  assert_int_equal(trine_error_format(NULL, NULL, 0), 0);
  assert_int_equal(trine_store_close(NULL), TRINE_OK);
}

/* Each of these waited forever for the write transaction its own thread
 * held (LMDB's writer lock). */
static void test_api_second_write_on_one_thread(void **state) {
  TuStore *t = *state;
  TrineTxn *w, *again = NULL;
  assert_int_equal(trine_txn_begin(t->store, true, &w), TRINE_OK);
  assert_int_equal(trine_txn_begin(t->store, true, &again), TRINE_ERR_BUSY);
  assert_null(again);
  assert_non_null(strstr(trine_store_errmsg(t->store), "already holds"));
  assert_int_equal(tu_update(t->store, "INSERT DATA { <http://ex/x> <http://ex/y> 1 }"),
                   TRINE_ERR_BUSY);
  assert_int_equal(trine_store_load_buffer(t->store, "more", data, sizeof data - 1, NULL, NULL),
                   TRINE_ERR_BUSY);
  TrineTxn *r; /* reading is fine */
  assert_int_equal(trine_txn_begin(t->store, false, &r), TRINE_OK);
  trine_txn_abort(r);
  assert_int_equal(trine_txn_commit(w), TRINE_OK);
  assert_int_equal(tu_update(t->store, "INSERT DATA { <http://ex/x> <http://ex/y> 1 }"), TRINE_DONE);
}

/* Closing the environment under a live transaction crashed inside LMDB
 * later: close refuses, and the store goes on working. */
static void test_api_close_refused_while_in_use(void **state) {
  TuStore *t = *state;
  TrineTxn *r;
  assert_int_equal(trine_txn_begin(t->store, false, &r), TRINE_OK);
  assert_int_equal(trine_store_close(t->store), TRINE_ERR_BUSY);
  assert_non_null(strstr(trine_store_errmsg(t->store), "1 transaction"));
  TrineIter *it;
  TrineTerm quad[4];
  assert_int_equal(trine_txn_match(r, NULL, NULL, NULL, NULL, &it), TRINE_OK);
  assert_int_equal(trine_iter_next(it, quad), TRINE_ROW);
  trine_iter_free(it);
  trine_txn_abort(r);
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, "ASK {}", 6, NULL, &q), TRINE_OK);
  assert_int_equal(trine_store_close(t->store), TRINE_ERR_BUSY);
  assert_non_null(strstr(trine_store_errmsg(t->store), "1 query is still open"));
  assert_int_equal(trine_query_step(q), TRINE_ROW);
  trine_query_free(q);
  assert_int_equal(trine_store_close(t->store), TRINE_OK);
  t->store = NULL; /* closed: the teardown removes the directory only */
}

/* LMDB forbids a second open of one store in a process (closing it would
 * drop the first's locks): by the same path or another, it is refused
 * while the first handle is open, and allowed again after its close. */
static void test_api_store_opened_twice(void **state) {
  TuStore *t = *state;
  char other[4200];
  snprintf(other, sizeof other, "%s/.", t->dir);
  TrineStore *s = (TrineStore *)1;
  assert_int_equal(trine_store_open(t->dir, NULL, &s), TRINE_ERR_BUSY);
  assert_null(s);
  assert_non_null(strstr(trine_open_errmsg(), "already open in this process"));
  assert_int_equal(trine_store_open(other, NULL, &s), TRINE_ERR_BUSY);
  TrineOptions ro = {.flags = TRINE_OPEN_READONLY};
  assert_int_equal(trine_store_open(t->dir, &ro, &s), TRINE_ERR_BUSY);
  /* The first handle is untouched by the refusals. */
  assert_int_equal(trine_store_check(t->store, NULL, NULL, NULL), TRINE_OK);
  assert_int_equal(trine_store_close(t->store), TRINE_OK);
  t->store = NULL;
  assert_int_equal(trine_store_open(other, NULL, &t->store), TRINE_OK);
  TrineStats st;
  assert_int_equal(trine_store_stats(t->store, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 1);
}

/* Terms are checked where they enter: what N-Triples would reject is
 * TRINE_ERR_ARG. Each of these was stored, and the store's dump was then
 * refused by its own loader. */
static void test_api_terms_checked(void **state) {
  TuStore *t = *state;
  TrineTerm s = trine_iri("http://ex/s"), p = trine_iri("http://ex/p");
  const TrineTerm bad[] = {
      trine_iri("not an iri <>"), trine_iri("relative/x"), trine_iri("http://ex/a b"),
      trine_literal("x", NULL, "not a lang!"), trine_literal("x", "relative", NULL),
      trine_blank("a b"), trine_literal("\xff\xfe", NULL, NULL), trine_iri(""),
  };
  TrineTxn *txn;
  assert_int_equal(trine_txn_begin(t->store, true, &txn), TRINE_OK);
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    TrineStatus st = trine_txn_add(txn, &s, &p, &bad[i], NULL);
    if (st != TRINE_ERR_ARG) fail_msg("term %zu: %s", i, trine_strerror(st));
  }
  assert_non_null(strstr(trine_store_errmsg(t->store), "the object"));
  TrineTerm g = trine_iri("no scheme");
  assert_int_equal(trine_txn_add(txn, &s, &p, &s, &g), TRINE_ERR_ARG);
  const TrineTerm good[] = {
      trine_iri("http://ex/\xc3\xa9t\xc3\xa9"), trine_literal("x", NULL, "en-GB"),
      trine_blank("b1"), trine_literal("line\nbreak \"quoted\" \\", NULL, NULL),
      trine_literal("abc", "http://www.w3.org/2001/XMLSchema#integer", NULL),
  };
  for (size_t i = 0; i < sizeof good / sizeof *good; ++i)
    assert_int_equal(trine_txn_add(txn, &s, &p, &good[i], NULL), TRINE_OK);
  assert_int_equal(trine_txn_commit(txn), TRINE_OK);
}

/* Random terms through the API: whatever the store takes, its dump loads
 * into a new store, which then dumps the same. */
static void test_api_random_terms_round_trip(void **state) {
  TuStore *t = *state;
  static const char alphabet[] = "ab:/#-_. <>\"{}|^`\\\n\t@%\xc3\xa9\xe4\xb8\xad\x01";
  srand(7);
  TrineTxn *txn;
  assert_int_equal(trine_txn_begin(t->store, true, &txn), TRINE_OK);
  TrineTerm s = trine_iri("http://ex/s"), p = trine_iri("http://ex/p");
  size_t taken = 0, refused = 0;
  for (int i = 0; i < 3000; ++i) {
    char v[24], extra[24];
    size_t n = (size_t)(rand() % 12), m = (size_t)(rand() % 8);
    for (size_t k = 0; k < n; ++k) v[k] = alphabet[rand() % (int)(sizeof alphabet - 1)];
    for (size_t k = 0; k < m; ++k) extra[k] = alphabet[rand() % (int)(sizeof alphabet - 1)];
    v[n] = extra[m] = '\0';
    char iri[64];
    snprintf(iri, sizeof iri, "http://ex/%s", v);
    TrineTerm o;
    switch (rand() % 4) {
    case 0: o = trine_iri(rand() % 2 ? iri : v); break;
    case 1: o = trine_literal(v, NULL, extra); break;
    case 2: o = trine_literal(v, rand() % 2 ? "http://ex/dt" : extra, NULL); break;
    default: o = trine_literal(v, NULL, NULL); break;
    }
    TrineStatus st = trine_txn_add(txn, &s, &p, &o, NULL);
    if (st == TRINE_OK || st == TRINE_NOT_FOUND) taken++; /* added, or there already */
    else if (st == TRINE_ERR_ARG) refused++;
    else fail_msg("term %d: %s", i, trine_strerror(st));
  }
  assert_int_equal(trine_txn_commit(txn), TRINE_OK);
  assert_true(taken > 300 && refused > 300); /* both sides were tried */
  size_t len;
  char *dump = tu_dump(t->store, TRINE_FORMAT_NQUADS, NULL, &len);
  TuStore t2;
  assert_int_equal(tu_store_open(&t2, "api-copy", NULL), 0);
  assert_int_equal(trine_store_load_buffer(t2.store, "dump", dump, len, NULL, NULL), TRINE_OK);
  size_t len2;
  char *dump2 = tu_dump(t2.store, TRINE_FORMAT_NQUADS, NULL, &len2);
  assert_int_equal(len2, len);
  assert_memory_equal(dump2, dump, len);
  free(dump);
  free(dump2);
  tu_store_close(&t2);
}

/* The number of rows of a query, run in txn (NULL: its own). */
static size_t rows_in(TrineStore *s, TrineTxn *txn, const char *text) {
  TrineQueryOptions o = {.txn = txn};
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(s, text, strlen(text), &o, &q), TRINE_OK);
  size_t n = 0;
  TrineStatus st;
  while ((st = trine_query_step(q)) == TRINE_ROW) n++;
  assert_int_equal(st, TRINE_DONE);
  trine_query_free(q);
  return n;
}

/* Queries, updates, loads and dumps run in the caller's transaction: they
 * see its writes, and everything commits (or not) together. */
static void test_api_transactions_compose(void **state) {
  TuStore *t = *state;
  const char *all = "SELECT * { ?s ?p ?o }";
  TrineTxn *w;
  assert_int_equal(trine_txn_begin(t->store, true, &w), TRINE_OK);
  TrineTerm a = trine_iri("http://ex/a"), k = trine_iri("http://ex/k");
  assert_int_equal(trine_txn_add(w, &a, &k, &a, NULL), TRINE_OK);
  assert_int_equal(rows_in(t->store, w, all), 2); /* read your writes */
  TrineQueryOptions o = {.txn = w, .allow = TRINE_ALLOW_UPDATE};
  TrineQuery *q;
  const char *ins = "INSERT DATA { <http://ex/u> <http://ex/v> 1 }";
  assert_int_equal(trine_query_prepare(t->store, ins, strlen(ins), &o, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_DONE);
  trine_query_free(q);
  static const char more[] = "<http://ex/l> <http://ex/m> <http://ex/n> .\n";
  TrineLoadOptions lo = {.txn = w};
  assert_int_equal(trine_store_load_buffer(t->store, "more", more, sizeof more - 1, &lo, NULL),
                   TRINE_OK);
  assert_int_equal(rows_in(t->store, w, all), 4);
  assert_int_equal(rows_in(t->store, NULL, all), 1); /* others see the last commit */
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_int_equal(trine_txn_dump(w, f, TRINE_FORMAT_NQUADS, NULL), TRINE_OK);
  fclose(f);
  assert_non_null(strstr(text, "<http://ex/l>"));
  assert_non_null(strstr(text, "<http://ex/u>"));
  free(text);
  assert_int_equal(trine_txn_commit(w), TRINE_OK);
  assert_int_equal(rows_in(t->store, NULL, all), 4);
  /* An update failing halfway in a caller's transaction: its commit rolls
   * everything back and says why. */
  assert_int_equal(trine_txn_begin(t->store, true, &w), TRINE_OK);
  assert_int_equal(trine_txn_add(w, &k, &k, &k, NULL), TRINE_OK);
  o.txn = w;
  const char *bad = "INSERT DATA { <http://ex/x> <http://ex/y> 2 } ; DROP GRAPH <http://ex/none>";
  assert_int_equal(trine_query_prepare(t->store, bad, strlen(bad), &o, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ERR_ARG);
  trine_query_free(q);
  assert_int_equal(trine_txn_commit(w), TRINE_ERR_ARG);
  assert_non_null(strstr(trine_store_errmsg(t->store), "rolled back"));
  assert_int_equal(rows_in(t->store, NULL, all), 4);
  /* An update needs a write transaction. */
  TrineTxn *r;
  assert_int_equal(trine_txn_begin(t->store, false, &r), TRINE_OK);
  o.txn = r;
  assert_int_equal(trine_query_prepare(t->store, ins, strlen(ins), &o, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ERR_READONLY);
  trine_query_free(q);
  trine_txn_abort(r);
}

/* trine_query_column_index, trine_txn_count, and the open options. */
static void test_api_small_calls(void **state) {
  TuStore *t = *state;
  const char *text = "SELECT ?b ?a { ?a ?p ?b }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), NULL, &q), TRINE_OK);
  assert_int_equal(trine_query_column_index(q, "a"), 1);
  assert_int_equal(trine_query_column_index(q, "?b"), 0);
  assert_int_equal(trine_query_column_index(q, "p"), -1); /* not projected */
  assert_int_equal(trine_query_column_index(NULL, "a"), -1);
  trine_query_free(q);
  static const char more[] = "<http://ex/a> <http://ex/b> <http://ex/d> .\n"
                             "<http://ex/a> <http://ex/b> <http://ex/e> <http://ex/g> .\n";
  assert_int_equal(trine_store_load_buffer(t->store, "m", more, sizeof more - 1, NULL, NULL),
                   TRINE_OK);
  TrineTxn *r;
  assert_int_equal(trine_txn_begin(t->store, false, &r), TRINE_OK);
  TrineTerm a = trine_iri("http://ex/a"), b = trine_iri("http://ex/b"), g = trine_iri("http://ex/g");
  TrineTerm dflt = trine_default_graph(), none = trine_iri("http://ex/none");
  uint64_t n;
  assert_int_equal(trine_txn_count(r, &a, &b, NULL, NULL, &n), TRINE_OK);
  assert_int_equal(n, 3);
  assert_int_equal(trine_txn_count(r, &a, NULL, NULL, &dflt, &n), TRINE_OK);
  assert_int_equal(n, 2);
  assert_int_equal(trine_txn_count(r, NULL, NULL, NULL, &g, &n), TRINE_OK);
  assert_int_equal(n, 1);
  assert_int_equal(trine_txn_count(r, &none, NULL, NULL, NULL, &n), TRINE_OK);
  assert_int_equal(n, 0);
  assert_int_equal(trine_txn_count(r, NULL, NULL, NULL, NULL, NULL), TRINE_ERR_ARG);
  trine_txn_abort(r);
  /* A small map fills: TRINE_ERR_FULL, not a crash; NOSYNC stores commit. */
  char *dir = tu_tmpdir("api-map");
  assert_non_null(dir);
  char path[4200];
  snprintf(path, sizeof path, "%s/s", dir);
  TrineOptions o = {.flags = TRINE_OPEN_NOSYNC, .map_size = (size_t)1 << 20};
  TrineStore *small;
  assert_int_equal(trine_store_open(path, &o, &small), TRINE_OK);
  char *big = malloc(4u << 20);
  assert_non_null(big);
  memset(big, 'x', 4u << 20);
  memcpy(big, "<http://ex/s> <http://ex/p> \"", 29);
  memcpy(big + (4u << 20) - 4, "\" .\n", 4);
  assert_int_equal(trine_store_load_buffer(small, "big", big, 4u << 20, NULL, NULL), TRINE_ERR_FULL);
  assert_int_equal(trine_store_load_buffer(small, "d", data, sizeof data - 1, NULL, NULL), TRINE_OK);
  free(big);
  assert_int_equal(trine_store_close(small), TRINE_OK);
  tu_rmtree(dir);
}

/* A request does only what the program allowed: text from elsewhere cannot
 * write, read a file into the store or call out. Before, any request text
 * could do all three (LOAD <file:///etc/passwd> read the file in). */
static void test_api_requests_allowed(void **state) {
  TuStore *t = *state;
  char path[4200];
  snprintf(path, sizeof path, "%s/secret.nt", t->dir);
  const char *nt = "<http://ex/secret> <http://ex/is> \"x\" .\n";
  tu_write_file(path, nt, strlen(nt));
  char load[4300];
  snprintf(load, sizeof load, "LOAD <file://%s>", path);
  struct { const char *text; unsigned allow; } denied[] = {
      {"INSERT DATA { <http://ex/x> <http://ex/y> 1 }", 0},
      {"DELETE WHERE { ?s ?p ?o }", TRINE_ALLOW_LOAD_FILES | TRINE_ALLOW_SERVICE},
      {load, TRINE_ALLOW_UPDATE},
      {"SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", TRINE_ALLOW_UPDATE},
  };
  for (size_t i = 0; i < sizeof denied / sizeof *denied; ++i) {
    TrineQueryOptions o = {.allow = denied[i].allow};
    TrineQuery *q = NULL;
    TrineStatus st = trine_query_prepare(t->store, denied[i].text, strlen(denied[i].text), &o, &q);
    if (st != TRINE_ERR_DENIED) fail_msg("%s: %s", denied[i].text, trine_strerror(st));
    assert_null(q);
  }
  assert_non_null(strstr(trine_store_errmsg(t->store), "TRINE_ALLOW_SERVICE"));
  TrineStats stats;
  assert_int_equal(trine_store_stats(t->store, NULL, &stats), TRINE_OK);
  assert_int_equal(stats.quads, 1);
  TrineQueryOptions o = {.allow = TRINE_ALLOW_UPDATE | TRINE_ALLOW_LOAD_FILES};
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, load, strlen(load), &o, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_DONE);
  trine_query_free(q);
  assert_int_equal(trine_store_stats(t->store, NULL, &stats), TRINE_OK);
  assert_int_equal(stats.quads, 2);
}

/* The prefixes a request declares, for writers that declare them again:
 * in the order written, a name declared twice once with its last IRI,
 * IRIs resolved against BASE, across the operations of an update. */
static void test_api_query_prefixes(void **state) {
  (void)state;
  static const char text[] =
      "BASE <http://b/> PREFIX a: <x#> PREFIX : <http://e/> PREFIX a: <http://a2/>\n"
      "CONSTRUCT WHERE { ?s a:p ?o }";
  TrineQuery *q;
  const char *const *pairs = (const char *const *)&pairs;
  assert_int_equal(trine_query_prepare(NULL, text, strlen(text), NULL, &q), TRINE_OK);
  assert_int_equal(trine_query_prefixes(q, &pairs), 2);
  assert_string_equal(pairs[0], "");
  assert_string_equal(pairs[1], "http://e/");
  assert_string_equal(pairs[2], "a");
  assert_string_equal(pairs[3], "http://a2/");
  trine_query_free(q);
  static const char none[] = "ASK {}";
  assert_int_equal(trine_query_prepare(NULL, none, strlen(none), NULL, &q), TRINE_OK);
  assert_int_equal(trine_query_prefixes(q, &pairs), 0);
  assert_null(pairs);
  trine_query_free(q);
  static const char upd[] = "PREFIX a: <http://a/> INSERT DATA { a:s a:p 1 } ;\n"
                            "BASE <http://b/> PREFIX c: <c/> INSERT DATA { c:s a:p 2 }";
  assert_int_equal(trine_query_prepare(NULL, upd, strlen(upd), NULL, &q), TRINE_OK);
  assert_int_equal(trine_query_prefixes(q, &pairs), 2);
  assert_string_equal(pairs[1], "http://a/");
  assert_string_equal(pairs[2], "c");
  assert_string_equal(pairs[3], "http://b/c/");
  trine_query_free(q);
  assert_int_equal(trine_query_prefixes(NULL, &pairs), 0);
  assert_null(pairs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_api_query_prefixes),
      cmocka_unit_test_setup_teardown(test_api_null_handles, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_api_second_write_on_one_thread, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_api_close_refused_while_in_use, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_api_store_opened_twice, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_api_terms_checked, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_api_random_terms_round_trip, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_api_transactions_compose, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_api_small_calls, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_api_requests_allowed, setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
