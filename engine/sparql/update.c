/*
 * update.c -- SPARQL 1.1 Update: INSERT/DELETE DATA, DELETE WHERE,
 * DELETE/INSERT ... WHERE (WITH, USING), CLEAR, DROP, CREATE, ADD, MOVE,
 * COPY and LOAD.
 */
#include "update.h"

#include "exec_int.h"
#include "index.h"
#include "load.h"

#include <stdlib.h>
#include <string.h>

/* A store id for a query id, creating the term (computed terms, fresh blank
 * nodes) when the store lacks it. */
static TrineStatus store_id(Exec *x, TrineId id, TrineId *out) {
  if (id_kind(id) != IDK_TEMP) {
    *out = id;
    return TRINE_OK;
  }
  TrineTerm t;
  TrineStatus st = qdict_term(x->dict, id, &t);
  if (st) return st;
  if (t.kind == TRINE_TERM_BLANK) {
    /* A blank node made by the request: one new node per query id. */
    char label[40];
    snprintf(label, sizeof label, "_u%llx", (unsigned long long)id_seq(id));
    TrineTerm lt = {.kind = TRINE_TERM_BLANK, .value = label, .value_len = strlen(label)};
    return dict_intern(x->txn, &lt, out);
  }
  return dict_intern(x->txn, &t, out);
}

/* Instantiate a quad template with a solution; false when it is not a
 * valid quad (unbound variable, literal subject, ...). */
static TrineStatus instantiate(Exec *x, const SparqlQuad *t, const TrineId *row,
                               TrineId *blanks, size_t nblanks, TrineId with, Quad *out,
                               bool *ok) {
  const SparqlSlot *sl[4] = {&t->s, &t->p, &t->o, &t->g};
  *ok = false;
  for (int i = 0; i < 4; ++i) {
    TrineId v = 0;
    if (sl[i]->var != SPARQL_NO_VAR) {
      v = row ? row[sl[i]->var] : 0;
      if (!v) return TRINE_OK;
    } else if (i == Q_G && sl[i]->term.kind == TRINE_TERM_DEFAULT_GRAPH) {
      v = with;
    } else if (sl[i]->term.kind == TRINE_TERM_BLANK) {
      unsigned long k = strtoul(sl[i]->term.value + 1, NULL, 10);
      if (k >= nblanks) return exec_fail(x, TRINE_ERR_INTERNAL, "blank node template label");
      if (!blanks[k]) blanks[k] = qdict_new_blank(x->dict);
      v = blanks[k];
    } else {
      TrineStatus st = qdict_intern(x->dict, &sl[i]->term, &v);
      if (st) return st;
    }
    out->v[i] = v;
  }
  /* Positions must hold the right kinds of terms. */
  for (int i = 0; i < 4; ++i) {
    if (i == Q_G && out->v[i] == 0) continue;
    TrineTerm term;
    TrineStatus st = qdict_term(x->dict, out->v[i], &term);
    if (st) return st;
    if (term.kind == TRINE_TERM_LITERAL && i != Q_O) return TRINE_OK;
    if (term.kind == TRINE_TERM_BLANK && (i == Q_P)) return TRINE_OK;
  }
  *ok = true;
  return TRINE_OK;
}

/* Cancel and the timeout, every 64 quads written: an update deleting a
 * million quads takes seconds, and must stop (its transaction aborted)
 * when asked to. */
static TrineStatus written(Exec *x, size_t i) {
  return (i & 63) == 0 ? exec_check_limits(x) : TRINE_OK;
}

/* Templates x solutions -> quads (with query ids). */
static TrineStatus collect(Exec *x, const SparqlQuad *tpl, size_t n, const Table *sol,
                           TrineId with, Quads *out) {
  size_t nblanks = 2 * n + 1;
  TrineId *blanks = malloc(nblanks * sizeof *blanks);
  if (!blanks) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  TrineStatus st = TRINE_OK;
  size_t rows = sol ? sol->n : 1;
  for (size_t r = 0; r < rows && !st; ++r) {
    if ((st = written(x, r))) break;
    const TrineId *row = sol ? sol->rows + r * sol->width : NULL;
    memset(blanks, 0, nblanks * sizeof *blanks);
    for (size_t i = 0; i < n && !st; ++i) {
      Quad q;
      bool ok;
      st = instantiate(x, &tpl[i], row, blanks, nblanks, with, &q, &ok);
      if (!st && ok) st = exec_quads_push(x, out, &q);
    }
  }
  free(blanks);
  return st;
}

static TrineStatus remove_all(Exec *x, const Quads *qs) {
  exec_progress_phase(x, TRINE_QUERY_DELETING, 0, qs->n);
  for (size_t i = 0; i < qs->n; ++i) {
    x->said.done = i;
    TrineStatus cs = written(x, i);
    if (cs) return cs;
    const Quad *q = &qs->q[i];
    bool temp = false;
    for (int k = 0; k < 4; ++k) temp |= id_kind(q->v[k]) == IDK_TEMP;
    if (temp) continue; /* a term the store lacks: not stored */
    TrineStatus st = index_remove(x->txn, q);
    if (st && st != TRINE_NOT_FOUND) return st;
    if (!st) x->deleted++;
  }
  return TRINE_OK;
}

static TrineStatus insert_all(Exec *x, const Quads *qs) {
  exec_progress_phase(x, TRINE_QUERY_INSERTING, 0, qs->n);
  for (size_t i = 0; i < qs->n; ++i) {
    x->said.done = i;
    TrineStatus cs = written(x, i);
    if (cs) return cs;
    Quad q;
    for (int k = 0; k < 4; ++k) {
      TrineStatus st = store_id(x, qs->q[i].v[k], &q.v[k]);
      if (st) return st;
    }
    TrineStatus st = index_add(x->txn, &q);
    if (st && st != TRINE_NOT_FOUND) return st;
    if (!st) x->inserted++;
  }
  return TRINE_OK;
}

/* Every quad of graph g into out. */
static TrineStatus graph_quads(Exec *x, TrineId g, Quads *out) {
  Quad pat = {{0, 0, 0, g}};
  IndexIter *it;
  TrineStatus st = index_iter_open(x->txn, &pat, 1u << Q_G, &it);
  if (st) return st;
  Quad q;
  for (size_t i = 0; (st = index_iter_next(it, &q)) == TRINE_ROW; ++i)
    if ((st = written(x, i)) || (st = exec_quads_push(x, out, &q))) break;
  index_iter_free(it);
  return st == TRINE_DONE ? TRINE_OK : st;
}

/* The named graphs (ids) of the store. */
static TrineStatus named_graphs(Exec *x, TrineId **ids, size_t *n) {
  Quads all = {0};
  Quad pat = {{0, 0, 0, 0}};
  IndexIter *it;
  *ids = NULL;
  *n = 0;
  TrineStatus st = index_iter_open_index(x->txn, IDX_GSPO, &pat, 0, &it);
  if (st) return st;
  Quad q;
  TrineId last = 0;
  while ((st = index_iter_next(it, &q)) == TRINE_ROW) {
    if (q.v[Q_G] == 0 || q.v[Q_G] == last) continue;
    last = q.v[Q_G];
    Quad g = {{last, 0, 0, 0}};
    if ((st = exec_quads_push(x, &all, &g))) break;
  }
  index_iter_free(it);
  if (st != TRINE_DONE) {
    free(all.q);
    return st;
  }
  *ids = malloc((all.n + 1) * sizeof **ids);
  if (!*ids) {
    free(all.q);
    return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < all.n; ++i) (*ids)[i] = all.q[i].v[0];
  *n = all.n;
  free(all.q);
  return TRINE_OK;
}

static TrineStatus clear_graph(Exec *x, TrineId g) {
  Quads qs = {0};
  TrineStatus st = graph_quads(x, g, &qs);
  if (!st) st = remove_all(x, &qs);
  free(qs.q);
  return st;
}

/* The store id of a graph IRI, or TRINE_NOT_FOUND. */
static TrineStatus graph_id(Exec *x, const TrineTerm *t, TrineId *id) {
  if (t->kind == TRINE_TERM_DEFAULT_GRAPH || t->kind == TRINE_TERM_NONE) {
    *id = 0;
    return TRINE_OK;
  }
  return qdict_lookup(x->dict, t, id);
}

/* Whether named graph g exists: trine records a graph by its quads, so a
 * graph exists while it holds one (in this transaction's view). */
static TrineStatus graph_exists(Exec *x, TrineId g, bool *yes) {
  Quad pat = {{0, 0, 0, g}}, q;
  IndexIter *it;
  TrineStatus st = index_iter_open(x->txn, &pat, 1u << Q_G, &it);
  if (st) return st;
  st = index_iter_next(it, &q);
  index_iter_free(it);
  *yes = st == TRINE_ROW;
  return st == TRINE_ROW || st == TRINE_DONE ? TRINE_OK : st;
}

/* The named graph t as an id, failing when it does not exist (SPARQL 1.1
 * Update 3.2: CLEAR, DROP and a source of ADD, MOVE, COPY; SILENT turns
 * the failure into success). DEFAULT always exists (id 0). */
static TrineStatus existing_graph(Exec *x, const SparqlUpdate *u, const TrineTerm *t,
                                  TrineId *g) {
  TrineStatus st = graph_id(x, t, g);
  if (st == TRINE_OK) {
    bool yes;
    if (*g == 0 || (st = graph_exists(x, *g, &yes)) || yes) return st;
  } else if (st != TRINE_NOT_FOUND) {
    return st;
  }
  if (u->silent) return TRINE_NOT_FOUND;
  return store_error(x->txn->store, TRINE_ERR_ARG,
                     "graph <%s> does not exist (a graph exists while it holds quads)",
                     t->value);
}

static TrineStatus op_clear(Exec *x, const SparqlUpdate *u) {
  switch (u->target_kind) {
  case SPARQL_TARGET_GRAPH: {
    TrineId g;
    TrineStatus st = existing_graph(x, u, &u->target, &g);
    if (st == TRINE_NOT_FOUND) return TRINE_OK; /* SILENT */
    return st ? st : clear_graph(x, g);
  }
  case SPARQL_TARGET_DEFAULT: return clear_graph(x, 0);
  case SPARQL_TARGET_NAMED: case SPARQL_TARGET_ALL: {
    TrineId *ids;
    size_t n;
    TrineStatus st = named_graphs(x, &ids, &n);
    for (size_t i = 0; i < n && !st; ++i) st = clear_graph(x, ids[i]);
    free(ids);
    if (!st && u->target_kind == SPARQL_TARGET_ALL) st = clear_graph(x, 0);
    return st;
  }
  }
  return TRINE_OK;
}

/* CREATE GRAPH: a graph that exists already is an error unless SILENT
 * (3.2.3); a new one is made by its first quad, so there is nothing to do. */
static TrineStatus op_create(Exec *x, const SparqlUpdate *u) {
  TrineId g;
  bool yes = false;
  TrineStatus st = graph_id(x, &u->target, &g);
  if (st == TRINE_NOT_FOUND) return TRINE_OK;
  if (st || (st = graph_exists(x, g, &yes))) return st;
  if (!yes || u->silent) return TRINE_OK;
  return store_error(x->txn->store, TRINE_ERR_ARG, "graph <%s> already exists",
                     u->target.value);
}

/* ADD, MOVE, COPY: source graph into destination graph. */
static TrineStatus op_transfer(Exec *x, const SparqlUpdate *u) {
  TrineId src, dst;
  TrineStatus st = existing_graph(x, u, &u->target, &src);
  if (st == TRINE_NOT_FOUND) return TRINE_OK; /* SILENT: no source, nothing to do */
  if (st) return st;
  TrineTerm dt = u->dest;
  if ((st = graph_id(x, &dt, &dst)) == TRINE_NOT_FOUND)
    st = dict_intern(x->txn, &dt, &dst);
  if (st) return st;
  if (src == dst) return TRINE_OK;
  Quads qs = {0};
  st = graph_quads(x, src, &qs);
  if (!st && u->kind != SPARQL_UP_ADD) st = clear_graph(x, dst);
  for (size_t i = 0; i < qs.n && !st; ++i) {
    if ((st = written(x, i))) break;
    Quad q = qs.q[i];
    q.v[Q_G] = dst;
    st = index_add(x->txn, &q);
    if (!st) x->inserted++;
    if (st == TRINE_NOT_FOUND) st = TRINE_OK;
  }
  if (!st && u->kind == SPARQL_UP_MOVE) st = remove_all(x, &qs);
  free(qs.q);
  return st;
}

/* USING / USING NAMED / WITH: the dataset of the WHERE clause. */
static TrineStatus set_where_dataset(Exec *x, const SparqlUpdate *u, TrineId with) {
  if (u->nusing || u->nusing_named) {
    TrineId *d = calloc(u->nusing + 1, sizeof *d), *n = calloc(u->nusing_named + 1, sizeof *n);
    size_t nd = 0, nn = 0;
    if (!d || !n) { free(d); free(n); return exec_fail(x, TRINE_ERR_NOMEM, "out of memory"); }
    for (size_t i = 0; i < u->nusing; ++i)
      if (qdict_lookup(x->dict, &u->using_[i], &d[nd]) == TRINE_OK) nd++;
    for (size_t i = 0; i < u->nusing_named; ++i)
      if (qdict_lookup(x->dict, &u->using_named[i], &n[nn]) == TRINE_OK) nn++;
    exec_set_dataset(x, d, nd, n, nn, false);
    return TRINE_OK;
  }
  TrineId *d = calloc(1, sizeof *d);
  if (!d) return exec_fail(x, TRINE_ERR_NOMEM, "out of memory");
  d[0] = with;
  exec_set_dataset(x, d, 1, NULL, 0, true);
  return TRINE_OK;
}

static TrineStatus op_modify(Exec *x, const SparqlUpdate *u) {
  TrineId with = 0;
  if (u->with.kind != TRINE_TERM_NONE) {
    TrineStatus st = graph_id(x, &u->with, &with);
    if (st == TRINE_NOT_FOUND) st = dict_intern(x->txn, &u->with, &with);
    if (st) return st;
  }
  TrineStatus st = set_where_dataset(x, u, with);
  exec_progress_phase(x, TRINE_QUERY_MATCHING, 0, 0);
  Table sol = {0};
  if (!st) st = exec_eval(x, u->where, &sol);
  Quads del = {0}, ins = {0};
  if (!st) st = collect(x, u->del, u->ndel, &sol, with, &del);
  if (!st) st = collect(x, u->ins, u->nins, &sol, with, &ins);
  if (!st) st = remove_all(x, &del);
  if (!st) st = insert_all(x, &ins);
  free(del.q);
  free(ins.q);
  exec_table_free(x, &sol);
  return st;
}

static TrineStatus op_data(Exec *x, const SparqlUpdate *u) {
  Quads qs = {0};
  bool ins = u->kind == SPARQL_UP_INSERT_DATA;
  TrineStatus st = ins ? collect(x, u->ins, u->nins, NULL, 0, &qs)
                       : collect(x, u->del, u->ndel, NULL, 0, &qs);
  if (!st) st = ins ? insert_all(x, &qs) : remove_all(x, &qs);
  free(qs.q);
  return st;
}

/* The local path of a file: IRI (percent-escapes decoded), or NULL. */
static char *file_path(const TrineTerm *iri) {
  const char *v = iri->value;
  if (strncmp(v, "file://", 7) != 0) return NULL;
  v += 7;
  if (strncmp(v, "localhost/", 10) == 0) v += 9;
  if (*v != '/') return NULL;
  char *path = malloc(strlen(v) + 1), *o = path;
  if (!path) return NULL;
  for (; *v; ++v) {
    if (v[0] == '%' && v[1] && v[2]) {
      char hex[3] = {v[1], v[2], 0};
      *o++ = (char)strtol(hex, NULL, 16);
      v += 2;
    } else {
      *o++ = *v;
    }
  }
  *o = '\0';
  return path;
}

/* The loader's progress: a non-zero answer cancels the load. */
static int load_progress(void *ctx, const TrineLoadProgress *p) {
  Exec *x = ctx;
  exec_progress_phase(x, TRINE_QUERY_LOADING, p->bytes, p->total);
  return exec_check_limits(x) != TRINE_OK;
}

/* LOAD <file:...> [INTO GRAPH g], in this request's transaction. */
static TrineStatus op_load(Exec *x, const SparqlUpdate *u) {
  char *path = file_path(&u->target);
  if (!path)
    return store_error(x->txn->store, TRINE_ERR_UNSUPPORTED,
                       "LOAD <%s>: only file: IRIs can be loaded (no network access)",
                       u->target.value);
  TrineLoadOptions o = {.graph = u->dest.kind == TRINE_TERM_IRI ? &u->dest : NULL,
                        .progress = load_progress, .progress_ctx = x};
  TrineLoadStats stats = {0};
  TrineStatus st = load_file_in(x->txn, path, &o, &stats);
  free(path);
  if (!st) x->inserted += stats.quads_added;
  return st == TRINE_NOT_FOUND ? TRINE_ERR_IO : st; /* a missing file is an error here */
}

static TrineStatus run_one(Exec *x, const SparqlUpdate *u) {
  switch (u->kind) {
  case SPARQL_UP_INSERT_DATA: case SPARQL_UP_DELETE_DATA: return op_data(x, u);
  case SPARQL_UP_DELETE_WHERE: case SPARQL_UP_MODIFY: return op_modify(x, u);
  case SPARQL_UP_CLEAR: case SPARQL_UP_DROP: return op_clear(x, u);
  case SPARQL_UP_CREATE: return op_create(x, u);
  case SPARQL_UP_ADD: case SPARQL_UP_MOVE: case SPARQL_UP_COPY: return op_transfer(x, u);
  case SPARQL_UP_LOAD: return op_load(x, u);
  }
  return exec_fail(x, TRINE_ERR_INTERNAL, "unknown update operation");
}

TrineStatus update_run(Exec *x, const SparqlRequest *req) {
  for (size_t i = 0; i < req->nupdates; ++i) {
    exec_memo_free(x); /* the previous operation may have changed the data */
    exec_plan_cache_clear(x); /* inserts may have added terms */
    TrineStatus st = run_one(x, &req->updates[i]);
    if (st && req->updates[i].silent && st != TRINE_ERR_CANCELLED && st != TRINE_ERR_NOMEM)
      st = TRINE_OK;
    if (st) return st;
  }
  return TRINE_OK;
}
