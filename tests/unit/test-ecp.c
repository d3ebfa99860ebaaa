#include "ecp.h"
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
	jv turns = jv_parse("[{\"speaker\":\"client\",\"text\":\"c1\"},{\"speaker\":\"responder\",\"text\":\"r1\"},"
			    "{\"speaker\":\"client\",\"text\":\"c2\"}]");
	CHECK_STR(dump(ecp_project(CONTEXT_ECP, turns, 0, "client", "S")),
		  "[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"" ECP_KICKOFF "\"}]",
		  "an agent that opens gets its system prompt and the kick-off");
	CHECK_STR(dump(ecp_project(CONTEXT_ECP, turns, 2, "client", "C")),
		  "[{\"role\":\"system\",\"content\":\"C\"},{\"role\":\"assistant\",\"content\":\"c1\"},{\"role\":\"user\",\"content\":\"r1\"}]",
		  "ECP: the client sees its own turns as assistant, the responder's as user");
	CHECK_STR(dump(ecp_project(CONTEXT_ECP, turns, 3, "responder", "R")),
		  "[{\"role\":\"system\",\"content\":\"R\"},{\"role\":\"user\",\"content\":\"c1\"},{\"role\":\"assistant\",\"content\":\"r1\"},{\"role\":\"user\",\"content\":\"c2\"}]",
		  "ECP: the responder sees its own turns as assistant, the client's as user");
	CHECK_STR(dump(ecp_project(CONTEXT_CONCAT, turns, 2, "client", "C")),
		  "[{\"role\":\"system\",\"content\":\"C\"},{\"role\":\"user\",\"content\":\"c1\"},{\"role\":\"assistant\",\"content\":\"r1\"}]",
		  "CONCAT: the client gets fixed roles, so its request ends with an assistant message");
	CHECK_STR(dump(ecp_project(CONTEXT_CONCAT, turns, 3, "responder", "R")),
		  "[{\"role\":\"system\",\"content\":\"R\"},{\"role\":\"user\",\"content\":\"c1\"},{\"role\":\"assistant\",\"content\":\"r1\"},{\"role\":\"user\",\"content\":\"c2\"}]",
		  "CONCAT: the responder gets the same fixed roles");
	jv odd = jv_parse("[1,{\"speaker\":7},{\"text\":null}]");
	CHECK_STR(dump(ecp_project(CONTEXT_ECP, odd, 3, "client", "S")),
		  "[{\"role\":\"system\",\"content\":\"S\"},{\"role\":\"user\",\"content\":\"\"},{\"role\":\"user\",\"content\":\"\"},{\"role\":\"user\",\"content\":\"\"}]",
		  "malformed turns project as empty partner turns, never a crash");
	jv_free(odd);
	jv_free(turns);
	return UNIT_DONE();
}
