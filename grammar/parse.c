/* parse.c -- sparql_parse(): the arena, the maps, positions and errors. */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* ---- arena ---- */

#include <stdatomic.h>

struct Chunk {
  struct Chunk *next;
  size_t cap; ///< bytes of data
  max_align_t data[];
};

enum { CHUNK_SIZE = 32 * 1024 };

/* One first-size chunk kept between requests: a small query then costs no
 * malloc or free of 32 KiB (about 2,000 instructions of glibc's each).
 * A global slot, not a thread-local one, so a thread's exit leaks nothing;
 * exchanges make it safe for threads parsing at once. */
static _Atomic(struct Chunk *) spare_chunk;

/* Under AddressSanitizer every chunk is malloc'd and freed, so that a use
 * of a freed request is caught. */
#if defined(__SANITIZE_ADDRESS__)
#define KEEP_SPARE 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define KEEP_SPARE 0
#endif
#endif
#ifndef KEEP_SPARE
#define KEEP_SPARE 1
#endif

static struct Chunk *chunk_new(SparqlArena *a, size_t cap, bool zeroed) {
  struct Chunk *c = NULL;
  if (KEEP_SPARE && cap == CHUNK_SIZE && !zeroed)
    c = atomic_exchange(&spare_chunk, NULL);
  if (!c) c = zeroed ? calloc(1, sizeof *c + cap) : malloc(sizeof *c + cap);
  if (!c) {
    if (a && a->oom) longjmp(*a->oom, 1);
    if (a) abort(); /* only reachable if an allocation escapes sparql_parse */
    return NULL;
  }
  c->cap = cap;
  return c;
}

static void chunk_free(struct Chunk *c) {
  if (KEEP_SPARE && c->cap == CHUNK_SIZE) c = atomic_exchange(&spare_chunk, c);
  free(c);
}

static size_t align_up(size_t size) {
  return (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
}

void *sparql_arena_alloc(SparqlArena *a, size_t size) {
  size = align_up(size);
  if (size == 0) size = sizeof(max_align_t);
  if ((size_t)(a->end - a->cur) < size) {
    /* chunks grow with the request: few mallocs for big queries */
    size_t chunk = a->chunk_size ? a->chunk_size : CHUNK_SIZE;
    size_t cap = size > chunk / 4 ? size : chunk;
    /* A big block is calloc'd (from mmap, already zeroed); a chunk is
     * cleared as it is handed out: a small query uses a few KiB of its
     * first 32 (clearing all of it was a fifth of a small query's
     * instructions). */
    bool big = size > chunk / 4;
    struct Chunk *c = chunk_new(a, cap, big);
    if (big && a->chunks) {
      /* a big block: keep the current chunk for small allocations */
      c->next = a->chunks->next;
      a->chunks->next = c;
      return c->data;
    }
    c->next = a->chunks;
    a->chunks = c;
    if (chunk < 1024 * 1024) a->chunk_size = chunk * 2;
    a->cur = (char *)c->data;
    a->end = a->cur + cap;
  }
  void *r = a->cur;
  a->cur += size;
  return memset(r, 0, size);
}

/* The arena's header lives at the start of its first chunk: one malloc
 * (or none, with the spare chunk) for a small request. */
static SparqlArena *arena_new(void) {
  struct Chunk *c = chunk_new(NULL, CHUNK_SIZE, false);
  if (!c) return NULL;
  c->next = NULL;
  SparqlArena *a = (SparqlArena *)c->data;
  size_t head = align_up(sizeof *a);
  *a = (SparqlArena){.chunks = c,
                     .cur = (char *)c->data + head,
                     .end = (char *)c->data + CHUNK_SIZE,
                     .chunk_size = 2 * CHUNK_SIZE};
  return a;
}

char *sparql_arena_strndup(SparqlArena *a, const char *s, size_t n) {
  char *d = sparql_arena_alloc(a, n + 1);
  if (n) memcpy(d, s, n);
  d[n] = 0;
  return d;
}

void sparql_arena_destroy(SparqlArena *a) {
  if (!a) return;
  /* a is in the last chunk of the list (the first made): read it first */
  for (struct Chunk *c = a->chunks, *next; c; c = next) {
    next = c->next;
    chunk_free(c);
  }
}

/* ---- string map (FNV-1a, open addressing) ---- */

static size_t hash(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return (size_t)h;
}

MapEntry *sparql_map_get(Map *m, const char *key, size_t len) {
  if (!m->cap) return NULL;
  for (size_t i = hash(key, len) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    MapEntry *e = &m->slots[i];
    if (!e->key) return NULL;
    if (e->len == len && !memcmp(e->key, key, len)) return e;
  }
}

/* The slots are in the arena (zeroed by it); the old ones are abandoned. */
static void map_grow(Map *m, SparqlArena *a) {
  size_t cap = m->cap ? m->cap * 2 : 16; /* a request names few variables */
  MapEntry *slots = sparql_arena_alloc(a, cap * sizeof *slots);
  for (size_t i = 0; i < m->cap; i++) {
    MapEntry *e = &m->slots[i];
    if (!e->key) continue;
    size_t j = hash(e->key, e->len) & (cap - 1);
    while (slots[j].key) j = (j + 1) & (cap - 1);
    slots[j] = *e;
  }
  m->slots = slots;
  m->cap = cap;
}

MapEntry *sparql_map_put(Map *m, SparqlArena *a, const char *key, size_t len,
                  bool *fresh) {
  MapEntry *e = sparql_map_get(m, key, len);
  *fresh = !e;
  if (e) return e;
  if ((m->n + 1) * 2 > m->cap) map_grow(m, a);
  size_t i = hash(key, len) & (m->cap - 1);
  while (m->slots[i].key) i = (i + 1) & (m->cap - 1);
  e = &m->slots[i];
  e->key = sparql_arena_strndup(a, key, len);
  e->len = len;
  e->val = e->aux = 0;
  m->n++;
  return e;
}

void sparql_map_clear(Map *m) {
  if (m->n) memset(m->slots, 0, m->cap * sizeof *m->slots);
  m->n = 0;
}

/* ---- variables ---- */

uint32_t sparql_var_intern(Parser *p, const char *name, size_t len) {
  bool fresh;
  MapEntry *e = sparql_map_put(&p->varmap, p->arena, name, len, &fresh);
  if (fresh) {
    SparqlVar v = {e->key, SPARQL_VAR_USER};
    e->val = (uint32_t)p->vars.n;
    VEC_PUSH(p->arena, p->vars, v);
  }
  return e->val;
}

/* Internal variables are named so that the printer's '?' prefix gives the
 * Jena-like spellings ??0, ??P0 and ?.0, which no query can write. */
uint32_t sparql_var_new(Parser *p, SparqlVarKind kind) {
  char buf[32];
  switch (kind) {
  case SPARQL_VAR_BNODE: snprintf(buf, sizeof buf, "?%u", p->nbvars++); break;
  case SPARQL_VAR_PATH: snprintf(buf, sizeof buf, "?P%u", p->npathvars++); break;
  default: snprintf(buf, sizeof buf, ".%u", p->naggvars++); break;
  }
  SparqlVar v = {sparql_arena_strndup(p->arena, buf, strlen(buf)), kind};
  VEC_PUSH(p->arena, p->vars, v);
  return (uint32_t)(p->vars.n - 1);
}

/* ---- errors ---- */

bool sparql_fail(Parser *p, size_t offset, const char *fmt, ...) {
  if (p->failed) return false;
  p->failed = true;
  if (!p->status) p->status = TRINE_ERR_SYNTAX;
  p->err_offset = offset;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(p->errmsg, sizeof p->errmsg, fmt, ap);
  va_end(ap);
  return false;
}

/* Line and column (in characters, counting UTF-8 lead bytes) of offset. */
static void position(const char *text, size_t len, size_t offset,
                     unsigned *line, unsigned *col) {
  unsigned l = 1, c = 1;
  if (offset > len) offset = len;
  for (size_t i = 0; i < offset; i++) {
    unsigned char b = (unsigned char)text[i];
    if (b == '\n') {
      l++;
      c = 1;
    } else if ((b & 0xC0) != 0x80) {
      c++;
    }
  }
  *line = l;
  *col = c;
}

static _Thread_local char errbuf[256];

static TrineStatus report(Parser *p, const char *name, TrineError *err) {
  if (err) {
    memset(err, 0, sizeof *err);
    err->status = p->status ? p->status : TRINE_ERR_SYNTAX;
    err->source = name;
    position(p->text, p->len, p->err_offset, &err->line, &err->col);
    memcpy(errbuf, p->errmsg, sizeof errbuf);
    errbuf[sizeof errbuf - 1] = 0;
    err->message = errbuf;
  }
  return p->status ? p->status : TRINE_ERR_SYNTAX;
}

/* ---- entry point ---- */

/* A misuse of the call, reported like a positionless error. */
static TrineStatus arg_error(TrineError *err, const char *name, const char *msg) {
  if (err) *err = (TrineError){.status = TRINE_ERR_ARG, .source = name, .message = msg};
  return TRINE_ERR_ARG;
}


/* The PREFIX declarations as name, IRI pairs in r, for writers that
 * declare them again (Turtle results): each name once, with the IRI and
 * the place of its last declaration. */
static void declared_prefixes(Parser *p, SparqlRequest *r) {
  size_t n = p->prefix_iris.n, k = 0;
  if (!n) return;
  r->prefixes = sparql_arena_alloc(p->arena, 2 * n * sizeof *r->prefixes);
  for (size_t i = 0; i < n; ++i) {
    const char *name = p->prefix_names.v[i];
    if (sparql_map_get(&p->prefixes, name, strlen(name))->val != i) continue;
    r->prefixes[2 * k] = name;
    r->prefixes[2 * k + 1] = p->prefix_iris.v[i];
    ++k;
  }
  r->nprefixes = k;
}

TrineStatus sparql_parse(const char *name, const char *text, size_t len,
                         const char *base_iri, SparqlRequest **out,
                         TrineError *err) {
  if (out) *out = NULL;
  if (!out || (!text && len)) return arg_error(err, name, "invalid argument");
  if (len > INT32_MAX) return arg_error(err, name, "request too large");
  SparqlArena *arena = arena_new();
  if (!arena) return TRINE_ERR_NOMEM;

  Parser parser = {0}, *p = &parser;
  jmp_buf oom;
  p->arena = arena;
  p->text = text ? text : "";
  p->len = len;
  if (setjmp(oom)) {
    /* malloc failed inside the arena or a map: give up on everything */
    sparql_arena_destroy(arena);
    if (err) {
      memset(err, 0, sizeof *err);
      err->status = TRINE_ERR_NOMEM;
      err->source = name;
      err->message = "out of memory";
    }
    return TRINE_ERR_NOMEM;
  }
  arena->oom = &oom;
  p->req = sparql_arena_alloc(arena, sizeof *p->req);
  p->req->form = SPARQL_UPDATE;
  p->req->arena = arena;
  if (base_iri) p->base = sparql_arena_strndup(arena, base_iri, strlen(base_iri));

  bool ok = sparql_run_parser(p) && sparql_translate(p);
  TrineStatus st = TRINE_OK;
  SparqlRequest *r = p->req;
  if (ok) {
    r->base = p->base;
    declared_prefixes(p, r);
    r->vars = p->vars.v;
    r->nvars = (uint32_t)p->vars.n;
    *out = r;
    arena->oom = NULL;
  } else {
    st = report(p, name, err);
  }
  if (!ok) sparql_arena_destroy(arena);
  return st;
}

void sparql_request_free(SparqlRequest *r) {
  if (r) sparql_arena_destroy(r->arena);
}

void sparql_error_caret(const char *text, size_t len, const TrineError *err,
                        FILE *out) {
  if (!err || !err->line || !text) return;
  size_t i = 0;
  for (unsigned l = 1; l < err->line && i < len; i++)
    if (text[i] == '\n') l++;
  size_t end = i;
  while (end < len && text[end] != '\n' && text[end] != '\r') end++;
  fprintf(out, "  %.*s\n  ", (int)(end - i), text + i);
  /* one space per character before the column; tabs kept for alignment */
  unsigned c = 1;
  for (size_t k = i; k < end && c < err->col; k++) {
    unsigned char b = (unsigned char)text[k];
    if ((b & 0xC0) == 0x80) continue;
    fputc(b == '\t' ? '\t' : ' ', out);
    c++;
  }
  while (c++ < err->col) fputc(' ', out);
  fputs("^\n", out);
}
