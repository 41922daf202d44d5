/*
 * index_int.h -- what the index modules share: the record layout of the
 * six permutations and its conversions. index.c reads the indexes,
 * index_write.c writes them, index_runs.c keeps a load's sorted runs.
 */
#ifndef TRINE_INDEX_INT_H
#define TRINE_INDEX_INT_H

#include "index.h"

#define VAL_SIZE 24 /* an index value: layout components 1..3, big-endian */

static inline TrineStatus fail(TrineTxn *t, int rc, const char *what) {
  return store_mdb_error(t->store, rc, what);
}

/* A record in an index's layout: r.v[i] = quad.v[index_order[idx][i]]. */
static inline void permute(Quad *dst, const Quad *src, size_t n, IndexId idx) {
  const int *o = index_order[idx];
  for (size_t i = 0; i < n; ++i)
    dst[i] = (Quad){{src[i].v[o[0]], src[i].v[o[1]], src[i].v[o[2]], src[i].v[o[3]]}};
}

/* Change records in place from one index layout to another. */
static inline void relayout(Quad *a, size_t n, IndexId from, IndexId to) {
  const int *f = index_order[from], *o = index_order[to];
  for (size_t i = 0; i < n; ++i) {
    TrineId c[4];
    for (int j = 0; j < 4; ++j) c[f[j]] = a[i].v[j];
    for (int j = 0; j < 4; ++j) a[i].v[j] = c[o[j]];
  }
}

static inline void pack_value(unsigned char val[VAL_SIZE], const Quad *r) {
  be_put(val, r->v[1]);
  be_put(val + 8, r->v[2]);
  be_put(val + 16, r->v[3]);
}

/* Records in layout order compare as four ids. */
static inline int lex_cmp(const Quad *a, const Quad *b) {
  for (int i = 0; i < 4; ++i)
    if (a->v[i] != b->v[i]) return a->v[i] < b->v[i] ? -1 : 1;
  return 0;
}

#endif
