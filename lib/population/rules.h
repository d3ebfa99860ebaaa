/* rules — named jq checks over records (persona-validate's rule files).
 *
 * A rules file is {"schema": NAME, "rules": [{"name", "expr", "message"}, ...]}. Each
 * expr is a jq expression over the whole record that must be true for the record to
 * pass; false, null or a jq error fails the rule (an error is reported as such).
 * Contract: all rules are compiled once into ONE jq program that returns the indices
 * of the failing rules, so checking a record costs one interpreter run, not one per
 * rule. Every failing rule is reported, not just the first.
 * Ownership: the ruleset owns its rules; rules_check borrows the record and returns a
 * new jv array of {"rule","message"} objects (the caller frees it).
 * Never ends the process (except out of memory, or a jq interpreter that cannot start:
 * jqexpr.h).
 */
#ifndef PS_RULES_H
#define PS_RULES_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

struct rule {
	char *name;
	char *expr;
	char *message;
};

struct ruleset {
	char *path;
	size_t n;
	struct rule *rules;
	uint64_t *failures; /* per rule, over the run */
	void *program; /* the combined jq program */
};

/* NULL after a message naming the file and the problem (the caller exits 2). */
struct ruleset *rules_load(const char *path);
jv rules_check(struct ruleset *rs, jv record);
void rules_free(struct ruleset *rs);

#endif
