/* print.c -- the algebra as an S-expression, in the style of Jena's SSE.
 * Operators open a new indented line; expressions and triples stay on
 * one line. Recursion depth is bounded by the translator. */
#include "internal.h"

#include <string.h>

typedef struct {
  const SparqlRequest *r;
  FILE *f;
} Out;

static void op_print(Out *o, const SparqlOp *op, int ind);
static void expr_print(Out *o, const SparqlExpr *e);

static const char *const builtin_names[] = {
  "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "IRI", "URI", "BNODE",
  "RAND", "ABS", "CEIL", "FLOOR", "ROUND", "CONCAT", "SUBSTR", "STRLEN",
  "REPLACE", "UCASE", "LCASE", "ENCODE_FOR_URI", "CONTAINS", "STRSTARTS",
  "STRENDS", "STRBEFORE", "STRAFTER", "YEAR", "MONTH", "DAY", "HOURS",
  "MINUTES", "SECONDS", "TIMEZONE", "TZ", "NOW", "UUID", "STRUUID", "MD5",
  "SHA1", "SHA256", "SHA384", "SHA512", "COALESCE", "IF", "STRLANG", "STRDT",
  "sameTerm", "isIRI", "isURI", "isBLANK", "isLITERAL", "isNUMERIC", "REGEX",
};

const char *sparql_builtin_name(SparqlBuiltin fn) {
  if ((unsigned)fn >= sizeof builtin_names / sizeof *builtin_names) return "?";
  return builtin_names[fn];
}

const char *sparql_agg_name(SparqlAggKind agg) {
  static const char *const names[] = {"COUNT", "SUM", "MIN", "MAX",
                                      "AVG", "SAMPLE", "GROUP_CONCAT"};
  if ((unsigned)agg >= sizeof names / sizeof *names) return "?";
  return names[agg];
}

static void newline(Out *o, int ind) {
  fputc('\n', o->f);
  for (int i = 0; i < ind; i++) fputs("  ", o->f);
}

static void lower(Out *o, const char *s) {
  for (; *s; s++) fputc(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s, o->f);
}

/* ---- terms ---- */

static void iri_print(Out *o, const char *s, size_t n) {
  fputc('<', o->f);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || strchr("<>\"{}|^`\\", c)) fprintf(o->f, "\\u%04X", c);
    else fputc(c, o->f);
  }
  fputc('>', o->f);
}

static void string_print(Out *o, const char *s, size_t n) {
  fputc('"', o->f);
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"': fputs("\\\"", o->f); break;
    case '\\': fputs("\\\\", o->f); break;
    case '\n': fputs("\\n", o->f); break;
    case '\r': fputs("\\r", o->f); break;
    case '\t': fputs("\\t", o->f); break;
    default:
      if (c < 0x20 || c == 0x7F) fprintf(o->f, "\\u%04X", c);
      else fputc(c, o->f);
    }
  }
  fputc('"', o->f);
}

static bool digits(const char *s, size_t *i, size_t n) {
  size_t b = *i;
  while (*i < n && s[*i] >= '0' && s[*i] <= '9') (*i)++;
  return *i > b;
}

/* Whether a numeric literal can be printed bare, as SPARQL would read it. */
static bool bare_number(const TrineTerm *t) {
  const char *s = t->value, *dt = t->datatype + strlen(XSD);
  size_t n = t->value_len, i = 0;
  if (n && (s[0] == '+' || s[0] == '-')) i++;
  if (!strcmp(dt, "integer")) return digits(s, &i, n) && i == n;
  if (!strcmp(dt, "decimal")) {
    digits(s, &i, n);
    return i < n && s[i++] == '.' && digits(s, &i, n) && i == n;
  }
  if (!strcmp(dt, "double")) {
    bool m = digits(s, &i, n);
    if (i < n && s[i] == '.') {
      i++;
      m = digits(s, &i, n) || m;
    }
    if (!m || i >= n || (s[i] != 'e' && s[i] != 'E')) return false;
    i++;
    if (i < n && (s[i] == '+' || s[i] == '-')) i++;
    return digits(s, &i, n) && i == n;
  }
  if (!strcmp(dt, "boolean"))
    return (n == 4 && !memcmp(s, "true", 4)) || (n == 5 && !memcmp(s, "false", 5));
  return false;
}

static void term_print(Out *o, const TrineTerm *t) {
  switch (t->kind) {
  case TRINE_TERM_IRI: iri_print(o, t->value, t->value_len); break;
  case TRINE_TERM_BLANK: fprintf(o->f, "_:%s", t->value); break;
  case TRINE_TERM_DEFAULT_GRAPH: fputs("default", o->f); break;
  case TRINE_TERM_LITERAL:
    if (t->datatype && !strncmp(t->datatype, XSD, strlen(XSD)) && bare_number(t)) {
      fwrite(t->value, 1, t->value_len, o->f);
      break;
    }
    string_print(o, t->value, t->value_len);
    if (t->lang) fprintf(o->f, "@%s", t->lang);
    else if (t->datatype) {
      fputs("^^", o->f);
      iri_print(o, t->datatype, t->datatype_len);
    }
    break;
  default: fputs("UNDEF", o->f); break;
  }
}

static void var_print(Out *o, uint32_t v) {
  if (v < o->r->nvars) fprintf(o->f, "?%s", o->r->vars[v].name);
  else fputs("?_", o->f);
}

static void slot_print(Out *o, const SparqlSlot *s) {
  if (s->term.kind == TRINE_TERM_NONE) var_print(o, s->var);
  else term_print(o, &s->term);
}

static void triple_print(Out *o, const SparqlTriple *t) {
  fputs("(triple ", o->f);
  slot_print(o, &t->s);
  fputc(' ', o->f);
  slot_print(o, &t->p);
  fputc(' ', o->f);
  slot_print(o, &t->o);
  fputc(')', o->f);
}

static void quad_print(Out *o, const SparqlQuad *q) {
  fputs("(quad ", o->f);
  slot_print(o, &q->g);
  fputc(' ', o->f);
  slot_print(o, &q->s);
  fputc(' ', o->f);
  slot_print(o, &q->p);
  fputc(' ', o->f);
  slot_print(o, &q->o);
  fputc(')', o->f);
}

static void path_print(Out *o, const SparqlPath *p) {
  static const char *const names[] = {"link", "reverse", "seq", "alt",
                                      "path*", "path+", "path?", "notoneof"};
  if (p->kind == SPARQL_PATH_LINK) {
    term_print(o, &p->iri);
    return;
  }
  fprintf(o->f, "(%s", names[p->kind]);
  if (p->kind == SPARQL_PATH_NPS) {
    for (size_t i = 0; i < p->nnps + p->ninv; i++) {
      fputc(' ', o->f);
      if (i >= p->nnps) fputs("(reverse ", o->f);
      term_print(o, &p->nps[i]);
      if (i >= p->nnps) fputc(')', o->f);
    }
  } else {
    fputc(' ', o->f);
    path_print(o, p->a);
    if (p->b) {
      fputc(' ', o->f);
      path_print(o, p->b);
    }
  }
  fputc(')', o->f);
}

/* ---- expressions ---- */

static const char *op_name(SparqlExprKind k) {
  switch (k) {
  case SPARQL_EX_OR: return "||";
  case SPARQL_EX_AND: return "&&";
  case SPARQL_EX_NOT: return "!";
  case SPARQL_EX_EQ: return "=";
  case SPARQL_EX_NE: return "!=";
  case SPARQL_EX_LT: return "<";
  case SPARQL_EX_GT: return ">";
  case SPARQL_EX_LE: return "<=";
  case SPARQL_EX_GE: return ">=";
  case SPARQL_EX_IN: return "in";
  case SPARQL_EX_NOT_IN: return "notin";
  case SPARQL_EX_ADD: case SPARQL_EX_PLUS: return "+";
  case SPARQL_EX_SUB: case SPARQL_EX_NEG: return "-";
  case SPARQL_EX_MUL: return "*";
  case SPARQL_EX_DIV: return "/";
  default: return "?";
  }
}

static void expr_print(Out *o, const SparqlExpr *e) {
  switch (e->kind) {
  case SPARQL_EX_VAR: var_print(o, e->var); return;
  case SPARQL_EX_TERM: term_print(o, &e->term); return;
  case SPARQL_EX_EXISTS: case SPARQL_EX_NOT_EXISTS:
    fputs(e->kind == SPARQL_EX_EXISTS ? "(exists " : "(notexists ", o->f);
    op_print(o, e->pattern, -1);
    fputc(')', o->f);
    return;
  case SPARQL_EX_CALL:
    fputc('(', o->f);
    lower(o, sparql_builtin_name((SparqlBuiltin)e->fn));
    break;
  case SPARQL_EX_FUNCTION:
    fputc('(', o->f);
    term_print(o, &e->term);
    break;
  case SPARQL_EX_AGGREGATE:
    fputc('(', o->f);
    lower(o, sparql_agg_name((SparqlAggKind)e->fn));
    if (e->distinct) fputs(" distinct", o->f);
    if (e->separator) {
      fputs(" (separator ", o->f);
      string_print(o, e->separator, strlen(e->separator));
      fputc(')', o->f);
    }
    break;
  default:
    fprintf(o->f, "(%s", op_name(e->kind));
  }
  for (size_t i = 0; i < e->nargs; i++) {
    fputc(' ', o->f);
    expr_print(o, e->args[i]);
  }
  fputc(')', o->f);
}

static void exprs_print(Out *o, SparqlExpr *const *v, size_t n) {
  if (n == 1) {
    expr_print(o, v[0]);
    return;
  }
  fputs("(exprlist", o->f);
  for (size_t i = 0; i < n; i++) {
    fputc(' ', o->f);
    expr_print(o, v[i]);
  }
  fputc(')', o->f);
}

/* ---- operators ---- */

static const char *const op_names[] = {
  "bgp", "path", "join", "leftjoin", "filter", "union", "minus", "graph",
  "service", "extend", "group", "table", "tomultiset", "order", "project",
  "distinct", "reduced", "slice"};

/* ind < 0: all on one line (inside expressions). */
static void sub(Out *o, const SparqlOp *op, int ind) {
  if (ind < 0) {
    fputc(' ', o->f);
    op_print(o, op, -1);
  } else {
    newline(o, ind + 1);
    op_print(o, op, ind + 1);
  }
}

static void op_print(Out *o, const SparqlOp *op, int ind) {
  fprintf(o->f, "(%s", op_names[op->kind]);
  switch (op->kind) {
  case SPARQL_OP_BGP:
    for (size_t i = 0; i < op->ntriples; i++) {
      if (ind < 0) fputc(' ', o->f);
      else newline(o, ind + 1);
      triple_print(o, &op->triples[i]);
    }
    break;
  case SPARQL_OP_PATH:
    fputc(' ', o->f);
    slot_print(o, &op->path_s);
    fputc(' ', o->f);
    path_print(o, op->path);
    fputc(' ', o->f);
    slot_print(o, &op->path_o);
    break;
  case SPARQL_OP_JOIN: case SPARQL_OP_UNION: case SPARQL_OP_MINUS:
    sub(o, op->a, ind);
    sub(o, op->b, ind);
    break;
  case SPARQL_OP_LEFTJOIN:
    sub(o, op->a, ind);
    sub(o, op->b, ind);
    if (op->nexprs) {
      if (ind < 0) fputc(' ', o->f);
      else newline(o, ind + 1);
      exprs_print(o, op->exprs, op->nexprs);
    }
    break;
  case SPARQL_OP_FILTER:
    fputc(' ', o->f);
    exprs_print(o, op->exprs, op->nexprs);
    sub(o, op->a, ind);
    break;
  case SPARQL_OP_GRAPH: case SPARQL_OP_SERVICE:
    if (op->silent) fputs(" silent", o->f);
    fputc(' ', o->f);
    slot_print(o, &op->target);
    sub(o, op->a, ind);
    break;
  case SPARQL_OP_EXTEND:
    fputs(" ((", o->f);
    var_print(o, op->binds[0].var);
    fputc(' ', o->f);
    expr_print(o, op->binds[0].expr);
    fputs("))", o->f);
    sub(o, op->a, ind);
    break;
  case SPARQL_OP_GROUP:
    fputs(" (", o->f);
    for (size_t i = 0; i < op->nbinds; i++) {
      const SparqlBind *b = &op->binds[i];
      if (i) fputc(' ', o->f);
      if (b->var == SPARQL_NO_VAR) {
        expr_print(o, b->expr);
      } else if (b->expr->kind == SPARQL_EX_VAR && b->expr->var == b->var) {
        var_print(o, b->var);
      } else {
        fputc('(', o->f);
        var_print(o, b->var);
        fputc(' ', o->f);
        expr_print(o, b->expr);
        fputc(')', o->f);
      }
    }
    fputs(") (", o->f);
    for (size_t i = 0; i < op->naggs; i++) {
      if (i) fputc(' ', o->f);
      fputc('(', o->f);
      var_print(o, op->aggs[i].var);
      fputc(' ', o->f);
      expr_print(o, op->aggs[i].expr);
      fputc(')', o->f);
    }
    fputc(')', o->f);
    sub(o, op->a, ind);
    break;
  case SPARQL_OP_TABLE:
    fputs(" (vars", o->f);
    for (size_t i = 0; i < op->nvars; i++) {
      fputc(' ', o->f);
      var_print(o, op->vars[i]);
    }
    fputc(')', o->f);
    for (size_t r = 0; r < op->nrows; r++) {
      if (ind < 0) fputc(' ', o->f);
      else newline(o, ind + 1);
      fputs("(row", o->f);
      for (size_t i = 0; i < op->nvars; i++) {
        const SparqlSlot *c = &op->rows[r * op->nvars + i];
        if (c->term.kind == TRINE_TERM_NONE) continue; /* UNDEF */
        fputs(" [", o->f);
        var_print(o, op->vars[i]);
        fputc(' ', o->f);
        term_print(o, &c->term);
        fputc(']', o->f);
      }
      fputc(')', o->f);
    }
    break;
  case SPARQL_OP_ORDERBY:
    fputs(" (", o->f);
    for (size_t i = 0; i < op->nkeys; i++) {
      if (i) fputc(' ', o->f);
      if (op->keys[i].descending) fputs("(desc ", o->f);
      expr_print(o, op->keys[i].expr);
      if (op->keys[i].descending) fputc(')', o->f);
    }
    fputc(')', o->f);
    sub(o, op->a, ind);
    break;
  case SPARQL_OP_PROJECT:
    fputs(" (", o->f);
    for (size_t i = 0; i < op->nvars; i++) {
      if (i) fputc(' ', o->f);
      var_print(o, op->vars[i]);
    }
    fputc(')', o->f);
    sub(o, op->a, ind);
    break;
  case SPARQL_OP_SLICE:
    if (op->offset > 0) fprintf(o->f, " %lld", (long long)op->offset);
    else fputs(" _", o->f);
    if (op->limit >= 0) fprintf(o->f, " %lld", (long long)op->limit);
    else fputs(" _", o->f);
    sub(o, op->a, ind);
    break;
  default: /* TOMULTISET, DISTINCT, REDUCED */
    sub(o, op->a, ind);
    break;
  }
  fputc(')', o->f);
}

/* ---- requests ---- */

static void quads_print(Out *o, const char *name, const SparqlQuad *q,
                        size_t n, int ind) {
  newline(o, ind);
  fprintf(o->f, "(%s", name);
  for (size_t i = 0; i < n; i++) {
    newline(o, ind + 1);
    quad_print(o, &q[i]);
  }
  fputc(')', o->f);
}

static void graph_arg(Out *o, const TrineTerm *t) {
  fputc(' ', o->f);
  term_print(o, t);
}

static void update_print(Out *o, const SparqlUpdate *u, int ind) {
  static const char *const names[] = {
    "insertdata", "deletedata", "deletewhere", "modify", "load", "clear",
    "drop", "create", "add", "move", "copy"};
  newline(o, ind);
  fprintf(o->f, "(%s", names[u->kind]);
  if (u->silent) fputs(" silent", o->f);
  switch (u->kind) {
  case SPARQL_UP_INSERT_DATA:
    quads_print(o, "quads", u->ins, u->nins, ind + 1);
    break;
  case SPARQL_UP_DELETE_DATA: case SPARQL_UP_DELETE_WHERE:
    quads_print(o, "quads", u->del, u->ndel, ind + 1);
    break;
  case SPARQL_UP_MODIFY:
    if (u->with.kind) {
      fputs(" (with", o->f);
      graph_arg(o, &u->with);
      fputc(')', o->f);
    }
    for (size_t i = 0; i < u->nusing; i++) {
      fputs(" (using", o->f);
      graph_arg(o, &u->using_[i]);
      fputc(')', o->f);
    }
    for (size_t i = 0; i < u->nusing_named; i++) {
      fputs(" (using named", o->f);
      graph_arg(o, &u->using_named[i]);
      fputc(')', o->f);
    }
    if (u->ndel) quads_print(o, "delete", u->del, u->ndel, ind + 1);
    if (u->nins) quads_print(o, "insert", u->ins, u->nins, ind + 1);
    newline(o, ind + 1);
    op_print(o, u->where, ind + 1);
    break;
  case SPARQL_UP_LOAD:
    graph_arg(o, &u->target);
    if (u->dest.kind) graph_arg(o, &u->dest);
    break;
  case SPARQL_UP_CLEAR: case SPARQL_UP_DROP:
    switch (u->target_kind) {
    case SPARQL_TARGET_GRAPH: graph_arg(o, &u->target); break;
    case SPARQL_TARGET_DEFAULT: fputs(" default", o->f); break;
    case SPARQL_TARGET_NAMED: fputs(" named", o->f); break;
    case SPARQL_TARGET_ALL: fputs(" all", o->f); break;
    }
    break;
  case SPARQL_UP_CREATE:
    graph_arg(o, &u->target);
    break;
  default: /* ADD, MOVE, COPY */
    graph_arg(o, &u->target);
    graph_arg(o, &u->dest);
    break;
  }
  fputc(')', o->f);
}

int sparql_expr_print(const SparqlRequest *r, const SparqlExpr *e, FILE *out) {
  Out o = {r, out};
  expr_print(&o, e);
  return ferror(out) ? -1 : 0;
}

int sparql_algebra_print(const SparqlRequest *r, FILE *out) {
  Out o = {r, out};
  int ind = 0;
  if (r->form == SPARQL_UPDATE) {
    fputs("(update", out);
    for (size_t i = 0; i < r->nupdates; i++) update_print(&o, &r->updates[i], 1);
    fputs(")\n", out);
    return ferror(out) ? -1 : 0;
  }
  int close = 0;
  if (r->nfrom || r->nfrom_named) {
    fputs("(dataset (", out);
    for (size_t i = 0; i < r->nfrom; i++) {
      fputs(i ? " " : "", out);
      term_print(&o, &r->from[i]);
    }
    fputs(") (", out);
    for (size_t i = 0; i < r->nfrom_named; i++) {
      fputs(i ? " " : "", out);
      term_print(&o, &r->from_named[i]);
    }
    fputc(')', out);
    newline(&o, ++ind);
    close++;
  }
  switch (r->form) {
  case SPARQL_ASK:
    fputs("(ask", out);
    newline(&o, ++ind);
    close++;
    break;
  case SPARQL_CONSTRUCT:
    fputs("(construct (template", out);
    for (size_t i = 0; i < r->nconstruct; i++) {
      fputc(' ', out);
      triple_print(&o, &r->construct[i]);
    }
    fputc(')', out);
    newline(&o, ++ind);
    close++;
    break;
  case SPARQL_DESCRIBE:
    fputs("(describe (", out);
    if (r->describe_star) fputc('*', out);
    for (size_t i = 0; i < r->ndescribe; i++) {
      if (i) fputc(' ', out);
      slot_print(&o, &r->describe[i]);
    }
    fputc(')', out);
    newline(&o, ++ind);
    close++;
    break;
  default:
    break;
  }
  op_print(&o, r->pattern, ind);
  while (close--) fputc(')', out);
  fputc('\n', out);
  return ferror(out) ? -1 : 0;
}
