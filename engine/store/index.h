/*
 * index.h -- quads in the six index permutations: single and bulk writes,
 * and pattern scans.
 *
 * Every index is an LMDB DUPSORT|DUPFIXED database: key = the first id
 * (8 bytes big-endian), value = the other three (24 bytes big-endian), so
 * memcmp order is id order and a page of rows comes out at a time.
 */
#ifndef TRINE_INDEX_H
#define TRINE_INDEX_H

#include "env.h"

/// A quad as ids in s, p, o, g order (g = 0: default graph).
typedef struct {
  TrineId v[4];
} Quad;

/// Add one quad: TRINE_OK if new, TRINE_NOT_FOUND if it was already there.
TrineStatus index_add(TrineTxn *txn, const Quad *q);

/// Remove one quad: TRINE_OK if removed, TRINE_NOT_FOUND if absent.
TrineStatus index_remove(TrineTxn *txn, const Quad *q);

/// Progress of a batch write: records written so far of todo, about every
/// 64 Ki records; non-zero from fn stops the write.
typedef struct {
  int (*fn)(void *ctx, uint64_t done, uint64_t todo);
  void *ctx;
} IndexTick;

/**
 * Add a batch of quads (any order, duplicates allowed). q is reordered and
 * scratch, scratch2 (n quads each) are work space; sorts run on a second
 * thread while this one writes. seq0: the first term sequence
 * number allocated for this batch (terms at or after it are new, so their
 * pairs need no existence lookups for the statistics).
 * @param tick may be NULL; else called as the indexes are written.
 * @param[out] added quads that were new.
 * @return TRINE_OK, TRINE_ERR_CANCELLED when tick asked to stop, or an error.
 */
TrineStatus index_add_batch(TrineTxn *txn, Quad *q, Quad *scratch, Quad *scratch2, size_t n,
                            uint64_t seq0, const IndexTick *tick, uint64_t *added);

/**
 * A load of more than one batch (index_runs.h): each batch is sorted into runs
 * kept in a temporary file, and the indexes are written once, at the end,
 * from their merge: in order and past their ends, so the load's cost per
 * quad and the store's size per quad do not grow with the load.
 */
typedef struct IndexLoad IndexLoad;

TrineStatus index_load_open(TrineTxn *txn, IndexLoad **out);

/**
 * Sort a batch into runs, on a thread of its own: q (n quads), scratch and
 * scratch2 (n quads each, work space) belong to that thread until the next
 * call of index_load_batch() or index_load_finish(), which wait for it.
 * Nothing is written to the indexes. A failure of the batch before is
 * returned by the next call.
 */
TrineStatus index_load_batch(IndexLoad *l, Quad *q, Quad *scratch, Quad *scratch2, size_t n);

/**
 * Wait for the last batch, then write the indexes and statistics from the
 * merged runs. buf: cap quads of work space, not given to a batch. seq0: the first term sequence number of the whole load.
 * tick, added: as index_add_batch().
 */
TrineStatus index_load_finish(IndexLoad *l, Quad *buf, size_t cap, uint64_t seq0,
                              const IndexTick *tick, uint64_t *added);

/// Free it (NULL: nothing) and its temporary file, waiting for a batch.
void index_load_free(IndexLoad *l);

/// A pattern scan: one or two index range scans.
typedef struct IndexIter IndexIter;

/**
 * Scan the quads matching pattern q: position i is bound when bit (1<<i)
 * of bound is set (Q_S, Q_P, Q_O, Q_G). With g unbound, every graph
 * including the default one matches.
 */
TrineStatus index_iter_open(TrineTxn *txn, const Quad *q, unsigned bound,
                            IndexIter **out);

/**
 * Scan one index directly: the records whose first `prefix` components (in
 * the index's layout order) equal those of pre (also in layout order).
 */
TrineStatus index_iter_open_index(TrineTxn *txn, IndexId idx, const Quad *pre,
                                  int prefix, IndexIter **out);

/// Restart it on a new pattern (reusing its cursors where it can).
TrineStatus index_iter_seek(IndexIter *it, const Quad *q, unsigned bound);

/// Called for each quad of a scan; a status other than TRINE_OK stops it.
typedef TrineStatus (*IndexFn)(void *ctx, const Quad *q);

/**
 * Restart it on pattern q and hand every match to fn: the probe of an index
 * nested-loop join, with no per-row iterator calls. Returns fn's first
 * non-OK status, an error, or TRINE_OK at the end.
 */
TrineStatus index_iter_each(IndexIter *it, const Quad *q, unsigned bound, IndexFn fn,
                            void *ctx);

/**
 * Count the records of idx whose first prefix components (2 or more, in
 * layout order) are those of pre, a page at a time, stopping once there
 * are more than limit: *count is the count, or a number above limit.
 */
TrineStatus index_count_range(TrineTxn *txn, IndexId idx, const Quad *pre, int prefix,
                              uint64_t limit, uint64_t *count);

/// Next quad (s, p, o, g order): TRINE_ROW or TRINE_DONE.
TrineStatus index_iter_next(IndexIter *it, Quad *q);

/**
 * The next records of a scan of one index (index_iter_open_index()), read
 * in place: *n (1 to max) records of one page, all with key *key (layout
 * component 0), at recs, VAL_SIZE (24) bytes apart, each components 1..3
 * big-endian (be_get()); valid until the next call. No quad is built: a
 * streamed scan makes its rows straight from the records, as a probe does.
 * @return TRINE_ROW, TRINE_DONE, or a store error.
 */
enum { INDEX_REC_BYTES = 24 }; ///< an index record after its key

TrineStatus index_iter_next_run(IndexIter *it, size_t max, TrineId *key,
                                const unsigned char **recs, size_t *n);

void index_iter_free(IndexIter *it);

/**
 * Probes of one index read in place, for the inner loop of an index
 * nested-loop join: no quad is built, the caller reads the ids it needs
 * from the record. Probes in ascending order are cheapest (they mostly
 * stay on the page of the last one).
 */
typedef struct IndexProbe IndexProbe;

TrineStatus index_probe_open(TrineTxn *txn, IndexId idx, IndexProbe **out);

/// Called with each match of a batch: the probe's number and its record,
/// 24 bytes on the LMDB page holding layout components 1..3 big-endian
/// (be_get()), valid during the call; a status other than TRINE_OK stops.
typedef TrineStatus (*IndexMatchFn)(void *ctx, size_t probe, const unsigned char *rec);

/**
 * Probe n prefixes at once: keys holds n runs of prefix ids (2 to 4, in
 * idx's layout order, key included), and fn gets every match, probe by
 * probe. The inner loop of an index nested-loop join: probes in ascending
 * order cost a few record reads each. Returns fn's first non-OK status,
 * an error, or TRINE_OK.
 */
TrineStatus index_probe_batch(IndexProbe *p, const TrineId *keys, size_t n, int prefix,
                              IndexMatchFn fn, void *ctx);

/**
 * The records of n runs at once, for a star of patterns on one subject:
 * keys holds n pairs of leading ids (layout components 0 and 1, e.g. g
 * and s in GSPO), sel nsel values of component 2 in ascending order (the
 * predicates). For run i and selector t, cnt[i * nsel + t] (set here) is
 * the number of records (key, c1, sel[t], x), and their x (component 3)
 * are appended to *vals run by run, selector by selector. *vals grows
 * with realloc() (*cap entries; the caller frees it); *nvals is the
 * total. One seek per run, then a walk: runs in ascending order cost
 * little more than reading their records.
 */
TrineStatus index_probe_runs(IndexProbe *p, const TrineId *keys, size_t n, const TrineId *sel,
                             size_t nsel, uint32_t *cnt, TrineId **vals, size_t *nvals,
                             size_t *cap);

/// index_count_range() through the probe's cursor (near its last seek:
/// cheap after a probe or count close by). pre: prefix ids in layout order.
TrineStatus index_probe_count(IndexProbe *p, const TrineId *pre, int prefix, uint64_t limit,
                              uint64_t *count);

void index_probe_free(IndexProbe *p);

/// The index and prefix length one scan of this bound set uses.
IndexId index_choose(unsigned bound, bool graph_first, int *prefix);

#endif
