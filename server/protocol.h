/*
 * protocol.h -- the SPARQL 1.1 Protocol's operations (section 2.1 query,
 * 2.2 update) read from an HTTP request: which operation, its text and
 * its dataset, or why the request is wrong.
 */
#ifndef TRINE_PROTOCOL_H
#define TRINE_PROTOCOL_H

#include "dataset.h"

#include <stdbool.h>
#include <stddef.h>

/// One decoded parameter, from the URL or from a form body.
typedef struct {
  char *key;
  char *value;
  size_t len;  ///< bytes of value (which may hold NULs)
} Param;

/// What an HTTP request carries.
typedef struct {
  bool post;                 ///< POST (else GET or HEAD)
  const char *content_type;  ///< the Content-Type header, or NULL
  const Param *params;       ///< URL parameters, then a form body's
  size_t nparams;
  const char *body;          ///< the body of a POST
  size_t body_len;
} HttpInput;

typedef enum { CALL_QUERY = 1, CALL_UPDATE } CallKind;

/// A protocol operation.
typedef struct {
  CallKind kind;
  char *text;           ///< the query or update (owned)
  size_t len;
  IriList dflt, named;  ///< default-/named-graph-uri, or using-(named-)graph-uri
} Call;

/// Whether a POST's Content-Type is a URL-encoded form (its body then
/// goes through the form decoder into HttpInput.params).
bool protocol_is_form(const char *content_type);

/**
 * Read the operation of in into out. Returns 0, or the HTTP status of a
 * bad request (400, 415) with a message in *why (malloc'd).
 */
unsigned protocol_parse(const HttpInput *in, Call *out, char **why);

/// Free what protocol_parse() put in call.
void protocol_call_free(Call *call);

/// Whether the media type of content_type (before any ';' parameter) is
/// type, ignoring case.
bool protocol_media_is(const char *content_type, const char *type);

/// Whether content_type names a charset other than UTF-8.
bool protocol_other_charset(const char *content_type);

/// Whether s[0..len) is an absolute IRI that can be written between < and >
/// as it is (in SPARQL or N-Triples): no NUL, space, control or <>"{}|^`\.
bool protocol_iri_ok(const char *s, size_t len);

/// Whether s[0..len) is well-formed UTF-8.
bool protocol_utf8(const char *s, size_t len);

#endif
