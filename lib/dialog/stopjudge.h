/* stopjudge — asking a model whether a conversation has ended (--stop judge), and
 * where to ask it when the rules decide first (--stop hybrid).
 *
 * Used by dialog-run after each exchange and by dialog-stop at each point, so both ask
 * the same question in the same words, at the same places. The prompt (share/prompts/judge-stop.txt) gets
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
#include "stoprules.h"

/* The chat messages for the judge; upto is the number of turns considered. */
jv stopjudge_messages(const char *tmpl, jv turns, size_t upto, size_t window);
/* 1 ended, 0 not ended, -1 unparseable (never read as ended); the reason is appended. */
int stopjudge_verdict(const char *answer, struct buf *reason);
/* --stop hybrid, at a point the rules have not ended: whether the judge reads the
 * conversation after its first `upto` turns. Never before min_turns; then 1 where the
 * rules see a possible ending in the last exchange (the turns from the last even index
 * below upto: upto-2, or upto-1 for a lone last turn) — a closure or farewell phrase
 * (stoprules_cue) or a turn repeating an earlier one of its speaker, a loop the rules
 * have not decided yet (stoprules_repeats) — or at the
 * end of every judge_every-th exchange (upto even, upto/2 a multiple; 0: never) unless
 * a turn of that exchange asks a question (stoprules_asks). */
int stopjudge_due(const struct stop_rules *rules, jv turns, size_t upto, size_t min_turns, long judge_every);

#endif
