/* convmetrics: shape, repetition, overlap, echo and role confusion of tiny
 * conversations, every expected value worked out by hand in the comments. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "convmetrics.h"
#include "unit.h"

static char path[64];

static void load_body(void *arg)
{
	(void)arg;
	struct score_rules *r = score_rules_load(path);
	printf("%s", r ? "loaded" : "refused");
	score_rules_free(r);
}

#define C(t) "{\"speaker\":\"client\",\"text\":\"" t "\"}"
#define R(t) "{\"speaker\":\"responder\",\"text\":\"" t "\"}"

static jv metrics_of(const struct score_rules *rules, const char *record)
{
	struct convmetrics m;
	jv r = jv_parse(record);
	convmetrics_compute(rules, r, &m);
	jv out = convmetrics_json(&m);
	convmetrics_free(&m);
	jv_free(r);
	return out;
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-convmetrics-%ld.json", (long)getpid());
	unit_write_text(path, "{\"helper_phrases\":[\"How can I "
			      "help\",\"\",7],\"list_min_items\":2,\"echo_min_bigrams\":3,\"echo_threshold\":0.5}");
	struct score_rules *rules = score_rules_load(path);
	CHECK(rules != NULL, "a rules file loads (empty and non-string phrases are skipped)");
	if (!rules)
		return UNIT_DONE();

	/* Turns and their tokens:
	 *   0 C  i need help with my tax form       7 tokens, bigrams 6
	 *   1 R  what is wrong with the tax form    7
	 *   2 C  the tax form is wrong?             5, a question; bigrams the-tax tax-form form-is is-wrong
	 *   3 R  let me see                         3
	 *   4 C  how can i help you today           6, helper phrase "how can i help"
	 * client lengths 7 5 6: mean 6, sd sqrt((1 + 1 + 0) / 3) = 0.816497
	 * responder lengths 7 3: mean 5, sd sqrt((4 + 4) / 2) = 2
	 * question rate 1/3
	 * own_rep_2: turn 0 has no earlier client bigram (skipped); turn 2: tax-form of 4
	 *   bigrams was said in turn 0: 1/4; turn 4: 0/5. Mean (0.25 + 0) / 2 = 0.125
	 * partner_rep_2: turn 0 skipped (the responder said nothing yet); turn 2: the-tax,
	 *   tax-form, is-wrong of 4 are in turn 1: 3/4; turn 4: 0/5. Mean 0.375
	 * echo: turn 2 has 4 >= 3 bigrams, 3/4 >= 0.5 of them in turn 1: an echo; turn 4
	 *   shares nothing with turn 3. Rate 1/3, turns [2]
	 * overlap (Jaccard of word sets of consecutive turns):
	 *   0-1: {with, tax, form} / 11 words = 3/11; 1-2: 5/7 (turn 2's words all in
	 *   turn 1); 2-3: 0; 3-4: 0. Mean (3/11 + 5/7) / 4 = (21 + 55) / 77 / 4 = 19/77 = 0.246753
	 * role confusion: turn 4, rate 1/3 */
	jv got = metrics_of(
		rules, "{\"turns\":[" C("I need help with my tax form") "," R("What is wrong with the tax form") "," C(
			       "the tax form is wrong?") "," R("Let me see") "," C("How can I help you today") "]}");
	jv want = jv_parse(
		"{\"turns\":5,\"client_tokens_mean\":6,\"client_tokens_sd\":0.816497,"
		"\"responder_tokens_mean\":5,\"responder_tokens_sd\":2,\"question_rate\":0.333333,"
		"\"own_rep_2\":0.125,\"partner_rep_2\":0.375,\"overlap\":0.246753,"
		"\"echo_rate\":0.333333,\"echo_turns\":[2],"
		"\"role_confusion_rate\":0.333333,\"role_confusion\":[{\"turn\":4,\"phrase\":\"how can i help\"}]}");
	CHECK(jv_equal(jv_copy(got), jv_copy(want)),
	      "every metric of a five-turn conversation matches the hand computation");
	if (!jv_equal(jv_copy(got), jv_copy(want))) {
		jv text = jv_dump_string(jv_copy(got), 0);
		printf("#   got: %s\n", jv_string_value(text));
		jv_free(text);
	}
	jv_free(got);
	jv_free(want);

	/* Role confusion: a list of 2 items is a slip ("(list)"); a phrase counts only on
	 * word boundaries and in any case; one numbered item is no list. */
	got = metrics_of(rules, "{\"turns\":[" C("Some ideas:\\n- walk\\n  - sleep") "," C("anyhow can i help") "," C(
					"how can i helpful") "," C("HOW CAN I HELP.") "," C("1. only one") "]}");
	want = jv_parse("[{\"turn\":0,\"phrase\":\"(list)\"},{\"turn\":3,\"phrase\":\"how can i help\"}]");
	jv role = jv_object_get(jv_copy(got), jv_string("role_confusion"));
	CHECK(jv_equal(role, want), "role confusion: lists of list_min_items, phrases on word boundaries, any case");
	jv rate = jv_object_get(jv_copy(got), jv_string("role_confusion_rate"));
	CHECK(jv_number_value(rate) == 0.4, "role confusion rate 2 of 5 client turns");
	jv_free(rate);
	jv_free(got);

	/* Rules written before the QA keys: the defaults. */
	CHECK(score_rules_phrase(rules, SCORE_AI_IDENTITY_PHRASES, "as an ai") == NULL,
	      "rules without \"ai_identity_phrases\" have none");
	CHECK(score_rules_prompt_leak_min_tokens(rules) == 8, "and leaks start at the default 8 tokens");

	/* An echo pair below echo_min_bigrams: "yes please" has 1 bigram. */
	got = metrics_of(rules, "{\"turns\":[" R("yes please") "," C("yes please") "]}");
	want = jv_parse(
		"{\"turns\":2,\"client_tokens_mean\":2,\"client_tokens_sd\":0,\"responder_tokens_mean\":2,"
		"\"responder_tokens_sd\":0,\"question_rate\":0,\"own_rep_2\":null,\"partner_rep_2\":1,"
		"\"overlap\":1,\"echo_rate\":0,\"echo_turns\":[],\"role_confusion_rate\":0,\"role_confusion\":[]}");
	CHECK(jv_equal(got, want),
	      "a short exact repeat is partner repetition 1 and overlap 1, but no echo (1 < 3 bigrams)");

	got = metrics_of(rules, "{\"turns\":[]}");
	want = jv_parse(
		"{\"turns\":0,\"client_tokens_mean\":null,\"client_tokens_sd\":null,\"responder_tokens_mean\":null,"
		"\"responder_tokens_sd\":null,\"question_rate\":null,\"own_rep_2\":null,\"partner_rep_2\":null,"
		"\"overlap\":null,\"echo_rate\":null,\"echo_turns\":[],\"role_confusion_rate\":null,\"role_confusion\":"
		"[]}");
	CHECK(jv_equal(got, want), "a conversation without turns has null metrics, never NaN in JSON");
	score_rules_free(rules);

	unit_write_text(path, "{\"helper_phrases\":[\"I'm here to help\"],\"list_min_items\":2,\"echo_min_bigrams\":"
			      "3,\"echo_threshold\":0.5,\"ai_identity_phrases\":[\"As an AI\",\"i\u2019m a bot\"],"
			      "\"prompt_leak_min_tokens\":5}");
	rules = score_rules_load(path);
	CHECK(rules != NULL, "rules with the optional QA keys load");
	if (rules) {
		CHECK_STR(score_rules_phrase(rules, SCORE_HELPER_PHRASES, "Well, I\u2019m here to help."),
			  "i'm here to help", "a typographic apostrophe in the text matches the phrase's '");
		CHECK_STR(score_rules_phrase(rules, SCORE_AI_IDENTITY_PHRASES, "I'M A BOT"), "i'm a bot",
			  "and one in a phrase matches a plain ' in the text");
		CHECK(score_rules_phrase(rules, SCORE_AI_IDENTITY_PHRASES, "i'm here to help") == NULL,
		      "each list is matched on its own");
		CHECK(score_rules_prompt_leak_min_tokens(rules) == 5, "prompt_leak_min_tokens is read");
		score_rules_free(rules);
	}

	struct captured c;
	const char *bad_optional[] = { "\"ai_identity_phrases\":\"as an ai\"", "\"prompt_leak_min_tokens\":0",
				       "\"prompt_leak_min_tokens\":2.5", "\"prompt_leak_min_tokens\":\"8\"" };
	for (size_t i = 0; i < sizeof bad_optional / sizeof *bad_optional; i++) {
		char text[512], wanted[512];
		snprintf(
			text, sizeof text,
			"{\"helper_phrases\":[],\"list_min_items\":2,\"echo_min_bigrams\":3,\"echo_threshold\":0.5,%s}",
			bad_optional[i]);
		unit_write_text(path, text);
		capture(&c, load_body, NULL);
		snprintf(wanted, sizeof wanted,
			 "persona: %s: score rules may have \"ai_identity_phrases\" (strings) and "
			 "\"prompt_leak_min_tokens\" (a whole number from 1 to 1000000)\n",
			 path);
		CHECK(strcmp(c.out, "refused") == 0 && strcmp(c.err, wanted) == 0,
		      "an optional key of the wrong kind is refused with the shape it needs: %s", bad_optional[i]);
		if (strcmp(c.err, wanted) != 0)
			printf("#   got: %s", c.err);
	}

	unit_write_text(
		path, "{\"helper_phrases\":[],\"list_min_items\":2,\"echo_min_bigrams\":\"3\",\"echo_threshold\":0.5}");
	capture(&c, load_body, NULL);
	char wanted[512];
	snprintf(wanted, sizeof wanted,
		 "persona: %s: score rules need \"helper_phrases\" (strings), \"list_min_items\", "
		 "\"echo_min_bigrams\" and \"echo_threshold\" (numbers)\n",
		 path);
	CHECK(strcmp(c.out, "refused") == 0, "a rules file with a wrong kind is refused");
	CHECK_STR(c.err, wanted, "with the shape it needs");
	unlink(path);
	return UNIT_DONE();
}
