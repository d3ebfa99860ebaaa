/* diversity: distinct-n and self-BLEU-4 on tiny texts whose every figure is worked
 * out by hand below (NLTK 3.8 sentence_bleu, weights 1/4, SmoothingFunction().method1:
 * a zero numerator becomes 0.1 over the unchanged denominator). "|" in the comments is
 * the utterance separator. */
#include <math.h>
#include <string.h>

#include "diversity.h"
#include "unit.h"

/* the utterance separator as a string, to join literals */
#define SEP "\x1e"
#define NEAR(x, want) (fabs((x) - (want)) < 1e-9)
#define MAX_TEXTS 8

struct set {
	struct text_grams *g[MAX_TEXTS];
	size_t n;
};

/* The grams of each text of a NULL-terminated list. */
static struct set make(const char *const *texts)
{
	struct set s = { { 0 }, 0 };
	while (texts[s.n]) {
		s.g[s.n] = text_grams_new(texts[s.n]);
		s.n++;
	}
	return s;
}

static void drop(struct set *s)
{
	for (size_t i = 0; i < s->n; i++)
		text_grams_free(s->g[i]);
}

/* Self-BLEU of each text of a NULL-terminated list, into out. */
static void bleu_of(const char *const *texts, double *out)
{
	struct set s = make(texts);
	self_bleu_each(s.g, s.n, out);
	drop(&s);
}

static struct distinct distinct_of(struct distinct_counter *c, const char *const *texts, const size_t *order, size_t n,
				   size_t budget)
{
	struct set s = make(texts);
	struct distinct d;
	distinct_n(c, s.g, order, order ? n : s.n, budget, &d);
	drop(&s);
	return d;
}

static void test_self_bleu(void)
{
	double b[MAX_TEXTS];

	/* "ok sure" against "ok fine": p1 = 1/2; no bigram, so p2 = 0.1/1; no trigram or
	 * 4-gram, so their counts are 0, the denominator max(1, 0) = 1: p3 = p4 = 0.1.
	 * Equal lengths: BP = 1. BLEU = (0.5 * 0.1 * 0.1 * 0.1)^(1/4) = 0.0005^0.25. */
	bleu_of((const char *[]){ "ok sure", "ok fine", NULL }, b);
	CHECK(NEAR(b[0], pow(0.0005, 0.25)) && NEAR(b[1], pow(0.0005, 0.25)),
	      "two-word texts sharing one word score 0.0005^(1/4) = 0.1495 (got %.9f, %.9f)", b[0], b[1]);

	/* identical texts: every p_n = 1 and the identical reference has the same length */
	bleu_of((const char *[]){ "the cat sat on the mat", "the cat sat on the mat", "dogs bark loudly", NULL }, b);
	CHECK(NEAR(b[0], 1) && NEAR(b[1], 1), "a text with an identical twin scores 1 (got %.9f, %.9f)", b[0], b[1]);
	CHECK(b[2] == 0, "a text sharing no word with the others scores 0 (got %g)", b[2]);

	/* "" has no unigram: numerator 0, BLEU 0; "a b c d" against "": nothing shared */
	bleu_of((const char *[]){ "", "a b c d", NULL }, b);
	CHECK(b[0] == 0, "an empty hypothesis scores 0 (got %g)", b[0]);
	CHECK(b[1] == 0, "a hypothesis whose only reference is empty scores 0 (got %g)", b[1]);

	bleu_of((const char *[]){ "a b", "c d", NULL }, b);
	CHECK(b[0] == 0 && b[1] == 0, "no shared unigram scores 0, not the smoothed value (got %g, %g)", b[0], b[1]);

	/* H = "a b c d" (4), R1 = "a b" (2), R2 = "a b c d e f" (6).
	 * H: references of lengths 2 and 6 are both 2 away; the tie goes to the shorter, 2,
	 *    so 4 > 2 gives BP = 1 (the longer would give exp(1 - 6/4)); every n-gram of H
	 *    is in R2: BLEU = 1.
	 * R1: references 4 and 6, closest 4: BP = exp(1 - 4/2) = exp(-1); p1 = 2/2,
	 *    p2 = 1/1, no trigram nor 4-gram: p3 = p4 = 0.1/1.
	 *    BLEU = exp(-1) * (0.1 * 0.1)^(1/4) = exp(-1) * sqrt(0.1).
	 * R2: references 4 and 2, closest 4 < 6: BP = 1; p1 = 4/6 (a b c d), p2 = 3/5 (ab bc
	 *    cd), p3 = 2/4 (abc bcd), p4 = 1/3 (abcd): BLEU = (24/360)^(1/4) = (1/15)^(1/4). */
	bleu_of((const char *[]){ "a b c d", "a b", "a b c d e f", NULL }, b);
	CHECK(NEAR(b[0], 1), "a tie in reference lengths takes the shorter reference (got %.9f)", b[0]);
	CHECK(NEAR(b[1], exp(-1) * sqrt(0.1)), "a short hypothesis pays exp(1 - r/len) (got %.9f, want %.9f)", b[1],
	      exp(-1) * sqrt(0.1));
	CHECK(NEAR(b[2], pow(1.0 / 15, 0.25)), "a hypothesis longer than the closest reference pays nothing (got %.9f)",
	      b[2]);

	/* "the the the the" against "the cat": p1 = min(4, 1)/4 = 1/4; p2: 3 x "the the",
	 * none in the reference: 0.1/3; p3: 2 trigrams: 0.1/2; p4: 1 4-gram: 0.1/1; 4 > 2:
	 * BP = 1. BLEU = (1/4 * 0.1/3 * 0.1/2 * 0.1)^(1/4) = (0.001/24)^(1/4).
	 * "the cat" against "the the the the": p1 = 1/2 (the: min(1, 4), cat: 0); p2 = 0.1/1,
	 * p3 = p4 = 0.1/1; BP = exp(1 - 4/2). BLEU = exp(-1) * 0.0005^(1/4). */
	bleu_of((const char *[]){ "the the the the", "the cat", NULL }, b);
	CHECK(NEAR(b[0], pow(0.001 / 24, 0.25)),
	      "a repeated word counts only as often as a reference has it (got %.9f)", b[0]);
	CHECK(NEAR(b[1], exp(-1) * pow(0.0005, 0.25)), "the reverse: a shorter hypothesis, smoothed (got %.9f)", b[1]);

	/* "the the the the" against "the the cat" and "the the dog": the clip is the largest
	 * count in ONE reference (2), not the sum (4): p1 = 2/4; p2: "the the" 3 times, at
	 * most once in a reference: 1/3; p3 = 0.1/2; p4 = 0.1/1; closest length 3 < 4: BP = 1.
	 * BLEU = (1/2 * 1/3 * 0.05 * 0.1)^(1/4) = (0.0025/3)^(1/4). */
	bleu_of((const char *[]){ "the the the the", "the the cat", "the the dog", NULL }, b);
	CHECK(NEAR(b[0], pow(0.0025 / 3, 0.25)), "counts are clipped to the largest count in one reference (got %.9f)",
	      b[0]);

	/* "a b|c d" against "a b c d": p1 = 4/4; bigrams ab, cd (no "b c"): 2/2; no trigram:
	 * p3 = p4 = 0.1/1; lengths 4 and 4: BP = 1. BLEU = (0.1 * 0.1)^(1/4) = sqrt(0.1).
	 * "a b c d" against "a b|c d": p1 = 1; ab bc cd, "b c" not in the reference: 2/3;
	 * abc, bcd: 0.1/2; abcd: 0.1/1. BLEU = (2/3 * 0.05 * 0.1)^(1/4) = (1/300)^(1/4). */
	bleu_of((const char *[]){ "a b" SEP "c d", "a b c d", NULL }, b);
	CHECK(NEAR(b[0], sqrt(0.1)), "a hypothesis's n-grams do not span utterances (got %.9f)", b[0]);
	CHECK(NEAR(b[1], pow(1.0 / 300, 0.25)), "a reference's n-grams do not span utterances (got %.9f)", b[1]);

	/* Case and punctuation are the tokenizer's: "Ok, SURE!" is "ok sure". */
	bleu_of((const char *[]){ "Ok, SURE!", "ok fine", NULL }, b);
	CHECK(NEAR(b[0], pow(0.0005, 0.25)), "words are compared as tokens.h makes them (got %.9f)", b[0]);

	b[0] = 0;
	bleu_of((const char *[]){ "alone here", NULL }, b);
	CHECK(isnan(b[0]), "a single text has no reference: NaN");
	self_bleu_each(NULL, 0, b);
	CHECK(1, "no text at all is no error");
}

static void test_distinct(void)
{
	struct distinct_counter *c = distinct_counter_new();
	struct distinct d;

	/* "x y|x y": unigrams x y x y: 2/4; bigrams "x y", "x y" (no "y x"): 1/2; no
	 * trigram: NaN (spanning the separator would give 2/3 and x y x, y x y). */
	d = distinct_of(c, (const char *[]){ "x y" SEP "x y", NULL }, NULL, 0, 4);
	CHECK(NEAR(d.d[0], 0.5) && NEAR(d.d[1], 0.5), "n-grams stop at the utterance separator (got %g, %g)", d.d[0],
	      d.d[1]);
	CHECK(isnan(d.d[2]) && d.tokens_used == 4, "no trigram fits in two-word utterances: NaN (got %g)", d.d[2]);

	/* "a b|c d": bigrams {a b, c d} = 2 of 2; no trigram */
	d = distinct_of(c, (const char *[]){ "a b" SEP "c d", NULL }, NULL, 0, 4);
	CHECK(NEAR(d.d[0], 1) && NEAR(d.d[1], 1) && isnan(d.d[2]),
	      "a b|c d: distinct-1 = distinct-2 = 1, distinct-3 NaN");

	/* "a b c|a b c" with a budget of 5: the used tokens are a b c | a b.
	 * unigrams a b c a b: 3/5; bigrams ab bc | ab: 2/3; trigrams abc | (none: "a b c"
	 * of the second utterance is cut): 1/1. */
	d = distinct_of(c, (const char *[]){ "a b c" SEP "a b c", NULL }, NULL, 0, 5);
	CHECK(NEAR(d.d[0], 0.6) && NEAR(d.d[1], 2.0 / 3) && NEAR(d.d[2], 1) && d.tokens_used == 5,
	      "an utterance cut by the budget gives only the n-grams inside it (got %g %g %g, %zu tokens)", d.d[0],
	      d.d[1], d.d[2], d.tokens_used);

	/* the same across texts: "a b c" then "a b c d" cut after "a b" */
	d = distinct_of(c, (const char *[]){ "a b c", "a b c d", NULL }, NULL, 0, 5);
	CHECK(NEAR(d.d[0], 0.6) && NEAR(d.d[1], 2.0 / 3) && NEAR(d.d[2], 1) && d.tokens_used == 5,
	      "a text cut by the budget gives only the n-grams inside it (got %g %g %g)", d.d[0], d.d[1], d.d[2]);

	/* 3 + 4 = 7 tokens */
	d = distinct_of(c, (const char *[]){ "a b c", "a b c d", NULL }, NULL, 0, 8);
	CHECK(isnan(d.d[0]) && isnan(d.d[1]) && isnan(d.d[2]) && d.tokens_used == 7,
	      "fewer tokens than the budget: NaN, tokens_used is the total (got %g, %zu)", d.d[0], d.tokens_used);
	/* exactly the budget: a b c a b c d: 4/7; ab bc ab bc cd: 3/5; abc abc bcd: 2/3 */
	d = distinct_of(c, (const char *[]){ "a b c", "a b c d", NULL }, NULL, 0, 7);
	CHECK(NEAR(d.d[0], 4.0 / 7) && NEAR(d.d[1], 3.0 / 5) && NEAR(d.d[2], 2.0 / 3) && d.tokens_used == 7,
	      "exactly the budget counts every token (got %g %g %g)", d.d[0], d.d[1], d.d[2]);

	/* order: "a a a" alone gives 1/3, 1/2, 1/1; "b c d" alone 1, 1, 1 */
	const char *const pair[] = { "a a a", "b c d", NULL };
	d = distinct_of(c, pair, NULL, 0, 3);
	CHECK(NEAR(d.d[0], 1.0 / 3) && NEAR(d.d[1], 0.5) && NEAR(d.d[2], 1), "without an order the texts go in turn");
	d = distinct_of(c, pair, (const size_t[]){ 1, 0 }, 2, 3);
	CHECK(NEAR(d.d[0], 1) && NEAR(d.d[1], 1) && NEAR(d.d[2], 1), "the order array picks which texts come first");
	/* "b c d" twice: 3/6, bc cd bc cd: 2/4, bcd bcd: 1/2 */
	d = distinct_of(c, pair, (const size_t[]){ 1, 1 }, 2, 6);
	CHECK(NEAR(d.d[0], 0.5) && NEAR(d.d[1], 0.5) && NEAR(d.d[2], 0.5) && d.tokens_used == 6,
	      "a text repeated in the order counts each time (got %g %g %g)", d.d[0], d.d[1], d.d[2]);
	d = distinct_of(c, pair, (const size_t[]){ 1 }, 1, 4);
	CHECK(isnan(d.d[0]) && d.tokens_used == 3, "only the texts in the order count towards the budget");

	/* "the cat the cat": 2/4; the-cat cat-the the-cat: 2/3; the-cat-the cat-the-cat: 2/2 */
	d = distinct_of(c, (const char *[]){ "The cat, the CAT.", NULL }, NULL, 0, 4);
	CHECK(NEAR(d.d[0], 0.5) && NEAR(d.d[1], 2.0 / 3) && NEAR(d.d[2], 1),
	      "repeated n-grams count once among the distinct (got %g %g %g)", d.d[0], d.d[1], d.d[2]);

	/* the counter is reused: nothing of the previous call remains */
	d = distinct_of(c, (const char *[]){ "the cat", NULL }, NULL, 0, 2);
	CHECK(NEAR(d.d[0], 1) && NEAR(d.d[1], 1) && isnan(d.d[2]), "a reused counter starts empty");

	/* empty utterances and texts hold no token */
	struct text_grams *g = text_grams_new(SEP SEP "one two" SEP SEP);
	struct text_grams *e = text_grams_new("");
	CHECK(text_grams_tokens(g) == 2 && text_grams_tokens(e) == 0, "empty utterances add no token");
	struct text_grams *both[] = { e, g };
	distinct_n(c, both, NULL, 2, 2, &d);
	CHECK(NEAR(d.d[0], 1) && NEAR(d.d[1], 1) && d.tokens_used == 2, "an empty text contributes nothing");
	text_grams_free(g);
	text_grams_free(e);

	d = distinct_of(c, (const char *[]){ "a b", NULL }, NULL, 0, 0);
	CHECK(isnan(d.d[0]) && d.tokens_used == 0, "a zero budget counts nothing: NaN");
	distinct_counter_free(c);
}

int main(void)
{
	test_self_bleu();
	test_distinct();
	return UNIT_DONE();
}
