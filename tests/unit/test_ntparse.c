/*
 * test_ntparse.c -- unit tests of the N-Triples / N-Quads parser, and its
 * run over the W3C syntax suites in tests/conformance/{ntriples,nquads}
 * (found from this file's path, or $TRINE_CONFORMANCE_DIR).
 */
#include "ntparse.h"
#include "term.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Harness ------------------------------------------------------------------ */

/* Everything a parse produced, as text: one canonical N-Quads line per
 * statement, "!LINE:COL: MESSAGE" per error, "@LINE" before each statement
 * when with_lines is set. */
typedef struct {
  char *buf;
  size_t len, cap;
  unsigned statements, errors;
  bool with_lines;
  unsigned stop_after; // callback returns TRINE_ERR_CANCELLED after this many
  const char *lo, *hi; // input bounds, to count zero-copy values
  unsigned borrowed;   // values pointing into [lo, hi)
} Out;

static void out_add(Out *o, const char *s, size_t n) {
  if (o->len + n + 1 > o->cap) {
    o->cap = (o->len + n + 1) * 2;
    o->buf = realloc(o->buf, o->cap);
    assert_non_null(o->buf);
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = '\0';
}

static void out_printf(Out *o, const char *fmt, ...) {
  char b[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(b, sizeof b, fmt, ap);
  va_end(ap);
  out_add(o, b, (size_t)n);
}

static void count_borrowed(Out *o, const TrineTerm *t) {
  if (t->value && t->value >= o->lo && t->value < o->hi)
    ++o->borrowed;
}

static TrineStatus on_statement(void *ctx, const NtStatement *st) {
  Out *o = ctx;
  char *line = NULL;
  size_t len = 0, cap = 0;
  if (o->stop_after && o->statements == o->stop_after)
    return TRINE_ERR_CANCELLED;
  ++o->statements;
  if (o->with_lines)
    out_printf(o, "@%u ", st->line);
  assert_int_equal(term_write_quad_buf(&st->s, &st->p, &st->o, &st->g, &line,
                                       &len, &cap),
                   0);
  out_add(o, line, len);
  free(line);
  count_borrowed(o, &st->s);
  count_borrowed(o, &st->p);
  count_borrowed(o, &st->o);
  count_borrowed(o, &st->g);
  return TRINE_OK;
}

static void on_error(void *ctx, const TrineError *e) {
  Out *o = ctx;
  ++o->errors;
  assert_int_equal(e->status, TRINE_ERR_SYNTAX);
  out_printf(o, "!%u:%u: %s\n", e->line, e->col, e->message);
}

/* Parse doc in chunks of `chunk` bytes (0: one chunk); returns the final
 * status (of the first failing feed, else of finish). */
static TrineStatus parse_in(Out *o, const char *doc, size_t len, bool nquads,
                            size_t chunk, unsigned max_errors) {
  NtParser *p = nt_parser_new("doc", nquads, on_statement, o, on_error, o,
                              max_errors);
  assert_non_null(p);
  o->lo = doc;
  o->hi = doc + len;
  TrineStatus st = TRINE_OK;
  if (!chunk)
    chunk = len ? len : 1;
  for (size_t off = 0; off < len && st == TRINE_OK; off += chunk)
    st = nt_parser_feed(p, doc + off, len - off < chunk ? len - off : chunk);
  if (st == TRINE_OK)
    st = nt_parser_finish(p);
  assert_int_equal(nt_parser_errors(p), o->errors);
  nt_parser_free(p);
  if (!o->buf)
    out_add(o, "", 0);
  return st;
}

/* Parse a NUL-terminated document in one chunk; returns the output text,
 * which the caller frees. */
static char *run(const char *doc, bool nquads, TrineStatus expect) {
  Out o = {0};
  assert_int_equal(parse_in(&o, doc, strlen(doc), nquads, 0, 5), expect);
  return o.buf;
}

#define CHECK(doc, nquads, expect, text)                                       \
  do {                                                                         \
    char *got_ = run(doc, nquads, expect);                                     \
    assert_string_equal(got_, text);                                           \
    free(got_);                                                                \
  } while (0)

#define OK_NT(doc, text) CHECK(doc, false, TRINE_OK, text)
#define OK_NQ(doc, text) CHECK(doc, true, TRINE_OK, text)
#define BAD_NT(doc, text) CHECK(doc, false, TRINE_ERR_SYNTAX, text)
#define BAD_NQ(doc, text) CHECK(doc, true, TRINE_ERR_SYNTAX, text)

#define S "<http://ex/s> "
#define P "<http://ex/p> "
#define SP S P

/* Terms -------------------------------------------------------------------- */

typedef struct {
  NtStatement st;
  char text[4][64];
  unsigned n;
} One;

static void copy_term(TrineTerm *t, char *buf) {
  // Keep a NUL-terminated copy so the term outlives the callback.
  if (t->value) {
    memcpy(buf, t->value, t->value_len);
    buf[t->value_len] = '\0';
    t->value = buf;
  }
}

static TrineStatus keep_one(void *ctx, const NtStatement *st) {
  One *one = ctx;
  one->st = *st;
  copy_term(&one->st.s, one->text[0]);
  copy_term(&one->st.p, one->text[1]);
  copy_term(&one->st.o, one->text[2]);
  copy_term(&one->st.g, one->text[3]);
  one->st.o.datatype = NULL; // borrowed: checked in the callback below
  one->st.o.lang = NULL;
  ++one->n;
  return TRINE_OK;
}

static void test_ntparse_term_kinds_and_values(void **state) {
  (void)state;
  One one = {0};
  const char doc[] = "_:b1 <http://ex/p> \"v\" <http://ex/g> .\n";
  NtParser *p = nt_parser_new(NULL, true, keep_one, &one, NULL, NULL, 1);
  assert_int_equal(nt_parser_feed(p, doc, sizeof doc - 1), TRINE_OK);
  assert_int_equal(nt_parser_finish(p), TRINE_OK);
  nt_parser_free(p);
  assert_int_equal(one.n, 1);
  assert_int_equal(one.st.line, 1);
  assert_int_equal(one.st.s.kind, TRINE_TERM_BLANK);
  assert_string_equal(one.st.s.value, "b1");
  assert_int_equal(one.st.s.value_len, 2);
  assert_int_equal(one.st.p.kind, TRINE_TERM_IRI);
  assert_string_equal(one.st.p.value, "http://ex/p");
  assert_null(one.st.p.datatype);
  assert_null(one.st.p.lang);
  assert_int_equal(one.st.o.kind, TRINE_TERM_LITERAL);
  assert_string_equal(one.st.o.value, "v");
  assert_int_equal(one.st.g.kind, TRINE_TERM_IRI);
  assert_string_equal(one.st.g.value, "http://ex/g");
}

static TrineStatus check_literal(void *ctx, const NtStatement *st) {
  const char **want = ctx; // value, datatype or NULL, lang or NULL
  assert_int_equal(st->o.kind, TRINE_TERM_LITERAL);
  assert_int_equal(st->o.value_len, strlen(want[0]));
  assert_memory_equal(st->o.value, want[0], st->o.value_len);
  if (want[1]) {
    assert_int_equal(st->o.datatype_len, strlen(want[1]));
    assert_memory_equal(st->o.datatype, want[1], st->o.datatype_len);
  } else {
    assert_null(st->o.datatype);
    assert_int_equal(st->o.datatype_len, 0);
  }
  if (want[2]) {
    assert_int_equal(st->o.lang_len, strlen(want[2]));
    assert_memory_equal(st->o.lang, want[2], st->o.lang_len);
  } else {
    assert_null(st->o.lang);
    assert_int_equal(st->o.lang_len, 0);
  }
  return TRINE_OK;
}

static void literal_is(const char *doc, const char *value, const char *dt,
                       const char *lang) {
  const char *want[3] = {value, dt, lang};
  NtParser *p = nt_parser_new(NULL, false, check_literal, want, NULL, NULL, 1);
  assert_int_equal(nt_parser_feed(p, doc, strlen(doc)), TRINE_OK);
  assert_int_equal(nt_parser_finish(p), TRINE_OK);
  nt_parser_free(p);
}

static void test_ntparse_literal_forms(void **state) {
  (void)state;
  literal_is(SP "\"\" .", "", NULL, NULL);
  literal_is(SP "\"a b\" .", "a b", NULL, NULL);
  literal_is(SP "\"x\"@en-GB .", "x", NULL, "en-gb");
  literal_is(SP "\"x\"@de .", "x", NULL, "de");
  literal_is(SP "\"1\"^^<http://www.w3.org/2001/XMLSchema#int> .", "1",
             "http://www.w3.org/2001/XMLSchema#int", NULL);
  // Explicit xsd:string is the same literal as a simple one.
  literal_is(SP "\"1\"^^<http://www.w3.org/2001/XMLSchema#string> .", "1",
             NULL, NULL);
  literal_is(SP "\"1\"^^<http://www.w3.org/2001/XMLSchema\\u0023string> .",
             "1", NULL, NULL);
  // White space may surround '^^' and precede the language tag.
  literal_is(SP "\"1\" ^^ <http://ex/dt> .", "1", "http://ex/dt", NULL);
  literal_is(SP "\"1\"\t@en .", "1", NULL, "en");
}

static void test_ntparse_escapes_decoded(void **state) {
  (void)state;
  literal_is(SP "\"\\t\\b\\n\\r\\f\\\"\\'\\\\\" .", "\t\b\n\r\f\"'\\", NULL,
             NULL);
  literal_is(SP "\"\\u00E9\\U0001F600\\u0041\" .",
             "\xC3\xA9\xF0\x9F\x98\x80" "A", NULL, NULL);
  OK_NT(SP "\"a\\u0000b\" .", "<http://ex/s> <http://ex/p> \"a\\u0000b\" .\n");
  OK_NT("<http://ex/\\u0073> <http://ex/p\\U00000031> <\\u0068ttp://o> .",
        "<http://ex/s> <http://ex/p1> <http://o> .\n");
  // Escaped characters that IRIREF forbids unescaped are kept (and the writer
  // escapes them again).
  OK_NT("<http://ex/a\\u0020b> " P "<http://ex/o> .",
        "<http://ex/a\\u0020b> <http://ex/p> <http://ex/o> .\n");
}

static void test_ntparse_unescaped_terms_are_borrowed(void **state) {
  (void)state;
  Out o = {0};
  const char doc[] = SP "\"plain\" .\n" SP "\"esc\\n\" .\n";
  assert_int_equal(parse_in(&o, doc, sizeof doc - 1, false, 0, 1), TRINE_OK);
  assert_int_equal(o.statements, 2);
  assert_int_equal(o.borrowed, 5); // all but the escaped literal
  free(o.buf);
}

/* Lines, white space, comments --------------------------------------------- */

static void test_ntparse_line_endings(void **state) {
  (void)state;
  const char *docs[] = {
      SP "<http://ex/o1> .\n\n" SP "<http://ex/o3> .\n",
      SP "<http://ex/o1> .\r\n\r\n" SP "<http://ex/o3> .\r\n",
      SP "<http://ex/o1> .\r\r" SP "<http://ex/o3> .\r",
      SP "<http://ex/o1> .\n\r\n" SP "<http://ex/o3> .",
      SP "<http://ex/o1> .\r\n\n" SP "<http://ex/o3> .\n\r",
  };
  for (size_t i = 0; i < sizeof docs / sizeof *docs; ++i) {
    Out o = {.with_lines = true};
    assert_int_equal(
        parse_in(&o, docs[i], strlen(docs[i]), false, 0, 1), TRINE_OK);
    assert_string_equal(o.buf, "@1 <http://ex/s> <http://ex/p> <http://ex/o1> .\n"
                               "@3 <http://ex/s> <http://ex/p> <http://ex/o3> .\n");
    free(o.buf);
  }
}

static void test_ntparse_crlf_split_across_chunks(void **state) {
  (void)state;
  const char doc[] = SP "<http://ex/o> .\r\n" SP "<http://ex/o> .\r\n"
                        "<http://ex/s> <http://ex/p> \"x\\ny\" .\r\n";
  for (size_t chunk = 1; chunk < sizeof doc; ++chunk) {
    Out o = {.with_lines = true};
    assert_int_equal(parse_in(&o, doc, sizeof doc - 1, false, chunk, 1),
                     TRINE_OK);
    assert_string_equal(o.buf,
                        "@1 <http://ex/s> <http://ex/p> <http://ex/o> .\n"
                        "@2 <http://ex/s> <http://ex/p> <http://ex/o> .\n"
                        "@3 <http://ex/s> <http://ex/p> \"x\\ny\" .\n");
    free(o.buf);
  }
}

static void test_ntparse_comments_and_blank_lines(void **state) {
  (void)state;
  OK_NT("", "");
  OK_NT("\n\n\r\n", "");
  OK_NT("# only a comment", "");
  OK_NT("   \t# indented comment \xC3\xA9\n  \t \n",
        "");
  OK_NT("\t<http://ex/s>\t<http://ex/p>  <http://ex/o>\t.\t# c\n",
        "<http://ex/s> <http://ex/p> <http://ex/o> .\n");
  OK_NT("<http://ex/s><http://ex/p><http://ex/o>.#c",
        "<http://ex/s> <http://ex/p> <http://ex/o> .\n");
  OK_NT("_:a<http://ex/p>_:b.",
        "_:a <http://ex/p> _:b .\n");
  OK_NT(SP "\"# not a comment\" .",
        "<http://ex/s> <http://ex/p> \"# not a comment\" .\n");
  // A comment runs to the end of the line, so it cannot sit inside a
  // statement.
  BAD_NT(S "# c\n" P "<http://ex/o> .\n",
         "!1:15: expected IRI as predicate\n"
         "!2:29: expected IRI, blank node or literal as object\n");
}

static void test_ntparse_missing_final_newline(void **state) {
  (void)state;
  OK_NT(SP "<http://ex/o> .", "<http://ex/s> <http://ex/p> <http://ex/o> .\n");
  OK_NT(SP "<http://ex/o> . # c", "<http://ex/s> <http://ex/p> <http://ex/o> .\n");
  BAD_NT(SP "<http://ex/o>", "!1:42: expected '.' at end of statement\n");
}

/* IRIs ----------------------------------------------------------------------- */

static void test_ntparse_iri_must_be_absolute(void **state) {
  (void)state;
  OK_NT("<a:> <urn:x-y.z+w:q> <http://ex/o> .",
        "<a:> <urn:x-y.z+w:q> <http://ex/o> .\n");
  BAD_NT("<s> <http://ex/p> <http://ex/o> .",
         "!1:1: relative IRI not allowed\n");
  BAD_NT("<1a:b> <http://ex/p> <http://ex/o> .",
         "!1:1: relative IRI not allowed\n");
  BAD_NT("<//ex/s> <http://ex/p> <http://ex/o> .",
         "!1:1: relative IRI not allowed\n");
  BAD_NT("<> <http://ex/p> <http://ex/o> .",
         "!1:1: relative IRI not allowed\n");
  BAD_NT(SP "\"x\"^^<dt> .", "!1:34: relative IRI not allowed\n");
  BAD_NT("<\\u0031:x> <http://ex/p> <http://ex/o> .",
         "!1:1: relative IRI not allowed\n");
}

static void test_ntparse_iri_invalid_characters(void **state) {
  (void)state;
  BAD_NT("<http://ex/a b> " P "<http://ex/o> .",
         "!1:13: invalid character ' ' in IRI\n");
  BAD_NT("<http://ex/a\tb> " P "<http://ex/o> .",
         "!1:13: invalid character U+0009 in IRI\n");
  OK_NT("<http://ex/\x7F> " P "<http://ex/o> .", // DEL is allowed
        "<http://ex/\x7F> <http://ex/p> <http://ex/o> .\n");
  for (const char *c = "<\"{}|^`"; *c; ++c) {
    char doc[128], want[128];
    snprintf(doc, sizeof doc, "<http://ex/%c> <http://ex/p> <http://ex/o> .",
             *c);
    snprintf(want, sizeof want, "!1:12: invalid character '%c' in IRI\n", *c);
    BAD_NT(doc, want);
  }
  BAD_NT("<http://ex/s\n", "!1:1: unterminated IRI\n");
  BAD_NT("<http://ex/\\n> " P "<http://ex/o> .",
         "!1:12: invalid escape sequence '\\n' in IRI\n");
  BAD_NT("<http://ex/\\u00G0> " P "<http://ex/o> .",
         "!1:16: invalid hex digit 'G' in escape sequence\n");
  BAD_NT("<http://ex/\\u00", "!1:16: invalid hex digit end of line in escape "
                            "sequence\n");
  BAD_NT("<http://ex/\\uD800> " P "<http://ex/o> .",
         "!1:12: escape sequence encodes invalid code point U+D800\n");
  BAD_NT("<http://ex/\\U00110000> " P "<http://ex/o> .",
         "!1:12: escape sequence encodes invalid code point U+110000\n");
}

/* Every stop byte at every offset of a long IRI or literal: the scanners
 * skip 16 bytes at a time where they can, and must stop at the same place
 * as the byte loop. */
static void test_ntparse_stop_byte_at_every_offset(void **state) {
  (void)state;
  const char *stops[] = {" ", "\t", "<", ">", "\"", "{", "}", "|", "^", "`",
                         "\\", "\\u0041", "\x01", "\x7F", "\xC3\xA9",
                         "\xFF", "\n", "\r"};
  for (size_t k = 0; k < sizeof stops / sizeof *stops; ++k) {
    for (size_t at = 0; at < 40; ++at) {
      char pad[64], doc[256];
      memset(pad, 'a', at);
      pad[at] = '\0';
      // The same bytes in an IRI and in a literal; both lines are parsed
      // in one chunk and compared with a byte-by-byte parse.
      int n = snprintf(doc, sizeof doc,
                       "<http://ex/%s%s%s> " P "<http://ex/o> .\n"
                       SP "\"%s%s%s\" .\n",
                       pad, stops[k], pad, pad, stops[k], pad);
      Out whole = {0}, bytes = {0};
      parse_in(&whole, doc, (size_t)n, false, 0, 5);
      parse_in(&bytes, doc, (size_t)n, false, 1, 5);
      assert_string_equal(whole.buf, bytes.buf);
      // Where the byte is a plain character, the term keeps it.
      if (stops[k][0] == '\x7F' || stops[k][0] == '\xC3')
        assert_non_null(strstr(whole.buf, stops[k]));
      if (stops[k][0] == ' ' || stops[k][0] == '<') {
        char want[64];
        snprintf(want, sizeof want, "!1:%zu: invalid character '%c' in IRI\n",
                 12 + at, stops[k][0]);
        assert_non_null(strstr(whole.buf, want));
      }
      free(whole.buf);
      free(bytes.buf);
    }
  }
}

/* Literals ------------------------------------------------------------------ */

static void test_ntparse_literal_errors(void **state) {
  (void)state;
  BAD_NT(SP "\"abc .", "!1:29: unterminated string literal\n");
  BAD_NT(SP "\"abc\\", "!1:33: invalid escape sequence\n");
  BAD_NT(SP "\"a\\zb\" .", "!1:31: invalid escape sequence '\\z'\n");
  BAD_NT(SP "\"\\uWXYZ\" .",
         "!1:32: invalid hex digit 'W' in escape sequence\n");
  BAD_NT(SP "\"\\U0000WXYZ\" .",
         "!1:36: invalid hex digit 'W' in escape sequence\n");
  BAD_NT(SP "\"\\uDFFF\" .",
         "!1:30: escape sequence encodes invalid code point U+DFFF\n");
  BAD_NT(SP "\"\\UFFFFFFFF\" .",
         "!1:30: escape sequence encodes invalid code point U+FFFFFFFF\n");
  BAD_NT(SP "'abc' .",
         "!1:29: expected IRI, blank node or literal as object\n");
  BAD_NT(SP "\"\"\"abc\"\"\" .", "!1:29: long string literals not allowed\n");
  BAD_NT(SP "1 .", "!1:29: expected IRI, blank node or literal as object\n");
  BAD_NT(SP "\"x\"^<http://ex/dt> .",
         "!1:33: expected '^^' before datatype IRI\n");
  BAD_NT(SP "\"x\"^^\"y\" .",
         "!1:34: expected datatype IRI after '^^'\n");
  BAD_NT(SP "\"x\"^^_:b .", "!1:34: expected datatype IRI after '^^'\n");
}

static void test_ntparse_language_tags(void **state) {
  (void)state;
  OK_NT(SP "\"x\"@EN-Latn-US-1994 .",
        "<http://ex/s> <http://ex/p> \"x\"@en-latn-us-1994 .\n");
  BAD_NT(SP "\"x\"@1 .", "!1:33: language tag must start with a letter\n");
  BAD_NT(SP "\"x\"@ .", "!1:33: language tag must start with a letter\n");
  BAD_NT(SP "\"x\"@en- .", "!1:36: empty language subtag\n");
  BAD_NT(SP "\"x\"@en--gb .", "!1:36: empty language subtag\n");
  BAD_NT(SP "\"x\"@en1 .", "!1:35: invalid character '1' in language tag\n");
  BAD_NT(SP "\"x\"@en_US .",
         "!1:35: invalid character '_' in language tag\n");
  BAD_NT(SP "\"x\"@en^^<http://ex/dt> .",
         "!1:35: expected '.' at end of statement\n");
}

/* Blank nodes --------------------------------------------------------------- */

static void test_ntparse_blank_labels(void **state) {
  (void)state;
  OK_NT("_:1a " P "_:a.b-c_d\xC2\xB7 .",
        "_:1a <http://ex/p> _:a.b-c_d\xC2\xB7 .\n");
  OK_NT("_:_x " P "_:\xC3\xA9t\xC3\xA9.",
        "_:_x <http://ex/p> _:\xC3\xA9t\xC3\xA9 .\n");
  // A label cannot end with '.': the dot ends the statement.
  OK_NT("_:a " P "_:b.", "_:a <http://ex/p> _:b .\n");
  BAD_NT("_:a " P "_:b.. ", "!1:23: expected end of line after '.'\n");
  BAD_NT("_::a " P "<http://ex/o> .",
         "!1:3: invalid character ':' at start of blank node label\n");
  BAD_NT("_:abc:def " P "<http://ex/o> .",
         "!1:6: expected IRI as predicate\n");
  BAD_NT("_:-a " P "<http://ex/o> .",
         "!1:3: invalid character '-' at start of blank node label\n");
  BAD_NT("_:.a " P "<http://ex/o> .",
         "!1:3: invalid character '.' at start of blank node label\n");
  BAD_NT("_:\xC2\xB7 " P "<http://ex/o> .",
         "!1:3: invalid character U+00B7 at start of blank node label\n");
  BAD_NT("_: " P "<http://ex/o> .", "!1:3: empty blank node label\n");
  BAD_NT("_a " P "<http://ex/o> .",
         "!1:2: expected ':' after '_' in blank node\n");
}

/* Statement structure -------------------------------------------------------- */

static void test_ntparse_positions_of_terms(void **state) {
  (void)state;
  BAD_NT("\"s\" " P "<http://ex/o> .",
         "!1:1: literal not allowed as subject\n");
  BAD_NT("@prefix ex: <http://ex/> .",
         "!1:1: directives not allowed in N-Triples\n");
  BAD_NT(S "_:p <http://ex/o> .",
         "!1:15: blank node not allowed as predicate\n");
  BAD_NT(S "\"p\" <http://ex/o> .",
         "!1:15: literal not allowed as predicate\n");
  BAD_NT(S "ex:p <http://ex/o> .", "!1:15: expected IRI as predicate\n");
  BAD_NT(SP "<http://ex/o>, <http://ex/o2> .",
         "!1:42: expected '.' at end of statement\n");
  BAD_NT(SP "<http://ex/o> . " SP "<http://ex/o> .",
         "!1:45: expected end of line after '.'\n");
  BAD_NT(SP ".", "!1:29: expected IRI, blank node or literal as object\n");
}

static void test_ntparse_graph_labels(void **state) {
  (void)state;
  OK_NQ(SP "<http://ex/o> <http://ex/g> .\n" SP "\"o\" _:g .\n" SP
           "\"o\"@en<http://ex/g>.\n" SP "<http://ex/o> .\n",
        "<http://ex/s> <http://ex/p> <http://ex/o> <http://ex/g> .\n"
        "<http://ex/s> <http://ex/p> \"o\" _:g .\n"
        "<http://ex/s> <http://ex/p> \"o\"@en <http://ex/g> .\n"
        "<http://ex/s> <http://ex/p> <http://ex/o> .\n");
  BAD_NT(SP "<http://ex/o> <http://ex/g> .",
         "!1:43: graph label not allowed in N-Triples\n");
  BAD_NT(SP "<http://ex/o> _:g .",
         "!1:43: graph label not allowed in N-Triples\n");
  BAD_NQ(SP "<http://ex/o> \"g\" .",
         "!1:43: literal not allowed as graph label\n");
  BAD_NQ(SP "<http://ex/o> <g> .", "!1:43: relative IRI not allowed\n");
  BAD_NQ(SP "<http://ex/o> <http://ex/g> <http://ex/h> .",
         "!1:57: expected '.' at end of statement\n");
  BAD_NQ("@base <http://ex/> .", "!1:1: directives not allowed in N-Quads\n");
}

/* UTF-8 ------------------------------------------------------------------------ */

static void test_ntparse_utf8_validated(void **state) {
  (void)state;
  // Valid boundaries of each sequence length.
  OK_NT(SP "\"\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
           "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\" .",
        "<http://ex/s> <http://ex/p> \"\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF"
        "\xEE\x80\x80\\uFFFF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\" .\n");
  const char *bad[] = {
      "\x80",             // stray continuation
      "\xC0\xAF",         // overlong
      "\xC1\xBF",         // overlong
      "\xE0\x80\xAF",     // overlong
      "\xE0\x9F\xBF",     // overlong
      "\xF0\x8F\xBF\xBF", // overlong
      "\xED\xA0\x80",     // surrogate
      "\xED\xBF\xBF",     // surrogate
      "\xF4\x90\x80\x80", // above U+10FFFF
      "\xF5\x80\x80\x80", // above U+10FFFF
      "\xFF",
      "\xC3",             // truncated before the closing quote
      "\xE2\x82",         // truncated
      "\xF0\x9F\x98",     // truncated
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; ++i) {
    const char *places[] = {
        "<http://ex/%s> " P "<http://ex/o> .",  // IRI
        SP "\"%s\" .",                          // literal
        SP "\"x\\n%s\" .",                      // escaped literal
        "<http://ex/\\u0041%s> " P "<http://ex/o> .", // escaped IRI
        SP "<http://ex/o> . # %s",               // comment
        "_:a%s " P "<http://ex/o> .",            // blank node label
        SP "%s .",                               // between terms
    };
    for (size_t j = 0; j < sizeof places / sizeof *places; ++j) {
      char doc[128], want[64];
      snprintf(doc, sizeof doc, places[j], bad[i]);
      Out o = {0};
      assert_int_equal(parse_in(&o, doc, strlen(doc), false, 0, 1),
                       TRINE_ERR_SYNTAX);
      snprintf(want, sizeof want, "invalid UTF-8 byte 0x%02X\n",
               (uint8_t)bad[i][0]);
      char *msg = strchr(o.buf, ' ');
      assert_non_null(msg);
      assert_string_equal(msg + 1, want);
      free(o.buf);
    }
  }
}

static void test_ntparse_columns_count_characters(void **state) {
  (void)state;
  // "é" is one column, the emoji is one column.
  BAD_NT(SP "\"\xC3\xA9\xF0\x9F\x98\x80\\q\" .",
         "!1:32: invalid escape sequence '\\q'\n");
  BAD_NT("<http://ex/\xC3\xA9> <http://ex/p> <http://ex/o> \xFF .",
         "!1:43: invalid UTF-8 byte 0xFF\n");
}

/* Errors and recovery ------------------------------------------------------- */

static void test_ntparse_errors_skip_line_and_stop_delivery(void **state) {
  (void)state;
  Out o = {.with_lines = true};
  const char doc[] = SP "<http://ex/o1> .\n"
                        "bad\n" SP "<http://ex/o3> .\n" SP "bad\n" SP
                        "<http://ex/o5> .\n";
  assert_int_equal(parse_in(&o, doc, sizeof doc - 1, false, 0, 10),
                   TRINE_ERR_SYNTAX);
  assert_string_equal(o.buf,
                      "@1 <http://ex/s> <http://ex/p> <http://ex/o1> .\n"
                      "!2:1: expected IRI or blank node as subject\n"
                      "!4:29: expected IRI, blank node or literal as object\n");
  assert_int_equal(o.statements, 1);
  free(o.buf);
}

static void test_ntparse_max_errors_stops_feed(void **state) {
  (void)state;
  const char doc[] = "a\nb\nc\nd\n";
  NtParser *p = nt_parser_new("f.nt", false, NULL, NULL, NULL, NULL, 2);
  assert_int_equal(nt_parser_feed(p, doc, 2), TRINE_OK);
  assert_int_equal(nt_parser_errors(p), 1);
  assert_int_equal(nt_parser_feed(p, doc + 2, sizeof doc - 3),
                   TRINE_ERR_SYNTAX);
  assert_int_equal(nt_parser_errors(p), 2);
  assert_int_equal(nt_parser_feed(p, doc, 2), TRINE_ERR_SYNTAX);
  assert_int_equal(nt_parser_finish(p), TRINE_ERR_SYNTAX);
  assert_int_equal(nt_parser_errors(p), 2);
  nt_parser_free(p);
}

static void test_ntparse_finish_reports_any_error(void **state) {
  (void)state;
  NtParser *p = nt_parser_new(NULL, false, NULL, NULL, NULL, NULL, 5);
  assert_int_equal(nt_parser_feed(p, "x\n", 2), TRINE_OK);
  assert_int_equal(nt_parser_finish(p), TRINE_ERR_SYNTAX);
  assert_int_equal(nt_parser_feed(p, "x\n", 2), TRINE_ERR_ARG);
  nt_parser_free(p);
  nt_parser_free(NULL);
}

static void record_source(void *ctx, const TrineError *e) {
  char *buf = ctx;
  trine_error_format(e, buf, 256);
}

static void test_ntparse_error_names_source(void **state) {
  (void)state;
  char name[] = "data/file.nt", buf[256] = "";
  NtParser *p = nt_parser_new(name, false, NULL, NULL, record_source, buf, 1);
  name[0] = 'X'; // the parser keeps its own copy
  assert_int_equal(nt_parser_feed(p, "\n\n  <a> <b> <c> .", 16), TRINE_OK);
  assert_int_equal(nt_parser_finish(p), TRINE_ERR_SYNTAX);
  assert_string_equal(buf, "data/file.nt:3:3: error: relative IRI not allowed");
  nt_parser_free(p);
}

static void test_ntparse_callback_status_stops(void **state) {
  (void)state;
  Out o = {.stop_after = 2};
  const char doc[] = SP "<http://ex/o1> .\n" SP "<http://ex/o2> .\n" SP
                        "<http://ex/o3> .\n";
  assert_int_equal(parse_in(&o, doc, sizeof doc - 1, false, 0, 1),
                   TRINE_ERR_CANCELLED);
  assert_int_equal(o.statements, 2);
  free(o.buf);
}

/* Streaming ---------------------------------------------------------------- */

static const char mixed_doc[] =
    "# header \xE2\x9C\x93\r\n"
    "<http://ex/s> <http://ex/p> \"caf\xC3\xA9 \\u00E9\\U0001F600\"@FR-ca .\n"
    "_:b.1 <http://ex/p\\u0031> \"x\"^^<http://www.w3.org/2001/XMLSchema#string>"
    " <http://ex/g> .\r"
    "\t_:b.1 <http://ex/p> \"1\"^^<http://ex/dt> _:g. # end\n"
    "<http://ex/s> <http://ex/p> \"bad\\x\" .\n"
    "<http://ex/s> <http://ex/p> \"\xF0\x9F\x98\x80\" .\r\n"
    "<http://ex/s> <http://ex/p> <http://ex/o>";

static void test_ntparse_any_chunk_split_same_result(void **state) {
  (void)state;
  const size_t len = sizeof mixed_doc - 1;
  Out whole = {.with_lines = true};
  assert_int_equal(parse_in(&whole, mixed_doc, len, true, 0, 10),
                   TRINE_ERR_SYNTAX);
  assert_string_equal(
      whole.buf,
      "@2 <http://ex/s> <http://ex/p> \"caf\xC3\xA9 \xC3\xA9\xF0\x9F\x98\x80\"@fr-ca .\n"
      "@3 _:b.1 <http://ex/p1> \"x\" <http://ex/g> .\n"
      "@4 _:b.1 <http://ex/p> \"1\"^^<http://ex/dt> _:g .\n"
      "!5:33: invalid escape sequence '\\x'\n"
      "!7:42: expected '.' at end of statement\n");
  for (size_t chunk = 1; chunk <= len; ++chunk) {
    Out o = {.with_lines = true};
    assert_int_equal(parse_in(&o, mixed_doc, len, true, chunk, 10),
                     TRINE_ERR_SYNTAX);
    assert_string_equal(o.buf, whole.buf);
    free(o.buf);
  }
  // Every two-way split, too.
  for (size_t cut = 0; cut <= len; ++cut) {
    Out o = {.with_lines = true};
    NtParser *p = nt_parser_new(NULL, true, on_statement, &o, on_error, &o, 10);
    assert_int_equal(nt_parser_feed(p, mixed_doc, cut), TRINE_OK);
    nt_parser_feed(p, mixed_doc + cut, len - cut);
    assert_int_equal(nt_parser_finish(p), TRINE_ERR_SYNTAX);
    nt_parser_free(p);
    assert_string_equal(o.buf, whole.buf);
    free(o.buf);
  }
  free(whole.buf);
}

typedef struct {
  size_t len;
  unsigned n;
  bool ok;
} Big;

static TrineStatus check_big(void *ctx, const NtStatement *st) {
  Big *b = ctx;
  ++b->n;
  b->ok = st->o.value_len == b->len;
  for (size_t i = 0; b->ok && i < st->o.value_len; ++i)
    b->ok = st->o.value[i] == (i % 1000 == 999 ? '\n' : (char)('a' + i % 26));
  return TRINE_OK;
}

static void test_ntparse_huge_literal_across_chunks(void **state) {
  (void)state;
  const size_t n = 10u << 20; // 10 MiB of literal text
  const char head[] = "<http://ex/s> <http://ex/p> \"";
  const char tail[] = "\" .\n";
  size_t cap = sizeof head + 2 * n + sizeof tail;
  char *doc = malloc(cap);
  assert_non_null(doc);
  size_t len = 0;
  memcpy(doc, head, sizeof head - 1);
  len = sizeof head - 1;
  for (size_t i = 0; i < n; ++i) {
    if (i % 1000 == 999) {
      doc[len++] = '\\'; // an escape now and then: decoded in scratch
      doc[len++] = 'n';
    } else {
      doc[len++] = (char)('a' + i % 26);
    }
  }
  memcpy(doc + len, tail, sizeof tail - 1);
  len += sizeof tail - 1;
  const size_t chunks[] = {4093, 65536, 1 << 20, 0};
  for (size_t c = 0; c < sizeof chunks / sizeof *chunks; ++c) {
    Big b = {n, 0, false};
    NtParser *p = nt_parser_new(NULL, false, check_big, &b, NULL, NULL, 1);
    size_t step = chunks[c] ? chunks[c] : len;
    for (size_t off = 0; off < len; off += step)
      assert_int_equal(
          nt_parser_feed(p, doc + off, len - off < step ? len - off : step),
          TRINE_OK);
    assert_int_equal(nt_parser_finish(p), TRINE_OK);
    nt_parser_free(p);
    assert_int_equal(b.n, 1);
    assert_true(b.ok);
  }
  free(doc);
}

/* Round trip: canonical output parses back to itself. */
static void test_ntparse_canonical_output_round_trips(void **state) {
  (void)state;
  Out a = {0}, b = {0};
  const size_t len = sizeof mixed_doc - 1;
  parse_in(&a, mixed_doc, len, true, 0, 10);
  // Drop the error line, then parse the canonical text again.
  char *bang = strchr(a.buf, '!');
  assert_non_null(bang);
  *bang = '\0';
  a.len = (size_t)(bang - a.buf);
  const char extra[] = "<http://ex/\\u0020\\u003C\x7F> <http://ex/p> "
                       "\"\\u0000\\b\\t\\n\\f\\r\\u001F\\u007F\\\"\\\\\\uFFFE\" .\n";
  out_add(&a, extra, sizeof extra - 1);
  assert_int_equal(parse_in(&b, a.buf, a.len, true, 0, 1), TRINE_OK);
  assert_string_equal(b.buf, a.buf);
  free(a.buf);
  free(b.buf);
}

/* W3C syntax suites ----------------------------------------------------------- */

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = NULL;
  size_t cap = 0, n = 0, r;
  do {
    if (n + 4096 > cap) {
      cap = (n + 4096) * 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    r = fread(buf + n, 1, cap - n - 1, f);
    n += r;
  } while (r);
  fclose(f);
  buf[n] = '\0';
  *len = n;
  return buf;
}

static char *suite_path(const char *suite, const char *file) {
  static char dir[1024];
  if (!dir[0]) {
    const char *env = getenv("TRINE_CONFORMANCE_DIR");
    if (env) {
      snprintf(dir, sizeof dir, "%s", env);
    } else { // <src>/tests/unit/test_ntparse.c -> <src>/tests/conformance
      snprintf(dir, sizeof dir, "%s", __FILE__);
      char *slash = strrchr(dir, '/');
      if (slash)
        *slash = '\0';
      slash = strrchr(dir, '/');
      snprintf(slash ? slash + 1 : dir,
               sizeof dir - (size_t)(slash ? slash + 1 - dir : 0),
               "conformance");
    }
  }
  char *path = malloc(strlen(dir) + strlen(suite) + strlen(file) + 3);
  assert_non_null(path);
  sprintf(path, "%s/%s/%s", dir, suite, file);
  return path;
}

static int cmp_lines(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Canonical lines of a file, sorted and made unique: a set of statements. */
static char **statement_set(const char *path, bool nquads, size_t *count,
                            unsigned *errors) {
  size_t len;
  char *doc = slurp(path, &len);
  if (!doc) {
    print_error("cannot read %s\n", path);
    fail();
  }
  Out o = {0};
  parse_in(&o, doc, len, nquads, 0, 100);
  free(doc);
  *errors = o.errors;
  size_t n = 0, cap = 16;
  char **lines = malloc(cap * sizeof *lines);
  for (char *s = o.buf, *nl; (nl = strchr(s, '\n')); s = nl + 1) {
    *nl = '\0';
    if (n == cap)
      lines = realloc(lines, (cap *= 2) * sizeof *lines);
    lines[n++] = strdup(s);
  }
  free(o.buf);
  qsort(lines, n, sizeof *lines, cmp_lines);
  size_t u = 0;
  for (size_t i = 0; i < n; ++i) {
    if (u && !strcmp(lines[u - 1], lines[i]))
      free(lines[i]);
    else
      lines[u++] = lines[i];
  }
  *count = u;
  return lines;
}

static void free_set(char **lines, size_t n) {
  for (size_t i = 0; i < n; ++i)
    free(lines[i]);
  free(lines);
}

/* The expected file of a positive test, from derived.tsv. */
static char *derived_file(const char *suite, const char *name) {
  char *path = suite_path(suite, "derived.tsv"), *tsv, *found = NULL;
  size_t len;
  tsv = slurp(path, &len);
  assert_non_null(tsv);
  for (char *line = tsv, *nl; line && *line; line = nl ? nl + 1 : NULL) {
    nl = strchr(line, '\n');
    if (nl)
      *nl = '\0';
    char *tab = strchr(line, '\t');
    if (line[0] == '#' || !tab)
      continue;
    *tab = '\0';
    if (!strcmp(line, name)) {
      char *end = strchr(tab + 1, '\t');
      if (end)
        *end = '\0';
      found = strdup(tab + 1);
      break;
    }
  }
  free(tsv);
  free(path);
  return found;
}

static void run_suite(const char *suite, bool nquads, unsigned want_pos,
                      unsigned want_neg) {
  char *path = suite_path(suite, "tests.tsv"), *tsv;
  size_t len;
  unsigned pos = 0, pos_ok = 0, neg = 0, neg_ok = 0;
  tsv = slurp(path, &len);
  if (!tsv) {
    print_error("cannot read %s (set TRINE_CONFORMANCE_DIR)\n", path);
    fail();
  }
  for (char *line = tsv, *nl; line && *line; line = nl ? nl + 1 : NULL) {
    nl = strchr(line, '\n');
    if (nl)
      *nl = '\0';
    char *f[3] = {line, NULL, NULL};
    for (int i = 1; i < 3 && f[i - 1]; ++i)
      if ((f[i] = strchr(f[i - 1], '\t')))
        *f[i]++ = '\0';
    if (line[0] == '#' || !f[2])
      continue;
    char *file = suite_path(suite, f[1]);
    size_t n_got;
    unsigned errors;
    char **got = statement_set(file, nquads, &n_got, &errors);
    if (!strcmp(f[2], "positive")) {
      ++pos;
      char *dname = derived_file(suite, f[0]);
      bool ok = errors == 0 && dname;
      if (ok) {
        char *dpath = suite_path(suite, dname);
        size_t n_want;
        unsigned derrors;
        char **want = statement_set(dpath, nquads, &n_want, &derrors);
        ok = derrors == 0 && n_want == n_got;
        for (size_t i = 0; ok && i < n_got; ++i)
          ok = !strcmp(got[i], want[i]);
        free_set(want, n_want);
        free(dpath);
      }
      free(dname);
      pos_ok += ok;
      if (!ok)
        print_message("# %s: positive test %s failed\n", suite, f[0]);
    } else {
      ++neg;
      neg_ok += errors > 0;
      if (!errors)
        print_message("# %s: negative test %s accepted\n", suite, f[0]);
    }
    free_set(got, n_got);
    free(file);
  }
  print_message("# %s: %u/%u positive, %u/%u negative passed\n", suite, pos_ok,
                pos, neg_ok, neg);
  free(tsv);
  free(path);
  assert_int_equal(pos, want_pos);
  assert_int_equal(neg, want_neg);
  assert_int_equal(pos_ok, pos);
  assert_int_equal(neg_ok, neg);
}

static void test_ntparse_w3c_ntriples_suite(void **state) {
  (void)state;
  run_suite("ntriples", false, 41, 29);
}

static void test_ntparse_w3c_nquads_suite(void **state) {
  (void)state;
  run_suite("nquads", true, 53, 34);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_ntparse_term_kinds_and_values),
      cmocka_unit_test(test_ntparse_literal_forms),
      cmocka_unit_test(test_ntparse_escapes_decoded),
      cmocka_unit_test(test_ntparse_unescaped_terms_are_borrowed),
      cmocka_unit_test(test_ntparse_line_endings),
      cmocka_unit_test(test_ntparse_crlf_split_across_chunks),
      cmocka_unit_test(test_ntparse_comments_and_blank_lines),
      cmocka_unit_test(test_ntparse_missing_final_newline),
      cmocka_unit_test(test_ntparse_iri_must_be_absolute),
      cmocka_unit_test(test_ntparse_iri_invalid_characters),
      cmocka_unit_test(test_ntparse_stop_byte_at_every_offset),
      cmocka_unit_test(test_ntparse_literal_errors),
      cmocka_unit_test(test_ntparse_language_tags),
      cmocka_unit_test(test_ntparse_blank_labels),
      cmocka_unit_test(test_ntparse_positions_of_terms),
      cmocka_unit_test(test_ntparse_graph_labels),
      cmocka_unit_test(test_ntparse_utf8_validated),
      cmocka_unit_test(test_ntparse_columns_count_characters),
      cmocka_unit_test(test_ntparse_errors_skip_line_and_stop_delivery),
      cmocka_unit_test(test_ntparse_max_errors_stops_feed),
      cmocka_unit_test(test_ntparse_finish_reports_any_error),
      cmocka_unit_test(test_ntparse_error_names_source),
      cmocka_unit_test(test_ntparse_callback_status_stops),
      cmocka_unit_test(test_ntparse_any_chunk_split_same_result),
      cmocka_unit_test(test_ntparse_huge_literal_across_chunks),
      cmocka_unit_test(test_ntparse_canonical_output_round_trips),
      cmocka_unit_test(test_ntparse_w3c_ntriples_suite),
      cmocka_unit_test(test_ntparse_w3c_nquads_suite),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
