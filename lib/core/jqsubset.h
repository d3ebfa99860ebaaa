/* jqsubset — a native evaluator for the plain part of jq: the field comparisons,
 * memberships, ranges and lookups that validation rules are made of, without starting
 * the jq interpreter for every record.
 *
 * Contract: jqsubset_compile accepts only expressions whose every construct it
 * evaluates exactly as jq 1.6 does (paths .a.b, literals, $variables, `E as $x | B`,
 * if/elif/else, and/or, comparisons, + - *, //, string interpolation, object and array
 * literals, indexing, and the builtins not, type, floor, tostring, length, unique, IN,
 * any, all); anything else (or an expression that could yield other than exactly one
 * value) is refused at compile time and stays with libjq. Where jq would raise an error
 * (indexing a number, floor of a string, ...) or where a case is not modelled, the
 * evaluation answers "undecided" rather than guess: the caller then asks libjq, so the
 * verdict and its message are always jq's. The text must already be valid jq (callers
 * compile it with libjq first, which reports syntax errors); this parser only decides
 * whether it is in the subset.
 * Ownership: the compiled expression owns its constants; jqsubset_test borrows its
 * input.
 * Never ends the process (except out of memory).
 */
#ifndef PS_JQSUBSET_H
#define PS_JQSUBSET_H

#include <jv.h>

struct jqsubset;

/* NULL when the expression is outside the subset. */
struct jqsubset *jqsubset_compile(const char *text);
/* 1 when jq's one output is truthy (neither false nor null), 0 when it is falsy, -1
 * when only jq can tell (an error, or a case the subset does not model). */
int jqsubset_test(const struct jqsubset *e, jv input);
void jqsubset_free(struct jqsubset *e);

#endif
