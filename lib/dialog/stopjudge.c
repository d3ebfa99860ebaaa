#include <stdio.h>
#include <string.h>

#include "jvutil.h"
#include "llm.h"
#include "prompt.h"
#include "stopjudge.h"
#include "verdict.h"

jv stopjudge_messages(const char *tmpl, jv turns, size_t upto, size_t window)
{
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	if (upto > n)
		upto = n;
	size_t from = upto > window ? upto - window : 0;
	struct buf transcript = BUF_INIT;
	for (size_t i = from; i < upto; i++) {
		jv turn = jv_array_get(jv_copy(turns), (int)i);
		jv speaker = jvu_get_borrow(turn, "speaker");
		jv text = jvu_get_borrow(turn, "text");
		buf_addf(&transcript, "%s: ", jv_get_kind(speaker) == JV_KIND_STRING ? jv_string_value(speaker) : "?");
		prompt_value_text(text, &transcript);
		buf_addc(&transcript, '\n');
		jv_free(speaker);
		jv_free(text);
		jv_free(turn);
	}
	/* The placeholders are filled from a small record of our own, never re-expanded. */
	jv context = jv_object();
	context = jv_object_set(context, jv_string("transcript"), jv_string(transcript.data ? transcript.data : ""));
	context = jv_object_set(context, jv_string("turns"), jv_number((double)upto));
	struct buf prompt = BUF_INIT, err = BUF_INIT;
	prompt_expand(tmpl, context, &prompt, &err);
	jv messages = llm_user_prompt(prompt.data ? prompt.data : "");
	jv_free(context);
	buf_free(&transcript);
	buf_free(&prompt);
	buf_free(&err);
	return messages;
}

int stopjudge_verdict(const char *answer, struct buf *reason)
{
	return verdict_parse(answer, "verdict", reason, NULL);
}

int stopjudge_due(const struct stop_rules *rules, jv turns, size_t upto, size_t min_turns, long judge_every)
{
	if (upto == 0 || upto < min_turns)
		return 0;
	size_t exchange_start = (upto - 1) & ~(size_t)1;
	if (stoprules_cue(rules, turns, exchange_start, upto) ||
	    stoprules_repeats(rules, turns, exchange_start, upto, min_turns))
		return 1;
	/* The net under the cues, for endings in words the rules do not know; an exchange
	 * that asks a question is no ending in any words (judge-stop.txt: "It has not ended
	 * when ... the client asks something"), so asking the judge there is waste. */
	return judge_every > 0 && upto % 2 == 0 && (upto / 2) % (size_t)judge_every == 0 &&
	       !stoprules_asks(rules, turns, exchange_start, upto);
}
