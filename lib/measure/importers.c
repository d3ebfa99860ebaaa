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

static const char *const format_names[] = { "personachat", "spc", "spasm", "chat", "sharegpt", "hf" };

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
	return "personachat, spc, spasm, chat, sharegpt, hf";
}

static int is_json_format(enum import_format format)
{
	return format == IMPORT_SPASM || format == IMPORT_CHAT || format == IMPORT_SHAREGPT || format == IMPORT_HF;
}

/* ---------- role maps ---------- */

static const char *const role_names[] = { "client", "responder", "description", "skip" };

const char *import_roles_default(enum import_format format)
{
	switch (format) {
	case IMPORT_CHAT:
		return "system=description,developer=description,user=client,assistant=responder,tool=skip,"
		       "function=skip";
	case IMPORT_SHAREGPT:
		return "human=client,gpt=responder,system=description";
	case IMPORT_HF:
		return "user=client,assistant=responder,system=description";
	default:
		return NULL;
	}
}

static void roles_put(struct import_roles *map, const char *name, size_t len, enum import_role role)
{
	for (size_t i = 0; i < map->n; i++) {
		if (strlen(map->names[i]) == len && memcmp(map->names[i], name, len) == 0) {
			map->roles[i] = role;
			return;
		}
	}
	map->names = xrealloc(map->names, (map->n + 1) * sizeof *map->names);
	map->roles = xrealloc(map->roles, (map->n + 1) * sizeof *map->roles);
	map->names[map->n] = xmalloc(len + 1);
	memcpy(map->names[map->n], name, len);
	map->names[map->n][len] = '\0';
	map->roles[map->n] = role;
	map->n++;
}

struct import_roles *import_roles_parse(const char *map, char *why, size_t size)
{
	struct import_roles *r = xcalloc(1, sizeof *r);
	const char *s = map;
	for (;;) {
		size_t len = strcspn(s, ",");
		const char *eq = memchr(s, '=', len);
		if (!eq || eq == s || eq + 1 == s + len) {
			snprintf(why, size, "'%.*s' is not NAME=ROLE", (int)len, s);
			import_roles_free(r);
			return NULL;
		}
		const char *target = eq + 1;
		size_t target_len = len - (size_t)(target - s);
		size_t k = 0;
		while (k < sizeof role_names / sizeof *role_names &&
		       !(strlen(role_names[k]) == target_len && memcmp(role_names[k], target, target_len) == 0))
			k++;
		if (k == sizeof role_names / sizeof *role_names) {
			snprintf(why, size, "unknown role '%.*s' (client, responder, description or skip)",
				 (int)target_len, target);
			import_roles_free(r);
			return NULL;
		}
		roles_put(r, s, (size_t)(eq - s), (enum import_role)k);
		if (!s[len])
			return r;
		s += len + 1;
	}
}

void import_roles_free(struct import_roles *roles)
{
	if (!roles)
		return;
	for (size_t i = 0; i < roles->n; i++)
		free(roles->names[i]);
	free(roles->names);
	free(roles->roles);
	free(roles);
}

int import_role_of(const struct import_roles *map, const char *name, enum import_role *role)
{
	for (size_t i = 0; map && i < map->n; i++) {
		if (strcmp(map->names[i], name) == 0) {
			*role = map->roles[i];
			return 0;
		}
	}
	return -1;
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

jv import_conversation_record(enum import_format format, struct import_parts *p)
{
	jv c = jv_object();
	c = jv_object_set(c, jv_string("id"), jv_string(p->id));
	c = jv_object_set(c, jv_string("persona_id"), jv_string(p->persona_id ? p->persona_id : p->id));
	c = jv_object_set(c, jv_string("index"), jv_number(0));
	jv source = jv_object();
	source = jv_object_set(source, jv_string("format"), jv_string(import_format_name(format)));
	source = jv_object_set(source, jv_string("id"), p->source_id);
	source = jv_object_set(source, jv_string("line"), jv_number((double)p->line));
	c = jv_object_set(c, jv_string("source"), source);
	if (jv_is_valid(p->persona))
		c = jv_object_set(c, jv_string("persona"), p->persona);
	else
		jv_free(p->persona);
	c = jv_object_set(c, jv_string("description"), jv_string(p->description));
	if (p->system_prompt)
		c = jv_object_set(c, jv_string("system_prompt"), jv_string(p->system_prompt));
	c = jv_object_set(c, jv_string("turns"), p->turns);
	if (jv_is_valid(p->stop))
		c = jv_object_set(c, jv_string("stop"), p->stop);
	else
		jv_free(p->stop);
	if (jv_is_valid(p->meta))
		c = jv_object_set(c, jv_string("source_meta"), p->meta);
	else
		jv_free(p->meta);
	p->source_id = p->persona = p->turns = p->stop = p->meta = jv_invalid();
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

int import_json_key(jv v, struct buf *out)
{
	if (jv_get_kind(v) == JV_KIND_STRING && jv_string_length_bytes(jv_copy(v)) > 0) {
		buf_add(out, jv_string_value(v), (size_t)jv_string_length_bytes(jv_copy(v)));
		return 1;
	}
	if (jv_get_kind(v) == JV_KIND_NUMBER && jvu_is_integer(jv_number_value(v))) {
		buf_addf(out, "%.0f", jv_number_value(v));
		return 1;
	}
	return 0;
}

char *import_json_id(jv rec, const char *prefix, uint64_t number)
{
	jv v = jvu_get_borrow(rec, "id");
	struct buf id = BUF_INIT;
	if (!import_json_key(v, &id))
		buf_addf(&id, "%s-%06llu", prefix, (unsigned long long)number);
	jv_free(v);
	return id.data;
}

jv import_json_source_id(jv rec)
{
	jv v = jvu_get_borrow(rec, "id");
	struct buf id = BUF_INIT;
	int own = import_json_key(v, &id);
	buf_free(&id);
	if (own)
		return v;
	jv_free(v);
	return jv_null();
}

char *import_json_persona_id(jv rec, const char *description, jv fields)
{
	jv v = jvu_get_borrow(rec, "persona_id");
	struct buf own = BUF_INIT;
	char *id = NULL;
	if (import_json_key(v, &own)) {
		id = own.data;
		own.data = NULL;
	} else if (*description) {
		id = persona_id_of("pd", &description, 1, 0);
	} else if (jv_get_kind(fields) == JV_KIND_OBJECT && jv_object_length(jv_copy(fields)) > 0) {
		struct buf dump = BUF_INIT;
		jvu_dump(fields, &dump);
		const char *text = dump.data;
		id = persona_id_of("pd", &text, 1, 0);
		buf_free(&dump);
	}
	buf_free(&own);
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
		struct import_at at = { im->format, jsonl_records(im->jsonl), jsonl_line(im->jsonl), im->roles };
		char reason[300] = "";
		jv r = im->format == IMPORT_SPASM ? import_spasm_record(rec, &at, reason, sizeof reason)
						  : import_chat_record(rec, &at, reason, sizeof reason);
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
	const char *roles = import_roles_default(format);
	if (roles) {
		char why[160];
		im->roles = import_roles_parse(roles, why, sizeof why);
	}
	if (is_json_format(format)) {
		im->jsonl = jsonl_reader_open(paths, npaths, im->max_line_bytes, rejects);
	} else {
		im->text = lines_open(paths, npaths, CHUNK, LINES_DAMAGE_AT_LINE);
	}
	return im;
}

void importer_set_roles(struct importer *im, struct import_roles *roles)
{
	if (!roles)
		return;
	import_roles_free(im->roles);
	im->roles = roles;
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
	import_roles_free(im->roles);
	free(im);
}
