/* answerstats: the normal quantile, Wilson intervals, the incomplete gamma and beta
 * functions, the chi-square and Welch tests, and the tallies of numeric and enum
 * answers. Each expected number says where it comes from: worked by hand in the
 * comment, a closed form of the special function, or a tabulated value. Bootstrap
 * properties are checked with bounds wide enough that no seed fails them by luck. */
#include <math.h>
#include <string.h>

#include "answerstats.h"
#include "unit.h"

#define NEAR(x, want, tol) (fabs((x) - (want)) <= (tol))

static void test_normal_quantile(void)
{
	/* Tabulated (Abramowitz & Stegun 26.2; R's qnorm): 1.959963984540054 and
	 * 2.575829303548901. */
	CHECK(NEAR(normal_quantile(0.975), 1.959963985, 1e-9), "z(0.975) = 1.959963985");
	CHECK(NEAR(normal_quantile(0.995), 2.575829304, 1e-9), "z(0.995) = 2.575829304");
	CHECK(NEAR(normal_quantile(0.975), 1.959963984540054, 2e-15), "z(0.975) to an ulp after the Halley step");
	CHECK(normal_quantile(0.5) == 0, "z(0.5) = 0");
	/* 0.125 and 0.875 are exact binary fractions, so the symmetry is exact too. */
	CHECK(normal_quantile(0.125) == -normal_quantile(0.875), "z(1 - p) = -z(p) exactly");
	/* Far in the tails, where Acklam's lower region is used: Phi(z(p)) = p. */
	double tails[3] = { 1e-10, 1e-3, 0.02 };
	for (int i = 0; i < 3; i++) {
		double z = normal_quantile(tails[i]);
		CHECK(fabs(0.5 * erfc(-z / M_SQRT2) / tails[i] - 1) < 1e-13, "Phi(z(%g)) = %g to 1e-13 relative",
		      tails[i], tails[i]);
	}
	CHECK(normal_quantile(0) == -INFINITY && normal_quantile(1) == INFINITY, "z(0) = -inf and z(1) = +inf");
	CHECK(isnan(normal_quantile(-0.1)) && isnan(normal_quantile(1.1)) && isnan(normal_quantile(NAN)),
	      "p outside [0, 1] has no quantile");
}

static void test_wilson(void)
{
	double ci[2];
	/* k = 8, n = 10, z = 1.959964, z^2 = 3.841459:
	 *   centre = (0.8 + 0.192073) / 1.384146 = 0.716738
	 *   half   = 1.959964 / 1.384146 * sqrt(0.016 + 0.0096036) = 1.416003 * 0.160011 = 0.226576
	 *   -> [0.4902, 0.9433], the textbook value (Agresti & Coull 1998; R prop.test
	 *   without correction). */
	wilson_interval(8, 10, 0.95, ci);
	CHECK(NEAR(ci[0], 0.4902, 5e-5) && NEAR(ci[1], 0.9433, 5e-5), "8 of 10 at 95%% is [0.4902, 0.9433]");
	/* k = 0: centre = half, so the interval is [0, z^2 / (n + z^2)] = [0, 3.841459 / 13.841459]. */
	wilson_interval(0, 10, 0.95, ci);
	CHECK(ci[0] == 0 && NEAR(ci[1], 0.277533, 1e-6), "0 of 10 is [0, 0.277533], exactly 0 below");
	wilson_interval(10, 10, 0.95, ci);
	CHECK(NEAR(ci[0], 0.722467, 1e-6) && ci[1] == 1, "10 of 10 mirrors it: [0.722467, 1], exactly 1 above");
	wilson_interval(0, 0, 0.95, ci);
	CHECK(isnan(ci[0]) && isnan(ci[1]), "no trials give a NaN interval");
	wilson_interval(11, 10, 0.95, ci);
	CHECK(isnan(ci[0]) && isnan(ci[1]), "more successes than trials give a NaN interval");
	wilson_interval(8, 10, 1, ci);
	CHECK(isnan(ci[0]) && isnan(ci[1]), "a level outside (0, 1) gives a NaN interval");
}

static void test_gamma_q(void)
{
	CHECK(NEAR(gamma_q(1, 1), exp(-1), 1e-14), "Q(1, 1) = 1/e");
	/* Q(1/2, x) = erfc(sqrt x); x = 0.3 takes the series, 2 and 30 the fraction. */
	double xs[3] = { 0.3, 2, 30 };
	for (int i = 0; i < 3; i++)
		CHECK(NEAR(gamma_q(0.5, xs[i]), erfc(sqrt(xs[i])), 1e-14 + 1e-12 * erfc(sqrt(xs[i]))),
		      "Q(1/2, %g) = erfc(sqrt %g)", xs[i], xs[i]);
	/* Integer a: Q(3, x) = e^-x (1 + x + x^2 / 2). x = 2.5 is the series, 7 the fraction. */
	CHECK(NEAR(gamma_q(3, 2.5), exp(-2.5) * (1 + 2.5 + 3.125), 1e-14), "Q(3, 2.5) = e^-2.5 (1 + 2.5 + 3.125)");
	CHECK(NEAR(gamma_q(3, 7), exp(-7) * (1 + 7 + 24.5), 1e-14), "Q(3, 7) = e^-7 (1 + 7 + 24.5)");
	CHECK(gamma_q(2, 0) == 1 && gamma_q(2, INFINITY) == 0, "Q(a, 0) = 1 and Q(a, inf) = 0");
	CHECK(isnan(gamma_q(0, 1)) && isnan(gamma_q(1, -1)), "a <= 0 or x < 0 is NaN");
	/* The chi-square tail with 2 df is e^-x/2; with 1 df, erfc(sqrt(x / 2)). */
	CHECK(NEAR(chi2_upper(5, 2), exp(-2.5), 1e-14), "chi-square upper tail, df 2: e^-x/2");
	CHECK(NEAR(chi2_upper(3.841459, 1), 0.05, 1e-7), "chi-square upper tail, df 1, at 1.96^2 is 0.05");
}

static void test_beta_i(void)
{
	CHECK(NEAR(beta_i(1, 1, 0.37), 0.37, 1e-14), "I_x(1, 1) = x");
	/* x = 0.3 is below (a + 1) / (a + b + 2) = 0.78, x = 0.9 above: both branches. */
	CHECK(NEAR(beta_i(2.5, 1, 0.3), pow(0.3, 2.5), 1e-14), "I_0.3(2.5, 1) = 0.3^2.5");
	CHECK(NEAR(beta_i(2.5, 1, 0.9), pow(0.9, 2.5), 1e-14), "I_0.9(2.5, 1) = 0.9^2.5");
	CHECK(NEAR(beta_i(1, 4, 0.2), 1 - pow(0.8, 4), 1e-14), "I_x(1, b) = 1 - (1 - x)^b");
	/* I_x(1/2, 1/2) = (2 / pi) asin(sqrt x), the arcsine distribution. */
	CHECK(NEAR(beta_i(0.5, 0.5, 0.2), 2 / M_PI * asin(sqrt(0.2)), 1e-13), "I_x(1/2, 1/2) = (2/pi) asin sqrt x");
	CHECK(NEAR(beta_i(3.7, 12.2, 0.31), 1 - beta_i(12.2, 3.7, 0.69), 1e-14), "I_x(a, b) = 1 - I_{1-x}(b, a)");
	CHECK(beta_i(2, 3, 0) == 0 && beta_i(2, 3, 1) == 1, "I_0 = 0 and I_1 = 1");
	CHECK(isnan(beta_i(0, 1, 0.5)) && isnan(beta_i(1, 1, 1.5)), "a <= 0 or x outside [0, 1] is NaN");
	/* Student t closed forms: df 1 (Cauchy) p = 1 - 2 atan|t| / pi; df 2
	 * p = 1 - |t| / sqrt(t^2 + 2). */
	CHECK(NEAR(student_t_two_sided(2, 1), 1 - 2 * atan(2) / M_PI, 1e-14), "t = 2, df 1: p = 1 - 2 atan(2) / pi");
	CHECK(NEAR(student_t_two_sided(-1.5, 2), 1 - 1.5 / sqrt(4.25), 1e-14),
	      "t = -1.5, df 2: p = 1 - 1.5 / sqrt(4.25)");
	/* A million df is the normal: z(0.975) gives 0.05. */
	CHECK(NEAR(student_t_two_sided(1.959963985, 1e6), 0.05, 1e-5), "Student t with 1e6 df is the normal");
	CHECK(student_t_two_sided(0, 7) == 1, "t = 0 gives p = 1");
}

static void test_chi2(void)
{
	struct chi2_result r;
	/* [[10, 20], [30, 40]]: rows 30, 70; columns 40, 60; N = 100; expected 12, 18, 28, 42;
	 *   chi2 = 4/12 + 4/18 + 4/28 + 4/42 = 0.793651, df 1,
	 *   p = erfc(sqrt(0.793651 / 2)) = 0.372998 (R: chisq.test(correct = FALSE) 0.373),
	 *   V = sqrt(0.793651 / 100) = 0.089087. */
	double t22[4] = { 10, 20, 30, 40 };
	chi2_test(t22, 2, 2, &r);
	CHECK(NEAR(r.statistic, 0.793651, 1e-6) && r.df == 1, "2x2 [[10,20],[30,40]]: chi2 0.7937 with 1 df");
	CHECK(NEAR(r.p, 0.373, 5e-4) && NEAR(r.p, erfc(sqrt(r.statistic / 2)), 1e-14),
	      "its p is 0.373, and with 1 df equals erfc(sqrt(chi2 / 2))");
	CHECK(NEAR(r.cramers_v, 0.089087, 1e-6) && r.n == 100 && r.min_expected == 12,
	      "Cramer's V 0.0891, N 100, smallest expected count 12");

	/* [[10, 20, 30], [20, 20, 20]]: rows 60, 60; columns 30, 40, 50; N = 120; expected
	 * 15, 20, 25 in both rows; chi2 = 2 (25/15 + 0 + 25/25) = 16/3, df 2,
	 * p = Q(1, 8/3) = e^-8/3 = 0.069483, V = sqrt((16/3) / 120) = sqrt(2/45) = 0.210819. */
	double t23[6] = { 10, 20, 30, 20, 20, 20 };
	chi2_test(t23, 2, 3, &r);
	CHECK(NEAR(r.statistic, 16.0 / 3, 1e-12) && r.df == 2, "2x3 table: chi2 16/3 with 2 df");
	CHECK(NEAR(r.p, exp(-8.0 / 3), 1e-14), "its p is e^-8/3 = 0.0695 (2 df)");
	CHECK(NEAR(r.cramers_v, sqrt(2.0 / 45), 1e-14), "its Cramer's V is sqrt(2/45)");

	/* The same table with an empty group and an answer nobody gave: the same test. */
	double padded[12] = { 10, 0, 20, 30, 0, 0, 0, 0, 20, 0, 20, 20 };
	chi2_test(padded, 3, 4, &r);
	CHECK(NEAR(r.statistic, 16.0 / 3, 1e-12) && r.df == 2 && NEAR(r.p, exp(-8.0 / 3), 1e-14),
	      "all-zero rows and columns are dropped before counting df");

	/* Independence exactly: chi2 0, p 1, V 0. */
	double flat[4] = { 5, 10, 10, 20 };
	chi2_test(flat, 2, 2, &r);
	CHECK(r.statistic == 0 && r.p == 1 && r.cramers_v == 0, "proportional rows give chi2 0 and p 1");

	double one_answer[3] = { 4, 7, 9 };
	chi2_test(one_answer, 3, 1, &r);
	CHECK(r.df == 0 && isnan(r.statistic) && isnan(r.p) && isnan(r.cramers_v) && r.n == 20,
	      "one answer value left: df 0 and no test");
	double one_group[4] = { 0, 0, 3, 5 };
	chi2_test(one_group, 2, 2, &r);
	CHECK(r.df == 0 && isnan(r.p), "one group left: no test");
	chi2_test(NULL, 0, 0, &r);
	CHECK(isnan(r.p) && isnan(r.statistic), "an empty table: no test");
	double negative[4] = { 1, -1, 2, 3 };
	chi2_test(negative, 2, 2, &r);
	CHECK(isnan(r.p) && isnan(r.statistic) && isnan(r.df), "a negative count: everything NaN");
}

static void test_welch(void)
{
	struct welch_result w;
	/* n1 = 10, m1 = 5, v1 = 4; n2 = 12, m2 = 3, v2 = 9: s1 = 0.4, s2 = 0.75,
	 *   t  = 2 / sqrt(1.15) = 1.865010
	 *   df = 1.15^2 / (0.4^2 / 9 + 0.75^2 / 11) = 1.3225 / 0.0689141 = 19.190546
	 *   p  = 0.077546 (numerical integration of the t density, Simpson, 2e5 panels)
	 *   sp = sqrt((9 * 4 + 11 * 9) / 20) = sqrt(6.75), d = 2 / sqrt(6.75) = 0.769800,
	 *   J  = 1 - 3 / (4 * 22 - 9) = 76/79, g = 0.740567. */
	welch_test(10, 5, 4, 12, 3, 9, &w);
	CHECK(w.diff == 2 && NEAR(w.t, 1.865010, 1e-6), "Welch t = 2 / sqrt(0.4 + 0.75) = 1.865010");
	CHECK(NEAR(w.df, 19.190546, 1e-6), "Welch-Satterthwaite df = 19.190546");
	CHECK(NEAR(w.p, 0.077546, 1e-6), "two-sided p = 0.077546");
	CHECK(NEAR(w.hedges_g, 76.0 / 79 * 2 / sqrt(6.75), 1e-12) && NEAR(w.hedges_g, 0.740567, 1e-6),
	      "Hedges' g = (76/79) 2 / sqrt(6.75) = 0.740567");
	welch_test(12, 3, 9, 10, 5, 4, &w);
	CHECK(NEAR(w.t, -1.865010, 1e-6) && NEAR(w.p, 0.077546, 1e-6) && NEAR(w.hedges_g, -0.740567, 1e-6),
	      "swapping the groups flips t and g, not p");

	/* df 1: n1 = 2, v1 = 2, v2 = 0 gives s1 = 1, s2 = 0, df = 1^2 / (1 / 1) = 1; means 3
	 * and 1 give t = 2 and p = 1 - 2 atan(2) / pi = 0.295167. */
	welch_test(2, 3, 2, 5, 1, 0, &w);
	CHECK(w.t == 2 && NEAR(w.df, 1, 1e-14) && NEAR(w.p, 1 - 2 * atan(2) / M_PI, 1e-14),
	      "inputs with df 1 give the Cauchy p = 1 - 2 atan(t) / pi");
	/* df 2: n = 2, v = 2 in both: s1 = s2 = 1, df = 4 / 2 = 2, t = 2 / sqrt 2, and
	 * p = 1 - t / sqrt(t^2 + 2) = 1 - sqrt(2) / 2 = 0.292893. */
	welch_test(2, 3, 2, 2, 1, 2, &w);
	CHECK(NEAR(w.df, 2, 1e-14) && NEAR(w.p, 1 - M_SQRT2 / 2, 1e-14),
	      "inputs with df 2 give p = 1 - t / sqrt(t^2 + 2)");
	/* Pooled: sp = sqrt((2 + 2) / 2) = sqrt 2, J = 1 - 3 / 7, g = (4/7) 2 / sqrt 2. */
	CHECK(NEAR(w.hedges_g, 4.0 / 7 * M_SQRT2, 1e-14), "Hedges' g with n = 2 each is (4/7) sqrt 2");

	welch_test(1, 3, 0, 10, 1, 1, &w);
	CHECK(isnan(w.t) && isnan(w.p) && isnan(w.hedges_g) && isnan(w.df), "a group of one: no test");
	welch_test(5, 3, 0, 5, 1, 0, &w);
	CHECK(w.diff == 2 && isnan(w.t) && isnan(w.p) && isnan(w.hedges_g), "no variance in either group: no test");
}

static void test_numtally(void)
{
	/* 1, 2, 2, 3, 5: mean 13 / 5 = 2.6; deviations -1.6, -0.6, -0.6, 0.4, 2.4; squares
	 * sum to 9.2; variance 9.2 / 4 = 2.3. */
	struct numtally *t = numtally_new();
	double xs[5] = { 5, 2, 1, 3, 2 };
	for (int i = 0; i < 5; i++)
		numtally_add(t, xs[i]);
	CHECK(numtally_add(t, NAN) == -1 && numtally_add(t, INFINITY) == -1, "non-finite answers are not counted");
	CHECK(numtally_count(t) == 5 && numtally_distinct(t) == 4, "five answers, four distinct values");
	CHECK(NEAR(numtally_mean(t), 2.6, 1e-14) && NEAR(numtally_variance(t), 2.3, 1e-14),
	      "mean 2.6 and sample variance 2.3");
	size_t c;
	double v0 = numtally_value(t, 0, NULL), v1 = numtally_value(t, 1, &c);
	CHECK(v0 == 1 && v1 == 2 && c == 2 && numtally_value(t, 3, NULL) == 5, "values ascending with their counts");

	double ci[2], again[2], other[2];
	numtally_bootstrap(t, 1000, 0.95, 7, ci);
	numtally_bootstrap(t, 1000, 0.95, 7, again);
	numtally_bootstrap(t, 1000, 0.95, 8, other);
	CHECK(memcmp(ci, again, sizeof ci) == 0, "the same seed gives the same interval");
	CHECK(memcmp(ci, other, sizeof ci) != 0, "another seed gives another interval");
	CHECK(ci[0] < 2.6 && 2.6 < ci[1] && ci[0] >= 1 && ci[1] <= 5,
	      "the interval contains the mean, within the values");
	numtally_free(t);

	/* 100 answers, 20 of each of 1..5: mean 3, sd sqrt(200 / 99), standard error 0.1421;
	 * the 95% interval is about 3 +- 0.28 (the half-widths bound it far outside Monte
	 * Carlo error with 2000 replicates). */
	struct numtally *u = numtally_new();
	for (int i = 0; i < 100; i++)
		numtally_add(u, 1 + i % 5);
	numtally_bootstrap(u, 2000, 0.95, 1, ci);
	CHECK(ci[1] - ci[0] > 0.45 && ci[1] - ci[0] < 0.65 && NEAR((ci[0] + ci[1]) / 2, 3, 0.08),
	      "1..5 twenty times each: about 3 +- 0.28");
	numtally_free(u);

	struct numtally *s = numtally_new();
	for (int i = 0; i < 7; i++)
		numtally_add(s, 0.1);
	numtally_bootstrap(s, 200, 0.95, 3, ci);
	CHECK(ci[0] == 0.1 && ci[1] == 0.1 && numtally_mean(s) == 0.1, "a single distinct value is [v, v] exactly");
	CHECK(numtally_variance(s) == 0, "and has variance 0");
	numtally_add(s, -0.0);
	numtally_add(s, 0.0);
	CHECK(numtally_distinct(s) == 2, "-0 and 0 are one value");
	numtally_free(s);

	struct numtally *e = numtally_new();
	numtally_bootstrap(e, 100, 0.95, 1, ci);
	CHECK(isnan(ci[0]) && isnan(ci[1]) && isnan(numtally_mean(e)), "no answers: NaN mean and interval");
	numtally_add(e, 4);
	CHECK(numtally_mean(e) == 4 && isnan(numtally_variance(e)), "one answer: a mean but no variance");
	numtally_free(e);
}

static void test_enumtally(void)
{
	struct enumtally *t = enumtally_new();
	enumtally_add(t, "A", jv_string("yes"));
	enumtally_add(t, "A", jv_string("no"));
	enumtally_add(t, "A", jv_string("yes"));
	enumtally_add(t, "B", jv_string("no"));
	enumtally_add(t, "B", jv_number(1));
	enumtally_add(t, "B", jv_number(1.0));
	jv ab = jv_object_set(jv_object_set(jv_object(), jv_string("a"), jv_number(1)), jv_string("b"), jv_null());
	jv ba = jv_object_set(jv_object_set(jv_object(), jv_string("b"), jv_null()), jv_string("a"), jv_number(1));
	enumtally_add(t, "C", ab);
	enumtally_add(t, "A", ba);
	CHECK(enumtally_add(t, "A", jv_invalid()) == -1, "an invalid value is not counted");
	CHECK(enumtally_groups(t) == 3 && enumtally_values(t) == 4, "three groups, four answers (yes, no, 1, {a,b})");
	CHECK_STR(enumtally_group(t, 1), "B", "groups in the order first seen");
	jv first = enumtally_value(t, 0);
	CHECK(jv_get_kind(first) == JV_KIND_STRING && strcmp(jv_string_value(first), "yes") == 0,
	      "answers in the order first seen");
	jv_free(first);
	/*        yes no 1 {}
	 *   A     2   1  0  1
	 *   B     0   1  2  0
	 *   C     0   0  0  1 */
	double m[12], want[12] = { 2, 1, 0, 1, 0, 1, 2, 0, 0, 0, 0, 1 };
	enumtally_matrix(t, m);
	CHECK(memcmp(m, want, sizeof m) == 0, "the matrix counts JSON-equal answers together (1 = 1.0, key order)");
	CHECK(enumtally_count(t, 1, 2) == 2 && enumtally_count(t, 9, 0) == 0, "single counts, 0 out of range");
	enumtally_free(t);
}

int main(void)
{
	test_normal_quantile();
	test_wilson();
	test_gamma_q();
	test_beta_i();
	test_chi2();
	test_welch();
	test_numtally();
	test_enumtally();
	return UNIT_DONE();
}
