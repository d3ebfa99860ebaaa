/* persona_group — the work of persona-group(1): focus groups and panels of N personas
 * formed from a stream of persona records, within a bounded window.
 *
 * Contract: after tool_start has parsed the options into a struct group_options
 * (defaults from group_options_init), persona_group runs the whole program and
 * returns its exit status. Each group is one output record {"id", "participants",
 * "topic"?, "guide"?}; participants are the persona records unchanged but for a
 * top-level "name" (lib/text/names). At most --window personas are held at a time;
 * the algorithm is the one persona-group(1) documents.
 * Ownership: the options are borrowed for the run.
 * Ends the process: on usage errors found before reading (exit 2: --window smaller
 * than --size, --mix and --same naming one field, an unreadable or empty --topic @FILE
 * or --guide, name lists not found), and through tool_start.
 */
#ifndef PS_PERSONA_GROUP_H
#define PS_PERSONA_GROUP_H

#include "tool.h"

struct group_options {
	long size, window;
	const char *mix, *same, *topic, *guide, *id_prefix, *names;
	int keep_partial;
};

void group_options_init(struct group_options *o);
int persona_group(struct tool *t, struct group_options *o);

#endif
