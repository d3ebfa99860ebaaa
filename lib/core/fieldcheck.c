#include <string.h>

#include "buf.h"
#include "fieldcheck.h"
#include "jqexpr.h"
#include "jsonl.h"
#include "jvutil.h"
#include "msg.h"

#define BLOCK_RECORDS 1000
#define BLOCK_BYTES (8u << 20)

jv fieldcheck_block(struct jsonl_reader *in)
{
	return jsonl_lookahead(in, BLOCK_RECORDS, BLOCK_BYTES);
}

static int has_member(jv object, const char *name)
{
	if (jv_get_kind(object) != JV_KIND_OBJECT)
		return 0;
	jv v = jv_object_get(jv_copy(object), jv_string(name));
	int present = jv_is_valid(v) && jv_get_kind(v) != JV_KIND_NULL;
	jv_free(v);
	return present;
}

static int present_in(jv record, const char *name, enum field_place place)
{
	jv fields = jv_object_get(jv_copy(record), jv_string("fields"));
	int found = place != FIELD_AT_TOP && has_member(fields, name);
	jv_free(fields);
	if (!found && place != FIELD_IN_FIELDS)
		found = has_member(record, name);
	return found;
}

/* "age, gender, ..." — the names a record does have, as a hint for the misspelling.
 * Consumes record. */
static void known_names(jv record, enum field_place place, struct buf *out)
{
	jv object = place == FIELD_AT_TOP ? jv_copy(record) : jv_object_get(jv_copy(record), jv_string("fields"));
	if (jv_get_kind(object) != JV_KIND_OBJECT) {
		jv_free(object);
		object = jv_copy(record);
	}
	if (jv_get_kind(object) == JV_KIND_OBJECT) {
		int n = 0;
		jv_object_foreach(object, key, value)
		{
			if (n < 12)
				buf_addf(out, "%s%s", n ? ", " : "", jv_string_value(key));
			else if (n == 12)
				buf_adds(out, ", ...");
			n++;
			jv_free(key);
			jv_free(value);
		}
	}
	jv_free(object);
	jv_free(record);
}

int fieldcheck(const char *option, const char *name, enum field_place place, jv block)
{
	int n = jv_array_length(jv_copy(block));
	if (n == 0)
		return 0;
	int present = 0;
	for (int i = 0; i < n; i++) {
		jv record = jv_array_get(jv_copy(block), i);
		present += present_in(record, name, place);
		jv_free(record);
	}
	if (present == 0) {
		struct buf names = BUF_INIT;
		known_names(jv_array_get(jv_copy(block), 0), place, &names);
		errorf("%s: no record has the field '%s' (none of the first %d; %s: %s); nothing was processed", option,
		       name, n, place == FIELD_AT_TOP ? "they have" : "their fields are",
		       names.data ? names.data : "none");
		buf_free(&names);
		return -1;
	}
	if (present * 2 < n)
		warnf("%s: the field '%s' is missing from %d of the first %d records", option, name, n - present, n);
	return 0;
}

int fieldcheck_expr(const char *option, const char *text, struct jqexpr *e, jv block)
{
	int n = jv_array_length(jv_copy(block));
	int present = 0;
	for (int i = 0; i < n; i++) {
		jv record = jv_array_get(jv_copy(block), i);
		jv value = jqexpr_first(e, record);
		present += jv_is_valid(value) && jv_get_kind(value) != JV_KIND_NULL;
		jv_free(value);
		jv_free(record);
	}
	if (n > 0 && present == 0) {
		errorf("%s '%s' gives null (or an error) for every one of the first %d records: nothing to group "
		       "by; nothing was processed",
		       option, text, n);
		return -1;
	}
	if (present * 2 < n)
		warnf("%s '%s' gives null (or an error) for %d of the first %d records", option, text, n - present, n);
	return 0;
}
