/*
 * replay_main.c -- runs files through a libFuzzer entry point without
 * libFuzzer, so any compiler can replay a corpus as a regression test.
 *
 *   replay_NAME PATH...   (each PATH a file, or a directory of files)
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    return -1;
  }
  uint8_t *buf = NULL;
  size_t len = 0, cap = 0, n;
  do {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *b = realloc(buf, cap);
      if (!b) {
        free(buf);
        fclose(f);
        return -1;
      }
      buf = b;
    }
    n = fread(buf + len, 1, cap - len, f);
    len += n;
  } while (n);
  fclose(f);
  // An exact-size copy, so sanitizers catch reads past the input.
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) {
    free(buf);
    return -1;
  }
  if (len)
    memcpy(exact, buf, len);
  free(buf);
  LLVMFuzzerTestOneInput(exact, len);
  free(exact);
  return 0;
}

static int cmp_names(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_dir(const char *dir, unsigned *count) {
  DIR *d = opendir(dir);
  if (!d) {
    perror(dir);
    return -1;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    if (n == cap) {
      cap = cap ? cap * 2 : 64;
      char **more = realloc(names, cap * sizeof *names);
      if (!more)
        break;
      names = more;
    }
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    if (!(names[n] = malloc(len)))
      break;
    snprintf(names[n++], len, "%s/%s", dir, e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp_names); // a stable order in the log
  int rc = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!rc && run_file(names[i]) == 0)
      ++*count;
    else
      rc = -1;
    free(names[i]);
  }
  free(names);
  return rc;
}

int main(int argc, char **argv) {
  unsigned count = 0;
  int rc = 0;
  if (argc < 2) {
    fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  for (int i = 1; i < argc && rc == 0; ++i) {
    struct stat st;
    if (stat(argv[i], &st)) {
      perror(argv[i]);
      rc = -1;
    } else if (S_ISDIR(st.st_mode)) {
      rc = run_dir(argv[i], &count);
    } else if (run_file(argv[i]) == 0) {
      ++count;
    } else {
      rc = -1;
    }
  }
  printf("%u inputs replayed\n", count);
  return rc ? 1 : (count ? 0 : 1);
}
