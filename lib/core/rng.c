#include <math.h>
#include <string.h>

#include "rng.h"

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ULL

uint64_t rng_mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t rng_hash(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = rng_mix64(seed ^ (len * GOLDEN_GAMMA));
	while (len >= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		/* Byte order is fixed to little-endian so hashes agree across machines. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		h = rng_mix64(h ^ w) + GOLDEN_GAMMA;
		p += 8;
		len -= 8;
	}
	uint64_t tail = 0;
	for (size_t i = 0; i < len; i++)
		tail |= (uint64_t)p[i] << (8 * i);
	return rng_mix64(h ^ tail ^ 0xff51afd7ed558ccdULL);
}

uint64_t rng_record_key(uint64_t seed, const char *id)
{
	return rng_hash(id ? id : "", id ? strlen(id) : 0, rng_mix64(seed + GOLDEN_GAMMA));
}

uint64_t rng_purpose_key(const char *purpose)
{
	return rng_hash(purpose, strlen(purpose), 0x5851f42d4c957f2dULL);
}

struct rng rng_from(uint64_t record_key, uint64_t purpose_key)
{
	struct rng r = { rng_mix64(record_key ^ purpose_key), 0 };
	return r;
}

struct rng rng_stream(uint64_t seed, const char *id, const char *purpose)
{
	return rng_from(rng_record_key(seed, id), rng_purpose_key(purpose));
}

struct rng rng_substream(const struct rng *parent, uint64_t k)
{
	struct rng r = { rng_mix64(parent->key ^ rng_mix64(k + 0x632be59bd9b4e019ULL)), 0 };
	return r;
}

uint64_t rng_next(struct rng *r)
{
	r->counter++;
	return rng_mix64(r->key + r->counter * GOLDEN_GAMMA);
}

double rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
	uint64_t x = rng_next(r);
	unsigned __int128 m = (unsigned __int128)x * n;
	uint64_t low = (uint64_t)m;
	if (low < n) {
		uint64_t threshold = -n % n;
		while (low < threshold) {
			x = rng_next(r);
			m = (unsigned __int128)x * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double rng_normal(struct rng *r)
{
	double u1 = rng_uniform(r);
	double u2 = rng_uniform(r);
	if (u1 < 0x1.0p-60)
		u1 = 0x1.0p-60;
	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
