/*
 * testutil.h -- helpers shared by the unit tests: temporary directories and
 * stores, files, dumps and the canonical text of a term. Functions that
 * return a status are for cmocka setup/teardown; the others assert.
 */
#ifndef TRINE_TESTUTIL_H
#define TRINE_TESTUTIL_H

#include "trine.h"

#include <stddef.h>

/* A new directory /tmp/trine-test-TAG-XXXXXX (malloc'd), or NULL. */
char *tu_tmpdir(const char *tag);

/* Remove dir with everything below it, then free dir. */
void tu_rmtree(char *dir);

/* Open (or create) the store dir/sub, or dir itself when sub is NULL. */
TrineStatus tu_open_in(const char *dir, const char *sub, TrineStore **out);

/* A store in a temporary directory of its own. */
typedef struct {
  char *dir;
  TrineStore *store;
} TuStore;

/* Make a temporary directory (see tu_tmpdir) and open a store in it
 * (sub NULL) or in its subdirectory sub. 0, or -1 on failure. */
int tu_store_open(TuStore *t, const char *tag, const char *sub);

/* Close the store, remove the directory and zero *t. */
void tu_store_close(TuStore *t);

/* For cmocka setups and teardowns: *state becomes a calloc'd TuStore opened
 * by tu_store_open(); tu_teardown() closes and frees it. 0, or -1. */
int tu_setup(void **state, const char *tag, const char *sub);
int tu_teardown(void **state);

/* Write len bytes of text to path (asserts). */
void tu_write_file(const char *path, const char *text, size_t len);

/* Store s (graph g, or all when NULL) dumped as fmt: malloc'd, NUL-ended,
 * its length in *len unless len is NULL (asserts). */
char *tu_dump(TrineStore *s, TrineFormat fmt, const TrineTerm *g, size_t *len);

/* The canonical N-Triples text of t, malloc'd and NUL-ended (asserts). */
char *tu_term_text(const TrineTerm *t);

/* Run the update text (allowed to write) to its end: its status. */
TrineStatus tu_update(TrineStore *s, const char *text);

#endif
