/*
 * page_assets.h -- the query page's files, compiled in from server/assets/
 * and Debian's libjs-codemirror by server/assets/embed.py (page_assets.c is
 * generated in the build directory).
 */
#ifndef TRINE_PAGE_ASSETS_H
#define TRINE_PAGE_ASSETS_H

#include <stddef.h>

/// One file: its base name, content type and bytes (static, not NUL-ended).
typedef struct {
  const char *name;
  const char *type;
  const unsigned char *data;
  size_t len;
} PageAsset;

extern const PageAsset page_assets[];
extern const size_t page_nassets;

#endif
