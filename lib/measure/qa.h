/* qa — the release checks of a conversation corpus, one record at a time.
 *
 * Contract: qa_check flags what should not be published (as the SPASM authors
 * checked their corpus before release):
 *   ai_identity   the first client turn that contains an "ai_identity_phrases"
 *                 phrase of the score rules ("as an ai", "i'm a chatbot", ...),
 *                 matched like the helper phrases (score_rules_phrase);
 *   prompt_leak   the first client turn that shares a run of at least
 *                 "prompt_leak_min_tokens" consecutive tokens (tokens.h: lower-cased
 *                 words) with the client's instructions or with the record's own
 *                 "description". The instructions are the client template without
 *                 its {{...}} placeholders; each text between placeholders is its own
 *                 segment, so a run never spans a placeholder. The longest shared run
 *                 is reported with its source (on a tie, "instructions");
 *   duplicate_of  a record whose turns (speakers and texts, in order; a non-string
 *                 text counts as "") are those of an earlier record gets the id of the
 *                 first such record ("?" when it had no string id). A record without
 *                 turns is never a duplicate. The checker remembers a 64-bit
 *                 fingerprint per distinct conversation and its first id, so it
 *                 finds duplicates among the records one process sees, in their order.
 * Responder turns are never flagged. The result is
 *   {"ai_identity": {"turn": i, "phrase": "..."} | null,
 *    "prompt_leak": {"turn": i, "source": "instructions" | "description",
 *                    "tokens": run length} | null,
 *    "duplicate_of": "id" | null}
 * with the same facts as bits in *flags (QA_*), for the caller's rates.
 * Ownership: the rules and the template are borrowed (the rules must outlive the
 * checker; the template is read by qa_new only); the record is borrowed; qa_check
 * returns a new jv.
 * Never ends the process (except out of memory).
 */
#ifndef PS_QA_H
#define PS_QA_H

#include <jv.h>

#include "convmetrics.h"

enum qa_flag { QA_AI_IDENTITY = 1, QA_PROMPT_LEAK = 2, QA_DUPLICATE = 4 };

struct qa;

/* client_template: the text of the client prompt template (share/prompts/client.txt),
 * or NULL to check the description only. */
struct qa *qa_new(const struct score_rules *rules, const char *client_template);
/* The QA flags of one record; flags may be NULL. Records must come in input order:
 * the first copy of a conversation is the one that is not flagged. */
jv qa_check(struct qa *q, jv record, unsigned *flags);
void qa_free(struct qa *q);

#endif
