#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dialog_import.h"
#include "importers.h"
#include "interrupt.h"
#include "jsonl.h"
#include "msg.h"
#include "progress.h"

void import_options_init(struct import_options *o)
{
	memset(o, 0, sizeof *o);
	o->limit = -1;
}

int dialog_import(struct tool *t, struct import_options *o)
{
	enum import_format format;
	if (!o->from)
		fatalf(EXIT_USAGE, "--from FORMAT is required (one of %s)", import_format_names());
	if (import_format_parse(o->from, &format) < 0)
		fatalf(EXIT_USAGE, "unknown format '%s' for --from (one of %s)", o->from, import_format_names());

	struct import_roles *roles = NULL;
	if (o->roles) {
		char why[200];
		if (!import_roles_default(format))
			fatalf(EXIT_USAGE, "--roles applies to --from chat, sharegpt and hf, not %s", o->from);
		roles = import_roles_parse(o->roles, why, sizeof why);
		if (!roles)
			fatalf(EXIT_USAGE, "cannot read --roles '%s': %s", o->roles, why);
	}

	struct jsonl_writer *out = jsonl_writer_open(t->common.output);
	struct jsonl_writer *rejects = t->common.rejects ? jsonl_writer_open(t->common.rejects) : NULL;
	if (!out || (t->common.rejects && !rejects))
		return EXIT_USAGE;
	struct importer *im = importer_open(format, t->inputs, t->ninputs, t->common.max_line_bytes, rejects);
	importer_set_roles(im, roles);
	interrupt_install();

	struct progress progress;
	progress_start(&progress, t->common.progress, o->limit >= 0 ? (uint64_t)o->limit : 0);
	int status = EXIT_OK;
	uint64_t written = 0;
	jv record;
	while (o->limit < 0 || written < (uint64_t)o->limit) {
		if (interrupt_requested()) {
			status = interrupt_status();
			break;
		}
		if (!importer_next(im, &record)) {
			/* An interrupt may have ended the input itself (a read cut on idle stdin). */
			if (interrupt_status()) {
				status = interrupt_status();
				errorf("interrupted");
			}
			break;
		}
		jsonl_write(out, record);
		written++;
		progress_tick(&progress, written, NULL);
	}
	progress_done(&progress, written, NULL);
	notef("%llu conversations from %s, %llu rejected", (unsigned long long)written, import_format_name(format),
	      (unsigned long long)importer_rejected(im));
	if (status == EXIT_OK && importer_rejected(im))
		status = EXIT_SOME_FAILED;
	if (jsonl_writer_close(out) < 0 || jsonl_writer_close(rejects) < 0)
		status = status ? status : EXIT_SOME_FAILED;
	importer_close(im);
	return status;
}
