/* resume — which conversations a previous, interrupted run already finished.
 *
 * Contract: resume_load reads a previous output (JSONL, gzip allowed) and remembers the
 * id of every record with "status":"ok"; those are skipped, so a killed run restarts
 * where it stopped and pays nothing twice (with --cache even unfinished conversations
 * replay their finished turns for free). If a plain file ends in a partial line — the
 * run was killed while writing — that line is cut off the file, with a warning, so that
 * appending to the same file continues with whole lines.
 * Ownership: the set owns its strings; ids are borrowed.
 * Never ends the process (except out of memory).
 */
#ifndef PS_RESUME_H
#define PS_RESUME_H

#include <stddef.h>

struct resume_set;

/* NULL after an error message (the caller exits 2). */
struct resume_set *resume_load(const char *path, long max_line_bytes);
int resume_done(const struct resume_set *s, const char *id);
size_t resume_count(const struct resume_set *s);
void resume_free(struct resume_set *s);

#endif
