/* offline — the built-in stand-in for a language model.
 *
 * Text comes from phrase banks below, picked by streams keyed on a hash of the whole
 * request (seed, sample, task, persona, every message), with field values dropped in
 * verbatim. One draw is deliberately NOT keyed on the request: the turn at which a
 * simulated client closes the conversation depends only on (seed, persona), so the
 * conversation length is a property of the person, not of the retry or the partner.
 *
 * Phrases of a client's middle turns never contain a closure word (thanks, bye,
 * "that helps"), so rule-based stop detection sees exactly one closure per client.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "describe.h"
#include "ecp.h"
#include "jsontext.h"
#include "jvutil.h"
#include "msg.h"
#include "offline.h"
#include "rng.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

/* ---- the request, flattened ------------------------------------------------- */

struct message {
	char *role;
	char *text;
};

struct chat {
	struct message *m;
	size_t n;
};

/* A message's text: a string, or the text parts of an array of content parts. */
static void add_content(struct buf *b, jv content)
{
	if (jv_get_kind(content) == JV_KIND_STRING) {
		buf_adds(b, jv_string_value(content));
		return;
	}
	if (jv_get_kind(content) != JV_KIND_ARRAY)
		return;
	int n = jv_array_length(jv_copy(content));
	for (int i = 0; i < n; i++) {
		jv part = jv_array_get(jv_copy(content), i);
		jv t = jvu_get_borrow(part, "text");
		if (jv_get_kind(part) == JV_KIND_STRING)
			buf_adds(b, jv_string_value(part));
		else if (jv_get_kind(t) == JV_KIND_STRING)
			buf_adds(b, jv_string_value(t));
		jv_free(t);
		jv_free(part);
	}
}

static struct chat chat_load(jv messages)
{
	struct chat c = { NULL, 0 };
	if (jv_get_kind(messages) != JV_KIND_ARRAY)
		return c;
	int n = jv_array_length(jv_copy(messages));
	if (n <= 0)
		return c;
	c.m = xcalloc((size_t)n, sizeof *c.m);
	for (int i = 0; i < n; i++) {
		jv msg = jv_array_get(jv_copy(messages), i);
		jv role = jvu_get_borrow(msg, "role");
		jv content = jvu_get_borrow(msg, "content");
		struct buf text = BUF_INIT;
		add_content(&text, content);
		/* The kick-off ahead of the turns and the continue cue after them are stage
		 * directions, not dialogue: the stand-in reads past them (and so answers the
		 * same turns as before requests kept them). */
		const char *t = text.data ? text.data : "";
		int direction = (i == 0 || (i == 1 && c.n == 1 && strcmp(c.m[0].role, "system") == 0)) && i + 1 < n &&
				strcmp(t, ECP_KICKOFF) == 0;
		direction |= i + 1 == n && i > 0 && strcmp(t, ECP_CONTINUE) == 0;
		if (direction) {
			buf_free(&text);
		} else {
			c.m[c.n].role = xstrdup(jv_get_kind(role) == JV_KIND_STRING ? jv_string_value(role) : "");
			c.m[c.n].text = text.data ? text.data : xstrdup("");
			c.n++;
		}
		jv_free(role);
		jv_free(content);
		jv_free(msg);
	}
	return c;
}

static void chat_free(struct chat *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->m[i].role);
		free(c->m[i].text);
	}
	free(c->m);
}

static size_t count_role(const struct chat *c, const char *role)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->m[i].role, role) == 0)
			k++;
	return k;
}

/* The text of the last message with this role (any role when role is NULL), or "". */
static const char *last_text(const struct chat *c, const char *role)
{
	for (size_t i = c->n; i-- > 0;)
		if (!role || strcmp(c->m[i].role, role) == 0)
			return c->m[i].text;
	return "";
}

/* The persona's fields: the hint is the fields object, but a whole record is accepted. */
static jv persona_fields(jv persona)
{
	jv inner = jvu_get_borrow(persona, "fields");
	if (jv_get_kind(inner) == JV_KIND_OBJECT)
		return inner;
	jv_free(inner);
	return jv_get_kind(persona) == JV_KIND_OBJECT ? jv_copy(persona) : jv_null();
}

/* Canonical text of a value, for hashing. */
static void add_canonical(struct buf *b, jv v)
{
	if (jv_get_kind(v) == JV_KIND_INVALID) {
		buf_adds(b, "invalid");
		return;
	}
	jv s = jv_dump_string(jv_copy(v), JV_PRINT_SORTED);
	buf_adds(b, jv_string_value(s));
	jv_free(s);
}

/* ---- the persona, as text ---------------------------------------------------- */

struct person {
	jv fields;                 /* owned */
	char *v[16];               /* texts of the fields below (NULL when absent) */
	int expressiveness;        /* 0 low, 1 medium, 2 high */
	int disclosure;
	int assertiveness;
	int politeness;            /* 0 formal, 1 casual, 2 blunt */
};

enum { P_AGE, P_GENDER, P_OCCUPATION, P_LOCATION, P_DOMAIN, P_EMOTION, P_INTENSITY, P_PRODUCT,
       P_ISSUE, P_SUBJECT, P_PRIOR_LEVEL, P_ATTITUDE, P_GOAL, P_PREVIOUS, P_GRADE, P_COUNT };
static const char *const person_keys[P_COUNT] = {
	"age", "gender", "occupation", "location", "domain", "emotion", "intensity", "product",
	"issue", "subject", "prior_level", "attitude", "goal", "previous_contacts", "grade"
};

/* A field as short text: strings as they are, integers plainly, a list's items joined. */
static char *field_text(jv fields, const char *key)
{
	jv v = jvu_get_borrow(fields, key);
	struct buf b = BUF_INIT;
	if (jv_get_kind(v) == JV_KIND_STRING) {
		buf_adds(&b, jv_string_value(v));
	} else if (jv_get_kind(v) == JV_KIND_NUMBER && isfinite(jv_number_value(v))) {
		if (jvu_is_integer(jv_number_value(v)))
			buf_addf(&b, "%.0f", jv_number_value(v));
		else
			json_add_double(&b, jv_number_value(v));
	} else if (jv_get_kind(v) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(v));
		for (int i = 0; i < n; i++) {
			jv item = jv_array_get(jv_copy(v), i);
			if (jv_get_kind(item) == JV_KIND_STRING)
				buf_addf(&b, "%s%s", b.len ? " and " : "", jv_string_value(item));
			jv_free(item);
		}
	}
	jv_free(v);
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	return b.data;
}

static int trait_level(jv fields, const char *key, const char *const names[3], int fallback)
{
	jv v = jvu_get_borrow(fields, key);
	int level = fallback;
	if (jv_get_kind(v) == JV_KIND_STRING)
		for (int i = 0; i < 3; i++)
			if (strcasecmp(jv_string_value(v), names[i]) == 0)
				level = i;
	jv_free(v);
	return level;
}

static void person_load(struct person *p, jv persona)
{
	static const char *const levels[3] = { "low", "medium", "high" };
	static const char *const registers[3] = { "formal", "casual", "blunt" };
	p->fields = persona_fields(persona);
	for (int i = 0; i < P_COUNT; i++)
		p->v[i] = field_text(p->fields, person_keys[i]);
	p->expressiveness = trait_level(p->fields, "expressiveness", levels, 1);
	p->disclosure = trait_level(p->fields, "self_disclosure", levels, 1);
	p->assertiveness = trait_level(p->fields, "assertiveness", levels, 1);
	p->politeness = trait_level(p->fields, "politeness", registers, 1);
}

static void person_free(struct person *p)
{
	for (int i = 0; i < P_COUNT; i++)
		free(p->v[i]);
	jv_free(p->fields);
}

/* What the person wants to talk about, as a noun phrase ("tax problems", "my laptop"). */
static const char *topic_of(const struct person *p, struct buf *scratch)
{
	buf_reset(scratch);
	if (p->v[P_DOMAIN])
		buf_adds(scratch, p->v[P_DOMAIN]);
	else if (p->v[P_PRODUCT] && p->v[P_ISSUE])
		buf_addf(scratch, "my %s (%s)", p->v[P_PRODUCT], p->v[P_ISSUE]);
	else if (p->v[P_PRODUCT])
		buf_addf(scratch, "my %s", p->v[P_PRODUCT]);
	else if (p->v[P_ISSUE])
		buf_adds(scratch, p->v[P_ISSUE]);
	else if (p->v[P_SUBJECT])
		buf_adds(scratch, p->v[P_SUBJECT]);
	else
		return NULL;
	return scratch->data;
}

/* "I work as a bus driver", "I'm retired", "I'm a university student". */
static void add_occupation_clause(struct buf *b, const char *occ)
{
	static const char *const states[] = { "retired", "semi-retired", "unemployed", "self-employed" };
	static const char *const roles[] = { "student", "seeker", "homemaker", "carer", "apprentice", "volunteer" };
	for (size_t i = 0; i < sizeof states / sizeof *states; i++)
		if (strcasecmp(occ, states[i]) == 0) {
			buf_addf(b, "I'm %s", occ);
			return;
		}
	int role = 0;
	for (size_t i = 0; i < sizeof roles / sizeof *roles; i++)
		role |= strcasestr(occ, roles[i]) != NULL;
	/* "an" before a vowel sound: an IT technician, an HR officer, but a university student */
	int an = (strchr("aeiouAEIOU", occ[0]) && strncasecmp(occ, "uni", 3) != 0 && strncasecmp(occ, "eu", 2) != 0) ||
		 ((occ[0] == 'H' || occ[0] == 'F' || occ[0] == 'L' || occ[0] == 'M' || occ[0] == 'N' ||
		   occ[0] == 'R' || occ[0] == 'S' || occ[0] == 'X') && isupper((unsigned char)occ[1]));
	buf_addf(b, "%s %s %s", role ? "I'm" : "I work as", an ? "an" : "a", occ);
}

static const char *intensity_word(const struct person *p)
{
	const char *i = p->v[P_INTENSITY];
	if (!i)
		return "";
	if (strcasecmp(i, "mild") == 0)
		return "a bit ";
	if (strcasecmp(i, "moderate") == 0)
		return "pretty ";
	if (strcasecmp(i, "severe") == 0)
		return "really ";
	return "";
}

/* ---- text assembly ----------------------------------------------------------- */

static const char *choose(struct rng *r, const char *const *bank, size_t n)
{
	return bank[rng_below(r, n)];
}
#define CHOOSE(r, bank) choose((r), (bank), COUNT(bank))

/* Has the speaker with this role in the view already said s? */
static int said_before(const struct chat *c, const char *role, const char *s)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->m[i].role, role) == 0 && strstr(c->m[i].text, s))
			return 1;
	return 0;
}

/* A phrase of the bank the speaker has not used yet, while there is one: people
 * rephrase rather than repeat themselves word for word. */
static const char *choose_fresh(struct rng *r, const char *const *bank, size_t n, const struct chat *c,
				const char *role, const char *not_this)
{
	size_t start = (size_t)rng_below(r, n);
	for (size_t i = 0; i < n; i++) {
		const char *s = bank[(start + i) % n];
		if (s != not_this && !said_before(c, role, s))
			return s;
	}
	return bank[start] != not_this || n == 1 ? bank[start] : bank[(start + 1) % n];
}
#define FRESH(r, bank, c, role) choose_fresh((r), (bank), COUNT(bank), (c), (role), NULL)

static int chance(struct rng *r, double p)
{
	return rng_uniform(r) < p;
}

/* Append a sentence with a separating space. */
static void add_sentence(struct buf *b, const char *s)
{
	if (!s || !*s)
		return;
	if (b->len)
		buf_addc(b, ' ');
	buf_adds(b, s);
}

static int has_ci(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

/* needle as a whole word in hay, ignoring case. */
static int has_word(const char *hay, const char *needle)
{
	size_t n = strlen(needle);
	for (const char *p = hay; (p = strcasestr(p, needle)) != NULL; p++) {
		int left = p == hay || !isalpha((unsigned char)p[-1]);
		int right = !isalpha((unsigned char)p[n]);
		if (left && right)
			return 1;
	}
	return 0;
}

static int is_closure(const char *text)
{
	static const char *const marks[] = { "thank", "bye", "goodbye", "that helps", "take care", "see you" };
	if (strchr(text, '?'))
		return 0;
	for (size_t i = 0; i < COUNT(marks); i++)
		if (has_ci(text, marks[i]))
			return 1;
	return 0;
}

/* Words never worth quoting back: function words and anything that sounds like a closure. */
static int is_stopword(const char *w)
{
	static const char *const stop[] = {
		"about", "above", "after", "again", "also", "always", "anything", "back", "been", "being",
		"both", "could", "does", "doing", "done", "each", "even", "ever", "every", "feel", "feels",
		"from", "glad", "good", "great", "have", "having", "hear", "help", "helps", "helpful", "here",
		"into", "just", "know", "like", "little", "look", "make", "many", "maybe", "might", "more",
		"most", "much", "must", "need", "okay", "only", "other", "over", "perhaps", "really", "right",
		"same", "should", "some", "something", "sorry", "sound", "sounds", "still", "such", "sure",
		"take", "than", "thank", "thanks", "that", "that's", "their", "them", "then", "there", "these",
		"they", "thing", "things", "think", "this", "those", "through", "very", "want", "well", "were",
		"what", "what's", "when", "where", "which", "while", "will", "with", "would", "your", "you're",
		"yours", "bye", "goodbye", "welcome", "care", "today", "let's", "it's", "i'm", "i've", "don't",
		"can't", "won't", "you've", "you'll", "i'll", "it'll", "we're", "there's", "here's", "kind",
		"since", "sometimes", "someone", "anyone", "talk", "talked", "tell", "first", "next", "going",
		"happy", "mean", "means", "able", "whether", "because", "though", "yourself", "myself", "hello",
		"again", "hard", "idea", "work", "start", "understand", "notice", "noticed", "tried", "trying",
		"confirm", "check", "open", "send", "hope", "hoping", "mention", "mentioned", "said", "says",
		"suggest", "explain", "explaining", "consider", "seems", "seem", "looks", "wonder", "happen",
		"happened", "actually", "honestly", "probably", "definitely", "certainly", "usually", "often",
		"already", "everything", "nothing", "somebody", "everyone", "whatever", "however", "another",
		"around", "before", "during", "without", "within", "quite", "rather", "together", "given",
		"makes", "getting", "doesn't", "didn't", "isn't", "aren't", "wasn't", "couldn't", "wouldn't",
		"shouldn't", "haven't", "honest", "someone", "lately", "where", "whole", "week", "today's",
		"you'd", "i'd", "we'll", "they're", "can't", "cannot", "able", "available", "option", "options",
		"think", "thought", "worth", "matters", "point", "points", "place", "fine", "start", "begin",
		"really", "sense", "people", "anyway", "instead", "enough", "keep", "keeps", "coming", "feeling",
		"feelings", "worried", "sounds", "else", "clears", "part", "deal", "head", "yeah", "okay",
		"hmm", "ugh", "yes", NULL
	};
	size_t n = strlen(w);
	if (n < 4 || strchr(w, '\''))
		return 1;
	/* verb forms and adverbs make odd quotes ("running", "needed", "really") */
	if (strcasecmp(w + n - 3, "ing") == 0 || strcasecmp(w + n - 2, "ed") == 0 || strcasecmp(w + n - 2, "ly") == 0)
		return 1;
	for (const char *const *s = stop; *s; s++)
		if (strcasecmp(w, *s) == 0)
			return 1;
	return 0;
}

/* One to three consecutive content words of text, lower-cased, or "" when none. */
static void pick_quote(struct rng *r, const char *text, struct buf *out)
{
	char words[64][32];
	size_t n = 0;
	const char *p = text;
	int quoted = 0;   /* inside "...": the partner quoting someone; never quote a quote */
	while (*p && n < COUNT(words)) {
		while (*p && !(isalpha((unsigned char)*p) || (unsigned char)*p >= 0x80)) {
			if (*p == '"')
				quoted = !quoted;
			p++;
		}
		const char *s = p;
		while (*p && (isalnum((unsigned char)*p) || *p == '\'' || *p == '-' || (unsigned char)*p >= 0x80))
			p++;
		size_t len = (size_t)(p - s);
		while (len && (s[len - 1] == '\'' || s[len - 1] == '-'))
			len--;
		if (len == 0 || len >= sizeof words[0] || quoted)
			continue;
		memcpy(words[n], s, len);
		words[n][len] = '\0';
		n++;
	}
	buf_reset(out);
	/* Longer words carry the content: short ones are quoted only when nothing else is left. */
	size_t candidates[64], k = 0;
	for (size_t min_len = 6; min_len >= 4 && k == 0; min_len--)
		for (size_t i = 0; i < n; i++)
			if (strlen(words[i]) >= min_len && !is_stopword(words[i]))
				candidates[k++] = i;
	if (k == 0)
		return;
	size_t first = candidates[rng_below(r, k)];
	size_t want = 1 + (size_t)rng_below(r, 3);
	for (size_t i = first; i < n && i < first + want; i++) {
		if (i > first && is_stopword(words[i]))
			break;
		if (i > first)
			buf_addc(out, ' ');
		buf_adds(out, words[i]);
	}
	/* A capital from the start of a sentence is not part of the word; an acronym's is. */
	if (out->len >= 2 && isupper((unsigned char)out->data[0]) && islower((unsigned char)out->data[1]))
		out->data[0] = (char)tolower((unsigned char)out->data[0]);
}

static size_t word_count(const char *s)
{
	size_t n = 0;
	int in = 0;
	for (; *s; s++) {
		int w = !isspace((unsigned char)*s);
		if (w && !in)
			n++;
		in = w;
	}
	return n;
}

/* ---- the client --------------------------------------------------------------- */

/* On which own turn (1-based, 3..8) this person says goodbye: a property of the person. */
static unsigned closing_turn(uint64_t seed, jv fields)
{
	struct buf canon = BUF_INIT;
	add_canonical(&canon, fields);
	char identity[24];
	snprintf(identity, sizeof identity, "%016llx",
		 (unsigned long long)rng_hash(canon.data ? canon.data : "", canon.len, 0));
	buf_free(&canon);
	struct rng r = rng_stream(seed, identity, "offline:closing-turn");
	return 3 + (unsigned)rng_below(&r, 6);
}

enum mood { MOOD_WORRIED, MOOD_ANGRY, MOOD_LOW, MOOD_CONFUSED, MOOD_OVERWHELMED, MOOD_ASHAMED,
	    MOOD_UPBEAT, MOOD_CALM, MOOD_NONE };

static enum mood mood_of(const char *emotion)
{
	static const struct { const char *word; enum mood mood; } table[] = {
		{ "anxious", MOOD_WORRIED }, { "nervous", MOOD_WORRIED }, { "worried", MOOD_WORRIED },
		{ "angry", MOOD_ANGRY }, { "frustrated", MOOD_ANGRY }, { "impatient", MOOD_ANGRY },
		{ "annoyed", MOOD_ANGRY }, { "sad", MOOD_LOW }, { "lonely", MOOD_LOW }, { "resigned", MOOD_LOW },
		{ "disappointed", MOOD_LOW }, { "discouraged", MOOD_LOW }, { "bored", MOOD_LOW },
		{ "reluctant", MOOD_LOW }, { "confused", MOOD_CONFUSED }, { "distracted", MOOD_CONFUSED },
		{ "overwhelmed", MOOD_OVERWHELMED }, { "guilty", MOOD_ASHAMED }, { "embarrassed", MOOD_ASHAMED },
		{ "hopeful", MOOD_UPBEAT }, { "curious", MOOD_UPBEAT }, { "eager", MOOD_UPBEAT },
		{ "competitive", MOOD_UPBEAT }, { "confident", MOOD_CALM }, { "calm", MOOD_CALM },
		{ "perfectionist", MOOD_WORRIED },
	};
	if (!emotion)
		return MOOD_NONE;
	for (size_t i = 0; i < COUNT(table); i++)
		if (strcasecmp(emotion, table[i].word) == 0)
			return table[i].mood;
	return MOOD_NONE;
}

static const char *const mood_lines[][4] = {
	[MOOD_WORRIED] = { "That makes me a little nervous, to be honest.",
			   "I keep worrying I'll get it wrong.",
			   "My mind keeps jumping to the worst case.",
			   "I'm on edge about the whole thing." },
	[MOOD_ANGRY] = { "I've already lost enough time over this.",
			 "Honestly, this whole situation is getting to me.",
			 "It's maddening that it has come to this.",
			 "I'm running out of patience with it." },
	[MOOD_LOW] = { "It's hard to find the energy for it at the moment.",
		       "Some days it all feels a bit pointless.",
		       "I don't have much fight left for this.",
		       "It's been weighing on me more than I'd like." },
	[MOOD_CONFUSED] = { "I'm not sure I follow all of it.",
			    "I'm still a bit lost, if I'm honest.",
			    "There are so many pieces that I lose track.",
			    "I keep getting the details mixed up." },
	[MOOD_OVERWHELMED] = { "There's just so much going on at once.",
			       "I don't even know which part to deal with first.",
			       "It all piles up faster than I can sort it out.",
			       "Everything feels like too much right now." },
	[MOOD_ASHAMED] = { "I feel a bit silly even bringing this up.",
			   "I should probably have dealt with this sooner.",
			   "It's awkward for me to admit all this.",
			   "I keep blaming myself for it." },
	[MOOD_UPBEAT] = { "That actually sounds promising.",
			  "I'm curious where this could lead.",
			  "I have a good feeling about trying it.",
			  "That gives me something to work with." },
	[MOOD_CALM] = { "That seems reasonable.",
			"I can see the logic in it.",
			"That's a sensible way to look at it.",
			"I'm fairly relaxed about trying it." },
	[MOOD_NONE] = { "I'll have to think about it.",
			"It's a lot to take in.",
			"I'm not sure yet what to make of it.",
			"That's one way to see it." },
};

static void client_opening(struct rng *r, const struct person *p, struct buf *out)
{
	static const char *const formal_greetings[] = { "Hello.", "Good afternoon.", "Hello, I hope you can assist me." };
	static const char *const casual_greetings[] = { "Hi.", "Hey there.", "Hi, hope this is the right place." };
	struct buf s = BUF_INIT, topic_buf = BUF_INIT;
	const char *topic = topic_of(p, &topic_buf);

	if (p->politeness == 0)
		add_sentence(out, CHOOSE(r, formal_greetings));
	else if (p->politeness == 1)
		add_sentence(out, CHOOSE(r, casual_greetings));

	if (p->v[P_PRODUCT] || p->v[P_ISSUE]) {
		static const char *const frames[] = { "I'm getting in touch about %s.", "I have a problem with %s.",
						      "It's about %s." };
		buf_addf(&s, CHOOSE(r, frames), topic);
		add_sentence(out, s.data);
		if (p->v[P_PREVIOUS] && strcmp(p->v[P_PREVIOUS], "0") != 0) {
			buf_reset(&s);
			if (strcmp(p->v[P_PREVIOUS], "1") == 0)
				buf_adds(&s, "I've already contacted you once about this.");
			else
				buf_addf(&s, "I've already contacted you %s times about this.", p->v[P_PREVIOUS]);
			add_sentence(out, s.data);
		}
	} else if (p->v[P_SUBJECT]) {
		static const char *const frames[] = { "I need some help with %s.", "Can we work on %s today?",
						      "I'm here for %s." };
		buf_addf(&s, CHOOSE(r, frames), p->v[P_SUBJECT]);
		add_sentence(out, s.data);
		if (p->v[P_PRIOR_LEVEL]) {
			buf_reset(&s);
			buf_addf(&s, "I'm %s in it at the moment.", p->v[P_PRIOR_LEVEL]);
			add_sentence(out, s.data);
		}
	} else if (topic) {
		static const char *const frames[] = { "I'd like to talk about %s.", "I need some help with %s.",
						      "I've been struggling with %s lately.",
						      "It's about %s, and I don't really know where to start." };
		buf_addf(&s, CHOOSE(r, frames), topic);
		add_sentence(out, s.data);
	} else {
		add_sentence(out, "There's something on my mind and I'd like to talk it through.");
	}

	const char *emotion = p->v[P_EMOTION] ? p->v[P_EMOTION] : p->v[P_ATTITUDE];
	if (emotion && p->expressiveness > 0) {
		static const char *const frames[] = { "Honestly, I feel %s%s about it.", "I'm %s%s, to be honest.",
						      "I've been feeling %s%s." };
		buf_reset(&s);
		buf_addf(&s, CHOOSE(r, frames), intensity_word(p), emotion);
		add_sentence(out, s.data);
		if (p->expressiveness == 2)
			add_sentence(out, CHOOSE(r, mood_lines[mood_of(emotion)]));
	}
	if (p->disclosure == 2 && p->v[P_OCCUPATION]) {
		buf_reset(&s);
		buf_adds(&s, "For context, ");
		if (p->v[P_AGE])
			buf_addf(&s, "I'm %s, ", p->v[P_AGE]);
		if (p->v[P_LOCATION])
			buf_addf(&s, "I live in %s, ", p->v[P_LOCATION]);
		if (p->v[P_AGE] || p->v[P_LOCATION])
			buf_adds(&s, "and ");
		add_occupation_clause(&s, p->v[P_OCCUPATION]);
		buf_adds(&s, ".");
		add_sentence(out, s.data);
	}
	static const char *const asks[3][3] = {
		{ "I'm not sure where to begin, really.", "Maybe you could help me think it through?",
		  "I hope that's the sort of thing you can help with." },
		{ "Can you help me figure out what to do?", "Where would you start?",
		  "What would you suggest?" },
		{ "I want a clear plan.", "Tell me what my options are.", "What should I do first?" },
	};
	add_sentence(out, CHOOSE(r, asks[p->assertiveness]));
	buf_free(&s);
	buf_free(&topic_buf);
}

static void client_detail(struct rng *r, const struct person *p, struct buf *out)
{
	struct buf s = BUF_INIT;
	const char *options[6];
	int kinds[6], n = 0;
	if (p->v[P_OCCUPATION]) { options[n] = p->v[P_OCCUPATION]; kinds[n++] = 0; }
	if (p->v[P_AGE]) { options[n] = p->v[P_AGE]; kinds[n++] = 1; }
	if (p->v[P_LOCATION]) { options[n] = p->v[P_LOCATION]; kinds[n++] = 2; }
	if (p->v[P_DOMAIN]) { options[n] = p->v[P_DOMAIN]; kinds[n++] = 3; }
	if (p->v[P_PRODUCT]) { options[n] = p->v[P_PRODUCT]; kinds[n++] = 4; }
	if (p->v[P_GRADE]) { options[n] = p->v[P_GRADE]; kinds[n++] = 5; }
	if (n == 0)
		return;
	int i = (int)rng_below(r, (uint64_t)n);
	switch (kinds[i]) {
	case 0:
		add_occupation_clause(&s, options[i]);
		buf_adds(&s, ", for what it's worth.");
		break;
	case 1: buf_addf(&s, "I'm %s, if that matters.", options[i]); break;
	case 2: buf_addf(&s, "I'm in %s, by the way.", options[i]); break;
	case 3: buf_addf(&s, "All of this is tied up with %s for me.", options[i]); break;
	case 4: buf_addf(&s, "It's the %s that worries me most.", options[i]); break;
	default: buf_addf(&s, "I'm in grade %s.", options[i]); break;
	}
	add_sentence(out, s.data);
	buf_free(&s);
}

static void client_middle(struct rng *r, const struct person *p, const struct chat *c, struct buf *out)
{
	static const char *const quoted[3][4] = {
		{ "I appreciate you raising \"%s\".", "You mentioned \"%s\", and I have been considering it.",
		  "I see what you mean about \"%s\".", "The point about \"%s\" is well taken." },
		{ "Okay, \"%s\". I hadn't really looked at it that way.", "Yeah, I see what you mean about \"%s\".",
		  "Hmm, \"%s\". That might work for me.", "You said \"%s\", and I keep coming back to that." },
		{ "\"%s\" won't be enough on its own.", "Fine, \"%s\".", "So, \"%s\". Go on.",
		  "I'm not convinced by \"%s\"." },
	};
	static const char *const plain[3][3] = {
		{ "I see what you mean.", "That is a fair point.", "I understand." },
		{ "Okay, I hear you.", "That makes some sense.", "Right, I get it." },
		{ "Fine.", "Okay.", "Not sure about that." },
	};
	static const char *const asks[3][4] = {
		{ "Do you think that could work for someone like me?", "Would that be okay to try, maybe?",
		  "I'm not sure I could manage that, though.", "Is it silly to feel unsure about it?" },
		{ "What would you suggest I try first?", "How would that work in practice?",
		  "Is there anything else I should consider?", "What if it doesn't work out?" },
		{ "Just tell me what I should do first.", "What exactly should I do next?",
		  "I need a concrete next step, not general advice.", "Can you give me something specific?" },
	};
	struct buf q = BUF_INIT, s = BUF_INIT;
	pick_quote(r, last_text(c, "user"), &q);
	if (q.len && chance(r, 0.75)) {
		buf_addf(&s, CHOOSE(r, quoted[p->politeness]), q.data);
		add_sentence(out, s.data);
	} else {
		add_sentence(out, FRESH(r, plain[p->politeness], c, "assistant"));
	}

	const char *emotion = p->v[P_EMOTION] ? p->v[P_EMOTION] : p->v[P_ATTITUDE];
	double emote = p->expressiveness == 2 ? 0.9 : p->expressiveness == 1 ? 0.5 : 0.0;
	if (chance(r, emote))
		add_sentence(out, FRESH(r, mood_lines[mood_of(emotion)], c, "assistant"));

	double disclose = p->disclosure == 2 ? 0.7 : p->disclosure == 1 ? 0.3 : 0.0;
	if (p->expressiveness > 0 && chance(r, disclose))
		client_detail(r, p, out);

	double ask = p->assertiveness == 2 ? 0.95 : p->assertiveness == 1 ? 0.75 : 0.55;
	if (p->expressiveness == 0 || chance(r, ask)) {
		struct buf topic_buf = BUF_INIT;
		const char *topic = topic_of(p, &topic_buf);
		buf_reset(&s);
		if (topic)
			buf_addf(&s, "How does that help with %s, exactly?", topic);
		if (topic && p->assertiveness > 0 && chance(r, 0.3) && !said_before(c, "assistant", s.data))
			add_sentence(out, s.data);
		else
			add_sentence(out, FRESH(r, asks[p->assertiveness], c, "assistant"));
		buf_free(&topic_buf);
	}
	if (word_count(out->data ? out->data : "") < 10)
		add_sentence(out, FRESH(r, mood_lines[MOOD_NONE], c, "assistant"));
	buf_free(&q);
	buf_free(&s);
}

static void client_closing(struct rng *r, const struct person *p, struct buf *out)
{
	static const char *const lines[3][3] = {
		{ "Thank you, this has been very helpful. I will try what you suggested. Goodbye.",
		  "Thank you for your time; that helps a great deal. I'll take it from here. Goodbye.",
		  "Thank you, I feel clearer about it now. I'll follow your advice. Goodbye." },
		{ "Thanks, that really helps. I'll try that this week. Bye for now.",
		  "Okay, thanks a lot, I think I've got what I need. Bye!",
		  "Thanks, that helps. I'll give it a go and see how it goes. Bye." },
		{ "Fine, that helps. I'll try it. Bye.",
		  "Okay, got it. That helps. Bye.",
		  "Right, that's enough to go on. Thanks. Bye." },
	};
	add_sentence(out, CHOOSE(r, lines[p->politeness]));
}

static void client_turn(struct rng *r, const struct person *p, const struct chat *c, uint64_t seed,
			struct buf *out)
{
	size_t own = count_role(c, "assistant");
	unsigned closing = closing_turn(seed, p->fields);
	if (own >= closing) {
		add_sentence(out, "Bye!");
		return;
	}
	if (own + 1 == closing) {
		client_closing(r, p, out);
		return;
	}
	if (own == 0) {
		client_opening(r, p, out);
		return;
	}
	client_middle(r, p, c, out);
}

/* ---- the responder ------------------------------------------------------------ */

enum role { ROLE_PEER, ROLE_COUNSELLOR, ROLE_TUTOR, ROLE_SUPPORT };

static enum role role_of(const char *system)
{
	if (has_ci(system, "counsel") || has_ci(system, "therap"))
		return ROLE_COUNSELLOR;
	if (has_ci(system, "tutor") || has_ci(system, "teacher"))
		return ROLE_TUTOR;
	/* a "supportive peer" is a peer: only the word itself names the support role */
	if (has_word(system, "support") || has_ci(system, "customer service"))
		return ROLE_SUPPORT;
	return ROLE_PEER;
}

static void responder_turn(struct rng *r, const struct chat *c, struct buf *out)
{
	static const char *const openings[] = {
		[ROLE_PEER] = "Hey! What's on your mind?",
		[ROLE_COUNSELLOR] = "Hello, I'm here to listen. What would you like to talk about today?",
		[ROLE_TUTOR] = "Hi! What would you like to work on today?",
		[ROLE_SUPPORT] = "Hello, you're through to support. How can I help you today?",
	};
	static const char *const farewells[][3] = {
		[ROLE_PEER] = { "You're welcome, take care!", "Any time. Good luck with it!", "Glad I could help. Bye for now!" },
		[ROLE_COUNSELLOR] = { "You're welcome. Take care of yourself, and come back any time.",
				      "I'm glad this was useful. Take care.", "You're welcome, take care!" },
		[ROLE_TUTOR] = { "Great work today. See you next time!", "You're welcome, keep practising. Bye!",
				 "Nice effort today. Take care!" },
		[ROLE_SUPPORT] = { "You're welcome. Have a good day!", "Glad I could help. Take care!",
				   "You're welcome, and sorry again for the trouble. Goodbye!" },
	};
	static const char *const acks_quoted[][3] = {
		[ROLE_PEER] = { "Oh, \"%s\" sounds rough.", "Yeah, I get the \"%s\" part.", "Ah, \"%s\". That's a lot." },
		[ROLE_COUNSELLOR] = { "It sounds like \"%s\" has been weighing on you.",
				      "I hear how much \"%s\" matters to you.",
				      "When you mention \"%s\", it sounds really hard." },
		[ROLE_TUTOR] = { "Good, let's look at \"%s\" together.", "Okay, \"%s\" is a good place to start.",
				 "Let's slow down on \"%s\" for a moment." },
		[ROLE_SUPPORT] = { "I'm sorry to hear about \"%s\".", "I understand the issue with \"%s\".",
				   "Let me look into \"%s\" for you." },
	};
	static const char *const acks[][3] = {
		[ROLE_PEER] = { "Oh, I get that.", "That's a lot to deal with.", "Yeah, I hear you." },
		[ROLE_COUNSELLOR] = { "That sounds really difficult.", "It makes sense that you feel this way.",
				      "I can hear how much this is affecting you." },
		[ROLE_TUTOR] = { "Okay, let's take this step by step.", "Good question.", "That's a common sticking point." },
		[ROLE_SUPPORT] = { "I understand, and I'm sorry for the inconvenience.", "Let me look into this for you.",
				   "I can see why that's frustrating." },
	};
	static const char *const ideas[][6] = {
		[ROLE_PEER] = { "Maybe try taking it one day at a time?", "Have you talked to anyone else about it?",
				"What do you think you'll do?", "I'd probably make a short list and start with the easiest thing.",
				"Sometimes a walk clears my head when things get like that.",
				"Could you give yourself a small deadline for the first step?" },
		[ROLE_COUNSELLOR] = { "One small step could be writing down what worries you most, so it feels less tangled.",
				      "Would it help to break it into smaller pieces we can look at one by one?",
				      "What feels hardest about it right now?",
				      "Have you been able to talk to anyone close to you about it?",
				      "It might help to notice when the feeling is strongest during the day.",
				      "What would a good outcome look like for you?" },
		[ROLE_TUTOR] = { "Try explaining the idea back to me in your own words.",
				 "Can you show me how you would start?", "Let's work through one example together first.",
				 "Which part feels most confusing?",
				 "Try the first step on your own and tell me what you get.",
				 "A quick sketch or diagram often makes this clearer." },
		[ROLE_SUPPORT] = { "Could you confirm your account email or order number so I can check?",
				   "I can open a case and escalate it if needed.",
				   "Have you tried restarting the device or logging out and back in?",
				   "Let me check which options are available to you.",
				   "When did you first notice the problem?",
				   "I can also send you a written summary of the next steps." },
	};
	/* The system prompt, or the first user message that carries it (first-user). */
	enum role role = role_of(c->n ? c->m[0].text : "");
	size_t users = count_role(c, "user");
	const char *last = last_text(c, "user");
	if (users == 0) {
		add_sentence(out, openings[role]);
		return;
	}
	if (is_closure(last)) {
		add_sentence(out, CHOOSE(r, farewells[role]));
		return;
	}
	struct buf q = BUF_INIT, s = BUF_INIT;
	pick_quote(r, last, &q);
	if (q.len && chance(r, 0.5)) {
		buf_addf(&s, CHOOSE(r, acks_quoted[role]), q.data);
		add_sentence(out, s.data);
	} else {
		add_sentence(out, FRESH(r, acks[role], c, "assistant"));
	}
	const char *first = FRESH(r, ideas[role], c, "assistant");
	add_sentence(out, first);
	if (chance(r, 0.5))
		add_sentence(out, choose_fresh(r, ideas[role], COUNT(ideas[role]), c, "assistant", first));
	buf_free(&q);
	buf_free(&s);
}

/* ---- probes ------------------------------------------------------------------- */

static void probe_answer(struct rng *r, const struct person *p, const char *question, struct buf *out)
{
	static const char *const motivation_words[] = { "motivat", "why", "want", "goal", "hope", "looking for",
							"purpose", "need", "here for", "get out of" };
	static const char *const feeling_words[] = { "feel", "emotion", "mood" };
	static const char *const identity_words[] = { "who are you", "yourself", "describe", "how old", "job",
						      "work", "live", "occupation" };
	static const char *const style_words[] = { "talk", "communicat", "speak", "style", "express" };
	struct buf s = BUF_INIT, topic_buf = BUF_INIT;
	const char *topic = topic_of(p, &topic_buf);
	const char *emotion = p->v[P_EMOTION] ? p->v[P_EMOTION] : p->v[P_ATTITUDE];
	int kind = 4;
	for (size_t i = 0; i < COUNT(motivation_words) && kind == 4; i++)
		if (has_ci(question, motivation_words[i]))
			kind = 0;
	for (size_t i = 0; i < COUNT(feeling_words) && kind == 4; i++)
		if (has_ci(question, feeling_words[i]))
			kind = 1;
	for (size_t i = 0; i < COUNT(identity_words) && kind == 4; i++)
		if (has_ci(question, identity_words[i]))
			kind = 2;
	for (size_t i = 0; i < COUNT(style_words) && kind == 4; i++)
		if (has_ci(question, style_words[i]))
			kind = 3;

	if (kind == 1 && emotion) {
		static const char *const frames[] = { "I feel %s%s.", "Honestly, %s%s.", "Right now I'm %s%s." };
		buf_addf(&s, CHOOSE(r, frames), intensity_word(p), emotion);
		if (topic)
			buf_addf(&s, " It comes from %s.", topic);
	} else if (kind == 2 && (p->v[P_AGE] || p->v[P_OCCUPATION] || p->v[P_GENDER])) {
		static const char *const nouns[] = { "man", "woman", "boy", "girl" };
		int noun = 0;
		for (size_t i = 0; p->v[P_GENDER] && i < COUNT(nouns); i++)
			noun |= strcasecmp(p->v[P_GENDER], nouns[i]) == 0;
		if (p->v[P_AGE] && noun)
			buf_addf(&s, "I'm a %s-year-old %s.", p->v[P_AGE], p->v[P_GENDER]);
		else if (p->v[P_AGE] && p->v[P_GENDER])
			buf_addf(&s, "I'm %s and %s.", p->v[P_AGE], p->v[P_GENDER]);
		else if (p->v[P_AGE])
			buf_addf(&s, "I'm %s.", p->v[P_AGE]);
		if (s.len && (p->v[P_OCCUPATION] || p->v[P_LOCATION]))
			buf_addc(&s, ' ');
		if (p->v[P_OCCUPATION]) {
			add_occupation_clause(&s, p->v[P_OCCUPATION]);
			if (p->v[P_LOCATION])
				buf_addf(&s, " and I live in %s", p->v[P_LOCATION]);
			buf_adds(&s, ".");
		} else if (p->v[P_LOCATION]) {
			buf_addf(&s, "I live in %s.", p->v[P_LOCATION]);
		}
	} else if (kind == 3) {
		static const char *const levels[3][2] = {
			{ "I keep it short and don't say much about how I feel.", "I tend to keep things brief." },
			{ "I say what I think, but I don't go on about it.", "I try to be clear without overdoing it." },
			{ "I say exactly how I feel, sometimes a lot of it.", "I'm pretty open and wordy, honestly." },
		};
		buf_adds(&s, CHOOSE(r, levels[p->expressiveness]));
	} else if (topic && (kind == 0 || kind == 4)) {
		static const char *const frames[] = { "I want help with %s.", "I'm hoping to sort out %s.",
						      "Mostly I'm here because of %s; I'd like a way forward." };
		buf_addf(&s, CHOOSE(r, frames), topic);
	} else {
		buf_adds(&s, "I just want to talk things through, really.");
	}
	add_sentence(out, s.data);
	buf_free(&s);
	buf_free(&topic_buf);
}

/* ---- the judge ---------------------------------------------------------------- */

/* The first JSON object in text that parses and is not an answer template. */
static jv find_json_object(const char *text)
{
	int tries = 0;
	for (const char *p = strchr(text, '{'); p && tries < 32; p = strchr(p + 1, '{'), tries++) {
		int depth = 0, in_string = 0;
		const char *q = p;
		for (; *q; q++) {
			if (in_string) {
				if (*q == '\\' && q[1])
					q++;
				else if (*q == '"')
					in_string = 0;
			} else if (*q == '"') {
				in_string = 1;
			} else if (*q == '{') {
				depth++;
			} else if (*q == '}' && --depth == 0) {
				break;
			}
		}
		if (!*q)
			continue;
		jv v = json_parse(p, (size_t)(q - p + 1));
		if (jv_get_kind(v) == JV_KIND_OBJECT && jvu_kind_borrow(v, "verdict") == JV_KIND_INVALID) {
			jv inner = jvu_get_borrow(v, "fields");
			if (jv_get_kind(inner) == JV_KIND_OBJECT) {
				jv_free(v);
				return inner;
			}
			jv_free(inner);
			return v;
		}
		jv_free(v);
	}
	return jv_invalid();
}

/* "- name: value" lines as an object (numbers as numbers), or jv_invalid() when none. */
static jv find_field_lines(const char *text)
{
	jv obj = jv_object();
	int found = 0;
	const char *line = text;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = line;
		while (p < line + len && isspace((unsigned char)*p))
			p++;
		if (p + 2 < line + len && (*p == '-' || *p == '*') && p[1] == ' ') {
			const char *name = p + 2;
			const char *colon = memchr(name, ':', (size_t)(line + len - name));
			if (colon && colon > name) {
				char key[64], value[256];
				size_t kl = (size_t)(colon - name), vl;
				const char *v = colon + 1;
				while (v < line + len && *v == ' ')
					v++;
				vl = (size_t)(line + len - v);
				while (vl && isspace((unsigned char)v[vl - 1]))
					vl--;
				if (kl < sizeof key && vl < sizeof value) {
					memcpy(key, name, kl);
					key[kl] = '\0';
					memcpy(value, v, vl);
					value[vl] = '\0';
					char *num_end;
					double d = strtod(value, &num_end);
					jv jvalue = vl && *num_end == '\0' && isfinite(d) ? jv_number(d) : jv_string(value);
					obj = jv_object_set(obj, jv_string(key), jvalue);
					found = 1;
				}
			}
		}
		line = end ? end + 1 : line + len;
	}
	if (!found) {
		jv_free(obj);
		return jv_invalid();
	}
	return obj;
}

static int number_field(jv fields, const char *key, double *out)
{
	jv v = jvu_get_borrow(fields, key);
	int ok = 0;
	if (jv_get_kind(v) == JV_KIND_NUMBER) {
		*out = jv_number_value(v);
		ok = isfinite(*out);
	} else if (jv_get_kind(v) == JV_KIND_STRING) {
		char *end;
		*out = strtod(jv_string_value(v), &end);
		ok = end != jv_string_value(v) && *end == '\0' && isfinite(*out);
	}
	jv_free(v);
	return ok;
}

static int string_field_has(jv fields, const char *key, const char *needle)
{
	jv v = jvu_get_borrow(fields, key);
	int has = jv_get_kind(v) == JV_KIND_STRING && has_ci(jv_string_value(v), needle);
	jv_free(v);
	return has;
}

/* The first rule the persona breaks, or NULL when it passes them all. */
static const char *implausibility(jv f)
{
	double age, grade, years;
	int has_age = number_field(f, "age", &age);
	if (has_age && (age < 0 || age > 120))
		return "the age is outside a human range";
	if (has_age && age < 25 && string_field_has(f, "occupation", "retired"))
		return "someone under 25 is very unlikely to be retired";
	if (has_age && age < 25 && (string_field_has(f, "domain", "pension") || string_field_has(f, "domain", "retirement")))
		return "pension or retirement worries are implausible before 25";
	if (has_age && age < 23) {
		static const char *const senior[] = { "doctor", "practitioner", "lawyer", "director", "senior manager",
						      "head teacher", "pilot", "lecturer", "dentist", "pharmacist", "architect" };
		for (size_t i = 0; i < COUNT(senior); i++)
			if (string_field_has(f, "occupation", senior[i]))
				return "the occupation needs more years of training than the age allows";
	}
	if (string_field_has(f, "intensity", "severe") && string_field_has(f, "emotion", "calm"))
		return "a severe intensity contradicts a calm emotion";
	if (has_age && number_field(f, "grade", &grade) && (age - grade < 4 || age - grade > 8))
		return "the age does not fit the school grade";
	if (has_age && number_field(f, "customer_since_years", &years) && years > age)
		return "customer for longer than alive";
	return NULL;
}

/* The last turn of a transcript: its last "speaker: text" line, else the whole text. */
static void last_turn(const char *text, struct buf *out)
{
	static const char *const speakers[] = {
		"client", "responder", "user", "assistant", "a", "b", "person", "human", "agent", "bot",
		"customer", "student", "tutor", "counsellor", "counselor", "therapist", "seeker", "supporter",
		"peer", "speaker", "you", "partner"
	};
	const char *best = NULL;
	size_t best_len = 0;
	const char *line = text;
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		const char *p = line;
		while (p < line + len && (isspace((unsigned char)*p) || *p == '[' || *p == '-' || *p == '*'))
			p++;
		const char *w = p;
		while (p < line + len && (isalnum((unsigned char)*p) || *p == '_'))
			p++;
		size_t wl = (size_t)(p - w);
		while (p < line + len && (*p == ']' || isdigit((unsigned char)*p)))
			p++;
		if (wl && p < line + len && *p == ':') {
			for (size_t i = 0; i < COUNT(speakers); i++)
				if (strlen(speakers[i]) == wl && strncasecmp(w, speakers[i], wl) == 0) {
					best = p + 1;
					best_len = (size_t)(line + len - best);
				}
		} else if (wl && p < line + len && p > w && p[-1] == ']') {
			best = p;
			best_len = (size_t)(line + len - best);
		}
		line = end ? end + 1 : line + len;
	}
	buf_reset(out);
	if (best)
		buf_add(out, best, best_len);
	else
		buf_adds(out, text);
}

static void judge_verdict(const struct chat *c, struct buf *out)
{
	const char *last = last_text(c, NULL);
	int stop_judge = 0;
	for (size_t i = 0; i < c->n; i++)
		if (has_word(c->m[i].text, "ended") || has_word(c->m[i].text, "termination") ||
		    has_word(c->m[i].text, "terminate") || has_word(c->m[i].text, "terminated"))
			stop_judge = 1;

	int verdict = 1;
	const char *reason;
	struct buf turn = BUF_INIT;
	if (stop_judge) {
		last_turn(last, &turn);
		verdict = is_closure(turn.data ? turn.data : "");
		reason = verdict ? "offline judge: rule-based checks only; the last turn closes without a new question"
				 : "offline judge: rule-based checks only; the last turn does not close the conversation";
	} else {
		jv fields = find_json_object(last);
		if (jv_get_kind(fields) != JV_KIND_OBJECT) {
			jv_free(fields);
			fields = find_field_lines(last);
		}
		for (size_t i = c->n; jv_get_kind(fields) != JV_KIND_OBJECT && i-- > 0;) {
			jv_free(fields);
			fields = find_json_object(c->m[i].text);
		}
		if (jv_get_kind(fields) == JV_KIND_OBJECT) {
			const char *broken = implausibility(fields);
			verdict = broken == NULL;
			buf_addf(&turn, "offline judge: rule-based checks only; %s", broken ? broken : "no rule flagged this persona");
		} else {
			buf_adds(&turn, "offline judge: rule-based checks only; no persona found to check");
		}
		reason = turn.data;
		jv_free(fields);
	}
	buf_addf(out, "{\"verdict\":%s,\"reason\":", verdict ? "true" : "false");
	json_add_string(out, reason);
	buf_addc(out, '}');
	buf_free(&turn);
}

/* ---- the entry point --------------------------------------------------------- */

static void generic_reply(struct rng *r, const struct chat *c, struct buf *out)
{
	static const char *const quoted[] = {
		"I read your message about \"%s\".", "Noted: \"%s\".", "You asked about \"%s\"; this is a placeholder answer."
	};
	static const char *const plain[] = {
		"I read your message.", "Noted.", "This is a placeholder answer."
	};
	struct buf q = BUF_INIT;
	pick_quote(r, last_text(c, NULL), &q);
	buf_adds(out, "offline reply: ");
	if (q.len)
		buf_addf(out, CHOOSE(r, quoted), q.data);
	else
		buf_adds(out, CHOOSE(r, plain));
	buf_free(&q);
}

/* The audit stand-in: the first numbered client line that talks like a helper. */
static void audit_verdict(const char *transcript, struct buf *out)
{
	static const char *const helper[] = { "how can i help", "i recommend", "have you tried", "here are some",
					      "i suggest", "i'm here for you", NULL };
	const char *line = transcript ? transcript : "";
	while (*line) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char text[2048];
		size_t n = len < sizeof text - 1 ? len : sizeof text - 1;
		for (size_t i = 0; i < n; i++)
			text[i] = (char)tolower((unsigned char)line[i]);
		text[n] = '\0';
		long turn = -1;
		int used = 0;
		if (sscanf(text, "%ld. client:%n", &turn, &used) >= 1 && used > 0) {
			for (const char *const *h = helper; *h; h++) {
				if (strstr(text + used, *h)) {
					buf_addf(out, "{\"role_failure\":true,\"category\":\"role_reversal\",\"turn\":%ld,"
						 "\"reason\":\"offline judge: phrase check only (the client says '%s')\"}", turn, *h);
					return;
				}
			}
		}
		line += len + (end ? 1 : 0);
	}
	buf_adds(out, "{\"role_failure\":false,\"category\":\"none\",\"turn\":null,"
		      "\"reason\":\"offline judge: phrase check only, no helper phrase from the client\"}");
}

static const char *task_name(enum offline_task task)
{
	switch (task) {
	case OFFLINE_CRAFT: return "offline:craft";
	case OFFLINE_CLIENT: return "offline:client";
	case OFFLINE_RESPONDER: return "offline:responder";
	case OFFLINE_PROBE: return "offline:probe";
	case OFFLINE_JUDGE: return "offline:judge";
	case OFFLINE_AUDIT: return "offline:audit";
	default: return "offline:generic";
	}
}

/* The request's own stream: every byte of it, the seed and the sample. */
static struct rng request_stream(const struct offline_request *req, jv fields, const struct chat *c)
{
	struct buf all = BUF_INIT;
	buf_addf(&all, "%s\x1e", task_name(req->task));
	add_canonical(&all, fields);
	for (size_t i = 0; i < c->n; i++)
		buf_addf(&all, "\x1e%s\x1f%s", c->m[i].role, c->m[i].text);
	uint64_t key = rng_hash(all.data, all.len, req->seed);
	buf_free(&all);
	key = rng_mix64(key ^ rng_mix64(req->sample + 0x9e3779b97f4a7c15ULL));
	return rng_from(key, rng_purpose_key(task_name(req->task)));
}

char *offline_generate(const struct offline_request *req)
{
	if (!req)
		return xstrdup("offline reply: empty request.");
	struct chat c = chat_load(req->messages);
	struct person p;
	person_load(&p, req->persona);
	struct rng r = request_stream(req, p.fields, &c);
	struct buf out = BUF_INIT;

	switch (req->task) {
	case OFFLINE_CRAFT: {
		char id[40];
		struct buf canon = BUF_INIT;
		add_canonical(&canon, p.fields);
		snprintf(id, sizeof id, "craft-%016llx-%llu",
			 (unsigned long long)rng_hash(canon.data ? canon.data : "", canon.len, 0),
			 (unsigned long long)req->sample);
		buf_free(&canon);
		describe_persona(p.fields, id, req->seed, &out);
		break;
	}
	case OFFLINE_CLIENT:
		client_turn(&r, &p, &c, req->seed, &out);
		break;
	case OFFLINE_RESPONDER:
		responder_turn(&r, &c, &out);
		break;
	case OFFLINE_PROBE: {
		/* The question is the last paragraph: it may share its message with the
		 * partner's turn before it, or with the system text. */
		const char *question = last_text(&c, "user");
		const char *para = strstr(question, "\n\n");
		while (para) {
			question = para + 2;
			para = strstr(question, "\n\n");
		}
		probe_answer(&r, &p, question, &out);
		break;
	}
	case OFFLINE_JUDGE:
		judge_verdict(&c, &out);
		break;
	case OFFLINE_AUDIT:
		audit_verdict(last_text(&c, "user"), &out);
		break;
	default:
		generic_reply(&r, &c, &out);
		break;
	}
	person_free(&p);
	chat_free(&c);
	char *text = out.data ? out.data : xstrdup("");
	return text;
}
