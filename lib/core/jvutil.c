#include <math.h>

#include "jvutil.h"

jv jvu_get_borrow(jv obj, const char *key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT)
		return jv_invalid();
	jv v = jv_object_get(jv_copy(obj), jv_string(key));
	return v;
}

jv jvu_get_key_borrow(jv obj, jv key)
{
	if (jv_get_kind(obj) != JV_KIND_OBJECT || jv_get_kind(key) != JV_KIND_STRING)
		return jv_invalid();
	return jv_object_get(jv_copy(obj), jv_copy(key));
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
	case JV_KIND_NULL:
		return "null";
	case JV_KIND_FALSE:
	case JV_KIND_TRUE:
		return "a boolean";
	case JV_KIND_NUMBER:
		return "a number";
	case JV_KIND_STRING:
		return "a string";
	case JV_KIND_ARRAY:
		return "an array";
	case JV_KIND_OBJECT:
		return "an object";
	default:
		return "nothing";
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

void jvu_dump(jv v, struct buf *out)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_NULL:
	case JV_KIND_INVALID:
		buf_add(out, "null", 4);
		return;
	case JV_KIND_FALSE:
		buf_add(out, "false", 5);
		return;
	case JV_KIND_TRUE:
		buf_add(out, "true", 4);
		return;
	case JV_KIND_NUMBER: {
		double d = jv_number_value(v);
		/* jq prints infinities as the largest finite doubles; keep output valid JSON. */
		if (isinf(d))
			d = d > 0 ? 1.7976931348623157e308 : -1.7976931348623157e308;
		json_add_double(out, d);
		return;
	}
	case JV_KIND_STRING:
		json_add_string_n(out, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
		return;
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(v));
		buf_addc(out, '[');
		for (int i = 0; i < n; i++) {
			if (i)
				buf_addc(out, ',');
			jv item = jv_array_get(jv_copy(v), i);
			jvu_dump(item, out);
			jv_free(item);
		}
		buf_addc(out, ']');
		return;
	}
	case JV_KIND_OBJECT: {
		int first = 1;
		buf_addc(out, '{');
		jv_object_foreach(v, key, value)
		{
			if (!first)
				buf_addc(out, ',');
			first = 0;
			json_add_string_n(out, jv_string_value(key), (size_t)jv_string_length_bytes(jv_copy(key)));
			buf_addc(out, ':');
			jvu_dump(value, out);
			jv_free(key);
			jv_free(value);
		}
		buf_addc(out, '}');
		return;
	}
	}
}

jv jvu_figure(double x)
{
	if (!isfinite(x))
		return jv_null();
	/* Adding 0 turns a rounded -0 (say 1 - cos of two equal vectors, -1e-9) into 0. */
	return jv_number(round(x * 1e6) / 1e6 + 0.0);
}
