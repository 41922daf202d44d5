/*
 * iri.h -- IRI references: whether one is absolute, and resolving a
 * relative one against a base (RFC 3986 section 5.2), for Turtle and TriG
 * (ttlparse.c) and SPARQL (grammar/).
 */
#ifndef TRINE_IRI_H
#define TRINE_IRI_H

#include <stdbool.h>
#include <stddef.h>

/// Whether s[0..n) starts with a scheme and ':' (RFC 3986 section 3.1).
bool iri_is_absolute(const char *s, size_t n);

/// Whether s[0..n) is absolute with no dot segment (nor any "/." or a path
/// starting with '.'): resolving it against any base gives it back as it is.
bool iri_is_final(const char *s, size_t n);

/// Room iri_resolve() needs in buf: its result and its scratch space.
static inline size_t iri_resolve_room(size_t base_len, size_t ref_len) {
  return 3 * (base_len + ref_len + 8);
}

/**
 * Resolve ref (ref_len bytes) against base (base_len bytes; "" for none,
 * which leaves a relative ref relative) by RFC 3986 section 5.2.2, dot
 * segments removed (5.2.4). The result is written NUL-terminated at the
 * start of buf, which has iri_resolve_room() bytes.
 * @return the result's length.
 */
size_t iri_resolve(const char *base, size_t base_len, const char *ref, size_t ref_len,
                   char *buf);

#endif
