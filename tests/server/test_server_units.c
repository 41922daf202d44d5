/*
 * test_server_units.c -- the pure parts of `trine serve`: protocol
 * datasets written into request text (checked to still parse), Accept
 * negotiation, the protocol's request rules and the Graph Store's.
 */
#include "dataset.h"
#include "graphstore.h"
#include "negotiate.h"
#include "protocol.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *g1[] = {"http://ex/g1"}, *g2[] = {"http://ex/g2"};
static const IriList one = {g1, 1}, two = {g2, 1};

/* Whether text parses as a request of this form. */
static void assert_parses(const char *text, TrineQueryForm form) {
  TrineQuery *q = NULL;
  TrineStatus st = trine_query_prepare(NULL, text, strlen(text), NULL, &q);
  if (st) fail_msg("does not parse: %s", text);
  assert_int_equal(trine_query_form(q), form);
  trine_query_free(q);
}

/* Whether out holds needle, runs of blanks counting as one space. */
static bool has(const char *out, const char *needle) {
  char *a = strdup(out), *w = a;
  for (const char *r = out; *r; ++r)
    if (!(*r == ' ' && w > a && w[-1] == ' ')) *w++ = *r == '\n' ? ' ' : *r;
  *w = '\0';
  bool found = strstr(a, needle) != NULL;
  free(a);
  return found;
}

static char *query_with(const char *text) {
  size_t len = 0;
  char *out = dataset_query(text, strlen(text), &one, &two, &len);
  assert_non_null(out);
  assert_int_equal(strlen(out), len);
  return out;
}

static void test_dataset_select(void **state) {
  (void)state;
  char *out = query_with("PREFIX ex: <http://ex/#>\nSELECT ?from # { FROM\nFROM <http://a> "
                         "FROM NAMED ex:b WHERE { ?s ?p \"{FROM}\" }");
  assert_null(strstr(out, "<http://a>"));
  assert_null(strstr(out, "ex:b"));
  assert_true(has(out, "FROM <http://ex/g1> FROM NAMED <http://ex/g2> WHERE"));
  assert_non_null(strstr(out, "\"{FROM}\""));
  assert_parses(out, TRINE_QUERY_SELECT);
  free(out);
}

static void test_dataset_forms(void **state) {
  (void)state;
  static const struct {
    const char *in, *has;
    TrineQueryForm form;
  } cases[] = {
      {"ASK{}", "ASK FROM <http://ex/g1>", TRINE_QUERY_ASK},
      {"SELECT (EXISTS { ?s ?p ?o } AS ?e) (1 < 2 AS ?lt) WHERE {}", ") FROM <", TRINE_QUERY_SELECT},
      {"CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "} FROM <", TRINE_QUERY_CONSTRUCT},
      {"CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT FROM <", TRINE_QUERY_CONSTRUCT},
      {"DESCRIBE <http://x>", "<http://x> FROM <", TRINE_QUERY_DESCRIBE},
      {"DESCRIBE ?s LIMIT 1", "?s FROM <", TRINE_QUERY_DESCRIBE},
      {"SELECT * { { SELECT ?from WHERE { ?from ?p '''}''' } } }", "* FROM <", TRINE_QUERY_SELECT},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; ++i) {
    char *out = query_with(cases[i].in);
    if (!has(out, cases[i].has)) fail_msg("%s -> %s", cases[i].in, out);
    assert_parses(out, cases[i].form);
    free(out);
  }
}

static void test_dataset_update(void **state) {
  (void)state;
  const char *in = "INSERT DATA { <http://s> <http://p> \"WHERE\" } ;\n"
                   "DELETE WHERE { ?s ?p ?o } ;\n"
                   "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o } ;\n"
                   "INSERT { ?s ?p 2 } WHERE { { SELECT * WHERE { ?s ?p ?o } } }";
  size_t len = 0;
  bool conflict = true;
  char *out = dataset_update(in, strlen(in), &one, &two, &len, &conflict);
  assert_non_null(out);
  assert_false(conflict);
  assert_non_null(strstr(out, "DELETE WHERE {"));
  assert_true(has(out, "{ ?s ?p 1 } USING <http://ex/g1> USING NAMED <http://ex/g2> WHERE"));
  assert_true(has(out, "{ ?s ?p 2 } } USING") == false);
  assert_true(has(out, "{ ?s ?p 2 } USING <http://ex/g1> USING NAMED <http://ex/g2> WHERE"));
  assert_non_null(strstr(out, "{ SELECT * WHERE"));
  assert_parses(out, TRINE_QUERY_UPDATE);
  free(out);
  const char *with = "WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }";
  assert_null(dataset_update(with, strlen(with), &one, NULL, &len, &conflict));
  assert_true(conflict);
  const char *using = "delete { ?s ?p ?o } using <http://g> where { ?s ?p ?o }";
  assert_null(dataset_update(using, strlen(using), &one, NULL, &len, &conflict));
  assert_true(conflict);
}

static void test_dataset_load(void **state) {
  (void)state;
  static const char *yes[] = {"LOAD <file:///x>", "clear all ; load silent <file:///x> into graph <g>"};
  static const char *no[] = {"INSERT DATA { <http://s> <http://load> \"LOAD\" }",
                             "PREFIX load: <http://l/> INSERT DATA { load:a load:b load:c }",
                             "# LOAD <x>\nCLEAR ALL"};
  for (size_t i = 0; i < 2; ++i) assert_true(dataset_has_load(yes[i], strlen(yes[i])));
  for (size_t i = 0; i < 3; ++i) assert_false(dataset_has_load(no[i], strlen(no[i])));
}

static const char *chosen(const char *accept, const Offer *offers, size_t n) {
  const Offer *o = negotiate(accept, offers, n);
  return o ? o->media : NULL;
}

static void test_negotiate(void **state) {
  (void)state;
  const Offer *r = negotiate_results;
  size_t n = negotiate_nresults;
  assert_string_equal(chosen(NULL, r, n), "application/sparql-results+json");
  assert_string_equal(chosen("", r, n), "application/sparql-results+json");
  assert_string_equal(chosen("*/*", r, n), "application/sparql-results+json");
  assert_string_equal(chosen("text/csv", r, n), "text/csv");
  assert_string_equal(chosen("TEXT/CSV; charset=utf-8", r, n), "text/csv");
  assert_string_equal(chosen("text/csv;q=0.5, application/sparql-results+xml;q=0.8", r, n),
                      "application/sparql-results+xml");
  assert_string_equal(chosen("application/*;q=0.2, text/tab-separated-values", r, n),
                      "text/tab-separated-values");
  assert_string_equal(chosen("*/*;q=0.1, application/sparql-results+json;q=0", r, n),
                      "application/sparql-results+xml");
  assert_string_equal(chosen("text/html,application/xhtml+xml,*/*;q=0.8", r, n),
                      "application/sparql-results+json");
  assert_string_equal(chosen("text/plain;format=\"a,b\";q=1", r, n), "text/plain");
  assert_null(chosen("image/png", r, n));
  assert_null(chosen("text/csv;q=0", r, n));
  assert_string_equal(chosen("text/turtle", negotiate_graphs, negotiate_ngraphs), "text/turtle");
  assert_null(chosen("application/sparql-results+json", negotiate_graphs, negotiate_ngraphs));
  /* Text types say their charset; the others are sent as offered. */
  const Offer *t = negotiate("text/turtle", negotiate_graphs, negotiate_ngraphs);
  assert_string_equal(negotiate_content_type(t), "text/turtle; charset=utf-8");
  assert_string_equal(negotiate_content_type(negotiate("text/plain", r, n)),
                      "text/plain; charset=utf-8");
  assert_string_equal(negotiate_content_type(&r[0]), "application/sparql-results+json");
  const Offer *d = negotiate(NULL, negotiate_datasets, negotiate_ndatasets);
  assert_string_equal(negotiate_content_type(d), "application/n-quads");
  assert_int_equal(d->rdf, TRINE_FORMAT_NQUADS);
}

static void test_utf8(void **state) {
  (void)state;
  assert_true(protocol_utf8("ASK {} # \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 20));
  assert_false(protocol_utf8("\xff", 1));
  assert_false(protocol_utf8("\xc0\x80", 2));         /* overlong NUL */
  assert_false(protocol_utf8("\xed\xa0\x80", 3));     /* a surrogate */
  assert_false(protocol_utf8("\xe2\x82", 2));         /* cut short */
  assert_false(protocol_utf8("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
}

/* protocol_parse() of a request; the status it gives. */
static unsigned parse(bool post, const char *ctype, const Param *params, size_t n,
                      const char *body, Call *call) {
  HttpInput in = {.post = post, .content_type = ctype, .params = params, .nparams = n,
                  .body = body, .body_len = body ? strlen(body) : 0};
  char *why = NULL;
  unsigned st = protocol_parse(&in, call, &why);
  assert_true(st == 0 ? why == NULL : why != NULL);
  free(why);
  return st;
}

#define P(k, v) {(char *)(k), (char *)(v), sizeof(v) - 1}

static void test_protocol_rules(void **state) {
  (void)state;
  Call c;
  Param q[] = {P("query", "ASK {}"), P("default-graph-uri", "http://g"), P("x", "y")};
  assert_int_equal(parse(false, NULL, q, 3, NULL, &c), 0);
  assert_int_equal(c.kind, CALL_QUERY);
  assert_string_equal(c.text, "ASK {}");
  assert_int_equal(c.dflt.n, 1);
  protocol_call_free(&c);
  Param two_q[] = {P("query", "ASK {}"), P("query", "ASK {}")};
  assert_int_equal(parse(false, NULL, two_q, 2, NULL, &c), 400);
  Param upd[] = {P("update", "CLEAR ALL")};
  assert_int_equal(parse(false, NULL, upd, 1, NULL, &c), 400); /* update by GET */
  assert_int_equal(parse(true, "application/x-www-form-urlencoded", upd, 1, NULL, &c), 0);
  assert_int_equal(c.kind, CALL_UPDATE);
  protocol_call_free(&c);
  Param bad_iri[] = {P("query", "ASK {}"), P("named-graph-uri", "not an iri")};
  assert_int_equal(parse(false, NULL, bad_iri, 2, NULL, &c), 400);
  Param wrong[] = {P("query", "ASK {}"), P("using-graph-uri", "http://g")};
  assert_int_equal(parse(false, NULL, wrong, 2, NULL, &c), 400);
  assert_int_equal(parse(true, "application/sparql-query", NULL, 0, "ASK {}", &c), 0);
  protocol_call_free(&c);
  assert_int_equal(parse(true, "application/sparql-update; charset=UTF-16", NULL, 0, "x", &c), 415);
  assert_int_equal(parse(true, "application/sparql-query; charset=\"utf-8\"", NULL, 0, "ASK{}", &c), 0);
  protocol_call_free(&c);
  assert_int_equal(parse(true, "text/plain", NULL, 0, "ASK {}", &c), 415);
  assert_int_equal(parse(true, NULL, NULL, 0, "ASK {}", &c), 415);
  assert_int_equal(parse(true, "application/sparql-query", q, 1, "ASK {}", &c), 400);
  assert_int_equal(parse(true, "application/sparql-query", NULL, 0, "ASK \xff", &c), 400);
}

/* graphstore_parse() of a request whose body has a part per content type
 * in ctypes (NULL-ended; "" for a part without one); the status it gives. */
static unsigned gs_parse(const char *method, const char *direct, const Param *params, size_t n,
                         const char *const *ctypes, GsRequest *out) {
  size_t nparts = 0;
  while (ctypes && ctypes[nparts]) nparts++;
  GsPart *parts = calloc(nparts + 1, sizeof *parts);
  assert_non_null(parts);
  for (size_t i = 0; i < nparts; ++i)
    parts[i] = (GsPart){.type = *ctypes[i] ? strdup(ctypes[i]) : NULL, .name = strdup("body"),
                        .data = *ctypes[i] ? strdup("x") : NULL, .len = *ctypes[i] ? 1 : 0};
  char *why = NULL;
  unsigned st = graphstore_parse(method, direct, params, n, &parts, &nparts, out, &why);
  assert_null(parts); /* taken over, whatever the outcome */
  assert_true(st == 0 ? why == NULL : why != NULL);
  if (st) assert_null(out->parts);
  free(why);
  return st;
}

static void gs_free(GsRequest *g) {
  GsRequest *copy = malloc(sizeof *copy);
  assert_non_null(copy);
  *copy = *g;
  graphstore_free(copy);
}

static void test_graphstore_rules(void **state) {
  (void)state;
  GsRequest g;
  const char *ttl[] = {"text/turtle; charset=utf-8", NULL}, *nq[] = {"application/n-quads", NULL};
  const char *mixed[] = {"text/turtle", "application/trig", NULL}, *none[] = {"", NULL};
  Param graph[] = {P("graph", "http://ex/g")}, dflt[] = {P("default", "")};
  assert_int_equal(gs_parse("GET", NULL, graph, 1, ttl, &g), 0);
  assert_int_equal(g.target, GS_GRAPH);
  assert_string_equal(g.graph, "http://ex/g");
  assert_int_equal(g.nparts, 0); /* a read's body is dropped */
  gs_free(&g);
  assert_int_equal(gs_parse("HEAD", NULL, dflt, 1, NULL, &g), 0);
  assert_int_equal(g.target, GS_DEFAULT);
  gs_free(&g);
  assert_int_equal(gs_parse("GET", NULL, NULL, 0, NULL, &g), 0);
  assert_int_equal(g.target, GS_DATASET);
  gs_free(&g);
  assert_int_equal(gs_parse("GET", "http://h/store/x", NULL, 0, NULL, &g), 0);
  assert_string_equal(g.graph, "http://h/store/x");
  gs_free(&g);
  assert_int_equal(gs_parse("GET", "http://h/store/x", dflt, 1, NULL, &g), 400);
  Param both[] = {P("graph", "http://ex/g"), P("default", "")}, bad[] = {P("graph", "a b")};
  assert_int_equal(gs_parse("GET", NULL, both, 2, NULL, &g), 400);
  assert_int_equal(gs_parse("GET", NULL, bad, 1, NULL, &g), 400);
  assert_int_equal(gs_parse("PUT", NULL, graph, 1, ttl, &g), 0);
  assert_int_equal(g.parts[0].format, TRINE_FORMAT_TURTLE);
  gs_free(&g);
  assert_int_equal(gs_parse("PUT", NULL, graph, 1, none, &g), 0); /* no body: empty graph */
  assert_int_equal(g.parts[0].format, TRINE_FORMAT_NTRIPLES);
  gs_free(&g);
  assert_int_equal(gs_parse("PUT", NULL, graph, 1, nq, &g), 415);
  const char *latin[] = {"text/turtle; charset=iso-8859-1", NULL}, *xml[] = {"application/rdf+xml", NULL};
  assert_int_equal(gs_parse("POST", NULL, dflt, 1, latin, &g), 415);
  assert_int_equal(gs_parse("POST", NULL, dflt, 1, xml, &g), 415);
  assert_int_equal(gs_parse("POST", NULL, NULL, 0, ttl, &g), 0);
  assert_int_equal(g.target, GS_NEW);
  gs_free(&g);
  assert_int_equal(gs_parse("POST", NULL, NULL, 0, nq, &g), 0);
  assert_int_equal(g.target, GS_DATASET);
  assert_int_equal(g.parts[0].format, TRINE_FORMAT_NQUADS);
  gs_free(&g);
  assert_int_equal(gs_parse("POST", NULL, NULL, 0, mixed, &g), 415);
  assert_int_equal(gs_parse("PUT", NULL, NULL, 0, ttl, &g), 415);
  assert_int_equal(gs_parse("DELETE", NULL, NULL, 0, NULL, &g), 405);
  assert_int_equal(gs_parse("PATCH", NULL, graph, 1, NULL, &g), 405);
  assert_int_equal(gs_parse("DELETE", NULL, graph, 1, NULL, &g), 0);
  assert_true(graphstore_writes(&g));
  gs_free(&g);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_dataset_select), cmocka_unit_test(test_dataset_forms),
      cmocka_unit_test(test_dataset_update), cmocka_unit_test(test_dataset_load),
      cmocka_unit_test(test_negotiate),      cmocka_unit_test(test_utf8),
      cmocka_unit_test(test_protocol_rules), cmocka_unit_test(test_graphstore_rules),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
