#include <stdio.h>

#include "audit.h"
#include "buf.h"
#include "convtext.h"
#include "llm.h"
#include "jvutil.h"
#include "prompt.h"
#include "verdict.h"

jv audit_messages(const char *tmpl, jv record)
{
	struct buf transcript = BUF_INIT;
	conversation_transcript(record, &transcript);
	jv context = jv_object();
	context = jv_object_set(context, jv_string("transcript"), jv_string(transcript.data ? transcript.data : ""));
	context = jv_object_set(context, jv_string("description"), jvu_get_borrow(record, "description"));
	if (jvu_kind_borrow(context, "description") != JV_KIND_STRING)
		context = jv_object_set(context, jv_string("description"), jv_string("(no description)"));
	struct buf prompt = BUF_INIT, err = BUF_INIT;
	prompt_expand(tmpl, context, &prompt, &err);
	jv messages = llm_user_prompt(prompt.data ? prompt.data : "");
	jv_free(context);
	buf_free(&transcript);
	buf_free(&prompt);
	buf_free(&err);
	return messages;
}

int audit_parse(const char *answer, jv *result)
{
	jv obj = jv_invalid();
	struct buf reason = BUF_INIT;
	int failure = verdict_parse(answer, "role_failure", &reason, &obj);
	if (failure < 0) {
		buf_free(&reason);
		return -1;
	}
	jv category = jvu_get_borrow(obj, "category"), turn = jvu_get_borrow(obj, "turn");
	jv r = jv_object();
	r = jv_object_set(r, jv_string("role_failure"), failure ? jv_true() : jv_false());
	r = jv_object_set(r, jv_string("category"),
			  jv_get_kind(category) == JV_KIND_STRING ? jv_copy(category) : jv_null());
	r = jv_object_set(r, jv_string("turn"), jv_get_kind(turn) == JV_KIND_NUMBER ? jv_copy(turn) : jv_null());
	r = jv_object_set(r, jv_string("reason"), jv_string(reason.data ? reason.data : ""));
	jv_free(category);
	jv_free(turn);
	jv_free(obj);
	buf_free(&reason);
	*result = r;
	return 1;
}
