/*
 * store.c -- opening and closing a store directory: the LMDB environment,
 * its named databases (env.h, docs/architecture.md), the format version and
 * the upgrade from format 1.
 */
#include "store.h"

#include "dict.h"
#include "guard.h"
#include "pool.h"
#include "snapmemo.h"
#include "termcache.h"
#include "termstore.h"
#include "txn.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

/* The map reserves address space, not disk: the data file only grows as
 * pages are written. 1 TiB covers any load without a resize inside a
 * transaction (LMDB cannot grow the map while a write is in progress). */
#define MAP_SIZE_DEFAULT ((size_t)1 << 40)

/* An index's 24-byte values in memcmp() order, a word at a time: three
 * big-endian ids compare as integers, and most compares end at the first
 * (a B-tree descent makes about 30; memcmp() behind a call each took a
 * sixth of a small query). Same order as LMDB's default, so tools that
 * read the store without it still see its records sorted. */
static __attribute__((noinline)) int cmp_bytes(const MDB_val *a, const MDB_val *b) {
  int c = memcmp(a->mv_data, b->mv_data, a->mv_size < b->mv_size ? a->mv_size : b->mv_size);
  return c ? c : (a->mv_size > b->mv_size) - (a->mv_size < b->mv_size);
}

static int cmp_tuple(const MDB_val *a, const MDB_val *b) {
  /* Values of another size (a damaged store's): LMDB's own order. */
  if (__builtin_expect((a->mv_size ^ 24) | (b->mv_size ^ 24), 0)) return cmp_bytes(a, b);
  const unsigned char *x = a->mv_data, *y = b->mv_data;
  for (int i = 0; i < 24; i += 8) {
    uint64_t u = be_get(x + i), v = be_get(y + i);
    if (u != v) return u < v ? -1 : 1;
  }
  return 0;
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
    if ((rc = mdb_dbi_open(txn, index_name[i], create | dupfixed, &s->idx[i])) ||
        (rc = mdb_set_dupsort(txn, s->idx[i], cmp_tuple)))
      return rc;
  return 0;
}

/* ---- the stores this process has open ----
 * LMDB forbids opening one environment twice in a process (closing the
 * second would drop the first's fcntl() locks), so a second open of the
 * same directory is refused. Stores are known by their real path, which
 * stays the same when .vacuum exchanges the directory. A child made by
 * fork() inherits the list but not the stores (LMDB handles do not cross
 * fork()): entries count only in the process that made them. */

typedef struct OpenStore {
  struct OpenStore *next;
  char *real;
  pid_t pid;
} OpenStore;

static pthread_mutex_t open_mu = PTHREAD_MUTEX_INITIALIZER;
static OpenStore *open_list;

/* Note the store's directory as open in s->real; TRINE_ERR_BUSY if it is. */
static TrineStatus register_open(TrineStore *s, const char *path) {
  char real[PATH_MAX];
  if (!realpath(path, real)) return store_error(s, TRINE_ERR_IO, "%s", strerror(errno));
  pthread_mutex_lock(&open_mu);
  TrineStatus st = TRINE_OK;
  for (OpenStore *o = open_list; o && !st; o = o->next)
    if (o->pid == getpid() && strcmp(o->real, real) == 0)
      st = store_error(s, TRINE_ERR_BUSY,
                       "the store is already open in this process: use that handle (a store "
                       "may be shared by threads), or close it first");
  OpenStore *o = st ? NULL : calloc(1, sizeof *o);
  if (!st && (!o || !(o->real = strdup(real)))) {
    free(o);
    st = store_error(s, TRINE_ERR_NOMEM, "out of memory");
  } else if (!st) {
    o->pid = getpid();
    o->next = open_list;
    open_list = o;
    s->real = o->real;
  }
  pthread_mutex_unlock(&open_mu);
  return st;
}

static void unregister_open(TrineStore *s) {
  if (!s->real) return;
  pthread_mutex_lock(&open_mu);
  for (OpenStore **o = &open_list; *o; o = &(*o)->next)
    if ((*o)->real == s->real) {
      OpenStore *dead = *o;
      *o = dead->next;
      free(dead->real);
      free(dead);
      break;
    }
  pthread_mutex_unlock(&open_mu);
  s->real = NULL;
}

static TrineStatus open_fail(TrineStore *s, TrineStatus st, const char *path) {
  store_thread_error("%.300s: %s", path, s->errmsg);
  unregister_open(s);
  txn_drop_spare(s);
  if (s->env) mdb_env_close(s->env);
  free(s->path);
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

/* Whether the store already has this format's databases: then they are
 * opened in a read transaction, which does not wait behind a writer (a
 * load may hold the writer's lock for minutes). */
static bool layout_ready(TrineStore *s, MDB_txn **txn, int *rc) {
  if ((*rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn))) return false;
  if ((*rc = open_dbis(s, *txn, 0)) ||
      store_meta_get(*txn, s->meta, "format") != FORMAT_VERSION) {
    mdb_txn_abort(*txn);
    *txn = NULL;
    return false;
  }
  *rc = mdb_txn_commit(*txn); /* committed: the handles stay open */
  *txn = NULL;
  return *rc == 0;
}

typedef struct {
  TrineStore *s;
  MDB_txn *txn; /* the probe's transaction, until it ends */
  int rc;       /* what LMDB said */
  bool ready;
} Probe;

static void probe_layout(void *arg) {
  Probe *p = arg;
  p->ready = layout_ready(p->s, &p->txn, &p->rc);
}

/* layout_ready() under guard.h's guard: damaged pages of the catalogue
 * (the main database, meta) make LMDB abort or fault. */
static TrineStatus layout_probe(TrineStore *s, bool *ready) {
  Probe p = {.s = s};
  char why[400];
  if (guard_run(s->env, probe_layout, &p, why, sizeof why)) {
    if (p.txn) mdb_txn_abort(p.txn);
    return store_error(s, TRINE_ERR_CORRUPT, "the store is damaged: LMDB crashed reading its "
                       "catalogue (%s)", why);
  }
  if (p.rc == MDB_CORRUPTED || p.rc == MDB_PAGE_NOTFOUND)
    return store_mdb_error(s, p.rc, "the store is damaged: LMDB cannot read its catalogue");
  *ready = p.ready;
  return TRINE_OK;
}

/* The free pages numbered from first on, in the latest snapshot, read
 * from LMDB's free database (its number is 0): a transaction may allocate
 * pages past the end of the file and free them again before it commits
 * (LMDB's loose pages), which counts them in the last page number without
 * writing them. */
typedef struct {
  MDB_env *env;
  size_t first, last; /* the file's first missing page, the last page in use */
  size_t free;        /* free pages in [first, last] */
  int rc;
  MDB_txn *txn;       /* open until count_free_tail() ends (else its caller ends them) */
  MDB_cursor *cur;
} Tail;

static void tail_end(Tail *t) {
  if (t->cur) mdb_cursor_close(t->cur);
  if (t->txn) mdb_txn_abort(t->txn);
  t->cur = NULL;
  t->txn = NULL;
}

static void count_free_tail(void *arg) {
  Tail *t = arg;
  MDB_val k, v;
  MDB_envinfo info;
  if ((t->rc = mdb_txn_begin(t->env, NULL, MDB_RDONLY, &t->txn))) {
    t->txn = NULL;
    return;
  }
  /* the last page of this snapshot: another process may have committed since */
  if ((t->rc = mdb_env_info(t->env, &info)) || info.me_last_txnid != mdb_txn_id(t->txn)) {
    if (!t->rc) t->rc = MDB_BAD_TXN;
    tail_end(t);
    return;
  }
  t->last = info.me_last_pgno;
  if ((t->rc = mdb_cursor_open(t->txn, 0, &t->cur))) {
    t->cur = NULL;
    tail_end(t);
    return;
  }
  while ((t->rc = mdb_cursor_get(t->cur, &k, &v, MDB_NEXT)) == 0) {
    const size_t *ids = v.mv_data; /* LMDB's IDL: a count, then page numbers */
    for (size_t i = 1; (i + 1) * sizeof *ids <= v.mv_size && i <= ids[0]; ++i)
      if (ids[i] >= t->first && ids[i] <= t->last) t->free++;
  }
  if (t->rc == MDB_NOTFOUND) t->rc = 0;
  tail_end(t);
}

/* LMDB maps the data file without looking at its size: in a file cut
 * short, any read past its end is a bus error. Pages past the end are
 * fine only when they are all free (count_free_tail()). */
static TrineStatus check_size(TrineStore *s) {
  MDB_envinfo info;
  MDB_stat ms;
  struct stat fs;
  int fd;
  if (mdb_env_info(s->env, &info) || mdb_env_stat(s->env, &ms) ||
      mdb_env_get_fd(s->env, &fd) || fstat(fd, &fs))
    return TRINE_OK; /* cannot tell */
  uint64_t need = ((uint64_t)info.me_last_pgno + 1) * ms.ms_psize;
  if ((uint64_t)fs.st_size >= need) return TRINE_OK;
  Tail t = {.env = s->env, .first = (size_t)((uint64_t)fs.st_size / ms.ms_psize)};
  char why[400];
  for (int tries = 0; tries < 3; ++tries) {
    t.free = 0;
    if (guard_run(s->env, count_free_tail, &t, why, sizeof why)) {
      tail_end(&t); /* stopped halfway by a fault: the file ends too soon */
      t.rc = MDB_CORRUPTED;
      break;
    }
    if (t.rc != MDB_BAD_TXN) break;
  }
  if (!t.rc && t.last >= t.first && t.free == t.last - t.first + 1) return TRINE_OK;
  return store_error(s, TRINE_ERR_CORRUPT, "the store is damaged: data.mdb is cut short (%llu "
                     "bytes; its pages need %llu)", (unsigned long long)fs.st_size,
                     (unsigned long long)need);
}

/* An LMDB environment of another program: its main database holds names,
 * none of them ours (a new store's holds nothing yet). */
static bool foreign(MDB_txn *txn) {
  MDB_dbi meta, main;
  MDB_stat st;
  if (mdb_dbi_open(txn, "meta", 0, &meta) == 0) return false;
  return mdb_dbi_open(txn, NULL, 0, &main) == 0 && mdb_stat(txn, main, &st) == 0 &&
         st.ms_entries > 0;
}

/* Create the named databases and stamp the format on a new store; check the
 * format of an existing one (upgrading format 1 when writable). */
static TrineStatus init_layout(TrineStore *s) {
  bool ready = false;
  TrineStatus st = layout_probe(s, &ready);
  if (st || ready) return st;
  MDB_txn *txn;
  unsigned create = s->readonly ? 0 : MDB_CREATE;
  int rc = mdb_txn_begin(s->env, NULL, s->readonly ? MDB_RDONLY : 0, &txn);
  if (rc) return store_mdb_error(s, rc, "cannot begin transaction");
  if (foreign(txn)) {
    mdb_txn_abort(txn);
    return store_error(s, TRINE_ERR_CORRUPT, "not a trine store: the LMDB files of another "
                                              "program");
  }
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

/* Open the LMDB environment with a map of map bytes; 0: the default 1 TiB,
 * or, where that much address space cannot be had (ulimit -v, valgrind,
 * 32-bit), the largest of a quarter, a sixteenth... down to 256 MiB. */
static int open_env(TrineStore *s, const char *path, unsigned flags, size_t map) {
  size_t size = map ? map : MAP_SIZE_DEFAULT;
  for (;;) {
    int rc = mdb_env_create(&s->env);
    if (!rc) rc = mdb_env_set_maxdbs(s->env, 16);
    if (!rc) rc = mdb_env_set_mapsize(s->env, size);
    if (!rc) rc = mdb_env_open(s->env, path, flags, 0666);
    if (!rc || map || (rc != ENOMEM && rc != EINVAL) || size / 4 < ((size_t)256 << 20)) return rc;
    mdb_env_close(s->env);
    s->env = NULL;
    size /= 4;
  }
}

TrineStatus store_env_open(TrineStore *s, const char *path, unsigned envflags, size_t map) {
  int rc = open_env(s, path, envflags, map);
  if (rc) return store_mdb_error(s, rc, "cannot open");
  /* A process killed inside a read transaction leaves its reader slot
   * behind, and the snapshot it names keeps old pages from being reused:
   * the file would only grow. LMDB clears the slots of dead processes
   * only when asked. */
  int dead = 0;
  mdb_reader_check(s->env, &dead);
  TrineStatus st = check_size(s);
  return st ? st : init_layout(s);
}

/* Whether directory path holds a store (data.mdb), nothing, or other files. */
typedef enum { DIR_STORE, DIR_EMPTY, DIR_OTHER } DirKind;

static DirKind dir_kind(const char *path) {
  DIR *d = opendir(path);
  if (!d) return DIR_OTHER;
  DirKind k = DIR_EMPTY;
  for (struct dirent *e; (e = readdir(d));) {
    if (strcmp(e->d_name, "data.mdb") == 0) {
      k = DIR_STORE;
      break;
    }
    /* LMDB makes its lock file first: a creation stopped before the data
     * file left only that, and the directory is still empty of data. */
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "lock.mdb"))
      k = DIR_OTHER;
  }
  closedir(d);
  return k;
}

/* LMDB would take an empty data.mdb for a new store and make it one:
 * a store whose file lost its contents must not pass for an empty one. */
static TrineStatus data_file(TrineStore *s, const char *dir) {
  char path[4200];
  struct stat st;
  snprintf(path, sizeof path, "%.4000s/data.mdb", dir);
  if (stat(path, &st) == 0 && st.st_size == 0)
    return store_error(s, TRINE_ERR_CORRUPT, "the store is damaged: data.mdb is empty");
  return TRINE_OK;
}

/* A store is created only where nothing is: a new path or an empty
 * directory, never among other files (trine /etc 'ASK {}' wrote data.mdb
 * into /etc). */
static TrineStatus prepare_dir(TrineStore *s, const char *path, unsigned flags) {
  bool may_create = !(flags & (TRINE_OPEN_READONLY | TRINE_OPEN_NOCREATE));
  struct stat st;
  if (stat(path, &st) == 0) {
    if (!S_ISDIR(st.st_mode))
      return store_error(s, TRINE_ERR_ARG, "not a trine store: not a directory");
    switch (dir_kind(path)) {
    case DIR_STORE: return data_file(s, path);
    case DIR_EMPTY:
      if (!may_create) return store_error(s, TRINE_NOT_FOUND, "no such store (an empty directory)");
      s->created = true;
      return TRINE_OK;
    case DIR_OTHER:
      return store_error(s, TRINE_ERR_ARG,
                         "not a trine store: a directory of other files (a new store is made "
                         "only in a new or empty directory)");
    }
  }
  if (errno != ENOENT)
    return store_error(s, TRINE_ERR_IO, "%s", strerror(errno));
  if (!may_create) return store_error(s, TRINE_NOT_FOUND, "no such store");
  if (mkdir(path, 0777) != 0)
    return store_error(s, TRINE_ERR_IO, "cannot create: %s", strerror(errno));
  s->created = true;
  return TRINE_OK;
}

/* A creation that failed before LMDB wrote its meta pages (a write
 * error, a full disk) leaves an empty data.mdb, which open refuses as a
 * damaged store: remove it, so that the next open creates the store. A
 * data.mdb that holds anything is left alone. */
static void forget_creation(const char *dir) {
  char path[4200];
  struct stat st;
  snprintf(path, sizeof path, "%.4000s/data.mdb", dir);
  if (stat(path, &st) == 0 && st.st_size == 0) unlink(path);
}

TrineStatus trine_store_open(const char *path, const TrineOptions *opts,
                             TrineStore **out) {
  if (!out) return api_misuse(NULL, "trine_store_open", "out is NULL");
  *out = NULL;
  if (!path) return api_misuse(NULL, "trine_store_open", "path is NULL");
  store_thread_error("%s", "");
  TrineStore *s = calloc(1, sizeof *s);
  if (!s) return TRINE_ERR_NOMEM;
  unsigned flags = opts ? opts->flags : 0;
  if (opts) {
    s->sink = opts->sink;
    s->sink_ctx = opts->sink_ctx;
    s->busy = opts->busy;
    s->busy_ctx = opts->busy_ctx;
  }
  s->readonly = flags & TRINE_OPEN_READONLY;
  s->lock_fd = -1;
  s->hash = dict_hash;
  if (!(s->path = strdup(path))) {
    free(s);
    return TRINE_ERR_NOMEM;
  }
  TrineStatus st = prepare_dir(s, path, flags);
  if (!st) st = register_open(s, path);
  if (st) return open_fail(s, st, path);
  unsigned envflags = MDB_NOTLS | (s->readonly ? MDB_RDONLY : 0) |
                      (flags & TRINE_OPEN_NOSYNC ? MDB_NOSYNC : 0);
  if ((st = store_env_open(s, path, envflags, opts ? opts->map_size : 0))) {
    if (s->created) forget_creation(path);
    return open_fail(s, st, path);
  }
  s->errmsg[0] = '\0';
  s->pool = pool_new(); /* NULL (out of memory): tables use malloc alone */
  s->known = termcache_new(); /* NULL: every lookup goes to LMDB */
  s->memo = snapmemo_new();   /* NULL: statistics are read every time */
  *out = s;
  return TRINE_OK;
}

TrineStatus trine_store_close(TrineStore *s) {
  if (!s) return TRINE_OK;
  size_t txns = atomic_load(&s->live_txns), queries = atomic_load(&s->live_queries);
  if (txns || queries) /* closing the environment under them would crash them later */
    return store_error(s, TRINE_ERR_BUSY,
                       "%zu transaction%s and %zu quer%s still open: end them first; the store "
                       "stays open", txns, txns == 1 ? "" : "s", queries,
                       queries == 1 ? "y is" : "ies are");
  pool_free(s->pool);
  termcache_free(s->known);
  snapmemo_free(s->memo);
  txn_drop_spare(s);
  mdb_env_close(s->env);
  if (s->lock_fd >= 0) close(s->lock_fd); /* after LMDB's locks are gone (store.h) */
  unregister_open(s);
  free(s->path);
  free(s);
  return TRINE_OK;
}

const char *trine_store_errmsg(const TrineStore *s) {
  return s ? s->errmsg : trine_open_errmsg();
}

bool trine_store_readonly(const TrineStore *s) { return s && s->readonly; }

bool trine_store_created(const TrineStore *s) { return s && s->created; }

const char *trine_version(void) { return TRINE_VERSION; }
