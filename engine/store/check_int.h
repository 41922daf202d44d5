/*
 * check_int.h -- what the files of trine_store_check() share: check.c
 * (the driver, meta, terms, hash2id, statistics) and check_index.c (the
 * six indexes).
 */
#ifndef TRINE_CHECK_INT_H
#define TRINE_CHECK_INT_H

#include "dict.h"
#include "index.h"

/// An order-independent fingerprint of a set of quads: how many, and two
/// sums of 64-bit hashes of each (g, s, p, o).
typedef struct {
  uint64_t n, h1, h2;
} Fingerprint;

/// The recount of one predicate: c[0] quads, c[1] distinct subjects,
/// c[2] distinct objects (over all graphs, as stats.c keeps them).
typedef struct {
  TrineId id;
  bool used, seen;
  uint64_t c[3];
} PredCount;

/// The recount of one graph (0: the default graph).
typedef struct {
  TrineId id;
  uint64_t quads;
} GraphCount;

/// What a stored sequence number holds (2 bits each in Check.kinds).
enum { KIND_NONE, KIND_IRI, KIND_LITERAL, KIND_BAD };

/// A term's (hash, id) pair, for the merge with hash2id.
typedef struct {
  uint64_t hash;
  TrineId id;
} HashId;

/// The pairs of one pass: the terms whose hash falls in part `part` of
/// `parts` equal ranges.
typedef struct {
  HashId *v;
  size_t n, cap, limit;
  uint64_t part, parts;
  bool full; ///< the pass met more terms than limit: it needs parts
} Pairs;

/// Cursors open at once at most (a crash leaves them to close).
enum { CHECK_CURSORS = 8 };

typedef struct {
  TrineStore *s;
  TrineTxn *t;              ///< the read snapshot checked
  TrineCheckFn report;
  void *ctx;
  TrineCheckStats st;
  bool stopped;             ///< report asked to stop
  TrineStatus err;          ///< a failure that ended the check
  uint64_t next;            ///< meta "next"
  unsigned char *kinds;     ///< KIND_* of each sequence number below nkinds
  uint64_t nkinds;
  TrineId last_ok[4];       ///< per position, the last id found sound
  Fingerprint all[IDX_COUNT];   ///< every record of each index
  Fingerprint named[IDX_COUNT]; ///< its records of named graphs
  bool odd[IDX_COUNT];      ///< the index disagrees with the others
  PredCount *preds;         ///< open addressing on the id
  size_t pmask, pused;
  GraphCount *graphs;       ///< GSPO's keys in order, with their records
  size_t ngraphs, capgraphs;
  TermReader reader;        ///< terms read for messages
  Pairs pairs;
  MDB_cursor *cursors[CHECK_CURSORS]; ///< open cursors (guard.h: closed after a crash)
  const char *where;        ///< the database being read
  char msg[2048];
} Check;

static inline bool check_done(const Check *c) { return c->stopped || c->err; }

/// Report problem p, its message made from fmt; counts it.
void check_report(Check *c, TrineCheckProblem *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/// LMDB failed with rc reading where: reported, and the check stops.
void check_lmdb(Check *c, const char *where, int rc);

/// Out of memory: the check stops.
void check_nomem(Check *c);

/// A cursor on dbi (named where in messages), remembered until
/// check_cursor_close(): NULL on an error (reported).
MDB_cursor *check_cursor(Check *c, MDB_dbi dbi, const char *where);
void check_cursor_close(Check *c, MDB_cursor *cur);

/// What sequence number seq stores (KIND_NONE past the map).
static inline unsigned check_kind(const Check *c, uint64_t seq) {
  return seq < c->nkinds ? (c->kinds[seq >> 2] >> (2 * (seq & 3))) & 3 : KIND_NONE;
}

/// A term as messages show it: <iri>, "literal", _:bN, or its id when it
/// has no readable bytes. Written to buf (n bytes), returned.
const char *check_term(Check *c, TrineId id, char *buf, size_t n);

/// The recount of predicate p (made at zero); NULL when out of memory.
PredCount *check_pred(Check *c, TrineId p);

/**
 * Read the six indexes once: their fingerprints, the ids of every quad,
 * the quads per graph and the predicates' recounts; then, for an index
 * whose fingerprint differs, read it again to name the quads it lacks or
 * holds in excess.
 */
void check_indexes(Check *c);

#endif
