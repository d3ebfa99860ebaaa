/* extract — a researcher's questions about each conversation, answered as JSON (see extract(1)). */
#include "cli.h"
#include "extract.h"
#include "llm.h"
#include "tool.h"

static struct extract_options o;

static const struct cli_option options[] = {
	{ "schema", 0, CLI_STRING, &o.schema_path, "FILE|NAME",
	  "the questions: a JSON Schema subset (shipped: support, tutoring, focus-group)", 0, 0, NULL },
	{ "prompt", 0, CLI_STRING, &o.prompt_name, "FILE", "prompt template (default share/prompts/extract.txt)", 0, 0,
	  NULL },
	{ "per", 0, CLI_CHOICE, &o.per_choice, "conversation|participant",
	  "answer once per conversation, or once per participant of a group (default conversation)", 0, 0, NULL },
	{ "json-mode", 0, CLI_CHOICE, &o.json_mode_choice, "none|object|schema",
	  "ask the server for JSON: response_format json_object or json_schema (default none)", 0, 0, NULL },
	{ "tries", 0, CLI_LONG, &o.tries, "N", "answers to ask for when one does not validate (default 3)", 1, 100,
	  NULL },
	{ "summary", 0, CLI_STRING, &o.summary_path, "FILE",
	  "write the answers' summary (shares, means, intervals) to FILE (- for stderr)", 0, 0, NULL },
	{ "by", 0, CLI_STRING, &o.by_expr, "EXPR", "also summarise groups: a jq expression per record, e.g. .condition",
	  0, 0, NULL },
	{ "compare", 0, CLI_FLAG, &o.compare, NULL,
	  "compare every pair of --by groups: chi-square or Welch, effect sizes, Holm", 0, 0, NULL },
	{ "ci", 0, CLI_DOUBLE, &o.ci_level, "LEVEL", "confidence level of the summary's intervals (default 0.95)", 0.5,
	  0.999, NULL },
	{ "resamples", 0, CLI_LONG, &o.resamples, "N", "bootstrap replicates of the means (default 1000)", 100, 100000,
	  NULL },
	{ "keep-order", 0, CLI_FLAG, &o.keep_order, NULL, "write records in input order", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	extract_options_init(&o);
	const struct cli_option *const tables[] = { options, llm_options(&o.model_config, ""), NULL };
	const struct cli_program program = {
		"extract",
		"--schema FILE [OPTION]... [FILE]...",
		"Answer a researcher's questions about each conversation record (or each participant of a\n"
		"group conversation) with a model, as JSON checked against --schema; an answer that does\n"
		"not validate is asked again with the error, then recorded as an error. --summary\n"
		"summarises the answers, --by groups them, --compare tests the groups' differences.",
		"The offline provider answers from a word list: a stand-in, not a reading of the\n"
		"conversation. See extract(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return extract(&t, &o);
}
