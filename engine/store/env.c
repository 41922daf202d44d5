/*
 * env.c -- what every store module shares: the index permutations' names,
 * the store's error record and the one mapping of LMDB codes to statuses,
 * and the u64 counters of the meta database.
 */
#include "env.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

const int index_order[IDX_COUNT][4] = {
    [IDX_GSPO] = {Q_G, Q_S, Q_P, Q_O}, [IDX_GPOS] = {Q_G, Q_P, Q_O, Q_S},
    [IDX_GOSP] = {Q_G, Q_O, Q_S, Q_P}, [IDX_SPOG] = {Q_S, Q_P, Q_O, Q_G},
    [IDX_POSG] = {Q_P, Q_O, Q_S, Q_G}, [IDX_OSPG] = {Q_O, Q_S, Q_P, Q_G},
};
const char *const index_name[IDX_COUNT] = {"gspo", "gpos", "gosp",
                                           "spog", "posg", "ospg"};

/* Messages of failures with no store to hold them: trine_store_open(), and
 * calls given a NULL handle (trine_open_errmsg()). */
static _Thread_local char thread_errmsg[1400];

const char *trine_open_errmsg(void) { return thread_errmsg; }

void store_thread_error(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(thread_errmsg, sizeof thread_errmsg, fmt, ap);
  va_end(ap);
}

TrineStatus api_misuse(TrineStore *s, const char *call, const char *what) {
  if (s) return store_error(s, TRINE_ERR_ARG, "%s: %s", call, what);
  store_thread_error("%s: %s", call, what);
  return TRINE_ERR_ARG;
}

static void deliver(TrineStore *s, TrineStatus status) {
  if (s->sink) {
    TrineError e = {status, NULL, 0, 0, s->errmsg};
    s->sink(s->sink_ctx, &e);
  }
}

TrineStatus store_error(TrineStore *s, TrineStatus status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->errmsg, sizeof s->errmsg, fmt, ap);
  va_end(ap);
  deliver(s, status);
  return status;
}

static TrineStatus map_rc(int rc) {
  switch (rc) {
  case 0: return TRINE_OK;
  case MDB_NOTFOUND: return TRINE_NOT_FOUND;
  case MDB_MAP_FULL: case MDB_TXN_FULL: case MDB_CURSOR_FULL:
  case MDB_PAGE_FULL: case ENOSPC: return TRINE_ERR_FULL;
  case MDB_READERS_FULL: case EAGAIN: case EBUSY: return TRINE_ERR_BUSY;
  case MDB_CORRUPTED: case MDB_PAGE_NOTFOUND: case MDB_INVALID:
  case MDB_VERSION_MISMATCH: case MDB_INCOMPATIBLE: return TRINE_ERR_CORRUPT;
  case ENOMEM: return TRINE_ERR_NOMEM;
  case EACCES: case EROFS: return TRINE_ERR_READONLY;
  case ENOENT: return TRINE_NOT_FOUND;
  default: return rc > 0 ? TRINE_ERR_IO : TRINE_ERR_INTERNAL;
  }
}

/* LMDB reports a write cut short, as a disk filling up in the middle of
 * it makes, as EIO ("short write, filesystem full?" in its source): the
 * message then says how much room the store's file system has left, so
 * that a full disk is named as one. */
static void room_left(const TrineStore *s, int rc, char *buf, size_t n) {
  struct statvfs fs;
  buf[0] = 0;
  if (rc == EIO && s->path && statvfs(s->path, &fs) == 0)
    snprintf(buf, n, " (a write was cut short: is the disk full? %llu KiB free of %llu KiB)",
             (unsigned long long)fs.f_bavail * fs.f_frsize / 1024,
             (unsigned long long)fs.f_blocks * fs.f_frsize / 1024);
}

TrineStatus store_mdb_error(TrineStore *s, int rc, const char *what) {
  char room[160];
  room_left(s, rc, room, sizeof room);
  return store_error(s, map_rc(rc), "%s: %s%s", what, mdb_strerror(rc), room);
}

uint64_t store_meta_get(MDB_txn *txn, MDB_dbi dbi, const char *key) {
  MDB_val k = {strlen(key), (void *)key}, v;
  uint64_t x = 0;
  if (mdb_get(txn, dbi, &k, &v) == 0 && v.mv_size == sizeof x)
    memcpy(&x, v.mv_data, sizeof x);
  return x;
}

int store_meta_put(MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t x) {
  MDB_val k = {strlen(key), (void *)key}, v = {sizeof x, &x};
  return mdb_put(txn, dbi, &k, &v, 0);
}
