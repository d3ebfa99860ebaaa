/* extractsummary — extract's answers summarised per question, overall and by group,
 * and the groups compared (extract(1) SUMMARY).
 *
 * Contract: answer_summary_new takes the schema of the questions (its "properties",
 * in order); each question is a choice (a boolean, or any "enum"), a number (integer
 * or number without an enum) or other (counted only). answer_summary_add counts one
 * answer object (one conversation or participant) under a group (the --by value: a
 * string as is, anything else as compact JSON; jv_null() with no --by). The JSON:
 *   {"answers": N, "questions": {Q: SUMMARY}, "groups": {G: {"answers", "questions"}},
 *    "comparisons": [...]}
 * where a choice's SUMMARY is {"kind":"choice","n","values":[{"value","count","share",
 * "ci"}]} (Wilson intervals, answerstats.h), a number's {"kind":"number","n","mean",
 * "sd","ci"} (percentile bootstrap of the mean, seeded), other {"kind":"other","n"};
 * "groups" only when some answer had a group; "comparisons" (with compare) for every
 * pair of groups in first-seen order and every choice or number question:
 * {"question","a","b","test":"chi-square","statistic","df","p","cramers_v","n"} or
 * {"question","a","b","test":"welch","diff","t","df","p","hedges_g"}, each with
 * "p_holm", Holm's adjustment over every row (resample.h). Numbers are rounded to 6
 * decimals (p-values below 0.001 to 3 significant digits), non-finite ones null. Memory grows with groups x questions x
 * distinct values, never with the answers.
 * Ownership: the schema is copied; answers and group are borrowed; the JSON is new.
 * Never ends the process (except out of memory).
 */
#ifndef PS_EXTRACTSUMMARY_H
#define PS_EXTRACTSUMMARY_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

struct answer_summary;

struct answer_summary *answer_summary_new(jv schema, double level, size_t reps, uint64_t seed);
void answer_summary_add(struct answer_summary *s, jv group, jv answers);
jv answer_summary_json(struct answer_summary *s, int compare);
void answer_summary_free(struct answer_summary *s);

#endif
