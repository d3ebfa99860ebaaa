/* lsh — an index of 64-bit fingerprints that finds every earlier one within a Hamming
 * distance k, in time near linear in the number of fingerprints (persona-validate's
 * near-duplicate removal over a million personas).
 *
 * Contract: multi-index hashing. The 64 bits are cut into blocks; two fingerprints
 * within distance k differ in at most k blocks, so they agree on the others, and one
 * table per choice of agreeing blocks holds every match under an identical key: no
 * pair within k is ever missed, none beyond k is ever reported.
 * Ownership: the index owns its tables; fingerprints are plain values.
 * Ends the process: lsh_new on a distance out of range (an internal error, status 2:
 * callers check the range first); lsh_add past 2^30 distinct fingerprints (status 1);
 * out of memory.
 */
#ifndef PS_LSH_H
#define PS_LSH_H

#include <stdint.h>

struct lsh_index;

/* max_distance: 0 .. SIMHASH_MAX_DISTANCE. */
struct lsh_index *lsh_new(int max_distance);
/* The number (0-based insertion order) of the earliest indexed fingerprint within the
 * distance, with its distance in *distance; -1 when there is none. */
long lsh_find(const struct lsh_index *x, uint64_t fp, int *distance);
/* Index a fingerprint; returns its number. */
long lsh_add(struct lsh_index *x, uint64_t fp);
void lsh_free(struct lsh_index *x);

#endif
