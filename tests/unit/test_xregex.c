/* test_xregex.c -- unit tests of the XPath regular expressions of REGEX and
 * REPLACE (xregex.h): what they match once translated and compiled by
 * PCRE2, what they reject and why, and fn:replace's replacement strings.
 * Most cases are ones where PCRE2's own dialect answers otherwise. */
#include "xregex.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* A copy of s without its NUL, so that ASan sees any read past its end. */
static char *exact(const char *s) {
  size_t n = strlen(s);
  char *c = malloc(n ? n : 1);
  assert_non_null(c);
  memcpy(c, s, n);
  return c;
}

/* xregex_translate of the pattern text pat, held in an exact copy. */
static TrineStatus translate(const char *pat, unsigned flags, XRegex *x, XRegexError *e) {
  char *p = exact(pat);
  TrineStatus st = xregex_translate(p, strlen(pat), flags, x, e);
  free(p);
  return st;
}

static unsigned flags_of(const char *f) {
  unsigned m;
  XRegexError e;
  if (xregex_flags(f, strlen(f), &m, &e) != TRINE_OK) fail_msg("flags \"%s\": %s", f, e.msg);
  return m;
}

static pcre2_code *compile(const XRegex *x) {
  pcre2_code *code;
  XRegexError e;
  if (xregex_compile(x, &code, &e) != TRINE_OK)
    fail_msg("PCRE2 refused the translation %s: %s", x->pattern, e.msg);
  return code;
}

/* fn:matches(subj, pat, flags): 1 or 0, or -1 when pat is invalid (*e). */
static int try_match(const char *pat, const char *flags, const char *subj, XRegexError *e) {
  XRegex x;
  TrineStatus st = translate(pat, flags_of(flags), &x, e);
  if (st == TRINE_ERR_SYNTAX) return -1;
  assert_int_equal(st, TRINE_OK);
  pcre2_code *code = compile(&x);
  xregex_free(&x);
  pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
  assert_non_null(md);
  int rc = pcre2_match(code, (PCRE2_SPTR)subj, strlen(subj), 0, 0, md, NULL);
  pcre2_match_data_free(md);
  pcre2_code_free(code);
  if (rc < 0 && rc != PCRE2_ERROR_NOMATCH) fail_msg("%s: pcre2_match gave %d", pat, rc);
  return rc >= 0;
}

#define MATCHES(subj, pat, flags, want)                                        \
  do {                                                                         \
    XRegexError e_;                                                            \
    int got_ = try_match(pat, flags, subj, &e_);                               \
    if (got_ != (want))                                                        \
      fail_msg("matches(\"%s\", \"%s\", \"%s\"): got %d, want %d %s", subj, pat, \
               flags, got_, want, got_ < 0 ? e_.msg : "");                     \
  } while (0)
#define YES(subj, pat, flags) MATCHES(subj, pat, flags, 1)
#define NO(subj, pat, flags) MATCHES(subj, pat, flags, 0)
#define BAD(pat, flags) MATCHES("", pat, flags, -1)

/* The error of an invalid pattern is at pos and says msg. */
static void rejects(const char *pat, const char *flags, size_t pos, const char *msg) {
  XRegex x;
  XRegexError e;
  if (translate(pat, flags_of(flags), &x, &e) != TRINE_ERR_SYNTAX)
    fail_msg("\"%s\" accepted as %s", pat, x.pattern);
  assert_int_equal(e.pos, pos);
  assert_string_equal(e.msg, msg);
}

/* fn:replace(in, pat, rep, flags), or NULL when the replacement is invalid. */
static char *replace(const char *in, const char *pat, const char *flags, const char *rep) {
  unsigned fl = flags_of(flags);
  XRegex x;
  XRegexError e;
  if (translate(pat, fl, &x, &e)) fail_msg("\"%s\": %s", pat, e.msg);
  pcre2_code *code = compile(&x);
  char *r = malloc(2 * strlen(rep) + 1);
  assert_non_null(r);
  size_t rlen;
  char *out = NULL;
  char *rp = exact(rep);
  TrineStatus st = xregex_replacement(rp, strlen(rep), x.ngroups, fl, r, &rlen, &e);
  free(rp);
  if (st == TRINE_OK) {
    PCRE2_SIZE cap = 4096;
    out = malloc(cap);
    assert_non_null(out);
    int rc = pcre2_substitute(code, (PCRE2_SPTR)in, strlen(in), 0,
                              PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_UNSET_EMPTY, NULL, NULL,
                              (PCRE2_SPTR)r, rlen, (PCRE2_UCHAR *)out, &cap);
    if (rc < 0) fail_msg("%s -> %.*s: pcre2_substitute gave %d", rep, (int)rlen, r, rc);
  }
  free(r);
  xregex_free(&x);
  pcre2_code_free(code);
  return out;
}

#define REPLACES(in, pat, flags, rep, want)                                    \
  do {                                                                         \
    char *got_ = replace(in, pat, flags, rep);                                 \
    if (!got_ || strcmp(got_, want) != 0)                                      \
      fail_msg("replace(\"%s\", \"%s\", \"%s\", \"%s\"): got %s, want %s", in,  \
               pat, rep, flags, got_ ? got_ : "an error", want);               \
    free(got_);                                                                \
  } while (0)

/* Anchors (F&O 3.1 5.6.1, flag m 5.6.2 with erratum E7) ------------------- */

static void test_xregex_dollar_is_the_end(void **state) {
  (void)state;
  NO("a\n", "a$", "");  /* PCRE2's $ also matches before a final newline */
  YES("a", "a$", "");
  NO("a\nb", "^b", "");
  YES("x\nab", "^ab", "m");
  YES("a\nb\n", "^b$", "m");  /* $ before a newline */
  NO("a\n", "a\n$", "m");     /* the end after a final newline ends no line */
  NO("a\n", "\n^", "m");      /* and starts none */
  YES("a\r\nb", "a\r$", "m"); /* newline is U+000A only */
  YES("", "^*$", "");         /* anchors are atoms, so quantifiable */
}

/* The dot, \s, \w, \d (XSD F.1.1; . of 5.6.2 flag s) ----------------------- */

static void test_xregex_dot_excludes_cr_and_nl(void **state) {
  (void)state;
  NO("a\rb", "a.b", "");
  NO("a\nb", "a.b", "");
  YES("a\rb", "a.b", "s");
  YES("a\nb", "a.b", "s");
  YES("a\xe2\x80\xa8" "b", "a.b", ""); /* U+2028 is no newline here */
}

static void test_xregex_space_is_four_characters(void **state) {
  (void)state;
  YES(" \t\n\r", "^\\s+$", "");
  NO("\xc2\xa0", "\\s", ""); /* no-break space */
  NO("\f", "\\s", "");
  NO("\v", "\\s", "");
  YES("\xc2\xa0", "^\\S$", "");
  NO(" ", "\\S", "");
}

static void test_xregex_word_is_xsd_word(void **state) {
  (void)state;
  /* \w: everything but punctuation, separators and "other" */
  YES("$", "^\\w$", "");  /* Sc */
  YES("+", "^\\w$", "");  /* Sm */
  YES("\xc3\xa9", "^\\w$", "");
  YES("\xcc\x81", "^\\w$", ""); /* a combining mark */
  NO("_", "\\w", "");     /* Pc */
  NO("-", "\\w", "");
  NO("\x01", "\\w", "");
  YES("_", "^\\W$", "");
  NO("$", "\\W", "");
  YES("\xd9\xa1", "^\\d$", ""); /* ARABIC-INDIC DIGIT ONE */
  NO("\xc2\xb2", "\\d", "");    /* superscript two is No, not Nd */
  YES("a", "^\\D$", "");
}

/* \i and \c: XML 1.0 fifth edition NameStartChar and NameChar --------------- */

static void test_xregex_name_characters(void **state) {
  (void)state;
  YES("_:A\xc3\xa9", "^\\i+$", "");
  NO("-", "\\i", "");
  NO("1", "\\i", "");
  YES("-.1\xc2\xb7", "^\\c+$", "");
  NO(" ", "\\c", "");
  NO("!", "\\c", "");
  YES("1", "^\\I$", "");
  YES("!", "^\\C$", "");
  NO("a", "\\I", "");
  YES("x-1", "^\\i\\c*$", "");
  YES("b", "^[\\i-[a]]$", "");
  NO("a", "[\\i-[a]]", "");
}

/* Class subtraction (XSD F.1.1 charClassSub) ------------------------------- */

static void test_xregex_class_subtraction(void **state) {
  (void)state;
  YES("b", "^[a-z-[aeiou]]$", "");
  NO("a", "[a-z-[aeiou]]", "");
  NO("]", "[a-z-[aeiou]]", "");
  YES("e", "^[a-z-[aeiou-[e]]]$", ""); /* nested */
  NO("a", "[a-z-[aeiou-[e]]]", "");
  YES("A", "^[^a-z-[0-9]]$", "");      /* a negative group less a class */
  NO("5", "[^a-z-[0-9]]", "");
  NO("b", "[^a-z-[0-9]]", "");
  YES("3", "^[\\d-[5]]$", "");
  NO("5", "[\\d-[5]]", "");
  /* 5.6.2 flag i: [A-Z-[IO]] matches a and b, not I, O, i, o */
  YES("b", "^[A-Z-[IO]]$", "i");
  NO("i", "[A-Z-[IO]]", "i");
  NO("O", "[A-Z-[IO]]", "i");
}

/* \p{..} and \P{..}: categories and blocks --------------------------------- */

static void test_xregex_properties_and_blocks(void **state) {
  (void)state;
  YES("A", "^\\p{Lu}$", "");
  NO("a", "\\p{Lu}", "");
  NO("a", "\\p{Lu}", "i"); /* flag i leaves \p alone (5.6.2) */
  YES("a", "^\\P{Lu}$", "");
  YES("\xc2\xa0", "^\\p{Zs}$", "");
  YES("\xef\xbf\xbf", "^\\p{Cn}$", ""); /* unassigned U+FFFF */
  YES("a~", "^\\p{IsBasicLatin}+$", "");
  NO("\xc3\xa9", "\\p{IsBasicLatin}", "");
  YES("\xc3\xa9", "^\\P{IsBasicLatin}$", "");
  YES("\xc3\xa9", "^\\p{IsLatin-1Supplement}$", "");
  YES("\xce\xb1", "^\\p{IsGreek}$", "");          /* XSD 1.0's name */
  YES("\xce\xb1", "^\\p{IsGreekandCoptic}$", "");
  YES("\xee\x80\x80", "^\\p{IsPrivateUse}$", ""); /* U+E000 */
  YES("a", "^[\\p{IsBasicLatin}-[b-z]]$", "");
  NO("b", "[\\p{IsBasicLatin}-[b-z]]", "");
  /* the Kelvin sign is a case variant of k, but not in Basic Latin */
  YES("\xe2\x84\xaa", "^k$", "i");
  NO("\xe2\x84\xaa", "\\p{IsBasicLatin}", "i");
  NO("\xe2\x84\xaa", "[\\p{IsBasicLatin}x]", "i");
  NO("\xe2\x84\xaa", "[^\\p{IsBasicLatin}\\p{So}\\p{Sm}\\p{Lu}]", "i");
  BAD("\\p{IsNoSuchBlock}", "");
  BAD("\\p{isBasicLatin}", "");
  BAD("\\p{Lx}", "");
  BAD("\\p{L&}", "");
  BAD("\\p{Lu", "");
  BAD("\\pL", "");
}

/* What XPath calls invalid, though PCRE2 would take it --------------------- */

static void test_xregex_rejects_pcre_only_syntax(void **state) {
  (void)state;
  static const char *const bad[] = {
      "\\bx",   "\\B",     "\\A",       "\\z",     "\\Z",     "\\x41",   "\\u0041",
      "\\0",    "\\e",     "\\a",       "\\f",     "\\v",     "\\h",     "\\R",
      "\\X",    "\\N",     "\\K",       "\\Q.\\E", "\\G",     "\\/",     "\\#",
      "(?=a)",  "(?!a)",   "(?<=a)b",   "(?<!a)b", "(?i)a",   "(?<n>a)", "(?P<n>a)",
      "(?#c)",  "(?>a)",   "(?|a)",     "a*+",     "a++",     "a?+",     "a{2}+",
      "a**",    "a{2}{3}", "a{,3}",     "a{2,1}",  "a{x}",    "{",       "}",
      "a{2",    "]",       "a)",        "(a",      "*a",      "[a",      "[]",
      "[^]",    "[--a]",     "[a--]",   "[z-a]",   "[a-\\d]",
      "[[a]]",  "[a[]",    "[a-z-[b]c]", "[-[a]]", "\\1",     "(a\\1)",  "\\2(a)(b)",
      "(a)[\\1]", "[\\b]", "\\",        "a\\",     "[:alpha:]x]", "[[:alpha:]]",
      "a{99999}", "(?",   "(?:",       "a{",      "\\p",     "\\p{",    "[a-",
      "[\\",    "[a-\\",   "[^",        "(",       "x|(",
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) BAD(bad[i], "");
}

static void test_xregex_accepts_xpath_syntax(void **state) {
  (void)state;
  YES("aaa", "^a*?$", "");
  YES("aaa", "^a+?a$", "");
  YES("a", "^a??a$", "");
  YES("aaa", "^a{2,3}?$", "");
  YES("aaa", "^a{2,}$", "");
  YES("", "^a{0}$", "");
  YES("ab", "^(?:a)(b)$", "");
  YES("abab", "^(ab)\\1$", "");
  YES("-a", "^[a-]+$", "");
  YES("-a", "^[-a]+$", "");
  YES("-", "^[\\-a]$", "");
  /* XSD 1.1's hyphens: after a range, or before "]" or "-[", a character */
  YES("-", "^[a-c-e]$", "");
  YES("e", "^[a-c-e]$", "");
  NO("d", "[a-c-e]", "");
  YES("-", "^[a-a-x-x]$", "");
  NO("b", "[a-a-x-x]", "");
  YES("-", "^[\\d-z]$", "");
  YES("-", "^[--]$", "");
  YES("-", "^[a--[b]]$", "");
  YES("^", "^[^^]?\\^$", "");
  YES("$", "^\\$$", "");
  YES("x", "^(|x)$", "");
  YES("", "^()$", "");
  YES("{}|.?*+()[]", "^\\{\\}\\|\\.\\?\\*\\+\\(\\)\\[\\]$", "");
  YES("]", "^[\\]]$", "");
  YES("{", "^[{}()|.?*+$^]$", ""); /* no specials inside [] but \ [ ] */
  YES("a'b'", "('|\").*\\1", "");  /* the spec's example */
  NO("a'b\"", "('|\").*\\1", "");
}

/* Back-references (5.6.1, erratum E24) ------------------------------------ */

static void test_xregex_back_references(void **state) {
  (void)state;
  /* \11 is group 11 once eleven groups precede it, else \1 then 1 */
  YES("abcdefghijkk", "^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)\\11$", "");
  YES("aa0", "^(a)\\10$", "");
  YES("aa1", "^(a)\\11$", "");
  /* case-blind comparison under i: "Mum", "mom", "Dad", "DUD" */
  YES("Mum", "^([md])[aeiou]\\1$", "i");
  YES("DUD", "^([md])[aeiou]\\1$", "i");
  NO("Mum", "^([md])[aeiou]\\1$", "");
  /* an unmatched group's back-reference matches the empty string */
  YES("b", "^(a)?b\\1$", "");
}

/* Flags (5.6.2) ------------------------------------------------------------ */

static void test_xregex_flag_x(void **state) {
  (void)state;
  /* the spec's four examples */
  YES("helloworld", "hello world", "x");
  NO("helloworld", "hello[ ]world", "x");
  YES("hello world", "hello\\ sworld", "x");
  NO("hello world", "hello world", "x");
  /* # is a character, not a comment */
  NO("a", "^a # c$", "x");
  YES("a#c", "^a # c$", "x");
  YES("A", "^\\p{ L u }$", "x");
  YES("aaa", "^a{ 2 , 3 }$", "x");
  YES("a", "^[ a-[ ]]$", "x"); /* kept inside classes, subtracted ones too */
  NO(" ", "[ a-[ ]]", "x");
  YES("abc1234", "ABC 1234", "ix");
}

static void test_xregex_flag_q(void **state) {
  (void)state;
  NO("abcd", ".*", "q");
  YES("a.*c", ".*", "q");
  YES("Mr. B. Obama", "B. OBAMA", "iq");
  YES("a b", "a b", "qx"); /* x has no effect with q */
  YES("a^b", "^", "qm");
  NO("a\nb", "^", "qm");
  NO("abc", "^a", "q");
  YES("(\\[", "(\\[", "q");
  YES("$1", "$1", "q");
}

static void test_xregex_flag_i(void **state) {
  (void)state;
  YES("Kikikerikih", "kiki", "i");
  NO("Kikikerikih", "KIKI", "");
  YES("z", "^[A-Z]$", "i");
  NO("q", "[^Q]", "i"); /* [^Q] matches neither Q nor q */
  YES("\xc3\x89T\xc3\x89", "^\xc3\xa9t\xc3\xa9$", "i");
}

static void test_xregex_flags_string(void **state) {
  (void)state;
  unsigned m;
  XRegexError e;
  assert_int_equal(xregex_flags("smixqqi", 7, &m, &e), TRINE_OK);
  assert_int_equal(m, XREGEX_S | XREGEX_M | XREGEX_I | XREGEX_X | XREGEX_Q);
  assert_int_equal(xregex_flags("", 0, &m, &e), TRINE_OK);
  assert_int_equal(m, 0);
  assert_int_equal(xregex_flags("ig", 2, &m, &e), TRINE_ERR_SYNTAX);
  assert_int_equal(e.pos, 2);
  assert_string_equal(e.msg, "\"g\" at character 2 of the flags: not a flag (XPath has s, m, i, x and q)");
  assert_int_equal(xregex_flags("I", 1, &m, &e), TRINE_ERR_SYNTAX);
}

/* Errors name the construct and its place ---------------------------------- */

static void test_xregex_error_messages(void **state) {
  (void)state;
  rejects("ab\\bc", "", 3, "\"\\b\" at character 3 of the pattern: not an escape of XPath regular expressions");
  rejects("\xc3\xa9\\b", "", 2, "\"\\b\" at character 2 of the pattern: not an escape of XPath regular expressions");
  rejects(" a \\b", "x", 4, "\"\\b\" at character 4 of the pattern: not an escape of XPath regular expressions");
  rejects("x(?=a)", "", 2,
          "\"(?=\" at character 2 of the pattern: XPath has no (? constructs but (?: "
          "(no lookaround, options, names or comments)");
  rejects("a*+", "", 3, "\"+\" at character 3 of the pattern: a quantifier must follow something it repeats");
  rejects("[a--]", "", 2,
          "\"a--\" at character 2 of the pattern: an unescaped hyphen cannot end a range (write \\-)");
  rejects("x[ab", "", 2, "\"[ab\" at character 2 of the pattern: has no closing ]");
  rejects("(a\\1)", "", 3, "\"\\1\" at character 3 of the pattern: refers to a group that is not closed before it");
  rejects("\\p{IsKlingon}", "", 1, "\"\\p{IsKlingon}\" at character 1 of the pattern: no Unicode block has this name");
  rejects("[z-a]", "", 2, "\"z-a\" at character 2 of the pattern: the range runs backwards");
  rejects("a)", "", 2, "\")\" at character 2 of the pattern: has no opening (");
  rejects("(a", "", 1, "\"(\" at character 1 of the pattern: has no closing )");
  rejects("\xff", "", 1, "character 1 of the pattern: the pattern is not valid UTF-8");
}

/* fn:replace's replacement ------------------------------------------------- */

static void test_xregex_replacement(void **state) {
  (void)state;
  REPLACES("abracadabra", "bra", "", "*", "a*cada*");
  REPLACES("abracadabra", "a.*?a", "", "*", "*c*bra");
  REPLACES("abcd", "(ab)|(a)", "", "[1=$1][2=$2]", "[1=ab][2=]cd");
  REPLACES("abc", "(b)", "", "[$0]", "a[b]c");
  /* $N takes all its digits, less the last while N > groups and N > 9 */
  REPLACES("abcde", "(a)(b)(c)(d)(e)", "", "$23", "b3");
  REPLACES("abc", "(b)", "", "$12", "ab2c");
  REPLACES("abc", "(b)", "", "[$5]", "a[]c"); /* groups < N <= 9: empty */
  REPLACES("abc", "(b)", "", "$01", "abc");
  REPLACES("abcdefghijk", "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)", "", "$11$10", "kj");
  REPLACES("abc", "(?:b)", "", "[$1]", "a[]c"); /* (?: counts no group */
  REPLACES("abc", "b", "", "\\$\\\\", "a$\\c");
  /* flag q: the replacement as is */
  REPLACES("a/b/c", "/", "q", "$", "a$b$c");
  REPLACES("a\\b\\c", "\\", "q", "\\\\", "a\\\\b\\\\c");
  assert_null(replace("abc", "b", "", "$"));
  assert_null(replace("abc", "b", "", "$x"));
  assert_null(replace("abc", "b", "", "\\n"));
  assert_null(replace("abc", "b", "", "x\\"));
  char out[8];
  size_t n;
  XRegexError e;
  assert_int_equal(xregex_replacement("ab$c", 4, 0, 0, out, &n, &e), TRINE_ERR_SYNTAX);
  assert_int_equal(e.pos, 3);
  assert_string_equal(e.msg, "\"$\" at character 3 of the replacement: a dollar must be followed by a digit (write \\$)");
}

/* What PCRE2 is handed: explicit, so nothing of its dialect leaks. */
static void test_xregex_translation(void **state) {
  (void)state;
  XRegex x;
  XRegexError e;
  assert_int_equal(xregex_translate("^a.$", 4, 0, &x, &e), TRINE_OK);
  assert_string_equal(x.pattern, "(?:\\A)a[^\\n\\r](?:\\z)");
  assert_int_equal(x.options, PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_UNSET_BACKREF);
  assert_int_equal(x.ngroups, 0);
  xregex_free(&x);
  assert_int_equal(xregex_translate("(a)(?:b)([c-d-[d]])", 19, XREGEX_I, &x, &e), TRINE_OK);
  assert_string_equal(x.pattern, "(a)(?:b)((?:(?![\\x{64}])[\\x{63}-\\x{64}]))");
  assert_int_equal(x.options, PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_UNSET_BACKREF | PCRE2_CASELESS);
  assert_int_equal(x.ngroups, 2);
  xregex_free(&x);
  assert_int_equal(xregex_translate("a.b", 3, XREGEX_Q | XREGEX_X, &x, &e), TRINE_OK);
  assert_string_equal(x.pattern, "a\\x{2E}b");
  xregex_free(&x);
}

/* Every pattern the translator accepts, PCRE2 compiles: random patterns
 * from XPath's syntax characters and escapes, under every flag (seeded, so
 * reproducible). Invalid ones must be refused with a position. */
static void test_xregex_accepted_patterns_compile(void **state) {
  (void)state;
  static const char *const atoms[] = {
      "a", "b", "(", ")", "(?:", "[", "]", "^", "-", "\\", "|", "?", "*", "+", "{", "}",
      ",", "2", "1", ".", "$", " ", "\\s", "\\W", "\\i", "\\C", "\\d", "\\p{L}",
      "\\P{IsBasicLatin}", "\\1", "\\-", "\\[", "-[", "[^", "\xc3\xa9", "K", "\\n",
  };
  const size_t natoms = sizeof atoms / sizeof *atoms;
  unsigned long seed = 12345;
  int accepted = 0, refused = 0;
  for (int round = 0; round < 20000; round++) {
    char pat[128] = "";
    size_t len = 0, parts = 1 + round % 9;
    for (size_t k = 0; k < parts; k++) {
      seed = seed * 6364136223846793005ul + 1442695040888963407ul;
      const char *a = atoms[(seed >> 33) % natoms];
      memcpy(pat + len, a, strlen(a) + 1);
      len += strlen(a);
    }
    unsigned flags = (unsigned)(seed >> 20) % 32;
    XRegex x;
    XRegexError e;
    TrineStatus st = translate(pat, flags, &x, &e);
    if (st == TRINE_ERR_SYNTAX) {
      if (e.pos < 1 || e.pos > len + 1 || !e.msg[0]) fail_msg("\"%s\": error at %zu", pat, e.pos);
      refused++;
      continue;
    }
    assert_int_equal(st, TRINE_OK);
    pcre2_code *code;
    if (xregex_compile(&x, &code, &e) != TRINE_OK)
      fail_msg("\"%s\" (flags %u) -> %s: %s", pat, flags, x.pattern, e.msg);
    pcre2_code_free(code);
    xregex_free(&x);
    accepted++;
  }
  /* both outcomes are well exercised */
  assert_true(accepted > 2000);
  assert_true(refused > 2000);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_xregex_dollar_is_the_end),
      cmocka_unit_test(test_xregex_dot_excludes_cr_and_nl),
      cmocka_unit_test(test_xregex_space_is_four_characters),
      cmocka_unit_test(test_xregex_word_is_xsd_word),
      cmocka_unit_test(test_xregex_name_characters),
      cmocka_unit_test(test_xregex_class_subtraction),
      cmocka_unit_test(test_xregex_properties_and_blocks),
      cmocka_unit_test(test_xregex_rejects_pcre_only_syntax),
      cmocka_unit_test(test_xregex_accepts_xpath_syntax),
      cmocka_unit_test(test_xregex_back_references),
      cmocka_unit_test(test_xregex_flag_x),
      cmocka_unit_test(test_xregex_flag_q),
      cmocka_unit_test(test_xregex_flag_i),
      cmocka_unit_test(test_xregex_flags_string),
      cmocka_unit_test(test_xregex_error_messages),
      cmocka_unit_test(test_xregex_replacement),
      cmocka_unit_test(test_xregex_translation),
      cmocka_unit_test(test_xregex_accepted_patterns_compile),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
