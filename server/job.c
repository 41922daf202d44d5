/*
 * job.c -- preparing, running and answering one SPARQL operation; the
 * life of every job.
 */
#include "job.h"

#include "negotiate.h"
#include "workers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef JobError Caught;

void job_on_error(void *ctx, const TrineError *e) {
  Caught *c = ctx;
  if (c->set) return;
  c->set = true;
  c->err = *e;
  snprintf(c->msg, sizeof c->msg, "%s", e->message ? e->message : "");
  c->err.message = c->msg;
  c->err.source = c->name;
}

/* The deadline of the update this thread runs, for job_busy(). */
static _Thread_local unsigned long long busy_deadline;

int job_busy(void *ctx, unsigned waited_ms) {
  (void)waited_ms;
  Server *srv = ctx;
  return atomic_load(&srv->stopping) || (busy_deadline && serve_now_ms() >= busy_deadline);
}

static void release_worker(void *workers) { workers_release(workers); }

Job *job_new_op(Server *srv, Stream *stream, JobRunFn run, void *op, void (*free_op)(void *),
                const char *accept, unsigned long long deadline_ms) {
  Job *j = calloc(1, sizeof *j);
  if (!j || (accept && !(j->accept = strdup(accept)))) {
    free(j);
    if (free_op) free_op(op);
    return NULL;
  }
  j->srv = srv;
  j->stream = stream;
  stream_ref(stream);
  /* The worker is free for the client's next request once it has its reply. */
  stream_on_end(stream, release_worker, srv->workers);
  j->run = run;
  j->op = op;
  j->free_op = free_op;
  j->deadline_ms = deadline_ms;
  return j;
}

Job *job_new(Server *srv, Stream *stream, Call *call, const char *accept,
             unsigned long long deadline_ms) {
  Job *j = job_new_op(srv, stream, NULL, NULL, NULL, accept, deadline_ms);
  if (!j) return NULL;
  j->call = *call;
  memset(call, 0, sizeof *call);
  return j;
}

static unsigned http_status(TrineStatus st) {
  switch (st) {
  case TRINE_ERR_SYNTAX: case TRINE_ERR_ARG: return 400;
  case TRINE_ERR_READONLY: case TRINE_ERR_DENIED: return 403;
  case TRINE_ERR_UNSUPPORTED: return 501;
  case TRINE_ERR_CANCELLED: case TRINE_ERR_BUSY: return 503;
  case TRINE_ERR_FULL: return 507;
  default: return 500;
  }
}

/* Answer an error: the library's message, with its position if any. */
void job_fail(Job *j, TrineStatus st, const Caught *c) {
  char msg[1200];
  bool stopping = atomic_load(&j->srv->stopping);
  if (st == TRINE_ERR_IO && stopping) st = TRINE_ERR_CANCELLED; /* its stream was aborted */
  if (st == TRINE_ERR_CANCELLED && stopping)
    snprintf(msg, sizeof msg, "cancelled: the server is stopping");
  else if (st == TRINE_ERR_CANCELLED)
    snprintf(msg, sizeof msg, "cancelled: the request ran past the timeout of %g s",
             j->srv->cfg.timeout_ms / 1000.0);
  else if (st == TRINE_ERR_IO && stream_closed(j->stream))
    snprintf(msg, sizeof msg, "the client went away");
  else if (st == TRINE_ERR_IO && serve_now_ms() >= j->deadline_ms)
    snprintf(msg, sizeof msg, "the client did not read the result within the timeout");
  else if (c && c->set)
    trine_error_format(&c->err, msg, sizeof msg);
  else
    snprintf(msg, sizeof msg, "error: %s", trine_strerror(st));
  stream_fail(j->stream, http_status(st), msg);
}

/* Answer an error of the request itself. */
static void refuse(Job *j, unsigned status, const char *msg) {
  stream_fail(j->stream, status, msg);
}

unsigned job_remaining_ms(const Job *j) {
  unsigned long long now = serve_now_ms();
  return now >= j->deadline_ms ? 1 : (unsigned)(j->deadline_ms - now);
}

/* Whether the prepared form fits the protocol operation; refuses if not. */
static bool form_fits(Job *j, TrineQueryForm form) {
  bool update = form == TRINE_QUERY_UPDATE;
  if (update == (j->call.kind == CALL_UPDATE)) return true;
  refuse(j, 400, update ? "this is an update: send it as update= or application/sparql-update"
                        : "this is a query: send it as query= or application/sparql-query");
  return false;
}

/* Check the text as sent (errors then point into it), then the text with
 * the protocol's dataset written in. Returns the text to run or NULL. */
static char *with_dataset(Job *j, const TrineQueryOptions *o, Caught *c, size_t *len) {
  TrineQuery *q = NULL;
  TrineStatus st = trine_query_prepare(NULL, j->call.text, j->call.len, o, &q);
  bool fits = !st && form_fits(j, trine_query_form(q));
  trine_query_free(q);
  if (st) job_fail(j, st, c);
  if (!fits) return NULL;
  bool conflict = false;
  char *text = j->call.kind == CALL_QUERY
                   ? dataset_query(j->call.text, j->call.len, &j->call.dflt, &j->call.named, len)
                   : dataset_update(j->call.text, j->call.len, &j->call.dflt,
                                    &j->call.named, len, &conflict);
  if (conflict)
    refuse(j, 400, "using-graph-uri and using-named-graph-uri cannot be given to an update "
                   "that has USING or WITH");
  else if (!text)
    refuse(j, 500, "out of memory");
  return text;
}

/* Prepare the job's operation; NULL when it was answered with an error. */
static TrineQuery *prepare(Job *j, Caught *c) {
  /* What the operator allowed the requests to do: nothing but reading,
   * unless started with --allow-update (and --allow-load); SERVICE only to
   * the endpoints of --service-allow. */
  const ServeConfig *cfg = &j->srv->cfg;
  unsigned allow = (cfg->allow_update ? TRINE_ALLOW_UPDATE : 0) |
                   (cfg->allow_load ? TRINE_ALLOW_LOAD_FILES : 0) |
                   (cfg->nservice_allow ? TRINE_ALLOW_SERVICE : 0);
  TrineQueryOptions o = {.allow = allow, .name = c->name, .base_iri = j->srv->cfg.base,
                         .service_allow = cfg->service_allow,
                         .nservice_allow = cfg->nservice_allow,
                         .timeout_ms = job_remaining_ms(j), .memory_limit = j->srv->cfg.memory_limit,
                         .sink = job_on_error, .sink_ctx = c};
  char *text = j->call.text;
  size_t len = j->call.len;
  if (j->call.dflt.n || j->call.named.n) text = with_dataset(j, &o, c, &len);
  if (!text) return NULL;
  TrineQuery *q = NULL;
  TrineStatus st = trine_query_prepare(j->srv->store, text, len, &o, &q);
  if (text != j->call.text) free(text);
  if (st) {
    job_fail(j, st, c);
    return NULL;
  }
  if (!form_fits(j, trine_query_form(q))) {
    trine_query_free(q);
    return NULL;
  }
  return q;
}

/* The prefixes of a Turtle answer, as the shell's --format turtle has
 * them: those the query declares, then the store's saved ones under other
 * names (a name is declared once: the query's wins). Saved pairs are
 * copies, freed by prefixes_free(). */
typedef struct {
  const char **v;  /* name, IRI pairs */
  size_t n, cap;   /* pairs */
  size_t own;      /* v[2 * own...] are copies */
  bool nomem;
} Prefixes;

static int add_saved(void *ctx, const char *name, const char *iri) {
  Prefixes *p = ctx;
  for (size_t i = 0; i < p->own; ++i)
    if (!strcmp(p->v[2 * i], name)) return 0;
  if (p->n == p->cap) {
    size_t cap = p->cap ? 2 * p->cap : 16;
    const char **v = realloc(p->v, 2 * cap * sizeof *v);
    if (!v) return p->nomem = true;
    p->v = v;
    p->cap = cap;
  }
  char *n = strdup(name), *i = strdup(iri);
  if (!n || !i) {
    free(n);
    free(i);
    return p->nomem = true;
  }
  p->v[2 * p->n] = n;
  p->v[2 * p->n++ + 1] = i;
  return 0;
}

static void prefixes_free(Prefixes *p) {
  for (size_t i = p->own; i < p->n; ++i) free((char *)p->v[2 * i]), free((char *)p->v[2 * i + 1]);
  free(p->v);
}

static TrineStatus turtle_prefixes(Job *j, TrineQuery *q, Prefixes *p) {
  const char *const *declared;
  size_t n = trine_query_prefixes(q, &declared);
  *p = (Prefixes){.cap = n};
  if (n && !(p->v = malloc(2 * n * sizeof *p->v))) return TRINE_ERR_NOMEM;
  if (n) memcpy(p->v, declared, 2 * n * sizeof *p->v);
  p->n = p->own = n;
  TrineStatus st = trine_store_prefixes(j->srv->store, add_saved, p);
  return p->nomem ? TRINE_ERR_NOMEM : st;
}

static void run_query(Job *j, TrineQuery *q, Caught *c) {
  TrineQueryForm form = trine_query_form(q);
  bool graph = form == TRINE_QUERY_CONSTRUCT || form == TRINE_QUERY_DESCRIBE;
  const Offer *offer = graph ? negotiate(j->accept, negotiate_graphs, negotiate_ngraphs)
                             : negotiate(j->accept, negotiate_results, negotiate_nresults);
  if (!offer) {
    refuse(j, 406, graph ? "not acceptable: a graph is sent as application/n-triples, "
                           "text/turtle, application/trig, application/n-quads or text/plain"
                         : "not acceptable: results are sent as application/sparql-results+json, "
                           "application/sparql-results+xml, text/csv, "
                           "text/tab-separated-values or text/plain");
    return;
  }
  Prefixes pre = {0};
  TrineStatus st = offer->format == TRINE_RESULTS_TURTLE ? turtle_prefixes(j, q, &pre) : TRINE_OK;
  FILE *f = NULL;
  if (!st) {
    stream_head(j->stream, 200, negotiate_content_type(offer));
    f = stream_file(j->stream);
  }
  if (!f) {
    prefixes_free(&pre);
    job_fail(j, st ? st : TRINE_ERR_NOMEM, c);
    return;
  }
  uint64_t rows = 0;
  TrineWriteOptions w = {.headers = true, .prefixes = pre.v, .nprefixes = pre.n};
  st = trine_query_write(q, offer->format, &w, f, &rows);
  prefixes_free(&pre);
  if (fclose(f) != 0 && !st) st = TRINE_ERR_IO;
  if (st) {
    stream_rows(j->stream, rows);
    job_fail(j, st, c);
  } else {
    stream_finish(j->stream, rows);
  }
}

bool job_lock_writes(Job *j) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  unsigned ms = job_remaining_ms(j);
  ts.tv_sec += ms / 1000;
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
  if (pthread_mutex_timedlock(&j->srv->write_mu, &ts) != 0) return false;
  busy_deadline = j->deadline_ms;
  return true;
}

void job_unlock_writes(Job *j) {
  busy_deadline = 0;
  pthread_mutex_unlock(&j->srv->write_mu);
}

static void run_update(Job *j, TrineQuery *q, Caught *c) {
  if (!j->srv->cfg.allow_load && dataset_has_load(j->call.text, j->call.len)) {
    refuse(j, 403, "LOAD is refused: it reads files of the server (start it with --allow-load)");
    return;
  }
  if (!job_lock_writes(j)) {
    refuse(j, 503, "busy: other updates held the store past the timeout");
    return;
  }
  TrineStatus st = trine_query_step(q);
  job_unlock_writes(j);
  if (st != TRINE_DONE && st != TRINE_OK) {
    job_fail(j, st, c);
    return;
  }
  FILE *f = stream_file(j->stream);
  if (f) {
    fputs("update done\n", f);
    fclose(f);
  }
  stream_finish(j->stream, 0);
}

/* The running list, so that a stop can cancel what runs. */
static void track(Job *j, TrineQuery *q, bool running) {
  Server *srv = j->srv;
  pthread_mutex_lock(&srv->mu);
  if (running) {
    j->q = q;
    j->next = srv->running;
    srv->running = j;
    if (atomic_load(&srv->stopping)) {
      if (q) trine_query_cancel(q);
      stream_abort(j->stream);
    }
  } else {
    Job **p = &srv->running;
    while (*p && *p != j) p = &(*p)->next;
    if (*p) *p = j->next;
    j->q = NULL;
  }
  pthread_mutex_unlock(&srv->mu);
}

void job_track(Job *j, bool running) { track(j, NULL, running); }

void job_cancel_all(Server *srv) {
  pthread_mutex_lock(&srv->mu);
  for (Job *j = srv->running; j; j = j->next) {
    if (j->q) trine_query_cancel(j->q);
    stream_abort(j->stream);
  }
  pthread_mutex_unlock(&srv->mu);
}

void job_run(void *arg) {
  Job *j = arg;
  if (j->run) {
    if (!stream_closed(j->stream)) j->run(j);
    else stream_fail(j->stream, 503, "the client went away");
    job_free(j);
    return;
  }
  Caught c = {.name = j->call.kind == CALL_UPDATE ? "update" : "query"};
  TrineQuery *q = stream_closed(j->stream) ? NULL : prepare(j, &c);
  if (q) {
    track(j, q, true);
    if (j->call.kind == CALL_UPDATE) run_update(j, q, &c);
    else run_query(j, q, &c);
    track(j, NULL, false);
    trine_query_free(q);
  } else if (stream_closed(j->stream)) {
    stream_fail(j->stream, 503, "the client went away");
  }
  job_free(j);
}

void job_free(Job *j) {
  stream_unref(j->stream);
  protocol_call_free(&j->call);
  if (j->free_op) j->free_op(j->op);
  free(j->accept);
  free(j);
}
