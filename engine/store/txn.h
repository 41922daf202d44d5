/*
 * txn.h -- transactions for the engine's own use (the public calls are
 * trine_txn_begin(), trine_txn_commit() and trine_txn_abort()).
 */
#ifndef TRINE_TXN_H
#define TRINE_TXN_H

#include "env.h"

/**
 * The transaction a read of the caller's goes through: txn_in when given
 * (a write transaction's pending statistics are written first, so that its
 * readers see its own changes), else a fresh read transaction that the
 * caller owns (*owned set true) and ends with trine_txn_abort().
 */
TrineStatus store_read_txn(TrineStore *s, TrineTxn *txn_in, TrineTxn **out,
                           bool *owned);

/**
 * Note that an operation run in the caller's write transaction t failed
 * with st after it may have written (an update or load stopped halfway):
 * t's commit then rolls it back and returns st. A read transaction, which
 * holds no writes, is left as it is.
 */
void txn_failed(TrineTxn *t, TrineStatus st);

/// Abort the read transaction handle s keeps for the next (before its
/// environment closes or is exchanged).
void txn_drop_spare(TrineStore *s);

#endif
