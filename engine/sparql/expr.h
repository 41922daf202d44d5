/*
 * expr.h -- SPARQL 1.1 expressions over term ids: evaluation with the
 * spec's error semantics, effective boolean value, ORDER BY comparison and
 * aggregates.
 *
 * A row is an array of ids, one per variable of the request (r->vars);
 * 0 means unbound. Results are ids from the query dictionary (qdict.h):
 * stored terms keep their ids, computed ones get temporary ids. An
 * expression error (type error, unbound variable, bad argument) is not a
 * failure: it yields id 0 ("error"), which makes a FILTER false and leaves
 * a BIND unbound. Functions return a non-OK status only for real failures
 * (out of memory, cancelled, I/O).
 */
#ifndef TRINE_EXPR_H
#define TRINE_EXPR_H

#include "qdict.h"
#include "sparql.h"

/// Evaluates EXISTS { pattern } for a row: sets *found.
typedef TrineStatus (*ExistsFn)(void *ctx, const SparqlOp *pattern, const TrineId *row,
                                bool *found);

/// What expression evaluation needs from the query being run.
typedef struct {
  QDict *dict;
  const SparqlRequest *req;
  const char *base_iri;   ///< for IRI()/URI() of relative strings (may be NULL)
  TrineId now;            ///< NOW(): one xsd:dateTime per query (0: set lazily)
  uint64_t rand_state;    ///< RAND(), seeded per query at its first use
  bool rand_seeded;
  ExistsFn exists;        ///< EXISTS / NOT EXISTS
  void *exists_ctx;
  /// Count bytes an aggregate keeps (GROUP_CONCAT's text) against the
  /// query's memory limit: a non-OK status stops the query. NULL: uncounted.
  TrineStatus (*mem_take)(void *ctx, size_t bytes);
  void (*mem_give)(void *ctx, size_t bytes); ///< Give counted bytes back.
  void *mem_ctx;
  void *impl;             ///< private to expr.c (caches: regexes, decoded values)
} ExprCtx;

/// Set up / release an ExprCtx (caches). dict and req must outlive it.
TrineStatus expr_ctx_init(ExprCtx *c, QDict *dict, const SparqlRequest *req,
                          const char *base_iri);
void expr_ctx_free(ExprCtx *c);

/// Evaluate e on row: *out is the result's id, or 0 on an expression error.
TrineStatus expr_eval(ExprCtx *c, const SparqlExpr *e, const TrineId *row, TrineId *out);

/// Effective boolean value of e on row: *out 1 true, 0 false, -1 error.
TrineStatus expr_ebv(ExprCtx *c, const SparqlExpr *e, const TrineId *row, int *out);

/// A conjunction of expressions (FILTER, LEFTJOIN): true only if all are true.
TrineStatus expr_filter(ExprCtx *c, SparqlExpr *const *exprs, size_t n, const TrineId *row,
                        bool *pass);

/**
 * Begin the expressions of one solution: until expr_solution_end(), every
 * BNODE(str) with the same string gives the same blank node, whatever row
 * pointer or bindings it sees (SPARQL 1.1 17.4.2.9). The executor calls it
 * around a chain of BINDs and SELECT expressions, which each bind one more
 * variable of the same solution. Nests: returns what to pass to _end.
 * Outside any, BNODE(str) keys on the row it is given (one FILTER).
 */
uint64_t expr_solution_begin(ExprCtx *c);
void expr_solution_end(ExprCtx *c, uint64_t outer);

/**
 * ORDER BY order of two ids (0 = unbound) per SPARQL 1.1 section 15.1:
 * unbound < blank nodes < IRIs < literals; numbers, strings, booleans and
 * dateTimes by value where comparable, otherwise a fixed total order.
 * @return <0, 0 or >0.
 */
int expr_order(ExprCtx *c, TrineId a, TrineId b);

/// An aggregate's running state for one group.
typedef struct AggState AggState;

/// New state for agg (an expression of kind SPARQL_EX_AGGREGATE).
AggState *agg_new(ExprCtx *c, const SparqlExpr *agg);

/// Feed one row of the group (the aggregate evaluates its own argument,
/// honours DISTINCT and COUNT(*)).
TrineStatus agg_step(AggState *s, const TrineId *row);

/// The aggregate's value, 0 on error (SPARQL 1.1 18.5.1; docs/sparql.md):
/// an error or unbound argument makes SUM, MIN and GROUP_CONCAT an error,
/// AVG too unless it leaves nothing to count (AVG is then 0), and is left
/// out by COUNT, MAX and SAMPLE. No rows: COUNT 0, SUM 0, AVG 0,
/// GROUP_CONCAT "", MIN, MAX and SAMPLE an error.
TrineStatus agg_result(AggState *s, TrineId *out);

void agg_free(AggState *s);

#endif
