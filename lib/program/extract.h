/* extract — the work of extract(1): a researcher's questions about each conversation
 * (or each participant of a group conversation), answered by a model as JSON that a
 * schema checks, and the answers summarised and compared across groups.
 *
 * Contract: after tool_start has parsed the options into a struct extract_options
 * (defaults from extract_options_init), extract asks the model, for every record and
 * unit, the questions of the --schema (jsonschema.h's subset); an answer that holds no
 * JSON object or does not validate is asked again with the validation error (up to
 * --tries answers), then recorded as an error — never a partial answer. It writes every
 * record with "extraction", the summary when asked (extractsummary.h), and returns the
 * exit status (1 when an extraction failed).
 * Ownership: the options are borrowed for the run.
 * Ends the process: only through what it calls (a schema, prompt or --by expression
 * that cannot be used is reported and gives status 2).
 */
#ifndef PS_EXTRACT_H
#define PS_EXTRACT_H

#include "llm.h"
#include "tool.h"

struct extract_options {
	const char *schema_path, *prompt_name, *summary_path, *by_expr;
	int per_choice; /* 0: conversation, 1: participant */
	int json_mode_choice; /* 0: none, 1: object, 2: schema */
	long tries, resamples;
	double ci_level;
	int compare, keep_order;
	struct llm_config model_config;
};

void extract_options_init(struct extract_options *o);
int extract(struct tool *t, struct extract_options *o);

#endif
