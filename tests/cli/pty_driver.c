/*
 * pty_driver.c -- run a program on a pseudo-terminal and drive it like a
 * person at a keyboard, for the shell tests.
 *
 * usage: pty_driver [-t SECONDS] PROGRAM [ARG ...] < SCRIPT
 *
 * SCRIPT has one command a line (C escapes \n \t \r \e \\ \xHH in TEXT):
 *   send TEXT    type TEXT (no newline unless written)
 *   line TEXT    type TEXT and Enter
 *   paste TEXT   write TEXT at once, as a terminal passes pasted text
 *   wait TEXT    wait until TEXT appears in the output after the last match,
 *                then 30 ms more (a prompt is printed before the terminal
 *                is switched to raw mode: keys typed in between echo twice)
 *   sleep MS     wait MS milliseconds, reading output
 *   # ...        a comment
 * At the end of SCRIPT the terminal is hung up unless the program has left.
 * Everything the program wrote goes to standard output, with a line
 * "[pty_driver: timed out waiting for TEXT]" for each wait that failed.
 * The exit status is the program's (128+N when killed by signal N), or 125
 * when the driver itself fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *out;
static size_t out_len, out_cap, mark;
static int master = -1;
static bool child_gone;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* Read what is there within ms milliseconds; false once the child is gone. */
static bool pump(int ms) {
  if (child_gone) return false;
  struct pollfd p = {master, POLLIN, 0};
  int r = poll(&p, 1, ms);
  if (r <= 0) return true;
  char buf[4096];
  ssize_t n = read(master, buf, sizeof buf);
  if (n <= 0) {
    if (n < 0 && errno == EINTR) return true;
    child_gone = true; /* EIO: the slave side is closed */
    return false;
  }
  if (out_len + (size_t)n + 1 > out_cap) {
    out_cap = (out_len + (size_t)n + 1) * 2;
    if (!(out = realloc(out, out_cap))) exit(125);
  }
  memcpy(out + out_len, buf, (size_t)n);
  out_len += (size_t)n;
  out[out_len] = '\0';
  return true;
}

static size_t unescape(char *s) {
  char *d = s;
  for (char *p = s; *p; ++p) {
    if (*p != '\\' || !p[1]) { *d++ = *p; continue; }
    switch (*++p) {
    case 'n': *d++ = '\n'; break;
    case 't': *d++ = '\t'; break;
    case 'r': *d++ = '\r'; break;
    case 'e': *d++ = 27; break;
    case 'x': {
      unsigned v = 0;
      for (int i = 0; i < 2 && p[1]; ++i) {
        char c = *++p;
        v = v * 16 + (unsigned)(c >= 'a' ? c - 'a' + 10 : c >= 'A' ? c - 'A' + 10 : c - '0');
      }
      *d++ = (char)v;
      break;
    }
    default: *d++ = *p;
    }
  }
  *d = '\0';
  return (size_t)(d - s);
}

static void type(const char *s, size_t n) {
  /* A key at a time, as typed: libedit reads characters one by one. */
  for (size_t i = 0; i < n; ++i) {
    if (write(master, s + i, 1) != 1) return;
    pump(2);
  }
}

int main(int argc, char **argv) {
  int timeout_s = 10, opt;
  while ((opt = getopt(argc, argv, "+t:")) != -1) {
    if (opt == 't') timeout_s = atoi(optarg);
    else return 125;
  }
  if (optind >= argc) {
    fprintf(stderr, "usage: pty_driver [-t SECONDS] PROGRAM [ARG ...] < SCRIPT\n");
    return 125;
  }
  struct winsize ws = {.ws_row = 40, .ws_col = 100};
  pid_t pid = forkpty(&master, NULL, NULL, &ws);
  if (pid < 0) {
    perror("pty_driver: forkpty");
    return 125;
  }
  if (pid == 0) {
    setenv("TERM", "xterm", 1);
    execvp(argv[optind], argv + optind);
    perror("pty_driver: exec");
    _exit(127);
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, stdin)) >= 0) {
    if (n && line[n - 1] == '\n') line[--n] = '\0';
    char *arg = strchr(line, ' ');
    arg = arg ? arg + 1 : line + n;
    if (line[0] == '#' || line[0] == '\0') continue;
    if (strncmp(line, "send ", 5) == 0 || strncmp(line, "line ", 5) == 0 ||
        strcmp(line, "line") == 0) {
      size_t len = unescape(arg);
      type(arg, len);
      if (line[0] == 'l') type("\r", 1);
    } else if (strncmp(line, "paste ", 6) == 0) {
      size_t len = unescape(arg);
      if (write(master, arg, len) != (ssize_t)len) return 125;
      pump(2);
    } else if (strncmp(line, "wait ", 5) == 0) {
      size_t len = unescape(arg);
      double end = now_ms() + timeout_s * 1e3;
      char *hit = NULL;
      while (!(hit = out ? memmem(out + mark, out_len - mark, arg, len) : NULL) &&
             now_ms() < end && pump(50)) {
      }
      if (hit) {
        mark = (size_t)(hit - out) + len;
        double settle = now_ms() + 30;
        while (now_ms() < settle && pump(5)) {
        }
      } else {
        char note[512];
        snprintf(note, sizeof note, "\n[pty_driver: timed out waiting for %.400s]\n", arg);
        fputs(note, stdout);
        fputs(note, stderr);
      }
    } else if (strncmp(line, "sleep ", 6) == 0) {
      double end = now_ms() + atoi(arg);
      while (now_ms() < end && pump((int)(end - now_ms()) + 1)) {
      }
    } else {
      fprintf(stderr, "pty_driver: unknown command: %s\n", line);
    }
  }
  free(line);
  /* Let the program finish; hang up after the timeout. */
  double end = now_ms() + timeout_s * 1e3;
  while (now_ms() < end && pump(50)) {
  }
  int status = 0;
  if (!child_gone || waitpid(pid, &status, WNOHANG) == 0) {
    close(master);
    master = -1;
    double end2 = now_ms() + 2000;
    while (waitpid(pid, &status, WNOHANG) == 0 && now_ms() < end2) usleep(10000);
    if (now_ms() >= end2) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  } else {
    waitpid(pid, &status, 0);
  }
  if (out) fwrite(out, 1, out_len, stdout);
  if (master >= 0) close(master);
  free(out);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
