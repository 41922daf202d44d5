/*
 * rdf_suite.c -- the W3C N-Triples / N-Quads suites, run through the store.
 *
 * usage: rdf_suite SUITE-DIR
 * For every test in SUITE-DIR/tests.tsv, in a fresh store:
 *  - negative: the load must fail with a syntax error and leave the store
 *    empty (a load is all or nothing);
 *  - positive: the load must succeed, store exactly the statements of the
 *    derived file (derived.tsv: compared after loading that file too, blank
 *    nodes up to renaming, plus the distinct count), and survive
 *    load -> dump -> load unchanged.
 * Prints one line per failure and "N passed, M failed".
 */
#include "trine.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/trine-rdf-XXXXXX";
static int store_no;

static void quiet(void *ctx, const TrineError *e) { (void)ctx; (void)e; }

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
  TrineStore *s = fresh_store();
  TrineStatus rc = trine_store_load_file(s, file, NULL, NULL);
  TrineStats st;
  trine_store_stats(s, NULL, &st);
  trine_store_close(s);
  if (rc == TRINE_OK) return "accepted";
  if (rc != TRINE_ERR_SYNTAX) return "failed, but not with a syntax error";
  if (st.quads || st.terms) return "store changed by a failed load";
  return NULL;
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
  int passed = 0, failed = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    line[strcspn(line, "\r\n")] = '\0';
    char *name = strtok(line, "\t"), *file = strtok(NULL, "\t"), *kind = strtok(NULL, "\t");
    if (!kind) continue;
    char full[2048];
    snprintf(full, sizeof full, "%s/%s", argv[1], file);
    const char *why = strcmp(kind, "positive") == 0 ? check_positive(argv[1], name, full)
                                                    : check_negative(full);
    if (why) {
      printf("FAIL %s (%s): %s\n", name, kind, why);
      failed++;
    } else {
      passed++;
    }
  }
  fclose(f);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  if (system(cmd) != 0) fprintf(stderr, "cannot remove %s\n", tmpdir);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
