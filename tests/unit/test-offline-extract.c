/* The offline stand-in's extraction answers: one JSON object with every property of the
 * schema, each value valid for its keywords, leaning the way the transcript's words do. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "offline.h"
#include "unit.h"

static const char *refund_schema =
	"{\"type\":\"object\",\"properties\":{"
	"\"resolved\":{\"type\":\"boolean\",\"description\":\"was the client's problem resolved?\"},"
	"\"frustration\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5},"
	"\"objection\":{\"type\":\"string\",\"enum\":[\"price\",\"quality\",\"refund\",\"none\"]},"
	"\"summary\":{\"type\":\"string\",\"maxLength\":30},"
	"\"topics\":{\"type\":\"array\",\"items\":{\"type\":\"string\"}},"
	"\"confidence\":{\"type\":\"number\",\"minimum\":0,\"maximum\":1}},"
	"\"required\":[\"resolved\",\"frustration\"]}";

static const char *angry_transcript = "Conversation:\n"
				      "client: I have been waiting three weeks for my refund and nobody answers.\n"
				      "responder: I'm sorry, let me look into that for you.\n"
				      "client: It is still not working and I am frustrated.\n";

static const char *happy_transcript = "Conversation:\n"
				      "client: My invoice showed the wrong amount.\n"
				      "responder: I have corrected it, you will get a new one today.\n"
				      "client: Thanks, that solved it. Great help!\n";

static jv message(const char *role, const char *content)
{
	jv m = jv_object_set(jv_object(), jv_string("role"), jv_string(role));
	return jv_object_set(m, jv_string("content"), jv_string(content));
}

/* The extraction request: instructions, then the transcript with the schema line. */
static jv request(const char *transcript, const char *schema)
{
	char *text = malloc(strlen(transcript) + strlen(schema) + 64);
	sprintf(text, "%sSCHEMA: %s\nAnswer with one JSON object.", transcript, schema);
	jv chat = jv_array_append(jv_array(), message("system", "Read the conversation and answer as JSON."));
	chat = jv_array_append(chat, message("user", text));
	free(text);
	return chat;
}

/* Ask the stand-in; the request stays owned by the caller. */
static char *extract(jv messages, uint64_t seed)
{
	struct offline_request req = { OFFLINE_EXTRACT, jv_null(), messages, seed, 0 };
	return offline_generate(&req);
}

/* The answer to transcript + schema, parsed (jv_invalid() when it is not JSON). */
static jv answer(const char *transcript, const char *schema)
{
	jv chat = request(transcript, schema);
	char *text = extract(chat, 1);
	jv v = jv_parse(text);
	free(text);
	jv_free(chat);
	return v;
}

/* obj[key] as a number, or NAN. obj is borrowed. */
static double number_at(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return NAN;
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	double x = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : NAN;
	jv_free(v);
	return x;
}

/* obj[key]'s kind (JV_KIND_INVALID when absent). obj is borrowed. */
static jv_kind kind_at(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return JV_KIND_INVALID;
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	jv_kind k = jv_get_kind(v);
	jv_free(v);
	return k;
}

/* Code points of a UTF-8 string. */
static size_t code_points(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

/* obj[key]'s string length in code points, or -1 when not a string. obj is borrowed. */
static long length_at(jv obj, const char *key)
{
	if (kind_at(obj, key) != JV_KIND_STRING)
		return -1;
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	long n = (long)code_points(jv_string_value(v));
	jv_free(v);
	return n;
}

int main(void)
{
	/* Exact answers, and the same bytes for the same request. */
	jv chat = request(angry_transcript, refund_schema);
	char *first = extract(chat, 1), *again = extract(chat, 1);
	CHECK_STR(first,
		  "{\"resolved\":false,\"frustration\":5,\"objection\":\"refund\",\"summary\":\"I have been "
		  "waiting three\",\"topics\":[\"waiting\",\"three\",\"weeks\"],\"confidence\":0.08}",
		  "the angry refund transcript gets its pinned answer, keys in the schema's order");
	CHECK(strcmp(first, again) == 0, "the same request gives the same bytes");
	free(first);
	free(again);

	/* A retry (the bad answer and the note after it) answers from the same transcript. */
	chat = jv_array_append(chat, message("assistant", "{\"resolved\":\"maybe\"}"));
	chat = jv_array_append(chat, message("user", "Your answer was not valid: resolved: not a boolean"));
	char *retry = extract(chat, 1);
	jv retried = jv_parse(retry);
	CHECK(kind_at(retried, "resolved") == JV_KIND_FALSE && number_at(retried, "frustration") == 5,
	      "a retry answers again from the transcript before the note");
	jv_free(retried);
	free(retry);
	jv_free(chat);

	/* Direction: frustration rises with negative words, resolved with positive ones. */
	jv angry = answer(angry_transcript, refund_schema);
	jv happy = answer(happy_transcript, refund_schema);
	CHECK(number_at(angry, "frustration") > number_at(happy, "frustration"),
	      "a negative transcript gives higher frustration than a positive one");
	CHECK(kind_at(happy, "resolved") == JV_KIND_TRUE, "\"thanks, that solved it\" is resolved");
	CHECK(kind_at(angry, "resolved") == JV_KIND_FALSE, "a waiting, frustrated client is not resolved");
	CHECK(number_at(happy, "confidence") > number_at(angry, "confidence"), "confidence rises with positive words");
	jv_free(angry);
	jv_free(happy);
	const char *moods = "{\"properties\":{\"mood\":{\"type\":\"integer\",\"description\":\"how frustrated the "
			    "client sounds\"},\"escalate\":{\"type\":\"boolean\"}}}";
	angry = answer(angry_transcript, moods);
	happy = answer(happy_transcript, moods);
	CHECK(number_at(angry, "mood") > number_at(happy, "mood"),
	      "a name the lexicon does not know takes its direction from the description");
	CHECK(kind_at(angry, "escalate") == JV_KIND_TRUE && kind_at(happy, "escalate") == JV_KIND_FALSE,
	      "a boolean named for trouble is true when the transcript leans negative");
	jv_free(angry);
	jv_free(happy);

	/* Validity against each keyword, for both transcripts and several seeds. */
	const char *scales = "{\"type\":\"object\",\"properties\":{"
			     "\"a\":{\"type\":\"integer\",\"minimum\":3,\"maximum\":7},"
			     "\"b\":{\"type\":\"integer\",\"minimum\":-10,\"maximum\":-2},"
			     "\"c\":{\"type\":\"integer\"},"
			     "\"d\":{\"type\":\"number\",\"minimum\":0.5,\"maximum\":0.75},"
			     "\"e\":{\"type\":\"integer\",\"minimum\":10},"
			     "\"f\":{\"type\":\"string\",\"enum\":[\"alpha\",\"beta\",\"gamma\"]},"
			     "\"g\":{\"type\":\"string\",\"maxLength\":5},"
			     "\"h\":{\"type\":\"string\",\"maxLength\":0}},"
			     "\"required\":[\"a\",\"f\",\"extra\"]}";
	const char *transcripts[] = { angry_transcript, happy_transcript, "", "client: hello\n" };
	int in_range = 1, from_list = 1, short_enough = 1, all_there = 1;
	for (size_t t = 0; t < sizeof transcripts / sizeof *transcripts; t++) {
		jv v = answer(transcripts[t], scales);
		double a = number_at(v, "a"), b = number_at(v, "b"), c = number_at(v, "c"), d = number_at(v, "d");
		double e = number_at(v, "e");
		in_range &= a >= 3 && a <= 7 && a == floor(a) && b >= -10 && b <= -2 && b == floor(b);
		in_range &= c >= 1 && c <= 5 && c == floor(c) && d >= 0.5 && d <= 0.75 && e >= 10 && e <= 14;
		jv f = kind_at(v, "f") == JV_KIND_STRING ? jv_object_get(jv_copy(v), jv_string("f")) : jv_string("");
		from_list &= strcmp(jv_string_value(f), "alpha") == 0 || strcmp(jv_string_value(f), "beta") == 0 ||
			     strcmp(jv_string_value(f), "gamma") == 0;
		jv_free(f);
		short_enough &= length_at(v, "g") >= 0 && length_at(v, "g") <= 5 && length_at(v, "h") == 0;
		all_there &= kind_at(v, "a") != JV_KIND_INVALID && kind_at(v, "f") != JV_KIND_INVALID &&
			     kind_at(v, "extra") == JV_KIND_STRING;
		jv_free(v);
	}
	CHECK(in_range, "every integer and number lies within its minimum and maximum (1..5 without them)");
	CHECK(from_list, "an enum answer is one of its values");
	CHECK(short_enough, "a string answer is at most maxLength code points");
	CHECK(all_there, "every required name is answered, even one the properties do not describe");

	/* Enums: the first value the transcript mentions as a word, ignoring case. */
	jv v = answer(
		"client: The QUALITY is poor and the price too high.\n",
		"{\"properties\":{\"o\":{\"enum\":[\"price\",\"quality\"]},\"p\":{\"enum\":[\"too_high\",\"ok\"]},"
		"\"q\":{\"enum\":[\"pri\",\"none\"]}}}");
	jv o = jv_object_get(jv_copy(v), jv_string("o"));
	jv p = jv_object_get(jv_copy(v), jv_string("p"));
	CHECK_STR(jv_string_value(o), "price", "an enum answer is the first value the transcript mentions");
	CHECK_STR(jv_string_value(p), "too_high", "an enum value with '_' is found with a space in the text");
	CHECK(kind_at(v, "q") == JV_KIND_STRING, "a value inside a word is no mention, but one value is still chosen");
	jv_free(o);
	jv_free(p);
	jv_free(v);

	/* Multi-byte text is cut in code points, never inside one. */
	v = answer("client: Überweisung fehlgeschlagen — schon wieder 😠 warum?\n",
		   "{\"properties\":{\"s\":{\"type\":\"string\",\"maxLength\":12},"
		   "\"w\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":3}}}}");
	jv s = jv_object_get(jv_copy(v), jv_string("s"));
	CHECK_STR(jv_string_value(s), "Überweisung", "a quote of multi-byte text is cut to maxLength code points");
	jv_free(s);
	CHECK(length_at(v, "s") <= 12, "the cut quote is at most maxLength code points long");
	jv w = jv_object_get(jv_copy(v), jv_string("w"));
	int words_ok = jv_get_kind(w) == JV_KIND_ARRAY && jv_array_length(jv_copy(w)) <= 3;
	for (int i = 0; words_ok && i < jv_array_length(jv_copy(w)); i++) {
		jv item = jv_array_get(jv_copy(w), i);
		words_ok = jv_get_kind(item) == JV_KIND_STRING && code_points(jv_string_value(item)) <= 3;
		jv_free(item);
	}
	CHECK(words_ok, "an array of strings has at most three words, each within the items' maxLength");
	jv_free(w);
	jv_free(v);

	/* No schema, or a broken one: the empty object. */
	jv none = jv_array_append(jv_array(), message("user", angry_transcript));
	char *text = extract(none, 1);
	CHECK_STR(text, "{}", "a request without a SCHEMA: line gets {}");
	free(text);
	jv_free(none);
	jv broken = request(angry_transcript, "{\"type\":\"object\",\"properties\":{\"a\":");
	text = extract(broken, 1);
	CHECK_STR(text, "{}", "a schema that is not JSON gets {}");
	free(text);
	jv_free(broken);
	jv not_object = request(angry_transcript, "[1,2,3]");
	text = extract(not_object, 1);
	CHECK_STR(text, "{}", "a schema that is not an object gets {}");
	free(text);
	jv_free(not_object);
	jv mid_line = jv_array_append(jv_array(), message("user", "client: my SCHEMA: {\"properties\":{\"a\":{}}}"));
	text = extract(mid_line, 1);
	CHECK_STR(text, "{}", "\"SCHEMA:\" counts only at the start of a line");
	free(text);
	jv_free(mid_line);
	jv next_line = jv_array_append(
		jv_array(),
		message("user", "client: thanks\nSCHEMA:\n\n{\"properties\":{\"ok\":{\"type\":\"boolean\"}}}\n"));
	text = extract(next_line, 1);
	CHECK_STR(text, "{\"ok\":true}", "the schema may stand on the line after \"SCHEMA:\"");
	free(text);
	jv_free(next_line);

	/* Hostile schemas still get a valid answer. */
	v = answer(angry_transcript, "{\"properties\":{\"s\":{\"type\":\"string\",\"maxLength\":1e300},"
				     "\"t\":{\"type\":\"string\",\"maxLength\":-3}}}");
	CHECK(length_at(v, "s") > 0 && length_at(v, "s") <= 80 && length_at(v, "t") >= 0,
	      "a huge maxLength quotes one line; a negative one is ignored");
	jv_free(v);
	v = answer(angry_transcript, "{\"properties\":{\"n\":{\"enum\":[3,null,{\"x\":1}]}}}");
	jv n = kind_at(v, "n") != JV_KIND_INVALID ? jv_object_get(jv_copy(v), jv_string("n")) : jv_invalid();
	int is_three = jv_equal(jv_copy(n), jv_number(3));
	int is_object = jv_equal(jv_copy(n), jv_parse("{\"x\":1}"));
	CHECK(is_three || jv_get_kind(n) == JV_KIND_NULL || is_object,
	      "an enum of non-strings answers one of its values as it is");
	jv_free(n);
	jv_free(v);
	v = answer(angry_transcript, "{\"properties\":{\"i\":{\"type\":\"integer\",\"minimum\":9,\"maximum\":2},"
				     "\"x\":{\"type\":\"number\",\"minimum\":-1e308,\"maximum\":1e308},"
				     "\"y\":{\"type\":[\"integer\",\"null\"],\"minimum\":0,\"maximum\":10},"
				     "\"z\":{\"type\":\"null\"},\"u\":{\"type\":\"whatever\"},"
				     "\"e\":{\"type\":\"string\",\"enum\":[]}}}");
	CHECK(number_at(v, "i") == 9, "minimum > maximum: the answer is the minimum");
	CHECK(number_at(v, "x") >= -1e308 && number_at(v, "x") <= 1e308, "the widest range does not overflow");
	CHECK(number_at(v, "y") >= 0 && number_at(v, "y") <= 10, "a list of types takes its first");
	CHECK(kind_at(v, "z") == JV_KIND_NULL && kind_at(v, "u") == JV_KIND_STRING && kind_at(v, "e") == JV_KIND_STRING,
	      "type null answers null; an unknown type and an empty enum answer a string");
	jv_free(v);

	/* Nested objects recurse, to a bounded depth. */
	v = answer(happy_transcript, "{\"properties\":{\"outer\":{\"type\":\"object\",\"properties\":{\"inner\":"
				     "{\"type\":\"object\",\"properties\":{\"satisfied\":{\"type\":\"boolean\"}},"
				     "\"required\":[\"satisfied\"]}}}}}");
	jv dumped = jv_dump_string(jv_copy(v), 0);
	CHECK_STR(jv_string_value(dumped), "{\"outer\":{\"inner\":{\"satisfied\":true}}}",
		  "a nested object is answered property by property");
	jv_free(dumped);
	jv_free(v);
	char deep[4096] = "";
	for (int i = 0; i < 40; i++)
		strcat(deep, "{\"properties\":{\"a\":");
	strcat(deep, "{\"type\":\"integer\"}");
	for (int i = 0; i < 40; i++)
		strcat(deep, "}}");
	v = answer(angry_transcript, deep);
	int depth = 0;
	jv at = jv_copy(v);
	while (jv_get_kind(at) == JV_KIND_OBJECT && kind_at(at, "a") != JV_KIND_INVALID) {
		jv next = jv_object_get(at, jv_string("a"));
		at = next;
		depth++;
	}
	CHECK(jv_get_kind(v) == JV_KIND_OBJECT && depth > 0 && depth <= 10,
	      "a schema 40 objects deep is answered to a bounded depth (%d)", depth);
	jv_free(at);
	jv_free(v);

	return UNIT_DONE();
}
