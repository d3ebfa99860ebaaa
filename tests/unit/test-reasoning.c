#include <stdlib.h>

#include "reasoning.h"
#include "unit.h"

static const char *strip(const char *text)
{
	static char out[1024];
	struct buf b = BUF_INIT;
	reasoning_strip(text, strlen(text), "<think>", "</think>", &b);
	snprintf(out, sizeof out, "%s", b.data ? b.data : "");
	buf_free(&b);
	return out;
}

int main(void)
{
	CHECK_STR(strip("Hello there."), "Hello there.", "an answer without reasoning is kept");
	CHECK_STR(strip("  Hello.\n\n"), "Hello.", "surrounding whitespace goes");
	CHECK_STR(strip("<think>\nThe user wants a greeting.\n</think>\n\nHello."), "Hello.",
		  "a leading <think> block goes");
	CHECK_STR(strip("A.<think>hmm</think> B.<think>more</think>"), "A. B.", "every block goes, wherever it is");
	CHECK_STR(strip("I should greet them.\n</think>\n\nHello."), "Hello.",
		  "a reply that starts inside the block (template opened it) loses everything up to </think>");
	CHECK_STR(strip("<think>I was thinking and then the tokens ran ou"), "",
		  "an unclosed leading <think> leaves nothing");
	CHECK_STR(strip("Hello. <think>unfinished"), "Hello.", "an unclosed <think> later cuts the rest");
	CHECK_STR(strip("<think></think>"), "", "an empty block leaves an empty answer");
	CHECK_STR(strip("a < think > b"), "a < think > b", "text that only looks like a tag is kept");
	struct buf b = BUF_INIT;
	reasoning_strip("[R]x[/R]answer", 14, "[R]", "[/R]", &b);
	CHECK_STR(b.data, "answer", "configured tags are used");
	buf_free(&b);
	char *open = NULL, *close = NULL;
	CHECK(reasoning_tags_parse("<reasoning>,</reasoning>", &open, &close) == 0 &&
		      strcmp(open, "<reasoning>") == 0 && strcmp(close, "</reasoning>") == 0,
	      "--reasoning-tags OPEN,CLOSE");
	free(open);
	free(close);
	CHECK(reasoning_tags_parse("<think>", &open, &close) < 0 && reasoning_tags_parse(",x", &open, &close) < 0 &&
		      reasoning_tags_parse("x,", &open, &close) < 0 && reasoning_tags_parse("a,b,c", &open, &close) < 0,
	      "tags need exactly one comma and two non-empty sides");
	return UNIT_DONE();
}
