/* jsontext — a strict JSON syntax check, and the one door to libjq's parser.
 *
 * Contract: json_check accepts exactly the JSON texts of RFC 8259 (one value, optional
 * whitespace around it; no raw control characters in strings; no leading zeros, NaN or
 * comments) nested at most JSON_MAX_DEPTH deep, and says where the first problem is.
 * json_parse hands libjq only text that passed the check.
 *
 * Why: libjq 1.6's parser leaks memory on some invalid input (two values without a
 * separator, `["a" "b"]`, loses the second; fixed in jq 1.7) and reports other errors
 * in its own words. Every bad record, schema, rules file, model reply or cache entry
 * goes through here first, so jq's error paths are never taken and a hostile corpus of
 * a million bad lines costs no memory.
 *
 * Ownership: text is borrowed; json_parse returns a new jv (jq's rule: the caller
 * frees it), invalid with a message "PROBLEM at line L, column C" on bad text.
 * Never ends the process (except out of memory).
 */
#ifndef PS_JSONTEXT_H
#define PS_JSONTEXT_H

#include <stddef.h>
#include <jv.h>

/* libjq 1.6 refuses deeper nesting itself; we refuse it before it can. */
#define JSON_MAX_DEPTH 256

/* 0 when text[0..len) is one JSON value; else -1 with the problem in err. */
int json_check(const char *text, size_t len, char *err, size_t errlen);
jv json_parse(const char *text, size_t len);

/* Is s[0..len) valid UTF-8 (no overlongs, no surrogates)? */
int utf8_valid(const char *s, size_t len);

#endif
