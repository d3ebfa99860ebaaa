#include <stdio.h>
#include <time.h>

#include "msg.h"
#include "progress.h"

double progress_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void progress_start(struct progress *p, int enabled, uint64_t total)
{
	p->enabled = enabled;
	p->total = total;
	p->started = progress_now();
	p->last_drawn = 0;
	p->drawn = 0;
	p->last_done = 0;
	p->extra_fn = NULL;
	p->extra_ctx = NULL;
}

void progress_set_extra(struct progress *p, progress_extra_fn fn, void *ctx)
{
	p->extra_fn = fn;
	p->extra_ctx = ctx;
}

static void draw(struct progress *p, uint64_t done, const char *extra, double now)
{
	char more[160];
	if (!extra && p->extra_fn) {
		more[0] = '\0';
		p->extra_fn(p->extra_ctx, more, sizeof more);
		extra = more[0] ? more : NULL;
	}
	double elapsed = now - p->started;
	double rate = elapsed > 0 ? (double)done / elapsed : 0;
	char eta[64] = "";
	if (p->total && rate > 0 && done <= p->total)
		snprintf(eta, sizeof eta, ", ETA %.0fs", (double)(p->total - done) / rate);
	fprintf(stderr, "\r%s: %llu records, %.0f/s%s%s%s\033[K", msg_program(), (unsigned long long)done, rate, eta,
		extra ? ", " : "", extra ? extra : "");
	fflush(stderr);
	p->last_drawn = now;
	p->drawn = 1;
}

void progress_tick(struct progress *p, uint64_t done, const char *extra)
{
	if (!p->enabled)
		return;
	p->last_done = done;
	/* Reading the clock every record would cost more than the work itself. */
	if ((done & 255) != 0 && p->drawn)
		return;
	double now = progress_now();
	if (now - p->last_drawn >= 0.25)
		draw(p, done, extra, now);
}

void progress_poll(struct progress *p)
{
	if (!p->enabled)
		return;
	double now = progress_now();
	if (now - p->last_drawn >= 0.25)
		draw(p, p->last_done, NULL, now);
}

void progress_done(struct progress *p, uint64_t done, const char *extra)
{
	if (!p->enabled)
		return;
	draw(p, done, extra, progress_now());
	fputc('\n', stderr);
}
