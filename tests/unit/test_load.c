/*
 * test_load.c -- loading and dumping: gzip input, N-Triples into a named
 * graph, error positions and limits, progress (phases, bytes of every
 * source) and cancellation, read callbacks and FILE *s, dumps of
 * one graph or all, and load -> dump -> load.
 */
#include "testutil.h"
#include "trine.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

/* Helpers ------------------------------------------------------------------ */

typedef struct {
  char *dir;
  TrineStore *store;
  char path[512]; /* scratch file name inside dir */
} Fixture;

static int setup(void **state) {
  Fixture *f = calloc(1, sizeof *f);
  if (!f) return -1;
  f->dir = tu_tmpdir("load");
  if (!f->dir || tu_open_in(f->dir, "store", &f->store) != TRINE_OK) return -1;
  *state = f;
  return 0;
}

static int teardown(void **state) {
  Fixture *f = *state;
  trine_store_close(f->store);
  tu_rmtree(f->dir);
  free(f);
  return 0;
}

/* A second store in the fixture's directory. */
static TrineStore *other_store(Fixture *f, const char *name) {
  TrineStore *s;
  assert_int_equal(tu_open_in(f->dir, name, &s), TRINE_OK);
  return s;
}

static const char *file_in(Fixture *f, const char *name) {
  snprintf(f->path, sizeof f->path, "%s/%s", f->dir, name);
  return f->path;
}

static void write_gz(const char *path, const char *text, size_t len) {
  gzFile gz = gzopen(path, "wb");
  assert_non_null(gz);
  /* In pieces, so the compressed stream has several blocks. */
  for (size_t off = 0; off < len;) {
    unsigned n = (unsigned)(len - off < 100000 ? len - off : 100000);
    assert_int_equal(gzwrite(gz, text + off, n), (int)n);
    off += n;
  }
  assert_int_equal(gzclose(gz), Z_OK);
}

/* Dump as text (malloc'd, NUL-terminated). */
static char *dump(TrineStore *s, TrineFormat fmt, const TrineTerm *g) {
  return tu_dump(s, fmt, g, NULL);
}

/* Lines of text sorted, joined again: a canonical form of a set of lines. */
static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *sorted_lines(const char *text) {
  size_t n = 0, len = strlen(text);
  for (const char *p = text; *p; ++p) n += *p == '\n';
  char *copy = strdup(text);
  assert_non_null(copy);
  char **lines = calloc(n + 1, sizeof *lines);
  assert_non_null(lines);
  size_t k = 0;
  for (char *p = copy, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
    *nl = '\0';
    lines[k++] = p;
  }
  if (k) qsort(lines, k, sizeof *lines, cmp_str);
  char *out = malloc(len + 1);
  assert_non_null(out);
  size_t o = 0;
  for (size_t i = 0; i < k; ++i) o += (size_t)sprintf(out + o, "%s\n", lines[i]);
  out[o] = '\0';
  free(lines);
  free(copy);
  return out;
}

/* Replace every blank node label "_:xyz" by "_:B". */
static char *mask_blanks(const char *text) {
  char *out = malloc(strlen(text) + 1);
  assert_non_null(out);
  size_t o = 0;
  bool in_lit = false;
  for (const char *p = text; *p;) {
    if (*p == '"' && (p == text || p[-1] != '\\')) in_lit = !in_lit;
    if (!in_lit && p[0] == '_' && p[1] == ':') {
      memcpy(out + o, "_:B", 3);
      o += 3;
      p += 2;
      while (*p && *p != ' ' && *p != '\n') ++p;
      continue;
    }
    out[o++] = *p++;
  }
  out[o] = '\0';
  return out;
}

static void assert_same_lines(const char *a, const char *b) {
  char *x = sorted_lines(a), *y = sorted_lines(b);
  assert_string_equal(x, y);
  free(x);
  free(y);
}

static uint64_t quads_of(TrineStore *s) {
  TrineStats st;
  assert_int_equal(trine_store_stats(s, NULL, &st), TRINE_OK);
  return st.quads;
}

static size_t count_graph(TrineStore *s, const TrineTerm *g) {
  TrineTxn *t;
  TrineIter *it;
  TrineTerm q[4];
  size_t n = 0;
  assert_int_equal(trine_txn_begin(s, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, NULL, NULL, NULL, g, &it), TRINE_OK);
  while (trine_iter_next(it, q) == TRINE_ROW) ++n;
  trine_iter_free(it);
  trine_txn_abort(t);
  return n;
}

/* Generated N-Triples: n lines. */
static char *gen_nt(size_t n, size_t *len) {
  size_t cap = n * 100 + 1, used = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (size_t i = 0; i < n; ++i)
    used += (size_t)snprintf(buf + used, cap - used,
                             "<http://ex.org/s%zu> <http://ex.org/p%zu> \"v%zu\"@en .\n", i / 3,
                             i % 5, i);
  *len = used;
  return buf;
}

/* Errors collected from a sink, formatted. */
typedef struct {
  char lines[32][512];
  int n;
} Errors;

static void collect_error(void *ctx, const TrineError *e) {
  Errors *c = ctx;
  if (c->n < 32) trine_error_format(e, c->lines[c->n], sizeof c->lines[0]);
  c->n++;
}

static const char *mixed_nq =
    "<http://ex.org/s> <http://ex.org/p> \"d1\" .\n"
    "<http://ex.org/s> <http://ex.org/p> \"d2\"^^<http://ex.org/dt> .\n"
    "<http://ex.org/s> <http://ex.org/p> \"g1\" <http://ex.org/g1> .\n"
    "<http://ex.org/s> <http://ex.org/q> \"caf\xc3\xa9\"@fr <http://ex.org/g1> .\n"
    "<http://ex.org/s> <http://ex.org/p> \"g2\" <http://ex.org/g2> .\n"
    "<http://ex.org/t> <http://ex.org/p> <http://ex.org/s> <http://ex.org/g2> .\n";

/* Tests -------------------------------------------------------------------- */

/* .nt.gz and .nq.gz files are read directly, like the plain files. */
static void test_load_gzip_files(void **state) {
  Fixture *f = *state;
  size_t len;
  char *nt = gen_nt(20000, &len);
  write_gz(file_in(f, "data.nt.gz"), nt, len);
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_file(f->store, f->path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_read, 20000);
  assert_int_equal(ls.quads_added, 20000);
  /* Regression: for .gz files run_load() reports the compressed
   * file size, not the bytes of decompressed input the API documents. */
  assert_int_equal(ls.bytes, len);
  /* The same data from a plain file gives the same store. */
  TrineStore *plain = other_store(f, "plain");
  tu_write_file(file_in(f, "data.nt"), nt, len);
  assert_int_equal(trine_store_load_file(plain, f->path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.bytes, len);
  char *a = dump(f->store, TRINE_FORMAT_NQUADS, NULL), *b = dump(plain, TRINE_FORMAT_NQUADS, NULL);
  assert_string_equal(a, b);
  free(a);
  free(b);
  /* N-Quads, gzip-compressed, with named graphs. */
  write_gz(file_in(f, "mixed.nq.gz"), mixed_nq, strlen(mixed_nq));
  assert_int_equal(trine_store_load_file(plain, f->path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 6);
  TrineTerm g1 = trine_iri("http://ex.org/g1");
  assert_int_equal(count_graph(plain, &g1), 2);
  /* A gzip file with an error reports its name and line. */
  Errors errs = {0};
  TrineLoadOptions o = {.sink = collect_error, .sink_ctx = &errs};
  const char *bad = "<http://ex.org/a> <http://ex.org/b> <http://ex.org/c> .\n"
                    "<http://ex.org/a> <http://ex.org/b> <c> .\n";
  write_gz(file_in(f, "bad.nt.gz"), bad, strlen(bad));
  assert_int_equal(trine_store_load_file(plain, f->path, &o, &ls), TRINE_ERR_SYNTAX);
  assert_int_equal(errs.n, 1);
  char want[600];
  snprintf(want, sizeof want, "%s:2:37: error: ", f->path);
  assert_memory_equal(errs.lines[0], want, strlen(want));
  /* A corrupt gzip stream is an error, not a silent partial load. */
  tu_write_file(file_in(f, "corrupt.nt.gz"), "\x1f\x8b\x08\x00garbage-garbage-garbage", 28);
  uint64_t before = quads_of(plain);
  assert_true(trine_store_load_file(plain, f->path, NULL, &ls) >= TRINE_ERR_SYNTAX);
  assert_int_equal(quads_of(plain), before);
  trine_store_close(plain);
  free(nt);
}

/* N-Triples go into the graph given in the options. */
static void test_load_ntriples_into_named_graph(void **state) {
  Fixture *f = *state;
  size_t len;
  char *nt = gen_nt(300, &len);
  TrineTerm g = trine_iri("http://ex.org/graph"), dg = trine_default_graph();
  TrineLoadOptions o = {.format = TRINE_FORMAT_NTRIPLES, .graph = &g};
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(f->store, "x.nt", nt, len, &o, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 300);
  assert_int_equal(count_graph(f->store, &g), 300);
  assert_int_equal(count_graph(f->store, &dg), 0);
  /* From a file, into another graph; the same triples are new there. */
  TrineTerm g2 = trine_iri("http://ex.org/graph2");
  o = (TrineLoadOptions){.graph = &g2};
  tu_write_file(file_in(f, "x.nt"), nt, len);
  assert_int_equal(trine_store_load_file(f->store, f->path, &o, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 300);
  assert_int_equal(count_graph(f->store, &g2), 300);
  assert_int_equal(count_graph(f->store, NULL), 600);
  /* Without a graph, or with the default graph: the default graph. */
  assert_int_equal(trine_store_load_file(f->store, f->path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 300);
  o = (TrineLoadOptions){.graph = &dg};
  assert_int_equal(trine_store_load_file(f->store, f->path, &o, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 0);
  assert_int_equal(count_graph(f->store, &dg), 300);
  TrineStats st;
  assert_int_equal(trine_store_stats(f->store, NULL, &st), TRINE_OK);
  assert_int_equal(st.graphs, 2);
  assert_int_equal(st.default_quads, 300);
  /* A literal is not a graph name. */
  TrineTerm lit = trine_literal("g", NULL, NULL);
  o = (TrineLoadOptions){.graph = &lit};
  assert_int_equal(trine_store_load_buffer(f->store, "x.nt", nt, len, &o, &ls), TRINE_ERR_ARG);
  /* A graph label in an N-Triples document is a syntax error. */
  Errors errs = {0};
  o = (TrineLoadOptions){.format = TRINE_FORMAT_NTRIPLES, .sink = collect_error,
                         .sink_ctx = &errs};
  const char *quad = "<http://ex.org/a> <http://ex.org/b> <http://ex.org/c> <http://ex.org/g> .\n";
  assert_int_equal(trine_store_load_buffer(f->store, "q.nt", quad, strlen(quad), &o, &ls),
                   TRINE_ERR_SYNTAX);
  assert_int_equal(errs.n, 1);
  assert_memory_equal(errs.lines[0], "q.nt:1:", 7);
  /* ... and so in a .nt file guessed from its name. */
  tu_write_file(file_in(f, "q.nt"), quad, strlen(quad));
  assert_int_equal(trine_store_load_file(f->store, f->path, NULL, &ls), TRINE_ERR_SYNTAX);
  tu_write_file(file_in(f, "q.nq"), quad, strlen(quad));
  assert_int_equal(trine_store_load_file(f->store, f->path, NULL, &ls), TRINE_OK);
  free(nt);
}

typedef struct {
  const char *text;
  const char *want; /* the formatted first error */
} BadCase;

/* Errors come out as NAME:LINE:COL: error: MESSAGE with the right line and
 * column (in characters), through the sink, and in trine_store_errmsg(). */
static void test_load_error_positions(void **state) {
  Fixture *f = *state;
  static const BadCase cases[] = {
      {"<http://ex/s> <http://ex/p> \"x\" .\n\n<http://ex/s> <http://ex/p> \"abc .\n",
       "in.nq:3:29: error: unterminated string literal"},
      {"# comment\n<http://ex/s> <http://ex/p> <http://ex/o>\n",
       "in.nq:2:42: error: expected '.' at end of statement"},
      /* Columns count characters: \xc3\xa9 is one. */
      {"<http://ex/\xc3\xa9> <http://ex/p> 1 .\n",
       "in.nq:1:29: error: expected IRI, blank node or literal as object"},
      {"<http://ex/s> <http://ex/p> \"\xe2\x82\xac\xe2\x82\xac\" <http://ex/a b> .\n",
       "in.nq:1:46: error: invalid character ' ' in IRI"},
      /* Any line ending counts: CR LF, lone CR. */
      {"<http://ex/s> <http://ex/p> \"1\" .\r\n<http://ex/s> <http://ex/p> \"2\" .\r"
       "<http://ex/s> <http://ex/p> \"3\" .\r\n<s> <http://ex/p> \"4\" .\r\n",
       "in.nq:4:1: error: relative IRI not allowed"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    Errors errs = {0};
    TrineLoadOptions o = {.sink = collect_error, .sink_ctx = &errs};
    TrineLoadStats ls;
    assert_int_equal(trine_store_load_buffer(f->store, "in.nq", cases[i].text,
                                             strlen(cases[i].text), &o, &ls),
                     TRINE_ERR_SYNTAX);
    assert_int_equal(errs.n, 1);
    assert_string_equal(errs.lines[0], cases[i].want);
    /* Without a sink: the same text as the store's message. */
    assert_int_equal(trine_store_load_buffer(f->store, "in.nq", cases[i].text,
                                             strlen(cases[i].text), NULL, &ls),
                     TRINE_ERR_SYNTAX);
    assert_string_equal(trine_store_errmsg(f->store), cases[i].want);
  }
  assert_int_equal(quads_of(f->store), 0);
  /* From a file, the file name is the source. */
  const char *path = file_in(f, "bad.nt");
  tu_write_file(path, cases[0].text, strlen(cases[0].text));
  Errors errs = {0};
  TrineLoadOptions o = {.sink = collect_error, .sink_ctx = &errs};
  assert_int_equal(trine_store_load_file(f->store, path, &o, NULL), TRINE_ERR_SYNTAX);
  assert_int_equal(errs.n, 1);
  char want[600];
  snprintf(want, sizeof want, "%s:3:29: error: unterminated string literal", path);
  assert_string_equal(errs.lines[0], want);
  /* A store-wide sink receives load errors when the load has none. */
  trine_store_close(f->store);
  Errors store_errs = {0};
  TrineOptions so = {.sink = collect_error, .sink_ctx = &store_errs};
  char sp[512];
  snprintf(sp, sizeof sp, "%s/store", f->dir);
  assert_int_equal(trine_store_open(sp, &so, &f->store), TRINE_OK);
  assert_int_equal(trine_store_load_file(f->store, path, NULL, NULL), TRINE_ERR_SYNTAX);
  assert_true(store_errs.n >= 1);
  assert_string_equal(store_errs.lines[0], want);
  /* Missing files and directories. */
  assert_int_equal(trine_store_load_file(f->store, file_in(f, "missing.nt"), NULL, NULL),
                   TRINE_NOT_FOUND);
  assert_non_null(strstr(trine_store_errmsg(f->store), "missing.nt"));
  assert_true(trine_store_load_file(f->store, f->dir, NULL, NULL) >= TRINE_ERR_SYNTAX);
  assert_int_equal(quads_of(f->store), 0);
}

static char *bad_lines(int n) {
  char *buf = malloc((size_t)n * 128 + 64);
  assert_non_null(buf);
  size_t o = 0;
  for (int i = 0; i < n; ++i) {
    o += (size_t)sprintf(buf + o, "<http://ex/s> <http://ex/p> \"ok\" .\n");
    o += (size_t)sprintf(buf + o, "<http://ex/s> <http://ex/p> bad%d .\n", i);
  }
  return buf;
}

/* At most max_errors errors are reported (5 by default). */
static void test_load_max_errors(void **state) {
  Fixture *f = *state;
  char *text = bad_lines(12);
  static const unsigned limits[] = {0, 1, 3, 8, 20};
  static const int expect[] = {5, 1, 3, 8, 12};
  for (size_t i = 0; i < sizeof limits / sizeof limits[0]; ++i) {
    Errors errs = {0};
    TrineLoadOptions o = {.sink = collect_error, .sink_ctx = &errs, .max_errors = limits[i]};
    assert_int_equal(trine_store_load_buffer(f->store, "m.nt", text, strlen(text), &o, NULL),
                     TRINE_ERR_SYNTAX);
    assert_int_equal(errs.n, expect[i]);
    /* In order, each on its own line (2, 4, 6, ...). */
    for (int k = 0; k < errs.n && k < 32; ++k) {
      char want[64];
      snprintf(want, sizeof want, "m.nt:%d:29: error: ", 2 * k + 2);
      assert_memory_equal(errs.lines[k], want, strlen(want));
    }
  }
  assert_int_equal(quads_of(f->store), 0);
  free(text);
}

typedef struct {
  int calls, cancel_at;
  uint64_t last_bytes, total, last_quads;
  bool monotonic;       /* bytes and quads never go back */
  int phases[3];        /* calls per phase */
  bool writes_sane;     /* done <= todo while writing */
  TrineLoadPhase last;  /* the phase of the last call */
} Prog;

static int on_progress(void *ctx, const TrineLoadProgress *lp) {
  Prog *p = ctx;
  if (lp->bytes < p->last_bytes || lp->quads < p->last_quads) p->monotonic = false;
  if (lp->phase == TRINE_LOAD_WRITING && lp->todo && lp->done > lp->todo) p->writes_sane = false;
  p->last_bytes = lp->bytes;
  p->last_quads = lp->quads;
  p->total = lp->total;
  p->phases[lp->phase]++;
  p->last = lp->phase;
  return ++p->calls == p->cancel_at;
}

/* The progress callback is called during long loads; returning non-zero
 * cancels the load and leaves the store unchanged. */
static void test_load_progress_and_cancel(void **state) {
  Fixture *f = *state;
  assert_int_equal(trine_store_load_buffer(f->store, "m.nq", mixed_nq, strlen(mixed_nq), NULL,
                                           NULL),
                   TRINE_OK);
  char *before = dump(f->store, TRINE_FORMAT_NQUADS, NULL);
  size_t len;
  char *nt = gen_nt(120000, &len); /* about 8 MB */
  tu_write_file(file_in(f, "big.nt"), nt, len);
  /* Not cancelled: called several times, bytes and quads grow. */
  Prog p = {.monotonic = true, .writes_sane = true};
  TrineLoadOptions o = {.progress = on_progress, .progress_ctx = &p};
  TrineStore *other = other_store(f, "other");
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_file(other, f->path, &o, &ls), TRINE_OK);
  assert_true(p.calls >= 2);
  assert_true(p.monotonic);
  assert_int_equal(p.total, len);
  assert_int_equal(p.last_bytes, len);
  assert_int_equal(p.last_quads, 120000);
  assert_int_equal(ls.quads_added, 120000);
  /* Reading, then the batch's writing (its start and steps of 64 Ki of
   * its 360,000 records), then the commit, last. */
  assert_true(p.phases[TRINE_LOAD_READING] >= 2);
  assert_true(p.phases[TRINE_LOAD_WRITING] >= 3);
  assert_true(p.writes_sane);
  assert_int_equal(p.phases[TRINE_LOAD_COMMITTING], 1);
  assert_int_equal(p.last, TRINE_LOAD_COMMITTING);
  trine_store_close(other);
  /* A buffer reports its bytes as a file does. */
  p = (Prog){.monotonic = true, .writes_sane = true};
  TrineStore *third = other_store(f, "third");
  assert_int_equal(trine_store_load_buffer(third, "big.nt", nt, len, &o, &ls), TRINE_OK);
  assert_true(p.monotonic);
  assert_int_equal(p.total, len);
  assert_int_equal(p.last_bytes, len);
  trine_store_close(third);
  /* Cancelled at the second call, from a file and from a buffer. */
  for (int from_file = 0; from_file < 2; ++from_file) {
    p = (Prog){.cancel_at = 2, .monotonic = true, .writes_sane = true};
    TrineStatus st = from_file ? trine_store_load_file(f->store, f->path, &o, &ls)
                               : trine_store_load_buffer(f->store, "big.nt", nt, len, &o, &ls);
    assert_int_equal(st, TRINE_ERR_CANCELLED);
    assert_int_equal(p.calls, 2);
    assert_int_equal(ls.quads_added, 0);
    char *after = dump(f->store, TRINE_FORMAT_NQUADS, NULL);
    assert_string_equal(before, after);
    free(after);
    assert_int_equal(quads_of(f->store), 6);
  }
  free(before);
  free(nt);
}

/* A read callback handing out at most `step` bytes a call, failing with
 * EIO after `fail_at` bytes (0: never). */
typedef struct {
  const char *data;
  size_t len, pos, step, fail_at;
} Chunks;

static ptrdiff_t read_chunks(void *ctx, void *buf, size_t cap) {
  Chunks *c = ctx;
  if (c->fail_at && c->pos >= c->fail_at) {
    errno = EIO;
    return -1;
  }
  size_t n = c->len - c->pos;
  if (n > c->step) n = c->step;
  if (n > cap) n = cap;
  memcpy(buf, c->data + c->pos, n);
  c->pos += n;
  return (ptrdiff_t)n;
}

/* text gzip-compressed in memory as `members` gzip members one after the
 * other (as `cat a.gz b.gz` makes); malloc'd. */
static unsigned char *gzip_mem(const char *text, size_t len, int members, size_t *out_len) {
  size_t cap = len + 1024 * (size_t)members + 64, used = 0;
  unsigned char *out = malloc(cap);
  assert_non_null(out);
  for (int m = 0; m < members; ++m) {
    size_t from = len * (size_t)m / (size_t)members, to = len * (size_t)(m + 1) / (size_t)members;
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (unsigned char *)text + from;
    z.avail_in = (unsigned)(to - from);
    z.next_out = out + used;
    z.avail_out = (unsigned)(cap - used);
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    used = cap - z.avail_out;
    deflateEnd(&z);
  }
  *out_len = used;
  return out;
}

/* Loads from a read callback and a FILE *, plain and gzip (one member or
 * several), give the store a file gives; a failing callback or cut gzip is
 * TRINE_ERR_IO and changes nothing; the format follows the name. */
static void test_load_reader_and_stream(void **state) {
  Fixture *f = *state;
  size_t len, zlen;
  char *nt = gen_nt(30000, &len);
  tu_write_file(file_in(f, "ref.nt"), nt, len);
  TrineStore *ref = other_store(f, "ref");
  assert_int_equal(trine_store_load_file(ref, f->path, NULL, NULL), TRINE_OK);
  char *want = dump(ref, TRINE_FORMAT_NQUADS, NULL);
  trine_store_close(ref);
  TrineLoadStats ls;
  unsigned char *z3 = gzip_mem(nt, len, 3, &zlen);
  struct { const char *data; size_t len, step; } cases[] = {
      {nt, len, 7}, {nt, len, 1 << 20}, {(char *)z3, zlen, 1}, {(char *)z3, zlen, 4096}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; ++i) {
    char name[16];
    snprintf(name, sizeof name, "r%zu", i);
    TrineStore *s = other_store(f, name);
    Chunks c = {cases[i].data, cases[i].len, 0, cases[i].step, 0};
    if (cases[i].step == 1 && cases[i].len > 100000) c.step = 3; /* keep it quick */
    assert_int_equal(trine_store_load_reader(s, "in.nt", read_chunks, &c, NULL, &ls), TRINE_OK);
    assert_int_equal(ls.quads_added, 30000);
    assert_int_equal(ls.bytes, len);
    char *got = dump(s, TRINE_FORMAT_NQUADS, NULL);
    assert_string_equal(want, got);
    free(got);
    trine_store_close(s);
  }
  /* An empty buffer, even without data, loads nothing (a crash once). */
  TrineStore *s0 = other_store(f, "nothing");
  assert_int_equal(trine_store_load_buffer(s0, "empty.nt", NULL, 0, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_read, 0);
  trine_store_close(s0);
  /* A gzip buffer is recognised too. */
  TrineStore *s = other_store(f, "zbuf");
  assert_int_equal(trine_store_load_buffer(s, "in", z3, zlen, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 30000);
  /* Failing: the callback's error, a cut gzip stream; nothing stored. */
  Chunks bad = {nt, len, 0, 4096, len / 2};
  assert_int_equal(trine_store_load_reader(s, "in.nt", read_chunks, &bad, NULL, &ls), TRINE_ERR_IO);
  assert_non_null(strstr(trine_store_errmsg(s), "in.nt: "));
  Chunks cut = {(char *)z3, zlen / 2, 0, 4096, 0};
  TrineStore *e = other_store(f, "empty");
  assert_int_equal(trine_store_load_reader(e, "cut.nt.gz", read_chunks, &cut, NULL, &ls),
                   TRINE_ERR_IO);
  assert_non_null(strstr(trine_store_errmsg(e), "truncated"));
  assert_int_equal(quads_of(e), 0);
  /* A FILE *: from where it stands; the total is what is left of it. */
  FILE *in = fopen(file_in(f, "ref.nt"), "rb");
  assert_non_null(in);
  const char *second = strchr(nt, '\n') + 1;
  assert_int_equal(fseek(in, (long)(second - nt), SEEK_SET), 0);
  Prog p = {.monotonic = true, .writes_sane = true};
  TrineLoadOptions o = {.progress = on_progress, .progress_ctx = &p};
  assert_int_equal(trine_store_load_stream(e, "ref.nt", in, &o, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 29999);
  assert_int_equal(p.total, len - (size_t)(second - nt));
  assert_int_equal(p.last_bytes, p.total);
  fclose(in);
  /* The name's extension gives the format: Turtle here. */
  const char *ttl = "@prefix e: <http://ex.org/> . e:a e:b e:c , e:d .\n";
  Chunks tc = {ttl, strlen(ttl), 0, 5, 0};
  TrineStore *t = other_store(f, "ttl");
  assert_int_equal(trine_store_load_reader(t, "x.ttl", read_chunks, &tc, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 2);
  assert_int_equal(trine_store_load_buffer(t, "y.ttl", ttl, strlen(ttl), NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_read, 2);
  assert_int_equal(trine_store_load_reader(t, "x.nt", NULL, NULL, NULL, &ls), TRINE_ERR_ARG);
  assert_int_equal(trine_store_load_stream(t, "x.nt", NULL, NULL, &ls), TRINE_ERR_ARG);
  trine_store_close(t);
  trine_store_close(e);
  trine_store_close(s);
  free(z3);
  free(want);
  free(nt);
}

/* Dump of every graph, the default graph, one named graph, an unknown one;
 * as N-Quads and N-Triples. */
static void test_load_dump_graphs(void **state) {
  Fixture *f = *state;
  assert_int_equal(trine_store_load_buffer(f->store, "m.nq", mixed_nq, strlen(mixed_nq), NULL,
                                           NULL),
                   TRINE_OK);
  const char *dflt =
      "<http://ex.org/s> <http://ex.org/p> \"d1\" .\n"
      "<http://ex.org/s> <http://ex.org/p> \"d2\"^^<http://ex.org/dt> .\n";
  const char *g1_nq = "<http://ex.org/s> <http://ex.org/p> \"g1\" <http://ex.org/g1> .\n"
                      "<http://ex.org/s> <http://ex.org/q> \"caf\xc3\xa9\"@fr <http://ex.org/g1> .\n";
  const char *g1_nt = "<http://ex.org/s> <http://ex.org/p> \"g1\" .\n"
                      "<http://ex.org/s> <http://ex.org/q> \"caf\xc3\xa9\"@fr .\n";
  char *all = dump(f->store, TRINE_FORMAT_NQUADS, NULL);
  assert_same_lines(all, mixed_nq);
  free(all);
  TrineTerm dg = trine_default_graph(), g1 = trine_iri("http://ex.org/g1");
  char *d = dump(f->store, TRINE_FORMAT_NQUADS, &dg);
  assert_same_lines(d, dflt);
  free(d);
  d = dump(f->store, TRINE_FORMAT_NQUADS, &g1);
  assert_same_lines(d, g1_nq);
  free(d);
  d = dump(f->store, TRINE_FORMAT_NTRIPLES, &g1);
  assert_same_lines(d, g1_nt);
  free(d);
  /* N-Triples of everything: graph names dropped (one line per quad). */
  d = dump(f->store, TRINE_FORMAT_NTRIPLES, NULL);
  size_t lines = 0;
  for (char *p = d; *p; ++p) lines += *p == '\n';
  assert_int_equal(lines, 6);
  assert_null(strstr(d, "http://ex.org/g1"));
  free(d);
  /* A graph with no quads, or not even a term in the store. */
  TrineTerm s = trine_iri("http://ex.org/s"), none = trine_iri("http://ex.org/none");
  d = dump(f->store, TRINE_FORMAT_NQUADS, &s);
  assert_string_equal(d, "");
  free(d);
  d = dump(f->store, TRINE_FORMAT_NQUADS, &none);
  assert_string_equal(d, "");
  free(d);
  /* To a real file. */
  FILE *fp = fopen(file_in(f, "out.nq"), "w");
  assert_non_null(fp);
  assert_int_equal(trine_store_dump(f->store, fp, TRINE_FORMAT_NQUADS, NULL), TRINE_OK);
  fclose(fp);
  TrineStore *other = other_store(f, "other");
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_file(other, f->path, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 6);
  d = dump(other, TRINE_FORMAT_NQUADS, NULL);
  assert_same_lines(d, mixed_nq);
  free(d);
  trine_store_close(other);
}

/* load -> dump -> load gives the same set of quads, for awkward terms. */
static void test_load_dump_load_same_set(void **state) {
  Fixture *f = *state;
  const char *doc =
      "<http://ex.org/s> <http://ex.org/p> \"tab\\tnl\\ncr\\rbs\\\\q\\\"\" .\n"
      "<http://ex.org/s> <http://ex.org/p> \"\\u00E9\\U0001F600 \\u0001\\u007F\" .\n"
      "<http://ex.org/\\u00E9> <http://ex.org/p> \"x\"@EN-gb <http://ex.org/g> .\n"
      "<http://ex.org/s> <http://ex.org/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
      "<http://ex.org/s> <http://ex.org/p> \"s\"^^<http://www.w3.org/2001/XMLSchema#string> .\n"
      "_:a <http://ex.org/p> _:b _:g .\n"
      "_:b <http://ex.org/p> _:a .\n"
      "<http://ex.org/s> <http://ex.org/p> \"\" .\n"
      "<http://ex.org/s> <http://ex.org/p> \"\"@en .\n"
      "<http://ex.org/s> <http://ex.org/p> \"x\" _:g .\n";
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(f->store, "d.nq", doc, strlen(doc), NULL, &ls),
                   TRINE_OK);
  assert_int_equal(ls.quads_added, 10);
  char *d1 = dump(f->store, TRINE_FORMAT_NQUADS, NULL);
  TrineStore *s2 = other_store(f, "s2");
  assert_int_equal(trine_store_load_buffer(s2, "d1.nq", d1, strlen(d1), NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, 10);
  char *d2 = dump(s2, TRINE_FORMAT_NQUADS, NULL);
  char *m1 = mask_blanks(d1), *m2 = mask_blanks(d2);
  assert_same_lines(m1, m2);
  /* Blank nodes stay distinct and linked: _:a and _:b are two nodes. */
  TrineStats st1, st2;
  assert_int_equal(trine_store_stats(f->store, NULL, &st1), TRINE_OK);
  assert_int_equal(trine_store_stats(s2, NULL, &st2), TRINE_OK);
  assert_int_equal(st1.quads, st2.quads);
  assert_int_equal(st1.graphs, st2.graphs);
  assert_int_equal(st1.graphs, 2);
  assert_int_equal(st1.default_quads, st2.default_quads);
  /* Loading the dump into the store it came from adds nothing but the
   * blank-node statements (fresh blank nodes). */
  assert_int_equal(trine_store_load_buffer(f->store, "d1.nq", d1, strlen(d1), NULL, &ls),
                   TRINE_OK);
  assert_int_equal(ls.quads_added, 3);
  /* The dump is canonical: dumping the copy of a blank-free store gives the
   * same bytes. */
  TrineStore *s3 = other_store(f, "s3"), *s4 = other_store(f, "s4");
  size_t n;
  char *nt = gen_nt(2000, &n);
  assert_int_equal(trine_store_load_buffer(s3, "g.nt", nt, n, NULL, NULL), TRINE_OK);
  const char *cut = doc;
  for (int i = 0; i < 5; ++i) cut = strchr(cut, '\n') + 1; /* the blank-free lines */
  assert_int_equal(trine_store_load_buffer(s3, "d.nq", doc, (size_t)(cut - doc), NULL, NULL),
                   TRINE_OK);
  char *d3 = dump(s3, TRINE_FORMAT_NQUADS, NULL);
  assert_int_equal(trine_store_load_buffer(s4, "d3.nq", d3, strlen(d3), NULL, NULL), TRINE_OK);
  char *d4 = dump(s4, TRINE_FORMAT_NQUADS, NULL);
  assert_same_lines(d3, d4);
  free(nt);
  free(d3);
  free(d4);
  trine_store_close(s3);
  trine_store_close(s4);
  free(m1);
  free(m2);
  free(d1);
  free(d2);
  trine_store_close(s2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_load_gzip_files, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_ntriples_into_named_graph, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_error_positions, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_max_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_progress_and_cancel, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_reader_and_stream, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_dump_graphs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_load_dump_load_same_set, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
