/* drift — how far a conversation moves away from its persona, measured with the
 * built-in hash embeddings (embedding.h) of dimension dim.
 *
 * Contract:
 *   probe drift   a record's "probes" are [{"name","after","answer"}]: the answer to a
 *                 question asked before turn 0 ("after": 0, the baseline) and again
 *                 later. At each later point, drift = 1 - cosine(baseline answer, later
 *                 answer) averaged over the probes asked there; the curve lists the
 *                 points in increasing "after", the AUC is the mean of the points. In a
 *                 group conversation each probe is compared with the baseline of its
 *                 own "participant" only, so the curve averages every participant's
 *                 drift from their own start.
 *   dialog drift  the mean cosine of the client's turns to the persona description in
 *                 the first half of the client turns minus in the second half (with an
 *                 odd count the middle turn belongs to the second half); positive means
 *                 moving away from the persona.
 * Both are NaN when not measurable (no probes or no later point; no description or
 * fewer than two client turns). Curve points are rounded to 6 decimals, the returned
 * numbers are not.
 * Ownership: records are borrowed; *curve is a new jv the caller owns (an empty array
 * when there are no points). Nothing here ends the process.
 */
#ifndef PS_DRIFT_H
#define PS_DRIFT_H

#include <jv.h>

/* The dot product of a[0..n) and b[0..n): the cosine for unit-length (hash) vectors. */
double drift_cosine(const float *a, const float *b, int n);
/* Probe drift AUC of record, and its curve [{"after","drift"}] in *curve. */
double drift_probe(jv record, int dim, jv *curve);
/* Dialog drift of record. */
double drift_dialog(jv record, int dim);

#endif
