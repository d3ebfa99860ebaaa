/* dialog_export — the work of dialog-export(1): conversation records as chat
 * fine-tuning examples (OpenAI chat JSONL or ShareGPT), from the view of one agent.
 *
 * Contract: after tool_start has parsed the options into a struct export_options
 * (defaults from export_options_init), dialog_export runs the whole program and
 * returns its exit status. Each conversation gives one example (the whole of it) or,
 * with split_turns, one per message of the target; the messages are shaped by
 * lib/text/exportview. The output of a record depends on that record alone, so a
 * partitioned run (pipelines/fanout.sh) writes the same examples as one run.
 * Records are skipped, in this order and counted under the first reason: a "status"
 * other than "ok" (unless include_failed), a null or missing "stop" (only_stopped), a
 * non-null flag in "scores"."qa" (exclude_flagged), no message of the target.
 * Records without a "turns" array and group conversations ("participants") are
 * rejected like bad lines.
 * Ownership: the options are borrowed for the run.
 * Ends the process: never; usage errors found before reading (--truncate without
 * --max-tokens, an unreadable or empty --system @FILE) return exit status 2.
 */
#ifndef PS_DIALOG_EXPORT_H
#define PS_DIALOG_EXPORT_H

#include "tool.h"

enum export_format { EXPORT_TO_OPENAI, EXPORT_TO_SHAREGPT }; /* the order of --to's choices */
enum export_target { EXPORT_AS_RESPONDER, EXPORT_AS_CLIENT }; /* the order of --as's choices */

struct export_options {
	int to; /* enum export_format */
	int as; /* enum export_target */
	const char *system; /* TEXT or @FILE, NULL: the default of the view */
	int placement; /* enum system_placement */
	int split_turns;
	int whole; /* every turn kept: an exchange copy, not a training example */
	long max_tokens; /* 0: no limit */
	int truncate;
	int include_failed, only_stopped, exclude_flagged;
};

void export_options_init(struct export_options *o);
int dialog_export(struct tool *t, struct export_options *o);

#endif
