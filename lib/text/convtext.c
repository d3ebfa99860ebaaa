#include <string.h>

#include "convtext.h"
#include "jvutil.h"

/* The string value of obj[key] appended to out; anything else appends nothing. */
static void add_string_member(jv obj, const char *key, struct buf *out)
{
	jv v = jvu_get_borrow(obj, key);
	if (jv_get_kind(v) == JV_KIND_STRING)
		buf_add(out, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
	jv_free(v);
}

/* The speaker name that stands for "every participant" of a group record. */
#define PARTICIPANTS "\x01participants"

/* Every turn's text (speaker NULL) or one speaker's, joined with sep; PARTICIPANTS
 * takes every turn but the moderator's. With a sep other than "\n", a sep byte inside a
 * turn becomes a space, so sep alone marks turn ends. */
static void join_turns(jv record, const char *speaker, char sep, struct buf *out)
{
	jv turns = jvu_get_borrow(record, "turns");
	int n = jv_get_kind(turns) == JV_KIND_ARRAY ? jv_array_length(jv_copy(turns)) : 0;
	int joined = 0;
	for (int i = 0; i < n; i++) {
		jv turn = jv_array_get(jv_copy(turns), i);
		int wanted = 1;
		if (speaker) {
			jv who = jvu_get_borrow(turn, "speaker");
			if (strcmp(speaker, PARTICIPANTS) == 0)
				wanted = jv_get_kind(who) == JV_KIND_STRING &&
					 strcmp(jv_string_value(who), "moderator") != 0;
			else
				wanted = jv_get_kind(who) == JV_KIND_STRING &&
					 strcmp(jv_string_value(who), speaker) == 0;
			jv_free(who);
		}
		if (wanted) {
			if (joined++)
				buf_addc(out, sep);
			size_t start = out->len;
			add_string_member(turn, "text", out);
			for (size_t k = start; sep != '\n' && k < out->len; k++)
				if (out->data[k] == sep)
					out->data[k] = ' ';
		}
		jv_free(turn);
	}
	jv_free(turns);
}

int conversation_text(jv record, const char *which, struct buf *out)
{
	/* The buffer always ends up allocated, so out->data is a C string even for "". */
	buf_add(out, "", 0);
	/* In a group conversation the participants are the simulated people: their turns
	 * are the client side. */
	int group = jvu_kind_borrow(record, "participants") == JV_KIND_ARRAY;
	if (strcmp(which, "description") == 0)
		add_string_member(record, "description", out);
	else if (strcmp(which, "client_text") == 0)
		join_turns(record, group ? PARTICIPANTS : "client", '\n', out);
	else if (strcmp(which, "participant_text") == 0)
		join_turns(record, PARTICIPANTS, '\n', out);
	else if (strcmp(which, "client_utterances") == 0)
		join_turns(record, group ? PARTICIPANTS : "client", '\x1e', out);
	else if (strcmp(which, "responder_text") == 0)
		join_turns(record, "responder", '\n', out);
	else if (strcmp(which, "turns") == 0)
		join_turns(record, NULL, '\n', out);
	else
		return -1;
	return 0;
}

int conversation_client_side(jv record, const char *speaker)
{
	if (jvu_kind_borrow(record, "participants") == JV_KIND_ARRAY)
		return strcmp(speaker, "moderator") != 0;
	return strcmp(speaker, "client") == 0;
}

size_t conversation_turns(jv record)
{
	jv turns = jvu_get_borrow(record, "turns");
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	jv_free(turns);
	return n;
}

const char *conversation_turn(jv record, size_t i, struct buf *out)
{
	buf_add(out, "", 0);
	const char *speaker = "";
	jv turns = jvu_get_borrow(record, "turns");
	if (jv_get_kind(turns) == JV_KIND_ARRAY && i < (size_t)jv_array_length(jv_copy(turns))) {
		jv turn = jv_array_get(jv_copy(turns), (int)i);
		jv who = jvu_get_borrow(turn, "speaker");
		/* The string lives inside the borrowed record, so it outlives our references. */
		if (jv_get_kind(who) == JV_KIND_STRING)
			speaker = jv_string_value(who);
		jv_free(who);
		add_string_member(turn, "text", out);
		jv_free(turn);
	}
	jv_free(turns);
	return speaker;
}

void conversation_transcript(jv record, struct buf *out)
{
	struct buf text = BUF_INIT;
	jv turns = jvu_get_borrow(record, "turns");
	size_t n = conversation_turns(record);
	buf_add(out, "", 0);
	for (size_t i = 0; i < n; i++) {
		buf_reset(&text);
		const char *speaker = conversation_turn(record, i, &text);
		jv turn = jv_array_get(jv_copy(turns), (int)i);
		jv name = jvu_get_borrow(turn, "name");
		if (jv_get_kind(name) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(name)) > 0)
			speaker = jv_string_value(name); /* lives in the borrowed record */
		buf_addf(out, "%zu. %s: %s\n", i, *speaker ? speaker : "?", text.data ? text.data : "");
		jv_free(name);
		jv_free(turn);
	}
	jv_free(turns);
	buf_free(&text);
}
