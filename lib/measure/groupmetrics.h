/* groupmetrics — the measurements of one group conversation (a focus group of N
 * personas and a moderator).
 *
 * Record: {"participants": [{"id","name","description"}, ...], "turns": [{"speaker",
 * "name","round","text"}, ...]}, "speaker" a participant's id or "moderator".
 * Reading hostile records: a participant counts when it is an object with a string
 * "id" other than "moderator" and not seen before in the list (later duplicates are
 * ignored); its "name" and "description" are used only when they are strings. A turn
 * counts when it is an object with a string "text" and a string "speaker" that is
 * "moderator" or a participant's id; every other turn is ignored everywhere (it takes
 * no place in the answer window either). N is the number of participants that count.
 *
 * Contract (every figure NaN in the struct, null in the JSON, when not measurable):
 *   floor share    turns per participant (the moderator excluded; a participant who
 *                  never spoke has 0) and their Gini coefficient
 *                      G = sum_i sum_j |x_i - x_j| / (2 N^2 mean)
 *                  (Gini 1912, the mean-absolute-difference form as in Sen 1973, "On
 *                  Economic Inequality"): 0 when everyone spoke equally, (N-1)/N when
 *                  one participant spoke alone. Equality of turn-taking is the group
 *                  feature Woolley et al. 2010 (Science 330:686) relate to collective
 *                  performance. NaN when N < 2 or no participant spoke.
 *   addressing     a turn (a participant's or the moderator's) addresses participant X
 *                  when its text contains X's name as a whole phrase: ASCII
 *                  case-insensitive, with no letter or digit (or non-ASCII byte) just
 *                  before or after it — "Ana" is in "ana's" but not in "Banana". A
 *                  speaker never addresses itself, nor a participant whose name equals
 *                  its own (case-insensitively). Each addressed participant of a turn
 *                  counts once. An addressing is answered when X speaks within the next
 *                  N-1 turns (the window of a round-robin in which everyone speaks
 *                  once). answered_rate = answered / addressed, NaN when nothing was
 *                  addressed.
 *   convergence    a participant turn belongs to round r when its "round" is an
 *                  integer number r (turns without one take no part here). For each
 *                  round, each participant who spoke in it is represented by the hash
 *                  embedding (embedding.h) of their texts of that round joined with
 *                  "\n"; the round's similarity is the mean cosine over all pairs of
 *                  those speakers. Rounds with fewer than 2 speakers are not
 *                  measurable and are left out. convergence = similarity of the last
 *                  measurable round - similarity of the first (rounds in numeric
 *                  order), NaN with fewer than two measurable rounds; positive means
 *                  the participants' texts grew alike — consensus formation in the
 *                  sense of DeGroot 1974 ("Reaching a Consensus", JASA 69:118), measured
 *                  by this project's convention with embedding cosines.
 *   adherence      each participant's turns (all of them, joined with "\n") and each
 *                  description are embedded; a participant with a description and at
 *                  least one turn is a hit when its own description is strictly the
 *                  most similar to its turns of all the group's descriptions (ties are
 *                  misses, and so is a zero turn or description vector) — persona
 *                  identifiability within the group, the within-group form of score's
 *                  adherence (corpus.h). adherence = hits / such participants, NaN when
 *                  fewer than 2.
 * Cosines are those of the L2-normalised vectors, computed in double; a zero vector
 * has cosine 0 with everything (as in scikit-learn). dim <= 0 means 512.
 * Cost: addressing is O(turns x N x text length); groups are small.
 *
 * The JSON: {"floor": {"turns": {"p1": 3, ...}, "gini": G}, "addressed": n,
 * "answered": m, "answered_rate": r, "convergence": c, "similarity_by_round":
 * [{"round": r, "similarity": s, "speakers": k}, ...], "adherence_within": a}, every
 * number through jvu_figure (6 decimals, null when not finite). The struct keeps the
 * unrounded numbers and the counts, so a corpus can form ratios of sums.
 * Ownership: the record is borrowed; groupmetrics_compute returns a new jv.
 * Never ends the process (except out of memory).
 */
#ifndef PS_GROUPMETRICS_H
#define PS_GROUPMETRICS_H

#include <jv.h>

struct groupmetrics {
	double participants; /* N */
	double participant_turns; /* turns of participants (the moderator's excluded) */
	double gini; /* floor share; NaN when not measurable */
	double addressed, answered;
	double answered_rate; /* answered / addressed; NaN when addressed is 0 */
	double convergence; /* NaN with fewer than two rounds of 2+ speakers */
	double rounds; /* rounds with 2+ speakers */
	double adherence_hits;
	double adherence_n; /* participants with a description and turns */
	double adherence; /* hits / n; NaN when n < 2 */
};

/* Does the record have a "participants" array (a group conversation)? Borrowed. */
int groupmetrics_is_group(jv record);
/* Measure record (borrowed) with hash embeddings of dimension dim; fills *out when it
 * is not NULL and returns the per-record JSON. */
jv groupmetrics_compute(jv record, int dim, struct groupmetrics *out);

#endif
