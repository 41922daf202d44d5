/*
 * txn.c -- transactions: a write transaction's pending statistics and open
 * block of terms are written when it commits, and dropped when it aborts.
 */
#include "txn.h"

#include "stats.h"
#include "termstore.h"

#include <stdlib.h>

/* Another process may have grown the map: adopt its size and retry. */
static int begin(MDB_env *env, unsigned flags, MDB_txn **txn) {
  int rc = mdb_txn_begin(env, NULL, flags, txn);
  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize(env, 0);
    rc = mdb_txn_begin(env, NULL, flags, txn);
  }
  return rc;
}

TrineStatus trine_txn_begin(TrineStore *s, bool write, TrineTxn **out) {
  *out = NULL;
  if (write && s->readonly)
    return store_error(s, TRINE_ERR_READONLY, "store is opened read-only");
  TrineTxn *t = calloc(1, sizeof *t);
  if (!t) return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  t->store = s;
  t->write = write;
  int rc = begin(s->env, write ? 0 : MDB_RDONLY, &t->txn);
  if (rc) {
    free(t);
    return store_mdb_error(s, rc, "cannot begin transaction");
  }
  if (write) {
    t->next_seq = t->start_seq = store_meta_get(t->txn, s->meta, "next");
    if (!(t->delta = stats_delta_new())) {
      trine_txn_abort(t);
      return store_error(s, TRINE_ERR_NOMEM, "out of memory");
    }
  }
  *out = t;
  return TRINE_OK;
}

TrineStatus trine_txn_commit(TrineTxn *t) {
  TrineStore *s = t->store;
  int rc = 0;
  if (t->write) {
    TrineStatus st = stats_flush(t);
    if (st) { trine_txn_abort(t); return st; }
    if ((st = termstore_flush(t))) { trine_txn_abort(t); return st; }
    if (t->next_seq != t->start_seq)
      rc = store_meta_put(t->txn, s->meta, "next", t->next_seq);
    if (!rc && t->new_terms)
      rc = store_meta_put(t->txn, s->meta, "terms",
                          store_meta_get(t->txn, s->meta, "terms") + t->new_terms);
    if (rc) {
      trine_txn_abort(t);
      return store_mdb_error(s, rc, "cannot commit");
    }
  }
  termstore_reader_close(&t->terms);
  rc = mdb_txn_commit(t->txn);
  termstore_builder_free(t->builder);
  stats_delta_free(t->delta);
  free(t);
  return rc ? store_mdb_error(s, rc, "cannot commit") : TRINE_OK;
}

void trine_txn_abort(TrineTxn *t) {
  if (!t) return;
  termstore_reader_close(&t->terms);
  mdb_txn_abort(t->txn);
  termstore_builder_free(t->builder);
  stats_delta_free(t->delta);
  free(t);
}

TrineStatus store_read_txn(TrineStore *s, TrineTxn *txn_in, TrineTxn **out,
                           bool *owned) {
  *owned = txn_in == NULL;
  if (txn_in) {
    *out = txn_in;
    /* Readers of the statistics see the transaction's own changes. */
    return txn_in->write ? stats_flush(txn_in) : TRINE_OK;
  }
  return trine_txn_begin(s, false, out);
}
