/*
 * term.h -- private term helpers: well-known IRIs and canonical N-Triples
 * writing into growable buffers (for the dumper and the tests).
 *
 * Canonical form is the one of RDF 1.2 N-Triples section "A Canonical form of
 * N-Triples" (which RDF 1.1 only sketched):
 *  - IRIs: <...>, every character that IRIREF forbids unescaped (U+0000 to
 *    U+0020 and <>"{}|^`\) written as \u00XX, everything else (DEL too) as
 *    itself.
 *  - literals: BS HT LF FF CR " \ as \b \t \n \f \r \" \\; U+0000-U+0007,
 *    U+000B, U+000E-U+001F, U+007F, U+FFFE and U+FFFF as \uXXXX; everything
 *    else as itself. "@lang" (ASCII-lowercased) or "^^<datatype>", the
 *    datatype left out for xsd:string (and when a language tag is set).
 *  - blank nodes: _:label, the label as stored.
 * HEX digits are uppercase. Bytes that are not valid UTF-8 (which the parser
 * never produces, but an API user may pass) are written as U+FFFD so the
 * output is always valid UTF-8.
 */
#ifndef TRINE_TERM_H
#define TRINE_TERM_H

#include "trine.h"

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/// The longest blank node label a load takes, refused where the parser
/// stands: labels are the store's LMDB keys (dict.c, MAX_BLANK_LABEL).
#define TERM_MAX_BLANK_LABEL 500

#define XSD_NS "http://www.w3.org/2001/XMLSchema#"
#define XSD_STRING XSD_NS "string"
#define XSD_STRING_LEN (sizeof(XSD_STRING) - 1)
#define RDF_NS "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define RDF_LANGSTRING RDF_NS "langString"
#define RDF_LANGSTRING_LEN (sizeof(RDF_LANGSTRING) - 1)

/// Whether dt[0..len) is the xsd:string IRI.
static inline bool term_is_xsd_string(const char *dt, size_t len) {
  return len == XSD_STRING_LEN && dt &&
         memcmp(dt, XSD_STRING, XSD_STRING_LEN) == 0;
}

/**
 * Append the canonical N-Triples text of t (no trailing space or newline) to
 * the malloc'd buffer *buf of capacity *cap holding *len bytes; the buffer
 * is grown with realloc as needed (*buf may start NULL with *cap 0). Not
 * NUL-terminated. TRINE_TERM_DEFAULT_GRAPH and TRINE_TERM_NONE append nothing.
 * @return 0, or -1 when out of memory (the buffer is then left as it was).
 */
int term_write_buf(const TrineTerm *t, char **buf, size_t *len, size_t *cap);

/**
 * Append one canonical statement line "S P O [G] .\n" to the buffer, as
 * term_write_buf() does. g is written only when it is non-NULL and an IRI or
 * blank node (so NULL or the default graph gives an N-Triples line).
 * @return 0, or -1 when out of memory.
 */
int term_write_quad_buf(const TrineTerm *s, const TrineTerm *p,
                        const TrineTerm *o, const TrineTerm *g, char **buf,
                        size_t *len, size_t *cap);

#endif
