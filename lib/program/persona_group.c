#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "fieldcheck.h"
#include "jsonl.h"
#include "jsontext.h"
#include "jvutil.h"
#include "msg.h"
#include "names.h"
#include "persona_group.h"
#include "rng.h"
#include "stream.h"
#include "tool.h"

#define TEXT_MAX_BYTES (1u << 20)

void group_options_init(struct group_options *o)
{
	memset(o, 0, sizeof *o);
	o->size = 4;
	o->window = 1000;
	o->id_prefix = "g";
}

/* One persona waiting in the window. */
struct member {
	jv record;
	uint64_t key; /* its place in the shuffled order: from (seed, id) */
	uint64_t arrival; /* input order, for equal keys (equal ids) */
	char *mix_value, *same_value; /* compact JSON of fields.FIELD; NULL when absent or null */
	size_t pool, bucket;
	int taken;
};

struct group_run {
	const struct group_options *o;
	struct jsonl_reader *in;
	struct jsonl_writer *out;
	struct names *names;
	uint64_t seed;
	jv topic, guide; /* jv_invalid() when not given */
	struct member *w;
	size_t n;
	uint64_t arrivals, groups, partial_groups, partial_personas, dropped_groups, dropped_personas;
	int window_warned;
	struct buf text;
};

/* The compact JSON of fields[name], or NULL when absent or null. */
static char *value_text(struct group_run *run, jv record, const char *name)
{
	if (!name)
		return NULL;
	jv fields = jvu_get_borrow(record, "fields");
	jv v = jvu_get_borrow(fields, name);
	char *text = NULL;
	if (jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL) {
		buf_reset(&run->text);
		jvu_dump(v, &run->text);
		text = xstrdup(run->text.data);
	}
	jv_free(v);
	jv_free(fields);
	return text;
}

static int same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static int by_key(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->arrival < b->arrival ? -1 : a->arrival > b->arrival;
}

static void write_group(struct group_run *run, jv participants)
{
	char id[128];
	snprintf(id, sizeof id, "%s%06llu", run->o->id_prefix, (unsigned long long)++run->groups);
	jv group = jv_object();
	group = jv_object_set(group, jv_string("id"), jv_string(id));
	group = jv_object_set(group, jv_string("participants"), names_assign(run->names, participants));
	if (jv_is_valid(run->topic))
		group = jv_object_set(group, jv_string("topic"), jv_copy(run->topic));
	if (jv_is_valid(run->guide))
		group = jv_object_set(group, jv_string("guide"), jv_copy(run->guide));
	jsonl_write(run->out, group);
}

/* Take k members of pool p (window in key order) into a new group: slot by slot, the
 * bucket (value of --mix) used least in this group so far, then the one with the most
 * members left, then the first; from a bucket, its members in key order. */
static jv take_group(struct group_run *run, size_t p, size_t k, size_t nbuckets, size_t *left, size_t *used)
{
	jv participants = jv_array();
	memset(used, 0, nbuckets * sizeof *used);
	for (size_t slot = 0; slot < k; slot++) {
		size_t best = nbuckets;
		for (size_t b = 0; b < nbuckets; b++)
			if (left[b] && (best == nbuckets || used[b] < used[best] ||
					(used[b] == used[best] && left[b] > left[best])))
				best = b;
		for (size_t i = 0; i < run->n; i++) {
			struct member *m = &run->w[i];
			if (m->pool == p && m->bucket == best && !m->taken) {
				m->taken = 1;
				participants = jv_array_append(participants, jv_copy(m->record));
				break;
			}
		}
		left[best]--;
		used[best]++;
	}
	return participants;
}

/* Group pool p: every complete group; with final (or close), the rest as one
 * incomplete group, written with --keep-partial, else dropped and counted. */
static void group_pool(struct group_run *run, size_t p, int final)
{
	size_t nbuckets = 0, count = 0;
	for (size_t i = 0; i < run->n; i++) {
		struct member *m = &run->w[i];
		if (m->pool != p)
			continue;
		count++;
		m->bucket = nbuckets;
		for (size_t j = 0; j < i; j++)
			if (run->w[j].pool == p && same_text(run->w[j].mix_value, m->mix_value)) {
				m->bucket = run->w[j].bucket;
				break;
			}
		if (m->bucket == nbuckets)
			nbuckets++;
	}
	size_t *left = xcalloc(nbuckets, sizeof *left), *used = xcalloc(nbuckets, sizeof *used);
	for (size_t i = 0; i < run->n; i++)
		if (run->w[i].pool == p)
			left[run->w[i].bucket]++;
	size_t size = (size_t)run->o->size;
	for (; count >= size; count -= size)
		write_group(run, take_group(run, p, size, nbuckets, left, used));
	if (final && count) {
		if (run->o->keep_partial) {
			write_group(run, take_group(run, p, count, nbuckets, left, used));
			run->partial_groups++;
			run->partial_personas += count;
		} else {
			for (size_t i = 0; i < run->n; i++)
				if (run->w[i].pool == p)
					run->w[i].taken = 1;
			run->dropped_groups++;
			run->dropped_personas += count;
		}
	}
	free(left);
	free(used);
}

/* The window without its taken members, the others in key order. */
static void compact(struct group_run *run)
{
	size_t kept = 0;
	for (size_t i = 0; i < run->n; i++) {
		struct member *m = &run->w[i];
		if (m->taken) {
			jv_free(m->record);
			free(m->mix_value);
			free(m->same_value);
		} else {
			run->w[kept++] = *m;
		}
	}
	run->n = kept;
}

/* Pools (values of --same; one pool without it) numbered in order of their first
 * member in key order. Returns how many. */
static size_t number_pools(struct group_run *run)
{
	size_t npools = 0;
	for (size_t i = 0; i < run->n; i++) {
		struct member *m = &run->w[i];
		m->pool = npools;
		for (size_t j = 0; j < i; j++)
			if (same_text(run->w[j].same_value, m->same_value)) {
				m->pool = run->w[j].pool;
				break;
			}
		if (m->pool == npools)
			npools++;
	}
	return npools;
}

/* The largest pool (the first of equals): closed early when the window is full of
 * incomplete groups. */
static size_t largest_pool(struct group_run *run, size_t npools)
{
	size_t *count = xcalloc(npools, sizeof *count), best = 0;
	for (size_t i = 0; i < run->n; i++)
		count[run->w[i].pool]++;
	for (size_t p = 1; p < npools; p++)
		if (count[p] > count[best])
			best = p;
	free(count);
	return best;
}

/* Form the groups of the window: when it is full, or with final at the end of input. */
static void form_groups(struct group_run *run, int final)
{
	qsort(run->w, run->n, sizeof *run->w, by_key);
	size_t npools = number_pools(run);
	for (size_t p = 0; p < npools; p++)
		group_pool(run, p, final);
	compact(run);
	while (!final && run->n >= (size_t)run->o->window) {
		if (!run->window_warned)
			warnf("the window of %ld personas is full of incomplete groups (%zu values of --same %s): "
			      "closing the largest early",
			      run->o->window, npools, run->o->same);
		run->window_warned = 1;
		npools = number_pools(run);
		group_pool(run, largest_pool(run, npools), 1);
		compact(run);
	}
}

static void start(void *ctx, struct stream *st, jv record, uint64_t seq)
{
	struct group_run *run = ctx;
	if (!stream_require(st, seq, run->in, record, "id", JV_KIND_STRING) ||
	    !stream_require(st, seq, run->in, record, "fields", JV_KIND_OBJECT))
		return;
	struct member *m = &run->w[run->n++];
	memset(m, 0, sizeof *m);
	jv id = jvu_get_borrow(record, "id");
	struct rng r = rng_stream(run->seed, jv_string_value(id), "persona-group");
	jv_free(id);
	m->key = rng_next(&r);
	m->arrival = run->arrivals++;
	m->mix_value = value_text(run, record, run->o->mix);
	m->same_value = value_text(run, record, run->o->same);
	m->record = record;
	if (run->n == (size_t)run->o->window)
		form_groups(run, 0);
	stream_emit(st, seq, jv_invalid());
}

/* The text of the file at path (at most 1 MiB, UTF-8, no NUL) into b: 0, or -1 after
 * reporting. */
static int read_text(const char *option, const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		errorf("%s: cannot open '%s': %s", option, path, strerror(errno));
		return -1;
	}
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && b->len <= TEXT_MAX_BYTES)
		buf_add(b, chunk, got);
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		errorf("%s: cannot read '%s'", option, path);
		return -1;
	}
	if (b->len > TEXT_MAX_BYTES) {
		errorf("%s: '%s' is larger than 1 MiB", option, path);
		return -1;
	}
	if (memchr(b->data ? b->data : "", '\0', b->len) || !utf8_valid(b->data ? b->data : "", b->len)) {
		errorf("%s: '%s' is not UTF-8 text", option, path);
		return -1;
	}
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* --topic TEXT or @FILE (its text without the whitespace around it). */
static jv load_topic(const char *arg)
{
	struct buf b = BUF_INIT;
	if (arg[0] == '@') {
		if (read_text("--topic", arg + 1, &b) < 0) {
			buf_free(&b);
			return jv_invalid();
		}
	} else {
		buf_adds(&b, arg);
	}
	const char *s = b.data ? b.data : "";
	size_t len = b.len;
	while (len && is_space(s[len - 1]))
		len--;
	while (len && is_space(*s)) {
		s++;
		len--;
	}
	jv topic = len ? jv_string_sized(s, (int)len) : jv_invalid();
	if (!len)
		errorf("--topic: %s%s%s is empty", arg[0] == '@' ? "'" : "the text", arg[0] == '@' ? arg + 1 : "",
		       arg[0] == '@' ? "'" : "");
	buf_free(&b);
	return topic;
}

/* --guide FILE: its non-empty lines, trimmed, except those starting with '#'. */
static jv load_guide(const char *path)
{
	struct buf b = BUF_INIT;
	if (read_text("--guide", path, &b) < 0) {
		buf_free(&b);
		return jv_invalid();
	}
	jv guide = jv_array();
	const char *p = b.data ? b.data : "", *end = p + b.len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol ? eol + 1 : end;
		const char *e = eol ? eol : end;
		while (p < e && is_space(*p))
			p++;
		while (e > p && is_space(e[-1]))
			e--;
		if (e > p && *p != '#')
			guide = jv_array_append(guide, jv_string_sized(p, (int)(e - p)));
		p = next;
	}
	buf_free(&b);
	if (jv_array_length(jv_copy(guide)) == 0) {
		jv_free(guide);
		errorf("--guide: '%s' has no questions (only blank lines and # comments)", path);
		return jv_invalid();
	}
	return guide;
}

/* Usage errors found before any input is read: 0, or EXIT_USAGE after reporting. */
static int prepare(struct group_run *run, const struct group_options *o)
{
	if (o->window < o->size) {
		errorf("--window %ld is smaller than --size %ld", o->window, o->size);
		return EXIT_USAGE;
	}
	if (o->mix && o->same && strcmp(o->mix, o->same) == 0) {
		errorf("--mix and --same name the same field '%s'", o->mix);
		return EXIT_USAGE;
	}
	if ((o->mix && !o->mix[0]) || (o->same && !o->same[0])) {
		errorf("--%s needs a field name", o->mix && !o->mix[0] ? "mix" : "same");
		return EXIT_USAGE;
	}
	if (o->topic) {
		run->topic = load_topic(o->topic);
		if (!jv_is_valid(run->topic))
			return EXIT_USAGE;
	}
	if (o->guide) {
		run->guide = load_guide(o->guide);
		if (!jv_is_valid(run->guide))
			return EXIT_USAGE;
	}
	const char *names = cli_shared_file("--names", "names", o->names ? o->names : "names", ".json");
	run->names = names_load(names);
	return run->names ? 0 : EXIT_USAGE;
}

/* The fields --mix and --same name must exist in the input (a misspelt one would put
 * every persona in one bucket). */
static int fields_exist(struct group_run *run)
{
	if (!run->o->mix && !run->o->same)
		return 1;
	jv block = fieldcheck_block(run->in);
	int ok = 1;
	if (run->o->mix)
		ok = fieldcheck("--mix", run->o->mix, FIELD_IN_FIELDS, block) == 0;
	if (ok && run->o->same)
		ok = fieldcheck("--same", run->o->same, FIELD_IN_FIELDS, block) == 0;
	jv_free(block);
	return ok;
}

static void report(const struct group_run *run)
{
	uint64_t personas = run->arrivals;
	uint64_t complete = run->groups - run->partial_groups;
	struct buf b = BUF_INIT;
	buf_addf(&b, "%llu persona%s, %llu group%s of %ld", (unsigned long long)personas, personas == 1 ? "" : "s",
		 (unsigned long long)complete, complete == 1 ? "" : "s", run->o->size);
	if (run->partial_groups)
		buf_addf(&b, ", %llu incomplete group%s (%llu persona%s)", (unsigned long long)run->partial_groups,
			 run->partial_groups == 1 ? "" : "s", (unsigned long long)run->partial_personas,
			 run->partial_personas == 1 ? "" : "s");
	notef("%s", b.data);
	buf_free(&b);
	if (run->dropped_personas)
		warnf("%llu persona%s left over in %llu incomplete group%s, not written (--keep-partial writes them)",
		      (unsigned long long)run->dropped_personas, run->dropped_personas == 1 ? "" : "s",
		      (unsigned long long)run->dropped_groups, run->dropped_groups == 1 ? "" : "s");
}

static void group_run_free(struct group_run *run)
{
	for (size_t i = 0; i < run->n; i++) {
		jv_free(run->w[i].record);
		free(run->w[i].mix_value);
		free(run->w[i].same_value);
	}
	free(run->w);
	jv_free(run->topic);
	jv_free(run->guide);
	names_free(run->names);
	buf_free(&run->text);
}

int persona_group(struct tool *t, struct group_options *o)
{
	struct group_run run = { 0 };
	run.o = o;
	run.topic = jv_invalid();
	run.guide = jv_invalid();
	run.seed = (uint64_t)t->common.seed;
	int status = prepare(&run, o);
	if (status == 0)
		status = tool_open(t);
	if (status == 0) {
		run.in = t->in;
		run.out = t->out;
		run.w = xcalloc((size_t)o->window, sizeof *run.w);
		tool_stream(t, 1, 0);
		status = fields_exist(&run) ? tool_run(t, start, &run) : EXIT_USAGE;
		if (status == 0)
			form_groups(&run, 1);
		if (status != EXIT_USAGE)
			report(&run);
	}
	status = tool_finish(t, status, 0, 0);
	group_run_free(&run);
	return status;
}
