/* score — the work of score(1): per-conversation metrics, the corpus summary
 * (overall and by group), the HTML report and the optional audit judge.
 *
 * Contract: after tool_start has parsed the options into a struct score_options
 * (defaults from score_options_init), score writes every record with "scores", then
 * the summary and report unless the run was interrupted, and returns the exit status.
 * Ownership: the options are borrowed for the run.
 * Ends the process: only through what it calls (a --by expression or rules file that
 * cannot be read is reported and gives status 2).
 */
#ifndef PS_SCORE_H
#define PS_SCORE_H

#include "llm.h"
#include "tool.h"

struct score_options {
	const char *summary_path, *report_path, *by_expr, *reference_path, *rules_path;
	const char *judge_prompt_name, *client_prompt_name;
	long dim, sample_size, judge_tries, resamples, distinct_budget;
	double ci_level; /* 0: no intervals */
	int use_judge, keep_order, compare;
	struct llm_config judge_config;
};

void score_options_init(struct score_options *o);
int score(struct tool *t, struct score_options *o);

#endif
