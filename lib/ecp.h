/* ecp — Egocentric Context Projection (SPASM) and its ablation baseline.
 *
 * The dialogue history is stored once, neutrally, as {"speaker","text"} turns. Before
 * each call it is projected into the messages one agent is sent:
 *   CONTEXT_ECP     the agent's own system prompt, then every turn from its own point of
 *                   view: its own turns as role "assistant", the partner's as "user" —
 *                   so every agent always sees itself as the assistant and the request
 *                   ends with a "user" message;
 *   CONTEXT_CONCAT  the baseline: the agent's own system prompt, then one shared
 *                   transcript in fixed absolute roles — client turns always "user",
 *                   responder turns always "assistant" — whoever is asked.
 * With no turns yet (the agent opens), a short neutral kick-off user message stands in,
 * the same for both agents and both modes.
 * Ownership: turns and strings are borrowed; the result is a new jv array.
 */
#ifndef PS_ECP_H
#define PS_ECP_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"

#define ECP_KICKOFF "(The conversation starts now. Please begin.)"

enum context_mode { CONTEXT_ECP, CONTEXT_CONCAT };

/* The first upto turns, projected for the agent named self ("client"/"responder").
 * system is a jv string (borrowed): texts are shared by reference, never copied, so
 * projecting a long conversation for every call stays cheap. */
jv ecp_project(enum context_mode mode, jv turns, size_t upto, const char *self, jv system);
/* {"role": role, "content": content}; content is consumed. */
jv ecp_message(const char *role, jv content);

/* The same projection kept incrementally as JSON text, one view per agent: each turn
 * is serialized once when it is added, so a request costs a copy of the text, not a
 * re-serialization of the whole history (what makes 256 conversations in flight
 * cheap). ecp_view_messages gives exactly the JSON text of ecp_project's array. */
struct ecp_view {
	struct buf system;      /* the serialized system message */
	struct buf turns;       /* ",{...}" for every turn so far, in this agent's roles */
	size_t nturns;
};

void ecp_view_init(struct ecp_view *v, jv system);
void ecp_view_add(struct ecp_view *v, enum context_mode mode, const char *self, const char *speaker, jv text);
/* [system, turns..., kick-off if there are no turns and kickoff is set, extra_user if
 * not NULL] as a JSON array text, appended to out. */
void ecp_view_messages(const struct ecp_view *v, int kickoff, jv extra_user, struct buf *out);
void ecp_view_free(struct ecp_view *v);

#endif
