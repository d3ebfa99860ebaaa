/* rng — deterministic random streams that do not depend on how work is split.
 *
 * Contract: every random choice in the toolkit draws from a stream named by
 * (global seed, record id, purpose). The stream is SplitMix64 in counter form:
 * output k is mix64(key + (k+1) * golden_gamma), where key is a hash of the three
 * names. Two processes that name the same stream get the same numbers, whatever
 * else they did before — so splitting input across GNU parallel jobs or machines
 * gives the same records as one sequential run.
 * Ownership: plain values; id and purpose are borrowed and not retained.
 * Never ends the process.
 */
#ifndef PS_RNG_H
#define PS_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
	uint64_t key;
	uint64_t counter;
};

uint64_t rng_mix64(uint64_t x);
/* A 64-bit hash of bytes, seeded; stable across platforms and releases. */
uint64_t rng_hash(const void *data, size_t len, uint64_t seed);

/* The stream for (seed, id, purpose); id may be NULL for run-wide streams. */
struct rng rng_stream(uint64_t seed, const char *id, const char *purpose);
/* The same stream in two steps, for hot loops that reuse the parts:
 * rng_stream(seed, id, purpose) == rng_from(rng_record_key(seed, id), rng_purpose_key(purpose)). */
uint64_t rng_record_key(uint64_t seed, const char *id);
uint64_t rng_purpose_key(const char *purpose);
struct rng rng_from(uint64_t record_key, uint64_t purpose_key);
/* A sub-stream, e.g. the k-th retry of the same draw. */
struct rng rng_substream(const struct rng *parent, uint64_t k);

uint64_t rng_next(struct rng *r);
/* Uniform in [0, 1) with 53 random bits. */
double rng_uniform(struct rng *r);
/* Uniform integer in [0, n), unbiased (Lemire's method); n must be > 0. */
uint64_t rng_below(struct rng *r, uint64_t n);
/* Standard normal (Box–Muller, one value per call). */
double rng_normal(struct rng *r);

#endif
