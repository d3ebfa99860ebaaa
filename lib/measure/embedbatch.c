/* embedbatch — embeddings requests across records (see embedbatch.h). */
#include <stdlib.h>

#include "embedbatch.h"
#include "jvutil.h"
#include "msg.h"

struct embed_batch *embed_batch_new(int size, void *ctx)
{
	struct embed_batch *b = xcalloc(1, sizeof *b);
	b->ctx = ctx;
	b->size = size;
	b->entries = xmalloc((size_t)size * sizeof *b->entries);
	b->inputs = jv_array();
	return b;
}

int embed_batch_add(struct embed_batch *b, void *owner, int index, const char *text, size_t len)
{
	b->entries[b->count].owner = owner;
	b->entries[b->count].index = index;
	b->count++;
	b->inputs = jv_array_append(b->inputs, jv_string_sized(text, (int)len));
	return b->count == b->size;
}

jv embed_batch_take_inputs(struct embed_batch *b)
{
	jv inputs = b->inputs;
	b->inputs = jv_invalid();
	return inputs;
}

void embed_batch_free(struct embed_batch *b)
{
	if (!b)
		return;
	jv_free(b->inputs);
	free(b->entries);
	free(b);
}

int embed_batch_due(const struct embed_batch *open, int input_ended, int window_full, size_t requests_out)
{
	return open && (input_ended || (window_full && requests_out == 0));
}

int embed_batch_check(jv vectors, int count, int *dim, struct buf *problem)
{
	if (jv_get_kind(vectors) != JV_KIND_ARRAY || jv_array_length(jv_copy(vectors)) != count) {
		buf_addf(problem, "the reply has %d vectors for %d texts",
			 jv_get_kind(vectors) == JV_KIND_ARRAY ? jv_array_length(jv_copy(vectors)) : 0, count);
		return -1;
	}
	size_t before = problem->len;
	int d = *dim;
	for (int i = 0; i < count && problem->len == before; i++) {
		jv v = jv_array_get(jv_copy(vectors), i);
		int n = jv_get_kind(v) == JV_KIND_ARRAY ? jv_array_length(jv_copy(v)) : -1;
		if (n < 1) {
			buf_addf(problem, "vector %d of the reply is %s", i,
				 n == 0 ? "empty" : jvu_kind_name(jv_get_kind(v)));
		} else if (d && n != d) {
			buf_addf(problem, "the model returned a vector of %d dimensions after ones of %d", n, d);
		} else {
			d = n;
			for (int k = 0; k < n && problem->len == before; k++) {
				jv x = jv_array_get(jv_copy(v), k);
				if (jv_get_kind(x) != JV_KIND_NUMBER)
					buf_addf(problem, "vector %d of the reply has %s at %d", i,
						 jvu_kind_name(jv_get_kind(x)), k);
				jv_free(x);
			}
		}
		jv_free(v);
	}
	if (problem->len != before)
		return -1;
	*dim = d;
	return 0;
}
