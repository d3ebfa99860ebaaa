/* persona_validate — the work of persona-validate(1): rule checks, near-duplicate
 * removal and the plausibility judge over a stream of personas.
 *
 * Contract: after tool_start has parsed the options into a struct validate_options
 * (defaults from validate_options_init), persona_validate runs the whole program and
 * returns its exit status. Valid personas go to the output with "validation"; the
 * others to --rejects (or flagged, with --keep); a summary line goes to stderr.
 * Ownership: the options are borrowed for the run. Ends the process: on a rules file
 * of a record's schema that cannot be loaded (exit 2), and through tool_start.
 */
#ifndef PS_PERSONA_VALIDATE_H
#define PS_PERSONA_VALIDATE_H

#include "llm.h"
#include "tool.h"

struct validate_options {
	const char *rules_path, *dedup_fields, *dedup_text, *judge_prompt_name;
	int no_rules, use_judge, keep_rejected, keep_order;
	long dedup_distance, judge_tries;
	struct llm_config judge_config;
};

void validate_options_init(struct validate_options *o);
int persona_validate(struct tool *t, struct validate_options *o);

#endif
