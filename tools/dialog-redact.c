/* dialog-redact — contact strings in turns replaced by placeholders (see dialog-redact(1)). */
#include "cli.h"
#include "dialog_redact.h"
#include "tool.h"

static struct redact_options o;

static const struct cli_option options[] = {
	{ "only", 0, CLI_CALLBACK, &o.kinds, "LIST", "replace only these kinds: email,phone,url,number (default all)",
	  0, 0, redact_parse_kinds },
	{ "keep-order", 0, CLI_FLAG, &o.keep_order, NULL, "write records in input order (they always are)", 0, 0,
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	redact_options_init(&o);
	const struct cli_option *const tables[] = { options, NULL };
	const struct cli_program program = {
		"dialog-redact",
		"[OPTION]... [FILE]...",
		"Replace e-mail addresses, phone numbers, URLs and long account-like numbers in the\n"
		"text of each turn with [EMAIL], [PHONE], [URL] and [NUMBER], and count them in\n"
		"\"redact\":{\"email\":N,\"phone\":N,\"url\":N,\"number\":N}. Everything else passes unchanged.",
		"The patterns, their precedence and what they leave alone: see dialog-redact(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return dialog_redact(&t, &o);
}
