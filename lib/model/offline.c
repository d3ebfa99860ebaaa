/* offline — the built-in stand-in for a language model.
 *
 * Text comes from the phrase banks of the generators (offline_client.c, offline_responder.c,
 * offline_probe.c, offline_judge.c, offline_group.c, offline_extract.c), picked by streams keyed on a hash of the whole
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
#include "jvutil.h"
#include "msg.h"
#include "offline.h"
#include "offline_client.h"
#include "offline_extract.h"
#include "offline_internal.h"
#include "offline_judge.h"
#include "offline_probe.h"
#include "offline_responder.h"
#include "offline_group.h"
#include "rng.h"

/* ---- the request, flattened ------------------------------------------------- */

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

size_t off_count_role(const struct chat *c, const char *role)
{
	size_t k = 0;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->m[i].role, role) == 0)
			k++;
	return k;
}

const char *off_last_text(const struct chat *c, const char *role)
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

void off_add_canonical(struct buf *b, jv v)
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

static const char *const person_keys[P_COUNT] = {
	"age",   "gender",  "occupation",  "location", "domain", "emotion",           "intensity", "product",
	"issue", "subject", "prior_level", "attitude", "goal",   "previous_contacts", "grade"
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

const char *off_topic_of(const struct person *p, struct buf *scratch)
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

void off_add_occupation_clause(struct buf *b, const char *occ)
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
		 ((occ[0] == 'H' || occ[0] == 'F' || occ[0] == 'L' || occ[0] == 'M' || occ[0] == 'N' || occ[0] == 'R' ||
		   occ[0] == 'S' || occ[0] == 'X') &&
		  isupper((unsigned char)occ[1]));
	buf_addf(b, "%s %s %s", role ? "I'm" : "I work as", an ? "an" : "a", occ);
}

const char *off_intensity_word(const struct person *p)
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

const char *off_choose(struct rng *r, const char *const *bank, size_t n)
{
	return bank[rng_below(r, n)];
}

int off_said_before(const struct chat *c, const char *role, const char *s)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->m[i].role, role) == 0 && strstr(c->m[i].text, s))
			return 1;
	return 0;
}

const char *off_choose_fresh(struct rng *r, const char *const *bank, size_t n, const struct chat *c, const char *role,
			     const char *not_this)
{
	size_t start = (size_t)rng_below(r, n);
	for (size_t i = 0; i < n; i++) {
		const char *s = bank[(start + i) % n];
		if (s != not_this && !off_said_before(c, role, s))
			return s;
	}
	return bank[start] != not_this || n == 1 ? bank[start] : bank[(start + 1) % n];
}

int off_chance(struct rng *r, double p)
{
	return rng_uniform(r) < p;
}

void off_add_sentence(struct buf *b, const char *s)
{
	if (!s || !*s)
		return;
	if (b->len)
		buf_addc(b, ' ');
	buf_adds(b, s);
}

int off_has_ci(const char *hay, const char *needle)
{
	return strcasestr(hay, needle) != NULL;
}

int off_has_word(const char *hay, const char *needle)
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

int off_is_closure(const char *text)
{
	static const char *const marks[] = { "thank", "bye", "goodbye", "that helps", "take care", "see you" };
	if (strchr(text, '?'))
		return 0;
	for (size_t i = 0; i < COUNT(marks); i++)
		if (off_has_ci(text, marks[i]))
			return 1;
	return 0;
}

/* Words never worth quoting back: function words and anything that sounds like a closure. */
static int is_stopword(const char *w)
{
	static const char *const stop[] = {
		"about",      "above",     "after",    "again",      "also",      "always",  "anything", "back",
		"been",       "being",     "both",     "could",      "does",      "doing",   "done",     "each",
		"even",       "ever",      "every",    "feel",       "feels",     "from",    "glad",     "good",
		"great",      "have",      "having",   "hear",       "help",      "helps",   "helpful",  "here",
		"into",       "just",      "know",     "like",       "little",    "look",    "make",     "many",
		"maybe",      "might",     "more",     "most",       "much",      "must",    "need",     "okay",
		"only",       "other",     "over",     "perhaps",    "really",    "right",   "same",     "should",
		"some",       "something", "sorry",    "sound",      "sounds",    "still",   "such",     "sure",
		"take",       "than",      "thank",    "thanks",     "that",      "that's",  "their",    "them",
		"then",       "there",     "these",    "they",       "thing",     "things",  "think",    "this",
		"those",      "through",   "very",     "want",       "well",      "were",    "what",     "what's",
		"when",       "where",     "which",    "while",      "will",      "with",    "would",    "your",
		"you're",     "yours",     "bye",      "goodbye",    "welcome",   "care",    "today",    "let's",
		"it's",       "i'm",       "i've",     "don't",      "can't",     "won't",   "you've",   "you'll",
		"i'll",       "it'll",     "we're",    "there's",    "here's",    "kind",    "since",    "sometimes",
		"someone",    "anyone",    "talk",     "talked",     "tell",      "first",   "next",     "going",
		"happy",      "mean",      "means",    "able",       "whether",   "because", "though",   "yourself",
		"myself",     "hello",     "again",    "hard",       "idea",      "work",    "start",    "understand",
		"notice",     "noticed",   "tried",    "trying",     "confirm",   "check",   "open",     "send",
		"hope",       "hoping",    "mention",  "mentioned",  "said",      "says",    "suggest",  "explain",
		"explaining", "consider",  "seems",    "seem",       "looks",     "wonder",  "happen",   "happened",
		"actually",   "honestly",  "probably", "definitely", "certainly", "usually", "often",    "already",
		"everything", "nothing",   "somebody", "everyone",   "whatever",  "however", "another",  "around",
		"before",     "during",    "without",  "within",     "quite",     "rather",  "together", "given",
		"makes",      "getting",   "doesn't",  "didn't",     "isn't",     "aren't",  "wasn't",   "couldn't",
		"wouldn't",   "shouldn't", "haven't",  "honest",     "someone",   "lately",  "where",    "whole",
		"week",       "today's",   "you'd",    "i'd",        "we'll",     "they're", "can't",    "cannot",
		"able",       "available", "option",   "options",    "think",     "thought", "worth",    "matters",
		"point",      "points",    "place",    "fine",       "start",     "begin",   "really",   "sense",
		"people",     "anyway",    "instead",  "enough",     "keep",      "keeps",   "coming",   "feeling",
		"feelings",   "worried",   "sounds",   "else",       "clears",    "part",    "deal",     "head",
		"yeah",       "okay",      "hmm",      "ugh",        "yes",       NULL
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

void off_pick_quote(struct rng *r, const char *text, struct buf *out)
{
	char words[64][32];
	size_t n = 0;
	const char *p = text;
	int quoted = 0; /* inside "...": the partner quoting someone; never quote a quote */
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

size_t off_word_count(const char *s)
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

/* ---- the entry point --------------------------------------------------------- */

static void generic_reply(struct rng *r, const struct chat *c, struct buf *out)
{
	static const char *const quoted[] = { "I read your message about \"%s\".", "Noted: \"%s\".",
					      "You asked about \"%s\"; this is a placeholder answer." };
	static const char *const plain[] = { "I read your message.", "Noted.", "This is a placeholder answer." };
	struct buf q = BUF_INIT;
	off_pick_quote(r, off_last_text(c, NULL), &q);
	buf_adds(out, "offline reply: ");
	if (q.len)
		buf_addf(out, CHOOSE(r, quoted), q.data);
	else
		buf_adds(out, CHOOSE(r, plain));
	buf_free(&q);
}

static const char *task_name(enum offline_task task)
{
	switch (task) {
	case OFFLINE_CRAFT:
		return "offline:craft";
	case OFFLINE_CLIENT:
		return "offline:client";
	case OFFLINE_RESPONDER:
		return "offline:responder";
	case OFFLINE_PROBE:
		return "offline:probe";
	case OFFLINE_JUDGE:
		return "offline:judge";
	case OFFLINE_AUDIT:
		return "offline:audit";
	case OFFLINE_PARTICIPANT:
		return "offline:participant";
	case OFFLINE_MODERATOR:
		return "offline:moderator";
	case OFFLINE_SELECTOR:
		return "offline:selector";
	case OFFLINE_EXTRACT:
		return "offline:extract";
	default:
		return "offline:generic";
	}
}

/* The request's own stream: every byte of it, the seed and the sample. */
static struct rng request_stream(const struct offline_request *req, jv fields, const struct chat *c)
{
	struct buf all = BUF_INIT;
	buf_addf(&all, "%s\x1e", task_name(req->task));
	off_add_canonical(&all, fields);
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
		off_add_canonical(&canon, p.fields);
		snprintf(id, sizeof id, "craft-%016llx-%llu",
			 (unsigned long long)rng_hash(canon.data ? canon.data : "", canon.len, 0),
			 (unsigned long long)req->sample);
		buf_free(&canon);
		describe_persona(p.fields, id, req->seed, &out);
		break;
	}
	case OFFLINE_CLIENT:
		offline_client_turn(&r, &p, &c, req->seed, &out);
		break;
	case OFFLINE_RESPONDER:
		offline_responder_turn(&r, &c, &out);
		break;
	case OFFLINE_PROBE: {
		/* The question is the last paragraph: it may share its message with the
		 * partner's turn before it, or with the system text. */
		const char *question = off_last_text(&c, "user");
		const char *para = strstr(question, "\n\n");
		while (para) {
			question = para + 2;
			para = strstr(question, "\n\n");
		}
		offline_probe_answer(&r, &p, question, &out);
		break;
	}
	case OFFLINE_JUDGE:
		offline_judge_verdict(&c, &out);
		break;
	case OFFLINE_AUDIT:
		offline_audit_verdict(off_last_text(&c, "user"), &out);
		break;
	case OFFLINE_PARTICIPANT:
		offline_participant_turn(&r, &p, &c, &out);
		break;
	case OFFLINE_MODERATOR:
		offline_moderator_turn(&r, &c, &out);
		break;
	case OFFLINE_SELECTOR:
		offline_select(&r, &c, &out);
		break;
	case OFFLINE_EXTRACT:
		offline_extract_answer(&r, &c, &out);
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
