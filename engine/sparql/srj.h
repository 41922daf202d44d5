/*
 * srj.h -- a reader of SPARQL 1.1 Query Results JSON (application/
 * sparql-results+json): the rows of a SELECT result, handed over one term
 * at a time, for SERVICE. The document is read from memory in one pass;
 * nothing is kept between calls.
 */
#ifndef TRINE_SRJ_H
#define TRINE_SRJ_H

#include "trine.h"

#include <stddef.h>

/// What the reader tells its user; a non-OK status stops the read.
typedef struct {
  /// A bound variable of the current row: its name name[0..nlen) and term
  /// (a view on the reader's buffer, valid during the call only).
  TrineStatus (*cell)(void *ctx, const char *name, size_t nlen, const TrineTerm *t);
  /// The end of a row (after its cells).
  TrineStatus (*row)(void *ctx);
  void *ctx;
} SrjHandler;

/**
 * Read text[0..len) as SPARQL JSON results. An ASK result (a boolean) has
 * no rows. Unknown members are skipped, as the format allows.
 * @return TRINE_OK, TRINE_ERR_SYNTAX (err holds "offset N: what is wrong"),
 *         TRINE_ERR_NOMEM, or the handler's status.
 */
TrineStatus srj_read(const char *text, size_t len, const SrjHandler *h, char *err,
                     size_t errsize);

#endif
