/* groupdialog — one group conversation (a focus group or panel of N personas, with or
 * without a moderator) as a state machine on the LLM engine, beside dialog.h's
 * two-party conversations and sharing their configuration, models, cache and probes.
 *
 * A group record is {"id", "participants": [persona records with "id", "description",
 * "fields" and a "name"], "topic"?, "guide"?: [question, ...]} (persona-group(1)).
 * Participants speak with the client model, each with its own system prompt (the
 * participant template: its name, description and style, who else is present, the
 * topic); the moderator and the speaker selector use the responder model.
 *
 * Rounds: in every round each participant speaks once, in an order the turn policy
 * sets; the conversation stops after max_rounds rounds ("max_rounds"), when the
 * moderator has walked the whole guide and closes ("guide_done"), or on an error.
 *   GROUP_ROUND_ROBIN  the participants in record order, every round;
 *   GROUP_RANDOM       a seeded random order per round;
 *   GROUP_ADDRESSED    a participant named (as a whole word) in the last turn speaks next
 *                      if they have not yet spoken this round, else the next in record
 *                      order who has not;
 *   GROUP_MODERATOR    the moderator speaks before every round — the guide's questions in
 *                      order (or, without a guide, an opening and follow-ups on the
 *                      topic), and a closing turn after the last — then the participants
 *                      as GROUP_ADDRESSED (whom the moderator names answers first);
 *   GROUP_SELECT       a selector call (responder model, counted as aux) names who speaks
 *                      next among those who have not spoken this round; an answer that
 *                      names nobody eligible falls back to record order.
 * Nobody speaks twice in a row unless allow_repeat (a new random round never starts
 * with the last speaker).
 * Each request is projected by groupview.h (ECP for N, or the CONCAT-N baseline), so
 * every request keeps chatshape's invariant. Probes are asked to every participant
 * before the first turn (the baseline) and after every probe_every rounds.
 * The record: {"id": "GROUP/INDEX", "group_id", "index", "topic", "participants":
 * [{"id","name","description","persona"}], "context", "turn_policy", "participant":
 * {model, temperature}, "moderator": {model, temperature} (with a moderator), "turns":
 * [{"speaker": participant id or "moderator", "name", "round", "text"}], "stop",
 * "probes": [{"participant", "after", "name", "answer"}], "usage": {"participants",
 * "moderator", "aux"}, "status"} — failed like a two-party conversation.
 * Ownership: group_start borrows the group record (copies what it keeps); the config
 * must outlive the conversation; done() owns the record it receives.
 * Never ends the process itself (except out of memory).
 */
#ifndef PS_GROUPDIALOG_H
#define PS_GROUPDIALOG_H

#include <stdint.h>
#include <jv.h>

#include "dialog.h"

enum group_policy { GROUP_ROUND_ROBIN, GROUP_RANDOM, GROUP_ADDRESSED, GROUP_MODERATOR, GROUP_SELECT };

extern const char *const group_policy_names[5];

struct names;

struct group_config {
	const struct dialog_config *base; /* models, context, probes, seed, temperatures */
	const struct names *names; /* for participants without a name (names.h) */
	enum group_policy policy;
	long max_rounds;
	int allow_repeat;
	const char *participant_prompt; /* {{name}} {{description}} {{style}} {{others}} {{topic}} */
	const char *moderator_prompt; /* {{topic}} {{participants}} {{guide}} */
	const char *select_prompt; /* {{participants}} {{transcript}} {{eligible}} */
};

/* Is this record a group (a "participants" array)? */
int group_is_group(jv record);
/* NULL, or why the record cannot be run as a group (for the rejects line). */
const char *group_invalid(jv record);
void group_start(const struct group_config *cfg, jv group, uint64_t index, dialog_done_fn done, void *ctx);

#endif
