/* RFC 4180 rows: quoting, line ends, syntax problems named, memory bounded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "lines.h"
#include "msg.h"
#include "unit.h"

static char dir[] = "/tmp/test-csv.XXXXXX";
static char path[300];

/* A reader over text written to a file. */
static struct lines *reader_of(const char *text)
{
	snprintf(path, sizeof path, "%s/in.csv", dir);
	FILE *f = fopen(path, "wb");
	fwrite(text, 1, strlen(text), f);
	fclose(f);
	static char *paths[1];
	paths[0] = path;
	struct lines *l = lines_open(paths, 1, 7, LINES_DAMAGE_AT_LINE);
	lines_next_input(l);
	return l;
}

static void test_quoting(void)
{
	struct lines *l = reader_of("a,\"b,c\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",,x\nlast");
	struct csv_row row = { 0 };
	CHECK(csv_read_row(l, &row, 1000) && row.nfields == 3 && !row.error, "a row of three fields, CRLF ended");
	CHECK_STR(csv_field(&row, 1), "b,c", "a quoted field keeps its commas");
	CHECK_STR(csv_field(&row, 2), "say \"hi\"", "doubled quotes are one quote");
	CHECK_STR(row.raw.data ? row.raw.data : "", "a,\"b,c\",\"say \"\"hi\"\"\"\r\n", "raw holds the row as read");
	CHECK(csv_read_row(l, &row, 1000) && row.line == 2 && row.nfields == 3, "the next row starts at line 2");
	CHECK_STR(csv_field(&row, 0), "two\nlines", "a quoted field keeps its newline");
	CHECK_STR(csv_field(&row, 1), "", "an empty field");
	CHECK_STR(csv_field(&row, 7), "", "a field past the end reads as empty");
	CHECK(csv_read_row(l, &row, 1000) && row.line == 4 && row.nfields == 1 &&
		      strcmp(csv_field(&row, 0), "last") == 0,
	      "a last row without a line end");
	CHECK(!csv_read_row(l, &row, 1000), "then the end of the input");
	csv_row_free(&row);
	lines_close(l);
}

static void test_problems(void)
{
	struct lines *l = reader_of("\"a\"b,c\n\"open,d\n");
	struct csv_row row = { 0 };
	CHECK(csv_read_row(l, &row, 1000), "a row with text after a closing quote is still read");
	CHECK_STR(row.error ? row.error : "", "text after a closing quote", "and its problem named");
	CHECK(csv_read_row(l, &row, 1000), "an unterminated quote reads to the end of the input");
	CHECK_STR(row.error ? row.error : "", "unterminated quoted field at end of input", "and is named");
	csv_row_free(&row);
	lines_close(l);
}

static void test_overflow(void)
{
	struct lines *l = reader_of("aaaaaaaaaa,bbbbbbbbbb\nc,d\n");
	struct csv_row row = { 0 };
	CHECK(csv_read_row(l, &row, 8) && row.overflow && row.nfields == 2, "a row past the cap is read to its end");
	CHECK_STR(csv_field(&row, 0), "", "but nothing of it is kept");
	CHECK(csv_read_row(l, &row, 8) && !row.overflow && strcmp(csv_field(&row, 1), "d") == 0,
	      "the next row is whole again");
	csv_row_free(&row);
	lines_close(l);
}

int main(void)
{
	msg_set_program("test-csv");
	if (!mkdtemp(dir))
		return 1;
	test_quoting();
	test_problems();
	test_overflow();
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 1;
	return UNIT_DONE();
}
