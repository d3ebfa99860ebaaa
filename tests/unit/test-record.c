/* record: the failed-record convention and ids in messages. */
#include <string.h>

#include "record.h"
#include "unit.h"

int main(void)
{
	jv r = record_set_failed(jv_parse("{\"id\":\"p/1\",\"x\":1}"), "timeout", "no answer in 60 s", 3);
	CHECK(jv_equal(jv_copy(r),
		       jv_parse("{\"id\":\"p/1\",\"x\":1,\"status\":\"failed\","
				"\"error\":{\"kind\":\"timeout\",\"message\":\"no answer in 60 s\",\"attempts\":3}}")),
	      "a failed record gets status and error {kind, message, attempts}");
	char why[64];
	CHECK(record_failed_earlier(r, why, sizeof why) == 1, "a failed record is seen as failed earlier");
	CHECK_STR(why, "timeout: no answer in 60 s", "the reason reads KIND: MESSAGE");
	char small[8];
	record_failed_earlier(r, small, sizeof small);
	CHECK_STR(small, "timeout", "the reason is cut to the caller's buffer (8 bytes: 7 and NUL)");
	CHECK_STR(record_id(r), "p/1", "record_id is the string id");
	r = record_clear_failed(r);
	CHECK(jv_equal(jv_copy(r), jv_parse("{\"id\":\"p/1\",\"x\":1}")),
	      "clearing removes status and error, nothing else");
	CHECK(record_failed_earlier(r, why, sizeof why) == 0, "a cleared record has not failed");
	r = record_clear_failed(r);
	CHECK(jv_equal(jv_copy(r), jv_parse("{\"id\":\"p/1\",\"x\":1}")),
	      "clearing a record that never failed changes nothing");
	jv_free(r);

	r = jv_parse("{\"status\":\"failed\",\"error\":{\"kind\":7}}");
	CHECK(record_failed_earlier(r, why, sizeof why) == 1, "status failed is enough to count as failed");
	CHECK_STR(why, "unknown: no message", "a malformed error reads unknown: no message");
	jv_free(r);
	r = jv_parse("{\"status\":\"ok\",\"error\":{\"kind\":\"x\"}}");
	CHECK(record_failed_earlier(r, why, sizeof why) == 0, "only status \"failed\" counts");
	jv_free(r);

	r = jv_parse("{\"id\":42}");
	CHECK_STR(record_id(r), "?", "a numeric id is no id");
	jv_free(r);
	r = jv_parse("[1]");
	CHECK_STR(record_id(r), "?", "a record that is not an object has id ?");
	jv_free(r);
	return UNIT_DONE();
}
