/* popstats — how a sampled population compares with what its schema asked for.
 *
 * Contract: popstats_add is called once per written record; popstats_write emits one
 * JSON document: per field the observed counts, the expected counts and their total
 * variation distance (TVD), and for the quota every stratum's target, allocated and
 * observed counts with max_abs_error = max |allocated - observed| (0 when quotas are
 * exact). Expected counts are exact mixtures: each record contributes the
 * distribution it was actually drawn from (the case its parents selected), so
 * conditional fields are judged against their conditional targets. Constraints
 * reshape distributions by rejection; their effect shows up as TVD, by design.
 * Ownership: borrows the schema; owns its tables.
 * Never ends the process (except out of memory).
 */
#ifndef PS_POPSTATS_H
#define PS_POPSTATS_H

#include <stdint.h>

#include "sampler.h"

struct popstats;

struct popstats *popstats_new(const struct schema *s);
void popstats_add(struct popstats *ps, const struct sampler *sm, long stratum);
/* allocated: per stratum, the records the quota schedule gave this run (may be NULL
 * without a quota). Returns 0, or -1 when the file cannot be written (reported). */
int popstats_write(const struct popstats *ps, const uint64_t *allocated, uint64_t seed, uint64_t offset,
		   const char *path);
void popstats_free(struct popstats *ps);

#endif
