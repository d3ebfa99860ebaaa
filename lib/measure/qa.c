#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "convtext.h"
#include "msg.h"
#include "qa.h"
#include "record.h"
#include "rng.h"
#include "tokens.h"

/* Each distinct conversation's fingerprint and the offset + 1 of its first id in ids
 * (0: empty slot). Open addressing, linear probing, at most 3/4 full. */
struct fingerprints {
	uint64_t *keys;
	size_t *first_id;
	size_t cap, n;
	struct buf ids;
};

struct qa {
	const struct score_rules *rules;
	size_t min_tokens;
	struct tokens *segments; /* the instruction texts between placeholders */
	size_t nsegments;
	struct u64set instruction_runs; /* hashes of every min_tokens-gram of the segments */
	struct fingerprints seen;
};

static void add_runs(const struct tokens *t, size_t len, struct u64set *set)
{
	for (size_t i = 0; i + len <= t->n; i++)
		u64set_add(set, ngram_hash(t, i, len));
}

static void add_segment(struct qa *q, const char *text, size_t len)
{
	q->segments = xrealloc(q->segments, (q->nsegments + 1) * sizeof *q->segments);
	struct tokens *t = &q->segments[q->nsegments++];
	memset(t, 0, sizeof *t);
	tokenize(text, len, t);
	add_runs(t, q->min_tokens, &q->instruction_runs);
}

struct qa *qa_new(const struct score_rules *rules, const char *client_template)
{
	struct qa *q = xcalloc(1, sizeof *q);
	q->rules = rules;
	q->min_tokens = (size_t)score_rules_prompt_leak_min_tokens(rules);
	const char *text = client_template;
	while (text && *text) {
		const char *open = strstr(text, "{{");
		const char *close = open ? strstr(open + 2, "}}") : NULL;
		if (!close) {
			add_segment(q, text, strlen(text));
			break;
		}
		add_segment(q, text, (size_t)(open - text));
		text = close + 2;
	}
	return q;
}

void qa_free(struct qa *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->nsegments; i++)
		tokens_free(&q->segments[i]);
	free(q->segments);
	u64set_free(&q->instruction_runs);
	free(q->seen.keys);
	free(q->seen.first_id);
	buf_free(&q->seen.ids);
	free(q);
}

/* The length of the longest run of consecutive tokens that a and b share. */
static size_t longest_shared_run(const struct tokens *a, const struct tokens *b)
{
	size_t *row = xcalloc(b->n + 1, sizeof *row), best = 0;
	for (size_t i = 0; i < a->n; i++) {
		/* row[j + 1]: the shared run ending at a[i - 1] and b[j], updated right to left. */
		for (size_t j = b->n; j-- > 0;) {
			row[j + 1] = a->hash[i] == b->hash[j] ? row[j] + 1 : 0;
			if (row[j + 1] > best)
				best = row[j + 1];
		}
	}
	free(row);
	return best;
}

/* The prompt leak of one client turn: its longest run and source, or 0. */
static size_t turn_leak(const struct qa *q, const struct tokens *turn, const struct tokens *description,
			const struct u64set *description_runs, const char **source)
{
	int in_instructions = 0, in_description = 0;
	for (size_t i = 0; i + q->min_tokens <= turn->n; i++) {
		uint64_t run = ngram_hash(turn, i, q->min_tokens);
		in_instructions |= u64set_has(&q->instruction_runs, run);
		in_description |= u64set_has(description_runs, run);
	}
	size_t best = 0;
	/* The hashes found a candidate; the exact comparison of token hashes measures it. */
	for (size_t k = 0; in_instructions && k < q->nsegments; k++) {
		size_t run = longest_shared_run(turn, &q->segments[k]);
		if (run > best) {
			best = run;
			*source = "instructions";
		}
	}
	if (in_description) {
		size_t run = longest_shared_run(turn, description);
		if (run > best) {
			best = run;
			*source = "description";
		}
	}
	return best >= q->min_tokens ? best : 0;
}

static size_t fingerprint_slot(const struct fingerprints *f, uint64_t key)
{
	size_t i = rng_mix64(key) & (f->cap - 1);
	while (f->first_id[i] && f->keys[i] != key)
		i = (i + 1) & (f->cap - 1);
	return i;
}

static void fingerprints_grow(struct fingerprints *f)
{
	struct fingerprints bigger = { 0 };
	bigger.cap = f->cap ? f->cap * 2 : 1024;
	bigger.keys = xcalloc(bigger.cap, sizeof *bigger.keys);
	bigger.first_id = xcalloc(bigger.cap, sizeof *bigger.first_id);
	for (size_t i = 0; i < f->cap; i++) {
		if (!f->first_id[i])
			continue;
		size_t j = fingerprint_slot(&bigger, f->keys[i]);
		bigger.keys[j] = f->keys[i];
		bigger.first_id[j] = f->first_id[i];
	}
	free(f->keys);
	free(f->first_id);
	f->keys = bigger.keys;
	f->first_id = bigger.first_id;
	f->cap = bigger.cap;
}

/* The first id of an earlier conversation with this fingerprint, or NULL after
 * remembering id as the first. The text lives in the table. */
static const char *fingerprints_first(struct fingerprints *f, uint64_t key, const char *id)
{
	if ((f->n + 1) * 4 > f->cap * 3)
		fingerprints_grow(f);
	size_t i = fingerprint_slot(f, key);
	if (f->first_id[i])
		return f->ids.data + f->first_id[i] - 1;
	f->keys[i] = key;
	f->first_id[i] = f->ids.len + 1;
	buf_add(&f->ids, id, strlen(id) + 1);
	f->n++;
	return NULL;
}

/* Chain one string into the fingerprint, its length first, so ("ab", "c") and
 * ("a", "bc") differ. */
static uint64_t fingerprint_add(uint64_t h, const char *s, size_t len)
{
	return rng_hash(s, len, rng_mix64(h ^ (uint64_t)len));
}

jv qa_check(struct qa *q, jv record, unsigned *flags)
{
	unsigned found = 0;
	jv ai_identity = jv_null(), prompt_leak = jv_null(), duplicate_of = jv_null();
	struct tokens description = { 0 }, turn = { 0 };
	struct u64set description_runs = { 0 };
	struct buf text = BUF_INIT;
	conversation_text(record, "description", &text);
	tokenize(text.data, text.len, &description);
	add_runs(&description, q->min_tokens, &description_runs);

	size_t n = conversation_turns(record);
	uint64_t fingerprint = 0x7161;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&text);
		const char *speaker = conversation_turn(record, i, &text);
		fingerprint = fingerprint_add(fingerprint, speaker, strlen(speaker));
		fingerprint = fingerprint_add(fingerprint, text.data, text.len);
		if (strcmp(speaker, "client") != 0)
			continue;
		const char *phrase = NULL;
		if (!(found & QA_AI_IDENTITY))
			phrase = score_rules_phrase(q->rules, SCORE_AI_IDENTITY_PHRASES, text.data);
		if (phrase) {
			ai_identity = jv_object_set(jv_object(), jv_string("turn"), jv_number((double)i));
			ai_identity = jv_object_set(ai_identity, jv_string("phrase"), jv_string(phrase));
			found |= QA_AI_IDENTITY;
		}
		if (found & QA_PROMPT_LEAK)
			continue;
		const char *source = NULL;
		tokenize(text.data, text.len, &turn);
		size_t run = turn_leak(q, &turn, &description, &description_runs, &source);
		if (run) {
			prompt_leak = jv_object_set(jv_object(), jv_string("turn"), jv_number((double)i));
			prompt_leak = jv_object_set(prompt_leak, jv_string("source"), jv_string(source));
			prompt_leak = jv_object_set(prompt_leak, jv_string("tokens"), jv_number((double)run));
			found |= QA_PROMPT_LEAK;
		}
	}
	if (n) {
		const char *first = fingerprints_first(&q->seen, fingerprint, record_id(record));
		if (first) {
			duplicate_of = jv_string(first);
			found |= QA_DUPLICATE;
		}
	}
	buf_free(&text);
	tokens_free(&turn);
	tokens_free(&description);
	u64set_free(&description_runs);
	if (flags)
		*flags = found;
	jv out = jv_object_set(jv_object(), jv_string("ai_identity"), ai_identity);
	out = jv_object_set(out, jv_string("prompt_leak"), prompt_leak);
	return jv_object_set(out, jv_string("duplicate_of"), duplicate_of);
}
