/* resume: which ids an earlier run finished, and the cut of a partial last line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>

#include "capture.h"
#include "resume.h"
#include "unit.h"

static char path[64], gzpath[64];

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static char *read_file(void)
{
	static char text[1024];
	return unit_read_text(path, text, sizeof text);
}

static void load_body(void *arg)
{
	const char *which = arg;
	struct resume_set *s = resume_load(which, 1 << 20);
	printf("%zu", resume_count(s));
	resume_free(s);
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-resume-%ld.jsonl", (long)getpid());
	snprintf(gzpath, sizeof gzpath, "/tmp/test-resume-%ld.jsonl.gz", (long)getpid());

	struct resume_set *s = resume_load(path, 1 << 20);
	CHECK(s && resume_count(s) == 0 && !resume_done(s, "a"), "a missing file is a first run: nothing done");
	resume_free(s);

	write_file("{\"id\":\"a\",\"status\":\"ok\"}\n"
		   "{\"id\":\"b\",\"status\":\"failed\"}\n"
		   "{\"id\":\"c\"}\n"
		   "{\"id\":7,\"status\":\"ok\"}\n"
		   "{\"id\":\"d\",\"status\":\"ok\"}\n"
		   "{\"id\":\"a\",\"status\":\"ok\"}\n");
	s = resume_load(path, 1 << 20);
	/* done: a and d (a twice counts once); b failed, c has no status, 7 is no string id */
	CHECK(resume_count(s) == 2, "only string ids with status ok count, each once (got %zu)", resume_count(s));
	CHECK(resume_done(s, "a") && resume_done(s, "d"), "finished ids are done");
	CHECK(!resume_done(s, "b") && !resume_done(s, "c") && !resume_done(s, "7"),
	      "failed, unfinished and numeric ids are not");
	resume_free(s);
	CHECK(!resume_done(NULL, "a") && resume_count(NULL) == 0, "no set means nothing done");

	write_file("{\"id\":\"a\",\"status\":\"ok\"}\n{\"id\":\"b\",\"stat");
	struct captured c;
	capture(&c, load_body, path);
	CHECK_STR(c.out, "1", "a killed run's partial last line is not a record");
	char want[256];
	/* the partial line {"id":"b","stat is 15 bytes */
	snprintf(want, sizeof want,
		 "persona: warning: '%s' ends in a partial line (15 bytes): cutting it off before resuming\n", path);
	CHECK_STR(c.err, want, "the cut is announced with its size");
	CHECK_STR(read_file(), "{\"id\":\"a\",\"status\":\"ok\"}\n", "the file keeps its whole lines only");

	write_file("{\"id\":\"x\"");
	capture(&c, load_body, path);
	CHECK(strcmp(c.out, "0") == 0 && read_file()[0] == '\0', "a file of one partial line is cut to nothing");
	write_file("{\"id\":\"a\",\"status\":\"ok\"}\n");
	capture(&c, load_body, path);
	CHECK(strcmp(c.out, "1") == 0 && c.err[0] == '\0', "a file ending in a newline is left alone, silently");
	unlink(path);

	gzFile gz = gzopen(gzpath, "wb");
	gzputs(gz, "{\"id\":\"g\",\"status\":\"ok\"}\n{\"id\":\"h\",\"status\":\"ok\"}");
	gzclose(gz);
	struct stat before, after;
	stat(gzpath, &before);
	s = resume_load(gzpath, 1 << 20);
	stat(gzpath, &after);
	CHECK(resume_done(s, "g") && resume_done(s, "h"), "a gzip output is read (its last line needs no newline)");
	CHECK(before.st_size == after.st_size, "a gzip file is never cut");
	resume_free(s);
	unlink(gzpath);
	return UNIT_DONE();
}
