/* replay — saved fuzz inputs run through a fuzz target without libFuzzer.
 *
 * Linked by the normal compiler with one tests/fuzz/fuzz-NAME.c and the library (the
 * Makefile builds BUILD/fuzz/replay-NAME next to the programs, plain and under
 * ASan+UBSan), this calls the target's LLVMFuzzerInitialize once and its
 * LLVMFuzzerTestOneInput once per file named on the command line, the way libFuzzer
 * replays a crash file. tests/t0750-fuzz-replay.sh runs every file of
 * tests/fuzz/regressions/NAME/ and tests/fuzz/corpus/NAME/ through it in `make check`,
 * so a fixed crash that comes back fails the suite without clang.
 * Each input is a buffer of exactly its size, as libFuzzer gives it, so the sanitizers
 * see a read past its end. Prints "replay: N inputs" and exits 0 when every input ran;
 * a crash is the sanitizer's report and status; an unreadable file exits 2.
 * The targets point `stderr` at /dev/null; this file's messages go to descriptor 2.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

/* The whole file in a buffer of its exact size (1 byte for an empty file); NULL when
 * it cannot be read. */
static uint8_t *read_input(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, n = 0;
	uint8_t *data = malloc(cap);
	size_t got;
	while (data && (got = fread(data + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			cap *= 2;
			uint8_t *bigger = realloc(data, cap);
			if (!bigger)
				free(data);
			data = bigger;
		}
	}
	int failed = ferror(f);
	fclose(f);
	if (!data || failed) {
		free(data);
		return NULL;
	}
	uint8_t *exact = malloc(n ? n : 1);
	if (exact)
		memcpy(exact, data, n);
	free(data);
	*size = n;
	return exact;
}

int main(int argc, char **argv)
{
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	int i;
	for (i = 1; i < argc; i++) {
		size_t size = 0;
		uint8_t *data = read_input(argv[i], &size);
		if (!data) {
			dprintf(2, "replay: cannot read '%s': %s\n", argv[i], strerror(errno));
			return 2;
		}
		LLVMFuzzerTestOneInput(data, size);
		free(data);
	}
	dprintf(1, "replay: %d inputs\n", argc - 1);
	return 0;
}
