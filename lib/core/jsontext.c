#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
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

/* ---------- values from checked text ---------- */

/* libjq 1.6 parses a byte at a time through a function call each, and that was most of
 * the cost of reading a model's reply or a record. Text that passed json_check is built
 * here directly into the values libjq would give: the same strings (jv_string_sized
 * treats bad UTF-8 as libjq's parser does), the same doubles (strtod and libjq's
 * jvp_strtod both round correctly), members set in the same order. A \u escape of a
 * surrogate or a number longer than NUMBER_MAX is left to libjq, text and all. */

#define NUMBER_MAX 64

struct builder {
	const unsigned char *p, *end;
	struct buf text; /* a string with escapes, undone */
};

static int build_value(struct builder *b, jv *out);

/* The \uXXXX at b->p as UTF-8 into b->text; 0 for a surrogate. */
static int build_unicode(struct builder *b)
{
	unsigned code;
	hex4(b->p + 2, b->end, &code);
	if (code >= 0xD800 && code <= 0xDFFF)
		return 0;
	char utf8[3];
	size_t n = 1;
	if (code < 0x80) {
		utf8[0] = (char)code;
	} else if (code < 0x800) {
		utf8[0] = (char)(0xC0 | (code >> 6));
		utf8[1] = (char)(0x80 | (code & 0x3F));
		n = 2;
	} else {
		utf8[0] = (char)(0xE0 | (code >> 12));
		utf8[1] = (char)(0x80 | ((code >> 6) & 0x3F));
		utf8[2] = (char)(0x80 | (code & 0x3F));
		n = 3;
	}
	buf_add(&b->text, utf8, n);
	b->p += 6;
	return 1;
}

static const unsigned char *string_run(const unsigned char *p, const unsigned char *end)
{
	while (p < end && *p != '"' && *p != '\\')
		p++;
	return p;
}

/* b->p at the opening quote. */
static int build_string(struct builder *b, jv *out)
{
	const unsigned char *start = ++b->p;
	b->p = string_run(b->p, b->end);
	if (*b->p == '"') {
		*out = jv_string_sized((const char *)start, (int)(b->p++ - start));
		return 1;
	}
	buf_reset(&b->text);
	buf_add(&b->text, start, (size_t)(b->p - start));
	while (*b->p != '"') {
		if (*b->p != '\\') {
			const unsigned char *run = b->p;
			b->p = string_run(b->p, b->end);
			buf_add(&b->text, run, (size_t)(b->p - run));
			continue;
		}
		static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
		const char *known = strchr(from, b->p[1]);
		if (b->p[1] == 'u') {
			if (!build_unicode(b))
				return 0;
		} else {
			buf_addc(&b->text, to[known - from]);
			b->p += 2;
		}
	}
	b->p++;
	*out = jv_string_sized(b->text.data, (int)b->text.len);
	return 1;
}

static int build_number(struct builder *b, jv *out)
{
	const unsigned char *start = b->p;
	while (b->p < b->end && strchr("+-.0123456789eE", *b->p) && *b->p)
		b->p++;
	size_t n = (size_t)(b->p - start);
	if (n >= NUMBER_MAX)
		return 0;
	char digits[NUMBER_MAX];
	memcpy(digits, start, n);
	digits[n] = '\0';
	*out = jv_number(strtod(digits, NULL));
	return 1;
}

/* b->p at '[' or '{'. */
static int build_container(struct builder *b, jv *out)
{
	int object = *b->p++ == '{';
	jv value = object ? jv_object() : jv_array();
	b->p = skip_space(b->p, b->end);
	if (*b->p == (object ? '}' : ']')) {
		b->p++;
		*out = value;
		return 1;
	}
	for (;;) {
		jv key = jv_invalid(), member;
		if (object) {
			b->p = skip_space(b->p, b->end);
			if (!build_string(b, &key)) {
				jv_free(value);
				return 0;
			}
			b->p = skip_space(b->p, b->end) + 1; /* the ':' */
		}
		if (!build_value(b, &member)) {
			jv_free(key);
			jv_free(value);
			return 0;
		}
		value = object ? jv_object_set(value, key, member) : jv_array_append(value, member);
		b->p = skip_space(b->p, b->end);
		if (*b->p++ != ',')
			break; /* the closing bracket */
	}
	*out = value;
	return 1;
}

static int build_value(struct builder *b, jv *out)
{
	b->p = skip_space(b->p, b->end);
	switch (*b->p) {
	case '"':
		return build_string(b, out);
	case '[':
	case '{':
		return build_container(b, out);
	case 't':
		b->p += 4;
		*out = jv_true();
		return 1;
	case 'f':
		b->p += 5;
		*out = jv_false();
		return 1;
	case 'n':
		b->p += 4;
		*out = jv_null();
		return 1;
	default:
		return build_number(b, out);
	}
}

jv json_parse(const char *text, size_t len)
{
	char err[160];
	if (json_check(text, len, err, sizeof err) < 0)
		return jv_invalid_with_msg(jv_string(err));
	struct builder b = { (const unsigned char *)text, (const unsigned char *)text + len, BUF_INIT };
	jv value;
	int built = build_value(&b, &value);
	buf_free(&b.text);
	return built ? value : jv_parse_sized(text, (int)len);
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
