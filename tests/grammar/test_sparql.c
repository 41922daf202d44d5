/*
 * test_sparql.c -- the SPARQL parser: exact error messages and positions,
 * algebra translation (printed S-expressions), limits and ownership.
 */
#include "sparql.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

typedef struct {
  const char *query;
  const char *expected;
} Case;

/* Wrong requests and their exact messages (source name "q"). */
static const Case errors[] = {
  {"SELECT * WHERE { ?s ?p }",
   "q:1:24: error: unexpected '}', expected a term"},
  {"SELECT * WHERE { ?s ?p ?o",
   "q:1:26: error: unexpected end of query, expected a graph pattern, ';', '}', '.' or ','"},
  {"SELECT",
   "q:1:7: error: unexpected end of query, expected a variable, 'DISTINCT', 'REDUCED', '*' or '('"},
  {"BASE",
   "q:1:5: error: unexpected end of query, expected an IRI"},
  {"SELECT (?x + 1) { }",
   "q:1:15: error: unexpected ')', expected an operator or 'AS'"},
  {"SELECT * { ?s ?p ?o FILTER(regex(?o)) }",
   "q:1:36: error: unexpected ')', expected an operator or ','"},
  {"SELECT * { ?s ?p ?o } GROUP BY",
   "q:1:31: error: unexpected end of query, expected an IRI, a function call, a variable or '('"},
  {"PREFIX ex: <http://ex/> SELECT * { ex:a ex:b ex:c ex:d }",
   "q:1:51: error: unexpected prefixed name ex:d, expected a graph pattern, ';', '}', '.' or ','"},
  {"SELECT * { ?s",
   "q:1:14: error: unexpected end of query, expected a property path or a variable"},
  {"SELECT * { ?s ?p ?o } LIMIT",
   "q:1:28: error: unexpected end of query, expected an integer"},
  {"SELECT * { VALUES ?x { ?y } }",
   "q:1:24: error: unexpected variable ?y, expected a value or '}'"},
  {"SELECT * {} OFFSET 1 OFFSET 2",
   "q:1:22: error: unexpected 'OFFSET', expected 'LIMIT', 'VALUES' or end of query"},
  {"INSERT { ?s ?p ?o }",
   "q:1:20: error: unexpected end of query, expected 'USING' or 'WHERE'"},
  {"CLEAR",
   "q:1:6: error: unexpected end of query, expected 'ALL', 'DEFAULT', 'GRAPH', 'NAMED' or 'SILENT'"},
  {"SELECT * { ?s ?p/ ?o }",
   "q:1:17: error: unexpected '/', expected a term"},
  {"SELECT * { ?s ?p ?o FILTER(?o IN 1) }",
   "q:1:34: error: unexpected number 1, expected '()' or '('"},
  {"SELECT * { ?s ?p ?o } }",
   "q:1:23: error: unexpected '}', expected 'GROUP', 'HAVING', 'LIMIT', 'OFFSET', 'ORDER', 'VALUES' or end of query"},
  {"SELECT * WHERE { . }",
   "q:1:18: error: unexpected '.', expected a triple pattern, a graph pattern, 'SELECT' or '}'"},
  {"SELECT * { ?s ?p \"abc }",
   "q:1:18: error: unterminated string or invalid character in string"},
  {"SELECT * { ?s ?p ?o } LIMIT x",
   "q:1:29: error: unknown word 'x'"},
  {"ASK { ?s ?p ?o FILTER(?x <) }",
   "q:1:27: error: unexpected ')', expected an expression"},
  {"SELECT * FROM { }",
   "q:1:15: error: unexpected '{', expected an IRI or 'NAMED'"},
  {"LOAD ;",
   "q:1:6: error: unexpected ';', expected an IRI or 'SILENT'"},
  {"SELECT * { ?s ?p ?o OPTIONAL }",
   "q:1:30: error: unexpected '}', expected '{'"},
  {"SELECT * { ?s ?p ?o . FILTER ?x }",
   "q:1:30: error: unexpected variable ?x, expected an IRI, a function call or '('"},
  {"SELECT * { ?s é ?o }",
   "q:1:15: error: unexpected character 'é'"},
  {"SELECT * { ?s ?p 1.2.3 }",
   "q:1:21: error: unexpected number .3, expected a graph pattern, ';', '}', '.' or ','"},
  {"SELECT * { ?s <a b> ?o }",
   "q:1:15: error: unexpected '<', expected a property path or a variable"},
  {"SELECT * { ?s ?p 'a\\qb' }",
   "q:1:20: error: invalid escape sequence in string"},
  {"SELECT * { ?s ?p \"\\uD800\" }",
   "q:1:19: error: invalid code point escape"},
  {"SELECT * { foaf:a ?p ?o }",
   "q:1:12: error: unknown prefix 'foaf:'"},
  {"SELECT * { ?s foaf:name ?o }",
   "q:1:15: error: unknown prefix 'foaf:'"},
  {"SELECT ?x ?x { ?x ?p ?o }",
   "q:1:11: error: variable ?x projected twice"},
  {"SELECT (1 AS ?x) (2 AS ?x) {}",
   "q:1:24: error: variable ?x projected twice"},
  {"SELECT * { ?s ?p ?o } GROUP BY ?s",
   "q:1:8: error: SELECT * not allowed with GROUP BY"},
  {"SELECT ?o { ?s ?p ?o } GROUP BY ?s",
   "q:1:8: error: variable ?o not in GROUP BY"},
  {"SELECT ?p (COUNT(?o) AS ?c) { ?s ?p ?o }",
   "q:1:8: error: variable ?p not in GROUP BY"},
  {"SELECT ((?a + ?b) AS ?c) { ?s ?a ?b } GROUP BY (?a + ?b)",
   "q:1:10: error: variable ?a not in GROUP BY"},
  {"SELECT * { ?s ?p ?o BIND(1 AS ?o) }",
   "q:1:31: error: BIND to ?o: variable already in scope"},
  {"SELECT * { { ?s ?p ?y } UNION { ?s ?p ?z } BIND(1 AS ?y) }",
   "q:1:54: error: BIND to ?y: variable already in scope"},
  {"SELECT (1 AS ?o) { ?s ?p ?o }",
   "q:1:14: error: variable ?o already in scope"},
  {"SELECT * { _:b ?p ?o . { _:b ?q ?r } }",
   "q:1:26: error: blank node label _:b used in two basic graph patterns"},
  {"SELECT * { _:b ?p ?o OPTIONAL { ?s ?p ?o } _:b ?q ?r }",
   "q:1:44: error: blank node label _:b used in two basic graph patterns"},
  {"SELECT * { ?s ?p ?o FILTER(COUNT(?o) > 1) }",
   "q:1:28: error: aggregate not allowed here"},
  {"SELECT (SUM(COUNT(?x)) AS ?y) { ?x ?p ?o }",
   "q:1:13: error: aggregate not allowed here"},
  {"SELECT * { ?s ?p ?o BIND(MAX(?o) AS ?m) }",
   "q:1:26: error: aggregate not allowed here"},
  {"SELECT (COUNT(*) AS ?c) { ?s ?p ?o } GROUP BY (COUNT(?o))",
   "q:1:48: error: aggregate not allowed here"},
  {"SELECT * { VALUES (?a ?b) { (1) } }",
   "q:1:29: error: VALUES row has 1 value, expected 2"},
  {"INSERT DATA { ?s <p> <o> }",
   "q:1:15: error: variable ?s not allowed in INSERT DATA"},
  {"DELETE DATA { _:b <p> <o> }",
   "q:1:15: error: blank node not allowed in DELETE DATA"},
  {"DELETE WHERE { _:a <p> <o> }",
   "q:1:16: error: blank node not allowed in DELETE WHERE"},
  {"DELETE { <s> <p> [] } WHERE { ?x <p> <o> }",
   "q:1:10: error: blank node not allowed in a DELETE template"},
  {"INSERT DATA { _:b <p> <o> } ; INSERT DATA { _:b <p> <o> }",
   "q:1:45: error: blank node label _:b used in two operations"},
  {"INSERT DATA { GRAPH ?g { <s> <p> <o> } }",
   "q:1:21: error: variable ?g not allowed in INSERT DATA"},
  {"CREATE GRAPH <g> LOAD <x>",
   "q:1:18: error: unexpected 'LOAD', expected ';' or end of query"},
  {"CONSTRUCT { ?s <p>/<q> ?o } WHERE { ?s ?p ?o }",
   "q:1:13: error: property path not allowed in a template"},
  {"SELECT * { ?s ?p ?o } LIMIT 99999999999999999999",
   "q:1:29: error: number too large: 99999999999999999999"},
  {"SELECT * WHERE { ?s ?p ?o } ORDER BY",
   "q:1:37: error: unexpected end of query, expected an IRI, a function call, a variable, 'ASC', 'DESC' or '('"},
};

/* Requests and their algebra, whitespace collapsed (base http://base/q.rq). */
static const Case algebra[] = {
  {"SELECT ?s WHERE { ?s <http://ex/p> ?o }",
   "(project (?s) (bgp (triple ?s <http://ex/p> ?o)))"},
  {"PREFIX : <http://ex/> SELECT * { ?s :p ?o OPTIONAL { ?o :q ?z FILTER(?z > 1) } }",
   "(project (?s ?o ?z) (leftjoin (bgp (triple ?s <http://ex/p> ?o)) (bgp (triple ?o <http://ex/q> ?z)) (> ?z 1)))"},
  /* A filter of a group nested in OPTIONAL stays inside (18.2.2.6 before 18.2.2.8). */
  {"PREFIX : <http://ex/> SELECT * { ?s :p ?o OPTIONAL { { ?s :q ?z FILTER(?o = 1) } } }",
   "(project (?s ?o ?z) (leftjoin (bgp (triple ?s <http://ex/p> ?o)) (filter (= ?o 1) (bgp (triple ?s <http://ex/q> ?z)))))"},
  {"PREFIX : <http://ex/> SELECT * { { ?s :p ?o } UNION { ?s :q ?o } MINUS { ?s :r 1 } }",
   "(project (?s ?o) (minus (union (bgp (triple ?s <http://ex/p> ?o)) (bgp (triple ?s <http://ex/q> ?o))) (bgp (triple ?s <http://ex/r> 1))))"},
  {"PREFIX : <http://ex/> SELECT DISTINCT ?s { GRAPH ?g { ?s :p \"x\"@EN-gb } } ORDER BY DESC(?s) LIMIT 5 OFFSET 2",
   "(slice 2 5 (distinct (project (?s) (order ((desc ?s)) (graph ?g (bgp (triple ?s <http://ex/p> \"x\"@en-gb)))))))"},
  {"PREFIX : <http://ex/> SELECT ?s (COUNT(DISTINCT ?o) AS ?n) { ?s :p ?o } GROUP BY ?s HAVING (COUNT(DISTINCT ?o) > 2)",
   "(project (?s ?n) (extend ((?n ?.0)) (filter (> ?.1 2) (group (?s) ((?.0 (count distinct ?o)) (?.1 (count distinct ?o))) (bgp (triple ?s <http://ex/p> ?o))))))"},
  {"BASE <http://ex/a/b> SELECT * { <../c> <#p> <d?q> }",
   "(project () (bgp (triple <http://ex/c> <http://ex/a/b#p> <http://ex/a/d?q>)))"},
  /* The base's own dot segments go (RFC 3986 5.2.2; Oxigraph 0.5.11 keeps
   * them), a relative prefix resolves against it, escapes stay. */
  {"BASE <http://ex/a/../b/> PREFIX p: <./%41/../c/> SELECT * { <d> p:e <../f%41> }",
   "(project () (bgp (triple <http://ex/b/d> <http://ex/b/c/e> <http://ex/f%41>)))"},
  {"PREFIX : <http://ex/> SELECT * { ?s :p/:q ?o . ?s ^:r ?x . ?s :a|:b ?y . ?s !(:c|^:d) ?z . ?s :e+ ?w }",
   "(project (?s ?o ?x ?y ?z ?w) (join (join (join (bgp (triple ?s <http://ex/p> ??P0) (triple ??P0 <http://ex/q> ?o) (triple ?x <http://ex/r> ?s)) (path ?s (alt <http://ex/a> <http://ex/b>) ?y)) (path ?s (notoneof <http://ex/c> (reverse <http://ex/d>)) ?z)) (path ?s (path+ <http://ex/e>) ?w)))"},
  {"PREFIX : <http://ex/> SELECT * { ?s :p [ :q 1 ; :r (2 3) ] }",
   "(project (?s) (bgp (triple ?s <http://ex/p> ??0) (triple ??0 <http://ex/q> 1) (triple ??0 <http://ex/r> ??1) (triple ??1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> 2) (triple ??1 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> ??2) (triple ??2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> 3) (triple ??2 <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest> <http://www.w3.org/1999/02/22-rdf-syntax-ns#nil>)))"},
  {"SELECT * { ?s ?p ?o BIND(STR(?o) AS ?t) FILTER NOT EXISTS { ?s ?p 2 } VALUES ?s { <http://ex/a> UNDEF } }",
   "(project (?s ?p ?o ?t) (filter (notexists (bgp (triple ?s ?p 2))) (join (extend ((?t (str ?o))) (bgp (triple ?s ?p ?o))) (table (vars ?s) (row [?s <http://ex/a>]) (row)))))"},
  {"SELECT ?x { { SELECT ?x { ?x ?p ?o } LIMIT 1 } }",
   "(project (?x) (tomultiset (slice _ 1 (project (?x) (bgp (triple ?x ?p ?o))))))"},
  {"ASK { ?s ?p 1.5e0, true, -3 }",
   "(ask (bgp (triple ?s ?p 1.5e0) (triple ?s ?p true) (triple ?s ?p -3)))"},
  {"CONSTRUCT { ?s <http://ex/p> [ <http://ex/q> ?o ] } WHERE { ?s ?p ?o }",
   "(construct (template (triple ?s <http://ex/p> _:b0) (triple _:b0 <http://ex/q> ?o)) (bgp (triple ?s ?p ?o)))"},
  {"CONSTRUCT WHERE { ?s ?p ?o }",
   "(construct (template (triple ?s ?p ?o)) (bgp (triple ?s ?p ?o)))"},
  {"DESCRIBE ?s <http://ex/x> WHERE { ?s ?p ?o }",
   "(describe (?s <http://ex/x>) (bgp (triple ?s ?p ?o)))"},
  {"SELECT * FROM <http://ex/g> FROM NAMED <http://ex/h> { ?s ?p ?o }",
   "(dataset (<http://ex/g>) (<http://ex/h>) (project (?s ?p ?o) (bgp (triple ?s ?p ?o))))"},
  {"SELECT (GROUP_CONCAT(?o ; SEPARATOR=\", \") AS ?all) { ?s ?p ?o }",
   "(project (?all) (extend ((?all ?.0)) (group () ((?.0 (group_concat (separator \", \") ?o))) (bgp (triple ?s ?p ?o)))))"},
  {"PREFIX : <http://ex/> INSERT DATA { :a :b _:x . GRAPH :g { :c :d \"e\" } }",
   "(update (insertdata (quads (quad default <http://ex/a> <http://ex/b> _:b0) (quad <http://ex/g> <http://ex/c> <http://ex/d> \"e\"))))"},
  {"PREFIX : <http://ex/> WITH :g DELETE { ?s :p ?o } INSERT { ?s :q [] } USING :h WHERE { ?s :p ?o }",
   "(update (modify (with <http://ex/g>) (using <http://ex/h>) (delete (quad default ?s <http://ex/p> ?o)) (insert (quad default ?s <http://ex/q> _:b0)) (bgp (triple ?s <http://ex/p> ?o))))"},
  {"PREFIX : <http://ex/> DELETE WHERE { ?s :p ?o . GRAPH :g { ?s :q ?x } }",
   "(update (deletewhere (quads (quad default ?s <http://ex/p> ?o) (quad <http://ex/g> ?s <http://ex/q> ?x))))"},
  {"LOAD SILENT <http://ex/f> INTO GRAPH <http://ex/g> ; CLEAR ALL ; DROP GRAPH <http://ex/g> ; CREATE GRAPH <http://ex/n> ; COPY DEFAULT TO <http://ex/c>",
   "(update (load silent <http://ex/f> <http://ex/g>) (clear all) (drop <http://ex/g>) (create <http://ex/n>) (copy default <http://ex/c>))"},
  {"SELECT * { SERVICE SILENT <http://ex/sparql> { ?s ?p ?o } }",
   "(project (?s ?p ?o) (service silent <http://ex/sparql> (bgp (triple ?s ?p ?o))))"},
  {"SELECT * { ?s ?p ?o FILTER(?o IN (1, 2) && !BOUND(?x) || REGEX(?o, \"a\", \"i\")) }",
   "(project (?s ?p ?o) (filter (|| (&& (in ?o 1 2) (! (bound ?x))) (regex ?o \"a\" \"i\")) (bgp (triple ?s ?p ?o))))"},
  {"SELECT * { ?s ?p ?o FILTER(<http://ex/f>(?o, 2) * 2 - -1 / 3 >= ?s) }",
   "(project (?s ?p ?o) (filter (>= (- (* (<http://ex/f> ?o 2) 2) (/ -1 3)) ?s) (bgp (triple ?s ?p ?o))))"},
};

static TrineStatus parse(const char *q, SparqlRequest **r, TrineError *err) {
  return sparql_parse("q", q, strlen(q), "http://base/q.rq", r, err);
}

static char *formatted_error(const char *q) {
  SparqlRequest *r = NULL;
  TrineError err;
  TrineStatus st = parse(q, &r, &err);
  if (st == TRINE_OK) {
    sparql_request_free(r);
    return NULL;
  }
  assert_null(r);
  assert_int_equal(st, TRINE_ERR_SYNTAX);
  size_t n = trine_error_format(&err, NULL, 0);
  char *buf = malloc(n + 1);
  trine_error_format(&err, buf, n + 1);
  return buf;
}

/* The printed algebra with every run of white space made one space. */
static char *printed(const SparqlRequest *r) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  assert_int_equal(sparql_algebra_print(r, f), 0);
  fclose(f);
  char *o = text;
  bool space = false;
  for (const char *c = text; *c; c++) {
    if (*c == ' ' || *c == '\n') {
      space = o != text;
      continue;
    }
    if (space) *o++ = ' ';
    space = false;
    *o++ = *c;
  }
  *o = 0;
  return text;
}

static void test_sparql_error_messages(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof errors / sizeof *errors; i++) {
    char *msg = formatted_error(errors[i].query);
    if (!msg) fail_msg("accepted: %s", errors[i].query);
    if (strcmp(msg, errors[i].expected))
      fail_msg("query: %s\n  got:      %s\n  expected: %s", errors[i].query,
               msg, errors[i].expected);
    free(msg);
  }
}

static void test_sparql_algebra_translation(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof algebra / sizeof *algebra; i++) {
    SparqlRequest *r = NULL;
    TrineError err;
    if (parse(algebra[i].query, &r, &err) != TRINE_OK)
      fail_msg("rejected: %s: %s", algebra[i].query, err.message);
    char *text = printed(r);
    if (strcmp(text, algebra[i].expected))
      fail_msg("query: %s\n  got:      %s\n  expected: %s", algebra[i].query,
               text, algebra[i].expected);
    free(text);
    sparql_request_free(r);
  }
}

static char *repeat(const char *prefix, const char *unit, size_t n,
                    const char *suffix) {
  size_t pl = strlen(prefix), ul = strlen(unit), sl = strlen(suffix);
  char *s = malloc(pl + ul * n + sl + 1), *o = s;
  memcpy(o, prefix, pl);
  o += pl;
  for (size_t i = 0; i < n; i++, o += ul) memcpy(o, unit, ul);
  memcpy(o, suffix, sl + 1);
  return s;
}

static void expect_error(const char *q, const char *needle) {
  char *msg = formatted_error(q);
  assert_non_null(msg);
  if (!strstr(msg, needle)) fail_msg("got %s, expected %s", msg, needle);
  free(msg);
}

/* Every IRI is resolved against the base (RFC 3986 5.2.2, which removes the
 * dot segments of an absolute reference too), whether or not the request
 * has one; percent-escapes are kept (no 6.2.2 normalisation, SPARQL 1.1
 * 4.1.1.2) and a prefixed name is the prefix's IRI and the local part
 * concatenated (4.1.1.1). A relative IRI without any base stays as written. */
static void test_sparql_iris_resolved_with_or_without_base(void **state) {
  (void)state;
  const char *q = "PREFIX ex: <http://a/b/../c/> "
                  "SELECT * { ex:x <http://a/./p> <http://a/%7e/../y> . ex:a\\/..\\/z ?p <r> }";
  const char *expected = "(project (?p) (bgp (triple <http://a/c/x> <http://a/p> <http://a/y>) "
                         "(triple <http://a/c/a/../z> ?p <r>)))";
  const char *with_base = "(project (?p) (bgp (triple <http://a/c/x> <http://a/p> <http://a/y>) "
                          "(triple <http://a/c/a/../z> ?p <http://base/r>)))";
  const char *bases[] = {NULL, "http://base/q.rq"};
  for (int i = 0; i < 2; ++i) {
    SparqlRequest *r = NULL;
    TrineError err;
    if (sparql_parse("q", q, strlen(q), bases[i], &r, &err) != TRINE_OK)
      fail_msg("rejected: %s", err.message);
    char *text = printed(r);
    assert_string_equal(text, i ? with_base : expected);
    free(text);
    sparql_request_free(r);
  }
  const char *kept = "SELECT * { <http://a/%7e/x> ?p ?o }";
  SparqlRequest *r = NULL;
  TrineError err;
  assert_int_equal(sparql_parse("q", kept, strlen(kept), NULL, &r, &err), TRINE_OK);
  char *text = printed(r);
  assert_string_equal(text, "(project (?p ?o) (bgp (triple <http://a/%7e/x> ?p ?o)))");
  free(text);
  sparql_request_free(r);
}

static void test_sparql_deep_nesting_is_an_error(void **state) {
  (void)state;
  char *q = repeat("SELECT * { FILTER(", "(", 10000, "?x) }");
  expect_error(q, "q:1:417: error: nesting too deep");
  free(q);
  q = repeat("SELECT * ", "{", 10000, "");
  expect_error(q, "nesting too deep");
  free(q);
  q = repeat("SELECT * { ?s ?p ", "(", 10000, "");
  expect_error(q, "nesting too deep");
  free(q);
  q = repeat("SELECT * { ?s ?p ", "[ <p> ", 10000, "");
  expect_error(q, "nesting too deep");
  free(q);
  /* left-deep chains are bounded too */
  q = repeat("SELECT * { FILTER(?x", " + 1", 20000, ") }");
  expect_error(q, "expression too deeply nested");
  free(q);
  q = repeat("SELECT * { ?s <p>", "|<p>", 20000, " ?o }");
  expect_error(q, "property path too deeply nested");
  free(q);
  q = repeat("SELECT * { {}", " UNION {}", 20000, " }");
  expect_error(q, "query too deeply nested");
  free(q);
}

static void test_sparql_long_flat_lists_parse(void **state) {
  (void)state;
  /* 10,000 patterns: far more than the tree height limit (3000), and
   * the most a request may have (SPARQL_MAX_PATTERNS). */
  char *q = repeat("SELECT * { ?s <p> 0", ", 1", 9999, " }");
  SparqlRequest *r = NULL;
  assert_int_equal(parse(q, &r, NULL), TRINE_OK);
  assert_int_equal(r->pattern->a->kind, SPARQL_OP_BGP);
  assert_int_equal(r->pattern->a->ntriples, 10000);
  sparql_request_free(r);
  free(q);
  q = repeat("SELECT * { ?s <p> 0", ", 1", 10000, " }");
  expect_error(q, "q:1:12: error: too many triple patterns: more than 10000 in one request");
  free(q);
}

static void test_sparql_columns_count_characters(void **state) {
  (void)state;
  char *msg = formatted_error("SELECT * {\n  ?s <p> \"\xc3\xa9\xc3\xa9\" ?o\n}");
  assert_string_equal(msg, "q:2:15: error: unexpected variable ?o, expected a "
                           "graph pattern, a language tag, '^^', ';', '}', '.' or ','");
  free(msg);
}

static void test_sparql_error_caret(void **state) {
  (void)state;
  const char *q = "SELECT *\nWHERE { ?s ?p }";
  TrineError err;
  SparqlRequest *r = NULL;
  assert_int_equal(parse(q, &r, &err), TRINE_ERR_SYNTAX);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  sparql_error_caret(q, strlen(q), &err, f);
  fclose(f);
  assert_string_equal(text, "  WHERE { ?s ?p }\n                ^\n");
  free(text);
}

static void test_sparql_terms_and_variables(void **state) {
  (void)state;
  const char *q = "PREFIX ex: <http://ex/> SELECT ?b ?a "
                  "{ ?a ex:p \"x\"@EN-GB, \"y\", 2, _:l, [] ; ex:q ?b }";
  SparqlRequest *r = NULL;
  assert_int_equal(parse(q, &r, NULL), TRINE_OK);
  assert_int_equal(r->form, SPARQL_SELECT);
  assert_int_equal(r->nprojection, 2);
  assert_string_equal(r->vars[r->projection[0]].name, "b");
  assert_string_equal(r->vars[r->projection[1]].name, "a");
  const SparqlOp *bgp = r->pattern->a;
  assert_int_equal(bgp->kind, SPARQL_OP_BGP);
  assert_int_equal(bgp->ntriples, 6);
  const SparqlTriple *t = bgp->triples;
  assert_string_equal(t[0].p.term.value, "http://ex/p");
  assert_string_equal(t[0].o.term.lang, "en-gb");
  assert_null(t[0].o.term.datatype);
  assert_null(t[1].o.term.datatype);
  assert_null(t[1].o.term.lang);
  assert_string_equal(t[2].o.term.datatype,
                      "http://www.w3.org/2001/XMLSchema#integer");
  /* blank nodes of patterns are fresh, non-projectable variables */
  assert_int_equal(t[3].o.term.kind, TRINE_TERM_NONE);
  assert_int_equal(r->vars[t[3].o.var].kind, SPARQL_VAR_BNODE);
  assert_int_equal(r->vars[t[4].o.var].kind, SPARQL_VAR_BNODE);
  assert_int_not_equal(t[3].o.var, t[4].o.var);
  assert_int_equal(t[5].o.var, r->projection[0]);
  sparql_request_free(r);
}

static void test_sparql_update_operations(void **state) {
  (void)state;
  const char *q = "INSERT DATA { <a> <b> <c> } ; DELETE WHERE { ?s <p> ?o } ;";
  SparqlRequest *r = NULL;
  assert_int_equal(parse(q, &r, NULL), TRINE_OK);
  assert_int_equal(r->form, SPARQL_UPDATE);
  assert_int_equal(r->nupdates, 2);
  assert_int_equal(r->updates[0].kind, SPARQL_UP_INSERT_DATA);
  assert_int_equal(r->updates[0].nins, 1);
  assert_string_equal(r->updates[0].ins[0].s.term.value, "http://base/a");
  assert_int_equal(r->updates[0].ins[0].g.term.kind, TRINE_TERM_DEFAULT_GRAPH);
  assert_int_equal(r->updates[1].kind, SPARQL_UP_DELETE_WHERE);
  assert_non_null(r->updates[1].where);
  sparql_request_free(r);
}

static void test_sparql_free_null(void **state) {
  (void)state;
  sparql_request_free(NULL);
  TrineError err;
  assert_int_equal(sparql_parse("q", "x", 1, NULL, NULL, &err), TRINE_ERR_ARG);
}

static void test_sparql_not_nul_terminated(void **state) {
  (void)state;
  const char q[] = "ASK {}garbage";
  SparqlRequest *r = NULL;
  assert_int_equal(sparql_parse("q", q, 6, NULL, &r, NULL), TRINE_OK);
  assert_int_equal(r->form, SPARQL_ASK);
  sparql_request_free(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_sparql_error_messages),
    cmocka_unit_test(test_sparql_algebra_translation),
    cmocka_unit_test(test_sparql_iris_resolved_with_or_without_base),
    cmocka_unit_test(test_sparql_deep_nesting_is_an_error),
    cmocka_unit_test(test_sparql_long_flat_lists_parse),
    cmocka_unit_test(test_sparql_columns_count_characters),
    cmocka_unit_test(test_sparql_error_caret),
    cmocka_unit_test(test_sparql_terms_and_variables),
    cmocka_unit_test(test_sparql_update_operations),
    cmocka_unit_test(test_sparql_free_null),
    cmocka_unit_test(test_sparql_not_nul_terminated),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
