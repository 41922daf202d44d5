/*
 * srx.h -- a reader of SPARQL Query Results XML (application/
 * sparql-results+xml), for SERVICE endpoints that answer XML: the rows of
 * a SELECT result handed over as srj.h's reader does. Only what the format
 * uses is read: elements, attributes, character and entity references,
 * CDATA; comments, processing instructions and DOCTYPE are skipped.
 */
#ifndef TRINE_SRX_H
#define TRINE_SRX_H

#include "srj.h"

/**
 * Read text[0..len) as SPARQL XML results (root element sparql). An ASK
 * result has no rows.
 * @return TRINE_OK, TRINE_ERR_SYNTAX (err holds "offset N: what is wrong"),
 *         TRINE_ERR_NOMEM, or the handler's status.
 */
TrineStatus srx_read(const char *text, size_t len, const SrjHandler *h, char *err,
                     size_t errsize);

#endif
