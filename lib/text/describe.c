/* describe — the model-free persona description.
 *
 * Every sentence is a fixed frame with field values dropped in verbatim, so the text
 * can only say what the fields say. Values never start a sentence (their case is
 * kept as given). Each sentence kind draws its wording from its own sub-stream of
 * rng_stream(seed, id, "describe"), so adding or removing one field does not reword
 * the others. A known field whose value does not fit its frame (an age of "fifty",
 * a politeness of "sarcastic") is not dropped: it falls through to the generic
 * "Your <name>: <value>." sentence like any field this file does not know.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "describe.h"
#include "jvutil.h"
#include "msg.h"
#include "rng.h"

#define GENERIC_SENTENCE "You are a person taking part in a conversation."

/* The field names this file writes sentences for. */
enum field {
	F_AGE,
	F_GENDER,
	F_OCCUPATION,
	F_LOCATION,
	F_GRADE,
	F_CUSTOMER_SINCE,
	F_PRODUCT,
	F_ISSUE,
	F_EMOTION,
	F_INTENSITY,
	F_ATTITUDE,
	F_PRIOR_LEVEL,
	F_DOMAIN,
	F_SUBJECT,
	F_GOAL,
	F_PREVIOUS_CONTACTS,
	F_CHANNEL,
	F_EXPRESSIVENESS,
	F_SELF_DISCLOSURE,
	F_ASSERTIVENESS,
	F_POLITENESS,
	F_TECH_SAVVINESS,
	F_LEARNING_STYLE,
	F_PARENT_INVOLVEMENT,
	F_HEADLINE,
	F_COUNT
};

static const char *const field_names[F_COUNT] = { "age",
						  "gender",
						  "occupation",
						  "location",
						  "grade",
						  "customer_since_years",
						  "product",
						  "issue",
						  "emotion",
						  "intensity",
						  "attitude",
						  "prior_level",
						  "domain",
						  "subject",
						  "goal",
						  "previous_contacts",
						  "channel",
						  "expressiveness",
						  "self_disclosure",
						  "assertiveness",
						  "politeness",
						  "tech_savviness",
						  "learning_style",
						  "parent_involvement",
						  "headline" };

struct known {
	jv value; /* the raw value (owned), jv_invalid() when absent */
	struct buf text; /* the value as plain text; empty when it renders to nothing */
	int used; /* a sentence has said it */
};

struct writer {
	struct buf *out;
	struct rng rng;
	int sentences;
	struct known f[F_COUNT];
};

/* ---- values as text ---------------------------------------------------------- */

static void add_number(struct buf *b, double d)
{
	if (jvu_is_integer(d))
		buf_addf(b, "%.0f", d);
	else
		json_add_double(b, d);
}

static void truncate_to(struct buf *b, size_t len)
{
	if (b->len > len) {
		b->len = len;
		b->data[len] = '\0';
	}
}

/* Append v as plain prose: lists joined with ", ", numbers plainly, nothing for null.
 * Returns whether anything was written. v is borrowed. */
static int add_value(struct buf *b, jv v)
{
	size_t before = b->len;
	switch (jv_get_kind(v)) {
	case JV_KIND_STRING:
		buf_adds(b, jv_string_value(v));
		break;
	case JV_KIND_NUMBER:
		if (isfinite(jv_number_value(v)))
			add_number(b, jv_number_value(v));
		break;
	case JV_KIND_TRUE:
		buf_adds(b, "yes");
		break;
	case JV_KIND_FALSE:
		buf_adds(b, "no");
		break;
	case JV_KIND_ARRAY: {
		int n = jv_array_length(jv_copy(v));
		for (int i = 0; i < n; i++) {
			size_t mark = b->len;
			if (b->len > before)
				buf_adds(b, ", ");
			jv item = jv_array_get(jv_copy(v), i);
			if (!add_value(b, item))
				truncate_to(b, mark);
			jv_free(item);
		}
		break;
	}
	case JV_KIND_OBJECT: {
		int it = jv_object_iter(v);
		while (jv_object_iter_valid(v, it)) {
			size_t mark = b->len;
			jv key = jv_object_iter_key(v, it);
			jv item = jv_object_iter_value(v, it);
			if (b->len > before)
				buf_adds(b, "; ");
			buf_addf(b, "%s: ", jv_string_value(key));
			if (!add_value(b, item))
				truncate_to(b, mark);
			jv_free(key);
			jv_free(item);
			it = jv_object_iter_next(v, it);
		}
		break;
	}
	default:
		break;
	}
	return b->len > before;
}

static const char *text(struct writer *w, enum field f)
{
	return w->f[f].text.len ? w->f[f].text.data : NULL;
}

/* The text of a field that must be a string to fit its frame (a gender of 7 is not one). */
static const char *str(struct writer *w, enum field f)
{
	return jv_get_kind(w->f[f].value) == JV_KIND_STRING ? text(w, f) : NULL;
}

static int text_is(struct writer *w, enum field f, const char *word)
{
	const char *t = text(w, f);
	return t && strcasecmp(t, word) == 0;
}

/* low / medium / high as 0 / 1 / 2, anything else as -1. */
static int level_of(struct writer *w, enum field f)
{
	static const char *const levels[] = { "low", "medium", "high" };
	for (int i = 0; i < 3; i++)
		if (text_is(w, f, levels[i]))
			return i;
	return -1;
}

/* ---- sentences -------------------------------------------------------------- */

/* Which sentence is being worded: each has its own sub-stream. */
enum slot {
	S_IDENTITY,
	S_CUSTOMER,
	S_CONCERN,
	S_FEELING,
	S_INTENSITY,
	S_LEVEL,
	S_ATTITUDE,
	S_GOAL_DOMAIN,
	S_GOAL_SUBJECT,
	S_GOAL_LIST,
	S_CONTACTS,
	S_CHANNEL,
	S_EXPRESSIVENESS,
	S_SELF_DISCLOSURE,
	S_ASSERTIVENESS,
	S_POLITENESS,
	S_TECH,
	S_LEARNING,
	S_PARENT
};

static unsigned pick(struct writer *w, enum slot slot, unsigned n)
{
	struct rng r = rng_substream(&w->rng, (uint64_t)slot + 1);
	return (unsigned)rng_below(&r, n);
}

/* Append one sentence: a separating space, the text, and a full stop unless the
 * text already ends in one (a value may carry its own). */
static void say(struct writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct writer *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	char *s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	size_t len = strlen(s);
	while (len && isspace((unsigned char)s[len - 1]))
		s[--len] = '\0';
	if (w->out->len && !isspace((unsigned char)w->out->data[w->out->len - 1]))
		buf_addc(w->out, ' ');
	buf_adds(w->out, s);
	if (!len || !strchr(".!?", s[len - 1]))
		buf_addc(w->out, '.');
	w->sentences++;
	free(s);
}

static int starts_with_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* "a" or "an" for the phrase s, by how its first word sounds. */
static const char *article_for(const char *s)
{
	while (*s == ' ')
		s++;
	if (isdigit((unsigned char)s[0])) {
		size_t digits = strspn(s, "0123456789");
		if (s[0] == '8' || ((digits == 2 || digits == 5) && s[0] == '1' && (s[1] == '1' || s[1] == '8')))
			return "an";
		return "a";
	}
	size_t upper = 0;
	while (isupper((unsigned char)s[upper]))
		upper++;
	if (upper >= 2 && !isalpha((unsigned char)s[upper])) /* an acronym: said letter by letter */
		return strchr("AEFHILMNORSX", s[0]) ? "an" : "a";
	static const char *const a_before_vowel[] = { "uni", "use", "usu", "uti", "ure", "eu", "one", "once" };
	static const char *const an_before_h[] = { "hour", "honest", "honor", "honour", "heir" };
	for (size_t i = 0; i < sizeof a_before_vowel / sizeof *a_before_vowel; i++)
		if (starts_with_ci(s, a_before_vowel[i]))
			return "a";
	for (size_t i = 0; i < sizeof an_before_h / sizeof *an_before_h; i++)
		if (starts_with_ci(s, an_before_h[i]))
			return "an";
	return strchr("aeiouAEIOU", s[0]) && s[0] ? "an" : "a";
}

static int has_article(const char *s)
{
	return starts_with_ci(s, "a ") || starts_with_ci(s, "an ") || starts_with_ci(s, "the ");
}

/* "a bus driver"; a value that brings its own article keeps it. */
static void add_with_article(struct buf *b, const char *noun)
{
	if (has_article(noun))
		buf_adds(b, noun);
	else
		buf_addf(b, "%s %s", article_for(noun), noun);
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(s, *list) == 0)
			return 1;
	return 0;
}

static int contains_ci(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcasestr(s, *list))
			return 1;
	return 0;
}

enum occupation_kind { OCC_JOB, OCC_STATUS, OCC_ADJECTIVE };

static enum occupation_kind occupation_kind(const char *occ)
{
	static const char *const adjectives[] = { "retired",      "semi-retired", "unemployed", "self-employed",
						  "between jobs", "on leave",     NULL };
	static const char *const statuses[] = { "student",   "seeker",     "homemaker", "carer",
						"caregiver", "apprentice", "volunteer", "pupil",
						"intern",    "trainee",    NULL };
	if (in_list(occ, adjectives))
		return OCC_ADJECTIVE;
	if (contains_ci(occ, statuses))
		return OCC_STATUS;
	return OCC_JOB;
}

/* A usable age: a non-negative number, or a string of digits. */
static int age_usable(struct writer *w)
{
	jv v = w->f[F_AGE].value;
	if (jv_get_kind(v) == JV_KIND_NUMBER)
		return isfinite(jv_number_value(v)) && jv_number_value(v) >= 0 && jv_number_value(v) < 200;
	const char *t = text(w, F_AGE);
	return jv_get_kind(v) == JV_KIND_STRING && t && strlen(t) <= 3 && strspn(t, "0123456789") == strlen(t);
}

static void sentence_identity(struct writer *w)
{
	static const char *const nouns[] = { "man",    "woman", "boy",       "girl", "person", "male",
					     "female", "lady",  "gentleman", "guy",  NULL };
	const char *gender = str(w, F_GENDER);
	const char *occ = str(w, F_OCCUPATION);
	const char *loc = str(w, F_LOCATION);
	const char *grade = text(w, F_GRADE);
	int age = age_usable(w);
	enum occupation_kind kind = occ ? occupation_kind(occ) : OCC_JOB;

	if (!age && !gender && !occ && !loc && !grade)
		return;

	/* The noun phrase without its article: "58-year-old retired man in grade 7". */
	struct buf np = BUF_INIT;
	int has_head = 0;
	if (age) {
		buf_addf(&np, "%s-year-old", text(w, F_AGE));
		w->f[F_AGE].used = 1;
	}
	if (occ && kind == OCC_ADJECTIVE) {
		buf_addf(&np, "%s%s", np.len ? " " : "", occ);
		w->f[F_OCCUPATION].used = 1;
	}
	if (gender) {
		buf_addf(&np, "%s%s%s", np.len ? " " : "", gender, in_list(gender, nouns) ? "" : " person");
		w->f[F_GENDER].used = 1;
		has_head = 1;
	}
	int occ_pending = occ && !w->f[F_OCCUPATION].used;
	if (!has_head && occ_pending) {
		/* No gender to name them by: the occupation is the head noun. */
		buf_addf(&np, "%s%s", np.len ? " " : "", occ);
		w->f[F_OCCUPATION].used = 1;
		occ_pending = 0;
		has_head = 1;
	}
	if (!has_head)
		buf_addf(&np, "%sperson", np.len ? " " : "");
	if (grade) {
		buf_addf(&np, " in grade %s", grade);
		w->f[F_GRADE].used = 1;
	}
	struct buf full = BUF_INIT; /* with its article */
	add_with_article(&full, np.data);

	unsigned v = pick(w, S_IDENTITY, 3);
	static const char *const loc_frames[3] = { " living in %s", " from %s", " based in %s" };
	struct buf where = BUF_INIT;
	if (loc) {
		buf_addf(&where, loc_frames[v], loc);
		w->f[F_LOCATION].used = 1;
	} else {
		buf_adds(&where, "");
	}

	if (occ_pending) {
		struct buf occ_np = BUF_INIT;
		add_with_article(&occ_np, occ);
		w->f[F_OCCUPATION].used = 1;
		if (v == 0)
			say(w, "You are %s%s, and you %s %s", full.data, where.data,
			    kind == OCC_JOB ? "work as" : "are", occ_np.data);
		else if (v == 1)
			say(w, "You are %s%s, %s %s", full.data, where.data,
			    kind == OCC_JOB ? "working as" : "currently", occ_np.data);
		else
			say(w, "You are %s, %s%s", occ_np.data, full.data, where.data);
		buf_free(&occ_np);
	} else {
		say(w, "You are %s%s", full.data, where.data);
	}
	buf_free(&where);
	buf_free(&full);
	buf_free(&np);
}

static void sentence_customer_since(struct writer *w)
{
	jv v = w->f[F_CUSTOMER_SINCE].value;
	if (jv_get_kind(v) != JV_KIND_NUMBER || !isfinite(jv_number_value(v)) || jv_number_value(v) < 0)
		return;
	const char *unit = jv_number_value(v) == 1 ? "year" : "years";
	if (pick(w, S_CUSTOMER, 2) == 0)
		say(w, "You have been a customer of this company for %s %s", text(w, F_CUSTOMER_SINCE), unit);
	else
		say(w, "You have been with this company as a customer for %s %s", text(w, F_CUSTOMER_SINCE), unit);
	w->f[F_CUSTOMER_SINCE].used = 1;
}

/* Support contacts: the product and what is wrong with it. */
static void sentence_concern(struct writer *w)
{
	const char *product = text(w, F_PRODUCT);
	const char *issue = text(w, F_ISSUE);
	unsigned v = pick(w, S_CONCERN, 3);
	if (product && issue) {
		if (v == 0)
			say(w, "You are contacting customer support about your %s (the issue: %s)", product, issue);
		else if (v == 1)
			say(w, "You are getting in touch with support about your %s, and the problem is this: %s",
			    product, issue);
		else
			say(w, "Your %s is giving you trouble (%s), so you are contacting customer support", product,
			    issue);
	} else if (product) {
		say(w, "You are contacting customer support about your %s", product);
	} else if (issue) {
		say(w, "You are contacting customer support about an issue: %s", issue);
	} else {
		return;
	}
	w->f[F_PRODUCT].used = product != NULL;
	w->f[F_ISSUE].used = issue != NULL;
}

/* The emotion fits "you feel <emotion>" when it reads as an adjective. */
static int is_adjective(const char *word)
{
	static const char *const short_ones[] = { "sad",    "calm",  "glad", "upset", "tense",  "low",   "mad",
						  "lost",   "numb",  "shy",  "proud", "afraid", "alone", "content",
						  "unsure", "weary", "wary", "keen",  "tired",  "bored", NULL };
	static const char *const endings[] = { "ed",   "ous", "ful", "ive", "ent", "ant", "ic",  "al", "y",
					       "less", "ish", "ile", "ing", "ate", "le",  "ose", NULL };
	if (strchr(word, ' '))
		return 0;
	if (in_list(word, short_ones))
		return 1;
	size_t n = strlen(word);
	for (const char *const *e = endings; *e; e++) {
		size_t m = strlen(*e);
		if (n >= m + 3 && strcasecmp(word + n - m, *e) == 0)
			return 1;
	}
	return 0;
}

/* An adverb for the intensity level, or NULL when the level is unknown. */
static const char *intensity_adverb(struct writer *w)
{
	static const char *const mild[] = { "a little", "somewhat", "slightly" };
	static const char *const moderate[] = { "quite", "fairly", "rather" };
	static const char *const severe[] = { "very", "deeply", "intensely" };
	unsigned v = pick(w, S_INTENSITY, 3);
	if (text_is(w, F_INTENSITY, "mild"))
		return mild[v];
	if (text_is(w, F_INTENSITY, "moderate"))
		return moderate[v];
	if (text_is(w, F_INTENSITY, "severe"))
		return severe[v];
	return NULL;
}

static void sentence_feeling(struct writer *w)
{
	const char *emotion = text(w, F_EMOTION);
	if (!emotion)
		return;
	const char *domain = text(w, F_DOMAIN);
	int concern_said = w->f[F_PRODUCT].used || w->f[F_ISSUE].used;
	struct buf topic = BUF_INIT;
	if (domain)
		buf_addf(&topic, " about %s", domain);
	else if (concern_said)
		buf_adds(&topic, " about it");
	else
		buf_adds(&topic, "");

	const char *adverb = intensity_adverb(w);
	if (is_adjective(emotion)) {
		struct buf how = BUF_INIT;
		if (adverb) {
			buf_addf(&how, "%s %s", adverb, emotion);
			w->f[F_INTENSITY].used = 1;
		} else {
			buf_adds(&how, emotion);
		}
		/* The goal sentence names the domain too: half the wordings leave it to that one. */
		switch (pick(w, S_FEELING, 4)) {
		case 0:
			say(w, "Right now you feel %s", how.data);
			break;
		case 1:
			say(w, "You are feeling %s%s", how.data, topic.data);
			break;
		case 2:
			say(w, "At the moment you are %s", how.data);
			break;
		default:
			if (domain)
				say(w, "Thinking about %s leaves you feeling %s", domain, how.data);
			else
				say(w, "At the moment you are %s%s", how.data, topic.data);
			break;
		}
		buf_free(&how);
	} else if (text(w, F_INTENSITY)) {
		say(w, "Your main emotion%s is %s, and it is %s", topic.data, emotion, text(w, F_INTENSITY));
		w->f[F_INTENSITY].used = 1;
	} else {
		say(w, "Your main emotion%s is %s", topic.data, emotion);
	}
	w->f[F_EMOTION].used = 1;
	buf_free(&topic);
}

static void sentence_level_and_attitude(struct writer *w)
{
	const char *subject = text(w, F_SUBJECT);
	const char *level = text(w, F_PRIOR_LEVEL);
	const char *attitude = text(w, F_ATTITUDE);
	if (level) {
		unsigned v = pick(w, S_LEVEL, 2);
		if (subject && v == 0)
			say(w, "In %s you are %s at the moment", subject, level);
		else if (subject)
			say(w, "Right now you are %s in %s", level, subject);
		else
			say(w, "At school you are %s at the moment", level);
		w->f[F_PRIOR_LEVEL].used = 1;
	}
	if (attitude) {
		unsigned v = pick(w, S_ATTITUDE, 3);
		if (v == 0)
			say(w, "You come to this session feeling %s", attitude);
		else if (v == 1)
			say(w, "Going into this session, you are %s", attitude);
		else
			say(w, "Your attitude towards the session is %s", attitude);
		w->f[F_ATTITUDE].used = 1;
	}
}

static void sentence_goal_domain(struct writer *w)
{
	const char *domain = text(w, F_DOMAIN);
	if (!domain)
		return;
	switch (pick(w, S_GOAL_DOMAIN, 4)) {
	case 0:
		say(w, "You want help with %s", domain);
		break;
	case 1:
		say(w, "You have come to this conversation looking for help with %s", domain);
		break;
	case 2:
		say(w, "What you want from this conversation is support with %s", domain);
		break;
	default:
		say(w, "You hope this conversation will help you deal with %s", domain);
		break;
	}
	w->f[F_DOMAIN].used = 1;
}

static void sentence_goal_subject(struct writer *w)
{
	const char *subject = text(w, F_SUBJECT);
	if (!subject)
		return;
	switch (pick(w, S_GOAL_SUBJECT, 3)) {
	case 0:
		say(w, "You want help with %s", subject);
		break;
	case 1:
		say(w, "You are here for tutoring in %s", subject);
		break;
	default:
		say(w, "What you want from this session is help with %s", subject);
		break;
	}
	w->f[F_SUBJECT].used = 1;
}

/* What a support contact wants: known goal words as verb phrases, anything else verbatim. */
static void sentence_goal_list(struct writer *w)
{
	static const char *const words[][2] = { { "cancel", "to cancel" },
						{ "compensation", "to get compensation" },
						{ "escalate", "to have the case escalated" },
						{ "explanation", "to get an explanation" },
						{ "fix", "to get it fixed" },
						{ "refund", "to get a refund" } };
	jv goal = w->f[F_GOAL].value;
	if (!text(w, F_GOAL))
		return;
	jv items = jv_get_kind(goal) == JV_KIND_ARRAY ? jv_copy(goal) : jv_array_append(jv_array(), jv_copy(goal));
	int n = jv_array_length(jv_copy(items));
	const char *phrases[16];
	int count = 0, all_known = n > 0 && n <= 16;
	for (int i = 0; i < n && all_known; i++) {
		jv item = jv_array_get(jv_copy(items), i);
		int found = 0;
		if (jv_get_kind(item) == JV_KIND_STRING)
			for (size_t k = 0; k < sizeof words / sizeof *words; k++)
				if (strcasecmp(jv_string_value(item), words[k][0]) == 0) {
					phrases[count++] = words[k][1];
					found = 1;
				}
		all_known = found;
		jv_free(item);
	}
	jv_free(items);
	if (all_known) {
		struct buf joined = BUF_INIT;
		for (int i = 0; i < count; i++)
			buf_addf(&joined, "%s%s", i == 0 ? "" : i == count - 1 ? " and " : ", ", phrases[i]);
		if (pick(w, S_GOAL_LIST, 2) == 0)
			say(w, "From this contact you want %s", joined.data);
		else
			say(w, "What you want out of this contact is %s", joined.data);
		buf_free(&joined);
	} else {
		say(w, "What you want from this conversation: %s", text(w, F_GOAL));
	}
	w->f[F_GOAL].used = 1;
}

static void sentence_contacts(struct writer *w)
{
	jv v = w->f[F_PREVIOUS_CONTACTS].value;
	if (jv_get_kind(v) != JV_KIND_NUMBER || !jvu_is_integer(jv_number_value(v)) || jv_number_value(v) < 0)
		return;
	double n = jv_number_value(v);
	unsigned pickv = pick(w, S_CONTACTS, 2);
	if (n == 0)
		say(w,
		    pickv ? "You have not contacted them about this before" : "This is your first contact about this");
	else if (n == 1)
		say(w, pickv ? "You have contacted them once before about this"
			     : "This is not your first contact: you have been in touch once before about it");
	else
		say(w,
		    pickv ? "You have already contacted them %s times about this"
			  : "This is not your first contact: you have been in touch %s times before about it",
		    text(w, F_PREVIOUS_CONTACTS));
	w->f[F_PREVIOUS_CONTACTS].used = 1;
}

static void sentence_channel(struct writer *w)
{
	unsigned v = pick(w, S_CHANNEL, 2);
	if (text_is(w, F_CHANNEL, "chat"))
		say(w, v ? "You are writing in the support chat" : "You are reaching out through the chat");
	else if (text_is(w, F_CHANNEL, "email"))
		say(w, v ? "You are writing by email" : "You are reaching out by email");
	else if (text_is(w, F_CHANNEL, "phone"))
		say(w, v ? "You are speaking to them on the phone" : "You are reaching out by phone");
	else
		return;
	w->f[F_CHANNEL].used = 1;
}

/* One sentence per interaction-style trait: [level][wording]. */
static const char *const expressiveness_text[3][3] = {
	{ "You rarely show your feelings in what you write, and your messages stay brief",
	  "You keep your emotions out of your words and say only what is needed",
	  "Your messages are short and give little sign of how you feel" },
	{ "You let your feelings show now and then, without dwelling on them",
	  "Your emotions come through in your messages at times, but you stay fairly even",
	  "You mention how you feel when it matters, but not at length" },
	{ "Your feelings come through strongly in how you write", "You express your emotions openly and vividly",
	  "You say plainly how you feel, often with some intensity" },
};

static const char *const self_disclosure_text[3][3] = {
	{ "You keep personal details to yourself unless asked twice",
	  "You share little about your private life and answer personal questions briefly",
	  "You are guarded about personal matters and volunteer little" },
	{ "You share some personal details when they seem relevant",
	  "You open up about your life a little once you feel comfortable",
	  "You give personal background when asked, but rarely volunteer it" },
	{ "You readily share details about your life and circumstances",
	  "You volunteer a lot of personal background, often without being asked",
	  "You are open about your private life and happy to explain your situation" },
};

static const char *const assertiveness_text[3][3] = {
	{ "You find it hard to say what you need and tend to go along with suggestions",
	  "You hint at what you want rather than asking for it directly",
	  "You hesitate to push back, even when something does not suit you" },
	{ "You state your needs clearly but without pressing",
	  "You ask for what you want, and push back when something clearly will not work",
	  "You are reasonably direct about what you need" },
	{ "You state your needs firmly and ask direct questions",
	  "You are direct: you say what you want and push for concrete answers",
	  "You do not hesitate to push back or to ask for exactly what you need" },
};

static const char *const tech_text[3][2] = {
	{ "You are not confident with technology and need things explained simply",
	  "Technology is not your strong point, so you prefer plain explanations" },
	{ "You are reasonably comfortable with technology", "You can manage everyday technology but are no expert" },
	{ "You know your way around technology well", "You are very comfortable with technology" },
};

static void sentence_level_trait(struct writer *w, enum field f, enum slot slot, const char *const table[3][3])
{
	int level = level_of(w, f);
	if (level < 0)
		return;
	say(w, "%s", table[level][pick(w, slot, 3)]);
	w->f[f].used = 1;
}

static void sentence_politeness(struct writer *w)
{
	static const char *const formal[] = { "You write in a polite, formal register",
					      "You are courteous and keep your language formal",
					      "You address the other person politely and choose your words with care" };
	static const char *const casual[] = { "Your tone is casual and relaxed, like chatting with someone you know",
					      "You write informally, in an easy, everyday tone",
					      "You keep things casual and conversational" };
	static const char *const blunt[] = { "You are blunt and skip the pleasantries",
					     "You get straight to the point, without softening your words",
					     "You speak bluntly and waste no words on niceties" };
	unsigned v = pick(w, S_POLITENESS, 3);
	if (text_is(w, F_POLITENESS, "formal"))
		say(w, "%s", formal[v]);
	else if (text_is(w, F_POLITENESS, "casual"))
		say(w, "%s", casual[v]);
	else if (text_is(w, F_POLITENESS, "blunt"))
		say(w, "%s", blunt[v]);
	else
		return;
	w->f[F_POLITENESS].used = 1;
}

static void sentence_tech(struct writer *w)
{
	int level = level_of(w, F_TECH_SAVVINESS);
	if (level < 0)
		return;
	say(w, "%s", tech_text[level][pick(w, S_TECH, 2)]);
	w->f[F_TECH_SAVVINESS].used = 1;
}

static void sentence_learning(struct writer *w)
{
	static const char *const senses[] = { "visual", "auditory", "kinesthetic", "kinaesthetic", NULL };
	const char *style = text(w, F_LEARNING_STYLE);
	if (!style)
		return;
	struct buf how = BUF_INIT;
	if (in_list(style, senses))
		buf_addf(&how, "%s explanations", style);
	else
		buf_adds(&how, style);
	if (pick(w, S_LEARNING, 2) == 0)
		say(w, "You learn best through %s", how.data);
	else
		say(w, "What works best for you is %s", how.data);
	buf_free(&how);
	w->f[F_LEARNING_STYLE].used = 1;
}

static void sentence_parent(struct writer *w)
{
	const char *how = text(w, F_PARENT_INVOLVEMENT);
	if (!how)
		return;
	if (pick(w, S_PARENT, 2) == 0)
		say(w, "When it comes to your tutoring, your parent is %s", how);
	else
		say(w, "As for your parent, they are %s when it comes to your studies", how);
	w->f[F_PARENT_INVOLVEMENT].used = 1;
}

static int known_index(const char *name)
{
	for (int i = 0; i < F_COUNT; i++)
		if (strcmp(name, field_names[i]) == 0)
			return i;
	return -1;
}

/* Every field no sentence has said: "Your favourite colour: teal." */
static void sentences_rest(struct writer *w, jv fields)
{
	int it = jv_object_iter(fields);
	while (jv_object_iter_valid(fields, it)) {
		jv key = jv_object_iter_key(fields, it);
		jv value = jv_object_iter_value(fields, it);
		const char *name = jv_string_value(key);
		int k = known_index(name);
		/* headline is a derived summary of the other fields: saying it again adds nothing */
		int said = k >= 0 && (w->f[k].used || k == F_HEADLINE);
		struct buf shown = BUF_INIT;
		if (!said && add_value(&shown, value)) {
			char *label = xstrdup(name);
			for (char *p = label; *p; p++)
				if (*p == '_')
					*p = ' ';
			say(w, "Your %s: %s", label, shown.data);
			free(label);
		}
		buf_free(&shown);
		jv_free(key);
		jv_free(value);
		it = jv_object_iter_next(fields, it);
	}
}

static void writer_open(struct writer *w, jv fields, const char *id, uint64_t seed, struct buf *out)
{
	*w = (struct writer){ .out = out, .rng = rng_stream(seed, id, "describe") };
	for (int i = 0; i < F_COUNT; i++) {
		w->f[i].value = jvu_get_borrow(fields, field_names[i]);
		w->f[i].text = (struct buf)BUF_INIT;
		add_value(&w->f[i].text, w->f[i].value);
	}
}

static void writer_close(struct writer *w)
{
	for (int i = 0; i < F_COUNT; i++) {
		jv_free(w->f[i].value);
		buf_free(&w->f[i].text);
	}
}

/* How the persona talks: the interaction-style sentences only. */
static void sentences_style(struct writer *w)
{
	sentence_level_trait(w, F_EXPRESSIVENESS, S_EXPRESSIVENESS, expressiveness_text);
	sentence_level_trait(w, F_SELF_DISCLOSURE, S_SELF_DISCLOSURE, self_disclosure_text);
	sentence_level_trait(w, F_ASSERTIVENESS, S_ASSERTIVENESS, assertiveness_text);
	sentence_politeness(w);
	sentence_tech(w);
}

void describe_persona(jv fields, const char *id, uint64_t seed, struct buf *out)
{
	if (jv_get_kind(fields) != JV_KIND_OBJECT) {
		if (out->len && !isspace((unsigned char)out->data[out->len - 1]))
			buf_addc(out, ' ');
		buf_adds(out, GENERIC_SENTENCE);
		return;
	}
	struct writer w;
	writer_open(&w, fields, id, seed, out);
	sentence_identity(&w);
	if (w.sentences == 0)
		say(&w, GENERIC_SENTENCE);
	sentence_customer_since(&w);
	sentence_concern(&w);
	sentence_feeling(&w);
	sentence_level_and_attitude(&w);
	sentence_goal_domain(&w);
	sentence_goal_subject(&w);
	sentence_goal_list(&w);
	sentence_contacts(&w);
	sentence_channel(&w);
	sentences_style(&w);
	sentence_learning(&w);
	sentence_parent(&w);
	sentences_rest(&w, fields);
	writer_close(&w);
}

void describe_style(jv fields, const char *id, uint64_t seed, struct buf *out)
{
	if (jv_get_kind(fields) != JV_KIND_OBJECT)
		return;
	struct writer w;
	writer_open(&w, fields, id, seed, out);
	sentences_style(&w);
	writer_close(&w);
}
