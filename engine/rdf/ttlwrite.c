/*
 * ttlwrite.c -- the streaming Turtle and TriG writer (see ttlwrite.h).
 *
 * Layout of the text: @prefix lines, then one statement per subject, a
 * blank line between statements; a subject's first predicate on its line,
 * the others each on a line of their own, indented; objects of one
 * predicate separated by ", " (a line of their own each once a line is
 * past column 80); [ ... ] and ( ... ) on one line. TriG
 * named graphs are "G {" ... "}" blocks with their statements indented.
 * Text is collected in a buffer and handed to the sink in chunks.
 */
#include "ttlwrite.h"

#include "term.h"
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64u << 10)
#define INDENT 4
#define WRAP 80 /* a statement's next object goes on a line of its own past this column */

enum { LV_TOP, LV_ANON, LV_LIST };

/* One open level: the statement, or a [ ] or ( ) being written. */
typedef struct {
  unsigned char kind;
  bool pred; ///< a predicate was written in it
  bool obj;  ///< an object was written after the current predicate
} Level;

typedef struct {
  char *p;
  size_t len, cap;
} Buf;

struct TtlWriter {
  TrineWriteFn fn;
  void *ctx;
  bool trig;
  char **pfx; ///< kept name, IRI pairs (room for pfxcap pairs, zeroed)
  size_t npfx, pfxcap;
  bool in_graph; ///< inside a named graph's block
  bool stmt;     ///< a statement is open
  bool any;      ///< a statement was written (blank lines between them)
  Level *lv;     ///< lv[0]: the statement level
  size_t depth, lvcap;
  Buf out;
  ptrdiff_t line_at;  ///< where in out the current line starts (<= 0: before it)
  Buf last_s, last_p; ///< ttlw_triple(): the previous subject, predicate
  bool have_last;
  TrineStatus err; ///< sticky: the first failure
};

/* Text ---------------------------------------------------------------------- */

static int buf_put(Buf *b, const void *s, size_t n) {
  if (n > b->cap - b->len) {
    if (n > SIZE_MAX / 2 - b->len) return -1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < n) cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p;
    b->cap = cap;
  }
  if (n) memcpy(b->p + b->len, s, n);
  b->len += n;
  return 0;
}

static TrineStatus fail(TtlWriter *w, TrineStatus st) {
  if (!w->err) w->err = st;
  return w->err;
}

/* Text that may hold line ends (terms never do: their escapes see to it). */
static TrineStatus put(TtlWriter *w, const char *s, size_t n) {
  if (w->err) return w->err;
  size_t at = w->out.len;
  if (buf_put(&w->out, s, n)) return fail(w, TRINE_ERR_NOMEM);
  const char *nl = n ? memrchr(s, '\n', n) : NULL;
  if (nl) w->line_at = (ptrdiff_t)(at + (size_t)(nl - s) + 1);
  return TRINE_OK;
}

static TrineStatus puts_(TtlWriter *w, const char *s) { return put(w, s, strlen(s)); }

/* The column (bytes since the last line end) the text has reached. */
static size_t column(const TtlWriter *w) { return (size_t)((ptrdiff_t)w->out.len - w->line_at); }

static TrineStatus flush(TtlWriter *w) {
  if (w->err) return w->err;
  if (w->out.len && w->fn(w->ctx, w->out.p, w->out.len)) return fail(w, TRINE_ERR_IO);
  w->line_at -= (ptrdiff_t)w->out.len;
  w->out.len = 0;
  return TRINE_OK;
}

/* Hand a full chunk to the sink: a statement may be longer than a chunk
 * (a subject with a million objects, a 50 MB literal). */
static TrineStatus maybe_flush(TtlWriter *w) {
  return w->out.len >= CHUNK ? flush(w) : w->err;
}

static TrineStatus indent(TtlWriter *w, size_t cols) {
  static const char spaces[] = "                ";
  while (cols && !w->err) {
    size_t k = cols < sizeof spaces - 1 ? cols : sizeof spaces - 1;
    put(w, spaces, k);
    cols -= k;
  }
  return w->err;
}

/* Names (Turtle grammar, section 6.5) --------------------------------------- */

static bool pn_chars_base(unsigned c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= 0xC0 && c <= 0xD6) ||
         (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static bool pn_chars_u(unsigned c) { return pn_chars_base(c) || c == '_'; }

static bool pn_chars(unsigned c) {
  return pn_chars_u(c) || c == '-' || (c >= '0' && c <= '9') || c == 0xB7 ||
         (c >= 0x300 && c <= 0x36F) || (c >= 0x203F && c <= 0x2040);
}

static bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The code point at s[i] (UTF-8, at most n - i bytes) and its length, or
 * 0 when the bytes are not UTF-8. */
static size_t next_cp(const char *s, size_t n, size_t i, unsigned *cp) {
  unsigned char c = (unsigned char)s[i];
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  return utf8_decode(s + i, n - i, cp);
}

bool ttl_is_local_name(const char *s, size_t n) {
  unsigned last = 0;
  for (size_t i = 0, k; i < n; i += k) {
    unsigned c;
    if (s[i] == '%') { /* PLX: a percent escape, kept as it is */
      if (i + 2 >= n || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
      k = 3;
      last = '0';
      continue;
    }
    if (!(k = next_cp(s, n, i, &c))) return false;
    bool ok = i == 0 ? pn_chars_u(c) || c == ':' || (c >= '0' && c <= '9')
                     : pn_chars(c) || c == '.' || c == ':';
    if (!ok) return false;
    last = c;
  }
  return last != '.';
}

bool ttl_is_prefix_name(const char *s, size_t n) {
  unsigned last = 0;
  for (size_t i = 0, k; i < n; i += k) {
    unsigned c;
    if (!(k = next_cp(s, n, i, &c))) return false;
    if (i == 0 ? !pn_chars_base(c) : !(pn_chars(c) || c == '.')) return false;
    last = c;
  }
  return last != '.';
}

/* An IRI that can stand in <> as it is: no character IRIREF forbids. */
static bool plain_iri(const char *s) {
  for (; *s; ++s)
    if ((unsigned char)*s <= 0x20 || strchr("<>\"{}|^`\\", *s)) return false;
  return true;
}

/* Terms ---------------------------------------------------------------------- */

static TrineStatus put_nt(TtlWriter *w, const TrineTerm *t) {
  if (w->err) return w->err;
  Buf *b = &w->out;
  return term_write_buf(t, &b->p, &b->len, &b->cap) ? fail(w, TRINE_ERR_NOMEM) : TRINE_OK;
}

static TrineStatus put_iri(TtlWriter *w, const char *iri, size_t n) {
  size_t best = SIZE_MAX, best_len = 0;
  for (size_t i = 0; i < w->npfx; ++i) {
    const char *ns = w->pfx[2 * i + 1];
    size_t nl = strlen(ns);
    if (nl > n || (best != SIZE_MAX && nl <= best_len) || memcmp(iri, ns, nl) != 0 ||
        !ttl_is_local_name(iri + nl, n - nl))
      continue;
    best = i;
    best_len = nl;
  }
  if (best == SIZE_MAX) {
    TrineTerm t = {TRINE_TERM_IRI, iri, n, NULL, 0, NULL, 0};
    return put_nt(w, &t);
  }
  puts_(w, w->pfx[2 * best]);
  put(w, ":", 1);
  return put(w, iri + best_len, n - best_len);
}

static bool dt_is(const TrineTerm *t, const char *local) {
  size_t nl = sizeof XSD_NS - 1, ll = strlen(local);
  return t->datatype_len == nl + ll && memcmp(t->datatype, XSD_NS, nl) == 0 &&
         memcmp(t->datatype + nl, local, ll) == 0;
}

static size_t digits(const char *s, size_t i, size_t n) {
  size_t j = i;
  while (j < n && s[j] >= '0' && s[j] <= '9') ++j;
  return j - i;
}

/* Whether s[0..n) is a Turtle INTEGER (0), DECIMAL (1) or DOUBLE (2). */
static bool number_form(const char *s, size_t n, int form) {
  size_t i = n && (s[0] == '+' || s[0] == '-');
  size_t a = digits(s, i, n);
  i += a;
  if (form == 0) return a && i == n;
  size_t b = 0;
  bool dot = i < n && s[i] == '.';
  if (dot) b = digits(s, ++i, n), i += b;
  if (form == 1) return dot && b && i == n;
  if (!(a || b) || i >= n || (s[i] != 'e' && s[i] != 'E')) return false;
  ++i;
  if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
  size_t e = digits(s, i, n);
  return e && i + e == n;
}

/* Whether literal t is written bare: a number or boolean in Turtle's form. */
static bool short_literal(const TrineTerm *t) {
  if (!t->datatype || t->lang_len) return false;
  const char *s = t->value;
  size_t n = t->value_len;
  if (dt_is(t, "integer")) return number_form(s, n, 0);
  if (dt_is(t, "decimal")) return number_form(s, n, 1);
  if (dt_is(t, "double")) return number_form(s, n, 2);
  if (dt_is(t, "boolean"))
    return (n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5));
  return false;
}

static TrineStatus put_literal(TtlWriter *w, const TrineTerm *t) {
  if (short_literal(t)) return put(w, t->value, t->value_len);
  TrineTerm plain = *t;
  bool typed = !t->lang_len && t->datatype_len &&
               !term_is_xsd_string(t->datatype, t->datatype_len);
  plain.datatype = NULL;
  plain.datatype_len = 0;
  put_nt(w, &plain);
  if (!typed) return w->err;
  put(w, "^^", 2);
  return put_iri(w, t->datatype, t->datatype_len);
}

static TrineStatus put_term(TtlWriter *w, const TrineTerm *t) {
  if (t->kind == TRINE_TERM_IRI) return put_iri(w, t->value, t->value_len);
  if (t->kind == TRINE_TERM_LITERAL) return put_literal(w, t);
  return put_nt(w, t);
}

/* Structure ------------------------------------------------------------------ */

static Level *top(TtlWriter *w) { return &w->lv[w->depth - 1]; }

static TrineStatus push(TtlWriter *w, unsigned char kind) {
  if (w->depth == w->lvcap) {
    size_t cap = w->lvcap * 2;
    Level *lv = realloc(w->lv, cap * sizeof *lv);
    if (!lv) return fail(w, TRINE_ERR_NOMEM);
    w->lv = lv;
    w->lvcap = cap;
  }
  w->lv[w->depth++] = (Level){kind, false, false};
  return w->err;
}

static size_t base_indent(const TtlWriter *w) { return w->in_graph ? INDENT : 0; }

/* Close the open statement (and whatever [ ] or ( ) a caller left open). */
static TrineStatus end_statement(TtlWriter *w) {
  while (w->depth > 1) {
    puts_(w, top(w)->kind == LV_LIST ? " )" : " ]");
    w->depth--;
  }
  if (w->stmt) puts_(w, " .\n");
  w->stmt = false;
  w->have_last = false;
  return maybe_flush(w);
}

TrineStatus ttlw_graph(TtlWriter *w, const TrineTerm *g) {
  if (!w->trig) return fail(w, TRINE_ERR_ARG);
  end_statement(w);
  if (w->in_graph) puts_(w, "}\n");
  w->in_graph = g && (g->kind == TRINE_TERM_IRI || g->kind == TRINE_TERM_BLANK);
  if (!w->in_graph) return w->err;
  if (w->any) put(w, "\n", 1);
  put_term(w, g);
  puts_(w, " {\n");
  w->any = false; /* no blank line before the block's first statement */
  return w->err;
}

TrineStatus ttlw_subject(TtlWriter *w, const TrineTerm *s) {
  end_statement(w);
  if (w->any) put(w, "\n", 1);
  indent(w, base_indent(w));
  put_term(w, s);
  w->stmt = w->any = true;
  w->lv[0] = (Level){LV_TOP, false, false};
  return w->err;
}

static bool is_rdf_type(const TrineTerm *p) {
  static const char type[] = RDF_NS "type";
  return p->kind == TRINE_TERM_IRI && p->value_len == sizeof type - 1 &&
         memcmp(p->value, type, sizeof type - 1) == 0;
}

TrineStatus ttlw_predicate(TtlWriter *w, const TrineTerm *p) {
  Level *l = top(w);
  if (!w->stmt || l->kind == LV_LIST) return fail(w, TRINE_ERR_ARG);
  if (!l->pred) {
    put(w, " ", 1);
  } else if (l->kind == LV_ANON) {
    put(w, " ; ", 3);
  } else {
    put(w, " ;\n", 3);
    indent(w, base_indent(w) + INDENT);
  }
  l->pred = true;
  l->obj = false;
  is_rdf_type(p) ? put(w, "a", 1) : put_term(w, p);
  return maybe_flush(w);
}

/* The separator before an object or list item; a statement's next object
 * goes on a line of its own when the line is past WRAP already. */
static TrineStatus object_sep(TtlWriter *w) {
  Level *l = top(w);
  if (!w->stmt || (l->kind != LV_LIST && !l->pred)) return fail(w, TRINE_ERR_ARG);
  if (l->kind == LV_TOP && l->obj && column(w) > WRAP) {
    puts_(w, ",\n");
    indent(w, base_indent(w) + 2 * INDENT);
  } else {
    puts_(w, l->kind != LV_LIST && l->obj ? ", " : " ");
  }
  l->obj = true;
  return w->err;
}

/* The ", " + object written at mark would end past WRAP: put the object on
 * a line of its own instead. */
static TrineStatus wrap_object(TtlWriter *w, size_t mark) {
  size_t cols = base_indent(w) + 2 * INDENT, term = w->out.len - mark - 2;
  if (w->err || indent(w, cols)) return w->err; /* room for the indentation */
  char *at = w->out.p + mark;
  memmove(at + 2 + cols, at + 2, term);
  at[1] = '\n';
  memset(at + 2, ' ', cols);
  w->line_at = (ptrdiff_t)mark + 2;
  return TRINE_OK;
}

static bool is_rdf_nil(const TrineTerm *o) {
  static const char nil[] = RDF_NS "nil";
  return o->kind == TRINE_TERM_IRI && o->value_len == sizeof nil - 1 &&
         memcmp(o->value, nil, sizeof nil - 1) == 0;
}

TrineStatus ttlw_object(TtlWriter *w, const TrineTerm *o) {
  Level *l = top(w);
  bool next = l->kind == LV_TOP && l->obj;
  size_t mark = w->out.len, col = column(w);
  if (object_sep(w)) return w->err;
  bool same_line = next && w->out.p[mark + 1] == ' '; /* ", ": object_sep() did not wrap */
  is_rdf_nil(o) ? put(w, "()", 2) : put_term(w, o);
  if (same_line && col + (w->out.len - mark) > WRAP) wrap_object(w, mark);
  return maybe_flush(w);
}

TrineStatus ttlw_anon_begin(TtlWriter *w) {
  if (object_sep(w)) return w->err;
  put(w, "[", 1);
  return push(w, LV_ANON);
}

TrineStatus ttlw_list_begin(TtlWriter *w) {
  if (object_sep(w)) return w->err;
  put(w, "(", 1);
  return push(w, LV_LIST);
}

static TrineStatus close_level(TtlWriter *w, unsigned char kind, const char *end) {
  Level *l = top(w);
  if (w->depth < 2 || l->kind != kind) return fail(w, TRINE_ERR_ARG);
  bool empty = kind == LV_ANON ? !l->pred : !l->obj;
  if (!empty) put(w, " ", 1);
  w->depth--;
  return puts_(w, end);
}

TrineStatus ttlw_anon_end(TtlWriter *w) { return close_level(w, LV_ANON, "]"); }

TrineStatus ttlw_list_end(TtlWriter *w) { return close_level(w, LV_LIST, ")"); }

/* ttlw_triple(): whether t is the term whose N-Triples text b keeps; b
 * then keeps t's. */
static bool same_term(TtlWriter *w, Buf *b, const TrineTerm *t) {
  size_t mark = w->out.len;
  if (put_nt(w, t)) return false;
  size_t n = w->out.len - mark;
  bool same = w->have_last && n == b->len && memcmp(b->p, w->out.p + mark, n) == 0;
  if (!same) {
    b->len = 0;
    if (buf_put(b, w->out.p + mark, n)) fail(w, TRINE_ERR_NOMEM);
  }
  w->out.len = mark;
  return same;
}

TrineStatus ttlw_triple(TtlWriter *w, const TrineTerm *s, const TrineTerm *p,
                        const TrineTerm *o) {
  bool same_s = same_term(w, &w->last_s, s);
  bool same_p = same_s && same_term(w, &w->last_p, p);
  if (!same_s) same_term(w, &w->last_p, p);
  if (w->err) return w->err;
  if (!same_s) ttlw_subject(w, s);
  if (!same_p) ttlw_predicate(w, p);
  w->have_last = true;
  return ttlw_object(w, o);
}

TrineStatus ttlw_finish(TtlWriter *w) {
  end_statement(w);
  if (w->in_graph) puts_(w, "}\n");
  w->in_graph = false;
  return flush(w);
}

/* Set up ---------------------------------------------------------------------- */

static bool name_taken(const TtlWriter *w, const char *name) {
  for (size_t i = 0; i < w->npfx; ++i)
    if (strcmp(w->pfx[2 * i], name) == 0) return true;
  return false;
}

static TrineStatus keep_prefixes(TtlWriter *w, const char *const *prefixes, size_t npairs) {
  if (!npairs) return TRINE_OK;
  if (!(w->pfx = calloc(2 * npairs, sizeof *w->pfx))) return TRINE_ERR_NOMEM;
  w->pfxcap = npairs;
  for (size_t i = 0; i < npairs; ++i) {
    const char *name = prefixes[2 * i], *iri = prefixes[2 * i + 1];
    if (!name || !iri || !ttl_is_prefix_name(name, strlen(name)) || !*iri || !plain_iri(iri) ||
        name_taken(w, name))
      continue;
    char *n = strdup(name), *v = strdup(iri);
    w->pfx[2 * w->npfx] = n;
    w->pfx[2 * w->npfx + 1] = v;
    if (!n || !v) return TRINE_ERR_NOMEM;
    w->npfx++;
    puts_(w, "@prefix ");
    puts_(w, n);
    puts_(w, ": <");
    puts_(w, v);
    puts_(w, "> .\n");
  }
  if (w->npfx) put(w, "\n", 1);
  return w->err;
}

TrineStatus ttlw_new(TrineWriteFn fn, void *ctx, bool trig, const char *const *prefixes,
                     size_t npairs, TtlWriter **out) {
  *out = NULL;
  TtlWriter *w = calloc(1, sizeof *w);
  if (!w || !(w->lv = malloc(8 * sizeof *w->lv))) {
    free(w);
    return TRINE_ERR_NOMEM;
  }
  w->fn = fn;
  w->ctx = ctx;
  w->trig = trig;
  w->lvcap = 8;
  w->depth = 1;
  w->lv[0] = (Level){LV_TOP, false, false};
  TrineStatus st = prefixes ? keep_prefixes(w, prefixes, npairs) : TRINE_OK;
  if (st) {
    ttlw_free(w);
    return st;
  }
  *out = w;
  return TRINE_OK;
}

void ttlw_free(TtlWriter *w) {
  if (!w) return;
  for (size_t i = 0; i < 2 * w->pfxcap; ++i) free(w->pfx[i]);
  free(w->pfx);
  free(w->lv);
  free(w->out.p);
  free(w->last_s.p);
  free(w->last_p.p);
  free(w);
}
