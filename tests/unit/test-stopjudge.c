/* stopjudge: the window of turns shown to the stop judge, and its verdicts. */
#include <string.h>

#include "buf.h"
#include "stopjudge.h"
#include "unit.h"

static int prompt_is(jv messages, const char *want)
{
	jv m = jv_array();
	jv one = jv_object();
	one = jv_object_set(one, jv_string("role"), jv_string("user"));
	one = jv_object_set(one, jv_string("content"), jv_string(want));
	m = jv_array_append(m, one);
	return jv_equal(messages, m);
}

int main(void)
{
	jv turns = jv_parse(
		"[{\"speaker\":\"client\",\"text\":\"a\"},{\"speaker\":\"responder\",\"text\":\"b\"},"
		"{\"speaker\":\"client\",\"text\":\"c\"},{\"text\":\"d\"},{\"speaker\":\"client\",\"text\":\"e\"}]");
	const char *tmpl = "{{turns}}|{{transcript}}";
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 4, 2), "4|client: c\n?: d\n"),
	      "the last window turns before upto, one speaker: text line each");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 2, 10), "2|client: a\nresponder: b\n"),
	      "a window wider than the conversation shows it all");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 99, 1), "5|client: e\n"), "upto beyond the end is the end");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 0, 3), "0|"), "no turns yet: an empty transcript");
	jv_free(turns);
	turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"{{turns}} {{transcript}}\"}]");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 1, 1), "1|client: {{turns}} {{transcript}}\n"),
	      "placeholders inside a turn are not expanded");
	jv_free(turns);
	turns = jv_parse("{}");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 3, 3), "0|"), "turns that are not an array count as none");
	jv_free(turns);

	struct buf reason = BUF_INIT;
	CHECK(stopjudge_verdict("{\"verdict\": true, \"reason\": \"they said goodbye\"}", &reason) == 1,
	      "true is ended");
	CHECK_STR(reason.data, "they said goodbye", "with its reason");
	buf_reset(&reason);
	CHECK(stopjudge_verdict("Answer: {\"verdict\": false}", &reason) == 0, "false is not ended");
	CHECK(stopjudge_verdict("{\"verdict\": \"true\"}", &reason) == -1, "a string verdict is unparseable");
	CHECK(stopjudge_verdict("yes", &reason) == -1, "prose is unparseable, never ended");
	buf_free(&reason);
	return UNIT_DONE();
}
