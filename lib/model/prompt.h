/* prompt — prompt templates with {{placeholders}} filled from a record.
 *
 * Contract: prompt_expand replaces each {{name}} in the template, in one pass:
 *   {{fields}}  one "- name: value" line per persona field
 *   {{name}}    record.fields.name if present, else record.name (id, description, ...)
 * Values are inserted literally and never expanded again, so a value containing
 * "{{x}}" stays as it is. Strings go in as they are, numbers as JSON, lists joined
 * with ", ", null as nothing, objects as compact JSON. A placeholder with no value is
 * an error naming it. File paths found in records are never opened.
 * Ownership: the record is borrowed; text is appended to the caller's buffers.
 * Never ends the process (except out of memory).
 */
#ifndef PS_PROMPT_H
#define PS_PROMPT_H

#include <jv.h>

#include "buf.h"

/* Read a template file (a name without a slash is looked up in share/prompts/).
 * NULL after an error message. The caller frees the result. */
char *prompt_load(const char *name);
/* 0, or -1 with the reason in err. */
int prompt_expand(const char *tmpl, jv record, struct buf *out, struct buf *err);
/* Append the text form of a JSON value (as used for placeholders). */
void prompt_value_text(jv value, struct buf *out);

#endif
