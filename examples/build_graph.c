/*
 * build_graph.c -- a small graph built in code inside one write
 * transaction, queried before the commit (the query runs in the
 * transaction and sees its writes), then committed: other readers see it
 * only from the commit on.
 *
 *   cc build_graph.c $(pkg-config --cflags --libs trine) -o build_graph
 *   build_graph STORE
 *
 * Prints the query's answer inside the transaction, then the quads every
 * reader sees after the commit; exits 1 on an error.
 */
#include <trine.h>

#include <stdio.h>
#include <string.h>

#define EX "https://example.org/"

static const char query[] = "SELECT ?name WHERE { ?who <" EX "knows> ?friend . "
                            "?friend <" EX "name> ?name } ORDER BY ?name";

/* Run query in txn and print its names; the number of rows in *rows. */
static TrineStatus names(TrineStore *store, TrineTxn *txn, int *rows) {
  TrineQueryOptions opts = {.txn = txn};
  TrineQuery *q;
  TrineStatus st = trine_query_prepare(store, query, strlen(query), &opts, &q);
  *rows = 0;
  if (st) return st;
  while ((st = trine_query_step(q)) == TRINE_ROW) {
    const TrineTerm *name = trine_query_term(q, 0);
    printf("  %.*s\n", (int)name->value_len, name->value);
    ++*rows;
  }
  trine_query_free(q);
  return st == TRINE_DONE ? TRINE_OK : st;
}

static TrineStatus build(TrineTxn *txn) {
  TrineTerm ann = trine_iri(EX "ann"), bob = trine_iri(EX "bob"), cy = trine_iri(EX "cy");
  TrineTerm knows = trine_iri(EX "knows"), name = trine_iri(EX "name");
  TrineTerm bob_name = trine_literal("Bob", NULL, NULL), cy_name = trine_literal("Cy", NULL, "en");
  const TrineTerm *quads[][3] = {
      {&ann, &knows, &bob}, {&ann, &knows, &cy}, {&bob, &name, &bob_name}, {&cy, &name, &cy_name}};
  for (size_t i = 0; i < sizeof quads / sizeof *quads; ++i) {
    TrineStatus st = trine_txn_add(txn, quads[i][0], quads[i][1], quads[i][2], NULL);
    if (st != TRINE_OK && st != TRINE_NOT_FOUND) return st; /* NOT_FOUND: there already */
  }
  return TRINE_OK;
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: build_graph STORE\n");
    return 2;
  }
  TrineStore *store;
  if (trine_store_open(argv[1], NULL, &store)) {
    fprintf(stderr, "build_graph: %s\n", trine_open_errmsg());
    return 1;
  }
  TrineTxn *txn;
  int in_txn = 0, before = 0, after = 0;
  TrineStatus st = trine_txn_begin(store, true, &txn);
  if (!st) st = build(txn);
  if (!st) printf("inside the transaction:\n");
  if (!st) st = names(store, txn, &in_txn);
  if (!st) printf("other readers, before the commit:\n");
  if (!st) st = names(store, NULL, &before);
  if (!st) st = trine_txn_commit(txn);
  else trine_txn_abort(txn);
  if (!st) printf("after the commit:\n");
  if (!st) st = names(store, NULL, &after);
  if (st) fprintf(stderr, "build_graph: %s\n", trine_store_errmsg(store));
  trine_store_close(store);
  return st || in_txn != 2 || after != 2 ? 1 : 0;
}
