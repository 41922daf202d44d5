/*
 * format1.h -- the format 1 store of tests/unit/data/format1 (TEST_DATA),
 * copied, looked at and verified after its upgrade was interrupted.
 */
#ifndef TRINE_CRASH_FORMAT1_H
#define TRINE_CRASH_FORMAT1_H

#include "trine.h"

#include <stddef.h>

/* A new directory dir (removed first) holding a copy of the store. 0, or -1. */
int format1_copy(const char *dir);

/* Whether the store in dir is still format 1: 1; 0 when upgraded; -1
 * when it is neither (trine_open_errmsg() says why). */
int format1_state(const char *dir);

/* Open dir read-write (upgrading it), require its six quads as dumped
 * and a sound check. 0, or -1 with why. */
int format1_verify(const char *dir, char *why, size_t size);

#endif
