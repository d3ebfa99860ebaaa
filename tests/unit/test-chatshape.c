#include "chatshape.h"
#include "jvutil.h"
#include "unit.h"

#define U(t) "{\"role\":\"user\",\"content\":\"" t "\"}"
#define A(t) "{\"role\":\"assistant\",\"content\":\"" t "\"}"
#define S(t) "{\"role\":\"system\",\"content\":\"" t "\"}"

static const char *shaped(const char *messages, enum system_placement placement, const char *cue)
{
	static char text[4096];
	jv m = jv_parse(messages);
	struct buf out = BUF_INIT;
	chat_write_messages(m, placement, cue, &out);
	snprintf(text, sizeof text, "%s", out.data);
	buf_free(&out);
	jv_free(m);
	return text;
}

static const char *check(const char *messages, int system_allowed)
{
	static char text[256];
	struct buf why = BUF_INIT;
	int rc = chat_check(messages, strlen(messages), system_allowed, &why);
	snprintf(text, sizeof text, "%s", rc == 0 ? "ok" : why.data);
	buf_free(&why);
	return text;
}

int main(void)
{
	CHECK_STR(shaped("[" S("S") "," U("u") "]", SYSTEM_MESSAGE, NULL), "[" S("S") "," U("u") "]",
		  "a valid request is written unchanged");
	CHECK_STR(shaped("[" U("u") "]", SYSTEM_MESSAGE, NULL), "[" U("u") "]",
		  "a judge's one user message is unchanged");
	CHECK_STR(shaped("[" S("S") "," U("u") "]", SYSTEM_FIRST_USER, NULL), "[" U("S\\n\\nu") "]",
		  "first-user: the system text, a blank line, then the first user message");
	CHECK_STR(shaped("[" S("") "," U("u") "]", SYSTEM_FIRST_USER, NULL), "[" U("u") "]",
		  "first-user: an empty system text adds nothing");
	CHECK_STR(shaped("[" S("S") "]", SYSTEM_FIRST_USER, NULL), "[" U("S") "]",
		  "first-user: a system text alone becomes the user message");
	CHECK_STR(shaped("[" S("S") "," A("a") "," U("u") "]", SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U(CHAT_KICKOFF) "," A("a") "," U("u") "]",
		  "a request that would start with the assistant gets the kick-off first");
	CHECK_STR(shaped("[" S("S") "," A("a") "]", SYSTEM_FIRST_USER, NULL),
		  "[" U("S\\n\\n" CHAT_KICKOFF) "," A("a") "]",
		  "under first-user the kick-off carries the system text");
	CHECK_STR(shaped("[" U("u1") "," U("u2") "," A("a1") "," A("a2") "," U("u3") "]", SYSTEM_MESSAGE, NULL),
		  "[" U("u1\\n\\nu2") "," A("a1\\n\\na2") "," U("u3") "]",
		  "consecutive messages of one role are merged with a blank line");
	CHECK_STR(shaped("[" U("u1") "," U("") "," U("u2") "]", SYSTEM_MESSAGE, NULL), "[" U("u1\\n\\nu2") "]",
		  "merging leaves empty texts out");
	CHECK_STR(shaped("[" U("u") "," A("a") "]", SYSTEM_MESSAGE, "CUE"), "[" U("u") "," A("a") "," U("CUE") "]",
		  "a cue is added when the assistant spoke last");
	CHECK_STR(shaped("[" U("u") "]", SYSTEM_MESSAGE, "CUE"), "[" U("u") "]", "no cue when the user spoke last");
	CHECK_STR(shaped("[" S("S") ",{\"role\":\"tool\",\"content\":\"t\"},{\"role\":\"user\",\"content\":7}]",
			 SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U("t") "]", "other roles count as the user's, content that is not a string as empty");

	CHECK_STR(check("[" S("S") "," U("u") "," A("a") "," U("u") "]", 1), "ok",
		  "the invariant: system, user, assistant, user");
	CHECK_STR(check("[" U("u") "]", 0), "ok", "one user message keeps it");
	CHECK_STR(check("[" S("S") "," U("u") "]", 0), "System role not supported",
		  "a system message where none is allowed is reported like Gemma's template");
	CHECK_STR(check("[" S("S") "," A("a") "," U("u") "]", 1),
		  "Conversation roles must alternate user/assistant/user/assistant/...",
		  "an assistant first is reported like Llama-2's template");
	CHECK_STR(check("[" U("u") "," U("u") "]", 1),
		  "Conversation roles must alternate user/assistant/user/assistant/...",
		  "two user messages in a row break alternation");
	CHECK_STR(check("[" U("u") "," A("a") "]", 1), "the last message is not the user's",
		  "a request ending with the assistant breaks the invariant");
	CHECK_STR(check("[" S("S") "]", 1), "no user message", "a request with no user message breaks it");
	CHECK_STR(check("[" U("u") "," S("S") "]", 1), "a system message after the first message",
		  "a system message later on breaks it");
	CHECK_STR(check("[{\"role\":\"tool\",\"content\":\"t\"}]", 1), "Only user and assistant roles are supported!",
		  "other roles break it");
	CHECK_STR(check("[{\"role\":\"user\",\"content\":null}]", 1), "a message's content is not a string",
		  "content that is not a string breaks it");
	CHECK_STR(check("{}", 1), "the messages are not a JSON array", "not an array breaks it");
	CHECK(chat_placement_parse("system") == SYSTEM_MESSAGE &&
		      chat_placement_parse("first-user") == SYSTEM_FIRST_USER && chat_placement_parse("user") == -1,
	      "placement names: system and first-user only");
	return UNIT_DONE();
}
