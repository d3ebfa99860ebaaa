#include <stdlib.h>

#include "buf.h"
#include "jsontext.h"
#include "rng.h"
#include "unit.h"

static const char *problem(const char *text)
{
	static char err[160];
	if (json_check(text, strlen(text), err, sizeof err) == 0)
		return "valid";
	return err;
}

/* Text nested n deep: [[[...1...]]] */
static char *nested(int n)
{
	char *s = malloc((size_t)n * 2 + 2);
	memset(s, '[', (size_t)n);
	s[n] = '1';
	memset(s + n + 1, ']', (size_t)n);
	s[2 * n + 1] = '\0';
	return s;
}

/* Random JSON text for the property test: strings with every escape, \\u escapes
 * (surrogate pairs too), raw UTF-8 and bytes that are not UTF-8; numbers of every
 * form the grammar has, long and extreme ones included; nesting; duplicate keys. */
static void random_string(struct rng *r, struct buf *out)
{
	static const char *const pieces[] = { "a",
					      "xyz",
					      " ",
					      "\\n",
					      "\\t",
					      "\\\"",
					      "\\\\",
					      "\\/",
					      "\\b",
					      "\\f",
					      "\\r",
					      "\\u0000",
					      "\\u001f",
					      "\\u007f",
					      "\\u00e9",
					      "\\u2028",
					      "\\uffff",
					      "\\ud83d\\ude00",
					      "\\udc00",
					      "\xc3\xa9",
					      "\xe2\x82\xac",
					      "\xf0\x9f\x98\x80",
					      "\xff",
					      "\xc3\x28",
					      "\xe2\x82",
					      "\xed\xa0\x80",
					      "\x7f",
					      "key" };
	buf_addc(out, '"');
	int n = (int)(rng_next(r) % 8);
	for (int i = 0; i < n; i++)
		buf_adds(out, pieces[rng_next(r) % (sizeof pieces / sizeof *pieces)]);
	buf_addc(out, '"');
}

static void random_value(struct rng *r, struct buf *out, int depth)
{
	static const char *const numbers[] = { "0",
					       "-0",
					       "1",
					       "-3",
					       "0.7",
					       "1e15",
					       "1e16",
					       "12345678901234567",
					       "1.5e-7",
					       "3.14159",
					       "9007199254740993",
					       "1e400",
					       "-1e400",
					       "4.9e-324",
					       "2.2250738585072011e-308",
					       "0.1e-400",
					       "123456789012345678901234567890",
					       "1E+2",
					       "1e-05",
					       "100000",
					       "0.30000000000000004",
					       "1.00000000000000000000000000000000000000000000000000000000000000001" };
	int kind = (int)(rng_next(r) % (depth > 5 ? 3 : 5));
	if (kind == 0) {
		random_string(r, out);
	} else if (kind == 1) {
		buf_adds(out, numbers[rng_next(r) % (sizeof numbers / sizeof *numbers)]);
	} else if (kind == 2) {
		static const char *const words[] = { "true", "false", "null" };
		buf_adds(out, words[rng_next(r) % 3]);
	} else {
		int object = kind == 4, n = (int)(rng_next(r) % 5);
		buf_adds(out, object ? "{ " : "[\n");
		for (int i = 0; i < n; i++) {
			if (i)
				buf_adds(out, rng_next(r) % 2 ? "," : " ,\t");
			if (object) {
				random_string(r, out);
				buf_adds(out, " : ");
			}
			random_value(r, out, depth + 1);
		}
		buf_adds(out, object ? " }" : "\r\n]");
	}
}

/* json_parse builds values itself; libjq's parser is the reference. */
static int same_as_libjq(const char *text, size_t len)
{
	jv ours = json_parse(text, len), theirs = jv_parse_sized(text, (int)len);
	int same = jv_is_valid(ours) && jv_is_valid(theirs) && jv_equal(jv_copy(ours), jv_copy(theirs));
	if (same) {
		jv a = jv_dump_string(jv_copy(ours), 0), b = jv_dump_string(jv_copy(theirs), 0);
		same = strcmp(jv_string_value(a), jv_string_value(b)) == 0; /* members in the same order too */
		jv_free(a);
		jv_free(b);
	}
	jv_free(ours);
	jv_free(theirs);
	return same;
}

int main(void)
{
	static const char *const valid[] = {
		"{}",
		"[]",
		"0",
		"-0",
		"1e400",
		"-1.5E-3",
		"0.5",
		"\"\"",
		"true",
		"false",
		"null",
		" \t\r\n{\"a\" : [1, 2.0, {\"b\": null}] , \"c\":\"\\u00e9\\n\\\"\\\\\\/\"}\r\n",
		"{\"a\":1,\"a\":2}",
		"\"caf\xc3\xa9\"",
		"[[],{}]",
		"\"\\ud83d\\ude00\"",
		"\"\\udc00\"",
	};
	for (size_t i = 0; i < sizeof valid / sizeof *valid; i++) {
		CHECK_STR(problem(valid[i]), "valid", "valid JSON #%zu is accepted", i);
		jv v = json_parse(valid[i], strlen(valid[i]));
		CHECK(jv_is_valid(v), "and libjq parses what passed (#%zu)", i);
		jv_free(v);
	}

	static const char *const invalid[][2] = {
		{ "", "no JSON value at line 1, column 1" },
		{ "  \n ", "no JSON value at line 2, column 2" },
		{ "[\"a\" \"b\"]", "expected ',' or ']' at line 1, column 6" },
		{ "{\"a\":1 \"b\":2}", "expected ',' or '}' at line 1, column 8" },
		{ "{\"a\" 1}", "expected ':' after a key at line 1, column 6" },
		{ "{1:2}", "expected a string key at line 1, column 2" },
		{ "{\"a\":1,}", "expected a string key at line 1, column 8" },
		{ "[1,]", "expected a value at line 1, column 4" },
		{ "[1", "unfinished array at line 1, column 3" },
		{ "{\"a\":", "unfinished array or object at line 1, column 6" },
		{ "{\"a\"", "expected ':' after a key at line 1, column 5" },
		{ "\"abc", "unterminated string at line 1, column 5" },
		{ "\"a\tb\"", "control character in a string (it must be escaped) at line 1, column 3" },
		{ "\"\\x\"", "bad escape in a string at line 1, column 3" },
		{ "\"\\u12g4\"", "bad \\u escape (four hex digits expected) at line 1, column 3" },
		{ "\"\\ud800\"", "unpaired surrogate in a \\u escape at line 1, column 3" },
		{ "\"\\ud800\\u0041\"", "unpaired surrogate in a \\u escape at line 1, column 3" },
		{ "01", "bad number at line 1, column 1" },
		{ "1.", "bad number at line 1, column 1" },
		{ "-", "bad number at line 1, column 1" },
		{ "1e", "bad number at line 1, column 1" },
		{ "+1", "expected a value at line 1, column 1" },
		{ "nan", "not a JSON value (true, false and null are the only words) at line 1, column 1" },
		{ "truex", "not a JSON value (true, false and null are the only words) at line 1, column 1" },
		{ "1 2", "unexpected text after the value at line 1, column 3" },
		{ "{}\n{}", "unexpected text after the value at line 2, column 1" },
		{ "[1]]", "unexpected text after the value at line 1, column 4" },
		{ "// comment\n1", "expected a value at line 1, column 1" },
	};
	for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++)
		CHECK_STR(problem(invalid[i][0]), invalid[i][1], "invalid JSON is named and located: %s",
			  invalid[i][1]);

	char *deepest = nested(JSON_MAX_DEPTH), *too_deep = nested(JSON_MAX_DEPTH + 1);
	CHECK_STR(problem(deepest), "valid", "nesting %d deep is accepted", JSON_MAX_DEPTH);
	jv v = json_parse(deepest, strlen(deepest));
	CHECK(jv_is_valid(v), "and libjq parses it");
	jv_free(v);
	CHECK_STR(problem(too_deep), "nested deeper than 256 levels at line 1, column 257",
		  "one level more is refused");
	char *very_deep = nested(10000);
	CHECK_STR(problem(very_deep), "nested deeper than 256 levels at line 1, column 257",
		  "10,000 levels are refused at the 257th, without recursion");
	free(deepest);
	free(too_deep);
	free(very_deep);

	v = json_parse("[\"a\" \"b\"]", 9);
	jv msg = jv_invalid_get_msg(v);
	CHECK_STR(jv_string_value(msg), "expected ',' or ']' at line 1, column 6",
		  "json_parse returns the check's message and never hands libjq the bad text");
	jv_free(msg);

	CHECK_STR(problem("[1,2]garbage"), "unexpected text after the value at line 1, column 6",
		  "only the given length is read");
	char err[160];
	CHECK(json_check("[1,2]garbage", 5, err, sizeof err) == 0, "a prefix given by length is checked alone");

	int differ = 0, checked = 0;
	struct rng r = rng_stream(1, NULL, "test-jsontext");
	for (int i = 0; i < 20000; i++) {
		struct buf text = BUF_INIT;
		random_value(&r, &text, 0);
		if (json_check(text.data, text.len, err, sizeof err) == 0) {
			checked++;
			if (!same_as_libjq(text.data, text.len) && differ++ < 5)
				printf("# differs: %s\n", text.data);
		}
		buf_free(&text);
	}
	CHECK(differ == 0 && checked > 15000,
	      "json_parse gives libjq's values, bytes and member order (%d random texts, %d differ)", checked, differ);
	for (size_t i = 0; i < sizeof valid / sizeof *valid; i++)
		CHECK(same_as_libjq(valid[i], strlen(valid[i])), "and for valid JSON #%zu", i);
	return UNIT_DONE();
}
