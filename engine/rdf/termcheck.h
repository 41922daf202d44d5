/*
 * termcheck.h -- whether a term given through the API is one N-Triples can
 * carry (an absolute IRI without forbidden characters, a well-formed
 * language tag or blank node label, valid UTF-8), so that a store always
 * dumps to input it loads again.
 */
#ifndef TRINE_TERMCHECK_H
#define TRINE_TERMCHECK_H

#include "trine.h"

/**
 * TRINE_OK when t reads back unchanged through the strict N-Triples parser
 * (the loader's), else TRINE_ERR_ARG with what is wrong in why (a static
 * string or the parser's message, copied into why[0..n)).
 */
TrineStatus term_check(const TrineTerm *t, char *why, size_t n);

#endif
