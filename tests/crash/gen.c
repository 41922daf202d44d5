/*
 * gen.c -- the operation generator of model.h: loads (some broken
 * mid-file or cancelled), SPARQL updates (INSERT DATA, DELETE DATA, DELETE
 * WHERE, DELETE/INSERT WHERE, LOAD, a LOAD that fails after an insert),
 * API transactions mixing adds, removes, loads and updates, committed or
 * aborted, and compaction. Each knows its effect on the model.
 */
#include "model.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The fixed vocabulary: numbers follow from the order gen_vocab() makes it. */
enum { NG = 3, NS = 60, NP = 6, NL = 20 };
enum { ID_G0 = 1, ID_S0 = ID_G0 + NG, ID_P0 = ID_S0 + NS, ID_BID = ID_P0 + NP, ID_L0 };

#define EX "http://ex.org/"
#define XSD_INTEGER "http://www.w3.org/2001/XMLSchema#integer"

Vocab *gen_vocab(void) {
  Vocab *v = vocab_new();
  char text[128];
  for (int i = 0; i < NG; ++i) snprintf(text, sizeof text, "<" EX "g%d>", i), vocab_intern(v, text);
  for (int i = 0; i < NS; ++i) snprintf(text, sizeof text, "<" EX "s%d>", i), vocab_intern(v, text);
  for (int i = 0; i < NP; ++i) snprintf(text, sizeof text, "<" EX "p%d>", i), vocab_intern(v, text);
  vocab_intern(v, "<" EX "bid>");
  for (int i = 0; i < NL; ++i) {
    snprintf(text, sizeof text, "\"v%d\"", i), vocab_intern(v, text);
    snprintf(text, sizeof text, "\"v%d\"@en", i), vocab_intern(v, text);
    snprintf(text, sizeof text, "\"%d\"^^<" XSD_INTEGER ">", i), vocab_intern(v, text);
  }
  return v;
}

/* ---- text ---- */

typedef struct {
  char *p;
  size_t n, cap;
} Buf;

static void bprintf(Buf *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (b->p && (size_t)k < b->cap - b->n) {
      b->n += (size_t)k;
      return;
    }
    b->cap = (b->cap + (size_t)k + 1) * 2;
    if (!(b->p = realloc(b->p, b->cap))) abort();
  }
}

/* ---- changes ---- */

typedef struct {
  Change *a;
  size_t n, cap;
  QuadSet *scratch; /* the model as the operation goes on */
} Changes;

static void change(Changes *c, QuadKey k, bool add) {
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 64;
    if (!(c->a = realloc(c->a, c->cap * sizeof *c->a))) abort();
  }
  c->a[c->n++] = (Change){k, add};
  if (add) qs_add(c->scratch, k);
  else qs_remove(c->scratch, k);
}

/* ---- terms and quads ---- */

static uint32_t rand_graph(Rng *r) { return rng_below(r, 5) < 2 ? 0 : ID_G0 + rng_below(r, NG); }
static uint32_t rand_subject(Rng *r) { return ID_S0 + rng_below(r, NS); }
static uint32_t rand_pred(Rng *r) { return ID_P0 + rng_below(r, NP); }
static uint32_t rand_object(Rng *r) {
  return rng_below(r, 10) < 3 ? rand_subject(r) : ID_L0 + rng_below(r, 3 * NL);
}
static QuadKey rand_quad(Rng *r) {
  return quad_key(rand_graph(r), rand_subject(r), rand_pred(r), rand_object(r));
}

static bool has_blank(const Vocab *v, QuadKey k) {
  for (int i = 1; i < 4; ++i)
    if (vocab_text(v, quad_part(k, i))[0] == '_') return true;
  return false;
}

/* A quad of m without blank nodes, else a random one. */
static QuadKey some_quad(Rng *r, const Vocab *v, const QuadSet *m) {
  if (m->n && rng_below(r, 10) < 7) {
    size_t start = rng_below(r, (uint32_t)m->cap);
    for (size_t i = 0; i < m->cap; ++i) {
      QuadKey k = m->slots[(start + i) & (m->cap - 1)];
      if (k && !has_blank(v, k)) return k;
    }
  }
  return rand_quad(r);
}

/* "s p o [g] .\n": graph written when nquads. */
static void write_quad(Buf *b, const Vocab *v, QuadKey k, bool nquads) {
  bprintf(b, "%s %s %s", vocab_text(v, quad_part(k, 1)), vocab_text(v, quad_part(k, 2)),
          vocab_text(v, quad_part(k, 3)));
  if (nquads && quad_part(k, 0)) bprintf(b, " %s", vocab_text(v, quad_part(k, 0)));
  bprintf(b, " .\n");
}

/* "GRAPH <g> { X }" or X for the default graph: its opening and closing. */
static const char *graph_open(const Vocab *v, uint32_t g, char *buf, size_t size) {
  if (!g) return "";
  snprintf(buf, size, "GRAPH %s { ", vocab_text(v, g));
  return buf;
}
static const char *graph_close(uint32_t g) { return g ? " }" : ""; }

/* ---- loads ---- */

static const char *const BAD_LINES[] = {
    "<" EX "s1> <" EX "p1> \"unterminated .\n",
    "<" EX "s1> <" EX "p1> .\n",
    "<" EX "s1> \"literal as predicate\" <" EX "s2> .\n",
    "<" EX "s1> <" EX "p1> <" EX "s2> <" EX "g1> <" EX "g2> .\n",
};

/* A blank node group: (_:L, ex:bid, "L"), one or two quads about _:L and
 * maybe one pointing at it, all in graph g. */
static void blank_group(Buf *b, Rng *r, Vocab *v, Changes *c, uint32_t g, bool nquads) {
  char label[40], text[48];
  snprintf(label, sizeof label, "n%016llx", (unsigned long long)rng_next(r));
  snprintf(text, sizeof text, "_:%s", label);
  uint32_t node = vocab_intern(v, text);
  snprintf(text, sizeof text, "\"%s\"", label);
  uint32_t lit = vocab_intern(v, text);
  if (!node || !lit) return; /* the vocabulary is full: no more blank nodes */
  QuadKey k = quad_key(g, node, ID_BID, lit);
  write_quad(b, v, k, nquads);
  change(c, k, true);
  for (uint32_t i = 0, n = 1 + rng_below(r, 2); i < n; ++i) {
    k = quad_key(g, node, rand_pred(r), rand_object(r));
    write_quad(b, v, k, nquads);
    change(c, k, true);
  }
  if (rng_below(r, 2)) {
    k = quad_key(g, rand_subject(r), rand_pred(r), node);
    write_quad(b, v, k, nquads);
    change(c, k, true);
  }
}

/* Load text of about lines lines; broken at a line in its middle half
 * when s->fails. Its quads go to c (dropped by the caller if it fails). */
static void make_load(Step *s, Rng *r, Vocab *v, Changes *c, unsigned lines, bool blanks,
                      bool ntriples) {
  Buf b = {0};
  bool nquads = !ntriples && rng_below(r, 5) < 3;
  s->kind = STEP_LOAD;
  s->format = nquads ? TRINE_FORMAT_NQUADS : TRINE_FORMAT_NTRIPLES;
  s->graph = nquads ? 0 : rand_graph(r);
  unsigned bad_at = s->fails ? lines / 4 + rng_below(r, lines / 2 + 1) : ~0u;
  for (unsigned i = 0; i < lines; ++i) {
    if (i == bad_at) bprintf(&b, "%s", BAD_LINES[rng_below(r, 4)]);
    uint32_t g = nquads ? rand_graph(r) : s->graph;
    if (blanks && rng_below(r, 10) == 0) {
      blank_group(&b, r, v, c, g, nquads);
      continue;
    }
    QuadKey k = quad_key(g, rand_subject(r), rand_pred(r), rand_object(r));
    write_quad(&b, v, k, nquads);
    change(c, k, true);
  }
  if (bad_at != ~0u && bad_at >= lines) bprintf(&b, "%s", BAD_LINES[0]);
  s->text = b.p;
  s->len = b.n;
}

static unsigned load_lines(Rng *r, const GenOptions *go) {
  return rng_below(r, 2) ? 1 + rng_below(r, 40) : 1 + rng_below(r, go->max_load);
}

/* ---- updates ---- */

static void insert_data(Buf *b, Rng *r, const Vocab *v, Changes *c) {
  char open[128];
  bprintf(b, "INSERT DATA {\n");
  for (uint32_t i = 0, n = 1 + rng_below(r, 12); i < n; ++i) {
    QuadKey k = rand_quad(r);
    uint32_t g = quad_part(k, 0);
    bprintf(b, "  %s", graph_open(v, g, open, sizeof open));
    write_quad(b, v, k, false);
    b->n -= 1; /* the newline */
    bprintf(b, "%s\n", graph_close(g));
    change(c, k, true);
  }
  bprintf(b, "}");
}

static void delete_data(Buf *b, Rng *r, const Vocab *v, Changes *c) {
  char open[128];
  bprintf(b, "DELETE DATA {\n");
  for (uint32_t i = 0, n = 1 + rng_below(r, 8); i < n; ++i) {
    QuadKey k = some_quad(r, v, c->scratch);
    uint32_t g = quad_part(k, 0);
    bprintf(b, "  %s", graph_open(v, g, open, sizeof open));
    write_quad(b, v, k, false);
    b->n -= 1;
    bprintf(b, "%s\n", graph_close(g));
    change(c, k, false);
  }
  bprintf(b, "}");
}

/* The quads of c->scratch matching g (any when all_graphs) and the
 * fixed parts of pattern (0: any). malloc'd, *n of them. */
static QuadKey *matching(const QuadSet *m, bool all_graphs, uint32_t g, uint32_t s, uint32_t p,
                         size_t *n) {
  QuadKey *out = malloc((m->n + 1) * sizeof *out);
  if (!out) abort();
  *n = 0;
  for (size_t i = 0; i < m->cap; ++i) {
    QuadKey k = m->slots[i];
    if (!k || (!all_graphs && quad_part(k, 0) != g) || (s && quad_part(k, 1) != s) ||
        (p && quad_part(k, 2) != p))
      continue;
    out[(*n)++] = k;
  }
  return out;
}

/* DELETE WHERE { ?s <p> ?o } or { <s> ?p ?o }, in one graph. */
static void delete_where(Buf *b, Rng *r, const Vocab *v, Changes *c) {
  char open[128];
  uint32_t g = rand_graph(r), s = 0, p = 0;
  if (rng_below(r, 3)) p = rand_pred(r);
  else s = rand_subject(r);
  bprintf(b, "DELETE WHERE { %s%s %s ?o%s }", graph_open(v, g, open, sizeof open),
          s ? vocab_text(v, s) : "?s", p ? vocab_text(v, p) : "?p", graph_close(g));
  size_t n;
  QuadKey *hit = matching(c->scratch, false, g, s, p, &n);
  for (size_t i = 0; i < n; ++i) change(c, hit[i], false);
  free(hit);
}

/* DELETE { ?s <p1> ?o } INSERT { ?s <p2> ?o } WHERE { ?s <p1> ?o [. ?s <p3> ?x] },
 * the deletion in graph g, the insertion in g2. */
static void delete_insert(Buf *b, Rng *r, const Vocab *v, Changes *c) {
  char o1[128], o2[128];
  uint32_t g = rand_graph(r), g2 = rng_below(r, 2) ? g : rand_graph(r);
  uint32_t p1 = rand_pred(r), p2 = rand_pred(r), p3 = rng_below(r, 2) ? rand_pred(r) : 0;
  const char *tp1 = vocab_text(v, p1);
  bprintf(b, "DELETE { %s?s %s ?o%s }\nINSERT { %s?s %s ?o%s }\nWHERE { %s?s %s ?o", 
          graph_open(v, g, o1, sizeof o1), tp1, graph_close(g),
          graph_open(v, g2, o2, sizeof o2), vocab_text(v, p2), graph_close(g2),
          graph_open(v, g, o1, sizeof o1), tp1);
  if (p3) bprintf(b, " . ?s %s ?x", vocab_text(v, p3));
  bprintf(b, "%s }", graph_close(g));
  size_t n, kept = 0;
  QuadKey *hit = matching(c->scratch, false, g, 0, p1, &n);
  for (size_t i = 0; i < n; ++i) {
    size_t nx = 1;
    if (p3) free(matching(c->scratch, false, g, quad_part(hit[i], 1), p3, &nx));
    if (nx) hit[kept++] = hit[i];
  }
  for (size_t i = 0; i < kept; ++i) change(c, hit[i], false);
  for (size_t i = 0; i < kept; ++i)
    change(c, quad_key(g2, quad_part(hit[i], 1), p2, quad_part(hit[i], 3)), true);
  free(hit);
}

static void clear_all(Buf *b, Changes *c) {
  bprintf(b, "DELETE WHERE { ?s ?p ?o } ;\nDELETE WHERE { GRAPH ?g { ?s ?p ?o } }");
  size_t n;
  QuadKey *hit = matching(c->scratch, true, 0, 0, 0, &n);
  for (size_t i = 0; i < n; ++i) change(c, hit[i], false);
  free(hit);
}

/* INSERT DATA, then LOAD of a file of N-Triples (broken mid-file when
 * s->fails) into a graph. */
static void insert_then_load(Step *s, Buf *b, Rng *r, Vocab *v, Changes *c,
                             const GenOptions *go, unsigned index, size_t step) {
  insert_data(b, r, v, c);
  Step file = {.fails = s->fails};
  make_load(&file, r, v, c, 1 + rng_below(r, 30), false, true);
  char path[512];
  op_file_name(go, index, step, TRINE_FORMAT_NTRIPLES, path, sizeof path);
  bprintf(b, " ;\nLOAD <file://%s>", path);
  if (file.graph) bprintf(b, " INTO GRAPH %s", vocab_text(v, file.graph));
  s->file = file.text;
  s->file_len = file.len;
}

/* One update request into s; its changes into c. */
static void make_update(Step *s, Rng *r, Vocab *v, Changes *c, const GenOptions *go,
                        unsigned index, size_t step, bool may_fail) {
  Buf b = {0};
  s->kind = STEP_UPDATE;
  unsigned pick = rng_below(r, 100);
  if (c->scratch->n > go->max_quads) clear_all(&b, c);
  else if (pick < 30) insert_data(&b, r, v, c);
  else if (pick < 45) delete_data(&b, r, v, c);
  else if (pick < 65) delete_where(&b, r, v, c);
  else if (pick < 85) delete_insert(&b, r, v, c);
  else if (pick < 97) {
    s->fails = may_fail && rng_below(r, 2);
    insert_then_load(s, &b, r, v, c, go, index, step);
  } else
    clear_all(&b, c);
  s->text = b.p;
  s->len = b.n;
}

/* ---- operations ---- */

static Step *add_step(Op *op) {
  if (!(op->steps = realloc(op->steps, (op->nsteps + 1) * sizeof *op->steps))) abort();
  Step *s = &op->steps[op->nsteps++];
  *s = (Step){0};
  return s;
}

/* A transaction of 1 to 6 steps; a step meant to fail is the last. */
static void make_txn(Op *op, Rng *r, Vocab *v, Changes *c, const GenOptions *go, unsigned index) {
  op->kind = OP_TXN;
  op->commit = rng_below(r, 5) != 0;
  op->what = op->commit ? "transaction, committed" : "transaction, aborted";
  bool failed = false;
  for (uint32_t i = 0, n = 1 + rng_below(r, 6); i < n && !failed; ++i) {
    Step *s = add_step(op);
    unsigned pick = rng_below(r, 100);
    if (pick < 65) {
      s->kind = pick < 40 ? STEP_ADD : STEP_REMOVE;
      s->quad = pick < 40 ? rand_quad(r) : some_quad(r, v, c->scratch);
      bool there = qs_has(c->scratch, s->quad);
      change(c, s->quad, s->kind == STEP_ADD);
      s->fails = s->kind == STEP_ADD ? there : !there; /* TRINE_NOT_FOUND expected */
    } else if (pick < 80) {
      s->fails = rng_below(r, 4) == 0;
      make_load(s, r, v, c, load_lines(r, go), rng_below(r, 4) == 0, false);
      failed = s->fails;
    } else {
      make_update(s, r, v, c, go, index, op->nsteps - 1, true);
      failed = s->fails;
    }
  }
  if (failed) op->what = "transaction with a step that fails";
  op->expect_ok = op->commit && !failed;
}

void op_make(Op *op, Rng *r, const GenOptions *go, Vocab *v, const QuadSet *m, unsigned index) {
  *op = (Op){0};
  QuadSet scratch;
  qs_copy(&scratch, m);
  Changes c = {.scratch = &scratch};
  unsigned pick = rng_below(r, 100);
  if (m->n > go->max_quads) pick = 50; /* an update: clear_all */
  if (pick < 30) {
    Step *s = add_step(op);
    op->kind = rng_below(r, 3) ? OP_LOAD_BUFFER : OP_LOAD_FILE;
    s->cancel = pick >= 22 && rng_below(r, 2);
    s->fails = pick >= 22 && !s->cancel; /* a broken line; a cancelled load's text is intact */
    make_load(s, r, v, &c, load_lines(r, go), rng_below(r, 4) == 0, false);
    s->fails = s->fails || s->cancel;
    op->what = s->cancel ? "load, cancelled" : s->fails ? "load, broken mid-file"
               : op->kind == OP_LOAD_FILE ? "load of a file" : "load";
    op->expect_ok = !s->fails;
  } else if (pick < 70) {
    Step *s = add_step(op);
    op->kind = OP_UPDATE;
    make_update(s, r, v, &c, go, index, 0, true);
    op->what = s->fails ? "update, failing in its LOAD" : "update";
    op->expect_ok = !s->fails;
  } else if (pick < 96 || !go->compact) {
    make_txn(op, r, v, &c, go, index);
  } else {
    op->kind = OP_COMPACT;
    op->what = "compaction";
    op->expect_ok = true;
  }
  if (op->expect_ok) {
    op->changes = c.a;
    op->nchanges = c.n;
  } else
    free(c.a);
  qs_free(&scratch);
}

void op_free(Op *op) {
  for (size_t i = 0; i < op->nsteps; ++i) {
    free(op->steps[i].text);
    free(op->steps[i].file);
  }
  free(op->steps);
  free(op->changes);
  *op = (Op){0};
}

void op_apply(const Op *op, QuadSet *m) {
  for (size_t i = 0; i < op->nchanges; ++i) {
    if (op->changes[i].add) qs_add(m, op->changes[i].key);
    else qs_remove(m, op->changes[i].key);
  }
}

void op_file_name(const GenOptions *go, unsigned index, size_t step, TrineFormat format,
                  char *buf, size_t size) {
  snprintf(buf, size, "%s/op-%u-%zu.%s", go->files, index, step,
           format == TRINE_FORMAT_NQUADS ? "nq" : "nt");
}
