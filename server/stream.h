/*
 * stream.h -- a response written by a worker while libmicrohttpd sends it.
 *
 * A job writes the result through a FILE into a bounded buffer. While the
 * buffer has not filled, nothing is sent: a result that fits, or an error,
 * is answered whole with its own status. Once it fills, the response
 * starts (200, chunked) and the job waits for the client to take data;
 * an error after that point ends the chunked body without its last chunk,
 * so that clients see a broken transfer, never a silently short result.
 *
 * Three owners hold a stream: the HTTP request, the job and, once sending,
 * the response. The HTTP connection is suspended while it waits for data
 * and resumed by the writer.
 */
#ifndef TRINE_STREAM_H
#define TRINE_STREAM_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

typedef struct Stream Stream;

/// A stream for conn; a writer waits for the client until deadline_ms
/// (serve_now_ms() time). One reference, the caller's.
Stream *stream_new(struct MHD_Connection *conn, unsigned long long deadline_ms);
void stream_ref(Stream *s);
void stream_unref(Stream *s);

/* The job's side. */

/// The status and Content-Type (a static string, or NULL for none: a 204)
/// of a successful reply.
void stream_head(Stream *s, unsigned status, const char *content_type);
/// A Location header for the reply (copied; false when out of memory).
bool stream_location(Stream *s, const char *iri);
/// A FILE whose writes go to the stream (fclose it before finishing).
FILE *stream_file(Stream *s);
/// fn(ctx) runs once on the writer's thread when the reply is complete or
/// failed (stream_finish, stream_fail), before its end can reach the client.
void stream_on_end(Stream *s, void (*fn)(void *ctx), void *ctx);
/// The reply is complete: rows is for the access log.
void stream_finish(Stream *s, uint64_t rows);
/// Rows written so far, for the access log of a reply that fails.
void stream_rows(Stream *s, uint64_t rows);
/// The reply failed: an error reply with this status and message when
/// nothing was sent yet, else a broken transfer. message is copied.
void stream_fail(Stream *s, unsigned status, const char *message);
/// Whether the request's client is gone (nothing more will be sent).
bool stream_closed(Stream *s);
/// Make the writer's next and waiting writes fail (the server stops).
void stream_abort(Stream *s);

/* The HTTP side. */

/// Suspend the connection until the reply is ready; false when it already is.
bool stream_park(Stream *s);
/// The response to queue once ready, and its status in *status.
struct MHD_Response *stream_response(Stream *s, unsigned *status);
/// The request ended (sent, failed or dropped): wake a waiting writer.
void stream_close(Stream *s);
/// For the log: rows written and whether the reply broke off mid-way.
void stream_outcome(Stream *s, uint64_t *rows, bool *broken);

#endif
