/* ask — one question put to a model until its answer can be used.
 *
 * Contract: ask_start sends the messages to the client as sample 0. Each answer goes
 * to accept(), which parses it and keeps what it needs in its own context; while
 * accept() says the answer cannot be used and fewer than max_tries answers were asked
 * for, the same messages go out again as the next sample (so neither the cache nor the
 * offline stand-in gives the same answer again). done() is called exactly once, from
 * inside the engine, with the outcome: ASK_OK (an answer was accepted), ASK_UNUSABLE
 * (max_tries answers, none usable) or ASK_FAILED (the call failed for good, or was
 * cancelled by an interrupt: the result says why); the tally of usage and HTTP
 * attempts over every answer; and how many answers were asked for. The judges of
 * persona-validate, score and the crafting of descriptions use it, so a verdict that
 * cannot be read is asked again and then reported, never taken as a pass.
 * Ownership: ask_start consumes messages; hint->persona is borrowed and must live
 * until done(). The result given to done() is valid during the call only.
 * Never ends the process (except out of memory).
 */
#ifndef PS_ASK_H
#define PS_ASK_H

#include <jv.h>

#include "llm.h"

enum ask_outcome { ASK_OK, ASK_UNUSABLE, ASK_FAILED };

/* 1: the answer is usable; 0: ask again. */
typedef int (*ask_accept_fn)(void *ctx, const char *answer);
typedef void (*ask_done_fn)(void *ctx, enum ask_outcome outcome, const struct llm_result *last,
			    const struct llm_tally *tally, long answers);

void ask_start(struct llm_client *c, jv messages, const struct llm_hint *hint, long max_tries, ask_accept_fn accept,
	       ask_done_fn done, void *ctx);
/* The same for one user message, prompt (borrowed), as llm_user_prompt(prompt) gives,
 * without making it a jv first (libjq checks every byte of a new string). */
void ask_start_prompt(struct llm_client *c, const char *prompt, const struct llm_hint *hint, long max_tries,
		      ask_accept_fn accept, ask_done_fn done, void *ctx);

#endif
