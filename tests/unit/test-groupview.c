#include "chatshape.h"
#include "groupview.h"
#include "jsontext.h"
#include "jvutil.h"
#include "unit.h"

#define K CHAT_KICKOFF
#define CUE GROUPVIEW_CONTINUE

#define U(t) "{\"role\":\"user\",\"content\":\"" t "\"}"
#define A(t) "{\"role\":\"assistant\",\"content\":\"" t "\"}"
#define S(t) "{\"role\":\"system\",\"content\":\"" t "\"}"

/* The scripted group: a moderator, then Ana, Ben, Cleo, the moderator again, Ana, then
 * Cleo twice in a row. */
#define M1 "Moderator: Welcome. Ana, please start."
#define A1 "Ana: I think we should walk."
#define B1 "Ben: I'd rather drive."
#define C1 "Cleo: Either works."
#define M2 "Moderator: Ben, your reply?"
#define A2 "Ana: Walking is greener."

static int requests_invalid;

static jv turn(const char *speaker, const char *name, const char *text)
{
	jv t = jv_object();
	t = jv_object_set(t, jv_string("speaker"), jv_string(speaker));
	t = jv_object_set(t, jv_string("name"), jv_string(name));
	return jv_object_set(t, jv_string("text"), jv_string(text));
}

static jv script(void)
{
	jv turns = jv_array();
	turns = jv_array_append(turns, turn("moderator", "Moderator", "Welcome. Ana, please start."));
	turns = jv_array_append(turns, turn("a", "Ana", "I think we should walk."));
	turns = jv_array_append(turns, turn("b", "Ben", "I'd rather drive."));
	turns = jv_array_append(turns, turn("c", "Cleo", "Either works."));
	turns = jv_array_append(turns, turn("moderator", "Moderator", "Ben, your reply?"));
	turns = jv_array_append(turns, turn("a", "Ana", "Walking is greener."));
	turns = jv_array_append(turns, turn("c", "Cleo", "Fine by me."));
	return jv_array_append(turns, turn("c", "Cleo", "Let's go."));
}

/* One request as text, checked against the chat-template invariant on the way. */
static const char *request(enum context_mode mode, jv turns, size_t upto, const char *self, jv system,
			   enum system_placement placement, const char *question)
{
	static char text[8192];
	struct buf out = BUF_INIT, why = BUF_INIT;
	jv q = question ? jv_string(question) : jv_invalid();
	groupview_request(mode, turns, upto, self, system, placement, q, &out);
	if (chat_check(out.data, out.len, placement == SYSTEM_MESSAGE, &why) != 0) {
		requests_invalid++;
		printf("#   %s: %s\n", why.data, out.data);
	}
	snprintf(text, sizeof text, "%s", out.data);
	buf_free(&out);
	buf_free(&why);
	jv_free(q);
	return text;
}

static void test_ecp(jv turns, jv sys)
{
	CHECK_STR(request(CONTEXT_ECP, turns, 0, "a", sys, SYSTEM_MESSAGE, NULL), "[" S("S") "," U(K) "]",
		  "ECP: before anyone spoke, the system prompt and the kick-off");
	CHECK_STR(request(CONTEXT_ECP, turns, 1, "a", sys, SYSTEM_MESSAGE, NULL), "[" S("S") "," U(M1) "]",
		  "ECP: the moderator's opening is a user message of one line, named");
	CHECK_STR(request(CONTEXT_ECP, turns, 2, "b", sys, SYSTEM_MESSAGE, NULL), "[" S("S") "," U(M1 "\\n" A1) "]",
		  "ECP: before its first turn, all that was said is ONE user message, a line per turn");
	CHECK_STR(request(CONTEXT_ECP, turns, 5, "a", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U(M1) "," A("I think we should walk.") "," U(B1 "\\n" C1 "\\n" M2) "]",
		  "ECP: a's own turn is the assistant's, unnamed; what the others said since is one user message");
	CHECK_STR(request(CONTEXT_ECP, turns, 7, "c", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U(M1 "\\n" A1 "\\n" B1) "," A("Either works.") "," U(M2 "\\n" A2) "," A(
			  "Fine by me.") "," U(CUE) "]",
		  "ECP: asked right after its own turn, self gets the continue cue");
	CHECK_STR(request(CONTEXT_ECP, turns, 8, "c", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U(M1 "\\n" A1 "\\n" B1) "," A("Either works.") "," U(M2 "\\n" A2) "," A(
			  "Fine by me.\\n\\nLet's go.") "," U(CUE) "]",
		  "ECP: two own turns in a row are one assistant message, joined by a blank line");
	CHECK_STR(request(CONTEXT_ECP, turns, 6, "moderator", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U(K) "," A("Welcome. Ana, please start.") "," U(A1 "\\n" B1 "\\n" C1) "," A(
			  "Ben, your reply?") "," U(A2) "]",
		  "ECP: the moderator is asked as self \"moderator\"; it opened, so the kick-off stays first");
	CHECK_STR(request(CONTEXT_ECP, turns, 4, "b", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U(M1 "\\n" A1) "," A("I'd rather drive.") "," U(C1) "]",
		  "ECP: one turn since self's previous one is a one-line user message");
	CHECK_STR(request(CONTEXT_ECP, turns, 3, "x", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U(M1 "\\n" A1 "\\n" B1) "]",
		  "ECP: a participant who never spoke sees the whole transcript as one user message");
}

static void test_concat(jv turns, jv sys)
{
	CHECK_STR(request(CONTEXT_CONCAT, turns, 0, "a", sys, SYSTEM_MESSAGE, NULL), "[" S("S") "," U(K) "]",
		  "CONCAT-N: before anyone spoke, the system prompt and the kick-off");
	CHECK_STR(request(CONTEXT_CONCAT, turns, 2, "b", sys, SYSTEM_MESSAGE, NULL), "[" S("S") "," U(M1 "\\n" A1) "]",
		  "CONCAT-N: b's first request is the same as under ECP");
	const char *whole = "[" S("S") "," U(M1 "\\n" A1 "\\n" B1 "\\n" C1 "\\n" M2) "]";
	CHECK_STR(request(CONTEXT_CONCAT, turns, 5, "a", sys, SYSTEM_MESSAGE, NULL), whole,
		  "CONCAT-N: a's own turns are lines of the shared transcript, never assistant messages");
	CHECK_STR(request(CONTEXT_CONCAT, turns, 5, "c", sys, SYSTEM_MESSAGE, NULL), whole,
		  "CONCAT-N: whoever is asked gets the same transcript");
	CHECK_STR(request(CONTEXT_CONCAT, turns, 5, "moderator", sys, SYSTEM_MESSAGE, NULL), whole,
		  "CONCAT-N: the moderator gets the same transcript too");
	CHECK_STR(request(CONTEXT_CONCAT, turns, 7, "c", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U(M1 "\\n" A1 "\\n" B1 "\\n" C1 "\\n" M2 "\\n" A2 "\\nCleo: Fine by me.") "]",
		  "CONCAT-N: asked right after its own turn, no cue: the transcript is the user's");
}

static void test_probes(jv turns, jv sys)
{
	CHECK_STR(request(CONTEXT_ECP, turns, 5, "a", sys, SYSTEM_MESSAGE, "Who are you?"),
		  "[" S("S") "," U(M1) "," A("I think we should walk.") "," U(B1 "\\n" C1 "\\n" M2
										 "\\n\\nWho are you?") "]",
		  "probe: after others' turns, the question joins their user message after a blank line");
	CHECK_STR(request(CONTEXT_ECP, turns, 6, "a", sys, SYSTEM_MESSAGE, "Who are you?"),
		  "[" S("S") "," U(M1) "," A("I think we should walk.") "," U(B1 "\\n" C1 "\\n" M2) "," A(
			  "Walking is greener.") "," U("Who are you?") "]",
		  "probe: after self's own turn, the question is a message of its own (no cue)");
	CHECK_STR(request(CONTEXT_ECP, turns, 0, "a", sys, SYSTEM_MESSAGE, "Who are you?"),
		  "[" S("S") "," U("Who are you?") "]", "probe before anyone spoke: system prompt and question only");
	CHECK_STR(request(CONTEXT_CONCAT, turns, 2, "a", sys, SYSTEM_MESSAGE, "Who are you?"),
		  "[" S("S") "," U(M1 "\\n" A1 "\\n\\nWho are you?") "]",
		  "CONCAT-N probe: the question follows the transcript after a blank line");
}

static void test_first_user(jv turns, jv sys)
{
	CHECK_STR(request(CONTEXT_ECP, turns, 0, "a", sys, SYSTEM_FIRST_USER, NULL), "[" U("S\\n\\n" K) "]",
		  "first-user: the system text opens the kick-off");
	CHECK_STR(request(CONTEXT_ECP, turns, 2, "b", sys, SYSTEM_FIRST_USER, NULL), "[" U("S\\n\\n" M1 "\\n" A1) "]",
		  "first-user: the system text opens the transcript message");
	CHECK_STR(request(CONTEXT_ECP, turns, 5, "a", sys, SYSTEM_FIRST_USER, NULL),
		  "[" U("S\\n\\n" M1) "," A("I think we should walk.") "," U(B1 "\\n" C1 "\\n" M2) "]",
		  "first-user ECP: only the first user message carries the system text");
	CHECK_STR(request(CONTEXT_ECP, turns, 2, "moderator", sys, SYSTEM_FIRST_USER, NULL),
		  "[" U("S\\n\\n" K) "," A("Welcome. Ana, please start.") "," U(A1) "]",
		  "first-user: an opener's kick-off carries the system text");
	CHECK_STR(request(CONTEXT_CONCAT, turns, 3, "c", sys, SYSTEM_FIRST_USER, "Why?"),
		  "[" U("S\\n\\n" M1 "\\n" A1 "\\n" B1 "\\n\\nWhy?") "]",
		  "first-user CONCAT-N probe: system text, transcript, question in one user message");
	CHECK_STR(request(CONTEXT_ECP, turns, 0, "a", sys, SYSTEM_FIRST_USER, "Why?"), "[" U("S\\n\\nWhy?") "]",
		  "first-user probe before anyone spoke");
}

static void test_escaping(jv sys)
{
	const char *name = "Zo\xc3\xab \"Z\" \xe6\x9d\x8e";
	const char *text = "line one\nline \\two\\ \xe2\x9c\x93\t\x01";
	jv turns = jv_array_append(jv_array(), turn("z", name, text));
	turns = jv_array_append(turns, turn("a", "Ana", "say \"hi\"\n\xf0\x9f\x98\x80"));
	CHECK_STR(request(CONTEXT_ECP, turns, 2, "a", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U("Zo\xc3\xab \\\"Z\\\" \xe6\x9d\x8e: line one\\nline \\\\two\\\\ "
				   "\xe2\x9c\x93\\t\\u0001") "," A("say \\\"hi\\\"\\n\xf0\x9f\x98\x80") "," U(CUE) "]",
		  "quotes, backslashes, newlines and control characters are escaped; UTF-8 passes as is");
	struct buf out = BUF_INIT;
	groupview_request(CONTEXT_CONCAT, turns, 2, "a", sys, SYSTEM_MESSAGE, jv_invalid(), &out);
	char err[128];
	jv parsed = json_check(out.data, out.len, err, sizeof err) == 0 ? json_parse(out.data, out.len) : jv_invalid();
	struct buf want = BUF_INIT;
	buf_adds(&want, name);
	buf_adds(&want, ": ");
	buf_adds(&want, text);
	buf_adds(&want, "\nAna: say \"hi\"\n\xf0\x9f\x98\x80");
	jv message = jv_get_kind(parsed) == JV_KIND_ARRAY && jv_array_length(jv_copy(parsed)) == 2
			     ? jv_array_get(jv_copy(parsed), 1)
			     : jv_invalid();
	jv content = jvu_get_borrow(message, "content");
	jv_free(message);
	CHECK(jv_get_kind(content) == JV_KIND_STRING && strcmp(jv_string_value(content), want.data) == 0,
	      "the request is strict JSON whose user message reads back as the exact lines");
	jv_free(content);
	jv_free(parsed);
	buf_free(&want);
	buf_free(&out);
	jv_free(turns);
}

static void test_odd_turns(jv turns, jv sys)
{
	jv odd = jv_parse("[1,{\"speaker\":\"b\"},{\"speaker\":7,\"name\":\"Ben\",\"text\":5},{\"text\":\"anon\"},"
			  "{\"speaker\":\"a\",\"name\":\"Ana\",\"text\":null},{\"speaker\":\"c\",\"name\":\"\","
			  "\"text\":\"x\"},{\"speaker\":\"d\",\"name\":[1],\"text\":{\"t\":1}}]");
	CHECK_STR(request(CONTEXT_ECP, odd, 7, "a", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U("\\nb: \\nBen: \\nanon") "," A("") "," U("c: x\\nd: ") "]",
		  "odd turns: non-string text is \"\", a missing or empty name falls back to the id, "
		  "neither gives the text alone, a non-string speaker is never self");
	CHECK_STR(request(CONTEXT_CONCAT, odd, 7, "7", sys, SYSTEM_MESSAGE, NULL),
		  "[" S("S") "," U("\\nb: \\nBen: \\nanon\\nAna: \\nc: x\\nd: ") "]",
		  "odd turns under CONCAT-N: every turn is a line, never a crash");
	jv_free(odd);
	const char *all = request(CONTEXT_ECP, turns, 8, "c", sys, SYSTEM_MESSAGE, NULL);
	char whole[8192];
	snprintf(whole, sizeof whole, "%s", all);
	CHECK_STR(request(CONTEXT_ECP, turns, 1000, "c", sys, SYSTEM_MESSAGE, NULL), whole,
		  "upto beyond the array length is the whole history");
	jv number = jv_number(3);
	CHECK_STR(request(CONTEXT_ECP, number, 5, "a", sys, SYSTEM_MESSAGE, NULL), "[" S("S") "," U(K) "]",
		  "a history that is not an array is an empty one");
	jv_free(number);
	CHECK_STR(request(CONTEXT_ECP, turns, 2, "b", jv_invalid(), SYSTEM_MESSAGE, NULL), "[" U(M1 "\\n" A1) "]",
		  "a system prompt that is not a string is left out");
}

/* Every participant at every point of the script, both modes, both placements, turn
 * requests and probes: each request keeps the invariant. */
static void test_every_request_keeps_the_invariant(jv turns, jv sys)
{
	const char *selves[] = { "a", "b", "c", "moderator" };
	size_t n = (size_t)jv_array_length(jv_copy(turns));
	int before = requests_invalid, count = 0;
	for (int mode = 0; mode < 2; mode++)
		for (int placement = 0; placement < 2; placement++)
			for (size_t who = 0; who < sizeof selves / sizeof *selves; who++)
				for (size_t upto = 0; upto <= n; upto++)
					for (int probe = 0; probe < 2; probe++, count++)
						request((enum context_mode)mode, turns, upto, selves[who], sys,
							(enum system_placement)placement, probe ? "Q?" : NULL);
	CHECK(requests_invalid == before && count == 2 * 2 * 4 * 9 * 2,
	      "all %d requests of the script keep [system] user (assistant user)*", count);
}

int main(void)
{
	jv turns = script();
	jv sys = jv_string("S");
	test_ecp(turns, sys);
	test_concat(turns, sys);
	test_probes(turns, sys);
	test_first_user(turns, sys);
	test_escaping(sys);
	test_odd_turns(turns, sys);
	test_every_request_keeps_the_invariant(turns, sys);
	CHECK(requests_invalid == 0, "every request made in this test passes chat_check");
	jv_free(sys);
	jv_free(turns);
	return UNIT_DONE();
}
