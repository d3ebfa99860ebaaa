/* authorship — pairs of texts told apart by persona (see authorship.h). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "authorship.h"
#include "msg.h"
#include "rng.h"

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

double authorship_auc(const char *const *texts, const int *persona, size_t n)
{
	size_t m = n < AUTHORSHIP_SAMPLE ? n : AUTHORSHIP_SAMPLE;
	struct sparse *v = xcalloc(m ? m : 1, sizeof *v);
	for (size_t i = 0; i < m; i++)
		v[i] = char_grams(texts[i]);
	/* Document frequencies over the sample, then tf-idf weights, L2-normalised. */
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
	size_t npairs = m * (m - (m ? 1 : 0)) / 2, p = 0, positives = 0;
	struct pair_score *pairs = xmalloc((npairs ? npairs : 1) * sizeof *pairs);
	for (size_t i = 0; i < m; i++) {
		for (size_t j = i + 1; j < m; j++) {
			if (persona[i] < 0 || persona[j] < 0)
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
			pairs[p].same = persona[i] == persona[j];
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
