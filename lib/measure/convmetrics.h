/* convmetrics — the per-conversation measurements of score (turn level).
 *
 * Contract: convmetrics_compute reads one conversation record's turns and fills (the
 * client side as conversation_client_side says: in a group, the participants, and the
 * moderator as the partner):
 *   shape       turns, tokens per utterance (mean, sd) per speaker, the client's
 *               question rate (share of client turns with a "?");
 *   repetition  own_rep_2: mean over client turns (from the second) of the share of the
 *               turn's word bigrams that the client already said; partner_rep_2: the
 *               share already said by the responder (echoing across the dialogue);
 *               overlap: mean Jaccard similarity of the word sets of consecutive turns;
 *   echo        a client turn is an echo when at least echo_threshold of its bigrams
 *               (and at least echo_min_bigrams of them) occur in the partner's turn just
 *               before it; echo_rate = echo turns / client turns; every echo turn listed;
 *   role        a client turn shows role confusion when it contains a helper phrase
 *               (share/score/rules.json) or a list of list_min_items or more items; the
 *               turn index and the phrase are listed, so the first slip is located.
 * score_rules_phrase is the one phrase matcher of score: role confusion here, AI identity
 * in qa.
 * Ownership: the rules own their phrases; the record is borrowed; convmetrics_json
 * returns a new jv; the struct owns its jv members until convmetrics_free.
 * Never ends the process (except out of memory).
 */
#ifndef PS_CONVMETRICS_H
#define PS_CONVMETRICS_H

#include <stddef.h>
#include <jv.h>

struct score_rules;

/* path NULL: share/score/rules.json. NULL after an error message. The optional keys
 * "ai_identity_phrases" (absent: none) and "prompt_leak_min_tokens" (absent: 8) are
 * refused only when present with the wrong kind, so rules files written before them
 * still load. */
struct score_rules *score_rules_load(const char *path);
void score_rules_free(struct score_rules *r);

enum score_phrase_list { SCORE_HELPER_PHRASES, SCORE_AI_IDENTITY_PHRASES, SCORE_PHRASE_LISTS };
/* The first phrase of the list (in the list's order) that text contains on word
 * boundaries (no letter or digit just before or after), or NULL. Case-insensitive for
 * ASCII; a typographic apostrophe (U+2019) matches "'". The result belongs to the rules. */
const char *score_rules_phrase(const struct score_rules *r, enum score_phrase_list which, const char *text);
long score_rules_prompt_leak_min_tokens(const struct score_rules *r);

struct convmetrics {
	size_t turns, client_turns, responder_turns;
	double client_tokens_mean, client_tokens_sd, responder_tokens_mean, responder_tokens_sd;
	double question_rate; /* NaN without client turns */
	double own_rep_2, partner_rep_2, overlap;
	size_t echo_turns, role_turns;
	double echo_rate, role_confusion_rate;
	jv echo_list; /* [turn index, ...] */
	jv role_list; /* [{"turn": i, "phrase": "..."}, ...] */
};

void convmetrics_compute(const struct score_rules *rules, jv record, struct convmetrics *m);
jv convmetrics_json(const struct convmetrics *m);
void convmetrics_free(struct convmetrics *m);

#endif
