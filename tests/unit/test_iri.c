/* test_iri.c -- unit tests of IRI resolution (engine/rdf/iri.c): the RFC
 * 3986 section 5.4 examples, and the IRIs handed back as they are
 * (iri_is_final) without the full resolution. */
#include "iri.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define BASE "http://a/b/c/d;p?q"

static void resolves(const char *base, const char *ref, const char *want) {
  size_t bl = strlen(base), rl = strlen(ref);
  char *buf = malloc(iri_resolve_room(bl, rl));
  assert_non_null(buf);
  size_t n = iri_resolve(base, bl, ref, rl, buf);
  assert_string_equal(buf, want);
  assert_int_equal(n, strlen(want));
  free(buf);
}

static void test_iri_rfc3986_examples(void **state) {
  (void)state;
  resolves(BASE, "g:h", "g:h");
  resolves(BASE, "g", "http://a/b/c/g");
  resolves(BASE, "./g", "http://a/b/c/g");
  resolves(BASE, "../../g", "http://a/g");
  resolves(BASE, "?y", "http://a/b/c/d;p?y");
  resolves(BASE, "#s", "http://a/b/c/d;p?q#s");
  resolves(BASE, "", "http://a/b/c/d;p?q");
  resolves(BASE, "/./g", "http://a/g");
  resolves(BASE, "g.", "http://a/b/c/g.");
  resolves(BASE, "..g", "http://a/b/c/..g");
}

static void test_iri_final(void **state) {
  (void)state;
  static const char *const final[] = {
    "http://db.uwaterloo.ca/~galuc/wsdbm/User3243", "urn:a.b", "g:h",
    "http://a/b?x=.", "https://ex.org/a..b"};
  for (size_t i = 0; i < sizeof final / sizeof *final; i++) {
    assert_true(iri_is_final(final[i], strlen(final[i])));
    resolves(BASE, final[i], final[i]); /* any base: itself */
    resolves("", final[i], final[i]);
  }
  static const char *const not_final[] = {
    "g", "./g", "http://a/./g", "http://a/b/../g", "http://a/b/.", "urn:.x",
    "http://a/b?x=/."};
  for (size_t i = 0; i < sizeof not_final / sizeof *not_final; i++)
    assert_false(iri_is_final(not_final[i], strlen(not_final[i])));
  /* absolute ones that are not final still lose their dot segments */
  resolves("", "http://a/./g", "http://a/g");
  resolves(BASE, "http://a/b/../g", "http://a/g");
  resolves("", "http://a/b?x=/.", "http://a/b?x=/.");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_iri_rfc3986_examples),
      cmocka_unit_test(test_iri_final),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
