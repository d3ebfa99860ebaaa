/*
 * mock-server: a mock OpenAI-compatible HTTP/1.1 server for the test suite.
 *
 * The tests point the real libcurl-based client at this server on loopback,
 * so retries, timeouts, keep-alive and error handling are exercised through
 * genuine HTTP instead of stubs.  Options: see usage() or README.md.
 *
 * Design: one thread, one epoll loop, non-blocking sockets.  Every
 * connection is a small state machine (enum phase).  Latency is a
 * per-connection deadline, to the microsecond, kept in a min-heap whose
 * earliest entry is the wait's timeout, so hundreds of delayed replies cost
 * nothing while they wait and each loop touches only the connections that
 * are ready or due: the server's cost per request does not grow with the
 * number of connections (benches keep a thousand open and share two cores
 * with the client they measure).  Requests on a connection
 * are answered strictly in order, as HTTP/1.1 pipelining requires: the next
 * buffered request is parsed only after the previous reply has been handed
 * to the kernel.
 *
 * Build: gcc -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -O2 \
 *            -o mock-server tests/mock/mock-server.c -ljq -lm
 */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jv.h>

enum {
	MAX_HEADER_BYTES = 64 * 1024, /* request line + headers */
	MAX_BODY_BYTES = 64 * 1024 * 1024, /* largest accepted Content-Length */
	MAX_READ_AHEAD = 1024 * 1024, /* pipelined bytes buffered while busy */
	READ_CHUNK = 64 * 1024,
	LINGER_US = 2000 * 1000, /* drain input this long after a closing reply */
	ACCEPT_PAUSE_US = 100 * 1000, /* back-off when out of file descriptors */
	MAX_EVENTS = 256, /* readiness events taken per wait */
	MAX_EMBEDDING_INPUTS = 2048, /* OpenAI's own limit; bounds memory use */
	MAX_EMBEDDING_DIM = 4096,
	REPLY_PREFIX_BYTES = 60, /* how much of the last message is echoed */
};

/* ------------------------------------------------------------------ */
/* Fault kinds                                                         */
/* ------------------------------------------------------------------ */

enum fault {
	FAULT_OK,
	FAULT_429,
	FAULT_429MS,
	FAULT_QUOTA,
	FAULT_500,
	FAULT_503,
	FAULT_400,
	FAULT_401,
	FAULT_403,
	FAULT_404,
	FAULT_408,
	FAULT_409,
	FAULT_FLAT,
	FAULT_FLAT500,
	FAULT_STALL,
	FAULT_CUT,
	FAULT_MALFORMED,
	FAULT_NULL,
	FAULT_NOUSAGE,
	FAULT_EXTRA,
	FAULT_EMPTY,
	/* Replies real servers send, all with status 200: */
	FAULT_THINK, /* <think>reasoning</think> before the answer */
	FAULT_THINKOPEN, /* the reply starts inside the block: reasoning</think>answer */
	FAULT_REASONING, /* reasoning_content / reasoning beside the answer */
	FAULT_LENGTHEMPTY, /* out of tokens while reasoning: content "", finish "length" */
	FAULT_LENGTHTHINK, /* out of tokens inside an unclosed <think> */
	FAULT_LENGTHCUT, /* the answer cut in half, finish "length" */
	FAULT_BLANK, /* content of whitespace only, finish "stop" */
	FAULT_ERROR200, /* {"error":{...,"code":502}} with status 200 (OpenRouter) */
	FAULT_ERROR200_400, /* the same with a permanent code 400 */
	FAULT_PARTS, /* content as an array of parts, a thinking part first */
	FAULT_REFUSAL, /* content null, refusal text */
	FAULT_NOCHOICES, /* "choices": [] */
	FAULT_429DATE, /* 429 with Retry-After as an HTTP date */
	FAULT_COUNT
};

static const char *const fault_names[FAULT_COUNT] = {
	[FAULT_OK] = "ok",
	[FAULT_429] = "429",
	[FAULT_429MS] = "429ms",
	[FAULT_QUOTA] = "quota",
	[FAULT_500] = "500",
	[FAULT_503] = "503",
	[FAULT_400] = "400",
	[FAULT_401] = "401",
	[FAULT_403] = "403",
	[FAULT_404] = "404",
	[FAULT_408] = "408",
	[FAULT_409] = "409",
	[FAULT_FLAT] = "flat",
	[FAULT_FLAT500] = "flat500",
	[FAULT_STALL] = "stall",
	[FAULT_CUT] = "cut",
	[FAULT_MALFORMED] = "malformed",
	[FAULT_NULL] = "null",
	[FAULT_NOUSAGE] = "nousage",
	[FAULT_EXTRA] = "extra",
	[FAULT_EMPTY] = "empty",
	[FAULT_THINK] = "think",
	[FAULT_THINKOPEN] = "thinkopen",
	[FAULT_REASONING] = "reasoning",
	[FAULT_LENGTHEMPTY] = "lengthempty",
	[FAULT_LENGTHTHINK] = "lengththink",
	[FAULT_LENGTHCUT] = "lengthcut",
	[FAULT_BLANK] = "blank",
	[FAULT_ERROR200] = "error200",
	[FAULT_ERROR200_400] = "error200-400",
	[FAULT_PARTS] = "parts",
	[FAULT_REFUSAL] = "refusal",
	[FAULT_NOCHOICES] = "nochoices",
	[FAULT_429DATE] = "429date",
};

/* Every bit of reasoning the mock sends contains this, so tests can look for it. */
#define MOCK_REASONING "mock reasoning"

/* ------------------------------------------------------------------ */
/* Configuration and global state                                      */
/* ------------------------------------------------------------------ */

enum chat_template {
	TEMPLATE_NONE,
	TEMPLATE_STRICT, /* the toolkit's own invariant: [system] user (assistant user)* */
	TEMPLATE_LLAMA2, /* Llama-2-chat's Hugging Face template */
	TEMPLATE_MISTRAL, /* Mistral-7B-Instruct-v0.1's */
	TEMPLATE_GEMMA, /* Gemma-7b-it's */
};

struct config {
	const char *port_file;
	enum chat_template chat_template; /* --chat-template */
	long latency_ms;
	const char *log_path;
	enum fault *fault_list; /* --faults, applied by arrival number */
	size_t fault_list_len;
	double fault_rate; /* --fault-rate, after the list is used up */
	enum fault *fault_kinds;
	size_t fault_kinds_len;
	uint64_t fault_seed;
	long retry_after_sec;
	const char *reply_text; /* NULL: generated text */
	char **replies; /* --replies FILE: chat request n gets line n (the last for later ones) */
	size_t replies_len;
	long embedding_dim;
	char *expected_auth; /* "Bearer <key>", or NULL: no check */
	char *expected_api_key; /* the api-key header's value (Azure), or NULL */
	const char *expected_query; /* the query string every API request must carry */
	bool reject_max_tokens; /* as OpenAI's reasoning models: max_completion_tokens only */
	bool reject_temperature; /* as OpenAI's reasoning models: temperature 1 or none */
	long max_requests; /* 0: unlimited */
	long port; /* --port: a fixed port (a restarted server keeps its
                                 address); 0: any free one */
	long stream_delay_ms; /* --stream-delay-ms: between two streamed events */
	long long first_request; /* --first-request: number requests from here, so the
                                 replies of a restarted server stay unique */
	bool dialog; /* --dialog: answer the toolkit's calls as its agents and judges would */
};

static struct config config = {
	.retry_after_sec = 1,
	.embedding_dim = 8,
	.fault_seed = 1,
};

struct connection;

struct server {
	int listen_fd;
	FILE *log;
	bool log_failed;
	int epoll_fd;
	struct connection **conns; /* every open connection, each knowing its index */
	size_t conn_count;
	size_t conn_cap;
	struct connection **timers; /* min-heap on deadline_us of the timed phases */
	size_t timer_count;
	size_t timer_cap;
	bool listening; /* the listener is watched (not paused) */
	long long requests; /* chat/embeddings requests received */
	long long in_flight;
	long long max_in_flight;
	long long answered; /* for --max-requests */
	uint64_t fault_rng;
	long long accept_paused_until; /* microseconds */
};

static struct server server = { .listen_fd = -1, .epoll_fd = -1 };

static volatile sig_atomic_t stop_requested;

/* ------------------------------------------------------------------ */
/* Small utilities                                                     */
/* ------------------------------------------------------------------ */

static void vwarn(const char *format, va_list args)
{
	fputs("mock-server: ", stderr);
	vfprintf(stderr, format, args);
	fputc('\n', stderr);
}

static void warn(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vwarn(format, args);
	va_end(args);
}

static void die(const char *format, ...)
{
	va_list args;
	va_start(args, format);
	vwarn(format, args);
	va_end(args);
	exit(2);
}

/* Small allocations only; running out of memory there is not recoverable. */
static void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		die("out of memory");
	return p;
}

static char *xstrndup(const char *text, size_t len)
{
	char *copy = xmalloc(len + 1);
	memcpy(copy, text, len);
	copy[len] = '\0';
	return copy;
}

/* Microseconds: a reply due 50 ms after its request leaves then, not in
 * the same millisecond as every other reply of that millisecond. */
static long long now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Byte length of a jv string without consuming it. */
static size_t jv_bytes(jv string)
{
	return (size_t)jv_string_length_bytes(jv_copy(string));
}

/* splitmix64: tiny, well-mixed, deterministic across platforms. */
static uint64_t prng_next(uint64_t *state)
{
	uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform double in [0, 1). */
static double prng_unit(uint64_t *state)
{
	return (double)(prng_next(state) >> 11) * 0x1.0p-53;
}

static uint64_t fnv1a64(const char *data, size_t len)
{
	uint64_t hash = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++) {
		hash ^= (unsigned char)data[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

/* ------------------------------------------------------------------ */
/* Byte buffers                                                        */
/* ------------------------------------------------------------------ */

struct buffer {
	char *data;
	size_t len;
	size_t cap;
};

/* Returns false on allocation failure so the caller can drop the
 * connection instead of the whole server. */
static bool buffer_reserve(struct buffer *b, size_t extra)
{
	if (b->cap - b->len >= extra)
		return true;
	size_t wanted = b->len + extra;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < wanted)
		cap *= 2;
	char *data = realloc(b->data, cap);
	if (!data)
		return false;
	b->data = data;
	b->cap = cap;
	return true;
}

static bool buffer_append(struct buffer *b, const void *data, size_t len)
{
	if (len == 0)
		return true;
	if (!buffer_reserve(b, len))
		return false;
	memcpy(b->data + b->len, data, len);
	b->len += len;
	return true;
}

static void buffer_release(struct buffer *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

/* Drops the first len bytes.  Gives big buffers back once they are empty
 * so one 64 MiB upload does not pin memory for the connection's life. */
static void buffer_consume(struct buffer *b, size_t len)
{
	if (len >= b->len) {
		b->len = 0;
	} else {
		memmove(b->data, b->data + len, b->len - len);
		b->len -= len;
	}
	if (b->len == 0 && b->cap > MAX_READ_AHEAD)
		buffer_release(b);
}

/* ------------------------------------------------------------------ */
/* JSON text in and out                                                */
/* ------------------------------------------------------------------ */

/* libjq 1.6 reads and prints JSON a byte at a time through function calls
 * and string appends: most of the server's time per request went there.
 * These do the common case directly, with the values and the bytes jq gives,
 * and hand everything else (errors, surrogate escapes, deep nesting, unusual
 * numbers) to jq itself, so its answers and messages stay what they were. */

enum { FAST_JSON_MAX_DEPTH = 64, FAST_NUMBER_MAX = 64 };

struct json_scan {
	const char *p, *end;
	int depth;
	struct buffer text; /* a string's bytes once its escapes are undone */
};

static void scan_space(struct json_scan *s)
{
	while (s->p < s->end && (*s->p == ' ' || *s->p == '\n' || *s->p == '\r' || *s->p == '\t'))
		s->p++;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* \uXXXX outside the surrogates, as UTF-8 into s->text. */
static bool scan_unicode_escape(struct json_scan *s)
{
	if (s->end - s->p < 5)
		return false;
	unsigned code = 0;
	for (int i = 1; i <= 4; i++) {
		int digit = hex_digit(s->p[i]);
		if (digit < 0)
			return false;
		code = code * 16 + (unsigned)digit;
	}
	if (code >= 0xD800 && code <= 0xDFFF)
		return false;
	char utf8[3];
	size_t n;
	if (code < 0x80) {
		utf8[0] = (char)code;
		n = 1;
	} else if (code < 0x800) {
		utf8[0] = (char)(0xC0 | (code >> 6));
		utf8[1] = (char)(0x80 | (code & 0x3F));
		n = 2;
	} else {
		utf8[0] = (char)(0xE0 | (code >> 12));
		utf8[1] = (char)(0x80 | ((code >> 6) & 0x3F));
		utf8[2] = (char)(0x80 | (code & 0x3F));
		n = 3;
	}
	s->p += 5;
	return buffer_append(&s->text, utf8, n);
}

/* A conversation's requests repeat its history, and libjq checks every byte of a new
 * string (most of the time left per request), so the long strings of requests are
 * made once and shared: a direct-mapped cache keyed by the string's JSON text. */
enum { STRING_CACHE_SLOTS = 16384, STRING_CACHE_MIN = 1 };

struct cached_string {
	char *text; /* the JSON text between the quotes */
	size_t len;
	jv value;
};

static struct cached_string string_cache[STRING_CACHE_SLOTS];

static uint64_t text_hash(const char *text, size_t len)
{
	uint64_t hash = len;
	size_t i = 0;
	for (; i + 8 <= len; i += 8) {
		uint64_t word;
		memcpy(&word, text + i, 8);
		hash = (hash ^ word) * 0x9E3779B97F4A7C15ULL;
		hash ^= hash >> 29;
	}
	for (; i < len; i++)
		hash = (hash ^ (unsigned char)text[i]) * 0x100000001B3ULL;
	return hash ^ (hash >> 32);
}

/* The end of the string whose text starts at p (its closing quote), or NULL. */
static const char *string_end(const char *p, const char *end)
{
	while (p < end && *p != '"')
		p += *p == '\\' ? 2 : 1;
	return p < end ? p : NULL;
}

static void free_string_cache(void)
{
	for (size_t i = 0; i < STRING_CACHE_SLOTS; i++) {
		if (string_cache[i].text)
			jv_free(string_cache[i].value);
		free(string_cache[i].text);
	}
}

static bool scan_string_uncached(struct json_scan *s, jv *out);

/* s->p at the opening quote. */
static bool scan_string(struct json_scan *s, jv *out)
{
	const char *text = s->p + 1, *close = string_end(text, s->end);
	size_t len = close ? (size_t)(close - text) : 0;
	if (len < STRING_CACHE_MIN)
		return scan_string_uncached(s, out);
	struct cached_string *slot = &string_cache[text_hash(text, len) % STRING_CACHE_SLOTS];
	if (slot->text && slot->len == len && memcmp(slot->text, text, len) == 0) {
		*out = jv_copy(slot->value);
		s->p = close + 1;
		return true;
	}
	if (!scan_string_uncached(s, out))
		return false;
	char *copy = malloc(len);
	if (copy) {
		if (slot->text)
			jv_free(slot->value);
		free(slot->text);
		memcpy(copy, text, len);
		*slot = (struct cached_string){ copy, len, jv_copy(*out) };
	}
	return true;
}

static bool scan_string_uncached(struct json_scan *s, jv *out)
{
	const char *start = ++s->p;
	while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (unsigned char)*s->p >= 0x20)
		s->p++;
	if (s->p < s->end && *s->p == '"') {
		*out = jv_string_sized(start, (int)(s->p++ - start));
		return true;
	}
	s->text.len = 0;
	if (!buffer_append(&s->text, start, (size_t)(s->p - start)))
		return false;
	while (s->p < s->end && *s->p != '"') {
		unsigned char ch = (unsigned char)*s->p;
		if (ch < 0x20)
			return false;
		if (ch != '\\') {
			const char *run = s->p;
			while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (unsigned char)*s->p >= 0x20)
				s->p++;
			if (!buffer_append(&s->text, run, (size_t)(s->p - run)))
				return false;
			continue;
		}
		if (s->end - s->p < 2)
			return false;
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *known = s->p[1] ? strchr(from, s->p[1]) : NULL;
		if (known) {
			if (!buffer_append(&s->text, &to[known - from], 1))
				return false;
			s->p += 2;
		} else if (s->p[1] != 'u' || !scan_unicode_escape(s)) {
			return false;
		}
	}
	if (s->p == s->end)
		return false;
	s->p++;
	*out = jv_string_sized(s->text.data, (int)s->text.len);
	return true;
}

/* RFC 8259's number grammar, then strtod: the double jq's own strtod gives. */
static bool scan_number(struct json_scan *s, jv *out)
{
	const char *start = s->p;
	if (s->p < s->end && *s->p == '-')
		s->p++;
	const char *digits = s->p;
	while (s->p < s->end && isdigit((unsigned char)*s->p))
		s->p++;
	if (s->p == digits || (*digits == '0' && s->p - digits > 1))
		return false;
	if (s->p < s->end && *s->p == '.') {
		const char *fraction = ++s->p;
		while (s->p < s->end && isdigit((unsigned char)*s->p))
			s->p++;
		if (s->p == fraction)
			return false;
	}
	if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
		s->p++;
		if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
			s->p++;
		const char *exponent = s->p;
		while (s->p < s->end && isdigit((unsigned char)*s->p))
			s->p++;
		if (s->p == exponent)
			return false;
	}
	size_t len = (size_t)(s->p - start);
	if (len >= FAST_NUMBER_MAX || (s->p < s->end && isalpha((unsigned char)*s->p)))
		return false;
	char copy[FAST_NUMBER_MAX];
	memcpy(copy, start, len);
	copy[len] = '\0';
	*out = jv_number(strtod(copy, NULL));
	return true;
}

static bool scan_value(struct json_scan *s, jv *out);

static bool scan_literal(struct json_scan *s, const char *word, jv value, jv *out)
{
	size_t n = strlen(word);
	if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0 ||
	    ((size_t)(s->end - s->p) > n && isalnum((unsigned char)s->p[n])))
		return false;
	s->p += n;
	*out = value;
	return true;
}

/* s->p at '[' or '{'. */
static bool scan_container(struct json_scan *s, jv *out)
{
	bool object = *s->p == '{';
	char close = object ? '}' : ']';
	if (++s->depth > FAST_JSON_MAX_DEPTH)
		return false;
	s->p++;
	jv value = object ? jv_object() : jv_array();
	scan_space(s);
	bool ok = true;
	if (s->p < s->end && *s->p == close) {
		s->p++;
	} else {
		for (;;) {
			jv key = jv_null(), member;
			scan_space(s);
			if (object) {
				ok = s->p < s->end && *s->p == '"' && scan_string(s, &key);
				if (ok)
					scan_space(s);
				ok = ok && s->p < s->end && *s->p == ':';
				if (ok)
					s->p++;
			}
			ok = ok && scan_value(s, &member);
			if (!ok) {
				jv_free(key);
				break;
			}
			value = object ? jv_object_set(value, key, member) : jv_array_append(value, member);
			scan_space(s);
			if (s->p < s->end && *s->p == ',') {
				s->p++;
				continue;
			}
			ok = s->p < s->end && *s->p == close;
			if (ok)
				s->p++;
			break;
		}
	}
	s->depth--;
	if (!ok) {
		jv_free(value);
		return false;
	}
	*out = value;
	return true;
}

static bool scan_value(struct json_scan *s, jv *out)
{
	scan_space(s);
	if (s->p == s->end)
		return false;
	switch (*s->p) {
	case '"':
		return scan_string(s, out);
	case '{':
	case '[':
		return scan_container(s, out);
	case 't':
		return scan_literal(s, "true", jv_true(), out);
	case 'f':
		return scan_literal(s, "false", jv_false(), out);
	case 'n':
		return scan_literal(s, "null", jv_null(), out);
	default:
		return scan_number(s, out);
	}
}

/* One JSON value as jq parses it: directly when it can, else by jq. */
static jv parse_json(const char *text, size_t len)
{
	struct json_scan s = { text, text + len, 0, { NULL, 0, 0 } };
	jv value;
	bool ok = scan_value(&s, &value);
	buffer_release(&s.text);
	if (ok) {
		scan_space(&s);
		if (s.p == s.end)
			return value;
		jv_free(value);
	}
	return jv_parse_sized(text, (int)len);
}

static bool dump_string(struct buffer *b, const char *text, size_t len)
{
	bool ok = buffer_append(b, "\"", 1);
	size_t from = 0;
	for (size_t i = 0; ok && i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch >= 0x20 && ch != '"' && ch != '\\' && ch != 0x7f)
			continue;
		char escape[8];
		int n;
		switch (ch) {
		case '"':
		case '\\':
			n = snprintf(escape, sizeof escape, "\\%c", ch);
			break;
		case '\b':
			n = snprintf(escape, sizeof escape, "\\b");
			break;
		case '\f':
			n = snprintf(escape, sizeof escape, "\\f");
			break;
		case '\n':
			n = snprintf(escape, sizeof escape, "\\n");
			break;
		case '\r':
			n = snprintf(escape, sizeof escape, "\\r");
			break;
		case '\t':
			n = snprintf(escape, sizeof escape, "\\t");
			break;
		default:
			n = snprintf(escape, sizeof escape, "\\u%04x", ch);
			break;
		}
		ok = buffer_append(b, text + from, i - from) && buffer_append(b, escape, (size_t)n);
		from = i + 1;
	}
	return ok && buffer_append(b, text + from, len - from) && buffer_append(b, "\"", 1);
}

/* The bytes jv_dump_string(value, 0) gives; borrows value. */
static bool dump_json(struct buffer *b, jv value)
{
	switch (jv_get_kind(value)) {
	case JV_KIND_NULL:
		return buffer_append(b, "null", 4);
	case JV_KIND_TRUE:
		return buffer_append(b, "true", 4);
	case JV_KIND_FALSE:
		return buffer_append(b, "false", 5);
	case JV_KIND_STRING:
		return dump_string(b, jv_string_value(value), jv_bytes(value));
	case JV_KIND_NUMBER: {
		double d = jv_number_value(value);
		if (d == floor(d) && fabs(d) < 1e15) { /* an integer: its digits, as jq writes them */
			char digits[24];
			size_t at = sizeof digits;
			unsigned long long left = (unsigned long long)fabs(d);
			do {
				digits[--at] = (char)('0' + left % 10);
				left /= 10;
			} while (left);
			if (signbit(d))
				digits[--at] = '-';
			return buffer_append(b, digits + at, sizeof digits - at);
		}
		jv text = jv_dump_string(jv_copy(value), 0); /* jq's shortest form */
		bool ok = buffer_append(b, jv_string_value(text), jv_bytes(text));
		jv_free(text);
		return ok;
	}
	case JV_KIND_ARRAY: {
		bool ok = buffer_append(b, "[", 1);
		int n = jv_array_length(jv_copy(value));
		for (int i = 0; ok && i < n; i++) {
			jv item = jv_array_get(jv_copy(value), i);
			ok = (i == 0 || buffer_append(b, ",", 1)) && dump_json(b, item);
			jv_free(item);
		}
		return ok && buffer_append(b, "]", 1);
	}
	case JV_KIND_OBJECT: {
		bool ok = buffer_append(b, "{", 1);
		bool first = true;
		for (int i = jv_object_iter(value); ok && jv_object_iter_valid(value, i);
		     i = jv_object_iter_next(value, i)) {
			jv key = jv_object_iter_key(value, i);
			jv member = jv_object_iter_value(value, i);
			ok = (first || buffer_append(b, ",", 1)) && dump_json(b, key) && buffer_append(b, ":", 1) &&
			     dump_json(b, member);
			first = false;
			jv_free(key);
			jv_free(member);
		}
		return ok && buffer_append(b, "}", 1);
	}
	default:
		return false;
	}
}

/* jv_dump_string(value, 0), consuming value. */
static jv dump_json_string(jv value)
{
	struct buffer b = { NULL, 0, 0 };
	jv text = dump_json(&b, value) ? jv_string_sized(b.data ? b.data : "", (int)b.len)
				       : jv_dump_string(jv_copy(value), 0);
	buffer_release(&b);
	jv_free(value);
	return text;
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */
/* ------------------------------------------------------------------ */

enum phase {
	PHASE_READ, /* waiting for (the rest of) a request */
	PHASE_DELAY, /* reply built, waiting for the latency deadline */
	PHASE_STREAM, /* Server-Sent Events: the next one is due at deadline_us */
	PHASE_WRITE, /* reply in the output buffer, being sent */
	PHASE_STALL, /* "stall" fault: never answer, wait for the client */
	PHASE_LINGER, /* closing reply sent, draining input before close */
};

/* What we know about the request currently being received. */
struct request {
	bool headers_done;
	size_t header_len; /* bytes up to and including the blank line */
	size_t body_len; /* Content-Length */
	bool has_content_length;
	char method[16];
	char *target;
	bool keep_alive;
	bool has_auth;
	char *auth;
	char *api_key; /* the api-key header (Azure), or NULL */
	jv headers; /* {"name": "value"} of every header, names lowercased;
                            zeroed = invalid until the first header */
	bool expect_continue;
	bool continue_sent;
};

struct connection {
	int fd;
	enum phase phase;
	struct buffer in;
	struct buffer out; /* bytes to send now */
	size_t out_sent;
	struct buffer delayed; /* reply bytes released at deadline_us */
	long long arrived_us; /* when the bytes last read reached the socket, or 0 */
	long long deadline_us; /* PHASE_DELAY: reply due; PHASE_LINGER: give up */
	size_t index; /* in server.conns */
	size_t timer_index; /* in server.timers, or NO_TIMER */
	uint32_t watched; /* the epoll events asked for now */
	bool counted; /* an API request on it is in flight */
	bool close_after_reply;
	bool peer_eof; /* the client shut down its sending side */
	struct request req;
};

static void request_reset(struct request *req)
{
	free(req->target);
	free(req->auth);
	free(req->api_key);
	if (jv_is_valid(req->headers))
		jv_free(req->headers);
	memset(req, 0, sizeof *req);
}

/* Called once per counted request when its answer is complete. */
static void mark_answered(struct connection *c)
{
	if (!c->counted)
		return;
	c->counted = false;
	server.in_flight--;
	server.answered++;
}

static void connection_free(struct connection *c)
{
	if (c->counted)
		server.in_flight--; /* closed before it was answered */
	close(c->fd);
	buffer_release(&c->in);
	buffer_release(&c->out);
	buffer_release(&c->delayed);
	request_reset(&c->req);
	free(c);
}

/* How many input bytes we are willing to hold for this connection. */
static size_t input_limit(const struct connection *c)
{
	if (c->phase == PHASE_READ && c->req.headers_done) {
		size_t needed = c->req.header_len + c->req.body_len;
		return needed > MAX_READ_AHEAD ? needed : MAX_READ_AHEAD;
	}
	return MAX_READ_AHEAD;
}

static short poll_events(const struct connection *c)
{
	short events = 0;
	bool discarding = c->phase == PHASE_STALL || c->phase == PHASE_LINGER;
	if (!c->peer_eof && (discarding || c->in.len < input_limit(c)))
		events |= POLLIN;
	if (c->out_sent < c->out.len)
		events |= POLLOUT;
	return events;
}

/* Stalled and lingering connections only need to notice the client's
 * close; whatever it sends is thrown away. */
static bool discard_input(struct connection *c)
{
	char scratch[16384];
	for (;;) {
		ssize_t n = recv(c->fd, scratch, sizeof scratch, 0);
		if (n > 0)
			continue;
		if (n == 0) {
			c->peer_eof = true;
			return true;
		}
		if (errno == EINTR)
			continue;
		return errno == EAGAIN || errno == EWOULDBLOCK;
	}
}

/* recv, noting when the bytes reached the socket (SO_TIMESTAMPNS, set on every
 * connection): a reply is due --latency-ms after its request arrived, however long
 * the server took to get to it while busy with others (benches share two cores). */
static ssize_t receive(struct connection *c, char *into, size_t room)
{
	struct iovec iov = { into, room };
	union {
		char bytes[CMSG_SPACE(sizeof(struct timespec))];
		struct cmsghdr align;
	} control;
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.bytes, .msg_controllen = sizeof control.bytes
	};
	ssize_t n = recvmsg(c->fd, &msg, 0);
	struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
		struct timespec stamp, real;
		memcpy(&stamp, CMSG_DATA(cm), sizeof stamp);
		clock_gettime(CLOCK_REALTIME, &real);
		long long age =
			(long long)(real.tv_sec - stamp.tv_sec) * 1000000 + (real.tv_nsec - stamp.tv_nsec) / 1000;
		/* The stamp is wall-clock time: a clock step makes it useless, not harmful. */
		c->arrived_us = age >= 0 && age < 1000000 ? now_us() - age : 0;
	}
	return n;
}

/* Returns false when the connection is broken and must be closed. */
static bool read_input(struct connection *c)
{
	if (c->phase == PHASE_STALL || c->phase == PHASE_LINGER)
		return discard_input(c);
	size_t limit = input_limit(c);
	while (!c->peer_eof && c->in.len < limit) {
		size_t room = limit - c->in.len;
		if (room > READ_CHUNK)
			room = READ_CHUNK;
		if (!buffer_reserve(&c->in, room))
			return false;
		ssize_t n = receive(c, c->in.data + c->in.len, room);
		if (n > 0) {
			c->in.len += (size_t)n;
			if ((size_t)n < room)
				break; /* drained for now; epoll says when more comes */
		} else if (n == 0) {
			c->peer_eof = true;
		} else if (errno == EINTR) {
			continue;
		} else {
			return errno == EAGAIN || errno == EWOULDBLOCK;
		}
	}
	return true;
}

/* Returns false when the connection is broken and must be closed. */
static bool flush_output(struct connection *c)
{
	while (c->out_sent < c->out.len) {
		ssize_t n = send(c->fd, c->out.data + c->out_sent, c->out.len - c->out_sent, MSG_NOSIGNAL);
		if (n > 0) {
			c->out_sent += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			return true;
		} else {
			return false;
		}
	}
	buffer_consume(&c->out, c->out.len);
	c->out_sent = 0;
	return true;
}

/* ------------------------------------------------------------------ */
/* HTTP request parsing                                                */
/* ------------------------------------------------------------------ */

struct line {
	const char *text;
	size_t len;
};

/* Offset just past the blank line ending the header block, or 0 if the
 * block is not complete yet.  Bare LF line endings are tolerated. */
static size_t find_header_end(const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n')
			continue;
		if (i + 1 < len && data[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && data[i + 1] == '\r' && data[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Cuts the line starting at pos out of data[0..end); returns the offset
 * of the next line. */
static size_t next_line(const char *data, size_t end, size_t pos, struct line *line)
{
	const char *newline = memchr(data + pos, '\n', end - pos);
	size_t stop = newline ? (size_t)(newline - data) : end;
	size_t len = stop - pos;
	if (len > 0 && data[pos + len - 1] == '\r')
		len--;
	line->text = data + pos;
	line->len = len;
	return newline ? stop + 1 : end;
}

/* No control characters (tab allowed): keeps NULs and stray CRs out of
 * everything we store. */
static bool is_clean_line(struct line line)
{
	for (size_t i = 0; i < line.len; i++) {
		unsigned char ch = (unsigned char)line.text[i];
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return false;
	}
	return true;
}

static bool is_visible_ascii(const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		if (ch <= 0x20 || ch >= 0x7f)
			return false;
	}
	return true;
}

static void trim_spaces(const char **text, size_t *len)
{
	while (*len > 0 && (**text == ' ' || **text == '\t')) {
		(*text)++;
		(*len)--;
	}
	while (*len > 0 && ((*text)[*len - 1] == ' ' || (*text)[*len - 1] == '\t'))
		(*len)--;
}

/* Case-insensitive comparison of a counted string with a C string. */
static bool equals_ignoring_case(const char *text, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(text, word, len) == 0;
}

/* Returns 0, or the HTTP status to reject the request with. */
static int parse_request_line(struct request *req, struct line line)
{
	const char *first_space = memchr(line.text, ' ', line.len);
	if (!first_space)
		return 400;
	size_t method_len = (size_t)(first_space - line.text);
	const char *target = first_space + 1;
	size_t rest_len = line.len - method_len - 1;
	const char *second_space = memchr(target, ' ', rest_len);
	if (!second_space)
		return 400;
	size_t target_len = (size_t)(second_space - target);
	const char *version = second_space + 1;
	size_t version_len = rest_len - target_len - 1;

	if (method_len == 0 || method_len >= sizeof req->method || target_len == 0)
		return 400;
	if (!is_visible_ascii(line.text, method_len) || !is_visible_ascii(target, target_len))
		return 400;
	if (version_len == 8 && memcmp(version, "HTTP/1.1", 8) == 0)
		req->keep_alive = true;
	else if (version_len == 8 && memcmp(version, "HTTP/1.0", 8) == 0)
		req->keep_alive = false;
	else
		return 400;
	memcpy(req->method, line.text, method_len);
	req->method[method_len] = '\0';
	req->target = xstrndup(target, target_len);
	return 0;
}

static int parse_content_length(struct request *req, const char *value, size_t len)
{
	/* Twelve digits is far above the limit and far below overflow. */
	if (len == 0 || len > 12)
		return len == 0 ? 400 : 413;
	size_t length = 0;
	for (size_t i = 0; i < len; i++) {
		if (value[i] < '0' || value[i] > '9')
			return 400;
		length = length * 10 + (size_t)(value[i] - '0');
	}
	/* Conflicting duplicates are a request-smuggling classic: refuse. */
	if (req->has_content_length && req->body_len != length)
		return 400;
	req->has_content_length = true;
	req->body_len = length;
	return length > MAX_BODY_BYTES ? 413 : 0;
}

/* "Connection: close" ends keep-alive; "keep-alive" enables it for 1.0. */
static void apply_connection_tokens(struct request *req, const char *value, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		const char *comma = memchr(value + pos, ',', len - pos);
		size_t stop = comma ? (size_t)(comma - value) : len;
		const char *token = value + pos;
		size_t token_len = stop - pos;
		trim_spaces(&token, &token_len);
		if (equals_ignoring_case(token, token_len, "close"))
			req->keep_alive = false;
		else if (equals_ignoring_case(token, token_len, "keep-alive"))
			req->keep_alive = true;
		pos = stop + 1;
	}
}

/* Returns 0, or the HTTP status to reject the request with. */
static int parse_header_line(struct request *req, struct line line)
{
	if (line.text[0] == ' ' || line.text[0] == '\t')
		return 400; /* obsolete line folding */
	const char *colon = memchr(line.text, ':', line.len);
	if (!colon || colon == line.text)
		return 400;
	size_t name_len = (size_t)(colon - line.text);
	if (!is_visible_ascii(line.text, name_len))
		return 400;
	const char *value = colon + 1;
	size_t value_len = line.len - name_len - 1;
	trim_spaces(&value, &value_len);

	const char *name = line.text;
	if (equals_ignoring_case(name, name_len, "content-length"))
		return parse_content_length(req, value, value_len);
	if (equals_ignoring_case(name, name_len, "transfer-encoding"))
		return 411; /* chunked uploads are not supported */
	if (equals_ignoring_case(name, name_len, "connection"))
		apply_connection_tokens(req, value, value_len);
	if (equals_ignoring_case(name, name_len, "expect"))
		req->expect_continue = equals_ignoring_case(value, value_len, "100-continue");
	bool secret = false;
	if (equals_ignoring_case(name, name_len, "authorization")) {
		free(req->auth);
		req->auth = xstrndup(value, value_len);
		req->has_auth = true;
		secret = true;
	}
	if (equals_ignoring_case(name, name_len, "api-key")) {
		free(req->api_key);
		req->api_key = xstrndup(value, value_len);
		secret = true;
	}
	/* Logged for tests that pin the wire; key values never are. */
	if (!jv_is_valid(req->headers))
		req->headers = jv_object();
	char lower[128];
	size_t n = name_len < sizeof lower - 1 ? name_len : sizeof lower - 1;
	for (size_t i = 0; i < n; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[n] = '\0';
	req->headers = jv_object_set(req->headers, jv_string(lower),
				     secret ? jv_string("[secret]") : jv_string_sized(value, (int)value_len));
	return 0;
}

/* Parses data[0..header_end).  Returns 0, or the status to reject with. */
static int parse_header_block(struct request *req, const char *data, size_t header_end)
{
	struct line line;
	size_t pos = next_line(data, header_end, 0, &line);
	if (!is_clean_line(line))
		return 400;
	int status = parse_request_line(req, line);
	while (status == 0 && pos < header_end) {
		pos = next_line(data, header_end, pos, &line);
		if (line.len == 0)
			break;
		status = is_clean_line(line) ? parse_header_line(req, line) : 400;
	}
	return status;
}

/* ------------------------------------------------------------------ */
/* Reply bodies                                                        */
/* ------------------------------------------------------------------ */

enum delivery {
	DELIVER_FULL, /* normal reply */
	DELIVER_CUT, /* headers + half the body, then close */
	DELIVER_NOTHING, /* close at once ("empty") */
	DELIVER_NEVER, /* never answer ("stall") */
};

struct reply {
	int status;
	char extra_headers[96]; /* complete header lines, or "" */
	jv body; /* JSON text as a jv string; jv_null() if none */
	enum delivery delivery;
	bool stream; /* body is Server-Sent Events, sent event by event */
};

static struct reply text_reply(int status, jv text)
{
	struct reply reply = { .status = status, .body = text, .delivery = DELIVER_FULL };
	return reply;
}

static struct reply json_reply(int status, jv value)
{
	return text_reply(status, dump_json_string(value));
}

/* {"error":{"message":...,"type":...,"code":...}}; consumes message, code. */
static struct reply error_reply(int status, jv message, const char *type, jv code)
{
	jv error = jv_object();
	error = jv_object_set(error, jv_string("message"), message);
	error = jv_object_set(error, jv_string("type"), jv_string(type));
	error = jv_object_set(error, jv_string("code"), code);
	jv body = jv_object_set(jv_object(), jv_string("error"), error);
	return json_reply(status, body);
}

static struct reply simple_error_reply(int status, const char *message)
{
	return error_reply(status, jv_string(message), "invalid_request_error", jv_null());
}

/* The flat shape some OpenAI-compatible servers use. */
static struct reply flat_error_reply(int status, const char *code)
{
	jv body = jv_object();
	body = jv_object_set(body, jv_string("message"), jv_string("mock flat error"));
	body = jv_object_set(body, jv_string("code"), jv_string(code));
	return json_reply(status, body);
}

static void add_retry_after(struct reply *reply)
{
	snprintf(reply->extra_headers, sizeof reply->extra_headers, "Retry-After: %ld\r\n", config.retry_after_sec);
}

static struct reply rate_limit_reply(void)
{
	return error_reply(429, jv_string("Rate limit reached for requests"), "requests",
			   jv_string("rate_limit_exceeded"));
}

static struct reply quota_reply(void)
{
	return error_reply(429,
			   jv_string("You exceeded your current quota, please "
				     "check your plan and billing details."),
			   "insufficient_quota", jv_string("insufficient_quota"));
}

/* Like some real providers, the refusal quotes the key it was given (here in
 * full, the worst case), so clients are tested on keeping it out of their
 * messages.  Borrows req. */
static struct reply invalid_key_reply(const struct request *req)
{
	const char *given = req->has_auth ? req->auth : "";
	if (strncmp(given, "Bearer ", 7) == 0)
		given += 7;
	return error_reply(401, jv_string_fmt("Incorrect API key provided: %s", given), "invalid_request_error",
			   jv_string("invalid_api_key"));
}

static const char *error_type_for_status(int status)
{
	switch (status) {
	case 401:
		return "authentication_error";
	case 403:
		return "permission_error";
	case 404:
		return "not_found_error";
	case 408:
		return "timeout_error";
	case 409:
		return "conflict_error";
	case 500:
		return "server_error";
	case 503:
		return "server_error";
	default:
		return "invalid_request_error";
	}
}

/* "mock <status> error" with an OpenAI-shaped body. */
static struct reply status_fault_reply(int status)
{
	struct reply reply =
		error_reply(status, jv_string_fmt("mock %d error", status), error_type_for_status(status), jv_null());
	if (status == 503)
		add_retry_after(&reply);
	return reply;
}

static struct reply stats_reply(void)
{
	return text_reply(200, jv_string_fmt("{\"requests\":%lld,\"in_flight\":%lld,\"max_in_flight\":%lld}",
					     server.requests, server.in_flight, server.max_in_flight));
}

/* ------------------------------------------------------------------ */
/* Chat completions                                                    */
/* ------------------------------------------------------------------ */

/* The "model" string of a request, or an invalid jv carrying the message
 * for a 400 reply.  Borrows request. */
static jv request_model(jv request)
{
	if (!jv_is_valid(request))
		return jv_invalid_with_msg(jv_string("We could not parse the JSON body of your request."));
	if (jv_get_kind(request) != JV_KIND_OBJECT)
		return jv_invalid_with_msg(jv_string("The request body must be a JSON object."));
	jv model = jv_object_get(jv_copy(request), jv_string("model"));
	if (jv_get_kind(model) == JV_KIND_STRING)
		return model;
	jv_free(model);
	return jv_invalid_with_msg(jv_string("you must provide a model parameter"));
}

/* Text of one message: its string content, or the "text" members of a
 * multi-part content array.  Borrows message, returns a new string. */
static jv message_text(jv message)
{
	jv text = jv_string("");
	if (jv_get_kind(message) != JV_KIND_OBJECT)
		return text;
	jv content = jv_object_get(jv_copy(message), jv_string("content"));
	if (jv_get_kind(content) == JV_KIND_STRING) {
		jv_free(text);
		return content;
	}
	if (jv_get_kind(content) == JV_KIND_ARRAY) {
		int count = jv_array_length(jv_copy(content));
		for (int i = 0; i < count; i++) {
			jv part = jv_array_get(jv_copy(content), i);
			if (jv_get_kind(part) != JV_KIND_OBJECT) {
				jv_free(part);
				continue;
			}
			jv part_text = jv_object_get(part, jv_string("text"));
			if (jv_get_kind(part_text) == JV_KIND_STRING)
				text = jv_string_concat(text, part_text);
			else
				jv_free(part_text);
		}
	}
	jv_free(content);
	return text;
}

/* Longest prefix of at most max bytes that does not split a UTF-8
 * sequence. */
static size_t utf8_prefix_length(const char *text, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t cut = max;
	while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
		cut--;
	return cut;
}

/* ASCII whitespace only, independent of the locale. */
static bool is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
}

static long long count_words(const char *text, size_t len)
{
	long long words = 0;
	bool in_word = false;
	for (size_t i = 0; i < len; i++) {
		bool space = is_space(text[i]);
		if (!space && !in_word)
			words++;
		in_word = !space;
	}
	return words;
}

/* Rough token estimate as OpenAI's rule of thumb: 4 bytes per token. */
static long long token_estimate(size_t bytes)
{
	long long tokens = (long long)(bytes / 4);
	return tokens > 0 ? tokens : 1;
}

/* "mock reply <n> from <model>: <start of last message>".  Borrows both. */
static jv default_reply_text(long long n, jv model, jv last_text)
{
	jv text = jv_string_fmt("mock reply %lld from ", n);
	text = jv_string_append_buf(text, jv_string_value(model), (int)jv_bytes(model));
	text = jv_string_append_buf(text, ": ", 2);
	size_t keep = utf8_prefix_length(jv_string_value(last_text), jv_bytes(last_text), REPLY_PREFIX_BYTES);
	return jv_string_append_buf(text, jv_string_value(last_text), (int)keep);
}

/* reasoning_tokens < 0: no completion_tokens_details (unless extra). */
static jv usage_object(long long prompt_tokens, long long completion_tokens, bool extra, long long reasoning_tokens)
{
	jv usage = jv_object();
	usage = jv_object_set(usage, jv_string("prompt_tokens"), jv_number((double)prompt_tokens));
	usage = jv_object_set(usage, jv_string("completion_tokens"), jv_number((double)completion_tokens));
	usage = jv_object_set(usage, jv_string("total_tokens"), jv_number((double)(prompt_tokens + completion_tokens)));
	if (extra || reasoning_tokens >= 0) {
		jv details = jv_object_set(jv_object(), jv_string("reasoning_tokens"),
					   jv_number(reasoning_tokens > 0 ? (double)reasoning_tokens : 0));
		usage = jv_object_set(usage, jv_string("completion_tokens_details"), details);
	}
	return usage;
}

/* {"x":[1,2]}: an unknown nested member for the "extra" fault. */
static jv extra_field_value(void)
{
	jv numbers = jv_array_append(jv_array_append(jv_array(), jv_number(1)), jv_number(2));
	return jv_object_set(jv_object(), jv_string("x"), numbers);
}

/* text[0..n) as a jv string. */
static jv jv_prefix(jv text, size_t n)
{
	return jv_string_sized(jv_string_value(text), (int)n);
}

/* {"type":"text","text":...}; consumes text. */
static jv text_part(jv text)
{
	jv part = jv_object_set(jv_object(), jv_string("type"), jv_string("text"));
	return jv_object_set(part, jv_string("text"), text);
}

/* The message content of a reply variant (consumes text); may set finish_reason,
 * reasoning tokens and extra message members. */
static jv variant_content(enum fault variant, jv text, jv *message, const char **finish_reason,
			  long long *reasoning_tokens)
{
	size_t len = jv_bytes(text);
	size_t half = utf8_prefix_length(jv_string_value(text), len, len / 2);
	jv content;
	switch (variant) {
	case FAULT_NULL:
		jv_free(text);
		return jv_null();
	case FAULT_THINK:
		*reasoning_tokens = 9;
		content = jv_string("<think>\n" MOCK_REASONING ": the user wants an answer in character.\n"
				    "</think>\n\n");
		return jv_string_concat(content, text);
	case FAULT_THINKOPEN:
		*reasoning_tokens = 6;
		content = jv_string(MOCK_REASONING ": the template opened the block."
						   "\n</think>\n\n");
		return jv_string_concat(content, text);
	case FAULT_REASONING:
		*reasoning_tokens = 5;
		*message = jv_object_set(*message, jv_string("reasoning_content"),
					 jv_string(MOCK_REASONING " sent apart"));
		*message = jv_object_set(*message, jv_string("reasoning"), jv_string(MOCK_REASONING " sent apart"));
		return text;
	case FAULT_LENGTHEMPTY:
		jv_free(text);
		*finish_reason = "length";
		*reasoning_tokens = 16;
		*message = jv_object_set(*message, jv_string("reasoning_content"),
					 jv_string(MOCK_REASONING " that ran out of"));
		return jv_string("");
	case FAULT_LENGTHTHINK:
		jv_free(text);
		*finish_reason = "length";
		return jv_string("<think>\n" MOCK_REASONING " that never clo");
	case FAULT_LENGTHCUT:
		*finish_reason = "length";
		content = jv_prefix(text, half);
		jv_free(text);
		return content;
	case FAULT_BLANK:
		jv_free(text);
		return jv_string(" \n\t ");
	case FAULT_PARTS: {
		jv inner = jv_array_append(jv_array(), text_part(jv_string(MOCK_REASONING " in a part")));
		jv thinking = jv_object_set(jv_object(), jv_string("type"), jv_string("thinking"));
		thinking = jv_object_set(thinking, jv_string("thinking"), inner);
		jv second = jv_string(jv_string_value(text) + half);
		content = jv_array_append(jv_array(), thinking);
		content = jv_array_append(content, text_part(jv_prefix(text, half)));
		content = jv_array_append(content, text_part(second));
		jv_free(text);
		return content;
	}
	case FAULT_REFUSAL:
		jv_free(text);
		*message = jv_object_set(*message, jv_string("refusal"),
					 jv_string("I'm sorry, but I can't help with that request."));
		return jv_null();
	default:
		return text;
	}
}

/* Consumes model and text.  variant is ok, null, nousage, extra, or one of
 * the reply shapes of real servers (think ... nochoices). */
static jv chat_completion_object(long long n, jv model, jv text, long long prompt_tokens, long long completion_tokens,
				 enum fault variant)
{
	bool extra = variant == FAULT_EXTRA;
	const char *finish_reason = "stop";
	long long reasoning_tokens = -1;
	jv message = jv_object_set(jv_object(), jv_string("role"), jv_string("assistant"));
	jv content = variant_content(variant, text, &message, &finish_reason, &reasoning_tokens);
	message = jv_object_set(message, jv_string("content"), content);
	if (extra) {
		message = jv_object_set(message, jv_string("refusal"), jv_null());
		message = jv_object_set(message, jv_string("annotations"), jv_array());
	}

	jv choice = jv_object_set(jv_object(), jv_string("index"), jv_number(0));
	choice = jv_object_set(choice, jv_string("message"), message);
	if (extra) {
		choice = jv_object_set(choice, jv_string("logprobs"), jv_null());
		choice = jv_object_set(choice, jv_string("extra_field"), extra_field_value());
	}
	choice = jv_object_set(choice, jv_string("finish_reason"), jv_string(finish_reason));

	jv reply = jv_object();
	reply = jv_object_set(reply, jv_string("id"), jv_string_fmt("mock-%lld", n));
	reply = jv_object_set(reply, jv_string("object"), jv_string("chat.completion"));
	reply = jv_object_set(reply, jv_string("created"), jv_number(0));
	reply = jv_object_set(reply, jv_string("model"), model);
	if (variant == FAULT_NOCHOICES) {
		jv_free(choice);
		jv filtered = jv_parse("[{\"prompt_index\":0,\"content_filter_results\":"
				       "{\"self_harm\":{\"filtered\":true,\"severity\":\"medium\"}}}]");
		reply = jv_object_set(reply, jv_string("prompt_filter_results"), filtered);
		reply = jv_object_set(reply, jv_string("choices"), jv_array());
	} else {
		reply = jv_object_set(reply, jv_string("choices"), jv_array_append(jv_array(), choice));
	}
	if (variant != FAULT_NOUSAGE)
		reply = jv_object_set(reply, jv_string("usage"),
				      usage_object(prompt_tokens, completion_tokens, extra, reasoning_tokens));
	if (extra) {
		reply = jv_object_set(reply, jv_string("system_fingerprint"), jv_string("fp_mock"));
		reply = jv_object_set(reply, jv_string("service_tier"), jv_string("default"));
	}
	return reply;
}

/* ------------------------------------------------------------------ */
/* --dialog: the toolkit's own calls answered as a model would         */
/* ------------------------------------------------------------------ */

/* Each kind of call is recognised from its prompt, as a model would read it:
 * a stop judge ("verdict" and "ended"), a persona judge ("verdict" and
 * "plausib"), a crafter ("portrait"), a client (its system message says
 * "You are this person") and a responder (any other system message).  The
 * client's conversation is a function of its system prompt (the persona) and
 * of how many turns it has had, so every run of the same personas holds the
 * same conversations whatever stops them.  The stop judge's rule is a judge's
 * own reading of the transcript, not the toolkit's phrase lists. */

/* Words a person closes a chat with, and signs that something is still open. */
static const char *const closing_words[] = { "thank",   "bye",        "goodnight", "good night", "appreciate",
					     "all set", "that's all", "take care", "that helps", "that helped",
					     "see you", "talk soon",  "cheers",    NULL };
static const char *const open_signs[] = { "?",          " but ",   "still", "not sure", "worried",
					  "what about", "what if", "also",  "one more", NULL };

static bool has_any(const char *text, const char *const *words)
{
	for (const char *const *w = words; *w; w++)
		if (strcasestr(text, *w))
			return true;
	return false;
}

/* The last sentence of text: what follows its last '.', '!' or '?' that has
 * more text after it. */
static const char *last_sentence(const char *text)
{
	const char *start = text;
	for (const char *p = text; *p; p++) {
		if (*p != '.' && *p != '!' && *p != '?')
			continue;
		const char *q = p + 1;
		while (*q == ' ')
			q++;
		if (*q)
			start = q;
	}
	return start;
}

/* A closing turn: closing words in its last sentence (thanks that go on with
 * the problem are no closing), nothing left open anywhere in it. */
static bool turn_closes(const char *text)
{
	return has_any(last_sentence(text), closing_words) && !has_any(text, open_signs);
}

/* The judge's reading of the transcript lines "client: ..." and
 * "responder: ...": ended when the last client turn closes and every
 * responder turn after it leaves nothing open. */
static jv stop_verdict(const char *prompt)
{
	char *client = NULL;
	bool reopened = false;
	for (const char *line = prompt; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *text = xstrndup(line, len);
		if (strncmp(text, "client: ", 8) == 0) {
			free(client);
			client = xstrndup(text + 8, len - 8);
			reopened = false;
		} else if (strncmp(text, "responder: ", 11) == 0 && client && has_any(text + 11, open_signs)) {
			reopened = true;
		}
		free(text);
		line += len + (end ? 1 : 0);
	}
	const char *reason = !client                ? "no client turn to judge"
			     : !turn_closes(client) ? "the client has not closed the conversation"
			     : reopened             ? "the responder opened something new after the goodbye"
						    : "the client said goodbye and nothing is left open";
	bool ended = client && turn_closes(client) && !reopened;
	free(client);
	return jv_string_fmt("{\"verdict\": %s, \"reason\": \"%s\"}", ended ? "true" : "false", reason);
}

/* "You are a person whose age is 30, ...": the "- key: value" lines of the
 * profile in the crafter's prompt (from "Profile:" to the next blank line),
 * in prose of realistic length. */
static jv crafted_portrait(const char *prompt)
{
	jv text = jv_string("You are a person whose");
	const char *sep = " ";
	const char *profile = strstr(prompt, "Profile:");
	for (const char *line = profile ? profile : ""; *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *colon = memchr(line, ':', len);
		if (len == 0 && sep[0] == ',')
			break;
		if (len > 2 && line[0] == '-' && line[1] == ' ' && colon) {
			text = jv_string_append_str(text, sep);
			text = jv_string_append_buf(text, line + 2, (int)(colon - line - 2));
			text = jv_string_append_str(text, " is");
			text = jv_string_append_buf(text, colon + 1, (int)(line + len - colon - 1));
			sep = ", ";
		}
		line += len + (end ? 1 : 0);
	}
	return jv_string_append_str(
		text, ". You carry this into the conversation the way such a person would: the feeling colours "
		      "how you start, and you let the details come out only as you begin to trust the person "
		      "you are talking to. You speak in your own plain words and keep your messages short. You "
		      "want to be taken seriously, to make some sense of what is going on, and to leave with one "
		      "next step you can live with, without needing everything solved at once.");
}

static const char *const client_openers[] = {
	"Hi. Something has been weighing on me for a while and I don't know who else to talk to.",
	"Hey, can I talk to you about something? It has been on my mind all week.",
	"Hello. This is a bit awkward for me, but I need to get it off my chest.",
	"Hi there. I've been going round in circles about something and need another view.",
	"So, I have a problem I keep avoiding, and I think it's time to face it.",
	"Hi, I'm hoping you can help me think something through.",
	"Hey. Long story short, things have not been great lately.",
	"Hello, I need some advice about something that happened recently.",
};
static const char *const client_details[] = {
	"It started a few months ago and it has only got worse since.",
	"Most evenings I just sit at home going over it in my head.",
	"I tried talking to my family about it, and it did not go well.",
	"Work has been hectic, so I keep putting it off.",
	"Some days it feels manageable, other days it really does not.",
	"I have not told anyone else about this yet.",
	"The worst part is lying awake at night thinking about it.",
	"A friend said I was overreacting, which stung a bit.",
	"I wrote a list of options last week and then ignored it.",
	"It is hard to explain without sounding silly.",
	"Money is tight, so some of the obvious fixes are out.",
	"I keep thinking I should have seen it coming.",
};
static const char *const client_followups[] = {
	"What would you do in my place?",
	"Does that make sense?",
	"I just want it to stop feeling so heavy.",
	"Is that normal, do you think?",
	"Where would you even begin?",
	"I guess I want someone to tell me I am not crazy.",
	"Maybe I am making it bigger than it is.",
	"How do people usually deal with this?",
	"I do not know what the first step is.",
	"Part of me wants to just ignore it.",
	"Should I say something, or wait?",
};
/* Thanks beside a question or a concern: not a goodbye. */
static const char *const client_thanks_but[] = {
	"Thanks, that's a fair point. But what if it just makes things worse?",
	"Thank you, I hadn't thought of that. What about the cost, though?",
	"Okay, thanks. I'm still not sure I can bring it up.",
	"That helps a bit, but how do I start the conversation?",
	"Thanks. Could you explain what you mean by taking it slowly?",
	"I appreciate that. But I'm worried they'll just brush me off.",
};
/* Thanks, then more of the problem: not a goodbye either. */
static const char *const client_thanks_aside[] = {
	"Thanks for listening. It has been a rough few weeks at home.",
	"Thank you. My sister thinks I should just move out and start over.",
	"Cheers. The meeting with my manager is on Thursday morning.",
};
static const char *const client_closings[] = {
	"Thanks, that really helps. Bye!",
	"Okay, I'll try that tonight. Thank you so much, goodbye.",
	"That helped a lot, thanks. Take care!",
	"I appreciate you listening. I think I'm all set now, bye.",
	"Alright, I feel better about it now. Thanks and goodnight.",
	"Thank you, I'll give it a go and see how it turns out.",
	"Cheers, that's all I needed to hear. See you.",
	"Right, that's all for now. Goodnight!",
};
/* After a goodbye the conversation went on from: goodbye again. */
static const char *const client_reclosings[] = {
	"I will. Thanks again, bye!",
	"Sure, I'll let you know. Thanks, goodbye.",
	"Will do. Thank you, take care.",
	"Okay, I'll keep you posted. Bye for now!",
};
static const char *const responder_farewells[] = {
	"You're welcome, take care!",          "Glad I could help. Good luck with it!",
	"Anytime. I hope it goes well.",       "Happy to help. All the best!",
	"Of course. Look after yourself.",     "Glad it helped! Will you tell me how it goes?",
	"Sleep well, and good luck tomorrow.", "Take care, and well done for reaching out.",
};
static const char *const responder_acks[] = {
	"That sounds really draining.",
	"I can hear how much this is on your mind.",
	"That makes a lot of sense, honestly.",
	"Oof, that is a lot to carry.",
	"It is understandable that you feel stuck.",
	"Right, I see why that bothers you.",
	"That would get to me too.",
	"It sounds like you have been patient for a long time.",
};
static const char *const responder_ideas[] = {
	"What part of it worries you the most?",
	"Maybe start with one small thing you can change this week.",
	"Have you been able to talk to anyone close about it?",
	"Writing it down might make it feel less tangled.",
	"When did you first notice it getting worse?",
	"Sometimes saying it out loud to the person involved clears the air.",
	"What would a good outcome look like for you?",
	"It might help to give yourself a bit more credit here.",
	"Is there someone who could back you up on this?",
};

#define POOL_PICK(pool, x) (pool)[(x) % (sizeof(pool) / sizeof((pool)[0]))]

/* The client's turn after `own` turns of its own.  The persona (hash h)
 * says goodbye after 3 + h % 8 turns of its own: with 10 turns each, one
 * persona in eight never does.  Before that, one turn in six thanks beside a
 * question and one in a hundred thanks and goes on with the problem. */
static jv client_turn(uint64_t h, uint64_t own)
{
	uint64_t goodbye = 3 + h % 8;
	uint64_t state = h ^ (own * 0x9E3779B97F4A7C15ULL);
	uint64_t roll = prng_next(&state) % 600;
	if (own == 0)
		return jv_string(POOL_PICK(client_openers, h >> 8));
	if (own == goodbye)
		return jv_string(POOL_PICK(client_closings, h >> 16));
	if (own > goodbye)
		return jv_string(POOL_PICK(client_reclosings, (h >> 24) + own));
	if (roll < 100)
		return jv_string(POOL_PICK(client_thanks_but, (h >> 48) + own));
	if (roll < 106)
		return jv_string(POOL_PICK(client_thanks_aside, (h >> 56) + own));
	jv text = jv_string(POOL_PICK(client_details, (h >> 32) + own));
	text = jv_string_append_str(text, " ");
	return jv_string_append_str(text, POOL_PICK(client_followups, (h >> 40) + own));
}

/* The responder's turn after `own` turns of its own: a farewell to a goodbye
 * (one in eight asks something back), else a short reply that never repeats
 * an earlier one of the conversation (whose first message is `opening`). */
static jv responder_turn(const char *opening, const char *client, uint64_t own)
{
	if (turn_closes(client)) {
		uint64_t h = fnv1a64(client, strlen(client)) ^ fnv1a64(opening, strlen(opening));
		return jv_string(POOL_PICK(responder_farewells, h >> 8));
	}
	uint64_t h = fnv1a64(opening, strlen(opening));
	jv text = jv_string(POOL_PICK(responder_acks, (h >> 8) + own));
	text = jv_string_append_str(text, " ");
	return jv_string_append_str(text, POOL_PICK(responder_ideas, (h >> 16) + own));
}

/* The reply of --dialog, or an invalid jv for a call it does not play. */
static jv dialog_reply(jv messages)
{
	int count = jv_array_length(jv_copy(messages));
	jv system = jv_string(""), first = jv_invalid(), last = jv_string("");
	uint64_t own = 0;
	for (int i = 0; i < count; i++) {
		jv message = jv_array_get(jv_copy(messages), i);
		jv role = jv_object_get(jv_copy(message), jv_string("role"));
		const char *r = jv_get_kind(role) == JV_KIND_STRING ? jv_string_value(role) : "";
		jv text = message_text(message);
		if (strcmp(r, "system") == 0) {
			jv_free(system);
			system = text;
		} else {
			own += strcmp(r, "assistant") == 0;
			if (!jv_is_valid(first))
				first = jv_copy(text);
			jv_free(last);
			last = text;
		}
		jv_free(role);
		jv_free(message);
	}
	const char *s = jv_string_value(system), *l = jv_string_value(last);
	jv reply;
	if (strstr(l, "verdict") && strstr(l, "ended"))
		reply = stop_verdict(l);
	else if (strstr(l, "verdict") && strstr(l, "plausib"))
		reply = jv_string("{\"verdict\": true, \"reason\": \"the values fit one ordinary person\"}");
	else if (strstr(l, "portrait"))
		reply = crafted_portrait(l);
	else if (strstr(s, "You are this person"))
		reply = client_turn(fnv1a64(s, jv_bytes(system)), own);
	else if (jv_bytes(system) > 0)
		reply = responder_turn(jv_is_valid(first) ? jv_string_value(first) : "", l, own);
	else
		reply = jv_invalid();
	jv_free(system);
	jv_free(first);
	jv_free(last);
	return reply;
}

/* The reply object, or an invalid jv with the 400 message.  Borrows
 * request. */
static jv build_chat_completion(long long n, jv request, enum fault variant)
{
	jv model = request_model(request);
	if (!jv_is_valid(model))
		return model;
	jv messages = jv_object_get(jv_copy(request), jv_string("messages"));
	if (jv_get_kind(messages) != JV_KIND_ARRAY) {
		jv_free(messages);
		jv_free(model);
		return jv_invalid_with_msg(jv_string("'messages' is a required property (an array)"));
	}

	size_t content_bytes = 0;
	jv last_text = jv_string("");
	int count = jv_array_length(jv_copy(messages));
	for (int i = 0; i < count; i++) {
		jv message = jv_array_get(jv_copy(messages), i);
		jv text = message_text(message);
		jv_free(message);
		content_bytes += jv_bytes(text);
		jv_free(last_text);
		last_text = text;
	}

	jv text = config.dialog ? dialog_reply(messages) : jv_invalid();
	if (!jv_is_valid(text))
		text = config.replies_len  ? jv_string(config.replies[(size_t)n <= config.replies_len
									      ? n - 1
									      : (long long)config.replies_len - 1])
		       : config.reply_text ? jv_string(config.reply_text)
					   : default_reply_text(n, model, last_text);
	jv_free(messages);
	jv_free(last_text);
	long long completion_tokens = count_words(jv_string_value(text), jv_bytes(text));
	return chat_completion_object(n, model, text, token_estimate(content_bytes), completion_tokens, variant);
}

/* ------------------------------------------------------------------ */
/* Chat templates                                                      */
/* ------------------------------------------------------------------ */

/* What vLLM or llama.cpp do with a request before the model sees it: render the
 * messages through the model's chat template. These are C renderings of the
 * public Hugging Face templates' logic, raising the same exceptions with the
 * same words, so a request a strict server would refuse is refused here too. */

#define ALTERNATE_ERROR "Conversation roles must alternate user/assistant/user/assistant/..."

struct chat_message {
	const char *role; /* "" when not a string */
	jv text;
};

/* Python's str.strip() / Jinja's trim on ASCII whitespace. */
static jv stripped(jv text)
{
	const char *s = jv_string_value(text);
	size_t len = jv_bytes(text), from = 0;
	while (from < len && is_space(s[from]))
		from++;
	while (len > from && is_space(s[len - 1]))
		len--;
	return jv_string_sized(s + from, (int)(len - from));
}

static jv append_text(jv out, jv text)
{
	return jv_string_concat(out, text);
}

/* Renders messages[from..n) as Llama-2-chat does; system is the split-off
 * system text or invalid. */
static jv render_llama2(const struct chat_message *m, int n, const char **error)
{
	int from = n > 0 && strcmp(m[0].role, "system") == 0;
	jv system = from ? jv_copy(m[0].text) : jv_invalid();
	jv out = jv_string("");
	for (int i = from; i < n && !*error; i++) {
		int index = i - from;
		if ((strcmp(m[i].role, "user") == 0) != (index % 2 == 0)) {
			*error = ALTERNATE_ERROR;
			break;
		}
		jv content = jv_copy(m[i].text);
		if (index == 0 && jv_is_valid(system)) {
			jv with = jv_string("<<SYS>>\n");
			with = append_text(with, jv_copy(system));
			with = append_text(with, jv_string("\n<</SYS>>\n\n"));
			content = append_text(with, content);
		}
		jv clean = stripped(content);
		jv_free(content);
		if (strcmp(m[i].role, "user") == 0) {
			out = append_text(out, jv_string("<s>[INST] "));
			out = append_text(out, clean);
			out = append_text(out, jv_string(" [/INST]"));
		} else if (strcmp(m[i].role, "assistant") == 0) {
			out = append_text(out, jv_string(" "));
			out = append_text(out, clean);
			out = append_text(out, jv_string(" </s>"));
		} else {
			jv_free(clean);
		}
	}
	jv_free(system);
	return out;
}

static jv render_mistral(const struct chat_message *m, int n, const char **error)
{
	jv out = jv_string("<s>");
	for (int i = 0; i < n; i++) {
		if ((strcmp(m[i].role, "user") == 0) != (i % 2 == 0)) {
			*error = ALTERNATE_ERROR;
			break;
		}
		if (strcmp(m[i].role, "user") == 0) {
			out = append_text(out, jv_string("[INST] "));
			out = append_text(out, jv_copy(m[i].text));
			out = append_text(out, jv_string(" [/INST]"));
		} else if (strcmp(m[i].role, "assistant") == 0) {
			out = append_text(out, jv_copy(m[i].text));
			out = append_text(out, jv_string("</s>"));
		} else {
			*error = "Only user and assistant roles are supported!";
			break;
		}
	}
	return out;
}

static jv render_gemma(const struct chat_message *m, int n, const char **error)
{
	jv out = jv_string("<bos>");
	if (n > 0 && strcmp(m[0].role, "system") == 0) {
		*error = "System role not supported";
		return out;
	}
	for (int i = 0; i < n; i++) {
		if ((strcmp(m[i].role, "user") == 0) != (i % 2 == 0)) {
			*error = ALTERNATE_ERROR;
			break;
		}
		const char *role = strcmp(m[i].role, "assistant") == 0 ? "model" : m[i].role;
		out = append_text(out, jv_string_fmt("<start_of_turn>%s\n", role));
		out = append_text(out, stripped(m[i].text));
		out = append_text(out, jv_string("<end_of_turn>\n"));
	}
	return append_text(out, jv_string("<start_of_turn>model\n"));
}

/* The toolkit's invariant, rendered ChatML-style: a system message only
 * first, then user first, strictly alternating, the user last. */
static jv render_strict(const struct chat_message *m, int n, const char **error)
{
	jv out = jv_string("");
	int turn = 0;
	for (int i = 0; i < n && !*error; i++) {
		if (strcmp(m[i].role, "system") == 0 && i > 0)
			*error = "a system message may only come first";
		else if (strcmp(m[i].role, "system") != 0 && strcmp(m[i].role, "user") != 0 &&
			 strcmp(m[i].role, "assistant") != 0)
			*error = "Only user and assistant roles are supported!";
		else if (strcmp(m[i].role, "system") != 0 && (strcmp(m[i].role, "user") == 0) != (turn++ % 2 == 0))
			*error = ALTERNATE_ERROR;
		if (*error)
			break;
		out = append_text(out, jv_string_fmt("<|im_start|>%s\n", m[i].role));
		out = append_text(out, jv_copy(m[i].text));
		out = append_text(out, jv_string("<|im_end|>\n"));
	}
	if (!*error && turn == 0)
		*error = "there is no user message";
	else if (!*error && turn % 2 == 0)
		*error = "the last message must be the user's";
	return append_text(out, jv_string("<|im_start|>assistant\n"));
}

/* The prompt the model would see, or an invalid jv carrying the template's
 * exception text.  Borrows request. */
static jv render_chat_template(jv request)
{
	jv messages = jv_object_get(jv_copy(request), jv_string("messages"));
	int n = jv_get_kind(messages) == JV_KIND_ARRAY ? jv_array_length(jv_copy(messages)) : 0;
	struct chat_message *m = xmalloc((size_t)(n > 0 ? n : 1) * sizeof *m);
	jv roles = jv_array();
	for (int i = 0; i < n; i++) {
		jv message = jv_array_get(jv_copy(messages), i);
		jv role = jv_get_kind(message) == JV_KIND_OBJECT ? jv_object_get(jv_copy(message), jv_string("role"))
								 : jv_invalid();
		if (jv_get_kind(role) != JV_KIND_STRING) {
			jv_free(role);
			role = jv_string("");
		}
		roles = jv_array_append(roles, role);
		m[i].text = message_text(message);
		jv_free(message);
	}
	for (int i = 0; i < n; i++) {
		jv role = jv_array_get(jv_copy(roles), i);
		m[i].role = jv_string_value(role); /* roles keeps the string alive */
		jv_free(role);
	}
	const char *error = NULL;
	jv prompt;
	switch (config.chat_template) {
	case TEMPLATE_LLAMA2:
		prompt = render_llama2(m, n, &error);
		break;
	case TEMPLATE_MISTRAL:
		prompt = render_mistral(m, n, &error);
		break;
	case TEMPLATE_GEMMA:
		prompt = render_gemma(m, n, &error);
		break;
	default:
		prompt = render_strict(m, n, &error);
		break;
	}
	for (int i = 0; i < n; i++)
		jv_free(m[i].text);
	free(m);
	jv_free(roles);
	jv_free(messages);
	if (error) {
		jv_free(prompt);
		return jv_invalid_with_msg(jv_string(error));
	}
	return prompt;
}

/* ------------------------------------------------------------------ */
/* Embeddings                                                          */
/* ------------------------------------------------------------------ */

/* A unit vector that depends only on the input bytes, so tests can rely
 * on identical inputs giving identical embeddings. */
static jv embedding_vector(const char *data, size_t len)
{
	size_t dim = (size_t)config.embedding_dim;
	double *values = xmalloc(dim * sizeof *values);
	uint64_t state = fnv1a64(data, len);
	double sum_of_squares = 0;
	for (size_t i = 0; i < dim; i++) {
		values[i] = prng_unit(&state) * 2.0 - 1.0;
		sum_of_squares += values[i] * values[i];
	}
	double norm = sqrt(sum_of_squares);
	if (norm == 0) { /* astronomically unlikely, but never divide by 0 */
		values[0] = 1;
		norm = 1;
	}
	jv vector = jv_array_sized((int)dim);
	for (size_t i = 0; i < dim; i++)
		vector = jv_array_append(vector, jv_number(values[i] / norm));
	free(values);
	return vector;
}

/* The "input" member as an array of strings (non-string items, e.g. token
 * arrays, are hashed as their JSON text), or an invalid jv with the 400
 * message.  Borrows request. */
static jv embedding_inputs(jv request)
{
	jv input = jv_object_get(jv_copy(request), jv_string("input"));
	if (jv_get_kind(input) == JV_KIND_STRING)
		return jv_array_append(jv_array(), input);
	int count = jv_get_kind(input) == JV_KIND_ARRAY ? jv_array_length(jv_copy(input)) : 0;
	if (count < 1 || count > MAX_EMBEDDING_INPUTS) {
		jv_free(input);
		return jv_invalid_with_msg(jv_string("'input' must be a string or an array of 1 to 2048 items"));
	}
	jv strings = jv_array();
	for (int i = 0; i < count; i++) {
		jv item = jv_array_get(jv_copy(input), i);
		if (jv_get_kind(item) != JV_KIND_STRING)
			item = jv_dump_string(item, 0);
		strings = jv_array_append(strings, item);
	}
	jv_free(input);
	return strings;
}

/* Consumes input. */
static jv embedding_item(int index, jv input, enum fault variant)
{
	jv item = jv_object_set(jv_object(), jv_string("object"), jv_string("embedding"));
	item = jv_object_set(item, jv_string("index"), jv_number(index));
	jv vector = variant == FAULT_NULL ? jv_null() : embedding_vector(jv_string_value(input), jv_bytes(input));
	item = jv_object_set(item, jv_string("embedding"), vector);
	if (variant == FAULT_EXTRA)
		item = jv_object_set(item, jv_string("extra_field"), extra_field_value());
	jv_free(input);
	return item;
}

/* The reply object, or an invalid jv with the 400 message.  Borrows
 * request. */
static jv build_embeddings(jv request, enum fault variant)
{
	jv model = request_model(request);
	if (!jv_is_valid(model))
		return model;
	jv inputs = embedding_inputs(request);
	if (!jv_is_valid(inputs)) {
		jv_free(model);
		return inputs;
	}

	jv data = jv_array();
	size_t input_bytes = 0;
	int count = jv_array_length(jv_copy(inputs));
	for (int i = 0; i < count; i++) {
		jv input = jv_array_get(jv_copy(inputs), i);
		input_bytes += jv_bytes(input);
		data = jv_array_append(data, embedding_item(i, input, variant));
	}
	jv_free(inputs);

	jv reply = jv_object_set(jv_object(), jv_string("object"), jv_string("list"));
	reply = jv_object_set(reply, jv_string("data"), data);
	reply = jv_object_set(reply, jv_string("model"), model);
	if (variant != FAULT_NOUSAGE) {
		double tokens = (double)token_estimate(input_bytes);
		jv usage = jv_object_set(jv_object(), jv_string("prompt_tokens"), jv_number(tokens));
		usage = jv_object_set(usage, jv_string("total_tokens"), jv_number(tokens));
		reply = jv_object_set(reply, jv_string("usage"), usage);
	}
	if (variant == FAULT_EXTRA)
		reply = jv_object_set(reply, jv_string("system_fingerprint"), jv_string("fp_mock"));
	return reply;
}

/* ------------------------------------------------------------------ */
/* Routing requests                                                    */
/* ------------------------------------------------------------------ */

enum endpoint {
	ENDPOINT_UNKNOWN,
	ENDPOINT_STATS,
	ENDPOINT_CHAT,
	ENDPOINT_EMBEDDINGS,
};

static bool path_ends_with(const char *path, size_t len, const char *suffix)
{
	size_t suffix_len = strlen(suffix);
	return len >= suffix_len && memcmp(path + len - suffix_len, suffix, suffix_len) == 0;
}

static enum endpoint classify_request(const struct request *req)
{
	size_t path_len = strcspn(req->target, "?#");
	bool is_get = strcmp(req->method, "GET") == 0;
	bool is_post = strcmp(req->method, "POST") == 0;
	if (is_get && path_len == 6 && memcmp(req->target, "/stats", 6) == 0)
		return ENDPOINT_STATS;
	if (is_post && path_ends_with(req->target, path_len, "/chat/completions"))
		return ENDPOINT_CHAT;
	if (is_post && path_ends_with(req->target, path_len, "/embeddings"))
		return ENDPOINT_EMBEDDINGS;
	return ENDPOINT_UNKNOWN;
}

/* Request n gets the n-th --faults item; later ones are drawn at random
 * with --fault-rate.  Called exactly once per request, in arrival order,
 * so a given seed always yields the same sequence. */
static enum fault choose_fault(long long n)
{
	if ((unsigned long long)n <= config.fault_list_len)
		return config.fault_list[n - 1];
	if (config.fault_rate <= 0 || config.fault_kinds_len == 0)
		return FAULT_OK;
	if (prng_unit(&server.fault_rng) >= config.fault_rate)
		return FAULT_OK;
	uint64_t pick = prng_next(&server.fault_rng) % config.fault_kinds_len;
	return config.fault_kinds[pick];
}

static bool request_is_authorized(const struct request *req)
{
	if (config.expected_api_key && !(req->api_key && strcmp(req->api_key, config.expected_api_key) == 0))
		return false;
	if (!config.expected_auth)
		return true;
	return req->has_auth && strcmp(req->auth, config.expected_auth) == 0;
}

/* What a provider refuses before anything else (a wrong query, parameters a
 * reasoning model does not take): the reply, or status 0.  Borrows both. */
static struct reply provider_refusal(const struct request *req, jv request)
{
	struct reply none = { .status = 0, .body = jv_null() };
	if (config.expected_query) {
		const char *query = strchr(req->target, '?');
		if (!query || strcmp(query + 1, config.expected_query) != 0)
			return error_reply(404, jv_string("Resource not found"), "invalid_request_error",
					   jv_string("404"));
	}
	if (jv_get_kind(request) != JV_KIND_OBJECT)
		return none;
	if (config.reject_max_tokens && jv_object_has(jv_copy(request), jv_string("max_tokens")))
		return error_reply(400,
				   jv_string("Unsupported parameter: 'max_tokens' is not "
					     "supported with this model. Use "
					     "'max_completion_tokens' instead."),
				   "invalid_request_error", jv_string("unsupported_parameter"));
	jv t = jv_object_get(jv_copy(request), jv_string("temperature"));
	bool bad_temperature = config.reject_temperature && jv_get_kind(t) == JV_KIND_NUMBER && jv_number_value(t) != 1;
	double value = jv_get_kind(t) == JV_KIND_NUMBER ? jv_number_value(t) : 0;
	jv_free(t);
	if (bad_temperature)
		return error_reply(400,
				   jv_string_fmt("Unsupported value: 'temperature' does not "
						 "support %g with this model. Only the "
						 "default (1) value is supported.",
						 value),
				   "invalid_request_error", jv_string("unsupported_value"));
	return none;
}

/* One JSON line per API request.  Header values (the API key!) are never
 * written, only whether Authorization was present.  Borrows parsed. */
static void log_request(long long n, const struct request *req, const char *fault_name, jv parsed, const char *body,
			size_t body_len, jv prompt)
{
	if (!server.log)
		return;
	/* When the request arrived, in seconds since the epoch to the millisecond: what
	 * rate-limit tests measure. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	double t = (double)ts.tv_sec + (double)(ts.tv_nsec / 1000000) / 1000.0;
	jv line = jv_object();
	line = jv_object_set(line, jv_string("n"), jv_number((double)n));
	line = jv_object_set(line, jv_string("t"), jv_number(t));
	line = jv_object_set(line, jv_string("method"), jv_string(req->method));
	line = jv_object_set(line, jv_string("path"), jv_string(req->target));
	line = jv_object_set(line, jv_string("fault"), jv_string(fault_name));
	line = jv_object_set(line, jv_string("auth"), jv_bool(req->has_auth));
	line = jv_object_set(line, jv_string("headers"),
			     jv_is_valid(req->headers) ? jv_copy(req->headers) : jv_object());
	jv logged_body = jv_is_valid(parsed) ? jv_copy(parsed) : jv_string_sized(body, (int)body_len);
	line = jv_object_set(line, jv_string("body"), logged_body);
	if (jv_get_kind(prompt) == JV_KIND_STRING)
		line = jv_object_set(line, jv_string("prompt"), jv_copy(prompt));

	jv text = dump_json_string(line);
	fwrite(jv_string_value(text), 1, jv_bytes(text), server.log);
	fputc('\n', server.log);
	if (fflush(server.log) != 0 && !server.log_failed) {
		warn("writing the log failed: %s", strerror(errno));
		server.log_failed = true;
	}
	jv_free(text);
}

static bool request_flag(jv request, const char *key)
{
	if (jv_get_kind(request) != JV_KIND_OBJECT)
		return false;
	jv v = jv_object_get(jv_copy(request), jv_string(key));
	bool on = jv_get_kind(v) == JV_KIND_TRUE;
	jv_free(v);
	return on;
}

/* "data: JSON\n\n" appended to text; consumes value. */
static jv sse_event(jv text, jv value)
{
	text = jv_string_append_str(text, "data: ");
	text = jv_string_concat(text, dump_json_string(value));
	return jv_string_append_str(text, "\n\n");
}

/* A chunk object of the stream: {id, object, created, model, choices:[{index:0,
 * delta, finish_reason}]}.  Borrows completion; consumes delta and finish. */
static jv stream_chunk(jv completion, jv delta, jv finish)
{
	jv chunk = jv_object();
	const char *keys[] = { "id", "created", "model" };
	for (int i = 0; i < 3; i++)
		chunk = jv_object_set(chunk, jv_string(keys[i]),
				      jv_object_get(jv_copy(completion), jv_string(keys[i])));
	chunk = jv_object_set(chunk, jv_string("object"), jv_string("chat.completion.chunk"));
	jv choice = jv_object_set(jv_object(), jv_string("index"), jv_number(0));
	choice = jv_object_set(choice, jv_string("delta"), delta);
	choice = jv_object_set(choice, jv_string("finish_reason"), finish);
	return jv_object_set(chunk, jv_string("choices"), jv_array_append(jv_array(), choice));
}

/* The text of a message member: a string, or the joined "text" parts of an array. */
static jv member_text(jv message, const char *key)
{
	jv v = jv_object_get(jv_copy(message), jv_string(key));
	if (jv_get_kind(v) == JV_KIND_STRING)
		return v;
	jv text = jv_string("");
	if (jv_get_kind(v) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(v));
		for (int i = 0; i < n; i++) {
			jv part = jv_array_get(jv_copy(v), i);
			jv type = jv_object_get(jv_copy(part), jv_string("type"));
			jv t = jv_object_get(part, jv_string("text"));
			bool is_text =
				jv_get_kind(type) != JV_KIND_STRING || strcmp(jv_string_value(type), "text") == 0;
			if (is_text && jv_get_kind(t) == JV_KIND_STRING)
				text = jv_string_concat(text, t);
			else
				jv_free(t);
			jv_free(type);
		}
	}
	jv_free(v);
	return text;
}

/* The completion as OpenAI streams it: a role chunk, the reasoning and the text
 * in pieces of a word each, the finish chunk, the usage chunk when
 * stream_options.include_usage asks for it, then [DONE].  Consumes completion. */
static jv stream_events(jv completion, bool include_usage)
{
	jv text = jv_string("");
	jv choices = jv_object_get(jv_copy(completion), jv_string("choices"));
	jv choice = jv_array_get(choices, 0);
	if (jv_is_valid(choice)) {
		jv message = jv_object_get(jv_copy(choice), jv_string("message"));
		jv delta = jv_object_set(jv_object(), jv_string("role"), jv_string("assistant"));
		delta = jv_object_set(delta, jv_string("content"), jv_string(""));
		text = sse_event(text, stream_chunk(completion, delta, jv_null()));
		const char *members[] = { "reasoning_content", "content", "refusal" };
		for (int m = 0; m < 3; m++) {
			jv whole = member_text(message, members[m]);
			const char *p = jv_string_value(whole);
			while (*p) {
				size_t len = strcspn(p, " ");
				len += strspn(p + len, " ");
				jv piece =
					jv_object_set(jv_object(), jv_string(members[m]), jv_string_sized(p, (int)len));
				text = sse_event(text, stream_chunk(completion, piece, jv_null()));
				p += len;
			}
			jv_free(whole);
		}
		jv finish = jv_object_get(choice, jv_string("finish_reason"));
		text = sse_event(text, stream_chunk(completion, jv_object(), finish));
		jv_free(message);
	} else {
		jv_free(choice);
	}
	jv usage = jv_object_get(jv_copy(completion), jv_string("usage"));
	if (include_usage && jv_get_kind(usage) == JV_KIND_OBJECT) {
		jv chunk = jv_object_set(stream_chunk(completion, jv_object(), jv_null()), jv_string("choices"),
					 jv_array());
		text = sse_event(text, jv_object_set(chunk, jv_string("usage"), usage));
	} else {
		jv_free(usage);
	}
	jv_free(completion);
	return jv_string_append_str(text, "data: [DONE]\n\n");
}

/* ok, cut, null, nousage, extra: the normal reply (or a 400 when the
 * request body is unusable); streamed when a chat request says "stream": true.
 * Borrows request. */
static struct reply success_reply(enum endpoint endpoint, long long n, jv request, enum fault variant)
{
	jv result = endpoint == ENDPOINT_CHAT ? build_chat_completion(n, request, variant)
					      : build_embeddings(request, variant);
	if (jv_is_valid(result) && endpoint == ENDPOINT_CHAT && request_flag(request, "stream")) {
		jv options = jv_object_get(jv_copy(request), jv_string("stream_options"));
		bool usage = request_flag(options, "include_usage");
		jv_free(options);
		struct reply reply = text_reply(200, stream_events(result, usage));
		reply.stream = true;
		return reply;
	}
	if (jv_is_valid(result))
		return json_reply(200, result);
	return error_reply(400, jv_invalid_get_msg(result), "invalid_request_error", jv_null());
}

static int fault_status(enum fault fault)
{
	switch (fault) {
	case FAULT_500:
		return 500;
	case FAULT_503:
		return 503;
	case FAULT_400:
		return 400;
	case FAULT_401:
		return 401;
	case FAULT_403:
		return 403;
	case FAULT_404:
		return 404;
	case FAULT_408:
		return 408;
	case FAULT_409:
		return 409;
	default:
		return 0;
	}
}

/* Borrows request. */
static struct reply fault_reply(enum endpoint endpoint, long long n, jv request, enum fault fault)
{
	struct reply reply;
	switch (fault) {
	case FAULT_STALL:
		return (struct reply){ .body = jv_null(), .delivery = DELIVER_NEVER };
	case FAULT_EMPTY:
		return (struct reply){ .body = jv_null(), .delivery = DELIVER_NOTHING };
	case FAULT_429:
		reply = rate_limit_reply();
		add_retry_after(&reply);
		return reply;
	case FAULT_429DATE: {
		reply = rate_limit_reply();
		time_t due = time(NULL) + config.retry_after_sec;
		struct tm tm;
		gmtime_r(&due, &tm);
		strftime(reply.extra_headers, sizeof reply.extra_headers, "Retry-After: %a, %d %b %Y %H:%M:%S GMT\r\n",
			 &tm);
		return reply;
	}
	case FAULT_429MS:
		reply = rate_limit_reply();
		snprintf(reply.extra_headers, sizeof reply.extra_headers, "retry-after-ms: %ld\r\n",
			 config.retry_after_sec * 1000);
		return reply;
	case FAULT_QUOTA:
		return quota_reply();
	case FAULT_FLAT:
		return flat_error_reply(400, "bad_request");
	case FAULT_FLAT500:
		return flat_error_reply(500, "server_error");
	case FAULT_MALFORMED:
		return text_reply(200, jv_string("{\"choices\":[{\"message\":{\"content\":\"trunc"));
	case FAULT_CUT:
		reply = success_reply(endpoint, n, request, FAULT_OK);
		reply.delivery = DELIVER_CUT;
		return reply;
	case FAULT_ERROR200:
		return json_reply(
			200, jv_parse("{\"error\":{\"message\":\"Provider returned error: upstream model overloaded\","
				      "\"code\":502,\"metadata\":{\"provider_name\":\"mock\"}}}"));
	case FAULT_ERROR200_400:
		return json_reply(
			200, jv_parse("{\"error\":{\"message\":\"Provider returned error: context length exceeded\","
				      "\"code\":400,\"metadata\":{\"provider_name\":\"mock\"}}}"));
	case FAULT_OK:
	case FAULT_NULL:
	case FAULT_NOUSAGE:
	case FAULT_EXTRA:
	case FAULT_THINK:
	case FAULT_THINKOPEN:
	case FAULT_REASONING:
	case FAULT_LENGTHEMPTY:
	case FAULT_LENGTHTHINK:
	case FAULT_LENGTHCUT:
	case FAULT_BLANK:
	case FAULT_PARTS:
	case FAULT_REFUSAL:
	case FAULT_NOCHOICES:
		return success_reply(endpoint, n, request, fault);
	default:
		return status_fault_reply(fault_status(fault));
	}
}

/* jq 1.6 parses a run of NUL bytes as the number 0; JSON text can never
 * contain a raw NUL, so such bodies are simply not JSON. */
static jv parse_json_body(const char *body, size_t body_len)
{
	if (memchr(body, '\0', body_len) != NULL)
		return jv_invalid_with_msg(jv_string("NUL byte in body"));
	return parse_json(body, body_len);
}

/* A chat or embeddings request: count it, pick its fault, log it and build
 * the reply. */
static struct reply receive_api_request(struct connection *c, enum endpoint endpoint, const char *body, size_t body_len)
{
	long long n = ++server.requests;
	c->counted = true;
	server.in_flight++;
	if (server.in_flight > server.max_in_flight)
		server.max_in_flight = server.in_flight;

	enum fault fault = choose_fault(n);
	jv request = parse_json_body(body, body_len);
	bool authorized = request_is_authorized(&c->req);
	/* The template is applied before anything else the server does. */
	jv prompt = jv_invalid();
	if (config.chat_template != TEMPLATE_NONE && endpoint == ENDPOINT_CHAT &&
	    jv_get_kind(request) == JV_KIND_OBJECT)
		prompt = render_chat_template(request);
	bool refused = !jv_is_valid(prompt) && jv_invalid_has_msg(jv_copy(prompt));
	struct reply refusal = provider_refusal(&c->req, request);
	const char *logged_fault = !authorized      ? "auth"
				   : refusal.status ? "provider"
				   : refused        ? "template"
						    : fault_names[fault];
	log_request(n, &c->req, logged_fault, request, body, body_len, prompt);
	struct reply reply;
	if (!authorized || fault == FAULT_401) {
		reply = invalid_key_reply(&c->req);
	} else if (refusal.status) {
		reply = refusal;
		refusal.body = jv_null();
	} else if (refused) {
		reply = error_reply(400, jv_invalid_get_msg(prompt), "invalid_request_error", jv_null());
	} else {
		reply = fault_reply(endpoint, n, request, fault);
	}
	if (!refused)
		jv_free(prompt);
	jv_free(refusal.body);
	jv_free(request);
	return reply;
}

/* ------------------------------------------------------------------ */
/* Sending replies                                                     */
/* ------------------------------------------------------------------ */

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 408:
		return "Request Timeout";
	case 409:
		return "Conflict";
	case 411:
		return "Length Required";
	case 413:
		return "Payload Too Large";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Unknown";
	}
}

/* When the request being answered arrived: the kernel's stamp of its last bytes. */
static long long arrival(const struct connection *c, long long now)
{
	return c->arrived_us > 0 && c->arrived_us <= now ? c->arrived_us : now;
}

/* An event stream: the headers now, the events one by one (PHASE_STREAM), the
 * first after --latency-ms, each next after --stream-delay-ms; the body ends when
 * the connection closes.  A cut stream stops halfway.  Consumes reply->body. */
static bool queue_stream(struct connection *c, struct reply *reply, long long now)
{
	size_t body_len = jv_bytes(reply->body);
	size_t sent_len = reply->delivery == DELIVER_CUT ? body_len / 2 : body_len;
	static const char head[] = "HTTP/1.1 200 OK\r\n"
				   "Content-Type: text/event-stream\r\n"
				   "Cache-Control: no-cache\r\n"
				   "Connection: close\r\n\r\n";
	bool ok = buffer_append(&c->out, head, sizeof head - 1) &&
		  buffer_append(&c->delayed, jv_string_value(reply->body), sent_len);
	jv_free(reply->body);
	c->phase = PHASE_STREAM;
	c->deadline_us = arrival(c, now) + config.latency_ms * 1000;
	return ok;
}

/* The next event of a stream is due: into the output buffer. */
static bool release_stream_event(struct connection *c, long long now)
{
	const char *end = memmem(c->delayed.data, c->delayed.len, "\n\n", 2);
	size_t len = end ? (size_t)(end - c->delayed.data) + 2 : c->delayed.len;
	bool ok = buffer_append(&c->out, c->delayed.data, len);
	buffer_consume(&c->delayed, len);
	if (c->delayed.len == 0) {
		buffer_release(&c->delayed);
		c->phase = PHASE_WRITE;
	}
	c->deadline_us = now + config.stream_delay_ms * 1000;
	return ok;
}

/* Formats the reply into the output buffer, or into the delayed buffer if
 * latency applies.  Consumes reply->body.  False on allocation failure. */
static bool queue_reply(struct connection *c, struct reply *reply, bool delayed, long long now)
{
	if (reply->delivery == DELIVER_CUT || !c->req.keep_alive || c->peer_eof || reply->stream)
		c->close_after_reply = true;
	if (reply->stream)
		return queue_stream(c, reply, now);
	size_t body_len = jv_bytes(reply->body);
	size_t sent_len = reply->delivery == DELIVER_CUT ? body_len / 2 : body_len;
	if (strcmp(c->req.method, "HEAD") == 0)
		sent_len = 0; /* HEAD replies carry headers only */

	char head[512];
	int head_len = snprintf(head, sizeof head,
				"HTTP/1.1 %d %s\r\n"
				"Content-Type: application/json\r\n"
				"Content-Length: %zu\r\n"
				"%s"
				"Connection: %s\r\n\r\n",
				reply->status, reason_phrase(reply->status), body_len, reply->extra_headers,
				c->close_after_reply ? "close" : "keep-alive");
	struct buffer *target = delayed ? &c->delayed : &c->out;
	bool ok = buffer_append(target, head, (size_t)head_len) &&
		  buffer_append(target, jv_string_value(reply->body), sent_len);
	jv_free(reply->body);
	if (delayed) {
		c->phase = PHASE_DELAY;
		c->deadline_us = arrival(c, now) + config.latency_ms * 1000;
	} else {
		c->phase = PHASE_WRITE;
	}
	return ok;
}

/* Malformed or oversized requests: answer at once and close, since the
 * rest of the byte stream cannot be trusted. */
static bool reject_request(struct connection *c, int status, long long now)
{
	const char *message = status == 413   ? "request body too large"
			      : status == 411 ? "chunked request bodies are not supported"
			      : status == 431 ? "request headers too large"
					      : "malformed HTTP request";
	struct reply reply = simple_error_reply(status, message);
	c->req.keep_alive = false;
	if (c->req.method[0] == '\0')
		strcpy(c->req.method, "POST"); /* anything but HEAD: send the body */
	bool ok = queue_reply(c, &reply, false, now);
	buffer_consume(&c->in, c->in.len);
	request_reset(&c->req);
	return ok;
}

/* The latency timer fired: hand the reply to the output buffer. */
static bool release_delayed_reply(struct connection *c)
{
	bool ok = buffer_append(&c->out, c->delayed.data, c->delayed.len);
	buffer_release(&c->delayed);
	c->phase = PHASE_WRITE;
	return ok;
}

/* The whole reply reached the kernel. */
static void finish_reply(struct connection *c, long long now)
{
	mark_answered(c);
	if (!c->close_after_reply) {
		c->phase = PHASE_READ;
		return;
	}
	/* Half-close and drain: closing with unread input would make the kernel
     * send RST, which can destroy the reply before the client reads it. */
	shutdown(c->fd, SHUT_WR);
	buffer_consume(&c->in, c->in.len);
	c->phase = PHASE_LINGER;
	c->deadline_us = now + LINGER_US;
}

/* ------------------------------------------------------------------ */
/* Request processing                                                  */
/* ------------------------------------------------------------------ */

enum progress {
	PROGRESS_NEED_MORE, /* wait for more input */
	PROGRESS_HANDLED, /* a request (or rejection) was handled */
	PROGRESS_CLOSE, /* close the connection now */
};

/* A complete request sits at the start of the input buffer. */
static enum progress handle_request(struct connection *c, long long now)
{
	enum endpoint endpoint = classify_request(&c->req);
	const char *body = c->in.data + c->req.header_len;
	size_t body_len = c->req.body_len;
	bool delayed = config.latency_ms > 0;
	struct reply reply;

	if (endpoint == ENDPOINT_STATS) {
		reply = stats_reply();
		delayed = false; /* /stats must reflect the moment it is asked */
	} else if (endpoint == ENDPOINT_UNKNOWN) {
		reply = simple_error_reply(404, "unknown path");
	} else {
		reply = receive_api_request(c, endpoint, body, body_len);
	}

	bool keep = true;
	if (reply.delivery == DELIVER_NEVER) {
		jv_free(reply.body);
		c->phase = PHASE_STALL;
	} else if (reply.delivery == DELIVER_NOTHING) {
		jv_free(reply.body);
		mark_answered(c);
		keep = false;
	} else {
		keep = queue_reply(c, &reply, delayed, now);
	}
	buffer_consume(&c->in, c->req.header_len + body_len);
	request_reset(&c->req);
	return keep ? PROGRESS_HANDLED : PROGRESS_CLOSE;
}

/* Tolerate blank lines between requests (RFC 9112, section 2.2). */
static void skip_leading_blank_lines(struct connection *c)
{
	size_t blanks = 0;
	while (blanks < c->in.len && (c->in.data[blanks] == '\r' || c->in.data[blanks] == '\n'))
		blanks++;
	buffer_consume(&c->in, blanks);
}

/* libcurl waits up to a second for this before sending a large body. */
static bool send_continue_if_expected(struct connection *c)
{
	if (!c->req.expect_continue || c->req.continue_sent)
		return true;
	c->req.continue_sent = true;
	static const char interim[] = "HTTP/1.1 100 Continue\r\n\r\n";
	return buffer_append(&c->out, interim, sizeof interim - 1);
}

static enum progress process_input(struct connection *c, long long now)
{
	if (!c->req.headers_done) {
		skip_leading_blank_lines(c);
		size_t scan = c->in.len < MAX_HEADER_BYTES ? c->in.len : MAX_HEADER_BYTES;
		size_t header_end = find_header_end(c->in.data, scan);
		if (header_end == 0) {
			if (c->in.len < MAX_HEADER_BYTES)
				return PROGRESS_NEED_MORE;
			return reject_request(c, 431, now) ? PROGRESS_HANDLED : PROGRESS_CLOSE;
		}
		int status = parse_header_block(&c->req, c->in.data, header_end);
		if (status != 0)
			return reject_request(c, status, now) ? PROGRESS_HANDLED : PROGRESS_CLOSE;
		c->req.headers_done = true;
		c->req.header_len = header_end;
	}
	size_t needed = c->req.header_len + c->req.body_len;
	if (c->in.len < needed) {
		/* Room for the whole body at once, not a series of doublings. */
		if (!buffer_reserve(&c->in, needed - c->in.len) || !send_continue_if_expected(c))
			return PROGRESS_CLOSE;
		return PROGRESS_NEED_MORE;
	}
	return handle_request(c, now);
}

/* Moves the connection forward as far as possible without blocking.
 * Returns false when it should be closed. */
static bool advance_connection(struct connection *c, long long now)
{
	for (;;) {
		if (c->phase == PHASE_DELAY && now >= c->deadline_us && !release_delayed_reply(c))
			return false;
		if (c->phase == PHASE_STREAM && now >= c->deadline_us && !release_stream_event(c, now))
			return false;
		if (!flush_output(c))
			return false;
		if (c->out.len > 0)
			return true; /* socket full; wait for POLLOUT */
		switch (c->phase) {
		case PHASE_WRITE:
			finish_reply(c, now);
			continue;
		case PHASE_LINGER:
			return !c->peer_eof && now < c->deadline_us;
		case PHASE_STALL:
			buffer_consume(&c->in, c->in.len);
			return !c->peer_eof;
		case PHASE_DELAY:
		case PHASE_STREAM:
			return true;
		case PHASE_READ:
			break;
		}
		enum progress progress = process_input(c, now);
		if (progress == PROGRESS_CLOSE)
			return false;
		if (progress == PROGRESS_NEED_MORE) /* flush: maybe 100 Continue */
			return !c->peer_eof && flush_output(c);
	}
}

/* Returns false when the connection should be closed. */
static bool service_connection(struct connection *c, short revents, long long now)
{
	/* POLLHUP on TCP means both directions are gone: nobody to answer. */
	if (revents & (POLLERR | POLLHUP | POLLNVAL))
		return false;
	if ((revents & POLLIN) && !read_input(c))
		return false;
	return advance_connection(c, now);
}

static bool is_timed(const struct connection *c)
{
	return c->phase == PHASE_DELAY || c->phase == PHASE_LINGER || c->phase == PHASE_STREAM;
}

/* ------------------------------------------------------------------ */
/* Timers: a min-heap of connections on deadline_us                    */
/* ------------------------------------------------------------------ */

#define NO_TIMER SIZE_MAX

static void timer_place(struct connection *c, size_t at)
{
	server.timers[at] = c;
	c->timer_index = at;
}

static void timer_sift_up(size_t at)
{
	struct connection *c = server.timers[at];
	while (at > 0) {
		size_t parent = (at - 1) / 2;
		if (server.timers[parent]->deadline_us <= c->deadline_us)
			break;
		timer_place(server.timers[parent], at);
		at = parent;
	}
	timer_place(c, at);
}

static void timer_sift_down(size_t at)
{
	struct connection *c = server.timers[at];
	for (;;) {
		size_t child = 2 * at + 1;
		if (child >= server.timer_count)
			break;
		if (child + 1 < server.timer_count &&
		    server.timers[child + 1]->deadline_us < server.timers[child]->deadline_us)
			child++;
		if (server.timers[child]->deadline_us >= c->deadline_us)
			break;
		timer_place(server.timers[child], at);
		at = child;
	}
	timer_place(c, at);
}

static void timer_remove(struct connection *c)
{
	size_t at = c->timer_index;
	if (at == NO_TIMER)
		return;
	c->timer_index = NO_TIMER;
	struct connection *last = server.timers[--server.timer_count];
	if (last == c)
		return;
	timer_place(last, at);
	timer_sift_down(at);
	timer_sift_up(last->timer_index);
}

/* Keep c in the heap while its phase waits for deadline_us, at its place. */
static void timer_update(struct connection *c)
{
	if (!is_timed(c)) {
		timer_remove(c);
		return;
	}
	if (c->timer_index == NO_TIMER) {
		if (server.timer_count == server.timer_cap) {
			server.timer_cap = server.timer_cap ? server.timer_cap * 2 : 64;
			server.timers = realloc(server.timers, server.timer_cap * sizeof *server.timers);
			if (!server.timers)
				die("out of memory for timers");
		}
		timer_place(c, server.timer_count++);
		timer_sift_up(c->timer_index);
		return;
	}
	timer_sift_down(c->timer_index);
	timer_sift_up(c->timer_index);
}

/* ------------------------------------------------------------------ */
/* Listening socket and event loop                                     */
/* ------------------------------------------------------------------ */

/* The listener's epoll tag: connections are tagged with their own address. */
static char listener_tag;

static void watch(int op, int fd, uint32_t events, void *tag)
{
	struct epoll_event ev = { .events = events, .data.ptr = tag };
	if (epoll_ctl(server.epoll_fd, op, fd, &ev) < 0)
		die("epoll_ctl: %s", strerror(errno));
}

/* Ask epoll for what the connection waits for now (poll_events). */
static void rewatch(struct connection *c)
{
	short events = poll_events(c);
	uint32_t wanted = ((events & POLLIN) ? EPOLLIN : 0) | ((events & POLLOUT) ? EPOLLOUT : 0);
	if (wanted != c->watched) {
		watch(EPOLL_CTL_MOD, c->fd, wanted, c);
		c->watched = wanted;
	}
}

static bool add_connection(int fd)
{
	if (server.conn_count == server.conn_cap) {
		size_t cap = server.conn_cap ? server.conn_cap * 2 : 64;
		struct connection **conns = realloc(server.conns, cap * sizeof *conns);
		if (!conns)
			return false;
		server.conns = conns;
		server.conn_cap = cap;
	}
	struct connection *c = calloc(1, sizeof *c);
	if (!c)
		return false;
	c->fd = fd;
	c->phase = PHASE_READ;
	c->timer_index = NO_TIMER;
	c->index = server.conn_count;
	server.conns[server.conn_count++] = c;
	c->watched = EPOLLIN;
	watch(EPOLL_CTL_ADD, fd, c->watched, c);
	return true;
}

static void remove_connection(struct connection *c)
{
	timer_remove(c);
	struct connection *last = server.conns[--server.conn_count];
	server.conns[c->index] = last;
	last->index = c->index;
	connection_free(c); /* closing the socket takes it out of epoll */
}

static void set_listening(bool on)
{
	if (on != server.listening)
		watch(EPOLL_CTL_MOD, server.listen_fd, on ? EPOLLIN : 0, &listener_tag);
	server.listening = on;
}

static void accept_connections(long long now)
{
	for (;;) {
		int fd = accept4(server.listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* Retrying at once would spin; the backlog holds them. */
				warn("accept: %s; pausing", strerror(errno));
				server.accept_paused_until = now + ACCEPT_PAUSE_US;
				set_listening(false);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				warn("accept: %s", strerror(errno));
			}
			return;
		}
		/* Replies go out in one write; don't let Nagle hold them back. */
		int one = 1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);
		if (!add_connection(fd)) {
			warn("out of memory for a new connection");
			close(fd);
		}
	}
}

/* How long the wait may last: until the earliest deadline, or for ever (NULL). */
static struct timespec *wait_time(long long now, struct timespec *ts)
{
	long long earliest = server.timer_count ? server.timers[0]->deadline_us : -1;
	if (!server.listening && (earliest < 0 || server.accept_paused_until < earliest))
		earliest = server.accept_paused_until;
	if (earliest < 0)
		return NULL;
	long long wait = earliest > now ? earliest - now : 0;
	ts->tv_sec = (time_t)(wait / 1000000);
	ts->tv_nsec = (long)(wait % 1000000) * 1000;
	return ts;
}

/* epoll_pwait2 waits to the microsecond; a kernel without it (before 5.11)
 * gets epoll_pwait's whole milliseconds, rounded up so no reply is early. */
static int wait_events(struct epoll_event *events, const struct timespec *ts, const sigset_t *wait_mask)
{
	static bool no_pwait2;
	if (!no_pwait2) {
		int n = epoll_pwait2(server.epoll_fd, events, MAX_EVENTS, ts, wait_mask);
		if (n >= 0 || errno != ENOSYS)
			return n;
		no_pwait2 = true;
	}
	int ms = ts ? (int)(ts->tv_sec * 1000 + (ts->tv_nsec + 999999) / 1000000) : -1;
	return epoll_pwait(server.epoll_fd, events, MAX_EVENTS, ms, wait_mask);
}

static bool max_requests_reached(void)
{
	return config.max_requests > 0 && server.answered >= config.max_requests;
}

static void service(struct connection *c, short revents, long long now)
{
	if (!service_connection(c, revents, now)) {
		remove_connection(c);
		return;
	}
	timer_update(c);
	rewatch(c);
}

/* The connections whose deadline has come, each serviced once. */
static void service_due(long long now)
{
	struct connection *due[MAX_EVENTS];
	size_t n = 0;
	while (n < MAX_EVENTS && server.timer_count && server.timers[0]->deadline_us <= now) {
		due[n] = server.timers[0];
		timer_remove(due[n++]);
	}
	for (size_t i = 0; i < n; i++)
		service(due[i], 0, now);
}

static void run_event_loop(const sigset_t *wait_mask)
{
	struct epoll_event events[MAX_EVENTS];
	while (!stop_requested && !max_requests_reached()) {
		struct timespec ts;
		int ready = wait_events(events, wait_time(now_us(), &ts), wait_mask);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			warn("epoll_wait: %s", strerror(errno));
			break;
		}
		long long now = now_us();
		bool accepting = false;
		for (int i = 0; i < ready; i++) {
			if (events[i].data.ptr == &listener_tag) {
				accepting = true;
				continue;
			}
			uint32_t e = events[i].events;
			short revents = (short)(((e & EPOLLIN) ? POLLIN : 0) | ((e & EPOLLOUT) ? POLLOUT : 0) |
						((e & EPOLLERR) ? POLLERR : 0) | ((e & EPOLLHUP) ? POLLHUP : 0));
			service(events[i].data.ptr, revents, now);
		}
		service_due(now);
		if (!server.listening && now >= server.accept_paused_until)
			set_listening(true);
		if (accepting)
			accept_connections(now);
	}
}

static int open_listener(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	struct sockaddr_in addr = { .sin_family = AF_INET,
				    .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				    .sin_port = htons((uint16_t)config.port) };
	/* A restarted server binds its old port while the old connections linger. */
	int on = 1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
	if (bind(fd, (struct sockaddr *)&addr, sizeof addr) < 0)
		die("bind: %s", strerror(errno));
	/* Large backlog: tests open hundreds of connections at once. */
	if (listen(fd, 4096) < 0)
		die("listen: %s", strerror(errno));
	return fd;
}

static int listener_port(int fd)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof addr;
	if (getsockname(fd, (struct sockaddr *)&addr, &len) < 0)
		die("getsockname: %s", strerror(errno));
	return ntohs(addr.sin_port);
}

/* Write FILE.tmp then rename, so a reader never sees a partial number. */
static void write_port_file(const char *path, int port)
{
	size_t len = strlen(path) + sizeof ".tmp";
	char *tmp_path = xmalloc(len);
	snprintf(tmp_path, len, "%s.tmp", path);
	FILE *file = fopen(tmp_path, "w");
	if (!file)
		die("cannot write %s: %s", tmp_path, strerror(errno));
	bool ok = fprintf(file, "%d\n", port) > 0;
	ok = (fclose(file) == 0) && ok;
	if (!ok || rename(tmp_path, path) != 0)
		die("cannot write %s: %s", path, strerror(errno));
	free(tmp_path);
}

/* ------------------------------------------------------------------ */
/* Signals and resources                                               */
/* ------------------------------------------------------------------ */

static void on_stop_signal(int signo)
{
	(void)signo;
	stop_requested = 1;
}

/* SIGTERM/SIGINT stay blocked except inside ppoll(), so a signal can
 * never slip in between checking stop_requested and going to sleep. */
static void setup_signals(sigset_t *wait_mask)
{
	struct sigaction action;
	memset(&action, 0, sizeof action);
	action.sa_handler = on_stop_signal;
	sigemptyset(&action.sa_mask);
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigprocmask(SIG_BLOCK, &blocked, wait_mask);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
}

/* Hundreds of concurrent connections may exceed a soft limit of 1024. */
static void raise_file_limit(void)
{
	struct rlimit limit;
	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);
	}
}

static void shut_down(void)
{
	while (server.conn_count > 0)
		remove_connection(server.conns[server.conn_count - 1]);
	free(server.conns);
	free(server.timers);
	if (server.epoll_fd >= 0)
		close(server.epoll_fd);
	if (server.listen_fd >= 0)
		close(server.listen_fd);
	if (server.log && fclose(server.log) != 0)
		warn("closing the log failed: %s", strerror(errno));
	free(config.fault_list);
	free(config.fault_kinds);
	free(config.expected_auth);
	free_string_cache();
}

/* ------------------------------------------------------------------ */
/* Command line                                                        */
/* ------------------------------------------------------------------ */

/* --replies FILE: one reply per line, in the order the chat requests arrive. */
static void read_replies(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "mock-server: cannot open '%s'\n", path);
		exit(2);
	}
	char line[65536];
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		config.replies = realloc(config.replies, (config.replies_len + 1) * sizeof *config.replies);
		config.replies[config.replies_len++] = strdup(line);
	}
	fclose(f);
	if (!config.replies_len) {
		fprintf(stderr, "mock-server: '%s' has no replies\n", path);
		exit(2);
	}
}

static void usage(FILE *out)
{
	fputs("usage: mock-server --port-file FILE [--port N] [--latency-ms N] [--log FILE]\n"
	      "         [--faults LIST] [--fault-rate P --fault-kinds LIST"
	      " [--fault-seed S]]\n"
	      "         [--retry-after SEC] [--reply TEXT] [--replies FILE] [--embedding-dim N]\n"
	      "         [--expect-key-env NAME] [--max-requests N] [--first-request N]\n"
	      "         [--chat-template strict|llama2|mistral|gemma]\n"
	      "         [--expect-api-key-env NAME] [--expect-query QUERY]\n"
	      "         [--reject-max-tokens] [--reject-temperature]"
	      " [--stream-delay-ms N] [--dialog]\n"
	      "fault kinds: ok 429 429ms quota 500 503 400 401 403 404 408 409\n"
	      "             flat flat500 stall cut malformed null nousage extra"
	      " empty\n"
	      "             think thinkopen reasoning lengthempty lengththink lengthcut\n"
	      "             blank error200 error200-400 parts refusal nochoices"
	      " 429date\n",
	      out);
}

static long parse_long_option(const char *name, const char *text, long min, long max)
{
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || value < min || value > max)
		die("%s: expected an integer from %ld to %ld, got '%s'", name, min, max, text);
	return value;
}

static double parse_probability(const char *text)
{
	char *end;
	errno = 0;
	double value = strtod(text, &end);
	if (errno != 0 || end == text || *end != '\0' || !(value >= 0 && value <= 1))
		die("--fault-rate: expected a number from 0 to 1, got '%s'", text);
	return value;
}

static uint64_t parse_seed(const char *text)
{
	char *end;
	errno = 0;
	unsigned long long value = strtoull(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || text[0] == '-')
		die("--fault-seed: expected a non-negative integer, got '%s'", text);
	return value;
}

static enum fault parse_fault_name(const char *name, size_t len)
{
	for (int i = 0; i < FAULT_COUNT; i++)
		if (strlen(fault_names[i]) == len && strncmp(fault_names[i], name, len) == 0)
			return (enum fault)i;
	die("unknown fault kind '%.*s'", (int)len, name);
	return FAULT_OK; /* not reached */
}

/* "429, ok,stall" -> array of faults; spaces around items are ignored. */
static enum fault *parse_fault_list(const char *text, size_t *count)
{
	size_t items = 1;
	for (const char *p = text; *p; p++)
		items += *p == ',';
	enum fault *faults = xmalloc(items * sizeof *faults);
	const char *item = text;
	for (size_t i = 0; i < items; i++) {
		const char *comma = strchr(item, ',');
		size_t len = comma ? (size_t)(comma - item) : strlen(item);
		const char *name = item;
		trim_spaces(&name, &len);
		faults[i] = parse_fault_name(name, len);
		item = comma ? comma + 1 : item + len;
	}
	*count = items;
	return faults;
}

/* Matches "--name VALUE" and "--name=VALUE"; advances *index past it. */
static bool take_option(int argc, char **argv, int *index, const char *name, const char **value)
{
	const char *arg = argv[*index];
	size_t name_len = strlen(name);
	if (strncmp(arg, name, name_len) != 0)
		return false;
	if (arg[name_len] == '=') {
		*value = arg + name_len + 1;
		return true;
	}
	if (arg[name_len] != '\0')
		return false;
	if (*index + 1 >= argc)
		die("%s needs a value", name);
	*value = argv[++*index];
	return true;
}

static void set_expected_key(const char *env_name)
{
	const char *key = getenv(env_name);
	if (!key)
		die("--expect-key-env: environment variable %s is not set", env_name);
	size_t len = strlen("Bearer ") + strlen(key) + 1;
	config.expected_auth = xmalloc(len);
	snprintf(config.expected_auth, len, "Bearer %s", key);
}

static void parse_arguments(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *v;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stderr);
			exit(0);
		} else if (take_option(argc, argv, &i, "--port-file", &v)) {
			config.port_file = v;
		} else if (take_option(argc, argv, &i, "--port", &v)) {
			config.port = parse_long_option("--port", v, 1, 65535);
		} else if (take_option(argc, argv, &i, "--first-request", &v)) {
			config.first_request = parse_long_option("--first-request", v, 1, LONG_MAX);
		} else if (take_option(argc, argv, &i, "--latency-ms", &v)) {
			config.latency_ms = parse_long_option("--latency-ms", v, 0, 3600000);
		} else if (take_option(argc, argv, &i, "--stream-delay-ms", &v)) {
			config.stream_delay_ms = parse_long_option("--stream-delay-ms", v, 0, 3600000);
		} else if (take_option(argc, argv, &i, "--log", &v)) {
			config.log_path = v;
		} else if (take_option(argc, argv, &i, "--faults", &v)) {
			free(config.fault_list);
			config.fault_list = parse_fault_list(v, &config.fault_list_len);
		} else if (take_option(argc, argv, &i, "--fault-rate", &v)) {
			config.fault_rate = parse_probability(v);
		} else if (take_option(argc, argv, &i, "--fault-kinds", &v)) {
			free(config.fault_kinds);
			config.fault_kinds = parse_fault_list(v, &config.fault_kinds_len);
		} else if (take_option(argc, argv, &i, "--fault-seed", &v)) {
			config.fault_seed = parse_seed(v);
		} else if (take_option(argc, argv, &i, "--retry-after", &v)) {
			config.retry_after_sec = parse_long_option("--retry-after", v, 0, 86400 * 365);
		} else if (take_option(argc, argv, &i, "--reply", &v)) {
			config.reply_text = v;
		} else if (take_option(argc, argv, &i, "--replies", &v)) {
			read_replies(v);
		} else if (take_option(argc, argv, &i, "--embedding-dim", &v)) {
			config.embedding_dim = parse_long_option("--embedding-dim", v, 1, MAX_EMBEDDING_DIM);
		} else if (take_option(argc, argv, &i, "--expect-key-env", &v)) {
			free(config.expected_auth);
			set_expected_key(v);
		} else if (take_option(argc, argv, &i, "--expect-api-key-env", &v)) {
			const char *key = getenv(v);
			if (!key)
				die("--expect-api-key-env: environment variable %s is not set", v);
			free(config.expected_api_key);
			config.expected_api_key = strdup(key);
		} else if (take_option(argc, argv, &i, "--expect-query", &v)) {
			config.expected_query = v;
		} else if (strcmp(argv[i], "--reject-max-tokens") == 0) {
			config.reject_max_tokens = true;
		} else if (strcmp(argv[i], "--reject-temperature") == 0) {
			config.reject_temperature = true;
		} else if (strcmp(argv[i], "--dialog") == 0) {
			config.dialog = true;
		} else if (take_option(argc, argv, &i, "--chat-template", &v)) {
			if (strcmp(v, "strict") == 0)
				config.chat_template = TEMPLATE_STRICT;
			else if (strcmp(v, "llama2") == 0)
				config.chat_template = TEMPLATE_LLAMA2;
			else if (strcmp(v, "mistral") == 0)
				config.chat_template = TEMPLATE_MISTRAL;
			else if (strcmp(v, "gemma") == 0)
				config.chat_template = TEMPLATE_GEMMA;
			else
				die("--chat-template: expected strict, llama2, mistral or gemma, got '%s'", v);
		} else if (take_option(argc, argv, &i, "--max-requests", &v)) {
			config.max_requests = parse_long_option("--max-requests", v, 0, LONG_MAX);
		} else {
			usage(stderr);
			die("unknown argument '%s'", argv[i]);
		}
	}
	if (!config.port_file)
		die("--port-file is required");
	if (config.fault_rate > 0 && config.fault_kinds_len == 0)
		die("--fault-rate needs --fault-kinds");
}

int main(int argc, char **argv)
{
	parse_arguments(argc, argv);
	server.fault_rng = config.fault_seed;
	if (config.first_request > 0)
		server.requests = config.first_request - 1;
	if (config.log_path) {
		server.log = fopen(config.log_path, "a");
		if (!server.log)
			die("cannot open log %s: %s", config.log_path, strerror(errno));
	}
	raise_file_limit();
	sigset_t wait_mask;
	setup_signals(&wait_mask);

	server.epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (server.epoll_fd < 0)
		die("epoll_create1: %s", strerror(errno));
	server.listen_fd = open_listener();
	watch(EPOLL_CTL_ADD, server.listen_fd, EPOLLIN, &listener_tag);
	server.listening = true;
	write_port_file(config.port_file, listener_port(server.listen_fd));
	run_event_loop(&wait_mask);
	shut_down();
	return 0;
}
