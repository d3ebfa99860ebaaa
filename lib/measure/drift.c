/* drift — probe and dialog drift (see drift.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "convtext.h"
#include "drift.h"
#include "embedding.h"
#include "jvutil.h"
#include "msg.h"

double drift_cosine(const float *a, const float *b, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += (double)a[i] * b[i];
	return s; /* hash embeddings are unit length (or zero) */
}

static void embed_text(const char *text, int dim, float *out)
{
	embed_hash(text, strlen(text), dim, out);
}

/* The kinds a probe needs to count: a numeric "after", a string "name" and "answer". */
static int probe_is(jv after, jv name, jv answer)
{
	return jv_get_kind(after) == JV_KIND_NUMBER && jv_get_kind(name) == JV_KIND_STRING &&
	       jv_get_kind(answer) == JV_KIND_STRING;
}

/* The smallest "after" at or beyond from, or -1 when there is none. */
static long next_point(jv probes, int n, long from)
{
	long next = -1;
	for (int i = 0; i < n; i++) {
		jv p = jv_array_get(jv_copy(probes), i);
		jv after = jvu_get_borrow(p, "after");
		long a = jv_get_kind(after) == JV_KIND_NUMBER ? (long)jv_number_value(after) : -1;
		if (a >= from && (next < 0 || a < next))
			next = a;
		jv_free(after);
		jv_free(p);
	}
	return next;
}

/* Is the probe q asked to the same participant as the probe p (a group conversation's
 * "participant"; two-party probes have none, and match each other)? */
static int same_participant(jv p, jv q)
{
	jv a = jvu_get_borrow(p, "participant"), b = jvu_get_borrow(q, "participant");
	int same = jv_get_kind(a) == jv_get_kind(b) &&
		   (jv_get_kind(a) != JV_KIND_STRING || strcmp(jv_string_value(a), jv_string_value(b)) == 0);
	jv_free(a);
	jv_free(b);
	return same;
}

/* Adds 1 - cosine(baseline, answer) to *sum for every baseline ("after": 0) of the
 * probe p (called name) asked to the same participant, counting them in *cnt. */
static void against_baselines(jv probes, int n, jv p, const char *name, const char *answer, int dim, float *a, float *b,
			      double *sum, int *cnt)
{
	for (int j = 0; j < n; j++) {
		jv q = jv_array_get(jv_copy(probes), j);
		jv qa = jvu_get_borrow(q, "after"), qn = jvu_get_borrow(q, "name"), qt = jvu_get_borrow(q, "answer");
		if (probe_is(qa, qn, qt) && jv_number_value(qa) == 0 && strcmp(jv_string_value(qn), name) == 0 &&
		    same_participant(p, q)) {
			embed_text(jv_string_value(qt), dim, a);
			embed_text(answer, dim, b);
			*sum += 1 - drift_cosine(a, b, dim);
			(*cnt)++;
		}
		jv_free(qa);
		jv_free(qn);
		jv_free(qt);
		jv_free(q);
	}
}

double drift_probe(jv record, int dim, jv *curve)
{
	*curve = jv_array();
	jv probes = jvu_get_borrow(record, "probes");
	if (jv_get_kind(probes) != JV_KIND_ARRAY) {
		jv_free(probes);
		return NAN;
	}
	int n = jv_array_length(jv_copy(probes));
	float *a = xcalloc((size_t)dim, sizeof *a), *b = xcalloc((size_t)dim, sizeof *b);
	double total = 0;
	int points = 0;
	for (long next = next_point(probes, n, 1); next >= 0; next = next_point(probes, n, next + 1)) {
		double sum = 0;
		int cnt = 0;
		for (int i = 0; i < n; i++) {
			jv p = jv_array_get(jv_copy(probes), i);
			jv after = jvu_get_borrow(p, "after"), name = jvu_get_borrow(p, "name"),
			   answer = jvu_get_borrow(p, "answer");
			if (probe_is(after, name, answer) && (long)jv_number_value(after) == next)
				against_baselines(probes, n, p, jv_string_value(name), jv_string_value(answer), dim, a,
						  b, &sum, &cnt);
			jv_free(after);
			jv_free(name);
			jv_free(answer);
			jv_free(p);
		}
		if (cnt) {
			jv point = jv_object();
			point = jv_object_set(point, jv_string("after"), jv_number((double)next));
			point = jv_object_set(point, jv_string("drift"), jvu_figure(sum / cnt));
			*curve = jv_array_append(*curve, point);
			total += sum / cnt;
			points++;
		}
	}
	free(a);
	free(b);
	jv_free(probes);
	return points ? total / points : NAN;
}

double drift_dialog(jv record, int dim)
{
	jv description = jvu_get_borrow(record, "description");
	if (jv_get_kind(description) != JV_KIND_STRING) {
		jv_free(description);
		return NAN;
	}
	float *desc = xcalloc((size_t)dim, sizeof *desc), *a = xcalloc((size_t)dim, sizeof *a);
	embed_text(jv_string_value(description), dim, desc);
	jv_free(description);
	size_t n = conversation_turns(record), clients = 0;
	double *sims = xcalloc(n ? n : 1, sizeof *sims);
	struct buf text = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		buf_reset(&text);
		if (strcmp(conversation_turn(record, i, &text), "client") != 0)
			continue;
		embed_text(text.data ? text.data : "", dim, a);
		sims[clients++] = drift_cosine(a, desc, dim);
	}
	buf_free(&text);
	double drift = NAN;
	if (clients >= 2) {
		size_t half = clients / 2;
		double first = 0, second = 0;
		for (size_t i = 0; i < half; i++)
			first += sims[i];
		for (size_t i = half; i < clients; i++)
			second += sims[i];
		drift = first / (double)half - second / (double)(clients - half);
	}
	free(sims);
	free(desc);
	free(a);
	return drift;
}
