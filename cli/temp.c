/*
 * temp.c -- a store for experiments (trine --temp, trine :memory:, .open
 * :memory:): made in a new directory under $TMPDIR (else /tmp) whose files
 * are removed as soon as they are open. LMDB keeps using the open files, and
 * their space comes back when the shell exits, however it exits: a crash or
 * a kill leaves nothing behind.
 */
#include "shell.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char shell_temp_name[] = ":memory:";

/* Remove dir and the files in it (a store has no subdirectory). */
static void remove_dir(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)))
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
      unlinkat(dirfd(d), e->d_name, 0);
  if (d) closedir(d);
  rmdir(dir);
}

int shell_open_temp(Shell *sh) {
  const char *tmp = getenv("TMPDIR");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/trine-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir)) {
    shell_error(sh, "cannot make a temporary directory in %s: %s", tmp && *tmp ? tmp : "/tmp",
                strerror(errno));
    return 1;
  }
  TrineStore *store;
  TrineStatus st = trine_store_open(dir, NULL, &store);
  remove_dir(dir);
  char *name = st ? NULL : strdup(shell_temp_name);
  if (st || !name) {
    shell_error(sh, "%s", st ? trine_open_errmsg() : "out of memory");
    if (!st) trine_store_close(store);
    return 1;
  }
  trine_store_close(sh->store);
  free(sh->store_path);
  sh->store = store;
  sh->store_path = name;
  shell_load_prefixes(sh);
  return 0;
}

bool shell_is_temp(const Shell *sh) {
  return sh->store_path && strcmp(sh->store_path, shell_temp_name) == 0;
}
