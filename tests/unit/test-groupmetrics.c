/* groupmetrics: floor share (Gini), addressing and answers, opinion convergence and
 * adherence within the group, on tiny focus groups whose every figure is worked out by
 * hand in the comments. Embedding cosines are used only where they are exact: identical
 * texts (cosine 1) and empty texts (the zero vector, cosine 0 with everything). Hostile
 * records must give figures or nulls, never a crash. */
#include <math.h>
#include <string.h>

#include "buf.h"
#include "groupmetrics.h"
#include "unit.h"

#define DIM 512

/* {"speaker": s, "text": t} with and without a round. */
#define T(s, t) "{\"speaker\":\"" s "\",\"text\":\"" t "\"}"
#define TR(s, r, t) "{\"speaker\":\"" s "\",\"round\":" #r ",\"text\":\"" t "\"}"
#define MOD(t) T("moderator", t)

static jv measure(const char *record, struct groupmetrics *m)
{
	jv r = jv_parse(record);
	jv out = groupmetrics_compute(r, DIM, m);
	jv_free(r);
	return out;
}

/* Measure {"participants": participants, "turns": [turns..., until NULL]}. */
static jv measure_group(const char *participants, const char *const *turns, struct groupmetrics *m)
{
	struct buf rec = BUF_INIT;
	buf_addf(&rec, "{\"id\":\"g1/0\",\"participants\":%s,\"turns\":[", participants);
	for (size_t i = 0; turns[i]; i++)
		buf_addf(&rec, "%s%s", i ? "," : "", turns[i]);
	buf_adds(&rec, "]}");
	jv out = measure(rec.data, m);
	buf_free(&rec);
	return out;
}

static jv member(jv got, const char *key)
{
	return jv_get_kind(got) == JV_KIND_OBJECT ? jv_object_get(jv_copy(got), jv_string(key)) : jv_invalid();
}

/* Is got[key] equal to the JSON text want? Shows got[key] when not. */
static int member_is(jv got, const char *key, const char *want)
{
	jv v = member(got, key);
	jv w = jv_parse(want);
	int same = jv_equal(jv_copy(v), w);
	if (!same) {
		jv text = jv_dump_string(jv_copy(v), 0);
		printf("#   %s: got %s, want %s\n", key, jv_is_valid(text) ? jv_string_value(text) : "(invalid)", want);
		jv_free(text);
	}
	jv_free(v);
	return same;
}

/* Ana, Ben and Cy: N = 3. */
#define ABC "[{\"id\":\"p1\",\"name\":\"Ana\"},{\"id\":\"p2\",\"name\":\"Ben\"},{\"id\":\"p3\",\"name\":\"Cy\"}]"

static void test_floor_share(void)
{
	struct groupmetrics m;
	/* (3,3,3): every |x_i - x_j| is 0, G = 0. The moderator's turns are not counted. */
	const char *const equal[] = { MOD("hi"),    T("p1", "a"), T("p2", "b"), T("p3", "c"),
				      MOD("go"),    T("p1", "a"), T("p2", "b"), T("p3", "c"),
				      T("p3", "c"), T("p2", "b"), T("p1", "a"), NULL };
	jv got = measure_group(ABC, equal, &m);
	CHECK(member_is(got, "floor", "{\"turns\":{\"p1\":3,\"p2\":3,\"p3\":3},\"gini\":0}"),
	      "three participants with 3 turns each: Gini 0, the moderator not counted");
	CHECK(m.participants == 3 && m.participant_turns == 9 && m.gini == 0, "the struct has N 3, 9 turns, Gini 0");
	jv_free(got);

	/* (6,0,0): ordered pairs |6-0| four times = 24; 2 N^2 mean = 2 * 9 * 2 = 36;
	 * G = 24/36 = 2/3 = (N-1)/N. Two participants never spoke and count as 0. */
	const char *const alone[] = { T("p1", "a"), T("p1", "a"), T("p1", "a"), T("p1", "a"),
				      T("p1", "a"), T("p1", "a"), NULL };
	got = measure_group(ABC, alone, &m);
	CHECK(member_is(got, "floor", "{\"turns\":{\"p1\":6,\"p2\":0,\"p3\":0},\"gini\":0.666667}"),
	      "one participant speaking alone: Gini (N-1)/N = 2/3, the silent ones listed with 0");
	CHECK(fabs(m.gini - 2.0 / 3) < 1e-12, "the struct keeps the unrounded 2/3");
	jv_free(got);

	/* (1,2,3): unordered pairs |1-2| + |1-3| + |2-3| = 4, ordered 8; mean 2;
	 * G = 8 / (2 * 9 * 2) = 8/36 = 2/9 = 0.222222. Turn order does not matter. */
	const char *const steps[] = { T("p3", "c"), T("p2", "b"), T("p3", "c"), T("p1", "a"),
				      T("p3", "c"), T("p2", "b"), NULL };
	got = measure_group(ABC, steps, &m);
	CHECK(member_is(got, "floor", "{\"turns\":{\"p1\":1,\"p2\":2,\"p3\":3},\"gini\":0.222222}"),
	      "turns (1,2,3): Gini 2/9");
	jv_free(got);

	const char *const moderator_only[] = { MOD("anyone?"), MOD("hello?"), NULL };
	got = measure_group(ABC, moderator_only, &m);
	CHECK(member_is(got, "floor", "{\"turns\":{\"p1\":0,\"p2\":0,\"p3\":0},\"gini\":null}") && isnan(m.gini),
	      "only the moderator spoke: Gini null");
	jv_free(got);

	const char *const one[] = { T("p1", "a"), NULL };
	got = measure_group("[{\"id\":\"p1\",\"name\":\"Ana\"}]", one, &m);
	CHECK(member_is(got, "floor", "{\"turns\":{\"p1\":1},\"gini\":null}"), "a single participant: Gini null");
	jv_free(got);
}

static void test_addressing(void)
{
	struct groupmetrics m;
	/* N = 3 (Ana p1, Ben p2, Cy p3): an addressing is answered within the next 2 turns.
	 *  0 mod  "Welcome. ana, what do you think?"  Ana (case-insensitive); t1 Ana: answered
	 *  1 Ana  "I am Ana."                          her own name: ignored
	 *  2 Ben  "Cy, do you agree? BEN does."       Cy (own BEN ignored); next counted
	 *         turns are 5 Ana, 6 Cy: answered
	 *  3 ghost "Cy Ana Ben"                        unknown speaker: ignored, no window place
	 *  4 Ana  text 5                               not a string: ignored, no window place
	 *         (were 3 and 4 counted, turn 2's window would be 3, 4 and Cy would be late)
	 *  5 Ana  "Ben's point is fair"               Ben ("'" is a boundary); next 6 Cy,
	 *         7 mod: Ben does not answer in time (he speaks at 8)
	 *  6 Cy   "Yes, banana bread."                 "banana" is not Ana (no whole word)
	 *  7 mod  "Thanks Cyrus and Benny"             neither Cy nor Ben as a whole word
	 *  8 Ben  "ok"
	 *  9 mod  "Ana and Cy, then Ana again"        Ana once, Cy: 2 addressings; next
	 *         10 Cy, 11 Ben: Cy answered, Ana not
	 * 10 Cy   "Sure"
	 * 11 Ben  "me too"
	 * 12 Ana  "late"                               3 turns after 9: too late
	 * addressed 1 + 1 + 1 + 2 = 5, answered 1 + 1 + 0 + 1 = 3, rate 3/5.
	 * Floor: Ana 1, 5, 12 = 3; Ben 2, 8, 11 = 3; Cy 6, 10 = 2. Sorted (2,3,3): ordered
	 * |differences| 4, 2 N^2 mean = 2 * 9 * 8/3 = 48, G = 4/48 = 1/12 = 0.083333. */
	const char *const talk[] = { MOD("Welcome. ana, what do you think?"),
				     T("p1", "I am Ana."),
				     T("p2", "Cy, do you agree? BEN does."),
				     T("ghost", "Cy Ana Ben"),
				     "{\"speaker\":\"p1\",\"text\":5}",
				     T("p1", "Ben's point is fair"),
				     T("p3", "Yes, banana bread."),
				     MOD("Thanks Cyrus and Benny"),
				     T("p2", "ok"),
				     MOD("Ana and Cy, then Ana again"),
				     T("p3", "Sure"),
				     T("p2", "me too"),
				     T("p1", "late"),
				     NULL };
	jv got = measure_group(ABC, talk, &m);
	CHECK(member_is(got, "addressed", "5"),
	      "names as whole words, case-insensitive, own name ignored: 5 addressed");
	CHECK(member_is(got, "answered", "3"), "answered within the next N-1 counted turns: 3");
	CHECK(member_is(got, "answered_rate", "0.6"), "answered rate 3/5");
	CHECK(member_is(got, "floor", "{\"turns\":{\"p1\":3,\"p2\":3,\"p3\":2},\"gini\":0.083333}"),
	      "ignored turns are not counted on the floor: (3,3,2), Gini 1/12");
	CHECK(m.addressed == 5 && m.answered == 3 && m.answered_rate == 0.6, "the struct has 5, 3 and 0.6");
	jv_free(got);

	/* N = 2, window 1. "Joé" is not Jo (a non-ASCII byte is a letter); "MARY ANN" is
	 * Mary Ann (a name of two words); Mary Ann answers at once: 1 addressed, 1 answered.
	 * Then Mary Ann says "Jo" and the moderator follows: not answered. 2, 1, 1/2. */
	const char *const pair[] = { MOD("Joé and MARY ANN, go"), T("m", "thanks Jo"), MOD("next"), T("j", "hi"),
				     NULL };
	got = measure_group("[{\"id\":\"m\",\"name\":\"Mary Ann\"},{\"id\":\"j\",\"name\":\"Jo\"}]", pair, &m);
	CHECK(member_is(got, "addressed", "2") && member_is(got, "answered", "1") &&
		      member_is(got, "answered_rate", "0.5"),
	      "a two-word name matches, a name followed by a non-ASCII letter does not; window N-1 = 1");
	jv_free(got);

	/* Two participants named alike: Ana speaking "ana" addresses neither herself nor
	 * the other Ana (her own name). Nothing addressed: the rate is null. */
	const char *const twins[] = { T("a1", "ana here"), T("a2", "hi"), NULL };
	got = measure_group("[{\"id\":\"a1\",\"name\":\"Ana\"},{\"id\":\"a2\",\"name\":\"ANA\"}]", twins, &m);
	CHECK(member_is(got, "addressed", "0") && member_is(got, "answered_rate", "null") && isnan(m.answered_rate),
	      "the speaker's own name addresses nobody; nothing addressed gives a null rate");
	jv_free(got);
}

static void test_convergence(void)
{
	struct groupmetrics m;
	/* round 0: the moderator only (not a participant round).
	 * round 1: the three say the same text: every pair cosine 1, similarity 1.
	 * round 2: only Ana speaks: not measurable, left out of the curve and the choice.
	 * round 3: Ana says "lower" then "taxes" (joined "lower\ntaxes"), Ben says
	 *          "lower\ntaxes": cosine 1; Cy says "" (zero vector): cosine 0 with both.
	 *          Mean over the 3 pairs (1 + 0 + 0) / 3 = 1/3.
	 * Turns without an integer round (none, "3", 3.5) take no part: were Cy's "zzz"
	 * in round 3, Cy would not be the zero vector.
	 * convergence = 1/3 - 1 = -2/3 = -0.666667. Rounds are taken in numeric order, not
	 * turn order: round 3's turns come before round 1's here. */
	const char *const rounds[] = { TR("moderator", 0, "Taxes?"),
				       TR("p1", 3, "lower"),
				       TR("p2", 3, "lower\\ntaxes"),
				       TR("p3", 3, ""),
				       TR("p1", 3, "taxes"),
				       T("p3", "zzz"),
				       "{\"speaker\":\"p3\",\"round\":\"3\",\"text\":\"zzz\"}",
				       "{\"speaker\":\"p3\",\"round\":3.5,\"text\":\"zzz\"}",
				       TR("p1", 1, "we should raise taxes"),
				       TR("p2", 1, "we should raise taxes"),
				       TR("p3", 1, "we should raise taxes"),
				       TR("p1", 2, "alone"),
				       NULL };
	jv got = measure_group(ABC, rounds, &m);
	CHECK(member_is(got, "similarity_by_round",
			"[{\"round\":1,\"similarity\":1,\"speakers\":3},{\"round\":3,\"similarity\":0.333333,"
			"\"speakers\":3}]"),
	      "the curve lists rounds with 2+ speakers in numeric order; texts of a round joined");
	CHECK(member_is(got, "convergence", "-0.666667"), "convergence = last round's 1/3 - first round's 1");
	CHECK(m.rounds == 2 && fabs(m.convergence + 2.0 / 3) < 1e-6, "the struct has 2 rounds and -2/3");
	jv_free(got);

	/* Only one measurable round (round 2 has one speaker): convergence null. */
	const char *const one_round[] = { TR("p1", 1, "same"), TR("p2", 1, "same"), TR("p3", 2, "other"), NULL };
	got = measure_group(ABC, one_round, &m);
	CHECK(member_is(got, "similarity_by_round", "[{\"round\":1,\"similarity\":1,\"speakers\":2}]") &&
		      member_is(got, "convergence", "null") && isnan(m.convergence),
	      "one round with 2+ speakers: its similarity listed, convergence null");
	jv_free(got);

	const char *const no_rounds[] = { T("p1", "a"), T("p2", "b"), NULL };
	got = measure_group(ABC, no_rounds, &m);
	CHECK(member_is(got, "similarity_by_round", "[]") && member_is(got, "convergence", "null"),
	      "no rounds at all: an empty curve, convergence null");
	jv_free(got);
}

static void test_adherence(void)
{
	struct groupmetrics m;
	/* Own turns equal to the own description give cosine 1, the most similar possible;
	 *   p1 desc D1, says D1   ties with p3's description (also D1): a miss
	 *   p2 desc D2, says D2   1 against D1 (< 1), "" (0), D5 (< 1): a hit
	 *   p3 desc D1, says D1   ties with p1's description: a miss
	 *   p4 desc "", says D2   its description is the zero vector: a miss
	 *   p5 desc D5, silent    no turns: not counted (its description still competes)
	 *   p6 no desc, says D2   no description: not counted
	 *   p7 desc D7, says ""   its turns are the zero vector: a miss
	 * hits 1 of 5 = 0.2. */
#define D1 "I am a retired farmer who grows wheat in Kansas"
#define D2 "I am a software engineer living in Berlin"
#define D5 "I teach piano to children"
#define D7 "I drive a taxi at night"
	const char *const said[] = {
		T("p1", D1), T("p2", D2), T("p3", D1), T("p4", D2), T("p6", D2), T("p7", ""), NULL
	};
	jv got = measure_group("[{\"id\":\"p1\",\"name\":\"A\",\"description\":\"" D1 "\"},"
			       "{\"id\":\"p2\",\"name\":\"B\",\"description\":\"" D2 "\"},"
			       "{\"id\":\"p3\",\"name\":\"C\",\"description\":\"" D1 "\"},"
			       "{\"id\":\"p4\",\"name\":\"D\",\"description\":\"\"},"
			       "{\"id\":\"p5\",\"name\":\"E\",\"description\":\"" D5 "\"},"
			       "{\"id\":\"p6\",\"name\":\"F\"},"
			       "{\"id\":\"p7\",\"name\":\"G\",\"description\":\"" D7 "\"}]",
			       said, &m);
	CHECK(member_is(got, "adherence_within", "0.2"), "ties and zero vectors are misses: 1 hit of 5");
	CHECK(m.adherence_hits == 1 && m.adherence_n == 5, "the struct has 1 hit of 5 participants");
	jv_free(got);

	/* p1's two turns "wheat farmer" and "in Kansas" are joined "wheat farmer\nin Kansas",
	 * exactly p1's description: cosine 1, above D2's. p2 says D2: a hit too. 2 of 2. */
	const char *const joined[] = { T("p1", "wheat farmer"), T("p2", D2), T("p1", "in Kansas"), NULL };
	got = measure_group("[{\"id\":\"p1\",\"description\":\"wheat farmer\\nin Kansas\"},"
			    "{\"id\":\"p2\",\"description\":\"" D2 "\"}]",
			    joined, &m);
	CHECK(member_is(got, "adherence_within", "1"), "a participant's turns are joined with a newline: 2 hits of 2");
	jv_free(got);

	const char *const lone[] = { T("p1", D1), NULL };
	got = measure_group("[{\"id\":\"p1\",\"description\":\"" D1 "\"},{\"id\":\"p2\",\"description\":\"" D2 "\"}]",
			    lone, &m);
	CHECK(member_is(got, "adherence_within", "null") && m.adherence_n == 1 && isnan(m.adherence),
	      "fewer than 2 participants with a description and turns: null");
	jv_free(got);
}

static void test_hostile(void)
{
	struct groupmetrics m;
	const char *empty_want = "{\"floor\":{\"turns\":{},\"gini\":null},\"addressed\":0,\"answered\":0,"
				 "\"answered_rate\":null,\"convergence\":null,\"similarity_by_round\":[],"
				 "\"adherence_within\":null}";
	const char *records[] = { "{}",
				  "[1,2]",
				  "null",
				  "\"x\"",
				  "{\"participants\":5,\"turns\":{}}",
				  "{\"participants\":[],\"turns\":[" MOD("hi") "]}" };
	for (size_t i = 0; i < sizeof records / sizeof *records; i++) {
		jv got = measure(records[i], &m);
		jv want = jv_parse(empty_want);
		int same = jv_equal(jv_copy(got), want);
		CHECK(same && m.participants == 0, "record %s: every figure 0 or null", records[i]);
		jv_free(got);
	}

	jv rec = jv_parse("{}");
	CHECK(!groupmetrics_is_group(rec), "a record without participants is not a group");
	jv_free(rec);
	rec = jv_parse("{\"participants\":5}");
	CHECK(!groupmetrics_is_group(rec), "participants that are not an array: not a group");
	jv_free(rec);
	rec = jv_null();
	CHECK(!groupmetrics_is_group(rec), "null is not a group");
	rec = jv_parse("{\"participants\":" ABC ",\"turns\":[]}");
	CHECK(groupmetrics_is_group(rec), "a record with a participants array is a group");
	jv_free(rec);

	/* Participants: only the first "p1" counts (its name 7 is not a string, so it is
	 * never addressed; its description [] is not one), and "p2" whose empty name is
	 * never found; numbers, strings, null, an id 3 and the id "moderator" are ignored.
	 * Turns: only the two p1 turns with a string text count; the round "1" and the
	 * round 1e300 (not an exact integer) are no rounds. Floor (2,0): Gini 1/2. */
	const char *const junk[] = { "1",
				     "null",
				     "[]",
				     "{\"speaker\":7,\"text\":\"a\"}",
				     "{\"speaker\":\"p1\",\"text\":null}",
				     "{\"speaker\":\"p1\"}",
				     T("ghost", "Dup"),
				     "{\"text\":\"x\"}",
				     MOD("Dup Mo 7"),
				     "{\"speaker\":\"p1\",\"text\":\"hi\",\"round\":\"1\"}",
				     "{\"speaker\":\"p1\",\"text\":\"hi\",\"round\":1e300}",
				     NULL };
	jv got = measure_group("[1,\"x\",null,{\"id\":3},{\"id\":\"p1\",\"name\":7,\"description\":[]},"
			       "{\"id\":\"p1\",\"name\":\"Dup\"},{\"id\":\"moderator\",\"name\":\"Mo\"},"
			       "{\"id\":\"p2\",\"name\":\"\"}]",
			       junk, &m);
	CHECK(member_is(got, "floor", "{\"turns\":{\"p1\":2,\"p2\":0},\"gini\":0.5}") &&
		      member_is(got, "addressed", "0") && member_is(got, "similarity_by_round", "[]") &&
		      member_is(got, "adherence_within", "null"),
	      "malformed participants and turns are ignored: p1 with 2 turns, p2 silent, nothing addressed");
	jv_free(got);

	/* No struct wanted: NULL is allowed. A dimension <= 0 means 512. */
	rec = jv_parse("{\"participants\":" ABC ",\"turns\":[" TR("p1", 1, "same") "," TR("p2", 1, "same") "]}");
	got = groupmetrics_compute(rec, 0, NULL);
	CHECK(member_is(got, "similarity_by_round", "[{\"round\":1,\"similarity\":1,\"speakers\":2}]"),
	      "no struct and dimension 0 (512) still give the JSON");
	jv_free(got);
	jv_free(rec);
}

int main(void)
{
	test_floor_share();
	test_addressing();
	test_convergence();
	test_adherence();
	test_hostile();
	return UNIT_DONE();
}
