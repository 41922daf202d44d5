/*
 * xsd.h -- XML Schema values for SPARQL expressions: exact decimals
 * (__int128 with a scale), doubles with their canonical forms, and
 * dateTimes; lexical parsing, formatting, arithmetic and comparison.
 * Private to the engine; no allocation.
 */
#ifndef TRINE_XSD_H
#define TRINE_XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "term.h"

#define XSD_INTEGER XSD_NS "integer"
#define XSD_DECIMAL XSD_NS "decimal"
#define XSD_FLOAT XSD_NS "float"
#define XSD_DOUBLE XSD_NS "double"
#define XSD_BOOLEAN XSD_NS "boolean"
#define XSD_DATETIME XSD_NS "dateTime"
#define XSD_DATE XSD_NS "date"
#define XSD_DAYTIMEDURATION XSD_NS "dayTimeDuration"

/// Value categories of literals (and of the cast target types).
typedef enum {
  XT_OTHER = 0, ///< Unknown datatype, or a known one with an invalid lexical form.
  XT_STRING,    ///< Simple literal or xsd:string.
  XT_LANG,      ///< Language-tagged string.
  XT_INTEGER,   ///< xsd:integer and the derived integer types.
  XT_DECIMAL,
  XT_FLOAT,
  XT_DOUBLE,
  XT_BOOLEAN,
  XT_DATETIME,
  XT_DATE
} XsdType;

static inline bool xt_numeric(XsdType t) { return t >= XT_INTEGER && t <= XT_DOUBLE; }

/// A decimal m / 10^scale (0 <= scale <= 38); integers have scale 0.
typedef struct {
  __int128 m;
  int scale;
} Dec;

#define XSD_NO_TZ INT32_MIN

typedef struct {
  int64_t year;
  int month, day, hour, minute;
  Dec sec;
  int32_t tz; ///< Offset in minutes, or XSD_NO_TZ.
} XsdDateTime;

/// The category a datatype IRI names (NULL/empty: XT_STRING); unknown
/// datatypes give XT_OTHER. Lexical validity is checked by the parsers.
XsdType xsd_type_of(const char *dt, size_t dt_len);

/// Parse an xsd:integer (derived type dt, checking its range when dt is
/// given) / decimal / double lexical form. false when invalid.
bool xsd_parse_integer(const char *s, size_t n, const char *dt, size_t dt_len, Dec *out);
bool xsd_parse_decimal(const char *s, size_t n, Dec *out);
bool xsd_parse_double(const char *s, size_t n, double *out);
bool xsd_parse_boolean(const char *s, size_t n, bool *out);
bool xsd_parse_datetime(const char *s, size_t n, XsdDateTime *out);
bool xsd_parse_date(const char *s, size_t n, XsdDateTime *out);

/* Decimal arithmetic: false on overflow (or division by zero). */
bool xsd_dec_add(Dec a, Dec b, Dec *r);
bool xsd_dec_sub(Dec a, Dec b, Dec *r);
bool xsd_dec_mul(Dec a, Dec b, Dec *r);
bool xsd_dec_div(Dec a, Dec b, Dec *r);
int xsd_dec_cmp(Dec a, Dec b);
Dec xsd_dec_norm(Dec a);
Dec xsd_dec_from_int(int64_t v);
double xsd_dec_to_double(Dec a);
bool xsd_dec_from_double(double d, Dec *out);
/// Round toward -inf (floor), +inf (ceil) or XPath round (half up).
Dec xsd_dec_floor(Dec a);
Dec xsd_dec_ceil(Dec a);
Dec xsd_dec_round(Dec a);
/// Truncate toward zero to an integer.
Dec xsd_dec_trunc(Dec a);

/*
 * Formatting into buf (at least XSD_BUF bytes); return the length.
 */
#define XSD_BUF 96
size_t xsd_format_integer(Dec a, char *buf);          ///< "-12"
size_t xsd_format_decimal(Dec a, char *buf);          ///< "1.0", "-0.5"
size_t xsd_format_double(double d, bool is_float, char *buf); ///< "1.5E0", "INF"
/// XPath casting to xsd:string: decimals without ".0", doubles in plain
/// notation for 1e-6 <= |d| < 1e6.
size_t xsd_string_decimal(Dec a, char *buf);
size_t xsd_string_double(double d, bool is_float, char *buf);
size_t xsd_format_datetime(const XsdDateTime *t, char *buf);

/// Compare instants: -1, 0, 1, or 2 when indeterminate (timezone mix).
int xsd_datetime_cmp(const XsdDateTime *a, const XsdDateTime *b);
/// Total order variant (no timezone treated as Z).
int xsd_datetime_order(const XsdDateTime *a, const XsdDateTime *b);

#endif
