/* cache: keys from what determines a response, entries put and got back, damaged
 * entries dropped. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "buf.h"
#include "cache.h"
#include "capture.h"
#include "unit.h"

static int is_hex_key(const char *k)
{
	if (strlen(k) != 32)
		return 0;
	for (const char *p = k; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static char dir[] = "/tmp/test-cache-XXXXXX";
static char root[128];

static void open_body(void *arg)
{
	struct cache *c = cache_open(arg);
	printf("%s", c ? "opened" : "refused");
	cache_close(c);
}

int main(void)
{
	char k1[33], k2[33], k3[33], k4[33], k5[33];
	const char *body = "{\"model\":\"m\",\"messages\":[]}";
	cache_key("http://a", body, strlen(body), 0, k1);
	cache_key("http://a", body, strlen(body), 0, k2);
	CHECK(is_hex_key(k1), "a key is 32 lower-case hex digits (%s)", k1);
	CHECK(strcmp(k1, k2) == 0, "the same request gives the same key");
	cache_key("http://b", body, strlen(body), 0, k3);
	cache_key("http://a", body, strlen(body), 1, k4);
	cache_key("http://a", body, strlen(body) - 1, 0, k5);
	CHECK(strcmp(k1, k3) != 0, "the base URL is part of the key");
	CHECK(strcmp(k1, k4) != 0, "the sample index is part of the key");
	CHECK(strcmp(k1, k5) != 0, "every byte of the body is part of the key");

	if (!mkdtemp(dir))
		return 99;
	snprintf(root, sizeof root, "%s/deep/er", dir);
	struct cache *c = cache_open(root);
	struct stat st;
	CHECK(c && stat(root, &st) == 0 && S_ISDIR(st.st_mode), "cache_open creates the folder with its parents");
	struct buf out = BUF_INIT;
	CHECK(cache_get(c, k1, &out) == 0 && out.len == 0, "a missing entry is a miss");
	CHECK(cache_put(c, k1, "answer one", 10) == 0, "an entry is written");
	char entry[256];
	snprintf(entry, sizeof entry, "%s/%.2s/%s", root, k1, k1 + 2);
	CHECK(stat(entry, &st) == 0 && st.st_size == 10, "it lives at DIR/ab/cdef... (first two digits as folder)");
	buf_adds(&out, "kept:");
	CHECK(cache_get(c, k1, &out) == 1, "a written entry is a hit");
	CHECK(out.len == 15 && memcmp(out.data, "kept:answer one", 15) == 0, "the entry is appended to the buffer");
	CHECK(cache_put(c, k1, "answer two", 10) == 0, "an entry can be replaced");
	buf_reset(&out);
	cache_get(c, k1, &out);
	CHECK(out.len == 10 && memcmp(out.data, "answer two", 10) == 0, "the replacement is what is read");
	CHECK(cache_put(c, k4, "", 0) == 0, "an empty entry is written");
	buf_reset(&out);
	CHECK(cache_get(c, k4, &out) == 1 && out.len == 0, "and is a hit with nothing in it");

	/* A damaged entry (say, a truncated write by another tool) is dropped by its key. */
	FILE *f = fopen(entry, "w");
	fputs("{\"trunc", f);
	fclose(f);
	buf_reset(&out);
	CHECK(cache_get(c, k1, &out) == 1 && out.len == 7,
	      "the cache does not judge content: a damaged entry is read as it is");
	cache_drop(c, k1);
	buf_reset(&out);
	CHECK(cache_get(c, k1, &out) == 0, "a dropped entry is a miss");
	CHECK(cache_put(c, k1, "fresh", 5) == 0, "the refetched answer replaces it");
	buf_reset(&out);
	CHECK(cache_get(c, k1, &out) == 1 && out.len == 5 && memcmp(out.data, "fresh", 5) == 0, "and is read back");
	cache_drop(c, k5); /* dropping a missing entry is harmless */

	char sub[256];
	snprintf(sub, sizeof sub, "%s/%.2s", root, k1);
	int temps = 0;
	DIR *d = opendir(sub);
	struct dirent *e;
	while (d && (e = readdir(d)))
		temps += strncmp(e->d_name, ".tmp", 4) == 0;
	if (d)
		closedir(d);
	CHECK(temps == 0, "no temporary file is left behind");
	buf_free(&out);
	cache_close(c);
	cache_close(NULL);

	struct captured cap;
	char blocked[256];
	snprintf(blocked, sizeof blocked, "%s/file", dir);
	f = fopen(blocked, "w");
	fclose(f);
	char inside[300];
	snprintf(inside, sizeof inside, "%s/sub", blocked);
	capture(&cap, open_body, inside);
	char want[512];
	snprintf(want, sizeof want, "persona: cannot create cache folder '%s': Not a directory\n", inside);
	CHECK(strcmp(cap.out, "refused") == 0, "a folder that cannot be created is refused");
	CHECK_STR(cap.err, want, "with the reason");

	char cmd[400];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return 99;
	return UNIT_DONE();
}
