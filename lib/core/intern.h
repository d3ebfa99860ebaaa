/* intern — a set of strings stored once, so equal strings share one pointer.
 *
 * Contract: intern() returns the canonical copy of s (NUL-terminated); two calls with
 * equal bytes return the same pointer, so interned strings compare with ==.
 * Ownership: the table owns every canonical copy; they live until intern_free.
 * Arguments are borrowed.
 * Never ends the process (except out of memory).
 */
#ifndef PS_INTERN_H
#define PS_INTERN_H

#include <stddef.h>

struct intern;

struct intern *intern_new(void);
const char *intern(struct intern *t, const char *s, size_t len);
const char *intern_str(struct intern *t, const char *s);
/* The canonical copy if present, else NULL (never inserts). */
const char *intern_find(const struct intern *t, const char *s, size_t len);
size_t intern_count(const struct intern *t);
void intern_free(struct intern *t);

#endif
