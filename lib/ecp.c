#include <string.h>

#include "ecp.h"
#include "jvutil.h"

jv ecp_message(const char *role, const char *content)
{
	jv m = jv_object();
	m = jv_object_set(m, jv_string("role"), jv_string(role));
	return jv_object_set(m, jv_string("content"), jv_string(content));
}

jv ecp_project(enum context_mode mode, jv turns, size_t upto, const char *self, const char *system)
{
	jv messages = JV_ARRAY(ecp_message("system", system));
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	if (upto > n)
		upto = n;
	if (upto == 0)
		return jv_array_append(messages, ecp_message("user", ECP_KICKOFF));
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
					   ecp_message(role, jv_get_kind(text) == JV_KIND_STRING ? jv_string_value(text) : ""));
		jv_free(speaker);
		jv_free(text);
		jv_free(turn);
	}
	return messages;
}
