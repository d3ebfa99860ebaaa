/* metrics — the definitions of the summary's metrics (see metrics.h). */
#include <string.h>

#include "metrics.h"

const struct metric_def metric_defs[] = {
	{ "turns_mean", "turns per conversation", "Turns of both speakers per conversation.", "—" },
	{ "tokens_per_utterance", "client tokens per client turn", "Client word tokens over client turns.", "—" },
	{ "question_rate", "client turns with a question", "Share of client turns that contain a question mark.", "—" },
	{ "distinct_1", "distinct unigrams / unigrams",
	  "Distinct word unigrams over all unigrams of the sample's client turns, counted up to the token budget; "
	  "null below it.",
	  "Li et al. 2016, distinct-n" },
	{ "distinct_2", "distinct bigrams / bigrams",
	  "Distinct bigrams over all bigrams within client turns (never across two turns), up to the budget.",
	  "Li et al. 2016, distinct-n" },
	{ "distinct_3", "distinct trigrams / trigrams",
	  "Distinct trigrams over all trigrams within client turns, up to the budget.", "Li et al. 2016, distinct-n" },
	{ "self_bleu_4", "self-BLEU-4 (higher: less diverse)",
	  "Mean BLEU-4 of each of 100 sampled client texts against all the others, NLTK smoothing method 1.",
	  "Zhu et al. 2018, Texygen" },
	{ "embedding_distance", "mean distance between conversations",
	  "Mean cosine distance (1 − cosine of normalised vectors) between sampled conversations' client texts.", "—" },
	{ "own_rep_2", "bigrams repeated from own turns",
	  "Mean share of a client turn's bigrams that the client already said earlier.", "Welleck et al. 2020, rep-n" },
	{ "partner_rep_2", "bigrams repeated from the partner",
	  "Mean share of a client turn's bigrams that the responder already said.", "Welleck et al. 2020, rep-n" },
	{ "echo_rate", "client turns echoing the responder",
	  "Client turns with at least half of their (3 or more) bigrams in the responder's previous turn.",
	  "SPASM (echoing)" },
	{ "role_confusion_rate", "client turns in the responder's role",
	  "Client turns with a helper phrase or a list: the client talks like the helper.", "SPASM (role confusion)" },
	{ "qa_ai_identity_rate", "conversations where the client says it is an AI",
	  "Conversations with a client turn saying it is an AI, a language model or an assistant.",
	  "SPASM release QA" },
	{ "qa_prompt_leak_rate", "conversations quoting the client's prompt",
	  "Conversations with a client turn quoting 8 or more consecutive words of its prompt or description.",
	  "SPASM release QA" },
	{ "qa_duplicate_rate", "conversations identical to an earlier one",
	  "Conversations whose turns (speakers and texts) repeat an earlier conversation's exactly.",
	  "SPASM release QA" },
	{ "drift_probe_auc", "probe drift, mean over the curve",
	  "Mean over probe points of 1 − cosine between a probe's answer then and its answer before the dialogue.",
	  "SPASM (persona drift)" },
	{ "drift_dialog", "persona similarity, first half − second half",
	  "Mean cosine of client turns to the description in the first half minus in the second half.",
	  "SPASM (persona drift)" },
	{ "group_floor_gini", "floor share inequality in a group (Gini)",
	  "Mean over group conversations of the Gini coefficient of turns per participant (0: equal turns).",
	  "Gini 1912; floor share in small groups (Woolley et al. 2010)" },
	{ "group_answered_rate", "addressed participants who answered",
	  "Turns naming a participant that the participant answered within the next N-1 turns, over all such.",
	  "this toolkit (addressing in group chat)" },
	{ "group_convergence", "opinion convergence in a group",
	  "Mean over groups of the participants' similarity in the last round minus in the first.",
	  "DeGroot 1974 (consensus); TinyTroupe focus groups" },
	{ "group_adherence_within", "participants retrieved from their own turns",
	  "Participants whose own description is strictly the most similar to their turns among the group's.",
	  "Eval4Sim (adherence), per participant" },
	{ "adherence_acc1", "persona retrieved first (Acc@1)",
	  "Share of sampled conversations whose own description is the most similar of all personas' (ties: miss).",
	  "Eval4Sim (adherence)" },
	{ "adherence_acc3", "persona in the top 3", "The same with the description among the 3 most similar.",
	  "Eval4Sim (adherence)" },
	{ "adherence_acc5", "persona in the top 5", "The same among the 5 most similar.", "Eval4Sim (adherence)" },
	{ "adherence_acc10", "persona in the top 10", "The same among the 10 most similar.", "Eval4Sim (adherence)" },
	{ "adherence_acc1_shuffled", "Acc@1 with shuffled labels (chance)",
	  "Acc@1 scored against a rotation of the personas: what chance gives.", "Eval4Sim (adherence)" },
	{ "adherence_mrr", "mean reciprocal rank of the persona",
	  "Mean of 1 / rank of the conversation's own description (0 for a zero vector).", "Eval4Sim (adherence)" },
	{ "within_persona_distance", "distance within a persona",
	  "Mean cosine distance between sampled conversations of the same persona.", "Eval4Sim (consistency)" },
	{ "between_persona_distance", "distance between personas",
	  "Mean cosine distance between sampled conversations of different personas.", "Eval4Sim (consistency)" },
	{ "silhouette", "silhouette, personas as clusters",
	  "Mean silhouette (b − a) / max(a, b) of sampled conversations, a persona's only conversation scoring 0.",
	  "Rousseeuw 1987; scikit-learn" },
	{ "authorship_auc", "same-persona pairs told apart (AUC)",
	  "ROC AUC of character 4-gram TF-IDF cosine for telling same-persona pairs of texts from the rest.",
	  "Eval4Sim (consistency, authorship verification)" },
	{ "judge_role_failure_rate", "audited conversations with a role failure",
	  "Share of judged conversations the audit model found a role failure in.", "SPASM (audit)" },
};

const size_t metric_defs_count = sizeof metric_defs / sizeof *metric_defs;

const struct metric_def *metric_def(const char *key)
{
	for (size_t i = 0; i < metric_defs_count; i++)
		if (strcmp(metric_defs[i].key, key) == 0)
			return &metric_defs[i];
	return NULL;
}
