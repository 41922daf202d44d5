/* status.c -- status code names and error formatting. */
#include "trine.h"

#include <stdio.h>

const char *trine_strerror(TrineStatus status) {
  switch (status) {
  case TRINE_OK: return "success";
  case TRINE_ROW: return "row available";
  case TRINE_DONE: return "no more rows";
  case TRINE_NOT_FOUND: return "not found";
  case TRINE_ERR_SYNTAX: return "syntax error";
  case TRINE_ERR_ARG: return "invalid argument";
  case TRINE_ERR_IO: return "input/output error";
  case TRINE_ERR_FULL: return "disk or map full";
  case TRINE_ERR_CORRUPT: return "store is corrupt or of another format";
  case TRINE_ERR_NOMEM: return "out of memory";
  case TRINE_ERR_BUSY: return "store is busy";
  case TRINE_ERR_READONLY: return "store is read-only";
  case TRINE_ERR_CANCELLED: return "cancelled";
  case TRINE_ERR_UNSUPPORTED: return "not supported";
  case TRINE_ERR_INTERNAL: return "internal error";
  case TRINE_ERR_DENIED: return "not allowed";
  }
  return "unknown status";
}

size_t trine_error_format(const TrineError *e, char *buf, size_t size) {
  if (!e) {
    if (buf && size) buf[0] = '\0';
    return 0;
  }
  const char *msg = e->message ? e->message : trine_strerror(e->status);
  int n;
  if (e->source && e->line && e->col)
    n = snprintf(buf, size, "%s:%u:%u: error: %s", e->source, e->line, e->col, msg);
  else if (e->source && e->line)
    n = snprintf(buf, size, "%s:%u: error: %s", e->source, e->line, msg);
  else if (e->source)
    n = snprintf(buf, size, "%s: error: %s", e->source, msg);
  else
    n = snprintf(buf, size, "error: %s", msg);
  return n < 0 ? 0 : (size_t)n;
}
