/*
 * faults.c -- I/O errors and a full disk. Run with faultshim.so preloaded
 * (LD_PRELOAD), which fails the Nth write, pwrite, writev, fsync,
 * fdatasync, ftruncate, mmap or msync on the store's files with ENOSPC or
 * EIO. For each operation (a load, a load of many batches, whose sorted
 * runs go to a temporary file in the store's directory, an update, a
 * committed transaction, a compaction, the creation of a store, the
 * upgrade of a format 1 store),
 * first counted without a fault, then for N over the calls it makes (all
 * of them, or --trials spread over them): the operation returns
 * TRINE_ERR_FULL or TRINE_ERR_IO with a message naming the error, the
 * store closes, reopens at the state before the operation and passes the
 * check, and the same operation then succeeds. A disk that stays full
 * (every call from the Nth on fails) and a write cut short are tried as
 * well as a single failure (a write cut short may also be finished, as the
 * temporary file's are: the store is checked the same). Then the same with no shim: a file
 * size limit (setrlimit RLIMIT_FSIZE, as `ulimit -f`) and a small map
 * (TrineOptions.map_size) stop a load the same clean way.
 *
 * usage: faults [--seed N] [--trials N] [--verbose]
 */
#include "env.h" /* TrineStoreImpl.batch_quads */
#include "format1.h"
#include "model.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The shim's controls (faultshim.c). */
static void (*fault_arm)(long at, int err, int mode);
enum { PERSIST = 1, SHORT = 2 }; /* modes of fault_arm() */
static void (*fault_path)(const char *path);
static long (*fault_calls)(void);
static long (*fault_failed)(void);

static unsigned failures, trials, hits;
static bool verbose;

#define FAIL(...) (fprintf(stderr, "not ok: " __VA_ARGS__), fputc('\n', stderr), ++failures)

/* Everything a scenario needs: the template store, the model before and
 * after the operation. */
typedef struct {
  char work[256], template[300], trial[300], files[300];
  Vocab *v;
  QuadSet before, after;
  GenOptions go;
  uint64_t seed;
  size_t batch; /* the loader's batch in the trial store (0: its default) */
} World;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void rmtree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

/* A copy of the template store's data file in dir (the shim disarmed). */
static void copy_template(const World *w, const char *dir) {
  char from[400], to[400], buf[1 << 16];
  rmtree(dir);
  mkdir(dir, 0777);
  snprintf(from, sizeof from, "%s/data.mdb", w->template);
  snprintf(to, sizeof to, "%s/data.mdb", dir);
  int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ssize_t n;
  while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n) abort();
  close(in);
  close(out);
}

static int no_report(void *ctx, const TrineCheckProblem *p) {
  (void)ctx;
  fprintf(stderr, "  check: %s\n", p->message);
  return 0;
}

/* Open dir and hold it to the model want, then check it. The open store
 * into *out (or closed when out is NULL). 0, or -1 (reported). */
static int verify(const World *w, const char *dir, const QuadSet *want, const char *what,
                  TrineStore **out) {
  TrineStore *s;
  TrineStatus st = trine_store_open(dir, NULL, &s);
  if (st) return FAIL("%s: the store does not reopen: %s", what, trine_open_errmsg()), -1;
  QuadSet got;
  qs_init(&got);
  char why[600];
  int rc = store_quads(s, w->v, &got, why, sizeof why);
  if (rc) FAIL("%s: %s", what, why);
  else if (!qs_equal(&got, want)) {
    FAIL("%s: the store holds %zu quads, %zu expected", what, got.n, want->n);
    qs_print_diff(stderr, w->v, want, &got, "  missing: ", 3);
    qs_print_diff(stderr, w->v, &got, want, "  extra:   ", 3);
    rc = -1;
  }
  qs_free(&got);
  if (!rc && (st = trine_store_check(s, no_report, NULL, NULL)))
    rc = -1, FAIL("%s: the check fails: %s", what, trine_store_errmsg(s));
  if (out && !rc) *out = s;
  else trine_store_close(s);
  return rc;
}

/* The status an errno should give, and its words in the message. */
static TrineStatus status_of(int err) { return err == ENOSPC ? TRINE_ERR_FULL : TRINE_ERR_IO; }

/* A failed call's status and message. A write cut short is reported by
 * LMDB as EIO ("short write, filesystem full?") when its caller sees no
 * error, as when a disk fills up in the middle of a write. */
static void check_error(const char *what, TrineStatus st, const char *msg, int err, bool cut) {
  if (cut && st == TRINE_ERR_IO && strstr(msg, strerror(EIO))) return;
  if (st != TRINE_ERR_IO && st != TRINE_ERR_FULL)
    FAIL("%s: status %s, not an I/O error or a full disk (%s)", what, trine_strerror(st), msg);
  else if (st != status_of(err))
    FAIL("%s: status %s for %s (%s)", what, trine_strerror(st), strerror(err), msg);
  else if (!strstr(msg, strerror(err)))
    FAIL("%s: the message does not say \"%s\": \"%s\"", what, strerror(err), msg);
}

/* ---- an operation on an existing store ---- */

/* Run op on the trial copy with the Nth call failing (0: none). The
 * calls it made into *calls. */
static void trial(World *w, const Op *op, long n, int err, int mode, long *calls) {
  char what[200];
  snprintf(what, sizeof what, "seed %" PRIu64 " %s, call %ld %s %s%s", w->seed, op->what, n,
           mode & SHORT ? "writes half, then" : "fails with", strerror(err),
           mode & PERSIST ? " and every one after it" : "");
  copy_template(w, w->trial);
  TrineStore *s;
  if (trine_store_open(w->trial, NULL, &s)) {
    FAIL("%s: the copy does not open: %s", what, trine_open_errmsg());
    return;
  }
  s->batch_quads = w->batch;
  fault_arm(n, err, mode);
  TrineStatus st;
  char why[1200];
  int rc = op_run(s, op, &w->go, w->v, 0, NULL, NULL, &st, why, sizeof why);
  long failed = fault_failed();
  *calls = fault_calls();
  fault_arm(0, 0, 0);
  trials++;
  if (failed) hits++;
  if (verbose) printf("%s: %s%s\n", what, rc ? "error: " : "ok", rc ? why : "");
  if (rc < 0) FAIL("%s: %s", what, why);
  else if (rc && !failed) FAIL("%s: fails with no fault: %s", what, why);
  else if (rc) check_error(what, st, trine_store_errmsg(s), err, mode & SHORT);
  else if (failed && !(mode & SHORT)) /* a write cut short may be finished */
    FAIL("%s: returned TRINE_OK although a write or sync failed", what);
  if ((st = trine_store_close(s))) FAIL("%s: close: %s", what, trine_strerror(st));
  /* after a failure, the store stays open for the operation without the fault */
  if (verify(w, w->trial, rc ? &w->before : &w->after, what, rc ? &s : NULL) || !rc) return;
  /* The same operation, without the fault. */
  if (op_run(s, op, &w->go, w->v, 0, NULL, NULL, &st, why, sizeof why))
    FAIL("%s: the operation fails again without the fault: %s", what, why);
  trine_store_close(s);
  verify(w, w->trial, &w->after, what, NULL);
}

/* N over [1, calls]: all when few, else the first and last ten and
 * evenly spread ones between, max in all. */
static long pick_n(long i, long calls, long max) {
  if (calls <= max) return i + 1;
  if (i < 10) return i + 1;
  if (i >= max - 10) return calls - (max - 1 - i);
  return 11 + (i - 10) * (calls - 20) / (max - 20);
}

/* An operation of kind, from the template's model, that commits a change
 * (or a compaction). */
static void find_op(World *w, OpKind kind, Op *op) {
  Rng r = {rng_mix(w->seed, kind + 100)};
  for (unsigned i = 0; i < 100000; ++i) {
    op_make(op, &r, &w->go, w->v, &w->before, i);
    bool fit = op->kind == kind && op->expect_ok && (op->nchanges || kind == OP_COMPACT);
    if (fit && kind == OP_LOAD_BUFFER) fit = op->steps[0].len > 40000; /* a big one */
    if (fit) return;
    op_free(op);
  }
  fprintf(stderr, "faults: the generator made no operation of kind %d\n", (int)kind);
  exit(1);
}

static void scenario(World *w, OpKind kind, long max) {
  Op op;
  find_op(w, kind, &op);
  qs_free(&w->after);
  qs_copy(&w->after, &w->before);
  op_apply(&op, &w->after);
  long calls = 0, seen = 0;
  trial(w, &op, 0, 0, false, &calls); /* counted, no fault */
  unsigned before = failures;
  for (long i = 0; i < (calls < max ? calls : max); ++i) {
    long n = pick_n(i, calls, max);
    trial(w, &op, n, n % 2 ? ENOSPC : EIO, (n % 3 == 0 ? PERSIST : 0) | (n % 4 == 2 ? SHORT : 0),
          &seen);
  }
  char batches[64] = "";
  if (w->batch) snprintf(batches, sizeof batches, " in batches of %zu", w->batch);
  printf("%s %s%s: %ld calls on the store's files, %ld tried, %u failed\n",
         failures == before ? "ok" : "not ok", op.what, batches, calls, calls < max ? calls : max,
         failures - before);
  op_free(&op);
}

/* ---- creating a store ---- */

static TrineStatus update(TrineStore *s, const char *text) {
  TrineQueryOptions o = {.allow = TRINE_ALLOW_UPDATE};
  TrineQuery *q;
  TrineStatus st = trine_query_prepare(s, text, strlen(text), &o, &q);
  if (!st && (st = trine_query_step(q)) == TRINE_DONE) st = TRINE_OK;
  trine_query_free(q);
  return st;
}

static void creation(World *w, long max) {
  char path[320], what[200];
  snprintf(path, sizeof path, "%s/new", w->trial);
  long calls = 0;
  unsigned before = failures;
  QuadSet empty;
  qs_init(&empty);
  for (long i = -1; i < (calls < max ? calls : max); ++i) {
    long n = i < 0 ? 0 : pick_n(i, calls, max);
    int err = n % 2 ? ENOSPC : EIO;
    snprintf(what, sizeof what, "creating a store, call %ld fails with %s", n, strerror(err));
    rmtree(w->trial);
    mkdir(w->trial, 0777);
    TrineStore *s;
    int mode = (n % 3 == 0 ? PERSIST : 0) | (n % 4 == 2 ? SHORT : 0);
    fault_arm(n, err, mode);
    TrineStatus st = trine_store_open(path, NULL, &s);
    long failed = fault_failed();
    if (n == 0) calls = fault_calls();
    fault_arm(0, 0, 0);
    trials++;
    if (failed) hits++;
    if (st && !failed) FAIL("%s: fails with no fault: %s", what, trine_open_errmsg());
    else if (st) check_error(what, st, trine_open_errmsg(), err, mode & SHORT);
    else if (failed) FAIL("%s: returned TRINE_OK although a write or sync failed", what);
    trine_store_close(s);
    if (verify(w, path, &empty, what, &s)) continue;
    if (update(s, "INSERT DATA { <http://ex.org/a> <http://ex.org/b> 1 }"))
      FAIL("%s: the new store does not take an update", what);
    trine_store_close(s);
  }
  qs_free(&empty);
  printf("%s creating a store: %ld calls on its files, %ld tried, %u failed\n",
         failures == before ? "ok" : "not ok", calls, calls < max ? calls : max, failures - before);
}

/* ---- the format 1 upgrade ---- */

/* The upgrade at open with its Nth call failing: a clear error, and the
 * store still format 1 (or upgraded, when open returned TRINE_OK); either
 * way it then upgrades, dumps its six quads and passes the check. */
static void upgrade(World *w, long max) {
  char what[200], why[1400];
  long calls = 0;
  unsigned before = failures;
  for (long i = -1; i < (calls < max ? calls : max); ++i) {
    long n = i < 0 ? 0 : pick_n(i, calls, max);
    int err = n % 2 ? ENOSPC : EIO, mode = (n % 3 == 0 ? PERSIST : 0) | (n % 4 == 2 ? SHORT : 0);
    snprintf(what, sizeof what, "upgrading format 1, call %ld fails with %s", n, strerror(err));
    if (format1_copy(w->trial)) {
      FAIL("%s: cannot copy the format 1 store", what);
      return;
    }
    TrineStore *s = NULL;
    fault_arm(n, err, mode);
    TrineStatus st = trine_store_open(w->trial, NULL, &s);
    long failed = fault_failed();
    if (n == 0) calls = fault_calls();
    fault_arm(0, 0, 0);
    trials++;
    if (failed) hits++;
    if (st && !failed) FAIL("%s: fails with no fault: %s", what, trine_open_errmsg());
    else if (st) check_error(what, st, trine_open_errmsg(), err, mode & SHORT);
    else if (failed) FAIL("%s: returned TRINE_OK although a write or sync failed", what);
    trine_store_close(s);
    int old = format1_state(w->trial);
    if (old < 0 || (old == 1) != (st != TRINE_OK))
      FAIL("%s: open said %s, and the store is %s", what, trine_strerror(st),
           old < 0 ? "neither format 1 nor upgraded" : old ? "format 1" : "upgraded");
    else if (format1_verify(w->trial, why, sizeof why))
      FAIL("%s: %s", what, why);
  }
  printf("%s upgrading a format 1 store: %ld calls on its files, %ld tried, %u failed\n",
         failures == before ? "ok" : "not ok", calls, calls < max ? calls : max, failures - before);
}

/* ---- limits without the shim: a file size limit, a small map ---- */

/* A big load of the template's copy run in a child whose files may grow
 * by 64 KiB at most (SIGXFSZ ignored, so writes fail with EFBIG): the
 * status and message come back through a pipe. */
static TrineStatus limited_child(World *w, const Op *op, char *msg, size_t size) {
  int fds[2];
  if (pipe(fds)) return TRINE_ERR_INTERNAL;
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    char path[400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/data.mdb", w->trial);
    stat(path, &sb);
    struct rlimit rl = {(rlim_t)sb.st_size + 65536, (rlim_t)sb.st_size + 65536};
    signal(SIGXFSZ, SIG_IGN);
    TrineStore *s;
    TrineStatus st = TRINE_ERR_INTERNAL;
    char why[1200] = "cannot open";
    if (!setrlimit(RLIMIT_FSIZE, &rl) && !trine_store_open(w->trial, NULL, &s)) {
      op_run(s, op, &w->go, w->v, 0, NULL, NULL, &st, why, sizeof why);
      snprintf(why, sizeof why, "%s", trine_store_errmsg(s));
      trine_store_close(s);
    }
    if (write(fds[1], &st, sizeof st) < 0 || write(fds[1], why, strlen(why) + 1) < 0) _exit(1);
    _exit(0);
  }
  close(fds[1]);
  TrineStatus st = TRINE_ERR_INTERNAL;
  ssize_t n = read(fds[0], &st, sizeof st);
  n = n == sizeof st ? read(fds[0], msg, size - 1) : 0;
  msg[n > 0 ? n : 0] = '\0';
  close(fds[0]);
  waitpid(pid, NULL, 0);
  return st;
}

/* The operation after a limited try: the store as before, then the
 * operation succeeds without the limit. */
static void after_limit(World *w, const Op *op, const char *what) {
  TrineStore *s;
  if (verify(w, w->trial, &w->before, what, &s)) return;
  TrineStatus st;
  char why[1200];
  if (op_run(s, op, &w->go, w->v, 0, NULL, NULL, &st, why, sizeof why))
    FAIL("%s: the load fails without the limit: %s", what, why);
  trine_store_close(s);
  verify(w, w->trial, &w->after, what, NULL);
}

static void limits(World *w) {
  Op op;
  find_op(w, OP_LOAD_BUFFER, &op);
  qs_free(&w->after);
  qs_copy(&w->after, &w->before);
  op_apply(&op, &w->after);
  unsigned before = failures;
  char msg[1200], what[200];
  /* a file size limit */
  snprintf(what, sizeof what, "seed %" PRIu64 " %s under a file size limit", w->seed, op.what);
  copy_template(w, w->trial);
  TrineStatus st = limited_child(w, &op, msg, sizeof msg);
  /* the write that reaches the limit is cut short, and LMDB says EIO */
  if (st != TRINE_ERR_IO || !strstr(msg, strerror(EIO)))
    FAIL("%s: %s, \"%s\" (TRINE_ERR_IO and \"%s\" expected)", what, trine_strerror(st), msg,
         strerror(EIO));
  after_limit(w, &op, what);
  printf("%s a load under a file size limit: %s\n", failures == before ? "ok" : "not ok", msg);
  /* a small map */
  before = failures;
  snprintf(what, sizeof what, "seed %" PRIu64 " %s in a small map", w->seed, op.what);
  copy_template(w, w->trial);
  struct stat sb;
  char path[400];
  snprintf(path, sizeof path, "%s/data.mdb", w->trial);
  stat(path, &sb);
  TrineOptions o = {.map_size = (size_t)sb.st_size + 65536};
  TrineStore *s;
  if ((st = trine_store_open(w->trial, &o, &s))) {
    FAIL("%s: does not open: %s", what, trine_open_errmsg());
  } else {
    char why[1200];
    int rc = op_run(s, &op, &w->go, w->v, 0, NULL, NULL, &st, why, sizeof why);
    snprintf(msg, sizeof msg, "%s", trine_store_errmsg(s));
    if (rc != 1 || st != TRINE_ERR_FULL) FAIL("%s: %s (TRINE_ERR_FULL expected): %s", what,
                                              trine_strerror(st), why);
    trine_store_close(s);
    after_limit(w, &op, what);
  }
  printf("%s a load in a map too small for it: %s\n", failures == before ? "ok" : "not ok", msg);
  op_free(&op);
}

/* ---- the template ---- */

/* A store with a few operations' worth of quads, and its model. */
static int make_template(World *w) {
  TrineStore *s;
  if (trine_store_open(w->template, NULL, &s)) {
    fprintf(stderr, "cannot make the template store: %s\n", trine_open_errmsg());
    return -1;
  }
  Rng r = {w->seed};
  char why[1200];
  for (unsigned i = 0, done = 0; done < 6; ++i) {
    Op op;
    op_make(&op, &r, &w->go, w->v, &w->before, i);
    TrineStatus st;
    if (op.expect_ok && op.kind != OP_COMPACT) {
      if (op_run(s, &op, &w->go, w->v, i, NULL, NULL, &st, why, sizeof why)) {
        fprintf(stderr, "cannot make the template store: %s\n", why);
        return -1;
      }
      op_apply(&op, &w->before);
      done++;
    }
    op_free(&op);
  }
  return trine_store_close(s) ? -1 : 0;
}

int main(int argc, char **argv) {
  World w = {.seed = 1};
  long max = 40;
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "--verbose")) verbose = true;
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) w.seed = strtoull(argv[++i], NULL, 0);
    else if (!strcmp(argv[i], "--trials") && i + 1 < argc) max = atol(argv[++i]);
    else return fprintf(stderr, "usage: faults [--seed N] [--trials N] [--verbose]\n"), 2;
  }
  if (max < 21) max = 21;
  setvbuf(stdout, NULL, _IOLBF, 0);
  fault_arm = (void (*)(long, int, int))dlsym(RTLD_DEFAULT, "trine_fault_arm");
  fault_path = (void (*)(const char *))dlsym(RTLD_DEFAULT, "trine_fault_path");
  fault_calls = (long (*)(void))dlsym(RTLD_DEFAULT, "trine_fault_calls");
  fault_failed = (long (*)(void))dlsym(RTLD_DEFAULT, "trine_fault_failed");
  if (!fault_arm || !fault_path || !fault_calls || !fault_failed) {
    fprintf(stderr, "faults: run with LD_PRELOAD=.../faultshim.so\n");
    return 1;
  }
  snprintf(w.work, sizeof w.work, "/tmp/trine-faults-XXXXXX");
  if (!mkdtemp(w.work)) return perror("mkdtemp"), 1;
  snprintf(w.template, sizeof w.template, "%s/template", w.work);
  snprintf(w.trial, sizeof w.trial, "%s/trial", w.work);
  snprintf(w.files, sizeof w.files, "%s/files", w.work);
  mkdir(w.files, 0777);
  w.go = (GenOptions){.files = w.files, .max_quads = 100000, .max_load = 3000,
                      .compact = true};
  w.v = gen_vocab();
  qs_init(&w.before);
  qs_init(&w.after);
  if (make_template(&w)) return 1;
  fault_path(w.trial); /* the trial store, and the compaction's copy beside it */
  scenario(&w, OP_LOAD_BUFFER, max);
  w.batch = 100; /* sorted runs in a temporary file, merged (index_runs.h) */
  scenario(&w, OP_LOAD_BUFFER, max);
  w.batch = 0;
  scenario(&w, OP_LOAD_FILE, max);
  scenario(&w, OP_UPDATE, max);
  scenario(&w, OP_TXN, max);
  scenario(&w, OP_COMPACT, max);
  creation(&w, max);
  upgrade(&w, max);
  fault_path(NULL);
  limits(&w);
  printf("faults: %u trials, %u with a fault injected, %u failed\n", trials, hits, failures);
  qs_free(&w.before);
  qs_free(&w.after);
  vocab_free(w.v);
  if (!failures) rmtree(w.work);
  else printf("work directory: %s\n", w.work);
  return failures ? 1 : 0;
}
