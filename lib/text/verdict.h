/* verdict — reading a judge model's structured answer.
 *
 * Judges (plausibility, stop, audit) are asked for a compact JSON object such as
 * {"verdict": true, "reason": "..."}. Models wrap it in prose or ``` fences, so
 * verdict_parse looks for the first {...} object in the answer that parses, then reads
 * the boolean under key (e.g. "verdict") and the "reason" string. Anything else — no
 * object, no boolean — is unparseable, and callers must never treat it as a yes.
 * Ownership: answer is borrowed; *object (when asked for) is a new jv reference.
 * Never ends the process (except out of memory).
 */
#ifndef PS_VERDICT_H
#define PS_VERDICT_H

#include <jv.h>

#include "buf.h"

/* The first balanced {...} of answer that parses as a JSON object (prose and ``` fences
 * around it are skipped), or jv_invalid() when there is none. */
jv verdict_first_object(const char *answer);
/* 1 or 0 for the verdict, -1 when unparseable; the reason is appended to reason. */
int verdict_parse(const char *answer, const char *key, struct buf *reason, jv *object);

#endif
