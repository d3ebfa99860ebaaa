#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "jsonl.h"
#include "jvutil.h"
#include "llm.h"
#include "msg.h"
#include "dialog_stop.h"
#include "prompt.h"
#include "record.h"
#include "stopjudge.h"
#include "stoprules.h"
#include "stream.h"
#include "tool.h"

/* The options of the run (set by dialog_stop). */
static const struct stop_options *opt;

void stop_options_init(struct stop_options *o)
{
	memset(o, 0, sizeof *o);
	o->judge_prompt_name = "judge-stop.txt";
	o->min_turns = 2;
	o->judge_tries = 3;
	o->stop_window = 6;
	o->stop_choice = -1;
	o->judge_every = 4;
	llm_config_init(&o->judge_config);
}

enum mode { MODE_RULES, MODE_JUDGE, MODE_HYBRID }; /* the order of --stop's choices */

struct stop_run {
	enum mode mode;
	struct jsonl_reader *in;
	struct stop_rules *rules;
	struct llm_client *judge;
	char *judge_prompt;
	uint64_t conversations, ended_closure, ended_loop, ended_judge, not_ended, turns_cut;
	uint64_t unparseable, failed, failed_rate_limited;
};

/* One conversation waiting on the judge: asked at one point after another. */
struct job {
	struct stop_run *run;
	struct stream *st;
	uint64_t seq;
	jv record;
	jv turns;
	size_t nturns;
	size_t upto; /* the point being asked about: turns[0 .. upto-1] */
	long tries; /* answers so far at this point */
	struct stop_decision rule; /* --stop hybrid: where the rules end it, if they do */
};

/* The record cut to keep turns, with "stop" set. Consumes record, turns and detail. */
static jv cut(struct stop_run *run, jv record, jv turns, size_t keep, const char *reason, const char *by, jv detail)
{
	size_t n = (size_t)jv_array_length(jv_copy(turns));
	run->turns_cut += n - keep;
	if (keep < n)
		record = jvu_set(record, "turns", jv_array_slice(turns, 0, (int)keep));
	else
		jv_free(turns);
	jv stop = jv_object();
	stop = jv_object_set(stop, jv_string("reason"), jv_string(reason));
	stop = jv_object_set(stop, jv_string("by"), jv_string(by));
	stop = jv_object_set(stop, jv_string("after"), jv_number((double)keep));
	if (jv_is_valid(detail))
		stop = jv_object_set(stop, jv_string("explain"), detail);
	else
		jv_free(detail);
	return jvu_set(record, "stop", stop);
}

/* The record cut where the rules found its end. Consumes record and turns. */
static jv cut_by_rules(struct stop_run *run, jv record, jv turns, const struct stop_decision *d)
{
	if (strcmp(d->reason, "loop") == 0)
		run->ended_loop++;
	else
		run->ended_closure++;
	jv detail = jv_invalid();
	if (opt->explain) {
		detail = jv_object();
		detail = jv_object_set(detail, jv_string("rule"), jv_string(d->rule));
		detail = jv_object_set(detail, jv_string("turn"), jv_number((double)d->turn));
		detail = jv_object_set(detail, jv_string("evidence"), jv_string(d->evidence));
	}
	return cut(run, record, turns, d->keep, d->reason, "rules", detail);
}

static jv stop_by_rules(struct stop_run *run, jv record, jv turns)
{
	struct stop_decision d;
	if (!stoprules_find(run->rules, turns, (size_t)opt->min_turns, &d)) {
		run->not_ended++;
		jv_free(turns);
		return record;
	}
	return cut_by_rules(run, record, turns, &d);
}

/* The points: after every second turn (after each exchange), never before --min-turns,
 * and once more at the end when the conversation has an odd length. --stop judge asks
 * the judge at each; --stop hybrid only where stopjudge_due says so, before the point
 * that reaches the rules' end. Returns the point after prev (0: the first), or 0 when
 * there is none. */
static size_t next_point(size_t n, size_t prev)
{
	size_t lowest = (size_t)opt->min_turns > 2 ? (size_t)opt->min_turns : 2;
	size_t p = prev ? prev + 2 : lowest;
	if (p % 2)
		p++;
	if (p <= n)
		return p;
	if (n % 2 && prev < n && n >= (size_t)opt->min_turns)
		return n;
	return 0;
}

static void finish(struct job *job, jv record)
{
	stream_emit(job->st, job->seq, record);
	jv_free(job->turns);
	free(job);
}

static void ask_judge(struct job *job);

/* The conversation has not ended at job->upto: ask at the next point where the judge
 * is due, or cut where the rules end it (--stop hybrid), or write it whole. */
static void go_on(struct job *job)
{
	struct stop_run *run = job->run;
	for (;;) {
		job->upto = next_point(job->nturns, job->upto);
		job->tries = 0;
		if (!job->upto || (job->rule.ended && job->upto >= job->rule.keep))
			break;
		if (run->mode == MODE_JUDGE ||
		    stopjudge_due(run->rules, job->turns, job->upto, (size_t)opt->min_turns, opt->judge_every)) {
			ask_judge(job);
			return;
		}
	}
	if (job->rule.ended) {
		finish(job, cut_by_rules(run, job->record, jv_copy(job->turns), &job->rule));
		return;
	}
	run->not_ended++;
	finish(job, job->record);
}

static void on_verdict(void *ctx, const struct llm_result *r)
{
	struct job *job = ctx;
	struct stop_run *run = job->run;
	if (!r->ok) {
		errorf("%s: judge %s: %s", record_id(job->record), r->error_kind, r->error_message);
		jv error = jv_object();
		error = jv_object_set(error, jv_string("kind"), jv_string(r->error_kind));
		error = jv_object_set(error, jv_string("message"), jv_string(r->error_message));
		run->failed++;
		run->failed_rate_limited += r->rate_limited ? 1 : 0;
		finish(job, jvu_set(job->record, "stop_error", error));
		return;
	}
	struct buf reason = BUF_INIT;
	int verdict = stopjudge_verdict(r->content, &reason);
	if (verdict < 0 && ++job->tries < opt->judge_tries) {
		buf_free(&reason);
		ask_judge(job); /* a new sample index, so neither the cache nor the stand-in repeats itself */
		return;
	}
	if (verdict < 0) {
		warnf("%s: judge verdict unparseable after %ld answers at turn %zu, read as not ended",
		      record_id(job->record), job->tries, job->upto);
		run->unparseable++;
	}
	if (verdict <= 0) {
		buf_free(&reason);
		go_on(job);
		return;
	}
	jv detail = jv_invalid();
	if (opt->explain) {
		detail = jv_object();
		detail = jv_object_set(detail, jv_string("turn"), jv_number((double)(job->upto - 1)));
		detail = jv_object_set(detail, jv_string("reason"), jv_string(reason.data ? reason.data : ""));
	}
	buf_free(&reason);
	run->ended_judge++;
	jv record = cut(run, job->record, jv_copy(job->turns), job->upto, "judge", "judge", detail);
	finish(job, record);
}

static void ask_judge(struct job *job)
{
	jv messages = stopjudge_messages(job->run->judge_prompt, job->turns, job->upto, (size_t)opt->stop_window);
	struct llm_hint hint = { OFFLINE_JUDGE, jv_null() };
	llm_chat(job->run->judge, messages, &hint, (uint64_t)job->tries, on_verdict, job);
}

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct stop_run *run = ctx;
	if (!stream_require(st, seq, run->in, record, "turns", JV_KIND_ARRAY))
		return;
	jv turns = jvu_get_borrow(record, "turns");
	run->conversations++;
	if (run->mode == MODE_RULES) {
		stream_emit(st, seq, stop_by_rules(run, record, turns));
		return;
	}
	struct job *job = xcalloc(1, sizeof *job);
	job->run = run;
	job->st = st;
	job->seq = seq;
	job->record = record;
	job->turns = turns;
	job->nturns = (size_t)jv_array_length(jv_copy(turns));
	if (run->mode == MODE_HYBRID)
		stoprules_find(run->rules, turns, (size_t)opt->min_turns, &job->rule);
	go_on(job);
}

static void report(const struct stop_run *run)
{
	struct buf b = BUF_INIT;
	uint64_t ended = run->ended_closure + run->ended_loop + run->ended_judge;
	buf_addf(&b,
		 "%llu conversations, %llu ended (closure %llu, loop %llu, judge %llu), %llu not ended, "
		 "%llu turns cut",
		 (unsigned long long)run->conversations, (unsigned long long)ended,
		 (unsigned long long)run->ended_closure, (unsigned long long)run->ended_loop,
		 (unsigned long long)run->ended_judge, (unsigned long long)run->not_ended,
		 (unsigned long long)run->turns_cut);
	if (run->judge)
		buf_addf(&b, ", %llu failed, %llu unparseable verdicts", (unsigned long long)run->failed,
			 (unsigned long long)run->unparseable);
	notef("%s", b.data);
	buf_free(&b);
}

static const char *const mode_names[] = { "rules", "judge", "hybrid" };

int dialog_stop(struct tool *t, struct stop_options *o)
{
	opt = o;
	if (o->use_judge && o->stop_choice >= 0 && o->stop_choice != MODE_JUDGE)
		fatalf(EXIT_USAGE, "--judge and --stop %s exclude each other (--judge is --stop judge)",
		       mode_names[o->stop_choice]);
	struct stop_run run = { 0 };
	run.mode = o->stop_choice >= 0 ? (enum mode)o->stop_choice : o->use_judge ? MODE_JUDGE : MODE_RULES;
	if (run.mode == MODE_JUDGE && o->rules_path)
		fatalf(EXIT_USAGE, "--rules and %s exclude each other", o->use_judge ? "--judge" : "--stop judge");

	o->rules_path = cli_shared_file("--rules", "stop", o->rules_path, ".json");
	int status = 0;
	if (run.mode != MODE_JUDGE) {
		run.rules = stoprules_load(opt->rules_path);
		status = run.rules ? 0 : EXIT_USAGE;
	}
	if (status == 0 && run.mode != MODE_RULES) {
		run.judge_prompt = prompt_load(opt->judge_prompt_name);
		run.judge = run.judge_prompt ? tool_model(t, &o->judge_config, NULL, "judge") : NULL;
		status = run.judge ? 0 : EXIT_USAGE;
	}
	if (status == 0)
		status = tool_open(t);
	if (status == 0) {
		run.in = t->in;
		tool_stream(t, run.judge ? (size_t)llm_client_concurrency(run.judge) * 2 : 1, opt->keep_order);
		status = tool_run(t, start, &run);
		report(&run);
		/* An unparseable verdict is a record that could not be judged: a failure. */
		if (status == 0 && run.unparseable)
			status = EXIT_SOME_FAILED;
	}
	status = tool_finish(t, status, run.failed, run.failed_rate_limited);
	stoprules_free(run.rules);
	free(run.judge_prompt);
	return status;
}
