/*
 * width.c -- terminal columns of UTF-8 text: the East Asian Width and the
 * zero-width (combining, format) ranges of width_table.h, made by
 * scripts/gen-width. wcwidth() would depend on the locale of the program
 * that embeds the library, and answers -1 without a UTF-8 one.
 */
#include "width.h"

#include "trine.h"
#include "utf8.h"
#include "width_table.h"

static bool in_ranges(const WidthRange *r, size_t n, uint32_t cp) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (cp < r[mid].lo)
      hi = mid;
    else if (cp > r[mid].hi)
      lo = mid + 1;
    else
      return true;
  }
  return false;
}

#define NRANGES(a) (sizeof a / sizeof *a)

unsigned width_cp(uint32_t cp) {
  if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
    return 0;
  if (cp < 0x300)
    return 1; // no mark, nothing wide below U+0300 (the soft hyphen counts 1)
  if (in_ranges(width_zero, NRANGES(width_zero), cp))
    return 0;
  return in_ranges(width_wide, NRANGES(width_wide), cp) ? 2 : 1;
}

/* The code point at s[i] and its length; a byte that is not valid UTF-8
 * is one character of one column (terminals show U+FFFD). */
static size_t next_cp(const char *s, size_t n, size_t i, unsigned *w) {
  unsigned cp = (unsigned char)s[i];
  size_t len = cp < 0x80 ? 1 : utf8_decode(s + i, n - i, &cp);
  if (!len) {
    *w = 1;
    return 1;
  }
  *w = width_cp(cp);
  return len;
}

size_t trine_text_width(const char *text, size_t len) {
  size_t cols = 0;
  if (!text)
    return 0;
  unsigned w;
  for (size_t i = 0; i < len; i += next_cp(text, len, i, &w), cols += w) {
  }
  return cols;
}

size_t width_prefix(const char *s, size_t n, size_t cols, size_t *used) {
  size_t i = 0, w = 0;
  while (i < n) {
    unsigned cw;
    size_t len = next_cp(s, n, i, &cw);
    if (w + cw > cols)
      break;
    w += cw;
    i += len;
  }
  *used = w;
  return i;
}

/* The start of the character that ends at s[end] (exclusive). */
static size_t prev_start(const char *s, size_t end) {
  size_t i = end - 1;
  while (i > 0 && end - i < UTF8_MAX && ((unsigned char)s[i] & 0xC0) == 0x80)
    --i;
  size_t len;
  unsigned cp;
  len = (unsigned char)s[i] < 0x80 ? 1 : utf8_decode(s + i, end - i, &cp);
  return len == end - i ? i : end - 1; // invalid: one byte
}

size_t width_suffix(const char *s, size_t n, size_t cols, size_t *used) {
  size_t start = n, w = 0, good = n, good_w = 0;
  while (start > 0) {
    size_t i = prev_start(s, start);
    unsigned cw;
    next_cp(s, n, i, &cw);
    if (w + cw > cols)
      break;
    w += cw;
    start = i;
    if (cw) { // a character with its marks, not a mark alone
      good = start;
      good_w = w;
    }
  }
  *used = good_w;
  return good;
}
