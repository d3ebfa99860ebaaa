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

uint64_t simhash_text(const char *text, size_t len)
{
	char stack[4096];
	char *norm = len <= sizeof stack ? stack : xmalloc(len);
	size_t n = normalise(text, len, norm);
	int32_t votes[64] = { 0 };
	size_t shingles = n >= SHINGLE ? n - SHINGLE + 1 : 1;
	for (size_t i = 0; i < shingles; i++) {
		uint64_t h = rng_hash(norm + i, n >= SHINGLE ? SHINGLE : n, 0x53696d48617368ULL);
		for (int b = 0; b < 64; b++)
			votes[b] += (int32_t)((h >> b) & 1) * 2 - 1;
	}
	uint64_t fp = 0;
	for (int b = 0; b < 64; b++)
		if (votes[b] > 0)
			fp |= 1ULL << b;
	if (norm != stack)
		free(norm);
	return fp;
}

void simhash_add_feature(struct simhash_acc *acc, const char *feature, size_t len)
{
	uint64_t h = rng_hash(feature, len, 0x4665617475726573ULL);
	for (int b = 0; b < 64; b++)
		acc->votes[b] += (int32_t)((h >> b) & 1) * 2 - 1;
}

uint64_t simhash_finish(const struct simhash_acc *acc)
{
	uint64_t fp = 0;
	for (int b = 0; b < 64; b++)
		if (acc->votes[b] > 0)
			fp |= 1ULL << b;
	return fp;
}
