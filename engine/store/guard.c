/*
 * guard.c -- faults and LMDB assertions of a guarded read become returns
 * (see guard.h).
 */
#include "guard.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* This thread's way out while it is guarded (NULL: not guarded), and the
 * message of the LMDB assertion that took it. */
static _Thread_local sigjmp_buf *jump;
static _Thread_local char assertion[400];

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned guarded;                 /* threads guarded now */
static struct sigaction old_segv, old_bus; /* the program's handling */

static void on_fault(int sig, siginfo_t *info, void *ctx) {
  (void)info;
  (void)ctx;
  if (jump) siglongjmp(*jump, sig);
  /* Not a guarded read: the program's own fault. Its handling is put back
   * and the faulting instruction, run again, meets it. */
  sigaction(sig, sig == SIGSEGV ? &old_segv : &old_bus, NULL);
}

static void on_assert(MDB_env *env, const char *msg) {
  (void)env;
  if (!jump) return; /* LMDB aborts, as it would have */
  snprintf(assertion, sizeof assertion, "%s", msg);
  siglongjmp(*jump, SIGABRT);
}

static int install(void) {
  int rc = 0;
  pthread_mutex_lock(&lock);
  if (guarded++ == 0) {
    struct sigaction sa = {.sa_sigaction = on_fault, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    rc = sigaction(SIGSEGV, &sa, &old_segv) || sigaction(SIGBUS, &sa, &old_bus);
    if (rc) guarded--;
  }
  pthread_mutex_unlock(&lock);
  return rc;
}

static void uninstall(void) {
  pthread_mutex_lock(&lock);
  if (--guarded == 0) {
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
  }
  pthread_mutex_unlock(&lock);
}

int guard_run(MDB_env *env, void (*fn)(void *arg), void *arg, char *why, size_t n) {
  if (install()) { /* no handlers: read unguarded */
    fn(arg);
    return 0;
  }
  mdb_env_set_assert(env, on_assert); /* harmless when no thread is guarded */
  sigjmp_buf out, *volatile outer = jump;
  int sig = sigsetjmp(out, 1);
  if (sig == 0) {
    jump = &out;
    fn(arg);
  }
  jump = outer;
  uninstall();
  if (sig == SIGABRT) snprintf(why, n, "%s", assertion);
  else if (sig) snprintf(why, n, "%s", sig == SIGSEGV ? "a segmentation fault" : "a bus error");
  return sig;
}

void *guard_pause(void) {
  void *p = jump;
  jump = NULL;
  return p;
}

void guard_resume(void *paused) { jump = paused; }
