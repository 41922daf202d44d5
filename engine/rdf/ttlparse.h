/*
 * ttlparse.h -- Turtle and TriG, read by serd (strict mode), statements out
 * as ntparse.h's NtStatement.
 *
 * serd parses; this module finishes what serd leaves to its caller and
 * checks what it does not: relative IRIs are resolved against the base
 * (the base IRI given, then @base / BASE), prefixed names are expanded (an
 * undefined prefix is an error), every IRI must end up absolute, language
 * tags may have no empty subtag, and every value must be valid UTF-8 (serd
 * only checks lead and continuation bytes, and lets \u escapes make
 * surrogates).
 *
 * serd pulls its input: the caller gives a read function. The first syntax
 * error stops the parse (serd's strict mode stops there too) and goes to
 * the sink as "SOURCE:LINE:COL: error: ..." with the column in characters.
 * Finding that position needs the input a second time (see ttlparse.c), so
 * the caller also gives a rewind function; without one, positions are
 * serd's own (byte columns) or left out.
 */
#ifndef TRINE_TTLPARSE_H
#define TRINE_TTLPARSE_H

#include "ntparse.h"

#include <sys/types.h>

/// Read up to cap bytes into buf: the count, 0 at the end, -1 on an I/O
/// error (which the caller reports: the parse then ends with TRINE_ERR_IO).
typedef ssize_t (*TtlReadFn)(void *io, char *buf, size_t cap);

/// Start the input over from its first byte; false when it cannot.
typedef bool (*TtlRewindFn)(void *io);

typedef struct {
  const char *source;    ///< name in errors (a file name), may be NULL
  const char *base_iri;  ///< absolute IRI to resolve against; NULL: none
  bool trig;             ///< TriG (graphs allowed); else Turtle
  TtlReadFn read;
  TtlRewindFn rewind;    ///< may be NULL
  void *io;
  NtStatementFn fn;      ///< receives each statement (g: the graph, or
  void *ctx;             ///< TRINE_TERM_DEFAULT_GRAPH outside graphs)
  TrineErrorSink sink;   ///< receives the syntax error; may be NULL
  void *sink_ctx;
} TtlInput;

/**
 * Parse the whole input.
 * @return TRINE_OK; TRINE_ERR_SYNTAX after the error went to the sink;
 *         TRINE_ERR_IO when read failed; TRINE_ERR_NOMEM; or the status of
 *         fn that stopped the parse.
 */
TrineStatus ttl_parse(const TtlInput *in);

/// The file: IRI of a path (made absolute, percent-encoded), malloc'd; NULL
/// when out of memory.
char *ttl_file_iri(const char *path);

#endif
