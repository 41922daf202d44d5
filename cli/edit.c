/*
 * edit.c -- line editing for the interactive shell with libedit: prompts,
 * persistent history, Ctrl-C that abandons the line, and Tab completion of
 * dot-commands, file names, prefixes, local names, variables and SPARQL
 * keywords.
 */
#include "shell.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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

/* ---- file names after .load, .read, .open, .output, .dump ---- */

/* Whether line (after its indent) is a dot-command that takes a file name
 * and the cursor is past the command's name. Prefixes count as the
 * dispatcher counts them: an exact name, else a unique prefix. */
static bool takes_file(const char *line, const char *cursor) {
  static const char *const cmds[] = {"load", "read", "open", "output", "dump"};
  line += strspn(line, " \t");
  if (*line != '.') return false;
  size_t n = strcspn(line + 1, " \t");
  if (!line[1 + n] || line + 1 + n >= cursor) return false;
  const char *found = NULL;
  size_t hits = 0;
  for (size_t i = 0; shell_command_name(i) && !(found && strlen(found) == n); ++i)
    if (strncmp(shell_command_name(i), line + 1, n) == 0) {
      found = shell_command_name(i);
      hits = strlen(found) == n ? 1 : hits + 1;
    }
  for (size_t i = 0; hits == 1 && i < sizeof cmds / sizeof *cmds; ++i)
    if (strcmp(found, cmds[i]) == 0) return true;
  return false;
}

/* The entries of the directory word names (as typed; ~/ is the home
 * directory) whose names continue it; directories end with '/'. Hidden
 * entries only when the name typed starts with '.'. */
static void complete_files(Words *cand, const char *word, size_t wlen) {
  const char *slash = memrchr(word, '/', wlen), *home = getenv("HOME");
  int dlen = slash ? (int)(slash - word) + 1 : 0;
  char dir[4096];
  if (dlen >= 2 && word[0] == '~' && word[1] == '/' && home)
    snprintf(dir, sizeof dir, "%s%.*s", home, dlen - 1, word + 1);
  else
    snprintf(dir, sizeof dir, "%.*s", dlen ? dlen : 2, dlen ? word : "./");
  DIR *d = opendir(dir);
  const char *base = word + dlen;
  size_t blen = wlen - (size_t)dlen;
  struct dirent *e;
  while (d && (e = readdir(d)) && cand->n < 1000) {
    const char *name = e->d_name;
    if (strncmp(name, base, blen) != 0 || (name[0] == '.' && !blen) ||
        strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
      continue;
    struct stat st;
    bool is_dir = fstatat(dirfd(d), name, &st, 0) == 0 && S_ISDIR(st.st_mode);
    char path[4400];
    int n = snprintf(path, sizeof path, "%.*s%s%s", dlen, word, name, is_dir ? "/" : "");
    if (n > 0 && (size_t)n < sizeof path) add_word(cand, path, (size_t)n);
  }
  if (d) closedir(d);
}

/* ---- local names after a prefix: rdfs:la -> rdfs:label ---- */

/* The namespace of prefix name (nlen bytes): the query's own PREFIX
 * declaration in typed, else the shell's. NULL when unknown; caller frees. */
static char *namespace_of(const char *typed, const char *name, size_t nlen) {
  for (const char *p = typed; (p = strcasestr(p, "PREFIX")); p += 6) {
    const char *s = p + 6 + strspn(p + 6, " \t\r\n");
    if (strncmp(s, name, nlen) != 0 || s[nlen] != ':') continue;
    s += nlen + 1;
    s += strspn(s, " \t\r\n");
    size_t n = *s == '<' ? strcspn(s + 1, "> \t\r\n") : 0;
    if (n && s[1 + n] == '>') return strndup(s + 1, n);
  }
  for (size_t i = 0; i < shell->nprefixes; ++i)
    if (strlen(shell->prefixes[2 * i]) == nlen && memcmp(shell->prefixes[2 * i], name, nlen) == 0)
      return strdup(shell->prefixes[2 * i + 1]);
  return NULL;
}

typedef struct {
  Words *cand;
  const char *pair[2]; ///< the prefix name and its namespace
  const char *start;   ///< the IRI typed so far: namespace and local part
} LocalNames;

static void add_local(LocalNames *ln, const char *iri, size_t len) {
  char buf[512];
  size_t k = strlen(ln->start);
  size_t n = len >= k && memcmp(iri, ln->start, k) == 0
                 ? trine_iri_shorten(iri, len, ln->pair, 1, buf, sizeof buf)
                 : 0;
  if (n && n < sizeof buf) add_word(ln->cand, buf, n);
}

static int local_predicate(void *ctx, const TrinePredicateStats *ps) {
  add_local(ctx, ps->predicate.value, ps->predicate.value_len);
  return 0;
}

/* The IRIs that start so, from every predicate (the statistics: cheap),
 * then from the subjects and objects a query finds in 150 ms at most, so
 * a Tab stays quick on a big store. */
static void complete_local(Words *cand, const char *word, size_t wlen, const char *typed) {
  const char *colon = memchr(word, ':', wlen);
  char *ns = namespace_of(typed, word, (size_t)(colon - word));
  char *name = strndup(word, (size_t)(colon - word)), *start = NULL, *q = NULL;
  int slen = ns ? asprintf(&start, "%s%.*s", ns, (int)(wlen - (size_t)(colon - word) - 1),
                           colon + 1)
                : -1;
  LocalNames ln = {cand, {name, ns}, start};
  if (slen < 0 || !name || strpbrk(start, "\"\\")) goto out;
  trine_store_predicates(shell->store, NULL, local_predicate, &ln);
  if (asprintf(&q, "SELECT DISTINCT ?t WHERE { { ?t ?p ?o } UNION { ?s ?p ?t } UNION "
                   "{ GRAPH ?g { ?t ?p ?o } } UNION { GRAPH ?g { ?s ?p ?t } } "
                   "FILTER(isIRI(?t) && STRSTARTS(STR(?t), \"%s\")) } LIMIT 200", start) < 0) {
    q = NULL;
    goto out;
  }
  TrineQueryOptions qo = {.timeout_ms = 150};
  TrineQuery *tq;
  if (trine_query_prepare(shell->store, q, strlen(q), &qo, &tq) == TRINE_OK) {
    while (trine_query_step(tq) == TRINE_ROW) {
      const TrineTerm *t = trine_query_term(tq, 0);
      if (t) add_local(&ln, t->value, t->value_len);
    }
    trine_query_free(tq);
  }
out:
  free(q);
  free(ns);
  free(name);
  if (slen >= 0) free(start);
}

/* ---- what Tab offers ---- */

/* The text typed so far: the pending lines and this one (caller frees). */
static char *typed_text(const LineInfo *li) {
  size_t plen = shell->pending ? strlen(shell->pending) : 0;
  size_t llen = (size_t)(li->lastchar - li->buffer);
  char *all = malloc(plen + llen + 1);
  if (!all) return NULL;
  memcpy(all, shell->pending ? shell->pending : "", plen);
  memcpy(all + plen, li->buffer, llen);
  all[plen + llen] = '\0';
  return all;
}

static void complete_keywords(Words *cand, const char *word, size_t wlen) {
  for (size_t i = 0; keywords[i]; ++i)
    if (strncasecmp(keywords[i], word, wlen) == 0) {
      /* Keep the case the user started with. */
      char buf[32];
      size_t k = strlen(keywords[i]);
      for (size_t j = 0; j <= k; ++j)
        buf[j] = islower((unsigned char)word[0]) ? (char)tolower(keywords[i][j]) : keywords[i][j];
      add_word(cand, buf, k);
    }
}

/* Variables, prefixes, keywords and local names in a query. */
static void complete_query(Words *cand, const LineInfo *li, const char *word, size_t wlen) {
  char *all = typed_text(li);
  Words vars = {0}, prefixes = {0};
  if (all) scan_input(all, &vars, &prefixes);
  if (wlen && (*word == '?' || *word == '$')) {
    for (size_t i = 0; i < vars.n; ++i)
      if (strncmp(vars.v[i], word + 1, wlen - 1) == 0 && strlen(vars.v[i]) >= wlen - 1) {
        char buf[256];
        snprintf(buf, sizeof buf, "%c%s", *word, vars.v[i]);
        if (strlen(buf) > wlen) add_word(cand, buf, strlen(buf));
      }
  } else if (wlen && memchr(word, ':', wlen)) {
    if (all && shell->store) complete_local(cand, word, wlen, all);
  } else if (wlen) {
    for (size_t i = 0; i < shell->nprefixes; ++i) {
      char buf[256];
      snprintf(buf, sizeof buf, "%s:", shell->prefixes[2 * i]);
      if (strncmp(buf, word, wlen) == 0) add_word(cand, buf, strlen(buf));
    }
    for (size_t i = 0; i < prefixes.n; ++i)
      if (strncmp(prefixes.v[i], word, wlen) == 0)
        add_word(cand, prefixes.v[i], strlen(prefixes.v[i]));
    complete_keywords(cand, word, wlen);
  }
  free(all);
  free_words(&vars);
  free_words(&prefixes);
}

/* The candidates for the word before the cursor: *word and *wlen say
 * which, *skip how much of each a list leaves out (a file's directory). */
static void candidates(Words *cand, const LineInfo *li, const char **word, size_t *wlen,
                       size_t *skip) {
  const char *start = li->cursor;
  *skip = 0;
  if (takes_file(li->buffer, li->cursor)) {
    while (start > li->buffer && start[-1] != ' ' && start[-1] != '\t') --start;
    *word = start;
    *wlen = (size_t)(li->cursor - start);
    complete_files(cand, start, *wlen);
    const char *slash = memrchr(start, '/', *wlen);
    *skip = slash ? (size_t)(slash - start) + 1 : 0;
    return;
  }
  while (start > li->buffer && word_char((unsigned char)start[-1])) --start;
  *word = start;
  *wlen = (size_t)(li->cursor - start);
  bool first = start == li->buffer + strspn(li->buffer, " \t") &&
               !(shell->pending && *shell->pending);
  if (first && *start == '.') {
    for (size_t i = 0; shell_command_name(i); ++i) {
      char name[64];
      snprintf(name, sizeof name, ".%s", shell_command_name(i));
      if (strncmp(name, start, *wlen) == 0) add_word(cand, name, strlen(name));
    }
  } else if (strncmp(li->buffer, ".help ", 6) == 0 || strncmp(li->buffer, ".he ", 4) == 0) {
    for (size_t i = 0; shell_command_name(i); ++i)
      if (strncmp(shell_command_name(i), start, *wlen) == 0)
        add_word(cand, shell_command_name(i), strlen(shell_command_name(i)));
  } else if (strncmp(li->buffer, ".format ", 8) == 0 || strncmp(li->buffer, ".fo ", 4) == 0) {
    static const char *const formats[] = {"table", "line", "tsv", "csv", "json", "xml"};
    for (size_t i = 0; i < sizeof formats / sizeof *formats; ++i)
      if (strncmp(formats[i], start, *wlen) == 0) add_word(cand, formats[i], strlen(formats[i]));
  } else {
    complete_query(cand, li, start, *wlen);
  }
}

static int by_name(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned char complete_fn(EditLine *e, int ch) {
  (void)ch;
  const LineInfo *li = el_line(e);
  const char *word;
  size_t wlen, skip;
  Words cand = {0};
  candidates(&cand, li, &word, &wlen, &skip);
  unsigned char rc = CC_REFRESH_BEEP;
  if (cand.n == 1) {
    el_insertstr(e, cand.v[0] + wlen);
    char last = cand.v[0][strlen(cand.v[0]) - 1];
    if (last != ':' && last != '/') el_insertstr(e, " ");
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
      qsort(cand.v, cand.n, sizeof *cand.v, by_name);
      fputc('\n', stderr);
      for (size_t i = 0; i < cand.n; ++i)
        fprintf(stderr, "%s%s", cand.v[i] + skip, i + 1 < cand.n ? "  " : "\n");
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
