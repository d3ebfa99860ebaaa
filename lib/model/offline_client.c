#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "offline_client.h"
#include "offline_internal.h"
#include "rng.h"

/* On which own turn (1-based, 3..8) this person says goodbye: a property of the person. */
static unsigned closing_turn(uint64_t seed, jv fields)
{
	struct buf canon = BUF_INIT;
	off_add_canonical(&canon, fields);
	char identity[24];
	snprintf(identity, sizeof identity, "%016llx",
		 (unsigned long long)rng_hash(canon.data ? canon.data : "", canon.len, 0));
	buf_free(&canon);
	struct rng r = rng_stream(seed, identity, "offline:closing-turn");
	return 3 + (unsigned)rng_below(&r, 6);
}

enum mood {
	MOOD_WORRIED,
	MOOD_ANGRY,
	MOOD_LOW,
	MOOD_CONFUSED,
	MOOD_OVERWHELMED,
	MOOD_ASHAMED,
	MOOD_UPBEAT,
	MOOD_CALM,
	MOOD_NONE
};

static enum mood mood_of(const char *emotion)
{
	static const struct {
		const char *word;
		enum mood mood;
	} table[] = {
		{ "anxious", MOOD_WORRIED },
		{ "nervous", MOOD_WORRIED },
		{ "worried", MOOD_WORRIED },
		{ "angry", MOOD_ANGRY },
		{ "frustrated", MOOD_ANGRY },
		{ "impatient", MOOD_ANGRY },
		{ "annoyed", MOOD_ANGRY },
		{ "sad", MOOD_LOW },
		{ "lonely", MOOD_LOW },
		{ "resigned", MOOD_LOW },
		{ "disappointed", MOOD_LOW },
		{ "discouraged", MOOD_LOW },
		{ "bored", MOOD_LOW },
		{ "reluctant", MOOD_LOW },
		{ "confused", MOOD_CONFUSED },
		{ "distracted", MOOD_CONFUSED },
		{ "overwhelmed", MOOD_OVERWHELMED },
		{ "guilty", MOOD_ASHAMED },
		{ "embarrassed", MOOD_ASHAMED },
		{ "hopeful", MOOD_UPBEAT },
		{ "curious", MOOD_UPBEAT },
		{ "eager", MOOD_UPBEAT },
		{ "competitive", MOOD_UPBEAT },
		{ "confident", MOOD_CALM },
		{ "calm", MOOD_CALM },
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
	[MOOD_WORRIED] = { "That makes me a little nervous, to be honest.", "I keep worrying I'll get it wrong.",
			   "My mind keeps jumping to the worst case.", "I'm on edge about the whole thing." },
	[MOOD_ANGRY] = { "I've already lost enough time over this.", "Honestly, this whole situation is getting to me.",
			 "It's maddening that it has come to this.", "I'm running out of patience with it." },
	[MOOD_LOW] = { "It's hard to find the energy for it at the moment.", "Some days it all feels a bit pointless.",
		       "I don't have much fight left for this.", "It's been weighing on me more than I'd like." },
	[MOOD_CONFUSED] = { "I'm not sure I follow all of it.", "I'm still a bit lost, if I'm honest.",
			    "There are so many pieces that I lose track.", "I keep getting the details mixed up." },
	[MOOD_OVERWHELMED] = { "There's just so much going on at once.",
			       "I don't even know which part to deal with first.",
			       "It all piles up faster than I can sort it out.",
			       "Everything feels like too much right now." },
	[MOOD_ASHAMED] = { "I feel a bit silly even bringing this up.",
			   "I should probably have dealt with this sooner.", "It's awkward for me to admit all this.",
			   "I keep blaming myself for it." },
	[MOOD_UPBEAT] = { "That actually sounds promising.", "I'm curious where this could lead.",
			  "I have a good feeling about trying it.", "That gives me something to work with." },
	[MOOD_CALM] = { "That seems reasonable.", "I can see the logic in it.", "That's a sensible way to look at it.",
			"I'm fairly relaxed about trying it." },
	[MOOD_NONE] = { "I'll have to think about it.", "It's a lot to take in.",
			"I'm not sure yet what to make of it.", "That's one way to see it." },
};

static void client_opening(struct rng *r, const struct person *p, struct buf *out)
{
	static const char *const formal_greetings[] = { "Hello.", "Good afternoon.",
							"Hello, I hope you can assist me." };
	static const char *const casual_greetings[] = { "Hi.", "Hey there.", "Hi, hope this is the right place." };
	struct buf s = BUF_INIT, topic_buf = BUF_INIT;
	const char *topic = off_topic_of(p, &topic_buf);

	if (p->politeness == 0)
		off_add_sentence(out, CHOOSE(r, formal_greetings));
	else if (p->politeness == 1)
		off_add_sentence(out, CHOOSE(r, casual_greetings));

	if (p->v[P_PRODUCT] || p->v[P_ISSUE]) {
		static const char *const frames[] = { "I'm getting in touch about %s.", "I have a problem with %s.",
						      "It's about %s." };
		buf_addf(&s, CHOOSE(r, frames), topic);
		off_add_sentence(out, s.data);
		if (p->v[P_PREVIOUS] && strcmp(p->v[P_PREVIOUS], "0") != 0) {
			buf_reset(&s);
			if (strcmp(p->v[P_PREVIOUS], "1") == 0)
				buf_adds(&s, "I've already contacted you once about this.");
			else
				buf_addf(&s, "I've already contacted you %s times about this.", p->v[P_PREVIOUS]);
			off_add_sentence(out, s.data);
		}
	} else if (p->v[P_SUBJECT]) {
		static const char *const frames[] = { "I need some help with %s.", "Can we work on %s today?",
						      "I'm here for %s." };
		buf_addf(&s, CHOOSE(r, frames), p->v[P_SUBJECT]);
		off_add_sentence(out, s.data);
		if (p->v[P_PRIOR_LEVEL]) {
			buf_reset(&s);
			buf_addf(&s, "I'm %s in it at the moment.", p->v[P_PRIOR_LEVEL]);
			off_add_sentence(out, s.data);
		}
	} else if (topic) {
		static const char *const frames[] = { "I'd like to talk about %s.", "I need some help with %s.",
						      "I've been struggling with %s lately.",
						      "It's about %s, and I don't really know where to start." };
		buf_addf(&s, CHOOSE(r, frames), topic);
		off_add_sentence(out, s.data);
	} else {
		off_add_sentence(out, "There's something on my mind and I'd like to talk it through.");
	}

	const char *emotion = p->v[P_EMOTION] ? p->v[P_EMOTION] : p->v[P_ATTITUDE];
	if (emotion && p->expressiveness > 0) {
		static const char *const frames[] = { "Honestly, I feel %s%s about it.", "I'm %s%s, to be honest.",
						      "I've been feeling %s%s." };
		buf_reset(&s);
		buf_addf(&s, CHOOSE(r, frames), off_intensity_word(p), emotion);
		off_add_sentence(out, s.data);
		if (p->expressiveness == 2)
			off_add_sentence(out, CHOOSE(r, mood_lines[mood_of(emotion)]));
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
		off_add_occupation_clause(&s, p->v[P_OCCUPATION]);
		buf_adds(&s, ".");
		off_add_sentence(out, s.data);
	}
	static const char *const asks[3][3] = {
		{ "I'm not sure where to begin, really.", "Maybe you could help me think it through?",
		  "I hope that's the sort of thing you can help with." },
		{ "Can you help me figure out what to do?", "Where would you start?", "What would you suggest?" },
		{ "I want a clear plan.", "Tell me what my options are.", "What should I do first?" },
	};
	off_add_sentence(out, CHOOSE(r, asks[p->assertiveness]));
	buf_free(&s);
	buf_free(&topic_buf);
}

static void client_detail(struct rng *r, const struct person *p, struct buf *out)
{
	struct buf s = BUF_INIT;
	const char *options[6];
	int kinds[6], n = 0;
	if (p->v[P_OCCUPATION]) {
		options[n] = p->v[P_OCCUPATION];
		kinds[n++] = 0;
	}
	if (p->v[P_AGE]) {
		options[n] = p->v[P_AGE];
		kinds[n++] = 1;
	}
	if (p->v[P_LOCATION]) {
		options[n] = p->v[P_LOCATION];
		kinds[n++] = 2;
	}
	if (p->v[P_DOMAIN]) {
		options[n] = p->v[P_DOMAIN];
		kinds[n++] = 3;
	}
	if (p->v[P_PRODUCT]) {
		options[n] = p->v[P_PRODUCT];
		kinds[n++] = 4;
	}
	if (p->v[P_GRADE]) {
		options[n] = p->v[P_GRADE];
		kinds[n++] = 5;
	}
	if (n == 0)
		return;
	int i = (int)rng_below(r, (uint64_t)n);
	switch (kinds[i]) {
	case 0:
		off_add_occupation_clause(&s, options[i]);
		buf_adds(&s, ", for what it's worth.");
		break;
	case 1:
		buf_addf(&s, "I'm %s, if that matters.", options[i]);
		break;
	case 2:
		buf_addf(&s, "I'm in %s, by the way.", options[i]);
		break;
	case 3:
		buf_addf(&s, "All of this is tied up with %s for me.", options[i]);
		break;
	case 4:
		buf_addf(&s, "It's the %s that worries me most.", options[i]);
		break;
	default:
		buf_addf(&s, "I'm in grade %s.", options[i]);
		break;
	}
	off_add_sentence(out, s.data);
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
	off_pick_quote(r, off_last_text(c, "user"), &q);
	if (q.len && off_chance(r, 0.75)) {
		buf_addf(&s, CHOOSE(r, quoted[p->politeness]), q.data);
		off_add_sentence(out, s.data);
	} else {
		off_add_sentence(out, FRESH(r, plain[p->politeness], c, "assistant"));
	}

	const char *emotion = p->v[P_EMOTION] ? p->v[P_EMOTION] : p->v[P_ATTITUDE];
	double emote = p->expressiveness == 2 ? 0.9 : p->expressiveness == 1 ? 0.5 : 0.0;
	if (off_chance(r, emote))
		off_add_sentence(out, FRESH(r, mood_lines[mood_of(emotion)], c, "assistant"));

	double disclose = p->disclosure == 2 ? 0.7 : p->disclosure == 1 ? 0.3 : 0.0;
	if (p->expressiveness > 0 && off_chance(r, disclose))
		client_detail(r, p, out);

	double ask = p->assertiveness == 2 ? 0.95 : p->assertiveness == 1 ? 0.75 : 0.55;
	if (p->expressiveness == 0 || off_chance(r, ask)) {
		struct buf topic_buf = BUF_INIT;
		const char *topic = off_topic_of(p, &topic_buf);
		buf_reset(&s);
		if (topic)
			buf_addf(&s, "How does that help with %s, exactly?", topic);
		if (topic && p->assertiveness > 0 && off_chance(r, 0.3) && !off_said_before(c, "assistant", s.data))
			off_add_sentence(out, s.data);
		else
			off_add_sentence(out, FRESH(r, asks[p->assertiveness], c, "assistant"));
		buf_free(&topic_buf);
	}
	if (off_word_count(out->data ? out->data : "") < 10)
		off_add_sentence(out, FRESH(r, mood_lines[MOOD_NONE], c, "assistant"));
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
		{ "Fine, that helps. I'll try it. Bye.", "Okay, got it. That helps. Bye.",
		  "Right, that's enough to go on. Thanks. Bye." },
	};
	off_add_sentence(out, CHOOSE(r, lines[p->politeness]));
}

void offline_client_turn(struct rng *r, const struct person *p, const struct chat *c, uint64_t seed, struct buf *out)
{
	size_t own = off_count_role(c, "assistant");
	unsigned closing = closing_turn(seed, p->fields);
	if (own >= closing) {
		off_add_sentence(out, "Bye!");
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
