#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "convtext.h"
#include "embedding.h"
#include "unit.h"

static void hash8(const char *text, float *v)
{
	embed_hash(text, strlen(text), 8, v);
}

static int same_floats(const float *a, const float *b, int n)
{
	return memcmp(a, b, (size_t)n * sizeof *a) == 0;
}

static int near_floats(const float *a, const double *want, int n, double tol)
{
	for (int i = 0; i < n; i++)
		if (fabs(a[i] - want[i]) > tol)
			return 0;
	return 1;
}

static double norm(const float *v, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += (double)v[i] * v[i];
	return sqrt(s);
}

static double cosine(const float *a, const float *b, int n)
{
	double dot = 0;
	for (int i = 0; i < n; i++)
		dot += (double)a[i] * b[i];
	return dot / (norm(a, n) * norm(b, n));
}

/* embedding_read on a JSON text: the result, the vector freed. */
static int read_text(const char *json)
{
	jv e = jv_parse(json);
	float *vec = NULL;
	int rc = embedding_read(e, &vec);
	jv_free(e);
	free(vec);
	return rc;
}

static int read_many_text(const char *json)
{
	jv e = jv_parse(json);
	float *vecs = NULL;
	int dim;
	int rc = embedding_read_many(e, &vecs, &dim);
	jv_free(e);
	free(vecs);
	return rc;
}

static void test_model_names(void)
{
	CHECK(embed_hash_dim("hash-512") == 512, "hash-512 is the built-in model of 512 dimensions");
	CHECK(embed_hash_dim("hash-1") == 1 && embed_hash_dim("hash-65536") == 65536,
	      "hash-1 and hash-65536 are the bounds");
	CHECK(embed_hash_dim("hash-0") == 0 && embed_hash_dim("hash-65537") == 0 && embed_hash_dim("hash-") == 0 &&
		      embed_hash_dim("hash-08") == 0 && embed_hash_dim("hash-5x") == 0 &&
		      embed_hash_dim("hash--1") == 0,
	      "hash-N out of range or not a plain number is no built-in model");
	CHECK(embed_hash_dim("text-embedding-3-small") == 0 && embed_hash_dim(NULL) == 0,
	      "other names are remote models");
}

static void test_pinned_vectors(void)
{
	/* The features at dim 8, index and sign (hash % 8, top bit), from the model's seeds:
	 *   word a: 1 +    word b: 0 +    bigram a b: 6 +    bigram b a: 0 -
	 *   chars "a b": 7 -    chars "b a": 0 +    bigram a a: 4 +    chars "a a": 7 +
	 * Texts shorter than 3 characters have no character n-grams. These numbers are the
	 * model: a change here changes every stored vector. */
	float v[8], w[8];
	hash8("a", v);
	double a[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	CHECK(near_floats(v, a, 8, 0), "\"a\" is one word feature: +1 at index 1");

	hash8("a b", v);
	double ab[8] = { 0.5, 0.5, 0, 0, 0, 0, 0.5, -0.5 };
	CHECK(near_floats(v, ab, 8, 0), "\"a b\": words a and b, bigram (a,b), chars \"a b\", each weight 1");

	/* Same words, other bigram and char n-gram: b(+1) - bigram(b,a) + chars "b a" at 0. */
	hash8("b a", w);
	double ba[8] = { M_SQRT1_2, M_SQRT1_2, 0, 0, 0, 0, 0, 0 };
	CHECK(near_floats(w, ba, 8, 1e-7), "\"b a\" shares the word features and differs in order features only");

	hash8("a a", v);
	double tf = 1 + log(2.0), s = sqrt(tf * tf + 2);
	double aa[8] = { 0, tf / s, 0, 0, 1 / s, 0, 0, 1 / s };
	CHECK(near_floats(v, aa, 8, 1e-7), "a word seen twice weighs 1 + log 2 (sublinear tf)");

	hash8("  A \t\n B ", v);
	CHECK(near_floats(v, ab, 8, 0), "case and runs of whitespace do not matter");
}

static void test_properties(void)
{
	const char *texts[] = {
		"I keep putting off the tax forms and the deadline is next week.",
		"Ich weiß nicht, was ich tun soll — die Prüfung ist morgen.",
		"Why?",
		"ok",
		"...",
	};
	int all_unit = 1;
	float v[512], w[512];
	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
		embed_hash(texts[i], strlen(texts[i]), 512, v);
		if (fabs(norm(v, 512) - 1) > 1e-6)
			all_unit = 0;
	}
	CHECK(all_unit, "every non-empty text has L2 norm 1 (within 1e-6)");

	embed_hash("", 0, 512, v);
	int zero = 1;
	for (int i = 0; i < 512; i++)
		zero &= v[i] == 0;
	embed_hash(" \t\n", 3, 512, w);
	for (int i = 0; i < 512; i++)
		zero &= w[i] == 0;
	CHECK(zero, "the empty text and whitespace give the zero vector");

	/* A long text in between grows and reuses the scratch space. */
	struct buf longer = BUF_INIT;
	for (int i = 0; i < 2000; i++)
		buf_addf(&longer, "word%d and another word, ", i % 97);
	embed_hash(texts[0], strlen(texts[0]), 512, v);
	float *big = malloc(4096 * sizeof *big);
	embed_hash(longer.data, longer.len, 4096, big);
	embed_hash(texts[0], strlen(texts[0]), 512, w);
	CHECK(same_floats(v, w, 512), "the same text gives the same vector, whatever came before");
	CHECK(fabs(norm(big, 4096) - 1) < 1e-6, "a 50 KB text is embedded too");
	free(big);
	buf_free(&longer);

	const char *x = "My landlord still hasn't fixed the heating and it is freezing in the flat.";
	const char *y = "My landlord still has not fixed the heating, and it's freezing in my flat!";
	const char *z = "Could you explain how photosynthesis works in desert plants?";
	float vx[512], vy[512], vz[512];
	embed_hash(x, strlen(x), 512, vx);
	embed_hash(y, strlen(y), 512, vy);
	embed_hash(z, strlen(z), 512, vz);
	double near = cosine(vx, vy, 512), far = cosine(vx, vz, 512);
	CHECK(near > 0.6 && far < 0.3 && near > far,
	      "near-identical texts are closer (%.3f) than unrelated ones (%.3f)", near, far);
}

static void test_record_format(void)
{
	float v[16];
	const char *t = "The heating has been broken for three weeks.";
	embed_hash(t, strlen(t), 16, v);

	jv e = embedding_json("hash-16", "client_text", v, 16, 1);
	float *back = NULL;
	int dim = embedding_read(e, &back);
	CHECK(dim == 16 && back && same_floats(v, back, 16), "b64 reads back bit for bit");
	free(back);
	jv_free(e);

	e = embedding_json("hash-16", "client_text", v, 16, 0);
	jv members = jv_keys_unsorted(jv_copy(e));
	struct buf keys = BUF_INIT;
	jv_array_foreach(members, i, key)
	{
		buf_addf(&keys, "%s%s", i ? "," : "", jv_string_value(key));
		jv_free(key);
	}
	jv_free(members);
	CHECK_STR(keys.data, "model,dim,of,vector", "the record format: model, dim, of, vector");
	buf_free(&keys);
	dim = embedding_read(e, &back);
	int close = dim == 16;
	for (int i = 0; close && i < 16; i++)
		close = fabs(back[i] - v[i]) <= 5.1e-6 * fabs(v[i]);
	CHECK(close, "float vectors keep 6 significant digits");
	free(back);
	jv_free(e);

	float turns[3 * 16];
	embed_hash("hello", 5, 16, turns);
	embed_hash("", 0, 16, turns + 16);
	embed_hash("goodbye then", 12, 16, turns + 32);
	for (int b64 = 0; b64 <= 1; b64++) {
		jv many = embedding_json_many("hash-16", turns, 3, 16, b64);
		float *vecs = NULL;
		int d = 0;
		int n = embedding_read_many(many, &vecs, &d);
		int ok = n == 3 && d == 16;
		for (int i = 0; ok && i < 48; i++)
			ok = b64 ? vecs[i] == turns[i] : fabs(vecs[i] - turns[i]) <= 5.1e-6 * fabs(turns[i]);
		CHECK(ok, "per-turn vectors read back (%s)", b64 ? "b64" : "float");
		float *single = NULL;
		CHECK(embedding_read(many, &single) == 0 && !single, "a per-turn embedding has no single vector (%s)",
		      b64 ? "b64" : "float");
		free(vecs);
		jv_free(many);
	}
	jv none = embedding_json_many("hash-16", NULL, 0, 16, 0);
	float *vecs = (float *)1;
	int d = 0;
	CHECK(embedding_read_many(none, &vecs, &d) == 0 && d == 16 && !vecs,
	      "no turns: zero vectors, the dimension known");
	jv_free(none);
}

static void test_reading_bad_embeddings(void)
{
	/* 1.0f and 2.0f as little-endian float32: 0000803f 00000040. */
	CHECK(read_text("{\"model\":\"m\",\"dim\":2,\"of\":\"x\",\"b64\":\"AACAPwAAAEA=\"}") == 2,
	      "a b64 vector from elsewhere is read");
	CHECK(read_text("{\"dim\":2,\"vector\":[1,2.5]}") == 2, "a float vector is read; model and of are optional");
	CHECK(read_text("null") == 0, "null is no embedding");
	float *v = (float *)1;
	CHECK(embedding_read(jv_invalid(), &v) == 0 && v == NULL, "an absent embedding is none");

	const char *bad[] = {
		"\"AACAPwAAAEA=\"", /* not an object */
		"[1,2]",
		"{\"dim\":2}", /* no vector at all */
		"{\"dim\":\"2\",\"vector\":[1,2]}", /* wrong kinds */
		"{\"dim\":2.5,\"vector\":[1,2]}",
		"{\"dim\":0,\"vector\":[]}",
		"{\"dim\":-2,\"vector\":[1,2]}",
		"{\"dim\":2,\"vector\":{\"a\":1}}",
		"{\"dim\":2,\"vector\":\"AACAPwAAAEA=\"}",
		"{\"model\":5,\"dim\":2,\"vector\":[1,2]}",
		"{\"of\":[],\"dim\":2,\"vector\":[1,2]}",
		"{\"dim\":2,\"b64\":7}",
		"{\"dim\":3,\"vector\":[1,2]}", /* dim mismatch */
		"{\"dim\":1,\"vector\":[1,2]}",
		"{\"dim\":3,\"b64\":\"AACAPwAAAEA=\"}",
		"{\"dim\":2,\"vector\":[1,\"2\"]}", /* not a number */
		"{\"dim\":2,\"vector\":[1,null]}",
		"{\"dim\":2,\"vector\":[1,1e300]}", /* no float */
		"{\"dim\":2,\"b64\":\"AACAPwAAAE!=\"}", /* bad base64 */
		"{\"dim\":2,\"b64\":\"AACAPwAAAEA\"}",
		"{\"dim\":2,\"b64\":\"AACAPwAAAEA==\"}",
		"{\"dim\":2,\"b64\":\"AACAPw=AAEA=\"}",
		"{\"dim\":2,\"b64\":\"AACAPwAAAEB=\"}", /* bits under the padding */
		"{\"dim\":2,\"b64\":\"AACAPwAAAEAA\"}", /* no padding where it belongs */
		"{\"dim\":2,\"b64\":\"AACAPwAAgH8=\"}", /* +inf */
		"{\"dim\":2,\"b64\":\"\"}",
		"{\"dim\":16777217,\"vector\":[1]}",
	};
	int rejected = 0;
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		int rc = read_text(bad[i]);
		if (rc == -1)
			rejected++;
		else
			printf("#   accepted (%d): %s\n", rc, bad[i]);
	}
	CHECK(rejected == (int)(sizeof bad / sizeof *bad),
	      "malformed embeddings are rejected with -1, never a crash (%d of %zu)", rejected,
	      sizeof bad / sizeof *bad);

	CHECK(read_many_text("{\"dim\":2,\"of\":\"turns\",\"vectors\":[[1,2],[3,4]]}") == 2,
	      "per-turn float vectors are read");
	CHECK(read_many_text("{\"dim\":2,\"of\":\"turns\",\"b64\":[\"AACAPwAAAEA=\"]}") == 1,
	      "per-turn b64 vectors are read");
	CHECK(read_many_text("{\"dim\":2,\"vector\":[1,2]}") == 0, "a single vector has no per-turn vectors");
	const char *bad_many[] = {
		"{\"dim\":2,\"vectors\":[[1,2],[3]]}",
		"{\"dim\":2,\"vectors\":[[1,2],\"x\"]}",
		"{\"dim\":2,\"vectors\":{}}",
		"{\"dim\":2,\"b64\":[\"AACAPwAAAEA=\",\"@@@@AAAAAEA=\"]}",
		"{\"dim\":2,\"b64\":[3]}",
		"{\"dim\":2,\"vectors\":[[1,true]]}",
		"{\"vectors\":[[1,2]]}",
		"{\"dim\":2}",
		"7",
	};
	rejected = 0;
	for (size_t i = 0; i < sizeof bad_many / sizeof *bad_many; i++) {
		int rc = read_many_text(bad_many[i]);
		if (rc == -1)
			rejected++;
		else
			printf("#   accepted (%d): %s\n", rc, bad_many[i]);
	}
	CHECK(rejected == (int)(sizeof bad_many / sizeof *bad_many),
	      "malformed per-turn embeddings are rejected with -1");
}

static void test_conversation_texts(void)
{
	jv record =
		jv_parse("{\"description\":\"You are Ann.\",\"turns\":["
			 "{\"speaker\":\"client\",\"text\":\"Hi.\"},{\"speaker\":\"responder\",\"text\":\"Hello!\"},"
			 "{\"speaker\":\"client\",\"text\":\"Bye.\"},7,{\"speaker\":\"client\"},{\"text\":\"who?\"}]}");
	struct buf b = BUF_INIT;
	conversation_text(record, "description", &b);
	CHECK_STR(b.data, "You are Ann.", "description is the persona description");
	buf_reset(&b);
	conversation_text(record, "client_text", &b);
	CHECK_STR(b.data, "Hi.\nBye.\n",
		  "client_text joins the client's turns with newlines (a turn without text is empty)");
	buf_reset(&b);
	conversation_text(record, "responder_text", &b);
	CHECK_STR(b.data, "Hello!", "responder_text joins the responder's turns");
	buf_reset(&b);
	conversation_text(record, "turns", &b);
	CHECK_STR(b.data, "Hi.\nHello!\nBye.\n\n\nwho?", "turns joins every turn, bad ones empty");
	CHECK(conversation_text(record, "persona", &b) == -1, "an unknown text name is -1");
	CHECK(conversation_turns(record) == 6, "every item of turns counts");
	buf_reset(&b);
	const char *who = conversation_turn(record, 1, &b);
	CHECK(strcmp(who, "responder") == 0 && strcmp(b.data, "Hello!") == 0, "turn 1 is the responder's");
	buf_reset(&b);
	who = conversation_turn(record, 3, &b);
	CHECK(strcmp(who, "") == 0 && strcmp(b.data, "") == 0, "a turn that is no object has no speaker and no text");
	buf_reset(&b);
	who = conversation_turn(record, 99, &b);
	CHECK(strcmp(who, "") == 0 && b.data && b.len == 0, "a turn past the end is empty");
	jv_free(record);

	jv odd = jv_parse("{\"description\":3,\"turns\":{\"a\":1}}");
	struct buf c = BUF_INIT;
	conversation_text(odd, "description", &c);
	conversation_text(odd, "client_text", &c);
	CHECK(c.data && c.len == 0 && conversation_turns(odd) == 0, "malformed members give empty texts");
	jv not_object = jv_array();
	conversation_text(not_object, "turns", &c);
	CHECK(c.len == 0 && conversation_turns(not_object) == 0, "a record that is no object gives empty texts");
	jv_free(not_object);
	jv_free(odd);
	buf_free(&c);
	buf_free(&b);
}

int main(void)
{
	test_model_names();
	test_pinned_vectors();
	test_properties();
	test_record_format();
	test_reading_bad_embeddings();
	test_conversation_texts();
	return UNIT_DONE();
}
