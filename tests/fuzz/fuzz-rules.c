/* fuzz-rules — rules_load on arbitrary bytes, then one check of a fixed persona. */
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "rules.h"
#include "fuzz.h"

static const char RECORD[] = "{\"id\":\"p-0001\",\"schema\":\"small@1\",\"seed\":42,"
			     "\"fields\":{\"age\":34,\"occupation\":\"teacher\",\"hobbies\":[\"chess\",\"running\"],"
			     "\"name\":\"Ana\",\"score\":0.5,\"missing\":null}}";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	msg_set_program("fuzz-rules");
	fuzz_quiet_stderr();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset *rs = rules_load(fuzz_input_path(data, size));
	if (!rs)
		return 0;
	jv record = jv_parse(RECORD);
	jv failures = rules_check(rs, record);
	jv_free(failures);
	jv_free(record);
	rules_free(rs);
	return 0;
}
