#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "msg.h"
#include "popstats.h"

#define NUMERIC_BINS 10
#define MAX_INTEGER_VALUES 1000

/* Counts keyed by a value pointer (interned strings, distributions). */
struct ptr_count {
	const void *key;
	double count;
};

struct ptr_table {
	struct ptr_count *items;
	size_t n, cap;
};

static double *ptr_slot(struct ptr_table *t, const void *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->items[i].key == key)
			return &t->items[i].count;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->items = xrealloc(t->items, t->cap * sizeof *t->items);
	}
	t->items[t->n] = (struct ptr_count){ key, 0 };
	return &t->items[t->n++].count;
}

struct field_stats {
	int per_value; /* integer with few values: one bucket per integer */
	double lo, hi; /* numeric buckets: [lo, hi] split into NUMERIC_BINS, or integers lo..hi */
	size_t nbuckets;
	double *observed; /* numeric buckets */
	struct ptr_table by_value; /* categorical and list: value -> count */
	struct ptr_table by_dist; /* distribution -> records drawn from it */
};

struct popstats {
	const struct schema *s;
	uint64_t records;
	struct field_stats *fields;
	uint64_t *stratum_observed;
	uint64_t stratum_mismatch;
};

static void numeric_extent(const struct numeric *num, double *lo, double *hi)
{
	double a = num->lo, b = num->hi;
	if (!isfinite(a))
		a = num->mean - 4 * num->sd;
	if (!isfinite(b))
		b = num->mean + 4 * num->sd;
	*lo = fmin(*lo, a);
	*hi = fmax(*hi, b);
}

struct popstats *popstats_new(const struct schema *s)
{
	struct popstats *ps = xcalloc(1, sizeof *ps);
	ps->s = s;
	ps->fields = xcalloc(s->nfields, sizeof *ps->fields);
	ps->stratum_observed = xcalloc(s->nstrata + 1, sizeof *ps->stratum_observed);
	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *f = &s->fields[i];
		struct field_stats *fs = &ps->fields[i];
		if (f->kind != KIND_INTEGER && f->kind != KIND_REAL)
			continue;
		fs->lo = HUGE_VAL, fs->hi = -HUGE_VAL;
		numeric_extent(&f->base.num, &fs->lo, &fs->hi);
		for (size_t c = 0; c < f->ncases; c++)
			numeric_extent(&f->cases[c].dist.num, &fs->lo, &fs->hi);
		if (f->kind == KIND_INTEGER && fs->hi - fs->lo <= MAX_INTEGER_VALUES) {
			fs->per_value = 1;
			fs->lo += 0.5, fs->hi -= 0.5; /* back to integer min and max */
			fs->nbuckets = (size_t)(fs->hi - fs->lo) + 1;
		} else {
			fs->nbuckets = NUMERIC_BINS;
		}
		fs->observed = xcalloc(fs->nbuckets, sizeof *fs->observed);
	}
	return ps;
}

static size_t bucket_of(const struct field_stats *fs, double x)
{
	double pos = fs->per_value ? x - fs->lo : (x - fs->lo) / (fs->hi - fs->lo) * NUMERIC_BINS;
	if (pos < 0)
		return 0;
	if (pos >= (double)fs->nbuckets)
		return fs->nbuckets - 1;
	return (size_t)pos;
}

static void count_value(struct field_stats *fs, const char *value)
{
	double *slot = ptr_slot(&fs->by_value, value);
	*slot += 1;
}

void popstats_add(struct popstats *ps, const struct sampler *sm, long stratum)
{
	const struct schema *s = ps->s;
	const struct value *values = sampler_values(sm);
	const struct distribution *const *used = sampler_used(sm);
	ps->records++;
	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *f = &s->fields[i];
		struct field_stats *fs = &ps->fields[i];
		if (used[i])
			*ptr_slot(&fs->by_dist, used[i]) += 1;
		switch (f->kind) {
		case KIND_CATEGORICAL:
			count_value(fs, values[i].text);
			break;
		case KIND_LIST:
			for (size_t k = 0; k < values[i].nitems; k++)
				count_value(fs, values[i].items[k]);
			break;
		case KIND_INTEGER:
		case KIND_REAL:
			fs->observed[bucket_of(fs, values[i].number)] += 1;
			break;
		default:
			break;
		}
	}
	if (stratum < 0)
		return;
	/* Check the record itself, not just the index it was given. */
	const struct stratum *st = &s->strata[stratum];
	int match = 1;
	for (size_t q = 0; q < s->nquota; q++) {
		const struct value *v = &values[s->quota_fields[q]];
		if (st->values[q] ? v->text != st->values[q] : v->number != st->numbers[q])
			match = 0;
	}
	if (match)
		ps->stratum_observed[stratum]++;
	else
		ps->stratum_mismatch++;
}

/* Expected count of one bucket: each distribution used, weighted by its records. */
static double expected_bucket(const struct field_stats *fs, size_t b)
{
	double a, z;
	if (fs->per_value) {
		a = fs->lo + (double)b - 0.5;
		z = a + 1;
	} else {
		double w = (fs->hi - fs->lo) / NUMERIC_BINS;
		a = fs->lo + (double)b * w;
		z = a + w;
	}
	if (b == 0)
		a = -HUGE_VAL;
	if (b == fs->nbuckets - 1)
		z = HUGE_VAL;
	double e = 0;
	for (size_t d = 0; d < fs->by_dist.n; d++) {
		const struct distribution *dist = fs->by_dist.items[d].key;
		e += fs->by_dist.items[d].count * numeric_mass(&dist->num, a, z);
	}
	return e;
}

static double expected_value(const struct field_stats *fs, const char *value)
{
	double e = 0;
	for (size_t d = 0; d < fs->by_dist.n; d++) {
		const struct distribution *dist = fs->by_dist.items[d].key;
		for (size_t k = 0; k < dist->choice.n; k++)
			if (dist->choice.values[k] == value)
				e += fs->by_dist.items[d].count * dist->choice.weights[k] / dist->choice.total;
	}
	return e;
}

/* Quota fields are not drawn: their expectation is the allocation itself. */
static double allocated_value(const struct popstats *ps, const uint64_t *allocated, int q, const char *text,
			      double number)
{
	double e = 0;
	for (size_t k = 0; k < ps->s->nstrata; k++) {
		const struct stratum *st = &ps->s->strata[k];
		if (text ? st->values[q] == text : st->numbers[q] == number)
			e += (double)allocated[k];
	}
	return e;
}

static void add_bucket_name(struct buf *b, const struct field_stats *fs, const struct field *f, size_t k)
{
	if (fs->per_value) {
		buf_addf(b, "\"%.0f\"", fs->lo + (double)k);
		return;
	}
	double w = (fs->hi - fs->lo) / NUMERIC_BINS;
	int d = f->kind == KIND_REAL ? f->decimals : 0;
	buf_addf(b, "\"[%.*f,%.*f)\"", d, fs->lo + (double)k * w, d, fs->lo + (double)(k + 1) * w);
}

static void write_field(const struct popstats *ps, const uint64_t *allocated, size_t i, struct buf *b)
{
	const struct field *f = &ps->s->fields[i];
	const struct field_stats *fs = &ps->fields[i];
	static const char *const kinds[] = { "categorical", "integer", "real", "list", "constant", "derived" };
	buf_addf(b, "{\"kind\":\"%s\"", kinds[f->kind]);
	double n = (double)ps->records;
	int quota = f->quota_index >= 0 && allocated;
	if (f->kind == KIND_CONSTANT || f->kind == KIND_DERIVED) {
		buf_addc(b, '}');
		return;
	}
	struct buf obs = BUF_INIT, exp = BUF_INIT;
	double tvd = 0;
	if (f->kind == KIND_CATEGORICAL || f->kind == KIND_LIST) {
		/* Every value that was possible or seen, in the schema's order. */
		struct ptr_table names = { 0 };
		const struct distribution *dists[1 + 1024];
		size_t nd = 0;
		dists[nd++] = &f->base;
		for (size_t c = 0; c < f->ncases && nd < 1025; c++)
			dists[nd++] = &f->cases[c].dist;
		for (size_t d = 0; d < nd; d++)
			for (size_t k = 0; k < dists[d]->choice.n; k++)
				ptr_slot(&names, dists[d]->choice.values[k]);
		for (size_t k = 0; k < fs->by_value.n; k++)
			ptr_slot(&names, fs->by_value.items[k].key);
		for (size_t k = 0; k < names.n; k++) {
			const char *value = names.items[k].key;
			double o = 0;
			for (size_t j = 0; j < fs->by_value.n; j++)
				if (fs->by_value.items[j].key == value)
					o = fs->by_value.items[j].count;
			double e = quota ? allocated_value(ps, allocated, f->quota_index, value, 0)
					 : expected_value(fs, value);
			buf_addc(&obs, obs.len ? ',' : '{');
			json_add_string(&obs, value);
			buf_addf(&obs, ":%.0f", o);
			buf_addc(&exp, exp.len ? ',' : '{');
			json_add_string(&exp, value);
			buf_addc(&exp, ':');
			json_add_fixed(&exp, e, 3);
			tvd += fabs(o - e);
		}
		free(names.items);
	} else {
		for (size_t k = 0; k < fs->nbuckets; k++) {
			double o = fs->observed[k];
			double e = quota ? allocated_value(ps, allocated, f->quota_index, NULL, fs->lo + (double)k)
					 : expected_bucket(fs, k);
			buf_addc(&obs, obs.len ? ',' : '{');
			add_bucket_name(&obs, fs, f, k);
			buf_addf(&obs, ":%.0f", o);
			buf_addc(&exp, exp.len ? ',' : '{');
			add_bucket_name(&exp, fs, f, k);
			buf_addc(&exp, ':');
			json_add_fixed(&exp, e, 3);
			tvd += fabs(o - e);
		}
	}
	buf_adds(&obs, obs.len ? "}" : "{}");
	buf_adds(&exp, exp.len ? "}" : "{}");
	buf_addf(b, ",\"observed\":%s", obs.data);
	if (f->kind == KIND_LIST) {
		/* Inclusion counts of weighted draws without replacement have no simple
		 * closed form; the first-draw expectation would mislead, so none is given. */
		buf_adds(b, ",\"expected\":null,\"tvd\":null}");
	} else {
		buf_addf(b, ",\"expected\":%s,\"tvd\":", exp.data);
		json_add_fixed(b, n > 0 ? 0.5 * tvd / n : 0, 6);
		buf_addc(b, '}');
	}
	buf_free(&obs);
	buf_free(&exp);
}

static void write_quota(const struct popstats *ps, const uint64_t *allocated, struct buf *b)
{
	const struct schema *s = ps->s;
	buf_adds(b, ",\"quota\":{\"fields\":[");
	for (size_t q = 0; q < s->nquota; q++) {
		if (q)
			buf_addc(b, ',');
		json_add_string(b, s->fields[s->quota_fields[q]].name);
	}
	buf_adds(b, "],\"strata\":[");
	double max_error = (double)ps->stratum_mismatch, max_dev = 0;
	for (size_t k = 0; k < s->nstrata; k++) {
		const struct stratum *st = &s->strata[k];
		double target = st->share * (double)ps->records;
		double err = fabs((double)allocated[k] - (double)ps->stratum_observed[k]);
		max_error = fmax(max_error, err);
		max_dev = fmax(max_dev, fabs((double)ps->stratum_observed[k] - target));
		if (k)
			buf_addc(b, ',');
		buf_adds(b, "{\"stratum\":");
		json_add_string(b, st->label);
		buf_adds(b, ",\"share\":");
		json_add_double(b, st->share);
		buf_adds(b, ",\"target\":");
		json_add_fixed(b, target, 3);
		buf_addf(b, ",\"allocated\":%llu,\"observed\":%llu}", (unsigned long long)allocated[k],
			 (unsigned long long)ps->stratum_observed[k]);
	}
	buf_addf(b, "],\"unmatched\":%llu,\"max_abs_error\":%.0f,\"max_target_deviation\":",
		 (unsigned long long)ps->stratum_mismatch, max_error);
	json_add_fixed(b, max_dev, 3);
	buf_addc(b, '}');
}

int popstats_write(const struct popstats *ps, const uint64_t *allocated, uint64_t seed, uint64_t offset,
		   const char *path)
{
	const struct schema *s = ps->s;
	struct buf b = BUF_INIT;
	buf_adds(&b, "{\"schema\":");
	json_add_string(&b, s->tag);
	buf_addf(&b, ",\"seed\":%llu,\"offset\":%llu,\"records\":%llu,\"fields\":{", (unsigned long long)seed,
		 (unsigned long long)offset, (unsigned long long)ps->records);
	for (size_t i = 0; i < s->nfields; i++) {
		if (i)
			buf_addc(&b, ',');
		json_add_string(&b, s->fields[i].name);
		buf_addc(&b, ':');
		write_field(ps, allocated, i, &b);
	}
	buf_addc(&b, '}');
	if (s->nquota && allocated)
		write_quota(ps, allocated, &b);
	buf_adds(&b, "}\n");
	FILE *f = strcmp(path, "-") == 0 ? stderr : fopen(path, "w");
	if (!f) {
		errorf("cannot open '%s' for writing: %s", path, strerror(errno));
		buf_free(&b);
		return -1;
	}
	int bad = fwrite(b.data, 1, b.len, f) != b.len;
	if (f != stderr)
		bad |= fclose(f) != 0;
	buf_free(&b);
	if (bad) {
		errorf("cannot write to '%s': %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

void popstats_free(struct popstats *ps)
{
	if (!ps)
		return;
	for (size_t i = 0; i < ps->s->nfields; i++) {
		free(ps->fields[i].observed);
		free(ps->fields[i].by_value.items);
		free(ps->fields[i].by_dist.items);
	}
	free(ps->fields);
	free(ps->stratum_observed);
	free(ps);
}
