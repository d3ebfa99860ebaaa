/* sharedlimit: the bucket arithmetic at given times, two handles on one directory
 * drawing from one bucket, a damaged state reset, limits.json checked, and the
 * rate-limit reset durations providers send. */
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "msg.h"
#include "sharedlimit.h"
#include "unit.h"

#define NEAR(a, b) (fabs((a) - (b)) < 1e-6)

static void open_in_scratch(void *arg)
{
	struct sharedlimit *s = sharedlimit_open(unit_scratch, "http://a/v1", arg);
	printf("%s", s ? "opened" : "refused");
	sharedlimit_close(s);
}

static void refused_with(const char *limits, const char *why, const char *name)
{
	unit_write_text(unit_path("limits.json"), limits);
	struct captured c;
	capture(&c, open_in_scratch, "k");
	CHECK(strcmp(c.out, "refused") == 0 && strstr(c.err, why), "%s", name);
}

static void durations(void)
{
	CHECK(NEAR(sharedlimit_parse_duration("6m0s"), 360), "\"6m0s\" is 360 s");
	CHECK(NEAR(sharedlimit_parse_duration("1.5s"), 1.5), "\"1.5s\" is 1.5 s");
	CHECK(NEAR(sharedlimit_parse_duration("20ms"), 0.02), "\"20ms\" is 0.02 s");
	CHECK(NEAR(sharedlimit_parse_duration(" 1h2m3s"), 3723), "\"1h2m3s\" is 3723 s, leading blanks skipped");
	CHECK(NEAR(sharedlimit_parse_duration("1m30.5s"), 90.5), "\"1m30.5s\" is 90.5 s");
	CHECK(NEAR(sharedlimit_parse_duration("30"), 30) && NEAR(sharedlimit_parse_duration("0.5 "), 0.5),
	      "plain numbers are seconds");
	CHECK(sharedlimit_parse_duration("") < 0 && sharedlimit_parse_duration("soon") < 0 &&
		      sharedlimit_parse_duration("1m30") < 0 && sharedlimit_parse_duration("5x") < 0 &&
		      sharedlimit_parse_duration("-1s") < 0 && sharedlimit_parse_duration("1s 2") < 0,
	      "anything else is not a duration (-1)");
}

int main(void)
{
	durations();
	if (unit_scratch_open("test-sharedlimit") != 0)
		return 1;
	msg_set_program("test");

	struct captured c;
	capture(&c, open_in_scratch, "k");
	CHECK(strcmp(c.out, "refused") == 0 && strstr(c.err, "limits.json"),
	      "a directory without limits.json is refused, naming it");
	refused_with("[1]", "must be a JSON object", "limits.json must be an object");
	refused_with("{\"rpm\": -1}", "\"rpm\" must be a number of at least 0", "a negative limit is refused");
	refused_with("{\"rpn\": 5}", "unknown member \"rpn\"", "an unknown member (a typo) is refused");

	/* 60 rpm = 1/s: one second of burst holds one request; 600 tpm = 10/s. */
	unit_write_text(unit_path("limits.json"), "{\"rpm\": 120, \"tpm\": 600, \"budget\": null}");
	struct sharedlimit *a = sharedlimit_open(unit_scratch, "http://a/v1", "sk-secret-key-1");
	struct sharedlimit *b = sharedlimit_open(unit_scratch, "http://a/v1", "sk-secret-key-1");
	struct sharedlimit *other = sharedlimit_open(unit_scratch, "http://a/v1", "sk-secret-key-2");
	CHECK(a && b && other, "handles open");
	if (!a || !b || !other)
		return UNIT_DONE();
	const struct shared_limits *l = sharedlimit_limits(a);
	CHECK(l->rpm == 120 && l->tpm == 600 && l->budget < 0, "limits read; null is no limit");
	CHECK(strcmp(sharedlimit_path(a), sharedlimit_path(b)) == 0, "the same URL and key: the same state file");
	CHECK(strcmp(sharedlimit_path(a), sharedlimit_path(other)) != 0, "another key: another state file");
	CHECK(!strstr(sharedlimit_path(a), "secret"), "the file name is a hash, not the key (%s)", sharedlimit_path(a));

	double t = 1000000.0, wait = -1;
	/* 120 rpm: a burst of 2 requests, then one every 0.5 s, shared by both handles. */
	CHECK(sharedlimit_take(a, t, 1, &wait) == SHARED_GO, "a fresh bucket: the first request goes");
	CHECK(sharedlimit_take(b, t, 1, &wait) == SHARED_GO, "the second handle takes the second of the burst");
	CHECK(sharedlimit_take(a, t, 1, &wait) == SHARED_WAIT && NEAR(wait, 0.5),
	      "the burst is spent for both: wait 0.5 s (%g)", wait);
	CHECK(sharedlimit_take(b, t + 0.25, 1, &wait) == SHARED_WAIT && NEAR(wait, 0.25),
	      "waiting takes nothing: 0.25 s later, 0.25 s to go (%g)", wait);
	CHECK(sharedlimit_take(b, t + 0.5, 1, &wait) == SHARED_GO, "after 0.5 s one more goes");
	CHECK(sharedlimit_take(other, t, 1, &wait) == SHARED_GO, "another key's bucket is untouched");

	/* Tokens: 600 tpm = 10/s, a bucket of 10. At t+0.5 it holds 10 - 3 = 7. */
	t += 10;
	CHECK(sharedlimit_take(a, t, 8, &wait) == SHARED_GO, "a full token bucket gives 8 tokens");
	CHECK(sharedlimit_take(b, t, 8, &wait) == SHARED_WAIT && NEAR(wait, 0.6), "2 left: 8 more wait 0.6 s (%g)",
	      wait);
	sharedlimit_adjust(a, t, -5);
	CHECK(sharedlimit_take(b, t, 7, &wait) == SHARED_GO, "usage below the estimate gives the rest back");
	sharedlimit_adjust(a, t, 10);
	CHECK(sharedlimit_take(b, t + 0.5, 1, &wait) == SHARED_WAIT && NEAR(wait, 0.6),
	      "usage above the estimate is a debt: at -10 + 5 tokens one more waits 0.6 s (%g)", wait);
	sharedlimit_adjust(a, t + 100, -1000);
	CHECK(sharedlimit_take(b, t + 100, 10, &wait) == SHARED_GO &&
		      sharedlimit_take(b, t + 100, 1, &wait) == SHARED_WAIT,
	      "giving back never fills past one second's worth");
	t += 200;
	CHECK(sharedlimit_take(a, t, 25, &wait) == SHARED_GO,
	      "a request bigger than one second's worth goes once the bucket holds it");
	CHECK(sharedlimit_take(a, t, 25, &wait) == SHARED_WAIT && NEAR(wait, 2.5),
	      "the next such request waits 2.5 s for it (%g)", wait);
	CHECK(sharedlimit_take(a, t + 2.5, 25, &wait) == SHARED_GO, "... and then goes");

	/* A 429's pause: every handle waits it out. */
	t += 100;
	sharedlimit_pause(a, t, 2.5);
	CHECK(sharedlimit_take(b, t + 1, 1, &wait) == SHARED_WAIT && NEAR(wait, 1.5),
	      "a pause stored by one handle holds the other (%g)", wait);
	sharedlimit_pause(b, t, 1);
	CHECK(sharedlimit_take(a, t + 2, 1, &wait) == SHARED_WAIT && NEAR(wait, 0.5),
	      "a shorter pause does not shorten a longer one (%g)", wait);
	CHECK(sharedlimit_take(a, t + 2.5, 1, &wait) == SHARED_GO, "after the pause requests go");

	/* A damaged file: reset to full buckets, said once. */
	int fd = open(sharedlimit_path(a), O_WRONLY | O_TRUNC);
	CHECK(fd >= 0 && write(fd, "garbage, not a state at all: a torn or foreign file.......", 58) == 58,
	      "the state file is overwritten with garbage");
	if (fd >= 0)
		close(fd);
	msg_mute(1);
	CHECK(sharedlimit_take(a, t + 3, 1, &wait) == SHARED_GO && sharedlimit_take(b, t + 3, 1, &wait) == SHARED_GO &&
		      sharedlimit_take(a, t + 3, 1, &wait) == SHARED_WAIT,
	      "garbage is reset to a fresh, full bucket, shared again");
	msg_mute(0);
	fd = open(sharedlimit_path(a), O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, "torn", 4, 64) == 4, "the newer slot is torn");
	if (fd >= 0)
		close(fd);
	CHECK(sharedlimit_take(b, t + 3, 1, &wait) == SHARED_GO && sharedlimit_take(b, t + 3, 1, &wait) == SHARED_WAIT,
	      "a torn newest slot falls back to the one before (one request left, not a reset's two)");
	sharedlimit_close(a);
	sharedlimit_close(b);
	sharedlimit_close(other);

	/* The budget: spend from two handles adds up; at the budget nothing goes. */
	unit_write_text(unit_path("limits.json"), "{\"budget\": 1.0}");
	a = sharedlimit_open(unit_scratch, "http://b/v1", NULL);
	b = sharedlimit_open(unit_scratch, "http://b/v1", NULL);
	CHECK(NEAR(sharedlimit_spend(a, 0.4), 0.4) && NEAR(sharedlimit_spend(b, 0.4), 0.8),
	      "spend adds up over handles");
	CHECK(sharedlimit_take(a, t, 100000, &wait) == SHARED_GO, "under the budget, without rates, all goes");
	CHECK(NEAR(sharedlimit_spend(b, 0.3), 1.1) && NEAR(sharedlimit_spent(a), 1.1), "the total is shared");
	CHECK(sharedlimit_take(a, t, 1, &wait) == SHARED_SPENT && sharedlimit_take(b, t, 1, &wait) == SHARED_SPENT,
	      "at the budget every handle is told it is spent");
	sharedlimit_close(a);
	b = (sharedlimit_close(b), sharedlimit_open(unit_scratch, "http://b/v1", NULL));
	CHECK(b && NEAR(sharedlimit_spent(b), 1.1), "the spend outlives the processes (a rerun continues it)");
	sharedlimit_close(b);

	unit_scratch_remove();
	return UNIT_DONE();
}
