/*
 * results.h -- private helpers of the result writers (results.c), exposed
 * for the unit tests: escaping for each format, the cell text of the
 * terminal table and IRI shortening with prefixes.
 *
 * Every helper appends to a growable ResBuf and returns 0, or -1 when out
 * of memory (the buffer then holds a prefix of the text). The buffer is not
 * NUL-terminated unless res_cstr() is called.
 */
#ifndef TRINE_RESULTS_H
#define TRINE_RESULTS_H

#include "trine.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct {
  char *p;
  size_t len, cap;
} ResBuf;

/// Append n bytes.
int res_put(ResBuf *b, const void *s, size_t n);
/// NUL-terminate (not counted in len) and return b->p ("" when empty).
const char *res_cstr(ResBuf *b);
void res_free(ResBuf *b);

/// JSON string contents (no quotes): " \ and control characters escaped.
int res_json_escape(ResBuf *b, const char *s, size_t n);

/// XML text or attribute value: & < > " escaped; CR as &#13;; characters
/// XML 1.0 cannot carry (other C0 controls, U+FFFE, U+FFFF) as U+FFFD.
int res_xml_escape(ResBuf *b, const char *s, size_t n);

/// One CSV field: quoted (with "" for ") when it holds " , CR or LF.
int res_csv_field(ResBuf *b, const char *s, size_t n);

/// The CSV text of a term: IRI as is, literal's lexical form, _:label.
int res_csv_term(ResBuf *b, const TrineTerm *t);

/// The TSV text of a term: N-Triples syntax (canonical escapes), numbers
/// (xsd:integer, xsd:decimal, xsd:double) bare when their lexical form is
/// a Turtle numeric literal.
int res_tsv_term(ResBuf *b, const TrineTerm *t);

/// Whether lex is a Turtle short form literal of the datatype (xsd:integer,
/// xsd:decimal, xsd:double or xsd:boolean); false for other datatypes.
bool res_is_short_literal(const char *lex, size_t lexlen, const char *dt,
                          size_t dtlen);

/// Whether s[0..n) is a valid Turtle PN_LOCAL that needs no escape
/// (approximately: every character >= U+0080 is accepted).
bool res_is_local_name(const char *s, size_t n);

/**
 * Append iri as a prefixed name "name:local" using the longest namespace in
 * prefixes (npairs name, IRI pairs) whose rest is a valid local name.
 * @return 1 when shortened, 0 when no prefix applies (nothing appended),
 *         -1 when out of memory.
 */
int res_shorten_iri(ResBuf *b, const char *iri, size_t n,
                    const char *const *prefixes, size_t npairs);

/**
 * The text of a term in the terminal table: IRIs shortened or <iri>,
 * "text", "text"@lang, 42 / 1.5 / true for numbers and booleans in their
 * Turtle short forms, "v"^^dt (dt shortened with prefixes or xsd:), _:b.
 * NULL (unbound) appends nothing.
 */
int res_table_cell(ResBuf *b, const TrineTerm *t, const char *const *prefixes,
                   size_t npairs);

#endif
