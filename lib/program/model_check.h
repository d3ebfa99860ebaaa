/* model_check — the work of model-check(1): a handful of small requests that tell
 * whether an endpoint can run dialog-run, and with which flags.
 *
 * Contract: after tool_start has parsed the options into a struct check_options
 * (defaults from check_options_init), model_check sends its probes one after the
 * other through llm (so every provider option behaves as in dialog-run), prints the
 * table (or, with --json, one JSON object) on stdout and returns the exit status:
 * 0 the endpoint can run dialog-run with the flags printed, 1 it cannot (the reason
 * on stderr), 2 a configuration error, 75 unreachable or rate limited.
 * Ownership: the options are borrowed for the run.
 * Never ends the process itself.
 */
#ifndef PS_MODEL_CHECK_H
#define PS_MODEL_CHECK_H

#include "llm.h"
#include "tool.h"

struct check_options {
	int json;
	const char *embeddings_model;
	struct llm_config model_config;
};

void check_options_init(struct check_options *o);
int model_check(struct tool *t, struct check_options *o);

#endif
