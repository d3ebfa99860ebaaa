/* simhash — near-duplicate detection in time linear in the number of records.
 *
 * Fingerprints: simhash_text computes a 64-bit SimHash over the character 4-grams of
 * the text after normalisation (lower-case ASCII, runs of spaces and punctuation
 * collapsed to one space), each 4-gram hashed to 64 bits; texts shorter than four
 * characters are one shingle. Similar texts get fingerprints a few bits apart.
 *
 * Index: for a Hamming distance k, each fingerprint is split into k+1 bands. Two
 * fingerprints within distance k differ in at most k bits, so by the pigeonhole
 * principle at least one band is identical: looking up only fingerprints that share a
 * band finds EVERY earlier fingerprint within distance k — no pair is missed — while
 * the number of comparisons stays near linear for fingerprints that are spread out.
 * Ownership: the index owns its tables; fingerprints are plain values.
 * Ends the process: lsh_new on a distance out of range (an internal error, status 2);
 * lsh_add past 2^30 distinct fingerprints (status 1). Nothing else does (except out of
 * memory).
 */
#ifndef PS_SIMHASH_H
#define PS_SIMHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIMHASH_MAX_DISTANCE 20

uint64_t simhash_text(const char *text, size_t len);
/* SimHash over whole features (e.g. "field=value" strings), each one vote: records that
 * share most fields are close, records that differ in a few are far apart. */
struct simhash_acc {
	int32_t votes[64];
};
void simhash_add_feature(struct simhash_acc *acc, const char *feature, size_t len);
uint64_t simhash_finish(const struct simhash_acc *acc);
int simhash_distance(uint64_t a, uint64_t b);

struct lsh_index;

struct lsh_index *lsh_new(int max_distance);
/* The number (0-based insertion order) of the earliest indexed fingerprint within the
 * distance, with its distance in *distance; -1 when there is none. */
long lsh_find(const struct lsh_index *x, uint64_t fp, int *distance);
/* Index a fingerprint; returns its number. */
long lsh_add(struct lsh_index *x, uint64_t fp);
void lsh_free(struct lsh_index *x);

#endif
