#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "import_internal.h"
#include "import_spasm.h"
#include "jvutil.h"

/* SPASM's termination_reason values and the stop reason each becomes (the man page's
 * table). Compared without regard to ASCII case. */
static const struct {
	const char *source;
	const char *reason;
} stop_reasons[] = {
	{ "natural_termination", "closure" },
	{ "natural", "closure" },
	{ "natural_end", "closure" },
	{ "closure", "closure" },
	{ "goodbye", "closure" },
	{ "max_turns", "max_turns" },
	{ "max_turns_reached", "max_turns" },
	{ "turn_limit", "max_turns" },
	{ "max_length", "max_turns" },
	{ "loop", "loop" },
	{ "loop_detected", "loop" },
	{ "repetition", "loop" },
	{ "error", "error" },
	{ "api_error", "error" },
};

const char *import_spasm_stop_reason(const char *source_reason)
{
	for (size_t i = 0; i < sizeof stop_reasons / sizeof *stop_reasons; i++)
		if (strcasecmp(source_reason, stop_reasons[i].source) == 0)
			return stop_reasons[i].reason;
	return "other";
}

/* "stop" from termination_reason (borrowed) after nturns turns, or jv_invalid(): none. */
static jv spasm_stop(jv termination, int nturns)
{
	if (jv_get_kind(termination) != JV_KIND_STRING || jv_string_length_bytes(jv_copy(termination)) == 0)
		return jv_invalid();
	const char *source_reason = jv_string_value(termination);
	jv stop = jv_object();
	stop = jv_object_set(stop, jv_string("reason"), jv_string(import_spasm_stop_reason(source_reason)));
	stop = jv_object_set(stop, jv_string("by"), jv_string("source"));
	stop = jv_object_set(stop, jv_string("after"), jv_number(nturns));
	return jv_object_set(stop, jv_string("source_reason"), jv_copy(termination));
}

/* The id: the record's own "id", else SPASM's "persona_id/conversation_id" (or the
 * conversation_id alone), else spasm-NNNNNN; *source_id the source's own id or null. */
static char *spasm_id(jv rec, uint64_t number, jv *source_id)
{
	*source_id = import_json_source_id(rec);
	if (jv_get_kind(*source_id) != JV_KIND_NULL)
		return import_json_id(rec, "spasm", number);
	jv persona = jvu_get_borrow(rec, "persona_id"), conversation = jvu_get_borrow(rec, "conversation_id");
	struct buf id = BUF_INIT;
	if (import_json_key(persona, &id))
		buf_addc(&id, '/');
	if (import_json_key(conversation, &id)) {
		jv_free(*source_id);
		*source_id = jv_string(id.data);
	} else {
		buf_reset(&id);
		buf_addf(&id, "spasm-%06llu", (unsigned long long)number);
	}
	jv_free(persona);
	jv_free(conversation);
	return id.data;
}

/* A member that must be of one of two kinds when present (null counts as absent). */
static int kind_ok(jv v, jv_kind a, jv_kind b)
{
	jv_kind k = jv_get_kind(v);
	return !jv_is_valid(v) || k == JV_KIND_NULL || k == a || k == b;
}

/* 1 with reason set when a member the format defines is of the wrong kind; else 0. */
static int spasm_members_problem(jv rec, char *reason, size_t size)
{
	jv fields = jvu_get_borrow(rec, "persona_fields"), description = jvu_get_borrow(rec, "persona_description"),
	   conversation = jvu_get_borrow(rec, "conversation_id"),
	   termination = jvu_get_borrow(rec, "termination_reason");
	int bad = 1;
	if (jv_is_valid(fields) && jv_get_kind(fields) != JV_KIND_OBJECT)
		snprintf(reason, size, "\"persona_fields\" must be an object, not %s",
			 jvu_kind_name(jv_get_kind(fields)));
	else if (jv_is_valid(description) && jv_get_kind(description) != JV_KIND_STRING)
		snprintf(reason, size, "\"persona_description\" must be a string, not %s",
			 jvu_kind_name(jv_get_kind(description)));
	else if (!kind_ok(conversation, JV_KIND_STRING, JV_KIND_NUMBER))
		snprintf(reason, size, "\"conversation_id\" must be a string or a number, not %s",
			 jvu_kind_name(jv_get_kind(conversation)));
	else if (!kind_ok(termination, JV_KIND_STRING, JV_KIND_STRING))
		snprintf(reason, size, "\"termination_reason\" must be a string, not %s",
			 jvu_kind_name(jv_get_kind(termination)));
	else
		bad = 0;
	jv_free(fields);
	jv_free(description);
	jv_free(conversation);
	jv_free(termination);
	return bad;
}

/* SPASM: the conversation, or jv_invalid() with reason set. rec is borrowed. */
jv import_spasm_record(jv rec, const struct import_at *at, char *reason, size_t size)
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
	if (spasm_members_problem(rec, reason, size))
		goto done;
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
	static const char *const known[] = { "id",
					     "persona_id",
					     "conversation_id",
					     "turns",
					     "persona_fields",
					     "persona_description",
					     "termination_reason",
					     NULL };
	const char *desc = jv_get_kind(description) == JV_KIND_STRING ? jv_string_value(description) : "";
	jv termination = jvu_get_borrow(rec, "termination_reason");
	struct import_parts parts = {
		.persona_id = import_json_persona_id(rec, desc, fields),
		.line = at->line,
		.persona = jv_get_kind(fields) == JV_KIND_OBJECT ? jv_copy(fields) : jv_invalid(),
		.description = desc,
		.turns = turns,
		.stop = spasm_stop(termination, n),
		.meta = import_json_meta(rec, known),
	};
	char *id = spasm_id(rec, at->number, &parts.source_id);
	parts.id = id;
	result = import_conversation_record(IMPORT_SPASM, &parts);
	turns = jv_invalid();
	jv_free(termination);
	free(id);
	free((char *)parts.persona_id);
done:
	jv_free(turns_in);
	jv_free(fields);
	jv_free(description);
	jv_free(turns);
	return result;
}
