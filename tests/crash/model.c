/*
 * model.c -- the vocabulary, quad sets and store reading of model.h. The
 * operation generator is in gen.c.
 */
#include "model.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

uint64_t rng_next(Rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint32_t rng_below(Rng *r, uint32_t n) { return (uint32_t)(rng_next(r) % n); }

uint64_t rng_mix(uint64_t seed, uint64_t i) {
  Rng r = {seed ^ (i * 0xd6e8feb86659fd93ULL)};
  rng_next(&r);
  return rng_next(&r);
}

/* ---- vocabulary ---- */

enum { VOCAB_MAX = 65535 };

struct Vocab {
  char **text;     /* by number */
  TrineTerm *term; /* by number: views on the parts in parts[] */
  char **parts;    /* by number: value, datatype and lang, NUL-separated */
  uint32_t n, cap;
  uint32_t *slots; /* hash of text -> number (0: empty) */
  uint32_t nslots;
};

static uint64_t hash_text(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; ++s) h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    abort();
  }
  return p;
}

static char *xstrdup(const char *s) {
  size_t n = strlen(s) + 1;
  return memcpy(xmalloc(n), s, n);
}

/* The term of N-Triples text as the harness writes it (model.h). */
static TrineTerm parse_term(const char *text, char **parts) {
  size_t n = strlen(text);
  char *p = *parts = xmalloc(n + 3);
  memset(p, 0, n + 3);
  if (text[0] == '<') {
    memcpy(p, text + 1, n - 2);
    return trine_iri(p);
  }
  if (text[0] == '_') {
    memcpy(p, text + 2, n - 2);
    return trine_blank(p);
  }
  const char *end = strrchr(text, '"');
  size_t vlen = (size_t)(end - text - 1);
  memcpy(p, text + 1, vlen);
  char *extra = p + vlen + 1;
  if (end[1] == '@') {
    strcpy(extra, end + 2);
    return trine_literal(p, NULL, extra);
  }
  if (end[1] == '^') {
    memcpy(extra, end + 4, strlen(end + 4) - 1);
    return trine_literal(p, extra, NULL);
  }
  return trine_literal(p, NULL, NULL);
}

static void vocab_rehash(Vocab *v) {
  free(v->slots);
  v->nslots = v->nslots ? v->nslots * 2 : 1024;
  v->slots = calloc(v->nslots, sizeof *v->slots);
  if (!v->slots) abort();
  for (uint32_t i = 1; i < v->n; ++i) {
    uint32_t j = (uint32_t)(hash_text(v->text[i]) & (v->nslots - 1));
    while (v->slots[j]) j = (j + 1) & (v->nslots - 1);
    v->slots[j] = i;
  }
}

uint32_t vocab_find(const Vocab *v, const char *text) {
  uint32_t j = (uint32_t)(hash_text(text) & (v->nslots - 1));
  for (; v->slots[j]; j = (j + 1) & (v->nslots - 1))
    if (strcmp(v->text[v->slots[j]], text) == 0) return v->slots[j];
  return 0;
}

uint32_t vocab_intern(Vocab *v, const char *text) {
  if (strcmp(text, "DEFAULT") == 0) return 0;
  uint32_t id = vocab_find(v, text);
  if (id) return id;
  if (v->n >= VOCAB_MAX) return 0;
  if (v->n == v->cap) {
    v->cap *= 2;
    v->text = realloc(v->text, v->cap * sizeof *v->text);
    v->term = realloc(v->term, v->cap * sizeof *v->term);
    v->parts = realloc(v->parts, v->cap * sizeof *v->parts);
    if (!v->text || !v->term || !v->parts) abort();
  }
  id = v->n++;
  v->text[id] = xstrdup(text);
  v->term[id] = parse_term(text, &v->parts[id]);
  if (v->n * 2 > v->nslots) vocab_rehash(v);
  else {
    uint32_t j = (uint32_t)(hash_text(text) & (v->nslots - 1));
    while (v->slots[j]) j = (j + 1) & (v->nslots - 1);
    v->slots[j] = id;
  }
  return id;
}

Vocab *vocab_new(void) {
  Vocab *v = calloc(1, sizeof *v);
  if (!v) abort();
  v->cap = 256;
  v->text = xmalloc(v->cap * sizeof *v->text);
  v->term = xmalloc(v->cap * sizeof *v->term);
  v->parts = xmalloc(v->cap * sizeof *v->parts);
  v->text[0] = xstrdup("DEFAULT");
  v->term[0] = trine_default_graph();
  v->parts[0] = NULL;
  v->n = 1;
  vocab_rehash(v);
  return v;
}

Vocab *vocab_copy(const Vocab *src) {
  Vocab *v = vocab_new();
  for (uint32_t i = 1; i < src->n; ++i) vocab_intern(v, src->text[i]);
  return v;
}

void vocab_free(Vocab *v) {
  if (!v) return;
  for (uint32_t i = 0; i < v->n; ++i) {
    free(v->text[i]);
    free(v->parts[i]);
  }
  free(v->text);
  free(v->term);
  free(v->parts);
  free(v->slots);
  free(v);
}

const char *vocab_text(const Vocab *v, uint32_t id) { return id < v->n ? v->text[id] : "?"; }

TrineTerm vocab_term(const Vocab *v, uint32_t id) { return v->term[id]; }

/* ---- terms as text ---- */

#define XSD_STRING "http://www.w3.org/2001/XMLSchema#string"

static size_t put(char *buf, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, size, fmt, ap);
  va_end(ap);
  return n < 0 || (size_t)n >= size ? 0 : (size_t)n;
}

size_t term_text(const TrineTerm *t, char *buf, size_t size) {
  int v = (int)t->value_len;
  switch (t->kind) {
  case TRINE_TERM_IRI: return put(buf, size, "<%.*s>", v, t->value);
  case TRINE_TERM_BLANK: return put(buf, size, "_:%.*s", v, t->value);
  case TRINE_TERM_LITERAL:
    if (t->lang && t->lang_len)
      return put(buf, size, "\"%.*s\"@%.*s", v, t->value, (int)t->lang_len, t->lang);
    if (t->datatype && t->datatype_len &&
        !(t->datatype_len == strlen(XSD_STRING) && !memcmp(t->datatype, XSD_STRING, t->datatype_len)))
      return put(buf, size, "\"%.*s\"^^<%.*s>", v, t->value, (int)t->datatype_len, t->datatype);
    return put(buf, size, "\"%.*s\"", v, t->value);
  default: return put(buf, size, "DEFAULT");
  }
}

/* ---- quad sets ---- */

QuadKey quad_key(uint32_t g, uint32_t s, uint32_t p, uint32_t o) {
  return (QuadKey)g << 48 | (QuadKey)s << 32 | (QuadKey)p << 16 | o;
}

uint32_t quad_part(QuadKey k, int i) { return (uint32_t)(k >> (48 - 16 * i)) & 0xffff; }

static size_t slot_of(const QuadSet *q, QuadKey k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  return (size_t)k & (q->cap - 1);
}

void qs_init(QuadSet *q) {
  q->cap = 64;
  q->n = 0;
  q->slots = calloc(q->cap, sizeof *q->slots);
  if (!q->slots) abort();
}

void qs_free(QuadSet *q) {
  free(q->slots);
  q->slots = NULL;
  q->cap = q->n = 0;
}

void qs_copy(QuadSet *dst, const QuadSet *src) {
  dst->cap = src->cap;
  dst->n = src->n;
  dst->slots = xmalloc(src->cap * sizeof *src->slots);
  memcpy(dst->slots, src->slots, src->cap * sizeof *src->slots);
}

bool qs_has(const QuadSet *q, QuadKey k) {
  for (size_t i = slot_of(q, k); q->slots[i]; i = (i + 1) & (q->cap - 1))
    if (q->slots[i] == k) return true;
  return false;
}

static void grow(QuadSet *q) {
  QuadSet big = {calloc(q->cap * 2, sizeof *q->slots), q->cap * 2, 0};
  if (!big.slots) abort();
  for (size_t i = 0; i < q->cap; ++i)
    if (q->slots[i]) qs_add(&big, q->slots[i]);
  free(q->slots);
  *q = big;
}

bool qs_add(QuadSet *q, QuadKey k) {
  if ((q->n + 1) * 2 > q->cap) grow(q);
  size_t i = slot_of(q, k);
  for (; q->slots[i]; i = (i + 1) & (q->cap - 1))
    if (q->slots[i] == k) return false;
  q->slots[i] = k;
  q->n++;
  return true;
}

/* Linear probing: the entries after a removed one move back to where
 * their search would reach them. */
bool qs_remove(QuadSet *q, QuadKey k) {
  size_t i = slot_of(q, k), mask = q->cap - 1;
  for (; q->slots[i] != k; i = (i + 1) & mask)
    if (!q->slots[i]) return false;
  q->slots[i] = 0;
  q->n--;
  for (size_t j = (i + 1) & mask; q->slots[j]; j = (j + 1) & mask) {
    size_t home = slot_of(q, q->slots[j]);
    /* the entry at j may fill the hole at i when its home is not in (i, j] */
    if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
      q->slots[i] = q->slots[j];
      q->slots[j] = 0;
      i = j;
    }
  }
  return true;
}

bool qs_equal(const QuadSet *a, const QuadSet *b) {
  if (a->n != b->n) return false;
  for (size_t i = 0; i < a->cap; ++i)
    if (a->slots[i] && !qs_has(b, a->slots[i])) return false;
  return true;
}

static int cmp_key(const void *a, const void *b) {
  QuadKey x = *(const QuadKey *)a, y = *(const QuadKey *)b;
  return x < y ? -1 : x > y;
}

QuadKey *qs_sorted(const QuadSet *q) {
  QuadKey *out = xmalloc(q->n * sizeof *out);
  size_t n = 0;
  for (size_t i = 0; i < q->cap; ++i)
    if (q->slots[i]) out[n++] = q->slots[i];
  if (n) qsort(out, n, sizeof *out, cmp_key);
  return out;
}

void qs_print_diff(FILE *f, const Vocab *v, const QuadSet *a, const QuadSet *b,
                   const char *prefix, unsigned max) {
  QuadKey *keys = qs_sorted(a);
  unsigned shown = 0;
  size_t missing = 0;
  for (size_t i = 0; i < a->n; ++i) {
    if (qs_has(b, keys[i])) continue;
    if (shown++ < max)
      fprintf(f, "%s%s %s %s %s\n", prefix, vocab_text(v, quad_part(keys[i], 1)),
              vocab_text(v, quad_part(keys[i], 2)), vocab_text(v, quad_part(keys[i], 3)),
              vocab_text(v, quad_part(keys[i], 0)));
    missing++;
  }
  if (missing > max) fprintf(f, "%s... %zu in all\n", prefix, missing);
  free(keys);
}

/* ---- reading a store ---- */

#define BID "<http://ex.org/bid>"

/* A store's blank node label and the harness's label for it. */
typedef struct {
  char *store, *model;
} BlankName;

typedef struct {
  BlankName *a;
  size_t n, cap;
} BlankMap;

static int cmp_blank(const void *a, const void *b) {
  return strcmp(((const BlankName *)a)->store, ((const BlankName *)b)->store);
}

static void blank_map_free(BlankMap *m) {
  for (size_t i = 0; i < m->n; ++i) {
    free(m->a[i].store);
    free(m->a[i].model);
  }
  free(m->a);
}

/* Pass 1: each blank node's label from its (_:b, ex:bid, "LABEL") quad. */
static TrineStatus read_blanks(TrineTxn *txn, const Vocab *v, BlankMap *m) {
  TrineTerm bid = vocab_term(v, vocab_find(v, BID));
  TrineIter *it;
  TrineStatus st = trine_txn_match(txn, NULL, &bid, NULL, NULL, &it);
  TrineTerm q[4];
  char text[600];
  while (!st && (st = trine_iter_next(it, q)) == TRINE_ROW) {
    st = TRINE_OK;
    if (q[0].kind != TRINE_TERM_BLANK || q[2].kind != TRINE_TERM_LITERAL) continue;
    if (m->n == m->cap) {
      m->cap = m->cap ? m->cap * 2 : 64;
      m->a = realloc(m->a, m->cap * sizeof *m->a);
      if (!m->a) abort();
    }
    snprintf(text, sizeof text, "_:%.*s", (int)q[0].value_len, q[0].value);
    m->a[m->n].store = xstrdup(text);
    snprintf(text, sizeof text, "_:%.*s", (int)q[2].value_len, q[2].value);
    m->a[m->n++].model = xstrdup(text);
  }
  trine_iter_free(it);
  if (st != TRINE_DONE) return st;
  if (m->n) qsort(m->a, m->n, sizeof *m->a, cmp_blank);
  return TRINE_OK;
}

/* The vocabulary number of a term read from the store, or -1 with why. */
static long term_number(const Vocab *v, const BlankMap *m, const TrineTerm *t, char *why,
                        size_t size) {
  char text[600];
  if (!term_text(t, text, sizeof text)) {
    snprintf(why, size, "a term of the store is too long");
    return -1;
  }
  if (t->kind == TRINE_TERM_BLANK) {
    BlankName key = {text, NULL};
    BlankName *hit = m->n ? bsearch(&key, m->a, m->n, sizeof *m->a, cmp_blank) : NULL;
    if (!hit) {
      snprintf(why, size, "the store holds blank node %s without its ex:bid label", text);
      return -1;
    }
    snprintf(text, sizeof text, "%s", hit->model);
  }
  uint32_t id = vocab_find(v, text);
  if (!id && t->kind != TRINE_TERM_DEFAULT_GRAPH) {
    snprintf(why, size, "the store holds %s, a term the harness never made", text);
    return -1;
  }
  return id;
}

int store_quads(TrineStore *store, const Vocab *v, QuadSet *out, char *why, size_t size) {
  TrineTxn *txn;
  TrineIter *it = NULL;
  BlankMap m = {0};
  TrineStatus st = trine_txn_begin(store, false, &txn);
  if (!st) st = read_blanks(txn, v, &m);
  if (!st) st = trine_txn_match(txn, NULL, NULL, NULL, NULL, &it);
  TrineTerm q[4];
  int rc = 0;
  while (!st && !rc && (st = trine_iter_next(it, q)) == TRINE_ROW) {
    st = TRINE_OK;
    long id[4];
    for (int i = 0; i < 4 && !rc; ++i)
      if ((id[i] = term_number(v, &m, &q[i], why, size)) < 0) rc = -1;
    if (!rc) qs_add(out, quad_key((uint32_t)id[3], (uint32_t)id[0], (uint32_t)id[1], (uint32_t)id[2]));
  }
  trine_iter_free(it);
  if (!rc && st != TRINE_DONE) {
    snprintf(why, size, "cannot read the store: %s: %s", trine_strerror(st),
             trine_store_errmsg(store));
    rc = -1;
  }
  trine_txn_abort(txn);
  blank_map_free(&m);
  return rc;
}
