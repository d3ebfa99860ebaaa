#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cli.h"
#include "fieldcheck.h"
#include "jsonl.h"
#include "jvutil.h"
#include "msg.h"
#include "names.h"
#include "persona_group.h"
#include "rng.h"
#include "stream.h"
#include "textarg.h"
#include "tool.h"

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

static int by_key(const void *pa, const void *pb)
{
	const struct member *a = pa, *b = pb;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->arrival < b->arrival ? -1 : a->arrival > b->arrival;
}

static int compare_values(const char *a, const char *b)
{
	return a == b ? 0 : !a ? -1 : !b ? 1 : strcmp(a, b);
}

struct value_at {
	const char *value;
	size_t pos;
};

static int by_value_then_pos(const void *pa, const void *pb)
{
	const struct value_at *a = pa, *b = pb;
	int c = compare_values(a->value, b->value);
	if (c)
		return c;
	return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* number[i] for the k values: equal values get equal numbers (NULL is a value of its
 * own), numbered 0, 1, ... in order of first appearance. Returns how many. */
static size_t number_values(const char *const *values, size_t k, size_t *number)
{
	struct value_at *sorted = xcalloc(k ? k : 1, sizeof *sorted);
	for (size_t i = 0; i < k; i++)
		sorted[i] = (struct value_at){ values[i], i };
	qsort(sorted, k, sizeof *sorted, by_value_then_pos);
	/* first[i]: the first position holding the value of position i */
	size_t *first = xcalloc(k ? k : 1, sizeof *first);
	for (size_t i = 0; i < k; i++) {
		int new_value = i == 0 || compare_values(sorted[i - 1].value, sorted[i].value) != 0;
		first[sorted[i].pos] = new_value ? sorted[i].pos : first[sorted[i - 1].pos];
	}
	size_t count = 0;
	for (size_t i = 0; i < k; i++)
		number[i] = first[i] == i ? count++ : number[first[i]];
	free(sorted);
	free(first);
	return count;
}

/* The positions 0..k-1 grouped by number (stable: in position order within a number);
 * start[c] .. start[c+1] is number c's range. Returns the malloc'd order. */
static size_t *order_by_number(const size_t *number, size_t k, size_t count, size_t *start)
{
	size_t *order = xcalloc(k ? k : 1, sizeof *order);
	memset(start, 0, (count + 1) * sizeof *start);
	for (size_t i = 0; i < k; i++)
		start[number[i] + 1]++;
	for (size_t c = 0; c < count; c++)
		start[c + 1] += start[c];
	size_t *next = xcalloc(count ? count : 1, sizeof *next);
	for (size_t c = 0; c < count; c++)
		next[c] = start[c];
	for (size_t i = 0; i < k; i++)
		order[next[number[i]]++] = i;
	free(next);
	return order;
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

/* The members of one pool, sorted into buckets by their --mix value (one bucket
 * without --mix), each bucket in key order. */
struct pool {
	struct member **m; /* by bucket, then key order */
	size_t nbuckets;
	size_t *start, *head, *used; /* per bucket: its range in m, the next to take, uses in this group */
};

static void pool_init(struct pool *p, struct group_run *run, const size_t *members, size_t n)
{
	const char **values = xcalloc(n ? n : 1, sizeof *values);
	size_t *bucket = xcalloc(n ? n : 1, sizeof *bucket);
	for (size_t i = 0; i < n; i++)
		values[i] = run->w[members[i]].mix_value;
	p->nbuckets = number_values(values, n, bucket);
	p->start = xcalloc(p->nbuckets + 1, sizeof *p->start);
	size_t *order = order_by_number(bucket, n, p->nbuckets, p->start);
	p->m = xcalloc(n ? n : 1, sizeof *p->m);
	for (size_t i = 0; i < n; i++)
		p->m[i] = &run->w[members[order[i]]];
	p->head = xcalloc(p->nbuckets ? p->nbuckets : 1, sizeof *p->head);
	p->used = xcalloc(p->nbuckets ? p->nbuckets : 1, sizeof *p->used);
	for (size_t b = 0; b < p->nbuckets; b++)
		p->head[b] = p->start[b];
	free(order);
	free(bucket);
	free(values);
}

static void pool_free(struct pool *p)
{
	free(p->m);
	free(p->start);
	free(p->head);
	free(p->used);
}

/* Take k members of the pool into a new group, slot by slot: from the bucket used
 * least in this group so far, then the one with the most members left, then the
 * first; from a bucket, its members in key order. */
static jv take_group(struct pool *p, size_t k)
{
	jv participants = jv_array();
	memset(p->used, 0, p->nbuckets * sizeof *p->used);
	for (size_t slot = 0; slot < k; slot++) {
		size_t best = p->nbuckets, best_left = 0;
		for (size_t b = 0; b < p->nbuckets; b++) {
			size_t left = p->start[b + 1] - p->head[b];
			if (left && (best == p->nbuckets || p->used[b] < p->used[best] ||
				     (p->used[b] == p->used[best] && left > best_left))) {
				best = b;
				best_left = left;
			}
		}
		struct member *m = p->m[p->head[best]++];
		m->taken = 1;
		participants = jv_array_append(participants, jv_copy(m->record));
		p->used[best]++;
	}
	return participants;
}

/* Group one pool: every complete group; with final, the rest as one incomplete group,
 * written with --keep-partial, else dropped and counted. */
static void group_pool(struct group_run *run, const size_t *members, size_t n, int final)
{
	struct pool p = { 0 };
	pool_init(&p, run, members, n);
	size_t size = (size_t)run->o->size, count = n;
	for (; count >= size; count -= size)
		write_group(run, take_group(&p, size));
	if (final && count) {
		if (run->o->keep_partial) {
			write_group(run, take_group(&p, count));
			run->partial_groups++;
			run->partial_personas += count;
		} else {
			for (size_t i = 0; i < n; i++)
				p.m[i]->taken = 1;
			run->dropped_groups++;
			run->dropped_personas += count;
		}
	}
	pool_free(&p);
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

/* The window's pools: window positions by --same value (one pool without it), pools
 * numbered in order of their first member in key order. */
struct pools {
	size_t *order, *start, count;
};

static void pools_of_window(struct group_run *run, struct pools *ps)
{
	const char **values = xcalloc(run->n ? run->n : 1, sizeof *values);
	size_t *number = xcalloc(run->n ? run->n : 1, sizeof *number);
	for (size_t i = 0; i < run->n; i++)
		values[i] = run->w[i].same_value;
	ps->count = number_values(values, run->n, number);
	ps->start = xcalloc(ps->count + 1, sizeof *ps->start);
	ps->order = order_by_number(number, run->n, ps->count, ps->start);
	free(number);
	free(values);
}

static void pools_free(struct pools *ps)
{
	free(ps->order);
	free(ps->start);
}

static size_t pool_size(const struct pools *ps, size_t p)
{
	return ps->start[p + 1] - ps->start[p];
}

/* Form the groups of the window: when it is full, or with final at the end of input.
 * A window still full after that holds only incomplete groups of --same values: the
 * largest (the first of equals) is closed early, as at the end of input. */
static void form_groups(struct group_run *run, int final)
{
	qsort(run->w, run->n, sizeof *run->w, by_key);
	struct pools ps;
	pools_of_window(run, &ps);
	for (size_t p = 0; p < ps.count; p++)
		group_pool(run, ps.order + ps.start[p], pool_size(&ps, p), final);
	pools_free(&ps);
	compact(run);
	while (!final && run->n >= (size_t)run->o->window) {
		pools_of_window(run, &ps);
		if (!run->window_warned)
			warnf("the window of %ld personas is full of incomplete groups (%zu values of --same %s): "
			      "closing the largest early",
			      run->o->window, ps.count, run->o->same);
		run->window_warned = 1;
		size_t largest = 0;
		for (size_t p = 1; p < ps.count; p++)
			if (pool_size(&ps, p) > pool_size(&ps, largest))
				largest = p;
		group_pool(run, ps.order + ps.start[largest], pool_size(&ps, largest), 1);
		pools_free(&ps);
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

/* --guide FILE: its non-empty lines, trimmed, except those starting with '#'. */
static jv load_guide(const char *path)
{
	struct buf b = BUF_INIT;
	if (textarg_read_file("--guide", path, &b) < 0) {
		buf_free(&b);
		return jv_invalid();
	}
	jv guide = jv_array();
	const char *p = b.data ? b.data : "", *end = p + b.len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *next = eol ? eol + 1 : end;
		const char *e = eol ? eol : end;
		while (p < e && textarg_is_space(*p))
			p++;
		while (e > p && textarg_is_space(e[-1]))
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
		run->topic = textarg_load("--topic", o->topic);
		if (!jv_is_valid(run->topic))
			return EXIT_USAGE;
	}
	if (o->guide) {
		/* A shipped guide may be named: --guide remote-work. */
		run->guide = load_guide(cli_shared_file("--guide", "guides", o->guide, ".txt"));
		if (!jv_is_valid(run->guide))
			return EXIT_USAGE;
	}
	/* The default is looked up in share only: a stray file called "names" in the
	 * current folder must not replace it. */
	run->names =
		o->names ? names_load(cli_shared_file("--names", "names", o->names, ".json")) : names_load_shipped();
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
