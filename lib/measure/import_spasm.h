/* import_spasm — SPASM JSON Lines: "turns" of {"speaker": "client"|"tested", "text"|"content"},
 * persona_fields and persona_description; SPASM's persona_id and conversation_id (the id
 * "P/C") and termination_reason (the "stop").
 *
 * Part of importers (importers.h is the contract; import_internal.h the shared state
 * and helpers). Never ends the process (except out of memory).
 */
#ifndef PS_IMPORT_SPASM_H
#define PS_IMPORT_SPASM_H

#include <stddef.h>
#include <stdint.h>
#include <jv.h>

struct import_at;

/* The conversation of one record, or jv_invalid() with reason set. rec is borrowed;
 * at says where it was read. */
jv import_spasm_record(jv rec, const struct import_at *at, char *reason, size_t size);

/* The stop reason a SPASM termination_reason becomes: "closure" (natural_termination,
 * natural, natural_end, closure, goodbye), "max_turns" (max_turns, max_turns_reached,
 * turn_limit, max_length), "loop" (loop, loop_detected, repetition), "error" (error,
 * api_error), else "other"; ASCII case does not matter. */
const char *import_spasm_stop_reason(const char *source_reason);

#endif
