/*
 * stream.c -- the buffer between a job's FILE and a connection.
 */
#include "stream.h"

#include "server.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { STREAM_CAP = 64 * 1024, CHUNK = 32 * 1024 };

struct Stream {
  pthread_mutex_t mu;
  pthread_cond_t space;  /* the reader took bytes, or the request closed */
  int refs;
  struct MHD_Connection *conn;
  bool suspended;  /* conn is suspended waiting for us */
  bool ready;      /* the reply can be queued */
  bool streaming;  /* it is being sent as it is written */
  bool done, failed, closed;
  bool aborted;    /* writes fail: the server stops */
  unsigned status;
  const char *ctype;
  char *location;  /* a Location header, or NULL */
  char *buf;       /* bytes written, not yet sent */
  size_t len;
  uint64_t rows;
  unsigned long long deadline_ms;
  void (*on_end)(void *ctx);
  void *on_end_ctx;
};

/* Run the end hook once (not under mu: it takes locks of its own). */
static void ending(Stream *s) {
  void (*fn)(void *) = s->on_end;
  s->on_end = NULL;
  if (fn) fn(s->on_end_ctx);
}

void stream_on_end(Stream *s, void (*fn)(void *ctx), void *ctx) {
  s->on_end = fn;
  s->on_end_ctx = ctx;
}

Stream *stream_new(struct MHD_Connection *conn, unsigned long long deadline_ms) {
  Stream *s = calloc(1, sizeof *s);
  if (!s || !(s->buf = malloc(STREAM_CAP))) {
    free(s);
    return NULL;
  }
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->space, NULL);
  s->refs = 1;
  s->conn = conn;
  s->status = 200;
  s->ctype = "text/plain; charset=utf-8";
  s->deadline_ms = deadline_ms;
  return s;
}

void stream_ref(Stream *s) {
  pthread_mutex_lock(&s->mu);
  s->refs++;
  pthread_mutex_unlock(&s->mu);
}

void stream_unref(Stream *s) {
  if (!s) return;
  pthread_mutex_lock(&s->mu);
  bool last = --s->refs == 0;
  pthread_mutex_unlock(&s->mu);
  if (!last) return;
  pthread_cond_destroy(&s->space);
  pthread_mutex_destroy(&s->mu);
  free(s->buf);
  free(s->location);
  free(s);
}

/* Resume the connection if it waits for us (called with mu held). */
static void wake(Stream *s) {
  if (s->suspended && !s->closed) {
    s->suspended = false;
    MHD_resume_connection(s->conn);
  }
}

/* Wait for the reader to take bytes; false past the deadline. */
static bool wait_space(Stream *s) {
  unsigned long long now = serve_now_ms();
  if (now >= s->deadline_ms) return false;
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  unsigned long long ms = s->deadline_ms - now;
  ts.tv_sec += (time_t)(ms / 1000);
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
  return pthread_cond_timedwait(&s->space, &s->mu, &ts) != ETIMEDOUT || s->len < STREAM_CAP;
}

static ssize_t cookie_write(void *cookie, const char *data, size_t n) {
  Stream *s = cookie;
  size_t done = 0;
  pthread_mutex_lock(&s->mu);
  while (done < n && !s->closed && !s->aborted) {
    size_t room = STREAM_CAP - s->len;
    if (room == 0) {
      if (!s->ready) { /* full before the end: start sending */
        s->ready = s->streaming = true;
        wake(s);
      } else if (!wait_space(s)) {
        break;
      }
      continue;
    }
    size_t k = n - done < room ? n - done : room;
    memcpy(s->buf + s->len, data + done, k);
    s->len += k;
    done += k;
    if (s->streaming) wake(s);
  }
  pthread_mutex_unlock(&s->mu);
  if (done < n) errno = EPIPE;
  return done < n ? -1 : (ssize_t)n;
}

FILE *stream_file(Stream *s) {
  cookie_io_functions_t io = {.write = cookie_write};
  FILE *f = fopencookie(s, "w", io);
  if (f) setvbuf(f, NULL, _IOFBF, 16 * 1024);
  return f;
}

void stream_head(Stream *s, unsigned status, const char *content_type) {
  pthread_mutex_lock(&s->mu);
  s->status = status;
  s->ctype = content_type;
  pthread_mutex_unlock(&s->mu);
}

bool stream_location(Stream *s, const char *iri) {
  char *copy = strdup(iri);
  pthread_mutex_lock(&s->mu);
  free(s->location);
  s->location = copy;
  pthread_mutex_unlock(&s->mu);
  return copy != NULL;
}

void stream_finish(Stream *s, uint64_t rows) {
  ending(s);
  pthread_mutex_lock(&s->mu);
  s->rows = rows;
  s->done = s->ready = true;
  wake(s);
  pthread_mutex_unlock(&s->mu);
}

void stream_rows(Stream *s, uint64_t rows) {
  pthread_mutex_lock(&s->mu);
  s->rows = rows;
  pthread_mutex_unlock(&s->mu);
}

void stream_fail(Stream *s, unsigned status, const char *message) {
  ending(s);
  pthread_mutex_lock(&s->mu);
  if (!s->streaming) { /* nothing sent: the error is the whole reply */
    size_t n = strlen(message);
    if (n > STREAM_CAP - 1) n = STREAM_CAP - 1;
    memcpy(s->buf, message, n);
    s->buf[n] = '\n';
    s->len = n + 1;
    s->status = status;
    s->ctype = "text/plain; charset=utf-8";
  }
  s->failed = s->done = s->ready = true;
  wake(s);
  pthread_mutex_unlock(&s->mu);
}

bool stream_closed(Stream *s) {
  pthread_mutex_lock(&s->mu);
  bool closed = s->closed;
  pthread_mutex_unlock(&s->mu);
  return closed;
}

void stream_abort(Stream *s) {
  pthread_mutex_lock(&s->mu);
  s->aborted = true;
  pthread_cond_broadcast(&s->space);
  pthread_mutex_unlock(&s->mu);
}

bool stream_park(Stream *s) {
  pthread_mutex_lock(&s->mu);
  bool wait = !s->ready;
  if (wait) {
    s->suspended = true;
    MHD_suspend_connection(s->conn);
  }
  pthread_mutex_unlock(&s->mu);
  return wait;
}

/* libmicrohttpd asks for the next bytes of a streaming reply. */
static ssize_t read_cb(void *cls, uint64_t pos, char *out, size_t max) {
  (void)pos;
  Stream *s = cls;
  ssize_t r = 0;
  pthread_mutex_lock(&s->mu);
  if (s->len) {
    size_t k = s->len < max ? s->len : max;
    memcpy(out, s->buf, k);
    memmove(s->buf, s->buf + k, s->len - k);
    s->len -= k;
    r = (ssize_t)k;
    pthread_cond_broadcast(&s->space);
  } else if (s->done) {
    r = s->failed ? MHD_CONTENT_READER_END_WITH_ERROR : MHD_CONTENT_READER_END_OF_STREAM;
  } else { /* nothing yet: sleep until the writer wakes us */
    s->suspended = true;
    MHD_suspend_connection(s->conn);
  }
  pthread_mutex_unlock(&s->mu);
  return r;
}

static void free_cb(void *cls) { stream_unref(cls); }

struct MHD_Response *stream_response(Stream *s, unsigned *status) {
  struct MHD_Response *r;
  pthread_mutex_lock(&s->mu);
  if (s->streaming) {
    r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, CHUNK, read_cb, s, free_cb);
    if (r) s->refs++;
  } else {
    r = MHD_create_response_from_buffer(s->len, s->buf, MHD_RESPMEM_MUST_COPY);
  }
  if (r && s->ctype) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, s->ctype);
  if (r && s->location && !s->failed) MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, s->location);
  *status = s->status;
  pthread_mutex_unlock(&s->mu);
  return r;
}

void stream_close(Stream *s) {
  pthread_mutex_lock(&s->mu);
  s->closed = true;
  pthread_cond_broadcast(&s->space);
  pthread_mutex_unlock(&s->mu);
}

void stream_outcome(Stream *s, uint64_t *rows, bool *broken) {
  pthread_mutex_lock(&s->mu);
  *rows = s->rows;
  *broken = s->streaming && s->failed;
  pthread_mutex_unlock(&s->mu);
}
