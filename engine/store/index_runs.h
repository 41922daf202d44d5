/*
 * index_runs.h -- a load's sorted runs of index records, kept in a temporary
 * file and read back merged.
 *
 * A load larger than one batch sorts each batch once per index and keeps
 * the sorted records here instead of writing them into the indexes. At
 * the end each index is written once from the merge of its runs, in order
 * and past its end: LMDB's append path, full pages, and each page dirtied
 * once, where batch after batch written into the middle of the earlier
 * ones split pages and made the write transaction's page lists grow with
 * the load.
 */
#ifndef TRINE_INDEX_RUNS_H
#define TRINE_INDEX_RUNS_H

#include "index.h"

/// The runs of one load: a temporary file in the store's directory,
/// unlinked as soon as it is made (nothing is left behind by a crash).
typedef struct RunFile RunFile;

TrineStatus runs_open(TrineStore *s, RunFile **out);

/// Free it and close its file (NULL: nothing).
void runs_free(RunFile *f);

/**
 * Append a run: n records in idx's layout (index_order), sorted and
 * without duplicates. *id (set here) names it to runs_merge_open().
 * It may run on a thread other than the store's (one at a time).
 */
TrineStatus runs_add(RunFile *f, IndexId layout, const Quad *r, size_t n, size_t *id);

/**
 * The functions here keep their failure in f instead of recording it on
 * the store: runs_report() records it (on the store's thread) and returns
 * its status, TRINE_OK when nothing failed.
 */
TrineStatus runs_report(RunFile *f);

/// Records kept so far, over all runs.
uint64_t runs_records(const RunFile *f);

/// The merge of some runs, in one layout, sorted and without duplicates.
typedef struct RunMerge RunMerge;

/**
 * Merge runs ids[0..k) of f into layout `to`. A run of another layout is
 * changed to `to` as it is read: the caller guarantees that this keeps
 * its order (a run of one graph reads the same in GSPO as in SPOG).
 */
TrineStatus runs_merge_open(RunFile *f, const size_t *ids, size_t k, IndexId to,
                            RunMerge **out);

/// The next at most max merged records into out; *n = 0 at the end.
TrineStatus runs_merge_next(RunMerge *m, Quad *out, size_t max, size_t *n);

void runs_merge_free(RunMerge *m);

#endif
