#include <stdlib.h>
#include <string.h>

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

struct table {
	uint64_t mask;
	uint64_t *keys;
	int32_t *heads; /* newest fingerprint number with this key, or -1 */
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

static void table_init(struct table *t, uint64_t mask)
{
	t->mask = mask;
	t->cap = 1024;
	t->keys = xcalloc(t->cap, sizeof *t->keys);
	t->heads = xmalloc(t->cap * sizeof *t->heads);
	for (size_t i = 0; i < t->cap; i++)
		t->heads[i] = -1;
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

static size_t slot_of(const struct table *t, uint64_t key)
{
	size_t i = rng_mix64(key) & (t->cap - 1);
	while (t->heads[i] != -1 && t->keys[i] != key)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static void table_grow(struct table *t)
{
	struct table bigger = *t;
	bigger.cap = t->cap * 2;
	bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
	bigger.heads = xmalloc(bigger.cap * sizeof *bigger.heads);
	for (size_t i = 0; i < bigger.cap; i++)
		bigger.heads[i] = -1;
	for (size_t i = 0; i < t->cap; i++) {
		if (t->heads[i] == -1)
			continue;
		size_t j = slot_of(&bigger, t->keys[i]);
		bigger.keys[j] = t->keys[i];
		bigger.heads[j] = t->heads[i];
	}
	free(t->keys);
	free(t->heads);
	*t = bigger;
}

long lsh_find(const struct lsh_index *x, uint64_t fp, int *distance)
{
	long best = -1;
	int best_distance = -1;
	for (int k = 0; k < x->ntables; k++) {
		const struct table *t = &x->tables[k];
		for (int32_t i = t->heads[slot_of(t, fp & t->mask)]; i != -1; i = t->next[i]) {
			int d = simhash_distance(fp, x->fps[i]);
			if (d <= x->max_distance && (best < 0 || i < best)) {
				best = i;
				best_distance = d;
			}
		}
	}
	if (distance)
		*distance = best_distance;
	return best;
}

long lsh_add(struct lsh_index *x, uint64_t fp)
{
	if (x->n == x->cap) {
		if (x->cap >= (size_t)INT32_MAX / 2)
			fatalf(EXIT_SOME_FAILED, "too many distinct records for the near-duplicate index");
		x->cap = x->cap ? x->cap * 2 : 1024;
		x->fps = xrealloc(x->fps, x->cap * sizeof *x->fps);
		for (int k = 0; k < x->ntables; k++)
			x->tables[k].next = xrealloc(x->tables[k].next, x->cap * sizeof(int32_t));
	}
	int32_t id = (int32_t)x->n++;
	x->fps[id] = fp;
	for (int k = 0; k < x->ntables; k++) {
		struct table *t = &x->tables[k];
		uint64_t key = fp & t->mask;
		size_t slot = slot_of(t, key);
		if (t->heads[slot] == -1) {
			t->keys[slot] = key;
			t->used++;
		}
		t->next[id] = t->heads[slot];
		t->heads[slot] = id;
		if (t->used * 2 > t->cap)
			table_grow(t);
	}
	return id;
}

void lsh_free(struct lsh_index *x)
{
	if (!x)
		return;
	for (int k = 0; k < x->ntables; k++) {
		free(x->tables[k].keys);
		free(x->tables[k].heads);
		free(x->tables[k].next);
	}
	free(x->fps);
	free(x);
}
