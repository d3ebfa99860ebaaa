#include <stdio.h>
#include <string.h>

#include "jvutil.h"
#include "record.h"

jv record_set_failed(jv record, const char *kind, const char *message, int attempts)
{
	jv error = jv_object();
	error = jv_object_set(error, jv_string("kind"), jv_string(kind));
	error = jv_object_set(error, jv_string("message"), jv_string(message));
	error = jv_object_set(error, jv_string("attempts"), jv_number(attempts));
	record = jvu_set(record, "status", jv_string("failed"));
	return jvu_set(record, "error", error);
}

const char *record_id(jv record)
{
	if (jv_get_kind(record) != JV_KIND_OBJECT)
		return "?";
	jv id = jv_object_get(jv_copy(record), jv_string("id"));
	/* The string stays alive inside the record; only our extra reference goes. */
	const char *text = jv_get_kind(id) == JV_KIND_STRING ? jv_string_value(id) : "?";
	jv_free(id);
	return text;
}

jv record_clear_failed(jv record)
{
	record = jv_object_delete(record, jv_string("status"));
	return jv_object_delete(record, jv_string("error"));
}

static const char *string_or(jv value, const char *otherwise)
{
	return jv_get_kind(value) == JV_KIND_STRING ? jv_string_value(value) : otherwise;
}

int record_failed_earlier(jv record, char *why, size_t n)
{
	jv status = jvu_get_borrow(record, "status");
	int failed = jv_get_kind(status) == JV_KIND_STRING && strcmp(jv_string_value(status), "failed") == 0;
	jv_free(status);
	if (!failed)
		return 0;
	jv error = jvu_get_borrow(record, "error");
	jv kind = jvu_get_borrow(error, "kind"), message = jvu_get_borrow(error, "message");
	snprintf(why, n, "%s: %s", string_or(kind, "unknown"), string_or(message, "no message"));
	jv_free(kind);
	jv_free(message);
	jv_free(error);
	return 1;
}
