/*
 * prefix.c -- namespace prefixes saved in the store, for the shell and any
 * other client: keys "prefix:" NAME in the meta database, the IRI as value
 * (its bytes, no NUL). They change nothing about the data.
 */
#include "prefix.h"
#include "txn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX_KEY "prefix:"
#define PREFIX_KEY_LEN (sizeof PREFIX_KEY - 1)
#define PREFIX_NAME_MAX 200
#define PREFIX_IRI_MAX 4000

/* A SPARQL PN_PREFIX (or "" for the default prefix), ASCII-checked; bytes
 * of UTF-8 sequences are let through. */
static bool valid_name(const char *n) {
  size_t len = strlen(n);
  if (len > PREFIX_NAME_MAX) return false;
  for (size_t i = 0; i < len; ++i) {
    unsigned char c = (unsigned char)n[i];
    bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
    bool other = (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (i == 0 ? !letter : !(letter || other)) return false;
  }
  return len == 0 || n[len - 1] != '.';
}

/* An absolute IRI as IRIREF allows it: a scheme, no spaces or <>"{}|^`\. */
static bool valid_iri(const char *iri) {
  size_t len = strlen(iri);
  if (len == 0 || len > PREFIX_IRI_MAX || !strchr(iri, ':')) return false;
  for (const char *p = iri; *p; ++p)
    if ((unsigned char)*p <= 0x20 || strchr("<>\"{}|^`\\", *p)) return false;
  return true;
}

TrineStatus trine_store_set_prefix(TrineStore *s, const char *name, const char *iri) {
  if (!s) return api_misuse(NULL, "trine_store_set_prefix", "store is NULL");
  if (!name || !valid_name(name))
    return store_error(s, TRINE_ERR_ARG, "invalid prefix name '%.100s'", name ? name : "");
  if (iri && !valid_iri(iri))
    return store_error(s, TRINE_ERR_ARG, "invalid prefix IRI '%.200s': it must be absolute",
                       iri);
  char key[PREFIX_KEY_LEN + PREFIX_NAME_MAX + 1];
  memcpy(key, PREFIX_KEY, PREFIX_KEY_LEN);
  strcpy(key + PREFIX_KEY_LEN, name);
  TrineTxn *t;
  TrineStatus st = trine_txn_begin(s, true, &t);
  if (st) return st;
  MDB_val k = {strlen(key), key}, v = {iri ? strlen(iri) : 0, (void *)iri};
  int rc = iri ? mdb_put(t->txn, s->meta, &k, &v, 0) : mdb_del(t->txn, s->meta, &k, NULL);
  if (rc == MDB_NOTFOUND) {
    trine_txn_abort(t);
    return TRINE_NOT_FOUND;
  }
  if (rc) {
    trine_txn_abort(t);
    return store_mdb_error(s, rc, "cannot save prefix");
  }
  return trine_txn_commit(t);
}

TrineStatus prefix_each(TrineTxn *t, TrinePrefixFn fn, void *ctx) {
  TrineStore *s = t->store;
  MDB_cursor *cur;
  int rc = mdb_cursor_open(t->txn, s->meta, &cur);
  if (rc) return store_mdb_error(s, rc, "cannot read prefixes");
  MDB_val k = {PREFIX_KEY_LEN, (void *)PREFIX_KEY}, v;
  char *name = NULL, *iri = NULL;
  for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
    if (k.mv_size < PREFIX_KEY_LEN || memcmp(k.mv_data, PREFIX_KEY, PREFIX_KEY_LEN)) break;
    free(name);
    free(iri);
    name = strndup((const char *)k.mv_data + PREFIX_KEY_LEN, k.mv_size - PREFIX_KEY_LEN);
    iri = strndup(v.mv_data, v.mv_size);
    if (!name || !iri) {
      rc = ENOMEM;
      break;
    }
    if (fn(ctx, name, iri)) {
      rc = MDB_NOTFOUND;
      break;
    }
  }
  free(name);
  free(iri);
  mdb_cursor_close(cur);
  if (rc == ENOMEM) return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  if (rc && rc != MDB_NOTFOUND) return store_mdb_error(s, rc, "cannot read prefixes");
  return TRINE_OK;
}

TrineStatus trine_store_prefixes(TrineStore *s, TrinePrefixFn fn, void *ctx) {
  if (!s || !fn) return api_misuse(s, "trine_store_prefixes", s ? "fn is NULL" : "store is NULL");
  TrineTxn *t;
  bool owned;
  TrineStatus st = store_read_txn(s, NULL, &t, &owned);
  if (st) return st;
  st = prefix_each(t, fn, ctx);
  trine_txn_abort(t);
  return st;
}
