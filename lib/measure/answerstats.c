/* answerstats — see answerstats.h for the formulas and their sources. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "answerstats.h"
#include "intern.h"
#include "resample.h"
#include "rng.h"

#define SF_EPS 1e-15
#define SF_TINY 1e-300
#define SF_MAX_TERMS 10000

/* Acklam's approximation for 0 < p <= 1/2. */
static double acklam_lower(double p)
{
	static const double a[6] = { -3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
				     1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00 };
	static const double b[5] = { -5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
				     6.680131188771972e+01, -1.328068155288572e+01 };
	static const double c[6] = { -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
				     -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00 };
	static const double d[4] = { 7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
				     3.754408661907416e+00 };
	if (p < 0.02425) {
		double q = sqrt(-2 * log(p));
		return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
		       ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
	}
	double q = p - 0.5, r = q * q;
	return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
	       (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

double normal_quantile(double p)
{
	if (isnan(p) || p < 0 || p > 1)
		return NAN;
	if (p == 0)
		return -INFINITY;
	if (p == 1)
		return INFINITY;
	if (p > 0.5)
		return -normal_quantile(1 - p); /* 1 - p is exact for p >= 1/2 */
	double x = acklam_lower(p);
	/* One Halley step on f(x) = Phi(x) - p, with Phi from erfc (accurate in the tail). */
	double e = 0.5 * erfc(-x / M_SQRT2) - p;
	double u = e * sqrt(2 * M_PI) * exp(x * x / 2);
	return x - u / (1 + x * u / 2);
}

void wilson_interval(size_t k, size_t n, double level, double ci[2])
{
	ci[0] = ci[1] = NAN;
	if (n == 0 || k > n || !(level > 0 && level < 1))
		return;
	double z = normal_quantile((1 + level) / 2), nn = (double)n, ph = (double)k / nn;
	double z2 = z * z, denom = 1 + z2 / nn;
	double centre = (ph + z2 / (2 * nn)) / denom;
	double half = z / denom * sqrt(ph * (1 - ph) / nn + z2 / (4 * nn * nn));
	ci[0] = k == 0 ? 0 : fmax(0, centre - half);
	ci[1] = k == n ? 1 : fmin(1, centre + half);
}

/* x^a e^-x / Gamma(a), the factor in front of both the series and the fraction. */
static double gamma_prefactor(double a, double x)
{
	return exp(a * log(x) - x - lgamma(a));
}

/* P(a, x) by its series, for x < a + 1 (NR gser). */
static double gamma_p_series(double a, double x)
{
	double ap = a, term = 1 / a, sum = term;
	for (int i = 0; i < SF_MAX_TERMS; i++) {
		ap += 1;
		term *= x / ap;
		sum += term;
		if (fabs(term) < fabs(sum) * SF_EPS)
			break;
	}
	return sum * gamma_prefactor(a, x);
}

/* One step of the modified Lentz method for the continued fraction b0 + a1/(b1 + a2/(b2
 * + ...)): with partial numerator a and denominator b, updates c and d and returns the
 * factor the value is multiplied by. */
static double lentz_step(double a, double b, double *c, double *d)
{
	*d = b + a * *d;
	if (fabs(*d) < SF_TINY)
		*d = SF_TINY;
	*c = b + a / *c;
	if (fabs(*c) < SF_TINY)
		*c = SF_TINY;
	*d = 1 / *d;
	return *d * *c;
}

/* Q(a, x) by Legendre's continued fraction, for x >= a + 1 (NR gcf, modified Lentz). */
static double gamma_q_fraction(double a, double x)
{
	double b = x + 1 - a, c = 1 / SF_TINY, d = 1 / b, h = d;
	for (int i = 1; i <= SF_MAX_TERMS; i++) {
		double an = -i * (i - a);
		b += 2;
		double delta = lentz_step(an, b, &c, &d);
		h *= delta;
		if (fabs(delta - 1) < SF_EPS)
			break;
	}
	return gamma_prefactor(a, x) * h;
}

double gamma_q(double a, double x)
{
	if (isnan(a) || isnan(x) || a <= 0 || x < 0)
		return NAN;
	if (x == 0)
		return 1;
	if (isinf(x))
		return 0;
	if (x < a + 1)
		return 1 - gamma_p_series(a, x);
	return gamma_q_fraction(a, x);
}

/* The continued fraction of I_x(a, b) (NR betacf, modified Lentz). */
static double beta_fraction(double a, double b, double x)
{
	double qab = a + b, qap = a + 1, qam = a - 1;
	double c = 1, d = 1 - qab * x / qap;
	if (fabs(d) < SF_TINY)
		d = SF_TINY;
	d = 1 / d;
	double h = d;
	for (int m = 1; m <= SF_MAX_TERMS; m++) {
		int m2 = 2 * m;
		h *= lentz_step(m * (b - m) * x / ((qam + m2) * (a + m2)), 1, &c, &d);
		double delta = lentz_step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)), 1, &c, &d);
		h *= delta;
		if (fabs(delta - 1) < SF_EPS)
			break;
	}
	return h;
}

/* I_x(a, b) given both x and y = 1 - x, so a caller who knows 1 - x more precisely
 * than the subtraction would give it passes it. */
static double beta_i2(double a, double b, double x, double y)
{
	if (x <= 0)
		return 0;
	if (y <= 0)
		return 1;
	double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(y));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_fraction(a, b, x) / a;
	return 1 - front * beta_fraction(b, a, y) / b;
}

double beta_i(double a, double b, double x)
{
	if (isnan(a) || isnan(b) || isnan(x) || a <= 0 || b <= 0 || x < 0 || x > 1)
		return NAN;
	return beta_i2(a, b, x, 1 - x);
}

double chi2_upper(double x, double df)
{
	if (isnan(x) || !(df > 0))
		return NAN;
	return gamma_q(df / 2, fmax(x, 0) / 2);
}

double student_t_two_sided(double t, double df)
{
	if (isnan(t) || !(df > 0))
		return NAN;
	if (isinf(t))
		return 0;
	double t2 = t * t;
	return beta_i2(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

void chi2_test(const double *counts, size_t rows, size_t cols, struct chi2_result *out)
{
	*out = (struct chi2_result){ NAN, 0, NAN, NAN, NAN, NAN };
	double *rsum = calloc(rows ? rows : 1, sizeof *rsum), *csum = calloc(cols ? cols : 1, sizeof *csum);
	if (!rsum || !csum)
		abort();
	double n = 0;
	int bad = 0;
	for (size_t i = 0; i < rows; i++)
		for (size_t j = 0; j < cols; j++) {
			double o = counts[i * cols + j];
			if (!isfinite(o) || o < 0)
				bad = 1;
			rsum[i] += o;
			csum[j] += o;
			n += o;
		}
	size_t r = 0, c = 0;
	for (size_t i = 0; i < rows; i++)
		r += rsum[i] > 0;
	for (size_t j = 0; j < cols; j++)
		c += csum[j] > 0;
	if (bad) {
		out->df = NAN;
		goto done;
	}
	out->n = n;
	if (r < 2 || c < 2)
		goto done;
	double stat = 0, min_e = INFINITY;
	for (size_t i = 0; i < rows; i++) {
		if (rsum[i] == 0)
			continue;
		for (size_t j = 0; j < cols; j++) {
			if (csum[j] == 0)
				continue;
			double e = rsum[i] * csum[j] / n, dev = counts[i * cols + j] - e;
			stat += dev * dev / e;
			min_e = fmin(min_e, e);
		}
	}
	out->statistic = stat;
	out->df = (double)((r - 1) * (c - 1));
	out->p = chi2_upper(stat, out->df);
	out->cramers_v = sqrt(stat / (n * (double)((r < c ? r : c) - 1)));
	out->min_expected = min_e;
done:
	free(rsum);
	free(csum);
}

void welch_test(double n1, double mean1, double var1, double n2, double mean2, double var2, struct welch_result *out)
{
	*out = (struct welch_result){ NAN, NAN, NAN, NAN, NAN };
	if (!(n1 >= 2 && n2 >= 2) || !isfinite(mean1) || !isfinite(mean2) || !(var1 >= 0) || !(var2 >= 0))
		return;
	double diff = mean1 - mean2, s1 = var1 / n1, s2 = var2 / n2, se2 = s1 + s2;
	out->diff = diff;
	if (se2 > 0) {
		out->t = diff / sqrt(se2);
		out->df = se2 * se2 / (s1 * s1 / (n1 - 1) + s2 * s2 / (n2 - 1));
		out->p = student_t_two_sided(out->t, out->df);
	}
	double sp = sqrt(((n1 - 1) * var1 + (n2 - 1) * var2) / (n1 + n2 - 2));
	if (sp > 0)
		out->hedges_g = (1 - 3 / (4 * (n1 + n2) - 9)) * diff / sp;
}

/* ---- numeric answers ---- */

struct numtally {
	double *value; /* ascending */
	size_t *count;
	size_t k, cap, n;
};

struct numtally *numtally_new(void)
{
	struct numtally *t = calloc(1, sizeof *t);
	if (!t)
		abort();
	return t;
}

/* The first index whose value is >= x. */
static size_t numtally_find(const struct numtally *t, double x)
{
	size_t lo = 0, hi = t->k;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->value[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

int numtally_add(struct numtally *t, double x)
{
	if (!isfinite(x))
		return -1;
	if (x == 0)
		x = 0; /* -0 and 0 are one answer */
	size_t j = numtally_find(t, x);
	if (j == t->k || t->value[j] != x) {
		if (t->k == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 8;
			t->value = realloc(t->value, t->cap * sizeof *t->value);
			t->count = realloc(t->count, t->cap * sizeof *t->count);
			if (!t->value || !t->count)
				abort();
		}
		memmove(t->value + j + 1, t->value + j, (t->k - j) * sizeof *t->value);
		memmove(t->count + j + 1, t->count + j, (t->k - j) * sizeof *t->count);
		t->value[j] = x;
		t->count[j] = 0;
		t->k++;
	}
	t->count[j]++;
	t->n++;
	return 0;
}

size_t numtally_count(const struct numtally *t)
{
	return t->n;
}

/* sum w_j v_j with w_j = c_j / n: a single value comes back exactly. */
static double weighted_mean(const double *value, const size_t *count, size_t k, size_t n)
{
	double sum = 0;
	for (size_t j = 0; j < k; j++)
		sum += (double)count[j] / (double)n * value[j];
	return sum;
}

double numtally_mean(const struct numtally *t)
{
	return t->n ? weighted_mean(t->value, t->count, t->k, t->n) : NAN;
}

double numtally_variance(const struct numtally *t)
{
	if (t->n < 2)
		return NAN;
	double mean = numtally_mean(t), ss = 0;
	for (size_t j = 0; j < t->k; j++) {
		double dev = t->value[j] - mean;
		ss += (double)t->count[j] * dev * dev;
	}
	return ss / (double)(t->n - 1);
}

size_t numtally_distinct(const struct numtally *t)
{
	return t->k;
}

double numtally_value(const struct numtally *t, size_t j, size_t *count)
{
	if (count)
		*count = j < t->k ? t->count[j] : 0;
	return j < t->k ? t->value[j] : NAN;
}

void numtally_bootstrap(const struct numtally *t, size_t reps, double level, uint64_t seed, double ci[2])
{
	ci[0] = ci[1] = NAN;
	if (t->n == 0 || reps == 0)
		return;
	size_t k = t->k, *cum = malloc(k * sizeof *cum), *drawn = malloc(k * sizeof *drawn);
	double *means = malloc(reps * sizeof *means);
	if (!cum || !drawn || !means)
		abort();
	size_t total = 0;
	for (size_t j = 0; j < k; j++)
		cum[j] = total += t->count[j];
	struct rng stream = rng_stream(seed, NULL, "numtally_bootstrap");
	for (size_t r = 0; r < reps; r++) {
		struct rng rng = rng_substream(&stream, r);
		memset(drawn, 0, k * sizeof *drawn);
		for (size_t i = 0; i < t->n; i++) {
			uint64_t u = rng_below(&rng, t->n);
			size_t lo = 0, hi = k - 1; /* the first j with cum[j] > u */
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				if (cum[mid] > u)
					hi = mid;
				else
					lo = mid + 1;
			}
			drawn[lo]++;
		}
		means[r] = weighted_mean(t->value, drawn, k, t->n);
	}
	percentile_interval(means, reps, 1, level, ci);
	free(cum);
	free(drawn);
	free(means);
}

void numtally_free(struct numtally *t)
{
	if (!t)
		return;
	free(t->value);
	free(t->count);
	free(t);
}

/* ---- enum answers ---- */

struct enumtally {
	struct intern *names; /* group names and value keys */
	const char **group, **key; /* interned */
	jv *value; /* the first value seen for each key */
	size_t **count; /* count[i] has vcap entries */
	size_t groups, gcap, values, vcap;
};

struct enumtally *enumtally_new(void)
{
	struct enumtally *t = calloc(1, sizeof *t);
	if (!t)
		abort();
	t->names = intern_new();
	return t;
}

static size_t find_pointer(const char **list, size_t n, const char *p)
{
	size_t i = 0;
	while (i < n && list[i] != p)
		i++;
	return i;
}

static size_t enumtally_row(struct enumtally *t, const char *name)
{
	const char *g = intern_str(t->names, name);
	size_t i = find_pointer(t->group, t->groups, g);
	if (i < t->groups)
		return i;
	if (t->groups == t->gcap) {
		t->gcap = t->gcap ? 2 * t->gcap : 4;
		t->group = realloc(t->group, t->gcap * sizeof *t->group);
		t->count = realloc(t->count, t->gcap * sizeof *t->count);
		if (!t->group || !t->count)
			abort();
	}
	t->group[i] = g;
	t->count[i] = calloc(t->vcap ? t->vcap : 1, sizeof **t->count);
	if (!t->count[i])
		abort();
	t->groups++;
	return i;
}

static size_t enumtally_column(struct enumtally *t, jv value)
{
	jv text = jv_dump_string(jv_copy(value), JV_PRINT_SORTED);
	const char *key = intern_str(t->names, jv_string_value(text));
	jv_free(text);
	size_t j = find_pointer(t->key, t->values, key);
	if (j < t->values) {
		jv_free(value);
		return j;
	}
	if (t->values == t->vcap) {
		t->vcap = t->vcap ? 2 * t->vcap : 8;
		t->key = realloc(t->key, t->vcap * sizeof *t->key);
		t->value = realloc(t->value, t->vcap * sizeof *t->value);
		if (!t->key || !t->value)
			abort();
		for (size_t i = 0; i < t->groups; i++) {
			t->count[i] = realloc(t->count[i], t->vcap * sizeof **t->count);
			if (!t->count[i])
				abort();
			memset(t->count[i] + t->values, 0, (t->vcap - t->values) * sizeof **t->count);
		}
	}
	t->key[j] = key;
	t->value[j] = value;
	t->values++;
	return j;
}

int enumtally_add(struct enumtally *t, const char *group, jv value)
{
	if (!jv_is_valid(value)) {
		jv_free(value);
		return -1;
	}
	size_t j = enumtally_column(t, value);
	size_t i = enumtally_row(t, group);
	t->count[i][j]++;
	return 0;
}

size_t enumtally_groups(const struct enumtally *t)
{
	return t->groups;
}

size_t enumtally_values(const struct enumtally *t)
{
	return t->values;
}

const char *enumtally_group(const struct enumtally *t, size_t i)
{
	return i < t->groups ? t->group[i] : NULL;
}

jv enumtally_value(const struct enumtally *t, size_t j)
{
	return j < t->values ? jv_copy(t->value[j]) : jv_invalid();
}

size_t enumtally_count(const struct enumtally *t, size_t i, size_t j)
{
	return i < t->groups && j < t->values ? t->count[i][j] : 0;
}

void enumtally_matrix(const struct enumtally *t, double *out)
{
	for (size_t i = 0; i < t->groups; i++)
		for (size_t j = 0; j < t->values; j++)
			out[i * t->values + j] = (double)t->count[i][j];
}

void enumtally_free(struct enumtally *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->groups; i++)
		free(t->count[i]);
	for (size_t j = 0; j < t->values; j++)
		jv_free(t->value[j]);
	free(t->count);
	free(t->group);
	free(t->key);
	free(t->value);
	intern_free(t->names);
	free(t);
}
