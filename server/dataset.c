/*
 * dataset.c -- a top-level lexical scan of SPARQL text, and the dataset
 * clauses it places.
 */
#include "dataset.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { T_END, T_WORD, T_VAR, T_IRI, T_STRING, T_OPEN, T_CLOSE, T_OTHER } TokKind;

typedef struct {
  TokKind kind;
  size_t start, end;
} Tok;

typedef struct {
  const char *s;
  size_t len, pos;
} Lexer;

static bool word_byte(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '_' || c == ':' || c == '.' || c == '-' || c == '%' || c == '\\' || c >= 0x80;
}

/* Past blanks and '#' comments. */
static void skip_space(Lexer *lx) {
  while (lx->pos < lx->len) {
    unsigned char c = (unsigned char)lx->s[lx->pos];
    if (c == '#') {
      while (lx->pos < lx->len && lx->s[lx->pos] != '\n') lx->pos++;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      lx->pos++;
    } else {
      return;
    }
  }
}

/* The end of an IRIREF opened at i, or 0 when '<' is an operator there. */
static size_t iri_end(const Lexer *lx, size_t i) {
  for (size_t j = i + 1; j < lx->len; ++j) {
    unsigned char c = (unsigned char)lx->s[j];
    if (c == '>') return j + 1;
    if (c <= 0x20 || strchr("<\"{}|^`", c)) return 0;
  }
  return 0;
}

/* The end of a string literal opened at i ('...', "...", or tripled). */
static size_t string_end(const Lexer *lx, size_t i) {
  char q = lx->s[i];
  bool longq = i + 2 < lx->len && lx->s[i + 1] == q && lx->s[i + 2] == q;
  size_t j = i + (longq ? 3 : 1);
  while (j < lx->len) {
    if (lx->s[j] == '\\') {
      j += 2;
    } else if (lx->s[j] != q) {
      j++;
    } else if (!longq) {
      return j + 1;
    } else if (j + 2 < lx->len && lx->s[j + 1] == q && lx->s[j + 2] == q) {
      while (j + 3 < lx->len && lx->s[j + 3] == q) j++; /* """a"""" ends last */
      return j + 3;
    } else {
      j++;
    }
  }
  return lx->len;
}

static Tok lex(Lexer *lx) {
  skip_space(lx);
  Tok t = {T_END, lx->pos, lx->pos};
  if (lx->pos >= lx->len) return t;
  size_t i = lx->pos, end = i + 1;
  unsigned char c = (unsigned char)lx->s[i];
  if (c == '{') {
    t.kind = T_OPEN;
  } else if (c == '}') {
    t.kind = T_CLOSE;
  } else if (c == '<' && (end = iri_end(lx, i)) != 0) {
    t.kind = T_IRI;
  } else if (c == '"' || c == '\'') {
    t.kind = T_STRING;
    end = string_end(lx, i);
  } else if (c == '?' || c == '$' || word_byte(c)) {
    t.kind = word_byte(c) ? T_WORD : T_VAR;
    while (end < lx->len && word_byte((unsigned char)lx->s[end])) end++;
  } else {
    t.kind = T_OTHER;
    end = i + 1;
  }
  if (end > lx->len) end = lx->len;
  t.end = lx->pos = end;
  return t;
}

static bool is_word(const Lexer *lx, Tok t, const char *kw) {
  size_t n = strlen(kw);
  return t.kind == T_WORD && t.end - t.start == n && strncasecmp(lx->s + t.start, kw, n) == 0;
}

static bool is_char(const Lexer *lx, Tok t, char c) {
  return t.kind == T_OTHER && lx->s[t.start] == c;
}

/* Skip the rest of the { } group whose '{' was just read. */
static void skip_group(Lexer *lx) {
  for (int depth = 1; depth > 0;) {
    Tok t = lex(lx);
    if (t.kind == T_END) return;
    depth += t.kind == T_OPEN ? 1 : t.kind == T_CLOSE ? -1 : 0;
  }
}

/* The next token at bracket depth 0: a '{' comes with its group skipped. */
static Tok lex_top(Lexer *lx) {
  Tok t = lex(lx);
  if (t.kind == T_OPEN) skip_group(lx);
  return t;
}

/* Clauses "KW <iri> ..." for every IRI of list, appended to out. */
static void put_clauses(FILE *out, const char *kw, const IriList *list) {
  for (size_t i = 0; list && i < list->n; ++i) fprintf(out, " %s <%s>", kw, list->iri[i]);
}

/* The text with [cut[2k], cut[2k+1]) ranges left out and the clauses put
 * at `at` (cuts are in order and do not cross `at`). */
static char *splice(const char *text, size_t len, const size_t *cut, size_t ncut, size_t at,
                    const char *kw, const IriList *dflt, const char *kwn,
                    const IriList *named, size_t *outlen) {
  char *buf = NULL;
  FILE *out = open_memstream(&buf, outlen);
  if (!out) return NULL;
  size_t from = 0;
  for (size_t k = 0; k <= ncut; ++k) {
    size_t upto = k < ncut ? cut[2 * k] : len;
    if (from <= at && at <= upto) {
      fwrite(text + from, 1, at - from, out);
      put_clauses(out, kw, dflt);
      put_clauses(out, kwn, named);
      fputc(' ', out);
      from = at;
      at = SIZE_MAX;
    }
    fwrite(text + from, 1, upto - from, out);
    if (k < ncut) from = cut[2 * k + 1];
  }
  if (fclose(out) != 0) {
    free(buf);
    return NULL;
  }
  return buf;
}

enum { MAX_CUTS = 64 };

/* Past the form keyword: whether a token ends the dataset clauses. */
static bool dataset_ends(const Lexer *lx, Tok t, bool describe, int parens) {
  if (t.kind == T_END || is_word(lx, t, "WHERE")) return true;
  if (t.kind == T_OPEN) return parens == 0;
  static const char *const mods[] = {"ORDER", "GROUP", "HAVING", "LIMIT", "OFFSET", "VALUES"};
  for (size_t i = 0; describe && i < sizeof mods / sizeof *mods; ++i)
    if (is_word(lx, t, mods[i])) return true;
  return false;
}

char *dataset_query(const char *text, size_t len, const IriList *dflt, const IriList *named,
                    size_t *outlen) {
  Lexer lx = {text, len, 0};
  Tok t;
  do t = lex_top(&lx);
  while (t.kind != T_END && !is_word(&lx, t, "SELECT") && !is_word(&lx, t, "ASK") &&
         !is_word(&lx, t, "CONSTRUCT") && !is_word(&lx, t, "DESCRIBE"));
  if (t.kind == T_END) return NULL;
  bool describe = is_word(&lx, t, "DESCRIBE"), construct = is_word(&lx, t, "CONSTRUCT");
  t = lex(&lx);
  if (construct && t.kind == T_OPEN) { /* the template */
    skip_group(&lx);
    t = lex(&lx);
  }
  size_t cut[2 * MAX_CUTS], ncut = 0;
  for (int parens = 0; !dataset_ends(&lx, t, describe, parens); t = lex(&lx)) {
    if (t.kind == T_OPEN) { /* EXISTS { } in a projected expression */
      skip_group(&lx);
      continue;
    }
    parens += is_char(&lx, t, '(') - is_char(&lx, t, ')');
    if (!is_word(&lx, t, "FROM")) continue;
    if (ncut == MAX_CUTS) return NULL;
    cut[2 * ncut] = t.start;
    Tok g = lex(&lx);
    if (is_word(&lx, g, "NAMED")) g = lex(&lx);
    cut[2 * ncut++ + 1] = g.end;
  }
  return splice(text, len, cut, ncut, t.start, "FROM", dflt, "FROM NAMED", named, outlen);
}

char *dataset_update(const char *text, size_t len, const IriList *dflt, const IriList *named,
                     size_t *outlen, bool *conflict) {
  Lexer lx = {text, len, 0};
  *conflict = false;
  size_t at[MAX_CUTS], nat = 0;
  Tok prev = {T_END, 0, 0};
  for (Tok t = lex_top(&lx); t.kind != T_END; prev = t, t = lex_top(&lx)) {
    if (is_word(&lx, t, "USING") || is_word(&lx, t, "WITH")) {
      *conflict = true;
      return NULL;
    }
    if (!is_word(&lx, t, "WHERE") || is_word(&lx, prev, "DELETE")) continue;
    if (nat == MAX_CUTS) return NULL;
    at[nat++] = t.start;
  }
  /* Splice from the last WHERE back, each time into the previous text. */
  char *cur = NULL;
  size_t curlen = len;
  for (size_t k = nat; k-- > 0;) {
    char *next = splice(cur ? cur : text, curlen, NULL, 0, at[k], "USING", dflt, "USING NAMED",
                        named, &curlen);
    free(cur);
    if (!(cur = next)) return NULL;
  }
  if (!cur && !(cur = strndup(text, len))) return NULL;
  *outlen = curlen;
  return cur;
}

bool dataset_has_load(const char *text, size_t len) {
  Lexer lx = {text, len, 0};
  for (Tok t = lex_top(&lx); t.kind != T_END; t = lex_top(&lx)) {
    if (is_word(&lx, t, "LOAD")) return true;
  }
  return false;
}
