/* share — the data files the programs ship with (schemas, rules, prompts, probes,
 * stop and score rules, reference figures), found by name.
 *
 * Contract: share_path("prompts/craft.txt") returns the first existing file among
 * $PERSONA_SHARE/<rel>, <exe>/../share/persona/<rel> (installed) and
 * <exe>/../../share/<rel> (the build tree), or NULL.
 * share_resolve is the one lookup behind every option that names shipped data
 * (--schema spasm, --rules spasm, --probes default, --reference personachat,
 * --prompt craft): a name that contains a '/', or names an existing file, is a path
 * and taken as is; otherwise NAME, then NAME + ext, is looked up in the option's own
 * folder of share (kind: "schemas", "rules", "prompts", ...) as share_path does.
 * share_first looks in share before the current folder: for built-in defaults
 * (prompt templates), which a stray file of the same name must not replace. A
 * name found nowhere is reported in one line that says where it looked and what is
 * shipped there.
 * Ownership: returned strings are malloc'd; the caller frees them (or keeps them for
 * the life of the program). Never ends the process.
 */
#ifndef PS_SHARE_H
#define PS_SHARE_H

char *share_path(const char *relative);

/* The file an option names, or NULL after reporting "OPTION: cannot find ...". */
char *share_resolve(const char *option, const char *kind, const char *name, const char *ext, int share_first);

#endif
