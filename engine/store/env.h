/*
 * env.h -- what every store module shares: the LMDB environment behind a
 * TrineStore and the record of a transaction, the index permutations, the
 * error plumbing (only env.c maps LMDB codes) and big-endian ids.
 */
#ifndef TRINE_ENV_H
#define TRINE_ENV_H

#include "trine.h"

#include <lmdb.h>
#include <stdatomic.h>
#include <string.h>

/// The six quad index permutations (see docs/architecture.md).
/// G-first indexes hold every quad; S/P/O-first only named-graph quads,
/// because the only SPARQL patterns with an unbound graph range over
/// named graphs (GRAPH ?g), while default-graph patterns bind g = 0.
typedef enum {
  IDX_GSPO, IDX_GPOS, IDX_GOSP, /* all quads, key g */
  IDX_SPOG, IDX_POSG, IDX_OSPG, /* named-graph quads, key s / p / o */
  IDX_COUNT
} IndexId;

/// The on-disk format (meta "format"). Format 2: terms in blocks
/// (termstore.h); format 1 kept one id2term record per term, and opening
/// one read-write upgrades it (store.c).
#define FORMAT_VERSION 2

/// Quad positions.
enum { Q_S = 0, Q_P = 1, Q_O = 2, Q_G = 3 };

/// For each index, the quad positions in key order (key first).
extern const int index_order[IDX_COUNT][4];
extern const char *const index_name[IDX_COUNT];

struct TrineStoreImpl {
  MDB_env *env;
  MDB_dbi meta;      ///< "format", "next" (next term sequence number), "terms"
  MDB_dbi terms;     ///< first sequence number (native u64) -> block of terms (termstore.h)
  MDB_dbi hash2id;   ///< hash (native u64) -> ids (dupsort, u64)
  MDB_dbi bnodes;    ///< scoped blank label -> id, emptied per load/txn
  MDB_dbi stats;     ///< "T", 'g'+id, 'p'+id -> counters
  MDB_dbi idx[IDX_COUNT];
  bool readonly;
  bool created;      ///< trine_store_open() made this store
  _Atomic(const void *) writer; ///< the thread holding the write txn (txn.c)
  atomic_size_t live_txns;      ///< transactions not yet ended
  atomic_size_t live_queries;   ///< queries not yet freed
  TrineBusyFn busy;  ///< called while a write waits for another writer
  void *busy_ctx;
  TrineErrorSink sink;
  void *sink_ctx;
  char errmsg[1024];
  uint64_t (*hash)(const void *data, size_t len); ///< term hash (tests swap it)
  size_t batch_quads; ///< the loader's batch (0: its default; tests make it small)
  size_t check_terms; ///< terms trine_store_check() sorts at once (0: its default; tests too)
  struct Pool *pool; ///< row buffers kept across queries (pool.h)
  struct TermCache *known; ///< ids of stored terms by their bytes, kept across
                           ///< queries (termcache.h; NULL: none)
  struct SnapMemo *memo; ///< statistics and counts per committed state, kept
                         ///< across queries (snapmemo.h; NULL: none)
  _Atomic(MDB_txn *) spare; ///< a read txn's LMDB handle, reset, for the next
                            ///< read txn to renew (txn.c; NULL: none)
  char *path;        ///< the store's directory as opened (LMDB's own names a copy's)
  const char *real;  ///< its real path, while registered as open (store.c)
  int lock_fd;       ///< LMDB's lock file, opened by compact.c (-1: not yet; store.h)
};

typedef struct StatsDelta StatsDelta;

/// The block of terms a write transaction is filling (termstore.c).
typedef struct TermBuilder TermBuilder;

/// A record found on a leaf page by peek_floor() (peek.h).
typedef struct {
  const unsigned char *leaf;   ///< the page (NULL: none)
  const unsigned char *parent; ///< the branch page above it (NULL: none)
  unsigned i, pi;              ///< the record's node, the leaf's node in parent
} PeekAt;

/// Where a term reader last read: its cursor and block (termstore.h).
typedef struct {
  MDB_cursor *cur;
  uint64_t first, n;          ///< the block's sequence numbers [first, first + n)
  const unsigned char *block; ///< the block's value in the map (NULL: none)
  uint64_t cached;            ///< the last sequence number it took from the
                              ///< store's term cache instead (0: none)
  bool peeked;                ///< block was found by peek_floor() (peek.h):
                              ///< the cursor is not on it, at is
  PeekAt at;
} TermReader;

/// A read transaction's view of LMDB's map, for seeks read from its pages
/// (peek.h; zeroed: nothing found yet).
typedef struct {
  const unsigned char *base;   ///< page 0 (NULL: not found yet)
  size_t psize;                ///< LMDB's page size
  uint64_t npages;             ///< pages in the file, for the checks
  uint64_t root[IDX_COUNT + 1]; ///< each index's root page, then the terms'
                                ///< (0: not read yet)
  bool off;                    ///< seeks go to LMDB (the map was not found)
} PeekTxn;

struct TrineTxnImpl {
  TrineStore *store;
  MDB_txn *txn;
  bool write;
  uint64_t next_seq;      ///< next term sequence number (write txns)
  uint64_t start_seq;     ///< next_seq when the txn began
  uint64_t read_next;     ///< a read txn's next sequence number (0: not read yet)
  bool bnodes_cleared;    ///< the blank-label scope was reset in this txn
  StatsDelta *delta;      ///< pending statistics changes (write txns)
  uint64_t index_gen;     ///< bumped by every index write: scans' pages go stale
  TermReader terms;       ///< term reader of dict_term() and of lookups by value
  MDB_cursor *hash_cur;   ///< hash2id cursor of lookups by value in a read txn,
                          ///< kept to its end (NULL: none yet)
  TermBuilder *builder;   ///< the block new terms go to (write txns)
  uint64_t new_terms;     ///< terms added (write txns)
  int lock_fd;            ///< the data file, flock()ed by a writer (-1: none)
  TrineStatus failed;     ///< an operation run in it failed halfway: commit aborts
  PeekTxn peek;           ///< index seeks from LMDB's pages (read txns; peek.h)
};

/// Record an error on the store (and send it to the sink). Returns status.
TrineStatus store_error(TrineStore *s, TrineStatus status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/// Record a message of the calling thread (trine_open_errmsg()).
void store_thread_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * A call misused (a NULL handle or out-parameter, a handle in the wrong
 * state): TRINE_ERR_ARG, with "call: what" on the store when there is one,
 * else in the thread's message (trine_open_errmsg()).
 */
TrineStatus api_misuse(TrineStore *s, const char *call, const char *what);

/// Map an LMDB/errno code to a status and record "what: mdb_strerror(rc)".
TrineStatus store_mdb_error(TrineStore *s, int rc, const char *what);

/// Read the u64 stored under a meta key (0 when absent).
uint64_t store_meta_get(MDB_txn *txn, MDB_dbi dbi, const char *key);
int store_meta_put(MDB_txn *txn, MDB_dbi dbi, const char *key, uint64_t v);

/// Big-endian u64 coding for index keys and values (memcmp order).
/// One unaligned load and a byte swap: scans decode three per value.
static inline void be_put(unsigned char *p, uint64_t v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  memcpy(p, &v, sizeof v);
}
static inline uint64_t be_get(const unsigned char *p) {
  uint64_t v;
  memcpy(&v, p, sizeof v);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  v = __builtin_bswap64(v);
#endif
  return v;
}

#endif
