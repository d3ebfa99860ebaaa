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
	  "a reference summary (e.g. personachat): adds its values and the differences", 0, 0, NULL },
	{ "ci", 0, CLI_DOUBLE, &o.ci_level, "LEVEL",
	  "bootstrap confidence intervals at LEVEL (e.g. 0.95) in the summary's \"ci\"", 0.5, 0.999, NULL },
	{ "compare", 0, CLI_FLAG, &o.compare, NULL,
	  "compare every pair of --by groups: difference, interval, permutation p (Holm)", 0, 0, NULL },
	{ "resamples", 0, CLI_LONG, &o.resamples, "N", "bootstrap and permutation replicates (default 1000)", 100,
	  100000, NULL },
	{ "distinct-budget", 0, CLI_LONG, &o.distinct_budget, "N",
	  "client tokens distinct-n counts (default 10000); fewer in the sample: null", 1, 100000000, NULL },
	{ "rules", 0, CLI_STRING, &o.rules_path, "FILE", "phrase lists and thresholds (default share/score/rules.json)",
	  0, 0, NULL },
	{ "client-prompt", 0, CLI_STRING, &o.client_prompt_name, "FILE",
	  "the client prompt template prompt leaks are looked for in (default share/prompts/client.txt)", 0, 0, NULL },
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
		"confusion located by turn, drift, release QA flags); --summary writes the corpus summary\n"
		"(diversity, adherence, consistency, ...), --ci adds intervals, --by groups it, --compare\n"
		"tests the groups' differences, --reference sets a reference beside it, --report draws it.",
		"Metric definitions and the stable summary keys are in score(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return score(&t, &o);
}
