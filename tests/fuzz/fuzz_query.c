/*
 * fuzz_query.c -- libFuzzer target for the whole query path: parse, plan,
 * execute, decode, through the public API.
 *
 * Each input is a SPARQL request, run against a small store made once per
 * process (IRIs, blank nodes, literals of several datatypes and languages,
 * two named graphs, chains and a cycle for paths), opened read-only so
 * that updates fail and every input sees the same data. A run has a
 * timeout of 200 ms and a memory limit of 64 MiB: a request may fail with
 * any status, but it must not crash, leak or trip a sanitizer, and a
 * failure must come with a message.
 */
#include <trine.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EX "<http://example.org/"

static const char data[] =
    EX "s1> " EX "p> " EX "o1> .\n" EX "s1> " EX "p> " EX "o2> .\n"
    EX "s2> " EX "p> " EX "o1> .\n" EX "s3> " EX "p> " EX "s1> .\n"
    EX "o1> " EX "p> " EX "s2> .\n" /* a cycle s1 -> o1 -> s2 -> o1 */
    EX "s1> " EX "q> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
    EX "s2> " EX "q> \"2.5\"^^<http://www.w3.org/2001/XMLSchema#decimal> .\n"
    EX "s3> " EX "q> \"3e0\"^^<http://www.w3.org/2001/XMLSchema#double> .\n"
    EX "o1> " EX "q> \"abc\" .\n" EX "o2> " EX "q> \"abc\"@en .\n"
    EX "o2> " EX "q> \"ABC\"@en-GB .\n"
    EX "s1> " EX "r> \"2024-02-29T12:00:00Z\"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n"
    EX "s2> " EX "r> \"true\"^^<http://www.w3.org/2001/XMLSchema#boolean> .\n"
    EX "s3> " EX "r> _:b1 .\n_:b1 " EX "p> _:b2 .\n_:b2 " EX "q> \"x\" .\n"
    EX "s1> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " EX "C> .\n"
    EX "s2> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " EX "C> .\n"
    EX "s1> " EX "p> " EX "o3> " EX "g1> .\n" EX "o3> " EX "q> \"7\" " EX "g1> .\n"
    EX "s2> " EX "p> " EX "o1> " EX "g2> .\n" EX "o1> " EX "r> \"é\" " EX "g2> .\n";

static TrineStore *store;
static char dir[64];

static void cleanup(void) {
  trine_store_close(store);
  char path[96];
  snprintf(path, sizeof path, "%s/data.mdb", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/lock.mdb", dir);
  unlink(path);
  rmdir(dir);
}

static void open_store(void) {
  strcpy(dir, "/tmp/trine-fuzz-query-XXXXXX");
  TrineStore *w = NULL;
  if (!mkdtemp(dir) || trine_store_open(dir, NULL, &w) ||
      trine_store_load_buffer(w, "data.nq", data, sizeof data - 1, NULL, NULL))
    abort();
  trine_store_close(w);
  TrineOptions ro = {.flags = TRINE_OPEN_READONLY};
  if (trine_store_open(dir, &ro, &store)) abort();
  atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size) {
  if (!store) open_store();
  TrineQueryOptions o = {.timeout_ms = 200, .memory_limit = 64u << 20,
                         .base_iri = "http://example.org/base/"};
  TrineQuery *q = NULL;
  TrineStatus st = trine_query_prepare(store, (const char *)in, size, &o, &q);
  if (st != TRINE_OK) {
    if (q) abort();
    return 0;
  }
  size_t ncols = trine_query_columns(q), sink = 0;
  while ((st = trine_query_step(q)) == TRINE_ROW)
    for (size_t i = 0; i < ncols; ++i) {
      const TrineTerm *t = trine_query_term(q, i);
      if (t) sink += t->value_len + t->datatype_len + t->lang_len;
    }
  if (st != TRINE_DONE) {
    const char *msg = trine_store_errmsg(store);
    if (!msg || !msg[0]) abort(); /* a failure says what failed */
  }
  trine_query_free(q);
  return sink == SIZE_MAX ? -1 : 0; /* -1: not worth keeping (never, in fact) */
}
