/* dialog — one Client–Responder conversation as a state machine on the LLM engine.
 *
 * dialog_start begins a conversation for a persona and returns at once; every model
 * reply advances it (the engine's callbacks), so thousands run side by side on one
 * thread. Each step: project the neutral history for the agent whose turn it is (ecp),
 * ask its model, append the turn; after every exchange check termination (stoprules
 * rules, the stop judge, hybrid — the rules, and the judge only where stopjudge_due
 * says: a possible ending the rules see, or every judge_every-th exchange that asks no
 * question — or none) and the
 * --max-turns limit; at the chosen exchanges
 * ask the drift probes to the client in separate calls that never enter the turns.
 * When the dialogue has stopped and every probe has its answer, done() receives the
 * conversation record (its fields: dialog-run(1)). A conversation whose call fails for good is still
 * written: "status":"failed", its turns so far, and the error (with the provider's
 * finish_reason when the model ran out of tokens: kind "truncated", or "empty"). A turn
 * or probe answer the token limit cut short is kept with "truncated": true. Probe
 * answers are listed by turn, then in probe-set order, whatever order they came in.
 * Ownership: dialog_start borrows the persona record (copies what it keeps); the
 * config and everything it points to must outlive all conversations; done() receives
 * the record and owns it.
 * Never ends the process itself (except out of memory); the model calls it makes can,
 * where llm.h says so (libcurl that cannot start).
 */
#ifndef PS_DIALOG_H
#define PS_DIALOG_H

#include <stdint.h>
#include <jv.h>

#include "ecp.h"
#include "llm.h"
#include "stoprules.h"

enum stop_mode { STOP_RULES, STOP_JUDGE, STOP_NONE, STOP_HYBRID };

struct dialog_config {
	struct llm_client *client, *responder, *judge;
	double client_temperature, responder_temperature;
	enum context_mode context;
	const char *client_prompt; /* template with {{description}} and {{style}} */
	const char *responder_prompt; /* the responder's system prompt */
	const char *responder_role; /* written into the record */
	int responder_opens;
	long max_turns; /* per agent */
	enum stop_mode stop;
	const struct stop_rules *rules;
	long min_turns;
	long stop_window;
	const char *judge_prompt;
	long judge_tries;
	long judge_every; /* STOP_HYBRID: the net, every N-th exchange (0: only at cues); see stopjudge_due */
	jv probes; /* [{"name","question"}], or jv_null() */
	long probe_every; /* exchanges between probe rounds; 0: baseline only */
	uint64_t seed;
};

typedef void (*dialog_done_fn)(void *ctx, jv record, int rate_limited);

void dialog_start(const struct dialog_config *cfg, jv persona, uint64_t index, dialog_done_fn done, void *ctx);
/* {"reason","by","after"}: how a conversation of `after` turns stopped. */
jv dialog_stop_json(const char *reason, const char *by, size_t after);
/* {"kind","message","attempts"[,"finish_reason"]}: why a call failed for good. */
jv dialog_error_json(const struct llm_result *r);
/* How many of the turns (borrowed) carry "truncated": true — answers the token limit cut
 * short but that were kept (an answer cut before any text fails the conversation). */
uint64_t dialog_truncated_turns(jv turns);

#endif
