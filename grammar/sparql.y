/* sparql.y -- the SPARQL 1.1 Query and Update grammar (pure bison).
 *
 * The parser builds a syntax tree (internal.h) in the request arena, so a
 * failed parse leaks nothing: sparql_parse() frees the arena. Prefixed names
 * and relative IRIs are resolved as they are reduced, against the prologue
 * seen so far. Static checks and the algebra come later (translate.c). */

%code requires {
#include "internal.h"

typedef struct {
  const char *s;  ///< text (arena), e.g. a prefix
  size_t n;
  const char *s2; ///< PNAME_LN: the unescaped local part
  size_t n2;
} Tok;

typedef struct {
  size_t start, end; ///< byte offsets
} SrcLoc;

/// A graph node with the triples its [ ] or ( ) syntax generates.
typedef struct {
  SparqlSlot slot;
  TripleList extra;
} Node;

/// Predicate-object pairs of a property list.
typedef struct Pair {
  SparqlSlot p;
  SparqlPath *path;
  Node o;
  struct Pair *next;
} Pair;

typedef struct {
  Pair *first, *last;
} PairList;

typedef struct {
  SparqlExpr **v;
  size_t n, cap;
} ExprVec;

typedef struct {
  TrineTerm *v;
  size_t n, cap;
  size_t ninv;
} TermVec;

typedef void *yyscan_t;
}

%code provides {
int trine_yylex(TRINE_YYSTYPE *val, SrcLoc *loc, yyscan_t scanner);
}

%code {
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define YYLLOC_DEFAULT(cur, rhs, n)                                          \
  do {                                                                       \
    if (n) {                                                                 \
      (cur).start = YYRHSLOC(rhs, 1).start;                                  \
      (cur).end = YYRHSLOC(rhs, n).end;                                      \
    } else {                                                                 \
      (cur).start = (cur).end = YYRHSLOC(rhs, 0).end;                        \
    }                                                                        \
  } while (0)

/* Nesting that brackets do not show (!!!x, ^^^p) still grows the stack. */
#define YYMAXDEPTH 10000

static void trine_yyerror(SrcLoc *loc, yyscan_t scanner, Parser *p,
                          const char *msg);
static void *A(Parser *p, size_t n);
static TrineTerm iri_term(Parser *p, const char *s, size_t n);
static bool pname(Parser *p, SrcLoc at, Tok t, TrineTerm *out);
static TrineTerm literal(Parser *p, Tok lex, const char *dt, const char *lang,
                         size_t langn);
static SparqlSlot term_slot(TrineTerm t);
static SparqlSlot var_slot(uint32_t v);
static SparqlSlot anon(Parser *p);
static SparqlSlot label_slot(Tok t);
static Node node(SparqlSlot s);
static void tl_append(TripleList *l, TripleList more);
static void tl_add(Parser *p, TripleList *l, SparqlSlot s, SparqlSlot pr,
                   SparqlPath *path, SparqlSlot o, size_t off);
static TripleList subject_triples(Parser *p, Node s, PairList pl, size_t off);
static PairList pairs_with_verb(PairList objs, SparqlSlot v, SparqlPath *path);
static PairList pairs_one(Parser *p, Node o);
static void pairs_append(PairList *l, PairList more);
static Node collection_add(Parser *p, Node list, Node item);
static SparqlPath *path_new(Parser *p, SparqlPathKind k, SparqlPath *a,
                            SparqlPath *b);
static SparqlPath *path_link(Parser *p, TrineTerm iri);
static TrineTerm rdf_type(Parser *p);
static SparqlExpr *ex_new(Parser *p, SparqlExprKind k, size_t off);
static SparqlExpr *ex2(Parser *p, SparqlExprKind k, SparqlExpr *a,
                       SparqlExpr *b);
static SparqlExpr *ex1(Parser *p, SparqlExprKind k, SparqlExpr *a, size_t off);
static SparqlExpr *ex_call(Parser *p, int fn, size_t off, int nargs, ...);
static SparqlExpr *ex_callv(Parser *p, SparqlExprKind k, int fn, size_t off,
                            ExprVec v);
static SparqlExpr *ex_term(Parser *p, TrineTerm t, size_t off);
static SparqlExpr *ex_var(Parser *p, uint32_t v, size_t off);
static SparqlExpr *ex_agg(Parser *p, int agg, bool distinct, SparqlExpr *arg,
                          const char *sep, size_t off);
static SparqlExpr *ex_exists(Parser *p, bool neg, Group *g, size_t off);
static ExprVec ev_add(Parser *p, ExprVec v, SparqlExpr *e);
static Elem *elem(Parser *p, ElemKind k, size_t off);
static const char *service_text(Parser *p, SrcLoc group);
static Group *group_new(Parser *p);
static void group_add(Group *g, Elem *e);
static void group_triples(Parser *p, Group *g, TripleList t, size_t off);
static Select *select_new(Parser *p, SparqlForm form);
static ExprItem *eitem(Parser *p, SparqlExpr *e, uint32_t var, bool desc,
                       size_t off);
static bool set_limit(Parser *p, SrcLoc at, Tok t, int64_t *out);
static Values *values_new(Parser *p);
static bool values_row(Parser *p, Values *v, SparqlSlot *cells, size_t n,
                       SrcLoc at);
static AUpdate *update_new(Parser *p, SparqlUpdateKind k, size_t off);
static void update_add(Parser *p, AUpdate *u);
static QuadList quads_of(Parser *p, TripleList t, SparqlSlot g, size_t goff);
static void quads_append(QuadList *l, QuadList more);
static TrineTerm graph_default(void);

#define FAIL(at, ...)                                                        \
  do {                                                                       \
    sparql_fail(p, (at).start, __VA_ARGS__);                                 \
    YYABORT;                                                                 \
  } while (0)
}

%define api.pure full
%define api.prefix {trine_yy}
%define api.location.type {SrcLoc}
%define parse.error custom
%define parse.lac full
%locations
%expect 0
%lex-param {yyscan_t scanner}
%parse-param {yyscan_t scanner} {Parser *p}

%union {
  Tok tok;
  int num;
  bool flag;
  uint32_t var;
  TrineTerm term;
  SparqlSlot slot;
  SparqlPath *path;
  SparqlExpr *expr;
  ExprVec exprs;
  TermVec terms;
  Node node;
  PairList pairs;
  TripleList triples;
  QuadList quads;
  Group *group;
  GroupList *alts;
  Elem *elem;
  Select *select;
  ExprItem *items;
  Values *values;
  VEC(SparqlSlot) slots;
  AUpdate *update;
}

%token <tok> IRIREF "an IRI" PNAME_NS "a prefix name" PNAME_LN "a prefixed name"
%token <tok> BLANK_NODE_LABEL "a blank node label" VAR "a variable"
%token <tok> LANGTAG "a language tag" STRING "a string"
%token <tok> INTEGER "an integer" DECIMAL "a decimal" DOUBLE "a double"
%token <tok> INTEGER_SIGNED "a signed integer" DECIMAL_SIGNED "a signed decimal"
%token <tok> DOUBLE_SIGNED "a signed double"
%token NIL "'()'" ANON "'[]'" HATHAT "'^^'" OR "'||'" AND "'&&'"
%token NE "'!='" LE "'<='" GE "'>='"
%token <num> FUNC0 "function name/0" FUNC1 "a function name" FUNC2 "function name/2"
%token <num> FUNCN "function name/n" FUNC23 "function name/2-3"
%token <num> FUNC34 "function name/3-4" BOUND "'BOUND'" BNODE "'BNODE'" IF "'IF'"
%token <num> COUNT "'COUNT'" AGG "an aggregate" GROUP_CONCAT "'GROUP_CONCAT'"
%token ADD "'ADD'" ALL "'ALL'" AS "'AS'" ASC "'ASC'" ASK "'ASK'"
%token BASE "'BASE'" BIND "'BIND'" BY "'BY'" CLEAR "'CLEAR'"
%token CONSTRUCT "'CONSTRUCT'" COPY "'COPY'" CREATE "'CREATE'" DATA "'DATA'"
%token DEFAULT "'DEFAULT'" DELETE "'DELETE'" DESC "'DESC'"
%token DESCRIBE "'DESCRIBE'" DISTINCT "'DISTINCT'" DROP "'DROP'"
%token EXISTS "'EXISTS'" FALSE "'false'" FILTER "'FILTER'" FROM "'FROM'"
%token GRAPH "'GRAPH'" GROUP "'GROUP'" HAVING "'HAVING'" IN "'IN'"
%token INSERT "'INSERT'" INTO "'INTO'" LIMIT "'LIMIT'" LOAD "'LOAD'"
%token MINUS "'MINUS'" MOVE "'MOVE'" NAMED "'NAMED'" NOT "'NOT'"
%token OFFSET "'OFFSET'" OPTIONAL "'OPTIONAL'" ORDER "'ORDER'"
%token PREFIX "'PREFIX'" REDUCED "'REDUCED'" SELECT "'SELECT'"
%token SEPARATOR "'SEPARATOR'" SERVICE "'SERVICE'" SILENT "'SILENT'"
%token TO "'TO'" TRUE "'true'" UNDEF "'UNDEF'" UNION "'UNION'"
%token USING "'USING'" VALUES "'VALUES'" WHERE "'WHERE'" WITH "'WITH'"

%type <term> iri rdf_literal numeric boolean data_value path_one
%type <var> var
%type <slot> var_or_term var_or_iri graph_term blank_node
%type <node> graph_node collection_items
%type <pairs> prop_list prop_list_opt object_list prop_item
%type <triples> tssp triples_block triples_opt
%type <path> path path_seq path_elt path_primary
%type <num> path_mod
%type <terms> nps_list
%type <expr> expression and_expr relational additive multiplicative
%type <expr> signed_mul unary primary builtin aggregate iri_or_call constraint
%type <expr> bracketted signed_numeric
%type <exprs> expr_list arg_list expr_seq
%type <flag> distinct_opt silent_opt
%type <group> ggp ggp_sub
%type <alts> group_or_union
%type <elem> gp_not_triples
%type <select> select_clause subselect select_query construct_query
%type <select> describe_query ask_query query_body
%type <items> group_conds group_cond having_conds order_conds order_cond
%type <values> data_block values_opt one_var_values
%type <slots> data_values var_list
%type <quads> quads quads_not_triples quad_block insert_opt
%type <update> update1 modify_body graph_ref_all
%type <term> graph_ref graph_or_default

%%

request
  : prologue query_body values_opt  {
      p->query = $2;
      $2->values = $3;
      p->req->form = $2->form; }
  | updates
  ;

updates
  : prologue
  | update_ops
  | update_ops ';' prologue
  ;

update_ops
  : prologue update1                  { update_add(p, $2); }
  | update_ops ';' prologue update1   { update_add(p, $4); }
  ;

prologue
  : %empty
  | prologue BASE IRIREF  {
      p->base = sparql_iri_resolve(p->arena, p->base, $3.s, $3.n); }
  | prologue PREFIX PNAME_NS IRIREF  {
      bool fresh;
      MapEntry *e = sparql_map_put(&p->prefixes, p->arena, $3.s, $3.n, &fresh);
      e->val = (uint32_t)p->prefix_iris.n;
      VEC_PUSH(p->arena, p->prefix_iris,
               sparql_iri_resolve(p->arena, p->base, $4.s, $4.n));
      VEC_PUSH(p->arena, p->prefix_names, e->key); }
  ;

/* ---- queries ---- */

query_body
  : select_query | construct_query | describe_query | ask_query ;

select_query
  : select_clause dataset where solution_modifier  { $$ = $1; }
  ;

subselect
  : select_clause where solution_modifier values_opt  {
      $$ = $1; $$->values = $4; p->query = $1->outer; }
  ;

select_clause
  : SELECT  { p->query = select_new(p, SPARQL_SELECT); }
    distinct_reduced select_items  { $$ = p->query; }
  ;

distinct_reduced
  : %empty
  | DISTINCT  { p->query->distinct = true; }
  | REDUCED   { p->query->reduced = true; }
  ;

select_items
  : '*'  { p->query->star = true; p->query->star_offset = @1.start; }
  | select_list
  ;

select_list
  : select_item
  | select_list select_item
  ;

select_item
  : VAR  { /* not through var: one reduction fewer a column */
      ProjItem *it = A(p, sizeof *it);
      it->var = sparql_var_intern(p, $1.s, $1.n); it->offset = @1.start;
      if (p->query->proj_last) p->query->proj_last->next = it;
      else p->query->proj = it;
      p->query->proj_last = it; }
  | '(' expression AS var ')'  {
      ProjItem *it = A(p, sizeof *it);
      it->var = $4; it->expr = $2; it->offset = @4.start;
      if (p->query->proj_last) p->query->proj_last->next = it;
      else p->query->proj = it;
      p->query->proj_last = it; }
  ;

construct_query
  : CONSTRUCT  { p->query = select_new(p, SPARQL_CONSTRUCT); }
    '{' triples_opt '}' dataset where solution_modifier  {
      $$ = p->query; $$->construct = $4; }
  | CONSTRUCT  { p->query = select_new(p, SPARQL_CONSTRUCT); }
    dataset WHERE '{' triples_opt '}' solution_modifier  {
      $$ = p->query; $$->construct = $6; $$->construct_where = true;
      $$->where = group_new(p);
      group_triples(p, $$->where, $6, @5.start); }
  ;

describe_query
  : DESCRIBE  { p->query = select_new(p, SPARQL_DESCRIBE); }
    describe_targets dataset where_opt solution_modifier  { $$ = p->query; }
  ;

describe_targets
  : '*'  { p->query->describe_star = true; }
  | describe_list
  ;

describe_list
  : var_or_iri                { VEC_PUSH(p->arena, p->query->describe, $1); }
  | describe_list var_or_iri  { VEC_PUSH(p->arena, p->query->describe, $2); }
  ;

ask_query
  : ASK  { p->query = select_new(p, SPARQL_ASK); }
    dataset where solution_modifier  { $$ = p->query; }
  ;

dataset
  : %empty
  | dataset FROM iri        { VEC_PUSH(p->arena, p->from, $3); }
  | dataset FROM NAMED iri  { VEC_PUSH(p->arena, p->from_named, $4); }
  ;

where_opt
  : %empty  { p->query->where = group_new(p); }
  | where
  ;

where
  : ggp        { p->query->where = $1; }
  | WHERE ggp  { p->query->where = $2; }
  ;

solution_modifier
  : group_opt having_opt order_opt limit_offset_opt
  ;

group_opt
  : %empty
  | GROUP BY group_conds  { p->query->group_by = $3; p->query->group_offset = @1.start; }
  ;

group_conds
  : group_cond              { $$ = $1; }
  | group_conds group_cond  {
      ExprItem *t = $1; while (t->next) t = t->next;
      t->next = $2; $$ = $1; }
  ;

group_cond
  : builtin                         { $$ = eitem(p, $1, SPARQL_NO_VAR, false, @1.start); }
  | iri arg_list                    {
      SparqlExpr *e = ex_callv(p, SPARQL_EX_FUNCTION, 0, @1.start, $2);
      e->term = $1;
      $$ = eitem(p, e, SPARQL_NO_VAR, false, @1.start); }
  | '(' expression ')'              { $$ = eitem(p, $2, SPARQL_NO_VAR, false, @2.start); }
  | '(' expression AS var ')'       { $$ = eitem(p, $2, $4, false, @4.start); }
  | var                             {
      $$ = eitem(p, ex_var(p, $1, @1.start), $1, false, @1.start); }
  ;

having_opt
  : %empty
  | HAVING having_conds  { p->query->having = $2; }
  ;

having_conds
  : constraint               { $$ = eitem(p, $1, SPARQL_NO_VAR, false, @1.start); }
  | having_conds constraint  {
      ExprItem *t = $1; while (t->next) t = t->next;
      t->next = eitem(p, $2, SPARQL_NO_VAR, false, @2.start); $$ = $1; }
  ;

order_opt
  : %empty
  | ORDER BY order_conds  { p->query->order = $3; }
  ;

order_conds
  : order_cond              { $$ = $1; }
  | order_conds order_cond  {
      ExprItem *t = $1; while (t->next) t = t->next;
      t->next = $2; $$ = $1; }
  ;

order_cond
  : ASC bracketted   { $$ = eitem(p, $2, SPARQL_NO_VAR, false, @2.start); }
  | DESC bracketted  { $$ = eitem(p, $2, SPARQL_NO_VAR, true, @2.start); }
  | constraint       { $$ = eitem(p, $1, SPARQL_NO_VAR, false, @1.start); }
  | var              { $$ = eitem(p, ex_var(p, $1, @1.start), SPARQL_NO_VAR, false, @1.start); }
  ;

limit_offset_opt
  : %empty
  | limit
  | offset
  | limit offset
  | offset limit
  ;

limit
  : LIMIT INTEGER   { if (!set_limit(p, @2, $2, &p->query->limit)) YYABORT; }
  ;

offset
  : OFFSET INTEGER  { if (!set_limit(p, @2, $2, &p->query->offset)) YYABORT; }
  ;

values_opt
  : %empty             { $$ = NULL; }
  | VALUES data_block  { $$ = $2; }
  ;

data_block
  : one_var_values '}'               { $$ = $1; }
  | NIL '{'  { p->cur_values = values_new(p); }
    full_rows '}'  { $$ = p->cur_values; }
  | '(' var_list ')' '{'  {
      p->cur_values = values_new(p);
      for (size_t i = 0; i < $2.n; i++)
        VEC_PUSH(p->arena, p->cur_values->vars, $2.v[i].var); }
    full_rows '}'  { $$ = p->cur_values; }
  ;

one_var_values
  : var '{'  {
      $$ = values_new(p);
      VEC_PUSH(p->arena, $$->vars, $1); }
  | one_var_values data_value  {
      $$ = $1;
      SparqlSlot c = term_slot($2);
      values_row(p, $$, &c, 1, @2); }
  ;

full_rows
  : %empty
  | full_rows '(' data_values ')'  {
      if (!values_row(p, p->cur_values, $3.v, $3.n, @2)) YYABORT; }
  | full_rows NIL  {
      if (!values_row(p, p->cur_values, NULL, 0, @2)) YYABORT; }
  ;

var_list
  : %empty            { $$.v = NULL; $$.n = $$.cap = 0; }
  | var_list var      { $$ = $1; VEC_PUSH(p->arena, $$, var_slot($2)); }
  ;

data_values
  : %empty                  { $$.v = NULL; $$.n = $$.cap = 0; }
  | data_values data_value  { $$ = $1; VEC_PUSH(p->arena, $$, term_slot($2)); }
  ;

data_value
  : iri | rdf_literal | numeric | boolean
  | UNDEF  { memset(&$$, 0, sizeof $$); }
  ;

/* ---- group graph patterns ---- */

ggp
  : '{' subselect '}'  {
      $$ = group_new(p);
      Elem *e = elem(p, E_SUBSELECT, @2.start);
      e->sub = $2;
      group_add($$, e); }
  | '{' ggp_sub '}'    { $$ = $2; }
  ;

ggp_sub
  : triples_opt  {
      $$ = group_new(p);
      group_triples(p, $$, $1, @1.start); }
  | ggp_sub gp_not_triples dot_opt triples_opt  {
      $$ = $1;
      group_add($$, $2);
      group_triples(p, $$, $4, @4.start); }
  ;

dot_opt
  : %empty
  | '.'
  ;

triples_opt
  : %empty                 { $$.first = $$.last = NULL; }
  | triples_block          { $$ = $1; }
  | triples_block '.'      { $$ = $1; }
  ;

triples_block
  : tssp                    { $$ = $1; }
  | triples_block '.' tssp  { $$ = $1; tl_append(&$$, $3); }
  ;

gp_not_triples
  : group_or_union  {
      if (!$1->next) {
        $$ = elem(p, E_GROUP, @1.start);
        $$->group = $1->g;
      } else {
        $$ = elem(p, E_UNION, @1.start);
        $$->alts = $1;
      } }
  | OPTIONAL ggp  { $$ = elem(p, E_OPTIONAL, @1.start); $$->group = $2; }
  | MINUS ggp     { $$ = elem(p, E_MINUS, @1.start); $$->group = $2; }
  | GRAPH var_or_iri ggp  {
      $$ = elem(p, E_GRAPH, @1.start); $$->target = $2; $$->group = $3; }
  | SERVICE silent_opt var_or_iri ggp  {
      $$ = elem(p, E_SERVICE, @1.start);
      $$->silent = $2; $$->target = $3; $$->group = $4;
      $$->text = service_text(p, @4); }
  | FILTER constraint  { $$ = elem(p, E_FILTER, @1.start); $$->expr = $2; }
  | BIND '(' expression AS var ')'  {
      $$ = elem(p, E_BIND, @1.start);
      $$->expr = $3; $$->var = $5; $$->var_offset = @5.start; }
  | VALUES data_block  { $$ = elem(p, E_VALUES, @1.start); $$->values = $2; }
  ;

group_or_union
  : ggp  { $$ = A(p, sizeof *$$); $$->g = $1; }
  | group_or_union UNION ggp  {
      GroupList *l = A(p, sizeof *l), *t = $1;
      l->g = $3;
      while (t->next) t = t->next;
      t->next = l;
      $$ = $1; }
  ;

silent_opt
  : %empty  { $$ = false; }
  | SILENT  { $$ = true; }
  ;

/* ---- triples (patterns and templates share the rules) ---- */

tssp
  : var_or_term prop_list  { $$ = subject_triples(p, node($1), $2, @1.start); }
  | '[' prop_list ']' prop_list_opt  {
      Node s = node(anon(p));
      $$ = subject_triples(p, s, $2, @1.start);
      tl_append(&$$, subject_triples(p, s, $4, @1.start)); }
  | '(' collection_items ')' prop_list_opt  {
      $$ = $2.extra;
      tl_append(&$$, subject_triples(p, node($2.slot), $4, @1.start)); }
  ;

prop_list_opt
  : %empty      { $$.first = $$.last = NULL; }
  | prop_list   { $$ = $1; }
  ;

prop_list
  : prop_item                    { $$ = $1; }
  | prop_list ';'                { $$ = $1; }
  | prop_list ';' prop_item      { $$ = $1; pairs_append(&$$, $3); }
  ;

prop_item
  : var object_list   { $$ = pairs_with_verb($2, var_slot($1), NULL); }
  | path object_list  {
      if ($1->kind == SPARQL_PATH_LINK)
        $$ = pairs_with_verb($2, term_slot($1->iri), NULL);
      else
        $$ = pairs_with_verb($2, term_slot(graph_default()), $1); }
  ;

object_list
  : graph_node                  { $$ = pairs_one(p, $1); }
  | object_list ',' graph_node  { $$ = $1; pairs_append(&$$, pairs_one(p, $3)); }
  ;

/* VAR and graph_term directly, not through var and var_or_term: two
 * reductions fewer an object variable, one an object term. */
graph_node
  : VAR         { $$ = node(var_slot(sparql_var_intern(p, $1.s, $1.n))); }
  | graph_term  { $$ = node($1); }
  | '[' prop_list ']'  {
      $$ = node(anon(p));
      $$.extra = subject_triples(p, $$, $2, @1.start); }
  | '(' collection_items ')'  { $$ = $2; }
  ;

/* A collection: slot is its head; the last cell's rest is closed at ')'. */
collection_items
  : graph_node                   {
      $$.slot.term.kind = TRINE_TERM_NONE; $$.slot.var = SPARQL_NO_VAR;
      $$.extra.first = $$.extra.last = NULL;
      $$ = collection_add(p, $$, $1); }
  | collection_items graph_node  { $$ = collection_add(p, $1, $2); }
  ;

/* PathAlternative, PathSequence and PathEltOrInverse, with no rule of
 * their own for a single element: with path_elt taking an IRI directly,
 * a predicate IRI becomes a path through three reductions (path_elt,
 * path_seq, path), not six (about 60 instructions each). */
path
  : path_seq                   { $$ = $1; }
  | path '|' path_seq          { $$ = path_new(p, SPARQL_PATH_ALT, $1, $3); }
  ;

path_seq
  : path_elt                   { $$ = $1; }
  | '^' path_elt               { $$ = path_new(p, SPARQL_PATH_INV, $2, NULL); }
  | path_seq '/' path_elt      { $$ = path_new(p, SPARQL_PATH_SEQ, $1, $3); }
  | path_seq '/' '^' path_elt  {
      $$ = path_new(p, SPARQL_PATH_SEQ, $1, path_new(p, SPARQL_PATH_INV, $4, NULL)); }
  ;

/* PathElt. An IRI or 'a' is reduced to it directly, not through a
 * PathPrimary of its own: one reduction fewer a predicate. */
path_elt
  : iri                        { $$ = path_link(p, $1); }
  | iri path_mod               { $$ = path_new(p, $2, path_link(p, $1), NULL); }
  | 'a'                        { $$ = path_link(p, rdf_type(p)); }
  | 'a' path_mod               { $$ = path_new(p, $2, path_link(p, rdf_type(p)), NULL); }
  | path_primary               { $$ = $1; }
  | path_primary path_mod      { $$ = path_new(p, $2, $1, NULL); }
  ;

path_mod
  : '?'  { $$ = SPARQL_PATH_OPT; }
  | '*'  { $$ = SPARQL_PATH_STAR; }
  | '+'  { $$ = SPARQL_PATH_PLUS; }
  ;

/* PathPrimary but for an IRI and 'a' (path_elt has them). */
path_primary
  : '!' path_one  {
      $$ = path_new(p, SPARQL_PATH_NPS, NULL, NULL);
      $$->nps = A(p, sizeof *$$->nps);
      $$->nps[0] = $2;
      if ($2.lang) { $$->nps[0].lang = NULL; $$->ninv = 1; } else $$->nnps = 1; }
  | '!' '(' nps_list ')'  {
      $$ = path_new(p, SPARQL_PATH_NPS, NULL, NULL);
      /* forward IRIs first, then inverse ones */
      $$->nps = A(p, ($3.n + 1) * sizeof *$$->nps);
      size_t k = 0;
      for (int inv = 0; inv < 2; inv++)
        for (size_t i = 0; i < $3.n; i++)
          if (!!$3.v[i].lang == inv) {
            $$->nps[k] = $3.v[i];
            $$->nps[k++].lang = NULL;
          }
      $$->ninv = $3.ninv;
      $$->nnps = $3.n - $3.ninv; }
  | '!' NIL  { $$ = path_new(p, SPARQL_PATH_NPS, NULL, NULL); }
  | '(' path ')'  { $$ = $2; }
  ;

/* In an NPS, lang != NULL marks an inverse IRI (cleared afterwards). */
nps_list
  : path_one  {
      memset(&$$, 0, sizeof $$);
      VEC_PUSH(p->arena, $$, $1);
      $$.ninv = $1.lang ? 1 : 0; }
  | nps_list '|' path_one  {
      $$ = $1;
      VEC_PUSH(p->arena, $$, $3);
      $$.ninv += $3.lang ? 1 : 0; }
  ;

path_one
  : iri      { $$ = $1; }
  | 'a'      { $$ = iri_term(p, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", 47); }
  | '^' iri  { $$ = $2; $$.lang = "^"; }
  | '^' 'a'  {
      $$ = iri_term(p, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", 47);
      $$.lang = "^"; }
  ;

var_or_term
  : VAR         { $$ = var_slot(sparql_var_intern(p, $1.s, $1.n)); }
  | graph_term  { $$ = $1; }
  ;

var_or_iri
  : var  { $$ = var_slot($1); }
  | iri  { $$ = term_slot($1); }
  ;

var
  : VAR  { $$ = sparql_var_intern(p, $1.s, $1.n); }
  ;

graph_term
  : iri          { $$ = term_slot($1); }
  | rdf_literal  { $$ = term_slot($1); }
  | numeric      { $$ = term_slot($1); }
  | boolean      { $$ = term_slot($1); }
  | blank_node   { $$ = $1; }
  | NIL          {
      $$ = term_slot(iri_term(p, "http://www.w3.org/1999/02/22-rdf-syntax-ns#nil", 46)); }
  ;

blank_node
  : BLANK_NODE_LABEL  { $$ = label_slot($1); }
  | ANON              { $$ = anon(p); }
  ;

/* ---- expressions ---- */

constraint
  : bracketted   { $$ = $1; }
  | builtin      { $$ = $1; }
  | iri arg_list {
      $$ = ex_callv(p, SPARQL_EX_FUNCTION, 0, @1.start, $2);
      $$->term = $1; }
  ;

bracketted
  : '(' expression ')'  { $$ = $2; }
  ;

/* Expression and ConditionalOrExpression in one rule: one reduction fewer
 * an expression. */
expression
  : and_expr                { $$ = $1; }
  | expression OR and_expr  { $$ = ex2(p, SPARQL_EX_OR, $1, $3); }
  ;

and_expr
  : relational              { $$ = $1; }
  | and_expr AND relational { $$ = ex2(p, SPARQL_EX_AND, $1, $3); }
  ;

relational
  : additive                    { $$ = $1; }
  | additive '=' additive       { $$ = ex2(p, SPARQL_EX_EQ, $1, $3); }
  | additive NE additive        { $$ = ex2(p, SPARQL_EX_NE, $1, $3); }
  | additive '<' additive       { $$ = ex2(p, SPARQL_EX_LT, $1, $3); }
  | additive '>' additive       { $$ = ex2(p, SPARQL_EX_GT, $1, $3); }
  | additive LE additive        { $$ = ex2(p, SPARQL_EX_LE, $1, $3); }
  | additive GE additive        { $$ = ex2(p, SPARQL_EX_GE, $1, $3); }
  | additive IN expr_list       {
      ExprVec v = {0};
      v = ev_add(p, v, $1);
      for (size_t i = 0; i < $3.n; i++) v = ev_add(p, v, $3.v[i]);
      $$ = ex_callv(p, SPARQL_EX_IN, 0, @1.start, v); }
  | additive NOT IN expr_list   {
      ExprVec v = {0};
      v = ev_add(p, v, $1);
      for (size_t i = 0; i < $4.n; i++) v = ev_add(p, v, $4.v[i]);
      $$ = ex_callv(p, SPARQL_EX_NOT_IN, 0, @1.start, v); }
  ;

additive
  : multiplicative               { $$ = $1; }
  | additive '+' multiplicative  { $$ = ex2(p, SPARQL_EX_ADD, $1, $3); }
  | additive '-' multiplicative  { $$ = ex2(p, SPARQL_EX_SUB, $1, $3); }
  | additive signed_mul          { $$ = ex2(p, SPARQL_EX_ADD, $1, $2); }
  ;

/* "?a -1 * ?b" is ?a + (-1 * ?b): the sign belongs to the number. */
signed_mul
  : signed_numeric               { $$ = $1; }
  | signed_mul '*' unary         { $$ = ex2(p, SPARQL_EX_MUL, $1, $3); }
  | signed_mul '/' unary         { $$ = ex2(p, SPARQL_EX_DIV, $1, $3); }
  ;

multiplicative
  : unary                        { $$ = $1; }
  | multiplicative '*' unary     { $$ = ex2(p, SPARQL_EX_MUL, $1, $3); }
  | multiplicative '/' unary     { $$ = ex2(p, SPARQL_EX_DIV, $1, $3); }
  ;

unary
  : '!' primary  { $$ = ex1(p, SPARQL_EX_NOT, $2, @1.start); }
  | '+' primary  { $$ = ex1(p, SPARQL_EX_PLUS, $2, @1.start); }
  | '-' primary  { $$ = ex1(p, SPARQL_EX_NEG, $2, @1.start); }
  | primary      { $$ = $1; }
  ;

primary
  : bracketted     { $$ = $1; }
  | builtin        { $$ = $1; }
  | iri_or_call    { $$ = $1; }
  | rdf_literal    { $$ = ex_term(p, $1, @1.start); }
  | numeric        { $$ = ex_term(p, $1, @1.start); }
  | boolean        { $$ = ex_term(p, $1, @1.start); }
  | var            { $$ = ex_var(p, $1, @1.start); }
  ;

signed_numeric
  : INTEGER_SIGNED  { $$ = ex_term(p, literal(p, $1, XSD "integer", NULL, 0), @1.start); }
  | DECIMAL_SIGNED  { $$ = ex_term(p, literal(p, $1, XSD "decimal", NULL, 0), @1.start); }
  | DOUBLE_SIGNED   { $$ = ex_term(p, literal(p, $1, XSD "double", NULL, 0), @1.start); }
  ;

iri_or_call
  : iri           { $$ = ex_term(p, $1, @1.start); }
  | iri arg_list  {
      $$ = ex_callv(p, SPARQL_EX_FUNCTION, 0, @1.start, $2);
      $$->term = $1; }
  ;

arg_list
  : NIL                  { memset(&$$, 0, sizeof $$); }
  | '(' expr_seq ')'     { $$ = $2; }
  | '(' DISTINCT expr_seq ')'  { $$ = $3; }
  ;

expr_list
  : NIL               { memset(&$$, 0, sizeof $$); }
  | '(' expr_seq ')'  { $$ = $2; }
  ;

expr_seq
  : expression               { memset(&$$, 0, sizeof $$); $$ = ev_add(p, $$, $1); }
  | expr_seq ',' expression  { $$ = ev_add(p, $1, $3); }
  ;

builtin
  : aggregate                          { $$ = $1; }
  | FUNC0 NIL                          { $$ = ex_call(p, $1, @1.start, 0); }
  | FUNC1 '(' expression ')'           { $$ = ex_call(p, $1, @1.start, 1, $3); }
  | FUNC2 '(' expression ',' expression ')'  {
      $$ = ex_call(p, $1, @1.start, 2, $3, $5); }
  | FUNCN expr_list                    {
      $$ = ex_callv(p, SPARQL_EX_CALL, $1, @1.start, $2); }
  | BOUND '(' var ')'                  {
      $$ = ex_call(p, $1, @1.start, 1, ex_var(p, $3, @3.start)); }
  | BNODE '(' expression ')'           { $$ = ex_call(p, $1, @1.start, 1, $3); }
  | BNODE NIL                          { $$ = ex_call(p, $1, @1.start, 0); }
  | IF '(' expression ',' expression ',' expression ')'  {
      $$ = ex_call(p, $1, @1.start, 3, $3, $5, $7); }
  | FUNC23 '(' expression ',' expression ')'  {
      $$ = ex_call(p, $1, @1.start, 2, $3, $5); }
  | FUNC23 '(' expression ',' expression ',' expression ')'  {
      $$ = ex_call(p, $1, @1.start, 3, $3, $5, $7); }
  | FUNC34 '(' expression ',' expression ',' expression ')'  {
      $$ = ex_call(p, $1, @1.start, 3, $3, $5, $7); }
  | FUNC34 '(' expression ',' expression ',' expression ',' expression ')'  {
      $$ = ex_call(p, $1, @1.start, 4, $3, $5, $7, $9); }
  | EXISTS ggp      { $$ = ex_exists(p, false, $2, @1.start); }
  | NOT EXISTS ggp  { $$ = ex_exists(p, true, $3, @1.start); }
  ;

aggregate
  : COUNT '(' distinct_opt '*' ')'  {
      $$ = ex_agg(p, $1, $3, NULL, NULL, @1.start); }
  | COUNT '(' distinct_opt expression ')'  {
      $$ = ex_agg(p, $1, $3, $4, NULL, @1.start); }
  | AGG '(' distinct_opt expression ')'  {
      $$ = ex_agg(p, $1, $3, $4, NULL, @1.start); }
  | GROUP_CONCAT '(' distinct_opt expression ')'  {
      $$ = ex_agg(p, $1, $3, $4, NULL, @1.start); }
  | GROUP_CONCAT '(' distinct_opt expression ';' SEPARATOR '=' STRING ')'  {
      $$ = ex_agg(p, $1, $3, $4, $8.s, @1.start); }
  ;

distinct_opt
  : %empty    { $$ = false; }
  | DISTINCT  { $$ = true; }
  ;

/* ---- terms ---- */

rdf_literal
  : STRING              { $$ = literal(p, $1, NULL, NULL, 0); }
  | STRING LANGTAG      { $$ = literal(p, $1, NULL, $2.s, $2.n); }
  | STRING HATHAT iri   { $$ = literal(p, $1, $3.value, NULL, 0); }
  ;

numeric
  : INTEGER          { $$ = literal(p, $1, XSD "integer", NULL, 0); }
  | DECIMAL          { $$ = literal(p, $1, XSD "decimal", NULL, 0); }
  | DOUBLE           { $$ = literal(p, $1, XSD "double", NULL, 0); }
  | INTEGER_SIGNED   { $$ = literal(p, $1, XSD "integer", NULL, 0); }
  | DECIMAL_SIGNED   { $$ = literal(p, $1, XSD "decimal", NULL, 0); }
  | DOUBLE_SIGNED    { $$ = literal(p, $1, XSD "double", NULL, 0); }
  ;

boolean
  : TRUE   { Tok t = {"true", 4, NULL, 0}; $$ = literal(p, t, XSD "boolean", NULL, 0); }
  | FALSE  { Tok t = {"false", 5, NULL, 0}; $$ = literal(p, t, XSD "boolean", NULL, 0); }
  ;

iri
  : IRIREF    {
      const char *s = sparql_iri_resolve(p->arena, p->base, $1.s, $1.n);
      memset(&$$, 0, sizeof $$);
      $$.kind = TRINE_TERM_IRI; $$.value = s; $$.value_len = strlen(s); }
  | PNAME_LN  { if (!pname(p, @1, $1, &$$)) YYABORT; }
  | PNAME_NS  { if (!pname(p, @1, $1, &$$)) YYABORT; }
  ;

/* ---- updates ---- */

update1
  : LOAD silent_opt iri  {
      $$ = update_new(p, SPARQL_UP_LOAD, @1.start);
      $$->u.silent = $2; $$->u.target = $3; }
  | LOAD silent_opt iri INTO graph_ref  {
      $$ = update_new(p, SPARQL_UP_LOAD, @1.start);
      $$->u.silent = $2; $$->u.target = $3; $$->u.dest = $5; }
  | CLEAR silent_opt graph_ref_all  {
      $$ = $3; $$->u.kind = SPARQL_UP_CLEAR; $$->u.silent = $2; $$->offset = @1.start; }
  | DROP silent_opt graph_ref_all  {
      $$ = $3; $$->u.kind = SPARQL_UP_DROP; $$->u.silent = $2; $$->offset = @1.start; }
  | CREATE silent_opt graph_ref  {
      $$ = update_new(p, SPARQL_UP_CREATE, @1.start);
      $$->u.silent = $2; $$->u.target = $3; }
  | ADD silent_opt graph_or_default TO graph_or_default  {
      $$ = update_new(p, SPARQL_UP_ADD, @1.start);
      $$->u.silent = $2; $$->u.target = $3; $$->u.dest = $5; }
  | MOVE silent_opt graph_or_default TO graph_or_default  {
      $$ = update_new(p, SPARQL_UP_MOVE, @1.start);
      $$->u.silent = $2; $$->u.target = $3; $$->u.dest = $5; }
  | COPY silent_opt graph_or_default TO graph_or_default  {
      $$ = update_new(p, SPARQL_UP_COPY, @1.start);
      $$->u.silent = $2; $$->u.target = $3; $$->u.dest = $5; }
  | INSERT DATA quad_block  {
      $$ = update_new(p, SPARQL_UP_INSERT_DATA, @1.start); $$->ins = $3; }
  | DELETE DATA quad_block  {
      $$ = update_new(p, SPARQL_UP_DELETE_DATA, @1.start); $$->del = $3; }
  | DELETE WHERE quad_block  {
      $$ = update_new(p, SPARQL_UP_DELETE_WHERE, @1.start); $$->del = $3; }
  | WITH iri modify_body  { $$ = $3; $$->u.with = $2; $$->offset = @1.start; }
  | modify_body           { $$ = $1; }
  ;

modify_body
  : DELETE quad_block insert_opt usings WHERE ggp  {
      $$ = update_new(p, SPARQL_UP_MODIFY, @1.start);
      $$->del = $2;
      $$->ins = $3;
      $$->where = $6; }
  | INSERT quad_block usings WHERE ggp  {
      $$ = update_new(p, SPARQL_UP_MODIFY, @1.start);
      $$->ins = $2;
      $$->where = $5; }
  ;

insert_opt
  : %empty             { $$.first = $$.last = NULL; }
  | INSERT quad_block  { $$ = $2; }
  ;

usings
  : %empty
  | usings USING iri        {
      VEC_PUSH(p->arena, p->using_, $3); }
  | usings USING NAMED iri  {
      VEC_PUSH(p->arena, p->using_named, $4); }
  ;

graph_ref
  : GRAPH iri  { $$ = $2; }
  ;

graph_ref_all
  : graph_ref  {
      $$ = update_new(p, SPARQL_UP_CLEAR, 0);
      $$->u.target_kind = SPARQL_TARGET_GRAPH; $$->u.target = $1; }
  | DEFAULT    { $$ = update_new(p, SPARQL_UP_CLEAR, 0); $$->u.target_kind = SPARQL_TARGET_DEFAULT; }
  | NAMED      { $$ = update_new(p, SPARQL_UP_CLEAR, 0); $$->u.target_kind = SPARQL_TARGET_NAMED; }
  | ALL        { $$ = update_new(p, SPARQL_UP_CLEAR, 0); $$->u.target_kind = SPARQL_TARGET_ALL; }
  ;

graph_or_default
  : DEFAULT    { $$ = graph_default(); }
  | iri        { $$ = $1; }
  | GRAPH iri  { $$ = $2; }
  ;

quad_block
  : '{' quads '}'  { $$ = $2; }
  ;

quads
  : triples_opt  {
      SparqlSlot g = term_slot(graph_default());
      $$ = quads_of(p, $1, g, @1.start); }
  | quads quads_not_triples dot_opt triples_opt  {
      $$ = $1;
      quads_append(&$$, $2);
      quads_append(&$$, quads_of(p, $4, term_slot(graph_default()), @4.start)); }
  ;

quads_not_triples
  : GRAPH var_or_iri '{' triples_opt '}'  { $$ = quads_of(p, $4, $2, @2.start); }
  ;

%%

/* ---- error reporting ---- */

static void trine_yyerror(SrcLoc *loc, yyscan_t scanner, Parser *p,
                          const char *msg) {
  (void)scanner;
  /* Only reached when the stack is exhausted: deep unary or path nesting. */
  if (strstr(msg, "exhausted"))
    sparql_fail(p, loc->start, "nesting too deep");
  else
    sparql_fail(p, loc->start, "%s", msg);
}

/* Expected-token sets, worded as the SPARQL grammar would say them: a
 * category applies when all its "need" tokens are expected, and then stands
 * for all its "cover" tokens. Tokens are named by their display names. */
typedef struct {
  const char *name;
  const char *need[4];
  const char *cover[40];
} Category;

#define TERMS "an IRI", "a prefix name", "a prefixed name", "a blank node label",     \
  "a variable", "a string", "an integer", "a decimal", "a double", "a signed integer",    \
  "a signed decimal", "a signed double", "'()'", "'[]'", "'true'", "'false'"

static const Category categories[] = {
  {"a triple pattern", {"a variable", "a blank node label", "'['", "'}'"},
   {TERMS, "'['", "'('"}},
  {"a graph pattern", {"'OPTIONAL'", "'FILTER'"},
   {"'OPTIONAL'", "'MINUS'", "'GRAPH'", "'SERVICE'", "'FILTER'", "'BIND'",
    "'VALUES'", "'{'"}},
  {"an expression", {"a variable", "a function name", "'!'"},
   {TERMS, "'('", "'!'", "'+'", "'-'", "a function name", "function name/0",
    "function name/2", "function name/n", "function name/2-3",
    "function name/3-4", "'BOUND'",
    "'BNODE'", "'IF'", "'COUNT'", "an aggregate", "'GROUP_CONCAT'", "'EXISTS'",
    "'NOT'"}},
  {"an operator", {"'||'", "'&&'"},
   {"'||'", "'&&'", "'!='", "'<='", "'>='", "'IN'", "'NOT'", "'*'", "'/'",
    "'+'", "'='", "'<'", "'>'", "'-'", "a signed integer", "a signed decimal",
    "a signed double"}},
  {"a term", {"a variable", "a string", "'['"}, {TERMS, "'['", "'('"}},
  {"a property path", {"'a'", "'^'", "'!'"},
   {"an IRI", "a prefix name", "a prefixed name", "'a'", "'^'", "'!'", "'('"}},
  {"a value", {"'UNDEF'", "an IRI"},
   {"an IRI", "a prefix name", "a prefixed name", "a string", "an integer", "a decimal",
    "a double", "a signed integer", "a signed decimal", "a signed double", "'true'",
    "'false'", "'UNDEF'"}},
  {"an IRI", {"an IRI", "a prefixed name"},
   {"an IRI", "a prefix name", "a prefixed name"}},
  {"a query form", {"'SELECT'", "'ASK'", "'CONSTRUCT'"},
   {"'SELECT'", "'ASK'", "'CONSTRUCT'", "'DESCRIBE'"}},
  {"an update operation", {"'INSERT'", "'DELETE'", "'LOAD'"},
   {"'INSERT'", "'DELETE'", "'LOAD'", "'CLEAR'", "'DROP'", "'CREATE'",
    "'ADD'", "'MOVE'", "'COPY'", "'WITH'"}},
  {"a function call", {"a function name", "'BOUND'"},
   {"a function name", "function name/0", "function name/2", "function name/n",
    "function name/2-3", "function name/3-4", "'BOUND'", "'BNODE'", "'IF'", "'COUNT'", "an aggregate",
    "'GROUP_CONCAT'", "'EXISTS'", "'NOT'"}},
};

static void append(char *buf, size_t size, size_t *len, const char *s) {
  size_t n = strlen(s);
  if (*len + n + 1 > size) n = size - *len - 1;
  memcpy(buf + *len, s, n);
  *len += n;
  buf[*len] = 0;
}

#define S(x) YYSYMBOL_##x

static void describe_token(Parser *p, yysymbol_kind_t k, SrcLoc loc,
                           char *out, size_t size) {
  const char *text = p->text + loc.start;
  int n = (int)(loc.end - loc.start);
  if (n > 40) n = 40;
  switch (k) {
  case S(YYEOF): snprintf(out, size, "end of query"); break;
  case S(IRIREF): snprintf(out, size, "IRI %.*s", n, text); break;
  case S(PNAME_NS): case S(PNAME_LN):
    snprintf(out, size, "prefixed name %.*s", n, text); break;
  case S(BLANK_NODE_LABEL): snprintf(out, size, "blank node %.*s", n, text); break;
  case S(VAR): snprintf(out, size, "variable %.*s", n, text); break;
  case S(LANGTAG): snprintf(out, size, "language tag %.*s", n, text); break;
  case S(STRING): snprintf(out, size, "string %.*s", n, text); break;
  case S(INTEGER): case S(DECIMAL): case S(DOUBLE): case S(INTEGER_SIGNED):
  case S(DECIMAL_SIGNED): case S(DOUBLE_SIGNED):
    snprintf(out, size, "number %.*s", n, text); break;
  default:
    /* keywords and punctuation: as written, keywords in capitals */
    snprintf(out, size, "'%.*s'", n, text);
    if (!(n == 1 && text[0] == 'a'))
      for (char *c = out + 1; c[1]; c++)
        if (*c >= 'a' && *c <= 'z') *c = (char)(*c - 'a' + 'A');
  }
}

static bool expected(const bool *have, const char *name) {
  for (int i = 0; i < YYNTOKENS; i++)
    if (have[i] && !strcmp(yysymbol_name((yysymbol_kind_t)i), name))
      return true;
  return false;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner,
                                 Parser *p) {
  (void)scanner;
  if (p->failed) return 0; /* the scanner already said why */
  char what[96];
  SrcLoc loc = *yypcontext_location(ctx);
  describe_token(p, yypcontext_token(ctx), loc, what, sizeof what);

  yysymbol_kind_t exp[YYNTOKENS];
  int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
  bool have[YYNTOKENS] = {false};
  for (int i = 0; i < n; i++) have[exp[i]] = true;

  const char *items[YYNTOKENS + 16];
  size_t nitems = 0;
  for (size_t c = 0; c < sizeof categories / sizeof *categories; c++) {
    const Category *cat = &categories[c];
    bool all = true;
    for (size_t k = 0; k < 4 && cat->need[k]; k++)
      all = all && expected(have, cat->need[k]);
    if (!all) continue;
    items[nitems++] = cat->name;
    for (size_t k = 0; k < 40 && cat->cover[k]; k++)
      for (int i = 0; i < YYNTOKENS; i++)
        if (!strcmp(yysymbol_name((yysymbol_kind_t)i), cat->cover[k]))
          have[i] = false;
  }
  /* end of input last: "or end of query" reads best */
  bool eof = have[YYSYMBOL_YYEOF];
  have[YYSYMBOL_YYEOF] = false;
  for (int i = 0; i < n; i++)
    if (have[exp[i]]) {
      const char *name = yysymbol_name(exp[i]);
      bool dup = false;
      for (size_t k = 0; k < nitems; k++) dup = dup || !strcmp(items[k], name);
      if (!dup) items[nitems++] = name;
      have[exp[i]] = false;
    }
  if (eof) items[nitems++] = "end of query";

  char buf[240];
  size_t len = 0;
  buf[0] = 0;
  append(buf, sizeof buf, &len, "unexpected ");
  append(buf, sizeof buf, &len, what);
  for (size_t i = 0; i < nitems; i++) {
    append(buf, sizeof buf, &len,
           i == 0 ? ", expected " : i + 1 == nitems ? " or " : ", ");
    append(buf, sizeof buf, &len, items[i]);
  }
  sparql_fail(p, loc.start, "%s", buf);
  return 0;
}

/* ---- tree building ---- */

static void *A(Parser *p, size_t n) { return sparql_arena_alloc(p->arena, n); }

static TrineTerm iri_term(Parser *p, const char *s, size_t n) {
  TrineTerm t = {0};
  t.kind = TRINE_TERM_IRI;
  t.value = sparql_arena_strndup(p->arena, s, n);
  t.value_len = n;
  return t;
}

static TrineTerm graph_default(void) {
  TrineTerm t = {0};
  t.kind = TRINE_TERM_DEFAULT_GRAPH;
  return t;
}

static bool pname(Parser *p, SrcLoc at, Tok t, TrineTerm *out) {
  MapEntry *e = sparql_map_get(&p->prefixes, t.s, t.n);
  if (!e)
    return sparql_fail(p, at.start, "unknown prefix '%.*s:'", (int)t.n, t.s);
  const char *ns = p->prefix_iris.v[e->val];
  size_t nsn = strlen(ns);
  char *s = A(p, nsn + t.n2 + 1);
  memcpy(s, ns, nsn);
  if (t.n2) memcpy(s + nsn, t.s2, t.n2);
  s[nsn + t.n2] = 0;
  memset(out, 0, sizeof *out);
  out->kind = TRINE_TERM_IRI;
  out->value = s;
  out->value_len = nsn + t.n2;
  return true;
}

static TrineTerm literal(Parser *p, Tok lex, const char *dt, const char *lang,
                         size_t langn) {
  TrineTerm t = {0};
  t.kind = TRINE_TERM_LITERAL;
  t.value = lex.s;
  t.value_len = lex.n;
  if (lang) {
    char *l = sparql_arena_strndup(p->arena, lang, langn);
    for (char *c = l; *c; c++)
      if (*c >= 'A' && *c <= 'Z') *c = (char)(*c + 'a' - 'A');
    t.lang = l;
    t.lang_len = langn;
  } else if (dt && strcmp(dt, XSD "string") != 0) {
    t.datatype = dt;
    t.datatype_len = strlen(dt);
  }
  return t;
}

static SparqlSlot term_slot(TrineTerm t) {
  SparqlSlot s;
  s.term = t;
  s.var = SPARQL_NO_VAR;
  return s;
}

static SparqlSlot var_slot(uint32_t v) {
  SparqlSlot s;
  memset(&s.term, 0, sizeof s.term);
  s.var = v;
  return s;
}

/* Anonymous blank nodes get labels no query can write (".N"). */
static SparqlSlot anon(Parser *p) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, ".%u", p->anon++);
  SparqlSlot s = var_slot(SPARQL_NO_VAR);
  s.term.kind = TRINE_TERM_BLANK;
  s.term.value = sparql_arena_strndup(p->arena, buf, (size_t)n);
  s.term.value_len = (size_t)n;
  return s;
}

static SparqlSlot label_slot(Tok t) {
  SparqlSlot s = var_slot(SPARQL_NO_VAR);
  s.term.kind = TRINE_TERM_BLANK;
  s.term.value = t.s;
  s.term.value_len = t.n;
  return s;
}

static Node node(SparqlSlot s) {
  Node n;
  n.slot = s;
  n.extra.first = n.extra.last = NULL;
  return n;
}

static void tl_append(TripleList *l, TripleList more) {
  if (!more.first) return;
  if (l->last) l->last->next = more.first;
  else l->first = more.first;
  l->last = more.last;
}

static void tl_add(Parser *p, TripleList *l, SparqlSlot s, SparqlSlot pr,
                   SparqlPath *path, SparqlSlot o, size_t off) {
  ATriple *t = A(p, sizeof *t);
  t->offset = off;
  t->s = s;
  t->p = pr;
  t->o = o;
  t->path = path;
  TripleList one = {t, t};
  tl_append(l, one);
}

static TripleList subject_triples(Parser *p, Node s, PairList pl, size_t off) {
  TripleList l = s.extra;
  for (Pair *x = pl.first; x; x = x->next) {
    tl_add(p, &l, s.slot, x->p, x->path, x->o.slot, off);
    tl_append(&l, x->o.extra);
  }
  return l;
}

static PairList pairs_with_verb(PairList objs, SparqlSlot v, SparqlPath *path) {
  for (Pair *x = objs.first; x; x = x->next) {
    x->p = v;
    x->path = path;
  }
  return objs;
}

static PairList pairs_one(Parser *p, Node o) {
  Pair *x = A(p, sizeof *x);
  x->o = o;
  PairList l = {x, x};
  return l;
}

static void pairs_append(PairList *l, PairList more) {
  if (!more.first) return;
  if (l->last) l->last->next = more.first;
  else l->first = more.first;
  l->last = more.last;
}

#define RDF "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

/* Append item to a collection: a new cell, linked from the previous one.
 * The extra list ends with the open "rest" triple, closed later. */
static Node collection_add(Parser *p, Node list, Node item) {
  SparqlSlot cell = anon(p);
  SparqlSlot first = term_slot(iri_term(p, RDF "first", sizeof RDF + 4));
  SparqlSlot rest = term_slot(iri_term(p, RDF "rest", sizeof RDF + 3));
  SparqlSlot nil = term_slot(iri_term(p, RDF "nil", sizeof RDF + 2));
  if (list.slot.term.kind == TRINE_TERM_NONE && list.slot.var == SPARQL_NO_VAR) {
    list.slot = cell;
  } else {
    list.extra.last->o = cell; /* was rdf:nil */
  }
  tl_add(p, &list.extra, cell, first, NULL, item.slot, p->off);
  tl_append(&list.extra, item.extra);
  tl_add(p, &list.extra, cell, rest, NULL, nil, p->off);
  return list;
}

static SparqlPath *path_new(Parser *p, SparqlPathKind k, SparqlPath *a,
                            SparqlPath *b) {
  SparqlPath *x = A(p, sizeof *x);
  x->kind = k;
  x->a = a;
  x->b = b;
  x->depth = 1 + (a ? a->depth : 0);
  if (b && b->depth + 1 > x->depth) x->depth = b->depth + 1;
  if (x->depth > SPARQL_MAX_TREE)
    sparql_fail(p, p->off, "property path too deeply nested: more than %d levels",
                SPARQL_MAX_TREE);
  return x;
}

/* A path of one IRI. */
static SparqlPath *path_link(Parser *p, TrineTerm iri) {
  SparqlPath *x = path_new(p, SPARQL_PATH_LINK, NULL, NULL);
  x->iri = iri;
  return x;
}

static TrineTerm rdf_type(Parser *p) {
  return iri_term(p, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", 47);
}

static SparqlExpr *ex_new(Parser *p, SparqlExprKind k, size_t off) {
  SparqlExpr *e = A(p, sizeof *e);
  e->kind = k;
  e->offset = off;
  e->var = SPARQL_NO_VAR;
  e->depth = 1;
  return e;
}

static void ex_args(Parser *p, SparqlExpr *e, SparqlExpr **args, size_t n) {
  e->args = args;
  e->nargs = n;
  for (size_t i = 0; i < n; i++)
    if (args[i]->depth + 1 > e->depth) e->depth = args[i]->depth + 1;
  if (e->depth > SPARQL_MAX_TREE)
    sparql_fail(p, e->offset, "expression too deeply nested: more than %d levels",
                SPARQL_MAX_TREE);
}

static SparqlExpr *ex2(Parser *p, SparqlExprKind k, SparqlExpr *a,
                       SparqlExpr *b) {
  SparqlExpr *e = ex_new(p, k, a->offset);
  SparqlExpr **v = A(p, 2 * sizeof *v);
  v[0] = a;
  v[1] = b;
  ex_args(p, e, v, 2);
  return e;
}

static SparqlExpr *ex1(Parser *p, SparqlExprKind k, SparqlExpr *a, size_t off) {
  SparqlExpr *e = ex_new(p, k, off);
  SparqlExpr **v = A(p, sizeof *v);
  v[0] = a;
  ex_args(p, e, v, 1);
  return e;
}

static SparqlExpr *ex_call(Parser *p, int fn, size_t off, int nargs, ...) {
  SparqlExpr *e = ex_new(p, SPARQL_EX_CALL, off);
  e->fn = fn;
  SparqlExpr **v = A(p, (size_t)(nargs + 1) * sizeof *v);
  va_list ap;
  va_start(ap, nargs);
  for (int i = 0; i < nargs; i++) v[i] = va_arg(ap, SparqlExpr *);
  va_end(ap);
  ex_args(p, e, v, (size_t)nargs);
  return e;
}

static SparqlExpr *ex_callv(Parser *p, SparqlExprKind k, int fn, size_t off,
                            ExprVec v) {
  SparqlExpr *e = ex_new(p, k, off);
  e->fn = fn;
  ex_args(p, e, v.v, v.n);
  return e;
}

static SparqlExpr *ex_term(Parser *p, TrineTerm t, size_t off) {
  SparqlExpr *e = ex_new(p, SPARQL_EX_TERM, off);
  e->term = t;
  return e;
}

static SparqlExpr *ex_var(Parser *p, uint32_t v, size_t off) {
  SparqlExpr *e = ex_new(p, SPARQL_EX_VAR, off);
  e->var = v;
  return e;
}

static SparqlExpr *ex_agg(Parser *p, int agg, bool distinct, SparqlExpr *arg,
                          const char *sep, size_t off) {
  SparqlExpr *e = ex_new(p, SPARQL_EX_AGGREGATE, off);
  e->fn = agg;
  e->distinct = distinct;
  e->separator = sep;
  if (arg) {
    SparqlExpr **v = A(p, sizeof *v);
    v[0] = arg;
    ex_args(p, e, v, 1);
  }
  return e;
}

/* The group is translated later; it waits in pattern's place as an AST. */
static SparqlExpr *ex_exists(Parser *p, bool neg, Group *g, size_t off) {
  SparqlExpr *e = ex_new(p, neg ? SPARQL_EX_NOT_EXISTS : SPARQL_EX_EXISTS, off);
  e->pattern = (SparqlOp *)(void *)g;
  return e;
}

static ExprVec ev_add(Parser *p, ExprVec v, SparqlExpr *e) {
  VEC_PUSH(p->arena, v, e);
  return v;
}

/* The query a SERVICE sends: its group as written, after the prologue seen
 * so far (BASE and every PREFIX), so the endpoint reads the same terms. */
static const char *service_text(Parser *p, SrcLoc group) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) return NULL;
  if (p->base) fprintf(f, "BASE <%s>\n", p->base);
  for (size_t i = 0; i < p->prefixes.cap; ++i) {
    const MapEntry *e = &p->prefixes.slots[i];
    if (e->key) fprintf(f, "PREFIX %.*s: <%s>\n", (int)e->len, e->key, p->prefix_iris.v[e->val]);
  }
  fprintf(f, "SELECT * WHERE {\n%%VALUES%%%.*s\n}\n", (int)(group.end - group.start),
          p->text + group.start);
  char *s = NULL;
  if (fclose(f) == 0 && (s = A(p, len + 1))) memcpy(s, buf, len + 1);
  free(buf);
  return s;
}

static Elem *elem(Parser *p, ElemKind k, size_t off) {
  Elem *e = A(p, sizeof *e);
  e->kind = k;
  e->offset = off;
  e->var = SPARQL_NO_VAR;
  return e;
}

static Group *group_new(Parser *p) { return A(p, sizeof(Group)); }

static void group_add(Group *g, Elem *e) {
  if (g->last) g->last->next = e;
  else g->first = e;
  g->last = e;
}

static void group_triples(Parser *p, Group *g, TripleList t, size_t off) {
  if (!t.first) return;
  Elem *e = elem(p, E_TRIPLES, off);
  e->triples = t;
  group_add(g, e);
}

static Select *select_new(Parser *p, SparqlForm form) {
  Select *s = A(p, sizeof *s);
  s->form = form;
  s->outer = p->query;
  s->limit = -1;
  return s;
}

static ExprItem *eitem(Parser *p, SparqlExpr *e, uint32_t var, bool desc,
                       size_t off) {
  ExprItem *it = A(p, sizeof *it);
  it->expr = e;
  it->var = var;
  it->desc = desc;
  it->offset = off;
  return it;
}

static bool set_limit(Parser *p, SrcLoc at, Tok t, int64_t *out) {
  int64_t v = 0;
  for (size_t i = 0; i < t.n; i++) {
    if (v > (INT64_MAX - 9) / 10)
      return sparql_fail(p, at.start, "number too large: %.*s", (int)t.n, t.s);
    v = v * 10 + (t.s[i] - '0');
  }
  *out = v;
  return true;
}

static Values *values_new(Parser *p) { return A(p, sizeof(Values)); }

static bool values_row(Parser *p, Values *v, SparqlSlot *cells, size_t n,
                       SrcLoc at) {
  if (n != v->vars.n)
    return sparql_fail(p, at.start, "VALUES row has %zu value%s, expected %zu",
                       n, n == 1 ? "" : "s", v->vars.n);
  for (size_t i = 0; i < n; i++) VEC_PUSH(p->arena, v->cells, cells[i]);
  v->nrows++;
  return true;
}

static AUpdate *update_new(Parser *p, SparqlUpdateKind k, size_t off) {
  AUpdate *u = A(p, sizeof *u);
  u->u.kind = k;
  u->offset = off;
  return u;
}

static void update_add(Parser *p, AUpdate *u) {
  u->u.using_ = p->using_.v;
  u->u.nusing = p->using_.n;
  u->u.using_named = p->using_named.v;
  u->u.nusing_named = p->using_named.n;
  memset(&p->using_, 0, sizeof p->using_);
  memset(&p->using_named, 0, sizeof p->using_named);
  if (p->updates_last) p->updates_last->next = u;
  else p->updates = u;
  p->updates_last = u;
}

static QuadList quads_of(Parser *p, TripleList t, SparqlSlot g, size_t goff) {
  QuadList l = {NULL, NULL};
  for (ATriple *x = t.first; x; x = x->next) {
    AQuad *q = A(p, sizeof *q);
    q->t = x;
    q->g = g;
    q->graph_offset = goff;
    if (l.last) l.last->next = q;
    else l.first = q;
    l.last = q;
  }
  return l;
}

static void quads_append(QuadList *l, QuadList more) {
  if (!more.first) return;
  if (l->last) l->last->next = more.first;
  else l->first = more.first;
  l->last = more.last;
}

