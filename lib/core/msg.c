#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

static const char *program_name = "persona";
static int muted;
static int quiet;

void msg_set_program(const char *name)
{
	program_name = name;
}

const char *msg_program(void)
{
	return program_name;
}

void msg_mute(int on)
{
	muted = on;
}

void msg_set_quiet(int on)
{
	quiet = on;
}

int msg_quiet(void)
{
	return quiet;
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	/* One fprintf per line so that concurrent writers never interleave mid-line. */
	char text[4096];
	if (muted)
		return;
	vsnprintf(text, sizeof text, fmt, ap);
	fprintf(stderr, "%s: %s%s\n", program_name, prefix, text);
}

void errorf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void notef(const char *fmt, ...)
{
	va_list ap;
	if (quiet)
		return;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
}

void warnf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("warning: ", fmt, ap);
	va_end(ap);
}

void fatalf(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vreport("", fmt, ap);
	va_end(ap);
	exit(status);
}

static void out_of_memory(size_t n)
{
	fatalf(EXIT_SOME_FAILED, "out of memory allocating %zu bytes", n);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);
	memcpy(p, s, n);
	return p;
}

int exit_status_of(size_t input_errors, unsigned long long failed, unsigned long long failed_rate_limited)
{
	if (input_errors || failed > failed_rate_limited)
		return EXIT_SOME_FAILED;
	return failed ? EXIT_TEMPFAIL : EXIT_OK;
}
