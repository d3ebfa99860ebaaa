/* answerstats — the statistics of extract's answers: how often each answer was given,
 * with intervals, and whether conditions differ.
 *
 * Contract: pure functions of their arguments (the bootstrap's randomness comes from
 * rng.h streams named by the seed). A figure that cannot be computed — no data, a
 * degenerate table, a group too small — is NaN, never an error.
 *   normal_quantile  z with Phi(z) = p. Acklam's rational approximation (P. J. Acklam,
 *                    "An algorithm for computing the inverse normal cumulative
 *                    distribution function", 2003; relative error below 1.15e-9),
 *                    refined by one Halley step on Phi(x) = erfc(-x / sqrt 2) / 2 in
 *                    the lower half (p > 1/2 is solved as -z(1 - p), exact in
 *                    floating point), which leaves an error of a few ulp of erfc:
 *                    about 1e-15 relative (the tests pin z(0.975) to 2e-15).
 *   wilson           the Wilson score interval for k successes in n trials (E. B.
 *                    Wilson 1927, JASA 22:209; Agresti & Coull 1998, Am. Stat. 52:119),
 *                    p^ = k / n, z = normal_quantile((1 + level) / 2):
 *                      centre = (p^ + z^2 / 2n) / (1 + z^2 / n)
 *                      half   = z / (1 + z^2 / n) * sqrt(p^ (1 - p^) / n + z^2 / 4n^2)
 *                    clamped to [0, 1]; k = 0 gives exactly 0 as the low end and k = n
 *                    exactly 1 as the high end.
 *   gamma_q          the regularized upper incomplete gamma function
 *                    Q(a, x) = Gamma(a, x) / Gamma(a): the series for P = 1 - Q when
 *                    x < a + 1, else Legendre's continued fraction by the modified Lentz
 *                    method (Numerical Recipes in C, 2nd ed., 6.2, gser and gcf;
 *                    relative tolerance 1e-15, at most 10,000 terms).
 *   beta_i           the regularized incomplete beta function I_x(a, b): the continued
 *                    fraction of NR 6.4 (betacf, modified Lentz), applied to I_x(a, b)
 *                    when x < (a + 1) / (a + b + 2), else to 1 - I_{1-x}(b, a).
 *   chi2_test        Pearson's chi-square test of independence of an r x c table of
 *                    counts (Pearson 1900; Agresti, Categorical Data Analysis, 3.2),
 *                    with no continuity correction. Rows and columns whose counts are
 *                    all 0 are dropped first; with r' rows, c' columns and N counts left
 *                    and E_ij = row_i col_j / N:
 *                      statistic = sum (O_ij - E_ij)^2 / E_ij
 *                      df        = (r' - 1)(c' - 1)
 *                      p         = Q(df / 2, statistic / 2)       (the chi-square upper tail)
 *                      V         = sqrt(statistic / (N (min(r', c') - 1)))   (Cramer 1946)
 *                    Fewer than two rows or columns left: df 0 and everything else NaN.
 *                    A negative or non-finite count: everything NaN.
 *                    The chi-square approximation wants expected counts of about 5 or
 *                    more; min_expected reports the smallest so callers can warn.
 *   welch_test       Welch's unequal-variances t-test of mean1 - mean2 from summaries
 *                    (Welch 1947, Biometrika 34:28; Satterthwaite 1946), s_i = v_i / n_i:
 *                      t  = (m1 - m2) / sqrt(s1 + s2)
 *                      df = (s1 + s2)^2 / (s1^2 / (n1 - 1) + s2^2 / (n2 - 1))
 *                      p  = I_{df / (df + t^2)}(df / 2, 1 / 2)         (two-sided Student t)
 *                    and Hedges' g (Hedges 1981, J. Educ. Stat. 6:107; Hedges & Olkin
 *                    1985, 5.A), Cohen's d with the pooled sd and the small-sample
 *                    correction J:
 *                      sp = sqrt(((n1 - 1) v1 + (n2 - 1) v2) / (n1 + n2 - 2))
 *                      g  = (1 - 3 / (4 (n1 + n2) - 9)) (m1 - m2) / sp
 *                    n < 2 in either group: all NaN. Both variances 0: t, df and p NaN
 *                    (and g NaN, sp being 0).
 *   numtally         numeric answers counted per distinct value, so memory grows with
 *                    the distinct values (answers are usually 1-5), not the answers.
 *                    n, mean sum c_j v_j / n and sample variance
 *                    sum c_j (v_j - mean)^2 / (n - 1) (NaN when n < 2) are exact
 *                    two-pass sums over the histogram. The bootstrap interval of the
 *                    mean: each replicate draws n values from the histogram (multinomial
 *                    with probabilities c_j / n: a uniform integer below n, mapped by
 *                    binary search over the cumulative counts, O(n log k)), takes their
 *                    mean, and the interval is resample.h's percentile_interval of the
 *                    reps means. Replicate r depends only on (seed, r), never on reps.
 * Enum answers are counted by the caller into a plain r x c matrix for chi2_test
 * (groups x answer values, row-major); enumtally does that for jv values, two values
 * being the same answer when their compact JSON with sorted keys is the same text (so
 * 1 and 1.0, or {"a":1,"b":2} and {"b":2,"a":1}, are one answer, as in jq's ==).
 * Several tests are corrected together with resample.h's holm.
 * Ownership: arrays are borrowed; out structs and arrays are the caller's.
 * numtally_new / enumtally_new return objects the caller frees with *_free;
 * enumtally_add consumes its jv and copies the group name; enumtally_value returns a
 * new reference and enumtally_group a string the tally owns.
 * Never ends the process (except out of memory).
 */
#ifndef PS_ANSWERSTATS_H
#define PS_ANSWERSTATS_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

/* z with Phi(z) = p; -inf at p = 0, +inf at p = 1, NaN outside [0, 1]. */
double normal_quantile(double p);
/* The Wilson interval of k / n at level (e.g. 0.95); NaN when n = 0, k > n or level is
 * not in (0, 1). */
void wilson_interval(size_t k, size_t n, double level, double ci[2]);
/* Q(a, x) for a > 0, x >= 0 (1 at x = 0); NaN otherwise. */
double gamma_q(double a, double x);
/* I_x(a, b) for a, b > 0, 0 <= x <= 1; NaN otherwise. */
double beta_i(double a, double b, double x);
/* The chi-square upper tail P(X >= x) with df degrees of freedom: Q(df / 2, x / 2). */
double chi2_upper(double x, double df);
/* The two-sided Student t tail P(|T| >= |t|) with df degrees of freedom (df may be
 * fractional, as Welch's is). */
double student_t_two_sided(double t, double df);

struct chi2_result {
	double statistic;
	double df; /* (r' - 1)(c' - 1), 0 when degenerate */
	double p;
	double cramers_v;
	double n; /* the sum of the counts */
	double min_expected; /* the smallest expected count among the cells kept */
};
/* counts[i * cols + j]: group i, answer j. */
void chi2_test(const double *counts, size_t rows, size_t cols, struct chi2_result *out);

struct welch_result {
	double diff; /* mean1 - mean2 */
	double t;
	double df;
	double p;
	double hedges_g;
};
void welch_test(double n1, double mean1, double var1, double n2, double mean2, double var2, struct welch_result *out);

struct numtally;
struct numtally *numtally_new(void);
/* Count one answer; -1 (not counted) when x is not finite. */
int numtally_add(struct numtally *t, double x);
size_t numtally_count(const struct numtally *t);
double numtally_mean(const struct numtally *t); /* NaN when empty */
double numtally_variance(const struct numtally *t); /* sample variance; NaN when n < 2 */
/* The distinct values, ascending: value j and its count (j < numtally_distinct). */
size_t numtally_distinct(const struct numtally *t);
double numtally_value(const struct numtally *t, size_t j, size_t *count);
/* The percentile bootstrap interval of the mean (NaN when empty or reps is 0). */
void numtally_bootstrap(const struct numtally *t, size_t reps, double level, uint64_t seed, double ci[2]);
void numtally_free(struct numtally *t);

/* Groups (rows) and answer values (columns), each in the order first seen. */
struct enumtally;
struct enumtally *enumtally_new(void);
/* Count value (consumed) for group; -1 (not counted) when value is invalid. */
int enumtally_add(struct enumtally *t, const char *group, jv value);
size_t enumtally_groups(const struct enumtally *t);
size_t enumtally_values(const struct enumtally *t);
const char *enumtally_group(const struct enumtally *t, size_t i);
jv enumtally_value(const struct enumtally *t, size_t j);
size_t enumtally_count(const struct enumtally *t, size_t i, size_t j);
/* out[i * values + j] = count(i, j): the matrix chi2_test takes. */
void enumtally_matrix(const struct enumtally *t, double *out);
void enumtally_free(struct enumtally *t);

#endif
