/* redact — contact strings in a text replaced by typed placeholders: [URL], [EMAIL],
 * [PHONE], [NUMBER] (dialog-redact(1) documents the same patterns for users).
 *
 * Contract: redact_text copies a UTF-8 text (given with its length: it may hold NUL
 * bytes) to a buffer with every match replaced by its placeholder, in one left-to-right
 * pass that is linear in the length of the text. Every character a pattern uses is
 * ASCII and every match begins and ends next to an ASCII byte or an end of the text,
 * so a multi-byte UTF-8 sequence is never split: bytes of 0x80 and above are copied
 * as they are and end any URL, e-mail address, phone number or number beside them.
 *
 * The patterns ("alnum" is A-Z a-z 0-9; letters and digits are ASCII only). At each
 * position they are tried in this order, the first that matches wins, and the scan
 * goes on after the match (a match is never searched again for other kinds):
 *
 *   URL     "http://" or "https://" or "www." (any case) followed by an alnum, not
 *           preceded by an alnum or one of _ . - @ / ; then every following byte up to
 *           the first byte that is not printable ASCII or is one of < > " ` (so up to
 *           a space, a control character or a non-ASCII character). Trailing . , ; : !
 *           ? ' * are left out, and a trailing ) or ] when the URL holds fewer ( or [
 *           than ) or ]. An e-mail address or a number inside a URL is part of it.
 *   EMAIL   LOCAL@DOMAIN. LOCAL: 1-64 of alnum . _ % + - taken as the whole run of those
 *           bytes before the @, leading dots left out; it does not end with . and has
 *           no "..". DOMAIN: at most 253 bytes, two or more labels joined by single
 *           dots, a label 1-63 of alnum and - that neither starts nor ends with -, the
 *           last label (the TLD) 2 or more letters; not followed by _ or @. A dot after
 *           the domain that no label follows is text ("write to a@b.org." keeps ".").
 *   PHONE   [+]GROUP(SEP GROUP)...: a GROUP is one or more digits, or digits in
 *           parentheses; a SEP is one space, - or . and may be left out beside a group
 *           in parentheses ("+44 (0)20 7946 0958", "(555)123-4567"); taken as long as
 *           the grammar goes on, then it is a phone only when all of these hold:
 *           7-15 digits; at least 3 groups, unless it starts with + or has a group in
 *           parentheses; the last group is not in parentheses, and has 3 or more digits
 *           unless it starts with + or has 4 or more groups of 2 or more digits ("01 23
 *           45 67 89"); without +, when every SEP is a dot, no group of 1 digit and not 4
 *           groups of at most 3 digits (versions, IP addresses); without + or
 *           parentheses, not 3 groups of 1-2, 1-2 and 4 digits (a date: 15.01.2024).
 *   NUMBER  DIGITS(SEP DIGITS)... with SEP one space or -, where every group after the
 *           first has 3 or more digits (a separator and a shorter group are text), and
 *           9 or more digits in all: account, card and ID numbers.
 *
 *   PHONE and NUMBER are not preceded by an alnum or one of _ @ / . , - + $ # % and
 *   not followed by an alnum or one of _ @ / % or by , . - : followed by a digit
 *   ("$1,299.99", "3.14159265358", "123456789.50" are none of them). A candidate that
 *   fails these conditions is not cut shorter to fit: it is text.
 *
 * kinds (a mask of REDACT_BIT) chooses what is replaced: a match of an unchosen kind is
 * copied as it is and not counted, and still hides what it contains from the other
 * kinds, so a run with fewer kinds replaces a subset of the same spans.
 * Ownership: the text is borrowed; out is the caller's (appended to).
 */
#ifndef PS_REDACT_H
#define PS_REDACT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/* In precedence order. */
enum redact_kind { REDACT_URL, REDACT_EMAIL, REDACT_PHONE, REDACT_NUMBER, REDACT_KINDS };

#define REDACT_BIT(kind) (1u << (kind))
#define REDACT_ALL ((1u << REDACT_KINDS) - 1)

/* "url", "email", "phone", "number". */
const char *redact_kind_name(enum redact_kind kind);
/* "[URL]", "[EMAIL]", "[PHONE]", "[NUMBER]". */
const char *redact_placeholder(enum redact_kind kind);
/* The kind named (exactly, lower case), or -1. */
int redact_kind_of(const char *name, size_t len);

/* Appends text[0..len) with the chosen kinds replaced to out; adds the replacements of
 * each kind to counts[kind] (counts may be NULL). Returns the number of replacements. */
size_t redact_text(const char *text, size_t len, unsigned kinds, struct buf *out, uint64_t *counts);

#endif
