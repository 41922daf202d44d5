/*
 * dataset.h -- the protocol's dataset parameters written into the request
 * text, and what the text's top level holds.
 *
 * The public API takes a dataset only in the text (FROM, FROM NAMED,
 * USING, USING NAMED), so the parameters become clauses there. A lexical
 * scan finds where: it skips strings, IRIs and comments and follows
 * brackets, so that it only looks at the request's own top-level keywords.
 * The text is assumed to parse: callers check it first, so that syntax
 * errors point into what the client sent.
 */
#ifndef TRINE_DATASET_H
#define TRINE_DATASET_H

#include <stdbool.h>
#include <stddef.h>

/// A list of absolute IRIs, each safe to write between < and >.
typedef struct {
  const char **iri;
  size_t n;
} IriList;

/**
 * The query text with its FROM and FROM NAMED clauses replaced by FROM
 * <g> for each of dflt and FROM NAMED <g> for each of named: the protocol's
 * dataset overrides the query's (SPARQL 1.1 Protocol 2.1.4). Returns a
 * malloc'd NUL-terminated text, its length in *outlen, or NULL when out of
 * memory or the text has no query form.
 */
char *dataset_query(const char *text, size_t len, const IriList *dflt, const IriList *named,
                    size_t *outlen);

/**
 * The update text with USING <g> / USING NAMED <g> before the WHERE of
 * each DELETE/INSERT operation. NULL when out of memory, or with
 * *conflict set when the text has USING or WITH of its own (which the
 * protocol forbids alongside the parameters).
 */
char *dataset_update(const char *text, size_t len, const IriList *dflt, const IriList *named,
                     size_t *outlen, bool *conflict);

/// Whether the update text has a LOAD operation.
bool dataset_has_load(const char *text, size_t len);

#endif
