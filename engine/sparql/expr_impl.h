/*
 * expr_impl.h -- private to expr.c and expr_fn.c: evaluated values, the
 * per-query scratch arena and caches.
 */
#ifndef TRINE_EXPR_IMPL_H
#define TRINE_EXPR_IMPL_H

#include "expr.h"
#include "xregex.h"
#include "xsd.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <locale.h>
#include <pcre2.h>

/// An evaluated value: an id, a decoded term, or both. t.kind NONE = error.
typedef struct {
  TrineId id;       ///< 0 when computed and not interned yet
  TrineTerm t;      ///< valid when decoded (t.value NULL: lexical not made yet)
  bool decoded;     ///< t, xt, valid and v are set
  XsdType xt;       ///< literals: value category
  bool valid;       ///< literals of a known datatype: lexical form valid
  union {
    Dec d;          ///< XT_INTEGER, XT_DECIMAL
    double f;       ///< XT_FLOAT, XT_DOUBLE
    bool b;         ///< XT_BOOLEAN
    XsdDateTime dt; ///< XT_DATETIME, XT_DATE
  } v;
} Val;

typedef struct {
  TrineId id;
  Val v;
} CacheEntry;

#define VCACHE_SIZE 4096

/// A compiled REGEX / REPLACE pattern, by pattern and flags.
typedef struct {
  char *pat;
  size_t plen;
  unsigned flags;      ///< XREGEX_* mask
  pcre2_code *code;    ///< NULL: the pattern is invalid (kept so as not to retry)
  unsigned ngroups;
  bool matches_empty;  ///< fn:replace refuses such a pattern (FORX0003)
} Rx;

#define RX_MAX 16

/* What one REGEX or REPLACE may spend on one string: PCRE2's default match
 * limit (backtracking steps), and 64 MiB of backtracking memory where
 * PCRE2's default is 20 GB. Past either the query fails (rx_limit()):
 * an exponential pattern then ends in well under a second. */
#define RX_MATCH_LIMIT 10000000u
#define RX_HEAP_LIMIT_KIB (64u << 10)

typedef struct Chunk {
  struct Chunk *next;
  size_t cap, used;
  _Alignas(16) char data[];
} Chunk;

typedef struct {
  const void *key;
  Val v;
} ConstEntry;

typedef struct {
  char *s;
  size_t n;
  uint64_t sol; ///< the solution it was made for (0: the row bn_row)
  TrineId id;
} BnodeEntry;

typedef struct {
  Chunk *arena;        ///< scratch for computed strings, reset per evaluation
  int depth;           ///< nesting of public calls (EXISTS inside FILTER)
  CacheEntry *cache;   ///< decoded values by id, direct-mapped (made on first use)
  ConstEntry *consts;  ///< values of constant terms by expression (made on first use)
  size_t nconsts, mask_consts;
  Rx rx[RX_MAX];
  size_t nrx, rx_next;
  pcre2_match_data *md;
  pcre2_match_context *mc; ///< RX_MATCH_LIMIT, RX_HEAP_LIMIT_KIB
  locale_t loc;        ///< C.UTF-8 for towupper_l / towlower_l (or 0)
  bool loc_tried;      ///< newlocale was called (loc 0: unavailable)
  /* BNODE(str): one blank node per string per solution */
  uint64_t bn_sol;       ///< the solution begun (expr_solution_begin), or 0
  uint64_t bn_nsol;      ///< solutions begun so far
  uint64_t bn_row_hash;  ///< outside a solution: the row the entries are for
  const TrineId *bn_row;
  BnodeEntry *bn;
  size_t nbn, capbn;
} Impl;

#define IMPL(c) ((Impl *)(c)->impl)

/* Shared between expr.c and expr_fn.c */
void *ex_alloc(ExprCtx *c, size_t n);
TrineStatus ex_decode(ExprCtx *c, Val *v);
TrineStatus ex_lexical(ExprCtx *c, Val *v);
TrineStatus ex_eval(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out);
TrineStatus ex_ebv(ExprCtx *c, const SparqlExpr *e, const TrineId *row, int *out);
int ex_val_ebv(ExprCtx *c, Val *v);
TrineStatus ex_call(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out);
TrineStatus ex_cast(ExprCtx *c, const SparqlExpr *e, const TrineId *row, Val *out);
TrineStatus ex_intern(ExprCtx *c, Val *v, TrineId *out);
/// -1 error, 0 false, 1 true
TrineStatus ex_equal(ExprCtx *c, Val *a, Val *b, int *out);
/// Arithmetic: op one of '+', '-', '*', '/'.
TrineStatus ex_arith(ExprCtx *c, int op, Val *a, Val *b, Val *out);

void ex_err(Val *v);
void ex_int(Val *v, Dec d);
void ex_dec(Val *v, Dec d);
void ex_dbl(Val *v, double f, XsdType xt);
void ex_bool(Val *v, bool b);
void ex_str(Val *v, const char *s, size_t n, const char *lang, size_t lang_len);
void ex_typed(Val *v, const char *s, size_t n, const char *dt);
void ex_iri(Val *v, const char *s, size_t n);
TrineStatus ex_from_id(ExprCtx *c, Val *v, TrineId id);

static inline bool ex_is_err(const Val *v) { return v->t.kind == TRINE_TERM_NONE; }
/// Whether a decoded value is a string literal (simple, xsd:string or lang).
static inline bool ex_is_string(const Val *v) {
  return v->t.kind == TRINE_TERM_LITERAL && (v->xt == XT_STRING || v->xt == XT_LANG);
}
static inline bool ex_is_simple(const Val *v) {
  return v->t.kind == TRINE_TERM_LITERAL && v->xt == XT_STRING;
}
static inline bool ex_is_num(const Val *v) {
  return v->t.kind == TRINE_TERM_LITERAL && xt_numeric(v->xt) && v->valid;
}

#endif
