/* record — conventions shared by every record the tools write.
 *
 * Contract: a record that could not be finished is still written, with
 * "status":"failed" and "error":{"kind","message","attempts"}; record_id gives a
 * record's id for messages ("?" when it has none).
 * Ownership: record_set_failed consumes its record and returns the new one; strings
 * are borrowed. record_id's text is valid while the record is alive.
 * Never ends the process (except out of memory).
 */
#ifndef PS_RECORD_H
#define PS_RECORD_H

#include <stddef.h>
#include <jv.h>

jv record_set_failed(jv record, const char *kind, const char *message, int attempts);
/* A step that succeeded on a record that had failed before (a rerun): the old
 * "status" and "error" go. Consumes record, returns the new one. */
jv record_clear_failed(jv record);
/* Did an earlier step fail on this record ("status":"failed")? Then why, as
 * "KIND: MESSAGE" into a caller's buffer of size n, and 1; else 0. */
int record_failed_earlier(jv record, char *why, size_t n);
const char *record_id(jv record);

#endif
