/* convtext — the texts of a conversation record that tools measure.
 *
 * conversation_text appends the text named by which:
 *   "description"     the persona description (top-level "description")
 *   "client_text"     every client turn, joined with "\n"; in a group conversation (a
 *                     record with "participants") every participant turn, the
 *                     simulated people's side
 *   "participant_text" every turn but the moderator's, joined with "\n"
 *   "client_utterances" every client turn, joined with the byte 0x1e (a 0x1e inside a
 *                     turn becomes a space), so measures can keep n-grams within a turn
 *   "responder_text"  every responder turn, joined with "\n"
 *   "turns"           every turn, joined with "\n" (see conversation_turn for one turn)
 * Missing or malformed members give an empty text, never a crash.
 * Ownership: the record is borrowed; text is appended to the caller's buffer.
 * Never ends the process (except out of memory).
 */
#ifndef PS_CONVTEXT_H
#define PS_CONVTEXT_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"

/* 0, or -1 when which is not one of the names above. */
int conversation_text(jv record, const char *which, struct buf *out);
size_t conversation_turns(jv record);
/* Is a turn by speaker on the client side: "client", or in a group record any
 * participant (every speaker but "moderator")? */
int conversation_client_side(jv record, const char *speaker);
/* Every turn as a numbered line "N. SPEAKER: text\n" (N from 0, as turn indices in
 * records; SPEAKER the turn's "name" when it has one, as in group conversations, else
 * its speaker, "?" when it has neither) appended to out: the transcript judges read. */
void conversation_transcript(jv record, struct buf *out);
/* Turn i: its speaker ("" if none) and its text appended to out. */
const char *conversation_turn(jv record, size_t i, struct buf *out);

#endif
