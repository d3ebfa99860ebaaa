#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "jsontext.h"
#include "msg.h"
#include "textarg.h"

int textarg_read_file(const char *option, const char *path, struct buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		errorf("%s: cannot open '%s': %s", option, path, strerror(errno));
		return -1;
	}
	char chunk[8192];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, f)) > 0 && b->len <= TEXTARG_MAX_BYTES)
		buf_add(b, chunk, got);
	int failed = ferror(f);
	fclose(f);
	if (failed) {
		errorf("%s: cannot read '%s'", option, path);
		return -1;
	}
	if (b->len > TEXTARG_MAX_BYTES) {
		errorf("%s: '%s' is larger than 1 MiB", option, path);
		return -1;
	}
	if (memchr(b->data ? b->data : "", '\0', b->len) || !utf8_valid(b->data ? b->data : "", b->len)) {
		errorf("%s: '%s' is not UTF-8 text", option, path);
		return -1;
	}
	return 0;
}

int textarg_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

jv textarg_load(const char *option, const char *arg)
{
	struct buf b = BUF_INIT;
	int from_file = arg[0] == '@';
	if (from_file) {
		if (textarg_read_file(option, arg + 1, &b) < 0) {
			buf_free(&b);
			return jv_invalid();
		}
	} else {
		buf_adds(&b, arg);
	}
	const char *s = b.data ? b.data : "";
	size_t len = b.len;
	while (len && textarg_is_space(s[len - 1]))
		len--;
	while (len && textarg_is_space(*s)) {
		s++;
		len--;
	}
	jv text = len ? jv_string_sized(s, (int)len) : jv_invalid();
	if (!len && from_file)
		errorf("%s: '%s' is empty", option, arg + 1);
	else if (!len)
		errorf("%s: the text is empty", option);
	buf_free(&b);
	return text;
}
