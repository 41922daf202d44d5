/*
 * main.c -- the trine program: options, opening the store, and the loop
 * that runs commands from arguments, a file or standard input.
 */
#include "shell.h"
#include "plan.h"
#include "sparql.h"

#include <getopt.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: trine [OPTIONS] STORE [COMMAND ...]\n"
    "\n"
    "Open the trine store in directory STORE (created if missing) and run each\n"
    "COMMAND in order; with no COMMAND, read commands from standard input\n"
    "(with a prompt when it is a terminal). A command is a dot-command such as\n"
    ".load FILE or .stats; .help lists them.\n"
    "\n"
    "Options:\n"
    "  -f, --file FILE   run the commands and queries in FILE (before any COMMAND)\n"
    "      --format FMT  query results as table, tsv, csv, json or xml (default:\n"
    "                    a table on a terminal, TSV otherwise)\n"
    "      --base IRI    resolve relative IRIs in queries against IRI\n"
    "      --explain     parse the query (-f FILE or QUERY) and print its\n"
    "                    SPARQL algebra; with a STORE, also how each triple\n"
    "                    pattern is read (index, estimated rows)\n"
    "      --readonly    open the store read-only\n"
    "      --bail        stop at the first error\n"
    "  -h, --help        show this help and exit\n"
    "      --version     show the version and exit\n"
    "\n"
    "Exit status: 0 on success, 1 if a command failed, 2 on wrong usage.\n"
    "Examples:\n"
    "  trine my.store .load data.nt.gz .stats\n"
    "  trine my.store 'SELECT ?s WHERE { ?s a <http://xmlns.com/foaf/0.1/Person> }'\n"
    "  trine --format=json my.store -f query.rq\n";

static int usage_error(const char *msg) {
  fprintf(stderr, "trine: %s\nTry 'trine --help' for more information.\n", msg);
  return 2;
}

/* Parse a query; print its error and the offending line if it is wrong. */
static SparqlRequest *parse_query(Shell *sh, const char *name, const char *text) {
  SparqlRequest *req = NULL;
  TrineError err = {0};
  if (sparql_parse(name, text, strlen(text), NULL, &req, &err) == TRINE_OK) return req;
  shell_sink(sh, &err);
  sparql_error_caret(text, strlen(text), &err, sh->err);
  sh->errors++;
  return NULL;
}

int shell_explain(Shell *sh, const char *text) {
  SparqlRequest *req = parse_query(sh, sh->source, text);
  if (!req) return 1;
  int rc = sparql_algebra_print(req, sh->out) ? 1 : 0;
  TrineTxn *txn = NULL;
  if (!rc && sh->store && !trine_txn_begin(sh->store, false, &txn)) {
    if (plan_print_access(txn, req, sh->out)) {
      shell_error(sh, "%s", trine_store_errmsg(sh->store));
      rc = 1;
    }
    trine_txn_abort(txn);
  }
  sparql_request_free(req);
  return rc;
}

/* Prefixes used to shorten IRIs in tables. */
static const char *const known_prefixes[] = {
    "rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs", "http://www.w3.org/2000/01/rdf-schema#",
    "xsd", "http://www.w3.org/2001/XMLSchema#",
    "owl", "http://www.w3.org/2002/07/owl#",
};

/* Query errors with a position get the offending line and a caret. */
static void query_sink(void *ctx, const TrineError *e) {
  Shell *sh = ctx;
  shell_sink(sh, e);
  if (e->line && sh->text)
    sparql_error_caret(sh->text, strlen(sh->text), e, sh->err);
}

static int run_query(Shell *sh, const char *text) {
  TrineQueryOptions qo = {.name = sh->source, .base_iri = sh->base, .sink = query_sink,
                          .sink_ctx = sh};
  TrineQuery *q;
  sh->text = text;
  TrineStatus st = trine_query_prepare(sh->store, text, strlen(text), &qo, &q);
  if (st) {
    sh->text = NULL;
    sh->errors++;
    return 1;
  }
  TrineResultFormat f = sh->format ? sh->format
                        : isatty(fileno(sh->out)) ? TRINE_RESULTS_TABLE : TRINE_RESULTS_TSV;
  TrineWriteOptions wo = {.prefixes = known_prefixes,
                          .nprefixes = sizeof known_prefixes / sizeof *known_prefixes / 2,
                          .headers = true};
  uint64_t rows = 0;
  bool update = trine_query_form(q) == TRINE_QUERY_UPDATE;
  st = trine_query_write(q, f, &wo, sh->out, &rows);
  sh->text = NULL;
  trine_query_free(q);
  if (st) {
    /* Positioned errors went through the sink; others are said here. */
    if (st != TRINE_ERR_SYNTAX) shell_error(sh, "%s", trine_store_errmsg(sh->store));
    else sh->errors++;
    return 1;
  }
  if (f == TRINE_RESULTS_TABLE && !update)
    fprintf(sh->out, "(%llu row%s)\n", (unsigned long long)rows, rows == 1 ? "" : "s");
  return 0;
}

int shell_run(Shell *sh, const char *text) {
  while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') ++text;
  if (!*text) return 0;
  if (*text == '.') return shell_dot(sh, text);
  return run_query(sh, text);
}

/* Whether text holds only a prologue (PREFIX and BASE declarations and
 * comments): the query proper is still to come. */
static bool only_prologue(const char *text) {
  const char *p = text;
  for (;;) {
    p += strspn(p, " \t\r\n");
    if (*p == '#') {
      p += strcspn(p, "\n");
      continue;
    }
    if (!*p) return true;
    bool prefix = strncasecmp(p, "PREFIX", 6) == 0, base = strncasecmp(p, "BASE", 4) == 0;
    if (!prefix && !base) return false;
    p += prefix ? 6 : 4;
    if (prefix) { /* the prefix name */
      p += strspn(p, " \t\r\n");
      p += strcspn(p, " \t\r\n<");
    }
    p += strspn(p, " \t\r\n");
    if (*p != '<') return false;
    const char *end = strchr(p, '>');
    if (!end) return true;
    p = end + 1;
  }
}

/* Whether the text so far is a complete query: brackets balance and it ends
 * with ';' or a blank line. Strings, IRIs and comments do not count. */
static bool complete(const char *text, bool blank_line) {
  if (only_prologue(text)) return false;
  int depth = 0;
  char last = 0;
  for (const char *p = text; *p; ++p) {
    char c = *p;
    if (c == '#') {
      while (p[1] && p[1] != '\n') ++p;
      continue;
    }
    if (c == '"' || c == '\'') {
      bool longq = p[1] == c && p[2] == c;
      p += longq ? 3 : 1;
      while (*p && !(longq ? (p[0] == c && p[1] == c && p[2] == c) : *p == c)) {
        if (*p == '\\' && p[1]) ++p;
        if (!longq && *p == '\n') break;
        ++p;
      }
      if (!*p) return blank_line;
      if (longq) p += 2;
      last = c;
      continue;
    }
    if (c == '{' || c == '(' || c == '[') ++depth;
    if (c == '}' || c == ')' || c == ']') --depth;
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') last = c;
  }
  return depth <= 0 && (last == ';' || blank_line);
}

static bool blank(const char *line) {
  return line[strspn(line, " \t\r\n")] == '\0';
}

/* Run commands from a stream: a dot-command is one line, a query runs to
 * ';' or a blank line once its brackets balance. */
static int run_stream(Shell *sh, FILE *in) {
  char *line = NULL, *unit = NULL;
  size_t cap = 0, ulen = 0;
  int rc = 0;
  for (;;) {
    if (sh->interactive) {
      fputs(ulen ? "  ...> " : "trine> ", stderr);
      fflush(stderr);
    }
    ssize_t n = getline(&line, &cap, in);
    if (n < 0) break;
    if (ulen == 0 && (blank(line) || line[strspn(line, " \t")] == '#')) continue;
    if (ulen == 0 && line[strspn(line, " \t")] == '.') {
      if (shell_run(sh, line)) rc = 1;
    } else {
      char *u = realloc(unit, ulen + (size_t)n + 1);
      if (!u) break;
      unit = u;
      memcpy(unit + ulen, line, (size_t)n + 1);
      ulen += (size_t)n;
      if (!complete(unit, blank(line))) continue;
      if (shell_run(sh, unit)) rc = 1;
      ulen = 0;
    }
    if ((rc && sh->bail) || sh->quit) break;
  }
  if (ulen && !(rc && sh->bail) && !sh->quit && !blank(unit) && shell_run(sh, unit)) rc = 1;
  if (sh->interactive && !sh->quit) fputc('\n', stderr);
  free(line);
  free(unit);
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

static int run_file(Shell *sh, const char *path) {
  FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
  if (!f) {
    shell_error(sh, "cannot open %s", path);
    return 1;
  }
  bool interactive = sh->interactive;
  const char *source = sh->source;
  sh->interactive = false;
  sh->source = path;
  int rc = run_stream(sh, f);
  sh->interactive = interactive;
  sh->source = source;
  if (f != stdin) fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  enum { OPT_READONLY = 256, OPT_BAIL, OPT_VERSION, OPT_EXPLAIN, OPT_FORMAT, OPT_BASE };
  static const struct option longopts[] = {
      {"file", required_argument, NULL, 'f'},
      {"readonly", no_argument, NULL, OPT_READONLY},
      {"bail", no_argument, NULL, OPT_BAIL},
      {"explain", no_argument, NULL, OPT_EXPLAIN},
      {"format", required_argument, NULL, OPT_FORMAT},
      {"base", required_argument, NULL, OPT_BASE},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0}};
  Shell sh = {.out = stdout, .err = stderr, .source = "query"};
  const char *script = NULL;
  bool explain = false;
  int c;
  while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'f': script = optarg; break;
    case OPT_READONLY: sh.readonly = true; break;
    case OPT_BAIL: sh.bail = true; break;
    case OPT_EXPLAIN: explain = true; break;
    case OPT_BASE: sh.base = optarg; break;
    case OPT_FORMAT:
      if (!(sh.format = shell_format(optarg)))
        return usage_error("--format takes table, tsv, csv, json or xml");
      break;
    case 'h': fputs(usage_text, stdout); return 0;
    case OPT_VERSION: printf("trine %s\n", trine_version()); return 0;
    default: return usage_error("unknown option");
    }
  }
  if (explain) {
    /* trine --explain [STORE] (-f FILE | QUERY) */
    const char *query_arg = NULL;
    if (!script && optind < argc) query_arg = argv[argc - 1];
    if (!script && !query_arg) return usage_error("--explain needs a query: -f FILE or QUERY");
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
    int rc = shell_explain(&sh, text);
    trine_store_close(sh.store);
    free(text);
    return rc;
  }
  if (optind >= argc) return usage_error("missing STORE");
  sh.store_path = argv[optind++];
  TrineOptions opts = {.flags = sh.readonly ? TRINE_OPEN_READONLY : 0};
  if (trine_store_open(sh.store_path, &opts, &sh.store)) {
    fprintf(stderr, "trine: %s\n", trine_open_errmsg());
    return 1;
  }
  sh.interactive = isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
  int rc = 0;
  if (script) rc |= run_file(&sh, script);
  for (int i = optind; i < argc && !sh.quit && !(rc && sh.bail); ++i)
    rc |= shell_run(&sh, argv[i]);
  if (!script && optind >= argc) rc |= run_stream(&sh, stdin);
  trine_store_close(sh.store);
  return rc ? 1 : 0;
}
