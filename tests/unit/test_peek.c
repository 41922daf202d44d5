/*
 * test_peek.c -- index seeks read from LMDB's pages (peek.h) against
 * LMDB's own cursor: every index of a store whose keys hold one value
 * (a plain node), a few (a sub-page), hundreds (a tree of one level) and
 * tens of thousands (a tree of two levels or more), sought at values
 * present, absent, between leaves and past the end, and read on to the
 * next leaf; the terms' blocks,
 * found by sequence number, long terms' blocks on overflow pages among
 * them; and the cases where peek must leave the seek to LMDB.
 */
#include "env.h"
#include "index.h"
#include "peek.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

enum { NSUBJ = 40, BIG_SUBJ = 41, BIG = 40000, GRAPH = 5000 };

/* Values of subject s: 1, 5, 300 or none by s % 4; BIG_SUBJ has BIG. */
static size_t values_of(TrineId s) {
  if (s == BIG_SUBJ) return BIG;
  static const size_t n[4] = {1, 5, 300, 0};
  return n[s % 4];
}

/* The quads: each in a named graph and in the default graph. */
static Quad *make_quads(size_t *n) {
  size_t total = 0;
  for (TrineId s = 1; s <= BIG_SUBJ; ++s) total += 2 * values_of(s);
  Quad *q = malloc(total * sizeof *q);
  assert_non_null(q);
  *n = 0;
  for (TrineId s = 1; s <= BIG_SUBJ; ++s)
    for (size_t j = 0; j < values_of(s); ++j) {
      Quad x = {{s, 100 + j % 3, 1000 + 2 * j, GRAPH}}; /* odd objects are absent */
      q[(*n)++] = x;
      x.v[Q_G] = 0;
      q[(*n)++] = x;
    }
  return q;
}

static void store_with_quads(TuStore *c) {
  assert_int_equal(tu_store_open(c, "peek", NULL), 0);
  size_t n;
  Quad *q = make_quads(&n), *s1 = malloc(n * sizeof *q), *s2 = malloc(n * sizeof *q);
  assert_true(s1 && s2);
  TrineTxn *t;
  uint64_t added;
  assert_int_equal(trine_txn_begin(c->store, true, &t), TRINE_OK);
  assert_int_equal(index_add_batch(t, q, s1, s2, n, 0, NULL, &added), TRINE_OK);
  assert_int_equal(added, n);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  free(q);
  free(s1);
  free(s2);
}

/* LMDB's answer to the seek peek_seek() makes. */
static int lmdb_seek(MDB_cursor *cur, uint64_t key, const uint64_t *target, PeekPage *out) {
  unsigned char kb[8], vb[24];
  be_put(kb, key);
  for (int i = 0; target && i < 3; ++i) be_put(vb + 8 * i, target[i]);
  MDB_val k = {8, kb}, v = {24, vb};
  int rc = mdb_cursor_get(cur, &k, &v, target ? MDB_GET_BOTH_RANGE : MDB_SET_KEY);
  if (rc == MDB_NOTFOUND) return PEEK_NOTFOUND;
  assert_int_equal(rc, 0);
  const unsigned char *found = v.mv_data;
  assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_GET_MULTIPLE), 0);
  if (!v.mv_data) assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_GET_CURRENT), 0);
  *out = (PeekPage){v.mv_data, v.mv_size / 24, 0, {0}};
  if (target) out->pos = (size_t)(found - out->vals) / 24;
  return PEEK_FOUND;
}

/* A value near an existing one: itself, or one of its ids a step off. */
static void near_value(const unsigned char *rec, uint64_t w[3]) {
  for (int i = 0; i < 3; ++i) w[i] = be_get(rec + 8 * i);
  int r = rand() % 8;
  if (r < 3) w[r] += 1;
  else if (r < 6 && w[r - 3] > 1) w[r - 3] -= 1;
  else if (r == 6) w[1] = w[2] = 0; /* a prefix of one id */
}

static void test_peek_matches_lmdb(void **state) {
  (void)state;
  TuStore c;
  store_with_quads(&c);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(c.store, false, &t), TRINE_OK);
  srand(11);
  size_t found = 0, missed = 0, subtrees = 0, leaves = 0;
  for (int idx = 0; idx < IDX_COUNT; ++idx) {
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(t->txn, t->store->idx[idx], &cur), 0);
    /* Every key, and targets near its values and outside them: 64 for a
     * key of several values, 4 for one of a single value (OSPG has
     * 40,000 of those; the suite also runs under valgrind). */
    MDB_val k, v;
    int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    while (rc == 0) {
      uint64_t key = be_get(k.mv_data);
      size_t dups;
      assert_int_equal(mdb_cursor_count(cur, &dups), 0);
      subtrees += dups > 200;
      unsigned char rec[24];
      memcpy(rec, v.mv_data, 24);
      for (int trial = 0; trial < (dups > 1 ? 64 : 4); ++trial) {
        uint64_t w[3];
        near_value(rec, w);
        if (trial == 0) w[0] = w[1] = w[2] = 0;                 /* before every value */
        if (trial == 1) w[0] = w[1] = w[2] = UINT64_MAX;        /* past every value */
        for (int kk = -1; kk <= 1; ++kk) {                      /* the key, and absent ones */
          PeekPage a, b;
          const uint64_t *tg = trial == 2 ? NULL : w;
          int pa = peek_seek(t, (IndexId)idx, key + (uint64_t)kk, tg, &a);
          int pb = lmdb_seek(cur, key + (uint64_t)kk, tg, &b);
          assert_int_equal(pa, pb);
          if (pa == PEEK_FOUND) {
            assert_ptr_equal(a.vals, b.vals);
            assert_int_equal(a.count, b.count);
            assert_int_equal(a.pos, b.pos);
            found++;
            /* The next leaf, as MDB_NEXT_MULTIPLE finds it from the page's
             * last value, where the parent has one. */
            PeekPage nx = a;
            if (peek_next_leaf(t, &nx) == PEEK_FOUND) {
              unsigned char kb[8];
              be_put(kb, key + (uint64_t)kk);
              MDB_val kv = {8, kb}, vv = {24, (void *)(a.vals + (a.count - 1) * 24)};
              assert_int_equal(mdb_cursor_get(cur, &kv, &vv, MDB_GET_BOTH), 0);
              assert_int_equal(mdb_cursor_get(cur, &kv, &vv, MDB_NEXT_MULTIPLE), 0);
              assert_ptr_equal(nx.vals, vv.mv_data);
              assert_int_equal(nx.count, vv.mv_size / 24);
              assert_int_equal(nx.pos, 0);
              leaves++;
            }
          } else {
            missed++;
          }
        }
        /* A later record of this key, for targets further in. */
        if (dups > 1 && trial % 8 == 7) {
          unsigned char kb[8];
          be_put(kb, key);
          MDB_val kv = {8, kb}, vv;
          assert_int_equal(mdb_cursor_get(cur, &kv, &vv, MDB_SET_KEY), 0);
          for (size_t j = (size_t)rand() % dups; j > 0; --j) {
            assert_int_equal(mdb_cursor_get(cur, &kv, &vv, MDB_NEXT_DUP), 0);
            memcpy(rec, vv.mv_data, 24);
          }
        }
      }
      /* Back to the key's first value, then on to the next key. */
      k.mv_size = 8;
      unsigned char kb[8];
      be_put(kb, key);
      k.mv_data = kb;
      assert_int_equal(mdb_cursor_get(cur, &k, &v, MDB_SET_KEY), 0);
      rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_NODUP);
    }
    assert_int_equal(rc, MDB_NOTFOUND);
    mdb_cursor_close(cur);
  }
  /* Every shape was met: plain nodes, sub-pages, trees of values. */
  assert_true(found > 1000 && missed > 1000 && leaves > 100);
  assert_true(subtrees >= 6);
  trine_txn_abort(t);
  tu_store_close(&c);
}

static void test_peek_leaves_to_lmdb(void **state) {
  (void)state;
  TuStore c;
  store_with_quads(&c);
  TrineTxn *t;
  PeekPage p;
  uint64_t w[3] = {100, 1000, 0};
  /* A write transaction's pages are LMDB's own copies. */
  assert_int_equal(trine_txn_begin(c.store, true, &t), TRINE_OK);
  assert_int_equal(peek_seek(t, IDX_SPOG, 1, w, &p), PEEK_ASK_LMDB);
  trine_txn_abort(t);
  /* A page number beyond the file is never read: here every page is. */
  assert_int_equal(trine_txn_begin(c.store, false, &t), TRINE_OK);
  assert_int_equal(peek_seek(t, IDX_SPOG, 1, w, &p), PEEK_FOUND);
  t->peek.npages = 2;
  assert_int_equal(peek_seek(t, IDX_SPOG, 1, w, &p), PEEK_ASK_LMDB);
  assert_int_equal(peek_seek(t, IDX_GSPO, 0, NULL, &p), PEEK_ASK_LMDB);
  trine_txn_abort(t);
  tu_store_close(&c);
}

/* After a commit, a new read transaction's seeks see the new state: the
 * roots kept per committed state (snapmemo) are not the old ones. */
static void test_peek_sees_commits(void **state) {
  (void)state;
  TuStore c;
  store_with_quads(&c);
  TrineTxn *t;
  PeekPage a, b;
  uint64_t w[3] = {100, 0, 0};
  for (int round = 0; round < 3; ++round) {
    assert_int_equal(trine_txn_begin(c.store, false, &t), TRINE_OK);
    MDB_cursor *cur;
    assert_int_equal(mdb_cursor_open(t->txn, t->store->idx[IDX_SPOG], &cur), 0);
    for (TrineId s = 1; s <= 80; ++s) {
      int pa = peek_seek(t, IDX_SPOG, s, w, &a), pb = lmdb_seek(cur, s, w, &b);
      assert_int_equal(pa, pb);
      if (pa == PEEK_FOUND) {
        assert_ptr_equal(a.vals, b.vals);
        assert_int_equal(a.count, b.count);
        assert_int_equal(a.pos, b.pos);
      }
    }
    /* Subjects 60 + round and beyond are new in each round. */
    assert_int_equal(peek_seek(t, IDX_SPOG, 60 + (TrineId)round, w, &a),
                     round ? PEEK_FOUND : PEEK_NOTFOUND);
    mdb_cursor_close(cur);
    trine_txn_abort(t);
    Quad q[400], s1[400], s2[400];
    for (int j = 0; j < 400; ++j)
      q[j] = (Quad){{60 + (TrineId)round + (TrineId)j % 2, 100, 5000 + (TrineId)j, GRAPH}};
    uint64_t added;
    assert_int_equal(trine_txn_begin(c.store, true, &t), TRINE_OK);
    assert_int_equal(index_add_batch(t, q, s1, s2, 400, 0, NULL, &added), TRINE_OK);
    assert_int_equal(trine_txn_commit(t), TRINE_OK);
  }
  tu_store_close(&c);
}

/* A terms key, native-endian and only 2-byte aligned in its node. */
static uint64_t key_of(const MDB_val *k) {
  uint64_t v;
  assert_int_equal(k->mv_size, sizeof v);
  memcpy(&v, k->mv_data, sizeof v);
  return v;
}

/* LMDB's block for seq: the last key not above it (termstore.c's seek). */
static int lmdb_floor(MDB_cursor *cur, uint64_t seq, MDB_val *k, MDB_val *v) {
  *k = (MDB_val){sizeof seq, &seq};
  int rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
  if (rc == MDB_NOTFOUND) return mdb_cursor_get(cur, k, v, MDB_LAST);
  uint64_t first;
  memcpy(&first, k->mv_data, sizeof first);
  return rc || first == seq ? rc : mdb_cursor_get(cur, k, v, MDB_PREV);
}

static void test_peek_term_blocks(void **state) {
  (void)state;
  TuStore c;
  assert_int_equal(tu_store_open(&c, "peekterms", NULL), 0);
  /* 40,000 terms: ~400 blocks over many leaves; in the first half every
   * 97th literal 3,000 bytes long (a block of its own, on overflow pages,
   * whose node is small: three blocks to a leaf), in the second half two
   * full blocks to a leaf. */
  enum { N = 20000 };
  size_t cap = (size_t)N * 80 + (N / 97 + 1) * 3100, len = 0;
  char *nt = malloc(cap), *big = malloc(3001);
  assert_true(nt && big);
  memset(big, 'x', 3000);
  big[3000] = 0;
  for (int i = 0; i < N; ++i)
    len += (size_t)snprintf(nt + len, cap - len, "<http://e/s%d> <http://e/p> \"%d%s\" .\n", i, i,
                            i % 97 || i >= N / 2 ? "" : big);
  assert_int_equal(trine_store_load_buffer(c.store, "terms.nt", nt, len, NULL, NULL), TRINE_OK);
  free(nt);
  free(big);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(c.store, false, &t), TRINE_OK);
  MDB_cursor *cur;
  assert_int_equal(mdb_cursor_open(t->txn, t->store->terms, &cur), 0);
  size_t found = 0, asked = 0, nexts = 0, nexts_asked = 0, crossed = 0;
  for (uint64_t seq = 0; seq < 2 * N + 100; ++seq) {
    uint64_t first;
    const unsigned char *data;
    size_t n;
    MDB_val k, v;
    PeekAt at;
    int pa = peek_floor(t, seq, &first, &data, &n, &at);
    int rc = lmdb_floor(cur, seq, &k, &v);
    if (pa == PEEK_ASK_LMDB) {
      asked++;
      continue;
    }
    assert_int_equal(pa, PEEK_FOUND);
    assert_int_equal(rc, 0);
    assert_int_equal(first, key_of(&k));
    assert_ptr_equal(data, v.mv_data);
    assert_int_equal(n, v.mv_size);
    found++;
    /* The next record, as MDB_NEXT finds it, unless the parent ends. */
    const unsigned char *leaf = at.leaf;
    pa = peek_next(t, &at, &first, &data, &n);
    crossed += pa == PEEK_FOUND && at.leaf != leaf;
    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
    if (pa == PEEK_ASK_LMDB) {
      nexts_asked += rc == 0 && v.mv_size < 3000; /* not an overflow block */
      continue;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(first, key_of(&k));
    assert_ptr_equal(data, v.mv_data);
    nexts++;
  }
  /* Overflow blocks and seq 0 (below every block) are LMDB's. */
  assert_true(found > 2 * N - 2 * N / 97 - 200);
  assert_true(asked >= N / 2 / 97 && asked < N / 97 + 50);
  /* Overflow blocks ask (their nodes are F_BIGDATA); of the others only
   * the first under each parent; many are on the next leaf. */
  assert_true(nexts > found / 2 && nexts_asked < found / 50 && crossed > found / 10);
  mdb_cursor_close(cur);
  trine_txn_abort(t);
  tu_store_close(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_peek_matches_lmdb),
      cmocka_unit_test(test_peek_leaves_to_lmdb),
      cmocka_unit_test(test_peek_term_blocks),
      cmocka_unit_test(test_peek_sees_commits),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
