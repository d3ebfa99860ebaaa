/* The model client's own checks, on the offline provider (no network): with
 * PERSONA_CHECK_REQUESTS set, a request that breaks the chat-template shape fails its
 * call instead of being sent; llm_chat shapes what it is given. */
#include <stdlib.h>
#include <string.h>

#include "llm.h"
#include "msg.h"
#include "unit.h"

struct outcome {
	int done, ok;
	char kind[64], message[256];
};

static void on_done(void *ctx, const struct llm_result *r)
{
	struct outcome *o = ctx;
	o->done = 1;
	o->ok = r->ok;
	snprintf(o->kind, sizeof o->kind, "%s", r->ok ? "" : r->error_kind);
	snprintf(o->message, sizeof o->message, "%s", r->ok ? r->content : r->error_message);
}

static struct outcome send_text(struct llm_engine *e, struct llm_client *c, const char *messages)
{
	struct outcome o = { 0, 0, "", "" };
	llm_chat_text(c, messages, strlen(messages), NULL, 0, on_done, &o);
	while (llm_engine_step(e, 10) > 0)
		;
	return o;
}

int main(void)
{
	msg_set_program("test-llm");
	setenv("PERSONA_CHECK_REQUESTS", "1", 1);
	struct llm_engine *e = llm_engine_new(1, 0);
	struct llm_config cfg, first_user_cfg;
	llm_config_init(&cfg);
	cfg.provider = "offline";
	llm_config_resolve(&cfg, NULL);
	first_user_cfg = cfg;
	first_user_cfg.system_message = "first-user";
	struct llm_client *c = llm_client_new(e, &cfg, "plain");
	struct llm_client *f = llm_client_new(e, &first_user_cfg, "first-user");

	struct outcome o =
		send_text(e, c, "[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"hi\"}]");
	CHECK(o.done && o.ok, "a request in the shape is answered");
	o = send_text(e, c, "[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"user\",\"content\":\"b\"}]");
	CHECK(o.done && !o.ok && strcmp(o.kind, "request_shape") == 0 &&
		      strcmp(o.message, "Conversation roles must alternate user/assistant/user/assistant/...") == 0,
	      "two user messages in a row fail the call as request_shape (%s: %s)", o.kind, o.message);
	o = send_text(e, c, "[{\"role\":\"user\",\"content\":\"a\"},{\"role\":\"assistant\",\"content\":\"b\"}]");
	CHECK(!o.ok && strcmp(o.message, "the last message is not the user's") == 0,
	      "a request ending with the assistant fails the call");
	o = send_text(e, f, "[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"hi\"}]");
	CHECK(!o.ok && strcmp(o.message, "System role not supported") == 0,
	      "a system message from a first-user client fails the call");
	CHECK(llm_client_placement(f) == SYSTEM_FIRST_USER && llm_client_placement(c) == SYSTEM_MESSAGE,
	      "--system-message sets the client's placement");

	struct outcome shaped = { 0, 0, "", "" };
	jv messages = jv_parse("[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"assistant\",\"content\":\"a\"},"
			       "{\"role\":\"user\",\"content\":\"u1\"},{\"role\":\"user\",\"content\":\"u2\"}]");
	llm_chat(f, messages, NULL, 0, on_done, &shaped);
	while (llm_engine_step(e, 10) > 0)
		;
	CHECK(shaped.done && shaped.ok,
	      "llm_chat shapes what it is given (kick-off, merge, system into the first user message)");
	const struct llm_usage *u = llm_client_usage(c);
	CHECK(u->requests == 3 && u->failures == 2, "failed checks count as failed calls (%llu requests, %llu failed)",
	      (unsigned long long)u->requests, (unsigned long long)u->failures);
	llm_engine_free(e);
	return UNIT_DONE();
}
