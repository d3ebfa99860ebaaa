/* capture — run a piece of code in a child process and keep what it printed and its
 * exit status, for functions that end the process on a usage error. */
#ifndef PS_CAPTURE_H
#define PS_CAPTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

struct captured {
	int status; /* exit status, or -1 when the child did not exit normally */
	char out[4096]; /* stdout */
	char err[4096]; /* stderr */
};

static void capture_read(FILE *f, char *into, size_t size)
{
	rewind(f);
	size_t n = fread(into, 1, size - 1, f);
	into[n] = '\0';
	fclose(f);
}

/* Runs body(arg) in a child; a body that returns exits 0. */
static void capture(struct captured *c, void (*body)(void *), void *arg)
{
	FILE *out = tmpfile(), *err = tmpfile();
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(err), STDERR_FILENO);
		body(arg);
		fflush(stdout);
		fflush(stderr);
		_exit(0);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	c->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	capture_read(out, c->out, sizeof c->out);
	capture_read(err, c->err, sizeof c->err);
}

#endif
