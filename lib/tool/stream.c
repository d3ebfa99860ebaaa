#include <stdio.h>
#include <stdlib.h>

#include "interrupt.h"
#include "jvutil.h"
#include "msg.h"
#include "stream.h"

struct slot {
	int done;
	jv record; /* or, for stream_emit_line, the line as a jv string */
	int is_line;
};

struct stream {
	stream_source_fn next;
	void *source;
	struct jsonl_writer *out;
	struct llm_engine *engine;
	size_t capacity;
	int keep_order;
	size_t open; /* started and not yet written */
	uint64_t next_seq; /* sequence number of the next record read */
	uint64_t next_write; /* keep_order: the next sequence number to write */
	struct slot *window; /* keep_order: finished records waiting for their turn */
	uint64_t written;
	struct progress *progress;
	int abandoned; /* stream_free after an interrupt: nothing more is written */
};

static int read_jsonl(void *reader, jv *record)
{
	return jsonl_read(reader, record);
}

struct stream *stream_new(struct jsonl_reader *in, struct jsonl_writer *out, struct llm_engine *engine,
			  size_t max_in_flight, int keep_order)
{
	struct stream *st = xcalloc(1, sizeof *st);
	st->next = read_jsonl;
	st->source = in;
	st->out = out;
	st->engine = engine;
	st->capacity = max_in_flight ? max_in_flight : 1;
	st->keep_order = keep_order;
	if (keep_order)
		st->window = xcalloc(st->capacity, sizeof *st->window);
	return st;
}

static void count_written(struct stream *st)
{
	st->written++;
	st->open--;
	if (st->progress)
		progress_tick(st->progress, st->written, NULL);
}

static void write_slot(struct stream *st, jv record, int is_line)
{
	if (is_line) {
		jsonl_write_line(st->out, jv_string_value(record), (size_t)jv_string_length_bytes(jv_copy(record)));
		jv_free(record);
	} else if (jv_is_valid(record)) {
		jsonl_write(st->out, record);
	} else {
		jv_free(record);
	}
	count_written(st);
}

/* keep_order: writes the finished records whose turn has come. */
static void drain(struct stream *st)
{
	for (;;) {
		struct slot *next = &st->window[st->next_write % st->capacity];
		if (!next->done)
			break;
		next->done = 0;
		st->next_write++;
		write_slot(st, next->record, next->is_line);
	}
}

static void emit(struct stream *st, uint64_t seq, jv record, int is_line)
{
	if (st->abandoned) {
		jv_free(record);
		return;
	}
	if (!st->keep_order) {
		write_slot(st, record, is_line);
		return;
	}
	struct slot *s = &st->window[seq % st->capacity];
	s->done = 1;
	s->record = record;
	s->is_line = is_line;
	drain(st);
}

void stream_emit(struct stream *st, uint64_t seq, jv record)
{
	emit(st, seq, record, 0);
}

void stream_emit_line(struct stream *st, uint64_t seq, const char *text, size_t len)
{
	if (!st->keep_order || seq == st->next_write) {
		/* Its turn already: written from the caller's buffer, no copy. */
		if (st->abandoned)
			return;
		if (st->keep_order)
			st->next_write++;
		jsonl_write_line(st->out, text, len);
		count_written(st);
		if (st->keep_order)
			drain(st);
		return;
	}
	emit(st, seq, jv_string_sized(text, (int)len), 1);
}

void stream_reject(struct stream *st, uint64_t seq, struct jsonl_reader *in, jv record, const char *reason)
{
	if (st->abandoned) {
		jv_free(record);
		return;
	}
	jsonl_reject(in, reason);
	jv_free(record);
	stream_emit(st, seq, jv_invalid());
}

static void engine_progress(void *engine, char *buf, size_t n)
{
	llm_engine_describe(engine, buf, n);
}

int stream_run(struct stream *st, stream_start_fn start, void *ctx, struct progress *progress)
{
	st->progress = progress;
	if (progress && st->engine)
		progress_set_extra(progress, engine_progress, st->engine);
	int at_end = 0;
	for (;;) {
		if (interrupt_requested()) {
			const char *what = interrupt_signalled() ? "interrupted" : "stopped";
			if (st->open)
				errorf("%s: %zu record%s in progress not written", what, st->open,
				       st->open == 1 ? "" : "s");
			else if (interrupt_status())
				errorf("%s", what);
			return interrupt_status();
		}
		while (!at_end && st->open < st->capacity && !interrupt_requested()) {
			jv record;
			if (!st->next(st->source, &record)) {
				at_end = 1;
				break;
			}
			st->open++;
			start(ctx, st, record, st->next_seq++);
			if (st->engine)
				llm_engine_kick(st->engine);
		}
		if (at_end && st->open == 0) {
			/* An interrupt may have ended the input itself (a read cut on idle stdin). */
			if (interrupt_status())
				errorf("%s", interrupt_signalled() ? "interrupted" : "stopped");
			return interrupt_status();
		}
		if (st->engine) {
			llm_engine_step(st->engine, 200);
			if (progress)
				progress_poll(progress);
		} else if (st->open)
			fatalf(EXIT_SOME_FAILED, "internal error: %zu records open without a model engine", st->open);
	}
}

void stream_set_source(struct stream *st, stream_source_fn next, void *source)
{
	st->next = next;
	st->source = source;
}

int stream_require(struct stream *st, uint64_t seq, struct jsonl_reader *in, jv record, const char *key, jv_kind kind)
{
	if (jvu_kind_borrow(record, key) == kind)
		return 1;
	char reason[160];
	snprintf(reason, sizeof reason, "record has no \"%s\" %s", key,
		 kind == JV_KIND_OBJECT  ? "object"
		 : kind == JV_KIND_ARRAY ? "array"
					 : "string");
	stream_reject(st, seq, in, record, reason);
	return 0;
}

uint64_t stream_written(const struct stream *st)
{
	return st->written;
}

void stream_free(struct stream *st)
{
	if (!st)
		return;
	if (st->open && st->engine) {
		/* Interrupted with records open: their model calls are cancelled so their
		 * owners free them; whatever they would emit now is dropped, unwritten. */
		st->abandoned = 1;
		msg_mute(1);
		llm_engine_cancel(st->engine);
		msg_mute(0);
	}
	if (st->window)
		for (size_t i = 0; i < st->capacity; i++)
			if (st->window[i].done)
				jv_free(st->window[i].record);
	free(st->window);
	free(st);
}
