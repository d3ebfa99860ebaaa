#include <string.h>

#include "buf.h"
#include "chatshape.h"
#include "dialog_export.h"
#include "exportview.h"
#include "jsonl.h"
#include "jvutil.h"
#include "msg.h"
#include "stream.h"
#include "textarg.h"
#include "tool.h"

/* Why a record gives no example, in the order they are checked. */
enum skip { SKIP_FAILED, SKIP_NOT_STOPPED, SKIP_FLAGGED, SKIP_NO_TARGET, SKIPS };

void export_options_init(struct export_options *o)
{
	memset(o, 0, sizeof *o);
	o->to = EXPORT_TO_OPENAI;
	o->as = EXPORT_AS_RESPONDER;
	o->placement = SYSTEM_MESSAGE;
}

struct export_run {
	const struct export_options *o;
	struct jsonl_reader *in;
	struct jsonl_writer *out;
	const char *self; /* the target's speaker name */
	jv system; /* --system, or invalid */
	struct buf line;
	uint64_t conversations, examples, skipped[SKIPS], dropped, truncated;
};

static int is_ok(jv record)
{
	jv status = jvu_get_borrow(record, "status");
	int ok = !jv_is_valid(status) ||
		 (jv_get_kind(status) == JV_KIND_STRING && strcmp(jv_string_value(status), "ok") == 0);
	jv_free(status);
	return ok;
}

static int is_stopped(jv record)
{
	jv_kind kind = jvu_kind_borrow(record, "stop");
	return kind != JV_KIND_INVALID && kind != JV_KIND_NULL;
}

/* A release check of score's (scores.qa) raised a flag. */
static int is_flagged(jv record)
{
	jv scores = jvu_get_borrow(record, "scores");
	jv qa = jvu_get_borrow(scores, "qa");
	int flagged = 0;
	if (jv_get_kind(qa) == JV_KIND_OBJECT) {
		for (int it = jv_object_iter(qa); !flagged && jv_object_iter_valid(qa, it);
		     it = jv_object_iter_next(qa, it)) {
			jv value = jv_object_iter_value(qa, it);
			flagged = jv_get_kind(value) != JV_KIND_NULL;
			jv_free(value);
		}
	}
	jv_free(qa);
	jv_free(scores);
	return flagged;
}

/* The first reason to skip the record, or SKIPS to export it. */
static enum skip skip_reason(const struct export_run *run, jv record)
{
	if (!run->o->include_failed && !is_ok(record))
		return SKIP_FAILED;
	if (run->o->only_stopped && !is_stopped(record))
		return SKIP_NOT_STOPPED;
	if (run->o->exclude_flagged && is_flagged(record))
		return SKIP_FLAGGED;
	return SKIPS;
}

/* The system text of the record's examples (a new reference, or invalid): --system,
 * else the persona's description in the client's view. */
static jv system_of(const struct export_run *run, jv record)
{
	if (jv_is_valid(run->system))
		return jv_copy(run->system);
	if (run->o->as != EXPORT_AS_CLIENT)
		return jv_invalid();
	jv description = jvu_get_borrow(record, "description");
	if (jv_get_kind(description) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(description)) > 0)
		return description;
	jv_free(description);
	return jv_invalid();
}

/* ShareGPT's "id": the record's id (a string as it is, another value as its JSON
 * text, "" when there is none), with "#K" for the K-th example of a split. */
static void add_id(struct buf *line, jv record, size_t k, int split)
{
	jv id = jvu_get_borrow(record, "id");
	struct buf text = BUF_INIT;
	if (jv_get_kind(id) == JV_KIND_STRING)
		buf_add(&text, jv_string_value(id), (size_t)jv_string_length_bytes(jv_copy(id)));
	else if (jv_is_valid(id))
		jvu_dump(id, &text);
	if (split)
		buf_addf(&text, "#%zu", k + 1);
	json_add_string_n(line, text.data ? text.data : "", text.len);
	buf_free(&text);
	jv_free(id);
}

/* --whole: the conversation as it is, one line. */
static void write_whole(struct export_run *run, jv record, const struct export_view *v)
{
	struct buf *line = &run->line;
	buf_reset(line);
	if (run->o->to == EXPORT_TO_SHAREGPT) {
		buf_adds(line, "{\"id\":");
		add_id(line, record, 0, 0);
		buf_adds(line, ",\"conversations\":");
	} else {
		buf_adds(line, "{\"messages\":");
	}
	export_view_whole(v, line);
	buf_addc(line, '}');
	jsonl_write_line(run->out, line->data, line->len);
	run->examples++;
}

static void write_examples(struct export_run *run, jv record, const struct export_view *v, size_t targets)
{
	for (size_t k = run->o->split_turns ? 0 : targets - 1; k < targets; k++) {
		struct buf *line = &run->line;
		buf_reset(line);
		if (run->o->to == EXPORT_TO_SHAREGPT) {
			buf_adds(line, "{\"id\":");
			add_id(line, record, k, run->o->split_turns);
			buf_adds(line, ",\"conversations\":");
		} else {
			buf_adds(line, "{\"messages\":");
		}
		enum export_fit fit = export_view_example(v, k, run->o->max_tokens, run->o->truncate, line);
		if (fit == EXPORT_TOO_LONG) {
			run->dropped++;
			continue;
		}
		run->truncated += fit == EXPORT_TRUNCATED;
		buf_addc(line, '}');
		jsonl_write_line(run->out, line->data, line->len);
		run->examples++;
	}
}

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct export_run *run = ctx;
	if (!stream_require(st, seq, run->in, record, "turns", JV_KIND_ARRAY))
		return;
	if (jvu_kind_borrow(record, "participants") != JV_KIND_INVALID) {
		stream_reject(st, seq, run->in, record, "group conversations are not exported yet");
		return;
	}
	run->conversations++;
	enum skip why = skip_reason(run, record);
	if (why == SKIPS) {
		jv turns = jvu_get_borrow(record, "turns");
		jv system = system_of(run, record);
		struct export_view v;
		export_view_init(&v, turns, run->self, system, (enum system_placement)run->o->placement,
				 run->o->to == EXPORT_TO_SHAREGPT ? &chat_sharegpt : &chat_openai);
		jv_free(system);
		jv_free(turns);
		size_t targets = export_view_targets(&v);
		if (run->o->whole)
			write_whole(run, record, &v);
		else if (targets)
			write_examples(run, record, &v, targets);
		else
			why = SKIP_NO_TARGET;
		export_view_free(&v);
	}
	if (why != SKIPS)
		run->skipped[why]++;
	jv_free(record);
	stream_emit(st, seq, jv_invalid());
}

static void report(const struct export_run *run)
{
	char no_target[64];
	snprintf(no_target, sizeof no_target, "without a %s turn", run->self);
	const char *skip_names[SKIPS] = { "failed", "not stopped", "flagged", no_target };
	struct buf b = BUF_INIT;
	buf_addf(&b, "%llu conversations, %llu examples", (unsigned long long)run->conversations,
		 (unsigned long long)run->examples);
	const char *sep = " (";
	for (int i = 0; i < SKIPS; i++) {
		if (!run->skipped[i])
			continue;
		buf_addf(&b, "%s%llu %s", sep, (unsigned long long)run->skipped[i], skip_names[i]);
		sep = ", ";
	}
	if (sep[0] == ',') {
		buf_adds(&b, " skipped");
		sep = "; ";
	}
	if (run->o->max_tokens) {
		buf_addf(&b, "%s%llu over %ld tokens dropped", sep, (unsigned long long)run->dropped,
			 run->o->max_tokens);
		if (run->o->truncate)
			buf_addf(&b, ", %llu truncated", (unsigned long long)run->truncated);
		sep = "; ";
	}
	if (sep[0] != ' ')
		buf_adds(&b, ")");
	notef("%s", b.data);
	buf_free(&b);
}

/* Usage errors found before any input is read: 0, or EXIT_USAGE after reporting. */
static int prepare(struct export_run *run, const struct export_options *o)
{
	if (o->truncate && !o->max_tokens) {
		errorf("--truncate needs --max-tokens");
		return EXIT_USAGE;
	}
	if (o->whole && (o->split_turns || o->max_tokens)) {
		errorf("--whole writes each conversation as it is: not with --split-turns or --max-tokens");
		return EXIT_USAGE;
	}
	if (o->system) {
		run->system = textarg_load("--system", o->system);
		if (!jv_is_valid(run->system))
			return EXIT_USAGE;
	}
	return 0;
}

int dialog_export(struct tool *t, struct export_options *o)
{
	struct export_run run = { 0 };
	run.o = o;
	run.self = o->as == EXPORT_AS_CLIENT ? "client" : "responder";
	run.system = jv_invalid();
	int status = prepare(&run, o);
	if (status == 0)
		status = tool_open(t);
	if (status == 0) {
		run.in = t->in;
		run.out = t->out;
		tool_stream(t, 1, 0);
		status = tool_run(t, start, &run);
		report(&run);
	}
	status = tool_finish(t, status, 0, 0);
	jv_free(run.system);
	buf_free(&run.line);
	return status;
}
