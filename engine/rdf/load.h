/*
 * load.h -- the bulk loader inside a caller's write transaction (SPARQL
 * LOAD); trine_store_load_file() runs it in a transaction of its own.
 */
#ifndef TRINE_LOAD_H
#define TRINE_LOAD_H

#include "env.h"

/// Load a file into txn (a write transaction the caller commits or aborts).
TrineStatus load_file_in(TrineTxn *txn, const char *path, const TrineLoadOptions *opts,
                         TrineLoadStats *stats);

#endif
