#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "dialog.h"
#include "groupdialog.h"
#include "names.h"
#include "jsonl.h"
#include "jsontext.h"
#include "jvutil.h"
#include "llm.h"
#include "msg.h"
#include "dialog_run.h"
#include "progress.h"
#include "prompt.h"
#include "record.h"
#include "resume.h"
#include "stream.h"
#include "tool.h"

/* The options of the run (set by dialog_run). */
static const struct run_options *opt;

void run_options_init(struct run_options *o)
{
	memset(o, 0, sizeof *o);
	o->conversations = 1;
	o->max_turns = 25;
	o->min_turns = -1;
	o->stop_window = 6;
	o->judge_tries = 3;
	o->judge_every = 4;
	o->responder_role = "peer";
	o->client_prompt_name = "client.txt";
	o->participant_prompt_name = "group-participant.txt";
	o->moderator_prompt_name = "group-moderator.txt";
	o->max_rounds = 4;
	o->judge_prompt_name = "judge-stop.txt";
	llm_config_init(&o->both);
	llm_config_init(&o->client_cfg);
	llm_config_init(&o->responder_cfg);
	llm_config_init(&o->judge_cfg);
}

/* Each persona becomes K jobs: {"persona": record, "index": i}, minus finished ones. */
struct job_source {
	struct jsonl_reader *in;
	struct resume_set *done;
	jv persona;
	long next_index;
	uint64_t skipped;
	uint64_t failed_input; /* personas whose earlier step failed: rejected, not run */
};

struct run_state {
	struct dialog_config cfg;
	struct group_config group;
	struct job_source *source;
	uint64_t ok, failed, failed_rate_limited, turns, truncated_turns, by_reason[7];
};

static const char *const reasons[7] = { "closure", "loop", "judge", "max_turns", "error", "max_rounds", "guide_done" };

static int next_job(void *ctx, jv *job)
{
	struct job_source *src = ctx;
	for (;;) {
		if (jv_is_valid(src->persona) && src->next_index < opt->conversations) {
			long index = src->next_index++;
			char id[512];
			snprintf(id, sizeof id, "%s/%ld", record_id(src->persona), index);
			if (resume_done(src->done, id)) {
				src->skipped++;
				continue;
			}
			jv j = jv_object();
			j = jv_object_set(j, jv_string("persona"), jv_copy(src->persona));
			*job = jv_object_set(j, jv_string("index"), jv_number((double)index));
			return 1;
		}
		jv_free(src->persona);
		src->persona = jv_invalid();
		jv record;
		if (!jsonl_read(src->in, &record))
			return 0;
		if (group_is_group(record)) {
			/* A group from persona-group: run as a group conversation. */
			const char *why = group_invalid(record);
			if (why) {
				jsonl_reject(src->in, why);
				jv_free(record);
				continue;
			}
			src->persona = record;
			src->next_index = 0;
			continue;
		}
		if (jvu_kind_borrow(record, "fields") != JV_KIND_OBJECT) {
			jsonl_reject(src->in, "record has no \"fields\" object");
			jv_free(record);
			continue;
		}
		char why[600];
		if (record_failed_earlier(record, why, sizeof why)) {
			/* Never an "ok" conversation built on a step that failed. */
			char reason[700];
			snprintf(reason, sizeof reason, "persona has \"status\":\"failed\" (%s): not run", why);
			jsonl_reject(src->in, reason);
			src->failed_input++;
			jv_free(record);
			continue;
		}
		if (jvu_kind_borrow(record, "description") != JV_KIND_STRING) {
			jsonl_reject(src->in, "record has no \"description\" (run persona-craft first)");
			jv_free(record);
			continue;
		}
		if (jvu_kind_borrow(record, "id") != JV_KIND_STRING) {
			jsonl_reject(src->in, "record has no string \"id\"");
			jv_free(record);
			continue;
		}
		src->persona = record;
		src->next_index = 0;
	}
}

struct pending {
	struct run_state *run;
	struct stream *st;
	uint64_t seq;
};

static void on_done(void *ctx, jv record, int rate_limited)
{
	struct pending *p = ctx;
	struct run_state *run = p->run;
	jv status = jvu_get_borrow(record, "status");
	int ok = jv_get_kind(status) == JV_KIND_STRING && strcmp(jv_string_value(status), "ok") == 0;
	jv_free(status);
	if (ok) {
		run->ok++;
	} else {
		run->failed++;
		run->failed_rate_limited += rate_limited ? 1 : 0;
		jv error = jvu_get_borrow(record, "error");
		jv kind = jvu_get_borrow(error, "kind"), message = jvu_get_borrow(error, "message");
		errorf("%s: failed: %s: %s", record_id(record),
		       jv_get_kind(kind) == JV_KIND_STRING ? jv_string_value(kind) : "?",
		       jv_get_kind(message) == JV_KIND_STRING ? jv_string_value(message) : "?");
		jv_free(kind);
		jv_free(message);
		jv_free(error);
	}
	jv turns = jvu_get_borrow(record, "turns");
	run->turns += jv_get_kind(turns) == JV_KIND_ARRAY ? (uint64_t)jv_array_length(jv_copy(turns)) : 0;
	run->truncated_turns += dialog_truncated_turns(turns);
	jv_free(turns);
	jv stop = jvu_get_borrow(record, "stop");
	jv reason = jvu_get_borrow(stop, "reason");
	for (int i = 0; i < 7; i++)
		if (jv_get_kind(reason) == JV_KIND_STRING && strcmp(jv_string_value(reason), reasons[i]) == 0)
			run->by_reason[i]++;
	jv_free(reason);
	jv_free(stop);
	stream_emit(p->st, p->seq, record);
	free(p);
}

static void start(void *ctx, struct stream *st, jv job, uint64_t seq)
{
	struct run_state *run = ctx;
	struct pending *p = xcalloc(1, sizeof *p);
	p->run = run;
	p->st = st;
	p->seq = seq;
	jv persona = jvu_get_borrow(job, "persona");
	jv index = jvu_get_borrow(job, "index");
	if (group_is_group(persona))
		group_start(&run->group, persona, (uint64_t)jv_number_value(index), on_done, p);
	else
		dialog_start(&run->cfg, persona, (uint64_t)jv_number_value(index), on_done, p);
	jv_free(index);
	jv_free(persona);
	jv_free(job);
}

static char *load_responder_prompt(const char *role)
{
	static const char *const known[] = { "peer", "counselor", "tutor", "support", NULL };
	for (const char *const *k = known; *k; k++) {
		if (strcmp(role, *k) == 0) {
			char name[64];
			snprintf(name, sizeof name, "responder-%s.txt", role);
			return prompt_load(name);
		}
	}
	if (!strchr(role, '/') && !strchr(role, '.')) {
		errorf("unknown responder role '%s' (expected peer, counselor, tutor, support or a prompt file)", role);
		return NULL;
	}
	return prompt_load(role);
}

static jv load_probes(const char *path)
{
	char *text = prompt_load(path);
	if (!text)
		return jv_invalid();
	jv probes = json_parse(text, strlen(text));
	free(text);
	int ok = jv_get_kind(probes) == JV_KIND_ARRAY;
	for (int i = 0; ok && i < jv_array_length(jv_copy(probes)); i++) {
		jv p = jv_array_get(jv_copy(probes), i);
		ok = jvu_kind_borrow(p, "name") == JV_KIND_STRING && jvu_kind_borrow(p, "question") == JV_KIND_STRING;
		jv_free(p);
	}
	if (!ok) {
		errorf("'%s': probes must be a JSON array of {\"name\": ..., \"question\": ...}", path);
		jv_free(probes);
		return jv_invalid();
	}
	return probes;
}

static void summary(const struct run_state *run, double seconds, uint64_t requests)
{
	if (run->source->failed_input)
		errorf("%llu personas not run: an earlier step had failed on them (status \"failed\")",
		       (unsigned long long)run->source->failed_input);
	char truncated[64] = "";
	if (run->truncated_turns)
		snprintf(truncated, sizeof truncated, " (%llu cut by the token limit)",
			 (unsigned long long)run->truncated_turns);
	/* Group stops are named only when there were groups, so a two-party run reads as before. */
	char group_stops[96] = "";
	if (run->by_reason[5] || run->by_reason[6])
		snprintf(group_stops, sizeof group_stops, ", %llu max_rounds, %llu guide_done",
			 (unsigned long long)run->by_reason[5], (unsigned long long)run->by_reason[6]);
	notef("%llu conversations (%llu ok, %llu failed, %llu already done), %llu turns%s; "
	      "stops: %llu closure, %llu loop, %llu judge, %llu max_turns, %llu error%s; %.1f s, %.1f requests/s",
	      (unsigned long long)(run->ok + run->failed), (unsigned long long)run->ok, (unsigned long long)run->failed,
	      (unsigned long long)run->source->skipped, (unsigned long long)run->turns, truncated,
	      (unsigned long long)run->by_reason[0], (unsigned long long)run->by_reason[1],
	      (unsigned long long)run->by_reason[2], (unsigned long long)run->by_reason[3],
	      (unsigned long long)run->by_reason[4], group_stops, seconds,
	      seconds > 0 ? (double)requests / seconds : 0);
}

int dialog_run(struct tool *t, struct run_options *o)
{
	opt = o;
	struct run_state run = { 0 };
	struct dialog_config *cfg = &run.cfg;
	static const enum context_mode contexts[] = { CONTEXT_ECP, CONTEXT_CONCAT };
	static const enum stop_mode stops[] = { STOP_RULES, STOP_JUDGE, STOP_NONE, STOP_HYBRID };
	cfg->context = contexts[o->context_choice];
	cfg->responder_opens = o->opener_choice == 1;
	cfg->stop = stops[o->stop_choice];
	/* Only a --min-turns given by the user can contradict --max-turns. */
	if (o->min_turns < 0)
		o->min_turns = o->max_turns < 2 ? o->max_turns : 2;
	if (o->min_turns > o->max_turns)
		fatalf(EXIT_USAGE, "--min-turns %ld is more than --max-turns %ld", o->min_turns, o->max_turns);
	if (o->resume_path) {
		struct stat resume_st, out_st;
		if (stat(o->resume_path, &resume_st) != 0)
			fatalf(EXIT_USAGE,
			       "--resume: cannot open '%s': %s (a first run appends to it: >> FILE creates it)",
			       o->resume_path, strerror(errno));
		if (t->common.output && strcmp(t->common.output, "-") != 0 && stat(t->common.output, &out_st) == 0 &&
		    out_st.st_dev == resume_st.st_dev && out_st.st_ino == resume_st.st_ino)
			fatalf(EXIT_USAGE, "-o '%s' would empty the --resume file; append to it with >> instead",
			       t->common.output);
	}
	/* Dialogue needs some randomness to be worth sampling K times. */
	if (o->both.temperature == LLM_UNSET)
		o->both.temperature = 0.7;
	llm_config_resolve(&o->client_cfg, &o->both);
	llm_config_resolve(&o->responder_cfg, &o->both);
	llm_config_resolve(&o->judge_cfg, &o->both);
	llm_config_resolve(&o->both, NULL);

	o->probes_path = cli_shared_file("--probes", "probes", o->probes_path, ".json");
	o->stop_rules_path = cli_shared_file("--stop-rules", "stop", o->stop_rules_path, ".json");
	char *client_prompt = prompt_load(o->client_prompt_name);
	char *participant_prompt = client_prompt ? prompt_load(o->participant_prompt_name) : NULL;
	char *moderator_prompt = participant_prompt ? prompt_load(o->moderator_prompt_name) : NULL;
	char *select_prompt = moderator_prompt ? prompt_load("group-select.txt") : NULL;
	struct names *names = select_prompt ? names_load_shipped() : NULL;
	char *responder_prompt = names ? load_responder_prompt(o->responder_role) : NULL;
	int judged = cfg->stop == STOP_JUDGE || cfg->stop == STOP_HYBRID;
	char *judge_prompt = judged && responder_prompt ? prompt_load(o->judge_prompt_name) : NULL;
	struct stop_rules *rules = (cfg->stop == STOP_RULES || cfg->stop == STOP_HYBRID) && responder_prompt
					   ? stoprules_load(o->stop_rules_path)
					   : NULL;
	jv probes = o->probes_path && responder_prompt ? load_probes(o->probes_path) : jv_null();
	int status = 0;
	if (!client_prompt || !responder_prompt || (judged && !judge_prompt) ||
	    ((cfg->stop == STOP_RULES || cfg->stop == STOP_HYBRID) && !rules) || !jv_is_valid(probes))
		status = EXIT_USAGE;
	cfg->client = status == 0 ? tool_model(t, &o->client_cfg, &o->both, "client") : NULL;
	cfg->responder = cfg->client ? tool_model(t, &o->responder_cfg, &o->both, "responder") : NULL;
	cfg->judge = cfg->responder && judged ? tool_model(t, &o->judge_cfg, &o->both, "judge") : NULL;
	struct resume_set *done =
		cfg->responder && o->resume_path ? resume_load(o->resume_path, t->common.max_line_bytes) : NULL;
	if (!cfg->responder || (judged && !cfg->judge) || (o->resume_path && !done))
		status = EXIT_USAGE;
	cfg->client_temperature = o->client_cfg.temperature;
	cfg->responder_temperature = o->responder_cfg.temperature;
	cfg->client_prompt = client_prompt;
	cfg->responder_prompt = responder_prompt;
	cfg->responder_role = o->responder_role;
	cfg->max_turns = o->max_turns;
	cfg->rules = rules;
	cfg->min_turns = o->min_turns;
	cfg->stop_window = o->stop_window;
	cfg->judge_prompt = judge_prompt;
	cfg->judge_tries = o->judge_tries;
	cfg->judge_every = o->judge_every;
	cfg->probes = probes;
	cfg->probe_every = o->probe_every;
	cfg->seed = (uint64_t)t->common.seed;
	static const enum group_policy policies[] = { GROUP_ROUND_ROBIN, GROUP_RANDOM, GROUP_ADDRESSED, GROUP_MODERATOR,
						      GROUP_SELECT };
	run.group.base = cfg;
	run.group.names = names;
	run.group.policy = policies[o->policy_choice];
	run.group.max_rounds = o->max_rounds;
	run.group.allow_repeat = o->allow_repeat;
	run.group.participant_prompt = participant_prompt;
	run.group.moderator_prompt = moderator_prompt;
	run.group.select_prompt = select_prompt;

	if (status == 0)
		status = tool_open(t);
	struct job_source source = { t->in, done, jv_invalid(), 0, 0, 0 };
	if (status == 0) {
		jsonl_writer_line_flush(t->out, 1);
		run.source = &source;
		struct stream *st = tool_stream(t, (size_t)o->both.concurrency, o->keep_order);
		stream_set_source(st, next_job, &source);
		double started = progress_now();
		status = tool_run(t, start, &run);
		uint64_t requests = llm_client_usage(cfg->client)->requests +
				    llm_client_usage(cfg->responder)->requests +
				    (cfg->judge ? llm_client_usage(cfg->judge)->requests : 0);
		summary(&run, progress_now() - started, requests);
	}
	status = tool_finish(t, status, run.failed, run.failed_rate_limited);
	jv_free(source.persona);
	resume_free(done);
	stoprules_free(rules);
	jv_free(probes);
	free(client_prompt);
	free(participant_prompt);
	free(moderator_prompt);
	free(select_prompt);
	names_free(names);
	free(responder_prompt);
	free(judge_prompt);
	return status;
}
