/* fuzz — what every fuzz target shares: the input as a file, and a quiet library.
 *
 * The library reads files by name, so each input is written to one temporary file per
 * process (rewritten on every run) and the target hands that name to the loader.
 * Loaders report bad input on stderr by contract; at millions of runs that is noise.
 * fuzz_quiet_stderr points the C stream `stderr` (what msg.c and jq print through) at
 * /dev/null once, at initialisation, rather than dup2'ing descriptor 2: libFuzzer keeps
 * its own FILE * taken before LLVMFuzzerInitialize, and the sanitizers write to
 * descriptor 2 directly, so run statistics and crash reports stay visible.
 * Set FUZZ_VERBOSE=1 in the environment to see the library's messages.
 * Ownership: fuzz_input_path returns a path owned by this file, valid for the process;
 * fuzz_text returns a copy the caller frees.
 */
#ifndef PS_FUZZ_H
#define PS_FUZZ_H

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_path[64];
static int fuzz_fd = -1;

static void fuzz_quiet_stderr(void)
{
	if (getenv("FUZZ_VERBOSE"))
		return;
	FILE *null = fopen("/dev/null", "w");
	if (null)
		stderr = null; /* glibc allows assigning the standard streams */
}

static void fuzz_remove_input(void)
{
	if (fuzz_fd >= 0)
		unlink(fuzz_path);
}

/* The input as the contents of a file; the same path is reused for every run. */
static const char *fuzz_input_path(const uint8_t *data, size_t size)
{
	if (fuzz_fd < 0) {
		snprintf(fuzz_path, sizeof fuzz_path, "/tmp/ps-fuzz-%ld", (long)getpid());
		fuzz_fd = open(fuzz_path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		if (fuzz_fd < 0) {
			perror(fuzz_path);
			abort();
		}
		atexit(fuzz_remove_input);
	}
	if (ftruncate(fuzz_fd, 0) != 0 || pwrite(fuzz_fd, data, size, 0) != (ssize_t)size) {
		perror(fuzz_path);
		abort();
	}
	return fuzz_path;
}

/* A NUL-terminated copy of the input for parsers of text; the caller frees it. */
static char *fuzz_text(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
