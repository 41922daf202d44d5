/* iri.c -- IRI references resolved against a base (RFC 3986 section 5.2). */
#include "iri.h"

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

bool iri_is_absolute(const char *s, size_t n) {
  /* Most IRIs are http: or https:, known at once (a Turtle load asks for
   * every IRI it reads). */
  if (n >= 6 && !memcmp(s, "http", 4) && (s[4] == ':' || (s[4] == 's' && s[5] == ':')))
    return true;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ':') return i > 0;
    if (!scheme_char(s[i], i == 0)) return false;
  }
  return false;
}

bool iri_is_final(const char *s, size_t n) {
  if (!iri_is_absolute(s, n)) return false;
  const char *p = memchr(s, ':', n) + 1, *end = s + n;
  if (p < end && *p == '.') return false;
  /* Dots are few in an IRI and a '/' before one fewer still. */
  while ((p = memchr(p, '.', (size_t)(end - p))))
    if (p[-1] == '/') return false;
    else p++;
  return true;
}

/* Section 3: scheme, authority, path, query, fragment. */
static Ref split(const char *s, size_t n) {
  Ref r;
  memset(&r, 0, sizeof r);
  size_t i = 0;
  if (iri_is_absolute(s, n)) {
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

/* remove_dot_segments (5.2.4): in (changed) to out. */
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

/* The target path (5.2.2) into path: the base's merged with the ref's. */
static size_t target_path(const Ref *b, const Ref *r, Ref *t, char *path) {
  size_t k = 0;
  if (r->scheme.set || r->auth.set || (r->path.n && r->path.s[0] == '/')) {
    put(&path, r->path.s, r->path.n);
    return r->path.n;
  }
  if (!r->path.n) {
    t->query = r->query.set ? r->query : b->query;
    put(&path, b->path.s, b->path.n);
    return b->path.n;
  }
  /* merge (5.2.3): the base path up to its last '/', then the reference */
  if (b->auth.set && !b->path.n) {
    path[k++] = '/';
  } else {
    for (size_t i = 0; i < b->path.n; i++)
      if (b->path.s[i] == '/') k = i + 1;
    memcpy(path, b->path.s, k);
  }
  memcpy(path + k, r->path.s, r->path.n);
  return k + r->path.n;
}

size_t iri_resolve(const char *base, size_t base_len, const char *ref, size_t ref_len,
                   char *buf) {
  if (iri_is_final(ref, ref_len)) { /* most are: what follows would copy it */
    memcpy(buf, ref, ref_len);
    buf[ref_len] = '\0';
    return ref_len;
  }
  size_t room = base_len + ref_len + 8;
  char *path = buf + room, *clean = buf + 2 * room;
  Ref b = split(base, base_len), r = split(ref, ref_len), t;
  memset(&t, 0, sizeof t);
  t.scheme = r.scheme.set ? r.scheme : b.scheme;
  t.auth = r.scheme.set || r.auth.set ? r.auth : b.auth;
  t.query = r.query;
  t.frag = r.frag;
  size_t n = target_path(&b, &r, &t, path);
  path[n] = '\0'; /* remove_dots looks a few bytes ahead */
  size_t pn = remove_dots(path, n, clean);
  char *o = buf;
  if (t.scheme.set) { put(&o, t.scheme.s, t.scheme.n); *o++ = ':'; }
  if (t.auth.set) { put(&o, "//", 2); put(&o, t.auth.s, t.auth.n); }
  put(&o, clean, pn);
  if (t.query.set) { *o++ = '?'; put(&o, t.query.s, t.query.n); }
  if (t.frag.set) { *o++ = '#'; put(&o, t.frag.s, t.frag.n); }
  *o = 0;
  return (size_t)(o - buf);
}
