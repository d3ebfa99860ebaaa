/* embed — the work of embed(1): a vector for a chosen text of each record, from
 * the built-in hash model or an OpenAI-compatible embeddings endpoint (batched across
 * records).
 *
 * Contract: after tool_start has parsed the options into a struct embed_options
 * (defaults from embed_options_init), embed adds "embedding" to every record and returns
 * the exit status; records without the text's source are rejected.
 * Ownership: the options are borrowed for the run.
 * Ends the process: on an unknown built-in model, or a remote model asked of the offline
 * provider (exit 2).
 */
#ifndef PS_EMBED_H
#define PS_EMBED_H

#include "llm.h"
#include "tool.h"

struct embed_options {
	int of_choice, encoding_choice; /* indexes into the options' choice lists */
	long batch_size;
	int keep_order;
	struct llm_config model_config;
};

void embed_options_init(struct embed_options *o);
int embed(struct tool *t, struct embed_options *o);

#endif
