/* Contact strings replaced by placeholders: every pattern of lib/measure/redact.h
 * pinned by exact outputs, what must stay text, the precedence, --only's subsets, and
 * UTF-8 and hostile texts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "redact.h"
#include "unit.h"

static uint64_t counts[REDACT_KINDS];

/* The text redacted (of the chosen kinds); counts hold its replacements. */
static const char *redact_n(const char *text, size_t len, unsigned kinds)
{
	static struct buf out;
	buf_reset(&out);
	memset(counts, 0, sizeof counts);
	redact_text(text, len, kinds, &out, counts);
	return out.data ? out.data : "";
}

static const char *R(const char *text)
{
	return redact_n(text, strlen(text), REDACT_ALL);
}

static const char *only(const char *text, unsigned kinds)
{
	return redact_n(text, strlen(text), kinds);
}

/* Each line: text, what it becomes. */
struct pin {
	const char *text, *want;
};

static void pins(const char *what, const struct pin *p)
{
	for (; p->text; p++)
		CHECK_STR(R(p->text), p->want, "%s: \"%s\"", what, p->text);
}

static const struct pin urls[] = {
	{ "see https://example.com/a?b=c#d now", "see [URL] now" },
	{ "see http://localhost:8080/x", "see [URL]" },
	{ "HTTPS://EXAMPLE.COM", "[URL]" },
	{ "go to www.example.org.", "go to [URL]." },
	{ "(see https://en.wikipedia.org/wiki/Foo_(bar))", "(see [URL])" },
	{ "(see https://example.com/x)", "(see [URL])" },
	{ "is it https://example.com/?", "is it [URL]?" },
	{ "'http://a.io/x', she said", "'[URL]', she said" },
	{ "<http://a.io><www.b.org>", "<[URL]><[URL]>" },
	{ "https://x.com/?to=bob@example.com&tel=02079460958", "[URL]" },
	{ "http:// nothing", "http:// nothing" },
	{ "https://", "https://" },
	{ "www.", "www." },
	{ "awww.example.com", "awww.example.com" },
	{ "x/www.example.com", "x/www.example.com" },
	{ "the http protocol and www pages", "the http protocol and www pages" },
	{ NULL, NULL },
};

static const struct pin emails[] = {
	{ "mail bob@example.com please", "mail [EMAIL] please" },
	{ "first.last+tag@mail.example.co.uk", "[EMAIL]" },
	{ "Write to a_b%c-d@sub-domain.example.org.", "Write to [EMAIL]." },
	{ "mailto:bob@example.com", "mailto:[EMAIL]" },
	{ "...bob@example.com", "...[EMAIL]" },
	{ "(bob@example.com)", "([EMAIL])" },
	{ "5551234567@example.com", "[EMAIL]" },
	{ "follow @handle on x", "follow @handle on x" },
	{ "bob@localhost", "bob@localhost" },
	{ "bob@example.c", "bob@example.c" },
	{ "bob@example.c0m", "bob@example.c0m" },
	{ "bob.@example.com", "bob.@example.com" },
	{ "bo..b@example.com", "bo..b@example.com" },
	{ "bob@-example.com", "bob@-example.com" },
	{ "bob@example-.com", "bob@example-.com" },
	{ "bob@example.com@x", "bob@example.com@x" },
	{ "bob@example.com_x", "bob@example.com_x" },
	{ "a@b", "a@b" },
	{ "@", "@" },
	{ "x@@y.com", "x@@y.com" },
	{ NULL, NULL },
};

static const struct pin phones[] = {
	{ "call +44 20 7946 0958 today", "call [PHONE] today" },
	{ "+44 (0)20 7946 0958", "[PHONE]" },
	{ "+1-202-555-0143", "[PHONE]" },
	{ "+447700900123", "[PHONE]" },
	{ "(555) 123-4567", "[PHONE]" },
	{ "(555)123-4567", "[PHONE]" },
	{ "020 7946 0958", "[PHONE]" },
	{ "555.123.4567", "[PHONE]" },
	{ "0800 123 4567, or", "[PHONE], or" },
	{ "ring 202-555-0143.", "ring [PHONE]." },
	{ "555-1234", "555-1234" },
	{ "1990-2000", "1990-2000" },
	{ "+44 20", "+44 20" },
	{ "+1 202 555 0143 1234 5678 9", "+1 [NUMBER] 9" },
	{ "01 23 45 67 89", "[PHONE]" },
	{ "01.23.45.67.89", "[PHONE]" },
	{ "+33 1 23 45 67 89", "[PHONE]" },
	{ "+1.202.555.0143", "[PHONE]" },
	{ "01 23 45 6", "01 23 45 6" },
	{ "1 2 3 4 5 6 7 8", "1 2 3 4 5 6 7 8" },
	{ "x555-123-4567", "x555-123-4567" },
	{ "555-123-4567x", "555-123-4567x" },
	{ "555-123-4567%", "555-123-4567%" },
	{ "+ 44 20 7946 0958", "+ [PHONE]" },
	{ "(555 123-4567", "([PHONE]" },
	{ NULL, NULL },
};

static const struct pin numbers[] = {
	{ "card 4111 1111 1111 1111 ok", "card [NUMBER] ok" },
	{ "card 4111-1111-1111-1111", "card [NUMBER]" },
	{ "account 12345678901", "account [NUMBER]" },
	{ "id 123456789", "id [NUMBER]" },
	{ "id 12345678", "id 12345678" },
	{ "1234567890 12", "[NUMBER] 12" },
	{ "10 20 30", "10 20 30" },
	{ "1234567890123456789012345", "[NUMBER]" },
	{ "123456789-12", "123456789-12" },
	{ "123456789a", "123456789a" },
	{ NULL, NULL },
};

static const struct pin text[] = {
	{ "version 1.2.3", "version 1.2.3" },
	{ "version 10.15.7.1234", "version 10.15.7.1234" },
	{ "host 192.168.100.200", "host 192.168.100.200" },
	{ "host 192.168.1.100", "host 192.168.1.100" },
	{ "on 2024-01-15", "on 2024-01-15" },
	{ "on 15.01.2024", "on 15.01.2024" },
	{ "on 15 01 2024", "on 15 01 2024" },
	{ "at 10:30 on 1/15/2024", "at 10:30 on 1/15/2024" },
	{ "costs $1,299.99", "costs $1,299.99" },
	{ "costs $123456789.99", "costs $123456789.99" },
	{ "costs 123456789.50 euros", "costs 123456789.50 euros" },
	{ "pi is 3.14159265358979", "pi is 3.14159265358979" },
	{ "1,234,567,890 people", "1,234,567,890 people" },
	{ "50% of 2000 people", "50% of 2000 people" },
	{ "#123456789", "#123456789" },
	{ "ticket-123456789", "ticket-123456789" },
	{ NULL, NULL },
};

static const struct pin unicode[] = {
	{ "café bob@example.com été", "café [EMAIL] été" },
	{ "été.bob@example.com", "été.[EMAIL]" },
	{ "élève.bob@example.com", "élè[EMAIL]" },
	{ "请访问https://example.com/路径。谢谢", "请访问[URL]路径。谢谢" },
	{ "電話：+81 3 1234 5678。", "電話：[PHONE]。" },
	{ "№4111 1111 1111 1111—done", "№[NUMBER]—done" },
	{ "“www.example.com”", "“[URL]”" },
	{ "bob@exämple.com", "bob@exämple.com" },
	{ "😀bob@example.com😀", "😀[EMAIL]😀" },
	{ NULL, NULL },
};

int main(void)
{
	pins("url", urls);
	pins("email", emails);
	pins("phone", phones);
	pins("number", numbers);
	pins("not contact data", text);
	pins("unicode around matches", unicode);

	CHECK_STR(R(""), "", "an empty text stays empty");
	CHECK(counts[0] + counts[1] + counts[2] + counts[3] == 0, "an empty text counts nothing");
	CHECK(redact_n(NULL, 0, REDACT_ALL) && counts[REDACT_EMAIL] == 0, "an empty text may come as NULL");
	CHECK_STR(R("bob@example.com"), "[EMAIL]", "a text that is only an e-mail address");
	CHECK_STR(R("https://example.com"), "[URL]", "a text that is only a URL");
	CHECK_STR(R("+44 20 7946 0958"), "[PHONE]", "a text that is only a phone number");
	CHECK_STR(R("123456789"), "[NUMBER]", "a text that is only a number");
	CHECK_STR(R("a@b.co,c@d.co;https://x.io www.y.io"), "[EMAIL],[EMAIL];[URL] [URL]", "adjacent matches");
	CHECK(counts[REDACT_EMAIL] == 2 && counts[REDACT_URL] == 2 && counts[REDACT_PHONE] == 0,
	      "adjacent matches are each counted");

	CHECK_STR(R("mail bob@x.com or call 020 7946 0958 or see www.x.com, card 4111 1111 1111 1111"),
		  "mail [EMAIL] or call [PHONE] or see [URL], card [NUMBER]", "one of each kind");
	CHECK(counts[REDACT_URL] == 1 && counts[REDACT_EMAIL] == 1 && counts[REDACT_PHONE] == 1 &&
		      counts[REDACT_NUMBER] == 1,
	      "one of each kind is counted by kind");

	CHECK_STR(R("www.bob@example.com"), "[URL]", "precedence: a URL before an e-mail address");
	CHECK_STR(R("555-123-4567.bob@example.com"), "[EMAIL]", "precedence: an e-mail address before a phone");
	CHECK_STR(R("+44 20 7946 0958"), "[PHONE]", "precedence: a phone before a number");
	CHECK_STR(R("4111 1111 1111 1111"), "[NUMBER]", "16 digits are too many for a phone: a number");
	CHECK_STR(R("123-45-6789"), "[PHONE]", "an SSN-shaped 3-2-4 reads as a phone");

	const char *mixed = "https://x.com/?m=bob@y.com, bob@y.com, +44 20 7946 0958, 4111 1111 1111 1111";
	CHECK_STR(only(mixed, REDACT_BIT(REDACT_EMAIL)),
		  "https://x.com/?m=bob@y.com, [EMAIL], +44 20 7946 0958, 4111 1111 1111 1111",
		  "--only email: an address inside an unchosen URL stays in the URL");
	CHECK(counts[REDACT_EMAIL] == 1 && counts[REDACT_URL] == 0, "--only email counts only e-mail addresses");
	CHECK_STR(only(mixed, REDACT_BIT(REDACT_PHONE) | REDACT_BIT(REDACT_NUMBER)),
		  "https://x.com/?m=bob@y.com, bob@y.com, [PHONE], [NUMBER]", "--only phone,number");
	CHECK_STR(only(mixed, 0), mixed, "no kinds: the text unchanged");

	CHECK_STR(R("[EMAIL] [PHONE] [URL] [NUMBER]"), "[EMAIL] [PHONE] [URL] [NUMBER]",
		  "placeholders are not matched again: redacting twice is redacting once");

	const char nul[] = "a\0bob@example.com\0b";
	const char *got = redact_n(nul, sizeof nul - 1, REDACT_ALL);
	CHECK(memcmp(got, "a\0[EMAIL]\0b", 11) == 0 && counts[REDACT_EMAIL] == 1, "NUL bytes in a text are kept");

	CHECK(redact_kind_of("email", 5) == REDACT_EMAIL && redact_kind_of("number", 6) == REDACT_NUMBER &&
		      redact_kind_of("mail", 4) == -1 && redact_kind_of("URL", 3) == -1 && redact_kind_of("", 0) == -1,
	      "kind names: exact, lower case");

	/* Hostile texts: long runs that almost match, each of which a careless scanner
	 * would rescan from every position (quadratic). 1 MB each must take well under
	 * a second; the sanitizer build too. */
	size_t n = 1u << 20;
	char *big = malloc(n + 1);
	struct {
		const char *unit, *what;
	} runs[] = {
		{ "1 ", "digits and spaces" },
		{ "1-", "digits and dashes" },
		{ "a.", "local bytes without @" },
		{ "a@", "@ after every byte" },
		{ "www.", "www. over and over" },
		{ "(1", "unclosed parentheses" },
		{ "12 ", "groups too short for a number" },
		{ "9", "one long digit run" },
		{ "é", "two-byte characters" },
	};
	for (size_t r = 0; r < sizeof runs / sizeof runs[0]; r++) {
		size_t u = strlen(runs[r].unit);
		for (size_t k = 0; k + u <= n; k += u)
			memcpy(big + k, runs[r].unit, u);
		size_t len = n - n % u;
		big[len] = 'x'; /* a final byte that spoils a match at the end */
		clock_t t0 = clock();
		redact_n(big, len + 1, REDACT_ALL);
		double s = (double)(clock() - t0) / CLOCKS_PER_SEC;
		CHECK(s < 2.0, "hostile text (%s, 1 MB) in linear time: %.2fs", runs[r].what, s);
	}
	free(big);
	return UNIT_DONE();
}
