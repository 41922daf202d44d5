/*
 * srx.c -- SPARQL XML results, read in one pass: a scanner of the little
 * XML the format uses, walking result / binding / uri, literal, bnode and
 * skipping the rest (head, link, boolean).
 */
#include "srx.h"

#include "utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  char *p;
  size_t n, cap;
} Str;

typedef struct {
  const char *s;
  size_t n, i;
  char *err;
  size_t errsize;
  TrineStatus st;
  const SrjHandler *h;
  bool root;          /* the sparql element was seen */
  TrineTermKind term; /* the term element being read (NONE: none) */
  Str name, text, lang, dt, attr, aval;
  bool has_lang, has_dt;
} X;

static bool fail(X *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(X *x, const char *fmt, ...) {
  if (x->st) return false;
  x->st = TRINE_ERR_SYNTAX;
  if (x->errsize) {
    int k = snprintf(x->err, x->errsize, "offset %zu: ", x->i);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < x->errsize) vsnprintf(x->err + k, x->errsize - (size_t)k, fmt, ap);
    va_end(ap);
  }
  return false;
}

static bool put(X *x, Str *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      if (!x->st) x->st = TRINE_ERR_NOMEM;
      return false;
    }
    b->p = p;
    b->cap = cap;
  }
  memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = 0;
  return true;
}

static bool put_utf8(X *x, Str *b, unsigned long c) {
  if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) return fail(x, "bad character reference");
  char u[UTF8_MAX];
  return put(x, b, u, utf8_encode((unsigned)c, u));
}

/* Text s[0..n) with its references replaced, appended to b. */
static bool decode(X *x, Str *b, const char *s, size_t n) {
  static const struct { const char *name; char c; } ents[] = {
      {"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}};
  for (size_t i = 0; i < n;) {
    const char *amp = memchr(s + i, '&', n - i);
    size_t plain = amp ? (size_t)(amp - (s + i)) : n - i;
    if (!put(x, b, s + i, plain)) return false;
    i += plain;
    if (!amp) break;
    const char *semi = memchr(amp, ';', n - i);
    if (!semi || semi - amp > 12) return fail(x, "bad reference");
    size_t len = (size_t)(semi - amp - 1);
    bool ok = false;
    if (len > 1 && amp[1] == '#') {
      char *end;
      unsigned long c = amp[2] == 'x' ? strtoul(amp + 3, &end, 16) : strtoul(amp + 2, &end, 10);
      if (end != semi) return fail(x, "bad character reference");
      if (!put_utf8(x, b, c)) return false;
      ok = true;
    }
    for (size_t k = 0; !ok && k < sizeof ents / sizeof *ents; ++k)
      if (strlen(ents[k].name) == len && memcmp(amp + 1, ents[k].name, len) == 0)
        ok = put(x, b, &ents[k].c, 1);
    if (!ok) return x->st ? false : fail(x, "unknown entity '&%.*s;'", (int)len, amp + 1);
    i += len + 2;
  }
  return true;
}

/* Skip to just after the string end; false at the end of the text. */
static bool skip_past(X *x, const char *end) {
  const char *at = NULL;
  size_t k = strlen(end);
  for (size_t j = x->i; j + k <= x->n && !at; ++j)
    if (memcmp(x->s + j, end, k) == 0) at = x->s + j;
  if (!at) return fail(x, "unterminated markup (no '%s')", end);
  x->i = (size_t)(at - x->s) + k;
  return true;
}

static bool name_char(char c) {
  return c && !strchr(" \t\r\n/>=\"'<", c);
}

/* The local name (after any prefix) of the name at x->i; its full length
 * in *full. */
static const char *local(X *x, size_t *n, size_t *full) {
  size_t j = x->i;
  while (j < x->n && name_char(x->s[j])) j++;
  *full = j - x->i;
  const char *s = x->s + x->i, *colon = memchr(s, ':', *full);
  const char *l = colon ? colon + 1 : s;
  *n = (size_t)(s + *full - l);
  return l;
}

static bool is(const char *s, size_t n, const char *name) {
  return strlen(name) == n && memcmp(s, name, n) == 0;
}

static void ws(X *x) {
  while (x->i < x->n && strchr(" \t\r\n", x->s[x->i]) && x->s[x->i]) x->i++;
}

/* The attributes of a start tag, up to '>' or '/>' (*empty). */
static bool attributes(X *x, bool *empty) {
  for (;;) {
    ws(x);
    if (x->i >= x->n) return fail(x, "unterminated tag");
    if (x->s[x->i] == '>') { x->i++; *empty = false; return true; }
    if (x->s[x->i] == '/' && x->i + 1 < x->n && x->s[x->i + 1] == '>') {
      x->i += 2;
      *empty = true;
      return true;
    }
    size_t n, full;
    const char *l = local(x, &n, &full);
    if (!full) return fail(x, "bad attribute");
    x->attr.n = 0;
    if (!put(x, &x->attr, x->s + x->i, full)) return false;
    x->i += full;
    ws(x);
    if (x->i >= x->n || x->s[x->i] != '=') return fail(x, "expected '=' after an attribute");
    x->i++;
    ws(x);
    char q = x->i < x->n ? x->s[x->i] : 0;
    if (q != '"' && q != '\'') return fail(x, "expected a quoted attribute value");
    const char *end = memchr(x->s + x->i + 1, q, x->n - x->i - 1);
    if (!end) return fail(x, "unterminated attribute value");
    x->aval.n = 0;
    if (!put(x, &x->aval, "", 0) || !decode(x, &x->aval, x->s + x->i + 1, (size_t)(end - x->s - x->i - 1)))
      return false;
    x->i = (size_t)(end - x->s) + 1;
    Str *to = NULL;
    if (strcmp(x->attr.p, "xml:lang") == 0) to = &x->lang, x->has_lang = true;
    else if (is(l, n, "datatype")) to = &x->dt, x->has_dt = true;
    else if (is(l, n, "name")) to = &x->name;
    if (to) {
      to->n = 0;
      if (!put(x, to, x->aval.p, x->aval.n)) return false;
    }
  }
}

static bool end_term(X *x) {
  TrineTerm t = {.kind = x->term, .value = x->text.p, .value_len = x->text.n};
  if (t.kind == TRINE_TERM_LITERAL && x->has_lang) {
    t.lang = x->lang.p;
    t.lang_len = x->lang.n;
  } else if (t.kind == TRINE_TERM_LITERAL && x->has_dt) {
    t.datatype = x->dt.p;
    t.datatype_len = x->dt.n;
  }
  x->term = TRINE_TERM_NONE;
  TrineStatus st = x->h->cell(x->h->ctx, x->name.p ? x->name.p : "", x->name.n, &t);
  if (st) x->st = st;
  return !st;
}

static bool start_tag(X *x) {
  size_t n, full;
  const char *l = local(x, &n, &full);
  if (!full) return fail(x, "bad tag");
  if (!x->root && !is(l, n, "sparql")) return fail(x, "the root element is not sparql");
  x->root = true;
  TrineTermKind kind = is(l, n, "uri") ? TRINE_TERM_IRI : is(l, n, "bnode") ? TRINE_TERM_BLANK
                       : is(l, n, "literal") ? TRINE_TERM_LITERAL : TRINE_TERM_NONE;
  if (is(l, n, "triple")) return fail(x, "RDF-star triple terms are not supported");
  if (kind) {
    x->has_lang = x->has_dt = false;
    x->text.n = 0;
    if (!put(x, &x->text, "", 0)) return false;
  }
  x->i += full;
  bool empty = false;
  if (!attributes(x, &empty)) return false;
  x->term = kind;
  if (kind && empty) return end_term(x); /* <literal/>: the empty string */
  if (empty && is(l, n, "result")) {
    TrineStatus st = x->h->row(x->h->ctx);
    if (st) x->st = st;
    return !st;
  }
  return true;
}

static bool end_tag(X *x) {
  size_t n, full;
  x->i += 2;
  const char *l = local(x, &n, &full);
  x->i += full;
  ws(x);
  if (x->i >= x->n || x->s[x->i] != '>') return fail(x, "bad end tag");
  x->i++;
  if (x->term && (is(l, n, "uri") || is(l, n, "bnode") || is(l, n, "literal"))) return end_term(x);
  if (is(l, n, "result")) {
    TrineStatus st = x->h->row(x->h->ctx);
    if (st) x->st = st;
    return !st;
  }
  return true;
}

static bool markup(X *x) {
  const char *s = x->s + x->i;
  size_t left = x->n - x->i;
  if (left >= 4 && memcmp(s, "<!--", 4) == 0) return skip_past(x, "-->");
  if (left >= 9 && memcmp(s, "<![CDATA[", 9) == 0) {
    x->i += 9;
    size_t from = x->i;
    if (!skip_past(x, "]]>")) return false;
    return !x->term || put(x, &x->text, x->s + from, x->i - 3 - from);
  }
  if (left >= 2 && (s[1] == '?' || s[1] == '!')) return skip_past(x, ">");
  if (left >= 2 && s[1] == '/') return end_tag(x);
  x->i++;
  return start_tag(x);
}

TrineStatus srx_read(const char *text, size_t len, const SrjHandler *h, char *err,
                     size_t errsize) {
  X x = {.s = text, .n = len, .err = err, .errsize = errsize, .h = h};
  if (errsize) err[0] = 0;
  while (x.i < x.n && !x.st) {
    const char *lt = memchr(x.s + x.i, '<', x.n - x.i);
    size_t upto = lt ? (size_t)(lt - x.s) : x.n;
    if (x.term && !decode(&x, &x.text, x.s + x.i, upto - x.i)) break;
    x.i = upto;
    if (lt) markup(&x);
  }
  if (!x.st && !x.root) fail(&x, "no sparql element");
  free(x.name.p);
  free(x.text.p);
  free(x.lang.p);
  free(x.dt.p);
  free(x.attr.p);
  free(x.aval.p);
  return x.st;
}
