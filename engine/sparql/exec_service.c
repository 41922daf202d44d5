/*
 * exec_service.c -- SERVICE: the group as written (SparqlOp.text, with the
 * prologue) is POSTed to the endpoint as a query, the bindings of the rows
 * so far in a VALUES block, SERVICE_BATCH distinct ones a request. A
 * column ?k numbers each VALUES row, so every result row is merged with
 * the rows it came from only: the result rows are the endpoint's
 * Join(VALUES, P), and merging them with other rows could add bindings
 * those rows never had. Results are read as SPARQL JSON or, when the
 * endpoint answers XML, SPARQL XML. Blank nodes in a response are fresh nodes, one
 * per label and response. Local blank nodes go out as UNDEF (no endpoint
 * knows them) and the local compatibility check keeps the join exact.
 */
#include "exec_service.h"

#include "srj.h"
#include "srx.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- configuration ---- */

TrineStatus service_config_init(ServiceConfig *c, const char *const *allow, size_t nallow,
                                unsigned timeout_ms, size_t max_bytes) {
  *c = (ServiceConfig){.timeout_ms = timeout_ms ? timeout_ms : SERVICE_TIMEOUT_MS,
                       .max_bytes = max_bytes ? max_bytes : SERVICE_MAX_BYTES};
  if (!nallow || !allow) return TRINE_OK;
  if (!(c->allow = calloc(nallow, sizeof *c->allow))) return TRINE_ERR_NOMEM;
  for (size_t i = 0; i < nallow; ++i) {
    if (!allow[i]) continue;
    if (!(c->allow[c->nallow] = strdup(allow[i]))) return TRINE_ERR_NOMEM;
    c->nallow++;
  }
  return TRINE_OK;
}

void service_config_free(ServiceConfig *c) {
  for (size_t i = 0; i < c->nallow; ++i) free(c->allow[i]);
  free(c->allow);
  *c = (ServiceConfig){0};
}

/* A prefix matches up to a boundary, so "http://h:80" allows neither
 * "http://h:8080/" nor "http://h:80@elsewhere/". */
bool service_allowed(const ServiceConfig *c, const char *endpoint) {
  for (size_t i = 0; c && i < c->nallow; ++i) {
    size_t n = strlen(c->allow[i]);
    if (n == 0 || strncmp(endpoint, c->allow[i], n) != 0) continue;
    char last = c->allow[i][n - 1], next = endpoint[n];
    if (last == '/' || next == 0 || next == '/' || next == '?' || next == '#') return true;
  }
  return false;
}

/* ---- the request text ---- */

static void put_escaped(FILE *f, const char *s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c == '\n') fputs("\\n", f);
    else if (c == '\r') fputs("\\r", f);
    else fputc(c, f);
  }
}

/* A term as SPARQL text; a blank node (no endpoint knows it) as UNDEF. */
static void put_term(FILE *f, const TrineTerm *t) {
  if (t->kind == TRINE_TERM_IRI) {
    fprintf(f, " <%.*s>", (int)t->value_len, t->value);
  } else if (t->kind == TRINE_TERM_LITERAL) {
    fputs(" \"", f);
    put_escaped(f, t->value, t->value_len);
    fputc('"', f);
    if (t->lang && t->lang_len) fprintf(f, "@%.*s", (int)t->lang_len, t->lang);
    else if (t->datatype && t->datatype_len)
      fprintf(f, "^^<%.*s>", (int)t->datatype_len, t->datatype);
  } else {
    fputs(" UNDEF", f);
  }
}

/* Variables in scope of op (user variables are the ones sent and read). */
static void scope_vars(const SparqlOp *op, bool *in) {
  if (!op) return;
  const SparqlSlot *slots[3];
  switch (op->kind) {
  case SPARQL_OP_BGP:
    for (size_t i = 0; i < op->ntriples; ++i) {
      slots[0] = &op->triples[i].s, slots[1] = &op->triples[i].p, slots[2] = &op->triples[i].o;
      for (int j = 0; j < 3; ++j)
        if (slots[j]->var != SPARQL_NO_VAR) in[slots[j]->var] = true;
    }
    return;
  case SPARQL_OP_PATH:
    if (op->path_s.var != SPARQL_NO_VAR) in[op->path_s.var] = true;
    if (op->path_o.var != SPARQL_NO_VAR) in[op->path_o.var] = true;
    return;
  case SPARQL_OP_PROJECT: case SPARQL_OP_TABLE:
    for (size_t i = 0; i < op->nvars; ++i) in[op->vars[i]] = true;
    return;
  case SPARQL_OP_GRAPH: case SPARQL_OP_SERVICE:
    if (op->target.var != SPARQL_NO_VAR) in[op->target.var] = true;
    break;
  case SPARQL_OP_EXTEND: case SPARQL_OP_GROUP:
    for (size_t i = 0; i < op->nbinds; ++i)
      if (op->binds[i].var != SPARQL_NO_VAR) in[op->binds[i].var] = true;
    for (size_t i = 0; i < op->naggs; ++i) in[op->aggs[i].var] = true;
    if (op->kind == SPARQL_OP_GROUP) return;
    break;
  case SPARQL_OP_MINUS:
    scope_vars(op->a, in);
    return;
  default:
    break;
  }
  scope_vars(op->a, in);
  scope_vars(op->b, in);
}

/* ---- HTTP ---- */

typedef struct {
  Exec *x;
  char *body;
  size_t len, cap, max;
  bool too_big, stopped;
  bool xml; /* the response is SPARQL XML results (else JSON) */
} Transfer;

static size_t on_data(char *data, size_t size, size_t n, void *ctx) {
  Transfer *t = ctx;
  size_t k = size * n;
  if (t->len + k > t->max) {
    t->too_big = true;
    return 0;
  }
  if (t->len + k + 1 > t->cap) {
    size_t cap = t->cap ? t->cap : 16384;
    while (cap < t->len + k + 1) cap *= 2;
    char *b = realloc(t->body, cap);
    if (!b) return 0;
    t->body = b;
    t->cap = cap;
  }
  memcpy(t->body + t->len, data, k);
  t->len += k;
  t->body[t->len] = 0;
  return k;
}

/* The query's cancel and timeout stop a transfer under way. */
static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un) {
  (void)dt, (void)dn, (void)ut, (void)un;
  Transfer *t = ctx;
  Exec *x = t->x;
  bool stop = x->cancel && *x->cancel;
  if (!stop && x->deadline.tv_sec) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    stop = now.tv_sec > x->deadline.tv_sec ||
           (now.tv_sec == x->deadline.tv_sec && now.tv_nsec >= x->deadline.tv_nsec);
  }
  t->stopped |= stop;
  return stop;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_status;
static void curl_start(void) { curl_init_status = curl_global_init(CURL_GLOBAL_DEFAULT); }

/* POST query to endpoint; the response body in t. On failure: 1, why in
 * err (an endpoint failure, which SILENT hides); the query's own cancel or
 * timeout sets t->stopped. */
static int http_query(const ServiceConfig *c, const char *endpoint, const char *query,
                      Transfer *t, char *err, size_t errsize) {
  pthread_once(&curl_once, curl_start);
  if (curl_init_status) {
    snprintf(err, errsize, "libcurl: %s", curl_easy_strerror(curl_init_status));
    return 1;
  }
  CURL *h = curl_easy_init();
  if (!h) {
    snprintf(err, errsize, "libcurl could not start a transfer");
    return 1;
  }
  char *q = curl_easy_escape(h, query, 0);
  size_t n = q ? strlen(q) + 7 : 0;
  char *form = q ? malloc(n) : NULL;
  if (form) snprintf(form, n, "query=%s", q);
  struct curl_slist *hdr = curl_slist_append(
      NULL, "Accept: application/sparql-results+json, application/sparql-results+xml;q=0.9");
  char cerr[CURL_ERROR_SIZE] = "";
  CURLcode rc = !form || !hdr ? CURLE_OUT_OF_MEMORY : CURLE_OK;
  long status = 0;
  if (!rc) {
    curl_easy_setopt(h, CURLOPT_URL, endpoint);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect could leave the allow-list */
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "trine/" TRINE_VERSION);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS,
                     (long)(c->timeout_ms < SERVICE_CONNECT_MS ? c->timeout_ms : SERVICE_CONNECT_MS));
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, t);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    rc = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    const char *type = NULL;
    curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &type);
    t->xml = type && strstr(type, "xml");
  }
  int failed = 1;
  if (t->too_big)
    snprintf(err, errsize, "the response is larger than %zu bytes", t->max);
  else if (rc)
    snprintf(err, errsize, "%s", cerr[0] ? cerr : curl_easy_strerror(rc));
  else if (status < 200 || status > 299)
    snprintf(err, errsize, "HTTP status %ld: %.200s", status, t->body ? t->body : "");
  else
    failed = 0;
  curl_slist_free_all(hdr);
  free(form);
  curl_free(q);
  curl_easy_cleanup(h);
  return failed;
}

/* ---- reading the results ---- */

typedef struct {
  char *label;
  TrineId id;
} Blank;

typedef struct {
  Exec *x;
  const char *key;     /* the name of the VALUES row number column */
  bool *scope;         /* variables the endpoint may bind */
  TrineId *row;        /* the row being read */
  long k;              /* its VALUES row (-1: none) */
  Table rows;          /* rows read */
  long *ks;            /* per row read, its VALUES row */
  size_t capks;
  Blank *blanks;       /* labels of the response */
  size_t nblanks, capblanks;
} Reader;

static uint32_t var_named(const SparqlRequest *r, const char *name, size_t n) {
  for (uint32_t v = 0; v < r->nvars; ++v)
    if (r->vars[v].kind == SPARQL_VAR_USER && strlen(r->vars[v].name) == n &&
        memcmp(r->vars[v].name, name, n) == 0)
      return v;
  return SPARQL_NO_VAR;
}

/* The fresh node of a label of this response. */
static TrineStatus blank_id(Reader *rd, const TrineTerm *t, TrineId *id) {
  for (size_t i = 0; i < rd->nblanks; ++i)
    if (strlen(rd->blanks[i].label) == t->value_len &&
        memcmp(rd->blanks[i].label, t->value, t->value_len) == 0) {
      *id = rd->blanks[i].id;
      return TRINE_OK;
    }
  if (rd->nblanks == rd->capblanks) {
    size_t cap = rd->capblanks ? rd->capblanks * 2 : 16;
    Blank *b = realloc(rd->blanks, cap * sizeof *b);
    if (!b) return TRINE_ERR_NOMEM;
    rd->blanks = b;
    rd->capblanks = cap;
  }
  char *label = strndup(t->value, t->value_len);
  if (!label) return TRINE_ERR_NOMEM;
  *id = qdict_new_blank(rd->x->dict);
  rd->blanks[rd->nblanks++] = (Blank){label, *id};
  return *id ? TRINE_OK : TRINE_ERR_NOMEM;
}

static TrineStatus on_cell(void *ctx, const char *name, size_t n, const TrineTerm *t) {
  Reader *rd = ctx;
  if (rd->key && strlen(rd->key) == n && memcmp(rd->key, name, n) == 0) {
    char *end;
    rd->k = t->kind == TRINE_TERM_LITERAL ? strtol(t->value, &end, 10) : -1;
    return TRINE_OK;
  }
  uint32_t v = var_named(rd->x->req, name, n);
  if (v == SPARQL_NO_VAR || !rd->scope[v]) return TRINE_OK; /* not asked for */
  if (t->kind == TRINE_TERM_BLANK) return blank_id(rd, t, &rd->row[v]);
  return qdict_intern(rd->x->dict, t, &rd->row[v]);
}

static TrineStatus on_row(void *ctx) {
  Reader *rd = ctx;
  Exec *x = rd->x;
  if (rd->rows.n == rd->capks) {
    size_t cap = rd->capks ? rd->capks * 2 : 64;
    long *ks = realloc(rd->ks, cap * sizeof *ks);
    if (!ks) return TRINE_ERR_NOMEM;
    rd->ks = ks;
    rd->capks = cap;
  }
  rd->ks[rd->rows.n] = rd->key ? rd->k : 0;
  TrineStatus st = exec_table_push(x, &rd->rows, rd->row);
  memset(rd->row, 0, x->width * sizeof *rd->row);
  rd->k = -1;
  return st ? st : exec_check_limits(x);
}

static void reader_free(Reader *rd) {
  for (size_t i = 0; i < rd->nblanks; ++i) free(rd->blanks[i].label);
  free(rd->blanks);
  free(rd->ks);
  free(rd->row);
  exec_table_release(rd->x, &rd->rows);
}

/* ---- the join ---- */

typedef struct {
  Exec *x;
  const SparqlOp *op;
  const Table *in;
  const char *endpoint;
  const char *head, *group; /* op->text around its %VALUES% mark */
  size_t nhead;
  bool *scope;
  uint32_t *keys;           /* variables sent in VALUES */
  size_t nkeys;
  char key[32];             /* the row number column */
  size_t *order;            /* rows of in, sorted by their keys */
  size_t *start;            /* distinct keys: first position in order */
  size_t ngroups;
  SparqlExpr *const *filters;
  size_t nfilters;
  bool *matched;
  Table *out;
} Join;

static int cmp_keys(const Join *j, size_t a, size_t b) {
  const TrineId *ra = exec_row(j->in, a), *rb = exec_row(j->in, b);
  for (size_t i = 0; i < j->nkeys; ++i)
    if (ra[j->keys[i]] != rb[j->keys[i]]) return ra[j->keys[i]] < rb[j->keys[i]] ? -1 : 1;
  return 0;
}

static int cmp_rows(const void *a, const void *b, void *ctx) {
  return cmp_keys(ctx, *(const size_t *)a, *(const size_t *)b);
}

/* Rows of in grouped by the values of the keys (one group when none). */
static TrineStatus group_rows(Join *j) {
  size_t n = j->in->n;
  j->order = malloc((n + 1) * sizeof *j->order);
  j->start = malloc((n + 2) * sizeof *j->start);
  if (!j->order || !j->start) return TRINE_ERR_NOMEM;
  for (size_t i = 0; i < n; ++i) j->order[i] = i;
  if (j->nkeys) qsort_r(j->order, n, sizeof *j->order, cmp_rows, j);
  for (size_t i = 0; i < n; ++i)
    if (i == 0 || (j->nkeys && cmp_keys(j, j->order[i - 1], j->order[i]) != 0))
      j->start[j->ngroups++] = i;
  j->start[j->ngroups] = n;
  return TRINE_OK;
}

/* The query of groups [g0, g1): the prologue, a VALUES block, the group. */
static char *batch_query(Join *j, size_t g0, size_t g1) {
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return NULL;
  fwrite(j->head, 1, j->nhead, f);
  if (j->nkeys) {
    fprintf(f, "VALUES (?%s", j->key);
    for (size_t i = 0; i < j->nkeys; ++i) fprintf(f, " ?%s", j->x->req->vars[j->keys[i]].name);
    fputs(") {\n", f);
    for (size_t g = g0; g < g1; ++g) {
      const TrineId *r = exec_row(j->in, j->order[j->start[g]]);
      fprintf(f, "(%zu", g - g0);
      for (size_t i = 0; i < j->nkeys; ++i) {
        TrineTerm t = {0};
        if (r[j->keys[i]] && qdict_term(j->x->dict, r[j->keys[i]], &t)) t.kind = TRINE_TERM_NONE;
        put_term(f, &t);
      }
      fputs(")\n", f);
    }
    fputs("}\n", f);
  }
  fputs(j->group, f);
  if (fclose(f)) {
    free(text);
    return NULL;
  }
  return text;
}

static TrineStatus emit(Join *j, size_t row, const TrineId *merged) {
  size_t n = j->out->n;
  TrineStatus st = exec_emit(j->x, j->out, merged, j->filters, j->nfilters);
  if (j->matched && j->out->n > n) j->matched[row] = true;
  return st;
}

/* Merge each result row with the rows of its group. */
static TrineStatus join_batch(Join *j, size_t g0, size_t g1, const Reader *rd, TrineId *tmp) {
  TrineStatus st = TRINE_OK;
  size_t w = j->x->width;
  for (size_t i = 0; i < rd->rows.n && !st; ++i) {
    long k = rd->ks[i];
    if (k < 0 || (size_t)k >= g1 - g0) continue; /* not one of ours */
    const TrineId *res = exec_row(&rd->rows, i);
    size_t g = g0 + (size_t)k;
    for (size_t p = j->start[g]; p < j->start[g + 1] && !st; ++p) {
      const TrineId *r = exec_row(j->in, j->order[p]);
      if (!exec_compatible(r, res, w)) continue;
      exec_merge(tmp, r, res, w);
      st = emit(j, j->order[p], tmp);
    }
  }
  return st;
}

static TrineStatus endpoint_failed(Join *j, size_t g0, size_t g1, const char *why) {
  if (!j->op->silent)
    return store_error(j->x->txn->store, TRINE_ERR_IO, "SERVICE <%s>: %s", j->endpoint, why);
  /* SILENT: the unit solution, so the rows go on unchanged */
  TrineStatus st = TRINE_OK;
  for (size_t p = j->start[g0]; p < j->start[g1] && !st; ++p)
    st = emit(j, j->order[p], exec_row(j->in, j->order[p]));
  return st;
}

static TrineStatus run_batch(Join *j, size_t g0, size_t g1, TrineId *tmp) {
  char *query = batch_query(j, g0, g1);
  if (!query) return exec_fail(j->x, TRINE_ERR_NOMEM, "out of memory");
  const ServiceConfig *c = j->x->service;
  Transfer t = {.x = j->x, .max = c->max_bytes};
  char err[512];
  int failed = http_query(c, j->endpoint, query, &t, err, sizeof err);
  free(query);
  TrineStatus st = TRINE_OK;
  if (t.stopped) {
    st = exec_check_limits(j->x);
    if (!st) st = exec_timed_out(j->x);
  } else if (failed) {
    st = endpoint_failed(j, g0, g1, err);
  } else {
    Reader rd = {.x = j->x, .key = j->nkeys ? j->key : NULL, .scope = j->scope, .k = -1};
    exec_table_init(&rd.rows, j->x->width);
    rd.row = calloc(j->x->width + 1, sizeof *rd.row);
    SrjHandler h = {on_cell, on_row, &rd};
    const char *body = t.body ? t.body : "";
    st = !rd.row ? TRINE_ERR_NOMEM
         : t.xml ? srx_read(body, t.len, &h, err, sizeof err)
                 : srj_read(body, t.len, &h, err, sizeof err);
    if (st == TRINE_ERR_SYNTAX) {
      char why[600];
      snprintf(why, sizeof why, "the response is not SPARQL %s results: %s", t.xml ? "XML" : "JSON",
               err);
      st = endpoint_failed(j, g0, g1, why);
    } else if (st == TRINE_ERR_NOMEM) {
      st = exec_fail(j->x, st, "out of memory");
    } else if (!st) {
      st = join_batch(j, g0, g1, &rd, tmp);
    }
    reader_free(&rd);
  }
  free(t.body);
  return st;
}

/* The parts of j that do not depend on the rows. */
static TrineStatus join_setup(Join *j) {
  Exec *x = j->x;
  const SparqlOp *op = j->op;
  const char *mark = op->text ? strstr(op->text, "SELECT * WHERE {\n%VALUES%") : NULL;
  if (!mark || op->target.var != SPARQL_NO_VAR)
    return exec_fail(x, TRINE_ERR_UNSUPPORTED, "SERVICE on a variable is not supported");
  j->head = op->text;
  j->nhead = (size_t)(mark - op->text) + strlen("SELECT * WHERE {\n");
  j->group = mark + strlen("SELECT * WHERE {\n%VALUES%");
  j->scope = calloc(x->width + 1, sizeof *j->scope);
  j->keys = calloc(x->width + 1, sizeof *j->keys);
  if (!j->scope || !j->keys) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  scope_vars(op->a, j->scope);
  for (uint32_t v = 0; v < x->width; ++v) {
    if (!j->scope[v] || x->req->vars[v].kind != SPARQL_VAR_USER) continue;
    bool some = false;
    for (size_t i = 0; i < j->in->n && !some; ++i) some = exec_row(j->in, i)[v] != 0;
    if (some) j->keys[j->nkeys++] = v;
  }
  /* a row number column no variable of the request is called */
  for (unsigned i = 0;; ++i) {
    snprintf(j->key, sizeof j->key, "trine_row%u", i);
    if (var_named(x->req, j->key, strlen(j->key)) == SPARQL_NO_VAR) break;
  }
  return TRINE_OK;
}

TrineStatus service_join(Exec *x, const SparqlOp *op, const Table *in,
                         SparqlExpr *const *filters, size_t nfilters, bool *matched,
                         Table *out) {
  exec_table_init(out, x->width);
  Join j = {.x = x, .op = op, .in = in, .filters = filters, .nfilters = nfilters,
            .matched = matched, .out = out};
  char *endpoint = strndup(op->target.term.value ? op->target.term.value : "",
                           op->target.term.value_len);
  j.endpoint = endpoint;
  TrineStatus st = endpoint ? join_setup(&j) : exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  if (!st && !service_allowed(x->service, endpoint))
    st = store_error(x->txn->store, TRINE_ERR_DENIED,
                     "SERVICE <%s>: the endpoint is not in the program's allow-list", endpoint);
  if (!st && (st = group_rows(&j))) st = exec_fail(x, st, "out of memory");
  TrineId *tmp = st ? NULL : calloc(x->width + 1, sizeof *tmp);
  if (!st && !tmp) st = exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  size_t step = j.nkeys ? SERVICE_BATCH : 1;
  for (size_t g = 0; g < j.ngroups && !st; g += step)
    st = run_batch(&j, g, g + step < j.ngroups ? g + step : j.ngroups, tmp);
  if (st == TRINE_DONE) st = TRINE_OK; /* the step's row cap */
  free(tmp);
  free(j.order);
  free(j.start);
  free(j.scope);
  free(j.keys);
  free(endpoint);
  if (st) exec_table_release(x, out);
  return st;
}
