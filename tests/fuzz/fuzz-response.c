/* fuzz-response — reading what a model sent back.
 *
 * The chat-completion parser itself is static in llm.c; what callers build on it is
 * public: reasoning_strip takes the reasoning out of every answer, verdict_parse and
 * audit_parse read a judge's answer text (prose, fences, the first {...} that parses),
 * chat_check reads a request's messages, and embedding_read / embedding_read_many read
 * embedding objects of any JSON kind (records come from other tools and may be wrong). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "audit.h"
#include "buf.h"
#include "chatshape.h"
#include "embedding.h"
#include "jsontext.h"
#include "msg.h"
#include "reasoning.h"
#include "verdict.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	msg_set_program("fuzz-response");
	fuzz_quiet_stderr();
	return 0;
}

static void read_embedding(jv embedding)
{
	float *vec = NULL;
	(void)embedding_read(embedding, &vec);
	free(vec);
	float *vecs = NULL;
	int dim = 0;
	(void)embedding_read_many(embedding, &vecs, &dim);
	free(vecs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_text(data, size);

	struct buf answer = BUF_INIT;
	reasoning_strip((const char *)data, size, "<think>", "</think>", &answer);
	buf_free(&answer);
	struct buf why = BUF_INIT;
	(void)chat_check(text, size, 1, &why);
	buf_free(&why);

	struct buf reason = BUF_INIT;
	jv object = jv_invalid();
	if (verdict_parse(text, "verdict", &reason, &object) >= 0)
		jv_free(object);
	buf_free(&reason);

	jv audit = jv_invalid();
	if (audit_parse(text, &audit) >= 0)
		jv_free(audit);

	/* Only text that parses as JSON reaches the embedding readers, as in the tools
	 * (through json_parse, like every record); the value may be of any kind. */
	jv parsed = json_parse(text, size);
	if (jv_is_valid(parsed)) {
		read_embedding(parsed);
		if (jv_get_kind(parsed) == JV_KIND_OBJECT) {
			jv inner = jv_object_get(jv_copy(parsed), jv_string("embedding"));
			if (jv_is_valid(inner))
				read_embedding(inner);
			jv_free(inner);
		}
	}
	jv_free(parsed);
	free(text);
	return 0;
}
