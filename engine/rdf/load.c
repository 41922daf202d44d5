/*
 * load.c -- bulk loading of N-Triples, N-Quads, Turtle and TriG in one write
 * transaction.
 *
 * Two threads share the work (DESIGN: parsing and index writing overlap):
 *  - the reader thread reads (and gunzips) the input, parses it (ntparse.c
 *    for N-Triples and N-Quads, ttlparse.c for Turtle and TriG), and encodes
 *    and hashes every term into blocks of statements;
 *  - the calling thread, which owns the LMDB write transaction, turns the
 *    encoded terms into ids through a per-batch dictionary cache, collects a
 *    batch of id quads, sorts it once per index and appends it to LMDB.
 * A small ring of blocks bounds what is in flight, and batches bound the
 * rest, so memory does not grow with the input. Errors found by the reader
 * are handed over and reported from the calling thread, as are progress
 * callbacks. Any error aborts the transaction: a failed load changes nothing.
 */
#include "load.h"

#include "dict.h"
#include "index.h"
#include "input.h"
#include "txn.h"
#include "ntparse.h"
#include "ttlparse.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The load's memory (docs/limits.md): 4 quad arrays of 64 MiB, the batch's
 * terms, 4 blocks and LMDB's 512 MiB of dirty pages stay under 1 GiB. */
#define BATCH_QUADS ((size_t)2 << 20)   /* 64 MiB for each quad array */
#define BATCH_CACHE_BYTES ((size_t)192 << 20)
#define CHUNK ((size_t)1 << 20)
#define BLOCK_STATEMENTS 16384
#define BLOCK_BYTES ((size_t)4 << 20)
#define NBLOCKS 4

/* ---- blocks of encoded statements, reader -> writer ---- */

typedef struct {
  uint64_t hash;
  uint32_t off, len; /* len 0: the default graph (g only) */
} TermRef;

typedef struct Block {
  struct Block *next;
  TermRef *refs;     /* 4 per statement */
  size_t nstatements;
  Buf bytes;
  uint64_t position; /* input consumed when the block was sealed */
} Block;

typedef struct {
  pthread_mutex_t mu;
  pthread_cond_t cv;
  Block *full_head, *full_tail; /* sealed, waiting for the writer */
  Block *free_list;
  bool done;                    /* the reader has finished */
  bool cancel;                  /* the writer gave up */
} Queue;

typedef struct {
  TrineError e;
  char *source, *message;
} Saved;

typedef struct {
  Input *in;          /* a file, a buffer or a callback (input.h) */
  uint64_t bytes;     /* bytes of input parsed (decompressed) */
  /* parsing */
  TrineFormat format;   /* never TRINE_FORMAT_GUESS */
  const char *name;     /* in errors */
  char *base;           /* Turtle and TriG: the base IRI (owned), or NULL */
  NtParser *parser;
  uint64_t (*hash)(const void *, size_t);
  bool writer_hashes;   /* Turtle, TriG: serd makes the reader the slower side */
  Block *cur;
  Queue q;
  TrineStatus status;   /* the reader's outcome */
  Saved errors[16];
  unsigned nerrors;
  char io_error[512];
} Reader;

static void queue_push(Queue *q, Block *b) {
  pthread_mutex_lock(&q->mu);
  b->next = NULL;
  if (q->full_tail) q->full_tail->next = b;
  else q->full_head = b;
  q->full_tail = b;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

/* A free block for the reader; NULL when the writer cancelled. */
static Block *queue_take_free(Queue *q) {
  pthread_mutex_lock(&q->mu);
  while (!q->free_list && !q->cancel) pthread_cond_wait(&q->cv, &q->mu);
  Block *b = q->cancel ? NULL : q->free_list;
  if (b) {
    q->free_list = b->next;
    b->next = NULL;
  }
  pthread_mutex_unlock(&q->mu);
  return b;
}

/* The next full block for the writer; NULL at the end. */
static Block *queue_take_full(Queue *q) {
  pthread_mutex_lock(&q->mu);
  while (!q->full_head && !q->done) pthread_cond_wait(&q->cv, &q->mu);
  Block *b = q->full_head;
  if (b && !(q->full_head = b->next)) q->full_tail = NULL;
  pthread_mutex_unlock(&q->mu);
  return b;
}

static void queue_give_back(Queue *q, Block *b) {
  pthread_mutex_lock(&q->mu);
  b->next = q->free_list;
  q->free_list = b;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

static void queue_set(Queue *q, bool *flag) {
  pthread_mutex_lock(&q->mu);
  *flag = true;
  pthread_cond_broadcast(&q->cv);
  pthread_mutex_unlock(&q->mu);
}

/* ---- the reader thread ---- */

static int encode(Reader *r, Block *b, const TrineTerm *t, TermRef *ref) {
  size_t off = b->bytes.len;
  if (t->kind == TRINE_TERM_DEFAULT_GRAPH) {
    *ref = (TermRef){0, 0, 0};
    return 0;
  }
  if (dict_encode_append(t, &b->bytes)) return -1;
  size_t len = b->bytes.len - off;
  uint64_t h = r->writer_hashes ? 0 : r->hash(b->bytes.data + off, len);
  *ref = (TermRef){h, (uint32_t)off, (uint32_t)len};
  return 0;
}

static TrineStatus seal(Reader *r, uint64_t position) {
  r->cur->position = position;
  queue_push(&r->q, r->cur);
  r->cur = queue_take_free(&r->q);
  if (!r->cur) return TRINE_ERR_CANCELLED;
  r->cur->nstatements = 0;
  r->cur->bytes.len = 0;
  return TRINE_OK;
}

static TrineStatus on_statement(void *ctx, const NtStatement *st) {
  Reader *r = ctx;
  Block *b = r->cur;
  TermRef *ref = &b->refs[4 * b->nstatements];
  if (encode(r, b, &st->s, &ref[0]) || encode(r, b, &st->p, &ref[1]) ||
      encode(r, b, &st->o, &ref[2]) || encode(r, b, &st->g, &ref[3]))
    return TRINE_ERR_NOMEM;
  if (b->bytes.len > UINT32_MAX / 2) return TRINE_ERR_NOMEM;
  if (++b->nstatements == BLOCK_STATEMENTS || b->bytes.len >= BLOCK_BYTES)
    return seal(r, input_position(r->in));
  return TRINE_OK;
}

/* Syntax errors are kept (copied) for the writer to report. */
static void on_error(void *ctx, const TrineError *e) {
  Reader *r = ctx;
  if (r->nerrors == sizeof r->errors / sizeof r->errors[0]) return;
  Saved *s = &r->errors[r->nerrors++];
  s->e = *e;
  s->source = e->source ? strdup(e->source) : NULL;
  s->message = e->message ? strdup(e->message) : NULL;
  s->e.source = s->source;
  s->e.message = s->message;
}

/* Up to cap bytes of (decompressed) input: the count, 0 at the end, -1 on
 * an error (r->io_error says which). */
static ssize_t read_bytes(void *io, char *buf, size_t cap) {
  Reader *r = io;
  ssize_t n = input_read(r->in, buf, cap);
  if (n < 0) snprintf(r->io_error, sizeof r->io_error, "%s", input_error(r->in));
  else r->bytes += (uint64_t)n;
  return n;
}

/* Start again from the first byte (to locate a Turtle error). */
static bool rewind_input(void *io) {
  Reader *r = io;
  r->bytes = 0;
  return input_rewind(r->in);
}

static TrineStatus read_nt(Reader *r) {
  char *buf = malloc(CHUNK);
  if (!buf) return TRINE_ERR_NOMEM;
  TrineStatus st = TRINE_OK;
  for (ssize_t n; !st && (n = read_bytes(r, buf, CHUNK)) != 0;)
    st = n < 0 ? TRINE_ERR_IO : nt_parser_feed(r->parser, buf, (size_t)n);
  free(buf);
  return st ? st : nt_parser_finish(r->parser);
}

static TrineStatus read_ttl(Reader *r) {
  TtlInput in = {.source = r->name, .base_iri = r->base, .trig = r->format == TRINE_FORMAT_TRIG,
                 .read = read_bytes, .rewind = rewind_input, .io = r,
                 .fn = on_statement, .ctx = r, .sink = on_error, .sink_ctx = r};
  return ttl_parse(&in);
}

static TrineStatus read_input(Reader *r) {
  bool nt = r->format == TRINE_FORMAT_NTRIPLES || r->format == TRINE_FORMAT_NQUADS;
  return nt ? read_nt(r) : read_ttl(r);
}

static void *reader_main(void *arg) {
  Reader *r = arg;
  r->status = read_input(r);
  if (r->cur && r->cur->nstatements && !r->status) {
    r->cur->position = input_position(r->in);
    queue_push(&r->q, r->cur);
    r->cur = NULL;
  }
  queue_set(&r->q, &r->q.done);
  return NULL;
}

/* ---- the writer (calling thread) ---- */

/* Progress as the caller's callback hears it. */
typedef struct {
  const TrineLoadOptions *opts;
  TrineStore *store;
  TrineLoadProgress p;
} Reporter;

static TrineStatus tell(Reporter *rp, TrineLoadPhase phase) {
  const TrineLoadOptions *o = rp->opts;
  rp->p.phase = phase;
  if (o && o->progress && o->progress(o->progress_ctx, &rp->p) && phase != TRINE_LOAD_COMMITTING)
    return store_error(rp->store, TRINE_ERR_CANCELLED, "load cancelled");
  return TRINE_OK;
}

static int on_tick(void *ctx, uint64_t done, uint64_t todo) {
  Reporter *rp = ctx;
  rp->p.done = done;
  rp->p.todo = todo;
  return tell(rp, TRINE_LOAD_WRITING) != TRINE_OK;
}

typedef struct {
  TrineTxn *txn;
  Reporter *rp;
  DictCache *cache;
  Quad *q, *scr, *scr2;
  Quad *spare;      /* with runs: q's twin, one of them being sorted */
  size_t n, cap;
  uint64_t seq0;    /* first term sequence number of this batch */
  uint64_t seq_load; /* ... and of the whole load */
  IndexLoad *runs;  /* once a batch was full: the load's sorted runs */
  TrineId graph;    /* where statements without a graph label go */
  uint64_t read, added;
  bool own_txn;     /* begun here (commit or abort at the end) */
} Writer;

static const IndexTick *ticks(Writer *w, IndexTick *tick) {
  *tick = (IndexTick){on_tick, w->rp};
  return w->rp->opts && w->rp->opts->progress ? tick : NULL;
}

/* Quads in a batch: BATCH_QUADS unless a test asked for fewer, so that it
 * can cross batches without writing millions of statements. */
static size_t batch_quads(const Writer *w) {
  size_t n = w->txn->store->batch_quads;
  return n && n < BATCH_QUADS ? n : BATCH_QUADS;
}

/* The batch's arrays at cap quads each, and the spare too when asked. */
static TrineStatus resize(Writer *w, size_t cap, bool spare) {
  Quad **a[] = {&w->q, &w->scr, &w->scr2, &w->spare};
  for (size_t i = 0; i < (spare ? 4u : 3u); ++i) {
    Quad *p = realloc(*a[i], cap * sizeof *p);
    if (!p) return store_error(w->txn->store, TRINE_ERR_NOMEM, "out of memory");
    *a[i] = p;
  }
  w->cap = cap;
  return TRINE_OK;
}

/* The load is more than a batch: from now on batches are sorted into runs
 * on another thread while the next is read into a second array, so the
 * arrays take their full size now and never move again. */
static TrineStatus start_runs(Writer *w) {
  TrineStatus st = resize(w, batch_quads(w), true);
  return st ? st : index_load_open(w->txn, &w->runs);
}

/* Write the batch's terms; then its quads to the indexes when it is the
 * load's one batch, else to the load's sorted runs (index_load_batch()). */
static TrineStatus flush_batch(Writer *w, bool last) {
  TrineTxn *t = w->txn;
  w->rp->p.done = w->rp->p.todo = 0;
  w->rp->p.quads = w->read;
  bool runs = w->runs || !last; /* the indexes are written at the end */
  TrineStatus st = runs ? TRINE_OK : tell(w->rp, TRINE_LOAD_WRITING);
  if (!st) st = dict_cache_flush(t, w->cache);
  if (!st && runs && !w->runs) st = start_runs(w);
  if (st) return st;
  if (w->runs) {
    st = index_load_batch(w->runs, w->q, w->scr, w->scr2, w->n);
    Quad *q = w->q; /* the sorting thread's now: read on into the spare */
    w->q = w->spare;
    w->spare = q;
  } else {
    uint64_t added = 0;
    IndexTick tick;
    st = index_add_batch(t, w->q, w->scr, w->scr2, w->n, w->seq0, ticks(w, &tick), &added);
    w->added += added;
  }
  w->n = 0;
  w->seq0 = t->next_seq;
  return st;
}

/* A load of many batches: write the indexes from the merged runs. */
static TrineStatus write_runs(Writer *w) {
  w->rp->p.done = w->rp->p.todo = 0;
  TrineStatus st = tell(w->rp, TRINE_LOAD_WRITING);
  uint64_t added = 0;
  IndexTick tick;
  if (!st) st = index_load_finish(w->runs, w->q, w->cap, w->seq_load, ticks(w, &tick), &added);
  w->added += added;
  return st;
}

/* Grow the batch arrays on demand, so small loads stay small. */
static TrineStatus reserve(Writer *w) {
  if (w->n < w->cap) return TRINE_OK;
  size_t cap = w->cap ? w->cap * 2 : 4096;
  return resize(w, cap < batch_quads(w) ? cap : batch_quads(w), false);
}

/* hashed: the reader hashed the terms, else they are hashed here. */
static TrineStatus take_block(Writer *w, const Block *b, bool hashed) {
  TrineTxn *t = w->txn;
  for (size_t i = 0; i < b->nstatements; ++i) {
    TrineStatus st = reserve(w);
    if (st) return st;
    const TermRef *ref = &b->refs[4 * i];
    Quad *q = &w->q[w->n];
    for (int k = 0; k < 4; ++k) {
      if (ref[k].len == 0) {
        q->v[k] = w->graph;
        continue;
      }
      const char *enc = b->bytes.data + ref[k].off;
      uint64_t h = hashed ? ref[k].hash : t->store->hash(enc, ref[k].len);
      st = dict_cache_intern_encoded(t, w->cache, enc, ref[k].len, h, &q->v[k]);
      if (st) return st;
    }
    w->read++;
    if (++w->n == batch_quads(w) || dict_cache_bytes(w->cache) > BATCH_CACHE_BYTES)
      if ((st = flush_batch(w, false))) return st;
  }
  return TRINE_OK;
}

static TrineStatus writer_init(Writer *w, TrineStore *s, TrineTxn *txn, Reporter *rp) {
  const TrineLoadOptions *opts = rp->opts;
  *w = (Writer){.txn = txn, .rp = rp};
  TrineStatus st = TRINE_OK;
  if (!txn) {
    if ((st = trine_txn_begin(s, true, &w->txn))) return st;
    w->own_txn = true;
  }
  if (!(w->cache = dict_cache_new())) return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  if ((st = dict_scope_reset(w->txn))) return st;
  w->seq0 = w->seq_load = w->txn->next_seq;
  const TrineTerm *g = opts ? opts->graph : NULL;
  if (g && g->kind != TRINE_TERM_DEFAULT_GRAPH) {
    if (g->kind != TRINE_TERM_IRI && g->kind != TRINE_TERM_BLANK)
      return store_error(s, TRINE_ERR_ARG, "a graph name must be an IRI or blank node");
    if ((st = dict_cache_intern(w->txn, w->cache, g, &w->graph))) return st;
  }
  return TRINE_OK;
}

/* Commit on success, abort otherwise; free everything. */
static TrineStatus writer_finish(Writer *w, TrineStatus st, TrineLoadStats *stats) {
  if (!st && w->n) st = flush_batch(w, true);
  if (!st && w->runs) st = write_runs(w);
  index_load_free(w->runs);
  if (!st && w->cache) st = dict_cache_flush(w->txn, w->cache);
  if (w->txn && w->own_txn) {
    if (st) {
      trine_txn_abort(w->txn);
    } else {
      tell(w->rp, TRINE_LOAD_COMMITTING);
      st = trine_txn_commit(w->txn);
    }
  }
  dict_cache_free(w->cache);
  free(w->q);
  free(w->scr);
  free(w->scr2);
  free(w->spare);
  if (stats) {
    stats->quads_read = w->read;
    stats->quads_added = st ? 0 : w->added;
  }
  return st;
}

/* ---- one load ---- */

static unsigned max_errors(const TrineLoadOptions *o) {
  return o && o->max_errors ? o->max_errors : 5;
}

static void free_blocks(Block *b) {
  while (b) {
    Block *next = b->next;
    free(b->refs);
    buf_free(&b->bytes);
    free(b);
    b = next;
  }
}

static TrineStatus reader_init(Reader *r, TrineStore *s, unsigned max_err) {
  pthread_mutex_init(&r->q.mu, NULL);
  pthread_cond_init(&r->q.cv, NULL);
  r->hash = s->hash;
  r->writer_hashes = r->format == TRINE_FORMAT_TURTLE || r->format == TRINE_FORMAT_TRIG;
  for (int i = 0; i < NBLOCKS; ++i) {
    Block *b = calloc(1, sizeof *b);
    if (!b || !(b->refs = malloc(4 * BLOCK_STATEMENTS * sizeof *b->refs))) {
      free(b);
      return store_error(s, TRINE_ERR_NOMEM, "out of memory");
    }
    b->next = r->q.free_list;
    r->q.free_list = b;
  }
  r->cur = r->q.free_list;
  r->q.free_list = r->cur->next;
  r->cur->next = NULL;
  if (r->format != TRINE_FORMAT_NTRIPLES && r->format != TRINE_FORMAT_NQUADS) return TRINE_OK;
  if (!(r->parser = nt_parser_new(r->name, r->format == TRINE_FORMAT_NQUADS, on_statement, r,
                                  on_error, r, max_err)))
    return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  return TRINE_OK;
}

static void reader_free(Reader *r) {
  nt_parser_free(r->parser);
  free(r->base);
  free_blocks(r->cur);
  free_blocks(r->q.full_head);
  free_blocks(r->q.free_list);
  for (unsigned i = 0; i < r->nerrors; ++i) {
    free(r->errors[i].source);
    free(r->errors[i].message);
  }
  pthread_mutex_destroy(&r->q.mu);
  pthread_cond_destroy(&r->q.cv);
}

/* Report the reader's errors from this thread: the first one becomes the
 * store's message, all go to the sink. */
static void report(Reader *r, TrineStore *s, const TrineLoadOptions *o, const char *name) {
  TrineErrorSink sink = o && o->sink ? o->sink : s->sink;
  void *ctx = o && o->sink ? o->sink_ctx : s->sink_ctx;
  for (unsigned i = 0; i < r->nerrors; ++i) {
    if (i == 0) trine_error_format(&r->errors[i].e, s->errmsg, sizeof s->errmsg);
    if (sink) sink(ctx, &r->errors[i].e);
  }
  if (r->status == TRINE_ERR_SYNTAX && !r->nerrors)
    store_error(s, TRINE_ERR_SYNTAX, "%s: syntax error", name);
  else if (r->status == TRINE_ERR_IO)
    store_error(s, TRINE_ERR_IO, "%s: %s", name, r->io_error);
  else if (r->status == TRINE_ERR_NOMEM)
    store_error(s, TRINE_ERR_NOMEM, "out of memory");
}

static TrineStatus run_load(TrineStore *s, TrineTxn *txn, Reader *r,
                            const TrineLoadOptions *opts, TrineLoadStats *stats) {
  Writer w;
  Reporter rp = {.opts = opts, .store = s, .p = {.total = input_total(r->in)}};
  const char *name = r->name;
  TrineStatus st = reader_init(r, s, max_errors(opts));
  if (!st) st = writer_init(&w, s, txn, &rp);
  else w = (Writer){.rp = &rp};
  pthread_t thread;
  bool started = !st && pthread_create(&thread, NULL, reader_main, r) == 0;
  if (!st && !started) st = store_error(s, TRINE_ERR_NOMEM, "cannot start reader thread");
  for (Block *b; started && (b = queue_take_full(&r->q));) {
    if (!st) st = take_block(&w, b, !r->writer_hashes);
    rp.p.bytes = b->position;
    rp.p.quads = w.read;
    if (!st) st = tell(&rp, TRINE_LOAD_READING);
    queue_give_back(&r->q, b);
    if (st) queue_set(&r->q, &r->q.cancel);
  }
  if (started) pthread_join(thread, NULL);
  if (!st && r->status) {
    report(r, s, opts, name);
    st = r->status;
  }
  if (stats) stats->bytes = r->bytes;
  st = writer_finish(&w, st, stats);
  reader_free(r);
  return st;
}

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* The format a file name says: .nt .nq .ttl .trig, each optionally .gz. */
static TrineFormat format_of(const char *path) {
  static const struct {
    const char *ext;
    TrineFormat f;
  } exts[] = {{".nt", TRINE_FORMAT_NTRIPLES}, {".nq", TRINE_FORMAT_NQUADS},
              {".ttl", TRINE_FORMAT_TURTLE}, {".trig", TRINE_FORMAT_TRIG}};
  char name[32];
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; ++i) {
    snprintf(name, sizeof name, "%s.gz", exts[i].ext);
    if (ends_with(path, exts[i].ext) || ends_with(path, name)) return exts[i].f;
  }
  return TRINE_FORMAT_GUESS;
}

static bool known_format(TrineFormat f) {
  return f == TRINE_FORMAT_NTRIPLES || f == TRINE_FORMAT_NQUADS || f == TRINE_FORMAT_TURTLE ||
         f == TRINE_FORMAT_TRIG;
}

/* The base IRI of a Turtle or TriG input: the one given, else the file's. */
static TrineStatus set_base(TrineStore *s, Reader *r, const TrineLoadOptions *opts,
                            const char *path) {
  if (r->format != TRINE_FORMAT_TURTLE && r->format != TRINE_FORMAT_TRIG) return TRINE_OK;
  const char *given = opts ? opts->base_iri : NULL;
  if (!given && !path) return TRINE_OK;
  r->base = given ? strdup(given) : ttl_file_iri(path);
  return r->base ? TRINE_OK : store_error(s, TRINE_ERR_NOMEM, "out of memory");
}

/* Load in, which this takes over; path: a file's (for its base IRI). */
static TrineStatus load_input(TrineStore *s, TrineTxn *txn, Input *in, TrineFormat f,
                              const char *name, const char *path,
                              const TrineLoadOptions *opts, TrineLoadStats *stats) {
  Reader r = {.in = in, .format = f, .name = name};
  TrineStatus st = set_base(s, &r, opts, path);
  if (!st) st = run_load(s, txn, &r, opts, stats);
  else free(r.base);
  input_free(in);
  return st;
}

static TrineStatus load_file(TrineStore *s, TrineTxn *txn, const char *path,
                             const TrineLoadOptions *opts, TrineLoadStats *stats) {
  struct stat sb;
  if (stat(path, &sb) != 0)
    return store_error(s, errno == ENOENT ? TRINE_NOT_FOUND : TRINE_ERR_IO,
                       "%s: cannot open: %s", path, strerror(errno));
  if (S_ISDIR(sb.st_mode)) return store_error(s, TRINE_ERR_IO, "%s: is a directory", path);
  TrineFormat f = opts && opts->format ? opts->format : format_of(path);
  if (!known_format(f))
    return store_error(s, TRINE_ERR_ARG,
                       "%s: unknown format: name the file .nt (N-Triples), .nq (N-Quads), "
                       ".ttl (Turtle) or .trig (TriG), each optionally .gz, or give the format",
                       path);
  Input *in = input_file(path);
  if (!in) return store_error(s, TRINE_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
  return load_input(s, txn, in, f, path, path, opts, stats);
}

/* A transaction the caller gives a load: the store's, and writing. */
static TrineStatus given_txn(TrineStore *s, TrineTxn *txn, const char *call) {
  if (!txn) return TRINE_OK;
  if (txn->store != s) return api_misuse(s, call, "the transaction belongs to another store");
  if (!txn->write) return store_error(s, TRINE_ERR_READONLY, "%s: a read transaction", call);
  return TRINE_OK;
}

TrineStatus trine_store_load_file(TrineStore *s, const char *path,
                                  const TrineLoadOptions *opts, TrineLoadStats *stats) {
  if (stats) *stats = (TrineLoadStats){0};
  if (!s || !path)
    return api_misuse(s, "trine_store_load_file", s ? "path is NULL" : "store is NULL");
  TrineTxn *txn = opts ? opts->txn : NULL;
  TrineStatus st = given_txn(s, txn, "trine_store_load_file");
  if (st) return st;
  st = load_file(s, txn, path, opts, stats);
  txn_failed(txn, st);
  return st;
}

TrineStatus load_file_in(TrineTxn *txn, const char *path, const TrineLoadOptions *opts,
                         TrineLoadStats *stats) {
  if (stats) *stats = (TrineLoadStats){0};
  return load_file(txn->store, txn, path, opts, stats);
}

/* A load from memory or a callback (in, NULL: out of memory), checked as
 * call: the format given, else the name's, else N-Quads. */
static TrineStatus load_other(TrineStore *s, const char *call, Input *in, const char *name,
                              const TrineLoadOptions *opts, TrineLoadStats *stats) {
  TrineTxn *txn = opts ? opts->txn : NULL;
  TrineStatus st = given_txn(s, txn, call);
  TrineFormat f = opts && opts->format ? opts->format : name ? format_of(name) : 0;
  if (!f) f = TRINE_FORMAT_NQUADS;
  if (!st && !known_format(f)) st = store_error(s, TRINE_ERR_ARG, "unknown format %d", (int)f);
  if (!st && !in) st = store_error(s, TRINE_ERR_NOMEM, "out of memory");
  if (st) {
    input_free(in);
    return st;
  }
  st = load_input(s, txn, in, f, name, NULL, opts, stats);
  txn_failed(txn, st);
  return st;
}

TrineStatus trine_store_load_buffer(TrineStore *s, const char *name, const void *data,
                                    size_t len, const TrineLoadOptions *opts,
                                    TrineLoadStats *stats) {
  if (stats) *stats = (TrineLoadStats){0};
  if (!s || (!data && len))
    return api_misuse(s, "trine_store_load_buffer", s ? "data is NULL" : "store is NULL");
  return load_other(s, "trine_store_load_buffer", input_buffer(data, len), name, opts, stats);
}

TrineStatus trine_store_load_reader(TrineStore *s, const char *name, TrineReadFn read,
                                    void *ctx, const TrineLoadOptions *opts,
                                    TrineLoadStats *stats) {
  if (stats) *stats = (TrineLoadStats){0};
  if (!s || !read)
    return api_misuse(s, "trine_store_load_reader", s ? "read is NULL" : "store is NULL");
  return load_other(s, "trine_store_load_reader", input_callback(read, ctx, 0), name, opts,
                    stats);
}

/* trine_store_load_stream()'s read callback. */
static ptrdiff_t read_stream(void *ctx, void *buf, size_t cap) {
  FILE *in = ctx;
  size_t n = fread(buf, 1, cap, in);
  return n == 0 && ferror(in) ? -1 : (ptrdiff_t)n;
}

/* What is left of stream in when it is a regular file, else 0. */
static uint64_t stream_left(FILE *in) {
  struct stat sb;
  off_t at = ftello(in);
  if (at < 0 || fstat(fileno(in), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size < at)
    return 0;
  return (uint64_t)(sb.st_size - at);
}

TrineStatus trine_store_load_stream(TrineStore *s, const char *name, FILE *in,
                                    const TrineLoadOptions *opts, TrineLoadStats *stats) {
  if (stats) *stats = (TrineLoadStats){0};
  if (!s || !in)
    return api_misuse(s, "trine_store_load_stream", s ? "in is NULL" : "store is NULL");
  errno = 0;
  return load_other(s, "trine_store_load_stream", input_callback(read_stream, in, stream_left(in)),
                    name, opts, stats);
}
