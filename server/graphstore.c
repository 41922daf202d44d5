/*
 * graphstore.c -- the Graph Store HTTP Protocol: requests read from their
 * HTTP form, and run in one transaction each.
 *
 * A named graph exists while it holds triples: the store keeps no empty
 * graphs, so a GET of an emptied graph is 404 like one never written.
 */
#include "graphstore.h"

#include "negotiate.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

const char graphstore_methods[] = "GET, HEAD, PUT, POST, DELETE, OPTIONS";

/* Free what a request owns, and clear it. */
static void release(GsRequest *g) {
  free(g->graph);
  graphstore_parts_free(g->parts, g->nparts);
  memset(g, 0, sizeof *g);
}

/* The syntaxes a body may have; quads only for the whole dataset. */
static const struct {
  const char *media;
  TrineFormat format;
  bool quads;
} syntaxes[] = {
    {"text/turtle", TRINE_FORMAT_TURTLE, false},
    {"application/n-triples", TRINE_FORMAT_NTRIPLES, false},
    {"application/n-quads", TRINE_FORMAT_NQUADS, true},
    {"application/trig", TRINE_FORMAT_TRIG, true},
};
enum { NSYNTAXES = sizeof syntaxes / sizeof *syntaxes };

bool graphstore_is_multipart(const char *content_type) {
  return protocol_media_is(content_type, "multipart/form-data");
}

static unsigned refuse(char **why, unsigned status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(why, fmt, ap) < 0) *why = NULL;
  va_end(ap);
  return status;
}

static GsMethod method_of(const char *m) {
  static const char *const names[] = {"GET", "HEAD", "PUT", "POST", "DELETE"};
  for (int i = 0; i < 5; ++i)
    if (strcmp(m, names[i]) == 0) return (GsMethod)(GS_GET + i);
  return 0;
}

/* The graph the URL names: out->target and out->graph. */
static unsigned take_target(const char *direct, const Param *params, size_t n, GsRequest *out,
                            char **why) {
  const Param *graph = NULL;
  size_t ngraph = 0, ndefault = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!strcmp(params[i].key, "graph")) graph = &params[i], ngraph++;
    else if (!strcmp(params[i].key, "default")) ndefault++;
  }
  if (direct && ngraph + ndefault)
    return refuse(why, 400, "/store/PATH names its graph by its path: no graph= or default");
  if (ngraph + ndefault > 1)
    return refuse(why, 400, "name one graph: graph=IRI or default, once");
  const char *iri = direct ? direct : graph ? graph->value : NULL;
  size_t len = direct ? strlen(direct) : graph ? graph->len : 0;
  out->target = iri ? GS_GRAPH : ndefault ? GS_DEFAULT : GS_DATASET;
  if (!iri) return 0;
  if (!protocol_iri_ok(iri, len)) return refuse(why, 400, "graph: not an absolute IRI: %.200s", iri);
  if (!(out->graph = strdup(iri))) return refuse(why, 500, "out of memory");
  return 0;
}

/* The media type a file name's extension stands for, or NULL. Browsers
 * send an uploaded file of a type they do not know (.ttl, .nt) as
 * application/octet-stream, or as a part without a type. */
static const char *media_of_name(const char *name) {
  static const char *const ext[][2] = {{".ttl", "text/turtle"},
                                       {".nt", "application/n-triples"},
                                       {".nq", "application/n-quads"},
                                       {".trig", "application/trig"}};
  size_t n = name ? strlen(name) : 0;
  for (size_t i = 0; i < sizeof ext / sizeof *ext; ++i) {
    size_t k = strlen(ext[i][0]);
    if (n > k && strcasecmp(name + n - k, ext[i][0]) == 0) return ext[i][1];
  }
  return NULL;
}

/* The syntax of one part of the body into part->format. */
static unsigned take_syntax(GsPart *part, GsTarget target, bool *quads, char **why) {
  if (!part->type && part->len == 0) { /* no body at all: an empty graph */
    part->format = TRINE_FORMAT_NTRIPLES;
    *quads = false;
    return 0;
  }
  const char *guess = media_of_name(part->name);
  if (guess && (!part->type || protocol_media_is(part->type, "application/octet-stream"))) {
    char *t = strdup(guess);
    if (!t) return refuse(why, 500, "out of memory");
    free(part->type);
    part->type = t;
  }
  if (part->type && protocol_other_charset(part->type))
    return refuse(why, 415, "unsupported charset in %s: the body must be UTF-8", part->type);
  for (int i = 0; part->type && i < NSYNTAXES; ++i) {
    if (!protocol_media_is(part->type, syntaxes[i].media)) continue;
    part->format = syntaxes[i].format;
    *quads = syntaxes[i].quads;
    if (*quads && target != GS_DATASET)
      return refuse(why, 415, "%s holds quads: a graph's body is text/turtle or "
                              "application/n-triples (quads go to /store itself)",
                    syntaxes[i].media);
    return 0;
  }
  return refuse(why, 415, "%s%s: a graph is sent as text/turtle or application/n-triples, "
                          "a dataset as application/n-quads or application/trig",
                part->type ? "unsupported media type " : "no Content-Type",
                part->type ? part->type : "");
}

/* The body's syntaxes; a POST of triples to /store makes a new graph. */
static unsigned take_body(GsRequest *out, char **why) {
  size_t nquads = 0;
  for (size_t i = 0; i < out->nparts; ++i) {
    bool quads = false;
    unsigned status = take_syntax(&out->parts[i], out->target, &quads, why);
    if (status) return status;
    nquads += quads;
  }
  if (out->target != GS_DATASET || nquads == out->nparts) return 0;
  if (nquads)
    return refuse(why, 415, "a POST to /store is triples (a new graph) or quads, not both");
  if (out->method == GS_PUT)
    return refuse(why, 415, "a PUT to /store replaces the whole dataset: send "
                            "application/n-quads or application/trig (or PUT a graph)");
  out->target = GS_NEW;
  return 0;
}

unsigned graphstore_parse(const char *method, const char *direct, const Param *params,
                          size_t nparams, GsPart **parts, size_t *nparts, GsRequest *out,
                          char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  out->parts = *parts;
  out->nparts = *nparts;
  *parts = NULL;
  *nparts = 0;
  unsigned status = 0;
  if (!(out->method = method_of(method)))
    status = refuse(why, 405, "method %s not allowed on /store", method);
  if (!status) status = take_target(direct, params, nparams, out, why);
  if (!status && out->method == GS_DELETE && out->target == GS_DATASET)
    status = refuse(why, 405, "DELETE /store would drop every graph: name one with ?graph=IRI "
                              "or ?default (or send DROP ALL to /sparql)");
  if (!status && !graphstore_writes(out)) { /* a body of a read means nothing */
    graphstore_parts_free(out->parts, out->nparts);
    out->parts = NULL;
    out->nparts = 0;
  }
  if (!status && (out->method == GS_PUT || out->method == GS_POST)) status = take_body(out, why);
  if (status) release(out);
  return status;
}

bool graphstore_writes(const GsRequest *req) {
  return req->method == GS_PUT || req->method == GS_POST || req->method == GS_DELETE;
}

void graphstore_parts_free(GsPart *parts, size_t n) {
  for (size_t i = 0; i < n; ++i) free(parts[i].type), free(parts[i].name), free(parts[i].data);
  free(parts);
}

void graphstore_free(void *req) {
  if (req) release(req);
  free(req);
}

/* ---- Running --------------------------------------------------------- */

/* The graph term of the target; NULL for the whole dataset. */
static const TrineTerm *target_term(const GsRequest *g, TrineTerm *t) {
  if (g->target == GS_DATASET) return NULL;
  *t = g->graph ? trine_iri(g->graph) : trine_default_graph();
  return t;
}

static void answer(Job *j, unsigned status, const char *fmt, ...) {
  char msg[1200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  stream_fail(j->stream, status, msg);
}

/* GET and HEAD: the graph (or dataset) from one snapshot. */
static void gs_read(Job *j, GsRequest *g) {
  TrineTxn *txn = NULL;
  TrineTerm t;
  const TrineTerm *graph = target_term(g, &t);
  uint64_t n = 0;
  TrineStatus st = trine_txn_begin(j->srv->store, false, &txn);
  if (!st) st = trine_txn_count(txn, NULL, NULL, NULL, graph, &n);
  if (st) {
    trine_txn_abort(txn);
    job_fail(j, st, NULL);
    return;
  }
  const Offer *offer = g->target == GS_DATASET
                           ? negotiate(j->accept, negotiate_datasets, negotiate_ndatasets)
                           : negotiate(j->accept, negotiate_graphs, negotiate_ngraphs);
  if (g->target == GS_GRAPH && n == 0)
    answer(j, 404, "no graph <%s> in the store", g->graph);
  else if (!offer)
    answer(j, 406, "not acceptable: %s", g->target == GS_DATASET
                                           ? "the dataset is sent as application/n-quads "
                                             "or application/trig"
                                           : "a graph is sent as text/turtle, "
                                             "application/n-triples, application/trig or "
                                             "application/n-quads");
  else if (g->method == GS_HEAD)
    stream_head(j->stream, 200, negotiate_content_type(offer)), stream_finish(j->stream, n);
  else {
    stream_head(j->stream, 200, negotiate_content_type(offer));
    FILE *f = stream_file(j->stream);
    st = f ? trine_txn_dump(txn, f, offer->rdf, graph) : TRINE_ERR_NOMEM;
    if (f && fclose(f) != 0 && !st) st = TRINE_ERR_IO;
    if (st) stream_rows(j->stream, 0), job_fail(j, st, NULL);
    else stream_finish(j->stream, n);
  }
  trine_txn_abort(txn); /* a read: ending it is all */
}

/* A load gives up when the request runs past its deadline or the server stops. */
static int on_progress(void *ctx, const TrineLoadProgress *p) {
  (void)p;
  Job *j = ctx;
  return atomic_load(&j->srv->stopping) || serve_now_ms() >= j->deadline_ms;
}

/* Empty the target in txn (PUT replaces, DELETE drops) with SPARQL's DROP. */
static TrineStatus clear(Job *j, TrineTxn *txn, const GsRequest *g, JobError *c) {
  char *text = NULL;
  int n = g->target == GS_GRAPH     ? asprintf(&text, "DROP SILENT GRAPH <%s>", g->graph)
          : g->target == GS_DEFAULT ? asprintf(&text, "DROP SILENT DEFAULT")
                                    : asprintf(&text, "DROP SILENT ALL");
  if (n < 0) return TRINE_ERR_NOMEM;
  TrineQueryOptions o = {.name = "clear", .allow = TRINE_ALLOW_UPDATE, .txn = txn,
                         .timeout_ms = job_remaining_ms(j), .sink = job_on_error, .sink_ctx = c};
  TrineQuery *q = NULL;
  TrineStatus st = trine_query_prepare(j->srv->store, text, (size_t)n, &o, &q);
  if (!st) st = trine_query_step(q);
  trine_query_free(q);
  free(text);
  return st == TRINE_DONE ? TRINE_OK : st;
}

/* Load the body's parts into graph (NULL: their own graphs) in txn. */
static TrineStatus load(Job *j, TrineTxn *txn, const GsRequest *g, const TrineTerm *graph,
                        const char *base, JobError *c, uint64_t *added) {
  for (size_t i = 0; i < g->nparts; ++i) {
    const GsPart *part = &g->parts[i];
    TrineLoadOptions lo = {.format = part->format, .graph = graph, .txn = txn,
                           .base_iri = base, .sink = job_on_error, .sink_ctx = c,
                           .max_errors = 1, .progress = on_progress, .progress_ctx = j};
    TrineLoadStats stats = {0};
    c->name = part->name;
    TrineStatus st = trine_store_load_buffer(j->srv->store, part->name, part->data, part->len,
                                             &lo, &stats);
    if (st) return st;
    *added += stats.quads_added;
  }
  return TRINE_OK;
}

/* A fresh graph IRI under the server's /store/ for a POST to /store. */
static char *new_graph_iri(Job *j, TrineTxn *txn) {
  for (int tries = 0; tries < 4; ++tries) {
    unsigned char r[8];
    if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r) return NULL;
    char *iri = NULL;
    if (asprintf(&iri, "%sstore/%02x%02x%02x%02x%02x%02x%02x%02x", j->srv->root, r[0], r[1],
                 r[2], r[3], r[4], r[5], r[6], r[7]) < 0)
      return NULL;
    TrineTerm t = trine_iri(iri);
    uint64_t n = 1;
    if (trine_txn_count(txn, NULL, NULL, NULL, &t, &n) == TRINE_OK && n == 0) return iri;
    free(iri);
  }
  return NULL;
}

/* The write in txn: whether the target held triples before and after. */
static TrineStatus write_in(Job *j, TrineTxn *txn, GsRequest *g, JobError *c, bool *before,
                            bool *after, uint64_t *added) {
  TrineTerm t;
  if (g->target == GS_NEW && !(g->graph = new_graph_iri(j, txn))) return TRINE_ERR_NOMEM;
  const TrineTerm *graph = target_term(g, &t);
  uint64_t n = 0;
  TrineStatus st = trine_txn_count(txn, NULL, NULL, NULL, graph, &n);
  *before = n > 0;
  if (st || (g->method == GS_DELETE && g->target == GS_GRAPH && !*before)) return st;
  if (g->method != GS_POST) st = clear(j, txn, g, c);
  char *base = NULL;
  if (!st && !g->graph && asprintf(&base, "%sstore", j->srv->root) < 0) st = TRINE_ERR_NOMEM;
  if (!st) st = load(j, txn, g, graph, g->graph ? g->graph : base, c, added);
  free(base);
  if (!st) st = trine_txn_count(txn, NULL, NULL, NULL, graph, &n);
  *after = n > 0;
  return st;
}

/* PUT, POST and DELETE: one write transaction under the server's lock. */
static void gs_write(Job *j, GsRequest *g) {
  if (!job_lock_writes(j)) {
    answer(j, 503, "busy: other updates held the store past the timeout");
    return;
  }
  JobError c = {.name = "body"};
  TrineTxn *txn = NULL;
  bool before = false, after = false;
  uint64_t added = 0;
  TrineStatus st = trine_txn_begin(j->srv->store, true, &txn);
  if (!st) st = write_in(j, txn, g, &c, &before, &after, &added);
  bool missing = g->method == GS_DELETE && g->target == GS_GRAPH && !before;
  bool empty_new = g->target == GS_NEW && !after;
  if (st || missing || empty_new) trine_txn_abort(txn);
  else st = trine_txn_commit(txn);
  job_unlock_writes(j);
  if (st) job_fail(j, st, &c);
  else if (missing) answer(j, 404, "no graph <%s> in the store", g->graph);
  else if (empty_new)
    answer(j, 400, "the body holds no triples: the store keeps no empty graphs, so none was made");
  else {
    bool created = (g->target == GS_GRAPH || g->target == GS_NEW) && !before && after;
    stream_head(j->stream, created ? 201 : 204, NULL);
    if (g->target == GS_NEW && !stream_location(j->stream, g->graph))
      answer(j, 500, "out of memory");
    else stream_finish(j->stream, added);
  }
}

void graphstore_run(Job *j) {
  GsRequest *g = j->op;
  job_track(j, true);
  if (graphstore_writes(g)) gs_write(j, g);
  else gs_read(j, g);
  job_track(j, false);
}
