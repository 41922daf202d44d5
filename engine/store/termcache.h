/*
 * termcache.h -- ids of stored terms by their encoded bytes, remembered
 * from one query to the next.
 *
 * Looking a constant up costs two B-tree descents (its hash in hash2id,
 * then its bytes in their block, against a collision), about 3,000
 * instructions: the constants of a small query cost as much as its
 * join. Queries name the same predicates and classes again and again.
 * A store's dictionary only grows (an id, once committed, keeps its term),
 * so an id found once stays right for every snapshot that holds it: one
 * whose next sequence number is above it. Only committed ids are put in.
 * Direct-mapped, terms of up to TERMCACHE_BYTES encoded bytes. Safe to use
 * from any thread.
 *
 * The other way, the encoded bytes of committed ids read by a B-tree
 * descent (a result's terms handed out: about 1,200 instructions each,
 * against 150 from here), are remembered too, as a node cache does in
 * other stores (Jena TDB's, RDF4J's): popular terms (predicates,
 * classes, hubs) come back query after query. A reader gets a copy.
 */
#ifndef TRINE_TERMCACHE_H
#define TRINE_TERMCACHE_H

#include <trine.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct TermCache TermCache;

/// The longest encoded term remembered (most IRIs fit).
#define TERMCACHE_BYTES 112

/// A new, empty cache (NULL when out of memory: then lookups go to LMDB).
TermCache *termcache_new(void);

/// Free the cache (NULL is ignored).
void termcache_free(TermCache *c);

/// The id remembered for the encoded term enc (len bytes, hash h), in
/// *id: true; else false. The caller checks its snapshot holds the id.
bool termcache_get(TermCache *c, uint64_t h, const void *enc, size_t len, TrineId *id);

/// Remember id (committed) for the encoded term enc (len bytes, hash h).
/// Terms longer than the cache keeps are not remembered.
void termcache_put(TermCache *c, uint64_t h, const void *enc, size_t len, TrineId id);

/// The encoded bytes remembered for committed id, copied into buf (*len of
/// them): true; else false.
bool termcache_bytes(TermCache *c, TrineId id, char buf[TERMCACHE_BYTES], size_t *len);

/// Remember the encoded bytes of committed id (not when longer than
/// TERMCACHE_BYTES).
void termcache_put_bytes(TermCache *c, TrineId id, const void *enc, size_t len);

#endif
