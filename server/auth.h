/*
 * auth.h -- the bearer token that updates must present.
 */
#ifndef TRINE_AUTH_H
#define TRINE_AUTH_H

#include <stdbool.h>

/// The token in the first line of path (surrounding blanks cut), or NULL
/// with a message on stderr when the file cannot be read or is empty.
char *auth_read_token(const char *path);

/// Whether header (an Authorization value, may be NULL) is "Bearer TOKEN"
/// with this token. The token is compared in constant time, so that the
/// time taken does not tell how much of a guess was right.
bool auth_check(const char *token, const char *header);

#endif
