/*
 * job.h -- one SPARQL operation, run on a worker thread into a stream.
 */
#ifndef TRINE_JOB_H
#define TRINE_JOB_H

#include "protocol.h"
#include "server.h"
#include "stream.h"

struct Job {
  Server *srv;
  Stream *stream;            ///< a reference of the job's own
  Call call;
  char *accept;              ///< the Accept header, or NULL
  unsigned long long deadline_ms;
  TrineQuery *q;             ///< while it runs (guarded by srv->mu)
  Job *next;                 ///< in srv->running
};

/// A job for call (taken over: call is cleared) answering into stream.
Job *job_new(Server *srv, Stream *stream, Call *call, const char *accept,
             unsigned long long deadline_ms);

/// Free a job that will not run.
void job_free(Job *j);

/// Run and free a job (a WorkerFn).
void job_run(void *job);

/// Ask every running job's query to stop (the server is stopping).
void job_cancel_all(Server *srv);

/// The store's busy callback (TrineOptions.busy, ctx the Server): an
/// update waiting for another process's writer gives up at its deadline.
int job_busy(void *ctx, unsigned waited_ms);

#endif
