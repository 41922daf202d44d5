/*
 * termcache.c -- ids of stored terms by their encoded bytes (see termcache.h).
 */
#include "termcache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define TERMCACHE_SLOTS 1024 /* a power of 2 */
#define BYID_SLOTS 4096      /* a power of 2; a slot is 128 bytes */

typedef struct {
  uint64_t hash;
  TrineId id;          /* 0: empty */
  uint32_t len;
  char enc[TERMCACHE_BYTES];
} Slot;

struct TermCache {
  pthread_mutex_t lock;
  Slot slot[TERMCACHE_SLOTS]; /* by the hash of the bytes */
  Slot byid[BYID_SLOTS];      /* by id (hash unused) */
};

TermCache *termcache_new(void) {
  TermCache *c = calloc(1, sizeof *c);
  if (c && pthread_mutex_init(&c->lock, NULL)) {
    free(c);
    return NULL;
  }
  return c;
}

void termcache_free(TermCache *c) {
  if (!c) return;
  pthread_mutex_destroy(&c->lock);
  free(c);
}

static Slot *slot_of(TermCache *c, uint64_t h) {
  return &c->slot[(h * UINT64_C(0x9E3779B97F4A7C15)) >> 54 & (TERMCACHE_SLOTS - 1)];
}

bool termcache_get(TermCache *c, uint64_t h, const void *enc, size_t len, TrineId *id) {
  if (!c || len > TERMCACHE_BYTES) return false;
  Slot *s = slot_of(c, h);
  pthread_mutex_lock(&c->lock);
  bool hit = s->id && s->hash == h && s->len == len && memcmp(s->enc, enc, len) == 0;
  if (hit) *id = s->id;
  pthread_mutex_unlock(&c->lock);
  return hit;
}

void termcache_put(TermCache *c, uint64_t h, const void *enc, size_t len, TrineId id) {
  if (!c || len > TERMCACHE_BYTES || !id) return;
  Slot *s = slot_of(c, h);
  pthread_mutex_lock(&c->lock);
  s->hash = h;
  s->id = id;
  s->len = (uint32_t)len;
  memcpy(s->enc, enc, len);
  pthread_mutex_unlock(&c->lock);
}

static Slot *slot_by_id(TermCache *c, TrineId id) {
  return &c->byid[(id * UINT64_C(0x9E3779B97F4A7C15)) >> 52 & (BYID_SLOTS - 1)];
}

bool termcache_bytes(TermCache *c, TrineId id, char buf[TERMCACHE_BYTES], size_t *len) {
  if (!c || !id) return false;
  Slot *s = slot_by_id(c, id);
  pthread_mutex_lock(&c->lock);
  bool hit = s->id == id;
  if (hit) memcpy(buf, s->enc, *len = s->len);
  pthread_mutex_unlock(&c->lock);
  return hit;
}

void termcache_put_bytes(TermCache *c, TrineId id, const void *enc, size_t len) {
  if (!c || len > TERMCACHE_BYTES || !id) return;
  Slot *s = slot_by_id(c, id);
  pthread_mutex_lock(&c->lock);
  s->id = id;
  s->len = (uint32_t)len;
  memcpy(s->enc, enc, len);
  pthread_mutex_unlock(&c->lock);
}
