/*
 * main.c -- the trine program: options, opening the store, and the loop
 * that runs commands from arguments, a file or standard input.
 */
#include "shell.h"

#include <getopt.h>
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
    "  -f, --file FILE   run the commands in FILE (before any COMMAND)\n"
    "      --readonly    open the store read-only\n"
    "      --bail        stop at the first error\n"
    "  -h, --help        show this help and exit\n"
    "      --version     show the version and exit\n"
    "\n"
    "Exit status: 0 on success, 1 if a command failed, 2 on wrong usage.\n"
    "Example:\n"
    "  trine my.store .load data.nt.gz .stats\n";

static int usage_error(const char *msg) {
  fprintf(stderr, "trine: %s\nTry 'trine --help' for more information.\n", msg);
  return 2;
}

int shell_run(Shell *sh, const char *text) {
  while (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') ++text;
  if (!*text || *text == '#') return 0;
  if (*text == '.') return shell_dot(sh, text);
  shell_error(sh, "SPARQL queries are not available yet; dot-commands are (.help)");
  return 1;
}

/* Run commands from a stream, one per line. */
static int run_stream(Shell *sh, FILE *in) {
  char *line = NULL;
  size_t cap = 0;
  int rc = 0;
  for (;;) {
    if (sh->interactive) {
      fputs("trine> ", stderr);
      fflush(stderr);
    }
    if (getline(&line, &cap, in) < 0) break;
    if (shell_run(sh, line)) {
      rc = 1;
      if (sh->bail) break;
    }
    if (sh->quit) break;
  }
  if (sh->interactive && !sh->quit) fputc('\n', stderr);
  free(line);
  return rc;
}

static int run_file(Shell *sh, const char *path) {
  FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
  if (!f) {
    shell_error(sh, "cannot open %s", path);
    return 1;
  }
  bool interactive = sh->interactive;
  sh->interactive = false;
  int rc = run_stream(sh, f);
  sh->interactive = interactive;
  if (f != stdin) fclose(f);
  return rc;
}

int main(int argc, char **argv) {
  enum { OPT_READONLY = 256, OPT_BAIL, OPT_VERSION };
  static const struct option longopts[] = {
      {"file", required_argument, NULL, 'f'},
      {"readonly", no_argument, NULL, OPT_READONLY},
      {"bail", no_argument, NULL, OPT_BAIL},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, OPT_VERSION},
      {NULL, 0, NULL, 0}};
  Shell sh = {.out = stdout, .err = stderr};
  const char *script = NULL;
  int c;
  while ((c = getopt_long(argc, argv, "+f:h", longopts, NULL)) != -1) {
    switch (c) {
    case 'f': script = optarg; break;
    case OPT_READONLY: sh.readonly = true; break;
    case OPT_BAIL: sh.bail = true; break;
    case 'h': fputs(usage_text, stdout); return 0;
    case OPT_VERSION: printf("trine %s\n", trine_version()); return 0;
    default: return usage_error("unknown option");
    }
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
