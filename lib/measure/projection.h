/* projection — a 2-D picture of embedding vectors for the report.
 *
 * Contract: projection_2d takes the first two principal components of the first
 * PROJECTION_POINTS vectors (power iteration with deflation, from a fixed start so
 * the picture is reproducible) and returns each of those vectors as {"x","y","persona"}
 * (persona: labels[i], or null when labels[i] is NULL); an empty array for fewer than
 * three vectors. Coordinates are rounded to 6 decimals.
 * Ownership: vecs and labels are borrowed; the array returned is new.
 * Never ends the process (except out of memory).
 */
#ifndef PS_PROJECTION_H
#define PS_PROJECTION_H

#include <stddef.h>
#include <jv.h>

#define PROJECTION_POINTS 500

jv projection_2d(const float *const *vecs, const char *const *labels, size_t n, int dim);

#endif
