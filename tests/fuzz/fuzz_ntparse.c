/*
 * fuzz_ntparse.c -- libFuzzer target for the N-Triples / N-Quads parser.
 *
 * The input is parsed as N-Triples and as N-Quads, each in one chunk, in
 * 1-byte chunks (small inputs), in chunks of an input-dependent size and in
 * two halves; every split must give the same statements and errors. The
 * canonical output of an error-free parse must parse back to itself. Any
 * difference aborts. Statement invariants are checked in the callback.
 */
#include "ntparse.h"
#include "term.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *buf;
  size_t len, cap;
  unsigned errors;
} Text;

static void add(Text *t, const char *s, size_t n) {
  if (t->len + n > t->cap) {
    t->cap = (t->len + n) * 2;
    t->buf = realloc(t->buf, t->cap);
    if (!t->buf)
      abort();
  }
  memcpy(t->buf + t->len, s, n);
  t->len += n;
}

static bool valid_utf8(const char *str, size_t n) {
  const uint8_t *s = (const uint8_t *)str, *end = s + n;
  while (s < end) {
    uint8_t c = *s;
    size_t len = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3
                                              : c < 0xF5 ? 4 : 0;
    if (!len || (size_t)(end - s) < len)
      return false;
    unsigned v = len == 1 ? c : c & (0x7F >> len);
    for (size_t i = 1; i < len; ++i) {
      if ((s[i] & 0xC0) != 0x80)
        return false;
      v = (v << 6) | (s[i] & 0x3F);
    }
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
        (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
      return false;
    s += len;
  }
  return true;
}

static void check_term(const TrineTerm *t, bool graph) {
  switch (t->kind) {
  case TRINE_TERM_DEFAULT_GRAPH:
    if (!graph)
      abort();
    return;
  case TRINE_TERM_IRI:
  case TRINE_TERM_BLANK:
    if (!t->value_len || t->datatype || t->lang)
      abort();
    break;
  case TRINE_TERM_LITERAL:
    if (t->lang && (!t->lang_len || t->datatype))
      abort();
    for (size_t i = 0; t->lang && i < t->lang_len; ++i)
      if (t->lang[i] >= 'A' && t->lang[i] <= 'Z')
        abort();
    if (t->datatype && (!t->datatype_len ||
                        term_is_xsd_string(t->datatype, t->datatype_len)))
      abort();
    if (t->datatype && !valid_utf8(t->datatype, t->datatype_len))
      abort();
    break;
  default:
    abort();
  }
  if (!valid_utf8(t->value, t->value_len))
    abort();
}

static TrineStatus on_statement(void *ctx, const NtStatement *st) {
  Text *t = ctx;
  char *line = NULL;
  size_t len = 0, cap = 0;
  if (t->errors) // nothing is delivered after an error
    abort();
  if (st->s.kind == TRINE_TERM_LITERAL || st->p.kind != TRINE_TERM_IRI ||
      st->g.kind == TRINE_TERM_LITERAL)
    abort();
  check_term(&st->s, false);
  check_term(&st->p, false);
  check_term(&st->o, false);
  check_term(&st->g, true);
  char head[16];
  int n = snprintf(head, sizeof head, "%u ", st->line);
  add(t, head, (size_t)n);
  if (term_write_quad_buf(&st->s, &st->p, &st->o, &st->g, &line, &len, &cap))
    abort();
  add(t, line, len);
  free(line);
  return TRINE_OK;
}

static void on_error(void *ctx, const TrineError *e) {
  Text *t = ctx;
  char b[256];
  ++t->errors;
  if (!e->line || !e->col || !e->message || !e->message[0])
    abort();
  int n = snprintf(b, sizeof b, "!%u:%u: %s\n", e->line, e->col, e->message);
  add(t, b, (size_t)n);
}

/* Parse data in chunks of `chunk` bytes, or in two parts at `cut`. */
static Text parse(const uint8_t *data, size_t size, bool nquads, size_t chunk,
                  size_t cut) {
  Text t = {NULL, 0, 0, 0};
  NtParser *p = nt_parser_new("fuzz", nquads, on_statement, &t, on_error, &t,
                              3);
  if (!p)
    abort();
  TrineStatus st = TRINE_OK;
  const char *d = (const char *)data;
  if (chunk) {
    for (size_t off = 0; off < size && st == TRINE_OK; off += chunk)
      st = nt_parser_feed(p, d + off, size - off < chunk ? size - off : chunk);
  } else {
    st = nt_parser_feed(p, d, cut);
    if (st == TRINE_OK)
      st = nt_parser_feed(p, d + cut, size - cut);
  }
  if (st == TRINE_OK)
    st = nt_parser_finish(p);
  if ((st == TRINE_OK) != (t.errors == 0) || nt_parser_errors(p) != t.errors)
    abort();
  nt_parser_free(p);
  add(&t, "", 1);
  return t;
}

static void same(Text *a, Text *b) {
  if (a->len != b->len || memcmp(a->buf, b->buf, a->len)) {
    fprintf(stderr, "parses differ:\n%s\n---\n%s\n", a->buf, b->buf);
    abort();
  }
  free(b->buf);
}

/* Canonical lines (without the "LINE " prefixes) parse back to themselves. */
static void round_trip(const Text *t, bool nquads) {
  Text canon = {NULL, 0, 0, 0};
  for (const char *s = t->buf; *s;) {
    const char *nl = strchr(s, '\n');
    const char *sp = strchr(s, ' ');
    add(&canon, sp + 1, (size_t)(nl + 1 - (sp + 1)));
    s = nl + 1;
  }
  if (!canon.len)
    return; // no statements
  Text again = parse((const uint8_t *)canon.buf, canon.len, nquads, canon.len,
                     0);
  if (again.errors)
    abort();
  // Line k of the canonical text holds statement k.
  Text want = {NULL, 0, 0, 0};
  unsigned k = 0;
  for (const char *s = canon.buf; s < canon.buf + canon.len;) {
    const char *nl = memchr(s, '\n', (size_t)(canon.buf + canon.len - s));
    char head[16];
    int n = snprintf(head, sizeof head, "%u ", ++k);
    add(&want, head, (size_t)n);
    add(&want, s, (size_t)(nl + 1 - s));
    s = nl + 1;
  }
  add(&want, "", 1);
  same(&want, &again);
  free(want.buf);
  free(canon.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  unsigned h = 2166136261u; // FNV-1a picks the odd chunk size and the cut
  for (size_t i = 0; i < size; ++i)
    h = (h ^ data[i]) * 16777619u;
  for (int nq = 0; nq < 2; ++nq) {
    Text whole = parse(data, size, nq, size ? size : 1, 0);
    if (size <= 4096) {
      Text bytes = parse(data, size, nq, 1, 0);
      same(&whole, &bytes);
    }
    Text odd = parse(data, size, nq, 2 + h % 61, 0);
    same(&whole, &odd);
    Text halves = parse(data, size, nq, 0, size ? (h >> 8) % size : 0);
    same(&whole, &halves);
    if (!whole.errors)
      round_trip(&whole, nq);
    free(whole.buf);
  }
  return 0;
}
