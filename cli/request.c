/*
 * request.c -- where a SPARQL request ends in the shell's input.
 *
 * The rule (stated in --help, .help and trine(1)): a request may end only
 * at the end of a line where its brackets balance (outside strings, IRIs
 * and comments) and the line ends with ';' or is blank. There:
 *  - a query ends at its ';' (';' is not SPARQL in a query);
 *  - an update ending with ';' goes on when the next word, past blank
 *    lines, comments and PREFIX/BASE declarations, starts an update
 *    operation (';' separates the operations of one request, which share
 *    its prologue);
 *  - otherwise (a blank line) it goes on when it is only a prologue, when
 *    the parser finds it cut short (its error lies at the very end), or
 *    when the parser accepts it followed by the next word (ORDER BY ...).
 * A dot-command line where brackets balance also ends a request before it
 * (main.c), and .explain [analyze] takes its query by the same rule.
 * The parser is asked through trine_query_prepare() with no store, which
 * only checks. A ';' never needs the parser: a long chain of update
 * operations is not parsed again at each of them.
 */
#include "shell.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/* A string starting at p (its first quote): past its end on this line. */
static const char *skip_short_string(const char *p) {
  char q = *p++;
  for (; *p && *p != q && *p != '\n'; ++p)
    if (*p == '\\' && p[1] && p[1] != '\n') ++p;
  return p; /* at the closing quote, the newline or the end */
}

/* An IRI at p ('<' with no space inside up to '>'): its length, 0 if none
 * (then '<' is a less-than). */
static size_t iri_len(const char *p) {
  size_t n = strcspn(p + 1, "<>\"{}|^`\\ \t\r\n");
  return p[1 + n] == '>' ? n + 2 : 0;
}

void req_scan_line(ReqScan *s, const char *p) {
  for (; *p; ++p) {
    char c = *p;
    if (s->quote) { /* inside a long string, perhaps since an earlier line */
      if (c == '\\' && p[1]) {
        ++p;
      } else if (c == s->quote && p[1] == c && p[2] == c) {
        p += 2;
        s->quote = 0;
        s->last = c;
        s->last_at = p;
      }
      continue;
    }
    if (c == '#') { /* a comment, to the end of the line */
      p += strcspn(p, "\n");
      if (!*p) return;
      continue;
    }
    if (c == '"' || c == '\'') {
      if (p[1] == c && p[2] == c) {
        s->quote = c;
        p += 2;
        continue;
      }
      s->last_at = p;
      p = skip_short_string(p);
      s->last = c;
      if (!*p) return;
      continue;
    }
    size_t n = c == '<' ? iri_len(p) : 0;
    if (n) {
      s->last_at = p;
      p += n - 1;
      s->last = '>';
      continue;
    }
    if (c == '{' || c == '(' || c == '[') ++s->depth;
    if (c == '}' || c == ')' || c == ']') --s->depth;
    if (!is_space(c)) s->last = c, s->last_at = p;
  }
}

/* Past white space and comments. */
static const char *skip_blank(const char *p) {
  for (;;) {
    while (is_space(*p)) ++p;
    if (*p != '#') return p;
    p += strcspn(p, "\n");
  }
}

/* Whether p starts with keyword kw (any case) as a whole word. */
static bool keyword(const char *p, const char *kw) {
  size_t n = strlen(kw);
  return strncasecmp(p, kw, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_';
}

/* Past the PREFIX and BASE declarations (and comments) at p. *cut is set
 * when the text ends inside one. */
static const char *skip_prologue(const char *p, bool *cut) {
  *cut = false;
  for (;;) {
    p = skip_blank(p);
    bool prefix = keyword(p, "PREFIX"), base = keyword(p, "BASE");
    if (!prefix && !base) return p;
    const char *q = skip_blank(p + (prefix ? 6 : 4));
    if (prefix) { /* the prefix name, then ':' */
      while (isalnum((unsigned char)*q) || *q == '_' || *q == '-' || *q == '.' ||
             (unsigned char)*q >= 0x80)
        ++q;
      if (*q == ':') q = skip_blank(q + 1);
      else if (*q) return p;
    }
    size_t n = *q == '<' ? iri_len(q) : 0;
    if (!n) {
      *cut = !*q;
      return *q ? p : q;
    }
    p = q + n;
  }
}

/* Whether text is only a prologue: the query or update proper is to come. */
static bool only_prologue(const char *text) {
  bool cut;
  return !*skip_prologue(text, &cut);
}

/* Whether text is a query (not an update): its first word after the
 * prologue is a query form. */
static bool is_query(const char *text) {
  bool cut;
  const char *p = skip_prologue(text, &cut);
  return keyword(p, "SELECT") || keyword(p, "ASK") || keyword(p, "CONSTRUCT") ||
         keyword(p, "DESCRIBE");
}

long req_next_word(const char *text, size_t *start, size_t *end) {
  bool cut;
  const char *p = skip_prologue(text, &cut);
  if (!*p || cut) return 0;
  const char *bol = p;
  while (bol > text && (bol[-1] == ' ' || bol[-1] == '\t')) --bol;
  if (*p == '.' && (bol == text || bol[-1] == '\n')) return -1; /* a dot-command */
  const char *e = p + 1;
  if (*p == '<') e = p + strcspn(p, ">\n") + (p[strcspn(p, ">\n")] == '>');
  else if (isalnum((unsigned char)*p) || strchr("_?$:", *p))
    while (isalnum((unsigned char)*e) || (*e && strchr("_-:", *e)) || (unsigned char)*e >= 0x80)
      ++e;
  *start = (size_t)(p - text);
  *end = (size_t)(e - text);
  return 1;
}

/* What the parser makes of text[0, len): complete, cut short, or wrong
 * before its end. */
typedef enum { PARSE_OK, PARSE_SHORT, PARSE_ERROR } Parse;

typedef struct {
  bool any;
  unsigned line, col;
} FirstError;

static void first_error(void *ctx, const TrineError *e) {
  FirstError *f = ctx;
  if (f->any) return;
  f->any = true;
  f->line = e->line;
  f->col = e->col;
}

static Parse parse(Shell *sh, const char *text, size_t len) {
  char *part = strndup(text, len);
  unsigned added = 0;
  char *full = part ? shell_with_prefixes(sh, part, &added) : NULL;
  free(part);
  if (!full) return PARSE_ERROR;
  FirstError fe = {0};
  TrineQueryOptions qo = {.base_iri = sh->base, .sink = first_error, .sink_ctx = &fe};
  TrineQuery *q = NULL;
  size_t n = strlen(full);
  TrineStatus st = trine_query_prepare(NULL, full, n, &qo, &q);
  trine_query_free(q);
  /* The end of the text, as the parser counts: characters, not bytes. */
  unsigned line = 1, col = 1;
  for (size_t i = 0; i < n; ++i) {
    if (full[i] == '\n') line++, col = 1;
    else if (((unsigned char)full[i] & 0xC0) != 0x80) col++;
  }
  free(full);
  if (st == TRINE_OK) return PARSE_OK;
  return st == TRINE_ERR_SYNTAX && fe.any && fe.line == line && fe.col == col ? PARSE_SHORT
                                                                              : PARSE_ERROR;
}

ReqState req_state(Shell *sh, const ReqScan *s, const char *text, bool blank_line) {
  if (s->depth > 0 || s->quote) return REQ_MORE;
  if (s->last == ';') return is_query(text) ? REQ_END : REQ_PEEK_OP;
  if (!blank_line || only_prologue(text)) return REQ_MORE;
  return parse(sh, text, strlen(text)) == PARSE_SHORT ? REQ_MORE : REQ_PEEK_PARSE;
}

/* The words that start an update operation (SPARQL 1.1 Update, Update1). */
static bool starts_operation(const char *w, size_t n) {
  static const char *const ops[] = {"INSERT", "DELETE", "WITH", "LOAD", "CLEAR",
                                    "CREATE", "DROP",   "COPY", "MOVE", "ADD"};
  for (size_t i = 0; i < sizeof ops / sizeof *ops; ++i)
    if (strlen(ops[i]) == n && strncasecmp(w, ops[i], n) == 0) return true;
  return false;
}

bool req_goes_on(Shell *sh, ReqState st, const char *text, const char *next, size_t start,
                 size_t end) {
  if (st == REQ_PEEK_OP) return starts_operation(next + start, end - start);
  if (st != REQ_PEEK_PARSE) return false;
  size_t n = strlen(text);
  char *probe = malloc(n + end + 1);
  if (!probe) return false;
  memcpy(probe, text, n);
  memcpy(probe + n, next, end);
  Parse p = parse(sh, probe, n + end);
  free(probe);
  return p != PARSE_ERROR;
}
