/* offline_extract — the offline provider's answer to an extraction request: one JSON
 * object that answers a researcher's questions about a conversation.
 *
 * Part of offline (offline.h is the contract; offline_internal.h the shared helpers).
 * It is a stand-in that answers from a word list, not a reading of the conversation.
 *
 * The request: the last user message that has a line starting "SCHEMA:" carries the
 * schema as compact JSON (on the rest of that line, or on the next non-blank line);
 * the text before that line is the transcript. Later messages (a bad answer and a
 * "Your answer was not valid:" note) change nothing: the answer comes again from the
 * same transcript.
 *
 * The answer has every property of the schema, in the schema's order, then any
 * "required" name the properties do not describe. Each value is valid for its schema:
 *   - a sentiment score counts lexicon words in the transcript (negative: frustrated,
 *     angry, waiting, still, nobody, worse, problem, "not working", ...; positive:
 *     thanks, great, solved, works, helpful, clearer, glad, perfect, appreciate, ...;
 *     a positive word right after "not" counts as negative);
 *   - a property's direction comes from its name, else its description, by two short
 *     lists: frustration, anger, complaint, escalation, churn, effort, problem ... rise
 *     with negativity; resolved, understood, satisfaction, recommend, purchase,
 *     confidence, intent ... with positivity; anything else rises with positivity;
 *   - boolean: true when the transcript leans the property's way (for the default
 *     direction: more positive than negative words);
 *   - integer / number: the lean mapped into [minimum, maximum] (1..5 when both are
 *     absent, a span of 4 when one is; minimum when minimum > maximum), the middle
 *     when the transcript is neutral; numbers to two decimals;
 *   - "enum" (any type): the first value that appears as a word in the transcript,
 *     ignoring case ("_" read as a space), else one drawn from r, as it is;
 *   - string: a line of the transcript (without its "speaker:" label), the first that
 *     carries a lexicon word of the overall lean, else the first; cut to "maxLength"
 *     code points (80 when absent), after the last whole word that fits;
 *   - array: of strings, up to 3 distinct content words of the transcript (or, when
 *     the items have an enum, the enum values it mentions); of anything else, one item;
 *   - object: recursively, at most OFFLINE_EXTRACT_DEPTH deep ({} below that);
 *   - type "null": null; no type, or one not named here: a quote.
 * No schema, or one that does not parse as a JSON object: "{}".
 *
 * Ownership: every argument is borrowed; the compact JSON is appended to out.
 * Never ends the process (except out of memory).
 */
#ifndef PS_OFFLINE_EXTRACT_H
#define PS_OFFLINE_EXTRACT_H

#include "buf.h"
#include "offline_internal.h"
#include "rng.h"

#define OFFLINE_EXTRACT_DEPTH 8

void offline_extract_answer(struct rng *r, const struct chat *c, struct buf *out);

#endif
