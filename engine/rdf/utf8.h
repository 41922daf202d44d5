/*
 * utf8.h -- UTF-8 decoding, encoding and counting, and the non-ASCII
 * character classes of names in RDF and SPARQL, shared by the engine and
 * the SPARQL grammar. Private; static inline so the hot loops of the
 * N-Triples parser keep them inline.
 */
#ifndef TRINE_UTF8_H
#define TRINE_UTF8_H

#include <stddef.h>
#include <stdint.h>

/* The longest UTF-8 sequence. */
#define UTF8_MAX 4

/*
 * Length (2 to 4) of the valid UTF-8 sequence at str, of which at most n
 * bytes may be read, or 0 if it is not valid: an ASCII or continuation lead
 * byte, an overlong form, a surrogate, a code point above U+10FFFF, or a
 * sequence cut short. The code point goes to *cp when valid.
 *
 * Text that always ends in a byte that is no continuation byte (a line end,
 * a NUL) may pass n = UTF8_MAX: a cut-short sequence then stops at that byte
 * and nothing past it is read.
 */
static inline size_t utf8_decode(const char *str, size_t n, unsigned *cp) {
  const uint8_t *s = (const uint8_t *)str;
  uint8_t c = s[0];
  unsigned lo = 0x80, hi = 0xBF, v;
  size_t len;
  if (c < 0xC2 || c > 0xF4)
    return 0;
  if (c < 0xE0) {
    len = 2;
    v = c & 0x1F;
  } else if (c < 0xF0) {
    len = 3;
    v = c & 0x0F;
    lo = c == 0xE0 ? 0xA0 : 0x80; // no overlongs
    hi = c == 0xED ? 0x9F : 0xBF; // no surrogates
  } else {
    len = 4;
    v = c & 0x07;
    lo = c == 0xF0 ? 0x90 : 0x80; // no overlongs
    hi = c == 0xF4 ? 0x8F : 0xBF; // nothing above U+10FFFF
  }
  if (n < len || s[1] < lo || s[1] > hi)
    return 0;
  v = (v << 6) | (s[1] & 0x3F);
  for (size_t i = 2; i < len; ++i) {
    if ((s[i] & 0xC0) != 0x80)
      return 0;
    v = (v << 6) | (s[i] & 0x3F);
  }
  *cp = v;
  return len;
}

/* Write code point cp (at most U+10FFFF) as UTF-8 to out, which has room for
 * UTF8_MAX bytes; returns the number of bytes written. */
static inline size_t utf8_encode(unsigned cp, char *out) {
  if (cp < 0x80) {
    out[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    out[0] = (char)(0xC0 | (cp >> 6));
    out[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12));
    out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18));
  out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The number of code points in s[0..n): the bytes that are no continuation
 * bytes (so a stray byte of invalid UTF-8 counts as one). */
static inline size_t utf8_count(const char *s, size_t n) {
  size_t k = 0;
  for (size_t i = 0; i < n; ++i)
    k += ((uint8_t)s[i] & 0xC0) != 0x80;
  return k;
}

/* PN_CHARS_BASE and PN_CHARS (RDF 1.1 Turtle, N-Triples; SPARQL 1.1) for
 * code points >= 0x80. */
static inline int utf8_pn_base(unsigned c) {
  return (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) ||
         (c >= 0xF8 && c <= 0x2FF) || (c >= 0x370 && c <= 0x37D) ||
         (c >= 0x37F && c <= 0x1FFF) || (c >= 0x200C && c <= 0x200D) ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

static inline int utf8_pn_char(unsigned c) {
  return utf8_pn_base(c) || c == 0xB7 || (c >= 0x300 && c <= 0x36F) ||
         (c >= 0x203F && c <= 0x2040);
}

#endif
