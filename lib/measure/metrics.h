/* metrics — the summary's metrics as a reader meets them: a short name, a one-line
 * definition and the source it follows.
 *
 * Contract: metric_defs lists, in the order the report shows them, every metric key of
 * a score summary (corpus.h computes them); score(1) defines the same keys in words.
 * metric_def finds one by key (NULL when it is not a metric, e.g. "conversations").
 * Ownership: static data; nothing to free.
 * Never ends the process.
 */
#ifndef PS_METRICS_H
#define PS_METRICS_H

#include <stddef.h>

struct metric_def {
	const char *key; /* the summary key */
	const char *gloss; /* a few words for a table */
	const char *definition; /* one line: what is counted, over what */
	const char *source; /* the paper or convention it follows */
};

extern const struct metric_def metric_defs[];
extern const size_t metric_defs_count;

const struct metric_def *metric_def(const char *key);

#endif
