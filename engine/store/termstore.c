/*
 * termstore.c -- stored terms in blocks of consecutive sequence numbers
 * (see termstore.h).
 */
#include "termstore.h"

#include "peek.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A block stays within one LMDB leaf node (a 4 KiB page holds two nodes of
 * at most 2040 bytes with their headers); one bigger term gets a block of
 * its own, on overflow pages. */
#define BLOCK_BYTES 1900
#define BLOCK_TERMS 128
/* Blank nodes between two terms leave empty entries, up to this many;
 * a longer run starts a new block. */
#define BLOCK_GAP 16

struct TermBuilder {
  uint64_t first, n;   /* sequence numbers [first, first + n); n 0: empty */
  uint32_t *end;       /* end offset of each entry in data */
  size_t capend;
  unsigned char *data;
  size_t len, cap;
  unsigned char *out;  /* the block value, made by flush */
  size_t capout;
  bool stored;         /* reopened from the store: rewrite it in place */
};

static uint32_t rd32(const unsigned char *p) {
  uint32_t v;
  memcpy(&v, p, sizeof v);
  return v;
}

static void wr32(unsigned char *p, uint32_t v) { memcpy(p, &v, sizeof v); }

void termstore_builder_free(TermBuilder *b) {
  if (!b) return;
  free(b->end);
  free(b->data);
  free(b->out);
  free(b);
}

/* Room for k more entries and len more bytes; -1: out of memory. */
static int reserve(TermBuilder *b, size_t k, size_t len) {
  if (b->n + k > b->capend) {
    size_t cap = b->capend ? b->capend : 64;
    while (cap < b->n + k) cap *= 2;
    uint32_t *e = realloc(b->end, cap * sizeof *e);
    if (!e) return -1;
    b->end = e;
    b->capend = cap;
  }
  if (b->len + len > b->cap) {
    size_t cap = b->cap ? b->cap : 2048;
    while (cap < b->len + len) cap *= 2;
    unsigned char *d = realloc(b->data, cap);
    if (!d) return -1;
    b->data = d;
    b->cap = cap;
  }
  return 0;
}

/* Write the builder's block under its first sequence number (replacing
 * the stored block it was reopened from) and empty it. */
static int write_block(MDB_txn *txn, MDB_dbi dbi, TermBuilder *b) {
  if (b->n == 0) return 0;
  size_t size = 4 + 4 * b->n + b->len;
  if (size > b->capout) {
    unsigned char *o = realloc(b->out, size);
    if (!o) return ENOMEM;
    b->out = o;
    b->capout = size;
  }
  wr32(b->out, (uint32_t)b->n);
  for (uint64_t i = 0; i < b->n; ++i) wr32(b->out + 4 + 4 * i, b->end[i]);
  if (b->len) memcpy(b->out + 4 + 4 * b->n, b->data, b->len);
  MDB_val k = {sizeof b->first, &b->first}, v = {size, b->out};
  /* A new block lies past the last one: appending fills pages (a split
   * would leave them half empty). */
  int rc = mdb_put(txn, dbi, &k, &v, b->stored ? 0 : MDB_APPEND);
  b->n = b->len = 0;
  b->stored = false;
  return rc;
}

/* A block's entry count and its bytes' start; false if malformed. */
static bool block_parse(const MDB_val *v, uint64_t *n, const unsigned char **bytes) {
  if (v->mv_size < 4) return false;
  const unsigned char *p = v->mv_data;
  *n = rd32(p);
  if (*n == 0 || v->mv_size < 4 + 4 * *n) return false;
  *bytes = p + 4 + 4 * *n;
  return rd32(p + 4 * *n) <= v->mv_size - 4 - 4 * *n; /* last end fits */
}

/* Reopen the last stored block into b when seq can extend it. */
static int reopen_last(MDB_txn *txn, MDB_dbi dbi, TermBuilder *b, uint64_t seq) {
  MDB_cursor *cur;
  int rc = mdb_cursor_open(txn, dbi, &cur);
  if (rc) return rc;
  MDB_val k, v;
  rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
  uint64_t first, n;
  const unsigned char *bytes;
  if (rc == 0 && k.mv_size == sizeof first && block_parse(&v, &n, &bytes)) {
    memcpy(&first, k.mv_data, sizeof first);
    size_t len = rd32((const unsigned char *)v.mv_data + 4 * n);
    if (seq >= first + n && seq - (first + n) <= BLOCK_GAP && n < BLOCK_TERMS &&
        v.mv_size < BLOCK_BYTES && reserve(b, n, len) == 0) {
      b->first = first;
      b->n = n;
      for (uint64_t i = 0; i < n; ++i) b->end[i] = rd32((const unsigned char *)v.mv_data + 4 + 4 * i);
      memcpy(b->data, bytes, len);
      b->len = len;
      b->stored = true;
    }
  }
  mdb_cursor_close(cur);
  return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Add entry seq to b, writing b's block first when seq does not fit. */
static int builder_add(MDB_txn *txn, MDB_dbi dbi, TermBuilder *b, uint64_t seq,
                       const void *data, size_t len) {
  if (b->n) {
    uint64_t next = b->first + b->n;
    if (seq < next) return EINVAL;
    uint64_t gap = seq - next;
    if (gap > BLOCK_GAP || b->n + gap >= BLOCK_TERMS ||
        4 + 4 * (b->n + gap + 1) + b->len + len > BLOCK_BYTES) {
      int rc = write_block(txn, dbi, b);
      if (rc) return rc;
    }
  }
  if (b->n == 0) b->first = seq;
  uint64_t gap = seq - (b->first + b->n);
  if (reserve(b, gap + 1, len)) return ENOMEM;
  for (uint64_t i = 0; i < gap; ++i) b->end[b->n++] = (uint32_t)b->len;
  if (len) memcpy(b->data + b->len, data, len);
  b->len += len;
  b->end[b->n++] = (uint32_t)b->len;
  return 0;
}

TrineStatus termstore_append(TrineTxn *t, uint64_t seq, const void *data, size_t len) {
  TrineStore *s = t->store;
  if (!t->write) return store_error(s, TRINE_ERR_READONLY, "read-only transaction");
  if (len > UINT32_MAX - BLOCK_BYTES)
    return store_error(s, TRINE_ERR_UNSUPPORTED, "term longer than 4 GiB");
  int rc = 0;
  if (!t->builder) {
    if (!(t->builder = calloc(1, sizeof *t->builder)))
      return store_error(s, TRINE_ERR_NOMEM, "out of memory");
    rc = reopen_last(t->txn, s->terms, t->builder, seq);
  }
  if (!rc) rc = builder_add(t->txn, s->terms, t->builder, seq, data, len);
  t->new_terms++;
  return rc ? store_mdb_error(s, rc, "cannot add term") : TRINE_OK;
}

TrineStatus termstore_flush(TrineTxn *t) {
  if (!t->builder) return TRINE_OK;
  int rc = write_block(t->txn, t->store->terms, t->builder);
  return rc ? store_mdb_error(t->store, rc, "cannot add term") : TRINE_OK;
}

/* Position cur on the block holding seq: the last key not above it. */
static int seek_block(MDB_cursor *cur, uint64_t seq, MDB_val *k, MDB_val *v) {
  *k = (MDB_val){sizeof seq, &seq};
  int rc = mdb_cursor_get(cur, k, v, MDB_SET_RANGE);
  if (rc == MDB_NOTFOUND) return mdb_cursor_get(cur, k, v, MDB_LAST);
  if (rc) return rc;
  uint64_t first;
  memcpy(&first, k->mv_data, sizeof first);
  return first == seq ? 0 : mdb_cursor_get(cur, k, v, MDB_PREV);
}

/* Use the block at the cursor if it holds seq. */
static bool take_block(const MDB_val *k, const MDB_val *v, uint64_t seq, TermReader *r) {
  uint64_t first, n;
  const unsigned char *bytes;
  if (k->mv_size != sizeof first || !block_parse(v, &n, &bytes)) return false;
  memcpy(&first, k->mv_data, sizeof first);
  if (seq < first || seq - first >= n) return false;
  *r = (TermReader){r->cur, first, n, v->mv_data, 0, false, {0}};
  return true;
}

/* Use a block found from the pages (peek.h: key first, value bytes[0, n),
 * at at) if it holds seq; the reader keeps where it is. */
static bool take_peeked(TermReader *r, uint64_t seq, uint64_t first, const unsigned char *bytes,
                        size_t n, PeekAt at) {
  if (!take_block(&(MDB_val){sizeof first, &first}, &(MDB_val){n, (void *)bytes}, seq, r))
    return false;
  r->peeked = true;
  r->at = at;
  return true;
}

/* A column's next id is most often in the block after the last one; a
 * step there is tried when the id is no further on than about a block's
 * ids (else it only adds a cursor move to the seek). */
bool termstore_get_stepping(TrineTxn *t, TermReader *r, uint64_t seq, const void **data,
                            size_t *len) {
  if (t->write || !r->block || (!r->cur && !r->peeked) || seq < r->first + r->n ||
      seq - r->first >= 2 * r->n)
    return termstore_get_near(r, seq, data, len);
  MDB_val k, v;
  uint64_t first;
  const unsigned char *bytes;
  size_t n;
  if (r->peeked) { /* the next block, from the pages as peek_floor() found this one */
    PeekAt at = r->at;
    if (peek_next(t, &at, &first, &bytes, &n) != PEEK_FOUND ||
        !take_peeked(r, seq, first, bytes, n, at))
      return false; /* r is as it was: a descent follows */
    return termstore_get_near(r, seq, data, len);
  }
  uint64_t nterms;
  if (mdb_cursor_get(r->cur, &k, &v, MDB_NEXT) || k.mv_size != sizeof first ||
      !block_parse(&v, &nterms, &bytes)) {
    r->block = NULL; /* the cursor moved on */
    return false;
  }
  memcpy(&first, k.mv_data, sizeof first);
  *r = (TermReader){r->cur, first, nterms, v.mv_data, 0, false, {0}}; /* where the cursor is */
  return termstore_get_near(r, seq, data, len);
}

TrineStatus termstore_get(TrineTxn *t, TermReader *r, uint64_t seq, const void **data,
                          size_t *len) {
  TermBuilder *b = t->builder;
  if (b && b->n && seq >= b->first && seq - b->first < b->n) { /* not written yet */
    uint32_t from = seq > b->first ? b->end[seq - b->first - 1] : 0;
    *data = b->data + from;
    *len = b->end[seq - b->first] - from;
    return *len ? TRINE_OK : store_error(t->store, TRINE_ERR_CORRUPT, "unknown term id");
  }
  /* No reader given: the txn's own. In a write txn its cursor stays
   * valid, but a write may move the block: never reuse one there. */
  if (!r || t->write) r = &t->terms;
  if (t->write) r->block = NULL;
  if (termstore_get_stepping(t, r, seq, data, len)) return TRINE_OK;
  return termstore_get_seek(t, r, seq, data, len);
}

TrineStatus termstore_get_seek(TrineTxn *t, TermReader *r, uint64_t seq, const void **data,
                               size_t *len) {
  TrineStore *s = t->store;
  MDB_val k, v;
  uint64_t first;
  const unsigned char *bytes;
  size_t n;
  int rc = 0;
  /* From the pages themselves where peek can (a read txn), else LMDB's
   * cursor, which also tells what is wrong. */
  PeekAt at;
  bool found = peek_floor(t, seq, &first, &bytes, &n, &at) == PEEK_FOUND &&
               take_peeked(r, seq, first, bytes, n, at);
  if (!found) {
    if (!r->cur) rc = mdb_cursor_open(t->txn, s->terms, &r->cur);
    if (!rc && (rc = seek_block(r->cur, seq, &k, &v)) == 0) found = take_block(&k, &v, seq, r);
  }
  if (!found) r->block = NULL;
  if (rc && rc != MDB_NOTFOUND) return store_mdb_error(s, rc, "cannot read term");
  if (!r->block) return store_error(s, TRINE_ERR_CORRUPT, "unknown term id");
  termstore_entry(r->block, r->n, seq - r->first, data, len);
  return *len ? TRINE_OK : store_error(s, TRINE_ERR_CORRUPT, "unknown term id");
}

void termstore_reader_close(TermReader *r) {
  if (r->cur) mdb_cursor_close(r->cur);
  *r = (TermReader){0};
}

int termstore_convert(MDB_txn *txn, MDB_dbi from, MDB_dbi to, uint64_t *count) {
  *count = 0;
  TermBuilder b = {0};
  MDB_cursor *cur;
  int rc = mdb_cursor_open(txn, from, &cur);
  if (rc) return rc;
  MDB_val k, v;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    uint64_t seq;
    if (k.mv_size != sizeof seq || v.mv_size == 0) { rc = MDB_CORRUPTED; break; }
    memcpy(&seq, k.mv_data, sizeof seq);
    if ((rc = builder_add(txn, to, &b, seq, v.mv_data, v.mv_size))) break;
    ++*count;
  }
  mdb_cursor_close(cur);
  if (rc == MDB_NOTFOUND) rc = write_block(txn, to, &b);
  free(b.end);
  free(b.data);
  free(b.out);
  return rc;
}
