/* dialog-run — Client–Responder conversations for each persona (see dialog-run(1)). */
#include <errno.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "dialog.h"
#include "interrupt.h"
#include "jsonl.h"
#include "jsontext.h"
#include "jvutil.h"
#include "llm.h"
#include "msg.h"
#include "progress.h"
#include "prompt.h"
#include "record.h"
#include "resume.h"
#include "stream.h"

static long conversations = 1, max_turns = 25, min_turns = -1, stop_window = 6, judge_tries = 3, probe_every;
static const char *context_name = "ecp", *opener = "client", *responder_role = "peer", *stop_name = "rules";
static const char *client_prompt_name = "client.txt", *stop_rules_path, *probes_path, *resume_path;
static const char *judge_prompt_name = "judge-stop.txt";
static int keep_order;
static struct llm_config both, client_cfg, responder_cfg, judge_cfg;

static const struct cli_option run_options[] = {
	{ "conversations", 'k', CLI_LONG, &conversations, "K", "conversations per persona (default 1)", 1, 1e6, NULL },
	{ "context", 0, CLI_STRING, &context_name, "ecp|concat", "history projection (default ecp)", 0, 0, NULL },
	{ "opener", 0, CLI_STRING, &opener, "client|responder", "who speaks first (default client)", 0, 0, NULL },
	{ "responder-role", 0, CLI_STRING, &responder_role, "ROLE|FILE", "peer, counselor, tutor, support, or a prompt file (default peer)", 0, 0, NULL },
	{ "client-prompt", 0, CLI_STRING, &client_prompt_name, "FILE", "client system prompt template (default share/prompts/client.txt)", 0, 0, NULL },
	{ "max-turns", 0, CLI_LONG, &max_turns, "N", "at most N turns per agent (default 25)", 1, 10000, NULL },
	{ "stop", 0, CLI_STRING, &stop_name, "rules|judge|none", "termination detection after each exchange (default rules)", 0, 0, NULL },
	{ "stop-rules", 0, CLI_STRING, &stop_rules_path, "FILE", "phrase lists and thresholds (default share/stop/rules.json)", 0, 0, NULL },
	{ "min-turns", 0, CLI_LONG, &min_turns, "N", "never stop before N turns (default 2)", 0, 10000, NULL },
	{ "stop-window", 0, CLI_LONG, &stop_window, "M", "turns the stop judge reads (default 6)", 1, 10000, NULL },
	{ "stop-prompt", 0, CLI_STRING, &judge_prompt_name, "FILE", "stop judge prompt (default share/prompts/judge-stop.txt)", 0, 0, NULL },
	{ "judge-tries", 0, CLI_LONG, &judge_tries, "N", "answers to ask for when a stop verdict is unparseable (default 3)", 1, 100, NULL },
	{ "probes", 0, CLI_STRING, &probes_path, "FILE", "drift probes: [{\"name\",\"question\"}] (e.g. share/probes/default.json)", 0, 0, NULL },
	{ "probe-every", 0, CLI_LONG, &probe_every, "N", "ask the probes every N exchanges, besides the baseline (default 0: baseline only)", 0, 10000, NULL },
	{ "resume", 0, CLI_STRING, &resume_path, "FILE", "skip conversations already in FILE with status ok", 0, 0, NULL },
	{ "keep-order", 0, CLI_FLAG, &keep_order, NULL, "write conversations in input order", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

/* Each persona becomes K jobs: {"persona": record, "index": i}, minus finished ones. */
struct job_source {
	struct jsonl_reader *in;
	struct resume_set *done;
	jv persona;
	long next_index;
	uint64_t skipped;
	uint64_t failed_input;      /* personas whose earlier step failed: rejected, not run */
};

struct run_state {
	struct dialog_config cfg;
	struct job_source *source;
	uint64_t ok, failed, failed_rate_limited, turns, truncated_turns, by_reason[5];
};

static const char *const reasons[5] = { "closure", "loop", "judge", "max_turns", "error" };

static int next_job(void *ctx, jv *job)
{
	struct job_source *src = ctx;
	for (;;) {
		if (jv_is_valid(src->persona) && src->next_index < conversations) {
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
		errorf("%s: failed: %s: %s", record_id(record), jv_get_kind(kind) == JV_KIND_STRING ? jv_string_value(kind) : "?",
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
	for (int i = 0; i < 5; i++)
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
		snprintf(truncated, sizeof truncated, " (%llu cut by the token limit)", (unsigned long long)run->truncated_turns);
	notef("%llu conversations (%llu ok, %llu failed, %llu already done), %llu turns%s; "
	      "stops: %llu closure, %llu loop, %llu judge, %llu max_turns, %llu error; %.1f s, %.1f requests/s",
		(unsigned long long)(run->ok + run->failed), (unsigned long long)run->ok,
		(unsigned long long)run->failed, (unsigned long long)run->source->skipped, (unsigned long long)run->turns,
		truncated,
		(unsigned long long)run->by_reason[0], (unsigned long long)run->by_reason[1],
		(unsigned long long)run->by_reason[2], (unsigned long long)run->by_reason[3],
		(unsigned long long)run->by_reason[4], seconds, seconds > 0 ? (double)requests / seconds : 0);
}

int main(int argc, char **argv)
{
	llm_config_init(&both);
	llm_config_init(&client_cfg);
	llm_config_init(&responder_cfg);
	llm_config_init(&judge_cfg);
	const struct cli_option *const tables[] = {
		run_options, llm_options(&both, ""), llm_options(&client_cfg, "client-"),
		llm_options(&responder_cfg, "responder-"), llm_options(&judge_cfg, "judge-"), NULL
	};
	const struct cli_program program = {
		"dialog-run", "[OPTION]... [FILE]...",
		"Run Client-Responder conversations for each persona (records with \"description\"):\n"
		"the client plays the persona, the responder the system under test. Unprefixed model\n"
		"options set both agents; --client-*, --responder-* and --judge-* set one.",
		"The offline provider (default without a base URL or key) is a stand-in, not a language\n"
		"model: no finding about model behaviour may be drawn from its output. See dialog-run(1).",
		tables,
		NULL,
	};
	struct cli_common common;
	int first = cli_parse(argc, argv, &program, &common);

	struct run_state run = { 0 };
	struct dialog_config *cfg = &run.cfg;
	if (strcmp(context_name, "ecp") == 0)
		cfg->context = CONTEXT_ECP;
	else if (strcmp(context_name, "concat") == 0)
		cfg->context = CONTEXT_CONCAT;
	else
		fatalf(EXIT_USAGE, "unknown --context '%s' (expected ecp or concat)", context_name);
	if (strcmp(opener, "client") != 0 && strcmp(opener, "responder") != 0)
		fatalf(EXIT_USAGE, "unknown --opener '%s' (expected client or responder)", opener);
	cfg->responder_opens = strcmp(opener, "responder") == 0;
	if (strcmp(stop_name, "rules") == 0)
		cfg->stop = STOP_RULES;
	else if (strcmp(stop_name, "judge") == 0)
		cfg->stop = STOP_JUDGE;
	else if (strcmp(stop_name, "none") == 0)
		cfg->stop = STOP_NONE;
	else
		fatalf(EXIT_USAGE, "unknown --stop '%s' (expected rules, judge or none)", stop_name);
	/* Only a --min-turns given by the user can contradict --max-turns. */
	if (min_turns < 0)
		min_turns = max_turns < 2 ? max_turns : 2;
	if (min_turns > max_turns)
		fatalf(EXIT_USAGE, "--min-turns %ld is more than --max-turns %ld", min_turns, max_turns);
	if (resume_path) {
		struct stat resume_st, out_st;
		if (stat(resume_path, &resume_st) != 0)
			fatalf(EXIT_USAGE, "--resume: cannot open '%s': %s (a first run appends to it: >> FILE creates it)",
			       resume_path, strerror(errno));
		if (common.output && strcmp(common.output, "-") != 0 && stat(common.output, &out_st) == 0 &&
		    out_st.st_dev == resume_st.st_dev && out_st.st_ino == resume_st.st_ino)
			fatalf(EXIT_USAGE, "-o '%s' would empty the --resume file; append to it with >> instead",
			       common.output);
	}
	/* Dialogue needs some randomness to be worth sampling K times. */
	if (both.temperature == LLM_UNSET)
		both.temperature = 0.7;
	llm_config_resolve(&client_cfg, &both);
	llm_config_resolve(&responder_cfg, &both);
	llm_config_resolve(&judge_cfg, &both);
	llm_config_resolve(&both, NULL);

	probes_path = cli_shared_file("--probes", "probes", probes_path, ".json");
	stop_rules_path = cli_shared_file("--stop-rules", "stop", stop_rules_path, ".json");
	char *client_prompt = prompt_load(client_prompt_name);
	char *responder_prompt = client_prompt ? load_responder_prompt(responder_role) : NULL;
	char *judge_prompt = cfg->stop == STOP_JUDGE && responder_prompt ? prompt_load(judge_prompt_name) : NULL;
	struct stop_rules *rules = cfg->stop == STOP_RULES && responder_prompt ? stop_rules_load(stop_rules_path) : NULL;
	jv probes = probes_path && responder_prompt ? load_probes(probes_path) : jv_null();
	if (!client_prompt || !responder_prompt || (cfg->stop == STOP_JUDGE && !judge_prompt) ||
	    (cfg->stop == STOP_RULES && !rules) || !jv_is_valid(probes)) {
		free(client_prompt);
		free(responder_prompt);
		free(judge_prompt);
		stop_rules_free(rules);
		return EXIT_USAGE;
	}
	struct llm_engine *engine = llm_engine_new((uint64_t)common.seed, common.seed_given);
	cfg->client = llm_client_new(engine, &client_cfg, "client");
	cfg->responder = cfg->client ? llm_client_new(engine, &responder_cfg, "responder") : NULL;
	cfg->judge = cfg->responder && (cfg->stop == STOP_JUDGE) ? llm_client_new(engine, &judge_cfg, "judge") : NULL;
	struct resume_set *done = cfg->responder && resume_path ? resume_load(resume_path, common.max_line_bytes) : NULL;
	if (!cfg->responder || (cfg->stop == STOP_JUDGE && !cfg->judge) || (resume_path && !done)) {
		llm_engine_free(engine);
		free(client_prompt);
		free(responder_prompt);
		free(judge_prompt);
		stop_rules_free(rules);
		jv_free(probes);
		return EXIT_USAGE;
	}
	cfg->client_temperature = client_cfg.temperature;
	cfg->responder_temperature = responder_cfg.temperature;
	cfg->client_prompt = client_prompt;
	cfg->responder_prompt = responder_prompt;
	cfg->responder_role = responder_role;
	cfg->max_turns = max_turns;
	cfg->rules = rules;
	cfg->min_turns = min_turns;
	cfg->stop_window = stop_window;
	cfg->judge_prompt = judge_prompt;
	cfg->judge_tries = judge_tries;
	cfg->probes = probes;
	cfg->probe_every = probe_every;
	cfg->seed = (uint64_t)common.seed;

	struct jsonl_writer *out = jsonl_writer_open(common.output);
	struct jsonl_writer *rejects = common.rejects ? jsonl_writer_open(common.rejects) : NULL;
	if (!out || (common.rejects && !rejects))
		return EXIT_USAGE;
	jsonl_writer_line_flush(out, 1);
	struct job_source source = { jsonl_reader_open(argv + first, argc - first, common.max_line_bytes, rejects),
				     done, jv_invalid(), 0, 0, 0 };
	run.source = &source;
	interrupt_install();

	long in_flight = both.concurrency;
	struct stream *st = stream_new(source.in, out, engine, (size_t)in_flight, keep_order);
	stream_set_source(st, next_job, &source);
	struct progress progress;
	progress_start(&progress, common.progress, 0);
	double started = progress_now();
	int status = stream_run(st, start, &run, &progress);
	progress_done(&progress, stream_written(st), NULL);
	uint64_t requests = llm_client_usage(cfg->client)->requests + llm_client_usage(cfg->responder)->requests +
			    (cfg->judge ? llm_client_usage(cfg->judge)->requests : 0);
	summary(&run, progress_now() - started, requests);
	llm_usage_report(cfg->client);
	llm_usage_report(cfg->responder);
	if (cfg->judge)
		llm_usage_report(cfg->judge);
	if (status == 0)
		status = exit_status_of(jsonl_errors(source.in), run.failed, run.failed_rate_limited);
	if (jsonl_writer_close(out) < 0 || jsonl_writer_close(rejects) < 0)
		status = status ? status : EXIT_SOME_FAILED;
	stream_free(st);
	jsonl_reader_close(source.in);
	jv_free(source.persona);
	resume_free(done);
	llm_engine_free(engine);
	stop_rules_free(rules);
	jv_free(probes);
	free(client_prompt);
	free(responder_prompt);
	free(judge_prompt);
	return status;
}
