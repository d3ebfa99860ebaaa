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
 * Paths read from the input with literal keys (.fields.age) are looked up once per
 * input for all the expressions compiled with one jqsubset_paths: load the input,
 * test every expression on it, clear.
 * Ownership: the compiled expression owns its constants and holds a reference to its
 * paths; jqsubset_test and jqsubset_paths_load borrow their input (a loaded input
 * must stay alive until jqsubset_paths_clear).
 * Never ends the process (except out of memory).
 */
#ifndef PS_JQSUBSET_H
#define PS_JQSUBSET_H

#include <jv.h>

struct jqsubset;
struct jqsubset_paths;

struct jqsubset_paths *jqsubset_paths_new(void);
/* Drops the caller's reference (the expressions keep theirs). */
void jqsubset_paths_free(struct jqsubset_paths *p);
/* NULL when the expression is outside the subset. */
struct jqsubset *jqsubset_compile(const char *text);
/* The same, its paths in the shared table (NULL: a table of its own). */
struct jqsubset *jqsubset_compile_shared(const char *text, struct jqsubset_paths *paths);
/* Looks up every shared path in input, for the tests on input that follow; tests on
 * any other input look their paths up themselves. */
void jqsubset_paths_load(struct jqsubset_paths *p, jv input);
void jqsubset_paths_clear(struct jqsubset_paths *p);
/* 1 when jq's one output is truthy (neither false nor null), 0 when it is falsy, -1
 * when only jq can tell (an error, or a case the subset does not model). */
int jqsubset_test(const struct jqsubset *e, jv input);
void jqsubset_free(struct jqsubset *e);

#endif
