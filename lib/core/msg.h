/* msg — the one place every user-facing diagnostic goes through.
 *
 * Contract: messages are written to stderr as "PROGRAM: text\n", in the git style:
 * what is wrong first, subject in quotes, no capital, no trailing full stop.
 * Exit codes are shared by every program (each man page lists them under EXIT STATUS).
 * Ownership: every string argument is borrowed; nothing is retained except the
 * program name pointer given to msg_set_program, which must outlive the program.
 * Ends the process: fatalf always; xmalloc, xcalloc, xrealloc and xstrdup when memory
 * runs out (status 1, after a message). Nothing else does.
 */
#ifndef PS_MSG_H
#define PS_MSG_H

#include <stdarg.h>
#include <stddef.h>

enum exit_status {
	EXIT_OK = 0, /* everything processed */
	EXIT_SOME_FAILED = 1, /* some records failed; they were reported and routed */
	EXIT_USAGE = 2, /* usage or configuration error: nothing was processed */
	EXIT_TEMPFAIL = 75 /* temporary failure (rate limits exhausted): rerun the shard */
};

void msg_set_program(const char *name);
const char *msg_program(void);
/* While muted, errorf and warnf print nothing (fatalf still does): for the clean-up
 * after an interrupt, when every abandoned call would otherwise report itself. */
void msg_mute(int on);

/* --quiet: notef prints nothing (errors and warnings still do). */
void msg_set_quiet(int on);
int msg_quiet(void);

void errorf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* What happened, for the record: summaries, the provider in use. Silenced by --quiet. */
void notef(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print like errorf, then exit with status. */
_Noreturn void fatalf(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The end-of-run status of a tool that reads records and calls models: 0 when nothing
 * failed; 1 when input lines were rejected or a record failed for good; 75 when the
 * only failures were rate limits (a later rerun of the shard is worth it). */
int exit_status_of(size_t input_errors, unsigned long long failed, unsigned long long failed_rate_limited);

/* Allocation that cannot fail silently: out of memory ends the program with a message. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
