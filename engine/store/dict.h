/*
 * dict.h -- the term dictionary: every RDF term <-> a 64-bit id.
 *
 * An id is (kind << 60) | sequence number. IRIs and literals are stored
 * by sequence number (termstore.h; ids only grow) and found again through
 * hash2id: hash(encoded term) -> ids, checking the bytes on every hit so that
 * hash collisions are harmless. Blank nodes have no entry: a blank node is
 * its id, written as the label "b<hex sequence>". Document labels are
 * scoped: within one load (or write transaction) a label maps to one fresh
 * blank node, remembered in the bnodes database.
 */
#ifndef TRINE_DICT_H
#define TRINE_DICT_H

#include "env.h"

#define ID_KIND_SHIFT 60
#define ID_SEQ_MASK ((UINT64_C(1) << ID_KIND_SHIFT) - 1)

enum { IDK_NONE = 0, IDK_IRI = 1, IDK_BLANK = 2, IDK_LITERAL = 3 };

static inline unsigned id_kind(TrineId id) { return (unsigned)(id >> ID_KIND_SHIFT); }
static inline uint64_t id_seq(TrineId id) { return id & ID_SEQ_MASK; }
static inline TrineId id_make(unsigned kind, uint64_t seq) {
  return ((TrineId)kind << ID_KIND_SHIFT) | seq;
}

/// A growable byte buffer.
typedef struct {
  char *data;
  size_t len, cap;
} Buf;

int buf_reserve(Buf *b, size_t extra);
int buf_append(Buf *b, const void *data, size_t len);
void buf_free(Buf *b);

/// The default term hash (64-bit, fast, good mixing).
uint64_t dict_hash(const void *data, size_t len);

/**
 * Canonical bytes of an IRI or literal term into b (cleared first):
 * 'I' iri | 'S' lexical | 'G' varint(n) lang lexical | 'T' varint(n) dt lexical.
 * Language tags are lowercased; xsd:string becomes 'S'.
 * @return 0, or -1 on out of memory or an unencodable term (blank, none).
 */
int dict_encode(const TrineTerm *t, Buf *b);

/// Like dict_encode() but appending to b; blank nodes encode as 'B' label
/// (the form dict_cache_intern_encoded() takes, never stored).
int dict_encode_append(const TrineTerm *t, Buf *b);

/// Decode canonical bytes (as stored) into a term viewing them: 0, or -1
/// when they are malformed. Inline: every term of a result passes here.
static inline int dict_decode_bytes(const void *data, size_t len, TrineTerm *out) {
  const unsigned char *p = data;
  *out = (TrineTerm){0};
  if (len < 1) return -1;
  size_t pos = 1;
  switch (p[0]) {
  case 'I': out->kind = TRINE_TERM_IRI; break;
  case 'S': out->kind = TRINE_TERM_LITERAL; break;
  case 'G': case 'T': {
    out->kind = TRINE_TERM_LITERAL;
    size_t n = 0; /* a varint: 7 bits a byte, low first */
    for (int shift = 0; pos < len && shift < 64; shift += 7) {
      unsigned char c = p[pos++];
      n |= (size_t)(c & 0x7f) << shift;
      if (!(c & 0x80)) break;
    }
    if (n > len - pos) return -1;
    if (p[0] == 'G') { out->lang = (const char *)p + pos; out->lang_len = n; }
    else { out->datatype = (const char *)p + pos; out->datatype_len = n; }
    pos += n;
    break;
  }
  default: return -1;
  }
  out->value = (const char *)p + pos;
  out->value_len = len - pos;
  return 0;
}

/// Per-batch cache of interned terms used by the bulk loader.
typedef struct DictCache DictCache;

DictCache *dict_cache_new(void);
void dict_cache_free(DictCache *c);

/**
 * The id of term, creating it if new (stores its bytes at once; hash2id and
 * the blank scope are written by dict_cache_flush()). Blank labels are
 * always scoped to the transaction.
 */
TrineStatus dict_cache_intern(TrineTxn *txn, DictCache *c, const TrineTerm *t,
                              TrineId *id);

/// dict_cache_intern() for a term already encoded (dict_encode_append())
/// and hashed with the store's hash function (so another thread can do both).
TrineStatus dict_cache_intern_encoded(TrineTxn *txn, DictCache *c, const char *enc,
                                      size_t len, uint64_t hash, TrineId *id);

/// Write the batch's new hash2id entries (sorted) and forget the batch.
TrineStatus dict_cache_flush(TrineTxn *txn, DictCache *c);

/// Bytes the cache holds (to bound batches).
size_t dict_cache_bytes(const DictCache *c);

/// The sequence number the next new term would get: terms made so far.
uint64_t dict_next_seq(TrineTxn *txn);

/**
 * The id of an existing term, without creating it. Blank labels of the form
 * "b<hex>" name existing blank nodes; other labels are looked up in the
 * transaction's scope.
 * @return TRINE_OK, TRINE_NOT_FOUND or an error.
 */
TrineStatus dict_lookup(TrineTxn *txn, const TrineTerm *t, TrineId *id);

/// The id of a term, creating it when new (single-term path, no cache).
TrineStatus dict_intern(TrineTxn *txn, const TrineTerm *t, TrineId *id);

/// The size of dict_term_kept()'s buffer (termcache.h's TERMCACHE_BYTES).
#define DICT_KEPT_BYTES 112

/**
 * The term of an id. Views point into the snapshot (valid until the txn
 * ends) or, for blank labels, into scratch.
 */
TrineStatus dict_term(TrineTxn *txn, TrineId id, TrineTerm *out,
                      char scratch[24]);

/**
 * dict_term through a reader of the caller's (zeroed at first; the caller
 * closes it with termstore_reader_close()): a reader keeps the block of
 * terms it read last, so a sequence of nearby ids (one result column)
 * mostly reads without LMDB. Write txns ignore r.
 */
TrineStatus dict_term_at(TrineTxn *txn, TermReader *r, TrineId id, TrineTerm *out,
                         char scratch[24]);

/**
 * dict_term_at in a read txn, for terms handed out one at a time (a result
 * column): an id not in r's block is taken from the store's cache of terms
 * (termcache.h) when there, copied into buf, before a B-tree descent, and
 * put there after one. Views point into the snapshot or into buf (valid
 * until its next use).
 */
TrineStatus dict_term_kept(TrineTxn *txn, TermReader *r, TrineId id, TrineTerm *out,
                           char buf[DICT_KEPT_BYTES]);

/// Reset the blank-label scope (start of a load or write transaction).
TrineStatus dict_scope_reset(TrineTxn *txn);

#endif
