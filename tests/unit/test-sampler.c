/* sampler: deterministic draws, per-field streams, conditions, ranges, lists,
 * templates, constraints and quota strata. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "capture.h"
#include "sampler.h"
#include "schema.h"
#include "unit.h"

static char path[64];

static struct schema *load(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return schema_load(path);
}

/* The record of draw index as JSON text (static buffer, one at a time). */
static struct buf record_text;
static const char *record_of(struct sampler *sm, uint64_t index)
{
	buf_reset(&record_text);
	if (sampler_draw(sm, index, -1) < 0)
		return "(failed)";
	sampler_write_record(sm, &record_text);
	return record_text.data;
}

static int field(const struct schema *s, const char *name)
{
	return schema_field_index(s, name);
}

#define RANDOM_FIELDS                                                                         \
	"{\"name\":\"n\",\"kind\":\"integer\",\"min\":1,\"max\":3},"                          \
	"{\"name\":\"some\",\"kind\":\"list\",\"values\":[\"a\",\"b\",\"c\",\"d\"],\"k\":2}," \
	"{\"name\":\"r\",\"kind\":\"real\",\"min\":0,\"max\":1,\"decimals\":2},"              \
	"{\"name\":\"band\",\"kind\":\"categorical\",\"values\":[\"low\"],"                   \
	" \"cases\":[{\"if\":{\"n\":{\"min\":2,\"max\":3}},\"values\":[\"high\"]}]}"

struct failing {
	const char *schema;
};

/* The child's schema and sampler, freed at exit too: sampler_draw may end the process,
 * and the sanitizers would count what it leaves (jq's stack) as leaked. */
static struct schema *child_schema;
static struct sampler *child_sampler;

static void free_child(void)
{
	sampler_free(child_sampler);
	schema_free(child_schema);
	child_sampler = NULL;
	child_schema = NULL;
}

static void draw_body(void *arg)
{
	atexit(free_child);
	child_schema = load(arg);
	child_sampler = sampler_new(child_schema, 0);
	int rc = sampler_draw(child_sampler, 0, -1);
	printf("%d", rc);
	free_child();
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-sampler-%ld.json", (long)getpid());

	/* Only certain values: the whole record follows by hand. */
	struct schema *s = load(
		"{\"name\":\"fixed\",\"version\":2,\"fields\":["
		"{\"name\":\"tier\",\"kind\":\"categorical\",\"values\":{\"gold\":1,\"tin\":0}},"
		"{\"name\":\"age\",\"kind\":\"integer\",\"min\":30,\"max\":30},"
		"{\"name\":\"colour\",\"kind\":\"categorical\",\"values\":[\"red\",\"blue\"],"
		" \"cases\":[{\"if\":{\"tier\":[\"gold\",\"silver\"]},\"values\":[\"shiny\"]}]},"
		"{\"name\":\"pets\",\"kind\":\"list\",\"values\":[\"cat\",\"dog\",\"fish\"],\"k\":3},"
		"{\"name\":\"planet\",\"kind\":\"constant\",\"value\":\"earth\"},"
		"{\"name\":\"blurb\",\"kind\":\"derived\",\"template\":\"{{age}}/{{pets}}/{{planet}}/{{colour}}\"}]}");
	CHECK(s != NULL, "the fixed schema loads");
	if (!s)
		return UNIT_DONE();
	struct sampler *sm = sampler_new(s, 7);
	CHECK_STR(record_of(sm, 3),
		  "{\"id\":\"p000003\",\"schema\":\"fixed@2\",\"seed\":7,\"fields\":{\"tier\":\"gold\",\"age\":30,"
		  "\"colour\":\"shiny\",\"pets\":[\"cat\",\"dog\",\"fish\"],\"planet\":\"earth\","
		  "\"blurb\":\"30/cat, dog, fish/earth/shiny\"}}",
		  "a record: id from prefix and zero-padded index, weight 0 never drawn, a matching case wins, "
		  "a full list in declaration order, templates filled");
	CHECK_STR(sampler_id(sm), "p000003", "sampler_id is the record's id");
	const struct distribution *const *used = sampler_used(sm);
	CHECK(used[field(s, "colour")] == &s->fields[field(s, "colour")].cases[0].dist &&
		      used[field(s, "tier")] == &s->fields[field(s, "tier")].base && used[field(s, "planet")] == NULL,
	      "sampler_used tells which case each field was drawn from");
	sampler_free(sm);
	schema_free(s);

	const char *text = "{\"name\":\"rand\",\"id_prefix\":\"x\",\"id_width\":2,\"fields\":[" RANDOM_FIELDS "]}";
	s = load(text);
	struct sampler *a = sampler_new(s, 11), *b = sampler_new(s, 11), *other = sampler_new(s, 12);
	char first[512];
	snprintf(first, sizeof first, "%s", record_of(a, 5));
	record_of(a, 6);
	record_of(b, 99);
	CHECK_STR(record_of(a, 5), first, "a record is the same when drawn again, after other records");
	CHECK_STR(record_of(b, 5), first, "and the same from another sampler with the same seed");
	int differs = 0;
	for (uint64_t i = 0; i < 20; i++) {
		char mine[512];
		snprintf(mine, sizeof mine, "%s", record_of(a, i));
		differs += strcmp(mine + 30, record_of(other, i) + 30) != 0;
	}
	CHECK(differs >= 15, "another seed draws other values (%d of 20 records differ)", differs);
	CHECK(strncmp(first, "{\"id\":\"x05\",\"schema\":\"rand@1\",\"seed\":11,", 40) == 0,
	      "id_prefix and id_width shape the id");

	/* Over many draws: every value in range, each integer about a third of the time,
	 * the band case exactly when n >= 2, lists of 2 distinct items in order. */
	int counts[4] = { 0 }, in_range = 1, band_ok = 1, list_ok = 1, real_ok = 1;
	int in_, isome = field(s, "some"), ir = field(s, "r"), iband = field(s, "band");
	in_ = field(s, "n");
	for (uint64_t i = 0; i < 3000; i++) {
		sampler_draw(a, i, -1);
		const struct value *v = sampler_values(a);
		int n = (int)v[in_].number;
		if (n < 1 || n > 3 || v[in_].number != n)
			in_range = 0;
		else
			counts[n]++;
		band_ok &= strcmp(v[iband].text, n >= 2 ? "high" : "low") == 0;
		list_ok &= v[isome].nitems == 2 && strcmp(v[isome].items[0], v[isome].items[1]) < 0;
		double x = v[ir].number * 100;
		real_ok &= v[ir].number >= 0 && v[ir].number <= 1 && x - (double)(long)(x + 0.5) < 1e-9 &&
			   (double)(long)(x + 0.5) - x < 1e-9;
	}
	CHECK(in_range, "integers stay whole and within [min, max]");
	/* 3000 draws, p = 1/3: 1000 expected, sd about 26; 150 is almost 6 sd */
	CHECK(abs(counts[1] - 1000) < 150 && abs(counts[2] - 1000) < 150 && abs(counts[3] - 1000) < 150,
	      "the ends of an integer range are as likely as the middle (%d %d %d)", counts[1], counts[2], counts[3]);
	CHECK(band_ok, "a numeric range condition picks its case exactly when the parent is in range");
	CHECK(list_ok, "a list of k = 2 draws two distinct items, in declaration order");
	CHECK(real_ok, "reals are rounded to their decimals and stay within [min, max]");
	sampler_free(a);
	sampler_free(b);
	sampler_free(other);

	/* A new field, declared first, leaves the other fields' values unchanged. */
	struct schema *wider =
		load("{\"name\":\"rand\",\"id_prefix\":\"x\",\"id_width\":2,\"fields\":["
		     "{\"name\":\"extra\",\"kind\":\"integer\",\"min\":0,\"max\":1000}," RANDOM_FIELDS "]}");
	a = sampler_new(s, 11);
	b = sampler_new(wider, 11);
	int same = 1;
	for (uint64_t i = 0; i < 50; i++) {
		sampler_draw(a, i, -1);
		sampler_draw(b, i, -1);
		const struct value *va = sampler_values(a), *vb = sampler_values(b);
		same &= va[field(s, "n")].number == vb[field(wider, "n")].number &&
			va[field(s, "r")].number == vb[field(wider, "r")].number &&
			strcmp(va[isome].items[0], vb[field(wider, "some")].items[0]) == 0 &&
			strcmp(va[isome].items[1], vb[field(wider, "some")].items[1]) == 0;
	}
	CHECK(same, "each field draws from its own stream: adding a field changes no other");
	sampler_free(a);
	sampler_free(b);
	schema_free(wider);
	schema_free(s);

	s = load("{\"name\":\"c\",\"fields\":[" RANDOM_FIELDS
		 "],\"constraints\":[{\"name\":\"not2\",\"expr\":\".n != 2\"}]}");
	a = sampler_new(s, 1);
	int never2 = 1, drawn = 1;
	for (uint64_t i = 0; i < 300; i++) {
		drawn &= sampler_draw(a, i, -1) == 0;
		never2 &= sampler_values(a)[field(s, "n")].number != 2;
	}
	CHECK(drawn && never2, "a constraint redraws until it holds");
	sampler_free(a);
	schema_free(s);

	struct captured c;
	char want[512];
	capture(&c, draw_body,
		"{\"name\":\"c\",\"max_tries\":5,\"fields\":[" RANDOM_FIELDS "],"
		"\"constraints\":[{\"name\":\"fine\",\"expr\":\"true\"},{\"name\":\"big\",\"expr\":\".n > 5\"}]}");
	snprintf(want, sizeof want,
		 "persona: %s: constraint 'big' (.n > 5) was not met by any of 5 draws for record p000000\n", path);
	CHECK(strcmp(c.out, "-1") == 0, "an impossible constraint fails the draw after max_tries");
	CHECK_STR(c.err, want, "naming the constraint, its expression, the tries and the record");
	capture(&c, draw_body,
		"{\"name\":\"c\",\"fields\":[" RANDOM_FIELDS "],"
		"\"constraints\":[{\"name\":\"oops\",\"expr\":\".n | error(\\\"bad\\\")\"}]}");
	snprintf(want, sizeof want, "persona: %s: constraint 'oops' failed on record p000000: bad\n", path);
	CHECK(c.status == 2 && c.out[0] == '\0', "a constraint raising a jq error ends the process with 2");
	CHECK_STR(c.err, want, "after naming the constraint and the record");

	s = load("{\"name\":\"q\",\"fields\":[{\"name\":\"g\",\"kind\":\"categorical\",\"values\":[\"a\",\"b\"]},"
		 "{\"name\":\"h\",\"kind\":\"categorical\",\"values\":[\"x\"],\"cases\":[{\"if\":{\"g\":\"b\"},"
		 "\"values\":[\"y\"]}]}],"
		 "\"quota\":{\"fields\":[\"g\"],\"strata\":[{\"values\":{\"g\":\"a\"},\"share\":1},{\"values\":{\"g\":"
		 "\"b\"},\"share\":3}]}}");
	CHECK(s && s->nstrata == 2, "a quota schema loads with its strata");
	if (s) {
		long sb = strcmp(s->strata[0].label, "g=b") == 0 ? 0 : 1;
		a = sampler_new(s, 0);
		int forced = 1;
		for (uint64_t i = 0; i < 40; i++) {
			sampler_draw(a, i, sb);
			forced &= strcmp(sampler_values(a)[0].text, "b") == 0 &&
				  strcmp(sampler_values(a)[1].text, "y") == 0 && sampler_used(a)[0] == NULL;
		}
		CHECK(forced, "a stratum fixes its quota fields, and conditions on them follow");
		CHECK(s->strata[sb].share == 0.75, "stratum shares are normalised (3 of 1 + 3)");
		sampler_free(a);
		schema_free(s);
	}
	buf_free(&record_text);
	unlink(path);
	return UNIT_DONE();
}
