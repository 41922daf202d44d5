/*
 * snapmemo.h -- values read from one committed state of the store (a
 * snapshot), remembered by the store for the next read transaction of the
 * same state.
 *
 * Planning a query reads the statistics of its predicates and counts the
 * records of some of its patterns: a few B-tree descents each, a tenth of
 * a small query, and the same again for the next query while nothing was
 * written. LMDB names each committed state with its transaction id; read
 * transactions of one id see the same data, so a value read in one holds
 * for the others. Write transactions neither read nor fill the memo (their
 * state changes as they write). Direct-mapped by key, so a key read in a
 * newer state replaces the older; 6 words of key, 3 of value. Safe to use
 * from any thread.
 */
#ifndef TRINE_SNAPMEMO_H
#define TRINE_SNAPMEMO_H

#include "env.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct SnapMemo SnapMemo;

/// The key's first word names what is remembered (stats, a count, ...).
enum { SNAPMEMO_KEY = 6, SNAPMEMO_VAL = 3 };

/// A new, empty memo (NULL when out of memory: then nothing is remembered).
SnapMemo *snapmemo_new(void);

/// Free the memo (NULL is ignored).
void snapmemo_free(SnapMemo *m);

/// Forget everything: the environment was exchanged (compaction), whose
/// transaction ids start again.
void snapmemo_clear(SnapMemo *m);

/// The value remembered for key in t's snapshot, into val: true; else false
/// (always false in a write transaction).
bool snapmemo_get(TrineTxn *t, const uint64_t key[SNAPMEMO_KEY], uint64_t val[SNAPMEMO_VAL]);

/// Remember val for key in t's snapshot (nothing in a write transaction).
void snapmemo_put(TrineTxn *t, const uint64_t key[SNAPMEMO_KEY], const uint64_t val[SNAPMEMO_VAL]);

#endif
