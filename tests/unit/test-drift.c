/* drift: probe and dialog drift. Hash vectors are unit length, so a text against itself
 * has cosine 1 (drift 0) and an empty text (the zero vector) has cosine 0 with anything
 * (drift 1): every expected value below follows from those two facts. */
#include <math.h>
#include <string.h>

#include "drift.h"
#include "unit.h"

#define DIM 64
#define NEAR(x, want) (fabs((x) - (want)) < 1e-6)

static jv parse(const char *json)
{
	return jv_parse(json);
}

/* Compares the whole curve with want (JSON text); consumes the curve. */
static int curve_is(jv curve, const char *want)
{
	return jv_equal(curve, jv_parse(want));
}

int main(void)
{
	float a[3] = { 1, 2, 3 }, b[3] = { 4, -5, 6 };
	/* 1*4 + 2*-5 + 3*6 = 4 - 10 + 18 = 12 */
	CHECK(drift_cosine(a, b, 3) == 12, "cosine is the plain dot product (unit vectors assumed)");
	CHECK(drift_cosine(a, b, 0) == 0, "cosine of empty vectors is 0");

	jv curve;
	jv r = parse("{\"probes\":[{\"after\":0,\"name\":\"a\",\"answer\":\"I like green tea\"},"
		     "{\"after\":4,\"name\":\"a\",\"answer\":\"\"},"
		     "{\"after\":2,\"name\":\"a\",\"answer\":\"I like green tea\"}]}");
	/* after 2: same answer, drift 0; after 4: empty answer, drift 1; AUC (0 + 1) / 2 */
	double auc = drift_probe(r, DIM, &curve);
	CHECK(NEAR(auc, 0.5), "probe AUC is the mean of the curve's points (got %g)", auc);
	CHECK(curve_is(curve, "[{\"after\":2,\"drift\":0},{\"after\":4,\"drift\":1}]"),
	      "curve points come in increasing \"after\", whatever the input order");
	jv_free(r);

	r = parse("{\"probes\":[{\"after\":0,\"name\":\"a\",\"answer\":\"tea\"},{\"after\":0,\"name\":\"b\",\"answer\":"
		  "\"coffee\"},"
		  "{\"after\":3,\"name\":\"a\",\"answer\":\"tea\"},{\"after\":3,\"name\":\"b\",\"answer\":\"\"}]}");
	/* after 3: probe a drifts 0, probe b drifts 1: the point is (0 + 1) / 2 */
	auc = drift_probe(r, DIM, &curve);
	CHECK(NEAR(auc, 0.5) && curve_is(curve, "[{\"after\":3,\"drift\":0.5}]"),
	      "probes asked at the same point are averaged into one point");
	jv_free(r);

	r = parse("{\"probes\":[{\"after\":0,\"name\":\"a\",\"answer\":\"tea\"},"
		  "{\"after\":2,\"name\":\"c\",\"answer\":\"\"},{\"after\":\"4\",\"name\":\"a\",\"answer\":\"\"},"
		  "{\"after\":6,\"name\":\"a\",\"answer\":7}]}");
	auc = drift_probe(r, DIM, &curve);
	CHECK(isnan(auc) && curve_is(curve, "[]"),
	      "a probe without a baseline, a string \"after\" or a non-string answer counts nowhere");
	jv_free(r);

	r = parse("{\"probes\":[{\"after\":0,\"name\":\"a\",\"answer\":\"tea\"}]}");
	auc = drift_probe(r, DIM, &curve);
	CHECK(isnan(auc) && curve_is(curve, "[]"), "a baseline alone has no drift");
	jv_free(r);

	r = parse("{\"probes\":{}}");
	auc = drift_probe(r, DIM, &curve);
	CHECK(isnan(auc) && curve_is(curve, "[]"), "probes that are not an array give NaN and an empty curve");
	jv_free(r);

	r = parse("{\"turns\":[]}");
	auc = drift_probe(r, DIM, &curve);
	CHECK(isnan(auc) && curve_is(curve, "[]"), "a record without probes gives NaN");
	jv_free(r);

	/* Dialog drift: D is the description; "" has similarity 0, D itself 1. */
#define D "a retired teacher who loves gardening"
#define C(t) "{\"speaker\":\"client\",\"text\":\"" t "\"}"
#define R(t) "{\"speaker\":\"responder\",\"text\":\"" t "\"}"
	r = parse("{\"description\":\"" D "\",\"turns\":[" C(D) "," R("") "," C(D) "," R(D) "," C("") "," C("") "]}");
	/* client sims 1 1 | 0 0: 1 - 0 = 1; responder turns do not count */
	double d = drift_dialog(r, DIM);
	CHECK(NEAR(d, 1), "dialog drift is the first half's mean similarity minus the second's (got %g)", d);
	jv_free(r);

	r = parse("{\"description\":\"" D "\",\"turns\":[" C(D) "," C(D) "," C("") "]}");
	/* 3 client turns: half = 1; first = 1, second = (1 + 0) / 2 = 0.5; drift 0.5 */
	d = drift_dialog(r, DIM);
	CHECK(NEAR(d, 0.5), "with an odd count the middle client turn is in the second half (got %g)", d);
	jv_free(r);

	r = parse("{\"description\":\"" D "\",\"turns\":[" C("") "," C(D) "]}");
	/* 0 - 1 = -1: moving towards the persona */
	d = drift_dialog(r, DIM);
	CHECK(NEAR(d, -1), "moving towards the description is negative drift (got %g)", d);
	jv_free(r);

	r = parse("{\"description\":\"" D "\",\"turns\":[" C(D) "," R("") "]}");
	CHECK(isnan(drift_dialog(r, DIM)), "one client turn has no dialog drift");
	jv_free(r);

	r = parse("{\"description\":7,\"turns\":[" C(D) "," C("") "]}");
	CHECK(isnan(drift_dialog(r, DIM)), "a record without a string description has no dialog drift");
	jv_free(r);
	/* A group: each participant's later answer is compared with their own baseline only.
	 * Both answer as they did at the start, so the drift is exactly 0; matched across
	 * participants (a's answer against b's baseline) it would be far from 0. */
	{
		jv group = jv_parse(
			"{\"participants\":[],\"probes\":["
			"{\"participant\":\"a\",\"after\":0,\"name\":\"q\",\"answer\":\"I want help with my taxes\"},"
			"{\"participant\":\"b\",\"after\":0,\"name\":\"q\",\"answer\":\"zebra quantum violin\"},"
			"{\"participant\":\"a\",\"after\":3,\"name\":\"q\",\"answer\":\"I want help with my taxes\"},"
			"{\"participant\":\"b\",\"after\":3,\"name\":\"q\",\"answer\":\"zebra quantum violin\"}]}");
		jv curve;
		double auc = drift_probe(group, 64, &curve);
		CHECK(fabs(auc) < 1e-6 && jv_equal(curve, jv_parse("[{\"after\":3,\"drift\":0}]")),
		      "group probes are compared per participant (auc %g)", auc);
		jv_free(group);
	}
	return UNIT_DONE();
}
