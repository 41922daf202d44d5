/* test_term.c -- unit tests of the term constructors and canonical writer. */
#include "term.h"
#include "trine.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The canonical text of t, NUL-terminated; the caller frees it. */
static char *text(const TrineTerm *t) {
  char *buf = NULL;
  size_t len = 0, cap = 0;
  assert_int_equal(term_write_buf(t, &buf, &len, &cap), 0);
  assert_int_equal(term_write_buf(&(TrineTerm){TRINE_TERM_DEFAULT_GRAPH, NULL,
                                               0, NULL, 0, NULL, 0},
                                  &buf, &len, &cap),
                   0); // appends nothing
  buf = realloc(buf, len + 1);
  assert_non_null(buf);
  buf[len] = '\0';
  return buf;
}

#define WRITES(term, want)                                                     \
  do {                                                                         \
    TrineTerm t_ = (term);                                                     \
    char *got_ = text(&t_);                                                    \
    assert_string_equal(got_, want);                                           \
    free(got_);                                                                \
  } while (0)

static TrineTerm lit_n(const char *s, size_t n) {
  TrineTerm t = trine_literal(NULL, NULL, NULL);
  t.value = s;
  t.value_len = n;
  return t;
}

static void test_term_constructors(void **state) {
  (void)state;
  TrineTerm t = trine_iri("http://ex/a");
  assert_int_equal(t.kind, TRINE_TERM_IRI);
  assert_string_equal(t.value, "http://ex/a");
  assert_int_equal(t.value_len, 11);
  assert_null(t.datatype);
  assert_null(t.lang);

  t = trine_blank("b0");
  assert_int_equal(t.kind, TRINE_TERM_BLANK);
  assert_int_equal(t.value_len, 2);

  t = trine_literal("chat", NULL, "fr");
  assert_int_equal(t.kind, TRINE_TERM_LITERAL);
  assert_int_equal(t.value_len, 4);
  assert_null(t.datatype);
  assert_int_equal(t.datatype_len, 0);
  assert_string_equal(t.lang, "fr");
  assert_int_equal(t.lang_len, 2);

  t = trine_literal("1", "http://ex/dt", NULL);
  assert_string_equal(t.datatype, "http://ex/dt");
  assert_int_equal(t.datatype_len, 12);
  assert_null(t.lang);

  t = trine_default_graph();
  assert_int_equal(t.kind, TRINE_TERM_DEFAULT_GRAPH);
  assert_null(t.value);
  assert_int_equal(t.value_len, 0);

  t = trine_iri(NULL);
  assert_int_equal(t.value_len, 0);
}

static void test_term_write_iri_and_blank(void **state) {
  (void)state;
  WRITES(trine_iri("http://ex/a#b?c=d&e"), "<http://ex/a#b?c=d&e>");
  WRITES(trine_iri("http://ex/\xC3\xA9\xF0\x9F\x98\x80"),
         "<http://ex/\xC3\xA9\xF0\x9F\x98\x80>");
  // Characters IRIREF forbids unescaped come out as UCHARs.
  WRITES(trine_iri("http://ex/ <>\"{}|^`\\"),
         "<http://ex/\\u0020\\u003C\\u003E\\u0022\\u007B\\u007D\\u007C\\u005E"
         "\\u0060\\u005C>");
  WRITES(trine_iri("http://ex/\x01\x1F\x7F"),
         "<http://ex/\\u0001\\u001F\x7F>");
  TrineTerm nul = trine_iri("http://ex/");
  nul.value = "http://ex/\0x";
  nul.value_len = 12;
  WRITES(nul, "<http://ex/\\u0000x>");
  WRITES(trine_blank("b1.x"), "_:b1.x");
}

static void test_term_write_literal_escapes(void **state) {
  (void)state;
  WRITES(trine_literal("plain text", NULL, NULL), "\"plain text\"");
  WRITES(trine_literal("", NULL, NULL), "\"\"");
  WRITES(trine_literal("q\"b\\", NULL, NULL), "\"q\\\"b\\\\\"");
  WRITES(trine_literal("\b\t\n\f\r", NULL, NULL), "\"\\b\\t\\n\\f\\r\"");
  WRITES(trine_literal("\x01\x07\x0B\x0E\x1F\x7F", NULL, NULL),
         "\"\\u0001\\u0007\\u000B\\u000E\\u001F\\u007F\"");
  WRITES(lit_n("a\0b", 3), "\"a\\u0000b\"");
  // Punctuation that IRIs escape is plain in literals.
  WRITES(trine_literal(" !#$%&'()*+,-./:;<=>?@[]^_`{|}~", NULL, NULL),
         "\" !#$%&'()*+,-./:;<=>?@[]^_`{|}~\"");
  // Non-ASCII is written as itself, except U+FFFE and U+FFFF.
  WRITES(trine_literal("\xC2\x80\xE2\x82\xAC\xEF\xBF\xBD\xF4\x8F\xBF\xBF",
                       NULL, NULL),
         "\"\xC2\x80\xE2\x82\xAC\xEF\xBF\xBD\xF4\x8F\xBF\xBF\"");
  WRITES(trine_literal("\xEF\xBF\xBE\xEF\xBF\xBF", NULL, NULL),
         "\"\\uFFFE\\uFFFF\"");
}

static void test_term_write_invalid_utf8_as_replacement(void **state) {
  (void)state;
  WRITES(trine_literal("a\xFF" "b\xC3", NULL, NULL),
         "\"a\xEF\xBF\xBD" "b\xEF\xBF\xBD\"");
  WRITES(trine_literal("\xED\xA0\x80", NULL, NULL), // a surrogate
         "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  WRITES(trine_iri("http://ex/\xC0\xAF"),
         "<http://ex/\xEF\xBF\xBD\xEF\xBF\xBD>");
}

static void test_term_write_lang_and_datatype(void **state) {
  (void)state;
  WRITES(trine_literal("chat", NULL, "en-GB"), "\"chat\"@en-gb");
  WRITES(trine_literal("1", "http://www.w3.org/2001/XMLSchema#integer", NULL),
         "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>");
  WRITES(trine_literal("1", XSD_STRING, NULL), "\"1\"");
  WRITES(trine_literal("1", "", NULL), "\"1\"");
  WRITES(trine_literal("1", "", ""), "\"1\"");
  // A language tag implies rdf:langString: the datatype is not written.
  WRITES(trine_literal("x", RDF_LANGSTRING, "de"), "\"x\"@de");
  WRITES(trine_literal("x", "http://ex/d t", NULL),
         "\"x\"^^<http://ex/d\\u0020t>");
}

static void test_term_is_xsd_string(void **state) {
  (void)state;
  assert_true(term_is_xsd_string(XSD_STRING, XSD_STRING_LEN));
  assert_false(term_is_xsd_string(XSD_STRING, XSD_STRING_LEN - 1));
  assert_false(term_is_xsd_string(NULL, 0));
  assert_false(term_is_xsd_string(RDF_LANGSTRING, RDF_LANGSTRING_LEN));
  assert_int_equal(strlen(RDF_LANGSTRING), RDF_LANGSTRING_LEN);
  assert_string_equal(RDF_LANGSTRING,
                      "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString");
}

static void test_term_write_appends(void **state) {
  (void)state;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  TrineTerm a = trine_iri("http://ex/a"), b = trine_blank("b");
  for (int i = 0; i < 1000; ++i) { // grows the buffer many times
    assert_int_equal(term_write_buf(&a, &buf, &len, &cap), 0);
    assert_int_equal(term_write_buf(&b, &buf, &len, &cap), 0);
  }
  assert_int_equal(len, 1000 * (13 + 3));
  assert_true(cap >= len);
  assert_memory_equal(buf, "<http://ex/a>_:b<http://ex/a>_:b", 32);
  free(buf);
}

static void test_term_write_quad_lines(void **state) {
  (void)state;
  char *buf = NULL;
  size_t len = 0, cap = 0;
  TrineTerm s = trine_iri("http://ex/s"), p = trine_iri("http://ex/p"),
            o = trine_literal("v", NULL, "en"), g = trine_blank("g"),
            dg = trine_default_graph();
  assert_int_equal(term_write_quad_buf(&s, &p, &o, &g, &buf, &len, &cap), 0);
  assert_int_equal(term_write_quad_buf(&s, &p, &o, &dg, &buf, &len, &cap), 0);
  assert_int_equal(term_write_quad_buf(&s, &p, &o, NULL, &buf, &len, &cap), 0);
  const char want[] = "<http://ex/s> <http://ex/p> \"v\"@en _:g .\n"
                      "<http://ex/s> <http://ex/p> \"v\"@en .\n"
                      "<http://ex/s> <http://ex/p> \"v\"@en .\n";
  assert_int_equal(len, sizeof want - 1);
  assert_memory_equal(buf, want, len);
  free(buf);
}

static char *write_to_file(const TrineTerm *t, int *rc) {
  FILE *f = tmpfile();
  assert_non_null(f);
  *rc = trine_term_write(t, f);
  long n = ftell(f);
  rewind(f);
  char *s = calloc(1, (size_t)n + 1);
  assert_non_null(s);
  assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  return s;
}

static void test_term_write_to_file(void **state) {
  (void)state;
  int rc;
  TrineTerm t = trine_literal("a\nb", "http://ex/dt", NULL);
  char *s = write_to_file(&t, &rc);
  assert_int_equal(rc, 0);
  assert_string_equal(s, "\"a\\nb\"^^<http://ex/dt>");
  free(s);

  // Large and escape-heavy: the worst-case growth path.
  size_t n = 100000;
  char *big = malloc(n + 1);
  assert_non_null(big);
  memset(big, '\x01', n);
  big[n] = '\0';
  t = trine_literal(big, NULL, NULL);
  s = write_to_file(&t, &rc);
  assert_int_equal(rc, 0);
  assert_int_equal(strlen(s), 6 * n + 2);
  assert_memory_equal(s, "\"\\u0001\\u0001", 13);
  free(s);
  // Just under the stack buffer limit, all escaped.
  big[32] = '\0';
  t = trine_literal(big, "http://ex/\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
                         "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01",
                    NULL);
  s = write_to_file(&t, &rc);
  assert_int_equal(rc, 0);
  assert_int_equal(strlen(s), 6 * 32 + 2 + 2 + 2 + 10 + 6 * 22);
  free(s);
  free(big);

  t = trine_default_graph();
  s = write_to_file(&t, &rc);
  assert_int_equal(rc, 0);
  assert_string_equal(s, "");
  free(s);

  t = (TrineTerm){TRINE_TERM_NONE, NULL, 0, NULL, 0, NULL, 0};
  s = write_to_file(&t, &rc);
  assert_int_equal(rc, -1);
  free(s);
  assert_int_equal(trine_term_write(NULL, stdout), -1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_term_constructors),
      cmocka_unit_test(test_term_write_iri_and_blank),
      cmocka_unit_test(test_term_write_literal_escapes),
      cmocka_unit_test(test_term_write_invalid_utf8_as_replacement),
      cmocka_unit_test(test_term_write_lang_and_datatype),
      cmocka_unit_test(test_term_is_xsd_string),
      cmocka_unit_test(test_term_write_appends),
      cmocka_unit_test(test_term_write_quad_lines),
      cmocka_unit_test(test_term_write_to_file),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
