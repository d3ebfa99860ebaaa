/* dialog-run — Client-Responder conversations for each persona (see dialog-run(1)). */
#include "cli.h"
#include "dialog_run.h"
#include "llm.h"
#include "tool.h"

static struct run_options o;

static const struct cli_option options[] = {
	{ "conversations", 'k', CLI_LONG, &o.conversations, "K", "conversations per persona (default 1)", 1, 1e6,
	  NULL },
	{ "context", 0, CLI_CHOICE, &o.context_choice, "ecp|concat", "history projection (default ecp)", 0, 0, NULL },
	{ "opener", 0, CLI_CHOICE, &o.opener_choice, "client|responder", "who speaks first (default client)", 0, 0,
	  NULL },
	{ "responder-role", 0, CLI_STRING, &o.responder_role, "ROLE|FILE",
	  "peer, counselor, tutor, support, or a prompt file (default peer)", 0, 0, NULL },
	{ "client-prompt", 0, CLI_STRING, &o.client_prompt_name, "FILE",
	  "client system prompt template (default share/prompts/client.txt)", 0, 0, NULL },
	{ "max-turns", 0, CLI_LONG, &o.max_turns, "N", "at most N turns per agent (default 25)", 1, 10000, NULL },
	{ "stop", 0, CLI_CHOICE, &o.stop_choice, "rules|judge|none|hybrid",
	  "termination detection after each exchange (default rules)", 0, 0, NULL },
	{ "stop-rules", 0, CLI_STRING, &o.stop_rules_path, "FILE",
	  "phrase lists and thresholds (default share/stop/rules.json)", 0, 0, NULL },
	{ "min-turns", 0, CLI_LONG, &o.min_turns, "N", "never stop before N turns (default 2)", 0, 10000, NULL },
	{ "stop-window", 0, CLI_LONG, &o.stop_window, "M", "turns the stop judge reads (default 6)", 1, 10000, NULL },
	{ "stop-prompt", 0, CLI_STRING, &o.judge_prompt_name, "FILE",
	  "stop judge prompt (default share/prompts/judge-stop.txt)", 0, 0, NULL },
	{ "judge-every", 0, CLI_LONG, &o.judge_every, "N",
	  "--stop hybrid: the judge also every N-th exchange that asks no question, besides where the rules see an "
	  "ending (default 4; 0: only there)",
	  0, 10000, NULL },
	{ "judge-tries", 0, CLI_LONG, &o.judge_tries, "N",
	  "answers to ask for when a stop verdict is unparseable (default 3)", 1, 100, NULL },
	{ "probes", 0, CLI_STRING, &o.probes_path, "FILE",
	  "drift probes: [{\"name\",\"question\"}] (e.g. share/probes/default.json)", 0, 0, NULL },
	{ "probe-every", 0, CLI_LONG, &o.probe_every, "N",
	  "ask the probes every N exchanges, besides the baseline (default 0: baseline only)", 0, 10000, NULL },
	{ "turn-policy", 0, CLI_CHOICE, &o.policy_choice, "round-robin|random|addressed|moderator|select",
	  "who speaks next in a group (records from persona-group; default round-robin)", 0, 0, NULL },
	{ "max-rounds", 0, CLI_LONG, &o.max_rounds, "N", "a group stops after N rounds (default 4)", 1, 10000, NULL },
	{ "allow-repeat", 0, CLI_FLAG, &o.allow_repeat, NULL,
	  "in a group, the same participant may speak twice in a row", 0, 0, NULL },
	{ "participant-prompt", 0, CLI_STRING, &o.participant_prompt_name, "FILE",
	  "group participant prompt template (default share/prompts/group-participant.txt)", 0, 0, NULL },
	{ "moderator-prompt", 0, CLI_STRING, &o.moderator_prompt_name, "FILE",
	  "group moderator prompt template (default share/prompts/group-moderator.txt)", 0, 0, NULL },
	{ "resume", 0, CLI_STRING, &o.resume_path, "FILE", "skip conversations already in FILE with status ok", 0, 0,
	  NULL },
	{ "keep-order", 0, CLI_FLAG, &o.keep_order, NULL, "write conversations in input order", 0, 0, NULL },
	{ NULL, 0, 0, NULL, NULL, NULL, 0, 0, NULL },
};

int main(int argc, char **argv)
{
	run_options_init(&o);
	const struct cli_option *const tables[] = { options,
						    llm_options(&o.both, ""),
						    llm_options(&o.client_cfg, "client-"),
						    llm_options(&o.responder_cfg, "responder-"),
						    llm_options(&o.judge_cfg, "judge-"),
						    NULL };
	const struct cli_program program = {
		"dialog-run",
		"[OPTION]... [FILE]...",
		"Run Client-Responder conversations for each persona (records with \"description\"):\n"
		"the client plays the persona, the responder the system under test; and group\n"
		"conversations for group records (\"participants\", from persona-group): participants\n"
		"speak with the client model, a moderator or selector with the responder's. Unprefixed\n"
		"model options set both agents; --client-*, --responder-* and --judge-* set one.",
		"The offline provider (default without a base URL or key) is a stand-in, not a language\n"
		"model: no finding about model behaviour may be drawn from its output. See dialog-run(1).",
		tables,
		NULL,
	};
	struct tool t;
	tool_start(&t, argc, argv, &program);
	return dialog_run(&t, &o);
}
