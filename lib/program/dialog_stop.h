/* dialog_stop — the work of dialog-stop(1): where each conversation has ended, by
 * rules, a judge, or both (--stop hybrid); turns cut there and "stop" set.
 *
 * Contract: after tool_start has parsed the options into a struct stop_options
 * (defaults from stop_options_init), dialog_stop runs the whole program and returns
 * its exit status. Conversations that have not ended pass unchanged.
 * Ownership: the options are borrowed for the run.
 * Ends the process: on --rules with --judge, or --judge with another --stop (exit 2).
 */
#ifndef PS_DIALOG_STOP_H
#define PS_DIALOG_STOP_H

#include "llm.h"
#include "tool.h"

struct stop_options {
	const char *rules_path, *judge_prompt_name;
	int use_judge, explain, keep_order;
	int stop_choice; /* index into rules|judge|hybrid; -1: not given */
	long min_turns, judge_tries, stop_window, judge_every;
	struct llm_config judge_config;
};

void stop_options_init(struct stop_options *o);
int dialog_stop(struct tool *t, struct stop_options *o);

#endif
