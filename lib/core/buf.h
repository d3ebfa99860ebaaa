/* buf — a growable byte buffer and the JSON text writers built on it.
 *
 * Contract: a struct buf owns its bytes; buf_free releases them. data is always
 * NUL-terminated (len excludes the NUL), so it can be handed to C string functions.
 * The json_* appenders write RFC 8259 text: strings escaped (control characters as
 * \uXXXX, invalid UTF-8 passed through byte for byte, as jq does on output),
 * numbers in the shortest form that reads back to the same double.
 * Ownership: string arguments are borrowed; nothing is retained.
 * Never ends the process (except out of memory).
 */
#ifndef PS_BUF_H
#define PS_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT           \
	{                  \
		NULL, 0, 0 \
	}

void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

void json_add_string(struct buf *b, const char *s);
void json_add_string_n(struct buf *b, const char *s, size_t n);
void json_add_int(struct buf *b, int64_t v);
/* Shortest round-trip form; non-finite values become null (JSON has no NaN). */
void json_add_double(struct buf *b, double v);
/* Fixed decimals, e.g. 3 -> "1.250"; trailing zeros kept so values line up. */
void json_add_fixed(struct buf *b, double v, int decimals);

#endif
