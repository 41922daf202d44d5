/*
 * dict.c -- term <-> id dictionary (see dict.h for the scheme).
 */
#include "dict.h"
#include "snapmemo.h"
#include "termcache.h"

#include "termstore.h"

#include <stdlib.h>
#include <string.h>

#define XSD_STRING_IRI "http://www.w3.org/2001/XMLSchema#string"
#define RDF_LANGSTRING_IRI "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

/* ---- byte buffers ---- */

int buf_reserve(Buf *b, size_t extra) {
  if (b->len + extra <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + extra) cap *= 2;
  char *d = realloc(b->data, cap);
  if (!d) return -1;
  b->data = d;
  b->cap = cap;
  return 0;
}

int buf_append(Buf *b, const void *data, size_t len) {
  if (buf_reserve(b, len)) return -1;
  if (len) memcpy(b->data + b->len, data, len);
  b->len += len;
  return 0;
}

void buf_free(Buf *b) {
  free(b->data);
  *b = (Buf){0};
}

/* ---- hashing ---- */

static inline uint64_t rd64(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, 8);
  return v;
}

static inline uint64_t mix(uint64_t a, uint64_t b) {
  __uint128_t r = (__uint128_t)a * b;
  return (uint64_t)r ^ (uint64_t)(r >> 64);
}

uint64_t dict_hash(const void *data, size_t n) {
  const unsigned char *p = data;
  uint64_t h = 0x9e3779b97f4a7c15u ^ (n * 0xa0761d6478bd642fu);
  for (; n >= 16; p += 16, n -= 16)
    h = mix(rd64(p) ^ 0xe7037ed1a0b428dbu ^ h, rd64(p + 8) ^ 0x8ebc6af09c88c6e3u);
  uint64_t a = 0, b = 0;
  if (n >= 8) {
    a = rd64(p);
    memcpy(&b, p + 8, n - 8);
  } else {
    memcpy(&a, p, n);
  }
  h = mix(a ^ 0xe7037ed1a0b428dbu ^ h, b ^ 0x589965cc75374cc3u);
  return mix(h ^ 0x1d8e4e27c47d124fu, 0xa0761d6478bd642fu);
}

/* ---- canonical encoding ---- */

static int put_varint(Buf *b, size_t v) {
  unsigned char tmp[10];
  int n = 0;
  do {
    tmp[n] = (unsigned char)(v & 0x7f);
    v >>= 7;
    if (v) tmp[n] |= 0x80;
    ++n;
  } while (v);
  return buf_append(b, tmp, (size_t)n);
}

static bool eq_str(const char *s, size_t n, const char *lit) {
  return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

int dict_encode(const TrineTerm *t, Buf *b) {
  b->len = 0;
  return dict_encode_append(t, b);
}

/* A tag byte and the value: IRIs, blank nodes and simple literals, the
 * bulk of a load, in one reservation. */
static int put_tagged(Buf *b, char tag, const TrineTerm *t) {
  if (buf_reserve(b, 1 + t->value_len)) return -1;
  char *d = b->data + b->len;
  d[0] = tag;
  if (t->value_len) memcpy(d + 1, t->value, t->value_len);
  b->len += 1 + t->value_len;
  return 0;
}

int dict_encode_append(const TrineTerm *t, Buf *b) {
  if (t->kind == TRINE_TERM_BLANK) return put_tagged(b, 'B', t);
  if (t->kind == TRINE_TERM_IRI) return put_tagged(b, 'I', t);
  if (t->kind != TRINE_TERM_LITERAL) return -1;
  bool typed = t->datatype && t->datatype_len;
  if (!(t->lang && t->lang_len) && (!typed || eq_str(t->datatype, t->datatype_len, XSD_STRING_IRI)))
    return put_tagged(b, 'S', t);
  if (t->lang && t->lang_len) {
    if (buf_append(b, "G", 1) || put_varint(b, t->lang_len) ||
        buf_reserve(b, t->lang_len))
      return -1;
    for (size_t i = 0; i < t->lang_len; ++i) {
      char c = t->lang[i];
      b->data[b->len++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
  } else if (buf_append(b, "T", 1) || put_varint(b, t->datatype_len) ||
             buf_append(b, t->datatype, t->datatype_len)) {
    return -1;
  }
  return buf_append(b, t->value, t->value_len);
}

/* ---- LMDB access ---- */

static TrineStatus mdb_fail(TrineTxn *t, int rc, const char *what) {
  return store_mdb_error(t->store, rc, what);
}

/* Find the id whose stored bytes equal enc among the ids filed under hash. */
static TrineStatus find_encoded(TrineTxn *t, uint64_t hash, const char *enc,
                                size_t len, TrineId *id) {
  TrineStore *s = t->store;
  /* A read txn keeps its cursor: a query looks up each of its constants,
   * and opening and closing one cost a tenth of a lookup. */
  MDB_cursor *cur = t->write ? NULL : t->hash_cur;
  int rc = cur ? 0 : mdb_cursor_open(t->txn, s->hash2id, &cur);
  if (rc) return mdb_fail(t, rc, "dictionary");
  if (!t->write) t->hash_cur = cur;
  MDB_val k = {sizeof hash, &hash}, v;
  TrineStatus st = TRINE_NOT_FOUND;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_KEY); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT_DUP)) {
    TrineId cand;
    memcpy(&cand, v.mv_data, sizeof cand);
    const void *data;
    size_t n;
    if ((st = termstore_get(t, NULL, id_seq(cand), &data, &n))) break;
    st = TRINE_NOT_FOUND;
    if (n == len && memcmp(data, enc, len) == 0) {
      *id = cand;
      st = TRINE_OK;
      break;
    }
  }
  if (rc && rc != MDB_NOTFOUND) st = mdb_fail(t, rc, "dictionary");
  if (t->write) mdb_cursor_close(cur);
  return st;
}

/* Allocate an id for new encoded bytes and store them. */
static TrineStatus store_new(TrineTxn *t, const char *enc, size_t len, TrineId *id) {
  uint64_t seq = t->next_seq++;
  TrineStatus st = termstore_append(t, seq, enc, len);
  if (st) return st;
  *id = id_make(enc[0] == 'I' ? IDK_IRI : IDK_LITERAL, seq);
  return TRINE_OK;
}

static TrineStatus put_hash(TrineTxn *t, uint64_t hash, TrineId id) {
  MDB_val k = {sizeof hash, &hash}, v = {sizeof id, &id};
  int rc = mdb_put(t->txn, t->store->hash2id, &k, &v, 0);
  return rc ? mdb_fail(t, rc, "cannot index term") : TRINE_OK;
}

TrineStatus dict_scope_reset(TrineTxn *t) {
  int rc = mdb_drop(t->txn, t->store->bnodes, 0);
  if (rc) return mdb_fail(t, rc, "cannot reset blank node scope");
  t->bnodes_cleared = true;
  return TRINE_OK;
}

/* LMDB keys are limited to 511 bytes; longer labels are refused (the
 * parsers refuse them first, at their place: TERM_MAX_BLANK_LABEL). */
#define MAX_BLANK_LABEL 500

static TrineStatus scope_get(TrineTxn *t, const char *label, size_t len, TrineId *id) {
  if (!t->bnodes_cleared) return TRINE_NOT_FOUND;
  if (len == 0 || len > MAX_BLANK_LABEL) return TRINE_NOT_FOUND;
  MDB_val k = {len, (void *)label}, v;
  int rc = mdb_get(t->txn, t->store->bnodes, &k, &v);
  if (rc == MDB_NOTFOUND) return TRINE_NOT_FOUND;
  if (rc) return mdb_fail(t, rc, "blank node scope");
  memcpy(id, v.mv_data, sizeof *id);
  return TRINE_OK;
}

static TrineStatus scope_new(TrineTxn *t, const char *label, size_t len, TrineId *id) {
  if (!t->write) return store_error(t->store, TRINE_ERR_READONLY, "read-only transaction");
  if (len > MAX_BLANK_LABEL)
    return store_error(t->store, TRINE_ERR_UNSUPPORTED,
                       "blank node label longer than %d bytes", MAX_BLANK_LABEL);
  if (!t->bnodes_cleared) {
    TrineStatus st = dict_scope_reset(t);
    if (st) return st;
  }
  *id = id_make(IDK_BLANK, t->next_seq++);
  MDB_val k = {len, (void *)label}, v = {sizeof *id, id};
  int rc = mdb_put(t->txn, t->store->bnodes, &k, &v, 0);
  return rc ? mdb_fail(t, rc, "blank node scope") : TRINE_OK;
}

/* A read txn's is its snapshot's: remembered for the next txn of the same
 * one (a lookup by value needs it, and reading it was a tenth of the
 * lookups of a small query). */
uint64_t dict_next_seq(TrineTxn *t) {
  if (t->write) return t->next_seq;
  if (t->read_next) return t->read_next;
  const uint64_t key[SNAPMEMO_KEY] = {'N'};
  uint64_t val[SNAPMEMO_VAL];
  if (snapmemo_get(t, key, val)) return t->read_next = val[0];
  t->read_next = store_meta_get(t->txn, t->store->meta, "next");
  snapmemo_put(t, key, (uint64_t[SNAPMEMO_VAL]){t->read_next});
  return t->read_next;
}

/* "b<lowercase hex, no leading zero>" names an allocated blank node. */
static bool canonical_blank(TrineTxn *t, const char *s, size_t n, TrineId *id) {
  if (n < 2 || n > 16 || s[0] != 'b' || s[1] == '0') return false;
  uint64_t seq = 0;
  for (size_t i = 1; i < n; ++i) {
    char c = s[i];
    int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
    if (d < 0) return false;
    seq = seq << 4 | (uint64_t)d;
  }
  if (seq >= dict_next_seq(t)) return false;
  *id = id_make(IDK_BLANK, seq);
  return true;
}

TrineStatus dict_lookup(TrineTxn *t, const TrineTerm *term, TrineId *id) {
  if (term->kind == TRINE_TERM_BLANK) {
    if (canonical_blank(t, term->value, term->value_len, id)) return TRINE_OK;
    return scope_get(t, term->value, term->value_len, id);
  }
  Buf b = {0};
  if (dict_encode(term, &b)) {
    buf_free(&b);
    return store_error(t->store, TRINE_ERR_ARG, "not a storable term");
  }
  uint64_t h = t->store->hash(b.data, b.len);
  /* Ids committed before this snapshot: a write txn's own new ones are
   * neither taken from the cache nor put in (it may abort). */
  uint64_t committed = t->write ? t->start_seq : dict_next_seq(t);
  TermCache *known = t->store->known;
  TrineStatus st = TRINE_OK;
  if (!termcache_get(known, h, b.data, b.len, id) || id_seq(*id) >= committed) {
    st = find_encoded(t, h, b.data, b.len, id);
    if (st == TRINE_OK && id_seq(*id) < committed) termcache_put(known, h, b.data, b.len, *id);
  }
  buf_free(&b);
  return st;
}

TrineStatus dict_intern(TrineTxn *t, const TrineTerm *term, TrineId *id) {
  TrineStatus st = dict_lookup(t, term, id);
  if (st != TRINE_NOT_FOUND) return st;
  if (!t->write) return store_error(t->store, TRINE_ERR_READONLY, "read-only transaction");
  if (term->kind == TRINE_TERM_BLANK)
    return scope_new(t, term->value, term->value_len, id);
  Buf b = {0};
  if (dict_encode(term, &b)) {
    buf_free(&b);
    return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  }
  st = store_new(t, b.data, b.len, id);
  if (!st) st = put_hash(t, t->store->hash(b.data, b.len), *id);
  buf_free(&b);
  return st;
}

TrineStatus dict_term(TrineTxn *t, TrineId id, TrineTerm *out, char scratch[24]) {
  return dict_term_at(t, &t->terms, id, out, scratch);
}

TrineStatus dict_term_at(TrineTxn *t, TermReader *r, TrineId id, TrineTerm *out,
                         char scratch[24]) {
  *out = (TrineTerm){0};
  switch (id_kind(id)) {
  case IDK_BLANK: {
    int n = snprintf(scratch, 24, "b%llx", (unsigned long long)id_seq(id));
    *out = (TrineTerm){.kind = TRINE_TERM_BLANK, .value = scratch, .value_len = (size_t)n};
    return TRINE_OK;
  }
  case IDK_IRI: case IDK_LITERAL: {
    const void *data;
    size_t len;
    TrineStatus st = termstore_get(t, r, id_seq(id), &data, &len);
    if (st) return st;
    if (dict_decode_bytes(data, len, out))
      return store_error(t->store, TRINE_ERR_CORRUPT, "bad term record");
    return TRINE_OK;
  }
  default:
    if (id == 0) { out->kind = TRINE_TERM_DEFAULT_GRAPH; return TRINE_OK; }
    return store_error(t->store, TRINE_ERR_CORRUPT, "bad term id");
  }
}

_Static_assert(DICT_KEPT_BYTES == TERMCACHE_BYTES, "dict_term_kept's buffer holds a cached term");

/* Ids this close after one taken from the term cache read their block. */
#define KEPT_RUN 16

TrineStatus dict_term_kept(TrineTxn *t, TermReader *r, TrineId id, TrineTerm *out,
                           char buf[DICT_KEPT_BYTES]) {
  if (t->write || (id_kind(id) != IDK_IRI && id_kind(id) != IDK_LITERAL))
    return dict_term_at(t, r, id, out, buf);
  const void *data;
  size_t len;
  uint64_t seq = id_seq(id);
  if (!termstore_get_stepping(t, r, seq, &data, &len)) {
    /* An id just after one the cache gave: its block likely holds the
     * column's next ones too, so it is read (and the reader keeps it). */
    bool runs_on = r->cached && seq > r->cached && seq - r->cached <= KEPT_RUN;
    if (!runs_on && termcache_bytes(t->store->known, id, buf, &len)) {
      data = buf;
      r->cached = seq;
    } else {
      TrineStatus st = termstore_get_seek(t, r, seq, &data, &len);
      if (st) return st;
      termcache_put_bytes(t->store->known, id, data, len);
    }
  }
  *out = (TrineTerm){0};
  if (dict_decode_bytes(data, len, out)) return store_error(t->store, TRINE_ERR_CORRUPT, "bad term record");
  return TRINE_OK;
}

/* ---- the bulk loader's per-batch cache ---- */

typedef struct {
  uint64_t hash;
  TrineId id;
  size_t off; /* into arena */
  size_t len;
} Slot;

typedef struct {
  uint64_t hash;
  TrineId id;
} HashId;

struct DictCache {
  Slot *slots;
  size_t mask, used;
  Buf arena;
  HashId *fresh; /* new terms of this batch, for hash2id */
  size_t nfresh, capfresh;
  Buf enc;
  bool store_empty; /* hash2id held nothing when the batch began */
  bool checked;
};

DictCache *dict_cache_new(void) {
  DictCache *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->mask = (1u << 16) - 1;
  if (!(c->slots = calloc(c->mask + 1, sizeof *c->slots))) {
    free(c);
    return NULL;
  }
  return c;
}

void dict_cache_free(DictCache *c) {
  if (!c) return;
  free(c->slots);
  free(c->fresh);
  buf_free(&c->arena);
  buf_free(&c->enc);
  free(c);
}

size_t dict_cache_bytes(const DictCache *c) {
  return c->arena.cap + (c->mask + 1) * sizeof(Slot) + c->capfresh * sizeof(HashId);
}

static int grow(DictCache *c) {
  size_t n = (c->mask + 1) * 2;
  Slot *s = calloc(n, sizeof *s);
  if (!s) return -1;
  for (size_t i = 0; i <= c->mask; ++i) {
    if (!c->slots[i].id) continue;
    size_t j = c->slots[i].hash & (n - 1);
    while (s[j].id) j = (j + 1) & (n - 1);
    s[j] = c->slots[i];
  }
  free(c->slots);
  c->slots = s;
  c->mask = n - 1;
  return 0;
}

static TrineStatus remember_fresh(TrineTxn *t, DictCache *c, uint64_t hash, TrineId id) {
  if (c->nfresh == c->capfresh) {
    size_t cap = c->capfresh ? c->capfresh * 2 : 4096;
    HashId *f = realloc(c->fresh, cap * sizeof *f);
    if (!f) return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
    c->fresh = f;
    c->capfresh = cap;
  }
  c->fresh[c->nfresh++] = (HashId){hash, id};
  return TRINE_OK;
}

/* Cache miss: find the term in the store, or create it. */
static TrineStatus resolve(TrineTxn *t, DictCache *c, const char *enc, size_t len,
                           uint64_t hash, TrineId *id) {
  if (enc[0] == 'B') {
    TrineStatus st = scope_get(t, enc + 1, len - 1, id);
    return st == TRINE_NOT_FOUND ? scope_new(t, enc + 1, len - 1, id) : st;
  }
  if (!c->checked) {
    MDB_stat ms;
    int rc = mdb_stat(t->txn, t->store->hash2id, &ms);
    if (rc) return mdb_fail(t, rc, "dictionary");
    c->store_empty = ms.ms_entries == 0;
    c->checked = true;
  }
  if (!c->store_empty) {
    TrineStatus st = find_encoded(t, hash, enc, len, id);
    if (st != TRINE_NOT_FOUND) return st;
  }
  TrineStatus st = store_new(t, enc, len, id);
  return st ? st : remember_fresh(t, c, hash, *id);
}

TrineStatus dict_cache_intern(TrineTxn *t, DictCache *c, const TrineTerm *term,
                              TrineId *id) {
  Buf *e = &c->enc;
  e->len = 0;
  if (dict_encode_append(term, e))
    return store_error(t->store, TRINE_ERR_ARG, "not a storable term");
  return dict_cache_intern_encoded(t, c, e->data, e->len, t->store->hash(e->data, e->len), id);
}

TrineStatus dict_cache_intern_encoded(TrineTxn *t, DictCache *c, const char *enc,
                                      size_t len, uint64_t hash, TrineId *id) {
  size_t i = hash & c->mask;
  for (Slot *s; (s = &c->slots[i])->id; i = (i + 1) & c->mask) {
    if (s->hash == hash && s->len == len && memcmp(c->arena.data + s->off, enc, len) == 0) {
      *id = s->id;
      return TRINE_OK;
    }
  }
  TrineStatus st = resolve(t, c, enc, len, hash, id);
  if (st) return st;
  Slot *s = &c->slots[i];
  *s = (Slot){hash, *id, c->arena.len, len};
  if (buf_append(&c->arena, enc, len))
    return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  if (++c->used * 2 > c->mask && grow(c))
    return store_error(t->store, TRINE_ERR_NOMEM, "out of memory");
  return TRINE_OK;
}

static int cmp_hashid(const void *a, const void *b) {
  const HashId *x = a, *y = b;
  if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
  return x->id < y->id ? -1 : x->id > y->id;
}

TrineStatus dict_cache_flush(TrineTxn *t, DictCache *c) {
  if (c->nfresh) qsort(c->fresh, c->nfresh, sizeof *c->fresh, cmp_hashid);
  MDB_cursor *cur;
  int rc = mdb_cursor_open(t->txn, t->store->hash2id, &cur);
  if (rc) return mdb_fail(t, rc, "dictionary");
  /* Sorted input into an empty table can be appended. */
  unsigned flags = c->checked && c->store_empty ? MDB_APPENDDUP : 0;
  for (size_t i = 0; i < c->nfresh && !rc; ++i) {
    MDB_val k = {sizeof c->fresh[i].hash, &c->fresh[i].hash};
    MDB_val v = {sizeof c->fresh[i].id, &c->fresh[i].id};
    bool same = i > 0 && c->fresh[i - 1].hash == c->fresh[i].hash;
    rc = mdb_cursor_put(cur, &k, &v, flags ? (same ? MDB_APPENDDUP : MDB_APPEND) : 0);
  }
  mdb_cursor_close(cur);
  if (rc) return mdb_fail(t, rc, "cannot index terms");
  memset(c->slots, 0, (c->mask + 1) * sizeof *c->slots);
  c->used = c->nfresh = 0;
  c->arena.len = 0;
  c->checked = false;
  return TRINE_OK;
}
