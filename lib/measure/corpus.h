/* corpus — the corpus-level measurements of score, for the whole input or one group.
 *
 * Contract: corpus_add takes each conversation's turn-level metrics, its drift
 * numbers, its persona and its texts; corpus_summary returns the summary object with
 * the stable keys documented in score(1): conversations, turns_mean,
 * tokens_per_utterance, question_rate, distinct_1..3, self_bleu_4, own_rep_2,
 * partner_rep_2, echo_rate, role_confusion_rate, drift_probe_auc, drift_dialog,
 * adherence_acc1 (+ acc3, acc5, acc10), adherence_acc1_shuffled, adherence_mrr,
 * within_persona_distance, between_persona_distance, silhouette, authorship_auc (null
 * where the input lacks what a metric needs), plus stop_reasons, stop_turns,
 * drift_curve and projection (a 2-D PCA of up to 500 sampled conversations) for the
 * report.
 * Averages use every conversation. Metrics that compare conversations with each other
 * use a deterministic sample: the (up to) sample_size conversations with the smallest
 * hash of their id — the same sample whatever the input order or split. Distinct-n
 * counts the sample's client tokens up to a fixed budget (10,000 tokens) so corpora of
 * different sizes compare fairly; self-BLEU-4 uses the first 100 of the sample.
 * Ownership: the corpus copies what it keeps; texts and vectors are borrowed.
 * Never ends the process (except out of memory).
 */
#ifndef PS_CORPUS_H
#define PS_CORPUS_H

#include <stddef.h>
#include <jv.h>

#include "convmetrics.h"

struct corpus;

struct conversation_facts {
	const char *id;
	const char *persona_id; /* "" when unknown */
	const char *client_text;
	const float *client_vec; /* dim floats */
	const float *persona_vec; /* the description's vector, or NULL */
	const char *stop_reason; /* or NULL */
	double drift_probe_auc, drift_dialog; /* NaN when not measurable */
	jv drift_curve; /* borrowed: [{"after","drift"}] or null */
};

struct corpus *corpus_new(int dim, size_t sample_size);
void corpus_add(struct corpus *c, const struct convmetrics *m, const struct conversation_facts *f);
/* reference (borrowed) is a summary to compare with, or jv_invalid() for none; when
 * given, the summary gains "sim": 1 - |x - ref| / |ref| for every numeric key both
 * have (null otherwise), computed from the exact figures before they are rounded. */
jv corpus_summary(struct corpus *c, jv reference);
void corpus_free(struct corpus *c);

#endif
