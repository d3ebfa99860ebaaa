/* describe — the deterministic, model-free persona description (persona-craft --template).
 *
 * Contract: describe_persona appends to out a second-person description of the persona
 * ("You are a 58-year-old bus driver from Leeds. ...") built only from the values in
 * fields: who they are, how they feel (emotion, intensity), how they talk (interaction
 * style traits), and what they want from the conversation (their help domain, issue,
 * subject or goal, whichever the schema has). It never states anything that is not in
 * a field, so it cannot contradict one. Fields it does not know by name are still
 * included, as plain "Your <name>: <value>." sentences. Wording varies between
 * personas but is a pure function of (fields, id, seed).
 * Ownership: fields and id are borrowed; text is appended to out (caller owns out).
 * Never ends the process (except out of memory).
 */
#ifndef PS_DESCRIBE_H
#define PS_DESCRIBE_H

#include <stdint.h>
#include <jv.h>

#include "buf.h"

void describe_persona(jv fields, const char *id, uint64_t seed, struct buf *out);
/* Only the interaction-style sentences (expressiveness, self-disclosure, assertiveness,
 * politeness, technology): the same wording describe_persona would use. Nothing is
 * appended when the persona has none of these fields. */
void describe_style(jv fields, const char *id, uint64_t seed, struct buf *out);

#endif
