/* offline_probe — the offline provider's answers to probe questions, shaped by the persona.
 *
 * Part of offline (offline.h is the contract; offline_internal.h the shared helpers).
 * Ownership: every argument is borrowed; the text is appended to out.
 * Never ends the process (except out of memory).
 */
#ifndef PS_OFFLINE_PROBE_H
#define PS_OFFLINE_PROBE_H

#include "buf.h"
#include "offline_internal.h"
#include "rng.h"

/* A short first-person answer to question, from the persona's fields. */
void offline_probe_answer(struct rng *r, const struct person *p, const char *question, struct buf *out);

#endif
