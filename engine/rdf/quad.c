/*
 * quad.c -- the public, term-level quad API: add, remove, match.
 * Terms are checked as N-Triples would read them (termcheck.h), then
 * become ids through the dictionary; scans run on ids and decode only the
 * rows handed out.
 */
#include "dict.h"
#include "index.h"
#include "termcheck.h"

#include <stdlib.h>

static bool is_default(const TrineTerm *g) {
  return !g || g->kind == TRINE_TERM_DEFAULT_GRAPH;
}

static TrineStatus check_quad(TrineTxn *t, const TrineTerm *s, const TrineTerm *p,
                              const TrineTerm *o, const TrineTerm *g) {
  if (!t) return api_misuse(NULL, "trine_txn_add/remove", "txn is NULL");
  if (!t->write) return store_error(t->store, TRINE_ERR_READONLY, "read-only transaction");
  if (!s || !p || !o || (s->kind != TRINE_TERM_IRI && s->kind != TRINE_TERM_BLANK) ||
      p->kind != TRINE_TERM_IRI ||
      (o->kind != TRINE_TERM_IRI && o->kind != TRINE_TERM_BLANK &&
       o->kind != TRINE_TERM_LITERAL) ||
      (!is_default(g) && g->kind != TRINE_TERM_IRI && g->kind != TRINE_TERM_BLANK))
    return store_error(t->store, TRINE_ERR_ARG, "not a valid RDF quad");
  /* What the store takes it must give back in a dump its loader reads. */
  const TrineTerm *terms[4] = {s, p, o, g};
  static const char *const pos[4] = {"subject", "predicate", "object", "graph"};
  for (int i = 0; i < 4; ++i) {
    char why[256];
    if (i == Q_G && is_default(g)) continue;
    if (term_check(terms[i], why, sizeof why))
      return store_error(t->store, TRINE_ERR_ARG, "the %s: %s", pos[i], why);
  }
  return TRINE_OK;
}

/* Resolve the four terms; create reports new terms, else NOT_FOUND. */
static TrineStatus ids_of(TrineTxn *t, const TrineTerm *const terms[4], bool create,
                          Quad *q) {
  for (int i = 0; i < 4; ++i) {
    q->v[i] = 0;
    if (i == Q_G && is_default(terms[i])) continue;
    TrineStatus st = create ? dict_intern(t, terms[i], &q->v[i])
                            : dict_lookup(t, terms[i], &q->v[i]);
    if (st) return st;
  }
  return TRINE_OK;
}

TrineStatus trine_txn_add(TrineTxn *t, const TrineTerm *s, const TrineTerm *p,
                          const TrineTerm *o, const TrineTerm *g) {
  TrineStatus st = check_quad(t, s, p, o, g);
  if (st) return st;
  const TrineTerm *terms[4] = {s, p, o, g};
  Quad q;
  if ((st = ids_of(t, terms, true, &q))) return st;
  return index_add(t, &q);
}

TrineStatus trine_txn_remove(TrineTxn *t, const TrineTerm *s, const TrineTerm *p,
                             const TrineTerm *o, const TrineTerm *g) {
  TrineStatus st = check_quad(t, s, p, o, g);
  if (st) return st;
  const TrineTerm *terms[4] = {s, p, o, g};
  Quad q;
  if ((st = ids_of(t, terms, false, &q))) return st;
  return index_remove(t, &q);
}

struct TrineIterImpl {
  TrineTxn *txn;
  IndexIter *it; /* NULL: a bound term is unknown, nothing matches */
  char scratch[4][24];
};

TrineStatus trine_txn_match(TrineTxn *t, const TrineTerm *s, const TrineTerm *p,
                            const TrineTerm *o, const TrineTerm *g, TrineIter **out) {
  if (!t || !out) return api_misuse(t ? t->store : NULL, "trine_txn_match",
                                    t ? "out is NULL" : "txn is NULL");
  *out = NULL;
  TrineIter *iter = calloc(1, sizeof *iter);
  if (!iter) return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  iter->txn = t;
  const TrineTerm *terms[4] = {s, p, o, g};
  Quad q = {{0, 0, 0, 0}};
  unsigned bound = 0;
  TrineStatus st = TRINE_OK;
  for (int i = 0; i < 4 && !st; ++i) {
    const TrineTerm *x = terms[i];
    if (i == Q_G && x && x->kind == TRINE_TERM_DEFAULT_GRAPH) {
      bound |= 1u << i;
      continue;
    }
    if (!x || x->kind == TRINE_TERM_NONE) continue;
    bound |= 1u << i;
    st = dict_lookup(t, x, &q.v[i]);
  }
  if (st == TRINE_NOT_FOUND) {
    *out = iter; /* an unknown term: the empty result */
    return TRINE_OK;
  }
  if (!st) st = index_iter_open(t, &q, bound, &iter->it);
  if (st) {
    free(iter);
    return st;
  }
  *out = iter;
  return TRINE_OK;
}

TrineStatus trine_iter_next(TrineIter *iter, TrineTerm quad[4]) {
  if (!iter || !quad) return api_misuse(NULL, "trine_iter_next", iter ? "quad is NULL" : "iter is NULL");
  if (!iter->it) return TRINE_DONE;
  Quad q;
  TrineStatus st = index_iter_next(iter->it, &q);
  if (st != TRINE_ROW) return st;
  for (int i = 0; i < 4; ++i)
    if ((st = dict_term(iter->txn, q.v[i], &quad[i], iter->scratch[i]))) return st;
  return TRINE_ROW;
}

void trine_iter_free(TrineIter *iter) {
  if (!iter) return;
  index_iter_free(iter->it);
  free(iter);
}

TrineStatus trine_txn_count(TrineTxn *t, const TrineTerm *s, const TrineTerm *p,
                            const TrineTerm *o, const TrineTerm *g, uint64_t *n) {
  if (!t || !n)
    return api_misuse(t ? t->store : NULL, "trine_txn_count", t ? "n is NULL" : "txn is NULL");
  *n = 0;
  TrineIter *iter;
  TrineStatus st = trine_txn_match(t, s, p, o, g, &iter);
  if (st) return st;
  Quad q; /* ids only: nothing is decoded */
  while (iter->it && (st = index_iter_next(iter->it, &q)) == TRINE_ROW) ++*n;
  trine_iter_free(iter);
  return st == TRINE_ROW || st == TRINE_DONE || st == TRINE_OK ? TRINE_OK : st;
}
