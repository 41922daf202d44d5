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

#include "store.h"

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

/// Close a reader's cursor and forget its block.
void termstore_reader_close(TermReader *r);

/**
 * Convert a format 1 store's `id2term` (one record per term) to blocks in
 * `terms`, inside txn (the upgrade to format 2). *count: terms converted.
 */
int termstore_convert(MDB_txn *txn, MDB_dbi from, MDB_dbi to, uint64_t *count);

#endif
