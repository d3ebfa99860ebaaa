/* chatshape — chat requests that every chat template accepts.
 *
 * OpenAI-compatible servers (vLLM, llama.cpp, TGI, ...) render the messages through the
 * model's own chat template, and the strict templates raise on anything else than one
 * shape (Mistral-7B-Instruct-v0.1 and Llama-2-chat: "Conversation roles must alternate
 * user/assistant/user/assistant/...", Gemma: "System role not supported"). Every chat
 * request of this project has that shape — the invariant, written here once:
 *
 *     [system] user (assistant user)*
 *
 * an optional system message first, then a user message, roles strictly alternating,
 * and the last message from the user (the model answers as the assistant). With
 * SYSTEM_FIRST_USER there is no system message at all: its text opens the first user
 * message, for templates without a system role.
 *
 * chat_writer builds a request in that shape from any sequence of user and assistant
 * messages, as JSON text:
 *   - a sequence that starts with the assistant gets the kick-off user message
 *     (CHAT_KICKOFF) before it;
 *   - consecutive messages of one role become one message, their texts joined by a
 *     blank line;
 *   - chat_writer_end with a cue appends it as a user message when the last message
 *     is the assistant's;
 *   - SYSTEM_FIRST_USER: the system text, a blank line, then the first user message.
 * Requests are written in OpenAI's words ({"role":"user","content":...}); an export
 * (dialog-export) may write the same shape in another dialect (ShareGPT's
 * {"from":"human","value":...}) with chat_writer_begin_dialect, and end it without a
 * cue on the assistant's message. The writer counts the bytes of the texts it wrote.
 * chat_check tells whether a request's messages keep the invariant; llm checks every
 * chat request with it when PERSONA_CHECK_REQUESTS is set (the test suite sets it).
 *
 * Ownership: every argument is borrowed; the writer appends to the caller's buffer and
 * keeps nothing after chat_writer_end.
 * Never ends the process (except out of memory).
 */
#ifndef PS_CHATSHAPE_H
#define PS_CHATSHAPE_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"

#define CHAT_KICKOFF "(The conversation starts now. Please begin.)"

enum system_placement { SYSTEM_MESSAGE, SYSTEM_FIRST_USER };
enum chat_role { CHAT_USER, CHAT_ASSISTANT };

/* "system" or "first-user" -> placement; -1 for anything else. */
int chat_placement_parse(const char *name);

/* The words a message is written with. */
struct chat_dialect {
	const char *role_key, *text_key; /* "role", "content" */
	const char *system, *user, *assistant; /* the role names */
};
extern const struct chat_dialect chat_openai, chat_sharegpt;

struct chat_writer {
	struct buf *out;
	const struct chat_dialect *dialect;
	size_t text_bytes; /* bytes of the texts of the messages written so far, unescaped
			   * (runs from chat_writer_add_json are not counted) */
	enum system_placement placement;
	jv system; /* borrowed string, or invalid: none */
	int system_pending; /* SYSTEM_FIRST_USER: not yet put into a user message */
	size_t written; /* messages written to out */
	int last_role; /* role of the last message written or pending, -1: none */
	int has_pending;
	struct buf pending; /* text of the last message, still open for merging */
};

/* Writes "[" and, with SYSTEM_MESSAGE, the system message (when system is a string). */
void chat_writer_begin(struct chat_writer *w, struct buf *out, jv system, enum system_placement placement);
/* The same in another dialect (borrowed for the writer's life; chat_writer_begin is
 * chat_openai). chat_writer_add_json is for chat_openai only. */
void chat_writer_begin_dialect(struct chat_writer *w, struct buf *out, jv system, enum system_placement placement,
			       const struct chat_dialect *dialect);
void chat_writer_add(struct chat_writer *w, enum chat_role role, const char *text, size_t len);
/* Messages serialized elsewhere, each as ",{...}" (so the text starts with a comma),
 * already alternating, from role first to role last. first must differ from the role
 * of the message before them; such a run never carries the system text, so it must not
 * hold the first user message under SYSTEM_FIRST_USER (callers add that one with
 * chat_writer_add). */
void chat_writer_add_json(struct chat_writer *w, enum chat_role first, enum chat_role last, const char *json,
			  size_t len);
/* cue (may be NULL): a user message added when the last message is the assistant's.
 * Then closes the array with "]". */
void chat_writer_end(struct chat_writer *w, const char *cue);

/* What chat_writer_begin writes and the state it leaves, kept: requests that all open
 * with the same system text (every request of one agent in a conversation) begin by
 * copying it instead of escaping the system text again. system is borrowed for the
 * opening's life. */
struct chat_opening {
	struct chat_writer w;
	struct buf text;
};
void chat_opening_init(struct chat_opening *o, jv system, enum system_placement placement);
/* chat_writer_begin(w, out, system, placement), with the system and placement given to
 * chat_opening_init. */
void chat_writer_begin_opening(struct chat_writer *w, struct buf *out, const struct chat_opening *o);
void chat_opening_free(struct chat_opening *o);

/* The messages of a jv array (system first, user, assistant; any other role counts as
 * user) written through a chat_writer: the request in the invariant's shape. */
void chat_write_messages(jv messages, enum system_placement placement, const char *cue, struct buf *out);

/* 0 when messages (a JSON array text) keep the invariant; else -1 with the reason in
 * why, worded like the templates that would raise. system_allowed 0: a system message
 * is itself a violation ("System role not supported"). */
int chat_check(const char *messages_json, size_t len, int system_allowed, struct buf *why);
/* Is the check switched on (PERSONA_CHECK_REQUESTS set and not "0")? */
int chat_check_enabled(void);

#endif
