/* jsonfile — a whole JSON document from a file: schemas, rules files, references.
 *
 * Contract: json_read_file reads the file, refuses one over max_bytes, and checks it is
 * UTF-8 without NUL bytes and one strict JSON text (jsontext) before libjq sees it.
 * It reports nothing itself: a problem comes back as jv_invalid_with_msg holding one
 * line ("cannot open 'F': ...", "cannot read 'F': ...", "F: not a JSON text (...)",
 * "F: not valid JSON: ..."), for the caller to report with json_report_invalid or to
 * word its own way.
 *
 * Ownership: path is borrowed; json_read_file returns a new reference (jq's rule);
 * json_report_invalid consumes its argument. Never ends the process (except out of
 * memory).
 */
#ifndef PS_JSONFILE_H
#define PS_JSONFILE_H

#include <stddef.h>
#include <jv.h>

jv json_read_file(const char *path, size_t max_bytes);
/* Report the message of an invalid value from json_read_file ("PROGRAM: MESSAGE"), and free it. */
void json_report_invalid(jv invalid);

#endif
