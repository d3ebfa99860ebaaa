/* The offline stand-in model: a pure function of the request, shaped by the persona,
 * closing each conversation at a turn that belongs to the person, not to the retry. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ecp.h"
#include "offline.h"
#include "unit.h"

static const char *spasm_persona =
	"{\"age\":58,\"gender\":\"man\",\"occupation\":\"bus driver\",\"location\":\"Leeds\","
	"\"domain\":\"tax problems\",\"emotion\":\"anxious\",\"intensity\":\"moderate\","
	"\"expressiveness\":\"medium\",\"self_disclosure\":\"low\",\"assertiveness\":\"high\","
	"\"politeness\":\"casual\"}";

static jv message(const char *role, const char *content)
{
	jv m = jv_object_set(jv_object(), jv_string("role"), jv_string(role));
	return jv_object_set(m, jv_string("content"), jv_string(content));
}

/* Ask the model; the request's jv values stay owned by the caller. */
static char *ask(enum offline_task task, jv persona, jv messages, uint64_t seed, uint64_t sample)
{
	struct offline_request req = { task, persona, messages, seed, sample };
	return offline_generate(&req);
}

static int closes(const char *turn)
{
	return !strchr(turn, '?') && (strcasestr(turn, "thank") || strcasestr(turn, "bye"));
}

/* A client/responder conversation of up to 10 client turns: the 1-based client turn
 * that closed it (0 if none), with the shape of the other turns checked on the way. */
struct run {
	int closed_at;
	int middle_in_range; /* every turn before the closing one has 10-60 words */
	int responders_ok; /* every responder turn but the farewell has 5-60 words */
	char after_close[64]; /* what the client says when asked again */
	char farewell[200]; /* the responder's reply to the closing turn */
	char transcript[8192];
};

static struct run converse(jv persona, uint64_t seed, uint64_t sample, const char *responder_system)
{
	struct run run = { 0, 1, 1, "", "", "" };
	jv client_view =
		jv_array_append(jv_array(), message("system", "You are a person taking part in a conversation."));
	jv responder_view = jv_array_append(jv_array(), message("system", responder_system));
	client_view = jv_array_append(client_view, message("user", "Hello, what brings you here today?"));
	responder_view = jv_array_append(responder_view, message("assistant", "Hello, what brings you here today?"));
	for (int turn = 1; turn <= 10; turn++) {
		char *c = ask(OFFLINE_CLIENT, persona, client_view, seed, sample);
		size_t used = strlen(run.transcript);
		snprintf(run.transcript + used, sizeof run.transcript - used, "# client %d: %s\n", turn, c);
		if (run.closed_at) {
			snprintf(run.after_close, sizeof run.after_close, "%s", c);
			free(c);
			break;
		}
		if (closes(c)) {
			run.closed_at = turn;
		} else if (unit_words(c) < 10 || unit_words(c) > 60) {
			run.middle_in_range = 0;
		}
		client_view = jv_array_append(client_view, message("assistant", c));
		responder_view = jv_array_append(responder_view, message("user", c));
		free(c);
		char *r = ask(OFFLINE_RESPONDER, jv_null(), responder_view, seed, sample);
		used = strlen(run.transcript);
		snprintf(run.transcript + used, sizeof run.transcript - used, "# responder %d: %s\n", turn, r);
		if (run.closed_at != turn && (unit_words(r) < 5 || unit_words(r) > 60))
			run.responders_ok = 0;
		if (run.closed_at == turn)
			snprintf(run.farewell, sizeof run.farewell, "%s", r);
		client_view = jv_array_append(client_view, message("user", r));
		responder_view = jv_array_append(responder_view, message("assistant", r));
		free(r);
	}
	jv_free(client_view);
	jv_free(responder_view);
	return run;
}

static int verdict_of(const char *json, int *verdict)
{
	jv v = jv_parse(json);
	int ok = 0;
	if (jv_get_kind(v) == JV_KIND_OBJECT) {
		jv verdict_v = jv_object_get(jv_copy(v), jv_string("verdict"));
		jv reason = jv_object_get(jv_copy(v), jv_string("reason"));
		jv_kind k = jv_get_kind(verdict_v);
		ok = (k == JV_KIND_TRUE || k == JV_KIND_FALSE) && jv_get_kind(reason) == JV_KIND_STRING &&
		     jv_object_length(jv_copy(v)) == 2;
		*verdict = k == JV_KIND_TRUE;
		jv_free(verdict_v);
		jv_free(reason);
	}
	jv_free(v);
	return ok;
}

static char *judge(const char *system, const char *prompt)
{
	jv m = jv_array_append(jv_array(), message("system", system));
	m = jv_array_append(m, message("user", prompt));
	char *out = ask(OFFLINE_JUDGE, jv_null(), m, 7, 0);
	jv_free(m);
	return out;
}

int main(void)
{
	jv persona = jv_parse(spasm_persona);

	/* Determinism: the same request, the same text, for every task. */
	jv chat = jv_array_append(jv_array(), message("system", "You are a counsellor."));
	chat = jv_array_append(chat, message("user", "I have been worried about my taxes all week."));
	int same = 1;
	for (int task = OFFLINE_GENERIC; task <= OFFLINE_JUDGE; task++) {
		char *x = ask(task, persona, chat, 7, 2), *y = ask(task, persona, chat, 7, 2);
		same &= strcmp(x, y) == 0;
		free(x);
		free(y);
	}
	CHECK(same, "every task gives the same text for the same request");

	/* Retries differ: another sample index is another draw. */
	jv opening = jv_array_append(jv_array(), message("system", "You are a person."));
	opening = jv_array_append(opening, message("user", "Hi, what brings you here?"));
	char *first = ask(OFFLINE_CLIENT, persona, opening, 7, 0);
	int differs = 0;
	for (uint64_t s = 1; s < 6; s++) {
		char *other = ask(OFFLINE_CLIENT, persona, opening, 7, s);
		differs += strcmp(first, other) != 0;
		free(other);
	}
	CHECK(differs >= 1, "another sample index can give another opening (%d of 5 differ)", differs);
	CHECK(strstr(first, "tax problems") != NULL, "the opening turn names the persona's domain");
	CHECK(!strchr(first, '"'), "the opening turn quotes nobody");
	free(first);
	jv_free(opening);

	/* The closing turn belongs to the person. */
	struct run a = converse(persona, 7, 0, "You are a supportive peer.");
	struct run b = converse(persona, 7, 1, "You are a supportive peer.");
	struct run c = converse(persona, 7, 9, "You are a counsellor.");
	printf("%s", a.transcript);
	CHECK(a.closed_at >= 3 && a.closed_at <= 8, "the client closes within 3 to 8 own turns (turn %d)", a.closed_at);
	CHECK(a.closed_at == b.closed_at && a.closed_at == c.closed_at,
	      "the closing turn does not depend on the sample or the responder (%d, %d, %d)", a.closed_at, b.closed_at,
	      c.closed_at);
	CHECK(a.middle_in_range && b.middle_in_range && c.middle_in_range,
	      "turns before the closing one have 10-60 words and no closure");
	CHECK(a.responders_ok && b.responders_ok && c.responders_ok,
	      "responder turns other than the farewell have 5-60 words");
	CHECK_STR(a.after_close, "Bye!", "asked again after closing, the client just says goodbye");
	CHECK(strlen(a.farewell) > 0 && !strchr(a.farewell, '?'),
	      "the responder answers a closing turn with a farewell");
	CHECK(strcmp(a.transcript, b.transcript) != 0, "conversations of different samples differ in wording");

	int min_close = 99, max_close = 0, all_in_range = 1;
	for (int age = 20; age < 60; age += 2) {
		jv p = jv_object_set(jv_copy(persona), jv_string("age"), jv_number(age));
		struct run r = converse(p, 7, 0, "You are a peer.");
		all_in_range &= r.closed_at >= 3 && r.closed_at <= 8;
		if (r.closed_at < min_close)
			min_close = r.closed_at;
		if (r.closed_at > max_close)
			max_close = r.closed_at;
		jv_free(p);
	}
	CHECK(all_in_range && max_close - min_close >= 3,
	      "20 personas close between turns 3 and 8, spread out (%d..%d)", min_close, max_close);

	/* Style traits shape the turns. */
	jv terse = jv_parse(
		"{\"domain\":\"loneliness\",\"emotion\":\"sad\",\"expressiveness\":\"low\",\"politeness\":\"blunt\","
		"\"assertiveness\":\"high\",\"self_disclosure\":\"low\"}");
	jv chatty = jv_parse(
		"{\"domain\":\"loneliness\",\"emotion\":\"sad\",\"expressiveness\":\"high\",\"politeness\":\"formal\","
		"\"assertiveness\":\"low\",\"self_disclosure\":\"high\",\"occupation\":\"nurse\",\"age\":40}");
	int blunt_greets = 0;
	for (uint64_t s = 0; s < 12; s++) {
		struct run t = converse(terse, 3, s, "You are a peer.");
		blunt_greets += strstr(t.transcript, "# client 1: Hi") != NULL ||
				strstr(t.transcript, "# client 1: Hello") != NULL;
	}
	/* Low expressiveness says less than high. */
	int terse_words = 0, chatty_words = 0;
	for (uint64_t s = 0; s < 12; s++) {
		jv m = jv_array_append(jv_array(), message("system", "You are a person."));
		char *t = ask(OFFLINE_CLIENT, terse, m, 3, s), *h = ask(OFFLINE_CLIENT, chatty, m, 3, s);
		terse_words += unit_words(t);
		chatty_words += unit_words(h);
		free(t);
		free(h);
		jv_free(m);
	}
	CHECK(terse_words < chatty_words, "low expressiveness opens with fewer words than high (%d < %d over 12)",
	      terse_words, chatty_words);
	CHECK(blunt_greets == 0, "a blunt client opens without a greeting");
	jv_free(terse);
	jv_free(chatty);

	/* The responder's role comes from its system prompt. */
	static const struct {
		const char *system;
		const char *opening;
	} roles[] = {
		{ "You are a counsellor.", "Hello, I'm here to listen. What would you like to talk about today?" },
		{ "You are a patient tutor.", "Hi! What would you like to work on today?" },
		{ "You are a customer support agent.", "Hello, you're through to support. How can I help you today?" },
		{ "You are a supportive friend.", "Hey! What's on your mind?" },
	};
	for (size_t i = 0; i < sizeof roles / sizeof *roles; i++) {
		jv m = jv_array_append(jv_array(), message("system", roles[i].system));
		char *r = ask(OFFLINE_RESPONDER, jv_null(), m, 7, 0);
		CHECK_STR(r, roles[i].opening, "a responder told \"%s\" opens in that role", roles[i].system);
		free(r);
		jv_free(m);
	}
	jv bye = jv_array_append(jv_array(), message("system", "You are a peer."));
	bye = jv_array_append(bye, message("user", "Thanks, that really helps. I'll try that this week. Bye for now."));
	char *farewell = ask(OFFLINE_RESPONDER, jv_null(), bye, 7, 0);
	CHECK(!strchr(farewell, '?') && (strcasestr(farewell, "welcome") || strcasestr(farewell, "take care") ||
					 strcasestr(farewell, "bye") || strcasestr(farewell, "luck")),
	      "a thanks-and-goodbye gets a brief farewell (%s)", farewell);
	free(farewell);
	jv_free(bye);

	/* Probes answer from the persona. */
	jv probe = jv_array_append(jv_array(), message("system", "You are a 58-year-old bus driver."));
	probe = jv_array_append(probe, message("user", "What is your motivation for this conversation?"));
	int mentions = 1, short_enough = 1;
	for (uint64_t s = 0; s < 8; s++) {
		char *answer = ask(OFFLINE_PROBE, persona, probe, 7, s);
		mentions &= strstr(answer, "tax problems") != NULL;
		short_enough &= unit_words(answer) >= 3 && unit_words(answer) <= 40;
		free(answer);
	}
	CHECK(mentions, "a motivation probe is answered with the persona's domain");
	CHECK(short_enough, "probe answers are short");
	jv_free(probe);
	probe = jv_array_append(jv_array(), message("user", "How do you feel right now?"));
	char *feeling = ask(OFFLINE_PROBE, persona, probe, 7, 0);
	CHECK(strstr(feeling, "anxious") != NULL, "a feeling probe is answered with the persona's emotion (%s)",
	      feeling);
	free(feeling);
	jv_free(probe);
	probe = jv_array_append(jv_array(), message("system", "You are a 58-year-old bus driver."));
	probe = jv_array_append(probe, message("user", ECP_KICKOFF));
	probe = jv_array_append(probe, message("assistant", "Hi."));
	probe = jv_array_append(probe, message("user", "Hello, what brings you here?\n\nHow do you feel right now?"));
	feeling = ask(OFFLINE_PROBE, persona, probe, 7, 0);
	CHECK(strstr(feeling, "anxious") != NULL,
	      "a probe question merged after the partner's turn is still read as the question");
	free(feeling);
	jv_free(probe);

	/* Stage directions are not dialogue: the kick-off ahead of turns and the continue
	 * cue after them leave the stand-in's answer as it was without them. */
	jv plain = jv_array_append(jv_array(), message("system", "You are a person taking part in a conversation."));
	plain = jv_array_append(plain, message("assistant", "I need help with my taxes."));
	plain = jv_array_append(plain, message("user", "Sure, what is the problem?"));
	jv staged = jv_array_append(jv_array(), message("system", "You are a person taking part in a conversation."));
	staged = jv_array_append(staged, message("user", ECP_KICKOFF));
	staged = jv_array_append(staged, message("assistant", "I need help with my taxes."));
	staged = jv_array_append(staged, message("user", "Sure, what is the problem?"));
	char *unstaged = ask(OFFLINE_CLIENT, persona, plain, 7, 0), *with = ask(OFFLINE_CLIENT, persona, staged, 7, 0);
	CHECK(strcmp(unstaged, with) == 0, "the kick-off ahead of the turns does not change the client's answer");
	free(with);
	jv plain_cued = jv_array_append(jv_copy(plain), message("user", ECP_CONTINUE));
	with = ask(OFFLINE_CLIENT, persona, plain_cued, 7, 0);
	CHECK(strcmp(unstaged, with) == 0, "nor does the continue cue after them");
	free(unstaged);
	free(with);
	jv_free(plain);
	jv_free(plain_cued);
	jv_free(staged);

	/* The judge answers compact JSON with a boolean verdict. */
	int verdict = -1;
	char *j = judge(
		"You check whether a persona is plausible. Answer {\"verdict\": true|false, \"reason\": \"...\"}.",
		"Persona: {\"age\":19,\"gender\":\"woman\",\"occupation\":\"barista\",\"domain\":\"pension "
		"planning\"}");
	CHECK(verdict_of(j, &verdict) && verdict == 0, "a 19-year-old planning a pension is judged implausible (%s)",
	      j);
	CHECK(strstr(j, "offline judge: rule-based checks only") != NULL, "the judge says it only applies rules");
	free(j);
	j = judge("You check whether a persona is plausible.",
		  "Persona: {\"id\":\"p1\",\"fields\":{\"age\":58,\"occupation\":\"bus driver\",\"domain\":\"tax "
		  "problems\"}}");
	CHECK(verdict_of(j, &verdict) && verdict == 1, "a 58-year-old bus driver with tax problems is plausible (%s)",
	      j);
	free(j);
	j = judge("You check whether a persona is plausible.",
		  "Check this persona:\n- age: 22\n- occupation: retired\n- domain: loneliness\n");
	CHECK(verdict_of(j, &verdict) && verdict == 0,
	      "\"- name: value\" lines are read: a retired 22-year-old is implausible");
	free(j);
	j = judge("You check whether a persona is plausible.", "- age: 40\n- emotion: calm\n- intensity: severe\n");
	CHECK(verdict_of(j, &verdict) && verdict == 0, "a severely calm persona is implausible");
	free(j);
	j = judge("Decide whether the conversation has ended.",
		  "client: I'm still not sure.\nresponder: What worries you most?\nclient: Thanks, that really helps. "
		  "Bye for now.");
	CHECK(verdict_of(j, &verdict) && verdict == 1, "a stop judge sees a closing last turn as ended (%s)", j);
	free(j);
	j = judge(
		"You are a termination judge.",
		"client: Thanks, that helps.\nresponder: Glad to hear it.\nclient: Thanks. But what about next week?");
	CHECK(verdict_of(j, &verdict) && verdict == 0,
	      "a stop judge sees a last turn with a new question as not ended");
	free(j);
	j = judge("Has the conversation ended?", "[client] Okay, got it. That helps. Bye.");
	CHECK(verdict_of(j, &verdict) && verdict == 1, "a stop judge reads \"[speaker] text\" transcripts");
	free(j);
	j = judge("Rate this.", "No persona here, \"quotes\" and \\ backslashes.");
	CHECK(verdict_of(j, &verdict), "a judge prompt with nothing to check still gets valid JSON");
	free(j);

	/* Craft and generic. */
	char *craft = ask(OFFLINE_CRAFT, persona, jv_null(), 7, 0);
	CHECK(strncmp(craft, "You are ", 8) == 0 && strstr(craft, "tax problems") && strstr(craft, "Leeds"),
	      "craft writes the second-person description from the fields");
	int craft_differs = 0;
	for (uint64_t s = 1; s < 6; s++) {
		char *other = ask(OFFLINE_CRAFT, persona, jv_null(), 7, s);
		craft_differs += strcmp(craft, other) != 0;
		free(other);
	}
	CHECK(craft_differs >= 1, "another sample index can reword the description");
	free(craft);
	char *generic = ask(OFFLINE_GENERIC, jv_null(), chat, 7, 0);
	CHECK(strncmp(generic, "offline reply: ", 15) == 0 && strlen(generic) > 15,
	      "a generic reply is marked as offline");
	free(generic);

	/* Odd input never crashes and always answers. */
	jv odd_messages[] = {
		jv_null(),
		jv_number(3),
		jv_string("hello"),
		jv_object(),
		jv_parse("[1, null, {\"role\": 5}, {\"role\": \"user\", \"content\": null}]"),
		jv_parse("[{\"role\": \"user\", \"content\": [{\"type\": \"text\", \"text\": \"parts work\"}, 7]}]"),
		jv_parse("[{\"role\": \"user\", \"content\": \"\"}]"),
	};
	jv odd_personas[] = { jv_null(), jv_number(3), jv_parse("{\"age\":\"x\",\"domain\":[1,2],\"emotion\":{}}"),
			      jv_parse("{\"fields\":{\"domain\":\"debt\"}}"), jv_invalid() };
	int answered = 1;
	for (size_t m = 0; m < sizeof odd_messages / sizeof *odd_messages; m++)
		for (size_t p = 0; p < sizeof odd_personas / sizeof *odd_personas; p++)
			for (int task = OFFLINE_GENERIC; task <= OFFLINE_JUDGE; task++) {
				char *out = ask(task, odd_personas[p], odd_messages[m], 1, 0);
				answered &= out != NULL && strlen(out) > 0;
				free(out);
			}
	CHECK(answered, "odd messages and personas (null, numbers, bad roles, content null or parts) get an answer");
	for (size_t m = 0; m < sizeof odd_messages / sizeof *odd_messages; m++)
		jv_free(odd_messages[m]);
	for (size_t p = 0; p < sizeof odd_personas / sizeof *odd_personas; p++)
		jv_free(odd_personas[p]);
	char *none = offline_generate(NULL);
	CHECK(none != NULL, "even a NULL request gets an answer");
	free(none);

	jv_free(chat);
	jv_free(persona);
	return UNIT_DONE();
}
