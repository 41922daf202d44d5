/*
 * compact.c -- trine_store_compact(): the store copied with its live pages
 * only (LMDB's compacting copy) into a new directory beside it, which an
 * atomic exchange of the two directories (renameat2 RENAME_EXCHANGE) puts
 * in the store's place; the handle goes on with the copy.
 *
 * The copy is opened before the exchange, so that nothing can fail after
 * it, and its lock file goes with its data file: whoever opens the store
 * at any moment opens the old directory or the new one, each whole (the
 * compacted data file restarts LMDB's transaction ids, so it must never
 * meet the old lock file). Writers wait on the write transaction held
 * throughout. Another process that has the store open is seen in LMDB's
 * lock file, where every process with the environment open holds a
 * shared fcntl() lock on the first byte: it is looked for before the copy
 * and again just before the exchange.
 */
#include "store.h"
#include "snapmemo.h"
#include "txn.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* dir/name into path; names() keeps dir short enough for it. */
static void join(char path[PATH_MAX], const char *dir, const char *name) {
  if (snprintf(path, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) path[0] = '\0';
}

static TrineStatus io_error(TrineStore *s, const char *what, const char *path) {
  return store_error(s, TRINE_ERR_IO, "cannot compact: %s %s: %s", what, path, strerror(errno));
}

/* Refuse while another process has the store in directory dir open: it
 * would go on with the old copy, and what it writes would be lost. */
static TrineStatus refuse_others(TrineStore *s, const char *dir) {
  if (s->lock_fd < 0) { /* kept open until the store closes (store.h) */
    char path[PATH_MAX];
    join(path, dir, "lock.mdb");
    if ((s->lock_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
      return io_error(s, "cannot open", path);
  }
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1};
  if (fcntl(s->lock_fd, F_GETLK, &fl) != 0) return io_error(s, "cannot read the locks of", dir);
  if (fl.l_type == F_UNLCK) return TRINE_OK;
  return store_error(s, TRINE_ERR_BUSY,
                     "cannot compact: process %ld has the store open, and would go on with the "
                     "old copy: close it first", (long)fl.l_pid);
}

/* The store's live pages into tmp/data.mdb, with the mode of its data
 * file, on disk unless the store is opened TRINE_OPEN_NOSYNC. */
static TrineStatus copy_into(TrineStore *s, const char *tmp, mode_t mode, uint64_t *size) {
  char path[PATH_MAX];
  join(path, tmp, "data.mdb");
  int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return io_error(s, "cannot create", path);
  unsigned flags = 0;
  struct stat st;
  int rc = fchmod(fd, mode) ? errno : 0; /* what the umask took away */
  if (!rc) rc = mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT);
  if (!rc && !mdb_env_get_flags(s->env, &flags) && !(flags & MDB_NOSYNC) && fsync(fd)) rc = errno;
  if (!rc && fstat(fd, &st)) rc = errno;
  if (close(fd) && !rc) rc = errno;
  if (rc) return store_mdb_error(s, rc, "cannot compact: cannot copy the store");
  *size = (uint64_t)st.st_size;
  return TRINE_OK;
}

/* Open the copy in tmp as the store is opened. */
static TrineStatus open_copy(TrineStore *s, const char *tmp, TrineStore **out) {
  TrineStore *n = calloc(1, sizeof *n);
  if (!n) return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  n->lock_fd = -1;
  unsigned flags = 0;
  MDB_envinfo info;
  int rc = mdb_env_get_flags(s->env, &flags);
  if (!rc) rc = mdb_env_info(s->env, &info);
  TrineStatus st = rc ? store_mdb_error(s, rc, "cannot compact")
                      : store_env_open(n, tmp, flags, info.me_mapsize);
  if (st == TRINE_ERR_NOMEM && !rc) {
    /* Two maps of the store's size at once may not fit where address space
     * is scarce (ulimit -v, sanitizers): the copy takes what open would. */
    if (n->env) mdb_env_close(n->env);
    n->env = NULL;
    st = store_env_open(n, tmp, flags, 0);
  }
  if (st && !rc) st = store_error(s, st, "cannot compact: the copy does not open: %s", n->errmsg);
  if (st) {
    if (n->env) mdb_env_close(n->env);
    free(n);
    return st;
  }
  *out = n;
  return TRINE_OK;
}

/* Remove a store directory's files, then the directory. */
static int remove_store_dir(const char *dir) {
  char path[PATH_MAX];
  join(path, dir, "data.mdb");
  if (unlink(path) && errno != ENOENT) return -1;
  join(path, dir, "lock.mdb");
  if (unlink(path) && errno != ENOENT) return -1;
  return rmdir(dir);
}

/* The exchange itself, made durable in the parent directory. */
static TrineStatus exchange(TrineStore *s, const char *tmp, const char *dir) {
  if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) != 0) {
    if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)
      return store_error(s, TRINE_ERR_UNSUPPORTED, "cannot compact: this file system cannot "
                         "exchange two directories atomically (%s)", strerror(errno));
    return io_error(s, "cannot exchange the copy with", dir);
  }
  char parent[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", dir);
  char *slash = strrchr(parent, '/');
  if (slash) *(slash == parent ? slash + 1 : slash) = '\0';
  else snprintf(parent, sizeof parent, ".");
  int fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd); /* a failure leaves the exchange to the file system's next sync */
    close(fd);
  }
  return TRINE_OK;
}

/* The handle goes on with the copy: the old environment is closed (and
 * its lock file's descriptor after it), the copy's handles taken. */
static void adopt(TrineStore *s, TrineStore *n) {
  txn_drop_spare(s); /* a handle of the old environment */
  mdb_env_close(s->env);
  if (s->lock_fd >= 0) close(s->lock_fd);
  s->lock_fd = -1;
  s->env = n->env;
  s->meta = n->meta;
  s->terms = n->terms;
  s->hash2id = n->hash2id;
  s->bnodes = n->bnodes;
  s->stats = n->stats;
  memcpy(s->idx, n->idx, sizeof s->idx);
  snapmemo_clear(s->memo); /* the copy's transaction ids start again */
  free(n);
}

/* Copy, open the copy, exchange: under the write lock of w, ended here. */
static TrineStatus swap_in(TrineStore *s, TrineTxn *w, const char *dir, char *tmp,
                           TrineCompactStats *out) {
  struct stat sd, sf;
  int fd;
  TrineStore *n = NULL;
  bool made = false;
  TrineStatus st = TRINE_OK;
  if (stat(dir, &sd) || mdb_env_get_fd(s->env, &fd) || fstat(fd, &sf))
    st = io_error(s, "cannot read", dir);
  if (!st && !(made = mkdtemp(tmp) != NULL)) st = io_error(s, "cannot create a directory beside", dir);
  if (!st) st = copy_into(s, tmp, sf.st_mode & 07777, &out->bytes_after);
  if (!st) st = open_copy(s, tmp, &n);
  if (!st && chmod(tmp, sd.st_mode & 07777)) st = io_error(s, "cannot set the mode of", tmp);
  if (!st) st = refuse_others(s, dir);
  if (!st) st = exchange(s, tmp, dir);
  trine_txn_abort(w);
  if (st) {
    if (n) mdb_env_close(n->env);
    free(n);
    if (made) remove_store_dir(tmp);
    return st;
  }
  out->bytes_before = (uint64_t)sf.st_size;
  adopt(s, n);
  if (remove_store_dir(tmp))
    return store_error(s, TRINE_ERR_IO, "the store is compacted, but its old copy in %s could "
                       "not be removed: %s", tmp, strerror(errno));
  return TRINE_OK;
}

/* The store's directory (a symbolic link followed: the directory itself
 * is exchanged), and a name beside it. */
static TrineStatus names(TrineStore *s, char dir[PATH_MAX], char tmp[PATH_MAX]) {
  if (!realpath(s->path, dir)) {
    if (errno != ENOENT) return io_error(s, "cannot find", s->path);
    return store_error(s, TRINE_ERR_UNSUPPORTED, "cannot compact: the store's directory %s is "
                       "gone (its files are open, but have no name to swap)", s->path);
  }
  size_t n = strlen(dir);
  if (n + sizeof ".compact-XXXXXX/lock.mdb" > PATH_MAX)
    return store_error(s, TRINE_ERR_ARG, "cannot compact: the store's path is too long");
  memcpy(tmp, dir, n);
  memcpy(tmp + n, ".compact-XXXXXX", sizeof ".compact-XXXXXX");
  return TRINE_OK;
}

TrineStatus trine_store_compact(TrineStore *s, TrineCompactStats *out) {
  TrineCompactStats cs = {0};
  if (out) *out = cs;
  if (!s) return api_misuse(NULL, "trine_store_compact", "store is NULL");
  if (s->readonly)
    return store_error(s, TRINE_ERR_READONLY, "cannot compact: the store is opened read-only");
  size_t txns = atomic_load(&s->live_txns), queries = atomic_load(&s->live_queries);
  if (txns || queries)
    return store_error(s, TRINE_ERR_BUSY, "cannot compact: the store has %zu transaction%s "
                       "and %zu quer%s open: end them first", txns, txns == 1 ? "" : "s",
                       queries, queries == 1 ? "y" : "ies");
  char dir[PATH_MAX], tmp[PATH_MAX];
  TrineTxn *w;
  TrineStatus st = names(s, dir, tmp);
  if (!st) st = refuse_others(s, dir); /* before waiting for the writer's lock */
  if (!st) st = trine_txn_begin(s, true, &w);
  if (!st) st = swap_in(s, w, dir, tmp, &cs);
  if (out && !st) *out = cs;
  return st;
}
