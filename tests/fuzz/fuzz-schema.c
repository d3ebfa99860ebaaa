/* fuzz-schema — schema_load on arbitrary bytes, then three draws from what loads.
 *
 * A constraint that raises a jq error at draw time ends persona-sample with status 2
 * (sampler.c calls exit by design); under libFuzzer that would read as a crash, so the
 * draws run with the constraints hidden. Loading still compiles every constraint. */
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "msg.h"
#include "sampler.h"
#include "schema.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	msg_set_program("fuzz-schema");
	fuzz_quiet_stderr();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schema *s = schema_load(fuzz_input_path(data, size));
	if (!s)
		return 0;
	size_t nconstraints = s->nconstraints;
	s->nconstraints = 0;
	struct sampler *sm = sampler_new(s, 42);
	struct buf line = BUF_INIT;
	for (uint64_t i = 0; i < 3; i++) {
		long stratum = s->nstrata ? (long)(i % s->nstrata) : -1;
		if (sampler_draw(sm, i, stratum) < 0)
			continue;
		(void)sampler_id(sm);
		(void)sampler_values(sm);
		(void)sampler_used(sm);
		buf_reset(&line);
		sampler_write_record(sm, &line);
	}
	buf_free(&line);
	sampler_free(sm);
	s->nconstraints = nconstraints;
	schema_free(s);
	return 0;
}
