/*
 * exec_table.c -- tables of rows: their memory, counted against the query's
 * limit and taken from the store's pool when big; the cancel and timeout
 * checks made as rows are made; rows hashed on some of their variables,
 * and two tables joined.
 */
#include "exec_int.h"

#include "pool.h"

#include <stdlib.h>
#include <string.h>

TrineStatus exec_fail(Exec *x, TrineStatus st, const char *msg) {
  return store_error(x->txn->store, st, "%s", msg);
}

static uint64_t ms_between(const struct timespec *a, const struct timespec *b) {
  return (uint64_t)((b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000);
}

/* Tell the caller's progress callback, at most every progress_ms. */
static TrineStatus tell_progress(Exec *x, const struct timespec *now) {
  if (ms_between(&x->told, now) < x->progress_ms) return TRINE_OK;
  x->told = *now;
  x->said.elapsed_ms = ms_between(&x->started, now);
  x->said.inserted = x->inserted;
  x->said.deleted = x->deleted;
  if (x->progress(x->progress_ctx, &x->said))
    return exec_fail(x, TRINE_ERR_CANCELLED, "query cancelled");
  return TRINE_OK;
}

TrineStatus exec_timed_out(Exec *x) {
  return store_error(x->txn->store, TRINE_ERR_CANCELLED,
                     "query timed out: it ran past its timeout of %u ms", x->timeout_ms);
}

TrineStatus exec_check_limits(Exec *x) {
  if (x->cancel && *x->cancel) return exec_fail(x, TRINE_ERR_CANCELLED, "query cancelled");
  if ((x->deadline.tv_sec || x->progress) && (++x->ticks & 1023) == 0) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (x->deadline.tv_sec && (now.tv_sec > x->deadline.tv_sec ||
                               (now.tv_sec == x->deadline.tv_sec &&
                                now.tv_nsec >= x->deadline.tv_nsec)))
      return exec_timed_out(x);
    if (x->progress) return tell_progress(x, &now);
  }
  return TRINE_OK;
}

void exec_progress_phase(Exec *x, TrineQueryPhase phase, uint64_t done, uint64_t todo) {
  x->said.phase = phase;
  x->said.done = done;
  x->said.todo = todo;
}

/* The memory limit was reached; it is said in MiB, or KiB or bytes when
 * smaller (a limit under 1 MiB was said as "0 MiB"). */
static TrineStatus over_budget(Exec *x) {
  size_t n = x->mem_limit;
  int shift = n >= (1u << 20) ? 20 : n >= (1u << 10) ? 10 : 0;
  return store_error(x->txn->store, TRINE_ERR_FULL,
                     "query needs more than %zu %s of memory for its intermediate results",
                     n >> shift, shift == 20 ? "MiB" : shift ? "KiB" : "bytes");
}

TrineStatus exec_table_tick(Exec *x, Table *t) {
  TrineStatus st = exec_check_limits(x);
  if (!st && exec_draining(x, t)) st = exec_sink_drain(x, x->draining, t);
  return st;
}

TrineStatus exec_mem_take(Exec *x, size_t bytes) {
  if (x->mem_used + bytes > x->mem_limit) return over_budget(x);
  x->mem_used += bytes;
  return TRINE_OK;
}

void exec_mem_give(Exec *x, size_t bytes) {
  x->mem_used = bytes > x->mem_used ? 0 : x->mem_used - bytes;
}

void exec_table_free(Exec *x, Table *t) {
  pool_put(x->pool, t->rows, t->bytes);
  t->rows = NULL;
  t->n = t->cap = t->bytes = 0;
}

/* Free a table and return its memory to the query's budget. */
void exec_table_release(Exec *x, Table *t) {
  exec_mem_give(x, t->cap * t->width * sizeof(TrineId));
  exec_table_free(x, t);
}

TrineStatus exec_table_reserve(Exec *x, Table *t, size_t more) {
  if (t->cap - t->n < more) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    while (cap - t->n < more) cap *= 2;
    TrineStatus st = exec_mem_take(x, (cap - t->cap) * t->width * sizeof(TrineId));
    if (st) return st;
    /* From the pool: big tables reuse an earlier query's pages. */
    size_t got;
    TrineId *r = pool_get(x->pool, cap * t->width * sizeof *r + sizeof *r, &got);
    if (!r) {
      exec_mem_give(x, (cap - t->cap) * t->width * sizeof(TrineId));
      return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    }
    size_t asked = cap;
    if (t->width) cap = (got - sizeof *r) / (t->width * sizeof *r);
    if (t->n) memcpy(r, t->rows, t->n * t->width * sizeof *r);
    pool_put(x->pool, t->rows, t->bytes);
    x->mem_used += (cap - asked) * t->width * sizeof *r; /* the pool's rounding up */
    t->rows = r;
    t->cap = cap;
    t->bytes = got;
  }
  return TRINE_OK;
}

TrineStatus exec_unit_table(Exec *x, Table *t) {
  exec_table_init(t, x->width);
  TrineId *zero = calloc(x->width + 1, sizeof *zero);
  if (!zero) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  if (x->subst) memcpy(zero, x->subst, x->width * sizeof *zero);
  TrineStatus st = exec_table_push(x, t, zero);
  free(zero);
  return st;
}

/* Variables bound in every row of t (first 64). */
uint64_t exec_certain_vars(const Table *t) {
  if (t->n == 0) return 0;
  uint64_t set = ~UINT64_C(0);
  for (size_t i = 0; i < t->n; ++i) {
    const TrineId *r = exec_row(t, i);
    uint64_t here = 0;
    for (size_t v = 0; v < t->width && v < 64; ++v)
      if (r[v]) here |= UINT64_C(1) << v;
    set &= here;
  }
  return set;
}

TrineStatus exec_quads_push(Exec *x, Quads *qs, const Quad *q) {
  if (qs->n == qs->cap) {
    size_t cap = qs->cap ? qs->cap * 2 : 64;
    Quad *n = realloc(qs->q, cap * sizeof *n);
    if (!n) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
    qs->q = n;
    qs->cap = cap;
  }
  qs->q[qs->n++] = *q;
  return TRINE_OK;
}

TrineStatus rowhash_init(Exec *x, RowHash *h, const Table *t, uint64_t keys) {
  *h = (RowHash){.t = t};
  for (uint32_t v = 0; v < 64 && h->nkey < 8; ++v)
    if (keys >> v & 1) h->key[h->nkey++] = v;
  size_t nb = 16, nw = 8;
  while (nb < t->n * 2) nb <<= 1;
  while (nw < t->n / 4) nw <<= 1;
  size_t bytes = (nb + t->n + 1) * sizeof(size_t) + nw * sizeof(uint64_t);
  TrineStatus st = exec_mem_take(x, bytes);
  if (st) return st;
  h->bytes = bytes;
  /* One block: the filter's words, the slots' heads, the rows' links. */
  h->bits = malloc(bytes);
  if (!h->bits) {
    exec_mem_give(x, bytes);
    h->bytes = 0;
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  memset(h->bits, 0, nw * sizeof *h->bits);
  h->head = (size_t *)(h->bits + nw);
  h->next = h->head + nb;
  h->mask = nb - 1;
  h->bmask = nw - 1;
  for (size_t i = 0; i < nb; ++i) h->head[i] = SIZE_MAX;
  for (size_t i = t->n; i-- > 0;) { /* chains in row order */
    TrineId vals[8];
    for (size_t k = 0; k < h->nkey; ++k) vals[k] = exec_row(t, i)[h->key[k]];
    uint64_t hv = exec_hash_ids(vals, h->nkey);
    size_t slot = (size_t)hv & h->mask;
    h->next[i] = h->head[slot];
    h->head[slot] = i;
    h->bits[hv >> 32 & h->bmask] |= UINT64_C(1) << (hv >> 58) | UINT64_C(1) << (hv >> 52 & 63);
  }
  return TRINE_OK;
}

void rowhash_free(Exec *x, RowHash *h) {
  free(h->bits); /* head and next are in its block */
  h->bits = NULL;
  h->head = h->next = NULL;
  exec_mem_give(x, h->bytes);
  h->bytes = 0;
}

/* Join two tables: hash on the variables bound in every row of both,
 * else compare every pair. */
TrineStatus exec_join_tables(Exec *x, const Table *a, const Table *b, Table *out) {
  exec_table_init(out, x->width);
  uint64_t keys = exec_certain_vars(a) & exec_certain_vars(b);
  TrineId *tmp = malloc((x->width + 1) * sizeof *tmp);
  if (!tmp) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  TrineStatus st = TRINE_OK;
  if (keys && b->n > 8) { /* hash b's rows on the key variables */
    RowHash h;
    st = rowhash_init(x, &h, b, keys);
    for (size_t i = 0; i < a->n && !st; ++i) {
      if ((st = exec_check_limits(x))) break;
      const TrineId *ra = exec_row(a, i);
      TrineId vals[8];
      for (size_t k = 0; k < h.nkey; ++k) vals[k] = ra[h.key[k]];
      for (size_t j = rowhash_find(&h, vals); j != SIZE_MAX && !st; j = rowhash_next(&h, j, vals)) {
        const TrineId *rb = exec_row(b, j);
        if (!exec_compatible(ra, rb, x->width)) continue; /* keys past the eighth */
        exec_merge(tmp, ra, rb, x->width);
        st = exec_table_push(x, out, tmp);
      }
    }
    rowhash_free(x, &h);
  } else {
    for (size_t i = 0; i < a->n && !st; ++i) {
      if ((st = exec_check_limits(x))) break;
      for (size_t j = 0; j < b->n && !st; ++j) {
        const TrineId *ra = exec_row(a, i), *rb = exec_row(b, j);
        if (!exec_compatible(ra, rb, x->width)) continue;
        exec_merge(tmp, ra, rb, x->width);
        st = exec_table_push(x, out, tmp);
      }
    }
  }
  free(tmp);
  return st;
}
