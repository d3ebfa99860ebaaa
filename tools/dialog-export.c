/* dialog-export — conversations as chat fine-tuning examples (see dialog-export(1)). */
#include "cli.h"
#include "dialog_export.h"
#include "tool.h"

static struct export_options o;

static const struct cli_option options[] = {
	{ "to", 0, CLI_CHOICE, &o.to, "openai|sharegpt", "the format of the examples (default openai)", 0, 0, NULL },
	{ "as", 0, CLI_CHOICE, &o.as, "responder|client", "whose turns are the assistant's (default responder)", 0, 0,
	  NULL },
	{ "system", 0, CLI_STRING, &o.system, "TEXT|@FILE",
	  "the system message (default: none as responder, the description as client)", 0, 0, NULL },
	{ "system-placement", 0, CLI_CHOICE, &o.placement, "system|first-user",
	  "a system message, or the top of the first user message (default system)", 0, 0, NULL },
	{ "whole", 0, CLI_FLAG, &o.whole, NULL,
	  "every turn kept, the partner's last ones too: an exchange copy (round-trips through dialog-import)", 0, 0,
	  NULL },
	{ "split-turns", 0, CLI_FLAG, &o.split_turns, NULL, "one example per assistant message, not per conversation",
	  0, 0, NULL },
	{ "max-tokens", 0, CLI_LONG, &o.max_tokens, "N", "drop examples over N tokens (estimated: bytes / 4)", 1, 1e12,
	  NULL },
	{ "truncate", 0, CLI_FLAG, &o.truncate, NULL, "with --max-tokens, keep the last exchanges that fit instead", 0,
	  0, NULL },
	{ "include-failed", 0, CLI_FLAG, &o.include_failed, NULL, "export records whose status is not \"ok\" too", 0, 0,
	  NULL },
	{ "only-stopped", 0, CLI_FLAG, &o.only_stopped, NULL, "only records whose \"stop\" is not null (dialog-stop)",
	  0, 0, NULL },
	{ "exclude-flagged", 0, CLI_FLAG, &o.exclude_flagged, NULL,
	  "skip records with a release flag in scores.qa (score)", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	export_options_init(&o);
	const struct cli_option *const tables[] = { options, NULL };
	const struct cli_program program = {
		"dialog-export",
		"[OPTION]... [FILE]...",
		"Write conversations as chat fine-tuning examples, OpenAI chat JSONL or ShareGPT:\n"
		"the responder's turns as the assistant's, or with --as client the client's (the\n"
		"training set of a user simulator). Roles alternate, each example ends with the\n"
		"assistant's message; only records with \"status\":\"ok\" (or none) are exported.",
		"The shaping rules, the filters and the summary: see dialog-export(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return dialog_export(&t, &o);
}
