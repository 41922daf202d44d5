/*
 * http.h -- the HTTP side of `trine serve`, on libmicrohttpd: a pool of
 * threads polls the connections; routes are / (the query page), /health
 * and /sparql; SPARQL operations go to the worker pool.
 */
#ifndef TRINE_HTTP_H
#define TRINE_HTTP_H

#include "server.h"

/// A listening TCP socket on addr:port (port 0: any free one, written to
/// *port). Returns the descriptor, or -1 with a message on stderr.
int http_listen(const char *addr, unsigned *port);

/// Serve on the listening socket fd (taken over). false on failure.
bool http_start(Server *srv, int fd);

/// Stop accepting connections; the ones open go on.
void http_quiesce(Server *srv);

/// Close every connection and stop the daemon's threads.
void http_stop(Server *srv);

#endif
