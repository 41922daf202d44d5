/*
 * snapmemo.c -- values remembered per committed state of the store (see
 * snapmemo.h).
 */
#include "snapmemo.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define SNAPMEMO_SLOTS 1024 /* a power of 2 */

typedef struct {
  size_t txnid; /* 0: empty (LMDB's first committed state is 1) */
  uint64_t key[SNAPMEMO_KEY];
  uint64_t val[SNAPMEMO_VAL];
} Slot;

struct SnapMemo {
  pthread_mutex_t lock;
  Slot slot[SNAPMEMO_SLOTS];
};

SnapMemo *snapmemo_new(void) {
  SnapMemo *m = calloc(1, sizeof *m);
  if (m && pthread_mutex_init(&m->lock, NULL)) {
    free(m);
    return NULL;
  }
  return m;
}

void snapmemo_free(SnapMemo *m) {
  if (!m) return;
  pthread_mutex_destroy(&m->lock);
  free(m);
}

void snapmemo_clear(SnapMemo *m) {
  if (!m) return;
  pthread_mutex_lock(&m->lock);
  memset(m->slot, 0, sizeof m->slot);
  pthread_mutex_unlock(&m->lock);
}

static Slot *slot_of(SnapMemo *m, const uint64_t key[SNAPMEMO_KEY]) {
  uint64_t h = 0;
  for (int i = 0; i < SNAPMEMO_KEY; ++i) h = (h ^ key[i]) * UINT64_C(0x9E3779B97F4A7C15);
  return &m->slot[h >> 54 & (SNAPMEMO_SLOTS - 1)];
}

bool snapmemo_get(TrineTxn *t, const uint64_t key[SNAPMEMO_KEY], uint64_t val[SNAPMEMO_VAL]) {
  SnapMemo *m = t->store->memo;
  if (!m || t->write) return false;
  size_t id = mdb_txn_id(t->txn);
  Slot *s = slot_of(m, key);
  pthread_mutex_lock(&m->lock);
  bool hit = s->txnid == id && id && !memcmp(s->key, key, sizeof s->key);
  if (hit) memcpy(val, s->val, sizeof s->val);
  pthread_mutex_unlock(&m->lock);
  return hit;
}

void snapmemo_put(TrineTxn *t, const uint64_t key[SNAPMEMO_KEY], const uint64_t val[SNAPMEMO_VAL]) {
  SnapMemo *m = t->store->memo;
  if (!m || t->write) return;
  Slot *s = slot_of(m, key);
  pthread_mutex_lock(&m->lock);
  s->txnid = mdb_txn_id(t->txn);
  memcpy(s->key, key, sizeof s->key);
  memcpy(s->val, val, sizeof s->val);
  pthread_mutex_unlock(&m->lock);
}
