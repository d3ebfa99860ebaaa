/* The JSONL reader and writer: good lines through, bad lines named and routed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "jsonl.h"
#include "jsontext.h"
#include "msg.h"
#include "unit.h"

static char *read_file(const char *name)
{
	FILE *f = fopen(unit_path(name), "rb");
	if (!f)
		return strdup("");
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	return b.data ? b.data : strdup("");
}

/* Read every record of the named files; ids joined by spaces into ids. */
static size_t read_all(const char *name, long max_bytes, const char *rejects_name, struct buf *ids)
{
	char *paths[1] = { (char *)unit_path(name) };
	struct jsonl_writer *rejects = rejects_name ? jsonl_writer_open(unit_path(rejects_name)) : NULL;
	struct jsonl_reader *r = jsonl_reader_open(paths, 1, max_bytes, rejects);
	jv rec;
	while (jsonl_read(r, &rec)) {
		jv id = jv_object_get(rec, jv_string("id"));
		if (ids->len)
			buf_addc(ids, ' ');
		buf_adds(ids, jv_get_kind(id) == JV_KIND_STRING ? jv_string_value(id) : "?");
		jv_free(id);
	}
	size_t errors = jsonl_errors(r);
	jsonl_reader_close(r);
	jsonl_writer_close(rejects);
	return errors;
}

int main(void)
{
	msg_set_program("test-jsonl");
	if (unit_scratch_open("test-jsonl") < 0)
		return 1;
	/* stderr carries the per-line messages; keep them out of the TAP stream. */
	freopen(unit_path("stderr.txt"), "w", stderr);

	const char mixed[] = "{\"id\":\"a\"}\n"
			     "not json\n"
			     "[1,2]\n"
			     "\n"
			     "{\"id\":\"b\"}\r\n"
			     "{\"id\":\"c\",\"bad\":\"\xff\"}\n"
			     "{\"id\":\"d\"}";
	unit_write_file("mixed.jsonl", mixed, sizeof mixed - 1);
	struct buf ids = BUF_INIT;
	size_t errors = read_all("mixed.jsonl", 1 << 20, "rejects.jsonl", &ids);
	CHECK_STR(ids.data, "a b d", "good lines are read, CRLF accepted, final line without newline read");
	CHECK(errors == 3, "three bad lines counted (got %zu)", errors);
	char *rejects = read_file("rejects.jsonl");
	CHECK_STR(rejects, "not json\n[1,2]\n{\"id\":\"c\",\"bad\":\"\xff\"}\n", "bad lines go to rejects verbatim");
	free(rejects);
	fflush(stderr);
	char *messages = read_file("stderr.txt");
	char want[1024];
	snprintf(want, sizeof want, "test-jsonl: %s:3: expected an object, got an array\n", unit_path("mixed.jsonl"));
	CHECK(strstr(messages, want) != NULL, "a non-object line is named by file and line");
	snprintf(want, sizeof want, "test-jsonl: %s:6: line is not valid UTF-8\n", unit_path("mixed.jsonl"));
	CHECK(strstr(messages, want) != NULL, "invalid UTF-8 is named by file and line");
	snprintf(want, sizeof want, "test-jsonl: %s:2: not JSON: ", unit_path("mixed.jsonl"));
	CHECK(strstr(messages, want) != NULL, "a non-JSON line is named by file and line");
	free(messages);

	struct buf big = BUF_INIT;
	buf_adds(&big, "{\"id\":\"first\"}\n{\"id\":\"");
	for (int i = 0; i < 300000; i++)
		buf_addc(&big, 'x');
	buf_adds(&big, "\"}\n{\"id\":\"last\"}\n");
	unit_write_file("long.jsonl", big.data, big.len);
	buf_reset(&ids);
	errors = read_all("long.jsonl", 1000, "long-rejects.jsonl", &ids);
	CHECK_STR(ids.data, "first last", "a line over --max-line-bytes is skipped, the next one read");
	char *long_rejects = read_file("long-rejects.jsonl");
	size_t line_len = big.len - strlen("{\"id\":\"first\"}\n") - strlen("{\"id\":\"last\"}\n");
	CHECK(errors == 1 && strlen(long_rejects) == line_len &&
		      memcmp(long_rejects, big.data + strlen("{\"id\":\"first\"}\n"), line_len) == 0,
	      "the over-long line is copied whole to rejects");
	free(long_rejects);
	buf_free(&big);

	gzFile gz = gzopen(unit_path("in.jsonl.gz"), "wb");
	gzputs(gz, "{\"id\":\"z1\"}\n{\"id\":\"z2\"}\n");
	gzclose(gz);
	buf_reset(&ids);
	errors = read_all("in.jsonl.gz", 1 << 20, NULL, &ids);
	CHECK_STR(ids.data, "z1 z2", "gzip input is read transparently");

	/* A gzip file cut short (its 8-byte trailer and more gone): the damage is reported. */
	FILE *f = fopen(unit_path("in.jsonl.gz"), "rb");
	char gzbytes[4096];
	size_t got = fread(gzbytes, 1, sizeof gzbytes, f);
	fclose(f);
	unit_write_file("cut.jsonl.gz", gzbytes, got - 10);
	buf_reset(&ids);
	errors = read_all("cut.jsonl.gz", 1 << 20, NULL, &ids);
	CHECK(errors >= 1, "a truncated gzip stream is reported as an error (errors=%zu, read '%s')", errors,
	      ids.data ? ids.data : "");

	struct jsonl_writer *w = jsonl_writer_open(unit_path("out.jsonl.gz"));
	jsonl_write(w, jv_parse("{\"b\":1,\"a\":[true,null]}"));
	jsonl_write_line(w, "{\"raw\":2}", 9);
	CHECK(jsonl_writer_close(w) == 0, "the gzip writer closes cleanly");
	gz = gzopen(unit_path("out.jsonl.gz"), "rb");
	char text[256] = { 0 };
	gzread(gz, text, sizeof text - 1);
	gzclose(gz);
	CHECK_STR(text, "{\"b\":1,\"a\":[true,null]}\n{\"raw\":2}\n",
		  "the writer keeps key order and writes one line per record");

	CHECK(utf8_valid("\xe2\x82\xac", 3) && !utf8_valid("\xed\xa0\x80", 3) && !utf8_valid("\xc0\xaf", 2) &&
		      !utf8_valid("\xe2\x82", 2),
	      "UTF-8 check accepts the euro sign, rejects surrogates, overlongs and cuts");
	buf_free(&ids);
	if (unit_scratch_remove() < 0)
		return 1;
	return UNIT_DONE();
}
