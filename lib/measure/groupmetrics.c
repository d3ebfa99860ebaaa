/* groupmetrics — floor share, addressing, convergence and adherence of one group
 * conversation; the definitions are in groupmetrics.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "embedding.h"
#include "groupmetrics.h"
#include "names.h"
#include "jvutil.h"

#define MODERATOR (-1)
#define DEFAULT_DIM 512

struct person {
	jv id;
	const char *name; /* NULL when absent or not a string (then never addressed) */
	size_t name_len;
	jv name_jv, desc; /* jv_invalid() when absent or not a string */
	long turns;
};

struct turn {
	int speaker; /* index into the participants, or MODERATOR */
	const char *text;
	size_t len;
	int has_round;
	double round;
	size_t order; /* position among the turns that count */
};

struct group {
	struct person *p;
	int n;
	struct turn *t;
	size_t nt;
	jv texts; /* keeps every turn text alive while the pointers are used */
};

static jv string_or_invalid(jv v)
{
	if (jv_get_kind(v) == JV_KIND_STRING)
		return v;
	jv_free(v);
	return jv_invalid();
}

static void read_participants(jv record, struct group *g, jv *index)
{
	jv list = jvu_get_borrow(record, "participants");
	int count = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;
	g->p = calloc(count ? count : 1, sizeof *g->p);
	for (int i = 0; i < count; i++) {
		jv e = jv_array_get(jv_copy(list), i);
		jv id = string_or_invalid(jvu_get_borrow(e, "id"));
		int usable = jv_is_valid(id) && strcmp(jv_string_value(id), "moderator") != 0 &&
			     !jv_object_has(jv_copy(*index), jv_copy(id));
		if (!usable) {
			jv_free(id);
			jv_free(e);
			continue;
		}
		struct person *p = &g->p[g->n];
		*index = jv_object_set(*index, jv_copy(id), jv_number(g->n));
		p->id = id;
		p->name_jv = string_or_invalid(jvu_get_borrow(e, "name"));
		if (jv_is_valid(p->name_jv)) {
			p->name = jv_string_value(p->name_jv);
			p->name_len = (size_t)jv_string_length_bytes(jv_copy(p->name_jv));
		}
		p->desc = string_or_invalid(jvu_get_borrow(e, "description"));
		g->n++;
		jv_free(e);
	}
	jv_free(list);
}

static int speaker_of(jv turn, jv index)
{
	jv speaker = string_or_invalid(jvu_get_borrow(turn, "speaker"));
	int who = -2;
	if (!jv_is_valid(speaker))
		return who;
	if (strcmp(jv_string_value(speaker), "moderator") == 0) {
		who = MODERATOR;
	} else {
		jv at = jv_object_get(jv_copy(index), jv_copy(speaker));
		if (jv_get_kind(at) == JV_KIND_NUMBER)
			who = (int)jv_number_value(at);
		jv_free(at);
	}
	jv_free(speaker);
	return who;
}

static void read_turns(jv record, struct group *g, jv index)
{
	jv list = jvu_get_borrow(record, "turns");
	int count = jv_get_kind(list) == JV_KIND_ARRAY ? jv_array_length(jv_copy(list)) : 0;
	g->t = calloc(count ? count : 1, sizeof *g->t);
	g->texts = jv_array();
	for (int i = 0; i < count; i++) {
		jv e = jv_array_get(jv_copy(list), i);
		int who = speaker_of(e, index);
		jv text = string_or_invalid(jvu_get_borrow(e, "text"));
		if (who == -2 || !jv_is_valid(text)) {
			jv_free(text);
			jv_free(e);
			continue;
		}
		struct turn *t = &g->t[g->nt];
		t->speaker = who;
		t->text = jv_string_value(text);
		t->len = (size_t)jv_string_length_bytes(jv_copy(text));
		t->order = g->nt;
		jv round = jvu_get_borrow(e, "round");
		if (jv_get_kind(round) == JV_KIND_NUMBER && jvu_is_integer(jv_number_value(round))) {
			t->has_round = 1;
			t->round = jv_number_value(round);
		}
		jv_free(round);
		if (who >= 0)
			g->p[who].turns++;
		g->texts = jv_array_append(g->texts, text);
		g->nt++;
		jv_free(e);
	}
	jv_free(list);
}

static void group_free(struct group *g)
{
	for (int i = 0; i < g->n; i++) {
		jv_free(g->p[i].id);
		jv_free(g->p[i].name_jv);
		jv_free(g->p[i].desc);
	}
	free(g->p);
	free(g->t);
	jv_free(g->texts);
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* With the counts sorted ascending (x_1 <= ... <= x_N), sum_i sum_j |x_i - x_j| =
 * 2 sum_i (2i - N - 1) x_i, so G = sum_i (2i - N - 1) x_i / (N total): the header's
 * formula in O(N log N), exact for integer counts. */
static double floor_gini(const struct group *g, double *total_out)
{
	long *x = malloc((g->n ? g->n : 1) * sizeof *x);
	double total = 0, weighted = 0;
	for (int i = 0; i < g->n; i++) {
		x[i] = g->p[i].turns;
		total += (double)x[i];
	}
	qsort(x, g->n, sizeof *x, cmp_long);
	for (int i = 0; i < g->n; i++)
		weighted += (double)(2 * (i + 1) - g->n - 1) * (double)x[i];
	free(x);
	*total_out = total;
	if (g->n < 2 || total == 0)
		return NAN;
	return weighted / ((double)g->n * total);
}

static int addressable(const struct group *g, int speaker, int x)
{
	const struct person *p = &g->p[x];
	if (x == speaker || !p->name)
		return 0;
	if (speaker == MODERATOR)
		return 1;
	const struct person *s = &g->p[speaker];
	return !(s->name && s->name_len == p->name_len && names_same(s->name, p->name, p->name_len));
}

static void addressing(const struct group *g, double *addressed, double *answered)
{
	size_t window = g->n > 0 ? (size_t)g->n - 1 : 0;
	for (size_t k = 0; k < g->nt; k++) {
		const struct turn *t = &g->t[k];
		for (int x = 0; x < g->n; x++) {
			if (!addressable(g, t->speaker, x) ||
			    !names_mentioned(t->text, t->len, g->p[x].name, g->p[x].name_len))
				continue;
			(*addressed)++;
			for (size_t j = k + 1; j <= k + window && j < g->nt; j++) {
				if (g->t[j].speaker == x) {
					(*answered)++;
					break;
				}
			}
		}
	}
}

/* vec = the hash embedding of text, scaled to unit length (left zero when it is zero). */
static void embed_unit(const struct buf *text, int dim, float *vec)
{
	embed_hash(text->data ? text->data : "", text->len, dim, vec);
	double norm = 0;
	for (int i = 0; i < dim; i++)
		norm += (double)vec[i] * vec[i];
	if (norm == 0)
		return;
	norm = sqrt(norm);
	for (int i = 0; i < dim; i++)
		vec[i] = (float)(vec[i] / norm);
}

static double dot(const float *a, const float *b, int dim)
{
	double s = 0;
	for (int i = 0; i < dim; i++)
		s += (double)a[i] * b[i];
	return s;
}

static void join(struct buf *b, const struct turn *t)
{
	if (b->len > 0)
		buf_addc(b, '\n');
	buf_add(b, t->text, t->len);
}

static int cmp_round_turn(const void *a, const void *b)
{
	const struct turn *x = *(const struct turn *const *)a, *y = *(const struct turn *const *)b;
	if (x->round != y->round)
		return x->round < y->round ? -1 : 1;
	if (x->speaker != y->speaker)
		return x->speaker - y->speaker;
	return (x->order > y->order) - (x->order < y->order);
}

/* The mean pairwise cosine of k vectors of unit length (or zero): the sum over ordered
 * pairs i != j of u_i.u_j is |sum u|^2 - sum |u_i|^2, so O(k dim) instead of O(k^2 dim). */
static double mean_pairwise(const float *vecs, int k, int dim)
{
	double self = 0, total = 0;
	for (int i = 0; i < k; i++)
		self += dot(vecs + (size_t)i * dim, vecs + (size_t)i * dim, dim);
	for (int d = 0; d < dim; d++) {
		double s = 0;
		for (int i = 0; i < k; i++)
			s += vecs[(size_t)i * dim + d];
		total += s * s;
	}
	return (total - self) / ((double)k * (k - 1));
}

/* The similarity of one round: its turns rt[0..n) sorted by speaker, then order. */
static double round_similarity(struct turn **rt, size_t n, int dim, int *speakers)
{
	int k = 0;
	for (size_t i = 0; i < n; i++)
		k += i == 0 || rt[i]->speaker != rt[i - 1]->speaker;
	*speakers = k;
	if (k < 2)
		return NAN;
	float *vecs = calloc((size_t)k * dim, sizeof *vecs);
	struct buf text = BUF_INIT;
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		join(&text, rt[i]);
		if (i + 1 == n || rt[i + 1]->speaker != rt[i]->speaker) {
			embed_unit(&text, dim, vecs + (size_t)v++ * dim);
			buf_reset(&text);
		}
	}
	double s = mean_pairwise(vecs, k, dim);
	buf_free(&text);
	free(vecs);
	return s;
}

static double convergence(const struct group *g, int dim, jv *curve, double *rounds)
{
	struct turn **rt = malloc((g->nt ? g->nt : 1) * sizeof *rt);
	size_t n = 0;
	for (size_t k = 0; k < g->nt; k++) {
		if (g->t[k].speaker >= 0 && g->t[k].has_round)
			rt[n++] = &g->t[k];
	}
	qsort(rt, n, sizeof *rt, cmp_round_turn);
	double first = NAN, last = NAN;
	*rounds = 0;
	for (size_t start = 0, end; start < n; start = end) {
		for (end = start + 1; end < n && rt[end]->round == rt[start]->round; end++)
			;
		int speakers;
		double s = round_similarity(rt + start, end - start, dim, &speakers);
		if (speakers < 2)
			continue;
		if (*rounds == 0)
			first = s;
		last = s;
		(*rounds)++;
		jv point = jv_object();
		point = jv_object_set(point, jv_string("round"), jv_number(rt[start]->round));
		point = jv_object_set(point, jv_string("similarity"), jvu_figure(s));
		point = jv_object_set(point, jv_string("speakers"), jv_number(speakers));
		*curve = jv_array_append(*curve, point);
	}
	free(rt);
	return *rounds >= 2 ? last - first : NAN;
}

static int is_zero(const float *v, int dim)
{
	for (int i = 0; i < dim; i++) {
		if (v[i] != 0)
			return 0;
	}
	return 1;
}

static void adherence(const struct group *g, int dim, double *hits, double *eligible)
{
	float *said = calloc((size_t)(g->n ? g->n : 1) * dim, sizeof *said);
	float *desc = calloc((size_t)(g->n ? g->n : 1) * dim, sizeof *desc);
	struct buf *texts = calloc(g->n ? g->n : 1, sizeof *texts);
	for (size_t k = 0; k < g->nt; k++) {
		if (g->t[k].speaker >= 0)
			join(&texts[g->t[k].speaker], &g->t[k]);
	}
	struct buf d = BUF_INIT;
	for (int i = 0; i < g->n; i++) {
		if (!jv_is_valid(g->p[i].desc))
			continue;
		buf_reset(&d);
		buf_add(&d, jv_string_value(g->p[i].desc), (size_t)jv_string_length_bytes(jv_copy(g->p[i].desc)));
		embed_unit(&d, dim, desc + (size_t)i * dim);
		if (g->p[i].turns > 0)
			embed_unit(&texts[i], dim, said + (size_t)i * dim);
	}
	for (int i = 0; i < g->n; i++) {
		if (!jv_is_valid(g->p[i].desc) || g->p[i].turns == 0)
			continue;
		(*eligible)++;
		const float *own_said = said + (size_t)i * dim, *own_desc = desc + (size_t)i * dim;
		if (is_zero(own_said, dim) || is_zero(own_desc, dim))
			continue;
		double own = dot(own_said, own_desc, dim);
		int hit = 1;
		for (int j = 0; j < g->n && hit; j++) {
			if (j != i && jv_is_valid(g->p[j].desc) && dot(own_said, desc + (size_t)j * dim, dim) >= own)
				hit = 0;
		}
		*hits += hit;
	}
	for (int i = 0; i < g->n; i++)
		buf_free(&texts[i]);
	buf_free(&d);
	free(texts);
	free(said);
	free(desc);
}

int groupmetrics_is_group(jv record)
{
	return jvu_kind_borrow(record, "participants") == JV_KIND_ARRAY;
}

jv groupmetrics_compute(jv record, int dim, struct groupmetrics *out)
{
	struct groupmetrics m = { 0 };
	struct group g = { 0 };
	jv index = jv_object();
	if (dim <= 0)
		dim = DEFAULT_DIM;
	read_participants(record, &g, &index);
	read_turns(record, &g, index);
	jv_free(index);

	m.participants = g.n;
	m.gini = floor_gini(&g, &m.participant_turns);
	addressing(&g, &m.addressed, &m.answered);
	m.answered_rate = m.addressed > 0 ? m.answered / m.addressed : NAN;
	jv curve = jv_array();
	m.convergence = convergence(&g, dim, &curve, &m.rounds);
	adherence(&g, dim, &m.adherence_hits, &m.adherence_n);
	m.adherence = m.adherence_n >= 2 ? m.adherence_hits / m.adherence_n : NAN;

	jv turns = jv_object();
	for (int i = 0; i < g.n; i++)
		turns = jv_object_set(turns, jv_copy(g.p[i].id), jv_number((double)g.p[i].turns));
	jv floor_share = jv_object();
	floor_share = jv_object_set(floor_share, jv_string("turns"), turns);
	floor_share = jv_object_set(floor_share, jv_string("gini"), jvu_figure(m.gini));
	jv json = jv_object();
	json = jv_object_set(json, jv_string("floor"), floor_share);
	json = jv_object_set(json, jv_string("addressed"), jvu_figure(m.addressed));
	json = jv_object_set(json, jv_string("answered"), jvu_figure(m.answered));
	json = jv_object_set(json, jv_string("answered_rate"), jvu_figure(m.answered_rate));
	json = jv_object_set(json, jv_string("convergence"), jvu_figure(m.convergence));
	json = jv_object_set(json, jv_string("similarity_by_round"), curve);
	json = jv_object_set(json, jv_string("adherence_within"), jvu_figure(m.adherence));
	group_free(&g);
	if (out)
		*out = m;
	return json;
}
