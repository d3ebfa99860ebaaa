#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "buf.h"
#include "msg.h"
#include "share.h"

static char *existing(const char *dir, const char *middle, const char *relative)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s%s/%s", dir, middle, relative);
	if (access(b.data, R_OK) == 0)
		return b.data;
	buf_free(&b);
	return NULL;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *share_path(const char *relative)
{
	const char *env = getenv("PERSONA_SHARE");
	char *found = env && *env ? existing(env, "", relative) : NULL;
	if (found)
		return found;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	found = existing(exe, "/../share/persona", relative);
	if (!found)
		found = existing(exe, "/../../share", relative);
	return found;
}

/* "a, b, c": the names shipped in share/<kind> (the first folder that has it). */
static void shipped_names(const char *kind, const char *ext, struct buf *out)
{
	char *dir = share_path(kind);
	if (!dir)
		return;
	DIR *d = opendir(dir);
	free(dir);
	if (!d)
		return;
	char *names[64];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 64) {
		size_t len = strlen(e->d_name), elen = strlen(ext);
		if (e->d_name[0] == '.' || len <= elen || strcmp(e->d_name + len - elen, ext) != 0)
			continue;
		names[n++] = xstrdup(e->d_name);
		names[n - 1][len - elen] = '\0';
	}
	closedir(d);
	qsort(names, n, sizeof *names, compare_names);
	for (size_t i = 0; i < n; i++) {
		buf_addf(out, "%s%s", i ? ", " : "", names[i]);
		free(names[i]);
	}
}

char *share_resolve(const char *option, const char *kind, const char *name, const char *ext, int share_first)
{
	struct stat st;
	if (strchr(name, '/') || (!share_first && stat(name, &st) == 0))
		return xstrdup(name);
	struct buf rel = BUF_INIT;
	buf_addf(&rel, "%s/%s", kind, name);
	char *found = share_path(rel.data);
	if (!found) {
		buf_adds(&rel, ext);
		found = share_path(rel.data);
	}
	buf_free(&rel);
	if (found)
		return found;
	if (stat(name, &st) == 0)
		return xstrdup(name);
	struct buf names = BUF_INIT;
	shipped_names(kind, ext, &names);
	errorf("%s: cannot open '%s': No such file or directory, nor is it in share/%s (shipped: %s)", option, name,
	       kind, names.data ? names.data : "none found");
	buf_free(&names);
	return NULL;
}
