/* offline_client — the offline provider's the simulated person: the opening, middle turns coloured by mood and detail,
 * and the closing turn, which depends only on (seed, persona).
 *
 * Part of offline (offline.h is the contract; offline_internal.h the shared helpers).
 * Ownership: every argument is borrowed; the text is appended to out.
 * Never ends the process (except out of memory).
 */
#ifndef PS_OFFLINE_CLIENT_H
#define PS_OFFLINE_CLIENT_H

#include "buf.h"
#include "offline_internal.h"
#include "rng.h"

/* The person's next turn in c (their own turns are "assistant"); from their closing
 * turn on, a thank-you and goodbye. */
void offline_client_turn(struct rng *r, const struct person *p, const struct chat *c, uint64_t seed, struct buf *out);

#endif
