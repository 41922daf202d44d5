/*
 * check_index.c -- the six indexes of trine_store_check() (check_int.h).
 *
 * Each index is read once, a page of records at a time, into fingerprints
 * of all its quads and of its named-graph quads. On the way: GPOS's
 * default-graph records merged with POSG make every quad in (p, o) order,
 * which counts quads and distinct objects per predicate; GSPO's merged
 * with SPOG make (s, p) order, which counts distinct subjects; GSPO alone
 * gives every quad's ids to check and the quads per graph. (The recount
 * has the meaning stats.c gives the counters: per predicate over all
 * graphs.) An index whose fingerprint differs from the reference's is read
 * again with the reference: each record of either is looked up in the
 * other, which names the quads one lacks.
 */
#include "check_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VAL_SIZE 24

/* ---- fingerprints ---- */

static inline uint64_t fmix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdu;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53u;
  return x ^ (x >> 33);
}

/* Two hashes of the canonical (g, s, p, o), chained in opposite orders. */
static inline void fp_add(Fingerprint *f, const Quad *q) {
  f->n++;
  f->h1 += fmix(q->v[Q_G] ^ fmix(q->v[Q_S] ^ fmix(q->v[Q_P] ^ fmix(q->v[Q_O]))));
  f->h2 += fmix(q->v[Q_O] + fmix(q->v[Q_P] + fmix(q->v[Q_S] + fmix(q->v[Q_G] ^ 0x9e3779b97f4a7c15u))));
}

static bool fp_eq(const Fingerprint *a, const Fingerprint *b) {
  return a->n == b->n && a->h1 == b->h1 && a->h2 == b->h2;
}

/* ---- reading an index in order ---- */

typedef void (*RecordFn)(Check *c, const Quad *q);

typedef struct {
  MDB_cursor *cur;
  IndexId idx;
  uint64_t from;             /* the first key to read */
  const unsigned char *page; /* the current key's values, in the map */
  size_t count, pos;
  uint64_t key;
  bool started, more;        /* more: q holds a record */
  Quad q;                    /* the current record, s p o g */
  bool fingerprint;          /* into Check.all and Check.named */
  RecordFn each;             /* called with every record (NULL: none) */
} Reader;

/* A record of a shape no index has: the check stops. */
static int shape_problem(Check *c, const Reader *r, const char *what, size_t size) {
  TrineCheckProblem p = {.kind = TRINE_CHECK_INDEX, .where = index_name[r->idx]};
  check_report(c, &p, "%s: a record with %s of %zu bytes: the check stopped here",
               index_name[r->idx], what, size);
  c->err = store_error(c->s, TRINE_ERR_CORRUPT, "the store is damaged");
  return MDB_CORRUPTED;
}

/* The current key's values: a page of them, or its one value (LMDB gives
 * no page for a key with a single value). */
static int values(Check *c, Reader *r, MDB_cursor_op op) {
  MDB_val k = {0, NULL}, v = {0, NULL};
  int rc = mdb_cursor_get(r->cur, &k, &v, op);
  if (rc == 0 && !v.mv_data && op == MDB_GET_MULTIPLE)
    rc = mdb_cursor_get(r->cur, &k, &v, MDB_GET_CURRENT);
  if (rc) return rc;
  if (v.mv_size == 0 || v.mv_size % VAL_SIZE) return shape_problem(c, r, "values", v.mv_size);
  r->page = v.mv_data;
  r->count = v.mv_size / VAL_SIZE;
  r->pos = 0;
  return 0;
}

static int next_key(Check *c, Reader *r) {
  unsigned char kb[8];
  be_put(kb, r->from);
  MDB_val k = {sizeof kb, kb}, v;
  int rc = mdb_cursor_get(r->cur, &k, &v, r->started ? MDB_NEXT_NODUP
                                          : r->from ? MDB_SET_RANGE : MDB_FIRST);
  r->started = true;
  if (rc) return rc;
  if (k.mv_size != 8) return shape_problem(c, r, "a key", k.mv_size);
  r->key = be_get(k.mv_data);
  return values(c, r, MDB_GET_MULTIPLE);
}

/* A record in the page: false at the end or on an error (reported). */
static bool fill(Check *c, Reader *r) {
  while (r->pos >= r->count) {
    c->where = index_name[r->idx];
    int rc = r->started ? values(c, r, MDB_NEXT_MULTIPLE) : MDB_NOTFOUND;
    if (rc == MDB_NOTFOUND) rc = next_key(c, r);
    if (rc == MDB_NOTFOUND) return false;
    if (rc && !c->err) check_lmdb(c, index_name[r->idx], rc);
    if (rc) return false;
  }
  return true;
}

/* Step to the next record (r->more says whether there is one). */
static bool reader_next(Check *c, Reader *r) {
  if (!(r->more = !check_done(c) && fill(c, r))) return false;
  const unsigned char *vb = r->page + VAL_SIZE * r->pos++;
  const int *o = index_order[r->idx];
  r->q.v[o[0]] = r->key;
  r->q.v[o[1]] = be_get(vb);
  r->q.v[o[2]] = be_get(vb + 8);
  r->q.v[o[3]] = be_get(vb + 16);
  if (r->fingerprint) {
    fp_add(&c->all[r->idx], &r->q);
    if (r->q.v[Q_G]) fp_add(&c->named[r->idx], &r->q);
    c->st.records++;
  }
  if (r->each) r->each(c, &r->q);
  return true;
}

static bool reader_open(Check *c, Reader *r, IndexId idx, uint64_t from) {
  *r = (Reader){.idx = idx, .from = from};
  return (r->cur = check_cursor(c, c->s->idx[idx], index_name[idx])) != NULL;
}

/* ---- ids ---- */

static const char *const position[4] = {"subject", "predicate", "object", "graph"};

/* A quad as messages show it: its four terms (or ids). */
static const char *quad_text(Check *c, const Quad *q, char *buf, size_t n) {
  char t[4][256];
  for (int i = 0; i < 4; ++i) check_term(c, q->v[i], t[i], sizeof t[i]);
  snprintf(buf, n, "%s %s %s %s", t[Q_S], t[Q_P], t[Q_O], t[Q_G]);
  return buf;
}

/* Why id cannot stand at position pos of a quad (NULL: it can). */
static const char *id_fault(const Check *c, TrineId id, int pos, char *why, size_t n) {
  static const char *const article[4] = {"", "an IRI", "a blank node", "a literal"};
  static const char *const holds[4] = {"stores no term (a blank node's number)",
                                       "stores an IRI", "stores a literal",
                                       "stores malformed bytes"};
  unsigned k = id_kind(id), want = k == IDK_IRI ? KIND_IRI : k == IDK_LITERAL ? KIND_LITERAL
                                                                                : KIND_NONE;
  unsigned long long seq = id_seq(id);
  if (id == 0) return pos == Q_G ? NULL : "is 0, no term";
  if (k < IDK_IRI || k > IDK_LITERAL) snprintf(why, n, "has no term kind (%u)", k);
  else if (seq == 0 || seq >= c->next)
    snprintf(why, n, "has sequence number %llu, not between 0 and meta \"next\" (%llu): no term",
             seq, (unsigned long long)c->next);
  else if (check_kind(c, seq) != want)
    snprintf(why, n, "is %s id, but sequence number %llu %s", article[k], seq,
             holds[check_kind(c, seq)]);
  else if ((k == IDK_LITERAL && pos != Q_O) || (k == IDK_BLANK && pos == Q_P))
    snprintf(why, n, "is %s, which cannot be a %s", article[k], position[pos]);
  else
    return NULL;
  return why;
}

/* Every id of q names a term of its kind, fit for its position. */
static void check_ids(Check *c, const Quad *q, IndexId idx) {
  for (int i = 0; i < 4 && !check_done(c); ++i) {
    TrineId id = q->v[i];
    char why[200], text[1100];
    if (id == c->last_ok[i]) continue; /* quads in order repeat their leading ids */
    /* The fault's text: why, or a constant that leaves why unwritten. */
    const char *fault = id_fault(c, id, i, why, sizeof why);
    if (!fault) {
      c->last_ok[i] = id;
      continue;
    }
    TrineCheckProblem p = {.kind = TRINE_CHECK_ID, .where = index_name[idx], .id = id,
                           .seq = id_seq(id)};
    memcpy(p.quad, q->v, sizeof p.quad);
    check_report(c, &p, "%s: the %s of quad %s, id %016llx, %s", index_name[idx], position[i],
                 quad_text(c, q, text, sizeof text), (unsigned long long)id, fault);
  }
}

/* ---- the recount ---- */

static void count_graph(Check *c, TrineId g) {
  if (c->ngraphs && c->graphs[c->ngraphs - 1].id == g) {
    c->graphs[c->ngraphs - 1].quads++;
    return;
  }
  if (c->ngraphs == c->capgraphs) {
    size_t cap = c->capgraphs ? c->capgraphs * 2 : 16;
    GraphCount *g2 = realloc(c->graphs, cap * sizeof *g2);
    if (!g2) return check_nomem(c);
    c->graphs = g2;
    c->capgraphs = cap;
  }
  c->graphs[c->ngraphs++] = (GraphCount){g, 1};
}

/* Every record of GSPO: its ids, and the quads of its graph. */
static void gspo_record(Check *c, const Quad *q) {
  check_ids(c, q, IDX_GSPO);
  count_graph(c, q->v[Q_G]);
  c->st.quads++;
}

/* A quad in (p, o) order: one more quad of p, and a new object. */
static void count_po(Check *c, const Quad *q, bool new_pair) {
  PredCount *pc = check_pred(c, q->v[Q_P]);
  if (!pc) return check_nomem(c);
  pc->c[0]++;
  pc->c[2] += new_pair;
}

/* A quad in (s, p) order: a new subject of p. */
static void count_sp(Check *c, const Quad *q, bool new_pair) {
  PredCount *pc = new_pair ? check_pred(c, q->v[Q_P]) : NULL;
  if (new_pair && !pc) return check_nomem(c);
  if (pc) pc->c[1]++;
}

typedef void (*PairFn)(Check *c, const Quad *q, bool new_pair);

static int pair_cmp(const Quad *x, const Quad *y, int i, int j) {
  if (x->v[i] != y->v[i]) return x->v[i] < y->v[i] ? -1 : 1;
  return x->v[j] == y->v[j] ? 0 : x->v[j] < y->v[j] ? -1 : 1;
}

/* The default graph's records of G-first a merged with named-only b, in
 * the order of positions (i, j): fn learns whether each starts a new pair.
 * Then the rest of a. */
static void merge(Check *c, Reader *a, Reader *b, int i, int j, PairFn fn) {
  Quad last = {{0}};
  bool have = false;
  reader_next(c, a);
  reader_next(c, b);
  for (;;) {
    bool ta = a->more && a->q.v[Q_G] == 0;
    if (!ta && !b->more) break;
    Reader *r = ta && (!b->more || pair_cmp(&a->q, &b->q, i, j) <= 0) ? a : b;
    fn(c, &r->q, !have || pair_cmp(&r->q, &last, i, j) != 0);
    last = r->q;
    have = true;
    reader_next(c, r);
  }
  while (a->more) reader_next(c, a);
}

static void pass_pair(Check *c, IndexId g, IndexId n, int i, int j, PairFn fn, RecordFn each) {
  Reader a, b;
  if (!reader_open(c, &a, g, 0)) return;
  if (reader_open(c, &b, n, 0)) {
    a.fingerprint = b.fingerprint = true;
    a.each = each;
    merge(c, &a, &b, i, j, fn);
    check_cursor_close(c, b.cur);
  }
  check_cursor_close(c, a.cur);
}

static void pass_alone(Check *c, IndexId idx) {
  Reader r;
  if (!reader_open(c, &r, idx, 0)) return;
  r.fingerprint = true;
  while (reader_next(c, &r)) {}
  check_cursor_close(c, r.cur);
}

/* ---- indexes that disagree ---- */

/* Whether index idx holds q: 1, 0, or -1 on an error (reported). */
static int holds(Check *c, MDB_cursor *cur, IndexId idx, const Quad *q) {
  const int *o = index_order[idx];
  unsigned char kb[8], vb[VAL_SIZE];
  be_put(kb, q->v[o[0]]);
  for (int i = 1; i < 4; ++i) be_put(vb + 8 * (i - 1), q->v[o[i]]);
  MDB_val k = {sizeof kb, kb}, v = {sizeof vb, vb};
  int rc = mdb_cursor_get(cur, &k, &v, MDB_GET_BOTH);
  if (rc == 0 || rc == MDB_NOTFOUND) return rc == 0;
  check_lmdb(c, index_name[idx], rc);
  return -1;
}

static void index_problem(Check *c, IndexId odd, IndexId ref, const Quad *q, bool lacks) {
  char text[1100];
  TrineCheckProblem p = {.kind = TRINE_CHECK_INDEX, .where = index_name[odd]};
  memcpy(p.quad, q->v, sizeof p.quad);
  quad_text(c, q, text, sizeof text);
  if (!lacks && odd >= IDX_SPOG && q->v[Q_G] == 0)
    check_report(c, &p, "%s holds the quad %s, of the default graph: it holds named graphs' "
                        "quads only", index_name[odd], text);
  else
    check_report(c, &p, "%s %s the quad %s, which %s %s", index_name[odd],
                 lacks ? "lacks" : "holds", text, index_name[ref], lacks ? "holds" : "lacks");
}

/* Read index scan (from key `from`), looking each record up in index
 * probe: report the quads odd lacks or holds in excess. Returns how many. */
static uint64_t unmatched(Check *c, IndexId scan, IndexId probe, IndexId odd, IndexId ref,
                          uint64_t from) {
  Reader r;
  uint64_t n = 0;
  if (!reader_open(c, &r, scan, from)) return 0;
  MDB_cursor *cur = check_cursor(c, c->s->idx[probe], index_name[probe]);
  while (cur && reader_next(c, &r)) {
    bool stray = scan >= IDX_SPOG && r.q.v[Q_G] == 0; /* never in a named-only index */
    if (!stray && holds(c, cur, probe, &r.q) != 0) continue;
    if (check_done(c)) break;
    n++;
    index_problem(c, odd, ref, &r.q, scan == ref);
    if (scan != IDX_GSPO) check_ids(c, &r.q, scan); /* GSPO's were checked */
  }
  if (cur) check_cursor_close(c, cur);
  check_cursor_close(c, r.cur);
  return n;
}

/* Name the quads in which index odd and index ref differ. */
static void diff(Check *c, IndexId odd, IndexId ref) {
  uint64_t from = odd >= IDX_SPOG ? 1 : 0; /* a named-only index against named graphs */
  uint64_t n = unmatched(c, odd, ref, odd, ref, 0);
  n += unmatched(c, ref, odd, odd, ref, from);
  if (n || check_done(c)) return;
  TrineCheckProblem p = {.kind = TRINE_CHECK_INDEX, .where = index_name[odd]};
  check_report(c, &p, "%s: its quads differ from %s's, yet each record of either is found in "
                      "the other: an index out of order?", index_name[odd], index_name[ref]);
}

/* The G-first index the others are compared with: one whose quads
 * another's equal (GSPO when none does). */
static IndexId reference(const Check *c) {
  const Fingerprint *f = c->all;
  if (fp_eq(&f[IDX_GSPO], &f[IDX_GPOS]) || fp_eq(&f[IDX_GSPO], &f[IDX_GOSP])) return IDX_GSPO;
  return fp_eq(&f[IDX_GPOS], &f[IDX_GOSP]) ? IDX_GPOS : IDX_GSPO;
}

void check_indexes(Check *c) {
  c->last_ok[Q_S] = c->last_ok[Q_P] = c->last_ok[Q_O] = UINT64_MAX; /* never sound */
  c->last_ok[Q_G] = 0;
  pass_pair(c, IDX_GPOS, IDX_POSG, Q_P, Q_O, count_po, NULL);
  if (!check_done(c)) pass_pair(c, IDX_GSPO, IDX_SPOG, Q_S, Q_P, count_sp, gspo_record);
  if (!check_done(c)) pass_alone(c, IDX_GOSP);
  if (!check_done(c)) pass_alone(c, IDX_OSPG);
  IndexId ref = reference(c);
  for (int i = 0; i < IDX_COUNT && !check_done(c); ++i) {
    const Fingerprint *want = i < IDX_SPOG ? &c->all[ref] : &c->named[ref];
    if (i != (int)ref && !fp_eq(&c->all[i], want)) {
      c->odd[i] = true;
      diff(c, (IndexId)i, ref);
    }
  }
}
