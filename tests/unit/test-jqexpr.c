/* jqexpr: compile once, test and project records; errors reported, not fatal. */
#include <string.h>

#include "buf.h"
#include "jqexpr.h"
#include "unit.h"

int main(void)
{
	struct buf err = BUF_INIT;
	struct jqexpr *e = jqexpr_compile(".age >= 18", &err);
	CHECK(e != NULL && err.len == 0, "a valid expression compiles");
	jv adult = jv_parse("{\"age\":30}"), child = jv_parse("{\"age\":9}"), none = jv_parse("{}");
	CHECK(jqexpr_test(e, adult, &err) == 1, "a true first output passes");
	CHECK(jqexpr_test(e, child, &err) == 0, "false fails");
	CHECK(jqexpr_test(e, none, &err) == 0, "null >= 18 is false");
	CHECK(jqexpr_test(e, adult, &err) == 1, "the input is borrowed: it can be tested again");
	jqexpr_free(e);

	e = jqexpr_compile(".name", &err);
	CHECK(jqexpr_test(e, none, &err) == 0, "a null output is falsy");
	jqexpr_free(e);

	e = jqexpr_compile("empty", &err);
	CHECK(jqexpr_test(e, adult, &err) == 0, "no output is falsy");
	jv v = jqexpr_first(e, adult);
	CHECK(!jv_is_valid(v) && !jv_invalid_has_msg(jv_copy(v)), "no output is an invalid without a message");
	jv_free(v);
	jqexpr_free(e);

	e = jqexpr_compile(".age, 5", &err);
	v = jqexpr_first(e, adult);
	CHECK(jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) == 30, "jqexpr_first is the first output only");
	jv_free(v);
	jqexpr_free(e);

	e = jqexpr_compile("error(\"boom\")", &err);
	buf_reset(&err);
	CHECK(jqexpr_test(e, adult, &err) == -1, "an error is -1");
	CHECK_STR(err.data, "boom", "with its message");
	v = jqexpr_first(e, adult);
	CHECK(!jv_is_valid(v) && jv_invalid_has_msg(jv_copy(v)), "jqexpr_first gives an invalid with the message");
	jv_free(v);
	buf_reset(&err);
	CHECK(jqexpr_test(e, child, &err) == -1 && strcmp(err.data, "boom") == 0,
	      "the state is reusable after an error");
	jqexpr_free(e);

	buf_reset(&err);
	e = jqexpr_compile(".a |", &err);
	CHECK(e == NULL, "a syntax error does not compile");
	CHECK(err.len > 0 && strstr(err.data, "syntax error") != NULL, "and jq's reason is in err");
	jqexpr_free(NULL);
	jv_free(adult);
	jv_free(child);
	jv_free(none);
	buf_free(&err);
	return UNIT_DONE();
}
