/*
 * guard.h -- reading a damaged store without dying of it.
 *
 * LMDB 0.9 keeps no checksums and trusts its pages: damage to a page's
 * header or to a branch page makes it fail one of its assertions (it
 * aborts) or read out of bounds (a fault). trine_store_check() reads
 * under a guard that turns either into a return, so that it can report
 * the damage. The guard catches SIGSEGV and SIGBUS in the guarded thread
 * only (another thread's fault goes to the program's own handling) and
 * LMDB's assertions through mdb_env_set_assert(); the signal handlers are
 * installed while some thread is guarded and then put back.
 */
#ifndef TRINE_GUARD_H
#define TRINE_GUARD_H

#include "env.h"

/**
 * Run fn(arg) reading env under the guard. Returns 0, or the signal that
 * stopped fn halfway (SIGSEGV, SIGBUS, or SIGABRT for an assertion of
 * LMDB's, whose message goes to why): whatever fn had open is still open,
 * and fn must keep what it allocates where its caller can free it.
 */
int guard_run(MDB_env *env, void (*fn)(void *arg), void *arg, char *why, size_t n);

/// Lift the guard of this thread while code not reading the store runs
/// (a callback of the program's): its faults are the program's own.
void *guard_pause(void);
void guard_resume(void *paused);

#endif
