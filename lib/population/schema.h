/* schema — the population description persona-sample draws from.
 *
 * Contract: schema_load reads a JSON schema file (format: persona-sample(1)) and
 * checks everything up front — field kinds, weights, ranges, conditions, templates,
 * the dependency order (a cycle is named field by field), the quota, and that each
 * constraint compiles as jq. Any problem is one message naming the file, the field
 * and what is wrong; schema_load then returns NULL (the caller exits 2).
 * After loading, every distribution (the base one and one per conditional case) is
 * fully resolved, so sampling does no lookups by name.
 * Ownership: the schema owns everything reachable from it, including interned value
 * strings (compare them by pointer); schema_free releases it all.
 * Never ends the process (except out of memory, or a jq interpreter that cannot start:
 * jqexpr.h).
 */
#ifndef PS_SCHEMA_H
#define PS_SCHEMA_H

#include <stddef.h>
#include <stdint.h>

#include "jqexpr.h"

enum field_kind { KIND_CATEGORICAL, KIND_INTEGER, KIND_REAL, KIND_LIST, KIND_CONSTANT, KIND_DERIVED };
enum num_dist { DIST_UNIFORM, DIST_NORMAL, DIST_HISTOGRAM };

/* A finite weighted choice among interned strings. */
struct weighted {
	size_t n;
	const char **values;
	double *weights;
	double *cumulative; /* cumulative[i] = sum of weights[0..i] */
	double total;
};

/* A continuous distribution; integer fields sample it and round to nearest. */
struct numeric {
	enum num_dist dist;
	double lo, hi; /* support; for integers [min-0.5, max+0.5) */
	double mean, sd; /* normal */
	struct { /* histogram: bins [lo,hi) chosen by weight, uniform inside */
		size_t n;
		double *lo, *hi;
		struct weighted pick;
	} bins;
};

/* One term of a condition: parent field in a set of values, or in a numeric range. */
struct term {
	int field; /* index into schema.fields */
	int is_range;
	double min, max; /* inclusive */
	size_t nvalues;
	const char **values; /* interned */
};

struct distribution {
	struct weighted choice; /* categorical and list */
	struct numeric num; /* integer and real */
	long k_min, k_max; /* list: how many to draw */
};

struct field_case {
	size_t nterms;
	struct term *terms; /* all must hold */
	struct distribution dist;
};

/* A derived field's template, pre-split into literal text and field references. */
struct template_part {
	const char *literal; /* owned; NULL for a reference */
	int field;
};

struct field {
	char *name;
	enum field_kind kind;
	struct distribution base;
	size_t ncases;
	struct field_case *cases; /* first match wins, else base */
	int decimals; /* real: digits after the point */
	char *constant_json; /* constant: the value as JSON text */
	size_t nparts;
	struct template_part *parts; /* derived */
	size_t nparents;
	int *parents; /* fields this one depends on */
	int quota_index; /* position in the quota's field list, or -1 */
};

struct stratum {
	const char **values; /* one per quota field: interned string, or NULL for numbers */
	double *numbers; /* one per quota field when numeric */
	double share; /* normalised to sum 1 */
	uint64_t weight; /* integer share used for exact apportionment */
	char *label; /* "grade=3,gender=girl" for messages and stats */
};

struct constraint {
	char *name;
	char *expr_text;
	struct jqexpr *expr;
};

struct schema {
	char *path;
	char *name; /* "support" */
	char *tag; /* "support@1", written into each record */
	char *id_prefix;
	int id_width;
	size_t nfields;
	struct field *fields; /* in declaration (output) order */
	int *order; /* sampling order: parents before children, derived last */
	size_t nquota; /* quota fields, 0 when there is no quota */
	int *quota_fields;
	size_t nstrata;
	struct stratum *strata;
	size_t nconstraints;
	struct constraint *constraints;
	long max_tries; /* rejection bound per record */
	void *intern; /* interned strings */
};

struct schema *schema_load(const char *path);
void schema_free(struct schema *s);
int schema_field_index(const struct schema *s, const char *name);
/* Probability mass of [a, b) under a numeric distribution. */
double numeric_mass(const struct numeric *num, double a, double b);

#endif
