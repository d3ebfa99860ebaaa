#include <string.h>

#include "buf.h"
#include "jsonl.h"
#include "jvutil.h"
#include "msg.h"
#include "dialog_redact.h"
#include "redact.h"
#include "stream.h"
#include "tool.h"

/* The order of the kinds in "redact" and in the summary. */
static const enum redact_kind shown[REDACT_KINDS] = { REDACT_EMAIL, REDACT_PHONE, REDACT_URL, REDACT_NUMBER };

void redact_options_init(struct redact_options *o)
{
	memset(o, 0, sizeof *o);
	o->kinds = REDACT_ALL;
}

int redact_parse_kinds(const char *arg, void *target)
{
	unsigned kinds = 0;
	const char *p = arg;
	for (;;) {
		size_t n = strcspn(p, ",");
		int kind = redact_kind_of(p, n);
		if (kind < 0) {
			errorf("unknown kind '%.*s' for --only (expected email, phone, url or number)",
			       (int)(n > 100 ? 100 : n), p);
			return -1;
		}
		kinds |= REDACT_BIT(kind);
		if (p[n] != ',')
			break;
		p += n + 1;
	}
	*(unsigned *)target = kinds;
	return 0;
}

struct redact_run {
	struct jsonl_reader *in;
	unsigned kinds;
	struct buf text;
	uint64_t conversations, with_matches, replaced[REDACT_KINDS];
};

/* The turn with its text redacted, counting into counts. Consumes turn. */
static jv redact_turn(struct redact_run *run, jv turn, uint64_t *counts)
{
	if (jvu_kind_borrow(turn, "text") != JV_KIND_STRING)
		return turn;
	jv text = jvu_get_borrow(turn, "text");
	buf_reset(&run->text);
	size_t n = redact_text(jv_string_value(text), (size_t)jv_string_length_bytes(jv_copy(text)), run->kinds,
			       &run->text, counts);
	jv_free(text);
	if (n == 0)
		return turn;
	return jvu_set(turn, "text", jv_string_sized(run->text.data, (int)run->text.len));
}

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct redact_run *run = ctx;
	if (!stream_require(st, seq, run->in, record, "turns", JV_KIND_ARRAY))
		return;
	run->conversations++;
	uint64_t counts[REDACT_KINDS] = { 0 };
	jv turns = jvu_get_borrow(record, "turns");
	int nturns = jv_array_length(jv_copy(turns));
	uint64_t before = 0;
	for (int i = 0; i < nturns; i++) {
		jv turn = redact_turn(run, jv_array_get(jv_copy(turns), i), counts);
		uint64_t now = counts[0] + counts[1] + counts[2] + counts[3];
		if (now > before)
			turns = jv_array_set(turns, i, turn);
		else
			jv_free(turn);
		before = now;
	}
	if (before) {
		run->with_matches++;
		record = jvu_set(record, "turns", turns);
	} else {
		jv_free(turns);
	}
	jv summary = jv_object();
	for (int k = 0; k < REDACT_KINDS; k++) {
		enum redact_kind kind = shown[k];
		if (!(run->kinds & REDACT_BIT(kind)))
			continue;
		run->replaced[kind] += counts[kind];
		summary = jv_object_set(summary, jv_string(redact_kind_name(kind)), jv_number((double)counts[kind]));
	}
	stream_emit(st, seq, jvu_set(record, "redact", summary));
}

static void report(const struct redact_run *run)
{
	struct buf b = BUF_INIT;
	uint64_t total = 0;
	for (int k = 0; k < REDACT_KINDS; k++)
		total += run->replaced[k];
	buf_addf(&b, "%llu conversations, %llu with matches, %llu replaced (", (unsigned long long)run->conversations,
		 (unsigned long long)run->with_matches, (unsigned long long)total);
	const char *sep = "";
	for (int k = 0; k < REDACT_KINDS; k++) {
		enum redact_kind kind = shown[k];
		if (!(run->kinds & REDACT_BIT(kind)))
			continue;
		buf_addf(&b, "%s%s %llu", sep, redact_kind_name(kind), (unsigned long long)run->replaced[kind]);
		sep = ", ";
	}
	buf_adds(&b, ")");
	notef("%s", b.data);
	buf_free(&b);
}

int dialog_redact(struct tool *t, struct redact_options *o)
{
	struct redact_run run = { 0 };
	run.kinds = o->kinds;
	int status = tool_open(t);
	if (status == 0) {
		run.in = t->in;
		tool_stream(t, 1, o->keep_order);
		status = tool_run(t, start, &run);
		report(&run);
	}
	status = tool_finish(t, status, 0, 0);
	buf_free(&run.text);
	return status;
}
