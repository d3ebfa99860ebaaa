/* offline_group — group conversation turns of the offline stand-in (see offline_group.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "offline_group.h"
#include "offline_internal.h"
#include "rng.h"

#define MAX_NAMES 64

/* The text after `label` in the first message that has it, up to the end of its line
 * (and a final "." left out), into out; 0 when no message has it. */
static int line_after(const struct chat *c, const char *label, struct buf *out)
{
	for (size_t i = 0; i < c->n; i++) {
		const char *at = strstr(c->m[i].text, label);
		if (!at)
			continue;
		at += strlen(label);
		size_t len = strcspn(at, "\n");
		while (len && (at[len - 1] == '.' || at[len - 1] == ' '))
			len--;
		buf_add(out, at, len);
		return 1;
	}
	return 0;
}

/* A comma-separated list ("A, B, and a moderator") split into names (at most max). */
static size_t split_names(char *list, char **names, size_t max)
{
	size_t n = 0;
	for (char *tok = strtok(list, ","); tok && n < max; tok = strtok(NULL, ",")) {
		while (*tok == ' ')
			tok++;
		if (strncmp(tok, "and ", 4) == 0)
			tok += 4;
		size_t len = strlen(tok);
		while (len && tok[len - 1] == ' ')
			tok[--len] = 0;
		if (len && strcmp(tok, "a moderator") != 0)
			names[n++] = tok;
	}
	return n;
}

/* The last "NAME: text" line of the last user message: its speaker and text. */
static int last_line(const struct chat *c, struct buf *speaker, struct buf *text)
{
	const char *msg = off_last_text(c, "user");
	const char *line = NULL;
	for (const char *s = msg; *s;) {
		size_t len = strcspn(s, "\n");
		const char *colon = memchr(s, ':', len);
		if (colon && colon > s && colon - s < 40 && s[0] != '(')
			line = s;
		s += len;
		if (*s)
			s++;
	}
	if (!line)
		return 0;
	const char *colon = strchr(line, ':');
	buf_add(speaker, line, (size_t)(colon - line));
	const char *t = colon + 1;
	while (*t == ' ')
		t++;
	buf_add(text, t, strcspn(t, "\n"));
	return 1;
}

void offline_participant_turn(struct rng *r, const struct person *p, const struct chat *c, struct buf *out)
{
	static const char *const answer_named[] = { "Yes, %s, for me it comes down to %s.",
						    "Good question, %s. Honestly, %s is what I keep coming back to.",
						    "%s, I'd say %s matters most to me." };
	static const char *const agree[] = { "I'm with %s on \"%s\".", "What %s said about \"%s\" rings true for me.",
					     "I agree with %s, \"%s\" is a real point." };
	static const char *const own[] = { "In my situation, %s is the part that worries me.",
					   "Where I am, %s is what I actually deal with every day.",
					   "My own experience with %s has been mixed." };
	static const char *const ask[] = { "%s, what's your take?", "What do you think, %s?",
					   "%s, has that been your experience too?" };
	struct buf me = BUF_INIT, others = BUF_INIT, speaker = BUF_INIT, said = BUF_INIT, quote = BUF_INIT;
	struct buf scratch = BUF_INIT;
	line_after(c, "Your name is ", &me);
	line_after(c, "Also here: ", &others);
	const char *topic = off_topic_of(p, &scratch);
	char *names[MAX_NAMES];
	size_t n = others.data ? split_names(others.data, names, MAX_NAMES) : 0;
	int heard = last_line(c, &speaker, &said);
	if (heard)
		off_pick_quote(r, said.data, &quote);
	if (heard && me.len && off_has_word(said.data, me.data)) {
		buf_addf(out, CHOOSE(r, answer_named), speaker.data, topic);
	} else if (heard && quote.len && strcmp(speaker.data, "Moderator") != 0) {
		if (off_chance(r, 0.5 + 0.15 * (2 - p->assertiveness)))
			buf_addf(out, CHOOSE(r, agree), speaker.data, quote.data);
		else if (rng_below(r, 2))
			buf_addf(out, "I see \"%s\" differently from %s.", quote.data, speaker.data);
		else
			buf_addf(out, "I'm not sure I agree with %s about \"%s\".", speaker.data, quote.data);
	} else {
		buf_adds(out, "Thanks for asking.");
	}
	struct buf sentence = BUF_INIT;
	buf_addf(&sentence, CHOOSE(r, own), topic);
	off_add_sentence(out, sentence.data);
	if (n && off_chance(r, 0.35)) {
		buf_reset(&sentence);
		buf_addf(&sentence, CHOOSE(r, ask), names[rng_below(r, n)]);
		off_add_sentence(out, sentence.data);
	}
	buf_free(&sentence);
	buf_free(&me);
	buf_free(&others);
	buf_free(&speaker);
	buf_free(&said);
	buf_free(&quote);
	buf_free(&scratch);
}

void offline_moderator_turn(struct rng *r, const struct chat *c, struct buf *out)
{
	struct buf people = BUF_INIT, topic = BUF_INIT, speaker = BUF_INIT, said = BUF_INIT, quote = BUF_INIT;
	line_after(c, "Participants: ", &people);
	line_after(c, "Topic: ", &topic);
	char *names[MAX_NAMES];
	size_t n = people.data ? split_names(people.data, names, MAX_NAMES) : 0;
	const char *who = n ? names[rng_below(r, n)] : "everyone";
	const char *move = off_last_text(c, "user");
	const char *instruction = strstr(move, "(Your next move:");
	instruction = instruction ? instruction : "";
	const char *q = strstr(instruction, ": \"");
	if (strstr(instruction, "close the discussion")) {
		buf_adds(out, "Thank you, ");
		for (size_t i = 0; i < n; i++)
			buf_addf(out, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ", names[i]);
		buf_adds(out, n ? ", for sharing so openly. That's all for today. Goodbye!"
				: "everyone. That's all for today. Goodbye!");
	} else if (q) {
		q += 3;
		size_t len = strcspn(q, "\"");
		buf_addf(out, "%s, let's start with you: %.*s", who, (int)len, q);
	} else if (strstr(instruction, "open the discussion")) {
		buf_addf(out, "Welcome, everyone. Today we're talking about %s. %s, would you start us off?",
			 topic.len ? topic.data : "your experiences", who);
	} else if (last_line(c, &speaker, &said)) {
		off_pick_quote(r, said.data, &quote);
		const char *other = who;
		for (size_t k = 0; k < n && strcmp(other, speaker.data) == 0; k++)
			other = names[(rng_below(r, n) + k) % n];
		if (quote.len)
			buf_addf(out, "%s, %s mentioned \"%s\". What do you think of that?", other, speaker.data,
				 quote.data);
		else
			buf_addf(out, "%s, what do you think of what %s said?", other, speaker.data);
	} else {
		buf_addf(out, "%s, what's your view?", who);
	}
	buf_free(&people);
	buf_free(&topic);
	buf_free(&speaker);
	buf_free(&said);
	buf_free(&quote);
}

void offline_select(struct rng *r, const struct chat *c, struct buf *out)
{
	struct buf eligible = BUF_INIT;
	line_after(c, "Eligible to speak next: ", &eligible);
	char *names[MAX_NAMES];
	size_t n = eligible.data ? split_names(eligible.data, names, MAX_NAMES) : 0;
	buf_adds(out, n ? names[rng_below(r, n)] : "nobody");
	buf_free(&eligible);
}
