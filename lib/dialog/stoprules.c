/* stoprules — where a conversation has ended, by rules read from share/stop/rules.json.
 *
 * How a turn is read. Text is cut into words: runs of ASCII letters and digits, of
 * non-ASCII characters, and of apostrophes inside a word (' and the typographic ’ are
 * the same apostrophe, so "I’ll" is "i'll"). Everything else separates words, including
 * the common Unicode punctuation (dashes, curly quotes, ellipsis, no-break space,
 * inverted and fullwidth marks). ASCII letters are folded to lower case; other
 * characters are compared byte for byte. Each word becomes a 64-bit hash, and a phrase
 * of the rules is a sequence of word hashes. Where the phrase has only spaces between
 * two words, the text must have only spaces or hyphens there too: "thank you" matches
 * "Thank you," and "THANK-YOU" but not 'thank, you', and never "thankyou"; "bye" never
 * matches inside "byelaw". Question marks are matched as plain substrings of the text.
 *
 * The decisions, scanning turns in order; the first turn that decides an end point
 * wins, so a cut found in-line by dialog-run after turn k is the cut dialog-stop finds
 * later over the whole conversation:
 *   - a closure turn has a closure phrase, no question mark, no new-concern marker and
 *     at most closure_max_words words (0: no limit). Either speaker may close.
 *     Only turns with index >= min_turns - 1 can be closure turns, so a closure always
 *     keeps at least min_turns turns.
 *   - the turn right after a closure turn is "the reply" whoever speaks it. A reply with
 *     a question mark reopens the conversation: the closure is ignored and the scan goes
 *     on. A reply that passes the closure test with the closure and farewell phrases
 *     together (e.g. "You're welcome, take care!") is kept: rule farewell-exchange,
 *     keep = closure + 2. Any other reply is cut: rule closure-phrase, keep = closure + 1,
 *     as when the closure is the last turn so far. In both cases turn = the closure turn
 *     and evidence = its phrase (the first in the text, the longest at that place).
 *   - a repeat is a turn at index >= max(min_turns, loop.min_turns) whose word set has a
 *     Jaccard similarity >= loop.similarity with some earlier turn of the same speaker
 *     (a missing speaker is the speaker ""). A turn without words is never a repeat.
 *     When one speaker's last loop.window own turns are all repeats, the conversation
 *     ends where that run of repeats started (keep = its index, so keep >= min_turns),
 *     turn = the turn that completed the run, evidence = the start of the first repeated
 *     text. Counting own turns (not consecutive turns of the conversation) catches one
 *     speaker stuck repeating itself while the other still varies. window 0 turns loop
 *     detection off. At the same turn, a completed loop is checked before a closure.
 * Turns that are not objects, or whose text is missing or not a string, read as empty.
 *
 * Cost: every turn up to the end point is read once (O(bytes)), the reply to a closure
 * twice; the phrases are found through a table on their first word; a repeat is looked for
 * only among earlier turns of the same speaker whose size and 128-bit word sketch allow
 * the similarity threshold, so the exact comparison runs on near-duplicates only.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonfile.h"
#include "jvutil.h"
#include "msg.h"
#include "share.h"
#include "stoprules.h"

#define MAX_RULES_BYTES (1024 * 1024)
#define MAX_PHRASE_WORDS 16

enum phrase_kind { PHRASE_CLOSURE, PHRASE_FAREWELL, PHRASE_CONCERN };

struct phrase {
	char *text; /* as written in the rules: the evidence */
	enum phrase_kind kind;
	size_t first, nwords; /* the word hashes: rules->words[first .. first+nwords) */
	uint32_t joined; /* bit k: word k follows word k-1 with only spaces between */
	int next; /* next phrase with the same first word, or -1 */
};

struct stop_rules {
	struct phrase *phrases;
	size_t nphrases;
	uint64_t *words;
	size_t nwords;
	/* open addressing on the first word: slot_hash[i] / slot_head[i] (-1: empty) */
	uint64_t *slot_hash;
	int *slot_head;
	size_t nslots; /* a power of two */
	char **question_marks;
	size_t nquestion_marks;
	size_t closure_max_words;
	size_t loop_window;
	double loop_similarity;
	size_t loop_min_turns;
};

/* ---------- words ---------- */

/* A space joins the words of a phrase; any other separator splits it. */
enum char_class { CH_SEPARATOR, CH_SPACE, CH_WORD, CH_APOSTROPHE };

static inline enum char_class ascii_class(unsigned char c)
{
	if ((unsigned)(c | 0x20) - 'a' < 26u || (unsigned)c - '0' < 10u)
		return CH_WORD;
	if (c == ' ' || c == '-' || (c >= '\t' && c <= '\r'))
		return CH_SPACE;
	return c == '\'' ? CH_APOSTROPHE : CH_SEPARATOR;
}

/* The class of the non-ASCII character at s[i] and its length in bytes (invalid UTF-8:
 * one byte, read as part of a word). Never reads at or past s[len]. */
static enum char_class utf8_class(const unsigned char *s, size_t len, size_t i, size_t *width)
{
	unsigned char c = s[i];
	size_t n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
	*width = 1;
	if (n == 0 || i + n > len)
		return CH_WORD;
	uint32_t cp = n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
	for (size_t k = 1; k < n; k++) {
		if ((s[i + k] & 0xc0) != 0x80)
			return CH_WORD;
		cp = cp << 6 | (s[i + k] & 0x3f);
	}
	*width = n;
	if (cp == 0x2018 || cp == 0x2019)
		return CH_APOSTROPHE;
	if (cp == 0xa0 || cp == 0xad || (cp >= 0x2000 && cp <= 0x200b) || cp == 0x2010 || cp == 0x2011 ||
	    cp == 0x202f || cp == 0x205f || cp == 0x3000 || cp == 0xfeff)
		return CH_SPACE;
	if ((cp >= 0xa1 && cp <= 0xbf) || cp == 0xd7 || cp == 0xf7 || (cp >= 0x2000 && cp <= 0x206f) ||
	    (cp >= 0x3000 && cp <= 0x303f) || (cp >= 0xff01 && cp <= 0xff0f) || (cp >= 0xff1a && cp <= 0xff20) ||
	    (cp >= 0xff3b && cp <= 0xff40) || (cp >= 0xff5b && cp <= 0xff65))
		return CH_SEPARATOR;
	return CH_WORD;
}

/* A word's hash, fed eight bytes at a time (the per-byte multiply of FNV was the
 * cost of the whole scan). */
struct word_hash {
	uint64_t h, acc;
	unsigned fill, total;
};

static inline void word_hash_add(struct word_hash *w, unsigned char c)
{
	w->acc |= (uint64_t)c << (8 * w->fill);
	w->total++;
	if (++w->fill == 8) {
		w->h = (w->h ^ w->acc) * 0x9e3779b97f4a7c15ULL;
		w->h = w->h << 31 | w->h >> 33;
		w->acc = 0;
		w->fill = 0;
	}
}

static uint64_t word_hash_end(const struct word_hash *w)
{
	uint64_t h = (w->h ^ w->acc ^ (uint64_t)w->total << 56) * 0x9e3779b97f4a7c15ULL;
	/* SplitMix64's finaliser: spreads the bits the table and the sketch use. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

struct words {
	uint64_t *h;
	unsigned char *joined; /* 1: only spaces since the word before */
	size_t n, cap;
};

static void words_push(struct words *w, uint64_t h, int joined)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->h = xrealloc(w->h, w->cap * sizeof *w->h);
		w->joined = xrealloc(w->joined, w->cap);
	}
	w->joined[w->n] = (unsigned char)joined;
	w->h[w->n++] = h;
}

static void words_free(struct words *w)
{
	free(w->h);
	free(w->joined);
}

/* Append the hashes of the words of s[0..len), in order. Returns how many. */
static size_t split_words(const char *text, size_t len, struct words *out)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t before = out->n, i = 0, width = 1;
	int joined = 0;
	while (i < len) {
		width = 1;
		enum char_class k = s[i] < 0x80 ? ascii_class(s[i]) : utf8_class(s, len, i, &width);
		if (k != CH_WORD) {
			if (k != CH_SPACE)
				joined = 0;
			i += width;
			continue;
		}
		struct word_hash h = { 0, 0, 0, 0 };
		size_t pending = 0; /* apostrophes seen since the last word character */
		while (i < len) {
			unsigned char c = s[i];
			width = 1;
			k = c < 0x80 ? ascii_class(c) : utf8_class(s, len, i, &width);
			if (k == CH_SEPARATOR || k == CH_SPACE)
				break;
			if (k == CH_APOSTROPHE) {
				pending++;
			} else {
				for (; pending; pending--)
					word_hash_add(&h, '\'');
				for (size_t b = 0; b < width; b++) {
					c = s[i + b];
					word_hash_add(&h, c >= 'A' && c <= 'Z' ? c | 0x20 : c);
				}
			}
			i += width;
		}
		words_push(out, word_hash_end(&h), joined && out->n > before);
		joined = pending == 0; /* a closing quote mark is no space */
	}
	return out->n - before;
}

/* ---------- phrases ---------- */

/* Words the phrase writes with only spaces between are so in the text: "appreciate it"
 * is not in 'you said "appreciate", it ...'. */
static int spaced_as(const struct phrase *ph, const unsigned char *joined)
{
	for (size_t k = 1; k < ph->nwords; k++)
		if ((ph->joined >> k & 1) && !joined[k])
			return 0;
	return 1;
}

struct match {
	const struct phrase *closure; /* first closure phrase in the text, longest there */
	int farewell, concern;
	size_t nwords;
};

/* The phrases among the words of one turn: w->h[from ..], in text order. */
static void match_phrases(const struct stop_rules *r, const struct words *words, size_t from, struct match *m)
{
	memset(m, 0, sizeof *m);
	const uint64_t *w = words->h + from;
	size_t n = words->n - from;
	m->nwords = n;
	if (!r->nslots)
		return;
	for (size_t at = 0; at < n; at++) {
		size_t slot = (size_t)w[at] & (r->nslots - 1);
		while (r->slot_head[slot] >= 0 && r->slot_hash[slot] != w[at])
			slot = (slot + 1) & (r->nslots - 1);
		const struct phrase *here = NULL;
		for (int p = r->slot_head[slot]; p >= 0; p = r->phrases[p].next) {
			const struct phrase *ph = &r->phrases[p];
			if (ph->nwords > n - at || memcmp(&r->words[ph->first], &w[at], ph->nwords * sizeof *w) != 0 ||
			    !spaced_as(ph, words->joined + from + at))
				continue;
			if (ph->kind == PHRASE_FAREWELL)
				m->farewell = 1;
			else if (ph->kind == PHRASE_CONCERN)
				m->concern = 1;
			else if (!here || ph->nwords > here->nwords)
				here = ph;
		}
		if (here && !m->closure)
			m->closure = here;
	}
}

static int asks(const struct stop_rules *r, const char *text, size_t len)
{
	for (size_t q = 0; q < r->nquestion_marks; q++)
		if (memmem(text, len, r->question_marks[q], strlen(r->question_marks[q])))
			return 1;
	return 0;
}

/* Says goodbye, in closure (or farewell) words, without opening anything new. */
static int closes(const struct stop_rules *r, const struct match *m, int farewell_counts, const char *text, size_t len)
{
	if (!m->closure && !(farewell_counts && m->farewell))
		return 0;
	if (m->concern || (r->closure_max_words && m->nwords > r->closure_max_words))
		return 0;
	return !asks(r, text, len);
}

/* ---------- loading ---------- */

static void rules_fail(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rules_fail(const char *path, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	errorf("%s: %s", path, text);
}

static int check_keys(const char *path, jv obj, const char *what, const char *const *allowed)
{
	int rc = 0;
	jv_object_foreach(obj, key, value)
	{
		int known = 0;
		for (const char *const *a = allowed; *a; a++)
			if (strcmp(jv_string_value(key), *a) == 0)
				known = 1;
		if (!known && rc == 0) {
			rules_fail(path, "unknown key '%s' in %s", jv_string_value(key), what);
			rc = -1;
		}
		jv_free(key);
		jv_free(value);
	}
	return rc;
}

/* obj[key] as a number within [lo, hi] (an integer if asked); absent: *out unchanged. */
static int get_number(const char *path, jv obj, const char *key, const char *what, double lo, double hi, int integer,
		      double *out)
{
	jv v = jvu_get_borrow(obj, key);
	jv_kind k = jv_get_kind(v);
	if (k == JV_KIND_INVALID) {
		jv_free(v);
		return 0;
	}
	double x = k == JV_KIND_NUMBER ? jv_number_value(v) : NAN;
	jv_free(v);
	if (k != JV_KIND_NUMBER) {
		rules_fail(path, "'%s' must be a number, not %s", what, jvu_kind_name(k));
		return -1;
	}
	if (!(x >= lo && x <= hi) || (integer && !jvu_is_integer(x))) {
		rules_fail(path, "'%s' must be %s from %g to %g, not %g", what, integer ? "an integer" : "a number", lo,
			   hi, x);
		return -1;
	}
	*out = x;
	return 0;
}

static void add_phrase(struct stop_rules *r, const char *text, enum phrase_kind kind, const struct words *w)
{
	size_t n = w->n;
	uint32_t joined = 0;
	for (size_t k = 1; k < n; k++)
		joined |= (uint32_t)w->joined[k] << k;
	r->phrases = xrealloc(r->phrases, (r->nphrases + 1) * sizeof *r->phrases);
	r->words = xrealloc(r->words, (r->nwords + n) * sizeof *r->words);
	memcpy(&r->words[r->nwords], w->h, n * sizeof *w->h);
	r->phrases[r->nphrases] = (struct phrase){ xstrdup(text), kind, r->nwords, n, joined, -1 };
	r->nphrases++;
	r->nwords += n;
}

/* A list of strings under key (absent: an empty list). Phrases must have words. */
static int load_list(const char *path, jv doc, const char *key, int is_phrases, enum phrase_kind kind,
		     struct stop_rules *r)
{
	jv list = jvu_get_borrow(doc, key);
	jv_kind k = jv_get_kind(list);
	if (k == JV_KIND_INVALID) {
		jv_free(list);
		return 0;
	}
	if (k != JV_KIND_ARRAY) {
		rules_fail(path, "'%s' must be an array of strings, not %s", key, jvu_kind_name(k));
		jv_free(list);
		return -1;
	}
	int n = jv_array_length(jv_copy(list)), rc = 0;
	struct words w = { NULL, NULL, 0, 0 };
	for (int i = 0; i < n && rc == 0; i++) {
		jv item = jv_array_get(jv_copy(list), i);
		if (jv_get_kind(item) != JV_KIND_STRING || jv_string_length_bytes(jv_copy(item)) == 0) {
			rules_fail(path, "'%s'[%d] must be a non-empty string, not %s", key, i,
				   jv_get_kind(item) == JV_KIND_STRING ? "\"\"" : jvu_kind_name(jv_get_kind(item)));
			rc = -1;
		} else if (!is_phrases) {
			r->question_marks =
				xrealloc(r->question_marks, (r->nquestion_marks + 1) * sizeof *r->question_marks);
			r->question_marks[r->nquestion_marks++] = xstrdup(jv_string_value(item));
		} else {
			const char *text = jv_string_value(item);
			w.n = 0;
			size_t nw = split_words(text, strlen(text), &w);
			if (nw == 0 || nw > MAX_PHRASE_WORDS) {
				rules_fail(path, "'%s'[%d] \"%s\" must have 1 to %d words", key, i, text,
					   MAX_PHRASE_WORDS);
				rc = -1;
			} else {
				add_phrase(r, text, kind, &w);
			}
		}
		jv_free(item);
	}
	words_free(&w);
	jv_free(list);
	return rc;
}

static void build_table(struct stop_rules *r)
{
	if (!r->nphrases)
		return;
	r->nslots = 16;
	while (r->nslots < 2 * r->nphrases)
		r->nslots *= 2;
	r->slot_hash = xcalloc(r->nslots, sizeof *r->slot_hash);
	r->slot_head = xmalloc(r->nslots * sizeof *r->slot_head);
	for (size_t i = 0; i < r->nslots; i++)
		r->slot_head[i] = -1;
	/* Inserted from the last phrase to the first, so each chain reads in file order. */
	for (size_t p = r->nphrases; p-- > 0;) {
		uint64_t h = r->words[r->phrases[p].first];
		size_t slot = (size_t)h & (r->nslots - 1);
		while (r->slot_head[slot] >= 0 && r->slot_hash[slot] != h)
			slot = (slot + 1) & (r->nslots - 1);
		r->phrases[p].next = r->slot_head[slot];
		r->slot_hash[slot] = h;
		r->slot_head[slot] = (int)p;
	}
}

static int load_rules(const char *path, jv doc, struct stop_rules *r)
{
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		rules_fail(path, "stop rules must be a JSON object, not %s", jvu_kind_name(jv_get_kind(doc)));
		return -1;
	}
	if (check_keys(path, doc, "the stop rules",
		       (const char *const[]){ "description", "closure_phrases", "farewell_phrases",
					      "new_concern_markers", "question_marks", "closure_max_words", "loop",
					      NULL }) < 0)
		return -1;
	jv_kind dk = jvu_kind_borrow(doc, "description");
	if (dk != JV_KIND_INVALID && dk != JV_KIND_STRING) {
		rules_fail(path, "'description' must be a string, not %s", jvu_kind_name(dk));
		return -1;
	}
	if (load_list(path, doc, "closure_phrases", 1, PHRASE_CLOSURE, r) < 0 ||
	    load_list(path, doc, "farewell_phrases", 1, PHRASE_FAREWELL, r) < 0 ||
	    load_list(path, doc, "new_concern_markers", 1, PHRASE_CONCERN, r) < 0)
		return -1;
	if (jvu_kind_borrow(doc, "question_marks") == JV_KIND_INVALID) {
		/* The one default: the contract itself ("asks no new question") needs one. */
		r->question_marks = xmalloc(sizeof *r->question_marks);
		r->question_marks[0] = xstrdup("?");
		r->nquestion_marks = 1;
	} else if (load_list(path, doc, "question_marks", 0, PHRASE_CLOSURE, r) < 0) {
		return -1;
	}
	double max_words = 0, window = 2, similarity = 0.9, loop_min = 6;
	if (get_number(path, doc, "closure_max_words", "closure_max_words", 0, 1e6, 1, &max_words) < 0)
		return -1;
	jv loop = jvu_get_borrow(doc, "loop");
	jv_kind lk = jv_get_kind(loop);
	int rc = 0;
	if (lk != JV_KIND_INVALID && lk != JV_KIND_OBJECT) {
		rules_fail(path, "'loop' must be an object, not %s", jvu_kind_name(lk));
		rc = -1;
	} else if (lk == JV_KIND_OBJECT) {
		if (check_keys(path, loop, "'loop'",
			       (const char *const[]){ "window", "similarity", "min_turns", NULL }) < 0 ||
		    get_number(path, loop, "window", "loop.window", 0, 1000, 1, &window) < 0 ||
		    get_number(path, loop, "similarity", "loop.similarity", 0.01, 1, 0, &similarity) < 0 ||
		    get_number(path, loop, "min_turns", "loop.min_turns", 0, 1e6, 1, &loop_min) < 0)
			rc = -1;
	}
	jv_free(loop);
	r->closure_max_words = (size_t)max_words;
	r->loop_window = (size_t)window;
	r->loop_similarity = similarity;
	r->loop_min_turns = (size_t)loop_min;
	build_table(r);
	return rc;
}

struct stop_rules *stoprules_load(const char *path)
{
	char *found = NULL;
	if (!path) {
		found = share_path("stop/rules.json");
		if (!found) {
			errorf("cannot find the stop rules (looked for share/stop/rules.json)");
			return NULL;
		}
		path = found;
	}
	struct stop_rules *r = NULL;
	jv doc = json_read_file(path, MAX_RULES_BYTES);
	if (!jv_is_valid(doc)) {
		json_report_invalid(doc);
		doc = jv_invalid();
	} else {
		r = xcalloc(1, sizeof *r);
		if (load_rules(path, doc, r) < 0) {
			stoprules_free(r);
			r = NULL;
		}
	}
	jv_free(doc);
	free(found);
	return r;
}

void stoprules_free(struct stop_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nphrases; i++)
		free(r->phrases[i].text);
	for (size_t i = 0; i < r->nquestion_marks; i++)
		free(r->question_marks[i]);
	free(r->phrases);
	free(r->words);
	free(r->slot_hash);
	free(r->slot_head);
	free(r->question_marks);
	free(r);
}

/* ---------- finding the end ---------- */

/* What the loop test keeps of each turn read so far. */
struct seen {
	uint64_t speaker; /* hash of the speaker's name */
	size_t first, nset; /* sorted distinct word hashes: set pool [first .. first+nset) */
	uint64_t sketch[2]; /* one bit per word hash: a cheap filter before the exact test */
	long prev_same; /* the same speaker's previous turn, or -1 */
	size_t run; /* own turns in a row that are repeats, ending here */
	size_t run_start;
};

/* Borrowed text of turns[i]: "" unless an object with a string "text". The jv that owns
 * the bytes is returned in *hold; the caller frees it. */
static const char *turn_text(jv turns, size_t i, jv *hold, size_t *len, uint64_t *speaker)
{
	jv turn = jv_array_get(jv_copy(turns), (int)i);
	jv text = jvu_get_borrow(turn, "text");
	if (speaker) {
		jv who = jvu_get_borrow(turn, "speaker");
		struct word_hash h = { 0, 0, 0, 0 };
		if (jv_get_kind(who) == JV_KIND_STRING) {
			const char *s = jv_string_value(who);
			int n = jv_string_length_bytes(jv_copy(who));
			for (int k = 0; k < n; k++)
				word_hash_add(&h, (unsigned char)s[k]);
		}
		*speaker = word_hash_end(&h);
		jv_free(who);
	}
	jv_free(turn);
	if (jv_get_kind(text) != JV_KIND_STRING) {
		jv_free(text);
		*hold = jv_invalid();
		*len = 0;
		return "";
	}
	*len = (size_t)jv_string_length_bytes(jv_copy(text));
	*hold = text;
	return jv_string_value(text);
}

/* Shell sort: in place, no allocation (glibc's qsort mallocs a merge buffer), and quick
 * on the few dozen to few hundred words of a turn. */
static void sort_u64(uint64_t *h, size_t n)
{
	static const size_t gaps[] = { 701, 301, 132, 57, 23, 10, 4, 1 };
	for (size_t g = 0; g < sizeof gaps / sizeof gaps[0]; g++) {
		size_t gap = gaps[g];
		for (size_t i = gap; i < n; i++) {
			uint64_t v = h[i];
			size_t j = i;
			for (; j >= gap && h[j - gap] > v; j -= gap)
				h[j] = h[j - gap];
			h[j] = v;
		}
	}
}

/* Sort and deduplicate w[from ..]; returns the new count. */
static size_t make_set(struct words *w, size_t from)
{
	size_t n = w->n - from;
	uint64_t *h = w->h + from;
	sort_u64(h, n);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || h[i] != h[k - 1])
			h[k++] = h[i];
	w->n = from + k;
	return k;
}

static int similar(const struct stop_rules *r, const struct words *pool, const struct seen *a, const struct seen *b)
{
	double s = r->loop_similarity, na = (double)a->nset, nb = (double)b->nset;
	if (!a->nset || !b->nset || fmin(na, nb) < s * fmax(na, nb))
		return 0;
	/* Words in one set and not the other set sketch bits the other lacks:
	 * popcount(xor) <= |A △ B|, and J >= s means |A △ B| <= (|A| + |B|)(1 - s)/(1 + s). */
	int differ =
		__builtin_popcountll(a->sketch[0] ^ b->sketch[0]) + __builtin_popcountll(a->sketch[1] ^ b->sketch[1]);
	if (differ > (na + nb) * (1 - s) / (1 + s) + 1e-9)
		return 0;
	const uint64_t *x = pool->h + a->first, *y = pool->h + b->first;
	size_t i = 0, j = 0, common = 0;
	while (i < a->nset && j < b->nset) {
		if (x[i] == y[j])
			common++, i++, j++;
		else if (x[i] < y[j])
			i++;
		else
			j++;
	}
	return (double)common >= s * (na + nb - (double)common) - 1e-9;
}

/* Copy text to the evidence: stops at a NUL, control characters become spaces, cut on
 * a UTF-8 character boundary. */
static void set_evidence(struct stop_decision *d, const char *text, size_t len)
{
	size_t n = 0;
	while (n < len && text[n] != '\0')
		n++;
	if (n >= sizeof d->evidence) {
		n = sizeof d->evidence - 1;
		while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
			n--;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)text[i];
		d->evidence[i] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
	}
	d->evidence[n] = '\0';
}

static void decide(struct stop_decision *d, size_t keep, const char *reason, const char *rule, size_t turn)
{
	d->ended = 1;
	d->keep = keep;
	d->reason = reason;
	d->rule = rule;
	d->turn = turn;
}

/* Closure at turn i (already matched): ends unless the reply reopens. */
static int closure_at(const struct stop_rules *r, jv turns, size_t n, size_t i, const struct match *m,
		      struct words *scratch, struct stop_decision *d)
{
	size_t keep = i + 1;
	const char *rule = "closure-phrase";
	if (i + 1 < n) {
		jv hold;
		size_t len;
		const char *text = turn_text(turns, i + 1, &hold, &len, NULL);
		int reopens = asks(r, text, len), farewell = 0;
		if (!reopens) {
			struct match reply;
			scratch->n = 0;
			split_words(text, len, scratch);
			match_phrases(r, scratch, 0, &reply);
			farewell = closes(r, &reply, 1, text, len);
		}
		jv_free(hold);
		if (reopens)
			return 0;
		if (farewell) {
			keep = i + 2;
			rule = "farewell-exchange";
		}
	}
	decide(d, keep, "closure", rule, i);
	set_evidence(d, m->closure->text, strlen(m->closure->text));
	return 1;
}

/* Index turn i, whose words were just split onto the end of the pool from t->first:
 * its word set, sketch and the same speaker's previous turn. */
static void index_turn(struct seen *seen, size_t i, struct words *pool)
{
	struct seen *t = &seen[i];
	t->nset = make_set(pool, t->first);
	t->sketch[0] = t->sketch[1] = 0;
	for (size_t k = 0; k < t->nset; k++) {
		uint64_t h = pool->h[t->first + k];
		t->sketch[h >> 63] |= 1ULL << (h >> 57 & 63);
	}
	t->prev_same = -1;
	for (size_t j = i; j-- > 0;)
		if (seen[j].speaker == t->speaker) {
			t->prev_same = (long)j;
			break;
		}
	t->run = 0;
}

/* 1 when turn i repeats an earlier turn of its speaker (loop.similarity). */
static int repeats_earlier(const struct stop_rules *r, const struct words *pool, const struct seen *seen, size_t i)
{
	const struct seen *t = &seen[i];
	for (long j = t->prev_same; j >= 0; j = seen[j].prev_same)
		if (similar(r, pool, t, &seen[j]))
			return 1;
	return 0;
}

static size_t loop_start(const struct stop_rules *r, size_t min_turns)
{
	return min_turns > r->loop_min_turns ? min_turns : r->loop_min_turns;
}

int stoprules_find(const struct stop_rules *r, jv turns, size_t min_turns, struct stop_decision *d)
{
	if (!d)
		return 0;
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	*d = (struct stop_decision){ 0, n, "", "", 0, "" };
	if (!r || n == 0)
		return 0;
	size_t closure_from = min_turns > 0 ? min_turns - 1 : 0;
	size_t loop_from = loop_start(r, min_turns);
	struct seen *seen = xmalloc(n * sizeof *seen);
	struct words pool = { NULL, NULL, 0, 0 }, scratch = { NULL, NULL, 0, 0 };
	for (size_t i = 0; i < n && !d->ended; i++) {
		jv hold;
		size_t len;
		struct seen *t = &seen[i];
		const char *text = turn_text(turns, i, &hold, &len, &t->speaker);
		t->first = pool.n;
		split_words(text, len, &pool);
		struct match m = { NULL, 0, 0, 0 };
		if (i >= closure_from)
			match_phrases(r, &pool, t->first, &m); /* before make_set reorders the words */
		index_turn(seen, i, &pool);
		if (r->loop_window && i >= loop_from) {
			if (repeats_earlier(r, &pool, seen, i)) {
				const struct seen *before = t->prev_same >= 0 ? &seen[t->prev_same] : NULL;
				t->run = before && before->run ? before->run + 1 : 1;
				t->run_start = before && before->run ? before->run_start : i;
			}
			if (t->run >= r->loop_window) {
				decide(d, t->run_start, "loop", "repetition", i);
				jv start;
				size_t start_len;
				const char *start_text = turn_text(turns, t->run_start, &start, &start_len, NULL);
				set_evidence(d, start_text, start_len);
				jv_free(start);
			}
		}
		if (!d->ended && i >= closure_from && closes(r, &m, 0, text, len))
			closure_at(r, turns, n, i, &m, &scratch, d);
		jv_free(hold);
	}
	free(seen);
	words_free(&pool);
	words_free(&scratch);
	if (!d->ended)
		d->keep = n;
	return d->ended;
}

int stoprules_cue(const struct stop_rules *r, jv turns, size_t from, size_t upto)
{
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	if (upto < n)
		n = upto;
	if (!r)
		return 0;
	struct words w = { NULL, NULL, 0, 0 };
	int cue = 0;
	for (size_t i = from; i < n && !cue; i++) {
		jv hold;
		size_t len;
		const char *text = turn_text(turns, i, &hold, &len, NULL);
		w.n = 0;
		split_words(text, len, &w);
		struct match m;
		match_phrases(r, &w, 0, &m);
		cue = m.closure != NULL || m.farewell;
		jv_free(hold);
	}
	words_free(&w);
	return cue;
}

int stoprules_asks(const struct stop_rules *r, jv turns, size_t from, size_t upto)
{
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	if (upto < n)
		n = upto;
	int asked = 0;
	for (size_t i = from; r && i < n && !asked; i++) {
		jv hold;
		size_t len;
		const char *text = turn_text(turns, i, &hold, &len, NULL);
		asked = asks(r, text, len);
		jv_free(hold);
	}
	return asked;
}

int stoprules_repeats(const struct stop_rules *r, jv turns, size_t from, size_t upto, size_t min_turns)
{
	size_t n = jv_get_kind(turns) == JV_KIND_ARRAY ? (size_t)jv_array_length(jv_copy(turns)) : 0;
	if (upto < n)
		n = upto;
	size_t loop_from = r ? loop_start(r, min_turns) : 0;
	if (!r || !r->loop_window || n <= loop_from)
		return 0;
	struct seen *seen = xmalloc(n * sizeof *seen);
	struct words pool = { NULL, NULL, 0, 0 };
	int repeat = 0;
	for (size_t i = 0; i < n && !repeat; i++) {
		jv hold;
		size_t len;
		const char *text = turn_text(turns, i, &hold, &len, &seen[i].speaker);
		seen[i].first = pool.n;
		split_words(text, len, &pool);
		jv_free(hold);
		index_turn(seen, i, &pool);
		repeat = i >= from && i >= loop_from && repeats_earlier(r, &pool, seen, i);
	}
	free(seen);
	words_free(&pool);
	return repeat;
}
