/*
 * store.c -- opening a store directory, transactions, and errors.
 *
 * A store is one LMDB environment with a handful of named databases (see
 * store.h and docs/architecture.md). This is the only module that turns
 * LMDB return codes into TrineStatus values.
 */
#include "store.h"

#include "dict.h"
#include "pool.h"
#include "stats.h"
#include "termstore.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Format 2: terms in blocks (termstore.h). Format 1 kept one id2term
 * record per term; opening one read-write upgrades it. */
#define FORMAT_VERSION 2

/* The map reserves address space, not disk: the data file only grows as
 * pages are written. 1 TiB covers any load without a resize inside a
 * transaction (LMDB cannot grow the map while a write is in progress). */
#define MAP_SIZE_DEFAULT ((size_t)1 << 40)

const int index_order[IDX_COUNT][4] = {
    [IDX_GSPO] = {Q_G, Q_S, Q_P, Q_O}, [IDX_GPOS] = {Q_G, Q_P, Q_O, Q_S},
    [IDX_GOSP] = {Q_G, Q_O, Q_S, Q_P}, [IDX_SPOG] = {Q_S, Q_P, Q_O, Q_G},
    [IDX_POSG] = {Q_P, Q_O, Q_S, Q_G}, [IDX_OSPG] = {Q_O, Q_S, Q_P, Q_G},
};
const char *const index_name[IDX_COUNT] = {"gspo", "gpos", "gosp",
                                           "spog", "posg", "ospg"};

static _Thread_local char open_errmsg[1400];

const char *trine_open_errmsg(void) { return open_errmsg; }

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

TrineStatus store_mdb_error(TrineStore *s, int rc, const char *what) {
  return store_error(s, map_rc(rc), "%s: %s", what, mdb_strerror(rc));
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

static int open_dbis(TrineStore *s, MDB_txn *txn, unsigned create) {
  const unsigned dupfixed = MDB_DUPSORT | MDB_DUPFIXED;
  int rc;
  if ((rc = mdb_dbi_open(txn, "meta", create, &s->meta)) ||
      (rc = mdb_dbi_open(txn, "terms", create | MDB_INTEGERKEY, &s->terms)) ||
      (rc = mdb_dbi_open(txn, "hash2id", create | MDB_INTEGERKEY | dupfixed |
                                             MDB_INTEGERDUP, &s->hash2id)) ||
      (rc = mdb_dbi_open(txn, "bnodes", create, &s->bnodes)) ||
      (rc = mdb_dbi_open(txn, "stats", create, &s->stats)))
    return rc;
  for (int i = 0; i < IDX_COUNT; ++i)
    if ((rc = mdb_dbi_open(txn, index_name[i], create | dupfixed, &s->idx[i])))
      return rc;
  return 0;
}

static TrineStatus open_fail(TrineStore *s, TrineStatus st, const char *path) {
  snprintf(open_errmsg, sizeof open_errmsg, "%.300s: %s", path, s->errmsg);
  if (s->env) mdb_env_close(s->env);
  free(s);
  return st;
}

/* Format 1 -> 2: id2term's records become blocks of terms, in txn. */
static TrineStatus upgrade_format1(TrineStore *s, MDB_txn *txn) {
  MDB_dbi old;
  uint64_t count;
  int rc = mdb_dbi_open(txn, "id2term", MDB_INTEGERKEY, &old);
  if (!rc) rc = termstore_convert(txn, old, s->terms, &count);
  if (!rc) rc = mdb_drop(txn, old, 1);
  if (!rc) rc = store_meta_put(txn, s->meta, "terms", count);
  if (!rc) rc = store_meta_put(txn, s->meta, "format", FORMAT_VERSION);
  return rc ? store_mdb_error(s, rc, "cannot upgrade store from format 1") : TRINE_OK;
}

static TrineStatus format1_readonly(TrineStore *s) {
  return store_error(s, TRINE_ERR_CORRUPT,
                     "store format 1 is an older trine's: open it once read-write "
                     "(without --readonly) to upgrade it to format %d",
                     FORMAT_VERSION);
}

/* Create the named databases and stamp the format on a new store; check the
 * format of an existing one (upgrading format 1 when writable). */
static TrineStatus init_layout(TrineStore *s) {
  MDB_txn *txn;
  unsigned create = s->readonly ? 0 : MDB_CREATE;
  int rc = mdb_txn_begin(s->env, NULL, s->readonly ? MDB_RDONLY : 0, &txn);
  if (rc) return store_mdb_error(s, rc, "cannot begin transaction");
  if ((rc = open_dbis(s, txn, create))) {
    /* Read-only, a format 1 store lacks the terms database. */
    MDB_dbi meta;
    bool v1 = rc == MDB_NOTFOUND && mdb_dbi_open(txn, "meta", 0, &meta) == 0 &&
              store_meta_get(txn, meta, "format") == 1;
    mdb_txn_abort(txn);
    if (v1) return format1_readonly(s);
    if (rc == MDB_NOTFOUND)
      return store_error(s, TRINE_ERR_CORRUPT, "not a trine store");
    return store_mdb_error(s, rc, "cannot open databases");
  }
  uint64_t format = store_meta_get(txn, s->meta, "format");
  if (format == 0 && !s->readonly) {
    format = FORMAT_VERSION;
    if ((rc = store_meta_put(txn, s->meta, "format", format)) ||
        (rc = store_meta_put(txn, s->meta, "next", 1))) {
      mdb_txn_abort(txn);
      return store_mdb_error(s, rc, "cannot initialise store");
    }
  }
  if (format == 1 && !s->readonly) {
    TrineStatus st = upgrade_format1(s, txn);
    if (st) {
      mdb_txn_abort(txn);
      return st;
    }
    format = FORMAT_VERSION;
  }
  if (format == 1) {
    mdb_txn_abort(txn);
    return format1_readonly(s);
  }
  if (format != FORMAT_VERSION) {
    mdb_txn_abort(txn);
    return store_error(s, TRINE_ERR_CORRUPT,
                       "store format %llu, this trine reads format %d",
                       (unsigned long long)format, FORMAT_VERSION);
  }
  /* Commit even a read-only txn: aborting it would close the new handles. */
  rc = mdb_txn_commit(txn);
  return rc ? store_mdb_error(s, rc, "cannot initialise store") : TRINE_OK;
}

static TrineStatus prepare_dir(TrineStore *s, const char *path, unsigned flags) {
  struct stat st;
  if (stat(path, &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return store_error(s, TRINE_ERR_ARG, "not a directory");
    return TRINE_OK;
  }
  if (errno != ENOENT)
    return store_error(s, TRINE_ERR_IO, "%s", strerror(errno));
  if (flags & (TRINE_OPEN_READONLY | TRINE_OPEN_NOCREATE))
    return store_error(s, TRINE_NOT_FOUND, "no such store");
  if (mkdir(path, 0777) != 0)
    return store_error(s, TRINE_ERR_IO, "cannot create: %s", strerror(errno));
  return TRINE_OK;
}

TrineStatus trine_store_open(const char *path, const TrineOptions *opts,
                             TrineStore **out) {
  *out = NULL;
  open_errmsg[0] = '\0';
  TrineStore *s = calloc(1, sizeof *s);
  if (!s) return TRINE_ERR_NOMEM;
  unsigned flags = opts ? opts->flags : 0;
  if (opts) { s->sink = opts->sink; s->sink_ctx = opts->sink_ctx; }
  s->readonly = flags & TRINE_OPEN_READONLY;
  s->hash = dict_hash;
  TrineStatus st = prepare_dir(s, path, flags);
  if (st) return open_fail(s, st, path);
  int rc = mdb_env_create(&s->env);
  if (!rc) rc = mdb_env_set_maxdbs(s->env, 16);
  if (!rc) rc = mdb_env_set_mapsize(s->env, MAP_SIZE_DEFAULT);
  if (!rc) rc = mdb_env_open(s->env, path,
                             MDB_NOTLS | (s->readonly ? MDB_RDONLY : 0), 0666);
  if (rc) return open_fail(s, store_mdb_error(s, rc, "cannot open"), path);
  if ((st = init_layout(s))) return open_fail(s, st, path);
  s->errmsg[0] = '\0';
  s->pool = pool_new(); /* NULL (out of memory): tables use malloc alone */
  *out = s;
  return TRINE_OK;
}

void trine_store_close(TrineStore *s) {
  if (!s) return;
  pool_free(s->pool);
  mdb_env_close(s->env);
  free(s);
}

const char *trine_store_errmsg(const TrineStore *s) { return s->errmsg; }

bool trine_store_readonly(const TrineStore *s) { return s->readonly; }

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

const char *trine_version(void) { return TRINE_VERSION; }
