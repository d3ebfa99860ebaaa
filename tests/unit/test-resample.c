/* resample: ratio-of-sums values, type-7 percentile intervals, the bootstrap, the
 * permutation test and Holm's adjustment. Fixed expectations are worked out by hand in
 * the comments; properties of the random draws are checked with bounds many standard
 * deviations wide, so no seed can make them flaky by luck. */
#include <math.h>
#include <string.h>

#include "resample.h"
#include "unit.h"

#define NEAR(x, want) (fabs((x) - (want)) < 1e-12)

/* A table of single-metric rows num[i] / den[i]. */
static struct units *column(const double *num, const double *den, size_t n)
{
	struct units *u = units_new(1);
	for (size_t i = 0; i < n; i++)
		units_add(u, &num[i], &den[i]);
	return u;
}

static void test_value(void)
{
	/* Three conversations, three metrics: a mean (den 1), a rate (events over
	 * opportunities, one conversation with none: 0/0) and a metric nobody has.
	 *   mean  (2 + 4 + 9) / 3 = 5
	 *   rate  (1 + 0 + 3) / (4 + 0 + 4) = 0.5
	 *   none  0 / 0 = NaN */
	double num[3][3] = { { 2, 1, 0 }, { 4, 0, 0 }, { 9, 3, 0 } };
	double den[3][3] = { { 1, 4, 0 }, { 1, 0, 0 }, { 1, 4, 0 } };
	struct units *u = units_new(3);
	for (int i = 0; i < 3; i++)
		units_add(u, num[i], den[i]);
	double v[3];
	units_value(u, v);
	CHECK(units_count(u) == 3 && units_metrics(u) == 3, "the table counts its rows and metrics");
	CHECK(NEAR(v[0], 5), "a mean is the sum of values over the number of units");
	CHECK(NEAR(v[1], 0.5), "a rate is the sum of events over the sum of opportunities, 0/0 units adding nothing");
	CHECK(isnan(v[2]), "a metric whose den sums to 0 is NaN");
	units_free(u);

	struct units *empty = units_new(2);
	units_value(empty, v);
	CHECK(units_count(empty) == 0 && isnan(v[0]) && isnan(v[1]), "an empty table's metrics are NaN");
	units_free(empty);
}

static void test_interval(void)
{
	/* x = 1..10 at level 0.8: quantiles 0.1 and 0.9. Type 7: h = (n - 1) q.
	 *   q = 0.1: h = 0.9, x[0] + 0.9 (x[1] - x[0]) = 1.9
	 *   q = 0.9: h = 8.1, x[8] + 0.1 (x[9] - x[8]) = 9.1 */
	double x[10] = { 7, 3, 10, 1, 5, 9, 2, 8, 4, 6 }, copy[10], ci[2];
	memcpy(copy, x, sizeof x);
	percentile_interval(x, 10, 1, 0.8, ci);
	CHECK(NEAR(ci[0], 1.9) && NEAR(ci[1], 9.1), "1..10 at level 0.8 is [1.9, 9.1] (type 7)");
	CHECK(memcmp(x, copy, sizeof x) == 0, "the values are not reordered");

	/* At level 0.95: q = 0.025, h = 0.225 -> 1.225; q = 0.975, h = 8.775 -> 9.775. */
	percentile_interval(x, 10, 1, 0.95, ci);
	CHECK(NEAR(ci[0], 1.225) && NEAR(ci[1], 9.775), "1..10 at level 0.95 is [1.225, 9.775]");

	/* NaNs dropped leaves 1, 2, 3, 4, 5; level 0.5: q = 0.25, h = 1 -> 2; q = 0.75, h = 3 -> 4. */
	double holes[8] = { 5, NAN, 1, 4, NAN, 2, NAN, 3 };
	percentile_interval(holes, 8, 1, 0.5, ci);
	CHECK(NEAR(ci[0], 2) && NEAR(ci[1], 4), "NaNs are ignored: {1..5} at level 0.5 is [2, 4]");

	double none[3] = { NAN, NAN, NAN };
	percentile_interval(none, 3, 1, 0.95, ci);
	CHECK(isnan(ci[0]) && isnan(ci[1]), "all NaN gives a NaN interval");
	percentile_interval(none, 0, 1, 0.95, ci);
	CHECK(isnan(ci[0]) && isnan(ci[1]), "no values give a NaN interval");

	double one = 3.5;
	percentile_interval(&one, 1, 1, 0.95, ci);
	CHECK(ci[0] == 3.5 && ci[1] == 3.5, "a single value is its own interval");

	/* Column 1 of a 3-column array: 10, 20, 30, 40, 50 (the other columns are noise
	 * far outside); level 0.5: h = 1 and 3 -> [20, 40]. */
	double grid[15] = { -1e9, 30, 1e9, -1e9, 10, 1e9, -1e9, 50, 1e9, -1e9, 20, 1e9, -1e9, 40, 1e9 };
	percentile_interval(grid + 1, 5, 3, 0.5, ci);
	CHECK(NEAR(ci[0], 20) && NEAR(ci[1], 40), "the stride picks one column of a replicate table");
}

static void test_bootstrap(void)
{
	double out[4000 * 2];

	/* One row: every resample is that row, so every replicate is its value. */
	double num1[2] = { 3, 2 }, den1[2] = { 2, 8 };
	struct units *single = units_new(2);
	units_add(single, num1, den1);
	units_bootstrap(single, 50, 1, out);
	int same = 1;
	for (int r = 0; r < 50; r++)
		same &= out[r * 2] == 1.5 && out[r * 2 + 1] == 0.25;
	CHECK(same, "a single row's replicates all equal its value");
	units_free(single);

	/* Values 0 and 1: a resample of two rows holds zero, one or two copies of the 1,
	 * so a replicate is 0, 0.5 or 1 (with chances 1/4, 1/2, 1/4, mean 0.5). The mean of
	 * 4000 replicates has standard deviation sqrt(0.125 / 4000) ~ 0.0056; 0.05 is nine
	 * of them. */
	double n01[2] = { 0, 1 }, d01[2] = { 1, 1 };
	struct units *two = column(n01, d01, 2);
	units_bootstrap(two, 4000, 7, out);
	int only = 1;
	double mean = 0;
	size_t halves = 0;
	for (int r = 0; r < 4000; r++) {
		only &= out[r] == 0 || out[r] == 0.5 || out[r] == 1;
		halves += out[r] == 0.5;
		mean += out[r] / 4000;
	}
	CHECK(only, "two rows 0 and 1 give replicates in {0, 0.5, 1} only");
	CHECK(fabs(mean - 0.5) < 0.05, "their replicates average about 0.5 (got %g)", mean);
	/* Half of them are 0.5: sd sqrt(4000 / 4) ~ 32, so 2000 +- 300 is nine sd. */
	CHECK(halves > 1700 && halves < 2300, "about half of them are 0.5 (%zu of 4000)", halves);

	/* Reproducible from the seed. */
	double again[4000], other[4000];
	units_bootstrap(two, 4000, 7, again);
	units_bootstrap(two, 4000, 8, other);
	CHECK(memcmp(out, again, sizeof again) == 0, "the same seed gives the same replicates");
	CHECK(memcmp(out, other, sizeof other) != 0, "another seed gives other replicates");
	/* Replicate r depends on (seed, r) only: fewer reps give a prefix. */
	units_bootstrap(two, 100, 7, again);
	CHECK(memcmp(out, again, 100 * sizeof *out) == 0, "fewer replicates are a prefix of more");
	units_free(two);

	/* Rows 1/1 and 0/0: a resample of the 0/0 row twice (chance 1/4) has den 0. */
	double n10[2] = { 1, 0 }, d10[2] = { 1, 0 };
	struct units *gap = column(n10, d10, 2);
	units_bootstrap(gap, 400, 3, out);
	int one_or_nan = 1;
	size_t nans = 0;
	for (int r = 0; r < 400; r++) {
		one_or_nan &= out[r] == 1 || isnan(out[r]);
		nans += isnan(out[r]);
	}
	CHECK(one_or_nan && nans > 0 && nans < 400, "a replicate with no den is NaN, the others the rate (%zu NaN)",
	      nans);
	units_free(gap);

	/* A normal-ish table: 200 conversations with a mean (values spread over 0..100)
	 * and a rate; the 95% interval of each holds its point value. */
	struct units *table = units_new(2);
	for (int i = 0; i < 200; i++) {
		double num[2] = { (double)(i * 37 % 101), (double)(i % 3) }, den[2] = { 1, (double)(i % 5) };
		units_add(table, num, den);
	}
	double point[2], ci[2];
	units_value(table, point);
	units_bootstrap(table, 1000, 11, out);
	percentile_interval(out, 1000, 2, 0.95, ci);
	CHECK(ci[0] < point[0] && point[0] < ci[1], "the mean's interval [%g, %g] holds %g", ci[0], ci[1], point[0]);
	CHECK(ci[1] - ci[0] < 20, "and is narrower than the spread of the values");
	percentile_interval(out + 1, 1000, 2, 0.95, ci);
	CHECK(ci[0] < point[1] && point[1] < ci[1], "the rate's interval [%g, %g] holds %g", ci[0], ci[1], point[1]);
	units_free(table);
}

static void test_permutation(void)
{
	double p[3];

	/* Identical groups: the observed difference is 0, and every |diff*| >= 0. */
	struct units *a = units_new(2), *b = units_new(2);
	for (int i = 0; i < 10; i++) {
		double num[2] = { (double)(i * i % 7), (double)(i % 2) }, den[2] = { 1, 2 };
		units_add(a, num, den);
		units_add(b, num, den);
	}
	units_permutation(a, b, 199, 5, p);
	CHECK(p[0] == 1 && p[1] == 1, "identical groups give p = 1 for every metric");
	units_free(a);
	units_free(b);

	/* a = 20 rows of 1, b = 20 rows of 0: observed difference 1. A split whose a* holds
	 * k ones has difference k/20 - (20 - k)/20, which is +-1 only for k = 20 or 0: a*
	 * exactly a's rows or exactly b's, 2 of C(40, 20) = 137,846,528,820 subsets. Over 999
	 * replicates that happens with chance ~1.4e-8, otherwise |diff*| <= 0.9, so
	 * p = (1 + 0) / (1 + 999) = 1/1000. Metric 1 is 0/0 in a: its difference is NaN. */
	a = units_new(2);
	b = units_new(2);
	for (int i = 0; i < 20; i++) {
		double one[2] = { 1, 0 }, zero[2] = { 0, 1 }, den_a[2] = { 1, 0 }, den_b[2] = { 1, 1 };
		units_add(a, one, den_a);
		units_add(b, zero, den_b);
	}
	units_permutation(a, b, 999, 5, p);
	CHECK(p[0] == 1.0 / 1000, "separated groups give the smallest p, 1/(1 + reps) (got %g)", p[0]);
	CHECK(isnan(p[1]), "a NaN difference gives a NaN p");
	units_free(a);
	units_free(b);

	/* a = one row of 1, b = three rows of 0: observed 1 - 0 = 1. A split gives a* the
	 * 1 with chance 1/4 (difference 1, counted); otherwise 0 - 1/3 (not counted). So
	 * p ~ 1/4: over 3999 replicates sd sqrt(3/16 / 4000) ~ 0.007; 0.05 is seven of
	 * them. Both ways round, so either group can be the one drawn. */
	double n1[1] = { 1 }, n0[3] = { 0, 0, 0 }, d1[3] = { 1, 1, 1 };
	a = column(n1, d1, 1);
	b = column(n0, d1, 3);
	units_permutation(a, b, 3999, 9, p);
	CHECK(fabs(p[0] - 0.25) < 0.05, "one 1 against three 0s gives p ~ 1/4 (got %g)", p[0]);
	double q;
	units_permutation(b, a, 3999, 9, &q);
	CHECK(fabs(q - 0.25) < 0.05, "and so does the other way round (got %g)", q);
	double again;
	units_permutation(a, b, 3999, 9, &again);
	CHECK(again == p[0], "the same seed gives the same p");

	/* Two 1-row groups: either split gives |diff| = 1, so p = 1. */
	struct units *lone = column(n0, d1, 1);
	units_permutation(a, lone, 99, 1, p);
	CHECK(p[0] == 1, "two single rows can only be swapped: p = 1");
	units_free(lone);

	struct units *empty = units_new(1);
	units_permutation(a, empty, 99, 1, p);
	CHECK(isnan(p[0]), "an empty group gives a NaN p");
	units_free(empty);

	struct units *wide = units_new(2);
	units_permutation(a, wide, 99, 1, p);
	CHECK(isnan(p[0]), "groups with different metrics give NaN");
	units_free(wide);
	units_free(a);
	units_free(b);
}

static void test_holm(void)
{
	/* Sorted: 0.005 (i=3), 0.01 (0), 0.03 (2), 0.04 (1); m = 4.
	 *   4 x 0.005 = 0.02; 3 x 0.01 = 0.03; 2 x 0.03 = 0.06; 1 x 0.04 = 0.04 -> max 0.06 */
	double p[4] = { 0.01, 0.04, 0.03, 0.005 }, adj[4];
	holm(p, 4, adj);
	CHECK(NEAR(adj[0], 0.03) && NEAR(adj[1], 0.06) && NEAR(adj[2], 0.06) && NEAR(adj[3], 0.02),
	      "{0.01, 0.04, 0.03, 0.005} adjusts to {0.03, 0.06, 0.06, 0.02}");

	/* m = 3: 3 x 0.3 = 0.9; 2 x 0.6 = 1.2 -> 1; 1 x 0.8 -> max 1. */
	double big[3] = { 0.3, 0.8, 0.6 };
	holm(big, 3, adj);
	CHECK(NEAR(adj[0], 0.9) && adj[1] == 1 && adj[2] == 1, "adjusted values are capped at 1");

	/* The NaN is not in the family: m = 2, 2 x 0.01 = 0.02, 1 x 0.02 = 0.02. */
	double gap[3] = { 0.02, NAN, 0.01 };
	holm(gap, 3, adj);
	CHECK(NEAR(adj[0], 0.02) && isnan(adj[1]) && NEAR(adj[2], 0.02),
	      "a NaN stays NaN and does not count in the family size");

	/* Monotone in p and never below it, in place. */
	double many[12];
	int sorted_ok = 1;
	for (int i = 0; i < 12; i++)
		many[i] = (double)((i * 7) % 12 + 1) / 200;
	double copy[12];
	memcpy(copy, many, sizeof many);
	holm(many, 12, many);
	for (int i = 0; i < 12; i++)
		for (int j = 0; j < 12; j++)
			if (copy[i] <= copy[j] && many[i] > many[j])
				sorted_ok = 0;
	int above = 1;
	for (int i = 0; i < 12; i++)
		above &= many[i] >= copy[i] && many[i] <= 1;
	CHECK(sorted_ok, "a smaller p never gets a larger adjusted p (adjusting in place)");
	CHECK(above, "an adjusted p is between its p and 1");

	holm(NULL, 0, NULL);
	CHECK(1, "an empty family is fine");
}

int main(void)
{
	test_value();
	test_interval();
	test_bootstrap();
	test_permutation();
	test_holm();
	return UNIT_DONE();
}
