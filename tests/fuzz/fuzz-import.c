/* fuzz-import — the same bytes read by each of the six importers (personachat, spc,
 * spasm, chat, sharegpt, hf), with a small byte limit and the rejects routed to
 * /dev/null; the chat-shaped ones once more with a role map of every role. */
#include <stddef.h>
#include <stdint.h>

#include "importers.h"
#include "jsonl.h"
#include "msg.h"
#include "fuzz.h"

enum { MAX_LINE_BYTES = 4096 };

static const char *const FORMATS[] = { "personachat", "spc", "spasm", "chat", "sharegpt", "hf" };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	msg_set_program("fuzz-import");
	fuzz_quiet_stderr();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *paths[] = { (char *)fuzz_input_path(data, size) };
	for (size_t f = 0; f < 2 * sizeof FORMATS / sizeof FORMATS[0]; f++) {
		enum import_format format;
		if (import_format_parse(FORMATS[f % (sizeof FORMATS / sizeof FORMATS[0])], &format) != 0)
			abort();
		int with_map = f >= sizeof FORMATS / sizeof FORMATS[0];
		if (with_map && !import_roles_default(format))
			continue;
		struct jsonl_writer *rejects = jsonl_writer_open("/dev/null");
		struct importer *im = importer_open(format, paths, 1, MAX_LINE_BYTES, rejects);
		if (with_map) {
			char why[160];
			importer_set_roles(im,
					   import_roles_parse("user=responder,assistant=client,human=skip,gpt=client,"
							      "system=client,from=description",
							      why, sizeof why));
		}
		jv conversation;
		while (importer_next(im, &conversation))
			jv_free(conversation);
		(void)importer_conversations(im);
		(void)importer_rejected(im);
		importer_close(im);
		jsonl_writer_close(rejects);
	}
	return 0;
}
