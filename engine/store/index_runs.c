/*
 * index_runs.c -- a load's sorted runs in a temporary file, read back merged
 * (index_runs.h). A record is kept as its difference from the one before:
 * a byte k (the first component that differs), the varint of that
 * component's increase, and the components after k as varints with the
 * id's kind moved to the low bits. A record takes about 5 bytes instead
 * of 32 (5.1 at LUBM(50)), and the file's copies through the page cache
 * shrink with it.
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
#define REC_MAX (1 + 4 * 10)            /* bytes of one record at most */
#define WRITE_BYTES ((size_t)1 << 20)   /* bytes encoded per write */

typedef struct {
  uint64_t off, n; /* where in the file, records */
  IndexId layout;
  uint64_t end;    /* where it ends */
} Run;

struct RunFile {
  TrineStore *store;
  int fd;
  uint64_t end, records;
  Run *runs;
  size_t n, cap;
  TrineStatus failed; /* the first failure, and what it was (runs_report()) */
  char why[512];
};

/* Failures are kept, not recorded on the store: runs_add() may run on a
 * thread of its own, and a store's message belongs to its caller's. */
static TrineStatus keep_failure(RunFile *f, TrineStatus st, const char *why) {
  if (!f->failed) {
    f->failed = st;
    snprintf(f->why, sizeof f->why, "%s", why);
  }
  return st;
}

static TrineStatus io_error(RunFile *f, int err, const char *what) {
  char why[512];
  snprintf(why, sizeof why, "%s the load's temporary file in %s: %s", what, f->store->path,
           strerror(err));
  return keep_failure(f, err == ENOSPC ? TRINE_ERR_FULL : TRINE_ERR_IO, why);
}

static TrineStatus no_memory(RunFile *f) { return keep_failure(f, TRINE_ERR_NOMEM, "out of memory"); }

TrineStatus runs_report(RunFile *f) {
  return f->failed ? store_error(f->store, f->failed, "%s", f->why) : TRINE_OK;
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
    io_error(f, err, "cannot make");
    TrineStatus st = runs_report(f);
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

/* ---- coding ---- */

static unsigned char *put_varint(unsigned char *p, uint64_t v) {
  for (; v >= 0x80; v >>= 7) *p++ = (unsigned char)(v | 0x80);
  *p++ = (unsigned char)v;
  return p;
}

static const unsigned char *get_varint(const unsigned char *p, uint64_t *v) {
  uint64_t x = 0;
  for (int shift = 0;; shift += 7) {
    unsigned char b = *p++;
    x |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80) || shift >= 63) break;
  }
  *v = x;
  return p;
}

/* An id's kind (its top 4 bits) moved to the bottom: sequence numbers are
 * small, so the varint is short. */
static uint64_t rot(uint64_t id) { return id << 4 | id >> 60; }
static uint64_t unrot(uint64_t x) { return x >> 4 | x << 60; }

static unsigned char *encode(unsigned char *p, const Quad *r, const Quad *prev) {
  int k = 0;
  while (k < 3 && r->v[k] == prev->v[k]) ++k;
  *p++ = (unsigned char)k;
  p = put_varint(p, r->v[k] - prev->v[k]);
  for (int i = k + 1; i < 4; ++i) p = put_varint(p, rot(r->v[i]));
  return p;
}

static const unsigned char *decode(const unsigned char *p, Quad *r) {
  int k = *p++ & 3;
  uint64_t d;
  p = get_varint(p, &d);
  r->v[k] += d;
  for (int i = k + 1; i < 4; ++i) {
    p = get_varint(p, &d);
    r->v[i] = unrot(d);
  }
  return p;
}

static TrineStatus write_at(RunFile *f, const unsigned char *p, size_t len) {
  while (len) {
    ssize_t w = pwrite(f->fd, p, len, (off_t)f->end);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return io_error(f, errno, "cannot write");
    p += w;
    f->end += (uint64_t)w;
    len -= (size_t)w;
  }
  return TRINE_OK;
}

TrineStatus runs_add(RunFile *f, IndexId layout, const Quad *r, size_t n, size_t *id) {
  if (f->n == f->cap) {
    size_t cap = f->cap ? 2 * f->cap : 16;
    Run *runs = realloc(f->runs, cap * sizeof *runs);
    if (!runs) return no_memory(f);
    f->runs = runs;
    f->cap = cap;
  }
  unsigned char *buf = malloc(WRITE_BYTES);
  if (!buf) return no_memory(f);
  uint64_t start = f->end;
  Quad prev = {{0, 0, 0, 0}};
  unsigned char *p = buf;
  TrineStatus st = TRINE_OK;
  for (size_t i = 0; i < n && !st; ++i) {
    p = encode(p, &r[i], &prev);
    prev = r[i];
    if ((size_t)(p - buf) > WRITE_BYTES - REC_MAX) {
      st = write_at(f, buf, (size_t)(p - buf));
      p = buf;
    }
  }
  if (!st) st = write_at(f, buf, (size_t)(p - buf));
  free(buf);
  if (st) return st;
  f->runs[f->n] = (Run){start, n, layout, f->end};
  *id = f->n++;
  f->records += n;
  return TRINE_OK;
}

/* ---- merging ---- */

typedef struct {
  uint64_t off, end;  /* the run's bytes not read yet */
  uint64_t left;      /* its records not decoded yet */
  IndexId from;
  unsigned char *in;  /* bytes read, not decoded yet: [in_pos, in_len) */
  size_t in_pos, in_len;
  Quad prev;          /* the last record decoded (in the run's layout) */
  Quad *buf;
  size_t pos, len;    /* next record of buf, records in it */
} Cursor;

struct RunMerge {
  RunFile *file;
  IndexId to;
  Cursor *cur;   /* one per run */
  Cursor **heap; /* the cursors with records left, a min-heap by next record */
  size_t ncur, live, bufn, inbytes;
  bool have_last;
  Quad last;     /* the last record handed out (duplicates are dropped) */
};

/* Read more of c's bytes after those not decoded yet. */
static TrineStatus read_in(RunMerge *m, Cursor *c) {
  size_t keep = c->in_len - c->in_pos;
  memmove(c->in, c->in + c->in_pos, keep);
  c->in_pos = 0;
  c->in_len = keep;
  size_t room = m->inbytes - keep;
  size_t want = c->end - c->off < room ? (size_t)(c->end - c->off) : room;
  while (want) {
    ssize_t r = pread(m->file->fd, c->in + c->in_len, want, (off_t)c->off);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return io_error(m->file, r < 0 ? errno : EIO, "cannot read");
    c->in_len += (size_t)r;
    c->off += (uint64_t)r;
    want -= (size_t)r;
  }
  return TRINE_OK;
}

/* Decode the next records of c's run into its buffer (none at its end). */
static TrineStatus refill(RunMerge *m, Cursor *c) {
  size_t want = c->left < m->bufn ? (size_t)c->left : m->bufn;
  for (size_t i = 0; i < want; ++i) {
    if (c->in_len - c->in_pos < REC_MAX && c->off < c->end) {
      TrineStatus st = read_in(m, c);
      if (st) return st;
    }
    if (c->in_pos >= c->in_len) return io_error(m->file, EIO, "cannot read");
    c->in_pos = (size_t)(decode(c->in + c->in_pos, &c->prev) - c->in);
    c->buf[i] = c->prev;
  }
  if (c->from != m->to) relayout(c->buf, want, c->from, m->to);
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
  for (size_t i = 0; i < m->ncur; ++i) {
    free(m->cur[i].buf);
    free(m->cur[i].in);
  }
  free(m->cur);
  free(m->heap);
  free(m);
}

TrineStatus runs_merge_open(RunFile *f, const size_t *ids, size_t k, IndexId to,
                            RunMerge **out) {
  *out = NULL;
  RunMerge *m = calloc(1, sizeof *m);
  if (!m) return no_memory(f);
  *m = (RunMerge){.file = f, .to = to, .cur = calloc(k + 1, sizeof *m->cur),
                  .heap = calloc(k + 1, sizeof *m->heap)};
  size_t per = k ? READ_BUDGET / (sizeof(Quad) + 8) / k : READ_MAX;
  m->bufn = per < READ_MIN ? READ_MIN : per > READ_MAX ? READ_MAX : per;
  m->inbytes = m->bufn * 8 + REC_MAX; /* about 5 bytes a record, rarely 8 */
  TrineStatus st = m->cur && m->heap ? TRINE_OK : no_memory(f);
  for (size_t i = 0; i < k && !st; ++i, ++m->ncur) {
    const Run *r = &f->runs[ids[i]];
    Cursor *c = &m->cur[i];
    *c = (Cursor){.off = r->off, .end = r->end, .left = r->n, .from = r->layout};
    c->buf = malloc(m->bufn * sizeof *c->buf);
    c->in = malloc(m->inbytes);
    st = c->buf && c->in ? refill(m, c) : no_memory(f);
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
