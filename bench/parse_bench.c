/*
 * parse_bench.c -- SPARQL parse + translate time for a large query.
 *
 * Generates a SELECT with N triple patterns (default 5,000, about 100 KB:
 * prefixed names, literals of several kinds, variables, ';' and ','
 * shorthands and a few FILTERs) and reports the median and best time of
 * sparql_parse() over R runs (default 21). Not built by meson; from the
 * repository root, against a release build's static library:
 *
 *   meson setup /tmp/build-rel --buildtype=release && ninja -C /tmp/build-rel
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -Iinclude -Igrammar bench/parse_bench.c \
 *       /tmp/build-rel/libtrine.a -llmdb -lz -lpthread -lm -o /tmp/parse_bench
 *   /tmp/parse_bench [N] [R]
 */
#include "sparql.h"

#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 5000;
  int runs = argc > 2 ? atoi(argv[2]) : 21;
  if (n < 1 || runs < 1) return 2;

  size_t cap = (size_t)n * 64 + 1024, len = 0;
  char *q = malloc(cap);
  len += (size_t)sprintf(q + len,
                         "PREFIX ex: <http://example.org/ns#>\n"
                         "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
                         "SELECT * WHERE {\n");
  for (long i = 0; i < n; i++) {
    switch (i % 5) {
    case 0: len += (size_t)sprintf(q + len, "?s%ld ex:p%ld ?o%ld .\n", i / 5, i % 97, i); break;
    case 1: len += (size_t)sprintf(q + len, "?s%ld ex:name \"n%ld\"@en .\n", i / 5, i); break;
    case 2: len += (size_t)sprintf(q + len, "?s%ld ex:age %ld ;", i / 5, i); break;
    case 3: len += (size_t)sprintf(q + len, " ex:v \"x\" .\n"); break;
    case 4: len += (size_t)sprintf(q + len, "?s%ld a ex:C%ld . FILTER(?o%ld > %ld)\n",
                                   i / 5, i % 13, i - 4, i); break;
    }
  }
  len += (size_t)sprintf(q + len, "}\n");

  double *t = malloc((size_t)runs * sizeof *t);
  size_t triples = 0;
  for (int r = 0; r < runs; r++) {
    SparqlRequest *req = NULL;
    TrineError err;
    double t0 = now_ms();
    TrineStatus st = sparql_parse("bench", q, len, NULL, &req, &err);
    t[r] = now_ms() - t0;
    if (st != TRINE_OK) {
      fprintf(stderr, "bench:%u:%u: %s\n", err.line, err.col, err.message);
      return 1;
    }
    const SparqlOp *op = req->pattern;
    while (op && op->kind != SPARQL_OP_BGP) op = op->a;
    triples = op ? op->ntriples : 0;
    sparql_request_free(req);
  }
  qsort(t, (size_t)runs, sizeof *t, cmp_double);
  printf("query: %zu bytes, %zu triple patterns in one BGP\n", len, triples);
  printf("parse+translate: median %.3f ms, best %.3f ms over %d runs\n",
         t[runs / 2], t[0], runs);
  free(t);
  free(q);
  return 0;
}
