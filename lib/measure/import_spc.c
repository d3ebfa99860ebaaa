#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "import_internal.h"
#include "import_spc.h"
#include "jsontext.h"
#include "lines.h"

static long spc_column(struct spc_columns *cols, const char *name)
{
	for (size_t i = 0; i < cols->n; i++) {
		jv v = jv_array_get(jv_copy(cols->names), (int)i);
		size_t len = (size_t)jv_string_length_bytes(jv_copy(v));
		const char *s = import_trim(jv_string_value(v), &len);
		int match = len == strlen(name) && import_has_prefix_nocase(s, len, name);
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
			return 0; /* an empty input */
	} while (spc_blank_row(row));
	char why[64];
	const char *problem = spc_row_problem(row, im->max_line_bytes, why, sizeof why);
	if (problem) {
		snprintf(reason, sizeof reason, "cannot read the header: %s", problem);
		import_reject_text(im, row->line, reason, row->overflow ? NULL : &row->raw);
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
			import_reject_text(im, row->line, reason, NULL);
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
		const char *t = import_trim(s, &n);
		if (n)
			out = jv_array_append(out, import_string_n(t, n));
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
	if (!import_has_prefix_nocase(s, (size_t)(end - s), "user"))
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
	const char *t = import_trim(text->data ? text->data : "", &n);
	if (speaker && n)
		turns = jv_array_append(turns, import_turn(speaker, t, n));
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
	char *persona_id = import_sentences_persona_id(sentences);
	struct buf description = BUF_INIT;
	buf_adds(&description, "");
	import_join_strings(sentences, " ", &description);
	jv persona = jv_object();
	persona = jv_object_set(persona, jv_string("sentences"), sentences);
	persona = jv_object_set(persona, jv_string("partner_sentences"), partner);
	struct import_parts parts = {
		.id = id,
		.persona_id = persona_id,
		.source_id = jv_null(),
		.line = row->line,
		.persona = persona,
		.description = description.data,
		.turns = turns,
		.stop = jv_invalid(),
		.meta = meta,
	};
	jv record = import_conversation_record(IMPORT_SPC, &parts);
	free(persona_id);
	buf_free(&description);
	return record;
}

int import_spc_next(struct importer *im, jv *record)
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
			snprintf(reason, sizeof reason, "row has %zu fields, the header has %zu", row->nfields,
				 im->cols.n);
			problem = reason;
		}
		jv r = problem ? jv_invalid() : spc_record(im, number);
		if (!problem && !jv_is_valid(r))
			problem = "conversation has no \"User 1:\" or \"User 2:\" lines";
		if (problem) {
			import_reject_text(im, row->line, problem, row->overflow ? NULL : &row->raw);
			continue;
		}
		*record = r;
		return 1;
	}
}
