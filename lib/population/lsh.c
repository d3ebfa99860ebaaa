#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "lsh.h"
#include "msg.h"
#include "rng.h"
#include "simhash.h"

/* Multi-index hashing. The 64 bits are cut into B = k + r blocks. Two fingerprints
 * within distance k differ in at most k blocks, so at least r blocks are identical;
 * one table per choice of r blocks, keyed by those blocks' bits, therefore holds every
 * match under an identical key. r = 2 makes keys about 2*64/B bits wide, so a lookup
 * meets few strangers even among a million similar records (with r = 1, 16-bit keys at
 * k = 3, it met hundreds); r = 1 above k = 4 keeps the number of tables small. */
#define MAX_TABLES 16

/* The distance without a library call where the CPU has no POPCNT instruction. */
static inline int distance(uint64_t a, uint64_t b)
{
	uint64_t x = a ^ b;
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (int)((x * 0x0101010101010101ULL) >> 56);
}

/* A slot of a table: 32 bits of the key's hash and the newest fingerprint number with
 * that key, side by side so that a probe touches one cache line, in 8 bytes. A slot
 * whose tag matches is the key's only when its newest fingerprint has the key (the
 * slot does not keep the key itself: half the memory at a million fingerprints). */
struct slot {
	uint32_t tag;
	int32_t head; /* or -1: empty */
};

struct table {
	uint64_t mask;
	struct slot *slots;
	int32_t *next; /* per fingerprint: the next older one with the same key */
	size_t cap, used;
};

struct lsh_index {
	int max_distance;
	int ntables;
	struct table tables[MAX_TABLES];
	uint64_t *fps;
	size_t n, cap;
};

static uint64_t block_mask(int block, int nblocks)
{
	int start = 0;
	for (int b = 0; b < block; b++)
		start += 64 / nblocks + (b < 64 % nblocks ? 1 : 0);
	int bits = 64 / nblocks + (block < 64 % nblocks ? 1 : 0);
	return (bits == 64 ? ~0ULL : ((1ULL << bits) - 1)) << start;
}

/* Arrays of a million entries are read at random: in 2 MB pages where the kernel
 * allows it (transparent huge pages on request), a lookup misses the TLB far less
 * and the arrays fault in far fewer pages (persona-validate on 1M personas: 183,000
 * page faults before, 13,700 after). Freed with free(). */
#define HUGE_PAGE (2UL << 20)
static void *big_alloc(size_t bytes)
{
	if (bytes < HUGE_PAGE)
		return xmalloc(bytes);
	size_t rounded = (bytes + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	void *p = NULL;
	if (posix_memalign(&p, HUGE_PAGE, rounded) != 0)
		fatalf(EXIT_SOME_FAILED, "out of memory");
#ifdef MADV_HUGEPAGE
	madvise(p, rounded, MADV_HUGEPAGE);
#endif
	return p;
}

/* big_alloc's realloc: the first old_bytes copied. */
static void *big_grow(void *old, size_t old_bytes, size_t bytes)
{
	void *p = big_alloc(bytes);
	if (old)
		memcpy(p, old, old_bytes);
	free(old);
	return p;
}

static struct slot *slots_new(size_t cap)
{
	struct slot *slots = big_alloc(cap * sizeof *slots);
	for (size_t i = 0; i < cap; i++) {
		slots[i].tag = 0;
		slots[i].head = -1;
	}
	return slots;
}

static void table_init(struct table *t, uint64_t mask)
{
	t->mask = mask;
	t->cap = 1024;
	t->slots = slots_new(t->cap);
}

struct lsh_index *lsh_new(int max_distance)
{
	if (max_distance < 0 || max_distance > SIMHASH_MAX_DISTANCE)
		fatalf(EXIT_USAGE, "internal error: SimHash distance %d out of range", max_distance);
	struct lsh_index *x = xcalloc(1, sizeof *x);
	x->max_distance = max_distance;
	int r = max_distance >= 1 && max_distance <= 4 ? 2 : 1;
	int nblocks = max_distance + r;
	for (int i = 0; i < nblocks; i++) {
		if (r == 1) {
			table_init(&x->tables[x->ntables++], block_mask(i, nblocks));
			continue;
		}
		for (int j = i + 1; j < nblocks; j++)
			table_init(&x->tables[x->ntables++], block_mask(i, nblocks) | block_mask(j, nblocks));
	}
	return x;
}

/* A key's hash: its low bits pick the home slot, its high 32 bits are the tag. */
static uint64_t key_hash(const struct table *t, uint64_t fp)
{
	return rng_mix64(fp & t->mask);
}

/* The slot of fp's key in t: its own, or the empty one where it would go. */
static size_t slot_of(const struct table *t, const uint64_t *fps, uint64_t fp, uint64_t hash)
{
	size_t i = hash & (t->cap - 1);
	for (;;) {
		const struct slot *s = &t->slots[i];
		if (s->head == -1 || (s->tag == (uint32_t)(hash >> 32) && ((fps[s->head] ^ fp) & t->mask) == 0))
			return i;
		i = (i + 1) & (t->cap - 1);
	}
}

static void table_grow(struct table *t, const uint64_t *x_fps)
{
	struct table bigger = *t;
	bigger.cap = t->cap * 2;
	bigger.slots = slots_new(bigger.cap);
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slots[i].head == -1)
			continue;
		uint64_t fp = x_fps[t->slots[i].head];
		bigger.slots[slot_of(&bigger, x_fps, fp, key_hash(&bigger, fp))] = t->slots[i];
	}
	free(t->slots);
	*t = bigger;
}

/* Every table's key hash for fp, its home slot fetched from memory together with the
 * others rather than one miss after another (at a million fingerprints the tables
 * are far larger than the caches). */
static void homes(const struct lsh_index *x, uint64_t fp, uint64_t *hash)
{
	for (int k = 0; k < x->ntables; k++) {
		const struct table *t = &x->tables[k];
		hash[k] = key_hash(t, fp);
		__builtin_prefetch(&t->slots[hash[k] & (t->cap - 1)]);
	}
}

long lsh_find(const struct lsh_index *x, uint64_t fp, int *distance_out)
{
	uint64_t hash[MAX_TABLES];
	homes(x, fp, hash);
	int32_t cur[MAX_TABLES];
	for (int k = 0; k < x->ntables; k++)
		cur[k] = x->tables[k].slots[slot_of(&x->tables[k], x->fps, fp, hash[k])].head;
	/* The chains walked side by side, one step of each per round, for the same reason. */
	long best = -1;
	int best_distance = -1, walking = 1;
	while (walking) {
		walking = 0;
		for (int k = 0; k < x->ntables; k++)
			if (cur[k] != -1) {
				__builtin_prefetch(&x->fps[cur[k]]);
				__builtin_prefetch(&x->tables[k].next[cur[k]]);
			}
		for (int k = 0; k < x->ntables; k++) {
			int32_t i = cur[k];
			if (i == -1)
				continue;
			int d = distance(fp, x->fps[i]);
			if (d <= x->max_distance && (best < 0 || i < best)) {
				best = i;
				best_distance = d;
			}
			cur[k] = x->tables[k].next[i];
			walking |= cur[k] != -1;
		}
	}
	if (distance_out)
		*distance_out = best_distance;
	return best;
}

long lsh_add(struct lsh_index *x, uint64_t fp)
{
	if (x->n == x->cap) {
		if (x->cap >= (size_t)INT32_MAX / 2)
			fatalf(EXIT_SOME_FAILED, "too many distinct records for the near-duplicate index");
		x->cap = x->cap ? x->cap * 2 : 1024;
		size_t had = x->n;
		x->fps = big_grow(x->fps, had * sizeof *x->fps, x->cap * sizeof *x->fps);
		for (int k = 0; k < x->ntables; k++)
			x->tables[k].next =
				big_grow(x->tables[k].next, had * sizeof(int32_t), x->cap * sizeof(int32_t));
	}
	int32_t id = (int32_t)x->n++;
	x->fps[id] = fp;
	uint64_t hash[MAX_TABLES];
	homes(x, fp, hash);
	for (int k = 0; k < x->ntables; k++) {
		struct table *t = &x->tables[k];
		struct slot *slot = &t->slots[slot_of(t, x->fps, fp, hash[k])];
		if (slot->head == -1) {
			slot->tag = (uint32_t)(hash[k] >> 32);
			t->used++;
		}
		t->next[id] = slot->head;
		slot->head = id;
		if (t->used * 2 > t->cap)
			table_grow(t, x->fps);
	}
	return id;
}

void lsh_free(struct lsh_index *x)
{
	if (!x)
		return;
	for (int k = 0; k < x->ntables; k++) {
		free(x->tables[k].slots);
		free(x->tables[k].next);
	}
	free(x->fps);
	free(x);
}
