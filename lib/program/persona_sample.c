#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "interrupt.h"
#include "jsonl.h"
#include "msg.h"
#include "persona_sample.h"
#include "popstats.h"
#include "progress.h"
#include "quota.h"
#include "sampler.h"
#include "schema.h"

void sample_options_init(struct sample_options *o)
{
	memset(o, 0, sizeof *o);
	o->count = -1;
}

int persona_sample(struct tool *t, struct sample_options *o)
{
	if (!o->schema_path)
		fatalf(EXIT_USAGE, "--schema FILE is required");
	o->schema_path = cli_shared_file("--schema", "schemas", o->schema_path, ".json");

	struct schema *schema = schema_load(o->schema_path);
	if (!schema)
		return EXIT_USAGE;
	struct jsonl_writer *out = jsonl_writer_open(t->common.output);
	if (!out)
		return EXIT_USAGE;
	interrupt_install();

	uint64_t seed = (uint64_t)t->common.seed;
	struct quota_seq *quota = NULL;
	uint64_t *before = NULL;
	if (schema->nstrata) {
		uint64_t *weights = xcalloc(schema->nstrata, sizeof *weights);
		for (size_t k = 0; k < schema->nstrata; k++)
			weights[k] = schema->strata[k].weight;
		quota = quota_new(weights, schema->nstrata);
		free(weights);
		quota_skip(quota, (uint64_t)o->offset);
		before = xcalloc(schema->nstrata, sizeof *before);
		memcpy(before, quota_counts(quota), schema->nstrata * sizeof *before);
	}
	struct sampler *sm = sampler_new(schema, seed);
	struct popstats *stats = o->stats_path ? popstats_new(schema) : NULL;
	struct progress progress;
	progress_start(&progress, t->common.progress, o->count > 0 ? (uint64_t)o->count : 0);

	struct buf line = BUF_INIT;
	int status = EXIT_OK;
	uint64_t written = 0;
	for (uint64_t i = (uint64_t)o->offset; o->count < 0 || written < (uint64_t)o->count; i++) {
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
		if (popstats_write(stats, allocated, seed, (uint64_t)o->offset, o->stats_path) < 0 && status == EXIT_OK)
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
