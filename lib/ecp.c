#include <string.h>

#include "ecp.h"
#include "jvutil.h"

jv ecp_message(const char *role, jv content)
{
	jv m = jv_object();
	m = jv_object_set(m, jv_string("role"), jv_string(role));
	return jv_object_set(m, jv_string("content"), content);
}

jv ecp_project(enum context_mode mode, jv turns, size_t upto, const char *self, jv system)
{
	jv messages = JV_ARRAY(ecp_message("system", jv_copy(system)));
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	if (upto > n)
		upto = n;
	if (upto == 0)
		return jv_array_append(messages, ecp_message("user", jv_string(ECP_KICKOFF)));
	for (size_t i = 0; i < upto; i++) {
		jv turn = jv_array_get(jv_copy(turns), (int)i);
		jv speaker = jvu_get_borrow(turn, "speaker");
		jv text = jvu_get_borrow(turn, "text");
		const char *who = jv_get_kind(speaker) == JV_KIND_STRING ? jv_string_value(speaker) : "";
		const char *role;
		if (mode == CONTEXT_ECP)
			role = strcmp(who, self) == 0 ? "assistant" : "user";
		else
			role = strcmp(who, "client") == 0 ? "user" : "assistant";
		messages = jv_array_append(messages,
					   ecp_message(role, jv_get_kind(text) == JV_KIND_STRING ? text : (jv_free(text), jv_string(""))));
		jv_free(speaker);
		jv_free(turn);
	}
	return messages;
}

static void add_message(struct buf *out, const char *role, jv content)
{
	buf_adds(out, "{\"role\":");
	json_add_string(out, role);
	buf_adds(out, ",\"content\":");
	jvu_dump(content, out);
	buf_addc(out, '}');
}

void ecp_view_init(struct ecp_view *v, jv system)
{
	memset(v, 0, sizeof *v);
	add_message(&v->system, "system", system);
}

void ecp_view_add(struct ecp_view *v, enum context_mode mode, const char *self, const char *speaker, jv text)
{
	const char *role;
	if (mode == CONTEXT_ECP)
		role = strcmp(speaker, self) == 0 ? "assistant" : "user";
	else
		role = strcmp(speaker, "client") == 0 ? "user" : "assistant";
	buf_addc(&v->turns, ',');
	add_message(&v->turns, role, text);
	v->nturns++;
}

void ecp_view_messages(const struct ecp_view *v, int kickoff, jv extra_user, struct buf *out)
{
	buf_addc(out, '[');
	buf_add(out, v->system.data, v->system.len);
	if (v->turns.len)
		buf_add(out, v->turns.data, v->turns.len);
	if (kickoff && v->nturns == 0) {
		buf_addc(out, ',');
		jv k = jv_string(ECP_KICKOFF);
		add_message(out, "user", k);
		jv_free(k);
	}
	if (jv_is_valid(extra_user)) {
		buf_addc(out, ',');
		add_message(out, "user", extra_user);
	}
	buf_addc(out, ']');
}

void ecp_view_free(struct ecp_view *v)
{
	buf_free(&v->system);
	buf_free(&v->turns);
}
