/*
 * shell.h -- the state of one trine shell session and its commands.
 * All output goes through the FILE pointers here so tests can capture it.
 */
#ifndef TRINE_SHELL_H
#define TRINE_SHELL_H

#include "trine.h"

#include <stdbool.h>
#include <stdio.h>

typedef struct {
  TrineStore *store;
  char *store_path;
  bool readonly;
  bool bail;        ///< stop at the first error
  bool interactive; ///< stdin and stderr are terminals
  FILE *out;        ///< results (stdout or .output FILE)
  FILE *err;        ///< messages
  const char *source; ///< name of the input in error messages
  const char *base;   ///< base IRI for queries (--base), or NULL
  const char *text;   ///< the query being run, for error carets
  TrineResultFormat format; ///< 0: table on a terminal, else TSV
  int errors;       ///< failed commands so far
  bool quit;
} Shell;

/// Run one dot-command line (starting with '.'). Returns 0, 1 (error).
int shell_dot(Shell *sh, const char *line);

/// Run one input unit: a dot-command or a query. Returns 0 or 1.
int shell_run(Shell *sh, const char *text);

/// Parse a query and print its algebra (or its error). Returns 0 or 1.
int shell_explain(Shell *sh, const char *text);

/// The result format named s ("table", "tsv", ...), or 0.
TrineResultFormat shell_format(const char *s);

/// Print an error through the shell's error stream (and count it).
void shell_error(Shell *sh, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/// Error sink printing "source:line:col: error: message".
void shell_sink(void *ctx, const TrineError *e);

#endif
