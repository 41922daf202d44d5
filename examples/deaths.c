/*
 * deaths.c -- a prepared query with a bound parameter: which sources report
 * deaths of a given nationality, with which figures, in the seed dataset
 * (datasets/central-asia/). The query is parsed once and run for each
 * nationality named on the command line; a nationality is a value bound
 * to ?nationality, never text spliced into the query.
 *
 *   cc deaths.c $(pkg-config --cflags --libs trine) -o deaths
 *   deaths STORE DATA.nq uzbekistan tajikistan
 *
 * Exits 1 on an error, 0 otherwise (a nationality with no reported deaths
 * prints nothing).
 */
#include <trine.h>

#include <stdio.h>
#include <string.h>

static const char query[] =
    "PREFIX cas: <https://trine.example/ca/schema#>\n"
    "SELECT ?article ?value WHERE {\n"
    "  GRAPH ?article {\n"
    "    ?claim cas:counts <https://trine.example/ca/measure/deaths> ;\n"
    "           cas:nationality ?nationality ; cas:value ?value .\n"
    "  }\n"
    "} ORDER BY ?article ?value";

/* Print the rows of q for one nationality: article, then the figure. */
static TrineStatus report(TrineQuery *q, const char *country) {
  char iri[256];
  snprintf(iri, sizeof iri, "https://trine.example/ca/country/%s", country);
  TrineTerm nationality = trine_iri(iri);
  TrineStatus st = trine_query_reset(q);
  if (!st) st = trine_query_bind(q, "nationality", &nationality);
  if (st) return st;
  long article = trine_query_column_index(q, "article");
  long value = trine_query_column_index(q, "value");
  while ((st = trine_query_step(q)) == TRINE_ROW) {
    const TrineTerm *a = trine_query_term(q, (size_t)article);
    const TrineTerm *v = trine_query_term(q, (size_t)value);
    printf("%s\t%.*s\t%.*s\n", country, (int)a->value_len, a->value, (int)v->value_len,
           v->value);
  }
  return st == TRINE_DONE ? TRINE_OK : st;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: deaths STORE DATA.nq NATIONALITY...\n");
    return 2;
  }
  TrineStore *store;
  if (trine_store_open(argv[1], NULL, &store)) {
    fprintf(stderr, "deaths: %s\n", trine_open_errmsg());
    return 1;
  }
  TrineQuery *q = NULL;
  TrineStatus st = trine_store_load_file(store, argv[2], NULL, NULL);
  if (st == TRINE_OK) st = trine_query_prepare(store, query, strlen(query), NULL, &q);
  for (int i = 3; i < argc && st == TRINE_OK; ++i) st = report(q, argv[i]);
  if (st) fprintf(stderr, "deaths: %s\n", trine_store_errmsg(store));
  trine_query_free(q);
  trine_store_close(store);
  return st ? 1 : 0;
}
