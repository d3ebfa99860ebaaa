/* stream — the main loop of the record-at-a-time tools that wait on models.
 *
 * Contract: stream_run reads records from the reader (or the source) and hands each to start() with
 * a sequence number, keeping at most max_in_flight records open; it drives the LLM
 * engine while records are open; start() (or a model callback later) finishes each
 * record by calling stream_emit exactly once. Records are written as they finish, or
 * in input order with keep_order (a bounded window: memory stays flat). On SIGINT or
 * SIGTERM no new record is started and the loop returns at once: every written line is
 * complete, unfinished records are simply not written (a --resume run redoes them).
 * Ownership: start() receives its record (it owns it); stream_emit consumes its
 * record; jv_invalid() emits nothing (the record was rejected or routed elsewhere).
 * Ends the process: stream_run on an internal error only (records open without a
 * model engine: status 1); writing ends it as jsonl's writer does.
 */
#ifndef PS_STREAM_H
#define PS_STREAM_H

#include <stdint.h>
#include <jv.h>

#include "jsonl.h"
#include "llm.h"
#include "progress.h"

struct stream;

typedef void (*stream_start_fn)(void *ctx, struct stream *st, jv record, uint64_t seq);
/* Where records come from: 1 and *record for the next one, 0 at the end. */
typedef int (*stream_source_fn)(void *source, jv *record);

struct stream *stream_new(struct jsonl_reader *in, struct jsonl_writer *out, struct llm_engine *engine,
			  size_t max_in_flight, int keep_order);
/* Records from a source of one's own instead of a reader (e.g. K jobs per persona). */
void stream_set_source(struct stream *st, stream_source_fn next, void *source);
/* Returns 0 at the end of input, or the interrupt status (130/143). */
int stream_run(struct stream *st, stream_start_fn start, void *ctx, struct progress *progress);
void stream_emit(struct stream *st, uint64_t seq, jv record);
/* The same for a record already written as one line of JSON (text borrowed): a tool
 * that passes a record on with a member added need not print it again. */
void stream_emit_line(struct stream *st, uint64_t seq, const char *text, size_t len);
/* A record the tool cannot use: reported and routed by the reader like a bad line
 * (FILE:LINE: reason, copied to --rejects), and its place in the stream closed.
 * Consumes record. */
void stream_reject(struct stream *st, uint64_t seq, struct jsonl_reader *in, jv record, const char *reason);
/* The check every tool makes first: 1 when record's member key has the given kind
 * (record untouched); else 0, after rejecting the record like stream_reject with
 * "record has no "KEY" object|array|string" (record consumed). */
int stream_require(struct stream *st, uint64_t seq, struct jsonl_reader *in, jv record, const char *key, jv_kind kind);
uint64_t stream_written(const struct stream *st);
/* After an interrupt, records still open are abandoned: their model calls are
 * cancelled (llm_engine_cancel), so their callbacks free them, and nothing they emit
 * is written. Call it while the callbacks' state is still alive. */
void stream_free(struct stream *st);

#endif
