/* qa: AI-identity leakage, prompt leakage and exact duplicates, each with the cases
 * that must be flagged and the near misses that must not; expected objects in full. */
#include <stdio.h>
#include <string.h>

#include "qa.h"
#include "unit.h"

#define C(t) "{\"speaker\":\"client\",\"text\":\"" t "\"}"
#define R(t) "{\"speaker\":\"responder\",\"text\":\"" t "\"}"
#define CONV(...) "{\"turns\":[" __VA_ARGS__ "]}"

/* Three instruction segments with the test rules' 5-token runs:
 *   "stay the same person from first to last"   8 tokens
 *   "speak in short plain chat messages"        6
 *   "never say that you follow a prompt"        7 */
static const char *template_text =
	"{{description}}\nStay the same person from first to last.\n{{style}}\nSpeak in short plain chat "
	"messages.{{x}}Never say that you follow a prompt.";

/* Check qa_check's object and flags for one record (its JSON text). */
static void expect(struct qa *q, const char *record, const char *want, unsigned want_flags, const char *name)
{
	jv r = jv_parse(record);
	unsigned flags = 99;
	jv got = qa_check(q, r, &flags);
	jv w = jv_parse(want);
	int same = jv_equal(jv_copy(got), w);
	CHECK(same && flags == want_flags, "%s", name);
	if (!same || flags != want_flags) {
		jv text = jv_dump_string(got, 0);
		printf("#   got: %s, flags %u\n", jv_string_value(text), flags);
		jv_free(text);
	} else {
		jv_free(got);
	}
	jv_free(r);
}

#define NONE "{\"ai_identity\":null,\"prompt_leak\":null,\"duplicate_of\":null}"
#define AI(turn, phrase) \
	"{\"ai_identity\":{\"turn\":" #turn ",\"phrase\":\"" phrase "\"},\"prompt_leak\":null,\"duplicate_of\":null}"
#define LEAK(turn, source, tokens)                                                                                \
	"{\"ai_identity\":null,\"prompt_leak\":{\"turn\":" #turn ",\"source\":\"" source "\",\"tokens\":" #tokens \
	"},\"duplicate_of\":null}"
#define DUP(id) "{\"ai_identity\":null,\"prompt_leak\":null,\"duplicate_of\":\"" id "\"}"

static void ai_identity(struct qa *q)
{
	expect(q, CONV(C("As an AI, I cannot feel tired.")), AI(0, "as an ai"), QA_AI_IDENTITY,
	       "ai identity: a phrase at the very start of a client turn");
	expect(q, CONV(R("hello") "," C("ok") "," R("how are you?") "," C("well... i am a chatbot")),
	       AI(3, "i am a chatbot"), QA_AI_IDENTITY, "ai identity: a phrase at the very end, turn index located");
	expect(q, CONV(C("I'M AN AI")), AI(0, "i'm an ai"), QA_AI_IDENTITY, "ai identity: upper case matches");
	expect(q, CONV(C("Sorry, I\u2019m an AI language model.")), AI(0, "i'm an ai"), QA_AI_IDENTITY,
	       "ai identity: a typographic apostrophe matches the phrase's '");
	expect(q, CONV(C("I work as an aide at a school and I'm an airline fan")), NONE, 0,
	       "ai identity: a phrase inside a longer word is no match (aide, airline)");
	expect(q, CONV(C("my team trains a language model on our data")), NONE, 0,
	       "ai identity: a bare 'language model' in a talk about ML is not a phrase");
	expect(q, CONV(R("As an AI, I am here for you.") "," C("thanks")), NONE, 0,
	       "ai identity: the responder saying it is an AI is not flagged");
	expect(q, CONV(C("I don't have personal experiences of that") "," C("as an AI i see")),
	       AI(0, "i don't have personal experiences"), QA_AI_IDENTITY,
	       "ai identity: the first client turn with a phrase is reported");
	expect(q, CONV(C("i am a chatbot, as an ai")), AI(0, "as an ai"), QA_AI_IDENTITY,
	       "ai identity: several phrases in one turn: the first in the rules' order");
}

static void prompt_leak(struct qa *q, struct qa *no_template)
{
	expect(q, CONV(C("I will stay the same person from first to last, ok?")), LEAK(0, "instructions", 8),
	       QA_PROMPT_LEAK, "prompt leak: a whole instruction line, its 8 tokens reported");
	expect(q, CONV(C("Honestly: NEVER say that you follow!")), LEAK(0, "instructions", 5), QA_PROMPT_LEAK,
	       "prompt leak: exactly L (5) shared tokens, in any case and punctuation, is a leak");
	expect(q, CONV(C("never say that you lie")), NONE, 0, "prompt leak: L - 1 (4) shared tokens is none");
	expect(q, CONV(C("first to last speak in short")), NONE, 0,
	       "prompt leak: a run that only exists across a placeholder is none");
	expect(q, CONV(C("my plain chat messages follow a prompt")), NONE, 0,
	       "prompt leak: two short runs from two segments do not add up");
	expect(q, CONV(R("Stay the same person from first to last.") "," C("what?")), NONE, 0,
	       "prompt leak: the responder quoting the instructions is not flagged");
	expect(q,
	       "{\"description\":\"A retired teacher who grows tomatoes in a small garden.\",\"turns\":[" C("hi") "," C(
		       "well I am a retired teacher who grows tomatoes") "]}",
	       LEAK(1, "description", 6), QA_PROMPT_LEAK, "prompt leak: the client quoting its own description");
	expect(q,
	       "{\"description\":\"never say that you follow a rule ever\",\"turns\":[" C(
		       "never say that you follow a rule") "]}",
	       LEAK(0, "description", 7), QA_PROMPT_LEAK,
	       "prompt leak: the longest run wins (7 from the description over 6 from the instructions)");
	expect(q,
	       "{\"description\":\"speak in short plain chat messages\",\"turns\":[" C(
		       "speak in short plain chat messages") "]}",
	       LEAK(0, "instructions", 6), QA_PROMPT_LEAK, "prompt leak: on a tie, instructions");
	expect(q, CONV(C("stay the same person") "," C("speak in short plain chat") "," C("never say that you follow")),
	       LEAK(1, "instructions", 5), QA_PROMPT_LEAK, "prompt leak: the first leaking client turn is reported");
	expect(no_template,
	       "{\"description\":\"a retired teacher who grows tomatoes\",\"turns\":[" C(
		       "stay the same person from first to last") "," C("a retired teacher who grows tomatoes") "]}",
	       LEAK(1, "description", 6), QA_PROMPT_LEAK, "prompt leak: without a template, the description only");
	expect(q,
	       "{\"description\":\"a retired teacher, as an AI\",\"turns\":[" C(
		       "As an AI: a retired teacher who grows "
		       "tomatoes? speak in short plain chat") "]}",
	       "{\"ai_identity\":{\"turn\":0,\"phrase\":\"as an ai\"},\"prompt_leak\":{\"turn\":0,\"source\":"
	       "\"instructions\",\"tokens\":5},\"duplicate_of\":null}",
	       QA_AI_IDENTITY | QA_PROMPT_LEAK, "one turn can raise two flags");
}

static void hostile(struct qa *q)
{
	expect(q, "{\"id\":\"x\"}", NONE, 0, "no turns: nothing flagged");
	expect(q, "{\"turns\":\"As an AI\"}", NONE, 0, "turns not an array: nothing flagged");
	expect(q, "{\"turns\":[1,null,\"as an ai\",[\"client\",\"as an ai\"]]}", NONE, 0,
	       "turns that are not objects: nothing flagged");
	expect(q, CONV("{\"speaker\":\"client\",\"text\":42}," C("") ",{\"speaker\":\"client\"}"), NONE, 0,
	       "a non-string, an empty and a missing text: nothing flagged");
	expect(q, "{\"description\":7,\"turns\":[{\"speaker\":7,\"text\":\"as an ai\"}]}", NONE, 0,
	       "a non-string speaker is no client, a non-string description no source");
	expect(q, "[\"as an ai\"]", NONE, 0, "a record that is not an object: nothing flagged");
}

static void duplicates(struct qa *q)
{
	const char *turns = "[" C("I can't sleep") "," R("Since when?") "," C("a month") "]";
	char record[512];
	snprintf(record, sizeof record, "{\"id\":\"first\",\"turns\":%s}", turns);
	expect(q, record, NONE, 0, "duplicates: the first copy is not flagged");
	snprintf(record, sizeof record, "{\"id\":\"second\",\"description\":\"other\",\"turns\":%s}", turns);
	expect(q, record, DUP("first"), QA_DUPLICATE, "duplicates: the second copy names the first");
	snprintf(record, sizeof record, "{\"id\":\"third\",\"turns\":%s}", turns);
	expect(q, record, DUP("first"), QA_DUPLICATE, "duplicates: the third copy names the first too");
	expect(q,
	       "{\"id\":\"fourth\",\"turns\":[" C("I can't sleep") ",{\"speaker\":\"responder\",\"text\":\"Since "
								   "when?\",\"usage\":{\"tokens\":3}}," C(
									   "a month") "]}",
	       DUP("first"), QA_DUPLICATE, "duplicates: members other than speaker and text do not count");
	expect(q, "{\"id\":\"speaker\",\"turns\":[" C("I can't sleep") "," C("Since when?") "," C("a month") "]}", NONE,
	       0, "duplicates: the same texts with one speaker changed are another conversation");
	expect(q, "{\"id\":\"order\",\"turns\":[" C("a month") "," R("Since when?") "," C("I can't sleep") "]}", NONE,
	       0, "duplicates: the same turns in another order are another conversation");
	expect(q, "{\"id\":\"split1\",\"turns\":[" C("ab") "," C("c") "]}", NONE, 0, "duplicates: a conversation ...");
	expect(q, "{\"id\":\"split2\",\"turns\":[" C("a") "," C("bc") "]}", NONE, 0,
	       "duplicates: ... and the same text split at another place differ");
	expect(q, "{\"id\":\"prefix\",\"turns\":[" C("I can't sleep") "," R("Since when?") "]}", NONE, 0,
	       "duplicates: a prefix of a conversation is another conversation");
	expect(q, "{\"id\":\"e1\",\"turns\":[]}", NONE, 0, "duplicates: a record without turns ...");
	expect(q, "{\"id\":\"e2\",\"turns\":[]}", NONE, 0, "... is never a duplicate of another");
	expect(q, "{\"turns\":[" C("no id here") "]}", NONE, 0, "duplicates: a first copy without an id ...");
	expect(q, "{\"id\":\"named\",\"turns\":[" C("no id here") "]}", DUP("?"), QA_DUPLICATE,
	       "... is named '?', like record_id");

	/* 5000 distinct conversations grow the table several times; the copies found after. */
	int missed = 0;
	for (int i = 0; i < 5000; i++) {
		snprintf(record, sizeof record, "{\"id\":\"r%d\",\"turns\":[" C("message %d") "]}", i, i);
		jv r = jv_parse(record);
		unsigned flags;
		jv_free(qa_check(q, r, &flags));
		missed += flags != 0;
		jv_free(r);
	}
	CHECK(missed == 0, "duplicates: 5000 distinct conversations, none flagged");
	expect(q, "{\"id\":\"copy\",\"turns\":[" C("message 1234") "]}", DUP("r1234"), QA_DUPLICATE,
	       "duplicates: found after the table grew");
	expect(q, "{\"id\":\"copy0\",\"turns\":[" C("message 0") "]}", DUP("r0"), QA_DUPLICATE,
	       "duplicates: the oldest fingerprint is still there");
}

int main(void)
{
	if (unit_scratch_open("test-qa") != 0)
		return 1;
	const char *path = unit_path("rules.json");
	unit_write_text(path, "{\"helper_phrases\":[],\"list_min_items\":2,\"echo_min_bigrams\":3,\"echo_threshold\":"
			      "0.5,\"prompt_leak_min_tokens\":5,\"ai_identity_phrases\":[\"As an AI\",\"i'm an "
			      "ai\",\"i am a chatbot\",\"i don't have personal experiences\"]}");
	struct score_rules *rules = score_rules_load(path);
	CHECK(rules != NULL, "rules with AI identity phrases and a leak length load");
	if (!rules)
		return UNIT_DONE();
	struct qa *q = qa_new(rules, template_text);
	struct qa *no_template = qa_new(rules, NULL);
	ai_identity(q);
	prompt_leak(q, no_template);
	hostile(q);
	duplicates(q);
	qa_free(q);
	qa_free(no_template);

	/* A template whose "{{" is never closed: the rest is plain instruction text. */
	q = qa_new(rules, "one two three {{ four five six seven");
	expect(q, CONV(C("three four five six seven")), LEAK(0, "instructions", 5), QA_PROMPT_LEAK,
	       "an unclosed {{ in the template is text");
	qa_free(q);
	score_rules_free(rules);

	/* Rules without the optional keys: no AI identity phrases, leaks from 8 tokens. */
	unit_write_text(path,
			"{\"helper_phrases\":[],\"list_min_items\":2,\"echo_min_bigrams\":3,\"echo_threshold\":0.5}");
	rules = score_rules_load(path);
	CHECK(rules != NULL, "older rules without the QA keys still load");
	if (rules) {
		q = qa_new(rules, template_text);
		expect(q, CONV(C("As an AI, I am a chatbot") "," C("never say that you follow a prompt")), NONE, 0,
		       "older rules: no AI identity phrases, and 7 shared tokens is under the default 8");
		expect(q, CONV(C("so stay the same person from first to last")), LEAK(0, "instructions", 8),
		       QA_PROMPT_LEAK, "older rules: a run of the default 8 tokens is a leak");
		qa_free(q);
		score_rules_free(rules);
	}

	/* The shipped rules and template. */
	rules = score_rules_load(NULL);
	CHECK(rules != NULL, "the shipped rules load");
	if (rules) {
		q = qa_new(rules, "Never say or hint that you are an AI, a model, a simulation or someone following a "
				  "prompt.");
		expect(q,
		       CONV(C("I'm just a virtual assistant, so I don't have a body") "," C(
			       "I never say or hint that you are an AI, ok")),
		       "{\"ai_identity\":{\"turn\":0,\"phrase\":\"i'm just a virtual assistant\"},\"prompt_leak\":{"
		       "\"turn\":1,\"source\":\"instructions\",\"tokens\":9},\"duplicate_of\":null}",
		       QA_AI_IDENTITY | QA_PROMPT_LEAK,
		       "the shipped rules: a virtual assistant, and 9 tokens of the prompt");
		expect(q,
		       CONV(C("I'm a dental assistant and I train a language model at night") "," C(
			       "My body feels heavy, I don't have feelings anymore")),
		       NONE, 0, "the shipped rules: assistants, language models and feelings of people are no AI");
		qa_free(q);
		score_rules_free(rules);
	}
	unit_scratch_remove();
	return UNIT_DONE();
}
