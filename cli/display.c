/*
 * display.c -- how the shell fits what it shows to the screen: the
 * terminal's width, an error's line cut to a window around its caret, and
 * IRIs shortened with the shell's prefixes wherever terms are printed.
 */
#include "shell.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

unsigned shell_term_width(FILE *f) {
  struct winsize ws;
  if (isatty(fileno(f)) && ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 10)
    return ws.ws_col;
  return 0;
}

/* Bytes of the UTF-8 character at s (1 for a byte that starts none). */
static size_t char_len(const char *s, size_t n) {
  unsigned char c = (unsigned char)*s;
  size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  if (k > n) return 1;
  for (size_t i = 1; i < k; ++i)
    if (((unsigned char)s[i] & 0xC0) != 0x80) return 1;
  return k;
}

/* Columns of the character at s: a tab is budgeted as a full tab stop. */
static size_t char_cols(const char *s, size_t k) {
  return *s == '\t' ? 8 : trine_text_width(s, k);
}

/* Columns of s[from..to). */
static size_t span_cols(const char *s, size_t from, size_t to) {
  size_t w = 0;
  for (size_t i = from, k; i < to; i += k) w += char_cols(s + i, k = char_len(s + i, to - i));
  return w;
}

/* Byte offset of character col (1-based), or len past the last. */
static size_t char_at(const char *s, size_t len, unsigned col) {
  size_t i = 0;
  for (unsigned c = 1; c < col && i < len; ++c) i += char_len(s + i, len - i);
  return i;
}

/* The start of the longest stretch ending at `at` within cols columns. */
static size_t back_cols(const char *s, size_t at, size_t cols) {
  size_t start = at;
  while (start > 0) {
    size_t i = start - 1;
    while (i > 0 && start - i < 4 && ((unsigned char)s[i] & 0xC0) == 0x80) --i;
    size_t w = char_cols(s + i, start - i);
    if (w > cols) break;
    cols -= w;
    start = i;
  }
  return start;
}

/* The end of the longest stretch starting at `at` within cols columns. */
static size_t forward_cols(const char *s, size_t len, size_t at, size_t cols) {
  size_t end = at;
  while (end < len) {
    size_t k = char_len(s + end, len - end), w = char_cols(s + end, k);
    if (w > cols) break;
    cols -= w;
    end += k;
  }
  return end;
}

void shell_caret(FILE *out, const char *line, size_t len, unsigned col, unsigned width) {
  size_t avail = (width ? width : 80) - 2, at = char_at(line, len, col);
  size_t start = 0, end = len;
  if (span_cols(line, 0, len) + 1 > avail) {
    /* Two thirds of the window before the caret: what led to the error. */
    size_t room = avail - 3, before = span_cols(line, 0, at), after = span_cols(line, at, len);
    size_t left = before < room * 2 / 3 ? before : room * 2 / 3;
    if (after < room - left) left = before < room - after ? before : room - after;
    start = back_cols(line, at, left);
    end = forward_cols(line, len, at, room - span_cols(line, start, at));
  }
  fprintf(out, "  %s%.*s%s\n  %s", start ? "\xE2\x80\xA6" : "", (int)(end - start),
          line + start, end < len ? "\xE2\x80\xA6" : "", start ? " " : "");
  for (size_t i = start, k; i < at; i += k) {
    k = char_len(line + i, at - i);
    if (line[i] == '\t') fputc('\t', out); /* the same tab stop as above */
    else fprintf(out, "%*s", (int)trine_text_width(line + i, k), "");
  }
  fputs("^\n", out);
}

/* ---- terms with the shell's prefixes ---- */

void shell_print_iri(Shell *sh, FILE *out, const char *iri, size_t len) {
  char buf[512];
  size_t n = trine_iri_shorten(iri, len, (const char *const *)sh->prefixes, sh->nprefixes, buf,
                               sizeof buf);
  if (n && n < sizeof buf) {
    fwrite(buf, 1, n, out);
    return;
  }
  TrineTerm t = {.kind = TRINE_TERM_IRI, .value = iri, .value_len = len};
  trine_term_write(&t, out);
}

/* The length of the IRI that s (just after a '<') holds up to its '>',
 * or 0 when it is none: no space, no character an IRI cannot hold. */
static size_t iri_len(const char *s, size_t n) {
  bool colon = false;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = (unsigned char)s[i];
    if (c == '>') return colon ? i : 0;
    if (c <= ' ' || strchr("<\"{}|^`\\", c)) return 0;
    colon |= c == ':';
  }
  return 0;
}

void shell_write_short(Shell *sh, FILE *out, const char *text, size_t len) {
  char quote = 0;
  size_t from = 0;
  for (size_t i = 0; i < len; ++i) {
    char c = text[i];
    if (quote) { /* strings and quoted words are shown as they are */
      if (c == '\\' && i + 1 < len) ++i;
      else if (c == quote) quote = 0;
      continue;
    }
    if (c == '"' || c == '\'') quote = c;
    size_t k = c == '<' ? iri_len(text + i + 1, len - i - 1) : 0;
    char buf[512];
    size_t n = k ? trine_iri_shorten(text + i + 1, k, (const char *const *)sh->prefixes,
                                     sh->nprefixes, buf, sizeof buf)
                 : 0;
    if (!n || n >= sizeof buf) continue;
    fwrite(text + from, 1, i - from, out);
    fwrite(buf, 1, n, out);
    i += k + 1;
    from = i + 1;
  }
  fwrite(text + from, 1, len - from, out);
}

TrineStatus shell_explain_write(Shell *sh, TrineQuery *q) {
  char *text = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&text, &len);
  if (!m) return TRINE_ERR_NOMEM;
  TrineStatus st = trine_query_explain(q, m);
  if (fclose(m) && !st) st = TRINE_ERR_NOMEM;
  if (text) shell_write_short(sh, sh->out, text, len);
  free(text);
  return st;
}
