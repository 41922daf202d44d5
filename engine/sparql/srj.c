/*
 * srj.c -- SPARQL 1.1 Query Results JSON, read in one pass: a small JSON
 * scanner that walks down to results.bindings and skips the rest.
 */
#include "srj.h"

#include "utf8.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_DEPTH = 64 }; /* nesting of skipped values (a bound on the stack) */

typedef struct {
  char *p;
  size_t n, cap;
} Str;

typedef struct {
  const char *s;
  size_t n, i;
  char *err;
  size_t errsize;
  TrineStatus st; /* the first failure */
  const SrjHandler *h;
  Str name, type, value, lang, dt;
} R;

static bool fail(R *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(R *r, const char *fmt, ...) {
  if (r->st) return false;
  r->st = TRINE_ERR_SYNTAX;
  if (r->errsize) {
    int k = snprintf(r->err, r->errsize, "offset %zu: ", r->i);
    va_list ap;
    va_start(ap, fmt);
    if (k >= 0 && (size_t)k < r->errsize) vsnprintf(r->err + k, r->errsize - (size_t)k, fmt, ap);
    va_end(ap);
  }
  return false;
}

static void ws(R *r) {
  while (r->i < r->n && strchr(" \t\r\n", r->s[r->i]) && r->s[r->i]) r->i++;
}

/* Skip white space and take c if it comes next. */
static bool take(R *r, char c) {
  ws(r);
  if (r->i < r->n && r->s[r->i] == c) {
    r->i++;
    return true;
  }
  return false;
}

static bool expect(R *r, char c) {
  return take(r, c) || fail(r, "expected '%c'", c);
}

static bool put(R *r, Str *b, const char *s, size_t n) {
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
      if (!r->st) r->st = TRINE_ERR_NOMEM;
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

static bool hex4(R *r, unsigned *v) {
  if (r->n - r->i < 4) return fail(r, "truncated \\u escape");
  *v = 0;
  for (int k = 0; k < 4; ++k) {
    char c = r->s[r->i++];
    unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0')
                 : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                 : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) : 16;
    if (d == 16) return fail(r, "bad \\u escape");
    *v = *v << 4 | d;
  }
  return true;
}

static bool put_utf8(R *r, Str *b, unsigned c) {
  char u[UTF8_MAX];
  return put(r, b, u, utf8_encode(c, u));
}

/* An escape after its backslash. */
static bool escape(R *r, Str *b) {
  if (r->i >= r->n) return fail(r, "unterminated string");
  char c = r->s[r->i++];
  const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
  const char *at = strchr(from, c);
  if (c && at) return put(r, b, &to[at - from], 1);
  if (c != 'u') return fail(r, "bad escape '\\%c'", c);
  unsigned v, lo;
  if (!hex4(r, &v)) return false;
  if (v >= 0xD800 && v < 0xDC00) { /* a surrogate pair */
    if (r->n - r->i < 2 || r->s[r->i] != '\\' || r->s[r->i + 1] != 'u')
      return fail(r, "unpaired surrogate");
    r->i += 2;
    if (!hex4(r, &lo)) return false;
    if (lo < 0xDC00 || lo > 0xDFFF) return fail(r, "unpaired surrogate");
    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
  } else if (v >= 0xDC00 && v < 0xE000) {
    return fail(r, "unpaired surrogate");
  }
  return put_utf8(r, b, v);
}

/* A string into b (NULL: skipped). */
static bool string(R *r, Str *b) {
  if (!expect(r, '"')) return false;
  Str skip = {0};
  Str *to = b ? b : &skip;
  to->n = 0;
  bool ok = put(r, to, "", 0);
  while (ok) {
    size_t j = r->i;
    while (j < r->n && r->s[j] != '"' && r->s[j] != '\\' && (unsigned char)r->s[j] >= 0x20) j++;
    if (!(ok = put(r, to, r->s + r->i, j - r->i))) break;
    r->i = j;
    if (j >= r->n) { ok = fail(r, "unterminated string"); break; }
    if ((unsigned char)r->s[j] < 0x20) { ok = fail(r, "control character in a string"); break; }
    r->i++;
    if (r->s[j] == '"') break;
    ok = escape(r, to);
  }
  free(skip.p);
  return ok;
}

static bool skip_value(R *r, int depth);

static bool skip_members(R *r, char close, int depth) {
  if (take(r, close)) return true;
  do {
    if (close == '}' && !(string(r, NULL) && expect(r, ':'))) return false;
    if (!skip_value(r, depth + 1)) return false;
  } while (take(r, ','));
  return expect(r, close);
}

static bool skip_value(R *r, int depth) {
  if (depth > MAX_DEPTH) return fail(r, "nested too deeply");
  ws(r);
  if (r->i >= r->n) return fail(r, "expected a value");
  char c = r->s[r->i];
  if (c == '"') return string(r, NULL);
  if (c == '{' || c == '[') {
    r->i++;
    return skip_members(r, c == '{' ? '}' : ']', depth);
  }
  size_t j = r->i;
  while (j < r->n && (strchr("+-.eE", r->s[j]) || (r->s[j] >= '0' && r->s[j] <= '9') ||
                      (r->s[j] >= 'a' && r->s[j] <= 'z')) && r->s[j])
    j++;
  if (j == r->i) return fail(r, "expected a value");
  r->i = j;
  return true;
}

static bool is(const Str *b, const char *s) { return strcmp(b->p, s) == 0; }

/* One term object {"type": ..., "value": ..., ...} of variable r->name. */
static bool term(R *r) {
  if (!expect(r, '{')) return false;
  r->type.n = r->value.n = r->lang.n = r->dt.n = 0;
  bool has_type = false, has_value = false, has_lang = false, has_dt = false;
  Str key = {0};
  bool ok = true;
  if (!take(r, '}')) {
    do {
      if (!(ok = string(r, &key) && expect(r, ':'))) break;
      if (is(&key, "type")) ok = has_type = string(r, &r->type);
      else if (is(&key, "value")) ok = has_value = string(r, &r->value);
      else if (is(&key, "xml:lang")) ok = has_lang = string(r, &r->lang);
      else if (is(&key, "datatype")) ok = has_dt = string(r, &r->dt);
      else ok = skip_value(r, 2);
    } while (ok && take(r, ','));
    ok = ok && expect(r, '}');
  }
  free(key.p);
  if (!ok) return false;
  if (!has_type || !has_value) return fail(r, "a term of ?%s without type or value", r->name.p);
  TrineTerm t = {.value = r->value.p, .value_len = r->value.n};
  if (is(&r->type, "uri")) t.kind = TRINE_TERM_IRI;
  else if (is(&r->type, "bnode")) t.kind = TRINE_TERM_BLANK;
  else if (is(&r->type, "literal") || is(&r->type, "typed-literal")) t.kind = TRINE_TERM_LITERAL;
  else return fail(r, "unknown term type \"%s\"", r->type.p);
  if (t.kind == TRINE_TERM_LITERAL && has_lang) {
    t.lang = r->lang.p;
    t.lang_len = r->lang.n;
  } else if (t.kind == TRINE_TERM_LITERAL && has_dt) {
    t.datatype = r->dt.p;
    t.datatype_len = r->dt.n;
  }
  TrineStatus st = r->h->cell(r->h->ctx, r->name.p, r->name.n, &t);
  if (st) r->st = st;
  return !st;
}

/* One solution: {"var": term, ...}. */
static bool binding(R *r) {
  if (!expect(r, '{')) return false;
  if (!take(r, '}')) {
    do {
      if (!(string(r, &r->name) && expect(r, ':') && term(r))) return false;
    } while (take(r, ','));
    if (!expect(r, '}')) return false;
  }
  TrineStatus st = r->h->row(r->h->ctx);
  if (st) r->st = st;
  return !st;
}

/* The "results" object: its "bindings" array read, the rest skipped. */
static bool results(R *r) {
  if (!expect(r, '{')) return false;
  if (take(r, '}')) return true;
  Str key = {0};
  bool ok = true;
  do {
    if (!(ok = string(r, &key) && expect(r, ':'))) break;
    if (!is(&key, "bindings")) {
      ok = skip_value(r, 1);
      continue;
    }
    if (!(ok = expect(r, '['))) break;
    if (take(r, ']')) continue;
    do ok = binding(r);
    while (ok && take(r, ','));
    ok = ok && expect(r, ']');
  } while (ok && take(r, ','));
  free(key.p);
  return ok && expect(r, '}');
}

TrineStatus srj_read(const char *text, size_t len, const SrjHandler *h, char *err,
                     size_t errsize) {
  R r = {.s = text, .n = len, .err = err, .errsize = errsize, .h = h};
  if (errsize) err[0] = 0;
  Str key = {0};
  bool ok = expect(&r, '{');
  if (ok && !take(&r, '}')) {
    do {
      if (!(ok = string(&r, &key) && expect(&r, ':'))) break;
      ok = is(&key, "results") ? results(&r) : skip_value(&r, 0);
    } while (ok && take(&r, ','));
    ok = ok && expect(&r, '}');
  }
  ws(&r);
  if (ok && r.i < r.n) fail(&r, "text after the results");
  free(key.p);
  free(r.name.p);
  free(r.type.p);
  free(r.value.p);
  free(r.lang.p);
  free(r.dt.p);
  return r.st;
}
