/*
 * dot.c -- the shell's dot-commands: one table, one dispatcher that accepts
 * unique prefixes, one function per command.
 */
#include "shell.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_ARGS 8

typedef int (*DotFn)(Shell *sh, int argc, char **argv);

typedef struct {
  const char *name;
  const char *args;
  const char *help;
  int min_args, max_args;
  DotFn fn;
} DotCmd;

static const DotCmd *find_cmd(const char *name, bool *ambiguous);

/* Messages name IRIs as the tables do: with the shell's prefixes. */
void shell_error(Shell *sh, const char *fmt, ...) {
  va_list ap;
  char *msg = NULL;
  va_start(ap, fmt);
  int n = vasprintf(&msg, fmt, ap);
  va_end(ap);
  fputs("error: ", sh->err);
  if (n >= 0) shell_write_short(sh, sh->err, msg, (size_t)n);
  fputc('\n', sh->err);
  free(msg);
  sh->errors++;
}

void shell_sink(void *ctx, const TrineError *e) {
  Shell *sh = ctx;
  char buf[2048];
  trine_error_format(e, buf, sizeof buf);
  shell_write_short(sh, sh->err, buf, strlen(buf));
  fputc('\n', sh->err);
}

/* ---- .load with progress ---- */

typedef struct {
  Shell *sh;
  struct timespec start, last;
  bool draw; ///< show the bar (standard error is a terminal)
  bool shown;
  TrineLoadPhase phase; ///< of the last call: a new phase is drawn at once
  struct timespec write_start; ///< of the batch being written
  bool wrote;                  ///< a batch has been written: ETAs are measured
} Progress;

static double since(const struct timespec *a, const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

/* The bar of a fraction, 20 characters. */
static void draw_bar(char bar[21], double frac) {
  int full = (int)(frac * 20);
  for (int i = 0; i < 20; ++i) bar[i] = i < full ? '#' : '.';
  bar[20] = '\0';
}

/* Reading moves the bar; a batch being written into the indexes (seconds
 * at a time on large loads, while reading waits) and the final commit say
 * so on the same line instead of freezing it. An ETA is shown only where
 * it is measured: while writing, from this batch's pace; while reading,
 * once a batch has been written, from the whole time so far (writes
 * included). Before that, reading speed alone would promise too little. */
static int on_progress(void *ctx, const TrineLoadProgress *lp) {
  Progress *p = ctx;
  if (shell_interrupted) return 1; /* Ctrl-C: the load is rolled back */
  if (!p->draw) return 0;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  bool phase_changed = lp->phase != p->phase;
  if (phase_changed && lp->phase == TRINE_LOAD_WRITING) p->write_start = now;
  if (phase_changed && p->phase == TRINE_LOAD_WRITING) p->wrote = true;
  p->phase = lp->phase;
  if (!phase_changed && since(&p->last, &now) < 0.25) return 0;
  p->last = now;
  double secs = since(&p->start, &now);
  double rate = secs > 0 ? (double)lp->quads / secs : 0;
  double frac = lp->total ? (double)lp->bytes / (double)lp->total : 0;
  char what[64] = "";
  if (lp->phase == TRINE_LOAD_WRITING) {
    double wfrac = lp->todo ? (double)lp->done / (double)lp->todo : 0;
    double wsecs = since(&p->write_start, &now);
    int n = snprintf(what, sizeof what, "writing indexes %3.0f%%", 100 * wfrac);
    if (wfrac > 0.05)
      snprintf(what + n, sizeof what - (size_t)n, "  ETA %.0fs", wsecs / wfrac - wsecs);
  } else if (lp->phase == TRINE_LOAD_COMMITTING) {
    snprintf(what, sizeof what, "committing");
  } else if (p->wrote && frac > 0.02) {
    snprintf(what, sizeof what, "ETA %.0fs", secs / frac - secs);
  }
  if (lp->total) {
    char bar[21];
    draw_bar(bar, frac);
    fprintf(p->sh->err, "\r[%s] %5.1f%%  %llu statements  %.0f/s  %s\033[K", bar, 100 * frac,
            (unsigned long long)lp->quads, rate, what);
  } else {
    fprintf(p->sh->err, "\r%llu statements  %.0f statements/s  %s\033[K",
            (unsigned long long)lp->quads, rate, what);
  }
  p->shown = true;
  return 0;
}

/* .load's and .dump's --format NAME (or --format=NAME), taken out of argv;
 * then argc must be within [min, max] (usage says what it takes). */
static int rdf_format(Shell *sh, int *argc, char **argv, TrineFormat *f, int min, int max,
                      const char *usage) {
  static const struct {
    const char *name;
    TrineFormat f;
  } names[] = {{"ntriples", TRINE_FORMAT_NTRIPLES}, {"nquads", TRINE_FORMAT_NQUADS},
               {"turtle", TRINE_FORMAT_TURTLE}, {"trig", TRINE_FORMAT_TRIG}};
  *f = TRINE_FORMAT_GUESS;
  for (int i = 1; i < *argc; ++i) {
    int used = strncmp(argv[i], "--format=", 9) == 0                 ? 1
               : strcmp(argv[i], "--format") == 0 && i + 1 < *argc ? 2
                                                                     : 0;
    if (!used) continue;
    const char *v = used == 1 ? argv[i] + 9 : argv[i + 1];
    for (size_t k = 0; k < sizeof names / sizeof names[0]; ++k)
      if (strcmp(v, names[k].name) == 0) *f = names[k].f;
    if (!*f) {
      shell_error(sh, "unknown format %s: use ntriples, nquads, turtle or trig", v);
      return 1;
    }
    memmove(argv + i, argv + i + used, (size_t)(*argc - i - used) * sizeof *argv);
    *argc -= used;
    break;
  }
  if (*argc < min || *argc > max) {
    shell_error(sh, "usage: %s", usage);
    return 1;
  }
  return 0;
}

static int cmd_load(Shell *sh, int argc, char **argv) {
  TrineFormat format;
  if (rdf_format(sh, &argc, argv, &format, 2, 3,
                 ".load FILE [GRAPH] [--format ntriples|nquads|turtle|trig]"))
    return 1;
  char *g = argc > 2 ? argv[2] : NULL;
  if (g && g[0] == '<' && g[strlen(g) - 1] == '>') {
    g[strlen(g) - 1] = '\0';
    ++g;
  }
  if (g && !strchr(g, ':')) {
    shell_error(sh, "graph name must be an absolute IRI, e.g. <http://example.org/g>");
    return 1;
  }
  TrineTerm graph = trine_iri(g ? g : "");
  Progress prog = {.sh = sh};
  clock_gettime(CLOCK_MONOTONIC, &prog.start);
  prog.last = prog.start;
  TrineLoadOptions opts = {.format = format, .graph = argc > 2 ? &graph : NULL,
                           .sink = shell_sink, .sink_ctx = sh};
  /* On a terminal, also for `trine STORE '.load FILE'`. */
  prog.draw = isatty(fileno(sh->err));
  opts.progress = on_progress;
  opts.progress_ctx = &prog;
  TrineLoadStats stats;
  shell_interrupted = 0;
  TrineStatus st = trine_store_load_file(sh->store, argv[1], &opts, &stats);
  if (prog.shown) fputs("\r\033[K", sh->err);
  if (st == TRINE_ERR_CANCELLED && shell_interrupted) {
    shell_interrupted = 0;
    fprintf(sh->err, "%sinterrupted: %s was not loaded, the store is unchanged\n",
            prog.shown ? "" : "\n", argv[1]);
    sh->errors++;
    return 1;
  }
  if (st == TRINE_ERR_SYNTAX) {
    fprintf(sh->err, "%s: load failed, the store is unchanged\n", argv[1]);
    sh->errors++;
    return 1;
  }
  if (st) {
    shell_error(sh, "%s", trine_store_errmsg(sh->store));
    return 1;
  }
  struct timespec end;
  clock_gettime(CLOCK_MONOTONIC, &end);
  if (prog.draw)
    fprintf(sh->err, "loaded %llu statements (%llu new) in %.2fs\n",
            (unsigned long long)stats.quads_read, (unsigned long long)stats.quads_added,
            since(&prog.start, &end));
  return 0;
}

/* The format a dump file's name asks for: .nt .nq .ttl .trig; N-Quads for
 * any other name. -1 for .gz, which .dump does not write. */
static int dump_format_of(const char *path) {
  static const struct {
    const char *ext;
    TrineFormat f;
  } exts[] = {{".nt", TRINE_FORMAT_NTRIPLES}, {".nq", TRINE_FORMAT_NQUADS},
              {".ttl", TRINE_FORMAT_TURTLE}, {".trig", TRINE_FORMAT_TRIG}, {".gz", -1}};
  size_t n = strlen(path);
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; ++i) {
    size_t k = strlen(exts[i].ext);
    if (n > k && strcasecmp(path + n - k, exts[i].ext) == 0) return (int)exts[i].f;
  }
  return TRINE_FORMAT_NQUADS;
}

typedef struct {
  FILE *f;
  uint64_t bytes;
} DumpOut;

static int write_file(void *ctx, const void *data, size_t len) {
  DumpOut *o = ctx;
  o->bytes += len;
  return fwrite(data, 1, len, o->f) == len ? 0 : -1;
}

/* What a .dump to a file wrote, on a terminal: it says nothing otherwise. */
static void say_dumped(Shell *sh, const char *path, TrineFormat f, uint64_t bytes, double secs) {
  static const char *const names[] = {"N-Quads", "N-Triples", "N-Quads", "Turtle", "TriG"};
  char size[32];
  if (bytes < 10000) snprintf(size, sizeof size, "%llu bytes", (unsigned long long)bytes);
  else if (bytes < 10000000) snprintf(size, sizeof size, "%.1f kB", (double)bytes / 1e3);
  else snprintf(size, sizeof size, "%.1f MB", (double)bytes / 1e6);
  fprintf(sh->err, "wrote %s: %s of %s in %.2fs\n", path, size,
          (unsigned)f < 5 ? names[f] : "RDF", secs);
}

static int cmd_dump(Shell *sh, int argc, char **argv) {
  TrineFormat format;
  if (rdf_format(sh, &argc, argv, &format, 1, 2,
                 ".dump [FILE] [--format ntriples|nquads|turtle|trig]"))
    return 1;
  if (argc > 1 && dump_format_of(argv[1]) < 0) {
    shell_error(sh, "%s: .dump does not compress: dump to a file without .gz, then gzip it",
                argv[1]);
    return 1;
  }
  if (!format && argc > 1) format = (TrineFormat)dump_format_of(argv[1]);
  FILE *f = sh->out;
  if (argc > 1 && !(f = fopen(argv[1], "w"))) {
    shell_error(sh, "cannot open %s: %s", argv[1], strerror(errno));
    return 1;
  }
  /* Turtle and TriG use the shell's prefixes: the saved ones, then rdf:
   * rdfs: xsd: owl:, as results do. */
  TrineDumpOptions o = {.format = format ? format : TRINE_FORMAT_NQUADS,
                        .prefixes = (const char *const *)sh->prefixes,
                        .nprefixes = sh->nprefixes};
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  DumpOut out = {f, 0};
  TrineStatus st = trine_store_dump_to(sh->store, write_file, &out, &o);
  bool flushed = fflush(f) == 0 && !ferror(f);
  if (f != sh->out && fclose(f) != 0) flushed = false;
  if (st) {
    shell_error(sh, "%s", trine_store_errmsg(sh->store));
    return 1;
  }
  if (!flushed) {
    shell_error(sh, "cannot write %s: %s", argc > 1 ? argv[1] : "the output", strerror(errno));
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  if (argc > 1 && isatty(fileno(sh->err))) say_dumped(sh, argv[1], o.format, out.bytes, since(&t0, &t1));
  return 0;
}

/* .stats: counts, then the predicates by number of quads. */
typedef struct {
  char *iri;
  uint64_t quads, subjects, objects;
  TrineTermKind kind; ///< a graph may be a blank node
} PredRow;

typedef struct {
  PredRow *rows;
  size_t n, cap;
} PredRows;

static int collect_pred(void *ctx, const TrinePredicateStats *ps) {
  PredRows *r = ctx;
  if (r->n == r->cap) {
    size_t cap = r->cap ? r->cap * 2 : 32;
    PredRow *rows = realloc(r->rows, cap * sizeof *rows);
    if (!rows) return 1;
    r->rows = rows;
    r->cap = cap;
  }
  r->rows[r->n++] = (PredRow){strndup(ps->predicate.value, ps->predicate.value_len),
                              ps->quads, ps->subjects, ps->objects, ps->predicate.kind};
  return 0;
}

static int by_quads(const void *a, const void *b) {
  const PredRow *x = a, *y = b;
  return x->quads < y->quads ? 1 : x->quads > y->quads ? -1 : strcmp(x->iri, y->iri);
}

static int cmd_stats(Shell *sh, int argc, char **argv) {
  bool all = argc > 1;
  if (all && strcmp(argv[1], "all") != 0) {
    shell_error(sh, "usage: .stats [all]");
    return 1;
  }
  TrineStats st;
  if (trine_store_stats(sh->store, NULL, &st)) {
    shell_error(sh, "%s", trine_store_errmsg(sh->store));
    return 1;
  }
  fprintf(sh->out, "quads:          %llu\n", (unsigned long long)st.quads);
  fprintf(sh->out, "default graph:  %llu\n", (unsigned long long)st.default_quads);
  fprintf(sh->out, "named graphs:   %llu\n", (unsigned long long)st.graphs);
  fprintf(sh->out, "terms:          %llu\n", (unsigned long long)st.terms);
  PredRows r = {0};
  trine_store_predicates(sh->store, NULL, collect_pred, &r);
  if (r.n) qsort(r.rows, r.n, sizeof *r.rows, by_quads);
  if (r.n) fprintf(sh->out, "predicates:     %zu\n%12s %10s %10s  %s\n", r.n, "quads",
                   "subjects", "objects", "predicate");
  size_t shown = all ? r.n : 20;
  for (size_t i = 0; i < r.n; ++i) {
    if (i < shown) {
      fprintf(sh->out, "%12llu %10llu %10llu  ", (unsigned long long)r.rows[i].quads,
              (unsigned long long)r.rows[i].subjects, (unsigned long long)r.rows[i].objects);
      shell_print_iri(sh, sh->out, r.rows[i].iri, strlen(r.rows[i].iri));
      fputc('\n', sh->out);
    }
    free(r.rows[i].iri);
  }
  if (r.n > shown) fprintf(sh->out, "%12s (%zu more: .stats all lists them)\n", "...", r.n - shown);
  free(r.rows);
  return 0;
}

TrineResultFormat shell_format(const char *s) {
  static const struct {
    const char *name;
    TrineResultFormat f;
  } formats[] = {{"table", TRINE_RESULTS_TABLE}, {"line", TRINE_RESULTS_LINE},
                 {"tsv", TRINE_RESULTS_TSV},     {"csv", TRINE_RESULTS_CSV},
                 {"json", TRINE_RESULTS_JSON},   {"xml", TRINE_RESULTS_XML},
                 {"turtle", TRINE_RESULTS_TURTLE}, {"ntriples", TRINE_RESULTS_NTRIPLES}};
  for (size_t i = 0; i < sizeof formats / sizeof *formats; ++i)
    if (strcmp(s, formats[i].name) == 0) return formats[i].f;
  return 0;
}

static const char *format_name(TrineResultFormat f) {
  static const char *const names[] = {"table on a terminal, else TSV", "table", "tsv", "csv",
                                      "json", "xml", "ntriples", "line", "turtle"};
  return f >= 0 && (size_t)f < sizeof names / sizeof *names ? names[f] : "?";
}

static int cmd_format(Shell *sh, int argc, char **argv) {
  (void)argc;
  TrineResultFormat f = shell_format(argv[1]);
  if (!f) {
    shell_error(sh, "unknown format %s: use table, line, tsv, csv, json, xml, turtle or ntriples",
                argv[1]);
    return 1;
  }
  sh->format = f;
  return 0;
}

static int cmd_quit(Shell *sh, int argc, char **argv) {
  (void)argc;
  (void)argv;
  sh->quit = true;
  return 0;
}

static int cmd_explain(Shell *sh, int argc, char **argv) {
  return shell_explain(sh, argv[argc - 1], argc == 3);
}

size_t shell_dot_query(const char *line, bool *analyze) {
  const char *w = line + 1;
  size_t n = strcspn(w, " \t\r\n");
  char name[32];
  bool ambiguous;
  if (!n || n >= sizeof name) return 0;
  memcpy(name, w, n);
  name[n] = '\0';
  const DotCmd *c = find_cmd(name, &ambiguous);
  if (!c || c->fn != cmd_explain) return 0;
  const char *p = w + n + strspn(w + n, " \t");
  *analyze = strncasecmp(p, "analyze", 7) == 0 && strchr(" \t\r\n", p[7]);
  if (*analyze) p += 7 + strspn(p + 7, " \t");
  return (size_t)(p - line);
}

/* Run a command whose argument is a query starting at column col of the
 * line: errors in the query point into the line. */
static int run_at(Shell *sh, const DotCmd *c, int argc, char **argv, size_t col) {
  unsigned col0 = sh->col0;
  sh->col0 = (col0 ? col0 : 1) + (unsigned)col;
  int rc = c->fn(sh, argc, argv);
  sh->col0 = col0;
  return rc;
}

/* on|off arguments */
static int on_off(Shell *sh, const char *cmd, const char *arg, bool *out) {
  if (strcmp(arg, "on") == 0) *out = true;
  else if (strcmp(arg, "off") == 0) *out = false;
  else {
    shell_error(sh, "usage: .%s on|off", cmd);
    return 1;
  }
  return 0;
}

static int cmd_headers(Shell *sh, int argc, char **argv) {
  (void)argc;
  bool on;
  if (on_off(sh, "headers", argv[1], &on)) return 1;
  sh->no_headers = !on;
  return 0;
}

static int cmd_timer(Shell *sh, int argc, char **argv) {
  (void)argc;
  return on_off(sh, "timer", argv[1], &sh->timer);
}

static int cmd_limit(Shell *sh, int argc, char **argv) {
  if (argc < 2) {
    if (sh->limit) fprintf(sh->out, "%llu\n", (unsigned long long)sh->limit);
    else fprintf(sh->out, "0 (no limit)\n");
    return 0;
  }
  char *end;
  errno = 0;
  unsigned long long n = strtoull(argv[1], &end, 10);
  if (errno || *end || !*argv[1] || argv[1][0] == '-') {
    shell_error(sh, "usage: .limit N (a number of rows, 0 for no limit)");
    return 1;
  }
  sh->limit = n;
  return 0;
}

/* ---- .timeout and .memory: the limits of each request ---- */

bool shell_parse_ms(const char *s, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(s, &end, 10);
  if (errno || *end || !isdigit((unsigned char)*s) || n > UINT_MAX) return false;
  *out = (unsigned)n;
  return true;
}

bool shell_parse_size(const char *s, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long n = strtoull(s, &end, 10);
  if (errno || !isdigit((unsigned char)*s)) return false;
  int shift = 0;
  switch (toupper((unsigned char)*end)) {
  case 'K': shift = 10; break;
  case 'M': shift = 20; break;
  case 'G': shift = 30; break;
  }
  if (shift) ++end;
  if (shift && (strcmp(end, "B") == 0 || strcmp(end, "iB") == 0)) end += strlen(end);
  if (*end || n > (SIZE_MAX >> shift)) return false;
  *out = (size_t)n << shift;
  return true;
}

static void print_size(FILE *f, size_t n) {
  static const char *const units[] = {"GiB", "MiB", "KiB"};
  for (int i = 0; i < 3; ++i) {
    int shift = 30 - 10 * i;
    if (n && n % ((size_t)1 << shift) == 0) {
      fprintf(f, "%zu %s", n >> shift, units[i]);
      return;
    }
  }
  fprintf(f, "%zu bytes", n);
}

static int cmd_timeout(Shell *sh, int argc, char **argv) {
  if (argc < 2) {
    if (sh->timeout_ms) fprintf(sh->out, "%u ms\n", sh->timeout_ms);
    else fprintf(sh->out, "0 (no timeout)\n");
    return 0;
  }
  if (!shell_parse_ms(argv[1], &sh->timeout_ms)) {
    shell_error(sh, "usage: .timeout MS (milliseconds, 0 for no timeout)");
    return 1;
  }
  return 0;
}

static int cmd_memory(Shell *sh, int argc, char **argv) {
  if (argc < 2) {
    print_size(sh->out, sh->memory_limit ? sh->memory_limit : (size_t)1 << 30);
    fputs(sh->memory_limit ? "\n" : " (the default)\n", sh->out);
    return 0;
  }
  if (!shell_parse_size(argv[1], &sh->memory_limit)) {
    shell_error(sh, "usage: .memory SIZE (bytes, or with K, M or G: 512M; 0 for the default)");
    return 1;
  }
  return 0;
}

static int cmd_open(Shell *sh, int argc, char **argv) {
  (void)argc;
  return strcmp(argv[1], shell_temp_name) ? shell_open(sh, argv[1]) : shell_open_temp(sh);
}

static int cmd_read(Shell *sh, int argc, char **argv) {
  (void)argc;
  return shell_run_file(sh, argv[1]);
}

static int cmd_output(Shell *sh, int argc, char **argv) {
  FILE *f = stdout;
  if (argc > 1 && strcmp(argv[1], "-") && strcmp(argv[1], "stdout")) {
    if (!(f = fopen(argv[1], "w"))) {
      shell_error(sh, "cannot open %s: %s", argv[1], strerror(errno));
      return 1;
    }
  }
  int rc = 0;
  if (sh->out != stdout && fclose(sh->out) != 0) {
    shell_error(sh, "cannot write %s: %s", sh->out_path, strerror(errno));
    rc = 1;
  }
  free(sh->out_path);
  sh->out_path = f == stdout ? NULL : strdup(argv[1]);
  sh->out = f;
  return rc;
}

/* .graphs: the named graphs, collected to be listed in IRI order. */
static int collect_graph(void *ctx, const TrineTerm *g, uint64_t quads) {
  PredRows *r = ctx;
  TrinePredicateStats ps = {.predicate = *g, .quads = quads};
  return collect_pred(r, &ps);
}

static int by_iri(const void *a, const void *b) {
  const PredRow *x = a, *y = b;
  if (x->kind != y->kind) return x->kind == TRINE_TERM_IRI ? -1 : 1; /* then blank nodes */
  return strcmp(x->iri, y->iri);
}

static int cmd_graphs(Shell *sh, int argc, char **argv) {
  (void)argc;
  (void)argv;
  TrineStats st;
  PredRows r = {0};
  if (trine_store_stats(sh->store, NULL, &st) ||
      trine_store_graphs(sh->store, NULL, collect_graph, &r)) {
    shell_error(sh, "%s", trine_store_errmsg(sh->store));
    for (size_t i = 0; i < r.n; ++i) free(r.rows[i].iri);
    free(r.rows);
    return 1;
  }
  fprintf(sh->out, "%12s  %s\n%12llu  (default graph)\n", "quads", "graph",
          (unsigned long long)st.default_quads);
  if (r.n) qsort(r.rows, r.n, sizeof *r.rows, by_iri);
  for (size_t i = 0; i < r.n; ++i) {
    fprintf(sh->out, "%12llu  ", (unsigned long long)r.rows[i].quads);
    if (r.rows[i].kind == TRINE_TERM_IRI)
      shell_print_iri(sh, sh->out, r.rows[i].iri, strlen(r.rows[i].iri));
    else
      fprintf(sh->out, "_:%s", r.rows[i].iri);
    fputc('\n', sh->out);
    free(r.rows[i].iri);
  }
  free(r.rows);
  return 0;
}

static int cmd_prefix(Shell *sh, int argc, char **argv) {
  if (argc == 1) {
    for (size_t i = 0; i < sh->nprefixes; ++i)
      fprintf(sh->out, "PREFIX %s: <%s>\n", sh->prefixes[2 * i], sh->prefixes[2 * i + 1]);
    return 0;
  }
  char *name = argv[1];
  size_t n = strlen(name);
  if (n && name[n - 1] == ':') name[--n] = '\0';
  char *iri = argc > 2 ? argv[2] : NULL;
  if (iri && iri[0] == '<' && iri[strlen(iri) - 1] == '>') {
    iri[strlen(iri) - 1] = '\0';
    ++iri;
  }
  if (iri && strcmp(iri, "-") == 0) iri = NULL; /* .prefix NAME - removes it */
  if (argc == 2) {
    shell_error(sh, "usage: .prefix NAME IRI (or .prefix NAME - to remove it)");
    return 1;
  }
  TrineStatus st = trine_store_set_prefix(sh->store, name, iri);
  if (st == TRINE_NOT_FOUND) {
    shell_error(sh, "no saved prefix %s:", name);
    return 1;
  }
  if (st) {
    shell_error(sh, "%s", trine_store_errmsg(sh->store));
    return 1;
  }
  shell_load_prefixes(sh);
  return 0;
}

/* .check: the problems (the first 100 of them), then the verdict. */
typedef struct {
  Shell *sh;
  uint64_t shown;
} CheckOut;

#define CHECK_SHOWN 100

static int print_problem(void *ctx, const TrineCheckProblem *p) {
  CheckOut *o = ctx;
  if (o->shown++ >= CHECK_SHOWN) return 0;
  shell_write_short(o->sh, o->sh->out, p->message, strlen(p->message));
  fputc('\n', o->sh->out);
  return 0;
}

static int cmd_check(Shell *sh, int argc, char **argv) {
  (void)argc;
  (void)argv;
  CheckOut o = {sh, 0};
  TrineCheckStats cs;
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  TrineStatus st = trine_store_check(sh->store, print_problem, &o, &cs);
  clock_gettime(CLOCK_MONOTONIC, &end);
  if (cs.problems > CHECK_SHOWN)
    fprintf(sh->out, "... and %llu more problems\n", (unsigned long long)(cs.problems - CHECK_SHOWN));
  if (st && !(st == TRINE_ERR_CORRUPT && cs.problems)) {
    shell_error(sh, "%s", trine_store_errmsg(sh->store));
    return 1;
  }
  fprintf(sh->out, "%s: %llu quads, %llu terms, %llu index records read in %.2fs: ",
          st ? "damaged" : "ok", (unsigned long long)cs.quads, (unsigned long long)cs.terms,
          (unsigned long long)cs.records, since(&start, &end));
  if (st) fprintf(sh->out, "%llu problem%s\n", (unsigned long long)cs.problems, cs.problems == 1 ? "" : "s");
  else fprintf(sh->out, "no problems\n");
  return st ? 1 : 0;
}

/* .vacuum: the store compacted, and by how much. */
static int cmd_vacuum(Shell *sh, int argc, char **argv) {
  (void)argc;
  (void)argv;
  TrineCompactStats cs;
  if (trine_store_compact(sh->store, &cs)) {
    shell_error(sh, "%s", trine_store_errmsg(sh->store));
    return 1;
  }
  fprintf(sh->out, "compacted: %.1f MiB -> %.1f MiB\n", (double)cs.bytes_before / 1048576,
          (double)cs.bytes_after / 1048576);
  return 0;
}

static int cmd_help(Shell *sh, int argc, char **argv);

static const DotCmd commands[] = {
    {"check", "",
     "Check that the store is sound, and say what is wrong\n"
     "Reads every index, term and counter of one snapshot and compares them:\n"
     "the six indexes hold the same quads, every id in a quad names a term of\n"
     "its kind, every term is found under its hash, meta and the statistics\n"
     "equal a recount. Prints each problem (the first 100), then a summary;\n"
     "trine STORE .check exits with 1 when it finds one. See docs/testing.md\n"
     "for the damage LMDB cannot see.",
     0, 0, cmd_check},
    {"dump", "[FILE] [--format F]",
     "Write every quad to FILE or the output, as N-Quads unless told\n"
     "The file name's extension gives the format (.nt .nq .ttl .trig; any other\n"
     "name: N-Quads), or --format ntriples, nquads, turtle or trig. Turtle and\n"
     "TriG declare the prefixes (.prefix lists them), group each subject's\n"
     "statements with ; and , and nest blank nodes used once as [ ... ] and\n"
     "lists as ( ... ). Turtle has no graphs: it writes the default graph only;\n"
     "TriG writes it, then each named graph as a block <g> { ... }. N-Triples\n"
     "writes every statement without its graph name.\n"
     "  e.g. .dump backup.nq   .dump data.trig   .dump --format turtle",
     0, 3, cmd_dump},
    {"explain", "[analyze] QUERY",
     "Show how QUERY would run; analyze: run it, show how it ran\n"
     "QUERY follows on the line and may go on over more lines: it ends as\n"
     "any request does. .explain shows its SPARQL algebra and how each\n"
     "triple pattern can be read (index, estimated rows), without running\n"
     "it. .explain analyze also runs the query, discarding its rows, and\n"
     "shows the plan as executed: each step in order, how it read (probe,\n"
     "scan + hash or merge join, path, VALUES join), the rows estimated,\n"
     "the rows it produced and its time in ms (an operator's time includes\n"
     "the steps under it), then the rows and the time in all. An update is\n"
     "never run. When the run fails the plan is still shown.",
     1, 2, cmd_explain},
    {"format", "FORMAT",
     "Show results as table, line, tsv, csv, json, xml, turtle or ntriples\n"
     "The default is a table on a terminal, TSV otherwise. A table fits the\n"
     "terminal: long text is cut at its end, an IRI in its middle; numbers\n"
     "are on the right. line, for rows too wide for a table, shows each row\n"
     "as a record: a -[ RECORD n ]- line (a blank line with .headers off),\n"
     "then one ?variable = value line per column, values never cut.\n"
     "CONSTRUCT and DESCRIBE results are Turtle in table and turtle (with the\n"
     "query's and the saved prefixes), rows of s p o in line, N-Triples in the\n"
     "others. turtle and ntriples show CONSTRUCT and DESCRIBE results only.",
     1, 1, cmd_format},
    {"graphs", "", "List the named graphs with their quad counts, by name\n"
     "Graph names are shortened with the prefixes (.prefix lists them).", 0, 0, cmd_graphs},
    {"headers", "on|off", "Show the header line of results (default on)\n"
     "Applies to table, TSV and CSV results.", 1, 1, cmd_headers},
    {"help", "[COMMAND]", "Show the commands, or more about one", 0, 1, cmd_help},
    {"limit", "[N]",
     "Show at most N rows of each result (0: all)\n"
     "Without N, show the current limit. The query itself is not changed:\n"
     "use LIMIT in the query for that.",
     0, 1, cmd_limit},
    {"load", "FILE [GRAPH] [--format F]",
     "Load N-Triples, N-Quads, Turtle or TriG (.nt .nq .ttl .trig, optionally .gz)\n"
     "The file name's extension gives the format, or --format ntriples, nquads,\n"
     "turtle or trig. Everything is loaded in one transaction: on any error, or\n"
     "Ctrl-C, nothing is. Statements without a graph (N-Triples, Turtle, TriG\n"
     "outside its graphs) go into GRAPH (an absolute IRI, <> optional) when\n"
     "given, else into the default graph. Relative IRIs in Turtle and TriG\n"
     "resolve against the file's file:// IRI. On a terminal a progress bar shows\n"
     "the percentage, statements per second and the time left.\n"
     "  e.g. .load schema.ttl   .load data.trig.gz   .load dump.txt --format nquads",
     1, 4, cmd_load},
    {"memory", "[SIZE]",
     "Limit the memory of each query's intermediate results\n"
     "SIZE is in bytes, or with K, M or G (1024-based): 512M, 2G; 0 gives\n"
     "the default back, 1 GiB. Without SIZE, show the limit. A query that\n"
     "needs more fails and says so.",
     0, 1, cmd_memory},
    {"open", "STORE", "Close this store and open STORE (created if missing)\n"
     ".open :memory: opens a new temporary store, gone when the shell exits.", 1, 1,
     cmd_open},
    {"output", "[FILE]",
     "Write results to FILE, or back to the screen\n"
     "FILE is replaced. .output alone goes back to the standard output.",
     0, 1, cmd_output},
    {"prefix", "[NAME IRI]",
     "List prefixes, or save one in the store\n"
     ".prefix NAME IRI saves NAME: for IRI (<> optional); .prefix NAME -\n"
     "removes it. These prefixes, and rdf: rdfs: xsd: owl:, shorten IRIs in\n"
     "results, .stats, .graphs, .explain and messages, and are declared for\n"
     "every query that does not declare them itself (a convenience of the\n"
     "shell: other SPARQL tools need them).",
     0, 2, cmd_prefix},
    {"quit", "", "Leave the shell (Ctrl-D too)", 0, 0, cmd_quit},
    {"read", "FILE", "Run the commands and queries in FILE", 1, 1, cmd_read},
    {"stats", "[all]", "Show counts of quads, graphs, terms and the top predicates\n"
     "The 20 predicates with the most quads, or with all every one, each with\n"
     "its quads, distinct subjects and distinct objects, shortened with the\n"
     "prefixes (.prefix lists them).", 0, 1, cmd_stats},
    {"timeout", "[MS]",
     "Stop each query or update after MS milliseconds (0: never)\n"
     "Without MS, show the timeout. A request stopped by it fails; an update\n"
     "stopped by it leaves the store unchanged.",
     0, 1, cmd_timeout},
    {"timer", "on|off", "Show how long each query took (default off)", 1, 1, cmd_timer},
    {"vacuum", "",
     "Compact the store: give the space of deleted quads back\n"
     "Copies the store's live pages into a new directory beside it (room for\n"
     "them is needed), puts the copy in the store's place in one atomic\n"
     "rename and removes the old one. Writers wait meanwhile. It refuses while\n"
     "another process has the store open: that one would go on with the old\n"
     "copy.",
     0, 0, cmd_vacuum},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

const char *shell_command_name(size_t i) { return i < NCOMMANDS ? commands[i].name : NULL; }

static void help_line(Shell *sh, const DotCmd *c) {
  char usage[64];
  snprintf(usage, sizeof usage, ".%s %s", c->name, c->args);
  const char *nl = strchr(c->help, '\n');
  int first = nl ? (int)(nl - c->help) : (int)strlen(c->help);
  if (strlen(usage) > 20) fprintf(sh->out, "%s\n%20s", usage, ""); /* too long for the column */
  else fprintf(sh->out, "%-20s", usage);
  fprintf(sh->out, " %.*s\n", first, c->help);
}

static int cmd_help(Shell *sh, int argc, char **argv) {
  if (argc < 2) {
    for (size_t i = 0; i < NCOMMANDS; ++i) help_line(sh, &commands[i]);
    fprintf(sh->out,
            "Commands may be shortened to any unique prefix, e.g. .st for .stats;\n"
            ".help COMMAND says more.\n"
            "Anything else is SPARQL 1.1, a query or an update request, and may span\n"
            "lines. It ends at a line ending in ';' or at a blank line, where its\n"
            "brackets balance and it is complete, unless the next word continues it:\n"
            "after ';' an update goes on when the next word (past comments and PREFIX\n"
            "or BASE lines) starts another operation (INSERT, DELETE, LOAD, ...); after\n"
            "a blank line a request goes on when the parser accepts the next word\n"
            "(ORDER BY, say). A query ends at its ';'. At the prompt only what was\n"
            "typed or pasted is looked at: Enter after ';' runs an update. A\n"
            "dot-command on its own line, where brackets balance, ends a request too.\n");
    return 0;
  }
  bool ambiguous;
  const char *name = argv[1][0] == '.' ? argv[1] + 1 : argv[1];
  const DotCmd *c = find_cmd(name, &ambiguous);
  if (!c) {
    shell_error(sh, "no command .%s; .help lists them", name);
    return 1;
  }
  fprintf(sh->out, ".%s %s\n", c->name, c->args);
  for (const char *l = c->help; *l;) {
    size_t n = strcspn(l, "\n");
    fprintf(sh->out, "  %.*s\n", (int)n, l);
    l += n + (l[n] == '\n');
  }
  if (c->fn == cmd_format) fprintf(sh->out, "  Now: %s\n", format_name(sh->format));
  return 0;
}

static const DotCmd *find_cmd(const char *name, bool *ambiguous) {
  const DotCmd *found = NULL;
  size_t n = strlen(name);
  *ambiguous = false;
  for (size_t i = 0; i < NCOMMANDS; ++i) {
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
    if (n && strncmp(commands[i].name, name, n) == 0) {
      if (found) *ambiguous = true;
      found = &commands[i];
    }
  }
  return *ambiguous ? NULL : found;
}

/* Split a line into words; "double quotes" group words. */
static int split(char *line, char **argv) {
  int argc = 0;
  char *p = line;
  while (*p && argc < MAX_ARGS) {
    while (*p == ' ' || *p == '\t') ++p;
    if (!*p) break;
    if (*p == '"') {
      argv[argc++] = ++p;
      while (*p && *p != '"') ++p;
    } else {
      argv[argc++] = p;
      while (*p && *p != ' ' && *p != '\t') ++p;
    }
    if (*p) *p++ = '\0';
  }
  return argc;
}

int shell_dot(Shell *sh, const char *line) {
  char *copy = strdup(line + 1);
  char *argv[MAX_ARGS + 1] = {0};
  if (!copy) return 1;
  copy[strcspn(copy, "\r\n")] = '\0';
  int argc = split(copy, argv), rc = 1;
  bool analyze = false;
  size_t query_col = shell_dot_query(line, &analyze); /* 0: no query argument */
  if (query_col) {
    /* The query is the rest of the text, quotes, newlines and all. */
    const char *query = line + query_col;
    argc = 1;
    if (analyze) argv[argc++] = (char *)"analyze";
    if (query[strspn(query, " \t\r\n")]) argv[argc++] = (char *)query;
  }
  bool ambiguous;
  const DotCmd *c = argc ? find_cmd(argv[0], &ambiguous) : NULL;
  if (!c) {
    if (argc && ambiguous) shell_error(sh, ".%s is ambiguous; .help lists the commands", argv[0]);
    else shell_error(sh, "unknown command .%s; .help lists the commands", argc ? argv[0] : "");
  } else if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
    shell_error(sh, "usage: .%s %s", c->name, c->args);
  } else if (!sh->store && c->fn != cmd_help && c->fn != cmd_quit && c->fn != cmd_explain &&
             c->fn != cmd_format && c->fn != cmd_open) {
    shell_error(sh, "no store is open");
  } else {
    rc = query_col ? run_at(sh, c, argc, argv, query_col) : c->fn(sh, argc, argv);
  }
  free(copy);
  return rc;
}
