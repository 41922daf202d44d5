/*
 * bench.h -- what every benchmark program needs: a clock, a comparison
 * for sorting times (medians), and reading a query file whole.
 */
#ifndef TRINE_BENCH_H
#define TRINE_BENCH_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/// CPU time of this process (user and system), in ms: what a query costs
/// when other processes take turns on the cores.
static inline double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/// For qsort() of doubles, ascending.
static inline int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/// The whole file, malloc()ed (the caller frees it), length in *len; NULL
/// if it cannot be opened or read.
static inline char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    char *nb = realloc(buf, cap *= 2);
    if (!nb) { free(buf); buf = NULL; }
    else buf = nb;
  }
  if (buf && ferror(f)) { free(buf); buf = NULL; }
  fclose(f);
  if (buf) *len = n;
  return buf;
}

#endif
