/* jvutil: kind-checked access that never trips jq's assertions, and the compact dump. */
#include <math.h>
#include <string.h>

#include "buf.h"
#include "jvutil.h"
#include "unit.h"

static struct buf out;

static const char *dump(const char *json)
{
	jv v = jv_parse(json);
	buf_reset(&out);
	buf_add(&out, "", 0);
	jvu_dump(v, &out);
	jv_free(v);
	return out.data;
}

int main(void)
{
	jv o = jv_parse("{\"a\":1,\"s\":\"x\"}"), arr = jv_parse("[1]");
	jv v = jvu_get_borrow(o, "a");
	CHECK(jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) == 1, "a member is read");
	jv_free(v);
	v = jvu_get_borrow(o, "zz");
	CHECK(!jv_is_valid(v), "a missing member is invalid");
	jv_free(v);
	v = jvu_get_borrow(arr, "a");
	CHECK(!jv_is_valid(v), "an array is not indexed by name (no jq assertion)");
	jv_free(v);
	CHECK(jvu_kind_borrow(o, "s") == JV_KIND_STRING && jvu_kind_borrow(o, "zz") == JV_KIND_INVALID &&
		      jvu_kind_borrow(arr, "s") == JV_KIND_INVALID,
	      "kinds of members, invalid when absent");
	CHECK_STR(jvu_kind_name(JV_KIND_OBJECT), "an object", "kind names read as English");
	CHECK_STR(jvu_kind_name(JV_KIND_ARRAY), "an array", "an array");
	CHECK_STR(jvu_kind_name(JV_KIND_NULL), "null", "null");
	o = jvu_set(o, "b", jv_true());
	CHECK(jvu_kind_borrow(o, "b") == JV_KIND_TRUE, "jvu_set adds a member to an object");
	arr = jvu_set(arr, "b", jv_true());
	CHECK(jv_get_kind(arr) == JV_KIND_ARRAY && jv_array_length(jv_copy(arr)) == 1, "and leaves a non-object alone");
	jv_free(o);
	jv_free(arr);

	CHECK_STR(dump("{\"b\":[1,2.5,\"x\"],\"a\":null,\"c\":{\"t\":true,\"f\":false}}"),
		  "{\"b\":[1,2.5,\"x\"],\"a\":null,\"c\":{\"t\":true,\"f\":false}}",
		  "compact JSON, keys in insertion order");
	CHECK_STR(dump("\"tab\\t quote\\\" nl\\n\""), "\"tab\\t quote\\\" nl\\n\"", "strings are escaped");
	CHECK_STR(dump("[]"), "[]", "an empty array");
	CHECK_STR(dump("{}"), "{}", "an empty object");
	jv big = jv_number(INFINITY);
	buf_reset(&out);
	jvu_dump(big, &out);
	CHECK_STR(out.data, "1.7976931348623157e+308", "infinity becomes the largest double, valid JSON");
	jv_free(big);
	CHECK(jvu_is_integer(3) && jvu_is_integer(-0.0) && !jvu_is_integer(2.5), "integers are told from fractions");
	CHECK(!jvu_is_integer(NAN) && !jvu_is_integer(INFINITY), "NaN and infinity are no integers");
	buf_free(&out);
	return UNIT_DONE();
}
