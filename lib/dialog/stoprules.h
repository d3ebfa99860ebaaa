/* stoprules — where a conversation has ended (termination detection by rules).
 *
 * Used in-line by dialog-run after every exchange and by dialog-stop over finished or
 * imported conversations: the same code, so both cut at the same place.
 *
 * Contract: stoprules_find scans the turns of one conversation — a jv array of
 * {"speaker":"client"|"responder","text":"..."} — and reports the FIRST point at which
 * the conversation has ended:
 *   reason "closure": a closure turn (thanks / goodbye / "that helps" ...) that asks no
 *     new question and raises no new concern; the conversation ends after that turn, or
 *     after the partner's immediate reply when that reply is itself a farewell (a
 *     farewell exchange is kept whole);
 *   reason "loop": the last k turns repeat earlier turns (near-identical text), the
 *     conversation ends before the repetition started.
 * Turns before min_turns (a count of turns) never end a conversation. The phrase lists
 * and thresholds are data (share/stop/rules.json), never code.
 * Ownership: the rules own their phrase lists; stoprules_find borrows turns; the decision's
 * strings point into the rules or into the decision itself.
 * Never ends the process (except out of memory).
 */
#ifndef PS_STOPPER_H
#define PS_STOPPER_H

#include <stddef.h>
#include <jv.h>

struct stop_rules;

struct stop_decision {
	int ended; /* 1 when an end point was found */
	size_t keep; /* turns to keep: turns[0 .. keep-1] */
	const char *reason; /* "closure" or "loop" */
	const char *rule; /* the rule that fired, e.g. "closure-phrase", "farewell-exchange", "repetition" */
	size_t turn; /* index of the turn that decided it */
	char evidence[256]; /* the phrase or repeated text that matched, for --explain */
};

/* path NULL: the shipped share/stop/rules.json. NULL after an error message. */
struct stop_rules *stoprules_load(const char *path);
void stoprules_free(struct stop_rules *r);
/* Returns d->ended. */
int stoprules_find(const struct stop_rules *r, jv turns, size_t min_turns, struct stop_decision *d);
/* A possible ending the rules do not decide: 1 when a turn of turns[from .. upto-1]
 * (upto beyond the end: to the end) has a closure or farewell phrase at all — asking a
 * question or raising a concern beside it, or too long, as stoprules_find would not
 * accept. --stop hybrid asks the judge there (stopjudge_due). */
int stoprules_cue(const struct stop_rules *r, jv turns, size_t from, size_t upto);
/* Loop suspicion: 1 when a turn of turns[from .. upto-1], at or after the turn where
 * loop detection starts (loop.min_turns, min_turns), repeats an earlier turn of its
 * speaker as the loop rule measures it, whether or not loop.window repeats in a row
 * follow — the start of a loop the rules have not decided yet. 0 with loop.window 0. */
int stoprules_repeats(const struct stop_rules *r, jv turns, size_t from, size_t upto, size_t min_turns);
/* 1 when a turn of turns[from .. upto-1] has one of the rules' question marks: an open
 * question, which no ending has (the judge's prompt says so too). */
int stoprules_asks(const struct stop_rules *r, jv turns, size_t from, size_t upto);

#endif
