/* convtext: the texts of a conversation record that the tools measure. */
#include <string.h>

#include "buf.h"
#include "convtext.h"
#include "unit.h"

static struct buf out;

static const char *text_of(jv record, const char *which)
{
	buf_reset(&out);
	if (conversation_text(record, which, &out) < 0)
		return "(unknown)";
	return out.data;
}

int main(void)
{
	jv r = jv_parse("{\"description\":\"a nurse\",\"turns\":["
			"{\"speaker\":\"client\",\"text\":\"hi\"},"
			"{\"speaker\":\"responder\",\"text\":\"hello\"},"
			"{\"speaker\":\"client\",\"text\":\"bye\"},"
			"{\"speaker\":\"client\",\"text\":7},"
			"{\"speaker\":\"narrator\",\"text\":\"later\"},"
			"\"not a turn\"]}");
	CHECK_STR(text_of(r, "description"), "a nurse", "description is the top-level description");
	CHECK_STR(text_of(r, "client_text"), "hi\nbye\n",
		  "client turns joined with newlines; a non-string text adds nothing");
	CHECK_STR(text_of(r, "responder_text"), "hello", "responder turns only");
	CHECK_STR(text_of(r, "turns"), "hi\nhello\nbye\n\nlater\n", "every turn, any speaker, in order");
	CHECK_STR(text_of(r, "speakers"), "(unknown)", "an unknown text name is refused");
	CHECK(conversation_turns(r) == 6, "conversation_turns counts every element of turns");

	buf_reset(&out);
	CHECK_STR(conversation_turn(r, 1, &out), "responder", "conversation_turn gives the speaker");
	CHECK_STR(out.data, "hello", "and appends the text");
	buf_reset(&out);
	CHECK_STR(conversation_turn(r, 5, &out), "", "a turn that is not an object has speaker \"\"");
	CHECK_STR(out.data, "", "and no text");
	buf_reset(&out);
	CHECK_STR(conversation_turn(r, 99, &out), "", "a turn past the end is empty, never a crash");
	CHECK(out.data != NULL, "the buffer is a C string even when nothing is added");
	jv_free(r);

	r = jv_parse("{\"turns\":{},\"description\":null}");
	CHECK_STR(text_of(r, "description"), "", "a missing description is empty");
	CHECK_STR(text_of(r, "turns"), "", "turns that are not an array are empty");
	CHECK(conversation_turns(r) == 0, "and count zero");
	jv_free(r);
	r = jv_parse("[]");
	CHECK_STR(text_of(r, "client_text"), "", "a record that is not an object has empty texts");
	jv_free(r);
	buf_free(&out);
	return UNIT_DONE();
}
