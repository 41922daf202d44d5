/*
 * page.h -- the query page: the HTML at / (with the store's saved prefixes)
 * and its scripts and styles at /page/NAME, all compiled into the binary.
 */
#ifndef TRINE_PAGE_H
#define TRINE_PAGE_H

#include "trine.h"

#include <stdbool.h>
#include <stddef.h>

/// What GET on one of the page's paths answers.
typedef struct {
  const void *data;  ///< the body: static, or `owned`
  size_t len;
  const char *type;  ///< its Content-Type (static)
  char *owned;       ///< non-NULL: data was allocated, the caller frees it
} PageFile;

/// Whether path is the page's: "/" or under "/page/".
bool page_is(const char *path);

/**
 * The file at path: "/" is the page with store's prefixes (allocated),
 * "/page/NAME" one of the compiled-in files (static; names are matched
 * exactly, so no path reaches the file system).
 * @return TRINE_OK, TRINE_NOT_FOUND (no such file), TRINE_ERR_NOMEM or
 *         the error of reading the prefixes.
 */
TrineStatus page_get(const char *path, TrineStore *store, PageFile *out);

#endif
