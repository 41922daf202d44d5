/*
 * test_txn.c -- transactions: abort, snapshots across threads and
 * processes, one writer at a time, read-only stores. Failed loads, which
 * must leave the store exactly as it was, are in test_txn_failed_load.c.
 */
#include "txn_util.h"

#include "env.h" /* the store's LMDB environment, to list its readers */

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* Helpers ------------------------------------------------------------------ */

/* Rows matching everything, counted in txn t. Returns (size_t)-1 on error,
 * so it can be used from threads without cmocka. */
static size_t count_all(TrineTxn *t, const TrineTerm *g) {
  TrineIter *it;
  TrineTerm q[4];
  size_t n = 0;
  if (trine_txn_match(t, NULL, NULL, NULL, g, &it) != TRINE_OK) return (size_t)-1;
  TrineStatus st;
  while ((st = trine_iter_next(it, q)) == TRINE_ROW) ++n;
  trine_iter_free(it);
  return st == TRINE_DONE ? n : (size_t)-1;
}

static void load_gen(TrineStore *s, const char *tag, size_t from, size_t n, const char *graph) {
  size_t len;
  char *text = gen_text(tag, from, n, graph, &len);
  TrineLoadStats ls;
  assert_int_equal(trine_store_load_buffer(s, "gen.nq", text, len, NULL, &ls), TRINE_OK);
  assert_int_equal(ls.quads_added, n);
  free(text);
}

/* Tests -------------------------------------------------------------------- */

/* An aborted transaction leaves no trace: quads, removals, terms. */
static void test_txn_abort_discards(void **state) {
  Fixture *f = *state;
  assert_int_equal(trine_store_load_buffer(f->store, "base.nq", base_data, strlen(base_data),
                                           NULL, NULL),
                   TRINE_OK);
  Snapshot before, after;
  snapshot(f->store, &before);
  TrineTxn *t;
  TrineTerm s = trine_iri("http://ex.org/new"), p = trine_iri("http://ex.org/p");
  TrineTerm o = trine_literal("new", NULL, "de"), g = trine_iri("http://ex.org/g9");
  TrineTerm a = trine_iri("http://ex.org/a"), one = trine_literal("1", NULL, NULL);
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, NULL), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &g), TRINE_OK);
  assert_int_equal(trine_txn_remove(t, &a, &p, &one, NULL), TRINE_OK);
  /* The transaction sees its own writes. */
  assert_int_equal(count_all(t, NULL), 5);
  trine_txn_abort(t);
  snapshot(f->store, &after);
  assert_same_snapshot(&before, &after);
  assert_int_equal(before.st.quads, 4);
  /* The same writes committed are there. */
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &o, &g), TRINE_OK);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  assert_int_equal(quads_in(f->store, NULL), 5);
  trine_txn_abort(NULL);
  snapshot_free(&before);
  snapshot_free(&after);
}

/* A read transaction keeps its snapshot while a writer in another thread
 * commits. */
typedef struct {
  TrineStore *store;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int phase; /* 1 reader has its snapshot, 2 writer committed */
  size_t first, during, after;
  uint64_t stats_during;
  bool error;
} SnapCtx;

static void wait_phase(SnapCtx *c, int phase) {
  pthread_mutex_lock(&c->mu);
  while (c->phase < phase) pthread_cond_wait(&c->cv, &c->mu);
  pthread_mutex_unlock(&c->mu);
}

static void set_phase(SnapCtx *c, int phase) {
  pthread_mutex_lock(&c->mu);
  c->phase = phase;
  pthread_cond_broadcast(&c->cv);
  pthread_mutex_unlock(&c->mu);
}

static void *snap_reader(void *arg) {
  SnapCtx *c = arg;
  TrineTxn *t;
  if (trine_txn_begin(c->store, false, &t) != TRINE_OK) {
    c->error = true;
    set_phase(c, 1);
    return NULL;
  }
  c->first = count_all(t, NULL);
  set_phase(c, 1);
  wait_phase(c, 2);
  c->during = count_all(t, NULL);
  TrineStats st;
  if (trine_store_stats(c->store, t, &st) != TRINE_OK) c->error = true;
  c->stats_during = st.quads;
  trine_txn_abort(t);
  if (trine_txn_begin(c->store, false, &t) != TRINE_OK) {
    c->error = true;
    return NULL;
  }
  c->after = count_all(t, NULL);
  trine_txn_abort(t);
  return NULL;
}

static void test_txn_snapshot_across_threads(void **state) {
  Fixture *f = *state;
  load_gen(f->store, "a", 0, 500, NULL);
  SnapCtx c = {.store = f->store, .mu = PTHREAD_MUTEX_INITIALIZER,
               .cv = PTHREAD_COND_INITIALIZER};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, snap_reader, &c), 0);
  wait_phase(&c, 1);
  /* Single writes and a bulk load, both committed while the reader waits. */
  TrineTxn *t;
  TrineTerm s = trine_iri("http://ex.org/w"), p = trine_iri("http://ex.org/p");
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  for (int i = 0; i < 50; ++i) {
    char v[16];
    snprintf(v, sizeof v, "%d", i);
    TrineTerm o = trine_literal(v, NULL, NULL);
    assert_int_equal(trine_txn_add(t, &s, &p, &o, NULL), TRINE_OK);
  }
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  load_gen(f->store, "b", 0, 300, "<http://ex.org/g>");
  set_phase(&c, 2);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_false(c.error);
  assert_int_equal(c.first, 500);
  assert_int_equal(c.during, 500);
  assert_int_equal(c.stats_during, 500);
  assert_int_equal(c.after, 850);
}

/* Many readers in threads while a writer loads: every reader sees whole
 * loads only (a multiple of the load size), never going backwards, and its
 * statistics agree with its scans. */
enum { NREADERS = 6, NLOADS = 8, LOAD_N = 1500 };

typedef struct {
  TrineStore *store;
  volatile int *done;
  int iterations;
  char error[256];
} ReaderCtx;

static void *busy_reader(void *arg) {
  ReaderCtx *c = arg;
  uint64_t last = 0;
  TrineTerm g = trine_iri("http://ex.org/g");
  while (!__atomic_load_n(c->done, __ATOMIC_ACQUIRE) || c->iterations < 2) {
    TrineTxn *t;
    if (trine_txn_begin(c->store, false, &t) != TRINE_OK) {
      snprintf(c->error, sizeof c->error, "begin failed");
      return NULL;
    }
    TrineStats st;
    if (trine_store_stats(c->store, t, &st) != TRINE_OK) {
      snprintf(c->error, sizeof c->error, "stats failed");
    } else {
      size_t all = count_all(t, NULL), named = count_all(t, &g);
      if (st.quads % LOAD_N || st.quads < last || all != st.quads ||
          named != st.quads - st.default_quads)
        snprintf(c->error, sizeof c->error,
                 "inconsistent snapshot: stats %llu (last %llu), scan %zu, named %zu",
                 (unsigned long long)st.quads, (unsigned long long)last, all, named);
      last = st.quads;
    }
    trine_txn_abort(t);
    c->iterations++;
    if (c->error[0]) return NULL;
  }
  /* The writer is done: a fresh snapshot sees everything. */
  TrineTxn *t;
  if (trine_txn_begin(c->store, false, &t) == TRINE_OK) {
    last = count_all(t, NULL);
    trine_txn_abort(t);
  }
  if (last != (uint64_t)NLOADS * LOAD_N)
    snprintf(c->error, sizeof c->error, "last snapshot %llu", (unsigned long long)last);
  return NULL;
}

static void test_txn_readers_during_loads(void **state) {
  Fixture *f = *state;
  volatile int done = 0;
  ReaderCtx ctx[NREADERS];
  pthread_t th[NREADERS];
  char *texts[NLOADS];
  size_t lens[NLOADS];
  for (int i = 0; i < NLOADS; ++i) {
    char tag[8];
    snprintf(tag, sizeof tag, "L%d", i);
    texts[i] = gen_text(tag, 0, LOAD_N, i % 2 ? "<http://ex.org/g>" : NULL, &lens[i]);
  }
  for (int i = 0; i < NREADERS; ++i) {
    ctx[i] = (ReaderCtx){.store = f->store, .done = &done};
    assert_int_equal(pthread_create(&th[i], NULL, busy_reader, &ctx[i]), 0);
  }
  for (int i = 0; i < NLOADS; ++i) {
    TrineLoadStats ls;
    assert_int_equal(trine_store_load_buffer(f->store, "gen.nq", texts[i], lens[i], NULL, &ls),
                     TRINE_OK);
    assert_int_equal(ls.quads_added, LOAD_N);
    free(texts[i]);
  }
  __atomic_store_n(&done, 1, __ATOMIC_RELEASE);
  for (int i = 0; i < NREADERS; ++i) assert_int_equal(pthread_join(th[i], NULL), 0);
  for (int i = 0; i < NREADERS; ++i) {
    if (ctx[i].error[0]) fail_msg("reader %d: %s", i, ctx[i].error);
    assert_true(ctx[i].iterations >= 2);
  }
  assert_int_equal(quads_in(f->store, NULL), NLOADS * LOAD_N);
}

/* One writer at a time: a second writer waits for the first to finish and
 * then sees its data. */
typedef struct {
  TrineStore *store;
  volatile int first_committed;
  int saw_committed;
  size_t rows;
  TrineStatus st;
} WriterCtx;

static void *second_writer(void *arg) {
  WriterCtx *c = arg;
  TrineTxn *t;
  c->st = trine_txn_begin(c->store, true, &t);
  if (c->st) return NULL;
  c->saw_committed = __atomic_load_n(&c->first_committed, __ATOMIC_ACQUIRE);
  c->rows = count_all(t, NULL);
  TrineTerm s = trine_iri("http://ex.org/second"), p = trine_iri("http://ex.org/p");
  c->st = trine_txn_add(t, &s, &p, &s, NULL);
  if (!c->st) c->st = trine_txn_commit(t);
  else trine_txn_abort(t);
  return NULL;
}

static void test_txn_one_writer_at_a_time(void **state) {
  Fixture *f = *state;
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_OK);
  TrineTerm s = trine_iri("http://ex.org/first"), p = trine_iri("http://ex.org/p");
  assert_int_equal(trine_txn_add(t, &s, &p, &s, NULL), TRINE_OK);
  WriterCtx c = {.store = f->store};
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, second_writer, &c), 0);
  struct timespec ts = {0, 100 * 1000 * 1000};
  nanosleep(&ts, NULL);
  __atomic_store_n(&c.first_committed, 1, __ATOMIC_RELEASE);
  assert_int_equal(trine_txn_commit(t), TRINE_OK);
  assert_int_equal(pthread_join(th, NULL), 0);
  assert_int_equal(c.st, TRINE_OK);
  assert_int_equal(c.saw_committed, 1);
  assert_int_equal(c.rows, 1);
  assert_int_equal(quads_in(f->store, NULL), 2);
}

/* A second process reads a snapshot while the first one writes. */
static int child_reader(const char *dir, int to_parent, int from_parent) {
  TrineStore *s;
  if (trine_store_open(dir, NULL, &s)) return 10;
  TrineTxn *t;
  if (trine_txn_begin(s, false, &t)) return 11;
  size_t before = count_all(t, NULL);
  char c = 'r';
  if (write(to_parent, &c, 1) != 1) return 12;
  if (read(from_parent, &c, 1) != 1) return 13; /* the parent committed */
  size_t during = count_all(t, NULL);
  TrineStats st;
  if (trine_store_stats(s, t, &st)) return 14;
  trine_txn_abort(t);
  if (trine_txn_begin(s, false, &t)) return 15;
  size_t after = count_all(t, NULL);
  trine_txn_abort(t);
  trine_store_close(s);
  if (before != 400) return 20;
  if (during != 400 || st.quads != 400) return 21;
  if (after != 1000) return 22;
  return 0;
}

static void test_txn_reader_in_other_process(void **state) {
  Fixture *f = *state;
  load_gen(f->store, "a", 0, 400, NULL);
  trine_store_close(f->store);
  f->store = NULL;
  int up[2], down[2];
  assert_int_equal(pipe(up), 0);
  assert_int_equal(pipe(down), 0);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    close(up[0]);
    close(down[1]);
    _exit(child_reader(f->dir, up[1], down[0]));
  }
  close(up[1]);
  close(down[0]);
  assert_int_equal(trine_store_open(f->dir, NULL, &f->store), TRINE_OK);
  char c;
  assert_int_equal(read(up[0], &c, 1), 1); /* the child holds its snapshot */
  load_gen(f->store, "b", 0, 600, "<http://ex.org/g>");
  assert_int_equal(write(down[1], "w", 1), 1);
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  close(up[0]);
  close(down[1]);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(quads_in(f->store, NULL), 1000);
}

/* A second process writes while this one reads; then this one writes again. */
static void test_txn_writer_in_other_process(void **state) {
  Fixture *f = *state;
  load_gen(f->store, "a", 0, 100, NULL);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    TrineStore *s;
    if (trine_store_open(f->dir, NULL, &s)) _exit(10);
    size_t len;
    char *text = gen_text("child", 0, 250, NULL, &len);
    TrineLoadStats ls;
    TrineStatus st = trine_store_load_buffer(s, "child.nt", text, len, NULL, &ls);
    free(text);
    trine_store_close(s);
    _exit(st != TRINE_OK ? 11 : ls.quads_added != 250 ? 12 : 0);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFEXITED(status));
  assert_int_equal(WEXITSTATUS(status), 0);
  assert_int_equal(count_all(t, NULL), 100);
  trine_txn_abort(t);
  assert_int_equal(quads_in(f->store, NULL), 350);
  load_gen(f->store, "b", 0, 50, NULL);
  assert_int_equal(quads_in(f->store, NULL), 400);
}

/* mdb_reader_list() callback: count the lines naming pid *ctx. */
static int count_reader(const char *msg, void *ctx) {
  long *pid = ctx;
  char want[32];
  snprintf(want, sizeof want, " %ld ", pid[0]);
  if (strstr(msg, want)) pid[1]++;
  return 0;
}

/* A process killed inside a read transaction leaves its reader slot in
 * lock.mdb; the next open by any process clears it (mdb_reader_check), or
 * the snapshot it names would keep old pages from being reused for as long
 * as some process has the store open. */
static void test_txn_stale_reader_cleared(void **state) {
  Fixture *f = *state;
  load_gen(f->store, "a", 0, 10, NULL);
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    trine_store_close(f->store); /* not used across fork() */
    TrineStore *s;
    TrineTxn *t;
    if (trine_store_open(f->dir, NULL, &s) || trine_txn_begin(s, false, &t)) _exit(10);
    kill(getpid(), SIGKILL);
    _exit(11);
  }
  int status;
  assert_int_equal(waitpid(pid, &status, 0), pid);
  assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
  long seen[2] = {(long)pid, 0};
  mdb_reader_list(f->store->env, count_reader, seen);
  assert_int_equal(seen[1], 1); /* the dead process's slot is still there */
  /* Another process opens the store while this one holds it (an open of
   * the only process would reset the whole reader table anyway). */
  pid_t other = fork();
  assert_true(other >= 0);
  if (other == 0) {
    TrineStore *s;
    _exit(trine_store_open(f->dir, NULL, &s) || trine_store_close(s) ? 12 : 0);
  }
  assert_int_equal(waitpid(other, &status, 0), other);
  assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  seen[1] = 0;
  mdb_reader_list(f->store->env, count_reader, seen);
  assert_int_equal(seen[1], 0);
}

/* A read txn's own thread ends it; another thread reads through the
 * store's spare handle next (MDB_NOTLS: handles are not tied to threads). */
static void *read_in_thread(void *arg) {
  TrineStore *s = arg;
  TrineTxn *t;
  if (trine_txn_begin(s, false, &t)) return (void *)(size_t)-1;
  size_t n = count_all(t, NULL);
  trine_txn_abort(t);
  return (void *)n;
}

/* Ended read txns leave their LMDB handle to the next (txn.c's spare,
 * renewed): each sees the state committed when it began, two at once see
 * their own, and the reader slot is reused, not leaked. */
static void test_txn_read_handles_reused(void **state) {
  Fixture *f = *state;
  load_gen(f->store, "a", 0, 10, NULL);
  TrineTxn *t, *u;
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  assert_int_equal(count_all(t, NULL), 10);
  trine_txn_abort(t);
  load_gen(f->store, "b", 0, 5, NULL);
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK); /* the spare */
  assert_int_equal(trine_txn_begin(f->store, false, &u), TRINE_OK); /* a new one */
  assert_int_equal(count_all(t, NULL), 15);
  load_gen(f->store, "c", 0, 5, NULL);
  assert_int_equal(count_all(t, NULL), 15);
  assert_int_equal(count_all(u, NULL), 15); /* both began before "c" */
  assert_int_equal(trine_txn_commit(u), TRINE_OK); /* a read txn's commit ends it too */
  trine_txn_abort(t);
  pthread_t th;
  void *n;
  assert_int_equal(pthread_create(&th, NULL, read_in_thread, f->store), 0);
  assert_int_equal(pthread_join(th, &n), 0);
  assert_int_equal((size_t)n, 20);
  for (int i = 0; i < 200; ++i) {
    assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
    assert_int_equal(count_all(t, NULL), 20);
    trine_txn_abort(t);
  }
  long seen[2] = {(long)getpid(), 0};
  mdb_reader_list(f->store->env, count_reader, seen);
  assert_true(seen[1] <= 1); /* the spare's slot at most */
}

/* A read-only store rejects every write. */
static void test_txn_readonly_rejects_writes(void **state) {
  Fixture *f = *state;
  load_gen(f->store, "a", 0, 10, NULL);
  trine_store_close(f->store);
  TrineOptions o = {.flags = TRINE_OPEN_READONLY};
  assert_int_equal(trine_store_open(f->dir, &o, &f->store), TRINE_OK);
  assert_true(trine_store_readonly(f->store));
  TrineTxn *t = (TrineTxn *)1;
  assert_int_equal(trine_txn_begin(f->store, true, &t), TRINE_ERR_READONLY);
  assert_null(t);
  assert_true(strlen(trine_store_errmsg(f->store)) > 0);
  const char *text = "<http://ex.org/x> <http://ex.org/y> <http://ex.org/z> .\n";
  assert_int_equal(trine_store_load_buffer(f->store, "x.nt", text, strlen(text), NULL, NULL),
                   TRINE_ERR_READONLY);
  char path[512];
  snprintf(path, sizeof path, "%s.nt", f->dir);
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
  assert_int_equal(trine_store_load_file(f->store, path, NULL, NULL), TRINE_ERR_READONLY);
  unlink(path);
  /* Writes through a read transaction are refused too. */
  TrineTerm s = trine_iri("http://ex.org/x"), p = trine_iri("http://ex.org/y");
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &s, NULL), TRINE_ERR_READONLY);
  assert_int_equal(trine_txn_remove(t, &s, &p, &s, NULL), TRINE_ERR_READONLY);
  trine_txn_abort(t);
  /* A read transaction on a writable store refuses writes as well. */
  trine_store_close(f->store);
  assert_int_equal(trine_store_open(f->dir, NULL, &f->store), TRINE_OK);
  assert_false(trine_store_readonly(f->store));
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  assert_int_equal(trine_txn_add(t, &s, &p, &s, NULL), TRINE_ERR_READONLY);
  trine_txn_abort(t);
  /* A missing store cannot be opened read-only. */
  TrineStore *none = (TrineStore *)1;
  char missing[512];
  snprintf(missing, sizeof missing, "%s/missing", f->dir);
  assert_int_equal(trine_store_open(missing, &o, &none), TRINE_NOT_FOUND);
  assert_null(none);
  assert_true(strlen(trine_open_errmsg()) > 0);
}

/* A read-only store can be read: scans, dump, statistics.
 * Regression: init_layout() in engine/store/store.c aborts the read-only
 * transaction that opened the databases, which closes the DBI handles, so
 * every later cursor fails with EINVAL and trine_store_stats() reports 0. */
static void test_txn_readonly_store_reads(void **state) {
  Fixture *f = *state;
  load_gen(f->store, "a", 0, 10, "<http://ex.org/g>");
  trine_store_close(f->store);
  TrineOptions o = {.flags = TRINE_OPEN_READONLY};
  assert_int_equal(trine_store_open(f->dir, &o, &f->store), TRINE_OK);
  TrineTxn *t;
  assert_int_equal(trine_txn_begin(f->store, false, &t), TRINE_OK);
  assert_int_equal(count_all(t, NULL), 10);
  trine_txn_abort(t);
  assert_int_equal(quads_in(f->store, NULL), 10);
  char *buf = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&buf, &len);
  assert_non_null(m);
  assert_int_equal(trine_store_dump(f->store, m, TRINE_FORMAT_NQUADS, NULL), TRINE_OK);
  fclose(m);
  assert_true(len > 0);
  free(buf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_txn_abort_discards, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_snapshot_across_threads, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_read_handles_reused, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_readers_during_loads, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_one_writer_at_a_time, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_reader_in_other_process, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_writer_in_other_process, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_stale_reader_cleared, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_readonly_rejects_writes, txn_setup, tu_teardown),
      cmocka_unit_test_setup_teardown(test_txn_readonly_store_reads, txn_setup, tu_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
