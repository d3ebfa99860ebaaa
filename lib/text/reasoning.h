/* reasoning — only the answer of a reasoning model's reply becomes text.
 *
 * Reasoning models served without a reasoning parser (Qwen3, the R1 distills, ...) put
 * their thinking into the answer between tags, <think>...</think> by default. Nothing
 * between the tags may ever become a turn, a description, a probe answer or a verdict,
 * so llm strips every reply with reasoning_strip before anyone sees it:
 *   - every OPEN...CLOSE block, wherever it is;
 *   - a CLOSE with no OPEN before it, and everything before it (templates that open
 *     the block in the prompt, so the reply starts inside it);
 *   - an OPEN that is never closed, and everything after it (the model ran out of
 *     tokens while thinking);
 * then surrounding whitespace. Reasoning sent apart (reasoning_content, reasoning) is
 * never read as text at all (llm).
 * Ownership: arguments are borrowed; the answer is appended to out.
 * Never ends the process (except out of memory).
 */
#ifndef PS_REASONING_H
#define PS_REASONING_H

#include <stddef.h>

#include "buf.h"

#define REASONING_TAGS_DEFAULT "<think>,</think>"

/* "OPEN,CLOSE" -> two malloc'd strings; -1 (nothing allocated) unless both are
 * non-empty and there is exactly one comma. */
int reasoning_tags_parse(const char *spec, char **open, char **close);
void reasoning_strip(const char *text, size_t len, const char *open, const char *close, struct buf *out);

#endif
