/*
 * xregex.h -- the regular expressions of SPARQL's REGEX and REPLACE (XPath
 * F&O 3.1 section 5.6 over XML Schema Part 2 Appendix F) translated into
 * PCRE2 patterns, or the reason they are invalid.
 *
 * Positions in errors count characters (code points) from 1 in the text as
 * given: the pattern, the flags or the replacement.
 */
#ifndef TRINE_XREGEX_H
#define TRINE_XREGEX_H

#include "trine.h"

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>
#include <stdbool.h>
#include <stddef.h>

/// The flags of F&O 3.1 section 5.6.2, as a mask.
enum { XREGEX_S = 1, XREGEX_M = 2, XREGEX_I = 4, XREGEX_X = 8, XREGEX_Q = 16 };

/// Why a pattern, flags or replacement is invalid.
typedef struct {
  size_t pos;    ///< character of the offending construct, from 1 (0: none)
  char msg[256]; ///< "CONSTRUCT" at character N: what is wrong
} XRegexError;

/// A translated pattern.
typedef struct {
  char *pattern;     ///< PCRE2 pattern, NUL-terminated (malloc)
  size_t len;
  uint32_t options;  ///< options for pcre2_compile
  unsigned ngroups;  ///< capturing sub-expressions (their numbers are XPath's)
} XRegex;

/// Flags string -> mask. TRINE_ERR_SYNTAX for a letter that is no flag.
TrineStatus xregex_flags(const char *flags, size_t n, unsigned *mask, XRegexError *err);

/// Pattern (UTF-8) and flag mask -> PCRE2 pattern and options.
/// @return TRINE_OK, TRINE_ERR_SYNTAX (invalid: see err) or TRINE_ERR_NOMEM.
TrineStatus xregex_translate(const char *pat, size_t n, unsigned flags, XRegex *out,
                             XRegexError *err);

void xregex_free(XRegex *x);

/// pcre2_compile of a translation. TRINE_ERR_UNSUPPORTED when PCRE2 refuses
/// it (a limit of PCRE2's, such as its nesting depth), TRINE_ERR_NOMEM.
TrineStatus xregex_compile(const XRegex *x, pcre2_code **code, XRegexError *err);

/**
 * fn:replace's replacement string -> a pcre2_substitute replacement (no
 * PCRE2_SUBSTITUTE_EXTENDED): $N and \$ \\ per F&O 3.1 fn:replace, or the
 * string as is under flag q. out has room for 2 * n + 1 bytes.
 * @return TRINE_OK or TRINE_ERR_SYNTAX (err set).
 */
TrineStatus xregex_replacement(const char *rep, size_t n, unsigned ngroups, unsigned flags,
                               char *out, size_t *outlen, XRegexError *err);

#endif
