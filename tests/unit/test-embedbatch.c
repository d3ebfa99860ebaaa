/* embedbatch: filling requests across records, when a partial batch goes out, and the
 * check of a reply's vectors (every problem message). */
#include <string.h>

#include "buf.h"
#include "embedbatch.h"
#include "unit.h"

/* The problem embed_batch_check reports for reply (JSON) to count texts, dim known. */
static const char *problem_of(const char *reply, int count, int dim, struct buf *problem)
{
	buf_reset(problem);
	jv v = jv_parse(reply);
	int d = dim;
	int rc = embed_batch_check(v, count, &d, problem);
	jv_free(v);
	if (rc == 0)
		return "(accepted)";
	return d == dim ? problem->data : "(dim changed on a refusal)";
}

int main(void)
{
	int ctx_marker, rec1, rec2;
	struct embed_batch *b = embed_batch_new(3, &ctx_marker);
	CHECK(b->ctx == &ctx_marker && b->count == 0 && b->size == 3, "a new batch is empty and keeps its context");
	CHECK(embed_batch_add(b, &rec1, 0, "hello there", 5) == 0, "a batch below its size is not full");
	CHECK(embed_batch_add(b, &rec2, 2, "bye", 3) == 0, "texts of another record join the same batch");
	CHECK(embed_batch_add(b, &rec1, 1, "again", 5) == 1, "the size-th text fills the batch");
	CHECK(b->count == 3 && b->entries[0].owner == &rec1 && b->entries[0].index == 0 &&
		      b->entries[1].owner == &rec2 && b->entries[1].index == 2 && b->entries[2].owner == &rec1 &&
		      b->entries[2].index == 1,
	      "entries keep each text's record and index, in the order added");
	jv inputs = embed_batch_take_inputs(b);
	/* "hello there" with len 5 is "hello": the length counts, not the terminator. */
	CHECK(jv_equal(inputs, jv_parse("[\"hello\",\"bye\",\"again\"]")),
	      "the inputs are the texts, each of its length");
	jv left = jv_copy(b->inputs);
	CHECK(!jv_is_valid(left), "taking the inputs leaves the batch without them");
	jv_free(left);
	embed_batch_free(b);
	embed_batch_free(NULL);

	b = embed_batch_new(1, NULL);
	CHECK(embed_batch_add(b, &rec1, 0, "", 0) == 1, "a batch of size 1 is full at once");
	embed_batch_free(b); /* with its inputs still in it: nothing leaks */

	/* When a partial batch goes out. */
	b = embed_batch_new(4, NULL);
	embed_batch_add(b, &rec1, 0, "x", 1);
	CHECK(!embed_batch_due(b, 0, 0, 0), "a partial batch waits while more texts can come");
	CHECK(embed_batch_due(b, 1, 0, 5), "the end of the input sends it, even with requests out");
	CHECK(embed_batch_due(b, 0, 1, 0), "a full window with no request out sends it");
	CHECK(!embed_batch_due(b, 0, 1, 1), "a full window waits while a request out can free a place");
	CHECK(!embed_batch_due(NULL, 1, 1, 0), "no batch, nothing to send");
	embed_batch_free(b);

	/* Checking replies. */
	struct buf p = BUF_INIT;
	CHECK_STR(problem_of("[[1,2],[3,4]]", 2, 0, &p), "(accepted)", "two vectors of one dimension are accepted");
	jv v = jv_parse("[[1,2,3]]");
	int dim = 0;
	buf_reset(&p);
	CHECK(embed_batch_check(v, 1, &dim, &p) == 0 && dim == 3, "the first reply teaches the dimension");
	jv_free(v);
	CHECK_STR(problem_of("[[1,2,3]]", 1, 3, &p), "(accepted)", "a reply of the known dimension is accepted");
	CHECK_STR(problem_of("[[1,2]]", 2, 0, &p), "the reply has 1 vectors for 2 texts", "too few vectors");
	CHECK_STR(problem_of("{\"a\":1}", 2, 0, &p), "the reply has 0 vectors for 2 texts",
		  "a reply that is not an array");
	CHECK_STR(problem_of("[[1],[]]", 2, 0, &p), "vector 1 of the reply is empty", "an empty vector");
	CHECK_STR(problem_of("[[1],\"x\"]", 2, 0, &p), "vector 1 of the reply is a string",
		  "a vector that is not an array");
	CHECK_STR(problem_of("[[1,2],[1,2,3]]", 2, 0, &p),
		  "the model returned a vector of 3 dimensions after ones of 2", "dimensions differ within a reply");
	CHECK_STR(problem_of("[[1,2]]", 1, 4, &p), "the model returned a vector of 2 dimensions after ones of 4",
		  "dimension differs from an earlier reply");
	CHECK_STR(problem_of("[[1,null,3]]", 1, 0, &p), "vector 0 of the reply has null at 1",
		  "a non-number inside a vector");
	buf_free(&p);
	return UNIT_DONE();
}
