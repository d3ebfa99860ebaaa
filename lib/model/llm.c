#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sys/epoll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>

#include "buf.h"
#include "cache.h"
#include "jsontext.h"
#include "jvutil.h"
#include "interrupt.h"
#include "llm.h"
#include "msg.h"
#include "progress.h"
#include "reasoning.h"
#include "rng.h"
#include "sharedlimit.h"

#define DEFAULT_BASE_URL "https://api.openai.com/v1"
#define DEFAULT_CONCURRENCY 16
#define DEFAULT_RETRIES 6
#define DEFAULT_MAX_CONNECT_FAILURES 3
#define DEFAULT_TIMEOUT 600.0 /* as the OpenAI SDKs: a long generation is not cut */
#define DEFAULT_CONNECT_TIMEOUT 10.0
#define DEFAULT_TIMEOUT_RETRIES 2 /* as the SDKs: a timed-out request may have been paid */
#define DEFAULT_MAX_RETRY_WAIT 120.0
#define DEFAULT_IDLE_TIMEOUT 60.0
#define ANNOUNCED_WAIT 5.0 /* longer waits are said on stderr */
#define BACKOFF_BASE 0.5 /* seconds before the first retry, before jitter */
#define BACKOFF_CAP 30.0
#define MAX_RESPONSE_BYTES (64L * 1024 * 1024)
#define MAX_ERROR_TEXT 300
#define MIN_SECRET_LENGTH 6

/* ---------- configuration ---------- */

void llm_config_init(struct llm_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->temperature = LLM_UNSET;
	cfg->top_p = LLM_UNSET;
	cfg->max_tokens = -1;
	cfg->concurrency = -1;
	cfg->rpm = -1;
	cfg->tpm = -1;
	cfg->timeout = -1;
	cfg->retries = -1;
	cfg->max_connect_failures = -1;
	cfg->max_retry_wait = -1;
	cfg->idle_timeout = -1;
	cfg->price_in = -1;
	cfg->price_out = -1;
	cfg->budget = -1;
}

/* "default" (left out of the request) or a number in [0, max]. */
static int parse_sampling(const char *name, const char *arg, double max, double *out)
{
	if (strcmp(arg, "default") == 0) {
		*out = LLM_SERVER_DEFAULT;
		return 0;
	}
	if (cli_parse_double(arg, 0, max, out) == 0)
		return 0;
	errorf("%s '%s' must be a number from 0 to %g, or default (left out: the server's own)", name, arg, max);
	return -1;
}

static int set_temperature(const char *arg, void *target)
{
	return parse_sampling("temperature", arg, 2, target);
}

static int set_top_p(const char *arg, void *target)
{
	return parse_sampling("top-p", arg, 1, target);
}

static int add_header(const char *arg, void *target)
{
	struct llm_config *cfg = target;
	size_t name_len = strcspn(arg, ":");
	int bad_name = name_len == 0 || arg[name_len] != ':';
	for (size_t i = 0; i < name_len && !bad_name; i++)
		bad_name = !isgraph((unsigned char)arg[i]);
	if (bad_name || strpbrk(arg, "\r\n")) {
		errorf("header '%s' must be 'Name: value' (a name without spaces, one line)", arg);
		return -1;
	}
	if (cfg->nheaders == LLM_MAX_HEADERS) {
		errorf("more than %d headers for one role", LLM_MAX_HEADERS);
		return -1;
	}
	cfg->headers[cfg->nheaders++] = arg;
	return 0;
}

/* The body fields the toolkit owns: a --body-json that set them would change what
 * the records say was asked. */
static const char *const owned_fields[] = { "model", "messages", NULL };

static int set_body_json(const char *arg, void *target)
{
	char err[200];
	if (json_check(arg, strlen(arg), err, sizeof err) != 0) {
		errorf("body-json '%s' is not JSON: %s", arg, err);
		return -1;
	}
	jv doc = json_parse(arg, strlen(arg));
	int rc = 0;
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		errorf("body-json '%s' must be a JSON object (of fields added to every request body)", arg);
		rc = -1;
	}
	for (int i = 0; rc == 0 && owned_fields[i]; i++) {
		if (jvu_kind_borrow(doc, owned_fields[i]) != JV_KIND_INVALID) {
			errorf("body-json may not set \"%s\" (the toolkit sends it)", owned_fields[i]);
			rc = -1;
		}
	}
	jv_free(doc);
	if (rc == 0)
		*(const char **)target = arg;
	return rc;
}

static int set_price(const char *arg, void *target)
{
	struct llm_config *cfg = target;
	const char *comma = strchr(arg, ',');
	char in[64];
	if (comma && (size_t)(comma - arg) < sizeof in) {
		memcpy(in, arg, (size_t)(comma - arg));
		in[comma - arg] = '\0';
		if (cli_parse_double(in, 0, 1e9, &cfg->price_in) == 0 &&
		    cli_parse_double(comma + 1, 0, 1e9, &cfg->price_out) == 0)
			return 0;
	}
	errorf("price '%s' must be IN,OUT: USD per million prompt and completion tokens (e.g. 0.15,0.60)", arg);
	return -1;
}

#define MAX_ROLE_TABLES 4
#define MODEL_OPTIONS 32

const struct cli_option *llm_options(struct llm_config *cfg, const char *prefix)
{
	/* Static storage: option tables live as long as the program, with nothing to free. */
	static struct cli_option tables[MAX_ROLE_TABLES][MODEL_OPTIONS];
	static char names[MAX_ROLE_TABLES][MODEL_OPTIONS][64];
	static char helps[MAX_ROLE_TABLES][MODEL_OPTIONS][220];
	static int used;
	struct cli_option t[MODEL_OPTIONS] = {
		{ "provider", 0, CLI_STRING, &cfg->provider, "NAME",
		  "openai or offline (default: openai when a base URL or key is set)", 0, 0, NULL },
		{ "base-url", 0, CLI_STRING, &cfg->base_url, "URL",
		  "OpenAI-compatible API base, a query kept (env OPENAI_BASE_URL; default " DEFAULT_BASE_URL ")", 0, 0,
		  NULL },
		{ "model", 0, CLI_STRING, &cfg->model, "NAME", "model name", 0, 0, NULL },
		{ "api-key-env", 0, CLI_STRING, &cfg->api_key_env, "VAR",
		  "environment variable holding the API key (default OPENAI_API_KEY)", 0, 0, NULL },
		{ "auth", 0, CLI_STRING, &cfg->auth, "bearer|api-key|none",
		  "how the key is sent: Authorization: Bearer (default), api-key: (Azure), not at all", 0, 0, NULL },
		{ "header", 0, CLI_CALLBACK, cfg, "'NAME: VALUE'", "an extra request header (repeatable)", 0, 0,
		  add_header },
		{ "body-json", 0, CLI_CALLBACK, &cfg->body_json, "JSON",
		  "an object merged into every request body (not model or messages)", 0, 0, set_body_json },
		{ "cacert", 0, CLI_STRING, &cfg->cacert, "FILE",
		  "trust the CA certificates in FILE (proxies: the usual https_proxy etc.)", 0, 0, NULL },
		{ "temperature", 0, CLI_CALLBACK, &cfg->temperature, "T|default",
		  "sampling temperature (0 to 2); default: not sent", 0, 0, set_temperature },
		{ "top-p", 0, CLI_CALLBACK, &cfg->top_p, "P|default",
		  "nucleus sampling top_p (0 to 1); default: not sent", 0, 0, set_top_p },
		{ "max-tokens", 0, CLI_LONG, &cfg->max_tokens, "N", "maximum tokens per answer", 1, 1e9, NULL },
		{ "max-tokens-field", 0, CLI_STRING, &cfg->max_tokens_field, "FIELD",
		  "max_tokens (default) or max_completion_tokens (reasoning models)", 0, 0, NULL },
		{ "concurrency", 0, CLI_LONG, &cfg->concurrency, "N", "requests in flight at once (default 16)", 1,
		  100000, NULL },
		{ "rpm", 0, CLI_DOUBLE, &cfg->rpm, "N", "at most N requests per minute", 0, 1e9, NULL },
		{ "tpm", 0, CLI_DOUBLE, &cfg->tpm, "N", "at most N tokens per minute (estimated from request size)", 0,
		  1e12, NULL },
		{ "timeout", 0, CLI_DOUBLE, &cfg->timeout, "SEC",
		  "give up on one request after SEC seconds (default 600)", 0.001, 86400, NULL },
		{ "retries", 0, CLI_LONG, &cfg->retries, "N", "retries of a failed request (default 6; 2 for timeouts)",
		  0, 1000, NULL },
		{ "stream", 0, CLI_FLAG, &cfg->stream, NULL,
		  "stream answers (Server-Sent Events); no total time limit unless --timeout", 0, 0, NULL },
		{ "idle-timeout", 0, CLI_DOUBLE, &cfg->idle_timeout, "SEC",
		  "with --stream: retry when no byte came for SEC seconds (default 60)", 1, 86400, NULL },
		{ "max-retry-wait", 0, CLI_DOUBLE, &cfg->max_retry_wait, "SEC",
		  "fail as rate-limited when the server asks to wait longer (default 120)", 0, 86400 * 7, NULL },
		{ "max-connect-failures", 0, CLI_LONG, &cfg->max_connect_failures, "N",
		  "stop (exit 75) after N attempts in a row that reach no server (default 3, 0: never)", 0, 1e6, NULL },
		{ "cache", 0, CLI_STRING, &cfg->cache_dir, "DIR", "reuse and store responses in DIR (reruns are free)",
		  0, 0, NULL },
		{ "system-message", 0, CLI_STRING, &cfg->system_message, "system|first-user",
		  "system prompt as a system message (default) or atop the first user message", 0, 0, NULL },
		{ "reasoning-tags", 0, CLI_STRING, &cfg->reasoning_tags, "OPEN,CLOSE",
		  "reasoning blocks stripped from answers (default " REASONING_TAGS_DEFAULT ")", 0, 0, NULL },
		{ "price", 0, CLI_CALLBACK, cfg, "IN,OUT",
		  "USD per million prompt and completion tokens: the spend is reported", 0, 0, set_price },
		/* The run's, not a role's: the prefixed tables end before it. */
		{ "budget", 0, CLI_DOUBLE, &cfg->budget, "USD",
		  "start nothing new once the estimated spend reaches USD (needs --price); exit 75", 0, 1e9, NULL },
		{ "limits-dir", 0, CLI_STRING, &cfg->limits_dir, "DIR",
		  "share DIR/limits.json's rpm, tpm and budget with every process naming DIR "
		  "(env PERSONA_LIMITS_DIR)",
		  0, 0, NULL },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
	};
	if (used == MAX_ROLE_TABLES)
		fatalf(EXIT_USAGE, "internal error: too many model option tables");
	int k = used++;
	memcpy(tables[k], t, sizeof t);
	for (int i = 0; *prefix && t[i].name; i++) {
		if (strcmp(t[i].name, "budget") == 0) {
			memset(&tables[k][i], 0, sizeof tables[k][i]);
			break;
		}
		snprintf(names[k][i], sizeof names[k][i], "%s%s", prefix, t[i].name);
		snprintf(helps[k][i], sizeof helps[k][i], "%.*s: %s", (int)strlen(prefix) - 1, prefix, t[i].help);
		tables[k][i].name = names[k][i];
		tables[k][i].help = helps[k][i];
	}
	return tables[k];
}

void llm_config_resolve(struct llm_config *role, const struct llm_config *fallback)
{
	if (fallback) {
		if (!role->provider)
			role->provider = fallback->provider;
		if (!role->base_url)
			role->base_url = fallback->base_url;
		if (!role->model)
			role->model = fallback->model;
		if (!role->api_key_env)
			role->api_key_env = fallback->api_key_env;
		if (!role->auth)
			role->auth = fallback->auth;
		if (!role->cacert)
			role->cacert = fallback->cacert;
		if (!role->nheaders) {
			memcpy(role->headers, fallback->headers, sizeof role->headers);
			role->nheaders = fallback->nheaders;
		}
		if (!role->body_json)
			role->body_json = fallback->body_json;
		if (role->temperature == LLM_UNSET)
			role->temperature = fallback->temperature;
		if (role->top_p == LLM_UNSET)
			role->top_p = fallback->top_p;
		if (role->max_tokens < 0)
			role->max_tokens = fallback->max_tokens;
		if (!role->max_tokens_field)
			role->max_tokens_field = fallback->max_tokens_field;
		if (role->concurrency < 0)
			role->concurrency = fallback->concurrency;
		if (role->rpm < 0)
			role->rpm = fallback->rpm;
		if (role->tpm < 0)
			role->tpm = fallback->tpm;
		if (role->timeout < 0)
			role->timeout = fallback->timeout;
		if (role->retries < 0)
			role->retries = fallback->retries;
		if (role->max_retry_wait < 0)
			role->max_retry_wait = fallback->max_retry_wait;
		if (role->max_connect_failures < 0)
			role->max_connect_failures = fallback->max_connect_failures;
		if (!role->stream)
			role->stream = fallback->stream;
		if (role->idle_timeout < 0)
			role->idle_timeout = fallback->idle_timeout;
		if (role->price_in < 0) {
			role->price_in = fallback->price_in;
			role->price_out = fallback->price_out;
		}
		if (role->budget < 0)
			role->budget = fallback->budget;
		if (!role->cache_dir)
			role->cache_dir = fallback->cache_dir;
		if (!role->limits_dir)
			role->limits_dir = fallback->limits_dir;
		if (!role->system_message)
			role->system_message = fallback->system_message;
		if (!role->reasoning_tags)
			role->reasoning_tags = fallback->reasoning_tags;
	}
	if (!role->system_message)
		role->system_message = "system";
	if (!role->reasoning_tags)
		role->reasoning_tags = REASONING_TAGS_DEFAULT;
	if (!role->api_key_env)
		role->api_key_env = "OPENAI_API_KEY";
	if (!role->auth)
		role->auth = "bearer";
	if (!role->max_tokens_field)
		role->max_tokens_field = "max_tokens";
	if (!role->limits_dir) {
		const char *env = getenv("PERSONA_LIMITS_DIR");
		if (env && *env)
			role->limits_dir = env;
	}
	if (!role->base_url) {
		const char *env = getenv("OPENAI_BASE_URL");
		if (env && *env)
			role->base_url = env;
	}
	if (!role->provider) {
		const char *key = getenv(role->api_key_env);
		role->provider = role->base_url || (key && *key) ? "openai" : "offline";
	}
	if (!role->base_url)
		role->base_url = DEFAULT_BASE_URL;
	if (role->concurrency < 0)
		role->concurrency = DEFAULT_CONCURRENCY;
	/* Unset retries stay < 0 here: llm_client_new tells "not given" (timeouts are
	 * then re-sent at most DEFAULT_TIMEOUT_RETRIES times) from a given --retries. */
	if (role->max_connect_failures < 0)
		role->max_connect_failures = DEFAULT_MAX_CONNECT_FAILURES;
	if (role->max_retry_wait < 0)
		role->max_retry_wait = DEFAULT_MAX_RETRY_WAIT;
	if (role->rpm < 0)
		role->rpm = 0;
	if (role->tpm < 0)
		role->tpm = 0;
}

/* ---------- engine state ---------- */

struct bucket { /* a smooth token bucket: rate per second, small burst */
	double rate, capacity, level, last;
};

struct llm_client {
	struct llm_engine *engine;
	char *role;
	enum llm_provider provider;
	char *base_url;
	char *chat_url, *embed_url;
	char *model;
	char *secret; /* the API key, for the header and for scrubbing only */
	struct curl_slist *headers;
	CURL **idle_handles; /* easy handles of finished attempts, set up for this client */
	size_t nidle, idle_cap;
	char *cacert;
	double temperature; /* < 0: left out */
	double top_p; /* < 0: left out */
	long max_tokens;
	char *max_tokens_field;
	jv body_extra; /* --body-json's object, or jv_null() */
	long concurrency;
	double timeout; /* whole request, 0: no limit (streaming) */
	double idle_timeout; /* streaming: no byte for this long */
	int stream;
	long retries;
	long timeout_retries; /* at most this many re-sends after timeouts */
	double max_retry_wait;
	double price_in, price_out; /* USD per million tokens, < 0: unknown */
	double spent; /* USD paid this run (cache hits are free) */
	long max_connect_failures;
	long unreachable_in_row; /* attempts in a row that reached no server */
	struct bucket requests, tokens;
	struct sharedlimit *shared; /* --limits-dir: the key's bucket shared with other processes */
	struct cache *cache;
	enum system_placement placement;
	char *think_open, *think_close;
	long in_flight;
	struct llm_usage usage;
};

struct call {
	struct llm_client *client;
	int embeddings;
	char *body;
	size_t body_len;
	size_t seed_at; /* where the body's ,"seed":S} tail starts */
	size_t stream_at, stream_len; /* the body's "stream" fields, left out of the cache key */
	char key[33];
	uint64_t sample;
	int reasks; /* answers not accepted and asked again */
	int unaccepted; /* the last reply parsed but its answer is not accepted */
	int retryable; /* the last error is worth another attempt */
	uint64_t wasted_prompt, wasted_completion, wasted_reasoning; /* tokens of answers not accepted */
	enum offline_task task;
	jv persona, messages; /* kept for the offline provider only */
	llm_done_fn done;
	void *ctx;
	double due;
	double tokens_estimate;
	double shared_tokens; /* reserved in the shared bucket for the attempt in progress */
	CURL *easy;
	struct buf response;
	double retry_after; /* seconds from the last reply's headers, < 0 if none */
	double reset[2]; /* x-ratelimit-reset-requests / -tokens in seconds, < 0 if none */
	double remaining[2]; /* x-ratelimit-remaining-requests / -tokens, < 0 if none */
	double last_byte; /* when the attempt started or last received a byte */
	int idle; /* the attempt was given up for --idle-timeout */
	struct llm_result result;
	char *content;
	char *finish_reason;
	char *refusal;
	char *error_message;
	char error_kind[32];
	struct call *next;
	struct call *run_prev, *run_next; /* the engine's list of HTTP attempts in progress */
};

struct llm_engine {
	CURLM *multi;
	int epoll_fd; /* the sockets libcurl asked us to watch */
	size_t nsockets;
	double timer_due; /* when libcurl wants its timeout action, < 0: none */
	int streams; /* clients that stream: only their attempts can go idle */
	uint64_t seed;
	int send_seed;
	struct rng jitter;
	struct call *waiting, *waiting_tail; /* not started yet, or waiting to retry */
	struct call *finished, *finished_tail; /* results to deliver */
	struct call *running; /* HTTP attempts in progress */
	int cancelling; /* llm_engine_cancel: no call starts any more */
	size_t pending;
	struct llm_client **clients;
	size_t nclients;
	double budget; /* USD, < 0: none */
	double spent; /* USD, estimated from --price */
	int over_budget; /* the budget is spent: nothing new starts */
	struct sharedlimit *spent_shared; /* the shared budget that was spent, or NULL */
	double shared_spent; /* ... the shared total then */
	int stopped; /* ... and the program was told to stop */
};

static double now(void)
{
	return progress_now();
}

static void push(struct call **head, struct call **tail, struct call *c)
{
	c->next = NULL;
	if (*tail)
		(*tail)->next = c;
	else
		*head = c;
	*tail = c;
}

/* Queue a call that was already sent once (a retry or a re-ask) ahead of every call not
 * yet sent, behind the others sent before: a record under way finishes before a new one
 * takes its slot, so which record gets which answer does not depend on how far the
 * input was read when the reply came (--concurrency 1 is exactly sequential). */
static void push_again(struct call **head, struct call **tail, struct call *c)
{
	struct call *before = NULL;
	for (struct call *k = *head; k && k->result.attempts > 0; k = k->next)
		before = k;
	if (!before) {
		c->next = *head;
		*head = c;
		if (!*tail)
			*tail = c;
		return;
	}
	c->next = before->next;
	before->next = c;
	if (*tail == before)
		*tail = c;
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp);
static int on_timer(CURLM *multi, long timeout_ms, void *userp);

struct llm_engine *llm_engine_new(uint64_t seed, int send_seed)
{
	static int curl_ready;
	if (!curl_ready) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
			fatalf(EXIT_SOME_FAILED, "cannot initialise libcurl");
		curl_ready = 1;
	}
	struct llm_engine *e = xcalloc(1, sizeof *e);
	e->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (e->epoll_fd < 0)
		fatalf(EXIT_SOME_FAILED, "cannot create an epoll instance: %s", strerror(errno));
	e->multi = curl_multi_init();
	curl_multi_setopt(e->multi, CURLMOPT_PIPELINING, CURLPIPE_MULTIPLEX);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	e->timer_due = -1;
	e->budget = -1;
	e->jitter = rng_stream(seed, NULL, "llm:retry-jitter");
	e->seed = seed;
	e->send_seed = send_seed;
	return e;
}

/* base + path, with the base's query (Azure's ?api-version=) kept after the path. */
static char *join_url(const char *base, const char *path)
{
	size_t n = strcspn(base, "?");
	const char *query = base + n;
	while (n && base[n - 1] == '/')
		n--;
	struct buf b = BUF_INIT;
	buf_add(&b, base, n);
	buf_adds(&b, path);
	buf_adds(&b, query);
	return b.data;
}

/* burst: how many seconds' worth may go at once (requests: one at a time, evenly). */
static void bucket_init(struct bucket *b, double per_minute, double burst)
{
	b->rate = per_minute / 60.0;
	b->capacity = fmax(1.0, b->rate * burst);
	b->level = b->capacity;
	b->last = now();
}

static void client_free(struct llm_client *c)
{
	if (c->secret) {
		memset(c->secret, 0, strlen(c->secret));
		free(c->secret);
	}
	curl_slist_free_all(c->headers);
	for (size_t i = 0; i < c->nidle; i++)
		curl_easy_cleanup(c->idle_handles[i]);
	free(c->idle_handles);
	cache_close(c->cache);
	sharedlimit_close(c->shared);
	jv_free(c->body_extra);
	free(c->cacert);
	free(c->max_tokens_field);
	free(c->think_open);
	free(c->think_close);
	free(c->role);
	free(c->base_url);
	free(c->chat_url);
	free(c->embed_url);
	free(c->model);
	free(c);
}

/* The settings a client cannot use, said once; 0 when all is well. */
static int check_config(const struct llm_config *cfg, const char *role, enum llm_provider provider)
{
	if (provider == PROVIDER_OPENAI && !cfg->model) {
		errorf("%s: no model given: name one with --model (provider openai at %s)", role, cfg->base_url);
		return -1;
	}
	if (chat_placement_parse(cfg->system_message ? cfg->system_message : "system") < 0) {
		errorf("%s: unknown --system-message '%s' (expected system or first-user)", role, cfg->system_message);
		return -1;
	}
	if (strcmp(cfg->auth, "bearer") != 0 && strcmp(cfg->auth, "api-key") != 0 && strcmp(cfg->auth, "none") != 0) {
		errorf("%s: unknown --auth '%s' (expected bearer, api-key or none)", role, cfg->auth);
		return -1;
	}
	if (strcmp(cfg->max_tokens_field, "max_tokens") != 0 &&
	    strcmp(cfg->max_tokens_field, "max_completion_tokens") != 0) {
		errorf("%s: unknown --max-tokens-field '%s' (expected max_tokens or max_completion_tokens)", role,
		       cfg->max_tokens_field);
		return -1;
	}
	if (provider == PROVIDER_OPENAI && strncmp(cfg->base_url, "http://", 7) != 0 &&
	    strncmp(cfg->base_url, "https://", 8) != 0) {
		errorf("%s: base URL '%s' must start with http:// or https://", role, cfg->base_url);
		return -1;
	}
	if (cfg->budget >= 0 && cfg->price_in < 0 && provider == PROVIDER_OPENAI) {
		errorf("%s: --budget needs the model's --price IN,OUT to estimate the spend", role);
		return -1;
	}
	FILE *f = cfg->cacert ? fopen(cfg->cacert, "r") : NULL;
	if (cfg->cacert && !f) {
		errorf("%s: cannot open --cacert '%s': %s", role, cfg->cacert, strerror(errno));
		return -1;
	}
	if (f)
		fclose(f);
	return 0;
}

/* The request headers: ours, the user's, then the key in the form --auth names. */
static void build_headers(struct llm_client *c, const struct llm_config *cfg)
{
	c->headers = curl_slist_append(NULL, "Content-Type: application/json");
	c->headers = curl_slist_append(c->headers, "Expect:");
	for (size_t i = 0; i < cfg->nheaders; i++)
		c->headers = curl_slist_append(c->headers, cfg->headers[i]);
	const char *key = getenv(cfg->api_key_env);
	if (!key || !*key || c->provider != PROVIDER_OPENAI || strcmp(cfg->auth, "none") == 0)
		return;
	/* A process holding the key writes no core dump: the key sits in our memory
	 * and in libcurl's request buffers, out of reach of any scrubbing. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	c->secret = xstrdup(key);
	struct buf auth = BUF_INIT;
	if (strcmp(cfg->auth, "api-key") == 0)
		buf_addf(&auth, "api-key: %s", key);
	else
		buf_addf(&auth, "Authorization: Bearer %s", key);
	c->headers = curl_slist_append(c->headers, auth.data);
	/* Do not leave a second copy of the key lying around in freed memory. */
	memset(auth.data, 0, auth.len);
	buf_free(&auth);
}

/* --limits-dir: the bucket of this base URL and key in DIR. 0, or -1 after an error. */
static int open_shared(struct llm_client *c, const struct llm_config *cfg, const char *role)
{
	const char *key = strcmp(cfg->auth, "none") == 0 ? NULL : getenv(cfg->api_key_env);
	c->shared = sharedlimit_open(cfg->limits_dir, c->base_url, key);
	if (!c->shared)
		return -1;
	const struct shared_limits *l = sharedlimit_limits(c->shared);
	if (l->budget >= 0 && cfg->price_in < 0) {
		errorf("%s: the shared budget of '%s/limits.json' needs the model's --price IN,OUT to count the spend",
		       role, cfg->limits_dir);
		return -1;
	}
	return 0;
}

struct llm_client *llm_client_new(struct llm_engine *e, const struct llm_config *cfg, const char *role)
{
	enum llm_provider provider;
	if (strcmp(cfg->provider, "openai") == 0) {
		provider = PROVIDER_OPENAI;
	} else if (strcmp(cfg->provider, "offline") == 0) {
		provider = PROVIDER_OFFLINE;
	} else {
		errorf("unknown provider '%s' (expected openai or offline)", cfg->provider);
		return NULL;
	}
	if (check_config(cfg, role, provider) < 0)
		return NULL;
	char *think_open = NULL, *think_close = NULL;
	if (reasoning_tags_parse(cfg->reasoning_tags ? cfg->reasoning_tags : REASONING_TAGS_DEFAULT, &think_open,
				 &think_close) < 0) {
		errorf("%s: --reasoning-tags '%s' must be OPEN,CLOSE (two non-empty tags, one comma)", role,
		       cfg->reasoning_tags);
		return NULL;
	}
	struct llm_client *c = xcalloc(1, sizeof *c);
	c->placement =
		(enum system_placement)chat_placement_parse(cfg->system_message ? cfg->system_message : "system");
	c->think_open = think_open;
	c->think_close = think_close;
	c->engine = e;
	c->role = xstrdup(role);
	c->provider = provider;
	c->base_url = xstrdup(cfg->base_url);
	c->chat_url = join_url(cfg->base_url, "/chat/completions");
	c->embed_url = join_url(cfg->base_url, "/embeddings");
	c->model = xstrdup(cfg->model ? cfg->model : "offline");
	c->cacert = cfg->cacert ? xstrdup(cfg->cacert) : NULL;
	c->temperature = cfg->temperature;
	c->top_p = cfg->top_p;
	c->max_tokens = cfg->max_tokens;
	c->max_tokens_field = xstrdup(cfg->max_tokens_field);
	/* Checked when the option was parsed: an object without model or messages. */
	c->body_extra = cfg->body_json ? json_parse(cfg->body_json, strlen(cfg->body_json)) : jv_null();
	c->concurrency = cfg->concurrency;
	c->stream = cfg->stream;
	c->idle_timeout = cfg->idle_timeout >= 0 ? cfg->idle_timeout : DEFAULT_IDLE_TIMEOUT;
	/* A stream that keeps coming is not cut by a total limit unless one is asked for. */
	c->timeout = cfg->timeout >= 0 ? cfg->timeout : cfg->stream ? 0 : DEFAULT_TIMEOUT;
	c->retries = cfg->retries >= 0 ? cfg->retries : DEFAULT_RETRIES;
	c->timeout_retries = cfg->retries >= 0 ? cfg->retries : DEFAULT_TIMEOUT_RETRIES;
	c->max_retry_wait = cfg->max_retry_wait >= 0 ? cfg->max_retry_wait : DEFAULT_MAX_RETRY_WAIT;
	c->max_connect_failures = cfg->max_connect_failures;
	c->price_in = cfg->price_in;
	c->price_out = cfg->price_out;
	bucket_init(&c->requests, cfg->rpm, 0);
	bucket_init(&c->tokens, cfg->tpm, 1);
	if (cfg->limits_dir && provider == PROVIDER_OPENAI && open_shared(c, cfg, role) < 0) {
		client_free(c);
		return NULL;
	}
	if (cfg->cache_dir && provider == PROVIDER_OPENAI) {
		c->cache = cache_open(cfg->cache_dir);
		if (!c->cache) {
			client_free(c);
			return NULL;
		}
	}
	build_headers(c, cfg);
	e->streams += c->stream;
	e->clients = xrealloc(e->clients, (e->nclients + 1) * sizeof *e->clients);
	e->clients[e->nclients++] = c;
	if (cfg->budget >= 0 && (e->budget < 0 || cfg->budget < e->budget))
		e->budget = cfg->budget;
	if (provider == PROVIDER_OFFLINE)
		notef("%s: provider offline: the built-in stand-in, not a language model; "
		      "no finding about model behaviour may be drawn from its output",
		      role);
	else
		notef("%s: provider openai at %s, model %s%s", role, c->base_url, c->model,
		      c->secret || strcmp(cfg->auth, "none") == 0 ? "" : " (no API key set)");
	return c;
}

enum llm_provider llm_client_provider(const struct llm_client *c)
{
	return c->provider;
}

const char *llm_client_model(const struct llm_client *c)
{
	return c->model;
}

long llm_client_concurrency(const struct llm_client *c)
{
	return c->concurrency;
}

enum system_placement llm_client_placement(const struct llm_client *c)
{
	return c->placement;
}

const struct llm_usage *llm_client_usage(const struct llm_client *c)
{
	return &c->usage;
}

/* ---------- submitting ---------- */

static struct call *new_call(struct llm_client *c, llm_done_fn done, void *ctx)
{
	struct call *k = xcalloc(1, sizeof *k);
	k->client = c;
	k->done = done;
	k->ctx = ctx;
	k->persona = jv_null();
	k->messages = jv_null();
	k->retry_after = -1;
	k->due = now();
	c->engine->pending++;
	return k;
}

static void finish(struct call *k)
{
	struct llm_engine *e = k->client->engine;
	push(&e->finished, &e->finished_tail, k);
}

/* Parse a successful body. 0, or -1 with error_kind/message set. */
static int parse_success(struct call *k, const char *body, size_t len);
static void set_error(struct call *k, const char *kind, const char *message);

static void cancel(struct call *k);

/* Forget what parsing a reply left behind (an entry that did not parse, an answer not
 * accepted), keeping the count of attempts. */
static void forget_reply(struct call *k)
{
	free(k->content);
	k->content = NULL;
	free(k->finish_reason);
	k->finish_reason = NULL;
	free(k->refusal);
	k->refusal = NULL;
	free(k->error_message);
	k->error_message = NULL;
	k->error_kind[0] = '\0';
	k->unaccepted = 0;
	k->retryable = 0;
	jv_free(k->result.embeddings);
	int attempts = k->result.attempts, timeouts = k->result.timeouts;
	memset(&k->result, 0, sizeof k->result);
	k->result.attempts = attempts;
	k->result.timeouts = timeouts;
}

static void enqueue(struct call *k)
{
	struct llm_client *c = k->client;
	struct llm_engine *e = c->engine;
	if (e->cancelling) {
		cancel(k);
		return;
	}
	if (c->cache) {
		/* Streaming changes how the answer comes, not the answer: a streamed run
		 * replays a cache a non-streamed run filled, and back. */
		struct buf keyed = BUF_INIT;
		buf_add(&keyed, k->body, k->stream_at);
		buf_add(&keyed, k->body + k->stream_at + k->stream_len, k->body_len - k->stream_at - k->stream_len);
		cache_key(c->base_url, keyed.data, keyed.len, k->sample, k->key);
		buf_free(&keyed);
		struct buf hit = BUF_INIT;
		if (cache_get(c->cache, k->key, &hit)) {
			if (parse_success(k, hit.data, hit.len) == 0) {
				k->result.ok = 1;
				k->result.cached = 1;
				buf_free(&hit);
				finish(k);
				return;
			}
			/* A damaged entry (or one a former version accepted and this one does
			 * not): forget what the parse left behind and refetch. */
			cache_drop(c->cache, k->key);
			forget_reply(k);
		}
		buf_free(&hit);
	}
	push(&e->waiting, &e->waiting_tail, k);
}

static void set_body(struct call *k, jv body)
{
	struct buf text = BUF_INIT;
	jvu_dump(body, &text);
	jv_free(body);
	k->body = text.data;
	k->body_len = text.len;
}

static int extra_has(const struct llm_client *c, const char *key)
{
	return jv_get_kind(c->body_extra) == JV_KIND_OBJECT && jvu_kind_borrow(c->body_extra, key) != JV_KIND_INVALID;
}

/* --body-json's members as ,"key":value in key order (the body, and so the cache key,
 * does not depend on how the object was written). */
static void add_extra_fields(struct buf *b, jv extra)
{
	if (jv_get_kind(extra) != JV_KIND_OBJECT)
		return;
	jv keys = jv_keys(jv_copy(extra));
	int n = jv_array_length(jv_copy(keys));
	for (int i = 0; i < n; i++) {
		jv key = jv_array_get(jv_copy(keys), i);
		buf_addc(b, ',');
		json_add_string(b, jv_string_value(key));
		buf_addc(b, ':');
		jv value = jv_object_get(jv_copy(extra), key);
		jvu_dump(value, b);
		jv_free(value);
	}
	jv_free(keys);
}

/* {"model":M,"messages":...,"temperature":T,"top_p":P,"max_tokens":N,"stream":true,
 * "stream_options":{...},--body-json's fields...,"seed":S}: the parameters after the
 * messages, in this order, whichever way the messages come. A field --body-json sets
 * is sent as --body-json says, in its place. */
static void chat_body(struct call *k, const char *messages_json, size_t len)
{
	struct llm_client *c = k->client;
	struct buf b = BUF_INIT;
	buf_reserve(&b, len + 128);
	buf_adds(&b, "{\"model\":");
	json_add_string(&b, c->model);
	buf_adds(&b, ",\"messages\":");
	buf_add(&b, messages_json, len);
	if (c->temperature >= 0 && !extra_has(c, "temperature")) {
		buf_adds(&b, ",\"temperature\":");
		json_add_double(&b, c->temperature);
	}
	if (c->top_p >= 0 && !extra_has(c, "top_p")) {
		buf_adds(&b, ",\"top_p\":");
		json_add_double(&b, c->top_p);
	}
	if (c->max_tokens > 0 && !extra_has(c, c->max_tokens_field)) {
		buf_addf(&b, ",\"%s\":", c->max_tokens_field);
		json_add_double(&b, (double)c->max_tokens);
	}
	k->stream_at = b.len;
	if (c->stream && !extra_has(c, "stream"))
		buf_adds(&b, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}");
	k->stream_len = b.len - k->stream_at;
	add_extra_fields(&b, c->body_extra);
	k->seed_at = b.len;
	if (c->engine->send_seed && !extra_has(c, "seed")) {
		buf_adds(&b, ",\"seed\":");
		json_add_double(&b, (double)c->engine->seed);
	}
	buf_addc(&b, '}');
	k->body = b.data;
	k->body_len = b.len;
	k->tokens_estimate = (double)k->body_len / 4.0 + (c->max_tokens > 0 ? (double)c->max_tokens : 256.0);
}

static void chat_submit(struct llm_client *c, const char *messages_json, size_t len, const struct llm_hint *hint,
			uint64_t sample, llm_done_fn done, void *ctx, int check_shape)
{
	struct call *k = new_call(c, done, ctx);
	k->sample = sample;
	k->task = hint ? hint->task : OFFLINE_GENERIC;
	chat_body(k, messages_json, len);
	if (check_shape && chat_check_enabled()) {
		struct buf why = BUF_INIT;
		if (chat_check(messages_json, len, c->placement == SYSTEM_MESSAGE, &why) < 0) {
			errorf("%s: internal error: a request breaks the chat-template shape: %s", c->role, why.data);
			set_error(k, "request_shape", why.data);
			buf_free(&why);
			finish(k);
			return;
		}
		buf_free(&why);
	}
	if (c->provider == PROVIDER_OFFLINE) {
		/* Only the stand-in needs the messages as values. */
		k->messages = json_parse(messages_json, len);
		k->persona = hint ? jv_copy(hint->persona) : jv_null();
	}
	enqueue(k);
}

void llm_chat_text(struct llm_client *c, const char *messages_json, size_t len, const struct llm_hint *hint,
		   uint64_t sample, llm_done_fn done, void *ctx)
{
	chat_submit(c, messages_json, len, hint, sample, done, ctx, 1);
}

void llm_chat_as_given(struct llm_client *c, const char *messages_json, size_t len, llm_done_fn done, void *ctx)
{
	chat_submit(c, messages_json, len, NULL, 0, done, ctx, 0);
}

jv llm_user_prompt(const char *text)
{
	jv m = jv_object();
	m = jv_object_set(m, jv_string("role"), jv_string("user"));
	m = jv_object_set(m, jv_string("content"), jv_string(text));
	return JV_ARRAY(m);
}

void llm_chat(struct llm_client *c, jv messages, const struct llm_hint *hint, uint64_t sample, llm_done_fn done,
	      void *ctx)
{
	struct buf text = BUF_INIT;
	chat_write_messages(messages, c->placement, NULL, &text);
	jv_free(messages);
	llm_chat_text(c, text.data, text.len, hint, sample, done, ctx);
	buf_free(&text);
}

void llm_embed(struct llm_client *c, jv inputs, llm_done_fn done, void *ctx)
{
	struct call *k = new_call(c, done, ctx);
	k->embeddings = 1;
	jv body = jv_object();
	body = jv_object_set(body, jv_string("model"), jv_string(c->model));
	body = jv_object_set(body, jv_string("input"), inputs);
	body = jv_object_set(body, jv_string("encoding_format"), jv_string("float"));
	if (jv_get_kind(c->body_extra) == JV_KIND_OBJECT)
		body = jv_object_merge(body, jv_copy(c->body_extra));
	set_body(k, body);
	k->tokens_estimate = (double)k->body_len / 4.0;
	enqueue(k);
}

/* ---------- responses ---------- */

static char *scrubbed(const struct llm_client *c, const char *text)
{
	struct buf b = BUF_INIT;
	size_t n = strlen(text);
	/* Keys shorter than MIN_SECRET_LENGTH are not scrubbed: they would mangle every
	 * message (a one-letter test key matches everywhere) and protect nothing. */
	int scrub = c->secret && strlen(c->secret) >= MIN_SECRET_LENGTH;
	for (size_t i = 0; i < n && b.len < MAX_ERROR_TEXT;) {
		if (scrub && strncmp(text + i, c->secret, strlen(c->secret)) == 0) {
			buf_adds(&b, "[redacted]");
			i += strlen(c->secret);
			continue;
		}
		unsigned char ch = (unsigned char)text[i++];
		buf_addc(&b, ch < 0x20 ? ' ' : (char)ch);
	}
	return b.data ? b.data : xstrdup("");
}

static void set_error(struct call *k, const char *kind, const char *message)
{
	snprintf(k->error_kind, sizeof k->error_kind, "%s", kind);
	free(k->error_message);
	k->error_message = scrubbed(k->client, message);
}

static uint64_t number_or_zero(jv obj, const char *key)
{
	jv v = jvu_get_borrow(obj, key);
	uint64_t n = jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) > 0 ? (uint64_t)jv_number_value(v) : 0;
	jv_free(v);
	return n;
}

static int parse_embeddings(struct call *k, jv doc)
{
	jv data = jvu_get_borrow(doc, "data");
	if (jv_get_kind(data) != JV_KIND_ARRAY) {
		jv_free(data);
		set_error(k, "bad_response", "embeddings reply has no \"data\" array");
		return -1;
	}
	int n = jv_array_length(jv_copy(data));
	jv out = jv_array();
	for (int i = 0; i < n; i++)
		out = jv_array_set(out, i, jv_null());
	int bad = 0;
	for (int i = 0; i < n && !bad; i++) {
		jv item = jv_array_get(jv_copy(data), i);
		jv vec = jvu_get_borrow(item, "embedding");
		jv index = jvu_get_borrow(item, "index");
		int at = jv_get_kind(index) == JV_KIND_NUMBER ? (int)jv_number_value(index) : i;
		if (jv_get_kind(vec) != JV_KIND_ARRAY || at < 0 || at >= n)
			bad = 1;
		else
			out = jv_array_set(out, at, jv_copy(vec));
		jv_free(vec);
		jv_free(index);
		jv_free(item);
	}
	jv_free(data);
	if (bad) {
		jv_free(out);
		set_error(k, "bad_response", "embeddings reply has an entry without an \"embedding\" array");
		return -1;
	}
	k->result.embeddings = out;
	return 0;
}

/* The provider's message and kind from an error object (or a flat error body): kind
 * "quota" when the code says the quota is exhausted, else fallback_kind. */
static void error_from(struct call *k, jv doc, const char *fallback_kind, const char *no_message, int *quota)
{
	jv err = jvu_get_borrow(doc, "error");
	jv holder = jv_get_kind(err) == JV_KIND_OBJECT ? jv_copy(err) : jv_copy(doc);
	jv message = jv_get_kind(err) == JV_KIND_STRING ? jv_copy(err) : jvu_get_borrow(holder, "message");
	jv code = jvu_get_borrow(holder, "code");
	jv type = jvu_get_borrow(holder, "type");
	*quota = (jv_get_kind(code) == JV_KIND_STRING && strcmp(jv_string_value(code), "insufficient_quota") == 0) ||
		 (jv_get_kind(type) == JV_KIND_STRING && strcmp(jv_string_value(type), "insufficient_quota") == 0);
	const char *kind = *quota ? "quota" : fallback_kind;
	if (jv_get_kind(message) == JV_KIND_STRING) {
		set_error(k, kind, jv_string_value(message));
	} else {
		struct buf text = BUF_INIT;
		buf_adds(&text, no_message);
		if (k->response.len) {
			buf_adds(&text, ": ");
			buf_add(&text, k->response.data, k->response.len < 200 ? k->response.len : 200);
		}
		set_error(k, kind, text.data);
		buf_free(&text);
	}
	jv_free(message);
	jv_free(code);
	jv_free(type);
	jv_free(holder);
	jv_free(err);
}

/* An error object inside a 200 (OpenRouter reports upstream failures so): the
 * provider's message; worth another attempt unless its code is a permanent 4xx. */
static void error_in_success(struct call *k, jv doc)
{
	int quota = 0;
	error_from(k, doc, "provider_error", "an error without a message", &quota);
	jv err = jvu_get_borrow(doc, "error");
	jv code = jvu_get_borrow(err, "code");
	double status = jv_get_kind(code) == JV_KIND_NUMBER ? jv_number_value(code) : 0;
	k->retryable = !quota && !(status >= 400 && status < 500 && status != 408 && status != 409 && status != 429);
	k->result.rate_limited = status == 429 && !quota;
	jv_free(code);
	jv_free(err);
}

/* content as a string, or as an array of parts of which only "text" parts (and parts
 * with a text and no type) are the answer; "thinking" and other parts are not.
 * 0, or -1 when content is neither (null and absent give ""). */
static int content_text(jv content, struct buf *out)
{
	if (jv_get_kind(content) == JV_KIND_STRING) {
		buf_add(out, jv_string_value(content), (size_t)jv_string_length_bytes(jv_copy(content)));
		return 0;
	}
	if (jv_get_kind(content) == JV_KIND_NULL || jv_get_kind(content) == JV_KIND_INVALID)
		return 0;
	if (jv_get_kind(content) != JV_KIND_ARRAY)
		return -1;
	int n = jv_array_length(jv_copy(content));
	for (int i = 0; i < n; i++) {
		jv part = jv_array_get(jv_copy(content), i);
		jv type = jvu_get_borrow(part, "type"), text = jvu_get_borrow(part, "text");
		int is_text = jv_get_kind(type) == JV_KIND_INVALID ||
			      (jv_get_kind(type) == JV_KIND_STRING && strcmp(jv_string_value(type), "text") == 0);
		if (is_text && jv_get_kind(text) == JV_KIND_STRING)
			buf_add(out, jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)));
		jv_free(type);
		jv_free(text);
		jv_free(part);
	}
	return 0;
}

/* A copy of the string v, or NULL; consumes v. */
static char *string_or_null(jv v)
{
	char *s = jv_get_kind(v) == JV_KIND_STRING ? xstrdup(jv_string_value(v)) : NULL;
	jv_free(v);
	return s;
}

/* The answer of a chat reply, or why there is none. An answer that is empty once the
 * reasoning is gone sets unaccepted (asked again, never cached). */
static int parse_chat(struct call *k, jv doc)
{
	struct llm_client *c = k->client;
	jv choices = jvu_get_borrow(doc, "choices");
	int nchoices = jv_get_kind(choices) == JV_KIND_ARRAY ? jv_array_length(jv_copy(choices)) : -1;
	jv_kind error_kind = jvu_kind_borrow(doc, "error");
	if (nchoices <= 0 && error_kind != JV_KIND_INVALID && error_kind != JV_KIND_NULL) {
		jv_free(choices);
		error_in_success(k, doc);
		return -1;
	}
	if (nchoices <= 0) {
		struct buf text = BUF_INIT;
		buf_adds(&text, nchoices == 0 ? "the reply has no choices: " : "the reply has no \"choices\" array: ");
		buf_add(&text, k->response.data, k->response.len < 200 ? k->response.len : 200);
		set_error(k, "bad_response", text.data);
		buf_free(&text);
		jv_free(choices);
		k->retryable = 1;
		return -1;
	}
	jv first = jv_array_get(jv_copy(choices), 0);
	jv message = jvu_get_borrow(first, "message");
	jv content = jvu_get_borrow(message, "content");
	struct buf raw = BUF_INIT, answer = BUF_INIT;
	int rc = 0;
	k->finish_reason = string_or_null(jvu_get_borrow(first, "finish_reason"));
	if (jv_get_kind(message) != JV_KIND_OBJECT) {
		set_error(k, "bad_response", "the reply has no choices[0].message");
		k->retryable = 1;
		rc = -1;
	} else if (content_text(content, &raw) < 0) {
		set_error(k, "bad_response", "choices[0].message.content is neither a string nor an array of parts");
		k->retryable = 1;
		rc = -1;
	} else {
		k->refusal = string_or_null(jvu_get_borrow(message, "refusal"));
		reasoning_strip(raw.data ? raw.data : "", raw.len, c->think_open, c->think_close, &answer);
		k->content = answer.data ? answer.data : xstrdup("");
		int cut = k->finish_reason && strcmp(k->finish_reason, "length") == 0;
		if (answer.len == 0) {
			struct buf why = BUF_INIT;
			const char *kind = "empty";
			if (k->refusal && *k->refusal) {
				kind = "refusal";
				buf_adds(&why, k->refusal);
			} else if (cut) {
				kind = "truncated";
				buf_adds(&why,
					 "the token limit was reached before any answer (finish_reason \"length\")");
			} else {
				buf_addf(&why, "the answer is empty (finish_reason %s%s%s)",
					 k->finish_reason ? "\"" : "", k->finish_reason ? k->finish_reason : "none",
					 k->finish_reason ? "\"" : "");
			}
			set_error(k, kind, why.data);
			buf_free(&why);
			k->unaccepted = 1;
			rc = -1;
		}
		k->result.truncated = cut;
	}
	buf_free(&raw);
	jv_free(content);
	jv_free(message);
	jv_free(first);
	jv_free(choices);
	return rc;
}

static int parse_success(struct call *k, const char *body, size_t len)
{
	forget_reply(k);
	jv doc = json_parse(body, len);
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		jv_free(doc);
		set_error(k, "bad_response", "the reply is not a JSON object");
		k->retryable = 1;
		return -1;
	}
	jv usage = jvu_get_borrow(doc, "usage");
	jv details = jvu_get_borrow(usage, "completion_tokens_details");
	k->result.prompt_tokens = number_or_zero(usage, "prompt_tokens");
	k->result.completion_tokens = number_or_zero(usage, "completion_tokens");
	k->result.reasoning_tokens = number_or_zero(details, "reasoning_tokens");
	jv_free(details);
	jv_free(usage);
	int rc;
	if (k->embeddings) {
		rc = parse_embeddings(k, doc);
		k->retryable = 1;
	} else {
		rc = parse_chat(k, doc);
	}
	jv_free(doc);
	return rc;
}

/* ---------- streamed replies ---------- */

struct stream_parts {
	struct buf content, refusal;
	char *finish_reason;
	jv usage; /* the last usage object seen, or jv_null() */
	jv error; /* an event carrying "error", or jv_null() */
	int done; /* data: [DONE] was seen */
};

static void append_member(struct buf *out, jv obj, const char *key)
{
	jv v = jvu_get_borrow(obj, key);
	if (jv_get_kind(v) == JV_KIND_STRING)
		buf_add(out, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
	jv_free(v);
}

/* One event's data: a chunk adds its delta's text (reasoning members are never
 * read), finish_reason and usage. */
static void stream_event(struct stream_parts *sp, const char *data, size_t len)
{
	if (len == 6 && memcmp(data, "[DONE]", 6) == 0) {
		sp->done = 1;
		return;
	}
	jv doc = json_parse(data, len);
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		jv_free(doc);
		return;
	}
	jv_kind error = jvu_kind_borrow(doc, "error");
	if (error != JV_KIND_INVALID && error != JV_KIND_NULL && jv_get_kind(sp->error) == JV_KIND_NULL) {
		jv_free(sp->error);
		sp->error = jv_copy(doc);
	}
	jv usage = jvu_get_borrow(doc, "usage");
	if (jv_get_kind(usage) == JV_KIND_OBJECT) {
		jv_free(sp->usage);
		sp->usage = jv_copy(usage);
	}
	jv_free(usage);
	jv choices = jvu_get_borrow(doc, "choices");
	jv first = jv_get_kind(choices) == JV_KIND_ARRAY ? jv_array_get(jv_copy(choices), 0) : jv_invalid();
	if (jv_get_kind(first) == JV_KIND_OBJECT) {
		jv delta = jvu_get_borrow(first, "delta");
		append_member(&sp->content, delta, "content");
		append_member(&sp->refusal, delta, "refusal");
		jv finish = jvu_get_borrow(first, "finish_reason");
		if (jv_get_kind(finish) == JV_KIND_STRING) {
			free(sp->finish_reason);
			sp->finish_reason = xstrdup(jv_string_value(finish));
		}
		jv_free(finish);
		jv_free(delta);
	}
	jv_free(first);
	jv_free(choices);
	jv_free(doc);
}

/* A streamed reply (Server-Sent Events) becomes the reply a non-streamed request
 * gets: {"choices":[{"message":{"content","refusal"},"finish_reason"}],"usage"}, put
 * in place of the response, so parsing, the cache and the records are the same. A
 * stream that ended before data: [DONE] is cut: retried, never half-kept. A reply
 * that is not a stream (a server ignoring "stream") is left as it is. 0 or -1. */
static int assemble_stream(struct call *k)
{
	const char *p = k->response.data ? k->response.data : "";
	const char *end = p + k->response.len;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p < end && *p == '{')
		return 0;
	struct stream_parts sp = { BUF_INIT, BUF_INIT, NULL, jv_null(), jv_null(), 0 };
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *stop = eol ? eol : end;
		size_t len = (size_t)(stop - p);
		if (len && p[len - 1] == '\r')
			len--;
		if (len >= 5 && memcmp(p, "data:", 5) == 0) {
			size_t skip = len > 5 && p[5] == ' ' ? 6 : 5;
			stream_event(&sp, p + skip, len - skip);
		}
		p = eol ? eol + 1 : end;
	}
	int rc = 0;
	struct buf out = BUF_INIT;
	if (jv_get_kind(sp.error) == JV_KIND_OBJECT) {
		jvu_dump(sp.error, &out);
	} else if (!sp.done) {
		set_error(k, "cut_reply", "the stream ended before data: [DONE]");
		k->retryable = 1;
		rc = -1;
	} else {
		buf_adds(&out, "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":");
		json_add_string_n(&out, sp.content.data ? sp.content.data : "", sp.content.len);
		if (sp.refusal.len) {
			buf_adds(&out, ",\"refusal\":");
			json_add_string_n(&out, sp.refusal.data, sp.refusal.len);
		}
		buf_adds(&out, "},\"finish_reason\":");
		if (sp.finish_reason)
			json_add_string(&out, sp.finish_reason);
		else
			buf_adds(&out, "null");
		buf_addc(&out, '}');
		buf_addc(&out, ']');
		if (jv_get_kind(sp.usage) == JV_KIND_OBJECT) {
			buf_adds(&out, ",\"usage\":");
			jvu_dump(sp.usage, &out);
		}
		buf_addc(&out, '}');
	}
	if (rc == 0) {
		buf_free(&k->response);
		k->response = out;
	} else {
		buf_free(&out);
	}
	buf_free(&sp.content);
	buf_free(&sp.refusal);
	free(sp.finish_reason);
	jv_free(sp.usage);
	jv_free(sp.error);
	return rc;
}

/* The provider's own message from an HTTP error reply; *quota is set when the code
 * says the quota is exhausted. */
static void provider_error(struct call *k, long status, int *quota)
{
	char kind[32];
	snprintf(kind, sizeof kind, "http_%ld", status);
	char no_message[32];
	snprintf(no_message, sizeof no_message, "HTTP %ld", status);
	jv doc = json_parse(k->response.data, k->response.len);
	error_from(k, doc, kind, no_message, quota);
	jv_free(doc);
}

/* ---------- HTTP ---------- */

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
	struct call *k = userdata;
	size_t bytes = size * n;
	if (k->client->stream)
		k->last_byte = now();
	if (k->response.len + bytes > (size_t)MAX_RESPONSE_BYTES)
		return 0;
	buf_add(&k->response, data, bytes);
	return bytes;
}

/* Retry-After as delay-seconds or as an HTTP date (RFC 9110 10.2.3); < 0 if neither. */
static double retry_after_value(const char *value)
{
	value += strspn(value, " \t");
	if (isdigit((unsigned char)*value))
		return atof(value);
	time_t when = curl_getdate(value, NULL);
	if (when == -1)
		return -1;
	return fmax(0, difftime(when, time(NULL)));
}

static void forget_headers(struct call *k)
{
	k->retry_after = -1;
	for (int i = 0; i < 2; i++) {
		k->reset[i] = -1;
		k->remaining[i] = -1;
	}
}

/* The x-ratelimit-* headers OpenAI and others send: when each limit resets, and what
 * is left of it (read only to share a 429's wait, see rate_limit_pause). */
static void ratelimit_header(struct call *k, const char *line)
{
	static const char *const names[2][2] = {
		{ "x-ratelimit-reset-requests:", "x-ratelimit-reset-tokens:" },
		{ "x-ratelimit-remaining-requests:", "x-ratelimit-remaining-tokens:" },
	};
	for (int i = 0; i < 2; i++) {
		size_t n = strlen(names[0][i]);
		if (strncasecmp(line, names[0][i], n) == 0)
			k->reset[i] = sharedlimit_parse_duration(line + n);
		n = strlen(names[1][i]);
		if (strncasecmp(line, names[1][i], n) == 0) {
			const char *v = line + n + strspn(line + n, " \t");
			k->remaining[i] = isdigit((unsigned char)*v) ? atof(v) : -1;
		}
	}
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
	struct call *k = userdata;
	size_t bytes = size * n;
	char line[256];
	size_t len = bytes < sizeof line - 1 ? bytes : sizeof line - 1;
	memcpy(line, data, len);
	line[len] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strncasecmp(line, "HTTP/", 5) == 0)
		forget_headers(k); /* a new response (after a 100 or redirect) */
	else if (strncasecmp(line, "retry-after-ms:", 15) == 0)
		k->retry_after = fmax(k->retry_after, atof(line + 15) / 1000.0);
	else if (strncasecmp(line, "retry-after:", 12) == 0)
		k->retry_after = fmax(k->retry_after, retry_after_value(line + 12));
	else if (k->client->shared && strncasecmp(line, "x-ratelimit-", 12) == 0)
		ratelimit_header(k, line);
	return bytes;
}

/* The client's settings on a handle that has none (new, or reset). */
static void set_up_handle(struct llm_client *c, CURL *h)
{
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	if (c->timeout > 0)
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(c->timeout * 1000));
	curl_easy_setopt(
		h, CURLOPT_CONNECTTIMEOUT_MS,
		(long)(fmin(c->timeout > 0 ? c->timeout : DEFAULT_CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT) * 1000));
	if (c->cacert)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->cacert);
	/* Proxies: libcurl reads http_proxy, https_proxy, all_proxy and no_proxy itself. */
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "persona-toolkit/" PS_VERSION);
}

/* A handle for one of the client's attempts: one its finished attempts left (its
 * settings stay), else another client's, reset, else a new one. So the engine holds no
 * more handles than it ever had attempts in flight at once (each holds a 16 KB buffer),
 * and creating and freeing one per attempt, a tenth of the client's work per request
 * against a local server, is gone. */
static CURL *client_handle(struct llm_client *c)
{
	if (c->nidle)
		return c->idle_handles[--c->nidle];
	struct llm_engine *e = c->engine;
	CURL *h = NULL;
	for (size_t i = 0; i < e->nclients && !h; i++)
		if (e->clients[i]->nidle)
			h = e->clients[i]->idle_handles[--e->clients[i]->nidle];
	if (h)
		curl_easy_reset(h);
	else if (!(h = curl_easy_init()))
		fatalf(EXIT_SOME_FAILED, "cannot create a libcurl handle");
	set_up_handle(c, h);
	return h;
}

static void start_http(struct call *k)
{
	struct llm_client *c = k->client;
	CURL *h = client_handle(c);
	k->easy = h;
	buf_reset(&k->response);
	forget_headers(k);
	curl_easy_setopt(h, CURLOPT_URL, k->embeddings ? c->embed_url : c->chat_url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, k->body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)k->body_len);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, k);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, k);
	curl_easy_setopt(h, CURLOPT_PRIVATE, k);
	k->last_byte = now();
	k->idle = 0;
	k->result.attempts++;
	c->in_flight++;
	k->run_prev = NULL;
	k->run_next = c->engine->running;
	if (k->run_next)
		k->run_next->run_prev = k;
	c->engine->running = k;
	curl_multi_add_handle(c->engine->multi, h);
}

/* End an HTTP attempt (finished or abandoned): the handle waits for the client's next
 * attempt, the call stays. */
static void stop_http(struct call *k)
{
	struct llm_client *c = k->client;
	struct llm_engine *e = c->engine;
	curl_multi_remove_handle(e->multi, k->easy);
	if (c->nidle == c->idle_cap) {
		c->idle_cap = c->idle_cap ? c->idle_cap * 2 : 16;
		c->idle_handles = xrealloc(c->idle_handles, c->idle_cap * sizeof *c->idle_handles);
	}
	c->idle_handles[c->nidle++] = k->easy;
	k->easy = NULL;
	c->in_flight--;
	if (k->run_prev)
		k->run_prev->run_next = k->run_next;
	else
		e->running = k->run_next;
	if (k->run_next)
		k->run_next->run_prev = k->run_prev;
	k->run_prev = k->run_next = NULL;
}

static void run_offline(struct call *k)
{
	struct llm_client *c = k->client;
	if (k->embeddings) {
		set_error(k, "unsupported",
			  "the offline provider has no embeddings model; use the built-in hash model");
		finish(k);
		return;
	}
	/* The model name is part of the stand-in's seed, so "models" A and B differ. */
	uint64_t seed = c->engine->seed ^ rng_hash(c->model, strlen(c->model), 0x6f66666c696e65ULL);
	struct offline_request req = { k->task, k->persona, k->messages, seed, k->sample };
	char *text = offline_generate(&req);
	k->content = text;
	k->result.ok = 1;
	/* Estimates, so dry runs can price a job: about four bytes per token. */
	k->result.prompt_tokens = (k->body_len + 3) / 4;
	k->result.completion_tokens = (strlen(text) + 3) / 4;
	finish(k);
}

static void shared_budget_spent(struct llm_client *c, double total);

/* The shared bucket (--limits-dir), after this process's own: take the request and its
 * token estimate, or learn how long to wait, never waiting here. 1 when taken. */
static int take_shared(struct llm_client *c, struct call *k, double *wait)
{
	double w = 0;
	switch (sharedlimit_take(c->shared, sharedlimit_now(), k->tokens_estimate, &w)) {
	case SHARED_GO:
		k->shared_tokens = sharedlimit_limits(c->shared)->tpm > 0 ? k->tokens_estimate : 0;
		return 1;
	case SHARED_WAIT:
		*wait = fmin(*wait, w);
		return 0;
	case SHARED_SPENT:
		shared_budget_spent(c, sharedlimit_spent(c->shared));
		return 0;
	}
	return 0;
}

/* The shared reservation of an attempt that is over: corrected by the reply's usage
 * when it has one (an attempt without usage keeps its estimate: it may have been
 * counted). */
static void settle_shared_tokens(struct call *k)
{
	struct llm_client *c = k->client;
	uint64_t used = k->result.prompt_tokens + k->result.completion_tokens;
	if (c->shared && k->shared_tokens > 0 && used > 0)
		sharedlimit_adjust(c->shared, sharedlimit_now(), (double)used - k->shared_tokens);
	k->shared_tokens = 0;
}

/* A 429 pauses every process sharing the key: for the Retry-After the server gave, or
 * else until the x-ratelimit reset of the limit it says is at 0 (of both when it says
 * neither), at most --max-retry-wait. */
static void rate_limit_pause(struct call *k)
{
	struct llm_client *c = k->client;
	double pause = k->retry_after;
	if (pause < 0) {
		int exhausted = k->remaining[0] == 0 || k->remaining[1] == 0;
		for (int i = 0; i < 2; i++)
			if (!exhausted || k->remaining[i] == 0)
				pause = fmax(pause, k->reset[i]);
	}
	if (pause > 0)
		sharedlimit_pause(c->shared, sharedlimit_now(), fmin(pause, c->max_retry_wait));
}

static int can_start(struct llm_client *c, struct call *k, double t, double *wait)
{
	if (c->in_flight >= c->concurrency)
		return 0;
	struct bucket *buckets[2] = { &c->requests, &c->tokens };
	double need[2] = { 1.0, k->tokens_estimate };
	for (int i = 0; i < 2; i++) {
		struct bucket *b = buckets[i];
		if (b->rate <= 0)
			continue;
		b->level = fmin(fmax(b->capacity, need[i]), b->level + (t - b->last) * b->rate);
		b->last = t;
		/* A request bigger than the burst waits for a full bucket, then goes. */
		double want = fmin(need[i], fmax(b->capacity, need[i]));
		if (b->level < want) {
			*wait = fmin(*wait, (want - b->level) / b->rate);
			return 0;
		}
	}
	if (c->shared && !take_shared(c, k, wait))
		return 0;
	for (int i = 0; i < 2; i++)
		if (buckets[i]->rate > 0)
			buckets[i]->level -= need[i];
	return 1;
}

static double backoff(struct llm_engine *e, int attempt)
{
	double cap = fmin(BACKOFF_CAP, BACKOFF_BASE * pow(2.0, attempt - 1));
	return rng_uniform(&e->jitter) * cap;
}

/* An endpoint that nobody answers (wrong port, host down, no DNS) is not worth a
 * retry per record: after max_connect_failures attempts in a row that reached no
 * server, the whole program stops like an interrupt, says so once, and exits 75. */
static void note_reachability(struct llm_client *c, CURLcode code)
{
	int unreachable = code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
			  code == CURLE_COULDNT_RESOLVE_PROXY;
	if (!unreachable) {
		c->unreachable_in_row = 0;
		return;
	}
	if (++c->unreachable_in_row != c->max_connect_failures || c->max_connect_failures == 0)
		return;
	errorf("cannot reach '%s': %s (%ld attempts in a row, no reply); stopping: rerun later (exit 75)", c->base_url,
	       curl_easy_strerror(code), c->unreachable_in_row);
	interrupt_stop(EXIT_TEMPFAIL);
}

/* An answer that was not accepted is asked again at once, as a new sample: with --seed
 * the request carries the next seed, so a seeded server does not repeat itself. */
static void ask_again(struct call *k)
{
	struct llm_client *c = k->client;
	k->reasks++;
	if (c->engine->send_seed && !extra_has(c, "seed")) {
		struct buf b = BUF_INIT;
		buf_add(&b, k->body, k->seed_at);
		buf_adds(&b, ",\"seed\":");
		json_add_double(&b, (double)(c->engine->seed + (uint64_t)k->reasks));
		buf_addc(&b, '}');
		free(k->body);
		k->body = b.data;
		k->body_len = b.len;
	}
	forget_reply(k);
	k->due = now();
	push_again(&c->engine->waiting, &c->engine->waiting_tail, k);
}

/* Decide what a finished HTTP attempt means: done, retry, or failed for good. */
static void settle(struct call *k, CURLcode code)
{
	struct llm_client *c = k->client;
	struct llm_engine *e = c->engine;
	long status = 0;
	curl_easy_getinfo(k->easy, CURLINFO_RESPONSE_CODE, &status);
	stop_http(k);

	int retryable = 0;
	k->result.rate_limited = 0;
	note_reachability(c, code);
	if (code != CURLE_OK) {
		const char *kind = "connection";
		if (code == CURLE_OPERATION_TIMEDOUT) {
			kind = "timeout";
			k->result.timeouts++;
		} else if (code == CURLE_GOT_NOTHING) {
			kind = "empty_reply";
		} else if (code == CURLE_PARTIAL_FILE) {
			kind = "cut_reply";
		}
		retryable = code == CURLE_OPERATION_TIMEDOUT || code == CURLE_GOT_NOTHING ||
			    code == CURLE_PARTIAL_FILE || code == CURLE_COULDNT_CONNECT || code == CURLE_RECV_ERROR ||
			    code == CURLE_SEND_ERROR || code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_HTTP2 ||
			    code == CURLE_HTTP2_STREAM;
		if (code == CURLE_WRITE_ERROR)
			kind = "bad_response";
		char idle[96];
		snprintf(idle, sizeof idle, "no byte for %g s (--idle-timeout)", c->idle_timeout);
		set_error(k, kind, k->idle ? idle : curl_easy_strerror(code));
	} else if (status >= 200 && status < 300) {
		int assembled = c->stream && !k->embeddings ? assemble_stream(k) : 0;
		int parsed = assembled == 0 && parse_success(k, k->response.data, k->response.len) == 0;
		settle_shared_tokens(k);
		if (parsed) {
			k->result.ok = 1;
			if (c->cache)
				cache_put(c->cache, k->key, k->response.data, k->response.len);
			finish(k);
			return;
		}
		if (k->unaccepted) {
			k->wasted_prompt += k->result.prompt_tokens;
			k->wasted_completion += k->result.completion_tokens;
			k->wasted_reasoning += k->result.reasoning_tokens;
			if (k->result.attempts <= c->retries) {
				ask_again(k);
				return;
			}
			finish(k);
			return;
		}
		retryable = k->retryable;
	} else {
		int quota = 0;
		provider_error(k, status, &quota);
		retryable = !quota && (status == 408 || status == 409 || status == 429 || status >= 500);
		k->result.rate_limited = status == 429 && !quota;
		if (k->result.rate_limited && c->shared)
			rate_limit_pause(k);
	}
	k->shared_tokens = 0;
	/* A timed-out request may have been generated (and paid) in full: re-sent fewer
	 * times than other failures unless --retries was given. */
	if (code == CURLE_OPERATION_TIMEDOUT && k->result.timeouts > c->timeout_retries)
		retryable = 0;
	if (retryable && k->result.attempts <= c->retries) {
		if (k->retry_after > c->max_retry_wait) {
			struct buf why = BUF_INIT;
			buf_addf(&why, "%s (the server asks to wait %.0f s, more than --max-retry-wait %.0f s)",
				 k->error_message ? k->error_message : "rate limited", k->retry_after,
				 c->max_retry_wait);
			char kind[sizeof k->error_kind];
			snprintf(kind, sizeof kind, "%s", k->error_kind[0] ? k->error_kind : "rate_limited");
			set_error(k, kind, why.data);
			buf_free(&why);
			k->result.rate_limited = 1;
			finish(k);
			return;
		}
		double delay = k->retry_after >= 0 ? k->retry_after : backoff(e, k->result.attempts);
		if (delay > ANNOUNCED_WAIT)
			notef("%s: waiting %.0f s before retrying (%s%s)", c->role, delay,
			      k->error_kind[0] ? k->error_kind : "error",
			      k->retry_after >= 0 ? ", as the server asks" : "");
		k->due = now() + delay;
		push_again(&e->waiting, &e->waiting_tail, k);
		return;
	}
	finish(k);
}

/* Every client that sends requests has all its slots in use: no waiting call can start. */
static int saturated(const struct llm_engine *e)
{
	for (size_t i = 0; i < e->nclients; i++)
		if (e->clients[i]->provider == PROVIDER_OFFLINE ||
		    e->clients[i]->in_flight < e->clients[i]->concurrency)
			return 0;
	return 1;
}

/* Start the waiting calls that may start, in the order they were queued; *wait becomes
 * the time until the next one may. A prompt start (llm_engine_kick) stops looking once
 * every slot is taken, leaving *wait to the step's full pass. */
static void start_due(struct llm_engine *e, double *wait, int prompt)
{
	double t = now();
	struct call *keep = NULL, *keep_tail = NULL;
	struct call *k = e->waiting, *last = e->waiting_tail;
	e->waiting = e->waiting_tail = NULL;
	while (k) {
		struct call *next = k->next;
		if (prompt && saturated(e)) { /* the rest stays as it is */
			keep_tail ? (keep_tail->next = k) : (keep = k);
			keep_tail = last;
			break;
		}
		if (k->due > t) {
			*wait = fmin(*wait, k->due - t);
			push(&keep, &keep_tail, k);
		} else if (k->client->provider == PROVIDER_OFFLINE) {
			run_offline(k);
		} else if (e->over_budget) {
			push(&keep, &keep_tail, k);
		} else if (can_start(k->client, k, t, wait)) {
			start_http(k);
		} else {
			push(&keep, &keep_tail, k);
		}
		k = next;
	}
	/* Calls queued by the loop above (none today) would be lost without this merge. */
	if (e->waiting) {
		keep_tail ? (keep_tail->next = e->waiting) : (keep = e->waiting);
		keep_tail = e->waiting_tail;
	}
	e->waiting = keep;
	e->waiting_tail = keep_tail;
}

static double cost_of(const struct llm_client *c, uint64_t prompt_tokens, uint64_t completion_tokens)
{
	if (c->price_in < 0 || c->provider == PROVIDER_OFFLINE)
		return 0;
	return ((double)prompt_tokens * c->price_in + (double)completion_tokens * c->price_out) / 1e6;
}

static long in_flight_of(const struct llm_engine *e)
{
	long in_flight = 0;
	for (size_t i = 0; i < e->nclients; i++)
		in_flight += e->clients[i]->in_flight;
	return in_flight;
}

/* --budget: once the estimated spend reaches it no call starts any more (start_due);
 * the calls in flight finish and their records are written; then the program stops
 * like an interrupt with exit 75, and a --resume run does the rest. */
static void note_budget(struct llm_engine *e)
{
	if (e->budget < 0 || e->spent < e->budget || e->over_budget)
		return;
	e->over_budget = 1;
	long in_flight = in_flight_of(e);
	errorf("budget of %.4f USD reached: %.4f USD spent (estimated); starting nothing new, "
	       "finishing %ld request%s in flight",
	       e->budget, e->spent, in_flight, in_flight == 1 ? "" : "s");
}

/* The shared budget (DIR/limits.json) is spent, by this process or another: as
 * --budget, nothing new starts here either. */
static void shared_budget_spent(struct llm_client *c, double total)
{
	struct llm_engine *e = c->engine;
	if (e->over_budget)
		return;
	e->over_budget = 1;
	e->spent_shared = c->shared;
	e->shared_spent = total;
	long in_flight = in_flight_of(e);
	errorf("shared budget of %.4f USD reached ('%s'): %.4f USD spent by every process sharing it "
	       "(estimated); starting nothing new, finishing %ld request%s in flight",
	       sharedlimit_limits(c->shared)->budget, sharedlimit_dir(c->shared), total, in_flight,
	       in_flight == 1 ? "" : "s");
}

static void note_shared_spend(struct llm_client *c, double total)
{
	double budget = sharedlimit_limits(c->shared)->budget;
	if (budget >= 0 && total >= budget)
		shared_budget_spent(c, total);
}

static void stop_when_spent(struct llm_engine *e)
{
	if (!e->over_budget || e->running || e->stopped || e->cancelling)
		return;
	e->stopped = 1;
	if (e->spent_shared)
		errorf("stopping at the shared budget: %.4f USD spent by every process sharing '%s' (estimated), "
		       "%.4f USD by this one; raise the budget in its limits.json and rerun with --resume to continue "
		       "(exit 75)",
		       e->shared_spent, sharedlimit_dir(e->spent_shared), e->spent);
	else
		errorf("stopping at the budget: %.4f USD spent (estimated); rerun with --resume to continue (exit 75)",
		       e->spent);
	interrupt_stop(EXIT_TEMPFAIL);
}

static void deliver(struct llm_engine *e)
{
	struct call *k = e->finished;
	e->finished = e->finished_tail = NULL;
	while (k) {
		struct call *next = k->next;
		struct llm_client *c = k->client;
		k->result.content = k->content ? k->content : "";
		k->result.finish_reason = k->finish_reason;
		k->result.refusal = k->refusal;
		if (!k->result.ok) {
			k->result.error_kind = k->error_kind[0] ? k->error_kind : "error";
			k->result.error_message = k->error_message ? k->error_message : "unknown error";
			/* A call that failed paid for the answers it could not accept. */
			k->result.prompt_tokens = k->wasted_prompt;
			k->result.completion_tokens = k->wasted_completion;
			k->result.reasoning_tokens = k->wasted_reasoning;
			k->result.truncated = 0;
		}
		if (!k->result.embeddings.u.ptr && jv_get_kind(k->result.embeddings) == JV_KIND_INVALID)
			k->result.embeddings = jv_null();
		if (c->price_in >= 0) {
			k->result.priced = 1;
			k->result.cost_usd = cost_of(c, k->result.prompt_tokens, k->result.completion_tokens);
		}
		llm_usage_add(&c->usage, &k->result);
		if (k->result.ok) {
			/* The record counts the accepted answer (the same from the cache); the
			 * run's summary counts every answer paid for. */
			c->usage.prompt_tokens += k->wasted_prompt;
			c->usage.completion_tokens += k->wasted_completion;
			c->usage.reasoning_tokens += k->wasted_reasoning;
		}
		if (c->price_in >= 0 && !k->result.cached) {
			uint64_t in = k->result.prompt_tokens, out = k->result.completion_tokens;
			if (k->result.ok) {
				in += k->wasted_prompt;
				out += k->wasted_completion;
			}
			double paid = c->provider == PROVIDER_OFFLINE ? 0 : cost_of(c, in, out);
			c->spent += paid;
			e->spent += paid;
			if (c->shared && paid > 0)
				note_shared_spend(c, sharedlimit_spend(c->shared, paid));
		}
		note_budget(e);
		e->pending--;
		k->done(k->ctx, &k->result);
		jv_free(k->result.embeddings);
		jv_free(k->persona);
		jv_free(k->messages);
		buf_free(&k->response);
		free(k->body);
		free(k->content);
		free(k->finish_reason);
		free(k->refusal);
		free(k->error_message);
		free(k);
		k = next;
	}
}

/* libcurl tells us which sockets to watch and when its next timeout is due
 * (curl_multi_socket_action), and epoll tells us which of them are ready: each step
 * touches only the transfers that have something to do, never every socket or
 * transfer in flight as poll() or curl_multi_perform would — what keeps a thousand
 * conversations in flight close to the latency bound. A socket epoll knows is
 * marked with curl_multi_assign, so nothing is looked up. */
static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	(void)easy;
	struct llm_engine *e = userp;
	if (what == CURL_POLL_REMOVE) {
		if (socketp) {
			/* libcurl may have closed it already, which took it out of epoll. */
			epoll_ctl(e->epoll_fd, EPOLL_CTL_DEL, fd, NULL);
			curl_multi_assign(e->multi, fd, NULL);
			e->nsockets--;
		}
		return 0;
	}
	struct epoll_event ev = {
		.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0) | ((what & CURL_POLL_OUT) ? EPOLLOUT : 0), .data.fd = fd
	};
	if (!socketp) {
		if (epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0 &&
		    (errno != EEXIST || epoll_ctl(e->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0))
			return -1;
		curl_multi_assign(e->multi, fd, e);
		e->nsockets++;
	} else if (epoll_ctl(e->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0 &&
		   (errno != ENOENT || epoll_ctl(e->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)) {
		return -1;
	}
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	struct llm_engine *e = userp;
	e->timer_due = timeout_ms < 0 ? -1 : now() + (double)timeout_ms / 1000.0;
	return 0;
}

/* libcurl's timeout action, when it is due (new transfers start there). */
static void run_timer(struct llm_engine *e)
{
	int running = 0;
	if (e->timer_due >= 0 && now() >= e->timer_due) {
		e->timer_due = -1;
		curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	}
}

/* The transfers libcurl finished: what each attempt means (settle). */
static void settle_finished(struct llm_engine *e)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(e->multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct call *k = NULL;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&k);
		settle(k, m->data.result);
	}
}

/* A reply is answered before the next socket is read: its call settles and its
 * callback runs. 1 when calls are then waiting (the callback's follow-up, or one the
 * freed slot lets start): the step ends there and the next one sends them first, so
 * the last of a burst of replies waits for its own turn only, not for every other
 * reply of the burst to be parsed, delivered and followed up. Ending the step keeps
 * the order calls start in what it is between two steps: the tool opens the records
 * the finished ones made room for, then everything queued starts, oldest first. */
static int answer_replies(struct llm_engine *e)
{
	settle_finished(e);
	if (!e->finished)
		return 0;
	deliver(e);
	return e->waiting != NULL;
}

#define MAX_EVENTS 64

/* Let libcurl act on the sockets epoll finds ready within ms; with answer, each reply
 * is answered before the next socket is read (answer_replies), and the pass ends when
 * that leaves calls waiting (the sockets not read stay ready); without, finished
 * transfers wait for the step to settle them. */
static void act_on_sockets(struct llm_engine *e, int ms, int answer)
{
	struct epoll_event events[MAX_EVENTS];
	int ready = epoll_wait(e->epoll_fd, events, MAX_EVENTS, ms);
	int running = 0;
	for (int i = 0; i < ready; i++) {
		uint32_t got = events[i].events;
		int ev = ((got & EPOLLIN) ? CURL_CSELECT_IN : 0) | ((got & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
			 ((got & (EPOLLERR | EPOLLHUP)) ? CURL_CSELECT_ERR : 0);
		curl_multi_socket_action(e->multi, events[i].data.fd, ev, &running);
		if (answer && answer_replies(e))
			break;
	}
	run_timer(e);
}

static void drive_sockets(struct llm_engine *e, double wait)
{
	if (e->timer_due >= 0)
		wait = fmin(wait, fmax(0, e->timer_due - now()));
	int ms = (int)(wait * 1000 + 0.999);
	act_on_sockets(e, e->nsockets || e->pending ? ms : 0, 1);
}

/* Streaming attempts silent for --idle-timeout seconds are given up as timeouts
 * (libcurl's own low-speed check averages over seconds, so a trickle hides a stall). */
static void stop_idle(struct llm_engine *e, double *wait)
{
	if (!e->streams)
		return;
	double t = now();
	struct call *k = e->running;
	while (k) {
		struct call *next = k->run_next;
		struct llm_client *c = k->client;
		if (c->stream) {
			double left = k->last_byte + c->idle_timeout - t;
			if (left <= 0) {
				k->idle = 1;
				settle(k, CURLE_OPERATION_TIMEDOUT);
			} else if (wait) {
				*wait = fmin(*wait, left);
			}
		}
		k = next;
	}
}

size_t llm_engine_step(struct llm_engine *e, int max_wait_ms)
{
	double wait = max_wait_ms / 1000.0;
	/* What libcurl finished outside a step (llm_engine_kick) is settled and delivered
	 * before anything starts: its spend must count against --budget and the shared
	 * budget before the slot it frees is used again. */
	settle_finished(e);
	deliver(e);
	start_due(e, &wait, 0);
	run_timer(e); /* what started goes out before any socket is read */
	if (e->finished)
		wait = 0;
	stop_idle(e, &wait);
	drive_sockets(e, wait);
	settle_finished(e);
	stop_idle(e, NULL);
	deliver(e);
	stop_when_spent(e);
	return e->pending;
}

void llm_engine_kick(struct llm_engine *e)
{
	if (e->cancelling)
		return;
	if (e->waiting) {
		double ignored = 0;
		start_due(e, &ignored, 1);
		run_timer(e); /* libcurl starts them: connects, or sends on a kept connection */
	}
	if (e->nsockets)
		act_on_sockets(e, 0, 0); /* and finishes connecting and sends */
}

/* A call given up: its callback still runs (so its owner can free what it holds), with
 * a failure that says so. */
static void cancel(struct call *k)
{
	set_error(k, "cancelled", "interrupted before the answer came");
	k->result.ok = 0;
	k->result.cancelled = 1;
	k->result.rate_limited = 0;
	finish(k);
}

void llm_engine_cancel(struct llm_engine *e)
{
	e->cancelling = 1;
	/* Callbacks may submit more calls; those are cancelled as they are queued. */
	while (e->pending) {
		while (e->running) {
			struct call *k = e->running;
			stop_http(k);
			cancel(k);
		}
		struct call *k = e->waiting;
		e->waiting = e->waiting_tail = NULL;
		while (k) {
			struct call *next = k->next;
			cancel(k);
			k = next;
		}
		deliver(e);
	}
}

size_t llm_engine_pending(const struct llm_engine *e)
{
	return e->pending;
}

void llm_engine_free(struct llm_engine *e)
{
	if (!e)
		return;
	llm_engine_cancel(e);
	for (size_t i = 0; i < e->nclients; i++) {
		client_free(e->clients[i]);
	}
	free(e->clients);
	curl_multi_cleanup(e->multi);
	close(e->epoll_fd);
	free(e);
}

/* ---------- usage ---------- */

void llm_usage_add(struct llm_usage *u, const struct llm_result *r)
{
	u->requests++;
	u->retries += r->attempts > 1 ? (uint64_t)(r->attempts - 1) : 0;
	u->cache_hits += r->cached ? 1 : 0;
	u->failures += r->ok ? 0 : 1;
	u->timeouts += (uint64_t)r->timeouts;
	u->cost_usd += r->cost_usd;
	u->priced |= r->priced;
	u->truncated += r->ok && r->truncated ? 1 : 0;
	u->prompt_tokens += r->prompt_tokens;
	u->completion_tokens += r->completion_tokens;
	u->reasoning_tokens += r->reasoning_tokens;
}

jv llm_usage_json(const struct llm_usage *u)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("requests"), jv_number((double)u->requests));
	o = jv_object_set(o, jv_string("prompt_tokens"), jv_number((double)u->prompt_tokens));
	o = jv_object_set(o, jv_string("completion_tokens"), jv_number((double)u->completion_tokens));
	o = jv_object_set(o, jv_string("reasoning_tokens"), jv_number((double)u->reasoning_tokens));
	if (u->priced)
		o = jv_object_set(o, jv_string("cost_usd"), jv_number(round(u->cost_usd * 1e9) / 1e9));
	return o;
}

void llm_tally_add(struct llm_tally *t, const struct llm_result *r)
{
	llm_usage_add(&t->usage, r);
	t->attempts += r->attempts;
}

void llm_engine_report(const struct llm_engine *e)
{
	for (size_t i = 0; i < e->nclients; i++)
		llm_usage_report(e->clients[i]);
}

void llm_engine_describe(const struct llm_engine *e, char *buf, size_t n)
{
	long in_flight = 0;
	unsigned long long retries = 0, failures = 0;
	for (size_t i = 0; i < e->nclients; i++) {
		in_flight += e->clients[i]->in_flight;
		retries += e->clients[i]->usage.retries;
		failures += e->clients[i]->usage.failures;
	}
	snprintf(buf, n, "%ld in flight, %llu retries, %llu failed", in_flight, retries, failures);
}

void llm_usage_report(const struct llm_client *c)
{
	const struct llm_usage *u = &c->usage;
	struct buf extra = BUF_INIT;
	if (u->reasoning_tokens)
		buf_addf(&extra, " (%llu reasoning)", (unsigned long long)u->reasoning_tokens);
	if (c->provider == PROVIDER_OFFLINE)
		buf_adds(&extra, " (estimated)");
	if (u->truncated)
		buf_addf(&extra, ", %llu truncated answers kept", (unsigned long long)u->truncated);
	if (u->timeouts)
		buf_addf(&extra, ", %llu timed out", (unsigned long long)u->timeouts);
	if (c->price_in >= 0)
		buf_addf(&extra, "; %.4f USD spent (estimated)", c->spent);
	notef("%s (%s): %llu requests, %llu retries, %llu cache hits, %llu failed, "
	      "%llu prompt + %llu completion tokens%s",
	      c->role, c->model, (unsigned long long)u->requests, (unsigned long long)u->retries,
	      (unsigned long long)u->cache_hits, (unsigned long long)u->failures, (unsigned long long)u->prompt_tokens,
	      (unsigned long long)u->completion_tokens, extra.data ? extra.data : "");
	buf_free(&extra);
}
