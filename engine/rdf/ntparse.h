/*
 * ntparse.h -- streaming, strict RDF 1.1 N-Triples / N-Quads parser.
 *
 * Bytes go in by chunks of any size (a statement may span chunks); each
 * statement comes out through a callback as four term views. The parser
 * never touches the store: the loader (load.c) turns terms into ids.
 *
 * Strict RDF 1.1 grammar: absolute IRIs only, no directives, one statement
 * per line, lines ended by LF, CR or CRLF, white space = space and tab
 * (also allowed around '^^' and before a language tag, as the grammar
 * says). UTF-8 is validated everywhere, comments included. \u and \U
 * escapes are decoded in IRIs and literals (never to a surrogate or past
 * U+10FFFF); an IRI may thus hold characters IRIREF forbids unescaped,
 * which the canonical writer (term.h) escapes again.
 *
 * Memory: the parser owns a carry buffer (the incomplete last line) and a
 * scratch buffer (unescaped values), each as large as the longest line seen;
 * nothing is allocated per statement.
 */
#ifndef TRINE_NTPARSE_H
#define TRINE_NTPARSE_H

#include "trine.h"

typedef struct NtParser NtParser;

/**
 * One parsed statement. Terms are borrowed: valid only during the callback
 * (values point into the caller's chunk when they need no unescaping, else
 * into buffers of the parser) and not NUL-terminated; value_len may count
 * U+0000 characters decoded from escapes.
 * Literal terms have datatype NULL for xsd:string (explicit
 * ^^xsd:string is normalised to NULL too), lang lowercased and non-NULL for
 * language-tagged strings (datatype NULL then). Blank node values are the raw
 * labels of the document (scoping them is the loader's job).
 * g.kind is TRINE_TERM_DEFAULT_GRAPH when the statement has no graph label.
 */
typedef struct {
  TrineTerm s, p, o, g;
  unsigned line; ///< 1-based line of the statement's first byte.
} NtStatement;

/// Receives each statement; a non-OK status stops the parse and is returned.
typedef TrineStatus (*NtStatementFn)(void *ctx, const NtStatement *st);

/**
 * Create a parser.
 * @param source    name used in errors (file name), copied.
 * @param nquads    accept an optional graph label (N-Quads); else N-Triples.
 * @param fn, ctx   statement callback.
 * @param sink, sink_ctx  receives syntax errors (may be NULL).
 * @param max_errors stop after this many syntax errors (>= 1).
 * @return NULL only when out of memory.
 */
NtParser *nt_parser_new(const char *source, bool nquads, NtStatementFn fn,
                        void *ctx, TrineErrorSink sink, void *sink_ctx,
                        unsigned max_errors);

/**
 * Parse the next chunk. Complete statements are delivered; an incomplete
 * last line is kept until the next chunk or nt_parser_finish().
 * After a syntax error the parser skips to the next line and goes on, until
 * max_errors errors; statements after the first error are not delivered.
 * @return TRINE_OK, TRINE_ERR_SYNTAX once max_errors is reached, or the
 *         callback's status.
 */
TrineStatus nt_parser_feed(NtParser *p, const char *data, size_t len);

/// End of input: parse what is left. TRINE_ERR_SYNTAX if any error was seen.
TrineStatus nt_parser_finish(NtParser *p);

/// Number of syntax errors seen so far.
unsigned nt_parser_errors(const NtParser *p);

void nt_parser_free(NtParser *p);

#endif
