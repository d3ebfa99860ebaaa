/* persona_sample — the work of persona-sample(1): personas drawn from a population
 * schema, with exact quotas, records K..K+N-1 of the full run for --offset K -n N.
 *
 * Contract: after tool_start has parsed the options into a struct sample_options
 * (defaults from sample_options_init), persona_sample writes the personas (and the
 * --stats file) and returns the exit status. It reads no input.
 * Ownership: the options are borrowed for the run.
 * Ends the process: without --schema, or with a schema that cannot be found (exit 2);
 * on a constraint no sample can satisfy (sampler_draw).
 */
#ifndef PS_PERSONA_SAMPLE_H
#define PS_PERSONA_SAMPLE_H

#include "tool.h"

struct sample_options {
	const char *schema_path;
	long count; /* < 0: until the reader closes the pipe */
	long offset;
	const char *stats_path;
};

void sample_options_init(struct sample_options *o);
int persona_sample(struct tool *t, struct sample_options *o);

#endif
