/* model-check — can this endpoint run dialog-run, and with which flags (see model-check(1)). */
#include "cli.h"
#include "llm.h"
#include "model_check.h"
#include "tool.h"

static struct check_options o;

static const struct cli_option options[] = {
	{ "json", 0, CLI_FLAG, &o.json, NULL, "print one JSON object instead of the table", 0, 0, NULL },
	{ "embeddings-model", 0, CLI_STRING, &o.embeddings_model, "M", "also check embeddings with model M", 0, 0,
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	check_options_init(&o);
	const struct cli_option *const tables[] = { options, llm_options(&o.model_config, ""), NULL };
	const struct cli_program program = {
		"model-check",
		"--base-url URL --model M [OPTION]...",
		"Send a handful of small requests to a chat endpoint and print what it accepts\n"
		"(system role, alternation, reasoning text, token field, temperature, streaming,\n"
		"usage, JSON mode, embeddings) and the flags dialog-run needs there.\n"
		"Exit 0: dialog-run can run with those flags; 1: it cannot (why is said);\n"
		"2: usage error; 75: unreachable or rate limited.",
		"The offline provider is the built-in stand-in: every check passes trivially. See model-check(1).",
		tables,
		"model-check reads no input files",
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return model_check(&t, &o);
}
