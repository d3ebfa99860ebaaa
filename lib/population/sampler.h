/* sampler — draws one persona from a schema.
 *
 * Contract: sampler_draw(index, stratum) fills the values of record `index` (id =
 * prefix + zero-padded index). Each field draws from its own stream (seed, id,
 * "field:NAME"), so adding a field to a schema leaves the others' values unchanged,
 * and the result never depends on which other records were drawn. Quota fields take
 * the stratum's values; the other fields are drawn in dependency order from the case
 * that matches their parents. Constraints are checked on the drawn fields; a failing
 * draw is redrawn from sub-stream k (k = 1, 2, ...) up to the schema's max_tries.
 * Ownership: the sampler borrows the schema (which must outlive it) and owns its
 * buffers; strings returned point into the sampler or the schema and are valid until
 * the next draw.
 * Ends the process: sampler_draw when a constraint's jq expression fails at run time
 * (a message naming the schema, constraint and record, then status 2). Nothing else
 * does (except out of memory).
 */
#ifndef PS_SAMPLER_H
#define PS_SAMPLER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "schema.h"

struct value {
	double number; /* integer and real */
	const char *text; /* categorical (interned) and derived (owned by the sampler) */
	const char **items; /* list, interned, in declaration order */
	size_t nitems;
};

struct sampler;

struct sampler *sampler_new(const struct schema *s, uint64_t seed);
/* 0 on success; -1 when no draw within max_tries met the constraints (the message,
 * naming the constraint that failed most often, has been printed). stratum is -1
 * when the schema has no quota. */
int sampler_draw(struct sampler *sm, uint64_t index, long stratum);
const char *sampler_id(const struct sampler *sm);
const struct value *sampler_values(const struct sampler *sm);
/* The distribution each field was drawn from (NULL for constant, derived and quota fields). */
const struct distribution *const *sampler_used(const struct sampler *sm);
/* Append the record as one JSON line (no newline): {"id","schema","seed","fields"}. */
void sampler_write_record(const struct sampler *sm, struct buf *out);
void sampler_free(struct sampler *sm);

#endif
