#include <string.h>

#include "jsontext.h"
#include "jvutil.h"
#include "verdict.h"

jv verdict_first_object(const char *answer)
{
	for (const char *open = strchr(answer, '{'); open; open = strchr(open + 1, '{')) {
		int depth = 0, in_string = 0;
		for (const char *p = open; *p; p++) {
			if (in_string) {
				if (*p == '\\' && p[1])
					p++;
				else if (*p == '"')
					in_string = 0;
				continue;
			}
			if (*p == '"')
				in_string = 1;
			else if (*p == '{')
				depth++;
			else if (*p == '}' && --depth == 0) {
				jv v = json_parse(open, (size_t)(p - open + 1));
				if (jv_get_kind(v) == JV_KIND_OBJECT)
					return v;
				jv_free(v);
				break;
			}
		}
	}
	return jv_invalid();
}

int verdict_parse(const char *answer, const char *key, struct buf *reason, jv *object)
{
	jv obj = verdict_first_object(answer ? answer : "");
	jv v = jvu_get_borrow(obj, key);
	int result = -1;
	if (jv_get_kind(v) == JV_KIND_TRUE)
		result = 1;
	else if (jv_get_kind(v) == JV_KIND_FALSE)
		result = 0;
	jv_free(v);
	if (result >= 0 && reason) {
		jv r = jvu_get_borrow(obj, "reason");
		if (jv_get_kind(r) == JV_KIND_STRING)
			buf_adds(reason, jv_string_value(r));
		jv_free(r);
	}
	if (object && result >= 0)
		*object = jv_copy(obj);
	jv_free(obj);
	return result;
}
