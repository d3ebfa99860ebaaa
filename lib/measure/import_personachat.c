#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "import_internal.h"
#include "import_personachat.h"
#include "jsonl.h"
#include "jsontext.h"
#include "lines.h"
#include "msg.h"

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
	char *persona_id = import_sentences_persona_id(d->sentences);
	struct buf description = BUF_INIT;
	buf_adds(&description, "");
	import_join_strings(d->sentences, " ", &description);
	jv persona = jv_object();
	persona = jv_object_set(persona, jv_string("sentences"), d->sentences);
	if (jv_array_length(jv_copy(d->partner)) > 0)
		persona = jv_object_set(persona, jv_string("partner_sentences"), d->partner);
	else
		jv_free(d->partner);
	struct import_parts parts = {
		.id = id,
		.persona_id = persona_id,
		.source_id = jv_null(),
		.line = d->start_line,
		.persona = persona,
		.description = description.data,
		.turns = d->turns,
		.stop = jv_invalid(),
		.meta = jv_invalid(),
	};
	jv record = import_conversation_record(IMPORT_PERSONACHAT, &parts);
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
	s = import_trim(s, &len);
	if (len == 0 || (len == 11 && memcmp(s, "__SILENCE__", 11) == 0))
		return;
	d->turns = jv_array_append(d->turns, import_turn(speaker, s, len));
}

/* A good line's content: a persona sentence or an exchange of two columns. */
static void pc_content(struct pc_dialogue *d, const char *s, size_t len)
{
	static const char your[] = "your persona:", partner[] = "partner's persona:";
	if (len >= sizeof your - 1 && memcmp(s, your, sizeof your - 1) == 0) {
		size_t n = len - (sizeof your - 1);
		const char *t = import_trim(s + sizeof your - 1, &n);
		if (n)
			d->sentences = jv_array_append(d->sentences, import_string_n(t, n));
		return;
	}
	if (len >= sizeof partner - 1 && memcmp(s, partner, sizeof partner - 1) == 0) {
		size_t n = len - (sizeof partner - 1);
		const char *t = import_trim(s + sizeof partner - 1, &n);
		if (n)
			d->partner = jv_array_append(d->partner, import_string_n(t, n));
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
	import_trim(s, &blank);
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

int import_personachat_next(struct importer *im, jv *record)
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
			lines_rest(im->text, NULL, NULL); /* only its first max_line_bytes are kept */
		jv done = pc_line(im, too_long);
		if (jv_is_valid(done)) {
			*record = done;
			return 1;
		}
	}
}
