/*
 * txn_util.h -- helpers shared by the transaction tests (test_txn*.c): a
 * store of its own per case, generated statements, and snapshots of a
 * whole store (dump, statistics, predicates) to compare before and after.
 * All assert (cmocka) except txn_setup(), which is a cmocka setup.
 */
#ifndef TRINE_TXN_UTIL_H
#define TRINE_TXN_UTIL_H

#include "testutil.h"
#include "trine.h"

#include <stddef.h>
#include <stdint.h>

typedef TuStore Fixture;

/* For cmocka: *state becomes an empty store of its own (a Fixture, freed
 * by tu_teardown). */
int txn_setup(void **state);

/* Quads in s, read in txn t (or a transaction of its own when NULL). */
uint64_t quads_in(TrineStore *s, TrineTxn *t);

/* N-Triples text: n statements <http://ex.org/sTAG-i> <p> "i" . (N-Quads
 * in graph when not NULL), malloc'd, its length in *len. */
char *gen_text(const char *tag, size_t from, size_t n, const char *graph, size_t *len);

/* The whole store as N-Quads text and its stats, for before/after checks. */
typedef struct {
  char *dump;
  size_t len;
  TrineStats st;
  char preds[4096];
} Snapshot;

void snapshot(TrineStore *s, Snapshot *sn);
void assert_same_snapshot(const Snapshot *a, const Snapshot *b);
void snapshot_free(Snapshot *sn);

/* Four quads: in the default graph, in two named graphs, one blank node. */
extern const char *base_data;

#endif
