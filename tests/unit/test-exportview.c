#include "exportview.h"
#include "unit.h"

#define U(t) "{\"role\":\"user\",\"content\":\"" t "\"}"
#define A(t) "{\"role\":\"assistant\",\"content\":\"" t "\"}"
#define S(t) "{\"role\":\"system\",\"content\":\"" t "\"}"
#define H(t) "{\"from\":\"human\",\"value\":\"" t "\"}"
#define G(t) "{\"from\":\"gpt\",\"value\":\"" t "\"}"
#define SG(t) "{\"from\":\"system\",\"value\":\"" t "\"}"
#define K CHAT_KICKOFF
#define C(t) "{\"speaker\":\"client\",\"text\":\"" t "\"}"
#define R(t) "{\"speaker\":\"responder\",\"text\":\"" t "\"}"

/* A conversation opened by the client: c1 r1 c2 r2 c3. */
#define OPENED_BY_CLIENT "[" C("c1") "," R("r1") "," C("c2") "," R("r2") "," C("c3") "]"

struct setup {
	const char *self;
	const char *system; /* NULL: none */
	enum system_placement placement;
	const struct chat_dialect *dialect;
	long max_tokens;
	int truncate;
};

static const struct setup responder = { "responder", NULL, SYSTEM_MESSAGE, &chat_openai, 0, 0 };

/* Example k of the turns (a JSON text), or "TOO LONG", or "targets N" for k < 0;
 * "(truncated)" is appended to a truncated example. */
static const char *example(const char *turns_json, const struct setup *s, int k)
{
	static char text[4096];
	jv turns = jv_parse(turns_json);
	jv system = s->system ? jv_string(s->system) : jv_invalid();
	struct export_view v;
	export_view_init(&v, turns, s->self, system, s->placement, s->dialect);
	jv_free(turns);
	jv_free(system);
	struct buf out = BUF_INIT;
	buf_adds(&out, ">");
	if (k < 0) {
		snprintf(text, sizeof text, "targets %zu", export_view_targets(&v));
	} else {
		enum export_fit fit = export_view_example(&v, (size_t)k, s->max_tokens, s->truncate, &out);
		snprintf(text, sizeof text, "%s%s", fit == EXPORT_TOO_LONG ? "TOO LONG" : out.data + 1,
			 fit == EXPORT_TRUNCATED ? " (truncated)" : "");
		if (fit == EXPORT_TOO_LONG && strcmp(out.data, ">") != 0)
			snprintf(text, sizeof text, "TOO LONG but wrote %s", out.data);
	}
	buf_free(&out);
	export_view_free(&v);
	return text;
}

int main(void)
{
	struct setup client = { "client", "You are Ann.", SYSTEM_MESSAGE, &chat_openai, 0, 0 };
	CHECK_STR(example(OPENED_BY_CLIENT, &responder, -1), "targets 2", "the responder spoke twice: two examples");
	CHECK_STR(example(OPENED_BY_CLIENT, &responder, 1), "[" U("c1") "," A("r1") "," U("c2") "," A("r2") "]",
		  "the responder's view ends with its last turn: the client's last turn is left out");
	CHECK_STR(example(OPENED_BY_CLIENT, &responder, 0), "[" U("c1") "," A("r1") "]",
		  "example k ends with the target's k-th message");
	CHECK_STR(example(OPENED_BY_CLIENT, &client, -1), "targets 3", "the client spoke three times");
	CHECK_STR(example(OPENED_BY_CLIENT, &client, 2),
		  "[" S("You are Ann.") "," U(K) "," A("c1") "," U("r1") "," A("c2") "," U("r2") "," A("c3") "]",
		  "the client's view: its own turns are the assistant's, the kick-off opens it");
	CHECK_STR(example(OPENED_BY_CLIENT, &client, 0), "[" S("You are Ann.") "," U(K) "," A("c1") "]",
		  "the client's first example is the kick-off and its opening");
	client.placement = SYSTEM_FIRST_USER;
	CHECK_STR(example(OPENED_BY_CLIENT, &client, 1),
		  "[" U("You are Ann.\\n\\n" K) "," A("c1") "," U("r1") "," A("c2") "]",
		  "first-user: the system text tops the first user message");
	CHECK_STR(example("[" R("r1") "," C("c1") "," R("r2") "]", &responder, 1),
		  "[" U(K) "," A("r1") "," U("c1") "," A("r2") "]",
		  "a conversation the responder opened gets the kick-off");
	CHECK_STR(example("[" C("a") "," C("b") "," R("x") "," R("") "," R("y") "," C("c") "]", &responder, 0),
		  "[" U("a\\n\\nb") "," A("x\\n\\ny") "]",
		  "consecutive turns of one speaker are one message joined by a blank line, empty texts left out");
	CHECK_STR(example("[" C("a") "," C("b") "," R("x") "," R("y") "," C("c") "]", &responder, -1), "targets 1",
		  "a run of the target's turns is one target");
	CHECK_STR(example("[" C("a") "," C("b") "]", &responder, -1), "targets 0",
		  "a conversation the target never spoke in gives no example");
	CHECK_STR(example("[]", &responder, -1), "targets 0", "no turns, no example");
	CHECK_STR(example("[1,null,{\"speaker\":5,\"text\":[1]}," R("r") "]", &responder, 0), "[" U("") "," A("r") "]",
		  "turns that are not objects or have no string text count as the partner's empty turns");
	CHECK_STR(example("[" C("q") "," R("a") "]",
			  &(struct setup){ "responder", "Be kind.", SYSTEM_MESSAGE, &chat_sharegpt, 0, 0 }, 0),
		  "[" SG("Be kind.") "," H("q") "," G("a") "]", "ShareGPT's words: system, human, gpt");

	/* Sizes: c1 r1 c2 r2 are 2 bytes each; "You are Ann." is 12. */
	struct setup small = { "responder", NULL, SYSTEM_MESSAGE, &chat_openai, 2, 0 };
	CHECK_STR(example(OPENED_BY_CLIENT, &small, 1), "[" U("c1") "," A("r1") "," U("c2") "," A("r2") "]",
		  "8 bytes are 2 tokens: at the limit an example is kept");
	small.max_tokens = 1;
	CHECK_STR(example(OPENED_BY_CLIENT, &small, 1), "TOO LONG", "over the limit an example is dropped");
	small.truncate = 1;
	CHECK_STR(example(OPENED_BY_CLIENT, &small, 1), "[" U("c2") "," A("r2") "] (truncated)",
		  "--truncate keeps the last exchanges that fit");
	small.system = "You are Ann.";
	small.max_tokens = 4;
	CHECK_STR(example(OPENED_BY_CLIENT, &small, 1), "[" S("You are Ann.") "," U("c2") "," A("r2") "] (truncated)",
		  "the system text is kept and counted (12 + 4 bytes: 4 tokens)");
	small.max_tokens = 3;
	CHECK_STR(example(OPENED_BY_CLIENT, &small, 1), "TOO LONG",
		  "when not even the system text and the last exchange fit, the example is dropped");
	CHECK_STR(example(OPENED_BY_CLIENT, &small, 0), "TOO LONG",
		  "the first target cannot be truncated: it is its own last exchange");
	small.placement = SYSTEM_FIRST_USER;
	small.max_tokens = 5;
	CHECK_STR(example(OPENED_BY_CLIENT, &small, 1), "[" U("You are Ann.\\n\\nc2") "," A("r2") "] (truncated)",
		  "first-user: the truncated example's first user message carries the system text (18 bytes)");
	struct setup sim = { "client", NULL, SYSTEM_MESSAGE, &chat_openai, 1, 1 };
	CHECK_STR(example(OPENED_BY_CLIENT, &sim, 2), "[" U("r2") "," A("c3") "] (truncated)",
		  "a truncated client view starts with the partner's turn and needs no kick-off");
	sim.max_tokens = 12;
	CHECK_STR(example(OPENED_BY_CLIENT, &sim, 2), "[" U("r1") "," A("c2") "," U("r2") "," A("c3") "] (truncated)",
		  "the longest tail that fits: the kick-off (44 bytes) does not");
	CHECK(export_tokens(0) == 0 && export_tokens(1) == 1 && export_tokens(4) == 1 && export_tokens(5) == 2,
	      "the estimate is the bytes divided by 4, rounded up");
	return UNIT_DONE();
}
