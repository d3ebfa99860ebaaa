/* dialog_import — the work of dialog-import(1): an external dialogue corpus as
 * conversation records (PersonaChat/ConvAI2, Synthetic-Persona-Chat, SPASM, OpenAI chat).
 *
 * Contract: after tool_start has parsed the options into a struct import_options
 * (defaults from import_options_init), dialog_import reads the operands (or stdin) and
 * writes one record per dialogue; bad dialogues are named and routed to --rejects.
 * Returns the exit status. Ownership: the options are borrowed for the run.
 * Ends the process: without --from, with an unknown format, with a --roles map that
 * cannot be read or given for a format without roles (exit 2).
 */
#ifndef PS_DIALOG_IMPORT_H
#define PS_DIALOG_IMPORT_H

#include "tool.h"

struct import_options {
	const char *from;
	const char *roles; /* --roles MAP, NULL: the format's default */
	long limit; /* < 0: no limit */
};

void import_options_init(struct import_options *o);
int dialog_import(struct tool *t, struct import_options *o);

#endif
