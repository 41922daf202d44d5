/*
 * negotiate.h -- choosing a result format from an Accept header
 * (RFC 9110 12.5.1: media ranges with q-values, the most specific range
 * that matches an offer gives its q).
 */
#ifndef TRINE_NEGOTIATE_H
#define TRINE_NEGOTIATE_H

#include "trine.h"

#include <stddef.h>

/// A media type the server can answer with, and the writer for it: of
/// query results (format), or of stored graphs (rdf: the dumper's syntax).
typedef struct {
  const char *media;
  TrineResultFormat format;
  TrineFormat rdf;
} Offer;

/// Offers for SELECT and ASK results, and for CONSTRUCT and DESCRIBE graphs;
/// the first of each is the default.
extern const Offer negotiate_results[];
extern const size_t negotiate_nresults;
extern const Offer negotiate_graphs[];
extern const size_t negotiate_ngraphs;
/// Offers for a whole dataset (the Graph Store's GET of /store).
extern const Offer negotiate_datasets[];
extern const size_t negotiate_ndatasets;

/// The Content-Type of a reply in offer's media type: text types say
/// "; charset=utf-8" (a static string).
const char *negotiate_content_type(const Offer *offer);

/// The offer the Accept header accept prefers (the earlier one on a tie),
/// offers[0] when accept is NULL or blank, or NULL when it accepts none.
const Offer *negotiate(const char *accept, const Offer *offers, size_t n);

#endif
