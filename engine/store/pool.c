/*
 * pool.c -- large row buffers kept from one query to the next (see pool.h).
 */
#include "pool.h"

#include <pthread.h>
#include <stdlib.h>

#define POOL_SLOTS 8
#define POOL_MIN_BYTES ((size_t)64 << 10)   /* smaller blocks stay in the heap */
#define POOL_MAX_BYTES ((size_t)64 << 20)

struct Pool {
  pthread_mutex_t lock;
  void *buf[POOL_SLOTS];
  size_t size[POOL_SLOTS]; /* 0: empty slot */
  size_t held;
};

Pool *pool_new(void) {
  Pool *p = calloc(1, sizeof *p);
  if (p && pthread_mutex_init(&p->lock, NULL)) {
    free(p);
    return NULL;
  }
  return p;
}

void pool_free(Pool *p) {
  if (!p) return;
  for (int i = 0; i < POOL_SLOTS; ++i) free(p->buf[i]);
  pthread_mutex_destroy(&p->lock);
  free(p);
}

void *pool_get(Pool *p, size_t bytes, size_t *got) {
  *got = bytes;
  if (!p || bytes < POOL_MIN_BYTES) return malloc(bytes ? bytes : 1);
  void *buf = NULL;
  pthread_mutex_lock(&p->lock);
  /* The smallest buffer big enough, and not over 4 times too big: a
   * table's size counts against its query's memory limit. */
  int best = -1;
  for (int i = 0; i < POOL_SLOTS; ++i)
    if (p->size[i] >= bytes && p->size[i] / 4 <= bytes &&
        (best < 0 || p->size[i] < p->size[best]))
      best = i;
  if (best >= 0) {
    buf = p->buf[best];
    *got = p->size[best];
    p->held -= p->size[best];
    p->buf[best] = NULL;
    p->size[best] = 0;
  }
  pthread_mutex_unlock(&p->lock);
  return buf ? buf : malloc(bytes);
}

void pool_put(Pool *p, void *buf, size_t bytes) {
  if (!buf) return;
  if (!p || bytes < POOL_MIN_BYTES || bytes > POOL_MAX_BYTES) {
    free(buf);
    return;
  }
  pthread_mutex_lock(&p->lock);
  /* An empty slot, or else the smallest buffer if this one is bigger. */
  int slot = -1;
  for (int i = 0; i < POOL_SLOTS; ++i)
    if (slot < 0 || p->size[i] < p->size[slot]) slot = i;
  void *evict = NULL;
  if (p->size[slot] < bytes && p->held - p->size[slot] + bytes <= POOL_MAX_BYTES) {
    evict = p->buf[slot];
    p->held += bytes - p->size[slot];
    p->buf[slot] = buf;
    p->size[slot] = bytes;
  } else {
    evict = buf;
  }
  pthread_mutex_unlock(&p->lock);
  free(evict);
}
