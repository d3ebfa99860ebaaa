/* craft — deciding whether a model's answer can serve as a persona description.
 *
 * Contract: craft_answer_problem returns NULL for a usable answer, else a short
 * reason: "empty answer", "refusal", or "leftover placeholder". craft_trim appends
 * the answer without surrounding whitespace or wrapping quotes.
 * Ownership: arguments are borrowed; returned reasons are static strings.
 * Never ends the process (except out of memory).
 */
#ifndef PS_CRAFT_H
#define PS_CRAFT_H

#include "buf.h"

const char *craft_answer_problem(const char *answer);
void craft_trim(const char *answer, struct buf *out);

#endif
