/*
 * plan.h -- access paths for the triple patterns of a query: which index
 * answers each pattern and how many rows the statistics expect. The query
 * engine's planner builds its join order on these estimates.
 */
#ifndef TRINE_PLAN_H
#define TRINE_PLAN_H

#include "index.h"
#include "sparql.h"

/// How one triple pattern is read.
typedef struct {
  IndexId index;   ///< the permutation scanned
  int prefix;      ///< bound leading components (key included)
  double estimate; ///< expected rows (0 when a constant is not in the store)
  bool unknown;    ///< a constant term of the pattern is not in the store
} AccessPath;

/**
 * The access path of pattern t, in the default graph (graph NULL), a given
 * graph, or over the named graphs (graph_var true).
 */
TrineStatus plan_access(TrineTxn *txn, const SparqlTriple *t, const TrineTerm *graph,
                        bool graph_var, AccessPath *out);

/// Print every triple pattern's access path, indented like the algebra.
TrineStatus plan_print_access(TrineTxn *txn, const SparqlRequest *r, FILE *out);

#endif
