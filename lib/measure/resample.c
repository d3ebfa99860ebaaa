#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "jvutil.h"
#include "resample.h"
#include "rng.h"

/* A row is num[0..m), den[0..m), then zeros up to stride, a multiple of CHUNK: the
 * resampling loops sum CHUNK columns at a time over the drawn rows, few enough for the
 * running sums to stay in registers (about twice as fast as whole rows at once). */
#define CHUNK 4

struct units {
	size_t metrics, stride, rows, cap;
	double *cell;
};

struct units *units_new(size_t metrics)
{
	struct units *u = xcalloc(1, sizeof *u);
	u->metrics = metrics;
	u->stride = (2 * metrics + CHUNK - 1) / CHUNK * CHUNK;
	return u;
}

void units_add(struct units *u, const double *num, const double *den)
{
	size_t m = u->metrics;
	if (u->rows == u->cap) {
		u->cap = u->cap ? u->cap * 2 : 64;
		u->cell = xrealloc(u->cell, u->cap * u->stride * sizeof *u->cell);
	}
	double *row = u->cell + u->rows * u->stride;
	memcpy(row, num, m * sizeof *row);
	memcpy(row + m, den, m * sizeof *row);
	for (size_t j = 2 * m; j < u->stride; j++)
		row[j] = 0;
	u->rows++;
}

size_t units_count(const struct units *u)
{
	return u->rows;
}

size_t units_metrics(const struct units *u)
{
	return u->metrics;
}

void units_free(struct units *u)
{
	if (!u)
		return;
	free(u->cell);
	free(u);
}

static void add_row(double *sum, const double *row, size_t width)
{
	for (size_t j = 0; j < width; j++)
		sum[j] += row[j];
}

/* sum[c..c + CHUNK) = the sums of those columns over rows pick[0..count) of cell. */
static void sum_chunk(double *restrict sum, const double *restrict cell, size_t stride, const size_t *pick,
		      size_t count)
{
	double part[CHUNK] = { 0 };
	for (size_t i = 0; i < count; i++) {
		const double *row = cell + pick[i] * stride;
		for (int j = 0; j < CHUNK; j++)
			part[j] += row[j];
	}
	for (int j = 0; j < CHUNK; j++)
		sum[j] = part[j];
}

/* sum[0..stride) = the sums of rows pick[0..count) of cell. */
static void sum_rows(const double *cell, size_t stride, const size_t *pick, size_t count, double *sum)
{
	for (size_t c = 0; c < stride; c += CHUNK)
		sum_chunk(sum + c, cell + c, stride, pick, count);
}

/* out[k] = num / den of sums laid out like a row; NaN where den is 0. */
static void ratios(const double *sum, size_t m, double *out)
{
	for (size_t k = 0; k < m; k++)
		out[k] = sum[m + k] == 0 ? NAN : sum[k] / sum[m + k];
}

void units_value(const struct units *u, double *out)
{
	size_t width = u->stride;
	double *sum = xcalloc(width, sizeof *sum);
	for (size_t i = 0; i < u->rows; i++)
		add_row(sum, u->cell + i * width, width);
	ratios(sum, u->metrics, out);
	free(sum);
}

void units_bootstrap(const struct units *u, size_t reps, uint64_t seed, double *out)
{
	size_t m = u->metrics, n = u->rows;
	size_t *draw = xmalloc(n * sizeof *draw);
	double *sum = xmalloc(u->stride * sizeof *sum);
	struct rng stream = rng_stream(seed, NULL, "units_bootstrap");
	for (size_t r = 0; r < reps; r++) {
		/* All the draws first, then the sums: the row reads do not wait on the
		 * generator, and every metric sees the same resample. */
		struct rng rng = rng_substream(&stream, r);
		for (size_t i = 0; i < n; i++)
			draw[i] = rng_below(&rng, n);
		sum_rows(u->cell, u->stride, draw, n, sum);
		ratios(sum, m, out + r * m);
	}
	free(sum);
	free(draw);
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The type-7 quantile q of sorted[0..n), n > 0. */
static double quantile(const double *sorted, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	if (!(h > 0))
		return sorted[0];
	size_t i = (size_t)floor(h);
	if (i >= n - 1)
		return sorted[n - 1];
	double lo = sorted[i], hi = sorted[i + 1], frac = h - (double)i;
	if (frac == 0 || lo == hi)
		return lo; /* also keeps an infinite end from turning into inf - inf */
	return lo + frac * (hi - lo);
}

void percentile_interval(const double *x, size_t n, size_t stride, double level, double ci[2])
{
	double *sorted = xmalloc(n * sizeof *sorted);
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(x[i * stride]))
			sorted[count++] = x[i * stride];
	if (count == 0) {
		ci[0] = ci[1] = NAN;
	} else {
		qsort(sorted, count, sizeof *sorted, compare_double);
		double tail = (1 - level) / 2;
		ci[0] = quantile(sorted, count, tail);
		ci[1] = quantile(sorted, count, 1 - tail);
	}
	free(sorted);
}

void units_permutation(const struct units *a, const struct units *b, size_t reps, uint64_t seed, double *p)
{
	size_t m = a->metrics;
	if (b->metrics != m) {
		for (size_t k = 0; k < m; k++)
			p[k] = NAN;
		return;
	}
	size_t width = a->stride, na = a->rows, nb = b->rows, n = na + nb;
	/* The pool: a's rows, then b's. */
	double *pool = xmalloc(n * width * sizeof *pool);
	if (na)
		memcpy(pool, a->cell, na * width * sizeof *pool);
	if (nb)
		memcpy(pool + na * width, b->cell, nb * width * sizeof *pool);

	double *sum_a = xcalloc(width, sizeof *sum_a), *sum_b = xcalloc(width, sizeof *sum_b);
	double *value_a = xmalloc(m * sizeof *value_a), *value_b = xmalloc(m * sizeof *value_b);
	double *observed = xmalloc(m * sizeof *observed);
	size_t *extreme = xcalloc(m, sizeof *extreme);
	for (size_t i = 0; i < n; i++)
		add_row(i < na ? sum_a : sum_b, pool + i * width, width);
	ratios(sum_a, m, value_a);
	ratios(sum_b, m, value_b);
	for (size_t k = 0; k < m; k++)
		observed[k] = value_a[k] - value_b[k];

	/* Only the smaller group needs drawing: a partial Fisher-Yates shuffle puts a
	 * uniformly random subset of its size in order[0..small), whatever order the
	 * earlier replicates left behind. Both groups are summed from their own rows,
	 * never as total minus the other, so a group whose den is all 0 stays exactly 0. */
	size_t *order = xmalloc(n * sizeof *order);
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	size_t small = na <= nb ? na : nb;
	double *sum_small = na <= nb ? sum_a : sum_b, *sum_large = na <= nb ? sum_b : sum_a;
	struct rng stream = rng_stream(seed, NULL, "units_permutation");
	for (size_t r = 0; r < reps; r++) {
		struct rng rng = rng_substream(&stream, r);
		for (size_t i = 0; i < small; i++) {
			size_t j = i + (size_t)rng_below(&rng, n - i);
			size_t t = order[i];
			order[i] = order[j];
			order[j] = t;
		}
		sum_rows(pool, width, order, small, sum_small);
		sum_rows(pool, width, order + small, n - small, sum_large);
		ratios(sum_a, m, value_a);
		ratios(sum_b, m, value_b);
		for (size_t k = 0; k < m; k++)
			if (fabs(value_a[k] - value_b[k]) >= fabs(observed[k]) - 1e-12)
				extreme[k]++;
	}
	for (size_t k = 0; k < m; k++)
		p[k] = isnan(observed[k]) ? NAN : (double)(1 + extreme[k]) / (double)(1 + reps);

	free(order);
	free(extreme);
	free(observed);
	free(value_b);
	free(value_a);
	free(sum_b);
	free(sum_a);
	free(pool);
}

struct ranked {
	double p;
	size_t index;
};

static int compare_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->p != y->p)
		return x->p < y->p ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

void holm(const double *p, size_t n, double *adjusted)
{
	struct ranked *rank = xmalloc(n * sizeof *rank);
	size_t m = 0;
	for (size_t i = 0; i < n; i++)
		if (!isnan(p[i]))
			rank[m++] = (struct ranked){ p[i], i };
	qsort(rank, m, sizeof *rank, compare_ranked);
	/* adjusted may be p: every p was read into rank before the first write. */
	for (size_t i = 0; i < n; i++)
		if (isnan(p[i]))
			adjusted[i] = NAN;
	double running = 0;
	for (size_t j = 0; j < m; j++) {
		double step = (double)(m - j) * rank[j].p;
		if (step > 1)
			step = 1;
		if (step > running)
			running = step;
		adjusted[rank[j].index] = running;
	}
	free(rank);
}

jv holm_rows(jv rows, jv (*figure)(double))
{
	int n = jv_get_kind(rows) == JV_KIND_ARRAY ? jv_array_length(jv_copy(rows)) : 0;
	double *p = xmalloc((size_t)(n ? n : 1) * sizeof *p), *adjusted = xmalloc((size_t)(n ? n : 1) * sizeof *p);
	for (int i = 0; i < n; i++) {
		jv row = jv_array_get(jv_copy(rows), i);
		jv pi = jvu_get_borrow(row, "p");
		p[i] = jv_get_kind(pi) == JV_KIND_NUMBER ? jv_number_value(pi) : NAN;
		jv_free(pi);
		jv_free(row);
	}
	holm(p, (size_t)n, adjusted);
	for (int i = 0; i < n; i++) {
		jv row = jv_array_get(jv_copy(rows), i);
		jv value = isfinite(adjusted[i]) ? figure(adjusted[i]) : jv_null();
		rows = jv_array_set(rows, i, jv_object_set(row, jv_string("p_holm"), value));
	}
	free(p);
	free(adjusted);
	return rows;
}
