/* Termination detection by rules: where a conversation ends, and why, with the shipped
 * share/stop/rules.json and with rule files of our own (the phrases are data). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "jsonl.h"
#include "jsontext.h"
#include "stoprules.h"
#include "unit.h"

/* Write a rules file and load it; NULL when the loader refuses it. */
static struct stop_rules *rules_from(const char *name, const char *json)
{
	FILE *f = fopen(unit_path(name), "wb");
	if (!f)
		return NULL;
	fputs(json, f);
	fclose(f);
	return stoprules_load(unit_path(name));
}

/* A conversation as JSON text: turns alternate, the client first; NULL ends the list. */
static jv dialog(const char *const *texts)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "[");
	for (size_t i = 0; texts[i]; i++) {
		buf_adds(&b, i ? ",{\"speaker\":" : "{\"speaker\":");
		buf_adds(&b, i % 2 ? "\"responder\"" : "\"client\"");
		buf_adds(&b, ",\"text\":");
		json_add_string(&b, texts[i]);
		buf_adds(&b, "}");
	}
	buf_adds(&b, "]");
	jv v = jv_parse(b.data);
	buf_free(&b);
	return v;
}

#define TALK(...) dialog((const char *const[]){ __VA_ARGS__, NULL })

/* stoprules_find on turns (consumed). */
static struct stop_decision find(const struct stop_rules *r, jv turns, size_t min_turns)
{
	struct stop_decision d;
	stoprules_find(r, turns, min_turns, &d);
	jv_free(turns);
	return d;
}

static int is_end(const struct stop_decision *d, size_t keep, const char *reason, const char *rule, size_t turn)
{
	int ok = d->ended == 1 && d->keep == keep && strcmp(d->reason, reason) == 0 && strcmp(d->rule, rule) == 0 &&
		 d->turn == turn;
	if (!ok)
		printf("#   got: ended %d keep %zu reason '%s' rule '%s' turn %zu evidence '%s'\n", d->ended, d->keep,
		       d->reason ? d->reason : "(null)", d->rule ? d->rule : "(null)", d->turn, d->evidence);
	return ok;
}

static int no_end(const struct stop_decision *d, size_t n)
{
	int ok = d->ended == 0 && d->keep == n;
	if (!ok)
		printf("#   got: ended %d keep %zu reason '%s' rule '%s' turn %zu evidence '%s'\n", d->ended, d->keep,
		       d->reason ? d->reason : "(null)", d->rule ? d->rule : "(null)", d->turn, d->evidence);
	return ok;
}

static void closures(const struct stop_rules *r)
{
	struct stop_decision d =
		find(r,
		     TALK("Hi, my landlord won't fix the heating.",
			  "That sounds miserable. How long has it been broken?", "Three weeks now, and it's freezing.",
			  "Write to him and keep a copy; the council can step in after that.",
			  "Thanks, that really helps. Bye!"),
		     0);
	CHECK(is_end(&d, 5, "closure", "closure-phrase", 4),
	      "a closure as the last turn ends after it (keep = turn + 1)");
	CHECK_STR(d.evidence, "thanks", "the evidence of a closure is the first phrase matched");

	d = find(r,
		 TALK("Hi, my landlord won't fix the heating.", "That sounds miserable. How long has it been broken?",
		      "Three weeks now, and it's freezing.",
		      "Write to him and keep a copy; the council can step in after that.",
		      "Thanks, that really helps. Bye!", "Remember to keep a copy of every letter you send.", "Okay."),
		 0);
	CHECK(is_end(&d, 5, "closure", "closure-phrase", 4),
	      "a reply after a closure that is no farewell is cut off (keep = turn + 1)");

	d = find(r,
		 TALK("Hi, my landlord won't fix the heating.", "That sounds miserable. How long has it been broken?",
		      "Three weeks now, and it's freezing.",
		      "Write to him and keep a copy; the council can step in after that.",
		      "Thanks, that really helps. Bye!", "You're welcome, take care!", "Bye!", "Bye!"),
		 0);
	CHECK(is_end(&d, 6, "closure", "farewell-exchange", 4),
	      "a farewell reply to a closure is kept with it (keep = turn + 2)");
	CHECK_STR(d.evidence, "thanks", "the evidence of a farewell exchange is the closure's phrase");

	d = find(r,
		 TALK("I keep failing my driving test.", "That's frustrating. What goes wrong on the day?",
		      "Thanks! But what about my landlord?", "Your landlord? Tell me more.",
		      "He wants me out by Friday."),
		 0);
	CHECK(no_end(&d, 5), "thanks followed by a new question is no closure");

	d = find(r,
		 TALK("I keep failing my driving test.", "That's frustrating. What goes wrong on the day?",
		      "Thanks for asking, I also get nervous at roundabouts.",
		      "Roundabouts are hard for many learners.", "I'm not sure I can do it, thanks anyway."),
		 0);
	CHECK(no_end(&d, 5), "thanks with a new-concern marker (also, I'm not sure) is no closure");

	d = find(r,
		 TALK("I keep failing my driving test.", "That's frustrating. What goes wrong on the day?",
		      "Nerves. Thanks for listening, bye.",
		      "Before you go: have you tried a mock test with an instructor?", "No, I haven't. I'll book one.",
		      "That is a good plan.", "Thank you, goodbye.", "Take care and good luck!"),
		 0);
	CHECK(is_end(&d, 8, "closure", "farewell-exchange", 6),
	      "a closure whose reply asks a new question is not the end: the next closure is");

	d = find(r,
		 TALK("Work is getting on top of me.", "What part of it weighs on you most?",
		      "The deadlines. Honestly, talking it through helped.", "Take care of yourself."),
		 0);
	CHECK(is_end(&d, 4, "closure", "closure-phrase", 3), "either speaker may close");

	d = find(r,
		 TALK("My flat has mould.", "Have you told the landlord?", "Yes.", "What did he say?",
		      "Thanksgiving plans are ruined, he said the byelaw allows it."),
		 0);
	CHECK(no_end(&d, 5), "phrases match whole words only (thanks/Thanksgiving, bye/byelaw)");

	d = find(r, TALK("My flat has mould.", "Have you told the landlord?", "I’ll try that."), 0);
	CHECK(is_end(&d, 3, "closure", "closure-phrase", 2) && strcmp(d.evidence, "i'll try that") == 0,
	      "the typographic apostrophe matches the phrase's (I’ll try that)");

	d = find(r, TALK("My flat has mould.", "Have you told the landlord?", "THANK-YOU; GOODBYE"), 0);
	CHECK(is_end(&d, 3, "closure", "closure-phrase", 2) && strcmp(d.evidence, "thank you") == 0,
	      "matching ignores case and punctuation between the words of a phrase");

	d = find(r,
		 TALK("My flat has mould.", "Have you told the landlord?", "You said \"appreciate\", it seems odd.",
		      "Thank, you know, whoever."),
		 0);
	CHECK(no_end(&d, 4),
	      "punctuation between two words splits a phrase ('appreciate\", it' is not 'appreciate it')");

	struct buf longer = BUF_INIT;
	buf_adds(&longer, "Thanks. ");
	for (int i = 0; i < 90; i++)
		buf_adds(&longer, "word ");
	d = find(r, TALK("My flat has mould.", "Have you told the landlord?", longer.data), 0);
	CHECK(no_end(&d, 3), "a turn longer than closure_max_words is no closure");
	buf_free(&longer);
}

static void min_turns(const struct stop_rules *r)
{
	jv talk = TALK("Hello.", "Hi, what brings you here?", "Thanks. Bye for now.", "Take care.", "Not yet.",
		       "It might be worth a try.", "Okay. Thank you, that helps. Goodbye.", "Take care!");
	struct stop_decision d = find(r, jv_copy(talk), 0);
	CHECK(is_end(&d, 4, "closure", "farewell-exchange", 2), "without min_turns the early closure ends it");
	d = find(r, jv_copy(talk), 6);
	CHECK(is_end(&d, 8, "closure", "farewell-exchange", 6),
	      "a closure before min_turns is ignored, a later one found");
	int kept = 1;
	for (size_t m = 0; m <= 8; m++) {
		d = find(r, jv_copy(talk), m);
		if (d.ended && d.keep < m)
			kept = 0;
	}
	CHECK(kept, "no end point keeps fewer than min_turns turns");
	d = find(r, jv_copy(talk), 3);
	CHECK(is_end(&d, 4, "closure", "farewell-exchange", 2), "the turn at index min_turns - 1 may close");
	d = find(r, jv_copy(talk), 20);
	CHECK(no_end(&d, 8), "a conversation shorter than min_turns never ends");
	jv_free(talk);
}

static void loops(const struct stop_rules *r)
{
	const char *rent = "I just don't know what to do about my rent.";
	const char *listen = "My landlord won't listen to me at all.";
	jv talk = TALK("Hello.", "Hi, what's on your mind?", "Money, mostly.", "Tell me more.", "My job pays less now.",
		       "That must be a worry.", rent, "Rent is a big worry for many people.", listen,
		       "Have you written to him?", rent, "Could you ask for a payment plan?", listen,
		       "The council has a housing adviser.", rent);
	struct stop_decision d = find(r, jv_copy(talk), 0);
	CHECK(is_end(&d, 10, "loop", "repetition", 12),
	      "a client repeating the same two lines ends where the repetition started");
	CHECK_STR(d.evidence, rent, "the evidence of a loop is the repeated text");

	/* The in-line cut equals the cut over the whole conversation. */
	int same = 1;
	size_t n = (size_t)jv_array_length(jv_copy(talk)), first = 0;
	for (size_t len = 1; len <= n; len++) {
		jv prefix = jv_array_slice(jv_copy(talk), 0, (int)len);
		struct stop_decision p = find(r, prefix, 0);
		if (p.ended && !first) {
			first = len;
			same = p.keep == d.keep && p.turn == d.turn;
		}
	}
	CHECK(same && first == 13, "a loop is found as soon as its last turn exists, at the same cut");
	jv_free(talk);

	d = find(r,
		 TALK("Hello.", "Hi, what's on your mind?", "Money, mostly.", "Tell me more.", "My job pays less now.",
		      "That must be a worry.", "I just don't know what to do about my rent.",
		      "Rent is a big worry for many people.", "My landlord won't listen to me at all!",
		      "Have you written to him?", "I really just don't know what to do about my rent!",
		      "Could you ask for a payment plan?", "My landlord won't listen to me, at all.",
		      "The council has a housing adviser."),
		 0);
	CHECK(is_end(&d, 10, "loop", "repetition", 12), "near-identical turns (one word, punctuation) are repeats");

	d = find(r,
		 TALK("Hello.", "Hi, what's on your mind?", "Money, mostly.", "Tell me more.", "My job pays less now.",
		      "That must be a worry.", "I just don't know what to do about my rent.",
		      "Rent is a big worry for many people.", "My landlord won't listen to me at all.",
		      "Have you written to him?", "I just don't know what to do about my rent or my bills or my car.",
		      "Could you ask for a payment plan?", "My landlord won't listen.",
		      "The council has a housing adviser."),
		 0);
	CHECK(no_end(&d, 14), "turns that only share some words are no repeats");

	d = find(r,
		 TALK("Same words here.", "Other words there.", "Same words here.", "Other words there.",
		      "Same words here.", "Other words there.", "Same words here.", "Other words there.",
		      "Same words here."),
		 0);
	CHECK(is_end(&d, 6, "loop", "repetition", 8),
	      "repeats before loop.min_turns are not counted: the cut is at loop.min_turns at the earliest");
	d = find(r,
		 TALK("Same words here.", "Other words there.", "Same words here.", "Other words there.",
		      "Same words here.", "Other words there.", "Same words here.", "Other words there.",
		      "Same words here.", "Other words there.", "Same words here."),
		 8);
	CHECK(is_end(&d, 8, "loop", "repetition", 10), "a loop never cuts before min_turns");

	struct buf big = BUF_INIT;
	for (int i = 0; i < 200; i++)
		buf_addf(&big, "é%d ", i);
	d = find(r,
		 TALK("Hello.", "Hi.", "Well.", "Go on.", "So.", "Yes?", big.data, "Hmm.", "Right then.", "I see.",
		      big.data, "Hmm!", "Right then!"),
		 0);
	CHECK(is_end(&d, 10, "loop", "repetition", 12) && strlen(d.evidence) < sizeof d.evidence &&
		      utf8_valid(d.evidence, strlen(d.evidence)) &&
		      strncmp(d.evidence, big.data, strlen(d.evidence)) == 0 && strlen(d.evidence) > 200,
	      "long evidence is cut to fit on a UTF-8 character boundary");
	buf_free(&big);
}

static void no_end_and_odd_inputs(const struct stop_rules *r)
{
	struct stop_decision d = find(r,
				      TALK("My flat has mould.", "Have you told the landlord?", "Yes, twice.",
					   "What did he say?", "That it's my fault for drying clothes inside."),
				      0);
	CHECK(no_end(&d, 5) && strcmp(d.reason, "") == 0 && strcmp(d.evidence, "") == 0,
	      "no end point: ended 0, keep = all turns, empty reason and evidence");
	d = find(r, jv_null(), 0);
	CHECK(no_end(&d, 0), "turns null: no end, nothing to keep");
	d = find(r, jv_parse("{\"speaker\":\"client\",\"text\":\"Thanks, bye!\"}"), 0);
	CHECK(no_end(&d, 0), "turns an object: no end, nothing to keep");
	d = find(r, jv_parse("[]"), 0);
	CHECK(no_end(&d, 0), "no turns: no end");
	d = find(r, jv_parse("[1,2,3,4,5,6,7,8,9,10,11,12]"), 0);
	CHECK(no_end(&d, 12), "an array of numbers: no end, every turn kept");
	d = find(r,
		 jv_parse("[{\"speaker\":\"client\"},{},{\"text\":5},{\"text\":null},\"Thanks, bye!\",[\"bye\"],"
			  "{\"speaker\":7,\"text\":[\"bye\"]},{\"text\":{\"a\":\"bye\"}},null,true,"
			  "{\"speaker\":\"client\"},{},{\"speaker\":\"client\"},{},{\"speaker\":\"client\"},{}]"),
		 0);
	CHECK(no_end(&d, 16), "turns without text or of the wrong kind read as empty, and empty turns never loop");
	d = find(r,
		 jv_parse("[{\"text\":\"Thanks\\u0000?\"},{\"text\":\"\\u0000\"},{\"speaker\":\"client\",\"text\":"
			  "\"Thanks, bye\\u0000\"}]"),
		 0);
	CHECK(is_end(&d, 3, "closure", "closure-phrase", 2), "NUL bytes inside a text are read past, not a crash");
	d = find(NULL, TALK("Thanks, bye!"), 0);
	CHECK(no_end(&d, 1), "no rules: no end");
	CHECK(stoprules_find(r, jv_null(), 0, NULL) == 0, "no decision to fill: returns 0");
}

static void custom_rules(const struct stop_rules *shipped)
{
	jv talk = TALK("My car failed its MOT.", "What did they find?", "The brakes. Cheerio then!", "Take care.");
	struct stop_decision d = find(shipped, jv_copy(talk), 0);
	CHECK(is_end(&d, 4, "closure", "closure-phrase", 3),
	      "the shipped rules do not know 'cheerio' (the reply closes)");

	struct stop_rules *cheerio = rules_from("cheerio.json", "{\"closure_phrases\":[\"cheerio\"]}");
	CHECK(cheerio != NULL, "a rules file with only closure_phrases loads");
	d = find(cheerio, jv_copy(talk), 0);
	CHECK(is_end(&d, 3, "closure", "closure-phrase", 2) && strcmp(d.evidence, "cheerio") == 0,
	      "a custom closure phrase moves the cut (no farewell phrases: the reply is cut)");
	d = find(cheerio, TALK("Hi.", "Hello.", "Thanks, bye!", "Take care."), 0);
	CHECK(no_end(&d, 4), "phrases come from the file only: 'thanks' is no closure under custom rules");
	d = find(cheerio, TALK("Hi.", "Hello.", "Cheerio?"), 0);
	CHECK(no_end(&d, 3), "question_marks left out still means '?'");
	stoprules_free(cheerio);

	struct stop_rules *more = rules_from(
		"more.json",
		"{\"closure_phrases\":[\"cheerio\"],\"farewell_phrases\":[\"ta-ra\"],"
		"\"new_concern_markers\":[\"mind you\"],\"question_marks\":[\"eh\"],\"closure_max_words\":3}");
	CHECK(more != NULL, "a rules file with every list loads");
	d = find(more, TALK("Hi.", "Hello.", "Cheerio then.", "Take care."), 0);
	CHECK(is_end(&d, 3, "closure", "closure-phrase", 2), "the custom farewell list decides what a farewell is");
	d = find(more, TALK("Hi.", "Hello.", "Cheerio.", "Ta-ra, love."), 0);
	CHECK(is_end(&d, 4, "closure", "farewell-exchange", 2), "a custom farewell phrase keeps the reply");
	d = find(more, TALK("Hi.", "Hello.", "Cheerio, mind you."), 0);
	CHECK(no_end(&d, 3), "a custom new-concern marker blocks the closure");
	d = find(more, TALK("Hi.", "Hello.", "Cheerio, eh"), 0);
	CHECK(no_end(&d, 3), "a custom question mark blocks the closure");
	d = find(more, TALK("Hi.", "Hello.", "Right, well then, cheerio."), 0);
	CHECK(no_end(&d, 3), "closure_max_words comes from the file");
	stoprules_free(more);

	const char *looping =
		"[{\"speaker\":\"client\",\"text\":\"Round we go.\"},{\"speaker\":\"responder\",\"text\":\"One.\"},"
		"{\"speaker\":\"client\",\"text\":\"Round we go.\"},{\"speaker\":\"responder\",\"text\":\"Two.\"},"
		"{\"speaker\":\"client\",\"text\":\"Round we go.\"},{\"speaker\":\"responder\",\"text\":\"Three.\"}]";
	struct stop_rules *off = rules_from("off.json", "{\"loop\":{\"window\":0,\"min_turns\":0}}");
	d = find(off, jv_parse(looping), 0);
	CHECK(off && no_end(&d, 6), "loop window 0 turns loop detection off");
	stoprules_free(off);
	struct stop_rules *eager =
		rules_from("eager.json", "{\"loop\":{\"window\":1,\"min_turns\":0,\"similarity\":1}}");
	d = find(eager, jv_parse(looping), 0);
	CHECK(eager && is_end(&d, 2, "loop", "repetition", 2), "loop window and min_turns come from the file");
	stoprules_free(eager);
	jv_free(talk);
}

static void invalid_rules(void)
{
	static const char *const bad[][2] = {
		{ "not-json.json", "{\"closure_phrases\": [\"thanks\"" },
		{ "empty.json", "" },
		{ "array.json", "[\"thanks\"]" },
		{ "not-list.json", "{\"closure_phrases\":\"thanks\"}" },
		{ "number.json", "{\"closure_phrases\":[\"thanks\",3]}" },
		{ "blank.json", "{\"farewell_phrases\":[\"\"]}" },
		{ "no-words.json", "{\"new_concern_markers\":[\"?!\"]}" },
		{ "typo.json", "{\"closure_phrase\":[\"thanks\"]}" },
		{ "similarity.json", "{\"loop\":{\"similarity\":1.5}}" },
		{ "window.json", "{\"loop\":{\"window\":1.5}}" },
		{ "loop-key.json", "{\"loop\":{\"windows\":2}}" },
		{ "loop-kind.json", "{\"loop\":[2]}" },
		{ "max-words.json", "{\"closure_max_words\":\"80\"}" },
		{ "marks.json", "{\"question_marks\":[null]}" },
	};
	int refused = 0;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct stop_rules *r = rules_from(bad[i][0], bad[i][1]);
		if (r)
			printf("#   accepted %s\n", bad[i][0]);
		else
			refused++;
		stoprules_free(r);
	}
	CHECK(refused == (int)(sizeof bad / sizeof bad[0]), "invalid rules files are refused (NULL)");
	CHECK(stoprules_load(unit_path("missing.json")) == NULL, "a missing rules file is refused");
	struct stop_rules *minimal = rules_from("minimal.json", "{}");
	CHECK(minimal != NULL, "an empty object is valid rules (nothing ever closes)");
	stoprules_free(minimal);
}

/* stoprules_cue: a closure or farewell phrase is a possible ending even where the rules
 * would not end (a question beside it, a new concern) — where --stop hybrid asks the
 * judge; a turn without one is no cue, and turns outside [from, upto) are not read. */
static void cues(const struct stop_rules *r)
{
	jv turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"I need help with my rent.\"},"
			    "{\"speaker\":\"responder\",\"text\":\"Have you called your landlord?\"},"
			    "{\"speaker\":\"client\",\"text\":\"Thanks, but what about the deposit?\"},"
			    "{\"speaker\":\"responder\",\"text\":\"Ask for it in writing.\"}]");
	struct stop_decision d;
	CHECK(!stoprules_find(r, turns, 2, &d), "a thanks beside a question does not end the conversation");
	CHECK(stoprules_cue(r, turns, 2, 4) == 1, "but it is a cue: the judge should read it");
	CHECK(stoprules_cue(r, turns, 3, 4) == 0 && stoprules_cue(r, turns, 0, 2) == 0 &&
		      stoprules_cue(r, turns, 0, 99) == 1,
	      "turns outside [from, upto) are not read; upto past the end reads to the end");
	jv plain = jv_parse("[{\"speaker\":\"client\",\"text\":\"My rent went up.\"},"
			    "{\"speaker\":\"responder\",\"text\":\"By how much?\"}]");
	CHECK(stoprules_cue(r, plain, 0, 2) == 0 && stoprules_cue(r, jv_null(), 0, 2) == 0 &&
		      stoprules_cue(NULL, plain, 0, 2) == 0,
	      "no phrase, no turns, no rules: no cue");
	jv farewell = jv_parse("[{\"speaker\":\"responder\",\"text\":\"You're welcome, but one more thing?\"}]");
	CHECK(stoprules_cue(r, farewell, 0, 1) == 1, "a farewell phrase is a cue too");
	CHECK(stoprules_asks(r, turns, 0, 1) == 0 && stoprules_asks(r, turns, 0, 2) == 1 &&
		      stoprules_asks(r, turns, 3, 99) == 0 && stoprules_asks(r, plain, 1, 2) == 1,
	      "stoprules_asks: a question mark of the rules in turns[from .. upto-1]");
	CHECK(stoprules_asks(NULL, plain, 0, 2) == 0 && stoprules_asks(r, jv_null(), 0, 2) == 0,
	      "no rules, no turns: no question");
	jv_free(turns);
	jv_free(plain);
	jv_free(farewell);
}

/* stoprules_repeats: the first repeat of a loop the rules have not decided yet (the
 * shipped loop rule: window 2, similarity 0.9, from turn 6), read in [from, upto). */
static void loop_suspicion(const struct stop_rules *r)
{
	const char *head =
		"[{\"speaker\":\"client\",\"text\":\"My landlord raised the rent by two hundred dollars.\"},"
		"{\"speaker\":\"responder\",\"text\":\"That is steep; check your lease first.\"},"
		"{\"speaker\":\"client\",\"text\":\"The lease says nothing about increases during the year.\"},"
		"{\"speaker\":\"responder\",\"text\":\"Then it may not be allowed before renewal.\"},"
		"{\"speaker\":\"client\",\"text\":\"I will read it again tonight and note questions.\"},"
		"{\"speaker\":\"responder\",\"text\":\"Good, and bring it to a tenant clinic.\"},";
	struct buf text = BUF_INIT;
	buf_addf(&text, "%s%s", head,
		 "{\"speaker\":\"client\",\"text\":\"The lease says nothing about increases during the year.\"},"
		 "{\"speaker\":\"responder\",\"text\":\"Then ask the clinic about the notice period.\"}]");
	jv again = jv_parse(text.data);
	struct stop_decision d;
	CHECK(!stoprules_find(r, again, 2, &d), "one repeat is no loop for the rules (window 2)");
	CHECK(stoprules_repeats(r, again, 6, 8, 2) == 1 && stoprules_repeats(r, again, 0, 99, 0) == 1,
	      "but turn 6 repeating turn 2 of the same speaker is a suspicion");
	CHECK(stoprules_repeats(r, again, 4, 6, 2) == 0 && stoprules_repeats(r, again, 7, 8, 2) == 0,
	      "turns outside [from, upto) are not the suspicion");
	CHECK(stoprules_repeats(r, again, 6, 8, 7) == 0, "nor a repeat before min_turns (or loop.min_turns)");
	buf_free(&text);

	buf_addf(&text, "%s%s", head,
		 "{\"speaker\":\"client\",\"text\":\"The lease says nothing about any increases during the year.\"},"
		 "{\"speaker\":\"responder\",\"text\":\"The lease says nothing about increases during the year.\"}]");
	jv near = jv_parse(text.data);
	CHECK(stoprules_repeats(r, near, 6, 8, 2) == 0,
	      "Jaccard 8/9 is under 0.9; the same words from the other speaker are no repeat");
	buf_free(&text);

	struct stop_rules *off = rules_from("off-suspicion.json", "{\"loop\":{\"window\":0}}");
	CHECK(off && stoprules_repeats(off, again, 0, 99, 0) == 0, "loop.window 0: no loop, no suspicion");
	stoprules_free(off);
	CHECK(stoprules_repeats(NULL, again, 0, 99, 0) == 0 && stoprules_repeats(r, jv_null(), 0, 99, 0) == 0,
	      "no rules, no turns: no suspicion");
	jv_free(again);
	jv_free(near);
}

int main(void)
{
	if (unit_scratch_open("test-stoprules") < 0)
		return 1;
	struct stop_rules *r = stoprules_load("share/stop/rules.json");
	CHECK(r != NULL, "the shipped share/stop/rules.json loads");
	if (!r)
		return UNIT_DONE();
	struct stop_rules *found = stoprules_load(NULL);
	CHECK(found != NULL, "with no path the shipped rules are found next to the program");
	stoprules_free(found);

	closures(r);
	min_turns(r);
	loops(r);
	no_end_and_odd_inputs(r);
	custom_rules(r);
	invalid_rules();
	cues(r);
	loop_suspicion(r);
	stoprules_free(r);

	if (unit_scratch_remove() < 0)
		return 1;
	return UNIT_DONE();
}
