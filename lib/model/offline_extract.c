/* offline_extract — structured answers of the offline stand-in (see offline_extract.h). */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "jsontext.h"
#include "jvutil.h"
#include "msg.h"
#include "offline_extract.h"
#include "offline_internal.h"
#include "rng.h"

#define DEFAULT_MAX_LENGTH 80
#define MAX_ARRAY_WORDS 3

/* What the answers are drawn from: the transcript and its lean. */
struct reading {
	const char *text; /* the transcript */
	size_t len;
	int positive; /* lexicon hits */
	int negative;
};

static const char *const negative_words[] = { "frustrated",   "frustrating", "angry",   "waiting",      "still",
					      "nobody",       "worse",       "problem", "not working",  "annoyed",
					      "disappointed", "useless",     "broken",  "unacceptable", "ridiculous" };
static const char *const positive_words[] = { "thanks",  "thank",    "great", "solved",  "works",
					      "helpful", "clearer",  "glad",  "perfect", "appreciate",
					      "fixed",   "resolved", "clear" };

/* Property names (or descriptions) whose value rises with negativity, and names whose
 * value plainly rises with positivity. The negative list is read first, so
 * "dissatisfied" and "unresolved" are not taken for their roots; a name says more than
 * its description ("was the problem resolved?" asks about success). */
static const char *const rises_with_negativity[] = {
	"frustrat",     "anger",      "angry",   "annoy",    "upset",     "stress",   "anxi",
	"worr",         "complain",   "escalat", "churn",    "risk",      "confus",   "difficult",
	"effort",       "disappoint", "problem", "negative", "dissatisf", "unsatisf", "unresolved",
	"not_resolved", "misunderst", "hostil",  "urgen"
};
static const char *const rises_with_positivity[] = { "resolv",    "solved",   "understood", "understand", "satisf",
						     "recommend", "purchase", "buy",        "confiden",   "intent",
						     "trust",     "happy",    "helpful",    "success",    "agree",
						     "positive",  "loyal",    "likel",      "clarity",    "sentiment" };

/* Occurrences of word in text[0..len) as a whole word, ignoring case. */
static int count_word(const char *text, size_t len, const char *word, int *after_not)
{
	size_t n = strlen(word);
	int k = 0;
	for (size_t i = 0; i + n <= len; i++) {
		if (strncasecmp(text + i, word, n) != 0)
			continue;
		int left = i == 0 || !isalpha((unsigned char)text[i - 1]);
		int right = i + n == len || !isalpha((unsigned char)text[i + n]);
		if (!left || !right)
			continue;
		if (after_not && i >= 4 && strncasecmp(text + i - 4, "not ", 4) == 0 &&
		    (i == 4 || !isalpha((unsigned char)text[i - 5])))
			(*after_not)++;
		else
			k++;
	}
	return k;
}

static void read_lean(struct reading *rd)
{
	rd->positive = rd->negative = 0;
	for (size_t i = 0; i < COUNT(negative_words); i++)
		rd->negative += count_word(rd->text, rd->len, negative_words[i], NULL);
	for (size_t i = 0; i < COUNT(positive_words); i++)
		rd->positive += count_word(rd->text, rd->len, positive_words[i], &rd->negative);
}

/* Which of the two lists text names first: -1 negativity, +1 positivity, 0 neither. */
static int named_direction(const char *text)
{
	for (size_t i = 0; i < COUNT(rises_with_negativity); i++)
		if (off_has_ci(text, rises_with_negativity[i]))
			return -1;
	for (size_t i = 0; i < COUNT(rises_with_positivity); i++)
		if (off_has_ci(text, rises_with_positivity[i]))
			return 1;
	return 0;
}

/* +1 when the property's value rises with positivity, -1 with negativity: by its name,
 * else by its description, else +1. */
static int direction_of(const char *name, jv schema)
{
	int dir = named_direction(name);
	jv d = jvu_get_borrow(schema, "description");
	if (!dir && jv_get_kind(d) == JV_KIND_STRING)
		dir = named_direction(jv_string_value(d));
	jv_free(d);
	return dir ? dir : 1;
}

/* How far the transcript leans the property's way, in [0, 1]; 0.5 is neutral. */
static double lean(const struct reading *rd, int direction)
{
	double tilt = (double)(rd->positive - rd->negative) / (rd->positive + rd->negative + 1);
	return 0.5 + 0.5 * tilt * direction;
}

/* ---- the transcript's lines ---------------------------------------------------- */

/* A line's words without its "speaker:" label (a short prefix before a colon). */
static void line_text(const char *line, size_t len, const char **text, size_t *text_len)
{
	const char *colon = memchr(line, ':', len < 40 ? len : 40);
	if (colon && !memchr(line, '?', (size_t)(colon - line)) && !memchr(line, '!', (size_t)(colon - line)) &&
	    !memchr(line, ',', (size_t)(colon - line))) {
		len -= (size_t)(colon + 1 - line);
		line = colon + 1;
	}
	while (len && isspace((unsigned char)*line)) {
		line++;
		len--;
	}
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	*text = line;
	*text_len = len;
}

/* Does this line carry a word of the bank? */
static int line_has(const char *line, size_t len, const char *const *bank, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (count_word(line, len, bank[i], NULL))
			return 1;
	return 0;
}

/* The quote: the first line with a word of the overall lean, else the first line. */
static void pick_line(const struct reading *rd, const char **quote, size_t *quote_len)
{
	const char *const *bank = NULL;
	size_t n = 0;
	if (rd->negative > rd->positive) {
		bank = negative_words;
		n = COUNT(negative_words);
	} else if (rd->positive > rd->negative) {
		bank = positive_words;
		n = COUNT(positive_words);
	}
	*quote = NULL;
	*quote_len = 0;
	for (const char *s = rd->text; s < rd->text + rd->len;) {
		const char *end = memchr(s, '\n', (size_t)(rd->text + rd->len - s));
		size_t len = end ? (size_t)(end - s) : (size_t)(rd->text + rd->len - s);
		const char *t;
		size_t tl;
		line_text(s, len, &t, &tl);
		if (tl && !*quote) {
			*quote = t;
			*quote_len = tl;
		}
		if (tl && bank && line_has(t, tl, bank, n)) {
			*quote = t;
			*quote_len = tl;
			return;
		}
		s += len + (end ? 1 : 0);
	}
}

/* A non-negative integer keyword (maxLength), or fallback when absent or not one. */
static size_t size_keyword(jv schema, const char *key, size_t fallback)
{
	jv v = jvu_get_borrow(schema, key);
	size_t n = fallback;
	if (jv_get_kind(v) == JV_KIND_NUMBER && jv_number_value(v) >= 0)
		n = jv_number_value(v) >= (double)SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)jv_number_value(v);
	jv_free(v);
	return n;
}

/* s[0..len) as a JSON string of at most max code points: cut after the last whole word
 * that fits (inside a word only when no word fits), trailing space dropped. */
static void add_cut(struct buf *out, const char *s, size_t len, size_t max)
{
	size_t bytes = 0, points = 0;
	while (bytes < len) {
		size_t next = bytes + 1;
		while (next < len && ((unsigned char)s[next] & 0xC0) == 0x80)
			next++;
		if (points == max)
			break;
		points++;
		bytes = next;
	}
	if (bytes < len && s[bytes] != ' ') {
		size_t word_end = bytes;
		while (word_end && s[word_end - 1] != ' ')
			word_end--;
		if (word_end)
			bytes = word_end;
	}
	while (bytes && s[bytes - 1] == ' ')
		bytes--;
	json_add_string_n(out, s, bytes);
}

static void add_quote(const struct reading *rd, jv schema, struct buf *out)
{
	const char *q;
	size_t len;
	pick_line(rd, &q, &len);
	add_cut(out, q ? q : "", q ? len : 0, size_keyword(schema, "maxLength", DEFAULT_MAX_LENGTH));
}

/* ---- values ------------------------------------------------------------------------ */

/* Does text mention this enum value as a word ("too_expensive" also as "too expensive")? */
static int mentions(const struct reading *rd, const char *value)
{
	if (!*value)
		return 0;
	if (count_word(rd->text, rd->len, value, NULL))
		return 1;
	if (!strchr(value, '_'))
		return 0;
	char *spaced = xstrdup(value);
	for (char *p = spaced; *p; p++)
		if (*p == '_')
			*p = ' ';
	int found = count_word(rd->text, rd->len, spaced, NULL) > 0;
	free(spaced);
	return found;
}

/* An enum's answer: the first string value the transcript mentions, else any value. */
static void add_enum(struct rng *r, const struct reading *rd, jv values, struct buf *out)
{
	int n = jv_array_length(jv_copy(values));
	for (int i = 0; i < n; i++) {
		jv v = jv_array_get(jv_copy(values), i);
		int hit = jv_get_kind(v) == JV_KIND_STRING && mentions(rd, jv_string_value(v));
		if (hit)
			jvu_dump(v, out);
		jv_free(v);
		if (hit)
			return;
	}
	jv v = jv_array_get(jv_copy(values), (int)rng_below(r, (uint64_t)n));
	jvu_dump(v, out);
	jv_free(v);
}

/* A number keyword, or NAN when absent. */
static double number_keyword(jv schema, const char *key)
{
	jv v = jvu_get_borrow(schema, key);
	double x = jv_get_kind(v) == JV_KIND_NUMBER ? jv_number_value(v) : NAN;
	jv_free(v);
	return x;
}

/* The lean mapped into [minimum, maximum] (see offline_extract.h for the defaults). */
static void add_scaled(const struct reading *rd, const char *name, jv schema, int integer, struct buf *out)
{
	double lo = number_keyword(schema, "minimum"), hi = number_keyword(schema, "maximum");
	if (isnan(lo) && isnan(hi)) {
		lo = 1;
		hi = 5;
	} else if (isnan(lo)) {
		lo = hi - 4;
	} else if (isnan(hi)) {
		hi = lo + 4;
	}
	if (integer) {
		lo = ceil(lo);
		hi = floor(hi);
	}
	double x = lo;
	if (lo < hi) {
		double f = lean(rd, direction_of(name, schema));
		x = lo * (1 - f) + hi * f; /* no hi - lo: it may overflow */
		x = integer ? round(x) : round(x * 100) / 100;
		if (!isfinite(x) || x < lo)
			x = lo;
		if (x > hi)
			x = hi;
	}
	json_add_double(out, x + 0.0);
}

/* Up to three distinct content words of the transcript (lower case, 5+ letters). */
static void add_words(const struct reading *rd, jv items, struct buf *out)
{
	static const char *const dull[] = { "about",  "there", "their", "would",  "could",  "should",   "these",
					    "those",  "which", "where", "while",  "really", "think",    "thing",
					    "things", "sorry", "hello", "thanks", "client", "responder" };
	size_t max_len = size_keyword(items, "maxLength", DEFAULT_MAX_LENGTH);
	char words[MAX_ARRAY_WORDS][32];
	size_t n = 0;
	buf_addc(out, '[');
	for (size_t i = 0; i < rd->len && n < MAX_ARRAY_WORDS;) {
		size_t start = i;
		while (i < rd->len && (isalpha((unsigned char)rd->text[i]) || rd->text[i] == '\''))
			i++;
		size_t len = i - start;
		if (len == 0) {
			i++;
			continue;
		}
		if (len < 5 || len >= sizeof words[0] || (i < rd->len && rd->text[i] == ':'))
			continue;
		char w[32];
		for (size_t k = 0; k < len; k++)
			w[k] = (char)tolower((unsigned char)rd->text[start + k]);
		w[len] = '\0';
		int skip = 0;
		for (size_t k = 0; k < COUNT(dull); k++)
			skip |= strcmp(w, dull[k]) == 0;
		for (size_t k = 0; k < n; k++)
			skip |= strcmp(w, words[k]) == 0;
		if (skip)
			continue;
		memcpy(words[n], w, len + 1);
		if (n)
			buf_addc(out, ',');
		add_cut(out, w, len, max_len);
		n++;
	}
	buf_addc(out, ']');
}

/* The enum values of the items that the transcript mentions, in the enum's order. */
static void add_mentioned(const struct reading *rd, jv values, struct buf *out)
{
	int n = jv_array_length(jv_copy(values)), used = 0;
	buf_addc(out, '[');
	for (int i = 0; i < n && used < MAX_ARRAY_WORDS; i++) {
		jv v = jv_array_get(jv_copy(values), i);
		if (jv_get_kind(v) == JV_KIND_STRING && mentions(rd, jv_string_value(v))) {
			if (used++)
				buf_addc(out, ',');
			jvu_dump(v, out);
		}
		jv_free(v);
	}
	buf_addc(out, ']');
}

/* The schema's type: "type" as a string, or the first string of a "type" list. */
static char *type_of(jv schema)
{
	jv t = jvu_get_borrow(schema, "type");
	char *name = NULL;
	if (jv_get_kind(t) == JV_KIND_STRING) {
		name = xstrdup(jv_string_value(t));
	} else if (jv_get_kind(t) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(t));
		for (int i = 0; i < n && !name; i++) {
			jv item = jv_array_get(jv_copy(t), i);
			if (jv_get_kind(item) == JV_KIND_STRING)
				name = xstrdup(jv_string_value(item));
			jv_free(item);
		}
	}
	jv_free(t);
	if (!name && jvu_kind_borrow(schema, "properties") == JV_KIND_OBJECT)
		name = xstrdup("object");
	return name;
}

static void add_object(struct rng *r, const struct reading *rd, jv schema, int depth, struct buf *out);

static void add_value(struct rng *r, const struct reading *rd, const char *name, jv schema, int depth, struct buf *out)
{
	jv values = jvu_get_borrow(schema, "enum");
	if (jv_get_kind(values) == JV_KIND_ARRAY && jv_array_length(jv_copy(values)) > 0) {
		add_enum(r, rd, values, out);
		jv_free(values);
		return;
	}
	jv_free(values);
	char *type = type_of(schema);
	if (!type) {
		add_quote(rd, schema, out);
	} else if (strcmp(type, "boolean") == 0) {
		buf_adds(out, lean(rd, direction_of(name, schema)) > 0.5 ? "true" : "false");
	} else if (strcmp(type, "integer") == 0 || strcmp(type, "number") == 0) {
		add_scaled(rd, name, schema, strcmp(type, "integer") == 0, out);
	} else if (strcmp(type, "object") == 0) {
		add_object(r, rd, schema, depth + 1, out);
	} else if (strcmp(type, "array") == 0) {
		jv items = jvu_get_borrow(schema, "items");
		jv item_values = jvu_get_borrow(items, "enum");
		char *item_type = type_of(items);
		if (jv_get_kind(item_values) == JV_KIND_ARRAY) {
			add_mentioned(rd, item_values, out);
		} else if (!item_type || strcmp(item_type, "string") == 0) {
			add_words(rd, items, out);
		} else {
			buf_addc(out, '[');
			add_value(r, rd, name, items, depth + 1, out);
			buf_addc(out, ']');
		}
		free(item_type);
		jv_free(item_values);
		jv_free(items);
	} else if (strcmp(type, "null") == 0) {
		buf_adds(out, "null");
	} else {
		add_quote(rd, schema, out);
	}
	free(type);
}

/* Every property in the schema's order, then required names it does not describe. */
static void add_object(struct rng *r, const struct reading *rd, jv schema, int depth, struct buf *out)
{
	buf_addc(out, '{');
	if (depth > OFFLINE_EXTRACT_DEPTH) {
		buf_addc(out, '}');
		return;
	}
	int first = 1;
	jv properties = jvu_get_borrow(schema, "properties");
	if (jv_get_kind(properties) == JV_KIND_OBJECT) {
		for (int it = jv_object_iter(properties); jv_object_iter_valid(properties, it);
		     it = jv_object_iter_next(properties, it)) {
			jv key = jv_object_iter_key(properties, it);
			jv sub = jv_object_iter_value(properties, it);
			if (!first)
				buf_addc(out, ',');
			first = 0;
			json_add_string(out, jv_string_value(key));
			buf_addc(out, ':');
			add_value(r, rd, jv_string_value(key), sub, depth, out);
			jv_free(sub);
			jv_free(key);
		}
	}
	/* the names answered so far: a required name is answered once, even when the
	 * list names it twice */
	jv answered = jv_get_kind(properties) == JV_KIND_OBJECT ? jv_copy(properties) : jv_object();
	jv required = jvu_get_borrow(schema, "required");
	int n = jv_get_kind(required) == JV_KIND_ARRAY ? jv_array_length(jv_copy(required)) : 0;
	for (int i = 0; i < n; i++) {
		jv name = jv_array_get(jv_copy(required), i);
		if (jv_get_kind(name) == JV_KIND_STRING &&
		    jvu_kind_borrow(answered, jv_string_value(name)) == JV_KIND_INVALID) {
			answered = jvu_set(answered, jv_string_value(name), jv_true());
			if (!first)
				buf_addc(out, ',');
			first = 0;
			json_add_string(out, jv_string_value(name));
			buf_addc(out, ':');
			add_quote(rd, jv_null(), out);
		}
		jv_free(name);
	}
	jv_free(required);
	jv_free(answered);
	jv_free(properties);
	buf_addc(out, '}');
}

/* ---- the request ------------------------------------------------------------------- */

/* The start of the last line of text that begins with "SCHEMA:", or NULL. */
static const char *schema_line(const char *text)
{
	const char *found = NULL;
	for (const char *p = strstr(text, "SCHEMA:"); p; p = strstr(p + 1, "SCHEMA:"))
		if (p == text || p[-1] == '\n')
			found = p;
	return found;
}

void offline_extract_answer(struct rng *r, const struct chat *c, struct buf *out)
{
	const char *text = NULL, *at = NULL;
	for (size_t i = c->n; i-- > 0 && !at;) {
		if (strcmp(c->m[i].role, "user") != 0)
			continue;
		at = schema_line(c->m[i].text);
		text = c->m[i].text;
	}
	if (!at) {
		buf_adds(out, "{}");
		return;
	}
	/* the schema: the rest of the line, or the next line that is not blank */
	const char *s = at + strlen("SCHEMA:");
	size_t len = strcspn(s, "\n");
	while (s[len] == '\n' && strspn(s, " \t\r") == len) {
		s += len + 1;
		len = strcspn(s, "\n");
	}
	jv schema = json_parse(s, len);
	if (jv_get_kind(schema) != JV_KIND_OBJECT) {
		jv_free(schema);
		buf_adds(out, "{}");
		return;
	}
	struct reading rd = { text, (size_t)(at - text), 0, 0 };
	read_lean(&rd);
	add_object(r, &rd, schema, 0, out);
	jv_free(schema);
}
