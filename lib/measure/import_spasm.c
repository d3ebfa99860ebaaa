#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "import_internal.h"
#include "import_spasm.h"
#include "jvutil.h"

/* SPASM: the conversation, or jv_invalid() with reason set. rec is borrowed. */
jv import_spasm_record(jv rec, uint64_t number, char *reason, size_t size)
{
	jv turns_in = jvu_get_borrow(rec, "turns");
	jv fields = jvu_get_borrow(rec, "persona_fields");
	jv description = jvu_get_borrow(rec, "persona_description");
	jv turns = jv_array();
	jv result = jv_invalid();
	int n = 0;
	if (jv_get_kind(turns_in) != JV_KIND_ARRAY) {
		snprintf(reason, size, "record has no \"turns\" array");
		goto done;
	}
	if (jv_is_valid(fields) && jv_get_kind(fields) != JV_KIND_OBJECT) {
		snprintf(reason, size, "\"persona_fields\" must be an object, not %s",
			 jvu_kind_name(jv_get_kind(fields)));
		goto done;
	}
	if (jv_is_valid(description) && jv_get_kind(description) != JV_KIND_STRING) {
		snprintf(reason, size, "\"persona_description\" must be a string, not %s",
			 jvu_kind_name(jv_get_kind(description)));
		goto done;
	}
	n = jv_array_length(jv_copy(turns_in));
	for (int i = 0; i < n; i++) {
		jv t = jv_array_get(jv_copy(turns_in), i);
		jv speaker = jvu_get_borrow(t, "speaker");
		jv text = jvu_get_borrow(t, "text");
		if (jv_get_kind(text) != JV_KIND_STRING) {
			jv_free(text);
			text = jvu_get_borrow(t, "content");
		}
		const char *who = NULL;
		if (jv_get_kind(speaker) == JV_KIND_STRING) {
			const char *s = jv_string_value(speaker);
			if (strcmp(s, "client") == 0)
				who = "client";
			else if (strcmp(s, "tested") == 0 || strcmp(s, "responder") == 0)
				who = "responder";
		}
		if (jv_get_kind(t) != JV_KIND_OBJECT)
			snprintf(reason, size, "turns[%d] is %s, not an object", i, jvu_kind_name(jv_get_kind(t)));
		else if (!who && jv_get_kind(speaker) == JV_KIND_STRING)
			snprintf(reason, size, "turns[%d] has an unknown speaker '%s' (client or tested)", i,
				 jv_string_value(speaker));
		else if (!who)
			snprintf(reason, size, "turns[%d] has no \"speaker\" string", i);
		else if (jv_get_kind(text) != JV_KIND_STRING)
			snprintf(reason, size, "turns[%d] has no \"text\" or \"content\" string", i);
		else
			turns = jv_array_append(turns, import_turn(who, jv_string_value(text),
								   (size_t)jv_string_length_bytes(jv_copy(text))));
		jv_free(t);
		jv_free(speaker);
		jv_free(text);
		if (jv_array_length(jv_copy(turns)) != i + 1)
			goto done;
	}
	if (n == 0) {
		snprintf(reason, size, "record has no turns");
		goto done;
	}
	static const char *const known[] = {
		"id", "persona_id", "turns", "persona_fields", "persona_description", NULL
	};
	const char *desc = jv_get_kind(description) == JV_KIND_STRING ? jv_string_value(description) : "";
	char *id = import_json_id(rec, "spasm", number);
	char *persona_id = import_json_persona_id(rec, desc, fields);
	jv persona = jv_get_kind(fields) == JV_KIND_OBJECT ? jv_copy(fields) : jv_invalid();
	result = import_conversation_record(id, persona_id, IMPORT_SPASM, persona, desc, turns,
					    import_json_meta(rec, known));
	turns = jv_invalid();
	free(id);
	free(persona_id);
done:
	jv_free(turns_in);
	jv_free(fields);
	jv_free(description);
	jv_free(turns);
	return result;
}
