#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "buf.h"
#include "interrupt.h"
#include "jsonl.h"
#include "jsontext.h"
#include "jvutil.h"
#include "lines.h"
#include "msg.h"

#define CHUNK (256 * 1024)
#define READ_SIZE (16 * 1024)

/* ---------- writer ---------- */

struct jsonl_writer {
	const char *path; /* for messages */
	FILE *file; /* plain output */
	gzFile gz; /* gzip output */
	int line_flush;
	int reader_gone; /* EPIPE: whatever is written from now on is dropped */
	struct buf line;
};

/* ".gz" in any case: OUT.JSONL.GZ is compressed too. */
static int ends_with_nocase(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

struct jsonl_writer *jsonl_writer_open(const char *path)
{
	struct jsonl_writer *w = xcalloc(1, sizeof *w);
	/* A closed downstream pipe must show up as EPIPE from write, not kill us. */
	signal(SIGPIPE, SIG_IGN);
	if (!path || strcmp(path, "-") == 0) {
		w->path = "stdout";
		w->file = stdout;
	} else if (ends_with_nocase(path, ".gz")) {
		w->path = path;
		w->gz = gzopen(path, "wb6");
		if (!w->gz) {
			errorf("cannot open '%s' for writing: %s", path, strerror(errno ? errno : ENOMEM));
			free(w);
			return NULL;
		}
		gzbuffer(w->gz, CHUNK);
	} else {
		w->path = path;
		w->file = fopen(path, "w");
		if (!w->file) {
			errorf("cannot open '%s' for writing: %s", path, strerror(errno));
			free(w);
			return NULL;
		}
	}
	if (w->file)
		setvbuf(w->file, NULL, _IOFBF, CHUNK);
	return w;
}

void jsonl_writer_line_flush(struct jsonl_writer *w, int on)
{
	w->line_flush = on;
}

static void write_failed(struct jsonl_writer *w, int err)
{
	if (err != EPIPE)
		fatalf(EXIT_SOME_FAILED, "cannot write to '%s': %s", w->path, strerror(err));
	/* The reader wanted no more (`... | head`): not an error. Stop like an interrupt,
	 * quietly and with status 0, so the program still finishes its other outputs and
	 * frees what it holds; later writes here are dropped. */
	w->reader_gone = 1;
	interrupt_output_closed();
}

static void put(struct jsonl_writer *w, const char *p, size_t n)
{
	if (n == 0 || w->reader_gone)
		return; /* p may be NULL (an empty buffer), and fwrite(NULL, ...) is undefined */
	if (w->gz) {
		if (gzwrite(w->gz, p, (unsigned)n) != (int)n) {
			int zerr;
			const char *why = gzerror(w->gz, &zerr);
			if (zerr == Z_ERRNO) {
				write_failed(w, errno);
				return;
			}
			fatalf(EXIT_SOME_FAILED, "cannot write to '%s': %s", w->path, why);
		}
		return;
	}
	if (fwrite(p, 1, n, w->file) != n)
		write_failed(w, errno);
}

void jsonl_writer_flush(struct jsonl_writer *w)
{
	if (w->reader_gone)
		return;
	if (w->gz) {
		if (gzflush(w->gz, Z_SYNC_FLUSH) != Z_OK)
			write_failed(w, errno ? errno : EIO);
	} else if (fflush(w->file) != 0) {
		write_failed(w, errno);
	}
}

void jsonl_write_line(struct jsonl_writer *w, const char *text, size_t len)
{
	put(w, text, len);
	if (len == 0 || text[len - 1] != '\n')
		put(w, "\n", 1);
	if (w->line_flush)
		jsonl_writer_flush(w);
}

void jsonl_write(struct jsonl_writer *w, jv record)
{
	buf_reset(&w->line);
	jvu_dump(record, &w->line);
	jv_free(record);
	jsonl_write_line(w, w->line.data, w->line.len);
}

int jsonl_writer_close(struct jsonl_writer *w)
{
	if (!w)
		return 0;
	int rc = 0;
	/* After EPIPE the pipe stays broken: closing it fails again, and that is no error. */
	if (w->gz) {
		if (gzclose(w->gz) != Z_OK && !w->reader_gone) {
			errorf("cannot write to '%s': %s", w->path, strerror(errno ? errno : EIO));
			rc = -1;
		}
	} else if (w->file == stdout) {
		if (!w->reader_gone && fflush(stdout) != 0)
			write_failed(w, errno);
	} else if (fclose(w->file) != 0 && !w->reader_gone) {
		errorf("cannot write to '%s': %s", w->path, strerror(errno));
		rc = -1;
	}
	buf_free(&w->line);
	free(w);
	return rc;
}

/* ---------- reader ---------- */

struct jsonl_reader {
	struct lines *in;
	long max_line_bytes;
	struct jsonl_writer *rejects;

	struct buf line; /* the current line, NUL-terminated, without its newline */
	const char *path; /* where the current line is, for messages */
	long line_no;
	char where[512];

	size_t errors;
	size_t records;

	/* Lines read ahead by jsonl_lookahead, handed out again by jsonl_read. */
	struct queued_line *queue;
	size_t queue_len, queue_next;
};

struct queued_line {
	char *text;
	size_t len;
	const char *path;
	long line_no;
};

struct jsonl_reader *jsonl_reader_open(char *const *paths, int npaths, long max_line_bytes,
				       struct jsonl_writer *rejects)
{
	struct jsonl_reader *r = xcalloc(1, sizeof *r);
	/* Small reads: when a gzip stream turns out damaged, zlib discards what the failing
	 * read had already decompressed, so a small read loses at most a few lines. */
	r->in = lines_open(paths, npaths, READ_SIZE, LINES_DAMAGE_AFTER_LINE);
	r->max_line_bytes = max_line_bytes > 0 ? max_line_bytes : 16L * 1024 * 1024;
	r->rejects = rejects;
	return r;
}

static void route_reject(struct jsonl_reader *r, const char *reason)
{
	errorf("%s: %s", jsonl_where(r), reason);
	r->errors++;
	if (r->rejects)
		jsonl_write_line(r->rejects, r->line.data, r->line.len);
}

static void put_reject(void *arg, const char *p, size_t n)
{
	put(arg, p, n);
}

/* The rest of an over-long line goes straight to the rejects file, never to memory. */
static void skip_long_line(struct jsonl_reader *r)
{
	errorf("%s: line longer than %ld bytes", jsonl_where(r), r->max_line_bytes);
	r->errors++;
	if (r->rejects)
		put(r->rejects, r->line.data, r->line.len);
	lines_rest(r->in, r->rejects ? put_reject : NULL, r->rejects);
	if (r->rejects)
		jsonl_write_line(r->rejects, "", 0);
	buf_reset(&r->line);
}

/* The next line of the input itself into r->line: 1, 0 at the end of all input, -1 for
 * a line that was too long (already reported and skipped). */
static int read_live_line(struct jsonl_reader *r)
{
	int got = 0;
	for (;;) {
		if (!lines_have_input(r->in) && !lines_next_input(r->in))
			break;
		int too_long = 0;
		got = lines_read(r->in, &r->line, (size_t)r->max_line_bytes, &too_long);
		if (got && too_long)
			got = -1;
		if (got)
			break;
		lines_end_input(r->in);
	}
	r->path = lines_path(r->in);
	r->line_no = lines_number(r->in);
	if (got < 0)
		skip_long_line(r);
	if (got > 0 && r->line.len && r->line.data[r->line.len - 1] == '\r')
		r->line.data[--r->line.len] = '\0';
	return got;
}

static int blank(const struct buf *line)
{
	for (size_t i = 0; i < line->len; i++)
		if (!strchr(" \t\r", line->data[i]))
			return 0;
	return 1;
}

/* The next physical line into r->line: a queued one first, then the input itself.
 * 1, 0 at the end of all input, -1 for a line too long (already reported). */
static int next_line(struct jsonl_reader *r)
{
	if (r->queue_next < r->queue_len) {
		struct queued_line *q = &r->queue[r->queue_next++];
		buf_reset(&r->line);
		buf_add(&r->line, q->text, q->len);
		r->path = q->path;
		r->line_no = q->line_no;
		free(q->text);
		if (r->queue_next == r->queue_len) {
			free(r->queue);
			r->queue = NULL;
			r->queue_len = r->queue_next = 0;
		}
		return 1;
	}
	return read_live_line(r);
}

jv jsonl_lookahead(struct jsonl_reader *r, size_t max_records, size_t max_bytes)
{
	jv records = jv_array();
	if (r->queue_len)
		return records; /* only once, before the first jsonl_read */
	size_t n = 0, bytes = 0, cap = 0;
	while (n < max_records && bytes < max_bytes) {
		int got = read_live_line(r);
		if (got == 0)
			break;
		if (got < 0)
			continue;
		if (r->queue_len + 1 > cap) {
			cap = cap ? cap * 2 : 64;
			r->queue = xrealloc(r->queue, cap * sizeof *r->queue);
		}
		struct queued_line *q = &r->queue[r->queue_len++];
		q->text = xmalloc(r->line.len + 1);
		if (r->line.len)
			memcpy(q->text, r->line.data, r->line.len);
		q->text[r->line.len] = '\0';
		q->len = r->line.len;
		q->path = r->path;
		q->line_no = r->line_no;
		bytes += r->line.len;
		if (blank(&r->line) || memchr(q->text, '\0', q->len) || !utf8_valid(q->text, q->len))
			continue;
		jv v = json_parse(q->text, q->len);
		if (jv_get_kind(v) == JV_KIND_OBJECT) {
			records = jv_array_append(records, v);
			n++;
		} else {
			jv_free(v);
		}
	}
	return records;
}

int jsonl_read(struct jsonl_reader *r, jv *record)
{
	for (;;) {
		int got = next_line(r);
		if (got == 0)
			return 0;
		if (got < 0 || blank(&r->line))
			continue;
		if (memchr(r->line.data, '\0', r->line.len)) {
			route_reject(r, "line contains a NUL byte");
			continue;
		}
		if (!utf8_valid(r->line.data, r->line.len)) {
			route_reject(r, "line is not valid UTF-8");
			continue;
		}
		jv v = json_parse(r->line.data, r->line.len);
		if (!jv_is_valid(v)) {
			jv msg = jv_invalid_get_msg(v);
			char reason[600];
			snprintf(reason, sizeof reason, "not JSON: %s",
				 jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : "parse error");
			jv_free(msg);
			route_reject(r, reason);
			continue;
		}
		if (jv_get_kind(v) != JV_KIND_OBJECT) {
			char reason[128];
			snprintf(reason, sizeof reason, "expected an object, got %s", jvu_kind_name(jv_get_kind(v)));
			jv_free(v);
			route_reject(r, reason);
			continue;
		}
		r->records++;
		*record = v;
		return 1;
	}
}

const char *jsonl_where(const struct jsonl_reader *r)
{
	struct jsonl_reader *m = (struct jsonl_reader *)r;
	snprintf(m->where, sizeof m->where, "%s:%ld", r->path ? r->path : "stdin", r->line_no);
	return m->where;
}

long jsonl_line(const struct jsonl_reader *r)
{
	return r->line_no;
}

const char *jsonl_raw(const struct jsonl_reader *r, size_t *len)
{
	if (len)
		*len = r->line.len;
	return r->line.data ? r->line.data : "";
}

void jsonl_reject(struct jsonl_reader *r, const char *reason)
{
	route_reject(r, reason);
}

size_t jsonl_errors(const struct jsonl_reader *r)
{
	return r->errors + lines_errors(r->in);
}

size_t jsonl_records(const struct jsonl_reader *r)
{
	return r->records;
}

void jsonl_reader_close(struct jsonl_reader *r)
{
	if (!r)
		return;
	lines_close(r->in);
	for (size_t i = r->queue_next; i < r->queue_len; i++)
		free(r->queue[i].text);
	free(r->queue);
	buf_free(&r->line);
	free(r);
}
