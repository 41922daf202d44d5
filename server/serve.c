/*
 * serve.c -- `trine serve STORE`: options, the store, and the server's
 * life from start to an orderly stop on SIGINT or SIGTERM.
 */
#include "serve.h"
#include "server.h"

#include "auth.h"
#include "http.h"
#include "job.h"
#include "workers.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: trine serve STORE [OPTIONS]\n"
    "\n"
    "Serve the trine store in directory STORE (which must exist) as a SPARQL 1.1\n"
    "Protocol endpoint: queries and updates at /sparql (its service description\n"
    "at /sparql with no parameters), the Graph Store HTTP Protocol at /store\n"
    "(?graph=IRI, ?default, /store/PATH, or /store for the whole dataset), a query\n"
    "page at /, a liveness check at /health. Read-only unless --allow-update is given.\n"
    "\n"
    "Options:\n"
    "      --bind ADDR        listen on this address (default 127.0.0.1;\n"
    "                         0.0.0.0 or :: listen on every interface)\n"
    "      --port N           TCP port (default 7878; 0: any free port)\n"
    "      --timeout SECONDS  cancel a request running longer (default 30)\n"
    "      --workers N        requests run at once; more are answered 503\n"
    "                         (default 4)\n"
    "      --max-body BYTES   largest request body, with K, M or G (default 8M);\n"
    "                         larger ones are answered 413\n"
    "      --memory-limit BYTES  memory for one query's intermediate results,\n"
    "                         with K, M or G (default 1G); past it the query\n"
    "                         fails with 507\n"
    "      --allow-update     accept SPARQL Update requests and Graph Store writes\n"
    "                         (PUT, POST, DELETE); they must carry\n"
    "                         'Authorization: Bearer TOKEN'\n"
    "      --token-file FILE  the TOKEN, the first line of FILE (needed by\n"
    "                         --allow-update)\n"
    "      --allow-load       accept LOAD <file:...> in updates: it reads files\n"
    "                         of the server's machine (refused by default)\n"
    "      --cors ORIGIN      send Access-Control-Allow-Origin: ORIGIN (* for any);\n"
    "                         no CORS headers without it\n"
    "      --base IRI         base IRI of requests (default http://ADDR:PORT/sparql);\n"
    "                         its scheme and authority start the IRIs of the\n"
    "                         service description and of the graphs /store/PATH\n"
    "      --service-allow URL-PREFIX  let queries call the SPARQL endpoints whose\n"
    "                         IRI starts with URL-PREFIX with SERVICE (repeatable;\n"
    "                         none by default: SERVICE is refused)\n"
    "      --quiet            no access log (one line per request on stderr)\n"
    "  -h, --help             show this help and exit\n"
    "\n"
    "SIGINT or SIGTERM stop the server: it stops accepting, lets running requests\n"
    "finish within the timeout, cancels the rest and closes the store.\n";

unsigned long long serve_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000;
}

static int usage_error(const char *msg, const char *arg) {
  fprintf(stderr, "trine serve: %s%s\nTry 'trine serve --help' for more information.\n", msg,
          arg ? arg : "");
  return 2;
}

/* A count with an optional K, M or G suffix; false when malformed. */
static bool parse_size(const char *s, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || errno || *s == '-') return false;
  const char *units = "KkMmGg", *u = *end ? strchr(units, *end) : NULL;
  unsigned long long mult = u ? 1ull << (10 * (1 + (u - units) / 2)) : 1;
  if (mult > 1) end++;
  if (*end || v > SIZE_MAX / mult) return false;
  *out = (size_t)(v * mult);
  return true;
}

enum { OPT_BIND = 256, OPT_PORT, OPT_TIMEOUT, OPT_WORKERS, OPT_MAX_BODY, OPT_MEMORY_LIMIT, OPT_ALLOW_UPDATE,
       OPT_TOKEN_FILE, OPT_ALLOW_LOAD, OPT_CORS, OPT_BASE, OPT_QUIET, OPT_SERVICE_ALLOW };

/* One option into cfg; 0, or 2 after a usage message, or -1 for --help. */
static int take_option(ServeConfig *cfg, int c, const char **token_file) {
  size_t n;
  char *end;
  switch (c) {
  case OPT_BIND: cfg->bind = optarg; return 0;
  case OPT_PORT:
    if (!parse_size(optarg, &n) || n > 65535) return usage_error("--port takes 0 to 65535, not ", optarg);
    cfg->port = (unsigned)n;
    return 0;
  case OPT_TIMEOUT: {
    double s = strtod(optarg, &end);
    if (*end || end == optarg || !(s >= 0.001 && s <= 86400))
      return usage_error("--timeout takes seconds (0.001 to 86400), not ", optarg);
    cfg->timeout_ms = (unsigned)(s * 1000 + 0.5);
    return 0;
  }
  case OPT_WORKERS:
    if (!parse_size(optarg, &n) || n < 1 || n > 1024) return usage_error("--workers takes 1 to 1024, not ", optarg);
    cfg->workers = (unsigned)n;
    return 0;
  case OPT_MAX_BODY:
    if (!parse_size(optarg, &n) || n < 1) return usage_error("--max-body takes a size such as 8M, not ", optarg);
    cfg->max_body = n;
    return 0;
  case OPT_MEMORY_LIMIT:
    if (!parse_size(optarg, &n) || n < 1) return usage_error("--memory-limit takes a size such as 512M, not ", optarg);
    cfg->memory_limit = n;
    return 0;
  case OPT_ALLOW_UPDATE: cfg->allow_update = true; return 0;
  case OPT_TOKEN_FILE: *token_file = optarg; return 0;
  case OPT_ALLOW_LOAD: cfg->allow_load = true; return 0;
  case OPT_CORS: cfg->cors = optarg; return 0;
  case OPT_BASE: cfg->base = optarg; return 0;
  case OPT_QUIET: cfg->quiet = true; return 0;
  case OPT_SERVICE_ALLOW:
    if (strncmp(optarg, "http://", 7) && strncmp(optarg, "https://", 8))
      return usage_error("--service-allow takes an http:// or https:// IRI prefix, not ", optarg);
    cfg->service_allow[cfg->nservice_allow++] = optarg;
    return 0;
  case 'h': return -1;
  default: return usage_error("unknown option", NULL);
  }
}

/* The command line into cfg; 0, an exit status, or -1 for --help. */
static int parse_args(int argc, char **argv, ServeConfig *cfg) {
  static const struct option longopts[] = {
      {"bind", required_argument, NULL, OPT_BIND},
      {"port", required_argument, NULL, OPT_PORT},
      {"timeout", required_argument, NULL, OPT_TIMEOUT},
      {"workers", required_argument, NULL, OPT_WORKERS},
      {"max-body", required_argument, NULL, OPT_MAX_BODY},
      {"memory-limit", required_argument, NULL, OPT_MEMORY_LIMIT},
      {"allow-update", no_argument, NULL, OPT_ALLOW_UPDATE},
      {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
      {"allow-load", no_argument, NULL, OPT_ALLOW_LOAD},
      {"cors", required_argument, NULL, OPT_CORS},
      {"base", required_argument, NULL, OPT_BASE},
      {"quiet", no_argument, NULL, OPT_QUIET},
      {"service-allow", required_argument, NULL, OPT_SERVICE_ALLOW},
      {"help", no_argument, NULL, 'h'},
      {NULL, 0, NULL, 0}};
  *cfg = (ServeConfig){.bind = "127.0.0.1", .port = 7878, .timeout_ms = 30000, .workers = 4,
                       .max_body = 8u << 20,
                       .service_allow = calloc((size_t)argc + 1, sizeof(char *))};
  if (!cfg->service_allow) return usage_error("out of memory", NULL);
  const char *token_file = NULL;
  int c, rc;
  optind = 1;
  while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1)
    if ((rc = take_option(cfg, c, &token_file)) != 0) return rc;
  if (optind != argc - 1) return usage_error(optind < argc ? "one STORE only" : "missing STORE", NULL);
  cfg->store_path = argv[optind];
  if (cfg->allow_load && !cfg->allow_update) return usage_error("--allow-load needs --allow-update", NULL);
  if (cfg->allow_update && !token_file)
    return usage_error("--allow-update needs --token-file: updates must carry the token", NULL);
  if (token_file && !cfg->allow_update) return usage_error("--token-file is for --allow-update", NULL);
  if (token_file && !(cfg->token = auth_read_token(token_file))) return 1;
  return 0;
}

/* Wait until no request is in flight, or until deadline_ms. */
static void wait_idle(Server *srv, unsigned long long deadline_ms) {
  pthread_mutex_lock(&srv->mu);
  while (srv->active && serve_now_ms() < deadline_ms) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 50 * 1000000L;
    if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
    pthread_cond_timedwait(&srv->idle, &srv->mu, &ts);
  }
  pthread_mutex_unlock(&srv->mu);
}

/* Stop accepting, let requests finish within the timeout, cancel the rest,
 * and join the workers: their jobs resume every suspended connection,
 * which libmicrohttpd needs before it stops. */
static void stop(Server *srv) {
  atomic_store(&srv->stopping, true);
  http_quiesce(srv);
  wait_idle(srv, serve_now_ms() + srv->cfg.timeout_ms);
  job_cancel_all(srv);
  workers_stop(srv->workers);
  srv->workers = NULL;
  wait_idle(srv, serve_now_ms() + 2000); /* the last replies go out */
  http_stop(srv);
}

static TrineStatus open_store(Server *srv) {
  TrineOptions o = {.flags = TRINE_OPEN_NOCREATE | (srv->cfg.allow_update ? 0 : TRINE_OPEN_READONLY),
                    .busy = job_busy, .busy_ctx = srv};
  TrineStatus st = trine_store_open(srv->cfg.store_path, &o, &srv->store);
  if (st == TRINE_NOT_FOUND)
    fprintf(stderr, "trine serve: no store at %s (make one with: trine %s '.load FILE')\n",
            srv->cfg.store_path, srv->cfg.store_path);
  else if (st)
    fprintf(stderr, "trine serve: %s\n", trine_open_errmsg());
  return st;
}

/* The server's root, where the endpoint's and the graph store's IRIs
 * start: the scheme and authority of --base (the server may be behind a
 * proxy), else the address it listens on. */
static void set_root(Server *srv, const char *url) {
  const char *base = srv->cfg.base, *sep = base ? strstr(base, "://") : NULL;
  size_t n = sep ? (size_t)(sep + 3 - base) + strcspn(sep + 3, "/?#") : 0;
  if (sep && n + 2 <= sizeof srv->root)
    snprintf(srv->root, sizeof srv->root, "%.*s/", (int)n, base);
  else
    snprintf(srv->root, sizeof srv->root, "%s", url);
}

/* Listen, start the workers and the HTTP daemon; false on failure. */
static bool start(Server *srv, char **base) {
  int fd = http_listen(srv->cfg.bind, &srv->cfg.port);
  if (fd < 0) return false;
  bool v6 = strchr(srv->cfg.bind, ':') != NULL;
  char url[128];
  snprintf(url, sizeof url, "http://%s%s%s:%u/", v6 ? "[" : "", srv->cfg.bind, v6 ? "]" : "",
           srv->cfg.port);
  set_root(srv, url);
  if (!srv->cfg.base) {
    if (asprintf(base, "%ssparql", url) < 0) *base = NULL;
    srv->cfg.base = *base;
  }
  if (!(srv->workers = workers_start(srv->cfg.workers, job_run))) {
    fprintf(stderr, "trine serve: cannot start the worker threads\n");
    close(fd);
    return false;
  }
  if (!http_start(srv, fd)) return false;
  fprintf(stderr, "trine serve: listening on %s (%s), store %s\n", url,
          srv->cfg.allow_update ? "updates allowed with the token" : "read-only",
          srv->cfg.store_path);
  return true;
}

int serve_main(int argc, char **argv) {
  Server srv = {.listen_fd = -1};
  int rc = parse_args(argc, argv, &srv.cfg);
  if (rc < 0) {
    fputs(usage_text, stdout);
    return 0;
  }
  if (rc) return rc;
  /* Signals are taken by sigwait() here, never by the other threads. */
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  signal(SIGPIPE, SIG_IGN);
  pthread_mutex_init(&srv.write_mu, NULL);
  pthread_mutex_init(&srv.mu, NULL);
  pthread_cond_init(&srv.idle, NULL);
  char *base = NULL;
  rc = 1;
  if (open_store(&srv) == TRINE_OK && start(&srv, &base)) {
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "trine serve: %s: stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    rc = 0;
  }
  stop(&srv);
  if (srv.store && trine_store_close(srv.store) != TRINE_OK) {
    fprintf(stderr, "trine serve: the store did not close: %s\n", trine_store_errmsg(srv.store));
    rc = 1;
  } else if (rc == 0) {
    fprintf(stderr, "trine serve: stopped, store closed\n");
  }
  pthread_cond_destroy(&srv.idle);
  pthread_mutex_destroy(&srv.mu);
  pthread_mutex_destroy(&srv.write_mu);
  free(srv.cfg.token);
  free(srv.cfg.service_allow);
  free(base);
  return rc;
}
