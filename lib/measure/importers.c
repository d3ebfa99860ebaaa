#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "importers.h"
#include "jsonl.h"
#include "jsontext.h"
#include "jvutil.h"
#include "lines.h"
#include "msg.h"
#include "rng.h"

#define CHUNK (256 * 1024)
/* Changing this changes every persona_id ever written: never do. */
#define PERSONA_HASH_SEED 0x706572736f6e6131ULL

/* ---------- formats ---------- */

static const char *const format_names[] = { "personachat", "spc", "spasm", "chat" };

int import_format_parse(const char *name, enum import_format *format)
{
	for (size_t i = 0; i < sizeof format_names / sizeof *format_names; i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*format = (enum import_format)i;
			return 0;
		}
	}
	return -1;
}

const char *import_format_name(enum import_format format)
{
	return format_names[format];
}

const char *import_format_names(void)
{
	return "personachat, spc, spasm, chat";
}

/* ---------- text helpers ---------- */

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* s[0..*len) without white space at either end. */
static const char *trim(const char *s, size_t *len)
{
	size_t n = *len;
	while (n && is_space(*s)) {
		s++;
		n--;
	}
	while (n && is_space(s[n - 1]))
		n--;
	*len = n;
	return s;
}

static int has_prefix_nocase(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != tolower((unsigned char)prefix[i]))
			return 0;
	return 1;
}

static jv string_n(const char *s, size_t len)
{
	return jv_string_sized(s, (int)len);
}

/* The strings of an array joined with sep (non-strings skipped). arr is borrowed. */
static void join_strings(jv arr, const char *sep, struct buf *out)
{
	int n = jv_array_length(jv_copy(arr));
	for (int i = 0; i < n; i++) {
		jv s = jv_array_get(jv_copy(arr), i);
		if (jv_get_kind(s) == JV_KIND_STRING) {
			if (out->len)
				buf_adds(out, sep);
			buf_add(out, jv_string_value(s), (size_t)jv_string_length_bytes(jv_copy(s)));
		}
		jv_free(s);
	}
}

/* ---------- persona ids ---------- */

static void normalise(const char *s, struct buf *out)
{
	int space = 0;
	size_t start = out->len;
	for (; *s; s++) {
		if (is_space(*s)) {
			space = 1;
			continue;
		}
		if (space && out->len > start)
			buf_addc(out, ' ');
		space = 0;
		buf_addc(out, (char)tolower((unsigned char)*s));
	}
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *persona_id_of(const char *prefix, const char *const *texts, size_t n, int sort)
{
	char **norm = xcalloc(n ? n : 1, sizeof *norm);
	for (size_t i = 0; i < n; i++) {
		struct buf b = BUF_INIT;
		buf_adds(&b, "");
		normalise(texts[i], &b);
		norm[i] = b.data;
	}
	if (sort && n > 1)
		qsort(norm, n, sizeof *norm, compare_strings);
	struct buf joined = BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_addc(&joined, '\n');
		buf_adds(&joined, norm[i]);
		free(norm[i]);
	}
	free(norm);
	uint64_t h = rng_hash(joined.data ? joined.data : "", joined.len, PERSONA_HASH_SEED);
	buf_free(&joined);
	struct buf id = BUF_INIT;
	buf_addf(&id, "%s-%012llx", prefix, (unsigned long long)(h >> 16));
	return id.data;
}

/* The persona id of an array of sentences (borrowed), sorted, or NULL when it is empty. */
static char *sentences_persona_id(jv sentences)
{
	int n = jv_array_length(jv_copy(sentences));
	if (n <= 0)
		return NULL;
	const char **texts = xcalloc((size_t)n, sizeof *texts);
	jv *held = xcalloc((size_t)n, sizeof *held);
	for (int i = 0; i < n; i++) {
		held[i] = jv_array_get(jv_copy(sentences), i);
		texts[i] = jv_get_kind(held[i]) == JV_KIND_STRING ? jv_string_value(held[i]) : "";
	}
	char *id = persona_id_of("pc", texts, (size_t)n, 1);
	for (int i = 0; i < n; i++)
		jv_free(held[i]);
	free(held);
	free(texts);
	return id;
}

/* ---------- the conversation record ---------- */

/* Consumes persona (jv_invalid: none), turns and meta (jv_invalid: none). */
static jv conversation_record(const char *id, const char *persona_id, enum import_format format, jv persona,
		       const char *description, jv turns, jv meta)
{
	jv c = jv_object();
	c = jv_object_set(c, jv_string("id"), jv_string(id));
	c = jv_object_set(c, jv_string("persona_id"), jv_string(persona_id ? persona_id : id));
	c = jv_object_set(c, jv_string("index"), jv_number(0));
	c = jv_object_set(c, jv_string("source"), jv_string(import_format_name(format)));
	if (jv_is_valid(persona))
		c = jv_object_set(c, jv_string("persona"), persona);
	else
		jv_free(persona);
	c = jv_object_set(c, jv_string("description"), jv_string(description));
	c = jv_object_set(c, jv_string("turns"), turns);
	if (jv_is_valid(meta))
		c = jv_object_set(c, jv_string("source_meta"), meta);
	else
		jv_free(meta);
	return jv_object_set(c, jv_string("status"), jv_string("ok"));
}

static jv turn(const char *speaker, const char *text, size_t len)
{
	jv t = jv_object();
	t = jv_object_set(t, jv_string("speaker"), jv_string(speaker));
	return jv_object_set(t, jv_string("text"), string_n(text, len));
}

/* ---------- PersonaChat / ConvAI2 "self" text ---------- */

struct pc_dialogue {
	int open;
	int rejected;            /* reported already; collecting its lines for --rejects */
	int overflow;            /* its text passed the limit: not kept */
	long start_line;
	long last_number;
	uint64_t number;         /* position in the input, for the id */
	struct buf raw;          /* its lines as read */
	jv sentences, partner, turns;
};

/* ---------- CSV (RFC 4180) ---------- */

enum csv_state { CSV_FIELD_START, CSV_UNQUOTED, CSV_QUOTED, CSV_AFTER_QUOTE };

struct csv_row {
	long line;               /* where the row starts */
	struct buf raw;          /* the row as read, while it fits */
	struct buf text;         /* field bytes, each field NUL-terminated, while they fit */
	size_t *starts;          /* offsets of the kept fields in text */
	size_t nkept, cap;
	size_t nfields;          /* fields seen, kept or not */
	int overflow;
	const char *error;       /* the first problem found in its syntax */
};

struct spc_columns {
	jv names;                /* the header's fields */
	size_t n;
	long user1, user2, conversation;
};

struct importer {
	enum import_format format;
	long max_line_bytes;
	struct jsonl_writer *rejects;
	struct jsonl_reader *jsonl;      /* spasm, chat */
	struct lines *text;              /* personachat, spc */
	uint64_t conversations, rejected, units;
	/* personachat */
	struct buf line;
	struct pc_dialogue dlg;
	/* spc */
	struct csv_row row;
	struct spc_columns cols;
	int have_header;
};

/* "FILE:LINE: reason" on stderr, the unit's text to --rejects (NULL: not kept). */
static void reject_text(struct importer *im, long line, const char *reason, const struct buf *raw)
{
	errorf("%s:%ld: %s", lines_path(im->text), line, reason);
	im->rejected++;
	if (im->rejects && raw && raw->len)
		jsonl_write_line(im->rejects, raw->data, raw->len);
}

static void pc_reset(struct importer *im)
{
	struct pc_dialogue *d = &im->dlg;
	d->open = d->rejected = d->overflow = 0;
	d->last_number = 0;
	buf_reset(&d->raw);
	jv_free(d->sentences);
	jv_free(d->partner);
	jv_free(d->turns);
	d->sentences = jv_array();
	d->partner = jv_array();
	d->turns = jv_array();
}

static void pc_start(struct importer *im, long line)
{
	pc_reset(im);
	im->dlg.open = 1;
	im->dlg.start_line = line;
	im->dlg.number = ++im->units;
}

/* The open dialogue is bad: say why once, at line; its lines still go to --rejects. */
static void pc_reject(struct importer *im, long line, const char *reason)
{
	struct pc_dialogue *d = &im->dlg;
	if (d->rejected)
		return;
	errorf("%s:%ld: %s", lines_path(im->text), line, reason);
	im->rejected++;
	d->rejected = 1;
	jv_free(d->turns);
	d->turns = jv_array();
}

/* Close the open dialogue: its record, or jv_invalid() when it was rejected. */
static jv pc_finish(struct importer *im)
{
	struct pc_dialogue *d = &im->dlg;
	if (!d->open)
		return jv_invalid();
	d->open = 0;
	if (!d->rejected && jv_array_length(jv_copy(d->turns)) == 0)
		pc_reject(im, d->start_line, "dialogue has no utterances");
	if (d->rejected) {
		if (im->rejects && !d->overflow && d->raw.len)
			jsonl_write_line(im->rejects, d->raw.data, d->raw.len);
		return jv_invalid();
	}
	char id[64];
	snprintf(id, sizeof id, "personachat-%06llu", (unsigned long long)d->number);
	char *persona_id = sentences_persona_id(d->sentences);
	struct buf description = BUF_INIT;
	buf_adds(&description, "");
	join_strings(d->sentences, " ", &description);
	jv persona = jv_object();
	persona = jv_object_set(persona, jv_string("sentences"), d->sentences);
	if (jv_array_length(jv_copy(d->partner)) > 0)
		persona = jv_object_set(persona, jv_string("partner_sentences"), d->partner);
	else
		jv_free(d->partner);
	jv record = conversation_record(id, persona_id, IMPORT_PERSONACHAT, persona, description.data, d->turns,
				 jv_invalid());
	d->sentences = jv_array();
	d->partner = jv_array();
	d->turns = jv_array();
	free(persona_id);
	buf_free(&description);
	return record;
}

/* The leading line number of s[0..len): its value, and *rest after the space; -1 if none. */
static long pc_number(const char *s, size_t len, const char **rest)
{
	size_t i = 0;
	long n = 0;
	while (i < len && s[i] >= '0' && s[i] <= '9' && i < 9)
		n = n * 10 + (s[i++] - '0');
	if (i == 0 || i >= len || s[i] != ' ')
		return -1;
	*rest = s + i + 1;
	return n;
}

static void pc_add_turn(struct pc_dialogue *d, const char *speaker, const char *s, size_t len)
{
	s = trim(s, &len);
	if (len == 0 || (len == 11 && memcmp(s, "__SILENCE__", 11) == 0))
		return;
	d->turns = jv_array_append(d->turns, turn(speaker, s, len));
}

/* A good line's content: a persona sentence or an exchange of two columns. */
static void pc_content(struct pc_dialogue *d, const char *s, size_t len)
{
	static const char your[] = "your persona:", partner[] = "partner's persona:";
	if (len >= sizeof your - 1 && memcmp(s, your, sizeof your - 1) == 0) {
		size_t n = len - (sizeof your - 1);
		const char *t = trim(s + sizeof your - 1, &n);
		if (n)
			d->sentences = jv_array_append(d->sentences, string_n(t, n));
		return;
	}
	if (len >= sizeof partner - 1 && memcmp(s, partner, sizeof partner - 1) == 0) {
		size_t n = len - (sizeof partner - 1);
		const char *t = trim(s + sizeof partner - 1, &n);
		if (n)
			d->partner = jv_array_append(d->partner, string_n(t, n));
		return;
	}
	/* Column A is the partner of the persona's owner (the responder); column B the owner. */
	const char *tab = memchr(s, '\t', len);
	size_t a_len = tab ? (size_t)(tab - s) : len;
	pc_add_turn(d, "responder", s, a_len);
	if (!tab)
		return;
	const char *b = tab + 1;
	size_t b_len = len - a_len - 1;
	const char *tab2 = memchr(b, '\t', b_len);
	if (tab2)
		b_len = (size_t)(tab2 - b);
	pc_add_turn(d, "client", b, b_len);
}

/* Feed one physical line; a finished dialogue's record is returned (else jv_invalid()). */
static jv pc_line(struct importer *im, int too_long)
{
	struct pc_dialogue *d = &im->dlg;
	const char *s = im->line.data;
	size_t len = im->line.len;
	long line_no = lines_number(im->text);
	if (len && s[len - 1] == '\r')
		len--;
	size_t blank = len;
	trim(s, &blank);
	if (blank == 0 && !too_long)
		return jv_invalid();

	jv done = jv_invalid();
	const char *rest = NULL;
	long number = pc_number(s, len, &rest);
	if (number == 1 || !d->open) {
		done = pc_finish(im);
		pc_start(im, line_no);
	}
	size_t cap = (size_t)im->max_line_bytes;
	if (!d->overflow && (too_long || d->raw.len + im->line.len + 1 > cap)) {
		d->overflow = 1;
		buf_reset(&d->raw);
		char reason[128];
		if (too_long)
			snprintf(reason, sizeof reason, "line longer than %ld bytes", im->max_line_bytes);
		else
			snprintf(reason, sizeof reason, "dialogue longer than %ld bytes", im->max_line_bytes);
		pc_reject(im, line_no, reason);
	}
	if (!d->overflow) {
		buf_add(&d->raw, im->line.data, im->line.len);
		buf_addc(&d->raw, '\n');
	}
	if (d->rejected)
		return done;

	char reason[128];
	if (number < 0) {
		pc_reject(im, line_no, "line does not start with a number and a space");
	} else if (number != d->last_number + 1) {
		if (d->last_number == 0)
			snprintf(reason, sizeof reason, "dialogue starts at line number %ld, not 1", number);
		else
			snprintf(reason, sizeof reason, "line number %ld follows %ld", number, d->last_number);
		pc_reject(im, line_no, reason);
	} else if (memchr(s, '\0', len)) {
		pc_reject(im, line_no, "line contains a NUL byte");
	} else if (!utf8_valid(s, len)) {
		pc_reject(im, line_no, "line is not valid UTF-8");
	} else {
		d->last_number = number;
		pc_content(d, rest, len - (size_t)(rest - s));
	}
	return done;
}

static int pc_next(struct importer *im, jv *record)
{
	for (;;) {
		if (!lines_have_input(im->text) && !lines_next_input(im->text))
			return 0;
		int too_long = 0;
		if (!lines_read(im->text, &im->line, (size_t)im->max_line_bytes, &too_long)) {
			jv done = pc_finish(im);
			lines_end_input(im->text);
			if (jv_is_valid(done)) {
				*record = done;
				return 1;
			}
			continue;
		}
		if (too_long)
			lines_rest(im->text, NULL, NULL);   /* only its first max_line_bytes are kept */
		jv done = pc_line(im, too_long);
		if (jv_is_valid(done)) {
			*record = done;
			return 1;
		}
	}
}

/* ---------- CSV rows ---------- */

static void csv_row_reset(struct csv_row *row, long line)
{
	row->line = line;
	buf_reset(&row->raw);
	buf_reset(&row->text);
	row->nkept = row->nfields = 0;
	row->overflow = 0;
	row->error = NULL;
}

static void csv_field_begin(struct csv_row *row)
{
	row->nfields++;
	if (row->overflow)
		return;
	if (row->nkept == row->cap) {
		row->cap = row->cap ? row->cap * 2 : 16;
		row->starts = xrealloc(row->starts, row->cap * sizeof *row->starts);
	}
	row->starts[row->nkept++] = row->text.len;
}

static void csv_field_end(struct csv_row *row)
{
	if (!row->overflow)
		buf_addc(&row->text, '\0');
}

static void csv_add(struct csv_row *row, char c)
{
	if (!row->overflow)
		buf_addc(&row->text, c);
}

/* One character of a row through the RFC 4180 state machine; 1 when it ends the row. */
static int csv_feed(struct csv_row *row, enum csv_state *state, char c)
{
	switch (*state) {
	case CSV_FIELD_START:
		if (c == '"') {
			*state = CSV_QUOTED;
			return 0;
		}
		if (c == ',' || c == '\n') {
			csv_field_end(row);
			csv_field_begin(row);
			return c == '\n';
		}
		csv_add(row, c);
		*state = CSV_UNQUOTED;
		return 0;
	case CSV_UNQUOTED:
		if (c == ',' || c == '\n') {
			csv_field_end(row);
			csv_field_begin(row);
			*state = CSV_FIELD_START;
			return c == '\n';
		}
		csv_add(row, c);   /* a stray quote in an unquoted field is read as itself */
		return 0;
	case CSV_QUOTED:
		if (c == '"')
			*state = CSV_AFTER_QUOTE;
		else
			csv_add(row, c);
		return 0;
	case CSV_AFTER_QUOTE:
		if (c == '"') {
			csv_add(row, '"');
			*state = CSV_QUOTED;
			return 0;
		}
		if (c == ',' || c == '\n') {
			csv_field_end(row);
			csv_field_begin(row);
			*state = CSV_FIELD_START;
			return c == '\n';
		}
		if (!row->error)
			row->error = "text after a closing quote";
		csv_add(row, c);
		*state = CSV_UNQUOTED;
		return 0;
	}
	return 0;
}

/* The next row of the current input, fields split and unquoted, at most cap bytes
 * kept. 0 at the end of the input. The field opened by the final separator is not a
 * field: after the loop nfields is corrected. */
static int csv_read_row(struct lines *t, struct csv_row *row, size_t cap)
{
	csv_row_reset(row, lines_current(t));
	csv_field_begin(row);
	enum csv_state state = CSV_FIELD_START;
	int any = 0, pending_cr = 0, ended = 0;
	while (!ended) {
		int c = lines_getc(t);
		if (c < 0) {
			if (!any)
				return 0;
			if (state == CSV_QUOTED) {
				if (!row->error)
					row->error = "unterminated quoted field at end of input";
				state = CSV_UNQUOTED;
			}
			csv_feed(row, &state, '\n');
			break;
		}
		any = 1;
		if (!row->overflow && row->raw.len >= cap) {
			row->overflow = 1;
			row->nkept = 0;
			buf_reset(&row->raw);
			buf_reset(&row->text);
		}
		if (!row->overflow)
			buf_addc(&row->raw, (char)c);
		if (c == '\r' && state != CSV_QUOTED && !pending_cr) {
			pending_cr = 1;
			continue;
		}
		if (pending_cr) {
			pending_cr = 0;
			if (c != '\n')
				csv_feed(row, &state, '\r');
			if (c == '\r' && state != CSV_QUOTED) {
				pending_cr = 1;
				continue;
			}
		}
		ended = csv_feed(row, &state, (char)c);
	}
	/* The last csv_feed opened a field after the row's end. */
	row->nfields--;
	if (!row->overflow)
		row->nkept--;
	return 1;
}

static const char *csv_field(const struct csv_row *row, size_t i)
{
	return i < row->nkept ? row->text.data + row->starts[i] : "";
}

/* ---------- Synthetic-Persona-Chat CSV ---------- */

static long spc_column(struct spc_columns *cols, const char *name)
{
	for (size_t i = 0; i < cols->n; i++) {
		jv v = jv_array_get(jv_copy(cols->names), (int)i);
		size_t len = (size_t)jv_string_length_bytes(jv_copy(v));
		const char *s = trim(jv_string_value(v), &len);
		int match = len == strlen(name) && has_prefix_nocase(s, len, name);
		jv_free(v);
		if (match)
			return (long)i;
	}
	return -1;
}

static const char *spc_row_problem(const struct csv_row *row, long max_line_bytes, char *reason, size_t size)
{
	if (row->overflow) {
		snprintf(reason, size, "row longer than %ld bytes", max_line_bytes);
		return reason;
	}
	if (row->error)
		return row->error;
	if (memchr(row->raw.data, '\0', row->raw.len))
		return "row contains a NUL byte";
	if (!utf8_valid(row->raw.data, row->raw.len))
		return "row is not valid UTF-8";
	return NULL;
}

static int spc_blank_row(const struct csv_row *row)
{
	return !row->overflow && !row->error && row->nfields == 1 &&
	       (strcmp(row->raw.data, "\n") == 0 || strcmp(row->raw.data, "\r\n") == 0);
}

/* Read the header of a new input: 0 when the input cannot be used (reported). */
static int spc_header(struct importer *im)
{
	struct csv_row *row = &im->row;
	size_t cap = (size_t)im->max_line_bytes;
	char reason[160];
	do {
		if (!csv_read_row(im->text, row, cap))
			return 0;   /* an empty input */
	} while (spc_blank_row(row));
	char why[64];
	const char *problem = spc_row_problem(row, im->max_line_bytes, why, sizeof why);
	if (problem) {
		snprintf(reason, sizeof reason, "cannot read the header: %s", problem);
		reject_text(im, row->line, reason, row->overflow ? NULL : &row->raw);
		return 0;
	}
	jv_free(im->cols.names);
	im->cols.names = jv_array();
	im->cols.n = row->nfields;
	for (size_t i = 0; i < row->nfields; i++) {
		const char *f = csv_field(row, i);
		if (i == 0 && strncmp(f, "\xef\xbb\xbf", 3) == 0)
			f += 3;
		im->cols.names = jv_array_append(im->cols.names, jv_string(f));
	}
	static const char *const required[] = { "user 1 personas", "user 2 personas", "Best Generated Conversation" };
	long *where[] = { &im->cols.user1, &im->cols.user2, &im->cols.conversation };
	for (size_t i = 0; i < 3; i++) {
		*where[i] = spc_column(&im->cols, required[i]);
		if (*where[i] < 0) {
			snprintf(reason, sizeof reason, "no \"%s\" column in the header", required[i]);
			reject_text(im, row->line, reason, NULL);
			return 0;
		}
	}
	return 1;
}

/* The non-blank lines of a field, trimmed, as an array of strings. */
static jv spc_sentences(const char *s)
{
	jv out = jv_array();
	while (*s) {
		size_t len = strcspn(s, "\n");
		size_t n = len;
		const char *t = trim(s, &n);
		if (n)
			out = jv_array_append(out, string_n(t, n));
		s += len + (s[len] == '\n');
	}
	return out;
}

/* "User 1:" / "User 2:" at the start of a line (after any '*' or spaces, as the
 * generator sometimes wrote them): the speaker, and *text after the tag. */
static const char *spc_speaker(const char *s, size_t len, const char **text)
{
	const char *end = s + len;
	while (s < end && (*s == '*' || *s == ' ' || *s == '\t'))
		s++;
	if (!has_prefix_nocase(s, (size_t)(end - s), "user"))
		return NULL;
	s += 4;
	while (s < end && *s == ' ')
		s++;
	if (s == end || (*s != '1' && *s != '2'))
		return NULL;
	const char *speaker = *s == '1' ? "client" : "responder";
	s++;
	while (s < end && (*s == '*' || *s == ' '))
		s++;
	if (s == end || *s != ':')
		return NULL;
	s++;
	while (s < end && (*s == '*' || *s == ' ' || *s == '\t'))
		s++;
	*text = s;
	return speaker;
}

static jv spc_flush(jv turns, const char *speaker, struct buf *text)
{
	size_t n = text->len;
	const char *t = trim(text->data ? text->data : "", &n);
	if (speaker && n)
		turns = jv_array_append(turns, turn(speaker, t, n));
	buf_reset(text);
	return turns;
}

/* The turns of a conversation field. Lines without a tag continue the turn before
 * (a recipe, a stage direction); lines before the first tag are dropped. */
static jv spc_turns(const char *s)
{
	jv turns = jv_array();
	struct buf text = BUF_INIT;
	const char *speaker = NULL;
	while (*s) {
		size_t len = strcspn(s, "\n");
		size_t n = len;
		if (n && s[n - 1] == '\r')
			n--;
		const char *rest;
		const char *who = spc_speaker(s, n, &rest);
		if (who) {
			turns = spc_flush(turns, speaker, &text);
			speaker = who;
			buf_add(&text, rest, n - (size_t)(rest - s));
		} else if (speaker) {
			buf_addc(&text, '\n');
			buf_add(&text, s, n);
		}
		s += len + (s[len] == '\n');
	}
	turns = spc_flush(turns, speaker, &text);
	buf_free(&text);
	return turns;
}

static jv spc_record(struct importer *im, uint64_t number)
{
	struct csv_row *row = &im->row;
	jv sentences = spc_sentences(csv_field(row, (size_t)im->cols.user1));
	jv partner = spc_sentences(csv_field(row, (size_t)im->cols.user2));
	jv turns = spc_turns(csv_field(row, (size_t)im->cols.conversation));
	if (jv_array_length(jv_copy(turns)) == 0) {
		jv_free(sentences);
		jv_free(partner);
		jv_free(turns);
		return jv_invalid();
	}
	jv meta = jv_object();
	for (size_t i = 0; i < row->nfields; i++) {
		if ((long)i == im->cols.user1 || (long)i == im->cols.user2 || (long)i == im->cols.conversation)
			continue;
		jv name = jv_array_get(jv_copy(im->cols.names), (int)i);
		meta = jv_object_set(meta, name, jv_string(csv_field(row, i)));
	}
	if (jv_object_length(jv_copy(meta)) == 0) {
		jv_free(meta);
		meta = jv_invalid();
	}
	char id[64];
	snprintf(id, sizeof id, "spc-%06llu", (unsigned long long)number);
	char *persona_id = sentences_persona_id(sentences);
	struct buf description = BUF_INIT;
	buf_adds(&description, "");
	join_strings(sentences, " ", &description);
	jv persona = jv_object();
	persona = jv_object_set(persona, jv_string("sentences"), sentences);
	persona = jv_object_set(persona, jv_string("partner_sentences"), partner);
	jv record = conversation_record(id, persona_id, IMPORT_SPC, persona, description.data, turns, meta);
	free(persona_id);
	buf_free(&description);
	return record;
}

static int spc_next(struct importer *im, jv *record)
{
	size_t cap = (size_t)im->max_line_bytes;
	for (;;) {
		if (!lines_have_input(im->text)) {
			if (!lines_next_input(im->text))
				return 0;
			im->have_header = spc_header(im);
			if (!im->have_header) {
				lines_end_input(im->text);
				continue;
			}
		}
		if (!csv_read_row(im->text, &im->row, cap)) {
			lines_end_input(im->text);
			continue;
		}
		struct csv_row *row = &im->row;
		if (spc_blank_row(row))
			continue;
		uint64_t number = ++im->units;
		char reason[160];
		const char *problem = spc_row_problem(row, im->max_line_bytes, reason, sizeof reason);
		if (!problem && row->nfields != im->cols.n) {
			snprintf(reason, sizeof reason, "row has %zu fields, the header has %zu", row->nfields, im->cols.n);
			problem = reason;
		}
		jv r = problem ? jv_invalid() : spc_record(im, number);
		if (!problem && !jv_is_valid(r))
			problem = "conversation has no \"User 1:\" or \"User 2:\" lines";
		if (problem) {
			reject_text(im, row->line, problem, row->overflow ? NULL : &row->raw);
			continue;
		}
		*record = r;
		return 1;
	}
}

/* ---------- JSON Lines formats ---------- */

/* The record's own id (a string, or an integer written as one), else PREFIX-NNNNNN. */
static char *json_id(jv rec, const char *prefix, uint64_t number)
{
	jv v = jvu_get_borrow(rec, "id");
	struct buf id = BUF_INIT;
	if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(v)) > 0)
		buf_adds(&id, jv_string_value(v));
	else if (jv_get_kind(v) == JV_KIND_NUMBER && jvu_is_integer(jv_number_value(v)))
		buf_addf(&id, "%.0f", jv_number_value(v));
	else
		buf_addf(&id, "%s-%06llu", prefix, (unsigned long long)number);
	jv_free(v);
	return id.data;
}

/* The record's own persona_id, else one from the description text, else from the
 * persona fields (compact JSON), else NULL (the conversation's id is used). */
static char *json_persona_id(jv rec, const char *description, jv fields)
{
	jv v = jvu_get_borrow(rec, "persona_id");
	char *id = NULL;
	if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(v)) > 0) {
		id = xstrdup(jv_string_value(v));
	} else if (*description) {
		id = persona_id_of("pd", &description, 1, 0);
	} else if (jv_get_kind(fields) == JV_KIND_OBJECT && jv_object_length(jv_copy(fields)) > 0) {
		struct buf dump = BUF_INIT;
		jvu_dump(fields, &dump);
		const char *text = dump.data;
		id = persona_id_of("pd", &text, 1, 0);
		buf_free(&dump);
	}
	jv_free(v);
	return id;
}

/* Members of rec other than the known ones, or jv_invalid() when there are none. rec is borrowed. */
static jv json_meta(jv rec, const char *const *known)
{
	jv meta = jv_object();
	int any = 0;
	jv_object_foreach(rec, key, value) {
		int is_known = 0;
		for (size_t i = 0; known[i]; i++)
			if (strcmp(jv_string_value(key), known[i]) == 0)
				is_known = 1;
		if (is_known) {
			jv_free(key);
			jv_free(value);
			continue;
		}
		meta = jv_object_set(meta, key, value);
		any = 1;
	}
	if (!any) {
		jv_free(meta);
		return jv_invalid();
	}
	return meta;
}

/* SPASM: the conversation, or jv_invalid() with reason set. rec is borrowed. */
static jv spasm_record(jv rec, uint64_t number, char *reason, size_t size)
{
	jv turns_in = jvu_get_borrow(rec, "turns");
	jv fields = jvu_get_borrow(rec, "persona_fields");
	jv description = jvu_get_borrow(rec, "persona_description");
	jv turns = jv_array();
	jv result = jv_invalid();
	int n = 0;
	if (jv_get_kind(turns_in) != JV_KIND_ARRAY) {
		snprintf(reason, size, "record has no \"turns\" array");
		goto done;
	}
	if (jv_is_valid(fields) && jv_get_kind(fields) != JV_KIND_OBJECT) {
		snprintf(reason, size, "\"persona_fields\" must be an object, not %s", jvu_kind_name(jv_get_kind(fields)));
		goto done;
	}
	if (jv_is_valid(description) && jv_get_kind(description) != JV_KIND_STRING) {
		snprintf(reason, size, "\"persona_description\" must be a string, not %s",
			 jvu_kind_name(jv_get_kind(description)));
		goto done;
	}
	n = jv_array_length(jv_copy(turns_in));
	for (int i = 0; i < n; i++) {
		jv t = jv_array_get(jv_copy(turns_in), i);
		jv speaker = jvu_get_borrow(t, "speaker");
		jv text = jvu_get_borrow(t, "text");
		if (jv_get_kind(text) != JV_KIND_STRING) {
			jv_free(text);
			text = jvu_get_borrow(t, "content");
		}
		const char *who = NULL;
		if (jv_get_kind(speaker) == JV_KIND_STRING) {
			const char *s = jv_string_value(speaker);
			if (strcmp(s, "client") == 0)
				who = "client";
			else if (strcmp(s, "tested") == 0 || strcmp(s, "responder") == 0)
				who = "responder";
		}
		if (jv_get_kind(t) != JV_KIND_OBJECT)
			snprintf(reason, size, "turns[%d] is %s, not an object", i, jvu_kind_name(jv_get_kind(t)));
		else if (!who && jv_get_kind(speaker) == JV_KIND_STRING)
			snprintf(reason, size, "turns[%d] has an unknown speaker '%s' (client or tested)", i,
				 jv_string_value(speaker));
		else if (!who)
			snprintf(reason, size, "turns[%d] has no \"speaker\" string", i);
		else if (jv_get_kind(text) != JV_KIND_STRING)
			snprintf(reason, size, "turns[%d] has no \"text\" or \"content\" string", i);
		else
			turns = jv_array_append(turns, turn(who, jv_string_value(text),
							    (size_t)jv_string_length_bytes(jv_copy(text))));
		jv_free(t);
		jv_free(speaker);
		jv_free(text);
		if (jv_array_length(jv_copy(turns)) != i + 1)
			goto done;
	}
	if (n == 0) {
		snprintf(reason, size, "record has no turns");
		goto done;
	}
	static const char *const known[] = { "id", "persona_id", "turns", "persona_fields", "persona_description", NULL };
	const char *desc = jv_get_kind(description) == JV_KIND_STRING ? jv_string_value(description) : "";
	char *id = json_id(rec, "spasm", number);
	char *persona_id = json_persona_id(rec, desc, fields);
	jv persona = jv_get_kind(fields) == JV_KIND_OBJECT ? jv_copy(fields) : jv_invalid();
	result = conversation_record(id, persona_id, IMPORT_SPASM, persona, desc, turns, json_meta(rec, known));
	turns = jv_invalid();
	free(id);
	free(persona_id);
done:
	jv_free(turns_in);
	jv_free(fields);
	jv_free(description);
	jv_free(turns);
	return result;
}

/* A message's text: a string, or the "text" of its content parts joined by newlines.
 * 1 and text set; 0 when there is none (null content of a tool-calling message);
 * -1 when the content is of a shape not known. msg is borrowed. */
static int chat_text(jv msg, struct buf *text)
{
	jv content = jvu_get_borrow(msg, "content");
	int rc = -1;
	if (jv_get_kind(content) == JV_KIND_STRING) {
		buf_add(text, jv_string_value(content), (size_t)jv_string_length_bytes(jv_copy(content)));
		rc = 1;
	} else if (jv_get_kind(content) == JV_KIND_NULL || !jv_is_valid(content)) {
		rc = 0;
	} else if (jv_get_kind(content) == JV_KIND_ARRAY) {
		rc = 1;
		int n = jv_array_length(jv_copy(content));
		for (int i = 0; i < n && rc > 0; i++) {
			jv part = jv_array_get(jv_copy(content), i);
			jv t = jvu_get_borrow(part, "text");
			if (jv_get_kind(t) == JV_KIND_STRING) {
				if (text->len)
					buf_addc(text, '\n');
				buf_add(text, jv_string_value(t), (size_t)jv_string_length_bytes(jv_copy(t)));
			} else if (jv_get_kind(part) != JV_KIND_OBJECT) {
				rc = -1;
			}
			jv_free(t);
			jv_free(part);
		}
	}
	jv_free(content);
	return rc;
}

/* OpenAI chat format: the conversation, or jv_invalid() with reason set. rec is borrowed. */
static jv chat_record(jv rec, uint64_t number, char *reason, size_t size)
{
	jv messages = jvu_get_borrow(rec, "messages");
	jv turns = jv_array();
	jv result = jv_invalid();
	struct buf description = BUF_INIT, text = BUF_INIT;
	buf_adds(&description, "");
	if (jv_get_kind(messages) != JV_KIND_ARRAY) {
		snprintf(reason, size, "record has no \"messages\" array");
		goto done;
	}
	int n = jv_array_length(jv_copy(messages));
	for (int i = 0; i < n; i++) {
		jv m = jv_array_get(jv_copy(messages), i);
		jv role = jvu_get_borrow(m, "role");
		const char *r = jv_get_kind(role) == JV_KIND_STRING ? jv_string_value(role) : NULL;
		buf_reset(&text);
		int got = chat_text(m, &text);
		int bad = 0;
		if (jv_get_kind(m) != JV_KIND_OBJECT) {
			snprintf(reason, size, "messages[%d] is %s, not an object", i, jvu_kind_name(jv_get_kind(m)));
			bad = 1;
		} else if (!r) {
			snprintf(reason, size, "messages[%d] has no \"role\" string", i);
			bad = 1;
		} else if (strcmp(r, "tool") == 0 || strcmp(r, "function") == 0) {
			/* tool traffic is not dialogue */
		} else if (strcmp(r, "system") != 0 && strcmp(r, "developer") != 0 && strcmp(r, "user") != 0 &&
			   strcmp(r, "assistant") != 0) {
			snprintf(reason, size, "messages[%d] has an unknown role '%s'", i, r);
			bad = 1;
		} else if (got < 0) {
			snprintf(reason, size, "messages[%d] has a \"content\" that is neither text nor text parts", i);
			bad = 1;
		} else if (got == 0 && strcmp(r, "assistant") != 0) {
			snprintf(reason, size, "messages[%d] has no \"content\"", i);
			bad = 1;
		} else if (got > 0 && (strcmp(r, "system") == 0 || strcmp(r, "developer") == 0)) {
			if (description.len)
				buf_addc(&description, '\n');
			buf_add(&description, text.data ? text.data : "", text.len);
		} else if (got > 0) {
			const char *who = strcmp(r, "user") == 0 ? "client" : "responder";
			turns = jv_array_append(turns, turn(who, text.data ? text.data : "", text.len));
		}
		jv_free(m);
		jv_free(role);
		if (bad)
			goto done;
	}
	if (jv_array_length(jv_copy(turns)) == 0) {
		snprintf(reason, size, "record has no user or assistant messages");
		goto done;
	}
	static const char *const known[] = { "id", "persona_id", "messages", NULL };
	char *id = json_id(rec, "chat", number);
	char *persona_id = json_persona_id(rec, description.data, jv_invalid());
	result = conversation_record(id, persona_id, IMPORT_CHAT, jv_invalid(), description.data, turns, json_meta(rec, known));
	turns = jv_invalid();
	free(id);
	free(persona_id);
done:
	jv_free(messages);
	jv_free(turns);
	buf_free(&description);
	buf_free(&text);
	return result;
}

static int json_next(struct importer *im, jv *record)
{
	jv rec;
	while (jsonl_read(im->jsonl, &rec)) {
		uint64_t number = jsonl_records(im->jsonl);
		char reason[300] = "";
		jv r = im->format == IMPORT_SPASM ? spasm_record(rec, number, reason, sizeof reason)
						  : chat_record(rec, number, reason, sizeof reason);
		jv_free(rec);
		if (!jv_is_valid(r)) {
			jv_free(r);
			jsonl_reject(im->jsonl, reason);
			continue;
		}
		*record = r;
		return 1;
	}
	return 0;
}

/* ---------- the importer ---------- */

struct importer *importer_open(enum import_format format, char *const *paths, int npaths,
			       long max_line_bytes, struct jsonl_writer *rejects)
{
	struct importer *im = xcalloc(1, sizeof *im);
	im->format = format;
	im->max_line_bytes = max_line_bytes > 0 ? max_line_bytes : 16L * 1024 * 1024;
	im->rejects = rejects;
	im->dlg.sentences = jv_array();
	im->dlg.partner = jv_array();
	im->dlg.turns = jv_array();
	im->cols.names = jv_array();
	if (format == IMPORT_SPASM || format == IMPORT_CHAT) {
		im->jsonl = jsonl_reader_open(paths, npaths, im->max_line_bytes, rejects);
	} else {
		im->text = lines_open(paths, npaths, CHUNK, LINES_DAMAGE_AT_LINE);
	}
	return im;
}

int importer_next(struct importer *im, jv *conversation)
{
	int got;
	switch (im->format) {
	case IMPORT_PERSONACHAT:
		got = pc_next(im, conversation);
		break;
	case IMPORT_SPC:
		got = spc_next(im, conversation);
		break;
	default:
		got = json_next(im, conversation);
		break;
	}
	if (got)
		im->conversations++;
	return got;
}

uint64_t importer_conversations(const struct importer *im)
{
	return im->conversations;
}

uint64_t importer_rejected(const struct importer *im)
{
	uint64_t n = im->rejected;
	if (im->text)
		n += lines_errors(im->text);
	if (im->jsonl)
		n += jsonl_errors(im->jsonl);
	return n;
}

void importer_close(struct importer *im)
{
	if (!im)
		return;
	lines_close(im->text);
	jsonl_reader_close(im->jsonl);
	buf_free(&im->line);
	buf_free(&im->dlg.raw);
	jv_free(im->dlg.sentences);
	jv_free(im->dlg.partner);
	jv_free(im->dlg.turns);
	buf_free(&im->row.raw);
	buf_free(&im->row.text);
	free(im->row.starts);
	jv_free(im->cols.names);
	free(im);
}
