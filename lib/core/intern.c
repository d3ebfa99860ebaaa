#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "msg.h"
#include "rng.h"

struct intern {
	char **slots; /* open addressing, linear probing; NULL is empty */
	size_t cap; /* power of two */
	size_t count;
};

struct intern *intern_new(void)
{
	struct intern *t = xcalloc(1, sizeof *t);
	t->cap = 64;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	return t;
}

static size_t slot_of(const struct intern *t, const char *s, size_t len)
{
	size_t i = rng_hash(s, len, 0) & (t->cap - 1);
	while (t->slots[i] && (strlen(t->slots[i]) != len || memcmp(t->slots[i], s, len) != 0))
		i = (i + 1) & (t->cap - 1);
	return i;
}

static void grow(struct intern *t)
{
	struct intern bigger = { xcalloc(t->cap * 2, sizeof(char *)), t->cap * 2, t->count };
	for (size_t i = 0; i < t->cap; i++)
		if (t->slots[i])
			bigger.slots[slot_of(&bigger, t->slots[i], strlen(t->slots[i]))] = t->slots[i];
	free(t->slots);
	*t = bigger;
}

const char *intern(struct intern *t, const char *s, size_t len)
{
	size_t i = slot_of(t, s, len);
	if (t->slots[i])
		return t->slots[i];
	char *copy = xmalloc(len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	t->slots[i] = copy;
	if (++t->count * 2 > t->cap)
		grow(t);
	return copy;
}

const char *intern_str(struct intern *t, const char *s)
{
	return intern(t, s, strlen(s));
}

const char *intern_find(const struct intern *t, const char *s, size_t len)
{
	return t->slots[slot_of(t, s, len)];
}

size_t intern_count(const struct intern *t)
{
	return t->count;
}

void intern_free(struct intern *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i]);
	free(t->slots);
	free(t);
}
