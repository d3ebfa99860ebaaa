/* simhash — near-duplicate detection in time linear in the number of records.
 *
 * Fingerprints: simhash_text computes a 64-bit SimHash over the character 4-grams of
 * the text after normalisation (lower-case ASCII, runs of spaces and punctuation
 * collapsed to one space), each 4-gram hashed to 64 bits; texts shorter than four
 * characters are one shingle. Similar texts get fingerprints a few bits apart.
 * The index that finds earlier fingerprints within a distance is lib/population/lsh.
 * Ownership: fingerprints are plain values; nothing is allocated.
 * Ends the process: only when out of memory.
 */
#ifndef PS_SIMHASH_H
#define PS_SIMHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIMHASH_MAX_DISTANCE 20

uint64_t simhash_text(const char *text, size_t len);
/* SimHash over whole features (e.g. "field=value" strings), each one vote: records that
 * share most fields are close, records that differ in a few are far apart. */
struct simhash_acc { /* zero-initialise: struct simhash_acc acc = { 0 }; */
	int32_t votes[64]; /* settled votes of bit 0..63 */
	uint64_t lanes[8]; /* pending one-bits: byte i of lanes[j] counts bit 8j+i */
	uint32_t pending; /* hashes in lanes, flushed before a byte could overflow */
};
void simhash_add_feature(struct simhash_acc *acc, const char *feature, size_t len);
uint64_t simhash_finish(const struct simhash_acc *acc);
int simhash_distance(uint64_t a, uint64_t b);

#endif
