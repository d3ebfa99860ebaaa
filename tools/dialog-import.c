/* dialog-import — external dialogue corpora as conversation records (see dialog-import(1)). */
#include "cli.h"
#include "dialog_import.h"
#include "tool.h"

static struct import_options o;

static const struct cli_option options[] = {
	{ "from", 'f', CLI_STRING, &o.from, "FORMAT",
	  "input format: personachat, spc, spasm, chat, sharegpt or hf (required)", 0, 0, NULL },
	{ "roles", 0, CLI_STRING, &o.roles, "MAP",
	  "chat, sharegpt, hf: NAME=ROLE,... (client, responder, description or skip)", 0, 0, NULL },
	{ "limit", 'n', CLI_LONG, &o.limit, "N", "stop after N conversations", 0, 1e15, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	import_options_init(&o);
	const struct cli_option *const tables[] = { options, NULL };
	const struct cli_program program = {
		"dialog-import",
		"--from FORMAT [OPTION]... [FILE]...",
		"Read a dialogue corpus (PersonaChat/ConvAI2 text, Synthetic-Persona-Chat CSV, SPASM,\n"
		"OpenAI chat, ShareGPT or Hugging Face chat JSON Lines; gzip read transparently) and\n"
		"write one conversation record per dialogue, speakers named \"client\" (the persona's\n"
		"owner) and \"responder\", with the source's own id and line under \"source\". Bad\n"
		"dialogues are named on stderr and go to --rejects.",
		"See dialog-import(1) for how each format's speakers and personas are mapped.",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return dialog_import(&t, &o);
}
