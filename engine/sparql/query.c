/*
 * query.c -- the public query API: prepare (parse, check), step (from one
 * snapshot taken at the first step: rows made as they are asked for when
 * the query can stream, else all made at the first step), read terms; the
 * snapshot is let go at the end of the rows.
 */
#include "exec.h"
#include "index.h"
#include "exec_service.h"
#include "update.h"

#include "termcheck.h"
#include "txn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XSD_BOOLEAN "http://www.w3.org/2001/XMLSchema#boolean"

struct TrineQueryImpl {
  TrineStore *store;
  SparqlRequest *req;
  char *name;
  unsigned timeout_ms;
  size_t memory_limit;
  TrineQueryProgressFn progress;
  void *progress_ctx;
  unsigned progress_ms;
  bool profile;
  TrineErrorSink sink;
  void *sink_ctx;
  volatile sig_atomic_t cancel;
  ServiceConfig service;   /* what SERVICE may call */
  /* columns */
  size_t ncols;
  uint32_t *colvars;       /* SELECT: variable per column (in terms' block) */
  const char **colnames;   /* SELECT (in terms' block) */
  /* a run */
  bool started;
  TrineTxn *txn;
  TrineTxn *given;         /* the caller's transaction to run in (NULL: own) */
  QDict *dict;
  Exec x;
  bool have_exec;
  Table result;            /* SELECT rows; CONSTRUCT/DESCRIBE: 3 ids a row */
  Stream *stream;          /* SELECT rows made a batch at a time (NULL: in result) */
  const Table *rows;       /* the rows being handed out: result, or the batch */
  size_t pos;              /* next row of rows to hand out; SIZE_MAX: done */
  TrineId *last;           /* per column, the id of the row handed out last
                              (in terms' block) */
  bool ask, ask_done;
  TrineTerm *terms;        /* current row, per column; the block of the
                              column arrays (columns_alloc) */
  bool *bound;             /* (in terms' block) */
  char *kept;              /* per column, DICT_KEPT_BYTES for a term copied
                              from the store's cache (in terms' block) */
  size_t kept_terms;       /* bound cells handed out this run */
  /* an update run to its commit: the quads it added and removed */
  bool changed;
  uint64_t inserted, deleted;
  /* the executed plan of a run that ended (failed: the steps run until
   * then), kept after its snapshot is let go */
  ProfEntry *kept_plan;
  size_t nkept_plan;
  /* bound parameters: per variable of the request, its value (kind NONE:
   * none; strings owned), and as ids for a run (Exec.subst) */
  TrineTerm *params;
  size_t nparams;
  TrineId *subst;
};

static const char *const triple_cols[3] = {"s", "p", "o"};

static void deliver(TrineQuery *q, TrineStatus st) {
  if (q->sink) {
    TrineError e = {st, q->name, 0, 0, trine_store_errmsg(q->store)};
    q->sink(q->sink_ctx, &e);
  }
}

/* Bound cells of a run whose terms may come from the store's cache of terms:
 * a quarter of its slots. */
#define KEPT_TERMS 1024

/* The per-column arrays (n + 1 entries each; names and variables for a
 * SELECT only) in one block, q->terms, widest element first so that each
 * array is aligned: one calloc and free a query instead of five. */
static TrineStatus columns_alloc(TrineQuery *q, bool select) {
  size_t n = q->ncols + 1;
  size_t names = select ? n * sizeof *q->colnames : 0;
  size_t vars = select ? n * sizeof *q->colvars : 0;
  char *b = calloc(1, n * (sizeof *q->terms + sizeof *q->last + sizeof *q->bound +
                              DICT_KEPT_BYTES) + names + vars);
  if (!b) return TRINE_ERR_NOMEM;
  q->terms = (TrineTerm *)b;
  b += n * sizeof *q->terms;
  q->last = (TrineId *)b;
  b += n * sizeof *q->last;
  q->colnames = select ? (const char **)b : NULL;
  b += names;
  q->colvars = select ? (uint32_t *)b : NULL;
  b += vars;
  q->bound = (bool *)b;
  b += n * sizeof *q->bound;
  q->kept = b;
  return TRINE_OK;
}

static TrineStatus set_columns(TrineQuery *q) {
  const SparqlRequest *r = q->req;
  switch (r->form) {
  case SPARQL_SELECT: q->ncols = r->nprojection; break;
  case SPARQL_ASK: q->ncols = 1; break;
  case SPARQL_CONSTRUCT: case SPARQL_DESCRIBE: q->ncols = 3; break;
  case SPARQL_UPDATE: q->ncols = 0; break;
  }
  bool select = r->form == SPARQL_SELECT;
  if (columns_alloc(q, select)) return TRINE_ERR_NOMEM;
  for (size_t i = 0; select && i < q->ncols; ++i) {
    q->colvars[i] = r->projection[i];
    q->colnames[i] = r->vars[r->projection[i]].name;
  }
  return TRINE_OK;
}

/* Whether op or an operator below it is a SERVICE. */
static bool has_service(const SparqlOp *op) {
  return op && (op->kind == SPARQL_OP_SERVICE || has_service(op->a) || has_service(op->b));
}

/* A SERVICE names its endpoint with an IRI on the allow-list (checked
 * again before each call). */
static TrineStatus check_services(TrineQuery *q, TrineStore *s, const SparqlOp *op) {
  if (!op) return TRINE_OK;
  if (op->kind == SPARQL_OP_SERVICE) {
    if (op->target.var != SPARQL_NO_VAR)
      return store_error(s, TRINE_ERR_UNSUPPORTED, "%s: SERVICE on a variable is not "
                         "supported: name the endpoint with an IRI", q->name);
    char *iri = strndup(op->target.term.value, op->target.term.value_len);
    bool ok = iri && service_allowed(&q->service, iri);
    TrineStatus st = ok ? TRINE_OK
                     : store_error(s, TRINE_ERR_DENIED, "%s: SERVICE <%s>: the endpoint is not in "
                                   "the program's allow-list (TrineQueryOptions.service_allow)",
                                   q->name, iri ? iri : "");
    free(iri);
    if (st) return st;
  }
  TrineStatus st = check_services(q, s, op->a);
  return st ? st : check_services(q, s, op->b);
}

/* A request does only what the program allowed (TrineQueryOptions.allow):
 * text from elsewhere cannot write, read files or call out. */
static TrineStatus check_allowed(TrineQuery *q, TrineStore *s, unsigned allow) {
  const SparqlRequest *r = q->req;
  bool load = false, service = has_service(r->pattern);
  for (size_t i = 0; i < r->nupdates; ++i) {
    load |= r->updates[i].kind == SPARQL_UP_LOAD;
    service |= has_service(r->updates[i].where);
  }
  if (r->form == SPARQL_UPDATE && !(allow & TRINE_ALLOW_UPDATE))
    return store_error(s, TRINE_ERR_DENIED, "%s: an update writes to the store, and the program "
                       "allowed reading only (TRINE_ALLOW_UPDATE)", q->name);
  if (load && !(allow & TRINE_ALLOW_LOAD_FILES))
    return store_error(s, TRINE_ERR_DENIED, "%s: LOAD reads files, which the program did not "
                       "allow (TRINE_ALLOW_LOAD_FILES)", q->name);
  if (service && !(allow & TRINE_ALLOW_SERVICE))
    return store_error(s, TRINE_ERR_DENIED, "%s: SERVICE calls other endpoints, which the "
                       "program did not allow (TRINE_ALLOW_SERVICE)", q->name);
  TrineStatus st = service ? check_services(q, s, r->pattern) : TRINE_OK;
  for (size_t i = 0; i < r->nupdates && !st; ++i) st = check_services(q, s, r->updates[i].where);
  return st;
}

TrineStatus trine_query_prepare(TrineStore *s, const char *text, size_t len,
                                const TrineQueryOptions *opts, TrineQuery **out) {
  if (!out) return api_misuse(s, "trine_query_prepare", "out is NULL");
  *out = NULL;
  if (!text && len) return api_misuse(s, "trine_query_prepare", "text is NULL");
  TrineQuery *q = calloc(1, sizeof *q);
  if (!q) return s ? store_error(s, TRINE_ERR_NOMEM, "out of memory") : TRINE_ERR_NOMEM;
  q->store = s;
  if (opts && opts->txn) {
    if (!s || opts->txn->store != s) {
      free(q);
      return api_misuse(s, "trine_query_prepare", "the transaction belongs to another store");
    }
    q->given = opts->txn;
  }
  if (s) atomic_fetch_add(&s->live_queries, 1);
  q->name = strdup(opts && opts->name ? opts->name : "query");
  if (opts) {
    q->timeout_ms = opts->timeout_ms;
    q->memory_limit = opts->memory_limit;
    q->progress = opts->progress;
    q->progress_ctx = opts->progress_ctx;
    q->progress_ms = opts->progress_ms;
    q->profile = opts->profile;
    q->sink = opts->sink;
    q->sink_ctx = opts->sink_ctx;
  }
  /* No TRINE_ALLOW_SERVICE: no endpoint at run time either (a SERVICE in
   * an EXISTS is only met there). */
  bool calls = opts && (opts->allow & TRINE_ALLOW_SERVICE);
  if (service_config_init(&q->service, calls ? opts->service_allow : NULL,
                          calls ? opts->nservice_allow : 0, opts ? opts->service_timeout_ms : 0,
                          opts ? opts->service_max_bytes : 0)) {
    trine_query_free(q);
    return s ? store_error(s, TRINE_ERR_NOMEM, "out of memory") : TRINE_ERR_NOMEM;
  }
  TrineError err = {0};
  TrineStatus st = q->name ? sparql_parse(q->name, text, len, opts ? opts->base_iri : NULL,
                                          &q->req, &err)
                           : TRINE_ERR_NOMEM;
  if (st) {
    if (err.message) {
      if (s) trine_error_format(&err, s->errmsg, sizeof s->errmsg);
      if (q->sink) q->sink(q->sink_ctx, &err);
      else if (s && s->sink) s->sink(s->sink_ctx, &err);
    } else if (s) {
      store_error(s, st, "%s", trine_strerror(st));
    }
    trine_query_free(q);
    return st;
  }
  if (s && (st = check_allowed(q, s, opts ? opts->allow : 0))) {
    deliver(q, st);
    trine_query_free(q);
    return st;
  }
  if ((st = set_columns(q))) {
    trine_query_free(q);
    return s ? store_error(s, st, "out of memory") : st;
  }
  *out = q;
  return TRINE_OK;
}

size_t trine_query_prefixes(const TrineQuery *q, const char *const **pairs) {
  if (pairs) *pairs = q && q->req->nprefixes ? (const char *const *)q->req->prefixes : NULL;
  return q ? q->req->nprefixes : 0;
}

TrineQueryForm trine_query_form(const TrineQuery *q) {
  if (!q) return 0;
  switch (q->req->form) {
  case SPARQL_SELECT: return TRINE_QUERY_SELECT;
  case SPARQL_ASK: return TRINE_QUERY_ASK;
  case SPARQL_CONSTRUCT: return TRINE_QUERY_CONSTRUCT;
  case SPARQL_DESCRIBE: return TRINE_QUERY_DESCRIBE;
  case SPARQL_UPDATE: return TRINE_QUERY_UPDATE;
  }
  return TRINE_QUERY_SELECT;
}

size_t trine_query_columns(const TrineQuery *q) { return q ? q->ncols : 0; }

long trine_query_column_index(const TrineQuery *q, const char *name) {
  if (!q || !name) return -1;
  if (name[0] == '?' || name[0] == '$') name++;
  for (size_t i = 0; i < q->ncols; ++i) {
    const char *c = trine_query_column_name(q, i);
    if (c && strcmp(c, name) == 0) return (long)i;
  }
  return -1;
}

const char *trine_query_column_name(const TrineQuery *q, size_t i) {
  if (!q || i >= q->ncols) return NULL;
  switch (q->req->form) {
  case SPARQL_SELECT: return q->colnames[i];
  case SPARQL_ASK: return "boolean";
  default: return triple_cols[i];
  }
}

static void drop_kept_plan(TrineQuery *q) {
  for (size_t i = 0; i < q->nkept_plan; ++i) free(q->kept_plan[i].label);
  free(q->kept_plan);
  q->kept_plan = NULL;
  q->nkept_plan = 0;
}

/* A run ended (its rows, or an error, the timeout, a cancel): keep its
 * executed plan for trine_query_explain(), which may show where the time
 * went. */
static void keep_plan(TrineQuery *q) {
  drop_kept_plan(q);
  if (!q->have_exec) return;
  q->kept_plan = q->x.prof;
  q->nkept_plan = q->x.nprof;
  q->x.prof = NULL;
  q->x.nprof = q->x.capprof = 0;
}

/* ---- bound parameters ---- */

static void param_free(TrineTerm *t) {
  free((char *)t->value);
  free((char *)t->datatype);
  free((char *)t->lang);
  *t = (TrineTerm){0};
}

static char *copy_part(const char *s, size_t n) {
  char *c = malloc(n + 1);
  if (c) {
    if (n) memcpy(c, s, n);
    c[n] = '\0';
  }
  return c;
}

static bool param_copy(TrineTerm *dst, const TrineTerm *v) {
  *dst = (TrineTerm){.kind = v->kind, .value_len = v->value_len,
                     .datatype_len = v->datatype_len, .lang_len = v->lang_len};
  dst->value = copy_part(v->value, v->value_len);
  if (v->datatype_len) dst->datatype = copy_part(v->datatype, v->datatype_len);
  if (v->lang_len) dst->lang = copy_part(v->lang, v->lang_len);
  return dst->value && (!v->datatype_len || dst->datatype) && (!v->lang_len || dst->lang);
}

/* The variable a user calls name ("x" or "?x"), or SPARQL_NO_VAR. */
static uint32_t var_named(const TrineQuery *q, const char *name) {
  if (name[0] == '?' || name[0] == '$') name++;
  for (uint32_t v = 0; v < q->req->nvars; ++v)
    if (q->req->vars[v].kind == SPARQL_VAR_USER && strcmp(q->req->vars[v].name, name) == 0)
      return v;
  return SPARQL_NO_VAR;
}

TrineStatus trine_query_bind(TrineQuery *q, const char *name, const TrineTerm *value) {
  if (!q || !name)
    return api_misuse(q ? q->store : NULL, "trine_query_bind", q ? "name is NULL" : "query is NULL");
  if (q->started)
    return api_misuse(q->store, "trine_query_bind",
                      "bind before the first step, or after trine_query_reset()");
  uint32_t v = var_named(q, name);
  if (v == SPARQL_NO_VAR) {
    char what[300];
    snprintf(what, sizeof what, "the request has no variable ?%.200s", name[0] == '?' ? name + 1 : name);
    return api_misuse(q->store, "trine_query_bind", what);
  }
  char why[256];
  if (value && term_check(value, why, sizeof why)) {
    char what[300];
    snprintf(what, sizeof what, "the value of ?%s: %s", q->req->vars[v].name, why);
    return api_misuse(q->store, "trine_query_bind", what);
  }
  if (!q->params) {
    if (!(q->params = calloc(q->req->nvars + 1, sizeof *q->params))) return TRINE_ERR_NOMEM;
    q->nparams = q->req->nvars;
  }
  param_free(&q->params[v]);
  if (value && !param_copy(&q->params[v], value)) {
    param_free(&q->params[v]);
    return q->store ? store_error(q->store, TRINE_ERR_NOMEM, "out of memory") : TRINE_ERR_NOMEM;
  }
  return TRINE_OK;
}

TrineStatus trine_query_clear_bindings(TrineQuery *q) {
  if (!q) return api_misuse(NULL, "trine_query_clear_bindings", "query is NULL");
  if (q->started)
    return api_misuse(q->store, "trine_query_clear_bindings",
                      "clear before the first step, or after trine_query_reset()");
  for (size_t v = 0; v < q->nparams; ++v) param_free(&q->params[v]);
  return TRINE_OK;
}

/* The bound values as the run's ids: every join group starts from them, as
 * an EXISTS pattern does from its row (Exec.subst). NULL: none bound. */
static TrineStatus subst_row(TrineQuery *q, TrineId **out) {
  *out = NULL;
  bool any = false;
  for (size_t v = 0; v < q->nparams; ++v) any |= q->params[v].kind != TRINE_TERM_NONE;
  if (!any) return TRINE_OK;
  TrineId *row = calloc(q->req->nvars + 1, sizeof *row);
  if (!row) return store_error(q->store, TRINE_ERR_NOMEM, "out of memory");
  for (size_t v = 0; v < q->nparams; ++v) {
    if (q->params[v].kind == TRINE_TERM_NONE) continue;
    TrineStatus st = qdict_intern(q->dict, &q->params[v], &row[v]);
    if (st) {
      free(row);
      return st;
    }
  }
  *out = row;
  return TRINE_OK;
}

/* Let the run's snapshot, cursors and rows go (its counts of changes stay). */
static void release_run(TrineQuery *q) {
  if (q->have_exec) {
    exec_stream_free(&q->x, q->stream);
    exec_table_free(&q->x, &q->result);
    exec_free(&q->x);
  }
  q->stream = NULL;
  q->rows = NULL;
  q->have_exec = false;
  qdict_free(q->dict);
  q->dict = NULL;
  if (q->txn != q->given) trine_txn_abort(q->txn);
  q->txn = NULL;
}

static void end_run(TrineQuery *q) {
  release_run(q);
  q->started = false;
  q->pos = 0;
  q->kept_terms = 0;
  q->ask_done = false;
  q->changed = false;
  q->inserted = q->deleted = 0;
  free(q->subst);
  q->subst = NULL;
}

/* ---- CONSTRUCT and DESCRIBE ---- */

static TrineStatus push_triple(TrineQuery *q, Table *t, TrineId s, TrineId p, TrineId o) {
  if (!s || !p || !o) return TRINE_OK;
  unsigned ks = id_kind(s), kp = id_kind(p);
  TrineTerm term;
  /* Only IRIs and blank nodes as subjects, IRIs as predicates. */
  if (ks == IDK_LITERAL || kp != IDK_IRI) {
    if (kp != IDK_TEMP && ks != IDK_TEMP) return TRINE_OK;
    if (qdict_term(q->dict, s, &term)) return TRINE_ERR_INTERNAL;
    if (term.kind == TRINE_TERM_LITERAL) return TRINE_OK;
    if (qdict_term(q->dict, p, &term)) return TRINE_ERR_INTERNAL;
    if (term.kind != TRINE_TERM_IRI) return TRINE_OK;
  }
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    TrineId *r = realloc(t->rows, cap * 3 * sizeof *r);
    if (!r) return store_error(q->store, TRINE_ERR_NOMEM, "out of memory");
    t->rows = r;
    t->cap = cap;
    t->bytes = cap * 3 * sizeof *r;
  }
  TrineId *r = t->rows + 3 * t->n++;
  r[0] = s;
  r[1] = p;
  r[2] = o;
  return TRINE_OK;
}

static int cmp_triple(const void *a, const void *b) {
  const TrineId *x = a, *y = b;
  for (int i = 0; i < 3; ++i)
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  return 0;
}

/* Sort and drop duplicate triples: a graph is a set. */
static void dedup_triples(Table *t) {
  if (t->n < 2) return;
  qsort(t->rows, t->n, 3 * sizeof(TrineId), cmp_triple);
  size_t k = 1;
  for (size_t i = 1; i < t->n; ++i)
    if (cmp_triple(t->rows + 3 * i, t->rows + 3 * (k - 1)))
      memcpy(t->rows + 3 * k++, t->rows + 3 * i, 3 * sizeof(TrineId));
  t->n = k;
}

/* The id of a template slot for one solution; blank nodes fresh per row. */
static TrineStatus slot_id(TrineQuery *q, const SparqlSlot *sl, const TrineId *row,
                           TrineId *blanks, size_t nblanks, TrineId *out) {
  *out = 0;
  if (sl->var != SPARQL_NO_VAR) {
    *out = row[sl->var];
    return TRINE_OK;
  }
  if (sl->term.kind == TRINE_TERM_BLANK) {
    /* Template labels are b0, b1, ...: one fresh node per label and row. */
    unsigned long k = strtoul(sl->term.value + 1, NULL, 10);
    if (k < nblanks) {
      if (!blanks[k]) blanks[k] = qdict_new_blank(q->dict);
      *out = blanks[k];
      return TRINE_OK;
    }
    *out = qdict_new_blank(q->dict);
    return TRINE_OK;
  }
  return qdict_intern(q->dict, &sl->term, out);
}

static TrineStatus construct(TrineQuery *q, const Table *sol, Table *out) {
  const SparqlRequest *r = q->req;
  size_t nblanks = 2 * r->nconstruct + 1;
  TrineId *blanks = malloc(nblanks * sizeof *blanks);
  if (!blanks) return store_error(q->store, TRINE_ERR_NOMEM, "out of memory");
  *out = (Table){.width = 3};
  TrineStatus st = TRINE_OK;
  for (size_t i = 0; i < sol->n && !st; ++i) {
    const TrineId *row = sol->rows + i * sol->width;
    memset(blanks, 0, nblanks * sizeof *blanks);
    for (size_t t = 0; t < r->nconstruct && !st; ++t) {
      TrineId s, p, o;
      const SparqlTriple *tp = &r->construct[t];
      if ((st = slot_id(q, &tp->s, row, blanks, nblanks, &s)) ||
          (st = slot_id(q, &tp->p, row, blanks, nblanks, &p)) ||
          (st = slot_id(q, &tp->o, row, blanks, nblanks, &o)))
        break;
      st = push_triple(q, out, s, p, o);
    }
  }
  free(blanks);
  if (!st) dedup_triples(out);
  return st;
}

/* Concise bounded description of one resource: its triples in the default
 * graph, and those of the blank nodes they lead to. */
static TrineStatus describe_one(TrineQuery *q, TrineId id, Table *out) {
  TrineId *todo = malloc(16 * sizeof *todo);
  size_t n = 0, cap = 16, head = 0;
  if (!todo) return store_error(q->store, TRINE_ERR_NOMEM, "out of memory");
  todo[n++] = id;
  TrineStatus st = TRINE_OK;
  while (head < n && !st) {
    TrineId node = todo[head++];
    if (id_kind(node) == IDK_TEMP || id_kind(node) == IDK_LITERAL) continue;
    Quad pat = {{node, 0, 0, 0}};
    IndexIter *it;
    if ((st = index_iter_open(q->txn, &pat, 1u << Q_S | 1u << Q_G, &it))) break;
    Quad m;
    while (!st && (st = index_iter_next(it, &m)) == TRINE_ROW) {
      st = push_triple(q, out, m.v[Q_S], m.v[Q_P], m.v[Q_O]);
      if (st || id_kind(m.v[Q_O]) != IDK_BLANK) continue;
      bool seen = false;
      for (size_t i = 0; i < n && !seen; ++i) seen = todo[i] == m.v[Q_O];
      if (seen) continue;
      if (n == cap) {
        cap *= 2;
        TrineId *t = realloc(todo, cap * sizeof *t);
        if (!t) { st = store_error(q->store, TRINE_ERR_NOMEM, "out of memory"); break; }
        todo = t;
      }
      todo[n++] = m.v[Q_O];
    }
    if (st == TRINE_DONE) st = TRINE_OK;
    index_iter_free(it);
  }
  free(todo);
  return st;
}

static TrineStatus describe(TrineQuery *q, const Table *sol, Table *out) {
  const SparqlRequest *r = q->req;
  *out = (Table){.width = 3};
  TrineStatus st = TRINE_OK;
  for (size_t d = 0; d < r->ndescribe && !st; ++d) {
    const SparqlSlot *sl = &r->describe[d];
    if (sl->var == SPARQL_NO_VAR) {
      TrineId id;
      st = qdict_lookup(q->dict, &sl->term, &id);
      if (st == TRINE_NOT_FOUND) { st = TRINE_OK; continue; }
      if (!st) st = describe_one(q, id, out);
      continue;
    }
    for (size_t i = 0; i < sol->n && !st; ++i) {
      TrineId id = sol->rows[i * sol->width + sl->var];
      if (id) st = describe_one(q, id, out);
    }
  }
  if (r->describe_star)
    for (size_t i = 0; i < sol->n && !st; ++i)
      for (size_t v = 0; v < sol->width && !st; ++v) {
        TrineId id = sol->rows[i * sol->width + v];
        if (id && r->vars[v].kind == SPARQL_VAR_USER) st = describe_one(q, id, out);
      }
  if (!st) dedup_triples(out);
  return st;
}

/* ---- running ---- */

static TrineStatus start(TrineQuery *q) {
  const SparqlRequest *r = q->req;
  bool write = r->form == SPARQL_UPDATE;
  TrineStatus st = TRINE_OK;
  if (q->given && write && !q->given->write)
    return store_error(q->store, TRINE_ERR_READONLY,
                       "an update needs a write transaction, and the one given reads");
  if (q->given) q->txn = q->given;
  else if ((st = trine_txn_begin(q->store, write, &q->txn))) return st;
  if (!(q->dict = qdict_new(q->txn))) return store_error(q->store, TRINE_ERR_NOMEM, "out of memory");
  if ((st = exec_init(&q->x, q->txn, q->dict, r))) return st;
  q->have_exec = true;
  if ((st = subst_row(q, &q->subst))) return st;
  q->x.subst = q->subst;
  q->x.cancel = &q->cancel;
  q->x.service = &q->service;
  q->x.profile = q->profile;
  if (q->memory_limit) q->x.mem_limit = q->memory_limit;
  q->x.progress = q->progress;
  q->x.progress_ctx = q->progress_ctx;
  q->x.progress_ms = q->progress_ms ? q->progress_ms : 250;
  clock_gettime(CLOCK_MONOTONIC, &q->x.started);
  q->x.told = q->x.started;
  q->x.timeout_ms = q->timeout_ms;
  if (q->timeout_ms) {
    clock_gettime(CLOCK_MONOTONIC, &q->x.deadline);
    q->x.deadline.tv_sec += q->timeout_ms / 1000;
    q->x.deadline.tv_nsec += (long)(q->timeout_ms % 1000) * 1000000L;
    if (q->x.deadline.tv_nsec >= 1000000000L) {
      q->x.deadline.tv_sec++;
      q->x.deadline.tv_nsec -= 1000000000L;
    }
  }
  q->started = true;
  memset(q->last, 0, (q->ncols + 1) * sizeof *q->last);
  q->rows = &q->result;
  if (write) {
    st = update_run(&q->x, r);
    if (!st) {
      if (q->txn != q->given) st = trine_txn_commit(q->txn);
      q->txn = NULL;
    }
    if (!st) {
      q->changed = true;
      q->inserted = q->x.inserted;
      q->deleted = q->x.deleted;
    }
    return st;
  }
  /* Rows as they are asked for, where the operators allow; not in a
   * write transaction, which the program may change between steps. */
  if ((r->form == SPARQL_SELECT || r->form == SPARQL_ASK) && !q->txn->write &&
      (st = exec_stream_open(&q->x, r->pattern, &q->stream)))
    return st;
  if (q->stream && r->form == SPARQL_ASK) { /* one row answers */
    st = exec_stream_next(&q->x, q->stream, &q->rows);
    q->ask = st == TRINE_OK;
    return st == TRINE_DONE ? TRINE_OK : st;
  }
  if (q->stream) return TRINE_OK;
  Table sol;
  if ((st = exec_eval(&q->x, r->pattern, &sol))) return st;
  if (r->form == SPARQL_SELECT || r->form == SPARQL_ASK) {
    q->result = sol;
    q->ask = sol.n > 0;
  } else {
    st = r->form == SPARQL_CONSTRUCT ? construct(q, &sol, &q->result)
                                     : describe(q, &sol, &q->result);
    exec_table_free(&q->x, &sol);
  }
  q->rows = &q->result;
  return st;
}

/* A run failed: say so, keep its plan, let it go; it stays failed (steps
 * give TRINE_DONE) until reset. */
static TrineStatus fail_run(TrineQuery *q, TrineStatus st) {
  /* Half an update's writes may be in the caller's transaction: it can
   * only be aborted now. */
  if (q->req->form == SPARQL_UPDATE) txn_failed(q->given, st);
  deliver(q, st);
  keep_plan(q);
  end_run(q);
  q->started = true;
  q->pos = SIZE_MAX;
  return st;
}

/* The rows are all handed out: the snapshot goes now, not at reset. */
static TrineStatus finish_run(TrineQuery *q) {
  keep_plan(q);
  release_run(q);
  q->pos = SIZE_MAX;
  return TRINE_DONE;
}

/* Make sure row q->pos of q->rows exists: the next batch of a stream. */
static TrineStatus next_row(TrineQuery *q) {
  while (q->pos >= q->rows->n) {
    if (!q->stream) return TRINE_DONE;
    q->pos = 0;
    TrineStatus st = exec_stream_next(&q->x, q->stream, &q->rows);
    if (st) return st;
  }
  /* A cancel between steps stops a stream at the next row. */
  return q->stream && q->cancel ? store_error(q->store, TRINE_ERR_CANCELLED, "query cancelled")
                                : TRINE_OK;
}

TrineStatus trine_query_step(TrineQuery *q) {
  if (!q) return api_misuse(NULL, "trine_query_step", "query is NULL");
  TrineStatus st;
  if (!q->store) return TRINE_ERR_ARG; /* prepared without a store: explain only */
  if (!q->started && (st = start(q))) return fail_run(q, st);
  memset(q->bound, 0, (q->ncols + 1) * sizeof *q->bound);
  if (q->pos == SIZE_MAX) return TRINE_DONE;
  switch (q->req->form) {
  case SPARQL_UPDATE:
    return finish_run(q);
  case SPARQL_ASK:
    if (q->ask_done) return finish_run(q);
    q->ask_done = true;
    q->terms[0] = (TrineTerm){.kind = TRINE_TERM_LITERAL, .value = q->ask ? "true" : "false",
                              .value_len = q->ask ? 4 : 5, .datatype = XSD_BOOLEAN,
                              .datatype_len = sizeof XSD_BOOLEAN - 1};
    q->bound[0] = true;
    return TRINE_ROW;
  default:
    break;
  }
  if ((st = next_row(q))) return st == TRINE_DONE ? finish_run(q) : fail_run(q, st);
  const TrineId *row = q->rows->rows + q->pos++ * q->rows->width;
  bool select = q->req->form == SPARQL_SELECT;
  for (size_t i = 0; i < q->ncols; ++i) {
    size_t c = select ? q->colvars[i] : i;
    TrineId id = row[c];
    if (!id) continue;
    /* A column often repeats its last term (views live as long as q->dict). */
    /* The store's cache of terms for the first terms of a run: a bigger
     * result would only put terms in that push each other out (LUBM q14's
     * took 1.14 times the instructions). */
    char *kept = q->kept_terms++ < KEPT_TERMS ? q->kept + i * DICT_KEPT_BYTES : NULL;
    if (q->last[i] != id && (st = qdict_term_in(q->dict, i, id, &q->terms[i], kept)))
      return fail_run(q, st);
    q->last[i] = id;
    q->bound[i] = true;
  }
  return TRINE_ROW;
}

const TrineTerm *trine_query_term(TrineQuery *q, size_t i) {
  return q && i < q->ncols && q->bound[i] ? &q->terms[i] : NULL;
}

TrineStatus trine_query_reset(TrineQuery *q) {
  if (!q) return api_misuse(NULL, "trine_query_reset", "query is NULL");
  end_run(q);
  drop_kept_plan(q);
  q->cancel = 0;
  return TRINE_OK;
}

void trine_query_cancel(TrineQuery *q) {
  if (q) q->cancel = 1;
}

TrineStatus trine_query_changes(const TrineQuery *q, uint64_t *inserted, uint64_t *deleted) {
  if (inserted) *inserted = 0;
  if (deleted) *deleted = 0;
  if (!q || !inserted || !deleted)
    return api_misuse(q ? q->store : NULL, "trine_query_changes",
                      !q ? "query is NULL" : "inserted or deleted is NULL");
  *inserted = q->changed ? q->inserted : 0;
  *deleted = q->changed ? q->deleted : 0;
  return q->changed ? TRINE_OK : TRINE_ERR_ARG;
}

/* The access paths of q's patterns, estimated as its planner would. */
static TrineStatus explain_access(TrineQuery *q, TrineTxn *txn, FILE *out) {
  QDict *dict = qdict_new(txn);
  if (!dict) return store_error(q->store, TRINE_ERR_NOMEM, "out of memory");
  Exec x;
  TrineStatus st = exec_init(&x, txn, dict, q->req);
  if (!st) st = exec_print_access(&x, out);
  exec_free(&x);
  qdict_free(dict);
  return st;
}

TrineStatus trine_query_explain(TrineQuery *q, FILE *out) {
  if (!q || !out) return api_misuse(q ? q->store : NULL, "trine_query_explain",
                                    q ? "out is NULL" : "query is NULL");
  if (sparql_algebra_print(q->req, out)) return TRINE_ERR_IO;
  if (!q->store) return TRINE_OK;
  TrineTxn *txn;
  TrineStatus st = trine_txn_begin(q->store, false, &txn);
  if (st) return st;
  st = explain_access(q, txn, out);
  trine_txn_abort(txn);
  if (!st && q->have_exec && q->profile) exec_profile_print(&q->x, out);
  if (!st && q->kept_plan) {
    Exec run = {.prof = q->kept_plan, .nprof = q->nkept_plan};
    exec_profile_print(&run, out);
  }
  return st;
}

void trine_query_free(TrineQuery *q) {
  if (!q) return;
  end_run(q);
  drop_kept_plan(q);
  for (size_t v = 0; v < q->nparams; ++v) param_free(&q->params[v]);
  free(q->params);
  sparql_request_free(q->req);
  service_config_free(&q->service);
  if (q->store) atomic_fetch_sub(&q->store->live_queries, 1);
  free(q->name);
  free(q->terms); /* and the other column arrays (columns_alloc) */
  free(q);
}
