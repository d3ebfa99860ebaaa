#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "interrupt.h"
#include "jsontext.h"
#include "llm.h"
#include "model_check.h"
#include "msg.h"
#include "progress.h"
#include "reasoning.h"
#include "tool.h"

/* What every probe asks: small, with a short answer. */
#define PROMPT_OK "Reply with the single word OK."
#define PROMPT_SYSTEM "You are a terse assistant."
#define PROMPT_REASON "What is 17 + 25? Reply with the number only."
#define PROMPT_JSON "Reply with the JSON object {\"answer\": \"OK\"} and nothing else."
#define PROBE_MAX_TOKENS 256
#define PROBE_TEMPERATURE 0.7 /* what dialog-run sends unless told otherwise */
/* Tags no model writes: the reasoning probe sees the answer before any stripping. */
#define KEEP_EVERYTHING_TAGS "<model-check-keep>,</model-check-keep>"
#define MAX_CHECKS 16
#define MAX_CLIENTS 12

/* One request's result, copied out of the callback. */
struct outcome {
	int done, ok, rate_limited;
	char *content, *error_kind, *error_message;
	uint64_t prompt_tokens, completion_tokens, reasoning_tokens;
	int dims;
	double ms;
};

/* One row of the table: a key for --json, a state word and what explains it. */
struct check {
	const char *key, *label;
	const char *state;
	char *detail;
};

struct run {
	struct tool *t;
	const struct check_options *o;
	struct llm_config base;
	struct llm_config variants[MAX_CLIENTS];
	size_t nvariants;
	struct check checks[MAX_CHECKS];
	size_t nchecks;
	const char *flags[16];
	size_t nflags;
	const char *reason; /* why dialog-run cannot run, or NULL */
	char *reason_owned;
	int status;
	double latency_ms;
};

void check_options_init(struct check_options *o)
{
	memset(o, 0, sizeof *o);
	llm_config_init(&o->model_config);
}

static void outcome_free(struct outcome *out)
{
	free(out->content);
	free(out->error_kind);
	free(out->error_message);
	memset(out, 0, sizeof *out);
}

static void on_done(void *ctx, const struct llm_result *r)
{
	struct outcome *out = ctx;
	out->done = 1;
	out->ok = r->ok;
	out->rate_limited = r->rate_limited;
	out->content = r->content ? xstrdup(r->content) : NULL;
	out->error_kind = r->error_kind ? xstrdup(r->error_kind) : NULL;
	out->error_message = r->error_message ? xstrdup(r->error_message) : NULL;
	out->prompt_tokens = r->prompt_tokens;
	out->completion_tokens = r->completion_tokens;
	out->reasoning_tokens = r->reasoning_tokens;
	if (r->ok && jv_is_valid(r->embeddings) && jv_get_kind(r->embeddings) == JV_KIND_ARRAY &&
	    jv_array_length(jv_copy(r->embeddings)) > 0) {
		jv first = jv_array_get(jv_copy(r->embeddings), 0);
		if (jv_get_kind(first) == JV_KIND_ARRAY)
			out->dims = jv_array_length(jv_copy(first));
		jv_free(first);
	}
}

static void wait_for(struct run *run, struct outcome *out, double start)
{
	while (!out->done) {
		if (interrupt_requested()) {
			llm_engine_cancel(run->t->engine);
			break;
		}
		llm_engine_step(run->t->engine, 100);
	}
	if (!out->done) {
		out->done = 1;
		out->error_kind = xstrdup("cancelled");
	}
	out->ms = (progress_now() - start) * 1000.0;
}

/* A client for one probe: the base configuration with one thing changed. The note
 * each client gives (provider, URL, model) would repeat the table's first line, so
 * it is quiet; configuration errors are still said. */
static struct llm_client *client_for(struct run *run, const struct llm_config *cfg)
{
	struct llm_config *v = &run->variants[run->nvariants++];
	*v = *cfg;
	int quiet = msg_quiet();
	msg_set_quiet(1);
	struct llm_client *c = tool_model(run->t, v, NULL, "model");
	msg_set_quiet(quiet);
	return c;
}

static void chat(struct run *run, const struct llm_config *cfg, const char *messages_json, int as_given,
		 struct outcome *out)
{
	memset(out, 0, sizeof *out);
	struct llm_client *c = client_for(run, cfg);
	if (!c) {
		out->done = 1;
		out->error_kind = xstrdup("configuration");
		return;
	}
	double start = progress_now();
	if (as_given)
		llm_chat_as_given(c, messages_json, strlen(messages_json), on_done, out);
	else
		llm_chat(c, json_parse(messages_json, strlen(messages_json)), NULL, 0, on_done, out);
	wait_for(run, out, start);
}

/* [{"role":"user","content":PROMPT}] as JSON text, malloc'd. */
static char *user_messages(const char *system, const char *prompt)
{
	struct buf b = BUF_INIT;
	buf_addc(&b, '[');
	if (system) {
		buf_adds(&b, "{\"role\":\"system\",\"content\":");
		json_add_string(&b, system);
		buf_adds(&b, "},");
	}
	buf_adds(&b, "{\"role\":\"user\",\"content\":");
	json_add_string(&b, prompt);
	buf_adds(&b, "}]");
	return b.data;
}

static void add_check(struct run *run, const char *key, const char *label, const char *state, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void add_check(struct run *run, const char *key, const char *label, const char *state, const char *fmt, ...)
{
	struct check *ck = &run->checks[run->nchecks++];
	ck->key = key;
	ck->label = label;
	ck->state = state;
	ck->detail = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		if (vasprintf(&ck->detail, fmt, ap) < 0)
			ck->detail = NULL;
		va_end(ap);
	}
}

static void advise(struct run *run, const char *flag, const char *value)
{
	run->flags[run->nflags++] = flag;
	run->flags[run->nflags++] = value;
}

static void cannot(struct run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cannot(struct run *run, const char *fmt, ...)
{
	if (run->reason)
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&run->reason_owned, fmt, ap) < 0)
		run->reason_owned = NULL;
	va_end(ap);
	run->reason = run->reason_owned ? run->reason_owned : "the endpoint cannot run dialog-run";
	run->status = EXIT_SOME_FAILED;
}

static const char *message_of(const struct outcome *out)
{
	if (out->error_message && *out->error_message)
		return out->error_message;
	return out->error_kind ? out->error_kind : "no answer";
}

/* The server refused the request as malformed: the probe's question is answered no. */
static int refused(const struct outcome *out)
{
	return !out->ok && out->error_kind &&
	       (strcmp(out->error_kind, "http_400") == 0 || strcmp(out->error_kind, "http_422") == 0);
}

/* Unreachable, timed out or rate limited: nothing is known; worth a later rerun. Says
 * why in one line unless llm already did (an unreachable endpoint stops the engine). */
static int transient(struct run *run, const struct outcome *out)
{
	int timeout = out->error_kind && strcmp(out->error_kind, "timeout") == 0;
	int connection = out->error_kind && strcmp(out->error_kind, "connection") == 0;
	if (!out->rate_limited && !timeout && !connection && !interrupt_requested())
		return 0;
	if (interrupt_requested()) {
		/* a signal, or llm said "cannot reach ..." already and stopped the engine */
		run->status = interrupt_status() ? interrupt_status() : EXIT_TEMPFAIL;
		return 1;
	}
	if (out->rate_limited)
		errorf("rate limited by '%s': %s; rerun later (exit 75)", run->base.base_url, message_of(out));
	else
		errorf("no answer from '%s': %s; rerun later (exit 75)", run->base.base_url, message_of(out));
	run->status = EXIT_TEMPFAIL;
	return 1;
}

static int auth_failed(const struct outcome *out)
{
	return !out->ok && out->error_kind &&
	       (strcmp(out->error_kind, "http_401") == 0 || strcmp(out->error_kind, "http_403") == 0);
}

/* ---------- the probes, in the order they are sent ---------- */

/* 1. One user message, nothing optional: reachable, key accepted, chat works. */
static int probe_chat(struct run *run, struct outcome *first)
{
	char *m = user_messages(NULL, PROMPT_OK);
	chat(run, &run->base, m, 0, first);
	free(m);
	if (first->error_kind && strcmp(first->error_kind, "configuration") == 0) {
		run->status = EXIT_USAGE;
		return -1;
	}
	if (transient(run, first))
		return -1;
	add_check(run, "reachable", "reachable", "yes", NULL);
	if (auth_failed(first)) {
		add_check(run, "auth", "auth", "refused", "%s", message_of(first));
		cannot(run, "authentication failed at '%s': %s", run->base.base_url, message_of(first));
		return -1;
	}
	add_check(run, "auth", "auth", "accepted", NULL);
	run->latency_ms = first->ms;
	if (!first->ok) {
		add_check(run, "chat", "chat", "fails", "%s", message_of(first));
		cannot(run, "a one-message chat fails: %s", message_of(first));
		return -1;
	}
	add_check(run, "chat", "chat", "works", NULL);
	return 0;
}

/* 2. A system message first; refused, the same text in the first user message. */
static int probe_system(struct run *run)
{
	struct outcome out;
	char *m = user_messages(PROMPT_SYSTEM, PROMPT_OK);
	chat(run, &run->base, m, 0, &out);
	if (transient(run, &out)) {
		free(m);
		outcome_free(&out);
		return -1;
	}
	if (out.ok) {
		add_check(run, "system_role", "system role", "accepted", NULL);
	} else {
		struct llm_config first_user = run->base;
		first_user.system_message = "first-user";
		struct outcome again;
		chat(run, &first_user, m, 0, &again);
		if (transient(run, &again)) {
			free(m);
			outcome_free(&out);
			outcome_free(&again);
			return -1;
		}
		if (again.ok) {
			add_check(run, "system_role", "system role", "refused",
				  "%s; in the first user message it works", message_of(&out));
			advise(run, "--system-message", "first-user");
		} else {
			add_check(run, "system_role", "system role", "refused", "%s; in the first user message too: %s",
				  message_of(&out), message_of(&again));
			cannot(run, "no way to send the system prompt: %s", message_of(&again));
		}
		outcome_free(&again);
	}
	free(m);
	outcome_free(&out);
	return 0;
}

/* 3. Two user messages in a row, sent as given: the one malformed request. */
static int probe_alternation(struct run *run)
{
	struct outcome out;
	const char *m = "[{\"role\":\"user\",\"content\":\"Hello.\"},"
			"{\"role\":\"user\",\"content\":\"" PROMPT_OK "\"}]";
	chat(run, &run->base, m, 1, &out);
	if (transient(run, &out)) {
		outcome_free(&out);
		return -1;
	}
	if (out.ok)
		add_check(run, "alternation", "alternation", "not required", NULL);
	else if (refused(&out))
		add_check(run, "alternation", "alternation", "required", "%s; dialog-run always alternates",
			  message_of(&out));
	else
		add_check(run, "alternation", "alternation", "unknown", "%s", message_of(&out));
	outcome_free(&out);
	return 0;
}

static int has_tags(const char *text, const char *open, const char *close)
{
	return strstr(text, open) || strstr(text, close);
}

/* 4. A question answered with nothing stripped: is there reasoning text, and does
 * stripping it with the tags in force (--reasoning-tags) leave a clean answer? */
static int probe_reasoning(struct run *run)
{
	struct llm_config raw = run->base;
	raw.reasoning_tags = KEEP_EVERYTHING_TAGS;
	struct outcome out;
	char *m = user_messages(NULL, PROMPT_REASON);
	chat(run, &raw, m, 0, &out);
	free(m);
	if (transient(run, &out)) {
		outcome_free(&out);
		return -1;
	}
	const char *tags = run->base.reasoning_tags;
	char *open = NULL, *close = NULL;
	if (!out.ok || reasoning_tags_parse(tags, &open, &close) < 0) {
		add_check(run, "reasoning", "reasoning", "unknown", "%s", message_of(&out));
		outcome_free(&out);
		return 0;
	}
	/* The usual tags count too: other tags given by mistake would leave them in. */
	int seen = has_tags(out.content, open, close) || has_tags(out.content, "<think>", "</think>");
	struct buf stripped = BUF_INIT;
	reasoning_strip(out.content, strlen(out.content), open, close, &stripped);
	const char *left = stripped.data ? stripped.data : "";
	int clean = !has_tags(left, open, close) && !has_tags(left, "<think>", "</think>");
	if (!seen && out.reasoning_tokens == 0) {
		add_check(run, "reasoning", "reasoning", "none", NULL);
	} else if (!seen) {
		add_check(run, "reasoning", "reasoning", "apart",
			  "%llu reasoning tokens reported, none in the answer text",
			  (unsigned long long)out.reasoning_tokens);
	} else if (clean) {
		add_check(run, "reasoning", "reasoning", "stripped",
			  "%s blocks in answers; --reasoning-tags %s strips them", open, tags);
		if (strcmp(tags, REASONING_TAGS_DEFAULT) != 0)
			advise(run, "--reasoning-tags", tags);
	} else {
		add_check(run, "reasoning", "reasoning", "not stripped",
			  "reasoning blocks in answers that --reasoning-tags %s leaves behind", tags);
		cannot(run, "reasoning text would become turns: --reasoning-tags %s does not strip it", tags);
	}
	buf_free(&stripped);
	free(open);
	free(close);
	outcome_free(&out);
	return 0;
}

/* An answer cut by the small limit still means the field was accepted. */
static int field_accepted(const struct outcome *out)
{
	return out->ok || (out->error_kind &&
			   (strcmp(out->error_kind, "truncated") == 0 || strcmp(out->error_kind, "empty") == 0));
}

/* 5. A token limit in max_tokens; refused, in max_completion_tokens. */
static int probe_token_field(struct run *run)
{
	struct llm_config limited = run->base;
	limited.max_tokens = PROBE_MAX_TOKENS;
	limited.max_tokens_field = "max_tokens";
	struct outcome out, again;
	memset(&again, 0, sizeof again);
	char *m = user_messages(NULL, PROMPT_OK);
	chat(run, &limited, m, 0, &out);
	int status = 0;
	if (transient(run, &out)) {
		status = -1;
	} else if (field_accepted(&out)) {
		add_check(run, "token_field", "token field", "max_tokens", NULL);
	} else {
		limited.max_tokens_field = "max_completion_tokens";
		chat(run, &limited, m, 0, &again);
		if (transient(run, &again)) {
			status = -1;
		} else if (field_accepted(&again)) {
			add_check(run, "token_field", "token field", "max_completion_tokens", "max_tokens refused: %s",
				  message_of(&out));
			advise(run, "--max-tokens-field", "max_completion_tokens");
		} else {
			add_check(run, "token_field", "token field", "neither",
				  "max_tokens: %s; max_completion_tokens: %s; do not give --max-tokens",
				  message_of(&out), message_of(&again));
		}
	}
	free(m);
	outcome_free(&out);
	outcome_free(&again);
	return status;
}

/* 6. temperature 0.7, dialog-run's default; the chat probe sent none. */
static int probe_temperature(struct run *run)
{
	struct llm_config warm = run->base;
	warm.temperature = PROBE_TEMPERATURE;
	struct outcome out;
	char *m = user_messages(NULL, PROMPT_OK);
	chat(run, &warm, m, 0, &out);
	free(m);
	if (transient(run, &out)) {
		outcome_free(&out);
		return -1;
	}
	if (out.ok) {
		add_check(run, "temperature", "temperature", "accepted", NULL);
	} else if (refused(&out)) {
		add_check(run, "temperature", "temperature", "refused", "%s; left out it works", message_of(&out));
		advise(run, "--temperature", "default");
	} else {
		add_check(run, "temperature", "temperature", "unknown", "%s", message_of(&out));
	}
	outcome_free(&out);
	return 0;
}

/* 7. The chat probe streamed. */
static int probe_stream(struct run *run)
{
	struct llm_config streamed = run->base;
	streamed.stream = 1;
	struct outcome out;
	char *m = user_messages(NULL, PROMPT_OK);
	chat(run, &streamed, m, 0, &out);
	free(m);
	if (transient(run, &out)) {
		outcome_free(&out);
		return -1;
	}
	if (out.ok && out.prompt_tokens + out.completion_tokens > 0)
		add_check(run, "streaming", "streaming", "works", NULL);
	else if (out.ok)
		add_check(run, "streaming", "streaming", "works", "no usage in the stream");
	else
		add_check(run, "streaming", "streaming", "fails", "%s; do not give --stream", message_of(&out));
	outcome_free(&out);
	return 0;
}

/* 8. From the chat probe's reply: without usage nothing can be counted or priced. */
static void probe_usage(struct run *run, const struct outcome *first)
{
	if (first->prompt_tokens + first->completion_tokens > 0)
		add_check(run, "usage", "usage", "reported", "%llu prompt + %llu completion tokens",
			  (unsigned long long)first->prompt_tokens, (unsigned long long)first->completion_tokens);
	else
		add_check(run, "usage", "usage", "not reported", "token counts, --price and --budget stay at 0");
}

/* 9. response_format json_object added to the body (beside any --body-json). */
static int probe_json_mode(struct run *run)
{
	struct llm_config json_mode = run->base;
	jv body = jv_object();
	if (run->base.body_json) {
		jv given = json_parse(run->base.body_json, strlen(run->base.body_json));
		if (jv_get_kind(given) == JV_KIND_OBJECT)
			body = jv_object_merge(body, given);
		else
			jv_free(given);
	}
	body = jv_object_set(body, jv_string("response_format"),
			     jv_object_set(jv_object(), jv_string("type"), jv_string("json_object")));
	jv text = jv_dump_string(body, 0);
	char *body_text = xstrdup(jv_string_value(text));
	jv_free(text);
	json_mode.body_json = body_text;
	struct outcome out;
	char *m = user_messages(NULL, PROMPT_JSON);
	chat(run, &json_mode, m, 0, &out);
	free(m);
	if (transient(run, &out)) {
		outcome_free(&out);
		return -1; /* body_text is freed with the variants */
	}
	if (out.ok) {
		jv answer = json_parse(out.content, strlen(out.content));
		if (jv_get_kind(answer) == JV_KIND_OBJECT)
			add_check(run, "json_mode", "JSON mode", "works", NULL);
		else
			add_check(run, "json_mode", "JSON mode", "not json",
				  "accepted, but the answer is not a JSON object");
		jv_free(answer);
	} else if (refused(&out)) {
		add_check(run, "json_mode", "JSON mode", "refused", "%s", message_of(&out));
	} else {
		add_check(run, "json_mode", "JSON mode", "unknown", "%s", message_of(&out));
	}
	outcome_free(&out);
	return 0;
}

/* 10. One embedding, with --embeddings-model. */
static int probe_embeddings(struct run *run)
{
	if (!run->o->embeddings_model) {
		add_check(run, "embeddings", "embeddings", "not checked", "give --embeddings-model");
		return 0;
	}
	struct llm_config embed = run->base;
	embed.model = run->o->embeddings_model;
	struct outcome out;
	memset(&out, 0, sizeof out);
	struct llm_client *c = client_for(run, &embed);
	if (!c) {
		run->status = EXIT_USAGE;
		return -1;
	}
	double start = progress_now();
	llm_embed(c, JV_ARRAY(jv_string("hello")), on_done, &out);
	wait_for(run, &out, start);
	if (transient(run, &out)) {
		outcome_free(&out);
		return -1;
	}
	if (out.ok)
		add_check(run, "embeddings", "embeddings", "works", "%d dimensions", out.dims);
	else
		add_check(run, "embeddings", "embeddings", "fails", "%s", message_of(&out));
	outcome_free(&out);
	return 0;
}

/* ---------- output ---------- */

static void print_table(const struct run *run)
{
	printf("model-check: %s, model %s\n", run->base.base_url, run->base.model);
	for (size_t i = 0; i < run->nchecks; i++) {
		const struct check *ck = &run->checks[i];
		printf("%-13s %s%s%s\n", ck->label, ck->state, ck->detail ? ": " : "", ck->detail ? ck->detail : "");
	}
	if (run->latency_ms > 0)
		printf("%-13s %.0f ms (the first chat request)\n", "latency", run->latency_ms);
	if (run->reason) {
		printf("dialog-run: cannot run: %s\n", run->reason);
		return;
	}
	printf("dialog-run flags:");
	for (size_t i = 0; i < run->nflags; i++)
		printf(" %s", run->flags[i]);
	printf("%s\n", run->nflags ? "" : " none needed");
}

static void print_json(const struct run *run, const char *provider, const char *note)
{
	jv out = jv_object();
	out = jv_object_set(out, jv_string("base_url"), run->base.base_url ? jv_string(run->base.base_url) : jv_null());
	out = jv_object_set(out, jv_string("model"), run->base.model ? jv_string(run->base.model) : jv_null());
	out = jv_object_set(out, jv_string("provider"), jv_string(provider));
	out = jv_object_set(out, jv_string("ok"), jv_bool(run->status == 0));
	out = jv_object_set(out, jv_string("exit"), jv_number(run->status));
	out = jv_object_set(out, jv_string("reason"), run->reason ? jv_string(run->reason) : jv_null());
	if (note)
		out = jv_object_set(out, jv_string("note"), jv_string(note));
	jv checks = jv_object();
	for (size_t i = 0; i < run->nchecks; i++) {
		const struct check *ck = &run->checks[i];
		jv one = jv_object_set(jv_object(), jv_string("result"), jv_string(ck->state));
		one = jv_object_set(one, jv_string("detail"), ck->detail ? jv_string(ck->detail) : jv_null());
		checks = jv_object_set(checks, jv_string(ck->key), one);
	}
	out = jv_object_set(out, jv_string("checks"), checks);
	out = jv_object_set(out, jv_string("latency_ms"),
			    run->latency_ms > 0 ? jv_number((double)(long)(run->latency_ms + 0.5)) : jv_null());
	jv flags = jv_array();
	for (size_t i = 0; i < run->nflags; i++)
		flags = jv_array_append(flags, jv_string(run->flags[i]));
	out = jv_object_set(out, jv_string("flags"), flags);
	jv text = jv_dump_string(out, 0);
	printf("%s\n", jv_string_value(text));
	jv_free(text);
}

#define OFFLINE_NOTE "the built-in stand-in provider, not a language model: every check passes trivially"

int model_check(struct tool *t, struct check_options *o)
{
	struct run *run = xcalloc(1, sizeof *run);
	run->t = t;
	run->o = o;
	struct llm_config *cfg = &o->model_config;
	/* One attempt that reaches no server is enough to say so; one retry for the rest. */
	if (cfg->max_connect_failures < 0)
		cfg->max_connect_failures = 1;
	if (cfg->retries < 0)
		cfg->retries = 1;
	interrupt_install();
	struct llm_client *c = client_for(run, cfg);
	if (!c) {
		free(run);
		return tool_finish(t, EXIT_USAGE, 0, 0);
	}
	run->base = run->variants[0]; /* resolved */
	/* Each probe sends only the one thing it asks about. */
	run->base.temperature = LLM_SERVER_DEFAULT;
	run->base.top_p = cfg->top_p;
	run->base.max_tokens = -1;
	run->base.stream = 0;
	run->base.system_message = "system";
	run->base.cache_dir = NULL; /* a cached answer would hide what the server does */

	if (llm_client_provider(c) == PROVIDER_OFFLINE) {
		if (o->json) {
			run->base.base_url = NULL;
			print_json(run, "offline", OFFLINE_NOTE);
		} else {
			printf("model-check: provider offline: %s\n", OFFLINE_NOTE);
			printf("dialog-run flags: none needed\n");
		}
		llm_engine_free(t->engine);
		t->engine = NULL;
		free(run);
		return tool_finish(t, 0, 0, 0);
	}

	struct outcome first;
	int stop = probe_chat(run, &first);
	if (!stop)
		stop = probe_system(run);
	if (!stop)
		stop = probe_alternation(run);
	if (!stop)
		stop = probe_reasoning(run);
	if (!stop)
		stop = probe_token_field(run);
	if (!stop)
		stop = probe_temperature(run);
	if (!stop)
		stop = probe_stream(run);
	if (!stop)
		probe_usage(run, &first);
	if (!stop)
		stop = probe_json_mode(run);
	if (!stop)
		stop = probe_embeddings(run);
	outcome_free(&first);

	if (run->status == EXIT_SOME_FAILED || run->status == 0) {
		if (run->reason)
			errorf("cannot run dialog-run: %s", run->reason);
		if (o->json)
			print_json(run, "openai", NULL);
		else
			print_table(run);
	} else if (run->status == EXIT_TEMPFAIL && o->json) {
		run->reason = "unreachable or rate limited: rerun later";
		print_json(run, "openai", NULL);
	}
	int status = run->status;
	/* The usage lines of a dozen probe clients would only repeat the table. */
	llm_engine_free(t->engine);
	t->engine = NULL;
	for (size_t i = 0; i < run->nchecks; i++)
		free(run->checks[i].detail);
	for (size_t i = 0; i < run->nvariants; i++)
		if (run->variants[i].body_json != cfg->body_json && run->variants[i].body_json != run->base.body_json)
			free((char *)run->variants[i].body_json);
	free(run->reason_owned);
	free(run);
	return tool_finish(t, status, 0, 0);
}
