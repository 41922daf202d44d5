/*
 * exec_service.h -- SERVICE (SPARQL 1.1 Federated Query) over HTTP with
 * libcurl: the group under SERVICE is sent to the endpoint as a query,
 * with the bindings known so far as VALUES in batches, and its SPARQL JSON
 * (or XML) results joined with them.
 */
#ifndef TRINE_EXEC_SERVICE_H
#define TRINE_EXEC_SERVICE_H

#include "exec_int.h"

/// Distinct bindings sent in one request's VALUES block.
#define SERVICE_BATCH 200
/// Defaults for ServiceConfig's zero fields.
#define SERVICE_TIMEOUT_MS 30000u
#define SERVICE_CONNECT_MS 10000u
#define SERVICE_MAX_BYTES ((size_t)64 << 20)

/// What a query may call (from TrineQueryOptions); the query owns it.
typedef struct ServiceConfig {
  char **allow;        ///< endpoint IRI prefixes (none: no endpoint may be called)
  size_t nallow;
  unsigned timeout_ms; ///< a whole request, connecting included
  size_t max_bytes;    ///< response size cap
} ServiceConfig;

/// Copy the allow-list and limits of opts into c (zeroed: the defaults).
TrineStatus service_config_init(ServiceConfig *c, const char *const *allow, size_t nallow,
                                unsigned timeout_ms, size_t max_bytes);
void service_config_free(ServiceConfig *c);

/// Whether endpoint (NUL-terminated) starts with a prefix of the list, the
/// prefix ending at a boundary ('/', '?', '#' or the end) of the IRI.
bool service_allowed(const ServiceConfig *c, const char *endpoint);

/**
 * Join the rows of in with the results of op (a SERVICE on an IRI) into out
 * (a new table): each row whose result rows are compatible gives their
 * merges that pass filters; matched (NULL: not wanted, else one flag per
 * row of in) tells which rows of in gave one. A SILENT service that fails
 * (unreachable, an HTTP error, a bad response) acts as the unit solution
 * for the rows of the failed request. The query's cancel and timeout stop
 * a transfer under way.
 */
TrineStatus service_join(Exec *x, const SparqlOp *op, const Table *in,
                         SparqlExpr *const *filters, size_t nfilters, bool *matched,
                         Table *out);

#endif
