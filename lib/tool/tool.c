#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "interrupt.h"
#include "jvutil.h"
#include "msg.h"
#include "tool.h"

void tool_start(struct tool *t, int argc, char **argv, const struct cli_program *prog)
{
	memset(t, 0, sizeof *t);
	int first = cli_parse(argc, argv, prog, &t->common);
	t->inputs = argv + first;
	t->ninputs = argc - first;
}

struct llm_client *tool_model(struct tool *t, struct llm_config *cfg, const struct llm_config *fallback,
			      const char *role)
{
	llm_config_resolve(cfg, fallback);
	if (!t->engine)
		t->engine = llm_engine_new((uint64_t)t->common.seed, t->common.seed_given);
	return llm_client_new(t->engine, cfg, role);
}

int tool_open(struct tool *t)
{
	t->out = jsonl_writer_open(t->common.output);
	if (!t->out)
		return EXIT_USAGE;
	if (t->common.rejects) {
		t->rejects = jsonl_writer_open(t->common.rejects);
		if (!t->rejects)
			return EXIT_USAGE;
	}
	t->in = jsonl_reader_open(t->inputs, t->ninputs, t->common.max_line_bytes, t->rejects);
	interrupt_install();
	return 0;
}

struct stream *tool_stream(struct tool *t, size_t max_in_flight, int keep_order)
{
	t->st = stream_new(t->in, t->out, t->engine, max_in_flight, keep_order);
	return t->st;
}

int tool_run(struct tool *t, stream_start_fn start, void *ctx)
{
	progress_start(&t->progress, t->common.progress, 0);
	int status = stream_run(t->st, start, ctx, &t->progress);
	progress_done(&t->progress, stream_written(t->st), NULL);
	return status;
}

int tool_finish(struct tool *t, int status, unsigned long long failed, unsigned long long failed_rate_limited)
{
	if (t->engine)
		llm_engine_report(t->engine);
	if (status == 0 && t->in)
		status = exit_status_of(jsonl_errors(t->in), failed, failed_rate_limited);
	if (jsonl_writer_close(t->out) < 0 || jsonl_writer_close(t->rejects) < 0)
		status = status ? status : EXIT_SOME_FAILED;
	stream_free(t->st);
	jsonl_reader_close(t->in);
	llm_engine_free(t->engine);
	memset(t, 0, sizeof *t);
	return status;
}

int tool_write_summary(const char *path, jv summary)
{
	if (strcmp(path, "-") != 0) {
		struct jsonl_writer *w = jsonl_writer_open(path);
		if (!w)
			return -1;
		jsonl_write(w, jv_copy(summary));
		return jsonl_writer_close(w);
	}
	struct buf b = BUF_INIT;
	jvu_dump(summary, &b);
	fprintf(stderr, "%s\n", b.data);
	buf_free(&b);
	return 0;
}
