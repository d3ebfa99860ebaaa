#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "input.h"
#include "lines.h"
#include "msg.h"

struct lines {
	char *const *paths;
	int npaths;
	int next_path; /* index of the next operand to open */
	const char *path; /* the current operand, for messages */
	gzFile in;
	enum lines_damage damage;

	char *chunk; /* decompressed bytes not yet consumed */
	size_t read_size, chunk_len, chunk_pos;
	int at_eof;

	long number; /* the last line handed out */
	long newlines; /* newlines consumed in this operand */
	int cut; /* the rest of a cut line is still unread */
	size_t errors;
};

struct lines *lines_open(char *const *paths, int npaths, size_t read_size, enum lines_damage damage)
{
	static char *const stdin_only[] = { "-" };
	struct lines *l = xcalloc(1, sizeof *l);
	l->paths = npaths > 0 ? paths : stdin_only;
	l->npaths = npaths > 0 ? npaths : 1;
	l->read_size = read_size;
	l->damage = damage;
	l->chunk = xmalloc(read_size);
	return l;
}

void lines_end_input(struct lines *l)
{
	if (l->in)
		gzclose(l->in);
	l->in = NULL;
}

int lines_next_input(struct lines *l)
{
	lines_end_input(l);
	while (l->next_path < l->npaths) {
		const char *path = l->paths[l->next_path++];
		l->number = l->newlines = 0;
		l->at_eof = l->cut = 0;
		l->chunk_len = l->chunk_pos = 0;
		if (strcmp(path, "-") == 0) {
			l->path = "stdin";
			l->in = gzdopen(dup(STDIN_FILENO), "rb");
		} else {
			l->path = path;
			l->in = gzopen(path, "rb");
		}
		if (!l->in) {
			errorf("cannot open '%s': %s", path, strerror(errno ? errno : ENOMEM));
			l->errors++;
			continue;
		}
		gzbuffer(l->in, (unsigned)l->read_size);
		return 1;
	}
	return 0;
}

int lines_have_input(const struct lines *l)
{
	return l->in != NULL;
}

/* Refill the chunk; 0 at the end of this operand (reporting a damaged gzip stream). */
static int fill(struct lines *l)
{
	if (l->at_eof || !l->in)
		return 0;
	const char *why = NULL;
	int n = input_read(l->in, l->chunk, (unsigned)l->read_size, &why);
	if (n > 0) {
		l->chunk_len = (size_t)n;
		l->chunk_pos = 0;
		return 1;
	}
	l->at_eof = 1;
	if (n < 0) {
		if (l->damage == LINES_DAMAGE_AT_LINE)
			errorf("%s: damaged input at line %ld: %s", l->path, l->newlines + 1, why);
		else
			errorf("%s: damaged input after line %ld: %s", l->path, l->number, why);
		l->errors++;
	}
	return 0;
}

int lines_read(struct lines *l, struct buf *line, size_t cap, int *too_long)
{
	buf_reset(line);
	buf_adds(line, "");
	*too_long = 0;
	int got_any = 0;
	for (;;) {
		if (l->chunk_pos == l->chunk_len && !fill(l))
			break;
		got_any = 1;
		char *start = l->chunk + l->chunk_pos;
		size_t avail = l->chunk_len - l->chunk_pos;
		char *nl = memchr(start, '\n', avail);
		size_t n = nl ? (size_t)(nl - start) : avail;
		if (line->len + n > cap) {
			size_t room = cap - line->len;
			buf_add(line, start, room);
			l->chunk_pos += room;
			l->cut = 1;
			*too_long = 1;
			break;
		}
		buf_add(line, start, n);
		l->chunk_pos += n;
		if (nl) {
			l->chunk_pos++;
			l->newlines++;
			break;
		}
	}
	if (got_any)
		l->number++;
	return got_any;
}

void lines_rest(struct lines *l, void (*sink)(void *arg, const char *p, size_t n), void *arg)
{
	if (!l->cut)
		return;
	l->cut = 0;
	for (;;) {
		if (l->chunk_pos == l->chunk_len && !fill(l))
			break;
		char *start = l->chunk + l->chunk_pos;
		char *nl = memchr(start, '\n', l->chunk_len - l->chunk_pos);
		size_t n = nl ? (size_t)(nl - start) : l->chunk_len - l->chunk_pos;
		if (sink && n)
			sink(arg, start, n);
		l->chunk_pos += n;
		if (nl) {
			l->chunk_pos++;
			l->newlines++;
			break;
		}
	}
}

int lines_getc(struct lines *l)
{
	if (l->chunk_pos == l->chunk_len && !fill(l))
		return -1;
	int c = (unsigned char)l->chunk[l->chunk_pos++];
	if (c == '\n')
		l->newlines++;
	return c;
}

const char *lines_path(const struct lines *l)
{
	return l->path;
}

long lines_number(const struct lines *l)
{
	return l->number;
}

long lines_current(const struct lines *l)
{
	return l->newlines + 1;
}

size_t lines_errors(const struct lines *l)
{
	return l->errors;
}

void lines_close(struct lines *l)
{
	if (!l)
		return;
	lines_end_input(l);
	free(l->chunk);
	free(l);
}
