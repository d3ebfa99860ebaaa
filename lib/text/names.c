#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buf.h"
#include "jsonfile.h"
#include "jvutil.h"
#include "msg.h"
#include "names.h"
#include "rng.h"
#include "share.h"

/* The hash seed of the name choice: a constant, not --seed, so that a persona keeps
 * its name from one program and one run to the next. */
#define NAMES_HASH_SEED 0x6e616d6573ULL /* "names" */
#define NAMES_MAX_BYTES (4u << 20)

static const char *const list_keys[NAMES_LISTS] = { "woman", "man", "neutral" };

struct names {
	char **list[NAMES_LISTS];
	size_t n[NAMES_LISTS];
};

void names_free(struct names *nm)
{
	if (!nm)
		return;
	for (int l = 0; l < NAMES_LISTS; l++) {
		for (size_t i = 0; i < nm->n[l]; i++)
			free(nm->list[l][i]);
		free(nm->list[l]);
	}
	free(nm);
}

/* 0 after copying doc[key] into the list, else -1 after reporting. */
static int load_list(struct names *nm, int l, jv doc, const char *path)
{
	jv arr = jvu_get_borrow(doc, list_keys[l]);
	int n = jv_get_kind(arr) == JV_KIND_ARRAY ? jv_array_length(jv_copy(arr)) : 0;
	if (n == 0) {
		jv_free(arr);
		errorf("%s: \"%s\" is not a non-empty array of names", path, list_keys[l]);
		return -1;
	}
	nm->list[l] = xcalloc((size_t)n, sizeof *nm->list[l]);
	for (int i = 0; i < n; i++) {
		jv name = jv_array_get(jv_copy(arr), i);
		int ok = jv_get_kind(name) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(name)) > 0;
		for (size_t j = 0; ok && j < nm->n[l]; j++)
			if (strcmp(nm->list[l][j], jv_string_value(name)) == 0) {
				errorf("%s: \"%s\" has '%s' twice", path, list_keys[l], jv_string_value(name));
				jv_free(name);
				jv_free(arr);
				return -1;
			}
		if (!ok) {
			errorf("%s: \"%s\"[%d] is not a non-empty string", path, list_keys[l], i);
			jv_free(name);
			jv_free(arr);
			return -1;
		}
		nm->list[l][nm->n[l]++] = xstrdup(jv_string_value(name));
		jv_free(name);
	}
	jv_free(arr);
	return 0;
}

struct names *names_load(const char *path)
{
	jv doc = json_read_file(path, NAMES_MAX_BYTES);
	if (!jv_is_valid(doc)) {
		json_report_invalid(doc);
		return NULL;
	}
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		jv_free(doc);
		errorf("%s: not a JSON object of name lists", path);
		return NULL;
	}
	struct names *nm = xcalloc(1, sizeof *nm);
	for (int l = 0; l < NAMES_LISTS; l++)
		if (load_list(nm, l, doc, path) < 0) {
			jv_free(doc);
			names_free(nm);
			return NULL;
		}
	jv_free(doc);
	return nm;
}

struct names *names_load_shipped(void)
{
	char *path = share_path("names/names.json");
	if (!path) {
		errorf("cannot find the shipped name lists 'names/names.json' (set PERSONA_SHARE?)");
		return NULL;
	}
	struct names *nm = names_load(path);
	free(path);
	return nm;
}

size_t names_count(const struct names *nm, enum names_list list)
{
	return list < NAMES_LISTS ? nm->n[list] : 0;
}

enum names_list names_list_of(jv persona)
{
	jv fields = jvu_get_borrow(persona, "fields");
	jv gender = jvu_get_borrow(fields, "gender");
	enum names_list list = NAMES_NEUTRAL;
	if (jv_get_kind(gender) == JV_KIND_STRING) {
		const char *g = jv_string_value(gender);
		if (strcasecmp(g, "woman") == 0 || strcasecmp(g, "female") == 0 || strcasecmp(g, "f") == 0)
			list = NAMES_WOMAN;
		else if (strcasecmp(g, "man") == 0 || strcasecmp(g, "male") == 0 || strcasecmp(g, "m") == 0)
			list = NAMES_MAN;
	}
	jv_free(gender);
	jv_free(fields);
	return list;
}

const char *names_own(jv persona)
{
	if (jvu_kind_borrow(persona, "fields") != JV_KIND_OBJECT)
		return NULL;
	jv fields = jvu_get_borrow(persona, "fields");
	jv name = jvu_get_borrow(fields, "name");
	const char *own = NULL;
	/* The string lives as long as persona, which holds a reference to it. */
	if (jv_get_kind(name) == JV_KIND_STRING && jv_string_value(name)[0])
		own = jv_string_value(name);
	jv_free(name);
	jv_free(fields);
	return own;
}

static int taken_by(const char *name, const char *const *taken, size_t ntaken)
{
	for (size_t i = 0; i < ntaken; i++)
		if (taken[i] && strcmp(taken[i], name) == 0)
			return 1;
	return 0;
}

char *names_pick(const struct names *nm, jv persona, const char *const *taken, size_t ntaken)
{
	const char *own = names_own(persona);
	if (own)
		return xstrdup(own);
	enum names_list l = names_list_of(persona);
	jv id = jvu_get_borrow(persona, "id");
	const char *text = jv_get_kind(id) == JV_KIND_STRING ? jv_string_value(id) : "";
	size_t n = nm->n[l];
	size_t start = (size_t)(rng_hash(text, strlen(text), NAMES_HASH_SEED) % n);
	jv_free(id);
	for (size_t k = 0; k < n; k++) {
		const char *name = nm->list[l][(start + k) % n];
		if (!taken_by(name, taken, ntaken))
			return xstrdup(name);
	}
	struct buf b = BUF_INIT;
	for (size_t round = 2;; round++)
		for (size_t k = 0; k < n; k++) {
			buf_reset(&b);
			buf_addf(&b, "%s %zu", nm->list[l][(start + k) % n], round);
			if (!taken_by(b.data, taken, ntaken))
				return b.data;
		}
}

jv names_assign(const struct names *nm, jv personas)
{
	int n = jv_array_length(jv_copy(personas));
	char **names = xcalloc(n > 0 ? (size_t)n : 1, sizeof *names);
	const char **taken = xcalloc(n > 0 ? (size_t)n : 1, sizeof *taken);
	size_t ntaken = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			jv p = jv_array_get(jv_copy(personas), i);
			int own = names_own(p) != NULL;
			if (jv_get_kind(p) == JV_KIND_OBJECT && own == (pass == 0)) {
				names[i] = names_pick(nm, p, taken, ntaken);
				taken[ntaken++] = names[i];
			}
			jv_free(p);
		}
	for (int i = 0; i < n; i++)
		if (names[i]) {
			jv p = jv_array_get(jv_copy(personas), i);
			personas = jv_array_set(personas, i, jvu_set(p, "name", jv_string(names[i])));
			free(names[i]);
		}
	free(names);
	free(taken);
	return personas;
}

/* ---------- names in text ---------- */

static int word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

int names_same(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	}
	return 1;
}

int names_mentioned(const char *text, size_t len, const char *name, size_t name_len)
{
	if (name_len == 0 || name_len > len)
		return 0;
	for (size_t i = 0; i + name_len <= len; i++) {
		if (i > 0 && word_byte((unsigned char)text[i - 1]))
			continue;
		if (i + name_len < len && word_byte((unsigned char)text[i + name_len]))
			continue;
		if (names_same(text + i, name, name_len))
			return 1;
	}
	return 0;
}
