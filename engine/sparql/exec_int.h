/*
 * exec_int.h -- what the executor's files share. The executor is one module
 * in several files, one per family of operators; they call each other
 * through exec_op() as the algebra nests:
 *
 *   exec.c            setup, the executed plan, dispatch, row sinks,
 *                     UNION, GRAPH, EXTEND (BIND), TABLE (VALUES)
 *   exec_bgp.c        join groups: the order of their steps, filters placed
 *                     early, VALUES tables, OPTIONAL, FILTER
 *   exec_pattern.c    one triple pattern joined with rows: probes, scans
 *                     with merge or hash joins, subject stars
 *   exec_path.c       property paths
 *   exec_group.c      GROUP BY and aggregates
 *   exec_modifiers.c  ORDER BY, projection, DISTINCT, OFFSET and LIMIT
 *   exec_stream.c     results made a batch at a time as they are asked
 *                     for, for the operators that can
 *   exec_exists.c     EXISTS and MINUS
 *   exec_service.c    SERVICE: the bindings so far sent to another endpoint
 *                     (exec_service.h), its SPARQL JSON results joined
 *   exec_scan.c       quad scans and probes in the dataset's graphs, the
 *                     request's constants, the statistics read so far
 *   exec_table.c      tables of rows, the memory limit, cancel and timeout,
 *                     hashing rows, joining two tables
 */
#ifndef TRINE_EXEC_INT_H
#define TRINE_EXEC_INT_H

#include "exec.h"
#include "index.h"

/// Where patterns are matched: the dataset's default graph, or one graph.
typedef struct {
  bool one; ///< true: graph g only
  TrineId g;
} GCtx;

/// Called for each quad a scan finds; a non-OK status stops the scan.
typedef TrineStatus (*QuadFn)(Exec *x, const Quad *q, void *ctx);

/// Record an error on the store and return st.
TrineStatus exec_fail(Exec *x, TrineStatus st, const char *msg);
/// Fail with TRINE_ERR_CANCELLED: the query ran past its timeout (named).
TrineStatus exec_timed_out(Exec *x);

/**
 * The store id of a constant of the request (TRINE_NOT_FOUND: the store
 * lacks it), remembered by the term's address for the query's life: join
 * groups and paths are evaluated again for every row of OPTIONAL, EXISTS
 * or a closure walk.
 */
TrineStatus exec_const_id(Exec *x, const TrineTerm *term, TrineId *id);

/// TRINE_ERR_CANCELLED when the query was cancelled or timed out; tells
/// the caller's progress callback now and then.
TrineStatus exec_check_limits(Exec *x);

/// What the request does now, for the progress callback.
void exec_progress_phase(Exec *x, TrineQueryPhase phase, uint64_t done, uint64_t todo);

/// Every quad matching q (bound positions in mask) in the graphs of gc.
TrineStatus exec_scan(Exec *x, Quad q, unsigned mask, GCtx gc, QuadFn fn, void *ctx);

/// With several default graphs, whether quad q (of default graph gi) is in
/// one before it: a triple counts once in their RDF merge.
bool exec_scan_seen(Exec *x, const Quad *q, size_t gi);

/// A scan of q's matches in its one graph (bound positions in mask, Q_G
/// among them) for index_iter_next_run(): lay[pos] is where quad position
/// pos sits in the records (0: the run's key). The caller frees *it.
TrineStatus exec_scan_open_raw(Exec *x, const Quad *q, unsigned mask, IndexIter **it,
                               int lay[4]);

/// A probe of G-first index idx for one step: the evaluation's own, kept
/// from step to step, unless a step holds it (a callback probing again):
/// then a new one. Hand it back with exec_probe_give().
TrineStatus exec_probe_take(Exec *x, IndexId idx, IndexProbe **probe);
void exec_probe_give(Exec *x, IndexProbe *probe);

/// Called with the subject and object of each match of exec_probe().
typedef TrineStatus (*PairFn)(Exec *x, void *ctx, TrineId s, TrineId o);

/// The records of G-first index idx starting with pre (prefix ids in its
/// layout order), counted up to just past limit, through the kept probe.
TrineStatus exec_count(Exec *x, IndexId idx, const TrineId *pre, int prefix, uint64_t limit,
                       uint64_t *count);

/**
 * The matches of q in its one graph (g, p and one more position bound in
 * mask) read in place: fn gets each match's subject and object. The probe
 * is kept for the evaluation, so a path's walk stays on its pages.
 */
TrineStatus exec_probe(Exec *x, const Quad *q, unsigned mask, PairFn fn, void *ctx);

/// A growing list of quads.
typedef struct {
  Quad *q;
  size_t n, cap;
} Quads;

/// Append q to qs.
TrineStatus exec_quads_push(Exec *x, Quads *qs, const Quad *q);

static inline void exec_table_init(Table *t, size_t width) { *t = (Table){.width = width}; }

static inline TrineId *exec_row(const Table *t, size_t i) { return t->rows + i * t->width; }


/// Make room for more rows: exec_row(t, t->n + more - 1) may then be written.
TrineStatus exec_table_reserve(Exec *x, Table *t, size_t more);

/// Make room for one more row: exec_row(t, t->n) may then be written.
static inline TrineStatus exec_table_room(Exec *x, Table *t) {
  return t->n < t->cap ? TRINE_OK : exec_table_reserve(x, t, 1);
}

/// Every 256 rows of a table: the limits are checked, and a join group's
/// last step hands its rows to the sink that takes them (Exec.draining).
TrineStatus exec_table_tick(Exec *x, Table *t);

/// Count the row written at exec_row(t, t->n) after exec_table_room().
static inline TrineStatus exec_table_added(Exec *x, Table *t) {
  return (++t->n & 255) == 0 ? exec_table_tick(x, t) : TRINE_OK;
}

/// Count bytes against the query's memory limit (TRINE_ERR_FULL past it).
TrineStatus exec_mem_take(Exec *x, size_t bytes);

/// Give back bytes counted by exec_mem_take().
void exec_mem_give(Exec *x, size_t bytes);

/**
 * Begin a row at the end of out as a copy of row, to extend in place (a
 * join's output row is made where it will stay). NULL with *st set when
 * out is full (TRINE_DONE: the step's row cap) or on an error.
 */
static inline TrineId *exec_row_begin(Exec *x, Table *out, const TrineId *row,
                                      TrineStatus *st) {
  *st = x->emit_cap && out->n >= x->emit_cap ? TRINE_DONE : exec_table_room(x, out);
  if (*st) return NULL;
  TrineId *dst = exec_row(out, out->n);
  for (size_t i = 0; i < out->width; ++i) dst[i] = row[i];
  return dst;
}

/// Keep the row begun at the end of out if it passes the filters.
static inline TrineStatus exec_row_keep(Exec *x, Table *out, SparqlExpr *const *filters,
                                        size_t nfilters) {
  if (nfilters) {
    bool pass;
    TrineStatus st = expr_filter(&x->ex, filters, nfilters, exec_row(out, out->n), &pass);
    if (st || !pass) return st;
  }
  return exec_table_added(x, out);
}

/// Free a table and give its memory back to the query's budget.
void exec_table_release(Exec *x, Table *t);

/* The helpers below are inline: joins call them for every row, from
 * every file of the executor. */

/// Append a row (counted against the memory limit).
static inline TrineStatus exec_table_push(Exec *x, Table *t, const TrineId *row) {
  TrineStatus st = exec_table_room(x, t);
  if (st) return st;
  TrineId *dst = exec_row(t, t->n);
  for (size_t i = 0; i < t->width; ++i) dst[i] = row[i];
  return exec_table_added(x, t);
}

/// Append row to out if it passes every filter (TRINE_DONE: the step's
/// row cap is reached).
static inline TrineStatus exec_emit(Exec *x, Table *out, const TrineId *row,
                                    SparqlExpr *const *filters, size_t nfilters) {
  if (x->emit_cap && out->n >= x->emit_cap) return TRINE_DONE;
  if (nfilters) {
    bool pass;
    TrineStatus st = expr_filter(&x->ex, filters, nfilters, row, &pass);
    if (st || !pass) return st;
  }
  return exec_table_push(x, out, row);
}

/// Whether variable v (< 64) is in the set.
static inline bool exec_bit(const uint64_t *set, uint32_t v) {
  return v < 64 && (set[0] >> v & 1);
}

/// Iterators kept across the probes of one pattern, one per graph.
typedef struct {
  IndexIter **it;
  size_t n;
} ScanCache;

/* ---- tables and rows (exec_table.c) ---- */

/// Whether two rows agree on every variable both bind.
static inline bool exec_compatible(const TrineId *a, const TrineId *b, size_t w) {
  for (size_t i = 0; i < w; ++i)
    if (a[i] && b[i] && a[i] != b[i]) return false;
  return true;
}

/// dst: a's bindings, and b's where a has none.
static inline void exec_merge(TrineId *dst, const TrineId *a, const TrineId *b, size_t w) {
  for (size_t i = 0; i < w; ++i) dst[i] = a[i] ? a[i] : b[i];
}

/// A row of one unbound variable per column (or the substituted EXISTS
/// row, Exec.subst): the input of a group that starts from nothing.
TrineStatus exec_unit_table(Exec *x, Table *t);

/// Variables bound in every row of t (first 64).
uint64_t exec_certain_vars(const Table *t);

/// A hash of n ids (rows, group keys).
static inline uint64_t exec_hash_ids(const TrineId *v, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15u;
  for (size_t i = 0; i < n; ++i) h = (h ^ v[i]) * 0xbf58476d1ce4e5b9u;
  return h ^ h >> 31;
}

/// Join two tables: hashed on the variables bound in every row of both,
/// else every pair compared.
TrineStatus exec_join_tables(Exec *x, const Table *a, const Table *b, Table *out);

/// Whether row equals a row of v (a VALUES op's table) on op's variables.
static inline bool exec_values_has(const Table *v, const SparqlOp *op, const TrineId *row) {
  for (size_t j = 0; j < v->n; ++j) {
    const TrineId *vr = exec_row(v, j);
    bool eq = true;
    for (size_t c = 0; c < op->nvars && eq; ++c) eq = row[op->vars[c]] == vr[op->vars[c]];
    if (eq) return true;
  }
  return false;
}

/**
 * The rows of a table by the values of some of their variables (bound in
 * every row): the build side of a hash join whose other side streams past
 * it. find/next walk the rows whose key equals vals (one id per key
 * variable, in ascending variable order); SIZE_MAX ends. Its memory
 * counts against the query's limit until rowhash_free().
 */
typedef struct {
  const Table *t;
  uint32_t key[8];
  size_t nkey;
  size_t *head, *next, mask;
  uint64_t *bits; /* a Bloom filter of the keys: 16 bits a row, 2 set */
  size_t bmask;   /* bits' words - 1 */
  size_t bytes;   /* counted against the query's memory limit */
} RowHash;

TrineStatus rowhash_init(Exec *x, RowHash *h, const Table *t, uint64_t keys);
void rowhash_free(Exec *x, RowHash *h);

static inline bool rowhash_is(const RowHash *h, size_t row, const TrineId *vals) {
  const TrineId *r = exec_row(h->t, row);
  for (size_t k = 0; k < h->nkey; ++k)
    if (r[h->key[k]] != vals[k]) return false;
  return true;
}

static inline size_t rowhash_next(const RowHash *h, size_t row, const TrineId *vals) {
  for (size_t j = h->next[row]; j != SIZE_MAX; j = h->next[j])
    if (rowhash_is(h, j, vals)) return j;
  return SIZE_MAX;
}

/* Whether a key of hash hv (exec_hash_ids()) may be in the hash: false
 * for all but about 1.5% of those that are not, from one word that a
 * stream of misses (most of a scan joined to few rows) finds in cache. */
static inline bool rowhash_may(const RowHash *h, uint64_t hv) {
  uint64_t w = h->bits[hv >> 32 & h->bmask];
  return w >> (hv >> 58) & w >> (hv >> 52 & 63) & 1;
}

static inline size_t rowhash_slot(const RowHash *h, const TrineId *vals) {
  return (size_t)exec_hash_ids(vals, h->nkey) & h->mask;
}

/* rowhash_find() with the slot of vals already computed. */
static inline size_t rowhash_find_slot(const RowHash *h, size_t slot, const TrineId *vals) {
  size_t j = h->head[slot];
  return j == SIZE_MAX || rowhash_is(h, j, vals) ? j : rowhash_next(h, j, vals);
}

static inline size_t rowhash_find(const RowHash *h, const TrineId *vals) {
  return rowhash_find_slot(h, rowhash_slot(h, vals), vals);
}

/*
 * Lookups streamed past a big hash wait on memory: a slot, then its
 * row. A stream that looks its items up ROWHASH_AHEAD items late, and
 * touches the slot of each item as it comes and the row of the slot
 * half-way, has a few of those reads under way at a time instead of one.
 */
enum { ROWHASH_AHEAD = 16 };

static inline void rowhash_prefetch_slot(const RowHash *h, size_t slot) {
  __builtin_prefetch(&h->head[slot]);
}

static inline void rowhash_prefetch_row(const RowHash *h, size_t slot) {
  size_t j = h->head[slot];
  if (j != SIZE_MAX) __builtin_prefetch(exec_row(h->t, j));
}

/* ---- row sinks (exec.c) ---- */

/**
 * A consumer of rows (GROUP, DISTINCT, ORDER BY) fed a batch at a time as
 * the join group below it makes them, instead of from a table of all of
 * them: the join's rows are not kept, only what the consumer keeps.
 */
typedef struct Sink Sink;
struct Sink {
  /// Take the rows of t in order (it may change them: they go after);
  /// TRINE_DONE: no more are needed.
  TrineStatus (*take)(Exec *x, Sink *s, Table *t);
  const Table *buf; ///< the table the join group's last step makes
  uint64_t rows;    ///< rows taken so far
  bool rest;        ///< set by take: the join keeps the rest, handed over at its end
};

/// Whether t is the table whose rows go to a sink as they are made.
static inline bool exec_draining(const Exec *x, const Table *t) {
  return x->draining && x->draining->buf == t && !x->draining->rest;
}

/// Hand the rows of t to s, then empty t.
TrineStatus exec_sink_drain(Exec *x, Sink *s, Table *t);

/**
 * Evaluate op and hand its rows to s: a join group (alone, or under
 * FILTER, PROJECT, EXTEND or a sub-select) as its last step makes them,
 * any other operator as one table.
 */
TrineStatus exec_op_sink(Exec *x, const SparqlOp *op, GCtx gc, Sink *s);

/// The binds of op, a chain of EXTENDs, on every row of t (one solution
/// each).
TrineStatus exec_extend_rows(Exec *x, const SparqlOp *op, Table *t);

/// The graphs GRAPH op matches in: its IRI's (when the dataset names it),
/// or every named graph of the dataset (*out: malloc()ed, caller frees).
TrineStatus exec_graphs(Exec *x, const SparqlOp *op, TrineId **out, size_t *n);

/* ---- scans (exec_scan.c) ---- */

/// exec_scan() with the cursors kept in cache (NULL: none kept).
TrineStatus exec_scan_cached(Exec *x, Quad q, unsigned mask, GCtx gc, QuadFn fn, void *ctx,
                             ScanCache *cache);
void exec_scan_cache_free(ScanCache *c);

/// Close the cursors exec_scan() and exec_probe() kept (at the end of an
/// evaluation: a write transaction's die when it commits).
void exec_scans_close(Exec *x);

/// Counters of a predicate (c[0..2]) or a graph (c[0]), remembered for
/// the query: planning runs again for every row of OPTIONAL or EXISTS.
void exec_stat(Exec *x, TrineId id, bool graph, uint64_t c[3]);

/**
 * What the planner read so far, kept for the query (Exec.plan): planning
 * runs again for every probe row of an OPTIONAL or EXISTS, and the
 * snapshot does not change under it. Not cleared when made (3 KB a query
 * cleared for nothing): the counts and const_set say which entries hold.
 */
typedef struct PlanCache {
  struct { TrineId id; uint64_t c[3]; bool graph; } stat[32]; ///< exec_stat()
  size_t nstat;
  struct { TrineId q[4]; double n; } counted[32]; ///< patterns' constants counted
  size_t ncounted;
  /// store ids of the request's constant terms by address (0: not stored);
  /// bit i of const_set: consts[i] holds one
  struct { const TrineTerm *term; TrineId id; } consts[64];
  uint64_t const_set;
} PlanCache;

/// x's plan cache, made empty the first time (NULL: out of memory, then
/// nothing is remembered). Freed by exec_free().
PlanCache *exec_plan_cache(Exec *x);

/// Forget what the plan cache holds (an update's operation changed the
/// store for the next).
void exec_plan_cache_clear(Exec *x);

/* ---- dispatch and the executed plan (exec.c) ---- */

/// Evaluate op in the graphs of gc into out (recorded in the plan).
TrineStatus exec_op(Exec *x, const SparqlOp *op, GCtx gc, Table *out);

/// The plan entry of a site, made on first use (label: printf-style);
/// SIZE_MAX when not profiling or out of memory.
size_t exec_prof_site(Exec *x, const void *site, double est, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/// Now in ms when profiling (0 otherwise): a step's time starts from it.
double exec_prof_clock(const Exec *x);
/// Count rows made by entry i since t0.
void exec_prof_count(Exec *x, size_t i, uint64_t rows, double t0);
/// " ?name" or the term of a pattern position, for plan labels.
void exec_slot_text(Exec *x, FILE *f, uint32_t var, TrineId id);

/* ---- triple patterns (exec_pattern.c) ---- */

/// A triple pattern: per position a constant id (var NO_VAR) or a variable.
typedef struct {
  uint32_t var[3];
  TrineId id[3];   /* constants; 0 with var NO_VAR: a constant not in the store */
  bool missing;    /* a constant is not in the store: no match */
} Pat;

/// The pattern of triple t: constants looked up (once per query).
TrineStatus exec_pat_make(Exec *x, const SparqlTriple *t, Pat *p);

/// Expected rows of p given the variables already bound.
double exec_estimate(Exec *x, const Pat *p, const uint64_t *bound, GCtx gc);

/// exec_estimate() with p's constant subject or object counted however
/// many records the predicate's average gives them (up to 100,000): for
/// choosing between patterns the averages cannot tell apart.
double exec_estimate_counted(Exec *x, const Pat *p, const uint64_t *bound, GCtx gc);

/// A constant's records are counted when its average is below this.
#define COUNT_BELOW 1024.0

/* What a probe costs, in records read by a scan and join: about one when
 * the probes come in ascending order (they stay on the cursor's page, see
 * index.c), a B-tree descent when they jump about. On LUBM(10): 40 ns a
 * probe in dense order, 155 ns in sparse order, 1.2 us in random order,
 * 24 ns a record scanned and hashed. */
#define PROBE_IN_ORDER 4
#define PROBE_JUMPING 50

/// Whether all but one in eight rows come in ascending order of v.
bool exec_mostly_ascending(const Table *t, uint32_t v);

/**
 * Whether probing p from each row of cur beats scanning it (in *probe),
 * and the index to probe (*pref; IDX_COUNT: index_choose()'s). shared:
 * the variables bound in every row of cur.
 */
TrineStatus exec_probe_wins(Exec *x, const Pat *p, GCtx gc, const Table *cur,
                            uint64_t shared, bool *probe, IndexId *pref);

/**
 * Extend cur with pattern p into next: probes (probe, pref) or a scan with
 * a merge or hash join. *method and *used say how, for the plan.
 */
TrineStatus exec_step_pattern(Exec *x, const Pat *p, GCtx gc, const Table *cur,
                              uint64_t shared, bool probe, IndexId pref,
                              SparqlExpr *const *fl, size_t nf, Table *next,
                              const char **method, IndexId *used);

enum { STAR_MAX = 8 }; ///< patterns in one star at most

/// Whether p can be part of a star from rows binding bound: subject
/// bound, predicate constant, object a variable not bound in every row.
bool exec_star_member(const Pat *p, uint64_t bound);

/**
 * Extend the rows of in with the matches of k star patterns on one subject
 * (exec_star_member()s) in one step; keep (NULL: none) is a VALUES table of
 * distinct rows, of operator keep_op, the rows made must match.
 */
TrineStatus exec_step_star(Exec *x, const Pat *const *p, size_t k, GCtx gc, const Table *in,
                           const Table *keep, const SparqlOp *keep_op,
                           SparqlExpr *const *filters, size_t nfilters, Table *out);

/* ---- join groups (exec_bgp.c) ---- */

/// Operators a join group takes whole and can extend given rows with (a
/// bind join): BGPs, paths and joins of them (without a SERVICE).
bool exec_pure(const SparqlOp *op);

/**
 * A join group: the rows of in (NULL: the unit table) extended with op's
 * patterns, paths and other operators, filters applied as soon as their
 * variables are bound.
 */
TrineStatus exec_join_group(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                            SparqlExpr *const *filters, size_t nfilters, Table *out);

/**
 * The triple pattern a join group of triple patterns and paths (op, no
 * other operators) would start with from rows binding bound (the
 * cheapest; its expected rows in *est), or NULL when it would start with
 * a path (or on an error, in *st): a streamed group scans it a chunk at a
 * time.
 */
const SparqlTriple *exec_group_first(Exec *x, const SparqlOp *op, GCtx gc, uint64_t bound,
                                     double *est, TrineStatus *st);

/// The rows of that group started from first's est rows: each other leaf's
/// rows per row once first's variables are bound, multiplied (high where a
/// leaf shares no variable with first: a cross product).
double exec_group_rows(Exec *x, const SparqlOp *op, GCtx gc, uint64_t bound,
                       const SparqlTriple *first, double est, TrineStatus *st);

TrineStatus exec_leftjoin(Exec *x, const SparqlOp *op, GCtx gc, Table *out);

/// OPTIONAL whose right side is a join group (exec_pure()) on the rows of
/// ta: each extended by the group, or kept alone when nothing matches.
TrineStatus exec_leftjoin_rows(Exec *x, const SparqlOp *op, GCtx gc, const Table *ta, Table *out);
TrineStatus exec_filter(Exec *x, const SparqlOp *op, GCtx gc, Table *out);

/* ---- property paths (exec_path.c) ---- */

/**
 * Join the rows of in with every pair of op's path, both ends free, on
 * the end whose variable key (bound in every row of in) names: the pairs
 * stream past a hash of the rows.
 */
TrineStatus path_hash_join(Exec *x, const SparqlOp *op, GCtx gc, const Table *in, uint32_t key,
                           SparqlExpr *const *filters, size_t nfilters, Table *out);

TrineStatus path_extend(Exec *x, const SparqlOp *op, GCtx gc, const Table *in,
                        SparqlExpr *const *filters, size_t nfilters, Table *out);

/// The pairs of op's path from the given ends (0: free), each handed to fn.
TrineStatus path_each(Exec *x, const SparqlOp *op, GCtx gc, TrineId s, TrineId o, PairFn fn,
                      void *ctx);

/* ---- intersections (exec_intersect.c) ---- */

enum { ISECT_MAX = 4 }; /* patterns one intersection step joins at most */

/// One pattern of an intersection: a triple pattern (pat) or a path (op)
/// of links, inverse links and alternatives.
typedef struct {
  const Pat *pat;
  const SparqlOp *op;
} IsectLeg;

/**
 * Extend each row of cur with the values of v that every leg yields from
 * it (each leg binds v and nothing else the row lacks), each value once
 * per combination of its occurrences in the legs, and keep the rows that
 * pass fl. The legs' values are read as sorted lists and intersected.
 */
TrineStatus exec_step_intersect(Exec *x, const IsectLeg *legs, size_t nlegs, uint32_t v, GCtx gc,
                                const Table *cur, SparqlExpr *const *fl, size_t nf, Table *next);

/* ---- grouping, modifiers, EXISTS and MINUS ---- */

TrineStatus exec_group(Exec *x, const SparqlOp *op, GCtx gc, Table *out);
TrineStatus exec_orderby(Exec *x, const SparqlOp *op, GCtx gc, Table *out);
TrineStatus exec_project(Exec *x, const SparqlOp *op, GCtx gc, Table *out);
/// Unbind, in every row of t, the variables op (a PROJECT) leaves out.
TrineStatus exec_project_rows(Exec *x, const SparqlOp *op, Table *t);
/// DISTINCT and REDUCED: the first of equal rows.
TrineStatus exec_distinct(Exec *x, const SparqlOp *op, GCtx gc, Table *out);
TrineStatus exec_slice(Exec *x, const SparqlOp *op, GCtx gc, Table *out);
TrineStatus exec_minus(Exec *x, const SparqlOp *op, GCtx gc, Table *out);

/// EXISTS { pattern } on a row (the expression evaluator's callback; ctx:
/// the Exec).
TrineStatus exec_exists(void *ctx, const SparqlOp *pattern, const TrineId *row, bool *found);
/// Forget EXISTS patterns kept for the evaluation.
void exec_exists_free(Exec *x);

#endif
