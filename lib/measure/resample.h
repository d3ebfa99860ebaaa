/* resample — confidence intervals and comparisons for score's metrics, by resampling
 * the independent units they are measured on.
 *
 * Contract: every metric is a ratio of sums over units, sum(num) / sum(den): a mean
 * has den = 1, a rate has num = events and den = opportunities, and a unit with
 * nothing to count adds 0/0. A table (struct units) holds n units (rows: the
 * conversations, or the personas for persona-level metrics) of m metrics, each cell a
 * (num, den) pair. A metric whose den sums to 0 is NaN, in the table and in every
 * replicate.
 *   bootstrap    percentile bootstrap: each replicate draws n rows with replacement,
 *                once, and recomputes all m metrics from that draw. Replicate r
 *                depends only on (seed, r), never on reps.
 *   permutation  two-sided test of a - b: each replicate shuffles the pooled rows once
 *                and splits them into groups of the original sizes;
 *                p = (1 + #{|diff*| >= |diff| - 1e-12}) / (1 + reps). A replicate
 *                whose difference is NaN (a group's den sums to 0) is not counted.
 *   holm         Holm-Bonferroni step-down adjustment of a family of p-values.
 * Every random draw comes from rng.h streams named by the seed, so the same seed gives
 * the same numbers on every machine.
 * Ownership: units_new returns a table the caller frees with units_free; units_add
 * copies its rows; every array argument is borrowed and every out array is the
 * caller's, of the size stated.
 * Never ends the process (except out of memory).
 */
#ifndef PS_RESAMPLE_H
#define PS_RESAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

struct units;

struct units *units_new(size_t metrics);
/* One unit: num[0..m) and den[0..m). */
void units_add(struct units *u, const double *num, const double *den);
size_t units_count(const struct units *u);
size_t units_metrics(const struct units *u);
/* out[k] = metric k over every unit (m values). */
void units_value(const struct units *u, double *out);
/* out[r * m + k] = metric k of replicate r (reps * m values). */
void units_bootstrap(const struct units *u, size_t reps, uint64_t seed, double *out);
/* The percentile interval of x[0], x[stride], ... (n values) at level (e.g. 0.95): the
 * (1 - level) / 2 and 1 - (1 - level) / 2 quantiles, interpolated linearly between
 * order statistics (numpy's default, type 7). NaNs are ignored (infinities are values
 * like any other); both ends are NaN when every value is NaN or n is 0. x is not
 * reordered. */
void percentile_interval(const double *x, size_t n, size_t stride, double level, double ci[2]);
/* p[k] for metric k of a - b (m values); p[k] is NaN when the observed difference is
 * NaN, and every p is NaN when a and b do not have the same number of metrics. */
void units_permutation(const struct units *a, const struct units *b, size_t reps, uint64_t seed, double *p);
/* adjusted[i] for p[i] (n values; adjusted may be p): with the m p-values that are not
 * NaN sorted ascending, adj_(i) = max over j <= i of min(1, (m - j) * p_(j)), j from 0.
 * NaN entries stay NaN and do not count in m. */
void holm(const double *p, size_t n, double *adjusted);
/* rows (consumed): an array of objects with a numeric "p" (or null); each gains "p_holm",
 * Holm's adjustment over all of them, written by figure (a NaN one: null). */
jv holm_rows(jv rows, jv (*figure)(double));
void units_free(struct units *u);

#endif
