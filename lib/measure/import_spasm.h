/* import_spasm — SPASM JSON Lines: "turns" of {"speaker": "client"|"tested", "text"|"content"},
 * persona_fields and persona_description.
 *
 * Part of importers (importers.h is the contract; import_internal.h the shared state
 * and helpers). Never ends the process (except out of memory).
 */
#ifndef PS_IMPORT_SPASM_H
#define PS_IMPORT_SPASM_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

/* The conversation of one record, or jv_invalid() with reason set. rec is borrowed;
 * number is the record's position, for an id when it has none. */
jv import_spasm_record(jv rec, uint64_t number, char *reason, size_t size);

#endif
