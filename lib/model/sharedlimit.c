#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "jsonfile.h"
#include "jvutil.h"
#include "msg.h"
#include "rng.h"
#include "sharedlimit.h"

#define STATE_MAGIC 0x314c5350u /* "PSL1" */
#define STATE_VERSION 1u
#define BURST_SECONDS 1.0 /* each bucket holds one second's worth */
#define MAX_PAUSE (24.0 * 3600) /* a longer stored pause is garbage */
#define MAX_LIMITS_BYTES 4096

/* One slot of the state file. Fixed layout: every process of the host runs the
 * same build of this struct (a mismatch is garbage and resets). */
struct slot {
	uint32_t magic, version;
	uint64_t seq;
	double requests_level, requests_last;
	double tokens_level, tokens_last;
	double spent; /* USD, every process, every run */
	double pause_until; /* seconds since the epoch; 0: none */
	uint64_t checksum; /* of the bytes above */
};

struct sharedlimit {
	char *dir;
	char *path;
	int fd;
	int broken; /* an I/O error was said: everything goes through */
	struct shared_limits limits;
};

double sharedlimit_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---------- limits.json ---------- */

static int read_limit(jv doc, const char *key, const char *path, double *out)
{
	jv v = jvu_get_borrow(doc, key);
	jv_kind kind = jv_get_kind(v);
	int rc = 0;
	*out = -1;
	if (kind == JV_KIND_NUMBER && jv_number_value(v) >= 0 && isfinite(jv_number_value(v))) {
		*out = jv_number_value(v);
	} else if (kind != JV_KIND_INVALID && kind != JV_KIND_NULL) {
		errorf("'%s': \"%s\" must be a number of at least 0 (or absent: no limit)", path, key);
		rc = -1;
	}
	jv_free(v);
	return rc;
}

static int read_limits(const char *dir, struct shared_limits *limits)
{
	struct buf path = BUF_INIT;
	buf_addf(&path, "%s/limits.json", dir);
	jv doc = json_read_file(path.data, MAX_LIMITS_BYTES);
	int rc = 0;
	if (!jv_is_valid(doc)) {
		jv msg = jv_invalid_get_msg(doc);
		errorf("shared limits: %s (write {\"rpm\": N, \"tpm\": N, \"budget\": USD} there, or use fanout.sh "
		       "--rpm)",
		       jv_get_kind(msg) == JV_KIND_STRING ? jv_string_value(msg) : path.data);
		jv_free(msg);
		buf_free(&path);
		return -1;
	}
	if (jv_get_kind(doc) != JV_KIND_OBJECT) {
		errorf("'%s' must be a JSON object: {\"rpm\": N, \"tpm\": N, \"budget\": USD}", path.data);
		rc = -1;
	}
	if (rc == 0) {
		jv keys = jv_keys(jv_copy(doc));
		int n = jv_array_length(jv_copy(keys));
		for (int i = 0; i < n && rc == 0; i++) {
			jv key = jv_array_get(jv_copy(keys), i);
			const char *k = jv_string_value(key);
			if (strcmp(k, "rpm") != 0 && strcmp(k, "tpm") != 0 && strcmp(k, "budget") != 0) {
				errorf("'%s': unknown member \"%s\" (expected rpm, tpm, budget)", path.data, k);
				rc = -1;
			}
			jv_free(key);
		}
		jv_free(keys);
	}
	if (rc == 0)
		rc = read_limit(doc, "rpm", path.data, &limits->rpm) | read_limit(doc, "tpm", path.data, &limits->tpm) |
		     read_limit(doc, "budget", path.data, &limits->budget);
	jv_free(doc);
	buf_free(&path);
	return rc;
}

/* ---------- opening ---------- */

struct sharedlimit *sharedlimit_open(const char *dir, const char *base_url, const char *key)
{
	struct shared_limits limits;
	if (read_limits(dir, &limits) < 0)
		return NULL;
	/* The key only as a hash of a hash: the file name says nothing about it. */
	const char *k = key ? key : "";
	uint64_t fingerprint = rng_hash(k, strlen(k), 0x6b65792d66707231ULL);
	struct buf id = BUF_INIT;
	buf_addf(&id, "%s\n%016llx", base_url, (unsigned long long)fingerprint);
	uint64_t bucket = rng_hash(id.data, id.len, 0x6275636b65743031ULL);
	buf_free(&id);
	struct buf path = BUF_INIT;
	buf_addf(&path, "%s/bucket-%016llx.state", dir, (unsigned long long)bucket);
	int fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		errorf("cannot open the shared limit state '%s': %s", path.data, strerror(errno));
		buf_free(&path);
		return NULL;
	}
	struct sharedlimit *s = xcalloc(1, sizeof *s);
	s->dir = xstrdup(dir);
	s->path = path.data;
	s->fd = fd;
	s->limits = limits;
	return s;
}

void sharedlimit_close(struct sharedlimit *s)
{
	if (!s)
		return;
	close(s->fd);
	free(s->dir);
	free(s->path);
	free(s);
}

const struct shared_limits *sharedlimit_limits(const struct sharedlimit *s)
{
	return &s->limits;
}

const char *sharedlimit_dir(const struct sharedlimit *s)
{
	return s->dir;
}

const char *sharedlimit_path(const struct sharedlimit *s)
{
	return s->path;
}

/* ---------- the state, under the lock ---------- */

static uint64_t slot_checksum(const struct slot *sl)
{
	return rng_hash(sl, offsetof(struct slot, checksum), 0x736c6f7463686b31ULL);
}

static int slot_valid(const struct slot *sl)
{
	return sl->magic == STATE_MAGIC && sl->version == STATE_VERSION && sl->checksum == slot_checksum(sl) &&
	       isfinite(sl->requests_level) && isfinite(sl->requests_last) && isfinite(sl->tokens_level) &&
	       isfinite(sl->tokens_last) && isfinite(sl->spent) && sl->spent >= 0 && isfinite(sl->pause_until);
}

static double capacity(double per_minute, double need)
{
	return fmax(fmax(1.0, per_minute / 60.0 * BURST_SECONDS), need);
}

static void fresh(struct sharedlimit *s, struct slot *st, double t)
{
	memset(st, 0, sizeof *st);
	st->requests_level = capacity(s->limits.rpm, 0);
	st->tokens_level = capacity(s->limits.tpm, 0);
	st->requests_last = t;
	st->tokens_last = t;
}

static void broken(struct sharedlimit *s, const char *what)
{
	if (!s->broken)
		warnf("cannot %s the shared limit state '%s': %s; going on under the local limits only", what, s->path,
		      strerror(errno));
	s->broken = 1;
}

/* Write *st into slot `at` with the next sequence number (the lock held). */
static int write_slot(struct sharedlimit *s, struct slot *st, int at)
{
	st->magic = STATE_MAGIC;
	st->version = STATE_VERSION;
	st->seq++;
	st->checksum = slot_checksum(st);
	if (pwrite(s->fd, st, sizeof *st, (off_t)at * (off_t)sizeof *st) == (ssize_t)sizeof *st)
		return 0;
	broken(s, "write");
	return -1;
}

/* Lock, read the newer valid slot into *st (a fresh state when none is valid). Returns
 * the slot index to write next, or -1 (unlocked, broken) on an I/O error. */
static int load(struct sharedlimit *s, struct slot *st, double t)
{
	if (s->broken)
		return -1;
	while (flock(s->fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			broken(s, "lock");
			return -1;
		}
	}
	struct slot both[2];
	memset(both, 0, sizeof both);
	ssize_t got = pread(s->fd, both, sizeof both, 0);
	if (got < 0) {
		broken(s, "read");
		flock(s->fd, LOCK_UN);
		return -1;
	}
	int valid0 = (size_t)got >= sizeof both[0] && slot_valid(&both[0]);
	int valid1 = (size_t)got >= sizeof both && slot_valid(&both[1]);
	int use = valid0 && (!valid1 || both[0].seq >= both[1].seq) ? 0 : valid1 ? 1 : -1;
	if (use < 0) {
		if (got > 0)
			warnf("the shared limit state '%s' is damaged; starting it afresh (its spend so far is lost)",
			      s->path);
		/* Written at once, so a caller that only looks (a wait) keeps the same start. */
		fresh(s, st, t);
		if (write_slot(s, st, 0) < 0) {
			flock(s->fd, LOCK_UN);
			return -1;
		}
		return 1;
	}
	*st = both[use];
	/* A clock set back, or a pause no server would ask for: not to be waited out. */
	if (st->requests_last > t)
		st->requests_last = t;
	if (st->tokens_last > t)
		st->tokens_last = t;
	if (st->pause_until > t + MAX_PAUSE)
		st->pause_until = 0;
	return 1 - use;
}

/* Write *st into slot `at`, and unlock. */
static void store(struct sharedlimit *s, struct slot *st, int at)
{
	write_slot(s, st, at);
	flock(s->fd, LOCK_UN);
}

static void unlock(struct sharedlimit *s)
{
	flock(s->fd, LOCK_UN);
}

/* The level at t, refilled at the rate up to the capacity (or need, when bigger). */
static double refill(double level, double *last, double t, double per_minute, double need)
{
	level = fmin(capacity(per_minute, need), level + (t - *last) * per_minute / 60.0);
	*last = t;
	return level;
}

enum sharedlimit_verdict sharedlimit_take(struct sharedlimit *s, double t, double tokens, double *wait)
{
	struct slot st;
	int at = load(s, &st, t);
	if (at < 0)
		return SHARED_GO;
	if (s->limits.budget >= 0 && st.spent >= s->limits.budget) {
		unlock(s);
		return SHARED_SPENT;
	}
	if (st.pause_until > t) {
		*wait = st.pause_until - t;
		unlock(s);
		return SHARED_WAIT;
	}
	double need[2] = { 1.0, tokens };
	double rate[2] = { s->limits.rpm, s->limits.tpm };
	double *level[2] = { &st.requests_level, &st.tokens_level };
	double *last[2] = { &st.requests_last, &st.tokens_last };
	double longest = 0;
	for (int i = 0; i < 2; i++) {
		if (rate[i] <= 0)
			continue;
		*level[i] = refill(*level[i], last[i], t, rate[i], need[i]);
		if (*level[i] < need[i])
			longest = fmax(longest, (need[i] - *level[i]) / (rate[i] / 60.0));
	}
	if (longest > 0) {
		/* Nothing taken: the refill is recomputed from the same last time next. */
		unlock(s);
		*wait = longest;
		return SHARED_WAIT;
	}
	for (int i = 0; i < 2; i++)
		if (rate[i] > 0)
			*level[i] -= need[i];
	store(s, &st, at);
	return SHARED_GO;
}

void sharedlimit_adjust(struct sharedlimit *s, double t, double delta)
{
	if (s->limits.tpm <= 0 || delta == 0)
		return;
	struct slot st;
	int at = load(s, &st, t);
	if (at < 0)
		return;
	st.tokens_level = refill(st.tokens_level, &st.tokens_last, t, s->limits.tpm, 0);
	st.tokens_level = fmin(capacity(s->limits.tpm, 0), st.tokens_level - delta);
	store(s, &st, at);
}

double sharedlimit_spend(struct sharedlimit *s, double usd)
{
	struct slot st;
	int at = load(s, &st, sharedlimit_now());
	if (at < 0)
		return 0;
	st.spent += usd;
	double total = st.spent;
	store(s, &st, at);
	return total;
}

double sharedlimit_spent(struct sharedlimit *s)
{
	struct slot st;
	if (load(s, &st, sharedlimit_now()) < 0)
		return 0;
	unlock(s);
	return st.spent;
}

void sharedlimit_pause(struct sharedlimit *s, double t, double seconds)
{
	if (!(seconds > 0))
		return;
	struct slot st;
	int at = load(s, &st, t);
	if (at < 0)
		return;
	st.pause_until = fmax(st.pause_until, t + fmin(seconds, MAX_PAUSE));
	store(s, &st, at);
}

/* ---------- reset headers ---------- */

double sharedlimit_parse_duration(const char *text)
{
	const char *p = text + strspn(text, " \t");
	double total = 0;
	int parts = 0;
	while (*p && *p != ' ' && *p != '\t') {
		if (!isdigit((unsigned char)*p) && *p != '.')
			return -1;
		char *end;
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || errno || !isfinite(v))
			return -1;
		p = end;
		double unit;
		if (strncmp(p, "ms", 2) == 0) {
			unit = 0.001;
			p += 2;
		} else if (*p == 'h') {
			unit = 3600;
			p++;
		} else if (*p == 'm') {
			unit = 60;
			p++;
		} else if (*p == 's') {
			unit = 1;
			p++;
		} else if (*p == '\0' || *p == ' ' || *p == '\t') {
			if (parts)
				return -1; /* "1m30": a number without its unit after a unit */
			unit = 1;
		} else {
			return -1;
		}
		total += v * unit;
		parts++;
	}
	p += strspn(p, " \t");
	return parts && *p == '\0' ? total : -1;
}
