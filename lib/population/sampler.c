#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonl.h"
#include "jsontext.h"
#include "msg.h"
#include "rng.h"
#include "sampler.h"

/* Below this acceptance rate, plain rejection for a truncated normal is too slow. */
#define MIN_NORMAL_ACCEPTANCE 0.25

struct sampler {
	const struct schema *s;
	uint64_t seed;
	char id[64];
	uint64_t record_key;
	uint64_t *purpose_keys; /* per field */
	struct value *values;
	const struct distribution **used;
	struct buf *derived; /* per field: text of derived values */
	const char ***items; /* per list field: storage for drawn items */
	char **constant_text; /* per constant field: its text when it is a string */
	jv *constant_jv; /* per constant field: its value */
	jv *field_names; /* per field: its name as a jv string, for constraints */
	double *weights; /* scratch for drawing lists */
	long *failures; /* per constraint, within one record */
};

struct sampler *sampler_new(const struct schema *s, uint64_t seed)
{
	struct sampler *sm = xcalloc(1, sizeof *sm);
	sm->s = s;
	sm->seed = seed;
	sm->purpose_keys = xcalloc(s->nfields, sizeof *sm->purpose_keys);
	sm->values = xcalloc(s->nfields, sizeof *sm->values);
	sm->used = xcalloc(s->nfields, sizeof *sm->used);
	sm->derived = xcalloc(s->nfields, sizeof *sm->derived);
	sm->items = xcalloc(s->nfields, sizeof *sm->items);
	sm->constant_text = xcalloc(s->nfields, sizeof *sm->constant_text);
	sm->failures = xcalloc(s->nconstraints + 1, sizeof *sm->failures);
	sm->constant_jv = xcalloc(s->nfields, sizeof *sm->constant_jv);
	sm->field_names = xcalloc(s->nfields, sizeof *sm->field_names);
	size_t most = 1;
	for (size_t i = 0; i < s->nfields; i++) {
		const struct field *f = &s->fields[i];
		char purpose[300];
		snprintf(purpose, sizeof purpose, "field:%s", f->name);
		sm->purpose_keys[i] = rng_purpose_key(purpose);
		if (f->kind == KIND_LIST) {
			size_t n = f->base.choice.n;
			for (size_t c = 0; c < f->ncases; c++)
				if (f->cases[c].dist.choice.n > n)
					n = f->cases[c].dist.choice.n;
			sm->items[i] = xcalloc(n, sizeof(char *));
			if (n > most)
				most = n;
		}
		sm->field_names[i] = jv_string(f->name);
		sm->constant_jv[i] =
			f->kind == KIND_CONSTANT ? json_parse(f->constant_json, strlen(f->constant_json)) : jv_null();
		if (jv_get_kind(sm->constant_jv[i]) == JV_KIND_STRING)
			sm->constant_text[i] = xstrdup(jv_string_value(sm->constant_jv[i]));
	}
	sm->weights = xcalloc(most, sizeof *sm->weights);
	return sm;
}

static size_t pick(const struct weighted *w, struct rng *r)
{
	double x = rng_uniform(r) * w->total;
	size_t lo = 0, hi = w->n - 1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (w->cumulative[mid] > x)
			hi = mid;
		else
			lo = mid + 1;
	}
	/* Skip zero-weight values that share a cumulative boundary. */
	while (lo < w->n - 1 && w->weights[lo] == 0)
		lo++;
	return lo;
}

static double normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

static double truncated_normal(const struct numeric *num, struct rng *r)
{
	double a = (num->lo - num->mean) / num->sd, b = (num->hi - num->mean) / num->sd;
	double pa = normal_cdf(a), pb = normal_cdf(b);
	if (pb - pa >= MIN_NORMAL_ACCEPTANCE) {
		for (;;) {
			double z = rng_normal(r);
			if (z >= a && z < b)
				return num->mean + num->sd * z;
		}
	}
	/* Narrow or far-out ranges: invert the CDF by bisection. Mirror to the left
	 * tail first, where the CDF keeps its precision. */
	int mirrored = a > 0;
	if (mirrored) {
		double t = a;
		a = -b, b = -t;
		pa = normal_cdf(a), pb = normal_cdf(b);
	}
	double u = pa + rng_uniform(r) * (pb - pa);
	double lo = a, hi = b;
	for (int i = 0; i < 80 && hi - lo > 1e-12; i++) {
		double mid = 0.5 * (lo + hi);
		if (normal_cdf(mid) < u)
			lo = mid;
		else
			hi = mid;
	}
	double z = 0.5 * (lo + hi);
	return num->mean + num->sd * (mirrored ? -z : z);
}

static double draw_numeric(const struct numeric *num, struct rng *r)
{
	switch (num->dist) {
	case DIST_UNIFORM:
		return num->lo + rng_uniform(r) * (num->hi - num->lo);
	case DIST_NORMAL:
		return truncated_normal(num, r);
	case DIST_HISTOGRAM: {
		size_t bin = pick(&num->bins.pick, r);
		return num->bins.lo[bin] + rng_uniform(r) * (num->bins.hi[bin] - num->bins.lo[bin]);
	}
	}
	return num->lo;
}

static int term_holds(const struct term *t, const struct value *v)
{
	if (t->is_range)
		return v->number >= t->min && v->number <= t->max;
	if (v->items) {
		for (size_t i = 0; i < v->nitems; i++)
			for (size_t k = 0; k < t->nvalues; k++)
				if (v->items[i] == t->values[k])
					return 1;
		return 0;
	}
	for (size_t k = 0; k < t->nvalues; k++)
		if (v->text == t->values[k])
			return 1;
	return 0;
}

static const struct distribution *choose_case(const struct field *f, const struct value *values)
{
	for (size_t c = 0; c < f->ncases; c++) {
		int match = 1;
		for (size_t t = 0; t < f->cases[c].nterms && match; t++)
			match = term_holds(&f->cases[c].terms[t], &values[f->cases[c].terms[t].field]);
		if (match)
			return &f->cases[c].dist;
	}
	return &f->base;
}

static void draw_list(struct sampler *sm, size_t i, const struct distribution *d, struct rng *r)
{
	const struct weighted *w = &d->choice;
	long k = d->k_min + (long)rng_below(r, (uint64_t)(d->k_max - d->k_min + 1));
	double total = w->total;
	memcpy(sm->weights, w->weights, w->n * sizeof *sm->weights);
	for (long j = 0; j < k && total > 0; j++) {
		double x = rng_uniform(r) * total, acc = 0;
		size_t chosen = w->n;
		for (size_t v = 0; v < w->n; v++) {
			if (sm->weights[v] <= 0)
				continue;
			chosen = v;
			acc += sm->weights[v];
			if (acc > x)
				break;
		}
		if (chosen == w->n)
			break; /* rounding left a positive total but no positive weight */
		total -= sm->weights[chosen];
		sm->weights[chosen] = -1; /* marks "taken" */
	}
	/* Items are listed in declaration order, so equal sets print the same. */
	size_t n = 0;
	for (size_t v = 0; v < w->n; v++)
		if (sm->weights[v] < 0)
			sm->items[i][n++] = w->values[v];
	sm->values[i].items = sm->items[i];
	sm->values[i].nitems = n;
}

static void add_value_text(const struct sampler *sm, size_t i, struct buf *out)
{
	const struct field *f = &sm->s->fields[i];
	const struct value *v = &sm->values[i];
	switch (f->kind) {
	case KIND_CATEGORICAL:
	case KIND_DERIVED:
		buf_adds(out, v->text);
		break;
	case KIND_INTEGER:
		buf_addf(out, "%.0f", v->number);
		break;
	case KIND_REAL:
		buf_addf(out, "%.*f", f->decimals, v->number);
		break;
	case KIND_LIST:
		for (size_t k = 0; k < v->nitems; k++) {
			if (k)
				buf_adds(out, ", ");
			buf_adds(out, v->items[k]);
		}
		break;
	case KIND_CONSTANT:
		buf_adds(out, sm->constant_text[i] ? sm->constant_text[i] : f->constant_json);
		break;
	}
}

static void draw_field(struct sampler *sm, size_t i, uint64_t attempt)
{
	const struct field *f = &sm->s->fields[i];
	struct value *v = &sm->values[i];
	struct rng r = rng_from(sm->record_key, sm->purpose_keys[i]);
	if (attempt)
		r = rng_substream(&r, attempt);
	const struct distribution *d = NULL;
	switch (f->kind) {
	case KIND_CATEGORICAL:
		d = choose_case(f, sm->values);
		v->text = d->choice.values[pick(&d->choice, &r)];
		break;
	case KIND_INTEGER:
		d = choose_case(f, sm->values);
		v->number = floor(draw_numeric(&d->num, &r) + 0.5);
		/* Rounding can land on the open upper end; keep it inside [min, max]. */
		if (v->number > d->num.hi - 0.5)
			v->number = d->num.hi - 0.5;
		break;
	case KIND_REAL: {
		d = choose_case(f, sm->values);
		double scale = pow(10, f->decimals);
		double x = round(draw_numeric(&d->num, &r) * scale) / scale;
		v->number = fmin(fmax(x, d->num.lo), d->num.hi);
		break;
	}
	case KIND_LIST:
		d = choose_case(f, sm->values);
		draw_list(sm, i, d, &r);
		break;
	case KIND_CONSTANT:
		break;
	case KIND_DERIVED: {
		struct buf *b = &sm->derived[i];
		buf_reset(b);
		buf_adds(b, "");
		for (size_t p = 0; p < f->nparts; p++) {
			if (f->parts[p].literal)
				buf_adds(b, f->parts[p].literal);
			else
				add_value_text(sm, (size_t)f->parts[p].field, b);
		}
		v->text = b->data;
		break;
	}
	}
	sm->used[i] = d;
}

static void add_field_json(const struct sampler *sm, size_t i, struct buf *out)
{
	const struct field *f = &sm->s->fields[i];
	const struct value *v = &sm->values[i];
	switch (f->kind) {
	case KIND_CATEGORICAL:
	case KIND_DERIVED:
		json_add_string(out, v->text);
		break;
	case KIND_INTEGER:
		json_add_int(out, (int64_t)v->number);
		break;
	case KIND_REAL:
		json_add_fixed(out, v->number, f->decimals);
		break;
	case KIND_LIST:
		buf_addc(out, '[');
		for (size_t k = 0; k < v->nitems; k++) {
			if (k)
				buf_addc(out, ',');
			json_add_string(out, v->items[k]);
		}
		buf_addc(out, ']');
		break;
	case KIND_CONSTANT:
		buf_adds(out, f->constant_json);
		break;
	}
}

static void write_fields(const struct sampler *sm, struct buf *out)
{
	buf_addc(out, '{');
	for (size_t i = 0; i < sm->s->nfields; i++) {
		if (i)
			buf_addc(out, ',');
		json_add_string(out, sm->s->fields[i].name);
		buf_addc(out, ':');
		add_field_json(sm, i, out);
	}
	buf_addc(out, '}');
}

static jv field_jv(const struct sampler *sm, size_t i)
{
	const struct field *f = &sm->s->fields[i];
	const struct value *v = &sm->values[i];
	switch (f->kind) {
	case KIND_CATEGORICAL:
	case KIND_DERIVED:
		return jv_string(v->text);
	case KIND_INTEGER:
	case KIND_REAL:
		return jv_number(v->number);
	case KIND_LIST: {
		jv list = jv_array_sized((int)v->nitems);
		for (size_t k = 0; k < v->nitems; k++)
			list = jv_array_append(list, jv_string(v->items[k]));
		return list;
	}
	case KIND_CONSTANT:
		return jv_copy(sm->constant_jv[i]);
	}
	return jv_null();
}

/* Index of the first constraint the current values break, or -1. */
static long broken_constraint(struct sampler *sm)
{
	if (!sm->s->nconstraints)
		return -1;
	/* Built directly as jv: printing and re-parsing would double the cost. */
	jv fields = jv_object();
	for (size_t i = 0; i < sm->s->nfields; i++)
		fields = jv_object_set(fields, jv_copy(sm->field_names[i]), field_jv(sm, i));
	long broken = -1;
	for (size_t c = 0; c < sm->s->nconstraints && broken < 0; c++) {
		struct buf err = BUF_INIT;
		int ok = jqexpr_test(sm->s->constraints[c].expr, fields, &err);
		if (ok < 0) {
			errorf("%s: constraint '%s' failed on record %s: %s", sm->s->path, sm->s->constraints[c].name,
			       sm->id, err.data ? err.data : "jq error");
			buf_free(&err);
			jv_free(fields);
			exit(EXIT_USAGE);
		}
		buf_free(&err);
		if (!ok)
			broken = (long)c;
	}
	jv_free(fields);
	return broken;
}

int sampler_draw(struct sampler *sm, uint64_t index, long stratum)
{
	const struct schema *s = sm->s;
	snprintf(sm->id, sizeof sm->id, "%s%0*llu", s->id_prefix, s->id_width, (unsigned long long)index);
	sm->record_key = rng_record_key(sm->seed, sm->id);
	if (stratum >= 0) {
		const struct stratum *st = &s->strata[stratum];
		for (size_t q = 0; q < s->nquota; q++) {
			struct value *v = &sm->values[s->quota_fields[q]];
			v->text = st->values[q];
			v->number = st->numbers[q];
			sm->used[s->quota_fields[q]] = NULL;
		}
	}
	memset(sm->failures, 0, (s->nconstraints + 1) * sizeof *sm->failures);
	for (long attempt = 0; attempt < s->max_tries; attempt++) {
		for (size_t k = 0; k < s->nfields; k++) {
			size_t i = (size_t)s->order[k];
			if (stratum >= 0 && s->fields[i].quota_index >= 0)
				continue;
			draw_field(sm, i, (uint64_t)attempt);
		}
		long broken = broken_constraint(sm);
		if (broken < 0)
			return 0;
		sm->failures[broken]++;
	}
	size_t worst = 0;
	for (size_t c = 1; c < s->nconstraints; c++)
		if (sm->failures[c] > sm->failures[worst])
			worst = c;
	errorf("%s: constraint '%s' (%s) was not met by any of %ld draws for record %s%s%s", s->path,
	       s->constraints[worst].name, s->constraints[worst].expr_text, s->max_tries, sm->id,
	       stratum >= 0 ? " in stratum " : "", stratum >= 0 ? s->strata[stratum].label : "");
	return -1;
}

const char *sampler_id(const struct sampler *sm)
{
	return sm->id;
}

const struct value *sampler_values(const struct sampler *sm)
{
	return sm->values;
}

const struct distribution *const *sampler_used(const struct sampler *sm)
{
	return sm->used;
}

void sampler_write_record(const struct sampler *sm, struct buf *out)
{
	buf_adds(out, "{\"id\":");
	json_add_string(out, sm->id);
	buf_adds(out, ",\"schema\":");
	json_add_string(out, sm->s->tag);
	buf_adds(out, ",\"seed\":");
	json_add_int(out, (int64_t)sm->seed);
	buf_adds(out, ",\"fields\":");
	write_fields(sm, out);
	buf_addc(out, '}');
}

void sampler_free(struct sampler *sm)
{
	if (!sm)
		return;
	for (size_t i = 0; i < sm->s->nfields; i++) {
		buf_free(&sm->derived[i]);
		free(sm->items[i]);
		free(sm->constant_text[i]);
		jv_free(sm->constant_jv[i]);
		jv_free(sm->field_names[i]);
	}
	free(sm->constant_jv);
	free(sm->field_names);
	free(sm->purpose_keys);
	free(sm->values);
	free(sm->used);
	free(sm->derived);
	free(sm->items);
	free(sm->constant_text);
	free(sm->weights);
	free(sm->failures);
	free(sm);
}
