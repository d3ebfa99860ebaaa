#include <stdlib.h>
#include <string.h>

#include "ask.h"
#include "buf.h"
#include "chatshape.h"
#include "msg.h"

struct ask {
	struct llm_client *client;
	struct buf messages; /* serialized once, sent again as it is */
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
	llm_chat_text(a->client, a->messages.data, a->messages.len, &a->hint, (uint64_t)a->answers, on_answer, a);
}

static void finish(struct ask *a, enum ask_outcome outcome, const struct llm_result *r)
{
	a->done(a->ctx, outcome, r, &a->tally, a->answers);
	buf_free(&a->messages);
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

static struct ask *new_ask(struct llm_client *c, const struct llm_hint *hint, long max_tries, ask_accept_fn accept,
			   ask_done_fn done, void *ctx)
{
	struct ask *a = xcalloc(1, sizeof *a);
	a->client = c;
	a->hint = *hint;
	a->max_tries = max_tries > 0 ? max_tries : 1;
	a->accept = accept;
	a->done = done;
	a->ctx = ctx;
	return a;
}

void ask_start(struct llm_client *c, jv messages, const struct llm_hint *hint, long max_tries, ask_accept_fn accept,
	       ask_done_fn done, void *ctx)
{
	struct ask *a = new_ask(c, hint, max_tries, accept, done, ctx);
	/* What llm_chat sends for these messages. */
	chat_write_messages(messages, llm_client_placement(c), NULL, &a->messages);
	jv_free(messages);
	send(a);
}

void ask_start_prompt(struct llm_client *c, const char *prompt, const struct llm_hint *hint, long max_tries,
		      ask_accept_fn accept, ask_done_fn done, void *ctx)
{
	struct ask *a = new_ask(c, hint, max_tries, accept, done, ctx);
	struct chat_writer w;
	chat_writer_begin(&w, &a->messages, jv_invalid(), llm_client_placement(c));
	chat_writer_add(&w, CHAT_USER, prompt ? prompt : "", prompt ? strlen(prompt) : 0);
	chat_writer_end(&w, NULL);
	send(a);
}
