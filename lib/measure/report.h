/* report — a score summary as one self-contained HTML page with SVG charts.
 *
 * Contract: report_write renders a summary object as score writes it (the keys of
 * score(1), plus "groups", "ci", "reference"/"difference", "comparisons" and
 * "redactions" when present) into one HTML page: a header with the number of
 * conversations and a table of the metrics of metrics.h (value; its interval, and the
 * reference value and difference, when the summary has them; each meaning carries the
 * metric's definition and source as a tooltip), the release QA rates and redaction
 * counts, a table of the groups, a table of the comparisons, and exactly five inline
 * SVG charts: the probe drift curve by "after" turn (one line per group), echo and
 * role-confusion rates by group, the stop-turn histogram, distinct-1/2/3 by group (bars
 * with interval whiskers when the groups have "ci"), and the 2-D projection coloured
 * by persona (a fixed palette cycled by a stable hash of the persona id; at most 500
 * points). The page needs no network: no scripts, no external fonts, styles, images
 * or links. Every text taken from the summary is escaped for HTML, since group names
 * and persona ids come from user data. Null or missing numbers show as "–" and are
 * left out of the charts; a summary of any shape (missing keys, wrong kinds) gives a
 * page, never a crash.
 * Returns 0, or -1 after an error message naming the file.
 * Ownership: summary and path are borrowed; nothing is retained.
 * Never ends the process (except out of memory).
 */
#ifndef PS_REPORT_H
#define PS_REPORT_H

#include <jv.h>

int report_write(jv summary, const char *path);

#endif
