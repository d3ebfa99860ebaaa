/* offline — the built-in stand-in for a language model (provider "offline").
 *
 * It is NOT a language model and nothing about model behaviour may be concluded from
 * its output. It exists so that every pipeline runs with no network, no key and no
 * cost (demos, tests, dry runs), while producing text of plausible shape and length
 * that depends on the persona and the conversation, so downstream tools have
 * something realistic to chew on.
 *
 * Contract: offline_generate is a pure function of the request: the same request
 * gives the same text. Tasks:
 *   OFFLINE_CRAFT      a second-person persona description from req->persona
 *   OFFLINE_CLIENT     the simulated person's next turn in req->messages (projected
 *                      so the persona's own turns are "assistant"); after a few
 *                      exchanges it comes to a close (thanks, goodbye)
 *   OFFLINE_RESPONDER  the responder's next turn (peer, counsellor, tutor, support)
 *   OFFLINE_PROBE      a short first-person answer to the probe question in the last
 *                      user message, shaped by the persona
 *   OFFLINE_JUDGE      a JSON verdict {"verdict": bool, "reason": "..."} for the
 *                      judge prompt in req->messages (plausibility or stop judge)
 *   OFFLINE_AUDIT      a JSON role-failure audit {"role_failure": bool, "category",
 *                      "turn", "reason"} of the numbered transcript ("N. client: text"
 *                      lines) in the last user message: a phrase check, not a judgement
 *   OFFLINE_PARTICIPANT, OFFLINE_MODERATOR, OFFLINE_SELECTOR
 *                      a group conversation's participant turn, moderator turn and
 *                      next-speaker choice (offline_group.h)
 *   OFFLINE_EXTRACT    one JSON object answering every property of the schema after
 *                      "SCHEMA:" in the last user message about the transcript before
 *                      it; a stand-in that answers from a word list, not a reading of
 *                      the conversation (offline_extract.h); "{}" without a schema
 *   OFFLINE_GENERIC    any other chat request: a short reply to the last message
 * Ownership: every jv in the request is borrowed; the returned string is malloc'd and
 * owned by the caller (free it).
 * Never ends the process (except out of memory).
 */
#ifndef PS_OFFLINE_H
#define PS_OFFLINE_H

#include <stdint.h>
#include <jv.h>

enum offline_task {
	OFFLINE_GENERIC,
	OFFLINE_CRAFT,
	OFFLINE_CLIENT,
	OFFLINE_RESPONDER,
	OFFLINE_PROBE,
	OFFLINE_JUDGE,
	OFFLINE_AUDIT,
	OFFLINE_PARTICIPANT,
	OFFLINE_MODERATOR,
	OFFLINE_SELECTOR,
	OFFLINE_EXTRACT
};

struct offline_request {
	enum offline_task task;
	jv persona; /* the persona's "fields" object, or jv_null() */
	jv messages; /* the chat messages as sent: [{"role","content"}, ...] */
	uint64_t seed; /* the run's --seed */
	uint64_t sample; /* sample index: retries of the same request differ */
};

char *offline_generate(const struct offline_request *req);

#endif
