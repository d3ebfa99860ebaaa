#include "chatshape.h"
#include "ecp.h"
#include "jvutil.h"
#include "unit.h"

#define K ECP_KICKOFF
#define CUE ECP_CONTINUE

static const char *request(enum context_mode mode, jv turns, size_t upto, const char *self, const char *system,
			   enum system_placement placement, const char *question)
{
	static char text[4096];
	struct buf out = BUF_INIT;
	jv s = jv_string(system), q = question ? jv_string(question) : jv_invalid();
	ecp_request(mode, turns, upto, self, s, placement, q, &out);
	snprintf(text, sizeof text, "%s", out.data);
	buf_free(&out);
	jv_free(s);
	jv_free(q);
	return text;
}

#define U(t) "{\"role\":\"user\",\"content\":\"" t "\"}"
#define A(t) "{\"role\":\"assistant\",\"content\":\"" t "\"}"
#define S(t) "{\"role\":\"system\",\"content\":\"" t "\"}"

int main(void)
{
	jv turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"c1\"},{\"speaker\":\"responder\",\"text\":\"r1\"},"
			    "{\"speaker\":\"client\",\"text\":\"c2\"},{\"speaker\":\"responder\",\"text\":\"r2\"}]");
	jv rturns = jv_parse("[{\"speaker\":\"responder\",\"text\":\"r1\"},{\"speaker\":\"client\",\"text\":\"c1\"},"
			     "{\"speaker\":\"responder\",\"text\":\"r2\"}]");
	CHECK_STR(request(CONTEXT_ECP, turns, 0, "client", "S", SYSTEM_MESSAGE, NULL), "[" S("S") "," U(K) "]",
		  "an agent that opens gets its system prompt and the kick-off");
	CHECK_STR(request(CONTEXT_ECP, turns, 2, "client", "C", SYSTEM_MESSAGE, NULL),
		  "[" S("C") "," U(K) "," A("c1") "," U("r1") "]",
		  "ECP: the opener keeps the kick-off first, then its own turns as assistant, the partner's as user");
	CHECK_STR(request(CONTEXT_ECP, turns, 3, "responder", "R", SYSTEM_MESSAGE, NULL),
		  "[" S("R") "," U("c1") "," A("r1") "," U("c2") "]",
		  "ECP: the responder sees its own turns as assistant, the client's as user");
	CHECK_STR(request(CONTEXT_ECP, turns, 2, "client", "C", SYSTEM_FIRST_USER, NULL),
		  "[" U("C\\n\\n" K) "," A("c1") "," U("r1") "]",
		  "first-user: the system text opens the first user message (here the kick-off)");
	CHECK_STR(request(CONTEXT_ECP, turns, 3, "responder", "R", SYSTEM_FIRST_USER, NULL),
		  "[" U("R\\n\\nc1") "," A("r1") "," U("c2") "]",
		  "first-user: with no kick-off, the partner's first turn carries the system text");
	CHECK_STR(request(CONTEXT_ECP, turns, 4, "client", "C", SYSTEM_MESSAGE, "Why?"),
		  "[" S("C") "," U(K) "," A("c1") "," U("r1") "," A("c2") "," U("r2\\n\\nWhy?") "]",
		  "a probe after the partner's turn joins the partner's message after a blank line");
	CHECK_STR(request(CONTEXT_ECP, turns, 0, "client", "C", SYSTEM_MESSAGE, "Why?"), "[" S("C") "," U("Why?") "]",
		  "the baseline probe: system prompt and question only");
	CHECK_STR(request(CONTEXT_ECP, turns, 0, "client", "C", SYSTEM_FIRST_USER, "Why?"), "[" U("C\\n\\nWhy?") "]",
		  "the baseline probe under first-user");
	CHECK_STR(request(CONTEXT_ECP, rturns, 2, "client", "C", SYSTEM_MESSAGE, "Why?"),
		  "[" S("C") "," U("r1") "," A("c1") "," U("Why?") "]",
		  "a probe after the agent's own turn is a message of its own");
	CHECK_STR(request(CONTEXT_ECP, rturns, 2, "responder", "R", SYSTEM_MESSAGE, NULL),
		  "[" S("R") "," U(K) "," A("r1") "," U("c1") "]",
		  "--opener responder: the responder keeps the kick-off first");
	CHECK_STR(request(CONTEXT_CONCAT, turns, 2, "client", "C", SYSTEM_MESSAGE, NULL),
		  "[" S("C") "," U("c1") "," A("r1") "," U(CUE) "]",
		  "CONCAT: the client's request in fixed roles ends with the continue cue");
	CHECK_STR(request(CONTEXT_CONCAT, turns, 3, "responder", "R", SYSTEM_MESSAGE, NULL),
		  "[" S("R") "," U("c1") "," A("r1") "," U("c2") "]",
		  "CONCAT: the responder gets the same fixed roles, ending with the client");
	CHECK_STR(request(CONTEXT_CONCAT, rturns, 3, "client", "C", SYSTEM_MESSAGE, NULL),
		  "[" S("C") "," U(K) "," A("r1") "," U("c1") "," A("r2") "," U(CUE) "]",
		  "CONCAT with the responder opening: the kick-off leads the transcript");
	jv odd = jv_parse("[1,{\"speaker\":7},{\"text\":null}]");
	CHECK_STR(request(CONTEXT_ECP, odd, 3, "client", "S", SYSTEM_MESSAGE, NULL), "[" S("S") "," U("") "]",
		  "malformed turns project as empty partner turns, merged, never a crash");
	jv_free(odd);

	/* Every request keeps the invariant, and the incremental views give exactly the
	 * text of ecp_request: both modes, both agents, both openers, both placements,
	 * turn requests and probes, at every length. */
	int same = 1, valid = 1;
	jv S = jv_string("S"), Q = jv_string("Q?");
	for (int mode = 0; mode < 2; mode++)
		for (int who = 0; who < 2; who++)
			for (int opener = 0; opener < 2; opener++)
				for (int placement = 0; placement < 2; placement++) {
					const char *self = who ? "responder" : "client";
					jv history = opener ? rturns : turns;
					size_t n = (size_t)jv_array_length(jv_copy(history));
					struct ecp_view v;
					ecp_view_init(&v, S, (enum system_placement)placement);
					for (size_t upto = 0; upto <= n; upto++) {
						for (int probe = 0; probe < 2; probe++) {
							struct buf got = BUF_INIT, want = BUF_INIT, why = BUF_INIT;
							jv q = probe ? Q : jv_invalid();
							ecp_view_request(&v, q, &got);
							ecp_request((enum context_mode)mode, history, upto, self, S,
								    (enum system_placement)placement, q, &want);
							if (strcmp(got.data, want.data) != 0) {
								same = 0;
								printf("#   view %s\n#   want %s\n", got.data,
								       want.data);
							}
							if (chat_check(got.data, got.len, placement == SYSTEM_MESSAGE,
								       &why) != 0) {
								valid = 0;
								printf("#   %s: %s\n", why.data, got.data);
							}
							buf_free(&got);
							buf_free(&want);
							buf_free(&why);
						}
						if (upto < n) {
							jv turn = jv_array_get(jv_copy(history), (int)upto);
							jv speaker = jv_object_get(jv_copy(turn), jv_string("speaker"));
							jv text = jv_object_get(turn, jv_string("text"));
							ecp_view_add(&v, (enum context_mode)mode, self,
								     jv_string_value(speaker), text);
							jv_free(speaker);
							jv_free(text);
						}
					}
					ecp_view_free(&v);
				}
	CHECK(same, "incremental views serialize exactly like ecp_request in every configuration");
	CHECK(valid, "every projected request keeps the chat-template invariant");
	jv_free(S);
	jv_free(Q);
	jv_free(turns);
	jv_free(rturns);
	return UNIT_DONE();
}
