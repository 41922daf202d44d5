/*
 * input.h -- the bytes a load reads: a file, a memory buffer or a caller's
 * read callback, each plain or gzip-compressed.
 *
 * Files go through zlib's gzread (which passes plain files through); a
 * buffer or a callback is inflated here when it starts with gzip's magic
 * bytes, member after member. An input counts the bytes it took from its
 * source (compressed ones for gzip), which is what progress reports
 * against the source's size.
 */
#ifndef TRINE_INPUT_H
#define TRINE_INPUT_H

#include "trine.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef struct Input Input;

/// Open file path. NULL with errno set when it cannot be opened (ENOMEM too).
Input *input_file(const char *path);

/// An input over len bytes at data, which must outlive it; NULL: no memory.
Input *input_buffer(const void *data, size_t len);

/// An input pulling from fn (see TrineReadFn), of total bytes when known
/// (else 0); NULL: no memory.
Input *input_callback(TrineReadFn fn, void *ctx, uint64_t total);

/// Up to cap bytes of (decompressed) input: the count, 0 at the end, -1 on
/// an error (input_error() says which).
ssize_t input_read(Input *in, char *buf, size_t cap);

/// Start over from the first byte; false when the source cannot (a callback).
bool input_rewind(Input *in);

/// Bytes taken from the source so far, and its size (0: unknown).
uint64_t input_position(const Input *in);
uint64_t input_total(const Input *in);

/// What the last failed input_read() met.
const char *input_error(const Input *in);

/// Close the input (a file) and free it. Accepts NULL.
void input_free(Input *in);

#endif
