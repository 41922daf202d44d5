/*
 * rdf_iso.h -- whether two sets of N-Quads statements are the same dataset,
 * blank nodes up to renaming (RDF 1.1 Concepts 3.6, graph isomorphism).
 */
#ifndef TRINE_RDF_ISO_H
#define TRINE_RDF_ISO_H

#include <stdbool.h>
#include <stddef.h>

/**
 * Compare two N-Quads texts as trine's dumper writes them (one statement
 * a line, no duplicates). On a difference, why says what differs.
 */
bool rdf_isomorphic(const char *a, const char *b, char *why, size_t cap);

#endif
