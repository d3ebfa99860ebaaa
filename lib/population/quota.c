#include <stdlib.h>

#include "msg.h"
#include "quota.h"

typedef unsigned __int128 u128;

struct job {
	uint64_t time; /* release (in the waiting heap) or deadline (in the ready heap) */
	size_t stratum;
};

struct heap {
	struct job *items;
	size_t n;
};

struct quota_seq {
	size_t nstrata;
	uint64_t *weights;
	uint64_t total;
	uint64_t *counts;
	uint64_t now; /* 1-based time of the next record */
	struct heap waiting; /* next job of each stratum not yet released, by release time */
	struct heap ready; /* released jobs, by deadline */
};

static int job_before(struct job a, struct job b)
{
	return a.time < b.time || (a.time == b.time && a.stratum < b.stratum);
}

static void heap_push(struct heap *h, struct job j)
{
	size_t i = h->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!job_before(j, h->items[parent]))
			break;
		h->items[i] = h->items[parent];
		i = parent;
	}
	h->items[i] = j;
}

static struct job heap_pop(struct heap *h)
{
	struct job top = h->items[0];
	struct job last = h->items[--h->n];
	size_t i = 0;
	for (;;) {
		size_t child = 2 * i + 1;
		if (child >= h->n)
			break;
		if (child + 1 < h->n && job_before(h->items[child + 1], h->items[child]))
			child++;
		if (!job_before(h->items[child], last))
			break;
		h->items[i] = h->items[child];
		i = child;
	}
	if (h->n)
		h->items[i] = last;
	return top;
}

/* First m with ceil(m w / W) >= j: m > (j-1) W / w. */
static uint64_t release_of(const struct quota_seq *q, size_t s, uint64_t j)
{
	return (uint64_t)(((u128)(j - 1) * q->total) / q->weights[s]) + 1;
}

/* First m with floor(m w / W) >= j: m >= j W / w. */
static uint64_t deadline_of(const struct quota_seq *q, size_t s, uint64_t j)
{
	u128 num = (u128)j * q->total;
	return (uint64_t)((num + q->weights[s] - 1) / q->weights[s]);
}

struct quota_seq *quota_new(const uint64_t *weights, size_t nstrata)
{
	struct quota_seq *q = xcalloc(1, sizeof *q);
	q->nstrata = nstrata;
	q->weights = xcalloc(nstrata, sizeof *q->weights);
	q->counts = xcalloc(nstrata, sizeof *q->counts);
	q->waiting.items = xcalloc(nstrata, sizeof(struct job));
	q->ready.items = xcalloc(nstrata, sizeof(struct job));
	q->now = 1;
	for (size_t s = 0; s < nstrata; s++) {
		q->weights[s] = weights[s];
		q->total += weights[s];
	}
	for (size_t s = 0; s < nstrata; s++)
		if (q->weights[s])
			heap_push(&q->waiting, (struct job){ release_of(q, s, 1), s });
	return q;
}

size_t quota_next(struct quota_seq *q)
{
	while (q->waiting.n && q->waiting.items[0].time <= q->now) {
		struct job j = heap_pop(&q->waiting);
		heap_push(&q->ready, (struct job){ deadline_of(q, j.stratum, q->counts[j.stratum] + 1), j.stratum });
	}
	/* A released job always exists: otherwise every stratum would already hold
	 * ceil(m q_i) records and the counts would sum to at least m. */
	if (!q->ready.n)
		fatalf(EXIT_SOME_FAILED, "internal error: quota schedule ran dry at record %llu",
		       (unsigned long long)q->now);
	struct job j = heap_pop(&q->ready);
	size_t s = j.stratum;
	q->counts[s]++;
	q->now++;
	heap_push(&q->waiting, (struct job){ release_of(q, s, q->counts[s] + 1), s });
	return s;
}

void quota_skip(struct quota_seq *q, uint64_t k)
{
	while (k--)
		quota_next(q);
}

const uint64_t *quota_counts(const struct quota_seq *q)
{
	return q->counts;
}

void quota_free(struct quota_seq *q)
{
	if (!q)
		return;
	free(q->weights);
	free(q->counts);
	free(q->waiting.items);
	free(q->ready.items);
	free(q);
}
