/* term.c -- term constructors and canonical N-Triples writing. */
#include "term.h"
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

TrineTerm trine_iri(const char *iri) {
  TrineTerm t = {TRINE_TERM_IRI, iri, iri ? strlen(iri) : 0,
                 NULL, 0, NULL, 0};
  return t;
}

TrineTerm trine_blank(const char *label) {
  TrineTerm t = {TRINE_TERM_BLANK, label, label ? strlen(label) : 0,
                 NULL, 0, NULL, 0};
  return t;
}

TrineTerm trine_literal(const char *lexical, const char *datatype,
                        const char *lang) {
  TrineTerm t = {TRINE_TERM_LITERAL, lexical, lexical ? strlen(lexical) : 0,
                 datatype, datatype ? strlen(datatype) : 0,
                 lang, lang ? strlen(lang) : 0};
  return t;
}

TrineTerm trine_default_graph(void) {
  TrineTerm t = {TRINE_TERM_DEFAULT_GRAPH, NULL, 0, NULL, 0, NULL, 0};
  return t;
}

/* Output buffer ------------------------------------------------------------ */

typedef struct {
  char *buf;
  size_t len, cap;
} Out;

static int reserve(Out *o, size_t n) {
  if (n <= o->cap - o->len)
    return 0;
  if (n > SIZE_MAX / 2 - o->len)
    return -1;
  size_t cap = o->cap ? o->cap : 64;
  while (cap - o->len < n)
    cap *= 2;
  char *b = realloc(o->buf, cap);
  if (!b)
    return -1;
  o->buf = b;
  o->cap = cap;
  return 0;
}

static int put(Out *o, const void *s, size_t n) {
  if (reserve(o, n))
    return -1;
  memcpy(o->buf + o->len, s, n);
  o->len += n;
  return 0;
}

static int put_uchar(Out *o, unsigned cp) {
  static const char hex[] = "0123456789ABCDEF";
  char e[6] = {'\\', 'u', hex[(cp >> 12) & 15], hex[(cp >> 8) & 15],
               hex[(cp >> 4) & 15], hex[cp & 15]};
  return put(o, e, sizeof e);
}

/* Characters written as themselves in IRIs (1) and literals (2): printable
 * ASCII less what each production forbids. Everything >= 0x80 is decoded. */
static uint8_t plain_class(uint8_t c) {
  if (c < 0x20 || c > 0x7F)
    return 0;
  if (c == 0x7F)
    return 1; // IRIREF allows DEL; canonical literals escape it
  switch (c) {
  case '"': case '\\': return 0;
  case ' ': return 2;
  case '<': case '>': case '{': case '}': case '|': case '^': case '`':
    return 2;
  default: return 3;
  }
}

static int put_escaped_ascii(Out *o, uint8_t c, bool literal) {
  if (literal) {
    char e = 0;
    switch (c) {
    case '\b': e = 'b'; break;
    case '\t': e = 't'; break;
    case '\n': e = 'n'; break;
    case '\f': e = 'f'; break;
    case '\r': e = 'r'; break;
    case '"': e = '"'; break;
    case '\\': e = '\\'; break;
    default: break;
    }
    if (e) {
      char s[2] = {'\\', e};
      return put(o, s, 2);
    }
  }
  return put_uchar(o, c);
}

/* Write s[0..n) escaped for an IRI (literal false) or a string literal. */
static int put_text(Out *o, const char *str, size_t n, bool literal) {
  static const char fffd[] = "\xEF\xBF\xBD";
  const uint8_t *s = (const uint8_t *)str, *end = s + n;
  const uint8_t mask = literal ? 2 : 1;
  while (s < end) {
    const uint8_t *r = s;
    while (r < end && (plain_class(*r) & mask))
      ++r;
    if (r > s && put(o, s, (size_t)(r - s)))
      return -1;
    if (r == end)
      break;
    if (*r < 0x80) {
      if (put_escaped_ascii(o, *r, literal))
        return -1;
      s = r + 1;
      continue;
    }
    unsigned cp;
    size_t len = utf8_decode((const char *)r, (size_t)(end - r), &cp);
    int rc;
    if (!len)
      rc = put(o, fffd, 3), len = 1;
    else if (literal && (cp == 0xFFFE || cp == 0xFFFF))
      rc = put_uchar(o, cp); // not XML 1.1 Chars: canonical form escapes
    else
      rc = put(o, r, len);
    if (rc)
      return -1;
    s = r + len;
  }
  return 0;
}

static int put_iri(Out *o, const char *s, size_t n) {
  return put(o, "<", 1) || put_text(o, s, n, false) || put(o, ">", 1) ? -1
                                                                       : 0;
}

static int put_lang(Out *o, const char *s, size_t n) {
  if (reserve(o, n + 1))
    return -1;
  o->buf[o->len++] = '@';
  for (size_t i = 0; i < n; ++i) {
    char c = s[i];
    o->buf[o->len++] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
  }
  return 0;
}

static int put_term(Out *o, const TrineTerm *t) {
  switch (t->kind) {
  case TRINE_TERM_IRI:
    return put_iri(o, t->value, t->value_len);
  case TRINE_TERM_BLANK:
    return put(o, "_:", 2) || put(o, t->value, t->value_len) ? -1 : 0;
  case TRINE_TERM_LITERAL:
    if (put(o, "\"", 1) || put_text(o, t->value, t->value_len, true) ||
        put(o, "\"", 1))
      return -1;
    if (t->lang && t->lang_len)
      return put_lang(o, t->lang, t->lang_len);
    if (t->datatype && t->datatype_len &&
        !term_is_xsd_string(t->datatype, t->datatype_len))
      return put(o, "^^", 2) || put_iri(o, t->datatype, t->datatype_len) ? -1
                                                                         : 0;
    return 0;
  default:
    return 0;
  }
}

/* On failure the caller's length is left as it was (a grown buffer is kept:
 * it is still theirs to free). */
int term_write_buf(const TrineTerm *t, char **buf, size_t *len, size_t *cap) {
  Out o = {*buf, *len, *cap};
  int rc = put_term(&o, t);
  *buf = o.buf;
  *cap = o.cap;
  if (!rc)
    *len = o.len;
  return rc;
}

static bool is_graph_label(const TrineTerm *g) {
  return g && (g->kind == TRINE_TERM_IRI || g->kind == TRINE_TERM_BLANK);
}

int term_write_quad_buf(const TrineTerm *s, const TrineTerm *p,
                        const TrineTerm *o, const TrineTerm *g, char **buf,
                        size_t *len, size_t *cap) {
  Out b = {*buf, *len, *cap};
  int rc = put_term(&b, s) || put(&b, " ", 1) || put_term(&b, p) ||
           put(&b, " ", 1) || put_term(&b, o) ||
           (is_graph_label(g) && (put(&b, " ", 1) || put_term(&b, g))) ||
           put(&b, " .\n", 3);
  *buf = b.buf;
  *cap = b.cap;
  if (!rc)
    *len = b.len;
  return rc ? -1 : 0;
}

int trine_term_write(const TrineTerm *term, FILE *out) {
  if (!term || !out || term->kind == TRINE_TERM_NONE)
    return -1;
  // Small terms are built on the stack: escaping grows text at most 6 times,
  // so these bounds keep reserve() from ever reallocating the stack buffer.
  char stack[512];
  Out o = {stack, 0, sizeof stack};
  if (term->value_len > 32 || term->datatype_len > 32 || term->lang_len > 32)
    o = (Out){NULL, 0, 0};
  int rc = put_term(&o, term);
  if (!rc && o.len && fwrite(o.buf, 1, o.len, out) != o.len)
    rc = -1;
  if (o.buf != stack)
    free(o.buf);
  return rc;
}
