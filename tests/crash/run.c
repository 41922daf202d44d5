/*
 * run.c -- op_run(): one generated operation run on a store through the
 * public API, each call's outcome compared with what the operation
 * expects.
 */
#include "model.h"

#include <stdarg.h>
#include <string.h>

typedef struct {
  TrineStore *store;
  const Op *op;
  const GenOptions *go;
  const Vocab *v;
  unsigned index;
  CommitHook hook;
  void *ctx;
  TrineStatus *status;
  char *why;
  size_t size;
} Run;

/* An error op does not expect: 1, or -1 for a wrong outcome that is not
 * an error. */
static int wrong(Run *r, TrineStatus st, const char *fmt, ...) {
  char what[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  snprintf(r->why, r->size, "%s: %s (%s)", what, trine_strerror(st), trine_store_errmsg(r->store));
  *r->status = st;
  return st >= TRINE_ERR_SYNTAX ? 1 : -1;
}

static void hook(Run *r, bool done) {
  if (r->hook) r->hook(r->ctx, r->index, done);
}

static int cancel_load(void *ctx, const TrineLoadProgress *progress) {
  (void)ctx, (void)progress;
  return 1;
}

static int write_file(Run *r, const char *path, const char *text, size_t len) {
  FILE *f = fopen(path, "wb");
  bool ok = f && fwrite(text, 1, len, f) == len;
  if (f && fclose(f)) ok = false;
  if (ok) return 0;
  snprintf(r->why, r->size, "cannot write %s", path);
  *r->status = TRINE_ERR_IO;
  return -1;
}

/* The outcome of a load or update step: what it expects, or wrong(). */
static int judge(Run *r, const Step *s, TrineStatus st, const char *what) {
  if (!s->fails && st == TRINE_OK) return 0;
  if (s->fails && st >= TRINE_ERR_SYNTAX && st != TRINE_ERR_IO && st != TRINE_ERR_FULL) {
    if (s->cancel && st != TRINE_ERR_CANCELLED) return wrong(r, st, "%s: not cancelled", what);
    return 0;
  }
  return wrong(r, st, s->fails ? "%s did not fail" : "%s failed", what);
}

static int load(Run *r, const Step *s, TrineTxn *txn, size_t step, bool commits) {
  TrineTerm g = vocab_term(r->v, s->graph);
  TrineLoadOptions o = {.format = s->format, .graph = s->graph ? &g : NULL, .txn = txn,
                        .progress = s->cancel ? cancel_load : NULL};
  TrineStatus st;
  if (r->op->kind == OP_LOAD_FILE) {
    char path[512];
    op_file_name(r->go, r->index, step, s->format, path, sizeof path);
    if (write_file(r, path, s->text, s->len)) return -1;
    if (commits) hook(r, false);
    st = trine_store_load_file(r->store, path, &o, NULL);
  } else {
    if (commits) hook(r, false);
    st = trine_store_load_buffer(r->store, "generated", s->text, s->len, &o, NULL);
  }
  *r->status = st;
  if (commits) hook(r, true);
  return judge(r, s, st, "the load");
}

static int update(Run *r, const Step *s, TrineTxn *txn, size_t step, bool commits) {
  if (s->file) {
    char path[512];
    op_file_name(r->go, r->index, step, TRINE_FORMAT_NTRIPLES, path, sizeof path);
    if (write_file(r, path, s->file, s->file_len)) return -1;
  }
  TrineQueryOptions o = {.txn = txn, .allow = TRINE_ALLOW_UPDATE | TRINE_ALLOW_LOAD_FILES};
  TrineQuery *q;
  TrineStatus st = trine_query_prepare(r->store, s->text, s->len, &o, &q);
  if (st) return wrong(r, st, "cannot prepare the update [%s]", s->text);
  if (commits) hook(r, false);
  st = trine_query_step(q);
  if (st == TRINE_DONE) st = TRINE_OK;
  *r->status = st;
  if (commits) hook(r, true);
  trine_query_free(q);
  return judge(r, s, st, "the update");
}

static int txn_step(Run *r, TrineTxn *txn, const Step *s, size_t i) {
  TrineTerm t[4];
  for (int k = 0; k < 4; ++k) t[k] = vocab_term(r->v, quad_part(s->quad, k));
  TrineStatus st, want = s->fails ? TRINE_NOT_FOUND : TRINE_OK;
  switch (s->kind) {
  case STEP_ADD:
  case STEP_REMOVE:
    st = (s->kind == STEP_ADD ? trine_txn_add : trine_txn_remove)(txn, &t[1], &t[2], &t[3], &t[0]);
    if (st == want) return 0;
    return wrong(r, st, "trine_txn_%s of step %zu", s->kind == STEP_ADD ? "add" : "remove", i);
  case STEP_LOAD: return load(r, s, txn, i, false);
  case STEP_UPDATE: return update(r, s, txn, i, false);
  }
  return -1;
}

static int transaction(Run *r) {
  const Op *op = r->op;
  TrineTxn *txn;
  TrineStatus st = trine_txn_begin(r->store, true, &txn);
  if (st) return wrong(r, st, "cannot begin the transaction");
  for (size_t i = 0; i < op->nsteps; ++i) {
    int rc = txn_step(r, txn, &op->steps[i], i);
    if (rc) {
      trine_txn_abort(txn);
      return rc;
    }
  }
  hook(r, false);
  if (op->commit) st = trine_txn_commit(txn);
  else trine_txn_abort(txn), st = TRINE_OK;
  *r->status = st;
  hook(r, true);
  if (!op->commit || (st == TRINE_OK) == op->expect_ok) return 0;
  return wrong(r, st, op->expect_ok ? "the commit failed" : "the commit of a failed step did not fail");
}

int op_run(TrineStore *store, const Op *op, const GenOptions *go, const Vocab *v,
           unsigned index, CommitHook hk, void *ctx, TrineStatus *status, char *why,
           size_t size) {
  Run r = {store, op, go, v, index, hk, ctx, status, why, size};
  *status = TRINE_OK;
  why[0] = '\0';
  switch (op->kind) {
  case OP_LOAD_BUFFER:
  case OP_LOAD_FILE: return load(&r, &op->steps[0], NULL, 0, true);
  case OP_UPDATE: return update(&r, &op->steps[0], NULL, 0, true);
  case OP_TXN: return transaction(&r);
  case OP_COMPACT: {
    hook(&r, false);
    TrineStatus st = *status = trine_store_compact(store, NULL);
    hook(&r, true);
    return st ? wrong(&r, st, "the compaction failed") : 0;
  }
  }
  return -1;
}
