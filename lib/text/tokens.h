/* tokens — words as the metrics count them.
 *
 * Contract: tokenize splits a text into lower-cased word tokens (runs of ASCII letters,
 * digits and apostrophes; every non-ASCII byte counts as a letter, so accented and
 * non-Latin words stay whole) and stores each token's 64-bit hash; n-gram hashes
 * combine token hashes in order. Counting with hashes keeps memory flat and is exact
 * up to 64-bit collisions. A "?" anywhere marks the text as a question.
 * Ownership: struct tokens owns its array; texts are borrowed.
 * Never ends the process (except out of memory).
 */
#ifndef PS_TOKENS_H
#define PS_TOKENS_H

#include <stddef.h>
#include <stdint.h>

struct tokens {
	uint64_t *hash;
	size_t n, cap;
	int question;
};

void tokenize(const char *text, size_t len, struct tokens *out);
/* The hash of the n-gram starting at token i (n tokens). */
uint64_t ngram_hash(const struct tokens *t, size_t i, size_t n);
void tokens_free(struct tokens *t);

/* A set of 64-bit values (open addressing). */
struct u64set {
	uint64_t *slots;
	unsigned char *used;
	size_t cap, n;
};

/* 1 if v was new, 0 if it was already there. */
int u64set_add(struct u64set *s, uint64_t v);
int u64set_has(const struct u64set *s, uint64_t v);
void u64set_clear(struct u64set *s);
void u64set_free(struct u64set *s);

#endif
