/* msg: the shape of every diagnostic, --quiet, muting, fatalf, and the exit status. */
#include <stdio.h>
#include <string.h>

#include "capture.h"
#include "msg.h"
#include "unit.h"

static void say_body(void *arg)
{
	const char *mode = arg;
	msg_set_program("tool");
	if (strcmp(mode, "quiet") == 0)
		msg_set_quiet(1);
	if (strcmp(mode, "mute") == 0)
		msg_mute(1);
	errorf("cannot open '%s'", "x.jsonl");
	warnf("%d lines skipped", 3);
	notef("%d records", 10);
	if (strcmp(mode, "fatal") == 0)
		fatalf(EXIT_USAGE, "bad --%s", "seed");
}

int main(void)
{
	struct captured c;
	capture(&c, say_body, "plain");
	CHECK_STR(c.err, "tool: cannot open 'x.jsonl'\ntool: warning: 3 lines skipped\ntool: 10 records\n",
		  "errors, warnings (marked) and notes are PROGRAM: text lines on stderr");
	CHECK(c.out[0] == '\0' && c.status == 0, "nothing goes to stdout");
	capture(&c, say_body, "quiet");
	CHECK_STR(c.err, "tool: cannot open 'x.jsonl'\ntool: warning: 3 lines skipped\n",
		  "--quiet silences notes only");
	capture(&c, say_body, "mute");
	CHECK_STR(c.err, "", "muted, errors and warnings say nothing");
	capture(&c, say_body, "fatal");
	CHECK(c.status == EXIT_USAGE, "fatalf exits with its status");
	CHECK(strstr(c.err, "tool: bad --seed\n") != NULL, "after its message");

	CHECK(exit_status_of(0, 0, 0) == EXIT_OK, "nothing failed: 0");
	CHECK(exit_status_of(1, 0, 0) == EXIT_SOME_FAILED, "a rejected input line: 1");
	CHECK(exit_status_of(0, 2, 1) == EXIT_SOME_FAILED, "a failure that is not a rate limit: 1");
	CHECK(exit_status_of(0, 2, 2) == EXIT_TEMPFAIL, "only rate limits: 75, worth a rerun");
	CHECK(exit_status_of(3, 2, 2) == EXIT_SOME_FAILED, "rejected input outweighs rate limits");
	msg_set_program("unit");
	CHECK_STR(msg_program(), "unit", "the program name is kept");
	char *d = xstrdup("copy");
	CHECK_STR(d, "copy", "xstrdup copies");
	free(d);
	return UNIT_DONE();
}
