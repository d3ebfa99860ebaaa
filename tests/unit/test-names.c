/* names: own names kept, generated names by gender and id, stable, unique in a group. */
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "names.h"
#include "unit.h"

static jv persona(const char *id, const char *gender, const char *name)
{
	jv fields = jv_object();
	if (gender)
		fields = jv_object_set(fields, jv_string("gender"), jv_string(gender));
	if (name)
		fields = jv_object_set(fields, jv_string("name"), jv_string(name));
	jv p = jv_object_set(jv_object(), jv_string("id"), jv_string(id));
	return jv_object_set(p, jv_string("fields"), fields);
}

static void write_text(const char *name, const char *text)
{
	unit_write_file(name, text, strlen(text));
}

/* Exits 0 when the file loads, 1 when it is refused. */
static void load_body(void *path)
{
	struct names *nm = names_load(path);
	int loaded = nm != NULL;
	names_free(nm);
	fflush(stderr);
	_exit(loaded ? 0 : 1);
}

static int in_list(const char *path_list_json, const char *name)
{
	return strstr(path_list_json, name) != NULL;
}

int main(void)
{
	if (unit_scratch_open("test-names") < 0)
		return 1;
	write_text("small.json", "{\"woman\":[\"Ana\",\"Bea\"],\"man\":[\"Carl\"],\"neutral\":[\"Dee\",\"Eli\"]}");
	struct names *nm = names_load(unit_path("small.json"));
	CHECK(nm != NULL, "a file with the three lists loads");
	CHECK(names_count(nm, NAMES_WOMAN) == 2 && names_count(nm, NAMES_MAN) == 1 &&
		      names_count(nm, NAMES_NEUTRAL) == 2,
	      "each list has its names");

	jv w = persona("p1", "woman", NULL), m = persona("p2", "Male", NULL), x = persona("p3", "non-binary", NULL);
	jv none = persona("p4", NULL, NULL);
	CHECK(names_list_of(w) == NAMES_WOMAN && names_list_of(m) == NAMES_MAN && names_list_of(x) == NAMES_NEUTRAL &&
		      names_list_of(none) == NAMES_NEUTRAL,
	      "woman/man in any case choose their lists, other and absent genders the neutral one");

	char *a = names_pick(nm, w, NULL, 0), *b = names_pick(nm, w, NULL, 0);
	CHECK_STR(a, b, "the same persona gets the same name every time");
	CHECK(in_list("Ana Bea", a), "a woman gets a name of the woman list (%s)", a);
	char *c = names_pick(nm, m, NULL, 0);
	CHECK_STR(c, "Carl", "a man gets a name of the man list");
	const char *taken[] = { a };
	char *d = names_pick(nm, w, taken, 1);
	CHECK(in_list("Ana Bea", d) && strcmp(a, d) != 0, "a taken name moves on to the next in the list (%s)", d);
	const char *both[] = { "Ana", "Bea" };
	char *e = names_pick(nm, w, both, 2);
	CHECK(strcmp(e, "Ana 2") == 0 || strcmp(e, "Bea 2") == 0, "a list used up gives NAME 2 (%s)", e);
	free(a);
	free(b);
	free(c);
	free(d);
	free(e);

	jv own = persona("p5", "woman", "Zelda");
	CHECK(names_own(own) && strcmp(names_own(own), "Zelda") == 0, "fields.name is the persona's own name");
	char *f = names_pick(nm, own, NULL, 0);
	CHECK_STR(f, "Zelda", "an own name is kept");
	free(f);
	jv blank = persona("p6", "woman", "");
	CHECK(names_own(blank) == NULL, "an empty fields.name is no name");

	/* A group of three women and one with her own name "Ana": all different, the own
	 * name kept whatever its place. */
	jv group = jv_array();
	group = jv_array_append(group, persona("q1", "woman", NULL));
	group = jv_array_append(group, persona("q2", "woman", NULL));
	group = jv_array_append(group, persona("q3", "woman", NULL));
	group = jv_array_append(group, persona("q4", "woman", "Ana"));
	group = names_assign(nm, group);
	const char *seen[4];
	int distinct = 1;
	for (int i = 0; i < 4; i++) {
		jv p = jv_array_get(jv_copy(group), i);
		jv n = jv_object_get(p, jv_string("name"));
		seen[i] = strdup(jv_get_kind(n) == JV_KIND_STRING ? jv_string_value(n) : "");
		jv_free(n);
		for (int j = 0; j < i; j++)
			distinct &= strcmp(seen[i], seen[j]) != 0;
	}
	CHECK(distinct, "names in a group are unique (%s, %s, %s, %s)", seen[0], seen[1], seen[2], seen[3]);
	CHECK_STR(seen[3], "Ana", "the own name stays; generated names go around it");
	CHECK(strcmp(seen[0], "Ana") != 0 && strcmp(seen[1], "Ana") != 0 && strcmp(seen[2], "Ana") != 0,
	      "no generated name repeats an own name placed after it");
	for (int i = 0; i < 4; i++)
		free((char *)seen[i]);
	jv again = names_assign(nm, jv_copy(group));
	CHECK(jv_equal(jv_copy(again), jv_copy(group)), "naming a named group again changes nothing");
	jv_free(again);
	jv_free(group);

	/* Bad files are reported, not loaded. */
	static const char *const bad[] = {
		"{\"woman\":[\"Ana\"],\"man\":[\"Carl\"]}",
		"{\"woman\":[],\"man\":[\"Carl\"],\"neutral\":[\"Dee\"]}",
		"{\"woman\":[\"Ana\",\"Ana\"],\"man\":[\"Carl\"],\"neutral\":[\"Dee\"]}",
		"{\"woman\":[\"Ana\",5],\"man\":[\"Carl\"],\"neutral\":[\"Dee\"]}",
		"[\"Ana\"]",
		"{not json",
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		write_text("bad.json", bad[i]);
		struct captured c;
		capture(&c, load_body, unit_path("bad.json"));
		CHECK(c.status == 1 && strstr(c.err, "bad.json"), "a bad names file is refused, named: %s", bad[i]);
	}
	struct captured got;
	capture(&got, load_body, unit_path("missing.json"));
	CHECK(got.status == 1 && strstr(got.err, "cannot open"), "a missing names file is reported: %s", got.err);

	/* The shipped lists: at least 40 names each, every name by hash stable. */
	struct names *shipped = names_load_shipped();
	CHECK(shipped != NULL, "the shipped lists load");
	if (shipped) {
		CHECK(names_count(shipped, NAMES_WOMAN) >= 40 && names_count(shipped, NAMES_MAN) >= 40 &&
			      names_count(shipped, NAMES_NEUTRAL) >= 40,
		      "each shipped list has at least 40 names");
		jv big = jv_array();
		for (int i = 0; i < 64; i++)
			big = jv_array_append(big, persona("same-id", "man", NULL));
		big = names_assign(shipped, big);
		jv names = jv_array();
		for (int i = 0; i < 64; i++) {
			jv p = jv_array_get(jv_copy(big), i);
			names = jv_array_append(names, jv_object_get(p, jv_string("name")));
		}
		jv unique = jv_sort(jv_copy(names), jv_copy(names));
		int n = jv_array_length(jv_copy(unique));
		int u = 1;
		for (int i = 1; i < n; i++) {
			jv a1 = jv_array_get(jv_copy(unique), i - 1), b1 = jv_array_get(jv_copy(unique), i);
			u += !jv_equal(a1, b1);
		}
		CHECK(u == 64, "64 men with one id still get 64 different names (%d)", u);
		jv_free(unique);
		jv_free(names);
		jv_free(big);
		names_free(shipped);
	}

	jv_free(w);
	jv_free(m);
	jv_free(x);
	jv_free(none);
	jv_free(own);
	jv_free(blank);
	names_free(nm);
	unit_scratch_remove();
	/* names_mentioned: a whole word, ASCII case folded, never inside another word. */
#define MENTIONS(text, name) names_mentioned(text, strlen(text), name, strlen(name))
	CHECK(MENTIONS("Ana, what do you think?", "Ana") && MENTIONS("I agree with ANA.", "Ana") &&
		      MENTIONS("that was Ana's point", "Ana"),
	      "a name at the start, in capitals and before an apostrophe is mentioned");
	CHECK(!MENTIONS("I like bananas", "Ana") && !MENTIONS("Anabel said so", "Ana") && !MENTIONS("Ana2", "Ana") &&
		      !MENTIONS("Joé is here", "Jo") && !MENTIONS("anything", ""),
	      "inside a word, before a digit or a non-ASCII letter, or an empty name: not mentioned");
	CHECK(MENTIONS("ask mary ann first", "Mary Ann") && names_same("BeN", "ben", 3) && !names_same("Ben", "Bem", 3),
	      "a two-word name; names_same folds ASCII case only");
	return UNIT_DONE();
}
