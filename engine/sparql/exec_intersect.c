/*
 * exec_intersect.c -- one new variable bound by several patterns at once
 * (a worst-case-optimal step, as in leapfrog triejoin): for each row, every
 * pattern's values of the variable are read as a sorted list and the lists
 * are intersected, instead of extending the row by one pattern and checking
 * each extension against the others. It is the step that closes a cycle
 * (LUBM q2's student, university and department) when the first pattern
 * alone would make many more rows than the cycle keeps.
 */
#include "exec_int.h"

#include <stdlib.h>
#include <string.h>

/* The values of the variable one leg yields for one row, sorted. */
typedef struct {
  TrineId *v;
  size_t n, cap;
  TrineId key[3]; /* the row's values the list was read for */
  bool valid;
} Ids;

static TrineStatus ids_push(Exec *x, Ids *l, TrineId id) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    TrineId *v = realloc(l->v, cap * sizeof *v);
    if (!v) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    l->v = v;
    l->cap = cap;
  }
  l->v[l->n++] = id;
  return (l->n & 4095) == 0 ? exec_check_limits(x) : TRINE_OK;
}

static int cmp_id(const void *a, const void *b) {
  TrineId x = *(const TrineId *)a, y = *(const TrineId *)b;
  return (x > y) - (x < y);
}

/* Merge the sorted runs a[0..m) and a[m..n) through tmp. */
static void merge_runs(TrineId *a, size_t m, size_t n, TrineId *tmp) {
  size_t i = 0, j = m, k = 0;
  while (i < m && j < n) tmp[k++] = a[j] < a[i] ? a[j++] : a[i++];
  while (i < m) tmp[k++] = a[i++];
  while (j < n) tmp[k++] = a[j++];
  memcpy(a, tmp, n * sizeof *a);
}

/* Index order gives sorted lists; an alternative path gives one sorted
 * run per link, merged here in linear time; anything else is sorted. */
static TrineStatus ids_sort(Exec *x, Ids *l) {
  size_t runs = 1, first = 0;
  for (size_t i = 1; i < l->n; ++i)
    if (l->v[i] < l->v[i - 1]) {
      if (runs++ == 1) first = i;
    }
  if (runs == 1) return TRINE_OK;
  if (runs > 8) {
    qsort(l->v, l->n, sizeof *l->v, cmp_id);
    return TRINE_OK;
  }
  TrineId *tmp = malloc(l->n * sizeof *tmp);
  if (!tmp) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  size_t end = first; /* l->v[0..end) is sorted: merge in the next run */
  while (end < l->n) {
    size_t next = end + 1;
    while (next < l->n && l->v[next] >= l->v[next - 1]) ++next;
    merge_runs(l->v, end, next, tmp);
    end = next;
  }
  free(tmp);
  return TRINE_OK;
}

typedef struct {
  Ids *out;
  int pos; /* the quad position of the variable (triple legs) */
  bool at_s; /* the variable is the path's subject end (path legs) */
} Collect;

static TrineStatus on_quad(Exec *x, const Quad *q, void *arg) {
  Collect *c = arg;
  return ids_push(x, c->out, q->v[c->pos]);
}

static TrineStatus on_pair(Exec *x, void *arg, TrineId s, TrineId o) {
  Collect *c = arg;
  return ids_push(x, c->out, c->at_s ? s : o);
}

static const int slot_pos[3] = {Q_S, Q_P, Q_O};

/* The row's values of the variables leg reads (0 for constants): rows
 * in a run often share them (one university, many departments). */
static void leg_key(const IsectLeg *leg, const TrineId *row, TrineId key[3]) {
  uint32_t var[3] = {leg->op ? leg->op->path_s.var : leg->pat->var[0],
                     leg->op ? leg->op->path_o.var : leg->pat->var[1],
                     leg->op ? SPARQL_NO_VAR : leg->pat->var[2]};
  for (int i = 0; i < 3; ++i) key[i] = var[i] == SPARQL_NO_VAR ? 0 : row[var[i]];
}

/* The values of v leg yields from row, into out (read again only when
 * the row's values differ from the previous row's). */
static TrineStatus leg_values(Exec *x, const IsectLeg *leg, uint32_t v, GCtx gc,
                              const TrineId *row, ScanCache *cache, Ids *out) {
  TrineId key[3];
  leg_key(leg, row, key);
  if (out->valid && !memcmp(key, out->key, sizeof key)) return TRINE_OK;
  memcpy(out->key, key, sizeof key);
  out->valid = false; /* until read whole */
  out->n = 0;
  Collect c = {out, Q_S, false};
  TrineStatus st;
  if (leg->pat) {
    Quad q = {{0, 0, 0, 0}};
    unsigned mask = 0;
    for (int i = 0; i < 3; ++i) {
      uint32_t var = leg->pat->var[i];
      if (var == v) {
        c.pos = slot_pos[i];
        continue;
      }
      q.v[slot_pos[i]] = var == SPARQL_NO_VAR ? leg->pat->id[i] : row[var];
      mask |= 1u << slot_pos[i];
    }
    st = leg->pat->missing ? TRINE_OK : exec_scan_cached(x, q, mask, gc, on_quad, &c, cache);
  } else {
    const SparqlSlot *sl = &leg->op->path_s, *ol = &leg->op->path_o;
    c.at_s = sl->var == v;
    TrineId s = 0, o = 0;
    const SparqlSlot *bound = c.at_s ? ol : sl;
    TrineId end = bound->var != SPARQL_NO_VAR ? row[bound->var] : 0;
    if (bound->var == SPARQL_NO_VAR && (st = exec_const_id(x, &bound->term, &end)))
      return st == TRINE_NOT_FOUND ? TRINE_OK : st; /* not in the store: no values */
    if (c.at_s) o = end;
    else s = end;
    st = path_each(x, leg->op, gc, s, o, on_pair, &c);
  }
  if (!st) st = ids_sort(x, out);
  out->valid = !st;
  return st;
}

/* Rows of cur extended with each value of v common to every leg's list,
 * once per combination of its occurrences (each leg is a multiset: an
 * alternative path may yield a value twice). */
static TrineStatus emit_common(Exec *x, Ids *l, size_t nlegs, uint32_t v, TrineId *row,
                               SparqlExpr *const *fl, size_t nf, Table *next) {
  size_t at[ISECT_MAX] = {0};
  TrineStatus st = TRINE_OK;
  for (;;) {
    TrineId top = 0; /* the largest head: every list must reach it */
    for (size_t i = 0; i < nlegs; ++i) {
      if (at[i] == l[i].n) return st;
      if (l[i].v[at[i]] > top) top = l[i].v[at[i]];
    }
    bool all = true;
    uint64_t times = 1;
    for (size_t i = 0; i < nlegs; ++i) {
      while (at[i] < l[i].n && l[i].v[at[i]] < top) ++at[i];
      if (at[i] == l[i].n) return st;
      if (l[i].v[at[i]] != top) all = false;
    }
    if (!all) continue;
    for (size_t i = 0; i < nlegs; ++i) {
      size_t k = 0;
      while (at[i] < l[i].n && l[i].v[at[i]] == top) ++at[i], ++k;
      times *= k;
    }
    row[v] = top;
    for (uint64_t t = 0; t < times && !st; ++t) st = exec_emit(x, next, row, fl, nf);
    if (st) return st;
  }
}

TrineStatus exec_step_intersect(Exec *x, const IsectLeg *legs, size_t nlegs, uint32_t v, GCtx gc,
                                const Table *cur, SparqlExpr *const *fl, size_t nf, Table *next) {
  exec_table_init(next, x->width);
  Ids l[ISECT_MAX] = {{0}};
  ScanCache cache[ISECT_MAX] = {{0}};
  TrineId *row = malloc((x->width + 1) * sizeof *row);
  TrineStatus st = row ? TRINE_OK : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t r = 0; r < cur->n && !st; ++r) {
    if ((r & 63) == 0 && (st = exec_check_limits(x))) break;
    const TrineId *in = exec_row(cur, r);
    /* The legs in order of their expected lists: an empty one ends it. */
    bool empty = false;
    for (size_t i = 0; i < nlegs && !st && !empty; ++i) {
      st = leg_values(x, &legs[i], v, gc, in, &cache[i], &l[i]);
      empty = l[i].n == 0;
    }
    if (st || empty) continue;
    memcpy(row, in, x->width * sizeof *row);
    st = emit_common(x, l, nlegs, v, row, fl, nf, next);
  }
  for (size_t i = 0; i < nlegs; ++i) {
    free(l[i].v);
    exec_scan_cache_free(&cache[i]);
  }
  free(row);
  return st;
}
