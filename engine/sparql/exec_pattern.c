/*
 * exec_pattern.c -- one triple pattern joined with the rows so far: an
 * index nested-loop join probing once per row (in batches, matches read in
 * place), or one scan joined by merging (rows and scan sorted alike) or by
 * hashing the rows; which one the costs say. Patterns on one subject join
 * in one step (a star).
 */
#include "exec_int.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

TrineStatus exec_pat_make(Exec *x, const SparqlTriple *t, Pat *p) {
  const SparqlSlot *sl[3] = {&t->s, &t->p, &t->o};
  *p = (Pat){0};
  for (int i = 0; i < 3; ++i) {
    p->var[i] = sl[i]->var;
    if (sl[i]->var != SPARQL_NO_VAR) continue;
    TrineStatus st = exec_const_id(x, &sl[i]->term, &p->id[i]);
    if (st == TRINE_NOT_FOUND) p->missing = true;
    else if (st) return st;
  }
  return TRINE_OK;
}

/* Expected rows of p given the variables already bound. */
static TrineStatus pattern_count(Exec *x, const Pat *p, GCtx gc, double limit, double *full);

/* Records counted at most, for an estimate: past it the count says "at
 * least this many". */
#define COUNT_LIMIT 100000.0

/* Constants are counted only where their average says fewer records than
 * COUNT_BELOW: an average hides skew, and an underestimate is what makes
 * bad plans (a cross product, probes from the big side). A large average
 * is left as it is (a count costs a descent on every query: 3% of LUBM
 * q1's instructions for its small pattern), unless the group would start
 * from it (exec_estimate_counted()). */

/* The number of quads matching p's constants when its predicate and its
 * subject or object are constants, in one graph: counted in the index
 * (a key range, a page at a time) once per query, not taken from the
 * predicate's averages, which miss skew (an object with 538 subjects
 * estimated at 5 made a cross product). false when not counted. */
static bool const_count(Exec *x, const Pat *p, GCtx gc, double *n) {
  if (p->var[1] != SPARQL_NO_VAR || (p->var[0] != SPARQL_NO_VAR && p->var[2] != SPARQL_NO_VAR) ||
      (!gc.one && x->ndflt != 1))
    return false;
  TrineId key[4] = {gc.one ? gc.g : x->dflt[0], 0, p->id[1], 0};
  if (p->var[0] == SPARQL_NO_VAR) key[1] = p->id[0];
  if (p->var[2] == SPARQL_NO_VAR) key[3] = p->id[2];
  PlanCache *pc = exec_plan_cache(x);
  for (size_t i = 0; pc && i < pc->ncounted; ++i)
    if (!memcmp(pc->counted[i].q, key, sizeof key)) return *n = pc->counted[i].n, true;
  double full = -1;
  if (pattern_count(x, p, gc, COUNT_LIMIT, &full) || full < 0) return false;
  if (pc && pc->ncounted < sizeof pc->counted / sizeof pc->counted[0]) {
    memcpy(pc->counted[pc->ncounted].q, key, sizeof key);
    pc->counted[pc->ncounted++].n = full;
  }
  *n = full;
  return true;
}

static double estimate(Exec *x, const Pat *p, const uint64_t *bound, GCtx gc, bool count_any);

double exec_estimate(Exec *x, const Pat *p, const uint64_t *bound, GCtx gc) {
  return estimate(x, p, bound, gc, false);
}

double exec_estimate_counted(Exec *x, const Pat *p, const uint64_t *bound, GCtx gc) {
  return estimate(x, p, bound, gc, true);
}

static double estimate(Exec *x, const Pat *p, const uint64_t *bound, GCtx gc, bool count_any) {
  if (p->missing) return 0;
  bool b[3];
  for (int i = 0; i < 3; ++i)
    b[i] = p->var[i] == SPARQL_NO_VAR || exec_bit(bound, p->var[i]);
  uint64_t scope = 0, c[3];
  for (size_t i = 0; i < (gc.one ? 1 : x->ndflt); ++i) {
    exec_stat(x, gc.one ? gc.g : x->dflt[i], true, c);
    scope += c[0];
  }
  double est = (double)scope;
  double counted;
  if (p->var[1] == SPARQL_NO_VAR) {
    exec_stat(x, p->id[1], false, c);
    est = (double)c[0];
    /* The constants' own count where their average is small (see
     * COUNT_BELOW); a variable bound by the rows narrows it as the
     * predicate's statistics say. */
    bool cs = p->var[0] == SPARQL_NO_VAR, co = p->var[2] == SPARQL_NO_VAR;
    if (cs && c[1]) est /= (double)c[1];
    if (co && c[2]) est /= (double)c[2];
    if ((count_any || est < COUNT_BELOW) && (cs || co) && const_count(x, p, gc, &counted))
      est = counted;
    if (!cs && b[0] && c[1]) est /= (double)c[1];
    if (!co && b[2] && c[2]) est /= (double)c[2];
  } else {
    if (b[1]) est /= 20;
    if (b[0]) est /= 1000;
    if (b[2]) est /= 100;
  }
  return est;
}

typedef struct {
  const Pat *p;
  const TrineId *row;
  Table *out;
  SparqlExpr *const *filters;
  size_t nfilters;
} PatCtx;

/* The row extended with a match. */
static TrineStatus on_match(Exec *x, const Quad *q, void *arg) {
  PatCtx *c = arg;
  TrineStatus st;
  TrineId *dst = exec_row_begin(x, c->out, c->row, &st);
  if (!dst) return st;
  static const int pos[3] = {Q_S, Q_P, Q_O};
  for (int i = 0; i < 3; ++i) {
    uint32_t v = c->p->var[i];
    if (v == SPARQL_NO_VAR) continue;
    TrineId val = q->v[pos[i]];
    if (dst[v] && dst[v] != val) return TRINE_OK; /* ?x ?p ?x */
    dst[v] = val;
  }
  return exec_row_keep(x, c->out, c->filters, c->nfilters);
}

/* The inner loop of an index nested-loop join in one graph: rows whose
 * bound positions are those of mask probe idx and read the matches in
 * place. The pattern's variables sit at layout positions lay[i] (1..3;
 * 0: none) of the record. */
typedef struct {
  IndexProbe *probe;
  IndexId idx;
  int prefix;
  unsigned mask;
  int lay[3];
} Prober;

/* Set pr up for rows bound as mask; a pattern bound in all three
 * positions may use any index: pref, unless it is IDX_COUNT. */
static TrineStatus prober_init(Exec *x, Prober *pr, unsigned mask, IndexId pref) {
  pr->mask = mask;
  pr->idx = index_choose(mask | 1u << Q_G, true, &pr->prefix);
  if (pr->prefix == 4 && pref < IDX_SPOG) pr->idx = pref;
  static const int pos[3] = {Q_S, Q_P, Q_O};
  for (int i = 0; i < 3; ++i)
    for (int l = 1; l < 4; ++l)
      if (index_order[pr->idx][l] == pos[i]) pr->lay[i] = l;
  return exec_probe_take(x, pr->idx, &pr->probe);
}

/* A batch of rows probing one pattern: for each probe, the row it
 * extends; where the matches' rows go. */
enum { PROBE_BATCH = 256 };

typedef struct {
  Exec *x;
  const Pat *p;
  const Prober *pr;
  const TrineId *row[PROBE_BATCH];
  TrineId keys[PROBE_BATCH * 4];
  size_t n;
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
} ProbeBatch;

/* A match: its probe's row extended with the record's free ids. */
static TrineStatus on_probe_match(void *ctx, size_t probe, const unsigned char *rec) {
  ProbeBatch *b = ctx;
  TrineStatus st;
  TrineId *dst = exec_row_begin(b->x, b->out, b->row[probe], &st);
  if (!dst) return st;
  for (int i = 0; i < 3; ++i) {
    uint32_t v = b->p->var[i];
    int lay = b->pr->lay[i];
    if (v == SPARQL_NO_VAR || lay < b->pr->prefix) continue; /* bound */
    TrineId val = be_get(rec + 8 * (lay - 1));
    if (dst[v] && dst[v] != val) return TRINE_OK; /* ?x ?p ?x */
    dst[v] = val;
  }
  return exec_row_keep(b->x, b->out, b->filters, b->nfilters);
}

/* Add row (its pattern positions bound as q) to the batch; probe the
 * batch when it is full. */
static TrineStatus batch_add(ProbeBatch *b, const Quad *q, const TrineId *row) {
  const int *o = index_order[b->pr->idx];
  TrineId *k = b->keys + b->n * (size_t)b->pr->prefix;
  for (int i = 0; i < b->pr->prefix; ++i) k[i] = q->v[o[i]];
  b->row[b->n++] = row;
  if (b->n < PROBE_BATCH) return TRINE_OK;
  b->n = 0;
  return index_probe_batch(b->pr->probe, b->keys, PROBE_BATCH, b->pr->prefix, on_probe_match, b);
}

static TrineStatus batch_flush(ProbeBatch *b) {
  size_t n = b->n;
  b->n = 0;
  return n ? index_probe_batch(b->pr->probe, b->keys, n, b->pr->prefix, on_probe_match, b)
           : TRINE_OK;
}

/* Extend every row of in with the matches of one pattern. */
static TrineStatus extend_pattern(Exec *x, const Pat *p, GCtx gc, const Table *in,
                                  IndexId pref, SparqlExpr *const *filters, size_t nfilters,
                                  Table *out) {
  exec_table_init(out, x->width);
  if (p->missing) return TRINE_OK;
  static const int pos[3] = {Q_S, Q_P, Q_O};
  TrineStatus st = TRINE_OK;
  ScanCache cache = {0};
  /* One graph (the usual case): probes read in place. Several default
   * graphs merge through exec_scan_cached(). */
  bool one = gc.one || x->ndflt == 1;
  TrineId g = gc.one ? gc.g : x->ndflt ? x->dflt[0] : 0;
  Prober pr = {0};
  ProbeBatch *b = one ? malloc(sizeof *b) : NULL;
  if (one && !b) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  if (b) { /* its arrays are written before they are read: not cleared */
    b->x = x;
    b->p = p;
    b->pr = &pr;
    b->n = 0;
    b->filters = filters;
    b->nfilters = nfilters;
    b->out = out;
  }
  for (size_t r = 0; r < in->n && !st; ++r) {
    if ((r & 63) == 0 && (st = exec_check_limits(x))) break; /* filters may keep nothing */
    const TrineId *row = exec_row(in, r);
    Quad q = {{0, 0, 0, g}};
    unsigned mask = 0;
    bool skip = false;
    for (int i = 0; i < 3; ++i) {
      uint32_t v = p->var[i];
      TrineId val = v == SPARQL_NO_VAR ? p->id[i] : row[v];
      if (!val) continue;
      /* Temporary ids (computed terms) are in no quad. */
      if (id_kind(val) == IDK_TEMP) skip = true;
      q.v[pos[i]] = val;
      mask |= 1u << pos[i];
    }
    if (skip) continue;
    if (one && mask && (pr.probe || !(st = prober_init(x, &pr, mask, pref))) && pr.mask == mask) {
      st = batch_add(b, &q, row);
      continue;
    }
    /* Rows come out in order: the batch goes first. */
    if (st || (b && (st = batch_flush(b)))) break;
    PatCtx c = {p, row, out, filters, nfilters};
    st = exec_scan_cached(x, q, mask, gc, on_match, &c, &cache);
  }
  if (!st && b) st = batch_flush(b);
  free(b);
  if (pr.probe) exec_probe_give(x, pr.probe);
  exec_scan_cache_free(&cache);
  return st;
}

/* ---- subject stars ----
 * Patterns ?s p1 ?o1 . ?s p2 ?o2 ... with ?s bound and constant
 * predicates read one run of records per subject in GSPO: one seek to
 * its first predicate, then a walk over its records (index_probe_runs()),
 * and each row is copied once with all its new values rather than once
 * per pattern. */

/* Whether p can be part of a star from rows binding bound: subject bound,
 * predicate constant, object a variable not bound in every row. */
bool exec_star_member(const Pat *p, uint64_t bound) {
  return !p->missing && p->var[0] != SPARQL_NO_VAR && exec_bit(&bound, p->var[0]) &&
         p->var[1] == SPARQL_NO_VAR && p->var[2] != SPARQL_NO_VAR && p->var[2] != p->var[0] &&
         !exec_bit(&bound, p->var[2]);
}

enum { STAR_BATCH = 128 }; /* rows per index_probe_runs() */

typedef struct {
  Exec *x;
  size_t k, nsel, nrows;    /* patterns; distinct predicates; rows in the batch */
  uint32_t var[STAR_MAX];   /* pattern t binds var[t] to a match of */
  size_t of[STAR_MAX];      /* predicate sel[of[t]] */
  TrineId sel[STAR_MAX];    /* the predicates, ascending */
  IndexProbe *probe;        /* GSPO */
  const TrineId *row[STAR_BATCH];
  TrineId keys[STAR_BATCH * 2];       /* (g, s) per row */
  uint32_t cnt[STAR_BATCH * STAR_MAX]; /* matches per row and predicate */
  TrineId *vals;            /* the matches' objects, row by row, predicate by predicate */
  size_t nvals, cap;
  const Table *keep;        /* NULL, or VALUES the rows must match (distinct rows) */
  const SparqlOp *keep_op;
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
} StarBatch;

/* Each row of the batch once per combination of its patterns' matches. */
static TrineStatus star_emit(StarBatch *b) {
  TrineStatus st = TRINE_OK;
  size_t first = 0; /* in vals: row j's first match */
  for (size_t j = 0; j < b->nrows; ++j) {
    const uint32_t *cnt = b->cnt + j * b->nsel;
    size_t off[STAR_MAX], n[STAR_MAX], at[STAR_MAX] = {0};
    for (size_t s = 0; s < b->nsel; ++s) {
      off[s] = first;
      first += cnt[s];
    }
    bool empty = false;
    for (size_t t = 0; t < b->k; ++t) {
      n[t] = cnt[b->of[t]];
      empty |= n[t] == 0;
    }
    for (; !empty;) {
      TrineId *dst = exec_row_begin(b->x, b->out, b->row[j], &st);
      if (!dst) return st;
      bool ok = true;
      for (size_t t = 0; t < b->k; ++t) {
        TrineId val = b->vals[off[b->of[t]] + at[t]];
        ok &= !dst[b->var[t]] || dst[b->var[t]] == val; /* bound in this row already */
        dst[b->var[t]] = val;
      }
      ok = ok && (!b->keep || exec_values_has(b->keep, b->keep_op, dst));
      if (ok && (st = exec_row_keep(b->x, b->out, b->filters, b->nfilters))) return st;
      size_t t = b->k; /* the next combination */
      while (t > 0 && ++at[t - 1] == n[t - 1]) at[--t] = 0;
      if (t == 0) break;
    }
  }
  return st;
}

static TrineStatus star_flush(StarBatch *b) {
  if (!b->nrows) return TRINE_OK;
  TrineStatus st = index_probe_runs(b->probe, b->keys, b->nrows, b->sel, b->nsel, b->cnt,
                                    &b->vals, &b->nvals, &b->cap);
  if (!st) st = star_emit(b);
  b->nrows = 0;
  return st;
}

/* Extend every row of in with the matches of the k star patterns p (all
 * exec_star_member()s of one subject), in one graph; keep (NULL: none) is a
 * VALUES table of distinct rows, of operator keep_op, that the rows made
 * bind every variable of and must match. */
TrineStatus exec_step_star(Exec *x, const Pat *const *p, size_t k, GCtx gc, const Table *in,
                           const Table *keep, const SparqlOp *keep_op,
                           SparqlExpr *const *filters, size_t nfilters, Table *out) {
  exec_table_init(out, x->width);
  /* Cleared but for the batch's arrays (rows, keys, counts: written
   * before they are read), some 8 KiB a small query would clear. */
  StarBatch *b = malloc(sizeof *b);
  if (!b) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  memset(b, 0, offsetof(StarBatch, row));
  b->x = x;
  b->k = k;
  b->vals = NULL;
  b->nvals = b->cap = 0;
  b->keep = keep;
  b->keep_op = keep_op;
  b->filters = filters;
  b->nfilters = nfilters;
  b->out = out;
  /* The distinct predicates in ascending order; pattern t reads sel[of[t]]. */
  for (size_t t = 0; t < k; ++t) {
    size_t s = 0;
    while (s < b->nsel && b->sel[s] < p[t]->id[1]) ++s;
    if (s == b->nsel || b->sel[s] != p[t]->id[1]) {
      memmove(b->sel + s + 1, b->sel + s, (b->nsel - s) * sizeof *b->sel);
      b->sel[s] = p[t]->id[1];
      b->nsel++;
    }
  }
  for (size_t t = 0; t < k; ++t) {
    b->var[t] = p[t]->var[2];
    while (b->sel[b->of[t]] != p[t]->id[1]) b->of[t]++;
  }
  TrineId g = gc.one ? gc.g : x->dflt[0];
  uint32_t s = p[0]->var[0];
  b->probe = NULL;
  TrineStatus st = exec_probe_take(x, IDX_GSPO, &b->probe);
  /* About a row per row (star_of() takes patterns of few matches): made
   * where they stay, not copied as the table doubles. Up to a point: the
   * memory limit counts what is reserved, and a star may match few rows.
   * Rows that go to a sink as they come do not stay. */
  if (!st && !x->emit_cap && !exec_draining(x, out))
    st = exec_table_reserve(x, out, in->n < 65536 ? in->n : 65536);
  for (size_t r = 0; r < in->n && !st; ++r) {
    if ((r & 63) == 0 && (st = exec_check_limits(x))) break;
    const TrineId *row = exec_row(in, r);
    if (id_kind(row[s]) == IDK_TEMP) continue; /* a computed term is in no quad */
    b->keys[2 * b->nrows] = g;
    b->keys[2 * b->nrows + 1] = row[s];
    b->row[b->nrows++] = row;
    if (b->nrows == STAR_BATCH) st = star_flush(b);
  }
  if (!st) st = star_flush(b);
  free(b->vals);
  if (b->probe) exec_probe_give(x, b->probe);
  free(b);
  return st;
}

static bool sorted_on(const Table *t, uint32_t v) {
  for (size_t i = 1; i < t->n; ++i)
    if (exec_row(t, i)[v] < exec_row(t, i - 1)[v]) return false;
  return true;
}

/* The variable a scan of p (constants bound) yields in ascending order:
 * the first free position of the index it uses; NO_VAR if none. */
static uint32_t scan_order_var(Exec *x, const Pat *p, GCtx gc) {
  if (!gc.one && x->ndflt != 1) return SPARQL_NO_VAR; /* merged graphs */
  static const int pos[3] = {Q_S, Q_P, Q_O};
  unsigned mask = 1u << Q_G;
  for (int i = 0; i < 3; ++i)
    if (p->var[i] == SPARQL_NO_VAR) mask |= 1u << pos[i];
  int prefix;
  IndexId idx = index_choose(mask, true, &prefix);
  if (prefix >= 4) return SPARQL_NO_VAR;
  int q = index_order[idx][prefix];
  return q == Q_G ? SPARQL_NO_VAR : p->var[q == Q_S ? 0 : q == Q_P ? 1 : 2];
}

/* The quad positions of p bound by a constant or by a variable in bound,
 * the graph's included. */
static unsigned bound_mask(const Pat *p, uint64_t bound) {
  static const int pos[3] = {Q_S, Q_P, Q_O};
  unsigned mask = 1u << Q_G;
  for (int i = 0; i < 3; ++i)
    if (p->var[i] == SPARQL_NO_VAR || exec_bit(&bound, p->var[i])) mask |= 1u << pos[i];
  return mask;
}

/* The first variable of p in idx's layout (NO_VAR: none), and in *lead
 * the constants of p before it. */
static uint32_t layout_first_var(const Pat *p, IndexId idx, int *lead) {
  *lead = 0;
  for (int l = 1; l < 4; ++l) {
    int q = index_order[idx][l];
    uint32_t v = p->var[q == Q_S ? 0 : q == Q_P ? 1 : 2];
    if (v != SPARQL_NO_VAR) return v;
    ++*lead;
  }
  return SPARQL_NO_VAR;
}

/* The variable whose order orders a step's probes: the first variable of
 * the probed prefix in the index's layout (NO_VAR: one probe repeated). */
static uint32_t probe_order_var(const Pat *p, uint64_t bound) {
  int prefix, lead;
  IndexId idx = index_choose(bound_mask(p, bound), true, &prefix);
  uint32_t v = layout_first_var(p, idx, &lead);
  return lead + 1 < prefix ? v : SPARQL_NO_VAR;
}

/* Whether all but one in eight rows come in ascending order of v: rows
 * made per node of an earlier step are sorted within each node. */
bool exec_mostly_ascending(const Table *t, uint32_t v) {
  if (v == SPARQL_NO_VAR) return true;
  size_t down = 0;
  for (size_t i = 1; i < t->n; ++i) down += exec_row(t, i)[v] < exec_row(t, i - 1)[v];
  return down <= t->n / 8;
}

/* Whether the first variable of p in idx's layout is one the rows of cur
 * ascend on (into *v), and, if constants, comes after one of p's
 * constants at least. */
static bool led_by_ascending(const Pat *p, const Table *cur, IndexId idx, bool constants,
                             uint32_t *v) {
  int lead;
  uint32_t w = layout_first_var(p, idx, &lead);
  if (w == SPARQL_NO_VAR || (constants && !lead) || !exec_mostly_ascending(cur, w)) return false;
  *v = w;
  return true;
}

/* The index for probing p from the rows of cur, and whether its probes
 * come in order. A pattern bound in all three positions (a join closing
 * a cycle) may probe any index: the one led by a variable the rows
 * ascend on keeps its probes on a page. IDX_COUNT: index_choose()'s. */
static IndexId probe_index(const Pat *p, uint64_t shared, const Table *cur, bool *in_order,
                           uint32_t *order_var) {
  *order_var = probe_order_var(p, shared);
  *in_order = exec_mostly_ascending(cur, *order_var);
  bool all = true;
  for (int i = 0; i < 3; ++i)
    all &= p->var[i] == SPARQL_NO_VAR || exec_bit(&shared, p->var[i]);
  if (!all) return IDX_COUNT;
  static const IndexId any[3] = {IDX_GSPO, IDX_GPOS, IDX_GOSP};
  /* Best, an index led by p's constants and then a variable the rows
   * ascend on: the probes stay in the constants' run (probes_in_run()).
   * Else GPOS or GOSP led by a variable the rows ascend on. */
  for (int c = 0; c < 3; ++c)
    if (led_by_ascending(p, cur, any[c], true, order_var)) return *in_order = true, any[c];
  if (*in_order) return IDX_COUNT;
  for (int c = 1; c < 3; ++c)
    if (led_by_ascending(p, cur, any[c], false, order_var)) return *in_order = true, any[c];
  return IDX_COUNT;
}

static const int slot_pos[3] = {Q_S, Q_P, Q_O};

/* The quad of p's constants (graph 0) and the positions they bind. */
static Quad pattern_consts(const Pat *p, unsigned *mask) {
  Quad q = {{0, 0, 0, 0}};
  *mask = 0;
  for (int i = 0; i < 3; ++i)
    if (p->var[i] == SPARQL_NO_VAR) {
      q.v[slot_pos[i]] = p->id[i];
      *mask |= 1u << slot_pos[i];
    }
  return q;
}

/* The records a scan of p (its constants bound) reads in one graph, up to
 * a little over limit; *full is left as it is for a whole graph, a
 * predicate alone (the statistics count those) or several graphs. */
static TrineStatus pattern_count(Exec *x, const Pat *p, GCtx gc, double limit, double *full) {
  if (!gc.one && x->ndflt != 1) return TRINE_OK;
  unsigned mask;
  Quad q = pattern_consts(p, &mask);
  q.v[Q_G] = gc.one ? gc.g : x->dflt[0];
  mask |= 1u << Q_G;
  int prefix;
  IndexId idx = index_choose(mask, true, &prefix);
  if (prefix < 2 || (prefix == 2 && idx == IDX_GPOS)) return TRINE_OK;
  TrineId pre[4];
  for (int i = 0; i < 4; ++i) pre[i] = q.v[index_order[idx][i]];
  uint64_t count;
  TrineStatus st = exec_count(x, idx, pre, prefix, (uint64_t)limit, &count);
  if (!st) *full = (double)count;
  return st;
}

/* A scan streamed past a hash of the rows, its records read in place:
 * each match whose key the hash's filter may hold extends the rows that
 * agree with it on the key variables, looked up ROWHASH_AHEAD matches late
 * (the ring) so that the hash's memory is read ahead. */
typedef struct {
  const Pat *p;
  const RowHash *h;
  int keypos[8]; /* the quad position of each key variable */
  int lay[4];    /* where each quad position sits in the records (0: key) */
  size_t gi;     /* the default graph scanned, for the RDF merge; 0: none */
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
  Quad ring[ROWHASH_AHEAD];
  size_t slot[ROWHASH_AHEAD];
  size_t first, n; /* the oldest match in the ring, and how many */
} ScanJoin;

static inline TrineId rec_id(const unsigned char *rec, int lay, TrineId key) {
  return lay ? be_get(rec + 8 * (lay - 1)) : key;
}

/* The oldest match of the ring joined with its rows. */
static TrineStatus scan_join_pop(Exec *x, ScanJoin *c) {
  size_t i = c->first;
  c->first = (c->first + 1) % ROWHASH_AHEAD;
  --c->n;
  TrineId vals[8];
  for (size_t k = 0; k < c->h->nkey; ++k) vals[k] = c->ring[i].v[c->keypos[k]];
  TrineStatus st = TRINE_OK;
  for (size_t r = rowhash_find_slot(c->h, c->slot[i], vals); r != SIZE_MAX && !st;
       r = rowhash_next(c->h, r, vals)) {
    PatCtx m = {c->p, exec_row(c->h->t, r), c->out, c->filters, c->nfilters};
    st = on_match(x, &c->ring[i], &m);
  }
  return st;
}

/* A record whose key (hash hv) the filter may hold: into the ring. */
static TrineStatus scan_join_push(Exec *x, ScanJoin *c, TrineId key, const unsigned char *rec,
                                  uint64_t hv) {
  Quad q;
  for (int i = 0; i < 4; ++i) q.v[i] = rec_id(rec, c->lay[i], key);
  if (c->gi && exec_scan_seen(x, &q, c->gi)) return TRINE_OK;
  TrineStatus st = c->n == ROWHASH_AHEAD ? scan_join_pop(x, c) : TRINE_OK;
  if (st) return st;
  size_t i = (c->first + c->n++) % ROWHASH_AHEAD;
  c->ring[i] = q;
  c->slot[i] = (size_t)hv & c->h->mask;
  rowhash_prefetch_slot(c->h, c->slot[i]);
  if (c->n > ROWHASH_AHEAD / 2) /* its slot was fetched a while ago */
    rowhash_prefetch_row(c->h, c->slot[(i + ROWHASH_AHEAD / 2) % ROWHASH_AHEAD]);
  return TRINE_OK;
}

/* n records of one run (their key: key) past the hash. Most miss: the
 * loop over them is kept to reading a key and testing the filter. */
static TrineStatus scan_join_run(Exec *x, ScanJoin *c, TrineId key, const unsigned char *recs,
                                 size_t n) {
  const RowHash *h = c->h;
  TrineStatus st = TRINE_OK;
  int kl = c->lay[c->keypos[0]];
  if (h->nkey == 1 && kl) { /* one key read from each record */
    const unsigned char *at = recs + 8 * (kl - 1);
    for (size_t r = 0; r < n && !st; ++r) {
      TrineId v = be_get(at + INDEX_REC_BYTES * r);
      uint64_t hv = exec_hash_ids(&v, 1);
      if (rowhash_may(h, hv)) st = scan_join_push(x, c, key, recs + INDEX_REC_BYTES * r, hv);
    }
    return st;
  }
  for (size_t r = 0; r < n && !st; ++r) {
    const unsigned char *rec = recs + INDEX_REC_BYTES * r;
    TrineId vals[8];
    for (size_t k = 0; k < h->nkey; ++k) vals[k] = rec_id(rec, c->lay[c->keypos[k]], key);
    uint64_t hv = exec_hash_ids(vals, h->nkey);
    if (rowhash_may(h, hv)) st = scan_join_push(x, c, key, rec, hv);
  }
  return st;
}

/* Scan pattern p (its constants bound) in one graph past the hash. */
static TrineStatus scan_join_graph(Exec *x, ScanJoin *c, Quad q, unsigned mask) {
  IndexIter *it = NULL;
  TrineStatus st = exec_scan_open_raw(x, &q, mask | 1u << Q_G, &it, c->lay);
  while (!st) {
    TrineId key;
    const unsigned char *recs;
    size_t n;
    if ((st = exec_check_limits(x))) break;
    if ((st = index_iter_next_run(it, SIZE_MAX, &key, &recs, &n)) != TRINE_ROW) {
      if (st == TRINE_DONE) st = TRINE_OK;
      break;
    }
    st = scan_join_run(x, c, key, recs, n);
  }
  index_iter_free(it);
  return st;
}

/* Scan pattern p (its constants bound) once and join each match with the
 * rows of cur equal to it on keys (variables of p bound in every row). */
static TrineStatus scan_hash_join(Exec *x, const Pat *p, GCtx gc, const Table *cur,
                                  uint64_t keys, SparqlExpr *const *fl, size_t nf,
                                  Table *next) {
  if (p->missing) return TRINE_OK;
  RowHash h;
  TrineStatus st = rowhash_init(x, &h, cur, keys);
  if (st) return st;
  ScanJoin *c = calloc(1, sizeof *c);
  if (!c) {
    rowhash_free(x, &h);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  *c = (ScanJoin){.p = p, .h = &h, .filters = fl, .nfilters = nf, .out = next};
  for (size_t k = 0; k < h.nkey; ++k)
    for (int i = 0; i < 3; ++i)
      if (p->var[i] == h.key[k]) c->keypos[k] = slot_pos[i];
  unsigned mask;
  Quad q = pattern_consts(p, &mask);
  size_t ng = gc.one ? 1 : x->ndflt;
  for (size_t gi = 0; gi < ng && !st; ++gi) {
    q.v[Q_G] = gc.one ? gc.g : x->dflt[gi];
    c->gi = gc.one ? 0 : gi;
    st = scan_join_graph(x, c, q, mask);
  }
  while (!st && c->n) st = scan_join_pop(x, c);
  free(c);
  rowhash_free(x, &h);
  return st;
}

/* A scan in ascending order of v merged with rows sorted on v, its
 * records read in place. The matches of one value of v that some row has
 * are kept until the next value: then each row of the run equal to it is
 * extended with each of them, so the rows come out in the order of cur
 * (which later steps may probe in). Records no row matches are passed
 * over on reading v alone. */
typedef struct {
  const Pat *p;
  const Table *t;
  uint32_t v;
  int lay[4]; /* where each quad position sits in the records (0: key) */
  size_t i;   /* the first row not below the matches kept */
  Quads run;  /* the matches of one value of v */
  SparqlExpr *const *filters;
  size_t nfilters;
  Table *out;
} ScanMerge;

static TrineStatus merge_run(Exec *x, ScanMerge *c) {
  size_t n = c->run.n;
  if (!n) return TRINE_OK;
  c->run.n = 0;
  TrineId val = exec_row(c->t, c->i)[c->v];
  TrineStatus st = TRINE_OK;
  for (size_t r = c->i; r < c->t->n && exec_row(c->t, r)[c->v] == val && !st; ++r) {
    PatCtx m = {c->p, exec_row(c->t, r), c->out, c->filters, c->nfilters};
    for (size_t k = 0; k < n && !st; ++k) st = on_match(x, &c->run.q[k], &m);
  }
  return st;
}

/* n records of one run (their key: key) merged; TRINE_DONE past the last
 * row. */
static TrineStatus merge_records(Exec *x, ScanMerge *c, TrineId key, const unsigned char *recs,
                                 size_t n) {
  int vl = 0;
  for (int i = 0; i < 3; ++i)
    if (c->p->var[i] == c->v) vl = c->lay[slot_pos[i]];
  TrineStatus st = TRINE_OK;
  for (size_t r = 0; r < n && !st; ++r) {
    const unsigned char *rec = recs + INDEX_REC_BYTES * r;
    TrineId val = rec_id(rec, vl, key);
    if (exec_row(c->t, c->i)[c->v] < val) { /* the run kept is complete */
      if ((st = merge_run(x, c))) break;
      while (c->i < c->t->n && exec_row(c->t, c->i)[c->v] < val) c->i++;
      if (c->i == c->t->n) return TRINE_DONE;
    }
    if (exec_row(c->t, c->i)[c->v] != val) continue;
    Quad q;
    for (int i = 0; i < 4; ++i) q.v[i] = rec_id(rec, c->lay[i], key);
    st = exec_quads_push(x, &c->run, &q);
  }
  return st;
}

/* Scan p (its constants bound, in one graph: ascending order of v) and
 * merge it with cur, sorted on v. */
static TrineStatus scan_merge_join(Exec *x, const Pat *p, GCtx gc, const Table *cur, uint32_t v,
                                   SparqlExpr *const *fl, size_t nf, Table *next) {
  if (p->missing || !cur->n) return TRINE_OK;
  ScanMerge c = {.p = p, .t = cur, .v = v, .filters = fl, .nfilters = nf, .out = next};
  unsigned mask;
  Quad q = pattern_consts(p, &mask);
  q.v[Q_G] = gc.one ? gc.g : x->dflt[0];
  IndexIter *it = NULL;
  TrineStatus st = exec_scan_open_raw(x, &q, mask | 1u << Q_G, &it, c.lay);
  while (!st) {
    TrineId key;
    const unsigned char *recs;
    size_t n;
    if ((st = exec_check_limits(x))) break;
    if ((st = index_iter_next_run(it, SIZE_MAX, &key, &recs, &n)) != TRINE_ROW) break;
    st = merge_records(x, &c, key, recs, n);
  }
  if (st == TRINE_DONE) st = TRINE_OK;
  if (!st) st = merge_run(x, &c);
  index_iter_free(it);
  free(c.run.q);
  return st;
}

/* Records an LMDB page holds: 4 KiB of 24-byte index values. */
#define RECORDS_PER_PAGE 170.0

/* Whether probes mostly ascending on v still descend the B-tree each:
 * two rows' ids, one after the other, lie so far apart that the index
 * records between them (the graph's records per term, times the gap)
 * fill SPARSE_PAGES pages. A
 * probe stays on the cursor's page or steps to the next (index.c), else
 * descends: 449 users of WatDiv SF100's million probed in order took 2 us
 * each, like probes in no order. At 1 page LUBM q11 scans its class
 * instead of 239 probes, 1.55 times as long. Up to 64 pages were counted
 * as close while a scan and hash join read a record in about 200
 * instructions; at about 25 (records read in place, a Bloom filter), 2
 * pages: WatDiv SF10 C3-1, C1-1 and S3-1 then scan, in 0.50, 0.67 and
 * 0.60 of the time. */
#define SPARSE_PAGES 2.0
static bool probes_sparse(Exec *x, const Table *cur, uint32_t v, GCtx gc, double run) {
  if (v == SPARQL_NO_VAR || cur->n < 2) return false;
  uint64_t first = id_seq(exec_row(cur, 0)[v]), prev = first, lo = UINT64_MAX, hi = 0, back = 0;
  for (size_t r = 0; r < cur->n; ++r) {
    uint64_t seq = id_seq(exec_row(cur, r)[v]);
    if (seq < lo) lo = seq;
    if (seq > hi) hi = seq;
    if (seq < prev) back += prev - seq; /* rare when the rows mostly ascend */
    prev = seq;
  }
  /* Each step's length summed: the net way (last - first, which the way
   * back may make negative) plus twice the way back. */
  uint64_t walk = prev + 2 * back - first;
  if (!x->next_seq) x->next_seq = dict_next_seq(x->txn);
  uint64_t quads = 0, c[3];
  for (size_t i = 0; i < (gc.one ? 1 : x->ndflt); ++i) {
    exec_stat(x, gc.one ? gc.g : x->dflt[i], true, c);
    quads += c[0];
  }
  if (!x->next_seq || hi <= lo) return false;
  /* The ids the probes walk over, in row order: hi - lo when the rows
   * ascend, more when they ascend in short runs that start anywhere
   * (WatDiv C2-1: 6,998 purchases, 1,211 products' runs of them, "mostly
   * ascending" and yet each a descent). spread scales the run too. */
  double spread = (double)walk / (double)(hi - lo);
  double gap = (double)walk / (double)cur->n * (double)quads / (double)x->next_seq;
  run *= spread;
  return (gap < run ? gap : run) > SPARSE_PAGES * RECORDS_PER_PAGE;
}

/* Whether probes of p in idx ascending on v stay in the run of p's
 * constants: they lead idx's layout, before v. Then two probes lie no
 * further apart than the run's records over the probes, however far
 * apart their ids are (WatDiv L2-1: 449 users probing the 5,000 that like
 * one product, not the million users). pref: probe_index()'s. */
static bool probes_in_run(const Pat *p, uint64_t shared, IndexId pref, uint32_t v) {
  int prefix, lead;
  IndexId idx = pref != IDX_COUNT ? pref : index_choose(bound_mask(p, shared), true, &prefix);
  return layout_first_var(p, idx, &lead) == v && v != SPARQL_NO_VAR && lead > 0;
}

/* Whether probing p from each row of cur beats scanning it (in *probe),
 * and the index to probe (*pref, probe_index()'s). Both make the same
 * rows, so those do not count. shared: the variables bound in every row
 * of cur. */
TrineStatus exec_probe_wins(Exec *x, const Pat *p, GCtx gc, const Table *cur,
                            uint64_t shared, bool *probe, IndexId *pref) {
  *pref = IDX_COUNT;
  *probe = true;
  /* Probes also when only the first rows are wanted (LIMIT): they stop;
   * and from one row: a scan would descend the B-tree once too. Two rows
   * and more are costed: 47 products probing for a caption, of which
   * WatDiv SF10 has 261, took 1.6 times as long as the scan. */
  if (x->emit_cap || cur->n < 2) return TRINE_OK;
  uint64_t none = 0;
  double full = exec_estimate(x, p, &none, gc);
  double n = (double)cur->n;
  bool in_order;
  uint32_t order_var;
  *pref = probe_index(p, shared, cur, &in_order, &order_var);
  double run = probes_in_run(p, shared, *pref, order_var) ? full / n : HUGE_VAL;
  if (in_order && probes_sparse(x, cur, order_var, gc, run)) in_order = false;
  double cost = in_order ? PROBE_IN_ORDER : PROBE_JUMPING;
  /* The statistics assume objects are alike: a class of 75,000 members
   * estimated at 15,000 picked a scan five times slower than probing. The
   * records the scan would read are counted instead, as far as matters. */
  double limit = n * cost - 2 * n;
  TrineStatus st = limit > 0 ? pattern_count(x, p, gc, limit, &full) : TRINE_OK;
  *probe = n * cost <= full + 2 * n;
  return st;
}

/* Extend cur with pattern p: probe the index once per row (index nested
 * loop) when exec_probe_wins() said so (probe, pref) or the step has a row cap,
 * else scan it once and join: a merge join when both sides are sorted on
 * a shared variable, else a hash join. shared: the variables bound in
 * every row of cur. */
TrineStatus exec_step_pattern(Exec *x, const Pat *p, GCtx gc, const Table *cur,
                              uint64_t shared, bool probe, IndexId pref,
                              SparqlExpr *const *fl, size_t nf, Table *next,
                              const char **method, IndexId *used) {
  *method = "probe";
  exec_table_init(next, x->width);
  *used = x->emit_cap ? IDX_COUNT : pref;
  if (probe || x->emit_cap) return extend_pattern(x, p, gc, cur, *used, fl, nf, next);
  TrineStatus st;
  uint64_t pv = 0; /* the scan binds the pattern's variables in every row */
  for (int i = 0; i < 3; ++i)
    if (p->var[i] < 64) pv |= UINT64_C(1) << p->var[i];
  uint32_t v = scan_order_var(x, p, gc);
  bool merged = v != SPARQL_NO_VAR && exec_bit(&shared, v) && sorted_on(cur, v);
  *method = merged ? "scan+merge join" : "scan+hash join";
  if (merged) return scan_merge_join(x, p, gc, cur, v, fl, nf, next);
  if (shared & pv) return scan_hash_join(x, p, gc, cur, shared & pv, fl, nf, next);
  /* Nothing shared: a cross product. */
  Table unit, all, joined;
  exec_table_init(&all, x->width);
  st = exec_unit_table(x, &unit);
  if (!st) st = extend_pattern(x, p, gc, &unit, IDX_COUNT, NULL, 0, &all);
  exec_table_release(x, &unit);
  if (st) {
    exec_table_release(x, &all);
    return st;
  }
  st = exec_join_tables(x, cur, &all, &joined);
  exec_table_release(x, &all);
  if (st) {
    exec_table_release(x, &joined);
    return st;
  }
  if (!nf) {
    *next = joined;
    return TRINE_OK;
  }
  for (size_t r = 0; r < joined.n && !st; ++r)
    st = exec_emit(x, next, exec_row(&joined, r), fl, nf);
  exec_table_release(x, &joined);
  return st;
}
