/*
 * fuzz_sparql.c -- libFuzzer target for the SPARQL parser and translator.
 *
 * Each input is parsed as a request with and without a base IRI. A parse
 * either succeeds, and then its algebra must print, or fails with a
 * positioned message. Printing twice must give the same text (the printer
 * is deterministic). Anything else, a crash, a leak or a sanitizer report
 * is a finding.
 */
#include "sparql.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *print(const SparqlRequest *r, size_t *len) {
  char *text = NULL;
  FILE *f = open_memstream(&text, len);
  if (!f || sparql_algebra_print(r, f) != 0) abort();
  fclose(f);
  return text;
}

static void one(const char *data, size_t size, const char *base) {
  SparqlRequest *r = NULL;
  TrineError err;
  TrineStatus st = sparql_parse("fuzz", data, size, base, &r, &err);
  if (st != TRINE_OK) {
    if (r || st != TRINE_ERR_SYNTAX || !err.message || !err.message[0] ||
        !err.line || !err.col)
      abort();
    char buf[512];
    trine_error_format(&err, buf, sizeof buf);
    return;
  }
  size_t n1, n2;
  char *a = print(r, &n1), *b = print(r, &n2);
  if (n1 != n2 || memcmp(a, b, n1)) abort();
  free(a);
  free(b);
  sparql_request_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  one((const char *)data, size, NULL);
  one((const char *)data, size, "http://example.org/base/q.rq");
  return 0;
}
