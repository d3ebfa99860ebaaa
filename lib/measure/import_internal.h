/* import_internal — what the importers share (not for other modules).
 *
 * importers.c holds the dispatch (importers.h), the state below and these helpers; each
 * format is read in a file of its own, with its header: import_personachat,
 * import_spc (Synthetic-Persona-Chat CSV, on csv.h), import_spasm and import_chat (the
 * JSON Lines formats, read through jsonl; import_chat reads chat, sharegpt and hf).
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

/* A role map (importers.h). */
enum import_role { IMPORT_ROLE_CLIENT, IMPORT_ROLE_RESPONDER, IMPORT_ROLE_DESCRIPTION, IMPORT_ROLE_SKIP };
struct import_roles {
	size_t n;
	char **names;
	enum import_role *roles;
};
/* 0 and *role set for a name in the map; -1 when it is not there. */
int import_role_of(const struct import_roles *map, const char *name, enum import_role *role);

/* Where a JSON record came from, and how to read it. */
struct import_at {
	enum import_format format;
	uint64_t number; /* the record's position in the input, for an id when it has none */
	long line; /* its line in its file */
	const struct import_roles *roles; /* chat, sharegpt, hf */
};

struct importer {
	enum import_format format;
	struct import_roles *roles; /* chat, sharegpt, hf */
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
/* What a conversation record is made of. */
struct import_parts {
	const char *id;
	const char *persona_id; /* NULL: the id */
	jv source_id; /* the source's own id, jv_null(): none */
	long line; /* where it starts in its file */
	jv persona; /* jv_invalid(): none */
	const char *description;
	const char *system_prompt; /* NULL: none */
	jv turns;
	jv stop; /* jv_invalid(): none */
	jv meta; /* jv_invalid(): none */
};
/* The record; consumes the parts' jv members (the strings are borrowed). */
jv import_conversation_record(enum import_format format, struct import_parts *parts);
/* {"speaker", "text"} */
jv import_turn(const char *speaker, const char *text, size_t len);
/* "FILE:LINE: reason" on stderr, the unit's text to --rejects (NULL: not kept); counted. */
void import_reject_text(struct importer *im, long line, const char *reason, const struct buf *raw);

/* ---- JSON Lines records ---- */

/* A string, or an integer written as one: 1 and out appended to; else 0. v is borrowed. */
int import_json_key(jv v, struct buf *out);
/* The record's own id (import_json_key of "id"), else PREFIX-NNNNNN. */
char *import_json_id(jv rec, const char *prefix, uint64_t number);
/* The record's own "id" when import_json_id uses it, else jv_null(). rec is borrowed. */
jv import_json_source_id(jv rec);
/* The record's own persona_id (a string or an integer), else one from the description
 * text, else from the persona fields (compact JSON), else NULL (the conversation's id
 * is used). */
char *import_json_persona_id(jv rec, const char *description, jv fields);
/* Members of rec other than the known ones (a NULL-ended list), or jv_invalid() when
 * there are none. rec is borrowed. */
jv import_json_meta(jv rec, const char *const *known);

#endif
