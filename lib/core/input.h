/* input — reading a file or stdin in chunks, gzip or plain, the same way everywhere.
 *
 * Contract: input_read wraps gzread for the line reader (lines.h), under JSON Lines, CSV
 * and every importer: a read cut by a signal that did not ask the program to stop is
 * simply retried; a read cut by an interrupt (interrupt_requested) ends the input
 * quietly, so a tool blocked on an idle stdin exits with the interrupt's status
 * instead of reporting damaged input.
 * Returns the bytes read (> 0), 0 at the end of the input or on an interrupt, or -1 on
 * an error with *why set to a static description (zlib's or strerror's).
 * Ownership: nothing is allocated; in and buf are borrowed. Never ends the process.
 */
#ifndef PS_INPUT_H
#define PS_INPUT_H

#include <zlib.h>

int input_read(gzFile in, void *buf, unsigned size, const char **why);

#endif
