/* dialog-stop — cut each conversation where it has ended (see dialog-stop(1)). */
#include "cli.h"
#include "dialog_stop.h"
#include "llm.h"
#include "tool.h"

static struct stop_options o;

static const struct cli_option options[] = {
	{ "stop", 0, CLI_CHOICE, &o.stop_choice, "rules|judge|hybrid",
	  "rules, a judge model after each exchange, or the rules with the judge only where they see a possible "
	  "ending (default rules)",
	  0, 0, NULL },
	{ "rules", 0, CLI_STRING, &o.rules_path, "FILE", "stop rules (default share/stop/rules.json)", 0, 0, NULL },
	{ "min-turns", 0, CLI_LONG, &o.min_turns, "N", "never end a conversation before N turns (default 2)", 0,
	  1000000, NULL },
	{ "explain", 0, CLI_FLAG, &o.explain, NULL, "say in \"stop\" why each conversation was cut", 0, 0, NULL },
	{ "judge", 0, CLI_FLAG, &o.use_judge, NULL, "the same as --stop judge", 0, 0, NULL },
	{ "judge-every", 0, CLI_LONG, &o.judge_every, "N",
	  "--stop hybrid: the judge also every N-th exchange that asks no question, besides where the rules see an "
	  "ending (default 4; 0: only there)",
	  0, 10000, NULL },
	{ "judge-prompt", 0, CLI_STRING, &o.judge_prompt_name, "FILE",
	  "judge prompt template (default share/prompts/judge-stop.txt)", 0, 0, NULL },
	{ "judge-tries", 0, CLI_LONG, &o.judge_tries, "N",
	  "answers to ask for when a verdict is unparseable (default 3)", 1, 100, NULL },
	{ "stop-window", 0, CLI_LONG, &o.stop_window, "M", "turns the judge sees before each point (default 6)", 1,
	  1000000, NULL },
	{ "keep-order", 0, CLI_FLAG, &o.keep_order, NULL, "write records in input order", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	stop_options_init(&o);
	const struct cli_option *const tables[] = { options, llm_options(&o.judge_config, ""), NULL };
	const struct cli_program program = {
		"dialog-stop",
		"[OPTION]... [FILE]...",
		"Find where each conversation has ended (a closure, a farewell exchange, a repetition\n"
		"loop; with --stop judge, where a model says so; with --stop hybrid, the rules and the\n"
		"model where they see a possible ending), cut \"turns\" there and set\n"
		"\"stop\":{\"reason\",\"by\",\"after\"}. Conversations that have not ended pass unchanged.",
		"The offline provider's judge is a rule-based stand-in, not a language model. See dialog-stop(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return dialog_stop(&t, &o);
}
