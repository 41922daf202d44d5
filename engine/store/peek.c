/*
 * peek.c -- index seeks over LMDB's pages (see peek.h).
 *
 * The layout read here is LMDB 0.9's (mdb.c, MDB_page and MDB_node):
 *   page header (16 bytes): page number (8), key size of a LEAF2 page (2),
 *     flags (2), lower and upper bounds of the free space (2 + 2);
 *   then 2-byte node offsets, (lower - 16) / 2 of them, except on LEAF2
 *   pages, whose fixed-size values follow the header directly;
 *   node: data size or child page number, low 32 bits (2 + 2), flags or
 *     the page number's high 16 bits (2), key size (2), key, data.
 * A branch page's first key is not stored: its child holds everything
 * below the second key. A key with duplicates keeps them in a sub-page
 * inside its node (F_DUPDATA) or in a tree of their own whose 48-byte
 * MDB_db record is the node's data (F_DUPDATA | F_SUBDATA).
 */
#include "peek.h"

#include "snapmemo.h"

#include <string.h>

#define HDR 16            /* page header */
#define NODE 8            /* node header */
#define P_BRANCH 0x01
#define P_LEAF 0x02
#define P_META 0x08
#define P_LEAF2 0x20
#define F_BIGDATA 0x01
#define F_SUBDATA 0x02
#define F_DUPDATA 0x04
#define DB_RECORD 48      /* sizeof(MDB_db) */
#define DB_ROOT 40        /* its md_root */
#define NO_PAGE UINT64_MAX /* LMDB's P_INVALID: an empty tree */
#define KEY 8             /* an index's key */
#define VAL 24            /* an index's value */
#define MAX_DEPTH 16      /* deeper than any tree of 2^64 entries */
#define MAX_STEPS 64      /* leaves stepped over before asking LMDB */

static inline unsigned u16(const unsigned char *p) {
  uint16_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline uint64_t u64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static inline uint64_t child_of(const unsigned char *node) {
  return u16(node) | (uint64_t)u16(node + 2) << 16 | (uint64_t)u16(node + 4) << 32;
}

/* Keys and values against a target, as LMDB orders them: n big-endian
 * words compared as bytes (1 for an index key, 3 for a value), or, for
 * n == NATIVE, one integer key of the machine's order (MDB_INTEGERKEY). */
#define NATIVE 0
static inline __attribute__((always_inline)) int words_cmp(const unsigned char *p,
                                                          const uint64_t *w, int n) {
  if (n == NATIVE) {
    uint64_t x = u64(p);
    return x == *w ? 0 : x < *w ? -1 : 1;
  }
  for (int i = 0; i < n; ++i) {
    uint64_t x = be_get(p + 8 * i);
    if (x != w[i]) return x < w[i] ? -1 : 1;
  }
  return 0;
}

/* The bytes of a key of n words (words_cmp()). */
#define KEY_BYTES(n) ((n) == NATIVE ? 8u : 8u * (unsigned)(n))

typedef struct {
  const unsigned char *p;
  unsigned n;     /* nodes or values */
  unsigned flags;
} Page;

/* Page pgno, its bounds checked: false when it cannot be one. */
static bool page_at(const PeekTxn *k, uint64_t pgno, Page *pg) {
  if (pgno < 2 || pgno >= k->npages) return false; /* 0 and 1 are the meta pages */
  const unsigned char *p = k->base + pgno * k->psize;
  unsigned lower = u16(p + 12), upper = u16(p + 14);
  unsigned flags = u16(p + 10);
  if (lower < HDR || lower > upper || upper > k->psize) return false;
  if ((flags & P_BRANCH) && lower < HDR + 4) return false; /* a branch has 2 children or more */
  *pg = (Page){p, (lower - HDR) / 2, flags};
  return true;
}

#define ANY_KEY 0xFFFFFu /* node_at(): a key of any size */

/* Node i of a page with nodes, with a key of ksize bytes: NULL when it
 * lies outside the page or its key is of another size. */
static const unsigned char *node_at(const PeekTxn *k, const Page *pg, unsigned i,
                                    unsigned ksize) {
  unsigned off = u16(pg->p + HDR + 2 * i);
  if (off < HDR || off + NODE > k->psize) return NULL;
  unsigned ks = u16(pg->p + off + 6);
  if ((ksize != ANY_KEY && ks != ksize) || off + NODE + ks > k->psize) return NULL;
  return pg->p + off;
}

/* The child page of branch node i (node 0 has no key). */
static bool child_at(const PeekTxn *k, const Page *pg, int i, unsigned ksize, uint64_t *pgno) {
  const unsigned char *nd = i < 0 ? NULL : node_at(k, pg, (unsigned)i, i ? ksize : ANY_KEY);
  if (!nd) return false;
  *pgno = child_of(nd);
  return true;
}

/* The offset of node i of a page, when a node with a key of ksize bytes
 * fits there (the searches' check: one comparison); else 0. */
static inline unsigned node_off(const PeekTxn *k, const Page *pg, unsigned i, unsigned ksize) {
  unsigned off = u16(pg->p + HDR + 2 * i);
  return off - HDR <= (unsigned)k->psize - NODE - ksize - HDR ? off : 0;
}

/* Branch pages: the index of the child holding the target of nw words
 * (the last child whose first key is not above it); -1 when a node is
 * bad. */
static inline __attribute__((always_inline)) int branch_find(const PeekTxn *k, const Page *pg,
                                                            const uint64_t *w, int nw) {
  unsigned lo = 1, hi = pg->n;
  while (lo < hi) {
    unsigned mid = lo + (hi - lo) / 2;
    unsigned off = node_off(k, pg, mid, KEY_BYTES(nw));
    if (!off) return -1;
    if (words_cmp(pg->p + off + NODE, w, nw) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return (int)lo - 1;
}

/* The first of n values not below the target. */
static size_t values_find(const unsigned char *vals, size_t n, const uint64_t w[3]) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (words_cmp(vals + mid * VAL, w, 3) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* A LEAF2 page of values, whole inside its page. */
static bool values_leaf(const PeekTxn *k, const Page *pg) {
  return (pg->flags & (P_LEAF | P_LEAF2 | P_BRANCH)) == (P_LEAF | P_LEAF2) &&
         u16(pg->p + 8) == VAL && HDR + (size_t)pg->n * VAL <= k->psize;
}

/* The leaf of a tree of duplicates holding the first value not below
 * target (NULL: the first value), stepping to the next leaf when a leaf
 * holds only smaller ones, as LMDB's MDB_SET_RANGE does. */
static int dup_tree(const PeekTxn *k, uint64_t pgno, const uint64_t *target, PeekPage *out) {
  Page path[MAX_DEPTH];
  unsigned at[MAX_DEPTH];
  int depth = 0, steps = 0;
  for (;;) {
    Page pg;
    if (depth == MAX_DEPTH || !page_at(k, pgno, &pg)) return PEEK_ASK_LMDB;
    if (pg.flags & P_BRANCH) {
      int i = target ? branch_find(k, &pg, target, 3) : 0;
      if (!child_at(k, &pg, i, VAL, &pgno)) return PEEK_ASK_LMDB;
      path[depth] = pg;
      at[depth++] = (unsigned)i;
      continue;
    }
    if (!values_leaf(k, &pg)) return PEEK_ASK_LMDB;
    size_t pos = target ? values_find(pg.p + HDR, pg.n, target) : 0;
    if (pos < pg.n) {
      *out = (PeekPage){pg.p + HDR, pg.n, pos, {pg.p, NULL, 0, 0}};
      if (depth) out->at = (PeekAt){pg.p, path[depth - 1].p, 0, at[depth - 1]};
      return PEEK_FOUND;
    }
    /* Every value here is below target: the next leaf's first. */
    while (depth > 0 && at[depth - 1] + 1 >= path[depth - 1].n) depth--;
    if (depth == 0) return PEEK_NOTFOUND;
    if (++steps == MAX_STEPS) return PEEK_ASK_LMDB;
    if (!child_at(k, &path[depth - 1], (int)++at[depth - 1], VAL, &pgno)) return PEEK_ASK_LMDB;
    target = NULL;
  }
}

int peek_next_leaf(TrineTxn *t, PeekPage *pp) {
  const PeekTxn *k = &t->peek;
  const PeekAt *at = &pp->at;
  if (!at->parent) return PEEK_ASK_LMDB;
  /* The parent was checked by the descent, and stays as it was. */
  Page up = {at->parent, (u16(at->parent + 12) - HDR) / 2, P_BRANCH}, pg;
  uint64_t pgno;
  if (at->pi + 1 >= up.n || !child_at(k, &up, (int)at->pi + 1, VAL, &pgno) ||
      !page_at(k, pgno, &pg) || !values_leaf(k, &pg) || pg.n == 0)
    return PEEK_ASK_LMDB;
  *pp = (PeekPage){pg.p + HDR, pg.n, 0, {pg.p, at->parent, 0, at->pi + 1}};
  return PEEK_FOUND;
}

/* The leaf node of key in the tree at root: PEEK_FOUND and *node. */
static int key_node(const PeekTxn *k, uint64_t pgno, uint64_t key, const unsigned char **node) {
  for (int depth = 0; depth < MAX_DEPTH; ++depth) {
    Page pg;
    if (!page_at(k, pgno, &pg)) return PEEK_ASK_LMDB;
    if (pg.flags & P_BRANCH) {
      if (!child_at(k, &pg, branch_find(k, &pg, &key, 1), KEY, &pgno)) return PEEK_ASK_LMDB;
      continue;
    }
    if ((pg.flags & (P_LEAF | P_LEAF2)) != P_LEAF) return PEEK_ASK_LMDB;
    unsigned lo = 0, hi = pg.n;
    while (lo < hi) {
      unsigned mid = lo + (hi - lo) / 2, off = node_off(k, &pg, mid, KEY);
      if (!off) return PEEK_ASK_LMDB;
      int c = words_cmp(pg.p + off + NODE, &key, 1);
      if (c == 0) {
        *node = node_at(k, &pg, mid, KEY);
        return *node ? PEEK_FOUND : PEEK_ASK_LMDB;
      }
      if (c < 0) lo = mid + 1;
      else hi = mid;
    }
    return PEEK_NOTFOUND;
  }
  return PEEK_ASK_LMDB;
}

#define TERMS IDX_COUNT /* the terms database's root[] */

/* The map's page size and the pages written, for the checks; false when
 * the LMDB linked is not 0.9, whose data format this file reads (LMDB
 * 1.0 changes it). */
static bool map_size(TrineTxn *t) {
  PeekTxn *k = &t->peek;
  MDB_envinfo info;
  MDB_stat st;
  int major, minor;
  mdb_version(&major, &minor, NULL);
  if (major != 0 || minor != 9) return false;
  if (mdb_env_info(t->store->env, &info) || mdb_env_stat(t->store->env, &st)) return false;
  k->psize = st.ms_psize;
  if (k->psize < 512 || (k->psize & (k->psize - 1))) return false;
  k->npages = (uint64_t)info.me_last_pgno + 1; /* written pages, all mapped */
  if (k->npages > info.me_mapsize / k->psize) k->npages = info.me_mapsize / k->psize;
  return true;
}

/* Where page 0 would be, from a pointer into a page of the map (the
 * page's number is in its header); 0 if it cannot be. */
static uintptr_t base_from(const PeekTxn *k, const void *in) {
  uintptr_t at = (uintptr_t)in & ~(uintptr_t)(k->psize - 1);
  uint64_t pgno = u64((const unsigned char *)at);
  return pgno < k->npages && pgno * k->psize <= at ? at - pgno * k->psize : 0;
}

/* Page 0 of the map, from pointers into two pages of different trees
 * (a damaged page number in one header cannot place both alike), then
 * checked against the two meta pages; NULL if not. Nothing is read at
 * the address found before the two agree. */
static const unsigned char *map_base(TrineTxn *t, const PeekTxn *k, const void *in) {
  MDB_val key = {6, (void *)"format"}, val;
  if (mdb_get(t->txn, t->store->meta, &key, &val)) return NULL;
  uintptr_t b = base_from(k, in);
  if (!b || b != base_from(k, val.mv_data)) return NULL;
  const unsigned char *base = (const unsigned char *)b;
  if (u64(base) != 0 || !(u16(base + 10) & P_META) || u64(base + k->psize) != 1 ||
      !(u16(base + k->psize + 10) & P_META))
    return NULL;
  return base;
}

/* A tree's root (an index's, or TERMS) and page 0 of the map, from the
 * tree's MDB_db record in the main database, which lies in the map. The
 * store remembers both per committed state (snapmemo.h: the map moves
 * only when its size is adopted, txn.c, which clears the memo). */
static bool find_root(TrineTxn *t, int tree) {
  PeekTxn *k = &t->peek;
  uint64_t key[SNAPMEMO_KEY] = {'P', (uint64_t)tree}, val[SNAPMEMO_VAL];
  if (!k->base && !map_size(t)) return false;
  if (snapmemo_get(t, key, val)) {
    if (!k->base) k->base = (const unsigned char *)(uintptr_t)val[1];
    k->root[tree] = val[0];
    return true;
  }
  MDB_dbi main;
  const char *nm = tree == TERMS ? "terms" : index_name[tree];
  MDB_val name = {strlen(nm), (void *)nm}, rec;
  if (mdb_dbi_open(t->txn, NULL, 0, &main) || mdb_get(t->txn, main, &name, &rec) ||
      rec.mv_size != DB_RECORD)
    return false;
  if (!k->base && !(k->base = map_base(t, k, rec.mv_data))) return false;
  uint64_t root = u64((const unsigned char *)rec.mv_data + DB_ROOT);
  k->root[tree] = root == 0 ? NO_PAGE : root; /* 0 is a meta page: never a root */
  snapmemo_put(t, key, (uint64_t[SNAPMEMO_VAL]){k->root[tree], (uintptr_t)k->base});
  return true;
}

/* The root of a tree in a read transaction; 0: ask LMDB. */
static uint64_t root_of(TrineTxn *t, int tree) {
  PeekTxn *k = &t->peek;
  if (t->write || k->off) return 0;
  if (!k->root[tree] && !find_root(t, tree)) k->off = true;
  return k->root[tree];
}

/* A leaf node's data in place (after a key of KEY bytes), when it lies
 * whole inside the node's page, not on overflow pages (F_BIGDATA). */
static bool leaf_data(const PeekTxn *k, const unsigned char *nd, const unsigned char **data,
                      size_t *dsize) {
  *dsize = u16(nd) | (size_t)u16(nd + 2) << 16;
  *data = nd + NODE + KEY;
  return !(u16(nd + 4) & F_BIGDATA) && (size_t)(*data - k->base) % k->psize + *dsize <= k->psize;
}

int peek_seek(TrineTxn *t, IndexId idx, uint64_t key, const uint64_t *target, PeekPage *out) {
  PeekTxn *k = &t->peek;
  uint64_t root = root_of(t, idx);
  if (!root) return PEEK_ASK_LMDB;
  if (root == NO_PAGE) return PEEK_NOTFOUND;
  const unsigned char *nd = NULL;
  int rc = key_node(k, root, key, &nd);
  if (rc != PEEK_FOUND) return rc;
  unsigned flags = u16(nd + 4);
  const unsigned char *data;
  size_t dsize;
  if (!leaf_data(k, nd, &data, &dsize)) return PEEK_ASK_LMDB;
  if (!(flags & F_DUPDATA)) { /* a single value */
    if (dsize != VAL) return PEEK_ASK_LMDB;
    if (target && words_cmp(data, target, 3) < 0) return PEEK_NOTFOUND;
    *out = (PeekPage){data, 1, 0, {0}};
    return PEEK_FOUND;
  }
  if (flags & F_SUBDATA) { /* a tree of its own */
    uint32_t pad; /* md_pad: the value size */
    memcpy(&pad, data, sizeof pad);
    if (dsize != DB_RECORD || pad != VAL) return PEEK_ASK_LMDB;
    return dup_tree(k, u64(data + DB_ROOT), target, out);
  }
  /* A sub-page: a LEAF2 page inside the node. */
  unsigned lower = u16(data + 12), n = lower >= HDR ? (lower - HDR) / 2 : 0;
  if (dsize < HDR || !(u16(data + 10) & P_LEAF2) || u16(data + 8) != VAL ||
      HDR + (size_t)n * VAL > dsize)
    return PEEK_ASK_LMDB;
  size_t pos = target ? values_find(data + HDR, n, target) : 0;
  if (pos >= n) return PEEK_NOTFOUND;
  *out = (PeekPage){data + HDR, n, pos, {0}};
  return PEEK_FOUND;
}

/* A terms record: node i of a leaf, when whole and plain (no overflow
 * page, which F_BIGDATA would say). */
static int term_record(const PeekTxn *k, const Page *pg, unsigned i, uint64_t *first,
                       const unsigned char **data, size_t *len) {
  const unsigned char *nd = i < pg->n ? node_at(k, pg, i, KEY) : NULL;
  if (!nd || u16(nd + 4) || !leaf_data(k, nd, data, len)) return PEEK_ASK_LMDB;
  *first = u64(nd + NODE);
  return PEEK_FOUND;
}

int peek_floor(TrineTxn *t, uint64_t key, uint64_t *first, const unsigned char **data,
               size_t *len, PeekAt *at) {
  PeekTxn *k = &t->peek;
  uint64_t pgno = root_of(t, TERMS);
  if (!pgno) return PEEK_ASK_LMDB;
  if (pgno == NO_PAGE) return PEEK_NOTFOUND;
  *at = (PeekAt){0};
  for (int depth = 0; depth < MAX_DEPTH; ++depth) {
    Page pg;
    if (!page_at(k, pgno, &pg)) return PEEK_ASK_LMDB;
    if (pg.flags & P_BRANCH) {
      int i = branch_find(k, &pg, &key, NATIVE);
      if (!child_at(k, &pg, i, KEY, &pgno)) return PEEK_ASK_LMDB;
      at->parent = pg.p;
      at->pi = (unsigned)i;
      continue;
    }
    if ((pg.flags & (P_LEAF | P_LEAF2)) != P_LEAF) return PEEK_ASK_LMDB;
    unsigned lo = 0, hi = pg.n; /* the first key above key */
    while (lo < hi) {
      unsigned mid = lo + (hi - lo) / 2, off = node_off(k, &pg, mid, KEY);
      if (!off) return PEEK_ASK_LMDB;
      if (words_cmp(pg.p + off + NODE, &key, NATIVE) <= 0) lo = mid + 1;
      else hi = mid;
    }
    /* None here: below every key, or (a separator above its leaf's first
     * key) in the leaf before; LMDB finds which. */
    if (!lo) return PEEK_ASK_LMDB;
    at->leaf = pg.p;
    at->i = lo - 1;
    return term_record(k, &pg, lo - 1, first, data, len);
  }
  return PEEK_ASK_LMDB;
}

int peek_next(TrineTxn *t, PeekAt *at, uint64_t *first, const unsigned char **data,
              size_t *len) {
  const PeekTxn *k = &t->peek;
  if (!at->leaf) return PEEK_ASK_LMDB;
  /* Pages a descent checked, which stay as they were. */
  Page pg = {at->leaf, (u16(at->leaf + 12) - HDR) / 2, P_LEAF};
  if (at->i + 1 < pg.n) {
    int rc = term_record(k, &pg, at->i + 1, first, data, len);
    if (rc == PEEK_FOUND) at->i++;
    return rc;
  }
  /* The leaf's end: the first record of the next leaf under its parent. */
  if (!at->parent) return PEEK_ASK_LMDB;
  Page up = {at->parent, (u16(at->parent + 12) - HDR) / 2, P_BRANCH};
  uint64_t pgno;
  if (at->pi + 1 >= up.n || !child_at(k, &up, (int)at->pi + 1, KEY, &pgno) ||
      !page_at(k, pgno, &pg) || (pg.flags & (P_LEAF | P_LEAF2 | P_BRANCH)) != P_LEAF)
    return PEEK_ASK_LMDB;
  int rc = term_record(k, &pg, 0, first, data, len);
  if (rc == PEEK_FOUND) *at = (PeekAt){pg.p, at->parent, 0, at->pi + 1};
  return rc;
}
