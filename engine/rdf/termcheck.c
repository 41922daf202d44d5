/*
 * termcheck.c -- terms from the API checked by the loader's own parser: the
 * term is written as the object of a statement (trine_term_write(), as the
 * dumper writes it) and read back; it must parse and come back the same.
 * Slower than a checker of its own, but a store then dumps to what it
 * loads by construction, and the API's writes are not the bulk path.
 */
#include "termcheck.h"

#include "ntparse.h"

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
