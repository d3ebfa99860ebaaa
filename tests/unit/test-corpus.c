/* corpus: the summary of tiny corpora whose every figure is worked out by hand
 * (averages, distinct-n, self-BLEU-4, distances, silhouette, adherence, stops, drift
 * curve, reference and difference, QA rates), the edge cases that once gave wrong
 * figures (ties, zero and unnormalised vectors, singletons, curves with a missing
 * point, vectors from two models), and the intervals and comparisons. Vectors are
 * given, not embedded, so cosines are known exactly. */
#include <math.h>
#include <string.h>

#include "convmetrics.h"
#include "corpus.h"
#include "unit.h"

#define DIM 4

static double get(jv summary, const char *key)
{
	jv v = jv_object_get(jv_copy(summary), jv_string(key));
	double x = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : NAN;
	jv_free(v);
	return x;
}

static int is_null(jv summary, const char *key)
{
	jv v = jv_object_get(jv_copy(summary), jv_string(key));
	int null = jv_get_kind(v) == JV_KIND_NULL;
	jv_free(v);
	return null;
}

static int member_is(jv summary, const char *key, const char *json)
{
	return jv_equal(jv_object_get(jv_copy(summary), jv_string(key)), jv_parse(json));
}

#define NEAR(x, want) (fabs((x) - (want)) < 1e-6)

struct conv {
	const char *id, *persona, *text, *stop, *curve;
	float vec[DIM];
	size_t turns, client_turns, echo, role;
	double tokens_mean, question_rate, own, partner, probe, dialog;
};

static const char *space = "test-model"; /* the model the next add names */
static unsigned qa_flags; /* the QA flags the next add gives */

static struct corpus *new_corpus(size_t sample, size_t budget, int keep_units)
{
	struct corpus_config config = { sample, budget, keep_units, NULL };
	return corpus_new(&config);
}

static void add(struct corpus *c, const struct conv *v, const float *persona_vec)
{
	struct convmetrics m = { 0 };
	m.turns = v->turns;
	m.client_turns = v->client_turns;
	m.client_tokens_mean = v->tokens_mean;
	m.question_rate = v->question_rate;
	m.own_rep_2 = v->own;
	m.partner_rep_2 = v->partner;
	m.echo_turns = v->echo;
	m.role_turns = v->role;
	jv curve = v->curve ? jv_parse(v->curve) : jv_null();
	struct conversation_facts f = { v->id,    v->persona, v->text,     v->vec,
					DIM,      space,      persona_vec, persona_vec ? space : NULL,
					v->stop,  v->probe,   v->dialog,   curve,
					qa_flags, NULL };
	corpus_add(c, &m, &f);
	jv_free(curve);
}

static jv member(jv summary, const char *key)
{
	return jv_object_get(jv_copy(summary), jv_string(key));
}

/* ci[key] == [lo, hi] with lo <= point <= hi. */
static int brackets(jv ci, jv summary, const char *key)
{
	jv range = member(ci, key);
	int ok = jv_get_kind(range) == JV_KIND_ARRAY && jv_array_length(jv_copy(range)) == 2;
	if (ok) {
		double lo = jv_number_value(jv_array_get(jv_copy(range), 0));
		double hi = jv_number_value(jv_array_get(jv_copy(range), 1));
		double x = get(summary, key);
		ok = lo <= x + 1e-9 && x <= hi + 1e-9;
	}
	jv_free(range);
	return ok;
}

/* The comparison row for metric in rows (borrowed), or null. */
static jv row_of(jv rows, const char *metric)
{
	for (int i = 0; i < jv_array_length(jv_copy(rows)); i++) {
		jv row = jv_array_get(jv_copy(rows), i);
		jv m = member(row, "metric");
		int hit = strcmp(jv_string_value(m), metric) == 0;
		jv_free(m);
		if (hit)
			return row;
		jv_free(row);
	}
	return jv_null();
}

int main(void)
{
	static const float P[DIM] = { 1, 0, 0, 0 }, Q[DIM] = { 0, 1, 0, 0 }, R[DIM] = { 0, 0, 1, 0 };
	/* Conversations 1, 2 by persona P (description vector e1), 3, 4 by Q (e2); client
	 * texts hold turns separated by 0x1e. */
	const struct conv convs[5] = {
		{ "c1",
		  "P",
		  "a b a b",
		  "max_turns",
		  "[{\"after\":2,\"drift\":0.1},{\"after\":4,\"drift\":0.3}]",
		  { 1, 0, 0, 0 },
		  4,
		  2,
		  1,
		  0,
		  4,
		  0.5,
		  0.5,
		  NAN,
		  0.2,
		  NAN },
		{ "c2",
		  "P",
		  "a b c",
		  "max_turns",
		  "[{\"after\":4,\"drift\":0.5}]",
		  { 0.6f, 0.8f, 0, 0 },
		  6,
		  3,
		  0,
		  1,
		  2,
		  0,
		  0.25,
		  0.5,
		  NAN,
		  0.1 },
		{ "c3", "Q", "d", "judge", NULL, { 0, 1, 0, 0 }, 2, 1, 0, 0, 3, 1, NAN, NAN, 0.4, -0.3 },
		{ "c4", "Q", "", NULL, NULL, { 0, 1, 0, 0 }, 0, 0, 0, 0, NAN, NAN, NAN, NAN, NAN, NAN },
		{ "c5", "R", "e", NULL, NULL, { 0, 0, 1, 0 }, 2, 1, 0, 0, 1, 0, NAN, NAN, NAN, NAN },
	};
	/* a budget of exactly the 8 tokens the texts hold: all of them count */
	struct corpus *c = new_corpus(10, 8, 0);
	for (int i = 0; i < 4; i++) {
		qa_flags = i == 0 ? CORPUS_QA_AI_IDENTITY | CORPUS_QA_DUPLICATE : i == 3 ? CORPUS_QA_PROMPT_LEAK : 0;
		add(c, &convs[i], i < 2 ? P : Q);
	}
	qa_flags = 0;
	jv s = corpus_summary(c, jv_invalid());

	CHECK(get(s, "conversations") == 4 && get(s, "sample") == 4, "every conversation is counted and sampled");
	/* turns 4 + 6 + 2 + 0 = 12 over 4 */
	CHECK(NEAR(get(s, "turns_mean"), 3), "turns_mean = 12 / 4");
	/* client tokens 2*4 + 3*2 + 1*3 = 17 over 6 client turns */
	CHECK(NEAR(get(s, "tokens_per_utterance"), 2.833333), "tokens per utterance = 17 / 6");
	/* questions 2*0.5 + 0 + 1*1 = 2 over 6 */
	CHECK(NEAR(get(s, "question_rate"), 0.333333), "question rate = 2 / 6, weighted by client turns");
	CHECK(NEAR(get(s, "echo_rate"), 0.166667) && NEAR(get(s, "role_confusion_rate"), 0.166667),
	      "echo and role rates = 1 / 6 client turns");
	/* own: (0.5 + 0.25) / 2; partner: 0.5 / 1; NaN entries are left out */
	CHECK(NEAR(get(s, "own_rep_2"), 0.375) && NEAR(get(s, "partner_rep_2"), 0.5), "repetition means skip NaN");
	CHECK(NEAR(get(s, "drift_probe_auc"), 0.3) && NEAR(get(s, "drift_dialog"), -0.1),
	      "drift means: (0.2 + 0.4) / 2 and (0.1 - 0.3) / 2");
	CHECK(NEAR(get(s, "qa_ai_identity_rate"), 0.25) && NEAR(get(s, "qa_prompt_leak_rate"), 0.25) &&
		      NEAR(get(s, "qa_duplicate_rate"), 0.25),
	      "QA rates: one conversation of four flagged for each check");

	/* distinct-n over client texts "a b a b", "a b c", "d", "":
	 *   unigrams 8, distinct {a b c d} 4: 0.5
	 *   bigrams ab ba ab | ab bc: 5, distinct {ab ba bc} 3: 0.6
	 *   trigrams aba bab | abc: 3, all distinct: 1 */
	CHECK(NEAR(get(s, "distinct_1"), 0.5) && NEAR(get(s, "distinct_2"), 0.6) && NEAR(get(s, "distinct_3"), 1),
	      "distinct-1/2/3 = 4/8, 3/5, 3/3");
	CHECK(get(s, "distinct_tokens_used") == 8, "distinct_tokens_used is the budget reached");

	/* 1 - cosine for the pairs: 12 0.4, 13 1, 14 1, 23 0.2, 24 0.2, 34 0.
	 *   embedding_distance: 2.8 / 6 = 0.466667
	 *   within persona (12, 34): 0.2; between (13, 14, 23, 24): 2.4 / 4 = 0.6
	 *   silhouette per conversation, (b - a) / max(a, b):
	 *     1: a 0.4, b 1 -> 0.6;  2: a 0.4, b 0.2 -> -0.5;  3 and 4: a 0, b 0.6 -> 1
	 *   mean (0.6 - 0.5 + 1 + 1) / 4 = 0.525 */
	CHECK(NEAR(get(s, "embedding_distance"), 0.466667), "embedding distance is the mean pairwise 1 - cosine");
	CHECK(NEAR(get(s, "within_persona_distance"), 0.2) && NEAR(get(s, "between_persona_distance"), 0.6),
	      "within- and between-persona distances");
	CHECK(NEAR(get(s, "silhouette"), 0.525) && get(s, "silhouette_singletons") == 0,
	      "silhouette = 0.525 (got %g), no singletons", get(s, "silhouette"));

	/* adherence: conversation 2 is closer to Q (0.8) than to P (0.6): rank 2; the
	 * others rank 1. acc1 3/4, acc3 1, mrr (1 + 1/2 + 1 + 1) / 4 = 0.875 */
	CHECK(NEAR(get(s, "adherence_acc1"), 0.75) && NEAR(get(s, "adherence_acc3"), 1) &&
		      NEAR(get(s, "adherence_acc10"), 1),
	      "adherence accuracy at 1, 3 and 10");
	CHECK(NEAR(get(s, "adherence_mrr"), 0.875), "adherence MRR");
	double shuffled = get(s, "adherence_acc1_shuffled");
	CHECK(shuffled >= 0 && shuffled <= 1, "the shuffled baseline is a rate");

	CHECK(member_is(s, "stop_reasons", "{\"max_turns\":2,\"judge\":1}"), "stop reasons are counted by name");
	jv hist = jv_object_get(jv_copy(s), jv_string("stop_turns"));
	CHECK(jv_array_length(jv_copy(hist)) == 51, "the stop-turn histogram has 51 bins");
	jv want = jv_array();
	for (int i = 0; i < 51; i++)
		want = jv_array_append(want, jv_number(i == 0 || i == 2 || i == 4 || i == 6));
	CHECK(jv_equal(hist, want), "each conversation counts at its number of turns");
	/* after turn 2: conversation 1 alone, 0.1; after turn 4: (0.3 + 0.5) / 2. By position
	 * in each curve it would have mixed conversation 2's turn 4 into turn 2. */
	CHECK(member_is(s, "drift_curve", "[{\"after\":2,\"drift\":0.1,\"n\":1},{\"after\":4,\"drift\":0.4,\"n\":2}]"),
	      "the drift curve averages each \"after\" turn over the conversations that have it");
	jv_free(s);

	/* The reference beside each figure, and the difference from the exact figures. */
	jv reference = jv_parse(
		"{\"turns_mean\":4,\"echo_rate\":0.5,\"conversations\":4,\"silhouette\":0,\"stop_reasons\":{}}");
	s = corpus_summary(c, reference);
	jv_free(reference);
	jv ref = member(s, "reference"), diff = member(s, "difference");
	/* turns 3 - 4; echo 1/6 - 1/2 = -1/3; silhouette 0.525 - 0 */
	CHECK(NEAR(get(ref, "turns_mean"), 4) && NEAR(get(diff, "turns_mean"), -1) &&
		      NEAR(get(diff, "echo_rate"), -0.333333) && NEAR(get(diff, "silhouette"), 0.525),
	      "reference values and differences of shared keys");
	CHECK(is_null(ref, "distinct_1") && is_null(diff, "distinct_1"), "a metric the reference lacks: null");
	jv conv = member(diff, "conversations");
	CHECK(!jv_is_valid(conv), "counts (conversations, sample) have no difference");
	jv_free(conv);
	jv_free(ref);
	jv_free(diff);
	jv_free(s);

	/* A persona with one sampled conversation scores 0 (Rousseeuw, scikit-learn): with
	 * conversation 5 (persona R, distance 1 to all), the others keep their b, and the
	 * silhouette is (0.6 - 0.5 + 1 + 1 + 0) / 5 = 0.42 (skipping it gave 0.525). */
	add(c, &convs[4], R);
	s = corpus_summary(c, jv_invalid());
	CHECK(NEAR(get(s, "silhouette"), 0.42) && get(s, "silhouette_singletons") == 1,
	      "a singleton persona counts 0 in the silhouette (got %g) and is counted", get(s, "silhouette"));
	jv_free(s);
	corpus_free(c);

	/* Ties, zero and unnormalised vectors. Personas P (e1) and Q (e2):
	 *   t1 (P) (1, 1): as close to Q as to P, a tie: rank 2 (acc1 miss, acc3 hit, 1/2)
	 *   t2 (Q) zero (an empty text): a miss at every k, reciprocal rank 0
	 *   t3 (P) (3, 0) and t4 (Q) (0, 2): rank 1 once normalised
	 * acc1 2/4, acc3 3/4, mrr (0.5 + 0 + 1 + 1) / 4 = 0.625. */
	struct conv t[4] = {
		{ "t1", "P", "x", NULL, NULL, { 1, 1, 0, 0 }, 2, 1, 0, 0, 1, 0, NAN, NAN, NAN, NAN },
		{ "t2", "Q", "", NULL, NULL, { 0, 0, 0, 0 }, 2, 1, 0, 0, 0, 0, NAN, NAN, NAN, NAN },
		{ "t3", "P", "y", NULL, NULL, { 3, 0, 0, 0 }, 2, 1, 0, 0, 1, 0, NAN, NAN, NAN, NAN },
		{ "t4", "Q", "z", NULL, NULL, { 0, 2, 0, 0 }, 2, 1, 0, 0, 1, 0, NAN, NAN, NAN, NAN },
	};
	c = new_corpus(10, 3, 0);
	for (int i = 0; i < 4; i++)
		add(c, &t[i], t[i].persona[0] == 'P' ? P : Q);
	s = corpus_summary(c, jv_invalid());
	CHECK(NEAR(get(s, "adherence_acc1"), 0.5) && NEAR(get(s, "adherence_acc3"), 0.75) &&
		      NEAR(get(s, "adherence_mrr"), 0.625),
	      "ties rank the true persona last and a zero vector is a miss (acc1 %g, mrr %g)", get(s, "adherence_acc1"),
	      get(s, "adherence_mrr"));
	/* cosine distances after normalising, a zero vector at distance 1 from everything:
	 *   t1t2 1, t1t3 1 - 0.707107 = 0.292893, t1t4 0.292893, t2t3 1, t2t4 1, t3t4 1
	 *   mean 4.585786 / 6 = 0.764298 (1 - dot of the raw vectors gave -2 for t1t3)
	 *   within (t1t3, t2t4) 0.646447; between (t1t2, t1t4, t3t2, t3t4) 3.292893 / 4
	 *   silhouette: t1 (0.646447 - 0.292893) / 0.646447 = 0.546918, t3 (1 - 0.292893) / 1,
	 *   t2 (1 - 1) / 1 = 0, t4 (0.646447 - 1) / 1 = -0.353553: mean 0.225118 */
	CHECK(NEAR(get(s, "embedding_distance"), 0.764298), "distances are 1 - cosine of normalised vectors (got %g)",
	      get(s, "embedding_distance"));
	CHECK(NEAR(get(s, "within_persona_distance"), 0.646447) && NEAR(get(s, "between_persona_distance"), 0.823223),
	      "within and between with a zero and unnormalised vectors");
	CHECK(NEAR(get(s, "silhouette"), 0.225118), "silhouette with a zero vector (got %g)", get(s, "silhouette"));
	jv_free(s);
	corpus_free(c);

	/* Client vectors from two models: every vector metric is null, not a mix. */
	c = new_corpus(10, 3, 0);
	for (int i = 0; i < 4; i++) {
		space = i == 3 ? "other-model" : "test-model";
		add(c, &t[i], t[i].persona[0] == 'P' ? P : Q);
	}
	space = "test-model";
	s = corpus_summary(c, jv_invalid());
	CHECK(is_null(s, "embedding_distance") && is_null(s, "silhouette") && is_null(s, "adherence_acc1") &&
		      member_is(s, "projection", "[]"),
	      "vectors from two models: distances, silhouette, adherence and projection are null");
	jv_free(s);
	corpus_free(c);

	/* Descriptions embedded with another model than the client texts: no adherence. */
	c = new_corpus(10, 3, 0);
	for (int i = 0; i < 4; i++) {
		struct convmetrics m = { 0 };
		struct conversation_facts f = { t[i].id,
						t[i].persona,
						t[i].text,
						t[i].vec,
						DIM,
						"test-model",
						t[i].persona[0] == 'P' ? P : Q,
						"hash-4",
						NULL,
						NAN,
						NAN,
						jv_null(),
						0,
						NULL };
		corpus_add(c, &m, &f);
	}
	s = corpus_summary(c, jv_invalid());
	CHECK(is_null(s, "adherence_acc1") && is_null(s, "adherence_mrr") && NEAR(get(s, "silhouette"), 0.225118),
	      "descriptions from another model: adherence null, the rest measured");
	jv_free(s);
	corpus_free(c);

	/* self-BLEU-4 of "a b c d" against "a b c e" (and back, the same), NLTK method 1:
	 *   p1 3/4; p2 2/3; p3 1/2; p4 0/1, smoothed to 0.1/1
	 *   (0.75 * 2/3 * 0.5 * 0.1) ^ (1/4) = 0.025 ^ 0.25 = 0.397635; equal lengths */
	c = new_corpus(10, 8, 0);
	struct conv x = { "x", "", "a b c d", NULL, NULL, { 1, 0, 0, 0 }, 1, 1, 0, 0, 4, 0, NAN, NAN, NAN, NAN };
	struct conv y = x;
	y.id = "y";
	y.text = "a b c e";
	add(c, &x, NULL);
	add(c, &y, NULL);
	s = corpus_summary(c, jv_invalid());
	CHECK(NEAR(get(s, "self_bleu_4"), 0.397635), "self-BLEU-4 with NLTK smoothing method 1 (got %g)",
	      get(s, "self_bleu_4"));
	CHECK(is_null(s, "silhouette") && is_null(s, "adherence_acc1") && is_null(s, "within_persona_distance"),
	      "without personas there is no silhouette, adherence or persona distance");
	jv_free(s);
	corpus_free(c);

	/* Turns stay apart: "a b" then "a b" (0x1e between) has the bigram "a b" twice and
	 * no "b a": distinct-2 1/2, and no trigram at all. */
	c = new_corpus(10, 4, 0);
	x.text = "a b\x1e"
		 "a b";
	add(c, &x, NULL);
	s = corpus_summary(c, jv_invalid());
	CHECK(NEAR(get(s, "distinct_1"), 0.5) && NEAR(get(s, "distinct_2"), 0.5) && is_null(s, "distinct_3"),
	      "n-grams never span two turns");
	CHECK(is_null(s, "self_bleu_4") && is_null(s, "embedding_distance"),
	      "one conversation has no self-BLEU or distance");
	jv_free(s);
	corpus_free(c);

	/* Fewer tokens than the budget: distinct-n null (a small corpus would look more
	 * varied), with the tokens it had. */
	c = new_corpus(10, 5, 0);
	x.text = "one two three";
	add(c, &x, NULL);
	s = corpus_summary(c, jv_invalid());
	CHECK(is_null(s, "distinct_1") && is_null(s, "distinct_3") && get(s, "distinct_tokens_used") == 3,
	      "under the budget distinct-n is null and distinct_tokens_used says 3");
	jv_free(s);
	corpus_free(c);

	/* The sample is the conversations with the smallest id hashes: the same whatever
	 * the order they come in. */
	struct corpus *a = new_corpus(2, 4, 0), *b = new_corpus(2, 4, 0);
	const char *texts[4] = { "alpha beta", "gamma delta", "epsilon zeta", "eta theta" };
	const char *ids[4] = { "i0", "i1", "i2", "i3" };
	for (int i = 0; i < 4; i++) {
		struct conv v = x, w = x;
		v.id = ids[i], v.text = texts[i];
		w.id = ids[3 - i], w.text = texts[3 - i];
		add(a, &v, NULL);
		add(b, &w, NULL);
	}
	jv sa = corpus_summary(a, jv_invalid()), sb = corpus_summary(b, jv_invalid());
	CHECK(get(sa, "sample") == 2 && get(sa, "conversations") == 4, "the sample is capped at sample_size");
	CHECK(jv_equal(sa, sb), "the summary does not depend on input order");
	corpus_free(a);
	corpus_free(b);

	/* Intervals: the base corpus's intervals hold their point values; a metric every
	 * conversation has the same value of has the interval [x, x]; a seed repeats them. */
	c = new_corpus(10, 4, 1);
	for (int i = 0; i < 4; i++)
		add(c, &convs[i], i < 2 ? P : Q);
	s = corpus_summary(c, jv_invalid());
	jv ci = corpus_intervals(c, 0.95, 500, 7), again = corpus_intervals(c, 0.95, 500, 7);
	const char *keys[] = { "turns_mean",         "echo_rate",     "own_rep_2",  "drift_probe_auc", "distinct_2",
			       "embedding_distance", "adherence_mrr", "silhouette", "self_bleu_4" };
	int all = 1;
	for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
		if (!brackets(ci, s, keys[k])) {
			printf("# %s: no interval around the value\n", keys[k]);
			all = 0;
		}
	CHECK(all, "every interval contains its point value");
	CHECK(member_is(ci, "qa_duplicate_rate", "[0,0]"), "no conversation flagged: the interval is [0, 0]");
	jv auc = member(ci, "authorship_auc");
	CHECK(!jv_is_valid(auc) && jv_equal(jv_copy(ci), jv_copy(again)),
	      "authorship has no interval; the same seed gives the same intervals");
	jv_free(auc);
	jv_free(again);
	jv_free(ci);
	jv_free(s);
	corpus_free(c);

	/* Comparisons: 20 conversations of 10 turns against 20 of 2: the difference 8,
	 * an interval [8, 8] (every replicate), and p = 1 / (1 + 999): no permutation
	 * but the identity split (and its mirror) reaches |8|. The same corpus against
	 * itself: difference 0 and p = 1. */
	a = new_corpus(100, 4, 1);
	b = new_corpus(100, 4, 1);
	for (int i = 0; i < 20; i++) {
		char id[16];
		struct conv v = x;
		v.text = "w";
		snprintf(id, sizeof id, "a%d", i);
		v.id = id;
		v.turns = 10;
		add(a, &v, NULL);
		snprintf(id, sizeof id, "b%d", i);
		v.turns = 2;
		add(b, &v, NULL);
	}
	jv rows = corpus_compare(a, b, "long", "short", 0.95, 999, 3);
	jv turns = row_of(rows, "turns_mean");
	CHECK(member_is(turns, "diff", "8") && member_is(turns, "ci", "[8,8]") && member_is(turns, "p", "0.001") &&
		      member_is(turns, "a", "\"long\"") && member_is(turns, "b", "\"short\""),
	      "a clear difference: diff 8, interval [8, 8], p 1/1000");
	jv_free(turns);
	jv_free(rows);
	rows = corpus_compare(a, a, "long", "long", 0.95, 999, 3);
	turns = row_of(rows, "turns_mean");
	CHECK(member_is(turns, "diff", "0") && member_is(turns, "p", "1"), "a corpus against itself: diff 0, p 1");
	jv_free(turns);
	jv_free(rows);
	corpus_free(a);
	corpus_free(b);

	/* Holm over the family: p = 0.01, 0.04, 0.03, 0.005 -> sorted 0.005 0.01 0.03 0.04
	 * times 4, 3, 2, 1 = 0.02 0.03 0.06 0.04, made monotone: 0.02 0.03 0.06 0.06. */
	rows = jv_parse("[{\"p\":0.01},{\"p\":0.04},{\"p\":0.03},{\"p\":0.005},{\"p\":null}]");
	rows = corpus_holm(rows);
	CHECK(jv_equal(rows, jv_parse("[{\"p\":0.01,\"p_holm\":0.03},{\"p\":0.04,\"p_holm\":0.06},{\"p\":0.03,"
				      "\"p_holm\":0.06},{\"p\":0.005,\"p_holm\":0.02},{\"p\":null,\"p_holm\":null}]")),
	      "Holm's step-down adjustment, null p left out of the family");
	return UNIT_DONE();
}
