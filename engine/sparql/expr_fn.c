/*
 * expr_fn.c -- SPARQL 1.1 built-in functions (section 17.4) and XSD casts
 * (section 17.5) over evaluated values (see expr_impl.h).
 */
#include "expr_impl.h"
#include "utf8.h"
#include "case_special.h"

#include <math.h>
#include <nettle/md5.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <sys/random.h>
#include <string.h>
#include <time.h>
#include <wctype.h>

#define TRY(x)                                                                 \
  do {                                                                         \
    TrineStatus st_ = (x);                                                     \
    if (st_ != TRINE_OK) return st_;                                           \
  } while (0)

#define ERR() return ex_err(out), TRINE_OK

static TrineStatus nomem(ExprCtx *c) {
  return store_error(qdict_txn(c->dict)->store, TRINE_ERR_NOMEM, "out of memory");
}

/* Evaluate argument i, decoded, with its lexical form. */
static TrineStatus arg(ExprCtx *c, const SparqlExpr *e, size_t i, const TrineId *row, Val *v) {
  if (i >= e->nargs) return ex_err(v), TRINE_OK;
  TRY(ex_eval(c, e->args[i], row, v));
  return ex_lexical(c, v);
}

static char *dup(ExprCtx *c, const char *s, size_t n) {
  char *d = ex_alloc(c, n + 1);
  if (!d) return NULL;
  if (n) memcpy(d, s, n);
  d[n] = 0;
  return d;
}

/* ---- UTF-8 ---- */

static size_t utf8_next(const unsigned char *s, size_t n, size_t i, uint32_t *cp) {
  unsigned char b = s[i];
  size_t len = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 1;
  if (i + len > n) len = 1;
  uint32_t v = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (size_t k = 1; k < len; k++) v = (v << 6) | (s[i + k] & 0x3F);
  *cp = v;
  return i + len;
}

/* ---- helpers ---- */

/* Result with the language (or simple) of v. */
static void like(Val *out, const Val *v, const char *s, size_t n) {
  ex_str(out, s, n, v->xt == XT_LANG ? v->t.lang : NULL, v->xt == XT_LANG ? v->t.lang_len : 0);
}

/* Argument compatibility (17.4.3.1): both strings; b simple or same lang. */
static bool compatible(const Val *a, const Val *b) {
  if (!ex_is_string(a) || !ex_is_string(b)) return false;
  if (b->xt == XT_STRING) return true;
  return a->xt == XT_LANG && a->t.lang_len == b->t.lang_len &&
         strncasecmp(a->t.lang, b->t.lang, a->t.lang_len) == 0;
}

static double num_double(const Val *v) {
  return v->xt <= XT_DECIMAL ? xsd_dec_to_double(v->v.d) : v->v.f;
}

static const char *memmem_(const char *h, size_t hn, const char *n, size_t nn) {
  if (!nn) return h;
  return memmem(h, hn, n, nn);
}

/* Seeded at the first use: getrandom() was 1% of a small query's time. */
static uint64_t rnd(ExprCtx *c) {
  if (!c->rand_seeded) {
    if (getrandom(&c->rand_state, sizeof c->rand_state, 0) != sizeof c->rand_state)
      c->rand_state = (uint64_t)(uintptr_t)c ^ 0x1234567887654321ull;
    c->rand_seeded = true;
  }
  uint64_t z = (c->rand_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static void uuid(ExprCtx *c, char out[37]) {
  unsigned char b[16];
  uint64_t x = rnd(c), y = rnd(c);
  memcpy(b, &x, 8);
  memcpy(b + 8, &y, 8);
  b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
  b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
  static const char hx[] = "0123456789abcdef";
  size_t k = 0;
  for (int i = 0; i < 16; i++) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out[k++] = '-';
    out[k++] = hx[b[i] >> 4];
    out[k++] = hx[b[i] & 15];
  }
  out[k] = 0;
}

/* ---- regular expressions ---- */

/* A cache slot for a new pattern: a free one, else the oldest. */
static Rx *rx_slot(Impl *im) {
  if (im->nrx < RX_MAX) return &im->rx[im->nrx++];
  Rx *r = &im->rx[im->rx_next];
  im->rx_next = (im->rx_next + 1) % RX_MAX;
  free(r->pat);
  pcre2_code_free(r->code);
  return r;
}

/* The shared match data, with room for every group of a pattern of
 * ngroups: pcre2_substitute fails on a $N its ovector cannot hold. */
static TrineStatus rx_match_data(ExprCtx *c, unsigned ngroups) {
  Impl *im = IMPL(c);
  if (im->md && pcre2_get_ovector_count(im->md) > ngroups) return TRINE_OK;
  pcre2_match_data_free(im->md);
  im->md = pcre2_match_data_create(ngroups < 32 ? 32 : ngroups + 1, NULL);
  if (!im->md) return nomem(c);
  if (!im->mc) {
    if (!(im->mc = pcre2_match_context_create(NULL))) return nomem(c);
    pcre2_set_match_limit(im->mc, RX_MATCH_LIMIT);
    pcre2_set_heap_limit(im->mc, RX_HEAP_LIMIT_KIB);
  }
  return TRINE_OK;
}

/* PCRE2 gave up on a string (rc): the match or heap limit. An expression
 * error would hide it (a FILTER false, rows silently missing), so the
 * query fails, naming the limit. */
static bool rx_over_limit(int rc) {
  return rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT ||
         rc == PCRE2_ERROR_DEPTHLIMIT;
}

static TrineStatus rx_limit(ExprCtx *c, const char *fn, const Rx *r, size_t len) {
  return store_error(qdict_txn(c->dict)->store, TRINE_ERR_FULL,
                     "%s: the pattern \"%.*s\" reached the regex match limit (%u steps, %u MiB "
                     "of backtracking) on a string of %zu bytes",
                     fn, (int)(r->plen > 60 ? 60 : r->plen), r->pat, RX_MATCH_LIMIT,
                     RX_HEAP_LIMIT_KIB >> 10, len);
}

/* XPath pattern (xregex.h) -> PCRE2 code, translated and compiled once per
 * query; an invalid pattern is cached too, with no code. */
static TrineStatus rx_compile(ExprCtx *c, const char *p, size_t n, unsigned flags, Rx *r) {
  XRegex x;
  XRegexError xe;
  pcre2_code *code = NULL;
  TrineStatus st = xregex_translate(p, n, flags, &x, &xe);
  if (st == TRINE_OK) {
    st = xregex_compile(&x, &code, &xe);
    r->ngroups = x.ngroups;
    xregex_free(&x);
  }
  if (st == TRINE_ERR_NOMEM) return nomem(c);
  r->code = code;
  if (code) TRY(rx_match_data(c, r->ngroups));
  r->matches_empty =
      code && pcre2_match(code, (PCRE2_SPTR) "", 0, 0, 0, IMPL(c)->md, IMPL(c)->mc) >= 0;
  return TRINE_OK;
}

/* *out: the compiled pattern, or NULL when the flags are invalid. */
static TrineStatus regex(ExprCtx *c, const Val *pat, const Val *flags, Rx **out) {
  *out = NULL;
  unsigned fl = 0;
  XRegexError xe;
  if (flags && xregex_flags(flags->t.value, flags->t.value_len, &fl, &xe)) return TRINE_OK;
  Impl *im = IMPL(c);
  const char *p = pat->t.value;
  size_t n = pat->t.value_len;
  for (size_t i = 0; i < im->nrx; i++) {
    Rx *r = &im->rx[i];
    if (r->flags == fl && r->plen == n && memcmp(r->pat, p, n) == 0) return *out = r, TRINE_OK;
  }
  char *copy = malloc(n + 1);
  if (!copy) return nomem(c);
  if (n) memcpy(copy, p, n);
  copy[n] = 0;
  Rx *r = rx_slot(im);
  *r = (Rx){.pat = copy, .plen = n, .flags = fl};
  *out = r;
  return rx_compile(c, p, n, fl, r);
}

static TrineStatus fn_regex(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out) {
  Val s, p, f;
  TRY(arg(c, e, 0, row, &s));
  TRY(arg(c, e, 1, row, &p));
  if (e->nargs > 2) {
    TRY(arg(c, e, 2, row, &f));
    if (!ex_is_simple(&f)) ERR();
  }
  if (!ex_is_string(&s) || !ex_is_simple(&p)) ERR();
  Rx *r;
  TRY(regex(c, &p, e->nargs > 2 ? &f : NULL, &r));
  if (!r || !r->code) ERR();
  int rc = pcre2_match(r->code, (PCRE2_SPTR)s.t.value, s.t.value_len, 0, 0, IMPL(c)->md,
                       IMPL(c)->mc);
  if (rx_over_limit(rc)) return rx_limit(c, "REGEX", r, s.t.value_len);
  if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) ERR();
  ex_bool(out, rc >= 0);
  return TRINE_OK;
}

static TrineStatus fn_replace(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out) {
  Val s, p, rep, f;
  TRY(arg(c, e, 0, row, &s));
  TRY(arg(c, e, 1, row, &p));
  TRY(arg(c, e, 2, row, &rep));
  if (e->nargs > 3) {
    TRY(arg(c, e, 3, row, &f));
    if (!ex_is_simple(&f)) ERR();
  }
  if (!ex_is_string(&s) || !ex_is_simple(&p) || !ex_is_simple(&rep)) ERR();
  Rx *r;
  TRY(regex(c, &p, e->nargs > 3 ? &f : NULL, &r));
  if (!r || !r->code || r->matches_empty) ERR();
  size_t rn = rep.t.value_len, k;
  char *pr = ex_alloc(c, 2 * rn + 1);
  if (!pr) return nomem(c);
  XRegexError xe;
  if (xregex_replacement(rep.t.value, rn, r->ngroups, r->flags, pr, &k, &xe)) ERR();
  PCRE2_SIZE cap = s.t.value_len * 2 + k + 64;
  for (int tries = 0; tries < 2; tries++) {
    char *buf = ex_alloc(c, cap + 1);
    if (!buf) return nomem(c);
    PCRE2_SIZE outlen = cap;
    int rc = pcre2_substitute(r->code, (PCRE2_SPTR)s.t.value, s.t.value_len, 0,
                              PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH |
                                  PCRE2_SUBSTITUTE_UNSET_EMPTY,
                              IMPL(c)->md, IMPL(c)->mc, (PCRE2_SPTR)pr, k, (PCRE2_UCHAR *)buf,
                              &outlen);
    if (rc >= 0) {
      like(out, &s, buf, outlen);
      return TRINE_OK;
    }
    if (rx_over_limit(rc)) return rx_limit(c, "REPLACE", r, s.t.value_len);
    if (rc != PCRE2_ERROR_NOMEMORY) ERR();
    cap = outlen;
  }
  ERR();
}

/* ---- hashes ---- */

static TrineStatus fn_hash(ExprCtx *c, int fn, Val *s, Val *out) {
  if (!ex_is_simple(s)) ERR();
  uint8_t d[64];
  size_t n;
  const uint8_t *m = (const uint8_t *)s->t.value;
  size_t len = s->t.value_len;
  switch (fn) {
  case SPARQL_FN_MD5: {
    struct md5_ctx h;
    md5_init(&h);
    md5_update(&h, len, m);
    md5_digest(&h, n = MD5_DIGEST_SIZE, d);
    break;
  }
  case SPARQL_FN_SHA1: {
    struct sha1_ctx h;
    sha1_init(&h);
    sha1_update(&h, len, m);
    sha1_digest(&h, n = SHA1_DIGEST_SIZE, d);
    break;
  }
  case SPARQL_FN_SHA256: {
    struct sha256_ctx h;
    sha256_init(&h);
    sha256_update(&h, len, m);
    sha256_digest(&h, n = SHA256_DIGEST_SIZE, d);
    break;
  }
  case SPARQL_FN_SHA384: {
    struct sha384_ctx h;
    sha384_init(&h);
    sha384_update(&h, len, m);
    sha384_digest(&h, n = SHA384_DIGEST_SIZE, d);
    break;
  }
  default: {
    struct sha512_ctx h;
    sha512_init(&h);
    sha512_update(&h, len, m);
    sha512_digest(&h, n = SHA512_DIGEST_SIZE, d);
    break;
  }
  }
  char *hex = ex_alloc(c, 2 * n + 1);
  if (!hex) return nomem(c);
  static const char hx[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) hex[2 * i] = hx[d[i] >> 4], hex[2 * i + 1] = hx[d[i] & 15];
  hex[2 * n] = 0;
  ex_str(out, hex, 2 * n, NULL, 0);
  return TRINE_OK;
}

/* ---- IRI resolution ---- */

static TrineStatus resolve(ExprCtx *c, const char *ref, size_t n, Val *out) {
  if (!c->base_iri || sparql_iri_is_absolute(ref, n)) {
    ex_iri(out, ref, n);
    return TRINE_OK;
  }
  char *r = sparql_resolve_iri(c->base_iri, ref, n);
  char *d = r ? dup(c, r, strlen(r)) : NULL;
  free(r);
  if (!d) return nomem(c);
  ex_iri(out, d, strlen(d));
  return TRINE_OK;
}

/* ---- BNODE(str) ---- */

static void bn_clear(Impl *im) {
  for (size_t i = 0; i < im->nbn; i++) free(im->bn[i].s);
  im->nbn = 0;
  im->bn_row = NULL;
}

uint64_t expr_solution_begin(ExprCtx *c) {
  Impl *im = IMPL(c);
  uint64_t outer = im->bn_sol;
  if (!outer) bn_clear(im);
  im->bn_sol = ++im->bn_nsol;
  return outer;
}

void expr_solution_end(ExprCtx *c, uint64_t outer) {
  Impl *im = IMPL(c);
  im->bn_sol = outer;
  if (!outer) bn_clear(im);
}

/* Outside a begun solution, a row is one solution: the nodes made for
 * another row (address or bindings) are forgotten. */
static void bn_follow_row(ExprCtx *c, const TrineId *row) {
  Impl *im = IMPL(c);
  size_t nv = c->req ? c->req->nvars : 0;
  uint64_t h = 0x84222325cbf29ce4ull;
  for (size_t i = 0; row && i < nv; i++) h = (h ^ row[i]) * 0x100000001b3ull;
  if (row == im->bn_row && h == im->bn_row_hash) return;
  bn_clear(im);
  im->bn_row = row;
  im->bn_row_hash = h;
}

static TrineStatus bn_add(ExprCtx *c, const char *s, size_t n, TrineId *id) {
  Impl *im = IMPL(c);
  if (im->nbn == im->capbn) {
    size_t cap = im->capbn ? im->capbn * 2 : 8;
    BnodeEntry *b = realloc(im->bn, cap * sizeof *b);
    if (!b) return nomem(c);
    im->bn = b;
    im->capbn = cap;
  }
  char *copy = malloc(n + 1);
  if (!copy) return nomem(c);
  if (n) memcpy(copy, s, n);
  copy[n] = 0;
  if (!(*id = qdict_new_blank(c->dict))) {
    free(copy);
    return nomem(c);
  }
  im->bn[im->nbn++] = (BnodeEntry){copy, n, im->bn_sol, *id};
  return TRINE_OK;
}

static TrineStatus bnode_for(ExprCtx *c, const TrineId *row, const char *s, size_t n, Val *out) {
  Impl *im = IMPL(c);
  if (!im->bn_sol) bn_follow_row(c, row);
  TrineId id = 0;
  for (size_t i = 0; i < im->nbn && !id; i++) {
    const BnodeEntry *e = &im->bn[i];
    if (e->sol == im->bn_sol && e->n == n && (!n || memcmp(e->s, s, n) == 0)) id = e->id;
  }
  if (!id) TRY(bn_add(c, s, n, &id));
  return ex_from_id(c, out, id);
}

/* ---- dates ---- */

static TrineStatus now(ExprCtx *c, Val *out) {
  if (!c->now) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                     (int)(ts.tv_nsec / 1000000));
    TrineTerm t = {.kind = TRINE_TERM_LITERAL, .value = buf, .value_len = (size_t)n,
                   .datatype = XSD_DATETIME, .datatype_len = strlen(XSD_DATETIME)};
    TRY(qdict_intern(c->dict, &t, &c->now));
  }
  TRY(ex_from_id(c, out, c->now));
  return ex_decode(c, out);
}

static TrineStatus fn_date(ExprCtx *c, int fn, Val *d, Val *out) {
  bool is_dt = d->t.kind == TRINE_TERM_LITERAL && d->valid && d->xt == XT_DATETIME;
  bool is_date = d->t.kind == TRINE_TERM_LITERAL && d->valid && d->xt == XT_DATE;
  if (!is_dt && !(is_date && (fn == SPARQL_FN_YEAR || fn == SPARQL_FN_MONTH ||
                              fn == SPARQL_FN_DAY || fn == SPARQL_FN_TIMEZONE ||
                              fn == SPARQL_FN_TZ)))
    ERR();
  const XsdDateTime *t = &d->v.dt;
  switch (fn) {
  case SPARQL_FN_YEAR: ex_int(out, xsd_dec_from_int(t->year)); break;
  case SPARQL_FN_MONTH: ex_int(out, xsd_dec_from_int(t->month)); break;
  case SPARQL_FN_DAY: ex_int(out, xsd_dec_from_int(t->day)); break;
  case SPARQL_FN_HOURS: ex_int(out, xsd_dec_from_int(t->hour)); break;
  case SPARQL_FN_MINUTES: ex_int(out, xsd_dec_from_int(t->minute)); break;
  case SPARQL_FN_SECONDS: ex_dec(out, t->sec); break;
  case SPARQL_FN_TIMEZONE: {
    if (t->tz == XSD_NO_TZ) ERR();
    char buf[32];
    int a = t->tz < 0 ? -t->tz : t->tz, n = 0;
    if (t->tz < 0) buf[n++] = '-';
    n += sprintf(buf + n, "PT");
    if (a == 0) n += sprintf(buf + n, "0S");
    if (a / 60) n += sprintf(buf + n, "%dH", a / 60);
    if (a % 60) n += sprintf(buf + n, "%dM", a % 60);
    char *s = dup(c, buf, (size_t)n);
    if (!s) return nomem(c);
    ex_typed(out, s, (size_t)n, XSD_DAYTIMEDURATION);
    break;
  }
  default: { /* TZ */
    char buf[16];
    int n = 0;
    if (t->tz == 0) n = sprintf(buf, "Z");
    else if (t->tz != XSD_NO_TZ) {
      int a = t->tz < 0 ? -t->tz : t->tz;
      n = sprintf(buf, "%c%02d:%02d", t->tz < 0 ? '-' : '+', a / 60, a % 60);
    }
    char *s = dup(c, buf, (size_t)n);
    if (!s) return nomem(c);
    ex_str(out, s, (size_t)n, NULL, 0);
    break;
  }
  }
  return TRINE_OK;
}

/* ---- string functions ---- */

/* The C.UTF-8 locale for non-ASCII case mapping, loaded on first use
 * (loading reads locale files: too slow for every query). */
static bool case_locale(ExprCtx *c) {
  Impl *im = IMPL(c);
  if (!im->loc && !im->loc_tried) {
    im->loc_tried = true;
    im->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
  }
  return im->loc != (locale_t)0;
}

/* The full case mapping of cp when it is several code points (sharp s
 * upper-cases to "SS"), else NULL: XPath's fn:upper-case and
 * fn:lower-case use Unicode's full mappings; towupper() knows only the
 * one-to-one ones. */
static const uint32_t *case_special(uint32_t cp, bool upper) {
  const CaseSpecial *t = upper ? case_special_upper : case_special_lower;
  size_t n = upper ? sizeof case_special_upper / sizeof *t
                   : sizeof case_special_lower / sizeof *t;
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t[mid].cp < cp) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && t[lo].cp == cp ? t[lo].to : NULL;
}

static TrineStatus fn_case(ExprCtx *c, bool upper, Val *s, Val *out) {
  if (!ex_is_string(s)) ERR();
  size_t n = s->t.value_len;
  char *o = ex_alloc(c, n * 3 + 4); /* full case mapping grows by at most 3x in UTF-8 */
  if (!o) return nomem(c);
  const unsigned char *p = (const unsigned char *)s->t.value;
  size_t k = 0;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    i = utf8_next(p, n, i, &cp);
    const uint32_t *many = cp < 0x80 ? NULL : case_special(cp, upper);
    if (many) {
      for (int j = 0; j < 3 && many[j]; ++j) k += utf8_encode(many[j], o + k);
      continue;
    }
    if (cp < 0x80) cp = upper ? (uint32_t)(cp >= 'a' && cp <= 'z' ? cp - 32 : cp)
                              : (uint32_t)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    else if (case_locale(c)) {
      locale_t loc = IMPL(c)->loc;
      cp = (uint32_t)(upper ? towupper_l((wint_t)cp, loc) : towlower_l((wint_t)cp, loc));
    }
    k += utf8_encode(cp, o + k);
  }
  o[k] = 0;
  like(out, s, o, k);
  return TRINE_OK;
}

static TrineStatus fn_substr(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out) {
  Val s, a, l;
  TRY(arg(c, e, 0, row, &s));
  TRY(arg(c, e, 1, row, &a));
  if (!ex_is_string(&s) || !ex_is_num(&a)) ERR();
  double start = floor(num_double(&a) + 0.5), len = INFINITY;
  if (e->nargs > 2) {
    TRY(arg(c, e, 2, row, &l));
    if (!ex_is_num(&l)) ERR();
    len = floor(num_double(&l) + 0.5);
  }
  const unsigned char *p = (const unsigned char *)s.t.value;
  size_t n = s.t.value_len, from = n, to = n;
  if (!isnan(start) && !isnan(len)) {
    double end = start + len; /* exclusive */
    size_t pos = 1;
    bool have_from = false;
    for (size_t i = 0;; pos++) {
      bool in = (double)pos >= start && (double)pos < end;
      if (in && !have_from) from = i, have_from = true;
      if (!in && have_from) {
        to = i;
        break;
      }
      if (i >= n) {
        to = n;
        break;
      }
      uint32_t cp;
      i = utf8_next(p, n, i, &cp);
    }
    if (!have_from) from = to = n;
  }
  if (to < from) to = from;
  like(out, &s, s.t.value + from, to - from);
  return TRINE_OK;
}

static TrineStatus fn_encode(ExprCtx *c, Val *s, Val *out) {
  if (!ex_is_string(s)) ERR();
  size_t n = s->t.value_len;
  char *o = ex_alloc(c, 3 * n + 1);
  if (!o) return nomem(c);
  size_t k = 0;
  static const char hx[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s->t.value[i];
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
        ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      o[k++] = (char)ch;
    } else {
      o[k++] = '%';
      o[k++] = hx[ch >> 4];
      o[k++] = hx[ch & 15];
    }
  }
  o[k] = 0;
  ex_str(out, o, k, NULL, 0);
  return TRINE_OK;
}

static TrineStatus fn_concat(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out) {
  Val *vs = e->nargs ? ex_alloc(c, e->nargs * sizeof *vs) : NULL;
  if (e->nargs && !vs) return nomem(c);
  size_t total = 0;
  bool same_lang = true;
  for (size_t i = 0; i < e->nargs; i++) {
    TRY(arg(c, e, i, row, &vs[i]));
    if (!ex_is_string(&vs[i])) ERR();
    total += vs[i].t.value_len;
    if (vs[i].xt != XT_LANG || (i && (vs[0].xt != XT_LANG || vs[i].t.lang_len != vs[0].t.lang_len ||
                                      strncasecmp(vs[i].t.lang, vs[0].t.lang,
                                                  vs[i].t.lang_len) != 0)))
      same_lang = false;
  }
  char *o = ex_alloc(c, total + 1);
  if (!o) return nomem(c);
  size_t k = 0;
  for (size_t i = 0; i < e->nargs; i++) {
    if (vs[i].t.value_len) memcpy(o + k, vs[i].t.value, vs[i].t.value_len);
    k += vs[i].t.value_len;
  }
  o[k] = 0;
  if (same_lang && e->nargs) like(out, &vs[0], o, k);
  else ex_str(out, o, k, NULL, 0);
  return TRINE_OK;
}

static bool lang_matches(const char *tag, size_t tn, const char *range, size_t rn) {
  if (rn == 1 && range[0] == '*') return tn > 0;
  if (rn > tn || strncasecmp(tag, range, rn) != 0) return false;
  return rn == tn || tag[rn] == '-';
}

/* ---- the built-ins ---- */

TrineStatus ex_call(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out) {
  Val a, b;
  int x;
  switch ((SparqlBuiltin)e->fn) {
  case SPARQL_FN_BOUND:
    if (e->nargs != 1 || e->args[0]->kind != SPARQL_EX_VAR) ERR();
    ex_bool(out, row && e->args[0]->var != SPARQL_NO_VAR && row[e->args[0]->var] != 0);
    return TRINE_OK;
  case SPARQL_FN_ISIRI:
  case SPARQL_FN_ISURI:
  case SPARQL_FN_ISBLANK:
  case SPARQL_FN_ISLITERAL:
    TRY(ex_eval(c, e->args[0], row, &a));
    if (ex_is_err(&a)) ERR();
    ex_bool(out, a.t.kind == (e->fn == SPARQL_FN_ISBLANK     ? TRINE_TERM_BLANK
                              : e->fn == SPARQL_FN_ISLITERAL ? TRINE_TERM_LITERAL
                                                             : TRINE_TERM_IRI));
    return TRINE_OK;
  case SPARQL_FN_ISNUMERIC:
    TRY(ex_eval(c, e->args[0], row, &a));
    if (ex_is_err(&a)) ERR();
    TRY(ex_decode(c, &a));
    ex_bool(out, ex_is_num(&a));
    return TRINE_OK;
  case SPARQL_FN_SAMETERM:
    TRY(ex_eval(c, e->args[0], row, &a));
    TRY(ex_eval(c, e->args[1], row, &b));
    if (ex_is_err(&a) || ex_is_err(&b)) ERR();
    if (a.id && b.id) return ex_bool(out, a.id == b.id), TRINE_OK;
    {
      TrineId ia, ib;
      TRY(ex_intern(c, &a, &ia));
      TRY(ex_intern(c, &b, &ib));
      ex_bool(out, ia && ia == ib);
    }
    return TRINE_OK;
  case SPARQL_FN_STR:
    TRY(arg(c, e, 0, row, &a));
    if (ex_is_err(&a) || a.t.kind == TRINE_TERM_BLANK) ERR();
    ex_str(out, a.t.value, a.t.value_len, NULL, 0);
    return TRINE_OK;
  case SPARQL_FN_LANG:
    TRY(arg(c, e, 0, row, &a));
    if (a.t.kind != TRINE_TERM_LITERAL) ERR();
    if (a.xt == XT_LANG) ex_str(out, a.t.lang, a.t.lang_len, NULL, 0);
    else ex_str(out, "", 0, NULL, 0);
    return TRINE_OK;
  case SPARQL_FN_DATATYPE:
    TRY(arg(c, e, 0, row, &a));
    if (a.t.kind != TRINE_TERM_LITERAL) ERR();
    if (a.xt == XT_LANG) ex_iri(out, RDF_LANGSTRING, RDF_LANGSTRING_LEN);
    else if (a.xt == XT_STRING) ex_iri(out, XSD_STRING, XSD_STRING_LEN);
    else ex_iri(out, a.t.datatype, a.t.datatype_len);
    return TRINE_OK;
  case SPARQL_FN_LANGMATCHES:
    TRY(arg(c, e, 0, row, &a));
    TRY(arg(c, e, 1, row, &b));
    if (!ex_is_simple(&a) || !ex_is_simple(&b)) ERR();
    ex_bool(out, lang_matches(a.t.value, a.t.value_len, b.t.value, b.t.value_len));
    return TRINE_OK;
  case SPARQL_FN_IRI:
  case SPARQL_FN_URI:
    TRY(arg(c, e, 0, row, &a));
    if (a.t.kind == TRINE_TERM_IRI) return *out = a, TRINE_OK;
    if (!ex_is_simple(&a)) ERR();
    return resolve(c, a.t.value, a.t.value_len, out);
  case SPARQL_FN_BNODE:
    if (e->nargs == 0) {
      TrineId id = qdict_new_blank(c->dict);
      if (!id) return nomem(c);
      return ex_from_id(c, out, id);
    }
    TRY(arg(c, e, 0, row, &a));
    if (!ex_is_simple(&a)) ERR();
    return bnode_for(c, row, a.t.value, a.t.value_len, out);
  case SPARQL_FN_RAND:
    ex_dbl(out, (double)(rnd(c) >> 11) * 0x1.0p-53, XT_DOUBLE);
    return TRINE_OK;
  case SPARQL_FN_ABS:
  case SPARQL_FN_CEIL:
  case SPARQL_FN_FLOOR:
  case SPARQL_FN_ROUND:
    TRY(arg(c, e, 0, row, &a));
    if (!ex_is_num(&a)) ERR();
    if (a.xt <= XT_DECIMAL) {
      Dec d = a.v.d;
      switch (e->fn) {
      case SPARQL_FN_ABS: if (d.m < 0) d.m = -d.m; break;
      case SPARQL_FN_CEIL: d = xsd_dec_ceil(d); break;
      case SPARQL_FN_FLOOR: d = xsd_dec_floor(d); break;
      default: d = xsd_dec_round(d); break;
      }
      if (a.xt == XT_INTEGER) ex_int(out, d);
      else ex_dec(out, d);
    } else {
      double f = a.v.f;
      switch (e->fn) {
      case SPARQL_FN_ABS: f = fabs(f); break;
      case SPARQL_FN_CEIL: f = ceil(f); break;
      case SPARQL_FN_FLOOR: f = floor(f); break;
      default: f = isfinite(f) ? copysign(floor(f + 0.5), f) : f; break;
      }
      ex_dbl(out, f, a.xt);
    }
    return TRINE_OK;
  case SPARQL_FN_CONCAT: return fn_concat(c, e, row, out);
  case SPARQL_FN_SUBSTR: return fn_substr(c, e, row, out);
  case SPARQL_FN_STRLEN:
    TRY(arg(c, e, 0, row, &a));
    if (!ex_is_string(&a)) ERR();
    ex_int(out, xsd_dec_from_int((int64_t)utf8_count(a.t.value, a.t.value_len)));
    return TRINE_OK;
  case SPARQL_FN_REPLACE: return fn_replace(c, e, row, out);
  case SPARQL_FN_REGEX: return fn_regex(c, e, row, out);
  case SPARQL_FN_UCASE:
  case SPARQL_FN_LCASE:
    TRY(arg(c, e, 0, row, &a));
    return fn_case(c, e->fn == SPARQL_FN_UCASE, &a, out);
  case SPARQL_FN_ENCODE_FOR_URI:
    TRY(arg(c, e, 0, row, &a));
    return fn_encode(c, &a, out);
  case SPARQL_FN_CONTAINS:
  case SPARQL_FN_STRSTARTS:
  case SPARQL_FN_STRENDS:
  case SPARQL_FN_STRBEFORE:
  case SPARQL_FN_STRAFTER: {
    TRY(arg(c, e, 0, row, &a));
    TRY(arg(c, e, 1, row, &b));
    if (!compatible(&a, &b)) ERR();
    const char *s = a.t.value, *t = b.t.value;
    size_t n = a.t.value_len, m = b.t.value_len;
    switch (e->fn) {
    case SPARQL_FN_CONTAINS: ex_bool(out, memmem_(s, n, t, m) != NULL); break;
    case SPARQL_FN_STRSTARTS: ex_bool(out, m <= n && (!m || memcmp(s, t, m) == 0)); break;
    case SPARQL_FN_STRENDS: ex_bool(out, m <= n && (!m || memcmp(s + n - m, t, m) == 0)); break;
    default: {
      const char *hit = memmem_(s, n, t, m);
      if (!hit) ex_str(out, "", 0, NULL, 0);
      else if (e->fn == SPARQL_FN_STRBEFORE) like(out, &a, s, (size_t)(hit - s));
      else like(out, &a, hit + m, n - (size_t)(hit - s) - m);
      break;
    }
    }
    return TRINE_OK;
  }
  case SPARQL_FN_YEAR:
  case SPARQL_FN_MONTH:
  case SPARQL_FN_DAY:
  case SPARQL_FN_HOURS:
  case SPARQL_FN_MINUTES:
  case SPARQL_FN_SECONDS:
  case SPARQL_FN_TIMEZONE:
  case SPARQL_FN_TZ:
    TRY(arg(c, e, 0, row, &a));
    return fn_date(c, e->fn, &a, out);
  case SPARQL_FN_NOW: return now(c, out);
  case SPARQL_FN_UUID:
  case SPARQL_FN_STRUUID: {
    char *s = ex_alloc(c, 48);
    if (!s) return nomem(c);
    if (e->fn == SPARQL_FN_UUID) {
      memcpy(s, "urn:uuid:", 9);
      uuid(c, s + 9);
      ex_iri(out, s, strlen(s));
    } else {
      uuid(c, s);
      ex_str(out, s, strlen(s), NULL, 0);
    }
    return TRINE_OK;
  }
  case SPARQL_FN_MD5:
  case SPARQL_FN_SHA1:
  case SPARQL_FN_SHA256:
  case SPARQL_FN_SHA384:
  case SPARQL_FN_SHA512:
    TRY(arg(c, e, 0, row, &a));
    return fn_hash(c, e->fn, &a, out);
  case SPARQL_FN_COALESCE:
    for (size_t i = 0; i < e->nargs; i++) {
      TRY(ex_eval(c, e->args[i], row, out));
      if (!ex_is_err(out)) return TRINE_OK;
    }
    ERR();
  case SPARQL_FN_IF:
    TRY(ex_ebv(c, e->args[0], row, &x));
    if (x < 0) ERR();
    return ex_eval(c, e->args[x ? 1 : 2], row, out);
  case SPARQL_FN_STRLANG:
    TRY(arg(c, e, 0, row, &a));
    TRY(arg(c, e, 1, row, &b));
    if (!ex_is_simple(&a) || !ex_is_simple(&b) || !b.t.value_len) ERR();
    ex_str(out, a.t.value, a.t.value_len, b.t.value, b.t.value_len);
    return TRINE_OK;
  case SPARQL_FN_STRDT: {
    TRY(arg(c, e, 0, row, &a));
    TRY(arg(c, e, 1, row, &b));
    if (!ex_is_simple(&a) || b.t.kind != TRINE_TERM_IRI) ERR();
    char *dt = dup(c, b.t.value, b.t.value_len);
    if (!dt) return nomem(c);
    ex_typed(out, a.t.value, a.t.value_len, dt);
    return TRINE_OK;
  }
  case SPARQL_FN_COUNT_: break;
  }
  ERR();
}

/* ---- casts (17.5) ---- */

TrineStatus ex_cast(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out) {
  const TrineTerm *f = &e->term;
  size_t ns = sizeof(XSD_NS) - 1;
  if (e->nargs != 1 || f->kind != TRINE_TERM_IRI || f->value_len <= ns ||
      memcmp(f->value, XSD_NS, ns) != 0)
    ERR();
  XsdType target = xsd_type_of(f->value, f->value_len);
  if (target == XT_OTHER || target == XT_LANG || target == XT_DATE) ERR();
  Val a;
  TRY(arg(c, e, 0, row, &a));
  if (ex_is_err(&a) || a.t.kind == TRINE_TERM_BLANK) ERR();
  if (a.t.kind == TRINE_TERM_IRI) {
    if (target != XT_STRING) ERR();
    ex_str(out, a.t.value, a.t.value_len, NULL, 0);
    return TRINE_OK;
  }
  if (a.xt == XT_LANG || (a.xt != XT_STRING && !a.valid)) ERR();
  const char *s = a.t.value;
  size_t n = a.t.value_len;
  bool from_str = a.xt == XT_STRING;
  /* XSD whitespace facet: collapse for non-string targets */
  if (from_str && target != XT_STRING) {
    while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')) s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) n--;
  }
  char buf[XSD_BUF];
  switch (target) {
  case XT_STRING: {
    size_t k;
    switch (a.xt) {
    case XT_INTEGER: k = xsd_format_integer(a.v.d, buf); break;
    case XT_DECIMAL: k = xsd_string_decimal(a.v.d, buf); break;
    case XT_FLOAT: k = xsd_string_double(a.v.f, true, buf); break;
    case XT_DOUBLE: k = xsd_string_double(a.v.f, false, buf); break;
    case XT_BOOLEAN: k = (size_t)sprintf(buf, a.v.b ? "true" : "false"); break;
    default: ex_str(out, a.t.value, a.t.value_len, NULL, 0); return TRINE_OK;
    }
    char *d = dup(c, buf, k);
    if (!d) return nomem(c);
    ex_str(out, d, k, NULL, 0);
    return TRINE_OK;
  }
  case XT_INTEGER: {
    Dec d;
    if (from_str) {
      if (!xsd_parse_integer(s, n, f->value, f->value_len, &d)) ERR();
    } else if (a.xt == XT_INTEGER || a.xt == XT_DECIMAL) {
      d = xsd_dec_trunc(a.v.d);
    } else if (a.xt == XT_FLOAT || a.xt == XT_DOUBLE) {
      if (!xsd_dec_from_double(trunc(a.v.f), &d)) ERR();
      d = xsd_dec_trunc(d);
    } else if (a.xt == XT_BOOLEAN) {
      d = xsd_dec_from_int(a.v.b);
    } else {
      ERR();
    }
    if (!from_str) {
      /* range of a derived type */
      size_t k = xsd_format_integer(d, buf);
      if (!xsd_parse_integer(buf, k, f->value, f->value_len, &d)) ERR();
    }
    ex_int(out, d);
    if (f->value_len != strlen(XSD_INTEGER)) {
      char *dt = dup(c, f->value, f->value_len);
      if (!dt) return nomem(c);
      out->t.datatype = dt;
      out->t.datatype_len = f->value_len;
    }
    return TRINE_OK;
  }
  case XT_DECIMAL: {
    Dec d;
    if (from_str) {
      if (!xsd_parse_decimal(s, n, &d)) ERR();
    } else if (a.xt == XT_INTEGER || a.xt == XT_DECIMAL) {
      d = a.v.d;
    } else if (a.xt == XT_FLOAT || a.xt == XT_DOUBLE) {
      if (!xsd_dec_from_double(a.v.f, &d)) ERR();
    } else if (a.xt == XT_BOOLEAN) {
      d = xsd_dec_from_int(a.v.b);
    } else {
      ERR();
    }
    ex_dec(out, d);
    return TRINE_OK;
  }
  case XT_FLOAT:
  case XT_DOUBLE: {
    double d;
    if (from_str) {
      if (!xsd_parse_double(s, n, &d)) ERR();
    } else if (xt_numeric(a.xt)) {
      d = num_double(&a);
    } else if (a.xt == XT_BOOLEAN) {
      d = a.v.b;
    } else {
      ERR();
    }
    ex_dbl(out, d, target);
    return TRINE_OK;
  }
  case XT_BOOLEAN: {
    bool b;
    if (from_str) {
      if (!xsd_parse_boolean(s, n, &b)) ERR();
    } else if (xt_numeric(a.xt)) {
      double d = num_double(&a);
      b = !(d == 0 || isnan(d));
      if (a.xt <= XT_DECIMAL) b = a.v.d.m != 0;
    } else if (a.xt == XT_BOOLEAN) {
      b = a.v.b;
    } else {
      ERR();
    }
    ex_bool(out, b);
    return TRINE_OK;
  }
  case XT_DATETIME: {
    XsdDateTime t;
    if (from_str) {
      if (!xsd_parse_datetime(s, n, &t)) ERR();
      char *d = dup(c, s, n);
      if (!d) return nomem(c);
      ex_typed(out, d, n, XSD_DATETIME);
      return TRINE_OK;
    }
    if (a.xt != XT_DATETIME) ERR();
    *out = a;
    return TRINE_OK;
  }
  default: ERR();
  }
}
