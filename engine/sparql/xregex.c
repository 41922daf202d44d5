/*
 * xregex.c -- XPath 3.1 regular expressions (F&O 3.1 section 5.6) translated
 * into PCRE2 patterns. XPath extends XML Schema's grammar; where XSD 1.1
 * Part 2 Appendix G clarified XSD 1.0's Appendix F, as 5.6.1 advises reading
 * it, 1.1 is followed: hyphens in classes, \i and \c, block names.
 *
 * One recursive descent over XPath's grammar writes every construct in PCRE2
 * syntax that means exactly it, so that nothing of PCRE2's own dialect (its
 * $, \w, \b, lookarounds, comments) is reachable from the user's text:
 *
 *   ^ $        \A and \z; under flag m the line forms of 5.6.2 (erratum E7)
 *   .          [^\n\r]; under flag s any character
 *   \s \w \d \i \c \p{..}  explicit classes (XSD F.1.1; \i \c from XML 1.0
 *              fifth edition's NameStartChar / NameChar, as XSD 1.1 G.4.2.5)
 *   [G-[C]]    (?:(?!C)G): both sides match one character, so the negative
 *              lookahead takes C out of G exactly, at any depth
 *   \N         \g{N}, once N is known to name a group closed before it
 *   literals   \x{..} unless alphanumeric or non-ASCII
 *
 * Under flag i PCRE2's caseless matching gives literal characters, ranges
 * and back-references their case variants, as 5.6.2 asks; escapes go in
 * (?-i:...) since "all other constructs are unaffected". No capturing group
 * is added, so PCRE2's group numbers are XPath's.
 */
#include "xregex.h"
#include "utf8.h"
#include "xregex_blocks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CP 0x10FFFF
#define MAX_DEPTH 100      /* groups and classes; PCRE2 stops at 250 parentheses */
#define MAX_REPEAT 65535u  /* PCRE2's largest {n} */

typedef struct {
  uint32_t lo, hi;
} Range;

/* XML 1.0 fifth edition, production [4] NameStartChar: \i */
static const Range name_start[] = {
    {0x3A, 0x3A},       {0x41, 0x5A},       {0x5F, 0x5F},     {0x61, 0x7A},
    {0xC0, 0xD6},       {0xD8, 0xF6},       {0xF8, 0x2FF},    {0x370, 0x37D},
    {0x37F, 0x1FFF},    {0x200C, 0x200D},   {0x2070, 0x218F}, {0x2C00, 0x2FEF},
    {0x3001, 0xD7FF},   {0xF900, 0xFDCF},   {0xFDF0, 0xFFFD}, {0x10000, 0xEFFFF},
};

/* [4a] NameChar: NameStartChar, - . 0-9 U+B7 U+300-36F U+203F-2040: \c */
static const Range name_char[] = {
    {0x2D, 0x2E},     {0x30, 0x3A},       {0x41, 0x5A},       {0x5F, 0x5F},
    {0x61, 0x7A},     {0xB7, 0xB7},       {0xC0, 0xD6},       {0xD8, 0xF6},
    {0xF8, 0x37D},    {0x37F, 0x1FFF},    {0x200C, 0x200D},   {0x203F, 0x2040},
    {0x2070, 0x218F}, {0x2C00, 0x2FEF},   {0x3001, 0xD7FF},   {0xF900, 0xFDCF},
    {0xFDF0, 0xFFFD}, {0x10000, 0xEFFFF},
};

/* XSD's \s: space, tab, newline, carriage return */
static const Range space[] = {{0x09, 0x0A}, {0x0D, 0x0D}, {0x20, 0x20}};

#define COUNT(a) (sizeof(a) / sizeof(a)[0])

/* ---- output ---- */

typedef struct {
  char *s;
  size_t n, cap;
  bool oom;
} Buf;

static void put(Buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->n + n + 1) cap *= 2;
    char *t = realloc(b->s, cap);
    if (!t) {
      b->oom = true;
      return;
    }
    b->s = t;
    b->cap = cap;
  }
  if (n) memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = 0;
}

static void puts_(Buf *b, const char *s) { put(b, s, strlen(s)); }

static void put_buf(Buf *b, const Buf *from) { put(b, from->s ? from->s : "", from->n); }

static void put_cp(Buf *b, uint32_t cp) {
  char x[16];
  int k = snprintf(x, sizeof x, "\\x{%X}", (unsigned)cp);
  put(b, x, (size_t)k);
}

static bool is_alnum(uint32_t c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* A character that stands for itself: as written if alphanumeric or not
 * ASCII, else \x{..}, which PCRE2 never reads as syntax. */
static void put_literal(Buf *b, uint32_t cp) {
  if (!is_alnum(cp) && cp < 0x80) return put_cp(b, cp);
  char u[UTF8_MAX];
  put(b, u, utf8_encode(cp, u));
}

/* Class items for lo..hi less the surrogates (UTF-8 PCRE2 refuses them;
 * UTF-8 text has none): the number of items written. */
static int put_range(Buf *b, uint32_t lo, uint32_t hi) {
  if (lo <= 0xDFFF && hi >= 0xD800) {
    int k = lo < 0xD800 ? put_range(b, lo, 0xD7FF) : 0;
    return k + (hi > 0xDFFF ? put_range(b, 0xE000, hi) : 0);
  }
  put_cp(b, lo);
  if (hi != lo) {
    puts_(b, "-");
    put_cp(b, hi);
  }
  return 1;
}

/* Sorted, disjoint ranges as class items, or their complement. */
static int put_ranges(Buf *b, const Range *r, size_t n, bool complement) {
  int k = 0;
  uint32_t next = 0;
  for (size_t i = 0; i < n; i++) {
    if (!complement) k += put_range(b, r[i].lo, r[i].hi);
    else if (r[i].lo > next) k += put_range(b, next, r[i].lo - 1);
    next = r[i].hi + 1;
  }
  if (complement && next <= MAX_CP) k += put_range(b, next, MAX_CP);
  return k;
}

/* ---- the translator ---- */

typedef struct {
  const char *src;        /* the pattern as given, for positions */
  const char *p;          /* the pattern parsed: src, or src less whitespace (flag x) */
  size_t n, i;
  size_t *map;            /* flag x: offset in p -> offset in src (n + 1 entries) */
  char *stripped;         /* flag x: p */
  unsigned flags;
  unsigned groups;        /* capturing groups opened so far */
  unsigned char *closed;  /* by group number: its ')' has been read */
  size_t cap_closed;
  int depth;
  bool failed, oom;
  XRegexError *err;
} Tr;

/* Characters of s[0..off) plus one: the position of the character at off. */
static size_t char_pos(const char *s, size_t off) { return utf8_count(s, off) + 1; }

/* The construct p[at..at+len) is wrong: err says so, quoting it and
 * counting its place in the pattern as given. False, for the callers. */
static bool fail(Tr *t, size_t at, size_t len, const char *fmt, ...) {
  if (t->failed) return false;
  t->failed = true;
  char why[160];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, sizeof why, fmt, ap);
  va_end(ap);
  XRegexError *e = t->err;
  if (at + len > t->n) len = t->n - at;
  e->pos = char_pos(t->src, t->map ? t->map[at] : at);
  if (len)
    snprintf(e->msg, sizeof e->msg, "\"%.*s\" at character %zu of the pattern: %s", (int)len,
             t->p + at, e->pos, why);
  else
    snprintf(e->msg, sizeof e->msg, "character %zu of the pattern: %s", e->pos, why);
  return false;
}

static bool nomem(Tr *t) {
  t->failed = t->oom = true;
  return false;
}

static int peek_at(const Tr *t, size_t i) { return i < t->n ? (unsigned char)t->p[i] : -1; }
static int peek(const Tr *t) { return peek_at(t, t->i); }

/* The character at t->i (the pattern is valid UTF-8, checked first). */
static uint32_t take(Tr *t) {
  unsigned cp = (unsigned char)t->p[t->i];
  size_t len = cp < 0x80 ? 1 : utf8_decode(t->p + t->i, t->n - t->i, &cp);
  t->i += len;
  return cp;
}

static size_t char_len(const Tr *t, size_t i) {
  unsigned cp;
  if (i >= t->n || (unsigned char)t->p[i] < 0x80) return 1;
  size_t len = utf8_decode(t->p + i, t->n - i, &cp);
  return len ? len : 1;
}

static bool check_utf8(Tr *t) {
  for (size_t i = 0; i < t->n; i += char_len(t, i)) {
    unsigned cp;
    if ((unsigned char)t->p[i] >= 0x80 && !utf8_decode(t->p + i, t->n - i, &cp))
      return fail(t, i, 0, "the pattern is not valid UTF-8");
  }
  return true;
}

static bool is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Flag x (5.6.2): whitespace is removed before parsing, except inside a
 * character class expression. "\ s" becomes "\s", as the spec's example. */
static bool strip(Tr *t) {
  const char *s = t->src;
  size_t n = t->n, k = 0;
  char *p = malloc(n + 1);
  size_t *map = malloc((n + 1) * sizeof *map);
  if (!p || !map) return free(p), free(map), nomem(t);
  int depth = 0; /* [...] nesting, subtractions included */
  for (size_t i = 0; i < n; i++) {
    if (!depth && is_ws(s[i])) continue;
    map[k] = i;
    p[k++] = s[i];
    if (s[i] == '\\') {
      size_t j = i + 1;
      while (!depth && j < n && is_ws(s[j])) j++;
      if (j < n) map[k] = j, p[k++] = s[j], i = j;
    } else if (s[i] == '[' && (!depth || (k >= 2 && p[k - 2] == '-'))) {
      depth++;
    } else if (s[i] == ']' && depth) {
      depth--;
    }
  }
  map[k] = n;
  t->p = t->stripped = p;
  t->map = map;
  t->n = k;
  return true;
}

/* ---- character classes ---- */

/* One character's worth of set, as PCRE2 class items. */
typedef struct {
  Buf cased;     /* characters and ranges: case variants apply under flag i */
  Buf esc;       /* escapes: unaffected by flag i */
  int ncased, nesc;
} Set;

static void set_free(Set *s) {
  free(s->cased.s);
  free(s->esc.s);
}

static bool set_oom(const Set *s) { return s->cased.oom || s->esc.oom; }

/* [items] or [^items] with the case rules of 5.6.2 flag i. */
static void put_set(const Tr *t, Buf *out, const Set *s, bool neg) {
  bool ci = t->flags & XREGEX_I;
  if (!s->ncased && !s->nesc) return puts_(out, neg ? "(?s:.)" : "(?!)");
  if (ci && s->ncased && s->nesc) {
    puts_(out, neg ? "(?:(?![" : "(?:[");
    put_buf(out, &s->cased);
    puts_(out, neg ? "])(?-i:[^" : "]|(?-i:[");
    put_buf(out, &s->esc);
    puts_(out, "]))");
    return;
  }
  bool wrap = ci && s->nesc;
  puts_(out, wrap ? "(?-i:[" : "[");
  if (neg) puts_(out, "^");
  put_buf(out, &s->cased);
  put_buf(out, &s->esc);
  puts_(out, wrap ? "])" : "]");
}

/* \s \S \d \D \w \W \i \I \c \C: XSD 1.0 F.1.1, \w being all but
 * punctuation, separators and "other" (so letters, marks, numbers, symbols). */
static void multi_esc(Set *s, char c) {
  Buf *b = &s->esc;
  switch (c) {
  case 's': case 'S': s->nesc += put_ranges(b, space, COUNT(space), c == 'S'); return;
  case 'i': case 'I': s->nesc += put_ranges(b, name_start, COUNT(name_start), c == 'I'); return;
  case 'c': case 'C': s->nesc += put_ranges(b, name_char, COUNT(name_char), c == 'C'); return;
  case 'd': puts_(b, "\\p{Nd}"); break;
  case 'D': puts_(b, "\\P{Nd}"); break;
  case 'w': puts_(b, "\\p{L}\\p{M}\\p{N}\\p{S}"); break;
  default: puts_(b, "\\p{P}\\p{Z}\\p{C}"); break; /* W */
  }
  s->nesc++;
}

/* XSD's IsCategory: L M N P Z S C, alone or with one letter of theirs. */
static bool is_category(const char *s, size_t n) {
  static const char *const cats[] = {"Lultmo", "Mnce",  "Ndlo", "Pcdseifo",
                                     "Zslp",   "Smcko", "Ccfon"};
  for (size_t k = 0; k < COUNT(cats); k++)
    if (n >= 1 && n <= 2 && s[0] == cats[k][0])
      return n == 1 || (s[1] && strchr(cats[k] + 1, s[1]));
  return false;
}

/* \p{IsName} / \P{IsName}: the block's ranges, or their complement. */
static bool block(Tr *t, Set *s, const char *name, size_t n, bool neg, size_t at) {
  Range r[4];
  size_t k = 0;
  for (size_t i = 0; i < COUNT(xr_blocks) && k < COUNT(r); i++)
    if (strlen(xr_blocks[i].name) == n && memcmp(xr_blocks[i].name, name, n) == 0)
      r[k++] = (Range){xr_blocks[i].lo, xr_blocks[i].hi};
  if (!k) return fail(t, at, t->i - at, "no Unicode block has this name");
  s->nesc += put_ranges(&s->esc, r, k, neg);
  return true;
}

/* \p{..} or \P{..}, t->i after the p: a category or a block. */
static bool property(Tr *t, Set *s, bool neg, size_t at) {
  if (peek(t) != '{') return fail(t, at, t->i - at, "expects {NAME} to follow");
  size_t start = ++t->i;
  while (t->i < t->n && peek(t) != '}') t->i += char_len(t, t->i);
  if (t->i >= t->n) return fail(t, at, t->i - at, "has no closing }");
  const char *name = t->p + start;
  size_t n = t->i++ - start;
  if (is_category(name, n)) {
    puts_(&s->esc, neg ? "\\P{" : "\\p{");
    put(&s->esc, name, n);
    puts_(&s->esc, "}");
    s->nesc++;
    return true;
  }
  if (n > 2 && name[0] == 'I' && name[1] == 's') return block(t, s, name + 2, n - 2, neg, at);
  return fail(t, at, t->i - at,
              "names neither a general category (L, Lu, Nd, ...) nor a block (IsBasicLatin, ...)");
}

/* After a backslash at `at`: a single-character escape sets *cp; a class
 * escape adds to s (*cp stays UINT32_MAX). Back-references are the
 * caller's. */
static bool escape(Tr *t, size_t at, Set *s, uint32_t *cp, bool in_class) {
  *cp = UINT32_MAX;
  int c = peek(t);
  if (c < 0) return fail(t, at, 1, "a backslash cannot end the pattern");
  size_t len = char_len(t, t->i);
  t->i += len;
  if (c == 'n' || c == 'r' || c == 't') {
    *cp = c == 'n' ? 0x0A : c == 'r' ? 0x0D : 0x09;
    return true;
  }
  if (c && strchr("\\|.?*+(){}$-[]^", c)) {
    *cp = (uint32_t)c;
    return true;
  }
  if (c && strchr("sSiIcCdDwW", c)) {
    multi_esc(s, (char)c);
    return true;
  }
  if (c == 'p' || c == 'P') return property(t, s, c == 'P', at);
  if (in_class && c >= '0' && c <= '9')
    return fail(t, at, 1 + len, "a back-reference cannot be inside a character class");
  return fail(t, at, 1 + len, "not an escape of XPath regular expressions");
}

/* A singleChar or class escape inside [...]. */
static bool class_char(Tr *t, Set *s, uint32_t *cp) {
  if (peek(t) != '\\') return *cp = take(t), true;
  size_t at = t->i++;
  return escape(t, at, s, cp, true);
}

/* One charGroupPart: a character, a range or a class escape. A character
 * followed by a hyphen (XSD 1.1 G.4.2.1): before "[" the hyphen subtracts,
 * before "]" or "-[" it stands for itself, before another character it
 * makes a range, and neither end of a range may be an unescaped hyphen.
 * (XSD 1.0 allowed a bare hyphen only first or last; 1.1 clarified it.) */
static bool part(Tr *t, Set *s) {
  size_t at = t->i;
  bool hyphen = peek(t) == '-';
  uint32_t lo, hi;
  if (!class_char(t, s, &lo)) return false;
  if (lo == UINT32_MAX) return true;
  int n1 = peek_at(t, t->i + 1), n2 = peek_at(t, t->i + 2);
  if (peek(t) != '-' || n1 == '[' || n1 < 0) {
    s->ncased += put_range(&s->cased, lo, lo);
    return true;
  }
  if (n1 == ']' || (n1 == '-' && n2 == '[')) {
    t->i++;
    s->ncased += put_range(&s->cased, lo, lo) + put_range(&s->cased, '-', '-');
    return true;
  }
  if (hyphen) return fail(t, at, 2, "an unescaped hyphen cannot start a range (write \\-)");
  t->i++;
  if (peek(t) == '-')
    return fail(t, at, t->i + 1 - at, "an unescaped hyphen cannot end a range (write \\-)");
  if (!class_char(t, s, &hi)) return false;
  if (hi == UINT32_MAX) return fail(t, at, t->i - at, "a range needs one character at each end");
  if (hi < lo) return fail(t, at, t->i - at, "the range runs backwards");
  s->ncased += put_range(&s->cased, lo, hi);
  return true;
}

/* posCharGroup: parts up to "]" or a subtraction "-[". */
static bool group_parts(Tr *t, Set *s, size_t open) {
  size_t first = t->i;
  for (;;) {
    int c = peek(t);
    if (c < 0) return fail(t, open, t->i - open, "has no closing ]");
    if (c == ']' || (c == '-' && peek_at(t, t->i + 1) == '[')) {
      if (t->i == first)
        return fail(t, open, t->i + 1 - open, "a character class needs a character before this");
      return true;
    }
    if (c == '[') return fail(t, t->i, 1, "must be escaped inside a character class (\\[)");
    if (!part(t, s)) return false;
  }
}

static bool class_expr(Tr *t, Buf *out);

/* The charGroup of [...] at t->i, written as one-character matcher. */
static bool char_group(Tr *t, Buf *out, size_t open) {
  bool neg = peek(t) == '^';
  t->i += neg;
  Set s = {0};
  Buf sub = {0};
  bool ok = group_parts(t, &s, open), subtract = ok && peek(t) == '-';
  if (subtract) {
    t->i++;
    ok = class_expr(t, &sub);
    if (ok && peek(t) != ']')
      ok = fail(t, t->i, char_len(t, t->i), "a subtraction [..-[..]] must end its character class");
  }
  if (ok) {
    t->i++; /* ] */
    if (subtract) puts_(out, "(?:(?!"), put_buf(out, &sub), puts_(out, ")");
    put_set(t, out, &s, neg);
    if (subtract) puts_(out, ")");
  }
  if (set_oom(&s) || sub.oom) ok = nomem(t);
  set_free(&s);
  free(sub.s);
  return ok;
}

/* charClassExpr: '[' charGroup ']'. */
static bool class_expr(Tr *t, Buf *out) {
  size_t open = t->i++;
  if (++t->depth > MAX_DEPTH)
    return fail(t, open, 1, "nests deeper than %d groups and classes", MAX_DEPTH);
  bool ok = char_group(t, out, open);
  t->depth--;
  return ok;
}

/* ---- atoms, pieces, branches ---- */

static bool regexp(Tr *t, Buf *out);

/* \N: one digit, then more while the number still names a group opened
 * before it; that group must be closed (F&O 3.1 5.6.1, erratum E24). */
static bool backref(Tr *t, Buf *out, size_t at) {
  unsigned n = (unsigned)(take(t) - '0');
  for (int d; (d = peek(t)) >= '0' && d <= '9' && n * 10 + (unsigned)(d - '0') <= t->groups;)
    n = n * 10 + (unsigned)(take(t) - '0');
  if (n > t->groups)
    return fail(t, at, t->i - at, "refers to a group that does not come before it");
  if (!t->closed[n])
    return fail(t, at, t->i - at, "refers to a group that is not closed before it");
  char x[24];
  put(out, x, (size_t)snprintf(x, sizeof x, "\\g{%u}", n));
  return true;
}

static bool atom_escape(Tr *t, Buf *out) {
  size_t at = t->i++;
  int c = peek(t);
  if (c >= '1' && c <= '9') return backref(t, out, at);
  Set s = {0};
  uint32_t cp;
  bool ok = escape(t, at, &s, &cp, false);
  if (ok && cp != UINT32_MAX) put_literal(out, cp);
  else if (ok) put_set(t, out, &s, false);
  if (set_oom(&s)) ok = nomem(t);
  set_free(&s);
  return ok;
}

static bool open_group(Tr *t, unsigned n) {
  if (n >= t->cap_closed) {
    size_t cap = t->cap_closed ? t->cap_closed * 2 : 16;
    unsigned char *c = realloc(t->closed, cap);
    if (!c) return nomem(t);
    t->closed = c;
    t->cap_closed = cap;
  }
  t->closed[n] = 0;
  return true;
}

/* '(' '?:'? regExp ')': (?: is the one form of (? that XPath has. */
static bool group(Tr *t, Buf *out) {
  size_t open = t->i++;
  if (++t->depth > MAX_DEPTH)
    return fail(t, open, 1, "nests deeper than %d groups and classes", MAX_DEPTH);
  unsigned n = 0;
  if (peek(t) == '?') {
    if (peek_at(t, t->i + 1) != ':')
      return fail(t, open, 2 + char_len(t, t->i + 1),
                  "XPath has no (? constructs but (?: (no lookaround, options, names or comments)");
    t->i += 2;
    puts_(out, "(?:");
  } else {
    n = ++t->groups;
    if (!open_group(t, n)) return false;
    puts_(out, "(");
  }
  if (!regexp(t, out)) return false;
  if (peek(t) != ')') return fail(t, open, 1, "has no closing )");
  t->i++;
  puts_(out, ")");
  if (n) t->closed[n] = 1;
  t->depth--;
  return true;
}

/* ^ and $ of 5.6.1 / 5.6.2: the string's ends, or (flag m) its lines' ends,
 * newline being U+000A only, a final newline starting no line. Grouped so
 * that a quantifier may follow, as XPath allows. */
static void anchor(const Tr *t, Buf *out, int c) {
  bool m = t->flags & XREGEX_M;
  if (c == '^') puts_(out, m ? "(?:\\A|(?<=\\n)(?!\\z))" : "(?:\\A)");
  else puts_(out, m ? "(?:(?=\\n)|(?<!\\n)\\z)" : "(?:\\z)");
}

static bool atom(Tr *t, Buf *out) {
  size_t at = t->i;
  int c = peek(t);
  switch (c) {
  case '(': return group(t, out);
  case '[': return class_expr(t, out);
  case '\\': return atom_escape(t, out);
  case '.':
    t->i++;
    puts_(out, t->flags & XREGEX_S ? "(?s:.)" : "[^\\n\\r]");
    return true;
  case '^': case '$':
    t->i++;
    anchor(t, out, c);
    return true;
  case '*': case '+': case '?': case '{':
    return fail(t, at, 1, "a quantifier must follow something it repeats");
  case ']': case '}':
    return fail(t, at, 1, "must be escaped (\\%c)", c);
  default:
    put_literal(out, take(t));
    return true;
  }
}

/* Digits at t->i, saturating; false if there are none. */
static bool number(Tr *t, unsigned long *v) {
  size_t start = t->i;
  *v = 0;
  for (int d; (d = peek(t)) >= '0' && d <= '9'; t->i++)
    if (*v <= MAX_REPEAT) *v = *v * 10 + (unsigned long)(d - '0');
  return t->i > start;
}

/* '{' quantity '}': {n}, {n,} or {n,m} with n <= m. */
static bool counted(Tr *t, Buf *out) {
  size_t at = t->i++;
  unsigned long lo, hi = 0;
  bool range = false, open = false;
  bool ok = number(t, &lo);
  if (ok && peek(t) == ',') {
    t->i++;
    range = true;
    open = !number(t, &hi);
  }
  if (!ok || peek(t) != '}') {
    size_t len = t->i < t->n ? t->i + 1 - at : t->i - at;
    return fail(t, at, len, "a count is {n}, {n,} or {n,m}");
  }
  t->i++;
  if (lo > MAX_REPEAT || hi > MAX_REPEAT)
    return fail(t, at, t->i - at, "counts above %u are beyond PCRE2", MAX_REPEAT);
  if (range && !open && hi < lo) return fail(t, at, t->i - at, "{n,m} needs n <= m");
  char x[48];
  int k = !range ? snprintf(x, sizeof x, "{%lu}", lo)
          : open ? snprintf(x, sizeof x, "{%lu,}", lo)
                 : snprintf(x, sizeof x, "{%lu,%lu}", lo, hi);
  put(out, x, (size_t)k);
  return true;
}

/* quantifier ::= ( [?*+] | '{' quantity '}' ) '?'? -- reluctant allowed,
 * possessive (a second + or quantifier) not. */
static bool quantifier(Tr *t, Buf *out) {
  int c = peek(t);
  if (c == '{') {
    if (!counted(t, out)) return false;
  } else if (c == '*' || c == '+' || c == '?') {
    char q = (char)c;
    put(out, &q, 1);
    t->i++;
  } else {
    return true;
  }
  if (peek(t) == '?') t->i++, puts_(out, "?");
  return true;
}

static bool branch(Tr *t, Buf *out) {
  for (int c = peek(t); c >= 0 && c != '|' && c != ')'; c = peek(t))
    if (!atom(t, out) || !quantifier(t, out)) return false;
  return true;
}

static bool regexp(Tr *t, Buf *out) {
  if (!branch(t, out)) return false;
  while (peek(t) == '|') {
    t->i++;
    puts_(out, "|");
    if (!branch(t, out)) return false;
  }
  return true;
}

/* Flag q: every character stands for itself. */
static void quoted(Tr *t, Buf *out) {
  while (t->i < t->n) put_literal(out, take(t));
}

/* ---- the interface ---- */

TrineStatus xregex_flags(const char *flags, size_t n, unsigned *mask, XRegexError *err) {
  static const char letters[] = "smixq";
  *mask = 0;
  for (size_t i = 0; i < n; i++) {
    const char *l = flags[i] ? strchr(letters, flags[i]) : NULL;
    if (!l) {
      unsigned cp;
      size_t len = (unsigned char)flags[i] >= 0x80 ? utf8_decode(flags + i, n - i, &cp) : 1;
      err->pos = char_pos(flags, i);
      snprintf(err->msg, sizeof err->msg,
               "\"%.*s\" at character %zu of the flags: not a flag (XPath has s, m, i, x and q)",
               (int)(len ? len : 1), flags + i, err->pos);
      return TRINE_ERR_SYNTAX;
    }
    *mask |= 1u << (l - letters);
  }
  return TRINE_OK;
}

TrineStatus xregex_translate(const char *pat, size_t n, unsigned flags, XRegex *out,
                             XRegexError *err) {
  memset(out, 0, sizeof *out);
  err->pos = 0;
  err->msg[0] = 0;
  Tr t = {.src = pat, .p = pat, .n = n, .flags = flags, .err = err};
  Buf b = {0};
  put(&b, "", 0);
  if (check_utf8(&t)) {
    if (flags & XREGEX_Q) quoted(&t, &b);
    else if ((!(flags & XREGEX_X) || strip(&t)) && regexp(&t, &b) && t.i < t.n)
      fail(&t, t.i, 1, "has no opening (");
  }
  free(t.stripped);
  free(t.map);
  free(t.closed);
  if (t.oom || b.oom || t.failed) {
    free(b.s);
    return t.oom || b.oom ? TRINE_ERR_NOMEM : TRINE_ERR_SYNTAX;
  }
  out->pattern = b.s;
  out->len = b.n;
  /* an unset group's back-reference matches "" (5.6.1) */
  out->options = PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_UNSET_BACKREF;
  if (flags & XREGEX_I) out->options |= PCRE2_CASELESS;
  out->ngroups = t.groups;
  return TRINE_OK;
}

void xregex_free(XRegex *x) {
  free(x->pattern);
  x->pattern = NULL;
}

TrineStatus xregex_compile(const XRegex *x, pcre2_code **code, XRegexError *err) {
  int ec;
  PCRE2_SIZE off;
  *code = pcre2_compile((PCRE2_SPTR)x->pattern, x->len, x->options, &ec, &off, NULL);
  if (*code) return TRINE_OK;
  if (ec == PCRE2_ERROR_HEAPLIMIT || ec == PCRE2_ERROR_NOMEMORY) return TRINE_ERR_NOMEM;
  char m[160];
  pcre2_get_error_message(ec, (PCRE2_UCHAR *)m, sizeof m);
  err->pos = 0;
  snprintf(err->msg, sizeof err->msg, "the pattern is beyond PCRE2: %s", m);
  return TRINE_ERR_UNSUPPORTED;
}

/* ---- replacement ---- */

static TrineStatus rep_fail(XRegexError *err, const char *rep, size_t at, size_t len,
                            const char *why) {
  err->pos = char_pos(rep, at);
  snprintf(err->msg, sizeof err->msg, "\"%.*s\" at character %zu of the replacement: %s",
           (int)len, rep + at, err->pos, why);
  return TRINE_ERR_SYNTAX;
}

/* $ followed by digits d[0..n): the longest prefix naming a group, the rest
 * literal (fn:replace rule 4); a number above the groups but at most 9 is
 * the empty string. */
static size_t group_ref(const char *d, size_t n, unsigned ngroups, char *out) {
  size_t k = n, w = 0;
  unsigned long v;
  for (;;) {
    v = 0;
    for (size_t i = 0; i < k; i++) v = v > 99999999ul ? v : v * 10 + (unsigned long)(d[i] - '0');
    if (k == 1 || v <= ngroups || v <= 9) break;
    k--;
  }
  if (v <= ngroups) w += (size_t)sprintf(out, "${%lu}", v);
  for (size_t i = k; i < n; i++) out[w++] = d[i];
  return w;
}

TrineStatus xregex_replacement(const char *rep, size_t n, unsigned ngroups, unsigned flags,
                               char *out, size_t *outlen, XRegexError *err) {
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    char c = rep[i];
    if (flags & XREGEX_Q) {
      if (c == '$') out[k++] = '$';
      out[k++] = c;
    } else if (c == '\\') {
      if (i + 1 >= n || (rep[i + 1] != '\\' && rep[i + 1] != '$'))
        return rep_fail(err, rep, i, i + 1 < n ? 2 : 1, "a backslash must be followed by \\ or $");
      if (rep[++i] == '$') out[k++] = '$';
      out[k++] = rep[i];
    } else if (c == '$') {
      size_t j = i + 1;
      while (j < n && rep[j] >= '0' && rep[j] <= '9') j++;
      if (j == i + 1)
        return rep_fail(err, rep, i, 1, "a dollar must be followed by a digit (write \\$)");
      k += group_ref(rep + i + 1, j - i - 1, ngroups, out + k);
      i = j - 1;
    } else {
      out[k++] = c;
    }
  }
  out[k] = 0;
  *outlen = k;
  return TRINE_OK;
}
