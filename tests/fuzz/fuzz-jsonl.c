/* fuzz-jsonl — the JSON Lines reader on arbitrary bytes: bad UTF-8, NUL bytes, CRLF,
 * over-long lines (the limit is small), gzip framing, and the rejects path. Also the
 * promise of json_check: whatever it accepts, libjq parses (else abort: a crash). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz.h"
#include "jsonl.h"
#include "jsontext.h"
#include "msg.h"

enum { MAX_LINE_BYTES = 4096 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	msg_set_program("fuzz-jsonl");
	fuzz_quiet_stderr();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[160];
	if (size < (1u << 20) && json_check((const char *)data, size, err, sizeof err) == 0) {
		jv v = jv_parse_sized((const char *)data, (int)size);
		if (!jv_is_valid(v))
			abort();
		jv_free(v);
	}
	char *paths[] = { (char *)fuzz_input_path(data, size) };
	struct jsonl_writer *rejects = jsonl_writer_open("/dev/null");
	struct jsonl_reader *r = jsonl_reader_open(paths, 1, MAX_LINE_BYTES, rejects);
	jv record;
	while (jsonl_read(r, &record)) {
		size_t len;
		(void)jsonl_raw(r, &len);
		(void)jsonl_where(r);
		/* Exercise the caller-side reject path on every other record. */
		if (jsonl_records(r) % 2 == 0)
			jsonl_reject(r, "rejected by the fuzzer");
		jv_free(record);
	}
	(void)jsonl_errors(r);
	jsonl_reader_close(r);
	jsonl_writer_close(rejects);
	return 0;
}
