/* stopjudge: the window of turns shown to the stop judge, its verdicts, and where
 * --stop hybrid asks it. */
#include <string.h>

#include "buf.h"
#include "stopjudge.h"
#include "unit.h"

static int prompt_is(jv messages, const char *want)
{
	jv m = jv_array();
	jv one = jv_object();
	one = jv_object_set(one, jv_string("role"), jv_string("user"));
	one = jv_object_set(one, jv_string("content"), jv_string(want));
	m = jv_array_append(m, one);
	return jv_equal(messages, m);
}

/* stopjudge_due: the one decision dialog-run and dialog-stop share. */
static void due(void)
{
	struct stop_rules *r = stoprules_load("share/stop/rules.json");
	CHECK(r != NULL, "the shipped stop rules load");
	jv turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"My rent went up.\"},"
			    "{\"speaker\":\"responder\",\"text\":\"By how much?\"},"
			    "{\"speaker\":\"client\",\"text\":\"Thanks, but what about the deposit?\"},"
			    "{\"speaker\":\"responder\",\"text\":\"Ask for it in writing.\"},"
			    "{\"speaker\":\"client\",\"text\":\"Fine.\"},"
			    "{\"speaker\":\"responder\",\"text\":\"Good.\"},"
			    "{\"speaker\":\"client\",\"text\":\"OK.\"},"
			    "{\"speaker\":\"responder\",\"text\":\"Sure.\"},"
			    "{\"speaker\":\"client\",\"text\":\"Bye?\"}]");
	CHECK(stopjudge_due(r, turns, 2, 2, 0) == 0, "an exchange without a cue: not asked");
	CHECK(stopjudge_due(r, turns, 4, 2, 0) == 1, "a cue in the last exchange: asked");
	CHECK(stopjudge_due(r, turns, 6, 2, 0) == 0, "a cue in an earlier exchange is not read again");
	CHECK(stopjudge_due(r, turns, 4, 5, 0) == 0, "never before min_turns");
	CHECK(stopjudge_due(r, turns, 9, 2, 0) == 1 && stopjudge_due(r, turns, 9, 2, 2) == 1,
	      "a lone last turn is the last exchange");
	CHECK(stopjudge_due(r, turns, 8, 2, 4) == 1 && stopjudge_due(r, turns, 8, 2, 3) == 0 &&
		      stopjudge_due(r, turns, 6, 2, 3) == 1 && stopjudge_due(r, turns, 7, 2, 1) == 0,
	      "every judge_every-th exchange, at its end only");
	CHECK(stopjudge_due(r, turns, 0, 0, 1) == 0, "no turns: never");
	jv_free(turns);
	turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"My rent went up.\"},"
			 "{\"speaker\":\"responder\",\"text\":\"By how much?\"},"
			 "{\"speaker\":\"client\",\"text\":\"A lot.\"},"
			 "{\"speaker\":\"responder\",\"text\":\"That is hard.\"}]");
	CHECK(stopjudge_due(r, turns, 2, 2, 1) == 0 && stopjudge_due(r, turns, 4, 2, 1) == 1,
	      "the net skips an exchange that asks a question: no ending asks one");
	jv_free(turns);
	turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"Can I pay the rent late this month?\"},"
			 "{\"speaker\":\"responder\",\"text\":\"Ask your landlord in writing.\"},"
			 "{\"speaker\":\"client\",\"text\":\"Can I pay the rent late this month?\"},"
			 "{\"speaker\":\"responder\",\"text\":\"Ask your landlord in writing.\"}]");
	CHECK(stopjudge_due(r, turns, 4, 0, 0) == 0, "a repeat before loop.min_turns (6): not asked");
	jv_free(turns);
	turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"Can I pay the rent late this month?\"},"
			 "{\"speaker\":\"responder\",\"text\":\"Ask your landlord in writing.\"},"
			 "{\"speaker\":\"client\",\"text\":\"He never answers my letters.\"},"
			 "{\"speaker\":\"responder\",\"text\":\"Then call the tenant hotline.\"},"
			 "{\"speaker\":\"client\",\"text\":\"I tried, nobody picked up.\"},"
			 "{\"speaker\":\"responder\",\"text\":\"Try again on Monday morning.\"},"
			 "{\"speaker\":\"client\",\"text\":\"Can I pay the rent late this month?\"},"
			 "{\"speaker\":\"responder\",\"text\":\"Please try the hotline on Monday.\"}]");
	CHECK(stopjudge_due(r, turns, 8, 2, 0) == 1 && stopjudge_due(r, turns, 6, 2, 0) == 0,
	      "loop suspicion: a turn repeating its speaker's earlier one asks the judge, question or not");
	jv_free(turns);
	stoprules_free(r);
}

int main(void)
{
	jv turns = jv_parse(
		"[{\"speaker\":\"client\",\"text\":\"a\"},{\"speaker\":\"responder\",\"text\":\"b\"},"
		"{\"speaker\":\"client\",\"text\":\"c\"},{\"text\":\"d\"},{\"speaker\":\"client\",\"text\":\"e\"}]");
	const char *tmpl = "{{turns}}|{{transcript}}";
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 4, 2), "4|client: c\n?: d\n"),
	      "the last window turns before upto, one speaker: text line each");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 2, 10), "2|client: a\nresponder: b\n"),
	      "a window wider than the conversation shows it all");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 99, 1), "5|client: e\n"), "upto beyond the end is the end");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 0, 3), "0|"), "no turns yet: an empty transcript");
	jv_free(turns);
	turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"{{turns}} {{transcript}}\"}]");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 1, 1), "1|client: {{turns}} {{transcript}}\n"),
	      "placeholders inside a turn are not expanded");
	jv_free(turns);
	turns = jv_parse("{}");
	CHECK(prompt_is(stopjudge_messages(tmpl, turns, 3, 3), "0|"), "turns that are not an array count as none");
	jv_free(turns);

	struct buf reason = BUF_INIT;
	CHECK(stopjudge_verdict("{\"verdict\": true, \"reason\": \"they said goodbye\"}", &reason) == 1,
	      "true is ended");
	CHECK_STR(reason.data, "they said goodbye", "with its reason");
	buf_reset(&reason);
	CHECK(stopjudge_verdict("Answer: {\"verdict\": false}", &reason) == 0, "false is not ended");
	CHECK(stopjudge_verdict("{\"verdict\": \"true\"}", &reason) == -1, "a string verdict is unparseable");
	CHECK(stopjudge_verdict("yes", &reason) == -1, "prose is unparseable, never ended");
	buf_free(&reason);
	due();
	return UNIT_DONE();
}
