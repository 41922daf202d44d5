/*
 * rdf_iso.c -- dataset isomorphism for the conformance suites' small graphs.
 *
 * Statements without blank nodes must be equal as sets of lines. Those
 * with blank nodes are matched one by one by backtracking: each statement
 * of a takes an unused statement of b whose other terms are equal and
 * whose blank nodes agree with the renaming built so far (a bijection).
 * Exponential in the worst case, so a step budget ends hopeless searches;
 * the test graphs have at most a few dozen blank nodes.
 */
#include "rdf_iso.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUDGET 20000000L

typedef struct {
  char *t[4]; /* s p o g; g "" for the default graph */
  bool blank;
} Quad;

typedef struct {
  Quad *q;
  size_t n;
  char **ground; /* lines without blank nodes, sorted */
  size_t nground;
  char *text;    /* owned copy the terms point into */
} Set;

/* The end of the term at p: an IRI, a blank node or a literal with its
 * language tag or datatype. */
static char *term_end(char *p) {
  if (*p == '<') return strchr(p, '>') + 1;
  if (*p == '"') {
    for (++p; *p != '"'; ++p)
      if (*p == '\\') ++p;
    ++p;
  }
  while (*p && *p != ' ') ++p;
  return p;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void set_read(Set *s, const char *text) {
  size_t lines = 0;
  for (const char *p = text; *p; ++p) lines += *p == '\n';
  *s = (Set){.q = calloc(lines + 1, sizeof *s->q), .ground = calloc(lines + 1, sizeof(char *)),
             .text = malloc(2 * strlen(text) + 2)};
  char *out = s->text;
  for (const char *line = text; *line;) {
    const char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) : strlen(line);
    char *copy = memcpy(out, line, len);
    copy[len] = '\0';
    out += len + 1;
    char *whole = strcpy(out, copy); /* kept whole for the ground lines */
    out += len + 1;
    Quad q = {{"", "", "", ""}, false};
    char *p = copy;
    for (int k = 0; k < 4 && *p && *p != '.'; ++k) {
      char *e = term_end(p);
      q.t[k] = p;
      q.blank |= p[0] == '_' && p[1] == ':';
      p = e + (*e == ' ');
      *e = '\0';
    }
    if (q.blank) s->q[s->n++] = q;
    else s->ground[s->nground++] = whole;
    line += len + (nl != NULL);
  }
  qsort(s->ground, s->nground, sizeof *s->ground, cmp_str);
}

static void set_free(Set *s) {
  free(s->q);
  free(s->ground);
  free(s->text);
}

/* ---- the matcher ---- */

typedef struct {
  const Set *a, *b;
  bool *used;
  const char **from, **to; /* the renaming: from[i] -> to[i] */
  size_t nmap;
  long steps;
} Match;

static bool is_blank(const char *t) {
  return t[0] == '_' && t[1] == ':';
}

/* Bind x (of a) to y (of b), keeping the renaming a bijection. */
static bool bind(Match *m, const char *x, const char *y) {
  if (is_blank(x) != is_blank(y)) return false;
  if (!is_blank(x)) return strcmp(x, y) == 0;
  for (size_t i = 0; i < m->nmap; ++i) {
    bool fx = strcmp(m->from[i], x) == 0, ty = strcmp(m->to[i], y) == 0;
    if (fx || ty) return fx && ty;
  }
  m->from[m->nmap] = x;
  m->to[m->nmap++] = y;
  return true;
}

static bool match(Match *m, size_t i) {
  if (i == m->a->n) return true;
  if (++m->steps > BUDGET) return false;
  const Quad *x = &m->a->q[i];
  for (size_t j = 0; j < m->b->n; ++j) {
    if (m->used[j]) continue;
    size_t mark = m->nmap;
    const Quad *y = &m->b->q[j];
    bool ok = true;
    for (int k = 0; k < 4 && ok; ++k) ok = bind(m, x->t[k], y->t[k]);
    if (ok) {
      m->used[j] = true;
      if (match(m, i + 1)) return true;
      m->used[j] = false;
    }
    m->nmap = mark;
  }
  return false;
}

static bool blank_part(const Set *a, const Set *b, char *why, size_t cap) {
  Match m = {a, b, calloc(b->n + 1, sizeof(bool)), calloc(4 * a->n + 1, sizeof(char *)),
             calloc(4 * a->n + 1, sizeof(char *)), 0, 0};
  bool ok = match(&m, 0);
  if (!ok)
    snprintf(why, cap, m.steps > BUDGET ? "no blank node renaming found within the step budget"
                                        : "the statements with blank nodes differ");
  free(m.used);
  free(m.from);
  free(m.to);
  return ok;
}

static bool ground_part(const Set *a, const Set *b, char *why, size_t cap) {
  for (size_t i = 0; i < a->nground || i < b->nground; ++i) {
    const char *x = i < a->nground ? a->ground[i] : NULL;
    const char *y = i < b->nground ? b->ground[i] : NULL;
    if (x && y && strcmp(x, y) == 0) continue;
    if (!y || (x && strcmp(x, y) < 0)) snprintf(why, cap, "unexpected: %s", x);
    else snprintf(why, cap, "missing: %s", y);
    return false;
  }
  return true;
}

bool rdf_isomorphic(const char *a, const char *b, char *why, size_t cap) {
  Set x, y;
  set_read(&x, a);
  set_read(&y, b);
  bool ok = ground_part(&x, &y, why, cap);
  if (ok && x.n != y.n) {
    snprintf(why, cap, "%zu statements with blank nodes, expected %zu", x.n, y.n);
    ok = false;
  }
  if (ok) ok = blank_part(&x, &y, why, cap);
  set_free(&x);
  set_free(&y);
  return ok;
}
