/* embedbatch — texts of many records gathered into embeddings requests of a fixed size.
 *
 * A batch collects up to size texts, each with its owner (the caller's record) and the
 * text's index in that owner, and the JSON array of inputs for one request. The reply
 * is checked with embed_batch_check before its vectors are handed to the owners, in
 * the order the texts were added.
 * When to send a partly filled batch (embed_batch_due): it waits for more texts unless
 * no more can come — the input has ended, or every open record waits on it and no
 * request is out to free a place. Batches are thus fixed by the input alone (a cache
 * hits on a rerun).
 * Ownership: texts are copied in; embed_batch_take_inputs hands the inputs array to the
 * caller (a new jv); embed_batch_check borrows the reply; embed_batch_free frees the
 * batch and what it still owns, never the owners. Nothing here ends the process
 * except on memory exhaustion (xmalloc).
 */
#ifndef PS_EMBEDBATCH_H
#define PS_EMBEDBATCH_H

#include <stddef.h>
#include <jv.h>

#include "buf.h"

struct embed_batch_entry {
	void *owner;
	int index;
};

struct embed_batch {
	void *ctx; /* the caller's, e.g. for the reply's callback */
	int size, count;
	struct embed_batch_entry *entries;
	jv inputs; /* the texts as a JSON array of strings */
};

/* An empty batch of room for size (>= 1) texts. */
struct embed_batch *embed_batch_new(int size, void *ctx);
/* Adds the text (len bytes) of owner's text number index; 1 when the batch is now full. */
int embed_batch_add(struct embed_batch *b, void *owner, int index, const char *text, size_t len);
/* The inputs of the request; the batch keeps its entries. */
jv embed_batch_take_inputs(struct embed_batch *b);
/* NULL is allowed. */
void embed_batch_free(struct embed_batch *b);

/* Whether the open batch (NULL: none) goes out now: input_ended, or window_full (every
 * record the window allows is open) with no request out. */
int embed_batch_due(const struct embed_batch *open, int input_ended, int window_full, size_t requests_out);

/* The vectors of a reply to count texts: an array of count arrays of numbers, all of
 * one dimension, and of *dim when it is not 0. 0 with *dim set to that dimension, or
 * -1 with the problem appended to problem (and *dim unchanged). */
int embed_batch_check(jv vectors, int count, int *dim, struct buf *problem);

#endif
