/* The template description: only what the fields say, every field said, wording varied. */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "describe.h"
#include "unit.h"

#define GENERIC "You are a person taking part in a conversation."

static const char *spasm_persona =
	"{\"age\":58,\"gender\":\"man\",\"occupation\":\"bus driver\",\"location\":\"Leeds\","
	"\"domain\":\"tax problems\",\"emotion\":\"anxious\",\"intensity\":\"moderate\","
	"\"expressiveness\":\"medium\",\"self_disclosure\":\"low\",\"assertiveness\":\"high\","
	"\"politeness\":\"casual\"}";

/* The description of the JSON text fields (consumed), as a malloc'd string. */
static char *describe_json(const char *fields_json, const char *id, uint64_t seed)
{
	jv fields = jv_parse(fields_json);
	struct buf b = BUF_INIT;
	describe_persona(fields, id, seed, &b);
	jv_free(fields);
	return b.data ? b.data : strdup("");
}

static char *describe_jv(jv fields, const char *id)
{
	struct buf b = BUF_INIT;
	describe_persona(fields, id, 7, &b);
	jv_free(fields);
	return b.data ? b.data : strdup("");
}

static int has_all(const char *text, const char *const *values)
{
	for (; *values; values++)
		if (!strstr(text, *values))
			return 0;
	return 1;
}

int main(void)
{
	static const char *const spasm_values[] = {
		"58", "man", "bus driver", "Leeds", "tax problems", "anxious", NULL
	};

	char *a = describe_json(spasm_persona, "p000042", 7);
	char *b = describe_json(spasm_persona, "p000042", 7);
	CHECK_STR(a, b, "the same fields, id and seed give the same text");
	CHECK(strncmp(a, "You are ", 8) == 0, "the description starts with \"You are\"");
	CHECK(has_all(a, spasm_values), "age, gender, occupation, location, domain and emotion all appear verbatim");
	CHECK(strstr(a, "58-year-old") != NULL, "the age is said as \"58-year-old\"");
	CHECK(!strstr(a, "Your expressiveness:") && !strstr(a, "Your self disclosure:") &&
		      !strstr(a, "Your assertiveness:") && !strstr(a, "Your politeness:") &&
		      !strstr(a, "Your intensity:"),
	      "known style traits become behaviour sentences, not generic ones");
	CHECK(unit_words(a) >= 60 && unit_words(a) <= 180, "a SPASM persona gets 60-180 words (got %d)", unit_words(a));
	printf("# %s\n", a);

	/* Other ids: other wording, same facts. */
	int reworded = 0, all_facts = 1, in_length = 1, starts = 1;
	char *seen[40];
	int distinct = 0;
	for (int i = 0; i < 40; i++) {
		char id[16];
		snprintf(id, sizeof id, "p%06d", i);
		char *t = describe_json(spasm_persona, id, 7);
		reworded += strcmp(t, a) != 0;
		all_facts &= has_all(t, spasm_values);
		in_length &= unit_words(t) >= 60 && unit_words(t) <= 180;
		starts &= strncmp(t, "You are ", 8) == 0;
		int is_new = 1;
		for (int k = 0; k < distinct; k++)
			if (strcmp(seen[k], t) == 0)
				is_new = 0;
		if (is_new)
			seen[distinct++] = t;
		else
			free(t);
	}
	CHECK(reworded >= 30, "other ids mostly reword the description (%d of 40 differ)", reworded);
	CHECK(distinct >= 20, "40 ids give at least 20 distinct wordings (got %d)", distinct);
	CHECK(all_facts, "every rewording keeps every fact");
	CHECK(in_length && starts, "every rewording starts with \"You are\" and stays within 60-180 words");
	for (int k = 0; k < distinct; k++)
		free(seen[k]);
	char *other_seed = describe_json(spasm_persona, "p000042", 8);
	CHECK(has_all(other_seed, spasm_values), "another seed keeps every fact");
	free(other_seed);
	free(a);
	free(b);

	char *t = describe_json("{\"age\":30,\"favourite_colour\":\"teal\"}", "p1", 1);
	CHECK(strstr(t, "Your favourite colour: teal.") != NULL,
	      "an unknown field is said as \"Your favourite colour: teal.\"");
	free(t);

	t = describe_json("{\"pets\":[\"cat\",\"dog\",\"fish\"]}", "p1", 1);
	CHECK(strstr(t, "Your pets: cat, dog, fish.") != NULL, "a list value is joined with \", \"");
	free(t);

	t = describe_json("{\"tags\":[null,\"a\",[],\"b\"],\"empty\":[null]}", "p1", 1);
	CHECK(strstr(t, "Your tags: a, b.") && !strstr(t, "empty"),
	      "list items that say nothing are left out of the join");
	free(t);

	t = describe_json("{\"height_cm\":172,\"ratio\":1.5,\"note\":null,\"member\":true}", "p1", 1);
	CHECK(strstr(t, "Your height cm: 172.") && strstr(t, "Your ratio: 1.5."), "numbers are printed plainly");
	CHECK(!strstr(t, "note"), "a null field is skipped");
	CHECK(strstr(t, "Your member: yes.") != NULL, "a boolean is said as yes or no");
	CHECK(strncmp(t, GENERIC, strlen(GENERIC)) == 0,
	      "with nothing to say who they are, the generic sentence opens the text");
	free(t);

	t = describe_json("{\"note\":\"Call back on Monday.\"}", "p1", 1);
	CHECK(strstr(t, "Your note: Call back on Monday.") && !strstr(t, ".."),
	      "a value ending in a full stop gets no second one");
	free(t);

	t = describe_jv(jv_null(), "p1");
	CHECK_STR(t, GENERIC, "null fields give exactly the generic sentence");
	free(t);
	t = describe_jv(jv_number(3), "p1");
	CHECK_STR(t, GENERIC, "a number instead of fields gives exactly the generic sentence");
	free(t);
	t = describe_jv(jv_parse("[1,2]"), "p1");
	CHECK_STR(t, GENERIC, "an array instead of fields gives exactly the generic sentence");
	free(t);
	t = describe_jv(jv_invalid(), NULL);
	CHECK_STR(t, GENERIC, "an invalid value and no id give exactly the generic sentence");
	free(t);
	t = describe_jv(jv_object(), "p1");
	CHECK_STR(t, GENERIC, "an empty object gives exactly the generic sentence");
	free(t);
	t = describe_json("{\"age\":null,\"domain\":null}", "p1", 1);
	CHECK_STR(t, GENERIC, "fields that are all null give exactly the generic sentence");
	free(t);

	struct buf out = BUF_INIT;
	buf_adds(&out, "Persona:");
	jv f = jv_parse(spasm_persona);
	describe_persona(f, "p1", 7, &out);
	jv_free(f);
	CHECK(strncmp(out.data, "Persona: You are ", 17) == 0, "the text is appended after what the buffer holds");
	buf_free(&out);

	t = describe_json("{\"age\":\"58\",\"gender\":\"woman\"}", "p1", 1);
	CHECK(strstr(t, "58-year-old woman") != NULL, "an age given as a string of digits still reads as an age");
	free(t);
	t = describe_json("{\"age\":\"fifty\",\"gender\":7,\"politeness\":\"sarcastic\",\"emotion\":\"joy\"}", "p1", 1);
	CHECK(strstr(t, "Your age: fifty.") && strstr(t, "Your gender: 7.") && strstr(t, "Your politeness: sarcastic."),
	      "known fields with values that fit no frame fall back to generic sentences");
	CHECK(strstr(t, "joy") && !strstr(t, "feeling joy") && !strstr(t, "feel joy"),
	      "an emotion that is not an adjective is not forced into \"you feel ...\"");
	free(t);

	t = describe_json("{\"age\":18,\"occupation\":\"HR officer\"}", "p1", 1);
	CHECK_STR(t, "You are an 18-year-old HR officer.", "articles follow the sound: an 18-year-old HR officer");
	free(t);
	t = describe_json("{\"age\":62,\"gender\":\"woman\",\"occupation\":\"retired\"}", "p1", 1);
	CHECK_STR(t, "You are a 62-year-old retired woman.", "\"retired\" is said as a state, not a job");
	free(t);

	t = describe_json("{\"self_disclosure\":\"low\"}", "p1", 1);
	CHECK(strstr(t, "You keep personal details to yourself unless asked twice.") ||
		      strstr(t, "You share little about your private life") ||
		      strstr(t, "You are guarded about personal matters"),
	      "low self-disclosure is said as keeping personal details back");
	free(t);

	static const char *const support_values[] = {
		"45", "broadband internet", "slow connection", "frustrated", "3.5", NULL
	};
	t = describe_json(
		"{\"age\":45,\"gender\":\"woman\",\"product\":\"broadband internet\",\"issue\":\"slow connection\","
		"\"customer_since_years\":3.5,\"previous_contacts\":2,\"tech_savviness\":\"low\","
		"\"emotion\":\"frustrated\",\"intensity\":\"severe\",\"channel\":\"chat\",\"politeness\":\"blunt\","
		"\"goal\":[\"refund\",\"escalate\"]}",
		"s1", 3);
	CHECK(has_all(t, support_values) && strstr(t, "refund") && strstr(t, "escalated"),
	      "a support persona keeps product, issue, emotion, tenure and goals");
	static const char *const support_generic[] = { "Your age:",
						       "Your gender:",
						       "Your product:",
						       "Your issue:",
						       "Your customer since years:",
						       "Your previous contacts:",
						       "Your tech savviness:",
						       "Your emotion:",
						       "Your intensity:",
						       "Your channel:",
						       "Your politeness:",
						       "Your goal:",
						       NULL };
	int generic = 0;
	for (const char *const *g = support_generic; *g; g++)
		generic |= strstr(t, *g) != NULL;
	CHECK(!generic, "every support field has its own sentence, none falls back to \"Your <name>:\"");
	printf("# %s\n", t);
	free(t);

	static const char *const tutoring_values[] = { "12",         "girl",   "grade 7",       "math", "perfectionist",
						       "struggling", "visual", "very involved", NULL };
	t = describe_json(
		"{\"grade\":7,\"gender\":\"girl\",\"age\":12,\"subject\":\"math\",\"attitude\":\"perfectionist\","
		"\"learning_style\":\"visual\",\"prior_level\":\"struggling\",\"parent_involvement\":\"very involved\","
		"\"headline\":\"12-year-old girl in grade 7, struggling in math, perfectionist learner\"}",
		"t1", 3);
	CHECK(has_all(t, tutoring_values),
	      "a tutoring persona keeps grade, subject, attitude, level, style and parent");
	CHECK(!strstr(t, "headline") && !strstr(t, "learner"), "the derived headline is not repeated");
	printf("# %s\n", t);
	free(t);
	return UNIT_DONE();
}
