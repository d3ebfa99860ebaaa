/* The one line reader: operands in order, FILE:LINE, cut lines, gzip, damaged input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "lines.h"
#include "msg.h"
#include "unit.h"

static void write_gzip(const char *name, const char *data, size_t len)
{
	gzFile g = gzopen(unit_path(name), "wb");
	gzwrite(g, data, (unsigned)len);
	gzclose(g);
}

static void collect(void *arg, const char *p, size_t n)
{
	buf_add(arg, p, n);
}

static void test_operands_in_order(void)
{
	unit_write_file("a.txt", "one\ntwo\r\n\nthree", 15);
	unit_write_file("b.txt", "four\n", 5);
	char *paths[] = { unit_path("a.txt"), unit_path("missing.txt"), unit_path("b.txt") };
	struct lines *l = lines_open(paths, 3, 4, LINES_DAMAGE_AFTER_LINE);
	struct buf line = BUF_INIT, seen = BUF_INIT;
	int too_long;
	while (lines_next_input(l)) {
		while (lines_read(l, &line, 100, &too_long))
			buf_addf(&seen, "%s:%ld=%s|", strrchr(lines_path(l), '/') + 1, lines_number(l), line.data);
	}
	CHECK_STR(seen.data, "a.txt:1=one|a.txt:2=two\r|a.txt:3=|a.txt:4=three|b.txt:1=four|",
		  "every line of every operand, numbered per file, CR kept, last line without newline");
	CHECK(lines_errors(l) == 1, "an operand that cannot be opened is counted and skipped");
	CHECK(!lines_next_input(l), "no operand is left at the end");
	lines_close(l);
	buf_free(&line);
	buf_free(&seen);
}

static void test_cut_lines(void)
{
	unit_write_file("long.txt", "abcdefghij\nxy\nklmnop", 20);
	char *paths[] = { unit_path("long.txt") };
	struct lines *l = lines_open(paths, 1, 3, LINES_DAMAGE_AFTER_LINE);
	struct buf line = BUF_INIT, rest = BUF_INIT;
	int too_long;
	lines_next_input(l);
	CHECK(lines_read(l, &line, 4, &too_long) && too_long, "a line longer than the cap is cut");
	CHECK_STR(line.data, "abcd", "the first cap bytes are handed out");
	CHECK(lines_current(l) == 1, "the rest of the cut line is still on line 1");
	lines_rest(l, collect, &rest);
	buf_adds(&rest, "");
	CHECK_STR(rest.data, "efghij", "lines_rest passes the rest of the line, not its newline");
	CHECK(lines_read(l, &line, 4, &too_long) && !too_long && strcmp(line.data, "xy") == 0 && lines_number(l) == 2,
	      "the next line follows, numbered 2");
	CHECK(lines_read(l, &line, 4, &too_long) && too_long, "a cut last line without a newline");
	lines_rest(l, NULL, NULL);
	CHECK(!lines_read(l, &line, 4, &too_long), "then the end of the operand");
	lines_close(l);
	buf_free(&line);
	buf_free(&rest);
}

static void test_gzip_and_bytes(void)
{
	write_gzip("z.gz", "x,y\nz\n", 6);
	char *paths[] = { unit_path("z.gz") };
	struct lines *l = lines_open(paths, 1, 2, LINES_DAMAGE_AT_LINE);
	lines_next_input(l);
	struct buf got = BUF_INIT;
	int c;
	while ((c = lines_getc(l)) >= 0)
		buf_addc(&got, (char)c);
	buf_adds(&got, "");
	CHECK_STR(got.data, "x,y\nz\n", "gzip input is decompressed transparently, byte by byte");
	CHECK(lines_current(l) == 3, "byte-wise reading still counts the lines");
	lines_close(l);
	buf_free(&got);
}

static void test_damaged_gzip(void)
{
	struct buf data = BUF_INIT;
	for (int i = 0; i < 20000; i++)
		buf_addf(&data, "line %d of some text that compresses\n", i);
	uLongf len = compressBound(data.len) + 64;
	/* a gzip file cut in the middle */
	write_gzip("full.gz", data.data, data.len);
	FILE *f = fopen(unit_path("full.gz"), "rb");
	char *bytes = malloc(len);
	size_t n = fread(bytes, 1, len, f);
	fclose(f);
	unit_write_file("cut.gz", bytes, n / 2);
	free(bytes);
	char *paths[] = { unit_path("cut.gz"), unit_path("cut.gz") };
	struct lines *l = lines_open(paths, 2, 1024, LINES_DAMAGE_AFTER_LINE);
	struct buf line = BUF_INIT;
	int too_long;
	long lines = 0;
	while (lines_next_input(l)) {
		while (lines_read(l, &line, 100, &too_long))
			lines++;
	}
	CHECK(lines > 0 && lines < 40000, "a damaged stream gives the lines before the damage");
	CHECK(lines_errors(l) == 2, "the damage is reported once per operand");
	lines_close(l);
	buf_free(&line);
	buf_free(&data);
}

int main(void)
{
	msg_set_program("test-lines");
	msg_mute(1);
	if (unit_scratch_open("test-lines") < 0)
		return 1;
	test_operands_in_order();
	test_cut_lines();
	test_gzip_and_bytes();
	test_damaged_gzip();
	if (unit_scratch_remove() < 0)
		return 1;
	return UNIT_DONE();
}
