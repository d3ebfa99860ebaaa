#include <stdlib.h>

#include "jsontext.h"
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
	return UNIT_DONE();
}
