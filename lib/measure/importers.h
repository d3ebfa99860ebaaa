/* importers — external dialogue corpora turned into conversation records (dialog-import(1)).
 *
 * Contract: an importer reads the named files in order, or stdin when none (or "-") is
 * given, gzip decompressed transparently, in one of six formats, and hands out one
 * conversation record at a time:
 *
 *   {"id", "persona_id", "index":0, "source":{"format", "id", "line"}, "persona":{...}?,
 *    "description", "system_prompt"?, "turns":[{"speaker":"client"|"responder","text"}...],
 *    "stop":{...}?, "source_meta":{...}?, "status":"ok"}
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
 *                "tested" becomes the responder; persona_fields / persona_description;
 *                SPASM's persona_id and conversation_id make the id "P/C", its
 *                termination_reason the "stop" (import_spasm_stop_reason).
 *   chat         OpenAI chat JSON Lines: system messages become the description, user
 *                the client, assistant the responder.
 *   sharegpt     ShareGPT JSON Lines: "conversations" of {"from", "value"}; human the
 *                client, gpt the responder, system the description.
 *   hf           Hugging Face chat JSON Lines: "messages" as in chat, plus an optional
 *                persona column ("persona", "personas" or "persona_description").
 *
 * The three chat-shaped formats name their speakers through a role map (--roles,
 * import_roles_parse): each role name to client, responder, description or skip. Their
 * first turn is dropped when it is exactly the kick-off message exports add before a
 * conversation that opens with the assistant (CHAT_KICKOFF in chatshape.h).
 *
 * "source" says where a record came from: the format, the source's own id (the JSON
 * value of its "id", SPASM's "P/C"; null when it has none) and the line the dialogue,
 * row or JSON record starts on in its file. "stop" is there only when the source says
 * how the dialogue ended: {"reason", "by":"source", "after", "source_reason"}.
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
 * csv.c, import_spasm.c, and import_chat.c for chat, sharegpt and hf; the JSON formats
 * through jsonl).
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

enum import_format { IMPORT_PERSONACHAT, IMPORT_SPC, IMPORT_SPASM, IMPORT_CHAT, IMPORT_SHAREGPT, IMPORT_HF };

/* "personachat", "spc", "spasm", "chat", "sharegpt", "hf": 0 and *format set; -1 for
 * any other name. */
int import_format_parse(const char *name, enum import_format *format);
const char *import_format_name(enum import_format format);
/* The accepted names, comma-separated, for messages. */
const char *import_format_names(void);

/* A role map: role names (a ShareGPT "from", a chat "role") to what they become. */
struct import_roles;

/* "NAME=ROLE,NAME=ROLE,..." with ROLE one of client, responder, description or skip:
 * the map, or NULL with the reason in why. A later NAME overrides an earlier one. */
struct import_roles *import_roles_parse(const char *map, char *why, size_t size);
/* The format's role map when --roles is not given, or NULL: it has no roles. */
const char *import_roles_default(enum import_format format);
void import_roles_free(struct import_roles *roles);

struct importer;

/* paths: the operands (may be empty: stdin). rejects may be NULL. Never fails:
 * unreadable files are reported when reached. */
struct importer *importer_open(enum import_format format, char *const *paths, int npaths, long max_line_bytes,
			       struct jsonl_writer *rejects);
/* The role map of a chat-shaped format instead of its default (consumed; NULL: the
 * default). Call before the first importer_next. */
void importer_set_roles(struct importer *im, struct import_roles *roles);
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
