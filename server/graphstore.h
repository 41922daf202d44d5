/*
 * graphstore.h -- the SPARQL 1.1 Graph Store HTTP Protocol at /store.
 *
 * A request names its graph indirectly (/store?graph=IRI, /store?default)
 * or directly (/store/PATH is the graph ROOT/store/PATH, ROOT the server's
 * own http://ADDR:PORT/, or the scheme and authority of --base); /store itself is the whole dataset. The request
 * is read from its HTTP form here (pure: the unit tests call it), then
 * run on a worker, each request one transaction.
 */
#ifndef TRINE_GRAPHSTORE_H
#define TRINE_GRAPHSTORE_H

#include "job.h"
#include "protocol.h"

typedef enum { GS_GET = 1, GS_HEAD, GS_PUT, GS_POST, GS_DELETE } GsMethod;

typedef enum {
  GS_GRAPH = 1,  ///< a named graph
  GS_DEFAULT,    ///< the default graph
  GS_DATASET,    ///< /store itself: every graph (bodies in N-Quads or TriG)
  GS_NEW         ///< POST of triples to /store: a new graph the server names
} GsTarget;

/// One piece of a request body: the body, or a part of a multipart form.
typedef struct {
  char *type;    ///< its Content-Type, or NULL (owned)
  char *name;    ///< the name in error messages (owned); a part's file name
                 ///< ending .ttl .nt .nq .trig gives the syntax of a part
                 ///< sent without a type or as application/octet-stream
  char *data;    ///< (owned)
  size_t len;
  TrineFormat format;  ///< set by graphstore_parse()
} GsPart;

/// A Graph Store request.
typedef struct {
  GsMethod method;
  GsTarget target;
  char *graph;    ///< GS_GRAPH: the graph's IRI (owned)
  GsPart *parts;  ///< the body (owned)
  size_t nparts;
} GsRequest;

/// Whether a request's Content-Type is multipart/form-data: its parts are
/// then decoded into separate GsParts.
bool graphstore_is_multipart(const char *content_type);

/**
 * Read a request to /store into out: method, direct (the graph IRI of a
 * direct request, or NULL), the URL parameters and the body's parts, which
 * out takes over (the caller's array is cleared). Returns 0, or the HTTP
 * status of a bad request (400, 405, 415) with a message in *why
 * (malloc'd); out then owns nothing.
 */
unsigned graphstore_parse(const char *method, const char *direct, const Param *params,
                          size_t nparams, GsPart **parts, size_t *nparts, GsRequest *out,
                          char **why);

/// Whether the request writes to the store.
bool graphstore_writes(const GsRequest *req);

/// Free a malloc'd request and what it owns (a Job's free_op). Accepts NULL.
void graphstore_free(void *req);

/// Free parts[0..n) and the array.
void graphstore_parts_free(GsPart *parts, size_t n);

/// Run the request of job j (j->op, a GsRequest) and answer it (a JobRunFn).
void graphstore_run(Job *j);

/// The methods /store allows, for Allow headers.
extern const char graphstore_methods[];

#endif
