/*
 * first_row.c -- one run of a query on one build of libtrine.so: the time
 * to its first row, to its last, and the memory it took.
 *
 * usage: first_row LIB.so STORE QUERY.rq
 * prints: rows, first-row ms, all-rows ms, peak RSS KB, peak anonymous KB
 *
 * A run is what bench/query_bench.c times (prepare, step to the end
 * reading every term, free); the first row's time is taken at the step
 * that gives it. Peak RSS (getrusage) counts the store's pages the run
 * read through LMDB's map as well; peak anonymous memory (resident minus
 * file-backed, /proc/self/statm, sampled every 4096 rows and at the end)
 * is what the query itself holds: the rows it made, its tables and hash
 * sets. Peaks are per process, so one run is one process: first_row.sh
 * alternates the processes of two builds.
 *
 * build: ninja -C build bench/first_row (not built by default)
 */
#include <trine.h>

#include "bench.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

typedef struct {
  TrineStatus (*open)(const char *, const TrineOptions *, TrineStore **);
  TrineStatus (*prepare)(TrineStore *, const char *, size_t, const char *, TrineQuery **);
  TrineStatus (*step)(TrineQuery *);
  size_t (*columns)(const TrineQuery *);
  const TrineTerm *(*term)(TrineQuery *, size_t);
  void (*free)(TrineQuery *);
} Api;

static void *sym(void *h, const char *name) {
  void *p = dlsym(h, name);
  if (!p) {
    fprintf(stderr, "first_row: no %s\n", name);
    exit(2);
  }
  return p;
}

/* Resident memory not backed by a file (the map's pages are), in KB. */
static long anon_kb(void) {
  long size, res, shared;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  int n = fscanf(f, "%ld %ld %ld", &size, &res, &shared);
  fclose(f);
  return n == 3 ? (res - shared) * (sysconf(_SC_PAGESIZE) / 1024) : 0;
}

static volatile size_t sink; /* the terms are read, not optimised away */

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: first_row LIB.so STORE QUERY.rq\n");
    return 2;
  }
  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "first_row: %s\n", dlerror());
    return 2;
  }
  Api a;
  /* dlsym() returns void *; POSIX allows storing it as a function pointer. */
  *(void **)&a.open = sym(h, "trine_store_open");
  *(void **)&a.prepare = sym(h, "trine_query_prepare");
  *(void **)&a.step = sym(h, "trine_query_step");
  *(void **)&a.columns = sym(h, "trine_query_columns");
  *(void **)&a.term = sym(h, "trine_query_term");
  *(void **)&a.free = sym(h, "trine_query_free");
  TrineStore *store;
  TrineOptions o = {.flags = TRINE_OPEN_READONLY};
  if (a.open(argv[2], &o, &store)) {
    fprintf(stderr, "first_row: cannot open %s\n", argv[2]);
    return 2;
  }
  size_t len;
  char *text = read_file(argv[3], &len);
  if (!text || len == 0) {
    fprintf(stderr, "first_row: cannot read %s\n", argv[3]);
    return 2;
  }
  long peak_anon = anon_kb();
  double t0 = now_ms(), first = -1;
  TrineQuery *q;
  if (a.prepare(store, text, len, NULL, &q)) {
    fprintf(stderr, "first_row: the query does not prepare\n");
    return 2;
  }
  size_t nc = a.columns(q), rows = 0;
  TrineStatus st;
  while ((st = a.step(q)) == TRINE_ROW) {
    if (rows++ == 0) first = now_ms() - t0;
    for (size_t i = 0; i < nc; ++i) {
      const TrineTerm *t = a.term(q, i);
      if (t) sink += t->value_len;
    }
    if ((rows & 4095) == 0) {
      long k = anon_kb();
      if (k > peak_anon) peak_anon = k;
    }
  }
  long k = anon_kb();
  if (k > peak_anon) peak_anon = k;
  a.free(q);
  double all = now_ms() - t0;
  if (st != TRINE_DONE) {
    fprintf(stderr, "first_row: the query failed (status %d)\n", (int)st);
    return 1;
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%zu %.3f %.3f %ld %ld\n", rows, first < 0 ? all : first, all, ru.ru_maxrss, peak_anon);
  free(text);
  return 0;
}
