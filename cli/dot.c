/*
 * dot.c -- the shell's dot-commands: one table, one dispatcher that accepts
 * unique prefixes, one function per command.
 */
#include "shell.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

void shell_error(Shell *sh, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fputs("error: ", sh->err);
  vfprintf(sh->err, fmt, ap);
  fputc('\n', sh->err);
  va_end(ap);
  sh->errors++;
}

void shell_sink(void *ctx, const TrineError *e) {
  Shell *sh = ctx;
  char buf[2048];
  trine_error_format(e, buf, sizeof buf);
  fprintf(sh->err, "%s\n", buf);
}

/* ---- .load with progress ---- */

typedef struct {
  Shell *sh;
  struct timespec start, last;
  bool shown;
} Progress;

static double since(const struct timespec *a, const struct timespec *b) {
  return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static int on_progress(void *ctx, uint64_t bytes, uint64_t total, uint64_t quads) {
  Progress *p = ctx;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  if (since(&p->last, &now) < 0.25) return 0;
  p->last = now;
  double secs = since(&p->start, &now);
  double rate = secs > 0 ? (double)quads / secs : 0;
  if (total) {
    double frac = (double)bytes / (double)total;
    double eta = frac > 0 ? secs / frac - secs : 0;
    fprintf(p->sh->err, "\r%5.1f%%  %llu statements  %.0f statements/s  ETA %.0fs   ",
            100 * frac, (unsigned long long)quads, rate, eta);
  } else {
    fprintf(p->sh->err, "\r%llu statements  %.0f statements/s   ",
            (unsigned long long)quads, rate);
  }
  p->shown = true;
  return 0;
}

static int cmd_load(Shell *sh, int argc, char **argv) {
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
  TrineLoadOptions opts = {.graph = argc > 2 ? &graph : NULL, .sink = shell_sink, .sink_ctx = sh};
  if (sh->interactive) {
    opts.progress = on_progress;
    opts.progress_ctx = &prog;
  }
  TrineLoadStats stats;
  TrineStatus st = trine_store_load_file(sh->store, argv[1], &opts, &stats);
  if (prog.shown) fputs("\r\033[K", sh->err);
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
  if (sh->interactive)
    fprintf(sh->err, "loaded %llu statements (%llu new) in %.2fs\n",
            (unsigned long long)stats.quads_read, (unsigned long long)stats.quads_added,
            since(&prog.start, &end));
  return 0;
}

static int cmd_dump(Shell *sh, int argc, char **argv) {
  FILE *f = sh->out;
  if (argc > 1 && !(f = fopen(argv[1], "w"))) {
    shell_error(sh, "cannot open %s: %s", argv[1], strerror(errno));
    return 1;
  }
  TrineStatus st = trine_store_dump(sh->store, f, TRINE_FORMAT_NQUADS, NULL);
  if (f != sh->out && fclose(f) != 0 && !st) st = TRINE_ERR_IO;
  if (st) {
    shell_error(sh, "%s", trine_store_errmsg(sh->store));
    return 1;
  }
  return 0;
}

/* .stats: counts, then the predicates by number of quads. */
typedef struct {
  char *iri;
  uint64_t quads, subjects, objects;
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
                              ps->quads, ps->subjects, ps->objects};
  return 0;
}

static int by_quads(const void *a, const void *b) {
  const PredRow *x = a, *y = b;
  return x->quads < y->quads ? 1 : x->quads > y->quads ? -1 : strcmp(x->iri, y->iri);
}

static int cmd_stats(Shell *sh, int argc, char **argv) {
  (void)argc;
  (void)argv;
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
  for (size_t i = 0; i < r.n; ++i) {
    if (i < 20)
      fprintf(sh->out, "%12llu %10llu %10llu  <%s>\n", (unsigned long long)r.rows[i].quads,
              (unsigned long long)r.rows[i].subjects, (unsigned long long)r.rows[i].objects,
              r.rows[i].iri);
    free(r.rows[i].iri);
  }
  if (r.n > 20) fprintf(sh->out, "%12s (%zu more)\n", "...", r.n - 20);
  free(r.rows);
  return 0;
}

TrineResultFormat shell_format(const char *s) {
  static const struct {
    const char *name;
    TrineResultFormat f;
  } formats[] = {{"table", TRINE_RESULTS_TABLE}, {"tsv", TRINE_RESULTS_TSV},
                 {"csv", TRINE_RESULTS_CSV},     {"json", TRINE_RESULTS_JSON},
                 {"xml", TRINE_RESULTS_XML}};
  for (size_t i = 0; i < sizeof formats / sizeof *formats; ++i)
    if (strcmp(s, formats[i].name) == 0) return formats[i].f;
  return 0;
}

static int cmd_format(Shell *sh, int argc, char **argv) {
  (void)argc;
  TrineResultFormat f = shell_format(argv[1]);
  if (!f) {
    shell_error(sh, "unknown format %s: use table, tsv, csv, json or xml", argv[1]);
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
  (void)argc;
  return shell_explain(sh, argv[1]);
}

static int cmd_help(Shell *sh, int argc, char **argv);

static const DotCmd commands[] = {
    {"dump", "[FILE]", "Write every quad as N-Quads to FILE or the output", 0, 1, cmd_dump},
    {"explain", "QUERY", "Parse QUERY and show its SPARQL algebra (the rest of the line)", 1,
     1, cmd_explain},
    {"format", "table|tsv|csv|json|xml", "Show query results in this format", 1, 1, cmd_format},
    {"help", "[COMMAND]", "Show the commands, or the help of one", 0, 1, cmd_help},
    {"load", "FILE [GRAPH-IRI]",
     "Load N-Triples/N-Quads (.nt .nq, optionally .gz) in one transaction;\n"
     "N-Triples go into GRAPH-IRI when given, else the default graph.\n"
     "On any error nothing is loaded",
     1, 2, cmd_load},
    {"quit", "", "Leave the shell (Ctrl-D too)", 0, 0, cmd_quit},
    {"stats", "", "Show counts of quads, graphs, terms and the top predicates", 0, 0,
     cmd_stats},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void help_line(Shell *sh, const DotCmd *c) {
  char usage[64];
  snprintf(usage, sizeof usage, ".%s %s", c->name, c->args);
  const char *nl = strchr(c->help, '\n');
  int first = nl ? (int)(nl - c->help) : (int)strlen(c->help);
  fprintf(sh->out, "%-26s %.*s\n", usage, first, c->help);
}

static int cmd_help(Shell *sh, int argc, char **argv) {
  if (argc < 2) {
    for (size_t i = 0; i < NCOMMANDS; ++i) help_line(sh, &commands[i]);
    fprintf(sh->out, "Commands may be shortened to any unique prefix, e.g. .st for .stats.\n");
    return 0;
  }
  bool ambiguous;
  const char *name = argv[1][0] == '.' ? argv[1] + 1 : argv[1];
  const DotCmd *c = find_cmd(name, &ambiguous);
  if (!c) {
    shell_error(sh, "no command .%s; .help lists them", name);
    return 1;
  }
  fprintf(sh->out, ".%s %s\n%s\n", c->name, c->args, c->help);
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
  if (argc > 1 && strncmp("explain", argv[0], strlen(argv[0])) == 0) {
    /* The query is the rest of the line, quotes and all. */
    const char *rest = line + 1 + strcspn(line + 1, " \t");
    argv[1] = (char *)rest + strspn(rest, " \t");
    argc = 2;
  }
  bool ambiguous;
  const DotCmd *c = argc ? find_cmd(argv[0], &ambiguous) : NULL;
  if (!c) {
    if (argc && ambiguous) shell_error(sh, ".%s is ambiguous; .help lists the commands", argv[0]);
    else shell_error(sh, "unknown command .%s; .help lists the commands", argc ? argv[0] : "");
  } else if (argc - 1 < c->min_args || argc - 1 > c->max_args) {
    shell_error(sh, "usage: .%s %s", c->name, c->args);
  } else if (!sh->store && c->fn != cmd_help && c->fn != cmd_quit && c->fn != cmd_explain &&
             c->fn != cmd_format) {
    shell_error(sh, "no store is open");
  } else {
    rc = c->fn(sh, argc, argv);
  }
  free(copy);
  return rc;
}
