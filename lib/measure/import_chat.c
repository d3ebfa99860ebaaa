#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "import_chat.h"
#include "import_internal.h"
#include "jvutil.h"

/* A message's text: a string, or the "text" of its content parts joined by newlines.
 * 1 and text set; 0 when there is none (null content of a tool-calling message);
 * -1 when the content is of a shape not known. msg is borrowed. */
static int chat_text(jv msg, struct buf *text)
{
	jv content = jvu_get_borrow(msg, "content");
	int rc = -1;
	if (jv_get_kind(content) == JV_KIND_STRING) {
		buf_add(text, jv_string_value(content), (size_t)jv_string_length_bytes(jv_copy(content)));
		rc = 1;
	} else if (jv_get_kind(content) == JV_KIND_NULL || !jv_is_valid(content)) {
		rc = 0;
	} else if (jv_get_kind(content) == JV_KIND_ARRAY) {
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

/* OpenAI chat format: the conversation, or jv_invalid() with reason set. rec is borrowed. */
jv import_chat_record(jv rec, uint64_t number, char *reason, size_t size)
{
	jv messages = jvu_get_borrow(rec, "messages");
	jv turns = jv_array();
	jv result = jv_invalid();
	struct buf description = BUF_INIT, text = BUF_INIT;
	buf_adds(&description, "");
	if (jv_get_kind(messages) != JV_KIND_ARRAY) {
		snprintf(reason, size, "record has no \"messages\" array");
		goto done;
	}
	int n = jv_array_length(jv_copy(messages));
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(messages), i);
		jv role = jvu_get_borrow(m, "role");
		const char *r = jv_get_kind(role) == JV_KIND_STRING ? jv_string_value(role) : NULL;
		buf_reset(&text);
		int got = chat_text(m, &text);
		int bad = 0;
		if (jv_get_kind(m) != JV_KIND_OBJECT) {
			snprintf(reason, size, "messages[%d] is %s, not an object", i, jvu_kind_name(jv_get_kind(m)));
			bad = 1;
		} else if (!r) {
			snprintf(reason, size, "messages[%d] has no \"role\" string", i);
			bad = 1;
		} else if (strcmp(r, "tool") == 0 || strcmp(r, "function") == 0) {
			/* tool traffic is not dialogue */
		} else if (strcmp(r, "system") != 0 && strcmp(r, "developer") != 0 && strcmp(r, "user") != 0 &&
			   strcmp(r, "assistant") != 0) {
			snprintf(reason, size, "messages[%d] has an unknown role '%s'", i, r);
			bad = 1;
		} else if (got < 0) {
			snprintf(reason, size, "messages[%d] has a \"content\" that is neither text nor text parts", i);
			bad = 1;
		} else if (got == 0 && strcmp(r, "assistant") != 0) {
			snprintf(reason, size, "messages[%d] has no \"content\"", i);
			bad = 1;
		} else if (got > 0 && (strcmp(r, "system") == 0 || strcmp(r, "developer") == 0)) {
			if (description.len)
				buf_addc(&description, '\n');
			buf_add(&description, text.data ? text.data : "", text.len);
		} else if (got > 0) {
			const char *who = strcmp(r, "user") == 0 ? "client" : "responder";
			turns = jv_array_append(turns, import_turn(who, text.data ? text.data : "", text.len));
		}
		jv_free(m);
		jv_free(role);
		if (bad)
			goto done;
	}
	if (jv_array_length(jv_copy(turns)) == 0) {
		snprintf(reason, size, "record has no user or assistant messages");
		goto done;
	}
	static const char *const known[] = { "id", "persona_id", "messages", NULL };
	char *id = import_json_id(rec, "chat", number);
	char *persona_id = import_json_persona_id(rec, description.data, jv_invalid());
	result = import_conversation_record(id, persona_id, IMPORT_CHAT, jv_invalid(), description.data, turns,
					    import_json_meta(rec, known));
	turns = jv_invalid();
	free(id);
	free(persona_id);
done:
	jv_free(messages);
	jv_free(turns);
	buf_free(&description);
	buf_free(&text);
	return result;
}
