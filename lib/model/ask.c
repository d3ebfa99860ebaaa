#include <stdlib.h>

#include "ask.h"
#include "msg.h"

struct ask {
	struct llm_client *client;
	jv messages;
	struct llm_hint hint;
	long answers, max_tries;
	struct llm_tally tally;
	ask_accept_fn accept;
	ask_done_fn done;
	void *ctx;
};

static void on_answer(void *ctx, const struct llm_result *r);

static void send(struct ask *a)
{
	llm_chat(a->client, jv_copy(a->messages), &a->hint, (uint64_t)a->answers, on_answer, a);
}

static void finish(struct ask *a, enum ask_outcome outcome, const struct llm_result *r)
{
	a->done(a->ctx, outcome, r, &a->tally, a->answers);
	jv_free(a->messages);
	free(a);
}

static void on_answer(void *ctx, const struct llm_result *r)
{
	struct ask *a = ctx;
	llm_tally_add(&a->tally, r);
	if (!r->ok) {
		finish(a, ASK_FAILED, r);
		return;
	}
	a->answers++;
	if (a->accept(a->ctx, r->content)) {
		finish(a, ASK_OK, r);
		return;
	}
	if (a->answers < a->max_tries) {
		send(a);
		return;
	}
	finish(a, ASK_UNUSABLE, r);
}

void ask_start(struct llm_client *c, jv messages, const struct llm_hint *hint, long max_tries, ask_accept_fn accept,
	       ask_done_fn done, void *ctx)
{
	struct ask *a = xcalloc(1, sizeof *a);
	a->client = c;
	a->messages = messages;
	a->hint = *hint;
	a->max_tries = max_tries > 0 ? max_tries : 1;
	a->accept = accept;
	a->done = done;
	a->ctx = ctx;
	send(a);
}
