/* extract — questions about conversations answered as validated JSON (see extract.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "convtext.h"
#include "extract.h"
#include "extractsummary.h"
#include "fieldcheck.h"
#include "interrupt.h"
#include "jqexpr.h"
#include "jsonfile.h"
#include "jsonl.h"
#include "jsonschema.h"
#include "jsontext.h"
#include "jvutil.h"
#include "msg.h"
#include "prompt.h"
#include "record.h"
#include "stream.h"
#include "tool.h"
#include "verdict.h"

/* The options of the run (set by extract). */
static const struct extract_options *opt;

void extract_options_init(struct extract_options *o)
{
	memset(o, 0, sizeof *o);
	o->prompt_name = "extract.txt";
	o->tries = 3;
	o->resamples = 1000;
	o->ci_level = 0.95;
	llm_config_init(&o->model_config);
}

struct extract_run {
	struct jsonl_reader *in;
	struct llm_client *model;
	jv schema;
	char *schema_text; /* compact, for the user message */
	char *prompt; /* the template */
	char *body_json; /* the request body additions of --json-mode, or NULL */
	struct jqexpr *by;
	struct answer_summary *summary;
	uint64_t extracted, failed, rate_limited;
};

/* One record being extracted: one unit (the conversation) or one per participant. */
struct record_job {
	struct extract_run *run;
	struct stream *st;
	uint64_t seq;
	jv record;
	jv units; /* per unit: {"answers"} or {"error"} (with "id", "name" per participant) */
	int pending, failed, rate_limited;
	long answers_asked;
	struct llm_usage usage;
};

struct unit_job {
	struct record_job *rec;
	int slot;
	jv messages;
	long answers;
};

static const char *const retry_hint = "Reply again with one JSON object that fits the schema, and nothing else.";

static void ask_unit(struct unit_job *u);

/* The record with its "extraction", once every unit has its answer or its error. */
static void finish_record(struct record_job *rec)
{
	struct extract_run *run = rec->run;
	jv extraction = jv_object();
	if (opt->per_choice == 1) {
		extraction = jv_object_set(extraction, jv_string("participants"), jv_copy(rec->units));
	} else {
		jv unit = jv_array_get(jv_copy(rec->units), 0);
		jv_object_foreach(unit, key, value) extraction = jv_object_set(extraction, key, value);
		jv_free(unit);
	}
	extraction = jv_object_set(extraction, jv_string("model"), jv_string(llm_client_model(run->model)));
	extraction = jv_object_set(extraction, jv_string("answers_asked"), jv_number((double)rec->answers_asked));
	extraction = jv_object_set(extraction, jv_string("usage"), llm_usage_json(&rec->usage));
	if (run->summary) {
		jv group = jv_null();
		if (run->by) {
			jv key = jqexpr_first(run->by, rec->record);
			group = jv_is_valid(key) ? key : jv_null();
		}
		int n = jv_array_length(jv_copy(rec->units));
		for (int i = 0; i < n; i++) {
			jv unit = jv_array_get(jv_copy(rec->units), i);
			jv answers = jvu_get_borrow(unit, "answers");
			if (jv_is_valid(answers))
				answer_summary_add(run->summary, group, answers);
			jv_free(answers);
			jv_free(unit);
		}
		jv_free(group);
	}
	if (rec->failed) {
		run->failed++;
		run->rate_limited += (uint64_t)rec->rate_limited;
	} else {
		run->extracted++;
	}
	jv_free(rec->units);
	stream_emit(rec->st, rec->seq, jvu_set(rec->record, "extraction", extraction));
	free(rec);
}

static void unit_done(struct unit_job *u, jv result)
{
	struct record_job *rec = u->rec;
	jv unit = jv_array_get(jv_copy(rec->units), u->slot);
	jv_object_foreach(result, key, value) unit = jv_object_set(unit, key, value);
	jv_free(result);
	rec->units = jv_array_set(rec->units, u->slot, unit);
	jv_free(u->messages);
	free(u);
	if (--rec->pending == 0)
		finish_record(rec);
}

static void on_answer(void *ctx, const struct llm_result *r)
{
	struct unit_job *u = ctx;
	struct record_job *rec = u->rec;
	struct extract_run *run = rec->run;
	llm_usage_add(&rec->usage, r);
	rec->answers_asked++;
	u->answers++;
	if (!r->ok) {
		rec->failed = 1;
		rec->rate_limited |= r->rate_limited;
		errorf("%s: extraction failed: %s: %s", record_id(rec->record), r->error_kind, r->error_message);
		unit_done(u, JV_OBJECT(jv_string("error"), jv_string_fmt("%s: %s", r->error_kind, r->error_message)));
		return;
	}
	struct buf why = BUF_INIT;
	jv answers = verdict_first_object(r->content);
	int valid = jv_is_valid(answers);
	if (!valid)
		buf_adds(&why, "the answer holds no JSON object");
	else
		valid = jsonschema_validate(run->schema, answers, &why) == 0;
	if (valid) {
		buf_free(&why);
		unit_done(u, JV_OBJECT(jv_string("answers"), answers));
		return;
	}
	jv_free(answers);
	if (u->answers < opt->tries) {
		/* Asked again with its own answer and what is wrong with it, so the model can fix it. */
		u->messages = jv_array_append(u->messages, JV_OBJECT(jv_string("role"), jv_string("assistant"),
								     jv_string("content"), jv_string(r->content)));
		u->messages = jv_array_append(
			u->messages,
			JV_OBJECT(jv_string("role"), jv_string("user"), jv_string("content"),
				  jv_string_fmt("Your answer was not valid: %s. %s", why.data, retry_hint)));
		buf_free(&why);
		ask_unit(u);
		return;
	}
	rec->failed = 1;
	errorf("%s: extraction failed: no valid answer in %ld: %s", record_id(rec->record), u->answers, why.data);
	jv error = jv_string_fmt("no valid answer in %ld: %s", u->answers, why.data);
	buf_free(&why);
	unit_done(u, JV_OBJECT(jv_string("error"), error));
}

static void ask_unit(struct unit_job *u)
{
	struct llm_hint hint = { OFFLINE_EXTRACT, jv_null() };
	llm_chat(u->rec->run->model, jv_copy(u->messages), &hint, (uint64_t)u->answers, on_answer, u);
}

/* The first messages of a unit: the instructions (the template with what to answer
 * about and the questions) and the transcript with the schema. */
static jv unit_messages(struct extract_run *run, jv record, const char *about)
{
	struct buf questions = BUF_INIT, system = BUF_INIT, err = BUF_INIT, user = BUF_INIT;
	jsonschema_outline(run->schema, &questions);
	jv context = JV_OBJECT(jv_string("about"), jv_string(about), jv_string("questions"),
			       jv_string(questions.data ? questions.data : ""));
	prompt_expand(run->prompt, context, &system, &err);
	jv_free(context);
	buf_adds(&user, "Conversation:\n");
	conversation_transcript(record, &user);
	buf_addf(&user, "\nSCHEMA: %s", run->schema_text);
	jv messages =
		JV_ARRAY(JV_OBJECT(jv_string("role"), jv_string("system"), jv_string("content"),
				   jv_string(system.data ? system.data : "")),
			 JV_OBJECT(jv_string("role"), jv_string("user"), jv_string("content"), jv_string(user.data)));
	buf_free(&questions);
	buf_free(&system);
	buf_free(&err);
	buf_free(&user);
	return messages;
}

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct extract_run *run = ctx;
	if (!stream_require(st, seq, run->in, record, "turns", JV_KIND_ARRAY))
		return;
	if (opt->per_choice == 1 && !stream_require(st, seq, run->in, record, "participants", JV_KIND_ARRAY))
		return;
	struct record_job *rec = xcalloc(1, sizeof *rec);
	rec->run = run;
	rec->st = st;
	rec->seq = seq;
	rec->record = record;
	rec->units = jv_array();
	int n = 1;
	jv people = jv_null();
	if (opt->per_choice == 1) {
		people = jvu_get_borrow(record, "participants");
		n = jv_array_length(jv_copy(people));
	}
	if (n == 0) {
		stream_reject(st, seq, run->in, record, "record has no participants (--per participant)");
		jv_free(people);
		jv_free(rec->units);
		free(rec);
		return;
	}
	struct unit_job **units = xcalloc((size_t)n, sizeof *units);
	for (int i = 0; i < n; i++) {
		jv unit = jv_object();
		struct buf about = BUF_INIT;
		if (opt->per_choice == 1) {
			jv person = jv_array_get(jv_copy(people), i);
			jv id = jvu_get_borrow(person, "id"), name = jvu_get_borrow(person, "name");
			const char *who = jv_get_kind(name) == JV_KIND_STRING ? jv_string_value(name)
					  : jv_get_kind(id) == JV_KIND_STRING ? jv_string_value(id)
									      : "?";
			buf_addf(&about,
				 "the participant %s: what they say, and what the conversation shows about them", who);
			unit = jv_object_set(unit, jv_string("id"),
					     jv_get_kind(id) == JV_KIND_STRING ? jv_copy(id) : jv_null());
			unit = jv_object_set(unit, jv_string("name"), jv_string(who));
			jv_free(id);
			jv_free(name);
			jv_free(person);
		} else {
			buf_adds(&about,
				 "the conversation as a whole, from the side of the person seeking help (the client)");
		}
		rec->units = jv_array_append(rec->units, unit);
		units[i] = xcalloc(1, sizeof **units);
		units[i]->rec = rec;
		units[i]->slot = i;
		units[i]->messages = unit_messages(run, record, about.data);
		buf_free(&about);
	}
	jv_free(people);
	/* Every unit is counted before the first call goes out: an answer may come at once
	 * (offline, cache) and must not finish the record early. */
	rec->pending = n;
	for (int i = 0; i < n; i++)
		ask_unit(units[i]);
	free(units);
}

/* The request body additions of --json-mode, merged into any --body-json. */
static char *json_mode_body(struct extract_run *run, const char *given)
{
	jv body = given ? json_parse(given, strlen(given)) : jv_object();
	if (jv_get_kind(body) != JV_KIND_OBJECT) {
		jv_free(body);
		body = jv_object();
	}
	jv format = opt->json_mode_choice == 1
			    ? JV_OBJECT(jv_string("type"), jv_string("json_object"))
			    : JV_OBJECT(jv_string("type"), jv_string("json_schema"), jv_string("json_schema"),
					JV_OBJECT(jv_string("name"), jv_string("answers"), jv_string("schema"),
						  jv_copy(run->schema)));
	body = jv_object_set(body, jv_string("response_format"), format);
	struct buf text = BUF_INIT;
	jvu_dump(body, &text);
	jv_free(body);
	return text.data;
}

static int load_schema(struct extract_run *run)
{
	if (!opt->schema_path) {
		errorf("--schema FILE is required: the questions (shipped: support, tutoring, focus-group)");
		return -1;
	}
	const char *path = cli_shared_file("--schema", "extract", opt->schema_path, ".json");
	jv schema = json_read_file(path, 1 << 20);
	if (!jv_is_valid(schema)) {
		json_report_invalid(schema);
		return -1;
	}
	struct buf err = BUF_INIT;
	if (jsonschema_check(schema, &err) < 0 || jvu_kind_borrow(schema, "properties") != JV_KIND_OBJECT) {
		errorf("--schema '%s': %s", path,
		       err.len ? err.data : "the questions must be an object's \"properties\"");
		buf_free(&err);
		jv_free(schema);
		return -1;
	}
	buf_free(&err);
	struct buf text = BUF_INIT;
	jvu_dump(schema, &text);
	run->schema = schema;
	run->schema_text = text.data;
	return 0;
}

int extract(struct tool *t, struct extract_options *o)
{
	opt = o;
	struct extract_run run = { 0 };
	run.schema = jv_null();
	int status = load_schema(&run) == 0 ? 0 : EXIT_USAGE;
	if (status == 0 && o->compare && !o->by_expr) {
		errorf("--compare compares the groups of --by: give --by EXPR");
		status = EXIT_USAGE;
	}
	if (status == 0 && o->by_expr) {
		run.by = jqexpr_compile_option("--by", o->by_expr);
		status = run.by ? 0 : EXIT_USAGE;
	}
	if (status == 0) {
		run.prompt = prompt_load(o->prompt_name);
		status = run.prompt ? 0 : EXIT_USAGE;
	}
	if (status == 0 && o->json_mode_choice) {
		run.body_json = json_mode_body(&run, o->model_config.body_json);
		o->model_config.body_json = run.body_json;
	}
	if (status == 0) {
		run.model = tool_model(t, &o->model_config, NULL, "model");
		status = run.model ? 0 : EXIT_USAGE;
	}
	if (status == 0)
		status = tool_open(t);
	if (status == 0 && o->summary_path)
		run.summary =
			answer_summary_new(run.schema, o->ci_level, (size_t)o->resamples, (uint64_t)t->common.seed);
	if (status == 0) {
		run.in = t->in;
		tool_stream(t, (size_t)llm_client_concurrency(run.model) * 2, o->keep_order);
		if (run.by) {
			jv block = fieldcheck_block(run.in);
			if (fieldcheck_expr("--by", o->by_expr, run.by, block) < 0)
				status = EXIT_USAGE;
			jv_free(block);
		}
		if (status == 0)
			status = tool_run(t, start, &run);
		notef("%llu records extracted, %llu failed", (unsigned long long)run.extracted,
		      (unsigned long long)run.failed);
	}
	if (run.summary && status != EXIT_USAGE && !interrupt_requested()) {
		jv summary = answer_summary_json(run.summary, o->compare);
		if (tool_write_summary(opt->summary_path, summary) < 0)
			status = EXIT_SOME_FAILED;
		jv_free(summary);
	}
	status = tool_finish(t, status, run.failed, run.rate_limited);
	answer_summary_free(run.summary);
	jqexpr_free(run.by);
	jv_free(run.schema);
	free(run.schema_text);
	free(run.prompt);
	free(run.body_json);
	return status;
}
