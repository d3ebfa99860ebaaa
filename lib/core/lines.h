/* lines — the physical lines of the operands, in order, gzip or plain, with FILE:LINE.
 *
 * Contract: reads the named files in order, or stdin when none (or "-") is given; gzip
 * input is detected and decompressed transparently (through input_read, so an interrupt
 * ends the input quietly). The caller opens each operand in turn (lines_next_input) and
 * reads it by physical lines (lines_read) or by bytes (lines_getc, for the CSV parser),
 * until the end of that operand. A line is handed out without its newline; a CR before
 * the newline is kept (the caller decides what CRLF means). A line longer than the cap
 * is cut: the first cap bytes are handed out with *too_long set, and the rest waits for
 * lines_rest (streamed to a sink, never held in memory).
 *
 * Reported here, on stderr, once each: an operand that cannot be opened ("cannot open
 * 'F': ...") and damaged input ("F: damaged input after line N: ..." naming the last
 * line handed out, or "... at line N: ..." naming the line being read, as the caller
 * chose at lines_open). Both are counted in lines_errors.
 *
 * Line numbers: lines_number is the number of the last line handed out by lines_read
 * (0 before the first); lines_current is the line the next byte belongs to (newlines
 * consumed + 1), for byte-wise readers.
 *
 * Ownership: paths are borrowed for the life of the reader; the line buffer is the
 * caller's. Never ends the process (except out of memory).
 */
#ifndef PS_LINES_H
#define PS_LINES_H

#include <stddef.h>

#include "buf.h"

/* How damaged input is reported: after the last whole line, or at the line being read. */
enum lines_damage { LINES_DAMAGE_AFTER_LINE, LINES_DAMAGE_AT_LINE };

struct lines;

/* paths: the operands (may be empty: stdin). read_size: bytes per read (small reads
 * lose fewer lines when a gzip stream turns out damaged: zlib drops what the failing
 * read had decompressed). */
struct lines *lines_open(char *const *paths, int npaths, size_t read_size, enum lines_damage damage);
/* Open the next operand that can be opened (closing the current one); 0 when none is left. */
int lines_next_input(struct lines *l);
/* Is an operand open? */
int lines_have_input(const struct lines *l);
/* Close the current operand (at its end, or to skip it). */
void lines_end_input(struct lines *l);
/* The next physical line of the current operand into line (NUL-terminated). 1, or 0
 * at its end. Longer than cap: the first cap bytes, *too_long set, the rest pending. */
int lines_read(struct lines *l, struct buf *line, size_t cap, int *too_long);
/* The rest of a cut line, up to its newline (consumed, not passed), piece by piece to
 * sink (NULL: dropped). Nothing happens when no line was cut. */
void lines_rest(struct lines *l, void (*sink)(void *arg, const char *p, size_t n), void *arg);
/* The next byte of the current operand, or -1 at its end. */
int lines_getc(struct lines *l);
/* The current operand's name for messages ("stdin" for standard input), NULL before any. */
const char *lines_path(const struct lines *l);
long lines_number(const struct lines *l);
long lines_current(const struct lines *l);
/* Operands that could not be opened, plus damaged ones. */
size_t lines_errors(const struct lines *l);
/* NULL is allowed. */
void lines_close(struct lines *l);

#endif
