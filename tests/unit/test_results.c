/* test_results.c -- unit tests of the result writers: the escaping and
 * formatting helpers of results.h, and trine_query_write() on real queries. */
#include "results.h"
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

static void test_results_utf8_width(void **state) {
  (void)state;
  const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z"; // a é € 😀 z
  size_t n = strlen(s);
  assert_int_equal(res_utf8_width(s, n), 5);
  assert_int_equal(res_utf8_width("", 0), 0);
  assert_int_equal(res_utf8_prefix(s, n, 0), 0);
  assert_int_equal(res_utf8_prefix(s, n, 1), 1);
  assert_int_equal(res_utf8_prefix(s, n, 2), 3);
  assert_int_equal(res_utf8_prefix(s, n, 3), 6);
  assert_int_equal(res_utf8_prefix(s, n, 4), 10);
  assert_int_equal(res_utf8_prefix(s, n, 5), n);
  assert_int_equal(res_utf8_prefix(s, n, 9), n);
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
      cmocka_unit_test(test_results_utf8_width),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
