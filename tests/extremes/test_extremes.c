/*
 * test_extremes.c -- hostile input and limits through the public API
 * (issue 19, "Extremes"): invalid UTF-8 and NUL bytes in every kind of
 * input, a 100 MB literal, a 1 MB IRI, queries nested 10,000 deep and of
 * 100,000 triple patterns, cross products with and without LIMIT, regex
 * bombs, property paths around a cycle of a million nodes and a
 * GROUP_CONCAT of a billion characters. Each case asserts its outcome (the
 * right answer, or an error naming the limit) and that the store and the
 * process still answer afterwards (alive()).
 *
 * EXTREMES_SCALE (1, or 10 under the sanitizers, from meson.build) divides
 * the sizes of the big cases, which ASan makes several times slower; every
 * case still runs. Under valgrind (TRINE_TEST_SLOW set, by
 * tests/valgrind/meson.build) the sizes are a tenth too, and the bounds on
 * time TRINE_TEST_SLOW times longer.
 */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#ifndef EXTREMES_SCALE
#define EXTREMES_SCALE 1
#endif

/* How many times slower than usual the program runs (1, or 20 under
 * valgrind). */
static double slow(void) {
  const char *s = getenv("TRINE_TEST_SLOW");
  return s && atof(s) > 1 ? atof(s) : 1;
}

/* What divides the big sizes: a tenth under the sanitizers or valgrind. */
static unsigned scale(void) { return slow() > 1 ? 10 : EXTREMES_SCALE; }

/* ---- helpers ---- */

/* The last error a sink heard, formatted as FILE:LINE:COL: error: MESSAGE. */
typedef struct {
  char text[1024];
  int count;
} Heard;

static void hear(void *ctx, const TrineError *e) {
  Heard *h = ctx;
  trine_error_format(e, h->text, sizeof h->text);
  h->count++;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every case starts from a store holding this one triple. */
static const char BASE[] = "<http://ex/a> <http://ex/p> \"ok\" .\n";

static int setup(void **state) {
  if (tu_setup(state, "extremes", "store")) return -1;
  TuStore *t = *state;
  return trine_store_load_buffer(t->store, "base.nt", BASE, sizeof BASE - 1, NULL, NULL) ? -1
                                                                                          : 0;
}

/* The number of quads in the store. */
static uint64_t quads(TrineStore *s) {
  TrineTxn *txn;
  uint64_t n = 0;
  assert_int_equal(trine_txn_begin(s, false, &txn), TRINE_OK);
  assert_int_equal(trine_txn_count(txn, NULL, NULL, NULL, NULL, &n), TRINE_OK);
  trine_txn_abort(txn);
  return n;
}

/* Run text (n bytes) to its end with options o: the final status, the
 * rows in *rows. */
static TrineStatus run_n(TrineStore *s, const char *text, size_t n, const TrineQueryOptions *o,
                         size_t *rows) {
  TrineQuery *q;
  TrineStatus st = trine_query_prepare(s, text, n, o, &q);
  if (st) return st;
  *rows = 0;
  while ((st = trine_query_step(q)) == TRINE_ROW) ++*rows;
  trine_query_free(q);
  return st;
}

static TrineStatus run(TrineStore *s, const char *text, const TrineQueryOptions *o,
                       size_t *rows) {
  return run_n(s, text, strlen(text), o, rows);
}

/* The integer in the first column of the one row of text. */
static long long one_number(TrineStore *s, const char *text, const TrineQueryOptions *o) {
  TrineQuery *q;
  TrineStatus st = trine_query_prepare(s, text, strlen(text), o, &q);
  if (st) fail_msg("%.80s: %s", text, trine_store_errmsg(s));
  st = trine_query_step(q);
  if (st != TRINE_ROW) fail_msg("%.80s: %s", text, trine_store_errmsg(s));
  const TrineTerm *t = trine_query_term(q, 0);
  assert_non_null(t);
  char num[32];
  assert_true(t->value_len < sizeof num);
  memcpy(num, t->value, t->value_len);
  num[t->value_len] = 0;
  assert_int_equal(trine_query_step(q), TRINE_DONE);
  trine_query_free(q);
  return strtoll(num, NULL, 10);
}

/* The store still answers, with its base triple, and holds want quads. */
static void alive(TrineStore *s, uint64_t want) {
  size_t rows;
  assert_int_equal(run(s, "SELECT * { <http://ex/a> <http://ex/p> \"ok\" }", NULL, &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 1);
  assert_int_equal(quads(s), want);
}

/* text repeated n times between head and tail (malloc'd). */
static char *repeat(const char *head, const char *text, size_t n, const char *tail) {
  size_t h = strlen(head), k = strlen(text), t = strlen(tail);
  char *s = malloc(h + k * n + t + 1);
  assert_non_null(s);
  memcpy(s, head, h);
  for (size_t i = 0; i < n; ++i) memcpy(s + h + i * k, text, k);
  memcpy(s + h + k * n, tail, t + 1);
  return s;
}

/* Load text (n bytes) as a file called name: the status; what the sink
 * heard in *h. */
static TrineStatus load(TrineStore *s, const char *name, const char *text, size_t n, Heard *h) {
  *h = (Heard){0};
  TrineLoadOptions o = {.sink = hear, .sink_ctx = h, .base_iri = "http://ex/"};
  return trine_store_load_buffer(s, name, text, n, &o, NULL);
}

/* Prepare text (n bytes) with the allow bits: the status; what the sink
 * heard in *h. */
static TrineStatus prepare(TrineStore *s, const char *text, size_t n, unsigned allow, Heard *h) {
  *h = (Heard){0};
  TrineQueryOptions o = {.sink = hear, .sink_ctx = h, .allow = allow};
  TrineQuery *q = NULL;
  TrineStatus st = trine_query_prepare(s, text, n, &o, &q);
  trine_query_free(q);
  return st;
}

/* ---- invalid UTF-8 and NUL bytes ---- */

/* Bytes that are not UTF-8, put where a literal's, an IRI's
 * or a comment's text goes: each must be refused. */
static const struct {
  const char *what;
  const char *bytes;
  size_t n;
} BAD[] = {
    {"a byte 0xFF", "\xff", 1},
    {"a lone continuation byte", "\x80", 1},
    {"an overlong '/'", "\xc0\xaf", 2},
    {"a surrogate", "\xed\xa0\x80", 3},
    {"past U+10FFFF", "\xf4\x90\x80\x80", 4},
    {"a cut sequence", "\xe2\x82", 2},
};

/* Input made of head, the bad bytes, tail (malloc'd, length in *n). */
static char *with_bad(const char *head, size_t b, const char *tail, size_t *n) {
  size_t h = strlen(head), t = strlen(tail);
  *n = h + BAD[b].n + t;
  char *s = malloc(*n + 1);
  assert_non_null(s);
  memcpy(s, head, h);
  memcpy(s + h, BAD[b].bytes, BAD[b].n);
  memcpy(s + h + BAD[b].n, tail, t + 1);
  return s;
}

/* In each RDF syntax, in a literal and in an IRI: a syntax error at the
 * bad byte's line and column, the store unchanged. */
static void test_extremes_bad_utf8_in_rdf(void **state) {
  TuStore *t = *state;
  static const struct {
    const char *name, *head, *tail;
  } where[] = {
      {"x.nt", "<http://ex/s> <http://ex/p> \"ab", "c\" .\n"},
      {"x.nt", "<http://ex/s> <http://ex/p> <http://ex/o", "> .\n"},
      {"x.nq", "<http://ex/s> <http://ex/p> \"ab", "c\" <http://ex/g> .\n"},
      {"x.nq", "<http://ex/s> <http://ex/p> \"abc\" <http://ex/g", "> .\n"},
      {"x.ttl", "@prefix ex: <http://ex/> .\nex:s ex:p \"ab", "c\" .\n"},
      {"x.ttl", "@prefix ex: <http://ex/> .\nex:s ex:p <o", "> .\n"},
      {"x.ttl", "@prefix ex: <http://ex/> .\nex:s ex:p \"\"\"ab", "c\"\"\" .\n"},
      {"x.trig", "@prefix ex: <http://ex/> .\nex:g { ex:s ex:p \"ab", "c\" }\n"},
      {"x.nt", "<http://ex/s> <http://ex/p> <http://ex/o> . # ab", "c\n"},
  };
  for (size_t w = 0; w < sizeof where / sizeof *where; ++w)
    for (size_t b = 0; b < sizeof BAD / sizeof *BAD; ++b) {
      size_t n;
      char *text = with_bad(where[w].head, b, where[w].tail, &n);
      Heard h;
      TrineStatus st = load(t->store, where[w].name, text, n, &h);
      if (st != TRINE_ERR_SYNTAX || !strstr(h.text, where[w].name) || !strstr(h.text, ": error: "))
        fail_msg("%s with %s (%s): %s, heard '%s'", where[w].name, BAD[b].what, where[w].head,
                 trine_strerror(st), h.text);
      free(text);
    }
  alive(t->store, 1);
  /* serd does not look into Turtle and TriG comments: the bytes there are
   * skipped with the comment, and nothing of them is stored. */
  for (size_t b = 0; b < sizeof BAD / sizeof *BAD; ++b) {
    size_t n;
    char *text = with_bad("@prefix ex: <http://ex/> .\nex:g { ex:s ex:p ex:o } # ab", b, "c\n", &n);
    Heard h;
    if (load(t->store, "x.trig", text, n, &h)) fail_msg("%s in a TriG comment: %s", BAD[b].what, h.text);
    free(text);
  }
  alive(t->store, 2);
}

/* Query and update text: a syntax error with its place; the same for a
 * term handed to the API (trine_txn_add, trine_query_bind). */
static void test_extremes_bad_utf8_in_requests(void **state) {
  TuStore *t = *state;
  static const struct {
    const char *head, *tail;
    unsigned allow;
  } where[] = {
      {"SELECT * { ?s ?p \"ab", "c\" }", 0},
      {"SELECT * { ?s ?p <http://ex/o", "> }", 0},
      {"SELECT * { ?s ?p ?o } # ab", "c\n", 0},
      {"SELECT * { ?s ?p ?o ", "}", 0},
      {"INSERT DATA { <http://ex/s> <http://ex/p> \"ab", "c\" }", TRINE_ALLOW_UPDATE},
      {"DELETE WHERE { ?s <http://ex/p", "> ?o }", TRINE_ALLOW_UPDATE},
  };
  for (size_t w = 0; w < sizeof where / sizeof *where; ++w)
    for (size_t b = 0; b < sizeof BAD / sizeof *BAD; ++b) {
      size_t n;
      char *text = with_bad(where[w].head, b, where[w].tail, &n);
      Heard h;
      TrineStatus st = prepare(t->store, text, n, where[w].allow, &h);
      if (st != TRINE_ERR_SYNTAX || strncmp(h.text, "query:1:", 8) != 0)
        fail_msg("%s in '%s': %s, heard '%s'", BAD[b].what, where[w].head, trine_strerror(st),
                 h.text);
      free(text);
    }
  /* A term handed to the API is checked as the N-Triples grammar would. */
  TrineTxn *txn;
  assert_int_equal(trine_txn_begin(t->store, true, &txn), TRINE_OK);
  TrineTerm s = trine_iri("http://ex/s"), p = trine_iri("http://ex/p");
  for (size_t b = 0; b < sizeof BAD / sizeof *BAD; ++b) {
    size_t n;
    char *bad = with_bad("ab", b, "c", &n);
    TrineTerm o = {.kind = TRINE_TERM_LITERAL, .value = bad, .value_len = n};
    TrineTerm i = {.kind = TRINE_TERM_IRI, .value = bad, .value_len = n};
    if (trine_txn_add(txn, &s, &p, &o, NULL) != TRINE_ERR_ARG)
      fail_msg("trine_txn_add took a literal with %s", BAD[b].what);
    if (trine_txn_add(txn, &s, &p, &i, NULL) != TRINE_ERR_ARG)
      fail_msg("trine_txn_add took an IRI with %s", BAD[b].what);
    free(bad);
  }
  trine_txn_abort(txn);
  const char *text = "SELECT ?s { ?s ?p ?o }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), NULL, &q), TRINE_OK);
  TrineTerm o = {.kind = TRINE_TERM_LITERAL, .value = "a\xff", .value_len = 2};
  assert_int_equal(trine_query_bind(q, "o", &o), TRINE_ERR_ARG);
  trine_query_free(q);
  alive(t->store, 1);
}

/* A NUL byte is a character like another in a literal (N-Triples, Turtle
 * and SPARQL strings exclude only quotes, backslashes and line ends), so
 * it is stored and given back exactly; in an IRI it is refused (IRIREF
 * excludes U+0000-U+0020). */
static void test_extremes_nul_bytes(void **state) {
  TuStore *t = *state;
  static const struct {
    const char *name, *text;
    size_t n;
  } lit[] = {
#define L(name, text) {name, text, sizeof text - 1}
      L("n.nt", "<http://ex/s> <http://ex/nul> \"a\0b\" .\n"),
      L("n.nq", "<http://ex/s> <http://ex/nul> \"a\0b\" <http://ex/g> .\n"),
      L("n.ttl", "<http://ex/s> <http://ex/nul> \"a\0b\" .\n"),
      L("n.trig", "<http://ex/g> { <http://ex/s> <http://ex/nul> \"a\0b\" }\n"),
  }, iri[] = {
      L("n.nt", "<http://ex/s> <http://ex/p> <http://ex/a\0b> .\n"),
      L("n.nq", "<http://ex/s> <http://ex/p> \"x\" <http://ex/a\0b> .\n"),
      L("n.ttl", "<http://ex/s> <http://ex/p> <http://ex/a\0b> .\n"),
      L("n.trig", "<http://ex/g\0> { <http://ex/s> <http://ex/p> \"x\" }\n"),
#undef L
  };
  Heard h;
  for (size_t i = 0; i < sizeof lit / sizeof *lit; ++i) {
    if (load(t->store, lit[i].name, lit[i].text, lit[i].n, &h))
      fail_msg("%s: a NUL in a literal: %s", lit[i].name, h.text);
    const char *q = "SELECT (STRLEN(?o) AS ?n) { GRAPH ?g { ?s <http://ex/nul> ?o } }";
    if (!strstr(lit[i].name, "q") && !strstr(lit[i].name, "trig"))
      q = "SELECT (STRLEN(?o) AS ?n) { ?s <http://ex/nul> ?o }";
    assert_int_equal(one_number(t->store, q, NULL), 3);
    assert_int_equal(tu_update(t->store, "DELETE WHERE { ?s <http://ex/nul> ?o }; "
                                         "DELETE WHERE { GRAPH ?g { ?s <http://ex/nul> ?o } }"),
                     TRINE_DONE);
  }
  for (size_t i = 0; i < sizeof iri / sizeof *iri; ++i) {
    TrineStatus st = load(t->store, iri[i].name, iri[i].text, iri[i].n, &h);
    if (st != TRINE_ERR_SYNTAX || !strstr(h.text, ":1:"))
      fail_msg("%s: a NUL in an IRI: %s, heard '%s'", iri[i].name, trine_strerror(st), h.text);
  }
  /* In query text: a string constant keeps it, an IRI refuses it. */
  static const char ask[] = "ASK { FILTER(STRLEN(\"a\0b\") = 3) }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, ask, sizeof ask - 1, NULL, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ROW);
  assert_memory_equal(trine_query_term(q, 0)->value, "true", 4);
  trine_query_free(q);
  static const char bad[] = "SELECT * { <http://ex/a\0b> ?p ?o }";
  assert_int_equal(prepare(t->store, bad, sizeof bad - 1, 0, &h), TRINE_ERR_SYNTAX);
  assert_non_null(strstr(h.text, "query:1:"));
  /* Through the API: a literal keeps it, an IRI refuses it. */
  TrineTxn *txn;
  assert_int_equal(trine_txn_begin(t->store, true, &txn), TRINE_OK);
  TrineTerm s = trine_iri("http://ex/s"), p = trine_iri("http://ex/p");
  TrineTerm o = {.kind = TRINE_TERM_LITERAL, .value = "a\0b", .value_len = 3};
  TrineTerm i = {.kind = TRINE_TERM_IRI, .value = "http://ex/a\0b", .value_len = 12};
  assert_int_equal(trine_txn_add(txn, &s, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_txn_add(txn, &s, &p, &i, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_txn_commit(txn), TRINE_OK);
  alive(t->store, 2);
}

/* ---- big terms ---- */

/* A literal of 100 MB (10 MB under the sanitizers) of "abcé" repeated:
 * loaded, then read back whole, its STRLEN counted in characters. */
static void test_extremes_huge_literal(void **state) {
  TuStore *t = *state;
  const size_t reps = 20000000 / scale(); /* 5 bytes, 4 characters each */
  char *nt = repeat("<http://ex/big> <http://ex/text> \"", "abc\xc3\xa9", reps, "\" .\n");
  size_t n = strlen(nt);
  Heard h;
  double t0 = now_s();
  if (load(t->store, "big.nt", nt, n, &h)) fail_msg("%s", h.text);
  double t1 = now_s();
  const char *text = "SELECT ?o { <http://ex/big> <http://ex/text> ?o }";
  TrineQuery *q;
  assert_int_equal(trine_query_prepare(t->store, text, strlen(text), NULL, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ROW);
  const TrineTerm *o = trine_query_term(q, 0);
  assert_non_null(o);
  assert_int_equal(o->value_len, 5 * reps);
  const char *lit = nt + strlen("<http://ex/big> <http://ex/text> \"");
  assert_memory_equal(o->value, lit, 5 * reps);
  assert_int_equal(trine_query_step(q), TRINE_DONE);
  trine_query_free(q);
  assert_int_equal(
      one_number(t->store, "SELECT (STRLEN(?o) AS ?n) { <http://ex/big> <http://ex/text> ?o }",
                 NULL),
      (long long)(4 * reps));
  /* Found by its own value, as a constant of 100 MB in the query text. */
  char *ask = repeat("ASK { ?s <http://ex/text> \"", "abc\xc3\xa9", reps, "\" }");
  TrineQuery *a;
  assert_int_equal(trine_query_prepare(t->store, ask, strlen(ask), NULL, &a), TRINE_OK);
  assert_int_equal(trine_query_step(a), TRINE_ROW);
  assert_int_equal(trine_query_term(a, 0)->value_len, 4);
  assert_memory_equal(trine_query_term(a, 0)->value, "true", 4);
  trine_query_free(a);
  print_message("# %zu-byte literal: loaded in %.2f s, read back in %.2f s\n", 5 * reps,
                t1 - t0, now_s() - t1);
  free(ask);
  free(nt);
  alive(t->store, 2);
}

/* An IRI of 1 MB as subject and object, found again by the query text. */
static void test_extremes_huge_iri(void **state) {
  TuStore *t = *state;
  const size_t n = (1u << 20) / 8; /* "segment/" is 8 bytes */
  char *iri = repeat("http://ex/", "segment/", n, "end");
  size_t len = strlen(iri);
  size_t cap = 3 * len + 100;
  char *nt = malloc(cap);
  assert_non_null(nt);
  snprintf(nt, cap, "<%s> <http://ex/p> <%s> .\n", iri, iri);
  Heard h;
  if (load(t->store, "iri.nt", nt, strlen(nt), &h)) fail_msg("%s", h.text);
  char *query = malloc(len + 100);
  assert_non_null(query);
  snprintf(query, len + 100, "SELECT (STRLEN(STR(?o)) AS ?n) { <%s> <http://ex/p> ?o }", iri);
  assert_int_equal(one_number(t->store, query, NULL), (long long)len);
  free(query);
  free(nt);
  free(iri);
  alive(t->store, 2);
}

/* A blank node label is an LMDB key: past 500 bytes a load is refused at
 * the label, naming the limit (it was refused without a place), and the
 * store keeps what it had; 500 bytes load. */
static void test_extremes_long_blank_label(void **state) {
  TuStore *t = *state;
  char *label = repeat("", "b", 501, "");
  size_t cap = 2 * 501 + 64;
  char *nt = malloc(cap);
  assert_non_null(nt);
  snprintf(nt, cap, "_:%s <http://ex/p> _:%s .\n", label, label);
  Heard h;
  assert_int_equal(load(t->store, "blank.nt", nt, strlen(nt), &h), TRINE_ERR_SYNTAX);
  assert_string_equal(h.text, "blank.nt:1:3: error: blank node label longer than 500 bytes");
  snprintf(nt, cap, "<http://ex/s> <http://ex/p> _:%s .\n", label);
  assert_int_equal(load(t->store, "blank.ttl", nt, strlen(nt), &h), TRINE_ERR_SYNTAX);
  if (!strstr(h.text, "blank.ttl:1:") || !strstr(h.text, "longer than 500 bytes"))
    fail_msg("heard '%s'", h.text);
  alive(t->store, 1);
  /* An update's labels name fresh nodes and are not kept: no limit. */
  char *update = malloc(cap + 64);
  assert_non_null(update);
  snprintf(update, cap + 64, "INSERT DATA { _:%s <http://ex/p> _:%s }", label, label);
  assert_int_equal(tu_update(t->store, update), TRINE_DONE);
  free(update);
  assert_int_equal(one_number(t->store, "SELECT (COUNT(*) AS ?n) { ?s <http://ex/p> ?s }", NULL),
                   1);
  label[500] = 0;
  snprintf(nt, cap, "_:%s <http://ex/p> _:%s .\n", label, label);
  if (load(t->store, "blank.nt", nt, strlen(nt), &h)) fail_msg("%s", h.text);
  assert_int_equal(one_number(t->store, "SELECT (COUNT(*) AS ?n) { ?s <http://ex/p> ?s }", NULL),
                   2);
  free(nt);
  free(label);
  alive(t->store, 3);
}

/* ---- nesting and size of queries ---- */

/* Prepare text: it must fail with a syntax error whose message holds
 * every one of the words given (the limit's name and its number). */
static void refused(TuStore *t, char *text, const char *what, const char *number) {
  Heard h;
  TrineStatus st = prepare(t->store, text, strlen(text), 0, &h);
  if (st != TRINE_ERR_SYNTAX || !strstr(h.text, what) || !strstr(h.text, number) ||
      strncmp(h.text, "query:", 6) != 0 || !strstr(h.text, ": error: "))
    fail_msg("%.60s...: %s, heard '%s'", text, trine_strerror(st), h.text);
  free(text);
}

/* 10,000 levels of groups, parentheses and OPTIONALs: an error naming the
 * nesting limit (400 brackets); left-deep chains of 10,000 (UNION,
 * sequential OPTIONALs, +, |) the height limit (3000). 300 levels, within
 * the limit, answer. */
static void test_extremes_deep_nesting(void **state) {
  TuStore *t = *state;
  enum { DEEP = 10000 };
  char *q = repeat("SELECT * ", "{", DEEP, "");
  refused(t, q, "nesting too deep", "400");
  q = repeat("SELECT * { FILTER", "(", DEEP, "1");
  refused(t, q, "nesting too deep", "400");
  q = repeat("SELECT * { ?s ?p ?o ", "OPTIONAL { ?s ?p ?o ", DEEP, "");
  refused(t, q, "nesting too deep", "400");
  q = repeat("SELECT * { ?s ?p ", "[ <http://ex/p> ", DEEP, "");
  refused(t, q, "nesting too deep", "400");
  q = repeat("SELECT * { ?s ?p ?o ", "OPTIONAL { ?s ?p ?o } ", DEEP, "}");
  refused(t, q, "query too deeply nested", "3000");
  q = repeat("SELECT * { {}", " UNION {}", DEEP, " }");
  refused(t, q, "query too deeply nested", "3000");
  q = repeat("SELECT * { FILTER(?x", " + 1", DEEP, ") }");
  refused(t, q, "expression too deeply nested", "3000");
  q = repeat("SELECT * { ?s <http://ex/p>", "|<http://ex/p>", DEEP, " ?o }");
  refused(t, q, "property path too deeply nested", "3000");
  /* Within the limits: the right answers. */
  char *open = repeat("SELECT * ", "{", 300, "<http://ex/a> <http://ex/p> ?o ");
  char *deep = repeat(open, "}", 300, "");
  size_t rows;
  assert_int_equal(run(t->store, deep, NULL, &rows), TRINE_DONE);
  assert_int_equal(rows, 1);
  free(open);
  free(deep);
  open = repeat("SELECT (", "(", 300, "1");
  deep = repeat(open, " + 1)", 300, " AS ?n) {}");
  assert_int_equal(one_number(t->store, deep, NULL), 301);
  free(open);
  free(deep);
  alive(t->store, 1);
}

/* A group of n patterns on ?x, each binding a variable of its own (malloc'd). */
static char *star_query(size_t n) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  fputs("SELECT (COUNT(*) AS ?n) {\n", f);
  for (size_t i = 0; i < n; ++i) fprintf(f, "  ?x <http://ex/p> ?o%zu .\n", i);
  fputs("}", f);
  assert_int_equal(fclose(f), 0);
  return text;
}

/* 100,000 triple patterns: an error naming the limit (10,000 in one
 * request); at the limit (a tenth of it under the sanitizers), each
 * pattern binding a variable of its own, the right answer. The limit came
 * from this case: 100,000 patterns took 430 s (the planner estimated every
 * pattern again at each step and rows were 800 KB wide). */
static void test_extremes_many_patterns(void **state) {
  TuStore *t = *state;
  double t0 = now_s();
  char *text = star_query(100000);
  refused(t, text, "too many triple patterns", "10000");
  double t1 = now_s();
  text = star_query(10000 / scale());
  assert_int_equal(one_number(t->store, text, NULL), 1);
  print_message("# 100,000 patterns refused in %.2f s; %d answered in %.2f s\n", t1 - t0,
                10000 / scale(), now_s() - t1);
  free(text);
  alive(t->store, 1);
}

/* ---- cross products, regexes, paths, aggregates ---- */

/* n triples <http://ex/x{i}> <http://ex/q> "i". */
static void load_column(TrineStore *s, size_t n) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  for (size_t i = 0; i < n; ++i) fprintf(f, "<http://ex/x%zu> <http://ex/q> \"%zu\" .\n", i, i);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(trine_store_load_buffer(s, "column.nt", text, len, NULL, NULL), TRINE_OK);
  free(text);
}

#define CROSS "{ ?a <http://ex/q> ?b . ?c <http://ex/q> ?d . ?e <http://ex/q> ?f }"

/* 1000^3 = 10^9 rows. Streamed without LIMIT: the timeout stops it, and
 * says so; sorted: the memory limit, named with its size; with LIMIT:
 * the rows at once. */
static void test_extremes_cross_product(void **state) {
  TuStore *t = *state;
  load_column(t->store, 1000);
  size_t rows;
  TrineQueryOptions timed = {.timeout_ms = 300};
  double t0 = now_s();
  assert_int_equal(run(t->store, "SELECT * " CROSS, &timed, &rows), TRINE_ERR_CANCELLED);
  assert_non_null(strstr(trine_store_errmsg(t->store), "timed out"));
  assert_non_null(strstr(trine_store_errmsg(t->store), "300 ms"));
  assert_true(now_s() - t0 < 10 * slow());
  assert_true(rows < 1000000000);
  TrineQueryOptions small = {.memory_limit = 16u << 20};
  assert_int_equal(run(t->store, "SELECT * " CROSS " ORDER BY ?f", &small, &rows),
                   TRINE_ERR_FULL);
  assert_non_null(strstr(trine_store_errmsg(t->store), "more than 16 MiB of memory"));
  t0 = now_s();
  assert_int_equal(run(t->store, "SELECT * " CROSS " LIMIT 10", &small, &rows), TRINE_DONE);
  assert_int_equal(rows, 10);
  assert_int_equal(run(t->store,
                       "SELECT DISTINCT ?b ?d { ?a <http://ex/q> ?b . ?c <http://ex/q> ?d } "
                       "OFFSET 5 LIMIT 100",
                       &small, &rows),
                   TRINE_DONE);
  assert_int_equal(rows, 100);
  assert_true(now_s() - t0 < 2 * slow());
  /* DISTINCT over the three patterns: the join of one chunk of the first
   * pattern's rows with the second's is made before DISTINCT sees the
   * third's rows, so it stops at the memory limit (named) instead of
   * answering: a clear error, as issue 19 allows, not yet the answer
   * (docs/limits.md). */
  static const char *const distinct[] = {"SELECT DISTINCT ?b ?d " CROSS " OFFSET 5 LIMIT 100",
                                         "SELECT DISTINCT * " CROSS " LIMIT 100"};
  for (size_t i = 0; i < 2; ++i) {
    TrineStatus st = run(t->store, distinct[i], &small, &rows);
    if (st == TRINE_DONE) assert_int_equal(rows, 100);
    else assert_non_null(strstr(trine_store_errmsg(t->store), "more than 16 MiB of memory"));
  }
  alive(t->store, 1001);
}

/* Patterns that backtrack exponentially over a long run of 'a' before an
 * 'x' (PCRE2 needs the 'c' somewhere, or it gives up at once): the match
 * limit ends REGEX and REPLACE with an error naming it, in well under a
 * second; the store answers the next query. */
static void test_extremes_regex_bomb(void **state) {
  TuStore *t = *state;
  char *nt = repeat("<http://ex/r> <http://ex/text> \"", "a", 64, "xc\" .\n");
  Heard h;
  if (load(t->store, "bomb.nt", nt, strlen(nt), &h)) fail_msg("%s", h.text);
  free(nt);
  static const char *const bombs[] = {
      "SELECT ?s { ?s <http://ex/text> ?o FILTER REGEX(?o, \"(a|aa)*c\") }",
      "SELECT ?s { ?s <http://ex/text> ?o FILTER REGEX(?o, \"^(a+)+c\") }",
      "SELECT ?s { ?s <http://ex/text> ?o FILTER REGEX(?o, \"(a*)*c\", \"i\") }",
      "SELECT (REPLACE(?o, \"(a|aa)*c\", \"z\") AS ?r) { ?s <http://ex/text> ?o }",
      "SELECT ?s { ?s <http://ex/text> ?o BIND(REPLACE(?o, \"(a+)+c\", \"z\") AS ?r) }",
  };
  for (size_t i = 0; i < sizeof bombs / sizeof *bombs; ++i) {
    size_t rows;
    double t0 = now_s();
    TrineStatus st = run(t->store, bombs[i], NULL, &rows);
    double took = now_s() - t0;
    const char *msg = trine_store_errmsg(t->store);
    if (st != TRINE_ERR_FULL || !strstr(msg, "match limit"))
      fail_msg("%s: %s: %s", bombs[i], trine_strerror(st), msg);
    if (took > 5 * slow()) fail_msg("%s: %.1f s", bombs[i], took);
  }
  /* The same patterns on a short value match as they should. */
  assert_int_equal(tu_update(t->store, "INSERT DATA { <http://ex/r2> <http://ex/text> \"aaac\" }"),
                   TRINE_DONE);
  assert_int_equal(one_number(t->store,
                              "SELECT (COUNT(*) AS ?n) { <http://ex/r2> <http://ex/text> ?o "
                              "FILTER REGEX(?o, \"^(a|aa)*c$\") }",
                              NULL),
                   1);
  alive(t->store, 3);
}

/* <n{i}> <http://ex/next> <n{i+1 mod N}>: a cycle of N nodes. */
static void load_cycle(TrineStore *s, size_t n) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_non_null(f);
  for (size_t i = 0; i < n; ++i)
    fprintf(f, "<http://ex/n%zu> <http://ex/next> <http://ex/n%zu> .\n", i, (i + 1) % n);
  assert_int_equal(fclose(f), 0);
  assert_int_equal(trine_store_load_buffer(s, "cycle.nt", text, len, NULL, NULL), TRINE_OK);
  free(text);
}

/* :p* and :p+ around a cycle of a million nodes (100,000 under the
 * sanitizers): every node once, within a 64 MiB memory limit. The walk's
 * memory counts against the limit: 16 MiB is too little for its queue
 * and set. All pairs (10^12): the timeout when counted, the memory limit
 * when sorted. Before the walk was counted, all pairs remembered a
 * million-node closure per start, up to 4096 of them (32 GB). */
static void test_extremes_path_cycle(void **state) {
  TuStore *t = *state;
  const long long n = 1000000 / scale();
  double t0 = now_s();
  load_cycle(t->store, (size_t)n);
  double t1 = now_s();
  TrineQueryOptions o = {.memory_limit = 64u << 20};
  assert_int_equal(
      one_number(t->store, "SELECT (COUNT(*) AS ?n) { <http://ex/n0> <http://ex/next>* ?x }", &o),
      n);
  assert_int_equal(
      one_number(t->store, "SELECT (COUNT(*) AS ?n) { <http://ex/n7> <http://ex/next>+ ?x }", &o),
      n);
  assert_int_equal(
      one_number(t->store, "SELECT (COUNT(*) AS ?n) { ?x ^<http://ex/next>+ <http://ex/n3> }", &o),
      n);
  double t2 = now_s();
  size_t rows;
  TrineQueryOptions tight = {.memory_limit = (16u << 20) / scale()};
  assert_int_equal(
      run(t->store, "SELECT (COUNT(*) AS ?n) { <http://ex/n0> <http://ex/next>* ?x }", &tight,
          &rows),
      TRINE_ERR_FULL);
  assert_non_null(strstr(trine_store_errmsg(t->store), "of memory for its intermediate results"));
  TrineQueryOptions timed = {.timeout_ms = 300, .memory_limit = 64u << 20};
  assert_int_equal(run(t->store, "SELECT (COUNT(*) AS ?n) { ?x <http://ex/next>+ ?y }", &timed,
                       &rows),
                   TRINE_ERR_CANCELLED);
  assert_non_null(strstr(trine_store_errmsg(t->store), "timeout of 300 ms"));
  assert_int_equal(run(t->store, "SELECT * { ?x <http://ex/next>+ ?y } ORDER BY ?y", &o, &rows),
                   TRINE_ERR_FULL);
  assert_non_null(strstr(trine_store_errmsg(t->store), "more than 64 MiB of memory"));
  print_message("# cycle of %lld: loaded in %.2f s, three walks in %.2f s\n", n, t1 - t0,
                t2 - t1);
  alive(t->store, (uint64_t)n + 1);
}

/* GROUP_CONCAT of a 1 MB literal over 1000 rows (a billion characters;
 * 100 rows under the sanitizers): the memory limit ends it, named with
 * its size. */
static void test_extremes_group_concat(void **state) {
  TuStore *t = *state;
  load_column(t->store, 1000 / scale());
  char *nt = repeat("<http://ex/m> <http://ex/text> \"", "0123456789", 100000, "\" .\n");
  Heard h;
  if (load(t->store, "mega.nt", nt, strlen(nt), &h)) fail_msg("%s", h.text);
  free(nt);
  const char *text = "SELECT (STRLEN(GROUP_CONCAT(?m)) AS ?n) "
                     "{ ?x <http://ex/q> ?i . <http://ex/m> <http://ex/text> ?m }";
  TrineQueryOptions o = {.memory_limit = 64u << 20};
  size_t rows;
  TrineStatus st = run(t->store, text, &o, &rows);
  if (st != TRINE_ERR_FULL || !strstr(trine_store_errmsg(t->store), "more than 64 MiB of memory"))
    fail_msg("%s: %s", trine_strerror(st), trine_store_errmsg(t->store));
  /* Within the limit: the right length (10 copies and 9 separators). */
  const char *ten = "SELECT (STRLEN(GROUP_CONCAT(?m)) AS ?n) "
                    "{ ?x <http://ex/q> ?i FILTER(STRLEN(?i) = 1) "
                    "<http://ex/m> <http://ex/text> ?m }";
  assert_int_equal(one_number(t->store, ten, &o), 10 * 1000000 + 9);
  alive(t->store, 1000 / scale() + 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_extremes_bad_utf8_in_rdf, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_bad_utf8_in_requests, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_nul_bytes, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_huge_literal, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_huge_iri, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_long_blank_label, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_deep_nesting, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_many_patterns, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_cross_product, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_regex_bomb, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_path_cycle, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_extremes_group_concat, setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
