/*
 * sparql_eval.c -- the W3C SPARQL 1.0 / 1.1 query evaluation suites, run
 * through the public API.
 *
 * usage: sparql_eval [--shell TRINE] SUITE-DIR [TEST-NAME]
 * For every test of SUITE-DIR/tests.tsv, in a fresh store: load data.nq
 * (default graph = its unnamed graph), prepare query.rq against the base IRI
 * of meta.tsv, step through the rows and compare them with expected.srj
 * (SELECT, ASK) or expected.nt (CONSTRUCT) as the W3C does: solutions as
 * multisets, in order between order groups when ordered, lax cardinality
 * for REDUCED, blank nodes up to a consistent renaming, terms compared
 * exactly (xsd:string and simple literals are the same term). A CSV result
 * format test (result_format csv) writes the results with trine's CSV writer
 * and compares that text with expected.csv, field by field (a field "_:..."
 * is a blank node, any other a string).
 *
 * Tests listed as xfail in SUITE-DIR/../sparql-excluded.tsv (suite, name,
 * status, reason) that fail count as known; one that passes is a failure
 * ("unexpected pass"), so that the list stays honest. Prints one line per
 * failure with a short diff, per-suite counts and "N passed, M failed";
 * exit 1 if M > 0.
 * With TEST-NAME: run that test only and print both results in full.
 * With --shell TRINE: run each query.rq through `TRINE --format json STORE
 * -f query.rq` as well (`--format csv` for a CSV test, whose CSV is then
 * compared with the API's CSV writer's, field by field) and compare its
 * results with the API's (the shell must not cut a query in pieces); both
 * failing is a pass. The excluded list is not read then: an xfail test
 * passes when the shell does what the API does.
 */
#include "eval_common.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A strict JSON parser, enough for SPARQL JSON results -------------------- */

typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } JType;

typedef struct JVal JVal;
struct JVal {
  JType type;
  bool b;
  char *str;     // J_STR (NUL-terminated; may hold NULs: see len), J_NUM text
  size_t len;
  JVal **items;  // J_ARR items, J_OBJ values
  char **keys;   // J_OBJ keys
  size_t n;
};

typedef struct {
  const char *p, *end;
  const char *err;
} JParser;

static void jfree(JVal *v) {
  if (!v)
    return;
  for (size_t i = 0; i < v->n; ++i) {
    jfree(v->items[i]);
    if (v->keys)
      free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
  free(v->str);
  free(v);
}

static void jws(JParser *j) {
  while (j->p < j->end &&
         (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
    ++j->p;
}

static void put_utf8(char *out, size_t *n, unsigned cp) {
  if (cp < 0x80) {
    out[(*n)++] = (char)cp;
  } else if (cp < 0x800) {
    out[(*n)++] = (char)(0xC0 | (cp >> 6));
    out[(*n)++] = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out[(*n)++] = (char)(0xE0 | (cp >> 12));
    out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*n)++] = (char)(0x80 | (cp & 0x3F));
  } else {
    out[(*n)++] = (char)(0xF0 | (cp >> 18));
    out[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*n)++] = (char)(0x80 | (cp & 0x3F));
  }
}

static int hex4(const char *p, const char *end, unsigned *v) {
  if (end - p < 4)
    return -1;
  *v = 0;
  for (int i = 0; i < 4; ++i) {
    char c = p[i];
    unsigned d;
    if (c >= '0' && c <= '9')
      d = (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f')
      d = (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      d = (unsigned)(c - 'A' + 10);
    else
      return -1;
    *v = *v << 4 | d;
  }
  return 0;
}

/* A string after its opening quote; the result has at most the input's
 * length (escapes never grow). */
static char *jstring(JParser *j, size_t *len) {
  const char *start = j->p;
  size_t cap = 0;
  for (const char *q = start; q < j->end && *q != '"'; ++q, ++cap)
    if (*q == '\\')
      ++q, ++cap;
  char *out = malloc(cap + 8);
  size_t n = 0;
  if (!out) {
    j->err = "out of memory";
    return NULL;
  }
  while (j->p < j->end && *j->p != '"') {
    unsigned char c = (unsigned char)*j->p;
    if (c < 0x20) {
      j->err = "control character in string";
      free(out);
      return NULL;
    }
    if (c != '\\') {
      out[n++] = (char)c;
      ++j->p;
      continue;
    }
    if (++j->p >= j->end)
      break;
    char e = *j->p++;
    switch (e) {
    case '"': out[n++] = '"'; break;
    case '\\': out[n++] = '\\'; break;
    case '/': out[n++] = '/'; break;
    case 'b': out[n++] = '\b'; break;
    case 'f': out[n++] = '\f'; break;
    case 'n': out[n++] = '\n'; break;
    case 'r': out[n++] = '\r'; break;
    case 't': out[n++] = '\t'; break;
    case 'u': {
      unsigned cp, lo;
      if (hex4(j->p, j->end, &cp)) {
        j->err = "bad \\u escape";
        free(out);
        return NULL;
      }
      j->p += 4;
      if (cp >= 0xD800 && cp < 0xDC00) {
        if (j->end - j->p < 6 || j->p[0] != '\\' || j->p[1] != 'u' ||
            hex4(j->p + 2, j->end, &lo) || lo < 0xDC00 || lo > 0xDFFF) {
          j->err = "unpaired surrogate";
          free(out);
          return NULL;
        }
        j->p += 6;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
      } else if (cp >= 0xDC00 && cp < 0xE000) {
        j->err = "unpaired surrogate";
        free(out);
        return NULL;
      }
      put_utf8(out, &n, cp);
      break;
    }
    default:
      j->err = "bad escape";
      free(out);
      return NULL;
    }
  }
  if (j->p >= j->end) {
    j->err = "unterminated string";
    free(out);
    return NULL;
  }
  ++j->p;
  out[n] = '\0';
  *len = n;
  return out;
}

static JVal *jvalue(JParser *j, int depth);

static JVal *jnew(JType t) {
  JVal *v = calloc(1, sizeof *v);
  if (v)
    v->type = t;
  return v;
}

static bool jappend(JVal *v, JVal *item, char *key) {
  JVal **items = realloc(v->items, (v->n + 1) * sizeof *items);
  if (!items)
    return false;
  v->items = items;
  if (v->type == J_OBJ) {
    char **keys = realloc(v->keys, (v->n + 1) * sizeof *keys);
    if (!keys)
      return false;
    v->keys = keys;
    v->keys[v->n] = key;
  }
  v->items[v->n++] = item;
  return true;
}

static JVal *jvalue(JParser *j, int depth) {
  jws(j);
  if (j->p >= j->end) {
    j->err = "unexpected end";
    return NULL;
  }
  if (depth > 64) {
    j->err = "too deep";
    return NULL;
  }
  char c = *j->p;
  if (c == '{' || c == '[') {
    bool obj = c == '{';
    JVal *v = jnew(obj ? J_OBJ : J_ARR);
    ++j->p;
    jws(j);
    if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
      ++j->p;
      return v;
    }
    for (;;) {
      char *key = NULL;
      if (obj) {
        jws(j);
        size_t kl;
        if (j->p >= j->end || *j->p != '"') {
          j->err = "expected a key";
          jfree(v);
          return NULL;
        }
        ++j->p;
        if (!(key = jstring(j, &kl))) {
          jfree(v);
          return NULL;
        }
        jws(j);
        if (j->p >= j->end || *j->p != ':') {
          j->err = "expected ':'";
          free(key);
          jfree(v);
          return NULL;
        }
        ++j->p;
      }
      JVal *item = jvalue(j, depth + 1);
      if (!item || !jappend(v, item, key)) {
        free(key);
        jfree(item);
        jfree(v);
        return NULL;
      }
      jws(j);
      if (j->p < j->end && *j->p == ',') {
        ++j->p;
        continue;
      }
      if (j->p < j->end && *j->p == (obj ? '}' : ']')) {
        ++j->p;
        return v;
      }
      j->err = obj ? "expected ',' or '}'" : "expected ',' or ']'";
      jfree(v);
      return NULL;
    }
  }
  if (c == '"') {
    ++j->p;
    JVal *v = jnew(J_STR);
    if (!(v->str = jstring(j, &v->len))) {
      jfree(v);
      return NULL;
    }
    return v;
  }
  static const struct {
    const char *word;
    JType type;
    bool b;
  } words[] = {{"true", J_BOOL, true}, {"false", J_BOOL, false},
               {"null", J_NULL, false}};
  for (size_t i = 0; i < 3; ++i) {
    size_t wl = strlen(words[i].word);
    if ((size_t)(j->end - j->p) >= wl && memcmp(j->p, words[i].word, wl) == 0) {
      j->p += wl;
      JVal *v = jnew(words[i].type);
      v->b = words[i].b;
      return v;
    }
  }
  if (c == '-' || (c >= '0' && c <= '9')) {
    const char *s = j->p;
    while (j->p < j->end && strchr("+-0123456789.eE", *j->p))
      ++j->p;
    JVal *v = jnew(J_NUM);
    v->len = (size_t)(j->p - s);
    v->str = strndup(s, v->len);
    return v;
  }
  j->err = "unexpected character";
  return NULL;
}

static JVal *jparse(const char *text, size_t len, const char **err) {
  JParser j = {text, text + len, NULL};
  JVal *v = jvalue(&j, 0);
  if (v) {
    jws(&j);
    if (j.p != j.end) {
      j.err = "trailing characters";
      jfree(v);
      v = NULL;
    }
  }
  *err = j.err;
  return v;
}

static const JVal *jget(const JVal *obj, const char *key) {
  if (!obj || obj->type != J_OBJ)
    return NULL;
  for (size_t i = 0; i < obj->n; ++i)
    if (strcmp(obj->keys[i], key) == 0)
      return obj->items[i];
  return NULL;
}

/* Expected results ------------------------------------------------------------ */

typedef struct {
  bool is_bool;
  bool boolean;
  EvTable table;
} Results;

static void results_free(Results *r) { ev_table_free(&r->table); }

/* Parse SPARQL JSON results; an error message or NULL. */
static const char *parse_srj(const char *text, size_t len, Results *out) {
  static char msg[256];
  memset(out, 0, sizeof *out);
  const char *err = NULL;
  JVal *root = jparse(text, len, &err);
  if (!root) {
    snprintf(msg, sizeof msg, "expected.srj: %s", err ? err : "invalid JSON");
    return msg;
  }
  const char *problem = NULL;
  const JVal *head = jget(root, "head"), *boolean = jget(root, "boolean");
  const JVal *results = jget(root, "results");
  if (!head || head->type != J_OBJ) {
    problem = "expected.srj: no head";
  } else if (boolean) {
    if (boolean->type != J_BOOL)
      problem = "expected.srj: boolean is not true or false";
    out->is_bool = true;
    out->boolean = boolean->b;
  } else {
    const JVal *vars = jget(head, "vars");
    ev_table_init(&out->table, NULL, 0);
    if (vars && vars->type == J_ARR)
      for (size_t i = 0; i < vars->n; ++i)
        if (vars->items[i]->type == J_STR)
          ev_table_var(&out->table, vars->items[i]->str);
    const JVal *bindings = jget(results, "bindings");
    if (!bindings || bindings->type != J_ARR)
      problem = "expected.srj: no results.bindings";
    for (size_t r = 0; !problem && r < bindings->n; ++r) {
      const JVal *b = bindings->items[r];
      if (b->type != J_OBJ) {
        problem = "expected.srj: a binding is not an object";
        break;
      }
      /* Columns first (they may widen the table), then the row. */
      for (size_t k = 0; k < b->n; ++k)
        ev_table_var(&out->table, b->keys[k]);
      EvTerm *row = ev_table_row(&out->table);
      for (size_t k = 0; k < b->n && !problem; ++k) {
        const JVal *t = b->items[k];
        const JVal *type = jget(t, "type"), *value = jget(t, "value");
        const JVal *lang = jget(t, "xml:lang"), *dt = jget(t, "datatype");
        if (!type || type->type != J_STR || !value || value->type != J_STR) {
          problem = "expected.srj: a term without type or value";
          break;
        }
        TrineTerm term = {TRINE_TERM_LITERAL, value->str, value->len,
                          NULL, 0, NULL, 0};
        if (strcmp(type->str, "uri") == 0)
          term.kind = TRINE_TERM_IRI;
        else if (strcmp(type->str, "bnode") == 0)
          term.kind = TRINE_TERM_BLANK;
        else if (strcmp(type->str, "literal") != 0 &&
                 strcmp(type->str, "typed-literal") != 0) {
          problem = "expected.srj: unknown term type";
          break;
        }
        if (lang && lang->type == J_STR) {
          term.lang = lang->str;
          term.lang_len = lang->len;
        }
        if (dt && dt->type == J_STR) {
          term.datatype = dt->str;
          term.datatype_len = dt->len;
        }
        ev_term_set(&row[ev_table_var(&out->table, b->keys[k])], &term);
      }
    }
  }
  jfree(root);
  return problem;
}

/* Read expected.srj; an error message or NULL. */
static const char *read_srj(const char *path, Results *out) {
  size_t len;
  char *text = ev_read_file(path, &len);
  memset(out, 0, sizeof *out);
  if (!text)
    return "cannot read expected.srj";
  const char *problem = parse_srj(text, len, out);
  free(text);
  return problem;
}

/* A parsed graph (s, p, o, g) as triples: columns s, p, o. */
static void to_triples(EvTable *t) {
  EvTable t3 = {0};
  ev_table_init(&t3, (const char *const[]){"s", "p", "o"}, 3);
  for (size_t r = 0; r < t->nrows; ++r) {
    EvTerm *row = ev_table_row(&t3);
    for (size_t i = 0; i < 3; ++i) {
      row[i] = t->cells[r * 4 + i];
      memset(&t->cells[r * 4 + i], 0, sizeof(EvTerm));
    }
  }
  ev_table_free(t);
  *t = t3;
}

/* CSV results ---------------------------------------------------------------- */

/* One RFC 4180 record of text at *p (fields quoted or not, CRLF or LF);
 * cells go to row (vars.. widened as the header names them). false at the
 * end of the text. */
static bool csv_record(const char **p, const char *end, char ***cells,
                       size_t *ncells) {
  if (*p >= end)
    return false;
  *cells = NULL;
  *ncells = 0;
  for (;;) {
    char *buf = malloc((size_t)(end - *p) + 1);
    size_t n = 0;
    if (*p < end && **p == '"') {
      for (++*p; *p < end; ++*p) {
        if (**p == '"') {
          if (*p + 1 < end && (*p)[1] == '"')
            buf[n++] = *(++*p);
          else {
            ++*p;
            break;
          }
        } else {
          buf[n++] = **p;
        }
      }
    }
    while (*p < end && **p != ',' && **p != '\r' && **p != '\n')
      buf[n++] = *(*p)++;
    buf[n] = '\0';
    *cells = realloc(*cells, (*ncells + 1) * sizeof **cells);
    (*cells)[(*ncells)++] = buf;
    if (*p < end && **p == ',') {
      ++*p;
      continue;
    }
    if (*p < end && **p == '\r')
      ++*p;
    if (*p < end && **p == '\n')
      ++*p;
    return true;
  }
}

/* CSV text (header line, then rows) as a table: "" unbound, "_:x" a blank
 * node, anything else a simple literal. */
static void csv_table(const char *text, size_t len, EvTable *out) {
  const char *p = text, *end = text + len;
  char **cells;
  size_t ncells, *col = NULL, ncols = 0;
  ev_table_init(out, NULL, 0);
  if (csv_record(&p, end, &cells, &ncells)) {
    col = calloc(ncells + 1, sizeof *col);
    ncols = ncells;
    for (size_t i = 0; i < ncells; ++i) {
      col[i] = ev_table_var(out, cells[i]);
      free(cells[i]);
    }
    free(cells);
  }
  while (csv_record(&p, end, &cells, &ncells)) {
    EvTerm *row = ev_table_row(out);
    for (size_t i = 0; i < ncells; ++i) {
      size_t cl = strlen(cells[i]);
      if (i < ncols && cl) {
        bool blank = cl > 2 && cells[i][0] == '_' && cells[i][1] == ':';
        TrineTerm t = {blank ? TRINE_TERM_BLANK : TRINE_TERM_LITERAL,
                       blank ? cells[i] + 2 : cells[i],
                       blank ? cl - 2 : cl, NULL, 0, NULL, 0};
        ev_term_set(&row[col[i]], &t);
      }
      free(cells[i]);
    }
    free(cells);
  }
  free(col);
}

/* The runner ------------------------------------------------------------------ */

/* Run query.rq on store through the API into *got (csv: its CSV text, as
 * trine's CSV writer writes it, read back). NULL, or the reason written to
 * why. */
static const char *api_results(TrineStore *store, const char *dir, const char *name,
                               const char *base, bool construct, bool csv,
                               Results *got, FILE *diff, char *why, size_t whysize) {
  EvErrors rc = {{0}};
  TrineQuery *q = NULL;
  char *text = NULL;
  const char *fail = ev_prepare(store, dir, "query.rq", name, base, &rc, &text, &q,
                                why, whysize);
  if (fail) {
    free(text);
    return fail;
  }
  TrineStatus st;
  TrineQueryForm form = trine_query_form(q);
  size_t ncols = trine_query_columns(q);
  if (csv) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    TrineWriteOptions wo = {.headers = true};
    st = trine_query_write(q, TRINE_RESULTS_CSV, &wo, f, NULL);
    fclose(f);
    if (ev_verbose)
      fprintf(diff, "CSV written:\n%s", out);
    csv_table(out, len, &got->table);
    free(out);
    if (st == TRINE_OK)
      st = TRINE_DONE;
  } else if (form == TRINE_QUERY_ASK) {
    got->is_bool = true;
    st = trine_query_step(q);
    if (st == TRINE_ROW) {
      const TrineTerm *t = trine_query_term(q, 0);
      got->boolean = t && t->value_len == 4 && memcmp(t->value, "true", 4) == 0;
      st = trine_query_step(q);
      if (st == TRINE_ROW)
        fail = "ASK gave more than one row";
    } else if (st == TRINE_DONE) {
      fail = "ASK gave no row";
    }
  } else {
    const char *names[3] = {"s", "p", "o"};
    if (construct)
      ev_table_init(&got->table, names, 3);
    else
      ev_table_init(&got->table, NULL, 0);
    size_t *col = calloc(ncols + 1, sizeof *col);
    for (size_t i = 0; i < ncols; ++i)
      col[i] = construct ? i : ev_table_var(&got->table,
                                            trine_query_column_name(q, i));
    while ((st = trine_query_step(q)) == TRINE_ROW) {
      EvTerm *row = ev_table_row(&got->table);
      for (size_t i = 0; i < ncols && (!construct || i < 3); ++i)
        ev_term_set(&row[col[i]], trine_query_term(q, i));
    }
    free(col);
  }
  if (!fail && st != TRINE_DONE && st != TRINE_ROW) {
    snprintf(why, whysize, "step: %s: %s", trine_strerror(st),
             rc.errmsg[0] ? rc.errmsg : trine_store_errmsg(store));
    fail = why;
  }
  trine_query_free(q);
  free(text);
  return fail;
}

/* Run query.rq on *store through `trine STORE -f query.rq` (JSON results,
 * N-Triples for a graph, `--format csv` for a CSV test) into *got. NULL, or
 * the reason written to why. */
static const char *shell_results(TrineStore **store, const char *dir, const char *base,
                                 bool construct, bool csv, Results *got, char *why,
                                 size_t whysize) {
  EvShellRun r;
  const char *fail = NULL;
  char err[512];
  ev_shell_run(store, base, csv ? "csv" : construct ? NULL : "json", dir, "query.rq", &r);
  memset(got, 0, sizeof *got);
  if (r.status != 0) {
    fail = ev_shell_failure(&r, why, whysize);
  } else if (csv) {
    csv_table(r.out, r.outlen, &got->table);
  } else if (!construct) {
    if ((fail = parse_srj(r.out, r.outlen, got))) {
      snprintf(why, whysize, "the shell's JSON: %s", fail);
      fail = why;
    }
  } else if (ev_parse_quads_buf("output", r.out, r.outlen, false, &got->table,
                                err, sizeof err)) {
    to_triples(&got->table);
  } else {
    snprintf(why, whysize, "the shell's N-Triples: %s", err);
    fail = why;
  }
  ev_shell_free(&r);
  return fail;
}

/* The expected results of a test: the W3C's, or through the shell the
 * API's (*api_failed: the API could not run the query). */
static const char *expected(TrineStore *store, const char *dir, const char *name,
                            const char *base, bool construct, bool csv,
                            Results *want, bool *api_failed, FILE *diff, char *why,
                            size_t whysize) {
  *api_failed = false;
  if (ev_shell) {
    *api_failed = api_results(store, dir, name, base, construct, csv, want, diff,
                              why, whysize) != NULL;
    return NULL;
  }
  if (csv) {
    char path[1024];
    size_t len;
    ev_join(path, sizeof path, dir, "expected.csv");
    char *etext = ev_read_file(path, &len);
    if (!etext)
      return "cannot read expected.csv";
    csv_table(etext, len, &want->table);
    free(etext);
    return NULL;
  }
  if (!construct) {
    char path[1024];
    ev_join(path, sizeof path, dir, "expected.srj");
    return read_srj(path, want);
  }
  char path[1024], err[512];
  ev_join(path, sizeof path, dir, "expected.nt");
  if (!ev_parse_quads(path, false, &want->table, err, sizeof err)) {
    snprintf(why, whysize, "expected.nt: %s", err);
    return why;
  }
  to_triples(&want->table);
  return NULL;
}

/* Run one test; NULL when it passes, else a reason (details go to diff).
 * Through the shell (ev_shell) its results must be the API's, or both must
 * fail. */
static const char *run_test(const char *dir, const char *name, FILE *diff) {
  static char why[1024], api_why[1024];
  char path[1024];
  EvTsv meta;
  ev_join(path, sizeof path, dir, "meta.tsv");
  if (!ev_tsv_read(path, &meta))
    return "cannot read meta.tsv";
  const char *type = ev_tsv_value(&meta, "type");
  const char *base = ev_tsv_value(&meta, "base");
  const char *ordered = ev_tsv_value(&meta, "ordered");
  const char *groups_s = ev_tsv_value(&meta, "order_groups");
  const char *card = ev_tsv_value(&meta, "cardinality");
  const char *format = ev_tsv_value(&meta, "result_format");
  bool construct = type && strcmp(type, "construct") == 0;
  bool csv = format && strcmp(format, "csv") == 0;
  const char *fail = NULL;
  TrineStore *store = ev_fresh_store();
  Results want = {0}, got = {0};
  size_t groups[4096], ngroups = 0;
  EvErrors rc = {{0}};
  bool api_failed;
  if (!store) {
    fail = "cannot create a store";
    goto out;
  }
  if ((fail = ev_load(store, dir, "data.nq", &rc, why, sizeof why)))
    goto out;
  if ((fail = expected(store, dir, name, base, construct, csv, &want, &api_failed,
                       diff, api_why, sizeof api_why)))
    goto out;
  fail = ev_shell ? shell_results(&store, dir, base, construct, csv, &got, why, sizeof why)
                  : api_results(store, dir, name, base, construct, csv, &got, diff, why,
                                sizeof why);
  if (api_failed) {
    if (!fail) {
      snprintf(why, sizeof why, "the shell ran it, the API failed: %.900s", api_why);
      fail = why;
    } else {
      fail = NULL;
    }
    goto out;
  }
  if (fail)
    goto out;
  if (want.is_bool != got.is_bool) {
    fail = want.is_bool ? "expected a boolean, got solutions"
                        : "expected solutions, got a boolean";
    goto out;
  }
  if (ev_verbose && want.is_bool)
    fprintf(diff, "expected: %s\nactual:   %s\n", want.boolean ? "true" : "false",
            got.boolean ? "true" : "false");
  else if (!want.is_bool)
    ev_print_both(&want.table, &got.table, "rows", diff);
  if (want.is_bool) {
    if (want.boolean != got.boolean) {
      snprintf(why, sizeof why, "expected %s, got %s",
               want.boolean ? "true" : "false", got.boolean ? "true" : "false");
      fail = why;
    }
    goto out;
  }
  EvCompare cmp = {0};
  if (construct) {
    /* Graphs: sets of triples. */
    ev_table_distinct(&want.table);
    ev_table_distinct(&got.table);
  } else {
    cmp.ordered = ordered && strcmp(ordered, "yes") == 0;
    cmp.lax = card && strcmp(card, "lax") == 0;
    if (cmp.ordered && groups_s && *groups_s) {
      for (const char *p = groups_s; *p && ngroups < 4096;) {
        groups[ngroups++] = strtoul(p, (char **)&p, 10);
        if (*p == ',')
          ++p;
        else
          break;
      }
      cmp.groups = groups;
      cmp.ngroups = ngroups;
    }
  }
  fail = ev_compare(&want.table, &got.table, &cmp, "results", diff, why,
                    sizeof why);
out:
  ev_drop_store(store);
  results_free(&want);
  results_free(&got);
  ev_tsv_free(&meta);
  return fail;
}

int main(int argc, char **argv) {
  return ev_main(argc, argv, "sparql-eval", "sparql-excluded.tsv", run_test);
}
