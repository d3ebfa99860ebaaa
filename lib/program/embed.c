#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "convtext.h"
#include "embedbatch.h"
#include "embedding.h"
#include "fieldcheck.h"
#include "jsonl.h"
#include "jvutil.h"
#include "llm.h"
#include "msg.h"
#include "embed.h"
#include "record.h"
#include "stream.h"
#include "tool.h"

#define DEFAULT_MODEL "hash-512"
#define MAX_RECORDS_IN_FLIGHT 65536

/* The options of the run (set by embed). */
static const struct embed_options *opt;

void embed_options_init(struct embed_options *o)
{
	memset(o, 0, sizeof *o);
	o->batch_size = 64;
	llm_config_init(&o->model_config);
}

struct job;

struct embed_run {
	struct jsonl_reader *in;
	struct stream *st;
	const char *model; /* the name written into records */
	const char *of;
	const char *member; /* where the vectors go: "embedding" or "description_embedding" */
	int per_turn, b64;
	int dim; /* hash-N: N; a remote model: from its first reply, 0 until then */
	struct buf text;
	/* The built-in model. */
	float *vecs;
	size_t vecs_cap;
	/* A remote model. */
	struct llm_client *client;
	size_t capacity; /* records open at once */
	uint64_t started;
	size_t requests_out;
	int input_ended;
	struct embed_batch *batch; /* texts collected for the next request */
	struct job *deferred; /* records with only empty texts, waiting to learn dim */
	uint64_t records, vectors, failed, failed_rate_limited;
};

/* ---------- the built-in model: every record at once ---------- */

static float *vector_space(struct embed_run *run, size_t n)
{
	size_t need = (n ? n : 1) * (size_t)run->dim;
	if (need > run->vecs_cap) {
		run->vecs = xrealloc(run->vecs, need * sizeof *run->vecs);
		run->vecs_cap = need;
	}
	return run->vecs;
}

/* Text number i of the record: turn i with --of turns, else the one text. */
static void text_of(struct embed_run *run, jv record, int i)
{
	buf_reset(&run->text);
	if (run->per_turn)
		conversation_turn(record, (size_t)i, &run->text);
	else
		conversation_text(record, run->of, &run->text);
}

static int texts_in(struct embed_run *run, jv record)
{
	return run->per_turn ? (int)conversation_turns(record) : 1;
}

static jv embedding_of(struct embed_run *run, const float *vecs, int n)
{
	run->vectors += (uint64_t)n;
	if (run->per_turn)
		return embedding_json_many(run->model, vecs, n, run->dim, run->b64);
	return embedding_json(run->model, run->of, vecs, run->dim, run->b64);
}

static jv embed_by_hash(struct embed_run *run, jv record)
{
	int n = texts_in(run, record);
	float *vecs = vector_space(run, (size_t)n);
	for (int i = 0; i < n; i++) {
		text_of(run, record, i);
		embed_hash(run->text.data, run->text.len, run->dim, vecs + (size_t)i * (size_t)run->dim);
	}
	return jvu_set(record, run->member, embedding_of(run, vecs, n));
}

/* ---------- a remote model: texts of many records per request ---------- */

struct job {
	struct embed_run *run;
	uint64_t seq;
	jv record;
	int ntexts;
	int waiting; /* texts sent and not answered yet */
	jv vectors; /* one per text: the vector, or null for an empty text */
	char *error_kind, *error_message;
	int attempts, rate_limited;
	struct job *next_deferred;
};

static void finish_job(struct job *job)
{
	struct embed_run *run = job->run;
	jv record = job->record;
	if (job->error_kind) {
		jv error = jv_object();
		error = jv_object_set(error, jv_string("kind"), jv_string(job->error_kind));
		error = jv_object_set(error, jv_string("message"), jv_string(job->error_message));
		error = jv_object_set(error, jv_string("attempts"), jv_number(job->attempts));
		record = jvu_set(record, "embedding_error", error);
		errorf("%s: %s: %s", record_id(record), job->error_kind, job->error_message);
		run->failed++;
		run->failed_rate_limited += job->rate_limited ? 1 : 0;
	} else {
		float *vecs = vector_space(run, (size_t)job->ntexts);
		for (int i = 0; i < job->ntexts; i++) {
			float *at = vecs + (size_t)i * (size_t)run->dim;
			jv v = jv_array_get(jv_copy(job->vectors), i);
			for (int k = 0; k < run->dim; k++) {
				/* Checked when the reply came: dim numbers, or null for an empty text. */
				jv x = jv_get_kind(v) == JV_KIND_ARRAY ? jv_array_get(jv_copy(v), k) : jv_invalid();
				at[k] = jv_get_kind(x) == JV_KIND_NUMBER ? (float)jv_number_value(x) : 0.0f;
				jv_free(x);
			}
			jv_free(v);
		}
		record = jvu_set(record, run->member, embedding_of(run, vecs, job->ntexts));
	}
	stream_emit(run->st, job->seq, record);
	jv_free(job->vectors);
	free(job->error_kind);
	free(job->error_message);
	free(job);
}

static void fail_job(struct job *job, const char *kind, const char *message, int attempts, int rate_limited)
{
	if (job->error_kind)
		return;
	job->error_kind = xstrdup(kind);
	job->error_message = xstrdup(message);
	job->attempts = attempts;
	job->rate_limited = rate_limited;
}

/* Every text of the job is answered (or was empty): write it, or wait to learn the
 * model's dimension when it has no vector to show it (empty texts, no turns). */
static void job_answered(struct job *job)
{
	struct embed_run *run = job->run;
	/* A reply with vectors sets run->dim, so only a job of empty texts can get here
	 * without it. */
	if (!job->error_kind && run->dim == 0) {
		job->next_deferred = run->deferred;
		run->deferred = job;
		return;
	}
	finish_job(job);
}

static void resolve_deferred(struct embed_run *run)
{
	struct job *list = NULL;
	/* Oldest first: records are written in the order they were read. */
	while (run->deferred) {
		struct job *job = run->deferred;
		run->deferred = job->next_deferred;
		job->next_deferred = list;
		list = job;
	}
	while (list) {
		struct job *job = list;
		list = job->next_deferred;
		if (run->dim == 0)
			fail_job(job, "no_dimension",
				 "nothing to embed (empty text) and no reply of the model has shown its dimension", 0,
				 0);
		finish_job(job);
	}
}

static void keep_moving(struct embed_run *run);

static void on_vectors(void *ctx, const struct llm_result *r)
{
	struct embed_batch *b = ctx;
	struct embed_run *run = b->ctx;
	run->requests_out--;
	struct buf problem = BUF_INIT;
	const char *kind = NULL, *message = NULL;
	if (!r->ok) {
		kind = r->error_kind;
		message = r->error_message;
	} else if (embed_batch_check(r->embeddings, b->count, &run->dim, &problem) < 0) {
		kind = "bad_response";
		message = problem.data;
	}
	for (int i = 0; i < b->count; i++) {
		struct job *job = b->entries[i].owner;
		if (kind)
			fail_job(job, kind, message, r->attempts, r->rate_limited);
		else
			job->vectors = jv_array_set(job->vectors, b->entries[i].index,
						    jv_array_get(jv_copy(r->embeddings), i));
		if (--job->waiting == 0)
			job_answered(job);
	}
	buf_free(&problem);
	embed_batch_free(b);
	if (run->dim && run->deferred)
		resolve_deferred(run);
	keep_moving(run);
}

static void send_batch(struct embed_run *run)
{
	struct embed_batch *b = run->batch;
	run->batch = NULL;
	run->requests_out++;
	llm_embed(run->client, embed_batch_take_inputs(b), on_vectors, b);
}

static void add_text(struct embed_run *run, struct job *job, int index)
{
	if (!run->batch)
		run->batch = embed_batch_new((int)opt->batch_size, run);
	int full = embed_batch_add(run->batch, job, index, run->text.data, run->text.len);
	job->waiting++;
	if (full)
		send_batch(run);
}

/* A partly filled batch goes out when no more texts can come (embed_batch_due), so
 * batches are fixed by the input alone, except when a run of records with empty texts
 * fills the window before the first reply. */
static void keep_moving(struct embed_run *run)
{
	int full = run->started - stream_written(run->st) >= run->capacity;
	if (embed_batch_due(run->batch, run->input_ended, full, run->requests_out))
		send_batch(run);
	if (run->deferred && !run->batch && run->requests_out == 0 && (run->input_ended || full))
		resolve_deferred(run);
}

static void embed_remote(struct embed_run *run, jv record, uint64_t seq)
{
	struct job *job = xcalloc(1, sizeof *job);
	job->run = run;
	job->seq = seq;
	job->record = record;
	job->ntexts = texts_in(run, record);
	job->vectors = jv_array();
	for (int i = 0; i < job->ntexts; i++) {
		job->vectors = jv_array_append(job->vectors, jv_null());
		text_of(run, record, i);
		/* Providers refuse empty input; an empty text has the zero vector anyway. */
		if (run->text.len)
			add_text(run, job, i);
	}
	if (job->waiting == 0)
		job_answered(job);
	keep_moving(run);
}

/* ---------- the loop ---------- */

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct embed_run *run = ctx;
	run->started++;
	/* The text's source must be there with its type: a wrong-typed one would embed as
	 * "" and look like a real vector. */
	int by_description = strcmp(run->of, "description") == 0;
	if (!stream_require(st, seq, run->in, record, by_description ? "description" : "turns",
			    by_description ? JV_KIND_STRING : JV_KIND_ARRAY)) {
		if (run->client)
			keep_moving(run);
		return;
	}
	run->records++;
	if (run->client)
		embed_remote(run, record, seq);
	else
		stream_emit(st, seq, embed_by_hash(run, record));
}

/* The reader, and at its end the last partial batch goes out. */
static int next_record(void *ctx, jv *record)
{
	struct embed_run *run = ctx;
	if (jsonl_read(run->in, record))
		return 1;
	run->input_ended = 1;
	if (run->client)
		keep_moving(run);
	return 0;
}

static void report(const struct embed_run *run)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%llu records, %llu vectors (%s, of %s", (unsigned long long)run->records,
		 (unsigned long long)run->vectors, run->model, run->of);
	if (run->dim)
		buf_addf(&b, ", %d dimensions", run->dim);
	buf_addc(&b, ')');
	if (run->client)
		buf_addf(&b, ", %llu failed", (unsigned long long)run->failed);
	notef("%s", b.data);
	buf_free(&b);
}

int embed(struct tool *t, struct embed_options *o)
{
	opt = o;
	struct embed_run run = { 0 };
	static const char *const sources[] = { "client_text", "description", "responder_text", "turns",
					       "participant_text" };
	const char *of_name = sources[o->of_choice];
	run.of = of_name;
	/* A description's vectors go beside a conversation's, so one record can carry both
	 * and score compares them in one space. */
	run.member = strcmp(of_name, "description") == 0 ? "description_embedding" : "embedding";
	run.per_turn = strcmp(of_name, "turns") == 0;
	run.b64 = o->encoding_choice == 1;
	run.model = o->model_config.model ? o->model_config.model : DEFAULT_MODEL;
	run.dim = embed_hash_dim(run.model);
	if (!run.dim && strncmp(run.model, "hash-", 5) == 0)
		fatalf(EXIT_USAGE, "unknown built-in model '%s' (expected hash-N, N from 1 to 65536)", run.model);

	int status = 0;
	if (!run.dim) {
		llm_config_resolve(&o->model_config, NULL);
		if (strcmp(o->model_config.provider, "offline") == 0)
			fatalf(EXIT_USAGE,
			       "provider offline has no embeddings model '%s': use the built-in --model hash-N, "
			       "or an OpenAI-compatible endpoint (--base-url, OPENAI_API_KEY)",
			       run.model);
		run.client = tool_model(t, &o->model_config, NULL, "embeddings");
		status = run.client ? 0 : EXIT_USAGE;
		if (run.client)
			run.model = llm_client_model(run.client);
	}
	if (status == 0)
		status = tool_open(t);
	if (status == 0) {
		run.in = t->in;
		run.capacity = 1;
		if (run.client) {
			/* Room for twice the batches the endpoint can work on at once. */
			size_t records = (size_t)o->batch_size * (size_t)llm_client_concurrency(run.client) * 2;
			run.capacity = records < MAX_RECORDS_IN_FLIGHT ? records : MAX_RECORDS_IN_FLIGHT;
		}
		run.st = tool_stream(t, run.capacity, o->keep_order);
		stream_set_source(run.st, next_record, &run);
		/* --of names the record member the text comes from: it must exist in the input. */
		jv block = fieldcheck_block(run.in);
		int source_exists = fieldcheck("--of", strcmp(of_name, "description") == 0 ? "description" : "turns",
					       FIELD_AT_TOP, block) == 0;
		jv_free(block);
		status = source_exists ? tool_run(t, start, &run) : EXIT_USAGE;
		if (status != EXIT_USAGE)
			report(&run);
	}
	status = tool_finish(t, status, run.failed, run.failed_rate_limited);
	embed_batch_free(run.batch);
	buf_free(&run.text);
	free(run.vecs);
	return status;
}
