#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chatshape.h"
#include "import_chat.h"
#include "import_internal.h"
#include "jvutil.h"

/* How one chat-shaped format lays out its messages. */
struct chat_layout {
	const char *messages; /* the array of messages */
	const char *role; /* a message's role member */
	const char *role_word; /* the role member in messages ("role", "\"from\"") */
	const char *text; /* a message's text member */
	int text_parts; /* the text may be an array of parts, null for a responder without text */
	const char *prefix; /* ids of records without one */
	const char *description_sep; /* between system messages */
	const char *const *known; /* the members read; the others go to source_meta */
};

static const char *const chat_known[] = { "id", "persona_id", "messages", NULL };
static const char *const hf_known[] = { "id",       "persona_id",          "messages", "persona",
					"personas", "persona_description", NULL };
static const char *const sharegpt_known[] = { "id", "persona_id", "conversations", NULL };

static const struct chat_layout chat_layout = { "messages", "role", "role", "content", 1, "chat", "\n", chat_known };
static const struct chat_layout hf_layout = { "messages", "role", "role", "content", 1, "hf", "\n\n", hf_known };
static const struct chat_layout sharegpt_layout = { "conversations", "from", "\"from\"",    "value", 0,
						    "sharegpt",      "\n\n", sharegpt_known };

/* A message's text: a string, or (with parts) the "text" of its content parts joined by
 * newlines. 1 and text set; 0 when there is none (null or absent); -1 when it is of a
 * shape not known. msg is borrowed. */
static int message_text(jv msg, const struct chat_layout *l, struct buf *text)
{
	jv content = jvu_get_borrow(msg, l->text);
	int rc = -1;
	if (jv_get_kind(content) == JV_KIND_STRING) {
		buf_add(text, jv_string_value(content), (size_t)jv_string_length_bytes(jv_copy(content)));
		rc = 1;
	} else if (jv_get_kind(content) == JV_KIND_NULL || !jv_is_valid(content)) {
		rc = 0;
	} else if (jv_get_kind(content) == JV_KIND_ARRAY && l->text_parts) {
		rc = 1;
		int n = jv_array_length(jv_copy(content));
		for (int i = 0; i < n && rc > 0; i++) {
			jv part = jv_array_get(jv_copy(content), i);
			jv t = jvu_get_borrow(part, "text");
			if (jv_get_kind(t) == JV_KIND_STRING) {
				if (text->len)
					buf_addc(text, '\n');
				buf_add(text, jv_string_value(t), (size_t)jv_string_length_bytes(jv_copy(t)));
			} else if (jv_get_kind(part) != JV_KIND_OBJECT) {
				rc = -1;
			}
			jv_free(t);
			jv_free(part);
		}
	}
	jv_free(content);
	return rc;
}

/* The conversation's messages read into turns and the system text; 0, or -1 with
 * reason set. */
struct chat_read {
	jv turns;
	struct buf system;
	int seen_turns; /* messages that were, or would have been, turns */
};

/* One message; 0, or -1 with reason set. m is borrowed. */
static int chat_message(const struct chat_layout *l, const struct import_roles *roles, jv m, int i, struct chat_read *r,
			char *reason, size_t size)
{
	if (jv_get_kind(m) != JV_KIND_OBJECT) {
		snprintf(reason, size, "%s[%d] is %s, not an object", l->messages, i, jvu_kind_name(jv_get_kind(m)));
		return -1;
	}
	jv role_v = jvu_get_borrow(m, l->role);
	int rc = 0;
	enum import_role role = IMPORT_ROLE_SKIP;
	struct buf text = BUF_INIT;
	if (jv_get_kind(role_v) != JV_KIND_STRING) {
		snprintf(reason, size, "%s[%d] has no \"%s\" string", l->messages, i, l->role);
		rc = -1;
	} else if (import_role_of(roles, jv_string_value(role_v), &role) < 0) {
		snprintf(reason, size, "%s[%d] has an unknown %s '%s' (map it with --roles)", l->messages, i,
			 l->role_word, jv_string_value(role_v));
		rc = -1;
	}
	int got = rc == 0 && role != IMPORT_ROLE_SKIP ? message_text(m, l, &text) : 0;
	if (rc < 0 || role == IMPORT_ROLE_SKIP) {
		/* reported above, or traffic that is no dialogue (tool calls) */
	} else if (got < 0) {
		snprintf(reason, size, "%s[%d] has a \"%s\" that is %s", l->messages, i, l->text,
			 l->text_parts ? "neither text nor text parts" : "not text");
		rc = -1;
	} else if (got == 0 && !(l->text_parts && role == IMPORT_ROLE_RESPONDER)) {
		snprintf(reason, size, "%s[%d] has no \"%s\"", l->messages, i, l->text);
		rc = -1;
	} else if (role == IMPORT_ROLE_DESCRIPTION) {
		if (r->system.len)
			buf_adds(&r->system, l->description_sep);
		buf_add(&r->system, text.data ? text.data : "", text.len);
	} else if (got > 0) {
		const char *t = text.data ? text.data : "";
		/* Exports open with the kick-off when the assistant speaks first: not a turn. */
		int is_kickoff = r->seen_turns == 0 && strcmp(t, CHAT_KICKOFF) == 0 && text.len == strlen(t);
		r->seen_turns++;
		if (!is_kickoff) {
			const char *who = role == IMPORT_ROLE_CLIENT ? "client" : "responder";
			r->turns = jv_array_append(r->turns, import_turn(who, t, text.len));
		}
	}
	jv_free(role_v);
	buf_free(&text);
	return rc;
}

/* hf's persona column as text into out ("" when there is none); 0, or -1 with reason set. */
static int hf_persona(jv rec, struct buf *out, char *reason, size_t size)
{
	jv persona = jvu_get_borrow(rec, "persona"), personas = jvu_get_borrow(rec, "personas"),
	   description = jvu_get_borrow(rec, "persona_description");
	int rc = 0;
	if (jv_is_valid(persona) && jv_get_kind(persona) != JV_KIND_STRING && jv_get_kind(persona) != JV_KIND_NULL) {
		snprintf(reason, size, "\"persona\" must be a string, not %s", jvu_kind_name(jv_get_kind(persona)));
		rc = -1;
	} else if (jv_is_valid(personas) && jv_get_kind(personas) != JV_KIND_ARRAY &&
		   jv_get_kind(personas) != JV_KIND_NULL) {
		snprintf(reason, size, "\"personas\" must be an array of strings, not %s",
			 jvu_kind_name(jv_get_kind(personas)));
		rc = -1;
	} else if (jv_is_valid(description) && jv_get_kind(description) != JV_KIND_STRING &&
		   jv_get_kind(description) != JV_KIND_NULL) {
		snprintf(reason, size, "\"persona_description\" must be a string, not %s",
			 jvu_kind_name(jv_get_kind(description)));
		rc = -1;
	} else if (jv_get_kind(persona) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(persona)) > 0) {
		buf_adds(out, jv_string_value(persona));
	} else if (jv_get_kind(personas) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(personas));
		for (int i = 0; i < n && rc == 0; i++) {
			jv s = jv_array_get(jv_copy(personas), i);
			if (jv_get_kind(s) != JV_KIND_STRING) {
				snprintf(reason, size, "\"personas\"[%d] is %s, not a string", i,
					 jvu_kind_name(jv_get_kind(s)));
				rc = -1;
			}
			jv_free(s);
		}
		if (rc == 0)
			import_join_strings(personas, "\n", out);
	} else if (jv_get_kind(description) == JV_KIND_STRING) {
		buf_adds(out, jv_string_value(description));
	}
	jv_free(persona);
	jv_free(personas);
	jv_free(description);
	return rc;
}

/* A chat-shaped record: the conversation, or jv_invalid() with reason set. rec is borrowed. */
jv import_chat_record(jv rec, const struct import_at *at, char *reason, size_t size)
{
	const struct chat_layout *l = at->format == IMPORT_HF         ? &hf_layout
				      : at->format == IMPORT_SHAREGPT ? &sharegpt_layout
								      : &chat_layout;
	jv messages = jvu_get_borrow(rec, l->messages);
	struct chat_read r = { jv_array(), BUF_INIT, 0 };
	struct buf persona = BUF_INIT;
	jv result = jv_invalid();
	buf_adds(&r.system, "");
	buf_adds(&persona, "");
	if (jv_get_kind(messages) != JV_KIND_ARRAY) {
		snprintf(reason, size, "record has no \"%s\" array", l->messages);
		goto done;
	}
	int n = jv_array_length(jv_copy(messages));
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(messages), i);
		int rc = chat_message(l, at->roles, m, i, &r, reason, size);
		jv_free(m);
		if (rc < 0)
			goto done;
	}
	if (jv_array_length(jv_copy(r.turns)) == 0) {
		snprintf(reason, size, "record has no client or responder turns");
		goto done;
	}
	if (at->format == IMPORT_HF && hf_persona(rec, &persona, reason, size) < 0)
		goto done;
	/* A persona column is the description; the system text is then the prompt it came with. */
	const char *description = persona.len ? persona.data : r.system.data;
	struct import_parts parts = {
		.id = import_json_id(rec, l->prefix, at->number),
		.persona_id = import_json_persona_id(rec, description, jv_invalid()),
		.source_id = import_json_source_id(rec),
		.line = at->line,
		.persona = jv_invalid(),
		.description = description,
		.system_prompt = persona.len && r.system.len ? r.system.data : NULL,
		.turns = r.turns,
		.stop = jv_invalid(),
		.meta = import_json_meta(rec, l->known),
	};
	r.turns = jv_invalid();
	result = import_conversation_record(at->format, &parts);
	free((char *)parts.id);
	free((char *)parts.persona_id);
done:
	jv_free(messages);
	jv_free(r.turns);
	buf_free(&r.system);
	buf_free(&persona);
	return result;
}
