#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "buf.h"
#include "cli.h"
#include "fieldcheck.h"
#include "jsonl.h"
#include "jvutil.h"
#include "llm.h"
#include "msg.h"
#include "persona_validate.h"
#include "prompt.h"
#include "record.h"
#include "rules.h"
#include "share.h"
#include "lsh.h"
#include "simhash.h"
#include "stream.h"
#include "tool.h"
#include "verdict.h"

/* The options of the run (set by persona_validate). */
static const struct validate_options *opt;

void validate_options_init(struct validate_options *o)
{
	memset(o, 0, sizeof *o);
	o->judge_prompt_name = "judge-plausibility.txt";
	o->dedup_distance = 3;
	o->judge_tries = 3;
	llm_config_init(&o->judge_config);
}

/* Rulesets by schema name, loaded on first use. */
struct schema_rules {
	char *schema;
	struct ruleset *rules; /* NULL when the schema has no shipped rules */
};

struct validate_run {
	struct jsonl_reader *in;
	struct jsonl_writer *rejects;
	struct ruleset *fixed_rules;
	struct schema_rules *by_schema;
	size_t nschemas;
	char **dedup_names;
	jv dedup_keys; /* the names as jv strings, hashed once */
	struct buf *dedup_prefixes; /* "name=" for each */
	size_t ndedup;
	struct lsh_index *seen;
	jv schema_key; /* "schema", hashed once */
	jv validation_key; /* "validation" */
	struct buf line; /* a passing record's output line */
	jv last_tag; /* the schema tag rules_for saw last, and its rules */
	struct ruleset *last_rules;
	int last_rules_set;
	struct buf seen_ids; /* kept ids, NUL-separated, in index order */
	size_t *seen_offsets;
	size_t seen_cap;
	struct llm_client *judge;
	char *judge_prompt;
	uint64_t checked, passed, rule_failures, duplicates, judge_rejected, judge_errors, judge_rate_limited;
};

struct job {
	struct validate_run *run;
	struct stream *st;
	uint64_t seq;
	jv record;
	jv fields;
	jv validation;
	int verdict; /* the judge's, once an answer was readable */
	struct buf reason;
};

static struct ruleset *schema_rules(struct validate_run *run, jv tag);

static struct ruleset *rules_for(struct validate_run *run, jv record)
{
	if (opt->no_rules)
		return NULL;
	if (run->fixed_rules)
		return run->fixed_rules;
	jv tag = jvu_get_key_borrow(record, run->schema_key);
	/* Records of one schema come in runs: the last tag's rules, without a lookup. */
	if (run->last_rules_set && jv_equal(jv_copy(tag), jv_copy(run->last_tag))) {
		jv_free(tag);
		return run->last_rules;
	}
	jv_free(run->last_tag);
	run->last_tag = jv_copy(tag);
	run->last_rules_set = 1;
	run->last_rules = schema_rules(run, tag);
	return run->last_rules;
}

/* The shipped rules of the schema a tag names ("spasm@1" is spasm's), loaded once. */
static struct ruleset *schema_rules(struct validate_run *run, jv tag)
{
	char name[128] = "";
	if (jv_get_kind(tag) == JV_KIND_STRING) {
		snprintf(name, sizeof name, "%s", jv_string_value(tag));
		char *at = strchr(name, '@');
		if (at)
			*at = '\0';
	}
	jv_free(tag);
	for (size_t i = 0; i < run->nschemas; i++)
		if (strcmp(run->by_schema[i].schema, name) == 0)
			return run->by_schema[i].rules;
	struct ruleset *rs = NULL;
	/* Only plain names are looked up: a schema tag never becomes a path. */
	if (*name && strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == strlen(name)) {
		struct buf rel = BUF_INIT;
		buf_addf(&rel, "rules/%s.json", name);
		char *path = share_path(rel.data);
		if (path) {
			rs = rules_load(path);
			if (!rs)
				exit(EXIT_USAGE);
		}
		free(path);
		buf_free(&rel);
	}
	run->by_schema = xrealloc(run->by_schema, (run->nschemas + 1) * sizeof *run->by_schema);
	run->by_schema[run->nschemas].schema = xstrdup(name);
	run->by_schema[run->nschemas].rules = rs;
	run->nschemas++;
	return rs;
}

static void finish(struct job *job, int valid)
{
	struct validate_run *run = job->run;
	jv record =
		jvu_set(job->record, "validation", jvu_set(job->validation, "valid", valid ? jv_true() : jv_false()));
	if (valid) {
		run->passed++;
		stream_emit(job->st, job->seq, record);
	} else if (opt->keep_rejected) {
		stream_emit(job->st, job->seq, record);
	} else {
		if (run->rejects)
			jsonl_write(run->rejects, record);
		else
			jv_free(record);
		stream_emit(job->st, job->seq, jv_invalid());
	}
	jv_free(job->fields);
	free(job);
}

/* A passing record with no judge to wait for: its input line, still the reader's
 * current line, is written with "validation" added before the closing brace. That is
 * the record finish() would print, without printing the parsed record again (a third
 * of the time of a run): the input's own spacing and number forms are kept. A record
 * that has a "validation" member already is printed again (the member is replaced
 * where it stands). */
static void finish_passed_as_read(struct job *job)
{
	struct validate_run *run = job->run;
	size_t len;
	const char *line = jsonl_raw(run->in, &len);
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	jv earlier = jvu_get_key_borrow(job->record, run->validation_key);
	int validated_before = jv_is_valid(earlier);
	jv_free(earlier);
	if (validated_before || !len || line[len - 1] != '}') {
		finish(job, 1);
		return;
	}
	size_t body = len - 1, last = body;
	while (last && isspace((unsigned char)line[last - 1]))
		last--;
	buf_reset(&run->line);
	buf_add(&run->line, line, body);
	buf_adds(&run->line, last && line[last - 1] == '{' ? "\"validation\":" : ",\"validation\":");
	jv validation = jvu_set(job->validation, "valid", jv_true());
	jvu_dump(validation, &run->line);
	jv_free(validation);
	buf_addc(&run->line, '}');
	run->passed++;
	stream_emit_line(job->st, job->seq, run->line.data, run->line.len);
	jv_free(job->record);
	jv_free(job->fields);
	free(job);
}

/* Fields: one feature per field (its name and value), so field names shared by every
 * record do not pull all fingerprints together. Text: character 4-grams. */
static uint64_t fingerprint(struct validate_run *run, jv record, jv fields)
{
	struct buf text = BUF_INIT;
	uint64_t fp;
	if (opt->dedup_text) {
		jv v = jvu_get_borrow(fields, opt->dedup_text);
		if (jv_get_kind(v) == JV_KIND_INVALID) {
			jv_free(v);
			v = jvu_get_borrow(record, opt->dedup_text);
		}
		prompt_value_text(v, &text);
		jv_free(v);
		fp = simhash_text(text.data ? text.data : "", text.len);
	} else {
		struct simhash_acc acc = { 0 };
		for (size_t i = 0; i < run->ndedup; i++) {
			jv key = jv_array_get(jv_copy(run->dedup_keys), (int)i);
			jv v = jvu_get_key_borrow(fields, key);
			jv_free(key);
			buf_reset(&text);
			buf_add(&text, run->dedup_prefixes[i].data, run->dedup_prefixes[i].len);
			prompt_value_text(v, &text);
			simhash_add_feature(&acc, text.data, text.len);
			jv_free(v);
		}
		fp = simhash_finish(&acc);
	}
	buf_free(&text);
	return fp;
}

/* The id of an earlier kept persona this one nearly repeats, or NULL. */
static const char *duplicate_of(struct validate_run *run, jv record, jv fields, int *distance)
{
	uint64_t fp = fingerprint(run, record, fields);
	long match = lsh_find(run->seen, fp, distance);
	if (match >= 0)
		return run->seen_ids.data + run->seen_offsets[match];
	long id = lsh_add(run->seen, fp);
	if ((size_t)id >= run->seen_cap) {
		run->seen_cap = run->seen_cap ? run->seen_cap * 2 : 1024;
		run->seen_offsets = xrealloc(run->seen_offsets, run->seen_cap * sizeof *run->seen_offsets);
	}
	run->seen_offsets[id] = run->seen_ids.len;
	buf_adds(&run->seen_ids, record_id(record));
	buf_addc(&run->seen_ids, '\0');
	return NULL;
}

static int read_verdict(void *ctx, const char *answer)
{
	struct job *job = ctx;
	buf_reset(&job->reason);
	job->verdict = verdict_parse(answer, "verdict", &job->reason, NULL);
	return job->verdict >= 0;
}

static void on_verdict(void *ctx, enum ask_outcome outcome, const struct llm_result *r, const struct llm_tally *tally,
		       long answers)
{
	struct job *job = ctx;
	struct validate_run *run = job->run;
	jv judge = jv_object();
	judge = jv_object_set(judge, jv_string("model"), jv_string(llm_client_model(run->judge)));
	judge = jv_object_set(judge, jv_string("usage"), llm_usage_json(&tally->usage));
	int valid = 0;
	if (outcome == ASK_FAILED) {
		job->validation = jvu_set(job->validation, "judge", judge);
		job->validation = jvu_set(job->validation, "error",
					  jv_string_fmt("judge %s: %s", r->error_kind, r->error_message));
		errorf("%s: judge %s: %s", record_id(job->record), r->error_kind, r->error_message);
		run->judge_errors++;
		run->judge_rate_limited += r->rate_limited ? 1 : 0;
	} else if (outcome == ASK_UNUSABLE) {
		job->validation = jvu_set(job->validation, "judge", judge);
		job->validation = jvu_set(job->validation, "error",
					  jv_string_fmt("judge verdict unparseable after %ld answers", answers));
		errorf("%s: judge verdict unparseable after %ld answers", record_id(job->record), answers);
		run->judge_errors++;
	} else {
		valid = job->verdict;
		judge = jv_object_set(judge, jv_string("verdict"), valid ? jv_true() : jv_false());
		judge = jv_object_set(judge, jv_string("reason"), jv_string(job->reason.data ? job->reason.data : ""));
		job->validation = jvu_set(job->validation, "judge", judge);
		run->judge_rejected += valid ? 0 : 1;
	}
	buf_free(&job->reason);
	finish(job, valid);
}

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct validate_run *run = ctx;
	if (!stream_require(st, seq, run->in, record, "fields", JV_KIND_OBJECT))
		return;
	jv fields = jvu_get_borrow(record, "fields");
	run->checked++;
	struct job *job = xcalloc(1, sizeof *job);
	job->run = run;
	job->st = st;
	job->seq = seq;
	job->record = record;
	job->fields = fields;
	job->validation = jv_object();
	struct ruleset *rules = rules_for(run, record);
	jv failed = rules ? rules_check(rules, record) : jv_array();
	int rules_ok = jv_array_length(jv_copy(failed)) == 0;
	job->validation = jv_object_set(job->validation, jv_string("checks"), failed);
	if (!rules_ok) {
		run->rule_failures++;
		finish(job, 0);
		return;
	}
	if (run->seen) {
		int distance = 0;
		const char *original = duplicate_of(run, record, fields, &distance);
		if (original) {
			job->validation =
				jv_object_set(job->validation, jv_string("duplicate_of"), jv_string(original));
			job->validation = jv_object_set(job->validation, jv_string("distance"), jv_number(distance));
			run->duplicates++;
			finish(job, 0);
			return;
		}
	}
	if (!run->judge) {
		finish_passed_as_read(job);
		return;
	}
	struct buf prompt = BUF_INIT, err = BUF_INIT;
	if (prompt_expand(run->judge_prompt, record, &prompt, &err) < 0) {
		job->validation = jvu_set(job->validation, "error", jv_string(err.data));
		errorf("%s: %s", record_id(record), err.data);
		run->judge_errors++;
		buf_free(&prompt);
		buf_free(&err);
		finish(job, 0);
		return;
	}
	buf_free(&err);
	struct llm_hint hint = { OFFLINE_JUDGE, job->fields };
	ask_start(run->judge, llm_user_prompt(prompt.data), &hint, opt->judge_tries, read_verdict, on_verdict, job);
	buf_free(&prompt);
}

static void report(const struct validate_run *run)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%llu checked, %llu passed, %llu failed rules", (unsigned long long)run->checked,
		 (unsigned long long)run->passed, (unsigned long long)run->rule_failures);
	struct ruleset *sets[64];
	size_t nsets = 0;
	if (run->fixed_rules)
		sets[nsets++] = run->fixed_rules;
	for (size_t i = 0; i < run->nschemas && nsets < 64; i++)
		if (run->by_schema[i].rules)
			sets[nsets++] = run->by_schema[i].rules;
	int first = 1;
	for (size_t s = 0; s < nsets; s++)
		for (size_t i = 0; i < sets[s]->n; i++)
			if (sets[s]->failures[i]) {
				buf_addf(&b, "%s%s %llu", first ? " (" : ", ", sets[s]->rules[i].name,
					 (unsigned long long)sets[s]->failures[i]);
				first = 0;
			}
	if (!first)
		buf_addc(&b, ')');
	buf_addf(&b, ", %llu duplicates", (unsigned long long)run->duplicates);
	if (run->judge)
		buf_addf(&b, ", %llu judged implausible, %llu judge errors", (unsigned long long)run->judge_rejected,
			 (unsigned long long)run->judge_errors);
	notef("%s", b.data);
	buf_free(&b);
}

/* The fields the dedup options name must exist in the input (a misspelt one would make
 * every persona a duplicate of the first). */
static int dedup_fields_exist(struct validate_run *run)
{
	if (!run->seen)
		return 1;
	jv block = fieldcheck_block(run->in);
	int ok = 1;
	if (opt->dedup_text)
		ok = fieldcheck("--dedup-text", opt->dedup_text, FIELD_IN_FIELDS_OR_TOP, block) == 0;
	for (size_t i = 0; ok && i < run->ndedup; i++)
		ok = fieldcheck("--dedup-fields", run->dedup_names[i], FIELD_IN_FIELDS, block) == 0;
	jv_free(block);
	return ok;
}

static void validate_run_free(struct validate_run *run)
{
	jv_free(run->schema_key);
	jv_free(run->validation_key);
	buf_free(&run->line);
	jv_free(run->last_tag);
	rules_free(run->fixed_rules);
	for (size_t i = 0; i < run->nschemas; i++) {
		free(run->by_schema[i].schema);
		rules_free(run->by_schema[i].rules);
	}
	free(run->by_schema);
	for (size_t i = 0; i < run->ndedup; i++) {
		free(run->dedup_names[i]);
		buf_free(&run->dedup_prefixes[i]);
	}
	free(run->dedup_names);
	free(run->dedup_prefixes);
	if (jv_get_kind(run->dedup_keys) == JV_KIND_ARRAY)
		jv_free(run->dedup_keys);
	lsh_free(run->seen);
	buf_free(&run->seen_ids);
	free(run->seen_offsets);
	free(run->judge_prompt);
}

static void split_fields(struct validate_run *run, const char *list)
{
	char *copy = xstrdup(list);
	run->dedup_keys = jv_array();
	for (char *tok = strtok(copy, ","); tok; tok = strtok(NULL, ",")) {
		run->dedup_names = xrealloc(run->dedup_names, (run->ndedup + 1) * sizeof *run->dedup_names);
		run->dedup_prefixes = xrealloc(run->dedup_prefixes, (run->ndedup + 1) * sizeof *run->dedup_prefixes);
		run->dedup_names[run->ndedup] = xstrdup(tok);
		run->dedup_keys = jv_array_append(run->dedup_keys, jv_string(tok));
		run->dedup_prefixes[run->ndedup] = (struct buf)BUF_INIT;
		buf_addf(&run->dedup_prefixes[run->ndedup], "%s=", tok);
		run->ndedup++;
	}
	free(copy);
}

int persona_validate(struct tool *t, struct validate_options *o)
{
	opt = o;
	if (opt->dedup_fields && opt->dedup_text)
		fatalf(EXIT_USAGE, "--dedup-fields and --dedup-text exclude each other");

	o->rules_path = cli_shared_file("--rules", "rules", o->rules_path, ".json");
	struct validate_run run = { 0 };
	run.schema_key = jv_string("schema");
	run.validation_key = jv_string("validation");
	run.last_tag = jv_null();
	int status = 0;
	if (opt->rules_path && !opt->no_rules) {
		run.fixed_rules = rules_load(opt->rules_path);
		status = run.fixed_rules ? 0 : EXIT_USAGE;
	}
	if (opt->dedup_fields)
		split_fields(&run, opt->dedup_fields);
	if (opt->dedup_fields || opt->dedup_text)
		run.seen = lsh_new((int)opt->dedup_distance);
	if (status == 0 && opt->use_judge) {
		run.judge_prompt = prompt_load(opt->judge_prompt_name);
		run.judge = run.judge_prompt ? tool_model(t, &o->judge_config, NULL, "judge") : NULL;
		status = run.judge ? 0 : EXIT_USAGE;
	}
	if (status == 0)
		status = tool_open(t);
	if (status == 0) {
		run.in = t->in;
		run.rejects = t->rejects;
		tool_stream(t, run.judge ? (size_t)llm_client_concurrency(run.judge) * 2 : 1, opt->keep_order);
		status = dedup_fields_exist(&run) ? tool_run(t, start, &run) : EXIT_USAGE;
		if (status != EXIT_USAGE)
			report(&run);
	}
	status = tool_finish(t, status, run.judge_errors, run.judge_rate_limited);
	validate_run_free(&run);
	return status;
}
