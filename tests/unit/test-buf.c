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
	CHECK_STR(as_json_string("line\nbreak\ttab\x01"), "\"line\\nbreak\\ttab\\u0001\"",
		  "control characters are escaped");
	CHECK_STR(as_json_string("del\x7f"), "\"del\\u007f\"", "DEL is escaped as jq does");
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

	const double numbers[] = { 1e15,
				   1e16,
				   1e17,
				   1.5e17,
				   12345678901234567000.0,
				   1e-4,
				   1e-5,
				   0.0001234,
				   1.2345e-5,
				   123456789012345678901234.0,
				   1e300,
				   -0.0,
				   0.1,
				   100,
				   1e21,
				   1.7976931348623157e308,
				   5e-324,
				   3.0,
				   -2.5 };
	buf_reset(&b);
	for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
		json_add_double(&b, numbers[i]);
		buf_addc(&b, ' ');
	}
	CHECK_STR(b.data,
		  "1000000000000000 1e+16 1e+17 1.5e+17 12345678901234567000 0.0001 1e-05 0.0001234 1.2345e-05 "
		  "123456789012345690000000 1e+300 -0 0.1 100 1e+21 1.7976931348623157e+308 5e-324 3 -2.5 ",
		  "numbers print exactly as jq 1.6 prints them");

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
