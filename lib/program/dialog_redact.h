/* dialog_redact — the work of dialog-redact(1): e-mail addresses, phone numbers, URLs
 * and long numbers in the turns of conversations replaced by typed placeholders
 * (lib/measure/redact), with the counts in "redact".
 *
 * Contract: after tool_start has parsed the options into a struct redact_options
 * (defaults from redact_options_init; --only through redact_parse_kinds),
 * dialog_redact runs the whole program and returns its exit status. Only the "text"
 * of each turn is redacted; every other member passes through untouched.
 * Ownership: the options are borrowed for the run.
 * Ends the process: never (an unknown --only kind ends it in cli_parse, exit 2).
 */
#ifndef PS_DIALOG_REDACT_H
#define PS_DIALOG_REDACT_H

#include "tool.h"

struct redact_options {
	unsigned kinds; /* a mask of REDACT_BIT(kind) */
	int keep_order;
};

void redact_options_init(struct redact_options *o);
/* The --only callback: "email,phone,url,number" (any of them, any order) into the
 * unsigned mask at target; -1 after naming an unknown or empty kind. */
int redact_parse_kinds(const char *arg, void *target);
int dialog_redact(struct tool *t, struct redact_options *o);

#endif
