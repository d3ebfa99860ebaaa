/* offline_group — the offline provider's group conversation: participants, the
 * moderator and the speaker selector, read from the prompts of share/prompts/group-*.
 *
 * Part of offline (offline.h is the contract; offline_internal.h the shared helpers).
 * The participant's name comes from "Your name is NAME." in its system text, the others
 * from "Also here: ...", the moderator's participants and topic from "Participants:"
 * and "Topic:", the selector's choices from "Eligible to speak next:". A participant
 * answers whoever named it, else reacts to the last speaker by name, with an opinion
 * shaped by its persona, and sometimes asks another participant; the moderator walks
 * the guide its instruction names, follows up by name, and closes when told.
 * Ownership: every argument is borrowed; the text is appended to out.
 * Never ends the process (except out of memory).
 */
#ifndef PS_OFFLINE_GROUP_H
#define PS_OFFLINE_GROUP_H

#include "buf.h"
#include "offline_internal.h"
#include "rng.h"

void offline_participant_turn(struct rng *r, const struct person *p, const struct chat *c, struct buf *out);
void offline_moderator_turn(struct rng *r, const struct chat *c, struct buf *out);
void offline_select(struct rng *r, const struct chat *c, struct buf *out);

#endif
