/*
 * test_check.c -- trine_store_check(): a sound store passes (after loads,
 * adds and removals, and with hash2id checked in several passes); then
 * each kind of damage, made through the internal headers, is reported
 * once, precisely (the index, the quad or id, the term, the counter with
 * the values expected and found), never with a crash. The guard that
 * turns LMDB's crashes into a report; another program's LMDB files are no
 * store. (Damaged files through the shell: tests/cli/damage.sh.)
 */
#include "dict.h"
#include "env.h"
#include "guard.h"
#include "index.h"
#include "testutil.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#define EX "http://ex.org/"

/* A few quads of every shape: IRIs, literals with a language and a
 * datatype, blank nodes, the default graph, named graphs (one a blank
 * node), and a triple in both the default graph and a named one. */
static const char DATA[] =
    "<" EX "a> <" EX "knows> <" EX "b> .\n"
    "<" EX "a> <" EX "name> \"Alice\"@en .\n"
    "<" EX "b> <" EX "name> \"Bob\" .\n"
    "<" EX "b> <" EX "age> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
    "_:x <" EX "knows> <" EX "a> .\n"
    "<" EX "a> <" EX "knows> <" EX "c> <" EX "g1> .\n"
    "<" EX "c> <" EX "name> \"Carol\" <" EX "g1> .\n"
    "<" EX "a> <" EX "knows> <" EX "b> <" EX "g2> .\n"
    "_:y <" EX "name> \"Dan\" _:g .\n";

enum { NDATA = 9, NBULK = 3000 };

/* The problems a check reported (the first MAXP), copied. */
enum { MAXP = 16 };
typedef struct {
  size_t n;
  TrineCheckProblem p[MAXP];
  char msg[MAXP][2048];
  TrineCheckStats st;
  int stop_after; /* report returns 1 after this many (0: never) */
} Found;

static int collect(void *ctx, const TrineCheckProblem *p) {
  Found *f = ctx;
  fprintf(stderr, "# %s\n", p->message);
  if (f->n < MAXP) {
    f->p[f->n] = *p;
    snprintf(f->msg[f->n], sizeof f->msg[f->n], "%s", p->message);
    f->p[f->n].message = f->msg[f->n];
  }
  f->n++;
  return f->stop_after && f->n >= (size_t)f->stop_after;
}

static TrineStatus check(TrineStore *s, Found *f) {
  int stop = f->stop_after;
  memset(f, 0, sizeof *f);
  f->stop_after = stop;
  return trine_store_check(s, collect, f, &f->st);
}

static void assert_contains(const char *text, const char *part) {
  if (!strstr(text, part)) fail_msg("\"%s\" does not say \"%s\"", text, part);
}

/* ---- the store and its ids ---- */

static void load(TrineStore *s, const char *text, size_t len) {
  TrineLoadOptions o = {.format = TRINE_FORMAT_NQUADS};
  assert_int_equal(trine_store_load_buffer(s, "data", text, len, &o, NULL), TRINE_OK);
}

/* The small data set and NBULK more quads: runs of values long enough
 * to fill LMDB pages of one key. */
static int setup(void **state) {
  if (tu_setup(state, "check", "store")) return -1;
  TrineStore *s = ((TuStore *)*state)->store;
  load(s, DATA, sizeof DATA - 1);
  size_t cap = NBULK * 100, len = 0;
  char *bulk = malloc(cap);
  for (int i = 0; i < NBULK; ++i)
    len += (size_t)snprintf(bulk + len, cap - len, "<" EX "s%d> <" EX "p%d> \"v%d\"%s .\n",
                            i % 40, i % 3, i, i % 2 ? " <" EX "g1>" : "");
  load(s, bulk, len);
  free(bulk);
  return 0;
}

static TrineStore *store_of(void **state) { return ((TuStore *)*state)->store; }

static TrineId id_of(TrineStore *s, TrineTerm t) {
  TrineTxn *txn;
  TrineId id = 0;
  assert_int_equal(trine_txn_begin(s, false, &txn), TRINE_OK);
  assert_int_equal(dict_lookup(txn, &t, &id), TRINE_OK);
  trine_txn_abort(txn);
  return id;
}

static Quad quad(TrineStore *s, const char *su, const char *p, TrineTerm o, const char *g) {
  Quad q = {{id_of(s, trine_iri(su)), id_of(s, trine_iri(p)), id_of(s, o),
             g ? id_of(s, trine_iri(g)) : 0}};
  return q;
}

static TrineTxn *write_txn(TrineStore *s) {
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(s, true, &t), TRINE_OK);
  return t;
}

static void commit(TrineTxn *t) { assert_int_equal(trine_txn_commit(t), TRINE_OK); }

/* Put or delete q's record in one index only. */
static void raw_record(TrineStore *s, IndexId idx, const Quad *q, bool put) {
  const int *o = index_order[idx];
  unsigned char kb[8], vb[24];
  be_put(kb, q->v[o[0]]);
  for (int i = 1; i < 4; ++i) be_put(vb + 8 * (i - 1), q->v[o[i]]);
  MDB_val k = {8, kb}, v = {24, vb};
  TrineTxn *t = write_txn(s);
  int rc = put ? mdb_put(t->txn, s->idx[idx], &k, &v, MDB_NODUPDATA)
               : mdb_del(t->txn, s->idx[idx], &k, &v);
  assert_int_equal(rc, 0);
  commit(t);
}

static void assert_quad(const TrineCheckProblem *p, const Quad *q) {
  for (int i = 0; i < 4; ++i) assert_int_equal(p->quad[i], q->v[i]);
}

/* ---- a sound store ---- */

static void test_check_sound_store_passes(void **state) {
  TrineStore *s = store_of(state);
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_OK);
  assert_int_equal(f.n, 0);
  assert_int_equal(f.st.problems, 0);
  assert_int_equal(f.st.quads, NDATA + NBULK);
  /* Named-graph quads are in all six indexes, the others in three. */
  uint64_t named = 4 + NBULK / 2;
  assert_int_equal(f.st.records, 3 * (NDATA + NBULK) + 3 * named);
  TrineStats ts;
  assert_int_equal(trine_store_stats(s, NULL, &ts), TRINE_OK);
  assert_int_equal(f.st.terms, ts.terms);
  /* Nothing to report: report and out may be NULL. */
  assert_int_equal(trine_store_check(s, NULL, NULL, NULL), TRINE_OK);
}

/* Removals and single adds keep the counters exact: still sound. */
static void test_check_sound_after_updates(void **state) {
  TrineStore *s = store_of(state);
  TrineTxn *t = write_txn(s);
  TrineTerm a = trine_iri(EX "a"), knows = trine_iri(EX "knows"), b = trine_iri(EX "b");
  TrineTerm g2 = trine_iri(EX "g2"), z = trine_blank("z"), lit = trine_literal("zz", NULL, "de");
  assert_int_equal(trine_txn_remove(t, &a, &knows, &b, NULL), TRINE_OK);
  assert_int_equal(trine_txn_remove(t, &a, &knows, &b, &g2), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &z, &knows, &lit, &g2), TRINE_OK);
  TrineTerm g1 = trine_iri(EX "g1");
  for (int i = 0; i < 40; ++i) {
    char si[64], pi[64], vi[64];
    snprintf(si, sizeof si, EX "s%d", i % 40);
    snprintf(pi, sizeof pi, EX "p%d", i % 3);
    snprintf(vi, sizeof vi, "v%d", i);
    TrineTerm st = trine_iri(si), pt = trine_iri(pi), vt = trine_literal(vi, NULL, NULL);
    assert_int_equal(trine_txn_remove(t, &st, &pt, &vt, i % 2 ? &g1 : NULL), TRINE_OK);
  }
  commit(t);
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_OK);
  assert_int_equal(f.st.quads, NDATA + NBULK - 2 + 1 - 40);
}

/* hash2id checked in ranges of hashes, as for a store of more terms than
 * memory allows at once: the same verdicts. */
static void test_check_in_passes(void **state) {
  TrineStore *s = store_of(state);
  s->check_terms = 50;
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_OK);
  TrineId bob = id_of(s, trine_literal("Bob", NULL, NULL));
  TrineTxn *t = write_txn(s);
  uint64_t h = s->hash("SBob", 4);
  MDB_val k = {8, &h}, v = {8, &bob};
  assert_int_equal(mdb_del(t->txn, s->hash2id, &k, &v), 0);
  commit(t);
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_int_equal(f.p[0].kind, TRINE_CHECK_HASH);
  assert_int_equal(f.p[0].id, bob);
}

/* ---- damage to the indexes ---- */

static void test_check_quad_missing_from_one_index(void **state) {
  TrineStore *s = store_of(state);
  Quad q = quad(s, EX "b", EX "name", trine_literal("Bob", NULL, NULL), NULL);
  raw_record(s, IDX_GPOS, &q, false);
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_int_equal(f.p[0].kind, TRINE_CHECK_INDEX);
  assert_string_equal(f.p[0].where, "gpos");
  assert_quad(&f.p[0], &q);
  assert_contains(f.msg[0], "gpos lacks the quad <" EX "b> <" EX "name> \"Bob\"");
  /* The statistics come from GPOS: one quad of ex:name less. */
  raw_record(s, IDX_GPOS, &q, true);
  Quad n = quad(s, EX "c", EX "name", trine_literal("Carol", NULL, NULL), EX "g1");
  raw_record(s, IDX_POSG, &n, false);
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_string_equal(f.p[0].where, "posg");
  assert_quad(&f.p[0], &n);
  assert_contains(f.msg[0], "posg lacks the quad");
}

static void test_check_extra_record_in_one_index(void **state) {
  TrineStore *s = store_of(state);
  /* Terms that exist, in a quad that does not. */
  Quad q = quad(s, EX "c", EX "knows", trine_iri(EX "a"), EX "g2");
  raw_record(s, IDX_OSPG, &q, true);
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_int_equal(f.p[0].kind, TRINE_CHECK_INDEX);
  assert_string_equal(f.p[0].where, "ospg");
  assert_quad(&f.p[0], &q);
  assert_contains(f.msg[0], "ospg holds the quad");
  assert_contains(f.msg[0], "which gspo lacks");
  /* A default-graph quad in a named-graphs index. */
  raw_record(s, IDX_OSPG, &q, false);
  Quad d = quad(s, EX "a", EX "name", trine_literal("Alice", NULL, "en"), NULL);
  raw_record(s, IDX_SPOG, &d, true);
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_string_equal(f.p[0].where, "spog");
  assert_contains(f.msg[0], "of the default graph");
}

/* An id that names no term, one of the wrong kind and one where its kind
 * cannot stand, added to every index with consistent counters. */
static void test_check_id_without_term(void **state) {
  TrineStore *s = store_of(state);
  TrineTxn *t = write_txn(s);
  uint64_t next = store_meta_get(t->txn, s->meta, "next");
  Quad q = quad(s, EX "a", EX "knows", trine_iri(EX "b"), NULL);
  Quad beyond = q, wrong = q, place = q;
  beyond.v[Q_O] = id_make(IDK_IRI, next + 5);
  TrineId bob = id_of(s, trine_literal("Bob", NULL, NULL));
  wrong.v[Q_O] = id_make(IDK_IRI, id_seq(bob)); /* an IRI id of a literal's number */
  place.v[Q_S] = bob;                           /* a literal as subject */
  assert_int_equal(index_add(t, &beyond), TRINE_OK);
  assert_int_equal(index_add(t, &wrong), TRINE_OK);
  assert_int_equal(index_add(t, &place), TRINE_OK);
  commit(t);
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 3);
  for (size_t i = 0; i < 3; ++i) {
    assert_int_equal(f.p[i].kind, TRINE_CHECK_ID);
    assert_string_equal(f.p[i].where, "gspo");
  }
  /* In GSPO order: objects by id, the literal subject (kind 3) last. */
  assert_int_equal(f.p[0].id, wrong.v[Q_O]);
  assert_quad(&f.p[0], &wrong);
  assert_contains(f.msg[0], "is an IRI id, but sequence number");
  assert_contains(f.msg[0], "stores a literal");
  assert_int_equal(f.p[1].id, beyond.v[Q_O]);
  assert_int_equal(f.p[1].seq, next + 5);
  assert_contains(f.msg[1], "not between 0 and meta \"next\"");
  assert_int_equal(f.p[2].id, bob);
  assert_contains(f.msg[2], "is a literal, which cannot be a subject");
}

/* Id 0 (the default graph's) as subject, predicate or object: named as
 * such. Regression: the message printed a buffer never written (valgrind,
 * tests/cli/damage.sh). */
static void test_check_id_zero(void **state) {
  TrineStore *s = store_of(state);
  TrineTxn *t = write_txn(s);
  Quad q = quad(s, EX "a", EX "knows", trine_iri(EX "b"), NULL);
  Quad zero = q;
  zero.v[Q_P] = 0;
  assert_int_equal(index_add(t, &zero), TRINE_OK);
  commit(t);
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_true(f.n >= 1);
  assert_int_equal(f.p[0].kind, TRINE_CHECK_ID);
  assert_int_equal(f.p[0].id, 0);
  assert_quad(&f.p[0], &zero);
  assert_contains(f.msg[0], "gspo: the predicate of quad");
  assert_contains(f.msg[0], ", id 0000000000000000, is 0, no term");
}

/* ---- damage to the terms and hash2id ---- */

/* Change the last byte of term seq in its block (the block keeps its
 * shape: the bytes still decode). */
static void change_term_byte(TrineStore *s, uint64_t seq) {
  TrineTxn *t = write_txn(s);
  MDB_cursor *cur;
  MDB_val k, v;
  assert_int_equal(mdb_cursor_open(t->txn, s->terms, &cur), 0);
  for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    uint64_t first;
    uint32_t n, end;
    memcpy(&first, k.mv_data, 8);
    memcpy(&n, v.mv_data, 4);
    if (seq < first || seq >= first + n) continue;
    unsigned char *copy = malloc(v.mv_size);
    memcpy(copy, v.mv_data, v.mv_size);
    memcpy(&end, copy + 4 + 4 * (seq - first), 4);
    copy[4 + 4 * n + end - 1] ^= 0x01; /* "Bob" -> "Boc" */
    MDB_val nv = {v.mv_size, copy};
    assert_int_equal(mdb_put(t->txn, s->terms, &k, &nv, 0), 0);
    free(copy);
    break;
  }
  mdb_cursor_close(cur);
  commit(t);
}

static void test_check_term_bytes_changed(void **state) {
  TrineStore *s = store_of(state);
  TrineId bob = id_of(s, trine_literal("Bob", NULL, NULL));
  uint64_t h = s->hash("SBob", 4), h2 = s->hash("SBoc", 4);
  change_term_byte(s, id_seq(bob));
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 2);
  for (size_t i = 0; i < 2; ++i) {
    assert_int_equal(f.p[i].kind, TRINE_CHECK_HASH);
    assert_string_equal(f.p[i].where, "hash2id");
    assert_int_equal(f.p[i].id, bob);
    assert_int_equal(f.p[i].seq, id_seq(bob));
  }
  /* In hash order: which of the two comes first depends on the hashes. */
  size_t miss = f.p[0].hash == h2 ? 0 : 1;
  assert_int_equal(f.p[miss].hash, h2);
  assert_contains(f.msg[miss], "term \"Boc\"");
  assert_contains(f.msg[miss], "is not filed under its hash");
  assert_int_equal(f.p[1 - miss].hash, h);
  assert_contains(f.msg[1 - miss], "whose bytes hash to");
}

static void test_check_hash_entry_removed(void **state) {
  TrineStore *s = store_of(state);
  TrineId alice = id_of(s, trine_literal("Alice", NULL, "en"));
  Buf b = {0};
  TrineTerm lit = trine_literal("Alice", NULL, "en");
  assert_int_equal(dict_encode(&lit, &b), 0);
  uint64_t h = s->hash(b.data, b.len);
  buf_free(&b);
  TrineTxn *t = write_txn(s);
  MDB_val k = {8, &h}, v = {8, &alice};
  assert_int_equal(mdb_del(t->txn, s->hash2id, &k, &v), 0);
  commit(t);
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_int_equal(f.p[0].kind, TRINE_CHECK_HASH);
  assert_int_equal(f.p[0].id, alice);
  assert_int_equal(f.p[0].hash, h);
  assert_contains(f.msg[0], "term \"Alice\"@en");
  assert_contains(f.msg[0], "lookups of it find nothing");
}

/* ---- damage to the counters ---- */

/* Add delta to counter i of the stats value under key. */
static void bump(TrineStore *s, const void *key, size_t klen, int i, int64_t delta) {
  TrineTxn *t = write_txn(s);
  MDB_val k = {klen, (void *)key}, v;
  assert_int_equal(mdb_get(t->txn, s->stats, &k, &v), 0);
  uint64_t c[3] = {0, 0, 0};
  memcpy(c, v.mv_data, v.mv_size);
  c[i] += (uint64_t)delta;
  MDB_val nv = {v.mv_size, c};
  assert_int_equal(mdb_put(t->txn, s->stats, &k, &nv, 0), 0);
  commit(t);
}

static void assert_count(const Found *f, size_t i, const char *counter, TrineId id,
                         uint64_t expected, uint64_t found) {
  assert_int_equal(f->p[i].kind, TRINE_CHECK_COUNT);
  assert_string_equal(f->p[i].counter, counter);
  assert_int_equal(f->p[i].id, id);
  assert_int_equal(f->p[i].expected, expected);
  assert_int_equal(f->p[i].found, found);
}

static void test_check_counter_off_by_one(void **state) {
  TrineStore *s = store_of(state);
  TrineId name = id_of(s, trine_iri(EX "name")), g1 = id_of(s, trine_iri(EX "g1"));
  unsigned char pk[9] = {'p'}, gk[9] = {'g'};
  be_put(pk + 1, name);
  be_put(gk + 1, g1);
  bump(s, pk, 9, 1, 1); /* ex:name: 4 distinct subjects, stored 5 */
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_count(&f, 0, "predicate subjects", name, 4, 5);
  assert_string_equal(f.p[0].where, "stats");
  assert_contains(f.msg[0], "predicate subjects of <" EX "name>: 5 stored, 4 counted");
  bump(s, pk, 9, 1, -1);
  bump(s, gk, 9, 0, -1);
  bump(s, "T", 1, 0, 1);
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 2);
  assert_count(&f, 0, "total quads", 0, NDATA + NBULK, NDATA + NBULK + 1);
  assert_count(&f, 1, "graph quads", g1, 2 + NBULK / 2, 1 + NBULK / 2);
  bump(s, gk, 9, 0, 1);
  bump(s, "T", 1, 0, -1);
  /* meta "terms" */
  TrineTxn *t = write_txn(s);
  uint64_t terms = store_meta_get(t->txn, s->meta, "terms");
  assert_int_equal(store_meta_put(t->txn, s->meta, "terms", terms - 1), 0);
  commit(t);
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_string_equal(f.p[0].where, "meta");
  assert_string_equal(f.p[0].counter, "terms");
  assert_int_equal(f.p[0].expected, terms);
  assert_int_equal(f.p[0].found, terms - 1);
}

/* ---- the format, stopping, misuse ---- */

static void test_check_unknown_format(void **state) {
  TrineStore *s = store_of(state);
  TrineTxn *t = write_txn(s);
  assert_int_equal(store_meta_put(t->txn, s->meta, "format", 99), 0);
  commit(t);
  Found f = {0};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_int_equal(f.p[0].kind, TRINE_CHECK_FORMAT);
  assert_string_equal(f.p[0].counter, "format");
  assert_int_equal(f.p[0].expected, 2);
  assert_int_equal(f.p[0].found, 99);
  assert_contains(f.msg[0], "format 99");
  assert_int_equal(f.st.records, 0); /* nothing else was read */
}

static void test_check_report_stops_it(void **state) {
  TrineStore *s = store_of(state);
  Quad a = quad(s, EX "b", EX "name", trine_literal("Bob", NULL, NULL), NULL);
  Quad b = quad(s, EX "a", EX "knows", trine_iri(EX "b"), NULL);
  raw_record(s, IDX_GOSP, &a, false);
  raw_record(s, IDX_GOSP, &b, false);
  Found f = {.stop_after = 1};
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 1);
  assert_int_equal(f.st.problems, 1);
  f.stop_after = 0;
  assert_int_equal(check(s, &f), TRINE_ERR_CORRUPT);
  assert_int_equal(f.n, 2);
}

/* ---- the guard that turns LMDB's crashes into a report ---- */

/* The faults below are meant: under valgrind (scripts/test runs the unit
 * tests there too) they are not reported as errors. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef VALGRIND_DISABLE_ERROR_REPORTING
#define VALGRIND_DISABLE_ERROR_REPORTING
#define VALGRIND_ENABLE_ERROR_REPORTING
#endif

static void read_byte(void *arg) {
  volatile const char *p = arg;
  *(volatile char *)arg = *p; /* faults */
}

static void test_check_guard_returns_from_faults(void **state) {
  MDB_env *env = store_of(state)->env;
  struct sigaction before, after;
  assert_int_equal(sigaction(SIGSEGV, NULL, &before), 0);
  char why[400];
  long page = sysconf(_SC_PAGESIZE);
  char *none = mmap(NULL, (size_t)page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  assert_true(none != MAP_FAILED);
  VALGRIND_DISABLE_ERROR_REPORTING; /* the fault is meant */
  assert_int_equal(guard_run(env, read_byte, none, why, sizeof why), SIGSEGV);
  VALGRIND_ENABLE_ERROR_REPORTING;
  assert_string_equal(why, "a segmentation fault");
  munmap(none, (size_t)page);
  /* A mapped file cut short: the bus error of a truncated data.mdb. */
  char path[] = "/tmp/trine-test-guard-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  assert_int_equal(ftruncate(fd, page), 0);
  char *map = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  assert_true(map != MAP_FAILED);
  assert_int_equal(ftruncate(fd, 0), 0);
  VALGRIND_DISABLE_ERROR_REPORTING; /* the fault is meant */
  assert_int_equal(guard_run(env, read_byte, map, why, sizeof why), SIGBUS);
  VALGRIND_ENABLE_ERROR_REPORTING;
  assert_string_equal(why, "a bus error");
  munmap(map, (size_t)page);
  close(fd);
  unlink(path);
  /* The program's own handling is back. */
  assert_int_equal(sigaction(SIGSEGV, NULL, &after), 0);
  assert_ptr_equal((void *)after.sa_handler, (void *)before.sa_handler);
  char byte = 1;
  VALGRIND_DISABLE_ERROR_REPORTING; /* the fault is meant */
  assert_int_equal(guard_run(env, read_byte, &byte, why, sizeof why), 0);
  VALGRIND_ENABLE_ERROR_REPORTING;
}

/* ---- foreign files ---- */

/* The LMDB files of another program are no store, and stay as they were. */
static void test_check_foreign_lmdb_files_refused(void **state) {
  (void)state;
  char *dir = tu_tmpdir("foreign");
  MDB_env *env;
  MDB_txn *txn;
  MDB_dbi dbi;
  MDB_val k = {4, "key1"}, v = {5, "value"};
  assert_int_equal(mdb_env_create(&env), 0);
  assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
  assert_int_equal(mdb_env_open(env, dir, 0, 0644), 0);
  assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
  assert_int_equal(mdb_dbi_open(txn, "customers", MDB_CREATE, &dbi), 0);
  assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
  assert_int_equal(mdb_txn_commit(txn), 0);
  mdb_env_close(env);
  TrineStore *s = NULL;
  TrineOptions ro = {.flags = TRINE_OPEN_READONLY};
  assert_int_equal(trine_store_open(dir, NULL, &s), TRINE_ERR_CORRUPT);
  assert_non_null(strstr(trine_open_errmsg(), "not a trine store: the LMDB files of another"));
  assert_int_equal(trine_store_open(dir, &ro, &s), TRINE_ERR_CORRUPT);
  assert_null(s);
  assert_int_equal(mdb_env_create(&env), 0);
  assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
  assert_int_equal(mdb_env_open(env, dir, MDB_RDONLY, 0644), 0);
  assert_int_equal(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), 0);
  assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), MDB_NOTFOUND);
  mdb_txn_abort(txn);
  mdb_env_close(env);
  tu_rmtree(dir);
}

/* A new store holds no terms: the check sorts none (it passed NULL to
 * memcpy, which UBSan reports; found by tests/crash). */
static void test_check_empty_store(void **state) {
  (void)state;
  TuStore t;
  assert_int_equal(tu_store_open(&t, "check-empty", NULL), 0);
  TrineCheckStats st;
  assert_int_equal(trine_store_check(t.store, NULL, NULL, &st), TRINE_OK);
  assert_int_equal(st.terms, 0);
  assert_int_equal(st.problems, 0);
  tu_store_close(&t);
}

static void test_check_misuse(void **state) {
  (void)state;
  TrineCheckStats st = {.problems = 7};
  assert_int_equal(trine_store_check(NULL, NULL, NULL, &st), TRINE_ERR_ARG);
  assert_int_equal(st.problems, 0);
  assert_non_null(strstr(trine_open_errmsg(), "trine_store_check"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, tu_teardown)
      T(test_check_sound_store_passes),
      T(test_check_sound_after_updates),
      T(test_check_in_passes),
      T(test_check_quad_missing_from_one_index),
      T(test_check_extra_record_in_one_index),
      T(test_check_id_without_term),
      T(test_check_id_zero),
      T(test_check_term_bytes_changed),
      T(test_check_hash_entry_removed),
      T(test_check_counter_off_by_one),
      T(test_check_unknown_format),
      T(test_check_report_stops_it),
      T(test_check_guard_returns_from_faults),
      cmocka_unit_test(test_check_foreign_lmdb_files_refused),
      cmocka_unit_test(test_check_empty_store),
      cmocka_unit_test(test_check_misuse),
#undef T
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
