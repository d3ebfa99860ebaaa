/* input: chunked reads of plain and gzip files; damaged gzip is an error with a reason. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "input.h"
#include "unit.h"

static char path[64];

/* Everything input_read gives for the file, in chunks of size; the status of the end,
 * and the reason of an error copied to why (zlib's text lives only as long as the file). */
static char why_text[256];
static int read_all(unsigned size, char *into, size_t cap, const char **why)
{
	why_text[0] = '\0';
	gzFile in = gzopen(path, "rb");
	size_t have = 0;
	int n;
	char chunk[64];
	while ((n = input_read(in, chunk, size, why)) > 0) {
		if (have + (size_t)n < cap) {
			memcpy(into + have, chunk, (size_t)n);
			have += (size_t)n;
		}
	}
	into[have] = '\0';
	if (n < 0 && *why)
		snprintf(why_text, sizeof why_text, "%s", *why);
	*why = why_text;
	gzclose(in);
	return n;
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-input-%ld", (long)getpid());
	FILE *f = fopen(path, "w");
	fputs("{\"a\":1}\n{\"b\":2}\n", f);
	fclose(f);
	char text[256];
	const char *why = NULL;
	CHECK(read_all(5, text, sizeof text, &why) == 0, "a plain file ends with 0");
	CHECK_STR(text, "{\"a\":1}\n{\"b\":2}\n", "and is read whole, in chunks of any size");

	gzFile gz = gzopen(path, "wb");
	for (int i = 0; i < 10; i++)
		gzputs(gz, "line of text\n");
	gzclose(gz);
	CHECK(read_all(64, text, sizeof text, &why) == 0 && strlen(text) == 10 * 13,
	      "gzip is decompressed transparently");

	/* The same gzip, cut in the middle of its compressed stream. */
	f = fopen(path, "r+");
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	CHECK(truncate(path, size / 2) == 0, "a damaged copy");
	why = NULL;
	int end = read_all(64, text, sizeof text, &why);
	CHECK(end == -1 && *why, "a truncated gzip is an error with a reason (%s)", why);

	f = fopen(path, "w");
	fclose(f);
	CHECK(read_all(8, text, sizeof text, &why) == 0 && text[0] == '\0', "an empty file is at its end at once");
	unlink(path);
	return UNIT_DONE();
}
