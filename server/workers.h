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

/// Hand task to an idle thread; false when all are busy (or stopping).
/// A thread that has just sent its reply may not be back yet: a task
/// waits up to wait_ms for one before it is refused.
bool workers_submit(Workers *w, void *task, unsigned wait_ms);

/// Let the running tasks end, then join and free every thread.
void workers_stop(Workers *w);

#endif
