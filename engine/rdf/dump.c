/*
 * dump.c -- write the store (or one graph) as N-Quads / N-Triples with
 * canonical escaping, from one read snapshot, graph by graph (GSPO order).
 */
#include "dict.h"
#include "index.h"
#include "term.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT (64u << 10)

typedef struct {
  char *buf;
  size_t len, cap;
  FILE *out;
} Out;

static int out_flush(Out *o) {
  if (o->len && fwrite(o->buf, 1, o->len, o->out) != o->len) return -1;
  o->len = 0;
  return 0;
}

static TrineStatus dump_scan(TrineTxn *t, IndexIter *it, bool nquads, Out *o) {
  TrineStore *s = t->store;
  TrineStatus st;
  Quad q;
  while ((st = index_iter_next(it, &q)) == TRINE_ROW) {
    TrineTerm term[4];
    char scratch[4][24];
    for (int i = 0; i < 4; ++i)
      if ((st = dict_term(t, q.v[i], &term[i], scratch[i]))) return st;
    if (term_write_quad_buf(&term[0], &term[1], &term[2], nquads ? &term[3] : NULL,
                            &o->buf, &o->len, &o->cap))
      return store_error(s, TRINE_ERR_NOMEM, "out of memory");
    if (o->len >= FLUSH_AT && out_flush(o))
      return store_error(s, TRINE_ERR_IO, "cannot write: %s", strerror(errno));
  }
  return st == TRINE_DONE ? TRINE_OK : st;
}

/* The dump of graph (NULL: all) as seen by transaction t. */
static TrineStatus dump_in(TrineTxn *t, FILE *out, TrineFormat format, const TrineTerm *graph) {
  TrineStore *s = t->store;
  TrineStatus st = TRINE_OK;
  Quad pre = {{0, 0, 0, 0}};
  int prefix = 0; /* every graph: the whole GSPO index, graph by graph */
  if (graph) {
    prefix = 1;
    if (graph->kind != TRINE_TERM_DEFAULT_GRAPH)
      st = dict_lookup(t, graph, &pre.v[0]);
  }
  IndexIter *it = NULL;
  Out o = {.out = out};
  if (st == TRINE_NOT_FOUND) st = TRINE_OK; /* unknown graph: nothing to write */
  else if (!st && !(st = index_iter_open_index(t, IDX_GSPO, &pre, prefix, &it)))
    st = dump_scan(t, it, format != TRINE_FORMAT_NTRIPLES, &o);
  if (!st && (out_flush(&o) || fflush(out)))
    st = store_error(s, TRINE_ERR_IO, "cannot write: %s", strerror(errno));
  free(o.buf);
  index_iter_free(it);
  return st;
}

TrineStatus trine_store_dump(TrineStore *s, FILE *out, TrineFormat format,
                             const TrineTerm *graph) {
  if (!s || !out)
    return api_misuse(s, "trine_store_dump", s ? "out is NULL" : "store is NULL");
  TrineTxn *t;
  TrineStatus st = trine_txn_begin(s, false, &t);
  if (st) return st;
  st = dump_in(t, out, format, graph);
  trine_txn_abort(t);
  return st;
}

TrineStatus trine_txn_dump(TrineTxn *t, FILE *out, TrineFormat format, const TrineTerm *graph) {
  if (!t || !out)
    return api_misuse(t ? t->store : NULL, "trine_txn_dump", t ? "out is NULL" : "txn is NULL");
  return dump_in(t, out, format, graph);
}
