/*
 * expr.c -- SPARQL 1.1 expression evaluation: values, effective boolean
 * value, comparisons, arithmetic, ORDER BY order and aggregates (see
 * expr.h). The built-in functions and casts live in expr_fn.c.
 */
#include "expr_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define TRY(x)                                                                 \
  do {                                                                         \
    TrineStatus st_ = (x);                                                     \
    if (st_ != TRINE_OK) return st_;                                           \
  } while (0)

static TrineStatus nomem(ExprCtx *c) {
  return store_error(qdict_txn(c->dict)->store, TRINE_ERR_NOMEM, "out of memory");
}

/* ---- scratch arena ---- */

void *ex_alloc(ExprCtx *c, size_t n) {
  Impl *im = IMPL(c);
  n = (n + 15) & ~(size_t)15;
  Chunk *k = im->arena;
  if (!k || k->cap - k->used < n) {
    size_t cap = n > 65536 ? n : 65536;
    Chunk *nk = malloc(sizeof *nk + cap);
    if (!nk) return NULL;
    nk->cap = cap;
    nk->used = 0;
    nk->next = k;
    im->arena = k = nk;
  }
  void *p = k->data + k->used;
  k->used += n;
  return p;
}

static void arena_reset(Impl *im) {
  Chunk *k = im->arena;
  if (!k) return;
  while (k->next) {
    Chunk *n = k->next;
    k->next = n->next;
    free(n);
  }
  k->used = 0;
}

/* ---- values ---- */

void ex_err(Val *v) { memset(v, 0, sizeof *v); }

static inline void lit(Val *v, XsdType xt, const char *dt, size_t dt_len) {
  v->id = 0;
  v->t = (TrineTerm){.kind = TRINE_TERM_LITERAL, .datatype = dt, .datatype_len = dt_len};
  v->decoded = true;
  v->valid = true;
  v->xt = xt;
}

#define LIT(v, xt, dt) lit(v, xt, dt, sizeof(dt) - 1)

void ex_int(Val *v, Dec d) {
  LIT(v, XT_INTEGER, XSD_INTEGER);
  v->v.d = d;
}
void ex_dec(Val *v, Dec d) {
  LIT(v, XT_DECIMAL, XSD_DECIMAL);
  v->v.d = xsd_dec_norm(d);
}
void ex_dbl(Val *v, double f, XsdType xt) {
  if (xt == XT_FLOAT) LIT(v, xt, XSD_FLOAT);
  else LIT(v, xt, XSD_DOUBLE);
  v->v.f = xt == XT_FLOAT ? (double)(float)f : f;
}
void ex_bool(Val *v, bool b) {
  LIT(v, XT_BOOLEAN, XSD_BOOLEAN);
  v->v.b = b;
  v->t.value = b ? "true" : "false";
  v->t.value_len = b ? 4 : 5;
}
void ex_str(Val *v, const char *s, size_t n, const char *lang, size_t lang_len) {
  lit(v, lang && lang_len ? XT_LANG : XT_STRING, NULL, 0);
  v->t.value = s;
  v->t.value_len = n;
  if (lang && lang_len) {
    v->t.lang = lang;
    v->t.lang_len = lang_len;
  }
}
void ex_iri(Val *v, const char *s, size_t n) {
  memset(v, 0, sizeof *v);
  v->t.kind = TRINE_TERM_IRI;
  v->t.value = s;
  v->t.value_len = n;
  v->decoded = true;
}

/* Classify and parse a decoded literal. */
static void classify(Val *v) {
  v->valid = false;
  if (v->t.kind != TRINE_TERM_LITERAL) {
    v->xt = XT_OTHER;
    return;
  }
  if (v->t.lang && v->t.lang_len) {
    v->xt = XT_LANG;
    v->valid = true;
    return;
  }
  v->xt = xsd_type_of(v->t.datatype, v->t.datatype_len);
  const char *s = v->t.value;
  size_t n = v->t.value_len;
  switch (v->xt) {
  case XT_STRING:
  case XT_LANG: v->valid = true; break;
  case XT_INTEGER:
    v->valid = xsd_parse_integer(s, n, v->t.datatype, v->t.datatype_len, &v->v.d);
    break;
  case XT_DECIMAL: v->valid = xsd_parse_decimal(s, n, &v->v.d); break;
  case XT_FLOAT:
  case XT_DOUBLE:
    v->valid = xsd_parse_double(s, n, &v->v.f);
    if (v->valid && v->xt == XT_FLOAT) v->v.f = (double)(float)v->v.f;
    break;
  case XT_BOOLEAN: v->valid = xsd_parse_boolean(s, n, &v->v.b); break;
  case XT_DATETIME: v->valid = xsd_parse_datetime(s, n, &v->v.dt); break;
  case XT_DATE: v->valid = xsd_parse_date(s, n, &v->v.dt); break;
  case XT_OTHER: break;
  }
}

void ex_typed(Val *v, const char *s, size_t n, const char *dt) {
  memset(v, 0, sizeof *v);
  v->t.kind = TRINE_TERM_LITERAL;
  v->t.value = s;
  v->t.value_len = n;
  if (dt && *dt && !term_is_xsd_string(dt, strlen(dt))) {
    v->t.datatype = dt;
    v->t.datatype_len = strlen(dt);
  }
  v->decoded = true;
  classify(v);
}

TrineStatus ex_from_id(ExprCtx *c, Val *v, TrineId id) {
  v->id = id;
  v->t = (TrineTerm){0};
  v->decoded = false;
  v->xt = XT_OTHER;
  v->valid = false;
  if (!id) return TRINE_OK;
  switch (id_kind(id)) {
  case IDK_IRI: v->t.kind = TRINE_TERM_IRI; return TRINE_OK;
  case IDK_BLANK: v->t.kind = TRINE_TERM_BLANK; return TRINE_OK;
  case IDK_LITERAL: v->t.kind = TRINE_TERM_LITERAL; return TRINE_OK;
  default: v->t.kind = TRINE_TERM_LITERAL; return ex_decode(c, v);
  }
}

TrineStatus ex_decode(ExprCtx *c, Val *v) {
  if (v->decoded || ex_is_err(v)) return TRINE_OK;
  Impl *im = IMPL(c);
  /* Made on first use: most queries decode nothing, and it is large. */
  if (!im->cache && !(im->cache = calloc(VCACHE_SIZE, sizeof *im->cache))) return nomem(c);
  CacheEntry *ce = &im->cache[(v->id * 0x9E3779B97F4A7C15ull) >> 52];
  if (ce->id == v->id) {
    *v = ce->v;
    return TRINE_OK;
  }
  TrineTerm t;
  TRY(qdict_term(c->dict, v->id, &t));
  v->t = t;
  v->decoded = true;
  classify(v);
  ce->id = v->id;
  ce->v = *v;
  return TRINE_OK;
}

/* Make the lexical form of a computed value. */
TrineStatus ex_lexical(ExprCtx *c, Val *v) {
  TRY(ex_decode(c, v));
  if (ex_is_err(v) || v->t.value) return TRINE_OK;
  char buf[XSD_BUF];
  size_t n = 0;
  switch (v->xt) {
  case XT_INTEGER: n = xsd_format_integer(v->v.d, buf); break;
  case XT_DECIMAL: n = xsd_format_decimal(v->v.d, buf); break;
  case XT_FLOAT: n = xsd_format_double(v->v.f, true, buf); break;
  case XT_DOUBLE: n = xsd_format_double(v->v.f, false, buf); break;
  case XT_BOOLEAN: n = (size_t)sprintf(buf, v->v.b ? "true" : "false"); break;
  case XT_DATETIME: n = xsd_format_datetime(&v->v.dt, buf); break;
  default: break;
  }
  char *s = ex_alloc(c, n + 1);
  if (!s) return nomem(c);
  memcpy(s, buf, n);
  s[n] = 0;
  v->t.value = s;
  v->t.value_len = n;
  return TRINE_OK;
}

TrineStatus ex_intern(ExprCtx *c, Val *v, TrineId *out) {
  if (ex_is_err(v)) return *out = 0, TRINE_OK;
  if (v->id) return *out = v->id, TRINE_OK;
  TRY(ex_lexical(c, v));
  if (v->t.kind == TRINE_TERM_BLANK) return *out = 0, TRINE_OK; /* blanks carry ids */
  TrineStatus st = qdict_intern(c->dict, &v->t, out);
  if (st == TRINE_ERR_ARG) return *out = 0, TRINE_OK;
  if (st == TRINE_OK) v->id = *out;
  return st;
}

/* ---- context ---- */

TrineStatus expr_ctx_init(ExprCtx *c, QDict *dict, const SparqlRequest *req,
                          const char *base_iri) {
  memset(c, 0, sizeof *c);
  c->dict = dict;
  c->req = req;
  c->base_iri = base_iri ? base_iri : req ? req->base : NULL;
  Impl *im = calloc(1, sizeof *im);
  if (!im) return nomem(c);
  c->impl = im;
  /* consts is made on the first constant: most queries evaluate no
   * expression, and clearing it cost a tenth of a small query. */
  return TRINE_OK;
}

void expr_ctx_free(ExprCtx *c) {
  Impl *im = IMPL(c);
  if (!im) return;
  while (im->arena) {
    Chunk *n = im->arena->next;
    free(im->arena);
    im->arena = n;
  }
  free(im->cache);
  free(im->consts);
  for (size_t i = 0; i < im->nrx; i++) {
    free(im->rx[i].pat);
    pcre2_code_free(im->rx[i].code);
  }
  pcre2_match_data_free(im->md);
  pcre2_match_context_free(im->mc);
  if (im->loc) freelocale(im->loc);
  for (size_t i = 0; i < im->nbn; i++) free(im->bn[i].s);
  free(im->bn);
  free(im);
  c->impl = NULL;
}

/* Slots of the first table of constants (a power of two; it doubles). */
#define CONSTS_FIRST 16

static size_t ptr_hash(const void *p, size_t mask) {
  return (size_t)(((uintptr_t)p * 0x9E3779B97F4A7C15ull) >> 20) & mask;
}

/* The value of a constant term of an expression: interned and classified
 * once per query. */
static TrineStatus const_val(ExprCtx *c, const SparqlExpr *e, Val *out) {
  Impl *im = IMPL(c);
  if (!im->consts) {
    if (!(im->consts = calloc(CONSTS_FIRST, sizeof *im->consts))) return nomem(c);
    im->mask_consts = CONSTS_FIRST - 1;
  }
  size_t h = ptr_hash(e, im->mask_consts);
  for (;; h = (h + 1) & im->mask_consts) {
    if (im->consts[h].key == e) return *out = im->consts[h].v, TRINE_OK;
    if (!im->consts[h].key) break;
  }
  TrineId id = 0;
  TrineStatus st = qdict_intern(c->dict, &e->term, &id);
  if (st == TRINE_ERR_ARG) id = 0;
  else if (st) return st;
  memset(out, 0, sizeof *out);
  out->id = id;
  out->t = e->term;
  if (id && id_kind(id) == IDK_TEMP) TRY(qdict_term(c->dict, id, &out->t)); /* lives as long */
  out->decoded = true;
  classify(out);
  if ((im->nconsts + 1) * 2 > im->mask_consts) {
    size_t nm = im->mask_consts * 2 + 1;
    ConstEntry *n = calloc(nm + 1, sizeof *n);
    if (!n) return nomem(c);
    for (size_t i = 0; i <= im->mask_consts; i++)
      if (im->consts[i].key) {
        size_t j = ptr_hash(im->consts[i].key, nm);
        while (n[j].key) j = (j + 1) & nm;
        n[j] = im->consts[i];
      }
    free(im->consts);
    im->consts = n;
    im->mask_consts = nm;
    h = ptr_hash(e, nm);
    while (im->consts[h].key) h = (h + 1) & nm;
  }
  im->consts[h].key = e;
  im->consts[h].v = *out;
  im->nconsts++;
  return TRINE_OK;
}

/* ---- effective boolean value ---- */

int ex_val_ebv(ExprCtx *c, Val *v) {
  if (ex_is_err(v) || v->t.kind != TRINE_TERM_LITERAL) return -1;
  if (ex_decode(c, v)) return -1;
  switch (v->xt) {
  case XT_BOOLEAN: return v->valid ? v->v.b : 0;
  case XT_STRING:
  case XT_LANG: /* "plain literal" of 17.2.2: 1.1's rule, not 1.2's error */
    return v->t.value ? v->t.value_len > 0 : 1;
  case XT_INTEGER:
  case XT_DECIMAL: return v->valid ? v->v.d.m != 0 : 0;
  case XT_FLOAT:
  case XT_DOUBLE: return v->valid ? !(v->v.f == 0 || isnan(v->v.f)) : 0;
  default: return -1;
  }
}

/* ---- comparison ---- */

/* Categories that compare by value with each other. */
static int category(const Val *v) {
  switch (v->xt) {
  case XT_INTEGER:
  case XT_DECIMAL:
  case XT_FLOAT:
  case XT_DOUBLE: return 1;
  case XT_STRING: return 2;
  case XT_BOOLEAN: return 3;
  case XT_DATETIME: return 4;
  case XT_DATE: return 5;
  case XT_LANG: return 6;
  default: return 0;
  }
}

static int dcmp(double a, double b) { return a < b ? -1 : a > b ? 1 : a == b ? 0 : 2; }

/* Compare two valid numerics: -1, 0, 1, or 2 (NaN). */
static int num_cmp(const Val *a, const Val *b) {
  if (a->xt <= XT_DECIMAL && b->xt <= XT_DECIMAL) return xsd_dec_cmp(a->v.d, b->v.d);
  double x = a->xt <= XT_DECIMAL ? xsd_dec_to_double(a->v.d) : a->v.f;
  double y = b->xt <= XT_DECIMAL ? xsd_dec_to_double(b->v.d) : b->v.f;
  return dcmp(x, y);
}

static int str_cmp(const TrineTerm *a, const TrineTerm *b) {
  size_t n = a->value_len < b->value_len ? a->value_len : b->value_len;
  int r = n ? memcmp(a->value, b->value, n) : 0;
  if (r) return r < 0 ? -1 : 1;
  return a->value_len < b->value_len ? -1 : a->value_len > b->value_len;
}

static bool same_bytes(const char *a, size_t an, const char *b, size_t bn) {
  return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* Same RDF term (both decoded, lexical forms made). */
static bool same_term(const Val *a, const Val *b) {
  if (a->t.kind != b->t.kind) return false;
  if (!same_bytes(a->t.value, a->t.value_len, b->t.value, b->t.value_len)) return false;
  if (a->t.kind != TRINE_TERM_LITERAL) return true;
  if (a->xt == XT_LANG || b->xt == XT_LANG)
    return a->xt == b->xt && a->t.lang_len == b->t.lang_len &&
           strncasecmp(a->t.lang, b->t.lang, a->t.lang_len) == 0;
  if (a->xt == XT_STRING || b->xt == XT_STRING) return a->xt == b->xt;
  return same_bytes(a->t.datatype, a->t.datatype_len, b->t.datatype, b->t.datatype_len);
}

/* Value comparison of two literals of the same category: -1/0/1, 2 error. */
static int value_cmp(const Val *a, const Val *b) {
  switch (category(a)) {
  case 1: return num_cmp(a, b);
  case 2: return str_cmp(&a->t, &b->t);
  case 3: return a->v.b == b->v.b ? 0 : a->v.b ? 1 : -1;
  case 4:
  case 5: return xsd_datetime_cmp(&a->v.dt, &b->v.dt);
  default: return 2;
  }
}

TrineStatus ex_equal(ExprCtx *c, Val *a, Val *b, int *out) {
  if (ex_is_err(a) || ex_is_err(b)) return *out = -1, TRINE_OK;
  if (a->id && b->id) {
    if (a->id == b->id && a->t.kind != TRINE_TERM_LITERAL) return *out = 1, TRINE_OK;
    if (a->t.kind != TRINE_TERM_LITERAL || b->t.kind != TRINE_TERM_LITERAL)
      return *out = a->id == b->id, TRINE_OK;
  }
  TRY(ex_decode(c, a));
  TRY(ex_decode(c, b));
  if (a->t.kind != b->t.kind) return *out = 0, TRINE_OK;
  int ca = a->valid ? category(a) : 0, cb = b->valid ? category(b) : 0;
  if (a->t.kind == TRINE_TERM_LITERAL && ca && ca == cb && ca != 6) {
    int r = value_cmp(a, b);
    return *out = r == 2 ? (ca == 1 ? 0 : -1) : r == 0, TRINE_OK;
  }
  TRY(ex_lexical(c, a));
  TRY(ex_lexical(c, b));
  if (a->t.kind != TRINE_TERM_LITERAL) return *out = same_term(a, b), TRINE_OK;
  if (same_term(a, b)) return *out = 1, TRINE_OK;
  if (ca == 6 || cb == 6) return *out = 0, TRINE_OK;
  if (ca && cb) return *out = 0, TRINE_OK; /* different known types */
  return *out = -1, TRINE_OK;
}

/* a < b etc.: -1, 0, 1, or 2 on error. */
static TrineStatus less_cmp(ExprCtx *c, Val *a, Val *b, int *out) {
  *out = 2;
  if (ex_is_err(a) || ex_is_err(b) || a->t.kind != TRINE_TERM_LITERAL ||
      b->t.kind != TRINE_TERM_LITERAL)
    return TRINE_OK;
  TRY(ex_decode(c, a));
  TRY(ex_decode(c, b));
  int ca = a->valid ? category(a) : 0, cb = b->valid ? category(b) : 0;
  if (!ca || ca != cb || ca == 6) return TRINE_OK;
  *out = value_cmp(a, b);
  return TRINE_OK;
}

/* ---- arithmetic ---- */

static double as_double(const Val *v) {
  return v->xt <= XT_DECIMAL ? xsd_dec_to_double(v->v.d) : v->v.f;
}

TrineStatus ex_arith(ExprCtx *c, int op, Val *a, Val *b, Val *out) {
  TRY(ex_decode(c, a));
  TRY(ex_decode(c, b));
  if (!ex_is_num(a) || !ex_is_num(b)) return ex_err(out), TRINE_OK;
  XsdType t = a->xt > b->xt ? a->xt : b->xt;
  if (t <= XT_DECIMAL) {
    Dec r;
    bool ok;
    switch (op) {
    case '+': ok = xsd_dec_add(a->v.d, b->v.d, &r); break;
    case '-': ok = xsd_dec_sub(a->v.d, b->v.d, &r); break;
    case '*': ok = xsd_dec_mul(a->v.d, b->v.d, &r); break;
    default: ok = xsd_dec_div(a->v.d, b->v.d, &r); t = XT_DECIMAL; break;
    }
    if (!ok) return ex_err(out), TRINE_OK;
    if (t == XT_INTEGER) ex_int(out, r);
    else ex_dec(out, r);
    return TRINE_OK;
  }
  double x = as_double(a), y = as_double(b), r;
  switch (op) {
  case '+': r = x + y; break;
  case '-': r = x - y; break;
  case '*': r = x * y; break;
  default: r = x / y; break;
  }
  ex_dbl(out, r, t);
  return TRINE_OK;
}

/* ---- evaluation ---- */

TrineStatus ex_ebv(ExprCtx *c, const SparqlExpr *e, const TrineId *row, int *out) {
  Val v;
  TRY(ex_eval(c, e, row, &v));
  *out = ex_val_ebv(c, &v);
  return TRINE_OK;
}

TrineStatus ex_eval(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out) {
  Val a, b;
  int x, y;
  switch (e->kind) {
  case SPARQL_EX_VAR:
    if (!row || e->var == SPARQL_NO_VAR) return ex_err(out), TRINE_OK;
    return ex_from_id(c, out, row[e->var]);
  case SPARQL_EX_TERM: return const_val(c, e, out);
  case SPARQL_EX_OR:
  case SPARQL_EX_AND: {
    bool is_or = e->kind == SPARQL_EX_OR;
    TRY(ex_ebv(c, e->args[0], row, &x));
    if (x == (is_or ? 1 : 0)) return ex_bool(out, is_or), TRINE_OK;
    TRY(ex_ebv(c, e->args[1], row, &y));
    if (y == (is_or ? 1 : 0)) return ex_bool(out, is_or), TRINE_OK;
    if (x < 0 || y < 0) return ex_err(out), TRINE_OK;
    return ex_bool(out, !is_or), TRINE_OK;
  }
  case SPARQL_EX_NOT:
    TRY(ex_ebv(c, e->args[0], row, &x));
    if (x < 0) return ex_err(out), TRINE_OK;
    return ex_bool(out, !x), TRINE_OK;
  case SPARQL_EX_EQ:
  case SPARQL_EX_NE:
    TRY(ex_eval(c, e->args[0], row, &a));
    if (ex_is_err(&a)) return ex_err(out), TRINE_OK;
    TRY(ex_eval(c, e->args[1], row, &b));
    TRY(ex_equal(c, &a, &b, &x));
    if (x < 0) return ex_err(out), TRINE_OK;
    return ex_bool(out, e->kind == SPARQL_EX_EQ ? x : !x), TRINE_OK;
  case SPARQL_EX_LT:
  case SPARQL_EX_GT:
  case SPARQL_EX_LE:
  case SPARQL_EX_GE:
    TRY(ex_eval(c, e->args[0], row, &a));
    if (ex_is_err(&a)) return ex_err(out), TRINE_OK;
    TRY(ex_eval(c, e->args[1], row, &b));
    TRY(ex_decode(c, &a));
    TRY(ex_decode(c, &b));
    TRY(less_cmp(c, &a, &b, &x));
    if (x == 2) {
      /* NaN compares false rather than failing */
      if (ex_is_num(&a) && ex_is_num(&b)) return ex_bool(out, false), TRINE_OK;
      return ex_err(out), TRINE_OK;
    }
    switch (e->kind) {
    case SPARQL_EX_LT: return ex_bool(out, x < 0), TRINE_OK;
    case SPARQL_EX_GT: return ex_bool(out, x > 0), TRINE_OK;
    case SPARQL_EX_LE: return ex_bool(out, x <= 0), TRINE_OK;
    default: return ex_bool(out, x >= 0), TRINE_OK;
    }
  case SPARQL_EX_IN:
  case SPARQL_EX_NOT_IN: {
    TRY(ex_eval(c, e->args[0], row, &a));
    if (ex_is_err(&a)) return ex_err(out), TRINE_OK;
    bool err = false;
    for (size_t i = 1; i < e->nargs; i++) {
      TRY(ex_eval(c, e->args[i], row, &b));
      TRY(ex_equal(c, &a, &b, &x));
      if (x == 1) return ex_bool(out, e->kind == SPARQL_EX_IN), TRINE_OK;
      if (x < 0) err = true;
    }
    if (err) return ex_err(out), TRINE_OK;
    return ex_bool(out, e->kind != SPARQL_EX_IN), TRINE_OK;
  }
  case SPARQL_EX_ADD:
  case SPARQL_EX_SUB:
  case SPARQL_EX_MUL:
  case SPARQL_EX_DIV: {
    static const char ops[] = "+-*/";
    TRY(ex_eval(c, e->args[0], row, &a));
    if (ex_is_err(&a)) return ex_err(out), TRINE_OK;
    TRY(ex_eval(c, e->args[1], row, &b));
    return ex_arith(c, ops[e->kind - SPARQL_EX_ADD], &a, &b, out);
  }
  case SPARQL_EX_NEG:
  case SPARQL_EX_PLUS:
    TRY(ex_eval(c, e->args[0], row, &a));
    TRY(ex_decode(c, &a));
    if (!ex_is_num(&a)) return ex_err(out), TRINE_OK;
    if (a.xt <= XT_DECIMAL) {
      Dec d = a.v.d;
      if (e->kind == SPARQL_EX_NEG) d.m = -d.m;
      if (a.xt == XT_INTEGER) ex_int(out, d);
      else ex_dec(out, d);
    } else {
      ex_dbl(out, e->kind == SPARQL_EX_NEG ? -a.v.f : a.v.f, a.xt);
    }
    return TRINE_OK;
  case SPARQL_EX_CALL: return ex_call(c, e, row, out);
  case SPARQL_EX_FUNCTION: return ex_cast(c, e, row, out);
  case SPARQL_EX_EXISTS:
  case SPARQL_EX_NOT_EXISTS: {
    if (!c->exists) return ex_err(out), TRINE_OK;
    bool found = false;
    TRY(c->exists(c->exists_ctx, e->pattern, row, &found));
    return ex_bool(out, e->kind == SPARQL_EX_EXISTS ? found : !found), TRINE_OK;
  }
  case SPARQL_EX_AGGREGATE: return ex_err(out), TRINE_OK;
  }
  return ex_err(out), TRINE_OK;
}

/* ---- public entry points ---- */

static void enter(ExprCtx *c) {
  Impl *im = IMPL(c);
  if (im->depth++ == 0) arena_reset(im);
}

static void leave(ExprCtx *c) { IMPL(c)->depth--; }

TrineStatus expr_eval(ExprCtx *c, const SparqlExpr *e, const TrineId *row, TrineId *out) {
  *out = 0;
  /* fast path: a variable */
  if (e->kind == SPARQL_EX_VAR) return *out = row && e->var != SPARQL_NO_VAR ? row[e->var] : 0, TRINE_OK;
  enter(c);
  Val v;
  TrineStatus st = ex_eval(c, e, row, &v);
  if (st == TRINE_OK) st = ex_intern(c, &v, out);
  leave(c);
  return st;
}

TrineStatus expr_ebv(ExprCtx *c, const SparqlExpr *e, const TrineId *row, int *out) {
  enter(c);
  TrineStatus st = ex_ebv(c, e, row, out);
  leave(c);
  return st;
}

TrineStatus expr_filter(ExprCtx *c, SparqlExpr *const *exprs, size_t n, const TrineId *row,
                        bool *pass) {
  *pass = true;
  for (size_t i = 0; i < n; i++) {
    int r;
    TRY(expr_ebv(c, exprs[i], row, &r));
    if (r != 1) return *pass = false, TRINE_OK;
  }
  return TRINE_OK;
}

/* ---- ORDER BY ---- */

static int kind_rank(TrineTermKind k) {
  return k == TRINE_TERM_BLANK ? 1 : k == TRINE_TERM_IRI ? 2 : 3;
}

/* Rank of literal categories in the fixed order. */
static int lit_rank(const Val *v) {
  if (!v->valid) return 7;
  switch (v->xt) {
  case XT_STRING:
  case XT_LANG: return 0; /* by lexical form, then simple before tagged */
  case XT_INTEGER:
  case XT_DECIMAL:
  case XT_FLOAT:
  case XT_DOUBLE: return 2;
  case XT_BOOLEAN: return 3;
  case XT_DATETIME: return 4;
  case XT_DATE: return 5;
  default: return 7;
  }
}

static int bytes_cmp(const char *a, size_t an, const char *b, size_t bn) {
  size_t n = an < bn ? an : bn;
  int r = n ? memcmp(a, b, n) : 0;
  if (r) return r < 0 ? -1 : 1;
  return an < bn ? -1 : an > bn;
}

static int val_order(ExprCtx *c, Val *a, Val *b) {
  if (ex_lexical(c, a) || ex_lexical(c, b)) return a->id < b->id ? -1 : a->id > b->id;
  int ka = kind_rank(a->t.kind), kb = kind_rank(b->t.kind);
  if (ka != kb) return ka < kb ? -1 : 1;
  if (a->t.kind != TRINE_TERM_LITERAL)
    return bytes_cmp(a->t.value, a->t.value_len, b->t.value, b->t.value_len);
  int ra = lit_rank(a), rb = lit_rank(b);
  if (ra != rb) return ra < rb ? -1 : 1;
  int r = 0;
  if (ra == 2) {
    r = num_cmp(a, b);
    if (r == 2) { /* NaN first */
      bool na = a->xt >= XT_FLOAT && isnan(a->v.f), nb = b->xt >= XT_FLOAT && isnan(b->v.f);
      r = na == nb ? 0 : na ? -1 : 1;
    }
  } else if (ra == 3) {
    r = value_cmp(a, b);
  } else if (ra == 4 || ra == 5) {
    r = xsd_datetime_order(&a->v.dt, &b->v.dt);
  }
  if (r) return r;
  r = bytes_cmp(a->t.value, a->t.value_len, b->t.value, b->t.value_len);
  if (r) return r;
  r = bytes_cmp(a->t.datatype ? a->t.datatype : "", a->t.datatype_len,
                b->t.datatype ? b->t.datatype : "", b->t.datatype_len);
  if (r) return r;
  return bytes_cmp(a->t.lang ? a->t.lang : "", a->t.lang_len, b->t.lang ? b->t.lang : "",
                   b->t.lang_len);
}

int expr_order(ExprCtx *c, TrineId a, TrineId b) {
  if (a == b) return 0;
  if (!a) return -1;
  if (!b) return 1;
  Val x, y;
  if (ex_from_id(c, &x, a) || ex_from_id(c, &y, b)) return a < b ? -1 : 1;
  if (x.t.kind != y.t.kind && x.decoded && y.decoded) {
    int ka = kind_rank(x.t.kind), kb = kind_rank(y.t.kind);
    if (ka != kb) return ka < kb ? -1 : 1;
  }
  if (!x.decoded && !y.decoded && x.t.kind != y.t.kind) {
    int ka = kind_rank(x.t.kind), kb = kind_rank(y.t.kind);
    if (ka != kb) return ka < kb ? -1 : 1;
  }
  if (ex_decode(c, &x) || ex_decode(c, &y)) return a < b ? -1 : 1;
  int r = val_order(c, &x, &y);
  if (r) return r;
  return a < b ? -1 : a > b; /* equal terms have equal ids */
}

/* ---- aggregates ---- */

struct AggState {
  ExprCtx *c;
  const SparqlExpr *e;
  int kind;
  bool distinct, star, err;
  size_t keylen;      /* ids per distinct key */
  TrineId *set;       /* open addressing, keylen ids per slot, all-zero empty */
  size_t nset, capset;
  uint64_t count;
  XsdType sum_t;      /* SUM/AVG running type */
  Dec sum_d;
  double sum_f;
  TrineId best;       /* MIN/MAX/SAMPLE */
  char *buf;          /* GROUP_CONCAT */
  size_t len, cap;
  const char *sep;
  size_t seplen;
};

AggState *agg_new(ExprCtx *c, const SparqlExpr *agg) {
  AggState *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->c = c;
  s->e = agg;
  s->kind = agg->fn;
  s->distinct = agg->distinct;
  s->star = agg->nargs == 0;
  s->keylen = s->star ? (c->req ? c->req->nvars : 0) : 1;
  if (s->keylen == 0) s->keylen = 1;
  s->sum_t = XT_INTEGER;
  s->sep = agg->separator ? agg->separator : " ";
  s->seplen = strlen(s->sep);
  return s;
}

void agg_free(AggState *s) {
  if (!s) return;
  if (s->cap && s->c->mem_give) s->c->mem_give(s->c->mem_ctx, s->cap);
  free(s->set);
  free(s->buf);
  free(s);
}

static uint64_t key_hash(const TrineId *k, size_t n) {
  uint64_t h = 0x84222325cbf29ce4ull;
  for (size_t i = 0; i < n; i++) h = (h ^ k[i]) * 0x100000001b3ull, h ^= h >> 29;
  return h;
}

static bool key_zero(const TrineId *k, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (k[i]) return false;
  return true;
}

/* Add key to the distinct set: *fresh true when it was not there. The all-
 * zero key (COUNT(DISTINCT *) of an empty row) is tracked separately. */
static TrineStatus set_add(AggState *s, const TrineId *k, bool *fresh) {
  size_t n = s->keylen;
  if (key_zero(k, n)) {
    /* keep a flag in count of the zero key via best (unused by COUNT) */
    *fresh = s->best == 0;
    s->best = 1;
    return TRINE_OK;
  }
  if ((s->nset + 1) * 2 > s->capset) {
    size_t cap = s->capset ? s->capset * 2 : 16;
    TrineId *ns = calloc(cap * n, sizeof *ns);
    if (!ns) return nomem(s->c);
    for (size_t i = 0; i < s->capset; i++) {
      TrineId *old = s->set + i * n;
      if (key_zero(old, n)) continue;
      size_t j = key_hash(old, n) & (cap - 1);
      while (!key_zero(ns + j * n, n)) j = (j + 1) & (cap - 1);
      memcpy(ns + j * n, old, n * sizeof *old);
    }
    free(s->set);
    s->set = ns;
    s->capset = cap;
  }
  size_t j = key_hash(k, n) & (s->capset - 1);
  for (;; j = (j + 1) & (s->capset - 1)) {
    TrineId *slot = s->set + j * n;
    if (key_zero(slot, n)) {
      memcpy(slot, k, n * sizeof *k);
      s->nset++;
      return *fresh = true, TRINE_OK;
    }
    if (memcmp(slot, k, n * sizeof *k) == 0) return *fresh = false, TRINE_OK;
  }
}

static TrineStatus cat(AggState *s, const char *p, size_t n) {
  if (s->len + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 64;
    while (cap < s->len + n + 1) cap *= 2;
    ExprCtx *c = s->c;
    if (c->mem_take) TRY(c->mem_take(c->mem_ctx, cap - s->cap));
    char *b = realloc(s->buf, cap);
    if (!b) {
      if (c->mem_give) c->mem_give(c->mem_ctx, cap - s->cap);
      return nomem(c);
    }
    s->buf = b;
    s->cap = cap;
  }
  if (n) memcpy(s->buf + s->len, p, n);
  s->len += n;
  return TRINE_OK;
}

/* An element of the group's list is an error (an unbound variable is one:
 * SPARQL 1.1 18.5.1, ListEval). What it does to each aggregate is decided
 * in agg_result(); see docs/sparql.md. */
static void agg_error(AggState *s) { s->err = true; }

/* Whether an error settles the aggregate (no later row can change it). */
static bool err_settles(int kind) {
  return kind == SPARQL_AGG_SUM || kind == SPARQL_AGG_MIN || kind == SPARQL_AGG_GROUP_CONCAT;
}

static TrineStatus agg_sum(AggState *s, Val *v) {
  TRY(ex_decode(s->c, v));
  if (!ex_is_num(v)) return agg_error(s), TRINE_OK;
  XsdType t = v->xt > s->sum_t ? v->xt : s->sum_t;
  if (t <= XT_DECIMAL) {
    if (!xsd_dec_add(s->sum_d, v->v.d, &s->sum_d)) agg_error(s);
  } else {
    if (s->sum_t <= XT_DECIMAL) s->sum_f = xsd_dec_to_double(s->sum_d);
    s->sum_f += as_double(v);
    if (t == XT_FLOAT) s->sum_f = (double)(float)s->sum_f;
  }
  s->sum_t = t;
  return TRINE_OK;
}

static TrineStatus agg_value(AggState *s, const TrineId *row) {
  ExprCtx *c = s->c;
  Val v;
  TrineId id = 0;
  TRY(ex_eval(c, s->e->args[0], row, &v));
  if (ex_is_err(&v)) return agg_error(s), TRINE_OK;
  bool need_id = s->distinct || s->kind == SPARQL_AGG_MIN || s->kind == SPARQL_AGG_MAX ||
                 s->kind == SPARQL_AGG_SAMPLE;
  if (need_id) {
    TRY(ex_intern(c, &v, &id));
    if (!id) return agg_error(s), TRINE_OK;
  }
  if (s->distinct) {
    bool fresh;
    TRY(set_add(s, &id, &fresh));
    if (!fresh) return TRINE_OK;
  }
  s->count++;
  switch (s->kind) {
  case SPARQL_AGG_COUNT: return TRINE_OK;
  case SPARQL_AGG_SAMPLE:
    if (!s->best) s->best = id;
    return TRINE_OK;
  case SPARQL_AGG_MIN:
  case SPARQL_AGG_MAX: {
    if (!s->best) return s->best = id, TRINE_OK;
    int r = expr_order(c, id, s->best);
    if (s->kind == SPARQL_AGG_MIN ? r < 0 : r > 0) s->best = id;
    return TRINE_OK;
  }
  case SPARQL_AGG_SUM:
  case SPARQL_AGG_AVG: return agg_sum(s, &v);
  case SPARQL_AGG_GROUP_CONCAT:
    /* CONCAT takes string literals only (17.4.3.12) */
    TRY(ex_decode(c, &v));
    if (!ex_is_string(&v)) return agg_error(s), TRINE_OK;
    TRY(ex_lexical(c, &v));
    if (s->count > 1) TRY(cat(s, s->sep, s->seplen));
    return cat(s, v.t.value, v.t.value_len);
  }
  return TRINE_OK;
}

TrineStatus agg_step(AggState *s, const TrineId *row) {
  ExprCtx *c = s->c;
  if (s->star) {
    if (s->distinct) {
      bool fresh;
      TRY(set_add(s, row, &fresh));
      if (!fresh) return TRINE_OK;
    }
    s->count++;
    return TRINE_OK;
  }
  if (s->err && err_settles(s->kind)) return TRINE_OK;
  /* Evaluate without interning unless the id is needed (DISTINCT, MIN,
   * MAX, SAMPLE): SUM(?x * 2) over many rows makes no temporary terms. */
  enter(c);
  TrineStatus st = agg_value(s, row);
  leave(c);
  return st;
}

TrineStatus agg_result(AggState *s, TrineId *out) {
  ExprCtx *c = s->c;
  *out = 0;
  Val v;
  switch (s->kind) {
  case SPARQL_AGG_COUNT: ex_int(&v, xsd_dec_from_int((int64_t)s->count)); break;
  case SPARQL_AGG_SAMPLE:
  case SPARQL_AGG_MAX: *out = s->best; return TRINE_OK;
  case SPARQL_AGG_MIN: *out = s->err ? 0 : s->best; return TRINE_OK;
  case SPARQL_AGG_SUM:
  case SPARQL_AGG_AVG:
    /* Avg = 0 when Count (errors left out) is 0, else Sum / Count */
    if (s->err && !(s->kind == SPARQL_AGG_AVG && !s->count)) return TRINE_OK;
    if (s->sum_t <= XT_DECIMAL) {
      if (s->sum_t == XT_INTEGER) ex_int(&v, s->sum_d);
      else ex_dec(&v, s->sum_d);
    } else {
      ex_dbl(&v, s->sum_f, s->sum_t);
    }
    if (s->kind == SPARQL_AGG_AVG && s->count) {
      Val n, r;
      ex_int(&n, xsd_dec_from_int((int64_t)s->count));
      enter(c);
      TrineStatus st = ex_arith(c, '/', &v, &n, &r);
      if (st == TRINE_OK) st = ex_intern(c, &r, out);
      leave(c);
      return st;
    }
    break;
  case SPARQL_AGG_GROUP_CONCAT:
    if (s->err) return TRINE_OK;
    ex_str(&v, s->buf ? s->buf : "", s->len, NULL, 0);
    break;
  default: return TRINE_OK;
  }
  enter(c);
  TrineStatus st = ex_intern(c, &v, out);
  leave(c);
  return st;
}
