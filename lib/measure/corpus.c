/* corpus — corpus-level measurements, intervals and comparisons (see corpus.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authorship.h"
#include "buf.h"
#include "corpus.h"
#include "diversity.h"
#include "intern.h"
#include "jvutil.h"
#include "msg.h"
#include "projection.h"
#include "resample.h"
#include "rng.h"

#define SELF_BLEU_SAMPLE 100
#define DISTINCT_ORDERS 20
#define STOP_TURN_BINS 51
#define CURVE_POINTS 64

/* The metrics that are a ratio of sums over every conversation, in summary order. */
enum conv_metric {
	CM_TURNS,
	CM_TOKENS,
	CM_QUESTIONS,
	CM_OWN_REP,
	CM_PARTNER_REP,
	CM_ECHO,
	CM_ROLE,
	CM_QA_AI,
	CM_QA_LEAK,
	CM_QA_DUP,
	CM_DRIFT_PROBE,
	CM_DRIFT_DIALOG,
	CM_GROUP_GINI,
	CM_GROUP_ANSWERED,
	CM_GROUP_CONVERGENCE,
	CM_GROUP_ADHERENCE,
	CM_COUNT
};

static const char *const conv_keys[] = {
	"turns_mean",          "tokens_per_utterance",
	"question_rate",       "own_rep_2",
	"partner_rep_2",       "echo_rate",
	"role_confusion_rate", "qa_ai_identity_rate",
	"qa_prompt_leak_rate", "qa_duplicate_rate",
	"drift_probe_auc",     "drift_dialog",
	"group_floor_gini",    "group_answered_rate",
	"group_convergence",   "group_adherence_within",
};

/* The metrics computed on the sample, one unit table each (see figures). */
static const char *const bleu_keys[] = { "self_bleu_4" };
static const char *const spread_keys[] = { "embedding_distance" };
static const char *const adherence_keys[] = { "adherence_acc1",  "adherence_acc3",          "adherence_acc5",
					      "adherence_acc10", "adherence_acc1_shuffled", "adherence_mrr" };
static const char *const persona_keys[] = { "within_persona_distance", "between_persona_distance", "silhouette" };
static const char *const distinct_keys[] = { "distinct_1", "distinct_2", "distinct_3" };

#define COUNT_OF(a) (sizeof(a) / sizeof *(a))

struct sampled {
	uint64_t key; /* hash of the id: the smallest keys form the sample */
	int persona; /* index into personas, -1 when unknown */
	float *vec; /* unit length or zero; NULL when not in the corpus's space */
	int zero; /* the vector is zero (an empty text) */
	char *text;
};

/* What corpus_summary, corpus_intervals and corpus_compare share: the sample's
 * figures, computed once (and again after a corpus_add). */
struct figures {
	int ready;
	struct sampled *s; /* the sample sorted by key (borrowed from the heap) */
	size_t n;
	struct text_grams **grams;
	struct distinct distinct;
	struct units *bleu, *spread, *adherence, *persona;
	size_t singletons;
	double authorship;
	int vectors_ok;
};

struct corpus {
	struct corpus_config cfg;
	uint64_t conversations, turns, client_turns;
	double num[CM_COUNT], den[CM_COUNT];
	struct units *rows; /* per conversation, with keep_units */
	struct intern *stop_names;
	const char *stop_reason[16];
	uint64_t stop_count[16];
	size_t nstops;
	uint64_t stop_turns[STOP_TURN_BINS];
	long curve_after[CURVE_POINTS];
	double curve_sum[CURVE_POINTS];
	uint64_t curve_n[CURVE_POINTS];
	size_t ncurve;
	/* the space of the vectors: the first conversation's model and dimension */
	char *space, *other_space, *persona_other_space;
	int dim;
	uint64_t space_mismatches, personas_unembedded;
	/* personas and their description vectors (unit length or zero) */
	struct intern *persona_ids;
	const char **persona_order;
	float **persona_vecs;
	int *persona_zero;
	size_t npersonas, persona_cap;
	/* the deterministic sample: a max-heap on key */
	struct sampled *heap;
	size_t nheap;
	struct figures fig;
	struct distinct_counter *counter; /* scratch for distinct_n */
};

struct corpus *corpus_new(const struct corpus_config *config)
{
	struct corpus *c = xcalloc(1, sizeof *c);
	c->cfg = *config;
	if (!c->cfg.sample_size)
		c->cfg.sample_size = 1;
	c->stop_names = intern_new();
	c->persona_ids = intern_new();
	c->heap = xcalloc(c->cfg.sample_size, sizeof *c->heap);
	c->counter = distinct_counter_new();
	if (c->cfg.keep_units)
		c->rows = units_new(CM_COUNT);
	return c;
}

/* A copy of vec scaled to unit length (a zero vector stays zero: *zero = 1). */
static float *unit_copy(const float *vec, int dim, int *zero)
{
	float *out = xmalloc((size_t)dim * sizeof *out);
	double norm = 0;
	for (int i = 0; i < dim; i++)
		norm += (double)vec[i] * vec[i];
	norm = sqrt(norm);
	*zero = !(norm > 0);
	for (int i = 0; i < dim; i++)
		out[i] = *zero ? 0.0f : (float)(vec[i] / norm);
	return out;
}

/* Is (space, dim) the corpus's space? The first vector sets it. */
static int in_space(struct corpus *c, const char *space, int dim)
{
	if (!c->space) {
		c->space = xstrdup(space ? space : "");
		c->dim = dim;
	}
	return dim == c->dim && strcmp(space ? space : "", c->space) == 0;
}

static int persona_index(struct corpus *c, const struct conversation_facts *f)
{
	if (!f->persona_id || !*f->persona_id)
		return -1;
	size_t before = intern_count(c->persona_ids);
	const char *key = intern_str(c->persona_ids, f->persona_id);
	if (intern_count(c->persona_ids) == before) {
		for (size_t i = 0; i < c->npersonas; i++)
			if (c->persona_order[i] == key)
				return (int)i;
	}
	if (c->npersonas == c->persona_cap) {
		c->persona_cap = c->persona_cap ? c->persona_cap * 2 : 64;
		c->persona_order = xrealloc(c->persona_order, c->persona_cap * sizeof *c->persona_order);
		c->persona_vecs = xrealloc(c->persona_vecs, c->persona_cap * sizeof *c->persona_vecs);
		c->persona_zero = xrealloc(c->persona_zero, c->persona_cap * sizeof *c->persona_zero);
	}
	size_t p = c->npersonas++;
	c->persona_order[p] = key;
	c->persona_vecs[p] = NULL;
	c->persona_zero[p] = 0;
	if (f->persona_vec && f->persona_space && c->space && f->dim == c->dim &&
	    strcmp(f->persona_space, c->space) == 0) {
		c->persona_vecs[p] = unit_copy(f->persona_vec, c->dim, &c->persona_zero[p]);
	} else if (f->persona_space) {
		/* A description without a vector in the client's space. */
		c->personas_unembedded++;
		if (!c->persona_other_space && *f->persona_space)
			c->persona_other_space = xstrdup(f->persona_space);
	}
	return (int)p;
}

static void sift_up(struct sampled *h, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (h[p].key >= h[i].key)
			break;
		struct sampled t = h[p];
		h[p] = h[i];
		h[i] = t;
		i = p;
	}
}

static void sift_down(struct sampled *h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < n && h[l].key > h[m].key)
			m = l;
		if (r < n && h[r].key > h[m].key)
			m = r;
		if (m == i)
			break;
		struct sampled t = h[m];
		h[m] = h[i];
		h[i] = t;
		i = m;
	}
}

static void figures_free(struct figures *fig)
{
	for (size_t i = 0; fig->grams && i < fig->n; i++)
		text_grams_free(fig->grams[i]);
	free(fig->grams);
	free(fig->s);
	units_free(fig->bleu);
	units_free(fig->spread);
	units_free(fig->adherence);
	units_free(fig->persona);
	memset(fig, 0, sizeof *fig);
}

static void sample_offer(struct corpus *c, uint64_t key, int persona, const float *vec, int usable, const char *text)
{
	if (c->nheap == c->cfg.sample_size && key >= c->heap[0].key)
		return;
	struct sampled s = { key, persona, NULL, 0, xstrdup(text ? text : "") };
	if (vec && usable)
		s.vec = unit_copy(vec, c->dim, &s.zero);
	if (c->nheap == c->cfg.sample_size) {
		free(c->heap[0].vec);
		free(c->heap[0].text);
		c->heap[0] = s;
		sift_down(c->heap, c->nheap, 0);
	} else {
		c->heap[c->nheap] = s;
		sift_up(c->heap, c->nheap++);
	}
}

/* The conversation's share of each ratio metric: num[k] / den[k]; 0 / 0 when it has
 * nothing to count for metric k. */
static void conversation_units(const struct convmetrics *m, const struct conversation_facts *f, double *num,
			       double *den)
{
	double client_turns = (double)m->client_turns;
	num[CM_TURNS] = (double)m->turns, den[CM_TURNS] = 1;
	num[CM_TOKENS] = isfinite(m->client_tokens_mean) ? (double)llround(m->client_tokens_mean * client_turns) : 0;
	den[CM_TOKENS] = client_turns;
	num[CM_QUESTIONS] = isfinite(m->question_rate) ? (double)llround(m->question_rate * client_turns) : 0;
	den[CM_QUESTIONS] = client_turns;
	num[CM_ECHO] = (double)m->echo_turns, den[CM_ECHO] = client_turns;
	num[CM_ROLE] = (double)m->role_turns, den[CM_ROLE] = client_turns;
	const double means[4] = { m->own_rep_2, m->partner_rep_2, f->drift_probe_auc, f->drift_dialog };
	const int mean_metric[4] = { CM_OWN_REP, CM_PARTNER_REP, CM_DRIFT_PROBE, CM_DRIFT_DIALOG };
	for (int i = 0; i < 4; i++) {
		num[mean_metric[i]] = isfinite(means[i]) ? means[i] : 0;
		den[mean_metric[i]] = isfinite(means[i]) ? 1 : 0;
	}
	const struct groupmetrics *g = f->group;
	double gini = g ? g->gini : NAN, convergence = g ? g->convergence : NAN;
	num[CM_GROUP_GINI] = isfinite(gini) ? gini : 0, den[CM_GROUP_GINI] = isfinite(gini);
	num[CM_GROUP_ANSWERED] = g ? g->answered : 0, den[CM_GROUP_ANSWERED] = g ? g->addressed : 0;
	num[CM_GROUP_CONVERGENCE] = isfinite(convergence) ? convergence : 0;
	den[CM_GROUP_CONVERGENCE] = isfinite(convergence);
	/* Pooled over groups of two or more measurable participants, as the metric needs. */
	int adherent = g && g->adherence_n >= 2;
	num[CM_GROUP_ADHERENCE] = adherent ? g->adherence_hits : 0,
	den[CM_GROUP_ADHERENCE] = adherent ? g->adherence_n : 0;
	num[CM_QA_AI] = (f->qa & CORPUS_QA_AI_IDENTITY) != 0, den[CM_QA_AI] = 1;
	num[CM_QA_LEAK] = (f->qa & CORPUS_QA_PROMPT_LEAK) != 0, den[CM_QA_LEAK] = 1;
	num[CM_QA_DUP] = (f->qa & CORPUS_QA_DUPLICATE) != 0, den[CM_QA_DUP] = 1;
}

static void add_curve(struct corpus *c, jv curve)
{
	if (jv_get_kind(curve) != JV_KIND_ARRAY)
		return;
	int n = jv_array_length(jv_copy(curve));
	for (int i = 0; i < n; i++) {
		jv point = jv_array_get(jv_copy(curve), i);
		jv after = jvu_get_borrow(point, "after"), drift = jvu_get_borrow(point, "drift");
		if (jv_get_kind(after) == JV_KIND_NUMBER && jv_get_kind(drift) == JV_KIND_NUMBER) {
			long a = (long)jv_number_value(after);
			size_t k = 0;
			while (k < c->ncurve && c->curve_after[k] != a)
				k++;
			if (k == c->ncurve && c->ncurve < CURVE_POINTS)
				c->curve_after[c->ncurve++] = a;
			if (k < c->ncurve)
				c->curve_sum[k] += jv_number_value(drift), c->curve_n[k]++;
		}
		jv_free(after);
		jv_free(drift);
		jv_free(point);
	}
}

void corpus_add(struct corpus *c, const struct convmetrics *m, const struct conversation_facts *f)
{
	if (c->fig.ready)
		figures_free(&c->fig);
	c->conversations++;
	c->turns += m->turns;
	c->client_turns += m->client_turns;
	double num[CM_COUNT], den[CM_COUNT];
	conversation_units(m, f, num, den);
	for (int k = 0; k < CM_COUNT; k++)
		c->num[k] += num[k], c->den[k] += den[k];
	if (c->rows)
		units_add(c->rows, num, den);
	if (f->stop_reason) {
		const char *name = intern_str(c->stop_names, f->stop_reason);
		size_t i = 0;
		while (i < c->nstops && c->stop_reason[i] != name)
			i++;
		if (i == c->nstops && c->nstops < 16)
			c->stop_reason[c->nstops++] = name;
		if (i < 16)
			c->stop_count[i]++;
	}
	c->stop_turns[m->turns < STOP_TURN_BINS - 1 ? m->turns : STOP_TURN_BINS - 1]++;
	add_curve(c, f->drift_curve);
	int usable = 0;
	if (f->client_vec) {
		usable = in_space(c, f->space, f->dim);
		if (!usable && c->space_mismatches++ == 0)
			c->other_space = xstrdup(f->space ? f->space : "");
	}
	int persona = persona_index(c, f);
	sample_offer(c, rng_hash(f->id, strlen(f->id), 0x73616d706c65ULL), persona, f->client_vec, usable,
		     f->client_text);
}

/* ---------- helpers ---------- */

static double dot(const float *a, const float *b, int n)
{
	/* Four partial sums let the compiler keep several multiply-adds in flight. */
	float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	int i = 0;
	for (; i + 4 <= n; i += 4) {
		s0 += a[i] * b[i];
		s1 += a[i + 1] * b[i + 1];
		s2 += a[i + 2] * b[i + 2];
		s3 += a[i + 3] * b[i + 3];
	}
	for (; i < n; i++)
		s0 += a[i] * b[i];
	return (double)(s0 + s1) + (double)(s2 + s3);
}

static int by_key(const void *a, const void *b)
{
	const struct sampled *x = a, *y = b;
	return x->key < y->key ? -1 : x->key > y->key;
}

static jv num(double x)
{
	return isfinite(x) ? jv_number(x) : jv_null();
}

/* Every number in v (consumed), however deep, rounded to 6 decimals. */
static jv round_figures(jv v)
{
	switch (jv_get_kind(v)) {
	case JV_KIND_NUMBER: {
		double x = jv_number_value(v);
		jv_free(v);
		return jvu_figure(x);
	}
	case JV_KIND_ARRAY:
		for (int i = 0; i < jv_array_length(jv_copy(v)); i++)
			v = jv_array_set(v, i, round_figures(jv_array_get(jv_copy(v), i)));
		return v;
	case JV_KIND_OBJECT: {
		jv out = jv_object();
		jv_object_foreach(v, key, value) out = jv_object_set(out, key, round_figures(value));
		jv_free(v);
		return out;
	}
	default:
		return v;
	}
}

static void warn_null(const struct corpus *c, const char *what)
{
	if (c->cfg.label)
		warnf("%s: %s", c->cfg.label, what);
}

/* ---------- vectors: distances, adherence, persona consistency ---------- */

/* Cosine distance of sampled i < j, from the upper triangle d (row-major, no diagonal). */
static double distance_at(const float *d, size_t n, size_t i, size_t j)
{
	if (i > j) {
		size_t t = i;
		i = j;
		j = t;
	}
	return d[i * n - i * (i + 1) / 2 + (j - i - 1)];
}

/* 1 - cosine of every pair of the sample (n >= 2, every vector usable). */
static float *distances(const struct corpus *c, const struct sampled *s, size_t n)
{
	float *d = xmalloc((n * (n - 1) / 2) * sizeof *d);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			d[k++] = (float)(1 - dot(s[i].vec, s[j].vec, c->dim));
	return d;
}

/* embedding_distance: each conversation's mean distance to the others (a unit each). */
static struct units *spread_units(const float *d, size_t n)
{
	struct units *u = units_new(1);
	for (size_t i = 0; i < n; i++) {
		double sum = 0, count = (double)(n - 1);
		for (size_t j = 0; j < n; j++)
			if (j != i)
				sum += distance_at(d, n, i, j);
		units_add(u, &sum, &count);
	}
	return u;
}

/* The rank of persona `label` for conversation i: 1 + the personas scoring at least as
 * high (ties rank the label last); 0 when a zero vector makes it a miss. */
static size_t rank_of(const struct corpus *c, const struct sampled *si, int label)
{
	if (label < 0 || !c->persona_vecs[label] || si->zero || c->persona_zero[label])
		return 0;
	double truth = dot(si->vec, c->persona_vecs[label], c->dim);
	size_t rank = 1;
	for (size_t p = 0; p < c->npersonas; p++)
		if ((int)p != label && c->persona_vecs[p] && dot(si->vec, c->persona_vecs[p], c->dim) >= truth)
			rank++;
	return rank;
}

/* Adherence units: each sampled conversation with an embedded persona, hits at 1, 3,
 * 5, 10, the shuffled-label hit at 1 and the reciprocal rank. NULL when fewer than two
 * personas are embedded in the client's space (with the reason, when there is one). */
static struct units *adherence_units(struct corpus *c, const struct sampled *s, size_t n)
{
	size_t embedded = 0;
	for (size_t p = 0; p < c->npersonas; p++)
		embedded += c->persona_vecs[p] != NULL;
	if (embedded < 2) {
		char why[512];
		if (c->persona_other_space)
			snprintf(why, sizeof why,
				 "adherence is null: descriptions are embedded with '%s', client texts with '%s'",
				 c->persona_other_space, c->space);
		else if (c->personas_unembedded)
			snprintf(why, sizeof why,
				 "adherence is null: the client vectors are from '%s' and the descriptions have no "
				 "vectors "
				 "of that model (embed --of description --model %s)",
				 c->space, c->space);
		else
			why[0] = 0;
		if (why[0])
			warn_null(c, why);
		return NULL;
	}
	/* The shuffled baseline: the same retrieval scored against a permutation of the
	 * true labels (a fixed rotation of the sample's labels by a seeded offset). */
	size_t offset = n > 1 ? 1 + (size_t)(rng_mix64(n) % (n - 1)) : 0;
	static const size_t ks[4] = { 1, 3, 5, 10 };
	struct units *u = units_new(6);
	for (size_t i = 0; i < n; i++) {
		if (s[i].persona < 0 || !c->persona_vecs[s[i].persona])
			continue;
		size_t rank = rank_of(c, &s[i], s[i].persona);
		size_t shuffled = rank_of(c, &s[i], s[(i + offset) % n].persona);
		double num[6], den[6] = { 1, 1, 1, 1, 1, 1 };
		for (int k = 0; k < 4; k++)
			num[k] = rank && rank <= ks[k];
		num[4] = shuffled == 1;
		num[5] = rank ? 1.0 / (double)rank : 0;
		units_add(u, num, den);
	}
	if (!units_count(u)) {
		units_free(u);
		return NULL;
	}
	return u;
}

/* Persona units over the sampled conversations with a persona: within-persona pair
 * distances, distances to other personas' conversations, and silhouette values
 * (Rousseeuw: (b - a) / max(a, b); 0 for a persona's only conversation, and 0 when
 * a = b = 0, as scikit-learn does). NULL without two personas. */
static struct units *persona_units(struct corpus *c, const struct sampled *s, size_t n, const float *d,
				   size_t *singletons)
{
	*singletons = 0;
	size_t np = c->npersonas;
	size_t *members = xcalloc(np ? np : 1, sizeof *members);
	size_t clusters = 0;
	for (size_t i = 0; i < n; i++)
		if (s[i].persona >= 0 && members[s[i].persona]++ == 0)
			clusters++;
	if (clusters < 2) {
		free(members);
		return NULL;
	}
	double *within = xcalloc(np, sizeof *within), *within_n = xcalloc(np, sizeof *within_n);
	double *between = xcalloc(np, sizeof *between), *between_n = xcalloc(np, sizeof *between_n);
	double *sil = xcalloc(np, sizeof *sil);
	double *sum = xcalloc(np, sizeof *sum);
	for (size_t i = 0; i < n; i++) {
		int pi = s[i].persona;
		if (pi < 0)
			continue;
		memset(sum, 0, np * sizeof *sum);
		for (size_t j = 0; j < n; j++) {
			if (j == i || s[j].persona < 0)
				continue;
			double dij = distance_at(d, n, i, j);
			sum[s[j].persona] += dij;
			if (s[j].persona == pi) {
				if (j > i)
					within[pi] += dij, within_n[pi]++;
			} else {
				between[pi] += dij, between_n[pi]++;
			}
		}
		if (members[pi] == 1) {
			(*singletons)++;
			continue; /* s(i) = 0 */
		}
		double a = sum[pi] / (double)(members[pi] - 1), b = HUGE_VAL;
		for (size_t p = 0; p < np; p++)
			if ((int)p != pi && members[p])
				b = fmin(b, sum[p] / (double)members[p]);
		if (fmax(a, b) > 0)
			sil[pi] += (b - a) / fmax(a, b);
	}
	struct units *u = units_new(3);
	for (size_t p = 0; p < np; p++) {
		if (!members[p])
			continue;
		double num[3] = { within[p], between[p], sil[p] };
		double den[3] = { within_n[p], between_n[p], (double)members[p] };
		units_add(u, num, den);
	}
	free(members);
	free(within);
	free(within_n);
	free(between);
	free(between_n);
	free(sil);
	free(sum);
	return u;
}

/* order[0..n) = a random permutation of 0..n-1 drawn from rng (Fisher-Yates). */
static void shuffle(size_t *order, size_t n, struct rng *rng)
{
	for (size_t i = 0; i < n; i++)
		order[i] = i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(rng, i), t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}

/* The budgeted distinct-n of the sample: the mean over DISTINCT_ORDERS random orders
 * (drawn from a fixed stream, so the figure does not depend on --seed). Which
 * conversations fill the budget changes the figure; one order, e.g. by id, could be
 * any of them (and conversations sharing an id would sit side by side), so the
 * summary gives the mean, the centre of what --ci's interval spreads around. */
static void distinct_point(struct corpus *c, struct distinct *out)
{
	struct figures *fig = &c->fig;
	size_t *order = xmalloc((fig->n ? fig->n : 1) * sizeof *order);
	struct rng rng = rng_stream(0x64697374696e6374ULL, NULL, "distinct-n point");
	double sum[3] = { 0, 0, 0 };
	for (int r = 0; r < DISTINCT_ORDERS; r++) {
		shuffle(order, fig->n, &rng);
		distinct_n(c->counter, fig->grams, order, fig->n, c->cfg.distinct_budget, out);
		for (int k = 0; k < 3; k++)
			sum[k] += out->d[k];
	}
	for (int k = 0; k < 3; k++)
		out->d[k] = sum[k] / DISTINCT_ORDERS;
	free(order);
}

/* ---------- the sample's figures ---------- */

static void figures_compute(struct corpus *c)
{
	struct figures *fig = &c->fig;
	if (fig->ready)
		return;
	fig->ready = 1;
	size_t n = c->nheap;
	fig->n = n;
	fig->s = xmalloc((n ? n : 1) * sizeof *fig->s);
	memcpy(fig->s, c->heap, n * sizeof *fig->s);
	qsort(fig->s, n, sizeof *fig->s, by_key);
	struct sampled *s = fig->s;

	fig->grams = xcalloc(n ? n : 1, sizeof *fig->grams);
	for (size_t i = 0; i < n; i++)
		fig->grams[i] = text_grams_new(s[i].text);
	distinct_point(c, &fig->distinct);
	if (n && !isfinite(fig->distinct.d[0])) {
		char why[256];
		snprintf(why, sizeof why,
			 "distinct-n is null: the sample holds %zu client tokens, fewer than the %zu it counts "
			 "(--distinct-budget)",
			 fig->distinct.tokens_used, c->cfg.distinct_budget);
		warn_null(c, why);
	}
	size_t m = n < SELF_BLEU_SAMPLE ? n : SELF_BLEU_SAMPLE;
	if (m >= 2) {
		double *bleu = xmalloc(m * sizeof *bleu);
		self_bleu_each(fig->grams, m, bleu);
		fig->bleu = units_new(1);
		for (size_t i = 0; i < m; i++) {
			double one = 1;
			if (isfinite(bleu[i]))
				units_add(fig->bleu, &bleu[i], &one);
		}
		free(bleu);
	}

	fig->vectors_ok = n >= 2 && c->space_mismatches == 0;
	for (size_t i = 0; i < n && fig->vectors_ok; i++)
		fig->vectors_ok = s[i].vec != NULL;
	if (c->space_mismatches) {
		char why[512];
		snprintf(why, sizeof why,
			 "distances, silhouette, adherence and the projection are null: client vectors come from "
			 "more than one model ('%s' and '%s')",
			 c->space, c->other_space);
		warn_null(c, why);
	}
	if (fig->vectors_ok) {
		float *d = distances(c, s, n);
		fig->spread = spread_units(d, n);
		fig->persona = persona_units(c, s, n, d, &fig->singletons);
		fig->adherence = adherence_units(c, s, n);
		free(d);
	}
	const char **texts = xmalloc((n ? n : 1) * sizeof *texts);
	int *persona = xmalloc((n ? n : 1) * sizeof *persona);
	for (size_t i = 0; i < n; i++)
		texts[i] = s[i].text, persona[i] = s[i].persona;
	fig->authorship = authorship_auc(texts, persona, n);
	free(texts);
	free(persona);
}

/* A unit table of the corpus and the summary keys of its metrics. */
struct unit_table {
	struct units *u;
	const char *const *keys;
	size_t nkeys;
};

/* The corpus's unit tables, always in the same order (a NULL table: not measurable). */
static size_t unit_tables(struct corpus *c, struct unit_table t[5])
{
	figures_compute(c);
	t[0] = (struct unit_table){ c->rows, conv_keys, CM_COUNT };
	t[1] = (struct unit_table){ c->fig.bleu, bleu_keys, COUNT_OF(bleu_keys) };
	t[2] = (struct unit_table){ c->fig.spread, spread_keys, COUNT_OF(spread_keys) };
	t[3] = (struct unit_table){ c->fig.adherence, adherence_keys, COUNT_OF(adherence_keys) };
	t[4] = (struct unit_table){ c->fig.persona, persona_keys, COUNT_OF(persona_keys) };
	return 5;
}

/* out[k] = the point value of every metric of a table (NaN for a NULL table). */
static void table_values(const struct unit_table *t, double *out)
{
	if (t->u)
		units_value(t->u, out);
	else
		for (size_t k = 0; k < t->nkeys; k++)
			out[k] = NAN;
}

/* ---------- summary ---------- */

static double ratio(double a, double b)
{
	return b > 0 ? a / b : NAN;
}

/* Keys that count things rather than measure them: no reference difference. */
static int is_count(const char *key)
{
	static const char *const counts[] = { "conversations", "sample", "silhouette_singletons",
					      "distinct_tokens_used" };
	for (size_t i = 0; i < COUNT_OF(counts); i++)
		if (strcmp(key, counts[i]) == 0)
			return 1;
	return 0;
}

static jv set_table(jv o, const struct unit_table *t)
{
	double *v = xmalloc(t->nkeys * sizeof *v);
	table_values(t, v);
	for (size_t k = 0; k < t->nkeys; k++)
		o = jv_object_set(o, jv_string(t->keys[k]), num(v[k]));
	free(v);
	return o;
}

static jv drift_curve(const struct corpus *c)
{
	size_t order[CURVE_POINTS];
	for (size_t i = 0; i < c->ncurve; i++) {
		size_t j = i;
		while (j > 0 && c->curve_after[order[j - 1]] > c->curve_after[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	jv curve = jv_array();
	for (size_t i = 0; i < c->ncurve; i++) {
		size_t k = order[i];
		jv point = jv_object();
		point = jv_object_set(point, jv_string("after"), jv_number((double)c->curve_after[k]));
		point = jv_object_set(point, jv_string("drift"), num(c->curve_sum[k] / (double)c->curve_n[k]));
		point = jv_object_set(point, jv_string("n"), jv_number((double)c->curve_n[k]));
		curve = jv_array_append(curve, point);
	}
	return curve;
}

static jv reference_columns(jv summary, jv reference, jv *difference);

jv corpus_summary(struct corpus *c, jv reference)
{
	struct unit_table t[5];
	unit_tables(c, t);
	struct figures *fig = &c->fig;
	jv o = jv_object();
	o = jv_object_set(o, jv_string("conversations"), jv_number((double)c->conversations));
	for (int k = CM_TURNS; k <= CM_QUESTIONS; k++)
		o = jv_object_set(o, jv_string(conv_keys[k]), num(ratio(c->num[k], c->den[k])));
	for (int k = 0; k < 3; k++)
		o = jv_object_set(o, jv_string(distinct_keys[k]), num(fig->distinct.d[k]));
	o = jv_object_set(o, jv_string("distinct_tokens_used"), jv_number((double)fig->distinct.tokens_used));
	o = set_table(o, &t[1]);
	o = set_table(o, &t[2]);
	for (int k = CM_OWN_REP; k <= CM_GROUP_ADHERENCE; k++)
		o = jv_object_set(o, jv_string(conv_keys[k]), num(ratio(c->num[k], c->den[k])));
	o = set_table(o, &t[3]);
	o = set_table(o, &t[4]);
	o = jv_object_set(o, jv_string("silhouette_singletons"), jv_number((double)fig->singletons));
	o = jv_object_set(o, jv_string("authorship_auc"), num(fig->authorship));
	o = jv_object_set(o, jv_string("sample"), jv_number((double)fig->n));
	jv stops = jv_object();
	for (size_t i = 0; i < c->nstops; i++)
		stops = jv_object_set(stops, jv_string(c->stop_reason[i]), jv_number((double)c->stop_count[i]));
	o = jv_object_set(o, jv_string("stop_reasons"), stops);
	jv hist = jv_array();
	for (int i = 0; i < STOP_TURN_BINS; i++)
		hist = jv_array_append(hist, jv_number((double)c->stop_turns[i]));
	o = jv_object_set(o, jv_string("stop_turns"), hist);
	o = jv_object_set(o, jv_string("drift_curve"), drift_curve(c));
	jv points = jv_array();
	if (fig->vectors_ok) {
		const float **vecs = xmalloc(fig->n * sizeof *vecs);
		const char **labels = xmalloc(fig->n * sizeof *labels);
		for (size_t i = 0; i < fig->n; i++) {
			vecs[i] = fig->s[i].vec;
			labels[i] = fig->s[i].persona >= 0 ? c->persona_order[fig->s[i].persona] : NULL;
		}
		jv_free(points);
		points = projection_2d(vecs, labels, fig->n, c->dim);
		free(vecs);
		free(labels);
	}
	o = jv_object_set(o, jv_string("projection"), points);
	if (jv_is_valid(reference)) {
		jv difference;
		jv ref = reference_columns(o, reference, &difference);
		o = jv_object_set(o, jv_string("reference"), ref);
		o = jv_object_set(o, jv_string("difference"), difference);
	}
	return round_figures(o);
}

/* The reference's value of every metric of summary (null where it has none) and, in
 * *difference, value − reference from the exact figures; both are borrowed. */
static jv reference_columns(jv summary, jv reference, jv *difference)
{
	jv ref_out = jv_object();
	*difference = jv_object();
	jv_object_foreach(summary, key, value)
	{
		jv_kind kind = jv_get_kind(value);
		if ((kind == JV_KIND_NUMBER || kind == JV_KIND_NULL) && !is_count(jv_string_value(key))) {
			jv ref = jvu_get_borrow(reference, jv_string_value(key));
			int both = kind == JV_KIND_NUMBER && jv_get_kind(ref) == JV_KIND_NUMBER;
			*difference =
				jv_object_set(*difference, jv_copy(key),
					      both ? num(jv_number_value(value) - jv_number_value(ref)) : jv_null());
			if (jv_get_kind(ref) != JV_KIND_NUMBER) {
				jv_free(ref);
				ref = jv_null();
			}
			ref_out = jv_object_set(ref_out, jv_copy(key), ref);
		}
		jv_free(key);
		jv_free(value);
	}
	return ref_out;
}

/* ---------- intervals and comparisons ---------- */

/* A seed for one resampling of one table of one side, so none share draws. */
static uint64_t seed_for(uint64_t seed, size_t table, int side)
{
	return rng_mix64(seed ^ rng_mix64(table * 2 + (uint64_t)side + 1));
}

static jv interval(const double *reps, size_t nreps, size_t stride, double level)
{
	double ci[2];
	percentile_interval(reps, nreps, stride, level, ci);
	if (!isfinite(ci[0]) || !isfinite(ci[1]))
		return jv_null();
	return JV_ARRAY(jv_number(ci[0]), jv_number(ci[1]));
}

/* reps x 3 distinct-n replicates of c on random orders of its sample. */
static double *distinct_replicates(struct corpus *c, size_t reps, uint64_t seed)
{
	double *out = xmalloc(reps * 3 * sizeof *out);
	size_t *order = xmalloc((c->fig.n ? c->fig.n : 1) * sizeof *order);
	struct rng rng = rng_stream(seed, NULL, "distinct-n");
	for (size_t r = 0; r < reps; r++) {
		struct distinct d;
		shuffle(order, c->fig.n, &rng);
		distinct_n(c->counter, c->fig.grams, order, c->fig.n, c->cfg.distinct_budget, &d);
		memcpy(&out[r * 3], d.d, sizeof d.d);
	}
	free(order);
	return out;
}

jv corpus_intervals(struct corpus *c, double level, size_t reps, uint64_t seed)
{
	struct unit_table t[5];
	size_t ntables = unit_tables(c, t);
	jv ci = jv_object();
	double *d = distinct_replicates(c, reps, seed_for(seed, ntables, 0));
	for (size_t k = 0; k < 3; k++)
		ci = jv_object_set(ci, jv_string(distinct_keys[k]), interval(&d[k], reps, 3, level));
	free(d);
	for (size_t i = 0; i < ntables; i++) {
		double *r = t[i].u ? xmalloc(reps * t[i].nkeys * sizeof *r) : NULL;
		if (r)
			units_bootstrap(t[i].u, reps, seed_for(seed, i, 0), r);
		for (size_t k = 0; k < t[i].nkeys; k++)
			ci = jv_object_set(ci, jv_string(t[i].keys[k]),
					   r ? interval(&r[k], reps, t[i].nkeys, level) : jv_null());
		free(r);
	}
	return round_figures(ci);
}

static jv comparison(const char *metric, const char *a, const char *b, double diff, jv ci, double p)
{
	jv o = jv_object();
	o = jv_object_set(o, jv_string("metric"), jv_string(metric));
	o = jv_object_set(o, jv_string("a"), jv_string(a));
	o = jv_object_set(o, jv_string("b"), jv_string(b));
	o = jv_object_set(o, jv_string("diff"), num(diff));
	o = jv_object_set(o, jv_string("ci"), ci);
	o = jv_object_set(o, jv_string("p"), num(p));
	return o;
}

/* distinct-n of a − b: bootstrap orders of each side, and a permutation test that
 * deals the pooled texts out to the two sides again. */
static jv compare_distinct(jv out, struct corpus *a, struct corpus *b, const char *name_a, const char *name_b,
			   double level, size_t reps, uint64_t seed)
{
	size_t na = a->fig.n, nb = b->fig.n, budget = a->cfg.distinct_budget;
	double *ra = distinct_replicates(a, reps, seed_for(seed, 5, 0));
	double *rb = distinct_replicates(b, reps, seed_for(seed, 5, 1));
	double *diff = xmalloc(reps * 3 * sizeof *diff);
	for (size_t i = 0; i < reps * 3; i++)
		diff[i] = ra[i] - rb[i];
	struct text_grams **pool = xmalloc((na + nb ? na + nb : 1) * sizeof *pool);
	memcpy(pool, a->fig.grams, na * sizeof *pool);
	memcpy(pool + na, b->fig.grams, nb * sizeof *pool);
	size_t *order = xmalloc((na + nb ? na + nb : 1) * sizeof *order);
	size_t extreme[3] = { 0, 0, 0 };
	double observed[3];
	for (int k = 0; k < 3; k++)
		observed[k] = a->fig.distinct.d[k] - b->fig.distinct.d[k];
	struct rng rng = rng_stream(seed, NULL, "distinct-n permutation");
	for (size_t r = 0; r < reps; r++) {
		struct distinct x, y;
		shuffle(order, na + nb, &rng);
		distinct_n(a->counter, pool, order, na, budget, &x);
		distinct_n(a->counter, pool, order + na, nb, budget, &y);
		for (int k = 0; k < 3; k++) {
			double d = x.d[k] - y.d[k];
			extreme[k] += isfinite(d) && fabs(d) >= fabs(observed[k]) - 1e-12;
		}
	}
	for (int k = 0; k < 3; k++) {
		double p = isfinite(observed[k]) ? (1 + (double)extreme[k]) / (1 + (double)reps) : NAN;
		out = jv_array_append(out, comparison(distinct_keys[k], name_a, name_b, observed[k],
						      interval(&diff[k], reps, 3, level), p));
	}
	free(ra);
	free(rb);
	free(diff);
	free(pool);
	free(order);
	return out;
}

jv corpus_compare(struct corpus *a, struct corpus *b, const char *name_a, const char *name_b, double level, size_t reps,
		  uint64_t seed)
{
	struct unit_table ta[5], tb[5];
	size_t ntables = unit_tables(a, ta);
	unit_tables(b, tb);
	jv out = compare_distinct(jv_array(), a, b, name_a, name_b, level, reps, seed);
	for (size_t i = 0; i < ntables; i++) {
		size_t m = ta[i].nkeys;
		int both = ta[i].u && tb[i].u;
		double *ra = NULL, *rb = NULL, *p = xmalloc(m * sizeof *p);
		double *va = xmalloc(m * sizeof *va), *vb = xmalloc(m * sizeof *vb);
		table_values(&ta[i], va);
		table_values(&tb[i], vb);
		if (both) {
			ra = xmalloc(reps * m * sizeof *ra);
			rb = xmalloc(reps * m * sizeof *rb);
			units_bootstrap(ta[i].u, reps, seed_for(seed, i, 0), ra);
			units_bootstrap(tb[i].u, reps, seed_for(seed, i, 1), rb);
			for (size_t r = 0; r < reps * m; r++)
				ra[r] -= rb[r];
			units_permutation(ta[i].u, tb[i].u, reps, seed_for(seed, i, 2), p);
		}
		for (size_t k = 0; k < m; k++) {
			double diff = both ? va[k] - vb[k] : NAN;
			out = jv_array_append(out, comparison(ta[i].keys[k], name_a, name_b, diff,
							      both ? interval(&ra[k], reps, m, level) : jv_null(),
							      both ? p[k] : NAN));
		}
		free(ra);
		free(rb);
		free(p);
		free(va);
		free(vb);
	}
	return round_figures(out);
}

jv corpus_holm(jv comparisons)
{
	return holm_rows(comparisons, jvu_figure);
}

void corpus_free(struct corpus *c)
{
	if (!c)
		return;
	figures_free(&c->fig);
	for (size_t i = 0; i < c->nheap; i++) {
		free(c->heap[i].vec);
		free(c->heap[i].text);
	}
	free(c->heap);
	for (size_t i = 0; i < c->npersonas; i++)
		free(c->persona_vecs[i]);
	free(c->persona_vecs);
	free(c->persona_zero);
	free(c->persona_order);
	intern_free(c->persona_ids);
	intern_free(c->stop_names);
	units_free(c->rows);
	distinct_counter_free(c->counter);
	free(c->space);
	free(c->other_space);
	free(c->persona_other_space);
	free(c);
}
