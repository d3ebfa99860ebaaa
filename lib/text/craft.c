#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "craft.h"

/* How refusals usually open; an answer that starts like this describes no one. */
static const char *const refusal_openings[] = {
	"i'm sorry",           "i am sorry",   "sorry,",     "i cannot",    "i can't",
	"i can not",           "i won't",      "i'm unable", "i am unable", "as an ai",
	"as a language model", "i'm not able", NULL
};

void craft_trim(const char *answer, struct buf *out)
{
	const char *start = answer;
	const char *end = answer + strlen(answer);
	while (start < end && isspace((unsigned char)*start))
		start++;
	while (end > start && isspace((unsigned char)end[-1]))
		end--;
	if (end - start >= 2 && *start == '"' && end[-1] == '"')
		start++, end--;
	buf_add(out, start, (size_t)(end - start));
}

const char *craft_answer_problem(const char *answer)
{
	struct buf t = BUF_INIT;
	craft_trim(answer, &t);
	const char *problem = NULL;
	if (t.len == 0) {
		problem = "empty answer";
	} else if (strstr(t.data, "{{") || strstr(t.data, "}}")) {
		problem = "leftover placeholder";
	} else {
		for (const char *const *r = refusal_openings; *r && !problem; r++)
			if (strncasecmp(t.data, *r, strlen(*r)) == 0)
				problem = "refusal";
	}
	buf_free(&t);
	return problem;
}
