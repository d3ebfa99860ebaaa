/* corpus: the summary of a tiny corpus whose every figure is worked out by hand
 * (averages, distinct-n, self-BLEU-4, distances, silhouette, adherence, stops, drift
 * curve, similarity to a reference). Vectors are given, not embedded, so cosines are
 * known exactly. */
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
	struct conversation_facts f = { v->id,   v->persona, v->text,   v->vec, persona_vec,
					v->stop, v->probe,   v->dialog, curve };
	corpus_add(c, &m, &f);
	jv_free(curve);
}

int main(void)
{
	static const float P[DIM] = { 1, 0, 0, 0 }, Q[DIM] = { 0, 1, 0, 0 };
	/* Conversations 1, 2 by persona P (description vector e1), 3, 4 by Q (e2). */
	const struct conv convs[4] = {
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
		  "[{\"after\":2,\"drift\":0.5}]",
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
	};
	struct corpus *c = corpus_new(DIM, 10);
	for (int i = 0; i < 4; i++)
		add(c, &convs[i], i < 2 ? P : Q);
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

	/* distinct-n over client texts "a b a b", "a b c", "d", "":
	 *   unigrams 8, distinct {a b c d} 4: 0.5
	 *   bigrams ab ba ab | ab bc: 5, distinct {ab ba bc} 3: 0.6
	 *   trigrams aba bab | abc: 3, all distinct: 1 */
	CHECK(NEAR(get(s, "distinct_1"), 0.5) && NEAR(get(s, "distinct_2"), 0.6) && NEAR(get(s, "distinct_3"), 1),
	      "distinct-1/2/3 = 4/8, 3/5, 3/3");

	/* 1 - cosine for the pairs: 12 0.4, 13 1, 14 1, 23 0.2, 24 0.2, 34 0.
	 *   embedding_distance: 2.8 / 6 = 0.466667
	 *   within persona (12, 34): 0.2; between (13, 14, 23, 24): 2.4 / 4 = 0.6
	 *   silhouette per conversation, (b - a) / max(a, b):
	 *     1: a 0.4, b 1 -> 0.6;  2: a 0.4, b 0.2 -> -0.5;  3 and 4: a 0, b 0.6 -> 1
	 *   mean (0.6 - 0.5 + 1 + 1) / 4 = 0.525 */
	CHECK(NEAR(get(s, "embedding_distance"), 0.466667), "embedding distance is the mean pairwise 1 - cosine");
	CHECK(NEAR(get(s, "within_persona_distance"), 0.2) && NEAR(get(s, "between_persona_distance"), 0.6),
	      "within- and between-persona distances");
	CHECK(NEAR(get(s, "silhouette"), 0.525), "silhouette = 0.525 (got %g)", get(s, "silhouette"));

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
	/* point 1: (0.1 + 0.5) / 2; point 2: 0.3 alone */
	CHECK(member_is(s, "drift_curve", "[0.3,0.3]"), "the drift curve averages each point over the conversations");
	jv_free(s);

	/* Similarity to a reference: 1 - |x - ref| / |ref| from exact figures. */
	jv reference = jv_parse(
		"{\"turns_mean\":4,\"echo_rate\":0.5,\"conversations\":4,\"silhouette\":0,\"stop_reasons\":{}}");
	s = corpus_summary(c, reference);
	jv_free(reference);
	jv sim = jv_object_get(jv_copy(s), jv_string("sim"));
	/* turns 1 - 1/4; echo 1 - |1/6 - 1/2| / (1/2) = 1/3; silhouette: a zero reference gives null */
	CHECK(NEAR(get(sim, "turns_mean"), 0.75) && NEAR(get(sim, "echo_rate"), 0.333333),
	      "sim of shared numeric keys");
	CHECK(is_null(sim, "silhouette") && is_null(sim, "distinct_1"),
	      "a zero or missing reference figure gives null");
	jv conv = jv_object_get(jv_copy(sim), jv_string("conversations"));
	CHECK(!jv_is_valid(conv), "counts (conversations, sample) have no similarity");
	jv_free(conv);
	jv_free(sim);
	jv_free(s);
	corpus_free(c);

	/* self-BLEU-4 of "a b c d" against "a b c e" (and back, the same):
	 *   p1 3/4; p2 (2 + 1) / (3 + 1) = 3/4; p3 (1 + 1) / (2 + 1) = 2/3; p4 (0 + 1) / (1 + 1) = 1/2
	 *   (0.75 * 0.75 * 2/3 * 0.5) ^ (1/4) = 0.1875 ^ 0.25 = 0.658037; equal lengths: no penalty */
	c = corpus_new(DIM, 10);
	struct conv x = { "x", "", "a b c d", NULL, NULL, { 1, 0, 0, 0 }, 1, 1, 0, 0, 4, 0, NAN, NAN, NAN, NAN };
	struct conv y = x;
	y.id = "y";
	y.text = "a b c e";
	add(c, &x, NULL);
	add(c, &y, NULL);
	s = corpus_summary(c, jv_invalid());
	CHECK(NEAR(get(s, "self_bleu_4"), 0.658037), "self-BLEU-4 with add-one smoothing (got %g)",
	      get(s, "self_bleu_4"));
	CHECK(is_null(s, "silhouette") && is_null(s, "adherence_acc1") && is_null(s, "within_persona_distance"),
	      "without personas there is no silhouette, adherence or persona distance");
	jv_free(s);
	corpus_free(c);

	c = corpus_new(DIM, 10);
	x.text = "the cat sat on the mat";
	y.text = "the cat sat on the mat";
	add(c, &x, NULL);
	add(c, &y, NULL);
	s = corpus_summary(c, jv_invalid());
	CHECK(NEAR(get(s, "self_bleu_4"), 1), "identical texts have self-BLEU 1");
	jv_free(s);
	corpus_free(c);

	c = corpus_new(DIM, 10);
	x.text = "one two three";
	add(c, &x, NULL);
	s = corpus_summary(c, jv_invalid());
	/* one two three: 3 unigrams, 2 bigrams, 1 trigram, all distinct */
	CHECK(is_null(s, "self_bleu_4") && is_null(s, "embedding_distance"),
	      "one conversation has no self-BLEU or distance");
	CHECK(NEAR(get(s, "distinct_1"), 1) && NEAR(get(s, "distinct_3"), 1), "but has distinct-n");
	jv_free(s);
	corpus_free(c);

	/* The sample is the conversations with the smallest id hashes: the same whatever
	 * the order they come in. */
	struct corpus *a = corpus_new(DIM, 2), *b = corpus_new(DIM, 2);
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
	return UNIT_DONE();
}
