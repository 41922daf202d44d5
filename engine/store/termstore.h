/*
 * termstore.h -- the canonical bytes of stored terms, by sequence number.
 *
 * Terms are kept in blocks of consecutive sequence numbers (the `terms`
 * database, key = the block's first sequence number): one LMDB read serves
 * every term of a block, and within a block a term is found by its index.
 * A result column reads ids that are mostly a few sequence numbers apart,
 * so most of its terms come from the block it read last, without a call
 * into LMDB. Blank nodes take sequence numbers but store no bytes: they
 * leave empty entries (or, after a long run of them, start a new block).
 *
 * Block value: u32 n, u32 end[n] (native order), then the bytes; term i of
 * the block is bytes [end[i-1], end[i]) (end[-1] = 0), empty for a blank.
 */
#ifndef TRINE_TERMSTORE_H
#define TRINE_TERMSTORE_H

#include "env.h"

#include <string.h>

/* TermBuilder and TermReader are declared in store.h (a txn holds them). */

/**
 * Append the bytes of a new term, seq above every stored one (write txns).
 * Blocks are written when full and by termstore_flush().
 */
TrineStatus termstore_append(TrineTxn *t, uint64_t seq, const void *data, size_t len);

/// Write the transaction's open block (before commit).
TrineStatus termstore_flush(TrineTxn *t);

/// Free a write transaction's builder (after commit or abort).
void termstore_builder_free(TermBuilder *b);

/**
 * The bytes of term seq, read through r (NULL: the txn's own reader;
 * write txns always use theirs and never reuse a block, since writes move
 * pages). The view lives until the txn ends, or in a write txn until its
 * next write.
 * @return TRINE_OK, or TRINE_ERR_CORRUPT when seq has no stored bytes.
 */
TrineStatus termstore_get(TrineTxn *t, TermReader *r, uint64_t seq, const void **data,
                          size_t *len);

/**
 * Entry i of a parsed block of n entries (length 0 if the block is
 * damaged: ends go up and the last fits the value, as the reader checked
 * when it took the block). Columns read terms in ascending order: the
 * bytes after the entry are fetched ahead.
 */
static inline void termstore_entry(const unsigned char *block, uint64_t n, uint64_t i,
                                   const void **data, size_t *len) {
  const unsigned char *ends = block + 4, *bytes = block + 4 + 4 * n;
  uint32_t from = 0, to, last;
  if (i) memcpy(&from, ends + 4 * (i - 1), 4);
  memcpy(&to, ends + 4 * i, 4);
  memcpy(&last, ends + 4 * (n - 1), 4);
  *data = bytes + from;
  *len = to >= from && to <= last ? to - from : 0;
  for (int k = 1; k <= 4; ++k) __builtin_prefetch((const char *)*data + *len + 64 * k);
}

/**
 * termstore_get() inline for the usual case of a result column: a read
 * transaction's reader whose block holds seq. False otherwise (then call
 * termstore_get()).
 */
static inline bool termstore_get_near(const TermReader *r, uint64_t seq, const void **data,
                                      size_t *len) {
  if (!r->block || seq < r->first || seq - r->first >= r->n) return false;
  termstore_entry(r->block, r->n, seq - r->first, data, len);
  return *len != 0;
}

/// termstore_get() in a read txn when seq is in r's block or the next one
/// (no B-tree descent): true; else false (r may have forgotten its block).
bool termstore_get_stepping(TrineTxn *t, TermReader *r, uint64_t seq, const void **data,
                            size_t *len);

/// termstore_get() by a B-tree descent, r left on the block (a read txn,
/// after termstore_get_stepping() said no).
TrineStatus termstore_get_seek(TrineTxn *t, TermReader *r, uint64_t seq, const void **data,
                               size_t *len);

/// Close a reader's cursor and forget its block.
void termstore_reader_close(TermReader *r);

/**
 * Convert a format 1 store's `id2term` (one record per term) to blocks in
 * `terms`, inside txn (the upgrade to format 2). *count: terms converted.
 */
int termstore_convert(MDB_txn *txn, MDB_dbi from, MDB_dbi to, uint64_t *count);

#endif
