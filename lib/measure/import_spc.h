/* import_spc — Synthetic-Persona-Chat CSV: a header row naming "user 1 personas",
 * "user 2 personas" and "Best Generated Conversation" (any case), then one row per
 * conversation; other columns go to source_meta.
 *
 * Part of importers (importers.h is the contract; import_internal.h the shared state
 * and helpers). Ends the process only as jsonl.h says, when writing a rejected unit
 * to the rejects writer fails; nothing else does (except out of memory).
 */
#ifndef PS_IMPORT_SPC_H
#define PS_IMPORT_SPC_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

/* The columns of the current operand's header; names is owned. */
struct spc_columns {
	jv names; /* the header's fields */
	size_t n;
	long user1, user2, conversation;
};

struct importer;

/* 1 and *record (a new reference) for the next conversation of the operands; 0 at the end. */
int import_spc_next(struct importer *im, jv *record);

#endif
