/* share: the order in which a name given to an option is looked up. The test runs in
 * a folder of its own, with $PERSONA_SHARE pointing at another. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "capture.h"
#include "share.h"
#include "unit.h"

static char base[] = "/tmp/test-share-XXXXXX";
static char share[PATH_MAX], cwd[PATH_MAX];

static void touch(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f)
		fclose(f);
}

static void rm(const char *dir, const char *name)
{
	char path[PATH_MAX + 64];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path);
}

/* share_resolve's answer, with the share folder written as $S. */
static char answer[PATH_MAX + 64];
static const char *resolve(const char *kind, const char *name, const char *ext, int share_first)
{
	char *p = share_resolve("--opt", kind, name, ext, share_first);
	if (!p)
		return "(null)";
	size_t n = strlen(share);
	if (strncmp(p, share, n) == 0)
		snprintf(answer, sizeof answer, "$S%s", p + n);
	else
		snprintf(answer, sizeof answer, "%s", p);
	free(p);
	return answer;
}

static void missing_body(void *arg)
{
	(void)arg;
	printf("%s", resolve("rules", "absent", ".json", 0));
}

int main(void)
{
	char exe_share[PATH_MAX];
	/* The build tree's share/ (exe/../../share), to compare with before changing folder. */
	char *built = share_path("prompts/craft.txt");
	CHECK(built != NULL && strstr(built, "/../../share/prompts/craft.txt"),
	      "without $PERSONA_SHARE a file is found in the build tree's share/ (%s)", built ? built : "none");
	snprintf(exe_share, sizeof exe_share, "%s", built ? built : "");
	free(built);

	if (!mkdtemp(base))
		return 99;
	snprintf(share, sizeof share, "%s/share", base);
	snprintf(cwd, sizeof cwd, "%s/work", base);
	char rules[PATH_MAX + 16], prompts[PATH_MAX + 16];
	snprintf(rules, sizeof rules, "%s/rules", share);
	snprintf(prompts, sizeof prompts, "%s/prompts", share);
	mkdir(share, 0755);
	mkdir(cwd, 0755);
	mkdir(rules, 0755);
	mkdir(prompts, 0755);
	touch(rules, "a");
	touch(rules, "a.json");
	touch(rules, "b.json");
	touch(rules, "notes.txt");
	touch(prompts, "craft.txt");
	touch(prompts, "only.txt");
	touch(cwd, "b.json");
	touch(cwd, "only");
	touch(cwd, "here.json");
	setenv("PERSONA_SHARE", share, 1);
	if (chdir(cwd) != 0)
		return 99;

	CHECK_STR(resolve("rules", "./nowhere/x.json", ".json", 0), "./nowhere/x.json",
		  "a name with a slash is a path, taken as is even when missing");
	CHECK_STR(resolve("rules", "b.json", ".json", 0), "b.json",
		  "an existing file in the current folder wins over share");
	CHECK_STR(resolve("rules", "a", ".json", 0), "$S/rules/a", "NAME in share/KIND is tried before NAME.ext");
	CHECK_STR(resolve("rules", "b", ".json", 0), "$S/rules/b.json", "then NAME with the extension");
	CHECK_STR(resolve("rules", "here.json", ".json", 1), "here.json",
		  "share first: a file found only in the current folder is still taken");
	CHECK_STR(resolve("prompts", "only", ".txt", 1), "$S/prompts/only.txt",
		  "share first: the shipped file wins over a current-folder file of the same name");
	CHECK_STR(resolve("prompts", "craft", ".txt", 1), "$S/prompts/craft.txt",
		  "$PERSONA_SHARE comes before the build tree's share/");

	struct captured c;
	capture(&c, missing_body, NULL);
	CHECK_STR(c.out, "(null)", "a name found nowhere gives NULL");
	CHECK_STR(c.err,
		  "persona: --opt: cannot open 'absent': No such file or directory, nor is it in share/rules "
		  "(shipped: a, b)\n",
		  "the message lists the shipped names with the extension, sorted");
	CHECK(c.status == 0, "share_resolve never ends the process");

	setenv("PERSONA_SHARE", "", 1);
	char *p = share_path("prompts/only.txt");
	CHECK(p == NULL, "an empty $PERSONA_SHARE is ignored");
	free(p);
	p = share_path("prompts/craft.txt");
	CHECK(p && strcmp(p, exe_share) == 0, "and the build tree is searched");
	free(p);
	unsetenv("PERSONA_SHARE");

	rm(rules, "a");
	rm(rules, "a.json");
	rm(rules, "b.json");
	rm(rules, "notes.txt");
	rm(prompts, "craft.txt");
	rm(prompts, "only.txt");
	rm(cwd, "b.json");
	rm(cwd, "only");
	rm(cwd, "here.json");
	rmdir(rules);
	rmdir(prompts);
	rmdir(cwd);
	rmdir(share);
	rmdir(base);
	return UNIT_DONE();
}
