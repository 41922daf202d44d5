/*
 * ntparse.c -- streaming, strict RDF 1.1 N-Triples / N-Quads parser.
 *
 * nt_parser_feed() cuts each chunk after its last line end: the complete
 * lines are parsed in place (terms point into the caller's chunk), the tail
 * is copied to a carry buffer that the next chunk completes. A complete line
 * always ends with CR or LF, and no token may contain either, so every
 * scanner below stops at the line end by itself: the line end is a sentinel
 * and the inner loops never compare against the end of the buffer.
 */
#include "ntparse.h"
#include "term.h"
#include "utf8.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && defined(__GNUC__)
#include <emmintrin.h>
#define HAVE_SSE2 1
#endif

#if defined(__GNUC__)
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define PRINTF(f, a)
#define LIKELY(x) (x)
#endif

/* Byte classes ------------------------------------------------------------- */

enum {
  F_IRI = 1,      // ASCII allowed unescaped in IRIREF (not '>'; DEL is)
  F_STR = 2,      // ASCII allowed unescaped in STRING_LITERAL_QUOTE
  F_PN = 4,       // ASCII PN_CHARS or '.' (blank node label body)
  F_PNSTART = 8,  // ASCII PN_CHARS_U or digit (blank node label start)
  F_COMMENT = 16, // ASCII allowed in a comment (all but CR and LF)
  F_ALPHA = 32,   // [A-Za-z]
  F_ALNUM = 64    // [A-Za-z0-9]
};

static const uint8_t cls[256] = {
    0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x00, 0x12,
    0x12, 0x00, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12,
    0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x13, 0x10, 0x13,
    0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x13, 0x17, 0x17, 0x13,
    0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x5f, 0x13, 0x13,
    0x12, 0x13, 0x12, 0x13, 0x13, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
    0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
    0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x13, 0x10, 0x13, 0x12, 0x1f,
    0x12, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
    0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
    0x7f, 0x7f, 0x7f, 0x12, 0x12, 0x12, 0x13, 0x13,
    // 0x80-0xFF: none; non-ASCII is decoded and validated separately.
};

#define U(c) ((uint8_t)(c))
#define IS(c, f) (cls[U(c)] & (f))

static inline bool is_eol(char c) { return c == '\n' || c == '\r'; }

static inline int hexval(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

/*
 * Non-ASCII is decoded with utf8_decode(s, UTF8_MAX, &cp): a cut-short
 * sequence meets the line end, which is no continuation byte, so it never
 * reads past it.
 */

/*
 * Skip bytes allowed unescaped in IRIREF (F_IRI), 16 at a time, while 16
 * bytes remain before end; the byte loop of the caller does the rest. IRIs
 * are most of the bytes of typical N-Triples.
 */
static inline const char *skip_iri_fast(const char *q, const char *end) {
#ifdef HAVE_SSE2
  while (end - q >= 16) {
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
#define EQ(c) _mm_cmpeq_epi8(v, _mm_set1_epi8(c))
    const __m128i bad = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(EQ('<'), EQ('>')), _mm_or_si128(EQ('"'), EQ('{'))),
        _mm_or_si128(_mm_or_si128(EQ('}'), EQ('|')),
                     _mm_or_si128(_mm_or_si128(EQ('^'), EQ('`')), EQ('\\'))));
#undef EQ
    // Signed compare: > 0x20 rules out controls, space and bytes >= 0x80.
    const __m128i ok =
        _mm_andnot_si128(bad, _mm_cmpgt_epi8(v, _mm_set1_epi8(0x20)));
    const unsigned stop = ~(unsigned)_mm_movemask_epi8(ok) & 0xFFFF;
    if (stop)
      return q + __builtin_ctz(stop);
    q += 16;
  }
#else
  (void)end;
#endif
  return q;
}

/* Skip bytes allowed unescaped in STRING_LITERAL_QUOTE (F_STR) likewise. */
static inline const char *skip_str_fast(const char *q, const char *end) {
#ifdef HAVE_SSE2
  while (end - q >= 16) {
    const __m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
#define EQ(c) _mm_cmpeq_epi8(v, _mm_set1_epi8(c))
    const __m128i bad = _mm_or_si128(_mm_or_si128(EQ('"'), EQ('\\')),
                                     _mm_or_si128(EQ('\n'), EQ('\r')));
#undef EQ
    // The sign bits are the bytes >= 0x80.
    const unsigned stop = (unsigned)_mm_movemask_epi8(_mm_or_si128(bad, v));
    if (stop)
      return q + __builtin_ctz(stop);
    q += 16;
  }
#else
  (void)end;
#endif
  return q;
}

/* Parser state ------------------------------------------------------------- */

/* A string of a term: a view of the input, or (scratch) an offset into the
 * scratch buffer, which may move until the statement is complete. */
typedef struct {
  const char *ptr;
  size_t off, len;
  bool scratch;
} Span;

typedef struct {
  TrineTermKind kind;
  Span val, dt, lang;
} Tok;

struct NtParser {
  NtStatementFn fn;
  void *ctx;
  TrineErrorSink sink;
  void *sink_ctx;
  char *source;           // owned copy, or NULL
  unsigned max_errors;
  unsigned errors;
  unsigned line;          // 1-based line being parsed
  bool nquads;
  bool last_cr;           // the last byte consumed was a CR line end
  bool finished;
  TrineStatus status;     // sticky: why the parse stopped, or TRINE_OK
  const char *line_start; // of the line being parsed, for columns
  const char *end;        // of the lines being parsed (bounds skip_iri_fast)
  const char *err_at;     // where the last error was found
  char *carry;            // incomplete last line (owned)
  size_t carry_len, carry_cap;
  char *scratch;          // unescaped strings of the current statement (owned)
  size_t scratch_len, scratch_cap;
  char msg[128];
};

/* Errors ------------------------------------------------------------------- */

static unsigned column(const char *line_start, const char *at) {
  // count code points, not bytes
  return 1 + (unsigned)utf8_count(line_start, (size_t)(at - line_start));
}

/* Report a syntax error at `at`. Returns NULL so parsers can return it. */
PRINTF(3, 4)
static const char *fail(NtParser *p, const char *at, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->msg, sizeof p->msg, fmt, ap);
  va_end(ap);
  p->err_at = at;
  ++p->errors;
  if (p->sink) {
    TrineError e = {TRINE_ERR_SYNTAX, p->source, p->line,
                    column(p->line_start, at), p->msg};
    p->sink(p->sink_ctx, &e);
  }
  return NULL;
}

static const char *bad_utf8(NtParser *p, const char *at) {
  return fail(p, at, "invalid UTF-8 byte 0x%02X", U(*at));
}

/* A short name of the character at `at` for messages. */
static const char *describe(const char *at, char buf[16]) {
  unsigned cp = U(*at);
  if (is_eol(*at))
    return "end of line";
  if (cp >= 0x20 && cp < 0x7F)
    snprintf(buf, 16, "'%c'", (char)cp);
  else if (cp < 0x80 || utf8_decode(at, UTF8_MAX, &cp))
    snprintf(buf, 16, "U+%04X", cp);
  else
    snprintf(buf, 16, "byte 0x%02X", cp);
  return buf;
}

/* An unexpected character: invalid UTF-8 is reported as such first. */
static const char *unexpected(NtParser *p, const char *at, const char *msg) {
  unsigned cp;
  if (U(*at) >= 0x80 && !utf8_decode(at, UTF8_MAX, &cp))
    return bad_utf8(p, at);
  return fail(p, at, "%s", msg);
}

/* Buffers ------------------------------------------------------------------ */

static bool grow(NtParser *p, char **buf, size_t *cap, size_t need) {
  if (need <= *cap)
    return true;
  size_t n = *cap ? *cap : 256;
  while (n < need) {
    if (n > SIZE_MAX / 2) {
      n = need;
      break;
    }
    n *= 2;
  }
  char *b = realloc(*buf, n);
  if (!b) {
    p->status = TRINE_ERR_NOMEM;
    return false;
  }
  *buf = b;
  *cap = n;
  return true;
}

/* Append to the scratch buffer; false (status NOMEM) when out of memory. */
static inline bool put(NtParser *p, const char *s, size_t n) {
  if (!n)
    return true; // memcpy() wants a buffer even for nothing
  if (n > p->scratch_cap - p->scratch_len &&
      !grow(p, &p->scratch, &p->scratch_cap, p->scratch_len + n))
    return false;
  memcpy(p->scratch + p->scratch_len, s, n);
  p->scratch_len += n;
  return true;
}

static bool put_utf8(NtParser *p, unsigned c) {
  char b[UTF8_MAX];
  return put(p, b, utf8_encode(c, b));
}

static inline const char *span_ptr(const NtParser *p, const Span *s) {
  return s->scratch ? p->scratch + s->off : s->ptr;
}

/* Tokens ------------------------------------------------------------------- */

static inline const char *skip_ws(const char *q) {
  while (*q == ' ' || *q == '\t')
    ++q;
  return q;
}

/* Skip a comment from '#' to the line end, validating its UTF-8. */
static const char *skip_comment(NtParser *p, const char *q) {
  unsigned cp;
  for (;;) {
    while (IS(*q, F_COMMENT))
      ++q;
    if (U(*q) < 0x80)
      return q; // line end
    size_t n = utf8_decode(q, UTF8_MAX, &cp);
    if (!n)
      return bad_utf8(p, q);
    q += n;
  }
}

/* Read a UCHAR at q ('\\' then 'u' or 'U'), returning the position after it
 * and the code point in *cp, which must be a Unicode scalar value. */
static const char *read_uchar(NtParser *p, const char *q, unsigned *cp) {
  const int n = q[1] == 'u' ? 4 : 8;
  unsigned v = 0;
  for (int i = 0; i < n; ++i) {
    int h = hexval(q[2 + i]);
    if (h < 0) {
      char b[16];
      return fail(p, q + 2 + i, "invalid hex digit %s in escape sequence",
                  describe(q + 2 + i, b));
    }
    v = (v << 4) | (unsigned)h;
  }
  if ((v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
    return fail(p, q, "escape sequence encodes invalid code point U+%04X", v);
  *cp = v;
  return q + 2 + n;
}

/* Whether an IRI is absolute: scheme = ALPHA *(ALPHA / DIGIT / + / - / .) ':'.
 */
static bool absolute(const char *s, size_t n) {
  if (!n || !IS(s[0], F_ALPHA))
    return false;
  for (size_t i = 1; i < n; ++i) {
    if (s[i] == ':')
      return true;
    if (!IS(s[i], F_ALNUM) && s[i] != '+' && s[i] != '-' && s[i] != '.')
      return false;
  }
  return false;
}

static const char *bad_iri_char(NtParser *p, const char *q, const char *lt) {
  char b[16];
  if (is_eol(*q))
    return fail(p, lt, "unterminated IRI");
  if (U(*q) >= 0x80)
    return bad_utf8(p, q);
  return fail(p, q, "invalid character %s in IRI", describe(q, b));
}

/* Finish an IRI containing escapes: q is the first '\\', start the first
 * character after '<'; the value is built in the scratch buffer. */
static const char *read_iri_escaped(NtParser *p, const char *lt,
                                    const char *q, Span *out) {
  const char *start = lt + 1;
  const size_t off = p->scratch_len;
  unsigned cp;
  if (!put(p, start, (size_t)(q - start)))
    return NULL;
  for (;;) {
    const char *run = q;
    while (IS(*q, F_IRI))
      ++q;
    if (!put(p, run, (size_t)(q - run)))
      return NULL;
    if (*q == '>')
      break;
    if (*q == '\\') {
      if (q[1] != 'u' && q[1] != 'U') {
        char b[16];
        return fail(p, q, "invalid escape sequence '\\%s' in IRI",
                    is_eol(q[1]) || U(q[1]) < 0x20 || U(q[1]) >= 0x7F
                        ? ""
                        : (snprintf(b, sizeof b, "%c", q[1]), b));
      }
      if (!(q = read_uchar(p, q, &cp)) || !put_utf8(p, cp))
        return NULL;
    } else if (U(*q) >= 0x80) {
      size_t n = utf8_decode(q, UTF8_MAX, &cp);
      if (!n)
        return bad_utf8(p, q);
      if (!put(p, q, n))
        return NULL;
      q += n;
    } else {
      return bad_iri_char(p, q, lt);
    }
  }
  *out = (Span){NULL, off, p->scratch_len - off, true};
  if (!absolute(p->scratch + off, out->len))
    return fail(p, lt, "relative IRI not allowed");
  return q + 1;
}

/* Read an IRIREF at q ('<'). */
static const char *read_iri(NtParser *p, const char *lt, Span *out) {
  const char *start = lt + 1, *q = start;
  unsigned cp;
  for (;;) {
    q = skip_iri_fast(q, p->end);
    while (IS(*q, F_IRI))
      ++q;
    if (LIKELY(*q == '>'))
      break;
    if (*q == '\\')
      return read_iri_escaped(p, lt, q, out);
    if (U(*q) < 0x80)
      return bad_iri_char(p, q, lt);
    size_t n = utf8_decode(q, UTF8_MAX, &cp);
    if (!n)
      return bad_utf8(p, q);
    q += n;
  }
  if (!absolute(start, (size_t)(q - start)))
    return fail(p, lt, "relative IRI not allowed");
  *out = (Span){start, 0, (size_t)(q - start), false};
  return q + 1;
}

/* Read a BLANK_NODE_LABEL at q ('_'). */
static const char *read_blank(NtParser *p, const char *q, Span *out) {
  char b[16];
  unsigned cp;
  if (q[1] != ':')
    return unexpected(p, q + 1, "expected ':' after '_' in blank node");
  const char *start = q + 2, *r = start;
  if (IS(*r, F_PNSTART)) {
    ++r;
  } else if (U(*r) >= 0x80) {
    size_t n = utf8_decode(r, UTF8_MAX, &cp);
    if (!n)
      return bad_utf8(p, r);
    if (!utf8_pn_base(cp))
      return fail(p, r, "invalid character %s at start of blank node label",
                  describe(r, b));
    r += n;
  } else if (is_eol(*r) || *r == ' ' || *r == '\t') {
    return fail(p, r, "empty blank node label");
  } else {
    return fail(p, r, "invalid character %s at start of blank node label",
                describe(r, b));
  }
  for (;;) {
    while (IS(*r, F_PN))
      ++r;
    if (U(*r) < 0x80)
      break;
    size_t n = utf8_decode(r, UTF8_MAX, &cp);
    if (!n)
      return bad_utf8(p, r);
    if (!utf8_pn_char(cp))
      break;
    r += n;
  }
  while (r[-1] == '.') // a label cannot end with '.': it ends the statement
    --r;
  if (r - start > TERM_MAX_BLANK_LABEL)
    return fail(p, start, "blank node label longer than %d bytes", TERM_MAX_BLANK_LABEL);
  *out = (Span){start, 0, (size_t)(r - start), false};
  return r;
}

/* Finish a literal containing escapes: q is the first '\\'. */
static const char *read_string_escaped(NtParser *p, const char *start,
                                       const char *q, Span *out) {
  const size_t off = p->scratch_len;
  unsigned cp;
  if (!put(p, start, (size_t)(q - start)))
    return NULL;
  for (;;) {
    const char *run = q;
    while (IS(*q, F_STR))
      ++q;
    if (!put(p, run, (size_t)(q - run)))
      return NULL;
    if (*q == '"')
      break;
    if (*q == '\\') {
      char c;
      switch (q[1]) {
      case 't': c = '\t'; break;
      case 'b': c = '\b'; break;
      case 'n': c = '\n'; break;
      case 'r': c = '\r'; break;
      case 'f': c = '\f'; break;
      case '"': c = '"'; break;
      case '\'': c = '\''; break;
      case '\\': c = '\\'; break;
      case 'u':
      case 'U':
        if (!(q = read_uchar(p, q, &cp)) || !put_utf8(p, cp))
          return NULL;
        continue;
      default:
        if (U(q[1]) > 0x20 && U(q[1]) < 0x7F)
          return fail(p, q, "invalid escape sequence '\\%c'", q[1]);
        return fail(p, q, "invalid escape sequence");
      }
      if (!put(p, &c, 1))
        return NULL;
      q += 2;
    } else if (U(*q) >= 0x80) {
      size_t n = utf8_decode(q, UTF8_MAX, &cp);
      if (!n)
        return bad_utf8(p, q);
      if (!put(p, q, n))
        return NULL;
      q += n;
    } else {
      return fail(p, start - 1, "unterminated string literal");
    }
  }
  *out = (Span){NULL, off, p->scratch_len - off, true};
  return q + 1;
}

/* Read a STRING_LITERAL_QUOTE at q ('"'). */
static const char *read_string(NtParser *p, const char *q, Span *out) {
  const char *start = q + 1;
  unsigned cp;
  q = start;
  for (;;) {
    q = skip_str_fast(q, p->end);
    while (IS(*q, F_STR))
      ++q;
    if (LIKELY(*q == '"'))
      break;
    if (*q == '\\')
      return read_string_escaped(p, start, q, out);
    if (U(*q) < 0x80)
      return fail(p, start - 1, "unterminated string literal");
    size_t n = utf8_decode(q, UTF8_MAX, &cp);
    if (!n)
      return bad_utf8(p, q);
    q += n;
  }
  *out = (Span){start, 0, (size_t)(q - start), false};
  return q + 1;
}

/* Read a LANGTAG at q ('@'), lowercased into the scratch buffer if needed. */
static const char *read_lang(NtParser *p, const char *q, Span *out) {
  const char *start = q + 1;
  char b[16];
  bool upper = false;
  q = start;
  if (!IS(*q, F_ALPHA))
    return unexpected(p, q, "language tag must start with a letter");
  while (IS(*q, F_ALPHA))
    upper |= *q++ <= 'Z';
  while (*q == '-') {
    if (!IS(q[1], F_ALNUM))
      return unexpected(p, q + 1, "empty language subtag");
    for (++q; IS(*q, F_ALNUM); ++q)
      upper |= *q >= 'A' && *q <= 'Z';
  }
  if (IS(*q, F_PNSTART))
    return fail(p, q, "invalid character %s in language tag", describe(q, b));
  const size_t n = (size_t)(q - start);
  if (!upper) {
    *out = (Span){start, 0, n, false};
    return q;
  }
  const size_t off = p->scratch_len;
  if (!put(p, start, n))
    return NULL;
  for (char *s = p->scratch + off; s < p->scratch + off + n; ++s)
    if (*s >= 'A' && *s <= 'Z')
      *s = (char)(*s - 'A' + 'a');
  *out = (Span){NULL, off, n, true};
  return q;
}

/* Read a literal at q ('"') with its optional language tag or datatype. */
static const char *read_literal(NtParser *p, const char *q, Tok *t) {
  t->kind = TRINE_TERM_LITERAL;
  if (!(q = read_string(p, q, &t->val)))
    return NULL;
  if (!t->val.len && *q == '"')
    return fail(p, q - 2, "long string literals not allowed");
  // White space is allowed around '^^' and before LANGTAG: literal is not a
  // terminal of the grammar.
  const char *r = skip_ws(q);
  if (*r == '@')
    return read_lang(p, r, &t->lang);
  if (*r != '^')
    return q;
  if (r[1] != '^')
    return unexpected(p, r + 1, "expected '^^' before datatype IRI");
  r = skip_ws(r + 2);
  if (*r != '<')
    return unexpected(p, r, "expected datatype IRI after '^^'");
  if (!(r = read_iri(p, r, &t->dt)))
    return NULL;
  if (term_is_xsd_string(span_ptr(p, &t->dt), t->dt.len))
    t->dt = (Span){NULL, 0, 0, false}; // explicit xsd:string: a simple literal
  return r;
}

/* Statements --------------------------------------------------------------- */

static void to_term(const NtParser *p, const Tok *t, TrineTerm *out) {
  out->kind = t->kind;
  out->value = span_ptr(p, &t->val);
  out->value_len = t->val.len;
  out->datatype = t->dt.len ? span_ptr(p, &t->dt) : NULL;
  out->datatype_len = t->dt.len;
  out->lang = t->lang.len ? span_ptr(p, &t->lang) : NULL;
  out->lang_len = t->lang.len;
}

static const char *deliver(NtParser *p, const Tok t[4], const char *eol) {
  if (p->errors)
    return eol; // after an error, statements are checked but not delivered
  NtStatement st;
  to_term(p, &t[0], &st.s);
  to_term(p, &t[1], &st.p);
  to_term(p, &t[2], &st.o);
  to_term(p, &t[3], &st.g);
  st.line = p->line;
  TrineStatus rc = p->fn ? p->fn(p->ctx, &st) : TRINE_OK;
  if (rc != TRINE_OK) {
    p->status = rc;
    return NULL;
  }
  return eol;
}

/* Parse a statement at q (neither blank nor a line end); returns its line end
 * or NULL (error, or the callback stopped the parse). */
static const char *parse_statement(NtParser *p, const char *q) {
  Tok t[4] = {{TRINE_TERM_IRI, {0}, {0}, {0}},
              {TRINE_TERM_IRI, {0}, {0}, {0}},
              {TRINE_TERM_IRI, {0}, {0}, {0}},
              {TRINE_TERM_DEFAULT_GRAPH, {0}, {0}, {0}}};
  p->scratch_len = 0;

  if (*q == '<') {
    q = read_iri(p, q, &t[0].val);
  } else if (*q == '_') {
    t[0].kind = TRINE_TERM_BLANK;
    q = read_blank(p, q, &t[0].val);
  } else if (*q == '@') {
    return fail(p, q, "directives not allowed in %s",
                p->nquads ? "N-Quads" : "N-Triples");
  } else {
    return unexpected(p, q,
                      *q == '"' ? "literal not allowed as subject"
                                : "expected IRI or blank node as subject");
  }
  if (!q)
    return NULL;

  q = skip_ws(q);
  if (*q != '<')
    return unexpected(p, q,
                      *q == '_'   ? "blank node not allowed as predicate"
                      : *q == '"' ? "literal not allowed as predicate"
                                  : "expected IRI as predicate");
  if (!(q = read_iri(p, q, &t[1].val)))
    return NULL;

  q = skip_ws(q);
  if (*q == '<') {
    q = read_iri(p, q, &t[2].val);
  } else if (*q == '_') {
    t[2].kind = TRINE_TERM_BLANK;
    q = read_blank(p, q, &t[2].val);
  } else if (*q == '"') {
    q = read_literal(p, q, &t[2]);
  } else {
    return unexpected(p, q, "expected IRI, blank node or literal as object");
  }
  if (!q)
    return NULL;

  q = skip_ws(q);
  if (*q == '<' || *q == '_' || *q == '"') {
    if (!p->nquads)
      return fail(p, q, "graph label not allowed in N-Triples");
    if (*q == '"')
      return fail(p, q, "literal not allowed as graph label");
    t[3].kind = *q == '<' ? TRINE_TERM_IRI : TRINE_TERM_BLANK;
    q = *q == '<' ? read_iri(p, q, &t[3].val) : read_blank(p, q, &t[3].val);
    if (!q)
      return NULL;
    q = skip_ws(q);
  }

  if (*q != '.')
    return unexpected(p, q, "expected '.' at end of statement");
  q = skip_ws(q + 1);
  if (*q == '#' && !(q = skip_comment(p, q)))
    return NULL;
  if (!is_eol(*q))
    return unexpected(p, q, "expected end of line after '.'");
  return deliver(p, t, q);
}

/* Parse one line from q (not a line end); returns its line end, or NULL. */
static const char *parse_line(NtParser *p, const char *q) {
  q = skip_ws(q);
  if (*q == '#')
    return skip_comment(p, q);
  if (is_eol(*q))
    return q;
  return parse_statement(p, q);
}

/* Parse the complete lines in [q, end): end[-1] is a line end. */
static void parse_lines(NtParser *p, const char *q, const char *end) {
  p->end = end;
  while (q < end) {
    if (*q == '\n') { // LF ends a line, unless it is the LF of a CRLF
      p->line += !p->last_cr;
      p->last_cr = false;
      ++q;
      continue;
    }
    if (*q == '\r') {
      ++p->line;
      p->last_cr = true;
      ++q;
      continue;
    }
    p->last_cr = false;
    p->line_start = q;
    const char *r = parse_line(p, q);
    if (!r) {
      if (p->status != TRINE_OK)
        return;
      if (p->errors >= p->max_errors) {
        p->status = TRINE_ERR_SYNTAX;
        return;
      }
      for (r = p->err_at; !is_eol(*r); ++r) {
      }
    }
    q = r;
  }
}

/* Public API --------------------------------------------------------------- */

NtParser *nt_parser_new(const char *source, bool nquads, NtStatementFn fn,
                        void *ctx, TrineErrorSink sink, void *sink_ctx,
                        unsigned max_errors) {
  NtParser *p = calloc(1, sizeof *p);
  if (!p)
    return NULL;
  if (source) {
    size_t n = strlen(source) + 1;
    if (!(p->source = malloc(n))) {
      free(p);
      return NULL;
    }
    memcpy(p->source, source, n);
  }
  p->nquads = nquads;
  p->fn = fn;
  p->ctx = ctx;
  p->sink = sink;
  p->sink_ctx = sink_ctx;
  p->max_errors = max_errors ? max_errors : 1;
  p->line = 1;
  return p;
}

static bool carry(NtParser *p, const char *s, size_t n) {
  if (n > p->carry_cap - p->carry_len &&
      !grow(p, &p->carry, &p->carry_cap, p->carry_len + n))
    return false;
  memcpy(p->carry + p->carry_len, s, n);
  p->carry_len += n;
  return true;
}

/* The first line end in [s, end), or NULL. */
static const char *first_eol(const char *s, const char *end) {
  const char *lf = memchr(s, '\n', (size_t)(end - s));
  const char *cr = memchr(s, '\r', (size_t)((lf ? lf : end) - s));
  return cr ? cr : lf;
}

TrineStatus nt_parser_feed(NtParser *p, const char *data, size_t len) {
  if (p->finished)
    return p->status != TRINE_OK ? p->status : TRINE_ERR_ARG;
  if (p->status != TRINE_OK || !len)
    return p->status;
  const char *end = data + len;
  if (p->carry_len) { // complete the pending line first
    const char *eol = first_eol(data, end);
    if (!eol) {
      carry(p, data, len);
      return p->status;
    }
    if (!carry(p, data, (size_t)(eol + 1 - data)))
      return p->status;
    const size_t n = p->carry_len;
    p->carry_len = 0; // nothing appends to the carry while it is parsed
    parse_lines(p, p->carry, p->carry + n);
    data = eol + 1;
    if (p->status != TRINE_OK)
      return p->status;
  }
  const char *e = end;
  while (e > data && !is_eol(e[-1]))
    --e;
  if (e > data)
    parse_lines(p, data, e);
  if (p->status == TRINE_OK && e < end)
    carry(p, e, (size_t)(end - e));
  return p->status;
}

TrineStatus nt_parser_finish(NtParser *p) {
  if (!p->finished) {
    p->finished = true;
    if (p->status == TRINE_OK && p->carry_len && carry(p, "\n", 1))
      parse_lines(p, p->carry, p->carry + p->carry_len);
    p->carry_len = 0;
  }
  if (p->status != TRINE_OK)
    return p->status;
  return p->errors ? TRINE_ERR_SYNTAX : TRINE_OK;
}

unsigned nt_parser_errors(const NtParser *p) { return p->errors; }

void nt_parser_free(NtParser *p) {
  if (!p)
    return;
  free(p->source);
  free(p->carry);
  free(p->scratch);
  free(p);
}
