/* fieldcheck — an option that names a record field is checked against the input.
 *
 * Contract: before a tool processes anything it reads the first block of records
 * (jsonl_lookahead) and checks every field an option names (persona-validate
 * --dedup-fields/--dedup-text, embed --of) or an expression it gives (score --by). A field present in none of those records
 * is a usage error: one line naming the option, the field, how many records were
 * looked at and which fields they do have; the caller exits 2 before writing anything.
 * A field missing from more than half of them gets a warning with the counts. A
 * misspelt name therefore never turns into a silent mass rejection.
 * Ownership: block is borrowed; nothing is retained. Never ends the process.
 */
#ifndef PS_FIELDCHECK_H
#define PS_FIELDCHECK_H

#include <jv.h>

enum field_place {
	FIELD_IN_FIELDS, /* record.fields.NAME (persona fields) */
	FIELD_AT_TOP, /* record.NAME */
	FIELD_IN_FIELDS_OR_TOP /* record.fields.NAME, else record.NAME */
};

struct jsonl_reader;

/* The block the checks look at: the first 1,000 records (at most 8 MiB of lines), read
 * ahead with jsonl_lookahead before any record is processed. Returns a new array. */
jv fieldcheck_block(struct jsonl_reader *in);

/* 0 when the field is usable, -1 after reporting that no record has it. */
int fieldcheck(const char *option, const char *name, enum field_place place, jv block);

struct jqexpr;
/* The same for an expression that projects records (score --by): -1 after reporting
 * that it gives null or an error for every record of the block. */
int fieldcheck_expr(const char *option, const char *text, struct jqexpr *e, jv block);

#endif
