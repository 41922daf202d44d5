/* eval_common.c -- shared parts of the W3C SPARQL evaluation runners. */
#include "eval_common.h"

#include "ntparse.h"

#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <sys/wait.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define XSD_STRING "http://www.w3.org/2001/XMLSchema#string"
#define RDF_LANGSTRING "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

static void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static void *xrealloc(void *p, size_t n) {
  p = realloc(p, n ? n : 1);
  if (!p) {
    fprintf(stderr, "out of memory\n");
    exit(2);
  }
  return p;
}

static char *xstrndup(const char *s, size_t n) {
  char *d = xmalloc(n + 1);
  if (n)
    memcpy(d, s, n);
  d[n] = '\0';
  return d;
}

/* Files ------------------------------------------------------------------ */

char *ev_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  size_t cap = 4096, n = 0;
  char *buf = xmalloc(cap);
  size_t r;
  while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
    n += r;
    if (cap - n - 1 == 0) {
      cap *= 2;
      buf = xrealloc(buf, cap);
    }
  }
  bool err = ferror(f);
  fclose(f);
  if (err) {
    free(buf);
    return NULL;
  }
  buf[n] = '\0';
  if (len)
    *len = n;
  return buf;
}

bool ev_tsv_read(const char *path, EvTsv *t) {
  memset(t, 0, sizeof *t);
  t->text = ev_read_file(path, NULL);
  if (!t->text)
    return false;
  size_t cap = 0;
  char *p = t->text;
  while (*p) {
    char *eol = strchr(p, '\n');
    char *next = eol ? eol + 1 : p + strlen(p);
    if (eol)
      *eol = '\0';
    size_t ll = strlen(p);
    if (ll && p[ll - 1] == '\r')
      p[--ll] = '\0';
    if (ll && p[0] != '#') {
      if (t->nrows == cap) {
        cap = cap ? cap * 2 : 64;
        t->rows = xrealloc(t->rows, cap * sizeof *t->rows);
        t->nfields = xrealloc(t->nfields, cap * sizeof *t->nfields);
      }
      size_t nf = 1;
      for (char *c = p; *c; ++c)
        nf += *c == '\t';
      char **f = xmalloc(nf * sizeof *f);
      size_t k = 0;
      f[k++] = p;
      for (char *c = p; *c; ++c)
        if (*c == '\t') {
          *c = '\0';
          f[k++] = c + 1;
        }
      t->rows[t->nrows] = f;
      t->nfields[t->nrows++] = nf;
    }
    p = next;
  }
  return true;
}

void ev_tsv_free(EvTsv *t) {
  for (size_t i = 0; i < t->nrows; ++i)
    free(t->rows[i]);
  free(t->rows);
  free(t->nfields);
  free(t->text);
  memset(t, 0, sizeof *t);
}

const char *ev_tsv_get(const EvTsv *t, size_t i, size_t j) {
  if (i >= t->nrows || j >= t->nfields[i])
    return "";
  return t->rows[i][j];
}

const char *ev_tsv_value(const EvTsv *t, const char *key) {
  for (size_t i = 0; i < t->nrows; ++i)
    if (strcmp(t->rows[i][0], key) == 0)
      return ev_tsv_get(t, i, 1);
  return NULL;
}

/* out = dir/file, cut to size. */
void ev_join(char *out, size_t size, const char *dir, const char *file) {
  size_t dl = strlen(dir), fl = strlen(file);
  if (dl + fl + 2 > size) {
    dl = dl < size - 1 ? dl : size - 1;
    fl = size - 2 > dl ? size - 2 - dl : 0;
  }
  memcpy(out, dir, dl);
  out[dl] = '/';
  memcpy(out + dl + 1, file, fl);
  out[dl + 1 + fl] = '\0';
}

/* Terms ------------------------------------------------------------------- */

#define XSD_NS "http://www.w3.org/2001/XMLSchema#"

static bool is_digits(const char *s, size_t n) {
  if (!n)
    return false;
  for (size_t i = 0; i < n; ++i)
    if (s[i] < '0' || s[i] > '9')
      return false;
  return true;
}

/* The normal form of a numeric literal's value, or NULL. */
static char *numeric_canon(const char *lex, size_t n, const char *dt) {
  static const char *const ints[] = {
      "integer", "int", "long", "short", "byte", "nonNegativeInteger",
      "positiveInteger", "negativeInteger", "nonPositiveInteger",
      "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte"};
  if (!dt || strncmp(dt, XSD_NS, strlen(XSD_NS)) != 0)
    return NULL;
  const char *local = dt + strlen(XSD_NS);
  int kind = -1; // 0 integer, 1 decimal, 2 float, 3 double
  for (size_t i = 0; i < sizeof ints / sizeof *ints; ++i)
    if (strcmp(local, ints[i]) == 0)
      kind = 0;
  if (strcmp(local, "decimal") == 0)
    kind = 1;
  else if (strcmp(local, "float") == 0)
    kind = 2;
  else if (strcmp(local, "double") == 0)
    kind = 3;
  if (kind < 0 || memchr(lex, '\0', n))
    return NULL;
  char *text = xstrndup(lex, n);
  char *out = NULL;
  if (kind >= 2) {
    if (strcmp(text, "INF") == 0 || strcmp(text, "+INF") == 0 ||
        strcmp(text, "-INF") == 0 || strcmp(text, "NaN") == 0) {
      out = xstrndup(text[0] == '+' ? text + 1 : text,
                     strlen(text) - (text[0] == '+'));
    } else {
      /* Digits, at most one '.', an optional exponent. */
      const char *p = text;
      if (*p == '+' || *p == '-')
        ++p;
      size_t m = strcspn(p, "eE");
      const char *dot = memchr(p, '.', m);
      size_t il = dot ? (size_t)(dot - p) : m, fl = dot ? m - il - 1 : 0;
      bool ok = il + fl > 0 && (!il || is_digits(p, il)) &&
                (!fl || is_digits(dot + 1, fl));
      if (ok && p[m]) {
        const char *x = p + m + 1;
        if (*x == '+' || *x == '-')
          ++x;
        ok = is_digits(x, strlen(x));
      }
      if (ok) {
        char buf[64];
        if (kind == 2)
          snprintf(buf, sizeof buf, "%.9g", (double)strtof(text, NULL));
        else
          snprintf(buf, sizeof buf, "%.17g", strtod(text, NULL));
        if (strcmp(buf, "-0") == 0)
          strcpy(buf, "0");
        out = xstrndup(buf, strlen(buf));
      }
    }
  } else {
    const char *p = text;
    bool neg = *p == '-';
    if (*p == '+' || *p == '-')
      ++p;
    size_t m = strlen(p);
    const char *dot = kind == 1 ? memchr(p, '.', m) : NULL;
    size_t il = dot ? (size_t)(dot - p) : m;
    size_t fl = dot ? m - il - 1 : 0;
    bool ok = (is_digits(p, il) || (dot && il == 0 && fl > 0)) &&
              (!dot || fl == 0 || is_digits(dot + 1, fl));
    if (ok) {
      const char *ip = p;
      while (il > 0 && *ip == '0')
        ++ip, --il;
      const char *fp = dot ? dot + 1 : "";
      while (fl > 0 && fp[fl - 1] == '0')
        --fl;
      out = xmalloc(il + fl + 4);
      char *o = out;
      if (neg && (il || fl))
        *o++ = '-';
      if (il) {
        memcpy(o, ip, il);
        o += il;
      } else {
        *o++ = '0';
      }
      if (fl) {
        *o++ = '.';
        memcpy(o, fp, fl);
        o += fl;
      }
      *o = '\0';
    }
  }
  free(text);
  return out;
}

void ev_term_set(EvTerm *e, const TrineTerm *t) {
  memset(e, 0, sizeof *e);
  if (!t || t->kind == TRINE_TERM_NONE || t->kind == TRINE_TERM_DEFAULT_GRAPH)
    return;
  e->kind = t->kind;
  e->value = xstrndup(t->value ? t->value : "", t->value_len);
  e->value_len = t->value_len;
  if (t->kind != TRINE_TERM_LITERAL)
    return;
  bool lang = t->lang && t->lang_len;
  if (lang) {
    e->lang = xstrndup(t->lang, t->lang_len);
    for (char *c = e->lang; *c; ++c)
      if (*c >= 'A' && *c <= 'Z')
        *c = (char)(*c - 'A' + 'a');
  }
  if (t->datatype && t->datatype_len) {
    char *dt = xstrndup(t->datatype, t->datatype_len);
    if (strcmp(dt, XSD_STRING) == 0 ||
        (lang && strcmp(dt, RDF_LANGSTRING) == 0))
      free(dt);
    else
      e->datatype = dt;
  }
  static int strict = -1;
  if (strict < 0) {
    const char *env = getenv("TRINE_EVAL_STRICT");
    strict = env && *env && strcmp(env, "0") != 0;
  }
  if (!strict && !lang && e->datatype)
    e->canon = numeric_canon(e->value, e->value_len, e->datatype);
}

void ev_term_free(EvTerm *e) {
  free(e->value);
  free(e->datatype);
  free(e->lang);
  free(e->canon);
  memset(e, 0, sizeof *e);
}

static bool str_eq(const char *a, const char *b) {
  if (!a || !b)
    return a == b;
  return strcmp(a, b) == 0;
}

bool ev_term_equal(const EvTerm *a, const EvTerm *b) {
  if (a->kind != b->kind)
    return false;
  if (a->kind == TRINE_TERM_NONE)
    return true;
  if (!str_eq(a->datatype, b->datatype) || !str_eq(a->lang, b->lang))
    return false;
  if (a->canon && b->canon)
    return strcmp(a->canon, b->canon) == 0;
  return a->value_len == b->value_len &&
         memcmp(a->value, b->value, a->value_len) == 0;
}

static TrineTerm view(const EvTerm *e) {
  TrineTerm t = {e->kind, e->value, e->value_len, e->datatype,
                 e->datatype ? strlen(e->datatype) : 0, e->lang,
                 e->lang ? strlen(e->lang) : 0};
  return t;
}

void ev_term_print(const EvTerm *e, FILE *out) {
  if (e->kind == TRINE_TERM_NONE)
    return;
  TrineTerm t = view(e);
  trine_term_write(&t, out);
}

/* Tables -------------------------------------------------------------------- */

void ev_table_init(EvTable *t, const char *const *vars, size_t nvars) {
  memset(t, 0, sizeof *t);
  for (size_t i = 0; i < nvars; ++i)
    ev_table_var(t, vars[i]);
}

void ev_table_free(EvTable *t) {
  for (size_t i = 0; i < t->nrows * t->nvars; ++i)
    ev_term_free(&t->cells[i]);
  for (size_t i = 0; i < t->nvars; ++i)
    free(t->vars[i]);
  free(t->vars);
  free(t->cells);
  memset(t, 0, sizeof *t);
}

size_t ev_table_var(EvTable *t, const char *var) {
  for (size_t i = 0; i < t->nvars; ++i)
    if (strcmp(t->vars[i], var) == 0)
      return i;
  size_t nv = t->nvars + 1;
  t->vars = xrealloc(t->vars, nv * sizeof *t->vars);
  t->vars[t->nvars] = xstrndup(var, strlen(var));
  /* Widen every row by one unbound cell. */
  EvTerm *cells = xmalloc((t->caprows ? t->caprows : 1) * nv * sizeof *cells);
  for (size_t r = 0; r < t->nrows; ++r) {
    memcpy(cells + r * nv, t->cells + r * t->nvars,
           t->nvars * sizeof *cells);
    memset(cells + r * nv + t->nvars, 0, sizeof *cells);
  }
  free(t->cells);
  t->cells = cells;
  t->nvars = nv;
  return nv - 1;
}

EvTerm *ev_table_row(EvTable *t) {
  if (t->nrows == t->caprows) {
    t->caprows = t->caprows ? t->caprows * 2 : 16;
    t->cells = xrealloc(t->cells,
                        t->caprows * (t->nvars ? t->nvars : 1) * sizeof(EvTerm));
  }
  EvTerm *row = t->cells + t->nrows++ * t->nvars;
  memset(row, 0, t->nvars * sizeof *row);
  return row;
}

static bool rows_equal(const EvTerm *a, const EvTerm *b, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (!ev_term_equal(&a[i], &b[i]))
      return false;
  return true;
}

void ev_table_distinct(EvTable *t) {
  size_t n = t->nvars, k = 0;
  for (size_t r = 0; r < t->nrows; ++r) {
    EvTerm *row = t->cells + r * n;
    bool dup = false;
    for (size_t j = 0; j < k && !dup; ++j)
      dup = rows_equal(t->cells + j * n, row, n);
    if (dup) {
      for (size_t i = 0; i < n; ++i)
        ev_term_free(&row[i]);
    } else {
      if (k != r)
        memmove(t->cells + k * n, row, n * sizeof *row);
      ++k;
    }
  }
  t->nrows = k;
}

static void print_row(const EvTable *t, const EvTerm *row, const char *mark,
                      FILE *out) {
  fputs(mark, out);
  for (size_t i = 0; i < t->nvars; ++i) {
    if (row[i].kind == TRINE_TERM_NONE)
      continue;
    fprintf(out, " ?%s=", t->vars[i]);
    ev_term_print(&row[i], out);
  }
  fputc('\n', out);
}

void ev_table_print(const EvTable *t, const char *mark, size_t limit,
                    FILE *out) {
  for (size_t r = 0; r < t->nrows; ++r) {
    if (limit && r == limit) {
      fprintf(out, "%s ... (%zu rows in all)\n", mark, t->nrows);
      break;
    }
    print_row(t, t->cells + r * t->nvars, mark, out);
  }
}

/* Matching ------------------------------------------------------------------ */

/* A row of one table seen through the common variable order. */
typedef struct {
  const EvTerm **cell; // per common variable (NULL cell: unbound)
  size_t group;
  char *sig;           // ground signature: group and terms, blanks as "B"
  bool has_blank;
  long partner;        // matched row of the other table, -1 if none
  const EvTable *table;
  size_t index;
} Row;

static void sig_put(char **s, size_t *len, size_t *cap, const void *p,
                    size_t n) {
  if (*len + n + 1 > *cap) {
    while (*len + n + 1 > *cap)
      *cap = *cap ? *cap * 2 : 64;
    *s = xrealloc(*s, *cap);
  }
  memcpy(*s + *len, p, n);
  *len += n;
  (*s)[*len] = '\0';
}

static Row *make_rows(const EvTable *t, char *const *vars, size_t nvars,
                      const size_t *groups, size_t ngroups, bool ordered) {
  static const EvTerm unbound;
  Row *rows = xmalloc((t->nrows ? t->nrows : 1) * sizeof *rows);
  size_t *map = xmalloc((nvars ? nvars : 1) * sizeof *map);
  for (size_t v = 0; v < nvars; ++v) {
    map[v] = SIZE_MAX;
    for (size_t i = 0; i < t->nvars; ++i)
      if (strcmp(t->vars[i], vars[v]) == 0)
        map[v] = i;
  }
  size_t g = 0, left = ngroups ? groups[0] : 0;
  for (size_t r = 0; r < t->nrows; ++r) {
    Row *row = &rows[r];
    row->cell = xmalloc((nvars ? nvars : 1) * sizeof *row->cell);
    row->table = t;
    row->index = r;
    row->partner = -1;
    row->has_blank = false;
    if (!ordered) {
      row->group = 0;
    } else if (!groups) {
      row->group = r;
    } else {
      while (left == 0 && g + 1 < ngroups)
        left = groups[++g];
      row->group = left ? g : ngroups + r; // past the groups: its own
      if (left)
        --left;
    }
    char *s = NULL;
    size_t len = 0, cap = 0;
    char gb[32];
    int gl = snprintf(gb, sizeof gb, "%zu\x1e", row->group);
    sig_put(&s, &len, &cap, gb, (size_t)gl);
    for (size_t v = 0; v < nvars; ++v) {
      const EvTerm *e = map[v] == SIZE_MAX ? &unbound
                                           : &t->cells[r * t->nvars + map[v]];
      row->cell[v] = e;
      char k = (char)('0' + e->kind);
      sig_put(&s, &len, &cap, &k, 1);
      if (e->kind == TRINE_TERM_BLANK) {
        row->has_blank = true;
      } else if (e->kind != TRINE_TERM_NONE) {
        if (e->canon)
          sig_put(&s, &len, &cap, e->canon, strlen(e->canon));
        else
          sig_put(&s, &len, &cap, e->value, e->value_len);
        sig_put(&s, &len, &cap, "\x1d", 1);
        if (e->datatype)
          sig_put(&s, &len, &cap, e->datatype, strlen(e->datatype));
        sig_put(&s, &len, &cap, "\x1d", 1);
        if (e->lang)
          sig_put(&s, &len, &cap, e->lang, strlen(e->lang));
      }
      sig_put(&s, &len, &cap, "\x1e", 1);
    }
    row->sig = s;
  }
  free(map);
  return rows;
}

static void free_rows(Row *rows, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    free(rows[i].cell);
    free(rows[i].sig);
  }
  free(rows);
}

static int cmp_row_sig(const void *a, const void *b) {
  return strcmp((*(Row *const *)a)->sig, (*(Row *const *)b)->sig);
}

/* Blank node bijection: pairs (expected label, actual label). */
typedef struct {
  const EvTerm **e, **a;
  size_t n, cap;
} BMap;

static const EvTerm *bmap_find(const BMap *m, const EvTerm *t, bool from_e) {
  for (size_t i = 0; i < m->n; ++i) {
    const EvTerm *k = from_e ? m->e[i] : m->a[i];
    if (k->value_len == t->value_len &&
        memcmp(k->value, t->value, t->value_len) == 0)
      return from_e ? m->a[i] : m->e[i];
  }
  return NULL;
}

/* Try to pair expected row x with actual row y under m, extending m. Returns
 * the number of pairs added, or -1 (m unchanged) if inconsistent. */
static long bmap_extend(BMap *m, const Row *x, const Row *y, size_t nvars) {
  size_t start = m->n;
  for (size_t v = 0; v < nvars; ++v) {
    const EvTerm *p = x->cell[v], *q = y->cell[v];
    if (p->kind != TRINE_TERM_BLANK)
      continue; // ground parts are equal by signature
    const EvTerm *pa = bmap_find(m, p, true), *qe = bmap_find(m, q, false);
    if (!pa && !qe) {
      if (m->n == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 16;
        m->e = xrealloc(m->e, m->cap * sizeof *m->e);
        m->a = xrealloc(m->a, m->cap * sizeof *m->a);
      }
      m->e[m->n] = p;
      m->a[m->n++] = q;
      continue;
    }
    if (pa && qe && pa->value_len == q->value_len &&
        memcmp(pa->value, q->value, q->value_len) == 0)
      continue;
    m->n = start;
    return -1;
  }
  return (long)(m->n - start);
}

typedef struct {
  Row **e, **a; // the rows with blank nodes, both sides, sorted by signature
  size_t *lo, *hi; // per expected row: its candidates a[lo..hi)
  size_t ne, na, nvars;
  bool *used;   // per actual row
  BMap map;
  unsigned long steps;
} Search;

static bool search(Search *s, size_t done) {
  if (done == s->ne)
    return true;
  if (++s->steps > 2000000)
    return false;
  /* The unmatched expected row with the fewest consistent candidates. */
  size_t best = SIZE_MAX, best_n = SIZE_MAX;
  for (size_t i = 0; i < s->ne && best_n > 1; ++i) {
    if (s->e[i]->partner >= 0)
      continue;
    size_t n = 0;
    for (size_t j = s->lo[i]; j < s->hi[i] && n < best_n; ++j) {
      if (s->used[j])
        continue;
      long k = bmap_extend(&s->map, s->e[i], s->a[j], s->nvars);
      if (k >= 0) {
        s->map.n -= (size_t)k;
        ++n;
      }
    }
    if (n < best_n) {
      best_n = n;
      best = i;
    }
  }
  if (best_n == 0)
    return false;
  Row *x = s->e[best];
  for (size_t j = s->lo[best]; j < s->hi[best]; ++j) {
    if (s->used[j])
      continue;
    long k = bmap_extend(&s->map, x, s->a[j], s->nvars);
    if (k < 0)
      continue;
    s->used[j] = true;
    x->partner = (long)j;
    if (search(s, done + 1))
      return true;
    s->used[j] = false;
    x->partner = -1;
    s->map.n -= (size_t)k;
  }
  return false;
}

static void print_match_row(const Row *r, char *const *vars, size_t nvars,
                            const char *mark, FILE *out) {
  fputs(mark, out);
  for (size_t v = 0; v < nvars; ++v) {
    if (r->cell[v]->kind == TRINE_TERM_NONE)
      continue;
    fprintf(out, " ?%s=", vars[v]);
    ev_term_print(r->cell[v], out);
  }
  if (r->group && r->table)
    fprintf(out, "   (row %zu)", r->index + 1);
  fputc('\n', out);
}

bool ev_tables_match(const EvTable *expected, const EvTable *actual,
                     const EvCompare *cmp, FILE *diff) {
  EvTable ecopy = {0}, acopy = {0};
  bool ok = true;
  /* Variables: the same set on both sides. */
  for (size_t i = 0; i < expected->nvars; ++i) {
    bool found = false;
    for (size_t j = 0; j < actual->nvars && !found; ++j)
      found = strcmp(expected->vars[i], actual->vars[j]) == 0;
    if (!found) {
      if (diff)
        fprintf(diff, "    missing variable ?%s\n", expected->vars[i]);
      ok = false;
    }
  }
  for (size_t j = 0; j < actual->nvars; ++j) {
    bool found = false;
    for (size_t i = 0; i < expected->nvars && !found; ++i)
      found = strcmp(expected->vars[i], actual->vars[j]) == 0;
    if (!found) {
      if (diff)
        fprintf(diff, "    extra variable ?%s\n", actual->vars[j]);
      ok = false;
    }
  }
  const EvTable *E = expected, *A = actual;
  if (cmp->lax) {
    /* Copy then distinct: each expected solution may appear 1..n times. */
    const EvTable *src[2] = {expected, actual};
    EvTable *dst[2] = {&ecopy, &acopy};
    for (int k = 0; k < 2; ++k) {
      ev_table_init(dst[k], (const char *const *)src[k]->vars, src[k]->nvars);
      for (size_t r = 0; r < src[k]->nrows; ++r) {
        EvTerm *row = ev_table_row(dst[k]);
        for (size_t v = 0; v < src[k]->nvars; ++v) {
          const EvTerm *e = &src[k]->cells[r * src[k]->nvars + v];
          TrineTerm t = view(e);
          ev_term_set(&row[v], e->kind ? &t : NULL);
        }
      }
      ev_table_distinct(dst[k]);
    }
    E = &ecopy;
    A = &acopy;
  }
  char *const *vars = expected->vars;
  size_t nvars = expected->nvars;
  bool ordered = cmp->ordered && !cmp->lax;
  Row *er = make_rows(E, vars, nvars, cmp->groups, cmp->ngroups, ordered);
  Row *ar = make_rows(A, vars, nvars, cmp->groups, cmp->ngroups, ordered);
  /* Ground signatures: the same multiset on both sides. */
  Row **es = xmalloc((E->nrows + 1) * sizeof *es);
  Row **as = xmalloc((A->nrows + 1) * sizeof *as);
  for (size_t i = 0; i < E->nrows; ++i)
    es[i] = &er[i];
  for (size_t i = 0; i < A->nrows; ++i)
    as[i] = &ar[i];
  qsort(es, E->nrows, sizeof *es, cmp_row_sig);
  qsort(as, A->nrows, sizeof *as, cmp_row_sig);
  size_t i = 0, j = 0, nmiss = 0, nextra = 0;
  while (i < E->nrows || j < A->nrows) {
    int c = i == E->nrows   ? 1
            : j == A->nrows ? -1
                            : strcmp(es[i]->sig, as[j]->sig);
    if (c == 0) {
      if (!es[i]->has_blank) {
        es[i]->partner = (long)as[j]->index;
        as[j]->partner = (long)es[i]->index;
      }
      ++i;
      ++j;
    } else if (c < 0) {
      ++nmiss;
      if (diff && nmiss <= 20)
        print_match_row(es[i], vars, nvars, "    -", diff);
      ++i;
    } else {
      ++nextra;
      if (diff && nextra <= 20)
        print_match_row(as[j], vars, nvars, "    +", diff);
      ++j;
    }
  }
  if (diff && (nmiss > 20 || nextra > 20))
    fprintf(diff, "    (%zu missing, %zu extra in all)\n", nmiss, nextra);
  if (nmiss || nextra)
    ok = false;
  if (ok) {
    /* Blank nodes: a consistent bijection over the rows that have them. */
    Search s = {0};
    s.nvars = nvars;
    s.e = xmalloc((E->nrows + 1) * sizeof *s.e);
    s.a = xmalloc((A->nrows + 1) * sizeof *s.a);
    for (size_t k = 0; k < E->nrows; ++k)
      if (er[k].has_blank)
        s.e[s.ne++] = &er[k];
    for (size_t k = 0; k < A->nrows; ++k)
      if (ar[k].has_blank)
        s.a[s.na++] = &ar[k];
    s.used = calloc(s.na + 1, 1);
    qsort(s.e, s.ne, sizeof *s.e, cmp_row_sig);
    qsort(s.a, s.na, sizeof *s.a, cmp_row_sig);
    s.lo = xmalloc((s.ne + 1) * sizeof *s.lo);
    s.hi = xmalloc((s.ne + 1) * sizeof *s.hi);
    for (size_t k = 0, lo = 0; k < s.ne; ++k) {
      while (lo < s.na && strcmp(s.a[lo]->sig, s.e[k]->sig) < 0)
        ++lo;
      size_t hi = lo;
      while (hi < s.na && strcmp(s.a[hi]->sig, s.e[k]->sig) == 0)
        ++hi;
      s.lo[k] = lo;
      s.hi[k] = hi;
    }
    if (s.ne && !search(&s, 0)) {
      ok = false;
      if (diff) {
        fprintf(diff, "    blank nodes cannot be renamed consistently%s\n",
                s.steps > 2000000 ? " (search gave up)" : "");
        for (size_t k = 0; k < E->nrows && k < 10; ++k)
          print_match_row(&er[k], vars, nvars, "    expected", diff);
        for (size_t k = 0; k < A->nrows && k < 10; ++k)
          print_match_row(&ar[k], vars, nvars, "    actual  ", diff);
      }
    }
    free(s.e);
    free(s.a);
    free(s.used);
    free(s.lo);
    free(s.hi);
    free(s.map.e);
    free(s.map.a);
  }
  free(es);
  free(as);
  free_rows(er, E->nrows);
  free_rows(ar, A->nrows);
  ev_table_free(&ecopy);
  ev_table_free(&acopy);
  return ok;
}

/* Stores ------------------------------------------------------------------- */

static char tmpdir[256];
static unsigned store_no;

static void quiet(void *ctx, const TrineError *e) {
  (void)ctx;
  (void)e;
}

bool ev_tmp_init(const char *tag) {
  snprintf(tmpdir, sizeof tmpdir, "/tmp/trine-%s-XXXXXX", tag);
  return mkdtemp(tmpdir) != NULL;
}

typedef struct {
  TrineStore *s;
  char path[300];
} StorePath;

static StorePath open_stores[4];

TrineStore *ev_fresh_store(void) {
  char path[300];
  snprintf(path, sizeof path, "%s/s%u", tmpdir, store_no++);
  TrineOptions o = {.sink = quiet};
  TrineStore *s = NULL;
  if (trine_store_open(path, &o, &s)) {
    fprintf(stderr, "cannot open %s: %s\n", path, trine_open_errmsg());
    return NULL;
  }
  for (size_t i = 0; i < 4; ++i)
    if (!open_stores[i].s) {
      open_stores[i].s = s;
      memcpy(open_stores[i].path, path, sizeof path);
      break;
    }
  return s;
}

static int rm_entry(const char *path, const struct stat *sb, int flag,
                    struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

void ev_drop_store(TrineStore *s) {
  if (!s)
    return;
  trine_store_close(s);
  for (size_t i = 0; i < 4; ++i)
    if (open_stores[i].s == s) {
      nftw(open_stores[i].path, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
      open_stores[i].s = NULL;
    }
}

void ev_tmp_cleanup(void) {
  if (tmpdir[0])
    nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Through the shell ------------------------------------------------------------- */

const char *ev_shell;

/* The path of a store of ev_fresh_store(), and its slot. */
static StorePath *store_slot(TrineStore *s) {
  for (size_t i = 0; i < 4; ++i)
    if (open_stores[i].s == s)
      return &open_stores[i];
  return NULL;
}

/* Run the shell with stdout and stderr into files; its exit status. */
static int spawn_shell(char *const argv[], const char *out, const char *err) {
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    FILE *o = freopen(out, "w", stdout), *e = freopen(err, "w", stderr);
    if (o && e && freopen("/dev/null", "r", stdin))
      execv(argv[0], argv);
    _exit(127);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void ev_shell_run(TrineStore **store, const char *base, const char *format,
                  const char *dir, const char *file, EvShellRun *r) {
  memset(r, 0, sizeof *r);
  r->status = -1;
  StorePath *slot = store_slot(*store);
  if (!slot)
    return;
  char request[1024], out[320], err[320];
  ev_join(request, sizeof request, dir, file);
  snprintf(out, sizeof out, "%s.out", slot->path);
  snprintf(err, sizeof err, "%s.err", slot->path);
  char *argv[16];
  int n = 0;
  argv[n++] = (char *)ev_shell;
  if (base && *base) {
    argv[n++] = "--base";
    argv[n++] = (char *)base;
  }
  argv[n++] = "--timeout";
  argv[n++] = "20000";
  if (format) {
    argv[n++] = "--format";
    argv[n++] = (char *)format;
  }
  argv[n++] = slot->path;
  argv[n++] = "-f";
  argv[n++] = request;
  argv[n] = NULL;
  trine_store_close(*store);
  r->status = spawn_shell(argv, out, err);
  r->out = ev_read_file(out, &r->outlen);
  r->err = ev_read_file(err, NULL);
  remove(out);
  remove(err);
  TrineOptions o = {.sink = quiet};
  if (trine_store_open(slot->path, &o, store))
    *store = NULL;
  slot->s = *store;
  if (!r->out)
    r->out = calloc(1, 1);
}

void ev_shell_free(EvShellRun *r) {
  free(r->out);
  free(r->err);
  memset(r, 0, sizeof *r);
}

const char *ev_shell_failure(const EvShellRun *r, char *why, size_t whysize) {
  const char *e = r->err ? r->err : "";
  snprintf(why, whysize, "trine exited with %d: %.*s", r->status,
           (int)strcspn(e, "\n"), e);
  return why;
}

/* Parsing ------------------------------------------------------------------- */

typedef struct {
  EvTable *t;
  char *err;
  size_t errsize;
} ParseCtx;

static TrineStatus on_stmt(void *ctx, const NtStatement *st) {
  ParseCtx *c = ctx;
  EvTerm *row = ev_table_row(c->t);
  ev_term_set(&row[0], &st->s);
  ev_term_set(&row[1], &st->p);
  ev_term_set(&row[2], &st->o);
  ev_term_set(&row[3], &st->g);
  return TRINE_OK;
}

static void on_error(void *ctx, const TrineError *e) {
  ParseCtx *c = ctx;
  if (c->err && !c->err[0])
    trine_error_format(e, c->err, c->errsize);
}

bool ev_parse_quads_buf(const char *name, const char *text, size_t len,
                        bool nquads, EvTable *out, char *err, size_t errsize) {
  static const char *const spog[] = {"s", "p", "o", "g"};
  ev_table_init(out, spog, 4);
  if (err && errsize)
    err[0] = '\0';
  ParseCtx c = {out, err, errsize};
  NtParser *p = nt_parser_new(name, nquads, on_stmt, &c, on_error, &c, 1);
  TrineStatus st = p ? nt_parser_feed(p, text, len) : TRINE_ERR_NOMEM;
  if (st == TRINE_OK)
    st = nt_parser_finish(p);
  nt_parser_free(p);
  if (st != TRINE_OK && err && errsize && !err[0])
    snprintf(err, errsize, "%s: %s", name, trine_strerror(st));
  return st == TRINE_OK;
}

bool ev_parse_quads(const char *path, bool nquads, EvTable *out, char *err,
                    size_t errsize) {
  size_t len;
  char *text = ev_read_file(path, &len);
  if (!text) {
    static const char *const spog[] = {"s", "p", "o", "g"};
    ev_table_init(out, spog, 4);
    if (err)
      snprintf(err, errsize, "cannot read %s", path);
    return false;
  }
  bool ok = ev_parse_quads_buf(path, text, len, nquads, out, err, errsize);
  free(text);
  return ok;
}

/* The excluded list ------------------------------------------------------------ */

bool ev_known_read(EvKnown *k, const char *path, const EvTsv *tests) {
  bool ok = ev_tsv_read(path, &k->tsv);
  if (!ok)
    memset(&k->tsv, 0, sizeof k->tsv);
  k->mine = calloc(k->tsv.nrows + 1, 1);
  k->seen = calloc(k->tsv.nrows + 1, 1);
  for (size_t i = 0; i < k->tsv.nrows; ++i)
    for (size_t j = 0; j < tests->nrows && !k->mine[i]; ++j)
      k->mine[i] = strcmp(ev_tsv_get(&k->tsv, i, 0), ev_tsv_get(tests, j, 0)) == 0;
  return ok;
}

const char *ev_known_reason(EvKnown *k, const char *suite, const char *name,
                            bool *skipped) {
  *skipped = false;
  for (size_t i = 0; i < k->tsv.nrows; ++i) {
    if (!k->mine[i] || strcmp(ev_tsv_get(&k->tsv, i, 0), suite) != 0 ||
        strcmp(ev_tsv_get(&k->tsv, i, 1), name) != 0)
      continue;
    k->seen[i] = true;
    if (strcmp(ev_tsv_get(&k->tsv, i, 2), "xfail") == 0)
      return ev_tsv_get(&k->tsv, i, 3);
    *skipped = true;
  }
  return NULL;
}

void ev_known_free(EvKnown *k) {
  ev_tsv_free(&k->tsv);
  free(k->mine);
  free(k->seen);
}

/* The runner loop ------------------------------------------------------------ */

bool ev_verbose;

static const char *run_direct(EvRunFn run, const char *dir, const char *name,
                              char **details) {
  static char why[1024];
  size_t dlen = 0;
  FILE *d = open_memstream(details, &dlen);
  const char *fail = run(dir, name, d);
  fclose(d);
  if (fail)
    snprintf(why, sizeof why, "%s", fail);
  return fail ? why : NULL;
}

/* Run one test in a child process, so that a crash or a hang of the engine
 * fails that test only. The child writes "P" or "F" REASON NUL DETAILS. */
static const char *run_isolated(EvRunFn run, const char *dir, const char *name,
                                size_t seq, char **details) {
  static char why[1024];
  int fds[2];
  fflush(stdout);
  fflush(stderr);
  if (pipe(fds) != 0)
    return "cannot create a pipe";
  pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return "cannot fork";
  }
  if (pid == 0) {
    close(fds[0]);
    alarm(120);
    store_no = (unsigned)seq * 16;
    char *d = NULL;
    const char *fail = run_direct(run, dir, name, &d);
    FILE *out = fdopen(fds[1], "w");
    if (fail)
      fprintf(out, "F%s%c%s", fail, 0, d ? d : "");
    else
      fputs("P", out);
    fclose(out);
    _exit(0);
  }
  close(fds[1]);
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 4096 > cap) {
      cap = cap ? cap * 2 : 8192;
      buf = xrealloc(buf, cap);
    }
    ssize_t r = read(fds[0], buf + len, cap - len - 1);
    if (r < 0 && errno == EINTR)
      continue;
    if (r <= 0)
      break;
    len += (size_t)r;
  }
  close(fds[0]);
  buf = xrealloc(buf, len + 2);
  buf[len] = buf[len + 1] = '\0';
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const char *fail = NULL;
  *details = NULL;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    snprintf(why, sizeof why, sig == SIGALRM ? "timed out (120 s)"
                                             : "crashed with signal %d (%s)",
             sig, strsignal(sig));
    fail = why;
  } else if (len && buf[0] == 'P') {
    fail = NULL;
  } else if (len && buf[0] == 'F') {
    snprintf(why, sizeof why, "%s", buf + 1);
    fail = why;
    size_t rl = strlen(buf + 1);
    if (rl + 2 <= len)
      *details = strdup(buf + 2 + rl);
  } else {
    snprintf(why, sizeof why, "the test process exited with status %d",
             WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    fail = why;
  }
  free(buf);
  return fail;
}

typedef struct {
  char name[64];
  unsigned passed, failed, known;
} SuiteCount;

int ev_main(int argc, char **argv, const char *tag, const char *known_file,
            EvRunFn run) {
  const char *prog = argv[0];
  if (argc > 2 && strcmp(argv[1], "--shell") == 0) {
    ev_shell = argv[2];
    argc -= 2;
    argv += 2;
  }
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s [--shell TRINE] SUITE-DIR [TEST-NAME]\n", prog);
    return 2;
  }
  const char *root = argv[1];
  const char *only = argc == 3 ? argv[2] : NULL;
  ev_verbose = only != NULL;
  char path[1024];
  EvTsv tests;
  ev_join(path, sizeof path, root, "tests.tsv");
  if (!ev_tsv_read(path, &tests)) {
    fprintf(stderr, "cannot read %s\n", path);
    return 2;
  }
  EvKnown known;
  char kf[300];
  snprintf(kf, sizeof kf, "../%s", known_file);
  ev_join(path, sizeof path, root, kf);
  /* Through the shell, results are compared with the API's, failures and
   * all: the excluded list is the API runner's, not read. */
  if (!ev_known_read(&known, ev_shell ? "" : path, &tests) && !ev_shell) {
    fprintf(stderr, "cannot read %s\n", path);
    ev_known_free(&known);
    ev_tsv_free(&tests);
    return 2;
  }
  if (!ev_tmp_init(tag)) {
    fprintf(stderr, "cannot create a temporary directory\n");
    return 2;
  }
  SuiteCount suites[128];
  size_t nsuites = 0;
  unsigned passed = 0, failed = 0, nknown = 0, unexpected = 0, ran = 0;
  for (size_t i = 0; i < tests.nrows; ++i) {
    const char *suite = ev_tsv_get(&tests, i, 0);
    const char *name = ev_tsv_get(&tests, i, 1);
    const char *dir = ev_tsv_get(&tests, i, 2);
    if (only && strcmp(only, name) != 0)
      continue;
    ++ran;
    SuiteCount *sc = NULL;
    for (size_t k = 0; k < nsuites; ++k)
      if (strcmp(suites[k].name, suite) == 0)
        sc = &suites[k];
    if (!sc && nsuites < 128) {
      sc = &suites[nsuites++];
      memset(sc, 0, sizeof *sc);
      snprintf(sc->name, sizeof sc->name, "%s", suite);
    }
    ev_join(path, sizeof path, root, dir);
    char *dbuf = NULL;
    const char *fail = ev_verbose ? run_direct(run, path, name, &dbuf)
                                  : run_isolated(run, path, name, i, &dbuf);
    bool skipped;
    const char *reason = ev_known_reason(&known, suite, name, &skipped);
    if (ev_verbose)
      fputs(dbuf ? dbuf : "", stdout);
    if (skipped) {
      ++failed;
      if (sc)
        sc->failed++;
      printf("FAIL %s/%s: %s lists it as skip, but it is vendored\n", suite,
             name, known_file);
    } else if (!fail && reason) {
      /* The list must stay honest: a fixed test leaves it. */
      ++failed;
      ++unexpected;
      if (sc)
        sc->failed++;
      printf("FAIL %s/%s: unexpected pass (%s lists it as xfail: %s)\n",
             suite, name, known_file, reason);
    } else if (!fail) {
      ++passed;
      if (sc)
        sc->passed++;
    } else if (reason) {
      ++nknown;
      if (sc)
        sc->known++;
      if (ev_verbose)
        printf("KNOWN %s/%s: %s [%s]\n", suite, name, fail, reason);
    } else {
      ++failed;
      if (sc)
        sc->failed++;
      printf("FAIL %s/%s: %s\n", suite, name, fail);
      if (!ev_verbose)
        fputs(dbuf ? dbuf : "", stdout);
    }
    free(dbuf);
  }
  if (only && !ran) {
    fprintf(stderr, "no test named %s\n", only);
    ev_known_free(&known);
    ev_tsv_free(&tests);
    ev_tmp_cleanup();
    return 2;
  }
  printf("\n%-36s %6s %6s %6s\n", "suite", "passed", "failed", "known");
  for (size_t k = 0; k < nsuites; ++k)
    printf("%-36s %6u %6u %6u\n", suites[k].name, suites[k].passed,
           suites[k].failed, suites[k].known);
  if (!only)
    for (size_t i = 0; i < known.tsv.nrows; ++i)
      if (known.mine[i] && !known.seen[i] &&
          strcmp(ev_tsv_get(&known.tsv, i, 2), "skip") != 0) {
        ++failed;
        printf("FAIL %s lists %s/%s, which is not a test here\n", known_file,
               ev_tsv_get(&known.tsv, i, 0), ev_tsv_get(&known.tsv, i, 1));
      }
  if (nknown || unexpected)
    printf("%u known failures (xfail), %u unexpected passes\n", nknown,
           unexpected);
  printf("%u passed, %u failed\n", passed, failed);
  ev_known_free(&known);
  ev_tsv_free(&tests);
  ev_tmp_cleanup();
  return failed ? 1 : 0;
}

/* One test's steps ------------------------------------------------------------ */

void ev_on_error(void *ctx, const TrineError *e) {
  EvErrors *c = ctx;
  if (!c->errmsg[0])
    trine_error_format(e, c->errmsg, sizeof c->errmsg);
}

const char *ev_load(TrineStore *store, const char *dir, const char *file,
                    EvErrors *errs, char *why, size_t whysize) {
  char path[1024];
  ev_join(path, sizeof path, dir, file);
  TrineLoadOptions lo = {.format = TRINE_FORMAT_NQUADS, .sink = ev_on_error,
                         .sink_ctx = errs};
  TrineStatus st = trine_store_load_file(store, path, &lo, NULL);
  if (!st)
    return NULL;
  snprintf(why, whysize, "%s does not load: %s", file,
           errs->errmsg[0] ? errs->errmsg : trine_strerror(st));
  return why;
}

const char *ev_prepare(TrineStore *store, const char *dir, const char *file,
                       const char *name, const char *base, EvErrors *errs,
                       char **text, TrineQuery **q, char *why, size_t whysize) {
  char path[1024];
  size_t len;
  ev_join(path, sizeof path, dir, file);
  if (!(*text = ev_read_file(path, &len))) {
    snprintf(why, whysize, "cannot read %s", file);
    return why;
  }
  TrineQueryOptions qo = {.allow = TRINE_ALLOW_UPDATE | TRINE_ALLOW_LOAD_FILES,
                          .name = name, .base_iri = base && *base ? base : NULL,
                          .timeout_ms = 20000, .sink = ev_on_error,
                          .sink_ctx = errs};
  TrineStatus st = trine_query_prepare(store, *text, len, &qo, q);
  if (!st)
    return NULL;
  snprintf(why, whysize, "prepare: %s: %s", trine_strerror(st),
           errs->errmsg[0] ? errs->errmsg : trine_store_errmsg(store));
  return why;
}

void ev_print_both(const EvTable *want, const EvTable *got, const char *units,
                   FILE *out) {
  if (!ev_verbose)
    return;
  fprintf(out, "expected (%zu %s):\n", want->nrows, units);
  ev_table_print(want, "  ", 0, out);
  fprintf(out, "actual (%zu %s):\n", got->nrows, units);
  ev_table_print(got, "  ", 0, out);
}

const char *ev_compare(const EvTable *want, const EvTable *got,
                       const EvCompare *cmp, const char *what, FILE *diff,
                       char *why, size_t whysize) {
  char *dbuf = NULL;
  size_t dlen = 0;
  FILE *d = open_memstream(&dbuf, &dlen);
  bool ok = ev_tables_match(want, got, cmp, d);
  fclose(d);
  if (!ok) {
    snprintf(why, whysize, "%s differ (%zu expected, %zu actual)", what,
             want->nrows, got->nrows);
    if (diff)
      fputs(dbuf, diff);
  }
  free(dbuf);
  return ok ? NULL : why;
}
