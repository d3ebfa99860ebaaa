#include <stdio.h>
#include <string.h>

#include "jsontext.h"

static const unsigned char *skip_space(const unsigned char *p, const unsigned char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static int is_digit(const unsigned char *p, const unsigned char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

static int is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Four hex digits at p (within end): 1 and their value, or 0. */
static int hex4(const unsigned char *p, const unsigned char *end, unsigned *value)
{
	*value = 0;
	for (int i = 0; i < 4; i++) {
		if (p + i >= end || !is_hex(p[i]))
			return 0;
		unsigned char c = p[i];
		*value = *value * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
	}
	return 1;
}

/* p at the opening quote; returns the byte after the closing one, or NULL with *problem. */
static const unsigned char *scan_string(const unsigned char *p, const unsigned char *end, const char **problem,
					const unsigned char **at)
{
	for (p++; p < end; p++) {
		if (*p == '"')
			return p + 1;
		if (*p < 0x20) {
			*problem = "control character in a string (it must be escaped)";
			*at = p;
			return NULL;
		}
		if (*p != '\\')
			continue;
		if (++p == end)
			break;
		if (*p == 'u') {
			unsigned code;
			if (!hex4(p + 1, end, &code)) {
				*problem = "bad \\u escape (four hex digits expected)";
				*at = p;
				return NULL;
			}
			/* libjq refuses a high surrogate without its low half; so do we. */
			unsigned low;
			if (code >= 0xD800 && code <= 0xDBFF &&
			    !(p + 6 < end && p[5] == '\\' && p[6] == 'u' && hex4(p + 7, end, &low) && low >= 0xDC00 &&
			      low <= 0xDFFF)) {
				*problem = "unpaired surrogate in a \\u escape";
				*at = p;
				return NULL;
			}
			p += 4;
		} else if (!strchr("\"\\/bfnrt", *p) || *p == '\0') {
			*problem = "bad escape in a string";
			*at = p;
			return NULL;
		}
	}
	*problem = "unterminated string";
	*at = end;
	return NULL;
}

/* RFC 8259 numbers: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static const unsigned char *scan_number(const unsigned char *p, const unsigned char *end)
{
	if (p < end && *p == '-')
		p++;
	if (!is_digit(p, end))
		return NULL;
	if (*p == '0')
		p++;
	else
		while (is_digit(p, end))
			p++;
	if (p < end && *p == '.') {
		p++;
		if (!is_digit(p, end))
			return NULL;
		while (is_digit(p, end))
			p++;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		if (!is_digit(p, end))
			return NULL;
		while (is_digit(p, end))
			p++;
	}
	/* "01" or "1x": the number must end where a value may end. */
	if (p < end && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '.'))
		return NULL;
	return p;
}

static const unsigned char *scan_literal(const unsigned char *p, const unsigned char *end)
{
	static const char *const words[] = { "true", "false", "null" };
	for (size_t i = 0; i < 3; i++) {
		size_t n = strlen(words[i]);
		if ((size_t)(end - p) >= n && memcmp(p, words[i], n) == 0 &&
		    !((size_t)(end - p) > n && ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= '0' && p[n] <= '9'))))
			return p + n;
	}
	return NULL;
}

int json_check(const char *text, size_t len, char *err, size_t errlen)
{
	const unsigned char *start = (const unsigned char *)text, *end = start + len, *p = start;
	const unsigned char *at = NULL;
	const char *problem = NULL;
	char open[JSON_MAX_DEPTH]; /* '[' or '{' for each open container */
	int depth = 0;

want_value:
	p = skip_space(p, end);
	if (p == end) {
		problem = depth ? "unfinished array or object" : "no JSON value";
		goto fail;
	}
	switch (*p) {
	case '[':
	case '{':
		if (depth == JSON_MAX_DEPTH) {
			problem = "nested deeper than 256 levels";
			goto fail;
		}
		open[depth++] = (char)*p++;
		p = skip_space(p, end);
		if (p < end && *p == (open[depth - 1] == '[' ? ']' : '}')) {
			depth--;
			p++;
			goto after_value;
		}
		if (open[depth - 1] == '{')
			goto want_key;
		goto want_value;
	case '"':
		if (!(p = scan_string(p, end, &problem, &at)))
			goto fail;
		goto after_value;
	case 't':
	case 'f':
	case 'n':
		if (!(p = scan_literal(at = p, end))) {
			problem = "not a JSON value (true, false and null are the only words)";
			goto fail;
		}
		goto after_value;
	default:
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			if (!(p = scan_number(at = p, end))) {
				problem = "bad number";
				goto fail;
			}
			goto after_value;
		}
		problem = "expected a value";
		goto fail;
	}

want_key:
	p = skip_space(p, end);
	if (p == end || *p != '"') {
		problem = p == end ? "unfinished object" : "expected a string key";
		goto fail;
	}
	if (!(p = scan_string(p, end, &problem, &at)))
		goto fail;
	p = skip_space(p, end);
	if (p == end || *p != ':') {
		problem = "expected ':' after a key";
		goto fail;
	}
	p++;
	goto want_value;

after_value:
	p = skip_space(p, end);
	if (depth == 0) {
		if (p == end)
			return 0;
		problem = "unexpected text after the value";
		goto fail;
	}
	if (p == end) {
		problem = open[depth - 1] == '[' ? "unfinished array" : "unfinished object";
		goto fail;
	}
	if (*p == ',') {
		p++;
		if (open[depth - 1] == '{')
			goto want_key;
		goto want_value;
	}
	if (*p == (open[depth - 1] == '[' ? ']' : '}')) {
		depth--;
		p++;
		goto after_value;
	}
	problem = open[depth - 1] == '[' ? "expected ',' or ']'" : "expected ',' or '}'";

fail:
	if (!at || at < p)
		at = p;
	{
		long line = 1, column = 1;
		for (const unsigned char *q = start; q < at && q < end; q++) {
			if (*q == '\n') {
				line++;
				column = 1;
			} else {
				column++;
			}
		}
		snprintf(err, errlen, "%s at line %ld, column %ld", problem, line, column);
	}
	return -1;
}

jv json_parse(const char *text, size_t len)
{
	char err[160];
	if (json_check(text, len, err, sizeof err) < 0)
		return jv_invalid_with_msg(jv_string(err));
	return jv_parse_sized(text, (int)len);
}

int utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	while (p < end) {
		unsigned char c = *p;
		if (c < 0x80) {
			p++;
			continue;
		}
		size_t need;
		unsigned int cp;
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return 0;
		if ((size_t)(end - p) <= need)
			return 0;
		for (size_t i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += need + 1;
	}
	return 1;
}
