/*
 * crash.c -- crash consistency: a child process runs generated operations
 * on a store (loads, some broken mid-file or cancelled; SPARQL updates;
 * API transactions committed or aborted; compaction) and tells the parent
 * over a pipe when each call that commits starts and when it returned as
 * expected. The parent kills it with SIGKILL after a random delay, then
 * reopens the store and requires that it opens, holds exactly the quads of
 * the model after the last operation that returned (or, when one was
 * under way at the kill, after that one) and passes trine_store_check();
 * a compaction's leftover directory must not stop a later compaction.
 *
 * The model is replayed in the parent from the child's seed (gen.c), so
 * the whole campaign follows from --seed; only where the kill lands
 * depends on timing. Each store lives for --run kill points, then a new
 * one starts (the first child of each creates it).
 *
 * usage: crash [--seed N] [--points N] [--run N] [--max-delay-ms N]
 *              [--ops N] [--dir DIR] [--keep] [--no-compact] [--verbose]
 * Exit status 0 when every kill point held, 1 otherwise (the seed and the
 * kill point are printed, and the work directory kept).
 */
#include "model.h"

#include <dirent.h>
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

typedef struct {
  uint64_t seed;
  unsigned points, run, max_delay_ms, ops;
  const char *dir;
  bool keep, compact, verbose;
} Options;

/* What the campaign saw. */
typedef struct {
  unsigned points, killed, finished, in_flight, in_open, compact_in_flight, stray_dirs;
  unsigned ops_done, failures;
  unsigned before, after; /* kills in a committing call: the store as before it, as after */
  unsigned in_flight_kind[5];
} Tally;

/* A message from the child: its store is open, or operation op's
 * committing call starts or returned. */
typedef struct {
  uint32_t kind;
  uint32_t op;
} Msg;
enum { MSG_OPEN = 1, MSG_OPENED, MSG_BEGIN, MSG_DONE };

/* ---- the child ---- */

typedef struct {
  int fd;
} Child;

static void send_msg(int fd, uint32_t kind, uint32_t op) {
  Msg m = {kind, op};
  if (write(fd, &m, sizeof m) != (ssize_t)sizeof m) _exit(4);
}

static void child_hook(void *ctx, unsigned index, bool done) {
  send_msg(((Child *)ctx)->fd, done ? MSG_DONE : MSG_BEGIN, index);
}

/* Run operations until killed (or ops of them), from model m. */
static void child_main(int fd, const char *store_path, const GenOptions *go, Vocab *v,
                       QuadSet *m, uint64_t seed, unsigned ops) {
  Child c = {fd};
  TrineStore *s;
  send_msg(fd, MSG_OPEN, 0);
  TrineStatus st = trine_store_open(store_path, NULL, &s);
  if (st) {
    fprintf(stderr, "child: cannot open the store: %s\n", trine_open_errmsg());
    _exit(3);
  }
  send_msg(fd, MSG_OPENED, 0);
  Rng rng = {seed};
  char why[1200];
  for (unsigned i = 0; i < ops; ++i) {
    Op op;
    op_make(&op, &rng, go, v, m, i);
    TrineStatus got;
    if (op_run(s, &op, go, v, i, child_hook, &c, &got, why, sizeof why)) {
      fprintf(stderr, "child: operation %u (%s): %s\n", i, op.what, why);
      _exit(3);
    }
    op_apply(&op, m);
    op_free(&op);
  }
  trine_store_close(s);
  _exit(0);
}

/* ---- the parent ---- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void rmtree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static int report_problem(void *ctx, const TrineCheckProblem *p) {
  (void)ctx;
  fprintf(stderr, "  check: %s\n", p->message);
  return 0;
}

/* What a kill point's child said before it died. */
typedef struct {
  bool open_started, opened;
  long last_done;  /* the last operation whose committing call returned, or -1 */
  long in_flight;  /* the operation whose committing call was under way, or -1 */
} Heard;

static Heard read_msgs(int fd) {
  Heard h = {false, false, -1, -1};
  Msg m;
  while (read(fd, &m, sizeof m) == (ssize_t)sizeof m) {
    if (m.kind == MSG_OPEN) h.open_started = true;
    else if (m.kind == MSG_OPENED) h.opened = true;
    else if (m.kind == MSG_BEGIN) h.in_flight = m.op;
    else if (m.kind == MSG_DONE) h.last_done = m.op, h.in_flight = -1;
  }
  return h;
}

/* The names of compaction's leftover directories beside the store. */
static unsigned stray_dirs(const char *run_dir, bool remove_them) {
  DIR *d = opendir(run_dir);
  unsigned n = 0;
  if (!d) return 0;
  for (struct dirent *e; (e = readdir(d));) {
    if (strncmp(e->d_name, "store.compact-", 14) != 0) continue;
    n++;
    if (remove_them) {
      char path[1100];
      snprintf(path, sizeof path, "%s/%s", run_dir, e->d_name);
      rmtree(path);
    }
  }
  closedir(d);
  return n;
}

/* One store of a campaign: its files, model and vocabulary. */
typedef struct {
  char dir[900], store[1000], files[1000];
  Vocab *v;
  QuadSet m;
  bool created;
} Run;

static int verify_quads(const Run *r, TrineStore *s, const QuadSet *want, const QuadSet *alt,
                        bool *took_alt) {
  QuadSet got;
  qs_init(&got);
  char why[600];
  int rc = store_quads(s, r->v, &got, why, sizeof why);
  if (rc) fprintf(stderr, "  %s\n", why);
  else if (qs_equal(&got, want)) *took_alt = false;
  else if (alt && qs_equal(&got, alt)) *took_alt = true;
  else {
    fprintf(stderr, "  the store holds %zu quads, the model %zu", got.n, want->n);
    if (alt) fprintf(stderr, " (%zu with the operation under way)", alt->n);
    fprintf(stderr, "\n");
    if (alt) fprintf(stderr, "  (if the operation under way had committed:)\n");
    qs_print_diff(stderr, r->v, alt ? alt : want, &got, "  missing: ", 5);
    qs_print_diff(stderr, r->v, &got, alt ? alt : want, "  extra:   ", 5);
    rc = -1;
  }
  qs_free(&got);
  return rc;
}

/* Reopen the store after a kill and hold it to the model; with alt, the
 * model after the operation under way is accepted too (and adopted). */
static int verify(Run *r, QuadSet *alt, bool may_be_missing, Tally *t) {
  bool took_alt = false;
  TrineOptions o = {.flags = TRINE_OPEN_NOCREATE};
  TrineStore *s;
  TrineStatus st = trine_store_open(r->store, &o, &s);
  if (st == TRINE_NOT_FOUND && may_be_missing) return 0;
  if (st) {
    fprintf(stderr, "  the store does not open: %s: %s\n", trine_strerror(st), trine_open_errmsg());
    return -1;
  }
  r->created = true;
  int rc = verify_quads(r, s, &r->m, alt, &took_alt);
  if (!rc && alt && !qs_equal(&r->m, alt)) ++*(took_alt ? &t->after : &t->before);
  if (!rc && took_alt) {
    qs_free(&r->m);
    qs_copy(&r->m, alt);
  }
  TrineCheckStats cs;
  if (!rc && (st = trine_store_check(s, report_problem, NULL, &cs)) != TRINE_OK) {
    fprintf(stderr, "  the check fails: %s: %s\n", trine_strerror(st), trine_store_errmsg(s));
    rc = -1;
  }
  unsigned stray = rc ? 0 : stray_dirs(r->dir, false);
  if (stray) {
    /* A compaction killed before or after its exchange left a directory:
     * a later compaction must work beside it, and the store stay whole. */
    t->stray_dirs += stray;
    if ((st = trine_store_compact(s, NULL)) != TRINE_OK) {
      fprintf(stderr, "  compaction beside a leftover directory fails: %s: %s\n",
              trine_strerror(st), trine_store_errmsg(s));
      rc = -1;
    } else if ((rc = verify_quads(r, s, &r->m, NULL, &took_alt)) == 0) {
      stray_dirs(r->dir, true); /* what a user may delete: the old or a partial copy */
    }
  }
  if ((st = trine_store_close(s)) != TRINE_OK) rc = -1;
  return rc;
}

/* Replay the child's operations 0..h->last_done on the run's model; the
 * model after the one under way into *alt (when it would change it). */
static bool replay(Run *r, const GenOptions *go, uint64_t seed, const Heard *h, QuadSet *alt,
                   int *kind) {
  Rng rng = {seed};
  for (long i = 0; i <= h->last_done; ++i) {
    Op op;
    op_make(&op, &rng, go, r->v, &r->m, (unsigned)i);
    op_apply(&op, &r->m);
    op_free(&op);
  }
  if (h->in_flight < 0) return false;
  Op op;
  op_make(&op, &rng, go, r->v, &r->m, (unsigned)h->in_flight);
  *kind = op.kind;
  qs_copy(alt, &r->m);
  op_apply(&op, alt);
  op_free(&op);
  return true;
}

static void tally_heard(Tally *t, const Heard *h, int kind, int how) {
  if (how == 0) t->finished++;
  else t->killed++;
  if (h->open_started && !h->opened) t->in_open++;
  if (h->in_flight >= 0) {
    t->in_flight++;
    t->in_flight_kind[kind]++;
    if (kind == OP_COMPACT) t->compact_in_flight++;
  }
  t->ops_done += (unsigned)(h->last_done + 1);
}

/* One kill point: fork, wait, kill, reap, verify. */
static int kill_point(Run *r, const Options *o, const GenOptions *go, unsigned k, Rng *delays,
                      Tally *t) {
  uint64_t seed = rng_mix(o->seed, k);
  int fds[2];
  if (pipe(fds)) return perror("pipe"), -1;
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) return perror("fork"), -1;
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], r->store, go, r->v, &r->m, seed, o->ops);
  }
  close(fds[1]);
  unsigned delay_us = rng_below(delays, o->max_delay_ms * 1000 + 1);
  nanosleep(&(struct timespec){delay_us / 1000000, (long)(delay_us % 1000000) * 1000}, NULL);
  kill(pid, SIGKILL);
  int ws;
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {}
  Heard h = read_msgs(fds[0]);
  close(fds[0]);
  int how = WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL ? 1 : WIFEXITED(ws) && !WEXITSTATUS(ws) ? 0 : -1;
  if (how < 0) {
    fprintf(stderr, "not ok: seed %" PRIu64 " kill point %u: the child %s %d\n", o->seed, k,
            WIFSIGNALED(ws) ? "died of signal" : "exited with", WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
    return -1;
  }
  QuadSet alt = {0};
  int kind = -1;
  bool under_way = replay(r, go, seed, &h, &alt, &kind);
  tally_heard(t, &h, kind, how);
  bool may_be_missing = !r->created && !h.opened;
  int rc = verify(r, under_way ? &alt : NULL, may_be_missing, t);
  if (rc)
    fprintf(stderr, "not ok: seed %" PRIu64 " kill point %u (delay %u us, %ld operations done, "
            "%s under way): the store in %s\n", o->seed, k, delay_us, h.last_done + 1,
            h.in_flight >= 0 ? "one" : h.open_started && !h.opened ? "the open" : "none", r->dir);
  else if (o->verbose)
    printf("ok %u: delay %u us, %ld operations done, %s\n", k, delay_us, h.last_done + 1,
           h.in_flight >= 0 ? "killed in a commit" : how ? "killed between commits" : "finished");
  if (under_way) qs_free(&alt);
  return rc;
}

static void run_start(Run *r, const Options *o, unsigned n) {
  snprintf(r->dir, sizeof r->dir, "%s/run-%u", o->dir, n);
  snprintf(r->store, sizeof r->store, "%s/store", r->dir);
  snprintf(r->files, sizeof r->files, "%s/files", r->dir);
  mkdir(r->dir, 0777);
  mkdir(r->files, 0777);
  r->v = gen_vocab();
  qs_init(&r->m);
  r->created = false;
}

static void run_end(Run *r, bool remove_it) {
  vocab_free(r->v);
  qs_free(&r->m);
  if (remove_it) rmtree(r->dir);
}

static int usage(void) {
  fprintf(stderr, "usage: crash [--seed N] [--points N] [--run N] [--max-delay-ms N] [--ops N] "
                  "[--dir DIR] [--keep] [--no-compact] [--verbose]\n");
  return 2;
}

static int parse_args(int argc, char **argv, Options *o) {
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--keep")) o->keep = true;
    else if (!strcmp(a, "--no-compact")) o->compact = false;
    else if (!strcmp(a, "--verbose")) o->verbose = true;
    else if (!val) return -1;
    else if (!strcmp(a, "--seed")) o->seed = strtoull(val, NULL, 0), ++i;
    else if (!strcmp(a, "--points")) o->points = (unsigned)atoi(val), ++i;
    else if (!strcmp(a, "--run")) o->run = (unsigned)atoi(val), ++i;
    else if (!strcmp(a, "--max-delay-ms")) o->max_delay_ms = (unsigned)atoi(val), ++i;
    else if (!strcmp(a, "--ops")) o->ops = (unsigned)atoi(val), ++i;
    else if (!strcmp(a, "--dir")) o->dir = val, ++i;
    else return -1;
  }
  return o->points && o->run && o->ops ? 0 : -1;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void print_tally(const Options *o, const Tally *t, double secs) {
  printf("crash: seed %" PRIu64 ": %u kill points in %.1f s, %u failed\n", o->seed, t->points,
         secs, t->failures);
  printf("  killed %u (%u while opening, %u in a committing call: %u loads, %u updates, "
         "%u transactions, %u compactions), finished before the kill %u\n", t->killed, t->in_open,
         t->in_flight, t->in_flight_kind[OP_LOAD_BUFFER] + t->in_flight_kind[OP_LOAD_FILE],
         t->in_flight_kind[OP_UPDATE], t->in_flight_kind[OP_TXN], t->compact_in_flight,
         t->finished);
  printf("  killed in a committing call that changes the store: the store found as before it %u, "
         "as after it %u\n", t->before, t->after);
  printf("  operations returned before the kills: %u; compaction leftovers found and "
         "compacted beside: %u\n", t->ops_done, t->stray_dirs);
}

int main(int argc, char **argv) {
  Options o = {.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32), .points = 50,
               .run = 25, .max_delay_ms = 40, .ops = 400, .compact = true};
  if (parse_args(argc, argv, &o)) return usage();
  char tmpl[] = "/tmp/trine-crash-XXXXXX";
  bool own_dir = !o.dir;
  if (own_dir && !(o.dir = mkdtemp(tmpl))) return perror("mkdtemp"), 1;
  if (!own_dir) mkdir(o.dir, 0777);
  Tally t = {0};
  Rng delays = {rng_mix(o.seed, ~0ULL)};
  double t0 = now_s();
  Run r = {0};
  bool run_failed = false;
  for (unsigned k = 0; k < o.points; ++k) {
    if (k % o.run == 0) {
      if (k) run_end(&r, !o.keep && !run_failed);
      run_start(&r, &o, k / o.run);
      run_failed = false;
    }
    GenOptions go = {.files = r.files, .max_quads = 3000, .max_load = 1500, .compact = o.compact};
    t.points++;
    if (kill_point(&r, &o, &go, k, &delays, &t)) {
      t.failures++;
      run_failed = true;
      /* the store is no longer known: the next kill point starts a new one */
      run_end(&r, false);
      run_start(&r, &o, 100000 + k);
    }
  }
  run_end(&r, !o.keep && !run_failed);
  print_tally(&o, &t, now_s() - t0);
  if (!t.failures && !o.keep && own_dir) rmtree(o.dir);
  else printf("  work directory: %s (rerun: crash --seed %" PRIu64 " --points %u --run %u)\n", o.dir,
              o.seed, o.points, o.run);
  return t.failures ? 1 : 0;
}
