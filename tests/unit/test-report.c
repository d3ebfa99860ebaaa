/* report: one self-contained page, five charts, user text escaped, any summary shape. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "unit.h"

static char path[64];
static char page[1 << 20];

static const char *render(const char *summary)
{
	jv s = jv_parse(summary);
	int rc = report_write(s, path);
	jv_free(s);
	page[0] = '\0';
	if (rc < 0)
		return NULL;
	return unit_read_text(path, page, sizeof page);
}

static int count(const char *text, const char *what)
{
	int n = 0;
	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

int main(void)
{
	snprintf(path, sizeof path, "/tmp/test-report-%ld.html", (long)getpid());
	const char *p = render(
		"{\"conversations\":3,\"echo_rate\":0.25,\"silhouette\":null,"
		"\"distinct_1\":0.5,\"distinct_2\":0.75,\"distinct_3\":0.9,"
		"\"drift_curve\":[0.1,0.2],\"stop_turns\":[0,1,2],\"stop_reasons\":{\"max_turns\":3},"
		"\"projection\":[{\"x\":0,\"y\":1,\"persona\":\"p<1>\"},{\"x\":1,\"y\":0,\"persona\":\"p2\"},"
		" {\"x\":0.5,\"y\":0.5,\"persona\":\"p2\"}],"
		"\"groups\":{\"<b>A&B</b>\":{\"conversations\":2,\"echo_rate\":0.5},\"plain\":{\"conversations\":1}}}");
	CHECK(p != NULL && strncmp(p, "<!DOCTYPE html>", 15) == 0, "a summary renders as an HTML page");
	CHECK(count(page, "<svg") == 5, "exactly five inline charts (got %d)", count(page, "<svg"));
	CHECK(count(page, "<script") == 0 && count(page, "http://") == 0 && count(page, "https://") == 0 &&
		      count(page, "<link") == 0 && count(page, "<img") == 0,
	      "no scripts, links or external resources");
	CHECK(strstr(page, "&lt;b&gt;A&amp;B&lt;/b&gt;") != NULL && strstr(page, "<b>A&B</b>") == NULL,
	      "group names are escaped");
	CHECK(strstr(page, "p<1>") == NULL && strstr(page, "p&lt;1&gt;") != NULL, "persona ids are escaped too");
	CHECK(strstr(page, "\xe2\x80\x93") != NULL, "a null figure shows as an en dash");

	p = render("[1,2,3]");
	CHECK(p != NULL && count(page, "<svg") == 5, "a summary of the wrong shape still gives a page");
	p = render("{\"groups\":7,\"drift_curve\":{},\"projection\":\"x\",\"stop_turns\":[\"a\",null]}");
	CHECK(p != NULL && count(page, "<svg") == 5, "members of the wrong kind are ignored, never a crash");

	char bad[128];
	snprintf(bad, sizeof bad, "%s.missing/page.html", path);
	jv s = jv_object();
	CHECK(report_write(s, bad) == -1, "an unwritable path is an error");
	jv_free(s);
	unlink(path);
	return UNIT_DONE();
}
