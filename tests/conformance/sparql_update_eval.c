/*
 * sparql_update_eval.c -- the W3C SPARQL 1.1 Update evaluation suite, run
 * through the public API.
 *
 * usage: sparql_update_eval [--shell TRINE] SUITE-DIR [TEST-NAME]
 * For every test of SUITE-DIR/tests.tsv, in a fresh store: load before.nq,
 * prepare request.ru against the base IRI of meta.tsv, run it (one step),
 * dump the whole store as N-Quads and compare it with after.nq as a set of
 * quads up to blank node renaming (the default graph is the unnamed graph;
 * empty named graphs cannot be written, so graph existence is not checked).
 *
 * Tests listed as xfail in SUITE-DIR/../sparql-excluded.tsv (suite, name,
 * status, reason) that fail count as known; one that passes is a failure
 * ("unexpected pass"), so that the list stays honest. Prints one line per
 * failure with a short diff, per-suite counts and "N passed, M failed";
 * exit 1 if M > 0.
 * With TEST-NAME: run that test only and print both datasets in full.
 * With --shell TRINE: run each request.ru through `TRINE STORE -f
 * request.ru` as well, and compare the store it leaves with the API's (the
 * shell must not cut a request in pieces); both failing is a pass.
 */
#include "eval_common.h"

#include <stdlib.h>
#include <string.h>

/* Run request.ru on before.nq in a fresh store, through the API or (shell)
 * through `trine STORE -f request.ru`; the store after it as distinct
 * quads in *got. NULL, or the reason written to why. */
static const char *run_request(const char *dir, const char *name, const char *base, bool shell,
                               EvTable *got, char *why, size_t whysize) {
  const char *fail = NULL;
  TrineStore *store = ev_fresh_store();
  TrineQuery *q = NULL;
  char *text = NULL, *dump = NULL, err[512];
  size_t len = 0;
  EvErrors rc = {{0}};
  memset(got, 0, sizeof *got);
  if (!store)
    return "cannot create a store";
  if ((fail = ev_load(store, dir, "before.nq", &rc, why, whysize)))
    goto out;
  if (shell) {
    EvShellRun r;
    ev_shell_run(&store, base, NULL, dir, "request.ru", &r);
    if (r.status != 0)
      fail = ev_shell_failure(&r, why, whysize);
    else if (!store)
      fail = "cannot open the store again after the shell";
    ev_shell_free(&r);
    if (fail)
      goto out;
  } else {
    if ((fail = ev_prepare(store, dir, "request.ru", name, base, &rc, &text, &q,
                           why, whysize)))
      goto out;
    if (trine_query_form(q) != TRINE_QUERY_UPDATE) {
      fail = "the request is not an update";
      goto out;
    }
    TrineStatus st = trine_query_step(q);
    if (st != TRINE_DONE && st != TRINE_ROW) {
      snprintf(why, whysize, "update: %s: %s", trine_strerror(st),
               rc.errmsg[0] ? rc.errmsg : trine_store_errmsg(store));
      fail = why;
      goto out;
    }
  }
  FILE *f = open_memstream(&dump, &len);
  TrineStatus st = trine_store_dump(store, f, TRINE_FORMAT_NQUADS, NULL);
  fclose(f);
  if (st) {
    snprintf(why, whysize, "dump: %s", trine_strerror(st));
    fail = why;
    goto out;
  }
  if (!ev_parse_quads_buf("dump", dump, len, true, got, err, sizeof err)) {
    snprintf(why, whysize, "the dump does not parse: %s", err);
    fail = why;
    goto out;
  }
  ev_table_distinct(got);
out:
  free(text);
  free(dump);
  trine_query_free(q);
  ev_drop_store(store);
  return fail;
}

/* Run one test; NULL when it passes, else a reason (details go to diff).
 * Through the shell (ev_shell) the store after it must be the one the API
 * leaves, or both must fail. */
static const char *run_test(const char *dir, const char *name, FILE *diff) {
  static char why[1024], api_why[1024];
  char path[1024], err[512];
  EvTsv meta;
  ev_join(path, sizeof path, dir, "meta.tsv");
  if (!ev_tsv_read(path, &meta))
    return "cannot read meta.tsv";
  const char *base = ev_tsv_value(&meta, "base");
  const char *fail = NULL;
  EvTable want = {0}, got = {0};
  if (ev_shell) {
    const char *api = run_request(dir, name, base, false, &want, api_why, sizeof api_why);
    fail = run_request(dir, name, base, true, &got, why, sizeof why);
    if (api) {
      if (!fail) {
        snprintf(why, sizeof why, "the shell ran it, the API failed: %.900s", api);
        fail = why;
      } else {
        fail = NULL;
      }
      goto out;
    }
  } else {
    ev_join(path, sizeof path, dir, "after.nq");
    if (!ev_parse_quads(path, true, &want, err, sizeof err)) {
      snprintf(why, sizeof why, "after.nq: %s", err);
      fail = why;
      goto out;
    }
    ev_table_distinct(&want);
    fail = run_request(dir, name, base, false, &got, why, sizeof why);
  }
  if (fail)
    goto out;
  ev_print_both(&want, &got, "quads", diff);
  EvCompare cmp = {0};
  fail = ev_compare(&want, &got, &cmp, "datasets", diff, why, sizeof why);
out:
  ev_table_free(&want);
  ev_table_free(&got);
  ev_tsv_free(&meta);
  return fail;
}

int main(int argc, char **argv) {
  return ev_main(argc, argv, "sparql-update-eval", "sparql-excluded.tsv",
                 run_test);
}
