/* corpus — the corpus-level measurements of score, for the whole input or one group,
 * with their confidence intervals and the comparison of two groups.
 *
 * Contract: corpus_add takes each conversation's turn-level metrics, drift, QA flags,
 * persona, client text and vectors; corpus_summary returns the summary object with the
 * stable keys documented in score(1) (metrics.h lists them with their definitions);
 * null where the input lacks what a metric needs.
 *
 * Averages and rates use every conversation: each is a ratio of sums over
 * conversations. Group conversations add the group_* metrics (groupmetrics.h): the
 * mean floor Gini and convergence over the groups that measure them, addressed turns
 * answered over addressed turns, and within-group adherence hits over participants
 * (groups of two or more measurable participants). Metrics that compare conversations with each other use a
 * deterministic sample: the (up to) sample_size conversations with the smallest hash
 * of their id — the same sample whatever the input order or split.
 *   one space   every vector metric (distances, silhouette, adherence, projection) needs
 *               all client vectors from one model (the first conversation's "space"),
 *               and adherence the description vectors from that same model; otherwise
 *               those metrics are null and corpus_summary says why (warning).
 *   cosine      vectors are L2-normalised when added; a zero vector has cosine 0 with
 *               everything (distance 1), as in scikit-learn.
 *   adherence   each sampled conversation ranks the personas by cosine; ties rank the
 *               true persona below the others, and a zero client or description
 *               vector is a miss at every k with reciprocal rank 0.
 *   silhouette  Rousseeuw's, over sampled conversations with a persona, a persona with
 *               one sampled conversation scoring 0 (counted in silhouette_singletons).
 *   diversity   distinct-n over the sample's client utterances (n-grams within one
 *               utterance) up to distinct_budget tokens — the mean over 20 fixed random
 *               orders of the sample, since which conversations fill the budget
 *               matters — null when the sample holds fewer; self-BLEU-4 of the first
 *               100 as Texygen/NLTK (diversity.h).
 *   drift curve the mean probe drift at each "after" turn, with its count.
 * Intervals (corpus_intervals): percentile bootstrap; conversations are resampled for
 * conversation metrics, sampled conversations for adherence, distances and self-BLEU,
 * personas for within/between distance and silhouette; distinct-n is recomputed on
 * random orders of the sample (resampling with repeats would count its own copies as
 * repetition). authorship_auc has no interval (its pairs are not independent units).
 * Comparisons (corpus_compare): for every metric with an interval, a − b, the
 * percentile interval of the difference of independent bootstrap replicates, and a
 * two-sided permutation p-value (the units of a and b pooled and reassigned).
 * Ownership: the corpus copies what it keeps; texts and vectors in facts are
 * borrowed; every jv returned is new.
 * Never ends the process (except out of memory).
 */
#ifndef PS_CORPUS_H
#define PS_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

#include "convmetrics.h"
#include "groupmetrics.h"

struct corpus;

struct corpus_config {
	size_t sample_size; /* conversations compared with each other (default 2000) */
	size_t distinct_budget; /* tokens counted by distinct-n (default 10,000) */
	int keep_units; /* keep per-conversation figures for intervals and comparisons */
	const char *label; /* named in warnings ("group 'x'"), or NULL for no warnings */
};

/* QA flags of a conversation (qa.h sets them). */
#define CORPUS_QA_AI_IDENTITY 1u
#define CORPUS_QA_PROMPT_LEAK 2u
#define CORPUS_QA_DUPLICATE 4u

struct conversation_facts {
	const char *id;
	const char *persona_id; /* "" when unknown */
	const char *client_text; /* utterances separated by UTTERANCE_SEP (diversity.h) */
	const float *client_vec; /* dim floats, or NULL */
	int dim;
	const char *space; /* the model of client_vec, e.g. "hash-512" */
	const float *persona_vec; /* the description's vector in the same space, or NULL */
	const char *persona_space; /* the model of persona_vec (NULL when there is none) */
	const char *stop_reason; /* or NULL */
	double drift_probe_auc, drift_dialog; /* NaN when not measurable */
	jv drift_curve; /* borrowed: [{"after","drift"}] or null */
	unsigned qa; /* CORPUS_QA_* flags */
	const struct groupmetrics *group; /* a group conversation's figures, or NULL */
};

struct corpus *corpus_new(const struct corpus_config *config);
void corpus_add(struct corpus *c, const struct convmetrics *m, const struct conversation_facts *f);
/* reference (borrowed) is a summary to compare with, or jv_invalid() for none; when
 * given, the summary gains "reference" (the reference's value of every metric, null
 * where it has none) and "difference" (value − reference, from the exact figures). */
jv corpus_summary(struct corpus *c, jv reference);
/* {"metric": [lo, hi] or null} at level (0 < level < 1), reps replicates, seeded.
 * Needs keep_units. */
jv corpus_intervals(struct corpus *c, double level, size_t reps, uint64_t seed);
/* [{"metric","a","b","diff","ci","p"}] for every metric with an interval (a − b). */
jv corpus_compare(struct corpus *a, struct corpus *b, const char *name_a, const char *name_b, double level, size_t reps,
		  uint64_t seed);
/* comparisons (consumed) with "p_holm": Holm's step-down adjustment over all of them. */
jv corpus_holm(jv comparisons);
void corpus_free(struct corpus *c);

#endif
