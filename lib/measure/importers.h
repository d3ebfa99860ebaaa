/* importers — external dialogue corpora turned into conversation records (dialog-import(1)).
 *
 * Contract: an importer reads the named files in order, or stdin when none (or "-") is
 * given, gzip decompressed transparently, in one of four formats, and hands out one
 * conversation record at a time:
 *
 *   {"id", "persona_id", "index":0, "source":FORMAT, "persona":{...}?, "description",
 *    "turns":[{"speaker":"client"|"responder","text"}...], "source_meta":{...}?, "status":"ok"}
 *
 *   personachat  ConvAI2 "self" text: numbered lines, numbering restarts at 1 for each
 *                dialogue; "N your persona: S" (and "N partner's persona: S") give the
 *                persona; "N A\tB[\t...]" is an exchange, only the first two columns read.
 *                The persona belongs to the speaker of column B, who becomes the client
 *                (the simulated person whose persona is measured); column A is the
 *                responder. Turns keep the file's order: A then B on each line.
 *   spc          Synthetic-Persona-Chat CSV (RFC 4180, header row). "User 1" is the client
 *                (its "user 1 personas" are the description), "User 2" the responder.
 *   spasm        SPASM JSON Lines: "turns" of {"speaker":"client"|"tested","text"|"content"};
 *                "tested" becomes the responder; persona_fields / persona_description.
 *   chat         OpenAI chat JSON Lines: system messages become the description, user
 *                the client, assistant the responder.
 *
 * Members of a JSON input record that the format does not define are kept, untouched,
 * under "source_meta" (so a source's own "status" or "stop" is never taken for ours);
 * so are the extra columns of a CSV row. persona_id is stable: the same persona gives
 * the same id wherever it occurs (see persona_id_of below).
 *
 * Bad input never stops an import: a dialogue, row or JSON line that cannot be read is
 * reported on stderr as "PROGRAM: FILE:LINE: reason" (LINE: where it starts, or the
 * offending line), copied verbatim to the rejects writer when there is one and it fits
 * in the byte limit, counted, and skipped; the next one is read. Memory is bounded by
 * max_line_bytes per dialogue, row or line, however large or damaged the input.
 *
 * Layout: importers.c dispatches and holds the shared helpers (import_internal.h); each
 * format is read in a file of its own (import_personachat.c, import_spc.c on core's
 * csv.c, import_spasm.c, import_chat.c, the last two through jsonl).
 *
 * Ownership: importer_next hands the caller a new jv reference (the caller frees it).
 * Paths and the rejects writer are borrowed for the life of the importer. persona_id_of
 * returns a string the caller frees; its arguments are borrowed.
 * Ends the process only as jsonl.h says: when writing to the rejects writer fails
 * (importer_next). Nothing else does (except out of memory).
 */
#ifndef PS_IMPORTERS_H
#define PS_IMPORTERS_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

#include "jsonl.h"

enum import_format { IMPORT_PERSONACHAT, IMPORT_SPC, IMPORT_SPASM, IMPORT_CHAT };

/* "personachat", "spc", "spasm", "chat": 0 and *format set; -1 for any other name. */
int import_format_parse(const char *name, enum import_format *format);
const char *import_format_name(enum import_format format);
/* The accepted names, comma-separated, for messages. */
const char *import_format_names(void);

struct importer;

/* paths: the operands (may be empty: stdin). rejects may be NULL. Never fails:
 * unreadable files are reported when reached. */
struct importer *importer_open(enum import_format format, char *const *paths, int npaths, long max_line_bytes,
			       struct jsonl_writer *rejects);
/* 1 and *conversation set for the next conversation; 0 at the end of all input. */
int importer_next(struct importer *im, jv *conversation);
/* Conversations handed out so far. */
uint64_t importer_conversations(const struct importer *im);
/* Dialogues, rows or lines rejected so far, plus unreadable or damaged inputs. */
uint64_t importer_rejected(const struct importer *im);
void importer_close(struct importer *im);

/* A persona's stable id: prefix "-" 12 hex digits of a 64-bit hash of the texts, each
 * lower-cased (ASCII) with white space collapsed, sorted when sort is set (PersonaChat
 * repeats a persona with its sentences shuffled), joined by newlines. */
char *persona_id_of(const char *prefix, const char *const *texts, size_t n, int sort);

#endif
