#include <stdlib.h>

#include "jsonschema.h"
#include "jsontext.h"
#include "unit.h"

static struct buf text;

static jv parse(const char *json)
{
	jv v = json_parse(json, strlen(json));
	if (!jv_is_valid(v)) {
		printf("# bad JSON in the test itself: %s\n", json);
		exit(99);
	}
	return v;
}

/* "ok", or the schema's problem. */
static const char *schema_problem(const char *schema)
{
	jv s = parse(schema);
	buf_reset(&text);
	if (jsonschema_check(s, &text) == 0)
		buf_adds(&text, "ok");
	jv_free(s);
	return text.data;
}

/* "valid", or the value's first problem. */
static const char *problem(const char *schema, const char *value)
{
	jv s = parse(schema), v = parse(value);
	buf_reset(&text);
	if (jsonschema_validate(s, v, &text) == 0)
		buf_adds(&text, "valid");
	jv_free(s);
	jv_free(v);
	return text.data;
}

static const char *outline(const char *schema)
{
	jv s = parse(schema);
	buf_reset(&text);
	jsonschema_outline(s, &text);
	jv_free(s);
	return text.data;
}

/* head, then n times middle, then tail: JSON nested n deep. */
static char *repeat(const char *head, const char *middle, int n, const char *tail)
{
	size_t len = strlen(head) + strlen(middle) * (size_t)n + strlen(tail) + 1;
	char *s = malloc(len);
	strcpy(s, head);
	for (int i = 0; i < n; i++)
		strcat(s, middle);
	strcat(s, tail);
	return s;
}

/* open n times, leaf, close n times. */
static char *nest(const char *open, int n, const char *leaf, const char *close)
{
	char *inner = repeat(leaf, close, n, "");
	char *all = repeat("", open, n, inner);
	free(inner);
	return all;
}

/* {"items":{"items":...{}...}} with n schemas in all. */
static char *items_schema(int n)
{
	char *open = repeat("", "{\"items\":", n - 1, "{}");
	char *all = repeat(open, "}", n - 1, "");
	free(open);
	return all;
}

static const char *const survey =
	"{\"type\":\"object\",\"additionalProperties\":false,"
	"\"required\":[\"resolved\",\"frustration\",\"objection\"],\"properties\":{"
	"\"resolved\":{\"type\":\"boolean\",\"description\":\"Was the customer's problem solved?\"},"
	"\"frustration\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":5,"
	"\"description\":\"How frustrated was the customer?\"},"
	"\"objection\":{\"enum\":[\"price\",\"quality\",\"none\"],\"description\":\"The main objection\"},"
	"\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},\"maxItems\":3,"
	"\"description\":\"Topics\"},"
	"\"summary\":{\"type\":\"string\",\"maxLength\":100}}}";

int main(void)
{
	/* ---- a whole answer, the way extract uses it ---- */
	CHECK_STR(
		problem(survey, "{\"resolved\":true,\"frustration\":2,\"objection\":\"none\",\"tags\":[\"billing\"]}"),
		"valid", "a complete answer is valid");
	CHECK_STR(problem(survey, "{\"resolved\":true,\"frustration\":7,\"objection\":\"none\"}"),
		  "$.frustration: 7 is more than the maximum 5", "a number above maximum is named with the bound");
	CHECK_STR(problem(survey, "{\"frustration\":2,\"objection\":\"none\"}"),
		  "$: missing required property \"resolved\"", "a missing required property is named");
	CHECK_STR(problem(survey, "{\"resolved\":null,\"frustration\":2,\"objection\":\"none\"}"),
		  "$.resolved: must be a boolean, not null", "a required property given as null fails on its type");
	CHECK_STR(problem(survey, "{\"resolved\":true,\"frustration\":2,\"objection\":\"cost\"}"),
		  "$.objection: must be one of \"price\", \"quality\", \"none\"",
		  "a value outside the enum lists the enum");
	CHECK_STR(problem(survey,
			  "{\"resolved\":true,\"frustration\":2,\"objection\":\"none\",\"tags\":[\"a\",\"b\",3]}"),
		  "$.tags[2]: must be a string, not a number", "an array element's path has its index");
	CHECK_STR(problem(survey, "{\"resolved\":true,\"frustration\":2,\"objection\":\"none\",\"extra\":1}"),
		  "$: unexpected property \"extra\"", "additionalProperties false rejects an unknown key");
	CHECK_STR(problem(survey, "{\"objection\":\"cost\",\"extra\":1,\"frustration\":9}"),
		  "$: missing required property \"resolved\"", "the first problem in the schema's property order wins");
	CHECK_STR(problem(survey, "{\"resolved\":true,\"frustration\":1,\"objection\":\"none\",\"zz\":1,\"aa\":2}"),
		  "$: unexpected property \"zz\"", "unexpected keys are reported in the value's order");
	CHECK_STR(problem(survey, "[]"), "$: must be an object, not an array", "the root's type is checked");

	/* ---- type ---- */
	static const char *const kinds[][3] = {
		{ "object", "{}", "[]" },       { "array", "[]", "{}" },    { "string", "\"\"", "1" },
		{ "number", "2.5", "\"2.5\"" }, { "integer", "2", "true" }, { "boolean", "false", "null" },
		{ "null", "null", "0" },
	};
	static const char *const wrong[] = {
		"$: must be an object, not an array",   "$: must be an array, not an object",
		"$: must be a string, not a number",    "$: must be a number, not a string",
		"$: must be an integer, not a boolean", "$: must be a boolean, not null",
		"$: must be null, not a number"
	};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		char schema[64];
		snprintf(schema, sizeof schema, "{\"type\":\"%s\"}", kinds[i][0]);
		CHECK_STR(problem(schema, kinds[i][1]), "valid", "type %s accepts %s", kinds[i][0], kinds[i][1]);
		CHECK_STR(problem(schema, kinds[i][2]), wrong[i], "type %s refuses %s", kinds[i][0], kinds[i][2]);
	}
	CHECK_STR(problem("{\"type\":\"integer\"}", "2.0"), "valid", "2.0 is an integer");
	CHECK_STR(problem("{\"type\":\"integer\"}", "-0"), "valid", "-0 is an integer");
	CHECK_STR(problem("{\"type\":\"integer\"}", "1e300"), "valid", "1e300 is an integer (no fractional part)");
	CHECK_STR(problem("{\"type\":\"integer\"}", "2.5"), "$: must be an integer, not 2.5",
		  "2.5 is not an integer, and the message says which number");
	CHECK_STR(problem("{\"type\":\"number\"}", "3"), "valid", "number accepts integers");
	CHECK_STR(problem("{\"type\":[\"string\",\"null\"]}", "null"), "valid",
		  "a type array accepts any of its types");
	CHECK_STR(problem("{\"type\":[\"string\",\"null\"]}", "\"x\""), "valid", "a type array accepts its first type");
	CHECK_STR(problem("{\"type\":[\"string\",\"null\"]}", "1"), "$: must be a string or null, not a number",
		  "a type array's message joins two types with or");
	CHECK_STR(problem("{\"type\":[\"object\",\"array\",\"null\"]}", "true"),
		  "$: must be an object, an array or null, not a boolean", "three types: commas, then or");
	CHECK_STR(problem("{\"type\":[\"integer\",\"string\"]}", "0.5"), "$: must be an integer or a string, not 0.5",
		  "a fraction where integer is among the types is named");
	CHECK_STR(problem("{}", "[{\"a\":null}]"), "valid", "a schema without keywords accepts anything");

	/* ---- enum ---- */
	const char *mixed = "{\"enum\":[1,\"1\",null,true,[1,2],{\"a\":1}]}";
	CHECK_STR(problem(mixed, "1.0"), "valid", "enum compares numbers by value (1.0 is 1)");
	CHECK_STR(problem(mixed, "\"1\""), "valid", "enum accepts a string member");
	CHECK_STR(problem(mixed, "null"), "valid", "enum accepts null as a member");
	CHECK_STR(problem(mixed, "[1.0,2]"), "valid", "enum compares arrays element by element");
	CHECK_STR(problem(mixed, "{\"a\":1}"), "valid", "enum compares objects by JSON equality");
	CHECK_STR(problem(mixed, "false"), "$: must be one of 1, \"1\", null, true, [1,2], {\"a\":1}",
		  "a value outside a mixed enum lists every member as JSON");
	CHECK_STR(problem(mixed, "[2,1]"), "$: must be one of 1, \"1\", null, true, [1,2], {\"a\":1}",
		  "array order matters for enum");
	CHECK_STR(problem("{\"enum\":[\"yes\"]}", "\"no\""), "$: must be \"yes\"", "a one-member enum says must be it");
	CHECK_STR(problem("{\"type\":\"string\",\"enum\":[\"a\"]}", "1"), "$: must be a string, not a number",
		  "type is checked before enum");

	/* ---- minimum, maximum ---- */
	const char *range = "{\"minimum\":1,\"maximum\":5}";
	CHECK_STR(problem(range, "1"), "valid", "minimum is inclusive");
	CHECK_STR(problem(range, "5"), "valid", "maximum is inclusive");
	CHECK_STR(problem(range, "0.5"), "$: 0.5 is less than the minimum 1", "below minimum is named");
	CHECK_STR(problem(range, "5.25"), "$: 5.25 is more than the maximum 5", "above maximum is named");
	CHECK_STR(problem(range, "\"9\""), "valid", "minimum and maximum constrain numbers only");

	/* ---- maxLength ---- */
	const char *short_text = "{\"maxLength\":4}";
	CHECK_STR(problem(short_text, "\"caf\xc3\xa9\""), "valid", "maxLength counts code points (é is one)");
	CHECK_STR(problem(short_text, "\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\""), "valid",
		  "four emoji are four characters");
	CHECK_STR(problem(short_text, "\"caf\xc3\xa9s\""), "$: 5 characters, more than maxLength 4",
		  "too long a string says its length and the limit");
	CHECK_STR(problem("{\"maxLength\":0}", "\"\xc3\xa9\""), "$: 1 character, more than maxLength 0",
		  "one character is singular");
	CHECK_STR(problem(short_text, "123456"), "valid", "maxLength constrains strings only");
	CHECK_STR(problem("{\"properties\":{\"summary\":{\"maxLength\":100}}}", "{}"), "valid",
		  "an object without the property is valid");
	char *long_text = repeat("{\"summary\":\"", "abcdefghij", 14, "ab\"}");
	CHECK_STR(problem("{\"properties\":{\"summary\":{\"maxLength\":100}}}", long_text),
		  "$.summary: 142 characters, more than maxLength 100", "a long property is named by its path");
	free(long_text);

	/* ---- items, minItems, maxItems ---- */
	const char *list = "{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":3}";
	CHECK_STR(problem(list, "[1,2,3]"), "valid", "an array within its bounds is valid");
	CHECK_STR(problem(list, "[]"), "$: 0 items, fewer than minItems 1", "too few items is named");
	CHECK_STR(problem(list, "[1,2,3,4]"), "$: 4 items, more than maxItems 3", "too many items is named");
	CHECK_STR(problem(list, "[1,2.5]"), "$[1]: must be an integer, not 2.5", "every item is checked");
	CHECK_STR(problem("{\"minItems\":2}", "[1]"), "$: 1 item, fewer than minItems 2", "one item is singular");
	CHECK_STR(problem("{\"items\":{\"type\":\"string\"}}", "\"abc\""), "valid", "items constrains arrays only");

	/* ---- properties, required, nested paths ---- */
	const char *nested =
		"{\"properties\":{\"customer\":{\"type\":\"object\",\"required\":[\"name\"],\"properties\":{"
		"\"name\":{\"type\":\"string\"},"
		"\"orders\":{\"items\":{\"properties\":{\"total\":{\"minimum\":0}}}}}}}}";
	CHECK_STR(problem(nested, "{\"customer\":{\"name\":\"Ann\",\"orders\":[{\"total\":3},{\"total\":-1}]}}"),
		  "$.customer.orders[1].total: -1 is less than the minimum 0", "paths go through objects and arrays");
	CHECK_STR(problem(nested, "{\"customer\":{\"orders\":[]}}"), "$.customer: missing required property \"name\"",
		  "a nested missing property names its object");
	CHECK_STR(problem(nested, "{\"customer\":{\"name\":\"Ann\",\"other\":1}}"), "valid",
		  "unknown keys are allowed without additionalProperties false");
	CHECK_STR(problem("{\"additionalProperties\":true}", "{\"x\":1}"), "valid", "additionalProperties true allows");
	CHECK_STR(problem("{\"additionalProperties\":false}", "{}"), "valid", "no keys, nothing unexpected");
	CHECK_STR(problem("{\"additionalProperties\":false}", "{\"x\":1}"), "$: unexpected property \"x\"",
		  "additionalProperties false without properties allows no key");
	CHECK_STR(problem("{\"properties\":{\"first name\":{\"type\":\"string\"}}}", "{\"first name\":1}"),
		  "$[\"first name\"]: must be a string, not a number", "a key that is not an identifier is bracketed");
	CHECK_STR(problem("{\"properties\":{\"a\":{\"type\":\"string\"}}}", "[1]"), "valid",
		  "properties constrain objects only");

	/* ---- the schema itself ---- */
	CHECK_STR(schema_problem(survey), "ok", "the survey schema is in the subset");
	static const char *const bad[][2] = {
		{ "[]", "schema: must be an object, not an array" },
		{ "true", "schema: must be an object, not a boolean" },
		{ "{\"requried\":[]}", "requried: unknown keyword (the subset has type, properties, required, "
				       "additionalProperties, enum, minimum, maximum, maxLength, items, minItems, "
				       "maxItems, description)" },
		{ "{\"properties\":{\"mood\":{\"$schema\":\"x\"}}}",
		  "properties.mood[\"$schema\"]: unknown keyword (the subset has type, properties, required, "
		  "additionalProperties, enum, minimum, maximum, maxLength, items, minItems, maxItems, description)" },
		{ "{\"type\":\"int\"}",
		  "type: \"int\" is not a type (object, array, string, number, integer, boolean, null)" },
		{ "{\"type\":3}", "type: must be a type name or a non-empty array of them, not a number" },
		{ "{\"type\":[]}", "type: must be a type name or a non-empty array of them, not []" },
		{ "{\"type\":[\"string\",null]}", "type[1]: must be a type name, not null" },
		{ "{\"type\":[\"string\",\"str\"]}",
		  "type[1]: \"str\" is not a type (object, array, string, number, integer, boolean, null)" },
		{ "{\"type\":[\"string\",\"null\",\"string\"]}", "type[2]: repeats \"string\"" },
		{ "{\"properties\":[]}", "properties: must be an object of schemas, not an array" },
		{ "{\"properties\":{\"mood\":\"happy\"}}", "properties.mood: must be an object, not a string" },
		{ "{\"properties\":{\"mood\":{\"enum\":[]}}}", "properties.mood.enum: must be a non-empty array" },
		{ "{\"enum\":\"a\"}", "enum: must be a non-empty array" },
		{ "{\"required\":\"a\"}", "required: must be an array of property names, not a string" },
		{ "{\"required\":[1]}", "required[0]: must be a property name, not a number" },
		{ "{\"properties\":{\"a\":{}},\"required\":[\"a\",\"a\"]}", "required[1]: repeats \"a\"" },
		{ "{\"properties\":{\"resolved\":{}},\"required\":[\"resolvd\"]}",
		  "required[0]: \"resolvd\" is not in properties" },
		{ "{\"required\":[\"a\"],\"properties\":7}", "properties: must be an object of schemas, not a number" },
		{ "{\"minimum\":\"1\"}", "minimum: must be a number, not a string" },
		{ "{\"maximum\":null}", "maximum: must be a number, not null" },
		{ "{\"minimum\":5,\"maximum\":1}", "minimum: 5 is more than the maximum 1" },
		{ "{\"properties\":{\"x\":{\"maximum\":1,\"minimum\":1.5}}}",
		  "properties.x.minimum: 1.5 is more than the maximum 1" },
		{ "{\"maxLength\":-1}", "maxLength: must be a non-negative integer, not -1" },
		{ "{\"maxLength\":2.5}", "maxLength: must be a non-negative integer, not 2.5" },
		{ "{\"minItems\":\"2\"}", "minItems: must be a non-negative integer, not a string" },
		{ "{\"maxItems\":true}", "maxItems: must be a non-negative integer, not a boolean" },
		{ "{\"minItems\":3,\"maxItems\":1}", "minItems: 3 is more than maxItems 1" },
		{ "{\"items\":[{}]}", "items: must be an object, not an array" },
		{ "{\"items\":{\"type\":\"list\"}}",
		  "items.type: \"list\" is not a type (object, array, string, number, integer, boolean, null)" },
		{ "{\"additionalProperties\":{}}",
		  "additionalProperties: must be true or false (schemas are not supported), not an object" },
		{ "{\"description\":1}", "description: must be a string, not a number" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		CHECK_STR(schema_problem(bad[i][0]), bad[i][1], "schema error #%zu: %s", i, bad[i][0]);
		CHECK_STR(problem(bad[i][0], "1"), bad[i][1], "validate refuses bad schema #%zu with its error", i);
		CHECK_STR(outline(bad[i][0]), "", "outline writes nothing for bad schema #%zu", i);
	}
	CHECK_STR(schema_problem("{\"minimum\":1,\"maximum\":1,\"minItems\":0,\"maxItems\":0,\"maxLength\":0}"), "ok",
		  "equal bounds and zero counts are allowed");
	CHECK_STR(schema_problem("{\"type\":\"string\",\"description\":\"\",\"required\":[]}"), "ok",
		  "an empty required list and description are allowed");

	/* ---- depth limits ---- */
	char *deepest = items_schema(JSONSCHEMA_MAX_DEPTH);
	CHECK_STR(schema_problem(deepest), "ok", "a schema %d levels deep is accepted", JSONSCHEMA_MAX_DEPTH);
	free(deepest);
	char *too_deep = items_schema(JSONSCHEMA_MAX_DEPTH + 1);
	char *where = repeat("", "items.", JSONSCHEMA_MAX_DEPTH - 1, "items: nested more than 64 schemas deep");
	CHECK_STR(schema_problem(too_deep), where, "a schema %d levels deep is refused at its path",
		  JSONSCHEMA_MAX_DEPTH + 1);
	free(where);
	free(too_deep);
	/* built with jv: jq 1.6 parses no object text nested more than 128 deep */
	jv deep_props = jv_object();
	for (int i = 0; i < 70; i++)
		deep_props = jv_object_set(jv_object(), jv_string("properties"),
					   jv_object_set(jv_object(), jv_string("a"), deep_props));
	char *props_where = repeat("", "properties.a.", JSONSCHEMA_MAX_DEPTH, "");
	props_where[strlen(props_where) - 1] = '\0';
	char *props_want = repeat(props_where, ": nested more than 64 schemas deep", 1, "");
	buf_reset(&text);
	CHECK(jsonschema_check(deep_props, &text) < 0, "a schema nested 71 deep through properties is refused");
	CHECK_STR(text.data, props_want, "nesting through properties counts too");
	jv_free(deep_props);
	free(props_where);
	free(props_want);

	char *value_ok = nest("[", JSONSCHEMA_MAX_DEPTH, "1", "]");
	CHECK_STR(problem("{}", value_ok), "valid", "a value %d levels deep is accepted", JSONSCHEMA_MAX_DEPTH);
	free(value_ok);
	char *value_deep = nest("[", 200, "1", "]");
	CHECK_STR(problem("{}", value_deep), "$: nested more than 64 levels deep",
		  "a value 200 levels deep is refused");
	char *object_deep = nest("{\"a\":", 65, "1", "}");
	CHECK_STR(problem("{\"type\":\"object\"}", object_deep), "$: nested more than 64 levels deep",
		  "objects count toward the value's depth");
	free(object_deep);
	char *enum_deep = nest("{\"enum\":[", 1, value_deep, "]}");
	CHECK_STR(schema_problem(enum_deep), "enum[0]: nested more than 64 levels deep",
		  "a deep enum value is refused");
	free(enum_deep);
	free(value_deep);

	/* ---- outline ---- */
	CHECK_STR(outline(survey),
		  "- resolved (boolean): Was the customer's problem solved?\n"
		  "- frustration (integer 1 to 5): How frustrated was the customer?\n"
		  "- objection (one of \"price\", \"quality\", \"none\"): The main objection\n"
		  "- tags (array of at most 3 items, each string, optional): Topics\n"
		  "- summary (string, at most 100 characters, optional)\n",
		  "outline: one line per property with shape, optional and description");
	CHECK_STR(outline("{\"required\":[\"who\"],\"properties\":{\"who\":{\"type\":\"object\",\"description\":\"The "
			  "customer\",\"properties\":{\"name\":{\"type\":[\"string\",\"null\"]},\"age\":{\"minimum\":0}"
			  "}},"
			  "\"items\":{\"type\":\"array\",\"minItems\":1,\"items\":{\"type\":\"object\",\"properties\":{"
			  "\"sku\":{\"type\":\"string\",\"maxLength\":1,\"description\":\"line\\none\"}}}}}}"),
		  "- who (object): The customer\n"
		  "  - name (string or null, optional)\n"
		  "  - age (any value, at least 0, optional)\n"
		  "- items (array of at least 1 item, each object, optional)\n"
		  "  - sku (string, at most 1 character, optional): line one\n",
		  "outline: nested objects and array items indent; line breaks become spaces");
	CHECK_STR(outline("{\"type\":\"number\",\"maximum\":10,\"description\":\"A score\"}"),
		  "- answer (number, at most 10): A score\n", "outline: a root without properties is one line");
	CHECK_STR(outline("{\"type\":\"array\",\"minItems\":2,\"maxItems\":4,\"items\":{\"enum\":[1,2]}}"),
		  "- answer (array of 2 to 4 items, each one of 1, 2)\n", "outline: item counts and an enum of items");

	buf_free(&text);
	return UNIT_DONE();
}
