/* jqexpr — jq expressions compiled once with libjq and evaluated many times.
 *
 * Used for schema constraints, validation rules and --by grouping: anything a user
 * writes as a predicate or projection over a record.
 * Ownership: the expression owns its jq_state. jqexpr_test and jqexpr_first borrow
 * their input (they take their own copy); jqexpr_first returns a new reference.
 * Error text goes into the caller's buf.
 * Ends the process: jqexpr_compile when the jq interpreter cannot start (out of
 * memory). Nothing else does (except out of memory).
 */
#ifndef PS_JQEXPR_H
#define PS_JQEXPR_H

#include <jv.h>
#include "buf.h"

struct jqexpr;

/* NULL on a compile error, with jq's explanation in err. */
struct jqexpr *jqexpr_compile(const char *text, struct buf *err);
/* An option's expression (e.g. --by): compiled, or NULL after one line naming the
 * option, the expression and jq's message. */
struct jqexpr *jqexpr_compile_option(const char *option, const char *program);
/* 1 when the first output is truthy (not false/null), 0 when it is falsy or there is
 * no output, -1 when evaluation raised an error (explanation in err). */
int jqexpr_test(struct jqexpr *e, jv input, struct buf *err);
/* The first output, or jv_invalid() (with a message when evaluation failed). */
jv jqexpr_first(struct jqexpr *e, jv input);
void jqexpr_free(struct jqexpr *e);

#endif
