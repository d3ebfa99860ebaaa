#include "buf.h"
#include "unit.h"

static const char *as_json_string(const char *s)
{
	static struct buf b;
	buf_reset(&b);
	json_add_string(&b, s);
	return b.data;
}

int main(void)
{
	CHECK_STR(as_json_string("plain"), "\"plain\"", "plain text is only quoted");
	CHECK_STR(as_json_string("a\"b\\c"), "\"a\\\"b\\\\c\"", "quotes and backslashes are escaped");
	CHECK_STR(as_json_string("line\nbreak\ttab\x01"), "\"line\\nbreak\\ttab\\u0001\"", "control characters are escaped");
	CHECK_STR(as_json_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"", "UTF-8 passes through unchanged");

	struct buf b = BUF_INIT;
	json_add_double(&b, 0.1);
	buf_addc(&b, ' ');
	json_add_double(&b, 42);
	buf_addc(&b, ' ');
	json_add_double(&b, 1.0 / 3);
	buf_addc(&b, ' ');
	json_add_double(&b, 0.0 / 0.0);
	CHECK_STR(b.data, "0.1 42 0.3333333333333333 null", "doubles print in shortest round-trip form, NaN as null");

	buf_reset(&b);
	json_add_fixed(&b, -0.04, 1);
	buf_addc(&b, ' ');
	json_add_fixed(&b, 2.5, 3);
	CHECK_STR(b.data, "0.0 2.500", "fixed decimals never print negative zero");

	buf_reset(&b);
	for (int i = 0; i < 10000; i++)
		buf_addf(&b, "%d,", i % 10);
	CHECK(b.len == 20000 && b.data[b.len] == '\0', "the buffer grows and stays NUL-terminated");
	buf_free(&b);
	return UNIT_DONE();
}
