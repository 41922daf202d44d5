/*
 * pool.h -- large row buffers kept from one query to the next.
 *
 * Memory fresh from the kernel costs a page fault per 4 KiB on first touch,
 * and the C library hands big blocks back to the kernel when a query frees
 * them: a query making a few MiB of intermediate rows spent a fifth of its
 * time in page faults. The pool keeps a few freed buffers per store (at most
 * POOL_SLOTS, POOL_MAX_BYTES in all) for the next query to reuse. Safe to
 * use from any thread.
 */
#ifndef TRINE_POOL_H
#define TRINE_POOL_H

#include <stddef.h>

typedef struct Pool Pool;

/// A new, empty pool (NULL when out of memory).
Pool *pool_new(void);

/// Free the pool and every buffer it holds.
void pool_free(Pool *p);

/**
 * A buffer of at least bytes (NULL when out of memory); *got: its real size.
 * The caller owns it and gives it back with pool_put() (or free()).
 */
void *pool_get(Pool *p, size_t bytes, size_t *got);

/// Give a buffer of size bytes (as got from pool_get) back; NULL is ignored.
void pool_put(Pool *p, void *buf, size_t bytes);

#endif
