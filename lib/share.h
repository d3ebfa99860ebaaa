/* share — finding the data files the programs ship with (prompts, rules, probes).
 *
 * Contract: share_path("prompts/craft.txt") returns the first existing file among
 * $PERSONA_SHARE/<rel>, <exe>/../share/persona/<rel> (installed) and
 * <exe>/../../share/<rel> (the build tree), or NULL. A relative name given by the
 * user on the command line is always taken as is and never searched for.
 * Ownership: the returned string is malloc'd; the caller frees it.
 */
#ifndef PS_SHARE_H
#define PS_SHARE_H

char *share_path(const char *relative);

#endif
