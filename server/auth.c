/*
 * auth.c -- reading the token file and checking Authorization headers.
 */
#include "auth.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* The string s[0..len) with blanks cut at both ends, copied. */
static char *trimmed(const char *s, size_t len) {
  while (len && isspace((unsigned char)*s)) s++, len--;
  while (len && isspace((unsigned char)s[len - 1])) len--;
  return len ? strndup(s, len) : NULL;
}

char *auth_read_token(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "trine serve: cannot read the token file %s: %s\n", path, strerror(errno));
    return NULL;
  }
  struct stat st;
  if (fstat(fileno(f), &st) == 0 && (st.st_mode & 0077))
    fprintf(stderr, "trine serve: warning: %s can be read by other users (chmod 600 it)\n", path);
  char line[4096];
  char *token = fgets(line, sizeof line, f) ? trimmed(line, strlen(line)) : NULL;
  fclose(f);
  if (!token) fprintf(stderr, "trine serve: the token file %s is empty\n", path);
  return token;
}

/* Equal strings, in a time that depends on the length of want only. */
static bool same_secret(const char *want, const char *got) {
  size_t wl = strlen(want), gl = strlen(got);
  unsigned char diff = wl != gl;
  for (size_t i = 0; i < wl; ++i) diff |= (unsigned char)(want[i] ^ got[gl ? i % gl : 0]);
  return diff == 0;
}

bool auth_check(const char *token, const char *header) {
  if (!token || !header) return false;
  while (*header == ' ') header++;
  if (strncasecmp(header, "Bearer ", 7) != 0) return false;
  header += 7;
  while (*header == ' ') header++;
  return same_secret(token, header);
}
