/* Differential testing (docs/testing.md, "Differential testing"): the
 * trine side. Loads one N-Quads file into a new store, then runs every
 * query of a file (queries separated by NUL bytes) and writes its answer
 * in a line format run.mjs compares with Oxigraph's:
 *   Q            a query starts
 *   E message    it failed (preparing or stepping)
 *   H v1 v2 ..   its columns (tab-separated)
 *   R t1 t2 ..   a row: terms in N-Triples, empty when unbound
 *   Z            it ended
 * Usage: driver STORE-DIR DATA.nq QUERIES OUT */
#include <trine.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The whole file, NUL-terminated (caller frees); NULL on error. */
static char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap + 1);
  size_t got;
  while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
    n += got;
    if (n == cap) {
      char *grown = realloc(buf, 2 * cap + 1);
      if (!grown) { free(buf); buf = NULL; break; }
      buf = grown;
      cap *= 2;
    }
  }
  fclose(f);
  if (buf) { buf[n] = '\0'; *len = n; }
  return buf;
}

/* One line of the message, tabs and newlines as spaces. */
static void put_message(const char *msg, FILE *out) {
  fputs("E ", out);
  for (const char *c = msg ? msg : "error"; *c; c++)
    fputc(*c == '\n' || *c == '\t' ? ' ' : *c, out);
  fputc('\n', out);
}

static void put_header(const TrineQuery *q, FILE *out) {
  fputc('H', out);
  for (size_t i = 0; i < trine_query_columns(q); i++)
    fprintf(out, "\t%s", trine_query_column_name(q, i));
  fputc('\n', out);
}

/* Run one query and write its answer; rows are written only when the
 * whole run succeeds, so a failure is one E line. */
static void run_query(TrineStore *store, const char *text, size_t len, FILE *out) {
  fputs("Q\n", out);
  TrineQueryOptions opts = {.name = "q", .timeout_ms = 10000};
  TrineQuery *q = NULL;
  if (trine_query_prepare(store, text, len, &opts, &q) != TRINE_OK) {
    put_message(trine_store_errmsg(store), out);
    fputs("Z\n", out);
    return;
  }
  char *rows = NULL;
  size_t rows_len = 0;
  FILE *buf = open_memstream(&rows, &rows_len);
  TrineStatus st = TRINE_DONE;
  size_t cols = trine_query_columns(q);
  while (buf && (st = trine_query_step(q)) == TRINE_ROW) {
    fputc('R', buf);
    for (size_t i = 0; i < cols; i++) {
      fputc('\t', buf);
      const TrineTerm *t = trine_query_term(q, i);
      if (t) trine_term_write(t, buf);
    }
    fputc('\n', buf);
  }
  if (buf) fclose(buf);
  if (!buf) put_message("out of memory", out);
  else if (st != TRINE_DONE) put_message(trine_store_errmsg(store), out);
  else {
    put_header(q, out);
    fwrite(rows, 1, rows_len, out);
  }
  free(rows);
  trine_query_free(q);
  fputs("Z\n", out);
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s STORE-DIR DATA.nq QUERIES OUT\n", argv[0]);
    return 2;
  }
  TrineStore *store = NULL;
  if (trine_store_open(argv[1], NULL, &store) != TRINE_OK) {
    fprintf(stderr, "%s: error: %s\n", argv[1], trine_open_errmsg());
    return 1;
  }
  if (trine_store_load_file(store, argv[2], NULL, NULL) != TRINE_OK) {
    fprintf(stderr, "%s: error: %s\n", argv[2], trine_store_errmsg(store));
    trine_store_close(store);
    return 1;
  }
  size_t len = 0;
  char *queries = read_all(argv[3], &len);
  FILE *out = fopen(argv[4], "w");
  if (!queries || !out) {
    fprintf(stderr, "%s: error: %s\n", queries ? argv[4] : argv[3], strerror(errno));
    free(queries);
    if (out) fclose(out);
    trine_store_close(store);
    return 1;
  }
  for (size_t at = 0; at < len;) {
    size_t n = strlen(queries + at);
    run_query(store, queries + at, n, out);
    at += n + 1;
  }
  free(queries);
  int bad = fclose(out) != 0;
  trine_store_close(store);
  return bad;
}
