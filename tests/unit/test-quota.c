#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "quota.h"
#include "rng.h"
#include "unit.h"

typedef unsigned __int128 u128;

/* Every prefix m: floor(m w_i / W) <= count_i <= ceil(m w_i / W). Returns the first
 * violating m, or 0. */
static uint64_t first_violation(const uint64_t *w, size_t n, uint64_t steps)
{
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += w[i];
	struct quota_seq *q = quota_new(w, n);
	uint64_t bad = 0;
	for (uint64_t m = 1; m <= steps && !bad; m++) {
		quota_next(q);
		const uint64_t *c = quota_counts(q);
		for (size_t i = 0; i < n; i++) {
			u128 num = (u128)m * w[i];
			uint64_t lo = (uint64_t)(num / total), hi = (uint64_t)((num + total - 1) / total);
			if (c[i] < lo || c[i] > hi)
				bad = m;
		}
	}
	quota_free(q);
	return bad;
}

int main(void)
{
	uint64_t halves[] = { 1, 1 };
	struct quota_seq *q = quota_new(halves, 2);
	size_t a = quota_next(q), b = quota_next(q);
	CHECK(a != b, "two equal strata alternate");
	quota_free(q);

	uint64_t thirds[] = { 1, 2 };
	CHECK(first_violation(thirds, 2, 10000) == 0, "shares 1/3 and 2/3 stay within quota for every prefix");

	uint64_t skewed[] = { 1, 1000000, 3, 7 };
	CHECK(first_violation(skewed, 4, 50000) == 0, "a tiny stratum next to a huge one stays within quota");

	uint64_t zero[] = { 0, 5, 5 };
	q = quota_new(zero, 3);
	int never = 1;
	for (int i = 0; i < 1000; i++)
		if (quota_next(q) == 0)
			never = 0;
	CHECK(never, "a stratum of weight 0 never gets a record");
	quota_free(q);

	struct rng r = rng_stream(1, "quota", "test");
	int all_ok = 1;
	for (int trial = 0; trial < 200 && all_ok; trial++) {
		size_t n = 2 + rng_below(&r, 30);
		uint64_t w[32];
		for (size_t i = 0; i < n; i++)
			w[i] = 1 + rng_below(&r, trial % 2 ? 1000 : 1099511627776ULL);
		uint64_t bad = first_violation(w, n, 3000);
		if (bad) {
			all_ok = 0;
			printf("# trial %d: violation at m=%llu\n", trial, (unsigned long long)bad);
		}
	}
	CHECK(all_ok,
	      "200 random weight vectors (up to 31 strata, 40-bit weights) stay within quota for 3000 prefixes");

	uint64_t w24[24];
	for (int i = 0; i < 24; i++)
		w24[i] = (uint64_t)(i + 1) * 37;
	struct quota_seq *full = quota_new(w24, 24), *skipped = quota_new(w24, 24);
	for (int i = 0; i < 777; i++)
		quota_next(full);
	quota_skip(skipped, 777);
	int same = 1;
	for (int i = 0; i < 500; i++)
		if (quota_next(full) != quota_next(skipped))
			same = 0;
	CHECK(same, "skipping k records then drawing equals drawing all of them");
	quota_free(full);
	quota_free(skipped);
	return UNIT_DONE();
}
