#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "msg.h"

void buf_reserve(struct buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n)
{
	buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_adds(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void buf_addc(struct buf *b, char c)
{
	buf_reserve(b, 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void json_add_string_n(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	buf_reserve(b, n + 2);
	buf_addc(b, '"');
	size_t start = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		/* jq escapes DEL too; matching it keeps pass-through byte-identical. */
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		buf_add(b, s + start, i - start);
		start = i + 1;
		switch (c) {
		case '"':
			buf_add(b, "\\\"", 2);
			break;
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		case '\b':
			buf_add(b, "\\b", 2);
			break;
		case '\f':
			buf_add(b, "\\f", 2);
			break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			buf_add(b, esc, 6);
		}
		}
	}
	buf_add(b, s + start, n - start);
	buf_addc(b, '"');
}

void json_add_string(struct buf *b, const char *s)
{
	json_add_string_n(b, s, strlen(s));
}

void json_add_int(struct buf *b, int64_t v)
{
	/* Without printf: vectors are full of zeros. */
	char tmp[24];
	int n = sizeof tmp;
	uint64_t u = v < 0 ? -(uint64_t)v : (uint64_t)v;
	do {
		tmp[--n] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		tmp[--n] = '-';
	buf_add(b, tmp + n, sizeof tmp - (size_t)n);
}

/* Numbers are written the way jq 1.6 writes them, so records that pass through our
 * tools stay byte-identical to `jq -c .`: the shortest digits that read back to the
 * same double, in plain notation unless the decimal point would sit more than 15
 * places past the digits or 4 or more places before them (then 1e+16, 1e-05). */
/* The shortest digits of a > 0 when there are at most 15 of them, without printf
 * (which dominates the cost of writing vectors): m = a * 10^s rounded, for exact
 * powers of ten, round-trips when m / 10^s == a (one correctly rounded operation on
 * exact operands is what strtod of the decimal m * 10^-s gives). 0, or -1 to fall
 * back to printf. */
static int short_digits(double a, char *digits, int *ndigits, int *decpt)
{
	static const double p10[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
				      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	if (!(a >= 1e-7 && a < 1e15))
		return -1;
	int e10 = (int)floor(log10(a));
	for (int n = 1; n <= 15; n++) {
		int s = n - 1 - e10;
		if (s < 0 || s > 22)
			continue;
		double m = nearbyint(a * p10[s]);
		if (m <= 0 || m >= 1e16 || m / p10[s] != a)
			continue;
		char text[24];
		int len = 0;
		for (unsigned long long k = (unsigned long long)m; k; k /= 10)
			text[len++] = (char)('0' + k % 10);
		int d = 0;
		for (int i = len - 1; i >= 0; i--)
			digits[d++] = text[i];
		while (d > 1 && digits[d - 1] == '0')
			d--;
		digits[d] = '\0';
		*ndigits = d;
		*decpt = len - s;
		return 0;
	}
	return -1;
}

void json_add_double(struct buf *b, double v)
{
	if (!isfinite(v)) {
		buf_add(b, "null", 4);
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15 && !(v == 0 && signbit(v))) {
		json_add_int(b, (int64_t)v);
		return;
	}
	char digits[32];
	int n, decpt, negative = signbit(v) != 0;
	if (short_digits(fabs(v), digits, &n, &decpt) < 0) {
		char tmp[64];
		int prec = 1;
		for (; prec < 17; prec++) {
			snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
			if (strtod(tmp, NULL) == v)
				break;
		}
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, v);
		/* tmp is [-]d[.ddd]e[+-]xx: collect the digits and the exponent. */
		n = 0;
		const char *p = tmp + negative;
		for (; *p && *p != 'e'; p++)
			if (*p >= '0' && *p <= '9')
				digits[n++] = *p;
		while (n > 1 && digits[n - 1] == '0')
			n--;
		digits[n] = '\0';
		decpt = atoi(p + 1) + 1;
	}
	if (negative)
		buf_addc(b, '-');
	if (decpt <= -4 || decpt > n + 15) {
		buf_addc(b, digits[0]);
		if (n > 1) {
			buf_addc(b, '.');
			buf_add(b, digits + 1, (size_t)(n - 1));
		}
		buf_addf(b, "e%c%02d", decpt - 1 < 0 ? '-' : '+', abs(decpt - 1));
	} else if (decpt <= 0) {
		buf_adds(b, "0.");
		for (int i = 0; i < -decpt; i++)
			buf_addc(b, '0');
		buf_add(b, digits, (size_t)n);
	} else if (decpt >= n) {
		buf_add(b, digits, (size_t)n);
		for (int i = n; i < decpt; i++)
			buf_addc(b, '0');
	} else {
		buf_add(b, digits, (size_t)decpt);
		buf_addc(b, '.');
		buf_add(b, digits + decpt, (size_t)(n - decpt));
	}
}

void json_add_fixed(struct buf *b, double v, int decimals)
{
	if (!isfinite(v)) {
		buf_add(b, "null", 4);
		return;
	}
	char tmp[64];
	int n = snprintf(tmp, sizeof tmp, "%.*f", decimals, v);
	if (n <= 0 || (size_t)n >= sizeof tmp) {
		buf_add(b, "null", 4);
		return;
	}
	const char *text = tmp;
	/* "-0.00" is a rounding artefact, not a value anyone means. */
	if (text[0] == '-' && strspn(text + 1, "0.") == strlen(text + 1))
		text++;
	buf_adds(b, text);
}
