/*
 * describe.h -- the SPARQL 1.1 Service Description of the endpoint, the
 * answer to a GET of /sparql with no parameters (SPARQL 1.1 Protocol 2.1,
 * Service Description 2).
 */
#ifndef TRINE_DESCRIBE_H
#define TRINE_DESCRIBE_H

#include "server.h"

/**
 * The description of the endpoint at endpoint (an absolute IRI that can be
 * written between < and >) under configuration cfg, as Turtle (turtle) or
 * N-Triples. Returns a malloc'd text and its length in *len, or NULL when
 * out of memory.
 */
char *describe_service(const ServeConfig *cfg, const char *endpoint, bool turtle, size_t *len);

#endif
