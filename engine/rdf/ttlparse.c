/*
 * ttlparse.c -- Turtle and TriG through serd's reader (strict mode).
 *
 * Why serd: a mature, small (ISC) C parser of both syntaxes, packaged by
 * Debian, that streams statements from a read function, so gzip input and
 * the loader's reader thread work as for N-Triples. N-Triples and N-Quads
 * keep trine's own parser (ntparse.c), which is faster on that simpler
 * grammar.
 *
 * Positions. serd reports its own errors at its cursor (line, and column
 * in bytes), but a statement callback cannot read the cursor, and the
 * errors this module finds (an undefined prefix, ...) are found there. So
 * the parse reads by large pages (fast) and counts events (base, prefix
 * and statement callbacks); on an error, a second pass reads the input
 * again one byte at a time, up to the same event or serd error, and so
 * knows the exact line and character column of serd's cursor. An error
 * found in a statement is then placed on its text, looked for backwards
 * from the cursor among the last bytes read. Only a failed load pays for
 * the second pass.
 */
#include "ttlparse.h"

#include "iri.h"
#include "term.h"
#include "utf8.h"

#include <limits.h>
#include <serd/serd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PAGE ((size_t)64 << 10) /* serd's read size in the first pass */
#define RING 4096                /* bytes kept for looking back (second pass) */
#define NEEDLE 96                /* the longest text looked back for */

#ifdef __GNUC__
#define PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define PRINTF(f, a)
#endif

/* Where the values of a statement's terms are built when serd's node
 * is not the value itself (expanded prefixed names, resolved IRIs). */
enum { SLOT_S, SLOT_P, SLOT_O, SLOT_G, SLOT_DT, NSLOTS };

typedef struct {
  char *data;
  size_t len, cap;
} Text;

/* serd renames a document's labels _:bN... to _:BN... (its own are bN...):
 * with both forms in one file, two blank nodes would silently become one
 * (BN first) or serd would refuse the file (bN first). Both forms are
 * looked for in the raw bytes, so a mention inside a literal counts too:
 * rare, and better than a silent merge. */
static const char CLASH[] =
    "blank node labels _:bN and _:BN in one file (serd cannot tell the first from its own "
    "labels)";

typedef struct {
  char tail[3]; /* the last bytes of the previous piece */
  size_t ntail;
  bool lower, upper;
} Labels;

typedef struct {
  const TtlInput *in;
  SerdEnv *env;        /* the prefixes, as absolute IRIs */
  char *base;          /* the base IRI (absolute), or NULL */
  size_t base_len;
  uint64_t events;     /* base, prefix and statement callbacks so far */
  bool failed;         /* a syntax error was found: read no further */
  bool io_failed;
  TrineStatus status;  /* why fn stopped the parse, or NOMEM */
  /* the first syntax error */
  bool from_serd;      /* found by serd (else by this module, at err_event) */
  uint64_t err_event;
  unsigned line, col;  /* serd's position, the fallback (0: unknown) */
  char msg[256];
  char needle[NEEDLE]; /* its text in the input, looked back for */
  size_t needle_len;
  bool needle_word;    /* the text starts a prefixed name */
  bool clash;          /* both label forms are in the input (see Labels) */
  bool clash_error;    /* the error is that, and nothing before it */
  Labels labels;
  Text slot[NSLOTS];
} Ttl;

/* ---- text buffers ---- */

static bool text_room(Ttl *t, Text *b, size_t n) {
  if (n > b->cap) {
    size_t cap = b->cap ? b->cap : 256;
    while (cap < n) cap *= 2;
    char *d = realloc(b->data, cap);
    if (!d) {
      t->status = TRINE_ERR_NOMEM;
      return false;
    }
    b->data = d;
    b->cap = cap;
  }
  return true;
}

static bool text_set(Ttl *t, Text *b, const char *a, size_t na, const char *c, size_t nc) {
  if (!text_room(t, b, na + nc + 1)) return false;
  memcpy(b->data, a, na);
  if (nc) memcpy(b->data + na, c, nc);
  b->len = na + nc;
  b->data[b->len] = '\0';
  return true;
}

/* ---- checks ---- */

/* Valid UTF-8: ASCII is skipped eight bytes at a time. */
static bool utf8_ok(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint64_t w;
    if (n - i >= 8 && (memcpy(&w, s + i, 8), !(w & 0x8080808080808080ull))) {
      i += 8;
    } else if (!((unsigned char)s[i] & 0x80)) {
      ++i;
    } else {
      unsigned cp;
      size_t k = utf8_decode(s + i, n - i, &cp);
      if (!k) return false;
      i += k;
    }
  }
  return true;
}

/* LANGTAG ::= [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*: serd lets an empty subtag by. */
static bool lang_ok(const char *s, size_t n) {
  if (!n || s[0] == '-' || s[n - 1] == '-') return false;
  for (size_t i = 1; i < n; ++i)
    if (s[i] == '-' && s[i - 1] == '-') return false;
  return true;
}

/* ---- errors ---- */

/* The first error found by this module: its text in the input is pre
 * (one character or "") followed by text; word: it starts a prefixed name. */
PRINTF(6, 7)
static bool fail(Ttl *t, const char *pre, const char *text, size_t len, bool word,
                 const char *fmt, ...) {
  if (t->failed) return false;
  t->failed = true;
  t->err_event = t->events;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(t->msg, sizeof t->msg, fmt, ap);
  va_end(ap);
  size_t np = strlen(pre);
  t->needle_len = np + (len < NEEDLE - np ? len : NEEDLE - np);
  memcpy(t->needle, pre, np);
  memcpy(t->needle + np, text, t->needle_len - np);
  t->needle_word = word;
  return false;
}

/* serd's message as one lowercase phrase: no newline, plain quotes, and
 * no raw bytes. serd prints the end of input as a character (the byte 0xFF)
 * or a number (FFFFFFFF) where it expected more. */
static void tidy(char *out, size_t cap, const char *in) {
  if (strchr(in, '\xFF') || strstr(in, "FFFFFFFF")) {
    snprintf(out, cap, "unexpected end of input");
    return;
  }
  size_t o = 0;
  for (const unsigned char *p = (const unsigned char *)in; *p && o + 16 < cap; ++p) {
    if (*p == '`') out[o++] = '\'';
    else if (*p == '\n' && !p[1]) break;
    else if (*p < 0x20 || *p >= 0x80) o += (size_t)snprintf(out + o, cap - o, "\\x%02X", *p);
    else out[o++] = (char)*p;
  }
  out[o] = '\0';
}

static SerdStatus on_serd_error(void *h, const SerdError *e) {
  Ttl *t = h;
  if (t->failed || t->io_failed || t->status) return SERD_SUCCESS;
  t->failed = t->from_serd = true;
  t->err_event = t->events;
  t->line = e->line;
  t->col = e->col + (e->line > 1); /* serd counts from 0 after a line end */
  char raw[256];
  va_list ap;
  va_copy(ap, *e->args);
  vsnprintf(raw, sizeof raw, e->fmt, ap);
  va_end(ap);
  if (e->status == SERD_ERR_ID_CLASH) snprintf(raw, sizeof raw, "%s", CLASH);
  tidy(t->msg, sizeof t->msg, raw);
  return SERD_SUCCESS;
}

/* ---- terms ---- */

/* An IRI node (IRIREF or prefixed name) as an absolute IRI term. */
static bool iri(Ttl *t, int slot, const SerdNode *n, TrineTerm *out) {
  const char *v = (const char *)n->buf;
  *out = (TrineTerm){.kind = TRINE_TERM_IRI, .value = v, .value_len = n->n_bytes};
  if (n->type == SERD_CURIE) {
    SerdChunk pre, suf;
    const char *colon = memchr(v, ':', n->n_bytes);
    if (!colon) /* serd reads a bare word where a name should be */
      return fail(t, "", v, n->n_bytes, true,
                  "'%.*s' is not allowed here (a prefixed name needs ':')", (int)n->n_bytes, v);
    if (serd_env_expand(t->env, n, &pre, &suf)) {
      size_t plen = (size_t)(colon - v) + 1;
      return fail(t, "", v, plen, true, "undefined prefix '%.*s' in %.*s", (int)plen, v,
                  (int)n->n_bytes, v);
    }
    Text *b = &t->slot[slot];
    if (!text_set(t, b, (const char *)pre.buf, pre.len, (const char *)suf.buf, suf.len))
      return false;
    out->value = b->data;
    out->value_len = b->len;
  } else if (!iri_is_absolute(v, n->n_bytes)) {
    if (!t->base)
      return fail(t, "<", v, n->n_bytes, false,
                  "relative IRI <%.*s> and no base IRI to resolve it against", (int)n->n_bytes, v);
    Text *b = &t->slot[slot];
    if (!text_room(t, b, iri_resolve_room(t->base_len, n->n_bytes))) return false;
    out->value = b->data;
    out->value_len = iri_resolve(t->base, t->base_len, v, n->n_bytes, b->data);
  }
  /* serd counts the bytes that start characters: fewer means non-ASCII; prefix
   * and base IRIs were checked when they were set */
  if (n->n_chars != n->n_bytes && !utf8_ok(v, n->n_bytes))
    return fail(t, "<", v, n->n_bytes, false, "invalid UTF-8 or a surrogate code point in IRI");
  return true;
}

/* Whether the characters of blank node label v are where the grammar
 * allows them (PN_CHARS_U or a digit first, PN_CHARS or '.' after): serd
 * takes '-' first, and any non-ASCII character anywhere, also U+00B7 (a
 * PN_CHARS, not a PN_CHARS_U) first. v is valid UTF-8. */
static bool label_chars_ok(const char *v, size_t n) {
  for (size_t i = 0; i < n;) {
    unsigned char c = (unsigned char)v[i];
    if (c < 0x80) {
      bool ok = (unsigned)((c | 0x20) - 'a') < 26u || (unsigned)(c - '0') < 10u || c == '_' ||
                (i > 0 && (c == '-' || c == '.'));
      if (!ok) return false;
      i++;
      continue;
    }
    unsigned cp;
    size_t k = utf8_decode(v + i, n - i, &cp);
    if (!k || !(i == 0 ? utf8_pn_base(cp) : utf8_pn_char(cp))) return false;
    i += k;
  }
  return true;
}

static bool term(Ttl *t, int slot, const SerdNode *n, TrineTerm *out) {
  if (n->type == SERD_URI || n->type == SERD_CURIE) return iri(t, slot, n, out);
  const char *v = (const char *)n->buf;
  *out = (TrineTerm){.kind = n->type == SERD_BLANK ? TRINE_TERM_BLANK : TRINE_TERM_LITERAL,
                     .value = v, .value_len = n->n_bytes};
  /* serd takes only one '.' off the end of a label followed by several */
  if (n->type == SERD_BLANK && n->n_bytes && v[n->n_bytes - 1] == '.')
    return fail(t, "_:", v, n->n_bytes, false, "blank node label _:%.*s ends with '.'",
                (int)n->n_bytes, v);
  if (n->type == SERD_BLANK && n->n_bytes > TERM_MAX_BLANK_LABEL)
    return fail(t, "_:", v, n->n_bytes, false, "blank node label longer than %d bytes",
                TERM_MAX_BLANK_LABEL);
  if (n->n_chars != n->n_bytes && !utf8_ok(v, n->n_bytes))
    return fail(t, "", v, n->n_bytes, false, "invalid UTF-8 or a surrogate code point in %s",
                n->type == SERD_BLANK ? "blank node label" : "literal");
  if (n->type == SERD_BLANK && !label_chars_ok(v, n->n_bytes))
    return fail(t, "_:", v, n->n_bytes, false,
                "blank node label _:%.*s has a character not allowed there", (int)n->n_bytes, v);
  return true;
}

static bool object(Ttl *t, const SerdNode *o, const SerdNode *dt, const SerdNode *lang,
                   TrineTerm *out) {
  if (!term(t, SLOT_O, o, out)) return false;
  if (lang && lang->n_bytes) {
    const char *l = (const char *)lang->buf;
    if (!lang_ok(l, lang->n_bytes))
      return fail(t, "@", l, lang->n_bytes, false, "empty subtag in language tag '%.*s'",
                  (int)lang->n_bytes, l);
    out->lang = l;
    out->lang_len = lang->n_bytes;
  } else if (dt) {
    TrineTerm d;
    if (!iri(t, SLOT_DT, dt, &d)) return false;
    out->datatype = d.value;
    out->datatype_len = d.value_len;
  }
  return true;
}

/* ---- serd's callbacks, first pass ---- */

static SerdStatus stop(Ttl *t) {
  return t->status ? SERD_ERR_UNKNOWN : SERD_ERR_BAD_SYNTAX;
}

/* uri resolved against the base into slot; false when that is impossible. */
static bool absolute(Ttl *t, const SerdNode *uri, const char *what, Text *out) {
  const char *v = (const char *)uri->buf;
  if (!t->base && !iri_is_absolute(v, uri->n_bytes))
    return fail(t, "<", v, uri->n_bytes, false,
                "relative %s <%.*s> and no base IRI to resolve it against", what,
                (int)uri->n_bytes, v);
  if (!utf8_ok(v, uri->n_bytes))
    return fail(t, "<", v, uri->n_bytes, false, "invalid UTF-8 or a surrogate code point in %s",
                what);
  if (!text_room(t, out, iri_resolve_room(t->base_len, uri->n_bytes))) return false;
  out->len = iri_resolve(t->base ? t->base : "", t->base_len, v, uri->n_bytes, out->data);
  return true;
}

static SerdStatus on_base(void *h, const SerdNode *uri) {
  Ttl *t = h;
  ++t->events;
  if (t->failed || t->status) return stop(t);
  Text b = {0};
  if (!absolute(t, uri, "base IRI", &b)) {
    free(b.data);
    return stop(t);
  }
  free(t->base);
  t->base = b.data;
  t->base_len = b.len;
  return SERD_SUCCESS;
}

static SerdStatus on_prefix(void *h, const SerdNode *name, const SerdNode *uri) {
  Ttl *t = h;
  ++t->events;
  if (t->failed || t->status) return stop(t);
  Text *b = &t->slot[SLOT_G];
  if (!absolute(t, uri, "prefix IRI", b)) return stop(t);
  SerdNode abs = serd_node_from_substring(SERD_URI, (const uint8_t *)b->data, b->len);
  if (serd_env_set_prefix(t->env, name, &abs)) {
    t->status = TRINE_ERR_NOMEM;
    return stop(t);
  }
  return SERD_SUCCESS;
}

/* Terms are checked from the last in the text to the first, so that the
 * text of the one that fails is the last such text before the cursor. */
static SerdStatus on_statement(void *h, SerdStatementFlags flags, const SerdNode *g,
                               const SerdNode *s, const SerdNode *p, const SerdNode *o,
                               const SerdNode *dt, const SerdNode *lang) {
  (void)flags;
  Ttl *t = h;
  ++t->events;
  if (t->failed || t->status) return stop(t);
  NtStatement st = {.g = {.kind = TRINE_TERM_DEFAULT_GRAPH}};
  if (g && !t->in->trig) { /* serd 0.30 reads TriG's graphs in Turtle too */
    fail(t, "", "{", 1, false, "graphs are not allowed in Turtle (TriG has them)");
    return stop(t);
  }
  if (!object(t, o, dt, lang, &st.o) || !term(t, SLOT_P, p, &st.p) ||
      !term(t, SLOT_S, s, &st.s) || (g && !term(t, SLOT_G, g, &st.g)))
    return stop(t);
  TrineStatus rc = t->in->fn ? t->in->fn(t->in->ctx, &st) : TRINE_OK;
  if (rc) {
    t->status = rc;
    return stop(t);
  }
  return SERD_SUCCESS;
}

/* ---- the label clash ---- */

/* Note the label form at q ("_:b1", 4 bytes); true when both are seen. */
static bool label_at(Labels *l, const char *q) {
  if (q[1] == ':' && (q[2] | 0x20) == 'b' && q[3] >= '0' && q[3] <= '9') {
    if (q[2] == 'b') l->lower = true;
    else l->upper = true;
  }
  return l->lower && l->upper;
}

/* Look through the next n bytes of input; true when both forms are seen. */
static bool labels_feed(Labels *l, const char *p, size_t n) {
  char joint[6];
  size_t k = l->ntail, m = n < 3 ? n : 3;
  memcpy(joint, l->tail, k);
  memcpy(joint + k, p, m);
  bool both = false;
  for (size_t i = 0; i < k && i + 4 <= k + m; ++i)
    if (joint[i] == '_') both |= label_at(l, joint + i);
  for (const char *q = p; n >= 4 && (q = memchr(q, '_', (size_t)(p + n - 3 - q))); ++q)
    both |= label_at(l, q);
  /* the last three bytes, in case a label starts there */
  size_t keep = k + m < 3 ? k + m : 3;
  if (n >= 3) memcpy(l->tail, p + n - 3, 3);
  else memmove(l->tail, joint + k + m - keep, keep);
  l->ntail = n >= 3 ? 3 : keep;
  return both;
}

/* ---- input, first pass ---- */

/* serd takes a short page for the last one: fill it unless at the end. */
static size_t page_read(void *buf, size_t size, size_t nmemb, void *stream) {
  Ttl *t = stream;
  (void)size;
  if (t->failed || t->status || t->io_failed) return 0; /* end the parse quickly */
  size_t got = 0;
  while (got < nmemb) {
    ssize_t n = t->in->read(t->in->io, (char *)buf + got, nmemb - got);
    if (n <= 0) {
      t->io_failed = n < 0;
      break;
    }
    got += (size_t)n;
  }
  if (labels_feed(&t->labels, buf, got)) t->clash = true; /* an error unless one comes first */
  return got;
}

static int page_error(void *stream) {
  return ((Ttl *)stream)->io_failed;
}

/* ---- locating the error: the second pass ---- */

typedef struct {
  Ttl *t;
  uint64_t events;
  bool found, eof;
  unsigned line, col;  /* the error's position */
  char *buf;           /* input read ahead */
  size_t len, pos;
  uint64_t n;          /* bytes handed to serd */
  unsigned cur_line, chars; /* the last byte's line, characters begun on it before it */
  unsigned char ring[RING];
  unsigned ring_line[RING], ring_col[RING];
  Labels labels;       /* the label clash, byte by byte */
  bool clash_first;    /* it came before the error */
} Locator;

/* The line, and the characters begun on it, before the next byte (the
 * state as of the last byte, moved past it). */
static void step(const Locator *l, unsigned *line, unsigned *chars) {
  *line = l->cur_line;
  *chars = l->chars;
  if (!l->n) return;
  unsigned char prev = l->ring[(l->n - 1) % RING];
  if (prev == '\n') ++*line, *chars = 0;
  else if ((prev & 0xC0) != 0x80) ++*chars;
}

/* The column of byte c read next: a continuation byte is in the character
 * begun before it, if any (a stray one at the start of a line is one). */
static unsigned col_of(unsigned chars, unsigned char c) {
  return (c & 0xC0) == 0x80 && chars ? chars : chars + 1;
}

static size_t byte_read(void *buf, size_t size, size_t nmemb, void *stream) {
  Locator *l = stream;
  (void)size;
  (void)nmemb;
  if (l->found || l->eof) return 0;
  if (l->pos == l->len) {
    ssize_t got = l->t->in->read(l->t->in->io, l->buf, PAGE);
    if (got <= 0) {
      l->eof = true;
      return 0;
    }
    l->len = (size_t)got;
    l->pos = 0;
  }
  unsigned char c = (unsigned char)l->buf[l->pos++];
  step(l, &l->cur_line, &l->chars);
  size_t i = l->n++ % RING;
  l->ring[i] = c;
  l->ring_line[i] = l->cur_line;
  l->ring_col[i] = col_of(l->chars, c);
  if (l->t->clash && l->n >= 4 && l->ring[(l->n - 4) % RING] == '_') {
    char q[4];
    for (int k = 0; k < 4; ++k) q[k] = (char)l->ring[(l->n - 4 + (size_t)k) % RING];
    if (label_at(&l->labels, q)) { /* the '_' of the label that makes both forms */
      l->found = l->clash_first = true;
      l->line = l->ring_line[(l->n - 4) % RING];
      l->col = l->ring_col[(l->n - 4) % RING];
    }
  }
  *(unsigned char *)buf = c;
  return 1;
}

static int byte_error(void *stream) {
  (void)stream;
  return 0;
}

static bool pn_char(unsigned char c) {
  return c >= 0x80 || c == '_' || c == '-' || c == '.' || (c >= '0' && c <= '9') ||
         ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* Look back from the cursor (the last byte read) for the error's text. */
static bool look_back(Locator *l) {
  const Ttl *t = l->t;
  size_t len = t->needle_len;
  uint64_t lo = l->n > RING ? l->n - RING : 0;
  if (!len || l->n < len + 1) return false;
  for (uint64_t j = l->n - 1 - len + 1; j-- > lo;) {
    size_t k = 0;
    while (k < len && l->ring[(j + k) % RING] == (unsigned char)t->needle[k]) ++k;
    if (k < len) continue;
    if (t->needle_word && j > lo && pn_char(l->ring[(j - 1) % RING])) continue;
    l->line = l->ring_line[j % RING];
    l->col = l->ring_col[j % RING];
    return true;
  }
  return false;
}

/* serd's cursor: the byte it looks at, or the end of the input. */
static void found_here(Locator *l) {
  l->found = true;
  if (l->eof || !l->n) {
    unsigned chars;
    step(l, &l->line, &chars);
    l->col = chars + 1;
  } else {
    l->line = l->ring_line[(l->n - 1) % RING];
    l->col = l->ring_col[(l->n - 1) % RING];
  }
  Ttl *t = l->t;
  if (!t->from_serd) {
    unsigned line = l->line, col = l->col;
    if (!look_back(l)) l->line = line, l->col = col;
  } else if (l->eof && !strstr(t->msg, "end of")) { /* serd's words miss the point there */
    snprintf(t->msg, sizeof t->msg, "unexpected end of input");
  } else if (!t->msg[0]) { /* serd failed without a word: say what it stopped at */
    unsigned char c = l->n ? l->ring[(l->n - 1) % RING] : 0;
    if (l->eof || !l->n) snprintf(t->msg, sizeof t->msg, "unexpected end of input");
    else if (c > 0x20 && c < 0x7F) snprintf(t->msg, sizeof t->msg, "unexpected '%c'", c);
    else snprintf(t->msg, sizeof t->msg, "unexpected byte 0x%02X", c);
  }
}

static SerdStatus count(Locator *l) {
  const Ttl *t = l->t;
  if (!l->found && ++l->events == t->err_event && !t->from_serd && !t->clash_error)
    found_here(l);
  return l->found ? SERD_ERR_INTERNAL : SERD_SUCCESS;
}

static SerdStatus loc_base(void *h, const SerdNode *u) {
  (void)u;
  return count(h);
}

static SerdStatus loc_prefix(void *h, const SerdNode *n, const SerdNode *u) {
  (void)n;
  (void)u;
  return count(h);
}

static SerdStatus loc_statement(void *h, SerdStatementFlags f, const SerdNode *g,
                                const SerdNode *s, const SerdNode *p, const SerdNode *o,
                                const SerdNode *d, const SerdNode *lang) {
  (void)f, (void)g, (void)s, (void)p, (void)o, (void)d, (void)lang;
  return count(h);
}

static SerdStatus loc_error(void *h, const SerdError *e) {
  (void)e;
  Locator *l = h;
  if (!l->found && l->t->from_serd) found_here(l);
  return SERD_SUCCESS;
}

/* Read the input again to find where the error is: true when found. */
static bool locate(Ttl *t, unsigned *line, unsigned *col) {
  if (!t->in->rewind || !t->in->rewind(t->in->io)) return false;
  Locator *l = calloc(1, sizeof *l);
  char *buf = malloc(PAGE);
  SerdReader *r = l && buf ? serd_reader_new(t->in->trig ? SERD_TRIG : SERD_TURTLE, l, NULL,
                                             loc_base, loc_prefix, loc_statement, NULL)
                           : NULL;
  bool found = false;
  if (r) {
    *l = (Locator){.t = t, .buf = buf, .cur_line = 1};
    serd_reader_set_strict(r, true);
    serd_reader_set_error_sink(r, loc_error, l);
    serd_reader_read_source(r, byte_read, byte_error, l, NULL, 1);
    if (!l->found && t->from_serd) found_here(l); /* an error serd did not report */
    if (l->clash_first) snprintf(t->msg, sizeof t->msg, "%s", CLASH);
    found = l->found;
    *line = l->line;
    *col = l->col;
  }
  serd_reader_free(r);
  free(buf);
  free(l);
  return found;
}

static void report(Ttl *t) {
  unsigned line = t->line, col = t->col;
  if (!locate(t, &line, &col) && !t->from_serd) line = col = 0;
  if (!t->msg[0]) snprintf(t->msg, sizeof t->msg, "syntax error");
  if (!t->in->sink) return;
  TrineError e = {TRINE_ERR_SYNTAX, t->in->source, line, col, t->msg};
  t->in->sink(t->in->sink_ctx, &e);
}

/* ---- the parse ---- */

TrineStatus ttl_parse(const TtlInput *in) {
  Ttl t = {.in = in};
  if (in->base_iri && !iri_is_absolute(in->base_iri, strlen(in->base_iri))) {
    snprintf(t.msg, sizeof t.msg, "the base IRI <%s> is not absolute", in->base_iri);
    if (in->sink) in->sink(in->sink_ctx, &(TrineError){TRINE_ERR_SYNTAX, in->source, 0, 0, t.msg});
    return TRINE_ERR_SYNTAX;
  }
  t.base = in->base_iri ? strdup(in->base_iri) : NULL;
  t.base_len = t.base ? strlen(t.base) : 0;
  t.env = serd_env_new(NULL);
  SerdReader *r = NULL;
  if (t.env && (t.base || !in->base_iri))
    r = serd_reader_new(in->trig ? SERD_TRIG : SERD_TURTLE, &t, NULL, on_base, on_prefix,
                        on_statement, NULL);
  if (!r) {
    serd_env_free(t.env);
    free(t.base);
    return TRINE_ERR_NOMEM;
  }
  serd_reader_set_strict(r, true);
  serd_reader_set_error_sink(r, on_serd_error, &t);
  SerdStatus ss = serd_reader_read_source(r, page_read, page_error, &t,
                                          (const uint8_t *)in->source, PAGE);
  serd_reader_free(r);
  if (ss > SERD_FAILURE && !t.failed && !t.status && !t.io_failed)
    t.failed = t.from_serd = true; /* an error serd returned without a message */
  if (t.clash && !t.failed && !t.status && !t.io_failed) {
    t.failed = t.clash_error = true;
    snprintf(t.msg, sizeof t.msg, "%s", CLASH);
  }
  TrineStatus st = t.status ? t.status : t.io_failed ? TRINE_ERR_IO : TRINE_OK;
  if (!st && t.failed) {
    report(&t);
    st = TRINE_ERR_SYNTAX;
  }
  for (int i = 0; i < NSLOTS; ++i) free(t.slot[i].data);
  serd_env_free(t.env);
  free(t.base);
  return st;
}

/* ---- file: IRIs ---- */

/* RFC 3986 unreserved, sub-delims, ':', '@' and '/': kept as they are. */
static bool path_char(unsigned char c) {
  return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || (c >= '0' && c <= '9') ||
         strchr("-._~!$&'()*+,;=:@/", c) != NULL;
}

char *ttl_file_iri(const char *path) {
  char *abs = realpath(path, NULL);
  if (!abs && path[0] != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) && (abs = malloc(strlen(cwd) + strlen(path) + 2)))
      sprintf(abs, "%s/%s", cwd, path);
  } else if (!abs) {
    abs = strdup(path);
  }
  if (!abs) return NULL;
  size_t n = strlen(abs);
  char *out = malloc(7 + 3 * n + 1), *o = out;
  if (out) {
    o += sprintf(o, "file://");
    for (const unsigned char *p = (const unsigned char *)abs; *p; ++p) {
      if (path_char(*p) && *p) *o++ = (char)*p;
      else o += sprintf(o, "%%%02X", *p);
    }
    *o = '\0';
  }
  free(abs);
  return out;
}
