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
#include "groupmetrics.h"
#include "qa.h"
#include "report.h"

/* The options of the run (set by score). */
static const struct score_options *opt;

void score_options_init(struct score_options *o)
{
	memset(o, 0, sizeof *o);
	o->judge_prompt_name = "judge-audit.txt";
	o->client_prompt_name = "client.txt";
	o->dim = 512;
	o->sample_size = 2000;
	o->judge_tries = 3;
	o->resamples = 1000;
	o->distinct_budget = 10000;
	llm_config_init(&o->judge_config);
}

struct group {
	char *name, *label;
	struct corpus *corpus;
};

static struct corpus *new_corpus(const char *label)
{
	struct corpus_config config = { (size_t)opt->sample_size, (size_t)opt->distinct_budget,
					opt->ci_level > 0 || opt->compare, label };
	return corpus_new(&config);
}

struct score_run {
	struct jsonl_reader *in;
	struct llm_client *judge;
	char *judge_prompt;
	uint64_t judged, role_failures, judge_errors, judge_rate_limited;
	struct score_rules *rules;
	struct qa *qa;
	struct jqexpr *by;
	struct corpus *all;
	struct group *groups;
	size_t ngroups;
	double cost_usd; /* what the records' usage says they cost (--price) */
	int priced; /* some record carried a cost_usd */
	jv redactions; /* the sum of the records' dialog-redact counts, or null */
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

/* dialog-redact's counts of a record ("redact": {"email": n, ...}) added to the run's. */
static void add_redactions(struct score_run *run, jv record)
{
	jv counts = jvu_get_borrow(record, "redact");
	if (jv_get_kind(counts) == JV_KIND_OBJECT) {
		if (jv_get_kind(run->redactions) != JV_KIND_OBJECT) {
			jv_free(run->redactions);
			run->redactions = jv_object();
		}
		jv_object_foreach(counts, kind, count)
		{
			if (jv_get_kind(count) == JV_KIND_NUMBER) {
				jv sum = jvu_get_borrow(run->redactions, jv_string_value(kind));
				double total = jv_number_value(count) +
					       (jv_get_kind(sum) == JV_KIND_NUMBER ? jv_number_value(sum) : 0);
				jv_free(sum);
				run->redactions = jv_object_set(run->redactions, jv_copy(kind), jv_number(total));
			}
			jv_free(kind);
			jv_free(count);
		}
	}
	jv_free(counts);
}

/* A record's vectors for the corpus, and the names of their spaces. */
struct record_vectors {
	float *client, *persona; /* malloc'd */
	int dim;
	char space[64];
	const char *persona_space; /* NULL: no description; "": none in the client's space */
	char persona_model[64];
};

/* The client vector: the record's own (embed --of client_text, any model) or the
 * built-in hash-dim; the description's: the record's description_embedding, or the
 * built-in model when that is the client's space. Adherence compares the two only
 * when they share a space (corpus.h). */
static void record_vectors(jv record, const char *client_text, struct record_vectors *v)
{
	memset(v, 0, sizeof *v);
	jv embedding = jvu_get_borrow(record, "embedding");
	jv of = jvu_get_borrow(embedding, "of");
	jv model = jvu_get_borrow(embedding, "model");
	if (jv_get_kind(of) == JV_KIND_STRING && strcmp(jv_string_value(of), "client_text") == 0 &&
	    jv_get_kind(model) == JV_KIND_STRING) {
		v->dim = embedding_read(embedding, &v->client);
		if (v->dim > 0)
			snprintf(v->space, sizeof v->space, "%s", jv_string_value(model));
	}
	jv_free(of);
	jv_free(model);
	jv_free(embedding);
	if (v->dim <= 0) {
		free(v->client);
		v->dim = (int)opt->dim;
		v->client = xmalloc((size_t)v->dim * sizeof(float));
		embed_hash(client_text, strlen(client_text), v->dim, v->client);
		snprintf(v->space, sizeof v->space, "hash-%d", v->dim);
	}
	jv description = jvu_get_borrow(record, "description");
	jv given = jvu_get_borrow(record, "description_embedding");
	jv given_model = jvu_get_borrow(given, "model");
	int given_dim = 0;
	if (jv_get_kind(given_model) == JV_KIND_STRING)
		given_dim = embedding_read(given, &v->persona);
	if (given_dim > 0) {
		snprintf(v->persona_model, sizeof v->persona_model, "%s", jv_string_value(given_model));
		v->persona_space = v->persona_model;
	} else if (jv_get_kind(description) == JV_KIND_STRING) {
		free(v->persona);
		v->persona = NULL;
		v->persona_space = "";
		if (embed_hash_dim(v->space) == v->dim) {
			v->persona = xmalloc((size_t)v->dim * sizeof(float));
			embed_hash(jv_string_value(description), (size_t)jv_string_length_bytes(jv_copy(description)),
				   v->dim, v->persona);
			v->persona_space = v->space;
		}
	}
	jv_free(given_model);
	jv_free(given);
	jv_free(description);
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
	struct buf label = BUF_INIT;
	buf_addf(&label, "group '%s'", name.data);
	run->groups[run->ngroups].label = label.data;
	run->groups[run->ngroups].corpus = new_corpus(label.data);
	return run->groups[run->ngroups++].corpus;
}

static jv score_record(struct score_run *run, jv record)
{
	add_cost(run, record);
	add_redactions(run, record);
	struct convmetrics m;
	convmetrics_compute(run->rules, record, &m);
	unsigned qa_flags = 0;
	jv qa = qa_check(run->qa, record, &qa_flags);
	struct groupmetrics group;
	int is_group = groupmetrics_is_group(record);
	jv group_scores = is_group ? groupmetrics_compute(record, (int)opt->dim, &group) : jv_invalid();
	struct buf client = BUF_INIT, utterances = BUF_INIT;
	conversation_text(record, "client_text", &client);
	conversation_text(record, "client_utterances", &utterances);
	struct record_vectors v;
	record_vectors(record, client.data, &v);

	jv curve;
	double probe = drift_probe(record, (int)opt->dim, &curve);
	double dialog = drift_dialog(record, (int)opt->dim);
	jv persona_id = jvu_get_borrow(record, "persona_id");
	jv stop = jvu_get_borrow(record, "stop");
	jv reason = jvu_get_borrow(stop, "reason");
	struct conversation_facts f = {
		record_id(record),
		jv_get_kind(persona_id) == JV_KIND_STRING ? jv_string_value(persona_id) : "",
		utterances.data,
		v.client,
		v.dim,
		v.space,
		v.persona,
		v.persona_space,
		jv_get_kind(reason) == JV_KIND_STRING ? jv_string_value(reason) : NULL,
		probe,
		dialog,
		curve,
		(qa_flags & QA_AI_IDENTITY ? CORPUS_QA_AI_IDENTITY : 0) |
			(qa_flags & QA_PROMPT_LEAK ? CORPUS_QA_PROMPT_LEAK : 0) |
			(qa_flags & QA_DUPLICATE ? CORPUS_QA_DUPLICATE : 0),
		is_group ? &group : NULL,
	};
	corpus_add(run->all, &m, &f);
	if (run->by)
		corpus_add(group_for(run, record), &m, &f);

	jv scores = convmetrics_json(&m);
	jv drift = jv_object();
	drift = jv_object_set(drift, jv_string("probe_auc"), jvu_figure(probe));
	drift = jv_object_set(drift, jv_string("probe_curve"), curve);
	drift = jv_object_set(drift, jv_string("dialog"), jvu_figure(dialog));
	scores = jv_object_set(scores, jv_string("drift"), drift);
	scores = jv_object_set(scores, jv_string("qa"), qa);
	if (is_group)
		scores = jv_object_set(scores, jv_string("group"), group_scores);
	free(v.client);
	free(v.persona);
	buf_free(&utterances);
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

/* Every pair of groups compared on every metric, Holm-adjusted over the family. */
static jv compare_groups(struct score_run *run, uint64_t seed)
{
	jv comparisons = jv_array();
	for (size_t i = 0; i < run->ngroups; i++)
		for (size_t j = i + 1; j < run->ngroups; j++) {
			jv pair = corpus_compare(run->groups[i].corpus, run->groups[j].corpus, run->groups[i].name,
						 run->groups[j].name, opt->ci_level > 0 ? opt->ci_level : 0.95,
						 (size_t)opt->resamples, seed);
			comparisons = jv_array_concat(comparisons, pair);
		}
	return corpus_holm(comparisons);
}

static jv build_summary(struct score_run *run, jv reference, uint64_t seed)
{
	jv summary = corpus_summary(run->all, reference);
	if (opt->ci_level > 0)
		summary = jv_object_set(summary, jv_string("ci"),
					corpus_intervals(run->all, opt->ci_level, (size_t)opt->resamples, seed));
	if (run->by) {
		jv groups = jv_object();
		for (size_t i = 0; i < run->ngroups; i++) {
			jv g = corpus_summary(run->groups[i].corpus, reference);
			if (opt->ci_level > 0)
				g = jv_object_set(g, jv_string("ci"),
						  corpus_intervals(run->groups[i].corpus, opt->ci_level,
								   (size_t)opt->resamples, seed));
			groups = jv_object_set(groups, jv_string(run->groups[i].name), g);
		}
		summary = jv_object_set(summary, jv_string("groups"), groups);
		if (opt->compare)
			summary = jv_object_set(summary, jv_string("comparisons"), compare_groups(run, seed));
	}
	if (run->priced)
		summary = jv_object_set(summary, jv_string("cost_usd"), jvu_figure(run->cost_usd));
	if (jv_get_kind(run->redactions) == JV_KIND_OBJECT)
		summary = jv_object_set(summary, jv_string("redactions"), jv_copy(run->redactions));
	return summary;
}

int score(struct tool *t, struct score_options *o)
{
	opt = o;
	o->rules_path = cli_shared_file("--rules", "score", o->rules_path, ".json");
	o->reference_path = cli_shared_file("--reference", "reference", o->reference_path, ".json");
	struct score_run run = { 0 };
	run.redactions = jv_null();
	jv reference = jv_invalid();
	int status = 0;
	run.rules = score_rules_load(o->rules_path);
	if (!run.rules) {
		status = EXIT_USAGE;
	} else {
		/* Prompt leaks are looked for in the shipped client prompt (dialog-run's default). */
		char *client_template = prompt_load(o->client_prompt_name);
		if (client_template)
			run.qa = qa_new(run.rules, client_template);
		else
			status = EXIT_USAGE;
		free(client_template);
	}
	if (status == 0 && o->by_expr) {
		run.by = jqexpr_compile_option("--by", o->by_expr);
		status = run.by ? 0 : EXIT_USAGE;
	}
	if (status == 0 && o->compare && !o->by_expr) {
		errorf("--compare compares the groups of --by: give --by EXPR");
		status = EXIT_USAGE;
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
	run.all = new_corpus("all conversations");
	if (status == 0) {
		run.in = t->in;
		tool_stream(t, run.judge ? (size_t)llm_client_concurrency(run.judge) * 2 : 1, o->keep_order);
		status = by_groups_exist(&run) ? tool_run(t, start, &run) : EXIT_USAGE;
	}
	/* The summary is written unless the run was interrupted (or its reader left). */
	if ((o->summary_path || o->report_path) && !interrupt_requested() && status != EXIT_USAGE) {
		jv summary = build_summary(&run, reference, (uint64_t)t->common.seed);
		if (run.judge) {
			summary = jv_object_set(summary, jv_string("judge_role_failure_rate"),
						run.judged ? jvu_figure((double)run.role_failures / (double)run.judged)
							   : jv_null());
			summary =
				jv_object_set(summary, jv_string("judge_errors"), jv_number((double)run.judge_errors));
		}
		if (o->summary_path && tool_write_summary(opt->summary_path, summary) < 0)
			status = EXIT_SOME_FAILED;
		if (o->report_path && report_write(summary, o->report_path) < 0)
			status = EXIT_SOME_FAILED;
		jv_free(summary);
	}
	status = tool_finish(t, status, run.judge_errors, run.judge_rate_limited);
	corpus_free(run.all);
	for (size_t i = 0; i < run.ngroups; i++) {
		free(run.groups[i].name);
		free(run.groups[i].label);
		corpus_free(run.groups[i].corpus);
	}
	free(run.groups);
	jqexpr_free(run.by);
	qa_free(run.qa);
	score_rules_free(run.rules);
	jv_free(reference);
	jv_free(run.redactions);
	free(run.judge_prompt);
	return status;
}
