/* extractsummary — extract's answers summarised and compared (see extractsummary.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answerstats.h"
#include "buf.h"
#include "extractsummary.h"
#include "jvutil.h"
#include "msg.h"
#include "resample.h"
#include "rng.h"

enum kind { KIND_CHOICE, KIND_NUMBER, KIND_OTHER };

#define ALL "\x01all" /* the tally group of the whole input */

struct question {
	char *name;
	enum kind kind;
	struct enumtally *choices; /* choices: groups (and ALL) x values */
	struct numtally **numbers; /* numbers: one per group, index = group index; [0] is ALL */
	size_t *n; /* answers per group; [0] is ALL */
};

struct answer_summary {
	double level;
	size_t reps;
	uint64_t seed;
	struct question *q;
	size_t nq;
	char **groups; /* [0] is ALL, then the groups in first-seen order */
	size_t *answers;
	size_t ngroups, cap;
};

static enum kind kind_of(jv property)
{
	if (jvu_kind_borrow(property, "enum") == JV_KIND_ARRAY)
		return KIND_CHOICE;
	jv type = jvu_get_borrow(property, "type");
	enum kind k = KIND_OTHER;
	if (jv_get_kind(type) == JV_KIND_STRING) {
		const char *t = jv_string_value(type);
		k = strcmp(t, "boolean") == 0                               ? KIND_CHOICE
		    : strcmp(t, "integer") == 0 || strcmp(t, "number") == 0 ? KIND_NUMBER
									    : KIND_OTHER;
	}
	jv_free(type);
	return k;
}

struct answer_summary *answer_summary_new(jv schema, double level, size_t reps, uint64_t seed)
{
	struct answer_summary *s = xcalloc(1, sizeof *s);
	s->level = level;
	s->reps = reps;
	s->seed = seed;
	jv props = jvu_get_borrow(schema, "properties");
	if (jv_get_kind(props) == JV_KIND_OBJECT) {
		s->q = xcalloc((size_t)jv_object_length(jv_copy(props)) + 1, sizeof *s->q);
		jv_object_foreach(props, key, property)
		{
			struct question *q = &s->q[s->nq++];
			q->name = xstrdup(jv_string_value(key));
			q->kind = kind_of(property);
			if (q->kind == KIND_CHOICE)
				q->choices = enumtally_new();
			jv_free(key);
			jv_free(property);
		}
	}
	jv_free(props);
	s->cap = 8;
	s->groups = xcalloc(s->cap, sizeof *s->groups);
	s->answers = xcalloc(s->cap, sizeof *s->answers);
	s->groups[0] = xstrdup(ALL);
	s->ngroups = 1;
	for (size_t i = 0; i < s->nq; i++) {
		s->q[i].numbers = xcalloc(s->cap, sizeof *s->q[i].numbers);
		s->q[i].n = xcalloc(s->cap, sizeof *s->q[i].n);
	}
	return s;
}

/* The index of group name, added when new. */
static size_t group_index(struct answer_summary *s, const char *name)
{
	for (size_t g = 0; g < s->ngroups; g++)
		if (strcmp(s->groups[g], name) == 0)
			return g;
	if (s->ngroups == s->cap) {
		size_t old = s->cap;
		s->cap *= 2;
		s->groups = xrealloc(s->groups, s->cap * sizeof *s->groups);
		s->answers = xrealloc(s->answers, s->cap * sizeof *s->answers);
		memset(s->answers + old, 0, (s->cap - old) * sizeof *s->answers);
		for (size_t i = 0; i < s->nq; i++) {
			s->q[i].numbers = xrealloc(s->q[i].numbers, s->cap * sizeof *s->q[i].numbers);
			memset(s->q[i].numbers + old, 0, (s->cap - old) * sizeof *s->q[i].numbers);
			s->q[i].n = xrealloc(s->q[i].n, s->cap * sizeof *s->q[i].n);
			memset(s->q[i].n + old, 0, (s->cap - old) * sizeof *s->q[i].n);
		}
	}
	s->groups[s->ngroups] = xstrdup(name);
	return s->ngroups++;
}

static void count(struct answer_summary *s, size_t g, jv answers)
{
	s->answers[g]++;
	for (size_t i = 0; i < s->nq; i++) {
		struct question *q = &s->q[i];
		jv value = jvu_get_borrow(answers, q->name);
		if (!jv_is_valid(value))
			continue;
		q->n[g]++;
		if (q->kind == KIND_CHOICE) {
			enumtally_add(q->choices, s->groups[g], jv_copy(value));
		} else if (q->kind == KIND_NUMBER && jv_get_kind(value) == JV_KIND_NUMBER) {
			if (!q->numbers[g])
				q->numbers[g] = numtally_new();
			numtally_add(q->numbers[g], jv_number_value(value));
		}
		jv_free(value);
	}
}

void answer_summary_add(struct answer_summary *s, jv group, jv answers)
{
	count(s, 0, answers);
	if (jv_get_kind(group) == JV_KIND_NULL || !jv_is_valid(group))
		return;
	struct buf name = BUF_INIT;
	if (jv_get_kind(group) == JV_KIND_STRING)
		buf_adds(&name, jv_string_value(group));
	else
		jvu_dump(group, &name);
	count(s, group_index(s, name.data), answers);
	buf_free(&name);
}

/* The row of group g in a question's choices, or -1 when it has no answer there. */
static long choice_row(const struct question *q, const char *group)
{
	for (size_t i = 0; i < enumtally_groups(q->choices); i++)
		if (strcmp(enumtally_group(q->choices, i), group) == 0)
			return (long)i;
	return -1;
}

/* A p-value: 6 decimals, or 3 significant digits below 0.001 — a tiny p must not
 * read as 0. */
static jv p_value(double p)
{
	if (!(p < 0.001) || p <= 0)
		return jvu_figure(p);
	char text[32];
	snprintf(text, sizeof text, "%.3g", p);
	return jv_number(strtod(text, NULL));
}

static jv interval(const double ci[2])
{
	return JV_ARRAY(jvu_figure(ci[0]), jvu_figure(ci[1]));
}

static jv question_json(const struct answer_summary *s, const struct question *q, size_t g)
{
	jv o = jv_object();
	static const char *const kinds[] = { "choice", "number", "other" };
	o = jv_object_set(o, jv_string("kind"), jv_string(kinds[q->kind]));
	o = jv_object_set(o, jv_string("n"), jv_number((double)q->n[g]));
	if (q->kind == KIND_CHOICE) {
		long row = choice_row(q, s->groups[g]);
		size_t total = 0;
		for (size_t j = 0; row >= 0 && j < enumtally_values(q->choices); j++)
			total += enumtally_count(q->choices, (size_t)row, j);
		jv values = jv_array();
		for (size_t j = 0; row >= 0 && j < enumtally_values(q->choices); j++) {
			size_t k = enumtally_count(q->choices, (size_t)row, j);
			double ci[2];
			wilson_interval(k, total, s->level, ci);
			jv v = jv_object();
			v = jv_object_set(v, jv_string("value"), enumtally_value(q->choices, j));
			v = jv_object_set(v, jv_string("count"), jv_number((double)k));
			v = jv_object_set(v, jv_string("share"), jvu_figure(total ? (double)k / (double)total : NAN));
			v = jv_object_set(v, jv_string("ci"), interval(ci));
			values = jv_array_append(values, v);
		}
		o = jv_object_set(o, jv_string("values"), values);
	} else if (q->kind == KIND_NUMBER) {
		const struct numtally *t = q->numbers[g];
		double ci[2] = { NAN, NAN };
		if (t)
			numtally_bootstrap(t, s->reps, s->level,
					   rng_mix64(s->seed ^ rng_hash(q->name, strlen(q->name), g + 1)), ci);
		o = jv_object_set(o, jv_string("mean"), jvu_figure(t ? numtally_mean(t) : NAN));
		o = jv_object_set(o, jv_string("sd"), jvu_figure(t ? sqrt(numtally_variance(t)) : NAN));
		o = jv_object_set(o, jv_string("ci"), interval(ci));
	}
	return o;
}

static jv questions_json(const struct answer_summary *s, size_t g)
{
	jv o = jv_object();
	for (size_t i = 0; i < s->nq; i++)
		o = jv_object_set(o, jv_string(s->q[i].name), question_json(s, &s->q[i], g));
	return o;
}

/* One row of the comparisons of question q between groups a and b. */
static jv compare_pair(const struct answer_summary *s, const struct question *q, size_t a, size_t b)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("question"), jv_string(q->name));
	o = jv_object_set(o, jv_string("a"), jv_string(s->groups[a]));
	o = jv_object_set(o, jv_string("b"), jv_string(s->groups[b]));
	if (q->kind == KIND_CHOICE) {
		size_t cols = enumtally_values(q->choices);
		double *m = xcalloc(2 * (cols ? cols : 1), sizeof *m);
		long ra = choice_row(q, s->groups[a]), rb = choice_row(q, s->groups[b]);
		for (size_t j = 0; j < cols; j++) {
			m[j] = ra >= 0 ? (double)enumtally_count(q->choices, (size_t)ra, j) : 0;
			m[cols + j] = rb >= 0 ? (double)enumtally_count(q->choices, (size_t)rb, j) : 0;
		}
		struct chi2_result r;
		chi2_test(m, 2, cols, &r);
		free(m);
		o = jv_object_set(o, jv_string("test"), jv_string("chi-square"));
		o = jv_object_set(o, jv_string("statistic"), jvu_figure(r.statistic));
		o = jv_object_set(o, jv_string("df"), jvu_figure(r.df));
		o = jv_object_set(o, jv_string("p"), p_value(r.p));
		o = jv_object_set(o, jv_string("cramers_v"), jvu_figure(r.cramers_v));
		o = jv_object_set(o, jv_string("n"), jvu_figure(r.n));
	} else {
		const struct numtally *x = q->numbers[a], *y = q->numbers[b];
		struct welch_result r = { NAN, NAN, NAN, NAN, NAN };
		if (x && y)
			welch_test((double)numtally_count(x), numtally_mean(x), numtally_variance(x),
				   (double)numtally_count(y), numtally_mean(y), numtally_variance(y), &r);
		o = jv_object_set(o, jv_string("test"), jv_string("welch"));
		o = jv_object_set(o, jv_string("diff"), jvu_figure(r.diff));
		o = jv_object_set(o, jv_string("t"), jvu_figure(r.t));
		o = jv_object_set(o, jv_string("df"), jvu_figure(r.df));
		o = jv_object_set(o, jv_string("p"), p_value(r.p));
		o = jv_object_set(o, jv_string("hedges_g"), jvu_figure(r.hedges_g));
	}
	return o;
}

/* Every pair of groups and every choice or number question, with Holm's p. */
static jv comparisons(const struct answer_summary *s)
{
	jv rows = jv_array();
	for (size_t a = 1; a < s->ngroups; a++)
		for (size_t b = a + 1; b < s->ngroups; b++)
			for (size_t i = 0; i < s->nq; i++)
				if (s->q[i].kind != KIND_OTHER)
					rows = jv_array_append(rows, compare_pair(s, &s->q[i], a, b));
	return holm_rows(rows, p_value);
}

jv answer_summary_json(struct answer_summary *s, int compare)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("answers"), jv_number((double)s->answers[0]));
	o = jv_object_set(o, jv_string("questions"), questions_json(s, 0));
	if (s->ngroups > 1) {
		jv groups = jv_object();
		for (size_t g = 1; g < s->ngroups; g++) {
			jv one = jv_object();
			one = jv_object_set(one, jv_string("answers"), jv_number((double)s->answers[g]));
			one = jv_object_set(one, jv_string("questions"), questions_json(s, g));
			groups = jv_object_set(groups, jv_string(s->groups[g]), one);
		}
		o = jv_object_set(o, jv_string("groups"), groups);
	}
	if (compare)
		o = jv_object_set(o, jv_string("comparisons"), comparisons(s));
	return o;
}

void answer_summary_free(struct answer_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nq; i++) {
		free(s->q[i].name);
		enumtally_free(s->q[i].choices);
		for (size_t g = 0; g < s->ngroups; g++)
			numtally_free(s->q[i].numbers[g]);
		free(s->q[i].numbers);
		free(s->q[i].n);
	}
	free(s->q);
	for (size_t g = 0; g < s->ngroups; g++)
		free(s->groups[g]);
	free(s->groups);
	free(s->answers);
	free(s);
}
