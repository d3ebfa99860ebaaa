#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "jsonfile.h"
#include "jsontext.h"
#include "msg.h"

jv json_read_file(const char *path, size_t max_bytes)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return jv_invalid_with_msg(jv_string_fmt("cannot open '%s': %s", path, strerror(errno)));
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		buf_add(&b, chunk, n);
		if (b.len > max_bytes)
			break;
	}
	int read_error = ferror(f);
	fclose(f);
	if (read_error || b.len > max_bytes) {
		buf_free(&b);
		return jv_invalid_with_msg(
			jv_string_fmt("cannot read '%s': %s", path, read_error ? "read error" : "file too large"));
	}
	if (!b.data || !utf8_valid(b.data, b.len) || memchr(b.data, '\0', b.len)) {
		buf_free(&b);
		return jv_invalid_with_msg(
			jv_string_fmt("%s: not a JSON text (empty, NUL bytes or invalid UTF-8)", path));
	}
	jv v = json_parse(b.data, b.len);
	buf_free(&b);
	if (!jv_is_valid(v)) {
		jv msg = jv_invalid_get_msg(v);
		jv out = jv_invalid_with_msg(
			jv_string_fmt("%s: not valid JSON: %s", path,
				      jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "parse error"));
		jv_free(msg);
		return out;
	}
	return v;
}

void json_report_invalid(jv invalid)
{
	jv msg = jv_invalid_get_msg(invalid);
	errorf("%s", jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "cannot read a JSON file");
	jv_free(msg);
}
