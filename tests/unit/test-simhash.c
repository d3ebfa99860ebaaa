#include <stdio.h>
#include <string.h>

#include "rng.h"
#include "lsh.h"
#include "simhash.h"
#include "unit.h"

static uint64_t flip_bits(uint64_t fp, int k, struct rng *r)
{
	uint64_t mask = 0;
	while (__builtin_popcountll(mask) < k)
		mask |= 1ULL << rng_below(r, 64);
	return fp ^ mask;
}

/* SimHash as defined: each hash votes +1 per one-bit, -1 per zero-bit; a bit is set
 * when its votes are positive (the library counts eight bits at a time). */
static uint64_t by_votes(const uint64_t *hashes, int n)
{
	int votes[64] = { 0 };
	for (int k = 0; k < n; k++)
		for (int b = 0; b < 64; b++)
			votes[b] += ((hashes[k] >> b) & 1) ? 1 : -1;
	uint64_t fp = 0;
	for (int b = 0; b < 64; b++)
		if (votes[b] > 0)
			fp |= 1ULL << b;
	return fp;
}

int main(void)
{
	const char *a = "age=58|occupation=bus driver|location=Leeds|domain=tax problems|emotion=anxious";
	const char *b = "age=58|occupation=bus driver|location=Leeds|domain=tax problems|emotion=anxious.";
	const char *c = "age=21|occupation=student|location=Rome|domain=exam stress|emotion=lonely";
	CHECK(simhash_text(a, strlen(a)) == simhash_text(b, strlen(b)),
	      "punctuation and case do not change a fingerprint");
	CHECK(simhash_distance(simhash_text(a, strlen(a)), simhash_text(c, strlen(c))) > 10,
	      "different personas are far apart");
	CHECK(simhash_text("", 0) == simhash_text("  ", 2), "empty texts agree");
	{
		/* Features whose hashes are known: rng_hash is what simhash_add_feature votes with. */
		struct rng fr = rng_stream(2, "simhash", "features");
		int same = 1;
		for (int n = 1; n <= 1100 && same; n += 137) {
			static uint64_t hashes[1100];
			static char names[1100][24];
			struct simhash_acc acc = { 0 };
			for (int k = 0; k < n; k++) {
				snprintf(names[k], sizeof names[k], "f%llu", (unsigned long long)rng_below(&fr, 50));
				hashes[k] = rng_hash(names[k], strlen(names[k]), 0x4665617475726573ULL);
				simhash_add_feature(&acc, names[k], strlen(names[k]));
			}
			same = simhash_finish(&acc) == by_votes(hashes, n);
		}
		CHECK(same, "feature fingerprints equal the vote-by-vote definition, past 255 features (the "
			    "counters' flush)");
	}

	/* The guarantee: every planted near-duplicate within k bits is found, for every k. */
	struct rng r = rng_stream(1, "simhash", "plants");
	int all_found = 1, none_false = 1;
	for (int k = 0; k <= 6 && all_found && none_false; k++) {
		struct lsh_index *x = lsh_new(k);
		uint64_t base[2000];
		for (int i = 0; i < 2000; i++) {
			base[i] = rng_next(&r);
			int d;
			if (lsh_find(x, base[i], &d) < 0)
				lsh_add(x, base[i]);
		}
		for (int t = 0; t < 3000; t++) {
			int target = (int)rng_below(&r, 2000);
			int flips = (int)rng_below(&r, (uint64_t)k + 1);
			int d;
			long found = lsh_find(x, flip_bits(base[target], flips, &r), &d);
			if (found < 0 || d > k)
				all_found = 0;
			/* Records beyond the distance are never reported. */
			uint64_t far = flip_bits(base[target], k + 1 + (int)rng_below(&r, 8), &r);
			found = lsh_find(x, far, &d);
			if (found >= 0 && simhash_distance(far, base[found]) > k)
				none_false = 0;
		}
		lsh_free(x);
	}
	CHECK(all_found, "3000 planted fingerprints at distance <= k are always found (k = 0..6)");
	CHECK(none_false, "a match is never reported beyond the distance");

	struct lsh_index *x = lsh_new(3);
	uint64_t fp = 0x0123456789abcdefULL;
	lsh_add(x, 0xffffffffffffffffULL);
	lsh_add(x, fp ^ 0x7); /* distance 3 */
	lsh_add(x, fp ^ 0x1); /* distance 1, added later */
	int d;
	CHECK(lsh_find(x, fp, &d) == 1 && d == 3, "the earliest match wins, not the closest");
	lsh_free(x);
	return UNIT_DONE();
}
