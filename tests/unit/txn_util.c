/* txn_util.c -- helpers shared by the transaction tests (see txn_util.h). */
#include "txn_util.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

int txn_setup(void **state) { return tu_setup(state, "txn", NULL); }

uint64_t quads_in(TrineStore *s, TrineTxn *t) {
  TrineStats st;
  assert_int_equal(trine_store_stats(s, t, &st), TRINE_OK);
  return st.quads;
}

char *gen_text(const char *tag, size_t from, size_t n, const char *graph, size_t *len) {
  size_t cap = n * 128 + 1, used = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (size_t i = from; i < from + n; ++i)
    used += (size_t)snprintf(buf + used, cap - used,
                             "<http://ex.org/s%s-%zu> <http://ex.org/p%zu> \"%zu\"%s%s .\n", tag,
                             i, i % 7, i, graph ? " " : "", graph ? graph : "");
  *len = used;
  return buf;
}

static int pred_line(void *ctx, const TrinePredicateStats *ps) {
  char *buf = ctx;
  size_t n = strlen(buf);
  snprintf(buf + n, 4096 - n, "%.*s %llu %llu %llu\n", (int)ps->predicate.value_len,
           ps->predicate.value, (unsigned long long)ps->quads,
           (unsigned long long)ps->subjects, (unsigned long long)ps->objects);
  return 0;
}

void snapshot(TrineStore *s, Snapshot *sn) {
  sn->dump = tu_dump(s, TRINE_FORMAT_NQUADS, NULL, &sn->len);
  assert_int_equal(trine_store_stats(s, NULL, &sn->st), TRINE_OK);
  sn->preds[0] = '\0';
  assert_int_equal(trine_store_predicates(s, NULL, pred_line, sn->preds), TRINE_OK);
}

void assert_same_snapshot(const Snapshot *a, const Snapshot *b) {
  assert_int_equal(a->len, b->len);
  assert_memory_equal(a->dump, b->dump, a->len);
  assert_int_equal(a->st.quads, b->st.quads);
  assert_int_equal(a->st.terms, b->st.terms);
  assert_int_equal(a->st.graphs, b->st.graphs);
  assert_int_equal(a->st.default_quads, b->st.default_quads);
  assert_string_equal(a->preds, b->preds);
}

void snapshot_free(Snapshot *sn) { free(sn->dump); }

const char *base_data =
    "<http://ex.org/a> <http://ex.org/p> \"1\" .\n"
    "<http://ex.org/a> <http://ex.org/p> <http://ex.org/b> <http://ex.org/g1> .\n"
    "_:x <http://ex.org/q> \"x\"@en <http://ex.org/g2> .\n"
    "<http://ex.org/b> <http://ex.org/q> _:x .\n";
