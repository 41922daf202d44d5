/*
 * peek.h -- index seeks read straight from LMDB's pages, in read
 * transactions.
 *
 * A probe through LMDB's cursor costs about 1,900 instructions: a call
 * per level of the tree, a comparison through a function pointer per
 * step of each binary search, the sub-database cursor set up again for
 * the duplicates. The same descent over the pages themselves, with the
 * comparisons inlined, costs a fraction of that, and most small queries
 * are mostly such descents. LMDB's pages are its on-disk format (data
 * version 1, unchanged through LMDB 0.9): a page header, then node
 * offsets, nodes, or fixed-size values on DUPFIXED leaves. A read
 * transaction's pages do not change while it lives, and a committed
 * state's pages are in the map.
 *
 * Every page is checked before it is read (number inside the file,
 * flags, offsets inside the page); anything unexpected (a damaged store,
 * a page layout not met before, a write transaction, whose pages LMDB
 * holds elsewhere) answers PEEK_ASK_LMDB, and the caller seeks through
 * LMDB's cursor as before, which reports what it finds.
 */
#ifndef TRINE_PEEK_H
#define TRINE_PEEK_H

#include "env.h"

#include <stdbool.h>
#include <stdint.h>

enum { PEEK_FOUND, PEEK_NOTFOUND, PEEK_ASK_LMDB };

/// The values found: vals[0, count) in place in the map, the first at or
/// after the target at pos; at: the leaf, when one of a tree of values
/// (else at.leaf is NULL), for peek_next_leaf().
typedef struct {
  const unsigned char *vals;
  size_t count, pos;
  PeekAt at;
} PeekPage;

/**
 * In index idx of read transaction t, the values under key and the first
 * of them not below target (the 3 ids of a value; NULL: the first), as
 * LMDB's MDB_GET_BOTH_RANGE (MDB_SET_KEY when target is NULL) followed by
 * MDB_GET_MULTIPLE would find them: PEEK_FOUND and *out, PEEK_NOTFOUND,
 * or PEEK_ASK_LMDB.
 */
int peek_seek(TrineTxn *t, IndexId idx, uint64_t key, const uint64_t *target, PeekPage *out);

/// The next leaf of values after the one peek_seek() or this found, under
/// the same parent page, into *pg (pos 0): PEEK_FOUND, or PEEK_ASK_LMDB
/// (none there: read on through LMDB's cursor).
int peek_next_leaf(TrineTxn *t, PeekPage *pg);

/**
 * In read transaction t's terms database (keys: native u64, the first
 * sequence number of a block), the record with the greatest key not above
 * key: PEEK_FOUND with its key in *first, its value in place in *data,
 * *len, and its place in *at; PEEK_NOTFOUND (an empty database); or
 * PEEK_ASK_LMDB.
 */
int peek_floor(TrineTxn *t, uint64_t key, uint64_t *first, const unsigned char **data,
               size_t *len, PeekAt *at);

/// The record after *at, as peek_floor() gives one (and *at moves to it),
/// on its leaf or the next one under the same parent; PEEK_ASK_LMDB past
/// those (then seek its key).
int peek_next(TrineTxn *t, PeekAt *at, uint64_t *first, const unsigned char **data,
              size_t *len);

#endif
