/*
 * ttlwrite.h -- a streaming Turtle and TriG writer: the caller says what
 * comes next (graph, subject, predicate, object, the start and end of a
 * [ ... ] blank node or a ( ... ) list) and the writer adds the
 * punctuation ("," ";" "." "{" "}"), the indentation and the shortest
 * correct text of each term. Used by the dumper (dump.c), which decides
 * what to nest, and by the result writer for CONSTRUCT and DESCRIBE.
 *
 * Terms: an IRI becomes a prefixed name when a prefix's IRI starts it and
 * the rest is a PN_LOCAL that needs no escape (checked against the Turtle
 * grammar's character ranges), else <IRI> with N-Triples escapes;
 * rdf:type as a predicate is "a", rdf:nil as an object "()"; literals of
 * xsd:integer, xsd:decimal, xsd:double and xsd:boolean whose lexical form
 * is a Turtle number or boolean are written bare, other literals quoted
 * with N-Triples escapes and their language tag or datatype.
 */
#ifndef TRINE_TTLWRITE_H
#define TRINE_TTLWRITE_H

#include "trine.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct TtlWriter TtlWriter;

/**
 * A writer sending its text to fn (ctx passed through) in chunks; trig
 * allows graph blocks. prefixes: npairs name, IRI pairs (copied), written
 * as @prefix lines first; a pair whose name is no PN_PREFIX, whose IRI
 * could not be written in <>, or whose name came earlier, is left out.
 * @return TRINE_OK, TRINE_ERR_NOMEM.
 */
TrineStatus ttlw_new(TrineWriteFn fn, void *ctx, bool trig, const char *const *prefixes,
                     size_t npairs, TtlWriter **out);

/// Start the statements of graph g (NULL or the default graph: outside any
/// block), closing the current statement and block. Only for TriG.
TrineStatus ttlw_graph(TtlWriter *w, const TrineTerm *g);

/// Start a top-level statement about s, closing the current one.
TrineStatus ttlw_subject(TtlWriter *w, const TrineTerm *s);

/// The next predicate of the current subject or [ ... ] node.
TrineStatus ttlw_predicate(TtlWriter *w, const TrineTerm *p);

/// The next object of the current predicate, or the next item of a list.
TrineStatus ttlw_object(TtlWriter *w, const TrineTerm *o);

/// An object (or list item) that is a blank node written as "[ ... ]":
/// its predicates and objects follow, then ttlw_anon_end().
TrineStatus ttlw_anon_begin(TtlWriter *w);
TrineStatus ttlw_anon_end(TtlWriter *w);

/// An object (or list item) written as "( ... )": its items follow as
/// ttlw_object() (or nested [ ] and ( )), then ttlw_list_end().
TrineStatus ttlw_list_begin(TtlWriter *w);
TrineStatus ttlw_list_end(TtlWriter *w);

/// A whole triple, grouped with the previous one when it has the same
/// subject (";") or subject and predicate (","). For streams of triples.
TrineStatus ttlw_triple(TtlWriter *w, const TrineTerm *s, const TrineTerm *p,
                        const TrineTerm *o);

/// Close what is open and hand the rest of the text to the sink.
TrineStatus ttlw_finish(TtlWriter *w);

/// Free a writer (accepts NULL).
void ttlw_free(TtlWriter *w);

/// Whether s[0..n) is a Turtle PN_LOCAL written without escapes.
bool ttl_is_local_name(const char *s, size_t n);

/// Whether s[0..n) is a Turtle PN_PREFIX (or empty).
bool ttl_is_prefix_name(const char *s, size_t n);

#endif
