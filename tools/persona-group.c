/* persona-group — focus groups and panels of N personas (see persona-group(1)). */
#include "cli.h"
#include "persona_group.h"
#include "tool.h"

static struct group_options o;

static const struct cli_option options[] = {
	{ "size", 0, CLI_LONG, &o.size, "N", "participants per group (default 4)", 2, 64, NULL },
	{ "mix", 0, CLI_STRING, &o.mix, "FIELD", "make each group as varied as possible in fields.FIELD", 0, 0, NULL },
	{ "same", 0, CLI_STRING, &o.same, "FIELD", "make each group share one value of fields.FIELD", 0, 0, NULL },
	{ "keep-partial", 0, CLI_FLAG, &o.keep_partial, NULL, "write incomplete groups too (default: drop and count)",
	  0, 0, NULL },
	{ "window", 0, CLI_LONG, &o.window, "N", "personas held at most, groups are formed among them (default 1000)",
	  2, 10000000, NULL },
	{ "topic", 0, CLI_STRING, &o.topic, "TEXT|@FILE", "the \"topic\" of every group (@FILE: the file's text)", 0, 0,
	  NULL },
	{ "guide", 0, CLI_STRING, &o.guide, "FILE|NAME",
	  "discussion guide: one question a line, # comments (\"guide\" array); shipped: remote-work", 0, 0, NULL },
	{ "id-prefix", 0, CLI_STRING, &o.id_prefix, "TEXT", "group ids are TEXT + 6 digits (default g)", 0, 0, NULL },
	{ "names", 0, CLI_STRING, &o.names, "FILE", "first-name lists (default share/names/names.json)", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	group_options_init(&o);
	const struct cli_option *const tables[] = { options, NULL };
	const struct cli_program program = {
		"persona-group",
		"[OPTION]... [FILE]...",
		"Form groups of --size personas (focus groups, panels) from a stream of persona records:\n"
		"one record a group, {\"id\",\"participants\",\"topic\",\"guide\"}, each participant named.\n"
		"--mix spreads a field's values across each group, --same makes groups share one.",
		"The grouping, deterministic from --seed and the input: see persona-group(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return persona_group(&t, &o);
}
