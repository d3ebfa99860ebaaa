/* dialog-import — external dialogue corpora as conversation records (see dialog-import(1)). */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "importers.h"
#include "interrupt.h"
#include "jsonl.h"
#include "msg.h"
#include "progress.h"

static const char *from;
static long limit = -1;

static const struct cli_option import_options[] = {
	{ "from", 'f', CLI_STRING, &from, "FORMAT", "input format: personachat, spc, spasm or chat (required)", 0, 0, NULL },
	{ "limit", 'n', CLI_LONG, &limit, "N", "stop after N conversations", 0, 1e15, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	const struct cli_option *const tables[] = { import_options, NULL };
	const struct cli_program program = {
		"dialog-import", "--from FORMAT [OPTION]... [FILE]...",
		"Read a dialogue corpus (PersonaChat/ConvAI2 text, Synthetic-Persona-Chat CSV, SPASM\n"
		"JSON Lines or OpenAI chat JSON Lines; gzip read transparently) and write one\n"
		"conversation record per dialogue, speakers named \"client\" (the persona's owner)\n"
		"and \"responder\". Bad dialogues are named on stderr and go to --rejects.",
		"See dialog-import(1) for how each format's speakers and personas are mapped.",
		tables,
		NULL,
	};
	struct cli_common common;
	int first = cli_parse(argc, argv, &program, &common);
	enum import_format format;
	if (!from)
		fatalf(EXIT_USAGE, "--from FORMAT is required (one of %s)", import_format_names());
	if (import_format_parse(from, &format) < 0)
		fatalf(EXIT_USAGE, "unknown format '%s' for --from (one of %s)", from, import_format_names());

	struct jsonl_writer *out = jsonl_writer_open(common.output);
	struct jsonl_writer *rejects = common.rejects ? jsonl_writer_open(common.rejects) : NULL;
	if (!out || (common.rejects && !rejects))
		return EXIT_USAGE;
	struct importer *im = importer_open(format, argv + first, argc - first, common.max_line_bytes, rejects);
	interrupt_install();

	struct progress progress;
	progress_start(&progress, common.progress, limit >= 0 ? (uint64_t)limit : 0);
	int status = EXIT_OK;
	uint64_t written = 0;
	jv record;
	while (limit < 0 || written < (uint64_t)limit) {
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
