/*
 * query_bench.c -- time SPARQL queries on a trine store through the public
 * API only (prepare, step, term, free), for bench/lubm.sh.
 *
 * usage: query_bench [-c] [-p] [-t TIMEOUT_S] STORE RUNS QUERY.rq...
 *        query_bench [-c] [-p] [-t TIMEOUT_S] STORE RUNS -
 *
 * For each query file: one warm-up run, then RUNS timed runs. A run is
 * trine_query_prepare + trine_query_step to TRINE_DONE + trine_query_free,
 * timed with CLOCK_MONOTONIC; each row's terms are read with
 * trine_query_term (as the other engines hand back every term), unless -c
 * (count rows only); -p times the process's CPU time instead (user and
 * system: on a machine whose cores other processes share, wall time
 * counts their turns). Nothing is printed while a query is being timed.
 * Prints, per query, after its runs:
 *   name<TAB>rows<TAB>median_ms<TAB>min_ms<TAB>max_ms
 * name is the file name without directory and ".rq". A query that fails
 * prints rows "error" and its message on stderr; the exit status is then 1.
 * -t limits every run (timeout_ms of trine_query_prepare; default 600 s).
 * With "-" for the queries, the paths are read from standard input, one a
 * line, and each is answered as soon as it is read: a driver (the Oxigraph
 * bench's interleaved mode) then runs each query in this one warm process,
 * seconds before the other engine runs it.
 *
 * build: meson setup build && ninja -C build bench/query_bench
 *   (bench/meson.build: not built by default nor by the tests)
 */
#include <trine.h>

#include "bench.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* One run: prepare, step through every row, free. Returns the status of the
 * first failing call or TRINE_OK, with the row count in *rows. */
static TrineStatus run_once(TrineStore *store, const char *text, size_t len,
                            const TrineQueryOptions *opts, int read_terms,
                            unsigned long long *rows, size_t *sink) {
  TrineQuery *q = NULL;
  TrineStatus st = trine_query_prepare(store, text, len, opts, &q);
  if (st != TRINE_OK) return st;
  size_t ncols = trine_query_columns(q);
  unsigned long long n = 0;
  while ((st = trine_query_step(q)) == TRINE_ROW) {
    n++;
    if (read_terms)
      for (size_t i = 0; i < ncols; i++) {
        const TrineTerm *t = trine_query_term(q, i);
        if (t) *sink += t->value_len;
      }
  }
  trine_query_free(q);
  *rows = n;
  return st == TRINE_DONE ? TRINE_OK : st;
}

static const char *query_name(const char *path, char *buf, size_t size) {
  const char *base = strrchr(path, '/');
  base = base ? base + 1 : path;
  size_t n = strlen(base);
  if (n > 3 && strcmp(base + n - 3, ".rq") == 0) n -= 3;
  if (n >= size) n = size - 1;
  memcpy(buf, base, n);
  buf[n] = '\0';
  return buf;
}

/* Time one query file: a warm-up, then runs; prints its line. 0: done, 1: failed. */
static int bench_file(TrineStore *store, const char *path, int runs, double *ms,
                      double (*clock)(void), unsigned timeout_s, int read_terms,
                      size_t *sink) {
  char name[256];
  query_name(path, name, sizeof name);
  size_t len = 0;
  char *text = read_file(path, &len);
  if (!text) {
    fprintf(stderr, "query_bench: %s: %s\n", path, strerror(errno));
    printf("%s\terror\t-\t-\t-\n", name);
    fflush(stdout);
    return 1;
  }
  TrineQueryOptions qo = {.name = path, .timeout_ms = timeout_s * 1000u};
  unsigned long long rows = 0, r = 0;
  TrineStatus st = run_once(store, text, len, &qo, read_terms, &rows, sink); /* warm-up */
  for (int i = 0; st == TRINE_OK && i < runs; i++) {
    double t0 = clock();
    st = run_once(store, text, len, &qo, read_terms, &r, sink);
    ms[i] = clock() - t0;
    if (st == TRINE_OK && r != rows) {
      fprintf(stderr, "query_bench: %s: %llu rows, then %llu\n", name, rows, r);
      st = TRINE_ERR_INTERNAL;
    }
  }
  free(text);
  if (st != TRINE_OK) {
    const char *msg = trine_store_errmsg(store);
    fprintf(stderr, "query_bench: %s: %s%s%s\n", path, trine_strerror(st),
            msg && *msg ? ": " : "", msg ? msg : "");
    printf("%s\terror\t-\t-\t-\n", name);
    fflush(stdout);
    return 1;
  }
  qsort(ms, (size_t)runs, sizeof *ms, cmp_double);
  double med = runs % 2 ? ms[runs / 2] : (ms[runs / 2 - 1] + ms[runs / 2]) / 2;
  printf("%s\t%llu\t%.3f\t%.3f\t%.3f\n", name, rows, med, ms[0], ms[runs - 1]);
  fflush(stdout);
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: query_bench [-c] [-p] [-t TIMEOUT_S] STORE RUNS QUERY.rq...|-\n");
  exit(2);
}

int main(int argc, char **argv) {
  int read_terms = 1;
  double (*clock)(void) = now_ms;
  unsigned timeout_s = 600;
  int a = 1;
  for (; a < argc && argv[a][0] == '-'; a++) {
    if (strcmp(argv[a], "-c") == 0) read_terms = 0;
    else if (strcmp(argv[a], "-p") == 0) clock = cpu_ms;
    else if (strcmp(argv[a], "-t") == 0 && a + 1 < argc) timeout_s = (unsigned)atoi(argv[++a]);
    else usage();
  }
  if (argc - a < 3) usage();
  const char *path = argv[a];
  int runs = atoi(argv[a + 1]);
  if (runs < 1) usage();

  TrineOptions oo = {.flags = TRINE_OPEN_READONLY};
  TrineStore *store = NULL;
  TrineStatus st = trine_store_open(path, &oo, &store);
  if (st != TRINE_OK) {
    fprintf(stderr, "query_bench: %s: %s\n", path, trine_open_errmsg());
    return 1;
  }
  double *ms = calloc((size_t)runs, sizeof *ms);
  if (!ms) { perror("query_bench"); return 1; }

  int failed = 0;
  size_t sink = 0;
  if (argc - a == 3 && strcmp(argv[a + 2], "-") == 0) {
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
      line[strcspn(line, "\r\n")] = '\0';
      if (*line) failed |= bench_file(store, line, runs, ms, clock, timeout_s, read_terms, &sink);
    }
  } else {
    for (int f = a + 2; f < argc; f++)
      failed |= bench_file(store, argv[f], runs, ms, clock, timeout_s, read_terms, &sink);
  }
  free(ms);
  trine_store_close(store);
  if (sink == (size_t)-1) puts(""); /* keep the term reads observable */
  return failed;
}
