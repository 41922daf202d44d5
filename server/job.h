/*
 * job.h -- one operation, run on a worker thread into a stream: a SPARQL
 * query or update, or another operation (a Graph Store request) whose
 * run function the job calls.
 */
#ifndef TRINE_JOB_H
#define TRINE_JOB_H

#include "protocol.h"
#include "server.h"
#include "stream.h"

typedef void (*JobRunFn)(Job *job);

struct Job {
  Server *srv;
  Stream *stream;            ///< a reference of the job's own
  Call call;                 ///< the SPARQL operation, when run is NULL
  JobRunFn run;              ///< else: the job's own operation
  void *op;                  ///< run's operation (owned: free_op frees it)
  void (*free_op)(void *op);
  char *accept;              ///< the Accept header, or NULL
  unsigned long long deadline_ms;
  TrineQuery *q;             ///< while it runs (guarded by srv->mu)
  Job *next;                 ///< in srv->running
};

/// A job for call (taken over: call is cleared) answering into stream.
Job *job_new(Server *srv, Stream *stream, Call *call, const char *accept,
             unsigned long long deadline_ms);

/// A job running run(job) on op, which it takes over (free_op frees it).
Job *job_new_op(Server *srv, Stream *stream, JobRunFn run, void *op, void (*free_op)(void *),
                const char *accept, unsigned long long deadline_ms);

/// Free a job that will not run.
void job_free(Job *j);

/// Run and free a job (a WorkerFn).
void job_run(void *job);

/// The first error the library reported for a job: a TrineErrorSink's ctx
/// (job_on_error). name is the source named in messages.
typedef struct {
  const char *name;
  bool set;
  TrineError err;
  char msg[1024];
} JobError;

/// The TrineErrorSink that keeps the first error in a JobError.
void job_on_error(void *ctx, const TrineError *e);

/// Answer the job's failure with status st: the error caught in c (may be
/// NULL), or the timeout, the stop or the client's leaving that caused it.
void job_fail(Job *j, TrineStatus st, const JobError *c);

/// Milliseconds left before the job's deadline (at least 1).
unsigned job_remaining_ms(const Job *j);

/// Take the server's write lock, giving up at the job's deadline; while
/// held, the store's busy callback gives up at that deadline too.
bool job_lock_writes(Job *j);
void job_unlock_writes(Job *j);

/// A running job that is not a query (no j->q) joins or leaves the list
/// job_cancel_all() aborts the streams of.
void job_track(Job *j, bool running);

/// Ask every running job's query to stop (the server is stopping).
void job_cancel_all(Server *srv);

/// The store's busy callback (TrineOptions.busy, ctx the Server): an
/// update waiting for another process's writer gives up at its deadline.
int job_busy(void *ctx, unsigned waited_ms);

#endif
