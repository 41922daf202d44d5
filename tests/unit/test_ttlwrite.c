/*
 * test_ttlwrite.c -- dumping Turtle and TriG (engine/rdf/dump.c over the
 * writer of engine/rdf/ttlwrite.c): the exact text of each shape (grouping
 * with ; and ,, lists, nested blank nodes, escapes, prefixes, local names
 * that need the full IRI), what must keep its label (shared, cyclic, too
 * deep, graph names, statements in another graph), graphs, the write
 * callback and its errors, CONSTRUCT results as Turtle; and for every
 * shape, that the dump loads back as the same quads.
 */
#include "testutil.h"
#include "trine.h"

#include "../conformance/rdf_iso.h"
#include "ttlwrite.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define EX "http://example.org/"
#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

/* Helpers ------------------------------------------------------------------ */

static int setup(void **state) { return tu_setup(state, "ttlw", "store"); }
static int teardown(void **state) { return tu_teardown(state); }

static TrineStore *store_of(void **state) { return ((TuStore *)*state)->store; }

static void load(TrineStore *s, TrineFormat f, const char *text) {
  TrineLoadOptions o = {.format = f};
  if (trine_store_load_buffer(s, "test", text, strlen(text), &o, NULL) != TRINE_OK)
    fail_msg("cannot load: %s", trine_store_errmsg(s));
}

/* A second store, in a directory of its own. */
static TrineStore *other_store(TuStore *t) {
  assert_int_equal(tu_store_open(t, "ttlw2", NULL), 0);
  return t->store;
}

/* Dump s as fmt, load that into a new store and compare the N-Quads of
 * both (blank nodes up to renaming), or, with same_text (for dumps without
 * blank labels, too big for rdf_isomorphic()), their dumps as fmt. Returns
 * the dump (malloc'd). */
static char *round_trip_as(TrineStore *s, TrineFormat fmt, bool same_text) {
  char *text = tu_dump(s, fmt, NULL, NULL);
  TuStore t2;
  TrineStore *b = other_store(&t2);
  TrineLoadOptions o = {.format = fmt};
  if (trine_store_load_buffer(b, "dump", text, strlen(text), &o, NULL) != TRINE_OK)
    fail_msg("the dump does not load: %s\n%s", trine_store_errmsg(b), text);
  TrineTerm dg = trine_default_graph();
  const TrineTerm *g = fmt == TRINE_FORMAT_TURTLE ? &dg : NULL;
  if (same_text) {
    assert_null(strstr(text, "_:"));
    char *again = tu_dump(b, fmt, NULL, NULL);
    assert_string_equal(again, text);
    free(again);
    TrineStats sa, sb;
    assert_int_equal(trine_store_stats(s, NULL, &sa), TRINE_OK);
    assert_int_equal(trine_store_stats(b, NULL, &sb), TRINE_OK);
    assert_int_equal(sa.quads, sb.quads);
  } else {
    char *want = tu_dump(s, TRINE_FORMAT_NQUADS, g, NULL);
    char *got = tu_dump(b, TRINE_FORMAT_NQUADS, NULL, NULL);
    char why[600];
    if (!rdf_isomorphic(want, got, why, sizeof why))
      fail_msg("the dump loads as other quads: %s\n%s", why, text);
    free(want);
    free(got);
  }
  tu_store_close(&t2);
  return text;
}

static char *round_trip(TrineStore *s, TrineFormat fmt) { return round_trip_as(s, fmt, false); }

static void expect_dump(TrineStore *s, TrineFormat fmt, const char *want) {
  char *got = round_trip(s, fmt);
  if (strcmp(got, want) != 0) fail_msg("got:\n%s\nwant:\n%s", got, want);
  free(got);
}

/* Shapes ------------------------------------------------------------------- */

static void test_ttlwrite_grouping(void **state) {
  TrineStore *s = store_of(state);
  assert_int_equal(trine_store_set_prefix(s, "ex", EX), TRINE_OK);
  load(s, TRINE_FORMAT_TURTLE,
       "@prefix ex: <" EX "> .\n"
       "ex:b ex:p ex:o1, ex:o2 ; ex:q ex:o3 ; a ex:C .\n"
       "ex:a ex:p ex:o1 .\n");
  /* Subjects and predicates come in id order (the order they were first
   * seen), objects of one predicate after ",". */
  expect_dump(s, TRINE_FORMAT_TURTLE,
              "@prefix ex: <" EX "> .\n"
              "\n"
              "ex:b ex:p ex:o1, ex:o2 ;\n"
              "    ex:q ex:o3 ;\n"
              "    a ex:C .\n"
              "\n"
              "ex:a ex:p ex:o1 .\n");
}

static void test_ttlwrite_nesting(void **state) {
  TrineStore *s = store_of(state);
  assert_int_equal(trine_store_set_prefix(s, "ex", EX), TRINE_OK);
  load(s, TRINE_FORMAT_TURTLE,
       "@prefix ex: <" EX "> .\n"
       "ex:s ex:list (1 \"two\" (3) [ ex:a ex:b ]) ;\n"
       "     ex:empty () ;\n"
       "     ex:anon [ ex:c [ ex:d ex:e ; ex:f ex:g, ex:h ] ] ;\n"
       "     ex:bare [] .\n");
  expect_dump(s, TRINE_FORMAT_TURTLE,
              "@prefix ex: <" EX "> .\n"
              "\n"
              "ex:s ex:list ( 1 \"two\" ( 3 ) [ ex:a ex:b ] ) ;\n"
              "    ex:empty () ;\n"
              "    ex:anon [ ex:c [ ex:d ex:e ; ex:f ex:g, ex:h ] ] ;\n"
              "    ex:bare [] .\n");
}

static void test_ttlwrite_labels_kept(void **state) {
  TrineStore *s = store_of(state);
  assert_int_equal(trine_store_set_prefix(s, "ex", EX), TRINE_OK);
  /* Shared by two subjects, a cycle of two, a loop on itself, used in one
   * graph with its statements in another, a graph name: every one is
   * written with its label, so nothing is lost or merged. */
  load(s, TRINE_FORMAT_NQUADS,
       "<" EX "a> <" EX "p> _:shared .\n"
       "<" EX "b> <" EX "p> _:shared .\n"
       "_:shared <" EX "q> \"s\" .\n"
       "_:c1 <" EX "p> _:c2 .\n"
       "_:c2 <" EX "p> _:c1 .\n"
       "_:self <" EX "p> _:self .\n"
       "<" EX "c> <" EX "p> _:split .\n"
       "_:split <" EX "q> \"elsewhere\" <" EX "g> .\n"
       "<" EX "d> <" EX "p> _:gname .\n"
       "<" EX "x> <" EX "y> <" EX "z> _:gname .\n");
  char *text = round_trip(s, TRINE_FORMAT_TRIG);
  assert_null(strchr(text, '['));
  free(text);
}

static void test_ttlwrite_lists(void **state) {
  TrineStore *s = store_of(state);
  assert_int_equal(trine_store_set_prefix(s, "ex", EX), TRINE_OK);
  assert_int_equal(trine_store_set_prefix(s, "rdf", RDF), TRINE_OK);
  /* Not lists: a chain ending in an IRI, a node with a third statement, a
   * node used twice. The first two nest as [ ] (the chain in a loop). */
  load(s, TRINE_FORMAT_NQUADS,
       "<" EX "s> <" EX "open> _:o1 .\n"
       "_:o1 <" RDF "first> \"1\" .\n"
       "_:o1 <" RDF "rest> _:o2 .\n"
       "_:o2 <" RDF "first> \"2\" .\n"
       "_:o2 <" RDF "rest> <" EX "end> .\n"
       "<" EX "t> <" EX "extra> _:e1 .\n"
       "_:e1 <" RDF "first> \"1\" .\n"
       "_:e1 <" RDF "rest> <" RDF "nil> .\n"
       "_:e1 <" EX "note> \"x\" .\n"
       "<" EX "u> <" EX "twice> _:t1 .\n"
       "<" EX "v> <" EX "twice> _:t1 .\n"
       "_:t1 <" RDF "first> \"1\" .\n"
       "_:t1 <" RDF "rest> <" RDF "nil> .\n");
  char *text = round_trip(s, TRINE_FORMAT_TURTLE);
  assert_non_null(strstr(text, "ex:s ex:open [ rdf:first \"1\" ; rdf:rest [ rdf:first \"2\" ; "
                               "rdf:rest ex:end ] ] .\n"));
  assert_non_null(strstr(text, "ex:t ex:extra [ rdf:first \"1\" ; rdf:rest () ; ex:note \"x\" ] ."));
  assert_non_null(strstr(text, "ex:u ex:twice _:"));
  assert_null(strstr(text, "( "));
  free(text);
}

/* A list of n items written as N-Triples, node ids in list order when
 * forward, else in reverse: both must come out as one ( ... ). */
static void long_list(TrineStore *s, int n, bool forward) {
  size_t cap = (size_t)n * 256 + 200, len = 0;
  char *nt = malloc(cap);
  assert_non_null(nt);
  len += (size_t)snprintf(nt + len, cap - len, "<" EX "s> <" EX "p> _:n0 .\n");
  for (int k = 0; k < n; ++k) {
    int i = forward ? k : n - 1 - k;
    len += (size_t)snprintf(nt + len, cap - len, "_:n%d <" RDF "first> \"%d\"^^<"
                            "http://www.w3.org/2001/XMLSchema#integer> .\n", i, i);
    if (i + 1 < n)
      len += (size_t)snprintf(nt + len, cap - len, "_:n%d <" RDF "rest> _:n%d .\n", i, i + 1);
    else
      len += (size_t)snprintf(nt + len, cap - len, "_:n%d <" RDF "rest> <" RDF "nil> .\n", i);
  }
  load(s, TRINE_FORMAT_NTRIPLES, nt);
  free(nt);
}

static void test_ttlwrite_long_lists(void **state) {
  TrineStore *s = store_of(state);
  long_list(s, 5000, true);
  char *text = round_trip_as(s, TRINE_FORMAT_TURTLE, true);
  assert_non_null(strstr(text, "<" EX "s> <" EX "p> ( 0 1 2 3 "));
  assert_non_null(strstr(text, " 4998 4999 ) .\n"));
  assert_null(strstr(text, "first"));
  free(text);
}

static void test_ttlwrite_long_list_reversed(void **state) {
  TrineStore *s = store_of(state);
  long_list(s, 5000, false);
  char *text = round_trip_as(s, TRINE_FORMAT_TURTLE, true);
  assert_non_null(strstr(text, "( 0 1 2 3 "));
  assert_null(strstr(text, "first"));
  free(text);
}

/* A chain of n [ ] nodes under <s>: the first 32 levels nest, deeper ones
 * keep their labels (and are written at the top). */
static void test_ttlwrite_deep(void **state) {
  TrineStore *s = store_of(state);
  char nt[40 * 120] = "", *p = nt;
  p += sprintf(p, "<" EX "s> <" EX "p> _:d0 .\n");
  for (int i = 0; i < 39; ++i) p += sprintf(p, "_:d%d <" EX "p> _:d%d .\n", i, i + 1);
  load(s, TRINE_FORMAT_NTRIPLES, nt);
  char *text = round_trip(s, TRINE_FORMAT_TURTLE);
  size_t open = 0;
  for (const char *c = text; *c; ++c) open += *c == '[';
  assert_int_equal(open, 32);
  assert_non_null(strstr(text, "[] ] ] ]") ? NULL : text); /* the deepest keeps a label */
  free(text);
}

/* Many objects of one predicate: lines of at most 80 columns, also across
 * the 64 KiB chunks handed to the sink. */
static void test_ttlwrite_wrap(void **state) {
  TrineStore *s = store_of(state);
  size_t cap = 4000 * 80, len = 0;
  char *nt = malloc(cap);
  assert_non_null(nt);
  for (int i = 0; i < 4000; ++i)
    len += (size_t)snprintf(nt + len, cap - len, "<" EX "s> <" EX "p> <" EX "object%d> .\n", i);
  load(s, TRINE_FORMAT_NTRIPLES, nt);
  free(nt);
  char *text = round_trip(s, TRINE_FORMAT_TURTLE);
  assert_true(strlen(text) > 100000);
  size_t lines = 0;
  for (char *p = text, *nl; (nl = strchr(p, '\n')); p = nl + 1, ++lines)
    if (nl - p > 80) fail_msg("line %zu has %td columns: %.*s", lines + 1, nl - p, (int)(nl - p), p);
  /* Two objects a line (8 + 2 * 33 columns): wrapped only when needed. */
  if (lines < 1900 || lines > 2100) fail_msg("%zu lines", lines);
  free(text);
}

static void test_ttlwrite_escapes(void **state) {
  TrineStore *s = store_of(state);
  assert_int_equal(trine_store_set_prefix(s, "ex", EX), TRINE_OK);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(s, true, &t), TRINE_OK);
  TrineTerm sub = trine_iri(EX "s"), p = trine_iri(EX "p");
  const char *lex[] = {"quote \" backslash \\ tab \t nl \n cr \r", "bell \x07 del \x7f",
                       "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "1.", "+1", "1e", ".5e-3"};
  const char *dt[] = {NULL, NULL, NULL, "http://www.w3.org/2001/XMLSchema#decimal",
                      "http://www.w3.org/2001/XMLSchema#integer",
                      "http://www.w3.org/2001/XMLSchema#double",
                      "http://www.w3.org/2001/XMLSchema#double"};
  for (size_t i = 0; i < sizeof lex / sizeof *lex; ++i) {
    TrineTerm o = trine_literal(lex[i], dt[i], NULL);
    assert_int_equal(trine_txn_add(t, &sub, &p, &o, NULL), TRINE_OK);
  }
  TrineTerm lang = trine_literal("hi", NULL, "en-GB");
  assert_int_equal(trine_txn_add(t, &sub, &p, &lang, NULL), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  expect_dump(s, TRINE_FORMAT_TURTLE,
              "@prefix ex: <" EX "> .\n"
              "\n"
              "ex:s ex:p \"quote \\\" backslash \\\\ tab \\t nl \\n cr \\r\", "
              "\"bell \\u0007 del \\u007F\",\n"
              "        \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\", "
              "\"1.\"^^<http://www.w3.org/2001/XMLSchema#decimal>, +1,\n"
              "        \"1e\"^^<http://www.w3.org/2001/XMLSchema#double>, .5e-3, \"hi\"@en-gb .\n");
}

static void test_ttlwrite_local_names(void **state) {
  (void)state;
  static const struct {
    const char *s;
    bool ok;
  } names[] = {
      {"", true},        {"a", true},          {"a.b", true},      {"a.", false},
      {"-a", false},     {"a-", true},         {"1a", true},       {"_a", true},
      {":a:", true},     {"a%20b", true},      {"a%2", false},     {"a%zz", false},
      {"a~b", false},    {"a/b", false},       {"a#b", false},     {"caf\xc3\xa9", true},
      {"\xc2\xb7x", false}, {"x\xc2\xb7", true}, {"\xc3\x97", false}, {"a\xcc\x81", true},
      {"\xcc\x81" "a", false}, {"a b", false},  {"\xff", false},    {".a", false},
  };
  for (size_t i = 0; i < sizeof names / sizeof *names; ++i)
    if (ttl_is_local_name(names[i].s, strlen(names[i].s)) != names[i].ok)
      fail_msg("local name '%s': want %s", names[i].s, names[i].ok ? "valid" : "invalid");
  assert_true(ttl_is_prefix_name("", 0));
  assert_true(ttl_is_prefix_name("ex", 2));
  assert_true(ttl_is_prefix_name("e.x-1", 5));
  assert_false(ttl_is_prefix_name("_x", 2));
  assert_false(ttl_is_prefix_name("1x", 2));
  assert_false(ttl_is_prefix_name("x.", 2));
}

static void test_ttlwrite_iris(void **state) {
  TrineStore *s = store_of(state);
  assert_int_equal(trine_store_set_prefix(s, "ex", EX), TRINE_OK);
  assert_int_equal(trine_store_set_prefix(s, "long", EX "long/"), TRINE_OK);
  load(s, TRINE_FORMAT_NTRIPLES,
       "<" EX "s> <" EX "p> <" EX "a.> .\n"
       "<" EX "s> <" EX "p> <" EX "-x> .\n"
       "<" EX "s> <" EX "p> <" EX "a~b> .\n"
       "<" EX "s> <" EX "p> <" EX "long/x> .\n"
       "<" EX "s> <" EX "p> <" EX "> .\n"
       "<" EX "s> <" EX "p> <http://other.org/\\u00E9> .\n");
  expect_dump(s, TRINE_FORMAT_TURTLE,
              "@prefix ex: <" EX "> .\n"
              "@prefix long: <" EX "long/> .\n"
              "\n"
              "ex:s ex:p <" EX "a.>, <" EX "-x>,\n"
              "        <" EX "a~b>, long:x, ex:, <http://other.org/\xc3\xa9> .\n");
}

/* Graphs ------------------------------------------------------------------- */

static const char graphs_nq[] =
    "<" EX "s> <" EX "p> \"default\" .\n"
    "<" EX "s> <" EX "p> \"in g\" <" EX "g> .\n"
    "<" EX "t> <" EX "p> _:x <" EX "g> .\n"
    "<" EX "s> <" EX "p> \"in a blank graph\" _:bg .\n";

static void test_ttlwrite_trig(void **state) {
  TrineStore *s = store_of(state);
  assert_int_equal(trine_store_set_prefix(s, "ex", EX), TRINE_OK);
  load(s, TRINE_FORMAT_NQUADS,
       "<" EX "s> <" EX "p> \"default\" .\n"
       "<" EX "s> <" EX "p> \"in g\" <" EX "g> .\n"
       "<" EX "t> <" EX "p> _:x <" EX "g> .\n"
       "<" EX "s> <" EX "p> \"in a blank graph\" _:bg .\n");
  char *text = round_trip(s, TRINE_FORMAT_TRIG);
  const char *want_g = "ex:g {\n"
                       "    ex:s ex:p \"in g\" .\n"
                       "\n"
                       "    ex:t ex:p [] .\n"
                       "}\n";
  if (!strstr(text, want_g)) fail_msg("no block for ex:g in:\n%s", text);
  const char *head = "@prefix ex: <" EX "> .\n\nex:s ex:p \"default\" .\n";
  assert_true(strncmp(text, head, strlen(head)) == 0);
  assert_non_null(strstr(text, " {\n    ex:s ex:p \"in a blank graph\" .\n}\n"));
  free(text);
  /* Turtle has no graphs: the default graph, or the one asked for. */
  text = round_trip(s, TRINE_FORMAT_TURTLE);
  assert_null(strstr(text, "in g"));
  assert_non_null(strstr(text, "default"));
  free(text);
  TrineTerm g = trine_iri(EX "g");
  text = tu_dump(s, TRINE_FORMAT_TURTLE, &g, NULL);
  assert_string_equal(text, "@prefix ex: <" EX "> .\n\nex:s ex:p \"in g\" .\n\nex:t ex:p [] .\n");
  free(text);
  /* A graph the store lacks: the prefixes only. */
  TrineTerm none = trine_iri(EX "none");
  text = tu_dump(s, TRINE_FORMAT_TRIG, &none, NULL);
  assert_string_equal(text, "@prefix ex: <" EX "> .\n\n");
  free(text);
}

/* The write callback --------------------------------------------------------- */

typedef struct {
  char *text;
  size_t len, calls, fail_at;
} Collect;

static int collect(void *ctx, const void *data, size_t len) {
  Collect *c = ctx;
  if (++c->calls == c->fail_at) return 1;
  c->text = realloc(c->text, c->len + len + 1);
  memcpy(c->text + c->len, data, len);
  c->len += len;
  c->text[c->len] = '\0';
  return 0;
}

static void test_ttlwrite_callback(void **state) {
  TrineStore *s = store_of(state);
  load(s, TRINE_FORMAT_NQUADS, graphs_nq);
  /* Every format through the callback gives what the FILE* call gives. */
  for (TrineFormat f = TRINE_FORMAT_GUESS; f <= TRINE_FORMAT_TRIG; ++f) {
    Collect c = {0};
    TrineDumpOptions o = {.format = f};
    assert_int_equal(trine_store_dump_to(s, collect, &c, &o), TRINE_OK);
    char *want = tu_dump(s, f ? f : TRINE_FORMAT_NQUADS, NULL, NULL);
    assert_string_equal(c.text, want);
    free(want);
    free(c.text);
  }
  /* Prefixes given replace the saved ones; a bad pair is left out. */
  assert_int_equal(trine_store_set_prefix(s, "saved", EX), TRINE_OK);
  const char *pairs[] = {"e", EX, "1bad", "http://x/", "e", "http://ignored/"};
  Collect c = {0};
  TrineDumpOptions o = {.format = TRINE_FORMAT_TURTLE, .prefixes = pairs, .nprefixes = 3};
  assert_int_equal(trine_store_dump_to(s, collect, &c, &o), TRINE_OK);
  assert_string_equal(c.text, "@prefix e: <" EX "> .\n\ne:s e:p \"default\" .\n");
  free(c.text);
  /* A callback that fails stops the dump. */
  c = (Collect){.fail_at = 1};
  assert_int_equal(trine_store_dump_to(s, collect, &c, &o), TRINE_ERR_IO);
  assert_non_null(strstr(trine_store_errmsg(s), "write callback"));
  free(c.text);
  /* Misuse. */
  assert_int_equal(trine_store_dump_to(NULL, collect, &c, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_store_dump_to(s, NULL, &c, NULL), TRINE_ERR_ARG);
  assert_non_null(strstr(trine_store_errmsg(s), "write is NULL"));
  o.format = (TrineFormat)99;
  assert_int_equal(trine_store_dump_to(s, collect, &c, &o), TRINE_ERR_ARG);
  assert_null(c.text);
}

static void test_ttlwrite_txn(void **state) {
  TrineStore *s = store_of(state);
  TuStore t2;
  TrineStore *b = other_store(&t2);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(s, true, &t), TRINE_OK);
  TrineTerm x = trine_iri(EX "x");
  assert_int_equal(trine_txn_add(t, &x, &x, &x, NULL), TRINE_OK);
  /* The transaction's own write is seen; another store's txn is refused. */
  Collect c = {0};
  TrineDumpOptions o = {.format = TRINE_FORMAT_TRIG, .txn = t};
  assert_int_equal(trine_store_dump_to(s, collect, &c, &o), TRINE_OK);
  assert_string_equal(c.text, "<" EX "x> <" EX "x> <" EX "x> .\n");
  assert_int_equal(trine_store_dump_to(b, collect, &c, &o), TRINE_ERR_ARG);
  assert_non_null(strstr(trine_store_errmsg(b), "another store"));
  free(c.text);
  trine_txn_abort(t);
  tu_store_close(&t2);
}

/* Random datasets ------------------------------------------------------------- */

/* A random N-Quads text of blank-node-heavy statements: few nodes, so
 * that sharing, cycles, self loops, lists (well formed or not), nodes in
 * two graphs and blank graph names all come up. */
static char *random_nquads(unsigned *seed, size_t *n) {
  static const char *const preds[] = {"<" EX "p>", "<" EX "q>", "<" RDF "first>",
                                      "<" RDF "rest>", "<" RDF "rest>"};
  static const char *const graphs[] = {"", "", " <" EX "g>", " _:b7"};
  static const char *const others[] = {"<" EX "i0>", "\"x\"", "<" RDF "nil>", "1"};
  size_t cap = 4096, len = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  int quads = 1 + rand_r(seed) % 24;
  for (int i = 0; i < quads; ++i) {
    char s[48], o[64];
    if (rand_r(seed) % 5) snprintf(s, sizeof s, "_:b%d", rand_r(seed) % 8);
    else snprintf(s, sizeof s, "<" EX "i%d>", rand_r(seed) % 2);
    int k = rand_r(seed) % 10;
    if (k < 6) snprintf(o, sizeof o, "_:b%d", rand_r(seed) % 8);
    else if (strcmp(others[k - 6], "1") == 0)
      snprintf(o, sizeof o, "\"1\"^^<http://www.w3.org/2001/XMLSchema#integer>");
    else snprintf(o, sizeof o, "%s", others[k - 6]);
    len += (size_t)snprintf(text + len, cap - len, "%s %s %s%s .\n", s,
                            preds[rand_r(seed) % 5], o, graphs[rand_r(seed) % 4]);
  }
  *n = len;
  return text;
}

/* What transaction a holds, dumped as fmt and loaded into a transaction
 * of store b: the same quads (Turtle: those of the default graph)? */
static void random_round_trip(TrineTxn *a, TrineStore *sa, TrineStore *b, TrineFormat fmt,
                              const char *source) {
  Collect c = {0};
  TrineDumpOptions o = {.format = fmt, .txn = a};
  assert_int_equal(trine_store_dump_to(sa, collect, &c, &o), TRINE_OK);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(b, true, &t), TRINE_OK);
  TrineLoadOptions lo = {.format = fmt, .txn = t};
  if (trine_store_load_buffer(b, "dump", c.text ? c.text : "", c.len, &lo, NULL))
    fail_msg("the dump of\n%sdoes not load: %s\n%s", source, trine_store_errmsg(b), c.text);
  char *want = NULL, *got = NULL, why[600];
  size_t wl = 0, gl = 0;
  FILE *fw = open_memstream(&want, &wl), *fg = open_memstream(&got, &gl);
  TrineTerm dg = trine_default_graph();
  assert_int_equal(trine_txn_dump(a, fw, TRINE_FORMAT_NQUADS,
                                  fmt == TRINE_FORMAT_TURTLE ? &dg : NULL), TRINE_OK);
  assert_int_equal(trine_txn_dump(t, fg, TRINE_FORMAT_NQUADS, NULL), TRINE_OK);
  fclose(fw);
  fclose(fg);
  if (!rdf_isomorphic(want ? want : "", got ? got : "", why, sizeof why))
    fail_msg("%s\nof\n%sdumped as\n%s", why, source, c.text);
  free(want);
  free(got);
  free(c.text);
  trine_txn_abort(t);
}

static void test_ttlwrite_random(void **state) {
  TrineStore *s = store_of(state);
  TuStore t2;
  TrineStore *b = other_store(&t2);
  unsigned seed = 18;
  for (int i = 0; i < 150; ++i) {
    size_t len;
    char *nq = random_nquads(&seed, &len);
    TrineTxn *a;
    assert_int_equal(trine_txn_begin(s, true, &a), TRINE_OK);
    TrineLoadOptions lo = {.format = TRINE_FORMAT_NQUADS, .txn = a};
    assert_int_equal(trine_store_load_buffer(s, "random", nq, len, &lo, NULL), TRINE_OK);
    random_round_trip(a, s, b, TRINE_FORMAT_TRIG, nq);
    random_round_trip(a, s, b, TRINE_FORMAT_TURTLE, nq);
    trine_txn_abort(a);
    free(nq);
  }
  tu_store_close(&t2);
}

/* CONSTRUCT results ------------------------------------------------------------ */

static void test_ttlwrite_construct(void **state) {
  TrineStore *s = store_of(state);
  load(s, TRINE_FORMAT_NTRIPLES,
       "<" EX "a> <" EX "p> \"1\" .\n"
       "<" EX "a> <" EX "p> \"2\" .\n"
       "<" EX "a> <" EX "q> <" EX "b> .\n");
  TrineQuery *q;
  const char *construct = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } ORDER BY ?p ?o";
  if (trine_query_prepare(s, construct, strlen(construct), NULL, &q))
    fail_msg("cannot prepare: %s", trine_store_errmsg(s));
  const char *pairs[] = {"ex", EX};
  TrineWriteOptions wo = {.prefixes = pairs, .nprefixes = 1};
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  uint64_t rows;
  assert_int_equal(trine_query_write(q, TRINE_RESULTS_TURTLE, &wo, m, &rows), TRINE_OK);
  fclose(m);
  assert_int_equal(rows, 3);
  assert_string_equal(buf, "@prefix ex: <" EX "> .\n\nex:a ex:p \"1\", \"2\" ;\n    ex:q ex:b .\n");
  free(buf);
  trine_query_free(q);
  /* Solutions are no graph. */
  const char *select = "SELECT * { ?s ?p ?o }";
  assert_int_equal(trine_query_prepare(s, select, strlen(select), NULL, &q), TRINE_OK);
  m = open_memstream(&buf, &len);
  assert_int_equal(trine_query_write(q, TRINE_RESULTS_TURTLE, NULL, m, NULL), TRINE_ERR_ARG);
  fclose(m);
  free(buf);
  trine_query_free(q);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_ttlwrite_grouping, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_nesting, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_labels_kept, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_lists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_long_lists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_long_list_reversed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_deep, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_wrap, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_escapes, setup, teardown),
      cmocka_unit_test(test_ttlwrite_local_names),
      cmocka_unit_test_setup_teardown(test_ttlwrite_iris, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_trig, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_callback, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_txn, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_construct, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ttlwrite_random, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
