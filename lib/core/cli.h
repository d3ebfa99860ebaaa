/* cli — option parsing shared by every program, so all tools take options the same way.
 *
 * Contract: a program describes its options as tables of struct cli_option; cli_parse
 * adds the common ones (--help, --version, -o, --rejects, --seed, --progress,
 * --max-line-bytes), parses GNU-style long and short options with getopt_long, stores
 * each value into its target, and returns the index of the first operand (input file).
 * Usage errors print one line plus a hint and exit 2; --help prints the usage text
 * built from the tables and exits 0; --version prints "PROGRAM VERSION" and exits 0.
 * Before returning, cli_parse also refuses (exit 2) operands that cannot be read and an
 * output (-o, --rejects) that is one of the inputs, so nothing is written by mistake.
 * Ownership: tables and targets are borrowed and must outlive cli_parse; string values
 * stored into targets point into argv (never freed).
 * Ends the process: cli_parse (usage errors: 2; --help, --version: 0) and
 * cli_shared_file (a name found nowhere: 2). The number parsers never do.
 */
#ifndef PS_CLI_H
#define PS_CLI_H

#include <stddef.h>
#include <stdint.h>

#define PS_VERSION "0.1.0"

enum cli_type {
	CLI_FLAG, /* int target set to 1 */
	CLI_STRING, /* const char * target */
	CLI_LONG, /* long target, range checked */
	CLI_DOUBLE, /* double target, range checked */
	CLI_CALLBACK, /* callback(arg, target) returns 0, or -1 after printing its own error */
	CLI_CHOICE /* int target set to the index of arg in arg_name's "a|b|c" list */
};

struct cli_option {
	const char *name; /* long name without dashes; NULL ends a table */
	int short_name; /* 0 if none */
	enum cli_type type;
	void *target;
	const char *arg_name; /* shown in --help, NULL for flags */
	const char *help;
	double min, max; /* accepted range for CLI_LONG and CLI_DOUBLE (min == max: any) */
	int (*callback)(const char *arg, void *target);
};

struct cli_common {
	const char *output; /* -o FILE; NULL or "-" is stdout */
	const char *rejects; /* --rejects FILE; NULL is none */
	long seed; /* --seed N, 0 .. 2^53-1 so it survives as a JSON number */
	int seed_given;
	int progress; /* --progress / --no-progress; default: stderr is a terminal
				    * and this is the last stage (stdout not a pipe, or -o FILE) */
	int quiet; /* -q, --quiet: no notes on stderr (msg_set_quiet) */
	long max_line_bytes; /* --max-line-bytes N, default 16 MiB */
};

struct cli_program {
	const char *name;
	const char *synopsis; /* e.g. "[OPTION]... [FILE]..." */
	const char *summary; /* one paragraph shown under the synopsis */
	const char *footer; /* shown at the end of --help, may be NULL */
	const struct cli_option *const *tables; /* NULL-terminated list of tables */
	const char *no_operands; /* NULL: operands are input files, checked to be readable;
				    * else operands are refused with this explanation */
};

int cli_parse(int argc, char **argv, const struct cli_program *prog, struct cli_common *common);

/* The file an option names, shipped data looked up by name (share_resolve): --schema
 * spasm, --rules spasm, --probes default, --reference personachat. NULL stays NULL.
 * Not found: one line and exit 2 (ends the process). The result lives until exit. */
const char *cli_shared_file(const char *option, const char *kind, const char *value, const char *ext);

/* The index of arg in a "a|b|c" list of choices, or -1. */
int cli_choice_index(const char *choices, const char *arg);

/* Strict number parsing for callbacks and config: whole string, in range. 0 on success. */
int cli_parse_long(const char *text, long min, long max, long *out);
int cli_parse_double(const char *text, double min, double max, double *out);

#endif
