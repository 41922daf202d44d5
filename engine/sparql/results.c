/*
 * results.c -- trine_query_write(): query results in the W3C formats
 * (SPARQL 1.1 Query Results JSON, XML, CSV, TSV), N-Triples for graphs,
 * and for terminals an aligned table or records of one line per column.
 *
 * Only the public query API is used (form, columns, column names, step,
 * term), so an embedding program could write the same thing itself.
 * Every row is formatted into a buffer and written with one fwrite; write
 * errors are detected with ferror() at the end.
 */
#include "results.h"

#include "env.h" /* api_misuse() */

#include "term.h"
#include "ttlwrite.h"
#include "width.h"
#include "xsd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Buffers ------------------------------------------------------------------ */

int res_put(ResBuf *b, const void *s, size_t n) {
  if (n > b->cap - b->len) {
    if (n > SIZE_MAX / 2 - b->len)
      return -1;
    size_t cap = b->cap ? b->cap : 128;
    while (cap - b->len < n)
      cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p)
      return -1;
    b->p = p;
    b->cap = cap;
  }
  if (n)
    memcpy(b->p + b->len, s, n);
  b->len += n;
  return 0;
}

static int put_s(ResBuf *b, const char *s) { return res_put(b, s, strlen(s)); }

static int put_c(ResBuf *b, char c) { return res_put(b, &c, 1); }

const char *res_cstr(ResBuf *b) {
  if (res_put(b, "", 1))
    return b->p ? b->p : "";
  b->len--;
  return b->p;
}

void res_free(ResBuf *b) {
  free(b->p);
  b->p = NULL;
  b->len = b->cap = 0;
}

/* Datatypes ------------------------------------------------------------------ */

static bool dt_is(const TrineTerm *t, const char *local) {
  size_t nl = strlen(XSD_NS), ll = strlen(local);
  return t->datatype && t->datatype_len == nl + ll &&
         memcmp(t->datatype, XSD_NS, nl) == 0 &&
         memcmp(t->datatype + nl, local, ll) == 0;
}

/* A datatype worth writing: not absent, not xsd:string, not rdf:langString
 * when there is a language tag. */
static bool has_datatype(const TrineTerm *t) {
  if (!t->datatype || !t->datatype_len)
    return false;
  if (term_is_xsd_string(t->datatype, t->datatype_len))
    return false;
  if (t->lang && t->lang_len && t->datatype_len == RDF_LANGSTRING_LEN &&
      memcmp(t->datatype, RDF_LANGSTRING, RDF_LANGSTRING_LEN) == 0)
    return false;
  return true;
}

static bool has_lang(const TrineTerm *t) { return t->lang && t->lang_len; }

/* JSON ------------------------------------------------------------------- */

int res_json_escape(ResBuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    const char *e = NULL;
    char u[7];
    if (c == '"')
      e = "\\\"";
    else if (c == '\\')
      e = "\\\\";
    else if (c == '\n')
      e = "\\n";
    else if (c == '\r')
      e = "\\r";
    else if (c == '\t')
      e = "\\t";
    else if (c == '\b')
      e = "\\b";
    else if (c == '\f')
      e = "\\f";
    else if (c < 0x20 || c == 0x7F) {
      u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
      u[4] = hex[c >> 4]; u[5] = hex[c & 15]; u[6] = 0;
      e = u;
    }
    if (e) {
      if (res_put(b, s + start, i - start) || put_s(b, e))
        return -1;
      start = i + 1;
    }
  }
  return res_put(b, s + start, n - start);
}

static int json_str(ResBuf *b, const char *s, size_t n) {
  return put_c(b, '"') || res_json_escape(b, s, n) || put_c(b, '"');
}

static int json_term(ResBuf *b, const TrineTerm *t) {
  int r = 0;
  switch (t->kind) {
  case TRINE_TERM_IRI:
    r = put_s(b, "{\"type\":\"uri\",\"value\":");
    break;
  case TRINE_TERM_BLANK:
    r = put_s(b, "{\"type\":\"bnode\",\"value\":");
    break;
  default:
    r = put_s(b, "{\"type\":\"literal\",\"value\":");
    break;
  }
  r = r || json_str(b, t->value, t->value_len);
  if (t->kind == TRINE_TERM_LITERAL) {
    if (has_lang(t))
      r = r || put_s(b, ",\"xml:lang\":") || json_str(b, t->lang, t->lang_len);
    else if (has_datatype(t))
      r = r || put_s(b, ",\"datatype\":") ||
          json_str(b, t->datatype, t->datatype_len);
  }
  return r || put_c(b, '}');
}

/* XML -------------------------------------------------------------------- */

int res_xml_escape(ResBuf *b, const char *s, size_t n) {
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    const char *e = NULL;
    size_t skip = 1;
    if (c == '&')
      e = "&amp;";
    else if (c == '<')
      e = "&lt;";
    else if (c == '>')
      e = "&gt;";
    else if (c == '"')
      e = "&quot;";
    else if (c == '\r')
      e = "&#13;";
    else if (c < 0x20 && c != '\t' && c != '\n')
      e = "\xEF\xBF\xBD";
    else if (c == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
             ((unsigned char)s[i + 2] == 0xBE ||
              (unsigned char)s[i + 2] == 0xBF)) {
      e = "\xEF\xBF\xBD"; // U+FFFE, U+FFFF
      skip = 3;
    }
    if (e) {
      if (res_put(b, s + start, i - start) || put_s(b, e))
        return -1;
      i += skip - 1;
      start = i + 1;
    }
  }
  return res_put(b, s + start, n - start);
}

static int xml_term(ResBuf *b, const TrineTerm *t) {
  int r = 0;
  switch (t->kind) {
  case TRINE_TERM_IRI:
    r = put_s(b, "<uri>") || res_xml_escape(b, t->value, t->value_len) ||
        put_s(b, "</uri>");
    break;
  case TRINE_TERM_BLANK:
    r = put_s(b, "<bnode>") || res_xml_escape(b, t->value, t->value_len) ||
        put_s(b, "</bnode>");
    break;
  default:
    r = put_s(b, "<literal");
    if (has_lang(t))
      r = r || put_s(b, " xml:lang=\"") ||
          res_xml_escape(b, t->lang, t->lang_len) || put_c(b, '"');
    else if (has_datatype(t))
      r = r || put_s(b, " datatype=\"") ||
          res_xml_escape(b, t->datatype, t->datatype_len) || put_c(b, '"');
    r = r || put_c(b, '>') || res_xml_escape(b, t->value, t->value_len) ||
        put_s(b, "</literal>");
    break;
  }
  return r;
}

/* CSV and TSV -------------------------------------------------------------- */

int res_csv_field(ResBuf *b, const char *s, size_t n) {
  bool quote = false;
  for (size_t i = 0; i < n && !quote; ++i)
    quote = s[i] == '"' || s[i] == ',' || s[i] == '\n' || s[i] == '\r';
  if (!quote)
    return res_put(b, s, n);
  if (put_c(b, '"'))
    return -1;
  size_t start = 0;
  for (size_t i = 0; i < n; ++i)
    if (s[i] == '"') {
      if (res_put(b, s + start, i + 1 - start) || put_c(b, '"'))
        return -1;
      start = i + 1;
    }
  return res_put(b, s + start, n - start) || put_c(b, '"');
}

int res_csv_term(ResBuf *b, const TrineTerm *t) {
  if (t->kind == TRINE_TERM_BLANK) {
    /* A label never holds a character that needs quoting. */
    return put_s(b, "_:") || res_put(b, t->value, t->value_len);
  }
  return res_csv_field(b, t->value, t->value_len);
}

static bool all_digits(const char *s, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

/* Turtle INTEGER, DECIMAL, DOUBLE (kind 0, 1, 2). */
static bool turtle_number(const char *s, size_t n, int kind) {
  if (n && (s[0] == '+' || s[0] == '-')) {
    ++s;
    --n;
  }
  if (!n)
    return false;
  if (kind == 0)
    return all_digits(s, n);
  size_t e = n;
  if (kind == 2) {
    for (e = 0; e < n && s[e] != 'e' && s[e] != 'E'; ++e) {
    }
    if (e == n)
      return false;
    const char *x = s + e + 1;
    size_t xn = n - e - 1;
    if (xn && (x[0] == '+' || x[0] == '-')) {
      ++x;
      --xn;
    }
    if (!xn || !all_digits(x, xn))
      return false;
  }
  /* mantissa s[0..e) */
  const char *dot = memchr(s, '.', e);
  if (!dot)
    return kind == 2 && e > 0 && all_digits(s, e);
  size_t ip = (size_t)(dot - s), fp = e - ip - 1;
  if (!all_digits(s, ip) || !all_digits(dot + 1, fp))
    return false;
  if (kind == 1)
    return fp > 0;
  return ip + fp > 0;
}

bool res_is_short_literal(const char *lex, size_t lexlen, const char *dt,
                          size_t dtlen) {
  TrineTerm t = {TRINE_TERM_LITERAL, lex, lexlen, dt, dtlen, NULL, 0};
  if (dt_is(&t, "integer"))
    return turtle_number(lex, lexlen, 0);
  if (dt_is(&t, "decimal"))
    return turtle_number(lex, lexlen, 1);
  if (dt_is(&t, "double"))
    return turtle_number(lex, lexlen, 2);
  if (dt_is(&t, "boolean"))
    return (lexlen == 4 && memcmp(lex, "true", 4) == 0) ||
           (lexlen == 5 && memcmp(lex, "false", 5) == 0);
  return false;
}

static int nt_term(ResBuf *b, const TrineTerm *t) {
  char *p = b->p;
  size_t len = b->len, cap = b->cap;
  int r = term_write_buf(t, &p, &len, &cap);
  b->p = p;
  b->len = len;
  b->cap = cap;
  return r;
}

int res_tsv_term(ResBuf *b, const TrineTerm *t) {
  if (t->kind == TRINE_TERM_LITERAL && !has_lang(t) &&
      !dt_is(t, "boolean") &&
      res_is_short_literal(t->value, t->value_len, t->datatype,
                           t->datatype_len))
    return res_put(b, t->value, t->value_len);
  return nt_term(b, t);
}

/* Table cells ---------------------------------------------------------------- */

static bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
         (c >= 'A' && c <= 'F');
}

static bool pn_chars_u(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}

bool res_is_local_name(const char *s, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%') {
      if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
        return false;
      i += 2;
      continue;
    }
    bool ok = pn_chars_u(c) || (c >= '0' && c <= '9') || c == ':';
    if (i > 0)
      ok = ok || c == '-' || c == '.';
    if (!ok)
      return false;
  }
  return n == 0 || s[n - 1] != '.';
}

int res_shorten_iri(ResBuf *b, const char *iri, size_t n,
                    const char *const *prefixes, size_t npairs) {
  size_t best = SIZE_MAX, best_len = 0;
  for (size_t i = 0; i < npairs; ++i) {
    const char *ns = prefixes[2 * i + 1];
    if (!ns || !prefixes[2 * i])
      continue;
    size_t nl = strlen(ns);
    if (nl > n || (best != SIZE_MAX && nl <= best_len) ||
        memcmp(iri, ns, nl) != 0 || !res_is_local_name(iri + nl, n - nl))
      continue;
    best = i;
    best_len = nl;
  }
  if (best == SIZE_MAX)
    return 0;
  if (put_s(b, prefixes[2 * best]) || put_c(b, ':') ||
      res_put(b, iri + best_len, n - best_len))
    return -1;
  return 1;
}

size_t trine_iri_shorten(const char *iri, size_t len,
                         const char *const *prefixes, size_t npairs, char *buf,
                         size_t size) {
  ResBuf b = {0};
  size_t n = 0;
  if (iri && prefixes && res_shorten_iri(&b, iri, len, prefixes, npairs) == 1)
    n = b.len;
  if (buf && size) {
    size_t k = n < size - 1 ? n : size - 1;
    if (k)
      memcpy(buf, b.p, k);
    buf[k] = '\0';
  }
  res_free(&b);
  return n;
}

static int table_iri(ResBuf *b, const char *iri, size_t n,
                     const char *const *prefixes, size_t npairs,
                     bool datatype) {
  int r = res_shorten_iri(b, iri, n, prefixes, npairs);
  if (r)
    return r < 0 ? -1 : 0;
  if (datatype) {
    static const char *const xsd[] = {"xsd", XSD_NS};
    r = res_shorten_iri(b, iri, n, xsd, 1);
    if (r)
      return r < 0 ? -1 : 0;
  }
  TrineTerm t = {TRINE_TERM_IRI, iri, n, NULL, 0, NULL, 0};
  return nt_term(b, &t);
}

int res_table_cell(ResBuf *b, const TrineTerm *t, const char *const *prefixes,
                   size_t npairs) {
  if (!t || t->kind == TRINE_TERM_NONE)
    return 0;
  if (t->kind == TRINE_TERM_IRI)
    return table_iri(b, t->value, t->value_len, prefixes, npairs, false);
  if (t->kind != TRINE_TERM_LITERAL)
    return nt_term(b, t);
  if (!has_lang(t) && res_is_short_literal(t->value, t->value_len,
                                           t->datatype, t->datatype_len))
    return res_put(b, t->value, t->value_len);
  /* The quoted string (with its escapes) then @lang, written by the
   * canonical writer; a datatype is added shortened. */
  TrineTerm plain = *t;
  if (!has_lang(t)) {
    plain.datatype = NULL;
    plain.datatype_len = 0;
  }
  if (nt_term(b, &plain))
    return -1;
  if (!has_lang(t) && has_datatype(t))
    return put_s(b, "^^") || table_iri(b, t->datatype, t->datatype_len,
                                       prefixes, npairs, true);
  return 0;
}

/* Writers ------------------------------------------------------------------ */

typedef struct {
  TrineQuery *q;
  const TrineWriteOptions *opts;
  FILE *out;
  uint64_t rows;
  ResBuf b;
} Writer;

static TrineStatus flush(Writer *w) {
  if (w->b.len && fwrite(w->b.p, 1, w->b.len, w->out) != w->b.len) {
    w->b.len = 0;
    return TRINE_ERR_IO;
  }
  w->b.len = 0;
  return TRINE_OK;
}

#define OOM(expr)                                                              \
  do {                                                                         \
    if (expr)                                                                  \
      return TRINE_ERR_NOMEM;                                                  \
  } while (0)

/* Step to the next row unless max_rows are written: TRINE_ROW, TRINE_DONE or
 * an error. */
static TrineStatus next(Writer *w) {
  if (w->opts->max_rows && w->rows >= w->opts->max_rows)
    return TRINE_DONE;
  return trine_query_step(w->q);
}

static bool row_boolean(TrineQuery *q) {
  const TrineTerm *t = trine_query_term(q, 0);
  return t && ((t->value_len == 4 && memcmp(t->value, "true", 4) == 0) ||
               (t->value_len == 1 && t->value[0] == '1'));
}

static TrineStatus write_json(Writer *w, TrineQueryForm form) {
  size_t n = trine_query_columns(w->q);
  TrineStatus st;
  if (form == TRINE_QUERY_ASK) {
    st = trine_query_step(w->q);
    if (st != TRINE_ROW)
      return st == TRINE_DONE ? TRINE_ERR_INTERNAL : st;
    OOM(put_s(&w->b, "{\"head\":{},\"boolean\":"));
    OOM(put_s(&w->b, row_boolean(w->q) ? "true}\n" : "false}\n"));
    w->rows = 1;
    return flush(w);
  }
  OOM(put_s(&w->b, "{\"head\":{\"vars\":["));
  for (size_t i = 0; i < n; ++i) {
    const char *name = trine_query_column_name(w->q, i);
    OOM((i && put_c(&w->b, ',')) || json_str(&w->b, name, strlen(name)));
  }
  OOM(put_s(&w->b, "]},\"results\":{\"bindings\":["));
  while ((st = next(w)) == TRINE_ROW) {
    OOM(put_s(&w->b, w->rows ? ",\n{" : "\n{"));
    bool first = true;
    for (size_t i = 0; i < n; ++i) {
      const TrineTerm *t = trine_query_term(w->q, i);
      if (!t || t->kind == TRINE_TERM_NONE)
        continue;
      const char *name = trine_query_column_name(w->q, i);
      OOM((!first && put_c(&w->b, ',')) ||
          json_str(&w->b, name, strlen(name)) || put_c(&w->b, ':') ||
          json_term(&w->b, t));
      first = false;
    }
    OOM(put_c(&w->b, '}'));
    w->rows++;
    if ((st = flush(w)))
      return st;
  }
  if (st != TRINE_DONE)
    return st;
  OOM(put_s(&w->b, w->rows ? "\n]}}\n" : "]}}\n"));
  return flush(w);
}

static TrineStatus write_xml(Writer *w, TrineQueryForm form) {
  size_t n = trine_query_columns(w->q);
  TrineStatus st;
  OOM(put_s(&w->b, "<?xml version=\"1.0\"?>\n"
                   "<sparql xmlns=\"http://www.w3.org/2005/sparql-results#\">\n"));
  if (form == TRINE_QUERY_ASK) {
    st = trine_query_step(w->q);
    if (st != TRINE_ROW)
      return st == TRINE_DONE ? TRINE_ERR_INTERNAL : st;
    OOM(put_s(&w->b, "  <head>\n  </head>\n  <boolean>"));
    OOM(put_s(&w->b, row_boolean(w->q) ? "true" : "false"));
    OOM(put_s(&w->b, "</boolean>\n</sparql>\n"));
    w->rows = 1;
    return flush(w);
  }
  OOM(put_s(&w->b, "  <head>\n"));
  for (size_t i = 0; i < n; ++i) {
    const char *name = trine_query_column_name(w->q, i);
    OOM(put_s(&w->b, "    <variable name=\"") ||
        res_xml_escape(&w->b, name, strlen(name)) || put_s(&w->b, "\"/>\n"));
  }
  OOM(put_s(&w->b, "  </head>\n  <results>\n"));
  while ((st = next(w)) == TRINE_ROW) {
    OOM(put_s(&w->b, "    <result>\n"));
    for (size_t i = 0; i < n; ++i) {
      const TrineTerm *t = trine_query_term(w->q, i);
      if (!t || t->kind == TRINE_TERM_NONE)
        continue;
      const char *name = trine_query_column_name(w->q, i);
      OOM(put_s(&w->b, "      <binding name=\"") ||
          res_xml_escape(&w->b, name, strlen(name)) || put_s(&w->b, "\">") ||
          xml_term(&w->b, t) || put_s(&w->b, "</binding>\n"));
    }
    OOM(put_s(&w->b, "    </result>\n"));
    w->rows++;
    if ((st = flush(w)))
      return st;
  }
  if (st != TRINE_DONE)
    return st;
  OOM(put_s(&w->b, "  </results>\n</sparql>\n"));
  return flush(w);
}

/* CSV (csv true) or TSV. */
static TrineStatus write_sv(Writer *w, TrineQueryForm form, bool csv) {
  size_t n = trine_query_columns(w->q);
  const char *eol = csv ? "\r\n" : "\n";
  char sep = csv ? ',' : '\t';
  TrineStatus st;
  if (form == TRINE_QUERY_ASK) {
    /* Neither format has a boolean form: a one-column result. */
    st = trine_query_step(w->q);
    if (st != TRINE_ROW)
      return st == TRINE_DONE ? TRINE_ERR_INTERNAL : st;
    if (w->opts->headers)
      OOM(put_s(&w->b, csv ? "_askResult" : "?_askResult") ||
          put_s(&w->b, eol));
    OOM(put_s(&w->b, row_boolean(w->q) ? "true" : "false") ||
        put_s(&w->b, eol));
    w->rows = 1;
    return flush(w);
  }
  if (w->opts->headers) {
    for (size_t i = 0; i < n; ++i) {
      const char *name = trine_query_column_name(w->q, i);
      OOM((i && put_c(&w->b, sep)) || (!csv && put_c(&w->b, '?')) ||
          res_put(&w->b, name, strlen(name)));
    }
    OOM(put_s(&w->b, eol));
  }
  while ((st = next(w)) == TRINE_ROW) {
    for (size_t i = 0; i < n; ++i) {
      const TrineTerm *t = trine_query_term(w->q, i);
      OOM(i && put_c(&w->b, sep));
      if (!t || t->kind == TRINE_TERM_NONE)
        continue;
      OOM(csv ? res_csv_term(&w->b, t) : res_tsv_term(&w->b, t));
    }
    OOM(put_s(&w->b, eol));
    w->rows++;
    if ((st = flush(w)))
      return st;
  }
  if (st != TRINE_DONE)
    return st;
  return flush(w);
}

static TrineStatus write_ntriples(Writer *w) {
  TrineStatus st;
  while ((st = next(w)) == TRINE_ROW) {
    const TrineTerm *s = trine_query_term(w->q, 0);
    const TrineTerm *p = trine_query_term(w->q, 1);
    const TrineTerm *o = trine_query_term(w->q, 2);
    if (!s || !p || !o)
      continue; // not a triple (never produced by a graph form)
    char *buf = w->b.p;
    size_t len = w->b.len, cap = w->b.cap;
    int r = term_write_quad_buf(s, p, o, NULL, &buf, &len, &cap);
    w->b.p = buf;
    w->b.len = len;
    w->b.cap = cap;
    OOM(r);
    w->rows++;
    if ((st = flush(w)))
      return st;
  }
  return st == TRINE_DONE ? TRINE_OK : st;
}

static int write_to_file(void *ctx, const void *data, size_t len) {
  return fwrite(data, 1, len, ctx) == len ? 0 : -1;
}

/* CONSTRUCT and DESCRIBE as Turtle, triple by triple. */
static TrineStatus write_turtle(Writer *w) {
  TtlWriter *tw;
  TrineStatus st = ttlw_new(write_to_file, w->out, false, w->opts->prefixes,
                            w->opts->prefixes ? w->opts->nprefixes : 0, &tw);
  while (!st && (st = next(w)) == TRINE_ROW) {
    const TrineTerm *s = trine_query_term(w->q, 0);
    const TrineTerm *p = trine_query_term(w->q, 1);
    const TrineTerm *o = trine_query_term(w->q, 2);
    st = s && p && o ? ttlw_triple(tw, s, p, o) : TRINE_OK;
    w->rows++;
  }
  if (st == TRINE_DONE) st = ttlw_finish(tw);
  ttlw_free(tw);
  return st;
}

/* The table: every cell formatted first, then widths, then the lines.
 * Numbers are right-aligned; an IRI too wide is cut in the middle, so the
 * end that tells IRIs apart stays; other text is cut at its end. */
enum { CELL_TEXT, CELL_NUMBER, CELL_IRI };

typedef struct {
  char *text; ///< NULL: empty (unbound)
  size_t len, width;
  unsigned char kind;
} Cell;

typedef struct {
  size_t n;       ///< columns
  Cell *head;     ///< n
  Cell *cells;    ///< rows * n, row by row
  size_t ncells, cap;
  size_t *widths; ///< n
  bool *numbers;  ///< n: a column of numbers (its header right-aligned)
} Table;

static const char ellipsis[] = "\xE2\x80\xA6";

static void table_free(Table *t) {
  for (size_t i = 0; i < t->ncells; ++i)
    free(t->cells[i].text);
  for (size_t i = 0; t->head && i < t->n; ++i)
    free(t->head[i].text);
  free(t->cells);
  free(t->head);
  free(t->widths);
  free(t->numbers);
}

static unsigned char cell_kind(const TrineTerm *t) {
  if (t && t->kind == TRINE_TERM_IRI)
    return CELL_IRI;
  if (t && t->kind == TRINE_TERM_LITERAL && !has_lang(t) &&
      xt_numeric(xsd_type_of(t->datatype, t->datatype_len)))
    return CELL_NUMBER;
  return CELL_TEXT;
}

/* Take the text of b into c (b is left empty). */
static void cell_set(Cell *c, ResBuf *b, unsigned char kind) {
  c->kind = kind;
  c->len = b->len;
  c->width = trine_text_width(b->p, b->len);
  c->text = b->len ? b->p : NULL;
  if (!b->len)
    res_free(b);
  *b = (ResBuf){0};
}

static int table_head(Table *t, TrineQuery *q, TrineQueryForm form) {
  t->head = calloc(t->n, sizeof *t->head);
  t->widths = calloc(t->n, sizeof *t->widths);
  t->numbers = calloc(t->n, sizeof *t->numbers);
  if (!t->head || !t->widths || !t->numbers)
    return -1;
  for (size_t i = 0; i < t->n; ++i) {
    const char *name = trine_query_column_name(q, i);
    ResBuf b = {0};
    int r = form == TRINE_QUERY_ASK ? put_s(&b, "ASK")
            : form == TRINE_QUERY_SELECT ? put_c(&b, '?') || put_s(&b, name)
                                         : put_s(&b, name);
    cell_set(&t->head[i], &b, CELL_TEXT);
    if (r)
      return -1;
  }
  return 0;
}

/* Format the current row of q into the table. */
static int table_row(Table *t, Writer *w, TrineQueryForm form) {
  if (t->ncells + t->n > t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64 * t->n;
    Cell *c = realloc(t->cells, cap * sizeof *c);
    if (!c)
      return -1;
    t->cells = c;
    t->cap = cap;
  }
  for (size_t i = 0; i < t->n; ++i) {
    const TrineTerm *term = trine_query_term(w->q, i);
    ResBuf b = {0};
    int r = form == TRINE_QUERY_ASK
                ? put_s(&b, row_boolean(w->q) ? "true" : "false")
                : res_table_cell(&b, term, w->opts->prefixes,
                                 w->opts->prefixes ? w->opts->nprefixes : 0);
    cell_set(&t->cells[t->ncells++], &b,
             form == TRINE_QUERY_ASK ? CELL_TEXT : cell_kind(term));
    if (r)
      return -1;
  }
  return 0;
}

/* Widths from the cells; a column of numbers has its header on the right. */
static void table_measure(Table *t, bool headers) {
  for (size_t i = 0; i < t->n; ++i) {
    bool number = false, other = false;
    t->widths[i] = headers ? t->head[i].width : 0;
    for (size_t k = i; k < t->ncells; k += t->n) {
      const Cell *c = &t->cells[k];
      if (c->width > t->widths[i])
        t->widths[i] = c->width;
      if (c->text)
        *(c->kind == CELL_NUMBER ? &number : &other) = true;
    }
    t->numbers[i] = number && !other;
  }
}

/* Fit the width: shrink the widest column, one column at a time. */
static void table_fit(Table *t, size_t width) {
  size_t total = 2 * (t->n - 1);
  for (size_t i = 0; i < t->n; ++i)
    total += t->widths[i];
  while (width && total > width) {
    size_t wi = 0;
    for (size_t i = 1; i < t->n; ++i)
      if (t->widths[i] > t->widths[wi])
        wi = i;
    if (t->widths[wi] <= 3)
      break;
    t->widths[wi]--;
    total--;
  }
}

static int put_spaces(ResBuf *b, size_t n) {
  for (; n; --n)
    if (put_c(b, ' '))
      return -1;
  return 0;
}

/* Append c cut to cols columns; *shown gets the columns written. */
static int put_cut(ResBuf *b, const Cell *c, size_t cols, size_t *shown) {
  const char *s = c->text ? c->text : "";
  if (c->width <= cols) {
    *shown = c->width;
    return res_put(b, s, c->len);
  }
  if (!cols) {
    *shown = 0;
    return 0;
  }
  size_t keep = cols - 1, head_cols = c->kind == CELL_IRI ? keep / 2 : keep;
  size_t used, tail_used = 0;
  size_t head = width_prefix(s, c->len, head_cols, &used);
  size_t tail = c->kind == CELL_IRI
                    ? width_suffix(s, c->len, keep - used, &tail_used)
                    : c->len;
  *shown = used + 1 + tail_used;
  return res_put(b, s, head) || put_s(b, ellipsis) ||
         res_put(b, s + tail, c->len - tail);
}

/* One line of cells (n of them), aligned to the widths. */
static TrineStatus table_line(Writer *w, const Table *t, const Cell *cells,
                              bool head) {
  for (size_t i = 0; i < t->n; ++i) {
    const Cell *c = &cells[i];
    bool right = head ? t->numbers[i] : c->kind == CELL_NUMBER;
    size_t shown, pad = t->widths[i] - (c->width < t->widths[i] ? c->width : t->widths[i]);
    OOM(i && put_s(&w->b, "  "));
    OOM(right && put_spaces(&w->b, pad));
    OOM(put_cut(&w->b, c, t->widths[i], &shown));
    OOM(!right && i + 1 < t->n && put_spaces(&w->b, t->widths[i] - shown));
  }
  while (w->b.len && w->b.p[w->b.len - 1] == ' ')
    w->b.len--; // an unbound last cell
  OOM(put_c(&w->b, '\n'));
  return flush(w);
}

static TrineStatus table_rule(Writer *w, const Table *t) {
  for (size_t i = 0; i < t->n; ++i) {
    OOM(i && put_s(&w->b, "  "));
    for (size_t k = 0; k < t->widths[i]; ++k)
      OOM(put_c(&w->b, '-'));
  }
  OOM(put_c(&w->b, '\n'));
  return flush(w);
}

/* Read every row (at most max_rows) into t. */
static TrineStatus table_read(Table *t, Writer *w, TrineQueryForm form,
                              uint64_t *nrows) {
  TrineStatus st;
  while ((st = next(w)) == TRINE_ROW) {
    if (table_row(t, w, form))
      return TRINE_ERR_NOMEM;
    w->rows++; // counted as written once the table is out
    ++*nrows;
    if (form == TRINE_QUERY_ASK)
      return TRINE_DONE;
  }
  return st;
}

static TrineStatus table_write(Writer *w, Table *t, uint64_t nrows) {
  TrineStatus st = TRINE_OK;
  if (w->opts->headers &&
      ((st = table_line(w, t, t->head, true)) || (st = table_rule(w, t))))
    return st;
  for (uint64_t r = 0; r < nrows; ++r) {
    if ((st = table_line(w, t, t->cells + r * t->n, false)))
      return st;
    w->rows++;
  }
  return flush(w);
}

static TrineStatus write_table(Writer *w, TrineQueryForm form) {
  Table t = {.n = trine_query_columns(w->q)};
  if (!t.n) { // no columns: nothing to show, but rows to count
    TrineStatus st;
    while ((st = next(w)) == TRINE_ROW)
      w->rows++;
    return st == TRINE_DONE ? TRINE_OK : st;
  }
  uint64_t nrows = 0;
  TrineStatus st = table_head(&t, w->q, form) ? TRINE_ERR_NOMEM
                                              : table_read(&t, w, form, &nrows);
  if (st == TRINE_DONE) {
    w->rows = 0;
    table_measure(&t, w->opts->headers);
    table_fit(&t, w->opts->width);
    st = table_write(w, &t, nrows);
  }
  table_free(&t);
  return st;
}

/* The vertical form, for rows too wide for a table: each row a record
 * headed -[ RECORD n ]- (a blank line without headers), one "?name = value"
 * line per column, values never cut. */
static TrineStatus record_head(Writer *w, size_t namew) {
  char head[64];
  int n = snprintf(head, sizeof head, "-[ RECORD %llu ]-",
                   (unsigned long long)w->rows + 1);
  OOM(put_s(&w->b, head));
  for (size_t k = (size_t)n; k < namew + 3; ++k)
    OOM(put_c(&w->b, '-'));
  return put_c(&w->b, '\n') ? TRINE_ERR_NOMEM : TRINE_OK;
}

static TrineStatus record(Writer *w, const Table *t, size_t namew) {
  if (w->opts->headers ? record_head(w, namew) : w->rows && put_c(&w->b, '\n'))
    return TRINE_ERR_NOMEM;
  for (size_t i = 0; i < t->n; ++i) {
    const Cell *h = &t->head[i];
    OOM(res_put(&w->b, h->text, h->len) || put_spaces(&w->b, namew - h->width));
    OOM(put_s(&w->b, " = "));
    OOM(res_table_cell(&w->b, trine_query_term(w->q, i), w->opts->prefixes,
                       w->opts->prefixes ? w->opts->nprefixes : 0));
    while (w->b.p[w->b.len - 1] == ' ')
      w->b.len--; // unbound
    OOM(put_c(&w->b, '\n'));
  }
  w->rows++;
  return flush(w);
}

static TrineStatus write_lines(Writer *w, TrineQueryForm form) {
  Table t = {.n = trine_query_columns(w->q)};
  size_t namew = 0;
  TrineStatus st = table_head(&t, w->q, form) ? TRINE_ERR_NOMEM : TRINE_OK;
  for (size_t i = 0; !st && i < t.n; ++i)
    if (t.head[i].width > namew)
      namew = t.head[i].width;
  while (!st && (st = next(w)) == TRINE_ROW)
    st = record(w, &t, namew);
  table_free(&t);
  return st == TRINE_DONE ? TRINE_OK : st;
}

TrineStatus trine_query_write(TrineQuery *q, TrineResultFormat format,
                              const TrineWriteOptions *opts, FILE *out,
                              uint64_t *rows) {
  static const TrineWriteOptions defaults = {.headers = true};
  if (rows)
    *rows = 0;
  if (!q || !out)
    return api_misuse(NULL, "trine_query_write", q ? "out is NULL" : "query is NULL");
  if (format < TRINE_RESULTS_TABLE || format > TRINE_RESULTS_TURTLE)
    return TRINE_ERR_ARG;
  Writer w = {.q = q, .opts = opts ? opts : &defaults, .out = out};
  TrineQueryForm form = trine_query_form(q);
  TrineStatus st;
  if (form == TRINE_QUERY_UPDATE) {
    st = trine_query_step(q);
    return st == TRINE_ROW || st == TRINE_DONE ? TRINE_OK : st;
  }
  bool graph = form == TRINE_QUERY_CONSTRUCT || form == TRINE_QUERY_DESCRIBE;
  if (format == TRINE_RESULTS_TABLE ||
      (format == TRINE_RESULTS_LINE && form == TRINE_QUERY_ASK))
    st = write_table(&w, form);
  else if (format == TRINE_RESULTS_LINE)
    st = write_lines(&w, form);
  else if (graph && format == TRINE_RESULTS_TURTLE)
    st = write_turtle(&w);
  else if (graph)
    st = write_ntriples(&w);
  else if (format == TRINE_RESULTS_NTRIPLES || format == TRINE_RESULTS_TURTLE)
    st = TRINE_ERR_ARG; // solutions are not a graph
  else if (format == TRINE_RESULTS_JSON)
    st = write_json(&w, form);
  else if (format == TRINE_RESULTS_XML)
    st = write_xml(&w, form);
  else
    st = write_sv(&w, form, format == TRINE_RESULTS_CSV);
  res_free(&w.b);
  if (st == TRINE_OK && (fflush(out) != 0 || ferror(out)))
    st = TRINE_ERR_IO;
  if (rows)
    *rows = w.rows;
  return st;
}
