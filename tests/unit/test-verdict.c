#include "buf.h"
#include "verdict.h"
#include "unit.h"

static int parse(const char *answer, struct buf *reason)
{
	buf_reset(reason);
	return verdict_parse(answer, "verdict", reason, NULL);
}

int main(void)
{
	struct buf reason = BUF_INIT;
	CHECK(parse("{\"verdict\": true, \"reason\": \"fits\"}", &reason) == 1 && reason.data &&
		      strcmp(reason.data, "fits") == 0,
	      "a bare JSON verdict is read with its reason");
	CHECK(parse("Sure! ```json\n{\"verdict\":false,\"reason\":\"a {brace} inside\"}\n```", &reason) == 0 &&
		      strcmp(reason.data, "a {brace} inside") == 0,
	      "a fenced verdict inside prose is found, braces in strings handled");
	CHECK(parse("{\"verdict\":\"yes\"}", &reason) == -1, "a string verdict is unparseable, not a yes");
	CHECK(parse("I think it is plausible.", &reason) == -1, "prose without JSON is unparseable");
	CHECK(parse("{\"verdict\": tru", &reason) == -1, "a cut-off object is unparseable");
	CHECK(parse("{bad} then {\"verdict\":true}", &reason) == 1, "the first object that parses counts");
	CHECK(parse("", &reason) == -1 && verdict_parse(NULL, "verdict", &reason, NULL) == -1,
	      "empty and NULL answers are unparseable");
	buf_free(&reason);
	return UNIT_DONE();
}
