/*
 * http.c -- routes, methods, request bodies and the access log.
 */
#include "http.h"

#include "auth.h"
#include "describe.h"
#include "graphstore.h"
#include "job.h"
#include "negotiate.h"
#include "page.h"
#include "protocol.h"
#include "stream.h"
#include "workers.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { IO_THREADS = 2, MAX_CONNECTIONS = 256, HEADER_MEMORY = 64 * 1024, MAX_PARAMS = 256 };

/* One request, from its headers to its completion (MHD's con_cls). */
typedef struct {
  Server *srv;
  char method[16], path[128], client[64];
  unsigned long long start_ms;
  unsigned status;       /* the status queued, for the log */
  bool sparql, post;
  bool store;            /* /store or /store/PATH: the Graph Store */
  char *url;             /* the Graph Store's request path, whole */
  char *body;            /* a direct POST's (or a PUT's) body */
  size_t len, cap, taken;
  struct MHD_PostProcessor *form;
  Param *params;         /* URL parameters, then the form's */
  size_t nparams;
  bool bad_params;       /* too many parameters, or out of memory */
  GsPart *parts;         /* a multipart body's parts (the Graph Store) */
  size_t nparts;
  Stream *stream;
} Req;

static const char SPARQL_METHODS[] = "GET, HEAD, POST, OPTIONS";
static const char PAGE_CSP[] =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

/* Headers every response carries. */
static void common_headers(const Server *srv, struct MHD_Response *resp, const Req *r) {
  MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
  if (r->sparql || r->store) MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept");
  if (!srv->cfg.cors) return;
  MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, srv->cfg.cors);
  MHD_add_response_header(resp, "Access-Control-Allow-Methods",
                          r->store ? graphstore_methods : "GET, POST, OPTIONS");
  MHD_add_response_header(resp, "Access-Control-Allow-Headers",
                          "Accept, Authorization, Content-Type");
  MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
}

static enum MHD_Result queue(struct MHD_Connection *conn, Req *r, unsigned status,
                             struct MHD_Response *resp) {
  if (!resp) return MHD_NO;
  common_headers(r->srv, resp, r);
  r->status = status;
  enum MHD_Result ok = MHD_queue_response(conn, status, resp);
  MHD_destroy_response(resp);
  return ok;
}

/* A text reply: status, and one line of text (an optional header). */
static enum MHD_Result reply(struct MHD_Connection *conn, Req *r, unsigned status,
                             const char *header, const char *value, const char *fmt, ...) {
  char *text = NULL;
  va_list ap;
  va_start(ap, fmt);
  int n = vasprintf(&text, fmt, ap);
  va_end(ap);
  if (n < 0) return MHD_NO;
  struct MHD_Response *resp =
      MHD_create_response_from_buffer((size_t)n, text, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(text);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
  if (header) MHD_add_response_header(resp, header, value);
  return queue(conn, r, status, resp);
}

static enum MHD_Result not_allowed(struct MHD_Connection *conn, Req *r, const char *allow) {
  return reply(conn, r, 405, MHD_HTTP_HEADER_ALLOW, allow, "method %s not allowed on %s\n",
               r->method, r->path);
}

/* ---- Parameters ------------------------------------------------------ */

static bool add_param(Req *r, const char *key, size_t klen, const char *value, size_t vlen) {
  if (r->nparams >= MAX_PARAMS) return false;
  Param *v = realloc(r->params, (r->nparams + 1) * sizeof *v);
  if (!v) return false;
  r->params = v;
  Param *p = &v[r->nparams];
  p->key = strndup(key, klen);
  p->value = malloc(vlen + 1);
  if (!p->key || !p->value) {
    free(p->key);
    free(p->value);
    return false;
  }
  memcpy(p->value, value ? value : "", vlen);
  p->value[vlen] = '\0';
  p->len = vlen;
  r->nparams++;
  return true;
}

static enum MHD_Result url_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                 size_t klen, const char *value, size_t vlen) {
  (void)kind;
  Req *r = cls;
  if (!add_param(r, key, klen, value, value ? vlen : 0)) r->bad_params = true;
  return r->bad_params ? MHD_NO : MHD_YES;
}

/* The form decoder hands a long value over in pieces (off > 0). */
static enum MHD_Result form_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *ctype, const char *enc,
                                  const char *data, uint64_t off, size_t size) {
  (void)kind, (void)filename, (void)ctype, (void)enc;
  Req *r = cls;
  Param *last = r->nparams ? &r->params[r->nparams - 1] : NULL;
  if (off == 0 || !last || strcmp(last->key, key) != 0) {
    if (!add_param(r, key, strlen(key), data, size)) r->bad_params = true;
    return r->bad_params ? MHD_NO : MHD_YES;
  }
  char *v = realloc(last->value, last->len + size + 1);
  if (!v) {
    r->bad_params = true;
    return MHD_NO;
  }
  memcpy(v + last->len, data, size);
  last->len += size;
  v[last->len] = '\0';
  last->value = v;
  return MHD_YES;
}

/* A part of a multipart body, in pieces as form_param() takes them. */
static enum MHD_Result part_param(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *filename, const char *ctype, const char *enc,
                                  const char *data, uint64_t off, size_t size) {
  (void)kind, (void)enc;
  Req *r = cls;
  GsPart *p = r->nparts ? &r->parts[r->nparts - 1] : NULL;
  if (off == 0 || !p) {
    GsPart *v = r->nparts < MAX_PARAMS ? realloc(r->parts, (r->nparts + 1) * sizeof *v) : NULL;
    if (!v) return r->bad_params = true, MHD_NO;
    r->parts = v;
    p = &v[r->nparts++];
    *p = (GsPart){.type = ctype ? strdup(ctype) : NULL,
                  .name = strdup(filename ? filename : key ? key : "part")};
    if (!p->name || (ctype && !p->type)) return r->bad_params = true, MHD_NO;
  }
  char *d = realloc(p->data, p->len + size + 1);
  if (!d) return r->bad_params = true, MHD_NO;
  memcpy(d + p->len, data, size);
  p->len += size;
  p->data = d;
  return MHD_YES;
}

/* ---- Request bodies -------------------------------------------------- */

/* Take a piece of the body: into the form decoder or the buffer. A body
 * past the limit closes the connection (one that said its length in
 * advance was already answered 413). */
static enum MHD_Result take_upload(Req *r, const char *data, size_t *size) {
  size_t n = *size;
  *size = 0;
  r->taken += n;
  if (r->taken > r->srv->cfg.max_body) {
    r->status = 413;
    return MHD_NO;
  }
  if (r->form) { /* a malformed form is answered 400 once it is all in */
    if (!r->bad_params && MHD_post_process(r->form, data, n) != MHD_YES) r->bad_params = true;
    return MHD_YES;
  }
  if (r->len + n > r->cap) {
    size_t cap = r->cap ? r->cap : 4096;
    while (cap < r->len + n) cap *= 2;
    char *b = realloc(r->body, cap);
    if (!b) return MHD_NO;
    r->body = b;
    r->cap = cap;
  }
  memcpy(r->body + r->len, data, n);
  r->len += n;
  return MHD_YES;
}

/* ---- /sparql --------------------------------------------------------- */

static enum MHD_Result answer_from_stream(struct MHD_Connection *conn, Req *r) {
  if (stream_park(r->stream)) return MHD_YES; /* not ready yet */
  unsigned status;
  struct MHD_Response *resp = stream_response(r->stream, &status);
  return queue(conn, r, status, resp);
}

/* Updates need --allow-update and the token. 0 when allowed. */
static enum MHD_Result refuse_update(struct MHD_Connection *conn, Req *r, bool *refused) {
  const ServeConfig *cfg = &r->srv->cfg;
  *refused = true;
  if (!cfg->allow_update)
    return reply(conn, r, 403, NULL, NULL,
                 "updates are disabled: the server is read-only (start it with --allow-update)\n");
  const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
  if (!auth_check(cfg->token, auth))
    return reply(conn, r, 401, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"trine\"",
                 "an update needs the header Authorization: Bearer TOKEN\n");
  *refused = false;
  return MHD_YES;
}

static const char *accept_of(struct MHD_Connection *conn) {
  return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
}

/* Hand job j (NULL: out of memory), answering into s, to a worker, then
 * wait (suspended) for its reply. */
static enum MHD_Result submit(struct MHD_Connection *conn, Req *r, Stream *s, Job *j) {
  Server *srv = r->srv;
  if (!j) {
    stream_unref(s);
    return reply(conn, r, 500, NULL, NULL, "out of memory\n");
  }
  if (!workers_submit(srv->workers, j)) {
    job_free(j);
    stream_unref(s);
    return reply(conn, r, 503, MHD_HTTP_HEADER_RETRY_AFTER, "1",
                 "busy: all %u workers are running requests; try again\n", srv->cfg.workers);
  }
  r->stream = s;
  return answer_from_stream(conn, r);
}

static unsigned long long deadline_of(const Req *r) {
  return r->start_ms + r->srv->cfg.timeout_ms;
}

/* Run a SPARQL operation (taken over) on a worker. */
static enum MHD_Result start_job(struct MHD_Connection *conn, Req *r, Call *call) {
  Stream *s = stream_new(conn, deadline_of(r));
  Job *j = s ? job_new(r->srv, s, call, accept_of(conn), deadline_of(r)) : NULL;
  return submit(conn, r, s, j);
}

/* GET /sparql with no parameters: the service description, Turtle unless
 * N-Triples is preferred. */
static enum MHD_Result describe(struct MHD_Connection *conn, Req *r) {
  static const Offer offers[] = {
      {"text/turtle", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_TURTLE},
      {"application/n-triples", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_NTRIPLES},
      {"text/plain", TRINE_RESULTS_NTRIPLES, TRINE_FORMAT_NTRIPLES}};
  const Offer *offer = negotiate(accept_of(conn), offers, sizeof offers / sizeof *offers);
  if (!offer)
    return reply(conn, r, 406, NULL, NULL,
                 "not acceptable: the service description is text/turtle or "
                 "application/n-triples\n");
  bool turtle = offer->rdf == TRINE_FORMAT_TURTLE;
  char endpoint[sizeof r->srv->root + 8];
  snprintf(endpoint, sizeof endpoint, "%ssparql", r->srv->root);
  size_t len = 0;
  char *text = describe_service(&r->srv->cfg, endpoint, turtle, &len);
  if (!text) return reply(conn, r, 500, NULL, NULL, "out of memory\n");
  struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
  if (!resp) {
    free(text);
    return MHD_NO;
  }
  MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                          turtle ? "text/turtle; charset=utf-8" : offer->media);
  return queue(conn, r, 200, resp);
}

static enum MHD_Result sparql(struct MHD_Connection *conn, Req *r) {
  if (r->bad_params) return reply(conn, r, 400, NULL, NULL, "too many or malformed parameters\n");
  if (!r->post && r->nparams == 0) return describe(conn, r);
  HttpInput in = {.post = r->post,
                  .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                              MHD_HTTP_HEADER_CONTENT_TYPE),
                  .params = r->params, .nparams = r->nparams,
                  .body = r->body ? r->body : "", .body_len = r->len};
  Call call;
  char *why = NULL;
  unsigned status = protocol_parse(&in, &call, &why);
  if (status) {
    enum MHD_Result ok = reply(conn, r, status, NULL, NULL, "%s\n", why ? why : "bad request");
    free(why);
    return ok;
  }
  bool refused = false;
  enum MHD_Result ok = call.kind == CALL_UPDATE ? refuse_update(conn, r, &refused) : MHD_YES;
  if (refused) {
    protocol_call_free(&call);
    return ok;
  }
  ok = start_job(conn, r, &call);
  protocol_call_free(&call);
  return ok;
}

/* ---- /store ---------------------------------------------------------- */

static bool method_is(const Req *r, const char *m) { return strcmp(r->method, m) == 0; }

/* The body as the request's one part, unless it came as multipart. */
static bool body_part(struct MHD_Connection *conn, Req *r) {
  if (r->form) return !r->bad_params && r->nparts > 0; /* a form of no parts is malformed */
  const char *ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_TYPE);
  if (!(r->parts = calloc(1, sizeof *r->parts))) return false;
  r->nparts = 1;
  *r->parts = (GsPart){.type = ctype ? strdup(ctype) : NULL, .name = strdup("body"),
                       .data = r->body, .len = r->len};
  r->body = NULL;
  r->len = r->cap = 0;
  return r->parts->name && (!ctype || r->parts->type);
}

/* A Graph Store request: read it, check the right to write, run it. */
static enum MHD_Result graph_store(struct MHD_Connection *conn, Req *r) {
  MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, url_param, r);
  if (!body_part(conn, r))
    return reply(conn, r, 400, NULL, NULL, "%s\n", r->form ? "a multipart body without parts, "
                                                           "or a malformed one" : "out of memory");
  if (r->bad_params) return reply(conn, r, 400, NULL, NULL, "too many or malformed parameters\n");
  char *direct = NULL, *why = NULL;
  if (strlen(r->url) > 7 && asprintf(&direct, "%s%s", r->srv->root, r->url + 1) < 0)
    return reply(conn, r, 500, NULL, NULL, "out of memory\n");
  GsRequest *g = calloc(1, sizeof *g);
  unsigned status = g ? graphstore_parse(r->method, direct, r->params, r->nparams, &r->parts,
                                         &r->nparts, g, &why)
                      : 500;
  free(direct);
  if (status) {
    enum MHD_Result ok = reply(conn, r, status, status == 405 ? MHD_HTTP_HEADER_ALLOW : NULL,
                               graphstore_methods, "%s\n", why ? why : "out of memory");
    free(why);
    free(g);
    return ok;
  }
  bool refused = false;
  enum MHD_Result ok = graphstore_writes(g) ? refuse_update(conn, r, &refused) : MHD_YES;
  if (refused) {
    graphstore_free(g);
    return ok;
  }
  Stream *s = stream_new(conn, deadline_of(r));
  Job *j = s ? job_new_op(r->srv, s, graphstore_run, g, graphstore_free, accept_of(conn),
                          deadline_of(r))
             : (graphstore_free(g), NULL);
  return submit(conn, r, s, j);
}

/* ---- Routes ---------------------------------------------------------- */

/* The request's headers are in: refuse at once a body said to be too
 * large (answering now closes the connection, unread); else get ready. */
static enum MHD_Result begin(struct MHD_Connection *conn, Req *r) {
  r->sparql = strcmp(r->path, "/sparql") == 0 || strcmp(r->path, "/sparql/") == 0;
  r->post = method_is(r, "POST");
  if (r->store) {
    const char *ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                    MHD_HTTP_HEADER_CONTENT_TYPE);
    if (r->post && graphstore_is_multipart(ctype))
      r->form = MHD_create_post_processor(conn, 16 * 1024, part_param, r);
  }
  const char *clen = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (clen && strtoull(clen, NULL, 10) > r->srv->cfg.max_body)
    return reply(conn, r, 413, NULL, NULL, "the body is larger than the limit of %zu bytes\n",
                 r->srv->cfg.max_body);
  if (!r->sparql || !r->post) return MHD_YES;
  MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, url_param, r);
  const char *ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
                                                  MHD_HTTP_HEADER_CONTENT_TYPE);
  if (protocol_is_form(ctype)) r->form = MHD_create_post_processor(conn, 16 * 1024, form_param, r);
  return MHD_YES;
}

/* The query page at / and its files at /page/NAME. */
static enum MHD_Result page(struct MHD_Connection *conn, Req *r) {
  PageFile f;
  TrineStatus st = page_get(r->path, r->srv->store, &f);
  if (st == TRINE_NOT_FOUND) return reply(conn, r, 404, NULL, NULL, "not found: %s\n", r->path);
  if (st != TRINE_OK)
    return reply(conn, r, 500, NULL, NULL, "the page: %s\n", trine_strerror(st));
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      f.len, (void *)f.data, f.owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!resp) free(f.owned);
  if (resp) {
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, f.type);
    MHD_add_response_header(resp, "Content-Security-Policy", PAGE_CSP);
  }
  return queue(conn, r, 200, resp);
}

/* The request is in: answer by its route and method. */
static enum MHD_Result route(struct MHD_Connection *conn, Req *r) {
  bool get = method_is(r, "GET") || method_is(r, "HEAD");
  if (page_is(r->path)) return get ? page(conn, r) : not_allowed(conn, r, "GET, HEAD");
  if (strcmp(r->path, "/health") == 0)
    return get ? reply(conn, r, 200, NULL, NULL, "ok\n") : not_allowed(conn, r, "GET, HEAD");
  if (r->store && method_is(r, "OPTIONS"))
    return reply(conn, r, 204, MHD_HTTP_HEADER_ALLOW, graphstore_methods, "%s", "");
  if (r->store && atomic_load(&r->srv->stopping))
    return reply(conn, r, 503, MHD_HTTP_HEADER_CONNECTION, "close", "the server is stopping\n");
  if (r->store) return graph_store(conn, r);
  if (!r->sparql)
    return reply(conn, r, 404, NULL, NULL,
                 "not found: %s (the endpoint is /sparql, the graph store /store)\n", r->path);
  if (method_is(r, "OPTIONS"))
    return reply(conn, r, 204, MHD_HTTP_HEADER_ALLOW, SPARQL_METHODS, "%s", "");
  if (!get && !r->post) return not_allowed(conn, r, SPARQL_METHODS);
  if (atomic_load(&r->srv->stopping))
    return reply(conn, r, 503, MHD_HTTP_HEADER_CONNECTION, "close", "the server is stopping\n");
  if (get) MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, url_param, r);
  return sparql(conn, r);
}

/* src cut to size with control bytes as '?': a path with a decoded
 * newline must not write lines of its own into the log. */
static void printable(char *dst, size_t size, const char *src) {
  size_t i = 0;
  for (; src[i] && i + 1 < size; ++i)
    dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ? '?' : src[i];
  dst[i] = '\0';
}

static Req *req_new(Server *srv, struct MHD_Connection *conn, const char *url,
                    const char *method) {
  Req *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->store = strcmp(url, "/store") == 0 || strncmp(url, "/store/", 7) == 0;
  if (r->store && !(r->url = strdup(url))) {
    free(r);
    return NULL;
  }
  r->srv = srv;
  r->start_ms = serve_now_ms();
  printable(r->method, sizeof r->method, method);
  printable(r->path, sizeof r->path, url);
  const union MHD_ConnectionInfo *ci =
      MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!ci || getnameinfo(ci->client_addr, sizeof(struct sockaddr_storage), r->client,
                         sizeof r->client, NULL, 0, NI_NUMERICHOST))
    snprintf(r->client, sizeof r->client, "-");
  pthread_mutex_lock(&srv->mu);
  srv->active++;
  pthread_mutex_unlock(&srv->mu);
  return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload, size_t *upload_size, void **con_cls) {
  (void)version;
  Req *r = *con_cls;
  if (!r) {
    if (!(*con_cls = r = req_new(cls, conn, url, method))) return MHD_NO;
    return begin(conn, r);
  }
  if (*upload_size) return take_upload(r, upload, upload_size);
  if (r->stream) return answer_from_stream(conn, r);
  return route(conn, r);
}

/* ---- Completion and the access log ---------------------------------- */

static const char *ending(enum MHD_RequestTerminationCode toe) {
  switch (toe) {
  case MHD_REQUEST_TERMINATED_COMPLETED_OK: return "";
  case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED: return " (idle timeout)";
  case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN: return " (server stopping)";
  case MHD_REQUEST_TERMINATED_CLIENT_ABORT: return " (client went away)";
  default: return " (connection error)";
  }
}

/* One line per request on stderr, written at once so that lines of
 * threads do not mix: time, client, method, path, status, rows, ms. */
static void log_request(const Req *r, uint64_t rows, bool broken,
                        enum MHD_RequestTerminationCode toe) {
  if (r->srv->cfg.quiet) return;
  char when[32], line[512];
  time_t now = time(NULL);
  struct tm tm;
  strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
  int n = snprintf(line, sizeof line, "%s %s %s %s %u %llu rows %llu ms%s%s\n", when, r->client,
                   r->method, r->path, r->status, (unsigned long long)rows,
                   serve_now_ms() - r->start_ms, broken ? " (result broken off)" : "",
                   ending(toe));
  if (n > 0) (void)!write(STDERR_FILENO, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)conn;
  Server *srv = cls;
  Req *r = *con_cls;
  if (!r) return;
  *con_cls = NULL;
  uint64_t rows = 0;
  bool broken = false;
  if (r->stream) {
    stream_close(r->stream);
    stream_outcome(r->stream, &rows, &broken);
    stream_unref(r->stream);
  }
  log_request(r, rows, broken, toe);
  if (r->form) MHD_destroy_post_processor(r->form);
  for (size_t i = 0; i < r->nparams; ++i) free(r->params[i].key), free(r->params[i].value);
  free(r->params);
  graphstore_parts_free(r->parts, r->nparts);
  free(r->body);
  free(r->url);
  free(r);
  pthread_mutex_lock(&srv->mu);
  srv->active--;
  pthread_cond_broadcast(&srv->idle);
  pthread_mutex_unlock(&srv->mu);
}

/* ---- The daemon ------------------------------------------------------ */

int http_listen(const char *addr, unsigned *port) {
  struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                           .ai_flags = AI_PASSIVE}, *ai = NULL;
  char service[16];
  snprintf(service, sizeof service, "%u", *port);
  int rc = getaddrinfo(addr, service, &hints, &ai);
  if (rc) {
    fprintf(stderr, "trine serve: --bind %s: %s\n", addr, gai_strerror(rc));
    return -1;
  }
  int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
  if (fd >= 0) setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fd < 0 || bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 128)) {
    fprintf(stderr, "trine serve: cannot listen on %s port %u: %m\n", addr, *port);
    if (fd >= 0) close(fd);
    freeaddrinfo(ai);
    return -1;
  }
  freeaddrinfo(ai);
  struct sockaddr_storage ss;
  socklen_t sl = sizeof ss;
  if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
    *port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                           : ((struct sockaddr_in *)&ss)->sin_port);
  return fd;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
  (void)cls;
  char msg[512];
  vsnprintf(msg, sizeof msg, fmt, ap);
  size_t n = strlen(msg);
  while (n && msg[n - 1] == '\n') msg[--n] = '\0';
  fprintf(stderr, "trine serve: http: %s\n", msg);
}

bool http_start(Server *srv, int fd) {
  unsigned idle_s = (srv->cfg.timeout_ms + 999) / 1000;
  srv->listen_fd = fd;
  srv->daemon = MHD_start_daemon(
      MHD_USE_AUTO_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL,
      NULL, on_request, srv, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
      MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_THREAD_POOL_SIZE,
      (unsigned)IO_THREADS, MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
      MHD_OPTION_CONNECTION_TIMEOUT, idle_s ? idle_s : 1, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)HEADER_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
      MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
  if (!srv->daemon) {
    fprintf(stderr, "trine serve: cannot start the HTTP server\n");
    close(fd);
    srv->listen_fd = -1;
  }
  return srv->daemon != NULL;
}

void http_quiesce(Server *srv) {
  if (!srv->daemon || srv->listen_fd < 0) return;
  int fd = (int)MHD_quiesce_daemon(srv->daemon);
  if (fd >= 0) close(fd);
  srv->listen_fd = -1;
}

void http_stop(Server *srv) {
  if (srv->daemon) MHD_stop_daemon(srv->daemon); /* closes a socket not quiesced */
  srv->daemon = NULL;
  srv->listen_fd = -1;
}
