/*
 * rdf_suite.c -- the W3C N-Triples, N-Quads, Turtle and TriG suites, run
 * through the store.
 *
 * usage: rdf_suite SUITE-DIR
 * For every test in SUITE-DIR/tests.tsv, in a fresh store (the positive
 * Turtle and TriG tests: in write transactions of two scratch stores,
 * aborted afterwards):
 *  - negative, negative-syntax: the load must fail with a syntax error at a
 *    position (line > 0) and leave the store empty (a load is all or
 *    nothing);
 *  - positive (N-Triples, N-Quads): the load must succeed, store exactly
 *    the statements of the derived file (derived.tsv: compared after
 *    loading that file too, blank nodes up to renaming, plus the distinct
 *    count), and survive load -> dump -> load unchanged;
 *  - positive-syntax (Turtle, TriG): the load must succeed and survive
 *    load -> dump -> load;
 *  - eval (Turtle, TriG): parsed against the test's base IRI, the stored
 *    statements must equal the result file's as datasets, blank nodes up
 *    to renaming (rdf_iso.c).
 *  - positive-syntax and eval, then: the store dumped as TriG (and, in the
 *    Turtle suite, as Turtle) and that dump loaded into another store must
 *    give the same quads, blank nodes up to renaming: the writer's round
 *    trip on every shape the suites hold.
 * Tests listed in rdf-known-failures.tsv (beside the suite directories, as
 * SUITE/NAME<TAB>REASON) must fail; one that passes fails the run, so the
 * list stays exact. Prints one line per failure and "N passed, M failed".
 */
#include "rdf_iso.h"
#include "trine.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/trine-rdf-XXXXXX";
static int store_no;
static bool turtle_suite; /* the suite is Turtle: round trips through Turtle too */
static int round_trips;   /* dumps written and loaded back */
static TrineStore *scratch[2]; /* Turtle and TriG tests: see load_in() */

static void quiet(void *ctx, const TrineError *e) { (void)ctx; (void)e; }

/* Keeps the first error of a load. */
typedef struct {
  unsigned line, col;
  char text[512];
} FirstError;

static void keep_first(void *ctx, const TrineError *e) {
  FirstError *f = ctx;
  if (f->text[0]) return;
  f->line = e->line;
  f->col = e->col;
  trine_error_format(e, f->text, sizeof f->text);
}

static TrineStore *fresh_store(void) {
  char path[256];
  snprintf(path, sizeof path, "%s/s%d", tmpdir, store_no++);
  TrineOptions o = {.sink = quiet};
  TrineStore *s = NULL;
  if (trine_store_open(path, &o, &s)) fprintf(stderr, "cannot open %s\n", path);
  return s;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The dump of s as sorted lines with blank labels replaced by "_:_". */
static char *normal_dump(TrineStore *s, size_t *nlines) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  trine_store_dump(s, f, TRINE_FORMAT_NQUADS, NULL);
  fclose(f);
  size_t n = 0;
  for (size_t i = 0; i < len; ++i) n += buf[i] == '\n';
  char **lines = malloc((n + 1) * sizeof *lines);
  size_t k = 0;
  for (char *p = buf, *nl; (nl = strchr(p, '\n')); p = nl + 1) {
    *nl = '\0';
    char *out = malloc(strlen(p) + 1), *o = out;
    /* Blank labels only occur outside literals and IRIs in our output. */
    bool in_lit = false, in_iri = false;
    for (char *c = p; *c; ++c) {
      if (in_lit) {
        *o++ = *c;
        if (*c == '\\' && c[1]) *o++ = *++c;
        else if (*c == '"') in_lit = false;
      } else if (in_iri) {
        *o++ = *c;
        if (*c == '>') in_iri = false;
      } else if (*c == '"') { in_lit = true; *o++ = *c; }
      else if (*c == '<') { in_iri = true; *o++ = *c; }
      else if (c[0] == '_' && c[1] == ':') {
        *o++ = '_'; *o++ = ':'; *o++ = '_';
        c += 2;
        while (c[1] && c[1] != ' ') ++c;
      } else {
        *o++ = *c;
      }
    }
    *o = '\0';
    lines[k++] = out;
  }
  qsort(lines, k, sizeof *lines, cmp_str);
  size_t total = 0;
  for (size_t i = 0; i < k; ++i) total += strlen(lines[i]) + 1;
  char *joined = malloc(total + 1), *j = joined;
  for (size_t i = 0; i < k; ++i) {
    j = stpcpy(j, lines[i]);
    *j++ = '\n';
    free(lines[i]);
  }
  *j = '\0';
  free(lines);
  free(buf);
  *nlines = k;
  return joined;
}

static long distinct_expected(const char *dir, const char *name, char *derived, size_t cap) {
  char path[1024], line[4096];
  snprintf(path, sizeof path, "%s/derived.tsv", dir);
  FILE *f = fopen(path, "r");
  long count = -1;
  while (f && fgets(line, sizeof line, f)) {
    char *tab1 = strchr(line, '\t'), *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
    if (!tab2 || line[0] == '#') continue;
    *tab1 = *tab2 = '\0';
    if (strcmp(line, name) == 0) {
      snprintf(derived, cap, "%s/%s", dir, tab1 + 1);
      count = atol(tab2 + 1);
    }
  }
  if (f) fclose(f);
  return count;
}

static const char *check_positive(const char *dir, const char *name, const char *file) {
  static char why[512];
  TrineStore *a = fresh_store(), *b = fresh_store(), *c = fresh_store();
  const char *fail = NULL;
  char derived[1024];
  long expect = distinct_expected(dir, name, derived, sizeof derived);
  size_t na = 0, nb = 0, nc = 0;
  char *da = NULL, *db = NULL, *dc = NULL, *raw = NULL;
  size_t rawlen = 0;
  TrineStats st;
  if (trine_store_load_file(a, file, NULL, NULL)) {
    snprintf(why, sizeof why, "rejected: %s", trine_store_errmsg(a));
    fail = why;
    goto done;
  }
  da = normal_dump(a, &na);
  trine_store_stats(a, NULL, &st);
  if (expect >= 0 && (long)st.quads != expect) {
    snprintf(why, sizeof why, "stored %llu statements, expected %ld",
             (unsigned long long)st.quads, expect);
    fail = why;
    goto done;
  }
  TrineLoadOptions nq = {.format = TRINE_FORMAT_NQUADS};
  if (expect >= 0) {
    if (trine_store_load_file(b, derived, &nq, NULL)) {
      fail = "derived file rejected";
      goto done;
    }
    db = normal_dump(b, &nb);
    if (strcmp(da, db)) {
      fail = "stored statements differ from the derived file";
      goto done;
    }
  }
  FILE *f = open_memstream(&raw, &rawlen);
  trine_store_dump(a, f, TRINE_FORMAT_NQUADS, NULL);
  fclose(f);
  if (trine_store_load_buffer(c, "dump", raw, rawlen, &nq, NULL)) {
    snprintf(why, sizeof why, "dump does not load again: %s", trine_store_errmsg(c));
    fail = why;
    goto done;
  }
  dc = normal_dump(c, &nc);
  if (strcmp(da, dc) || na != nc) fail = "load -> dump -> load changed the statements";
done:
  free(da); free(db); free(dc); free(raw);
  trine_store_close(a); trine_store_close(b); trine_store_close(c);
  return fail;
}

static const char *check_negative(const char *file) {
  static char why[700];
  TrineStore *s = fresh_store();
  FirstError e = {0};
  TrineLoadOptions o = {.sink = keep_first, .sink_ctx = &e};
  TrineStatus rc = trine_store_load_file(s, file, &o, NULL);
  TrineStats st;
  trine_store_stats(s, NULL, &st);
  trine_store_close(s);
  if (rc == TRINE_OK) return "accepted";
  if (rc != TRINE_ERR_SYNTAX) return "failed, but not with a syntax error";
  if (st.quads || st.terms) return "store changed by a failed load";
  if (!e.line || !e.col) {
    snprintf(why, sizeof why, "error without a position: %s", e.text);
    return why;
  }
  return NULL;
}

/* Collects a dump in memory. */
typedef struct {
  char *text;
  size_t len;
} Text;

static int collect(void *ctx, const void *data, size_t len) {
  Text *t = ctx;
  char *p = realloc(t->text, t->len + len + 1);
  if (!p) return 1;
  memcpy(p + t->len, data, len);
  t->len += len;
  p[t->len] = '\0';
  t->text = p;
  return 0;
}

/* The N-Quads of what transaction t sees (malloc'd). */
static char *txn_dump(TrineTxn *t) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  trine_txn_dump(t, f, TRINE_FORMAT_NQUADS, NULL);
  fclose(f);
  return buf;
}

/*
 * Turtle and TriG tests load into write transactions of two scratch
 * stores that are then aborted: no store to create and no commit to sync
 * per test. Load text (a file when len is SIZE_MAX) as fmt into a new
 * transaction of scratch[i]: the transaction, or NULL with why set.
 */
static TrineTxn *load_in(int i, const char *text, size_t len, TrineFormat fmt, const char *base,
                         char *why, size_t cap) {
  TrineTxn *t;
  if (trine_txn_begin(scratch[i], true, &t)) {
    snprintf(why, cap, "cannot begin a transaction: %s", trine_store_errmsg(scratch[i]));
    return NULL;
  }
  FirstError e = {0};
  TrineLoadOptions o = {.format = fmt, .base_iri = base, .sink = keep_first, .sink_ctx = &e,
                        .txn = t};
  TrineStatus st = len == SIZE_MAX ? trine_store_load_file(scratch[i], text, &o, NULL)
                                   : trine_store_load_buffer(scratch[i], "dump", text, len, &o, NULL);
  if (!st) return t;
  snprintf(why, cap, "rejected: %s", e.text[0] ? e.text : trine_store_errmsg(scratch[i]));
  trine_txn_abort(t);
  return NULL;
}

/* What txn a (whose N-Quads are nq) holds, dumped as fmt and loaded into
 * a transaction of the second scratch store: the same quads? */
static const char *rewrite_as(TrineTxn *a, const char *nq, TrineFormat fmt) {
  static char why[900];
  const char *name = fmt == TRINE_FORMAT_TRIG ? "TriG" : "Turtle";
  Text t = {0};
  TrineDumpOptions o = {.format = fmt, .txn = a};
  if (trine_store_dump_to(scratch[0], collect, &t, &o)) {
    snprintf(why, sizeof why, "cannot dump as %s: %s", name, trine_store_errmsg(scratch[0]));
    free(t.text);
    return why;
  }
  round_trips++;
  char err[600];
  TrineTxn *b = load_in(1, t.text ? t.text : "", t.len, fmt, NULL, err, sizeof err);
  const char *fail = NULL;
  if (!b) {
    snprintf(why, sizeof why, "its %s dump does not load: %s\n%s", name, err, t.text);
    fail = why;
  } else {
    char *back = txn_dump(b), diff[600];
    if (!rdf_isomorphic(nq, back ? back : "", diff, sizeof diff)) {
      snprintf(why, sizeof why, "its %s dump loads as other quads: %s", name, diff);
      fail = why;
    }
    free(back);
    trine_txn_abort(b);
  }
  free(t.text);
  return fail;
}

/* Dump what txn a holds as TriG (and Turtle) and load it back. */
static const char *check_rewrite(TrineTxn *a, const char *nq) {
  const char *fail = rewrite_as(a, nq, TRINE_FORMAT_TRIG);
  if (!fail && turtle_suite) fail = rewrite_as(a, nq, TRINE_FORMAT_TURTLE);
  return fail;
}

/* The statements of file (loaded against base) compared with those of
 * the N-Quads text or file `other` (a file when len is SIZE_MAX), then
 * the round trips of check_rewrite(). what names `other` in messages. */
static const char *check_against(const char *file, const char *base, const char *other,
                                 size_t len, const char *what) {
  static char why[900];
  TrineTxn *a = load_in(0, file, SIZE_MAX, TRINE_FORMAT_GUESS, base, why, sizeof why);
  if (!a) return why;
  char *got = txn_dump(a);
  const char *fail = NULL;
  if (!other) other = got, len = strlen(got ? got : "");
  char err[600];
  TrineTxn *b = load_in(1, other, len, TRINE_FORMAT_NQUADS, NULL, err, sizeof err);
  if (!b) {
    snprintf(why, sizeof why, "%s rejected: %s", what, err);
    fail = why;
  } else {
    char *want = txn_dump(b), diff[600];
    if (!rdf_isomorphic(got ? got : "", want ? want : "", diff, sizeof diff)) {
      snprintf(why, sizeof why, "%s: %s", what, diff);
      fail = why;
    }
    free(want);
    trine_txn_abort(b);
  }
  if (!fail) fail = check_rewrite(a, got ? got : "");
  free(got);
  trine_txn_abort(a);
  return fail;
}

/* Positive syntax: loads, and survives load -> dump -> load. */
static const char *check_positive_syntax(const char *file, const char *base) {
  return check_against(file, base, NULL, 0, "load -> dump -> load changed the statements");
}

/* Evaluation: the statements equal the result file's. */
static const char *check_eval(const char *dir, const char *file, const char *result,
                              const char *base) {
  char path[2048];
  snprintf(path, sizeof path, "%s/%s", dir, result);
  return check_against(file, base, path, SIZE_MAX, "result file");
}

/* ---- known failures: SUITE/NAME<TAB>REASON lines ---- */

typedef struct {
  char **names, **reasons;
  size_t n;
} Known;

static void known_read(Known *k, const char *suite_dir) {
  char path[1024], line[4096];
  snprintf(path, sizeof path, "%s/../rdf-known-failures.tsv", suite_dir);
  *k = (Known){0};
  FILE *f = fopen(path, "r");
  while (f && fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    char *tab = strchr(line, '\t');
    if (line[0] == '#' || !tab) continue;
    *tab = '\0';
    k->names = realloc(k->names, (k->n + 1) * sizeof *k->names);
    k->reasons = realloc(k->reasons, (k->n + 1) * sizeof *k->reasons);
    k->names[k->n] = strdup(line);
    k->reasons[k->n++] = strdup(tab + 1);
  }
  if (f) fclose(f);
}

static const char *known_reason(const Known *k, const char *suite, const char *name) {
  char full[1024];
  snprintf(full, sizeof full, "%s/%s", suite, name);
  for (size_t i = 0; i < k->n; ++i)
    if (strcmp(k->names[i], full) == 0) return k->reasons[i];
  return NULL;
}

static void known_free(Known *k) {
  for (size_t i = 0; i < k->n; ++i) {
    free(k->names[i]);
    free(k->reasons[i]);
  }
  free(k->names);
  free(k->reasons);
}

static const char *run_test(const char *dir, char **col, int ncol) {
  char full[2048];
  snprintf(full, sizeof full, "%s/%s", dir, col[1]);
  const char *kind = col[2];
  if (strcmp(kind, "positive") == 0) return check_positive(dir, col[0], full);
  if (strcmp(kind, "negative") == 0 || strcmp(kind, "negative-syntax") == 0)
    return check_negative(full);
  const char *base = ncol > 4 && col[4][0] ? col[4] : NULL;
  if (strcmp(kind, "positive-syntax") == 0) return check_positive_syntax(full, base);
  if (strcmp(kind, "eval") == 0 && ncol > 3) return check_eval(dir, full, col[3], base);
  return "unknown kind of test";
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: rdf_suite SUITE-DIR\n");
    return 2;
  }
  if (!mkdtemp(tmpdir)) return 2;
  char path[1024], line[4096];
  snprintf(path, sizeof path, "%s/tests.tsv", argv[1]);
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    return 2;
  }
  const char *suite = strrchr(argv[1], '/') ? strrchr(argv[1], '/') + 1 : argv[1];
  turtle_suite = strcmp(suite, "turtle") == 0;
  scratch[0] = fresh_store();
  scratch[1] = fresh_store();
  if (!scratch[0] || !scratch[1]) return 2;
  Known known;
  known_read(&known, argv[1]);
  int passed = 0, failed = 0, expected = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    line[strcspn(line, "\r\n")] = '\0';
    char *col[6] = {0};
    int ncol = 0;
    for (char *p = line; p && ncol < 6; ++ncol) {
      col[ncol] = p;
      if ((p = strchr(p, '\t'))) *p++ = '\0';
    }
    if (ncol < 3) continue;
    const char *why = run_test(argv[1], col, ncol);
    const char *reason = known_reason(&known, suite, col[0]);
    if (reason && why) {
      printf("expected failure %s (%s): %s [%s]\n", col[0], col[2], why, reason);
      expected++;
    } else if (reason) {
      printf("FAIL %s (%s): passes, but rdf-known-failures.tsv lists it\n", col[0], col[2]);
      failed++;
    } else if (why) {
      printf("FAIL %s (%s): %s\n", col[0], col[2], why);
      failed++;
    } else {
      passed++;
    }
  }
  known_free(&known);
  fclose(f);
  trine_store_close(scratch[0]);
  trine_store_close(scratch[1]);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
  if (expected) printf("%d expected failures (rdf-known-failures.tsv)\n", expected);
  if (round_trips) printf("%d dumps as TriG or Turtle loaded back\n", round_trips);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
