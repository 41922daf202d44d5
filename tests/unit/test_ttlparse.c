/*
 * test_ttlparse.c -- Turtle and TriG through the loader: what they store,
 * the format from the file name or the options, the base IRI, gzip,
 * progress and cancel across batches, SPARQL LOAD; and bad input (cut
 * short, undefined prefixes, bad escapes, a stray '}', invalid UTF-8,
 * IRIs left relative), each an error at its line and column that stores
 * nothing.
 */
#include "testutil.h"
#include "trine.h"

#include "env.h" /* TrineStoreImpl.batch_quads */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <cmocka.h>

/* Helpers ------------------------------------------------------------------ */

typedef struct {
  TuStore ts;
  char path[512];
} Fixture;

static int setup(void **state) {
  Fixture *f = calloc(1, sizeof *f);
  if (!f || tu_store_open(&f->ts, "ttl", "store")) return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fixture *f = *state;
  tu_store_close(&f->ts);
  free(f);
  return 0;
}

static const char *file_in(Fixture *f, const char *name) {
  snprintf(f->path, sizeof f->path, "%s/%s", f->ts.dir, name);
  return f->path;
}

static uint64_t quads_of(TrineStore *s) {
  TrineStats st;
  assert_int_equal(trine_store_stats(s, NULL, &st), TRINE_OK);
  return st.quads;
}

/* The first error of a load, formatted. */
typedef struct {
  char text[600];
  int n;
} FirstError;

static void keep_first(void *ctx, const TrineError *e) {
  FirstError *c = ctx;
  if (!c->n++) trine_error_format(e, c->text, sizeof c->text);
}

/* Load text as fmt from a buffer named name; the status. */
static TrineStatus load_text(TrineStore *s, const char *name, TrineFormat fmt, const char *base,
                             const char *text, FirstError *err) {
  TrineLoadOptions o = {.format = fmt, .base_iri = base, .sink = keep_first, .sink_ctx = err};
  return trine_store_load_buffer(s, name, text, strlen(text), &o, NULL);
}

/* The store's N-Quads dump with lines sorted (malloc'd). */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *sorted_dump(TrineStore *s) {
  char *d = tu_dump(s, TRINE_FORMAT_NQUADS, NULL, NULL);
  size_t n = 0;
  for (char *p = d; *p; ++p) n += *p == '\n';
  char **lines = calloc(n + 1, sizeof *lines), *out = malloc(strlen(d) + 1);
  assert_true(lines && out);
  size_t k = 0, o = 0;
  for (char *p = d, *nl; (nl = strchr(p, '\n')); p = nl + 1) *nl = '\0', lines[k++] = p;
  qsort(lines, k, sizeof *lines, cmp_str);
  for (size_t i = 0; i < k; ++i) o += (size_t)sprintf(out + o, "%s\n", lines[i]);
  out[o] = '\0';
  free(lines);
  free(d);
  return out;
}

static const char *doc_ttl =
    "@prefix ex: <http://ex.org/> .\n"
    "@base <http://base.org/dir/> .\n"
    "ex:s ex:p \"caf\\u00E9\"@EN-gb , 12 , -1.5 , 2e3 , true ;\n"
    "     ex:q <rel> , <../up#f> , 'x'^^ex:dt .\n"
    "<a> ex:p \"\"\"two\nlines\"\"\" .\n";

static const char *doc_ttl_nq =
    "<http://base.org/dir/a> <http://ex.org/p> \"two\\nlines\" .\n"
    "<http://ex.org/s> <http://ex.org/p> \"-1.5\"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n"
    "<http://ex.org/s> <http://ex.org/p> \"12\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
    "<http://ex.org/s> <http://ex.org/p> \"2e3\"^^<http://www.w3.org/2001/XMLSchema#double> .\n"
    "<http://ex.org/s> <http://ex.org/p> \"caf\xc3\xa9\"@en-gb .\n"
    "<http://ex.org/s> <http://ex.org/p> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n"
    "<http://ex.org/s> <http://ex.org/q> \"x\"^^<http://ex.org/dt> .\n"
    "<http://ex.org/s> <http://ex.org/q> <http://base.org/dir/rel> .\n"
    "<http://ex.org/s> <http://ex.org/q> <http://base.org/up#f> .\n";

/* Tests -------------------------------------------------------------------- */

/* Prefixes, @base, numbers, booleans, language tags, long strings. */
static void test_ttlparse_turtle_terms(void **state) {
  Fixture *f = *state;
  FirstError e = {0};
  assert_int_equal(load_text(f->ts.store, "d.ttl", TRINE_FORMAT_TURTLE, NULL, doc_ttl, &e),
                   TRINE_OK);
  char *d = sorted_dump(f->ts.store);
  assert_string_equal(d, doc_ttl_nq);
  free(d);
}

/* TriG: named graphs, GRAPH, the default graph in braces and outside them;
 * statements outside graphs go to the graph of the options. */
static void test_ttlparse_trig_graphs(void **state) {
  Fixture *f = *state;
  const char *doc = "PREFIX ex: <http://ex.org/>\n"
                    "ex:g1 { ex:a ex:p ex:b . ex:b ex:p ex:c }\n"
                    "GRAPH ex:g2 { ex:a ex:p [ ex:q 1 ] }\n"
                    "{ ex:d ex:p ex:e }\n"
                    "ex:f ex:p ex:h .\n";
  FirstError e = {0};
  assert_int_equal(load_text(f->ts.store, "g.trig", TRINE_FORMAT_TRIG, NULL, doc, &e), TRINE_OK);
  TrineStats st;
  assert_int_equal(trine_store_stats(f->ts.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 6);
  assert_int_equal(st.graphs, 2);
  assert_int_equal(st.default_quads, 2);
  /* Into another store with a graph for the statements outside graphs. */
  TrineStore *s2;
  assert_int_equal(tu_open_in(f->ts.dir, "s2", &s2), TRINE_OK);
  TrineTerm g = trine_iri("http://ex.org/g0");
  TrineLoadOptions o = {.format = TRINE_FORMAT_TRIG, .graph = &g};
  assert_int_equal(trine_store_load_buffer(s2, "g.trig", doc, strlen(doc), &o, NULL), TRINE_OK);
  assert_int_equal(trine_store_stats(s2, NULL, &st), TRINE_OK);
  assert_int_equal(st.graphs, 3);
  assert_int_equal(st.default_quads, 0);
  trine_store_close(s2);
  /* Graphs are TriG's: in Turtle a brace is an error. */
  e = (FirstError){0};
  assert_int_equal(load_text(f->ts.store, "g.ttl", TRINE_FORMAT_TURTLE, NULL, doc, &e),
                   TRINE_ERR_SYNTAX);
  assert_string_equal(e.text, "g.ttl:2:7: error: graphs are not allowed in Turtle (TriG has them)");
  e = (FirstError){0};
  const char *anon = "{ <http://ex.org/a> <http://ex.org/p> 1 }";
  assert_int_equal(load_text(f->ts.store, "a.ttl", TRINE_FORMAT_TURTLE, NULL, anon, &e),
                   TRINE_ERR_SYNTAX);
  assert_string_equal(e.text, "a.ttl:1:1: error: syntax does not support graphs");
  assert_int_equal(quads_of(f->ts.store), 6);
}

/* The format comes from the name (.ttl .trig .nt .nq, optionally .gz) or
 * the options; a name that says nothing is an error listing the formats. */
static void test_ttlparse_format_by_name(void **state) {
  Fixture *f = *state;
  TrineStore *s = f->ts.store;
  TrineLoadStats ls;
  tu_write_file(file_in(f, "d.ttl"), doc_ttl, strlen(doc_ttl));
  assert_int_equal(trine_store_load_file(s, f->path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 9);
  gzFile gz = gzopen(file_in(f, "d.trig.gz"), "wb");
  const char *trig = "<http://ex.org/g> { <http://ex.org/a> <http://ex.org/p> 1 }\n";
  assert_int_equal(gzwrite(gz, trig, (unsigned)strlen(trig)), (int)strlen(trig));
  assert_int_equal(gzclose(gz), Z_OK);
  assert_int_equal(trine_store_load_file(s, f->path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 1);
  assert_int_equal(ls.bytes, strlen(trig));
  /* An unknown extension: an error naming the formats, unless one is given. */
  tu_write_file(file_in(f, "schema.txt"), doc_ttl, strlen(doc_ttl));
  assert_int_equal(trine_store_load_file(s, f->path, NULL, NULL), TRINE_ERR_ARG);
  const char *msg = trine_store_errmsg(s);
  assert_non_null(strstr(msg, "schema.txt: unknown format"));
  assert_non_null(strstr(msg, ".ttl (Turtle)"));
  assert_non_null(strstr(msg, ".trig (TriG)"));
  TrineLoadOptions o = {.format = TRINE_FORMAT_TURTLE};
  assert_int_equal(trine_store_load_file(s, f->path, &o, &ls), TRINE_OK);
  assert_int_equal(ls.quads_read, 9);
  /* A stated format wins over the name: Turtle read as N-Triples fails. */
  o.format = TRINE_FORMAT_NTRIPLES;
  assert_int_equal(trine_store_load_file(s, file_in(f, "d.ttl"), &o, NULL), TRINE_ERR_SYNTAX);
  assert_int_equal(quads_of(s), 10);
  /* What was loaded dumps as Turtle (test_ttlwrite.c checks the text). */
  FILE *null = fopen("/dev/null", "w");
  assert_int_equal(trine_store_dump(s, null, TRINE_FORMAT_TURTLE, NULL), TRINE_OK);
  fclose(null);
}

/* A file's base IRI is its file: IRI unless one is given; a buffer has none. */
static void test_ttlparse_base_iri(void **state) {
  Fixture *f = *state;
  TrineStore *s = f->ts.store;
  const char *doc = "<#me> <http://ex.org/p> <other%20file.ttl> .\n";
  tu_write_file(file_in(f, "my file.ttl"), doc, strlen(doc));
  assert_int_equal(trine_store_load_file(s, f->path, NULL, NULL), TRINE_OK);
  char want[1400];
  snprintf(want, sizeof want,
           "<file://%s/my%%20file.ttl#me> <http://ex.org/p> <file://%s/other%%20file.ttl> .\n",
           f->ts.dir, f->ts.dir);
  char *d = sorted_dump(s);
  assert_string_equal(d, want);
  free(d);
  TrineStore *s2;
  assert_int_equal(tu_open_in(f->ts.dir, "s2", &s2), TRINE_OK);
  TrineLoadOptions o = {.base_iri = "http://ex.org/dir/doc"};
  assert_int_equal(trine_store_load_file(s2, f->path, &o, NULL), TRINE_OK);
  d = sorted_dump(s2);
  assert_string_equal(d, "<http://ex.org/dir/doc#me> <http://ex.org/p> "
                         "<http://ex.org/dir/other%20file.ttl> .\n");
  free(d);
  /* A relative base IRI is refused before anything is read. */
  FirstError e = {0};
  assert_int_equal(load_text(s2, "r.ttl", TRINE_FORMAT_TURTLE, "dir/", doc, &e), TRINE_ERR_SYNTAX);
  assert_string_equal(e.text, "r.ttl: error: the base IRI <dir/> is not absolute");
  trine_store_close(s2);
}

typedef struct {
  TrineFormat fmt;
  const char *text;
  const char *want; /* the formatted error */
} BadCase;

/* Each bad input is one error at its line and column (in characters), and
 * the store is unchanged. */
static void test_ttlparse_bad_input(void **state) {
  Fixture *f = *state;
  static const BadCase cases[] = {
      /* cut short */
      {TRINE_FORMAT_TURTLE, "@prefix ex: <http://ex/> .\nex:a ex:b \"never closed",
       "in:2:24: error: end of file in short string"},
      {TRINE_FORMAT_TURTLE, "@prefix ex: <http://ex/> .\nex:a ex:b ex:c ;",
       "in:2:17: error: unexpected end of file"},
      {TRINE_FORMAT_TURTLE, "<http://ex/a> <http://ex/b> <http://ex/c",
       "in:1:41: error: unexpected end of input"},
      {TRINE_FORMAT_TRIG, "<http://ex/g> { <http://ex/a> <http://ex/b> <http://ex/c> .",
       "in:1:60: error: unexpected end of input"},
      /* an undefined prefix, after a line with two-byte characters */
      {TRINE_FORMAT_TURTLE,
       "@prefix ex: <http://ex/> .\nex:a ex:b \"\xc3\xa9\xc3\xa9\" ; ex:c foo:d .\n",
       "in:2:23: error: undefined prefix 'foo:' in foo:d"},
      {TRINE_FORMAT_TURTLE, "@prefix ex: <http://ex/> .\nbar:a ex:b ex:c .\n",
       "in:2:1: error: undefined prefix 'bar:' in bar:a"},
      /* bad escapes in IRIs */
      {TRINE_FORMAT_TURTLE, "<http://ex/a\\u00ZZ> <http://ex/b> <http://ex/c> .\n",
       "in:1:17: error: invalid hexadecimal digit 'Z'"},
      {TRINE_FORMAT_TURTLE, "<http://ex/a\\u0020b> <http://ex/b> <http://ex/c> .\n",
       "in:1:19: error: invalid escaped IRI character U+0020"},
      /* a stray '}' in TriG */
      {TRINE_FORMAT_TRIG, "<http://ex/a> <http://ex/b> <http://ex/c> .\n}\n",
       "in:2:1: error: unexpected '}'"},
      /* invalid UTF-8 in a literal: a cut sequence, an overlong, a surrogate */
      {TRINE_FORMAT_TURTLE, "<http://ex/a> <http://ex/b> \"x\xc3\" .\n",
       "in:1:32: error: invalid UTF-8 continuation 0x22"},
      {TRINE_FORMAT_TURTLE, "<http://ex/a> <http://ex/b> \"x\xc0\xafy\" .\n",
       "in:1:30: error: invalid UTF-8 or a surrogate code point in literal"},
      {TRINE_FORMAT_TURTLE, "<http://ex/a> <http://ex/b> \"\\uD800\" .\n",
       "in:1:37: error: invalid UTF-8 or a surrogate code point in literal"},
      /* IRIs left relative: no base, or a relative @base */
      {TRINE_FORMAT_TURTLE, "<http://ex/a> <http://ex/b> <c> .\n",
       "in:1:29: error: relative IRI <c> and no base IRI to resolve it against"},
      {TRINE_FORMAT_TURTLE, "@base <dir/> .\n<a> <http://ex/b> <http://ex/c> .\n",
       "in:1:7: error: relative base IRI <dir/> and no base IRI to resolve it against"},
      {TRINE_FORMAT_TURTLE, "@prefix p: <rel#> .\np:a p:b p:c .\n",
       "in:1:12: error: relative prefix IRI <rel#> and no base IRI to resolve it against"},
      /* a blank node label ending with '.' (serd takes off only one) */
      {TRINE_FORMAT_TURTLE, "<http://ex/a> <http://ex/b> _:c.. .\n",
       "in:1:29: error: blank node label _:c. ends with '.'"},
      /* a label starting with U+00B7, a PN_CHARS but no PN_CHARS_U: serd
       * takes it (found by the fuzzer: N-Quads refused what was read) */
      {TRINE_FORMAT_TURTLE, "<http://ex/a> <http://ex/b> _:\xc2\xb7 .\n",
       "in:1:29: error: blank node label _:\xc2\xb7 has a character not allowed there"},
      /* ... and one starting with '-' (found by the fuzzer too), in TriG */
      {TRINE_FORMAT_TRIG, "_:-a <http://ex/b> <http://ex/c> .\n",
       "in:1:1: error: blank node label _:-a has a character not allowed there"},
      /* labels _:bN and _:BN: serd would merge these two blank nodes */
      {TRINE_FORMAT_TURTLE, "_:B1 <http://ex/p> _:x .\n_:y <http://ex/p> _:b1 .\n",
       "in:2:19: error: blank node labels _:bN and _:BN in one file (serd cannot tell the "
       "first from its own labels)"},
      /* an empty language subtag */
      {TRINE_FORMAT_TURTLE, "<http://ex/a> <http://ex/b> \"x\"@en- .\n",
       "in:1:32: error: empty subtag in language tag 'en-'"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    FirstError e = {0};
    assert_int_equal(load_text(f->ts.store, "in", cases[i].fmt, NULL, cases[i].text, &e),
                     TRINE_ERR_SYNTAX);
    assert_int_equal(e.n, 1);
    assert_string_equal(e.text, cases[i].want);
    /* Without a sink: the same text as the store's message. */
    TrineLoadOptions o = {.format = cases[i].fmt};
    assert_int_equal(trine_store_load_buffer(f->ts.store, "in", cases[i].text,
                                             strlen(cases[i].text), &o, NULL),
                     TRINE_ERR_SYNTAX);
    assert_string_equal(trine_store_errmsg(f->ts.store), cases[i].want);
  }
  TrineStats st;
  assert_int_equal(trine_store_stats(f->ts.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 0);
  assert_int_equal(st.terms, 0);
}

/* Turtle of n statements about n / 4 subjects, then (if bad) an error. */
static char *gen_ttl(size_t n, bool bad, size_t *len) {
  size_t cap = n * 64 + 256, o = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  o += (size_t)sprintf(buf, "@prefix ex: <http://ex.org/> .\n");
  for (size_t i = 0; i < n; i += 4)
    o += (size_t)sprintf(buf + o, "ex:s%zu ex:p %zu, %zu ;\n  ex:q \"v%zu\", _:b%zu .\n", i, i,
                         i + 1, i, i);
  if (bad) o += (size_t)sprintf(buf + o, "ex:last ex:p undefined:x .\n");
  *len = o;
  return buf;
}

/* A big load crosses the loader's batches; an error at its very end, in a
 * .gz file, leaves the store as it was; progress and cancel work. */
static void test_ttlparse_batches_gzip_cancel(void **state) {
  Fixture *f = *state;
  TrineStore *s = f->ts.store;
  s->batch_quads = 5000;
  size_t len;
  char *ttl = gen_ttl(40000, false, &len);
  TrineLoadStats ls;
  tu_write_file(file_in(f, "big.ttl"), ttl, len);
  assert_int_equal(trine_store_load_file(s, f->path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 40000);
  free(ttl);
  ttl = gen_ttl(40000, true, &len);
  gzFile gz = gzopen(file_in(f, "bad.ttl.gz"), "wb");
  assert_int_equal(gzwrite(gz, ttl, (unsigned)len), (int)len);
  assert_int_equal(gzclose(gz), Z_OK);
  FirstError e = {0};
  TrineLoadOptions o = {.sink = keep_first, .sink_ctx = &e};
  assert_int_equal(trine_store_load_file(s, f->path, &o, NULL), TRINE_ERR_SYNTAX);
  char want[700];
  snprintf(want, sizeof want, "%s:20002:14: error: undefined prefix 'undefined:' in undefined:x",
           f->path);
  assert_string_equal(e.text, want);
  assert_int_equal(quads_of(s), 40000);
  /* A .gz file cut short is an I/O error, not a syntax error. */
  FILE *fp = fopen(f->path, "rb");
  char *gzbytes = malloc(len);
  size_t n = fread(gzbytes, 1, len, fp);
  fclose(fp);
  tu_write_file(file_in(f, "cut.ttl.gz"), gzbytes, n / 2);
  free(gzbytes);
  e = (FirstError){0};
  assert_int_equal(trine_store_load_file(s, f->path, &o, NULL), TRINE_ERR_IO);
  assert_non_null(strstr(trine_store_errmsg(s), "truncated"));
  assert_int_equal(e.n, 0);
  assert_int_equal(quads_of(s), 40000);
  free(ttl);
}

static int cancel_second(void *ctx, const TrineLoadProgress *p) {
  (void)p;
  return ++*(int *)ctx == 2;
}

static void test_ttlparse_cancel(void **state) {
  Fixture *f = *state;
  size_t len;
  char *ttl = gen_ttl(100000, false, &len);
  int calls = 0;
  TrineLoadOptions o = {.format = TRINE_FORMAT_TURTLE, .progress = cancel_second,
                        .progress_ctx = &calls};
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(f->ts.store, "c.ttl", ttl, len, &o, &ls),
                   TRINE_ERR_CANCELLED);
  assert_int_equal(calls, 2);
  assert_int_equal(ls.quads_added, 0);
  assert_int_equal(quads_of(f->ts.store), 0);
  free(ttl);
}

/* Blank node labels are scoped to one load, Turtle's as N-Triples'. */
static void test_ttlparse_blank_scope(void **state) {
  Fixture *f = *state;
  const char *doc = "_:x <http://ex.org/p> _:x , [] .\n";
  FirstError e = {0};
  assert_int_equal(load_text(f->ts.store, "b.ttl", TRINE_FORMAT_TURTLE, NULL, doc, &e), TRINE_OK);
  assert_int_equal(quads_of(f->ts.store), 2);
  assert_int_equal(load_text(f->ts.store, "b.ttl", TRINE_FORMAT_TURTLE, NULL, doc, &e), TRINE_OK);
  assert_int_equal(quads_of(f->ts.store), 4);
}

/* SPARQL LOAD <file:...> reads Turtle with the same reader. */
static void test_ttlparse_sparql_load(void **state) {
  Fixture *f = *state;
  tu_write_file(file_in(f, "d.ttl"), doc_ttl, strlen(doc_ttl));
  char update[700];
  snprintf(update, sizeof update, "LOAD <file://%s> INTO GRAPH <http://ex.org/g>", f->path);
  TrineQuery *q;
  TrineQueryOptions o = {.allow = TRINE_ALLOW_UPDATE | TRINE_ALLOW_LOAD_FILES};
  assert_int_equal(trine_query_prepare(f->ts.store, update, strlen(update), &o, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_DONE);
  trine_query_free(q);
  TrineStats st;
  assert_int_equal(trine_store_stats(f->ts.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 9);
  assert_int_equal(st.graphs, 1);
  /* An error in the file fails the update, which changes nothing. */
  const char *bad = "<http://ex.org/a> <http://ex.org/b> nope:c .\n";
  tu_write_file(file_in(f, "bad.ttl"), bad, strlen(bad));
  snprintf(update, sizeof update,
           "INSERT DATA { <http://ex.org/x> <http://ex.org/y> 1 } ; LOAD <file://%s>", f->path);
  assert_int_equal(trine_query_prepare(f->ts.store, update, strlen(update), &o, &q), TRINE_OK);
  assert_int_equal(trine_query_step(q), TRINE_ERR_SYNTAX);
  trine_query_free(q);
  assert_non_null(strstr(trine_store_errmsg(f->ts.store), "bad.ttl:1:37: error: undefined prefix"));
  assert_int_equal(quads_of(f->ts.store), 9);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_ttlparse_turtle_terms, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlparse_trig_graphs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlparse_format_by_name, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlparse_base_iri, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlparse_bad_input, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlparse_batches_gzip_cancel, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlparse_cancel, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlparse_blank_scope, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlparse_sparql_load, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
