/*
 * txn.c -- transactions: a write transaction's pending statistics and open
 * block of terms are written when it commits, and dropped when it aborts.
 */
#include "txn.h"

#include "snapmemo.h"
#include "stats.h"
#include "termstore.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/file.h>
#include <time.h>

/* Another process may have grown the map: adopt its size and retry. The
 * map may move: the memo's page addresses (peek.c) are forgotten. */
static int begin(TrineStore *s, unsigned flags, MDB_txn **txn) {
  int rc = mdb_txn_begin(s->env, NULL, flags, txn);
  if (rc == MDB_MAP_RESIZED) {
    mdb_env_set_mapsize(s->env, 0);
    snapmemo_clear(s->memo);
    rc = mdb_txn_begin(s->env, NULL, flags, txn);
  }
  return rc;
}

/* A read transaction's LMDB handle: the store's spare one renewed (no
 * allocation, and it keeps its reader slot: a tenth of a small query went
 * to beginning and ending them), else a new one. */
static int begin_read(TrineStore *s, MDB_txn **txn) {
  MDB_txn *spare = atomic_exchange(&s->spare, NULL);
  if (spare) {
    if (mdb_txn_renew(spare) == 0) return *txn = spare, 0;
    mdb_txn_abort(spare); /* e.g. the map grew: begin() sees to it */
  }
  return begin(s, MDB_RDONLY, txn);
}

/* A read transaction's handle ends: reset and kept as the store's spare,
 * unless it has one already. */
static void end_read(TrineStore *s, MDB_txn *txn) {
  mdb_txn_reset(txn);
  MDB_txn *none = NULL;
  if (!atomic_compare_exchange_strong(&s->spare, &none, txn)) mdb_txn_abort(txn);
}

void txn_drop_spare(TrineStore *s) {
  MDB_txn *spare = atomic_exchange(&s->spare, NULL);
  if (spare) mdb_txn_abort(spare);
}

/* Writers of every process take an flock() on the data file before LMDB's
 * writer lock, which cannot be tried without waiting: a write that would
 * wait can say so (TrineOptions.busy) and give up. Threads of one process
 * share the flock; LMDB's lock still orders them. */
static TrineStatus writer_lock(TrineStore *s, int *fd) {
  *fd = -1;
  int f;
  if (mdb_env_get_fd(s->env, &f)) return TRINE_OK;
  for (unsigned waited = 0;; waited += 50) {
    if (flock(f, s->busy ? LOCK_EX | LOCK_NB : LOCK_EX) == 0) break;
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) return TRINE_OK; /* no flock here: LMDB's lock alone */
    if (s->busy(s->busy_ctx, waited))
      return store_error(s, TRINE_ERR_BUSY, "another writer is using the store: gave up waiting");
    nanosleep(&(struct timespec){0, 50 * 1000000L}, NULL);
  }
  *fd = f;
  return TRINE_OK;
}

/* The writer's thread is known by the address of a thread-local: a
 * second write on the thread holding one would wait for itself forever. */
static _Thread_local char this_thread;

static void writer_unlock(TrineTxn *t) {
  if (!t->write) return;
  atomic_store(&t->store->writer, NULL);
  if (t->lock_fd >= 0) flock(t->lock_fd, LOCK_UN);
}

/* A transaction ends: its memory, and the store's count of live ones. */
static void txn_end(TrineTxn *t) {
  termstore_builder_free(t->builder);
  stats_delta_free(t->delta);
  atomic_fetch_sub(&t->store->live_txns, 1);
  free(t);
}

TrineStatus trine_txn_begin(TrineStore *s, bool write, TrineTxn **out) {
  if (!out) return api_misuse(s, "trine_txn_begin", "out is NULL");
  *out = NULL;
  if (!s) return api_misuse(NULL, "trine_txn_begin", "store is NULL");
  if (write && s->readonly)
    return store_error(s, TRINE_ERR_READONLY, "store is opened read-only");
  if (write && atomic_load(&s->writer) == &this_thread)
    return store_error(s, TRINE_ERR_BUSY,
                       "this thread already holds the store's write transaction: commit or "
                       "abort it first, or pass it to the call");
  TrineTxn *t = calloc(1, sizeof *t);
  if (!t) return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  t->store = s;
  t->lock_fd = -1;
  TrineStatus st = write ? writer_lock(s, &t->lock_fd) : TRINE_OK;
  if (st) {
    free(t);
    return st;
  }
  int rc = write ? begin(s, 0, &t->txn) : begin_read(s, &t->txn);
  if (rc) {
    if (t->lock_fd >= 0) flock(t->lock_fd, LOCK_UN);
    free(t);
    return store_mdb_error(s, rc, "cannot begin transaction");
  }
  t->write = write;
  if (write) atomic_store(&s->writer, &this_thread);
  atomic_fetch_add(&s->live_txns, 1);
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

/* The cursors a txn kept (LMDB frees a read txn's only when closed). */
static void close_cursors(TrineTxn *t) {
  termstore_reader_close(&t->terms);
  if (t->hash_cur) mdb_cursor_close(t->hash_cur);
  t->hash_cur = NULL;
}

TrineStatus trine_txn_commit(TrineTxn *t) {
  if (!t) return api_misuse(NULL, "trine_txn_commit", "txn is NULL");
  TrineStore *s = t->store;
  int rc = 0;
  if (t->failed) {
    TrineStatus st = t->failed;
    trine_txn_abort(t);
    return store_error(s, st, "an update or load run in this transaction failed halfway: "
                              "the transaction was rolled back");
  }
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
  close_cursors(t);
  if (t->write) rc = mdb_txn_commit(t->txn);
  else end_read(s, t->txn); /* a read txn has nothing to commit */
  writer_unlock(t);
  txn_end(t);
  return rc ? store_mdb_error(s, rc, "cannot commit") : TRINE_OK;
}

void trine_txn_abort(TrineTxn *t) {
  if (!t) return;
  close_cursors(t);
  if (t->write) mdb_txn_abort(t->txn);
  else end_read(t->store, t->txn);
  writer_unlock(t);
  txn_end(t);
}

void txn_failed(TrineTxn *t, TrineStatus st) {
  if (t && t->write && st) t->failed = st;
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
