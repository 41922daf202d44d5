/*
 * store.h -- opening a store's LMDB environment, for store.c's own open
 * and for compact.c, which opens the compacted copy before it swaps it in.
 *
 * A process must never close a descriptor of a store's lock.mdb while
 * LMDB has the store open: POSIX drops all of the process's fcntl() locks
 * on a file when any descriptor of it is closed, and LMDB's locks tell
 * other processes that this one is there. TrineStoreImpl.lock_fd is
 * opened once and closed after the environment.
 */
#ifndef TRINE_STORE_H
#define TRINE_STORE_H

#include "env.h"

/**
 * Open the LMDB environment of directory path into s->env (envflags: LMDB
 * flags, map: its map size) and its databases into s's handles, checking
 * the format (making it on a new store unless s->readonly; upgrading
 * format 1). On failure s->env may be set: mdb_env_close() it.
 */
TrineStatus store_env_open(TrineStore *s, const char *path, unsigned envflags, size_t map);

#endif
