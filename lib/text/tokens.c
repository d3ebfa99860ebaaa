#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "rng.h"
#include "tokens.h"

static int word_byte(unsigned char c)
{
	return c >= 0x80 || isalnum(c) || c == '\'';
}

void tokenize(const char *text, size_t len, struct tokens *out)
{
	out->n = 0;
	out->question = memchr(text, '?', len) != NULL;
	char word[256];
	size_t i = 0;
	while (i < len) {
		while (i < len && !word_byte((unsigned char)text[i]))
			i++;
		size_t w = 0;
		while (i < len && word_byte((unsigned char)text[i])) {
			if (w < sizeof word)
				word[w++] = (char)tolower((unsigned char)text[i]);
			i++;
		}
		if (!w)
			continue;
		if (out->n == out->cap) {
			out->cap = out->cap ? out->cap * 2 : 64;
			out->hash = xrealloc(out->hash, out->cap * sizeof *out->hash);
		}
		out->hash[out->n++] = rng_hash(word, w, 0x746f6b656e73ULL);
	}
}

uint64_t ngram_hash(const struct tokens *t, size_t i, size_t n)
{
	uint64_t h = 0x6e6772616d ^ n;
	for (size_t k = 0; k < n; k++)
		h = rng_mix64(h ^ t->hash[i + k]) + k;
	return h;
}

void tokens_free(struct tokens *t)
{
	free(t->hash);
	memset(t, 0, sizeof *t);
}

static size_t slot(const struct u64set *s, uint64_t v)
{
	size_t i = rng_mix64(v) & (s->cap - 1);
	while (s->used[i] && s->slots[i] != v)
		i = (i + 1) & (s->cap - 1);
	return i;
}

static void grow(struct u64set *s)
{
	struct u64set bigger = { 0 };
	bigger.cap = s->cap ? s->cap * 2 : 64;
	bigger.slots = xcalloc(bigger.cap, sizeof *bigger.slots);
	bigger.used = xcalloc(bigger.cap, 1);
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->used[i])
			continue;
		size_t j = slot(&bigger, s->slots[i]);
		bigger.used[j] = 1;
		bigger.slots[j] = s->slots[i];
		bigger.n++;
	}
	free(s->slots);
	free(s->used);
	*s = bigger;
}

int u64set_add(struct u64set *s, uint64_t v)
{
	if ((s->n + 1) * 2 > s->cap)
		grow(s);
	size_t i = slot(s, v);
	if (s->used[i])
		return 0;
	s->used[i] = 1;
	s->slots[i] = v;
	s->n++;
	return 1;
}

int u64set_has(const struct u64set *s, uint64_t v)
{
	return s->cap && s->used[slot(s, v)];
}

void u64set_clear(struct u64set *s)
{
	if (s->cap)
		memset(s->used, 0, s->cap);
	s->n = 0;
}

void u64set_free(struct u64set *s)
{
	free(s->slots);
	free(s->used);
	memset(s, 0, sizeof *s);
}
