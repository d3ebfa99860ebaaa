#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "msg.h"
#include "rng.h"

struct cache {
	char *dir;
	unsigned long temp_counter;
	int warned;
};

static int make_dirs(const char *path)
{
	char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0777) < 0 && errno != EEXIST) {
			free(copy);
			return -1;
		}
		*p = '/';
	}
	int rc = mkdir(copy, 0777) < 0 && errno != EEXIST ? -1 : 0;
	free(copy);
	return rc;
}

struct cache *cache_open(const char *dir)
{
	if (make_dirs(dir) < 0) {
		errorf("cannot create cache folder '%s': %s", dir, strerror(errno));
		return NULL;
	}
	struct cache *c = xcalloc(1, sizeof *c);
	c->dir = xstrdup(dir);
	return c;
}

void cache_key(const char *base_url, const char *body, size_t len, uint64_t sample, char key[33])
{
	uint64_t h[2];
	for (int i = 0; i < 2; i++) {
		uint64_t seed = 0x6a09e667f3bcc908ULL + (uint64_t)i * 0x9e3779b97f4a7c15ULL;
		seed = rng_hash(base_url, strlen(base_url), seed);
		seed = rng_hash(body, len, seed);
		h[i] = rng_hash(&sample, sizeof sample, seed);
	}
	snprintf(key, 33, "%016llx%016llx", (unsigned long long)h[0], (unsigned long long)h[1]);
}

static void entry_path(const struct cache *c, const char *key, char *out, size_t size)
{
	snprintf(out, size, "%s/%.2s/%s", c->dir, key, key + 2);
}

int cache_get(struct cache *c, const char *key, struct buf *out)
{
	char path[4096];
	entry_path(c, key, path, sizeof path);
	FILE *f = fopen(path, "rb");
	if (!f)
		return 0;
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	int bad = ferror(f);
	fclose(f);
	return bad ? 0 : 1;
}

static void warn_once(struct cache *c, const char *what, const char *path)
{
	if (c->warned)
		return;
	c->warned = 1;
	warnf("cannot %s cache entry '%s': %s (going on without caching it)", what, path, strerror(errno));
}

int cache_put(struct cache *c, const char *key, const char *data, size_t len)
{
	char folder[4096], path[4096], temp[4200];
	snprintf(folder, sizeof folder, "%s/%.2s", c->dir, key);
	entry_path(c, key, path, sizeof path);
	if (mkdir(folder, 0777) < 0 && errno != EEXIST) {
		warn_once(c, "create", folder);
		return -1;
	}
	snprintf(temp, sizeof temp, "%s/.tmp.%ld.%lu", folder, (long)getpid(), c->temp_counter++);
	int fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0) {
		warn_once(c, "write", temp);
		return -1;
	}
	size_t done = 0;
	while (done < len) {
		ssize_t w = write(fd, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		done += (size_t)w;
	}
	int bad = done != len;
	bad |= close(fd) != 0;
	if (bad || rename(temp, path) != 0) {
		warn_once(c, "write", path);
		unlink(temp);
		return -1;
	}
	return 0;
}

void cache_drop(struct cache *c, const char *key)
{
	char path[4096];
	entry_path(c, key, path, sizeof path);
	unlink(path);
}

void cache_close(struct cache *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c);
}
