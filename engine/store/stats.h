/*
 * stats.h -- statistics the planner reads, kept current by every write:
 * total quads, quads per graph, and per predicate the quads, distinct
 * subjects and distinct objects (over all graphs). Writes accumulate deltas
 * in memory; stats_flush() applies them when the transaction commits.
 */
#ifndef TRINE_STATS_H
#define TRINE_STATS_H

#include "env.h"

StatsDelta *stats_delta_new(void);
void stats_delta_free(StatsDelta *d);

/// Count quads added (+) or removed (-) in graph g with predicate p.
int stats_quads(StatsDelta *d, TrineId g, TrineId p, int64_t n);
/// Count distinct subjects / objects of p appearing (+1) or vanishing (-1).
int stats_distinct(StatsDelta *d, TrineId p, int64_t subjects, int64_t objects);

/// Apply pending deltas to the stats database.
TrineStatus stats_flush(TrineTxn *txn);

/// Read the counters of predicate p (zeros when absent).
TrineStatus stats_predicate(TrineTxn *txn, TrineId p, uint64_t out[3]);
/// Quads in graph g (0 = default graph).
TrineStatus stats_graph(TrineTxn *txn, TrineId g, uint64_t *out);

/// Quads in the store.
TrineStatus stats_total(TrineTxn *txn, uint64_t *quads);

/// Called with an id and its counters (a graph's: c[0] only); non-zero stops.
typedef int (*StatsFn)(TrineTxn *txn, TrineId id, const uint64_t c[3], void *ctx);

/// Every predicate's counters, in id order.
TrineStatus stats_each_predicate(TrineTxn *txn, StatsFn fn, void *ctx);
/// Every named graph's quads, in id order.
TrineStatus stats_each_graph(TrineTxn *txn, StatsFn fn, void *ctx);

#endif
