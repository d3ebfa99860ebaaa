/* fieldcheck: a field an option names must exist in the first block of input. Each
 * check runs in a child to keep its message. */
#include <string.h>

#include "buf.h"
#include "capture.h"
#include "fieldcheck.h"
#include "jqexpr.h"
#include "unit.h"

struct field_case {
	const char *name;
	enum field_place place;
	const char *block;
	const char *expr; /* non-NULL: fieldcheck_expr with this expression */
};

static void field_body(void *arg)
{
	struct field_case *fc = arg;
	jv block = jv_parse(fc->block);
	int rc;
	if (fc->expr) {
		struct buf err = BUF_INIT;
		struct jqexpr *e = jqexpr_compile(fc->expr, &err);
		rc = fieldcheck_expr("--by", fc->expr, e, block);
		jqexpr_free(e);
		buf_free(&err);
	} else {
		rc = fieldcheck("--opt", fc->name, fc->place, block);
	}
	jv_free(block);
	printf("%d", rc);
}

static struct captured c;
static void run(const char *name, enum field_place place, const char *block, const char *expr)
{
	struct field_case fc = { name, place, block, expr };
	capture(&c, field_body, &fc);
}

#define RECS                                                                                                        \
	"[{\"id\":\"a\",\"fields\":{\"age\":1,\"job\":\"x\"}},{\"id\":\"b\",\"fields\":{\"age\":2}},{\"id\":\"c\"," \
	"\"fields\":{\"age\":null}}]"

int main(void)
{
	run("age", FIELD_IN_FIELDS, RECS, NULL);
	/* age present (non-null) in 2 of 3: 2 * 2 >= 3, no warning */
	CHECK(strcmp(c.out, "0") == 0 && c.err[0] == '\0', "a field in most records passes silently");
	run("job", FIELD_IN_FIELDS, RECS, NULL);
	/* job in 1 of 3: 1 * 2 < 3 */
	CHECK_STR(c.out, "0", "a field in a minority of records is still usable");
	CHECK_STR(c.err, "persona: warning: --opt: the field 'job' is missing from 2 of the first 3 records\n",
		  "with a warning that counts the records without it");
	run("agee", FIELD_IN_FIELDS, RECS, NULL);
	CHECK_STR(c.out, "-1", "a field in no record is refused");
	CHECK_STR(c.err,
		  "persona: --opt: no record has the field 'agee' (none of the first 3; their fields are: age, job); "
		  "nothing was processed\n",
		  "the refusal names the option, the field, the count and the fields there are");
	run("id", FIELD_IN_FIELDS, RECS, NULL);
	CHECK_STR(c.out, "-1", "a top-level member is no persona field");
	run("id", FIELD_AT_TOP, RECS, NULL);
	CHECK(strcmp(c.out, "0") == 0 && c.err[0] == '\0', "a top-level member is found at the top");
	run("age", FIELD_AT_TOP, RECS, NULL);
	CHECK_STR(c.err,
		  "persona: --opt: no record has the field 'age' (none of the first 3; they have: id, fields); "
		  "nothing was processed\n",
		  "at the top, the hint lists the record's own members");
	run("id", FIELD_IN_FIELDS_OR_TOP, RECS, NULL);
	CHECK_STR(c.out, "0", "fields-or-top finds a top-level member");
	run("job", FIELD_IN_FIELDS_OR_TOP, RECS, NULL);
	CHECK_STR(c.out, "0", "and a persona field");
	run("age", FIELD_IN_FIELDS, "[{\"fields\":{\"age\":null}}]", NULL);
	CHECK_STR(c.out, "-1", "a null value counts as missing");
	run("x", FIELD_IN_FIELDS, "[{\"turns\":[],\"id\":\"t\"}]", NULL);
	CHECK_STR(c.err,
		  "persona: --opt: no record has the field 'x' (none of the first 1; their fields are: turns, id); "
		  "nothing was processed\n",
		  "records without fields: the hint falls back to their members");
	run("x", FIELD_IN_FIELDS, "[]", NULL);
	CHECK(strcmp(c.out, "0") == 0 && c.err[0] == '\0', "an empty input has nothing to check");
	run("x", FIELD_AT_TOP,
	    "[{\"a\":1,\"b\":1,\"c\":1,\"d\":1,\"e\":1,\"f\":1,\"g\":1,\"h\":1,\"i\":1,\"j\":1,\"k\":1,\"l\":1,\"m\":1,"
	    "\"n\":1}]",
	    NULL);
	CHECK_STR(
		c.err,
		"persona: --opt: no record has the field 'x' (none of the first 1; they have: a, b, c, d, e, f, g, h, "
		"i, j, k, l, ...); nothing was processed\n",
		"the hint stops after twelve names");

	run(NULL, FIELD_AT_TOP, RECS, ".fields.job");
	CHECK_STR(c.out, "0", "an expression with a value for some records passes");
	CHECK_STR(c.err, "persona: warning: --by '.fields.job' gives null (or an error) for 2 of the first 3 records\n",
		  "with a warning when most records give null");
	run(NULL, FIELD_AT_TOP, RECS, ".fields.jobb");
	CHECK_STR(c.out, "-1", "an expression null for every record is refused");
	CHECK_STR(c.err,
		  "persona: --by '.fields.jobb' gives null (or an error) for every one of the first 3 records: "
		  "nothing to group by; nothing was processed\n",
		  "the refusal quotes the expression");
	run(NULL, FIELD_AT_TOP, RECS, ".id | error");
	CHECK_STR(c.out, "-1", "an error counts as null");
	run(NULL, FIELD_AT_TOP, RECS, ".id");
	CHECK(strcmp(c.out, "0") == 0 && c.err[0] == '\0', "an expression with a value everywhere passes silently");
	return UNIT_DONE();
}
