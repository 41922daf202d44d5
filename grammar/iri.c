/* iri.c -- relative IRI resolution (RFC 3986 section 5.2). */
#include "internal.h"

#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  const char *s;
  size_t n;
  bool set;
} Part;

typedef struct {
  Part scheme, auth, path, query, frag;
} Ref;

static bool scheme_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  return !first && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.');
}

bool sparql_iri_is_absolute(const char *iri, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (iri[i] == ':') return i > 0;
    if (!scheme_char(iri[i], i == 0)) return false;
  }
  return false;
}

static Ref split(const char *s, size_t n) {
  Ref r;
  memset(&r, 0, sizeof r);
  size_t i = 0;
  if (sparql_iri_is_absolute(s, n)) {
    while (s[i] != ':') i++;
    r.scheme = (Part){s, i, true};
    i++;
  }
  if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
    size_t b = i + 2;
    i = b;
    while (i < n && s[i] != '/' && s[i] != '?' && s[i] != '#') i++;
    r.auth = (Part){s + b, i - b, true};
  }
  size_t b = i;
  while (i < n && s[i] != '?' && s[i] != '#') i++;
  r.path = (Part){s + b, i - b, true};
  if (i < n && s[i] == '?') {
    b = ++i;
    while (i < n && s[i] != '#') i++;
    r.query = (Part){s + b, i - b, true};
  }
  if (i < n && s[i] == '#') r.frag = (Part){s + i + 1, n - i - 1, true};
  return r;
}

/* remove_dot_segments, in place on a NUL-terminated buffer. */
static size_t remove_dots(char *in, size_t n, char *out) {
  size_t o = 0, i = 0;
  while (i < n) {
    if (!strncmp(in + i, "../", 3)) i += 3;
    else if (!strncmp(in + i, "./", 2)) i += 2;
    else if (!strncmp(in + i, "/./", 3)) i += 2;
    else if (n - i == 2 && !strncmp(in + i, "/.", 2)) { in[i + 1] = '/'; i += 1; }
    else if (!strncmp(in + i, "/../", 4) || (n - i == 3 && !strncmp(in + i, "/..", 3))) {
      if (n - i == 3) { in[i + 2] = '/'; i += 2; } else i += 3;
      while (o > 0 && out[o - 1] != '/') o--;
      if (o > 0) o--;
    } else if ((n - i == 1 && in[i] == '.') || (n - i == 2 && !strncmp(in + i, "..", 2))) {
      i = n;
    } else {
      if (in[i] == '/') out[o++] = in[i++];
      while (i < n && in[i] != '/') out[o++] = in[i++];
    }
  }
  out[o] = 0;
  return o;
}

static void put(char **o, const char *s, size_t n) {
  memcpy(*o, s, n);
  *o += n;
}

char *sparql_iri_resolve(SparqlArena *a, const char *base, const char *ref,
                         size_t ref_len) {
  /* Without a base, an absolute reference still resolves (5.2.2 removes
   * its dot segments): the same IRI whether the request has a base or not.
   * A relative one cannot, and stays as written. */
  if (!base && !sparql_iri_is_absolute(ref, ref_len)) return sparql_arena_strndup(a, ref, ref_len);
  if (!base) base = "";
  size_t base_len = strlen(base);
  Ref b = split(base, base_len), r = split(ref, ref_len), t;
  memset(&t, 0, sizeof t);
  char *merged = sparql_arena_alloc(a, base_len + ref_len + 2);
  if (r.scheme.set) {
    t = r;
  } else {
    t.scheme = b.scheme;
    if (r.auth.set) {
      t.auth = r.auth;
      t.path = r.path;
      t.query = r.query;
    } else {
      t.auth = b.auth;
      if (!r.path.n) {
        t.path = b.path;
        t.query = r.query.set ? r.query : b.query;
      } else {
        if (r.path.s[0] == '/') {
          t.path = r.path;
        } else {
          /* merge: base path up to its last '/', then the reference */
          size_t k = 0, m = 0;
          if (b.auth.set && !b.path.n) merged[k++] = '/';
          else {
            for (size_t i = 0; i < b.path.n; i++)
              if (b.path.s[i] == '/') m = i + 1;
            memcpy(merged, b.path.s, m);
            k = m;
          }
          memcpy(merged + k, r.path.s, r.path.n);
          k += r.path.n;
          merged[k] = 0;
          t.path = (Part){merged, k, true};
        }
        t.query = r.query;
      }
    }
  }
  t.frag = r.frag;
  /* normalise the path */
  char *pin = sparql_arena_strndup(a, t.path.s, t.path.n);
  char *pout = sparql_arena_alloc(a, t.path.n + 2);
  size_t pn = remove_dots(pin, t.path.n, pout);

  char *res = sparql_arena_alloc(a, t.scheme.n + t.auth.n + pn + t.query.n + t.frag.n + 8);
  char *o = res;
  if (t.scheme.set) { put(&o, t.scheme.s, t.scheme.n); *o++ = ':'; }
  if (t.auth.set) { put(&o, "//", 2); put(&o, t.auth.s, t.auth.n); }
  put(&o, pout, pn);
  if (t.query.set) { *o++ = '?'; put(&o, t.query.s, t.query.n); }
  if (t.frag.set) { *o++ = '#'; put(&o, t.frag.s, t.frag.n); }
  *o = 0;
  return res;
}

char *sparql_resolve_iri(const char *base, const char *ref, size_t ref_len) {
  SparqlArena *volatile a = calloc(1, sizeof *a); /* volatile: kept across longjmp */
  if (!a) return NULL;
  jmp_buf jb;
  a->oom = &jb;
  char *volatile out = NULL;
  if (!setjmp(jb)) {
    const char *r = sparql_iri_resolve(a, base, ref, ref_len);
    if ((out = malloc(strlen(r) + 1))) strcpy(out, r);
  }
  sparql_arena_destroy(a);
  return out;
}
