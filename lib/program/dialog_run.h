/* dialog_run — the work of dialog-run(1): Client-Responder conversations for each
 * persona (K per persona), on one event loop, with stops, probes, resume and cache.
 *
 * Contract: after tool_start has parsed the options into a struct run_options
 * (defaults from run_options_init), dialog_run runs every conversation and returns the
 * exit status; a conversation that could not finish is written "status":"failed".
 * Ownership: the options are borrowed for the run.
 * Ends the process: on contradictory options or a --resume file that cannot be used
 * (exit 2).
 */
#ifndef PS_DIALOG_RUN_H
#define PS_DIALOG_RUN_H

#include "llm.h"
#include "tool.h"

struct run_options {
	long conversations, max_turns, min_turns, stop_window, judge_tries, judge_every, probe_every;
	int context_choice, opener_choice, stop_choice, policy_choice; /* indexes into the choice lists */
	long max_rounds;
	int allow_repeat;
	const char *responder_role, *client_prompt_name, *stop_rules_path, *probes_path, *resume_path;
	const char *participant_prompt_name, *moderator_prompt_name;
	const char *judge_prompt_name;
	int keep_order;
	struct llm_config both, client_cfg, responder_cfg, judge_cfg; /* both: unprefixed options */
};

void run_options_init(struct run_options *o);
int dialog_run(struct tool *t, struct run_options *o);

#endif
