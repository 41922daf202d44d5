/*
 * test_index.c -- quad indexes and statistics: set semantics, every one of
 * the 16 bound/unbound pattern shapes (with the graph unbound, the default
 * graph or a named graph) checked against a brute-force filter over a
 * random data set, added quad by quad and bulk loaded; removals; and the
 * statistics against brute-force counts after adds, loads and removals.
 */
#include "index.h"
#include "env.h"
#include "term.h"
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Temp stores -------------------------------------------------------------- */

static void tmp_open(TuStore *t) { assert_int_equal(tu_store_open(t, "index", NULL), 0); }

/* The term universe ---------------------------------------------------------- */

enum { NSUBJ = 30, NPRED = 6, NOBJ = 40, NGRAPH = 3, MAXTERMS = 128 };

typedef struct {
  TrineTerm term;
  char *text; /* canonical N-Triples form */
  char value[64];
} Term;

static Term terms[MAXTERMS];
static int nterms;
static int subj[NSUBJ], pred[NPRED], obj[NOBJ], graph[NGRAPH];
static int sorted_terms[MAXTERMS]; /* indexes into terms, by text */

static int new_term(int kind, const char *fmt, int i, const char *dt, const char *lang) {
  Term *t = &terms[nterms];
  snprintf(t->value, sizeof t->value, fmt, i);
  if (kind == TRINE_TERM_IRI) t->term = trine_iri(t->value);
  else t->term = trine_literal(t->value, dt, lang);
  t->text = tu_term_text(&t->term);
  return nterms++;
}

static int cmp_term_idx(const void *a, const void *b) {
  return strcmp(terms[*(const int *)a].text, terms[*(const int *)b].text);
}

static void universe_init(void) {
  if (nterms) return;
  for (int i = 0; i < NSUBJ; ++i) subj[i] = new_term(TRINE_TERM_IRI, "http://ex.org/r%d", i, NULL, NULL);
  for (int i = 0; i < NPRED; ++i) pred[i] = new_term(TRINE_TERM_IRI, "http://ex.org/p%d", i, NULL, NULL);
  for (int i = 0; i < NGRAPH; ++i) graph[i] = new_term(TRINE_TERM_IRI, "http://ex.org/g%d", i, NULL, NULL);
  /* Objects: some subjects again (IRIs in both positions), literals. */
  for (int i = 0; i < 15; ++i) obj[i] = subj[i * 2];
  for (int i = 15; i < NOBJ; ++i) {
    switch (i % 4) {
    case 0: obj[i] = new_term(TRINE_TERM_LITERAL, "v%d", i, NULL, NULL); break;
    case 1: obj[i] = new_term(TRINE_TERM_LITERAL, "v%d", i, NULL, "en"); break;
    case 2:
      obj[i] = new_term(TRINE_TERM_LITERAL, "%d", i, "http://www.w3.org/2001/XMLSchema#integer",
                        NULL);
      break;
    default: obj[i] = new_term(TRINE_TERM_IRI, "http://ex.org/o%d", i, NULL, NULL); break;
    }
  }
  /* A predicate used as subject and object too. */
  obj[14] = pred[1];
  subj[NSUBJ - 1] = pred[2];
  for (int i = 0; i < nterms; ++i) sorted_terms[i] = i;
  qsort(sorted_terms, (size_t)nterms, sizeof *sorted_terms, cmp_term_idx);
}

static int term_index(const TrineTerm *t) {
  char *s = tu_term_text(t);
  int lo = 0, hi = nterms;
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    int c = strcmp(terms[sorted_terms[mid]].text, s);
    if (c == 0) {
      free(s);
      return sorted_terms[mid];
    }
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  fail_msg("unknown term %s", s);
  free(s);
  return -1;
}

/* Quads as packed term indexes; graph MAXTERMS = the default graph. -------- */

#define DEFAULT_G MAXTERMS

typedef uint64_t QKey;

static QKey qkey(int s, int p, int o, int g) {
  return (QKey)s << 48 | (QKey)p << 32 | (QKey)o << 16 | (QKey)g;
}
static int q_s(QKey k) { return (int)(k >> 48 & 0xffff); }
static int q_p(QKey k) { return (int)(k >> 32 & 0xffff); }
static int q_o(QKey k) { return (int)(k >> 16 & 0xffff); }
static int q_g(QKey k) { return (int)(k & 0xffff); }

static int cmp_qkey(const void *a, const void *b) {
  QKey x = *(const QKey *)a, y = *(const QKey *)b;
  return x < y ? -1 : x > y;
}

typedef struct {
  QKey *k;
  size_t n, cap;
} QSet;

static void qs_push(QSet *s, QKey k) {
  if (s->n == s->cap) {
    s->cap = s->cap ? s->cap * 2 : 1024;
    s->k = realloc(s->k, s->cap * sizeof *s->k);
    assert_non_null(s->k);
  }
  s->k[s->n++] = k;
}

static void qs_sort(QSet *s) {
  if (s->n) qsort(s->k, s->n, sizeof *s->k, cmp_qkey);
}

/* Sorted set: sort and drop duplicates. */
static void qs_unique(QSet *s) {
  qs_sort(s);
  size_t j = 0;
  for (size_t i = 0; i < s->n; ++i)
    if (j == 0 || s->k[i] != s->k[j - 1]) s->k[j++] = s->k[i];
  s->n = j;
}

static void qs_free(QSet *s) {
  free(s->k);
  *s = (QSet){0};
}

static uint64_t rng_state;
static uint64_t rnd(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}
static int rnd_below(int n) { return (int)(rnd() % (uint64_t)n); }

/* n random quads (duplicates likely), in generation order. */
static void random_quads(QSet *out, size_t n, uint64_t seed) {
  universe_init();
  rng_state = seed;
  for (size_t i = 0; i < n; ++i) {
    int g = rnd_below(NGRAPH + 1);
    qs_push(out, qkey(subj[rnd_below(NSUBJ)], pred[rnd_below(NPRED)], obj[rnd_below(NOBJ)],
                      g == NGRAPH ? DEFAULT_G : graph[g]));
  }
}

static const TrineTerm *graph_term(int g, TrineTerm *dflt) {
  if (g == DEFAULT_G) {
    *dflt = trine_default_graph();
    return dflt;
  }
  return &terms[g].term;
}

/* N-Quads text of the quads, each line repeated `times` times. */
static char *nquads_text(const QSet *q, int times, size_t *len) {
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (size_t i = 0; i < q->n; ++i) {
    QKey k = q->k[i];
    char line[512];
    int m = snprintf(line, sizeof line, "%s %s %s%s%s .\n", terms[q_s(k)].text,
                     terms[q_p(k)].text, terms[q_o(k)].text, q_g(k) == DEFAULT_G ? "" : " ",
                     q_g(k) == DEFAULT_G ? "" : terms[q_g(k)].text);
    for (int r = 0; r < times; ++r) {
      if (n + (size_t)m + 1 > cap) {
        cap *= 2;
        buf = realloc(buf, cap);
        assert_non_null(buf);
      }
      memcpy(buf + n, line, (size_t)m);
      n += (size_t)m;
    }
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

static void load_quads(TrineStore *st, const QSet *q, int times, uint64_t expect_added) {
  size_t len;
  char *text = nquads_text(q, times, &len);
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(st, "data.nq", text, len, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_read, q->n * (size_t)times);
  assert_int_equal(ls.quads_added, expect_added);
  free(text);
}

/* Add quads one by one (several transactions), checking each status
 * against the model, which is updated. */
static void add_quads(TrineStore *st, const QSet *q, QSet *model) {
  TrineTxn *t = NULL;
  for (size_t i = 0; i < q->n; ++i) {
    if (i % 700 == 0) {
      if (t) assert_int_equal(trine_txn_commit(t), TRINE_OK);
      assert_int_equal(trine_txn_begin(st, true, &t), TRINE_OK);
    }
    QKey k = q->k[i];
    TrineTerm d;
    bool had = false;
    for (size_t j = 0; j < model->n && !had; ++j) had = model->k[j] == k;
    TrineStatus rc = trine_txn_add(t, &terms[q_s(k)].term, &terms[q_p(k)].term,
                                   &terms[q_o(k)].term, graph_term(q_g(k), &d));
    assert_int_equal(rc, had ? TRINE_NOT_FOUND : TRINE_OK);
    if (!had) qs_push(model, k);
  }
  if (t) assert_int_equal(trine_txn_commit(t), TRINE_OK);
  qs_sort(model);
}

/* Remove quads, checking the status against the (sorted) model. */
static void remove_quads(TrineStore *st, const QSet *q, QSet *model) {
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(st, true, &t), TRINE_OK);
  for (size_t i = 0; i < q->n; ++i) {
    QKey k = q->k[i];
    TrineTerm d;
    QKey *at = bsearch(&k, model->k, model->n, sizeof *model->k, cmp_qkey);
    TrineStatus rc = trine_txn_remove(t, &terms[q_s(k)].term, &terms[q_p(k)].term,
                                      &terms[q_o(k)].term, graph_term(q_g(k), &d));
    assert_int_equal(rc, at ? TRINE_OK : TRINE_NOT_FOUND);
    if (at) {
      memmove(at, at + 1, (size_t)(model->k + model->n - at - 1) * sizeof *at);
      model->n--;
    }
  }
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
}

/* Patterns ------------------------------------------------------------------ */

typedef struct {
  int v[4]; /* term index, -1 unbound; v[3] may be DEFAULT_G */
  bool none_term; /* unbound positions as TRINE_TERM_NONE instead of NULL */
} Pattern;

static bool pat_match(const Pattern *pt, QKey k) {
  int q[4] = {q_s(k), q_p(k), q_o(k), q_g(k)};
  for (int i = 0; i < 4; ++i)
    if (pt->v[i] >= 0 && pt->v[i] != q[i]) return false;
  return true;
}

static void brute(const QSet *model, const Pattern *pt, QSet *out) {
  out->n = 0;
  for (size_t i = 0; i < model->n; ++i)
    if (pat_match(pt, model->k[i])) qs_push(out, model->k[i]);
  qs_sort(out);
}

static void run_match(TrineStore *st, const Pattern *pt, QSet *out) {
  TrineTxn *t;
  TrineIter *it;
  TrineTerm none = {0}, d;
  const TrineTerm *a[4];
  for (int i = 0; i < 4; ++i) {
    if (pt->v[i] < 0) a[i] = pt->none_term ? &none : NULL;
    else if (i == 3) a[i] = graph_term(pt->v[i], &d);
    else a[i] = &terms[pt->v[i]].term;
  }
  out->n = 0;
  assert_int_equal(trine_txn_begin(st, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_match(t, a[0], a[1], a[2], a[3], &it), TRINE_OK);
  TrineTerm q[4];
  TrineStatus rc;
  while ((rc = trine_iter_next(it, q)) == TRINE_ROW) {
    int g = q[3].kind == TRINE_TERM_DEFAULT_GRAPH ? DEFAULT_G : term_index(&q[3]);
    qs_push(out, qkey(term_index(&q[0]), term_index(&q[1]), term_index(&q[2]), g));
  }
  assert_int_equal(rc, TRINE_DONE);
  trine_iter_free(it);
  trine_txn_abort(t);
  size_t n = out->n;
  qs_unique(out);
  assert_int_equal(out->n, n); /* no row twice */
}

static void describe(const Pattern *pt, char *buf, size_t n) {
  snprintf(buf, n, "(%s %s %s %s)", pt->v[0] < 0 ? "?" : terms[pt->v[0]].text,
           pt->v[1] < 0 ? "?" : terms[pt->v[1]].text, pt->v[2] < 0 ? "?" : terms[pt->v[2]].text,
           pt->v[3] < 0 ? "?" : pt->v[3] == DEFAULT_G ? "DEFAULT" : terms[pt->v[3]].text);
}

static void check_pattern(TrineStore **stores, int nstores, const QSet *model,
                          const Pattern *pt) {
  QSet want = {0}, got = {0};
  brute(model, pt, &want);
  for (int i = 0; i < nstores; ++i) {
    run_match(stores[i], pt, &got);
    if (got.n != want.n || (want.n && memcmp(got.k, want.k, want.n * sizeof *want.k))) {
      char d[512];
      describe(pt, d, sizeof d);
      fail_msg("store %d, pattern %s: %zu rows, expected %zu", i, d, got.n, want.n);
    }
  }
  qs_free(&want);
  qs_free(&got);
}

/* Every bound/unbound combination, with several values each: values taken
 * from stored quads (non-empty results) and random ones (often empty);
 * a bound graph is alternately the default graph and a named graph. */
static int check_all_patterns(TrineStore **stores, int nstores, const QSet *model,
                              uint64_t seed) {
  rng_state = seed;
  int checked = 0;
  for (unsigned mask = 0; mask < 16; ++mask) {
    for (int sample = 0; sample < 12; ++sample) {
      Pattern pt = {{-1, -1, -1, -1}, sample % 5 == 4};
      int base[4];
      if (sample % 3 != 2 && model->n) {
        QKey k = model->k[rnd_below((int)model->n)];
        base[0] = q_s(k), base[1] = q_p(k), base[2] = q_o(k), base[3] = q_g(k);
      } else {
        int g = rnd_below(NGRAPH + 1);
        base[0] = subj[rnd_below(NSUBJ)], base[1] = pred[rnd_below(NPRED)];
        base[2] = obj[rnd_below(NOBJ)], base[3] = g == NGRAPH ? DEFAULT_G : graph[g];
      }
      if (mask & 8) {
        /* Force both kinds of bound graph to appear for every mask. */
        if (sample == 0) base[3] = DEFAULT_G;
        if (sample == 1) base[3] = graph[rnd_below(NGRAPH)];
      }
      for (int i = 0; i < 4; ++i)
        if (mask & (1u << i)) pt.v[i] = base[i];
      check_pattern(stores, nstores, model, &pt);
      ++checked;
    }
  }
  /* A term the store has never seen, in each position. */
  static TrineTerm unknown;
  unknown = trine_iri("http://ex.org/unknown");
  for (int pos = 0; pos < 4; ++pos) {
    for (int i = 0; i < nstores; ++i) {
      TrineTxn *t;
      TrineIter *it;
      TrineTerm q[4];
      const TrineTerm *a[4] = {NULL, NULL, NULL, NULL};
      a[pos] = &unknown;
      assert_int_equal(trine_txn_begin(stores[i], false, &t), TRINE_OK);
      assert_int_equal(trine_txn_match(t, a[0], a[1], a[2], a[3], &it), TRINE_OK);
      assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
      trine_iter_free(it);
      trine_txn_abort(t);
    }
  }
  return checked;
}

/* Statistics against brute force -------------------------------------------- */

typedef struct {
  const QSet *model;
  int seen;
  bool fail;
  char why[256];
} StatCtx;

static int on_graph(void *ctx, const TrineTerm *g, uint64_t quads) {
  StatCtx *c = ctx;
  int gi = term_index(g);
  uint64_t n = 0;
  for (size_t i = 0; i < c->model->n; ++i) n += q_g(c->model->k[i]) == gi;
  if (n != quads || n == 0) {
    c->fail = true;
    snprintf(c->why, sizeof c->why, "graph %s: %llu quads, expected %llu", terms[gi].text,
             (unsigned long long)quads, (unsigned long long)n);
  }
  c->seen++;
  return 0;
}

static size_t count_distinct(int *v, size_t n) {
  size_t d = 0;
  for (size_t i = 0; i < n; ++i) {
    bool dup = false;
    for (size_t j = 0; j < i && !dup; ++j) dup = v[j] == v[i];
    d += !dup;
  }
  return d;
}

static int on_pred(void *ctx, const TrinePredicateStats *ps) {
  StatCtx *c = ctx;
  int pi = term_index(&ps->predicate);
  int *ss = malloc((c->model->n + 1) * sizeof *ss), *os = malloc((c->model->n + 1) * sizeof *os);
  size_t n = 0;
  for (size_t i = 0; i < c->model->n; ++i) {
    QKey k = c->model->k[i];
    if (q_p(k) != pi) continue;
    ss[n] = q_s(k);
    os[n] = q_o(k);
    ++n;
  }
  size_t ds = count_distinct(ss, n), dob = count_distinct(os, n);
  if (ps->quads != n || ps->subjects != ds || ps->objects != dob || n == 0) {
    c->fail = true;
    snprintf(c->why, sizeof c->why,
             "predicate %s: quads %llu/%zu subjects %llu/%zu objects %llu/%zu (got/expected)",
             terms[pi].text, (unsigned long long)ps->quads, n,
             (unsigned long long)ps->subjects, ds, (unsigned long long)ps->objects, dob);
  }
  free(ss);
  free(os);
  c->seen++;
  return 0;
}

static void check_stats(TrineStore *st, const QSet *model, const char *when) {
  TrineStats s;
  assert_int_equal(trine_store_stats(st, NULL, &s), TRINE_OK);
  uint64_t dflt = 0;
  bool gused[MAXTERMS + 1] = {false}, pused[MAXTERMS] = {false};
  for (size_t i = 0; i < model->n; ++i) {
    dflt += q_g(model->k[i]) == DEFAULT_G;
    gused[q_g(model->k[i])] = true;
    pused[q_p(model->k[i])] = true;
  }
  int ngraphs = 0, npreds = 0;
  for (int i = 0; i < MAXTERMS; ++i) ngraphs += gused[i], npreds += pused[i];
  if (s.quads != model->n || s.default_quads != dflt || s.graphs != (uint64_t)ngraphs)
    fail_msg("%s: stats quads %llu/%zu default %llu/%llu graphs %llu/%d (got/expected)", when,
             (unsigned long long)s.quads, model->n, (unsigned long long)s.default_quads,
             (unsigned long long)dflt, (unsigned long long)s.graphs, ngraphs);
  StatCtx c = {.model = model};
  assert_int_equal(trine_store_graphs(st, NULL, on_graph, &c), TRINE_OK);
  if (c.fail) fail_msg("%s: %s", when, c.why);
  assert_int_equal(c.seen, ngraphs);
  c = (StatCtx){.model = model};
  assert_int_equal(trine_store_predicates(st, NULL, on_pred, &c), TRINE_OK);
  if (c.fail) fail_msg("%s: %s", when, c.why);
  assert_int_equal(c.seen, npreds);
}

/* Tests ---------------------------------------------------------------------- */

/* Adding twice stores once; removing twice removes once; every position. */
static void test_index_set_semantics(void **state) {
  (void)state;
  TuStore ts;
  tmp_open(&ts);
  TrineTerm s = trine_iri("http://ex.org/s"), p = trine_iri("http://ex.org/p");
  TrineTerm o = trine_literal("o", NULL, NULL), g = trine_iri("http://ex.org/g");
  TrineTerm dg = trine_default_graph();
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(ts.store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, NULL), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &dg), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &g), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &g), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  /* Across transactions too. */
  assert_int_equal(trine_txn_begin(ts.store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &g), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &dg), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  TrineStats st;
  assert_int_equal(trine_store_stats(ts.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 2);
  assert_int_equal(st.default_quads, 1);
  assert_int_equal(st.graphs, 1);

  /* Removing. */
  TrineTerm unknown = trine_iri("http://ex.org/nothing");
  assert_int_equal(trine_txn_begin(ts.store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_remove(t, &s, &p, &o, &g), TRINE_OK);
  assert_int_equal(trine_txn_remove(t, &s, &p, &o, &g), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_remove(t, &unknown, &p, &o, NULL), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_remove(t, &s, &p, &o, &unknown), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  assert_int_equal(trine_txn_begin(ts.store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_remove(t, &s, &p, &o, &g), TRINE_NOT_FOUND);
  assert_int_equal(trine_txn_remove(t, &s, &p, &o, &dg), TRINE_OK);
  assert_int_equal(trine_txn_remove(t, &s, &p, &o, NULL), TRINE_NOT_FOUND);
  /* Removed then added in one transaction. */
  assert_int_equal(trine_txn_add(t, &s, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_txn_remove(t, &s, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  assert_int_equal(trine_store_stats(ts.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 0);
  assert_int_equal(st.default_quads, 0);
  assert_int_equal(st.graphs, 0);
  /* Nothing left in any index. */
  const TrineTerm *pos[4] = {&s, &p, &o, &g};
  for (unsigned mask = 0; mask < 16; ++mask) {
    const TrineTerm *a[4];
    for (int i = 0; i < 4; ++i) a[i] = mask & (1u << i) ? pos[i] : NULL;
    for (int dflt = 0; dflt < 2; ++dflt) {
      if (dflt) {
        if (!(mask & 8)) continue;
        a[3] = &dg;
      }
      TrineIter *it;
      TrineTerm q[4];
      assert_int_equal(trine_txn_begin(ts.store, false, &t), TRINE_OK);
      assert_int_equal(trine_txn_match(t, a[0], a[1], a[2], a[3], &it), TRINE_OK);
      assert_int_equal(trine_iter_next(it, q), TRINE_DONE);
      trine_iter_free(it);
      trine_txn_abort(t);
    }
  }
  /* Bad quads are refused. */
  TrineTerm lit = trine_literal("x", NULL, NULL), bl = trine_blank("b");
  assert_int_equal(trine_txn_begin(ts.store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &lit, &p, &o, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_txn_add(t, &s, &bl, &o, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_txn_add(t, &s, &lit, &o, NULL), TRINE_ERR_ARG);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &lit), TRINE_ERR_ARG);
  assert_int_equal(trine_txn_add(t, &s, &p, NULL, NULL), TRINE_ERR_ARG);
  trine_txn_abort(t);
  tu_store_close(&ts);
}

/* The random data set, added quad by quad and bulk loaded: every pattern
 * against brute force, both stores identical; then removals. */
static void test_index_patterns_add_and_load(void **state) {
  (void)state;
  TuStore a, b;
  tmp_open(&a);
  tmp_open(&b);
  QSet gen = {0}, model = {0};
  random_quads(&gen, 3000, 0x5eed1234abcdULL);
  add_quads(a.store, &gen, &model);
  assert_true(model.n > 2000 && model.n < 3000); /* duplicates were generated */
  load_quads(b.store, &gen, 1, model.n);
  TrineStore *stores[2] = {a.store, b.store};
  int n = check_all_patterns(stores, 2, &model, 99);
  assert_int_equal(n, 16 * 12);
  check_stats(a.store, &model, "after adds");
  check_stats(b.store, &model, "after load");

  /* Remove a third (and some absent quads) from both. */
  QSet rm = {0}, model_b = {0};
  for (size_t i = 0; i < model.n; ++i) qs_push(&model_b, model.k[i]);
  rng_state = 7;
  for (size_t i = 0; i < 1000; ++i) qs_push(&rm, gen.k[rnd_below((int)gen.n)]);
  qs_push(&rm, qkey(subj[0], pred[0], obj[NOBJ - 1], graph[0]));
  remove_quads(a.store, &rm, &model);
  remove_quads(b.store, &rm, &model_b);
  assert_int_equal(model.n, model_b.n);
  check_all_patterns(stores, 2, &model, 1234);
  check_stats(a.store, &model, "after removals (added store)");
  check_stats(b.store, &model, "after removals (loaded store)");

  /* Remove everything left in one graph and one predicate entirely. */
  rm.n = 0;
  for (size_t i = 0; i < model.n; ++i)
    if (q_g(model.k[i]) == graph[1] || q_p(model.k[i]) == pred[3]) qs_push(&rm, model.k[i]);
  remove_quads(a.store, &rm, &model);
  remove_quads(b.store, &rm, &model_b);
  check_all_patterns(stores, 2, &model, 4321);
  check_stats(a.store, &model, "after emptying a graph");
  check_stats(b.store, &model, "after emptying a graph (loaded)");

  /* Reload everything on top: back to the full set. */
  QSet full = {0};
  for (size_t i = 0; i < gen.n; ++i) qs_push(&full, gen.k[i]);
  qs_unique(&full);
  load_quads(a.store, &gen, 1, full.n - model.n);
  load_quads(b.store, &gen, 2, full.n - model.n);
  check_all_patterns(stores, 2, &full, 555);
  check_stats(a.store, &full, "after reload (added store)");
  check_stats(b.store, &full, "after reload (loaded store)");

  qs_free(&gen);
  qs_free(&model);
  qs_free(&model_b);
  qs_free(&rm);
  qs_free(&full);
  tu_store_close(&a);
  tu_store_close(&b);
}

/* Statistics across loads into a store that already has data, overlapping
 * loads and repeated statements, then removals and adds mixed. */
static void test_index_stats_incremental_loads(void **state) {
  (void)state;
  TuStore c;
  tmp_open(&c);
  QSet gen = {0}, part = {0}, model = {0};
  random_quads(&gen, 4000, 0xfeedULL);
  /* First the first half, each statement twice. */
  for (size_t i = 0; i < 2000; ++i) qs_push(&part, gen.k[i]);
  for (size_t i = 0; i < part.n; ++i) qs_push(&model, part.k[i]);
  qs_unique(&model);
  load_quads(c.store, &part, 2, model.n);
  check_stats(c.store, &model, "first load");
  /* Then an overlapping range, three times each. */
  part.n = 0;
  for (size_t i = 1300; i < 3300; ++i) qs_push(&part, gen.k[i]);
  size_t before = model.n;
  for (size_t i = 0; i < part.n; ++i) qs_push(&model, part.k[i]);
  qs_unique(&model);
  load_quads(c.store, &part, 3, model.n - before);
  check_stats(c.store, &model, "overlapping load");
  /* Single adds of the rest. */
  part.n = 0;
  for (size_t i = 3300; i < 4000; ++i) qs_push(&part, gen.k[i]);
  add_quads(c.store, &part, &model);
  check_stats(c.store, &model, "adds after loads");
  /* A load of only known statements changes nothing. */
  load_quads(c.store, &part, 1, 0);
  check_stats(c.store, &model, "load of known statements");
  /* Remove quads so that some (s, p) and (p, o) pairs vanish entirely
   * while others survive in another graph. */
  QSet rm = {0};
  for (size_t i = 0; i < model.n; ++i)
    if (q_s(model.k[i]) % 3 == 0 || q_g(model.k[i]) == DEFAULT_G) qs_push(&rm, model.k[i]);
  remove_quads(c.store, &rm, &model);
  check_stats(c.store, &model, "removals");
  TrineStore *stores[1] = {c.store};
  check_all_patterns(stores, 1, &model, 77);
  /* Load the removed ones back. */
  before = model.n;
  for (size_t i = 0; i < rm.n; ++i) qs_push(&model, rm.k[i]);
  qs_unique(&model);
  load_quads(c.store, &rm, 1, model.n - before);
  check_stats(c.store, &model, "reload of removed");
  check_all_patterns(stores, 1, &model, 78);
  /* Statistics survive reopening. */
  trine_store_close(c.store);
  assert_int_equal(trine_store_open(c.dir, NULL, &c.store), TRINE_OK);
  check_stats(c.store, &model, "after reopen");
  qs_free(&gen);
  qs_free(&part);
  qs_free(&model);
  qs_free(&rm);
  tu_store_close(&c);
}

/* Statistics read inside a write transaction include its own changes. */
static int count_graph(void *ctx, const TrineTerm *g, uint64_t quads) {
  (void)g;
  *(uint64_t *)ctx += quads;
  return 0;
}

static int count_pred(void *ctx, const TrinePredicateStats *ps) {
  uint64_t *c = ctx;
  c[0] += ps->quads;
  c[1] += ps->subjects;
  c[2] += ps->objects;
  return 0;
}

static void test_index_stats_in_write_txn(void **state) {
  (void)state;
  TuStore c;
  tmp_open(&c);
  TrineTerm s = trine_iri("http://ex.org/s"), p = trine_iri("http://ex.org/p");
  TrineTerm o = trine_iri("http://ex.org/o");
  TrineTxn *t;
  TrineStats st;
  assert_int_equal(trine_txn_begin(c.store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_store_stats(c.store, t, &st), TRINE_OK);
  assert_int_equal(st.quads, 1);
  assert_int_equal(st.default_quads, 1);
  /* More writes after a read of the statistics are counted once. */
  TrineTerm g = trine_iri("http://ex.org/g"), o2 = trine_iri("http://ex.org/o2");
  assert_int_equal(trine_txn_add(t, &s, &p, &o2, &g), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &g), TRINE_OK);
  assert_int_equal(trine_txn_remove(t, &s, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_store_stats(c.store, t, &st), TRINE_OK);
  assert_int_equal(st.quads, 2);
  assert_int_equal(st.default_quads, 0);
  assert_int_equal(st.graphs, 1);
  uint64_t gq = 0, pc[3] = {0, 0, 0};
  assert_int_equal(trine_store_graphs(c.store, t, count_graph, &gq), TRINE_OK);
  assert_int_equal(gq, 2);
  assert_int_equal(trine_store_predicates(c.store, t, count_pred, pc), TRINE_OK);
  assert_int_equal(pc[0], 2);
  assert_int_equal(pc[1], 1);
  assert_int_equal(pc[2], 2);
  /* Other readers do not see uncommitted statistics. */
  TrineStats outside;
  assert_int_equal(trine_store_stats(c.store, NULL, &outside), TRINE_OK);
  assert_int_equal(outside.quads, 0);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  assert_int_equal(trine_store_stats(c.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 2);
  assert_int_equal(st.graphs, 1);
  gq = 0;
  memset(pc, 0, sizeof pc);
  assert_int_equal(trine_store_graphs(c.store, NULL, count_graph, &gq), TRINE_OK);
  assert_int_equal(trine_store_predicates(c.store, NULL, count_pred, pc), TRINE_OK);
  assert_int_equal(gq, 2);
  assert_int_equal(pc[0], 2);
  assert_int_equal(pc[1], 1);
  assert_int_equal(pc[2], 2);
  /* An aborted transaction's statistics vanish with it. */
  assert_int_equal(trine_txn_begin(c.store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &o, &p, &s, NULL), TRINE_OK);
  assert_int_equal(trine_store_stats(c.store, t, &st), TRINE_OK);
  assert_int_equal(st.quads, 3);
  trine_txn_abort(t);
  assert_int_equal(trine_store_stats(c.store, NULL, &st), TRINE_OK);
  assert_int_equal(st.quads, 2);
  tu_store_close(&c);
}

/* Batched probes ------------------------------------------------------------ */

/* Synthetic ids: s in 1..400 with predicates 1..3 and s % 7 objects each,
 * about 100 pages of GSPO, so matches run over page ends. */
enum { BS = 400, BP = 3 };
typedef struct {
  TrineId (*got)[4]; /* probe, then the three ids after the key */
  size_t n, cap, stop_after;
} Got;

static TrineStatus on_batch_match(void *ctx, size_t probe, const unsigned char *rec) {
  Got *g = ctx;
  if (g->stop_after && g->n == g->stop_after) return TRINE_ERR_CANCELLED;
  if (g->n == g->cap) {
    g->cap = g->cap ? g->cap * 2 : 256;
    g->got = realloc(g->got, g->cap * sizeof *g->got);
    assert_non_null(g->got);
  }
  g->got[g->n][0] = probe;
  for (int i = 0; i < 3; ++i) g->got[g->n][i + 1] = be_get(rec + 8 * i);
  g->n++;
  return TRINE_OK;
}

static bool batch_has(TrineId s, TrineId p, TrineId o) {
  return s >= 1 && s <= BS && p >= 1 && p <= BP && o >= 1 && o <= s % 7;
}

/* Probe keys (prefix ids each, layout GSPO) and check every match against
 * the data, probe by probe, in (s, p, o) order. */
static void check_batch(IndexProbe *pb, const TrineId *keys, size_t n, int prefix) {
  Got g = {0};
  assert_int_equal(index_probe_batch(pb, keys, n, prefix, on_batch_match, &g), TRINE_OK);
  size_t k = 0;
  for (size_t i = 0; i < n; ++i) {
    const TrineId *key = keys + i * (size_t)prefix;
    TrineId s = key[1];
    for (TrineId p = 1; p <= BP; ++p)
      for (TrineId o = 1; o <= 7; ++o) {
        if (!batch_has(s, p, o) || (prefix > 2 && p != key[2]) || (prefix > 3 && o != key[3]))
          continue;
        assert_true(k < g.n);
        assert_int_equal(g.got[k][0], i);
        assert_int_equal(g.got[k][1], s);
        assert_int_equal(g.got[k][2], p);
        assert_int_equal(g.got[k][3], o);
        k++;
      }
  }
  assert_int_equal(k, g.n);
  free(g.got);
}

/* Batches of probes and counted ranges against the data. */
static void test_index_probe_batch(void **state) {
  (void)state;
  TuStore c;
  tmp_open(&c);
  size_t n = 0;
  Quad *q = malloc(BS * BP * 7 * sizeof *q), *s1 = malloc(BS * BP * 7 * sizeof *q),
       *s2 = malloc(BS * BP * 7 * sizeof *q);
  assert_true(q && s1 && s2);
  for (TrineId s = 1; s <= BS; ++s)
    for (TrineId p = 1; p <= BP; ++p)
      for (TrineId o = 1; o <= s % 7; ++o) q[n++] = (Quad){{s, p, o, 0}};
  TrineTxn *t;
  uint64_t added;
  assert_int_equal(trine_txn_begin(c.store, true, &t), TRINE_OK);
  assert_int_equal(index_add_batch(t, q, s1, s2, n, 0, NULL, &added), TRINE_OK);
  assert_int_equal(added, n);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  free(s1);
  free(s2);
  assert_int_equal(trine_txn_begin(c.store, false, &t), TRINE_OK);
  IndexProbe *pb;
  assert_int_equal(index_probe_open(t, IDX_GSPO, &pb), TRINE_OK);
  /* (g, s, p) ascending, with absent subjects and predicates, past the
   * end of the index (s > 400), then back to the start. */
  enum { NK = 430 * 4 + 2 };
  TrineId *keys = malloc(NK * 4 * sizeof *keys);
  assert_non_null(keys);
  size_t nk = 0;
  for (TrineId s = 0; s < 430; ++s)
    for (TrineId p = 1; p <= 4; ++p) {
      TrineId *k = keys + nk++ * 3;
      k[0] = 0, k[1] = s, k[2] = p;
    }
  TrineId *k = keys + nk++ * 3;
  k[0] = 0, k[1] = 5, k[2] = 2;
  k = keys + nk++ * 3;
  k[0] = 0, k[1] = 399, k[2] = 3;
  check_batch(pb, keys, nk, 3);
  /* Shuffled: every probe jumps. */
  srand(7);
  for (size_t i = nk - 1; i > 0; --i) {
    size_t j = (size_t)rand() % (i + 1);
    for (int c2 = 0; c2 < 3; ++c2) {
      TrineId tmp = keys[i * 3 + c2];
      keys[i * 3 + c2] = keys[j * 3 + c2];
      keys[j * 3 + c2] = tmp;
    }
  }
  check_batch(pb, keys, nk, 3);
  /* (g, s): every predicate's records, running over page ends. */
  nk = 0;
  for (TrineId s = 1; s <= 410; s += 3) {
    keys[nk * 2] = 0;
    keys[nk++ * 2 + 1] = s;
  }
  check_batch(pb, keys, nk, 2);
  /* Whole quads, present and absent. */
  nk = 0;
  for (TrineId s = 1; s <= 60; ++s)
    for (TrineId o = 0; o <= 7; ++o) {
      TrineId *q4 = keys + nk++ * 4;
      q4[0] = 0, q4[1] = s, q4[2] = 2, q4[3] = o;
    }
  check_batch(pb, keys, nk, 4);
  /* The callback's status stops the batch. */
  Got g = {.stop_after = 10};
  assert_int_equal(index_probe_batch(pb, keys, nk, 4, on_batch_match, &g), TRINE_ERR_CANCELLED);
  assert_int_equal(g.n, 10);
  free(g.got);
  index_probe_free(pb);
  /* Ranges counted: one subject; one predicate's 6 objects of s = 6 per
   * 7 subjects, over ~10 pages of GPOS; a limit stops early. */
  uint64_t count;
  Quad pre = {{0, 13, 0, 0}};
  assert_int_equal(index_count_range(t, IDX_GSPO, &pre, 2, 1000, &count), TRINE_OK);
  assert_int_equal(count, 3 * (13 % 7));
  pre = (Quad){{0, 2, 0, 0}};
  uint64_t want = 0;
  for (TrineId s = 1; s <= BS; ++s) want += s % 7;
  assert_int_equal(index_count_range(t, IDX_GPOS, &pre, 2, 100000, &count), TRINE_OK);
  assert_int_equal(count, want);
  assert_int_equal(index_count_range(t, IDX_GPOS, &pre, 2, 50, &count), TRINE_OK);
  assert_true(count > 50 && count < want);
  pre = (Quad){{0, 2, 5, 0}};
  assert_int_equal(index_count_range(t, IDX_GPOS, &pre, 3, 100000, &count), TRINE_OK);
  want = 0;
  for (TrineId s = 1; s <= BS; ++s) want += s % 7 >= 5;
  assert_int_equal(count, want);
  pre = (Quad){{0, 9, 0, 0}};
  assert_int_equal(index_count_range(t, IDX_GPOS, &pre, 2, 100000, &count), TRINE_OK);
  assert_int_equal(count, 0);
  trine_txn_abort(t);
  free(keys);
  free(q);
  tu_store_close(&c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_index_set_semantics),
      cmocka_unit_test(test_index_patterns_add_and_load),
      cmocka_unit_test(test_index_stats_incremental_loads),
      cmocka_unit_test(test_index_stats_in_write_txn),
      cmocka_unit_test(test_index_probe_batch),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  for (int i = 0; i < nterms; ++i) free(terms[i].text);
  return rc;
}
