/*
 * update.h -- SPARQL 1.1 Update operations, all in the executor's write
 * transaction (one request, one transaction: all of it or none of it).
 */
#ifndef TRINE_UPDATE_H
#define TRINE_UPDATE_H

#include "exec.h"

/// Run every operation of req in x's write transaction.
TrineStatus update_run(Exec *x, const SparqlRequest *req);

#endif
