/* persona_craft — the work of persona-craft(1): a second-person description for each
 * persona, from a template or written by a model (re-asked while unusable).
 *
 * Contract: after tool_start has parsed the options into a struct craft_options
 * (defaults from craft_options_init), persona_craft runs the whole program and returns
 * its exit status. A persona whose description could not be written is still written,
 * "status":"failed", without any earlier description.
 * Ownership: the options are borrowed for the run.
 * Ends the process: on --template with model options (exit 2).
 */
#ifndef PS_PERSONA_CRAFT_H
#define PS_PERSONA_CRAFT_H

#include "llm.h"
#include "tool.h"

struct craft_options {
	int template_mode, keep_order;
	long answer_tries;
	const char *prompt_name;
	struct llm_config model_config;
};

void craft_options_init(struct craft_options *o);
int persona_craft(struct tool *t, struct craft_options *o);

#endif
