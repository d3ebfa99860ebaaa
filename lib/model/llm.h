/* llm — the one module that talks to models (chat completions and embeddings).
 *
 * One engine drives every model call of a program from one thread: OpenAI-compatible
 * chat completions and embeddings over libcurl's multi interface (many requests in
 * flight, connection reuse, HTTP/2 when offered), or the built-in offline provider.
 * A client is one role's configuration (base URL, model, key, limits) on the engine;
 * dialog-run has two, most tools one.
 *
 * Calls are asynchronous: llm_chat/llm_embed queue a call and return at once; the
 * done callback runs later from inside llm_engine_step, never from inside the submit
 * (so callbacks may submit more calls). A call is started when its client has a free
 * concurrency slot and its --rpm/--tpm budget allows; a retry waits by being queued
 * again with a due time, never by sleeping.
 *
 * Requests go to BASE/chat/completions and BASE/embeddings, a query of the base URL
 * kept after the path (Azure's ?api-version=); the key goes as --auth says
 * (Authorization: Bearer, Azure's api-key:, or not at all), with the --header lines;
 * --body-json's fields are added to every body. libcurl takes proxies from the
 * environment (https_proxy, no_proxy, ...) and --cacert's CA bundle.
 *
 * Retries (up to --retries, exponential backoff with full jitter, or exactly the
 * server's Retry-After in seconds or as an HTTP date, or retry-after-ms; a wait over
 * 5 s is said on stderr, and a demanded wait over --max-retry-wait fails the call as
 * rate-limited): timeouts (at most 2 re-sends unless --retries is given, since a
 * timed-out generation may have been paid), connection failures, empty or
 * cut replies, 408, 409, 429, 5xx, unparseable bodies, an error object inside a 200
 * (OpenRouter) unless its code is a permanent 4xx. Permanent errors fail at once
 * with the provider's own message: 400, 401, 403, 404, other 4xx, and a 429 whose
 * error code says the quota is exhausted.
 *
 * Requests: every chat request has the shape every chat template accepts (chatshape:
 * [system] user (assistant user)*); llm_chat shapes the messages it is given, and
 * llm_chat_text expects them shaped. The client's --system-message first-user puts the
 * system text into the first user message instead. With PERSONA_CHECK_REQUESTS set
 * (the test suite) every request is checked and one that breaks the shape fails with
 * error_kind "request_shape" instead of being sent.
 *
 * Answers: content given as a string or as an array of parts (only "text" parts are
 * joined); reasoning blocks (--reasoning-tags, <think>...</think> by default) are
 * stripped (reasoning.h), reasoning_content / reasoning members are never read as
 * text, and the answer is trimmed. An answer that is then empty is not accepted: it is
 * asked again (a new sample: with --seed the request's seed changes) within --retries,
 * and the call then fails with error_kind "truncated" (finish_reason "length"),
 * "refusal" (the provider's refusal text as the message) or "empty". A non-empty answer
 * cut by the token limit is accepted with truncated set.
 *
 * Streaming (--stream): the Server-Sent Events of a reply are assembled into the reply
 * a non-streamed request gets (answer, finish_reason, usage) before anything reads
 * it, so records, cache entries and summaries are the same; a stream that ends
 * before data: [DONE] is retried like a cut reply, and one silent for --idle-timeout
 * seconds like a timeout. A streamed request has no total time limit unless
 * --timeout is given.
 *
 * Price and budget: with --price IN,OUT (USD per million prompt / completion
 * tokens) usage carries cost_usd and the summary the spend of the run (cache hits
 * are free; the offline provider costs 0). With --budget, once the estimated spend
 * of all clients reaches it no call starts any more; the calls in flight finish and
 * their callbacks run, then the engine calls interrupt_stop(75).
 *
 * Shared limits (--limits-dir DIR, or the environment's PERSONA_LIMITS_DIR): every
 * process on the host naming DIR draws from one bucket per (base URL, key) for
 * requests, tokens and spend, with the limits of DIR/limits.json (sharedlimit.h). A
 * call starts only when the shared bucket allows it too (--rpm/--tpm stay this
 * process's own caps under the shared ones); its token estimate is reserved there and
 * corrected by the reply's usage; every answer's cost is added to the shared spend,
 * and once a shared budget is spent nothing new starts anywhere (exit 75, as
 * --budget). A 429's wait (Retry-After, retry-after-ms, or x-ratelimit-reset-requests
 * / -tokens of the limit at 0) is stored there, so every process sharing the key
 * waits it out. Without DIR nothing of this happens.
 *
 * Cache (--cache DIR): content-addressed by (base URL, request body — model, messages,
 * sampling parameters, --body-json fields, seed — and sample index; not the headers
 * nor the key); only accepted answers are stored,
 * under the key of the call as it was asked (also when a re-ask produced it), so a
 * warm cache replays a run with no request at all; entries are written to a temp file
 * and renamed, so processes can share a cache; an unreadable entry is refetched.
 *
 * Secrets: the API key is read from the environment once, sent only in the
 * Authorization (or api-key) header, and scrubbed from every message the provider sends back; it
 * is never printed, logged, cached or written into a record.
 *
 * Ownership: llm_chat and llm_embed consume their jv arguments. The llm_result passed
 * to a callback and everything it points to are owned by the engine and valid only
 * during the callback (jv_copy what you keep).
 * Ends the process: llm_engine_new and the first request when libcurl cannot be set up
 * (status 1); llm_options past its four tables per program (an internal error,
 * status 2); option callbacks on a bad --header/--body-json (through cli, status 2).
 * An unreachable endpoint or a spent --budget stops the program through
 * interrupt_stop (status 75), never by exiting here.
 */
#ifndef PS_LLM_H
#define PS_LLM_H

#include <stdint.h>
#include <jv.h>

#include "chatshape.h"
#include "cli.h"
#include "offline.h"

enum llm_provider { PROVIDER_AUTO, PROVIDER_OPENAI, PROVIDER_OFFLINE };

/* A sampling parameter given as "default": the field is left out of the request, so
 * the server's default applies (reasoning models accept no other temperature). */
#define LLM_UNSET (-1.0)
#define LLM_SERVER_DEFAULT (-2.0)
#define LLM_MAX_HEADERS 16

/* One role's settings as given on the command line; unset values are NULL or < 0.
 * A role's value replaces the plain one (--client-header replaces every --header). */
struct llm_config {
	const char *provider; /* "openai", "offline" or NULL (auto) */
	const char *base_url; /* may carry a query: the API path goes before it */
	const char *model;
	const char *api_key_env;
	const char *auth; /* "bearer" (default), "api-key" (Azure) or "none" */
	const char *cacert; /* CA bundle for private CAs, or NULL */
	const char *headers[LLM_MAX_HEADERS]; /* "Name: value" lines sent as given */
	size_t nheaders;
	const char *body_json; /* an object merged into every request body (checked) */
	double temperature; /* LLM_UNSET, LLM_SERVER_DEFAULT (left out), or sent */
	double top_p; /* the same */
	long max_tokens; /* < 0: not sent */
	const char *max_tokens_field; /* "max_tokens" (default) or "max_completion_tokens" */
	double max_retry_wait; /* a longer Retry-After fails the call as rate-limited */
	long concurrency;
	double rpm, tpm; /* 0: unlimited */
	double timeout; /* seconds per request */
	int stream; /* --stream: Server-Sent Events */
	double idle_timeout; /* streaming: no byte for this long is a timeout */
	double price_in, price_out; /* USD per million prompt / completion tokens */
	double budget; /* USD: no new call starts once the spend reaches it */
	const char *limits_dir; /* the run's: limits shared with other processes (sharedlimit.h) */
	long retries;
	long max_connect_failures; /* attempts in a row reaching no server before stopping */
	const char *cache_dir;
	const char *system_message; /* "system" or "first-user" */
	const char *reasoning_tags; /* "OPEN,CLOSE" */
};

/* Options for one role: prefix "" gives --model, --base-url, ...; prefix "client-"
 * gives --client-model, ... (but no --client-budget nor --client-limits-dir: those are
 * the run's). Values
 * are checked as they are parsed where they can be (--body-json, --header, --price,
 * --temperature); the rest by llm_client_new. The table is allocated once per call
 * and lives until exit. */
const struct cli_option *llm_options(struct llm_config *cfg, const char *prefix);
/* Mark every value unset. */
void llm_config_init(struct llm_config *cfg);
/* Fill the values role left unset from fallback (may be NULL), then from the
 * environment (OPENAI_BASE_URL, PERSONA_LIMITS_DIR) and the built-in defaults. Timeout, retries and the
 * idle timeout stay unset here: llm_client_new applies their defaults (timeouts are
 * re-sent twice unless --retries was given; a stream has no total limit). */
void llm_config_resolve(struct llm_config *role, const struct llm_config *fallback);

struct llm_usage {
	uint64_t requests; /* calls answered (from the network, the cache or offline) */
	uint64_t retries; /* extra HTTP attempts (re-asks of empty answers too) */
	uint64_t cache_hits;
	uint64_t failures; /* calls that failed for good */
	uint64_t timeouts; /* attempts that timed out (each paid, perhaps, and re-sent) */
	uint64_t truncated; /* answers accepted although cut by the token limit */
	uint64_t prompt_tokens;
	uint64_t completion_tokens; /* as the provider counts them, reasoning included */
	uint64_t reasoning_tokens; /* usage.completion_tokens_details.reasoning_tokens */
	double cost_usd; /* with --price: the answers' tokens priced */
	int priced; /* a --price was given: cost_usd is meaningful */
};

struct llm_result {
	int ok;
	const char *content; /* chat: the answer, reasoning stripped, trimmed; never empty when ok */
	const char *finish_reason; /* chat: the provider's finish_reason, or NULL */
	const char *refusal; /* chat: the provider's refusal text, or NULL */
	int truncated; /* chat: accepted, but cut by the token limit (finish_reason "length") */
	jv embeddings; /* embeddings: array of vectors, in input order */
	const char *error_kind; /* "http_429", "timeout", "connection", "bad_response", "quota",
				     * "provider_error", "truncated", "empty", "refusal", ... */
	const char *error_message; /* the provider's message, key scrubbed */
	int rate_limited; /* the final failure was a rate limit (worth a later rerun) */
	int attempts; /* HTTP attempts made (0 for cache hits and offline) */
	int timeouts; /* of which timed out */
	int cached;
	int cancelled; /* llm_engine_cancel gave the call up (error_kind "cancelled") */
	uint64_t prompt_tokens, completion_tokens, reasoning_tokens; /* of the accepted answer */
	double cost_usd; /* those tokens at the client's --price */
	int priced;
};

typedef void (*llm_done_fn)(void *ctx, const struct llm_result *result);

struct llm_engine;
struct llm_client;

/* send_seed: pass seed to the provider as the request's "seed" (the user gave --seed). */
struct llm_engine *llm_engine_new(uint64_t seed, int send_seed);
/* role names the client in messages ("client", "responder", or the tool's name).
 * Returns NULL after a configuration error was reported (caller exits 2). */
struct llm_client *llm_client_new(struct llm_engine *e, const struct llm_config *cfg, const char *role);
enum llm_provider llm_client_provider(const struct llm_client *c);
const char *llm_client_model(const struct llm_client *c);
long llm_client_concurrency(const struct llm_client *c);
enum system_placement llm_client_placement(const struct llm_client *c);
const struct llm_usage *llm_client_usage(const struct llm_client *c);

/* What the offline provider needs to know; ignored by real providers. */
struct llm_hint {
	enum offline_task task;
	jv persona; /* borrowed: the persona's fields, or jv_null() */
};

void llm_chat(struct llm_client *c, jv messages, const struct llm_hint *hint, uint64_t sample, llm_done_fn done,
	      void *ctx);
/* [{"role": "user", "content": text}]: a one-message chat (text is borrowed). */
jv llm_user_prompt(const char *text);

/* The same, with the messages already serialized as a JSON array (borrowed text); the
 * request body is byte-identical to llm_chat's for the same messages. */
void llm_chat_text(struct llm_client *c, const char *messages_json, size_t len, const struct llm_hint *hint,
		   uint64_t sample, llm_done_fn done, void *ctx);
/* The messages exactly as given, never checked against the shape even with
 * PERSONA_CHECK_REQUESTS: only for model-check's probe of whether a server requires
 * alternation, the one request meant to break the shape. */
void llm_chat_as_given(struct llm_client *c, const char *messages_json, size_t len, llm_done_fn done, void *ctx);
void llm_embed(struct llm_client *c, jv inputs, llm_done_fn done, void *ctx);

/* Start what may start, wait up to max_wait_ms for progress, run the callbacks of
 * finished calls. Returns the number of calls not yet finished. */
size_t llm_engine_step(struct llm_engine *e, int max_wait_ms);
/* Start the queued calls that may start and let libcurl act on the sockets that are
 * ready, without waiting and without running any callback (replies that came in are
 * settled by the next step): a tool filling its window of records sends each record's
 * first request as it goes, not after the whole window is set up. */
void llm_engine_kick(struct llm_engine *e);
size_t llm_engine_pending(const struct llm_engine *e);
/* Give up every unfinished call (after an interrupt): each callback runs once with a
 * failed result marked cancelled, so its owner frees what it holds; calls submitted
 * from those callbacks are cancelled too. Returns with nothing pending. */
void llm_engine_cancel(struct llm_engine *e);
/* Cancels what is still pending (as llm_engine_cancel), then frees everything. */
void llm_engine_free(struct llm_engine *e);

/* llm_usage_report for every client of the engine, in the order they were made. */
void llm_engine_report(const struct llm_engine *e);
/* "N in flight, N retries, N failed" over every client, for the progress line. */
void llm_engine_describe(const struct llm_engine *e, char *buf, size_t n);

void llm_usage_add(struct llm_usage *total, const struct llm_result *r);

/* What one record's calls cost over its re-asks: usage and HTTP attempts. */
struct llm_tally {
	struct llm_usage usage;
	int attempts;
};
void llm_tally_add(struct llm_tally *t, const struct llm_result *r);
/* {"requests","prompt_tokens","completion_tokens","reasoning_tokens"} and, with a
 * --price, "cost_usd" (the answers' tokens priced, cached ones too): what records
 * carry. Retries and cache hits are facts of one run, not of the answers, so they stay
 * in the summary on stderr and a rerun from a warm cache writes the same bytes. */
jv llm_usage_json(const struct llm_usage *u);
/* "ROLE (MODEL): N requests, N retries, N cache hits, N failed, N prompt + N completion
 * tokens" on stderr, then " (N reasoning)" and ", N truncated answers kept" when not
 * zero. These count every answer paid for, also those not accepted. */
void llm_usage_report(const struct llm_client *c);

#endif
