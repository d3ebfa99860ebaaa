/* tokens: what a word is for the metrics, n-gram hashes and the u64 set. */
#include <string.h>

#include "tokens.h"
#include "unit.h"

static void tok(const char *text, struct tokens *t)
{
	tokenize(text, strlen(text), t);
}

int main(void)
{
	struct tokens t = { 0 }, u = { 0 };
	tok("Don't stop, DON'T!", &t);
	/* don't | stop | don't */
	CHECK(t.n == 3, "words are runs of letters, digits and apostrophes (got %zu)", t.n);
	CHECK(t.hash[0] == t.hash[2] && t.hash[0] != t.hash[1], "tokens are lower-cased before hashing");
	CHECK(!t.question, "a text without '?' is no question");

	tok("  ,,, ...  ", &t);
	CHECK(t.n == 0, "punctuation and spaces alone give no token");
	tok("", &t);
	CHECK(t.n == 0 && !t.question, "an empty text gives no token");

	tok("caf\xc3\xa9 au lait?", &t);
	tokenize("CAF\xc3\xa9", 5, &u);
	/* café | au | lait: the two UTF-8 bytes of é are letters, the word stays whole */
	CHECK(t.n == 3 && u.n == 1 && t.hash[0] == u.hash[0], "non-ASCII bytes belong to the word");
	CHECK(t.question, "a '?' anywhere makes the text a question");

	tokenize("ab?cd", 2, &t);
	CHECK(t.n == 1 && !t.question, "only len bytes are read, so a '?' beyond them does not count");

	tok("room 101 x", &t);
	tok("101", &u);
	CHECK(t.n == 3 && t.hash[1] == u.hash[0], "digits are words too");

	tok("the cat sat the cat", &t);
	/* bigrams: the cat | cat sat | sat the | the cat */
	CHECK(ngram_hash(&t, 0, 2) == ngram_hash(&t, 3, 2), "the same bigram hashes the same wherever it is");
	CHECK(ngram_hash(&t, 0, 2) != ngram_hash(&t, 1, 2), "different bigrams differ");
	tok("cat the", &u);
	CHECK(ngram_hash(&u, 0, 2) != ngram_hash(&t, 0, 2), "word order matters in an n-gram");
	CHECK(ngram_hash(&t, 0, 1) != ngram_hash(&t, 0, 2), "n is part of the n-gram's hash");
	tokens_free(&t);
	tokens_free(&u);
	CHECK(t.hash == NULL && t.n == 0 && t.cap == 0, "tokens_free leaves an empty, reusable struct");

	struct u64set s = { 0 };
	CHECK(!u64set_has(&s, 5), "an empty set has nothing (and needs no allocation)");
	CHECK(u64set_add(&s, 5) == 1 && u64set_add(&s, 5) == 0, "adding tells new from present");
	CHECK(u64set_add(&s, 0) == 1 && u64set_has(&s, 0), "zero is a value like any other");
	int all = 1;
	for (uint64_t v = 1000; v < 3000; v++)
		all &= u64set_add(&s, v * 0x9e3779b97f4a7c15ULL) == 1;
	for (uint64_t v = 1000; v < 3000; v++)
		all &= u64set_has(&s, v * 0x9e3779b97f4a7c15ULL);
	CHECK(all && s.n == 2002, "the set grows and keeps every value (n = 2 + 2000, got %zu)", s.n);
	CHECK(!u64set_has(&s, 7), "a value never added is absent after growing");
	u64set_clear(&s);
	CHECK(s.n == 0 && !u64set_has(&s, 5) && u64set_add(&s, 5) == 1, "clear empties the set for reuse");
	u64set_free(&s);
	return UNIT_DONE();
}
