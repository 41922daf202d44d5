/*
 * server.h -- what the modules of `trine serve` share: its configuration
 * and the state of the running server.
 *
 * The server is built on the public API (trine.h) and libmicrohttpd only.
 * Its modules:
 *   serve.c     options, the store, signals and an orderly stop
 *   http.c      the HTTP daemon: routes, methods, bodies, the access log
 *   protocol.c  a request's SPARQL operation and dataset from its HTTP form
 *   negotiate.c the result format from the Accept header
 *   dataset.c   protocol datasets as FROM / USING clauses; LOAD detection
 *   graphstore.c the Graph Store HTTP Protocol at /store
 *   describe.c  the service description at GET /sparql
 *   job.c       running one operation on a worker thread
 *   workers.c   the fixed pool of worker threads
 *   stream.c    the bounded buffer between a job and its HTTP response
 *   auth.c      the bearer token, compared in constant time
 *   page.c      the query page at / and its compiled-in files (assets/)
 */
#ifndef TRINE_SERVER_H
#define TRINE_SERVER_H

#include "trine.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/// What `trine serve` was asked to do.
typedef struct {
  const char *store_path;
  const char *bind;       ///< address to listen on (default 127.0.0.1)
  unsigned port;          ///< 0: any free port (printed on stderr)
  unsigned timeout_ms;    ///< per request: the query is cancelled after it
  unsigned workers;       ///< requests run at once; more get 503
  size_t max_body;        ///< bytes of a request body; more get 413
  size_t memory_limit;    ///< bytes for one query's intermediate results (0: 1 GiB)
  bool allow_update;      ///< accept SPARQL Update (with the token)
  bool allow_load;        ///< accept LOAD in updates (reads server files)
  char *token;            ///< bearer token for updates (from --token-file)
  const char *cors;       ///< Access-Control-Allow-Origin, or NULL: no CORS
  const char *base;       ///< base IRI of requests
  bool quiet;             ///< no access log
  const char **service_allow; ///< endpoint prefixes SERVICE may call (--service-allow; owned)
  size_t nservice_allow;
} ServeConfig;

typedef struct Workers Workers;
typedef struct Job Job;
struct MHD_Daemon;

/// The state every request shares.
typedef struct {
  ServeConfig cfg;
  TrineStore *store;
  Workers *workers;
  struct MHD_Daemon *daemon;
  int listen_fd;             ///< until quiesced: then ours to close
  char root[160];            ///< http://ADDR:PORT/ (or --base's): graph store IRIs start here
  pthread_mutex_t write_mu;  ///< updates run one at a time
  pthread_mutex_t mu;        ///< guards active and running
  pthread_cond_t idle;       ///< signalled when active drops
  unsigned active;           ///< requests between arrival and completion
  Job *running;              ///< jobs on a worker, for a cancel at stop
  atomic_bool stopping;
} Server;

/// Milliseconds on the monotonic clock.
unsigned long long serve_now_ms(void);

#endif
