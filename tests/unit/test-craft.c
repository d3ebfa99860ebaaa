/* craft: is a model's answer usable as a persona description, and its trimmed form. */
#include <string.h>

#include "buf.h"
#include "craft.h"
#include "unit.h"

static struct buf b;

static const char *trimmed(const char *answer)
{
	buf_reset(&b);
	buf_add(&b, "", 0);
	craft_trim(answer, &b);
	return b.data;
}

static const char *problem(const char *answer)
{
	const char *p = craft_answer_problem(answer);
	return p ? p : "(usable)";
}

int main(void)
{
	CHECK_STR(trimmed("  A retired nurse.\n"), "A retired nurse.", "surrounding white space goes");
	CHECK_STR(trimmed(" \"A nurse who said \"hi\".\" "), "A nurse who said \"hi\".",
		  "one pair of wrapping quotes goes");
	CHECK_STR(trimmed("\"unbalanced"), "\"unbalanced", "a lone quote stays");
	CHECK_STR(trimmed("\""), "\"", "a single quote character is not a pair");
	CHECK_STR(trimmed("\"\""), "", "an empty quoted answer is empty");
	CHECK_STR(problem("A 58-year-old bus driver from Leeds."), "(usable)", "a description is usable");
	CHECK_STR(problem(" \n\t"), "empty answer", "white space only is empty");
	CHECK_STR(problem("\"\""), "empty answer", "empty quotes are empty");
	CHECK_STR(problem("I'm sorry, but I can't help"), "refusal", "a refusal opening is refused");
	CHECK_STR(problem("  AS AN AI, I do not"), "refusal", "in any case, after white space");
	CHECK_STR(problem("\"I cannot do that\""), "refusal", "and inside quotes");
	CHECK_STR(problem("Sorrow defines her: a widow."), "(usable)",
		  "only whole openings count (Sorrow is not sorry,)");
	CHECK_STR(problem("She says I'm sorry a lot."), "(usable)", "a refusal phrase later in the text is fine");
	CHECK_STR(problem("Name: {{name}}, a teacher"), "leftover placeholder",
		  "an unfilled {{placeholder}} is refused");
	CHECK_STR(problem("a teacher }} oops"), "leftover placeholder", "so is half of one");
	buf_free(&b);
	return UNIT_DONE();
}
