/*
 * page.c -- the query page. Its files are compiled in (page_assets.c); the
 * HTML gets the store's saved prefixes as JSON in a script element that is
 * data, never run, with '<' '>' '&' escaped so no text can end the element.
 */
#include "page.h"

#include "page_assets.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char PAGE_DIR[] = "/page/";
static const char MARKER[] = "<!--PREFIXES-->";

bool page_is(const char *path) {
  return strcmp(path, "/") == 0 || strncmp(path, PAGE_DIR, sizeof PAGE_DIR - 1) == 0;
}

static const PageAsset *asset(const char *name) {
  for (size_t i = 0; i < page_nassets; ++i)
    if (strcmp(page_assets[i].name, name) == 0) return &page_assets[i];
  return NULL;
}

/* s as a JSON string, with every character that could end the script
 * element or a string escaped. */
static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; ++s) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&')
      fprintf(f, "\\u%04x", c);
    else
      fputc(c, f);
  }
  fputc('"', f);
}

typedef struct {
  FILE *f;
  bool first;
} PrefixJson;

static int one_prefix(void *ctx, const char *name, const char *iri) {
  PrefixJson *j = ctx;
  if (!j->first) fputc(',', j->f);
  j->first = false;
  json_string(j->f, name);
  fputc(':', j->f);
  json_string(j->f, iri);
  return 0;
}

/* The page: page.html with the prefixes where its marker is. */
static TrineStatus page_html(TrineStore *store, PageFile *out) {
  const PageAsset *html = asset("page.html");
  const char *at = html ? memmem(html->data, html->len, MARKER, sizeof MARKER - 1) : NULL;
  if (!at) return TRINE_ERR_INTERNAL;
  size_t head = (size_t)(at - (const char *)html->data);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return TRINE_ERR_NOMEM;
  fwrite(html->data, 1, head, f);
  PrefixJson j = {f, true};
  fputc('{', f);
  TrineStatus st = trine_store_prefixes(store, one_prefix, &j);
  fputc('}', f);
  size_t tail = head + sizeof MARKER - 1;
  fwrite((const char *)html->data + tail, 1, html->len - tail, f);
  if (fclose(f) != 0 && st == TRINE_OK) st = TRINE_ERR_NOMEM;
  if (st != TRINE_OK) {
    free(buf);
    return st;
  }
  *out = (PageFile){buf, len, html->type, buf};
  return TRINE_OK;
}

TrineStatus page_get(const char *path, TrineStore *store, PageFile *out) {
  if (strcmp(path, "/") == 0) return page_html(store, out);
  if (strncmp(path, PAGE_DIR, sizeof PAGE_DIR - 1) != 0) return TRINE_NOT_FOUND;
  const PageAsset *a = asset(path + sizeof PAGE_DIR - 1);
  if (!a || strcmp(a->name, "page.html") == 0) return TRINE_NOT_FOUND;
  *out = (PageFile){a->data, a->len, a->type, NULL};
  return TRINE_OK;
}
