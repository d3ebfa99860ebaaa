#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "offline_internal.h"
#include "offline_probe.h"
#include "rng.h"

void offline_probe_answer(struct rng *r, const struct person *p, const char *question, struct buf *out)
{
	static const char *const motivation_words[] = { "motivat",     "why",     "want", "goal",     "hope",
							"looking for", "purpose", "need", "here for", "get out of" };
	static const char *const feeling_words[] = { "feel", "emotion", "mood" };
	static const char *const identity_words[] = { "who are you", "yourself", "describe", "how old",
						      "job",         "work",     "live",     "occupation" };
	static const char *const style_words[] = { "talk", "communicat", "speak", "style", "express" };
	struct buf s = BUF_INIT, topic_buf = BUF_INIT;
	const char *topic = off_topic_of(p, &topic_buf);
	const char *emotion = p->v[P_EMOTION] ? p->v[P_EMOTION] : p->v[P_ATTITUDE];
	int kind = 4;
	for (size_t i = 0; i < COUNT(motivation_words) && kind == 4; i++)
		if (off_has_ci(question, motivation_words[i]))
			kind = 0;
	for (size_t i = 0; i < COUNT(feeling_words) && kind == 4; i++)
		if (off_has_ci(question, feeling_words[i]))
			kind = 1;
	for (size_t i = 0; i < COUNT(identity_words) && kind == 4; i++)
		if (off_has_ci(question, identity_words[i]))
			kind = 2;
	for (size_t i = 0; i < COUNT(style_words) && kind == 4; i++)
		if (off_has_ci(question, style_words[i]))
			kind = 3;

	if (kind == 1 && emotion) {
		static const char *const frames[] = { "I feel %s%s.", "Honestly, %s%s.", "Right now I'm %s%s." };
		buf_addf(&s, CHOOSE(r, frames), off_intensity_word(p), emotion);
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
			off_add_occupation_clause(&s, p->v[P_OCCUPATION]);
			if (p->v[P_LOCATION])
				buf_addf(&s, " and I live in %s", p->v[P_LOCATION]);
			buf_adds(&s, ".");
		} else if (p->v[P_LOCATION]) {
			buf_addf(&s, "I live in %s.", p->v[P_LOCATION]);
		}
	} else if (kind == 3) {
		static const char *const levels[3][2] = {
			{ "I keep it short and don't say much about how I feel.", "I tend to keep things brief." },
			{ "I say what I think, but I don't go on about it.",
			  "I try to be clear without overdoing it." },
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
	off_add_sentence(out, s.data);
	buf_free(&s);
	buf_free(&topic_buf);
}
