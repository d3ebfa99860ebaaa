/* jvutil — kind-checked access to jq's jv values.
 *
 * jq 1.6 asserts (aborts) when jv_object_get or jv_array_get is called on the wrong
 * kind. Every read of untrusted JSON in this project goes through these helpers,
 * which check the kind first.
 * Ownership: like jv itself, the functions consume their jv arguments unless the
 * name ends in _borrow, which leaves the argument untouched (the caller keeps it).
 * Returned jv values are new references the caller frees.
 * Never ends the process (except out of memory).
 */
#ifndef PS_JVUTIL_H
#define PS_JVUTIL_H

#include <jv.h>

#include "buf.h"

/* obj[key] if obj is an object and has key, else jv_invalid(). obj is borrowed. */
jv jvu_get_borrow(jv obj, const char *key);
/* The same with a key made once (a jv string, borrowed): jq keeps a string's hash
 * with it, so a key used for every record is hashed once, not once per lookup. */
jv jvu_get_key_borrow(jv obj, jv key);
/* Kind of obj[key] (JV_KIND_INVALID when absent or obj is not an object). */
jv_kind jvu_kind_borrow(jv obj, const char *key);
/* The kind's name for messages: "an object", "a string", ... */
const char *jvu_kind_name(jv_kind kind);
/* Set obj[key] = value when obj is an object (consumes both obj and value). */
jv jvu_set(jv obj, const char *key, jv value);
/* Append v as compact JSON, keys in insertion order like jq -c (v is borrowed).
 * Much faster than jv_dump_string in jq 1.6, whose string building is quadratic-ish
 * for long texts such as prompts and transcripts. */
void jvu_dump(jv v, struct buf *out);
/* Is this number an integer that a double represents exactly? */
int jvu_is_integer(double x);
/* A measured figure as JSON: x rounded to 6 decimals (a rounded -0 is written 0), or
 * null when x is not finite (not measurable). */
jv jvu_figure(double x);

#endif
