/* persona-validate — keep the personas that are plausible and new (see persona-validate(1)). */
#include "cli.h"
#include "llm.h"
#include "persona_validate.h"
#include "simhash.h"
#include "tool.h"

static struct validate_options o;

static const struct cli_option options[] = {
	{ "rules", 0, CLI_STRING, &o.rules_path, "FILE",
	  "rule checks (default: share/rules/SCHEMA.json for each record's schema)", 0, 0, NULL },
	{ "no-rules", 0, CLI_FLAG, &o.no_rules, NULL, "check no rules", 0, 0, NULL },
	{ "judge", 0, CLI_FLAG, &o.use_judge, NULL, "ask a model whether each persona is plausible", 0, 0, NULL },
	{ "judge-prompt", 0, CLI_STRING, &o.judge_prompt_name, "FILE",
	  "judge prompt template (default share/prompts/judge-plausibility.txt)", 0, 0, NULL },
	{ "judge-tries", 0, CLI_LONG, &o.judge_tries, "N",
	  "answers to ask for when a verdict is unparseable (default 3)", 1, 100, NULL },
	{ "dedup-fields", 0, CLI_STRING, &o.dedup_fields, "A,B,C", "reject near-duplicates over these fields", 0, 0,
	  NULL },
	{ "dedup-text", 0, CLI_STRING, &o.dedup_text, "NAME",
	  "reject near-duplicates over this text (e.g. description)", 0, 0, NULL },
	{ "dedup-distance", 0, CLI_LONG, &o.dedup_distance, "K",
	  "SimHash bits two duplicates may differ in (default 3)", 0, SIMHASH_MAX_DISTANCE, NULL },
	{ "keep", 0, CLI_FLAG, &o.keep_rejected, NULL, "write rejected personas to stdout too, flagged \"valid\":false",
	  0, 0, NULL },
	{ "keep-order", 0, CLI_FLAG, &o.keep_order, NULL, "write records in input order", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	validate_options_init(&o);
	const struct cli_option *const tables[] = { options, llm_options(&o.judge_config, ""), NULL };
	const struct cli_program program = {
		"persona-validate",
		"[OPTION]... [FILE]...",
		"Keep the personas that pass every rule, are not near-duplicates of an earlier one and,\n"
		"with --judge, that a model finds plausible. Each gets \"validation\"; rejected ones go to\n"
		"--rejects with their reasons (or stay, flagged, with --keep). A summary goes to stderr.",
		"The offline provider's judge is a rule-based stand-in, not a language model. See persona-validate(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return persona_validate(&t, &o);
}
