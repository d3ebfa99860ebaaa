#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "offline_internal.h"
#include "offline_responder.h"
#include "rng.h"

enum role { ROLE_PEER, ROLE_COUNSELLOR, ROLE_TUTOR, ROLE_SUPPORT };

static enum role role_of(const char *system)
{
	if (off_has_ci(system, "counsel") || off_has_ci(system, "therap"))
		return ROLE_COUNSELLOR;
	if (off_has_ci(system, "tutor") || off_has_ci(system, "teacher"))
		return ROLE_TUTOR;
	/* a "supportive peer" is a peer: only the word itself names the support role */
	if (off_has_word(system, "support") || off_has_ci(system, "customer service"))
		return ROLE_SUPPORT;
	return ROLE_PEER;
}

void offline_responder_turn(struct rng *r, const struct chat *c, struct buf *out)
{
	static const char *const openings[] = {
		[ROLE_PEER] = "Hey! What's on your mind?",
		[ROLE_COUNSELLOR] = "Hello, I'm here to listen. What would you like to talk about today?",
		[ROLE_TUTOR] = "Hi! What would you like to work on today?",
		[ROLE_SUPPORT] = "Hello, you're through to support. How can I help you today?",
	};
	static const char *const farewells[][3] = {
		[ROLE_PEER] = { "You're welcome, take care!", "Any time. Good luck with it!",
				"Glad I could help. Bye for now!" },
		[ROLE_COUNSELLOR] = { "You're welcome. Take care of yourself, and come back any time.",
				      "I'm glad this was useful. Take care.", "You're welcome, take care!" },
		[ROLE_TUTOR] = { "Great work today. See you next time!", "You're welcome, keep practising. Bye!",
				 "Nice effort today. Take care!" },
		[ROLE_SUPPORT] = { "You're welcome. Have a good day!", "Glad I could help. Take care!",
				   "You're welcome, and sorry again for the trouble. Goodbye!" },
	};
	static const char *const acks_quoted[][3] = {
		[ROLE_PEER] = { "Oh, \"%s\" sounds rough.", "Yeah, I get the \"%s\" part.",
				"Ah, \"%s\". That's a lot." },
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
		[ROLE_TUTOR] = { "Okay, let's take this step by step.", "Good question.",
				 "That's a common sticking point." },
		[ROLE_SUPPORT] = { "I understand, and I'm sorry for the inconvenience.",
				   "Let me look into this for you.", "I can see why that's frustrating." },
	};
	static const char *const ideas[][6] = {
		[ROLE_PEER] = { "Maybe try taking it one day at a time?", "Have you talked to anyone else about it?",
				"What do you think you'll do?",
				"I'd probably make a short list and start with the easiest thing.",
				"Sometimes a walk clears my head when things get like that.",
				"Could you give yourself a small deadline for the first step?" },
		[ROLE_COUNSELLOR] = { "One small step could be writing down what worries you most, so it feels less "
				      "tangled.",
				      "Would it help to break it into smaller pieces we can look at one by one?",
				      "What feels hardest about it right now?",
				      "Have you been able to talk to anyone close to you about it?",
				      "It might help to notice when the feeling is strongest during the day.",
				      "What would a good outcome look like for you?" },
		[ROLE_TUTOR] = { "Try explaining the idea back to me in your own words.",
				 "Can you show me how you would start?",
				 "Let's work through one example together first.", "Which part feels most confusing?",
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
	size_t users = off_count_role(c, "user");
	const char *last = off_last_text(c, "user");
	if (users == 0) {
		off_add_sentence(out, openings[role]);
		return;
	}
	if (off_is_closure(last)) {
		off_add_sentence(out, CHOOSE(r, farewells[role]));
		return;
	}
	struct buf q = BUF_INIT, s = BUF_INIT;
	off_pick_quote(r, last, &q);
	if (q.len && off_chance(r, 0.5)) {
		buf_addf(&s, CHOOSE(r, acks_quoted[role]), q.data);
		off_add_sentence(out, s.data);
	} else {
		off_add_sentence(out, FRESH(r, acks[role], c, "assistant"));
	}
	const char *first = FRESH(r, ideas[role], c, "assistant");
	off_add_sentence(out, first);
	if (off_chance(r, 0.5))
		off_add_sentence(out, off_choose_fresh(r, ideas[role], COUNT(ideas[role]), c, "assistant", first));
	buf_free(&q);
	buf_free(&s);
}
