/*
 * faultshim.c -- an LD_PRELOAD library for the tests (never installed):
 * it fails the Nth write-like call on a store's files, and can log the
 * writes to data.mdb between syncs for the power-loss test.
 *
 * Counted calls: write, pwrite, writev, pwritev, fsync, fdatasync,
 * ftruncate and mmap on a file whose path starts with TRINE_FAULT_PATH
 * (read from /proc/self/fd), and msync (which names no file: every call
 * counts). The environment arms it when the program starts:
 *
 *   TRINE_FAULT_PATH=/dir/store  the files that count (required)
 *   TRINE_FAULT_AT=N             the Nth counted call fails (1-based)
 *   TRINE_FAULT_ERRNO=EIO        the error (ENOSPC, the default, or EIO)
 *   TRINE_FAULT_PERSIST=1        every counted call from the Nth on fails,
 *                                as a disk that stays full
 *   TRINE_FAULT_SHORT=1          the Nth call, when it writes, writes half
 *                                its bytes and returns that count (what a
 *                                disk filling up does), without an error
 *   TRINE_FAULT_LOG=FILE         log the writes and syncs of data.mdb
 *                                (powerloss.c reads it)
 *
 * A program that loads the shim can also drive it: trine_fault_arm(),
 * trine_fault_path(), trine_fault_calls(), trine_fault_failed(),
 * trine_fault_log() and trine_fault_mark() below,
 * found with dlsym(RTLD_DEFAULT, ...).
 *
 * The log is a series of records: 'W', offset (8 bytes), length (8
 * bytes), the bytes; 'S' for a sync that completed (fsync, fdatasync, a
 * write through a descriptor opened O_DSYNC or O_SYNC, which LMDB uses for
 * its meta pages); 'M' and a number (8 bytes) from trine_fault_mark().
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
/* pwrite and pwrite64 are both defined here: the names must not be
 * redirected to the 64-bit ones (64-bit Linux: off_t is off64_t). */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define API __attribute__((visibility("default")))

static char prefix[1024];
static size_t prefix_len;
static atomic_long calls, failed, fail_at;
static atomic_int fail_errno = ENOSPC, persist, short_write;
static int log_fd = -1;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;

/* The real functions. */
static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static ssize_t (*real_pwritev)(int, const struct iovec *, int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_msync)(void *, size_t, int);
static int (*real_ftruncate)(int, off_t);
static void *(*real_mmap)(void *, size_t, int, int, int, off_t);

static void *next(const char *name) {
  void *f = dlsym(RTLD_NEXT, name);
  if (!f) abort();
  return f;
}

/* The real functions, found once: the wrappers may run before the
 * constructor (other libraries' constructors write too). */
static void resolve(void) {
  if (real_mmap) return;
  real_write = next("write");
  real_pwrite = next("pwrite");
  real_writev = next("writev");
  real_pwritev = next("pwritev");
  real_fsync = next("fsync");
  real_fdatasync = next("fdatasync");
  real_msync = next("msync");
  real_ftruncate = next("ftruncate");
  real_mmap = next("mmap");
}

__attribute__((constructor)) static void init(void) {
  resolve();
  const char *p = getenv("TRINE_FAULT_PATH"), *at = getenv("TRINE_FAULT_AT");
  const char *err = getenv("TRINE_FAULT_ERRNO"), *per = getenv("TRINE_FAULT_PERSIST");
  const char *log = getenv("TRINE_FAULT_LOG");
  if (p) snprintf(prefix, sizeof prefix, "%s", p), prefix_len = strlen(prefix);
  if (at) fail_at = atol(at);
  if (err && !strcmp(err, "EIO")) fail_errno = EIO;
  if (per && *per == '1') persist = 1;
  const char *sh = getenv("TRINE_FAULT_SHORT");
  if (sh && *sh == '1') short_write = 1;
  if (log) log_fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
}

/* ---- control ---- */

/* Count calls from 0 again; the at-th fails with err (0: none). Mode:
 * TRINE_FAULT_PERSIST (1) every call after it fails too; TRINE_FAULT_SHORT
 * (2) the at-th call, when it writes, writes half and returns that. */
API void trine_fault_arm(long at, int err, int mode) {
  calls = 0;
  failed = 0;
  fail_at = at;
  fail_errno = err ? err : ENOSPC;
  persist = mode & 1;
  short_write = (mode & 2) != 0;
}

/* Set the files that count (NULL: none). */
API void trine_fault_path(const char *path) {
  snprintf(prefix, sizeof prefix, "%s", path ? path : "");
  prefix_len = path ? strlen(prefix) : 0;
}

API long trine_fault_calls(void) { return calls; }
API long trine_fault_failed(void) { return failed; }

/* ---- which calls count ---- */

/* Where fd leads: its path into buf, or "" */
static void fd_path(int fd, char *buf, size_t size) {
  char link[64];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, buf, size - 1);
  buf[n > 0 ? n : 0] = '\0';
}

static int ours(int fd) {
  resolve();
  if (!prefix_len || fd < 0) return 0;
  char path[1100];
  fd_path(fd, path, sizeof path);
  return strncmp(path, prefix, prefix_len) == 0;
}

/* Count a call on one of our files: 1 when it must fail (errno set), 2
 * when it must write short. */
static int fault(void) {
  long n = ++calls, at = fail_at;
  if (at > 0 && (n == at || (persist && n > at))) {
    ++failed;
    errno = fail_errno;
    return n == at && short_write ? 2 : 1;
  }
  return 0;
}

/* The fault of a call that writes n bytes: -1 to fail it, else the bytes
 * to write (n, or half of it). */
static ssize_t write_fault(int fd, size_t *n) {
  if (!ours(fd)) return 0;
  int f = fault();
  if (f == 1 || (f == 2 && *n < 2)) return -1;
  if (f == 2) *n /= 2;
  return 0;
}

/* ---- the log ---- */

static int logged(int fd) {
  if (log_fd < 0 || !ours(fd)) return 0;
  char path[1100];
  fd_path(fd, path, sizeof path);
  size_t n = strlen(path);
  return n >= 9 && strcmp(path + n - 9, "/data.mdb") == 0;
}

static void log_put(const void *p, size_t n) {
  const char *c = p;
  while (n) {
    ssize_t w = real_write(log_fd, c, n);
    if (w <= 0) abort();
    c += w, n -= (size_t)w;
  }
}

static void log_sync(void) {
  pthread_mutex_lock(&log_mu);
  log_put("S", 1);
  pthread_mutex_unlock(&log_mu);
}

static void log_write(int fd, const struct iovec *iov, int cnt, off_t off) {
  pthread_mutex_lock(&log_mu);
  for (int i = 0; i < cnt; ++i) {
    uint64_t o = (uint64_t)off, len = iov[i].iov_len;
    log_put("W", 1);
    log_put(&o, 8);
    log_put(&len, 8);
    log_put(iov[i].iov_base, len);
    off += (off_t)len;
  }
  pthread_mutex_unlock(&log_mu);
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0 && (fl & (O_DSYNC | O_SYNC))) log_sync();
}

/* Log to path from now on (NULL: stop logging). 0, or -1. */
API int trine_fault_log(const char *path) {
  pthread_mutex_lock(&log_mu);
  if (log_fd >= 0) close(log_fd);
  log_fd = path ? open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644) : -1;
  pthread_mutex_unlock(&log_mu);
  return path && log_fd < 0 ? -1 : 0;
}

/* Mark the log, e.g. with the number of the commit that just returned. */
API void trine_fault_mark(uint64_t n) {
  if (log_fd < 0) return;
  pthread_mutex_lock(&log_mu);
  log_put("M", 1);
  log_put(&n, 8);
  pthread_mutex_unlock(&log_mu);
}

/* ---- the calls ---- */

API ssize_t write(int fd, const void *buf, size_t n) {
  if (write_fault(fd, &n)) return -1;
  off_t off = logged(fd) ? lseek(fd, 0, SEEK_CUR) : -1;
  ssize_t w = real_write(fd, buf, n);
  if (w > 0 && off >= 0) log_write(fd, &(struct iovec){(void *)buf, (size_t)w}, 1, off);
  return w;
}

API ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) {
  if (write_fault(fd, &n)) return -1;
  ssize_t w = real_pwrite(fd, buf, n, off);
  if (w > 0 && logged(fd)) log_write(fd, &(struct iovec){(void *)buf, (size_t)w}, 1, off);
  return w;
}
API ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) __attribute__((alias("pwrite")));

/* The parts of iov written, w bytes of them, logged. */
static void log_iov(int fd, const struct iovec *iov, int cnt, off_t off, ssize_t w) {
  struct iovec part[64];
  int k = 0;
  for (int i = 0; i < cnt && w > 0 && k < 64; ++i) {
    size_t len = iov[i].iov_len < (size_t)w ? iov[i].iov_len : (size_t)w;
    part[k++] = (struct iovec){iov[i].iov_base, len};
    w -= (ssize_t)len;
  }
  log_write(fd, part, k, off);
}

/* A short write of a vector: half of its first part. */
static struct iovec half[1];

static int vec_fault(int fd, const struct iovec **iov, int *cnt) {
  size_t n = *cnt > 0 ? (*iov)[0].iov_len : 0, want = n;
  if (write_fault(fd, &n)) return -1;
  if (n != want) {
    half[0] = (struct iovec){(*iov)[0].iov_base, n};
    *iov = half;
    *cnt = 1;
  }
  return 0;
}

API ssize_t writev(int fd, const struct iovec *iov, int cnt) {
  if (vec_fault(fd, &iov, &cnt)) return -1;
  off_t off = logged(fd) ? lseek(fd, 0, SEEK_CUR) : -1;
  ssize_t w = real_writev(fd, iov, cnt);
  if (w > 0 && off >= 0) log_iov(fd, iov, cnt, off, w);
  return w;
}

API ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off) {
  if (vec_fault(fd, &iov, &cnt)) return -1;
  ssize_t w = real_pwritev(fd, iov, cnt, off);
  if (w > 0 && logged(fd)) log_iov(fd, iov, cnt, off, w);
  return w;
}
API ssize_t pwritev64(int fd, const struct iovec *iov, int cnt, off_t off)
    __attribute__((alias("pwritev")));

API int fsync(int fd) {
  if (ours(fd) && fault()) return -1;
  int rc = real_fsync(fd);
  if (!rc && logged(fd)) log_sync();
  return rc;
}

API int fdatasync(int fd) {
  if (ours(fd) && fault()) return -1;
  int rc = real_fdatasync(fd);
  if (!rc && logged(fd)) log_sync();
  return rc;
}

API int msync(void *addr, size_t len, int flags) {
  resolve();
  if (prefix_len && fault()) return -1;
  return real_msync(addr, len, flags);
}

API int ftruncate(int fd, off_t len) {
  if (ours(fd) && fault()) return -1;
  return real_ftruncate(fd, len);
}
API int ftruncate64(int fd, off_t len) __attribute__((alias("ftruncate")));

API void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t off) {
  if (!(flags & MAP_ANONYMOUS) && ours(fd) && fault()) return MAP_FAILED;
  return real_mmap(addr, len, prot, flags, fd, off);
}
API void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t off)
    __attribute__((alias("mmap")));
