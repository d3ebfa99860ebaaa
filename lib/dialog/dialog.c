#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "craft.h"
#include "describe.h"
#include "dialog.h"
#include "jvutil.h"
#include "msg.h"
#include "prompt.h"
#include "record.h"
#include "stopjudge.h"

struct conversation {
	const struct dialog_config *cfg;
	jv persona; /* the persona record */
	jv fields;
	uint64_t index;
	char *id;
	jv client_system;
	struct ecp_view view[2]; /* the history as each agent sees it, kept as JSON text */
	jv turns;
	size_t nturns;
	long turns_of[2]; /* per agent: 0 client, 1 responder */
	int speaking_done; /* the dialogue has stopped */
	jv stop;
	struct probe_answer *probes; /* answers so far, in the order they came */
	size_t nprobes, probes_cap;
	int pending; /* model calls not yet answered */
	long judge_tries;
	int failed, rate_limited;
	jv error;
	struct llm_usage usage[3]; /* client, responder, aux (judge and probes) */
	dialog_done_fn done;
	void *ctx;
};

struct probe_call {
	struct conversation *c;
	size_t after;
	int position; /* in the probe set */
	char *name;
};

/* Answers come in any order (calls run side by side); the record lists them by turn,
 * then by their place in the probe set, so it does not depend on timing. */
struct probe_answer {
	size_t after;
	int position;
	jv answer;
};

static int probe_order(const void *a, const void *b)
{
	const struct probe_answer *x = a, *y = b;
	if (x->after != y->after)
		return x->after < y->after ? -1 : 1;
	return (x->position > y->position) - (x->position < y->position);
}

static jv probes_json(struct conversation *c)
{
	qsort(c->probes, c->nprobes, sizeof *c->probes, probe_order);
	jv all = jv_array();
	for (size_t i = 0; i < c->nprobes; i++)
		all = jv_array_append(all, c->probes[i].answer);
	free(c->probes);
	c->probes = NULL;
	c->nprobes = 0;
	return all;
}

static const char *const speaker_names[2] = { "client", "responder" };

static void next_step(struct conversation *c);

static jv role_info(const char *model, double temperature, const char *role)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("model"), jv_string(model));
	if (temperature >= 0)
		o = jv_object_set(o, jv_string("temperature"), jv_number(temperature));
	if (role)
		o = jv_object_set(o, jv_string("role"), jv_string(role));
	return o;
}

/* The one place a conversation ends: every callback calls it last, and nothing else
 * does, so a conversation is freed exactly once. */
static void finish_if_done(struct conversation *c)
{
	if (!c->speaking_done || c->pending)
		return;
	const struct dialog_config *cfg = c->cfg;
	jv r = jv_object();
	r = jv_object_set(r, jv_string("id"), jv_string(c->id));
	r = jv_object_set(r, jv_string("persona_id"), jv_string(record_id(c->persona)));
	r = jv_object_set(r, jv_string("index"), jv_number((double)c->index));
	jv schema = jvu_get_borrow(c->persona, "schema");
	if (jv_get_kind(schema) == JV_KIND_STRING)
		r = jv_object_set(r, jv_string("schema"), schema);
	else
		jv_free(schema);
	r = jv_object_set(r, jv_string("persona"), jv_copy(c->fields));
	r = jv_object_set(r, jv_string("description"), jvu_get_borrow(c->persona, "description"));
	r = jv_object_set(r, jv_string("context"), jv_string(cfg->context == CONTEXT_ECP ? "ecp" : "concat"));
	r = jv_object_set(r, jv_string("opener"), jv_string(cfg->responder_opens ? "responder" : "client"));
	r = jv_object_set(r, jv_string("client"),
			  role_info(llm_client_model(cfg->client), cfg->client_temperature, NULL));
	r = jv_object_set(r, jv_string("responder"),
			  role_info(llm_client_model(cfg->responder), cfg->responder_temperature, cfg->responder_role));
	r = jv_object_set(r, jv_string("turns"), c->turns);
	r = jv_object_set(r, jv_string("stop"), c->stop);
	if (jv_get_kind(cfg->probes) == JV_KIND_ARRAY)
		r = jv_object_set(r, jv_string("probes"), probes_json(c));
	jv usage = jv_object();
	usage = jv_object_set(usage, jv_string("client"), llm_usage_json(&c->usage[0]));
	usage = jv_object_set(usage, jv_string("responder"), llm_usage_json(&c->usage[1]));
	usage = jv_object_set(usage, jv_string("aux"), llm_usage_json(&c->usage[2]));
	r = jv_object_set(r, jv_string("usage"), usage);
	r = jv_object_set(r, jv_string("status"), jv_string(c->failed ? "failed" : "ok"));
	if (c->failed)
		r = jv_object_set(r, jv_string("error"), c->error);
	else
		jv_free(c->error);
	c->done(c->ctx, r, c->rate_limited);
	jv_free(c->persona);
	jv_free(c->fields);
	free(c->id);
	jv_free(c->client_system);
	ecp_view_free(&c->view[0]);
	ecp_view_free(&c->view[1]);
	free(c);
}

jv dialog_stop_json(const char *reason, const char *by, size_t after)
{
	jv stop = jv_object();
	stop = jv_object_set(stop, jv_string("reason"), jv_string(reason));
	stop = jv_object_set(stop, jv_string("by"), jv_string(by));
	return jv_object_set(stop, jv_string("after"), jv_number((double)after));
}

jv dialog_error_json(const struct llm_result *r)
{
	jv error = jv_object();
	error = jv_object_set(error, jv_string("kind"), jv_string(r->error_kind));
	error = jv_object_set(error, jv_string("message"), jv_string(r->error_message));
	error = jv_object_set(error, jv_string("attempts"), jv_number(r->attempts));
	if (r->finish_reason)
		error = jv_object_set(error, jv_string("finish_reason"), jv_string(r->finish_reason));
	return error;
}

static void stop_now(struct conversation *c, const char *reason, const char *by)
{
	jv_free(c->stop);
	c->stop = dialog_stop_json(reason, by, c->nturns);
	c->speaking_done = 1;
}

static void fail(struct conversation *c, const struct llm_result *r)
{
	c->failed = 1;
	c->rate_limited = r->rate_limited;
	jv_free(c->error);
	c->error = dialog_error_json(r);
	stop_now(c, "error", "error");
}

/* ---------- probes ---------- */

static void on_probe(void *ctx, const struct llm_result *r)
{
	struct probe_call *p = ctx;
	struct conversation *c = p->c;
	llm_usage_add(&c->usage[2], r);
	jv answer = jv_object();
	answer = jv_object_set(answer, jv_string("after"), jv_number((double)p->after));
	answer = jv_object_set(answer, jv_string("name"), jv_string(p->name));
	if (r->ok) {
		struct buf text = BUF_INIT;
		craft_trim(r->content, &text);
		answer = jv_object_set(answer, jv_string("answer"), jv_string(text.data ? text.data : ""));
		if (r->truncated)
			answer = jv_object_set(answer, jv_string("truncated"), jv_true());
		buf_free(&text);
	} else {
		answer = jv_object_set(answer, jv_string("error"),
				       jv_string_fmt("%s: %s", r->error_kind, r->error_message));
	}
	if (c->nprobes == c->probes_cap) {
		c->probes_cap = c->probes_cap ? 2 * c->probes_cap : 8;
		c->probes = xrealloc(c->probes, c->probes_cap * sizeof *c->probes);
	}
	c->probes[c->nprobes++] = (struct probe_answer){ p->after, p->position, answer };
	free(p->name);
	free(p);
	c->pending--;
	finish_if_done(c);
}

static void ask_probes(struct conversation *c)
{
	const struct dialog_config *cfg = c->cfg;
	if (jv_get_kind(cfg->probes) != JV_KIND_ARRAY)
		return;
	int n = jv_array_length(jv_copy(cfg->probes));
	for (int i = 0; i < n; i++) {
		jv probe = jv_array_get(jv_copy(cfg->probes), i);
		jv name = jvu_get_borrow(probe, "name"), question = jvu_get_borrow(probe, "question");
		if (jv_get_kind(name) == JV_KIND_STRING && jv_get_kind(question) == JV_KIND_STRING) {
			/* The client's own view of the dialogue so far, with the question after it;
			 * at turn 0 that is its system prompt alone: the baseline answer. */
			struct buf messages = BUF_INIT;
			ecp_view_request(&c->view[0], question, &messages);
			struct probe_call *p = xcalloc(1, sizeof *p);
			p->c = c;
			p->after = c->nturns;
			p->position = i;
			p->name = xstrdup(jv_string_value(name));
			struct llm_hint hint = { OFFLINE_PROBE, c->fields };
			c->pending++;
			llm_chat_text(cfg->client, messages.data, messages.len, &hint, c->index, on_probe, p);
			buf_free(&messages);
		}
		jv_free(name);
		jv_free(question);
		jv_free(probe);
	}
}

/* ---------- the stop judge ---------- */

static void ask_judge(struct conversation *c);

static void on_judge(void *ctx, const struct llm_result *r)
{
	struct conversation *c = ctx;
	c->pending--;
	llm_usage_add(&c->usage[2], r);
	if (!r->ok) {
		fail(c, r);
		finish_if_done(c);
		return;
	}
	struct buf reason = BUF_INIT;
	int ended = stopjudge_verdict(r->content, &reason);
	if (ended < 0 && ++c->judge_tries < c->cfg->judge_tries) {
		buf_free(&reason);
		ask_judge(c);
		return;
	}
	if (ended == 1) {
		stop_now(c, "judge", "judge");
		c->stop = jv_object_set(c->stop, jv_string("explain"), jv_string(reason.data ? reason.data : ""));
	}
	buf_free(&reason);
	if (ended != 1)
		next_step(c); /* not ended, or no usable verdict: the dialogue goes on */
	finish_if_done(c);
}

static void ask_judge(struct conversation *c)
{
	const struct dialog_config *cfg = c->cfg;
	jv messages = stopjudge_messages(cfg->judge_prompt, c->turns, c->nturns, (size_t)cfg->stop_window);
	struct llm_hint hint = { OFFLINE_JUDGE, jv_null() };
	c->pending++;
	llm_chat(cfg->judge, messages, &hint, c->index * 1000 + (uint64_t)c->judge_tries, on_judge, c);
}

/* ---------- turns ---------- */

static void on_turn(void *ctx, const struct llm_result *r);

static int whose_turn(const struct conversation *c)
{
	return (int)((c->nturns + (size_t)c->cfg->responder_opens) % 2);
}

static void ask_turn(struct conversation *c)
{
	const struct dialog_config *cfg = c->cfg;
	int who = whose_turn(c);
	struct buf messages = BUF_INIT;
	ecp_view_request(&c->view[who], jv_invalid(), &messages);
	struct llm_hint hint = { who == 0 ? OFFLINE_CLIENT : OFFLINE_RESPONDER, who == 0 ? c->fields : jv_null() };
	c->pending++;
	/* The conversation index is the sample index: the K conversations of one persona
	 * are K samples, never one cached answer repeated. */
	llm_chat_text(who == 0 ? cfg->client : cfg->responder, messages.data, messages.len, &hint, c->index, on_turn,
		      c);
	buf_free(&messages);
}

/* After a complete exchange: stop rules, limits, probes; then the next turn or the judge. */
static void after_exchange(struct conversation *c)
{
	const struct dialog_config *cfg = c->cfg;
	/* Probes first: the last exchange before a stop is measured too. */
	size_t exchanges = c->nturns / 2;
	if (cfg->probe_every > 0 && exchanges % (size_t)cfg->probe_every == 0)
		ask_probes(c);
	if (cfg->stop == STOP_RULES || cfg->stop == STOP_HYBRID) {
		struct stop_decision d;
		if (stoprules_find(cfg->rules, c->turns, (size_t)cfg->min_turns, &d)) {
			if (c->nturns > d.keep) {
				c->turns = jv_array_slice(c->turns, 0, (int)d.keep);
				c->nturns = d.keep;
			}
			stop_now(c, d.reason, "rules");
			return;
		}
	}
	/* The judge reads the last exchange too, as the rules do: a conversation that ends
	 * at the turn limit with a goodbye has ended, not merely stopped (next_step applies
	 * the limit after a "not ended"). Hybrid: the rules decided the clear cases above;
	 * the judge reads only where they see a possible ending in this exchange, or every
	 * judge_every exchanges. */
	if ((cfg->stop == STOP_JUDGE && c->nturns >= (size_t)cfg->min_turns) ||
	    (cfg->stop == STOP_HYBRID &&
	     stopjudge_due(cfg->rules, c->turns, c->nturns, (size_t)cfg->min_turns, cfg->judge_every))) {
		c->judge_tries = 0;
		ask_judge(c);
		return;
	}
	if (c->turns_of[0] >= cfg->max_turns && c->turns_of[1] >= cfg->max_turns) {
		stop_now(c, "max_turns", "limit");
		return;
	}
	next_step(c);
}

static void on_turn(void *ctx, const struct llm_result *r)
{
	struct conversation *c = ctx;
	c->pending--;
	int who = whose_turn(c);
	llm_usage_add(&c->usage[who], r);
	if (!r->ok) {
		fail(c, r);
		finish_if_done(c);
		return;
	}
	struct buf text = BUF_INIT;
	craft_trim(r->content, &text);
	if (text.len == 0) {
		/* Only quotes around nothing: as empty as an empty answer. */
		struct llm_result empty = *r;
		empty.ok = 0;
		empty.error_kind = "empty";
		empty.error_message = "the answer is empty once trimmed of quotes";
		fail(c, &empty);
		buf_free(&text);
		finish_if_done(c);
		return;
	}
	jv turn = jv_object();
	turn = jv_object_set(turn, jv_string("speaker"), jv_string(speaker_names[who]));
	jv said = jv_string(text.data);
	turn = jv_object_set(turn, jv_string("text"), jv_copy(said));
	if (r->truncated)
		turn = jv_object_set(turn, jv_string("truncated"), jv_true());
	ecp_view_add(&c->view[0], c->cfg->context, "client", speaker_names[who], said);
	ecp_view_add(&c->view[1], c->cfg->context, "responder", speaker_names[who], said);
	jv_free(said);
	buf_free(&text);
	c->turns = jv_array_append(c->turns, turn);
	c->nturns++;
	c->turns_of[who]++;
	if (c->nturns % 2 == 0)
		after_exchange(c);
	else
		next_step(c);
	finish_if_done(c);
}

static void next_step(struct conversation *c)
{
	if (c->speaking_done)
		return;
	int who = whose_turn(c);
	if (c->turns_of[who] >= c->cfg->max_turns) {
		stop_now(c, "max_turns", "limit");
		return;
	}
	ask_turn(c);
}

uint64_t dialog_truncated_turns(jv turns)
{
	uint64_t n = 0;
	int len = jv_get_kind(turns) == JV_KIND_ARRAY ? jv_array_length(jv_copy(turns)) : 0;
	for (int i = 0; i < len; i++) {
		jv turn = jv_array_get(jv_copy(turns), i);
		n += jvu_kind_borrow(turn, "truncated") == JV_KIND_TRUE;
		jv_free(turn);
	}
	return n;
}

void dialog_start(const struct dialog_config *cfg, jv persona, uint64_t index, dialog_done_fn done, void *ctx)
{
	struct conversation *c = xcalloc(1, sizeof *c);
	c->cfg = cfg;
	c->persona = jv_copy(persona);
	c->fields = jvu_get_borrow(persona, "fields");
	c->index = index;
	struct buf id = BUF_INIT;
	buf_addf(&id, "%s/%llu", record_id(persona), (unsigned long long)index);
	c->id = id.data;
	c->turns = jv_array();
	c->stop = jv_null();
	c->error = jv_null();
	c->done = done;
	c->ctx = ctx;

	/* The client's system prompt: the description and the style sentences, inserted
	 * literally into the template. */
	struct buf style = BUF_INIT, system = BUF_INIT, err = BUF_INIT;
	describe_style(c->fields, record_id(persona), cfg->seed, &style);
	jv context = jv_copy(persona);
	context = jvu_set(context, "style", jv_string(style.data ? style.data : ""));
	prompt_expand(cfg->client_prompt, context, &system, &err);
	jv_free(context);
	c->client_system = jv_string(system.data ? system.data : "");
	jv responder_system = jv_string(cfg->responder_prompt);
	ecp_view_init(&c->view[0], c->client_system, llm_client_placement(cfg->client));
	ecp_view_init(&c->view[1], responder_system, llm_client_placement(cfg->responder));
	jv_free(responder_system);
	buf_free(&system);
	buf_free(&style);
	buf_free(&err);

	ask_probes(c);
	next_step(c);
	finish_if_done(c);
}
