/* sharedlimit — one API key's limits shared by every process on a host.
 *
 * A provider's limits (requests and tokens per minute, and the money) belong to the API
 * key, not to a process: eight jobs of fanout.sh with --rpm 500 each would send 4,000
 * requests a minute against a key allowed 500. Every process that names the same
 * directory (--limits-dir DIR, or PERSONA_LIMITS_DIR) draws from one bucket per
 * (base URL, key fingerprint): the file DIR/bucket-HASH.state, HASH a hash of the base
 * URL and of a hash of the key (never the key itself).
 *
 * The limits: DIR/limits.json, {"rpm": N, "tpm": N, "budget": USD}, each member
 * optional (absent or null: no limit), written by whoever sets the directory up
 * (fanout.sh --rpm/--tpm/--budget, or a user by hand); read once, when a handle opens.
 * Both buckets allow one second's worth at once (the rate quantised per second, as
 * providers enforce it); a request bigger than that waits for a full bucket, then
 * goes. The spend is the bucket's total across processes and across runs (a rerun
 * continues it; raise the budget to go on).
 *
 * The state: two slots of a fixed binary record (magic, version, sequence number,
 * levels, spend, pause, checksum). An update reads both, takes the valid one with the
 * higher sequence number, and writes the other, under flock(LOCK_EX) on the file held
 * only for that read-modify-write (pread/pwrite; never while waiting for tokens). A
 * process killed mid-update leaves the previous slot valid, and the kernel releases
 * its lock; a file with no valid slot (garbage) is reset to full buckets and no spend,
 * said once on stderr. No daemon. One host only: the clock is the host's
 * CLOCK_REALTIME, so times in the file survive a reboot.
 *
 * Non-blocking: sharedlimit_take either takes one request and the tokens or says how
 * long to wait; the caller reschedules (llm's can_start, like its own buckets).
 *
 * Ownership: strings are borrowed. Never ends the process (except out of memory):
 * sharedlimit_open reports a problem and returns NULL; later I/O errors are said once
 * and the handle then lets everything through (the local limits and 429 handling
 * still hold).
 */
#ifndef PS_SHAREDLIMIT_H
#define PS_SHAREDLIMIT_H

/* The shared limits from limits.json; < 0: none. */
struct shared_limits {
	double rpm, tpm, budget;
};

struct sharedlimit;

/* The handle of (base_url, key)'s bucket in dir (key may be NULL: no key). NULL after
 * an error was reported (no dir, no or bad limits.json, the state file cannot be
 * opened). */
struct sharedlimit *sharedlimit_open(const char *dir, const char *base_url, const char *key);
void sharedlimit_close(struct sharedlimit *s);
const struct shared_limits *sharedlimit_limits(const struct sharedlimit *s);
const char *sharedlimit_dir(const struct sharedlimit *s);
/* The state file's path (for tests and messages). */
const char *sharedlimit_path(const struct sharedlimit *s);

/* Seconds since the epoch: the clock every process of the host shares. */
double sharedlimit_now(void);

enum sharedlimit_verdict {
	SHARED_GO, /* one request and the tokens were taken */
	SHARED_WAIT, /* *wait: seconds until they may be there (a pause, or the buckets) */
	SHARED_SPENT, /* the shared budget is spent: start nothing */
};

/* At time t, take one request and tokens (the request's estimate) if the pause is
 * over, the budget not spent and both buckets hold enough; else take nothing. */
enum sharedlimit_verdict sharedlimit_take(struct sharedlimit *s, double t, double tokens, double *wait);
/* Correct a reservation once the real usage is known: delta = used - reserved tokens
 * (negative gives back, up to a full bucket; positive takes more, into debt). */
void sharedlimit_adjust(struct sharedlimit *s, double t, double delta);
/* Add usd to the shared spend; returns the shared total. */
double sharedlimit_spend(struct sharedlimit *s, double usd);
/* The shared spend so far. */
double sharedlimit_spent(struct sharedlimit *s);
/* Nobody sharing the bucket starts a request before t + seconds (a later pause
 * already stored stays). */
void sharedlimit_pause(struct sharedlimit *s, double t, double seconds);

/* A rate-limit reset as providers send it: "6m0s", "1.5s", "20ms", "1h2m3s", or plain
 * seconds ("30", "0.5"). Seconds, or -1 when text is none of these. */
double sharedlimit_parse_duration(const char *text);

#endif
