/*
 * powerloss.c -- a machine that loses power: the writes the kernel had
 * not yet put on the disk are lost, any subset of them, and a write in
 * flight may be torn at 512-byte sectors. As SQLite's crash tests do,
 * the writes are recorded (faultshim.so, preloaded, logs every write to
 * data.mdb and every sync that completed) while generated operations
 * commit; then images of data.mdb as the disk could hold them are built:
 * at a point of the log, every write before the last completed sync, and
 * of the writes since, a random subset, some torn. Each image must open,
 * hold the quads of the last operation that returned before the point or
 * of the one under way, and pass trine_store_check().
 *
 * With --nosync the store is opened TRINE_OPEN_NOSYNC (no sync at all):
 * the images show what that mode gives up; they are counted, not
 * required to pass.
 *
 * usage: powerloss [--seed N] [--ops N] [--images N] [--nosync] [--verbose]
 */
#include "model.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void (*fault_path)(const char *path);
static int (*fault_log)(const char *path);
static void (*fault_mark)(uint64_t n);

typedef struct {
  uint64_t seed;
  unsigned ops, images;
  bool nosync, verbose;
} Options;

/* One record of the log. */
typedef struct {
  char kind;           /* 'W', 'S', 'M' */
  uint64_t off, len;   /* W */
  const char *data;    /* W: len bytes in the log */
  uint64_t mark;       /* M */
} Rec;

typedef struct {
  Rec *r;
  size_t n;
} Log;

/* What the images showed. */
typedef struct {
  unsigned images, good, wrong_state, check_fails, no_open, crashed;
} Tally;

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
  (void)st, (void)flag, (void)ftw;
  return remove(path);
}

static void rmtree(const char *path) { nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS); }

static int parse_log(const char *data, size_t size, Log *log) {
  size_t cap = 1024, at = 0;
  log->r = malloc(cap * sizeof *log->r);
  log->n = 0;
  while (at < size) {
    if (log->n == cap && !(log->r = realloc(log->r, (cap *= 2) * sizeof *log->r))) return -1;
    Rec *r = &log->r[log->n++];
    *r = (Rec){.kind = data[at++]};
    if (r->kind == 'W') {
      if (at + 16 > size) return -1;
      memcpy(&r->off, data + at, 8);
      memcpy(&r->len, data + at + 8, 8);
      r->data = data + at + 16;
      at += 16 + r->len;
    } else if (r->kind == 'M') {
      memcpy(&r->mark, data + at, 8);
      at += 8;
    } else if (r->kind != 'S')
      return -1;
  }
  return at == size ? 0 : -1;
}

/* ---- the file image ---- */

typedef struct {
  char *b;
  size_t size, cap;
} Image;

static void put(Image *im, uint64_t off, const char *data, uint64_t len) {
  if (off + len > im->cap) {
    size_t cap = (size_t)(off + len) * 2;
    if (!(im->b = realloc(im->b, cap))) abort();
    memset(im->b + im->cap, 0, cap - im->cap);
    im->cap = cap;
  }
  memcpy(im->b + off, data, len);
  if (off + len > im->size) im->size = (size_t)(off + len);
}

/* A write since the last sync, as the disk may hold it: gone, whole, or
 * some of its 512-byte sectors. */
static void put_pending(Image *im, const Rec *r, Rng *rng) {
  unsigned fate = rng_below(rng, 3);
  if (fate == 0) return;
  if (fate == 1) {
    put(im, r->off, r->data, r->len);
    return;
  }
  for (uint64_t at = 0; at < r->len; at += 512) {
    uint64_t n = r->len - at < 512 ? r->len - at : 512;
    if (rng_below(rng, 2)) put(im, r->off + at, r->data + at, n);
  }
}

/* ---- judging one image ---- */

static int write_image(const Image *im, const char *dir) {
  char path[700];
  rmtree(dir);
  mkdir(dir, 0777);
  snprintf(path, sizeof path, "%s/data.mdb", dir);
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  size_t done = 0;
  while (done < im->size) {
    ssize_t w = write(fd, im->b + done, im->size - done);
    if (w <= 0) break;
    done += (size_t)w;
  }
  close(fd);
  return done == im->size ? 0 : -1;
}

enum { GOOD, WRONG_STATE, CHECK_FAILS, NO_OPEN }; /* a child's exit status */

/* In a child (a damaged image may crash whoever reads it): open the
 * image, compare with states[lo..hi], check. */
static int judge_child(const char *dir, const Vocab *v, QuadSet *states, long lo, long hi,
                       bool verbose) {
  TrineStore *s;
  if (trine_store_open(dir, NULL, &s)) {
    if (verbose) fprintf(stderr, "  does not open: %s\n", trine_open_errmsg());
    return NO_OPEN;
  }
  QuadSet got;
  qs_init(&got);
  char why[600];
  int rc = WRONG_STATE;
  if (store_quads(s, v, &got, why, sizeof why)) {
    if (verbose) fprintf(stderr, "  %s\n", why);
  } else {
    for (long k = lo; k <= hi && rc; ++k)
      if (qs_equal(&got, &states[k + 1])) rc = GOOD;
    if (rc && verbose)
      fprintf(stderr, "  %zu quads: not the state after operation %ld or %ld\n", got.n, lo, hi);
  }
  if (rc == GOOD && trine_store_check(s, NULL, NULL, NULL)) {
    if (verbose) fprintf(stderr, "  the check fails: %s\n", trine_store_errmsg(s));
    rc = CHECK_FAILS;
  }
  return rc;
}

static void judge(const Image *im, const char *dir, const Vocab *v, QuadSet *states, long lo,
                  long hi, const Options *o, Tally *t) {
  t->images++;
  if (write_image(im, dir)) {
    t->no_open++;
    return;
  }
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    if (!o->verbose) { /* a damaged image's reader may abort with LMDB's assertions */
      int null = open("/dev/null", O_WRONLY);
      if (null >= 0) dup2(null, 2);
    }
    _exit(judge_child(dir, v, states, lo, hi, o->verbose));
  }
  int ws;
  waitpid(pid, &ws, 0);
  int rc = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  if (rc == GOOD) t->good++;
  else if (rc == WRONG_STATE) t->wrong_state++;
  else if (rc == CHECK_FAILS) t->check_fails++;
  else if (rc == NO_OPEN) t->no_open++;
  else t->crashed++;
}

/* ---- recording ---- */

/* Run o->ops operations on a new store in dir, logging its writes to
 * log_path; the model after each into states[1..] (states[0]: empty). */
static int record(const Options *o, const char *work, Vocab *v, QuadSet *states) {
  char dir[600], files[600], logp[600];
  snprintf(dir, sizeof dir, "%s/store", work);
  snprintf(files, sizeof files, "%s/files", work);
  snprintf(logp, sizeof logp, "%s/writes.log", work);
  mkdir(files, 0777);
  TrineOptions opts = {.flags = o->nosync ? TRINE_OPEN_NOSYNC : 0};
  TrineStore *s;
  if (trine_store_open(dir, &opts, &s)) return fprintf(stderr, "%s\n", trine_open_errmsg()), -1;
  trine_store_close(s); /* created, and on disk: the image starts from here */
  char image[700];
  snprintf(image, sizeof image, "%s/data.mdb", dir);
  sync();
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "cp %s %s/start.mdb", image, work);
  if (system(cmd)) return -1;
  fault_path(dir);
  if (fault_log(logp)) return -1;
  if (trine_store_open(dir, &opts, &s)) return -1;
  GenOptions go = {.files = files, .max_quads = 4000, .max_load = 1500};
  Rng rng = {o->seed};
  qs_init(&states[0]);
  for (unsigned i = 0; i < o->ops; ++i) {
    Op op;
    op_make(&op, &rng, &go, v, &states[i], i);
    TrineStatus st;
    char why[1200];
    if (op_run(s, &op, &go, v, i, NULL, NULL, &st, why, sizeof why))
      return fprintf(stderr, "operation %u (%s): %s\n", i, op.what, why), -1;
    qs_copy(&states[i + 1], &states[i]);
    op_apply(&op, &states[i + 1]);
    fault_mark(i);
    op_free(&op);
  }
  trine_store_close(s);
  fault_log(NULL);
  fault_path(NULL);
  return 0;
}

/* ---- the images ---- */

static int cmp_size(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

/* A point of the log: the records before it reached the kernel. Drawn
 * per window between two syncs (a window picked at random, then a point
 * in it, both ends included), so that every window is as likely, short
 * ones too: the point just after a sync, where nothing is pending, and the
 * point just before one, where all of the window is. */
static size_t crash_point(const Log *log, Rng *rng) {
  size_t windows = 1;
  for (size_t i = 0; i < log->n; ++i) windows += log->r[i].kind == 'S';
  size_t w = rng_below(rng, (uint32_t)windows), start = 0, i = 0;
  for (size_t seen = 0; i < log->n && seen < w; ++i)
    if (log->r[i].kind == 'S') seen++, start = i + 1;
  size_t end = start;
  while (end < log->n && log->r[end].kind != 'S') end++;
  return start + rng_below(rng, (uint32_t)(end - start + 1));
}

/* o->images crash points of the log, in order, each with a random fate
 * for the writes since its last completed sync. */
static void images(const Options *o, const char *work, const Log *log, const Vocab *v,
                   QuadSet *states, Tally *t) {
  char path[600], dir[600];
  snprintf(path, sizeof path, "%s/start.mdb", work);
  snprintf(dir, sizeof dir, "%s/image", work);
  Image durable = {0}, im = {0};
  FILE *f = fopen(path, "rb");
  char buf[1 << 16];
  size_t n, at = 0;
  while (f && (n = fread(buf, 1, sizeof buf, f)) > 0) put(&durable, at, buf, n), at += n;
  if (f) fclose(f);
  Rng rng = {rng_mix(o->seed, 77)};
  size_t *points = malloc(o->images * sizeof *points);
  for (unsigned i = 0; i < o->images; ++i) points[i] = crash_point(log, &rng);
  qsort(points, o->images, sizeof *points, cmp_size);
  size_t synced = 0; /* records before this one are on the disk */
  size_t seen = 0;   /* records before this one were looked at for marks */
  long done = -1;    /* the last operation that returned before the point */
  for (unsigned i = 0; i < o->images; ++i) {
    size_t p = points[i];
    for (; seen < p; ++seen)
      if (log->r[seen].kind == 'M') done = (long)log->r[seen].mark;
    for (size_t k = synced; k < p; ++k) { /* the durable image: up to the last sync before p */
      if (log->r[k].kind != 'S') continue;
      for (size_t w = synced; w < k; ++w)
        if (log->r[w].kind == 'W') put(&durable, log->r[w].off, log->r[w].data, log->r[w].len);
      synced = k + 1;
    }
    /* An operation that returned synced its meta page before: the image
     * holds it, and maybe the one under way. Without syncs, any state
     * that was committed counts as one. */
    long lo = o->nosync ? -1 : done, hi = done + 1 < (long)o->ops ? done + 1 : done;
    im.size = 0;
    put(&im, 0, durable.b, durable.size);
    im.size = durable.size;
    for (size_t k = synced; k < p; ++k)
      if (log->r[k].kind == 'W') put_pending(&im, &log->r[k], &rng);
    if (o->verbose) fprintf(stderr, "image %u: point %zu of %zu, operations %ld..%ld\n", i, p,
                            log->n, lo, hi);
    judge(&im, dir, v, states, lo, hi, o, t);
  }
  free(points);
  free(durable.b);
  free(im.b);
}

int main(int argc, char **argv) {
  Options o = {.seed = 1, .ops = 12, .images = 100};
  for (int i = 1; i < argc; ++i) {
    const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--nosync")) o.nosync = true;
    else if (!strcmp(a, "--verbose")) o.verbose = true;
    else if (val && !strcmp(a, "--seed")) o.seed = strtoull(val, NULL, 0), ++i;
    else if (val && !strcmp(a, "--ops")) o.ops = (unsigned)atoi(val), ++i;
    else if (val && !strcmp(a, "--images")) o.images = (unsigned)atoi(val), ++i;
    else return fprintf(stderr, "usage: powerloss [--seed N] [--ops N] [--images N] [--nosync] "
                                "[--verbose]\n"), 2;
  }
  fault_path = (void (*)(const char *))dlsym(RTLD_DEFAULT, "trine_fault_path");
  fault_log = (int (*)(const char *))dlsym(RTLD_DEFAULT, "trine_fault_log");
  fault_mark = (void (*)(uint64_t))dlsym(RTLD_DEFAULT, "trine_fault_mark");
  if (!fault_path || !fault_log || !fault_mark || !o.ops || !o.images) {
    fprintf(stderr, "powerloss: run with LD_PRELOAD=.../faultshim.so\n");
    return 1;
  }
  char work[] = "/tmp/trine-powerloss-XXXXXX";
  if (!mkdtemp(work)) return perror("mkdtemp"), 1;
  Vocab *v = gen_vocab();
  QuadSet *states = calloc(o.ops + 1, sizeof *states);
  if (record(&o, work, v, states)) return 1;
  char logp[600];
  snprintf(logp, sizeof logp, "%s/writes.log", work);
  int fd = open(logp, O_RDONLY);
  struct stat sb;
  if (fd < 0 || fstat(fd, &sb)) return perror(logp), 1;
  const char *data = sb.st_size ? mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : "";
  Log log;
  if (data == MAP_FAILED || parse_log(data, (size_t)sb.st_size, &log))
    return fprintf(stderr, "powerloss: cannot read the log %s\n", logp), 1;
  size_t writes = 0, syncs = 0;
  for (size_t i = 0; i < log.n; ++i) writes += log.r[i].kind == 'W', syncs += log.r[i].kind == 'S';
  Tally t = {0};
  images(&o, work, &log, v, states, &t);
  unsigned bad = t.images - t.good;
  printf("powerloss%s: seed %" PRIu64 ", %u operations: %zu writes, %zu syncs logged; %u images: "
         "%u at a committed state and sound, %u at another state, %u failing the check, %u not "
         "opening, %u crashing the reader\n", o.nosync ? " (no-sync)" : "", o.seed, o.ops, writes,
         syncs, t.images, t.good, t.wrong_state, t.check_fails, t.no_open, t.crashed);
  for (unsigned i = 0; i <= o.ops; ++i) qs_free(&states[i]);
  free(states);
  free(log.r);
  vocab_free(v);
  if ((!bad || o.nosync) && !getenv("KEEP")) rmtree(work);
  else printf("work directory: %s\n", work);
  return bad && !o.nosync ? 1 : 0;
}
