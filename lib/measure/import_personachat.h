/* import_personachat — PersonaChat / ConvAI2 "self" text: numbered lines, one dialogue per run
 * from 1; bad dialogues reported once, at their first bad line, and their lines kept for
 * --rejects while they fit.
 *
 * Part of importers (importers.h is the contract; import_internal.h the shared state
 * and helpers). Ends the process only as jsonl.h says, when writing a rejected unit
 * to the rejects writer fails; nothing else does (except out of memory).
 */
#ifndef PS_IMPORT_PERSONACHAT_H
#define PS_IMPORT_PERSONACHAT_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

#include "buf.h"

/* The dialogue being read. Its jv arrays are owned (importer_open makes them, importer_close
 * frees them). */
struct pc_dialogue {
	int open;
	int rejected; /* reported already; collecting its lines for --rejects */
	int overflow; /* its text passed the limit: not kept */
	long start_line;
	long last_number;
	uint64_t number; /* position in the input, for the id */
	struct buf raw; /* its lines as read */
	jv sentences, partner, turns;
};

struct importer;

/* 1 and *record (a new reference) for the next dialogue of the operands; 0 at the end. */
int import_personachat_next(struct importer *im, jv *record);

#endif
