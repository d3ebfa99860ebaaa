/* authorship — can the texts of one persona be told apart from the others'?
 *
 * Contract: authorship_auc scores every pair of the first AUTHORSHIP_SAMPLE texts
 * whose personas are known (persona[i] >= 0) by the cosine of their character 4-gram
 * TF-IDF vectors (sublinear tf, smoothed idf over those texts, L2-normalised), and
 * returns the area under the ROC curve for telling same-persona pairs from the rest
 * (the Mann-Whitney U, ties sharing their average rank): 0.5 is chance, 1 perfect.
 * NaN when there are no same-persona pairs or no other pairs.
 * Ownership: texts and persona are borrowed.
 * Never ends the process (except out of memory).
 */
#ifndef PS_AUTHORSHIP_H
#define PS_AUTHORSHIP_H

#include <stddef.h>

#define AUTHORSHIP_SAMPLE 1000

double authorship_auc(const char *const *texts, const int *persona, size_t n);

#endif
