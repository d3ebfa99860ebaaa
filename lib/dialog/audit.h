/* audit — an LLM judge's audit of one conversation for role failures (score --judge).
 *
 * audit_messages fills the prompt (share/prompts/judge-audit.txt) with {{description}}
 * and {{transcript}}: every turn as "N. speaker: text", numbered from 0 like the turn
 * indices in records. The model answers {"role_failure": true|false, "category":
 * "none"|"echoing"|"role_reversal"|"persona_drift"|"other", "turn": N|null, "reason":
 * "..."}; audit_parse returns 1 with that object normalised (a missing category or
 * turn becomes null), or -1 when there is no boolean role_failure (never a pass).
 * Ownership: the record is borrowed; both functions return new jv values.
 * Never ends the process itself (except out of memory); the model calls it makes can,
 * where llm.h says so (libcurl that cannot start).
 */
#ifndef PS_AUDIT_H
#define PS_AUDIT_H

#include <jv.h>

jv audit_messages(const char *tmpl, jv record);
int audit_parse(const char *answer, jv *result);

#endif
