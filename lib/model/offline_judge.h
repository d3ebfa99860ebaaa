/* offline_judge — the offline provider's the judges: plausibility and stop verdicts, and the role-failure audit.
 *
 * Part of offline (offline.h is the contract; offline_internal.h the shared helpers).
 * Ownership: every argument is borrowed; the text is appended to out.
 * Never ends the process (except out of memory).
 */
#ifndef PS_OFFLINE_JUDGE_H
#define PS_OFFLINE_JUDGE_H

#include "buf.h"
#include "offline_internal.h"
#include "rng.h"

/* The JSON verdict {"verdict", "reason"} for the judge prompt in c (plausibility or stop). */
void offline_judge_verdict(const struct chat *c, struct buf *out);
/* The role-failure audit of a numbered transcript ("N. client: text" lines): the first
 * client line that talks like a helper, by a phrase check. */
void offline_audit_verdict(const char *transcript, struct buf *out);

#endif
