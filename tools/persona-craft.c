/* persona-craft — write each persona's natural-language description (see persona-craft(1)). */
#include "cli.h"
#include "llm.h"
#include "persona_craft.h"
#include "tool.h"

static struct craft_options o;

static const struct cli_option options[] = {
	{ "template", 0, CLI_FLAG, &o.template_mode, NULL, "deterministic description from the fields, no model", 0, 0,
	  NULL },
	{ "prompt", 0, CLI_STRING, &o.prompt_name, "FILE", "prompt template (default share/prompts/craft.txt)", 0, 0,
	  NULL },
	{ "tries", 0, CLI_LONG, &o.answer_tries, "N",
	  "ask again up to N times when an answer is empty, a refusal or has placeholders (default 3)", 1, 100, NULL },
	{ "keep-order", 0, CLI_FLAG, &o.keep_order, NULL, "write records in input order", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	craft_options_init(&o);
	const struct cli_option *const tables[] = { options, llm_options(&o.model_config, ""), NULL };
	const struct cli_program program = {
		"persona-craft",
		"[OPTION]... [FILE]...",
		"Add a second-person description (\"You are ...\") and a \"craft\" object to each persona:\n"
		"with --template from the fields alone, otherwise written by a model from a prompt template.",
		"Provider offline (the default without a base URL or key) is a built-in stand-in, not a\n"
		"language model: it exists to run pipelines without network or cost, and no finding about\n"
		"model behaviour may be drawn from its output. See persona-craft(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return persona_craft(&t, &o);
}
