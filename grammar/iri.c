/* iri.c -- relative IRI resolution for SPARQL, through engine/rdf/iri.c. */
#include "internal.h"

#include "iri.h"

#include <stdlib.h>
#include <string.h>

bool sparql_iri_is_absolute(const char *iri, size_t len) {
  return iri_is_absolute(iri, len);
}

char *sparql_iri_resolve(SparqlArena *a, const char *base, const char *ref,
                         size_t ref_len) {
  /* Without a base, an absolute reference still resolves (5.2.2 removes
   * its dot segments): the same IRI whether the request has a base or not.
   * A relative one cannot, and stays as written; nor does an absolute
   * one without dot segments change. */
  if ((!base && !iri_is_absolute(ref, ref_len)) || iri_is_final(ref, ref_len))
    return sparql_arena_strndup(a, ref, ref_len);
  size_t base_len = base ? strlen(base) : 0;
  char *buf = sparql_arena_alloc(a, iri_resolve_room(base_len, ref_len));
  iri_resolve(base ? base : "", base_len, ref, ref_len, buf);
  return buf;
}

char *sparql_resolve_iri(const char *base, const char *ref, size_t ref_len) {
  size_t base_len = base ? strlen(base) : 0;
  char *buf = malloc(iri_resolve_room(base_len, ref_len));
  if (!buf) return NULL;
  if (!base && !iri_is_absolute(ref, ref_len)) {
    memcpy(buf, ref, ref_len);
    buf[ref_len] = '\0';
  } else {
    iri_resolve(base ? base : "", base_len, ref, ref_len, buf);
  }
  return buf;
}
