/* extractsummary: shares with Wilson intervals, means, and the comparison of two groups
 * on a hand-computed fixture. */
#include <math.h>
#include <string.h>

#include "extractsummary.h"
#include "unit.h"

#define NEAR(x, want, tol) (fabs((x) - (want)) < (tol))

static double at(jv v, const char *path)
{
	jv cur = jv_copy(v);
	char buf[256];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *tok = strtok(buf, "."); tok; tok = strtok(NULL, ".")) {
		jv next = tok[0] >= '0' && tok[0] <= '9' ? jv_array_get(cur, atoi(tok))
							 : jv_object_get(cur, jv_string(tok));
		cur = next;
		if (!jv_is_valid(cur))
			return NAN;
	}
	double x = jv_get_kind(cur) == JV_KIND_NUMBER ? jv_number_value(cur) : NAN;
	jv_free(cur);
	return x;
}

int main(void)
{
	jv schema = jv_parse("{\"type\":\"object\",\"properties\":{\"ok\":{\"type\":\"boolean\"},"
			     "\"score\":{\"type\":\"integer\"},\"note\":{\"type\":\"string\"}}}");
	struct answer_summary *s = answer_summary_new(schema, 0.95, 500, 1);
	/* A: ok 8 true, 2 false; score 4 x5, 5 x5. B: ok 3 true, 7 false; score 1 x5, 2 x5. */
	for (int i = 0; i < 10; i++) {
		char a[96], b[96];
		snprintf(a, sizeof a, "{\"ok\":%s,\"score\":%d,\"note\":\"x\"}", i < 8 ? "true" : "false",
			 i < 5 ? 4 : 5);
		snprintf(b, sizeof b, "{\"ok\":%s,\"score\":%d}", i < 3 ? "true" : "false", i < 5 ? 1 : 2);
		jv ja = jv_parse(a), jb = jv_parse(b), ga = jv_string("A"), gb = jv_string("B");
		answer_summary_add(s, ga, ja);
		answer_summary_add(s, gb, jb);
		jv_free(ja);
		jv_free(jb);
		jv_free(ga);
		jv_free(gb);
	}
	jv out = answer_summary_json(s, 1);
	CHECK(at(out, "answers") == 20 && at(out, "questions.ok.n") == 20 && at(out, "questions.note.n") == 10,
	      "answers and answered questions are counted");
	/* A's "ok": true first seen, 8 of 10: Wilson 95% [0.4902, 0.9433]. */
	CHECK(at(out, "groups.A.questions.ok.values.0.count") == 8 &&
		      NEAR(at(out, "groups.A.questions.ok.values.0.share"), 0.8, 1e-9) &&
		      NEAR(at(out, "groups.A.questions.ok.values.0.ci.0"), 0.4902, 1e-4) &&
		      NEAR(at(out, "groups.A.questions.ok.values.0.ci.1"), 0.9433, 1e-4),
	      "a share with its Wilson interval");
	/* A's score: mean 4.5, sd sqrt(10 * 0.25 / 9) = 0.527046. */
	CHECK(NEAR(at(out, "groups.A.questions.score.mean"), 4.5, 1e-9) &&
		      NEAR(at(out, "groups.A.questions.score.sd"), 0.527046, 1e-6) &&
		      at(out, "groups.A.questions.score.ci.0") <= 4.5 &&
		      at(out, "groups.A.questions.score.ci.1") >= 4.5,
	      "a mean, its sd and a bootstrap interval around it");
	/* ok, A vs B: [[8, 2], [3, 7]], expected 5.5 4.5 / 5.5 4.5:
	 * chi2 = 2 * 6.25 / 5.5 + 2 * 6.25 / 4.5 = 5.050505, df 1, p = erfc(sqrt(chi2 / 2)),
	 * V = sqrt(5.050505 / 20) = 0.502519. */
	CHECK(NEAR(at(out, "comparisons.0.statistic"), 5.050505, 1e-6) && at(out, "comparisons.0.df") == 1 &&
		      NEAR(at(out, "comparisons.0.p"), erfc(sqrt(5.0505050505 / 2)), 1e-6) &&
		      NEAR(at(out, "comparisons.0.cramers_v"), 0.502519, 1e-6),
	      "chi-square of a 2 x 2 table, p and Cramér's V");
	/* score, A vs B: diff 3, t = 3 / sqrt(2 * 0.277778 / 10) = 12.727922, df 18,
	 * Hedges' g = (1 - 3 / 71) * 3 / 0.527046 = 0.957746 * 5.692100 = 5.451589. */
	CHECK(NEAR(at(out, "comparisons.1.diff"), 3, 1e-9) && NEAR(at(out, "comparisons.1.t"), 12.727922, 1e-6) &&
		      NEAR(at(out, "comparisons.1.df"), 18, 1e-6) &&
		      NEAR(at(out, "comparisons.1.hedges_g"), 5.451589, 1e-6),
	      "Welch's t, df and Hedges' g");
	/* Holm over the two rows: the smaller p doubled, the larger kept (and made monotone). */
	double p0 = at(out, "comparisons.0.p"), p1 = at(out, "comparisons.1.p");
	CHECK(NEAR(at(out, "comparisons.1.p_holm"), 2 * p1, 1e-6) &&
		      NEAR(at(out, "comparisons.0.p_holm"), fmax(p0, 2 * p1), 1e-6),
	      "Holm-adjusted p over the comparisons");
	jv kinds = jv_parse("[\"choice\",\"number\",\"other\"]");
	jv got = JV_ARRAY(
		jv_object_get(jv_object_get(jv_object_get(jv_copy(out), jv_string("questions")), jv_string("ok")),
			      jv_string("kind")),
		jv_object_get(jv_object_get(jv_object_get(jv_copy(out), jv_string("questions")), jv_string("score")),
			      jv_string("kind")),
		jv_object_get(jv_object_get(jv_object_get(jv_copy(out), jv_string("questions")), jv_string("note")),
			      jv_string("kind")));
	CHECK(jv_equal(got, kinds), "booleans are choices, integers numbers, strings other");
	jv_free(out);
	answer_summary_free(s);
	jv_free(schema);
	return UNIT_DONE();
}
