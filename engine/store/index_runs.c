/*
 * index_runs.c -- a load's sorted runs in a temporary file, read back merged
 * (index_runs.h). Records are kept as they are in memory (four ids, host
 * order): the file lives only as long as the load, on this machine.
 */
#include "index_runs.h"

#include "index_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_BUDGET ((size_t)64 << 20) /* bytes of read buffers for one merge */
#define READ_MIN 1024                   /* records a run's buffer holds at least */
#define READ_MAX 8192                   /* ... and at most */

typedef struct {
  uint64_t off, n; /* where in the file, records */
  IndexId layout;
} Run;

struct RunFile {
  TrineStore *store;
  int fd;
  uint64_t end, records;
  Run *runs;
  size_t n, cap;
};

static TrineStatus io_error(RunFile *f, int err, const char *what) {
  return store_error(f->store, err == ENOSPC ? TRINE_ERR_FULL : TRINE_ERR_IO,
                     "%s the load's temporary file in %s: %s", what, f->store->path,
                     strerror(err));
}

TrineStatus runs_open(TrineStore *s, RunFile **out) {
  *out = NULL;
  RunFile *f = calloc(1, sizeof *f);
  size_t len = strlen(s->path) + sizeof "/trine-load-XXXXXX";
  char *name = malloc(len);
  if (!f || !name) {
    free(f);
    free(name);
    return store_error(s, TRINE_ERR_NOMEM, "out of memory");
  }
  f->store = s;
  snprintf(name, len, "%s/trine-load-XXXXXX", s->path);
  f->fd = mkstemp(name);
  int err = errno;
  if (f->fd >= 0) unlink(name);
  free(name);
  if (f->fd < 0) {
    TrineStatus st = io_error(f, err, "cannot make");
    free(f);
    return st;
  }
  *out = f;
  return TRINE_OK;
}

void runs_free(RunFile *f) {
  if (!f) return;
  close(f->fd);
  free(f->runs);
  free(f);
}

uint64_t runs_records(const RunFile *f) { return f->records; }

TrineStatus runs_add(RunFile *f, IndexId layout, const Quad *r, size_t n, size_t *id) {
  if (f->n == f->cap) {
    size_t cap = f->cap ? 2 * f->cap : 16;
    Run *runs = realloc(f->runs, cap * sizeof *runs);
    if (!runs) return store_error(f->store, TRINE_ERR_NOMEM, "out of memory");
    f->runs = runs;
    f->cap = cap;
  }
  const char *p = (const char *)r;
  size_t left = n * sizeof *r;
  uint64_t off = f->end;
  while (left) {
    ssize_t w = pwrite(f->fd, p, left, (off_t)off);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return io_error(f, errno, "cannot write");
    p += w;
    off += (uint64_t)w;
    left -= (size_t)w;
  }
  f->runs[f->n] = (Run){f->end, n, layout};
  *id = f->n++;
  f->end = off;
  f->records += n;
  return TRINE_OK;
}

/* ---- merging ---- */

typedef struct {
  uint64_t off, left; /* the rest of the run in the file */
  IndexId from;
  Quad *buf;
  size_t pos, len;    /* next record of buf, records in it */
} Cursor;

struct RunMerge {
  RunFile *file;
  IndexId to;
  Cursor *cur;   /* one per run */
  Cursor **heap; /* the cursors with records left, a min-heap by next record */
  size_t ncur, live, bufn;
  bool have_last;
  Quad last;     /* the last record handed out (duplicates are dropped) */
};

/* Read the next records of c's run into its buffer (none at its end). */
static TrineStatus refill(RunMerge *m, Cursor *c) {
  size_t want = c->left < m->bufn ? (size_t)c->left : m->bufn;
  char *p = (char *)c->buf;
  size_t left = want * sizeof(Quad);
  uint64_t off = c->off;
  while (left) {
    ssize_t r = pread(m->file->fd, p, left, (off_t)off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return io_error(m->file, r < 0 ? errno : EIO, "cannot read");
    p += r;
    off += (uint64_t)r;
    left -= (size_t)r;
  }
  if (c->from != m->to) relayout(c->buf, want, c->from, m->to);
  c->off = off;
  c->left -= want;
  c->pos = 0;
  c->len = want;
  return TRINE_OK;
}

static bool before(const Cursor *a, const Cursor *b) {
  return lex_cmp(&a->buf[a->pos], &b->buf[b->pos]) < 0;
}

static void sift_down(Cursor **h, size_t k, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, min = i;
    if (l < k && before(h[l], h[min])) min = l;
    if (l + 1 < k && before(h[l + 1], h[min])) min = l + 1;
    if (min == i) return;
    Cursor *t = h[i];
    h[i] = h[min];
    h[min] = t;
    i = min;
  }
}

void runs_merge_free(RunMerge *m) {
  if (!m) return;
  for (size_t i = 0; i < m->ncur; ++i) free(m->cur[i].buf);
  free(m->cur);
  free(m->heap);
  free(m);
}

TrineStatus runs_merge_open(RunFile *f, const size_t *ids, size_t k, IndexId to,
                            RunMerge **out) {
  *out = NULL;
  RunMerge *m = calloc(1, sizeof *m);
  if (!m) return store_error(f->store, TRINE_ERR_NOMEM, "out of memory");
  *m = (RunMerge){.file = f, .to = to, .cur = calloc(k + 1, sizeof *m->cur),
                  .heap = calloc(k + 1, sizeof *m->heap)};
  size_t per = k ? READ_BUDGET / sizeof(Quad) / k : READ_MAX;
  m->bufn = per < READ_MIN ? READ_MIN : per > READ_MAX ? READ_MAX : per;
  TrineStatus st = m->cur && m->heap ? TRINE_OK : store_error(f->store, TRINE_ERR_NOMEM, "out of memory");
  for (size_t i = 0; i < k && !st; ++i, ++m->ncur) {
    const Run *r = &f->runs[ids[i]];
    Cursor *c = &m->cur[i];
    *c = (Cursor){.off = r->off, .left = r->n, .from = r->layout};
    c->buf = malloc(m->bufn * sizeof *c->buf);
    st = c->buf ? refill(m, c) : store_error(f->store, TRINE_ERR_NOMEM, "out of memory");
    if (!st && c->len) m->heap[m->live++] = c;
  }
  if (st) {
    runs_merge_free(m);
    return st;
  }
  for (size_t i = m->live / 2; i-- > 0;) sift_down(m->heap, m->live, i);
  *out = m;
  return TRINE_OK;
}

TrineStatus runs_merge_next(RunMerge *m, Quad *out, size_t max, size_t *n) {
  size_t got = 0;
  while (got < max && m->live) {
    Cursor *c = m->heap[0];
    const Quad *q = &c->buf[c->pos];
    if (!m->have_last || lex_cmp(q, &m->last) != 0) {
      out[got++] = *q;
      m->last = *q;
      m->have_last = true;
    }
    if (++c->pos == c->len) {
      TrineStatus st = refill(m, c);
      if (st) return st;
      if (!c->len) m->heap[0] = m->heap[--m->live];
    }
    sift_down(m->heap, m->live, 0);
  }
  *n = got;
  return TRINE_OK;
}
