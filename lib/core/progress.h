/* progress — one updating status line on stderr for long runs.
 *
 * Contract: when enabled, progress_tick redraws "PROGRAM: N records, R/s[, ETA]"
 * (plus any extra text the caller supplies) at most four times a second, in place
 * with a carriage return; progress_done ends the line. Disabled, every call is a
 * cheap no-op. Ownership: extra text is borrowed for the call only.
 * Never ends the process.
 */
#ifndef PS_PROGRESS_H
#define PS_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

/* Fills buf (size n) with more to say at each redraw, e.g. "4 in flight, 2 retries". */
typedef void (*progress_extra_fn)(void *ctx, char *buf, size_t n);

struct progress {
	int enabled;
	uint64_t last_done; /* the count of the last tick, for progress_poll */
	progress_extra_fn extra_fn;
	void *extra_ctx;
	uint64_t total; /* 0 when unknown */
	double started, last_drawn;
	int drawn;
};

void progress_start(struct progress *p, int enabled, uint64_t total);
void progress_tick(struct progress *p, uint64_t done, const char *extra);
void progress_set_extra(struct progress *p, progress_extra_fn fn, void *ctx);
/* Redraw with the last count when due: for loops that wait (retries, slow models)
 * while no record finishes. */
void progress_poll(struct progress *p);
void progress_done(struct progress *p, uint64_t done, const char *extra);
double progress_now(void);

#endif
