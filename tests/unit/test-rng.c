#include <math.h>
#include <stdint.h>

#include "rng.h"
#include "unit.h"

int main(void)
{
	struct rng a = rng_stream(7, "p000001", "field:age");
	struct rng b = rng_stream(7, "p000001", "field:age");
	int same = 1;
	for (int i = 0; i < 1000; i++)
		if (rng_next(&a) != rng_next(&b))
			same = 0;
	CHECK(same, "the same (seed, id, purpose) names the same stream");

	struct rng two_step = rng_from(rng_record_key(7, "p000001"), rng_purpose_key("field:age"));
	struct rng one_step = rng_stream(7, "p000001", "field:age");
	CHECK(rng_next(&two_step) == rng_next(&one_step), "rng_from(record key, purpose key) equals rng_stream");

	struct rng seed2 = rng_stream(8, "p000001", "field:age");
	struct rng id2 = rng_stream(7, "p000002", "field:age");
	struct rng purpose2 = rng_stream(7, "p000001", "field:gender");
	struct rng base = rng_stream(7, "p000001", "field:age");
	uint64_t x = rng_next(&base);
	CHECK(rng_next(&seed2) != x && rng_next(&id2) != x && rng_next(&purpose2) != x,
	      "changing seed, id or purpose changes the stream");

	/* Pinned values: a change here silently changes every dataset ever sampled. */
	struct rng pinned = rng_stream(0, "p000000", "field:age");
	uint64_t first = rng_next(&pinned);
	CHECK(first == 16764352831162841935ULL, "stream (0, p000000, field:age) starts with its pinned value");
	CHECK(rng_mix64(0) == 0 && rng_mix64(1) == 0x5692161d100b05e5ULL, "mix64 is SplitMix64's finaliser");

	struct rng u = rng_stream(1, NULL, "uniform");
	double lo = 1, hi = 0, sum = 0;
	for (int i = 0; i < 100000; i++) {
		double v = rng_uniform(&u);
		lo = fmin(lo, v), hi = fmax(hi, v), sum += v;
	}
	CHECK(lo >= 0 && hi < 1 && fabs(sum / 100000 - 0.5) < 0.01, "uniform stays in [0,1) with mean 1/2");

	struct rng d = rng_stream(1, NULL, "below");
	int counts[7] = { 0 };
	int in_range = 1;
	for (int i = 0; i < 70000; i++) {
		uint64_t k = rng_below(&d, 7);
		if (k >= 7)
			in_range = 0;
		else
			counts[k]++;
	}
	int flat = 1;
	for (int k = 0; k < 7; k++)
		if (counts[k] < 9500 || counts[k] > 10500)
			flat = 0;
	CHECK(in_range && flat, "below(7) is in range and flat");

	struct rng nrm = rng_stream(1, NULL, "normal");
	double s1 = 0, s2 = 0;
	for (int i = 0; i < 200000; i++) {
		double z = rng_normal(&nrm);
		s1 += z, s2 += z * z;
	}
	double mean = s1 / 200000, var = s2 / 200000 - mean * mean;
	CHECK(fabs(mean) < 0.01 && fabs(var - 1) < 0.02, "normal has mean 0 and variance 1");

	struct rng parent = rng_stream(3, "x", "y");
	struct rng s1a = rng_substream(&parent, 1), s1b = rng_substream(&parent, 1), s2a = rng_substream(&parent, 2);
	uint64_t v1 = rng_next(&s1a);
	CHECK(v1 == rng_next(&s1b) && v1 != rng_next(&s2a), "substreams are reproducible and distinct");
	return UNIT_DONE();
}
