/* offline_internal — what the parts of the offline provider share (not for other modules).
 *
 * offline.c holds the entry point (offline_generate) and the helpers below: the request
 * flattened to role/text pairs, the persona as texts and trait levels, and the phrase
 * picking every generator uses. Each generator lives in a file of its own, with its
 * header: offline_client, offline_responder, offline_probe, offline_judge, offline_group,
 * offline_extract.
 *
 * Ownership: struct chat and struct person own their strings (and person its fields
 * jv); the helpers borrow every argument and append to the caller's buffer. Strings
 * returned by last_text, topic_of, intensity_word and choose* are borrowed from the
 * chat, the person, the scratch buffer or a static phrase bank.
 * Never ends the process (except out of memory).
 */
#ifndef PS_OFFLINE_INTERNAL_H
#define PS_OFFLINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

#include "buf.h"
#include "rng.h"

#define COUNT(a) (sizeof(a) / sizeof *(a))

struct message {
	char *role;
	char *text;
};

struct chat {
	struct message *m;
	size_t n;
};

struct person {
	jv fields; /* owned */
	char *v[16]; /* texts of the fields below (NULL when absent) */
	int expressiveness; /* 0 low, 1 medium, 2 high */
	int disclosure;
	int assertiveness;
	int politeness; /* 0 formal, 1 casual, 2 blunt */
};

enum {
	P_AGE,
	P_GENDER,
	P_OCCUPATION,
	P_LOCATION,
	P_DOMAIN,
	P_EMOTION,
	P_INTENSITY,
	P_PRODUCT,
	P_ISSUE,
	P_SUBJECT,
	P_PRIOR_LEVEL,
	P_ATTITUDE,
	P_GOAL,
	P_PREVIOUS,
	P_GRADE,
	P_COUNT
};

#define CHOOSE(r, bank) off_choose((r), (bank), COUNT(bank))
#define FRESH(r, bank, c, role) off_choose_fresh((r), (bank), COUNT(bank), (c), (role), NULL)

/* ---- the request, flattened ---- */

/* Messages with this role. */
size_t off_count_role(const struct chat *c, const char *role);

/* The text of the last message with this role (any role when role is NULL), or "". */
const char *off_last_text(const struct chat *c, const char *role);

/* Canonical text of a value, for hashing. */
void off_add_canonical(struct buf *b, jv v);

/* ---- the persona, as text ---- */

/* What the person wants to talk about, as a noun phrase ("tax problems", "my laptop"). */
const char *off_topic_of(const struct person *p, struct buf *scratch);

/* "I work as a bus driver", "I'm retired", "I'm a university student". */
void off_add_occupation_clause(struct buf *b, const char *occ);

/* "a bit ", "pretty ", "really " (with its space) for the persona's intensity, or "". */
const char *off_intensity_word(const struct person *p);

/* ---- text assembly ---- */

/* One phrase of the bank (CHOOSE: of a static array). */
const char *off_choose(struct rng *r, const char *const *bank, size_t n);

/* Has the speaker with this role in the view already said s? */
int off_said_before(const struct chat *c, const char *role, const char *s);

/* A phrase of the bank the speaker has not used yet, while there is one: people
 * rephrase rather than repeat themselves word for word. */
const char *off_choose_fresh(struct rng *r, const char *const *bank, size_t n, const struct chat *c, const char *role,
			     const char *not_this);

/* True with probability p. */
int off_chance(struct rng *r, double p);

/* Append a sentence with a separating space. */
void off_add_sentence(struct buf *b, const char *s);

/* needle anywhere in hay, ignoring case. */
int off_has_ci(const char *hay, const char *needle);

/* needle as a whole word in hay, ignoring case. */
int off_has_word(const char *hay, const char *needle);

/* Does text thank or say goodbye, and ask nothing (a closure the stop rules see)? */
int off_is_closure(const char *text);

/* One to three consecutive content words of text, lower-cased, or "" when none. */
void off_pick_quote(struct rng *r, const char *text, struct buf *out);

/* Words separated by white space. */
size_t off_word_count(const char *s);

#endif
