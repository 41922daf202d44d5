/*
 * termcheck.c -- terms from the API checked by the loader's own parser: the
 * term is written as the object of a statement (trine_term_write(), as the
 * dumper writes it) and read back; it must parse and come back the same.
 * Slower than a checker of its own, but a store then dumps to what it
 * loads by construction, and the API's writes are not the bulk path.
 */
#include "termcheck.h"

#include "ntparse.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
  const TrineTerm *want;
  bool same;
  char *why;
  size_t n;
} Check;

static bool same_part(const char *a, size_t an, const char *b, size_t bn) {
  return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* Language tags compare without case (the store keeps them lowercased). */
static bool same_lang(const char *a, size_t an, const char *b, size_t bn) {
  return an == bn && (an == 0 || strncasecmp(a, b, an) == 0);
}

static TrineStatus on_statement(void *ctx, const NtStatement *st) {
  Check *c = ctx;
  const TrineTerm *w = c->want, *o = &st->o;
  c->same = o->kind == w->kind && same_part(o->value, o->value_len, w->value, w->value_len) &&
            same_lang(o->lang, o->lang_len, w->lang, w->lang_len);
  /* A datatype of xsd:string is the same as none (RDF 1.1). */
  static const char xsd_string[] = "http://www.w3.org/2001/XMLSchema#string";
  size_t wdl = w->datatype_len, odl = o->datatype_len;
  if (w->datatype && same_part(w->datatype, wdl, xsd_string, sizeof xsd_string - 1)) wdl = 0;
  if (o->datatype && same_part(o->datatype, odl, xsd_string, sizeof xsd_string - 1)) odl = 0;
  c->same = c->same && same_part(o->datatype, odl, w->datatype, wdl);
  return TRINE_OK;
}

static void on_error(void *ctx, const TrineError *e) {
  Check *c = ctx;
  snprintf(c->why, c->n, "%s", e->message ? e->message : "not valid N-Triples");
}

static TrineStatus refuse(char *why, size_t n, const char *what) {
  snprintf(why, n, "%s", what);
  return TRINE_ERR_ARG;
}

/* IRIREF's excluded characters, which the writer would escape as \u: an
 * IRI holding one is malformed (RFC 3987) even if it reads back. */
static bool iri_chars_ok(const char *s, size_t len) {
  for (size_t i = 0; i < len; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || strchr("<>\"{}|^`\\", c)) return false;
  }
  return true;
}

/* ---- the common case, proved directly ----
 * A term of these forms reads back unchanged by construction, so the
 * round trip is needed only for the rest (non-ASCII blank labels, what
 * will be refused): it tripled the cost of trine_txn_add. */

static bool utf8_ok(const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned cp;
    size_t k = (unsigned char)s[i] < 0x80 ? 1 : utf8_decode(s + i, n - i, &cp);
    if (!k) return false;
    i += k;
  }
  return true;
}

static bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static bool digit(char c) { return c >= '0' && c <= '9'; }

/* scheme ":" (RFC 3987), then anything IRIREF allows, in valid UTF-8. */
static bool plain_iri(const char *s, size_t n) {
  size_t i = 0;
  if (!n || !alpha(s[0])) return false;
  while (i < n && (alpha(s[i]) || digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) i++;
  return i < n && s[i] == ':' && utf8_ok(s, n);
}

/* LANGTAG: [a-zA-Z]+ ('-' [a-zA-Z0-9]+)* */
static bool plain_lang(const char *s, size_t n) {
  size_t i = 0;
  while (i < n && alpha(s[i])) i++;
  if (i == 0) return false;
  while (i < n) {
    if (s[i++] != '-' || i == n || !(alpha(s[i]) || digit(s[i]))) return false;
    while (i < n && (alpha(s[i]) || digit(s[i]))) i++;
  }
  return true;
}

/* An ASCII blank node label: [A-Za-z0-9_] [A-Za-z0-9_-]* */
static bool plain_blank(const char *s, size_t n) {
  if (!n || !(alpha(s[0]) || digit(s[0]) || s[0] == '_')) return false;
  for (size_t i = 1; i < n; ++i)
    if (!(alpha(s[i]) || digit(s[i]) || s[i] == '_' || s[i] == '-')) return false;
  return true;
}

static bool plainly_valid(const TrineTerm *t) {
  switch (t->kind) {
  case TRINE_TERM_IRI: return plain_iri(t->value, t->value_len);
  case TRINE_TERM_BLANK: return plain_blank(t->value, t->value_len);
  case TRINE_TERM_LITERAL:
    return utf8_ok(t->value, t->value_len) &&
           (!t->lang_len || plain_lang(t->lang, t->lang_len)) &&
           (!t->datatype_len || plain_iri(t->datatype, t->datatype_len));
  default: return false;
  }
}

TrineStatus term_check(const TrineTerm *t, char *why, size_t n) {
  if (!t || t->kind < TRINE_TERM_IRI || t->kind > TRINE_TERM_LITERAL)
    return refuse(why, n, "not an IRI, blank node or literal");
  if ((!t->value && t->value_len) || (t->lang_len && !t->lang) ||
      (t->datatype_len && !t->datatype))
    return refuse(why, n, "a NULL string with a length");
  if (t->kind == TRINE_TERM_LITERAL && t->lang_len && t->datatype_len)
    return refuse(why, n, "a literal with both a language tag and a datatype");
  if ((t->kind == TRINE_TERM_IRI && !iri_chars_ok(t->value, t->value_len)) ||
      (t->datatype_len && !iri_chars_ok(t->datatype, t->datatype_len)))
    return refuse(why, n, "an IRI may not hold spaces, controls or any of <>\"{}|^`\\");
  if (plainly_valid(t)) return TRINE_OK;
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  if (!f) return refuse(why, n, "out of memory");
  fputs("<x:s> <x:p> ", f);
  int w = trine_term_write(t, f);
  fputs(" .\n", f);
  if (fclose(f) || w < 0) {
    free(text);
    return refuse(why, n, "cannot be written as N-Triples");
  }
  Check c = {t, false, why, n};
  snprintf(why, n, "not valid N-Triples");
  NtParser *p = nt_parser_new(NULL, false, on_statement, &c, on_error, &c, 1);
  TrineStatus st = p ? nt_parser_feed(p, text, len) : TRINE_ERR_NOMEM;
  if (!st) st = nt_parser_finish(p);
  nt_parser_free(p);
  free(text);
  if (st == TRINE_ERR_NOMEM) return refuse(why, n, "out of memory");
  if (st || !c.same) return st ? TRINE_ERR_ARG : refuse(why, n, "does not read back the same");
  return TRINE_OK;
}
