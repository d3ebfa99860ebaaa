#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "rng.h"
#include "simhash.h"

#define SHINGLE 4

int simhash_distance(uint64_t a, uint64_t b)
{
	return __builtin_popcountll(a ^ b);
}

static size_t normalise(const char *text, size_t len, char *out)
{
	size_t n = 0;
	int space = 1;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (c >= 0x80 || isalnum(c)) {
			out[n++] = (char)(c < 0x80 ? tolower(c) : c);
			space = 0;
		} else if (!space) {
			out[n++] = ' ';
			space = 1;
		}
	}
	if (n && out[n - 1] == ' ')
		n--;
	return n;
}

/* spread[v]: byte i is bit i of v. Adding spread[byte j of h] to lanes[j] counts the
 * one-bits of eight positions at once, instead of 64 separate votes per hash. */
static uint64_t spread[256];

static void spread_init(void)
{
	if (spread[255])
		return;
	for (unsigned v = 0; v < 256; v++)
		for (int i = 0; i < 8; i++)
			spread[v] |= (uint64_t)((v >> i) & 1) << (8 * i);
}

static void flush(struct simhash_acc *acc)
{
	for (int j = 0; j < 8; j++) {
		for (int i = 0; i < 8; i++) {
			int32_t ones = (int32_t)((acc->lanes[j] >> (8 * i)) & 0xff);
			acc->votes[8 * j + i] += 2 * ones - (int32_t)acc->pending;
		}
		acc->lanes[j] = 0;
	}
	acc->pending = 0;
}

/* Each hash votes +1 for its one-bits and -1 for its zero-bits. */
static void add_hash(struct simhash_acc *acc, uint64_t h)
{
	if (acc->pending == 255)
		flush(acc);
	for (int j = 0; j < 8; j++)
		acc->lanes[j] += spread[(h >> (8 * j)) & 0xff];
	acc->pending++;
}

uint64_t simhash_text(const char *text, size_t len)
{
	spread_init();
	char stack[4096];
	char *norm = len <= sizeof stack ? stack : xmalloc(len);
	size_t n = normalise(text, len, norm);
	struct simhash_acc acc = { 0 };
	size_t shingles = n >= SHINGLE ? n - SHINGLE + 1 : 1;
	for (size_t i = 0; i < shingles; i++)
		add_hash(&acc, rng_hash(norm + i, n >= SHINGLE ? SHINGLE : n, 0x53696d48617368ULL));
	if (norm != stack)
		free(norm);
	return simhash_finish(&acc);
}

void simhash_add_feature(struct simhash_acc *acc, const char *feature, size_t len)
{
	spread_init();
	add_hash(acc, rng_hash(feature, len, 0x4665617475726573ULL));
}

uint64_t simhash_finish(const struct simhash_acc *acc)
{
	struct simhash_acc settled = *acc;
	flush(&settled);
	uint64_t fp = 0;
	for (int b = 0; b < 64; b++)
		if (settled.votes[b] > 0)
			fp |= 1ULL << b;
	return fp;
}
