/*
 * run_syntax_suite.c -- run a W3C SPARQL syntax suite (tests.tsv).
 *
 * Usage: run_syntax_suite TESTS.TSV [EXCEPTIONS.TSV]
 *
 * tests.tsv columns: name, file (relative to the tsv), kind
 * (positive|negative), suite, approved, query IRI (the base IRI), ...
 * Every positive request must parse (and its algebra must print); every
 * negative one must be rejected. Tests named in EXCEPTIONS.TSV (name TAB
 * reason) are skipped. Prints one line per failure, then "N passed, M failed".
 */
#include "sparql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  size_t k;
  while (buf && (k = fread(buf + n, 1, cap - n, f)) > 0) {
    n += k;
    if (n == cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) free(buf);
      buf = nb;
    }
  }
  fclose(f);
  *len = n;
  return buf;
}

/* Split line at tabs into at most max fields (in place). */
static int fields(char *line, char **f, int max) {
  int n = 0;
  line[strcspn(line, "\r\n")] = 0;
  f[n++] = line;
  for (char *c = line; *c && n < max; c++)
    if (*c == '\t') {
      *c = 0;
      f[n++] = c + 1;
    }
  return n;
}

static bool excepted(const char *path, const char *name) {
  if (!path) return false;
  FILE *f = fopen(path, "r");
  if (!f) return false;
  char line[1024];
  bool found = false;
  while (!found && fgets(line, sizeof line, f)) {
    char *fl[2];
    if (line[0] == '#') continue;
    if (fields(line, fl, 2) >= 1 && !strcmp(fl[0], name)) found = true;
  }
  fclose(f);
  return found;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s TESTS.TSV [EXCEPTIONS.TSV]\n", argv[0]);
    return 2;
  }
  FILE *tsv = fopen(argv[1], "r");
  if (!tsv) {
    perror(argv[1]);
    return 2;
  }
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", argv[1]);
  char *slash = strrchr(dir, '/');
  if (slash) slash[1] = 0;
  else strcpy(dir, "./");

  FILE *sink = fopen("/dev/null", "w");
  unsigned passed = 0, failed = 0, skipped = 0;
  char line[8192];
  while (fgets(line, sizeof line, tsv)) {
    if (line[0] == '#' || line[0] == '\n') continue;
    char *f[7];
    if (fields(line, f, 7) < 6) continue;
    const char *name = f[0], *file = f[1], *kind = f[2], *base = f[5];
    if (excepted(argc > 2 ? argv[2] : NULL, name)) {
      skipped++;
      continue;
    }
    char path[8192];
    snprintf(path, sizeof path, "%s%s", dir, file);
    size_t len = 0;
    char *text = slurp(path, &len);
    if (!text) {
      printf("FAIL %s: cannot read %s\n", name, path);
      failed++;
      continue;
    }
    SparqlRequest *r = NULL;
    TrineError err;
    TrineStatus st = sparql_parse(file, text, len, base, &r, &err);
    bool positive = !strcmp(kind, "positive");
    if (positive && st != TRINE_OK) {
      char msg[512];
      trine_error_format(&err, msg, sizeof msg);
      printf("FAIL %s: should parse: %s\n", name, msg);
      failed++;
    } else if (!positive && st == TRINE_OK) {
      printf("FAIL %s: should be rejected\n", name);
      failed++;
    } else {
      if (r && sink) sparql_algebra_print(r, sink);
      passed++;
    }
    sparql_request_free(r);
    free(text);
  }
  fclose(tsv);
  if (sink) fclose(sink);
  if (skipped) printf("%u skipped (see exceptions)\n", skipped);
  printf("%u passed, %u failed\n", passed, failed);
  return failed ? 1 : 0;
}
