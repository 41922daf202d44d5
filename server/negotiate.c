/*
 * negotiate.c -- Accept header matching.
 */
#include "negotiate.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const Offer negotiate_results[] = {
    {"application/sparql-results+json", TRINE_RESULTS_JSON, TRINE_FORMAT_GUESS},
    {"application/sparql-results+xml", TRINE_RESULTS_XML, TRINE_FORMAT_GUESS},
    {"text/csv", TRINE_RESULTS_CSV, TRINE_FORMAT_GUESS},
    {"text/tab-separated-values", TRINE_RESULTS_TSV, TRINE_FORMAT_GUESS},
    {"application/json", TRINE_RESULTS_JSON, TRINE_FORMAT_GUESS},
    {"application/xml", TRINE_RESULTS_XML, TRINE_FORMAT_GUESS},
    {"text/plain", TRINE_RESULTS_TABLE, TRINE_FORMAT_GUESS},
};
const size_t negotiate_nresults = sizeof negotiate_results / sizeof *negotiate_results;

/* The one place that picks the writer of each graph syntax, for CONSTRUCT
 * results and for the Graph Store alike. Turtle is written for people
 * (prefixes, subjects grouped); a CONSTRUCT asked for as TriG gets Turtle,
 * which is TriG of the default graph. N-Triples is also valid N-Quads:
 * clients asking for that can read it. */
const Offer negotiate_graphs[] = {
    {"application/n-triples", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_NTRIPLES},
    {"text/turtle", TRINE_RESULTS_TURTLE, TRINE_FORMAT_TURTLE},
    {"application/trig", TRINE_RESULTS_TURTLE, TRINE_FORMAT_TRIG},
    {"application/n-quads", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_NTRIPLES},
    {"text/plain", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_NTRIPLES},
};
const size_t negotiate_ngraphs = sizeof negotiate_graphs / sizeof *negotiate_graphs;

/* A dataset needs graph names: N-Quads or TriG. */
const Offer negotiate_datasets[] = {
    {"application/n-quads", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_NQUADS},
    {"application/trig", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_TRIG},
    {"text/plain", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_NQUADS},
};
const size_t negotiate_ndatasets = sizeof negotiate_datasets / sizeof *negotiate_datasets;

const char *negotiate_content_type(const Offer *offer) {
  static const char *const text[] = {"text/turtle; charset=utf-8", "text/plain; charset=utf-8",
                                     "text/csv; charset=utf-8",
                                     "text/tab-separated-values; charset=utf-8"};
  for (size_t i = 0; i < sizeof text / sizeof *text; ++i)
    if (!strncmp(text[i], offer->media, strlen(offer->media)) && text[i][strlen(offer->media)] == ';')
      return text[i];
  return offer->media;
}

/* One media range of an Accept header: [type, type + tlen) and its q in
 * thousandths. */
typedef struct {
  const char *type;
  size_t tlen;
  int q;
} Range;

/* A q-value "0.5", "1", ".25" in thousandths; anything else counts as 1. */
static int parse_q(const char *s, size_t len) {
  if (len && s[0] == '1') return 1000;
  size_t i = 0;
  if (i < len && s[i] == '0') i++;
  if (i >= len || s[i] != '.') return i == len && len ? 0 : 1000;
  int q = 0, scale = 100;
  for (i++; i < len && isdigit((unsigned char)s[i]) && scale; ++i, scale /= 10)
    q += (s[i] - '0') * scale;
  return q;
}

/* Parse the range at *p (up to the next ',' outside quotes), advancing. */
static Range next_range(const char **p) {
  const char *s = *p;
  while (*s == ' ' || *s == '\t' || *s == ',') s++;
  Range r = {s, 0, 1000};
  while (s[r.tlen] && !strchr(",; \t", s[r.tlen])) r.tlen++;
  s += r.tlen;
  while (*s && *s != ',') {
    if (*s == ';') {
      s++;
      while (*s == ' ' || *s == '\t') s++;
      if ((s[0] == 'q' || s[0] == 'Q') && s[1] == '=') {
        size_t n = strcspn(s + 2, ",; \t");
        r.q = parse_q(s + 2, n);
        s += 2 + n;
        continue;
      }
    }
    if (*s == '"') { /* a quoted parameter value may hold ',' */
      s++;
      while (*s && *s != '"') s += (*s == '\\' && s[1]) ? 2 : 1;
      if (*s) s++;
      continue;
    }
    s++;
  }
  *p = s;
  return r;
}

/* How specifically range r matches media: 3 exactly, 2 type slash star,
 * 1 star slash star, 0 not at all. */
static int specificity(const Range *r, const char *media) {
  size_t mlen = strlen(media);
  if ((r->tlen == 3 && strncmp(r->type, "*/*", 3) == 0) || (r->tlen == 1 && *r->type == '*'))
    return 1;
  if (r->tlen == mlen && strncasecmp(r->type, media, mlen) == 0) return 3;
  const char *slash = strchr(media, '/');
  size_t major = (size_t)(slash - media);
  if (r->tlen == major + 2 && strncasecmp(r->type, media, major + 1) == 0 &&
      r->type[major + 1] == '*')
    return 2;
  return 0;
}

/* The q the header gives media, in thousandths (0: not acceptable). */
static int quality(const char *accept, const char *media) {
  int best = 0, q = 0;
  for (const char *p = accept; *p;) {
    Range r = next_range(&p);
    if (!r.tlen) continue;
    int s = specificity(&r, media);
    if (s > best) best = s, q = r.q;
  }
  return q;
}

static bool blank(const char *s) {
  while (*s == ' ' || *s == '\t') s++;
  return !*s;
}

const Offer *negotiate(const char *accept, const Offer *offers, size_t n) {
  if (!accept || blank(accept)) return &offers[0];
  const Offer *best = NULL;
  int bestq = 0;
  for (size_t i = 0; i < n; ++i) {
    int q = quality(accept, offers[i].media);
    if (q > bestq) best = &offers[i], bestq = q;
  }
  return best;
}
