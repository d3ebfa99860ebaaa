#include <string.h>

#include "ecp.h"
#include "jvutil.h"

enum chat_role ecp_role(enum context_mode mode, const char *self, const char *speaker)
{
	if (mode == CONTEXT_ECP)
		return strcmp(speaker, self) == 0 ? CHAT_ASSISTANT : CHAT_USER;
	return strcmp(speaker, "client") == 0 ? CHAT_USER : CHAT_ASSISTANT;
}

static void add_text(struct chat_writer *w, enum chat_role role, jv text)
{
	if (jv_get_kind(text) == JV_KIND_STRING)
		chat_writer_add(w, role, jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)));
	else
		chat_writer_add(w, role, "", 0);
}

/* The end every request shares: the question of a probe, or for a turn the kick-off
 * (no turns yet) and the cue (the agent's own turn came last). */
static void finish_request(struct chat_writer *w, size_t nturns, jv question)
{
	if (jv_get_kind(question) == JV_KIND_STRING) {
		add_text(w, CHAT_USER, question);
		chat_writer_end(w, NULL);
		return;
	}
	if (nturns == 0)
		chat_writer_add(w, CHAT_USER, ECP_KICKOFF, strlen(ECP_KICKOFF));
	chat_writer_end(w, ECP_CONTINUE);
}

void ecp_request(enum context_mode mode, jv turns, size_t upto, const char *self, jv system,
		 enum system_placement placement, jv question, struct buf *out)
{
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	if (upto > n)
		upto = n;
	struct chat_writer w;
	chat_writer_begin(&w, out, system, placement);
	for (size_t i = 0; i < upto; i++) {
		jv turn = jv_array_get(jv_copy(turns), (int)i);
		jv speaker = jvu_get_borrow(turn, "speaker");
		jv text = jvu_get_borrow(turn, "text");
		const char *who = jv_get_kind(speaker) == JV_KIND_STRING ? jv_string_value(speaker) : "";
		add_text(&w, ecp_role(mode, self, who), text);
		jv_free(text);
		jv_free(speaker);
		jv_free(turn);
	}
	finish_request(&w, upto, question);
}

static void add_message(struct buf *out, enum chat_role role, jv content)
{
	buf_adds(out, role == CHAT_USER ? ",{\"role\":\"user\",\"content\":" : ",{\"role\":\"assistant\",\"content\":");
	if (jv_get_kind(content) == JV_KIND_STRING)
		jvu_dump(content, out);
	else
		buf_adds(out, "\"\"");
	buf_addc(out, '}');
}

void ecp_view_init(struct ecp_view *v, jv system, enum system_placement placement)
{
	memset(v, 0, sizeof *v);
	v->system = jv_copy(system);
	v->placement = placement;
	chat_opening_init(&v->opening, v->system, placement);
	v->first_text = jv_invalid();
	v->last_text = jv_invalid();
}

void ecp_view_add(struct ecp_view *v, enum context_mode mode, const char *self, const char *speaker, jv text)
{
	enum chat_role role = ecp_role(mode, self, speaker);
	v->last_start = v->turns.len;
	add_message(&v->turns, role, text);
	if (v->nturns == 0) {
		v->first_end = v->turns.len;
		v->first_role = role;
		v->first_text = jv_copy(text);
	}
	jv_free(v->last_text);
	v->last_text = jv_copy(text);
	v->last_role = role;
	v->nturns++;
}

/* The first and the last turn go through the writer (the first may carry the system
 * text or follow the kick-off, the last may take a probe question); the turns between
 * are copied as they were serialized. */
void ecp_view_request(const struct ecp_view *v, jv question, struct buf *out)
{
	struct chat_writer w;
	chat_writer_begin_opening(&w, out, &v->opening);
	if (v->nturns > 0)
		add_text(&w, v->first_role, v->first_text);
	if (v->nturns > 2)
		chat_writer_add_json(&w, v->first_role == CHAT_USER ? CHAT_ASSISTANT : CHAT_USER,
				     v->last_role == CHAT_USER ? CHAT_ASSISTANT : CHAT_USER,
				     v->turns.data + v->first_end, v->last_start - v->first_end);
	if (v->nturns > 1)
		add_text(&w, v->last_role, v->last_text);
	finish_request(&w, v->nturns, question);
}

void ecp_view_free(struct ecp_view *v)
{
	chat_opening_free(&v->opening);
	jv_free(v->system);
	jv_free(v->first_text);
	jv_free(v->last_text);
	buf_free(&v->turns);
}
