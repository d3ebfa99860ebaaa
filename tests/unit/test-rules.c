/* rules: loading rule files (every refusal) and checking records with the combined
 * program (every failing rule reported, errors as errors). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "rules.h"
#include "unit.h"

static char path[64];

static void load_body(void *arg)
{
	(void)arg;
	struct ruleset *rs = rules_load(path);
	printf("%s", rs ? "loaded" : "refused");
	rules_free(rs);
}

static struct captured c;
/* Loads text as a rules file in a child; c.err holds the message after "persona: PATH: ". */
static const char *refusal(const char *text)
{
	unit_write_text(path, text);
	capture(&c, load_body, NULL);
	size_t skip = strlen("persona: ") + strlen(path) + 2;
	return strcmp(c.out, "refused") == 0 && strlen(c.err) > skip ? c.err + skip : "(loaded)\n";
}

static int check_is(struct ruleset *rs, const char *record, const char *want)
{
	jv r = jv_parse(record);
	jv got = rules_check(rs, r);
	jv_free(r);
	return jv_equal(got, jv_parse(want));
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-rules-%ld.json", (long)getpid());

	CHECK_STR(refusal("[1]"), "a rules file is {\"rules\": [{\"name\", \"expr\", \"message\"}, ...]}\n",
		  "a file that is not {\"rules\": [...]} is refused with the expected shape");
	CHECK_STR(refusal("{\"rules\":{}}"), "a rules file is {\"rules\": [{\"name\", \"expr\", \"message\"}, ...]}\n",
		  "rules that are not an array are refused");
	CHECK_STR(refusal("{\"rules\":[{\"name\":\"a\",\"expr\":\"true\"},{\"name\":\"b\"}]}"),
		  "rule 2 needs \"name\" and \"expr\" strings\n", "a rule without expr is named by its position");
	CHECK_STR(refusal("{\"rules\":[{\"name\":\"a\",\"expr\":\"true\"},{\"name\":\"a\",\"expr\":\"false\"}]}"),
		  "rule 'a' is defined twice\n", "a duplicate rule name is refused");
	const char *bad =
		refusal("{\"rules\":[{\"name\":\"ok\",\"expr\":\"true\"},{\"name\":\"broken\",\"expr\":\".age >\"}]}");
	CHECK(strncmp(bad, "rule 'broken' is not a valid jq expression: ", 44) == 0 &&
		      strchr(bad, '\n') == bad + strlen(bad) - 1,
	      "a syntax error names its rule, on one line");
	bad = refusal(
		"{\"rules\":[{\"name\":\"ok\",\"expr\":\".a == 1\"},{\"name\":\"half\",\"expr\":\".a) or (.b\"}]}");
	CHECK(strncmp(bad, "rule 'half' is not a valid jq expression: ", 42) == 0,
	      "a rule that only the parentheses around it would complete is refused, named");
	unit_write_text(path, "{\"rules\":");
	capture(&c, load_body, NULL);
	char want[256];
	snprintf(want, sizeof want, "persona: %s: not valid JSON: ", path);
	CHECK(strcmp(c.out, "refused") == 0 && strncmp(c.err, want, strlen(want)) == 0,
	      "a file that is not JSON is refused");
	unlink(path);
	capture(&c, load_body, NULL);
	snprintf(want, sizeof want, "persona: cannot open '%s': No such file or directory\n", path);
	CHECK_STR(c.err, want, "a missing file is refused");

	unit_write_text(
		path,
		"{\"schema\":\"x\",\"rules\":["
		"{\"name\":\"adult\",\"expr\":\".fields.age >= 18\",\"message\":\"too young\"},"
		"{\"name\":\"named\",\"expr\":\".fields.name | length > 0\"},"
		"{\"name\":\"picky\",\"expr\":\"if .fields.age == 99 then error(\\\"no 99\\\") else true end\"}]}");
	struct ruleset *rs = rules_load(path);
	CHECK(rs && rs->n == 3, "a valid file loads every rule");
	if (!rs)
		return UNIT_DONE();
	CHECK(check_is(rs, "{\"fields\":{\"age\":30,\"name\":\"Ann\"}}", "[]"),
	      "a record passing every rule has no failures");
	CHECK(check_is(rs, "{\"fields\":{\"age\":12,\"name\":\"\"}}",
		       "[{\"rule\":\"adult\",\"message\":\"too young\"},{\"rule\":\"named\",\"message\":\"named\"}]"),
	      "every failing rule is reported, in file order; no message means the rule's name");
	CHECK(check_is(rs, "{\"fields\":{\"age\":99,\"name\":\"Bo\"}}",
		       "[{\"rule\":\"picky\",\"message\":\"rule error: no 99\"}]"),
	      "a rule that raises an error fails with the error's text");
	CHECK(check_is(rs, "{\"fields\":{\"name\":\"Cy\"}}", "[{\"rule\":\"adult\",\"message\":\"too young\"}]"),
	      "null >= 18 is false: a missing field fails the rule");
	CHECK(check_is(rs, "{\"fields\":\"text\"}",
		       "[{\"rule\":\"adult\",\"message\":\"rule error: Cannot index string with string \\\"age\\\"\"},"
		       "{\"rule\":\"named\",\"message\":\"rule error: Cannot index string with string \\\"name\\\"\"},"
		       "{\"rule\":\"picky\",\"message\":\"rule error: Cannot index string with string \\\"age\\\"\"}]"),
	      "a jq error in every rule reports each, never a pass");
	/* adult failed on the records of age 12, 'Cy' and "text": 3; named 2; picky 2. */
	CHECK(rs->failures[0] == 3 && rs->failures[1] == 2 && rs->failures[2] == 2,
	      "failures are counted per rule over the run");
	rules_free(rs);

	unit_write_text(path, "{\"rules\":[{\"name\":\"commented\",\"expr\":\".fields.age >= 18 # adults only\"},"
			      "{\"name\":\"named\",\"expr\":\".fields.name != null\"}]}");
	rs = rules_load(path);
	CHECK(rs != NULL, "a rule ending in a jq comment loads");
	if (rs) {
		CHECK(check_is(rs, "{\"fields\":{\"age\":12}}",
			       "[{\"rule\":\"commented\",\"message\":\"commented\"},{\"rule\":\"named\",\"message\":"
			       "\"named\"}]"),
		      "a comment in one rule hides neither its own end nor the next rule");
		rules_free(rs);
	}

	unit_write_text(path, "{\"rules\":[]}");
	rs = rules_load(path);
	CHECK(rs && rs->n == 0, "an empty rule list is allowed");
	if (rs) {
		CHECK(check_is(rs, "{}", "[]"), "and passes every record");
		rules_free(rs);
	}
	unlink(path);
	return UNIT_DONE();
}
