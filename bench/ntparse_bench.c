/*
 * ntparse_bench.c -- parse speed of engine/rdf/ntparse.c with a do-nothing
 * callback; -p prints the statements as canonical N-Quads instead (handy to
 * compare with serdi). Not built by meson; from the repository root:
 *
 *   gcc -std=c11 -D_GNU_SOURCE -O2 -DNDEBUG -Iinclude -Iengine/store -Iengine/rdf \
 *       bench/ntparse_bench.c engine/rdf/ntparse.c engine/rdf/term.c engine/store/status.c \
 *       -o /tmp/ntparse_bench
 *   /tmp/ntparse_bench [-q] [-p] [-c CHUNK] [-r RUNS] FILE...
 *
 * The file is read into memory first, so only parsing is timed; it is fed
 * in chunks of CHUNK bytes (default 1 MiB) as the loader does. -q parses as
 * N-Quads. -r parses RUNS times and reports the best (on a shared machine
 * the best run is the least disturbed one).
 * Compare: time serdi -i ntriples -o ntriples FILE > /dev/null
 */
#include "ntparse.h"
#include "term.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
  unsigned long long n;
  char *buf;
  size_t len, cap;
  bool print;
} Ctx;

static TrineStatus on_statement(void *ctx, const NtStatement *st) {
  Ctx *c = ctx;
  ++c->n;
  if (c->print) {
    c->len = 0;
    if (term_write_quad_buf(&st->s, &st->p, &st->o, &st->g, &c->buf, &c->len,
                            &c->cap))
      return TRINE_ERR_NOMEM;
    fwrite(c->buf, 1, c->len, stdout);
  }
  return TRINE_OK;
}

static void on_error(void *ctx, const TrineError *e) {
  char buf[512];
  (void)ctx;
  trine_error_format(e, buf, sizeof buf);
  fprintf(stderr, "%s\n", buf);
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc((size_t)n + 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  size_t chunk = 1 << 20;
  bool nquads = false, print = false;
  int i = 1, rc = 0, runs = 1;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    if (!strcmp(argv[i], "-c") && i + 1 < argc)
      chunk = strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "-q"))
      nquads = true;
    else if (!strcmp(argv[i], "-p"))
      print = true;
    else if (!strcmp(argv[i], "-r") && i + 1 < argc)
      runs = atoi(argv[++i]);
  }
  if (i == argc || !chunk) {
    fprintf(stderr, "usage: %s [-q] [-p] [-c CHUNK] FILE...\n", argv[0]);
    return 2;
  }
  for (; i < argc; ++i) {
    size_t len;
    char *data = slurp(argv[i], &len);
    if (!data) {
      perror(argv[i]);
      return 1;
    }
    Ctx c = {0, NULL, 0, 0, print};
    double best = 0;
    TrineStatus st = TRINE_OK;
    for (int run = 0; run < (runs > 0 ? runs : 1); ++run) {
      NtParser *p = nt_parser_new(argv[i], nquads, on_statement, &c,
                                  on_error, NULL, 5);
      c.n = 0;
      struct timespec t0, t1;
      clock_gettime(CLOCK_MONOTONIC, &t0);
      st = TRINE_OK;
      for (size_t off = 0; off < len && st == TRINE_OK; off += chunk)
        st = nt_parser_feed(p, data + off,
                            len - off < chunk ? len - off : chunk);
      if (st == TRINE_OK)
        st = nt_parser_finish(p);
      clock_gettime(CLOCK_MONOTONIC, &t1);
      nt_parser_free(p);
      double s = (double)(t1.tv_sec - t0.tv_sec) +
                 (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
      if (!run || s < best)
        best = s;
    }
    if (!print)
      fprintf(stderr, "%s: %llu statements, %.1f MB, best of %d: %.3f s, "
              "%.0f MB/s%s\n", argv[i], c.n, (double)len / 1e6, runs, best,
              (double)len / 1e6 / best, st == TRINE_OK ? "" : " (errors)");
    rc |= st != TRINE_OK;
    free(c.buf);
    free(data);
  }
  return rc;
}
