/*
 * edit.c -- line editing for the interactive shell with libedit: prompts,
 * persistent history, Ctrl-C that abandons the line, and Tab completion of
 * dot-commands, prefixes, variables and SPARQL keywords.
 */
#include "shell.h"

#include <ctype.h>
#include <errno.h>
#include <histedit.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

static EditLine *el;
static History *hist;
static HistEvent ev;
static char *hist_path;
static const char *cur_prompt = "";
static Shell *shell;
static bool got_interrupt;

static char *prompt_fn(EditLine *e) {
  (void)e;
  return (char *)cur_prompt;
}

/* Read one character; a Ctrl-C ends el_gets() with an error so the caller
 * can drop the line. SIGINT is blocked but while waiting in ppoll(), so a
 * Ctrl-C is never lost between the check of the flag and the wait. */
static int getc_fn(EditLine *e, wchar_t *wc) {
  (void)e;
  mbstate_t mbs;
  memset(&mbs, 0, sizeof mbs);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigprocmask(SIG_BLOCK, &block, &old);
  int rc = -1;
  for (;;) {
    if (shell_interrupted) {
      shell_interrupted = 0;
      got_interrupt = true;
      break;
    }
    struct pollfd p = {STDIN_FILENO, POLLIN, 0};
    if (ppoll(&p, 1, NULL, &old) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    char c;
    ssize_t n = read(STDIN_FILENO, &c, 1);
    if (n == 0) {
      rc = 0;
      break;
    }
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      break;
    }
    size_t r = mbrtowc(wc, &c, 1, &mbs);
    if (r == (size_t)-2) continue;
    if (r == (size_t)-1) {
      *wc = (unsigned char)c;
      memset(&mbs, 0, sizeof mbs);
    }
    rc = 1;
    break;
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  return rc;
}

/* ---- completion ---- */

typedef struct {
  char **v;
  size_t n, cap;
} Words;

static void add_word(Words *w, const char *s, size_t len) {
  for (size_t i = 0; i < w->n; ++i)
    if (strlen(w->v[i]) == len && memcmp(w->v[i], s, len) == 0) return;
  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 16;
    char **v = realloc(w->v, cap * sizeof *v);
    if (!v) return;
    w->v = v;
    w->cap = cap;
  }
  char *d = strndup(s, len);
  if (d) w->v[w->n++] = d;
}

static void free_words(Words *w) {
  for (size_t i = 0; i < w->n; ++i) free(w->v[i]);
  free(w->v);
}

static const char *const keywords[] = {
    "SELECT", "DISTINCT", "REDUCED", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS",
    "GRAPH", "SERVICE", "BIND", "VALUES", "ORDER", "BY", "GROUP", "HAVING", "LIMIT",
    "OFFSET", "ASK", "CONSTRUCT", "DESCRIBE", "PREFIX", "BASE", "FROM", "NAMED",
    "COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "EXISTS", "NOT",
    "REGEX", "STR", "LANG", "LANGMATCHES", "DATATYPE", "BOUND", "CONTAINS",
    "STRSTARTS", "STRENDS", "LCASE", "UCASE", "ASC", "DESC", "INSERT", "DELETE",
    "DATA", "CLEAR", "LOAD", "WITH", "USING", NULL};

static bool word_char(int c) {
  return c && !isspace(c) && !strchr("{}()[],;<>\"'=!&|*/+", c);
}

/* Variables (?x, $x) and declared prefixes in text. */
static void scan_input(const char *text, Words *vars, Words *prefixes) {
  for (const char *p = text; *p; ++p) {
    if ((*p == '?' || *p == '$') && (p[1] == '_' || isalnum((unsigned char)p[1]))) {
      const char *s = p + 1;
      while (*s == '_' || isalnum((unsigned char)*s) || (unsigned char)*s >= 0x80) ++s;
      add_word(vars, p + 1, (size_t)(s - p - 1));
      p = s - 1;
    } else if (strncasecmp(p, "PREFIX", 6) == 0 && (p == text || !word_char(p[-1]))) {
      const char *s = p + 6;
      s += strspn(s, " \t\r\n");
      const char *colon = s + strcspn(s, ": \t\r\n<");
      if (*colon == ':') add_word(prefixes, s, (size_t)(colon - s + 1));
    }
  }
}

static unsigned char complete_fn(EditLine *e, int ch) {
  (void)ch;
  const LineInfo *li = el_line(e);
  const char *start = li->cursor;
  while (start > li->buffer && word_char((unsigned char)start[-1])) --start;
  size_t wlen = (size_t)(li->cursor - start);
  const char *word = start;
  bool first = start == li->buffer + strspn(li->buffer, " \t") &&
               !(shell->pending && *shell->pending);
  Words cand = {0};
  bool dot = first && *word == '.';
  if (dot) {
    for (size_t i = 0; shell_command_name(i); ++i) {
      char name[64];
      snprintf(name, sizeof name, ".%s", shell_command_name(i));
      if (strncmp(name, word, wlen) == 0) add_word(&cand, name, strlen(name));
    }
  } else if (strncmp(li->buffer, ".help ", 6) == 0 || strncmp(li->buffer, ".he ", 4) == 0) {
    for (size_t i = 0; shell_command_name(i); ++i)
      if (strncmp(shell_command_name(i), word, wlen) == 0)
        add_word(&cand, shell_command_name(i), strlen(shell_command_name(i)));
  } else if (strncmp(li->buffer, ".format ", 8) == 0 || strncmp(li->buffer, ".fo ", 4) == 0) {
    static const char *const formats[] = {"table", "line", "tsv", "csv", "json", "xml"};
    for (size_t i = 0; i < sizeof formats / sizeof *formats; ++i)
      if (strncmp(formats[i], word, wlen) == 0) add_word(&cand, formats[i], strlen(formats[i]));
  } else {
    /* The text typed so far: the pending lines and this one. */
    size_t plen = shell->pending ? strlen(shell->pending) : 0;
    size_t llen = (size_t)(li->lastchar - li->buffer);
    char *all = malloc(plen + llen + 1);
    Words vars = {0}, prefixes = {0};
    if (all) {
      memcpy(all, shell->pending ? shell->pending : "", plen);
      memcpy(all + plen, li->buffer, llen);
      all[plen + llen] = '\0';
      scan_input(all, &vars, &prefixes);
      free(all);
    }
    if (wlen && (*word == '?' || *word == '$')) {
      for (size_t i = 0; i < vars.n; ++i)
        if (strncmp(vars.v[i], word + 1, wlen - 1) == 0 && strlen(vars.v[i]) >= wlen - 1) {
          char buf[256];
          snprintf(buf, sizeof buf, "%c%s", *word, vars.v[i]);
          if (strlen(buf) > wlen) add_word(&cand, buf, strlen(buf));
        }
    } else if (wlen && !memchr(word, ':', wlen)) {
      for (size_t i = 0; i < shell->nprefixes; ++i) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s:", shell->prefixes[2 * i]);
        if (strncmp(buf, word, wlen) == 0) add_word(&cand, buf, strlen(buf));
      }
      for (size_t i = 0; i < prefixes.n; ++i)
        if (strncmp(prefixes.v[i], word, wlen) == 0)
          add_word(&cand, prefixes.v[i], strlen(prefixes.v[i]));
      for (size_t i = 0; keywords[i]; ++i)
        if (strncasecmp(keywords[i], word, wlen) == 0) {
          /* Keep the case the user started with. */
          char buf[32];
          size_t k = strlen(keywords[i]);
          for (size_t j = 0; j <= k; ++j)
            buf[j] = islower((unsigned char)word[0]) ? (char)tolower(keywords[i][j])
                                                     : keywords[i][j];
          add_word(&cand, buf, k);
        }
    }
    free_words(&vars);
    free_words(&prefixes);
  }
  unsigned char rc = CC_REFRESH_BEEP;
  if (cand.n == 1) {
    el_insertstr(e, cand.v[0] + wlen);
    const char *c = cand.v[0];
    if (c[strlen(c) - 1] != ':') el_insertstr(e, " ");
    rc = CC_REFRESH;
  } else if (cand.n > 1) {
    size_t common = strlen(cand.v[0]);
    for (size_t i = 1; i < cand.n; ++i) {
      size_t k = 0;
      while (k < common && cand.v[i][k] == cand.v[0][k]) ++k;
      common = k;
    }
    if (common > wlen) {
      char *ins = strndup(cand.v[0] + wlen, common - wlen);
      if (ins) el_insertstr(e, ins);
      free(ins);
      rc = CC_REFRESH;
    } else {
      fputc('\n', stderr);
      for (size_t i = 0; i < cand.n; ++i)
        fprintf(stderr, "%s%s", cand.v[i], i + 1 < cand.n ? "  " : "\n");
      rc = CC_REDISPLAY;
    }
  }
  free_words(&cand);
  return rc;
}

/* ---- history ---- */

static char *history_file(void) {
  const char *state = getenv("XDG_STATE_HOME");
  char *path = NULL;
  if (state && *state == '/') {
    size_t n = strlen(state) + sizeof "/trine/history";
    if (!(path = malloc(n))) return NULL;
    snprintf(path, n, "%s/trine", state);
    mkdir(state, 0700);
    mkdir(path, 0700);
    strcat(path, "/history");
    return path;
  }
  const char *home = getenv("HOME");
  if (!home || !*home) return NULL;
  size_t n = strlen(home) + sizeof "/.trine_history";
  if ((path = malloc(n))) snprintf(path, n, "%s/.trine_history", home);
  return path;
}

int edit_init(Shell *sh) {
  shell = sh;
  setlocale(LC_CTYPE, "");
  if (!(el = el_init("trine", stdin, stderr, stderr))) return -1;
  hist = history_init();
  if (hist) {
    history(hist, &ev, H_SETSIZE, 1000);
    history(hist, &ev, H_SETUNIQUE, 1);
    if ((hist_path = history_file())) history(hist, &ev, H_LOAD, hist_path);
    el_set(el, EL_HIST, history, hist);
  }
  el_set(el, EL_EDITOR, "emacs");
  el_set(el, EL_PROMPT, prompt_fn);
  el_set(el, EL_GETCFN, getc_fn);
  el_set(el, EL_SIGNAL, 0);
  /* Wide strings: libedit keeps (and never frees) copies of narrow ones. */
  el_wset(el, EL_ADDFN, L"trine-complete", L"Complete commands, prefixes and variables",
          complete_fn);
  el_set(el, EL_BIND, "^I", "trine-complete", NULL);
  el_source(el, NULL); /* ~/.editrc, as other libedit programs */
  return 0;
}

const char *edit_line(const char *prompt, bool *interrupted) {
  int count;
  cur_prompt = prompt;
  got_interrupt = false;
  el_resize(el);
  const char *line = el_gets(el, &count);
  *interrupted = got_interrupt;
  if (got_interrupt) {
    el_reset(el);
    fputs("^C\n", stderr);
    return NULL;
  }
  return count > 0 ? line : NULL;
}

void edit_history_add(const char *entry) {
  if (!hist) return;
  history(hist, &ev, H_ENTER, entry);
  if (hist_path) history(hist, &ev, H_SAVE, hist_path);
}

void edit_end(void) {
  if (el) el_end(el);
  if (hist) history_end(hist);
  free(hist_path);
  el = NULL;
  hist = NULL;
  hist_path = NULL;
}
