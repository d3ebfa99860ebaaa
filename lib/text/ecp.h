/* ecp — Egocentric Context Projection (SPASM) and its ablation baseline.
 *
 * The dialogue history is stored once, neutrally, as {"speaker","text"} turns. Before
 * each call it is projected into the messages one agent is sent:
 *   CONTEXT_ECP     the agent's own system prompt, then every turn from its own point of
 *                   view: its own turns as role "assistant", the partner's as "user" —
 *                   so every agent always sees itself as the assistant;
 *   CONTEXT_CONCAT  the baseline: the agent's own system prompt, then one shared
 *                   transcript in fixed absolute roles — client turns always "user",
 *                   responder turns always "assistant" — whoever is asked.
 * Every request is then shaped by chatshape so that every chat template accepts it
 * ([system] user (assistant user)*):
 *   - a view that starts with the agent's own turn (it opened) keeps the neutral
 *     kick-off user message (ECP_KICKOFF) first for the whole conversation; with no
 *     turns yet the kick-off alone stands in;
 *   - a turn request whose last message is the asked agent's own (the client under
 *     CONCAT) ends with the cue ECP_CONTINUE as a user message;
 *   - a probe question is the last user message: after a blank line in the last
 *     message when that is a user message (ECP: the partner's last turn), else a
 *     message of its own;
 *   - the system prompt is a system message, or (SYSTEM_FIRST_USER) the top of the
 *     first user message.
 * Ownership: turns and strings are borrowed; requests are appended to the caller's buf.
 * Never ends the process (except out of memory).
 */
#ifndef PS_ECP_H
#define PS_ECP_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"
#include "chatshape.h"

#define ECP_KICKOFF CHAT_KICKOFF
#define ECP_CONTINUE "(Continue the conversation: write the user's next message.)"

enum context_mode { CONTEXT_ECP, CONTEXT_CONCAT };

/* The role of a turn by speaker in the view of the agent named self ("client"/"responder"). */
enum chat_role ecp_role(enum context_mode mode, const char *self, const char *speaker);

/* The request of the agent named self after the first upto turns, as JSON array text:
 * a turn request when question is not a string, else a probe asking it. system is a
 * jv string. The reference for ecp_view, built from the turns every time. */
void ecp_request(enum context_mode mode, jv turns, size_t upto, const char *self, jv system,
		 enum system_placement placement, jv question, struct buf *out);

/* The same projection kept incrementally as JSON text, one view per agent: each turn
 * is serialized once when it is added, so a request costs a copy of the text, not a
 * re-serialization of the whole history (what makes 256 conversations in flight
 * cheap). ecp_view_request gives exactly the text of ecp_request. */
struct ecp_view {
	jv system;
	enum system_placement placement;
	struct chat_opening opening; /* the system text, escaped once */
	struct buf turns; /* ",{...}" for every turn so far, in this agent's roles */
	size_t nturns;
	size_t first_end; /* offset in turns just after the first turn */
	size_t last_start; /* offset in turns of the last turn */
	enum chat_role first_role, last_role;
	jv first_text, last_text;
};

void ecp_view_init(struct ecp_view *v, jv system, enum system_placement placement);
void ecp_view_add(struct ecp_view *v, enum context_mode mode, const char *self, const char *speaker, jv text);
void ecp_view_request(const struct ecp_view *v, jv question, struct buf *out);
void ecp_view_free(struct ecp_view *v);

#endif
