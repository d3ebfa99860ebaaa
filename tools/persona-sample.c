/* persona-sample — draw personas from a population schema (see persona-sample(1)). */
#include "cli.h"
#include "persona_sample.h"
#include "tool.h"

static struct sample_options o;

static const struct cli_option options[] = {
	{ "schema", 's', CLI_STRING, &o.schema_path, "FILE", "population schema (JSON); required", 0, 0, NULL },
	{ "count", 'n', CLI_LONG, &o.count, "N", "write N personas (default: until the reader closes the pipe)", 0,
	  1e15, NULL },
	{ "offset", 0, CLI_LONG, &o.offset, "K", "start at record K of the full run (for partitioned runs)", 0, 1e15,
	  NULL },
	{ "stats", 0, CLI_STRING, &o.stats_path, "FILE",
	  "write observed vs target distributions as JSON (- for stderr)", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

static const struct cli_option *const tables[] = { options, NULL };

static const struct cli_program program = {
	"persona-sample",
	"--schema FILE [-n N] [--seed S] [--offset K] [OPTION]...",
	"Draw personas from a population schema: weighted and conditional fields, exact\n"
	"quotas, jq constraints. Records K..K+N-1 of a run depend only on (schema, seed),\n"
	"so shards made with --offset concatenate to exactly the records of one run.",
	"The schema format is described in persona-sample(1).",
	tables,
	"persona-sample reads no input (the schema is --schema)",
};

int main(int argc, char **argv)
{
	sample_options_init(&o);
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return persona_sample(&t, &o);
}
