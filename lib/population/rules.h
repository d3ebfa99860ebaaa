/* rules — named jq checks over records (persona-validate's rule files).
 *
 * A rules file is {"schema": NAME, "rules": [{"name", "expr", "message"}, ...]}. Each
 * expr is a jq expression over the whole record that must be true for the record to
 * pass; false, null or a jq error fails the rule (an error is reported as such).
 * Contract: a rule in the subset jqsubset evaluates natively (field comparisons,
 * memberships, ranges, lookups: every shipped rule) is checked without libjq; where
 * that evaluator cannot be sure of jq's answer (a jq error, say) and for every other
 * rule, the rule's own jq program decides, so verdicts and error messages are always
 * jq's (tests/unit/test-rules.c checks the two paths against each other). jq_only
 * runs all rules as one jq program instead. Every failing rule is reported, in rule
 * order, not just the first.
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

struct jqsubset;
struct jqsubset_paths;
struct jqexpr;

struct rule {
	char *name;
	char *expr;
	char *message;
	struct jqsubset *native; /* NULL when the rule is outside the subset */
	struct jqexpr *program; /* the rule alone, wrapped as in the combined program */
};

struct ruleset {
	char *path;
	size_t n;
	struct rule *rules;
	uint64_t *failures; /* per rule, over the run */
	struct jqexpr *program; /* all rules as one jq program */
	int jq_only; /* check with the combined program only (tests, benches) */
	struct jqsubset_paths *paths; /* the fields the native rules read, looked up once a record */
};

/* NULL after a message naming the file and the problem (the caller exits 2). */
struct ruleset *rules_load(const char *path);
jv rules_check(struct ruleset *rs, jv record);
void rules_free(struct ruleset *rs);

#endif
