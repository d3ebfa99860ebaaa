/* groupview — Egocentric Context Projection for a group of N participants, and its
 * baseline.
 *
 * A group dialogue (participants and an optional moderator) stores its history once,
 * neutrally, as a jv array of turns {"speaker": ID, "name": NAME, "text": TEXT}; ID is
 * a participant id or "moderator" (name "Moderator"). Before each call the history is
 * projected into the messages one participant, self, is sent (the moderator is asked
 * with self "moderator"). A turn is shown as the line "NAME: TEXT"; the lines of a
 * run of turns are joined by "\n" into one user message, because a chat has only two
 * roles and everyone else must share "user":
 *   CONTEXT_ECP     self's own system prompt, then self's own turns as role
 *                   "assistant" and, between them, everything the others said since
 *                   self's previous turn as ONE user message. Before self's first turn
 *                   all that was said so far is one user message (the kick-off,
 *                   CHAT_KICKOFF, when nothing was said yet), so self always sees
 *                   itself as the assistant and the group as its user;
 *   CONTEXT_CONCAT  the baseline, "CONCAT-N": the system prompt, then the whole shared
 *                   transcript so far as ONE user message of lines, whoever is asked
 *                   (fixed roles: nobody's turn is an assistant message, self is not
 *                   used), or the kick-off when nothing was said. It is what
 *                   TinyTroupe-style multi-agent tools do — one shared transcript
 *                   pasted into every agent's prompt — and the N-party form of the
 *                   CONCAT that SPASM measured against ECP, so the difference between
 *                   the two modes is the effect of the projection alone.
 * Every request keeps the chatshape invariant ([system] user (assistant user)*):
 *   - a view that starts with self's own turn (it opened) keeps the kick-off first;
 *   - a turn request whose last message is self's own (self is asked twice in a row)
 *     ends with the cue GROUPVIEW_CONTINUE as a user message;
 *   - a probe question is the last user message: after a blank line in the last
 *     message when that is a user message, else a message of its own (as in ecp);
 *   - the system prompt is a system message, or (SYSTEM_FIRST_USER) the top of the
 *     first user message.
 * Odd turns never fail: a text that is not a string is ""; NAME is the name when it is
 * a non-empty string, else the speaker id, and a turn with neither is its text alone;
 * a turn whose speaker is not a string is never self's. Texts are not re-indented: a
 * text with newlines spans several lines of the user message.
 * Cost: one request is O(upto) turns and O(size of their texts), built afresh.
 * Ownership: turns, system and question are borrowed; the request is appended to the
 * caller's buf.
 * Never ends the process (except out of memory).
 */
#ifndef PS_GROUPVIEW_H
#define PS_GROUPVIEW_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"
#include "chatshape.h"
#include "ecp.h"

#define GROUPVIEW_CONTINUE "(Continue the conversation: it is your turn again.)"

/* The request participant self is sent after the first upto turns of turns (all of
 * them when upto is larger; none when turns is not an array), as JSON array text
 * appended to out: a turn request when question is not a string, else a probe asking
 * it. system is a jv string (anything else: no system prompt). */
void groupview_request(enum context_mode mode, jv turns, size_t upto, const char *self, jv system,
		       enum system_placement placement, jv question, struct buf *out);

#endif
