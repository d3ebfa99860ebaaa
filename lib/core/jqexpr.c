#include <stdlib.h>
#include <jq.h>

#include "jqexpr.h"
#include "msg.h"

struct jqexpr {
	jq_state *jq;
	struct buf *messages; /* where the error callback writes; set around each call */
};

static void collect_message(void *data, jv msg)
{
	struct jqexpr *e = data;
	if (e->messages) {
		if (e->messages->len)
			buf_adds(e->messages, "; ");
		if (jv_get_kind(msg) == JV_KIND_STRING) {
			buf_adds(e->messages, jv_string_value(msg));
		} else {
			jv text = jv_dump_string(jv_copy(msg), 0);
			buf_adds(e->messages, jv_string_value(text));
			jv_free(text);
		}
	}
	jv_free(msg);
}

struct jqexpr *jqexpr_compile(const char *text, struct buf *err)
{
	struct jqexpr *e = xcalloc(1, sizeof *e);
	e->jq = jq_init();
	if (!e->jq)
		fatalf(EXIT_SOME_FAILED, "cannot start the jq interpreter");
	e->messages = err;
	jq_set_error_cb(e->jq, collect_message, e);
	int ok = jq_compile(e->jq, text);
	e->messages = NULL;
	if (!ok) {
		jqexpr_free(e);
		return NULL;
	}
	return e;
}

jv jqexpr_first(struct jqexpr *e, jv input)
{
	jq_start(e->jq, jv_copy(input), 0);
	jv out = jq_next(e->jq);
	return out;
}

int jqexpr_test(struct jqexpr *e, jv input, struct buf *err)
{
	jv out = jqexpr_first(e, input);
	jv_kind k = jv_get_kind(out);
	if (k == JV_KIND_INVALID) {
		int failed = jv_invalid_has_msg(jv_copy(out));
		if (failed && err) {
			jv msg = jv_invalid_get_msg(out);
			buf_adds(err, jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "jq error");
			jv_free(msg);
		} else {
			jv_free(out);
		}
		return failed ? -1 : 0;
	}
	jv_free(out);
	return k != JV_KIND_FALSE && k != JV_KIND_NULL;
}

void jqexpr_free(struct jqexpr *e)
{
	if (!e)
		return;
	jq_teardown(&e->jq);
	free(e);
}

struct jqexpr *jqexpr_compile_option(const char *option, const char *program)
{
	struct buf err = BUF_INIT;
	struct jqexpr *e = jqexpr_compile(program, &err);
	if (!e)
		errorf("%s '%s' is not a valid jq expression: %s", option, program, err.data ? err.data : "");
	buf_free(&err);
	return e;
}
