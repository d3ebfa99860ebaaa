#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "corpus.h"
#include "intern.h"
#include "msg.h"
#include "rng.h"
#include "tokens.h"

#define DISTINCT_BUDGET 10000
#define SELF_BLEU_SAMPLE 100
#define AUTHORSHIP_SAMPLE 1000
#define STOP_TURN_BINS 51

struct sampled {
	uint64_t key; /* hash of the id: the smallest keys form the sample */
	int persona; /* index into personas, -1 when unknown */
	float *vec;
	char *text;
};

struct corpus {
	int dim;
	size_t sample_size;
	/* averages over every conversation */
	uint64_t conversations, turns, client_turns, client_tokens, questions, echo_turns, role_turns;
	double own_rep_sum, partner_rep_sum, drift_probe_sum, drift_dialog_sum;
	uint64_t own_rep_n, partner_rep_n, drift_probe_n, drift_dialog_n;
	struct intern *stop_names;
	const char *stop_reason[16];
	uint64_t stop_count[16];
	size_t nstops;
	uint64_t stop_turns[STOP_TURN_BINS];
	double curve_sum[64];
	uint64_t curve_n[64];
	/* personas and their description vectors */
	struct intern *persona_ids;
	const char **persona_order;
	float **persona_vecs;
	size_t npersonas, persona_cap;
	/* the deterministic sample: a max-heap on key */
	struct sampled *heap;
	size_t nheap;
};

struct corpus *corpus_new(int dim, size_t sample_size)
{
	struct corpus *c = xcalloc(1, sizeof *c);
	c->dim = dim;
	c->sample_size = sample_size ? sample_size : 1;
	c->stop_names = intern_new();
	c->persona_ids = intern_new();
	c->heap = xcalloc(c->sample_size, sizeof *c->heap);
	return c;
}

static int persona_index(struct corpus *c, const char *id, const float *vec)
{
	if (!id || !*id)
		return -1;
	size_t before = intern_count(c->persona_ids);
	const char *key = intern_str(c->persona_ids, id);
	if (intern_count(c->persona_ids) == before) {
		for (size_t i = 0; i < c->npersonas; i++)
			if (c->persona_order[i] == key)
				return (int)i;
	}
	if (c->npersonas == c->persona_cap) {
		c->persona_cap = c->persona_cap ? c->persona_cap * 2 : 64;
		c->persona_order = xrealloc(c->persona_order, c->persona_cap * sizeof *c->persona_order);
		c->persona_vecs = xrealloc(c->persona_vecs, c->persona_cap * sizeof *c->persona_vecs);
	}
	c->persona_order[c->npersonas] = key;
	c->persona_vecs[c->npersonas] = NULL;
	if (vec) {
		c->persona_vecs[c->npersonas] = xmalloc((size_t)c->dim * sizeof(float));
		memcpy(c->persona_vecs[c->npersonas], vec, (size_t)c->dim * sizeof(float));
	}
	return (int)c->npersonas++;
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

static void sample_offer(struct corpus *c, uint64_t key, int persona, const float *vec, const char *text)
{
	if (c->nheap == c->sample_size && key >= c->heap[0].key)
		return;
	struct sampled s = { key, persona, xmalloc((size_t)c->dim * sizeof(float)), xstrdup(text ? text : "") };
	if (vec)
		memcpy(s.vec, vec, (size_t)c->dim * sizeof(float));
	else
		memset(s.vec, 0, (size_t)c->dim * sizeof(float));
	if (c->nheap == c->sample_size) {
		free(c->heap[0].vec);
		free(c->heap[0].text);
		c->heap[0] = s;
		sift_down(c->heap, c->nheap, 0);
	} else {
		c->heap[c->nheap] = s;
		sift_up(c->heap, c->nheap++);
	}
}

void corpus_add(struct corpus *c, const struct convmetrics *m, const struct conversation_facts *f)
{
	c->conversations++;
	c->turns += m->turns;
	c->client_turns += m->client_turns;
	c->client_tokens += (uint64_t)llround(
		isfinite(m->client_tokens_mean) ? m->client_tokens_mean * (double)m->client_turns : 0);
	c->questions += (uint64_t)llround(isfinite(m->question_rate) ? m->question_rate * (double)m->client_turns : 0);
	c->echo_turns += m->echo_turns;
	c->role_turns += m->role_turns;
	if (isfinite(m->own_rep_2))
		c->own_rep_sum += m->own_rep_2, c->own_rep_n++;
	if (isfinite(m->partner_rep_2))
		c->partner_rep_sum += m->partner_rep_2, c->partner_rep_n++;
	if (isfinite(f->drift_probe_auc))
		c->drift_probe_sum += f->drift_probe_auc, c->drift_probe_n++;
	if (isfinite(f->drift_dialog))
		c->drift_dialog_sum += f->drift_dialog, c->drift_dialog_n++;
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
	if (jv_get_kind(f->drift_curve) == JV_KIND_ARRAY) {
		int n = jv_array_length(jv_copy(f->drift_curve));
		for (int i = 0; i < n && i < 64; i++) {
			jv point = jv_array_get(jv_copy(f->drift_curve), i);
			jv drift = jv_object_get(jv_copy(point), jv_string("drift"));
			if (jv_get_kind(drift) == JV_KIND_NUMBER)
				c->curve_sum[i] += jv_number_value(drift), c->curve_n[i]++;
			jv_free(drift);
			jv_free(point);
		}
	}
	int persona = persona_index(c, f->persona_id, f->persona_vec);
	sample_offer(c, rng_hash(f->id, strlen(f->id), 0x73616d706c65ULL), persona, f->client_vec, f->client_text);
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

/* A figure of the summary, exact: corpus_summary rounds the finished object once (to 6
 * decimals, round_figures), after the similarity to a reference has used the exact
 * values — a rate of 1/3 against a reference of 1/2 is 0.666667, not the 0.666666 that
 * the already-rounded 0.333333 would give. */
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
		return jv_number(round(x * 1e6) / 1e6);
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

/* ---------- diversity ---------- */

static void distinct_n(const struct sampled *s, size_t n, double out[3])
{
	struct u64set seen[3] = { { 0 } };
	uint64_t total[3] = { 0 };
	size_t budget = DISTINCT_BUDGET;
	struct tokens t = { 0 };
	for (size_t i = 0; i < n && budget; i++) {
		tokenize(s[i].text, strlen(s[i].text), &t);
		size_t use = t.n < budget ? t.n : budget;
		budget -= use;
		for (size_t k = 1; k <= 3; k++)
			for (size_t j = 0; j + k <= use; j++) {
				u64set_add(&seen[k - 1], ngram_hash(&t, j, k));
				total[k - 1]++;
			}
	}
	for (int k = 0; k < 3; k++) {
		out[k] = total[k] ? (double)seen[k].n / (double)total[k] : NAN;
		u64set_free(&seen[k]);
	}
	tokens_free(&t);
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* The sorted k-gram hashes of t (count in *n). */
static uint64_t *sorted_grams(const struct tokens *t, size_t k, size_t *n)
{
	*n = t->n >= k ? t->n - k + 1 : 0;
	uint64_t *g = xmalloc((*n ? *n : 1) * sizeof *g);
	for (size_t j = 0; j < *n; j++)
		g[j] = ngram_hash(t, j, k);
	qsort(g, *n, sizeof *g, by_u64);
	return g;
}

static size_t count_of(const uint64_t *g, size_t n, uint64_t h)
{
	const uint64_t *hit = bsearch(&h, g, n, sizeof *g, by_u64);
	if (!hit)
		return 0;
	size_t lo = (size_t)(hit - g), hi = lo;
	while (lo > 0 && g[lo - 1] == h)
		lo--;
	while (hi + 1 < n && g[hi + 1] == h)
		hi++;
	return hi - lo + 1;
}

/* The k-gram hashes of one text, sorted, for k = 1..4: computed once per text. */
struct grams {
	uint64_t *g[5];
	size_t n[5];
	size_t len;
};

/* BLEU-4 of text h against all other texts (all but h): each n-gram's count clipped
 * to its largest count in any one reference, add-one smoothing for n > 1, geometric
 * mean, brevity penalty from the closest reference length. */
static double bleu4(const struct grams *all, size_t nrefs, size_t h)
{
	const struct grams *hyp = &all[h];
	if (hyp->len == 0)
		return NAN;
	double log_sum = 0;
	for (size_t k = 1; k <= 4; k++) {
		size_t count = hyp->n[k], clipped = 0;
		const uint64_t *g = hyp->g[k];
		for (size_t i = 0; i < count;) {
			size_t j = i;
			while (j < count && g[j] == g[i])
				j++;
			size_t best = 0;
			for (size_t r = 0; r < nrefs && best < j - i; r++) {
				if (r == h)
					continue;
				size_t c = count_of(all[r].g[k], all[r].n[k], g[i]);
				best = c > best ? c : best;
			}
			clipped += (j - i) < best ? (j - i) : best;
			i = j;
		}
		double p = k == 1 ? (count ? (double)clipped / (double)count : 0)
				  : ((double)clipped + 1) / ((double)count + 1);
		if (p <= 0)
			return 0;
		log_sum += log(p) / 4;
	}
	size_t closest = 0;
	long best = -1;
	for (size_t r = 0; r < nrefs; r++) {
		if (r == h)
			continue;
		long d = labs((long)all[r].len - (long)hyp->len);
		if (best < 0 || d < best)
			best = d, closest = all[r].len;
	}
	double bp = hyp->len >= closest ? 1 : exp(1 - (double)closest / (double)hyp->len);
	return bp * exp(log_sum);
}

static double self_bleu(const struct sampled *s, size_t n)
{
	size_t m = n < SELF_BLEU_SAMPLE ? n : SELF_BLEU_SAMPLE;
	if (m < 2)
		return NAN;
	struct grams *all = xcalloc(m, sizeof *all);
	struct tokens t = { 0 };
	for (size_t i = 0; i < m; i++) {
		tokenize(s[i].text, strlen(s[i].text), &t);
		all[i].len = t.n;
		for (size_t k = 1; k <= 4; k++)
			all[i].g[k] = sorted_grams(&t, k, &all[i].n[k]);
	}
	tokens_free(&t);
	double sum = 0;
	size_t cnt = 0;
	for (size_t i = 0; i < m; i++) {
		double b = bleu4(all, m, i);
		if (isfinite(b))
			sum += b, cnt++;
	}
	for (size_t i = 0; i < m; i++)
		for (size_t k = 1; k <= 4; k++)
			free(all[i].g[k]);
	free(all);
	return cnt ? sum / (double)cnt : NAN;
}

/* ---------- adherence and consistency ---------- */

static void adherence(struct corpus *c, const struct sampled *s, size_t n, jv *out)
{
	double hit[4] = { 0 }, mrr = 0, shuffled = 0;
	static const int ks[4] = { 1, 3, 5, 10 };
	size_t evaluated = 0;
	int with_vectors = 0;
	for (size_t p = 0; p < c->npersonas; p++)
		with_vectors += c->persona_vecs[p] != NULL;
	if (with_vectors < 2) {
		*out = jv_null();
		return;
	}
	/* The shuffled baseline: the same retrieval scored against a permutation of the
	 * true labels (a fixed rotation of the sample's labels by a seeded offset). */
	size_t offset = n > 1 ? 1 + (size_t)(rng_mix64(n) % (n - 1)) : 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].persona < 0 || !c->persona_vecs[s[i].persona])
			continue;
		double truth = dot(s[i].vec, c->persona_vecs[s[i].persona], c->dim);
		int shuffled_label = s[(i + offset) % n].persona;
		size_t rank = 1;
		int best = -1;
		double best_score = -2;
		for (size_t p = 0; p < c->npersonas; p++) {
			if (!c->persona_vecs[p])
				continue;
			double d = dot(s[i].vec, c->persona_vecs[p], c->dim);
			if ((int)p != s[i].persona && d > truth)
				rank++;
			if (d > best_score)
				best_score = d, best = (int)p;
		}
		for (int k = 0; k < 4; k++)
			hit[k] += rank <= (size_t)ks[k];
		mrr += 1.0 / (double)rank;
		shuffled += best == shuffled_label;
		evaluated++;
	}
	if (!evaluated) {
		*out = jv_null();
		return;
	}
	jv o = jv_object();
	o = jv_object_set(o, jv_string("acc1"), num(hit[0] / (double)evaluated));
	o = jv_object_set(o, jv_string("acc3"), num(hit[1] / (double)evaluated));
	o = jv_object_set(o, jv_string("acc5"), num(hit[2] / (double)evaluated));
	o = jv_object_set(o, jv_string("acc10"), num(hit[3] / (double)evaluated));
	o = jv_object_set(o, jv_string("acc1_shuffled"), num(shuffled / (double)evaluated));
	o = jv_object_set(o, jv_string("mrr"), num(mrr / (double)evaluated));
	*out = o;
}

/* Mean pairwise 1 - cosine of the sampled conversations: how spread out they are. */
static double spread(const struct corpus *c, const struct sampled *s, size_t n)
{
	if (n < 2)
		return NAN;
	double sum = 0;
	uint64_t pairs = 0;
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++, pairs++)
			sum += 1 - dot(s[i].vec, s[j].vec, c->dim);
	return sum / (double)pairs;
}

static void consistency(struct corpus *c, const struct sampled *s, size_t n, double *within, double *between,
			double *silhouette)
{
	*within = *between = *silhouette = NAN;
	if (n < 2 || c->npersonas < 2)
		return;
	double wsum = 0, bsum = 0;
	uint64_t wn = 0, bn = 0;
	double *sum = xcalloc(c->npersonas, sizeof *sum);
	uint64_t *cnt = xcalloc(c->npersonas, sizeof *cnt);
	double sil = 0;
	size_t sil_n = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].persona < 0)
			continue;
		memset(sum, 0, c->npersonas * sizeof *sum);
		memset(cnt, 0, c->npersonas * sizeof *cnt);
		for (size_t j = 0; j < n; j++) {
			if (j == i || s[j].persona < 0)
				continue;
			double d = 1 - dot(s[i].vec, s[j].vec, c->dim);
			sum[s[j].persona] += d;
			cnt[s[j].persona]++;
			if (j > i) {
				if (s[j].persona == s[i].persona)
					wsum += d, wn++;
				else
					bsum += d, bn++;
			}
		}
		if (!cnt[s[i].persona])
			continue;
		double a = sum[s[i].persona] / (double)cnt[s[i].persona], b = HUGE_VAL;
		for (size_t p = 0; p < c->npersonas; p++)
			if ((int)p != s[i].persona && cnt[p])
				b = fmin(b, sum[p] / (double)cnt[p]);
		if (isfinite(b) && fmax(a, b) > 0) {
			sil += (b - a) / fmax(a, b);
			sil_n++;
		}
	}
	free(sum);
	free(cnt);
	*within = wn ? wsum / (double)wn : NAN;
	*between = bn ? bsum / (double)bn : NAN;
	*silhouette = sil_n ? sil / (double)sil_n : NAN;
}

/* ---------- authorship ---------- */

struct sparse {
	uint64_t *feat;
	float *w;
	size_t n;
};

static int by_feature(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static struct sparse char_grams(const char *text)
{
	size_t len = strlen(text);
	struct sparse v = { 0 };
	size_t n = len >= 4 ? len - 3 : 0;
	uint64_t *all = xmalloc((n ? n : 1) * sizeof *all);
	for (size_t i = 0; i < n; i++)
		all[i] = rng_hash(text + i, 4, 0x6175746821ULL);
	qsort(all, n, sizeof *all, by_feature);
	v.feat = xmalloc((n ? n : 1) * sizeof *v.feat);
	v.w = xmalloc((n ? n : 1) * sizeof *v.w);
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && all[j] == all[i])
			j++;
		v.feat[v.n] = all[i];
		v.w[v.n++] = (float)(j - i);
		i = j;
	}
	free(all);
	return v;
}

struct pair_score {
	float score;
	int same;
};

static int by_score(const void *a, const void *b)
{
	float x = ((const struct pair_score *)a)->score, y = ((const struct pair_score *)b)->score;
	return x < y ? -1 : x > y;
}

/* AUC of character 4-gram TF-IDF cosine for telling same-persona pairs from others. */
static double authorship_auc(const struct sampled *s, size_t n)
{
	size_t m = n < AUTHORSHIP_SAMPLE ? n : AUTHORSHIP_SAMPLE;
	struct sparse *v = xcalloc(m ? m : 1, sizeof *v);
	for (size_t i = 0; i < m; i++)
		v[i] = char_grams(s[i].text);
	/* Document frequencies over the sample, then tf-idf weights, L2-normalised. */
	struct u64set seen = { 0 };
	size_t total = 0;
	for (size_t i = 0; i < m; i++)
		total += v[i].n;
	uint64_t *all = xmalloc((total ? total : 1) * sizeof *all);
	size_t k = 0;
	for (size_t i = 0; i < m; i++)
		for (size_t j = 0; j < v[i].n; j++)
			all[k++] = v[i].feat[j];
	qsort(all, total, sizeof *all, by_feature);
	for (size_t i = 0; i < m; i++) {
		double norm = 0;
		for (size_t j = 0; j < v[i].n; j++) {
			uint64_t *lo = bsearch(&v[i].feat[j], all, total, sizeof *all, by_feature);
			size_t first = (size_t)(lo - all), last = first;
			while (first > 0 && all[first - 1] == v[i].feat[j])
				first--;
			while (last + 1 < total && all[last + 1] == v[i].feat[j])
				last++;
			double df = (double)(last - first + 1);
			v[i].w[j] = (float)((1 + log(v[i].w[j])) * log((double)(m + 1) / (df + 1)) + 1e-9);
			norm += (double)v[i].w[j] * v[i].w[j];
		}
		norm = sqrt(norm);
		for (size_t j = 0; j < v[i].n && norm > 0; j++)
			v[i].w[j] = (float)(v[i].w[j] / norm);
	}
	free(all);
	u64set_free(&seen);
	size_t npairs = m * (m - (m ? 1 : 0)) / 2, p = 0, positives = 0;
	struct pair_score *pairs = xmalloc((npairs ? npairs : 1) * sizeof *pairs);
	for (size_t i = 0; i < m; i++) {
		for (size_t j = i + 1; j < m; j++) {
			if (s[i].persona < 0 || s[j].persona < 0)
				continue;
			double d = 0;
			size_t a = 0, b = 0;
			while (a < v[i].n && b < v[j].n) {
				if (v[i].feat[a] == v[j].feat[b])
					d += (double)v[i].w[a++] * v[j].w[b++];
				else if (v[i].feat[a] < v[j].feat[b])
					a++;
				else
					b++;
			}
			pairs[p].score = (float)d;
			pairs[p].same = s[i].persona == s[j].persona;
			positives += (size_t)pairs[p].same;
			p++;
		}
	}
	double auc = NAN;
	if (positives && positives < p) {
		/* Mann-Whitney U from ranks, ties sharing the average rank. */
		qsort(pairs, p, sizeof *pairs, by_score);
		double rank_sum = 0;
		for (size_t i = 0; i < p;) {
			size_t j = i;
			while (j < p && pairs[j].score == pairs[i].score)
				j++;
			double avg = (double)(i + j + 1) / 2;
			for (size_t t = i; t < j; t++)
				if (pairs[t].same)
					rank_sum += avg;
			i = j;
		}
		double np = (double)positives, nn = (double)(p - positives);
		auc = (rank_sum - np * (np + 1) / 2) / (np * nn);
	}
	for (size_t i = 0; i < m; i++) {
		free(v[i].feat);
		free(v[i].w);
	}
	free(v);
	free(pairs);
	return auc;
}

/* ---------- 2-D projection ---------- */

#define PROJECTION_POINTS 500

/* The first two principal components of the sampled vectors (power iteration with
 * deflation, from a fixed start so the picture is reproducible); each of the first
 * PROJECTION_POINTS sampled conversations as {"x","y","persona"}. */
static jv projection(const struct corpus *c, const struct sampled *s, size_t n)
{
	size_t m = n < PROJECTION_POINTS ? n : PROJECTION_POINTS;
	if (m < 3)
		return jv_array();
	int d = c->dim;
	double *mean = xcalloc((size_t)d, sizeof *mean);
	for (size_t i = 0; i < m; i++)
		for (int k = 0; k < d; k++)
			mean[k] += s[i].vec[k] / (double)m;
	double *pc[2] = { xcalloc((size_t)d, sizeof(double)), xcalloc((size_t)d, sizeof(double)) };
	double *proj = xcalloc(m, sizeof *proj), *next = xcalloc((size_t)d, sizeof *next);
	for (int comp = 0; comp < 2; comp++) {
		double *v = pc[comp];
		for (int k = 0; k < d; k++)
			v[k] = 1.0 / sqrt((double)d) * ((k * 7 + comp) % 3 == 0 ? 1 : -0.5);
		for (int iter = 0; iter < 60; iter++) {
			memset(next, 0, (size_t)d * sizeof *next);
			for (size_t i = 0; i < m; i++) {
				double p = 0;
				for (int k = 0; k < d; k++)
					p += (s[i].vec[k] - mean[k]) * v[k];
				for (int k = 0; k < d; k++)
					next[k] += p * (s[i].vec[k] - mean[k]);
			}
			if (comp == 1) { /* deflate: stay orthogonal to the first component */
				double p = 0;
				for (int k = 0; k < d; k++)
					p += next[k] * pc[0][k];
				for (int k = 0; k < d; k++)
					next[k] -= p * pc[0][k];
			}
			double norm = 0;
			for (int k = 0; k < d; k++)
				norm += next[k] * next[k];
			norm = sqrt(norm);
			if (norm == 0)
				break;
			for (int k = 0; k < d; k++)
				v[k] = next[k] / norm;
		}
	}
	jv points = jv_array();
	for (size_t i = 0; i < m; i++) {
		double xy[2] = { 0, 0 };
		for (int comp = 0; comp < 2; comp++)
			for (int k = 0; k < d; k++)
				xy[comp] += (s[i].vec[k] - mean[k]) * pc[comp][k];
		jv pt = jv_object();
		pt = jv_object_set(pt, jv_string("x"), num(xy[0]));
		pt = jv_object_set(pt, jv_string("y"), num(xy[1]));
		pt = jv_object_set(pt, jv_string("persona"),
				   s[i].persona >= 0 ? jv_string(c->persona_order[s[i].persona]) : jv_null());
		points = jv_array_append(points, pt);
	}
	free(mean);
	free(pc[0]);
	free(pc[1]);
	free(proj);
	free(next);
	return points;
}

/* ---------- summary ---------- */

static double ratio(double a, double b)
{
	return b > 0 ? a / b : NAN;
}

static jv similarity(jv summary, jv reference);

jv corpus_summary(struct corpus *c, jv reference)
{
	struct sampled *s = xmalloc((c->nheap ? c->nheap : 1) * sizeof *s);
	memcpy(s, c->heap, c->nheap * sizeof *s);
	qsort(s, c->nheap, sizeof *s, by_key);
	size_t n = c->nheap;
	double distinct[3];
	distinct_n(s, n, distinct);
	jv adh;
	adherence(c, s, n, &adh);
	double within, between, silhouette;
	consistency(c, s, n, &within, &between, &silhouette);
	double auc = authorship_auc(s, n);

	jv o = jv_object();
	o = jv_object_set(o, jv_string("conversations"), jv_number((double)c->conversations));
	o = jv_object_set(o, jv_string("turns_mean"), num(ratio((double)c->turns, (double)c->conversations)));
	o = jv_object_set(o, jv_string("tokens_per_utterance"),
			  num(ratio((double)c->client_tokens, (double)c->client_turns)));
	o = jv_object_set(o, jv_string("question_rate"), num(ratio((double)c->questions, (double)c->client_turns)));
	o = jv_object_set(o, jv_string("distinct_1"), num(distinct[0]));
	o = jv_object_set(o, jv_string("distinct_2"), num(distinct[1]));
	o = jv_object_set(o, jv_string("distinct_3"), num(distinct[2]));
	o = jv_object_set(o, jv_string("self_bleu_4"), num(self_bleu(s, n)));
	o = jv_object_set(o, jv_string("embedding_distance"), num(spread(c, s, n)));
	o = jv_object_set(o, jv_string("own_rep_2"), num(ratio(c->own_rep_sum, (double)c->own_rep_n)));
	o = jv_object_set(o, jv_string("partner_rep_2"), num(ratio(c->partner_rep_sum, (double)c->partner_rep_n)));
	o = jv_object_set(o, jv_string("echo_rate"), num(ratio((double)c->echo_turns, (double)c->client_turns)));
	o = jv_object_set(o, jv_string("role_confusion_rate"),
			  num(ratio((double)c->role_turns, (double)c->client_turns)));
	o = jv_object_set(o, jv_string("drift_probe_auc"), num(ratio(c->drift_probe_sum, (double)c->drift_probe_n)));
	o = jv_object_set(o, jv_string("drift_dialog"), num(ratio(c->drift_dialog_sum, (double)c->drift_dialog_n)));
	const char *adh_keys[] = { "acc1", "acc3", "acc5", "acc10", "acc1_shuffled", "mrr" };
	for (int k = 0; k < 6; k++) {
		char name[64];
		snprintf(name, sizeof name, "adherence_%s", adh_keys[k]);
		jv v = jv_get_kind(adh) == JV_KIND_OBJECT ? jv_object_get(jv_copy(adh), jv_string(adh_keys[k]))
							  : jv_null();
		o = jv_object_set(o, jv_string(name), v);
	}
	jv_free(adh);
	o = jv_object_set(o, jv_string("within_persona_distance"), num(within));
	o = jv_object_set(o, jv_string("between_persona_distance"), num(between));
	o = jv_object_set(o, jv_string("silhouette"), num(silhouette));
	o = jv_object_set(o, jv_string("authorship_auc"), num(auc));
	o = jv_object_set(o, jv_string("sample"), jv_number((double)n));
	jv stops = jv_object();
	for (size_t i = 0; i < c->nstops; i++)
		stops = jv_object_set(stops, jv_string(c->stop_reason[i]), jv_number((double)c->stop_count[i]));
	o = jv_object_set(o, jv_string("stop_reasons"), stops);
	jv hist = jv_array();
	for (int i = 0; i < STOP_TURN_BINS; i++)
		hist = jv_array_append(hist, jv_number((double)c->stop_turns[i]));
	o = jv_object_set(o, jv_string("stop_turns"), hist);
	jv curve = jv_array();
	for (int i = 0; i < 64 && c->curve_n[i]; i++)
		curve = jv_array_append(curve, num(c->curve_sum[i] / (double)c->curve_n[i]));
	o = jv_object_set(o, jv_string("drift_curve"), curve);
	o = jv_object_set(o, jv_string("projection"), projection(c, s, n));
	free(s);
	if (jv_is_valid(reference))
		o = jv_object_set(o, jv_string("sim"), similarity(o, reference));
	return round_figures(o);
}

void corpus_free(struct corpus *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nheap; i++) {
		free(c->heap[i].vec);
		free(c->heap[i].text);
	}
	free(c->heap);
	for (size_t i = 0; i < c->npersonas; i++)
		free(c->persona_vecs[i]);
	free(c->persona_vecs);
	free(c->persona_order);
	intern_free(c->persona_ids);
	intern_free(c->stop_names);
	free(c);
}

/* sim = 1 - |x - ref| / |ref| for every numeric key both have (null otherwise), from
 * the exact figures of summary; both are borrowed. */
static jv similarity(jv summary, jv reference)
{
	jv sim = jv_object();
	if (jv_get_kind(summary) != JV_KIND_OBJECT)
		return sim;
	jv_object_foreach(summary, key, value)
	{
		jv ref = jv_get_kind(reference) == JV_KIND_OBJECT ? jv_object_get(jv_copy(reference), jv_copy(key))
								  : jv_invalid();
		if (jv_get_kind(value) == JV_KIND_NUMBER && jv_get_kind(ref) == JV_KIND_NUMBER &&
		    jv_number_value(ref) != 0 && strcmp(jv_string_value(key), "conversations") != 0 &&
		    strcmp(jv_string_value(key), "sample") != 0) {
			double x = jv_number_value(value), r = jv_number_value(ref);
			sim = jv_object_set(sim, key, num(1 - fabs(x - r) / fabs(r)));
		} else if (jv_get_kind(value) == JV_KIND_NUMBER || jv_get_kind(value) == JV_KIND_NULL) {
			if (strcmp(jv_string_value(key), "conversations") != 0 &&
			    strcmp(jv_string_value(key), "sample") != 0)
				sim = jv_object_set(sim, key, jv_null());
			else
				jv_free(key);
		} else {
			jv_free(key);
		}
		jv_free(ref);
		jv_free(value);
	}
	return sim;
}
