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

#define ECP_KICKOFF "(The conversation starts now. Please begin.)"

enum context_mode { CONTEXT_ECP, CONTEXT_CONCAT };

/* The first upto turns, projected for the agent named self ("client"/"responder"). */
jv ecp_project(enum context_mode mode, jv turns, size_t upto, const char *self, const char *system);
jv ecp_message(const char *role, const char *content);

#endif
