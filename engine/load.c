/*
 * load.c -- bulk loading of N-Triples / N-Quads in one write transaction.
 *
 * bytes -> ntparse -> terms -> dictionary cache (term -> id) -> a batch of
 * id quads -> sorted once per index -> appended to LMDB where possible.
 * Memory is bounded by the batch: the quad arrays and the per-batch term
 * cache are flushed when full. Any error aborts the transaction, so a failed
 * load leaves the store exactly as it was.
 */
#include "dict.h"
#include "index.h"
#include "ntparse.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define BATCH_QUADS ((size_t)2 << 20)   /* 64 MiB per quad array */
#define BATCH_CACHE_BYTES ((size_t)256 << 20)
#define CHUNK ((size_t)1 << 20)

typedef struct {
  TrineTxn *txn;
  DictCache *cache;
  Quad *q, *scr;
  size_t n;
  uint64_t seq0;    /* first term sequence number of this batch */
  TrineId graph;    /* where statements without a graph label go */
  uint64_t read, added;
  const TrineLoadOptions *opts;
  TrineErrorSink sink;
  void *sink_ctx;
  bool saw_error;
} Loader;

static TrineStatus flush_batch(Loader *l) {
  TrineTxn *t = l->txn;
  TrineStatus st = dict_cache_flush(t, l->cache);
  uint64_t added = 0;
  if (!st) st = index_add_batch(t, l->q, l->scr, l->n, l->seq0, &added);
  l->added += added;
  l->n = 0;
  l->seq0 = t->next_seq;
  return st;
}

static TrineStatus on_statement(void *ctx, const NtStatement *s) {
  Loader *l = ctx;
  Quad *q = &l->q[l->n];
  TrineStatus st;
  if ((st = dict_cache_intern(l->txn, l->cache, &s->s, &q->v[Q_S])) ||
      (st = dict_cache_intern(l->txn, l->cache, &s->p, &q->v[Q_P])) ||
      (st = dict_cache_intern(l->txn, l->cache, &s->o, &q->v[Q_O])))
    return st;
  if (s->g.kind == TRINE_TERM_DEFAULT_GRAPH) q->v[Q_G] = l->graph;
  else if ((st = dict_cache_intern(l->txn, l->cache, &s->g, &q->v[Q_G]))) return st;
  l->read++;
  if (++l->n == BATCH_QUADS || dict_cache_bytes(l->cache) > BATCH_CACHE_BYTES)
    return flush_batch(l);
  return TRINE_OK;
}

/* Parse errors: remember the first on the store, forward all to the sink. */
static void on_error(void *ctx, const TrineError *e) {
  Loader *l = ctx;
  TrineStore *s = l->txn->store;
  if (!l->saw_error) {
    l->saw_error = true;
    trine_error_format(e, s->errmsg, sizeof s->errmsg);
  }
  if (l->sink) l->sink(l->sink_ctx, e);
}

static TrineStatus loader_init(Loader *l, TrineStore *s, const TrineLoadOptions *opts) {
  *l = (Loader){.opts = opts};
  l->sink = opts && opts->sink ? opts->sink : s->sink;
  l->sink_ctx = opts && opts->sink ? opts->sink_ctx : s->sink_ctx;
  TrineStatus st = trine_txn_begin(s, true, &l->txn);
  if (st) return st;
  l->cache = dict_cache_new();
  l->q = malloc(BATCH_QUADS * sizeof *l->q);
  l->scr = malloc(BATCH_QUADS * sizeof *l->scr);
  if (!l->cache || !l->q || !l->scr)
    return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  if ((st = dict_scope_reset(l->txn))) return st;
  l->seq0 = l->txn->next_seq;
  const TrineTerm *g = opts ? opts->graph : NULL;
  if (g && g->kind != TRINE_TERM_DEFAULT_GRAPH) {
    if (g->kind != TRINE_TERM_IRI && g->kind != TRINE_TERM_BLANK)
      return store_error(s, TRINE_ERR_ARG, "a graph name must be an IRI or blank node");
    if ((st = dict_cache_intern(l->txn, l->cache, g, &l->graph))) return st;
  }
  return TRINE_OK;
}

/* Commit on success, abort otherwise; free everything. */
static TrineStatus loader_finish(Loader *l, TrineStatus st, TrineLoadStats *stats) {
  if (!st && l->n) st = flush_batch(l);
  if (!st && l->cache) st = dict_cache_flush(l->txn, l->cache);
  if (l->txn) {
    if (st) trine_txn_abort(l->txn);
    else st = trine_txn_commit(l->txn);
  }
  dict_cache_free(l->cache);
  free(l->q);
  free(l->scr);
  if (stats) {
    stats->quads_read = l->read;
    stats->quads_added = st ? 0 : l->added;
  }
  return st;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

static bool is_nquads(const char *name, TrineFormat f) {
  if (f == TRINE_FORMAT_NTRIPLES) return false;
  if (f == TRINE_FORMAT_NQUADS) return true;
  return !(ends_with(name, ".nt") || ends_with(name, ".nt.gz"));
}

static unsigned max_errors(const TrineLoadOptions *o) {
  return o && o->max_errors ? o->max_errors : 5;
}

static TrineStatus progress(Loader *l, uint64_t bytes, uint64_t total) {
  const TrineLoadOptions *o = l->opts;
  if (o && o->progress && o->progress(o->progress_ctx, bytes, total, l->read))
    return store_error(l->txn->store, TRINE_ERR_CANCELLED, "load cancelled");
  return TRINE_OK;
}

TrineStatus trine_store_load_file(TrineStore *s, const char *path,
                                  const TrineLoadOptions *opts, TrineLoadStats *stats) {
  if (stats) *stats = (TrineLoadStats){0};
  struct stat sb;
  gzFile in = NULL;
  if (stat(path, &sb) != 0 || !(in = gzopen(path, "rb")))
    return store_error(s, errno == ENOENT ? TRINE_NOT_FOUND : TRINE_ERR_IO,
                       "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(sb.st_mode)) {
    gzclose(in);
    return store_error(s, TRINE_ERR_IO, "%s: is a directory", path);
  }
  gzbuffer(in, 256 << 10);
  Loader l;
  TrineStatus st = loader_init(&l, s, opts);
  NtParser *p = NULL;
  char *buf = malloc(CHUNK);
  if (!st && !buf) st = store_error(s, TRINE_ERR_NOMEM, "out of memory");
  if (!st && !(p = nt_parser_new(path, is_nquads(path, opts ? opts->format : 0),
                                 on_statement, &l, on_error, &l, max_errors(opts))))
    st = store_error(s, TRINE_ERR_NOMEM, "out of memory");
  uint64_t bytes = 0;
  while (!st) {
    int n = gzread(in, buf, (unsigned)CHUNK);
    if (n < 0) {
      int zerr;
      const char *msg = gzerror(in, &zerr);
      st = store_error(s, TRINE_ERR_IO, "%s: read error: %s", path,
                       zerr == Z_ERRNO ? strerror(errno) : msg);
      break;
    }
    if (n == 0) break;
    bytes += (uint64_t)n;
    st = nt_parser_feed(p, buf, (size_t)n);
    if (!st) st = progress(&l, (uint64_t)gzoffset(in), (uint64_t)sb.st_size);
  }
  if (!st) st = nt_parser_finish(p);
  if (st == TRINE_ERR_SYNTAX && !l.saw_error)
    store_error(s, st, "%s: syntax error", path);
  nt_parser_free(p);
  free(buf);
  gzclose(in);
  if (stats) stats->bytes = bytes;
  return loader_finish(&l, st, stats);
}

TrineStatus trine_store_load_buffer(TrineStore *s, const char *name, const void *data,
                                    size_t len, const TrineLoadOptions *opts,
                                    TrineLoadStats *stats) {
  if (stats) *stats = (TrineLoadStats){0};
  Loader l;
  TrineStatus st = loader_init(&l, s, opts);
  TrineFormat f = opts ? opts->format : TRINE_FORMAT_GUESS;
  NtParser *p = NULL;
  if (!st && !(p = nt_parser_new(name, f != TRINE_FORMAT_NTRIPLES, on_statement, &l,
                                 on_error, &l, max_errors(opts))))
    st = store_error(s, TRINE_ERR_NOMEM, "out of memory");
  if (!st) st = nt_parser_feed(p, data, len);
  if (!st) st = nt_parser_finish(p);
  nt_parser_free(p);
  if (stats) stats->bytes = len;
  return loader_finish(&l, st, stats);
}
