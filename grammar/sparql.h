/*
 * sparql.h -- the SPARQL 1.1 parser module: text in, checked algebra out.
 *
 * sparql_parse() scans and parses a SPARQL 1.1 query or update request,
 * runs the static checks the spec defines, and translates the result to
 * SPARQL algebra (SPARQL 1.1 section 18.2). The executor consumes the tree.
 *
 * Ownership. Everything reachable from a SparqlRequest (nodes, expressions,
 * strings, arrays) lives in one arena owned by the request and is freed by
 * sparql_request_free(). Nothing is shared with the input text or the caller.
 * Strings are NUL-terminated in addition to their explicit lengths.
 *
 * Terms. Constants are TrineTerm values: IRIs fully resolved against BASE
 * and PREFIX, language tags lowercased, simple literals (and xsd:string) with
 * datatype NULL, numbers and booleans with their xsd datatype and their
 * lexical form as written ("+1", "1.0e3", "true").
 *
 * Variables are small integers indexing r->vars. Blank nodes in patterns
 * become fresh variables (flag SPARQL_VAR_BNODE) as section 18.2 requires;
 * the translator adds SPARQL_VAR_PATH variables (property path sequences)
 * and SPARQL_VAR_AGG variables (aggregate results). Only SPARQL_VAR_USER
 * variables can be projected or bound by the user. A variable has one number
 * in the whole request, also inside sub-SELECTs: a sub-SELECT's PROJECT is
 * what limits its scope, so an executor must evaluate it as a unit.
 *
 * Blank nodes in templates (CONSTRUCT, INSERT, INSERT DATA) stay blank nodes
 * (TRINE_TERM_BLANK) relabelled b0, b1, ... per template; an executor makes
 * them fresh per solution (per request for INSERT DATA).
 *
 * Thread safety: no global state; any number of parses may run at once.
 */
#ifndef TRINE_SPARQL_H
#define TRINE_SPARQL_H

#include "trine.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/**
 * Deepest nesting of '{', '(' and '[' the scanner accepts ("nesting too
 * deep"). Together with a height limit on left-deep chains (a + b + ...,
 * {} UNION {} ..., p|q|...: "expression/property path/query too deeply
 * nested", 3000 levels), it bounds every recursion over the trees below, so
 * the executor may recurse over them too.
 */
#define SPARQL_MAX_DEPTH 400

/// "No variable" in a SparqlSlot or a table cell.
#define SPARQL_NO_VAR UINT32_MAX

/// What a variable is (SparqlVar.kind).
typedef enum {
  SPARQL_VAR_USER = 0, ///< Written in the request as ?name or $name.
  SPARQL_VAR_BNODE,    ///< A blank node of a pattern, printed ??N.
  SPARQL_VAR_PATH,     ///< Introduced for a path sequence, printed ??PN.
  SPARQL_VAR_AGG       ///< Holds an aggregate's value, printed ?.N.
} SparqlVarKind;

/// One entry of the request's variable table.
typedef struct {
  const char *name;   ///< Without the '?' for user variables.
  SparqlVarKind kind;
} SparqlVar;

/**
 * A position in a pattern or template: a constant term, or a variable when
 * term.kind is TRINE_TERM_NONE. In quads, a graph of kind
 * TRINE_TERM_DEFAULT_GRAPH is the default graph.
 */
typedef struct {
  TrineTerm term;
  uint32_t var; ///< Index into SparqlRequest.vars, or SPARQL_NO_VAR.
} SparqlSlot;

typedef struct {
  SparqlSlot s, p, o;
} SparqlTriple;

typedef struct {
  SparqlSlot s, p, o, g;
} SparqlQuad;

/** @defgroup path Property paths
 * @{ */
typedef enum {
  SPARQL_PATH_LINK,   ///< One IRI (iri).
  SPARQL_PATH_INV,    ///< ^a
  SPARQL_PATH_SEQ,    ///< a / b
  SPARQL_PATH_ALT,    ///< a | b
  SPARQL_PATH_STAR,   ///< a*
  SPARQL_PATH_PLUS,   ///< a+
  SPARQL_PATH_OPT,    ///< a?
  SPARQL_PATH_NPS     ///< !(iri ... | ^iri ...): iris, then inverse iris.
} SparqlPathKind;

typedef struct SparqlPath SparqlPath;
struct SparqlPath {
  SparqlPathKind kind;
  SparqlPath *a, *b;       ///< Operands (b only for SEQ and ALT).
  TrineTerm iri;           ///< LINK.
  TrineTerm *nps;          ///< NPS: nnps forward IRIs, then ninv inverse.
  size_t nnps, ninv;
  unsigned depth;          ///< Height of this tree (bounded).
};
/** @} */

/** @defgroup expr Expressions
 * @{ */
typedef enum {
  SPARQL_EX_VAR,       ///< var
  SPARQL_EX_TERM,      ///< term
  SPARQL_EX_OR,        ///< args[0] || args[1]
  SPARQL_EX_AND,
  SPARQL_EX_NOT,       ///< ! args[0]
  SPARQL_EX_EQ, SPARQL_EX_NE, SPARQL_EX_LT, SPARQL_EX_GT, SPARQL_EX_LE,
  SPARQL_EX_GE,
  SPARQL_EX_IN,        ///< args[0] IN (args[1..])
  SPARQL_EX_NOT_IN,
  SPARQL_EX_ADD, SPARQL_EX_SUB, SPARQL_EX_MUL, SPARQL_EX_DIV,
  SPARQL_EX_NEG,       ///< - args[0]
  SPARQL_EX_PLUS,      ///< + args[0]
  SPARQL_EX_CALL,      ///< Built-in function fn(args).
  SPARQL_EX_FUNCTION,  ///< Extension function or cast: iri(args).
  SPARQL_EX_EXISTS,    ///< EXISTS pattern
  SPARQL_EX_NOT_EXISTS,
  SPARQL_EX_AGGREGATE  ///< Only before translation: replaced by AGG vars.
} SparqlExprKind;

/// Built-in functions (SPARQL 1.1 section 17.4), for SPARQL_EX_CALL.
typedef enum {
  SPARQL_FN_STR, SPARQL_FN_LANG, SPARQL_FN_LANGMATCHES, SPARQL_FN_DATATYPE,
  SPARQL_FN_BOUND, SPARQL_FN_IRI, SPARQL_FN_URI, SPARQL_FN_BNODE,
  SPARQL_FN_RAND, SPARQL_FN_ABS, SPARQL_FN_CEIL, SPARQL_FN_FLOOR,
  SPARQL_FN_ROUND, SPARQL_FN_CONCAT, SPARQL_FN_SUBSTR, SPARQL_FN_STRLEN,
  SPARQL_FN_REPLACE, SPARQL_FN_UCASE, SPARQL_FN_LCASE,
  SPARQL_FN_ENCODE_FOR_URI, SPARQL_FN_CONTAINS, SPARQL_FN_STRSTARTS,
  SPARQL_FN_STRENDS, SPARQL_FN_STRBEFORE, SPARQL_FN_STRAFTER,
  SPARQL_FN_YEAR, SPARQL_FN_MONTH, SPARQL_FN_DAY, SPARQL_FN_HOURS,
  SPARQL_FN_MINUTES, SPARQL_FN_SECONDS, SPARQL_FN_TIMEZONE, SPARQL_FN_TZ,
  SPARQL_FN_NOW, SPARQL_FN_UUID, SPARQL_FN_STRUUID, SPARQL_FN_MD5,
  SPARQL_FN_SHA1, SPARQL_FN_SHA256, SPARQL_FN_SHA384, SPARQL_FN_SHA512,
  SPARQL_FN_COALESCE, SPARQL_FN_IF, SPARQL_FN_STRLANG, SPARQL_FN_STRDT,
  SPARQL_FN_SAMETERM, SPARQL_FN_ISIRI, SPARQL_FN_ISURI, SPARQL_FN_ISBLANK,
  SPARQL_FN_ISLITERAL, SPARQL_FN_ISNUMERIC, SPARQL_FN_REGEX,
  SPARQL_FN_COUNT_
} SparqlBuiltin;

/// Aggregate functions, for SPARQL_EX_AGGREGATE and SparqlAggregate.
typedef enum {
  SPARQL_AGG_COUNT, SPARQL_AGG_SUM, SPARQL_AGG_MIN, SPARQL_AGG_MAX,
  SPARQL_AGG_AVG, SPARQL_AGG_SAMPLE, SPARQL_AGG_GROUP_CONCAT
} SparqlAggKind;

typedef struct SparqlOp SparqlOp;
typedef struct SparqlExpr SparqlExpr;

struct SparqlExpr {
  SparqlExprKind kind;
  int fn;                 ///< CALL: SparqlBuiltin; AGGREGATE: SparqlAggKind.
  SparqlExpr **args;      ///< Operands; an AGGREGATE has 0 (COUNT(*)) or 1.
  size_t nargs;
  uint32_t var;           ///< VAR.
  TrineTerm term;         ///< TERM; FUNCTION: the function IRI.
  SparqlOp *pattern;      ///< EXISTS, NOT_EXISTS.
  bool distinct;          ///< AGGREGATE.
  const char *separator;  ///< AGGREGATE GROUP_CONCAT; NULL means " ".
  size_t offset;          ///< Byte offset of the expression in the text.
  unsigned depth;         ///< Height of this tree (bounded by the parser).
};
/** @} */

/** @defgroup algebra Algebra
 * @{ */
typedef enum {
  SPARQL_OP_BGP,        ///< triples[ntriples]; 0 triples is the unit table.
  SPARQL_OP_PATH,       ///< path_s path path_o.
  SPARQL_OP_JOIN,       ///< a, b
  SPARQL_OP_LEFTJOIN,   ///< a, b, exprs (conjunction; none means true)
  SPARQL_OP_FILTER,     ///< exprs (conjunction) over a
  SPARQL_OP_UNION,      ///< a, b
  SPARQL_OP_MINUS,      ///< a, b
  SPARQL_OP_GRAPH,      ///< target (IRI or variable), a
  SPARQL_OP_SERVICE,    ///< target, silent, a
  SPARQL_OP_EXTEND,     ///< a extended with binds[0] (one per node)
  SPARQL_OP_GROUP,      ///< a grouped by binds (var may be NO_VAR: an
                        ///< unnamed key expression), computing aggs.
  SPARQL_OP_TABLE,      ///< VALUES: vars[nvars], rows[nrows * nvars].
  SPARQL_OP_TOMULTISET, ///< a sub-SELECT's result as a multiset: a
  SPARQL_OP_ORDERBY,    ///< a sorted by keys
  SPARQL_OP_PROJECT,    ///< a restricted to vars
  SPARQL_OP_DISTINCT,   ///< a
  SPARQL_OP_REDUCED,    ///< a
  SPARQL_OP_SLICE       ///< a, offset (0: none), limit (-1: none)
} SparqlOpKind;

/// A variable bound to an expression (EXTEND, GROUP keys).
typedef struct {
  uint32_t var;
  SparqlExpr *expr;
} SparqlBind;

/// An aggregate computed by GROUP: var = agg(DISTINCT? arg) (arg NULL: *).
typedef struct {
  uint32_t var;
  SparqlExpr *expr; ///< kind SPARQL_EX_AGGREGATE.
} SparqlAggregate;

typedef struct {
  SparqlExpr *expr;
  bool descending;
} SparqlOrderKey;

struct SparqlOp {
  SparqlOpKind kind;
  SparqlOp *a, *b;              ///< Operands (a for unary operators).
  SparqlTriple *triples;        ///< BGP.
  size_t ntriples;
  SparqlSlot path_s, path_o;    ///< PATH.
  SparqlPath *path;
  SparqlExpr **exprs;           ///< FILTER, LEFTJOIN.
  size_t nexprs;
  SparqlSlot target;            ///< GRAPH, SERVICE.
  bool silent;                  ///< SERVICE.
  /** SERVICE: the query sent to the endpoint, "BASE/PREFIX ... SELECT *
   * WHERE {\n%VALUES%{ group as written }\n}": %VALUES% is where the
   * bindings known so far go. */
  const char *text;
  SparqlBind *binds;            ///< EXTEND (1), GROUP keys.
  size_t nbinds;
  SparqlAggregate *aggs;        ///< GROUP.
  size_t naggs;
  uint32_t *vars;               ///< PROJECT, TABLE.
  size_t nvars;
  SparqlSlot *rows;             ///< TABLE: UNDEF cells have kind NONE and
  size_t nrows;                 ///< var SPARQL_NO_VAR.
  SparqlOrderKey *keys;         ///< ORDERBY.
  size_t nkeys;
  int64_t offset, limit;        ///< SLICE.
  unsigned depth;               ///< Height of this tree (bounded).
};
/** @} */

/** @defgroup request Requests
 * @{ */
typedef enum {
  SPARQL_SELECT, SPARQL_ASK, SPARQL_CONSTRUCT, SPARQL_DESCRIBE,
  SPARQL_UPDATE
} SparqlForm;

typedef enum {
  SPARQL_UP_INSERT_DATA, ///< ins
  SPARQL_UP_DELETE_DATA, ///< del
  SPARQL_UP_DELETE_WHERE,///< del (also the pattern, translated in where)
  SPARQL_UP_MODIFY,      ///< with, del, ins, using, using_named, where
  SPARQL_UP_LOAD,        ///< source, dest (kind NONE: default graph)
  SPARQL_UP_CLEAR,       ///< target
  SPARQL_UP_DROP,        ///< target
  SPARQL_UP_CREATE,      ///< target (always an IRI)
  SPARQL_UP_ADD,         ///< source, dest: IRI or DEFAULT_GRAPH
  SPARQL_UP_MOVE,
  SPARQL_UP_COPY
} SparqlUpdateKind;

/// Graph selector of CLEAR and DROP.
typedef enum {
  SPARQL_TARGET_GRAPH,   ///< The IRI in target.
  SPARQL_TARGET_DEFAULT, ///< DEFAULT
  SPARQL_TARGET_NAMED,   ///< NAMED: every named graph
  SPARQL_TARGET_ALL      ///< ALL
} SparqlTargetKind;

typedef struct {
  SparqlUpdateKind kind;
  bool silent;
  SparqlQuad *del, *ins;    ///< Templates (MODIFY) or data.
  size_t ndel, nins;
  SparqlOp *where;          ///< MODIFY and DELETE_WHERE.
  TrineTerm with;           ///< MODIFY WITH graph, kind NONE if absent.
  TrineTerm *using_, *using_named;
  size_t nusing, nusing_named;
  SparqlTargetKind target_kind; ///< CLEAR, DROP.
  TrineTerm target;         ///< CLEAR/DROP/CREATE graph, LOAD/ADD.. source.
  TrineTerm dest;           ///< LOAD INTO, ADD/MOVE/COPY destination.
} SparqlUpdate;

typedef struct SparqlArena SparqlArena;

/**
 * A parsed request. Read-only for its users; free with
 * sparql_request_free().
 */
typedef struct {
  SparqlForm form;
  const char *base;         ///< Final base IRI, or NULL.
  const char **prefixes;    ///< PREFIX declarations: name, IRI pairs in the
  size_t nprefixes;         ///< order written (a name declared again: its
                            ///< last IRI, in its last place); IRIs resolved.
  SparqlVar *vars;          ///< The variable table.
  uint32_t nvars;
  /* Queries */
  SparqlOp *pattern;        ///< Whole algebra including solution modifiers.
  uint32_t *projection;     ///< SELECT: result variables, in order.
  size_t nprojection;
  TrineTerm *from, *from_named; ///< Dataset clause (IRIs).
  size_t nfrom, nfrom_named;
  SparqlTriple *construct;  ///< CONSTRUCT template.
  size_t nconstruct;
  SparqlSlot *describe;     ///< DESCRIBE targets (empty for DESCRIBE *:
  size_t ndescribe;         ///< then describe_star is set).
  bool describe_star;
  /* Updates */
  SparqlUpdate *updates;
  size_t nupdates;
  SparqlArena *arena;       ///< Private.
} SparqlRequest;

/**
 * Parse and translate a SPARQL 1.1 query or update request.
 *
 * Requests starting (after the prologue) with SELECT, ASK, CONSTRUCT or
 * DESCRIBE are queries; anything else is an update request.
 *
 * @param[in] name     source name used in errors ("query", a file name).
 * @param[in] text     the request, UTF-8, len bytes (need not end in NUL).
 * @param[in] base_iri absolute base IRI for relative IRIs, or NULL.
 * @param[out] out     the request, or NULL on error.
 * @param[out] err     on error: status, source (= name), 1-based line and
 *                     column (in characters) and message. The message
 *                     lives in a thread-local buffer valid until the next
 *                     sparql_parse() call in the same thread. May be NULL.
 * Messages read "unexpected X, expected Y or Z" in SPARQL terms (e.g.
 * "unexpected '}', expected a term"), or name the static error: "unknown
 * prefix 'foaf:'", "variable ?x projected twice", "SELECT * not allowed
 * with GROUP BY", "variable ?x not in GROUP BY", "BIND to ?x: variable
 * already in scope", "variable ?x already in scope" (SELECT expressions),
 * "blank node label _:b used in two basic graph patterns", "aggregate not
 * allowed here", "variable ?x not allowed in INSERT DATA", "blank node not
 * allowed in DELETE DATA", "nesting too deep", ...
 *
 * @return TRINE_OK, TRINE_ERR_SYNTAX (syntax and static semantic errors),
 *         TRINE_ERR_NOMEM (nothing leaks except, when malloc fails inside
 *         the generated scanner or parser, their own buffers) or
 *         TRINE_ERR_ARG (out NULL, or text NULL with len > 0).
 */
TrineStatus sparql_parse(const char *name, const char *text, size_t len,
                         const char *base_iri, SparqlRequest **out,
                         TrineError *err);

/// Free a request and everything it owns. Accepts NULL.
void sparql_request_free(SparqlRequest *r);

/**
 * Print the request's algebra as an S-expression (SSE style), e.g.
 * `(project (?s) (bgp (triple ?s <http://ex/p> ?o)))`, ending in a newline.
 * Deterministic. @return 0, or -1 on a write error.
 */
int sparql_algebra_print(const SparqlRequest *r, FILE *out);

/// Print one expression as an S-expression (no newline).
int sparql_expr_print(const SparqlRequest *r, const SparqlExpr *e, FILE *out);

/**
 * Print the line of text that err points at and a caret under its column,
 * e.g. for a shell: "  SELECT * WHERE { ?s ?p }\n" then spaces and "^".
 * Prints nothing when err has no line.
 */
void sparql_error_caret(const char *text, size_t len, const TrineError *err,
                        FILE *out);

/// Name of a built-in function as written in SPARQL ("STR", "REGEX"...).
const char *sparql_builtin_name(SparqlBuiltin fn);

/// Whether iri[0..len) has a scheme (RFC 3986 section 4.3).
bool sparql_iri_is_absolute(const char *iri, size_t len);

/// ref resolved against the absolute IRI base (RFC 3986 section 5.2), in
/// memory the caller frees; NULL when out of memory.
char *sparql_resolve_iri(const char *base, const char *ref, size_t ref_len);

/// Name of an aggregate ("COUNT", "GROUP_CONCAT"...).
const char *sparql_agg_name(SparqlAggKind agg);
/** @} */

#endif /* TRINE_SPARQL_H */
