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
