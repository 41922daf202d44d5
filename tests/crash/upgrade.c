/*
 * upgrade.c -- the format 1 upgrade interrupted. The upgrade runs when a
 * format 1 store is first opened read-write, in one write transaction. A
 * child opens a copy of tests/unit/data/format1 and is killed with SIGKILL
 * after a random delay; the store must then either still be format 1 (a
 * read-only open says so) or be upgraded, and in both cases open
 * read-write, dump the same six quads and pass the check.
 *
 * usage: upgrade [--points N] [--seed N] [--max-delay-us N]
 */
#include "format1.h"
#include "model.h"

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

int main(int argc, char **argv) {
  unsigned points = 50, max_us = 8000;
  uint64_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!strcmp(argv[i], "--points")) points = (unsigned)atoi(argv[i + 1]);
    else if (!strcmp(argv[i], "--seed")) seed = strtoull(argv[i + 1], NULL, 0);
    else if (!strcmp(argv[i], "--max-delay-us")) max_us = (unsigned)atoi(argv[i + 1]);
    else return fprintf(stderr, "usage: upgrade [--points N] [--seed N] [--max-delay-us N]\n"), 2;
  }
  char work[] = "/tmp/trine-upgrade-XXXXXX", dir[600], why[1400];
  if (!mkdtemp(work)) return perror("mkdtemp"), 1;
  snprintf(dir, sizeof dir, "%s/store", work);
  Rng rng = {seed};
  unsigned failures = 0, before = 0, after = 0;
  for (unsigned k = 0; k < points; ++k) {
    if (format1_copy(dir)) return fprintf(stderr, "cannot copy the format 1 store\n"), 1;
    unsigned delay = rng_below(&rng, max_us + 1);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      TrineStore *s;
      _exit(trine_store_open(dir, NULL, &s) ? 3 : 0);
    }
    nanosleep(&(struct timespec){0, (long)delay * 1000}, NULL);
    kill(pid, SIGKILL);
    int ws;
    while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
    int old = format1_state(dir);
    if (WIFEXITED(ws) && WEXITSTATUS(ws))
      ++failures, fprintf(stderr, "not ok %u: the upgrade failed\n", k);
    else if (old < 0)
      ++failures, fprintf(stderr, "not ok %u (delay %u us): neither format 1 nor upgraded: %s\n",
                          k, delay, trine_open_errmsg());
    else if (format1_verify(dir, why, sizeof why))
      ++failures, fprintf(stderr, "not ok %u (delay %u us, %s): %s\n", k, delay,
                          old ? "format 1" : "upgraded", why);
    else
      ++*(old ? &before : &after);
  }
  printf("upgrade: seed %" PRIu64 ": %u kill points, %u found format 1, %u upgraded, %u failed\n",
         seed, points, before, after, failures);
  if (!failures) nftw(work, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
  else printf("work directory: %s\n", work);
  return failures ? 1 : 0;
}
