#include <string.h>

#include "msg.h"
#include "reasoning.h"

int reasoning_tags_parse(const char *spec, char **open, char **close)
{
	const char *comma = strchr(spec, ',');
	if (!comma || comma == spec || !comma[1] || strchr(comma + 1, ','))
		return -1;
	size_t n = (size_t)(comma - spec);
	*open = xmalloc(n + 1);
	memcpy(*open, spec, n);
	(*open)[n] = '\0';
	*close = xstrdup(comma + 1);
	return 0;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void reasoning_strip(const char *text, size_t len, const char *open, const char *close, struct buf *out)
{
	size_t olen = strlen(open), clen = strlen(close);
	const char *p = text, *end = text + len;
	const char *first_open = memmem(p, len, open, olen);
	const char *first_close = memmem(p, len, close, clen);
	if (first_close && (!first_open || first_close < first_open))
		p = first_close + clen;
	struct buf kept = BUF_INIT;
	while (p < end) {
		const char *o = memmem(p, (size_t)(end - p), open, olen);
		if (!o) {
			buf_add(&kept, p, (size_t)(end - p));
			break;
		}
		buf_add(&kept, p, (size_t)(o - p));
		const char *c = memmem(o + olen, (size_t)(end - o - olen), close, clen);
		if (!c)
			break;
		p = c + clen;
	}
	size_t from = 0, to = kept.len;
	while (from < to && is_space(kept.data[from]))
		from++;
	while (to > from && is_space(kept.data[to - 1]))
		to--;
	buf_add(out, kept.data ? kept.data + from : "", to - from);
	buf_free(&kept);
}
