#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jvutil.h"
#include "msg.h"
#include "prompt.h"
#include "share.h"

#define MAX_PROMPT_BYTES (1024 * 1024)

char *prompt_load(const char *name)
{
	char *path = share_resolve("prompt template", "prompts", name, ".txt", 1);
	if (!path)
		return NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		errorf("cannot open '%s': %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && b.len <= MAX_PROMPT_BYTES)
		buf_add(&b, chunk, n);
	fclose(f);
	if (b.len > MAX_PROMPT_BYTES || !b.data) {
		errorf("'%s': %s", path, b.data ? "prompt template larger than 1 MiB" : "empty prompt template");
		buf_free(&b);
		free(path);
		return NULL;
	}
	free(path);
	return b.data;
}

void prompt_value_text(jv value, struct buf *out)
{
	switch (jv_get_kind(value)) {
	case JV_KIND_STRING:
		buf_adds(out, jv_string_value(value));
		break;
	case JV_KIND_NULL:
	case JV_KIND_INVALID:
		break;
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(value));
		for (int i = 0; i < n; i++) {
			if (i)
				buf_adds(out, ", ");
			jv item = jv_array_get(jv_copy(value), i);
			prompt_value_text(item, out);
			jv_free(item);
		}
		break;
	}
	default: {
		jv text = jv_dump_string(jv_copy(value), 0);
		buf_adds(out, jv_string_value(text));
		jv_free(text);
	}
	}
}

static void add_field_lines(jv fields, struct buf *out)
{
	if (jv_get_kind(fields) != JV_KIND_OBJECT)
		return;
	jv_object_foreach(fields, key, value)
	{
		buf_addf(out, "- %s: ", jv_string_value(key));
		prompt_value_text(value, out);
		buf_addc(out, '\n');
		jv_free(key);
		jv_free(value);
	}
}

int prompt_expand(const char *tmpl, jv record, struct buf *out, struct buf *err)
{
	jv fields = jvu_get_borrow(record, "fields");
	const char *p = tmpl;
	int rc = 0;
	while (*p) {
		const char *open = strstr(p, "{{");
		if (!open) {
			buf_adds(out, p);
			break;
		}
		buf_add(out, p, (size_t)(open - p));
		const char *close = strstr(open + 2, "}}");
		if (!close) {
			buf_adds(out, open);
			break;
		}
		size_t n = (size_t)(close - open - 2);
		char name[128];
		if (n == 0 || n >= sizeof name) {
			buf_add(out, open, (size_t)(close + 2 - open));
			p = close + 2;
			continue;
		}
		memcpy(name, open + 2, n);
		name[n] = '\0';
		if (strcmp(name, "fields") == 0) {
			add_field_lines(fields, out);
		} else {
			jv v = jvu_get_borrow(fields, name);
			if (jv_get_kind(v) == JV_KIND_INVALID) {
				jv_free(v);
				v = jvu_get_borrow(record, name);
			}
			if (jv_get_kind(v) == JV_KIND_INVALID) {
				if (rc == 0)
					buf_addf(err, "prompt placeholder '{{%s}}' has no value in this record", name);
				rc = -1;
			} else {
				prompt_value_text(v, out);
			}
			jv_free(v);
		}
		p = close + 2;
	}
	jv_free(fields);
	return rc;
}
