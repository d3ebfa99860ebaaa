/* jsonschema — a small subset of JSON Schema for the answers models give.
 *
 * A researcher writes a schema for the JSON answer a model must give; the schema is
 * checked once when loaded, each answer is validated against it, and the first problem
 * goes back to the model in words it can act on.
 *
 * The subset (draft 2020-12 semantics for these keywords only):
 *   type                 "object", "array", "string", "number", "integer", "boolean",
 *                        "null", or a non-empty array of them without repeats;
 *                        "integer" is a number with no fractional part (2.0 is one),
 *                        "number" accepts integers
 *   properties           an object of schemas
 *   required             property names, each declared in properties (so the outline
 *                        can describe it and a typo in either list is caught)
 *   additionalProperties true (the default) or false: reject keys not in properties
 *   enum                 a non-empty array of any JSON values, compared by JSON
 *                        equality (1 and 1.0 are equal)
 *   minimum, maximum     inclusive bounds on numbers; minimum <= maximum
 *   maxLength            on strings, counted in Unicode code points (é is 1)
 *   items                one schema for every element of an array
 *   minItems, maxItems   on arrays; minItems <= maxItems
 *   description          a string, for the outline; never validated
 * Every other keyword, including boolean schemas, is a schema error, so a typo such as
 * "requried" is caught when the schema is loaded, not silently ignored. Like JSON
 * Schema, a keyword constrains only values of its kind (maxLength ignores numbers).
 *
 * Depth: schemas nested more than JSONSCHEMA_MAX_DEPTH deep (through properties and
 * items; the root is level 1), enum values and validated values whose arrays and
 * objects nest more than JSONSCHEMA_MAX_DEPTH levels are refused with a message, so no
 * input can make the recursion deep.
 *
 * Messages are one line, appended to err (no newline): for a schema, the path of the
 * keyword at fault ("properties.mood.enum: must be a non-empty array"; "schema" for
 * the root itself); for a value, the path in the value from "$" ("$.tags[2]: must be a
 * string, not a number"). Keys that are not plain identifiers are written as JSON
 * strings in brackets: $["first name"]. Validation reports the first problem: at each
 * object, its properties in the schema's order, then unexpected keys in the value's
 * order; at each array, its elements in order.
 *
 * Ownership: every jv argument is borrowed (none is consumed); nothing is retained.
 * Never ends the process (except out of memory).
 */
#ifndef PS_JSONSCHEMA_H
#define PS_JSONSCHEMA_H

#include <jv.h>

#include "buf.h"

#define JSONSCHEMA_MAX_DEPTH 64

/* 0 when schema uses only the subset, correctly; else -1 with the problem in err. */
int jsonschema_check(jv schema, struct buf *err);

/* 0 when value is valid against schema; else -1 with the first problem in err, e.g.
 * "$.frustration: 7 is more than the maximum 5". The schema is checked first (cheap next
 * to the model call that produced the value): a bad one gives -1 and its schema error. */
int jsonschema_validate(jv schema, jv value, struct buf *err);

/* The questions of a schema for a prompt, appended to out: one line per property of the
 * root, in the schema's order, "- NAME (SHAPE): DESCRIPTION\n", e.g.
 *   - resolved (boolean): Was the customer's problem solved?
 *   - frustration (integer 1 to 5): How frustrated was the customer?
 *   - objection (one of "price", "quality", "none"): The main objection
 *   - tags (array of at most 3 items, each string, optional): Topics
 * SHAPE is "one of " and the enum's values, or the types joined by " or " ("string or
 * null"; "any value" without a type) with the bounds: " 1 to 5", ", at least 1",
 * ", at most 5", ", at most 100 characters", " of 1 to 3 items", " of at least 1 item",
 * " of at most 3 items", then ", each " and the items' shape. ", optional" ends it
 * when the property is not required. ": DESCRIPTION" is left out when there is none;
 * line breaks in a description become spaces. The properties of an object (or of an
 * array's item objects) follow their line, indented two spaces a level. A root without
 * properties is one line "- answer (SHAPE): DESCRIPTION"; the root's own description
 * is not written. A schema that fails jsonschema_check writes nothing. */
void jsonschema_outline(jv schema, struct buf *out);

#endif
