/* tool — the one skeleton of the record tools, so that each tools/<program>.c is an
 * option table and the calls that do its work (like git's builtins).
 *
 * Contract, in the order a program calls it:
 *   tool_start     parses the options (cli_parse) and remembers the input operands;
 *   tool_model     makes a model client for a role on the tool's one engine (made on
 *                  first use, seeded with --seed), after resolving its configuration;
 *   tool_open      opens -o, --rejects and the reader over the operands, installs the
 *                  interrupt handlers;
 *   tool_stream    makes the record loop (a program may give it a source of its own);
 *   tool_run       runs it with the progress line;
 *   tool_finish    reports every model client's usage, works out the exit status
 *                  (exit_status_of over rejected input lines and failed records, or
 *                  the interrupt's status), closes the outputs and frees everything
 *                  the skeleton made.
 * A program prints its own summary between tool_run and tool_finish, and frees its
 * own state after tool_finish.
 * Ownership: the struct tool is the caller's (usually on main's stack); everything it
 * points to belongs to the skeleton until tool_finish. Ends the process: tool_start
 * on usage errors, --help and --version (through cli_parse), exit 2.
 */
#ifndef PS_TOOL_H
#define PS_TOOL_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "jsonl.h"
#include "llm.h"
#include "progress.h"
#include "stream.h"

struct tool {
	struct cli_common common;
	char **inputs;
	int ninputs;
	struct llm_engine *engine;
	struct jsonl_reader *in;
	struct jsonl_writer *out, *rejects;
	struct stream *st;
	struct progress progress;
};

void tool_start(struct tool *t, int argc, char **argv, const struct cli_program *prog);
/* cfg is resolved against fallback (may be NULL) first. NULL after a configuration
 * error was reported: return tool_finish(t, EXIT_USAGE, 0, 0). */
struct llm_client *tool_model(struct tool *t, struct llm_config *cfg, const struct llm_config *fallback,
			      const char *role);
/* 0, or EXIT_USAGE after the reason was reported. */
int tool_open(struct tool *t);
struct stream *tool_stream(struct tool *t, size_t max_in_flight, int keep_order);
/* 0 at the end of the input, or the interrupt's status. */
int tool_run(struct tool *t, stream_start_fn start, void *ctx);
/* A program's one summary document (borrowed) as JSON to path — "-" for stderr, since
 * stdout carries the records — 0, or -1 after an error message naming the file. */
int tool_write_summary(const char *path, jv summary);
/* The exit status: status when it is not 0, else from the counts. */
int tool_finish(struct tool *t, int status, unsigned long long failed, unsigned long long failed_rate_limited);

#endif
