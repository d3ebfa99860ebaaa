/* diversity — how varied a set of texts is: distinct-n and self-BLEU-4.
 *
 * Contract: a text is one conversation side, its utterances separated by the byte
 * UTTERANCE_SEP; words are the tokens of tokens.h, and an n-gram never spans two
 * utterances. text_grams_new tokenizes a text once and keeps its token count and its
 * k-gram hashes for k = 1..4, so the measures below never tokenize again.
 *   distinct-n   distinct k-grams / all k-grams (k = 1..3) over the texts taken in the
 *                given order until `budget` tokens are used; a text cut by the budget
 *                contributes only the n-grams wholly inside its used tokens. A fixed
 *                budget makes corpora of different sizes comparable, so texts holding
 *                fewer than `budget` tokens in all give NaN (not an inflated figure).
 *   self-BLEU-4  as Texygen computes it with NLTK 3.8: each text is the hypothesis and
 *                all the other texts are its references; sentence BLEU, weights 1/4
 *                each, SmoothingFunction().method1 (epsilon 0.1); n-gram counts clipped
 *                to their largest count in any one reference; brevity penalty from the
 *                closest reference length (a tie goes to the shorter reference).
 * Counting uses 64-bit hashes, exact up to hash collisions.
 * Ownership: struct text_grams owns its arrays and borrows nothing (the text may go
 * after text_grams_new); struct distinct_counter is scratch memory the caller keeps
 * across calls of distinct_n; arrays passed in are borrowed. No jv here.
 * Never ends the process (except out of memory).
 */
#ifndef PS_DIVERSITY_H
#define PS_DIVERSITY_H

#include <stddef.h>

#define UTTERANCE_SEP '\x1e'

struct text_grams;

/* The grams of text (NUL-terminated, utterances separated by UTTERANCE_SEP). */
struct text_grams *text_grams_new(const char *text);
void text_grams_free(struct text_grams *g);
size_t text_grams_tokens(const struct text_grams *g);

/* The sets distinct_n counts with, kept between calls (cleared, not reallocated). */
struct distinct_counter;
struct distinct_counter *distinct_counter_new(void);
void distinct_counter_free(struct distinct_counter *c);

struct distinct {
	double d[3]; /* d[k-1]: distinct-k; NaN under budget or when no k-gram was counted */
	size_t tokens_used; /* min(budget, tokens of all the texts) */
};

/* Distinct-1..3 of texts[order[0]], texts[order[1]], ..., texts[order[n-1]] (order
 * NULL: texts[0..n)), counting until budget tokens are used. Entries of order may
 * repeat (a bootstrap resample): a text taken twice counts twice. When the texts
 * hold fewer than budget tokens in all, d[] are NaN and tokens_used is their total. */
void distinct_n(struct distinct_counter *c, struct text_grams *const *texts, const size_t *order, size_t n,
		size_t budget, struct distinct *out);

/* out[i] = self-BLEU-4 of texts[i] against all the other texts, for i < n. An empty
 * hypothesis, or one sharing no word with any reference, scores 0. With n < 2 there
 * is nothing to compare: every out[i] is NaN. The mean is the caller's. */
void self_bleu_each(struct text_grams *const *texts, size_t n, double *out);

#endif
