/*
 * xsd.c -- XML Schema values (see xsd.h).
 */
#include "xsd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SCALE 38

static const __int128 P10[39] = {
    (__int128)1LL,
    (__int128)10LL,
    (__int128)100LL,
    (__int128)1000LL,
    (__int128)10000LL,
    (__int128)100000LL,
    (__int128)1000000LL,
    (__int128)10000000LL,
    (__int128)100000000LL,
    (__int128)1000000000LL,
    (__int128)10000000000LL,
    (__int128)100000000000LL,
    (__int128)1000000000000LL,
    (__int128)10000000000000LL,
    (__int128)100000000000000LL,
    (__int128)1000000000000000LL,
    (__int128)10000000000000000LL,
    (__int128)100000000000000000LL,
    (__int128)1000000000000000000LL,
    (__int128)1000000000000000000LL * (__int128)10LL,
    (__int128)1000000000000000000LL * (__int128)100LL,
    (__int128)1000000000000000000LL * (__int128)1000LL,
    (__int128)1000000000000000000LL * (__int128)10000LL,
    (__int128)1000000000000000000LL * (__int128)100000LL,
    (__int128)1000000000000000000LL * (__int128)1000000LL,
    (__int128)1000000000000000000LL * (__int128)10000000LL,
    (__int128)1000000000000000000LL * (__int128)100000000LL,
    (__int128)1000000000000000000LL * (__int128)1000000000LL,
    (__int128)1000000000000000000LL * (__int128)10000000000LL,
    (__int128)1000000000000000000LL * (__int128)100000000000LL,
    (__int128)1000000000000000000LL * (__int128)1000000000000LL,
    (__int128)1000000000000000000LL * (__int128)10000000000000LL,
    (__int128)1000000000000000000LL * (__int128)100000000000000LL,
    (__int128)1000000000000000000LL * (__int128)1000000000000000LL,
    (__int128)1000000000000000000LL * (__int128)10000000000000000LL,
    (__int128)1000000000000000000LL * (__int128)100000000000000000LL,
    (__int128)1000000000000000000LL * (__int128)1000000000000000000LL,
    (__int128)1000000000000000000LL * (__int128)1000000000000000000LL * (__int128)10LL,
    (__int128)1000000000000000000LL * (__int128)1000000000000000000LL * (__int128)100LL,
};

static inline __int128 p10(int n) { return P10[n]; }

/* ---- datatypes ---- */

typedef struct {
  const char *name;
  XsdType type;
} DtName;

static const DtName DTS[] = {
    {"integer", XT_INTEGER},
    {"decimal", XT_DECIMAL},
    {"float", XT_FLOAT},
    {"double", XT_DOUBLE},
    {"boolean", XT_BOOLEAN},
    {"dateTime", XT_DATETIME},
    {"date", XT_DATE},
    {"string", XT_STRING},
    {"nonPositiveInteger", XT_INTEGER},
    {"negativeInteger", XT_INTEGER},
    {"long", XT_INTEGER},
    {"int", XT_INTEGER},
    {"short", XT_INTEGER},
    {"byte", XT_INTEGER},
    {"nonNegativeInteger", XT_INTEGER},
    {"unsignedLong", XT_INTEGER},
    {"unsignedInt", XT_INTEGER},
    {"unsignedShort", XT_INTEGER},
    {"unsignedByte", XT_INTEGER},
    {"positiveInteger", XT_INTEGER},
};

#define NS_LEN (sizeof(XSD_NS) - 1)

XsdType xsd_type_of(const char *dt, size_t n) {
  if (!dt || !n) return XT_STRING;
  if (n <= NS_LEN || memcmp(dt, XSD_NS, NS_LEN) != 0) {
    if (n == RDF_LANGSTRING_LEN && memcmp(dt, RDF_LANGSTRING, n) == 0) return XT_LANG;
    return XT_OTHER;
  }
  const char *l = dt + NS_LEN;
  size_t ln = n - NS_LEN;
  for (size_t i = 0; i < sizeof DTS / sizeof *DTS; i++)
    if (strlen(DTS[i].name) == ln && memcmp(DTS[i].name, l, ln) == 0) return DTS[i].type;
  return XT_OTHER;
}

/* ---- parsing ---- */

static bool isdig(char c) { return c >= '0' && c <= '9'; }

/* Digits of an optionally signed decimal: [+-]? d* (. d*)? with at least one
 * digit; allow_point false for integers. */
static bool parse_dec(const char *s, size_t n, bool allow_point, Dec *out) {
  size_t i = 0;
  bool neg = false;
  if (i < n && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  size_t int_start = i;
  while (i < n && isdig(s[i])) i++;
  size_t int_end = i, fr_start = i, fr_end = i;
  if (i < n && s[i] == '.') {
    if (!allow_point) return false;
    fr_start = ++i;
    while (i < n && isdig(s[i])) i++;
    fr_end = i;
  }
  if (i != n || (int_end == int_start && fr_end == fr_start)) return false;
  while (fr_end > fr_start && s[fr_end - 1] == '0') fr_end--;
  while (int_start < int_end && s[int_start] == '0') int_start++;
  if ((int_end - int_start) + (fr_end - fr_start) > MAX_SCALE) return false;
  __int128 m = 0;
  for (size_t k = int_start; k < int_end; k++) m = m * 10 + (s[k] - '0');
  for (size_t k = fr_start; k < fr_end; k++) m = m * 10 + (s[k] - '0');
  out->m = neg ? -m : m;
  out->scale = (int)(fr_end - fr_start);
  return true;
}

bool xsd_parse_decimal(const char *s, size_t n, Dec *out) { return parse_dec(s, n, true, out); }

typedef struct {
  const char *name;
  bool has_min, has_max;
  int64_t min;
  uint64_t max;
} IntRange;

static const IntRange RANGES[] = {
    {"nonPositiveInteger", false, true, 0, 0},
    {"negativeInteger", false, true, 0, 0}, /* max -1: special-cased */
    {"long", true, true, INT64_MIN, INT64_MAX},
    {"int", true, true, INT32_MIN, INT32_MAX},
    {"short", true, true, INT16_MIN, INT16_MAX},
    {"byte", true, true, INT8_MIN, INT8_MAX},
    {"nonNegativeInteger", true, false, 0, 0},
    {"unsignedLong", true, true, 0, UINT64_MAX},
    {"unsignedInt", true, true, 0, UINT32_MAX},
    {"unsignedShort", true, true, 0, UINT16_MAX},
    {"unsignedByte", true, true, 0, UINT8_MAX},
    {"positiveInteger", true, false, 1, 0},
};

bool xsd_parse_integer(const char *s, size_t n, const char *dt, size_t dt_len, Dec *out) {
  if (!parse_dec(s, n, false, out)) return false;
  if (!dt || dt_len <= NS_LEN) return true;
  const char *l = dt + NS_LEN;
  size_t ln = dt_len - NS_LEN;
  for (size_t i = 0; i < sizeof RANGES / sizeof *RANGES; i++) {
    const IntRange *r = &RANGES[i];
    if (strlen(r->name) != ln || memcmp(r->name, l, ln) != 0) continue;
    if (i == 1) return out->m <= -1;
    if (r->has_min && out->m < (__int128)r->min) return false;
    if (r->has_max && out->m > (__int128)r->max) return false;
    return true;
  }
  return true;
}

bool xsd_parse_double(const char *s, size_t n, double *out) {
  if (n == 3 && memcmp(s, "INF", 3) == 0) return *out = INFINITY, true;
  if (n == 4 && memcmp(s, "+INF", 4) == 0) return *out = INFINITY, true;
  if (n == 4 && memcmp(s, "-INF", 4) == 0) return *out = -INFINITY, true;
  if (n == 3 && memcmp(s, "NaN", 3) == 0) return *out = NAN, true;
  size_t i = 0, digits = 0;
  if (i < n && (s[i] == '+' || s[i] == '-')) i++;
  while (i < n && isdig(s[i])) i++, digits++;
  if (i < n && s[i] == '.') {
    i++;
    while (i < n && isdig(s[i])) i++, digits++;
  }
  if (!digits) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    size_t e = 0;
    while (i < n && isdig(s[i])) i++, e++;
    if (!e) return false;
  }
  if (i != n) return false;
  char tmp[128];
  char *heap = NULL, *p = tmp;
  if (n >= sizeof tmp) {
    if (!(heap = malloc(n + 1))) return false;
    p = heap;
  }
  memcpy(p, s, n);
  p[n] = 0;
  *out = strtod(p, NULL);
  free(heap);
  return true;
}

bool xsd_parse_boolean(const char *s, size_t n, bool *out) {
  if ((n == 4 && memcmp(s, "true", 4) == 0) || (n == 1 && s[0] == '1')) return *out = true, true;
  if ((n == 5 && memcmp(s, "false", 5) == 0) || (n == 1 && s[0] == '0')) return *out = false, true;
  return false;
}

static bool num2(const char *s, int *v) {
  if (!isdig(s[0]) || !isdig(s[1])) return false;
  *v = (s[0] - '0') * 10 + (s[1] - '0');
  return true;
}

static bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int mdays(int64_t y, int m) {
  static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : d[m - 1];
}

/* "-?YYYY-MM-DD" at s; returns chars used or 0. */
static size_t parse_ymd(const char *s, size_t n, XsdDateTime *t) {
  size_t i = 0;
  bool neg = false;
  if (i < n && s[i] == '-') neg = true, i++;
  size_t ys = i;
  int64_t y = 0;
  while (i < n && isdig(s[i])) {
    if (i - ys > 12) return 0;
    y = y * 10 + (s[i++] - '0');
  }
  if (i - ys < 4 || (i - ys > 4 && s[ys] == '0')) return 0;
  if (i + 6 > n || s[i] != '-' || !num2(s + i + 1, &t->month) || s[i + 3] != '-' ||
      !num2(s + i + 4, &t->day))
    return 0;
  t->year = neg ? -y : y;
  if (t->month < 1 || t->month > 12 || t->day < 1 || t->day > mdays(t->year, t->month))
    return 0;
  return i + 6;
}

/* Timezone at s[0..n): "", "Z" or "[+-]hh:mm". */
static bool parse_tz(const char *s, size_t n, int32_t *tz) {
  if (n == 0) return *tz = XSD_NO_TZ, true;
  if (n == 1 && s[0] == 'Z') return *tz = 0, true;
  int h, m;
  if (n != 6 || (s[0] != '+' && s[0] != '-') || !num2(s + 1, &h) || s[3] != ':' ||
      !num2(s + 4, &m) || m > 59 || h > 14 || (h == 14 && m))
    return false;
  *tz = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
  return true;
}

bool xsd_parse_date(const char *s, size_t n, XsdDateTime *t) {
  memset(t, 0, sizeof *t);
  size_t i = parse_ymd(s, n, t);
  return i && parse_tz(s + i, n - i, &t->tz);
}

bool xsd_parse_datetime(const char *s, size_t n, XsdDateTime *t) {
  memset(t, 0, sizeof *t);
  size_t i = parse_ymd(s, n, t);
  if (!i || i + 9 > n || s[i] != 'T' || !num2(s + i + 1, &t->hour) || s[i + 3] != ':' ||
      !num2(s + i + 4, &t->minute) || s[i + 6] != ':' || !isdig(s[i + 7]) || !isdig(s[i + 8]))
    return false;
  i += 7;
  size_t j = i + 2;
  if (j < n && s[j] == '.') {
    j++;
    size_t f = j;
    while (j < n && isdig(s[j])) j++;
    if (j == f) return false;
  }
  if (!parse_dec(s + i, j - i, true, &t->sec)) return false;
  if (t->hour > 24 || t->minute > 59 || xsd_dec_cmp(t->sec, xsd_dec_from_int(60)) >= 0) return false;
  if (t->hour == 24 && (t->minute || t->sec.m)) return false;
  return parse_tz(s + j, n - j, &t->tz);
}

/* ---- decimal arithmetic ---- */

Dec xsd_dec_from_int(int64_t v) { return (Dec){v, 0}; }

Dec xsd_dec_norm(Dec a) {
  while (a.scale > 0 && a.m % 10 == 0) a.m /= 10, a.scale--;
  if (a.m == 0) a.scale = 0;
  return a;
}

static bool upscale(Dec *a, int scale) {
  if (scale > MAX_SCALE) return false;
  if (__builtin_mul_overflow(a->m, p10(scale - a->scale), &a->m)) return false;
  a->scale = scale;
  return true;
}

static bool align(Dec *a, Dec *b) {
  if (a->scale < b->scale) return upscale(a, b->scale);
  if (b->scale < a->scale) return upscale(b, a->scale);
  return true;
}

bool xsd_dec_add(Dec a, Dec b, Dec *r) {
  if (!align(&a, &b)) return false;
  r->scale = a.scale;
  if (__builtin_add_overflow(a.m, b.m, &r->m)) return false;
  *r = xsd_dec_norm(*r);
  return true;
}

bool xsd_dec_sub(Dec a, Dec b, Dec *r) {
  if (!align(&a, &b)) return false;
  r->scale = a.scale;
  if (__builtin_sub_overflow(a.m, b.m, &r->m)) return false;
  *r = xsd_dec_norm(*r);
  return true;
}

bool xsd_dec_mul(Dec a, Dec b, Dec *r) {
  a = xsd_dec_norm(a);
  b = xsd_dec_norm(b);
  if (__builtin_mul_overflow(a.m, b.m, &r->m)) return false;
  r->scale = a.scale + b.scale;
  while (r->scale > MAX_SCALE) r->m /= 10, r->scale--;
  *r = xsd_dec_norm(*r);
  return true;
}

bool xsd_dec_div(Dec a, Dec b, Dec *r) {
  a = xsd_dec_norm(a);
  b = xsd_dec_norm(b);
  if (b.m == 0) return false;
  /* result scale = a.scale + k - b.scale; aim for 24 fraction digits */
  int k = 24 + b.scale - a.scale;
  if (k < 0) k = 0;
  __int128 num = a.m;
  int used = 0;
  while (used < k) {
    __int128 t;
    if (__builtin_mul_overflow(num, (__int128)10, &t)) break;
    num = t;
    used++;
  }
  int scale = a.scale + used - b.scale;
  __int128 q = num / b.m;
  while (scale < 0) {
    if (__builtin_mul_overflow(q, (__int128)10, &q)) return false;
    scale++;
  }
  while (scale > MAX_SCALE) q /= 10, scale--;
  *r = xsd_dec_norm((Dec){q, scale});
  return true;
}

int xsd_dec_cmp(Dec a, Dec b) {
  if (!align(&a, &b)) {
    /* overflow aligning: compare as doubles (only for huge values) */
    double x = xsd_dec_to_double(a), y = xsd_dec_to_double(b);
    return x < y ? -1 : x > y;
  }
  return a.m < b.m ? -1 : a.m > b.m;
}

double xsd_dec_to_double(Dec a) {
  char buf[XSD_BUF];
  size_t n = xsd_format_decimal(a, buf);
  buf[n] = 0;
  return strtod(buf, NULL);
}

bool xsd_dec_from_double(double d, Dec *out) {
  if (!isfinite(d)) return false;
  char buf[64];
  snprintf(buf, sizeof buf, "%.17g", d);
  /* shortest form that reads back */
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, d);
    if (strtod(buf, NULL) == d) break;
  }
  /* buf: [-]d.ddde[+-]xx */
  char *e = strchr(buf, 'e');
  int exp = atoi(e + 1);
  *e = 0;
  bool neg = buf[0] == '-';
  __int128 m = 0;
  int digits = 0;
  for (char *p = buf + neg; *p; p++)
    if (isdig(*p)) m = m * 10 + (*p - '0'), digits++;
  /* value = m * 10^(exp - (digits - 1)) */
  int shift = exp - (digits - 1);
  int scale = 0;
  if (shift >= 0) {
    if (shift > MAX_SCALE) return false;
    if (__builtin_mul_overflow(m, p10(shift), &m)) return false;
  } else {
    scale = -shift;
    while (scale > MAX_SCALE) m /= 10, scale--;
  }
  *out = xsd_dec_norm((Dec){neg ? -m : m, scale});
  return true;
}

Dec xsd_dec_trunc(Dec a) {
  if (a.scale == 0) return a;
  return (Dec){a.m / p10(a.scale), 0};
}

Dec xsd_dec_floor(Dec a) {
  Dec t = xsd_dec_trunc(a);
  if (a.scale && a.m < 0 && t.m * p10(a.scale) != a.m) t.m -= 1;
  return t;
}

Dec xsd_dec_ceil(Dec a) {
  Dec t = xsd_dec_trunc(a);
  if (a.scale && a.m > 0 && t.m * p10(a.scale) != a.m) t.m += 1;
  return t;
}

Dec xsd_dec_round(Dec a) {
  if (a.scale == 0) return a;
  Dec half = {5, 1}, s;
  if (!xsd_dec_add(a, half, &s)) return xsd_dec_trunc(a);
  return xsd_dec_floor(s);
}

/* ---- formatting ---- */

static size_t u128_digits(unsigned __int128 v, char *buf) {
  char tmp[48];
  size_t n = 0;
  do tmp[n++] = (char)('0' + (int)(v % 10)), v /= 10;
  while (v);
  for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  return n;
}

static unsigned __int128 uabs(__int128 v) {
  return v < 0 ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
}

size_t xsd_format_integer(Dec a, char *buf) {
  a = xsd_dec_trunc(a);
  size_t n = 0;
  if (a.m < 0) buf[n++] = '-';
  n += u128_digits(uabs(a.m), buf + n);
  buf[n] = 0;
  return n;
}

static size_t format_dec(Dec a, char *buf, bool point_zero) {
  a = xsd_dec_norm(a);
  char d[48];
  size_t nd = u128_digits(uabs(a.m), d), n = 0;
  if (a.m < 0) buf[n++] = '-';
  if ((int)nd <= a.scale) {
    buf[n++] = '0';
    buf[n++] = '.';
    for (int i = 0; i < a.scale - (int)nd; i++) buf[n++] = '0';
    memcpy(buf + n, d, nd);
    n += nd;
  } else {
    size_t ip = nd - (size_t)a.scale;
    memcpy(buf + n, d, ip);
    n += ip;
    if (a.scale) {
      buf[n++] = '.';
      memcpy(buf + n, d + ip, (size_t)a.scale);
      n += (size_t)a.scale;
    } else if (point_zero) {
      buf[n++] = '.';
      buf[n++] = '0';
    }
  }
  buf[n] = 0;
  return n;
}

size_t xsd_format_decimal(Dec a, char *buf) { return format_dec(a, buf, true); }
size_t xsd_string_decimal(Dec a, char *buf) { return format_dec(a, buf, false); }

/* Shortest digits of d (finite, nonzero magnitude): digits[], count, exp10 of
 * the first digit. */
static int shortest(double d, bool is_float, char *digits, int *exp10) {
  char buf[64];
  int maxp = is_float ? 9 : 17;
  for (int p = 1; p <= maxp; p++) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, d);
    if (is_float ? (float)strtod(buf, NULL) == (float)d : strtod(buf, NULL) == d) break;
  }
  char *e = strchr(buf, 'e');
  *exp10 = atoi(e + 1);
  int n = 0;
  for (char *p = buf; p < e; p++)
    if (isdig(*p)) digits[n++] = *p;
  while (n > 1 && digits[n - 1] == '0') n--;
  return n;
}

static size_t special(double d, char *buf) {
  if (isnan(d)) return (size_t)sprintf(buf, "NaN");
  if (isinf(d)) return (size_t)sprintf(buf, d < 0 ? "-INF" : "INF");
  return 0;
}

size_t xsd_format_double(double d, bool is_float, char *buf) {
  size_t n = special(d, buf);
  if (n) return n;
  if (d == 0) return (size_t)sprintf(buf, signbit(d) ? "-0.0E0" : "0.0E0");
  char dg[32];
  int e, nd = shortest(fabs(d), is_float, dg, &e);
  if (d < 0) buf[n++] = '-';
  buf[n++] = dg[0];
  buf[n++] = '.';
  if (nd == 1) buf[n++] = '0';
  for (int i = 1; i < nd; i++) buf[n++] = dg[i];
  n += (size_t)sprintf(buf + n, "E%d", e);
  return n;
}

size_t xsd_string_double(double d, bool is_float, char *buf) {
  size_t n = special(d, buf);
  if (n) return n;
  if (d == 0) return (size_t)sprintf(buf, signbit(d) ? "-0" : "0");
  double a = fabs(d);
  if (a < 1e-6 || a >= 1e6) return xsd_format_double(d, is_float, buf);
  char dg[32];
  int e, nd = shortest(a, is_float, dg, &e);
  if (d < 0) buf[n++] = '-';
  if (e < 0) {
    buf[n++] = '0';
    buf[n++] = '.';
    for (int i = 0; i < -e - 1; i++) buf[n++] = '0';
    for (int i = 0; i < nd; i++) buf[n++] = dg[i];
  } else {
    for (int i = 0; i <= e; i++) buf[n++] = i < nd ? dg[i] : '0';
    if (nd > e + 1) {
      buf[n++] = '.';
      for (int i = e + 1; i < nd; i++) buf[n++] = dg[i];
    }
  }
  buf[n] = 0;
  return n;
}

size_t xsd_format_datetime(const XsdDateTime *t, char *buf) {
  size_t n = 0;
  if (t->year < 0) buf[n++] = '-';
  n += (size_t)sprintf(buf + n, "%04lld-%02d-%02dT%02d:%02d:",
                       (long long)(t->year < 0 ? -t->year : t->year), t->month, t->day,
                       t->hour, t->minute);
  Dec s = xsd_dec_norm(t->sec);
  if (xsd_dec_cmp(s, xsd_dec_from_int(10)) < 0) buf[n++] = '0';
  n += xsd_string_decimal(s, buf + n);
  if (t->tz == 0) {
    buf[n++] = 'Z';
  } else if (t->tz != XSD_NO_TZ) {
    int a = t->tz < 0 ? -t->tz : t->tz;
    n += (size_t)sprintf(buf + n, "%c%02d:%02d", t->tz < 0 ? '-' : '+', a / 60, a % 60);
  }
  buf[n] = 0;
  return n;
}

/* ---- dateTime comparison ---- */

static int64_t days_from_civil(int64_t y, int m, int d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

/* Seconds since the epoch as a decimal, taking tz (minutes) as given. */
static Dec instant(const XsdDateTime *t, int32_t tz) {
  int64_t secs = days_from_civil(t->year, t->month, t->day) * 86400 + t->hour * 3600 +
                 t->minute * 60 - (int64_t)tz * 60;
  Dec r;
  if (!xsd_dec_add(xsd_dec_from_int(secs), t->sec, &r)) r = xsd_dec_from_int(secs);
  return r;
}

int xsd_datetime_cmp(const XsdDateTime *a, const XsdDateTime *b) {
  bool za = a->tz != XSD_NO_TZ, zb = b->tz != XSD_NO_TZ;
  if (za == zb) return xsd_dec_cmp(instant(a, za ? a->tz : 0), instant(b, zb ? b->tz : 0));
  /* one without timezone: it may be anywhere in -14:00..+14:00 */
  const XsdDateTime *x = za ? b : a; /* the one without */
  const XsdDateTime *y = za ? a : b;
  Dec lo = instant(x, 14 * 60), hi = instant(x, -14 * 60), v = instant(y, y->tz);
  int r;
  if (xsd_dec_cmp(hi, v) < 0) r = -1;      /* x < y */
  else if (xsd_dec_cmp(lo, v) > 0) r = 1;  /* x > y */
  else return 2;
  return za ? -r : r;
}

int xsd_datetime_order(const XsdDateTime *a, const XsdDateTime *b) {
  int c = xsd_dec_cmp(instant(a, a->tz == XSD_NO_TZ ? 0 : a->tz),
                  instant(b, b->tz == XSD_NO_TZ ? 0 : b->tz));
  if (c) return c;
  return (a->tz == XSD_NO_TZ) - (b->tz == XSD_NO_TZ);
}
