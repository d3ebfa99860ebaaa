/* embedding — vectors for texts: the built-in hash model and the record format.
 *
 * Built-in model "hash-N" (N = dimension, default hash-512): signed feature hashing of
 * word unigrams and bigrams and character 3- to 5-grams (of the lower-cased text),
 * sublinear term frequency (1 + log tf), L2-normalised. Deterministic, no network.
 * Record format: "embedding": {"model": "hash-512", "dim": 512, "of": "client_text",
 * "vector": [...]} or, with --encoding b64, "b64": "<little-endian float32, base64>";
 * for --of turns, "vectors": [[...], ...] or "b64": ["...", ...] (one per turn).
 * Every reader (embedding_read) accepts both encodings.
 * Ownership: texts are borrowed; embedding_json returns a new jv; embedding_read and
 * embedding_read_many borrow the embedding jv and return a malloc'd array the caller
 * frees.
 * Never ends the process (except out of memory).
 */
#ifndef PS_EMBEDDING_H
#define PS_EMBEDDING_H

#include <stddef.h>
#include <jv.h>

/* The dimension N of a model name "hash-N" (1..65536), or 0 when it is not one. */
int embed_hash_dim(const char *model);
/* vec[0..dim) = the hash embedding of text. An empty text gives the zero vector. */
void embed_hash(const char *text, size_t len, int dim, float *vec);

/* {"model","dim","of","vector"|"b64"} for one vector. */
jv embedding_json(const char *model, const char *of, const float *vec, int dim, int b64);
/* {"model","dim","of":"turns","vectors"|"b64"} for n vectors stored one after another. */
jv embedding_json_many(const char *model, const float *vecs, int n, int dim, int b64);

/* The single vector of an "embedding" object: its dimension (> 0) and *vec, 0 when
 * there is none, -1 when it is malformed (wrong kinds, bad base64, dim mismatch). */
int embedding_read(jv embedding, float **vec);
/* The per-turn vectors: the count (>= 0) with *dim and *vecs (count x dim), or -1. */
int embedding_read_many(jv embedding, float **vecs, int *dim);

#endif
