/*
 * exec_modifiers.c -- the solution modifiers: ORDER BY, projection,
 * DISTINCT and REDUCED, OFFSET and LIMIT (which tell the join group, the
 * ORDER BY or the DISTINCT below how many rows they need). ORDER BY and
 * DISTINCT take their rows from a sink (exec_op_sink()).
 */
#include "exec_int.h"

#include "pool.h"

#include <stdlib.h>
#include <string.h>

enum { SEEN_MAX = 64, DEDUP_BATCH = 256 };

/* ---- ORDER BY ----
 * The rows in one table and their keys in another, row i's at i: the
 * sort reads the keys alone, packed. Equal keys keep the input's order.
 * Under a LIMIT (k = offset + limit rows needed), the keys also hold the
 * row's place in the input, and once k rows are kept they make a max-heap
 * whose root, the last of them in the order, gives way to a row that
 * sorts before it: the memory is k rows, whatever the input. */
typedef struct {
  Sink sink;
  Exec *x;
  const SparqlOp *op;
  size_t k;        /* rows kept at most (SIZE_MAX: all) */
  bool heap;       /* under a LIMIT: keys end with the row's place */
  Table rows, keys;
  TrineId *tmp;    /* a row's keys being made, then room to swap two rows */
  /* Keys of rows that did not sort before the root: a later row with the
   * same keys will not either, as the root only moves up the order. Most
   * rows are turned away here rather than by comparing values: a join
   * makes runs of rows that share their keys. Direct-mapped by hash. */
  TrineId *seen;   /* SEEN_MAX * nkeys ids */
  bool used[SEEN_MAX];
} Sorter;

/* The order of two rows by their keys; without their places, 0 for
 * equal keys. */
static int cmp_keys(const Sorter *s, const TrineId *a, const TrineId *b) {
  size_t nk = s->op->nkeys;
  for (size_t k = 0; k < nk; ++k) {
    int r = expr_order(&s->x->ex, a[k], b[k]);
    if (r) return s->op->keys[k].descending ? -r : r;
  }
  return !s->heap ? 0 : a[nk] < b[nk] ? -1 : a[nk] > b[nk]; /* stable */
}

static void swap_rows(Table *t, size_t i, size_t j, TrineId *tmp) {
  size_t bytes = t->width * sizeof *tmp;
  memcpy(tmp, exec_row(t, i), bytes);
  memcpy(exec_row(t, i), exec_row(t, j), bytes);
  memcpy(exec_row(t, j), tmp, bytes);
}

/* Move row i down the heap to its place. */
static void sift_down(Sorter *s, size_t i) {
  const Table *kt = &s->keys;
  for (size_t n = kt->n;;) {
    size_t m = i, l = 2 * i + 1;
    if (l < n && cmp_keys(s, exec_row(kt, l), exec_row(kt, m)) > 0) m = l;
    if (l + 1 < n && cmp_keys(s, exec_row(kt, l + 1), exec_row(kt, m)) > 0) m = l + 1;
    if (m == i) return;
    swap_rows(&s->rows, i, m, s->tmp);
    swap_rows(&s->keys, i, m, s->tmp);
    i = m;
  }
}

/* A row offered: kept while there are fewer than k, else in place of the
 * heap's root if it sorts before it (ties: the root came first). */
static TrineStatus sort_offer(Exec *x, Sorter *s, const TrineId *row, uint64_t seq) {
  TrineId *key = s->tmp;
  size_t nk = s->op->nkeys;
  for (size_t k = 0; k < nk; ++k) {
    TrineStatus st = expr_eval(&x->ex, s->op->keys[k].expr, row, &key[k]);
    if (st) return st;
  }
  if (s->heap) key[nk] = seq;
  if (s->rows.n < s->k) {
    TrineStatus st = exec_table_push(x, &s->rows, row);
    if (!st) st = exec_table_push(x, &s->keys, key);
    for (size_t i = s->keys.n / 2; !st && s->keys.n == s->k && i-- > 0;) sift_down(s, i);
    return st;
  }
  size_t h = (size_t)exec_hash_ids(key, nk) & (SEEN_MAX - 1);
  TrineId *seen = s->seen + h * nk;
  if (s->used[h] && memcmp(seen, key, nk * sizeof *key) == 0) return TRINE_OK;
  if (cmp_keys(s, key, exec_row(&s->keys, 0)) < 0) {
    memcpy(exec_row(&s->rows, 0), row, s->rows.width * sizeof *row);
    memcpy(exec_row(&s->keys, 0), key, s->keys.width * sizeof *key);
    sift_down(s, 0);
  } else {
    memcpy(seen, key, nk * sizeof *key);
    s->used[h] = true;
  }
  return TRINE_OK;
}

static TrineStatus sort_take(Exec *x, Sink *sink, Table *t) {
  Sorter *s = (Sorter *)sink;
  TrineStatus st = TRINE_OK;
  for (size_t i = 0; i < t->n && !st; ++i) st = sort_offer(x, s, exec_row(t, i), sink->rows + i);
  return st;
}

/* qsort_r (glibc, _GNU_SOURCE): no global state, so queries in several
 * threads can sort at once. */
static int cmp_index(const void *pa, const void *pb, void *arg) {
  const Sorter *s = arg;
  size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
  int r = cmp_keys(s, exec_row(&s->keys, a), exec_row(&s->keys, b));
  return r ? r : a < b ? -1 : a > b; /* stable: the rows are in input order */
}

/* The rows, in order (copied: moving them in place, a cycle at a time,
 * made a full sort 1.2 times slower). */
static TrineStatus sort_rows(Exec *x, Sorter *s, Table *out) {
  size_t n = s->rows.n, bytes = (n + 1) * sizeof(size_t);
  TrineStatus st = exec_mem_take(x, bytes);
  if (st) return st;
  size_t *idx = malloc(bytes);
  if (!idx) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < n && !st; ++i) idx[i] = i;
  if (!st) qsort_r(idx, n, sizeof *idx, cmp_index, s);
  for (size_t i = 0; i < n && !st; ++i) st = exec_table_push(x, out, exec_row(&s->rows, idx[i]));
  free(idx);
  exec_mem_give(x, bytes);
  return st;
}

TrineStatus exec_orderby(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  size_t top = x->top; /* the rows a LIMIT above needs */
  x->top = 0;
  Sorter s = {.sink = {.take = sort_take}, .x = x, .op = op, .k = top ? top : SIZE_MAX,
              .heap = top > 0};
  exec_table_init(&s.rows, x->width);
  exec_table_init(&s.keys, op->nkeys + s.heap);
  exec_table_init(out, x->width);
  s.tmp = malloc((x->width + op->nkeys + 1) * sizeof *s.tmp);
  s.seen = malloc((SEEN_MAX * op->nkeys + 1) * sizeof *s.seen);
  TrineStatus st = s.tmp && s.seen ? exec_op_sink(x, op->a, gc, &s.sink)
                                   : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  if (!st) st = sort_rows(x, &s, out);
  if (st) exec_table_release(x, out);
  free(s.tmp);
  free(s.seen);
  exec_table_release(x, &s.rows);
  exec_table_release(x, &s.keys);
  return st;
}

/* Unbind, in every row of t, the variables op leaves out. */
TrineStatus exec_project_rows(Exec *x, const SparqlOp *op, Table *t) {
  /* on the stack for a request of up to 64 variables (most) */
  enum { SMALL = 64 };
  bool keep_small[SMALL];
  uint32_t drop_small[SMALL];
  bool small = x->width < SMALL;
  bool *keep = small ? memset(keep_small, 0, sizeof keep_small)
                     : calloc(x->width + 1, sizeof *keep);
  uint32_t *drop = small ? drop_small : malloc((x->width + 1) * sizeof *drop);
  if (!keep || !drop) {
    free(keep);
    free(drop);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < op->nvars; ++i) keep[op->vars[i]] = true;
  size_t nd = 0;
  for (size_t v = 0; v < x->width; ++v)
    if (!keep[v]) drop[nd++] = (uint32_t)v;
  for (size_t i = 0; i < t->n && nd; ++i) {
    TrineId *r = exec_row(t, i);
    for (size_t d = 0; d < nd; ++d) r[drop[d]] = 0;
  }
  if (!small) {
    free(keep);
    free(drop);
  }
  return TRINE_OK;
}

TrineStatus exec_project(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  TrineStatus st = exec_op(x, op->a, gc, out);
  return st ? st : exec_project_rows(x, op, out);
}

static bool same_row(const TrineId *a, const TrineId *b, size_t w) {
  for (size_t i = 0; i < w; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/* DISTINCT and REDUCED keep the first of equal rows as they come. A slot
 * holds the top 32 bits of a kept row's hash, which also place it, and
 * the row's index: most slots that are not the row are told apart
 * without reading it, and growing moves the slots without reading or
 * hashing the rows again.
 *
 * When the first batch of rows holds few repeats, the set would be about
 * as big as the rows, and making it as they come costs a copy of each
 * and its growing (LUBM's q6 and q8, 99,566 and 7,790 distinct rows,
 * took 1.07 and 1.10 times as long): the rest then comes as one table
 * (Sink.rest), and the repeats are dropped from it in one pass. */
typedef struct {
  Sink sink;
  size_t cap;      /* rows needed (0: all): a LIMIT above stops it there */
  Table *out;      /* the rows kept */
  uint64_t *slots; /* tag << 32 | row + 1; 0: empty */
  size_t nb, got;  /* slots (counted against the memory limit); their bytes */
} Dedup;

static size_t dedup_first(uint64_t tagged, size_t nb) {
  return (size_t)(tagged >> 32) & (nb - 1);
}

static uint64_t dedup_tag(const TrineId *r, size_t w) { return exec_hash_ids(r, w) >> 32 << 32; }

/* The slot of row r (tag: dedup_tag()'s): its equal's, or the empty one
 * it would go in. */
static uint64_t *dedup_slot(const Dedup *d, const TrineId *r, uint64_t tag, bool *dup) {
  *dup = false;
  size_t s = dedup_first(tag, d->nb);
  for (; d->slots[s]; s = (s + 1) & (d->nb - 1))
    if ((d->slots[s] & ~UINT64_C(0xffffffff)) == tag &&
        same_row(exec_row(d->out, (d->slots[s] & 0xffffffff) - 1), r, d->out->width)) {
      *dup = true;
      break;
    }
  return &d->slots[s];
}

static void dedup_free(Exec *x, Dedup *d) {
  pool_put(x->pool, d->slots, d->got);
  exec_mem_give(x, d->nb * sizeof *d->slots);
  d->slots = NULL;
  d->nb = d->got = 0;
}

/* At least want slots: from 64, four times as many at a time while under
 * 1 Mi (8 MiB), then twice (growing moves every slot: growing by two made
 * q6 1.2 times slower). From the pool, as tables: a big set reuses pages
 * already faulted in. */
static TrineStatus dedup_grow(Exec *x, Dedup *d, size_t want) {
  size_t nb = d->nb ? d->nb : 64, got;
  while (nb < want) nb *= nb < ((size_t)1 << 20) ? 4 : 2;
  TrineStatus st = exec_mem_take(x, nb * sizeof *d->slots);
  if (st) return st;
  uint64_t *slots = pool_get(x->pool, nb * sizeof *slots, &got);
  if (!slots) {
    exec_mem_give(x, nb * sizeof *slots);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  memset(slots, 0, nb * sizeof *slots);
  for (size_t i = 0; i < d->nb; ++i) {
    if (!d->slots[i]) continue;
    size_t s = dedup_first(d->slots[i], nb);
    while (slots[s]) s = (s + 1) & (nb - 1);
    slots[s] = d->slots[i];
  }
  dedup_free(x, d);
  d->slots = slots;
  d->nb = nb;
  d->got = got;
  return TRINE_OK;
}

/* Rows [b, b + m) of t: their slots are fetched first, all at once (in
 * a big set each is a cache miss). */
static TrineStatus dedup_batch(Exec *x, Dedup *d, const Table *t, size_t b, size_t m) {
  uint64_t tag[DEDUP_BATCH];
  if ((d->out->n + m) * 2 > d->nb) {
    TrineStatus st = dedup_grow(x, d, (d->out->n + m) * 2);
    if (st) return st;
  }
  for (size_t i = 0; i < m; ++i) {
    tag[i] = dedup_tag(exec_row(t, b + i), t->width);
    __builtin_prefetch(&d->slots[dedup_first(tag[i], d->nb)]);
  }
  for (size_t i = 0; i < m; ++i) {
    if (d->cap && d->out->n >= d->cap) return TRINE_DONE;
    const TrineId *r = exec_row(t, b + i);
    if (b + i && same_row(r, exec_row(t, b + i - 1), t->width)) continue; /* joins repeat rows */
    bool dup;
    uint64_t *slot = dedup_slot(d, r, tag[i], &dup);
    if (dup) continue;
    *slot = tag[i] | (d->out->n + 1);
    TrineStatus st = exec_table_push(x, d->out, r);
    if (st) return st;
  }
  return TRINE_OK;
}

/* The first of equal rows of t, kept in place, in one pass. */
static TrineStatus dedup_table(Exec *x, Table *t) {
  Dedup d = {.out = t};
  TrineStatus st = dedup_grow(x, &d, t->n * 2);
  size_t k = 0;
  for (size_t i = 0; i < t->n && !st; ++i) {
    const TrineId *r = exec_row(t, i);
    uint64_t tag = dedup_tag(r, t->width);
    bool dup;
    uint64_t *slot = dedup_slot(&d, r, tag, &dup);
    if (dup) continue;
    if (k != i) memcpy(exec_row(t, k), r, t->width * sizeof *r);
    *slot = tag | ++k;
  }
  if (!st) t->n = k;
  dedup_free(x, &d);
  return st;
}

/* The rest of the rows, after the first batch's (Sink.rest): t becomes
 * the output, those rows first (t gets the old output's memory). */
static TrineStatus dedup_rest(Exec *x, Dedup *d, Table *t) {
  size_t k = d->out->n, bytes = t->width * sizeof *t->rows;
  TrineStatus st = exec_table_reserve(x, t, k);
  if (st) return st;
  memmove(exec_row(t, k), t->rows, t->n * bytes);
  memcpy(t->rows, d->out->rows, k * bytes);
  t->n += k;
  Table kept = *d->out;
  *d->out = *t;
  *t = kept;
  dedup_free(x, d);
  return dedup_table(x, d->out);
}

static TrineStatus dedup_take(Exec *x, Sink *sink, Table *t) {
  Dedup *d = (Dedup *)sink;
  if (sink->rest) return dedup_rest(x, d, t);
  if (d->out->n + t->n >= UINT32_MAX - 1)
    return exec_fail(x, TRINE_ERR_FULL, "too many rows for DISTINCT");
  TrineStatus st = TRINE_OK;
  for (size_t b = 0; b < t->n && !st; b += DEDUP_BATCH)
    st = dedup_batch(x, d, t, b, t->n - b < DEDUP_BATCH ? t->n - b : DEDUP_BATCH);
  /* a first batch of few repeats (not under a LIMIT, which stops early) */
  sink->rest = !st && !d->cap && !sink->rows && t->n == DEDUP_BATCH && d->out->n * 4 > t->n * 3;
  return !st && d->cap && d->out->n >= d->cap ? TRINE_DONE : st;
}

TrineStatus exec_distinct(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  Dedup d = {.sink = {.take = dedup_take}, .cap = x->top, .out = out};
  x->top = 0;
  exec_table_init(out, x->width);
  TrineStatus st = exec_op_sink(x, op->a, gc, &d.sink);
  dedup_free(x, &d);
  if (st) exec_table_release(x, out);
  return st;
}

/* Under a SLICE, does every row of this chain reach the output? Then its
 * join group may stop after offset + limit rows. */
static bool limit_safe(const SparqlOp *op) {
  while (op->kind == SPARQL_OP_PROJECT || op->kind == SPARQL_OP_EXTEND) op = op->a;
  /* A FILTER runs inside the join group only over a pure one; over
   * anything else (a GROUP under HAVING, say) the group below would stop
   * before the filter has seen its rows. */
  if (op->kind == SPARQL_OP_FILTER) return exec_pure(op->a);
  return exec_pure(op);
}

/* ... or is it an ORDER BY or a DISTINCT, which then keep only the first
 * offset + limit rows of their order? */
static bool top_safe(const SparqlOp *op) {
  while (op->kind == SPARQL_OP_PROJECT || op->kind == SPARQL_OP_EXTEND) op = op->a;
  return op->kind == SPARQL_OP_ORDERBY || op->kind == SPARQL_OP_DISTINCT ||
         op->kind == SPARQL_OP_REDUCED;
}

TrineStatus exec_slice(Exec *x, const SparqlOp *op, GCtx gc, Table *out) {
  size_t need = (size_t)op->limit + (op->offset > 0 ? (size_t)op->offset : 0);
  if (op->limit >= 0 && limit_safe(op->a)) x->want = need;
  else if (op->limit >= 0 && top_safe(op->a)) x->top = need;
  TrineStatus st = exec_op(x, op->a, gc, out);
  x->want = x->top = 0;
  if (st) return st;
  size_t off = op->offset > 0 ? (size_t)op->offset : 0;
  if (off > out->n) off = out->n;
  size_t n = out->n - off;
  if (op->limit >= 0 && (size_t)op->limit < n) n = (size_t)op->limit;
  if (off) memmove(out->rows, exec_row(out, off), n * out->width * sizeof(TrineId));
  out->n = n;
  return TRINE_OK;
}
