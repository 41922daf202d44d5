/*
 * main.c -- the trine program: options, opening the store, and the loop
 * that runs commands from arguments, a file or standard input.
 */
#include "shell.h"

#include "serve.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: trine [OPTIONS] STORE [COMMAND ...]\n"
    "       trine --temp [OPTIONS] [COMMAND ...]\n"
    "       trine --explain [STORE] (-f FILE | QUERY)\n"
    "       trine --explain-analyze STORE (-f FILE | QUERY)\n"
    "       trine serve STORE [OPTIONS]   (a SPARQL endpoint: trine serve --help)\n"
    "\n"
    "Open the trine store in directory STORE (created if missing) and run each\n"
    "COMMAND in order: a SPARQL 1.1 query or update, or a dot-command such as\n"
    ".load FILE or .stats (.help lists them). With no COMMAND and no -f, read\n"
    "commands from standard input: on a terminal this is the interactive shell\n"
    "with line editing, history and Tab completion; otherwise they just run.\n"
    "In input, a dot-command is one line. A SPARQL request may span lines: it\n"
    "ends at a line ending in ';' or at a blank line, once its brackets balance\n"
    "and it is complete, unless the next word continues it (after ';', another\n"
    "operation of an update; after a blank line, ORDER BY, say). A query ends\n"
    "at its ';', and a dot-command line where brackets balance ends a request.\n"
    "At the prompt only what was typed or pasted is looked at.\n"
    "\n"
    "Options:\n"
    "  -f, --file FILE   run the commands and queries in FILE (before any COMMAND)\n"
    "      --format FMT  query results as table, line (one line per value), tsv,\n"
    "                    csv, json or xml (default: a table on a terminal, TSV\n"
    "                    otherwise); CONSTRUCT and DESCRIBE results also as\n"
    "                    turtle or ntriples (a table shows them as Turtle)\n"
    "      --base IRI    resolve relative IRIs in queries against IRI\n"
    "      --explain     show how the query (-f FILE or QUERY) would run,\n"
    "                    without running it: its SPARQL algebra and, with a\n"
    "                    STORE, how each triple pattern is read (index,\n"
    "                    estimated rows)\n"
    "      --explain-analyze  run the query on STORE (rows discarded; an\n"
    "                    update is never run) and show the plan as run: each\n"
    "                    step with its estimated and actual rows and time\n"
    "      --timeout MS  stop each query or update after MS milliseconds (default:\n"
    "                    never; .timeout changes it)\n"
    "      --memory-limit SIZE  memory for each query's intermediate results, in\n"
    "                    bytes or with K, M or G: 512M (default 1G; .memory)\n"
    "      --service-allow URL-PREFIX  let queries call the SPARQL endpoints whose\n"
    "                    IRI starts with URL-PREFIX with SERVICE (repeatable; none by\n"
    "                    default: SERVICE is refused)\n"
    "      --temp        use a new temporary store, deleted when trine exits (the\n"
    "                    same as STORE :memory:), to try things out\n"
    "      --readonly    open the store read-only: any number of read-only\n"
    "                    shells can query a store while another one loads\n"
    "      --bail        stop at the first error\n"
    "  -h, --help        show this help and exit\n"
    "      --version     show the version and exit\n"
    "\n"
    "Interactive keys: Tab completes commands, file names (after .load, .read,\n"
    ".open, .output, .dump), prefixes, local names (rdfs:la to rdfs:label) and\n"
    "?variables; Up and Down walk the history (kept in\n"
    "$XDG_STATE_HOME/trine/history, else in ~/.trine_history); Ctrl-C cancels\n"
    "the running query or load, or clears the line; Ctrl-D quits.\n"
    "\n"
    "Formats: .load reads N-Triples, N-Quads, Turtle and TriG (.nt .nq .ttl .trig,\n"
    "each optionally .gz); .dump writes the same four, uncompressed (.help dump).\n"
    "\n"
    "Exit status: 0 on success, 1 if a query, load or command failed, 2 on\n"
    "wrong usage. An interactive session ends with 0 unless --bail stopped it.\n"
    "\n"
    "Examples:\n"
    "  trine my.store '.load data.nt.gz' .stats\n"
    "  trine my.store 'SELECT ?s WHERE { ?s a <http://xmlns.com/foaf/0.1/Person> }'\n"
    "  trine --format=json my.store -f query.rq\n"
    "  echo 'ASK { ?s ?p ?o }' | trine my.store\n"
    "  trine --temp '.load data.nt' .stats\n"
    "  trine my.store '.load schema.ttl' '.load data.trig' '.dump backup.trig'\n"
    "  trine --format=turtle my.store 'CONSTRUCT WHERE { ?s ?p ?o }'\n";

static int usage_error(const char *msg) {
  fprintf(stderr, "trine: %s\nTry 'trine --help' for more information.\n", msg);
  return 2;
}

/* Prefixes used to shorten IRIs in tables, after the saved ones. */
static const char *const known_prefixes[] = {
    "rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs", "http://www.w3.org/2000/01/rdf-schema#",
    "xsd", "http://www.w3.org/2001/XMLSchema#",
    "owl", "http://www.w3.org/2002/07/owl#",
};
#define NKNOWN (sizeof known_prefixes / sizeof *known_prefixes / 2)


static void free_prefixes(Shell *sh) {
  for (size_t i = 0; i < 2 * sh->nprefixes; ++i) free(sh->prefixes[i]);
  free(sh->prefixes);
  sh->prefixes = NULL;
  sh->nprefixes = 0;
}

static int add_prefix(void *ctx, const char *name, const char *iri) {
  Shell *sh = ctx;
  for (size_t i = 0; i < sh->nprefixes; ++i)
    if (strcmp(sh->prefixes[2 * i], name) == 0) return 0;
  char **v = realloc(sh->prefixes, (sh->nprefixes + 1) * 2 * sizeof *v);
  if (!v) return 1;
  sh->prefixes = v;
  v[2 * sh->nprefixes] = strdup(name);
  v[2 * sh->nprefixes + 1] = strdup(iri);
  if (!v[2 * sh->nprefixes] || !v[2 * sh->nprefixes + 1]) {
    free(v[2 * sh->nprefixes]);
    free(v[2 * sh->nprefixes + 1]);
    return 1;
  }
  sh->nprefixes++;
  return 0;
}

void shell_load_prefixes(Shell *sh) {
  free_prefixes(sh);
  if (sh->store) trine_store_prefixes(sh->store, add_prefix, sh);
  for (size_t i = 0; i < NKNOWN; ++i)
    add_prefix(sh, known_prefixes[2 * i], known_prefixes[2 * i + 1]);
}

/* Whether a store path that does not exist is a query or a dot-command
 * given without a store (trine 'SELECT ...' made a directory of that name). */
static bool looks_like_request(const char *arg) {
  if (access(arg, F_OK) == 0) return false;
  if (strpbrk(arg, " \t\n{}")) return true;
  if (arg[0] != '.' || !isalpha((unsigned char)arg[1])) return false;
  size_t n = strlen(arg + 1);
  for (size_t i = 0; shell_command_name(i); ++i)
    if (strncmp(shell_command_name(i), arg + 1, n) == 0) return true;
  return false;
}

/* A write waiting for another process's writer says so once, and stops
 * waiting on Ctrl-C. */
static int on_busy(void *ctx, unsigned waited_ms) {
  Shell *sh = ctx;
  if (waited_ms == 0) sh->busy_said = false;
  if (waited_ms >= 200 && !sh->busy_said) {
    fprintf(sh->err, "waiting for another writer to finish...%s\n",
            sh->interactive ? " (Ctrl-C stops waiting)" : "");
    sh->busy_said = true;
  }
  return shell_interrupted != 0;
}

/* Open the store at path for the shell (a new store is said on a terminal). */
static TrineStatus open_store(Shell *sh, const char *path, TrineStore **out) {
  TrineOptions opts = {.flags = sh->readonly ? TRINE_OPEN_READONLY : 0,
                       .busy = on_busy, .busy_ctx = sh};
  TrineStatus st = trine_store_open(path, &opts, out);
  if (!st && trine_store_created(*out) && isatty(STDERR_FILENO))
    fprintf(sh->err, "created a new store in %s\n", path);
  return st;
}

/* Whether paths a and b name the same existing directory. */
static bool same_dir(const char *a, const char *b) {
  char ra[PATH_MAX], rb[PATH_MAX];
  return a && b && realpath(a, ra) && realpath(b, rb) && strcmp(ra, rb) == 0;
}

int shell_open(Shell *sh, const char *path) {
  TrineStore *store;
  /* A process opens a store once: .open of the open store closes it first
   * and, should the new open fail, opens it again as it was. */
  bool same = sh->store && same_dir(path, sh->store_path);
  if (same && trine_store_close(sh->store) == TRINE_OK) sh->store = NULL;
  if (open_store(sh, path, &store)) {
    shell_error(sh, "%s", trine_open_errmsg());
    if (same && !sh->store && open_store(sh, sh->store_path, &sh->store))
      shell_error(sh, "cannot open %s again: %s", sh->store_path, trine_open_errmsg());
    return 1;
  }
  char *copy = strdup(path);
  if (!copy) {
    trine_store_close(store);
    shell_error(sh, "out of memory");
    return 1;
  }
  trine_store_close(sh->store);
  free(sh->store_path);
  sh->store = store;
  sh->store_path = copy;
  shell_load_prefixes(sh);
  return 0;
}

/* Whether text declares PREFIX name: itself. */
static bool declares(const char *text, const char *name) {
  size_t n = strlen(name);
  for (const char *p = text; (p = strcasestr(p, "PREFIX")); p += 6) {
    if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) continue;
    const char *q = p + 6 + strspn(p + 6, " \t\r\n");
    if (strncmp(q, name, n) == 0 && q[n] == ':') return true;
  }
  return false;
}

/* The prefixes text declares, then the shell's, as name, IRI pairs in
 * *out (the first ones owned); their number, *out NULL when none. */
static size_t declared_prefixes(Shell *sh, const char *text, char ***out) {
  size_t n = 0;
  char **v = NULL;
  *out = NULL;
  for (const char *p = text; (p = strcasestr(p, "PREFIX")); p += 6) {
    if (p > text && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == ':')) continue;
    const char *name = p + 6 + strspn(p + 6, " \t\r\n");
    size_t nlen = strcspn(name, ": \t\r\n<");
    if (name[nlen] != ':') continue;
    const char *iri = name + nlen + 1;
    iri += strspn(iri, " \t\r\n");
    if (*iri != '<') continue;
    size_t ilen = strcspn(iri + 1, ">\n");
    if (iri[1 + ilen] != '>') continue;
    char **w = realloc(v, (n + 1) * 2 * sizeof *v);
    if (!w) break;
    v = w;
    v[2 * n] = strndup(name, nlen);
    v[2 * n + 1] = strndup(iri + 1, ilen);
    if (!v[2 * n] || !v[2 * n + 1]) {
      free(v[2 * n]);
      free(v[2 * n + 1]);
      break;
    }
    ++n;
  }
  if (!n) {
    free(v);
    return 0;
  }
  char **w = realloc(v, (n + sh->nprefixes) * 2 * sizeof *v);
  if (!w) {
    for (size_t i = 0; i < 2 * n; ++i) free(v[i]);
    free(v);
    return 0;
  }
  memcpy(w + 2 * n, sh->prefixes, sh->nprefixes * 2 * sizeof *w);
  *out = w;
  return n + sh->nprefixes;
}

/* The text to prepare: the known prefixes (saved, then rdf: rdfs: xsd:
 * owl:) that the query does not declare, all
 * on one line (errors then lie one line further), then the query. */
char *shell_with_prefixes(Shell *sh, const char *text, unsigned *added) {
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  if (!m) return NULL;
  bool any = false;
  for (size_t i = 0; i < sh->nprefixes; ++i)
    if (!declares(text, sh->prefixes[2 * i])) {
      fprintf(m, "PREFIX %s: <%s> ", sh->prefixes[2 * i], sh->prefixes[2 * i + 1]);
      any = true;
    }
  if (any) fputc('\n', m);
  fputs(text, m);
  if (fclose(m)) return NULL;
  *added = any ? 1 : 0;
  return buf;
}

static bool reported; /* the sink has said what went wrong */

/* The line of text an error points at, and a caret under its column
 * (columns count characters; a long line is cut around the caret). */
static void print_caret(Shell *sh, const char *text, unsigned line, unsigned col) {
  const char *p = text;
  for (unsigned l = 1; l < line && p; ++l) {
    p = strchr(p, '\n');
    if (p) ++p;
  }
  if (p) shell_caret(sh->err, p, strcspn(p, "\r\n"), col, shell_term_width(sh->err));
}

/* Query errors with a position get the offending line and a caret; the
 * position is that in the text as typed. */
static void query_sink(void *ctx, const TrineError *e) {
  Shell *sh = ctx;
  if (e->status == TRINE_ERR_CANCELLED && shell_interrupted) return; /* said once, below */
  reported = true;
  TrineError e2 = *e;
  if (e2.line && e2.line <= sh->added_lines) {
    e2.line = e2.col = 0;
    char msg[1200];
    snprintf(msg, sizeof msg, "in the prefixes the shell declares (.prefix lists them): %s", e->message);
    e2.message = msg;
    shell_sink(sh, &e2);
    return;
  }
  if (!e2.line) {
    shell_sink(sh, &e2);
    return;
  }
  unsigned line = e2.line - sh->added_lines, col = e2.col;
  /* The position in the file (or line typed), not in the request. */
  e2.line = line + (sh->line0 ? sh->line0 - 1 : 0);
  if (line == 1 && sh->col0) e2.col += sh->col0 - 1;
  shell_sink(sh, &e2);
  if (sh->text) print_caret(sh, sh->text, line, col);
}

/* The running query, for the SIGINT handler. */
static TrineQuery *volatile running;
volatile sig_atomic_t shell_interrupted;

static void on_sigint(int sig) {
  (void)sig;
  shell_interrupted = 1;
  TrineQuery *q = running;
  if (q) trine_query_cancel(q);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A long update's progress on a terminal, on one line that is cleared
 * when it ends (queries draw their rows instead). */
static bool progress_shown;

static int on_query_progress(void *ctx, const TrineQueryProgress *p) {
  Shell *sh = ctx;
  TrineQuery *q = running;
  if (!q || trine_query_form(q) != TRINE_QUERY_UPDATE) return 0;
  static const char *const verb[] = {"matching", "deleting", "inserting", "loading"};
  double secs = (double)p->elapsed_ms / 1e3;
  if (p->todo)
    fprintf(sh->err, "\r%s %3.0f%% (%llu of %llu %s)  %.1fs  (Ctrl-C cancels)\033[K",
            verb[p->phase], 100.0 * (double)p->done / (double)p->todo,
            (unsigned long long)p->done, (unsigned long long)p->todo,
            p->phase == TRINE_QUERY_LOADING ? "bytes" : "quads", secs);
  else
    fprintf(sh->err, "\r%s...  %.1fs  (Ctrl-C cancels)\033[K", verb[p->phase], secs);
  progress_shown = true;
  return 0;
}

static void progress_clear(Shell *sh) {
  if (progress_shown) fputs("\r\033[K", sh->err);
  progress_shown = false;
}

/* .explain and --explain, through the public API: the algebra, each
 * pattern's access path and, with a store, the plan as run (queries only,
 * never updates) with estimated and actual rows. */
/* Prepare text with the saved prefixes the query does not declare; errors
 * are reported (with a caret) and NULL returned. */
static TrineQuery *prepare(Shell *sh, const char *text, bool profile) {
  /* The shell runs its operator's requests: updates and file loads too. */
  TrineQueryOptions qo = {.allow = TRINE_ALLOW_UPDATE | TRINE_ALLOW_LOAD_FILES,
                          .name = sh->source, .base_iri = sh->base, .sink = query_sink,
                          .sink_ctx = sh, .profile = profile, .timeout_ms = sh->timeout_ms,
                          .memory_limit = sh->memory_limit,
                          .service_allow = sh->service_allow,
                          .nservice_allow = sh->nservice_allow};
  if (sh->nservice_allow) qo.allow |= TRINE_ALLOW_SERVICE;
  if (isatty(fileno(sh->err))) {
    qo.progress = on_query_progress;
    qo.progress_ctx = sh;
  }
  unsigned added = 0;
  char *full = shell_with_prefixes(sh, text, &added);
  if (!full) {
    shell_error(sh, "out of memory");
    return NULL;
  }
  sh->text = text;
  sh->added_lines = added;
  reported = false;
  TrineQuery *q;
  TrineStatus st = trine_query_prepare(sh->store, full, strlen(full), &qo, &q);
  free(full);
  if (!st) return q;
  sh->text = NULL;
  if (!reported && sh->store) shell_error(sh, "%s", trine_store_errmsg(sh->store));
  else sh->errors++;
  return NULL;
}

/* A copy of text without the ';' that ends it in the shell (a space keeps
 * error positions right), or NULL when out of memory. */
static char *without_final_semicolon(const char *text) {
  char *copy = strdup(text);
  ReqScan scan = {0};
  if (copy) req_scan_line(&scan, copy);
  if (scan.last == ';') *(char *)scan.last_at = ' ';
  return copy;
}

/* Step q to its end; the rows in *rows. Ctrl-C cancels it. */
static TrineStatus run_through(TrineQuery *q, uint64_t *rows) {
  TrineStatus st;
  *rows = 0;
  running = q;
  if (shell_interrupted) trine_query_cancel(q);
  while ((st = trine_query_step(q)) == TRINE_ROW) ++*rows;
  running = NULL;
  return st;
}

/* After .explain: say why the run (st) or the explanation (shown) failed;
 * 0 when neither did. */
static int explain_failed(Shell *sh, TrineStatus st, TrineStatus shown, bool by_user) {
  if (st == TRINE_ERR_CANCELLED && by_user) {
    fprintf(sh->err, "interrupted: the query was cancelled\n");
    sh->errors++;
    return 1;
  }
  if (st != TRINE_DONE) { /* positioned errors went through the sink */
    if (!reported)
      shell_error(sh, "%s", sh->store ? trine_store_errmsg(sh->store) : trine_strerror(st));
    else sh->errors++;
    return 1;
  }
  if (shown) {
    shell_error(sh, "%s", sh->store ? trine_store_errmsg(sh->store) : trine_strerror(shown));
    return 1;
  }
  return 0;
}

static int explain_query(Shell *sh, const char *text, bool analyze) {
  TrineQuery *q = prepare(sh, text, analyze);
  if (!q) return 1;
  TrineStatus st = TRINE_DONE;
  bool update = trine_query_form(q) == TRINE_QUERY_UPDATE;
  uint64_t rows = 0;
  double t0 = now();
  if (analyze && !update) st = run_through(q, &rows);
  double ms = (now() - t0) * 1e3;
  bool by_user = shell_interrupted;
  shell_interrupted = 0;
  /* The plan is shown even when the run failed: it may say why. */
  TrineStatus shown = shell_explain_write(sh, q);
  if (analyze && update) fputs("(an update is not run by .explain analyze)\n", sh->out);
  else if (analyze && st == TRINE_DONE)
    fprintf(sh->out, "(%llu row%s, %.3f ms)\n", (unsigned long long)rows, rows == 1 ? "" : "s",
            ms);
  sh->text = NULL;
  trine_query_free(q);
  return explain_failed(sh, st, shown, by_user);
}

int shell_explain(Shell *sh, const char *text, bool analyze) {
  if (analyze && !sh->store) {
    shell_error(sh, ".explain analyze runs the query: it needs a store");
    return 1;
  }
  char *copy = without_final_semicolon(text);
  if (!copy) {
    shell_error(sh, "out of memory");
    return 1;
  }
  int rc = explain_query(sh, copy, analyze);
  free(copy);
  return rc;
}

/* What an update changed: after it in the screen's formats (table, line),
 * else on the terminal or with .timer. */
static void say_changes(Shell *sh, TrineResultFormat f, uint64_t ins, uint64_t del,
                        const char *timing) {
  bool screen = f == TRINE_RESULTS_TABLE || f == TRINE_RESULTS_LINE;
  FILE *to = screen ? sh->out : sh->interactive || sh->timer ? sh->err : NULL;
  if (to)
    fprintf(to, "(%llu quad%s inserted, %llu deleted%s)\n", (unsigned long long)ins,
            ins == 1 ? "" : "s", (unsigned long long)del, timing);
}

/* Free what declared_prefixes() made (the shell's own pairs stay). */
static void free_pairs(Shell *sh, char **pv, size_t np) {
  if (!pv) return;
  for (size_t i = 0; i < np - sh->nprefixes; ++i) free(pv[2 * i]), free(pv[2 * i + 1]);
  free(pv);
}

static int run_query(Shell *sh, const char *text) {
  double t0 = now();
  TrineQuery *q = prepare(sh, text, false);
  if (!q) return 1;
  TrineStatus st;
  TrineResultFormat f = sh->format ? sh->format
                        : isatty(fileno(sh->out)) ? TRINE_RESULTS_TABLE : TRINE_RESULTS_TSV;
  /* The query's own PREFIX declarations shorten its table first. */
  char **pv = NULL;
  size_t np = declared_prefixes(sh, text, &pv);
  TrineWriteOptions wo = {.prefixes = (const char *const *)(pv ? pv : sh->prefixes),
                          .nprefixes = pv ? np : sh->nprefixes,
                          .width = shell_term_width(sh->out),
                          .max_rows = sh->limit,
                          .headers = !sh->no_headers};
  uint64_t rows = 0;
  TrineQueryForm form = trine_query_form(q);
  bool update = form == TRINE_QUERY_UPDATE;
  bool graph = form == TRINE_QUERY_CONSTRUCT || form == TRINE_QUERY_DESCRIBE;
  if (graph && f == TRINE_RESULTS_TABLE) f = TRINE_RESULTS_TURTLE; /* a graph reads best so */
  if (!graph && !update && (f == TRINE_RESULTS_TURTLE || f == TRINE_RESULTS_NTRIPLES)) {
    shell_error(sh, "%s results are not a graph: turtle and ntriples show CONSTRUCT and "
                "DESCRIBE results; use .format table, line, tsv, csv, json or xml",
                form == TRINE_QUERY_ASK ? "ASK" : "SELECT");
    sh->text = NULL;
    free_pairs(sh, pv, np);
    trine_query_free(q);
    return 1;
  }
  running = q;
  /* Ctrl-C after the query was entered but before it started cancels it. */
  if (shell_interrupted) trine_query_cancel(q);
  st = trine_query_write(q, f, &wo, sh->out, &rows);
  running = NULL;
  progress_clear(sh);
  uint64_t ins = 0, del = 0;
  if (update) trine_query_changes(q, &ins, &del);
  sh->text = NULL;
  free_pairs(sh, pv, np);
  trine_query_free(q);
  fflush(sh->out);
  double secs = now() - t0;
  /* What is said follows from what happened: a Ctrl-C that came after the
   * request finished (an update committed) changed nothing. */
  bool by_user = shell_interrupted;
  shell_interrupted = 0;
  if (st == TRINE_ERR_CANCELLED && by_user) {
    clearerr(sh->out);
    fprintf(sh->err, "%sinterrupted: the %s was cancelled%s\n", sh->interactive ? "\n" : "",
            update ? "update" : "query", update ? ", the store is unchanged" : "");
    sh->errors++;
    return 1;
  }
  if (st) {
    /* Positioned errors went through the sink; others are said here. */
    if (!reported) shell_error(sh, "%s", trine_store_errmsg(sh->store));
    else sh->errors++;
    if (st == TRINE_ERR_CANCELLED && sh->timeout_ms)
      fprintf(sh->err, "(stopped by the timeout of %u ms: .timeout changes it%s)\n",
              sh->timeout_ms, update ? "; the store is unchanged" : "");
    return 1;
  }
  char timing[64] = "";
  if (sh->timer) snprintf(timing, sizeof timing, ", %.3f s", secs);
  /* A row count for the screen's formats; an ASK table has one answer. */
  bool counted = (f == TRINE_RESULTS_TABLE || f == TRINE_RESULTS_LINE) && form != TRINE_QUERY_ASK;
  if (update) {
    say_changes(sh, f, ins, del, timing);
  } else if (counted) {
    if (sh->limit && rows >= sh->limit)
      fprintf(sh->out, "(%llu row%s shown: .limit %llu%s)\n", (unsigned long long)rows,
              rows == 1 ? "" : "s", (unsigned long long)sh->limit, timing);
    else
      fprintf(sh->out, "(%llu row%s%s)\n", (unsigned long long)rows, rows == 1 ? "" : "s",
              timing);
  } else if (sh->timer) {
    fprintf(sh->err, "(%llu row%s%s)\n", (unsigned long long)rows, rows == 1 ? "" : "s",
            timing);
  }
  return 0;
}

/* Skip leading white space, moving the request's start position along. */
static const char *skip_space(Shell *sh, const char *text) {
  for (; *text == ' ' || *text == '\t' || *text == '\n' || *text == '\r'; ++text) {
    if (*text == '\n') sh->line0++, sh->col0 = 1;
    else if (*text != '\r') sh->col0++;
  }
  return text;
}

static int run_unit(Shell *sh, const char *text);

int shell_run(Shell *sh, const char *text) {
  unsigned line0 = sh->line0, col0 = sh->col0;
  if (!sh->line0) sh->line0 = sh->col0 = 1;
  int rc = run_unit(sh, skip_space(sh, text));
  sh->line0 = line0;
  sh->col0 = col0;
  return rc;
}

static int run_unit(Shell *sh, const char *text) {
  if (!*text) return 0;
  if (*text == '.') return shell_dot(sh, text);
  /* The ';' that ends a query in the shell is not part of it. */
  char *copy = without_final_semicolon(text);
  if (!copy) {
    shell_error(sh, "out of memory");
    return 1;
  }
  int rc = run_query(sh, copy);
  free(copy);
  return rc;
}

static bool blank(const char *line) {
  return line[strspn(line, " \t\r\n")] == '\0';
}

/* The input of run_stream: the stream, and lines read ahead (to see
 * whether a request goes on) not taken yet. */
typedef struct {
  FILE *in;
  bool editing;
  bool eof;         ///< the stream has ended (lines may remain ahead)
  bool interrupted; ///< Ctrl-C while reading ahead at the prompt
  char *ahead;      ///< lines read ahead, from offset pos; NUL-terminated
  size_t len, cap, pos;
} Input;

/* Read one line: with the editor when interactive, else getline. Returns
 * the length, or -1 at the end; *interrupted when Ctrl-C dropped it. */
static ssize_t read_line(Input *in, const char *prompt, char **line, size_t *cap,
                         bool *interrupted) {
  *interrupted = false;
  if (in->editing) {
    const char *l = edit_line(prompt, interrupted);
    if (!l) return -1;
    size_t n = strlen(l);
    if (n + 2 > *cap) {
      char *b = realloc(*line, n + 2);
      if (!b) return -1;
      *line = b;
      *cap = n + 2;
    }
    memcpy(*line, l, n + 1);
    if (n == 0 || (*line)[n - 1] != '\n') { /* the last line, without its newline */
      (*line)[n++] = '\n';
      (*line)[n] = '\0';
    }
    return (ssize_t)n;
  }
  return getline(line, cap, in->in);
}

/* The next line: the first one read ahead, else a new one. */
static ssize_t next_line(Shell *sh, Input *in, const char *prompt, char **line, size_t *cap,
                         bool *interrupted) {
  *interrupted = false;
  if (in->pos < in->len) {
    const char *p = in->ahead + in->pos;
    size_t n = strcspn(p, "\n");
    n += p[n] == '\n';
    if (n + 1 > *cap) {
      char *b = realloc(*line, n + 1);
      if (!b) return -1;
      *line = b;
      *cap = n + 1;
    }
    memcpy(*line, p, n);
    (*line)[n] = '\0';
    in->pos += n;
    if (in->pos == in->len) in->pos = in->len = 0, in->ahead[0] = '\0';
    return (ssize_t)n;
  }
  if (in->eof) return -1;
  if (sh->interactive && !in->editing) {
    fputs(prompt, stderr);
    fflush(stderr);
  }
  return read_line(in, prompt, line, cap, interrupted);
}

/* Whether input waits on the terminal: typed ahead or pasted. */
static bool input_waiting(void) {
  struct pollfd p = {.fd = STDIN_FILENO, .events = POLLIN};
  return poll(&p, 1, 0) > 0 && (p.revents & POLLIN);
}

/* Append n bytes to the buffer *buf (length *len, capacity *cap, kept
 * NUL-terminated), doubling it so that a long request is copied O(n). */
static bool append(char **buf, size_t *len, size_t *cap, const char *s, size_t n) {
  if (*len + n + 1 > *cap) {
    size_t c = *cap ? *cap : 256;
    while (c < *len + n + 1) c *= 2;
    char *b = realloc(*buf, c);
    if (!b) return false;
    *buf = b;
    *cap = c;
  }
  memcpy(*buf + *len, s, n);
  *len += n;
  (*buf)[*len] = '\0';
  return true;
}

/* Read one more line ahead; false at the end of input, on Ctrl-C, and at
 * the prompt when nothing more was typed or pasted. */
static bool read_ahead(Shell *sh, Input *in) {
  if (in->eof || (sh->interactive && !input_waiting())) return false;
  char *line = NULL;
  size_t cap = 0;
  bool interrupted;
  if (sh->interactive && !in->editing) fputs("  ...> ", stderr);
  ssize_t n = read_line(in, "  ...> ", &line, &cap, &interrupted);
  bool ok = n >= 0 && !interrupted && append(&in->ahead, &in->len, &in->cap, line, (size_t)n);
  if (interrupted) in->interrupted = true;
  else if (n < 0) in->eof = true;
  free(line);
  return ok;
}

/* Whether the request unit (in state st) goes on, by the next word of the
 * input: in a file or a pipe read up to it (or the end); at the prompt only
 * what was typed or pasted already counts. */
static bool goes_on(Shell *sh, Input *in, const char *unit, ReqState st) {
  for (;;) {
    const char *next = in->ahead ? in->ahead + in->pos : "";
    size_t start, end;
    long r = req_next_word(next, &start, &end);
    if (r) return r > 0 && req_goes_on(sh, st, unit, next, start, end);
    if (!read_ahead(sh, in)) return false;
  }
}

/* A unit for the history: one line, unless it holds a comment. */
static void remember(const char *unit) {
  char *h = strdup(unit);
  if (!h) return;
  size_t n = strlen(h);
  while (n && (h[n - 1] == '\n' || h[n - 1] == '\r' || h[n - 1] == ' ')) h[--n] = '\0';
  if (!strchr(h, '#'))
    for (char *p = h; *p; ++p)
      if (*p == '\n' || *p == '\r') *p = ' ';
  if (*h) edit_history_add(h);
  free(h);
}

/* A request being read: its text, where its SPARQL starts (after
 * .explain [analyze]) and the scan of that. */
typedef struct {
  char *text;
  size_t len, cap, start;
  ReqScan scan;
} Unit;

/* Run the request read so far and start anew. Returns 0 or 1. */
static int run_pending(Shell *sh, Unit *u, bool editing) {
  if (editing) remember(u->text);
  int rc = shell_run(sh, u->text);
  u->len = 0;
  return rc;
}

/* Whether line, the first of a unit, starts a request: SPARQL, or a
 * dot-command that takes a query (*start: where the query starts). */
static bool starts_request(const char *line, size_t *start) {
  size_t indent = strspn(line, " \t");
  bool analyze;
  *start = 0;
  if (line[indent] != '.') return true;
  size_t q = shell_dot_query(line + indent, &analyze);
  *start = q ? indent + q : 0;
  return q != 0;
}

/* Whether line is a dot-command: first on it, '.' and a letter. */
static bool dot_line(const char *line) {
  const char *p = line + strspn(line, " \t");
  return p[0] == '.' && isalpha((unsigned char)p[1]);
}

/* Add line to the request u; false when it ends there (and should run). */
static bool read_on(Shell *sh, Input *in, Unit *u, const char *line, size_t n, size_t start) {
  bool first = u->len == 0;
  if (first) {
    u->scan = (ReqScan){0};
    u->start = start;
  }
  if (!append(&u->text, &u->len, &u->cap, line, n)) return false;
  req_scan_line(&u->scan, first ? line + start : line);
  ReqState st = req_state(sh, &u->scan, u->text + u->start, blank(line));
  return st == REQ_MORE || (st != REQ_END && goes_on(sh, in, u->text + u->start, st));
}

/* Run commands from a stream: a dot-command is one line, a SPARQL request
 * (or .explain and its query) runs where it ends (request.c). A
 * dot-command where brackets balance ends a request before it. */
static int run_stream(Shell *sh, FILE *f, bool editing) {
  Input in = {.in = f, .editing = editing};
  Unit u = {0};
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  /* Errors point into the file; at the prompt, into the request typed. */
  unsigned lineno = 0, line0 = sh->line0, col0 = sh->col0;
  for (;;) {
    sh->pending = u.len ? u.text : NULL;
    bool interrupted;
    ssize_t n = next_line(sh, &in, u.len ? "  ...> " : "trine> ", &line, &cap, &interrupted);
    sh->pending = NULL;
    if (interrupted) { /* Ctrl-C at the prompt: drop what was typed */
      u.len = 0;
      continue;
    }
    if (n < 0) break;
    ++lineno;
    if (u.len && dot_line(line) && u.scan.depth <= 0 && !u.scan.quote) {
      rc |= run_pending(sh, &u, editing);
      if ((rc && sh->bail) || sh->quit) break;
    }
    if (u.len == 0) {
      sh->line0 = sh->interactive ? 1 : lineno;
      sh->col0 = 1;
    }
    if (u.len == 0 && (blank(line) || line[strspn(line, " \t")] == '#')) continue;
    size_t start = 0;
    if (u.len == 0 && !starts_request(line, &start)) {
      if (editing) remember(line);
      if (shell_run(sh, line)) rc = 1;
    } else {
      if (read_on(sh, &in, &u, line, (size_t)n, start)) continue;
      if (in.interrupted) { /* Ctrl-C while reading ahead: drop it all */
        in.interrupted = false;
        in.pos = in.len = u.len = 0;
        if (in.ahead) in.ahead[0] = '\0';
        continue;
      }
      rc |= run_pending(sh, &u, editing);
    }
    if ((rc && sh->bail) || sh->quit) break;
  }
  if (u.len && !(rc && sh->bail) && !sh->quit && !blank(u.text)) rc |= run_pending(sh, &u, false);
  if (sh->interactive && !sh->quit) fputc('\n', stderr);
  sh->line0 = line0;
  sh->col0 = col0;
  free(in.ahead);
  free(line);
  free(u.text);
  return rc;
}

/* The whole content of a file (NUL-terminated), or NULL. */
static char *slurp(const char *path) {
  FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
  if (!f) return NULL;
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  char chunk[65536];
  size_t n;
  while (m && (n = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, n, m);
  if (m) fclose(m);
  if (f != stdin) fclose(f);
  return buf;
}

int shell_run_file(Shell *sh, const char *path) {
  if (sh->depth >= 16) {
    shell_error(sh, "%s: files read each other too deeply", path);
    return 1;
  }
  FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
  if (!f) {
    shell_error(sh, "cannot open %s: %s", path, strerror(errno));
    return 1;
  }
  bool interactive = sh->interactive;
  const char *source = sh->source;
  sh->interactive = false;
  sh->source = strcmp(path, "-") ? path : "stdin";
  sh->depth++;
  int rc = run_stream(sh, f, false);
  sh->depth--;
  sh->interactive = interactive;
  sh->source = source;
  if (f != stdin) fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  enum { OPT_READONLY = 256, OPT_BAIL, OPT_VERSION, OPT_EXPLAIN, OPT_FORMAT, OPT_BASE,
         OPT_TIMEOUT, OPT_MEMORY, OPT_EXPLAIN_ANALYZE, OPT_TEMP, OPT_SERVICE_ALLOW };
  static const struct option longopts[] = {
      {"file", required_argument, NULL, 'f'},
      {"readonly", no_argument, NULL, OPT_READONLY},
      {"bail", no_argument, NULL, OPT_BAIL},
      {"explain", no_argument, NULL, OPT_EXPLAIN},
      {"explain-analyze", no_argument, NULL, OPT_EXPLAIN_ANALYZE},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"base", required_argument, NULL, OPT_BASE},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"memory-limit", required_argument, NULL, OPT_MEMORY},
      {"temp", no_argument, NULL, OPT_TEMP},
      {"service-allow", required_argument, NULL, OPT_SERVICE_ALLOW},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0}};
  if (argc > 1 && strcmp(argv[1], "serve") == 0) return serve_main(argc - 1, argv + 1);
  /* argv lives as long as the shell: --service-allow prefixes point into it */
  static const char **allow; /* static: reachable at every exit */
  allow = calloc((size_t)argc + 1, sizeof *allow);
  if (!allow) return 1;
  Shell sh = {.out = stdout, .err = stderr, .source = "query", .service_allow = allow};
  const char *script = NULL;
  bool explain = false, analyze = false, temp = false;
  int c;
  while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'f': script = optarg; break;
    case OPT_READONLY: sh.readonly = true; break;
    case OPT_BAIL: sh.bail = true; break;
    case OPT_EXPLAIN: explain = true; break;
    case OPT_EXPLAIN_ANALYZE: explain = analyze = true; break;
    case OPT_BASE: sh.base = optarg; break;
    case OPT_TIMEOUT:
      if (!shell_parse_ms(optarg, &sh.timeout_ms))
        return usage_error("--timeout takes a number of milliseconds");
      break;
    case OPT_MEMORY:
      if (!shell_parse_size(optarg, &sh.memory_limit))
        return usage_error("--memory-limit takes a size: bytes, or with K, M or G (512M)");
      break;
    case OPT_TEMP: temp = true; break;
    case OPT_SERVICE_ALLOW:
      if (strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8))
        return usage_error("--service-allow takes an http:// or https:// IRI prefix");
      sh.service_allow[sh.nservice_allow++] = optarg;
      break;
    case OPT_FORMAT:
      if (!(sh.format = shell_format(optarg)))
        return usage_error(
            "--format takes table, line, tsv, csv, json, xml, turtle or ntriples");
      break;
    case 'h': fputs(usage_text, stdout); return 0;
    case OPT_VERSION: printf("trine %s\n", trine_version()); return 0;
    default: return usage_error("unknown option");
    }
  }
  if (explain) {
    /* trine --explain [STORE] (-f FILE | QUERY), --explain-analyze STORE ... */
    const char *query_arg = NULL;
    if (!script && optind < argc) query_arg = argv[argc - 1];
    if (!script && !query_arg) return usage_error("--explain needs a query: -f FILE or QUERY");
    if (analyze && optind >= argc - (script ? 0 : 1))
      return usage_error("--explain-analyze runs the query: it needs a STORE");
    char *text = script ? slurp(script) : strdup(query_arg);
    if (!text) {
      fprintf(stderr, "trine: cannot read %s\n", script ? script : "query");
      return 1;
    }
    if (script) sh.source = script;
    bool with_store = optind < argc - (script ? 0 : 1);
    TrineOptions ro = {.flags = TRINE_OPEN_READONLY};
    if (with_store && trine_store_open(argv[optind], &ro, &sh.store)) {
      fprintf(stderr, "trine: %s\n", trine_open_errmsg());
      free(text);
      return 1;
    }
    int rc = shell_explain(&sh, text, analyze);
    trine_store_close(sh.store);
    free(text);
    return rc;
  }
  if (!temp && optind >= argc) return usage_error("missing STORE");
  const char *store_path = temp ? shell_temp_name : argv[optind++];
  if (looks_like_request(store_path))
    return usage_error("the first argument is the store: trine STORE [QUERY | .COMMAND]...");
  if (strcmp(store_path, shell_temp_name) == 0) {
    if (shell_open_temp(&sh)) return 1;
  } else if (open_store(&sh, store_path, &sh.store)) {
    fprintf(stderr, "trine: %s\n", trine_open_errmsg());
    return 1;
  }
  if (!sh.store_path) sh.store_path = strdup(store_path);
  shell_load_prefixes(&sh);
  bool from_stdin = !script && optind >= argc;
  sh.interactive = from_stdin && isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
  if (sh.interactive) {
    /* Ctrl-C cancels the running query or load, or drops the line typed. */
    struct sigaction sa = {.sa_handler = on_sigint};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    fprintf(stderr, "trine %s, %s%s\n"
                    "Enter SPARQL ending with ';' or a blank line; .help lists the commands; "
                    "Ctrl-D quits.\n",
            trine_version(), shell_is_temp(&sh) ? "a temporary store, deleted at exit" : "store ",
            shell_is_temp(&sh) ? "" : sh.store_path ? sh.store_path : store_path);
  }
  int rc = 0;
  if (script) rc |= shell_run_file(&sh, script);
  for (int i = optind; i < argc && !sh.quit && !(rc && sh.bail); ++i)
    rc |= shell_run(&sh, argv[i]);
  if (from_stdin) {
    if (!sh.interactive) sh.source = "stdin";
    bool editing = sh.interactive && edit_init(&sh) == 0;
    int src = run_stream(&sh, stdin, editing);
    /* A person saw each error as it came: a session ends with 0. */
    if (!sh.interactive || sh.bail) rc |= src;
    if (editing) edit_end();
  }
  if (sh.out != stdout) fclose(sh.out);
  free(sh.out_path);
  free_prefixes(&sh);
  trine_store_close(sh.store);
  free(sh.store_path);
  free(allow);
  return rc ? 1 : 0;
}
