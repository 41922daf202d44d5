/*
 * names.c -- embed trine: open a store, load a file, run a SPARQL query,
 * print the rows. Build against an installed trine with
 *   cc names.c $(pkg-config --cflags --libs trine) -o names
 * usage: names STORE [DATA.nt]; exits 1 when nothing has a label.
 */
#include <trine.h>

#include <stdio.h>
#include <string.h>

static const char query[] =
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "SELECT ?thing ?label WHERE { ?thing rdfs:label ?label } ORDER BY ?label LIMIT 10";

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: names STORE [DATA.nt]\n");
    return 2;
  }
  TrineStore *store;
  if (trine_store_open(argv[1], NULL, &store) != TRINE_OK) {
    fprintf(stderr, "names: %s\n", trine_open_errmsg());
    return 1;
  }
  if (argc > 2 && trine_store_load_file(store, argv[2], NULL, NULL) != TRINE_OK) {
    fprintf(stderr, "names: %s\n", trine_store_errmsg(store));
    trine_store_close(store);
    return 1;
  }
  TrineQuery *q;
  if (trine_query_prepare(store, query, strlen(query), NULL, &q) != TRINE_OK) {
    fprintf(stderr, "names: %s\n", trine_store_errmsg(store));
    trine_store_close(store);
    return 1;
  }
  TrineStatus st;
  int rows = 0;
  while ((st = trine_query_step(q)) == TRINE_ROW) {
    ++rows;
    const TrineTerm *thing = trine_query_term(q, 0), *label = trine_query_term(q, 1);
    printf("%.*s\t%.*s\n", (int)thing->value_len, thing->value, (int)label->value_len,
           label->value);
  }
  if (st != TRINE_DONE) fprintf(stderr, "names: %s\n", trine_store_errmsg(store));
  else if (rows == 0) fprintf(stderr, "names: nothing has an rdfs:label\n");
  trine_query_free(q);
  trine_store_close(store);
  return st == TRINE_DONE && rows > 0 ? 0 : 1;
}
