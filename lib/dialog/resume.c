#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "intern.h"
#include "jsonl.h"
#include "jvutil.h"
#include "msg.h"
#include "resume.h"

struct resume_set {
	struct intern *ids;
};

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Cut a trailing partial line (no final newline) off a plain file, in place, so the
 * file's inode stays the same for a shell that holds it open for appending. */
static void cut_partial_line(const char *path)
{
	if (ends_with(path, ".gz"))
		return;
	int fd = open(path, O_RDWR);
	if (fd < 0)
		return;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
		close(fd);
		return;
	}
	off_t end = st.st_size;
	char chunk[4096];
	off_t pos = end;
	off_t keep = 0;
	int found = 0;
	while (pos > 0 && !found) {
		size_t n = pos >= (off_t)sizeof chunk ? sizeof chunk : (size_t)pos;
		pos -= (off_t)n;
		if (pread(fd, chunk, n, pos) != (ssize_t)n)
			break;
		for (size_t i = n; i-- > 0;) {
			if (chunk[i] == '\n') {
				keep = pos + (off_t)i + 1;
				found = 1;
				break;
			}
		}
	}
	if (keep < end && (found || pos == 0)) {
		warnf("'%s' ends in a partial line (%lld bytes): cutting it off before resuming", path,
		      (long long)(end - keep));
		if (ftruncate(fd, keep) < 0)
			warnf("cannot cut '%s': %s", path, strerror(errno));
	}
	close(fd);
}

struct resume_set *resume_load(const char *path, long max_line_bytes)
{
	if (access(path, F_OK) != 0) {
		/* Nothing to resume yet: the first run of a resumable job. */
		struct resume_set *s = xcalloc(1, sizeof *s);
		s->ids = intern_new();
		return s;
	}
	cut_partial_line(path);
	char *paths[1] = { (char *)path };
	struct jsonl_reader *r = jsonl_reader_open(paths, 1, max_line_bytes, NULL);
	struct resume_set *s = xcalloc(1, sizeof *s);
	s->ids = intern_new();
	jv record;
	while (jsonl_read(r, &record)) {
		jv id = jvu_get_borrow(record, "id");
		jv status = jvu_get_borrow(record, "status");
		if (jv_get_kind(id) == JV_KIND_STRING && jv_get_kind(status) == JV_KIND_STRING &&
		    strcmp(jv_string_value(status), "ok") == 0)
			intern_str(s->ids, jv_string_value(id));
		jv_free(id);
		jv_free(status);
		jv_free(record);
	}
	jsonl_reader_close(r);
	return s;
}

int resume_done(const struct resume_set *s, const char *id)
{
	return s && intern_find(s->ids, id, strlen(id)) != NULL;
}

size_t resume_count(const struct resume_set *s)
{
	return s ? intern_count(s->ids) : 0;
}

void resume_free(struct resume_set *s)
{
	if (!s)
		return;
	intern_free(s->ids);
	free(s);
}
