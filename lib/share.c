#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
