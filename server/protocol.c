/*
 * protocol.c -- the SPARQL 1.1 Protocol's rules for requests to /sparql.
 */
#include "protocol.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char FORM[] = "application/x-www-form-urlencoded";

bool protocol_media_is(const char *ct, const char *type) {
  if (!ct) return false;
  while (*ct == ' ') ct++;
  size_t n = strlen(type);
  if (strncasecmp(ct, type, n) != 0) return false;
  ct += n;
  while (*ct == ' ' || *ct == '\t') ct++;
  return !*ct || *ct == ';';
}

bool protocol_other_charset(const char *ct) {
  const char *p = ct ? strcasestr(ct, "charset=") : NULL;
  if (!p) return false;
  p += 8;
  if (*p == '"') p++;
  return strncasecmp(p, "utf-8", 5) != 0 || (p[5] && !strchr("\"; \t", p[5]));
}

bool protocol_is_form(const char *content_type) { return protocol_media_is(content_type, FORM); }

bool protocol_utf8(const char *s, size_t len) {
  const unsigned char *p = (const unsigned char *)s, *end = p + len;
  while (p < end) {
    unsigned c = *p++;
    if (c < 0x80) continue;
    int n = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
    unsigned min = n == 3 ? 0x10000 : n == 2 ? 0x800 : 0x80;
    if (c < 0xC2 || c > 0xF4 || end - p < n) return false;
    unsigned cp = c & (0x3F >> n);
    for (int i = 0; i < n; ++i, ++p) {
      if ((*p & 0xC0) != 0x80) return false;
      cp = cp << 6 | (*p & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
  }
  return true;
}

/* A status with a formatted message in *why. */
static unsigned refuse(char **why, unsigned status, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (vasprintf(why, fmt, ap) < 0) *why = NULL;
  va_end(ap);
  return status;
}

bool protocol_iri_ok(const char *s, size_t len) {
  size_t i = 0;
  if (len == 0 || strlen(s) != len || !protocol_utf8(s, len)) return false;
  if (!((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z')) return false;
  while (i < len && s[i] != ':') {
    char c = (char)(s[i] | 0x20);
    if (!((c >= 'a' && c <= 'z') || (s[i] >= '0' && s[i] <= '9') || strchr("+.-", s[i])))
      return false;
    i++;
  }
  if (i == len) return false;
  for (; i < len; ++i)
    if ((unsigned char)s[i] <= 0x20 || strchr("<>\"{}|^`\\", s[i])) return false;
  return true;
}

static bool list_add(IriList *list, const char *iri) {
  const char **v = realloc(list->iri, (list->n + 1) * sizeof *v);
  if (!v) return false;
  list->iri = v;
  return (v[list->n] = strdup(iri)) ? (list->n++, true) : false;
}

/* The dataset parameters of the operation's kind into call. */
static unsigned take_dataset(const HttpInput *in, Call *call, char **why) {
  static const char *const names[2][2] = {{"default-graph-uri", "named-graph-uri"},
                                          {"using-graph-uri", "using-named-graph-uri"}};
  int mine = call->kind == CALL_UPDATE, other = !mine;
  for (size_t i = 0; i < in->nparams; ++i) {
    const Param *p = &in->params[i];
    int which = strcmp(p->key, names[mine][0]) == 0   ? 0
                : strcmp(p->key, names[mine][1]) == 0 ? 1
                                                      : -1;
    if (which < 0 && (!strcmp(p->key, names[other][0]) || !strcmp(p->key, names[other][1])))
      return refuse(why, 400, "%s is a parameter of %s, not of %s", p->key,
                    mine ? "queries" : "updates", mine ? "updates" : "queries");
    if (which < 0) continue;
    if (!protocol_iri_ok(p->value, p->len))
      return refuse(why, 400, "%s: not an absolute IRI: %.200s", p->key, p->value);
    if (!list_add(which ? &call->named : &call->dflt, p->value))
      return refuse(why, 500, "out of memory");
  }
  return 0;
}

/* A direct POST: the body is the operation. */
static unsigned take_body(const HttpInput *in, Call *call, char **why) {
  if (protocol_media_is(in->content_type, "application/sparql-query")) call->kind = CALL_QUERY;
  else if (protocol_media_is(in->content_type, "application/sparql-update")) call->kind = CALL_UPDATE;
  else
    return refuse(why, 415,
                  "%s%s: a POST to /sparql takes application/sparql-query, "
                  "application/sparql-update or %s",
                  in->content_type ? "unsupported media type " : "no Content-Type",
                  in->content_type ? in->content_type : "", FORM);
  if (protocol_other_charset(in->content_type))
    return refuse(why, 415, "unsupported charset in %s: the request must be UTF-8",
                  in->content_type);
  for (size_t i = 0; i < in->nparams; ++i)
    if (!strcmp(in->params[i].key, "query") || !strcmp(in->params[i].key, "update"))
      return refuse(why, 400, "the %s is the body of this POST, not a URL parameter",
                    in->params[i].key);
  if (!(call->text = malloc(in->body_len + 1))) return refuse(why, 500, "out of memory");
  memcpy(call->text, in->body, in->body_len);
  call->text[call->len = in->body_len] = '\0';
  return 0;
}

/* GET or a form: the query= or update= parameter is the operation. */
static unsigned take_param(const HttpInput *in, Call *call, char **why) {
  const Param *op = NULL;
  size_t nquery = 0, nupdate = 0;
  for (size_t i = 0; i < in->nparams; ++i) {
    bool q = !strcmp(in->params[i].key, "query"), u = !strcmp(in->params[i].key, "update");
    if (q || u) op = &in->params[i];
    nquery += q, nupdate += u;
  }
  if (nquery && nupdate) return refuse(why, 400, "a request has a query or an update, not both");
  if (nquery + nupdate > 1)
    return refuse(why, 400, "more than one %s parameter", nquery ? "query" : "update");
  if (!op)
    return refuse(why, 400, "no query= or update= parameter (the query page is at /)");
  call->kind = nquery ? CALL_QUERY : CALL_UPDATE;
  if (call->kind == CALL_UPDATE && !in->post)
    return refuse(why, 400, "an update must be sent by POST, not GET");
  if (!(call->text = malloc(op->len + 1))) return refuse(why, 500, "out of memory");
  memcpy(call->text, op->value, op->len);
  call->text[call->len = op->len] = '\0';
  return 0;
}

unsigned protocol_parse(const HttpInput *in, Call *out, char **why) {
  memset(out, 0, sizeof *out);
  *why = NULL;
  bool direct = in->post && !protocol_is_form(in->content_type);
  unsigned status = direct ? take_body(in, out, why) : take_param(in, out, why);
  if (!status && !protocol_utf8(out->text, out->len))
    status = refuse(why, 400, "the %s is not valid UTF-8", out->kind == CALL_QUERY ? "query" : "update");
  if (!status) status = take_dataset(in, out, why);
  if (status) protocol_call_free(out);
  return status;
}

static void list_free(IriList *list) {
  for (size_t i = 0; i < list->n; ++i) free((char *)list->iri[i]);
  free(list->iri);
  list->iri = NULL;
  list->n = 0;
}

void protocol_call_free(Call *call) {
  free(call->text);
  call->text = NULL;
  list_free(&call->dflt);
  list_free(&call->named);
}
