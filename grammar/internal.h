/*
 * internal.h -- private to grammar/: the arena, the parser state shared by
 * the scanner, the parser and the translator, and the syntax tree (AST) the
 * parser builds before translation to algebra.
 */
#ifndef TRINE_GRAMMAR_INTERNAL_H
#define TRINE_GRAMMAR_INTERNAL_H

#include "sparql.h"

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/// Height limit for expression and algebra trees (left-deep chains).
#define SPARQL_MAX_TREE 3000

/// Triple patterns and paths of a request's patterns (not of INSERT DATA or
/// templates): the executor orders a group's patterns greedily, a pass over
/// the group per pattern, and each variable widens every row.
#define SPARQL_MAX_PATTERNS 10000

/* ---- arena: every allocation of a request, freed at once ---- */

struct SparqlArena {
  struct Chunk *chunks;
  char *cur, *end;
  size_t chunk_size; ///< size of the next chunk
  jmp_buf *oom; ///< Where to jump when malloc fails (set while parsing).
};

void *sparql_arena_alloc(SparqlArena *a, size_t size);
char *sparql_arena_strndup(SparqlArena *a, const char *s, size_t n);
void sparql_arena_destroy(SparqlArena *a);

/// A growable array in the arena (old storage is abandoned, never freed).
#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_PUSH(arena, vec, x)                                              \
  do {                                                                       \
    if ((vec).n == (vec).cap) {                                              \
      size_t ncap_ = (vec).cap ? (vec).cap * 2 : 8;                          \
      void *nv_ = sparql_arena_alloc((arena), ncap_ * sizeof *(vec).v);             \
      if ((vec).n) memcpy(nv_, (vec).v, (vec).n * sizeof *(vec).v);          \
      (vec).v = nv_;                                                         \
      (vec).cap = ncap_;                                                     \
    }                                                                        \
    (vec).v[(vec).n++] = (x);                                                \
  } while (0)

/* ---- a string -> uint32 hash map (malloc'd, for vars, labels, prefixes) */

typedef struct {
  const char *key; ///< arena string
  size_t len;
  uint32_t val;
  uint32_t aux;
} MapEntry;

typedef struct {
  MapEntry *slots;
  size_t cap, n;
} Map;

MapEntry *sparql_map_get(Map *m, const char *key, size_t len);
/// Find or insert (val/aux zero on insert); *fresh tells which.
MapEntry *sparql_map_put(Map *m, SparqlArena *a, const char *key, size_t len,
                  bool *fresh);
/// Empty the map, keeping its slots (which live in the arena).
void sparql_map_clear(Map *m);

/* ---- syntax tree ---- */

typedef struct Elem Elem;
typedef struct Group Group;
typedef struct Select Select;

/// A triple of the syntax: predicate is a slot or, for paths, path != NULL.
typedef struct ATriple {
  SparqlSlot s, p, o;
  SparqlPath *path;
  size_t offset; ///< where its subject starts
  struct ATriple *next;
} ATriple;

typedef struct {
  ATriple *first, *last;
} TripleList;

/// Quads of templates: each triple with its graph slot.
typedef struct AQuad {
  ATriple *t;
  SparqlSlot g;
  size_t graph_offset;
  struct AQuad *next;
} AQuad;

typedef struct {
  AQuad *first, *last;
} QuadList;

typedef enum {
  E_TRIPLES, E_FILTER, E_BIND, E_OPTIONAL, E_MINUS, E_UNION, E_GROUP,
  E_GRAPH, E_SERVICE, E_VALUES, E_SUBSELECT
} ElemKind;

typedef struct Values {
  VEC(uint32_t) vars;
  VEC(SparqlSlot) cells;
  size_t nrows;
} Values;

typedef struct GroupList {
  Group *g;
  struct GroupList *next;
} GroupList;

struct Elem {
  ElemKind kind;
  size_t offset;
  Elem *next;
  TripleList triples;  ///< E_TRIPLES
  SparqlExpr *expr;    ///< E_FILTER, E_BIND
  uint32_t var;        ///< E_BIND
  size_t var_offset;   ///< E_BIND
  Group *group;        ///< OPTIONAL, MINUS, GROUP, GRAPH, SERVICE
  GroupList *alts;     ///< E_UNION (two or more)
  SparqlSlot target;   ///< GRAPH, SERVICE
  bool silent;         ///< SERVICE
  const char *text;    ///< SERVICE: the query it sends (SparqlOp.text)
  Values *values;      ///< E_VALUES
  Select *sub;         ///< E_SUBSELECT
};

struct Group {
  Elem *first, *last;
};

typedef struct ProjItem {
  uint32_t var;
  SparqlExpr *expr; ///< NULL for a plain variable.
  size_t offset;
  struct ProjItem *next;
} ProjItem;

typedef struct ExprItem {
  SparqlExpr *expr;
  uint32_t var;     ///< GROUP BY (expr AS ?v), else SPARQL_NO_VAR
  bool desc;        ///< ORDER BY DESC
  size_t offset;
  struct ExprItem *next;
} ExprItem;

/// A query (also a sub-SELECT), before translation.
struct Select {
  SparqlForm form;
  bool distinct, reduced, star;
  size_t star_offset;
  ProjItem *proj, *proj_last;
  Group *where;
  ExprItem *group_by, *group_by_last;
  size_t group_offset;
  ExprItem *having, *having_last;
  ExprItem *order, *order_last;
  int64_t limit, offset;
  Values *values;
  TripleList construct; ///< CONSTRUCT template
  bool construct_where;
  VEC(SparqlSlot) describe;
  bool describe_star;
  Select *outer;        ///< enclosing query of a sub-SELECT
};

typedef struct AUpdate {
  SparqlUpdate u;
  size_t offset;
  QuadList del, ins; ///< templates / data before translation
  Group *where;
  struct AUpdate *next;
} AUpdate;

/* ---- parser state (the scanner's extra data) ---- */

typedef struct Parser {
  SparqlArena *arena;
  SparqlRequest *req;
  const char *text;
  size_t len;
  size_t off;           ///< scanner: byte offset of the next token
  int depth;            ///< scanner: open brackets
  const char *base;     ///< current base IRI (arena) or NULL
  Map prefixes;         ///< prefix -> index in prefix_iris
  VEC(const char *) prefix_iris;
  VEC(const char *) prefix_names; ///< the name of each of prefix_iris
  Map varmap;           ///< user variable name -> var id
  VEC(SparqlVar) vars;
  unsigned anon;        ///< counter for anonymous blank nodes
  Select *query;        ///< query being parsed (sub-SELECTs nest)
  Values *cur_values;   ///< VALUES block being parsed
  VEC(TrineTerm) from, from_named, using_, using_named;
  AUpdate *updates, *updates_last;
  /* the first error wins */
  bool failed;
  TrineStatus status;
  size_t err_offset;
  char errmsg[256];
  /* translation state */
  Map labels;           ///< pattern blank node label -> (var, block)
  uint32_t block;       ///< current basic graph pattern id
  Map data_labels;      ///< INSERT DATA label -> operation number
  Map tlabels;          ///< template blank node label -> number
  unsigned npathvars, naggvars, nbvars;
  size_t npatterns;     ///< triple patterns and paths so far (SPARQL_MAX_PATTERNS)
  jmp_buf *fail;        ///< translation: where an error jumps
} Parser;

/// Record an error at a byte offset (the first one wins). Returns false.
bool sparql_fail(Parser *p, size_t offset, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

uint32_t sparql_var_intern(Parser *p, const char *name, size_t len);
uint32_t sparql_var_new(Parser *p, SparqlVarKind kind);

/// Resolve ref against base (RFC 3986 section 5.2) into the arena.
char *sparql_iri_resolve(SparqlArena *a, const char *base, const char *ref,
                         size_t ref_len);

/// AST -> algebra, with the static checks. false on error (in p).
bool sparql_translate(Parser *p);

/// Run the generated parser on p->text. false on error (in p).
bool sparql_run_parser(Parser *p);

#define XSD "http://www.w3.org/2001/XMLSchema#"

#endif /* TRINE_GRAMMAR_INTERNAL_H */
