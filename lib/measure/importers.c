#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "csv.h"
#include "import_chat.h"
#include "import_internal.h"
#include "import_spasm.h"
#include "importers.h"
#include "jsonl.h"
#include "jvutil.h"
#include "lines.h"
#include "msg.h"
#include "rng.h"

/* Big reads for the text formats (the JSON Lines ones read through jsonl). */
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
const char *import_trim(const char *s, size_t *len)
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

int import_has_prefix_nocase(const char *s, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	if (len < n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (tolower((unsigned char)s[i]) != tolower((unsigned char)prefix[i]))
			return 0;
	return 1;
}

jv import_string_n(const char *s, size_t len)
{
	return jv_string_sized(s, (int)len);
}

/* The strings of an array joined with sep (non-strings skipped). arr is borrowed. */
void import_join_strings(jv arr, const char *sep, struct buf *out)
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
char *import_sentences_persona_id(jv sentences)
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
jv import_conversation_record(const char *id, const char *persona_id, enum import_format format, jv persona,
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

jv import_turn(const char *speaker, const char *text, size_t len)
{
	jv t = jv_object();
	t = jv_object_set(t, jv_string("speaker"), jv_string(speaker));
	return jv_object_set(t, jv_string("text"), import_string_n(text, len));
}

/* "FILE:LINE: reason" on stderr, the unit's text to --rejects (NULL: not kept). */
void import_reject_text(struct importer *im, long line, const char *reason, const struct buf *raw)
{
	errorf("%s:%ld: %s", lines_path(im->text), line, reason);
	im->rejected++;
	if (im->rejects && raw && raw->len)
		jsonl_write_line(im->rejects, raw->data, raw->len);
}

/* The record's own id (a string, or an integer written as one), else PREFIX-NNNNNN. */
char *import_json_id(jv rec, const char *prefix, uint64_t number)
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
char *import_json_persona_id(jv rec, const char *description, jv fields)
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
jv import_json_meta(jv rec, const char *const *known)
{
	jv meta = jv_object();
	int any = 0;
	jv_object_foreach(rec, key, value)
	{
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

static int json_next(struct importer *im, jv *record)
{
	jv rec;
	while (jsonl_read(im->jsonl, &rec)) {
		uint64_t number = jsonl_records(im->jsonl);
		char reason[300] = "";
		jv r = im->format == IMPORT_SPASM ? import_spasm_record(rec, number, reason, sizeof reason)
						  : import_chat_record(rec, number, reason, sizeof reason);
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

struct importer *importer_open(enum import_format format, char *const *paths, int npaths, long max_line_bytes,
			       struct jsonl_writer *rejects)
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
		got = import_personachat_next(im, conversation);
		break;
	case IMPORT_SPC:
		got = import_spc_next(im, conversation);
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
	csv_row_free(&im->row);
	jv_free(im->cols.names);
	free(im);
}
