/*
 * format1.c -- the format 1 store of tests/unit/data/format1, for the
 * tests that interrupt its upgrade (upgrade.c, faults.c).
 */
#include "format1.h"

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The quads of data/format1/source.nq, as dumped (test_termstore.c). */
static const char format1_dump[] =
    "<http://ex.org/s> <http://ex.org/p> \"plain\" .\n"
    "<http://ex.org/s> <http://ex.org/p> \"hello\"@en-gb .\n"
    "<http://ex.org/s> <http://ex.org/n> \"42\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n"
    "_:b7 <http://ex.org/p> <http://ex.org/o> .\n"
    "<http://ex.org/t> <http://ex.org/p> _:b7 <http://ex.org/g> .\n"
    "<http://ex.org/t> <http://ex.org/q> \"in a graph\" <http://ex.org/g> .\n";

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

int format1_copy(const char *dir) {
  char from[600], to[600], buf[1 << 16];
  nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  if (mkdir(dir, 0777)) return -1;
  snprintf(from, sizeof from, "%s/format1/data.mdb", TEST_DATA);
  snprintf(to, sizeof to, "%s/data.mdb", dir);
  int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ssize_t n = -1;
  while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n) n = -1;
  if (in >= 0) close(in);
  if (out >= 0 && close(out)) n = -1;
  return n == 0 ? 0 : -1;
}

int format1_state(const char *dir) {
  TrineOptions ro = {.flags = TRINE_OPEN_READONLY};
  TrineStore *s;
  TrineStatus st = trine_store_open(dir, &ro, &s);
  if (st == TRINE_OK) return trine_store_close(s), 0;
  return st == TRINE_ERR_CORRUPT && strstr(trine_open_errmsg(), "format 1") ? 1 : -1;
}

int format1_verify(const char *dir, char *why, size_t size) {
  TrineStore *s;
  if (trine_store_open(dir, NULL, &s))
    return snprintf(why, size, "does not open: %s", trine_open_errmsg()), -1;
  char *dump = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&dump, &len);
  TrineStatus st = f ? trine_store_dump(s, f, TRINE_FORMAT_NQUADS, NULL) : TRINE_ERR_NOMEM;
  if (f) fclose(f);
  int rc = 0;
  if (st || !dump || strcmp(dump, format1_dump))
    rc = -1, snprintf(why, size, "dumps otherwise: %s", dump ? dump : trine_strerror(st));
  else if (trine_store_check(s, NULL, NULL, NULL))
    rc = -1, snprintf(why, size, "the check fails: %s", trine_store_errmsg(s));
  free(dump);
  trine_store_close(s);
  return rc;
}

