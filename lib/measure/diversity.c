#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "diversity.h"
#include "msg.h"
#include "tokens.h"

#define MAX_N 4 /* self-BLEU-4 needs 1..4-grams; distinct-n uses 1..3 */

struct text_grams {
	size_t tokens;
	size_t *utterance_end; /* the token index after each utterance that has tokens */
	size_t utterances;
	uint64_t *gram[MAX_N]; /* gram[k-1]: the k-grams, utterance by utterance, in text order */
	size_t grams[MAX_N];
};

static void append(uint64_t **array, size_t *n, size_t *cap, uint64_t v)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*array = xrealloc(*array, *cap * sizeof **array);
	}
	(*array)[(*n)++] = v;
}

struct text_grams *text_grams_new(const char *text)
{
	struct text_grams *g = xcalloc(1, sizeof *g);
	size_t cap[MAX_N] = { 0 }, ends_cap = 0;
	struct tokens t = { 0 };
	const char *start = text;
	for (;;) {
		const char *sep = strchr(start, UTTERANCE_SEP);
		size_t len = sep ? (size_t)(sep - start) : strlen(start);
		tokenize(start, len, &t);
		for (size_t k = 1; k <= MAX_N; k++)
			for (size_t j = 0; j + k <= t.n; j++)
				append(&g->gram[k - 1], &g->grams[k - 1], &cap[k - 1], ngram_hash(&t, j, k));
		if (t.n) {
			g->tokens += t.n;
			if (g->utterances == ends_cap) {
				ends_cap = ends_cap ? ends_cap * 2 : 8;
				g->utterance_end = xrealloc(g->utterance_end, ends_cap * sizeof *g->utterance_end);
			}
			g->utterance_end[g->utterances++] = g->tokens;
		}
		if (!sep)
			break;
		start = sep + 1;
	}
	tokens_free(&t);
	return g;
}

void text_grams_free(struct text_grams *g)
{
	if (!g)
		return;
	for (int k = 0; k < MAX_N; k++)
		free(g->gram[k]);
	free(g->utterance_end);
	free(g);
}

size_t text_grams_tokens(const struct text_grams *g)
{
	return g->tokens;
}

/* How many k-grams of g lie wholly inside its first `used` tokens: a prefix of
 * g->gram[k-1], since the grams are in text order. */
static size_t grams_within(const struct text_grams *g, size_t k, size_t used)
{
	if (used >= g->tokens)
		return g->grams[k - 1];
	size_t count = 0, start = 0;
	for (size_t u = 0; u < g->utterances && start < used; u++) {
		size_t end = g->utterance_end[u] < used ? g->utterance_end[u] : used;
		if (end - start >= k)
			count += end - start - k + 1;
		start = g->utterance_end[u];
	}
	return count;
}

/* ---------- distinct-n ---------- */

struct distinct_counter {
	struct u64set seen[3];
};

struct distinct_counter *distinct_counter_new(void)
{
	return xcalloc(1, sizeof(struct distinct_counter));
}

void distinct_counter_free(struct distinct_counter *c)
{
	if (!c)
		return;
	for (int k = 0; k < 3; k++)
		u64set_free(&c->seen[k]);
	free(c);
}

void distinct_n(struct distinct_counter *c, struct text_grams *const *texts, const size_t *order, size_t n,
		size_t budget, struct distinct *out)
{
	size_t available = 0;
	for (size_t i = 0; i < n && available < budget; i++)
		available += texts[order ? order[i] : i]->tokens;
	out->tokens_used = available < budget ? available : budget;
	if (available < budget) {
		for (int k = 0; k < 3; k++)
			out->d[k] = NAN;
		return;
	}
	size_t total[3] = { 0 }, left = budget;
	for (int k = 0; k < 3; k++)
		u64set_clear(&c->seen[k]);
	for (size_t i = 0; i < n && left; i++) {
		const struct text_grams *g = texts[order ? order[i] : i];
		size_t used = g->tokens < left ? g->tokens : left;
		left -= used;
		for (size_t k = 1; k <= 3; k++) {
			size_t count = grams_within(g, k, used);
			for (size_t j = 0; j < count; j++)
				u64set_add(&c->seen[k - 1], g->gram[k - 1][j]);
			total[k - 1] += count;
		}
	}
	for (int k = 0; k < 3; k++)
		out->d[k] = total[k] ? (double)c->seen[k].n / (double)total[k] : NAN;
}

/* ---------- self-BLEU-4 ---------- */

/* The k-grams of one text as a multiset: distinct hashes ascending, each with its count. */
struct gram_counts {
	uint64_t *gram;
	size_t *count;
	size_t distinct, total;
};

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void count_grams(const uint64_t *grams, size_t n, struct gram_counts *out)
{
	out->gram = xmalloc((n ? n : 1) * sizeof *out->gram);
	out->count = xmalloc((n ? n : 1) * sizeof *out->count);
	out->total = n;
	out->distinct = 0;
	if (!n)
		return;
	memcpy(out->gram, grams, n * sizeof *grams);
	qsort(out->gram, n, sizeof *out->gram, by_u64);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && out->gram[j] == out->gram[i])
			j++;
		out->gram[out->distinct] = out->gram[i];
		out->count[out->distinct++] = j - i;
		i = j;
	}
}

/* best[a] = max(best[a], ref's count of hyp's a-th gram), by merging the sorted lists. */
static void raise_to_reference(const struct gram_counts *hyp, const struct gram_counts *ref, size_t *best)
{
	size_t a = 0, b = 0;
	while (a < hyp->distinct && b < ref->distinct) {
		if (hyp->gram[a] < ref->gram[b]) {
			a++;
		} else if (hyp->gram[a] > ref->gram[b]) {
			b++;
		} else {
			if (ref->count[b] > best[a])
				best[a] = ref->count[b];
			a++;
			b++;
		}
	}
}

/* NLTK's modified precision numerator: hyp's counts clipped to their largest count in
 * any one reference (every text of all but h). */
static size_t clipped_count(const struct gram_counts *all, size_t n, size_t h, size_t *best)
{
	const struct gram_counts *hyp = &all[h];
	memset(best, 0, hyp->distinct * sizeof *best);
	for (size_t r = 0; r < n; r++)
		if (r != h)
			raise_to_reference(hyp, &all[r], best);
	size_t clipped = 0;
	for (size_t a = 0; a < hyp->distinct; a++)
		clipped += hyp->count[a] < best[a] ? hyp->count[a] : best[a];
	return clipped;
}

/* NLTK's closest_ref_length: the reference length nearest to the hypothesis length,
 * the shorter one on a tie. */
static size_t closest_length(struct text_grams *const *texts, size_t n, size_t h)
{
	size_t hyp = texts[h]->tokens, closest = 0, best_gap = SIZE_MAX;
	for (size_t r = 0; r < n; r++) {
		if (r == h)
			continue;
		size_t len = texts[r]->tokens;
		size_t gap = len > hyp ? len - hyp : hyp - len;
		if (gap < best_gap || (gap == best_gap && len < closest)) {
			best_gap = gap;
			closest = len;
		}
	}
	return closest;
}

/* BLEU-4 of text h (NLTK sentence_bleu with method1 smoothing); counts[k-1] holds every
 * text's k-gram counts. */
static double bleu4(struct text_grams *const *texts, struct gram_counts *const counts[MAX_N], size_t n, size_t h,
		    size_t *best)
{
	double log_sum = 0;
	for (size_t k = 1; k <= MAX_N; k++) {
		size_t numerator = clipped_count(counts[k - 1], n, h, best);
		size_t denominator = counts[k - 1][h].total ? counts[k - 1][h].total : 1;
		/* no shared word: NLTK returns 0 before smoothing (an empty hypothesis too) */
		if (k == 1 && numerator == 0)
			return 0;
		double p = numerator ? (double)numerator : 0.1;
		log_sum += 0.25 * log(p / (double)denominator);
	}
	size_t hyp_len = texts[h]->tokens, ref_len = closest_length(texts, n, h);
	double brevity = hyp_len > ref_len ? 1 : exp(1 - (double)ref_len / (double)hyp_len);
	return brevity * exp(log_sum);
}

void self_bleu_each(struct text_grams *const *texts, size_t n, double *out)
{
	if (n < 2) {
		for (size_t i = 0; i < n; i++)
			out[i] = NAN;
		return;
	}
	struct gram_counts *counts[MAX_N];
	size_t most = 1;
	for (size_t k = 0; k < MAX_N; k++) {
		counts[k] = xcalloc(n, sizeof *counts[k]);
		for (size_t i = 0; i < n; i++) {
			count_grams(texts[i]->gram[k], texts[i]->grams[k], &counts[k][i]);
			most = counts[k][i].distinct > most ? counts[k][i].distinct : most;
		}
	}
	size_t *best = xmalloc(most * sizeof *best);
	for (size_t i = 0; i < n; i++)
		out[i] = bleu4(texts, counts, n, i, best);
	free(best);
	for (size_t k = 0; k < MAX_N; k++) {
		for (size_t i = 0; i < n; i++) {
			free(counts[k][i].gram);
			free(counts[k][i].count);
		}
		free(counts[k]);
	}
}
