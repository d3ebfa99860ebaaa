#include "ecp.h"
#include "jvutil.h"
#include "unit.h"

static const char *dump(jv v)
{
	static char text[2048];
	jv s = jv_dump_string(v, 0);
	snprintf(text, sizeof text, "%s", jv_string_value(s));
	jv_free(s);
	return text;
}

int main(void)
{
	jv S = jv_string("S"), C = jv_string("C"), R = jv_string("R");
	jv turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"c1\"},{\"speaker\":\"responder\",\"text\":\"r1\"},"
			    "{\"speaker\":\"client\",\"text\":\"c2\"}]");
	CHECK_STR(dump(ecp_project(CONTEXT_ECP, turns, 0, "client", S)),
		  "[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"" ECP_KICKOFF "\"}]",
		  "an agent that opens gets its system prompt and the kick-off");
	CHECK_STR(dump(ecp_project(CONTEXT_ECP, turns, 2, "client", C)),
		  "[{\"role\":\"system\",\"content\":\"C\"},{\"role\":\"assistant\",\"content\":\"c1\"},{\"role\":\"user\",\"content\":\"r1\"}]",
		  "ECP: the client sees its own turns as assistant, the responder's as user");
	CHECK_STR(dump(ecp_project(CONTEXT_ECP, turns, 3, "responder", R)),
		  "[{\"role\":\"system\",\"content\":\"R\"},{\"role\":\"user\",\"content\":\"c1\"},{\"role\":\"assistant\",\"content\":\"r1\"},{\"role\":\"user\",\"content\":\"c2\"}]",
		  "ECP: the responder sees its own turns as assistant, the client's as user");
	CHECK_STR(dump(ecp_project(CONTEXT_CONCAT, turns, 2, "client", C)),
		  "[{\"role\":\"system\",\"content\":\"C\"},{\"role\":\"user\",\"content\":\"c1\"},{\"role\":\"assistant\",\"content\":\"r1\"}]",
		  "CONCAT: the client gets fixed roles, so its request ends with an assistant message");
	CHECK_STR(dump(ecp_project(CONTEXT_CONCAT, turns, 3, "responder", R)),
		  "[{\"role\":\"system\",\"content\":\"R\"},{\"role\":\"user\",\"content\":\"c1\"},{\"role\":\"assistant\",\"content\":\"r1\"},{\"role\":\"user\",\"content\":\"c2\"}]",
		  "CONCAT: the responder gets the same fixed roles");
	jv odd = jv_parse("[1,{\"speaker\":7},{\"text\":null}]");
	CHECK_STR(dump(ecp_project(CONTEXT_ECP, odd, 3, "client", S)),
		  "[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"\"},{\"role\":\"user\",\"content\":\"\"},{\"role\":\"user\",\"content\":\"\"}]",
		  "malformed turns project as empty partner turns, never a crash");
	/* The incremental views give exactly the arrays ecp_project gives. */
	int same = 1;
	for (int mode = 0; mode < 2; mode++) {
		for (int who = 0; who < 2; who++) {
			const char *self = who ? "responder" : "client";
			struct ecp_view v;
			ecp_view_init(&v, S);
			for (size_t upto = 0; upto <= 3; upto++) {
				struct buf got = BUF_INIT, want = BUF_INIT;
				ecp_view_messages(&v, 1, jv_invalid(), &got);
				jv projected = ecp_project((enum context_mode)mode, turns, upto, self, S);
				jvu_dump(projected, &want);
				jv_free(projected);
				if (strcmp(got.data, want.data) != 0)
					same = 0;
				buf_free(&got);
				buf_free(&want);
				if (upto < 3) {
					jv turn = jv_array_get(jv_copy(turns), (int)upto);
					jv speaker = jv_object_get(jv_copy(turn), jv_string("speaker"));
					jv text = jv_object_get(turn, jv_string("text"));
					ecp_view_add(&v, (enum context_mode)mode, self, jv_string_value(speaker), text);
					jv_free(speaker);
					jv_free(text);
				}
			}
			ecp_view_free(&v);
		}
	}
	CHECK(same, "incremental views serialize exactly like ecp_project, in both modes, for both agents");
	jv_free(odd);
	jv_free(turns);
	jv_free(S);
	jv_free(C);
	jv_free(R);
	return UNIT_DONE();
}
