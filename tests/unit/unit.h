/* unit — the smallest test harness that does the job: each check prints one TAP line
 * ("ok N - name" or "not ok N - name"), and main returns the number of failures.
 * tests/run.sh counts the lines. Checks are named after the behaviour they pin. */
#ifndef PS_UNIT_H
#define PS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_count, unit_failed;

#define CHECK(cond, ...) do { \
	unit_count++; \
	int unit_ok_ = (cond) ? 1 : 0; \
	if (!unit_ok_) unit_failed++; \
	printf("%sok %d - ", unit_ok_ ? "" : "not ", unit_count); \
	printf(__VA_ARGS__); \
	printf("\n"); \
	if (!unit_ok_) printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
} while (0)

#define CHECK_STR(got, want, ...) do { \
	const char *unit_got_ = (got), *unit_want_ = (want); \
	CHECK(unit_got_ && strcmp(unit_got_, unit_want_) == 0, __VA_ARGS__); \
	if (!unit_got_ || strcmp(unit_got_, unit_want_) != 0) \
		printf("#   got:  %s\n#   want: %s\n", unit_got_ ? unit_got_ : "(null)", unit_want_); \
} while (0)

#define UNIT_DONE() (printf("1..%d\n", unit_count), unit_failed ? 1 : 0)

#endif
