/* quota — exact quotas that do not depend on n or on how the run is split.
 *
 * Contract: given integer stratum weights w_i (share q_i = w_i / W), quota_next
 * returns the stratum of record 0, 1, 2, ... in turn. For EVERY prefix length m, the
 * number of records given to stratum i is floor(m q_i) or ceil(m q_i) — the guarantee
 * of largest-remainder apportionment — and, unlike plain largest remainder, the
 * sequence never depends on the total n. So `-n 500` is a prefix of `-n 1000`, and
 * `--offset K` only has to replay K steps of a cheap integer schedule.
 * How: each stratum's j-th record may come no earlier than the first m where
 * ceil(m q_i) >= j (upper quota) and must come by the first m where floor(m q_i) >= j
 * (lower quota); the records are scheduled earliest-deadline-first, which meets
 * every deadline because a schedule within quota exists for all m (Tijdeman 1980).
 * Cost: O(log S) per record for S strata.
 * Ownership: the sequence copies the weights; quota_counts points into the sequence.
 * Ends the process: quota_next on an internal error (the schedule ran dry, which the
 * maths rules out; status 1). Nothing else does (except out of memory).
 */
#ifndef PS_QUOTA_H
#define PS_QUOTA_H

#include <stddef.h>
#include <stdint.h>

struct quota_seq;

struct quota_seq *quota_new(const uint64_t *weights, size_t nstrata);
/* Stratum of the next record index. */
size_t quota_next(struct quota_seq *q);
/* Advance over k record indices without returning them. */
void quota_skip(struct quota_seq *q, uint64_t k);
/* How many records each stratum has received so far. */
const uint64_t *quota_counts(const struct quota_seq *q);
void quota_free(struct quota_seq *q);

#endif
