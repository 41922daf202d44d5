/*
 * prefix.h -- the saved prefixes read in a transaction of the caller's
 * (for the dumper, which reads them in its own snapshot).
 */
#ifndef TRINE_PREFIX_H
#define TRINE_PREFIX_H

#include "env.h"

/// Visit the saved prefixes in name order as txn sees them; fn's non-zero
/// stops the visit (still TRINE_OK).
TrineStatus prefix_each(TrineTxn *txn, TrinePrefixFn fn, void *ctx);

#endif
