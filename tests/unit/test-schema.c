/* schema: what a valid schema resolves to, and the one-line message of every kind of
 * mistake (unknown keys, bad kinds, ranges, weights, templates, conditions, cycles,
 * quotas, constraints). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "schema.h"
#include "unit.h"

static char path[64];

static void write_schema(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void load_body(void *arg)
{
	(void)arg;
	struct schema *s = schema_load(path);
	printf("%s", s ? "loaded" : "refused");
	schema_free(s);
}

/* The message for a schema text, without "persona: PATH: " and the newline. */
static char message[4096];
static const char *refusal(const char *text)
{
	struct captured c;
	write_schema(text);
	capture(&c, load_body, NULL);
	if (strcmp(c.out, "refused") != 0)
		return "(loaded)";
	size_t skip = strlen("persona: ") + strlen(path) + 2;
	snprintf(message, sizeof message, "%s", strlen(c.err) > skip ? c.err + skip : c.err);
	message[strcspn(message, "\n")] = '\0';
	return message;
}

#define TOP(fields) "{\"name\":\"t\",\"fields\":[" fields "]}"
#define CAT(name, values) "{\"name\":\"" name "\",\"kind\":\"categorical\",\"values\":" values "}"

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-schema-%ld.json", (long)getpid());

	write_schema("{\"name\":\"shop\",\"version\":3,\"id_prefix\":\"c\",\"id_width\":4,\"fields\":["
		     "{\"name\":\"blurb\",\"kind\":\"derived\",\"template\":\"{{age}} and {{colour}}\"},"
		     "{\"name\":\"colour\",\"kind\":\"categorical\",\"values\":{\"red\":1,\"blue\":3},"
		     " \"cases\":[{\"if\":{\"age\":{\"min\":60,\"max\":99}},\"values\":{\"grey\":1}}]},"
		     "{\"name\":\"age\",\"kind\":\"integer\",\"min\":18,\"max\":99},"
		     "{\"name\":\"score\",\"kind\":\"real\",\"dist\":\"normal\",\"mean\":0,\"sd\":1,\"min\":-1,\"max\":"
		     "1,\"decimals\":3},"
		     "{\"name\":\"pets\",\"kind\":\"list\",\"values\":[\"cat\",\"dog\",\"fish\"],\"k\":{\"min\":0,"
		     "\"max\":2}},"
		     "{\"name\":\"planet\",\"kind\":\"constant\",\"value\":{\"n\":3}}]}");
	struct schema *s = schema_load(path);
	CHECK(s != NULL, "a valid schema loads");
	if (!s)
		return UNIT_DONE();
	CHECK_STR(s->tag, "shop@3", "the tag is name@version");
	CHECK(strcmp(s->id_prefix, "c") == 0 && s->id_width == 4 && s->max_tries == 1000,
	      "id prefix and width are read; max_tries defaults to 1000");
	CHECK(s->nfields == 6 && schema_field_index(s, "age") == 2 && schema_field_index(s, "nope") == -1,
	      "fields keep declaration order and are found by name");
	/* colour depends on age (its case), blurb on age and colour and is derived: last.
	 * Kahn's order preferring declaration order: age(2), then colour(1), score(3),
	 * pets(4), planet(5); blurb(0) last. */
	int want_order[6] = { 2, 1, 3, 4, 5, 0 };
	CHECK(memcmp(s->order, want_order, sizeof want_order) == 0,
	      "parents come before children, derived fields last");
	struct field *colour = &s->fields[1];
	CHECK(colour->base.choice.n == 2 && colour->base.choice.total == 4 && colour->base.choice.cumulative[0] == 1 &&
		      colour->base.choice.cumulative[1] == 4,
	      "weights are kept with their cumulative sums (1, 1+3)");
	CHECK(colour->ncases == 1 && colour->cases[0].nterms == 1 && colour->cases[0].terms[0].is_range &&
		      colour->cases[0].terms[0].min == 60 && colour->cases[0].terms[0].max == 99 &&
		      colour->cases[0].dist.choice.n == 1,
	      "a case with a range condition has its own distribution");
	CHECK(colour->nparents == 1 && colour->parents[0] == 2, "a condition makes its field a parent");
	struct field *age = &s->fields[2];
	CHECK(age->base.num.dist == DIST_UNIFORM && age->base.num.lo == 17.5 && age->base.num.hi == 99.5,
	      "an integer field samples [min-0.5, max+0.5)");
	/* uniform on [17.5, 99.5): width 82; [17.5, 58.5) has 41 of it */
	CHECK(fabs(numeric_mass(&age->base.num, 0, 58.5) - 0.5) < 1e-12, "uniform mass is the share of the width");
	CHECK(numeric_mass(&age->base.num, 200, 300) == 0, "no mass outside the support");
	struct field *score = &s->fields[3];
	CHECK(score->decimals == 3 && score->base.num.dist == DIST_NORMAL, "a real field keeps decimals and dist");
	/* a normal truncated to [-1, 1] symmetric around its mean: half the mass each side */
	CHECK(fabs(numeric_mass(&score->base.num, -1, 0) - 0.5) < 1e-9, "truncated normal mass is renormalised");
	struct field *pets = &s->fields[4];
	CHECK(pets->base.k_min == 0 && pets->base.k_max == 2 && pets->base.choice.n == 3 &&
		      pets->base.choice.total == 3,
	      "a list of plain strings has equal weights and a k range");
	CHECK_STR(s->fields[5].constant_json, "{\"n\":3}", "a constant keeps its value as JSON");
	struct field *blurb = &s->fields[0];
	CHECK(blurb->nparts == 3 && blurb->parts[0].literal == NULL && blurb->parts[0].field == 2 &&
		      strcmp(blurb->parts[1].literal, " and ") == 0 && blurb->parts[2].field == 1,
	      "a template is split into references and literal text");
	schema_free(s);

	write_schema("{\"name\":\"h\",\"fields\":[{\"name\":\"n\",\"kind\":\"integer\",\"dist\":\"histogram\","
		     "\"bins\":[{\"min\":1,\"max\":2,\"weight\":1},{\"min\":3,\"max\":3,\"weight\":3}]}]}");
	s = schema_load(path);
	CHECK(s != NULL, "a histogram schema loads");
	if (s) {
		/* bins [0.5, 2.5) weight 1/4 and [2.5, 3.5) weight 3/4; [0.5, 1.5) is half the first bin */
		CHECK(fabs(numeric_mass(&s->fields[0].base.num, 0, 1.5) - 0.125) < 1e-12,
		      "histogram mass: bin weight x share of bin");
		CHECK(fabs(numeric_mass(&s->fields[0].base.num, 2.5, 3.5) - 0.75) < 1e-12,
		      "a whole bin has its weight");
		schema_free(s);
	}

	/* Refusals, one per kind of mistake. */
	CHECK_STR(refusal("[1]"), "a schema must be a JSON object, not an array", "a schema must be an object");
	CHECK_STR(refusal("{\"fields\":[]}"), "'name' is required (a non-empty string)", "name is required");
	CHECK_STR(refusal("{\"name\":\"t\",\"colour\":1,\"fields\":[]}"), "unknown key 'colour' in the schema",
		  "an unknown top-level key is named");
	CHECK_STR(refusal("{\"name\":\"t\",\"fields\":[]}"),
		  "'fields' is required (a non-empty array of field objects)", "an empty field list is refused");
	CHECK_STR(refusal("{\"name\":\"t\",\"version\":1.5,\"fields\":[]}"), "'version' must be a non-negative integer",
		  "a fractional version is refused");
	CHECK_STR(refusal("{\"name\":\"t\",\"id_width\":21,\"fields\":[]}"),
		  "'id_width' must be an integer from 1 to 20", "id_width is 1 to 20");
	CHECK_STR(refusal("{\"name\":\"t\",\"version\":\"2\",\"fields\":[]}"),
		  "'version' must be a number, not a string", "a number given as a string is refused with its kind");
	CHECK_STR(refusal(TOP("7")), "field 1 must be an object", "a field that is no object is named by position");
	CHECK_STR(refusal(TOP("{\"name\":\"2x\",\"kind\":\"constant\",\"value\":1}")),
		  "field 1 needs a \"name\" made of letters, digits and _ (not starting with a digit)",
		  "field names are identifiers");
	CHECK_STR(refusal(TOP(CAT("a", "[\"x\"]") "," CAT("a", "[\"y\"]"))), "field 'a' is declared twice",
		  "a duplicate field is refused");
	CHECK_STR(refusal(TOP("{\"name\":\"a\",\"values\":[\"x\"]}")),
		  "field 'a': 'kind' is required (one of categorical, integer, real, list, constant, derived)",
		  "a field without kind lists the kinds");
	CHECK_STR(refusal(TOP("{\"name\":\"a\",\"kind\":\"colour\"}")),
		  "field 'a': unknown kind 'colour' (expected categorical, integer, real, list, constant or derived)",
		  "an unknown kind is named");
	CHECK_STR(refusal(TOP("{\"name\":\"a\",\"kind\":\"categorical\",\"values\":[\"x\"],\"min\":1}")),
		  "field 'a': unknown key 'min' for a categorical field", "a key of another kind is refused");
	CHECK_STR(refusal(TOP(CAT("a", "{\"x\":1,\"y\":-1}"))), "field 'a': weight of 'y' must be a number >= 0",
		  "a negative weight is named");
	CHECK_STR(refusal(TOP(CAT("a", "{\"x\":0}"))), "field 'a': weights do not sum to a positive number",
		  "all-zero weights are refused");
	CHECK_STR(refusal(TOP(CAT("a", "[]"))), "field 'a': 'values' is empty", "empty values are refused");
	CHECK_STR(refusal(TOP(CAT("a", "[\"x\",3]"))), "field 'a': value 2 must be a string, not a number",
		  "a non-string value is named by position");
	CHECK_STR(refusal(TOP("{\"name\":\"a\",\"kind\":\"categorical\"}")), "field 'a': 'values' is required",
		  "a categorical field needs values");
	CHECK_STR(refusal(TOP("{\"name\":\"n\",\"kind\":\"integer\",\"min\":5,\"max\":3}")),
		  "field 'n': 'max' (3) is below 'min' (5)", "an inverted range is refused with both ends");
	CHECK_STR(refusal(TOP("{\"name\":\"n\",\"kind\":\"integer\",\"min\":1.5,\"max\":3}")),
		  "field 'n': 'min' and 'max' of an integer field must be integers", "integer ranges are integers");
	CHECK_STR(refusal(TOP("{\"name\":\"n\",\"kind\":\"integer\",\"max\":3}")), "field 'n': 'min' is required",
		  "a numeric field needs min");
	CHECK_STR(refusal(TOP("{\"name\":\"n\",\"kind\":\"real\",\"dist\":\"poisson\",\"min\":0,\"max\":1}")),
		  "field 'n': unknown dist 'poisson' (expected uniform, normal or histogram)",
		  "an unknown dist is named");
	CHECK_STR(refusal(TOP("{\"name\":\"n\",\"kind\":\"real\",\"dist\":\"normal\",\"mean\":0,\"sd\":0,\"min\":0,"
			      "\"max\":1}")),
		  "field 'n': 'sd' must be > 0", "a normal needs a positive sd");
	CHECK_STR(refusal(TOP("{\"name\":\"n\",\"kind\":\"real\",\"decimals\":13,\"min\":0,\"max\":1}")),
		  "field 'n': 'decimals' must be an integer from 0 to 12", "decimals are 0 to 12");
	CHECK_STR(refusal(TOP("{\"name\":\"n\",\"kind\":\"integer\",\"dist\":\"histogram\",\"bins\":[{\"min\":3,"
			      "\"max\":1,\"weight\":1}]}")),
		  "field 'n': bin 1 has max below min", "an inverted bin is named");
	CHECK_STR(refusal(TOP("{\"name\":\"n\",\"kind\":\"integer\",\"dist\":\"histogram\"}")),
		  "field 'n': a histogram needs 'bins', a non-empty array of {\"min\",\"max\",\"weight\"}",
		  "a histogram needs bins");
	CHECK_STR(refusal(TOP("{\"name\":\"l\",\"kind\":\"list\",\"values\":[\"a\",\"b\"],\"k\":3}")),
		  "field 'l': 'k' (3) is larger than the number of values (2)", "a list cannot draw more than it has");
	CHECK_STR(refusal(TOP("{\"name\":\"l\",\"kind\":\"list\",\"values\":[\"a\"]}")),
		  "field 'l': a list needs 'k', an integer or {\"min\":A,\"max\":B}", "a list needs k");
	CHECK_STR(
		refusal(TOP("{\"name\":\"l\",\"kind\":\"list\",\"values\":[\"a\",\"b\"],\"k\":{\"min\":2,\"max\":1}}")),
		"field 'l': 'k' must satisfy 0 <= min <= max", "an inverted k is refused");
	CHECK_STR(refusal(TOP("{\"name\":\"c\",\"kind\":\"constant\"}")), "field 'c': 'value' is required",
		  "a constant needs a value");
	CHECK_STR(refusal(TOP("{\"name\":\"d\",\"kind\":\"derived\",\"template\":\"{{zz}}\"}")),
		  "field 'd': template refers to unknown field 'zz'", "a template naming no field is refused");
	CHECK_STR(refusal(TOP("{\"name\":\"d\",\"kind\":\"derived\",\"template\":\"x {{d\"}")),
		  "field 'd': template has '{{' without '}}'", "an unclosed placeholder is refused");
	CHECK_STR(refusal(TOP("{\"name\":\"d\",\"kind\":\"derived\"}")),
		  "field 'd': 'template' is required (a string with {{field}} placeholders)",
		  "a derived field needs a template");
	CHECK_STR(refusal(TOP(CAT("a", "[\"x\"]") ",{\"name\":\"b\",\"kind\":\"categorical\",\"values\":[\"y\"],"
						  "\"cases\":[{\"if\":{\"zz\":\"x\"},\"values\":[\"z\"]}]}")),
		  "field 'b': case 1: condition on unknown field 'zz'", "a condition on an unknown field is refused");
	CHECK_STR(refusal(TOP(CAT("a", "[\"x\"]") ",{\"name\":\"b\",\"kind\":\"categorical\",\"values\":[\"y\"],"
						  "\"cases\":[{\"values\":[\"z\"]}]}")),
		  "field 'b': case 1 needs \"if\": an object of conditions", "a case needs if");
	CHECK_STR(refusal(TOP(CAT("a", "[\"x\"]") ",{\"name\":\"b\",\"kind\":\"categorical\",\"values\":[\"y\"],"
						  "\"cases\":[{\"if\":{\"a\":\"x\"},\"colour\":1}]}")),
		  "field 'b': unknown key 'colour' in case 1", "an unknown key in a case is named");
	CHECK_STR(refusal(TOP("{\"name\":\"c\",\"kind\":\"constant\",\"value\":1,\"cases\":[]}")),
		  "field 'c': constant fields cannot have cases", "constants have no cases");
	CHECK_STR(refusal(TOP(CAT("a", "[\"x\"]") ",{\"name\":\"d\",\"kind\":\"derived\",\"template\":\"{{a}}\","
						  "\"cases\":[{\"if\":{\"a\":\"x\"}}]}")),
		  "field 'd': derived fields cannot have cases", "nor do derived fields");
	/* a's case reads b, b's case reads c, c's case reads a */
	CHECK_STR(refusal(TOP("{\"name\":\"a\",\"kind\":\"categorical\",\"values\":[\"x\"],\"cases\":[{\"if\":{\"b\":"
			      "\"x\"},\"values\":[\"x\"]}]},"
			      "{\"name\":\"b\",\"kind\":\"categorical\",\"values\":[\"x\"],\"cases\":[{\"if\":{\"c\":"
			      "\"x\"},\"values\":[\"x\"]}]},"
			      "{\"name\":\"c\",\"kind\":\"categorical\",\"values\":[\"x\"],\"cases\":[{\"if\":{\"a\":"
			      "\"x\"},\"values\":[\"x\"]}]}")),
		  "dependency cycle: 'a' -> 'b' -> 'c' -> 'a' (each depends on the next)",
		  "a cycle is named field by field");
	CHECK_STR(refusal(TOP(CAT("z", "[\"x\"]") ",{\"name\":\"d\",\"kind\":\"derived\",\"template\":\"{{e}}\"},"
						  "{\"name\":\"e\",\"kind\":\"derived\",\"template\":\"{{d}}\"}")),
		  "dependency cycle: 'd' -> 'e' -> 'd' (each depends on the next)", "templates can form a cycle too");
	refusal("{\"name\":\"t\",\"fields\":[" CAT(
		"a", "[\"x\"]") "],\"constraints\":[{\"name\":\"c1\",\"expr\":\".a ==\"}]}");
	CHECK(strncmp(message, "constraint 'c1' is not a valid jq expression: ", 46) == 0,
	      "an invalid constraint is named with jq's reason on one line");
	CHECK_STR(refusal("{\"name\":\"t\",\"fields\":[" CAT(
			  "a", "[\"x\"]") "],\"quota\":{\"fields\":[\"zz\"],\"strata\":[]}}"),
		  "quota names an unknown field", "a quota on an unknown field is refused");
	CHECK_STR(refusal("{\"name\":\"t\",\"fields\":[" CAT(
			  "a", "[\"x\",\"y\"]") "],\"quota\":{\"fields\":[\"a\"],"
						"\"strata\":[{\"values\":{\"a\":\"w\"},\"share\":1}]}}"),
		  "quota stratum 1: 'w' is not a value of field 'a'", "a stratum value must be one of the field's");
	unlink(path);
	return UNIT_DONE();
}
