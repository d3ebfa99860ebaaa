/* import_internal — what the importers share (not for other modules).
 *
 * importers.c holds the dispatch (importers.h), the state below and these helpers; each
 * format is read in a file of its own, with its header: import_personachat,
 * import_spc (Synthetic-Persona-Chat CSV, on csv.h), import_spasm and import_chat (the
 * JSON Lines formats, read through jsonl).
 *
 * Ownership: the helpers borrow their arguments unless they say they consume them; the
 * jv they return are new references, strings returned by import_json_id and
 * import_json_persona_id are the caller's to free. import_reject_text ends the process
 * as jsonl.h says when the rejects writer fails; nothing else does (except out of memory).
 */
#ifndef PS_IMPORT_INTERNAL_H
#define PS_IMPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

#include "buf.h"
#include "csv.h"
#include "import_personachat.h"
#include "import_spc.h"
#include "importers.h"
#include "jsonl.h"
#include "lines.h"

struct importer {
	enum import_format format;
	long max_line_bytes;
	struct jsonl_writer *rejects;
	struct jsonl_reader *jsonl; /* spasm, chat */
	struct lines *text; /* personachat, spc */
	uint64_t conversations, rejected, units;
	/* personachat */
	struct buf line;
	struct pc_dialogue dlg;
	/* spc */
	struct csv_row row;
	struct spc_columns cols;
	int have_header;
};

/* ---- text ---- */

/* s[0..*len) without white space at either end. */
const char *import_trim(const char *s, size_t *len);
int import_has_prefix_nocase(const char *s, size_t len, const char *prefix);
jv import_string_n(const char *s, size_t len);
/* The strings of an array joined with sep (non-strings skipped). arr is borrowed. */
void import_join_strings(jv arr, const char *sep, struct buf *out);

/* ---- the conversation record ---- */

/* The persona id of an array of sentences (borrowed), sorted, or NULL when it is empty. */
char *import_sentences_persona_id(jv sentences);
/* Consumes persona (jv_invalid: none), turns and meta (jv_invalid: none). */
jv import_conversation_record(const char *id, const char *persona_id, enum import_format format, jv persona,
			      const char *description, jv turns, jv meta);
/* {"speaker", "text"} */
jv import_turn(const char *speaker, const char *text, size_t len);
/* "FILE:LINE: reason" on stderr, the unit's text to --rejects (NULL: not kept); counted. */
void import_reject_text(struct importer *im, long line, const char *reason, const struct buf *raw);

/* ---- JSON Lines records ---- */

/* The record's own id (a string, or an integer written as one), else PREFIX-NNNNNN. */
char *import_json_id(jv rec, const char *prefix, uint64_t number);
/* The record's own persona_id, else one from the description text, else from the
 * persona fields (compact JSON), else NULL (the conversation's id is used). */
char *import_json_persona_id(jv rec, const char *description, jv fields);
/* Members of rec other than the known ones (a NULL-ended list), or jv_invalid() when
 * there are none. rec is borrowed. */
jv import_json_meta(jv rec, const char *const *known);

#endif
