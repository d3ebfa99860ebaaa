/* unit — the smallest test harness that does the job: each check prints one TAP line
 * ("ok N - name" or "not ok N - name"), and main returns the number of failures.
 * tests/run.sh counts the lines. Checks are named after the behaviour they pin. */
#ifndef PS_UNIT_H
#define PS_UNIT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_count, unit_failed;

#define CHECK(cond, ...)                                                                \
	do {                                                                            \
		unit_count++;                                                           \
		int unit_ok_ = (cond) ? 1 : 0;                                          \
		if (!unit_ok_)                                                          \
			unit_failed++;                                                  \
		printf("%sok %d - ", unit_ok_ ? "" : "not ", unit_count);               \
		printf(__VA_ARGS__);                                                    \
		printf("\n");                                                           \
		if (!unit_ok_)                                                          \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
	} while (0)

#define CHECK_STR(got, want, ...)                                                                             \
	do {                                                                                                  \
		const char *unit_got_ = (got), *unit_want_ = (want);                                          \
		CHECK(unit_got_ &&strcmp(unit_got_, unit_want_) == 0, __VA_ARGS__);                           \
		if (!unit_got_ || strcmp(unit_got_, unit_want_) != 0)                                         \
			printf("#   got:  %s\n#   want: %s\n", unit_got_ ? unit_got_ : "(null)", unit_want_); \
	} while (0)

#define UNIT_DONE() (printf("1..%d\n", unit_count), unit_failed ? 1 : 0)

/* Scratch files: unit_scratch_open makes a private folder under /tmp (0 on success);
 * unit_path names a file in it (eight rotating buffers, so a few can be in use at
 * once); unit_write_file writes one; unit_scratch_remove deletes the folder. */
static char unit_scratch[64];

static inline int unit_scratch_open(const char *test)
{
	snprintf(unit_scratch, sizeof unit_scratch, "/tmp/%s.XXXXXX", test);
	return mkdtemp(unit_scratch) ? 0 : -1;
}

static inline char *unit_path(const char *name)
{
	static char paths[8][256];
	static int next;
	char *p = paths[next++ % 8];
	snprintf(p, 256, "%s/%s", unit_scratch, name);
	return p;
}

/* The words of s: runs of characters other than a space. */
static inline int unit_words(const char *s)
{
	int n = 0, in = 0;
	for (; *s; s++) {
		int w = *s != ' ';
		n += w && !in;
		in = w;
	}
	return n;
}

/* The file at path into buf (size bytes, NUL-terminated; "" when it cannot be read). */
static inline char *unit_read_text(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, size - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

/* Write text to the file at path (replacing it). */
static inline void unit_write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static inline void unit_write_file(const char *name, const char *data, size_t len)
{
	FILE *f = fopen(unit_path(name), "wb");
	if (f) {
		fwrite(data, 1, len, f);
		fclose(f);
	}
}

static inline int unit_scratch_remove(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", unit_scratch);
	return system(cmd) == 0 ? 0 : -1;
}

#endif
