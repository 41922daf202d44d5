/*
 * workers.h -- a fixed pool of threads that run submitted tasks. A task is
 * refused, not queued, when every thread is busy: the caller answers 503
 * at once instead of letting requests wait behind long queries.
 */
#ifndef TRINE_WORKERS_H
#define TRINE_WORKERS_H

#include <stdbool.h>

typedef struct Workers Workers;
typedef void (*WorkerFn)(void *task);

/// Start n threads running fn on submitted tasks; NULL on failure.
Workers *workers_start(unsigned n, WorkerFn fn);

/// Hand task to an idle thread; false at once when all are busy (or
/// stopping): the caller, an HTTP thread, never waits.
bool workers_submit(Workers *w, void *task);

/// Called by a task on its thread when its reply is about to go out: its
/// slot is free from then on, though the thread still finishes the task
/// (a client sending its next request the moment it has the reply must
/// find the slot free). A task that does not call it frees the slot when
/// it returns.
void workers_release(Workers *w);

/// Let the running tasks end, then join and free every thread.
void workers_stop(Workers *w);

#endif
