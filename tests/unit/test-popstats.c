/* popstats: observed against expected counts, conditional targets as mixtures, TVD
 * and the quota table. Expected figures come from the schema's weights by hand;
 * observed ones are counted here from the drawn values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonfile.h"
#include "jsonl.h"
#include "popstats.h"
#include "sampler.h"
#include "schema.h"
#include "unit.h"

static char path[64], out[64];

static int member_is(jv doc, const char *a, const char *b, const char *want)
{
	jv v = jv_object_get(jv_copy(doc), jv_string(a));
	if (b)
		v = jv_object_get(v, jv_string(b));
	jv w = jv_parse(want);
	int same = jv_equal(jv_copy(v), jv_copy(w));
	if (!same) {
		jv text = jv_dump_string(v, 0);
		printf("#   got:  %s\n#   want: %s\n", jv_string_value(text), want);
		jv_free(text);
	} else {
		jv_free(v);
	}
	jv_free(w);
	return same;
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-popstats-%ld.json", (long)getpid());
	snprintf(out, sizeof out, "/tmp/test-popstats-%ld.out", (long)getpid());
	FILE *f = fopen(path, "w");
	fputs("{\"name\":\"ps\",\"fields\":["
	      "{\"name\":\"g\",\"kind\":\"categorical\",\"values\":[\"a\",\"b\"]},"
	      "{\"name\":\"h\",\"kind\":\"categorical\",\"values\":[\"x\",\"y\"],\"cases\":[{\"if\":{\"g\":\"b\"},"
	      "\"values\":[\"y\"]}]},"
	      "{\"name\":\"n\",\"kind\":\"integer\",\"min\":5,\"max\":5},"
	      "{\"name\":\"pets\",\"kind\":\"list\",\"values\":[\"cat\",\"dog\"],\"k\":2},"
	      "{\"name\":\"k\",\"kind\":\"constant\",\"value\":1}],"
	      "\"quota\":{\"fields\":[\"g\"],\"strata\":[{\"values\":{\"g\":\"a\"},\"share\":1},{\"values\":{\"g\":"
	      "\"b\"},\"share\":1}]}}",
	      f);
	fclose(f);
	struct schema *s = schema_load(path);
	CHECK(s && s->nstrata == 2, "the schema loads");
	if (!s)
		return UNIT_DONE();
	long sa = strcmp(s->strata[0].label, "g=a") == 0 ? 0 : 1, sb = 1 - sa;
	struct sampler *sm = sampler_new(s, 3);
	struct popstats *ps = popstats_new(s);
	/* Two records in stratum a (h drawn from x:1, y:1), two in b (h from the case: y). */
	int hx = 0;
	long strata[4] = { sa, sa, sb, sb };
	for (int i = 0; i < 4; i++) {
		sampler_draw(sm, (uint64_t)i, strata[i]);
		hx += strcmp(sampler_values(sm)[1].text, "x") == 0;
		popstats_add(ps, sm, strata[i]);
	}
	uint64_t allocated[2];
	allocated[sa] = 2;
	allocated[sb] = 2;
	CHECK(popstats_write(ps, allocated, 3, 10, out) == 0, "the statistics are written");
	jv doc = json_read_file(out, 1 << 20);
	CHECK(jv_get_kind(doc) == JV_KIND_OBJECT, "as one JSON document");

	CHECK(member_is(doc, "schema", NULL, "\"ps@1\"") && member_is(doc, "seed", NULL, "3") &&
		      member_is(doc, "offset", NULL, "10") && member_is(doc, "records", NULL, "4"),
	      "schema, seed, offset, records");
	CHECK(member_is(doc, "fields", "g",
			"{\"kind\":\"categorical\",\"observed\":{\"a\":2,\"b\":2},"
			"\"expected\":{\"a\":2,\"b\":2},\"tvd\":0}"),
	      "a quota field is expected to match its allocation");
	/* h expected: x 2 * 1/2 = 1; y 2 * 1/2 + 2 * 1 = 3 (the case's share is certain).
	 * observed: hx x, 4 - hx y; tvd = (|hx - 1| + |4 - hx - 3|) / 2 / 4 */
	char want[256];
	double tvd = (fabs(hx - 1.0) + fabs(1.0 - hx)) / 2 / 4;
	snprintf(want, sizeof want,
		 "{\"kind\":\"categorical\",\"observed\":{\"x\":%d,\"y\":%d},"
		 "\"expected\":{\"x\":1,\"y\":3},\"tvd\":%g}",
		 hx, 4 - hx, tvd);
	CHECK(member_is(doc, "fields", "h", want),
	      "a conditional field is judged against the mixture of its cases (%d x)", hx);
	CHECK(member_is(doc, "fields", "n",
			"{\"kind\":\"integer\",\"observed\":{\"5\":4},\"expected\":{\"5\":4},\"tvd\":0}"),
	      "small integer ranges are counted per value");
	CHECK(member_is(doc, "fields", "pets",
			"{\"kind\":\"list\",\"observed\":{\"cat\":4,\"dog\":4},\"expected\":null,\"tvd\":null}"),
	      "lists count inclusions and give no expectation");
	CHECK(member_is(doc, "fields", "k", "{\"kind\":\"constant\"}"), "constants are only named");
	char quota[512];
	snprintf(quota, sizeof quota,
		 "{\"fields\":[\"g\"],\"strata\":[{\"stratum\":\"%s\",\"share\":0.5,\"target\":2,\"allocated\":2,"
		 "\"observed\":2},{\"stratum\":\"%s\",\"share\":0.5,\"target\":2,\"allocated\":2,\"observed\":2}],"
		 "\"unmatched\":0,\"max_abs_error\":0,\"max_target_deviation\":0}",
		 s->strata[0].label, s->strata[1].label);
	CHECK(member_is(doc, "quota", NULL, quota), "the quota table: target = share x records, exact allocation");
	jv_free(doc);

	/* A record claimed for a stratum it does not match is counted as unmatched. */
	sampler_draw(sm, 9, sa);
	popstats_add(ps, sm, sb);
	allocated[sb] = 3;
	popstats_write(ps, allocated, 3, 10, out);
	doc = json_read_file(out, 1 << 20);
	jv q = jv_object_get(jv_copy(doc), jv_string("quota"));
	jv un = jv_object_get(jv_copy(q), jv_string("unmatched")), err = jv_object_get(q, jv_string("max_abs_error"));
	/* stratum b: allocated 3, observed 2: error 1; one unmatched record */
	CHECK(jv_number_value(un) == 1 && jv_number_value(err) == 1, "a mismatch shows as unmatched and as error");
	jv_free(un);
	jv_free(err);
	jv_free(doc);

	char bad[128];
	snprintf(bad, sizeof bad, "%s.missing/x", out);
	CHECK(popstats_write(ps, allocated, 3, 10, bad) == -1, "an unwritable path is an error");
	popstats_free(ps);
	sampler_free(sm);
	schema_free(s);
	unlink(out);
	unlink(path);
	return UNIT_DONE();
}
