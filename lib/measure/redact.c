#include <string.h>

#include "redact.h"

/* Phones have at most this many digits; a scan stops beyond it, which keeps every
 * phone attempt bounded (the whole pass stays linear). */
#define PHONE_MAX_DIGITS 15
#define PHONE_MIN_DIGITS 7
#define NUMBER_MIN_DIGITS 9
#define NUMBER_MIN_GROUP 3
#define LOCAL_MAX 64
#define DOMAIN_MAX 253
#define LABEL_MAX 63

static const char *const names[REDACT_KINDS] = { "url", "email", "phone", "number" };
static const char *const placeholders[REDACT_KINDS] = { "[URL]", "[EMAIL]", "[PHONE]", "[NUMBER]" };

const char *redact_kind_name(enum redact_kind kind)
{
	return names[kind];
}

const char *redact_placeholder(enum redact_kind kind)
{
	return placeholders[kind];
}

int redact_kind_of(const char *name, size_t len)
{
	for (int k = 0; k < REDACT_KINDS; k++)
		if (strlen(names[k]) == len && memcmp(names[k], name, len) == 0)
			return k;
	return -1;
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_letter(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(unsigned char c)
{
	return is_digit(c) || is_letter(c);
}

/* c is a byte of the set (never NUL: strchr would find the terminator). */
static int is_one_of(unsigned char c, const char *set)
{
	return c != 0 && strchr(set, c) != NULL;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* Does s[i..] begin with the lower-case word, in any case? */
static int starts_with(const char *s, size_t len, size_t i, const char *word)
{
	size_t n = strlen(word);
	if (len - i < n)
		return 0;
	for (size_t k = 0; k < n; k++)
		if (lower((unsigned char)s[i + k]) != (unsigned char)word[k])
			return 0;
	return 1;
}

/* ---- URL ---- */

static int url_byte(unsigned char c)
{
	return c > 0x20 && c < 0x7f && !is_one_of(c, "<>\"`");
}

/* The end of the URL starting at i, or 0. */
static size_t match_url(const char *s, size_t len, size_t i)
{
	if (i > 0 && (is_alnum((unsigned char)s[i - 1]) || is_one_of((unsigned char)s[i - 1], "_.-@/")))
		return 0;
	size_t prefix = 0;
	if (starts_with(s, len, i, "https://"))
		prefix = 8;
	else if (starts_with(s, len, i, "http://"))
		prefix = 7;
	else if (starts_with(s, len, i, "www."))
		prefix = 4;
	if (!prefix || i + prefix >= len || !is_alnum((unsigned char)s[i + prefix]))
		return 0;
	size_t keep = i + prefix + 1; /* the alnum after the prefix always stays */
	size_t end = keep;
	long parens = 0, brackets = 0; /* opening minus closing */
	for (; end < len && url_byte((unsigned char)s[end]); end++) {
		char c = s[end];
		parens += c == '(' ? 1 : c == ')' ? -1 : 0;
		brackets += c == '[' ? 1 : c == ']' ? -1 : 0;
	}
	while (end > keep) {
		unsigned char c = (unsigned char)s[end - 1];
		if (is_one_of(c, ".,;:!?'*")) {
			end--;
		} else if (c == ')' && parens < 0) {
			parens++;
			end--;
		} else if (c == ']' && brackets < 0) {
			brackets++;
			end--;
		} else {
			break;
		}
	}
	return end;
}

/* ---- e-mail ---- */

static int local_byte(unsigned char c)
{
	return is_alnum(c) || is_one_of(c, "._%+-");
}

static int label_byte(unsigned char c)
{
	return is_alnum(c) || c == '-';
}

/* The end of DOMAIN starting at d, or 0. */
static size_t match_domain(const char *s, size_t len, size_t d)
{
	size_t pos = d, labels = 0, last = d;
	for (;;) {
		size_t start = pos;
		while (pos < len && label_byte((unsigned char)s[pos]))
			pos++;
		size_t n = pos - start;
		if (n == 0 || n > LABEL_MAX || s[start] == '-' || s[pos - 1] == '-')
			return 0;
		labels++;
		last = start;
		if (pos + 1 < len && s[pos] == '.' && label_byte((unsigned char)s[pos + 1]))
			pos++;
		else
			break;
	}
	if (labels < 2 || pos - d > DOMAIN_MAX || pos - last < 2)
		return 0;
	for (size_t k = last; k < pos; k++)
		if (!is_letter((unsigned char)s[k]))
			return 0;
	if (pos < len && (s[pos] == '_' || s[pos] == '@'))
		return 0;
	return pos;
}

/* i starts a run of local bytes. The end of the address, with *start where it
 * begins (after leading dots), or 0. */
static size_t match_email(const char *s, size_t len, size_t i, size_t *start)
{
	size_t at = i;
	while (at < len && local_byte((unsigned char)s[at]))
		at++;
	if (at >= len || s[at] != '@')
		return 0;
	size_t local = i;
	while (local < at && s[local] == '.')
		local++;
	if (local == at || at - local > LOCAL_MAX || s[at - 1] == '.')
		return 0;
	for (size_t k = local; k + 1 < at; k++)
		if (s[k] == '.' && s[k + 1] == '.')
			return 0;
	size_t end = match_domain(s, len, at + 1);
	if (end)
		*start = local;
	return end;
}

/* ---- phone and number ---- */

static int digits_start_ok(const char *s, size_t i)
{
	if (i == 0)
		return 1;
	unsigned char c = (unsigned char)s[i - 1];
	return !is_alnum(c) && !is_one_of(c, "_@/.,-+$#%");
}

static int digits_end_ok(const char *s, size_t len, size_t pos)
{
	if (pos == len)
		return 1;
	unsigned char c = (unsigned char)s[pos];
	if (is_alnum(c) || is_one_of(c, "_@/%"))
		return 0;
	return !(is_one_of(c, ",.-:") && pos + 1 < len && is_digit((unsigned char)s[pos + 1]));
}

struct group {
	size_t end;
	size_t digits; /* PHONE_MAX_DIGITS + 1 means "more than a phone has" */
	int paren;
};

/* A phone GROUP at pos: digits, or digits in parentheses. Reads at most one digit more
 * than a phone may have. */
static int group_at(const char *s, size_t len, size_t pos, struct group *g)
{
	g->paren = pos < len && s[pos] == '(';
	if (g->paren)
		pos++;
	size_t n = 0;
	while (pos < len && is_digit((unsigned char)s[pos]) && n <= PHONE_MAX_DIGITS) {
		n++;
		pos++;
	}
	if (n == 0)
		return 0;
	if (g->paren) {
		if (n > PHONE_MAX_DIGITS || pos >= len || s[pos] != ')')
			return 0;
		pos++;
	}
	g->end = pos;
	g->digits = n;
	return 1;
}

/* The end of the phone starting at i (a digit, + or opening parenthesis), or 0. */
static size_t match_phone(const char *s, size_t len, size_t i)
{
	size_t pos = i;
	int plus = s[pos] == '+';
	if (plus && (++pos >= len || !is_digit((unsigned char)s[pos])))
		return 0;
	struct group g;
	if (!group_at(s, len, pos, &g))
		return 0;
	size_t groups = 1, digits = g.digits, seps = 0, dots = 0, widest = g.digits, narrowest = g.digits;
	size_t sizes[3] = { g.digits, 0, 0 };
	int any_paren = g.paren;
	while (digits <= PHONE_MAX_DIGITS) {
		size_t next = g.end;
		char sep = 0;
		if (next < len && is_one_of((unsigned char)s[next], " -.")) {
			sep = s[next];
			next++;
		}
		struct group h;
		if (!group_at(s, len, next, &h) || (!sep && !g.paren && !h.paren))
			break;
		seps += sep != 0;
		dots += sep == '.';
		any_paren |= h.paren;
		if (groups < 3)
			sizes[groups] = h.digits;
		groups++;
		digits += h.digits;
		widest = h.digits > widest ? h.digits : widest;
		narrowest = h.digits < narrowest ? h.digits : narrowest;
		g = h;
	}
	if (digits < PHONE_MIN_DIGITS || digits > PHONE_MAX_DIGITS || !digits_end_ok(s, len, g.end))
		return 0;
	if (groups < 3 && !plus && !any_paren)
		return 0;
	if (g.paren || (g.digits < 3 && !plus && !(groups >= 4 && narrowest >= 2)))
		return 0;
	if (!plus && seps > 0 && dots == seps && !any_paren && (narrowest == 1 || (groups == 4 && widest <= 3)))
		return 0; /* a version or an IP address */
	if (groups == 3 && !plus && !any_paren && sizes[0] <= 2 && sizes[1] <= 2 && sizes[2] == 4)
		return 0; /* a date */
	return g.end;
}

/* The end of the number starting at i (a digit), or 0. Where the number fails, every
 * start before *tried fails too (the same run ends in the same place), so it need not
 * be tried again. */
static size_t match_number(const char *s, size_t len, size_t i, size_t *tried)
{
	size_t pos = i, digits = 0;
	while (pos < len && is_digit((unsigned char)s[pos]))
		pos++;
	digits = pos - i;
	while (pos + 1 < len && (s[pos] == ' ' || s[pos] == '-')) {
		size_t end = pos + 1;
		while (end < len && is_digit((unsigned char)s[end]))
			end++;
		if (end - (pos + 1) < NUMBER_MIN_GROUP)
			break;
		digits += end - (pos + 1);
		pos = end;
	}
	if (digits >= NUMBER_MIN_DIGITS && digits_end_ok(s, len, pos))
		return pos;
	*tried = pos;
	return 0;
}

/* ---- the pass ---- */

/* s[from..to) to out (an empty text may come as NULL). */
static void copy(struct buf *out, const char *s, size_t from, size_t to)
{
	if (to > from)
		buf_add(out, s + from, to - from);
}

size_t redact_text(const char *s, size_t len, unsigned kinds, struct buf *out, uint64_t *counts)
{
	size_t copied = 0, i = 0, replaced = 0, number_tried = 0;
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t start = i, end = 0;
		enum redact_kind kind = REDACT_URL;
		if (c >= 0x80) {
			i++;
			continue;
		}
		if (is_one_of(lower(c), "hw"))
			end = match_url(s, len, i);
		if (!end && local_byte(c) && (i == 0 || !local_byte((unsigned char)s[i - 1]))) {
			kind = REDACT_EMAIL;
			end = match_email(s, len, i, &start);
		}
		if (!end && (is_digit(c) || c == '+' || c == '(') && digits_start_ok(s, i)) {
			kind = REDACT_PHONE;
			end = match_phone(s, len, i);
			if (!end && is_digit(c) && i >= number_tried) {
				kind = REDACT_NUMBER;
				end = match_number(s, len, i, &number_tried);
			}
		}
		if (!end) {
			i++;
			continue;
		}
		if (kinds & REDACT_BIT(kind)) {
			copy(out, s, copied, start);
			buf_adds(out, placeholders[kind]);
			copied = end;
			replaced++;
			if (counts)
				counts[kind]++;
		}
		i = end;
	}
	copy(out, s, copied, len);
	return replaced;
}
