/* cli: option parsing, every usage error's wording, ranges, operands and shared files.
 * cli_parse ends the process on a usage error, so each parse runs in a child. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "capture.h"
#include "cli.h"
#include "unit.h"

static int flag;
static const char *name = "none";
static long count = 5, any;
static double ratio = 0.5;

static const struct cli_option options[] = {
	{ "flag", 'f', CLI_FLAG, &flag, NULL, "a flag", 0, 0, NULL },
	{ "name", 'n', CLI_STRING, &name, "S", "a string", 0, 0, NULL },
	{ "count", 0, CLI_LONG, &count, "N", "1 to 10", 1, 10, NULL },
	{ "any", 0, CLI_LONG, &any, "N", "any integer", 0, 0, NULL },
	{ "ratio", 0, CLI_DOUBLE, &ratio, "X", "0 to 1", 0, 1, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};
static const struct cli_option *const tables[] = { options, NULL };
static const struct cli_program prog = { "prog", "[OPTION]... [FILE]...", "Test.", NULL, tables, NULL };
static const struct cli_program closed = { "prog", "[OPTION]...", "Test.", NULL, tables, "prog reads no input" };

struct parse {
	const struct cli_program *prog;
	char *argv[16];
};

static void parse_body(void *arg)
{
	struct parse *p = arg;
	int argc = 0;
	while (p->argv[argc])
		argc++;
	struct cli_common common;
	int first = cli_parse(argc, p->argv, p->prog, &common);
	printf("first=%d flag=%d name=%s count=%ld any=%ld ratio=%g seed=%ld/%d out=%s", first, flag, name, count, any,
	       ratio, common.seed, common.seed_given, common.output ? common.output : "-");
	for (int i = first; i < argc; i++)
		printf(" [%s]", p->argv[i]);
}

/* Parses the NULL-terminated arguments (after "prog") in a child. */
static struct captured c;
#define PARSE_WITH(program, ...)                                              \
	do {                                                                  \
		struct parse p_ = { program, { "prog", __VA_ARGS__, NULL } }; \
		capture(&c, parse_body, &p_);                                 \
	} while (0)
#define PARSE(...) PARSE_WITH(&prog, __VA_ARGS__)

/* 15 + 15 and 12 + 18 spaces: help texts start in column 30. */
#define HELP_START "Usage: prog [OPTION]... [FILE]...\nTest.\n\nOptions:\n"
#define TRY "\nTry 'prog --help' for more information.\n"

static void shared_body(void *arg)
{
	const char *value = arg;
	const char *path = cli_shared_file("--rules", "rules", value, ".json");
	printf("%s", path ? path : "(null)");
	/* A tool keeps it until exit; the child returns, so it is freed here. */
	free((char *)path);
}

int main(void)
{
	char dir[] = "/tmp/test-cli-XXXXXX";
	if (!mkdtemp(dir))
		return 99;
	char input[300], output[300];
	snprintf(input, sizeof input, "%s/in.jsonl", dir);
	snprintf(output, sizeof output, "%s/out.jsonl", dir);
	FILE *f = fopen(input, "w");
	fputs("{}\n", f);
	fclose(f);

	PARSE("--flag", "--name", "bob", "--count", "3", "--ratio", "0.25", input);
	char want[1024];
	snprintf(want, sizeof want, "first=8 flag=1 name=bob count=3 any=0 ratio=0.25 seed=0/0 out=- [%s]", input);
	CHECK(c.status == 0, "long options with separate values parse");
	CHECK_STR(c.out, want, "every value lands in its target; the operand follows");
	PARSE("-f", "-nann", "--count=10", "--any=-7", "--seed", "42");
	CHECK_STR(c.out, "first=7 flag=1 name=ann count=10 any=-7 ratio=0.5 seed=42/1 out=-",
		  "short options, attached values, --opt=value; --seed is marked as given");
	PARSE(input, "--flag", "-o", output);
	snprintf(want, sizeof want, "first=4 flag=1 name=none count=5 any=0 ratio=0.5 seed=0/0 out=%s [%s]", output,
		 input);
	CHECK_STR(c.out, want, "options after an operand still count; operands are moved to the end");
	PARSE("--count", "1", "--ratio", "1");
	CHECK(c.status == 0 && strstr(c.out, "count=1 ") && strstr(c.out, "ratio=1 "), "range ends are included");

	PARSE("--nope=3");
	CHECK_STR(c.err, "prog: unknown option '--nope'" TRY, "an unknown long option is named without its value");
	CHECK(c.status == 2, "a usage error exits 2");
	PARSE("-z");
	CHECK_STR(c.err, "prog: unknown option '-z'" TRY, "an unknown short option is named");
	PARSE("--flag=1");
	CHECK_STR(c.err, "prog: option '--flag' takes no value" TRY, "a value given to a flag is refused");
	PARSE("--count");
	CHECK_STR(c.err, "prog: option '--count' needs a value" TRY, "a missing value is named");
	PARSE("--count", "11");
	CHECK_STR(c.err, "prog: invalid value '11' for --count: expected an integer from 1 to 10" TRY,
		  "an integer out of range names the range");
	PARSE("--count", "0");
	CHECK(c.status == 2, "below the range is refused too");
	PARSE("--count", "3x");
	CHECK_STR(c.err, "prog: invalid value '3x' for --count: expected an integer from 1 to 10" TRY,
		  "trailing characters make an integer invalid");
	PARSE("--any", "");
	CHECK_STR(c.err, "prog: invalid value '' for --any: expected an integer" TRY,
		  "an empty value is invalid; an option without a range says only 'integer'");
	PARSE("--ratio", "1.5");
	CHECK_STR(c.err, "prog: invalid value '1.5' for --ratio: expected a number from 0 to 1" TRY,
		  "a number out of range names the range");
	PARSE("--ratio", "nan");
	CHECK(c.status == 2, "nan is no number");
	PARSE("--seed", "-1");
	CHECK_STR(c.err, "prog: invalid value '-1' for --seed: expected an integer from 0 to 9007199254740991" TRY,
		  "--seed is 0 .. 2^53-1");

	snprintf(want, sizeof want, "%s/missing.jsonl", dir);
	PARSE(want);
	char want_err[4096];
	snprintf(want_err, sizeof want_err, "prog: cannot open '%s': No such file or directory" TRY, want);
	CHECK_STR(c.err, want_err, "a missing input file is a usage error before anything runs");
	PARSE(dir);
	snprintf(want_err, sizeof want_err, "prog: cannot read '%s': it is a directory" TRY, dir);
	CHECK_STR(c.err, want_err, "a folder is no input");
	PARSE(input, "-o", input);
	snprintf(want_err, sizeof want_err, "prog: output '%s' is also the input '%s'; nothing was written" TRY, input,
		 input);
	CHECK_STR(c.err, want_err, "an output that is also an input is refused");
	PARSE(input, "--rejects", input);
	snprintf(want_err, sizeof want_err, "prog: --rejects '%s' is also the input '%s'; nothing was written" TRY,
		 input, input);
	CHECK_STR(c.err, want_err, "so is a rejects file that is an input");
	PARSE_WITH(&closed, "extra");
	CHECK_STR(c.err, "prog: unexpected argument 'extra': prog reads no input" TRY,
		  "a program without inputs refuses operands with its explanation");
	PARSE("--version");
	CHECK(c.status == 0 && strcmp(c.out, "prog " PS_VERSION "\n") == 0,
	      "--version prints PROGRAM VERSION and exits 0");
	PARSE("--help");
	CHECK(c.status == 0 && strncmp(c.out, HELP_START, sizeof HELP_START - 1) == 0 &&
		      strstr(c.out, "\n      --count N               1 to 10\n") &&
		      strstr(c.out, "\n  -f, --flag                  a flag\n"),
	      "--help lists every option in aligned columns");

	long l = 0;
	double d = 0;
	CHECK(cli_parse_long("12", 0, 12, &l) == 0 && l == 12, "cli_parse_long takes a whole integer in range");
	CHECK(cli_parse_long(" 12", 0, 100, &l) == 0 && l == 12, "leading blanks are allowed (strtol)");
	CHECK(cli_parse_long("12 ", 0, 100, &l) < 0, "trailing blanks are not");
	CHECK(cli_parse_long("99999999999999999999", 0, 100, &l) < 0 && l == 12,
	      "overflow is refused and the target kept");
	CHECK(cli_parse_double("2.5e-1", 0, 1, &d) == 0 && d == 0.25, "cli_parse_double takes exponents");
	CHECK(cli_parse_double("inf", -HUGE_VAL, HUGE_VAL, &d) < 0, "infinity is refused");

	/* Shared files: a name is looked up in $PERSONA_SHARE/rules, with .json added. */
	char rules[300], path[400];
	snprintf(rules, sizeof rules, "%s/rules", dir);
	mkdir(rules, 0755);
	snprintf(path, sizeof path, "%s/mine.json", rules);
	f = fopen(path, "w");
	fputs("{}", f);
	fclose(f);
	setenv("PERSONA_SHARE", dir, 1);
	capture(&c, shared_body, "mine");
	CHECK_STR(c.out, path, "cli_shared_file finds a shipped name with its extension");
	capture(&c, shared_body, "nothing-here");
	snprintf(want_err, sizeof want_err,
		 "persona: --rules: cannot open 'nothing-here': No such file or directory, "
		 "nor is it in share/rules (shipped: mine)\n");
	CHECK(c.status == 2, "a shared file found nowhere exits 2");
	CHECK_STR(c.err, want_err, "the message says where it looked and what is shipped");
	CHECK(cli_shared_file("--rules", "rules", NULL, ".json") == NULL, "an option not given stays NULL");
	unsetenv("PERSONA_SHARE");

	unlink(path);
	rmdir(rules);
	unlink(input);
	rmdir(dir);
	return UNIT_DONE();
}
