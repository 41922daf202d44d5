/*
 * input.c -- the bytes a load reads (input.h).
 */
#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#define CHUNK ((unsigned)1 << 20)
#define RAW ((size_t)256 << 10)

struct Input {
  gzFile gz;                 /* a file */
  bool buffer;               /* a buffer (data may be NULL when len is 0) */
  const unsigned char *data;
  size_t len, pos;
  TrineReadFn fn;            /* a callback */
  void *ctx;
  uint64_t total, taken;     /* source size (0: unknown), bytes taken from it */
  /* gzip over a buffer or callback */
  int gzip;                  /* -1: not known yet, 0: plain, 1: inflating */
  z_stream z;
  unsigned char *raw;        /* a callback's bytes not yet used */
  size_t raw_len, raw_pos;
  bool raw_end;
  char error[256];
};

Input *input_file(const char *path) {
  struct stat sb;
  if (stat(path, &sb) != 0) return NULL;
  Input *in = calloc(1, sizeof *in);
  if (!in) return NULL;
  if (!(in->gz = gzopen(path, "rb"))) {
    int e = errno ? errno : ENOMEM;
    free(in);
    errno = e;
    return NULL;
  }
  gzbuffer(in->gz, 256 << 10);
  in->total = (uint64_t)sb.st_size;
  return in;
}

Input *input_buffer(const void *data, size_t len) {
  Input *in = calloc(1, sizeof *in);
  if (!in) return NULL;
  in->buffer = true;
  in->data = data;
  in->len = len;
  in->total = len;
  in->gzip = -1;
  return in;
}

Input *input_callback(TrineReadFn fn, void *ctx, uint64_t total) {
  Input *in = calloc(1, sizeof *in);
  if (!in || !(in->raw = malloc(RAW))) {
    free(in);
    return NULL;
  }
  in->fn = fn;
  in->ctx = ctx;
  in->total = total;
  in->gzip = -1;
  return in;
}

static ssize_t fail(Input *in, const char *what) {
  snprintf(in->error, sizeof in->error, "%s", what);
  return -1;
}

static ssize_t read_gz(Input *in, char *buf, size_t cap) {
  int n = gzread(in->gz, buf, (unsigned)(cap < CHUNK ? cap : CHUNK)), zerr;
  if (n < 0) {
    const char *msg = gzerror(in->gz, &zerr);
    snprintf(in->error, sizeof in->error, "read error: %s",
             zerr == Z_ERRNO ? strerror(errno) : msg);
    return -1;
  }
  if (n == 0 && (gzerror(in->gz, &zerr), zerr == Z_BUF_ERROR)) /* a truncated .gz file */
    return fail(in, "compressed file is truncated");
  in->taken = (uint64_t)gzoffset(in->gz);
  return n;
}

/* The source's next bytes, not yet inflated: a view of the buffer, or of
 * raw refilled from the callback. 0 bytes at the end, -1 on an error. */
static ssize_t source_view(Input *in, const unsigned char **p) {
  if (in->buffer) {
    *p = in->pos < in->len ? in->data + in->pos : NULL;
    return (ssize_t)(in->len - in->pos);
  }
  if (in->raw_pos == in->raw_len && !in->raw_end) {
    ptrdiff_t n = in->fn(in->ctx, in->raw, RAW);
    if (n < 0) return fail(in, errno ? strerror(errno) : "the read callback failed");
    if ((size_t)n > RAW) return fail(in, "the read callback returned more than asked");
    in->raw_len = (size_t)n;
    in->raw_pos = 0;
    in->raw_end = n == 0;
  }
  *p = in->raw + in->raw_pos;
  return (ssize_t)(in->raw_len - in->raw_pos);
}

static void source_used(Input *in, size_t n) {
  if (in->buffer) in->pos += n;
  else in->raw_pos += n;
  in->taken += n;
}

/* Plain or gzip: decided by the first two bytes (gzip's 1f 8b). */
static ssize_t sniff(Input *in) {
  const unsigned char *p;
  ssize_t n = source_view(in, &p);
  if (n < 0) return -1;
  if (n == 1 && in->fn && !in->raw_end) { /* one byte: get a second to decide */
    in->raw[0] = p[0];
    ptrdiff_t m = in->fn(in->ctx, in->raw + 1, RAW - 1);
    if (m < 0) return fail(in, errno ? strerror(errno) : "the read callback failed");
    in->raw_pos = 0;
    in->raw_len = 1 + (size_t)m;
    in->raw_end = m == 0;
    n = (ssize_t)in->raw_len;
    p = in->raw;
  }
  in->gzip = n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
  if (in->gzip && inflateInit2(&in->z, 15 + 16) != Z_OK) return fail(in, "out of memory");
  return 0;
}

static ssize_t read_plain(Input *in, char *buf, size_t cap) {
  const unsigned char *p;
  ssize_t n = source_view(in, &p);
  if (n <= 0) return n;
  size_t k = (size_t)n < cap ? (size_t)n : cap;
  memcpy(buf, p, k);
  source_used(in, k);
  return (ssize_t)k;
}

/* Inflate into buf; members follow one another as in gzip files. */
static ssize_t read_inflate(Input *in, char *buf, size_t cap) {
  in->z.next_out = (unsigned char *)buf;
  in->z.avail_out = (unsigned)(cap < CHUNK ? cap : CHUNK);
  while (in->z.avail_out == (unsigned)(cap < CHUNK ? cap : CHUNK)) {
    const unsigned char *p;
    ssize_t n = source_view(in, &p);
    if (n < 0) return -1;
    if (n == 0) {
      if (in->z.total_in == 0) break; /* the end, between members */
      return fail(in, "compressed input is truncated");
    }
    in->z.next_in = (unsigned char *)p;
    in->z.avail_in = (unsigned)((size_t)n < CHUNK ? (size_t)n : CHUNK);
    unsigned before = in->z.avail_in;
    int rc = inflate(&in->z, Z_NO_FLUSH);
    source_used(in, before - in->z.avail_in);
    if (rc == Z_STREAM_END) inflateReset(&in->z); /* total_in 0: between members */
    else if (rc != Z_OK && rc != Z_BUF_ERROR) return fail(in, "compressed input is corrupt");
  }
  return (ssize_t)((cap < CHUNK ? cap : CHUNK) - in->z.avail_out);
}

ssize_t input_read(Input *in, char *buf, size_t cap) {
  if (in->gz) return read_gz(in, buf, cap);
  if (in->gzip < 0 && sniff(in) < 0) return -1;
  return in->gzip ? read_inflate(in, buf, cap) : read_plain(in, buf, cap);
}

bool input_rewind(Input *in) {
  if (in->fn) return false;
  in->taken = 0;
  if (in->gz) return gzrewind(in->gz) == 0;
  in->pos = 0;
  if (in->gzip == 1) inflateReset(&in->z);
  return true;
}

uint64_t input_position(const Input *in) { return in->taken; }

uint64_t input_total(const Input *in) { return in->total; }

const char *input_error(const Input *in) { return in->error; }

void input_free(Input *in) {
  if (!in) return;
  if (in->gz) gzclose(in->gz);
  if (in->gzip == 1) inflateEnd(&in->z);
  free(in->raw);
  free(in);
}
