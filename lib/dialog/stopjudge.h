/* stopjudge — asking a model whether a conversation has ended (--stop judge).
 *
 * Used by dialog-run after each exchange and by dialog-stop --judge, so both ask the
 * same question in the same words. The prompt (share/prompts/judge-stop.txt) gets
 * {{transcript}}: the last `window` turns before `upto`, one "speaker: text" line each,
 * and {{turns}}: how many turns the conversation has so far. The model answers
 * {"verdict": true|false, "reason": "..."}; true means it has ended.
 * Ownership: turns is borrowed; stopjudge_messages returns a new jv array.
 * Never ends the process itself (except out of memory); the model calls it makes can,
 * where llm.h says so (libcurl that cannot start).
 */
#ifndef PS_STOPJUDGE_H
#define PS_STOPJUDGE_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"

/* The chat messages for the judge; upto is the number of turns considered. */
jv stopjudge_messages(const char *tmpl, jv turns, size_t upto, size_t window);
/* 1 ended, 0 not ended, -1 unparseable (never read as ended); the reason is appended. */
int stopjudge_verdict(const char *answer, struct buf *reason);

#endif
