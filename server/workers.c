/*
 * workers.c -- a fixed pool of threads, each with a one-task mailbox.
 */
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>

struct Workers {
  pthread_mutex_t mu;
  pthread_cond_t wake;
  WorkerFn fn;
  unsigned n, busy;  /* tasks waiting to be taken, or running and not released */
  void **queue;      /* at most n tasks: one per idle thread */
  unsigned head, len;
  bool stop;
  pthread_t *threads;
  unsigned started;
};

/* Whether the task this thread runs has released its slot. */
static _Thread_local bool released;

static void *worker_main(void *arg) {
  Workers *w = arg;
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->len && !w->stop) pthread_cond_wait(&w->wake, &w->mu);
    if (!w->len) break; /* stopping with nothing left to run */
    void *task = w->queue[w->head];
    w->head = (w->head + 1) % w->n;
    w->len--;
    pthread_mutex_unlock(&w->mu);
    released = false;
    w->fn(task);
    pthread_mutex_lock(&w->mu);
    if (!released) w->busy--;
  }
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

Workers *workers_start(unsigned n, WorkerFn fn) {
  Workers *w = calloc(1, sizeof *w);
  if (!w) return NULL;
  w->queue = calloc(n, sizeof *w->queue);
  w->threads = calloc(n, sizeof *w->threads);
  w->n = n;
  w->fn = fn;
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->wake, NULL);
  if (!w->queue || !w->threads) {
    workers_stop(w);
    return NULL;
  }
  for (; w->started < n; w->started++)
    if (pthread_create(&w->threads[w->started], NULL, worker_main, w)) break;
  if (w->started < n) {
    workers_stop(w);
    return NULL;
  }
  return w;
}

void workers_release(Workers *w) {
  if (released) return;
  released = true;
  pthread_mutex_lock(&w->mu);
  w->busy--;
  pthread_mutex_unlock(&w->mu);
}

bool workers_submit(Workers *w, void *task) {
  pthread_mutex_lock(&w->mu);
  bool ok = !w->stop && w->busy < w->n;
  if (ok) {
    w->queue[(w->head + w->len) % w->n] = task;
    w->len++;
    w->busy++;
    pthread_cond_signal(&w->wake);
  }
  pthread_mutex_unlock(&w->mu);
  return ok;
}

void workers_stop(Workers *w) {
  if (!w) return;
  pthread_mutex_lock(&w->mu);
  w->stop = true;
  pthread_cond_broadcast(&w->wake);
  pthread_mutex_unlock(&w->mu);
  for (unsigned i = 0; i < w->started; ++i) pthread_join(w->threads[i], NULL);
  pthread_cond_destroy(&w->wake);
  pthread_mutex_destroy(&w->mu);
  free(w->threads);
  free(w->queue);
  free(w);
}
