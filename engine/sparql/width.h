/*
 * width.h -- how many terminal columns UTF-8 text takes, for the aligned
 * results of results.c and trine_text_width(). The table is built in
 * (width_table.h) so the library gives the same answer in every locale.
 */
#ifndef TRINE_WIDTH_H
#define TRINE_WIDTH_H

#include <stddef.h>
#include <stdint.h>

/// Columns code point cp takes: 0 (combining, format, control), 1 or 2.
unsigned width_cp(uint32_t cp);

/// Bytes of the longest start of s[0..n) that fits in cols columns; the
/// zero-width marks after its last character stay with it. *used gets
/// the columns it takes.
size_t width_prefix(const char *s, size_t n, size_t cols, size_t *used);

/// Offset of the longest end of s[0..n) that fits in cols columns and
/// does not start with a zero-width mark cut from its character. *used
/// gets the columns it takes.
size_t width_suffix(const char *s, size_t n, size_t cols, size_t *used);

#endif
