/* embed — add vectors of a chosen text to each record (see embed(1)). */
#include "cli.h"
#include "embed.h"
#include "llm.h"
#include "tool.h"

static struct embed_options o;

static const struct cli_option options[] = {
	{ "of", 0, CLI_CHOICE, &o.of_choice, "client_text|description|responder_text|turns|participant_text",
	  "the text: turns gives one vector per turn (default client_text)", 0, 0, NULL },
	{ "encoding", 0, CLI_CHOICE, &o.encoding_choice, "float|b64",
	  "JSON numbers, 6 significant digits, or exact little-endian float32 (default float)", 0, 0, NULL },
	{ "batch", 0, CLI_LONG, &o.batch_size, "N", "texts per embeddings request, across records (default 64)", 1,
	  2048, NULL },
	{ "keep-order", 0, CLI_FLAG, &o.keep_order, NULL, "write records in input order (always so with hash-N)", 0, 0,
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	embed_options_init(&o);
	const struct cli_option *const tables[] = { options, llm_options(&o.model_config, ""), NULL };
	const struct cli_program program = {
		"embed",
		"[OPTION]... [FILE]...",
		"Add \"embedding\":{\"model\",\"dim\",\"of\",\"vector\"} to each record, for its persona\n"
		"description, client text, responder text, or each turn (--of turns: \"vectors\").\n"
		"The default model hash-512 is built in: deterministic, no network, no key; any other\n"
		"--model is asked through an OpenAI-compatible /v1/embeddings endpoint.",
		"Model options other than --model apply to remote models only. See embed(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return embed(&t, &o);
}
