/* score — measure conversations: per-record scores and a corpus summary (see score(1)). */
#include "cli.h"
#include "llm.h"
#include "score.h"
#include "tool.h"

static struct score_options o;

static const struct cli_option options[] = {
	{ "summary", 0, CLI_STRING, &o.summary_path, "FILE", "write the corpus summary (JSON) to FILE (- for stderr)",
	  0, 0, NULL },
	{ "report", 0, CLI_STRING, &o.report_path, "FILE",
	  "write the corpus summary as a self-contained HTML page with charts", 0, 0, NULL },
	{ "by", 0, CLI_STRING, &o.by_expr, "EXPR",
	  "also summarise groups: a jq expression per record, e.g. '.client.model+\"/\"+.responder.model'", 0, 0,
	  NULL },
	{ "reference", 0, CLI_STRING, &o.reference_path, "FILE",
	  "a reference summary (e.g. share/reference/personachat.json): adds \"sim\"", 0, 0, NULL },
	{ "rules", 0, CLI_STRING, &o.rules_path, "FILE", "phrase lists and thresholds (default share/score/rules.json)",
	  0, 0, NULL },
	{ "dim", 0, CLI_LONG, &o.dim, "N", "dimension of the built-in hash embeddings (default 512)", 8, 65536, NULL },
	{ "sample", 0, CLI_LONG, &o.sample_size, "N", "conversations compared with each other (default 2000)", 2,
	  1000000, NULL },
	{ "judge", 0, CLI_FLAG, &o.use_judge, NULL, "also ask a model to audit each conversation for role failures", 0,
	  0, NULL },
	{ "judge-prompt", 0, CLI_STRING, &o.judge_prompt_name, "FILE",
	  "audit prompt (default share/prompts/judge-audit.txt)", 0, 0, NULL },
	{ "judge-tries", 0, CLI_LONG, &o.judge_tries, "N",
	  "answers to ask for when an audit is unparseable (default 3)", 1, 100, NULL },
	{ "keep-order", 0, CLI_FLAG, &o.keep_order, NULL, "write records in input order (matters with --judge)", 0, 0,
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	score_options_init(&o);
	const struct cli_option *const tables[] = { options, llm_options(&o.judge_config, ""), NULL };
	const struct cli_program program = {
		"score",
		"[OPTION]... [FILE]...",
		"Measure conversation records: each gets \"scores\" (shape, repetition, echoing, role\n"
		"confusion located by turn, drift); --summary writes the corpus summary (diversity,\n"
		"adherence, consistency, ...), --by groups it, --reference adds similarity to a reference,\n"
		"--report draws it as an HTML page.",
		"Metric definitions and the stable summary keys are in score(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return score(&t, &o);
}
