/* groupdialog — group conversations of N personas (see groupdialog.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "craft.h"
#include "describe.h"
#include "groupdialog.h"
#include "groupview.h"
#include "jvutil.h"
#include "msg.h"
#include "names.h"
#include "prompt.h"
#include "record.h"
#include "rng.h"

const char *const group_policy_names[5] = { "round-robin", "random", "addressed", "moderator", "select" };

#define MODERATOR_ID "moderator"
#define MODERATOR_NAME "Moderator"

enum usage_slot { USE_PARTICIPANTS, USE_MODERATOR, USE_AUX };

struct participant {
	const char *id; /* inside the group record */
	char *name;
	jv fields;
	jv system;
	int spoke; /* in this round */
};

struct group_conv {
	const struct group_config *cfg;
	jv group;
	char *id;
	uint64_t index;
	struct participant *p;
	size_t n;
	jv moderator_system;
	jv turns;
	size_t nturns;
	long round; /* the round being spoken, from 1; 0 before the first */
	size_t spoken; /* participant turns in this round */
	size_t *order; /* this round's order (round-robin, random) */
	int last; /* the last speaker (participant index), -1 for none or the moderator */
	size_t guide_pos, guide_len;
	int closing; /* the moderator's closing turn is being asked */
	int speaking_done, pending, failed, rate_limited;
	jv stop, error, probes;
	struct llm_usage usage[3];
	dialog_done_fn done;
	void *ctx;
};

int group_is_group(jv record)
{
	return jvu_kind_borrow(record, "participants") == JV_KIND_ARRAY;
}

const char *group_invalid(jv record)
{
	if (jvu_kind_borrow(record, "id") != JV_KIND_STRING)
		return "group record has no string \"id\"";
	jv all = jvu_get_borrow(record, "participants");
	int n = jv_array_length(jv_copy(all));
	const char *why = n < 2 ? "a group needs at least 2 participants" : NULL;
	for (int i = 0; i < n && !why; i++) {
		jv p = jv_array_get(jv_copy(all), i);
		if (jv_get_kind(p) != JV_KIND_OBJECT || jvu_kind_borrow(p, "id") != JV_KIND_STRING)
			why = "a participant has no string \"id\"";
		else if (jvu_kind_borrow(p, "description") != JV_KIND_STRING)
			why = "a participant has no \"description\" (run persona-craft first)";
		else if (jvu_kind_borrow(p, "fields") != JV_KIND_OBJECT)
			why = "a participant has no \"fields\" object";
		jv_free(p);
	}
	jv_free(all);
	return why;
}

static void next_step(struct group_conv *g);

/* ---------- the record ---------- */

static jv role_info(const char *model, double temperature)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("model"), jv_string(model));
	if (temperature >= 0)
		o = jv_object_set(o, jv_string("temperature"), jv_number(temperature));
	return o;
}

/* The one place a group conversation ends (as finish_if_done in dialog.c). */
static void finish_if_done(struct group_conv *g)
{
	if (!g->speaking_done || g->pending)
		return;
	const struct dialog_config *base = g->cfg->base;
	jv r = jv_object();
	r = jv_object_set(r, jv_string("id"), jv_string(g->id));
	r = jv_object_set(r, jv_string("group_id"), jv_string(record_id(g->group)));
	r = jv_object_set(r, jv_string("index"), jv_number((double)g->index));
	jv topic = jvu_get_borrow(g->group, "topic");
	r = jv_object_set(r, jv_string("topic"), jv_get_kind(topic) == JV_KIND_STRING ? topic : jv_null());
	jv people = jv_array();
	for (size_t i = 0; i < g->n; i++) {
		jv person = jv_array_get(jvu_get_borrow(g->group, "participants"), (int)i);
		jv o = jv_object();
		o = jv_object_set(o, jv_string("id"), jv_string(g->p[i].id));
		o = jv_object_set(o, jv_string("name"), jv_string(g->p[i].name));
		o = jv_object_set(o, jv_string("description"), jvu_get_borrow(person, "description"));
		o = jv_object_set(o, jv_string("persona"), jv_copy(g->p[i].fields));
		people = jv_array_append(people, o);
		jv_free(person);
	}
	r = jv_object_set(r, jv_string("participants"), people);
	r = jv_object_set(r, jv_string("context"), jv_string(base->context == CONTEXT_ECP ? "ecp" : "concat"));
	r = jv_object_set(r, jv_string("turn_policy"), jv_string(group_policy_names[g->cfg->policy]));
	r = jv_object_set(r, jv_string("participant"),
			  role_info(llm_client_model(base->client), base->client_temperature));
	if (g->cfg->policy == GROUP_MODERATOR || g->cfg->policy == GROUP_SELECT)
		r = jv_object_set(r, jv_string(g->cfg->policy == GROUP_MODERATOR ? "moderator" : "selector"),
				  role_info(llm_client_model(base->responder), base->responder_temperature));
	r = jv_object_set(r, jv_string("turns"), g->turns);
	r = jv_object_set(r, jv_string("stop"), g->stop);
	if (jv_get_kind(base->probes) == JV_KIND_ARRAY)
		r = jv_object_set(r, jv_string("probes"), g->probes);
	else
		jv_free(g->probes);
	jv usage = jv_object();
	usage = jv_object_set(usage, jv_string("participants"), llm_usage_json(&g->usage[USE_PARTICIPANTS]));
	usage = jv_object_set(usage, jv_string("moderator"), llm_usage_json(&g->usage[USE_MODERATOR]));
	usage = jv_object_set(usage, jv_string("aux"), llm_usage_json(&g->usage[USE_AUX]));
	r = jv_object_set(r, jv_string("usage"), usage);
	r = jv_object_set(r, jv_string("status"), jv_string(g->failed ? "failed" : "ok"));
	if (g->failed)
		r = jv_object_set(r, jv_string("error"), g->error);
	else
		jv_free(g->error);
	g->done(g->ctx, r, g->rate_limited);
	for (size_t i = 0; i < g->n; i++) {
		free(g->p[i].name);
		jv_free(g->p[i].fields);
		jv_free(g->p[i].system);
	}
	free(g->p);
	free(g->order);
	jv_free(g->moderator_system);
	jv_free(g->group);
	free(g->id);
	free(g);
}

static void stop_now(struct group_conv *g, const char *reason, const char *by)
{
	jv_free(g->stop);
	g->stop = jv_object_set(dialog_stop_json(reason, by, g->nturns), jv_string("rounds"),
				jv_number((double)g->round));
	g->speaking_done = 1;
}

static void fail(struct group_conv *g, const struct llm_result *r)
{
	g->failed = 1;
	g->rate_limited = r->rate_limited;
	jv_free(g->error);
	g->error = dialog_error_json(r);
	stop_now(g, "error", "error");
}

/* The answer trimmed of quotes, or -1 after failing the conversation (empty). */
static int usable_text(struct group_conv *g, const struct llm_result *r, struct buf *text)
{
	craft_trim(r->content, text);
	if (text->len)
		return 0;
	struct llm_result empty = *r;
	empty.ok = 0;
	empty.error_kind = "empty";
	empty.error_message = "the answer is empty once trimmed of quotes";
	fail(g, &empty);
	return -1;
}

static void add_turn(struct group_conv *g, const char *speaker, const char *name, const char *text, int truncated)
{
	jv turn = jv_object();
	turn = jv_object_set(turn, jv_string("speaker"), jv_string(speaker));
	turn = jv_object_set(turn, jv_string("name"), jv_string(name));
	turn = jv_object_set(turn, jv_string("round"), jv_number((double)g->round));
	turn = jv_object_set(turn, jv_string("text"), jv_string(text));
	if (truncated)
		turn = jv_object_set(turn, jv_string("truncated"), jv_true());
	g->turns = jv_array_append(g->turns, turn);
	g->nturns++;
}

/* ---------- probes ---------- */

struct probe_call {
	struct group_conv *g;
	size_t participant, after;
	int position;
	char *name;
};

static void on_probe(void *ctx, const struct llm_result *r)
{
	struct probe_call *pc = ctx;
	struct group_conv *g = pc->g;
	llm_usage_add(&g->usage[USE_AUX], r);
	jv answer = jv_object();
	answer = jv_object_set(answer, jv_string("participant"), jv_string(g->p[pc->participant].id));
	answer = jv_object_set(answer, jv_string("after"), jv_number((double)pc->after));
	answer = jv_object_set(answer, jv_string("name"), jv_string(pc->name));
	if (r->ok) {
		struct buf text = BUF_INIT;
		craft_trim(r->content, &text);
		answer = jv_object_set(answer, jv_string("answer"), jv_string(text.data ? text.data : ""));
		buf_free(&text);
	} else {
		answer = jv_object_set(answer, jv_string("error"),
				       jv_string_fmt("%s: %s", r->error_kind, r->error_message));
	}
	/* Answers are kept in the order the calls were made (participant, then probe), not
	 * the order they came: the slot was reserved when the call went out. */
	g->probes = jv_array_set(g->probes, pc->position, answer);
	free(pc->name);
	free(pc);
	g->pending--;
	finish_if_done(g);
}

static void ask_probes(struct group_conv *g)
{
	const struct dialog_config *base = g->cfg->base;
	if (jv_get_kind(base->probes) != JV_KIND_ARRAY)
		return;
	int n = jv_array_length(jv_copy(base->probes));
	for (size_t who = 0; who < g->n; who++) {
		for (int i = 0; i < n; i++) {
			jv probe = jv_array_get(jv_copy(base->probes), i);
			jv name = jvu_get_borrow(probe, "name"), question = jvu_get_borrow(probe, "question");
			if (jv_get_kind(name) == JV_KIND_STRING && jv_get_kind(question) == JV_KIND_STRING) {
				struct buf messages = BUF_INIT;
				groupview_request(base->context, g->turns, g->nturns, g->p[who].id, g->p[who].system,
						  llm_client_placement(base->client), question, &messages);
				struct probe_call *pc = xcalloc(1, sizeof *pc);
				pc->g = g;
				pc->participant = who;
				pc->after = g->nturns;
				pc->position = jv_array_length(jv_copy(g->probes));
				pc->name = xstrdup(jv_string_value(name));
				g->probes = jv_array_append(g->probes, jv_null());
				struct llm_hint hint = { OFFLINE_PROBE, g->p[who].fields };
				g->pending++;
				llm_chat_text(base->client, messages.data, messages.len, &hint, g->index, on_probe, pc);
				buf_free(&messages);
			}
			jv_free(name);
			jv_free(question);
			jv_free(probe);
		}
	}
}

/* ---------- who speaks ---------- */

/* The participant the text names (a whole word, any case), other than `except`, who
 * has not spoken this round; -1 when none. The first named in participant order wins. */
static int addressed(const struct group_conv *g, const char *text, int except)
{
	for (size_t i = 0; i < g->n; i++)
		if ((int)i != except && !g->p[i].spoke &&
		    names_mentioned(text, strlen(text), g->p[i].name, strlen(g->p[i].name)))
			return (int)i;
	return -1;
}

/* The next participant in record order after `after` (-1: from the first) who has not
 * spoken this round and did not speak last (unless allow_repeat). */
static int next_in_order(const struct group_conv *g, int after)
{
	for (size_t k = 0; k < g->n; k++) {
		size_t i = after < 0 ? k : ((size_t)after + 1 + k) % g->n;
		if (!g->p[i].spoke && ((int)i != g->last || g->cfg->allow_repeat))
			return (int)i;
	}
	for (size_t i = 0; i < g->n; i++)
		if (!g->p[i].spoke)
			return (int)i;
	return -1;
}

static void new_round_order(struct group_conv *g)
{
	for (size_t i = 0; i < g->n; i++)
		g->order[i] = i;
	if (g->cfg->policy != GROUP_RANDOM)
		return;
	struct rng r = rng_stream(g->cfg->base->seed, g->id, "group turn order");
	struct rng round = rng_substream(&r, (uint64_t)g->round);
	for (size_t i = g->n; i > 1; i--) {
		size_t j = (size_t)rng_below(&round, i), t = g->order[i - 1];
		g->order[i - 1] = g->order[j];
		g->order[j] = t;
	}
	/* A new round never opens with whoever closed the last one. */
	if (!g->cfg->allow_repeat && (int)g->order[0] == g->last) {
		size_t t = g->order[0];
		g->order[0] = g->order[1];
		g->order[1] = t;
	}
}

/* The text of the last turn, or "". */
static const char *last_text(const struct group_conv *g)
{
	if (!g->nturns)
		return "";
	jv turn = jv_array_get(jv_copy(g->turns), (int)g->nturns - 1);
	jv text = jvu_get_borrow(turn, "text");
	/* The string lives in g->turns, which outlives these references. */
	const char *s = jv_get_kind(text) == JV_KIND_STRING ? jv_string_value(text) : "";
	jv_free(text);
	jv_free(turn);
	return s;
}

/* ---------- participant turns ---------- */

struct turn_call {
	struct group_conv *g;
	size_t who;
};

static void on_participant(void *ctx, const struct llm_result *r)
{
	struct turn_call *tc = ctx;
	struct group_conv *g = tc->g;
	size_t who = tc->who;
	free(tc);
	g->pending--;
	llm_usage_add(&g->usage[USE_PARTICIPANTS], r);
	struct buf text = BUF_INIT;
	if (!r->ok) {
		fail(g, r);
	} else if (usable_text(g, r, &text) == 0) {
		add_turn(g, g->p[who].id, g->p[who].name, text.data, r->truncated);
		g->p[who].spoke = 1;
		g->last = (int)who;
		g->spoken++;
		next_step(g);
	}
	buf_free(&text);
	finish_if_done(g);
}

static void ask_participant(struct group_conv *g, size_t who)
{
	const struct dialog_config *base = g->cfg->base;
	struct buf messages = BUF_INIT;
	groupview_request(base->context, g->turns, g->nturns, g->p[who].id, g->p[who].system,
			  llm_client_placement(base->client), jv_invalid(), &messages);
	struct turn_call *tc = xcalloc(1, sizeof *tc);
	tc->g = g;
	tc->who = who;
	struct llm_hint hint = { OFFLINE_PARTICIPANT, g->p[who].fields };
	g->pending++;
	llm_chat_text(base->client, messages.data, messages.len, &hint, g->index, on_participant, tc);
	buf_free(&messages);
}

/* ---------- the selector ---------- */

static void on_select(void *ctx, const struct llm_result *r)
{
	struct group_conv *g = ctx;
	g->pending--;
	llm_usage_add(&g->usage[USE_AUX], r);
	if (!r->ok) {
		fail(g, r);
		finish_if_done(g);
		return;
	}
	int who = addressed(g, r->content, g->cfg->allow_repeat ? -1 : g->last);
	if (who < 0)
		who = next_in_order(g, g->last);
	ask_participant(g, (size_t)who);
	finish_if_done(g);
}

static void ask_selector(struct group_conv *g)
{
	const struct dialog_config *base = g->cfg->base;
	struct buf people = BUF_INIT, eligible = BUF_INIT, transcript = BUF_INIT, prompt = BUF_INIT, err = BUF_INIT;
	for (size_t i = 0; i < g->n; i++) {
		buf_addf(&people, "%s%s", i ? ", " : "", g->p[i].name);
		if (!g->p[i].spoke && ((int)i != g->last || g->cfg->allow_repeat))
			buf_addf(&eligible, "%s%s", eligible.len ? ", " : "", g->p[i].name);
	}
	size_t from = g->nturns > 6 ? g->nturns - 6 : 0;
	for (size_t i = from; i < g->nturns; i++) {
		jv turn = jv_array_get(jv_copy(g->turns), (int)i);
		jv name = jvu_get_borrow(turn, "name"), text = jvu_get_borrow(turn, "text");
		buf_addf(&transcript, "%s: %s\n", jv_string_value(name), jv_string_value(text));
		jv_free(name);
		jv_free(text);
		jv_free(turn);
	}
	jv context = jv_object();
	context = jv_object_set(context, jv_string("participants"), jv_string(people.data ? people.data : ""));
	context = jv_object_set(context, jv_string("eligible"), jv_string(eligible.data ? eligible.data : ""));
	context = jv_object_set(context, jv_string("transcript"),
				jv_string(transcript.data ? transcript.data : "(nothing said yet)\n"));
	prompt_expand(g->cfg->select_prompt, context, &prompt, &err);
	jv_free(context);
	jv messages = llm_user_prompt(prompt.data ? prompt.data : "");
	struct llm_hint hint = { OFFLINE_SELECTOR, jv_null() };
	g->pending++;
	llm_chat(base->responder, messages, &hint, g->index * 1000 + g->nturns, on_select, g);
	buf_free(&people);
	buf_free(&eligible);
	buf_free(&transcript);
	buf_free(&prompt);
	buf_free(&err);
}

/* ---------- the moderator ---------- */

static void start_round(struct group_conv *g)
{
	g->round++;
	g->spoken = 0;
	for (size_t i = 0; i < g->n; i++)
		g->p[i].spoke = 0;
	new_round_order(g);
}

static void on_moderator(void *ctx, const struct llm_result *r)
{
	struct group_conv *g = ctx;
	g->pending--;
	llm_usage_add(&g->usage[USE_MODERATOR], r);
	struct buf text = BUF_INIT;
	if (!r->ok) {
		fail(g, r);
	} else if (usable_text(g, r, &text) == 0) {
		/* A moderator turn opens the round it belongs to; the closing one ends the last. */
		if (!g->closing)
			start_round(g);
		add_turn(g, MODERATOR_ID, MODERATOR_NAME, text.data, r->truncated);
		g->last = -1;
		if (g->closing)
			stop_now(g, g->guide_len && g->guide_pos >= g->guide_len ? "guide_done" : "max_rounds",
				 "moderator");
		else
			next_step(g);
	}
	buf_free(&text);
	finish_if_done(g);
}

/* The moderator's next move, as the instruction that ends its request. */
static jv moderator_move(struct group_conv *g)
{
	jv guide = jvu_get_borrow(g->group, "guide");
	jv move;
	if (g->closing) {
		move = jv_string("(Your next move: close the discussion. Thank everyone by name and say goodbye; ask "
				 "nothing new.)");
	} else if (g->guide_pos < g->guide_len) {
		jv q = jv_array_get(jv_copy(guide), (int)g->guide_pos);
		move = jv_string_fmt("(Your next move: put the next question of your guide to the group, in your own "
				     "words, and name who should answer first: \"%s\")",
				     jv_get_kind(q) == JV_KIND_STRING ? jv_string_value(q) : "");
		jv_free(q);
		g->guide_pos++;
	} else if (g->round == 0) {
		move = jv_string("(Your next move: open the discussion of the topic and name who should answer "
				 "first.)");
	} else {
		move = jv_string("(Your next move: follow up on what was just said: pick up a point one participant "
				 "made, and ask another participant, by name, what they think of it.)");
	}
	jv_free(guide);
	return move;
}

static void ask_moderator(struct group_conv *g)
{
	const struct dialog_config *base = g->cfg->base;
	jv move = moderator_move(g);
	struct buf messages = BUF_INIT;
	groupview_request(base->context, g->turns, g->nturns, MODERATOR_ID, g->moderator_system,
			  llm_client_placement(base->responder), move, &messages);
	jv_free(move);
	struct llm_hint hint = { OFFLINE_MODERATOR, jv_null() };
	g->pending++;
	llm_chat_text(base->responder, messages.data, messages.len, &hint, g->index, on_moderator, g);
	buf_free(&messages);
}

/* ---------- the flow ---------- */

static void next_step(struct group_conv *g)
{
	if (g->speaking_done)
		return;
	const struct group_config *cfg = g->cfg;
	int moderated = cfg->policy == GROUP_MODERATOR;
	/* Between rounds (or before the first): probes, the limits, the moderator. */
	if (g->round == 0 || g->spoken == g->n) {
		if (g->round > 0) {
			if (cfg->base->probe_every > 0 && g->round % cfg->base->probe_every == 0)
				ask_probes(g);
			int guide_done = moderated && g->guide_len && g->guide_pos >= g->guide_len;
			if (g->round >= cfg->max_rounds || guide_done) {
				if (moderated) {
					g->closing = 1;
					ask_moderator(g); /* its answer ends the conversation */
				} else {
					stop_now(g, "max_rounds", "limit");
				}
				return;
			}
		}
		if (moderated) {
			ask_moderator(g); /* its answer starts the round */
			return;
		}
		start_round(g);
	}
	int who;
	switch (cfg->policy) {
	case GROUP_ROUND_ROBIN:
	case GROUP_RANDOM:
		who = (int)g->order[g->spoken];
		break;
	case GROUP_ADDRESSED:
	case GROUP_MODERATOR:
		who = addressed(g, last_text(g), g->last);
		if (who < 0)
			who = next_in_order(g, g->last);
		break;
	case GROUP_SELECT:
	default:
		ask_selector(g);
		return;
	}
	ask_participant(g, (size_t)who);
}

/* A participant's name: its own "name" (persona-group sets it), else names.h's choice
 * (its fields' name, or one from the shipped lists), never one already taken. */
static char *participant_name(const struct group_config *cfg, jv person, char **taken, size_t ntaken)
{
	jv name = jvu_get_borrow(person, "name");
	char *out = NULL;
	if (jv_get_kind(name) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(name)) > 0)
		out = xstrdup(jv_string_value(name));
	else
		out = names_pick(cfg->names, person, (const char *const *)taken, ntaken);
	jv_free(name);
	return out;
}

void group_start(const struct group_config *cfg, jv group, uint64_t index, dialog_done_fn done, void *ctx)
{
	const struct dialog_config *base = cfg->base;
	struct group_conv *g = xcalloc(1, sizeof *g);
	g->cfg = cfg;
	g->group = jv_copy(group);
	g->index = index;
	struct buf id = BUF_INIT;
	buf_addf(&id, "%s/%llu", record_id(group), (unsigned long long)index);
	g->id = id.data;
	g->turns = jv_array();
	g->stop = jv_null();
	g->error = jv_null();
	g->probes = jv_array();
	g->last = -1;
	g->done = done;
	g->ctx = ctx;
	jv people = jvu_get_borrow(group, "participants");
	g->n = (size_t)jv_array_length(jv_copy(people));
	g->p = xcalloc(g->n, sizeof *g->p);
	g->order = xcalloc(g->n, sizeof *g->order);
	char **taken = xcalloc(g->n, sizeof *taken);
	for (size_t i = 0; i < g->n; i++) {
		jv person = jv_array_get(jv_copy(people), (int)i);
		jv pid = jvu_get_borrow(person, "id");
		g->p[i].id = jv_string_value(pid); /* lives in g->group */
		jv_free(pid);
		g->p[i].fields = jvu_get_borrow(person, "fields");
		g->p[i].name = participant_name(cfg, person, taken, i);
		taken[i] = g->p[i].name;
		jv_free(person);
	}
	free(taken);
	jv topic = jvu_get_borrow(group, "topic");
	const char *topic_text = jv_get_kind(topic) == JV_KIND_STRING ? jv_string_value(topic) : "";
	/* Each participant's system prompt: who they are, who else is there, the topic. */
	for (size_t i = 0; i < g->n; i++) {
		jv person = jv_array_get(jv_copy(people), (int)i);
		struct buf others = BUF_INIT, style = BUF_INIT, system = BUF_INIT, err = BUF_INIT;
		for (size_t k = 0; k < g->n; k++)
			if (k != i)
				buf_addf(&others, "%s%s", others.len ? ", " : "", g->p[k].name);
		if (cfg->policy == GROUP_MODERATOR)
			buf_adds(&others, ", and a moderator");
		describe_style(g->p[i].fields, g->p[i].id, base->seed, &style);
		jv context = jv_copy(person);
		context = jvu_set(context, "name", jv_string(g->p[i].name));
		context = jvu_set(context, "style", jv_string(style.data ? style.data : ""));
		context = jvu_set(context, "others", jv_string(others.data ? others.data : ""));
		context = jvu_set(context, "topic", jv_string(topic_text));
		prompt_expand(cfg->participant_prompt, context, &system, &err);
		g->p[i].system = jv_string(system.data ? system.data : "");
		jv_free(context);
		jv_free(person);
		buf_free(&others);
		buf_free(&style);
		buf_free(&system);
		buf_free(&err);
	}
	jv guide = jvu_get_borrow(group, "guide");
	struct buf names = BUF_INIT, guide_text = BUF_INIT, system = BUF_INIT, err = BUF_INIT;
	if (jv_get_kind(guide) == JV_KIND_ARRAY) {
		g->guide_len = (size_t)jv_array_length(jv_copy(guide));
		for (size_t i = 0; i < g->guide_len; i++) {
			jv q = jv_array_get(jv_copy(guide), (int)i);
			buf_addf(&guide_text, "%zu. %s\n", i + 1,
				 jv_get_kind(q) == JV_KIND_STRING ? jv_string_value(q) : "");
			jv_free(q);
		}
	}
	for (size_t i = 0; i < g->n; i++)
		buf_addf(&names, "%s%s", i ? ", " : "", g->p[i].name);
	jv context = jv_object();
	context = jv_object_set(context, jv_string("topic"), jv_string(topic_text));
	context = jv_object_set(context, jv_string("participants"), jv_string(names.data ? names.data : ""));
	context = jv_object_set(context, jv_string("guide"),
				jv_string(guide_text.data ? guide_text.data : "(no guide: follow the discussion)\n"));
	prompt_expand(cfg->moderator_prompt, context, &system, &err);
	g->moderator_system = jv_string(system.data ? system.data : "");
	jv_free(context);
	jv_free(guide);
	jv_free(topic);
	jv_free(people);
	buf_free(&names);
	buf_free(&guide_text);
	buf_free(&system);
	buf_free(&err);

	ask_probes(g);
	next_step(g);
	finish_if_done(g);
}
