#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "fieldcheck.h"
#include "convmetrics.h"
#include "convtext.h"
#include "corpus.h"
#include "drift.h"
#include "embedding.h"
#include "interrupt.h"
#include "jqexpr.h"
#include "jsonfile.h"
#include "jsonl.h"
#include "jvutil.h"
#include "msg.h"
#include "score.h"
#include "progress.h"
#include "prompt.h"
#include "ask.h"
#include "audit.h"
#include "llm.h"
#include "record.h"
#include "stream.h"
#include "tool.h"
#include "report.h"

/* The options of the run (set by score). */
static const struct score_options *opt;

void score_options_init(struct score_options *o)
{
	memset(o, 0, sizeof *o);
	o->judge_prompt_name = "judge-audit.txt";
	o->dim = 512;
	o->sample_size = 2000;
	o->judge_tries = 3;
	llm_config_init(&o->judge_config);
}

struct group {
	char *name;
	struct corpus *corpus;
};

struct score_run {
	struct jsonl_reader *in;
	struct llm_client *judge;
	char *judge_prompt;
	uint64_t judged, role_failures, judge_errors, judge_rate_limited;
	struct score_rules *rules;
	struct jqexpr *by;
	struct corpus *all;
	struct group *groups;
	size_t ngroups;
	float *vec, *desc;
	double cost_usd; /* what the records' usage says they cost (--price) */
	int priced; /* some record carried a cost_usd */
};

/* The spend a record's usage reports, per role, when the run that made it had --price. */
static void add_cost(struct score_run *run, jv record)
{
	jv usage = jvu_get_borrow(record, "usage");
	if (jv_get_kind(usage) == JV_KIND_OBJECT) {
		jv_object_foreach(usage, role, role_usage)
		{
			jv cost = jvu_get_borrow(role_usage, "cost_usd");
			if (jv_get_kind(cost) == JV_KIND_NUMBER) {
				run->cost_usd += jv_number_value(cost);
				run->priced = 1;
			}
			jv_free(cost);
			jv_free(role);
			jv_free(role_usage);
		}
	}
	jv_free(usage);
}

static void embed(struct score_run *run, const char *text, float *out)
{
	embed_hash(text, strlen(text), (int)opt->dim, out);
	(void)run;
}

/* A --by expression that is null for every record (a misspelt field) would put the
 * whole corpus in one group "null": refused before anything is scored. */
static int by_groups_exist(struct score_run *run)
{
	if (!run->by)
		return 1;
	jv block = fieldcheck_block(run->in);
	int ok = fieldcheck_expr("--by", opt->by_expr, run->by, block) == 0;
	jv_free(block);
	return ok;
}

static struct corpus *group_for(struct score_run *run, jv record)
{
	jv key = jqexpr_first(run->by, record);
	struct buf name = BUF_INIT;
	if (jv_get_kind(key) == JV_KIND_STRING)
		buf_adds(&name, jv_string_value(key));
	else if (jv_is_valid(key))
		jvu_dump(key, &name);
	else
		buf_adds(&name, "null");
	jv_free(key);
	for (size_t i = 0; i < run->ngroups; i++) {
		if (strcmp(run->groups[i].name, name.data) == 0) {
			buf_free(&name);
			return run->groups[i].corpus;
		}
	}
	run->groups = xrealloc(run->groups, (run->ngroups + 1) * sizeof *run->groups);
	run->groups[run->ngroups].name = name.data;
	run->groups[run->ngroups].corpus = corpus_new((int)opt->dim, (size_t)opt->sample_size);
	return run->groups[run->ngroups++].corpus;
}

static jv score_record(struct score_run *run, jv record)
{
	add_cost(run, record);
	struct convmetrics m;
	convmetrics_compute(run->rules, record, &m);
	struct buf client = BUF_INIT;
	conversation_text(record, "client_text", &client);
	const char *client_text = client.data ? client.data : "";
	/* A client_text vector from embed is used as is; otherwise the built-in model. */
	jv embedding = jvu_get_borrow(record, "embedding");
	jv of = jvu_get_borrow(embedding, "of");
	float *given = NULL;
	int given_dim = 0;
	if (jv_get_kind(of) == JV_KIND_STRING && strcmp(jv_string_value(of), "client_text") == 0)
		given_dim = embedding_read(embedding, &given);
	if (given_dim == opt->dim)
		memcpy(run->vec, given, (size_t)opt->dim * sizeof(float));
	else
		embed(run, client_text, run->vec);
	free(given);
	jv_free(of);
	jv_free(embedding);

	jv curve;
	double probe = drift_probe(record, (int)opt->dim, &curve);
	double dialog = drift_dialog(record, (int)opt->dim);
	jv description = jvu_get_borrow(record, "description");
	jv persona_id = jvu_get_borrow(record, "persona_id");
	jv stop = jvu_get_borrow(record, "stop");
	jv reason = jvu_get_borrow(stop, "reason");
	int has_desc = jv_get_kind(description) == JV_KIND_STRING;
	if (has_desc)
		embed(run, jv_string_value(description), run->desc);
	struct conversation_facts f = {
		record_id(record),
		jv_get_kind(persona_id) == JV_KIND_STRING ? jv_string_value(persona_id) : "",
		client_text,
		run->vec,
		has_desc ? run->desc : NULL,
		jv_get_kind(reason) == JV_KIND_STRING ? jv_string_value(reason) : NULL,
		probe,
		dialog,
		curve,
	};
	corpus_add(run->all, &m, &f);
	if (run->by)
		corpus_add(group_for(run, record), &m, &f);

	jv scores = convmetrics_json(&m);
	jv drift = jv_object();
	drift = jv_object_set(drift, jv_string("probe_auc"),
			      isfinite(probe) ? jv_number(round(probe * 1e6) / 1e6) : jv_null());
	drift = jv_object_set(drift, jv_string("probe_curve"), curve);
	drift = jv_object_set(drift, jv_string("dialog"),
			      isfinite(dialog) ? jv_number(round(dialog * 1e6) / 1e6) : jv_null());
	scores = jv_object_set(scores, jv_string("drift"), drift);
	jv_free(description);
	jv_free(persona_id);
	jv_free(reason);
	jv_free(stop);
	buf_free(&client);
	convmetrics_free(&m);
	return jvu_set(record, "scores", scores);
}

struct audit_job {
	struct score_run *run;
	struct stream *st;
	uint64_t seq;
	jv record;
	jv verdict; /* the audit, once an answer was readable */
};

static int read_audit(void *ctx, const char *answer)
{
	struct audit_job *job = ctx;
	jv_free(job->verdict);
	job->verdict = jv_invalid();
	return audit_parse(answer, &job->verdict) >= 0;
}

static void on_audit(void *ctx, enum ask_outcome outcome, const struct llm_result *r, const struct llm_tally *tally,
		     long answers)
{
	struct audit_job *job = ctx;
	struct score_run *run = job->run;
	jv judge = outcome == ASK_OK ? job->verdict : jv_object();
	if (outcome != ASK_OK)
		jv_free(job->verdict);
	if (outcome == ASK_FAILED) {
		judge = jv_object_set(judge, jv_string("error"),
				      jv_string_fmt("%s: %s", r->error_kind, r->error_message));
		run->judge_rate_limited += r->rate_limited ? 1 : 0;
	} else if (outcome == ASK_UNUSABLE) {
		judge = jv_object_set(judge, jv_string("error"),
				      jv_string_fmt("audit unparseable after %ld answers", answers));
	}
	if (outcome == ASK_OK) {
		run->judged++;
		jv failure = jvu_get_borrow(judge, "role_failure");
		run->role_failures += jv_get_kind(failure) == JV_KIND_TRUE;
		jv_free(failure);
	} else {
		run->judge_errors++;
		errorf("%s: judge: %s", record_id(job->record),
		       outcome == ASK_UNUSABLE ? "audit unparseable" : r->error_message);
	}
	judge = jv_object_set(judge, jv_string("model"), jv_string(llm_client_model(run->judge)));
	judge = jv_object_set(judge, jv_string("usage"), llm_usage_json(&tally->usage));
	jv scores = jvu_get_borrow(job->record, "scores");
	scores = jvu_set(scores, "judge", judge);
	stream_emit(job->st, job->seq, jvu_set(job->record, "scores", scores));
	free(job);
}

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct score_run *run = ctx;
	if (!stream_require(st, seq, run->in, record, "turns", JV_KIND_ARRAY))
		return;
	record = score_record(run, record);
	if (!run->judge) {
		stream_emit(st, seq, record);
		return;
	}
	struct audit_job *job = xcalloc(1, sizeof *job);
	job->run = run;
	job->st = st;
	job->seq = seq;
	job->record = record;
	job->verdict = jv_invalid();
	struct llm_hint hint = { OFFLINE_AUDIT, jv_null() };
	ask_start(run->judge, audit_messages(run->judge_prompt, record), &hint, opt->judge_tries, read_audit, on_audit,
		  job);
}

static jv read_reference(const char *path)
{
	jv v = json_read_file(path, 16 << 20);
	if (!jv_is_valid(v)) {
		json_report_invalid(v);
		return jv_invalid();
	}
	if (jv_get_kind(v) != JV_KIND_OBJECT) {
		errorf("'%s': a reference must be a score summary (a JSON object)", path);
		jv_free(v);
		return jv_invalid();
	}
	return v;
}

static jv build_summary(struct score_run *run, jv reference)
{
	jv summary = corpus_summary(run->all, reference);
	if (run->by) {
		jv groups = jv_object();
		for (size_t i = 0; i < run->ngroups; i++) {
			jv g = corpus_summary(run->groups[i].corpus, reference);
			groups = jv_object_set(groups, jv_string(run->groups[i].name), g);
		}
		summary = jv_object_set(summary, jv_string("groups"), groups);
	}
	if (run->priced)
		summary = jv_object_set(summary, jv_string("cost_usd"), jv_number(round(run->cost_usd * 1e6) / 1e6));
	return summary;
}

/* The summary (borrowed) as JSON to --summary FILE, or to stderr for "-". */
static int write_summary(jv summary)
{
	if (strcmp(opt->summary_path, "-") != 0) {
		struct jsonl_writer *w = jsonl_writer_open(opt->summary_path);
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

int score(struct tool *t, struct score_options *o)
{
	opt = o;
	o->rules_path = cli_shared_file("--rules", "score", o->rules_path, ".json");
	o->reference_path = cli_shared_file("--reference", "reference", o->reference_path, ".json");
	struct score_run run = { 0 };
	jv reference = jv_invalid();
	int status = 0;
	run.rules = score_rules_load(o->rules_path);
	if (!run.rules)
		status = EXIT_USAGE;
	if (status == 0 && o->by_expr) {
		struct buf err = BUF_INIT;
		run.by = jqexpr_compile(o->by_expr, &err);
		if (!run.by) {
			errorf("--by '%s' is not a valid jq expression: %s", o->by_expr, err.data ? err.data : "");
			status = EXIT_USAGE;
		}
		buf_free(&err);
	}
	if (status == 0 && o->reference_path) {
		reference = read_reference(o->reference_path);
		status = jv_is_valid(reference) ? 0 : EXIT_USAGE;
	}
	if (status == 0 && o->use_judge) {
		run.judge_prompt = prompt_load(o->judge_prompt_name);
		run.judge = run.judge_prompt ? tool_model(t, &o->judge_config, NULL, "judge") : NULL;
		status = run.judge ? 0 : EXIT_USAGE;
	}
	if (status == 0)
		status = tool_open(t);
	run.all = corpus_new((int)o->dim, (size_t)o->sample_size);
	run.vec = xcalloc((size_t)o->dim, sizeof(float));
	run.desc = xcalloc((size_t)o->dim, sizeof(float));
	if (status == 0) {
		run.in = t->in;
		tool_stream(t, run.judge ? (size_t)llm_client_concurrency(run.judge) * 2 : 1, o->keep_order);
		status = by_groups_exist(&run) ? tool_run(t, start, &run) : EXIT_USAGE;
	}
	/* The summary is written unless the run was interrupted (or its reader left). */
	if ((o->summary_path || o->report_path) && !interrupt_requested() && status != EXIT_USAGE) {
		jv summary = build_summary(&run, reference);
		if (run.judge) {
			summary = jv_object_set(
				summary, jv_string("judge_role_failure_rate"),
				run.judged
					? jv_number(round((double)run.role_failures / (double)run.judged * 1e6) / 1e6)
					: jv_null());
			summary =
				jv_object_set(summary, jv_string("judge_errors"), jv_number((double)run.judge_errors));
		}
		if (o->summary_path && write_summary(summary) < 0)
			status = EXIT_SOME_FAILED;
		if (o->report_path && report_write(summary, o->report_path) < 0)
			status = EXIT_SOME_FAILED;
		jv_free(summary);
	}
	status = tool_finish(t, status, run.judge_errors, run.judge_rate_limited);
	corpus_free(run.all);
	for (size_t i = 0; i < run.ngroups; i++) {
		free(run.groups[i].name);
		corpus_free(run.groups[i].corpus);
	}
	free(run.groups);
	jqexpr_free(run.by);
	score_rules_free(run.rules);
	jv_free(reference);
	free(run.judge_prompt);
	free(run.vec);
	free(run.desc);
	return status;
}
