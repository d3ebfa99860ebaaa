#include <math.h>

#include "jvutil.h"

jv jvu_get_borrow(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	return v;
}

jv_kind jvu_kind_borrow(jv obj, const char *key)
{
	jv v = jvu_get_borrow(obj, key);
	jv_kind k = jv_get_kind(v);
	jv_free(v);
	return k;
}

const char *jvu_kind_name(jv_kind k)
{
	switch (k) {
	case JV_KIND_NULL: return "null";
	case JV_KIND_FALSE:
	case JV_KIND_TRUE: return "a boolean";
	case JV_KIND_NUMBER: return "a number";
	case JV_KIND_STRING: return "a string";
	case JV_KIND_ARRAY: return "an array";
	case JV_KIND_OBJECT: return "an object";
	default: return "nothing";
	}
}

jv jvu_set(jv obj, const char *key, jv value)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT) {
		jv_free(value);
		return obj;
	}
	return jv_object_set(obj, jv_string(key), value);
}

int jvu_is_integer(double x)
{
	return isfinite(x) && x == floor(x) && fabs(x) <= 9007199254740992.0;
}
