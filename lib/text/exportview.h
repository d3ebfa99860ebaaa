/* exportview — one conversation as training examples: the view of one of its two
 * agents, in the shape of chatshape, ending with that agent's own message.
 *
 * A training example is a chat that teaches a model to speak as one agent (the
 * target): its turns are the "assistant" messages, the partner's the "user" messages
 * (ecp_role: the Egocentric Context Projection of dialog-run). The example keeps
 * chatshape's invariant, except that it ends with the target's message:
 *
 *     [system] user (assistant user)* assistant
 *
 *   - consecutive turns of one speaker become one message, joined by a blank line
 *     (chat_writer); a "segment" below is such a run of turns;
 *   - an example that opens with the target's own turn gets the kick-off user message
 *     CHAT_KICKOFF first (an importer drops exactly that text on the way back);
 *   - the partner's turns after the target's last one are left out: there is nothing
 *     left to learn from them;
 *   - the system text is a system message, or (SYSTEM_FIRST_USER) the top of the
 *     first user message;
 *   - the target segments are numbered 0..targets-1; example k ends with target k and
 *     holds everything before it (the whole conversation is the last target's);
 *   - the size of an example is estimated as the project does elsewhere (llm's
 *     offline usage): (bytes of its message texts + 3) / 4 tokens, the system text,
 *     the kick-off and the joins included, JSON escapes not;
 *   - over max_tokens an example is dropped, or with truncate its earliest exchanges
 *     are left out — whole (user, assistant) pairs from the front, so it still starts
 *     with a user message and needs no kick-off — down to the longest tail that fits
 *     with the system text; when not even the last exchange fits it is dropped.
 * Ownership: export_view_init takes its own references to turns and system (the
 * caller keeps its own); the dialect is borrowed for the view's life; examples are
 * appended to the caller's buffer.
 * Never ends the process (except out of memory).
 */
#ifndef PS_EXPORTVIEW_H
#define PS_EXPORTVIEW_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"
#include "chatshape.h"

struct export_view {
	jv turns, system; /* system: a string, or invalid for none */
	enum system_placement placement;
	const struct chat_dialect *dialect;
	unsigned char *role; /* enum chat_role of each turn */
	size_t *seg; /* segment i is turns seg[i] .. seg[i+1]-1; nseg + 1 entries */
	size_t nseg;
	size_t first_target; /* the index of the first target segment (0 or 1) */
};

enum export_fit {
	EXPORT_WHOLE, /* written as it is */
	EXPORT_TRUNCATED, /* written without its earliest exchanges */
	EXPORT_TOO_LONG /* not written */
};

/* self: the target's speaker name ("client" or "responder"). turns: the record's turns
 * (any array; a turn that is not an object, or has no string text, counts as ""). */
void export_view_init(struct export_view *v, jv turns, const char *self, jv system, enum system_placement placement,
		      const struct chat_dialect *dialect);
/* How many examples the conversation gives: the target's segments (0: it never spoke). */
size_t export_view_targets(const struct export_view *v);
/* Example k (0 .. targets-1) appended to out as a JSON array of messages; max_tokens
 * 0 is no limit. EXPORT_TOO_LONG leaves out as it was. */
enum export_fit export_view_example(const struct export_view *v, size_t k, long max_tokens, int truncate,
				    struct buf *out);
/* The whole conversation as one chat appended to out, every turn kept — the partner's
 * after the target's last one too, so it may end with a user message: an exchange
 * copy that imports back to the same turns, not a training example. */
void export_view_whole(const struct export_view *v, struct buf *out);
void export_view_free(struct export_view *v);

/* The estimate: (bytes + 3) / 4 tokens. */
size_t export_tokens(size_t text_bytes);

#endif
