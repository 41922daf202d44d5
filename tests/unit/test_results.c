/* test_results.c -- unit tests of the result writers: the escaping and
 * formatting helpers of results.h, and trine_query_write() on real queries. */
#include "results.h"
#include "width.h"
#include "testutil.h"
#include "trine.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define XSD "http://www.w3.org/2001/XMLSchema#"

typedef int (*EscFn)(ResBuf *, const char *, size_t);

static void check_esc(EscFn fn, const char *in, size_t n, const char *want) {
  ResBuf b = {0};
  assert_int_equal(fn(&b, in, n), 0);
  assert_string_equal(res_cstr(&b), want);
  res_free(&b);
}
#define ESC(fn, lit, want) check_esc(fn, lit, sizeof(lit) - 1, want)

typedef int (*TermFn)(ResBuf *, const TrineTerm *);

static void check_term(TermFn fn, TrineTerm t, const char *want) {
  ResBuf b = {0};
  assert_int_equal(fn(&b, &t), 0);
  assert_string_equal(res_cstr(&b), want);
  res_free(&b);
}

static void test_results_json_escape(void **state) {
  (void)state;
  ESC(res_json_escape, "plain", "plain");
  ESC(res_json_escape, "a\"b\\c", "a\\\"b\\\\c");
  ESC(res_json_escape, "t\tn\nr\rb\bf\f", "t\\tn\\nr\\rb\\bf\\f");
  ESC(res_json_escape, "\x01\x1f\x7f", "\\u0001\\u001f\\u007f");
  ESC(res_json_escape, "nul\0x", "nul\\u0000x");
  ESC(res_json_escape, "caf\xC3\xA9 \xE2\x82\xAC", "caf\xC3\xA9 \xE2\x82\xAC");
  ESC(res_json_escape, "", "");
}

static void test_results_xml_escape(void **state) {
  (void)state;
  ESC(res_xml_escape, "a<b>&\"c'", "a&lt;b&gt;&amp;&quot;c'");
  ESC(res_xml_escape, "tab\tlf\ncr\r", "tab\tlf\ncr&#13;");
  ESC(res_xml_escape, "bell\x07", "bell\xEF\xBF\xBD");
  ESC(res_xml_escape, "x\xEF\xBF\xBEy\xEF\xBF\xBFz\xEF\xBF\xBD",
      "x\xEF\xBF\xBDy\xEF\xBF\xBDz\xEF\xBF\xBD");
  ESC(res_xml_escape, "\xC3\xA9", "\xC3\xA9");
}

static void test_results_csv_field(void **state) {
  (void)state;
  ESC(res_csv_field, "plain text", "plain text");
  ESC(res_csv_field, "a,b", "\"a,b\"");
  ESC(res_csv_field, "say \"hi\"", "\"say \"\"hi\"\"\"");
  ESC(res_csv_field, "two\nlines", "\"two\nlines\"");
  ESC(res_csv_field, "cr\r", "\"cr\r\"");
  ESC(res_csv_field, "", "");
  check_term(res_csv_term, trine_iri("http://example.org/a,b"),
             "\"http://example.org/a,b\"");
  check_term(res_csv_term, trine_blank("b0"), "_:b0");
  check_term(res_csv_term, trine_literal("chat", NULL, "fr"), "chat");
  check_term(res_csv_term, trine_literal("1", XSD "integer", NULL), "1");
}

static void test_results_tsv_term(void **state) {
  (void)state;
  check_term(res_tsv_term, trine_iri("http://example.org/x"),
             "<http://example.org/x>");
  check_term(res_tsv_term, trine_blank("b1"), "_:b1");
  check_term(res_tsv_term, trine_literal("a\tb\nc\"", NULL, NULL),
             "\"a\\tb\\nc\\\"\"");
  check_term(res_tsv_term, trine_literal("chat", NULL, "fr"), "\"chat\"@fr");
  check_term(res_tsv_term, trine_literal("x", XSD "string", NULL), "\"x\"");
  check_term(res_tsv_term, trine_literal("42", XSD "integer", NULL), "42");
  check_term(res_tsv_term, trine_literal("-1.5", XSD "decimal", NULL), "-1.5");
  check_term(res_tsv_term, trine_literal("1.0E6", XSD "double", NULL),
             "1.0E6");
  check_term(res_tsv_term, trine_literal("1.5", XSD "double", NULL),
             "\"1.5\"^^<" XSD "double>");
  check_term(res_tsv_term, trine_literal("true", XSD "boolean", NULL),
             "\"true\"^^<" XSD "boolean>");
  check_term(res_tsv_term, trine_literal("abc", XSD "integer", NULL),
             "\"abc\"^^<" XSD "integer>");
}

static void test_results_short_literal(void **state) {
  (void)state;
#define SHORT(lex, dt) res_is_short_literal(lex, strlen(lex), XSD dt, strlen(XSD dt))
  assert_true(SHORT("0", "integer"));
  assert_true(SHORT("+12", "integer"));
  assert_true(SHORT("-007", "integer"));
  assert_false(SHORT("", "integer"));
  assert_false(SHORT("-", "integer"));
  assert_false(SHORT("1.0", "integer"));
  assert_true(SHORT("1.0", "decimal"));
  assert_true(SHORT(".5", "decimal"));
  assert_false(SHORT("1.", "decimal"));
  assert_false(SHORT("1", "decimal"));
  assert_true(SHORT("1e3", "double"));
  assert_true(SHORT("1.E3", "double"));
  assert_true(SHORT(".5e-3", "double"));
  assert_true(SHORT("-1.5E+10", "double"));
  assert_false(SHORT("1.5", "double"));
  assert_false(SHORT("e3", "double"));
  assert_false(SHORT("1e", "double"));
  assert_false(SHORT("INF", "double"));
  assert_true(SHORT("true", "boolean"));
  assert_true(SHORT("false", "boolean"));
  assert_false(SHORT("1", "boolean"));
  assert_false(SHORT("1", "string"));
  assert_false(res_is_short_literal("1", 1, NULL, 0));
#undef SHORT
}

static void test_results_local_names(void **state) {
  (void)state;
#define LOCAL(s) res_is_local_name(s, strlen(s))
  assert_true(LOCAL(""));
  assert_true(LOCAL("name"));
  assert_true(LOCAL("a-b.c_d:e"));
  assert_true(LOCAL("123"));
  assert_true(LOCAL("caf\xC3\xA9"));
  assert_true(LOCAL("a%20b"));
  assert_false(LOCAL("a%2"));
  assert_false(LOCAL("a%zz"));
  assert_false(LOCAL("-a"));
  assert_false(LOCAL(".a"));
  assert_false(LOCAL("a."));
  assert_false(LOCAL("a/b"));
  assert_false(LOCAL("a#b"));
  assert_false(LOCAL("a?b"));
  assert_false(LOCAL("a b"));
#undef LOCAL
}

static const char *const PFX[] = {
    "foaf", "http://xmlns.com/foaf/0.1/",
    "ex",   "http://example.org/",
    "exa",  "http://example.org/a/",
    "",     "http://default.org/",
};

static void check_short(const char *iri, const char *want) {
  ResBuf b = {0};
  int r = res_shorten_iri(&b, iri, strlen(iri), PFX, 4);
  assert_int_equal(r, want ? 1 : 0);
  assert_string_equal(res_cstr(&b), want ? want : "");
  res_free(&b);
}

static void test_results_shorten_iri(void **state) {
  (void)state;
  check_short("http://xmlns.com/foaf/0.1/name", "foaf:name");
  check_short("http://example.org/x", "ex:x");
  check_short("http://example.org/a/y", "exa:y"); // the longest namespace
  check_short("http://example.org/b/y", NULL);     // '/' in the local name
  check_short("http://example.org/", "ex:");
  check_short("http://default.org/thing", ":thing");
  check_short("http://other.org/x", NULL);
  check_short("http://example.org/x.", NULL);
  ResBuf b = {0};
  assert_int_equal(res_shorten_iri(&b, "http://example.org/x", 20, NULL, 0), 0);
  res_free(&b);
  /* The public form writes to a buffer, cut as snprintf cuts. */
  char buf[16] = "?";
  const char *iri = "http://xmlns.com/foaf/0.1/name";
  assert_int_equal(trine_iri_shorten(iri, strlen(iri), PFX, 4, buf, sizeof buf), 9);
  assert_string_equal(buf, "foaf:name");
  assert_int_equal(trine_iri_shorten(iri, strlen(iri), PFX, 4, buf, 5), 9);
  assert_string_equal(buf, "foaf");
  assert_int_equal(trine_iri_shorten("http://example.org/b/y", 22, PFX, 4, buf, 16), 0);
  assert_string_equal(buf, "");
  assert_int_equal(trine_iri_shorten(iri, strlen(iri), NULL, 0, buf, 16), 0);
  assert_int_equal(trine_iri_shorten(iri, strlen(iri), PFX, 4, NULL, 0), 9);
  assert_int_equal(trine_iri_shorten(iri, strlen(iri), PFX, 4, NULL, 16), 9);
  assert_int_equal(trine_iri_shorten(NULL, 3, PFX, 4, buf, 16), 0);
}

static void check_cell(const TrineTerm *t, const char *want) {
  ResBuf b = {0};
  assert_int_equal(res_table_cell(&b, t, PFX, 4), 0);
  assert_string_equal(res_cstr(&b), want);
  res_free(&b);
}

static void test_results_table_cells(void **state) {
  (void)state;
  TrineTerm t;
  check_cell(NULL, "");
  t = trine_iri("http://xmlns.com/foaf/0.1/name");
  check_cell(&t, "foaf:name");
  t = trine_iri("http://other.org/x y");
  check_cell(&t, "<http://other.org/x\\u0020y>");
  t = trine_blank("b7");
  check_cell(&t, "_:b7");
  t = trine_literal("text", NULL, NULL);
  check_cell(&t, "\"text\"");
  t = trine_literal("two\nlines \"q\"", NULL, NULL);
  check_cell(&t, "\"two\\nlines \\\"q\\\"\"");
  t = trine_literal("text", NULL, "en");
  check_cell(&t, "\"text\"@en");
  t = trine_literal("text", "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString",
                    "en");
  check_cell(&t, "\"text\"@en");
  t = trine_literal("x", XSD "string", NULL);
  check_cell(&t, "\"x\"");
  t = trine_literal("42", XSD "integer", NULL);
  check_cell(&t, "42");
  t = trine_literal("4.2", XSD "decimal", NULL);
  check_cell(&t, "4.2");
  t = trine_literal("4.2E1", XSD "double", NULL);
  check_cell(&t, "4.2E1");
  t = trine_literal("true", XSD "boolean", NULL);
  check_cell(&t, "true");
  t = trine_literal("4.2", XSD "double", NULL);
  check_cell(&t, "\"4.2\"^^xsd:double");
  t = trine_literal("2024-01-02", XSD "date", NULL);
  check_cell(&t, "\"2024-01-02\"^^xsd:date");
  t = trine_literal("v", "http://example.org/dt", NULL);
  check_cell(&t, "\"v\"^^ex:dt");
  t = trine_literal("v", "http://other.org/dt", NULL);
  check_cell(&t, "\"v\"^^<http://other.org/dt>");
}

#define W(s) trine_text_width(s, strlen(s))

static void test_results_text_width(void **state) {
  (void)state;
  assert_int_equal(W(""), 0);
  assert_int_equal(W("a\xC3\xA9\xE2\x82\xAC"), 3);       // a é €
  assert_int_equal(W("\xE4\xB8\xAD\xE6\x96\x87"), 4);   // 中文: wide
  assert_int_equal(W("\xED\x95\x9C"), 2);                 // 한 (Hangul)
  assert_int_equal(W("\xEF\xBC\xA1"), 2);                 // Ａ (fullwidth)
  assert_int_equal(W("\xEF\xBD\xB1"), 1);                 // ｱ (halfwidth)
  assert_int_equal(W("\xF0\x9F\x98\x80"), 2);             // 😀
  assert_int_equal(W("e\xCC\x81"), 1);                     // e + U+0301
  assert_int_equal(W("\xE2\x80\x8D\xEF\xB8\x8F"), 0);   // ZWJ, VS16
  assert_int_equal(W("\xC2\xAD"), 1);                      // soft hyphen
  assert_int_equal(W("\xE1\x85\xA0"), 0);                 // U+1160
  assert_int_equal(W("\t\x7F"), 0);                        // controls
  assert_int_equal(W("a\xFF\xC3"), 3);                     // bad bytes: 1 each
  assert_int_equal(trine_text_width(NULL, 5), 0);            // misuse: no crash
}

static void test_results_width_cuts(void **state) {
  (void)state;
  const char *cjk = "\xE4\xB8\xAD\xE6\x96\x87x"; // 中文x
  size_t used;
  assert_int_equal(width_prefix(cjk, 7, 3, &used), 3); // 中 and no half of 文
  assert_int_equal(used, 2);
  assert_int_equal(width_prefix(cjk, 7, 4, &used), 6);
  assert_int_equal(used, 4);
  assert_int_equal(width_prefix(cjk, 7, 9, &used), 7);
  assert_int_equal(used, 5);
  assert_int_equal(width_prefix("e\xCC\x81x", 4, 1, &used), 3); // the mark stays
  assert_int_equal(width_suffix(cjk, 7, 2, &used), 6);
  assert_int_equal(used, 1);
  assert_int_equal(width_suffix(cjk, 7, 3, &used), 3);
  assert_int_equal(used, 3);
  assert_int_equal(width_suffix("xe\xCC\x81", 4, 1, &used), 1);
  assert_int_equal(width_suffix("xe\xCC\x81", 4, 0, &used), 4); // no lone mark
  assert_int_equal(used, 0);
  assert_int_equal(width_suffix("a\xFF", 2, 1, &used), 1);
}

/* trine_query_write() on real queries ------------------------------------- */

static const char DATA[] =
    "<http://ex.org/a> <http://xmlns.com/foaf/0.1/name> \"Ann \\\"A\\\", <x>&\\tq\\nz\" .\n"
    "<http://ex.org/a> <http://ex.org/age> \"42\"^^<" XSD "integer> .\n"
    "<http://ex.org/b> <http://xmlns.com/foaf/0.1/name> \"Bob\"@en .\n"
    "<http://ex.org/b> <http://ex.org/born> \"2000-01-02\"^^<" XSD "date> .\n"
    "<http://ex.org/c> <http://xmlns.com/foaf/0.1/name> \"\xC3\x89mile \xC3\xA0 la plage du nord\" .\n"
    "<http://ex.org/c> <http://ex.org/age> \"7.5\"^^<" XSD "decimal> .\n"
    "<http://ex.org/paris> <http://ex.org/label> \"Paris\" .\n"
    "<http://ex.org/tokyo> <http://ex.org/label> \"\xE6\x9D\xB1\xE4\xBA\xAC\" .\n";

typedef TuStore Fixture;

static int setup(void **state) {
  if (tu_setup(state, "results", "store"))
    return -1;
  Fixture *f = *state;
  if (trine_store_load_buffer(f->store, "data", DATA, sizeof DATA - 1, NULL,
                              NULL) != TRINE_OK)
    return -1;
  return 0;
}

/* Run query, write it in format; the text (caller frees), status and rows. */
static char *run(Fixture *f, const char *query, TrineResultFormat format,
                 const TrineWriteOptions *opts, TrineStatus *st,
                 uint64_t *rows) {
  TrineQuery *q = NULL;
  TrineQueryOptions o = {.allow = TRINE_ALLOW_UPDATE};
  assert_int_equal(trine_query_prepare(f->store, query, strlen(query), &o, &q), TRINE_OK);
  char *buf = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&buf, &len);
  assert_non_null(out);
  *st = trine_query_write(q, format, opts, out, rows);
  fclose(out);
  trine_query_free(q);
  return buf;
}

static void check_write(Fixture *f, const char *query,
                        TrineResultFormat format, const TrineWriteOptions *opts,
                        const char *want, uint64_t want_rows) {
  TrineStatus st;
  uint64_t rows = 99;
  char *got = run(f, query, format, opts, &st, &rows);
  assert_int_equal(st, TRINE_OK);
  assert_string_equal(got, want);
  assert_int_equal(rows, want_rows);
  free(got);
}

static const char Q_PEOPLE[] =
    "SELECT ?s ?name ?age WHERE { ?s <http://xmlns.com/foaf/0.1/name> ?name "
    "OPTIONAL { ?s <http://ex.org/age> ?age } } ORDER BY ?s";

static void test_results_write_json(void **state) {
  check_write(*state, Q_PEOPLE, TRINE_RESULTS_JSON, NULL,
              "{\"head\":{\"vars\":[\"s\",\"name\",\"age\"]},\"results\":{\"bindings\":[\n"
              "{\"s\":{\"type\":\"uri\",\"value\":\"http://ex.org/a\"},"
              "\"name\":{\"type\":\"literal\",\"value\":\"Ann \\\"A\\\", <x>&\\tq\\nz\"},"
              "\"age\":{\"type\":\"literal\",\"value\":\"42\",\"datatype\":\"" XSD "integer\"}},\n"
              "{\"s\":{\"type\":\"uri\",\"value\":\"http://ex.org/b\"},"
              "\"name\":{\"type\":\"literal\",\"value\":\"Bob\",\"xml:lang\":\"en\"}},\n"
              "{\"s\":{\"type\":\"uri\",\"value\":\"http://ex.org/c\"},"
              "\"name\":{\"type\":\"literal\",\"value\":\"\xC3\x89mile \xC3\xA0 la plage du nord\"},"
              "\"age\":{\"type\":\"literal\",\"value\":\"7.5\",\"datatype\":\"" XSD "decimal\"}}\n"
              "]}}\n",
              3);
  check_write(*state, "SELECT ?x WHERE { ?x ?p <http://nothing> }",
              TRINE_RESULTS_JSON, NULL,
              "{\"head\":{\"vars\":[\"x\"]},\"results\":{\"bindings\":[]}}\n", 0);
}

static void test_results_write_xml(void **state) {
  check_write(*state, Q_PEOPLE, TRINE_RESULTS_XML, NULL,
              "<?xml version=\"1.0\"?>\n"
              "<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n"
              "  <head>\n"
              "    <variable name=\"s\"/>\n"
              "    <variable name=\"name\"/>\n"
              "    <variable name=\"age\"/>\n"
              "  </head>\n"
              "  <results>\n"
              "    <result>\n"
              "      <binding name=\"s\"><uri>http://ex.org/a</uri></binding>\n"
              "      <binding name=\"name\"><literal>Ann &quot;A&quot;, &lt;x&gt;&amp;\tq\nz</literal></binding>\n"
              "      <binding name=\"age\"><literal datatype=\"" XSD "integer\">42</literal></binding>\n"
              "    </result>\n"
              "    <result>\n"
              "      <binding name=\"s\"><uri>http://ex.org/b</uri></binding>\n"
              "      <binding name=\"name\"><literal xml:lang=\"en\">Bob</literal></binding>\n"
              "    </result>\n"
              "    <result>\n"
              "      <binding name=\"s\"><uri>http://ex.org/c</uri></binding>\n"
              "      <binding name=\"name\"><literal>\xC3\x89mile \xC3\xA0 la plage du nord</literal></binding>\n"
              "      <binding name=\"age\"><literal datatype=\"" XSD "decimal\">7.5</literal></binding>\n"
              "    </result>\n"
              "  </results>\n"
              "</sparql>\n",
              3);
}

static void test_results_write_csv_tsv(void **state) {
  check_write(*state, Q_PEOPLE, TRINE_RESULTS_CSV, NULL,
              "s,name,age\r\n"
              "http://ex.org/a,\"Ann \"\"A\"\", <x>&\tq\nz\",42\r\n"
              "http://ex.org/b,Bob,\r\n"
              "http://ex.org/c,\xC3\x89mile \xC3\xA0 la plage du nord,7.5\r\n",
              3);
  check_write(*state, Q_PEOPLE, TRINE_RESULTS_TSV, NULL,
              "?s\t?name\t?age\n"
              "<http://ex.org/a>\t\"Ann \\\"A\\\", <x>&\\tq\\nz\"\t42\n"
              "<http://ex.org/b>\t\"Bob\"@en\t\n"
              "<http://ex.org/c>\t\"\xC3\x89mile \xC3\xA0 la plage du nord\"\t7.5\n",
              3);
  TrineWriteOptions o = {.headers = false, .max_rows = 1};
  check_write(*state, Q_PEOPLE, TRINE_RESULTS_TSV, &o,
              "<http://ex.org/a>\t\"Ann \\\"A\\\", <x>&\\tq\\nz\"\t42\n", 1);
}

static void test_results_write_ask(void **state) {
  const char *yes = "ASK { ?s <http://ex.org/age> 42 }";
  const char *no = "ASK { ?s <http://ex.org/age> 43 }";
  check_write(*state, yes, TRINE_RESULTS_JSON, NULL,
              "{\"head\":{},\"boolean\":true}\n", 1);
  check_write(*state, no, TRINE_RESULTS_JSON, NULL,
              "{\"head\":{},\"boolean\":false}\n", 1);
  check_write(*state, yes, TRINE_RESULTS_XML, NULL,
              "<?xml version=\"1.0\"?>\n"
              "<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n"
              "  <head>\n  </head>\n  <boolean>true</boolean>\n</sparql>\n",
              1);
  check_write(*state, no, TRINE_RESULTS_CSV, NULL, "_askResult\r\nfalse\r\n", 1);
  check_write(*state, yes, TRINE_RESULTS_TSV, NULL, "?_askResult\ntrue\n", 1);
  check_write(*state, yes, TRINE_RESULTS_TABLE, NULL, "ASK\n----\ntrue\n", 1);
}

static void test_results_write_construct(void **state) {
  const char *q = "CONSTRUCT { ?s <http://ex.org/n> ?n } WHERE "
                  "{ ?s <http://xmlns.com/foaf/0.1/name> ?n FILTER(?s != <http://ex.org/c>) }";
  const char *want =
      "<http://ex.org/a> <http://ex.org/n> \"Ann \\\"A\\\", <x>&\\tq\\nz\" .\n"
      "<http://ex.org/b> <http://ex.org/n> \"Bob\"@en .\n";
  const char *want2 =
      "<http://ex.org/b> <http://ex.org/n> \"Bob\"@en .\n"
      "<http://ex.org/a> <http://ex.org/n> \"Ann \\\"A\\\", <x>&\\tq\\nz\" .\n";
  /* Every format but TABLE gives N-Triples; the order is the engine's. */
  TrineResultFormat fmts[] = {TRINE_RESULTS_NTRIPLES, TRINE_RESULTS_JSON,
                              TRINE_RESULTS_CSV};
  for (size_t i = 0; i < 3; ++i) {
    TrineStatus st;
    uint64_t rows;
    char *got = run(*state, q, fmts[i], NULL, &st, &rows);
    assert_int_equal(st, TRINE_OK);
    assert_int_equal(rows, 2);
    if (strcmp(got, want) != 0)
      assert_string_equal(got, want2);
    free(got);
  }
  /* SELECT cannot be written as N-Triples. */
  TrineStatus st;
  uint64_t rows;
  char *got = run(*state, Q_PEOPLE, TRINE_RESULTS_NTRIPLES, NULL, &st, &rows);
  assert_int_equal(st, TRINE_ERR_ARG);
  assert_int_equal(rows, 0);
  free(got);
}

static const char *const PREFIXES[] = {
    "foaf", "http://xmlns.com/foaf/0.1/",
    "ex",   "http://ex.org/",
};

static void test_results_write_table(void **state) {
  TrineWriteOptions o = {.prefixes = PREFIXES, .nprefixes = 2,
                         .headers = true};
  check_write(*state, Q_PEOPLE, TRINE_RESULTS_TABLE, &o,
              "?s    ?name                       ?age\n"
              "----  --------------------------  ----\n"
              "ex:a  \"Ann \\\"A\\\", <x>&\\tq\\nz\"       42\n"
              "ex:b  \"Bob\"@en\n"
              "ex:c  \"\xC3\x89mile \xC3\xA0 la plage du nord\"   7.5\n",
              3);
  /* Cut to 30 columns: the widest column shrinks, cells end with "…". */
  o.width = 30;
  check_write(*state, Q_PEOPLE, TRINE_RESULTS_TABLE, &o,
              "?s    ?name               ?age\n"
              "----  ------------------  ----\n"
              "ex:a  \"Ann \\\"A\\\", <x>&\\\xE2\x80\xA6    42\n"
              "ex:b  \"Bob\"@en\n"
              "ex:c  \"\xC3\x89mile \xC3\xA0 la plage\xE2\x80\xA6   7.5\n",
              3);
  /* No headers, one row at most, typed literals shortened. */
  TrineWriteOptions o2 = {.prefixes = PREFIXES, .nprefixes = 2, .max_rows = 1};
  check_write(*state,
              "SELECT ?p ?d WHERE { ?s ?p ?d FILTER(datatype(?d) = "
              "<" XSD "date>) }",
              TRINE_RESULTS_TABLE, &o2, "ex:born  \"2000-01-02\"^^xsd:date\n", 1);
  /* CONSTRUCT as a table: s, p, o columns. */
  check_write(*state,
              "CONSTRUCT { ?s <http://ex.org/age> ?a } WHERE "
              "{ ?s <http://ex.org/age> ?a FILTER(?a > 10) }",
              TRINE_RESULTS_TABLE, &o,
              "s     p        o\n"
              "----  ------  --\n"
              "ex:a  ex:age  42\n",
              1);
}

/* Columns line up on the screen: 東京 takes four columns, not two. */
static void test_results_write_table_wide(void **state) {
  TrineWriteOptions o = {.prefixes = PREFIXES, .nprefixes = 2, .headers = true};
  check_write(*state,
              "SELECT ?l ?s WHERE { ?s <http://ex.org/label> ?l } ORDER BY ?l",
              TRINE_RESULTS_TABLE, &o,
              "?l       ?s\n"
              "-------  --------\n"
              "\"Paris\"  ex:paris\n"
              "\"\xE6\x9D\xB1\xE4\xBA\xAC\"   ex:tokyo\n",
              2);
  /* Cut to 5 columns: 東 fits with the quote and the ellipsis, 京 not. */
  o.width = 9;
  check_write(*state,
              "SELECT ?l (1 AS ?n) WHERE { ?s <http://ex.org/label> ?l } ORDER BY ?l",
              TRINE_RESULTS_TABLE, &o,
              "?l     ?n\n"
              "-----  --\n"
              "\"Par\xE2\x80\xA6   1\n"
              "\"\xE6\x9D\xB1\xE2\x80\xA6    1\n",
              2);
}

/* Numbers on the right, their header too when the column holds nothing else. */
static void test_results_write_table_numbers(void **state) {
  TrineWriteOptions o = {.headers = true};
  check_write(*state, "SELECT ?v WHERE { VALUES ?v { 1 \"a\" 22 } }",
              TRINE_RESULTS_TABLE, &o, "?v\n---\n  1\n\"a\"\n 22\n", 3);
  check_write(*state, "SELECT ?v ?w WHERE { VALUES (?v ?w) { (1 2.5) (-10 UNDEF) } }",
              TRINE_RESULTS_TABLE, &o,
              " ?v   ?w\n---  ---\n  1  2.5\n-10\n", 2);
}

/* A narrow IRI keeps its end (<http:/…/paris>, not <http://ex.o…); a
 * prefix shortens it first. */
static void test_results_write_table_iri_cut(void **state) {
  TrineWriteOptions o = {.headers = true, .width = 15};
  const char *q = "SELECT ?s WHERE { ?s <http://ex.org/label> ?l } ORDER BY ?s";
  check_write(*state, q, TRINE_RESULTS_TABLE, &o,
              "?s\n---------------\n"
              "<http:/\xE2\x80\xA6/paris>\n<http:/\xE2\x80\xA6/tokyo>\n", 2);
  o.prefixes = PREFIXES;
  o.nprefixes = 2;
  check_write(*state, q, TRINE_RESULTS_TABLE, &o,
              "?s\n--------\nex:paris\nex:tokyo\n", 2);
  o.width = 7; // a prefixed name is cut in the middle too
  check_write(*state, q, TRINE_RESULTS_TABLE, &o,
              "?s\n-------\nex:\xE2\x80\xA6ris\nex:\xE2\x80\xA6kyo\n", 2);
}

/* One record per row, one line per column; values are never cut. */
static void test_results_write_line(void **state) {
  TrineWriteOptions o = {.prefixes = PREFIXES, .nprefixes = 2, .headers = true,
                         .width = 10};
  check_write(*state, Q_PEOPLE, TRINE_RESULTS_LINE, &o,
              "-[ RECORD 1 ]-\n"
              "?s    = ex:a\n"
              "?name = \"Ann \\\"A\\\", <x>&\\tq\\nz\"\n"
              "?age  = 42\n"
              "-[ RECORD 2 ]-\n"
              "?s    = ex:b\n"
              "?name = \"Bob\"@en\n"
              "?age  =\n"
              "-[ RECORD 3 ]-\n"
              "?s    = ex:c\n"
              "?name = \"\xC3\x89mile \xC3\xA0 la plage du nord\"\n"
              "?age  = 7.5\n",
              3);
  /* Without headers a blank line parts the records; max_rows holds. */
  o.headers = false;
  o.max_rows = 2;
  check_write(*state, "SELECT ?s ?l WHERE { ?s <http://ex.org/label> ?l } ORDER BY ?s",
              TRINE_RESULTS_LINE, &o,
              "?s = ex:paris\n?l = \"Paris\"\n\n"
              "?s = ex:tokyo\n?l = \"\xE6\x9D\xB1\xE4\xBA\xAC\"\n", 2);
  /* A long name widens the record line; ASK is a table; graphs are s p o. */
  o.headers = true;
  check_write(*state, "SELECT (1 AS ?a_rather_long_name) {}", TRINE_RESULTS_LINE, &o,
              "-[ RECORD 1 ]---------\n?a_rather_long_name = 1\n", 1);
  check_write(*state, "ASK {}", TRINE_RESULTS_LINE, &o, "ASK\n----\ntrue\n", 1);
  check_write(*state,
              "CONSTRUCT { ?s <http://ex.org/age> ?a } WHERE "
              "{ ?s <http://ex.org/age> ?a FILTER(?a > 10) }",
              TRINE_RESULTS_LINE, &o,
              "-[ RECORD 1 ]-\ns = ex:a\np = ex:age\no = 42\n", 1);
}

static void test_results_write_update_and_errors(void **state) {
  Fixture *f = *state;
  TrineStatus st;
  uint64_t rows = 7;
  char *got = run(f, "INSERT DATA { <http://ex.org/d> <http://ex.org/age> 1 }",
                  TRINE_RESULTS_JSON, NULL, &st, &rows);
  assert_int_equal(st, TRINE_OK);
  assert_int_equal(rows, 0);
  assert_string_equal(got, "");
  free(got);
  check_write(f, "SELECT ?s WHERE { ?s <http://ex.org/age> 1 }",
              TRINE_RESULTS_CSV, NULL, "s\r\nhttp://ex.org/d\r\n", 1);
  /* Bad arguments. */
  TrineQuery *q = NULL;
  const char *text = "SELECT * { ?s ?p ?o }";
  TrineQueryOptions o = {.allow = TRINE_ALLOW_UPDATE};
  assert_int_equal(trine_query_prepare(f->store, text, strlen(text), &o, &q),
                   TRINE_OK);
  assert_int_equal(trine_query_write(NULL, TRINE_RESULTS_JSON, NULL, stdout,
                                     &rows),
                   TRINE_ERR_ARG);
  assert_int_equal(trine_query_write(q, TRINE_RESULTS_JSON, NULL, NULL, &rows),
                   TRINE_ERR_ARG);
  assert_int_equal(trine_query_write(q, (TrineResultFormat)(TRINE_RESULTS_LINE + 1), NULL,
                                     stdout,
                                     &rows),
                   TRINE_ERR_ARG);
  /* A write error is TRINE_ERR_IO. */
  FILE *full = fopen("/dev/full", "w");
  if (full) {
    assert_int_equal(trine_query_write(q, TRINE_RESULTS_TSV, NULL, full, NULL),
                     TRINE_ERR_IO);
    fclose(full);
  }
  trine_query_free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_results_json_escape),
      cmocka_unit_test(test_results_xml_escape),
      cmocka_unit_test(test_results_csv_field),
      cmocka_unit_test(test_results_tsv_term),
      cmocka_unit_test(test_results_short_literal),
      cmocka_unit_test(test_results_local_names),
      cmocka_unit_test(test_results_shorten_iri),
      cmocka_unit_test(test_results_table_cells),
      cmocka_unit_test(test_results_text_width),
      cmocka_unit_test(test_results_width_cuts),
      cmocka_unit_test_setup_teardown(test_results_write_json, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_xml, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_csv_tsv, setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_ask, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_construct, setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_table, setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_table_wide, setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_table_numbers, setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_table_iri_cut, setup,
                                      tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_line, setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_results_write_update_and_errors,
                                      setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
