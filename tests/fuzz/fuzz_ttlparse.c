/*
 * fuzz_ttlparse.c -- libFuzzer target for the Turtle / TriG reader
 * (engine/rdf/ttlparse.c over serd).
 *
 * The input is read as Turtle and as TriG, with and without a base IRI,
 * each time twice: its bytes handed over whole and in reads of an
 * input-dependent size; both must give the same statements and error. A
 * parse ends with exactly one error, at a line and column, or none.
 * Statements must be sound: subjects no literals, predicates IRIs, IRIs
 * absolute once there is a base, valid UTF-8 everywhere, graphs in TriG
 * only. The canonical N-Quads of an error-free parse must be read by
 * trine's N-Quads parser without an error, statement for statement.
 */
#include "iri.h"
#include "ntparse.h"
#include "term.h"
#include "ttlparse.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *buf;
  size_t len, cap;
  unsigned statements, errors;
  bool trig, base;
} Out;

static void add(Out *o, const char *s, size_t n) {
  if (o->len + n + 1 > o->cap) {
    o->cap = (o->len + n + 1) * 2;
    if (!(o->buf = realloc(o->buf, o->cap))) abort();
  }
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  o->buf[o->len] = '\0';
}

static bool valid_utf8(const char *s, size_t n) {
  unsigned cp;
  for (size_t i = 0, k; i < n; i += k)
    if (!(k = (unsigned char)s[i] < 0x80 ? 1 : utf8_decode(s + i, n - i, &cp))) return false;
  return true;
}

static void check_term(const Out *o, const TrineTerm *t) {
  if (!valid_utf8(t->value, t->value_len)) abort();
  switch (t->kind) {
  case TRINE_TERM_IRI:
    if (o->base && !iri_is_absolute(t->value, t->value_len)) abort();
    break;
  case TRINE_TERM_BLANK:
    if (!t->value_len) abort();
    break;
  case TRINE_TERM_LITERAL:
    if (t->lang && (!t->lang_len || t->datatype)) abort();
    if (t->datatype && !iri_is_absolute(t->datatype, t->datatype_len) && o->base) abort();
    break;
  default:
    abort();
  }
}

static TrineStatus on_statement(void *ctx, const NtStatement *st) {
  Out *o = ctx;
  if (o->errors) abort(); /* nothing after the error */
  if (st->s.kind == TRINE_TERM_LITERAL || st->p.kind != TRINE_TERM_IRI) abort();
  if (st->g.kind != TRINE_TERM_DEFAULT_GRAPH && (!o->trig || st->g.kind == TRINE_TERM_LITERAL))
    abort();
  check_term(o, &st->s);
  check_term(o, &st->p);
  check_term(o, &st->o);
  if (st->g.kind != TRINE_TERM_DEFAULT_GRAPH) check_term(o, &st->g);
  char *line = NULL;
  size_t len = 0, cap = 0;
  if (term_write_quad_buf(&st->s, &st->p, &st->o, &st->g, &line, &len, &cap)) abort();
  add(o, line, len);
  free(line);
  o->statements++;
  return TRINE_OK;
}

static void on_error(void *ctx, const TrineError *e) {
  Out *o = ctx;
  if (o->errors++ || !e->line || !e->col || !e->message || !e->message[0]) abort();
  char b[400];
  int n = snprintf(b, sizeof b, "!%u:%u: %s\n", e->line, e->col, e->message);
  add(o, b, (size_t)n);
}

typedef struct {
  const uint8_t *data;
  size_t size, pos, step;
} Src;

static ssize_t src_read(void *io, char *buf, size_t cap) {
  Src *s = io;
  size_t n = s->size - s->pos;
  if (n > cap) n = cap;
  if (n > s->step) n = s->step;
  memcpy(buf, s->data + s->pos, n);
  s->pos += n;
  return (ssize_t)n;
}

static bool src_rewind(void *io) {
  ((Src *)io)->pos = 0;
  return true;
}

static Out parse(const uint8_t *data, size_t size, bool trig, bool base, size_t step) {
  Out o = {.trig = trig, .base = base};
  Src src = {data, size, 0, step};
  TtlInput in = {.source = "fuzz", .base_iri = base ? "http://fuzz.example/a/b?q#f" : NULL,
                 .trig = trig, .read = src_read, .rewind = src_rewind, .io = &src,
                 .fn = on_statement, .ctx = &o, .sink = on_error, .sink_ctx = &o};
  TrineStatus st = ttl_parse(&in);
  if (st != TRINE_OK && st != TRINE_ERR_SYNTAX) abort();
  if ((st == TRINE_OK) != (o.errors == 0)) abort();
  add(&o, "", 0);
  return o;
}

static TrineStatus count(void *ctx, const NtStatement *st) {
  (void)st;
  ++*(unsigned *)ctx;
  return TRINE_OK;
}

/* The canonical N-Quads of the statements read back by ntparse.c. */
static void round_trip(const Out *o) {
  if (o->errors || !o->statements) return;
  unsigned n = 0;
  NtParser *p = nt_parser_new("canonical", true, count, &n, NULL, NULL, 1);
  if (!p || nt_parser_feed(p, o->buf, o->len) || nt_parser_finish(p) || n != o->statements)
    abort();
  nt_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  unsigned h = 2166136261u; /* FNV-1a picks the odd read size */
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 16777619u;
  for (int k = 0; k < 4; ++k) {
    bool trig = k & 1, base = k & 2;
    Out whole = parse(data, size, trig, base, size ? size : 1);
    Out odd = parse(data, size, trig, base, 1 + h % 97);
    if (whole.len != odd.len || memcmp(whole.buf, odd.buf, whole.len)) {
      fprintf(stderr, "reads differ:\n%s\n---\n%s\n", whole.buf, odd.buf);
      abort();
    }
    round_trip(&whole);
    free(whole.buf);
    free(odd.buf);
  }
  return 0;
}
