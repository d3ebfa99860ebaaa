/* intern: equal strings share one pointer. */
#include <stdio.h>
#include <string.h>

#include "intern.h"
#include "unit.h"

int main(void)
{
	struct intern *t = intern_new();
	char a[] = "nurse", b[] = "nurse";
	const char *x = intern_str(t, a), *y = intern_str(t, b);
	CHECK(x == y, "equal strings intern to one pointer");
	CHECK(x != a && strcmp(x, "nurse") == 0, "the canonical copy is the table's own");
	CHECK(intern_count(t) == 1, "a string is stored once");
	const char *z = intern(t, "nurses", 5);
	CHECK(z == x, "intern reads only len bytes");
	CHECK(intern_find(t, "nurse", 5) == x, "find returns the canonical copy");
	CHECK(intern_find(t, "doctor", 6) == NULL && intern_count(t) == 1, "find never inserts");
	const char *e = intern(t, "", 0);
	CHECK(e && *e == '\0' && intern_count(t) == 2, "the empty string is a string like any other");
	/* Every caller interns C strings: a NUL inside the len bytes is not supported. */
	int same = 1;
	char name[32];
	const char *first[1000];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "s%d", i);
		first[i] = intern_str(t, name);
	}
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof name, "s%d", i);
		same &= intern_str(t, name) == first[i];
	}
	CHECK(same && intern_count(t) == 1002, "pointers stay stable as the table grows");
	CHECK(intern_str(t, "nurse") == x, "including the first ones");
	intern_free(t);
	return UNIT_DONE();
}
