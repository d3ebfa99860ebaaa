#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "intern.h"
#include "jsonfile.h"
#include "jvutil.h"
#include "msg.h"
#include "schema.h"

#define MAX_STRATA 100000
#define MAX_SCHEMA_BYTES (64L * 1024 * 1024)

struct loader {
	struct schema *s;
	struct intern *strings;
	const char *field; /* field being read, for messages */
};

static int fail(struct loader *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct loader *L, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	/* jq's compile messages span lines; a diagnostic is one line. */
	for (char *p = text; *p; p++)
		if (*p == '\n')
			*p = ' ';
	if (L->field)
		errorf("%s: field '%s': %s", L->s->path, L->field, text);
	else
		errorf("%s: %s", L->s->path, text);
	return -1;
}

static int check_keys(struct loader *L, jv obj, const char *what, const char *const *allowed)
{
	jv_object_foreach(obj, key, value)
	{
		int known = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(jv_string_value(key), *a) == 0)
				known = 1;
		if (!known) {
			fail(L, "unknown key '%s' in %s", jv_string_value(key), what);
			jv_free(key);
			jv_free(value);
			return -1;
		}
		jv_free(key);
		jv_free(value);
	}
	return 0;
}

int schema_field_index(const struct schema *s, const char *name)
{
	for (size_t i = 0; i < s->nfields; i++)
		if (s->fields[i].name && strcmp(s->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---------- numbers and distributions ---------- */

static int get_number(struct loader *L, jv obj, const char *key, double *out, int required)
{
	jv v = jvu_get_borrow(obj, key);
	jv_kind k = jv_get_kind(v);
	if (k == JV_KIND_INVALID || k == JV_KIND_NULL) {
		jv_free(v);
		if (required)
			return fail(L, "'%s' is required", key);
		return 1;
	}
	if (k != JV_KIND_NUMBER) {
		jv_free(v);
		return fail(L, "'%s' must be a number, not %s", key, jvu_kind_name(k));
	}
	*out = jv_number_value(v);
	jv_free(v);
	if (!isfinite(*out))
		return fail(L, "'%s' must be finite", key);
	return 0;
}

static void weighted_finish(struct weighted *w)
{
	w->cumulative = xcalloc(w->n, sizeof *w->cumulative);
	double sum = 0;
	for (size_t i = 0; i < w->n; i++) {
		sum += w->weights[i];
		w->cumulative[i] = sum;
	}
	w->total = sum;
}

static void weighted_free(struct weighted *w)
{
	free(w->values);
	free(w->weights);
	free(w->cumulative);
	memset(w, 0, sizeof *w);
}

/* "values": {"a": 3, "b": 1} or ["a", "b"] (equal weights). */
static int parse_values(struct loader *L, jv spec, struct weighted *w)
{
	jv_kind k = jv_get_kind(spec);
	if (k == JV_KIND_ARRAY) {
		w->n = (size_t)jv_array_length(jv_copy(spec));
		w->values = xcalloc(w->n, sizeof *w->values);
		w->weights = xcalloc(w->n, sizeof *w->weights);
		for (size_t i = 0; i < w->n; i++) {
			jv v = jv_array_get(jv_copy(spec), (int)i);
			if (jv_get_kind(v) != JV_KIND_STRING) {
				fail(L, "value %zu must be a string, not %s", i + 1, jvu_kind_name(jv_get_kind(v)));
				jv_free(v);
				return -1;
			}
			w->values[i] = intern_str(L->strings, jv_string_value(v));
			w->weights[i] = 1;
			jv_free(v);
		}
	} else if (k == JV_KIND_OBJECT) {
		w->n = (size_t)jv_object_length(jv_copy(spec));
		w->values = xcalloc(w->n, sizeof *w->values);
		w->weights = xcalloc(w->n, sizeof *w->weights);
		size_t i = 0;
		int bad = 0;
		jv_object_foreach(spec, key, value)
		{
			if (!bad && (jv_get_kind(value) != JV_KIND_NUMBER || !isfinite(jv_number_value(value)) ||
				     jv_number_value(value) < 0)) {
				fail(L, "weight of '%s' must be a number >= 0", jv_string_value(key));
				bad = 1;
			}
			if (!bad) {
				w->values[i] = intern_str(L->strings, jv_string_value(key));
				w->weights[i] = jv_number_value(value);
				i++;
			}
			jv_free(key);
			jv_free(value);
		}
		if (bad)
			return -1;
	} else {
		return fail(L, "'values' must be an object of weights or an array of strings, not %s",
			    jvu_kind_name(k));
	}
	if (w->n == 0)
		return fail(L, "'values' is empty");
	weighted_finish(w);
	if (!(w->total > 0))
		return fail(L, "weights do not sum to a positive number");
	return 0;
}

static int apply_scale(struct loader *L, jv scale, struct weighted *w)
{
	if (jv_get_kind(scale) != JV_KIND_OBJECT)
		return fail(L, "'scale' must be an object of multipliers");
	int rc = 0;
	jv_object_foreach(scale, key, value)
	{
		const char *name = intern_str(L->strings, jv_string_value(key));
		size_t i = 0;
		while (i < w->n && w->values[i] != name)
			i++;
		if (rc == 0 && i == w->n)
			rc = fail(L, "'scale' names '%s', which is not one of the values", name);
		else if (rc == 0 && (jv_get_kind(value) != JV_KIND_NUMBER || !(jv_number_value(value) >= 0) ||
				     !isfinite(jv_number_value(value))))
			rc = fail(L, "'scale' of '%s' must be a number >= 0", name);
		else if (rc == 0)
			w->weights[i] *= jv_number_value(value);
		jv_free(key);
		jv_free(value);
	}
	if (rc)
		return rc;
	free(w->cumulative);
	weighted_finish(w);
	if (!(w->total > 0))
		return fail(L, "after 'scale', weights do not sum to a positive number");
	return 0;
}

static double normal_cdf(double x)
{
	return 0.5 * erfc(-x / M_SQRT2);
}

double numeric_mass(const struct numeric *num, double a, double b)
{
	if (a < num->lo)
		a = num->lo;
	if (b > num->hi)
		b = num->hi;
	if (!(b > a))
		return 0;
	switch (num->dist) {
	case DIST_UNIFORM:
		return (b - a) / (num->hi - num->lo);
	case DIST_NORMAL: {
		double z = normal_cdf((num->hi - num->mean) / num->sd) - normal_cdf((num->lo - num->mean) / num->sd);
		return (normal_cdf((b - num->mean) / num->sd) - normal_cdf((a - num->mean) / num->sd)) / z;
	}
	case DIST_HISTOGRAM: {
		double mass = 0;
		for (size_t i = 0; i < num->bins.n; i++) {
			double lo = fmax(a, num->bins.lo[i]), hi = fmin(b, num->bins.hi[i]);
			if (hi > lo)
				mass += num->bins.pick.weights[i] / num->bins.pick.total * (hi - lo) /
					(num->bins.hi[i] - num->bins.lo[i]);
		}
		return mass;
	}
	}
	return 0;
}

/* Integer fields sample the continuous distribution over [min-0.5, max+0.5) and round. */
static int parse_numeric(struct loader *L, jv spec, int integer, struct numeric *num)
{
	double half = integer ? 0.5 : 0;
	jv dist = jvu_get_borrow(spec, "dist");
	const char *name = jv_get_kind(dist) == JV_KIND_STRING ? jv_string_value(dist) : "uniform";
	int rc = 0;
	if (jv_get_kind(dist) != JV_KIND_INVALID && jv_get_kind(dist) != JV_KIND_STRING)
		rc = fail(L, "'dist' must be a string");
	else if (strcmp(name, "uniform") == 0)
		num->dist = DIST_UNIFORM;
	else if (strcmp(name, "normal") == 0)
		num->dist = DIST_NORMAL;
	else if (strcmp(name, "histogram") == 0)
		num->dist = DIST_HISTOGRAM;
	else
		rc = fail(L, "unknown dist '%s' (expected uniform, normal or histogram)", name);
	jv_free(dist);
	if (rc)
		return rc;

	if (num->dist == DIST_HISTOGRAM) {
		jv bins = jvu_get_borrow(spec, "bins");
		if (jv_get_kind(bins) != JV_KIND_ARRAY || jv_array_length(jv_copy(bins)) == 0) {
			jv_free(bins);
			return fail(L, "a histogram needs 'bins', a non-empty array of {\"min\",\"max\",\"weight\"}");
		}
		size_t n = (size_t)jv_array_length(jv_copy(bins));
		num->bins.n = n;
		num->bins.lo = xcalloc(n, sizeof(double));
		num->bins.hi = xcalloc(n, sizeof(double));
		num->bins.pick.n = n;
		num->bins.pick.values = xcalloc(n, sizeof(char *));
		num->bins.pick.weights = xcalloc(n, sizeof(double));
		num->lo = HUGE_VAL, num->hi = -HUGE_VAL;
		for (size_t i = 0; i < n && rc == 0; i++) {
			jv bin = jv_array_get(jv_copy(bins), (int)i);
			double lo = 0, hi = 0, w = 0;
			if (jv_get_kind(bin) != JV_KIND_OBJECT)
				rc = fail(L, "bin %zu must be an object {\"min\",\"max\",\"weight\"}", i + 1);
			if (rc == 0)
				rc = get_number(L, bin, "min", &lo, 1);
			if (rc == 0)
				rc = get_number(L, bin, "max", &hi, 1);
			if (rc == 0)
				rc = get_number(L, bin, "weight", &w, 1);
			if (rc == 0 && (integer ? hi < lo : hi <= lo))
				rc = fail(L, "bin %zu has max below min", i + 1);
			if (rc == 0 && w < 0)
				rc = fail(L, "bin %zu has a negative weight", i + 1);
			if (rc == 0 && integer && (lo != floor(lo) || hi != floor(hi)))
				rc = fail(L, "bin %zu of an integer field needs integer bounds", i + 1);
			num->bins.lo[i] = lo - half;
			num->bins.hi[i] = hi + half;
			num->bins.pick.weights[i] = w;
			num->lo = fmin(num->lo, lo - half);
			num->hi = fmax(num->hi, hi + half);
			jv_free(bin);
		}
		jv_free(bins);
		if (rc)
			return rc;
		weighted_finish(&num->bins.pick);
		if (!(num->bins.pick.total > 0))
			return fail(L, "bin weights do not sum to a positive number");
		return 0;
	}

	double lo = -HUGE_VAL, hi = HUGE_VAL;
	int need_bounds = integer || num->dist == DIST_UNIFORM;
	if ((rc = get_number(L, spec, "min", &lo, need_bounds)) < 0)
		return rc;
	if ((rc = get_number(L, spec, "max", &hi, need_bounds)) < 0)
		return rc;
	if (integer && (lo != floor(lo) || hi != floor(hi)))
		return fail(L, "'min' and 'max' of an integer field must be integers");
	if (integer ? hi < lo : hi <= lo)
		return fail(L, "'max' (%g) is below 'min' (%g)", hi, lo);
	num->lo = lo - half;
	num->hi = hi + half;
	if (num->dist == DIST_NORMAL) {
		if (get_number(L, spec, "mean", &num->mean, 1) < 0 || get_number(L, spec, "sd", &num->sd, 1) < 0)
			return -1;
		if (!(num->sd > 0))
			return fail(L, "'sd' must be > 0");
		double z = normal_cdf((num->hi - num->mean) / num->sd) - normal_cdf((num->lo - num->mean) / num->sd);
		if (!(z > 1e-12))
			return fail(L, "the range [min, max] has no probability under this normal distribution");
	}
	return 0;
}

static void numeric_free(struct numeric *num)
{
	free(num->bins.lo);
	free(num->bins.hi);
	weighted_free(&num->bins.pick);
}

static int parse_k(struct loader *L, jv spec, long nvalues, long *k_min, long *k_max)
{
	jv k = jvu_get_borrow(spec, "k");
	int rc = 0;
	if (jv_get_kind(k) == JV_KIND_NUMBER && jvu_is_integer(jv_number_value(k))) {
		*k_min = *k_max = (long)jv_number_value(k);
	} else if (jv_get_kind(k) == JV_KIND_OBJECT) {
		double lo = 0, hi = 0;
		if (get_number(L, k, "min", &lo, 1) < 0 || get_number(L, k, "max", &hi, 1) < 0)
			rc = -1;
		else
			*k_min = (long)lo, *k_max = (long)hi;
	} else {
		rc = fail(L, "a list needs 'k', an integer or {\"min\":A,\"max\":B}");
	}
	jv_free(k);
	if (rc == 0 && (*k_min < 0 || *k_max < *k_min))
		rc = fail(L, "'k' must satisfy 0 <= min <= max");
	if (rc == 0 && *k_max > nvalues)
		rc = fail(L, "'k' (%ld) is larger than the number of values (%ld)", *k_max, nvalues);
	return rc;
}

/* Read a distribution from spec (the field merged with a case's overrides). */
static int parse_distribution(struct loader *L, const struct field *f, jv spec, struct distribution *d)
{
	switch (f->kind) {
	case KIND_CATEGORICAL:
	case KIND_LIST: {
		jv values = jvu_get_borrow(spec, "values");
		if (jv_get_kind(values) == JV_KIND_INVALID) {
			jv_free(values);
			return fail(L, "'values' is required");
		}
		int rc = parse_values(L, values, &d->choice);
		jv_free(values);
		if (rc)
			return rc;
		jv scale = jvu_get_borrow(spec, "scale");
		if (jv_get_kind(scale) != JV_KIND_INVALID)
			rc = apply_scale(L, scale, &d->choice);
		jv_free(scale);
		if (rc == 0 && f->kind == KIND_LIST)
			rc = parse_k(L, spec, (long)d->choice.n, &d->k_min, &d->k_max);
		return rc;
	}
	case KIND_INTEGER:
	case KIND_REAL:
		return parse_numeric(L, spec, f->kind == KIND_INTEGER, &d->num);
	default:
		return 0;
	}
}

static void distribution_free(struct distribution *d)
{
	weighted_free(&d->choice);
	numeric_free(&d->num);
}

/* ---------- fields ---------- */

static const char *const kind_names[] = { "categorical", "integer", "real", "list", "constant", "derived", NULL };

static const char *const keys_common[] = { "name", "kind", "cases", "description", NULL };

static int allowed_key(enum field_kind kind, const char *key)
{
	static const char *const cat[] = { "values", NULL };
	static const char *const num[] = { "dist", "min", "max", "mean", "sd", "bins", "decimals", NULL };
	static const char *const list[] = { "values", "k", NULL };
	static const char *const constant[] = { "value", NULL };
	static const char *const derived[] = { "template", NULL };
	const char *const *sets[] = { cat, num, num, list, constant, derived };
	for (const char *const *k = keys_common; *k; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	for (const char *const *k = sets[kind]; *k; k++)
		if (strcmp(*k, key) == 0)
			return 1;
	return 0;
}

static int valid_name(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static void add_parent(struct field *f, int parent)
{
	for (size_t i = 0; i < f->nparents; i++)
		if (f->parents[i] == parent)
			return;
	f->parents = xrealloc(f->parents, (f->nparents + 1) * sizeof *f->parents);
	f->parents[f->nparents++] = parent;
}

static int parse_template(struct loader *L, struct field *f, const char *text)
{
	const char *p = text;
	while (*p) {
		const char *open = strstr(p, "{{");
		size_t lit = open ? (size_t)(open - p) : strlen(p);
		if (lit) {
			f->parts = xrealloc(f->parts, (f->nparts + 1) * sizeof *f->parts);
			char *copy = xmalloc(lit + 1);
			memcpy(copy, p, lit);
			copy[lit] = '\0';
			f->parts[f->nparts++] = (struct template_part){ copy, -1 };
		}
		if (!open)
			break;
		const char *close = strstr(open + 2, "}}");
		if (!close)
			return fail(L, "template has '{{' without '}}'");
		char name[256];
		size_t n = (size_t)(close - open - 2);
		if (n >= sizeof name)
			return fail(L, "template placeholder is too long");
		memcpy(name, open + 2, n);
		name[n] = '\0';
		int ref = schema_field_index(L->s, name);
		if (ref < 0)
			return fail(L, "template refers to unknown field '%s'", name);
		f->parts = xrealloc(f->parts, (f->nparts + 1) * sizeof *f->parts);
		f->parts[f->nparts++] = (struct template_part){ NULL, ref };
		add_parent(f, ref);
		p = close + 2;
	}
	return 0;
}

static int parse_term(struct loader *L, int parent, jv spec, struct term *t)
{
	const struct field *pf = &L->s->fields[parent];
	t->field = parent;
	jv_kind k = jv_get_kind(spec);
	int numeric = pf->kind == KIND_INTEGER || pf->kind == KIND_REAL;
	if (pf->kind == KIND_DERIVED || pf->kind == KIND_CONSTANT)
		return fail(L, "condition on '%s': conditions may only use sampled fields", pf->name);
	if (numeric) {
		t->is_range = 1;
		t->min = -HUGE_VAL, t->max = HUGE_VAL;
		if (k == JV_KIND_NUMBER) {
			t->min = t->max = jv_number_value(spec);
			return 0;
		}
		if (k != JV_KIND_OBJECT)
			return fail(L, "condition on '%s' must be a number or {\"min\":A,\"max\":B}", pf->name);
		if (check_keys(L, spec, "a range condition", (const char *const[]){ "min", "max", NULL }) < 0)
			return -1;
		if (get_number(L, spec, "min", &t->min, 0) < 0 || get_number(L, spec, "max", &t->max, 0) < 0)
			return -1;
		return 0;
	}
	if (k == JV_KIND_STRING) {
		t->nvalues = 1;
		t->values = xcalloc(1, sizeof *t->values);
		t->values[0] = intern_str(L->strings, jv_string_value(spec));
		return 0;
	}
	if (k != JV_KIND_ARRAY || jv_array_length(jv_copy(spec)) == 0)
		return fail(L, "condition on '%s' must be a string or a non-empty array of strings", pf->name);
	t->nvalues = (size_t)jv_array_length(jv_copy(spec));
	t->values = xcalloc(t->nvalues, sizeof *t->values);
	for (size_t i = 0; i < t->nvalues; i++) {
		jv v = jv_array_get(jv_copy(spec), (int)i);
		if (jv_get_kind(v) != JV_KIND_STRING) {
			jv_free(v);
			return fail(L, "condition on '%s' must list strings", pf->name);
		}
		t->values[i] = intern_str(L->strings, jv_string_value(v));
		jv_free(v);
	}
	return 0;
}

static int parse_cases(struct loader *L, struct field *f, jv field_spec)
{
	jv cases = jvu_get_borrow(field_spec, "cases");
	if (jv_get_kind(cases) == JV_KIND_INVALID) {
		jv_free(cases);
		return 0;
	}
	if (jv_get_kind(cases) != JV_KIND_ARRAY) {
		jv_free(cases);
		return fail(L, "'cases' must be an array");
	}
	if (f->kind == KIND_CONSTANT || f->kind == KIND_DERIVED) {
		jv_free(cases);
		return fail(L, "%s fields cannot have cases", kind_names[f->kind]);
	}
	f->ncases = (size_t)jv_array_length(jv_copy(cases));
	f->cases = xcalloc(f->ncases, sizeof *f->cases);
	int rc = 0;
	for (size_t c = 0; c < f->ncases && rc == 0; c++) {
		jv cs = jv_array_get(jv_copy(cases), (int)c);
		jv cond = jvu_get_borrow(cs, "if");
		if (jv_get_kind(cs) != JV_KIND_OBJECT || jv_get_kind(cond) != JV_KIND_OBJECT ||
		    jv_object_length(jv_copy(cond)) == 0) {
			rc = fail(L, "case %zu needs \"if\": an object of conditions", c + 1);
		} else {
			struct field_case *fc = &f->cases[c];
			fc->terms = xcalloc((size_t)jv_object_length(jv_copy(cond)), sizeof *fc->terms);
			jv_object_foreach(cond, key, value)
			{
				int parent = rc ? -1 : schema_field_index(L->s, jv_string_value(key));
				if (rc == 0 && parent < 0)
					rc = fail(L, "case %zu: condition on unknown field '%s'", c + 1,
						  jv_string_value(key));
				if (rc == 0)
					rc = parse_term(L, parent, value, &fc->terms[fc->nterms++]);
				if (rc == 0)
					add_parent(f, parent);
				jv_free(key);
				jv_free(value);
			}
			/* The case's distribution: the field's own spec with the case's keys on top. */
			jv merged = jv_object_merge(jv_copy(field_spec), jv_copy(cs));
			if (rc == 0) {
				/* A case's scale applies to its own weights, never on top of the field's. */
				if (jvu_kind_borrow(cs, "scale") == JV_KIND_INVALID)
					merged = jv_object_delete(merged, jv_string("scale"));
				char what[64];
				snprintf(what, sizeof what, "case %zu", c + 1);
				jv_object_foreach(cs, key, value)
				{
					const char *name = jv_string_value(key);
					if (rc == 0 && strcmp(name, "if") != 0 && strcmp(name, "scale") != 0 &&
					    (strcmp(name, "name") == 0 || strcmp(name, "kind") == 0 ||
					     strcmp(name, "cases") == 0 || !allowed_key(f->kind, name)))
						rc = fail(L, "unknown key '%s' in %s", name, what);
					jv_free(key);
					jv_free(value);
				}
				if (rc == 0)
					rc = parse_distribution(L, f, merged, &fc->dist);
			}
			jv_free(merged);
		}
		jv_free(cond);
		jv_free(cs);
	}
	jv_free(cases);
	return rc;
}

/* The kind is read in the first pass over the fields, with the name, so that
 * conditions can refer to fields declared later. */
static int parse_kind(struct loader *L, jv spec, struct field *f)
{
	jv kind = jvu_get_borrow(spec, "kind");
	int rc = 0;
	if (jv_get_kind(kind) != JV_KIND_STRING) {
		rc = fail(L, "'kind' is required (one of categorical, integer, real, list, constant, derived)");
	} else {
		size_t k = 0;
		while (kind_names[k] && strcmp(kind_names[k], jv_string_value(kind)) != 0)
			k++;
		if (!kind_names[k])
			rc = fail(L,
				  "unknown kind '%s' (expected categorical, integer, real, list, constant or derived)",
				  jv_string_value(kind));
		f->kind = (enum field_kind)k;
	}
	jv_free(kind);
	return rc;
}

static int parse_field(struct loader *L, jv spec, size_t index)
{
	struct field *f = &L->s->fields[index];
	L->field = f->name;
	int rc = 0;
	jv_object_foreach(spec, key, value)
	{
		if (rc == 0 && !allowed_key(f->kind, jv_string_value(key)))
			rc = fail(L, "unknown key '%s' for a %s field", jv_string_value(key), kind_names[f->kind]);
		jv_free(key);
		jv_free(value);
	}
	if (rc)
		return rc;
	/* Constant and derived fields return before their cases would be read: refuse
	 * cases here rather than ignore them. */
	if ((f->kind == KIND_CONSTANT || f->kind == KIND_DERIVED) && parse_cases(L, f, spec) < 0)
		return -1;
	switch (f->kind) {
	case KIND_CONSTANT: {
		jv value = jvu_get_borrow(spec, "value");
		if (jv_get_kind(value) == JV_KIND_INVALID) {
			jv_free(value);
			return fail(L, "'value' is required");
		}
		jv text = jv_dump_string(value, 0);
		f->constant_json = xstrdup(jv_string_value(text));
		jv_free(text);
		return 0;
	}
	case KIND_DERIVED: {
		jv t = jvu_get_borrow(spec, "template");
		if (jv_get_kind(t) != JV_KIND_STRING) {
			jv_free(t);
			return fail(L, "'template' is required (a string with {{field}} placeholders)");
		}
		rc = parse_template(L, f, jv_string_value(t));
		jv_free(t);
		return rc;
	}
	case KIND_REAL: {
		double decimals = 2;
		if (get_number(L, spec, "decimals", &decimals, 0) < 0)
			return -1;
		if (decimals < 0 || decimals > 12 || decimals != floor(decimals))
			return fail(L, "'decimals' must be an integer from 0 to 12");
		f->decimals = (int)decimals;
		break;
	}
	default:
		break;
	}
	if (parse_distribution(L, f, spec, &f->base) < 0)
		return -1;
	return parse_cases(L, f, spec);
}

/* ---------- dependency order ---------- */

static int order_fields(struct loader *L)
{
	struct schema *s = L->s;
	size_t n = s->nfields;
	int *done = xcalloc(n, sizeof *done);
	s->order = xcalloc(n, sizeof *s->order);
	size_t placed = 0;
	/* Kahn's algorithm, preferring declaration order among ready fields, so the
	 * order is stable and easy to predict. Derived fields go as late as possible. */
	for (int pass_derived = 0; pass_derived < 2; pass_derived++) {
		int progress = 1;
		while (progress) {
			progress = 0;
			for (size_t i = 0; i < n; i++) {
				struct field *f = &s->fields[i];
				if (done[i] || (f->kind == KIND_DERIVED) != pass_derived)
					continue;
				int ready = 1;
				for (size_t p = 0; p < f->nparents; p++)
					if (!done[f->parents[p]])
						ready = 0;
				if (ready) {
					done[i] = 1;
					s->order[placed++] = (int)i;
					progress = 1;
					break;
				}
			}
		}
	}
	if (placed == n) {
		free(done);
		return 0;
	}
	/* Find a cycle among the unplaced fields by walking parents until one repeats. */
	int *seen_at = xcalloc(n, sizeof *seen_at);
	int *path = xcalloc(n + 1, sizeof *path);
	size_t len = 0;
	int cur = 0;
	while (done[cur])
		cur++;
	for (;;) {
		if (seen_at[cur])
			break;
		path[len++] = cur;
		seen_at[cur] = (int)len;
		struct field *f = &s->fields[cur];
		int next = -1;
		for (size_t p = 0; p < f->nparents && next < 0; p++)
			if (!done[f->parents[p]])
				next = f->parents[p];
		cur = next;
	}
	struct buf b = BUF_INIT;
	for (size_t i = (size_t)seen_at[cur] - 1; i < len; i++)
		buf_addf(&b, "'%s' -> ", s->fields[path[i]].name);
	buf_addf(&b, "'%s'", s->fields[cur].name);
	L->field = NULL;
	fail(L, "dependency cycle: %s (each depends on the next)", b.data);
	buf_free(&b);
	free(seen_at);
	free(path);
	free(done);
	return -1;
}

/* ---------- quota ---------- */

static int quota_value_index(const struct field *f, const struct distribution *d, const char *value, double number)
{
	if (f->kind == KIND_CATEGORICAL) {
		for (size_t i = 0; i < d->choice.n; i++)
			if (d->choice.values[i] == value)
				return (int)i;
		return -1;
	}
	return number >= d->num.lo && number < d->num.hi ? 0 : -1;
}

/* The distribution of quota field f given the stratum values chosen so far. */
static const struct distribution *quota_distribution(const struct schema *s, const struct field *f,
						     const struct stratum *partial)
{
	for (size_t c = 0; c < f->ncases; c++) {
		const struct field_case *fc = &f->cases[c];
		int match = 1;
		for (size_t t = 0; t < fc->nterms && match; t++) {
			const struct term *term = &fc->terms[t];
			int q = s->fields[term->field].quota_index;
			if (term->is_range) {
				double x = partial->numbers[q];
				match = x >= term->min && x <= term->max;
			} else {
				match = 0;
				for (size_t v = 0; v < term->nvalues; v++)
					if (term->values[v] == partial->values[q])
						match = 1;
			}
		}
		if (match)
			return &fc->dist;
	}
	return &f->base;
}

static void stratum_label(const struct schema *s, struct stratum *st)
{
	struct buf b = BUF_INIT;
	for (size_t q = 0; q < s->nquota; q++) {
		const struct field *f = &s->fields[s->quota_fields[q]];
		if (q)
			buf_addc(&b, ',');
		if (st->values[q])
			buf_addf(&b, "%s=%s", f->name, st->values[q]);
		else
			buf_addf(&b, "%s=%.0f", f->name, st->numbers[q]);
	}
	st->label = b.data ? b.data : xstrdup("");
}

static struct stratum *add_stratum(struct schema *s)
{
	s->strata = xrealloc(s->strata, (s->nstrata + 1) * sizeof *s->strata);
	struct stratum *st = &s->strata[s->nstrata++];
	memset(st, 0, sizeof *st);
	st->values = xcalloc(s->nquota, sizeof *st->values);
	st->numbers = xcalloc(s->nquota, sizeof *st->numbers);
	return st;
}

/* Enumerate the product of the quota fields' values, with the joint probability
 * from each field's distribution given the earlier quota fields (chain rule). */
static int enumerate_strata(struct loader *L, size_t q, struct stratum *partial, double p)
{
	struct schema *s = L->s;
	if (q == s->nquota) {
		if (!(p > 0))
			return 0;
		if (s->nstrata >= MAX_STRATA)
			return fail(L, "quota has more than %d strata", MAX_STRATA);
		struct stratum *st = add_stratum(s);
		memcpy(st->values, partial->values, s->nquota * sizeof *st->values);
		memcpy(st->numbers, partial->numbers, s->nquota * sizeof *st->numbers);
		st->share = p;
		return 0;
	}
	const struct field *f = &s->fields[s->quota_fields[q]];
	const struct distribution *d = quota_distribution(s, f, partial);
	if (f->kind == KIND_CATEGORICAL) {
		for (size_t i = 0; i < d->choice.n; i++) {
			partial->values[q] = d->choice.values[i];
			if (enumerate_strata(L, q + 1, partial, p * d->choice.weights[i] / d->choice.total) < 0)
				return -1;
		}
		return 0;
	}
	for (double v = ceil(d->num.lo); v < d->num.hi; v++) {
		partial->values[q] = NULL;
		partial->numbers[q] = v;
		if (enumerate_strata(L, q + 1, partial, p * numeric_mass(&d->num, v - 0.5, v + 0.5)) < 0)
			return -1;
	}
	return 0;
}

static int parse_explicit_strata(struct loader *L, jv strata)
{
	struct schema *s = L->s;
	size_t n = (size_t)jv_array_length(jv_copy(strata));
	if (n == 0)
		return fail(L, "quota 'strata' is empty");
	for (size_t i = 0; i < n; i++) {
		jv spec = jv_array_get(jv_copy(strata), (int)i);
		jv values = jvu_get_borrow(spec, "values");
		double share = -1;
		int rc = 0;
		if (jv_get_kind(values) != JV_KIND_OBJECT)
			rc = fail(L, "quota stratum %zu needs \"values\": an object naming each quota field", i + 1);
		if (rc == 0 && jvu_kind_borrow(spec, "count") != JV_KIND_INVALID)
			rc = get_number(L, spec, "count", &share, 1);
		else if (rc == 0)
			rc = get_number(L, spec, "share", &share, 1);
		if (rc == 0 && share < 0)
			rc = fail(L, "quota stratum %zu has a negative share", i + 1);
		struct stratum *st = rc ? NULL : add_stratum(s);
		for (size_t q = 0; q < s->nquota && rc == 0; q++) {
			const struct field *f = &s->fields[s->quota_fields[q]];
			jv v = jvu_get_borrow(values, f->name);
			if (f->kind == KIND_CATEGORICAL && jv_get_kind(v) == JV_KIND_STRING) {
				st->values[q] = intern_str(L->strings, jv_string_value(v));
				int found = quota_value_index(f, &f->base, st->values[q], 0) >= 0;
				for (size_t c = 0; c < f->ncases && !found; c++)
					found = quota_value_index(f, &f->cases[c].dist, st->values[q], 0) >= 0;
				if (!found)
					rc = fail(L, "quota stratum %zu: '%s' is not a value of field '%s'", i + 1,
						  st->values[q], f->name);
			} else if (f->kind == KIND_INTEGER && jv_get_kind(v) == JV_KIND_NUMBER &&
				   jvu_is_integer(jv_number_value(v))) {
				st->numbers[q] = jv_number_value(v);
				if (quota_value_index(f, &f->base, NULL, st->numbers[q]) < 0)
					rc = fail(L, "quota stratum %zu: %g is outside the range of field '%s'", i + 1,
						  st->numbers[q], f->name);
			} else {
				rc = fail(L, "quota stratum %zu: needs a %s for field '%s'", i + 1,
					  f->kind == KIND_INTEGER ? "integer" : "string", f->name);
			}
			jv_free(v);
		}
		if (rc == 0)
			st->share = share;
		jv_free(values);
		jv_free(spec);
		if (rc)
			return rc;
	}
	return 0;
}

static int parse_quota(struct loader *L, jv quota)
{
	struct schema *s = L->s;
	L->field = NULL;
	if (jv_get_kind(quota) != JV_KIND_OBJECT)
		return fail(L, "'quota' must be an object {\"fields\":[...], \"strata\":[...]}");
	if (check_keys(L, quota, "'quota'", (const char *const[]){ "fields", "strata", NULL }) < 0)
		return -1;
	jv fields = jvu_get_borrow(quota, "fields");
	int rc = 0;
	if (jv_get_kind(fields) != JV_KIND_ARRAY || jv_array_length(jv_copy(fields)) == 0) {
		jv_free(fields);
		return fail(L, "quota 'fields' must be a non-empty array of field names");
	}
	s->nquota = (size_t)jv_array_length(jv_copy(fields));
	s->quota_fields = xcalloc(s->nquota, sizeof *s->quota_fields);
	for (size_t q = 0; q < s->nquota && rc == 0; q++) {
		jv name = jv_array_get(jv_copy(fields), (int)q);
		int idx = jv_get_kind(name) == JV_KIND_STRING ? schema_field_index(s, jv_string_value(name)) : -1;
		if (idx < 0)
			rc = fail(L, "quota names an unknown field");
		else if (s->fields[idx].kind != KIND_CATEGORICAL && s->fields[idx].kind != KIND_INTEGER)
			rc = fail(L, "quota field '%s' must be categorical or integer", s->fields[idx].name);
		else if (s->fields[idx].quota_index >= 0)
			rc = fail(L, "quota names field '%s' twice", s->fields[idx].name);
		if (rc == 0) {
			s->quota_fields[q] = idx;
			s->fields[idx].quota_index = (int)q;
		}
		jv_free(name);
	}
	jv_free(fields);
	if (rc)
		return rc;
	/* Quota fields are fixed per stratum, so they may only depend on each other,
	 * and they are listed in an order where parents come first. */
	for (size_t q = 0; q < s->nquota; q++) {
		const struct field *f = &s->fields[s->quota_fields[q]];
		for (size_t p = 0; p < f->nparents; p++) {
			const struct field *parent = &s->fields[f->parents[p]];
			if (parent->quota_index < 0)
				return fail(L, "quota field '%s' depends on '%s', which is not a quota field", f->name,
					    parent->name);
			if ((size_t)parent->quota_index > q)
				return fail(L, "quota field '%s' depends on '%s': list '%s' first in quota 'fields'",
					    f->name, parent->name, parent->name);
		}
	}
	jv strata = jvu_get_borrow(quota, "strata");
	if (jv_get_kind(strata) == JV_KIND_ARRAY) {
		rc = parse_explicit_strata(L, strata);
	} else if (jv_get_kind(strata) == JV_KIND_INVALID) {
		struct stratum partial = { xcalloc(s->nquota, sizeof(char *)), xcalloc(s->nquota, sizeof(double)), 0, 0,
					   NULL };
		rc = enumerate_strata(L, 0, &partial, 1.0);
		free(partial.values);
		free(partial.numbers);
	} else {
		rc = fail(L, "quota 'strata' must be an array");
	}
	jv_free(strata);
	if (rc)
		return rc;
	double total = 0, largest = 0;
	int all_integers = 1;
	for (size_t i = 0; i < s->nstrata; i++) {
		total += s->strata[i].share;
		largest = fmax(largest, s->strata[i].share);
		if (s->strata[i].share != floor(s->strata[i].share))
			all_integers = 0;
	}
	if (!(total > 0))
		return fail(L, "quota shares do not sum to a positive number");
	if (total >= 9.0e15)
		all_integers = 0;
	for (size_t i = 0; i < s->nstrata; i++) {
		struct stratum *st = &s->strata[i];
		/* Counts are used exactly; fractional shares are scaled to 40-bit integers. */
		st->weight =
			all_integers ? (uint64_t)st->share : (uint64_t)llround(st->share / largest * 1099511627776.0);
		st->share /= total;
		stratum_label(s, st);
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->strata[j].label, st->label) == 0)
				return fail(L, "quota lists stratum %s twice", st->label);
	}
	return 0;
}

/* ---------- constraints ---------- */

static int parse_constraints(struct loader *L, jv list)
{
	struct schema *s = L->s;
	L->field = NULL;
	if (jv_get_kind(list) != JV_KIND_ARRAY)
		return fail(L, "'constraints' must be an array of {\"name\",\"expr\"}");
	s->nconstraints = (size_t)jv_array_length(jv_copy(list));
	s->constraints = xcalloc(s->nconstraints, sizeof *s->constraints);
	for (size_t i = 0; i < s->nconstraints; i++) {
		jv c = jv_array_get(jv_copy(list), (int)i);
		jv name = jvu_get_borrow(c, "name");
		jv expr = jvu_get_borrow(c, "expr");
		int rc = 0;
		if (jv_get_kind(name) != JV_KIND_STRING || jv_get_kind(expr) != JV_KIND_STRING) {
			rc = fail(L, "constraint %zu needs \"name\" and \"expr\" strings", i + 1);
		} else {
			struct constraint *k = &s->constraints[i];
			k->name = xstrdup(jv_string_value(name));
			k->expr_text = xstrdup(jv_string_value(expr));
			struct buf err = BUF_INIT;
			k->expr = jqexpr_compile(k->expr_text, &err);
			if (!k->expr)
				rc = fail(L, "constraint '%s' is not a valid jq expression: %s", k->name,
					  err.data ? err.data : "compile error");
			buf_free(&err);
		}
		jv_free(name);
		jv_free(expr);
		jv_free(c);
		if (rc)
			return rc;
	}
	return 0;
}

/* ---------- top level ---------- */

static int load_top(struct loader *L, jv doc)
{
	struct schema *s = L->s;
	if (jv_get_kind(doc) != JV_KIND_OBJECT)
		return fail(L, "a schema must be a JSON object, not %s", jvu_kind_name(jv_get_kind(doc)));
	if (check_keys(L, doc, "the schema",
		       (const char *const[]){ "name", "version", "description", "id_prefix", "id_width", "max_tries",
					      "fields", "quota", "constraints", NULL }) < 0)
		return -1;
	jv name = jvu_get_borrow(doc, "name");
	if (jv_get_kind(name) != JV_KIND_STRING || !jv_string_length_bytes(jv_copy(name))) {
		jv_free(name);
		return fail(L, "'name' is required (a non-empty string)");
	}
	s->name = xstrdup(jv_string_value(name));
	jv_free(name);
	double version = 1, width = 6, tries = 1000;
	if (get_number(L, doc, "version", &version, 0) < 0 || get_number(L, doc, "id_width", &width, 0) < 0 ||
	    get_number(L, doc, "max_tries", &tries, 0) < 0)
		return -1;
	if (version < 0 || version != floor(version) || version > 1e9)
		return fail(L, "'version' must be a non-negative integer");
	if (width < 1 || width > 20 || width != floor(width))
		return fail(L, "'id_width' must be an integer from 1 to 20");
	if (tries < 1 || tries > 1e7 || tries != floor(tries))
		return fail(L, "'max_tries' must be an integer from 1 to 10000000");
	s->id_width = (int)width;
	s->max_tries = (long)tries;
	struct buf tag = BUF_INIT;
	buf_addf(&tag, "%s@%.0f", s->name, version);
	s->tag = tag.data;
	jv prefix = jvu_get_borrow(doc, "id_prefix");
	if (jv_get_kind(prefix) == JV_KIND_STRING)
		s->id_prefix = xstrdup(jv_string_value(prefix));
	else if (jv_get_kind(prefix) == JV_KIND_INVALID)
		s->id_prefix = xstrdup("p");
	jv_free(prefix);
	if (!s->id_prefix)
		return fail(L, "'id_prefix' must be a string");

	jv fields = jvu_get_borrow(doc, "fields");
	if (jv_get_kind(fields) != JV_KIND_ARRAY || jv_array_length(jv_copy(fields)) == 0) {
		jv_free(fields);
		return fail(L, "'fields' is required (a non-empty array of field objects)");
	}
	s->nfields = (size_t)jv_array_length(jv_copy(fields));
	s->fields = xcalloc(s->nfields, sizeof *s->fields);
	int rc = 0;
	/* Names first, so conditions and templates can refer to any field. */
	for (size_t i = 0; i < s->nfields && rc == 0; i++) {
		jv spec = jv_array_get(jv_copy(fields), (int)i);
		jv fname = jvu_get_borrow(spec, "name");
		s->fields[i].quota_index = -1;
		if (jv_get_kind(spec) != JV_KIND_OBJECT)
			rc = fail(L, "field %zu must be an object", i + 1);
		else if (jv_get_kind(fname) != JV_KIND_STRING || !valid_name(jv_string_value(fname)))
			rc = fail(
				L,
				"field %zu needs a \"name\" made of letters, digits and _ (not starting with a digit)",
				i + 1);
		else if (schema_field_index(s, jv_string_value(fname)) >= 0)
			rc = fail(L, "field '%s' is declared twice", jv_string_value(fname));
		else
			s->fields[i].name = xstrdup(jv_string_value(fname));
		if (rc == 0) {
			L->field = s->fields[i].name;
			rc = parse_kind(L, spec, &s->fields[i]);
			L->field = NULL;
		}
		if (rc) {
			for (size_t j = i; j < s->nfields; j++)
				s->fields[j].name = s->fields[j].name ? s->fields[j].name : xstrdup("");
		}
		jv_free(fname);
		jv_free(spec);
	}
	for (size_t i = 0; i < s->nfields && rc == 0; i++) {
		jv spec = jv_array_get(jv_copy(fields), (int)i);
		rc = parse_field(L, spec, i);
		jv_free(spec);
	}
	jv_free(fields);
	L->field = NULL;
	if (rc == 0)
		rc = order_fields(L);
	jv quota = jvu_get_borrow(doc, "quota");
	if (rc == 0 && jv_get_kind(quota) != JV_KIND_INVALID)
		rc = parse_quota(L, quota);
	jv_free(quota);
	jv constraints = jvu_get_borrow(doc, "constraints");
	if (rc == 0 && jv_get_kind(constraints) != JV_KIND_INVALID)
		rc = parse_constraints(L, constraints);
	jv_free(constraints);
	return rc;
}

struct schema *schema_load(const char *path)
{
	struct schema *s = xcalloc(1, sizeof *s);
	s->path = xstrdup(path);
	struct intern *strings = intern_new();
	s->intern = strings;
	struct loader L = { s, strings, NULL };
	jv doc = json_read_file(path, MAX_SCHEMA_BYTES);
	if (!jv_is_valid(doc)) {
		json_report_invalid(doc);
		schema_free(s);
		return NULL;
	}
	int rc = load_top(&L, doc);
	jv_free(doc);
	if (rc) {
		schema_free(s);
		return NULL;
	}
	return s;
}

void schema_free(struct schema *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nfields; i++) {
		struct field *f = &s->fields[i];
		free(f->name);
		distribution_free(&f->base);
		for (size_t c = 0; c < f->ncases; c++) {
			for (size_t t = 0; t < f->cases[c].nterms; t++)
				free(f->cases[c].terms[t].values);
			free(f->cases[c].terms);
			distribution_free(&f->cases[c].dist);
		}
		free(f->cases);
		free(f->constant_json);
		for (size_t p = 0; p < f->nparts; p++)
			free((char *)f->parts[p].literal);
		free(f->parts);
		free(f->parents);
	}
	free(s->fields);
	free(s->order);
	free(s->quota_fields);
	for (size_t i = 0; i < s->nstrata; i++) {
		free(s->strata[i].values);
		free(s->strata[i].numbers);
		free(s->strata[i].label);
	}
	free(s->strata);
	for (size_t i = 0; i < s->nconstraints; i++) {
		free(s->constraints[i].name);
		free(s->constraints[i].expr_text);
		jqexpr_free(s->constraints[i].expr);
	}
	free(s->constraints);
	intern_free(s->intern);
	free(s->path);
	free(s->name);
	free(s->tag);
	free(s->id_prefix);
	free(s);
}
