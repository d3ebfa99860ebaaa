/* offline_responder — the offline provider's the responder: peer, counsellor, tutor or support, as its system text says.
 *
 * Part of offline (offline.h is the contract; offline_internal.h the shared helpers).
 * Ownership: every argument is borrowed; the text is appended to out.
 * Never ends the process (except out of memory).
 */
#ifndef PS_OFFLINE_RESPONDER_H
#define PS_OFFLINE_RESPONDER_H

#include "buf.h"
#include "offline_internal.h"
#include "rng.h"

/* The responder's next turn in c: an opening, a reply quoting the client, or a farewell. */
void offline_responder_turn(struct rng *r, const struct chat *c, struct buf *out);

#endif
