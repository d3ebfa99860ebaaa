#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "buf.h"
#include "cli.h"
#include "msg.h"
#include "share.h"

#define DEFAULT_MAX_LINE_BYTES (16L * 1024 * 1024)
#define MAX_JSON_SAFE_INTEGER 9007199254740991.0

static struct cli_common *parsing_common;

static int set_no_progress(const char *arg, void *target)
{
	(void)arg;
	*(int *)target = 0;
	return 0;
}

static int set_quiet(const char *arg, void *target)
{
	(void)arg;
	*(int *)target = 1;
	msg_set_quiet(1);
	return 0;
}

static const struct cli_option *common_table(struct cli_common *c)
{
	static struct cli_option table[9];
	struct cli_option t[] = {
		{ "output", 'o', CLI_STRING, &c->output, "FILE", "write records to FILE (.gz: gzip); default stdout", 0,
		  0, NULL },
		{ "rejects", 0, CLI_STRING, &c->rejects, "FILE", "copy bad input lines and rejected records to FILE", 0,
		  0, NULL },
		{ "seed", 0, CLI_LONG, &c->seed, "N", "seed of every random choice (0 .. 2^53-1, default 0)", 0,
		  MAX_JSON_SAFE_INTEGER, NULL },
		{ "progress", 0, CLI_FLAG, &c->progress, NULL,
		  "show a progress line on stderr (default: on a terminal, last stage of a pipe)", 0, 0, NULL },
		{ "no-progress", 0, CLI_CALLBACK, &c->progress, NULL, "never show a progress line", 0, 0,
		  set_no_progress },
		{ "quiet", 'q', CLI_CALLBACK, &c->quiet, NULL, "say nothing on stderr but warnings and errors", 0, 0,
		  set_quiet },
		{ "max-line-bytes", 0, CLI_LONG, &c->max_line_bytes, "N",
		  "reject input lines longer than N bytes (default 16 MiB)", 2, 1L << 40, NULL },
		{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
	};
	memcpy(table, t, sizeof t);
	return table;
}

int cli_parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int cli_parse_double(const char *text, double min, double max, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static void print_help(const struct cli_program *prog, const struct cli_option *const *tables)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "Usage: %s %s\n%s\n\nOptions:\n", prog->name, prog->synopsis, prog->summary);
	for (size_t t = 0; tables[t]; t++) {
		for (const struct cli_option *o = tables[t]; o->name; o++) {
			size_t start = b.len;
			if (o->short_name)
				buf_addf(&b, "  -%c, --%s", o->short_name, o->name);
			else
				buf_addf(&b, "      --%s", o->name);
			if (o->arg_name)
				buf_addf(&b, " %s", o->arg_name);
			size_t width = b.len - start;
			if (width < 30)
				buf_addf(&b, "%*s", (int)(30 - width), "");
			else
				buf_addf(&b, "\n%30s", "");
			buf_addf(&b, "%s\n", o->help);
		}
	}
	buf_adds(&b, "  -h, --help                  show this help and exit\n");
	buf_adds(&b, "      --version               show the version and exit\n");
	if (prog->footer)
		buf_addf(&b, "\n%s\n", prog->footer);
	buf_adds(&b, "\nExit status: 0 all records processed; 1 some records failed (reported and\n"
		     "routed, never lost); 2 usage or configuration error (nothing processed); 75\n"
		     "temporary failure worth rerunning (rate limits, unreachable endpoint, budget);\n"
		     "130/143 interrupted by SIGINT/SIGTERM after finishing the line being written.\n");
	fputs(b.data, stdout);
	buf_free(&b);
}

static _Noreturn void usage_error(const char *prog, const char *fmt, const char *what)
{
	char text[512];
	snprintf(text, sizeof text, fmt, what);
	fprintf(stderr, "%s: %s\nTry '%s --help' for more information.\n", prog, text, prog);
	exit(EXIT_USAGE);
}

int cli_choice_index(const char *choices, const char *arg)
{
	size_t len = strlen(arg);
	int index = 0;
	for (const char *p = choices; *p; index++) {
		size_t n = strcspn(p, "|");
		if (n == len && strncmp(p, arg, len) == 0)
			return index;
		p += n;
		if (*p == '|')
			p++;
	}
	return -1;
}

/* "a|b|c" as "a, b or c" for messages. */
static void choice_list(const char *choices, char *out, size_t size)
{
	struct buf b = BUF_INIT;
	size_t count = 1;
	for (const char *p = choices; *p; p++)
		count += *p == '|';
	size_t i = 0;
	for (const char *p = choices; *p; i++) {
		size_t n = strcspn(p, "|");
		buf_addf(&b, "%s%.*s", i == 0 ? "" : i + 1 == count ? " or " : ", ", (int)n, p);
		p += n;
		if (*p == '|')
			p++;
	}
	snprintf(out, size, "%s", b.data ? b.data : "");
	buf_free(&b);
}

/* getopt's '?': an unknown short or long option, or a value given to a flag. */
static _Noreturn void unknown_option(const struct cli_program *prog, const char *arg,
				     const struct cli_option *const *index, size_t nopts)
{
	char text[300];
	if (optopt >= 256 && (size_t)(optopt - 256) < nopts) {
		snprintf(text, sizeof text, "option '--%s' takes no value", index[optopt - 256]->name);
	} else if (optopt > 0 && optopt < 256) {
		snprintf(text, sizeof text, "unknown option '-%c'", optopt);
	} else {
		size_t len = strcspn(arg, "=");
		snprintf(text, sizeof text, "unknown option '%.*s'", (int)(len < 200 ? len : 200), arg);
	}
	usage_error(prog->name, "%s", text);
}

/* "invalid value 'X' for --NAME: expected an integer|a number[ from MIN to MAX]". */
static _Noreturn void bad_number(const struct cli_program *prog, const struct cli_option *o, const char *arg,
				 int integer)
{
	char what[300];
	int n = snprintf(what, sizeof what, "invalid value '%.100s' for --%s: expected %s", arg, o->name,
			 integer ? "an integer" : "a number");
	if (o->min != o->max && n > 0 && (size_t)n < sizeof what)
		snprintf(what + n, sizeof what - (size_t)n, integer ? " from %.0f to %.0f" : " from %g to %g", o->min,
			 o->max);
	usage_error(prog->name, "%s", what);
}

static void store(const struct cli_program *prog, const struct cli_option *o, const char *arg)
{
	switch (o->type) {
	case CLI_FLAG:
		*(int *)o->target = 1;
		return;
	case CLI_STRING:
		*(const char **)o->target = arg;
		return;
	case CLI_LONG: {
		long v;
		long min = o->min == o->max ? LONG_MIN : (long)o->min;
		long max = o->min == o->max ? LONG_MAX : (long)o->max;
		if (cli_parse_long(arg, min, max, &v) < 0)
			bad_number(prog, o, arg, 1);
		*(long *)o->target = v;
		if (o->target == &parsing_common->seed)
			parsing_common->seed_given = 1;
		return;
	}
	case CLI_DOUBLE: {
		double v;
		double min = o->min == o->max ? -HUGE_VAL : o->min;
		double max = o->min == o->max ? HUGE_VAL : o->max;
		if (cli_parse_double(arg, min, max, &v) < 0)
			bad_number(prog, o, arg, 0);
		*(double *)o->target = v;
		return;
	}
	case CLI_CHOICE: {
		int index = cli_choice_index(o->arg_name, arg);
		if (index < 0) {
			char what[400], list[200];
			choice_list(o->arg_name, list, sizeof list);
			snprintf(what, sizeof what, "unknown --%s '%.100s' (expected %s)", o->name, arg, list);
			usage_error(prog->name, "%s", what);
		}
		*(int *)o->target = index;
		return;
	}
	case CLI_CALLBACK:
		if (o->callback(arg, o->target) < 0) {
			fprintf(stderr, "Try '%s --help' for more information.\n", prog->name);
			exit(EXIT_USAGE);
		}
		return;
	}
}

/* Progress lines of several stages sharing a terminal would overwrite each other:
 * by default only the stage whose output is not piped on draws. */
static int last_stage(const char *output)
{
	struct stat st;
	if (output && strcmp(output, "-") != 0)
		return 1;
	return fstat(STDOUT_FILENO, &st) == 0 && !S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode);
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static char stdin_name[] = "(standard input)";

/* Refuse an output that is also an input (it would be emptied before being read)
 * and inputs that cannot be read at all, before anything is opened or written. */
static void check_output(const struct cli_program *prog, const char *option, const char *path,
			 const struct stat *inputs, char *const *names, int ninputs)
{
	struct stat out;
	if (!path || strcmp(path, "-") == 0 || stat(path, &out) != 0)
		return;
	for (int i = 0; i < ninputs; i++) {
		if (!same_file(&out, &inputs[i]))
			continue;
		char text[600];
		int is_stdin = names[i] == stdin_name;
		snprintf(text, sizeof text, "%s '%.200s' is also the input %s%.200s%s; nothing was written", option,
			 path, is_stdin ? "" : "'", names[i], is_stdin ? "" : "'");
		usage_error(prog->name, "%s", text);
	}
}

static void check_files(const struct cli_program *prog, const struct cli_common *common, char *const *operands,
			int noperands)
{
	struct stat *inputs = xcalloc((size_t)noperands + 1, sizeof *inputs);
	char **names = xcalloc((size_t)noperands + 1, sizeof *names);
	int n = 0;
	for (int i = 0; i < noperands; i++) {
		const char *path = operands[i];
		char text[600];
		if (strcmp(path, "-") == 0) {
			if (fstat(STDIN_FILENO, &inputs[n]) == 0)
				names[n++] = stdin_name;
			continue;
		}
		if (stat(path, &inputs[n]) != 0) {
			snprintf(text, sizeof text, "cannot open '%.500s': %s", path, strerror(errno));
			usage_error(prog->name, "%s", text);
		}
		if (S_ISDIR(inputs[n].st_mode)) {
			snprintf(text, sizeof text, "cannot read '%.500s': it is a directory", path);
			usage_error(prog->name, "%s", text);
		}
		if (access(path, R_OK) != 0) {
			snprintf(text, sizeof text, "cannot open '%.500s': %s", path, strerror(errno));
			usage_error(prog->name, "%s", text);
		}
		names[n++] = operands[i];
	}
	if (noperands == 0 && fstat(STDIN_FILENO, &inputs[n]) == 0 && S_ISREG(inputs[n].st_mode))
		names[n++] = stdin_name;
	check_output(prog, "output", common->output, inputs, names, n);
	check_output(prog, "--rejects", common->rejects, inputs, names, n);
	free(inputs);
	free(names);
}

int cli_parse(int argc, char **argv, const struct cli_program *prog, struct cli_common *common)
{
	msg_set_program(prog->name);
	memset(common, 0, sizeof *common);
	common->max_line_bytes = DEFAULT_MAX_LINE_BYTES;
	common->progress = -1;
	parsing_common = common;

	const struct cli_option *tables[32];
	size_t ntables = 0;
	tables[ntables++] = common_table(common);
	for (size_t t = 0; prog->tables && prog->tables[t] && ntables < 31; t++)
		tables[ntables++] = prog->tables[t];
	tables[ntables] = NULL;

	size_t nopts = 0;
	for (size_t t = 0; t < ntables; t++)
		for (const struct cli_option *o = tables[t]; o->name; o++)
			nopts++;

	/* Static while parsing: a usage error exits from inside the loop, and what it
	 * leaves allocated must still be reachable then (no leak to report). */
	static struct option *longopts;
	static const struct cli_option **index;
	static struct buf shortopts;
	longopts = xcalloc(nopts + 3, sizeof *longopts);
	index = xcalloc(nopts + 1, sizeof *index);
	shortopts = (struct buf)BUF_INIT;
	buf_adds(&shortopts, ":h");
	size_t k = 0;
	for (size_t t = 0; t < ntables; t++) {
		for (const struct cli_option *o = tables[t]; o->name; o++, k++) {
			int takes_arg = o->type != CLI_FLAG && !(o->type == CLI_CALLBACK && !o->arg_name);
			longopts[k].name = o->name;
			longopts[k].has_arg = takes_arg ? required_argument : no_argument;
			longopts[k].val = 256 + (int)k;
			index[k] = o;
			if (o->short_name) {
				buf_addc(&shortopts, (char)o->short_name);
				if (takes_arg)
					buf_addc(&shortopts, ':');
			}
		}
	}
	longopts[k].name = "help", longopts[k].val = 'h', k++;
	longopts[k].name = "version", longopts[k].val = 1, k++;

	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, shortopts.data, longopts, NULL)) != -1) {
		if (c == 'h' || c == 1) {
			if (c == 'h')
				print_help(prog, tables);
			else
				printf("%s %s\n", prog->name, PS_VERSION);
			free(longopts);
			free(index);
			buf_free(&shortopts);
			exit(EXIT_OK);
		}
		if (c == '?')
			unknown_option(prog, argv[optind - 1], index, nopts);
		if (c == ':')
			usage_error(prog->name, "option '%s' needs a value", argv[optind - 1]);
		const struct cli_option *o = NULL;
		if (c >= 256)
			o = index[c - 256];
		else
			for (size_t i = 0; i < nopts; i++)
				if (index[i]->short_name == c)
					o = index[i];
		if (o)
			store(prog, o, optarg);
	}
	free(longopts);
	free(index);
	buf_free(&shortopts);
	longopts = NULL;
	index = NULL;
	if (prog->no_operands && optind < argc) {
		char text[600];
		snprintf(text, sizeof text, "unexpected argument '%.200s': %s", argv[optind], prog->no_operands);
		usage_error(prog->name, "%s", text);
	}
	check_files(prog, common, argv + optind, argc - optind);
	if (common->progress < 0)
		common->progress = isatty(STDERR_FILENO) && last_stage(common->output);
	return optind;
}

const char *cli_shared_file(const char *option, const char *kind, const char *value, const char *ext)
{
	if (!value)
		return NULL;
	/* Kept for the life of the program, like the argv strings options point into;
	 * "used" so the optimiser keeps the stores (a caller may keep no copy of its own). */
	static char *resolved[16] __attribute__((used));
	static size_t nresolved;
	char *path = share_resolve(option, kind, value, ext, 0);
	if (!path)
		exit(EXIT_USAGE);
	if (nresolved == sizeof resolved / sizeof *resolved)
		return path;
	resolved[nresolved++] = path;
	return path;
}
