/* audit: the judge's prompt (numbered transcript) and the parsing of its answer. */
#include <string.h>

#include "audit.h"
#include "unit.h"

int main(void)
{
	jv r = jv_parse("{\"description\":\"a nurse\",\"turns\":[{\"speaker\":\"client\",\"text\":\"hi\"},"
			"{\"speaker\":\"responder\",\"text\":\"how can I help?\"},{\"text\":\"who?\"}]}");
	jv m = audit_messages("P: {{description}}\nT:\n{{transcript}}end", r);
	CHECK(jv_equal(m, jv_parse("[{\"role\":\"user\",\"content\":\"P: a nurse\\nT:\\n0. client: hi\\n"
				   "1. responder: how can I help?\\n2. ?: who?\\nend\"}]")),
	      "one user message: turns numbered from 0, a missing speaker shown as ?");
	jv_free(r);
	r = jv_parse("{\"turns\":[]}");
	m = audit_messages("[{{description}}|{{transcript}}]", r);
	CHECK(jv_equal(m, jv_parse("[{\"role\":\"user\",\"content\":\"[(no description)|]\"}]")),
	      "no description reads (no description); no turns an empty transcript");
	jv_free(r);

	jv v;
	CHECK(audit_parse("Sure. ```json\n{\"role_failure\": true, \"category\": \"echoing\", \"turn\": 3, "
			  "\"reason\": \"repeats\"}\n```",
			  &v) == 1,
	      "a fenced answer parses");
	CHECK(jv_equal(v,
		       jv_parse("{\"role_failure\":true,\"category\":\"echoing\",\"turn\":3,\"reason\":\"repeats\"}")),
	      "into the normalised object");
	CHECK(audit_parse("{\"role_failure\": false}", &v) == 1, "a bare verdict parses");
	CHECK(jv_equal(v, jv_parse("{\"role_failure\":false,\"category\":null,\"turn\":null,\"reason\":\"\"}")),
	      "missing category and turn become null, reason empty");
	CHECK(audit_parse("{\"role_failure\": true, \"category\": 5, \"turn\": \"3\"}", &v) == 1, "wrong kinds parse");
	CHECK(jv_equal(v, jv_parse("{\"role_failure\":true,\"category\":null,\"turn\":null,\"reason\":\"\"}")),
	      "but a non-string category and a non-number turn become null");
	v = jv_null();
	CHECK(audit_parse("{\"role_failure\": \"yes\"}", &v) == -1, "a non-boolean role_failure is unparseable");
	CHECK(audit_parse("no json here", &v) == -1, "prose without an object is unparseable, never a pass");
	CHECK(jv_get_kind(v) == JV_KIND_NULL, "an unparseable answer leaves the result alone");
	return UNIT_DONE();
}
