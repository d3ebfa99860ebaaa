#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "buf.h"
#include "cli.h"
#include "craft.h"
#include "describe.h"
#include "jsonl.h"
#include "jvutil.h"
#include "llm.h"
#include "msg.h"
#include "persona_craft.h"
#include "prompt.h"
#include "record.h"
#include "stream.h"
#include "tool.h"

struct craft_run {
	struct jsonl_reader *in;
	struct llm_client *model;
	char *prompt;
	uint64_t seed;
	long tries;
	uint64_t failed, failed_rate_limited;
};

struct job {
	struct craft_run *run;
	struct stream *st;
	uint64_t seq;
	jv record;
	jv fields;
	const char *problem; /* why the last answer was not usable */
};

/* The options of the run (set by persona_craft). */
static const struct craft_options *opt;

static const char default_prompt_name[] = "craft.txt";

void craft_options_init(struct craft_options *o)
{
	memset(o, 0, sizeof *o);
	o->answer_tries = 3;
	o->prompt_name = default_prompt_name;
	llm_config_init(&o->model_config);
}

static jv craft_info(const char *by, const char *model, const struct llm_usage *usage)
{
	jv craft = jv_object();
	craft = jv_object_set(craft, jv_string("by"), jv_string(by));
	if (model)
		craft = jv_object_set(craft, jv_string("model"), jv_string(model));
	if (usage)
		craft = jv_object_set(craft, jv_string("usage"), llm_usage_json(usage));
	return craft;
}

static void finish_job(struct job *job, jv record)
{
	stream_emit(job->st, job->seq, record);
	jv_free(job->fields);
	free(job);
}

static int usable_description(void *ctx, const char *answer)
{
	struct job *job = ctx;
	job->problem = craft_answer_problem(answer);
	return job->problem == NULL;
}

static void on_described(void *ctx, enum ask_outcome outcome, const struct llm_result *r, const struct llm_tally *tally,
			 long answers)
{
	struct job *job = ctx;
	struct craft_run *run = job->run;
	jv record = job->record;
	jv craft = craft_info("llm", llm_client_model(run->model), &tally->usage);
	if (outcome != ASK_OK) {
		/* No stale text of an earlier craft may travel on with a failure. */
		record = jv_object_delete(record, jv_string("description"));
		record = jvu_set(record, "craft", craft);
		run->failed++;
		if (outcome == ASK_FAILED) {
			record = record_set_failed(record, r->error_kind, r->error_message, tally->attempts);
			errorf("%s: %s: %s", record_id(record), r->error_kind, r->error_message);
			run->failed_rate_limited += r->rate_limited ? 1 : 0;
		} else {
			record = record_set_failed(record, "bad_answer", job->problem, tally->attempts);
			errorf("%s: no usable description after %ld answers: %s", record_id(record), answers,
			       job->problem);
		}
		finish_job(job, record);
		return;
	}
	struct buf text = BUF_INIT;
	craft_trim(r->content, &text);
	record = jvu_set(record, "description", jv_string(text.data));
	record = jvu_set(record, "craft", craft);
	record = record_clear_failed(record);
	buf_free(&text);
	finish_job(job, record);
}

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct craft_run *run = ctx;
	if (!stream_require(st, seq, run->in, record, "fields", JV_KIND_OBJECT))
		return;
	jv fields = jvu_get_borrow(record, "fields");
	if (opt->template_mode) {
		struct buf text = BUF_INIT;
		describe_persona(fields, record_id(record), run->seed, &text);
		record = jvu_set(record, "description", jv_string(text.data ? text.data : ""));
		record = jvu_set(record, "craft", craft_info("template", NULL, NULL));
		record = record_clear_failed(record);
		buf_free(&text);
		jv_free(fields);
		stream_emit(st, seq, record);
		return;
	}
	struct buf prompt = BUF_INIT, err = BUF_INIT;
	if (prompt_expand(run->prompt, record, &prompt, &err) < 0) {
		errorf("%s: %s", record_id(record), err.data);
		record = jv_object_delete(record, jv_string("description"));
		record = record_set_failed(record, "prompt", err.data, 0);
		run->failed++;
		buf_free(&prompt);
		buf_free(&err);
		jv_free(fields);
		stream_emit(st, seq, record);
		return;
	}
	buf_free(&err);
	struct job *job = xcalloc(1, sizeof *job);
	job->run = run;
	job->st = st;
	job->seq = seq;
	job->record = record;
	job->fields = fields;
	struct llm_hint hint = { OFFLINE_CRAFT, job->fields };
	ask_start_prompt(run->model, prompt.data, &hint, run->tries, usable_description, on_described, job);
	buf_free(&prompt);
}

int persona_craft(struct tool *t, struct craft_options *o)
{
	opt = o;
	if (opt->template_mode &&
	    (opt->model_config.model || opt->model_config.base_url || opt->model_config.provider ||
	     opt->model_config.cache_dir || opt->prompt_name != default_prompt_name))
		fatalf(EXIT_USAGE, "--template uses no model: --model, --base-url, --provider, --cache and --prompt "
				   "make no sense with it");
	struct craft_run run = { 0 };
	run.seed = (uint64_t)t->common.seed;
	run.tries = opt->answer_tries;
	if (!opt->template_mode) {
		run.prompt = prompt_load(opt->prompt_name);
		run.model = run.prompt ? tool_model(t, &o->model_config, NULL, "model") : NULL;
		if (!run.model) {
			free(run.prompt);
			return tool_finish(t, EXIT_USAGE, 0, 0);
		}
	}
	if (tool_open(t) != 0) {
		free(run.prompt);
		return tool_finish(t, EXIT_USAGE, 0, 0);
	}
	run.in = t->in;
	tool_stream(t, opt->template_mode ? 1 : (size_t)llm_client_concurrency(run.model) * 2, opt->keep_order);
	int status = tool_run(t, start, &run);
	status = tool_finish(t, status, run.failed, run.failed_rate_limited);
	free(run.prompt);
	return status;
}
