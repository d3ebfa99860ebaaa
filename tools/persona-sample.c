/* persona-sample — draw personas from a population schema (see persona-sample(1)). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "interrupt.h"
#include "jsonl.h"
#include "msg.h"
#include "popstats.h"
#include "progress.h"
#include "quota.h"
#include "sampler.h"
#include "schema.h"

static const char *schema_path;
static long count = -1;
static long offset;
static const char *stats_path;

static const struct cli_option options[] = {
	{ "schema", 's', CLI_STRING, &schema_path, "FILE", "population schema (JSON); required", 0, 0, NULL },
	{ "count", 'n', CLI_LONG, &count, "N", "write N personas (default: until the reader closes the pipe)", 0, 1e15, NULL },
	{ "offset", 0, CLI_LONG, &offset, "K", "start at record K of the full run (for partitioned runs)", 0, 1e15, NULL },
	{ "stats", 0, CLI_STRING, &stats_path, "FILE", "write observed vs target distributions as JSON (- for stderr)", 0, 0, NULL },
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
	struct cli_common common;
	int first = cli_parse(argc, argv, &program, &common);
	(void)first;
	if (!schema_path)
		fatalf(EXIT_USAGE, "--schema FILE is required");
	schema_path = cli_shared_file("--schema", "schemas", schema_path, ".json");

	struct schema *schema = schema_load(schema_path);
	if (!schema)
		return EXIT_USAGE;
	struct jsonl_writer *out = jsonl_writer_open(common.output);
	if (!out)
		return EXIT_USAGE;
	interrupt_install();

	uint64_t seed = (uint64_t)common.seed;
	struct quota_seq *quota = NULL;
	uint64_t *before = NULL;
	if (schema->nstrata) {
		uint64_t *weights = xcalloc(schema->nstrata, sizeof *weights);
		for (size_t k = 0; k < schema->nstrata; k++)
			weights[k] = schema->strata[k].weight;
		quota = quota_new(weights, schema->nstrata);
		free(weights);
		quota_skip(quota, (uint64_t)offset);
		before = xcalloc(schema->nstrata, sizeof *before);
		memcpy(before, quota_counts(quota), schema->nstrata * sizeof *before);
	}
	struct sampler *sm = sampler_new(schema, seed);
	struct popstats *stats = stats_path ? popstats_new(schema) : NULL;
	struct progress progress;
	progress_start(&progress, common.progress, count > 0 ? (uint64_t)count : 0);

	struct buf line = BUF_INIT;
	int status = EXIT_OK;
	uint64_t written = 0;
	for (uint64_t i = (uint64_t)offset; count < 0 || written < (uint64_t)count; i++) {
		if (interrupt_requested()) {
			status = interrupt_status();
			break;
		}
		long stratum = quota ? (long)quota_next(quota) : -1;
		if (sampler_draw(sm, i, stratum) < 0) {
			status = EXIT_USAGE;
			break;
		}
		buf_reset(&line);
		sampler_write_record(sm, &line);
		jsonl_write_line(out, line.data, line.len);
		if (stats)
			popstats_add(stats, sm, stratum);
		written++;
		progress_tick(&progress, written, NULL);
	}
	progress_done(&progress, written, NULL);
	if (jsonl_writer_close(out) < 0 && status == EXIT_OK)
		status = EXIT_SOME_FAILED;
	if (stats) {
		uint64_t *allocated = NULL;
		if (quota) {
			allocated = xcalloc(schema->nstrata, sizeof *allocated);
			for (size_t k = 0; k < schema->nstrata; k++)
				allocated[k] = quota_counts(quota)[k] - before[k];
		}
		if (popstats_write(stats, allocated, seed, (uint64_t)offset, stats_path) < 0 && status == EXIT_OK)
			status = EXIT_SOME_FAILED;
		free(allocated);
	}
	buf_free(&line);
	popstats_free(stats);
	sampler_free(sm);
	quota_free(quota);
	free(before);
	schema_free(schema);
	return status;
}
