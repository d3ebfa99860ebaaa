#include <string.h>

#include "groupview.h"
#include "jvutil.h"

/* The turns of others since the last message, gathered into one user message. */
struct block {
	struct buf text;
	size_t lines;
};

static int has_text(jv s)
{
	return jv_get_kind(s) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(s)) > 0;
}

static void add_string(struct buf *out, jv s)
{
	if (jv_get_kind(s) == JV_KIND_STRING)
		buf_add(out, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
}

static int is_self(jv turn, const char *self)
{
	jv speaker = jvu_get_borrow(turn, "speaker");
	int mine = jv_get_kind(speaker) == JV_KIND_STRING && strcmp(jv_string_value(speaker), self) == 0;
	jv_free(speaker);
	return mine;
}

/* "NAME: TEXT", NAME the name or else the speaker id; the text alone without either. */
static void add_line(struct block *b, jv turn)
{
	jv name = jvu_get_borrow(turn, "name");
	jv speaker = jvu_get_borrow(turn, "speaker");
	jv text = jvu_get_borrow(turn, "text");
	jv label = has_text(name) ? name : speaker;
	if (b->lines++)
		buf_addc(&b->text, '\n');
	if (has_text(label)) {
		add_string(&b->text, label);
		buf_adds(&b->text, ": ");
	}
	add_string(&b->text, text);
	jv_free(text);
	jv_free(speaker);
	jv_free(name);
}

static void flush_block(struct chat_writer *w, struct block *b)
{
	if (b->lines == 0)
		return;
	chat_writer_add(w, CHAT_USER, b->text.data ? b->text.data : "", b->text.len);
	buf_reset(&b->text);
	b->lines = 0;
}

static void add_own_turn(struct chat_writer *w, jv turn)
{
	jv text = jvu_get_borrow(turn, "text");
	if (jv_get_kind(text) == JV_KIND_STRING)
		chat_writer_add(w, CHAT_ASSISTANT, jv_string_value(text),
				(size_t)jv_string_length_bytes(jv_copy(text)));
	else
		chat_writer_add(w, CHAT_ASSISTANT, "", 0);
	jv_free(text);
}

void groupview_request(enum context_mode mode, jv turns, size_t upto, const char *self, jv system,
		       enum system_placement placement, jv question, struct buf *out)
{
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	if (upto > n)
		upto = n;
	struct chat_writer w;
	struct block others = { BUF_INIT, 0 };
	chat_writer_begin(&w, out, system, placement);
	for (size_t i = 0; i < upto; i++) {
		jv turn = jv_array_get(jv_copy(turns), (int)i);
		if (mode == CONTEXT_ECP && is_self(turn, self)) {
			flush_block(&w, &others);
			add_own_turn(&w, turn);
		} else {
			add_line(&others, turn);
		}
		jv_free(turn);
	}
	flush_block(&w, &others);
	buf_free(&others.text);
	if (jv_get_kind(question) == JV_KIND_STRING) {
		chat_writer_add(&w, CHAT_USER, jv_string_value(question),
				(size_t)jv_string_length_bytes(jv_copy(question)));
		chat_writer_end(&w, NULL);
		return;
	}
	if (upto == 0)
		chat_writer_add(&w, CHAT_USER, CHAT_KICKOFF, strlen(CHAT_KICKOFF));
	chat_writer_end(&w, GROUPVIEW_CONTINUE);
}
