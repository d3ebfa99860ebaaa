#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embedding.h"
#include "jvutil.h"
#include "msg.h"
#include "rng.h"

/* ---------- the hash model ---------- */

/* Changing any of these changes every stored vector: they are part of the model. */
#define HASH_SEED 0x656d6265642d6e31ULL /* "embed-n1" */
#define SEED_WORD (HASH_SEED + 1)
#define SEED_BIGRAM (HASH_SEED + 2)
#define SEED_CHARS (HASH_SEED + 3)
#define MIN_CHAR_GRAM 3
#define MAX_CHAR_GRAM 5
#define MAX_HASH_DIM 65536
#define MAX_READ_DIM (1 << 24)

int embed_hash_dim(const char *model)
{
	if (!model || strncmp(model, "hash-", 5) != 0)
		return 0;
	const char *p = model + 5;
	if (*p < '1' || *p > '9')
		return 0;
	long n = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (*p - '0');
		if (n > MAX_HASH_DIM)
			return 0;
	}
	return (int)n;
}

/* Scratch space of one thread, grown when a longer text comes and reused for every
 * text after it: embedding 500,000 turns must not cost 500,000 rounds of allocation. */
struct scratch {
	char *text; /* lower-cased, whitespace collapsed */
	size_t *starts; /* byte offsets of its code points, plus the end */
	size_t text_cap;
	uint64_t *keys; /* open-addressing feature table; 0 is an empty slot */
	uint32_t *counts;
	uint32_t *used; /* occupied slots in order of first occurrence */
	size_t slots, nused;
	double *sums;
	int sums_dim;
};

static _Thread_local struct scratch scratch;

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Letters, digits and apostrophes; every byte of a non-ASCII character counts as a
 * letter, so words in any script stay whole. */
static int is_word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'' || c >= 0x80;
}

static void scratch_reserve(struct scratch *s, size_t len, int dim)
{
	if (len + 1 > s->text_cap) {
		s->text_cap = len + 1;
		s->text = xrealloc(s->text, s->text_cap);
		s->starts = xrealloc(s->starts, (s->text_cap + 1) * sizeof *s->starts);
	}
	/* At most one word per two bytes, as many bigrams, three character n-grams per
	 * code point: the table stays at most half full. */
	size_t features = len + 3 * len + 2;
	if (features * 2 > s->slots) {
		size_t slots = 1024;
		while (slots < features * 2)
			slots *= 2;
		free(s->keys);
		free(s->counts);
		s->keys = xcalloc(slots, sizeof *s->keys);
		s->counts = xcalloc(slots, sizeof *s->counts);
		s->used = xrealloc(s->used, slots * sizeof *s->used);
		s->slots = slots;
	}
	if (dim > s->sums_dim) {
		s->sums = xrealloc(s->sums, (size_t)dim * sizeof *s->sums);
		s->sums_dim = dim;
	}
}

static void count_feature(struct scratch *s, uint64_t key)
{
	if (key == 0)
		key = 1;
	size_t mask = s->slots - 1;
	size_t i = (size_t)(key ^ (key >> 29)) & mask;
	while (s->keys[i] && s->keys[i] != key)
		i = (i + 1) & mask;
	if (!s->keys[i]) {
		s->keys[i] = key;
		s->used[s->nused++] = (uint32_t)i;
	}
	s->counts[i]++;
}

/* Lower-case ASCII letters, collapse every run of whitespace to one space, trim. */
static size_t normalise(const char *text, size_t len, char *out)
{
	size_t n = 0;
	int space = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if (is_space(c)) {
			space = n > 0;
			continue;
		}
		if (space)
			out[n++] = ' ';
		space = 0;
		out[n++] = (char)(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
	}
	out[n] = '\0';
	return n;
}

static uint64_t bigram_key(uint64_t first, uint64_t second)
{
	unsigned char bytes[16];
	for (int i = 0; i < 8; i++) {
		bytes[i] = (unsigned char)(first >> (8 * i));
		bytes[8 + i] = (unsigned char)(second >> (8 * i));
	}
	return rng_hash(bytes, sizeof bytes, SEED_BIGRAM);
}

static void count_words(struct scratch *s, size_t n)
{
	const char *t = s->text;
	uint64_t previous = 0;
	int have_previous = 0;
	size_t i = 0;
	while (i < n) {
		if (!is_word_byte((unsigned char)t[i])) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < n && is_word_byte((unsigned char)t[i]))
			i++;
		size_t end = i;
		/* Quotes around a word are not part of it: 'this' is this. */
		while (start < end && t[start] == '\'')
			start++;
		while (end > start && t[end - 1] == '\'')
			end--;
		if (start == end)
			continue;
		uint64_t word = rng_hash(t + start, end - start, SEED_WORD);
		count_feature(s, word);
		if (have_previous)
			count_feature(s, bigram_key(previous, word));
		previous = word;
		have_previous = 1;
	}
}

static void count_char_grams(struct scratch *s, size_t n)
{
	size_t points = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s->text[i] & 0xC0) != 0x80)
			s->starts[points++] = i;
	s->starts[points] = n;
	for (size_t k = MIN_CHAR_GRAM; k <= MAX_CHAR_GRAM; k++)
		for (size_t i = 0; i + k <= points; i++)
			count_feature(s, rng_hash(s->text + s->starts[i], s->starts[i + k] - s->starts[i], SEED_CHARS));
}

void embed_hash(const char *text, size_t len, int dim, float *vec)
{
	if (dim <= 0)
		return;
	struct scratch *s = &scratch;
	scratch_reserve(s, len, dim);
	size_t n = normalise(text, len, s->text);
	s->nused = 0;
	count_words(s, n);
	count_char_grams(s, n);

	double *sums = s->sums;
	for (int i = 0; i < dim; i++)
		sums[i] = 0;
	/* First-occurrence order: the sums are added in the same order on every machine. */
	for (size_t u = 0; u < s->nused; u++) {
		size_t slot = s->used[u];
		uint64_t key = s->keys[slot];
		uint32_t tf = s->counts[slot];
		double weight = tf > 1 ? 1.0 + log((double)tf) : 1.0;
		size_t index = (size_t)(key % (uint64_t)dim);
		sums[index] += (key >> 63) ? -weight : weight;
		s->keys[slot] = 0;
		s->counts[slot] = 0;
	}
	double norm = 0;
	for (int i = 0; i < dim; i++)
		norm += sums[i] * sums[i];
	norm = sqrt(norm);
	for (int i = 0; i < dim; i++)
		vec[i] = norm > 0 ? (float)(sums[i] / norm) : 0.0f;
}

/* ---------- the record format ---------- */

static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static jv b64_encode(const float *vec, int dim)
{
	size_t nbytes = (size_t)dim * 4;
	unsigned char *bytes = xmalloc(nbytes + 2);
	for (int i = 0; i < dim; i++) {
		uint32_t bits;
		memcpy(&bits, &vec[i], 4);
		for (int b = 0; b < 4; b++)
			bytes[4 * (size_t)i + (size_t)b] = (unsigned char)(bits >> (8 * b));
	}
	size_t out_len = 4 * ((nbytes + 2) / 3);
	char *out = xmalloc(out_len + 1);
	size_t o = 0;
	for (size_t i = 0; i < nbytes; i += 3) {
		size_t left = nbytes - i;
		uint32_t group = (uint32_t)bytes[i] << 16;
		if (left > 1)
			group |= (uint32_t)bytes[i + 1] << 8;
		if (left > 2)
			group |= bytes[i + 2];
		out[o++] = b64_alphabet[(group >> 18) & 63];
		out[o++] = b64_alphabet[(group >> 12) & 63];
		out[o++] = left > 1 ? b64_alphabet[(group >> 6) & 63] : '=';
		out[o++] = left > 2 ? b64_alphabet[group & 63] : '=';
	}
	out[o] = '\0';
	jv s = jv_string_sized(out, (int)o);
	free(out);
	free(bytes);
	return s;
}

static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decode a canonical base64 text of exactly dim little-endian float32 values (finite).
 * 0, or -1 when it is anything else. */
static int b64_decode(const char *text, size_t len, int dim, float *out)
{
	size_t nbytes = (size_t)dim * 4;
	if (len != 4 * ((nbytes + 2) / 3))
		return -1;
	size_t pad = nbytes % 3 ? 3 - nbytes % 3 : 0;
	unsigned char *bytes = xmalloc(nbytes + 3);
	size_t o = 0;
	int bad = 0;
	for (size_t i = 0; i < len && !bad; i += 4) {
		uint32_t group = 0;
		for (size_t k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)text[i + k];
			int padding = i + 4 == len && k >= 4 - pad;
			int v = padding ? (c == '=' ? 0 : -1) : b64_value(c);
			if (v < 0)
				bad = 1;
			group = (group << 6) | (uint32_t)(v < 0 ? 0 : v);
		}
		bytes[o++] = (unsigned char)(group >> 16);
		bytes[o++] = (unsigned char)(group >> 8);
		bytes[o++] = (unsigned char)group;
	}
	/* The bits under the padding must be zero: one vector, one text. */
	for (size_t i = nbytes; i < o && !bad; i++)
		bad = bytes[i] != 0;
	for (int i = 0; i < dim && !bad; i++) {
		uint32_t bits = 0;
		for (int b = 0; b < 4; b++)
			bits |= (uint32_t)bytes[4 * (size_t)i + (size_t)b] << (8 * b);
		memcpy(&out[i], &bits, 4);
		bad = !isfinite(out[i]);
	}
	free(bytes);
	return bad ? -1 : 0;
}

/* The double a float prints as with 6 significant digits (like %.6g): 0.0123457.
 * JSON size matters (45,000 records x 512 numbers) and float32 carries about 7
 * digits; the b64 encoding is there for exact values. */
static double round6(float f)
{
	double x = f;
	if (x == 0)
		return 0; /* never "-0" */
	if (!isfinite(x))
		return x;
	static const double powers[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
					 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
	double a = fabs(x);
	/* a in [1e-17, 1): m = x * 10^k rounded, for an exact power 10^k, and m / 10^k is
	 * the double nearest to the 6-digit decimal. */
	if (a >= 1e-17 && a < 1) {
		int k = 5;
		while (a * powers[k] < 1e5 && k < 22)
			k++;
		double m = nearbyint(x * powers[k]);
		return m / powers[k];
	}
	char text[32];
	snprintf(text, sizeof text, "%.6g", x);
	return strtod(text, NULL);
}

static jv vector_json(const float *vec, int dim)
{
	jv a = jv_array_sized(dim);
	for (int i = 0; i < dim; i++)
		a = jv_array_append(a, jv_number(round6(vec[i])));
	return a;
}

static jv embedding_head(const char *model, int dim, const char *of)
{
	jv e = jv_object();
	e = jv_object_set(e, jv_string("model"), jv_string(model));
	e = jv_object_set(e, jv_string("dim"), jv_number(dim));
	e = jv_object_set(e, jv_string("of"), jv_string(of));
	return e;
}

jv embedding_json(const char *model, const char *of, const float *vec, int dim, int b64)
{
	jv e = embedding_head(model, dim, of);
	if (b64)
		return jv_object_set(e, jv_string("b64"), b64_encode(vec, dim));
	return jv_object_set(e, jv_string("vector"), vector_json(vec, dim));
}

jv embedding_json_many(const char *model, const float *vecs, int n, int dim, int b64)
{
	jv e = embedding_head(model, dim, "turns");
	jv list = jv_array_sized(n > 0 ? n : 1);
	for (int i = 0; i < n; i++) {
		const float *vec = vecs + (size_t)i * (size_t)dim;
		list = jv_array_append(list, b64 ? b64_encode(vec, dim) : vector_json(vec, dim));
	}
	return jv_object_set(e, jv_string(b64 ? "b64" : "vectors"), list);
}

/* ---------- reading ---------- */

/* The embedding's dimension after checking the kinds of its members, or -1. */
static int read_dim(jv e)
{
	jv_kind model = jvu_kind_borrow(e, "model"), of = jvu_kind_borrow(e, "of");
	if ((model != JV_KIND_INVALID && model != JV_KIND_STRING) || (of != JV_KIND_INVALID && of != JV_KIND_STRING))
		return -1;
	jv d = jvu_get_borrow(e, "dim");
	int dim = -1;
	if (jv_get_kind(d) == JV_KIND_NUMBER) {
		double x = jv_number_value(d);
		if (jvu_is_integer(x) && x >= 1 && x <= MAX_READ_DIM)
			dim = (int)x;
	}
	jv_free(d);
	return dim;
}

static int is_vector_of(jv v, int dim)
{
	return jv_get_kind(v) == JV_KIND_ARRAY && jv_array_length(jv_copy(v)) == dim;
}

static int is_b64_of(jv v, int dim)
{
	size_t nbytes = (size_t)dim * 4;
	return jv_get_kind(v) == JV_KIND_STRING && (size_t)jv_string_length_bytes(jv_copy(v)) == 4 * ((nbytes + 2) / 3);
}

/* Numbers only, each one a finite float. v is borrowed and has dim items. */
static int read_numbers(jv v, int dim, float *out)
{
	int bad = 0;
	for (int i = 0; i < dim && !bad; i++) {
		jv x = jv_array_get(jv_copy(v), i);
		if (jv_get_kind(x) != JV_KIND_NUMBER) {
			bad = 1;
		} else {
			out[i] = (float)jv_number_value(x);
			bad = !isfinite(out[i]);
		}
		jv_free(x);
	}
	return bad ? -1 : 0;
}

static int read_b64(jv v, int dim, float *out)
{
	return b64_decode(jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)), dim, out);
}

int embedding_read(jv embedding, float **vec)
{
	*vec = NULL;
	jv_kind kind = jv_get_kind(embedding);
	if (kind == JV_KIND_INVALID || kind == JV_KIND_NULL)
		return 0;
	if (kind != JV_KIND_OBJECT)
		return -1;
	int dim = read_dim(embedding);
	if (dim < 0)
		return -1;
	jv vector = jvu_get_borrow(embedding, "vector");
	jv b64 = jvu_get_borrow(embedding, "b64");
	int rc = -1;
	float *out = NULL;
	if (jv_is_valid(vector)) {
		if (is_vector_of(vector, dim)) {
			out = xmalloc((size_t)dim * sizeof *out);
			rc = read_numbers(vector, dim, out) < 0 ? -1 : dim;
		}
	} else if (jv_get_kind(b64) == JV_KIND_STRING) {
		if (is_b64_of(b64, dim)) {
			out = xmalloc((size_t)dim * sizeof *out);
			rc = read_b64(b64, dim, out) < 0 ? -1 : dim;
		}
	} else if (jv_get_kind(b64) == JV_KIND_ARRAY || jvu_kind_borrow(embedding, "vectors") == JV_KIND_ARRAY) {
		rc = 0; /* per-turn vectors: there is no single one */
	}
	jv_free(vector);
	jv_free(b64);
	if (rc > 0)
		*vec = out;
	else
		free(out);
	return rc;
}

int embedding_read_many(jv embedding, float **vecs, int *dim)
{
	*vecs = NULL;
	*dim = 0;
	jv_kind kind = jv_get_kind(embedding);
	if (kind == JV_KIND_INVALID || kind == JV_KIND_NULL)
		return 0;
	if (kind != JV_KIND_OBJECT)
		return -1;
	int d = read_dim(embedding);
	if (d < 0)
		return -1;
	jv list = jvu_get_borrow(embedding, "vectors");
	int b64 = 0;
	if (!jv_is_valid(list)) {
		jv_free(list);
		list = jvu_get_borrow(embedding, "b64");
		b64 = 1;
		if (jv_get_kind(list) == JV_KIND_STRING ||
		    (!jv_is_valid(list) && jvu_kind_borrow(embedding, "vector") == JV_KIND_ARRAY)) {
			jv_free(list);
			*dim = d;
			return 0; /* a single vector: there are no per-turn ones */
		}
	}
	if (jv_get_kind(list) != JV_KIND_ARRAY) {
		jv_free(list);
		return -1;
	}
	int n = jv_array_length(jv_copy(list));
	/* Every item has the right size before anything is allocated: the allocation is
	 * never larger than the text it came from. */
	int bad = 0;
	for (int i = 0; i < n && !bad; i++) {
		jv item = jv_array_get(jv_copy(list), i);
		bad = b64 ? !is_b64_of(item, d) : !is_vector_of(item, d);
		jv_free(item);
	}
	float *out = NULL;
	if (!bad && n > 0) {
		out = xmalloc((size_t)n * (size_t)d * sizeof *out);
		for (int i = 0; i < n && !bad; i++) {
			jv item = jv_array_get(jv_copy(list), i);
			float *at = out + (size_t)i * (size_t)d;
			bad = (b64 ? read_b64(item, d, at) : read_numbers(item, d, at)) < 0;
			jv_free(item);
		}
	}
	jv_free(list);
	if (bad) {
		free(out);
		return -1;
	}
	*vecs = out;
	*dim = d;
	return n;
}
