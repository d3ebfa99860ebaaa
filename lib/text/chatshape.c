#include <stdlib.h>
#include <string.h>

#include "chatshape.h"
#include "jsontext.h"
#include "jvutil.h"

#define ALTERNATE_ERROR "Conversation roles must alternate user/assistant/user/assistant/..."

const struct chat_dialect chat_openai = { "role", "content", "system", "user", "assistant" };
const struct chat_dialect chat_sharegpt = { "from", "value", "system", "human", "gpt" };

int chat_placement_parse(const char *name)
{
	if (strcmp(name, "system") == 0)
		return SYSTEM_MESSAGE;
	if (strcmp(name, "first-user") == 0)
		return SYSTEM_FIRST_USER;
	return -1;
}

static void write_message(struct chat_writer *w, const char *role, const char *text, size_t len)
{
	struct buf *out = w->out;
	if (w->written++)
		buf_addc(out, ',');
	buf_addc(out, '{');
	json_add_string(out, w->dialect->role_key);
	buf_addc(out, ':');
	json_add_string(out, role);
	buf_addc(out, ',');
	json_add_string(out, w->dialect->text_key);
	buf_addc(out, ':');
	json_add_string_n(out, text, len);
	buf_addc(out, '}');
	w->text_bytes += len;
}

static int has_text(jv s)
{
	return jv_get_kind(s) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(s)) > 0;
}

void chat_writer_begin(struct chat_writer *w, struct buf *out, jv system, enum system_placement placement)
{
	chat_writer_begin_dialect(w, out, system, placement, &chat_openai);
}

void chat_writer_begin_dialect(struct chat_writer *w, struct buf *out, jv system, enum system_placement placement,
			       const struct chat_dialect *dialect)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->dialect = dialect;
	w->placement = placement;
	w->system = system;
	w->last_role = -1;
	buf_addc(out, '[');
	if (jv_get_kind(system) != JV_KIND_STRING)
		return;
	if (placement == SYSTEM_MESSAGE)
		write_message(w, dialect->system, jv_string_value(system),
			      (size_t)jv_string_length_bytes(jv_copy(system)));
	else
		w->system_pending = has_text(system);
}

static void flush(struct chat_writer *w)
{
	if (!w->has_pending)
		return;
	write_message(w, w->last_role == CHAT_USER ? w->dialect->user : w->dialect->assistant,
		      w->pending.data ? w->pending.data : "", w->pending.len);
	buf_free(&w->pending);
	w->has_pending = 0;
}

/* Join with a blank line, leaving out empty parts. */
static void append_part(struct buf *b, const char *text, size_t len)
{
	if (len && b->len)
		buf_adds(b, "\n\n");
	buf_add(b, text, len);
}

void chat_writer_add(struct chat_writer *w, enum chat_role role, const char *text, size_t len)
{
	if (w->last_role < 0 && role == CHAT_ASSISTANT)
		chat_writer_add(w, CHAT_USER, CHAT_KICKOFF, strlen(CHAT_KICKOFF));
	if (w->has_pending && w->last_role == (int)role) {
		append_part(&w->pending, text, len);
		return;
	}
	flush(w);
	w->has_pending = 1;
	w->last_role = (int)role;
	if (role == CHAT_USER && w->system_pending) {
		append_part(&w->pending, jv_string_value(w->system),
			    (size_t)jv_string_length_bytes(jv_copy(w->system)));
		w->system_pending = 0;
	}
	append_part(&w->pending, text, len);
}

void chat_writer_add_json(struct chat_writer *w, enum chat_role first, enum chat_role last, const char *json,
			  size_t len)
{
	if (len == 0)
		return;
	if (w->last_role < 0 && first == CHAT_ASSISTANT)
		chat_writer_add(w, CHAT_USER, CHAT_KICKOFF, strlen(CHAT_KICKOFF));
	flush(w);
	/* The run's own leading comma separates it from what came before. */
	if (w->written == 0)
		buf_add(w->out, json + 1, len - 1);
	else
		buf_add(w->out, json, len);
	w->written++;
	w->last_role = (int)last;
}

void chat_writer_end(struct chat_writer *w, const char *cue)
{
	if (cue && w->last_role == CHAT_ASSISTANT)
		chat_writer_add(w, CHAT_USER, cue, strlen(cue));
	if (w->system_pending && w->last_role < 0)
		chat_writer_add(w, CHAT_USER, "", 0); /* the system text alone, as the user's */
	flush(w);
	buf_addc(w->out, ']');
}

void chat_opening_init(struct chat_opening *o, jv system, enum system_placement placement)
{
	memset(o, 0, sizeof *o);
	chat_writer_begin(&o->w, &o->text, system, placement);
	o->w.out = NULL;
}

void chat_writer_begin_opening(struct chat_writer *w, struct buf *out, const struct chat_opening *o)
{
	*w = o->w; /* nothing pending yet: the copy shares no buffer */
	w->out = out;
	buf_add(out, o->text.data, o->text.len);
}

void chat_opening_free(struct chat_opening *o)
{
	buf_free(&o->text);
}

void chat_write_messages(jv messages, enum system_placement placement, const char *cue, struct buf *out)
{
	int n = jv_get_kind(messages) == JV_KIND_ARRAY ? jv_array_length(jv_copy(messages)) : 0;
	jv first = n > 0 ? jv_array_get(jv_copy(messages), 0) : jv_invalid();
	jv first_role = jvu_get_borrow(first, "role");
	int has_system =
		jv_get_kind(first_role) == JV_KIND_STRING && strcmp(jv_string_value(first_role), "system") == 0;
	jv system = has_system ? jvu_get_borrow(first, "content") : jv_invalid();
	struct chat_writer w;
	chat_writer_begin(&w, out, system, placement);
	for (int i = has_system; i < n; i++) {
		jv m = jv_array_get(jv_copy(messages), i);
		jv role = jvu_get_borrow(m, "role"), content = jvu_get_borrow(m, "content");
		enum chat_role r =
			jv_get_kind(role) == JV_KIND_STRING && strcmp(jv_string_value(role), "assistant") == 0
				? CHAT_ASSISTANT
				: CHAT_USER;
		if (jv_get_kind(content) == JV_KIND_STRING)
			chat_writer_add(&w, r, jv_string_value(content),
					(size_t)jv_string_length_bytes(jv_copy(content)));
		else
			chat_writer_add(&w, r, "", 0);
		jv_free(role);
		jv_free(content);
		jv_free(m);
	}
	chat_writer_end(&w, cue);
	jv_free(system);
	jv_free(first_role);
	jv_free(first);
}

int chat_check(const char *messages_json, size_t len, int system_allowed, struct buf *why)
{
	jv messages = json_parse(messages_json, len);
	int n = jv_get_kind(messages) == JV_KIND_ARRAY ? jv_array_length(jv_copy(messages)) : -1;
	const char *problem = NULL;
	if (n < 0)
		problem = "the messages are not a JSON array";
	int turn = 0; /* index among the non-system messages */
	for (int i = 0; i < n && !problem; i++) {
		jv m = jv_array_get(jv_copy(messages), i);
		jv role = jvu_get_borrow(m, "role");
		const char *r = jv_get_kind(role) == JV_KIND_STRING ? jv_string_value(role) : "";
		if (jvu_kind_borrow(m, "content") != JV_KIND_STRING)
			problem = "a message's content is not a string";
		else if (strcmp(r, "system") == 0 && !system_allowed)
			problem = "System role not supported";
		else if (strcmp(r, "system") == 0 && i > 0)
			problem = "a system message after the first message";
		else if (strcmp(r, "system") == 0)
			;
		else if (strcmp(r, "user") != 0 && strcmp(r, "assistant") != 0)
			problem = "Only user and assistant roles are supported!";
		else if ((strcmp(r, "user") == 0) != (turn++ % 2 == 0))
			problem = ALTERNATE_ERROR;
		jv_free(role);
		jv_free(m);
	}
	if (!problem && turn == 0)
		problem = "no user message";
	else if (!problem && turn % 2 == 0)
		problem = "the last message is not the user's";
	jv_free(messages);
	if (!problem)
		return 0;
	buf_adds(why, problem);
	return -1;
}

int chat_check_enabled(void)
{
	static int enabled = -1;
	if (enabled < 0) {
		const char *v = getenv("PERSONA_CHECK_REQUESTS");
		enabled = v && *v && strcmp(v, "0") != 0;
	}
	return enabled;
}
