/*
 * query_ab.c -- compare two builds of libtrine on one query, run by run,
 * in one process.
 *
 * usage: query_ab A.so STORE_A B.so STORE_B QUERY.rq [RUNS]
 *
 * Each build is dlopen()ed on its own (RTLD_LOCAL | RTLD_DEEPBIND: its
 * calls stay inside it) and opens its own store read-only. Two builds
 * of one format may share a directory: LMDB warns against opening an
 * environment twice in a process because closing one copy drops the
 * other's locks, and neither is closed before exit. After five warm-up runs
 * each, the two alternate RUNS times (default 400), the order swapped
 * every other time. A run is what bench/query_bench.c times: prepare,
 * step to the end reading every term, free.
 *
 * Why: this VM's speed drifts in phases of seconds to minutes by up to
 * two times, more than most changes are worth. Runs a millisecond apart
 * see the same phase, so the median of the paired ratios B/A measures
 * the change; separate processes, minutes apart, measure the phases.
 *
 * build: ninja -C build bench/query_ab (not built by default); to get a
 *   baseline .so, build the other commit in a second build directory.
 */
#include <trine.h>

#include "bench.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
  TrineStatus (*open)(const char *, const TrineOptions *, TrineStore **);
  TrineStatus (*prepare)(TrineStore *, const char *, size_t, const char *, TrineQuery **);
  TrineStatus (*step)(TrineQuery *);
  size_t (*columns)(const TrineQuery *);
  const TrineTerm *(*term)(TrineQuery *, size_t);
  void (*free)(TrineQuery *);
  TrineStore *store;
} Build;

static void *sym(void *h, const char *name, const char *so) {
  void *p = dlsym(h, name);
  if (!p) {
    fprintf(stderr, "query_ab: %s: no %s\n", so, name);
    exit(2);
  }
  return p;
}

static void open_build(Build *b, const char *so, const char *store) {
  void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
  if (!h) {
    fprintf(stderr, "query_ab: %s\n", dlerror());
    exit(2);
  }
  /* dlsym() returns void *; POSIX allows storing it as a function pointer. */
  *(void **)&b->open = sym(h, "trine_store_open", so);
  *(void **)&b->prepare = sym(h, "trine_query_prepare", so);
  *(void **)&b->step = sym(h, "trine_query_step", so);
  *(void **)&b->columns = sym(h, "trine_query_columns", so);
  *(void **)&b->term = sym(h, "trine_query_term", so);
  *(void **)&b->free = sym(h, "trine_query_free", so);
  TrineOptions o = {.flags = TRINE_OPEN_READONLY};
  if (b->open(store, &o, &b->store)) {
    fprintf(stderr, "query_ab: %s: cannot open %s\n", so, store);
    exit(2);
  }
}

static volatile size_t sink; /* the terms are read, not optimised away */

/* One run: prepare, every row and term, free; its time in ms. */
static double run(Build *b, const char *text, size_t len, size_t *rows) {
  double t0 = now_ms();
  TrineQuery *q;
  if (b->prepare(b->store, text, len, NULL, &q)) {
    fprintf(stderr, "query_ab: the query does not prepare\n");
    exit(2);
  }
  size_t nc = b->columns(q);
  *rows = 0;
  TrineStatus st;
  while ((st = b->step(q)) == TRINE_ROW) {
    ++*rows;
    for (size_t i = 0; i < nc; ++i) {
      const TrineTerm *t = b->term(q, i);
      if (t) sink += t->value_len;
    }
  }
  double t = now_ms() - t0;
  b->free(q);
  if (st != TRINE_DONE) {
    fprintf(stderr, "query_ab: the query failed (status %d)\n", (int)st);
    exit(2);
  }
  return t;
}

int main(int argc, char **argv) {
  if (argc < 6 || argc > 7) {
    fprintf(stderr, "usage: query_ab A.so STORE_A B.so STORE_B QUERY.rq [RUNS]\n");
    return 2;
  }
  Build a, b;
  open_build(&a, argv[1], argv[2]);
  open_build(&b, argv[3], argv[4]);
  size_t len;
  char *text = read_file(argv[5], &len);
  if (!text || len == 0) {
    fprintf(stderr, "query_ab: cannot read %s\n", argv[5]);
    return 2;
  }
  int n = argc == 7 ? atoi(argv[6]) : 400;
  if (n < 4) n = 4;
  double *ta = malloc(n * sizeof *ta), *tb = malloc(n * sizeof *tb), *r = malloc(n * sizeof *r);
  if (!ta || !tb || !r) return 2;
  size_t rows_a, rows_b;
  for (int i = 0; i < 5; ++i) {
    run(&a, text, len, &rows_a);
    run(&b, text, len, &rows_b);
  }
  if (rows_a != rows_b) {
    fprintf(stderr, "query_ab: A gives %zu rows, B %zu\n", rows_a, rows_b);
    return 1;
  }
  for (int i = 0; i < n; ++i) {
    if (i & 1) {
      tb[i] = run(&b, text, len, &rows_b);
      ta[i] = run(&a, text, len, &rows_a);
    } else {
      ta[i] = run(&a, text, len, &rows_a);
      tb[i] = run(&b, text, len, &rows_b);
    }
    r[i] = tb[i] / ta[i];
  }
  qsort(ta, n, sizeof *ta, cmp_double);
  qsort(tb, n, sizeof *tb, cmp_double);
  qsort(r, n, sizeof *r, cmp_double);
  printf("%zu rows, %d pairs\n", rows_a, n);
  printf("A ms: median %.3f  p10 %.3f  p90 %.3f\n", ta[n / 2], ta[n / 10], ta[n * 9 / 10]);
  printf("B ms: median %.3f  p10 %.3f  p90 %.3f\n", tb[n / 2], tb[n / 10], tb[n * 9 / 10]);
  printf("B/A:  median %.3f  p25 %.3f  p75 %.3f\n", r[n / 2], r[n / 4], r[n * 3 / 4]);
  free(ta);
  free(tb);
  free(r);
  free(text);
  return 0;
}
